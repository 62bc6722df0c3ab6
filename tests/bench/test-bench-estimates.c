/* SPDX-License-Identifier: MIT */
/* The task estimates on measurements built by hand: the arithmetic, the tasks
 * left out when a cost class was not measured, and their rendering. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "classify/estimates.h"
#include "core/strutil.h"
#include "model.h"
#include "render/bench.h"
#include "render/prometheus.h"

static void lat(struct bench_workload *x, double mean_s)
{
        x->ran = x->complete = true;
        x->ops = 100;
        x->per_second = (uint64_t)(1.0 / mean_s);
        x->latency =
                (struct bench_latency){ 100, 1, (uint64_t)llround(mean_s * 1e9), 1, 1, 1, 1, 1 };
}

static void seq(struct bench_workload *x, double bps)
{
        x->ran = x->complete = true;
        x->ops = 256;
        x->per_second = (uint64_t)bps;
        x->latency = (struct bench_latency){ 256, 1, 1, 1, 1, 1, 1, 1 };
}

/* A result whose every workload measured exactly the costs c. */
static struct bench_result *result_at(const struct op_costs *c)
{
        struct bench_result *b = calloc(1, sizeof(*b));

        assert_non_null(b);
        b->m.err_workload = -1;
        seq(&b->m.w[BENCH_SEQ_WRITE], c->write_bps);
        seq(&b->m.w[BENCH_SEQ_READ], c->read_bps);
        lat(&b->m.w[BENCH_RAND_READ], 200e-6);
        lat(&b->m.w[BENCH_SYNC_WRITE], c->sync);
        lat(&b->m.w[BENCH_MD_CREATE], c->create);
        lat(&b->m.w[BENCH_MD_STAT], c->stat);
        lat(&b->m.w[BENCH_MD_UNLINK], c->unlink);
        return b;
}

static const struct bench_estimate *find(const struct bench_result *b, const char *prefix)
{
        for (size_t i = 0; i < b->n_estimates; i++)
                if (strncmp(b->estimates[i].task, prefix, strlen(prefix)) == 0)
                        return &b->estimates[i];
        return NULL;
}

/* count × mean latency per class, plus bytes at the sequential rates */
static void test_arithmetic(void **state)
{
        const struct op_costs c = { .create = 1e-3,
                                    .stat = 100e-6,
                                    .unlink = 500e-6,
                                    .sync = 2e-3,
                                    .read_bps = 100e6,
                                    .write_bps = 50e6 };
        const struct op_costs unknown_sync = { .create = 1e-3,
                                               .stat = 100e-6,
                                               .unlink = 500e-6,
                                               .sync = -1,
                                               .read_bps = 100e6,
                                               .write_bps = 50e6 };

        /* 10 ms + 10 ms + 2 ms + 4 ms + 1 s + 1 s */
        assert_float_equal(task_seconds(&c, 10, 100, 4, 2, 100000000, 50000000), 2.026, 1e-9);
        assert_float_equal(task_seconds(&c, 0, 0, 0, 0, 0, 0), 0, 0);
        /* a class the task does not use needs no cost; one it uses does */
        assert_float_equal(task_seconds(&unknown_sync, 0, 1000, 0, 0, 0, 0), 0.1, 1e-9);
        assert_true(task_seconds(&unknown_sync, 0, 1000, 0, 1, 0, 0) < 0);
}

/* the mean of each workload, the sequential rates in bytes/s */
static void test_measured_costs(void **state)
{
        struct bench_result *b = result_at(&op_costs_efs);
        struct op_costs c;

        op_costs_measured(&c, &b->m);
        assert_float_equal(c.create, 2.7e-3, 1e-12);
        assert_float_equal(c.stat, 250e-6, 1e-12);
        assert_float_equal(c.unlink, 2.7e-3, 1e-12);
        assert_float_equal(c.sync, 2.7e-3, 1e-12);
        assert_float_equal(c.read_bps, 500.0 * 1024 * 1024, 1);
        b->m.w[BENCH_MD_STAT].latency.n = 0;
        b->m.w[BENCH_SEQ_READ].ran = false;
        op_costs_measured(&c, &b->m);
        assert_true(c.stat < 0);
        assert_true(c.read_bps < 0);
        bench_result_free(b);
}

/* A path that measures like the reference gets the reference's figures, and
 * every task is slower on EFS's best case than on gp3. */
static void test_references(void **state)
{
        const struct op_costs *ref[] = { &op_costs_ebs_gp3, &op_costs_efs };

        for (size_t r = 0; r < 2; r++) {
                struct bench_result *b = result_at(ref[r]);

                assert_int_equal(bench_estimate_tasks(b), 0);
                assert_int_equal(b->n_estimates, 5);
                for (size_t i = 0; i < b->n_estimates; i++) {
                        const struct bench_estimate *e = &b->estimates[i];

                        assert_true(e->operations > 0);
                        assert_float_equal(e->seconds, r ? e->ref_efs : e->ref_ebs_gp3,
                                           1e-6 * e->seconds + 1e-9);
                        assert_true(e->ref_efs > e->ref_ebs_gp3);
                }
                assert_non_null(find(b, "pip install"));
                assert_non_null(find(b, "conda create"));
                assert_non_null(find(b, "git clone"));
                assert_non_null(find(b, "git status"));
                assert_non_null(find(b, "python -c 'import pandas'"));
                bench_result_free(b);
        }
}

/* Only the tasks whose every cost class was measured: without a sync write,
 * git status and the import (no fsync) remain; without metadata, none. */
static void test_partial(void **state)
{
        struct bench_result *b = result_at(&op_costs_ebs_gp3);

        b->m.w[BENCH_SYNC_WRITE].latency.n = 0;
        assert_int_equal(bench_estimate_tasks(b), 0);
        assert_null(find(b, "pip install"));
        assert_null(find(b, "git clone"));
        assert_non_null(find(b, "git status"));
        assert_non_null(find(b, "python -c 'import pandas'"));

        memset(&b->m.w[BENCH_MD_CREATE], 0, sizeof(b->m.w[0]) * 3);
        assert_int_equal(bench_estimate_tasks(b), 0);
        assert_int_equal(b->n_estimates, 0);
        assert_null(b->estimates);
        bench_result_free(b);
}

static char *render_text(const struct bench_result *b)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        assert_non_null(f);
        bench_render_text(f, b, false);
        fclose(f);
        return buf;
}

static void test_render(void **state)
{
        static const struct bench_estimate e[] = {
                { "git status mid-size repo", 2003, 0.0126, 0.004, 0.5123456 },
                { "pip install scientific stack", 76000, 75.4, 3.2, 140 },
        };
        struct bench_result *b = result_at(&op_costs_ebs_gp3);
        cJSON *root = cJSON_CreateObject(), *a, *x;
        char *t;

        b->path = strdup("/home/sagemaker-user");
        b->estimates = malloc(sizeof(e));
        assert_non_null(b->estimates);
        memcpy(b->estimates, e, sizeof(e));
        b->n_estimates = 2;

        t = render_text(b);
        assert_non_null(strstr(t, "  Estimated time of everyday tasks on this path (from the "
                                  "measured costs):\n"
                                  "    task                                   here    EBS gp3 "
                                  "       EFS\n"
                                  "    git status mid-size repo              13 ms       4 ms "
                                  "    512 ms\n"
                                  "    pip install scientific stack           75 s      3.2 s "
                                  "   2.3 min\n"));
        free(t);

        assert_true(bench_to_json(root, b));
        a = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "benchmark"), "estimates");
        assert_int_equal(cJSON_GetArraySize(a), 2);
        x = cJSON_GetArrayItem(a, 0);
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(x, "task")),
                            "git status mid-size repo");
        assert_float_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(x, "operations")), 2003, 0);
        /* to the millisecond */
        assert_float_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(x, "seconds")), 0.013, 1e-12);
        x = cJSON_GetObjectItem(x, "reference_seconds");
        assert_float_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(x, "ebs_gp3")), 0.004, 1e-12);
        assert_float_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(x, "efs")), 0.512, 1e-12);
        cJSON_Delete(root);

        {
                struct report r;
                char *buf = NULL;
                size_t len = 0;
                FILE *f = open_memstream(&buf, &len);

                assert_non_null(f);
                report_init(&r);
                r.bench = b;
                assert_int_equal(render_prometheus(f, &r), 0);
                fclose(f);
                assert_non_null(strstr(buf,
                                       "# TYPE studio_probe_bench_task_estimate_seconds gauge\n"
                                       "studio_probe_bench_task_estimate_seconds{task=\"git "
                                       "status mid-size repo\"} 0.013\n"));
                free(buf);
                r.bench = NULL;
                report_done(&r);
        }

        /* none: an empty array, no table */
        free(b->estimates);
        b->estimates = NULL;
        b->n_estimates = 0;
        t = render_text(b);
        assert_null(strstr(t, "Estimated"));
        free(t);
        root = cJSON_CreateObject();
        assert_true(bench_to_json(root, b));
        a = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "benchmark"), "estimates");
        assert_true(cJSON_IsArray(a));
        assert_int_equal(cJSON_GetArraySize(a), 0);
        cJSON_Delete(root);
        bench_result_free(b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_arithmetic), cmocka_unit_test(test_measured_costs),
                cmocka_unit_test(test_references), cmocka_unit_test(test_partial),
                cmocka_unit_test(test_render),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
