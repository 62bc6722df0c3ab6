/* SPDX-License-Identifier: MIT */
/* Percentiles and statistics against distributions whose answer is known,
 * the size planner, and the --bench option parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench/owner.h"
#include "bench/plan.h"
#include "bench/stats.h"
#include "options.h"

static struct bench_hist *new_hist(void)
{
        struct bench_hist *h = malloc(sizeof(*h));

        assert_non_null(h);
        bench_hist_init(h);
        return h;
}

/* |got - want| <= want/128 (fio's bound) plus one unit of rounding. */
static void assert_close(uint64_t got, uint64_t want)
{
        uint64_t d = got > want ? got - want : want - got;

        if (d > want / 128 + 1)
                fail_msg("got %llu, want %llu (+-%llu)", (unsigned long long)got,
                         (unsigned long long)want, (unsigned long long)(want / 128 + 1));
}

static void test_empty(void **state)
{
        struct bench_hist *h = new_hist();
        struct bench_latency l;

        bench_hist_summarize(h, &l);
        assert_int_equal(l.n, 0);
        assert_true(l.min == U64_UNSET && l.mean == U64_UNSET && l.p50 == U64_UNSET &&
                    l.p99 == U64_UNSET && l.max == U64_UNSET);
        free(h);
}

/* Below 128 ns every value has its own bucket. */
static void test_small_values_exact(void **state)
{
        for (uint64_t v = 0; v < 128; v++) {
                assert_int_equal(bench_hist_index(v), v);
                assert_int_equal(bench_hist_value(bench_hist_index(v)), v);
        }
}

/* Every bucket's midpoint lies within 1/128 of every value it holds, and
 * indexes grow with values (the histogram is ordered). */
static void test_bucket_error_bound(void **state)
{
        unsigned prev = 0;

        for (uint64_t v = 1; v < (UINT64_C(1) << 34); v = v + 1 + v / 97) {
                unsigned i = bench_hist_index(v);
                uint64_t mid = bench_hist_value(i);
                assert_true(i >= prev);
                prev = i;
                assert_close(mid, v);
        }
        /* Beyond 2^34 ns everything lands in the last bucket. */
        assert_int_equal(bench_hist_index(UINT64_C(1) << 40), BENCH_PLAT_NR - 1);
}

/* fio's nearest rank: the first value whose cumulative count >= p% of n. */
static void test_nearest_rank(void **state)
{
        struct bench_hist *h = new_hist();
        struct bench_latency l;

        for (uint64_t v = 1; v <= 10; v++)
                bench_hist_add(h, v);
        bench_hist_summarize(h, &l);
        assert_int_equal(l.n, 10);
        assert_int_equal(l.min, 1);
        assert_int_equal(l.max, 10);
        assert_int_equal(l.mean, 6); /* 5.5 rounded half up */
        assert_int_equal(l.p50, 5);
        assert_int_equal(l.p90, 9);
        /* Nearest rank of 10 samples gives 10 for both, the maximum: not
         * measured (bench_latency_measured()). */
        assert_int_equal(bench_hist_percentile(h, 99000), 10);
        assert_int_equal(bench_hist_percentile(h, 99900), 10);
        assert_int_equal(l.p99, U64_UNSET);
        assert_int_equal(l.p999, U64_UNSET);
        assert_int_equal(bench_hist_percentile(h, 10000), 1);
        assert_int_equal(bench_hist_percentile(h, 10001), 2);
        assert_int_equal(bench_hist_percentile(h, 100000), 10);
        assert_int_equal(bench_hist_percentile(h, 100001), U64_UNSET);
        free(h);
}

/* A percentile is kept from the sample count it needs on: p90 from 10,
 * p99 from 100, p99.9 from 1,000, whatever the values. */
static void test_samples_needed(void **state)
{
        static const struct {
                uint64_t n;
                bool p90, p99, p999;
        } cases[] = {
                { 1, false, false, false }, { 9, false, false, false }, { 10, true, false, false },
                { 99, true, false, false }, { 100, true, true, false }, { 999, true, true, false },
                { 1000, true, true, true }, { 5000, true, true, true },
        };

        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
                struct bench_hist *h = new_hist();
                struct bench_latency l;

                for (uint64_t i = 1; i <= cases[c].n; i++)
                        bench_hist_add(h, 1000 + i);
                bench_hist_summarize(h, &l);
                assert_int_equal(l.n, cases[c].n);
                assert_true(l.p50 != U64_UNSET && l.max != U64_UNSET);
                assert_int_equal(l.p90 != U64_UNSET, cases[c].p90);
                assert_int_equal(l.p99 != U64_UNSET, cases[c].p99);
                assert_int_equal(l.p999 != U64_UNSET, cases[c].p999);
                free(h);
        }
}

static void test_constant(void **state)
{
        struct bench_hist *h = new_hist();
        struct bench_latency l;

        for (int i = 0; i < 1000; i++)
                bench_hist_add(h, 123456);
        bench_hist_summarize(h, &l);
        /* Clamped into [min, max]: a constant reads back exactly. */
        assert_int_equal(l.p50, 123456);
        assert_int_equal(l.p999, 123456);
        assert_int_equal(l.mean, 123456);
        free(h);
}

/* Uniform 1..1e6 ns, each value once: the k-th percentile is k*1e4 ns. */
static void test_uniform(void **state)
{
        struct bench_hist *h = new_hist();
        struct bench_latency l;

        for (uint64_t v = 1; v <= 1000000; v++)
                bench_hist_add(h, v);
        bench_hist_summarize(h, &l);
        assert_int_equal(l.mean, 500001); /* 500000.5 rounded */
        assert_close(l.p50, 500000);
        assert_close(l.p90, 900000);
        assert_close(l.p99, 990000);
        assert_close(l.p999, 999000);
        assert_int_equal(l.min, 1);
        assert_int_equal(l.max, 1000000);
        free(h);
}

/* Exponential with mean 200 µs by inverse CDF at evenly spaced quantiles:
 * the p-quantile is -mean*ln(1-p). */
static void test_exponential(void **state)
{
        struct bench_hist *h = new_hist();
        const double mean = 200000.0;
        const int n = 200000;
        struct bench_latency l;

        for (int i = 0; i < n; i++) {
                double u = (i + 0.5) / n;
                bench_hist_add(h, (uint64_t)(-mean * __builtin_log(1.0 - u)));
        }
        bench_hist_summarize(h, &l);
        assert_close(l.p50, (uint64_t)(mean * 0.69314718));
        assert_close(l.p90, (uint64_t)(mean * 2.30258509));
        assert_close(l.p99, (uint64_t)(mean * 4.60517019));
        assert_close(l.p999, (uint64_t)(mean * 6.90775528));
        /* The mean is exact arithmetic on the samples, close to the model's. */
        assert_true(l.mean > 199000 && l.mean < 201000);
        free(h);
}

/* A bimodal mix, 90% fast cache hits and 10% slow: p50 in the fast mode,
 * p99 in the slow one (what ioping's mean alone hides). */
static void test_bimodal(void **state)
{
        struct bench_hist *h = new_hist();
        struct bench_latency l;

        for (int i = 0; i < 9000; i++)
                bench_hist_add(h, 20000);
        for (int i = 0; i < 1000; i++)
                bench_hist_add(h, 3000000);
        bench_hist_summarize(h, &l);
        assert_close(l.p50, 20000);
        assert_close(l.p90, 20000);
        assert_close(l.p99, 3000000);
        assert_int_equal(l.mean, 318000);
        free(h);
}

static void test_plan_size(void **state)
{
        char err[256];
        uint64_t s;

        assert_int_equal(bench_plan_size(0, U64_UNSET, &s, err, sizeof(err)), 0);
        assert_int_equal(s, BENCH_DEFAULT_SIZE);
        assert_int_equal(bench_plan_size(0, UINT64_C(100) << 30, &s, err, sizeof(err)), 0);
        assert_int_equal(s, BENCH_DEFAULT_SIZE);
        /* 5% of 1 GiB = 51.2 MiB -> 51 MiB */
        assert_int_equal(bench_plan_size(0, UINT64_C(1) << 30, &s, err, sizeof(err)), 0);
        assert_int_equal(s, UINT64_C(51) << 20);
        assert_int_equal(bench_plan_size(0, UINT64_C(100) << 20, &s, err, sizeof(err)), -ENOSPC);
        assert_non_null(strstr(err, "--bench-size"));
        assert_int_equal(
                bench_plan_size(UINT64_C(3) << 20, UINT64_C(100) << 20, &s, err, sizeof(err)), 0);
        assert_int_equal(s, UINT64_C(3) << 20);
        assert_int_equal(
                bench_plan_size(UINT64_C(60) << 20, UINT64_C(100) << 20, &s, err, sizeof(err)),
                -ENOSPC);
        assert_int_equal(bench_plan_size(UINT64_C(1) << 20, 0, &s, err, sizeof(err)), -ENOSPC);
}

/* The metadata workload's share of a nearly full file system: with the test
 * file, at most half the free space, and at most half the free inodes. */
static void test_plan_md(void **state)
{
        const uint64_t M = UINT64_C(1) << 20;

        assert_int_equal(bench_plan_md(U64_UNSET, U64_UNSET, 256 * M), BENCH_MD_MAX_FILES);
        assert_int_equal(bench_plan_md(UINT64_C(100) << 30, UINT64_C(1) << 20, 256 * M),
                         BENCH_MD_MAX_FILES);
        /* 3 MiB free, 1 MiB file: (1.5 MiB - 1 MiB) / 8 KiB */
        assert_int_equal(bench_plan_md(3 * M, U64_UNSET, M), 64);
        assert_int_equal(bench_plan_md(2 * M, U64_UNSET, M), 0);
        assert_int_equal(bench_plan_md(M, U64_UNSET, M), 0);
        /* inodes: (f_ffree - 8) / 2 */
        assert_int_equal(bench_plan_md(UINT64_C(100) << 30, 108, M), 50);
        assert_int_equal(bench_plan_md(UINT64_C(100) << 30, 8, M), 0);
        assert_int_equal(bench_plan_md(UINT64_C(100) << 30, 0, M), 0);
        /* everything planned fits in half of what is free */
        for (uint64_t f = M; f < 64 * M; f += 123457) {
                uint64_t n = bench_plan_md(f, U64_UNSET, M);
                assert_true(n == 0 || M + n * BENCH_MD_FILE_COST <= f / 2);
        }
}

/* The marker: what is written parses back; anything else is refused, so a
 * sweep never removes a directory on a marker it misread. */
static void test_owner_marker(void **state)
{
        struct bench_owner o = { .boot_id = "0af1cf79-438c-43d0-adb7-8e37d3d87be0",
                                 .pidns = "pid:[4026531836]",
                                 .n = 2,
                                 .p = { { 28011, 73950 }, { 28019, 73958 } } },
                           back;
        static const char *const bad[] = {
                "",
                "studio-probe-bench 1\n",
                "studio-probe-bench 2\nboot_id a\npidns b\npid 1 2\n",
                "studio-probe-bench 1\nboot_id a\npidns b\npid 1 2",   /* cut short */
                "studio-probe-bench 1\nboot_id a\npidns b\n",          /* no pid */
                "studio-probe-bench 1\npidns b\nboot_id a\npid 1 2\n", /* order */
                "studio-probe-bench 1\nboot_id a\npidns b\npid 0 2\n",
                "studio-probe-bench 1\nboot_id a\npidns b\npid -1 2\n",
                "studio-probe-bench 1\nboot_id a\npidns b\npid 1 x\n",
                "studio-probe-bench 1\nboot_id a\npidns b\npid 1 2 3\n",
                "studio-probe-bench 1\nboot_id a\npidns b\npid 99999999999 2\n",
                "studio-probe-bench 1\nboot_id a\npidns b\npid 1 2\npid 3 4\npid 5 6\n",
                "studio-probe-bench 1\nboot_id a b\npidns b\npid 1 2\n",
                "studio-probe-bench 1\nboot_id \npidns b\npid 1 2\n",
        };
        char buf[512];
        int n;

        n = bench_owner_format(&o, buf, sizeof(buf));
        assert_true(n > 0);
        assert_int_equal(bench_owner_parse(buf, (size_t)n, &back), 0);
        assert_string_equal(back.boot_id, o.boot_id);
        assert_string_equal(back.pidns, o.pidns);
        assert_int_equal(back.n, 2);
        assert_int_equal(back.p[1].pid, 28019);
        assert_int_equal(back.p[1].start, 73958);
        assert_int_equal(bench_owner_format(&o, buf, 20), -ENOBUFS);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (bench_owner_parse(bad[i], strlen(bad[i]), &back) != -EINVAL)
                        fail_msg("accepted: %s", bad[i]);
}

static int parse(struct options *o, ...)
{
        char *argv[16] = { (char *)"studio-probe" };
        char err[256];
        int argc = 1;
        va_list ap;

        va_start(ap, o);
        for (char *a; (a = va_arg(ap, char *));)
                argv[argc++] = a;
        va_end(ap);
        return options_parse(argc, argv, o, err, sizeof(err));
}

static void test_options(void **state)
{
        struct options o;

        assert_int_equal(parse(&o, "--bench", NULL), 0);
        assert_true(o.bench);
        assert_int_equal(o.bench_time_ns, BENCH_DEFAULT_BUDGET_NS);
        assert_int_equal(o.bench_size, 0);
        assert_int_equal(parse(&o, "--bench", "--bench-time=2.5", "--bench-size=64M", NULL), 0);
        assert_int_equal(o.bench_time_ns, 2500000000u);
        assert_int_equal(o.bench_size, UINT64_C(64) << 20);
        assert_int_equal(parse(&o, "--bench", "--bench-size=1GiB", NULL), 0);
        assert_int_equal(o.bench_size, UINT64_C(1) << 30);
        assert_int_equal(parse(&o, "--bench", "--bench-size=1048576", NULL), 0);
        assert_int_equal(parse(&o, "--bench", "--bench-size=1X", NULL), -EINVAL);
        assert_int_equal(parse(&o, "--bench", "--bench-size=512K", NULL), -EINVAL);
        assert_int_equal(parse(&o, "--bench", "--bench-size=2T", NULL), -EINVAL);
        assert_int_equal(parse(&o, "--bench", "--bench-size=99999999999999999999G", NULL), -EINVAL);
        assert_int_equal(parse(&o, "--bench", "--bench-size=", NULL), -EINVAL);
        assert_int_equal(parse(&o, "--bench", "--bench-time=0", NULL), -EINVAL);
        assert_int_equal(parse(&o, "--bench", "--bench-time=601", NULL), -EINVAL);
        assert_int_equal(parse(&o, "--bench", "--bench-time=abc", NULL), -EINVAL);
        assert_int_equal(parse(&o, "--bench-time=3", NULL), -EINVAL);
        assert_int_equal(parse(&o, "--bench", "--sysroot=/tmp", NULL), -EINVAL);
        assert_int_equal(parse(&o, "--bench", "--quiet", NULL), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_small_values_exact),
                cmocka_unit_test(test_bucket_error_bound),
                cmocka_unit_test(test_nearest_rank),
                cmocka_unit_test(test_samples_needed),
                cmocka_unit_test(test_constant),
                cmocka_unit_test(test_uniform),
                cmocka_unit_test(test_exponential),
                cmocka_unit_test(test_bimodal),
                cmocka_unit_test(test_plan_size),
                cmocka_unit_test(test_plan_md),
                cmocka_unit_test(test_owner_marker),
                cmocka_unit_test(test_options),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
