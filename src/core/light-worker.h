/* SPDX-License-Identifier: MIT */
#pragma once

/* The code an fsquery worker runs: in a light worker (clone(CLONE_VM), the
 * caller's memory and TLS shared) or in a forked one. Everything here is
 * raw system calls and pure string functions: no errno, no malloc, no stdio,
 * no lock. tests/unit/check-light-worker-libc.py holds the object file of
 * this module to an allow-list of libc functions. */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/fsquery.h"

/* What a worker sees: a copy of the requests and room for the answers, in
 * memory shared with the caller (MAP_SHARED survives fork; CLONE_VM shares
 * everything). An abandoned worker may wake up any time later and write here,
 * so the caller never unmaps it while such a worker exists. */
struct fsq_slot {
        enum fsq_op op;
        unsigned group;
        bool first_found;
        /* Both point into the same shared region, past the slots: the path
         * packed with the others, and for FSQ_PATH a PATH_MAX buffer that
         * reply.resolved points to (NULL for the other ops). Fixed arrays
         * here cost two pages a slot. */
        const char *path;
        struct fsq_reply reply;
};

struct fsq_shared {
        int rootfd;
        bool replay;
        size_t n;
        struct fsq_slot slots[];
};

/* Clears a reply, keeping its resolved buffer (emptied). */
void light_reply_reset(struct fsq_reply *rep);

/* The work of one query, filling *rep from scratch (rep->resolved, when not
 * NULL, is a PATH_MAX buffer; FSQ_PATH needs one). */
typedef void (*fsq_exec_fn)(int rootfd, bool replay, enum fsq_op op, const char *path,
                            struct fsq_reply *rep);

/* FSQ_PATH and FSQ_STATFS; any other op answers -EINVAL (a superblock probe
 * needs libblkid, which allocates: only ever in a forked worker). */
void light_execute(int rootfd, bool replay, enum fsq_op op, const char *path,
                   struct fsq_reply *rep);

/* FSQ_PATH's second half: stat and statfs of rep->resolved (live), or
 * whether it is a directory (replay). */
void light_stat_resolved(int rootfd, bool replay, struct fsq_reply *rep);

/* Runs a group's slots in order with exec, writing one byte to wfd after
 * each answer (wfd < 0: none, the group runs in the caller). Reads nothing
 * of sh after the group's last byte: the caller may reuse it from then on. */
void light_run_group(struct fsq_shared *sh, unsigned group, int wfd, fsq_exec_fn exec);

struct light_arg {
        struct fsq_shared *sh;
        unsigned group;
        int wfd;
};

/* The entry point of a clone(CLONE_VM) worker: arg is a struct light_arg.
 * Blocks every signal, closes every descriptor but wfd and the root's, runs
 * its group with light_execute() and exits. */
int light_worker_main(void *arg);

/* The sysroot's path resolver (see sysroot_resolve()): the absolute path of
 * path inside the root (rootfd), every symlink resolved, into ret. start: a
 * prefix of the result already known to be free of symlinks ("" for the
 * root). on_link, if set, is told of each link met (path, target): never set
 * in a worker, which must not allocate. While it walks, ret holds the path it
 * is looking up: a caller that abandoned the worker reads there where the
 * lookup stopped answering. Returns 0 or -errno. */
int light_resolve(int rootfd, const char *start, const char *path, char ret[PATH_MAX],
                  void (*on_link)(void *ctx, const char *path, const char *target), void *ctx);
