/* SPDX-License-Identifier: MIT */
#pragma once

#include "model.h"
#include "core/sysroot.h"

/* udev's database entry of block device MAJ:MIN is UDEV_DATA_PREFIX "MAJ:MIN". */
#define UDEV_DATA_PREFIX "/run/udev/data/b"

/* Describes the block device MAJ:MIN from sysfs (/sys/dev/block/MAJ:MIN, up to
 * the whole disk for a partition, through slaves/ for device-mapper and md).
 * Returns 0, -ENOENT when sysfs has no such device, or -ENOMEM. Unreadable or
 * garbled attributes leave fields NULL and add a warning. Does not log. */
int blockdev_probe(const struct sysroot *root, unsigned major, unsigned minor,
                   struct block_device **ret, char ***warnings);

/* "vol0abc..." (the NVMe serial of an EBS volume) → "vol-0abc...", NULL when
 * the serial is not a volume id. */
char *ebs_volume_id_from_serial(const char *serial);

/* Fills d's fs_type, uuid and label from udev's database entry of MAJ:MIN,
 * where it has them. Returns whether it knew the file system type. */
bool blockdev_read_udev(const struct sysroot *root, unsigned major, unsigned minor,
                        struct block_device *d);

/* For collect: the lines of a udev database file that the probe reads
 * (ID_FS_TYPE, ID_FS_UUID, ID_FS_LABEL[_ENC]), nothing else. 0 or -ENOMEM. */
int blockdev_reduce_udev_data(const char *in, size_t len, char **ret, size_t *ret_len);
