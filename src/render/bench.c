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

/* No sample (the workload failed or was stopped first): null, not zeros. */
static bool add_latency(cJSON *o, const struct bench_latency *l)
{
        cJSON *j;

        if (l->n == 0)
                return cJSON_AddNullToObject(o, RK_LATENCY_NS);
        j = cJSON_AddObjectToObject(o, RK_LATENCY_NS);

        return j && json_add_u64(j, "min", l->min) && json_add_u64(j, "mean", l->mean) &&
               json_add_u64(j, RK_P50, l->p50) && json_add_u64(j, "p90", l->p90) &&
               json_add_u64(j, RK_P99, l->p99) && json_add_u64(j, "p999", l->p999) &&
               json_add_u64(j, "max", l->max) && json_add_u64(j, "samples", l->n);
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

/* The metadata pass's three shares, reported as one. */
static uint64_t md_budget(const struct bench_measure *m)
{
        return m->w[BENCH_MD_CREATE].budget_ns + m->w[BENCH_MD_STAT].budget_ns +
               m->w[BENCH_MD_UNLINK].budget_ns;
}

static bool add_budget(cJSON *o, const struct bench_measure *m)
{
        cJSON *j = cJSON_AddObjectToObject(o, "budget_split_ns");

        if (!j)
                return false;
        for (int w = 0; w < BENCH_MD_CREATE; w++)
                if (!json_add_u64(j, bench_workload_to_string(w),
                                  m->w[w].ran ? m->w[w].budget_ns : U64_UNSET))
                        return false;
        return json_add_u64(j, "metadata", m->w[BENCH_MD_CREATE].ran ? md_budget(m) : U64_UNSET) &&
               json_add_u64(j, "setup_and_cleanup", m->budget_ns - m->workload_budget_ns);
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
        if (!json_add_string(j, RK_BENCH_PATH, b->path) ||
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
        return true;
}

static void lat_line(FILE *f, const struct bench_latency *l)
{
        char a[32], b[32], c[32], d[32];

        if (l->n == 0) {
                fputs("no samples", f);
                return;
        }
        fprintf(f, "p50 %s  p99 %s  p99.9 %s  max %s", format_ns(a, sizeof(a), l->p50),
                format_ns(b, sizeof(b), l->p99), format_ns(c, sizeof(c), l->p999),
                format_ns(d, sizeof(d), l->max));
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
                fprintf(f, "  %-14s%" PRIu64 " files of 4 KiB\n", "metadata", m->md_files);
        fputs("  budget        ", f);
        {
                const char *sep = "";
                for (int w = 0; w < BENCH_MD_CREATE; w++)
                        if (m->w[w].ran) {
                                fprintf(f, "%s%s %s", sep, bench_workload_to_string(w),
                                        format_ns(x, sizeof(x), m->w[w].budget_ns));
                                sep = ", ";
                        }
                if (m->w[BENCH_MD_CREATE].ran)
                        fprintf(f, "%smetadata %s", sep, format_ns(x, sizeof(x), md_budget(m)));
                else if (!*sep)
                        fputs("nothing ran", f);
                fputc('\n', f);
        }
        if (m->err || m->killed_by) {
                char err[160];

                bench_error_string(m, "setup", err, sizeof(err));
                fprintf(f, "  error         %s\n", err);
        }
        for (char **s = b->assessment; s && *s; s++)
                fprintf(f, "  %s*%s %s\n", color ? "\033[33m" : "", color ? "\033[0m" : "", *s);
}
