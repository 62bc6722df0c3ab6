/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "model.h"
#include "classify/verdict.h"
#include "core/strutil.h"

/* Published bands, docs.aws.amazon.com (see ../shared/bench-method.md §4):
 * gp3 baseline 3,000 IOPS and 125 MiB/s, "single-digit millisecond latency";
 * EFS General Purpose "as low as 250 µs read / 2.7 ms write" (best case);
 * EFS Bursting at least 100 MiB/s while it has credits. */
#define GP3_BPS (UINT64_C(125) << 20)
#define GP3_IOPS 3000
#define EBS_SLOW_NS (10 * NSEC_PER_MSEC)
#define EFS_READ_NS (250 * NSEC_PER_USEC)
#define EFS_WRITE_NS (2700 * NSEC_PER_USEC)
#define EFS_BURST_BPS (UINT64_C(100) << 20)
/* No EBS or EFS read is served this fast: below it a cache answered (the page
 * cache, the device's or the NFS client's), not the storage. */
#define CACHE_HIT_NS (100 * NSEC_PER_USEC)
#define NVME_READ_NS (100 * NSEC_PER_USEC)

static const char *rate(char *buf, size_t len, uint64_t bps)
{
        char b[32];

        snprintf(buf, len, "%s/s", format_bytes(b, sizeof(b), bps));
        return buf;
}

/* A random read faster than the storage can answer one. */
static int say_cache_hit(char ***v, const char *p50, const char *than, const char *likely)
{
        return strv_extendf(v, "rand_read_4k p50 %s: faster than %s; likely %s", p50, than, likely);
}

static const struct bench_workload *ran(const struct bench_result *b, enum bench_workload_id w)
{
        const struct bench_workload *x = &b->m.w[w];

        return x->ran && x->ops > 0 ? x : NULL;
}

/* U64_UNSET when too few samples give a p99: no sentence rests on it then. */
static uint64_t p99_of(const struct bench_workload *x)
{
        return bench_latency_measured(&x->latency).p99;
}

static int assess_ebs(char ***v, const struct bench_result *b)
{
        const struct bench_workload *x;
        char r[32], l[32], l2[32];
        int k = 0;

        for (int w = BENCH_SEQ_WRITE; w <= BENCH_SEQ_READ && k >= 0; w++) {
                if (!(x = ran(b, w)))
                        continue;
                double f = (double)x->per_second / (double)GP3_BPS;
                rate(r, sizeof(r), x->per_second);
                if (f >= 0.9)
                        k = strv_extendf(v, "%s %s: at or above gp3's 125 MiB/s baseline",
                                         bench_workload_to_string(w), r);
                else if (f >= 0.5)
                        k = strv_extendf(v,
                                         "%s %s: below gp3's 125 MiB/s baseline (a gp2 volume, "
                                         "or the instance's EBS bandwidth)",
                                         bench_workload_to_string(w), r);
                else
                        k = strv_extendf(
                                v,
                                "%s %s: under half of gp3's 125 MiB/s baseline: a sign of "
                                "throttling (gp2 out of burst credits, instance EBS limit) "
                                "or of a volume still initializing from a snapshot",
                                bench_workload_to_string(w), r);
        }
        if (k >= 0 && (x = ran(b, BENCH_RAND_READ))) {
                format_ns(l, sizeof(l), x->latency.p50);
                if (x->latency.p50 < CACHE_HIT_NS)
                        k = say_cache_hit(v, l, "EBS serves a read", "cache hits, not the volume");
                else
                        k = strv_extendf(v,
                                         "rand_read_4k %" PRIu64 " IOPS at queue depth 1 (p50 %s): "
                                         "one request at a time gives 1/latency; gp3's %d IOPS "
                                         "need parallel I/O",
                                         x->per_second, l, GP3_IOPS);
                if (k >= 0 && p99_of(x) != U64_UNSET && x->latency.p99 > EBS_SLOW_NS)
                        k = strv_extendf(v,
                                         "rand_read_4k p99 %s: beyond EBS's single-digit "
                                         "millisecond latency: throttling or first-touch reads",
                                         format_ns(l2, sizeof(l2), x->latency.p99));
        }
        if (k >= 0 && (x = ran(b, BENCH_SYNC_WRITE)) && p99_of(x) != U64_UNSET) {
                format_ns(l, sizeof(l), x->latency.p99);
                if (x->latency.p99 > EBS_SLOW_NS)
                        k = strv_extendf(v,
                                         "sync_write_4k p99 %s: beyond EBS's single-digit "
                                         "millisecond latency: the volume is throttled or busy",
                                         l);
                else
                        k = strv_extendf(v,
                                         "sync_write_4k p99 %s: in line with EBS's single-digit "
                                         "millisecond latency",
                                         l);
        }
        return k;
}

static int assess_nfs(char ***v, const struct bench_result *b, bool efs)
{
        const char *what = efs ? "EFS's best case" : "EFS's best case, for scale";
        const struct bench_workload *x;
        char l[32], r[32];
        int k = 0;

        if ((x = ran(b, BENCH_RAND_READ))) {
                double f = (double)x->latency.p50 / (double)EFS_READ_NS;
                format_ns(l, sizeof(l), x->latency.p50);
                if (x->latency.p50 < CACHE_HIT_NS)
                        k = say_cache_hit(v, l, "a network round trip",
                                          "the client's cache answered");
                else if (f <= 2.0)
                        k = strv_extendf(v, "rand_read_4k p50 %s: in line with %s of ~250 µs", l,
                                         what);
                else
                        k = strv_extendf(v, "rand_read_4k p50 %s: %.1f× %s of ~250 µs", l, f, what);
        }
        if (k >= 0 && (x = ran(b, BENCH_SYNC_WRITE)) && p99_of(x) != U64_UNSET) {
                double f = (double)x->latency.p99 / (double)EFS_WRITE_NS;
                format_ns(l, sizeof(l), x->latency.p99);
                if (f <= 1.5)
                        k = strv_extendf(v, "sync_write_4k p99 %s: in line with %s of ~2.7 ms", l,
                                         what);
                else if (f < 4.0)
                        k = strv_extendf(v, "sync_write_4k p99 %s: %.1f× %s of ~2.7 ms", l, f,
                                         what);
                else
                        k = strv_extendf(v,
                                         "sync_write_4k p99 %s: %.0f× %s of ~2.7 ms; keep virtual "
                                         "environments and git checkouts on /tmp or the EBS home",
                                         l, f, what);
        }
        if (k >= 0 && (x = ran(b, BENCH_MD_CREATE)) && x->latency.p50 >= NSEC_PER_MSEC)
                k = strv_extendf(v,
                                 "create p50 %s: every small file costs a round trip; pip, conda "
                                 "and git (thousands of files) will be slow here",
                                 format_ns(l, sizeof(l), x->latency.p50));
        for (int w = BENCH_SEQ_WRITE; w <= BENCH_SEQ_READ && k >= 0 && efs; w++)
                if ((x = ran(b, w)) && x->per_second < EFS_BURST_BPS)
                        k = strv_extendf(v,
                                         "%s %s: under the 100 MiB/s an EFS file system bursts "
                                         "to: Bursting throughput out of credits, or a small "
                                         "file system's baseline",
                                         bench_workload_to_string(w),
                                         rate(r, sizeof(r), x->per_second));
        return k;
}

/* what: "local disk", "overlay file system", "file system" (kind unknown, e.g.
 * FUSE): a verdict must not call a network file system a local disk. */
static int assess_local(char ***v, const struct bench_result *b, bool nvme, const char *what)
{
        const struct bench_workload *x;
        char l[32];
        int k = 0;

        if ((x = ran(b, BENCH_RAND_READ))) {
                format_ns(l, sizeof(l), x->latency.p50);
                if (nvme)
                        k = strv_extendf(
                                v,
                                "rand_read_4k p50 %s: %s NVMe instance store's usual "
                                "under 100 µs",
                                l, x->latency.p50 <= NVME_READ_NS ? "in line with" : "slower than");
                else
                        k = strv_extendf(v,
                                         "rand_read_4k p50 %s: no published band for this %s; "
                                         "compare with EBS gp3 (sub-millisecond to "
                                         "single-digit ms) and EFS (~250 µs best case)",
                                         l, what);
        }
        return k;
}

int bench_assess(struct bench_result *b, const struct storage *s)
{
        char ***v = &b->assessment;
        const struct bench_workload *x;
        char a[32], c[32];
        int k = 0;

        if (b->m.fs_magic == 0x01021994 || (s && s->kind == STORAGE_TMPFS))
                k = strv_extendf(v, "tmpfs: these figures measure memory, not storage, and "
                                    "nothing here survives a restart");
        else if (s && s->kind == STORAGE_EBS)
                k = assess_ebs(v, b);
        else if (s && s->kind == STORAGE_EFS)
                k = assess_nfs(v, b, true);
        else if (s && (s->kind == STORAGE_NFS || s->kind == STORAGE_FSX_LUSTRE))
                k = assess_nfs(v, b, false);
        else if (s && s->kind == STORAGE_INSTANCE_STORE)
                k = assess_local(v, b, true, "instance store");
        else if (s && s->kind == STORAGE_S3)
                k = strv_extendf(v, "Amazon S3 through FUSE: these figures measure requests to "
                                    "S3 over the network; no disk band applies");
        else
                k = assess_local(v, b, false,
                                 !s || s->kind == STORAGE_UNKNOWN ? "file system"
                                 : s->kind == STORAGE_OVERLAY     ? "overlay file system"
                                                                  : "local disk");
        if (k >= 0 && s && s->kind == STORAGE_INSTANCE_STORE)
                k = strv_extendf(v, "instance store is ephemeral: fast, but wiped when the "
                                    "app or instance restarts");
        if (k >= 0 && !b->m.direct_io && b->m.w[BENCH_SEQ_WRITE].ran)
                k = strv_extendf(v,
                                 "O_DIRECT was not used (%s): reads were buffered after "
                                 "POSIX_FADV_DONTNEED and may still be served from a cache",
                                 b->m.direct_note[0] ? b->m.direct_note : "not supported");
        if (k >= 0 && (x = ran(b, BENCH_SEQ_WRITE)) &&
            b->m.file_written_bytes < b->m.file_size_bytes && !b->m.interrupted)
                k = strv_extendf(v,
                                 "the time budget allowed %s of the planned %s test file; later "
                                 "workloads used that part",
                                 format_bytes(a, sizeof(a), b->m.file_written_bytes),
                                 format_bytes(c, sizeof(c), b->m.file_size_bytes));
        /* bench_plan_md(): the small files get what half the free space and
         * inodes leave after the test file. */
        if (k >= 0 && b->m.md_planned < BENCH_MD_MAX_FILES && b->m.w[BENCH_SYNC_WRITE].complete) {
                char n[32] = "uncounted";

                if (b->m.free_inodes != U64_UNSET)
                        snprintf(n, sizeof(n), "%" PRIu64, b->m.free_inodes);
                if (b->m.md_planned == 0)
                        k = strv_extendf(v,
                                         "metadata workload skipped: %s free and %s free inodes "
                                         "leave no room for its small files (a run takes at "
                                         "most half of either)",
                                         format_bytes(a, sizeof(a), b->m.free_bytes), n);
                else
                        k = strv_extendf(v,
                                         "metadata workload limited to %" PRIu64 " small files: "
                                         "%s free and %s free inodes (a run takes at most half "
                                         "of either)",
                                         b->m.md_planned,
                                         format_bytes(a, sizeof(a), b->m.free_bytes), n);
        }
        if (k >= 0 && b->m.interrupted)
                k = strv_extendf(v, "interrupted: the figures cover only what ran");
        if (k >= 0 && b->m.timed_out)
                k = strv_extendf(v, "the file system stopped answering: the benchmark was "
                                    "abandoned");
        return k < 0 ? -ENOMEM : 0;
}
