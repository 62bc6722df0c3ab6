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
 * descriptors the child passed it. */

#include <stdbool.h>
#include <stdint.h>

#include "bench-stats.h"
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
        bool ran;             /* started */
        bool complete;        /* ran to its size or time share, not stopped early */
        bool direct;          /* O_DIRECT */
        uint64_t budget_ns;   /* its share of the budget when it started */
        uint64_t elapsed_ns;  /* wall time of the measured part (warm-up excluded) */
        uint64_t ops;         /* measured operations */
        uint64_t warmup_ops;  /* discarded */
        uint64_t bytes;
        uint64_t per_second;  /* bytes/s for sequential workloads, ops/s otherwise */
        struct bench_latency latency;
};

/* Fixed size and pointer-free: it crosses a socket from the child. */
struct bench_measure {
        int err;                   /* 0 or -errno of the call that failed */
        int err_workload;          /* enum bench_workload_id, or -1: setup */
        char err_call[32];         /* "pwrite", "openat", ... */
        bool interrupted;          /* stopped by a signal */
        bool timed_out;            /* the parent gave up waiting */
        int current;               /* workload running now, -1 none (progress) */
        uint64_t fs_magic;         /* statfs f_type of the private directory */
        bool dio_align_known;      /* STATX_DIOALIGN answered */
        uint32_t dio_mem_align, dio_offset_align;
        bool direct_io;            /* every data workload that could use O_DIRECT did */
        char direct_note[96];      /* why not, when not */
        uint64_t file_size_bytes;  /* planned */
        uint64_t file_written_bytes;
        uint64_t md_files;
        uint64_t budget_ns;        /* total, as given */
        uint64_t workload_budget_ns; /* what the workloads were given (the rest: setup, cleanup) */
        uint64_t elapsed_ns;       /* whole run, parent's clock */
        struct bench_workload w[_BENCH_MAX];
};

struct bench_result {
        struct bench_measure m;
        char *path;             /* the directory benchmarked */
        char *clocksource;      /* current_clocksource, NULL unknown */
        char **assessment;      /* verdict sentences */
        char *leftover;         /* private directory that could not be removed, NULL: none */
};

struct bench_result *bench_result_free(struct bench_result *b);

struct bench_params {
        const char *path;        /* resolved directory to benchmark */
        uint64_t budget_ns;
        uint64_t size_bytes;     /* 0: default (256 MiB capped at 5% of free_bytes) */
        uint64_t free_bytes;     /* U64_UNSET: unknown */
        uint64_t grace_ns;       /* beyond the budget before the child is abandoned */
        bool progress;           /* print progress on stderr */
};

#define BENCH_DEFAULT_BUDGET_NS (10 * NSEC_PER_SEC)
#define BENCH_MIN_BUDGET_NS (NSEC_PER_SEC / 5)
#define BENCH_MAX_BUDGET_NS (600 * NSEC_PER_SEC)
#define BENCH_DEFAULT_SIZE (UINT64_C(256) << 20)
#define BENCH_MIN_SIZE (UINT64_C(1) << 20)
#define BENCH_MAX_SIZE (UINT64_C(1) << 40)
#define BENCH_MD_MAX_FILES 1000

/* Decides the data file size. Returns 0, or -ENOSPC with a one-line reason in
 * err when free space is too small for it. */
int bench_plan_size(uint64_t requested, uint64_t free_bytes, uint64_t *ret, char *err,
                    size_t errlen);

/* Runs the benchmark. Returns 0 with *ret set (ret->m.err / interrupted /
 * timed_out say how far it got: partial results are still results), or -errno
 * when it could not start, with a reason in err. Never prints to stdout. */
int bench_run(const struct bench_params *p, struct bench_result **ret, char *err, size_t errlen);

/* The signal that stopped the last bench_run (SIGINT, SIGTERM, SIGHUP), 0 none. */
int bench_stop_signal(void);

/* bench-assess.c: fills b->assessment from the figures and the storage kind. */
int bench_assess(struct bench_result *b, const struct storage *s);

/* render-bench.c */
#include <cjson/cJSON.h>
#include <stdio.h>
bool bench_to_json(cJSON *root, const struct bench_result *b);
void bench_render_text(FILE *f, const struct bench_result *b, bool color);
