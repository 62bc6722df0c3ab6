/* SPDX-License-Identifier: MIT */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "probe/sagemaker.h"
#include "core/strutil.h"

/* Real metadata files are a few hundred bytes; the cap bounds memory and
 * cJSON's time on hostile input. cJSON itself stops at 1000 levels of nesting
 * (CJSON_NESTING_LIMIT), so deep input cannot exhaust the stack. */
#define METADATA_MAX (1024 * 1024)
/* ARG_MAX-sized environments exist; 4 MiB holds any real one. */
#define ENVIRON_MAX (4 * 1024 * 1024)
#define FIELD_MAX 4096

DEFINE_TRIVIAL_CLEANUP_FUNC(cJSON *, cJSON_Delete)

/* The fields read from each JSON file, and only those: the parsers fill them
 * and the reducers that write a bundle's copy keep them, from one table. */
struct json_field {
        const char *key;
        size_t offset; /* of a char * in struct sagemaker */
};

static const struct json_field metadata_fields[] = {
        { "AppType", offsetof(struct sagemaker, app_type) },
        { "DomainId", offsetof(struct sagemaker, domain_id) },
        { "SpaceName", offsetof(struct sagemaker, space_name) },
        { "UserProfileName", offsetof(struct sagemaker, user_profile_name) },
        { "ResourceArn", offsetof(struct sagemaker, resource_arn) },
        { "ResourceName", offsetof(struct sagemaker, resource_name) },
        { "AppImageVersion", offsetof(struct sagemaker, app_image_version) },
        /* Studio (new) spaces carry these, and no UserProfileName: AWS's own
         * tools ask DescribeSpace for the owner (landscape §1.1, §2 [O]). */
        { "ResourceArnCaseSensitive", offsetof(struct sagemaker, resource_arn_case_sensitive) },
        { "IpAddressType", offsetof(struct sagemaker, ip_address_type) },
};

/* Unified Studio's object in resource-metadata.json (landscape-2026 §1.2,
 * §2: AWS's toolkit type ResourceMetadata and the server extension's tests).
 * Only the ids the report names; the S3 path, subnets, security group and
 * user id stay home. */
#define ADDITIONAL_METADATA "AdditionalMetadata"
static const struct json_field additional_metadata_fields[] = {
        { "DataZoneDomainId", offsetof(struct sagemaker, datazone_domain_id) },
        { "DataZoneProjectId", offsetof(struct sagemaker, datazone_project_id) },
        { "ProjectSharedDirectory", offsetof(struct sagemaker, project_shared_directory) },
};

static const struct json_field jobconfig_fields[] = {
        { "ProcessingJobName", offsetof(struct sagemaker, processing_job_name) },
        { "ProcessingJobArn", offsetof(struct sagemaker, processing_job_arn) },
};

enum field_state {
        FIELD_ABSENT, /* missing or null */
        FIELD_OK,     /* a string ("" included) */
        FIELD_NOT_STRING,
        FIELD_TOO_LONG,
        FIELD_NOT_UTF8,
};

static enum field_state field_state(const cJSON *v)
{
        size_t len;

        if (!v || cJSON_IsNull(v))
                return FIELD_ABSENT;
        if (!cJSON_IsString(v) || !v->valuestring)
                return FIELD_NOT_STRING;
        len = strlen(v->valuestring);
        if (len > FIELD_MAX)
                return FIELD_TOO_LONG;
        if (!utf8_is_valid(v->valuestring, len))
                return FIELD_NOT_UTF8;
        return FIELD_OK;
}

static void set_field(struct sagemaker *ret, const struct json_field *f, const cJSON *root,
                      const char *display, char ***warnings)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, f->key);
        char **dst = (char **)((char *)ret + f->offset);

        switch (field_state(v)) {
        case FIELD_ABSENT:
                return;
        case FIELD_NOT_STRING:
                (void)strv_extendf(warnings, "%s: %s is not a string, ignoring", display, f->key);
                return;
        case FIELD_TOO_LONG:
                (void)strv_extendf(warnings, "%s: %s is longer than %d bytes, ignoring", display,
                                   f->key, FIELD_MAX);
                return;
        case FIELD_NOT_UTF8:
                (void)strv_extendf(warnings, "%s: %s is not valid UTF-8, ignoring", display,
                                   f->key);
                return;
        case FIELD_OK:
                break;
        }
        /* SageMaker writes "" for unset fields (AppImageVersion): unknown. */
        if (!v->valuestring[0])
                return;
        free(*dst);
        *dst = strdup(v->valuestring);
}

/* A stand-in for a field's value that the parser judges as it judged the
 * original (same warning or none), holding none of the original's content
 * unless that is a string the parser takes. */
static cJSON *reduce_field(const cJSON *v)
{
        switch (field_state(v)) {
        case FIELD_ABSENT:
                return v ? cJSON_CreateNull() : NULL;
        case FIELD_OK:
                return cJSON_CreateString(v->valuestring);
        case FIELD_NOT_STRING:
                if (cJSON_IsBool(v))
                        return cJSON_CreateBool(cJSON_IsTrue(v));
                if (cJSON_IsArray(v))
                        return cJSON_CreateArray();
                if (cJSON_IsObject(v))
                        return cJSON_CreateObject();
                return cJSON_CreateNumber(0);
        case FIELD_TOO_LONG: {
                _cleanup_free_ char *s = malloc(FIELD_MAX + 2);
                if (!s)
                        return NULL;
                memset(s, 'x', FIELD_MAX + 1);
                s[FIELD_MAX + 1] = '\0';
                return cJSON_CreateString(s);
        }
        case FIELD_NOT_UTF8:
                return cJSON_CreateString("\xff");
        }
        return NULL;
}

/* The table's fields of root, each reduced, into out. */
static int reduce_fields(const cJSON *root, const struct json_field *fields, size_t n, cJSON *out)
{
        for (size_t i = 0; i < n; i++) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, fields[i].key);
                cJSON *r;

                if (!v)
                        continue;
                r = reduce_field(v);
                if (!r)
                        return -ENOMEM;
                if (!cJSON_AddItemToObject(out, fields[i].key, r)) {
                        cJSON_Delete(r);
                        return -ENOMEM;
                }
        }
        return 0;
}

/* AdditionalMetadata: an object keeps its table's fields; anything else a
 * stand-in of no content that the parser refuses the same way. */
static int reduce_additional_metadata(const cJSON *root, cJSON *out)
{
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, ADDITIONAL_METADATA);
        cJSON *r;

        if (!a)
                return 0;
        r = cJSON_IsNull(a)     ? cJSON_CreateNull()
            : cJSON_IsObject(a) ? cJSON_CreateObject()
                                : cJSON_CreateNumber(0);
        if (!r)
                return -ENOMEM;
        if (!cJSON_AddItemToObject(out, ADDITIONAL_METADATA, r)) {
                cJSON_Delete(r);
                return -ENOMEM;
        }
        if (!cJSON_IsObject(a))
                return 0;
        return reduce_fields(a, additional_metadata_fields, ARRAY_SIZE(additional_metadata_fields),
                             r);
}

/* What a bundle keeps of an object: the table's fields, each reduced (and,
 * for resource-metadata.json, its AdditionalMetadata). */
static int reduce_object(const cJSON *root, const struct json_field *fields, size_t n,
                         bool additional, char **ret, size_t *ret_len)
{
        _cleanup_(cJSON_Deletep) cJSON *out = cJSON_CreateObject();
        char *text;
        int k;

        if (!out)
                return -ENOMEM;
        k = reduce_fields(root, fields, n, out);
        if (k == 0 && additional)
                k = reduce_additional_metadata(root, out);
        if (k < 0)
                return k;
        text = cJSON_Print(out);
        if (!text)
                return -ENOMEM;
        *ret_len = strlen(text);
        *ret = text;
        return 0;
}

/* A file the probe refuses for its size: as many bytes of filler, no content. */
static int too_large(size_t max, char fill, char **ret, size_t *ret_len)
{
        char *s = malloc(max + 2);

        if (!s)
                return -ENOMEM;
        memset(s, fill, max + 1);
        s[max + 1] = '\0';
        *ret = s;
        *ret_len = max + 1;
        return 0;
}

static int literal(const char *s, size_t len, char **ret, size_t *ret_len)
{
        char *c = malloc(len + 1);

        if (!c)
                return -ENOMEM;
        memcpy(c, s, len);
        c[len] = '\0';
        *ret = c;
        *ret_len = len;
        return 0;
}

enum metadata_error {
        METADATA_OK,
        METADATA_NUL,
        METADATA_TRAILING,
        METADATA_INVALID,
        METADATA_NOT_OBJECT,
};

/* resource-metadata.json's document rules, for the parser and the reducer. */
static enum metadata_error parse_metadata_document(const char *text, size_t len, cJSON **ret,
                                                   long *ret_off)
{
        _cleanup_(cJSON_Deletep) cJSON *root = NULL;
        const char *end = NULL;

        *ret_off = -1;
        if (memchr(text, '\0', len))
                return METADATA_NUL;
        root = cJSON_ParseWithLengthOpts(text, len, &end, false);
        if (root && end && end >= text && end <= text + len) {
                /* cJSON stops after the first value and does not mind what
                 * follows: "{...} garbage" is no JSON document (RFC 8259 §2). */
                for (const char *c = end; c < text + len; c++)
                        if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r') {
                                *ret_off = (long)(c - text);
                                return METADATA_TRAILING;
                        }
        }
        if (!root) {
                const char *at = cJSON_GetErrorPtr();
                *ret_off = at && at >= text && at <= text + len ? (long)(at - text) : -1;
                return METADATA_INVALID;
        }
        if (!cJSON_IsObject(root))
                return METADATA_NOT_OBJECT;
        *ret = TAKE_PTR(root);
        return METADATA_OK;
}

static void parse_additional_metadata(const cJSON *root, const char *display, struct sagemaker *ret,
                                      char ***warnings)
{
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, ADDITIONAL_METADATA);

        if (!a || cJSON_IsNull(a))
                return;
        if (!cJSON_IsObject(a)) {
                (void)strv_extendf(warnings, "%s: %s is not an object, ignoring", display,
                                   ADDITIONAL_METADATA);
                return;
        }
        for (size_t i = 0; i < ARRAY_SIZE(additional_metadata_fields); i++)
                set_field(ret, &additional_metadata_fields[i], a, display, warnings);
}

int sagemaker_parse_metadata(const char *text, size_t len, const char *display,
                             struct sagemaker *ret, char ***warnings)
{
        _cleanup_(cJSON_Deletep) cJSON *root = NULL;
        long off;

        switch (parse_metadata_document(text, len, &root, &off)) {
        case METADATA_NUL:
                (void)strv_extendf(warnings, "%s: holds a NUL byte, not JSON, ignoring", display);
                return -EBADMSG;
        case METADATA_TRAILING:
                (void)strv_extendf(warnings,
                                   "%s: invalid JSON: data after the object at byte %ld, ignoring",
                                   display, off);
                return -EBADMSG;
        case METADATA_INVALID:
                if (off >= 0)
                        (void)strv_extendf(warnings,
                                           "%s: invalid JSON near byte %ld (or nested deeper than "
                                           "%d levels), ignoring",
                                           display, off, CJSON_NESTING_LIMIT);
                else
                        (void)strv_extendf(warnings, "%s: invalid JSON, ignoring", display);
                return -EBADMSG;
        case METADATA_NOT_OBJECT:
                (void)strv_extendf(warnings, "%s: not a JSON object, ignoring", display);
                return -EBADMSG;
        case METADATA_OK:
                break;
        }
        for (size_t i = 0; i < ARRAY_SIZE(metadata_fields); i++)
                set_field(ret, &metadata_fields[i], root, display, warnings);
        parse_additional_metadata(root, display, ret, warnings);
        ret->metadata_present = true;
        return 0;
}

/* off blanks and an "x": cJSON's error (or the data after "{}") at byte off. */
static int blanks_then_x(long off, char **ret, size_t *ret_len)
{
        size_t n = off > 0 ? (size_t)off : 0;
        char *s = malloc(n + 3);

        if (!s)
                return -ENOMEM;
        memset(s, ' ', n);
        memcpy(s + n, "x\n", 3);
        *ret = s;
        *ret_len = n + 2;
        return 0;
}

int sagemaker_reduce_metadata(const char *text, size_t len, char **ret, size_t *ret_len)
{
        _cleanup_(cJSON_Deletep) cJSON *root = NULL;
        long off;
        int k;

        if (len > METADATA_MAX)
                return too_large(METADATA_MAX, ' ', ret, ret_len);
        /* A broken file keeps none of its bytes, only a stand-in broken the
         * same way, so a replay warns as the probe did. */
        switch (parse_metadata_document(text, len, &root, &off)) {
        case METADATA_NUL:
                return literal("\0", 1, ret, ret_len);
        case METADATA_TRAILING:
                /* a value ("{}" or "0"), blanks, then a byte where the
                 * original's extra data began */
                k = blanks_then_x(off, ret, ret_len);
                if (k == 0 && off >= 2)
                        memcpy(*ret, "{}", 2);
                else if (k == 0 && off == 1)
                        (*ret)[0] = '0';
                return k;
        case METADATA_INVALID:
                /* the error at the same byte: blanks, then one that is no JSON */
                return off >= 0 ? blanks_then_x(off, ret, ret_len) : literal("", 0, ret, ret_len);
        case METADATA_NOT_OBJECT:
                return literal("[]\n", 3, ret, ret_len);
        case METADATA_OK:
                break;
        }
        return reduce_object(root, metadata_fields, ARRAY_SIZE(metadata_fields), true, ret,
                             ret_len);
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
        /* Inference containers (landscape §1.13, §1.14): batch transform sets
         * SAGEMAKER_BATCH=true, inference pipelines the port pair. */
        { "SAGEMAKER_BATCH", offsetof(struct sagemaker, compute.env_batch) },
        { "SAGEMAKER_BIND_TO_PORT", offsetof(struct sagemaker, compute.env_bind_to_port) },
        { "SAGEMAKER_SAFE_PORT_RANGE", offsetof(struct sagemaker, compute.env_safe_port_range) },
        /* landscape-2026 §1.2 [D]: SMUS images export SERVICE_NAME. */
        { "SERVICE_NAME", offsetof(struct sagemaker, env_service_name) },
        /* §1.1, §2 [D-weak]: the announced renames, read beside today's names. */
        { "SM_APP_TYPE", offsetof(struct sagemaker, env_sm_app_type) },
        { "SAGEMAKER_INTERNAL_IMAGE_URI", offsetof(struct sagemaker, env_internal_image_uri) },
        { "SM_INTERNAL_IMAGE_URI", offsetof(struct sagemaker, env_sm_internal_image_uri) },
        /* §1.1 [D]: the trigger of a Studio app's recovery mode. */
        { "SAGEMAKER_RECOVERY_MODE", offsetof(struct sagemaker, env_recovery_mode) },
        /* §1.8 [D]: set on the training job that runs a scheduled notebook. */
        { "SM_INPUT_NOTEBOOK_NAME", offsetof(struct sagemaker, env_input_notebook_name) },
        { "SM_KERNEL_NAME", offsetof(struct sagemaker, env_kernel_name) },
        { "SM_JOB_DEF_VERSION", offsetof(struct sagemaker, env_job_def_version) },
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

bool sagemaker_environ_next(const char *buf, size_t len, size_t *pos, struct environ_entry *ret)
{
        const char *p = buf + *pos, *e;

        if (*pos >= len)
                return false;
        e = memchr(p, '\0', len - *pos);
        ret->entry = p;
        ret->len = e ? (size_t)(e - p) : len - *pos;
        ret->eq = memchr(p, '=', ret->len);
        ret->terminated = e != NULL;
        *pos += ret->len + 1;
        return true;
}

int sagemaker_reduce_environ(const char *in, size_t len, char **ret, size_t *ret_len)
{
        struct environ_entry e;
        char *out;
        size_t n = 0;

        /* Too large for the probe: only the size survives (NULs: empty entries). */
        if (len > ENVIRON_MAX)
                return too_large(ENVIRON_MAX, '\0', ret, ret_len);
        /* + 2: a last entry without its NUL gets one, then the terminator */
        out = malloc(len + 2);
        if (!out)
                return -ENOMEM;
        for (size_t pos = 0; sagemaker_environ_next(in, len, &pos, &e);)
                if (e.eq && sagemaker_environ_var_used(e.entry, (size_t)(e.eq - e.entry))) {
                        memcpy(out + n, e.entry, e.len);
                        n += e.len;
                        out[n++] = '\0';
                }
        out[n] = '\0';
        *ret = out;
        *ret_len = n;
        return 0;
}

int sagemaker_parse_environ(const char *buf, size_t len, struct sagemaker *ret, char ***warnings)
{
        const char *region_vals[ARRAY_SIZE(region_vars)] = {};
        size_t region_lens[ARRAY_SIZE(region_vars)] = {};
        struct environ_entry e;

        for (size_t pos = 0; sagemaker_environ_next(buf, len, &pos, &e);) {
                const char *p = e.entry;

                if (e.eq) {
                        size_t klen = (size_t)(e.eq - p);
                        const char *val = e.eq + 1;
                        size_t vlen = e.len - klen - 1;

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
                                    memcmp(region_vars[i], p, klen) == 0 && vlen > 0 && vlen < 64 &&
                                    utf8_is_valid(val, vlen)) {
                                        region_vals[i] = val;
                                        region_lens[i] = vlen;
                                }
                }
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
        ret->environ_present = true;
        (void)sagemaker_parse_environ(buf, len, ret, warnings);
}

/* The object of processingjobconfig.json (and of the other job files), or
 * NULL when it holds none. */
cJSON *sagemaker_json_object(const char *text, size_t len)
{
        cJSON *j = memchr(text, '\0', len) ? NULL : cJSON_ParseWithLength(text, len);

        if (!cJSON_IsObject(j)) {
                cJSON_Delete(j);
                return NULL;
        }
        return j;
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
        j = sagemaker_json_object(text, len);
        if (!j) {
                (void)strv_extendf(warnings, "%s: not a JSON object, ignoring its content",
                                   strna(display));
                return;
        }
        for (size_t i = 0; i < ARRAY_SIZE(jobconfig_fields); i++)
                set_field(ret, &jobconfig_fields[i], j, strna(display), warnings);
}

int sagemaker_reduce_jobconfig(const char *text, size_t len, char **ret, size_t *ret_len)
{
        _cleanup_(cJSON_Deletep) cJSON *j = NULL;

        if (len > METADATA_MAX)
                return too_large(METADATA_MAX, ' ', ret, ret_len);
        j = sagemaker_json_object(text, len);
        if (!j) /* "not a JSON object", none of its bytes */
                return literal("", 0, ret, ret_len);
        return reduce_object(j, jobconfig_fields, ARRAY_SIZE(jobconfig_fields), false, ret,
                             ret_len);
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
                (void)strv_extendf(warnings,
                                   "%s: unreadable or not text (%s), ignoring its content",
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
