/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "model.h"
#include "probe/mounts.h"

/* The kind of storage from what the mount table, NFS analysis and sysfs say. */
enum storage_kind storage_kind_of(const struct mount_entry *e, const struct nfs_info *nfs,
                                  const struct block_device *dev, bool *ret_ephemeral);
