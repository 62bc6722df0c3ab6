/* SPDX-License-Identifier: MIT */
#pragma once

/* The private directory a run works in, inside the benchmarked one: its name
 * pattern, its marker file, its removal, and the sweep of those that killed
 * runs left behind. Every call goes through directory descriptors and never
 * follows a symbolic link. */

#include <signal.h>
#include <stdint.h>

#include "bench/owner.h"
#include "model.h"

#define BENCH_PRIVATE_PREFIX "studio-probe-bench."
#define BENCH_PRIVATE_RANDOM 12
/* The marker (bench_owner_format()), locked with flock(2) while the run lives. */
#define BENCH_MARKER "owner"

/* Removes the private directory name of basefd, whose descriptor is dirfd,
 * with what it holds. Returns 0 once it is gone, or -errno. */
int privdir_remove(int basefd, int dirfd, const char *name);

/* The same, by the child when its parent is gone; basefd < 0: the child gave
 * its copy away, and finds the directory's parent through "..". */
void privdir_remove_self(int basefd, int dirfd, const char *name);

/* Removes the private directories in basefd that killed runs left, when the
 * processes of their markers are proven dead (self: this run's marker), and
 * counts them in m (stale_*). Stops early once *stop is set. Best effort. */
void privdir_sweep(int basefd, const struct bench_owner *self, const volatile sig_atomic_t *stop,
                   struct bench_measure *m);
