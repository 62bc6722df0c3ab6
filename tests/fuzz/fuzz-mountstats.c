/* SPDX-License-Identifier: MIT */
/* libFuzzer: the /proc/self/mountstats parser never crashes or leaks, keeps
 * its bounds, and reads the same history from what collect keeps of a file
 * (mountstats_reduce) as from the file itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "probe/mountstats.h"

static const char *const mountpoints[] = { "/home/sagemaker-user", "/mnt/x", "/" };

static void check(bool ok)
{
        if (!ok)
                abort();
}

static void parse(const char *in, size_t len, struct mountstats_want *w)
{
        char **warnings = NULL;

        for (size_t i = 0; i < 3; i++)
                w[i] = (struct mountstats_want){ mountpoints[i], NULL };
        check(mountstats_parse(in, len, "fuzz", w, 3, &warnings) == 0);
        strv_free(warnings);
}

static bool same(const struct nfs_rpc *a, const struct nfs_rpc *b)
{
        if (!a || !b)
                return a == b;
        if (a->age_seconds != b->age_seconds || a->retransmissions != b->retransmissions ||
            a->timeouts != b->timeouts || a->xprt_connects != b->xprt_connects ||
            a->xprt_sends != b->xprt_sends || a->xprt_backlog != b->xprt_backlog ||
            a->xprts != b->xprts || a->n_ops != b->n_ops)
                return false;
        for (size_t i = 0; i < a->n_ops; i++) {
                const struct nfs_rpc_op *x = &a->ops[i], *y = &b->ops[i];
                if (strcmp(x->op, y->op) != 0 || x->count != y->count || x->count == 0 ||
                    x->transmissions != y->transmissions || x->rtt_ms != y->rtt_ms ||
                    x->execute_ms != y->execute_ms || x->errors != y->errors)
                        return false;
        }
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct mountstats_want a[3], b[3];
        char *reduced = NULL;
        size_t rlen = 0;

        parse((const char *)data, size, a);
        check(mountstats_reduce((const char *)data, size, &reduced, &rlen) == 0);
        check(rlen <= size + 1 && strlen(reduced) == rlen);
        parse(reduced, rlen, b);
        for (size_t i = 0; i < 3; i++) {
                check(!a[i].rpc || a[i].rpc->n_ops <= 256);
                check(same(a[i].rpc, b[i].rpc));
                nfs_rpc_free(a[i].rpc);
                nfs_rpc_free(b[i].rpc);
        }
        free(reduced);
        return 0;
}
