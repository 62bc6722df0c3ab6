/* SPDX-License-Identifier: MIT */
/* libFuzzer: bytes as resource-metadata.json (sagemaker_parse_metadata) and,
 * the same bytes, as a NUL-separated environ block (sagemaker_parse_environ);
 * then classify and JSON, which read every field the parsers filled. The input
 * is copied into a buffer of exactly its size, so ASan sees any read past it.
 * Then what collect keeps of it (the reducers): the parsers must read the
 * same fields and give the same warnings from the reduced copy. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "model.h"
#include "fuzz-check.h"
#include "probe/sagemaker.h"
#include "core/strutil.h"

static void same_field(const char *a, const char *b)
{
        if (!streq_ptr(a, b))
                abort();
}

static void same_warnings(char **a, char **b)
{
        if (strv_length(a) != strv_length(b))
                abort();
        for (size_t i = 0; a && a[i]; i++)
                if (strcmp(a[i], b[i]) != 0)
                        abort();
}

static void check_reduced(const char *buf, size_t size)
{
        struct sagemaker a = {}, b = {};
        char **wa = NULL, **wb = NULL, *red = NULL;
        size_t rlen;
        int ka, kb;

        if (size > 1024 * 1024) /* past what the probe reads, only the size is kept */
                return;
        ka = sagemaker_parse_metadata(buf, size, "fuzz.json", &a, &wa);
        if (sagemaker_reduce_metadata(buf, size, &red, &rlen) < 0)
                goto out;
        kb = sagemaker_parse_metadata(red, rlen, "fuzz.json", &b, &wb);
        if (ka != kb || a.metadata_present != b.metadata_present)
                abort();
        same_field(a.app_type, b.app_type);
        same_field(a.domain_id, b.domain_id);
        same_field(a.space_name, b.space_name);
        same_field(a.user_profile_name, b.user_profile_name);
        same_field(a.resource_arn, b.resource_arn);
        same_field(a.resource_name, b.resource_name);
        same_field(a.app_image_version, b.app_image_version);
        same_warnings(wa, wb);
        sagemaker_done(&a);
        sagemaker_done(&b);
        a = b = (struct sagemaker){};
        wa = strv_free(wa);
        wb = strv_free(wb);
        free(red);
        red = NULL;

        (void)sagemaker_parse_environ(buf, size, &a, &wa);
        if (sagemaker_reduce_environ(buf, size, &red, &rlen) < 0)
                goto out;
        (void)sagemaker_parse_environ(red, rlen, &b, &wb);
        same_field(a.env_app_type, b.env_app_type);
        same_field(a.env_space_name, b.env_space_name);
        same_field(a.env_space_type, b.env_space_type);
        same_field(a.env_training_job_name, b.env_training_job_name);
        same_field(a.home_env, b.home_env);
        same_field(a.region, b.region);
        same_field(a.region_source, b.region_source);
        same_warnings(wa, wb);
        free(red);
        red = NULL;

        /* processingjobconfig.json: an object of the two names, or nothing */
        if (sagemaker_reduce_jobconfig(buf, size, &red, &rlen) == 0 && rlen > 0) {
                cJSON *j = cJSON_ParseWithLength(red, rlen);
                if (!cJSON_IsObject(j) || cJSON_GetArraySize(j) > 2)
                        abort();
                for (cJSON *c = j->child; c; c = c->next)
                        if (strcmp(c->string, "ProcessingJobName") != 0 &&
                            strcmp(c->string, "ProcessingJobArn") != 0)
                                abort();
                cJSON_Delete(j);
        }
out:
        free(red);
        sagemaker_done(&a);
        sagemaker_done(&b);
        strv_free(wa);
        strv_free(wb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = malloc(size ? size : 1);
        struct report r;

        if (!buf)
                return 0;
        memcpy(buf, data, size);
        report_init(&r);
        (void)sagemaker_parse_metadata(buf, size, "fuzz.json", &r.sagemaker, &r.warnings);
        (void)sagemaker_parse_environ(buf, size, &r.sagemaker, &r.warnings);
        if (classify(&r) == 0)
                fuzz_check_report_json(&r);
        report_done(&r);
        check_reduced(buf, size);
        free(buf);
        return 0;
}
