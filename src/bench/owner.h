/* SPDX-License-Identifier: MIT */
#pragma once

/* The marker of a private directory: which processes run there (boot id, PID
 * namespace, PID and start time), and whether they are all gone. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bench_owner {
        char boot_id[40];
        char pidns[48]; /* readlink of /proc/self/ns/pid */
        unsigned n;
        struct {
                int pid;
                uint64_t start; /* /proc/PID/stat field 22 */
        } p[2];
};

/* Formats o into buf; returns the length, or -ENOBUFS. */
int bench_owner_format(const struct bench_owner *o, char *buf, size_t len);
/* Parses a marker; every line must be as bench_owner_format() writes it.
 * Returns 0 or -EINVAL. */
int bench_owner_parse(const char *buf, size_t len, struct bench_owner *ret);

/* Adds this process to o (and the boot id and PID namespace). -ENXIO when
 * /proc is not ours, -ENOBUFS when o is full, or -errno; o->n is then
 * unchanged. */
int bench_owner_self(struct bench_owner *o);

/* Whether every process o names is gone, judged from self (a marker of this
 * process): false unless proven. */
bool bench_owner_dead(const struct bench_owner *o, const struct bench_owner *self);
