/* SPDX-License-Identifier: MIT */
/* The benchmark's renderers and verdicts on results built by hand: partial
 * runs (a workload that failed before its first sample, workloads that never
 * started), the bands per figure, the plain-words summary with only the
 * advice that fits the environment found, and the samples behind each
 * percentile. */
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "classify/verdict.h"
#include "model.h"
#include "render/bench.h"
#include "render/emf.h"
#include "render/prometheus.h"
#include "core/strutil.h"

static struct bench_result *new_result(void)
{
        struct bench_result *b = calloc(1, sizeof(*b));

        assert_non_null(b);
        b->path = strdup("/home/sagemaker-user");
        b->m.err_workload = -1;
        b->m.fs_magic = 0xEF53;
        b->m.budget_ns = 10 * NSEC_PER_SEC;
        b->m.workload_budget_ns = 9500 * NSEC_PER_MSEC;
        b->m.file_size_bytes = b->m.file_written_bytes = 256 << 20;
        b->m.direct_io = true;
        b->m.md_planned = BENCH_MD_MAX_FILES;
        b->m.free_bytes = UINT64_C(100) << 30;
        b->m.free_inodes = U64_UNSET;
        return b;
}

static void ran_seq(struct bench_workload *x, uint64_t bps)
{
        x->ran = x->complete = x->direct = true;
        x->ops = 256;
        x->bytes = 256 << 20;
        x->per_second = bps;
        x->elapsed_ns = x->budget_ns = x->spent_ns = NSEC_PER_SEC;
        x->latency = (struct bench_latency){ 256,     900000,  1000000, 1000000,
                                             1100000, 1500000, 1600000, 2000000 };
}

static void ran_rand(struct bench_workload *x, uint64_t p50, uint64_t p99)
{
        x->ran = x->complete = true;
        x->ops = 1000;
        x->per_second = NSEC_PER_SEC / p50;
        x->elapsed_ns = x->budget_ns = NSEC_PER_SEC;
        x->latency = (struct bench_latency){ 1000, p50 / 2, p50, p50, p50 * 2, p99, p99, p99 * 2 };
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

static cJSON *render_json(const struct bench_result *b)
{
        cJSON *root = cJSON_CreateObject();

        assert_non_null(root);
        assert_true(bench_to_json(root, b));
        return root;
}

/* A report whose home (the benchmarked path) is of kind k. */
static struct report *new_report(enum storage_kind k, enum environment env)
{
        struct report *r = calloc(1, sizeof(*r));

        assert_non_null(r);
        report_init(r);
        r->environment = env;
        r->home.kind = k;
        r->home.mount_id = 1;
        r->home.path = strdup("/home/sagemaker-user");
        r->home.mountpoint = strdup("/home/sagemaker-user");
        return r;
}

static struct storage *add_mount(struct report *r, enum storage_kind k, const char *mountpoint)
{
        struct storage *s = report_add_mount(r);

        assert_non_null(s);
        s->kind = k;
        s->mount_id = 10 + (int)r->n_mounts;
        s->mountpoint = strdup(mountpoint);
        return s;
}

static void free_report(struct report *r)
{
        report_done(r);
        free(r);
}

static bool has_assessment(const struct bench_result *b, const char *needle)
{
        for (char **s = b->assessment; s && *s; s++)
                if (strstr(*s, needle))
                        return true;
        return false;
}

/* rand_read_4k started, then its first read failed: it is shown as partial with
 * no samples, never as "0 IOPS p50 0 µs", and no verdict is drawn from it. */
static void test_failed_before_first_sample(void **state)
{
        struct bench_result *b = new_result();
        struct report *r = new_report(STORAGE_EBS, ENV_STUDIO_NEW);
        cJSON *j, *rr;
        char *t;

        ran_seq(&b->m.w[BENCH_SEQ_WRITE], 200 << 20);
        ran_seq(&b->m.w[BENCH_SEQ_READ], 200 << 20);
        b->m.w[BENCH_RAND_READ].ran = true;
        b->m.w[BENCH_RAND_READ].budget_ns = 2 * NSEC_PER_SEC;
        b->m.w[BENCH_RAND_READ].spent_ns = 100 * NSEC_PER_MSEC;
        b->m.probe_ns = 50 * NSEC_PER_MSEC;
        b->m.setup_ns = 20 * NSEC_PER_MSEC;
        b->m.cleanup_ns = 30 * NSEC_PER_MSEC;
        b->m.elapsed_ns = 2200 * NSEC_PER_MSEC;
        b->m.err = -ECONNABORTED;
        b->m.err_workload = BENCH_RAND_READ;
        snprintf(b->m.err_call, sizeof(b->m.err_call), "pread");
        assert_int_equal(bench_assess(b, r), 0);
        free_report(r);

        t = render_text(b);
        assert_non_null(strstr(t, "rand_read_4k  no samples  (partial)\n"));
        assert_null(strstr(t, "0 IOPS"));
        /* only what started has a part in the budget line, no "metadata 0"; the
         * parts add up to the elapsed time */
        assert_non_null(strstr(t,
                               "budget        probe 50.00 ms + setup 20.00 ms + seq_write 1.00 s + "
                               "seq_read 1.00 s + rand_read_4k 100 ms + cleanup 30.00 ms = "
                               "2.20 s of 10.00 s\n"));
        assert_non_null(strstr(t, "error         pread in rand_read_4k: "));
        free(t);

        j = render_json(b);
        rr = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "benchmark"), "rand_read_4k");
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(rr, "latency_ns")));
        assert_true(cJSON_IsFalse(cJSON_GetObjectItem(rr, "complete")));
        assert_true(cJSON_IsNull(
                cJSON_GetObjectItem(cJSON_GetObjectItem(j, "benchmark"), "sync_write_4k")));
        assert_true(
                cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "benchmark"), "metadata")));
        cJSON_Delete(j);

        assert_false(has_assessment(b, "rand_read_4k"));
        assert_true(has_assessment(b, "seq_write 200.0 MiB/s: above gp3's 125 MiB/s baseline; "
                                      "gp2's band (3 IOPS per GiB) needs the volume's size"));
        bench_result_free(b);
}

static void test_nothing_ran(void **state)
{
        struct bench_result *b = new_result();
        char *t;

        b->m.interrupted = true;
        assert_int_equal(bench_assess(b, NULL), 0);
        t = render_text(b);
        assert_non_null(strstr(
                t, "budget        probe 0.00 µs + setup 0.00 µs + cleanup 0.00 µs = 0.00 µs of "
                   "10.00 s\n"));
        free(t);
        assert_true(has_assessment(b, "interrupted"));
        bench_result_free(b);
}

/* The wording follows the storage kind: FUSE and other unknown kinds are not
 * called a local disk. */
static void test_wording_per_kind(void **state)
{
        static const struct {
                enum storage_kind kind;
                const char *want;
        } cases[] = {
                { STORAGE_LOCAL, "as fast as an NVMe instance store (under 100 µs) on this "
                                 "local disk" },
                { STORAGE_UNKNOWN, "as fast as an NVMe instance store (under 100 µs) on this "
                                   "file system" },
                { STORAGE_OVERLAY, "on this overlay file system" },
                { STORAGE_INSTANCE_STORE, "in line with NVMe instance store" },
                { STORAGE_EFS, "in line with EFS's best case of ~250 µs" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct bench_result *b = new_result();
                struct report *r = new_report(cases[i].kind, ENV_STUDIO_NEW);
                uint64_t p50 =
                        cases[i].kind == STORAGE_EFS ? 300 * NSEC_PER_USEC : 80 * NSEC_PER_USEC;

                ran_rand(&b->m.w[BENCH_RAND_READ], p50, 4 * p50);
                assert_int_equal(bench_assess(b, r), 0);
                free_report(r);
                if (!has_assessment(b, cases[i].want))
                        fail_msg("kind %d: no \"%s\" in %s", cases[i].kind, cases[i].want,
                                 b->assessment && b->assessment[0] ? b->assessment[0] : "(none)");
                bench_result_free(b);
        }
}

/* EFS sync writes far beyond the best case: the verdict says what to do. */
static void test_efs_sync_write_advice(void **state)
{
        struct bench_result *b = new_result();
        struct report *r = new_report(STORAGE_EFS, ENV_STUDIO_NEW);

        ran_rand(&b->m.w[BENCH_SYNC_WRITE], 5 * NSEC_PER_MSEC, 12 * NSEC_PER_MSEC);
        assert_int_equal(bench_assess(b, r), 0);
        free_report(r);
        assert_true(has_assessment(b, "sync_write_4k p99 12.00 ms: 4× EFS's best case"));
        assert_true(has_assessment(b, "keep virtual environments"));
        bench_result_free(b);
}

/* A child killed by a signal: the error names the signal and the workload it
 * was in, in the text and the JSON alike. */
static void test_killed(void **state)
{
        struct bench_result *b = new_result();
        cJSON *j;
        char *t;

        ran_seq(&b->m.w[BENCH_SEQ_WRITE], 200 << 20);
        b->m.w[BENCH_SEQ_READ].ran = true;
        b->m.killed_by = SIGKILL;
        b->m.err_workload = BENCH_SEQ_READ;
        assert_int_equal(bench_assess(b, NULL), 0);
        t = render_text(b);
        assert_non_null(strstr(t, "error         killed by SIGKILL in seq_read\n"));
        free(t);
        j = render_json(b);
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
                                    cJSON_GetObjectItem(j, "benchmark"), "error")),
                            "killed by SIGKILL in seq_read");
        cJSON_Delete(j);
        bench_result_free(b);
}

/* A nearly full file system: the metadata workload is cut or skipped, and the
 * verdict says why. */
static void test_metadata_bounded(void **state)
{
        struct bench_result *b = new_result();

        ran_rand(&b->m.w[BENCH_SYNC_WRITE], 5 * NSEC_PER_MSEC, 12 * NSEC_PER_MSEC);
        b->m.md_planned = 0;
        b->m.free_bytes = UINT64_C(3) << 20;
        b->m.free_inodes = 20;
        assert_int_equal(bench_assess(b, NULL), 0);
        assert_true(has_assessment(b, "metadata workload skipped: 3.0 MiB free and 20 free "
                                      "inodes"));
        bench_result_free(b);

        b = new_result();
        ran_rand(&b->m.w[BENCH_SYNC_WRITE], 5 * NSEC_PER_MSEC, 12 * NSEC_PER_MSEC);
        b->m.md_planned = 63;
        b->m.free_bytes = UINT64_C(3) << 20;
        assert_int_equal(bench_assess(b, NULL), 0);
        assert_true(has_assessment(b, "metadata workload limited to 63 small files: 3.0 MiB "
                                      "free and uncounted free inodes"));
        bench_result_free(b);
}

static void ran_md(struct bench_result *b, uint64_t create_p50)
{
        ran_rand(&b->m.w[BENCH_MD_CREATE], create_p50, 3 * create_p50);
        b->m.md_files = 1000;
}

static void assert_contains(const char *s, const char *needle)
{
        if (!s || !strstr(s, needle))
                fail_msg("no \"%s\" in \"%s\"", needle, s ? s : "(null)");
}

static void assert_lacks(const char *s, const char *needle)
{
        if (s && strstr(s, needle))
                fail_msg("\"%s\" in \"%s\"", needle, s);
}

/* The case: a FUSE mount (kind unknown) whose file creation costs
 * 1.04 ms gets the small-file verdict, not "no published band". */
static void test_slow_fuse_small_files(void **state)
{
        struct bench_result *b = new_result();
        struct report *r = new_report(STORAGE_UNKNOWN, ENV_NONE);

        b->m.fs_magic = 0x65735546; /* FUSE_SUPER_MAGIC */
        ran_md(b, 1040 * NSEC_PER_USEC);
        ran_rand(&b->m.w[BENCH_RAND_READ], 300 * NSEC_PER_USEC, NSEC_PER_MSEC);
        assert_int_equal(bench_assess(b, r), 0);
        assert_string_equal(b->summary, "Small-file work here is about 10× slower than on a local "
                                        "EBS volume: each file creation takes 1.04 ms (EBS gp3: "
                                        "~0.1 ms).");
        assert_true(has_assessment(b, "create p50 1.04 ms: every small file costs this"));
        for (char **a = b->assessment; a && *a; a++)
                assert_lacks(*a, "no published band");
        free_report(r);
        bench_result_free(b);
}

/* The same figures on an overlay, an NFS mount and EFS: the same answer. */
static void test_same_answer_every_kind(void **state)
{
        static const enum storage_kind kinds[] = { STORAGE_OVERLAY, STORAGE_NFS, STORAGE_EFS,
                                                   STORAGE_FSX_LUSTRE, STORAGE_LOCAL };

        for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
                struct bench_result *b = new_result();
                struct report *r = new_report(kinds[i], ENV_NONE);

                ran_md(b, 4100 * NSEC_PER_USEC);
                assert_int_equal(bench_assess(b, r), 0);
                assert_string_equal(b->summary,
                                    "Small-file work here is about 40× slower than on a local "
                                    "EBS volume: each file creation takes 4.10 ms (EBS gp3: "
                                    "~0.1 ms).");
                free_report(r);
                bench_result_free(b);
        }
}

/* EFS home in Studio Classic: move to Studio (new); no instance store is
 * mounted, so none is advised, and no EBS home exists to keep things on. */
static void test_classic_efs_advice(void **state)
{
        struct bench_result *b = new_result();
        struct report *r = new_report(STORAGE_EFS, ENV_STUDIO_CLASSIC);

        ran_md(b, 6 * NSEC_PER_MSEC);
        assert_int_equal(bench_assess(b, r), 0);
        assert_contains(b->summary, "Small-file work here is about 60× slower");
        assert_contains(b->summary, " Move to Studio (new): its spaces keep the home on an EBS "
                                    "volume.");
        assert_lacks(b->summary, "instance store");
        assert_lacks(b->summary, "Keep conda");
        assert_lacks(b->summary, "Elastic");
        free_report(r);
        bench_result_free(b);
}

/* Studio (new), the benchmarked path the domain's EFS: keep environments on
 * the EBS home and the instance store that are mounted; never "move to
 * Studio (new)" there. */
static void test_new_studio_efs_mount_advice(void **state)
{
        struct bench_result *b = new_result();
        struct report *r = new_report(STORAGE_EFS, ENV_STUDIO_NEW);

        free(r->home.mountpoint);
        r->home.mountpoint = strdup("/mnt/custom-file-systems/efs/fs-0123");
        add_mount(r, STORAGE_EBS, "/home/sagemaker-user");
        ran_md(b, 5 * NSEC_PER_MSEC);
        assert_int_equal(bench_assess(b, r), 0);
        assert_contains(b->summary, " Keep conda environments and git checkouts on the EBS "
                                    "volume at /home/sagemaker-user.");
        assert_lacks(b->summary, "instance store");
        assert_lacks(b->summary, "Move to Studio");
        bench_result_free(b);

        b = new_result();
        add_mount(r, STORAGE_INSTANCE_STORE, "/mnt/sagemaker-nvme");
        add_mount(r, STORAGE_LOCAL, "/tmp");
        ran_md(b, 5 * NSEC_PER_MSEC);
        assert_int_equal(bench_assess(b, r), 0);
        assert_contains(b->summary, " Keep conda environments and git checkouts on the EBS "
                                    "volume at /home/sagemaker-user or /tmp or the instance "
                                    "store at /mnt/sagemaker-nvme (wiped when the app "
                                    "restarts).");
        free_report(r);
        bench_result_free(b);
}

/* A slow stream: Elastic throughput only on EFS, only when throughput is what
 * was slow. */
static void test_elastic_only_for_efs_throughput(void **state)
{
        struct bench_result *b = new_result();
        struct report *r = new_report(STORAGE_EFS, ENV_STUDIO_NEW);

        ran_seq(&b->m.w[BENCH_SEQ_WRITE], 2 << 20);
        ran_seq(&b->m.w[BENCH_SEQ_READ], 3 << 20);
        assert_int_equal(bench_assess(b, r), 0);
        assert_contains(b->summary, "Reading and writing large files here is about 65× slower "
                                    "than on a local EBS volume: the sequential stream runs at "
                                    "2.0 MiB/s (EBS gp3: 125 MiB/s baseline).");
        assert_contains(b->summary, " Switch the file system to Elastic throughput");
        assert_true(has_assessment(b, "seq_write 2.0 MiB/s: under the 100 MiB/s an EFS file "
                                      "system bursts to"));
        free_report(r);
        bench_result_free(b);

        b = new_result();
        r = new_report(STORAGE_NFS, ENV_STUDIO_NEW);
        ran_seq(&b->m.w[BENCH_SEQ_WRITE], 2 << 20);
        assert_int_equal(bench_assess(b, r), 0);
        assert_lacks(b->summary, "Elastic");
        bench_result_free(b);

        /* EFS whose small files are what is slow: no Elastic advice */
        b = new_result();
        r->home.kind = STORAGE_EFS;
        ran_md(b, 5 * NSEC_PER_MSEC);
        ran_seq(&b->m.w[BENCH_SEQ_WRITE], 2 << 20);
        assert_int_equal(bench_assess(b, r), 0);
        assert_contains(b->summary, "Small-file work");
        assert_lacks(b->summary, "Elastic");
        free_report(r);
        bench_result_free(b);
}

/* EBS: gp2 (from the volume's size) and gp3 judged both. */
static void test_gp2_gp3_fit(void **state)
{
        static const struct {
                uint64_t gib, bps;
                const char *want;
        } cases[] = {
                /* 5 GiB gp2 out of credits: 100 IOPS × 256 KiB */
                { 5, 25 << 20,
                  "seq_write 25.0 MiB/s: fits a 5 GiB gp2 volume out of burst credits (100 IOPS "
                  "× 256 KiB = 25.0 MiB/s)" },
                { 5, 125 << 20,
                  "seq_write 125.0 MiB/s: fits gp3's 125 MiB/s baseline and a 5 GiB gp2 volume "
                  "bursting (128.0 MiB/s)" },
                /* 1,000 GiB gp2: 3,000 IOPS baseline, 250 MiB/s */
                { 1000, 250 << 20,
                  "seq_write 250.0 MiB/s: fits a 1000 GiB gp2 volume bursting "
                  "(250.0 MiB/s)" },
                { 5, 600 << 20,
                  "seq_write 600.0 MiB/s: above gp3's 125 MiB/s baseline and a 5 GiB gp2 "
                  "volume's 128.0 MiB/s: a volume with provisioned throughput" },
                { 100, 10 << 20,
                  "seq_write 10.0 MiB/s: below gp3's 125 MiB/s and even a 100 GiB gp2 volume's "
                  "baseline of 75.0 MiB/s" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct bench_result *b = new_result();
                struct report *r = new_report(STORAGE_EBS, ENV_STUDIO_NEW);

                r->home.device = calloc(1, sizeof(*r->home.device));
                assert_non_null(r->home.device);
                r->home.device->size_bytes = cases[i].gib << 30;
                ran_seq(&b->m.w[BENCH_SEQ_WRITE], cases[i].bps);
                assert_int_equal(bench_assess(b, r), 0);
                if (!has_assessment(b, cases[i].want))
                        fail_msg("case %zu: no \"%s\" in \"%s\"", i, cases[i].want,
                                 b->assessment && b->assessment[0] ? b->assessment[0] : "");
                free_report(r);
                bench_result_free(b);
        }

        /* 5 GiB gp2 out of credits caps even queue-depth-1 reads at 100 IOPS */
        {
                struct bench_result *b = new_result();
                struct report *r = new_report(STORAGE_EBS, ENV_STUDIO_NEW);

                r->home.size_bytes = UINT64_C(5) << 30;
                ran_rand(&b->m.w[BENCH_RAND_READ], 10 * NSEC_PER_MSEC, 12 * NSEC_PER_MSEC);
                assert_int_equal(bench_assess(b, r), 0);
                assert_true(has_assessment(b, "rand_read_4k 100 IOPS (p50 10.00 ms): fits a 5 GiB "
                                              "gp2 volume out of burst credits (100 IOPS "
                                              "baseline); gp3 gives 3000"));
                free_report(r);
                bench_result_free(b);
        }
}

/* Nothing slow: one sentence that says so, no advice. */
static void test_fine_summary(void **state)
{
        struct bench_result *b = new_result();
        struct report *r = new_report(STORAGE_EBS, ENV_STUDIO_CLASSIC);

        add_mount(r, STORAGE_INSTANCE_STORE, "/mnt/sagemaker-nvme");
        ran_md(b, 30 * NSEC_PER_USEC);
        ran_seq(&b->m.w[BENCH_SEQ_WRITE], 200 << 20);
        assert_int_equal(bench_assess(b, r), 0);
        assert_string_equal(b->summary, "Storage here is not what makes work slow: each file "
                                        "creation takes 30 µs (EBS gp3: ~0.1 ms).");
        free_report(r);
        bench_result_free(b);

        b = new_result();
        assert_int_equal(bench_assess(b, NULL), 0);
        assert_null(b->summary);
        bench_result_free(b);
}

/* The summary opens the benchmark's part: first line of the text section,
 * the JSON's "summary", an EMF property (not a metric). */
static void test_summary_rendered(void **state)
{
        struct bench_result *b = new_result();
        struct report *r = new_report(STORAGE_UNKNOWN, ENV_NONE);
        char *t, *buf = NULL;
        size_t len = 0;
        FILE *f;
        cJSON *j, *metrics;

        ran_md(b, 1040 * NSEC_PER_USEC);
        assert_int_equal(bench_assess(b, r), 0);
        t = render_text(b);
        assert_non_null(strstr(t, "test file 256.0 MiB)\n  Small-file work here is about 10× "
                                  "slower"));
        free(t);
        j = render_json(b);
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
                                    cJSON_GetObjectItem(j, "benchmark"), "summary")),
                            b->summary);
        assert_string_equal(cJSON_GetObjectItem(j, "benchmark")->child->string, "summary");
        cJSON_Delete(j);

        r->bench = b;
        f = open_memstream(&buf, &len);
        assert_non_null(f);
        assert_int_equal(render_emf(f, r, 1), 0);
        fclose(f);
        j = cJSON_Parse(buf);
        assert_non_null(j);
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "BenchmarkSummary")),
                            b->summary);
        metrics = cJSON_GetObjectItem(
                cJSON_GetArrayItem(
                        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "_aws"), "CloudWatchMetrics"),
                        0),
                "Metrics");
        for (cJSON *m = metrics ? metrics->child : NULL; m; m = m->next)
                assert_lacks(cJSON_GetStringValue(cJSON_GetObjectItem(m, "Name")), "Summary");
        cJSON_Delete(j);
        free(buf);
        free_report(r); /* frees b */
}

/* json_add_u64() writes integers as raw literals, exact past 2^53. */
static uint64_t raw_u64(const cJSON *j)
{
        assert_true(cJSON_IsRaw(j));
        return strtoull(j->valuestring, NULL, 10);
}

static char *render_format(const struct bench_result *b, bool emf)
{
        struct report r;
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        assert_non_null(f);
        report_init(&r);
        r.bench = (struct bench_result *)b;
        assert_int_equal(emf ? render_emf(f, &r, 1) : render_prometheus(f, &r), 0);
        r.bench = NULL;
        report_done(&r);
        fclose(f);
        return buf;
}

/* Hand-built distributions of 10 to 1,000 samples whose every field holds a
 * number: a percentile with fewer samples than it needs is shown as not
 * measured in every format, with the count beside it, and no verdict rests
 * on it. */
static void test_samples_behind_percentiles(void **state)
{
        static const uint64_t counts[] = { 10, 99, 100, 999, 1000 };

        for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
                uint64_t n = counts[i];
                bool p99 = n >= 100, p999 = n >= 1000;
                struct bench_result *b = new_result();
                struct report *r = new_report(STORAGE_EBS, ENV_NONE);
                struct bench_workload *x = &b->m.w[BENCH_SYNC_WRITE];
                cJSON *j, *lat;
                char *t, want[64];

                ran_rand(x, 5 * NSEC_PER_MSEC, 12 * NSEC_PER_MSEC);
                x->ops = x->latency.n = n;
                assert_int_equal(bench_assess(b, r), 0);
                free_report(r);
                assert_int_equal(has_assessment(b, "sync_write_4k p99"), p99);

                t = render_text(b);
                snprintf(want, sizeof(want), "  (%" PRIu64 " samples)\n", n);
                assert_non_null(strstr(t, want));
                assert_int_equal(strstr(t, "p99 12.00 ms") != NULL, p99);
                assert_int_equal(strstr(t, "p99 —") != NULL, !p99);
                assert_int_equal(strstr(t, "p99.9 12.00 ms") != NULL, p999);
                assert_int_equal(strstr(t, "p99.9 —") != NULL, !p999);
                free(t);

                j = render_json(b);
                lat = cJSON_GetObjectItem(
                        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "benchmark"), "sync_write_4k"),
                        "latency_ns");
                assert_int_equal(raw_u64(cJSON_GetObjectItem(lat, "samples")), n);
                assert_int_equal(cJSON_IsNull(cJSON_GetObjectItem(lat, "p99")), !p99);
                assert_int_equal(cJSON_IsNull(cJSON_GetObjectItem(lat, "p999")), !p999);
                assert_true(cJSON_IsRaw(cJSON_GetObjectItem(lat, "p90")));
                assert_true(cJSON_IsRaw(cJSON_GetObjectItem(lat, "p50")));
                cJSON_Delete(j);

                t = render_format(b, true);
                snprintf(want, sizeof(want), "\"SyncWrite4kSamples\":%" PRIu64 ",", n);
                assert_non_null(strstr(t, want));
                assert_int_equal(strstr(t, "\"SyncWrite4kP99\"") != NULL, p99);
                assert_non_null(strstr(t, "\"SyncWrite4kP50\""));
                free(t);

                t = render_format(b, false);
                snprintf(want, sizeof(want),
                         "studio_probe_bench_latency_samples{workload=\"sync_write_4k\"} %" PRIu64
                         "\n",
                         n);
                assert_non_null(strstr(t, want));
                assert_int_equal(strstr(t, "sync_write_4k\",quantile=\"0.99\"}") != NULL, p99);
                assert_int_equal(strstr(t, "sync_write_4k\",quantile=\"0.999\"}") != NULL, p999);
                assert_non_null(strstr(t, "sync_write_4k\",quantile=\"0.5\"}"));
                free(t);
                bench_result_free(b);
        }
}

/* The metadata line counts the small files, and says when the create pass's
 * share of the budget ended it before the planned count. */
static void test_metadata_count(void **state)
{
        struct bench_result *b = new_result();
        struct bench_workload *c = &b->m.w[BENCH_MD_CREATE];
        cJSON *j, *md;
        char *t;

        ran_rand(c, 50 * NSEC_PER_USEC, 200 * NSEC_PER_USEC);
        c->ops = c->latency.n = 170;
        c->warmup_ops = 1;
        c->budget_ns = 800 * NSEC_PER_MSEC;
        b->m.md_files = 171;
        t = render_text(b);
        assert_non_null(strstr(t, "  metadata      171 of 1001 files of 4 KiB: create's 800 ms "
                                  "share ran out\n"));
        free(t);
        j = render_json(b);
        md = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "benchmark"), "metadata");
        assert_int_equal(raw_u64(cJSON_GetObjectItem(md, "files")), 171);
        assert_int_equal(raw_u64(cJSON_GetObjectItem(md, "files_planned")), BENCH_MD_MAX_FILES);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(md, "stopped_by_time")));
        cJSON_Delete(j);

        b->m.md_files = BENCH_MD_MAX_FILES;
        t = render_text(b);
        assert_non_null(strstr(t, "  metadata      1001 files of 4 KiB\n"));
        free(t);
        bench_result_free(b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_failed_before_first_sample),
                cmocka_unit_test(test_nothing_ran),
                cmocka_unit_test(test_wording_per_kind),
                cmocka_unit_test(test_efs_sync_write_advice),
                cmocka_unit_test(test_killed),
                cmocka_unit_test(test_metadata_bounded),
                cmocka_unit_test(test_slow_fuse_small_files),
                cmocka_unit_test(test_same_answer_every_kind),
                cmocka_unit_test(test_classic_efs_advice),
                cmocka_unit_test(test_new_studio_efs_mount_advice),
                cmocka_unit_test(test_elastic_only_for_efs_throughput),
                cmocka_unit_test(test_gp2_gp3_fit),
                cmocka_unit_test(test_fine_summary),
                cmocka_unit_test(test_summary_rendered),
                cmocka_unit_test(test_samples_behind_percentiles),
                cmocka_unit_test(test_metadata_count),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
