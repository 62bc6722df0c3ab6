/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "options.h"
#include "core/macro.h"
#include "core/strutil.h"
#include "probe/facts.h"
#include "probe/probe.h"

#define FACTS_MAX (4 * 1024 * 1024)
/* The largest integer every double holds exactly, and so every JSON reader. */
#define EXACT_MAX (UINT64_C(1) << 53)

DEFINE_TRIVIAL_CLEANUP_FUNC(cJSON *, cJSON_Delete)

/* Unknown values are left out. Up to 2^53 a number as the report writes it
 * (cJSON's own printer rounds past 10^15); beyond, a decimal string. */
static bool add_u64(cJSON *o, const char *key, uint64_t v)
{
        char buf[24];

        if (v == U64_UNSET)
                return true;
        if (v <= EXACT_MAX)
                return json_add_u64(o, key, v);
        snprintf(buf, sizeof(buf), "%" PRIu64, v);
        return cJSON_AddStringToObject(o, key, buf) != NULL;
}

/* The rule add_u64() writes by, checked: a number that is a whole one in
 * [0, 2^53], or a string of decimal digits that fits (parse_u64: no sign,
 * fraction, exponent or overflow). */
static bool get_u64(const cJSON *o, const char *key, uint64_t *ret)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        if (cJSON_IsString(v))
                return parse_u64(v->valuestring, ret) == 0;
        if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= (double)EXACT_MAX &&
            json_floor(v->valuedouble) == v->valuedouble) {
                *ret = (uint64_t)v->valuedouble;
                return true;
        }
        return false;
}

/* collect --bench: the measurement crosses the bundle as the engine left it
 * (struct bench_measure), one table per struct so that the writer and the
 * reader cannot disagree. A bundle comes from elsewhere: every field is
 * checked on the way back in, against the range a run can produce. */
struct u64_field {
        const char *key;
        size_t off;
        uint64_t max;
        bool optional; /* may be U64_UNSET (left out) */
};

struct bool_field {
        const char *key;
        size_t off;
};

#define U64(s, key, field, max, opt)                                                               \
        {                                                                                          \
                key, offsetof(s, field), max, opt                                                  \
        }
#define BOOL(s, key, field)                                                                        \
        {                                                                                          \
                key, offsetof(s, field)                                                            \
        }

static const struct u64_field measure_u64[] = {
        U64(struct bench_measure, "statfs_type", fs_magic, EXACT_MAX, true),
        U64(struct bench_measure, "file_size_bytes", file_size_bytes, BENCH_MAX_SIZE, false),
        U64(struct bench_measure, "file_written_bytes", file_written_bytes, BENCH_MAX_SIZE, false),
        U64(struct bench_measure, "md_files", md_files, BENCH_MD_MAX_FILES, false),
        U64(struct bench_measure, "md_planned", md_planned, BENCH_MD_MAX_FILES, false),
        U64(struct bench_measure, "free_bytes", free_bytes, EXACT_MAX, true),
        U64(struct bench_measure, "free_inodes", free_inodes, EXACT_MAX, true),
        U64(struct bench_measure, "budget_ns", budget_ns, BENCH_MAX_BUDGET_NS, false),
        U64(struct bench_measure, "workload_budget_ns", workload_budget_ns, BENCH_MAX_BUDGET_NS,
            false),
        U64(struct bench_measure, "elapsed_ns", elapsed_ns, EXACT_MAX, false),
        U64(struct bench_measure, "probe_ns", probe_ns, EXACT_MAX, false),
        U64(struct bench_measure, "setup_ns", setup_ns, EXACT_MAX, false),
        U64(struct bench_measure, "cleanup_ns", cleanup_ns, EXACT_MAX, false),
};
static const struct bool_field measure_bool[] = {
        BOOL(struct bench_measure, "interrupted", interrupted),
        BOOL(struct bench_measure, "timed_out", timed_out),
        BOOL(struct bench_measure, "dio_align_known", dio_align_known),
        BOOL(struct bench_measure, "direct_io", direct_io),
};
static const struct u64_field workload_u64[] = {
        U64(struct bench_workload, "budget_ns", budget_ns, BENCH_MAX_BUDGET_NS, false),
        U64(struct bench_workload, "elapsed_ns", elapsed_ns, EXACT_MAX, false),
        U64(struct bench_workload, "spent_ns", spent_ns, EXACT_MAX, false),
        U64(struct bench_workload, "ops", ops, EXACT_MAX, false),
        U64(struct bench_workload, "warmup_ops", warmup_ops, EXACT_MAX, false),
        U64(struct bench_workload, "bytes", bytes, EXACT_MAX, false),
        U64(struct bench_workload, "per_second", per_second, EXACT_MAX, false),
};
static const struct bool_field workload_bool[] = {
        BOOL(struct bench_workload, "complete", complete),
        BOOL(struct bench_workload, "direct", direct),
};
/* In the order they must be in: min <= p50 <= ... <= max. */
static const struct u64_field latency_u64[] = {
        U64(struct bench_latency, "min", min, EXACT_MAX, true),
        U64(struct bench_latency, "p50", p50, EXACT_MAX, true),
        U64(struct bench_latency, "p90", p90, EXACT_MAX, true),
        U64(struct bench_latency, "p99", p99, EXACT_MAX, true),
        U64(struct bench_latency, "p999", p999, EXACT_MAX, true),
        U64(struct bench_latency, "max", max, EXACT_MAX, true),
        U64(struct bench_latency, "mean", mean, EXACT_MAX, true),
        U64(struct bench_latency, "n", n, EXACT_MAX, false),
};

static bool put_fields(cJSON *o, const void *base, const struct u64_field *u, size_t nu,
                       const struct bool_field *b, size_t nb)
{
        for (size_t i = 0; i < nu; i++)
                if (!add_u64(o, u[i].key, *(const uint64_t *)((const char *)base + u[i].off)))
                        return false;
        for (size_t i = 0; i < nb; i++)
                if (!cJSON_AddBoolToObject(o, b[i].key,
                                           *(const bool *)((const char *)base + b[i].off)))
                        return false;
        return true;
}

/* NULL, or the key of the first field that is wrong. */
static const char *get_fields(const cJSON *o, void *base, const struct u64_field *u, size_t nu,
                              const struct bool_field *b, size_t nb)
{
        for (size_t i = 0; i < nu; i++) {
                uint64_t *p = (uint64_t *)((char *)base + u[i].off);

                if (u[i].optional && !cJSON_GetObjectItemCaseSensitive(o, u[i].key))
                        *p = U64_UNSET;
                else if (!get_u64(o, u[i].key, p) || *p > u[i].max)
                        return u[i].key;
        }
        for (size_t i = 0; i < nb; i++) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, b[i].key);

                if (!cJSON_IsBool(v))
                        return b[i].key;
                *(bool *)((char *)base + b[i].off) = cJSON_IsTrue(v);
        }
        return NULL;
}

static bool add_int(cJSON *o, const char *key, int v)
{
        return cJSON_AddNumberToObject(o, key, v) != NULL;
}

static bool get_int(const cJSON *o, const char *key, int min, int max, int *ret)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max ||
            json_floor(v->valuedouble) != v->valuedouble)
                return false;
        *ret = (int)v->valuedouble;
        return true;
}

/* A string of the report's own making: one line of printable UTF-8 that fits
 * buf (size len). An absent key is the empty string when may_miss. */
static bool get_text(const cJSON *o, const char *key, char *buf, size_t len, bool may_miss)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        size_t n;

        if (!v && may_miss) {
                buf[0] = '\0';
                return true;
        }
        if (!cJSON_IsString(v) || (n = strlen(v->valuestring)) >= len ||
            !utf8_is_valid(v->valuestring, n))
                return false;
        for (const char *c = v->valuestring; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        return false;
        memcpy(buf, v->valuestring, n + 1);
        return true;
}

static bool put_workloads(cJSON *j, const struct bench_measure *m)
{
        cJSON *ws = cJSON_AddObjectToObject(j, "workloads");

        if (!ws)
                return false;
        for (int w = 0; w < _BENCH_MAX; w++) {
                const struct bench_workload *x = &m->w[w];
                cJSON *o, *l;

                if (!x->ran)
                        continue;
                o = cJSON_AddObjectToObject(ws, bench_workload_to_string(w));
                l = o ? cJSON_AddObjectToObject(o, "latency_ns") : NULL;
                if (!l ||
                    !put_fields(o, x, workload_u64, ARRAY_SIZE(workload_u64), workload_bool,
                                ARRAY_SIZE(workload_bool)) ||
                    !put_fields(l, &x->latency, latency_u64, ARRAY_SIZE(latency_u64), NULL, 0))
                        return false;
        }
        return true;
}

static bool add_bench(cJSON *root, const struct report *r)
{
        const struct bench_result *b = r->bench;
        const struct bench_measure *m;
        uint64_t at;
        char when[32];
        cJSON *j;

        if (!b)
                return true;
        m = &b->m;
        at = b->recorded_at ? b->recorded_at : r->generated_at;
        j = cJSON_AddObjectToObject(root, "bench");
        return j && json_add_string(j, "path", b->path) &&
               (!b->clocksource || json_add_string(j, "clocksource", b->clocksource)) &&
               (!at ||
                cJSON_AddStringToObject(j, "ran_at", format_iso8601(when, sizeof(when), at))) &&
               put_fields(j, m, measure_u64, ARRAY_SIZE(measure_u64), measure_bool,
                          ARRAY_SIZE(measure_bool)) &&
               add_int(j, "err", m->err) && add_int(j, "err_workload", m->err_workload) &&
               add_int(j, "killed_by", m->killed_by) &&
               json_add_string(j, "err_call", m->err_call) &&
               json_add_string(j, "err_detail", m->err_detail) &&
               json_add_string(j, "direct_note", m->direct_note) &&
               add_u64(j, "dio_mem_align", m->dio_mem_align) &&
               add_u64(j, "dio_offset_align", m->dio_offset_align) && put_workloads(j, m);
}

static bool add_collected_and_bench(cJSON *j, const struct report *r)
{
        char when[32];

        if (r->generated_at &&
            !cJSON_AddStringToObject(j, "collected_at",
                                     format_iso8601(when, sizeof(when), r->generated_at)))
                return false;
        return add_bench(j, r);
}

/* NULL, or "latency_ns" when the latencies of a workload are not a
 * distribution: figures without samples, out of order, or a percentile
 * present or missing against its sample count (bench_latency_measured()). */
static const char *check_latency(const struct bench_latency *l)
{
        const uint64_t *v[] = { &l->min, &l->p50, &l->p90, &l->p99, &l->p999, &l->max };
        /* the samples each figure needs (model-bench.h) */
        const uint64_t need[] = {
                1, 1, BENCH_P90_MIN_SAMPLES, BENCH_P99_MIN_SAMPLES, BENCH_P999_MIN_SAMPLES, 1
        };
        uint64_t last = 0;

        if (l->n == 0) {
                for (size_t i = 0; i < ARRAY_SIZE(v); i++)
                        if (*v[i] != U64_UNSET)
                                return "latency_ns";
                return l->mean == U64_UNSET ? NULL : "latency_ns";
        }
        for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
                if ((*v[i] == U64_UNSET) != (l->n < need[i]))
                        return "latency_ns";
                if (*v[i] == U64_UNSET)
                        continue;
                if (*v[i] < last)
                        return "latency_ns";
                last = *v[i];
        }
        if (l->mean == U64_UNSET || l->mean < l->min || l->mean > l->max)
                return "latency_ns";
        return NULL;
}

/* NULL, or "elapsed_ns" when the parts of the wall time (render/bench.c's
 * budget line) do not add up to it, as a run's always do. Every part is at
 * most EXACT_MAX, so the sum of these ten cannot wrap. */
static const char *check_split(const struct bench_measure *m)
{
        uint64_t sum = m->probe_ns + m->setup_ns + m->cleanup_ns;

        for (int w = 0; w < _BENCH_MAX; w++)
                if (m->w[w].ran)
                        sum += m->w[w].spent_ns;
        return sum == m->elapsed_ns ? NULL : "elapsed_ns";
}

/* NULL, or the key of the first field that is wrong. */
static const char *get_workloads(const cJSON *j, struct bench_measure *m)
{
        const cJSON *ws = cJSON_GetObjectItemCaseSensitive(j, "workloads"), *o;

        if (!cJSON_IsObject(ws))
                return "workloads";
        cJSON_ArrayForEach(o, ws)
        {
                int w = 0;

                while (w < _BENCH_MAX && strcmp(o->string, bench_workload_to_string(w)) != 0)
                        w++;
                if (w == _BENCH_MAX || !cJSON_IsObject(o))
                        return "workloads";
        }
        for (int w = 0; w < _BENCH_MAX; w++) {
                struct bench_workload *x = &m->w[w];
                const char *bad;

                o = cJSON_GetObjectItemCaseSensitive(ws, bench_workload_to_string(w));
                if (!o)
                        continue;
                x->ran = true;
                bad = get_fields(o, x, workload_u64, ARRAY_SIZE(workload_u64), workload_bool,
                                 ARRAY_SIZE(workload_bool));
                if (!bad)
                        bad = get_fields(cJSON_GetObjectItemCaseSensitive(o, "latency_ns"),
                                         &x->latency, latency_u64, ARRAY_SIZE(latency_u64), NULL,
                                         0);
                if (!bad)
                        bad = check_latency(&x->latency);
                if (!bad && x->budget_ns > m->budget_ns)
                        bad = "budget_ns";
                if (bad)
                        return bad;
        }
        return check_split(m);
}

/* NULL, or the key of the first field that is wrong. */
static const char *get_bench(const cJSON *j, struct bench_result *b)
{
        struct bench_measure *m = &b->m;
        const char *bad, *p;
        uint64_t v;
        char cs[64];

        if (!cJSON_IsObject(j))
                return "bench";
        p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "path"));
        if (!p || p[0] != '/' || strlen(p) >= PATH_MAX || !utf8_is_valid(p, strlen(p)))
                return "path";
        b->path = strdup(p);
        if (!b->path)
                return "";
        if (cJSON_GetObjectItemCaseSensitive(j, "clocksource")) {
                if (!get_text(j, "clocksource", cs, sizeof(cs), false))
                        return "clocksource";
                b->clocksource = strdup(cs);
                if (!b->clocksource)
                        return "";
        }
        if (parse_iso8601(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "ran_at")),
                          &b->recorded_at) < 0 ||
            b->recorded_at == 0)
                return "ran_at";
        bench_measure_init(m, 0, 0);
        bad = get_fields(j, m, measure_u64, ARRAY_SIZE(measure_u64), measure_bool,
                         ARRAY_SIZE(measure_bool));
        if (bad)
                return bad;
        if (m->workload_budget_ns > m->budget_ns)
                return "workload_budget_ns";
        if (m->file_written_bytes > m->file_size_bytes)
                return "file_written_bytes";
        /* -errno as the kernel has them (MAX_ERRNO), and real-time signals at most. */
        if (!get_int(j, "err", -4095, 0, &m->err))
                return "err";
        if (!get_int(j, "err_workload", -1, _BENCH_MAX - 1, &m->err_workload))
                return "err_workload";
        if (!get_int(j, "killed_by", 0, 64, &m->killed_by))
                return "killed_by";
        if (!get_text(j, "err_call", m->err_call, sizeof(m->err_call), false))
                return "err_call";
        if (!get_text(j, "err_detail", m->err_detail, sizeof(m->err_detail), false))
                return "err_detail";
        if (!get_text(j, "direct_note", m->direct_note, sizeof(m->direct_note), false))
                return "direct_note";
        if (!get_u64(j, "dio_mem_align", &v) || v > UINT32_MAX)
                return "dio_mem_align";
        m->dio_mem_align = (uint32_t)v;
        if (!get_u64(j, "dio_offset_align", &v) || v > UINT32_MAX)
                return "dio_offset_align";
        m->dio_offset_align = (uint32_t)v;
        return get_workloads(j, m);
}

uint64_t facts_collected_at(const cJSON *facts)
{
        uint64_t t;

        if (parse_iso8601(
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(facts, "collected_at")),
                    &t) < 0)
                return 0;
        return t;
}

int facts_bench(const cJSON *facts, const char *display, struct bench_result **ret,
                char ***warnings)
{
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(facts, "bench");
        struct bench_result *b;
        const char *bad;

        *ret = NULL;
        if (!j)
                return 0;
        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        bad = get_bench(j, b);
        if (!bad) {
                *ret = b;
                return 0;
        }
        bench_result_free(b);
        if (!*bad)
                return -ENOMEM;
        (void)strv_extendf(warnings,
                           "%s: the recorded benchmark's %s is missing or out of range, "
                           "ignoring the benchmark",
                           strna(display), bad);
        return 0;
}

char *facts_write(const struct report *r)
{
        _cleanup_(cJSON_Deletep) cJSON *j = cJSON_CreateObject();
        cJSON *st, *bl;
        const struct storage *s;

        if (!j || !(st = cJSON_AddObjectToObject(j, "statfs")) ||
            !(bl = cJSON_AddObjectToObject(j, "blkid")))
                return NULL;
        report_for_each_storage(s, r) {
                const char *key =
                        s == &r->home && s->resolved_path ? s->resolved_path : s->mountpoint;
                const struct block_device *d = s->device;

                if (key && !cJSON_GetObjectItemCaseSensitive(st, key) &&
                    (s->fs_magic != U64_UNSET || s->size_bytes != U64_UNSET ||
                     s->free_bytes != U64_UNSET)) {
                        cJSON *o = cJSON_AddObjectToObject(st, key);
                        if (!o || !add_u64(o, "type", s->fs_magic) ||
                            !add_u64(o, "size_bytes", s->size_bytes) ||
                            !add_u64(o, "free_bytes", s->free_bytes))
                                return NULL;
                }
                if (d && (d->fs_type || d->uuid || d->label)) {
                        _cleanup_free_ char *node = probe_device_node(d);
                        cJSON *o;

                        if (!node)
                                return NULL;
                        if (cJSON_GetObjectItemCaseSensitive(bl, node))
                                continue;
                        o = cJSON_AddObjectToObject(bl, node);
                        if (!o || (d->fs_type && !cJSON_AddStringToObject(o, "type", d->fs_type)) ||
                            (d->uuid && !cJSON_AddStringToObject(o, "uuid", d->uuid)) ||
                            (d->label && !cJSON_AddStringToObject(o, "label", d->label)))
                                return NULL;
                }
        }
        /* The $HOME the run looked at, for a replay that has no environ. */
        if (r->sagemaker.home_env && r->sagemaker.home_env[0] == '/' &&
            !cJSON_AddStringToObject(j, "home_env", r->sagemaker.home_env))
                return NULL;
        if (!add_collected_and_bench(j, r))
                return NULL;
        return cJSON_Print(j);
}

char *facts_home(const cJSON *facts)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(facts, "home_env");

        if (!cJSON_IsString(v) || v->valuestring[0] != '/' || strlen(v->valuestring) >= PATH_MAX ||
            !utf8_is_valid(v->valuestring, strlen(v->valuestring)))
                return NULL;
        return strdup(v->valuestring);
}

cJSON *facts_parse(const char *text, size_t len)
{
        cJSON *j = cJSON_ParseWithLength(text, len);

        if (!j || !cJSON_IsObject(j)) {
                cJSON_Delete(j);
                return NULL;
        }
        return j;
}

cJSON *facts_load(const struct sysroot *root, char ***warnings)
{
        _cleanup_free_ char *text = NULL, *display = NULL;
        cJSON *j;
        size_t len;
        int k;

        if (!sysroot_is_replay(root))
                return NULL;
        k = sysroot_read_file(root, SNAPSHOT_FACTS, FACTS_MAX, &text, &len);
        if (k == -ENOENT || k == -ENOTDIR)
                return NULL;
        display = sysroot_display(root, SNAPSHOT_FACTS);
        if (k < 0) {
                (void)strv_extendf(warnings, "cannot read %s: %s, ignoring", strna(display),
                                   strerror(-k));
                return NULL;
        }
        j = facts_parse(text, len);
        if (!j)
                (void)strv_extendf(warnings, "%s: not a JSON object, ignoring", strna(display));
        return j;
}

void facts_statfs(const cJSON *facts, const char *path, struct storage *s)
{
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(facts, "statfs"), path);
        uint64_t v;

        if (!cJSON_IsObject(o))
                return;
        if (get_u64(o, "type", &v))
                s->fs_magic = v;
        if (get_u64(o, "size_bytes", &v))
                s->size_bytes = v;
        if (get_u64(o, "free_bytes", &v))
                s->free_bytes = v;
}

static char *json_str(const cJSON *o, const char *key)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) > 256 ||
            !utf8_is_valid(v->valuestring, strlen(v->valuestring)))
                return NULL;
        return strdup(v->valuestring);
}

void facts_blkid(const cJSON *facts, const char *node, struct block_device *d)
{
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(facts, "blkid"), node);

        if (!cJSON_IsObject(o))
                return;
        d->fs_type = json_str(o, "type");
        d->uuid = json_str(o, "uuid");
        d->label = json_str(o, "label");
}

int facts_replay_run(const struct sysroot *root, const cJSON *facts, struct report *r)
{
        _cleanup_free_ char *display = NULL;

        if (!facts)
                return 0;
        r->generated_at = facts_collected_at(facts);
        if (!cJSON_GetObjectItemCaseSensitive(facts, "bench"))
                return 0;
        display = sysroot_display(root, SNAPSHOT_FACTS);
        return facts_bench(facts, display, &r->bench, &r->warnings);
}
