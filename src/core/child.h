/* SPDX-License-Identifier: MIT */
#pragma once

/* A forked child that must never hold up its caller or the caller's callers:
 * one stuck in the kernel (a dead NFS server) holds neither the terminal nor
 * any copy of the pipe a shell reads our output from (`x=$(studio-probe)`,
 * `3>&1` in a harness), or that reader would wait for EOF forever; and every
 * descriptor it does not need would count against RLIMIT_NOFILE. systemd's
 * forked helpers are set up the same way. */

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct child_setup {
        /* The descriptors the child keeps, under their numbers. 0, 1 or 2
         * here keeps that standard stream; the others go to /dev/null (closed
         * if it cannot be opened). Every other descriptor is closed. */
        const int *keep;
        size_t n_keep;
        /* Sent to the child when the caller dies (PR_SET_PDEATHSIG), and at
         * once when the caller died before the child could ask for it; 0:
         * the child outlives the caller (a cleanup that must finish). */
        int deathsig;
        /* Every signal disposition back to SIG_DFL: the caller's handlers are
         * not the child's. Otherwise they are inherited. */
        bool default_signals;
        /* The child's signal mask, set before deathsig can arrive; NULL: the
         * caller's. */
        const sigset_t *mask;
};

/* fork(2), then the child set up as s says. stdout and stderr are flushed
 * first, or what they buffer would be written twice. Returns the child's pid
 * in the caller, 0 in the child, or -errno (no child). */
pid_t child_fork(const struct child_setup *s);
