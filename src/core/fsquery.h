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

#include "core/sysroot.h"

enum fsq_op {
        FSQ_PATH,   /* resolve inside the sysroot; live: also stat and statfs it */
        FSQ_STATFS, /* live only: statfs of an already resolved path */
        FSQ_BLKID,  /* live only: libblkid superblock probe of a device node */
};

struct fsq_request {
        enum fsq_op op;
        const char *path;
        /* Requests of one group run in one child, in order, each answer sent as
         * soon as it is known; so a stall is pinned on the first unanswered
         * request of its group, and a group costs one fork. Groups are
         * numbered from 0 without gaps. */
        unsigned group;
        /* The group's later requests are skipped (-ECANCELED) once this one
         * succeeds: "the first of these paths that exists". */
        bool first_found;
        /* What the request touches cannot hang (fsq_fstype_may_hang() said
         * no for every mount on its way; for FSQ_PATH, on the normalized path
         * as written, in a replay by the snapshot's table): a group of such
         * requests is answered in the caller, without a worker, unless a
         * lookup meets a symlink. */
        bool in_caller;
};

struct fsq_reply {
        int err; /* 0, -errno of the failed call, or -ETIMEDOUT */
        /* FSQ_PATH: the resolved path. -ETIMEDOUT: for the request its group
         * was stuck on, the path whose lookup, stat or statfs did not return
         * (the walk's progress: symlinks before it already followed), or
         * NULL when unknown. Not resolved then: a hint for naming the mount.
         * NULL for the other ops. Owned by the reply (fsq_replies_free()): a
         * PATH_MAX array here made every reply 4 KiB, and describing 64
         * mounts touched 130 pages for answers of a few bytes each. */
        char *resolved;
        bool have_stat;
        unsigned dev_major, dev_minor;
        bool is_dir;
        bool have_statfs;
        uint64_t f_type, size_bytes, free_bytes;
        char fs_type[32], uuid[64], label[128];
};

/* Runs the groups of queries concurrently, each group in its own process, all
 * bounded by timeout_ns from the call. Every reply is filled: err is
 * -ETIMEDOUT for the request a group was stuck on and for those after it.
 * Returns 0, or -errno when the workers could not be started at all. Does not
 * log. */
int fsq_run(const struct sysroot *root, const struct fsq_request *reqs, struct fsq_reply *replies,
            size_t n, uint64_t timeout_ns);

/* Frees what the replies own (their resolved paths), not the array. */
void fsq_replies_free(struct fsq_reply *replies, size_t n);

/* The same in two steps, so the caller can work while the workers do:
 * fsq_start() launches them (bounded by timeout_ns from now), fsq_wait()
 * collects every reply (reqs must be the same array) and frees the batch.
 * fsq_start() returns 0 or -errno; fsq_wait() returns as fsq_run(). */
struct fsq_batch;
int fsq_start(const struct sysroot *root, const struct fsq_request *reqs, size_t n,
              uint64_t timeout_ns, struct fsq_batch **ret);
int fsq_wait(struct fsq_batch *b, const struct fsq_request *reqs, struct fsq_reply *replies);

/* The work of one query, in the calling process: for tests and the child. */
void fsq_execute(const struct sysroot *root, const struct fsq_request *req, struct fsq_reply *rep);

/* Whether a file system of this type (mountinfo's, "fuse.sshfs" as given)
 * can leave a lookup or statfs blocked: all but a list of local block file
 * systems and the kernel's in-memory ones. */
bool fsq_fstype_may_hang(const char *fstype);

/* Whether looking path up, and then reading or statfs'ing there, cannot hang,
 * known without asking its file system: the whole lookup is answered from the
 * dentry cache, and the mount it ends on is of a type fsq_fstype_may_hang()
 * calls local. False on any doubt (an older kernel, a seccomp filter, a
 * component not cached): ask a worker then. */
bool fsq_path_cannot_hang(const char *path);

/* Whether light workers (clone(CLONE_VM), core/light-worker.c) can run here:
 * not under valgrind or ASan, not without raw system calls. Where they cannot,
 * every worker forks, whatever STUDIO_PROBE_WORKER says. */
bool fsq_light_workers_usable(void);
