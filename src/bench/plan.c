/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>

#include "bench/plan.h"
#include "model.h"
#include "options.h"
#include "core/strutil.h"

int bench_plan_size(uint64_t requested, uint64_t free_bytes, uint64_t *ret, char *err,
                    size_t errlen)
{
        char a[32], b[32];
        uint64_t size;

        if (requested) {
                size = requested - requested % BENCH_SEQ_BS;
                if (size < BENCH_MIN_SIZE)
                        size = BENCH_MIN_SIZE;
                /* Leave the user at least as much as the benchmark takes. */
                if (free_bytes != U64_UNSET && size > free_bytes / 2) {
                        snprintf(err, errlen,
                                 "--bench-size=%s is more than half of the %s free there",
                                 format_bytes(a, sizeof(a), size),
                                 format_bytes(b, sizeof(b), free_bytes));
                        return -ENOSPC;
                }
                *ret = size;
                return 0;
        }
        size = BENCH_DEFAULT_SIZE;
        if (free_bytes != U64_UNSET && free_bytes / 20 < size) {
                size = free_bytes / 20;
                size -= size % BENCH_SEQ_BS;
                /* Below 16 MiB a 1 MiB sequential pass is a handful of calls. */
                if (size < 16 * BENCH_SEQ_BS) {
                        snprintf(err, errlen,
                                 "only %s free there: the default test file (5%% of free space) "
                                 "would be under 16 MiB; free some space or pass "
                                 "--bench-size=SIZE",
                                 format_bytes(a, sizeof(a), free_bytes));
                        return -ENOSPC;
                }
        }
        *ret = size;
        return 0;
}

uint64_t bench_plan_md(uint64_t free_bytes, uint64_t free_inodes, uint64_t data_bytes)
{
        uint64_t files = BENCH_MD_MAX_FILES, room;

        /* The rule of bench_plan_size(): leave the user at least as much as the
         * whole run takes; the data file is still there while the small files
         * are made. */
        if (free_bytes != U64_UNSET) {
                room = free_bytes / 2 > data_bytes ? free_bytes / 2 - data_bytes : 0;
                if (room / BENCH_MD_FILE_COST < files)
                        files = room / BENCH_MD_FILE_COST;
        }
        /* The data file and the directories take a few inodes more. */
        if (free_inodes != U64_UNSET) {
                room = free_inodes > 8 ? (free_inodes - 8) / 2 : 0;
                if (room < files)
                        files = room;
        }
        return files;
}
