/* SPDX-License-Identifier: MIT */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/archive.h"
#include "bundle/collect.h"
#include "bundle/dest.h"
#include "bundle/gather.h"
#include "bundle/redact.h"
#include "bundle/tree.h"
#include "bundle/verify.h"
#include "classify/classify.h"
#include "core/macro.h"
#include "core/strutil.h"
#include "probe/compute.h"
#include "probe/facts.h"
#include "probe/mounts.h"
#include "probe/mountstats.h"
#include "probe/sagemaker.h"
#include "render/json.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(cJSON *, cJSON_Delete)

/* The report's copy of each mount's options and source, reduced as the
 * bundle's mountinfo is: report.json must not hold what that file does not. */
static int reduce_report_mounts(cJSON *report)
{
        cJSON *mounts = cJSON_GetObjectItemCaseSensitive(report, "mounts");
        cJSON *home = cJSON_GetObjectItemCaseSensitive(report, "home");
        size_t n = cJSON_IsArray(mounts) ? (size_t)cJSON_GetArraySize(mounts) : 0;

        for (size_t i = 0; i <= n; i++) {
                cJSON *m = i == 0 ? home : cJSON_GetArrayItem(mounts, (int)i - 1);
                const char *fstype =
                        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "fstype"));
                cJSON *o = cJSON_GetObjectItemCaseSensitive(m, "options");
                cJSON *src = cJSON_GetObjectItemCaseSensitive(m, "source");
                _cleanup_free_ char *ro = NULL, *rs = NULL;

                if (cJSON_IsString(o) && o->valuestring) {
                        ro = mount_options_reduce(fstype, o->valuestring);
                        if (!ro || !cJSON_SetValuestring(o, ro))
                                return -ENOMEM;
                }
                if (cJSON_IsString(src) && src->valuestring) {
                        rs = mount_source_reduce(src->valuestring);
                        if (!rs || !cJSON_SetValuestring(src, rs))
                                return -ENOMEM;
                }
        }
        return 0;
}

/* The paths the probe itself looks for (probe/probe.c, probe/sagemaker.c,
 * probe/nfs.c, studio-facts §2): a name equal to one of their components
 * ("home", "sagemaker-user") is still replaced in the identity fields, but
 * paths keep their meaning. */
static const char *const probe_paths[] = {
        RESOURCE_METADATA,
        NOTEBOOK_INSTANCE_MARKER,
        TRAINING_RESOURCECONFIG,
        PROCESSING_JOBCONFIG,
        PROCESSING_RESOURCECONFIG,
        PROC_ENVIRON,
        PROC_MOUNTINFO,
        PROC_MOUNTSTATS,
        HYPERPOD_RESOURCE_CONFIG,
        HYPERPOD_OPT_SAGEMAKER,
        HYPERPOD_FSX,
        INFERENCE_MODEL_DIR,
        PROC_INIT_CMDLINE,
        PROC_HOSTNAME,
        ETC_HOSTNAME,
        SNAPSHOT_FACTS,
        ("/" REPORT_NAME),
        HOME_CUSTOM_FILE_SYSTEMS_EFS,
        HOME_CUSTOM_FILE_SYSTEMS_FSX_LUSTRE,
        HOME_USER_DEFAULT_EFS,
        NOTEBOOK_INSTANCE_HOME,
        ROOT_HOME,
        SAGEMAKER_INTERNAL,
        CUSTOM_FILE_SYSTEMS_EFS,
        CUSTOM_FILE_SYSTEMS_FSX_LUSTRE,
        CUSTOM_FILE_SYSTEMS_S3,
        SAGEMAKER_NVME,
        "/sys/dev/block",
        "/run/udev/data",
};

/* The kernel's trees: device and attribute names, and the links between
 * them, stay as they are (a user named "nvme0" must not rename a device). */
static const char *const protected_trees[] = { "/proc", "/sys", "/dev", "/run/udev" };

/* Everything that will be written goes through the redactor twice: once to
 * find the secrets (ARNs, addresses, hosts) and the tokens no placeholder may
 * equal, then, frozen, to write. */
static int build_redactor(const struct report *r, const struct bundle *b, const char *facts,
                          const char *report, struct redactor **ret)
{
        _cleanup_(redactor_freep) struct redactor *red = redactor_new();
        const struct sagemaker *s = &r->sagemaker;
        int k = 0;

        if (!red)
                return -ENOMEM;
        for (size_t i = 0; i < ARRAY_SIZE(probe_paths) && k >= 0; i++)
                k = redactor_reserve_path(red, probe_paths[i]);
        for (size_t i = 0; i < ARRAY_SIZE(protected_trees) && k >= 0; i++)
                k = redactor_protect_tree(red, protected_trees[i]);
        /* The report's own words ("ebs", "studio-new", "high"). */
        for (int i = 0; i < _ENV_MAX && k >= 0; i++)
                k = redactor_reserve(red, environment_to_string(i));
        for (int i = 0; i < _STORAGE_MAX && k >= 0; i++)
                k = redactor_reserve(red, storage_kind_to_string(i));
        for (int i = 0; i < _CONFIDENCE_MAX && k >= 0; i++)
                k = redactor_reserve(red, confidence_to_string(i));
        if (k < 0)
                return k;
        /* Deterministic order: the identity fields first, then what the files hold. */
        if ((k = redactor_add(red, SECRET_DOMAIN, s->domain_id)) < 0 ||
            (k = redactor_add(red, SECRET_USER, s->user_profile_name)) < 0 ||
            (k = redactor_add(red, SECRET_SPACE, s->space_name)) < 0 ||
            (k = redactor_add(red, SECRET_SPACE, s->env_space_name)) < 0 ||
            (k = redactor_add(red, SECRET_RESOURCE, s->resource_name)) < 0 ||
            (k = redactor_add(red, SECRET_JOB, s->processing_job_name)) < 0 ||
            (k = redactor_add(red, SECRET_JOB, s->env_training_job_name)) < 0 ||
            (k = redactor_add(red, SECRET_RESOURCE, s->compute.node_name)) < 0 ||
            (k = redactor_add(red, SECRET_RESOURCE, s->compute.instance_group)) < 0)
                return k;
        if ((k = tree_scan(red, b, facts, report)) < 0 || (k = redactor_freeze(red)) < 0)
                return k;
        *ret = TAKE_PTR(red);
        return 0;
}

int collect_write(const struct sysroot *root, const struct report *r, struct collect_dest *d,
                  bool redact_names, size_t *ret_files, char ***ret_warnings, char *err,
                  size_t errlen)
{
        _cleanup_(cJSON_Deletep) cJSON *j = NULL;
        _cleanup_free_ char *facts = NULL, *report = NULL;
        _cleanup_strv_free_ char **warnings = NULL;
        _cleanup_(redactor_freep) struct redactor *red = NULL;
        struct archive_tmp a = { .fd = -1 };
        struct bundle b = {};
        int dirfd, k;

        if (err && errlen)
                err[0] = '\0';
        if (root->rec && root->rec->err < 0) {
                format_err(err, errlen, "collect: out of memory while recording");
                return root->rec->err;
        }
        k = gather(root, &b, &warnings);
        if (k == 0)
                k = gather_ebs_pages(root, r, &b, &warnings);
        if (k < 0)
                goto fail;
        facts = facts_write(r);
        j = report_to_json(r);
        if (j && reduce_report_mounts(j) < 0) {
                k = -ENOMEM;
                goto fail;
        }
        report = j ? cJSON_Print(j) : NULL;
        if (!facts || !report) {
                k = -ENOMEM;
                goto fail;
        }
        if (redact_names && (k = build_redactor(r, &b, facts, report, &red)) < 0) {
                if (k == -E2BIG)
                        format_err(err, errlen,
                                   "collect: --redact: more addresses than "
                                   "placeholders for them");
                goto fail;
        }
        if (d->archive)
                k = archive_begin(d->path, &a, err, errlen);
        dirfd = d->archive ? a.fd : d->dirfd;
        if (k == 0)
                k = tree_write(dirfd, &b, red, facts, report, ret_files, err, errlen);
        /* A bundle that would mislead support is worse than none; an archive
         * is checked before tar, so a refused bundle never becomes one. A
         * timed-out run has no complete facts to compare: its bundle is
         * already reported incomplete. */
        if (k == 0 && red && !r->timed_out) {
                k = verify_redacted(dirfd, d->path, r, red, err, errlen);
                /* The directory was empty before we wrote: all of it is ours. */
                if (k < 0 && !d->archive)
                        collect_dest_empty(d->dirfd);
        }
        if (d->archive) {
                if (k == 0)
                        k = archive_finish(&a, d->path, err, errlen);
                archive_done(&a);
        }
        if (ret_warnings && warnings)
                *ret_warnings = TAKE_PTR(warnings);
fail:
        if (k == -ENOMEM && err && errlen && !err[0])
                format_err(err, errlen, "collect: out of memory");
        bundle_done(&b);
        return k;
}
