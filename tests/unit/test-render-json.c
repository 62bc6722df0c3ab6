/* SPDX-License-Identifier: MIT */
/* report_to_json on hand-built models: exact big integers, null for unknown,
 * valid JSON whatever bytes the paths hold, and a stable key order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "render/json.h"
#include "core/strutil.h"

static char *print(const struct report *r)
{
        cJSON *j = report_to_json(r);
        char *s;

        assert_non_null(j);
        s = cJSON_PrintUnformatted(j);
        cJSON_Delete(j);
        assert_non_null(s);
        assert_true(utf8_is_valid(s, strlen(s)));
        return s;
}

static void keys_of(const cJSON *o, char *buf, size_t len)
{
        size_t n = 0;

        buf[0] = '\0';
        for (const cJSON *c = o->child; c; c = c->next)
                n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", c->string);
}

/* The libm-free floor the readers of facts and reports use. */
static void test_json_floor(void **state _unused_)
{
        double nan = __builtin_nan("");

        assert_true(json_floor(2.0) == 2.0);
        assert_true(json_floor(2.5) == 2.0);
        assert_true(json_floor(-2.5) == -3.0);
        assert_true(json_floor(-0.0) == 0.0);
        assert_true(json_floor(-1e-300) == -1.0);
        assert_true(json_floor(4503599627370495.5) == 4503599627370495.0);
        assert_true(json_floor(9007199254740993.0) == 9007199254740993.0);
        assert_true(json_floor(1e300) == 1e300);
        assert_true(json_floor(-1e300) == -1e300);
        assert_true(json_floor(__builtin_inf()) == __builtin_inf());
        assert_true(json_floor(nan) != json_floor(nan));
}

static void test_empty_report(void **state)
{
        struct report r;
        cJSON *j, *home;
        char keys[1024], *s;

        report_init(&r);
        s = print(&r);
        j = cJSON_Parse(s);
        assert_non_null(j);
        keys_of(j, keys, sizeof(keys));
        assert_string_equal(keys,
                            "schema_version,tool,generated_at,environment,confidence,evidence,"
                            "home,mounts,sagemaker,warnings,timed_out");
        assert_int_equal(cJSON_GetObjectItem(j, "schema_version")->valueint, 1);
        assert_string_equal(
                cJSON_GetObjectItem(cJSON_GetObjectItem(j, "tool"), "name")->valuestring,
                "studio-probe");
        assert_string_equal(cJSON_GetObjectItem(j, "environment")->valuestring, "unknown");
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "sagemaker")));
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "warnings")), 0);
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "mounts")), 0);
        assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "timed_out")));

        /* The key order of home is part of the interface: a snapshot. */
        home = cJSON_GetObjectItem(j, "home");
        keys_of(home, keys, sizeof(keys));
        assert_string_equal(keys, "path,resolved_path,mountpoint,fstype,source,options,storage,"
                                  "ephemeral,size_bytes,free_bytes,statfs_type,mount_id,fs_root,"
                                  "device,nfs,fsx,error");
        /* Unknown is null, never 0 or "". */
        for (const cJSON *c = home->child; c; c = c->next) {
                if (strcmp(c->string, "storage") == 0)
                        assert_string_equal(c->valuestring, "unknown");
                else if (strcmp(c->string, "ephemeral") == 0)
                        assert_true(cJSON_IsFalse(c));
                else {
                        print_message("home.%s\n", c->string);
                        assert_true(cJSON_IsNull(c));
                }
        }
        cJSON_Delete(j);
        free(s);
        report_done(&r);
}

static void fill_full(struct report *r)
{
        struct block_device *d = calloc(1, sizeof(*d));
        struct nfs_info *n = calloc(1, sizeof(*n));
        struct storage *m;

        report_init(r);
        r->environment = ENV_STUDIO_NEW;
        r->confidence = CONFIDENCE_HIGH;
        assert_int_equal(report_add_evidence(r, "src", ENV_STUDIO_NEW, "d %d", 1), 0);
        assert_int_equal(report_add_evidence(r, "src2", _ENV_INVALID, "x"), 0);
        r->home.path = strdup("/home/sagemaker-user");
        r->home.resolved_path = strdup("/home/sagemaker-user");
        r->home.mountpoint = strdup("/home/sagemaker-user");
        r->home.fstype = strdup("xfs");
        r->home.mount_id = 1525;
        r->home.kind = STORAGE_EBS;
        r->home.size_bytes = UINT64_C(9223372036854775808); /* 2^63 */
        r->home.free_bytes = UINT64_MAX - 1;
        r->home.fs_magic = 0x58465342;
        d->name = strdup("nvme1n1");
        d->model = strdup("Amazon Elastic Block Store");
        d->rotational = 0;
        d->size_bytes = UINT64_C(9007199254740993); /* 2^53 + 1 */
        r->home.device = d;

        m = report_add_mount(r);
        m->mountpoint = strdup("/mnt/custom-file-systems/efs/fs-0123456789abcdef0");
        m->fstype = strdup("nfs4");
        m->kind = STORAGE_EFS;
        m->mount_id = 1601;
        n->server = strdup("127.0.0.1");
        n->efs_filesystem_id = strdup("fs-0123456789abcdef0");
        n->efs_utils = true;
        assert_int_equal(strv_extendf(&n->warnings, "vers=4.0: slow"), 0);
        m->nfs = n;

        r->sagemaker.metadata_present = true;
        r->sagemaker.app_type = strdup("JupyterLab");
        r->sagemaker.region = strdup("us-east-1");
        assert_int_equal(report_add_warning(r, "w1"), 0);
        assert_int_equal(report_add_warning(r, "w1"), 0); /* said once */
}

/* home.device.io as iostat -x computes r_await and w_await, and
 * home.device.ebs_stats in seconds; a mean that would overflow is null. */
static void test_device_history(void **state _unused_)
{
        struct report r;
        struct block_device *d;
        cJSON *j, *io, *ebs;
        char keys[512];

        fill_full(&r);
        d = r.home.device;
        d->io = calloc(1, sizeof(*d->io));
        *d->io = (struct block_io){ .since_boot_seconds = 266412,
                                    .reads = 4,
                                    .read_ms = 10,
                                    .writes = 1,
                                    .write_ms = UINT64_MAX - 1,
                                    .in_flight = 3 };
        d->ebs = calloc(1, sizeof(*d->ebs));
        *d->ebs = (struct ebs_stats){ .exceeded_iops_us = 5123456789,
                                      .exceeded_tp_us = U64_UNSET,
                                      .read_ops = 2,
                                      .read_time_us = 3,
                                      .from_capture = true };
        j = report_to_json(&r);
        assert_non_null(j);
        io = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "home"), "device"),
                                 "io");
        keys_of(io, keys, sizeof(keys));
        assert_string_equal(keys, "since_boot_seconds,reads,writes,read_ns_mean,write_ns_mean,"
                                  "in_flight");
        assert_string_equal(cJSON_GetObjectItem(io, "read_ns_mean")->valuestring, "2500000");
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(io, "write_ns_mean")));
        assert_string_equal(cJSON_GetObjectItem(io, "in_flight")->valuestring, "3");
        ebs = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "home"), "device"),
                                  "ebs_stats");
        assert_true(cJSON_GetObjectItem(ebs, "exceeded_iops_seconds")->valuedouble > 5123.45);
        assert_true(cJSON_GetObjectItem(ebs, "exceeded_iops_seconds")->valuedouble < 5123.46);
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(ebs, "exceeded_tp_seconds")));
        assert_string_equal(cJSON_GetObjectItem(ebs, "read_ns_mean")->valuestring, "1500");
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(ebs, "write_ns_mean")));
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(ebs, "from_capture")));
        cJSON_Delete(j);

        /* Not read: the reason instead. */
        free(d->ebs);
        d->ebs = NULL;
        d->ebs_error = strdup("needs root (an NVMe admin command)");
        j = report_to_json(&r);
        ebs = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "home"), "device");
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(ebs, "ebs_stats")));
        assert_string_equal(cJSON_GetObjectItem(ebs, "ebs_stats_error")->valuestring,
                            "needs root (an NVMe admin command)");
        cJSON_Delete(j);
        report_done(&r);
}

static void test_full_report(void **state)
{
        struct report r;
        cJSON *j, *home, *dev, *mount, *nfs, *sm;
        char keys[1024], *s;

        fill_full(&r);
        s = print(&r);
        /* Exact integers in the text itself: a double would print 9.2233720368547758e+18. */
        assert_non_null(strstr(s, "\"size_bytes\":9223372036854775808,"));
        assert_non_null(strstr(s, "\"free_bytes\":18446744073709551614,"));
        assert_non_null(strstr(s, "\"size_bytes\":9007199254740993,"));
        assert_non_null(strstr(s, "\"statfs_type\":1481003842,"));
        assert_non_null(strstr(s, "\"mount_id\":1525,"));
        assert_null(strstr(s, "e+"));

        j = cJSON_Parse(s);
        assert_non_null(j);
        assert_string_equal(cJSON_GetObjectItem(j, "environment")->valuestring, "studio-new");
        assert_string_equal(cJSON_GetObjectItem(j, "confidence")->valuestring, "high");
        {
                cJSON *ev = cJSON_GetObjectItem(j, "evidence");
                assert_int_equal(cJSON_GetArraySize(ev), 2);
                keys_of(cJSON_GetArrayItem(ev, 0), keys, sizeof(keys));
                assert_string_equal(keys, "source,detail,points_to");
                assert_string_equal(
                        cJSON_GetObjectItem(cJSON_GetArrayItem(ev, 0), "detail")->valuestring,
                        "d 1");
                assert_true(
                        cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(ev, 1), "points_to")));
        }
        home = cJSON_GetObjectItem(j, "home");
        assert_string_equal(cJSON_GetObjectItem(home, "storage")->valuestring, "ebs");
        dev = cJSON_GetObjectItem(home, "device");
        keys_of(dev, keys, sizeof(keys));
        assert_string_equal(keys, "name,partition,model,serial,ebs_volume_id,rotational,size_bytes,"
                                  "fs_type,uuid,label,io,ebs_stats,ebs_stats_error");
        assert_true(cJSON_IsFalse(cJSON_GetObjectItem(dev, "rotational")));
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(dev, "serial")));
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(home, "nfs")));

        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "mounts")), 1);
        mount = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "mounts"), 0);
        keys_of(mount, keys, sizeof(keys));
        assert_string_equal(keys, "path,resolved_path,mountpoint,fstype,source,options,storage,"
                                  "ephemeral,size_bytes,free_bytes,statfs_type,mount_id,fs_root,"
                                  "device,nfs,fsx,error");
        /* A mount's path is its mount point. */
        assert_string_equal(cJSON_GetObjectItem(mount, "path")->valuestring,
                            "/mnt/custom-file-systems/efs/fs-0123456789abcdef0");
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(mount, "device")));
        nfs = cJSON_GetObjectItem(mount, "nfs");
        keys_of(nfs, keys, sizeof(keys));
        assert_string_equal(keys, "server,export,version,efs_filesystem_id,efs_access_point_id,"
                                  "region,efs_utils,domain_home_efs,options_ok,warnings,rpc");
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(nfs, "efs_utils")));
        assert_true(cJSON_IsFalse(cJSON_GetObjectItem(nfs, "options_ok")));
        assert_string_equal(
                cJSON_GetArrayItem(cJSON_GetObjectItem(nfs, "warnings"), 0)->valuestring,
                "vers=4.0: slow");

        sm = cJSON_GetObjectItem(j, "sagemaker");
        assert_true(cJSON_IsObject(sm));
        keys_of(sm, keys, sizeof(keys));
        assert_true(startswith(keys, "app_type,domain_id,space_name,"));
        assert_non_null(strstr(keys, "user_profile_name,resource_arn,"));
        assert_non_null(strstr(keys, ",region,"));
        assert_string_equal(cJSON_GetObjectItem(sm, "app_type")->valuestring, "JupyterLab");
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(sm, "domain_id")));
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "warnings")), 1);

        cJSON_Delete(j);
        free(s);
        report_done(&r);
}

static void test_hostile_strings(void **state)
{
        static const char *const inputs[] = {
                "/home/a\xff"
                "b",
                "/tmp/\x01\x02\x1f\x7f",
                "/with\nnewline\tand tab",
                "/quote\"back\\slash",
                "/overlong\xc0\xaf",
                "/surrogate\xed\xa0\x80",
                "/truncated\xe2\x82",
                "/ok caf\xc3\xa9 \xf0\x9f\x98\x80",
        };

        for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
                struct report r;
                char *s, *want = utf8_sanitize(inputs[i]);
                cJSON *j, *home;

                report_init(&r);
                r.home.path = strdup(inputs[i]);
                r.home.resolved_path = strdup(inputs[i]);
                r.home.mountpoint = strdup(inputs[i]);
                r.home.options = strdup(inputs[i]);
                r.home.error = strdup(inputs[i]);
                assert_int_equal(report_add_evidence(&r, inputs[i], ENV_NONE, "%s", inputs[i]), 0);
                assert_int_equal(report_add_warning(&r, "%s", inputs[i]), 0);
                r.sagemaker.metadata_present = true;
                r.sagemaker.space_name = strdup(inputs[i]);
                print_message("hostile %zu\n", i);
                s = print(&r);
                /* No raw control character survives: the text is one valid line. */
                for (const char *c = s; *c; c++)
                        assert_true((unsigned char)*c >= 0x20);
                j = cJSON_Parse(s);
                assert_non_null(j);
                home = cJSON_GetObjectItem(j, "home");
                assert_string_equal(cJSON_GetObjectItem(home, "path")->valuestring, want);
                assert_string_equal(cJSON_GetObjectItem(home, "mountpoint")->valuestring, want);
                assert_string_equal(cJSON_GetObjectItem(home, "options")->valuestring, want);
                assert_string_equal(cJSON_GetObjectItem(home, "error")->valuestring, want);
                assert_string_equal(
                        cJSON_GetArrayItem(cJSON_GetObjectItem(j, "warnings"), 0)->valuestring,
                        want);
                assert_string_equal(
                        cJSON_GetObjectItem(
                                cJSON_GetArrayItem(cJSON_GetObjectItem(j, "evidence"), 0), "source")
                                ->valuestring,
                        want);
                assert_string_equal(
                        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "sagemaker"), "space_name")
                                ->valuestring,
                        want);
                cJSON_Delete(j);
                free(s);
                free(want);
                report_done(&r);
        }
}

static void test_json_add_u64(void **state)
{
        static const struct {
                uint64_t v;
                const char *text;
        } rows[] = {
                { 0, "{\"v\":0}" },
                { 1, "{\"v\":1}" },
                { UINT64_C(9007199254740993), "{\"v\":9007199254740993}" },
                { UINT64_C(9223372036854775808), "{\"v\":9223372036854775808}" },
                { UINT64_MAX - 1, "{\"v\":18446744073709551614}" },
                { U64_UNSET, "{\"v\":null}" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                cJSON *o = cJSON_CreateObject();
                char *s;

                assert_true(json_add_u64(o, "v", rows[i].v));
                s = cJSON_PrintUnformatted(o);
                assert_string_equal(s, rows[i].text);
                free(s);
                cJSON_Delete(o);
        }
}

static void test_render_json_stream(void **state)
{
        struct report r;
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        cJSON *j;

        fill_full(&r);
        assert_non_null(f);
        assert_int_equal(render_json(f, &r), 0);
        fclose(f);
        assert_true(len > 2 && buf[len - 1] == '\n');
        j = cJSON_Parse(buf);
        assert_non_null(j);
        cJSON_Delete(j);
        free(buf);
        report_done(&r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_json_floor),     cmocka_unit_test(test_empty_report),
                cmocka_unit_test(test_full_report),    cmocka_unit_test(test_hostile_strings),
                cmocka_unit_test(test_json_add_u64),   cmocka_unit_test(test_render_json_stream),
                cmocka_unit_test(test_device_history),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
