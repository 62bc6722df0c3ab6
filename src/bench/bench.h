/* SPDX-License-Identifier: MIT */
#pragma once

/* studio-probe --bench: QD1 workloads on the inspected file system, measured
 * the way fio measures them (see tests/bench/README-bench.md for the
 * agreement), inside a private directory that is removed afterwards.
 *
 * The I/O runs in a forked child (stdio on /dev/null) so that a file system
 * that stops answering cannot hang the caller: the child sends fixed-size
 * snapshots of struct bench_measure over a socket after every workload, and
 * the parent enforces the budget plus a grace period, kills the child when it
 * must, and removes the private directory itself through the directory file
 * descriptors the child passed it.
 *
 * The child opens the inspected directory once, refusing any symbolic link on
 * the way (the probe resolved them all already), and sizes, creates and
 * writes only relative to that descriptor. The private directory holds a
 * marker naming the two processes (boot id, PID namespace, PID and start
 * time), locked with flock(2) while they run: a later run removes the private
 * directories of runs that were killed outright once both say they are dead.
 *
 * This file is the supervisor (bench.c): it plans, forks and watches the
 * child, relays signals, shows progress and removes the private directory.
 * What the child does is in workloads.c, the plan it receives in plan.h, the
 * private directory and its marker in privdir.c and owner.c. */

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct bench_params {
        const char *path; /* resolved directory to benchmark */
        uint64_t budget_ns;
        uint64_t size_bytes; /* 0: default (256 MiB capped at 5% of the free space) */
        uint64_t fs_magic;   /* statfs f_type the probe saw, U64_UNSET: unknown */
        uint64_t grace_ns;   /* beyond the budget before the child is abandoned */
        bool progress;       /* print progress on stderr */
        /* CLOCK_MONOTONIC at the command's start, 0: the benchmark's. The budget
         * counts from there: the probe before the benchmark is part of it. */
        uint64_t started_ns;
};

/* Runs the benchmark. Returns 0 with *ret set (ret->m.err / interrupted /
 * timed_out say how far it got: partial results are still results), or -errno
 * when it could not start, with a reason in err. Never prints to stdout. */
int bench_run(const struct bench_params *p, struct bench_result **ret, char *err, size_t errlen);

/* The signal that stopped the last bench_run (SIGINT, SIGTERM, SIGHUP), 0 none. */
int bench_stop_signal(void);
