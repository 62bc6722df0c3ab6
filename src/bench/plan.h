/* SPDX-License-Identifier: MIT */
#pragma once

/* What a run is to do: the inputs the supervisor hands the child (struct
 * bench_plan), and the rules that size the data file and the metadata
 * workload from the directory's free space. */

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bench/owner.h"

/* One sequential call, and the unit of the data file's size. */
#define BENCH_SEQ_BS (UINT64_C(1) << 20)
/* What one metadata file may take: its 4 KiB block, and as much again for its
 * inode, directory entry and journal (ext4's smallest inode is 128 bytes, but
 * a directory grows by whole blocks). */
#define BENCH_MD_FILE_COST (UINT64_C(8) << 10)

/* The child's inputs, all of them: it reads nothing else of the supervisor's
 * (the result record it fills starts empty, see bench_measure_init()). */
struct bench_plan {
        const char *path;            /* resolved directory to benchmark */
        uint64_t fs_magic;           /* statfs f_type the probe saw, U64_UNSET: unknown */
        uint64_t size_bytes;         /* data file asked for, 0: default (bench_plan_size) */
        uint64_t budget_ns;          /* total, as given */
        uint64_t workload_budget_ns; /* the workloads' part of it (the rest: setup, cleanup) */
        uint64_t deadline_ns;        /* CLOCK_MONOTONIC: the end of that part */
        bool progress;               /* send live samples (BENCH_MSG_PROGRESS) */
        int sock;                    /* the child's end of the socket to the supervisor */
        pid_t parent;                /* the supervisor; once gone, the child cleans up alone */
        struct bench_owner owner;    /* the processes of the marker so far; n 0: no marker */
        const volatile sig_atomic_t *stop; /* the signal that asks the child to stop, 0 none */
};

/* Decides the data file size. Returns 0, or -ENOSPC with a one-line reason in
 * err when free space is too small for it. */
int bench_plan_size(uint64_t requested, uint64_t free_bytes, uint64_t *ret, char *err,
                    size_t errlen);

/* How many metadata files fit: the whole run (data file and small files)
 * takes at most half of free_bytes, and the small files at most half of the
 * free inodes (U64_UNSET: not counted, as on btrfs). 0: none fit, the
 * metadata workloads do not run. */
uint64_t bench_plan_md(uint64_t free_bytes, uint64_t free_inodes, uint64_t data_bytes);
