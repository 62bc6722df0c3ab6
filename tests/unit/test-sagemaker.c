/* SPDX-License-Identifier: MIT */
/* resource-metadata.json and environ parsing: the samples SageMaker writes
 * (shared/samples), and what a hostile or broken file may hold instead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "probe/sagemaker.h"
#include "core/strutil.h"

/* shared/samples/new-jupyterlab-private.resource-metadata.json */
static const char new_jupyterlab[] = "{\n"
                                     "    \"AppType\": \"JupyterLab\",\n"
                                     "    \"DomainId\": \"d-abcdefghij12\",\n"
                                     "    \"SpaceName\": \"alice-jl-private\",\n"
                                     "    \"UserProfileName\": \"alice\",\n"
                                     "    \"ExecutionRoleArn\": "
                                     "\"arn:aws:iam::111122223333:role/service-role/"
                                     "AmazonSageMaker-ExecutionRole-20240115T093012\",\n"
                                     "    \"ResourceArn\": "
                                     "\"arn:aws:sagemaker:us-east-1:111122223333:app/"
                                     "d-abcdefghij12/alice-jl-private/JupyterLab/default\",\n"
                                     "    \"ResourceName\": \"default\",\n"
                                     "    \"AppImageVersion\": \"\"\n"
                                     "}\n";

/* shared/samples/classic-kernelgateway.resource-metadata.json */
static const char classic_kg[] =
        "{\n"
        "    \"AppType\": \"KernelGateway\",\n"
        "    \"DomainId\": \"d-abcdefghij12\",\n"
        "    \"UserProfileName\": \"alice\",\n"
        "    \"ResourceArn\": "
        "\"arn:aws:sagemaker:us-east-1:111122223333:app/d-abcdefghij12/alice/KernelGateway/"
        "datascience-1-0-ml-t3-medium-1c2d3e4f5a6b7c8d9e0f1a2b3c4d\",\n"
        "    \"ResourceName\": \"datascience-1-0-ml-t3-medium-1c2d3e4f5a6b7c8d9e0f1a2b3c4d\",\n"
        "    \"AppImageVersion\": \"\"\n"
        "}\n";

/* shared/samples/notebook-instance.resource-metadata.json */
static const char notebook[] =
        "{\n"
        "    \"ResourceArn\": "
        "\"arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/alice-nb\",\n"
        "    \"ResourceName\": \"alice-nb\"\n"
        "}\n";

struct fixture {
        struct sagemaker s;
        char **warnings;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));

        *state = f;
        return f ? 0 : -1;
}

static int teardown(void **state)
{
        struct fixture *f = *state;

        sagemaker_done(&f->s);
        strv_free(f->warnings);
        free(f);
        return 0;
}

static int parse(struct fixture *f, const char *text, size_t len)
{
        return sagemaker_parse_metadata(text, len, "META", &f->s, &f->warnings);
}

#define PARSE(f, lit) parse(f, lit, sizeof(lit) - 1)

static void test_samples(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(PARSE(f, new_jupyterlab), 0);
        assert_null(f->warnings);
        assert_true(f->s.metadata_present);
        assert_string_equal(f->s.app_type, "JupyterLab");
        assert_string_equal(f->s.domain_id, "d-abcdefghij12");
        assert_string_equal(f->s.space_name, "alice-jl-private");
        assert_string_equal(f->s.user_profile_name, "alice");
        assert_string_equal(f->s.resource_name, "default");
        assert_true(startswith(f->s.resource_arn, "arn:aws:sagemaker:us-east-1:"));
        assert_null(f->s.app_image_version); /* "" is unknown */
        sagemaker_done(&f->s);

        assert_int_equal(PARSE(f, classic_kg), 0);
        assert_null(f->warnings);
        assert_string_equal(f->s.app_type, "KernelGateway");
        assert_null(f->s.space_name);
        sagemaker_done(&f->s);

        assert_int_equal(PARSE(f, notebook), 0);
        assert_null(f->warnings);
        assert_true(f->s.metadata_present);
        assert_null(f->s.app_type);
        assert_null(f->s.domain_id);
        assert_string_equal(f->s.resource_name, "alice-nb");
}

static void test_invalid(void **state)
{
        struct fixture *f = *state;
        static const struct {
                const char *text;
                size_t len;
                const char *warning; /* substring */
        } rows[] = {
#define R(t, w) { t, sizeof(t) - 1, w }
                R("", "invalid JSON"),
                R("{", "invalid JSON"),
                R("{\"AppType\": \"JupyterLab\",}", "invalid JSON"),
                R("{\"AppType\": \"Jupyter", "invalid JSON"),
                R("not json", "invalid JSON"),
                R("{\"a\": \"\\ud800\"}", "invalid JSON"), /* lone surrogate escape */
                R("[]", "not a JSON object"),
                R("\"JupyterLab\"", "not a JSON object"),
                R("null", "not a JSON object"),
                R("42", "not a JSON object"),
                R("{\"AppType\": \"JupyterLab\"}\0garbage", "NUL byte"),
                R("{} trailing", "invalid JSON"),
#undef R
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                print_message("invalid row %zu\n", i);
                assert_int_equal(parse(f, rows[i].text, rows[i].len), -EBADMSG);
                assert_int_equal(strv_length(f->warnings), 1);
                assert_true(startswith(f->warnings[0], "META: "));
                assert_non_null(strstr(f->warnings[0], rows[i].warning));
                assert_false(f->s.metadata_present);
                assert_null(f->s.app_type);
                f->warnings = strv_free(f->warnings);
        }
}

static void test_deep_nesting(void **state)
{
        struct fixture *f = *state;
        size_t depth = 300000, len = 2 * depth + 16;
        char *t = malloc(len + 1);

        /* {"a":[[[[...]]]]} 300,000 deep: cJSON's nesting limit must stop it
         * before the stack does. */
        for (int obj = 0; obj < 2; obj++) {
                size_t o = 0;
                if (obj)
                        o += (size_t)sprintf(t, "{\"a\":");
                for (size_t i = 0; i < depth; i++)
                        t[o++] = obj ? '{' : '[';
                if (obj)
                        t[o - 1] = '[';
                for (size_t i = 0; i < depth; i++)
                        t[o++] = obj ? '}' : ']';
                t[o] = '\0';
                assert_int_equal(parse(f, t, o), -EBADMSG);
                assert_int_equal(strv_length(f->warnings), 1);
                assert_non_null(strstr(f->warnings[0], "invalid JSON"));
                f->warnings = strv_free(f->warnings);
        }
        free(t);
}

static void test_fields(void **state)
{
        struct fixture *f = *state;
        char *big;

        /* Wrong types: a warning each, the rest still read. */
        assert_int_equal(PARSE(f, "{\"AppType\": 5, \"DomainId\": [\"d-1\"], \"SpaceName\": {},"
                                  " \"UserProfileName\": true, \"ResourceName\": \"r\"}"),
                         0);
        assert_true(f->s.metadata_present);
        assert_null(f->s.app_type);
        assert_null(f->s.domain_id);
        assert_null(f->s.space_name);
        assert_null(f->s.user_profile_name);
        assert_string_equal(f->s.resource_name, "r");
        assert_int_equal(strv_length(f->warnings), 4);
        assert_string_equal(f->warnings[0], "META: AppType is not a string, ignoring");
        assert_string_equal(f->warnings[1], "META: DomainId is not a string, ignoring");
        sagemaker_done(&f->s);
        f->warnings = strv_free(f->warnings);

        /* Unified Studio: the ids in AdditionalMetadata; not an object: a warning. */
        assert_int_equal(PARSE(f, "{\"AppType\": \"JupyterLab\", \"AdditionalMetadata\": "
                                  "{\"DataZoneDomainId\": \"dzd_1\", \"DataZoneProjectId\": "
                                  "\"p1\", \"DataZoneScopeName\": \"dev\"}}"),
                         0);
        assert_null(f->warnings);
        assert_string_equal(f->s.datazone_domain_id, "dzd_1");
        assert_string_equal(f->s.datazone_project_id, "p1");
        assert_null(f->s.project_shared_directory);
        sagemaker_done(&f->s);
        assert_int_equal(PARSE(f, "{\"AdditionalMetadata\": \"dzd_1\"}"), 0);
        assert_null(f->s.datazone_domain_id);
        assert_int_equal(strv_length(f->warnings), 1);
        assert_string_equal(f->warnings[0], "META: AdditionalMetadata is not an object, ignoring");
        sagemaker_done(&f->s);
        f->warnings = strv_free(f->warnings);

        /* null and "" are unknown, silently; unknown keys ignored; case matters. */
        assert_int_equal(PARSE(f, "{\"AppType\": null, \"DomainId\": \"\", \"apptype\": \"x\","
                                  " \"Extra\": {\"deep\": [1,2,3]}}"),
                         0);
        assert_null(f->warnings);
        assert_null(f->s.app_type);
        assert_null(f->s.domain_id);
        assert_true(f->s.metadata_present);
        sagemaker_done(&f->s);

        /* Raw invalid UTF-8 inside a string: cJSON keeps bytes, we refuse them. */
        assert_int_equal(PARSE(f, "{\"SpaceName\": \"caf\xe9\", \"AppType\": \"JupyterLab\"}"), 0);
        assert_null(f->s.space_name);
        assert_string_equal(f->s.app_type, "JupyterLab");
        assert_int_equal(strv_length(f->warnings), 1);
        assert_string_equal(f->warnings[0], "META: SpaceName is not valid UTF-8, ignoring");
        sagemaker_done(&f->s);
        f->warnings = strv_free(f->warnings);

        /* Escaped text is decoded and kept. */
        assert_int_equal(PARSE(f, "{\"SpaceName\": \"caf\\u00e9 \\\"q\\\"\"}"), 0);
        assert_string_equal(f->s.space_name, "caf\xc3\xa9 \"q\"");
        assert_null(f->warnings);
        sagemaker_done(&f->s);

        /* An embedded \u0000 ends the C string: what is kept is valid text. */
        assert_int_equal(PARSE(f, "{\"SpaceName\": \"a\\u0000b\"}"), 0);
        assert_true(f->s.space_name == NULL || strcmp(f->s.space_name, "a") == 0);
        sagemaker_done(&f->s);
        f->warnings = strv_free(f->warnings);

        /* A 10 KB field is refused, not copied. */
        big = malloc(11000);
        strcpy(big, "{\"DomainId\": \"");
        memset(big + strlen(big), 'd', 10000);
        strcpy(big + 14 + 10000, "\"}");
        assert_int_equal(parse(f, big, strlen(big)), 0);
        free(big);
        assert_null(f->s.domain_id);
        assert_int_equal(strv_length(f->warnings), 1);
        assert_non_null(strstr(f->warnings[0], "DomainId is longer than"));
}

static void assert_same_metadata(const struct sagemaker *a, const struct sagemaker *b)
{
        assert_int_equal(a->metadata_present, b->metadata_present);
        assert_true(streq_ptr(a->app_type, b->app_type));
        assert_true(streq_ptr(a->domain_id, b->domain_id));
        assert_true(streq_ptr(a->space_name, b->space_name));
        assert_true(streq_ptr(a->user_profile_name, b->user_profile_name));
        assert_true(streq_ptr(a->resource_arn, b->resource_arn));
        assert_true(streq_ptr(a->resource_name, b->resource_name));
        assert_true(streq_ptr(a->app_image_version, b->app_image_version));
        assert_true(streq_ptr(a->datazone_domain_id, b->datazone_domain_id));
        assert_true(streq_ptr(a->datazone_project_id, b->datazone_project_id));
        assert_true(streq_ptr(a->project_shared_directory, b->project_shared_directory));
}

/* collect's copy of resource-metadata.json (sagemaker_reduce_metadata): the
 * parser reads the same from it, with the same warnings, and nothing else is
 * in it. */
static void test_reduce_metadata(void **state)
{
        struct fixture *f = *state;
        static const struct {
                const char *text;
                size_t len;
        } rows[] = {
#define R(t) { t, sizeof(t) - 1 }
                R(new_jupyterlab),
                R(classic_kg),
                R(notebook),
                R("{\"AppType\": \"JupyterLab\", \"SECRET\": \"s\", \"Deep\": {\"SECRET\": 1}}"),
                R("{\"AppType\": 5, \"DomainId\": [\"SECRET\"], \"SpaceName\": {\"k\": \"SECRET\"},"
                  " \"UserProfileName\": true, \"ResourceName\": null, \"ResourceArn\": \"\"}"),
                R("{\"SpaceName\": \"caf\xe9SECRET\", \"AppType\": \"JupyterLab\"}"),
                R("{\"AppType\": \"a\", \"AppType\": \"SECRET\"}"),
                R("{\"SpaceName\": \"a\\u0000SECRET\"}"),
                R(""),
                R("{"),
                R("   {\"SECRET\": \"x\",}"),
                R("not json SECRET"),
                R("[\"SECRET\"]"),
                R("\"SECRET\""),
                R("null"),
                R("42"),
                R("{\"AppType\": \"JupyterLab\"}\0SECRET"),
                R("{\"SECRET\": 1}  SECRET"),
                R("1x"),
                R("[[[[\"SECRET\""),
                /* Unified Studio's AdditionalMetadata (landscape-2026 §1.2) */
                R("{\"AppType\": \"JupyterLab\", \"AdditionalMetadata\": {\"DataZoneDomainId\": "
                  "\"dzd_1\", \"DataZoneProjectId\": \"p1\", \"ProjectSharedDirectory\": "
                  "\"/home/sagemaker-user/shared\", \"ProjectS3Path\": \"s3://SECRET/x\", "
                  "\"SecurityGroup\": \"SECRET\", \"DataZoneUserId\": \"SECRET\"}}"),
                R("{\"AdditionalMetadata\": \"SECRET\"}"),
                R("{\"AdditionalMetadata\": [\"SECRET\"]}"),
                R("{\"AdditionalMetadata\": null}"),
                R("{\"AdditionalMetadata\": {\"DataZoneDomainId\": {\"SECRET\": 1}, "
                  "\"DataZoneProjectId\": \"\"}}"),
#undef R
        };
        char *big = malloc(11000), *huge;

        strcpy(big, "{\"DomainId\": \"SECRET");
        memset(big + strlen(big), 'd', 10000);
        strcpy(big + 20 + 10000, "\"}");
        for (size_t i = 0; i <= ARRAY_SIZE(rows); i++) {
                const char *text = i < ARRAY_SIZE(rows) ? rows[i].text : big;
                size_t len = i < ARRAY_SIZE(rows) ? rows[i].len : strlen(big);
                struct sagemaker orig = {};
                char **w = NULL, *red = NULL;
                size_t rlen;
                int k;

                print_message("reduce row %zu\n", i);
                k = sagemaker_parse_metadata(text, len, "META", &orig, &w);
                assert_int_equal(sagemaker_reduce_metadata(text, len, &red, &rlen), 0);
                assert_null(memmem(red, rlen, "SECRET", 6));
                assert_int_equal(parse(f, red, rlen), k);
                assert_same_metadata(&orig, &f->s);
                assert_int_equal(strv_length(f->warnings), strv_length(w));
                for (size_t j = 0; w && w[j]; j++)
                        assert_string_equal(f->warnings[j], w[j]);
                sagemaker_done(&orig);
                sagemaker_done(&f->s);
                f->s = (struct sagemaker){};
                f->warnings = strv_free(f->warnings);
                strv_free(w);
                free(red);
        }
        free(big);

        /* larger than the parser reads: the size alone */
        huge = malloc(2 * 1024 * 1024);
        memset(huge, 'S', 2 * 1024 * 1024);
        {
                char *red;
                size_t rlen;
                assert_int_equal(sagemaker_reduce_metadata(huge, 2 * 1024 * 1024, &red, &rlen), 0);
                assert_int_equal(rlen, 1024 * 1024 + 1);
                assert_null(memchr(red, 'S', rlen));
                free(red);
                assert_int_equal(sagemaker_reduce_jobconfig(huge, 2 * 1024 * 1024, &red, &rlen), 0);
                assert_int_equal(rlen, 1024 * 1024 + 1);
                assert_null(memchr(red, 'S', rlen));
                free(red);
        }
        free(huge);
}

static void test_reduce_jobconfig_environ(void **state)
{
        static const char cfg[] =
                "{\"ProcessingJobName\": \"job-1\", \"ProcessingJobArn\": \"arn:x\","
                " \"Environment\": {\"PASSWORD\": \"SECRET\"},"
                " \"ProcessingInputs\": [{\"S3Uri\": \"s3://SECRET/x\"}]}";
        static const char env_in[] = "AWS_SECRET_ACCESS_KEY=SECRET\0HOME=/home/x\0"
                                     "AWS_REGION=us-east-1\0AWS_SESSION_TOKEN=SECRET\0"
                                     "SAGEMAKER_APP_TYPE=JupyterLab\0noequals SECRET\0";
        char *red;
        size_t rlen;

        assert_int_equal(sagemaker_reduce_jobconfig(cfg, sizeof(cfg) - 1, &red, &rlen), 0);
        assert_null(strstr(red, "SECRET"));
        assert_null(strstr(red, "Environment"));
        assert_non_null(strstr(red, "\"ProcessingJobName\":\t\"job-1\""));
        assert_non_null(strstr(red, "\"ProcessingJobArn\":\t\"arn:x\""));
        free(red);
        /* not an object: an empty file, which the parser refuses alike */
        assert_int_equal(sagemaker_reduce_jobconfig("[\"SECRET\"]", 10, &red, &rlen), 0);
        assert_int_equal(rlen, 0);
        free(red);

        assert_int_equal(sagemaker_reduce_environ(env_in, sizeof(env_in) - 1, &red, &rlen), 0);
        assert_null(memmem(red, rlen, "SECRET", 6));
        assert_int_equal(rlen, strlen("HOME=/home/x") + strlen("AWS_REGION=us-east-1") +
                                       strlen("SAGEMAKER_APP_TYPE=JupyterLab") + 3);
        assert_memory_equal(
                red, "HOME=/home/x\0AWS_REGION=us-east-1\0SAGEMAKER_APP_TYPE=JupyterLab\0", rlen);
        free(red);
        /* a last entry without its NUL (a snapshot's file): terminated, in bounds */
        {
                char *in = malloc(7);
                memcpy(in, "HOME=/x", 7);
                assert_int_equal(sagemaker_reduce_environ(in, 7, &red, &rlen), 0);
                assert_int_equal(rlen, 8);
                assert_memory_equal(red, "HOME=/x\0", 9);
                free(red);
                free(in);
        }
}

static int env(struct fixture *f, const char *buf, size_t len)
{
        return sagemaker_parse_environ(buf, len, &f->s, &f->warnings);
}

#define ENV(f, lit) env(f, lit, sizeof(lit) - 1)

static void test_environ(void **state)
{
        struct fixture *f = *state;

        /* shared/samples/new-jupyterlab-private.environ, abridged. */
        assert_int_equal(ENV(f, "SAGEMAKER_APP_TYPE=JupyterLab\0"
                                "SAGEMAKER_SPACE_NAME=alice-jl-private\0"
                                "SAGEMAKER_SPACE_TYPE_LOWERCASE=private\0"
                                "AWS_REGION=us-east-1\0AWS_DEFAULT_REGION=us-west-2\0"
                                "REGION_NAME=eu-west-1\0HOME=/home/sagemaker-user\0"),
                         0);
        assert_null(f->warnings);
        assert_string_equal(f->s.env_app_type, "JupyterLab");
        assert_string_equal(f->s.env_space_name, "alice-jl-private");
        assert_string_equal(f->s.env_space_type, "private");
        assert_string_equal(f->s.home_env, "/home/sagemaker-user");
        assert_string_equal(f->s.region, "us-east-1");
        assert_string_equal(f->s.region_source, "AWS_REGION");
        assert_null(f->s.env_training_job_name);
        sagemaker_done(&f->s);

        /* No final NUL; missing '='; prefixes and suffixes of names; empty values. */
        assert_int_equal(ENV(f, "SAGEMAKER_APP_TYPE\0=JupyterLab\0SAGEMAKER_APP_TYPEX=Code\0"
                                "XSAGEMAKER_APP_TYPE=Code\0\0\0HOME=\0"
                                "TRAINING_JOB_NAME=job-1"),
                         0);
        assert_null(f->s.env_app_type);
        assert_null(f->s.home_env);
        assert_string_equal(f->s.env_training_job_name, "job-1");
        assert_null(f->s.region);
        assert_null(f->warnings);
        sagemaker_done(&f->s);

        /* The later of two assignments wins, as getenv() would see it... */
        assert_int_equal(ENV(f, "SAGEMAKER_SPACE_NAME=a\0SAGEMAKER_SPACE_NAME=b\0"), 0);
        assert_string_equal(f->s.env_space_name, "b");
        sagemaker_done(&f->s);

        /* Invalid UTF-8 in a value the probe uses: a warning, no value. */
        assert_int_equal(ENV(f, "SAGEMAKER_SPACE_NAME=caf\xe9\0TRAINING_JOB_NAME=t\0"), 0);
        assert_null(f->s.env_space_name);
        assert_string_equal(f->s.env_training_job_name, "t");
        assert_int_equal(strv_length(f->warnings), 1);
        assert_non_null(strstr(f->warnings[0], "SAGEMAKER_SPACE_NAME"));
        sagemaker_done(&f->s);
        f->warnings = strv_free(f->warnings);

        assert_int_equal(env(f, "", 0), 0);
        assert_null(f->s.region);
}

static void test_region_precedence(void **state)
{
        struct fixture *f = *state;
        static const struct {
                const char *buf;
                size_t len;
                const char *region, *source;
        } rows[] = {
#define R(b, r, s) { b, sizeof(b) - 1, r, s }
                R("AWS_DEFAULT_REGION=c\0REGION_NAME=b\0AWS_REGION=a\0", "a", "AWS_REGION"),
                R("AWS_REGION=a\0REGION_NAME=b\0AWS_DEFAULT_REGION=c\0", "a", "AWS_REGION"),
                R("AWS_DEFAULT_REGION=c\0REGION_NAME=b\0", "b", "REGION_NAME"),
                R("AWS_DEFAULT_REGION=c\0", "c", "AWS_DEFAULT_REGION"),
                R("AWS_REGION=\0AWS_DEFAULT_REGION=c\0", "c", "AWS_DEFAULT_REGION"),
                R("AWS_REGION=caf\xe9\0REGION_NAME=b\0", "b", "REGION_NAME"),
                R("AWS_REGION="
                  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\0"
                  "REGION_NAME=b\0",
                  "b", "REGION_NAME"),
                R("AWS_REGIONS=a\0", NULL, NULL),
                R("", NULL, NULL),
#undef R
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                print_message("region row %zu\n", i);
                assert_int_equal(env(f, rows[i].buf, rows[i].len), 0);
                if (rows[i].region) {
                        assert_string_equal(f->s.region, rows[i].region);
                        assert_string_equal(f->s.region_source, rows[i].source);
                } else {
                        assert_null(f->s.region);
                        assert_null(f->s.region_source);
                }
                sagemaker_done(&f->s);
                f->warnings = strv_free(f->warnings);
        }
}

static void test_environ_random(void **state)
{
        struct fixture *f = *state;
        size_t len = 65536;
        unsigned char *buf = malloc(len);
        uint32_t x = 2463534242u;

        /* Random bytes with many NULs and '=': no crash, every kept value valid text. */
        for (int round = 0; round < 64; round++) {
                for (size_t i = 0; i < len; i++) {
                        x ^= x << 13;
                        x ^= x >> 17;
                        x ^= x << 5;
                        buf[i] = (x & 7) == 0 ? 0 : (x & 7) == 1 ? '=' : (unsigned char)(x >> 8);
                }
                if (round & 1)
                        memcpy(buf + 100, "\0AWS_REGION=\xff\xfe\0HOME=/h\0", 22);
                assert_int_equal(env(f, (const char *)buf, len - (size_t)round), 0);
                if (f->s.home_env)
                        assert_true(utf8_is_valid(f->s.home_env, strlen(f->s.home_env)));
                if (f->s.region)
                        assert_true(utf8_is_valid(f->s.region, strlen(f->s.region)));
                sagemaker_done(&f->s);
                f->warnings = strv_free(f->warnings);
        }
        free(buf);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_samples, setup, teardown),
                cmocka_unit_test_setup_teardown(test_invalid, setup, teardown),
                cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fields, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reduce_metadata, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reduce_jobconfig_environ, setup, teardown),
                cmocka_unit_test_setup_teardown(test_environ, setup, teardown),
                cmocka_unit_test_setup_teardown(test_region_precedence, setup, teardown),
                cmocka_unit_test_setup_teardown(test_environ_random, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
