/* SPDX-License-Identifier: MIT */
#pragma once

#include "model.h"

/* What one file-system operation of each cost class costs, in seconds, and
 * the sequential rates in bytes per second; a negative figure: not known. */
struct op_costs {
        double create, stat, unlink, sync;
        double read_bps, write_bps;
};

/* The references the estimates are set beside (sources in estimates.c). */
extern const struct op_costs op_costs_ebs_gp3, op_costs_efs;

/* The costs a benchmark measured: the mean latency of each workload and the
 * sequential throughputs; a workload without samples leaves its figure < 0. */
void op_costs_measured(struct op_costs *c, const struct bench_measure *m);

/* Seconds of a task of these operation counts at these costs; < 0 when a
 * class the task uses has no known cost. */
double task_seconds(const struct op_costs *c, uint64_t creates, uint64_t stats, uint64_t unlinks,
                    uint64_t syncs, uint64_t bytes_read, uint64_t bytes_written);

/* Fills b->estimates with every task whose cost classes the benchmark
 * measured (none when it measured too little). 0 or -ENOMEM. */
int bench_estimate_tasks(struct bench_result *b);
