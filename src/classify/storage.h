/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "model.h"

/* The kind of storage s is, from what the mount table, NFS analysis and sysfs
 * said of it (its fstype, device number, nfs and device). */
enum storage_kind storage_kind_of(const struct storage *s, bool *ret_ephemeral);

/* The EFS-recommended NFS options (the super-block options o, where NFS keeps
 * vers=, rsize=...): each deviation becomes one of n's warnings, saying what it
 * costs; n->options_ok when there is none. */
void storage_check_nfs_options(const char *o, struct nfs_info *n);

/* Decides the kind of every storage of r the probe found a mount for, and adds
 * the warnings about them (NFS options against EFS's advice, instance store,
 * a default home on the container's overlay). Runs after probe_run(), before
 * classify(). Pure: reads nothing from the system. Returns 0 or -ENOMEM. */
int classify_storage(struct report *r);
