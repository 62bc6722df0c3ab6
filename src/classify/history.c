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

static int slow_sentence(const struct report *r, const struct storage *s, const struct figure *x,
                         const char *since, char **ret)
{
        char *t = plain_sentence(x->f, x->ns, since);

        if (!t || plain_advise(&t, r, s, x->f) < 0) {
                free(t);
                return -ENOMEM;
        }
        *ret = t;
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
        char since[64], age[32], a[32], b[32];

        if (rpc->age_seconds != U64_UNSET)
                snprintf(since, sizeof(since), "since it was mounted %s ago",
                         plain_age(age, sizeof(age), rpc->age_seconds));
        else
                snprintf(since, sizeof(since), "since it was mounted");
        if (x)
                return slow_sentence(r, s, x, since, ret);
        if (v[1].ns == U64_UNSET && v[2].ns == U64_UNSET)
                return 0;
        /* Nothing slow: say so, with the figures and EFS's best case. */
        if (asprintf(ret,
                     "Nothing in this mount's history is slow: lookups took %s and writes %s "
                     "on average %s (EFS best case: 0.25 ms read, 2.7 ms write).",
                     v[1].ns == U64_UNSET ? "too few to count" : format_ns(a, sizeof(a), v[1].ns),
                     v[2].ns == U64_UNSET ? "too few to count" : format_ns(b, sizeof(b), v[2].ns),
                     since) < 0)
                return -ENOMEM;
        return 0;
}

static int device_summary(const struct report *r, const struct storage *s, char **ret)
{
        const struct block_io *io = s->device->io;
        struct figure v[] = {
                { PLAIN_SYNC_WRITE, await_ns(io->writes, io->write_ms) },
                { PLAIN_RAND_READ, await_ns(io->reads, io->read_ms) },
        };
        const struct figure *x;
        char since[64], age[32], a[32], b[32];

        if (io->since_boot_seconds != U64_UNSET)
                snprintf(since, sizeof(since), "since the machine started %s ago",
                         plain_age(age, sizeof(age), io->since_boot_seconds));
        else
                snprintf(since, sizeof(since), "since the machine started");
        /* A request's wait, not a durable write's: beyond 10 ms either way
         * it is outside EBS's single-digit milliseconds (plain.c). */
        x = first_slow(v, ARRAY_SIZE(v));
        if (x) {
                char *t = NULL;
                int k;

                k = asprintf(&t,
                             "This disk is slow: each %s has waited %s on average %s, beyond "
                             "EBS's single-digit milliseconds: the volume is busy or throttled%s.",
                             x->f == PLAIN_SYNC_WRITE ? "write" : "read",
                             format_ns(a, sizeof(a), x->ns), since,
                             s->kind == STORAGE_EBS ? " (a gp2 volume out of burst credits "
                                                      "gets 3 IOPS per GiB)"
                                                    : "");
                if (k < 0 || plain_advise(&t, r, s, x->f) < 0) {
                        free(t);
                        return -ENOMEM;
                }
                *ret = t;
                return 0;
        }
        if (v[0].ns == U64_UNSET && v[1].ns == U64_UNSET)
                return 0;
        if (asprintf(ret,
                     "Nothing in this disk's history is slow: reads waited %s and writes %s on "
                     "average %s, within EBS's single-digit milliseconds.",
                     v[1].ns == U64_UNSET ? "too few to count" : format_ns(a, sizeof(a), v[1].ns),
                     v[0].ns == U64_UNSET ? "too few to count" : format_ns(b, sizeof(b), v[0].ns),
                     since) < 0)
                return -ENOMEM;
        return 0;
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
