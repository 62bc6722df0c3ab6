/* SPDX-License-Identifier: MIT */
#pragma once

#include "model.h"
#include "core/sysroot.h"

/* Describes the block device MAJ:MIN from sysfs (/sys/dev/block/MAJ:MIN, up to
 * the whole disk for a partition, through slaves/ for device-mapper and md).
 * Returns 0, -ENOENT when sysfs has no such device, or -ENOMEM. Unreadable or
 * garbled attributes leave fields NULL and add a warning. Does not log. */
int blockdev_probe(const struct sysroot *root, unsigned major, unsigned minor,
                   struct block_device **ret, char ***warnings);

/* "vol0abc..." (the NVMe serial of an EBS volume) → "vol-0abc...", NULL when
 * the serial is not a volume id. */
char *ebs_volume_id_from_serial(const char *serial);
