/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "model.h"
#include "core/sysroot.h"

struct probe_params {
        const char *path; /* NULL: the default list */
        uint64_t timeout_ns;
        const char *cwd; /* live: for a relative --path */
};

/* "/dev/nvme0n1p1": the key of a device in the snapshot's facts (malloc'd, NULL on OOM). */
char *probe_device_node(const struct block_device *d);

struct mount_entry;
/* Fills s from one mount-table entry: the NFS analysis and the block device
 * from sysfs; classify_storage() decides its kind later. Unreadable sysfs adds
 * warnings. Returns 0 or -ENOMEM. The fuzzer drives it too. */
int probe_describe_mount(const struct sysroot *root, const struct mount_entry *e, struct storage *s,
                         char ***warnings);

/* Fills r with everything the system says. Returns 0 (possibly with
 * r->timed_out), or a failure: -ENOENT (no mount holds the path / the path
 * does not exist), -ELOOP, -EACCES... with a message in *ret_error. Never logs. */
int probe_run(const struct sysroot *root, const struct probe_params *p, struct report *r,
              char **ret_error);

/* Whether the file systems of host paths the run reads or writes outside the
 * probe's workers (a --sysroot, collect's destination) answer, each looked up
 * (and its file system asked for statfs) in a worker bounded by timeout_ns;
 * relative paths are taken from cwd (NULL: unknown). A file system that
 * answers once is taken to be alive; one that dies later still hangs the run.
 * Returns 0 when every path answered, whatever it answered (a missing path is
 * the caller's to report); -ETIMEDOUT with the index of the first path that
 * did not in *ret_index and "MOUNT (TYPE from SOURCE) did not answer within
 * T" in *ret_error; or -errno when the workers could not run. Never logs. */
int probe_paths_answer(const char *const *paths, size_t n, const char *cwd, uint64_t timeout_ns,
                       size_t *ret_index, char **ret_error);
