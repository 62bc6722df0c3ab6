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

#include "bench/stats.h"
#include "model.h"

enum bench_workload_id {
        BENCH_SEQ_WRITE,
        BENCH_SEQ_READ,
        BENCH_RAND_READ,
        BENCH_SYNC_WRITE,
        BENCH_MD_CREATE,
        BENCH_MD_STAT,
        BENCH_MD_UNLINK,
        _BENCH_MAX,
};

const char *bench_workload_to_string(enum bench_workload_id w);

struct bench_workload {
        bool ran;            /* started */
        bool complete;       /* ran to its size or time share, not stopped early */
        bool direct;         /* O_DIRECT */
        uint64_t budget_ns;  /* its share of the budget when it started */
        uint64_t elapsed_ns; /* wall time of the measured part (warm-up excluded) */
        uint64_t ops;        /* measured operations */
        uint64_t warmup_ops; /* discarded */
        uint64_t bytes;
        uint64_t per_second; /* bytes/s for sequential workloads, ops/s otherwise */
        struct bench_latency latency;
};

/* Fixed size and pointer-free: it crosses a socket from the child. */
struct bench_measure {
        int err;              /* 0 or -errno of the call that failed */
        int err_workload;     /* enum bench_workload_id, or -1: setup */
        char err_call[32];    /* "pwrite", "openat", ... */
        char err_detail[160]; /* a sentence for main when the errno alone misleads */
        int killed_by;        /* the signal that ended the child, 0 none */
        bool interrupted;     /* stopped by a signal */
        bool timed_out;       /* the parent gave up waiting */
        int current;          /* workload running now, -1 none (progress) */
        uint64_t fs_magic;    /* statfs f_type of the private directory */
        bool dio_align_known; /* STATX_DIOALIGN answered */
        uint32_t dio_mem_align, dio_offset_align;
        bool direct_io;           /* every data workload that could use O_DIRECT did */
        char direct_note[96];     /* why not, when not */
        uint64_t file_size_bytes; /* planned */
        uint64_t file_written_bytes;
        uint64_t md_files;
        uint64_t md_planned;         /* at most, from free space and inodes (bench_plan_md) */
        uint64_t free_bytes;         /* fstatfs of the directory, before the run */
        uint64_t free_inodes;        /* U64_UNSET: the file system does not count them */
        uint32_t stale_removed;      /* private directories of killed runs removed */
        uint64_t stale_bytes;        /* what they held */
        char stale_name[48];         /* the first one */
        uint64_t budget_ns;          /* total, as given */
        uint64_t workload_budget_ns; /* what the workloads were given (the rest: setup, cleanup) */
        uint64_t elapsed_ns;         /* whole run, parent's clock */
        struct bench_workload w[_BENCH_MAX];
};

struct bench_result {
        struct bench_measure m;
        char *path;        /* the directory benchmarked */
        char *clocksource; /* current_clocksource, NULL unknown */
        char **assessment; /* verdict sentences */
        char *leftover;    /* private directory that could not be removed, NULL: none */
};

struct bench_result *bench_result_free(struct bench_result *b);

struct bench_params {
        const char *path; /* resolved directory to benchmark */
        uint64_t budget_ns;
        uint64_t size_bytes; /* 0: default (256 MiB capped at 5% of the free space) */
        uint64_t fs_magic;   /* statfs f_type the probe saw, U64_UNSET: unknown */
        uint64_t grace_ns;   /* beyond the budget before the child is abandoned */
        bool progress;       /* print progress on stderr */
};

#define BENCH_DEFAULT_BUDGET_NS (10 * NSEC_PER_SEC)
#define BENCH_MIN_BUDGET_NS (NSEC_PER_SEC / 5)
#define BENCH_MAX_BUDGET_NS (600 * NSEC_PER_SEC)
#define BENCH_DEFAULT_SIZE (UINT64_C(256) << 20)
#define BENCH_MIN_SIZE (UINT64_C(1) << 20)
#define BENCH_MAX_SIZE (UINT64_C(1) << 40)
#define BENCH_MD_MAX_FILES 1000
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
