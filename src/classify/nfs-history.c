/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/nfs-history.h"
#include "core/macro.h"

/* The ops of everyday file work whose latency is the server's round trip:
 * stat (GETATTR), path walks (LOOKUP), reads (READ). */
static const char *const judged_ops[] = { "GETATTR", "LOOKUP", "READ" };

static int add_slow_ops(struct report *r, const struct storage *s, const struct nfs_rpc *rpc)
{
        char list[256] = "";
        size_t used = 0;

        for (size_t i = 0; i < ARRAY_SIZE(judged_ops); i++) {
                const struct nfs_rpc_op *op = nfs_rpc_find(rpc, judged_ops[i]);
                double mean_us;
                int n;

                if (!op || op->count < NFS_RTT_MIN_OPS)
                        continue;
                mean_us = (double)op->rtt_ms * 1000.0 / (double)op->count;
                if (mean_us < NFS_RTT_SLOW_US)
                        continue;
                n = snprintf(list + used, sizeof(list) - used, "%s%s %.1f ms", used ? " and " : "",
                             op->op, mean_us / 1000.0);
                if (n < 0 || (size_t)n >= sizeof(list) - used)
                        break;
                used += (size_t)n;
        }
        if (!used)
                return 0;
        return report_add_warning(r,
                                  "%s: mean round trip since mount of %s: far above EFS's best "
                                  "case of %u µs (docs.aws.amazon.com/efs/latest/ug/"
                                  "performance.html); the server or the network is slow, or "
                                  "throughput is throttled",
                                  s->mountpoint, list, EFS_BEST_CASE_READ_US);
}

int classify_nfs_history(struct report *r)
{
        const struct storage *s = &r->home;
        const struct nfs_rpc *rpc = s->nfs ? s->nfs->rpc : NULL;
        int k;

        if (!rpc)
                return 0;
        if (rpc->retransmissions > 0 || rpc->timeouts > 0) {
                k = report_add_warning(r,
                                       "%s: %" PRIu64 " RPC retransmissions and %" PRIu64
                                       " major timeouts since mount: requests to the NFS server "
                                       "went unanswered and were sent again, each a stall of up "
                                       "to the timeo= interval",
                                       s->mountpoint, rpc->retransmissions, rpc->timeouts);
                if (k < 0)
                        return k;
        }
        return add_slow_ops(r, s, rpc);
}
