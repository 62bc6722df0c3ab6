/* SPDX-License-Identifier: MIT */
#pragma once

/* Latency statistics with bounded memory: exact min, max and mean, and
 * percentiles from fio's log-linear histogram (stat.h, FIO_IO_U_PLAT_BITS=6):
 * 64 buckets per power of two, values below 128 ns exact, relative error
 * <= 1/2^7 = 0.78%, 29 groups so everything up to 2^34 ns (17.2 s) is tracked
 * and longer samples land in the last bucket (the exact max still says how
 * long). 1,856 counters = 14.5 KiB per histogram, whatever the sample count. */

#include <stdbool.h>
#include <stdint.h>

#include "model-bench.h"

#define BENCH_PLAT_BITS 6
#define BENCH_PLAT_VAL (1u << BENCH_PLAT_BITS)
#define BENCH_PLAT_GROUP_NR 29
#define BENCH_PLAT_NR (BENCH_PLAT_GROUP_NR * BENCH_PLAT_VAL)

struct bench_hist {
        uint64_t n;
        uint64_t min, max; /* exact */
        uint64_t sum;      /* exact: 2^64 ns is 584 years of samples */
        uint64_t bucket[BENCH_PLAT_NR];
};

void bench_hist_init(struct bench_hist *h);
void bench_hist_add(struct bench_hist *h, uint64_t ns);

/* Bucket index of a value and the value a bucket reports (its midpoint), as
 * fio's plat_val_to_idx()/plat_idx_to_val(). */
unsigned bench_hist_index(uint64_t ns);
uint64_t bench_hist_value(unsigned idx);

/* fio's calc_clat_percentiles(): the first bucket whose cumulative count is
 * >= p/100 * n, no interpolation (nearest rank), reported as the bucket
 * midpoint, then clamped into [min, max] so a percentile never lies outside
 * what was observed. p is given in thousandths of a percent (99.9 -> 99900).
 * U64_UNSET when empty or p is out of 0..100000. */
uint64_t bench_hist_percentile(const struct bench_hist *h, uint32_t p_milli);

void bench_hist_summarize(const struct bench_hist *h, struct bench_latency *ret);
