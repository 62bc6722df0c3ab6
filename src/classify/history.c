/* SPDX-License-Identifier: MIT */
/* What the kernel already counted, judged with the benchmark's reference
 * figures (classify/plain.c): no write, no wait. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "model.h"
#include "classify/history.h"
#include "classify/plain.h"
#include "core/strutil.h"

/* Fewer operations than these say nothing about the storage: a few slow
 * first requests of a fresh mount would make the whole verdict. */
#define HISTORY_MIN_OPS 20

/* Mean execute time in ns of the ops named, together (as mountstats' "avg
 * exe" per op, Documentation of nfs-utils' mountstats.py), U64_UNSET when
 * they count too few. */
static uint64_t rpc_mean_ns(const struct nfs_rpc *rpc, const char *const *ops)
{
        uint64_t count = 0, ms = 0;

        for (; *ops; ops++) {
                const struct nfs_rpc_op *o = nfs_rpc_find(rpc, *ops);
                if (!o || o->count == U64_UNSET || o->execute_ms == U64_UNSET)
                        continue;
                count += o->count;
                ms += o->execute_ms;
        }
        if (count < HISTORY_MIN_OPS)
                return U64_UNSET;
        return (uint64_t)((double)ms * 1e6 / (double)count);
}

/* As iostat -x's r_await and w_await: time per request, queue included. */
static uint64_t await_ns(uint64_t requests, uint64_t ms)
{
        if (requests == U64_UNSET || ms == U64_UNSET || requests < HISTORY_MIN_OPS)
                return U64_UNSET;
        return (uint64_t)((double)ms * 1e6 / (double)requests);
}

struct figure {
        enum plain_figure f;
        uint64_t ns;
};

/* The first slow figure in the order of the question ("why is pip slow?"):
 * small files first. */
static const struct figure *first_slow(const struct figure *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (plain_is_slow(v[i].f, v[i].ns))
                        return &v[i];
        return NULL;
}

/* "since it was mounted 3 days ago" */
static const char *since(char *buf, size_t len, const char *event, uint64_t seconds)
{
        char age[32];

        if (seconds == U64_UNSET)
                snprintf(buf, len, "since %s", event);
        else
                snprintf(buf, len, "since %s %s ago", event, plain_age(age, sizeof(age), seconds));
        return buf;
}

/* Nothing slow: say so, with the two figures. */
static int say_fine(char **ret, const char *what, const char *a_name, uint64_t a,
                    const char *b_name, uint64_t b, const char *when, const char *against)
{
        char x[32], y[32];

        if (a == U64_UNSET && b == U64_UNSET)
                return 0;
        if (asprintf(ret, "Nothing in this %s's history is slow: %s %s and %s %s on average %s%s.",
                     what, a_name, a == U64_UNSET ? "too few to count" : format_ns(x, sizeof(x), a),
                     b_name, b == U64_UNSET ? "too few to count" : format_ns(y, sizeof(y), b), when,
                     against) < 0)
                return -ENOMEM;
        return 0;
}

static int nfs_summary(const struct report *r, const struct storage *s, char **ret)
{
        static const char *const create[] = { "CREATE", NULL };
        static const char *const lookup[] = { "LOOKUP", "GETATTR", NULL };
        static const char *const write[] = { "WRITE", "COMMIT", NULL };
        const struct nfs_rpc *rpc = s->nfs->rpc;
        struct figure v[] = {
                { PLAIN_CREATE, rpc_mean_ns(rpc, create) },
                { PLAIN_STAT, rpc_mean_ns(rpc, lookup) },
                { PLAIN_SYNC_WRITE, rpc_mean_ns(rpc, write) },
        };
        const struct figure *x = first_slow(v, ARRAY_SIZE(v));
        char when[64];

        since(when, sizeof(when), "it was mounted", rpc->age_seconds);
        if (x)
                return plain_verdict(ret, r, s, x->f, x->ns, when);
        return say_fine(ret, "mount", "lookups took", v[1].ns, "writes", v[2].ns, when,
                        " (EFS best case: 0.25 ms read, 2.7 ms write)");
}

static int device_summary(const struct report *r, const struct storage *s, char **ret)
{
        const struct block_io *io = s->device->io;
        struct figure v[] = {
                { PLAIN_SYNC_WRITE, await_ns(io->writes, io->write_ms) },
                { PLAIN_RAND_READ, await_ns(io->reads, io->read_ms) },
        };
        const struct figure *x = first_slow(v, ARRAY_SIZE(v));
        char when[64], a[32], *t = NULL;

        since(when, sizeof(when), "the machine started", io->since_boot_seconds);
        /* A request's wait, not a durable write's: beyond 10 ms either way
         * it is outside EBS's single-digit milliseconds (plain.c). */
        if (x) {
                if (asprintf(&t,
                             "This disk is slow: each %s has waited %s on average %s, beyond "
                             "EBS's single-digit milliseconds: the volume is busy or throttled%s.",
                             x->f == PLAIN_SYNC_WRITE ? "write" : "read",
                             format_ns(a, sizeof(a), x->ns), when,
                             s->kind == STORAGE_EBS ? " (a gp2 volume out of burst credits "
                                                      "gets 3 IOPS per GiB)"
                                                    : "") < 0)
                        t = NULL;
                return plain_with_advice(t, r, s, x->f, ret);
        }
        return say_fine(ret, "disk", "reads waited", v[1].ns, "writes", v[0].ns, when,
                        ", within EBS's single-digit milliseconds");
}

int history_summary(const struct report *r, const struct storage *s, char **ret)
{
        *ret = NULL;
        if (s->nfs && s->nfs->rpc)
                return nfs_summary(r, s, ret);
        if (s->device && s->device->io)
                return device_summary(r, s, ret);
        return 0;
}

int history_summarize(struct report *r)
{
        struct storage *s;

        report_for_each_storage(s, r) {
                char *t = NULL;
                int k = history_summary(r, s, &t);
                if (k < 0)
                        return k;
                free(s->summary);
                s->summary = t;
        }
        return 0;
}
