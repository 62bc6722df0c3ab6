/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "bench/stats.h"
#include "core/macro.h"

void bench_hist_init(struct bench_hist *h)
{
        memset(h, 0, sizeof(*h));
        h->min = UINT64_MAX;
}

/* axboe/fio stat.c plat_val_to_idx(): the top BENCH_PLAT_BITS+1 bits of a
 * value select its bucket; lower bits are the error that is dropped. */
unsigned bench_hist_index(uint64_t ns)
{
        unsigned msb, error_bits, base, offset, idx;

        msb = ns == 0 ? 0 : 63u - (unsigned)__builtin_clzll(ns);
        if (msb <= BENCH_PLAT_BITS)
                return (unsigned)ns;
        error_bits = msb - BENCH_PLAT_BITS;
        base = (error_bits + 1) << BENCH_PLAT_BITS;
        offset = (BENCH_PLAT_VAL - 1) & (unsigned)(ns >> error_bits);
        idx = base + offset;
        return idx < BENCH_PLAT_NR - 1 ? idx : BENCH_PLAT_NR - 1;
}

/* fio's plat_idx_to_val(): the middle of the bucket's range. */
uint64_t bench_hist_value(unsigned idx)
{
        unsigned error_bits;
        uint64_t base, k;

        if (idx >= BENCH_PLAT_NR)
                idx = BENCH_PLAT_NR - 1;
        if (idx < (BENCH_PLAT_VAL << 1))
                return idx;
        error_bits = (idx >> BENCH_PLAT_BITS) - 1;
        base = UINT64_C(1) << (error_bits + BENCH_PLAT_BITS);
        k = idx % BENCH_PLAT_VAL;
        /* (k + 0.5) << error_bits, in integers: error_bits >= 1 here. */
        return base + (k << error_bits) + (UINT64_C(1) << (error_bits - 1));
}

void bench_hist_add(struct bench_hist *h, uint64_t ns)
{
        h->n++;
        if (ns < h->min)
                h->min = ns;
        if (ns > h->max)
                h->max = ns;
        h->sum = h->sum > UINT64_MAX - ns ? UINT64_MAX : h->sum + ns;
        h->bucket[bench_hist_index(ns)]++;
}

uint64_t bench_hist_percentile(const struct bench_hist *h, uint32_t p_milli)
{
        unsigned __int128 need, have = 0;
        uint64_t v;

        if (h->n == 0 || p_milli > 100000)
                return U64_UNSET;
        /* cumulative >= p/100 * n, kept exact: cumulative * 100000 >= p_milli * n. */
        need = (unsigned __int128)p_milli * h->n;
        for (unsigned i = 0; i < BENCH_PLAT_NR; i++) {
                have += (unsigned __int128)h->bucket[i] * 100000u;
                if (h->bucket[i] && have >= need) {
                        v = bench_hist_value(i);
                        if (v < h->min)
                                v = h->min;
                        if (v > h->max)
                                v = h->max;
                        return v;
                }
        }
        return h->max;
}

void bench_hist_summarize(const struct bench_hist *h, struct bench_latency *ret)
{
        if (h->n == 0) {
                *ret = (struct bench_latency){ U64_UNSET, U64_UNSET, U64_UNSET, U64_UNSET,
                                               U64_UNSET, U64_UNSET, U64_UNSET, U64_UNSET };
                ret->n = 0;
                return;
        }
        *ret = (struct bench_latency){
                .n = h->n,
                .min = h->min,
                .mean = (h->sum + h->n / 2) / h->n,
                .p50 = bench_hist_percentile(h, 50000),
                .p90 = bench_hist_percentile(h, 90000),
                .p99 = bench_hist_percentile(h, 99000),
                .p999 = bench_hist_percentile(h, 99900),
                .max = h->max,
        };
        /* A p99 of 75 samples is their maximum: the model keeps none. */
        *ret = bench_latency_measured(ret);
}
