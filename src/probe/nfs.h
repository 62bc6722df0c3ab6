/* SPDX-License-Identifier: MIT */
#pragma once

#include "model.h"
#include "probe/mounts.h"

/* The network file systems AWS serves. NFS server, export and EFS ids of an
 * nfs/nfs4 mount; classify_storage() checks its options. */
int nfs_describe(const struct mount_entry *e, struct nfs_info **ret);

/* "fs-0123.efs.us-east-1.amazonaws.com" (or its AZ-prefixed mount target name). */
bool efs_parse_dns(const char *server, char **ret_fsid, char **ret_region);
/* SageMaker's "/mnt/custom-file-systems/efs/fs-<id>[_fsap-<id>]". */
bool efs_parse_mountpoint(const char *target, char **ret_fsid, char **ret_apid);

/* Server NIDs, mount name, directory and FSx file-system id of a lustre mount. */
int lustre_describe(const struct mount_entry *e, struct fsx_info **ret);
