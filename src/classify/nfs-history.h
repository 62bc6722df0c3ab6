/* SPDX-License-Identifier: MIT */
#pragma once

#include "model.h"

/* Mean RTT of an NFS op (as mountstats: rtt_ms / ops) above which it is far
 * above EFS's best case: 8 times the "as low as 250 µs" read latency of EFS
 * General Purpose (docs.aws.amazon.com/efs/latest/ug/performance.html). */
#define EFS_BEST_CASE_READ_US 250
#define NFS_RTT_SLOW_US (8 * EFS_BEST_CASE_READ_US)
/* Fewer ops than this say too little to judge a mean. */
#define NFS_RTT_MIN_OPS 100

/* Warnings from the home's NFS history (nfs_info.rpc): retransmissions or
 * major timeouts, and a mean RTT of GETATTR, LOOKUP or READ far above EFS's
 * best case. Pure. Returns 0 or -ENOMEM. */
int classify_nfs_history(struct report *r);
