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

enum storage_kind storage_kind_of(const struct storage *s, bool *ret_ephemeral)
{
        const struct nfs_info *nfs = s->nfs;
        const struct block_device *dev = s->device;

        *ret_ephemeral = false;
        for (size_t i = 0; i < ARRAY_SIZE(fstype_kinds); i++)
                if (strcmp(s->fstype, fstype_kinds[i].fstype) == 0) {
                        *ret_ephemeral = fstype_kinds[i].kind == STORAGE_TMPFS;
                        return fstype_kinds[i].kind;
                }
        if (nfs)
                return nfs->efs_filesystem_id || nfs->efs_utils ? STORAGE_EFS : STORAGE_NFS;
        if (s->dev_major == 0 || !dev)
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

int classify_storage(struct report *r)
{
        struct storage *s;
        int k;

        /* A storage without a mount (no mount holds the path) has no kind. */
        report_for_each_storage(s, r)
                if (s->fstype)
                        s->kind = storage_kind_of(s, &s->ephemeral);

        /* NFS option findings belong to the report's warnings too, by mount. */
        report_for_each_storage(s, r) {
                for (char **w = s->nfs ? s->nfs->warnings : NULL; w && *w; w++) {
                        k = report_add_warning(r, "%s: %s", s->mountpoint, *w);
                        if (k < 0)
                                return k;
                }
                if (s->ephemeral && s->kind == STORAGE_INSTANCE_STORE) {
                        k = report_add_warning(r,
                                               "%s is instance store: it is wiped when the app "
                                               "is deleted, restarted or patched",
                                               s->mountpoint);
                        if (k < 0)
                                return k;
                }
        }
        /* Of a home found by default only, not of a path asked for. */
        if (r->home.kind == STORAGE_OVERLAY && !r->path_given) {
                k = report_add_warning(r,
                                       "%s is on the container's own file system: what is "
                                       "written there is lost when the container restarts",
                                       r->home.path);
                if (k < 0)
                        return k;
        }
        return 0;
}
