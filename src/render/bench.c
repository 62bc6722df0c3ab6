/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "report-keys.h"
#include "core/libc-compat.h"
#include "core/json.h"
#include "render/bench.h"
#include "core/strutil.h"

/* No sample (the workload failed or was stopped first): null, not zeros. A
 * percentile with too few samples behind it is null too, beside the count. */
static bool add_latency(cJSON *o, const struct bench_latency *measured)
{
        struct bench_latency l = bench_latency_measured(measured);
        cJSON *j;

        if (l.n == 0)
                return cJSON_AddNullToObject(o, RK_LATENCY_NS);
        j = cJSON_AddObjectToObject(o, RK_LATENCY_NS);

        return j && json_add_u64(j, "min", l.min) && json_add_u64(j, "mean", l.mean) &&
               json_add_u64(j, RK_P50, l.p50) && json_add_u64(j, "p90", l.p90) &&
               json_add_u64(j, RK_P99, l.p99) && json_add_u64(j, "p999", l.p999) &&
               json_add_u64(j, "max", l.max) && json_add_u64(j, "samples", l.n);
}

/* Not run (interrupted before it, or an earlier failure): null. */
static cJSON *workload(cJSON *o, const char *key, const struct bench_workload *x)
{
        cJSON *j;

        if (!x->ran)
                return cJSON_AddNullToObject(o, key) ? o : NULL;
        j = cJSON_AddObjectToObject(o, key);
        if (!j || !json_add_u64(j, "ops", x->ops) ||
            !json_add_u64(j, "elapsed_ns", x->elapsed_ns) ||
            !json_add_u64(j, "budget_ns", x->budget_ns) ||
            !cJSON_AddBoolToObject(j, "complete", x->complete))
                return NULL;
        return j;
}

static bool add_seq(cJSON *o, const char *key, const struct bench_workload *x)
{
        cJSON *j = workload(o, key, x);

        if (!j)
                return false;
        if (!x->ran)
                return true;
        return json_add_u64(j, RK_BYTES_PER_SECOND, x->per_second) &&
               json_add_u64(j, "bytes", x->bytes) &&
               cJSON_AddBoolToObject(j, "direct", x->direct) &&
               /* Per 1 MiB call, comparable with fio's clat of a bs=1M job: a throughput
                * gap then shows whether the calls or the time between them differ. */
               add_latency(j, &x->latency);
}

static bool add_rand(cJSON *o, const char *key, const struct bench_workload *x, bool dsync)
{
        cJSON *j = workload(o, key, x);

        if (!j)
                return false;
        if (!x->ran)
                return true;
        return json_add_u64(j, "iops", x->per_second) &&
               json_add_u64(j, "warmup_ops", x->warmup_ops) &&
               cJSON_AddBoolToObject(j, "direct", x->direct) &&
               (!dsync || cJSON_AddBoolToObject(j, "o_dsync", true)) && add_latency(j, &x->latency);
}

static bool add_md_op(cJSON *o, const char *key, const struct bench_workload *x)
{
        cJSON *j = workload(o, key, x);

        if (!j)
                return false;
        if (!x->ran)
                return true;
        return json_add_u64(j, "per_second", x->per_second) &&
               json_add_u64(j, "warmup_ops", x->warmup_ops) && add_latency(j, &x->latency);
}

/* The create pass made fewer files than planned because its time share ran
 * out, not because of an error or a signal. */
static bool md_short_of_time(const struct bench_measure *m)
{
        return m->w[BENCH_MD_CREATE].ran && m->w[BENCH_MD_CREATE].complete &&
               m->md_files < m->md_planned;
}

/* Where the wall time went: the workloads' parts (the metadata pass's three
 * as one), the setup and the cleanup, which add up to elapsed_ns. NULL names:
 * the end. */
static const char *budget_part(const struct bench_measure *m, int i, uint64_t *ns)
{
        static const char *const names[] = { "probe",    "setup",        "seq_write",
                                             "seq_read", "rand_read_4k", "sync_write_4k",
                                             "metadata", "cleanup" };

        if ((size_t)i >= ARRAY_SIZE(names))
                return NULL;
        if (i == 0)
                *ns = m->probe_ns;
        else if (i == 1)
                *ns = m->setup_ns;
        else if (i == 7)
                *ns = m->cleanup_ns;
        else if (i < 6)
                *ns = m->w[i - 2].ran ? m->w[i - 2].spent_ns : U64_UNSET;
        else
                *ns = m->w[BENCH_MD_CREATE].ran
                              ? m->w[BENCH_MD_CREATE].spent_ns + m->w[BENCH_MD_STAT].spent_ns +
                                        m->w[BENCH_MD_UNLINK].spent_ns
                              : U64_UNSET;
        return names[i];
}

/* budget_split_ns: the wall time by part, summing to elapsed_ns; the
 * probe, setup and cleanup also as setup_and_cleanup, their sum (the key of
 * schema_version 1). */
static bool add_budget(cJSON *o, const struct bench_measure *m)
{
        cJSON *j = cJSON_AddObjectToObject(o, "budget_split_ns");
        uint64_t ns;
        const char *name;

        if (!j)
                return false;
        for (int i = 0; (name = budget_part(m, i, &ns)); i++)
                if (!json_add_u64(j, name, ns))
                        return false;
        return json_add_u64(j, "setup_and_cleanup", m->probe_ns + m->setup_ns + m->cleanup_ns);
}

/* "pwrite in seq_write: File too large", "killed by SIGKILL in seq_read";
 * empty when the run did not fail. setup names the setup stage, or NULL. */
static void bench_error_string(const struct bench_measure *m, const char *setup, char *buf,
                               size_t len)
{
        const char *w = m->err_workload >= 0 ? bench_workload_to_string(m->err_workload) : setup;

        buf[0] = '\0';
        if (m->killed_by)
                snprintf(buf, len, "killed by SIG%s in %s",
                         signal_abbrev(m->killed_by) ? signal_abbrev(m->killed_by) : "?",
                         w ? w : "setup");
        else if (m->err)
                snprintf(buf, len, "%s%s%s: %s", m->err_call, w ? " in " : "", w ? w : "",
                         strerror(-m->err));
}

/* Estimates in seconds to the millisecond: more digits would claim a
 * precision an estimate has not. */
static double est_round(double s)
{
        double ms = s * 1000.0;

        /* round(): half away from zero */
        return (ms >= 0 ? json_floor(ms + 0.5) : -json_floor(0.5 - ms)) / 1000.0;
}

static bool add_estimates(cJSON *o, const struct bench_result *b)
{
        cJSON *a = cJSON_AddArrayToObject(o, "estimates");

        if (!a)
                return false;
        for (size_t i = 0; i < b->n_estimates; i++) {
                const struct bench_estimate *e = &b->estimates[i];
                cJSON *x = cJSON_CreateObject(), *ref;

                if (!x)
                        return false;
                cJSON_AddItemToArray(a, x);
                ref = NULL;
                if (!json_add_string(x, "task", e->task) ||
                    !json_add_u64(x, "operations", e->operations) ||
                    !cJSON_AddNumberToObject(x, "seconds", est_round(e->seconds)) ||
                    !(ref = cJSON_AddObjectToObject(x, "reference_seconds")) ||
                    !cJSON_AddNumberToObject(ref, "ebs_gp3", est_round(e->ref_ebs_gp3)) ||
                    !cJSON_AddNumberToObject(ref, "efs", est_round(e->ref_efs)))
                        return false;
        }
        return true;
}

/* Replayed from a bundle (collect --bench): when it ran, ISO 8601 UTC. Only
 * then: a live run's benchmark is this report's own. */
static bool add_recorded(cJSON *j, const struct bench_result *b)
{
        char buf[32];

        return !b->recorded_at ||
               cJSON_AddStringToObject(j, "recorded_at",
                                       format_iso8601(buf, sizeof(buf), b->recorded_at));
}

bool bench_to_json(cJSON *root, const struct bench_result *b)
{
        const struct bench_measure *m;
        cJSON *j, *md, *a;
        char err[160] = "";

        if (!b)
                return true;
        m = &b->m;
        j = cJSON_AddObjectToObject(root, RK_BENCHMARK);
        if (!j)
                return false;
        bench_error_string(m, NULL, err, sizeof(err));
        if (!json_add_string(j, "summary", b->summary) ||
            !json_add_string(j, RK_BENCH_PATH, b->path) ||
            !cJSON_AddBoolToObject(j, "direct_io", m->direct_io) ||
            !json_add_u64(j, "file_size_bytes", m->file_size_bytes) ||
            !json_add_u64(j, "file_written_bytes", m->file_written_bytes) ||
            !json_add_u64(j, "elapsed_ns", m->elapsed_ns) ||
            !json_add_u64(j, "budget_ns", m->budget_ns) || !add_budget(j, m) ||
            !json_add_u64(j, "statfs_type", m->fs_magic) ||
            !json_add_u64(j, "dio_mem_align", m->dio_align_known ? m->dio_mem_align : U64_UNSET) ||
            !json_add_u64(j, "dio_offset_align",
                          m->dio_align_known ? m->dio_offset_align : U64_UNSET) ||
            !json_add_string(j, "direct_io_note", m->direct_note[0] ? m->direct_note : NULL) ||
            !json_add_string(j, "clocksource", b->clocksource) ||
            !cJSON_AddBoolToObject(j, "interrupted", m->interrupted) ||
            !cJSON_AddBoolToObject(j, "timed_out", m->timed_out) ||
            !json_add_string(j, "error", err[0] ? err : NULL) ||
            !json_add_string(j, "leftover", b->leftover) ||
            !add_seq(j, bench_workload_to_string(BENCH_SEQ_WRITE), &m->w[BENCH_SEQ_WRITE]) ||
            !add_seq(j, bench_workload_to_string(BENCH_SEQ_READ), &m->w[BENCH_SEQ_READ]) ||
            !add_rand(j, bench_workload_to_string(BENCH_RAND_READ), &m->w[BENCH_RAND_READ],
                      false) ||
            !add_rand(j, bench_workload_to_string(BENCH_SYNC_WRITE), &m->w[BENCH_SYNC_WRITE], true))
                return false;
        if (!m->w[BENCH_MD_CREATE].ran) {
                if (!cJSON_AddNullToObject(j, RK_METADATA))
                        return false;
        } else {
                md = cJSON_AddObjectToObject(j, RK_METADATA);
                if (!md || !json_add_u64(md, "files", m->md_files) ||
                    !json_add_u64(md, "files_planned", m->md_planned) ||
                    !cJSON_AddBoolToObject(md, "stopped_by_time", md_short_of_time(m)) ||
                    !json_add_u64(md, "file_bytes", 4096) ||
                    !add_md_op(md, bench_workload_to_string(BENCH_MD_CREATE),
                               &m->w[BENCH_MD_CREATE]) ||
                    !add_md_op(md, bench_workload_to_string(BENCH_MD_STAT), &m->w[BENCH_MD_STAT]) ||
                    !add_md_op(md, bench_workload_to_string(BENCH_MD_UNLINK),
                               &m->w[BENCH_MD_UNLINK]))
                        return false;
        }
        if (!add_recorded(j, b))
                return false;
        a = cJSON_AddArrayToObject(j, "assessment");
        if (!a)
                return false;
        for (char **s = b->assessment; s && *s; s++) {
                char *clean = utf8_sanitize(*s);
                cJSON *item = clean ? cJSON_CreateString(clean) : NULL;
                free(clean);
                if (!item)
                        return false;
                cJSON_AddItemToArray(a, item);
        }
        return add_estimates(j, b);
}

/* "—" for a percentile the samples cannot give (bench_latency_measured()). */
static const char *pct(char *buf, size_t len, uint64_t ns)
{
        return ns == U64_UNSET ? "—" : format_ns(buf, len, ns);
}

static void lat_line(FILE *f, const struct bench_latency *measured)
{
        struct bench_latency l = bench_latency_measured(measured);
        char a[32], b[32], c[32], d[32];

        if (l.n == 0) {
                fputs("no samples", f);
                return;
        }
        fprintf(f, "p50 %s  p99 %s  p99.9 %s  max %s  (%" PRIu64 " sample%s)",
                pct(a, sizeof(a), l.p50), pct(b, sizeof(b), l.p99), pct(c, sizeof(c), l.p999),
                format_ns(d, sizeof(d), l.max), l.n, l.n == 1 ? "" : "s");
}

/* How many small files, and why fewer than planned when the create pass
 * stopped on its time share (an error or an interruption says so itself). */
static void md_line(FILE *f, const struct bench_measure *m)
{
        char x[32];

        fprintf(f, "  %-14s%" PRIu64, "metadata", m->md_files);
        if (md_short_of_time(m))
                fprintf(f, " of %" PRIu64 " files of 4 KiB: create's %s share ran out\n",
                        m->md_planned, format_ns(x, sizeof(x), m->w[BENCH_MD_CREATE].budget_ns));
        else
                fputs(" files of 4 KiB\n", f);
}

static const char *est_seconds(char *buf, size_t len, double s)
{
        if (s < 0.001)
                snprintf(buf, len, "< 1 ms");
        else if (s < 1)
                snprintf(buf, len, "%.0f ms", s * 1000);
        else if (s < 10)
                snprintf(buf, len, "%.1f s", s);
        else if (s < 120)
                snprintf(buf, len, "%.0f s", s);
        else
                snprintf(buf, len, "%.1f min", s / 60);
        return buf;
}

static void estimates_text(FILE *f, const struct bench_result *b)
{
        char x[32], y[32], z[32];

        if (b->n_estimates == 0)
                return;
        fputs("  Estimated time of everyday tasks on this path (from the measured costs):\n", f);
        fprintf(f, "    %-32s %10s %10s %10s\n", "task", "here", "EBS gp3", "EFS");
        for (size_t i = 0; i < b->n_estimates; i++) {
                const struct bench_estimate *e = &b->estimates[i];

                fprintf(f, "    %-32s %10s %10s %10s\n", e->task,
                        est_seconds(x, sizeof(x), e->seconds),
                        est_seconds(y, sizeof(y), e->ref_ebs_gp3),
                        est_seconds(z, sizeof(z), e->ref_efs));
        }
}

/* A replayed benchmark says so first: its figures are the bundle's, not this
 * machine's now. */
static void recorded_line(FILE *f, const struct bench_result *b)
{
        char when[32];

        if (!b->recorded_at)
                return;
        fprintf(f, "  recorded      %s on ", format_iso8601(when, sizeof(when), b->recorded_at));
        fputs_escaped(f, strna(b->path));
        fputs(" (replayed from the bundle, not measured now)\n", f);
}

void bench_render_text(FILE *f, const struct bench_result *b, bool color)
{
        const struct bench_measure *m;
        char x[32], y[32], z[32];

        if (!b)
                return;
        m = &b->m;
        fprintf(f, "\n%sBenchmark%s (%s of %s budget, %s, test file %s)\n", color ? "\033[1m" : "",
                color ? "\033[0m" : "", format_ns(x, sizeof(x), m->elapsed_ns),
                format_ns(y, sizeof(y), m->budget_ns), m->direct_io ? "O_DIRECT" : "buffered",
                format_bytes(z, sizeof(z), m->file_written_bytes));
        recorded_line(f, b);
        if (b->summary) {
                fputs("  ", f);
                fputs_escaped(f, b->summary);
                fputc('\n', f);
        }
        for (int w = 0; w < _BENCH_MAX; w++) {
                const struct bench_workload *k = &m->w[w];

                if (!k->ran)
                        continue;
                fprintf(f, "  %-14s", bench_workload_to_string(w));
                if (w <= BENCH_SEQ_READ) {
                        fprintf(f, "%s/s", format_bytes(x, sizeof(x), k->per_second));
                        fprintf(f, "  (%" PRIu64 " × 1 MiB in %s%s)", k->ops,
                                format_ns(y, sizeof(y), k->elapsed_ns),
                                k->direct ? ", O_DIRECT" : "");
                } else {
                        if (k->latency.n > 0)
                                fprintf(f, "%" PRIu64 " %s  ", k->per_second,
                                        w <= BENCH_SYNC_WRITE ? "IOPS" : "/s");
                        lat_line(f, &k->latency);
                }
                if (!k->complete)
                        fputs("  (partial)", f);
                fputc('\n', f);
        }
        if (m->w[BENCH_MD_CREATE].ran)
                md_line(f, m);
        /* The parts of the elapsed time, which they add up to. */
        fputs("  budget        ", f);
        {
                const char *sep = "", *name;
                uint64_t ns;

                for (int i = 0; (name = budget_part(m, i, &ns)); i++)
                        if (ns != U64_UNSET) {
                                fprintf(f, "%s%s %s", sep, name, format_ns(x, sizeof(x), ns));
                                sep = " + ";
                        }
                fprintf(f, " = %s of %s\n", format_ns(x, sizeof(x), m->elapsed_ns),
                        format_ns(y, sizeof(y), m->budget_ns));
        }
        if (m->err || m->killed_by) {
                char err[160];

                bench_error_string(m, "setup", err, sizeof(err));
                fprintf(f, "  error         %s\n", err);
        }
        for (char **s = b->assessment; s && *s; s++)
                fprintf(f, "  %s*%s %s\n", color ? "\033[33m" : "", color ? "\033[0m" : "", *s);
        estimates_text(f, b);
}
