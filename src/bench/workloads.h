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
        BENCH_MSG_PROGRESS, /* a live sample for the progress line: m is not read */
};

/* Fixed size and pointer-free, as what it carries. */
struct bench_msg {
        uint32_t kind;
        int32_t current; /* workload running now, -1 none (progress) */
        char name[64];   /* HELLO: the private directory */
        /* The run's boundaries on CLOCK_MONOTONIC, which both processes read:
         * the supervisor turns them into setup, each workload's part of the
         * wall time and cleanup (bench_measure.setup_ns...). 0: not yet. */
        int32_t phase;     /* the workload begun at mark_ns, -1 none yet */
        uint64_t first_ns; /* the first workload's start */
        uint64_t mark_ns;  /* the latest workload's start */
        uint64_t end_ns;   /* the workloads' end */
        /* The running workload's measured part so far (PROGRESS, UPDATE). */
        uint64_t live_ops, live_bytes, live_ns;
        struct bench_measure m;
};

/* Runs the plan in the forked, set-up child, and exits: 2 when its buffer
 * could not be allocated and that report did not get through, 0 otherwise
 * (every other outcome is in the reports). */
_Noreturn void bench_workloads_run(const struct bench_plan *plan);
