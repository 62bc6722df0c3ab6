/* SPDX-License-Identifier: MIT */
#pragma once

/* Calls that touch the inspected file systems (path lookup, stat, statfs, a
 * superblock probe of a device) can block forever in the kernel on a dead NFS
 * server: on a hard mount the task sleeps uninterruptibly and not even SIGKILL
 * ends it. So each query runs in a forked child with its standard streams on
 * /dev/null (a stuck child must not keep `x=$(studio-probe)` waiting), and the
 * parent waits for all of them up to one deadline, then abandons the rest.
 * Reading /proc and /sys never blocks like that and stays in the caller. */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysroot.h"

enum fsq_op {
        FSQ_PATH,   /* resolve inside the sysroot; live: also stat and statfs it */
        FSQ_STATFS, /* live only: statfs of an already resolved path */
        FSQ_BLKID,  /* live only: libblkid superblock probe of a device node */
};

struct fsq_request {
        enum fsq_op op;
        const char *path;
};

struct fsq_reply {
        int err;              /* 0, -errno of the failed call, or -ETIMEDOUT */
        char resolved[PATH_MAX];
        bool have_stat;
        unsigned dev_major, dev_minor;
        bool is_dir;
        bool have_statfs;
        uint64_t f_type, size_bytes, free_bytes;
        char fs_type[32], uuid[64], label[128];
};

/* Runs n queries concurrently, each in its own process, all bounded by
 * timeout_ns from the call. Every reply is filled (err tells). Returns 0, or
 * -errno when the workers could not be started at all. Does not log. */
int fsq_run(const struct sysroot *root, const struct fsq_request *reqs,
            struct fsq_reply *replies, size_t n, uint64_t timeout_ns);

/* The work of one query, in the calling process: for tests and the child. */
void fsq_execute(const struct sysroot *root, const struct fsq_request *req,
                 struct fsq_reply *rep);
