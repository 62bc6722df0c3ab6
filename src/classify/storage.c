/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/blockhist.h"
#include "classify/storage.h"
#include "core/macro.h"
#include "core/strutil.h"
#include "probe/mounts.h"
#include "probe/sagemaker.h"

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

static bool is_fuse(const char *fstype)
{
        return strcmp(fstype, "fuse") == 0 || startswith(fstype, "fuse.");
}

enum storage_kind storage_kind_of(const struct storage *s, bool *ret_ephemeral)
{
        const struct nfs_info *nfs = s->nfs;
        const struct block_device *dev = s->device;

        *ret_ephemeral = false;
        /* Mountpoint for Amazon S3 names every FUSE mount it makes
         * "mountpoint-s3" (FSName, awslabs/mountpoint-s3 fuse/config.rs [D]). */
        if (is_fuse(s->fstype) && streq_ptr(s->source, "mountpoint-s3"))
                return STORAGE_S3;
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

/* The EFS-recommended set (docs: efs/latest/ug/mounting-fs-nfs-mount-settings.html,
 * and what efs-utils mount_options.py sets): each deviation and what it costs. */
void storage_check_nfs_options(const char *o, struct nfs_info *n)
{
        _cleanup_free_ char *vers = mount_option_get(o, "vers");
        _cleanup_free_ char *rsize = mount_option_get(o, "rsize");
        _cleanup_free_ char *wsize = mount_option_get(o, "wsize");
        _cleanup_free_ char *timeo = mount_option_get(o, "timeo");
        _cleanup_free_ char *retrans = mount_option_get(o, "retrans");
        unsigned v;

        if (vers && strcmp(vers, "4.1") != 0)
                (void)strv_extendf(&n->warnings,
                                   "vers=%s: EFS recommends NFS 4.1; with 4.0 parallel small-file "
                                   "work runs at under 1,000 files/s instead of over 10,000",
                                   vers);
        if (rsize && (parse_u32(rsize, &v) < 0 || v < 1048576))
                (void)strv_extendf(&n->warnings,
                                   "rsize=%s: reads smaller than 1 MiB take more round trips, so "
                                   "large files read slower; EFS recommends rsize=1048576",
                                   rsize);
        if (wsize && (parse_u32(wsize, &v) < 0 || v < 1048576))
                (void)strv_extendf(&n->warnings,
                                   "wsize=%s: writes smaller than 1 MiB take more round trips, so "
                                   "large files write slower; EFS recommends wsize=1048576",
                                   wsize);
        if (mount_option_has(o, "soft"))
                (void)strv_extendf(&n->warnings,
                                   "soft: a slow answer from the server becomes an I/O error "
                                   "that programs rarely handle, risking corrupt files; EFS "
                                   "recommends hard");
        if (timeo && strcmp(timeo, "600") != 0)
                (void)strv_extendf(&n->warnings,
                                   "timeo=%s: the client retries after %s tenths of a second; "
                                   "EFS recommends 600 (60 s), as shorter ones pile retries on "
                                   "a busy server",
                                   timeo, timeo);
        if (retrans && strcmp(retrans, "2") != 0)
                (void)strv_extendf(&n->warnings,
                                   "retrans=%s: EFS recommends 2 retries before the client "
                                   "reports the server as not responding",
                                   retrans);
        if (!mount_option_has(o, "noresvport"))
                (void)strv_extendf(&n->warnings,
                                   "resvport: after a network interruption the client reconnects "
                                   "from the same port and can hang; EFS recommends noresvport");
        n->options_ok = !n->warnings;
}

/* A notebook instance's ML storage volume on a Xen instance type (ml.t2,
 * ml.m4, ml.c4, ml.p2...): xen-blkfront shows EBS as /dev/xvd* with no model
 * or serial (studio-facts §10 [O]), so the model table cannot name it. The
 * volume at NOTEBOOK_INSTANCE_HOME is EBS by the documentation (§3 [D]);
 * that the Xen disk there is that volume is inferred [I], hence two signals:
 * the disk sits on the Xen bus (sysfs /sys/devices/vbd-<id>, Linux
 * xen-blkfront) and it is mounted at the ML volume's mount point, with
 * /sys/hypervisor/type, when readable, not saying otherwise. These Xen types
 * have no instance store (EC2 instance types), so no other AWS kind fits. */
static bool xen_ml_volume(const struct report *r, const struct storage *s)
{
        const struct block_device *d = s->device;

        if (!d || d->model || d->serial || !d->sysfs_path || !s->mountpoint)
                return false;
        if (!startswith(d->sysfs_path, "/sys/devices/vbd-"))
                return false;
        if (r->hypervisor && strcmp(r->hypervisor, "xen") != 0)
                return false;
        return strcmp(s->mountpoint, NOTEBOOK_INSTANCE_HOME) == 0;
}

static int add_xen_warning(struct report *r, const struct storage *s)
{
        const char *vbd = s->device->sysfs_path + strlen("/sys/devices/");

        return report_add_warning(r,
                                  "%s taken as EBS: /dev/%s is a Xen virtual disk (%.*s) "
                                  "%s, mounted at the notebook instance's ML storage volume; "
                                  "Xen shows no volume id, so it cannot be read",
                                  s->mountpoint, s->device->name, (int)strcspn(vbd, "/"), vbd,
                                  r->hypervisor ? "and /sys/hypervisor/type says xen"
                                                : "(/sys/hypervisor/type unreadable)");
}

/* S3 that SageMaker mounts without saying how (landscape §1.2, §8: the
 * fstype and source of these mounts were never published): Unified Studio's
 * project folder ~/shared, S3-backed by default [D], and S3 custom file
 * systems, by analogy with the efs/ and fsx_lustre/ directories [I]. Users
 * cannot mount FUSE in Studio (awslabs/mountpoint-s3#1345 [O]), so a FUSE
 * mount there is the platform's: the place and the fstype, two signals. */
static const char *const s3_places[] = {
        SAGEMAKER_USER_HOME "/shared",
        CUSTOM_FILE_SYSTEMS_S3,
};

static const char *s3_place(const struct storage *s)
{
        if (!s->mountpoint || !is_fuse(s->fstype))
                return NULL;
        if (strcmp(s->mountpoint, s3_places[0]) == 0)
                return "Unified Studio's project folder";
        if (path_is_under(s->mountpoint, s3_places[1]) && strcmp(s->mountpoint, s3_places[1]) != 0)
                return "an S3 custom file system's place";
        return NULL;
}

/* The domain's home EFS that SageMaker auto-mounts into a Studio (new) private
 * space, told from a custom EFS (landscape §4, studio-facts §2): it is reached
 * through the user's access point, fs-<id>_fsap-<id> in the mount point [D]
 * [O] (a custom EFS configuration names no access point, API
 * CustomFileSystemConfig), and ~/user-default-efs links to it [O]. That this
 * pair means the home EFS is inferred [I]: both must hold. */
static bool is_domain_home_efs(const struct report *r, const struct storage *s)
{
        const char *t = r->sagemaker.user_default_efs;
        _cleanup_free_ char *joined = NULL, *norm = NULL;

        if (s->kind != STORAGE_EFS || !s->nfs || !s->nfs->efs_access_point_id || !t ||
            !s->mountpoint || !path_is_under(s->mountpoint, CUSTOM_FILE_SYSTEMS_EFS))
                return false;
        if (t[0] != '/' && asprintf(&joined, "%s/%s", SAGEMAKER_USER_HOME, t) < 0)
                return false;
        norm = path_normalize(joined ? joined : t);
        return norm && strcmp(norm, s->mountpoint) == 0;
}

int classify_storage(struct report *r)
{
        const char *place;
        struct storage *s;
        int k;

        report_for_each_storage(s, r) {
                /* Without a mount (none holds the path) it has no kind. */
                if (s->fstype)
                        s->kind = storage_kind_of(s, &s->ephemeral);
                if (s->fstype && s->kind == STORAGE_UNKNOWN && (place = s3_place(s))) {
                        s->kind = STORAGE_S3;
                        k = report_add_warning(r,
                                               "%s taken as S3: a FUSE mount (%s from %s) on %s; "
                                               "object storage over the network, not a disk",
                                               s->mountpoint, s->fstype, strna(s->source), place);
                        if (k < 0)
                                return k;
                }
                if (s->fstype && (s->kind == STORAGE_LOCAL || s->kind == STORAGE_UNKNOWN) &&
                    xen_ml_volume(r, s)) {
                        s->kind = STORAGE_EBS;
                        if ((k = add_xen_warning(r, s)) < 0)
                                return k;
                }
                if (s->nfs)
                        storage_check_nfs_options(s->fs_options, s->nfs);
                if (s->nfs)
                        s->nfs->domain_home_efs = is_domain_home_efs(r, s);
        }

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
        return classify_block_history(r);
}
