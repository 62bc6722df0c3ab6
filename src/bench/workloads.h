/* SPDX-License-Identifier: MIT */
#pragma once

/* What the child does: opens the inspected directory once (no symbolic link
 * on the way), sweeps stale private directories, sizes the run, creates its
 * private directory, runs the workloads in it, and reports over the plan's
 * socket after every workload. */

#include <stdint.h>

#include "bench/plan.h"
#include "model.h"

/* The reports on the socket: one message per SOCK_SEQPACKET record. */
enum bench_msg_kind {
        BENCH_MSG_HELLO = 1, /* carries the two directory fds */
        BENCH_MSG_UPDATE,
        BENCH_MSG_DONE,
};

/* Fixed size and pointer-free, as what it carries. */
struct bench_msg {
        uint32_t kind;
        int32_t current; /* workload running now, -1 none (progress) */
        char name[64];   /* HELLO: the private directory */
        struct bench_measure m;
};

/* Runs the plan in the forked, set-up child, and exits: 2 when its buffer
 * could not be allocated and that report did not get through, 0 otherwise
 * (every other outcome is in the reports). */
_Noreturn void bench_workloads_run(const struct bench_plan *plan);
