/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "classify/storage.h"
#include "core/macro.h"
#include "core/strutil.h"

static const struct {
        const char *fstype;
        enum storage_kind kind;
} fstype_kinds[] = {
        { "overlay", STORAGE_OVERLAY },
        { "tmpfs", STORAGE_TMPFS },
        { "ramfs", STORAGE_TMPFS },
        { "devtmpfs", STORAGE_TMPFS },
        /* FSx for Lustre mounts as "lustre" from "<ip>@tcp:/<mountname>"
         * (studio-facts §2, observed in SageMaker custom file systems). */
        { "lustre", STORAGE_FSX_LUSTRE },
};

static const struct {
        const char *model;
        enum storage_kind kind;
        bool ephemeral;
} model_kinds[] = {
        /* amazon-ec2-utils 70-ec2-nvme-devices.rules matches these model strings. */
        { "Amazon Elastic Block Store", STORAGE_EBS, false },
        /* Instance store is wiped when the app is deleted, restarted or patched
         * (docs: studio-updated-nvme.html). */
        { "Amazon EC2 NVMe Instance Storage", STORAGE_INSTANCE_STORE, true },
};

enum storage_kind storage_kind_of(const struct mount_entry *e, const struct nfs_info *nfs,
                                  const struct block_device *dev, bool *ret_ephemeral)
{
        *ret_ephemeral = false;
        for (size_t i = 0; i < ARRAY_SIZE(fstype_kinds); i++)
                if (strcmp(e->fstype, fstype_kinds[i].fstype) == 0) {
                        *ret_ephemeral = fstype_kinds[i].kind == STORAGE_TMPFS;
                        return fstype_kinds[i].kind;
                }
        if (nfs)
                return nfs->efs_filesystem_id || nfs->efs_utils ? STORAGE_EFS : STORAGE_NFS;
        if (e->major == 0 || !dev)
                return STORAGE_UNKNOWN;
        for (size_t i = 0; i < ARRAY_SIZE(model_kinds); i++)
                if (streq_ptr(dev->model, model_kinds[i].model)) {
                        *ret_ephemeral = model_kinds[i].ephemeral;
                        return model_kinds[i].kind;
                }
        if (dev->model_unreadable)
                return STORAGE_UNKNOWN;
        /* A block device we could read that is none of AWS's kinds. */
        return dev->model || dev->serial || dev->size_bytes != U64_UNSET ? STORAGE_LOCAL
                                                                         : STORAGE_UNKNOWN;
}
