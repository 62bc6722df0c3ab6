/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "model.h"
#include "sysroot.h"

/* Where a snapshot keeps the facts that are not files (studio-probe collect
 * writes it; --sysroot reads it). */
#define SNAPSHOT_FACTS "/.studio-probe/facts.json"
/* udev's database entry of block device MAJ:MIN is UDEV_DATA_PREFIX "MAJ:MIN". */
#define UDEV_DATA_PREFIX "/run/udev/data/b"

/* For collect: the lines of a udev database file that the probe reads
 * (ID_FS_TYPE, ID_FS_UUID, ID_FS_LABEL[_ENC]), nothing else. 0 or -ENOMEM. */
int probe_reduce_udev_data(const char *in, size_t len, char **ret, size_t *ret_len);

struct probe_params {
        const char *path;     /* NULL: the default list */
        uint64_t timeout_ns;
        const char *cwd;      /* live: for a relative --path */
};

/* Fills r with everything the system says. Returns 0 (possibly with
 * r->timed_out), or a failure: -ENOENT (no mount holds the path / the path
 * does not exist), -ELOOP, -EACCES... with a message in *ret_error. Never logs. */
/* "/dev/nvme0n1p1": the key of a device in the snapshot's facts (malloc'd, NULL on OOM). */
char *probe_device_node(const struct block_device *d);

struct mount_entry;
/* Fills s from one mount-table entry: the NFS analysis, the block device from
 * sysfs, the storage kind. Unreadable sysfs adds warnings. Returns 0 or
 * -ENOMEM. The fuzzer drives it too. */
int probe_describe_mount(const struct sysroot *root, const struct mount_entry *e,
                         struct storage *s, char ***warnings);

int probe_run(const struct sysroot *root, const struct probe_params *p, struct report *r,
              char **ret_error);
