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
 * directories of runs that were killed outright once both say they are dead. */

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "options.h"

struct bench_params {
        const char *path; /* resolved directory to benchmark */
        uint64_t budget_ns;
        uint64_t size_bytes; /* 0: default (256 MiB capped at 5% of the free space) */
        uint64_t fs_magic;   /* statfs f_type the probe saw, U64_UNSET: unknown */
        uint64_t grace_ns;   /* beyond the budget before the child is abandoned */
        bool progress;       /* print progress on stderr */
};

/* What one metadata file may take: its 4 KiB block, and as much again for its
 * inode, directory entry and journal (ext4's smallest inode is 128 bytes, but
 * a directory grows by whole blocks). */
#define BENCH_MD_FILE_COST (UINT64_C(8) << 10)
#define BENCH_MARKER "owner"

/* Decides the data file size. Returns 0, or -ENOSPC with a one-line reason in
 * err when free space is too small for it. */
int bench_plan_size(uint64_t requested, uint64_t free_bytes, uint64_t *ret, char *err,
                    size_t errlen);

/* How many metadata files fit: the whole run (data file and small files)
 * takes at most half of free_bytes, and the small files at most half of the
 * free inodes (U64_UNSET: not counted, as on btrfs). 0: none fit, the
 * metadata workloads do not run. */
uint64_t bench_plan_md(uint64_t free_bytes, uint64_t free_inodes, uint64_t data_bytes);

/* The private directory's marker, and whether it proves its runs dead. */
struct bench_owner {
        char boot_id[40];
        char pidns[48]; /* readlink of /proc/self/ns/pid */
        unsigned n;
        struct {
                int pid;
                uint64_t start; /* /proc/PID/stat field 22 */
        } p[2];
};
/* Formats o into buf; returns the length, or -ENOBUFS. */
int bench_owner_format(const struct bench_owner *o, char *buf, size_t len);
/* Parses a marker; every line must be as bench_owner_format() writes it.
 * Returns 0 or -EINVAL. */
int bench_owner_parse(const char *buf, size_t len, struct bench_owner *ret);

/* Runs the benchmark. Returns 0 with *ret set (ret->m.err / interrupted /
 * timed_out say how far it got: partial results are still results), or -errno
 * when it could not start, with a reason in err. Never prints to stdout. */
int bench_run(const struct bench_params *p, struct bench_result **ret, char *err, size_t errlen);

/* The signal that stopped the last bench_run (SIGINT, SIGTERM, SIGHUP), 0 none. */
int bench_stop_signal(void);
