/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h> /* NAN: a macro, no libm */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/compare.h"
#include "core/json.h"
#include "config.h"
#include "core/macro.h"
#include "core/strutil.h"
#include "report-keys.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct comparison *, comparison_free)

/* What a comparison looks at, from either report: the earlier one read from
 * its JSON by the renderer's own keys (report-keys.h), this one from the
 * model. Strings point into their owner; U64_UNSET is unknown. */
struct side {
        const char *path, *environment, *kind, *mountpoint, *fstype, *source, *options;
        uint64_t size, free;
        bool bench;
        struct {
                bool ran;
                uint64_t rate, p50, p99;
        } w[_BENCH_MAX];
};

/* The words of each workload in a sentence ("sync-write p99 ..."). */
static const char *const workload_words[_BENCH_MAX] = {
        [BENCH_SEQ_WRITE] = "sequential write", [BENCH_SEQ_READ] = "sequential read",
        [BENCH_RAND_READ] = "random read",      [BENCH_SYNC_WRITE] = "sync-write",
        [BENCH_MD_CREATE] = "file creation",    [BENCH_MD_STAT] = "stat",
        [BENCH_MD_UNLINK] = "unlink",
};

static const cJSON *item(const cJSON *o, const char *key)
{
        return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* A whole number of bytes or ns as the report writes it; U64_UNSET for
 * null, missing, negative, fractional or past 2^64. */
static uint64_t number(const cJSON *o, const char *key)
{
        const cJSON *v = item(o, key);

        if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) ||
            v->valuedouble >= 18446744073709551615.0 ||
            json_floor(v->valuedouble) != v->valuedouble)
                return U64_UNSET;
        return (uint64_t)v->valuedouble;
}

static void side_from_json(const cJSON *old, struct side *s)
{
        const cJSON *home = item(old, RK_HOME), *b = item(old, RK_BENCHMARK);

        *s = (struct side){
                .path = cJSON_GetStringValue(item(home, RK_RESOLVED_PATH)),
                .environment = cJSON_GetStringValue(item(old, RK_ENVIRONMENT)),
                .kind = cJSON_GetStringValue(item(home, RK_STORAGE)),
                .mountpoint = cJSON_GetStringValue(item(home, RK_MOUNTPOINT)),
                .fstype = cJSON_GetStringValue(item(home, RK_FSTYPE)),
                .source = cJSON_GetStringValue(item(home, RK_SOURCE)),
                .options = cJSON_GetStringValue(item(home, RK_OPTIONS)),
                .size = number(home, RK_SIZE_BYTES),
                .free = number(home, RK_FREE_BYTES),
                .bench = cJSON_IsObject(b),
        };
        for (int w = 0; s->bench && w < _BENCH_MAX; w++) {
                const cJSON *x = item(w >= BENCH_MD_CREATE ? item(b, RK_METADATA) : b,
                                      bench_workload_to_string(w));
                const cJSON *l = item(x, RK_LATENCY_NS);

                s->w[w].ran = cJSON_IsObject(x);
                s->w[w].rate = number(x, RK_BYTES_PER_SECOND);
                s->w[w].p50 = number(l, RK_P50);
                s->w[w].p99 = number(l, RK_P99);
        }
}

static void side_from_report(const struct report *r, struct side *s)
{
        const struct storage *h = &r->home;

        *s = (struct side){
                .path = h->resolved_path,
                .environment = environment_to_string(r->environment),
                .kind = storage_kind_to_string(h->kind),
                .mountpoint = h->mountpoint,
                .fstype = h->fstype,
                .source = h->source,
                .options = h->options,
                .size = h->size_bytes,
                .free = h->free_bytes,
                .bench = r->bench != NULL,
        };
        for (int w = 0; s->bench && w < _BENCH_MAX; w++) {
                const struct bench_workload *x = &r->bench->m.w[w];

                s->w[w].ran = x->ran && x->ops > 0;
                s->w[w].rate = w <= BENCH_SEQ_READ ? x->per_second : U64_UNSET;
                s->w[w].p50 = x->latency.n ? x->latency.p50 : U64_UNSET;
                s->w[w].p99 = x->latency.n ? x->latency.p99 : U64_UNSET;
        }
}

/* A change being made: struct comparison_change before its strings are copied. */
struct draft {
        const char *figure;
        bool numeric;
        uint64_t before_n, after_n;
        const char *before_s, *after_s;
        double ratio;
};

/* Appends a change; the sentence from fmt. Returns 0 or -ENOMEM. */
static int add_change(struct comparison *c, const struct draft *ch, const char *fmt, ...)
        _printf_(3, 4);
static int add_change(struct comparison *c, const struct draft *ch, const char *fmt, ...)
{
        struct comparison_change *n, x = {
                .numeric = ch->numeric,
                .before_n = ch->before_n,
                .after_n = ch->after_n,
                .ratio = ch->ratio,
        };
        va_list ap;
        int k;

        n = realloc(c->changes, (c->n_changes + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        c->changes = n;
        va_start(ap, fmt);
        k = vasprintf(&x.sentence, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        x.figure = strdup(ch->figure);
        x.before_s = ch->before_s ? strdup(ch->before_s) : NULL;
        x.after_s = ch->after_s ? strdup(ch->after_s) : NULL;
        c->changes[c->n_changes++] = x;
        if (!x.figure || (ch->before_s && !x.before_s) || (ch->after_s && !x.after_s))
                return -ENOMEM;
        return 0;
}

/* "than on 2026-11-02", or "than before" when the earlier report has no date. */
static const char *since(const struct comparison *c, char *buf, size_t len)
{
        char d[32];

        if (!c->against_at)
                return "than in the earlier report";
        format_iso8601(d, sizeof(d), c->against_at);
        snprintf(buf, len, "than on %.10s", d);
        return buf;
}

static int text_change(struct comparison *c, const char *figure, const char *words,
                       const char *before, const char *after)
{
        struct draft ch = { .figure = figure, .ratio = NAN };

        if (streq_ptr(before, after))
                return 0;
        ch.before_s = before;
        ch.after_s = after;
        return add_change(c, &ch, "%s changed: %s → %s", words, before ? before : "unknown",
                          after ? after : "unknown");
}

/* Is option o (len n) one of the comma list? */
static bool has_option(const char *list, const char *o, size_t n)
{
        for (const char *p = list; p && *p;) {
                size_t m = strcspn(p, ",");

                if (m == n && strncmp(p, o, n) == 0)
                        return true;
                p += m + (p[m] == ',');
        }
        return false;
}

/* "added X, Y; removed Z": what one comma list has that the other has not. */
static int option_diff(const char *before, const char *after, char **ret)
{
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);

        if (!f)
                return -ENOMEM;
        for (int pass = 0; pass < 2; pass++) {
                const char *from = pass ? before : after, *other = pass ? after : before;
                const char *sep = pass ? (len ? "; removed " : "removed ") : "added ";

                for (const char *p = from; p && *p;) {
                        size_t m = strcspn(p, ",");

                        if (m && !has_option(other, p, m)) {
                                fprintf(f, "%s%.*s", sep, (int)m, p);
                                sep = ", ";
                        }
                        p += m + (p[m] == ',');
                }
                fflush(f);
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(out);
        return 0;
}

static int options_change(struct comparison *c, const struct side *o, const struct side *n)
{
        struct draft ch = { .figure = RK_HOME "." RK_OPTIONS, .ratio = NAN };
        _cleanup_free_ char *diff = NULL;
        bool nfs = n->fstype && strncmp(n->fstype, "nfs", 3) == 0;

        if (!o->options || !n->options || streq_ptr(o->options, n->options))
                return text_change(c, ch.figure, "mount options", o->options, n->options);
        if (option_diff(o->options, n->options, &diff) < 0)
                return -ENOMEM;
        ch.before_s = o->options;
        ch.after_s = n->options;
        return add_change(c, &ch, "%s options changed: %s", nfs ? "NFS" : "mount",
                          *diff ? diff : "reordered");
}

static int size_changes(struct comparison *c, const struct side *o, const struct side *n)
{
        struct draft ch = { .numeric = true, .ratio = NAN };
        char a[32], b[32], d[32];
        uint64_t base, delta;

        if (o->size != U64_UNSET && n->size != U64_UNSET && o->size != n->size) {
                /* cJSON reads past 2^53 as doubles: EFS's 8 EiB must not "change". */
                delta = o->size > n->size ? o->size - n->size : n->size - o->size;
                if ((double)delta > (double)o->size * 1e-9) {
                        ch.figure = RK_HOME "." RK_SIZE_BYTES;
                        ch.before_n = o->size;
                        ch.after_n = n->size;
                        ch.ratio = o->size ? (double)n->size / (double)o->size : NAN;
                        if (add_change(c, &ch, "size changed: %s → %s",
                                       format_bytes(a, sizeof(a), o->size),
                                       format_bytes(b, sizeof(b), n->size)) < 0)
                                return -ENOMEM;
                }
        }
        if (o->free == U64_UNSET || n->free == U64_UNSET)
                return 0;
        base = n->size != U64_UNSET ? n->size : o->free;
        delta = o->free > n->free ? o->free - n->free : n->free - o->free;
        if (delta == 0 || (double)delta < (double)base * COMPARE_FREE_SHARE)
                return 0;
        ch.figure = RK_HOME "." RK_FREE_BYTES;
        ch.before_n = o->free;
        ch.after_n = n->free;
        ch.ratio = o->free ? (double)n->free / (double)o->free : NAN;
        return add_change(c, &ch, "free space %s → %s (%s %s)", format_bytes(a, sizeof(a), o->free),
                          format_bytes(b, sizeof(b), n->free), format_bytes(d, sizeof(d), delta),
                          n->free < o->free ? "less" : "more");
}

/* One figure of the benchmark: rate (bytes/s, higher is better) or a
 * latency (ns, lower is better). */
static int figure_change(struct comparison *c, int w, const char *what, uint64_t before,
                         uint64_t after)
{
        bool rate = streq_ptr(what, RK_BYTES_PER_SECOND);
        struct draft ch = { .numeric = true, .before_n = before, .after_n = after };
        char fig[96], a[32], b[32], when[48];
        double worse;

        if (before == U64_UNSET || after == U64_UNSET || before == 0 || after == 0)
                return 0;
        ch.ratio = (double)after / (double)before;
        worse = rate ? 1 / ch.ratio : ch.ratio;
        if (worse < COMPARE_FACTOR && worse > 1 / COMPARE_FACTOR)
                return 0;
        snprintf(fig, sizeof(fig), RK_BENCHMARK ".%s%s.%s%s",
                 w >= BENCH_MD_CREATE ? RK_METADATA "." : "", bench_workload_to_string(w),
                 rate ? "" : RK_LATENCY_NS ".", what);
        ch.figure = fig;
        if (rate) {
                format_bytes(a, sizeof(a), before);
                format_bytes(b, sizeof(b), after);
                strncat(a, "/s", sizeof(a) - strlen(a) - 1);
                strncat(b, "/s", sizeof(b) - strlen(b) - 1);
        } else {
                format_ns(a, sizeof(a), before);
                format_ns(b, sizeof(b), after);
        }
        return add_change(c, &ch, "%s %s %.1f× %s %s (%s → %s)", workload_words[w],
                          rate ? "throughput" : what, worse >= 1 ? worse : 1 / worse,
                          worse >= 1 ? "worse" : "better", since(c, when, sizeof(when)), a, b);
}

static int bench_changes(struct comparison *c, const struct side *o, const struct side *n)
{
        int k = 0;

        for (int w = 0; w < _BENCH_MAX && k >= 0; w++) {
                if (!o->w[w].ran || !n->w[w].ran)
                        continue;
                if (w <= BENCH_SEQ_READ)
                        k = figure_change(c, w, RK_BYTES_PER_SECOND, o->w[w].rate, n->w[w].rate);
                else if ((k = figure_change(c, w, RK_P50, o->w[w].p50, n->w[w].p50)) >= 0)
                        k = figure_change(c, w, RK_P99, o->w[w].p99, n->w[w].p99);
        }
        return k;
}

int compare_parse(const char *file, const char *text, size_t len, cJSON **ret, char *err,
                  size_t errlen)
{
        cJSON *j = cJSON_ParseWithLength(text, len);
        const cJSON *v, *tool;
        double major;

        if (!cJSON_IsObject(j)) {
                format_err(err, errlen, "%s is not JSON: not a report of studio-probe --json",
                           file);
                cJSON_Delete(j);
                return -EINVAL;
        }
        v = item(j, RK_SCHEMA_VERSION);
        tool = item(j, RK_TOOL);
        if (!cJSON_IsNumber(v) || !cJSON_IsObject(tool) ||
            !streq_ptr(cJSON_GetStringValue(item(tool, RK_TOOL_NAME)), PROJECT_NAME) ||
            !cJSON_IsObject(item(j, RK_HOME))) {
                format_err(err, errlen, "%s is not a report of studio-probe --json", file);
                cJSON_Delete(j);
                return -EINVAL;
        }
        major = json_floor(v->valuedouble);
        if (major != SCHEMA_VERSION) {
                format_err(err, errlen,
                           "%s has schema_version %g; this studio-probe reads reports of "
                           "schema_version %d",
                           file, v->valuedouble > -1e9 && v->valuedouble < 1e9 ? major : -1.0,
                           SCHEMA_VERSION);
                cJSON_Delete(j);
                return -EPROTO;
        }
        *ret = j;
        return 0;
}

int compare_reports(const char *file, const cJSON *old, struct report *r, char *err, size_t errlen)
{
        _cleanup_(comparison_freep) struct comparison *c = NULL;
        const char *at = cJSON_GetStringValue(item(old, RK_GENERATED_AT));
        const char *version = cJSON_GetStringValue(item(item(old, RK_TOOL), RK_TOOL_VERSION));
        struct side o, n;
        int k;

        side_from_json(old, &o);
        side_from_report(r, &n);
        if (!o.path || !n.path || !streq_ptr(o.path, n.path)) {
                format_err(err, errlen,
                           "%s is a report of %s, not of %s: compare reports of the "
                           "same path",
                           file, o.path ? o.path : "no resolved path", strna(n.path));
                return -EXDEV;
        }
        c = calloc(1, sizeof(*c));
        if (!c || !(c->against_path = strdup(o.path)) ||
            (version && !(c->against_tool_version = strdup(version))))
                return -ENOMEM;
        if (parse_iso8601(at, &c->against_at) < 0)
                c->against_at = 0;
        c->against_bench = o.bench;
        if ((k = text_change(c, RK_ENVIRONMENT, "environment", o.environment, n.environment)) < 0 ||
            (k = text_change(c, RK_HOME "." RK_STORAGE, "storage", o.kind, n.kind)) < 0 ||
            (k = text_change(c, RK_HOME "." RK_MOUNTPOINT, "mount point", o.mountpoint,
                             n.mountpoint)) < 0 ||
            (k = text_change(c, RK_HOME "." RK_FSTYPE, "file system type", o.fstype, n.fstype)) <
                    0 ||
            (k = text_change(c, RK_HOME "." RK_SOURCE, "mount source", o.source, n.source)) < 0 ||
            (k = options_change(c, &o, &n)) < 0 || (k = size_changes(c, &o, &n)) < 0 ||
            (o.bench && n.bench && (k = bench_changes(c, &o, &n)) < 0))
                return k;
        r->comparison = TAKE_PTR(c);
        return 0;
}
