/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "model.h"
#include "sysroot.h"

/* Where a snapshot keeps the facts that are not files (studio-probe collect
 * writes it; --sysroot reads it). */
#define SNAPSHOT_FACTS "/.studio-probe/facts.json"

struct probe_params {
        const char *path;     /* NULL: the default list */
        uint64_t timeout_ns;
        const char *cwd;      /* live: for a relative --path */
};

/* Fills r with everything the system says. Returns 0 (possibly with
 * r->timed_out), or a failure: -ENOENT (no mount holds the path / the path
 * does not exist), -ELOOP, -EACCES... with a message in *ret_error. Never logs. */
int probe_run(const struct sysroot *root, const struct probe_params *p, struct report *r,
              char **ret_error);
