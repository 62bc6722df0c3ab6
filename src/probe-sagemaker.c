/* SPDX-License-Identifier: MIT */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "sagemaker.h"
#include "strutil.h"

/* Real metadata files are a few hundred bytes; the cap bounds memory and
 * cJSON's time on hostile input. cJSON itself stops at 1000 levels of nesting
 * (CJSON_NESTING_LIMIT), so deep input cannot exhaust the stack. */
#define METADATA_MAX (1024 * 1024)
/* ARG_MAX-sized environments exist; 4 MiB holds any real one. */
#define ENVIRON_MAX (4 * 1024 * 1024)
#define FIELD_MAX 4096

DEFINE_TRIVIAL_CLEANUP_FUNC(cJSON *, cJSON_Delete)

static void set_field(char **dst, const cJSON *root, const char *key, const char *display,
                      char ***warnings)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
        size_t len;

        if (!v || cJSON_IsNull(v))
                return;
        if (!cJSON_IsString(v) || !v->valuestring) {
                (void)strv_extendf(warnings, "%s: %s is not a string, ignoring", display, key);
                return;
        }
        len = strlen(v->valuestring);
        if (len > FIELD_MAX) {
                (void)strv_extendf(warnings, "%s: %s is longer than %d bytes, ignoring", display,
                                   key, FIELD_MAX);
                return;
        }
        if (!utf8_is_valid(v->valuestring, len)) {
                (void)strv_extendf(warnings, "%s: %s is not valid UTF-8, ignoring", display, key);
                return;
        }
        /* SageMaker writes "" for unset fields (AppImageVersion): unknown. */
        if (len == 0)
                return;
        free(*dst);
        *dst = strdup(v->valuestring);
}

int sagemaker_parse_metadata(const char *text, size_t len, const char *display,
                             struct sagemaker *ret, char ***warnings)
{
        _cleanup_(cJSON_Deletep) cJSON *root = NULL;
        const char *end = NULL;

        if (memchr(text, '\0', len)) {
                (void)strv_extendf(warnings, "%s: holds a NUL byte, not JSON, ignoring", display);
                return -EBADMSG;
        }
        root = cJSON_ParseWithLengthOpts(text, len, &end, false);
        if (root && end && end >= text && end <= text + len) {
                /* cJSON stops after the first value and does not mind what
                 * follows: "{...} garbage" is no JSON document (RFC 8259 §2). */
                for (const char *c = end; c < text + len; c++)
                        if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r') {
                                (void)strv_extendf(warnings,
                                                   "%s: invalid JSON: data after the object at "
                                                   "byte %ld, ignoring",
                                                   display, (long)(c - text));
                                return -EBADMSG;
                        }
        }
        if (!root) {
                const char *at = cJSON_GetErrorPtr();
                long off = at && at >= text && at <= text + len ? (long)(at - text) : -1;
                if (off >= 0)
                        (void)strv_extendf(warnings,
                                           "%s: invalid JSON near byte %ld (or nested deeper than "
                                           "%d levels), ignoring",
                                           display, off, CJSON_NESTING_LIMIT);
                else
                        (void)strv_extendf(warnings, "%s: invalid JSON, ignoring", display);
                return -EBADMSG;
        }
        if (!cJSON_IsObject(root)) {
                (void)strv_extendf(warnings, "%s: not a JSON object, ignoring", display);
                return -EBADMSG;
        }
        set_field(&ret->app_type, root, "AppType", display, warnings);
        set_field(&ret->domain_id, root, "DomainId", display, warnings);
        set_field(&ret->space_name, root, "SpaceName", display, warnings);
        set_field(&ret->user_profile_name, root, "UserProfileName", display, warnings);
        set_field(&ret->resource_arn, root, "ResourceArn", display, warnings);
        set_field(&ret->resource_name, root, "ResourceName", display, warnings);
        set_field(&ret->app_image_version, root, "AppImageVersion", display, warnings);
        ret->metadata_present = true;
        return 0;
}

static const struct {
        const char *name;
        size_t offset;
} environ_vars[] = {
        /* studio-facts §3: set by the platform in Studio (new) apps. */
        { "SAGEMAKER_APP_TYPE", offsetof(struct sagemaker, env_app_type) },
        { "SAGEMAKER_SPACE_NAME", offsetof(struct sagemaker, env_space_name) },
        { "SAGEMAKER_SPACE_TYPE_LOWERCASE", offsetof(struct sagemaker, env_space_type) },
        /* Training containers get TRAINING_JOB_NAME (your-algorithms-training-algo). */
        { "TRAINING_JOB_NAME", offsetof(struct sagemaker, env_training_job_name) },
        { "HOME", offsetof(struct sagemaker, home_env) },
};

/* Where the region comes from, most specific first. */
static const char *const region_vars[] = { "AWS_REGION", "REGION_NAME", "AWS_DEFAULT_REGION" };

bool sagemaker_environ_var_used(const char *name, size_t len)
{
        for (size_t i = 0; i < ARRAY_SIZE(environ_vars); i++)
                if (strlen(environ_vars[i].name) == len &&
                    memcmp(environ_vars[i].name, name, len) == 0)
                        return true;
        for (size_t i = 0; i < ARRAY_SIZE(region_vars); i++)
                if (strlen(region_vars[i]) == len && memcmp(region_vars[i], name, len) == 0)
                        return true;
        return false;
}

int sagemaker_parse_environ(const char *buf, size_t len, struct sagemaker *ret,
                            char ***warnings)
{
        const char *region_vals[ARRAY_SIZE(region_vars)] = {};
        size_t region_lens[ARRAY_SIZE(region_vars)] = {};

        for (const char *p = buf, *end = buf + len; p < end;) {
                const char *e = memchr(p, '\0', (size_t)(end - p));
                const char *eq;
                size_t elen;

                if (!e)
                        e = end;
                elen = (size_t)(e - p);
                eq = memchr(p, '=', elen);
                if (eq) {
                        size_t klen = (size_t)(eq - p);
                        const char *val = eq + 1;
                        size_t vlen = elen - klen - 1;

                        for (size_t i = 0; i < ARRAY_SIZE(environ_vars); i++) {
                                char **dst;
                                if (strlen(environ_vars[i].name) != klen ||
                                    memcmp(environ_vars[i].name, p, klen) != 0)
                                        continue;
                                if (vlen > FIELD_MAX || !utf8_is_valid(val, vlen)) {
                                        (void)strv_extendf(warnings,
                                                           "environment: %s is not valid text, "
                                                           "ignoring",
                                                           environ_vars[i].name);
                                        break;
                                }
                                dst = (char **)((char *)ret + environ_vars[i].offset);
                                free(*dst);
                                *dst = vlen ? strndup(val, vlen) : NULL;
                        }
                        for (size_t i = 0; i < ARRAY_SIZE(region_vars); i++)
                                if (strlen(region_vars[i]) == klen &&
                                    memcmp(region_vars[i], p, klen) == 0 && vlen > 0 &&
                                    vlen < 64 && utf8_is_valid(val, vlen)) {
                                        region_vals[i] = val;
                                        region_lens[i] = vlen;
                                }
                }
                p = e + 1;
        }
        for (size_t i = 0; i < ARRAY_SIZE(region_vars); i++)
                if (region_vals[i]) {
                        ret->region = strndup(region_vals[i], region_lens[i]);
                        ret->region_source = strdup(region_vars[i]);
                        break;
                }
        return 0;
}

/* arn:aws:sagemaker:REGION:ACCOUNT:... */
static char *region_from_arn(const char *arn)
{
        const char *p = arn;

        for (int i = 0; i < 3; i++) {
                p = p ? strchr(p, ':') : NULL;
                if (p)
                        p++;
        }
        if (!p || !startswith(arn, "arn:"))
                return NULL;
        {
                const char *e = strchr(p, ':');
                if (!e || e == p)
                        return NULL;
                return strndup(p, (size_t)(e - p));
        }
}

static void read_metadata(const struct sysroot *root, struct sagemaker *ret, char ***warnings)
{
        _cleanup_free_ char *text = NULL, *display = sysroot_display(root, RESOURCE_METADATA);
        size_t len;
        int k;

        k = sysroot_read_file(root, RESOURCE_METADATA, METADATA_MAX, &text, &len);
        if (k == -ENOENT || k == -ENOTDIR)
                return;
        if (k == -EFBIG) {
                (void)strv_extendf(warnings, "%s: larger than 1 MiB, ignoring", strna(display));
                return;
        }
        if (k < 0) {
                (void)strv_extendf(warnings, "cannot read %s: %s, ignoring", strna(display),
                                   strerror(-k));
                return;
        }
        (void)sagemaker_parse_metadata(text, len, strna(display), ret, warnings);
}

static void read_environ(const struct sysroot *root, struct sagemaker *ret, char ***warnings)
{
        _cleanup_free_ char *buf = NULL, *display = sysroot_display(root, PROC_ENVIRON);
        size_t len;
        int k;

        k = sysroot_read_file(root, PROC_ENVIRON, ENVIRON_MAX, &buf, &len);
        if (k == -ENOENT || k == -ENOTDIR)
                return;
        if (k < 0) {
                (void)strv_extendf(warnings, "cannot read %s: %s, ignoring", strna(display),
                                   strerror(k == -EFBIG ? EFBIG : -k));
                return;
        }
        (void)sagemaker_parse_environ(buf, len, ret, warnings);
}

/* build-your-own-processing-container: the job's own description, with
 * ProcessingJobName and ProcessingJobArn. */
static void read_processing_config(const struct sysroot *root, struct sagemaker *ret,
                                   char ***warnings)
{
        _cleanup_free_ char *text = NULL, *display = NULL;
        _cleanup_(cJSON_Deletep) cJSON *j = NULL;
        size_t len;
        int k;

        k = sysroot_read_file(root, PROCESSING_JOBCONFIG, METADATA_MAX, &text, &len);
        if (k == -ENOENT || k == -ENOTDIR)
                return;
        ret->processing_jobconfig = true;
        display = sysroot_display(root, PROCESSING_JOBCONFIG);
        if (k < 0) {
                (void)strv_extendf(warnings, "cannot read %s: %s, ignoring its content",
                                   strna(display), strerror(-k));
                return;
        }
        j = memchr(text, '\0', len) ? NULL : cJSON_ParseWithLength(text, len);
        if (!cJSON_IsObject(j)) {
                (void)strv_extendf(warnings, "%s: not a JSON object, ignoring its content",
                                   strna(display));
                return;
        }
        set_field(&ret->processing_job_name, j, "ProcessingJobName", strna(display), warnings);
        set_field(&ret->processing_job_arn, j, "ProcessingJobArn", strna(display), warnings);
}

int sagemaker_probe(const struct sysroot *root, struct sagemaker *ret, char ***warnings)
{
        _cleanup_free_ char *version = NULL;
        int k;

        read_metadata(root, ret, warnings);
        read_environ(root, ret, warnings);

        k = sysroot_read_attr(root, NOTEBOOK_INSTANCE_MARKER, &version);
        if (k >= 0)
                ret->notebook_instance_version = TAKE_PTR(version);
        else if (k != -ENOENT && k != -ENOTDIR) {
                _cleanup_free_ char *d = sysroot_display(root, NOTEBOOK_INSTANCE_MARKER);
                /* Present but odd is still a notebook instance's marker. */
                ret->notebook_instance_version = strdup("");
                (void)strv_extendf(warnings, "%s: unreadable or not text (%s), ignoring its content",
                                   strna(d), strerror(-k));
        }
        ret->training_resourceconfig = sysroot_exists(root, TRAINING_RESOURCECONFIG);
        read_processing_config(root, ret, warnings);
        ret->processing_resourceconfig = sysroot_exists(root, PROCESSING_RESOURCECONFIG);

        if (!ret->region && (ret->resource_arn || ret->processing_job_arn)) {
                ret->region = region_from_arn(ret->resource_arn ? ret->resource_arn
                                                                : ret->processing_job_arn);
                if (ret->region)
                        ret->region_source = strdup("ResourceArn");
        }
        return 0;
}
