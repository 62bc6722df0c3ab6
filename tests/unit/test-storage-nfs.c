/* SPDX-License-Identifier: MIT */
/* EFS/NFS recognition and the EFS-recommended option checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "probe/nfs.h"
#include "classify/storage.h"
#include "core/strutil.h"

#define FS17 "fs-0123456789abcdef0"
#define AP17 "fsap-0123456789abcdef0"
/* What efs-utils and the EFS docs set: the options a SageMaker EFS home has. */
#define RECOMMENDED                                                                                \
        "rw,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,hard,noresvport,"                      \
        "proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.0.0.5,"                               \
        "local_lock=none,addr=10.0.0.9"

static void test_efs_parse_dns(void **state)
{
        static const struct {
                const char *in, *fsid, *region; /* fsid NULL: rejected */
        } rows[] = {
                { FS17 ".efs.us-east-1.amazonaws.com", FS17, "us-east-1" },
                { "fs-01234567.efs.eu-west-2.amazonaws.com", "fs-01234567", "eu-west-2" },
                { "us-east-1a." FS17 ".efs.us-east-1.amazonaws.com", FS17, "us-east-1" },
                { FS17 ".efs.cn-north-1.amazonaws.com.cn", FS17, "cn-north-1" },
                { FS17 ".efs.us-gov-west-1.amazonaws.com", FS17, "us-gov-west-1" },
                { "FS-0123456789ABCDEF0.efs.us-east-1.amazonaws.com", NULL, NULL },
                { "fs-0123456789ABCDEF0.efs.us-east-1.amazonaws.com", NULL, NULL },
                { FS17 ".efs.US-EAST-1.amazonaws.com", NULL, NULL },
                { FS17 ".EFS.us-east-1.amazonaws.com", NULL, NULL },
                { "fs-0123.efs.us-east-1.amazonaws.com", NULL, NULL },               /* 4 digits */
                { "fs-0123456789abcdef01.efs.us-east-1.amazonaws.com", NULL, NULL }, /* 18 */
                { "fs-0123456789abcdefg.efs.us-east-1.amazonaws.com", NULL, NULL },
                { FS17 ".efs.us-east-1.amazonaws.com.evil.example", NULL, NULL },
                { FS17 ".efs.us-east-1.example.com", NULL, NULL },
                { FS17 ".efs..amazonaws.com", NULL, NULL },
                { FS17 ".efs.us_east_1.amazonaws.com", NULL, NULL },
                { FS17 ".efs.us-east-1", NULL, NULL },
                { FS17 ".fsx.us-east-1.amazonaws.com", NULL, NULL },
                { FS17, NULL, NULL },
                { "10.0.0.9", NULL, NULL },
                { "127.0.0.1", NULL, NULL },
                { "", NULL, NULL },
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                char *fsid = NULL, *region = NULL;
                bool ok = efs_parse_dns(rows[i].in, &fsid, &region);

                print_message("efs_parse_dns(%s)\n", rows[i].in);
                assert_int_equal(ok, rows[i].fsid != NULL);
                if (ok) {
                        assert_string_equal(fsid, rows[i].fsid);
                        assert_string_equal(region, rows[i].region);
                } else {
                        assert_null(fsid);
                        assert_null(region);
                }
                free(fsid);
                free(region);
        }
        assert_false(efs_parse_dns(NULL, &(char *){ NULL }, &(char *){ NULL }));
}

static void test_efs_parse_mountpoint(void **state)
{
        static const struct {
                const char *in, *fsid, *apid;
                bool ok;
        } rows[] = {
                { "/mnt/custom-file-systems/efs/" FS17, FS17, NULL, true },
                { "/mnt/custom-file-systems/efs/" FS17 "_" AP17, FS17, AP17, true },
                { "/mnt/custom-file-systems/efs/fs-01234567", "fs-01234567", NULL, true },
                { "/mnt/custom-file-systems/efs/" FS17 "_fsap-0123", NULL, NULL, false },
                { "/mnt/custom-file-systems/efs/" FS17 "_", NULL, NULL, false },
                { "/mnt/custom-file-systems/efs/" FS17 "_" AP17 "x", NULL, NULL, false },
                { "/mnt/custom-file-systems/efs/" FS17 "/sub", NULL, NULL, false },
                { "/mnt/custom-file-systems/efs/" FS17 "x", NULL, NULL, false },
                { "/mnt/custom-file-systems/efs/junk", NULL, NULL, false },
                { "/mnt/custom-file-systems/efs/", NULL, NULL, false },
                { "/mnt/custom-file-systems/fsx_lustre/" FS17, NULL, NULL, false },
                { "/mnt/efs/" FS17, NULL, NULL, false },
                { "/home/sagemaker-user", NULL, NULL, false },
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                char *fsid = NULL, *apid = NULL;
                bool ok = efs_parse_mountpoint(rows[i].in, &fsid, &apid);

                print_message("efs_parse_mountpoint(%s)\n", rows[i].in);
                assert_int_equal(ok, rows[i].ok);
                if (ok) {
                        assert_string_equal(fsid, rows[i].fsid);
                        if (rows[i].apid)
                                assert_string_equal(apid, rows[i].apid);
                        else
                                assert_null(apid);
                }
                free(fsid);
                free(apid);
        }
        assert_false(efs_parse_mountpoint(NULL, &(char *){ NULL }, &(char *){ NULL }));
}

static struct nfs_info *describe(const char *source, const char *target, const char *fs_options)
{
        struct mount_entry e = {
                .target = (char *)target,
                .fstype = (char *)"nfs4",
                .source = (char *)source,
                .options = (char *)"rw,relatime",
                .fs_options = (char *)fs_options,
        };
        struct nfs_info *n = NULL;

        assert_int_equal(nfs_describe(&e, &n), 0);
        assert_non_null(n);
        storage_check_nfs_options(e.fs_options, n);
        return n;
}

static void test_nfs_efs_utils(void **state)
{
        static const struct {
                const char *server;
                const char *port;
                bool efs_utils;
        } rows[] = {
                { "127.0.0.1", ",port=20049", true },
                { "127.0.0.1", ",port=20050", true },
                { "127.0.0.1", ",port=21049", true },
                { "127.0.0.1", ",port=20048", false },
                { "127.0.0.1", ",port=21050", false },
                { "127.0.0.1", ",port=2049", false },
                { "127.0.0.1", ",port=abc", false },
                { "127.0.0.1", ",port=-20050", false },
                { "127.0.0.1", "", false }, /* no port= */
                { "127.0.0.2", ",port=20050", false },
                { "10.0.0.9", ",port=20050", false },
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                char src[64], opts[512];
                struct nfs_info *n;

                snprintf(src, sizeof(src), "%s:/", rows[i].server);
                snprintf(opts, sizeof(opts), RECOMMENDED "%s", rows[i].port);
                n = describe(src, "/mnt/x", opts);
                print_message("efs-utils %s%s\n", src, rows[i].port);
                assert_int_equal(n->efs_utils, rows[i].efs_utils);
                assert_string_equal(n->server, rows[i].server);
                assert_string_equal(n->export, "/");
                assert_null(n->efs_filesystem_id);
                nfs_info_free(n);
        }
}

static void test_nfs_sources(void **state)
{
        struct nfs_info *n;

        /* An efs-utils mount of a SageMaker custom file system with an access point. */
        n = describe("127.0.0.1:/", "/mnt/custom-file-systems/efs/" FS17 "_" AP17,
                     RECOMMENDED ",port=20123");
        assert_true(n->efs_utils);
        assert_string_equal(n->efs_filesystem_id, FS17);
        assert_string_equal(n->efs_access_point_id, AP17);
        assert_null(n->region);
        assert_string_equal(n->version, "4.1");
        assert_true(n->options_ok);
        assert_null(n->warnings);
        nfs_info_free(n);

        /* Studio Classic: the domain's EFS by DNS name, a per-user export. */
        n = describe(FS17 ".efs.us-east-1.amazonaws.com:/200001", "/home/sagemaker-user",
                     RECOMMENDED);
        assert_false(n->efs_utils);
        assert_string_equal(n->server, FS17 ".efs.us-east-1.amazonaws.com");
        assert_string_equal(n->export, "/200001");
        assert_string_equal(n->efs_filesystem_id, FS17);
        assert_string_equal(n->region, "us-east-1");
        assert_null(n->efs_access_point_id);
        nfs_info_free(n);

        /* The DNS id wins over a different one in the mount point. */
        n = describe(FS17 ".efs.us-east-1.amazonaws.com:/",
                     "/mnt/custom-file-systems/efs/fs-01234567", RECOMMENDED);
        assert_string_equal(n->efs_filesystem_id, FS17);
        nfs_info_free(n);

        /* IPv6 server in brackets. */
        n = describe("[fd00:ec2::1]:/export/data", "/data", RECOMMENDED);
        assert_string_equal(n->server, "fd00:ec2::1");
        assert_string_equal(n->export, "/export/data");
        assert_null(n->efs_filesystem_id);
        nfs_info_free(n);

        /* Malformed sources: no server, no crash. */
        n = describe("[fd00::1", "/data", RECOMMENDED);
        assert_null(n->server);
        assert_null(n->export);
        nfs_info_free(n);
        n = describe("[fd00::1]/x", "/data", RECOMMENDED);
        assert_null(n->server);
        nfs_info_free(n);
        n = describe("noserver", "/data", RECOMMENDED);
        assert_null(n->server);
        assert_null(n->export);
        nfs_info_free(n);
        n = describe(NULL, "/data", NULL);
        assert_null(n->server);
        assert_null(n->version);
        nfs_info_free(n);
}

static void test_nfs_option_deviations(void **state)
{
        static const struct {
                const char *from, *to; /* replace in RECOMMENDED */
                const char *warning;   /* the one warning starts with this */
        } rows[] = {
                { "vers=4.1", "vers=4.0", "vers=4.0: " },
                { "vers=4.1", "vers=3", "vers=3: " },
                { "rsize=1048576", "rsize=65536", "rsize=65536: " },
                { "rsize=1048576", "rsize=abc", "rsize=abc: " },
                { "wsize=1048576", "wsize=32768", "wsize=32768: " },
                { "hard", "soft", "soft: " },
                { "timeo=600", "timeo=100", "timeo=100: " },
                { "retrans=2", "retrans=5", "retrans=5: " },
                { "noresvport,", "", "resvport: " },
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                char opts[512];
                const char *at = strstr(RECOMMENDED, rows[i].from);
                struct nfs_info *n;

                assert_non_null(at);
                snprintf(opts, sizeof(opts), "%.*s%s%s", (int)(at - RECOMMENDED), RECOMMENDED,
                         rows[i].to, at + strlen(rows[i].from));
                print_message("options %s\n", opts);
                n = describe(FS17 ".efs.us-east-1.amazonaws.com:/", "/home/sagemaker-user", opts);
                assert_false(n->options_ok);
                assert_int_equal(strv_length(n->warnings), 1);
                assert_true(startswith(n->warnings[0], rows[i].warning));
                /* Each says what the deviation costs, not only that it differs. */
                assert_true(strlen(n->warnings[0]) > strlen(rows[i].warning) + 30);
                nfs_info_free(n);
        }

        /* Larger than recommended reads and writes are no deviation. */
        {
                struct nfs_info *n = describe("10.0.0.9:/", "/d",
                                              "rw,vers=4.1,rsize=2097152,wsize=2097152,hard,"
                                              "noresvport,timeo=600,retrans=2");
                assert_true(n->options_ok);
                nfs_info_free(n);
        }
        /* Everything wrong at once: one warning each. */
        {
                struct nfs_info *n = describe("10.0.0.9:/", "/d",
                                              "rw,vers=4.0,rsize=8192,wsize=8192,soft,timeo=10,"
                                              "retrans=9");
                assert_int_equal(strv_length(n->warnings), 7);
                assert_false(n->options_ok);
                nfs_info_free(n);
        }
}

static void test_storage_kind_of(void **state)
{
        struct block_device ebs = { .model = (char *)"Amazon Elastic Block Store",
                                    .size_bytes = U64_UNSET };
        struct block_device nvme = { .model = (char *)"Amazon EC2 NVMe Instance Storage",
                                     .size_bytes = U64_UNSET };
        struct block_device qemu = { .model = (char *)"QEMU HARDDISK", .size_bytes = U64_UNSET };
        struct block_device sized = { .size_bytes = 1024 };
        struct block_device blank = { .size_bytes = U64_UNSET };
        struct nfs_info efs = { .efs_filesystem_id = (char *)FS17 };
        struct nfs_info efs_utils = { .efs_utils = true };
        struct nfs_info plain = { .server = (char *)"10.0.0.9" };
        static const struct {
                const char *fstype;
                unsigned major;
                int nfs; /* 0 none, 1 efs id, 2 efs-utils, 3 plain */
                int dev; /* 0 none, 1 ebs, 2 instance store, 3 qemu, 4 sized, 5 blank */
                enum storage_kind kind;
                bool ephemeral;
        } rows[] = {
                { "overlay", 0, 0, 0, STORAGE_OVERLAY, false },
                { "tmpfs", 0, 0, 0, STORAGE_TMPFS, true },
                { "ramfs", 0, 0, 0, STORAGE_TMPFS, true },
                { "devtmpfs", 0, 0, 0, STORAGE_TMPFS, true },
                { "lustre", 0, 0, 0, STORAGE_FSX_LUSTRE, false },
                { "nfs4", 0, 1, 0, STORAGE_EFS, false },
                { "nfs4", 0, 2, 0, STORAGE_EFS, false },
                { "nfs4", 0, 3, 0, STORAGE_NFS, false },
                { "nfs", 0, 3, 0, STORAGE_NFS, false },
                { "xfs", 259, 0, 1, STORAGE_EBS, false },
                { "ext4", 259, 0, 2, STORAGE_INSTANCE_STORE, true },
                { "ext4", 8, 0, 3, STORAGE_LOCAL, false },
                { "ext4", 8, 0, 4, STORAGE_LOCAL, false },
                { "ext4", 8, 0, 5, STORAGE_UNKNOWN, false },
                { "ext4", 8, 0, 0, STORAGE_UNKNOWN, false },
                { "xfs", 0, 0, 1, STORAGE_UNKNOWN, false }, /* anonymous dev: no sysfs */
                { "proc", 0, 0, 0, STORAGE_UNKNOWN, false },
                { "fuse.s3fs", 0, 0, 0, STORAGE_UNKNOWN, false },
        };
        const struct nfs_info *nfss[] = { NULL, &efs, &efs_utils, &plain };
        const struct block_device *devs[] = { NULL, &ebs, &nvme, &qemu, &sized, &blank };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                struct storage st = { .fstype = (char *)rows[i].fstype,
                                      .dev_major = rows[i].major,
                                      .mountpoint = (char *)"/x",
                                      .nfs = (struct nfs_info *)nfss[rows[i].nfs],
                                      .device = (struct block_device *)devs[rows[i].dev] };
                bool eph = !rows[i].ephemeral;
                enum storage_kind k = storage_kind_of(&st, &eph);

                print_message("kind row %zu (%s)\n", i, rows[i].fstype);
                assert_int_equal(k, rows[i].kind);
                assert_int_equal(eph, rows[i].ephemeral);
        }
        for (int k = 0; k < _STORAGE_MAX; k++) {
                assert_non_null(storage_kind_to_string(k));
                assert_non_null(storage_kind_to_title(k));
        }
        assert_null(storage_kind_to_string(_STORAGE_MAX));
        assert_null(storage_kind_to_string(_STORAGE_INVALID));
}

static void test_lustre_describe(void **state)
{
        static const struct {
                const char *source, *target;
                const char *server, *mount_name, *subdir, *fsid, *region;
        } rows[] = {
                /* a Studio custom file system (studio-facts §2) */
                { "10.1.53.46@tcp:/ylacfb4v/alice", "/mnt/custom-file-systems/fsx_lustre/" FS17,
                  "10.1.53.46@tcp", "ylacfb4v", "/alice", FS17, NULL },
                /* mounted by DNS name, as FSx's docs do */
                { "fs-0a1b2c3d4e5f60718.fsx.us-west-2.amazonaws.com@tcp:/abcdwxyz", "/fsx",
                  "fs-0a1b2c3d4e5f60718.fsx.us-west-2.amazonaws.com@tcp", "abcdwxyz", NULL,
                  "fs-0a1b2c3d4e5f60718", "us-west-2" },
                /* failover NIDs, no id anywhere */
                { "10.0.0.1@tcp:10.0.0.2@tcp:/fsx", "/fsx", "10.0.0.1@tcp:10.0.0.2@tcp", "fsx",
                  NULL, NULL, NULL },
                /* no ":/" at all; an EFS DNS name is no FSx id */
                { "garbage", "/mnt/custom-file-systems/fsx_lustre/fs-1", NULL, NULL, NULL, NULL,
                  NULL },
                { FS17 ".efs.us-east-1.amazonaws.com@tcp:/", "/x",
                  FS17 ".efs.us-east-1.amazonaws.com@tcp", NULL, NULL, NULL, NULL },
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                struct mount_entry e = { .target = (char *)rows[i].target,
                                         .fstype = (char *)"lustre",
                                         .source = (char *)rows[i].source };
                struct fsx_info *x = NULL;

                print_message("lustre row %zu (%s)\n", i, rows[i].source);
                assert_int_equal(lustre_describe(&e, &x), 0);
                assert_non_null(x);
                assert_true(streq_ptr(x->server, rows[i].server));
                assert_true(streq_ptr(x->mount_name, rows[i].mount_name));
                assert_true(streq_ptr(x->subdirectory, rows[i].subdir));
                assert_true(streq_ptr(x->filesystem_id, rows[i].fsid));
                assert_true(streq_ptr(x->region, rows[i].region));
                fsx_info_free(x);
        }
}

/* Mountpoint for Amazon S3's FSName, whatever the fstype's subtype; another
 * FUSE source is no S3 by itself. */
static void test_kind_mountpoint_s3(void **state)
{
        static const struct {
                const char *fstype, *source;
                enum storage_kind kind;
        } rows[] = {
                { "fuse", "mountpoint-s3", STORAGE_S3 },
                { "fuse.mountpoint-s3", "mountpoint-s3", STORAGE_S3 },
                { "fuse", "s3fs", STORAGE_UNKNOWN },
                { "fuseblk", "mountpoint-s3", STORAGE_UNKNOWN },
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                struct storage st = { .fstype = (char *)rows[i].fstype,
                                      .source = (char *)rows[i].source,
                                      .mountpoint = (char *)"/x" };
                bool eph = true;

                assert_int_equal(storage_kind_of(&st, &eph), rows[i].kind);
                assert_false(eph);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_efs_parse_dns),
                cmocka_unit_test(test_lustre_describe),
                cmocka_unit_test(test_kind_mountpoint_s3),
                cmocka_unit_test(test_efs_parse_mountpoint),
                cmocka_unit_test(test_nfs_efs_utils),
                cmocka_unit_test(test_nfs_sources),
                cmocka_unit_test(test_nfs_option_deviations),
                cmocka_unit_test(test_storage_kind_of),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
