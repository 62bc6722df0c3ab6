/* SPDX-License-Identifier: MIT */
#pragma once

/* The benchmark's part of the report model (--bench): what a run measured,
 * as plain fixed-size data. The engine (src/bench) fills it, classify judges
 * it, renderers print it; none of them needs the engine to read it. */

#include <stdbool.h>
#include <stdint.h>

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

/* The most small files the metadata workloads make: 1,000 measured, as fio's
 * nrfiles=1000 (bench-method.md §1.6d), after the first of each pass, which is
 * discarded as warm-up. 1,000 samples are what a p99.9 needs. */
#define BENCH_MD_MAX_FILES 1001

/* What the report shows for one latency distribution, all in ns. Every field
 * is U64_UNSET when there were no samples, and a percentile also when it has
 * too few (bench_latency_measured()). */
struct bench_latency {
        uint64_t n, min, mean, p50, p90, p99, p999, max;
};

/* The samples a percentile needs before it says more than the maximum: with
 * n < 1/(1 - p), nearest rank returns the largest sample (p99 of 75 samples
 * is the slowest of them). */
#define BENCH_P90_MIN_SAMPLES 10
#define BENCH_P99_MIN_SAMPLES 100
#define BENCH_P999_MIN_SAMPLES 1000

/* l with every percentile that rests on too few samples set to U64_UNSET:
 * what the report may show, and what a verdict may judge. */
struct bench_latency bench_latency_measured(const struct bench_latency *l);

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
        /* Its part of the run's wall time: from its start to the next one's, with
         * the open, the warm-up, the flush and the untimed work in between. */
        uint64_t spent_ns;
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
        uint64_t elapsed_ns;         /* the command until the report, the probe included */
        struct bench_workload w[_BENCH_MAX];
        /* Where the rest of elapsed_ns went: it is probe + setup + every
         * workload's spent_ns + cleanup, to the nanosecond. */
        uint64_t probe_ns;   /* the command's start to the benchmark's */
        uint64_t setup_ns;   /* the fork to the first workload */
        uint64_t cleanup_ns; /* the last workload's end to the private directory removed */
};

/* Nothing measured yet: no error, no workload, unknown sizes, the budgets given. */
void bench_measure_init(struct bench_measure *m, uint64_t budget_ns, uint64_t workload_budget_ns);

/* An everyday task translated into this path's measured costs (classify). */
struct bench_estimate {
        const char *task;    /* static: "pip install (scientific stack)" */
        uint64_t operations; /* file-system operations counted for it */
        double seconds;      /* here, from the measured latencies */
        double ref_ebs_gp3;  /* the same task on the reference gp3 volume */
        double ref_efs;      /* on EFS at its best case */
};

struct bench_result {
        struct bench_measure m;
        char *path;        /* the directory benchmarked */
        char *clocksource; /* current_clocksource, NULL unknown */
        char **assessment; /* verdict sentences */
        char *summary;     /* classify: the one plain-words sentence that opens the report */
        struct bench_estimate *estimates;
        size_t n_estimates;
        char *leftover; /* private directory that could not be removed, NULL: none */
        /* Replayed from a bundle (collect --bench): the Unix seconds it ran at,
         * 0 for this run's own measurement. */
        uint64_t recorded_at;
};

struct bench_result *bench_result_free(struct bench_result *b);
