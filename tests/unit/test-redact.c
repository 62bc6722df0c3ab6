/* SPDX-License-Identifier: MIT */
/* The --redact redactor (issue 8): whole values, components and tokens only,
 * names that are words of the files, identity fields, ARNs, accounts,
 * addresses and mount-source hosts, placeholders that never collide with the
 * input, the same output for the same input, and work linear in the input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/redact.h"

/* What collect reserves and protects, in small. */
static struct redactor *new_redactor(void)
{
        struct redactor *r = redactor_new();

        assert_non_null(r);
        assert_int_equal(redactor_reserve_path(r, "/home/sagemaker-user"), 0);
        assert_int_equal(redactor_reserve_path(r, "/opt/ml/metadata/resource-metadata.json"), 0);
        assert_int_equal(redactor_reserve_path(r, "/proc/self/environ"), 0);
        assert_int_equal(redactor_reserve(r, "ebs"), 0);
        assert_int_equal(redactor_protect_tree(r, "/sys"), 0);
        assert_int_equal(redactor_protect_tree(r, "/proc"), 0);
        return r;
}

static void scan(struct redactor *r, enum redact_format f, const char *in, size_t len)
{
        assert_int_equal(redact_data(r, f, in, len, NULL, NULL), 0);
}

static char *out(struct redactor *r, enum redact_format f, const char *in, size_t len,
                 size_t *ret_len)
{
        char *o = NULL;

        assert_int_equal(redact_data(r, f, in, len, &o, ret_len), 0);
        assert_non_null(o);
        return o;
}

static char *out_path(struct redactor *r, const char *p)
{
        char *o = NULL;

        assert_int_equal(redact_path(r, p, &o), 0);
        return o;
}

static char *out_link(struct redactor *r, const char *link, const char *target)
{
        char *o = NULL;

        assert_int_equal(redact_link(r, link, target, &o), 0);
        return o;
}

/* Kept where the value is not an identity field: the files' own words, and
 * numbers (a name "1" is no reason to touch every 1). */
static bool kept_in_text(const char *n)
{
        static const char *const words[] = { "home",           "JupyterLab", "default",
                                             "sagemaker-user", "CodeEditor", "true",
                                             "null",           "ebs" };

        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                if (strcmp(words[i], n) == 0)
                        return true;
        return strspn(n, "0123456789") == strlen(n);
}

static const char *const tricky[] = {
        "e",
        "user",
        "home",
        "JupyterLab",
        "default",
        "sagemaker-user",
        "CodeEditor",
        "true",
        "null",
        "1",
        "user-1",
        "ebs",
        "J\xc3\xbcrgen" /* Jürgen */,
        "\xe5\x90\x8d\xe5\x89\x8d" /* 名前 */,
        "a\"b",
        "a\\b",
        "a/b",
        "{\"x\":1}",
        ".*+?[](|)^$",
};

/* JSON: the value of an identity field is replaced whatever it is; keys,
 * literals and the AppType never; other strings by whole token. */
static void test_json_names(void **state)
{
        for (size_t i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++) {
                const char *name = tricky[i];
                struct redactor *r = new_redactor();
                cJSON *j = cJSON_CreateObject(), *back, *list;
                char *in, *o;
                const char *user;

                print_message("name %s\n", name);
                assert_non_null(cJSON_AddStringToObject(j, "AppType", "JupyterLab"));
                assert_non_null(cJSON_AddStringToObject(j, "UserProfileName", name));
                assert_non_null(cJSON_AddTrueToObject(j, "e"));
                assert_non_null(cJSON_AddFalseToObject(j, "user"));
                assert_non_null(cJSON_AddNullToObject(j, "home"));
                assert_non_null(cJSON_AddNumberToObject(j, "1", 1));
                assert_non_null(cJSON_AddStringToObject(j, "Home", "/home/sagemaker-user"));
                assert_non_null(cJSON_AddStringToObject(j, "warning", "/mnt/x: e and user"));
                assert_non_null(cJSON_AddStringToObject(
                        j, "detail", "AppType=JupyterLab on /home/sagemaker-user"));
                list = cJSON_AddArrayToObject(j, "list");
                cJSON_AddItemToArray(list, cJSON_CreateString("e"));
                cJSON_AddItemToArray(list, cJSON_CreateString(name));
                in = cJSON_Print(j);
                cJSON_Delete(j);

                assert_int_equal(redactor_add(r, SECRET_USER, name), 0);
                scan(r, REDACT_JSON, in, strlen(in));
                assert_int_equal(redactor_freeze(r), 0);
                o = out(r, REDACT_JSON, in, strlen(in), NULL);
                back = cJSON_Parse(o);
                assert_non_null(back);
                user = cJSON_GetObjectItemCaseSensitive(back, "UserProfileName")->valuestring;
                assert_string_not_equal(user, name);
                assert_int_equal(strncmp(user, "user-", 5), 0);
                assert_string_equal(user, redactor_lookup(r, name));
                assert_string_equal(cJSON_GetObjectItemCaseSensitive(back, "AppType")->valuestring,
                                    "JupyterLab");
                assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(back, "e")));
                assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(back, "user")));
                assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(back, "home")));
                assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(back, "1")));
                assert_string_equal(cJSON_GetObjectItemCaseSensitive(back, "Home")->valuestring,
                                    "/home/sagemaker-user");
                assert_string_equal(cJSON_GetObjectItemCaseSensitive(back, "detail")->valuestring,
                                    "AppType=JupyterLab on /home/sagemaker-user");
                if (strcmp(name, "e") == 0 || strcmp(name, "user") == 0) {
                        char want[64];
                        snprintf(want, sizeof(want), "/mnt/x: %s and %s",
                                 strcmp(name, "e") == 0 ? user : "e",
                                 strcmp(name, "user") == 0 ? user : "user");
                        assert_string_equal(
                                cJSON_GetObjectItemCaseSensitive(back, "warning")->valuestring,
                                want);
                }
                list = cJSON_GetObjectItemCaseSensitive(back, "list");
                /* a whole value equal to the name, unless the word is the files' own */
                assert_string_equal(cJSON_GetArrayItem(list, 1)->valuestring,
                                    kept_in_text(name) ? name : user);
                if (strcmp(name, "e") != 0)
                        assert_string_equal(cJSON_GetArrayItem(list, 0)->valuestring, "e");
                cJSON_Delete(back);
                free(o);
                cJSON_free(in);
                redactor_free(r);
        }
}

static void test_paths_and_links(void **state)
{
        static const struct {
                const char *in, *out;
        } rows[] = {
                { "/home/sagemaker-user/e/x", "/home/sagemaker-user/user-1/x" },
                { "/e", "/user-1" },
                { "//e//x/", "//user-1//x/" },
                { "/mnt/x/../e/.", "/mnt/x/../user-1/." },
                { "/home/sagemaker-user/alice-ce-fsx", "/home/sagemaker-user/alice-ce-fsx" },
                { "/home/sagemaker-user/alice", "/home/sagemaker-user/space-1" },
                { "/home/e.txt", "/home/e.txt" },                   /* another name */
                { "/home/E", "/home/user-1" },                      /* the same name */
                { "/home/sagemaker-user", "/home/sagemaker-user" }, /* "home" is a space */
                { "/sys/devices/e/nvme0", "/sys/devices/e/nvme0" }, /* protected */
                { "/proc/self/environ", "/proc/self/environ" },
                { "/mnt/10.0.0.1/x", "/mnt/192.0.2.1/x" },
                { "/mnt/1", "/mnt/1" }, /* digits: no name, in text */
                { "/mnt/J\xc3\xbcrgen", "/mnt/user-2" },
                { "/mnt/a\"b", "/mnt/user-3" },
        };
        struct redactor *r = new_redactor();

        assert_int_equal(redactor_add(r, SECRET_USER, "e"), 0);
        assert_int_equal(redactor_add(r, SECRET_SPACE, "alice"), 0);
        assert_int_equal(redactor_add(r, SECRET_SPACE, "home"), 0);
        assert_int_equal(redactor_add(r, SECRET_SPACE, "1"), 0);
        assert_int_equal(redactor_add(r, SECRET_USER, "J\xc3\xbcrgen"), 0);
        assert_int_equal(redactor_add(r, SECRET_USER, "a\"b"), 0);
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
                assert_int_equal(redact_path(r, rows[i].in, NULL), 0);
        assert_int_equal(redactor_freeze(r), 0);
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                char *o = out_path(r, rows[i].in);
                print_message("%s\n", rows[i].in);
                assert_string_equal(o, rows[i].out);
                free(o);
        }
        /* symlinks: the kernel's keep their targets, others go as paths */
        {
                static const struct {
                        const char *link, *target, *out;
                } links[] = {
                        { "/sys/dev/block/259:3", "../../devices/pci/e/nvme1n1",
                          "../../devices/pci/e/nvme1n1" },
                        { "/home/sagemaker-user/l", "e/data", "user-1/data" },
                        { "/home/sagemaker-user/l", "../../sys/e", "../../sys/e" },
                        { "/home/sagemaker-user/l", "../../../../sys/e", "../../../../sys/e" },
                        { "/home/sagemaker-user/l", "/mnt/e", "/mnt/user-1" },
                        { "/home/sagemaker-user/l", "/sys/e", "/sys/e" },
                };
                for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
                        char *o = out_link(r, links[i].link, links[i].target);
                        assert_string_equal(o, links[i].out);
                        free(o);
                }
        }
        redactor_free(r);
}

static size_t count_char(const char *s, size_t len, char c)
{
        size_t n = 0;

        for (size_t i = 0; i < len; i++)
                n += s[i] == c;
        return n;
}

static void test_mountinfo(void **state)
{
        static const struct {
                const char *in, *out;
        } rows[] = {
                /* the EFS DNS name and its id stay; addresses in options go */
                { "36 25 0:50 / /mnt/efs/fs-0123456789abcdef0 rw,relatime shared:1 - nfs4 "
                  "fs-0123456789abcdef0.efs.us-east-1.amazonaws.com:/ rw,vers=4.1,addr=10.0.1.9,"
                  "clientaddr=10.0.1.5",
                  "36 25 0:50 / /mnt/efs/fs-0123456789abcdef0 rw,relatime shared:1 - nfs4 "
                  "fs-0123456789abcdef0.efs.us-east-1.amazonaws.com:/ rw,vers=4.1,addr=192.0.2.1,"
                  "clientaddr=192.0.2.2" },
                /* efs-utils' loopback stays; the mount's root is a path */
                { "37 25 0:51 /alice /home/sagemaker-user rw - nfs4 127.0.0.1:/200005 "
                  "rw,port=20100,addr=127.0.0.1",
                  "37 25 0:51 /user-1 /home/sagemaker-user rw - nfs4 127.0.0.1:/200005 "
                  "rw,port=20100,addr=127.0.0.1" },
                /* escaped fields; a host name; the export's names */
                { "38 25 0:52 / /mnt/my\\040data rw - nfs nfs.corp.example.com:/export/alice "
                  "rw,addr=172.16.5.4",
                  "38 25 0:52 / /mnt/user-2 rw - nfs host-1.invalid:/export/user-1 "
                  "rw,addr=192.0.2.3" },
                { "39 25 0:53 / /mnt/l rw - lustre 10.1.53.46@tcp:10.1.53.47@tcp1:/fsname/alice rw",
                  "39 25 0:53 / /mnt/l rw - lustre 192.0.2.4@tcp:192.0.2.5@tcp1:/fsname/user-1 "
                  "rw" },
                { "40 25 0:54 / /mnt/v6 rw - nfs4 [fd00::1]:/x rw,addr=fd00::1",
                  "40 25 0:54 / /mnt/v6 rw - nfs4 [2001:db8::1]:/x rw,addr=2001:db8::1" },
                { "41 25 0:55 / /mnt/s rw - fuse.sshfs bob@server:/home/bob rw,user_id=0",
                  "41 25 0:55 / /mnt/s rw - fuse.sshfs user-4@host-2.invalid:/home/user-4 "
                  "rw,user_id=0" },
                { "42 25 0:56 / /mnt/c rw - cifs //fileserver/share rw,addr=192.168.1.2",
                  "42 25 0:56 / /mnt/c rw - cifs //host-3.invalid/share rw,addr=192.0.2.6" },
                /* flags stay, whatever a name is; so does the device */
                { "43 25 259:3 / /data rw - xfs /dev/nvme1n1 rw,user,e",
                  "43 25 259:3 / /data rw - xfs /dev/nvme1n1 rw,user,e" },
                { "44 25 0:57 / /mnt/e rw - nfs4 ip-10-0-1-2.ec2.internal:/ rw",
                  "44 25 0:57 / /mnt/e rw - nfs4 host-4.invalid:/ rw" },
                /* a public address as a server: the customer's; replaced wherever it stands */
                { "45 25 0:58 / /mnt/p rw - nfs4 54.1.2.3:/pub rw,addr=54.1.2.3",
                  "45 25 0:58 / /mnt/p rw - nfs4 192.0.2.7:/pub rw,addr=192.0.2.7" },
                { "46 25 0:59 / /mnt/f rw - nfs4 svm-1.fs-0123456789abcdef0.fsx.us-east-1."
                  "amazonaws.com:/vol1 rw",
                  "46 25 0:59 / /mnt/f rw - nfs4 svm-1.fs-0123456789abcdef0.fsx.us-east-1."
                  "amazonaws.com:/vol1 rw" },
                /* not a mountinfo line: tokens */
                { "garbage line with alice", "garbage line with user-1" },
                { "", "" },
        };
        struct redactor *r = new_redactor();
        char *in = NULL, *expect = NULL, *o;
        size_t inlen = 0, explen = 0, olen;
        FILE *fi = open_memstream(&in, &inlen), *fe = open_memstream(&expect, &explen);

        assert_int_equal(redactor_add(r, SECRET_USER, "alice"), 0);
        assert_int_equal(redactor_add(r, SECRET_USER, "my data"), 0);
        assert_int_equal(redactor_add(r, SECRET_USER, "user"), 0);
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                fprintf(fi, "%s\n", rows[i].in);
                fprintf(fe, "%s\n", rows[i].out);
        }
        fclose(fi);
        fclose(fe);
        scan(r, REDACT_MOUNTINFO, in, inlen);
        assert_int_equal(redactor_freeze(r), 0);
        o = out(r, REDACT_MOUNTINFO, in, inlen, &olen);
        for (const char *a = o, *b = expect; *a || *b;) {
                size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
                if (la != lb || memcmp(a, b, la) != 0)
                        print_message("got  %.*s\nwant %.*s\n", (int)la, a, (int)lb, b);
                assert_true(la == lb && memcmp(a, b, la) == 0);
                a += la + (a[la] == '\n');
                b += lb + (b[lb] == '\n');
        }
        assert_string_equal(o, expect);
        assert_int_equal(count_char(o, olen, '\n'), count_char(in, inlen, '\n'));
        free(o);
        free(in);
        free(expect);
        redactor_free(r);
}

/* mountstats: the device line as a mount source and mount point, the NFS
 * options' addresses as hosts whatever they are; counters stay. */
static void test_mountstats(void **state)
{
        static const char in[] =
                "device nfs.corp.example.com:/alice mounted on /mnt/alice/x\\040y with fstype nfs4 "
                "statvers=1.1\n"
                "\topts:\trw,vers=4.1,hard,clientaddr=10.0.1.5,addr=54.1.2.3,mountaddr=54.1.2.4\n"
                "\tage:\t12\n"
                "\t     GETATTR: 1 2 0 3 4 5 6 7 0\n"
                "device /dev/nvme1n1 mounted on /home with fstype xfs\n";
        struct redactor *r = new_redactor();
        char *o;

        assert_int_equal(redactor_add(r, SECRET_USER, "alice"), 0);
        scan(r, REDACT_MOUNTSTATS, in, sizeof(in) - 1);
        assert_int_equal(redactor_freeze(r), 0);
        o = out(r, REDACT_MOUNTSTATS, in, sizeof(in) - 1, NULL);
        print_message("%s", o);
        assert_string_equal(o, "device host-1.invalid:/user-1 mounted on /mnt/user-1/x\\040y with "
                               "fstype nfs4 statvers=1.1\n"
                               "\topts:\trw,vers=4.1,hard,clientaddr=192.0.2.1,addr=192.0.2.2,"
                               "mountaddr=192.0.2.3\n"
                               "\tage:\t12\n"
                               "\t     GETATTR: 1 2 0 3 4 5 6 7 0\n"
                               "device /dev/nvme1n1 mounted on /home with fstype xfs\n");
        free(o);
        redactor_free(r);
}

static void test_environ(void **state)
{
        static const char in[] = "SAGEMAKER_APP_TYPE=JupyterLab\0SAGEMAKER_SPACE_NAME=JupyterLab\0"
                                 "HOME=/home/sagemaker-user\0OTHER=alice and e\0"
                                 "AWS_REGION=us-east-1\0NOEQUALS alice\0TRAINING_JOB_NAME=home\0"
                                 "LAST=alice";
        static const char expect[] = "SAGEMAKER_APP_TYPE=JupyterLab\0SAGEMAKER_SPACE_NAME=space-1\0"
                                     "HOME=/home/sagemaker-user\0OTHER=user-1 and e\0"
                                     "AWS_REGION=us-east-1\0NOEQUALS user-1\0"
                                     "TRAINING_JOB_NAME=job-1\0LAST=user-1";
        struct redactor *r = new_redactor();
        size_t olen;
        char *o;

        /* a space named "us-east-1" is valid too: the region stays */
        assert_int_equal(redactor_add(r, SECRET_SPACE, "JupyterLab"), 0);
        assert_int_equal(redactor_add(r, SECRET_USER, "alice"), 0);
        assert_int_equal(redactor_add(r, SECRET_SPACE, "us-east-1"), 0);
        scan(r, REDACT_ENVIRON, in, sizeof(in) - 1);
        assert_int_equal(redactor_freeze(r), 0);
        o = out(r, REDACT_ENVIRON, in, sizeof(in) - 1, &olen);
        assert_int_equal(olen, sizeof(expect) - 1);
        assert_memory_equal(o, expect, olen);
        free(o);
        redactor_free(r);
}

static void test_arns_and_accounts(void **state)
{
        static const char in[] =
                "arn:aws:sagemaker:us-east-1:111122223333:app\\/d-abc\\/myspace\\/jupyterlab\\/"
                "default\n"
                "arn:aws:iam::111122223333:role/service-role/MyRole-2024, MyRole-2024.\n"
                "arn:aws:iam::aws:policy/X\n"
                "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb1 and nb1\n"
                "arn:aws:sagemaker:us-east-1:111122223333:processing-job/job7\n"
                "arn:aws:s3:::bucket-b/key/k1\n"
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:tag 123456789012 "
                "sagemaker-us-east-1-210987654321 x210987654321 2109876543210 arn:no\n";
        static const char expect[] =
                "arn:aws:sagemaker:us-east-1:111111111111:app\\/d-domain-1\\/resource-1\\/"
                "jupyterlab\\/default\n"
                "arn:aws:iam::111111111111:role/service-role/resource-2, resource-2.\n"
                "arn:aws:iam::aws:policy/resource-3\n"
                "arn:aws:sagemaker:us-east-1:111111111111:notebook-instance/resource-4 and "
                "resource-4\n"
                "arn:aws:sagemaker:us-east-1:111111111111:processing-job/job-1\n"
                "arn:aws:s3:::resource-5/resource-6/resource-7\n"
                "222222222222.dkr.ecr.us-east-1.amazonaws.com/repo:tag 222222222222 "
                "sagemaker-us-east-1-333333333333 x333333333333 2109876543210 arn:no\n";
        static const char json_in[] = "{\"OwnerAccountId\": 345678901234, \"AccountId\": "
                                      "\"456789012345\", \"ResourceName\": \"MySpace\", "
                                      "\"n\": 345678901234, \"s\": \"456789012345\"}";
        struct redactor *r = new_redactor();
        cJSON *j;
        char *o;

        /* ResourceName "MySpace", its ARN says "myspace": one name */
        assert_int_equal(redactor_add(r, SECRET_RESOURCE, "MySpace"), 0);
        assert_int_equal(redactor_add(r, SECRET_DOMAIN, "d-abc"), 0);
        assert_int_equal(redactor_add(r, SECRET_JOB, "job7"), 0);
        scan(r, REDACT_TEXT, in, sizeof(in) - 1);
        scan(r, REDACT_JSON, json_in, sizeof(json_in) - 1);
        assert_int_equal(redactor_freeze(r), 0);
        o = out(r, REDACT_TEXT, in, sizeof(in) - 1, NULL);
        print_message("%s", o);
        assert_string_equal(o, expect);
        free(o);
        o = out(r, REDACT_JSON, json_in, sizeof(json_in) - 1, NULL);
        j = cJSON_Parse(o);
        assert_non_null(j);
        assert_true(cJSON_GetObjectItem(j, "OwnerAccountId")->valuedouble == 444444444444.0);
        assert_string_equal(cJSON_GetObjectItem(j, "AccountId")->valuestring, "555555555555");
        assert_string_equal(cJSON_GetObjectItem(j, "ResourceName")->valuestring, "resource-1");
        /* an account once found goes everywhere its digits stand alone (as
         * text; a number of no account field is a number) */
        assert_true(cJSON_GetObjectItem(j, "n")->valuedouble == 345678901234.0);
        assert_string_equal(cJSON_GetObjectItem(j, "s")->valuestring, "555555555555");
        cJSON_Delete(j);
        free(o);
        redactor_free(r);
}

static void test_addresses(void **state)
{
        static const struct {
                const char *in;
                bool kept;
        } rows[] = {
                { "10.1.2.3", false },
                { "172.16.0.1", false },
                { "172.31.255.1", false },
                { "172.32.0.1", true },
                { "192.168.0.1", false },
                { "100.64.0.1", false },
                { "100.127.0.1", false },
                { "100.128.0.1", true },
                { "169.254.169.254", true },
                { "127.0.0.1", true },
                { "8.8.8.8", true },
                { "fd00::1", false },
                { "fe80::1", false },
                { "FD12:3456::9", false },
                { "::1", true },
                { "2001:db8::5", true },
                { "ip-10-0-0-1.ec2.internal", false },
                { "ip-10-0-0-1", false },
                { "ip-8-8-8-8.ec2.internal", true },
                { "1.2.3", true },
                { "10.0.0.256", true },
                { "0000:00:1e.0", true },
                { "deadbeef", true },
        };
        struct redactor *r = new_redactor();

        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                char line[64];
                snprintf(line, sizeof(line), "x=%s,", rows[i].in);
                scan(r, REDACT_TEXT, line, strlen(line));
        }
        assert_int_equal(redactor_freeze(r), 0);
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                char line[64], addr[64];
                unsigned char buf[16];
                size_t l;
                char *o;

                snprintf(line, sizeof(line), "x=%s,", rows[i].in);
                o = out(r, REDACT_TEXT, line, strlen(line), NULL);
                print_message("%s -> %s\n", line, o);
                if (rows[i].kept) {
                        assert_string_equal(o, line);
                } else {
                        assert_string_not_equal(o, line);
                        assert_int_equal(strncmp(o, "x=", 2), 0);
                        l = strlen(o);
                        assert_true(l > 3 && o[l - 1] == ',');
                        memcpy(addr, o + 2, l - 3);
                        addr[l - 3] = '\0';
                        /* still an address (or a host name) */
                        assert_true(inet_pton(AF_INET, addr, buf) == 1 ||
                                    inet_pton(AF_INET6, addr, buf) == 1 ||
                                    strstr(addr, ".invalid"));
                        assert_string_not_equal(addr, "2001:db8::5");
                }
                free(o);
        }
        redactor_free(r);
}

/* A placeholder never equals a token of the input: a user literally named
 * "user-1" and a directory "space-1" do not collide with them. */
static void test_placeholders_never_collide(void **state)
{
        static const char in[] = "user-1 space-1 192.0.2.1 111111111111 10.0.0.1 "
                                 "sp 222233334444.dkr.ecr.x /d-domain-1/";
        struct redactor *r = new_redactor();
        char *o;

        assert_int_equal(redactor_add(r, SECRET_USER, "user-1"), 0);
        assert_int_equal(redactor_add(r, SECRET_SPACE, "sp"), 0);
        assert_int_equal(redactor_add(r, SECRET_DOMAIN, "d-x"), 0);
        scan(r, REDACT_TEXT, in, sizeof(in) - 1);
        assert_int_equal(redactor_freeze(r), 0);
        assert_string_equal(redactor_lookup(r, "user-1"), "user-2");
        assert_string_equal(redactor_lookup(r, "sp"), "space-2");
        assert_string_equal(redactor_lookup(r, "d-x"), "d-domain-2");
        assert_string_equal(redactor_lookup(r, "10.0.0.1"), "192.0.2.2");
        assert_string_equal(redactor_lookup(r, "222233334444"), "222222222222");
        o = out(r, REDACT_TEXT, in, sizeof(in) - 1, NULL);
        assert_string_equal(o, "user-2 space-1 192.0.2.1 111111111111 192.0.2.2 space-2 "
                               "222222222222.dkr.ecr.x /d-domain-1/");
        free(o);
        redactor_free(r);
}

/* The same input gives the same bundle (the table's seed is random), and a
 * value the same placeholder in every format. */
static void test_deterministic(void **state)
{
        static const char json_in[] = "{\"SpaceName\": \"b\", \"UserProfileName\": \"a\", "
                                      "\"ResourceArn\": \"arn:aws:sagemaker:r:123456789012:app/"
                                      "d-x/b/jupyterlab/n\", \"ip\": \"10.9.9.9\"}";
        static const char env_in[] = "SAGEMAKER_SPACE_NAME=b\0HOME=/home/a";
        static const char mi_in[] = "1 1 0:1 / /mnt/b rw - nfs4 h:/a rw,addr=10.9.9.9\n";
        char *first[4] = {};

        for (int run = 0; run < 2; run++) {
                struct redactor *r = new_redactor();
                char *o[4];

                assert_int_equal(redactor_add(r, SECRET_USER, "a"), 0);
                scan(r, REDACT_JSON, json_in, sizeof(json_in) - 1);
                scan(r, REDACT_ENVIRON, env_in, sizeof(env_in) - 1);
                scan(r, REDACT_MOUNTINFO, mi_in, sizeof(mi_in) - 1);
                assert_int_equal(redact_path(r, "/mnt/b/a", NULL), 0);
                assert_int_equal(redactor_freeze(r), 0);
                o[0] = out(r, REDACT_JSON, json_in, sizeof(json_in) - 1, NULL);
                o[1] = out(r, REDACT_ENVIRON, env_in, sizeof(env_in) - 1, NULL);
                o[2] = out(r, REDACT_MOUNTINFO, mi_in, sizeof(mi_in) - 1, NULL);
                o[3] = out_path(r, "/mnt/b/a");
                assert_memory_equal(o[1], "SAGEMAKER_SPACE_NAME=space-1\0HOME=/home/user-1",
                                    sizeof(env_in) - 1 + 8);
                assert_string_equal(o[2], "1 1 0:1 / /mnt/space-1 rw - nfs4 host-1.invalid:/user-1 "
                                          "rw,addr=192.0.2.1\n");
                assert_string_equal(o[3], "/mnt/space-1/user-1");
                assert_non_null(strstr(o[0], "\"arn:aws:sagemaker:r:111111111111:app/resource-1/"
                                             "space-1/jupyterlab/resource-2\""));
                assert_non_null(strstr(o[0], "\"192.0.2.1\""));
                for (int i = 0; i < 4; i++) {
                        if (run == 0)
                                first[i] = o[i];
                        else {
                                assert_string_equal(o[i], first[i]);
                                free(o[i]);
                                free(first[i]);
                        }
                }
                redactor_free(r);
        }
}

/* Not JSON (cJSON refuses it): tokens, as text; it stays as broken as it was. */
static void test_not_json(void **state)
{
        static const char in[] = "{\"UserProfileName\": \"e\", \"x\": tru";
        static const char trailing[] = "{\"UserProfileName\": \"e\"} e";
        static const char bad_utf8[] = "{\"DomainId\": \"d-\xff\xfe\", \"UserProfileName\": \"e\"}";
        struct redactor *r = new_redactor();
        cJSON *j;
        char *o;

        assert_int_equal(redactor_add(r, SECRET_USER, "e"), 0);
        scan(r, REDACT_JSON, in, sizeof(in) - 1);
        scan(r, REDACT_JSON, trailing, sizeof(trailing) - 1);
        scan(r, REDACT_JSON, bad_utf8, sizeof(bad_utf8) - 1);
        assert_int_equal(redactor_freeze(r), 0);
        o = out(r, REDACT_JSON, in, sizeof(in) - 1, NULL);
        assert_string_equal(o, "{\"UserProfileName\": \"user-1\", \"x\": tru");
        free(o);
        o = out(r, REDACT_JSON, trailing, sizeof(trailing) - 1, NULL);
        assert_string_equal(o, "{\"UserProfileName\": \"user-1\"} user-1");
        free(o);
        /* an identity value the probe would refuse (not UTF-8) is dropped */
        o = out(r, REDACT_JSON, bad_utf8, sizeof(bad_utf8) - 1, NULL);
        j = cJSON_Parse(o);
        assert_non_null(j);
        assert_string_equal(cJSON_GetObjectItem(j, "DomainId")->valuestring, "");
        cJSON_Delete(j);
        free(o);
        redactor_free(r);
}

/* n distinct ARNs (and accounts) in one JSON file: the work of the scan and
 * the write, and every name replaced. */
static uint64_t arns_work(size_t n, size_t *ret_bytes)
{
        struct redactor *r = new_redactor();
        char *in = NULL, *o;
        size_t len = 0;
        FILE *f = open_memstream(&in, &len);
        uint64_t w;

        fputs("{\"AppType\": \"JupyterLab\", \"Apps\": [", f);
        for (size_t i = 0; i < n; i++)
                fprintf(f,
                        "%s\"arn:aws:sagemaker:us-east-1:%012zu:app/d-abcdefghij12/"
                        "sp%06zux/jupyterlab/default\"",
                        i ? ", " : "", 100000000000 + i % 997, i);
        fputs("]}", f);
        fclose(f);
        scan(r, REDACT_JSON, in, len);
        assert_int_equal(redactor_freeze(r), 0);
        o = out(r, REDACT_JSON, in, len, NULL);
        w = redactor_work(r);
        assert_int_equal(redactor_secrets(r), n + 997 + 1); /* names, accounts, the domain */
        for (size_t i = 0; i < n; i += 97) {
                char name[16];
                snprintf(name, sizeof(name), "sp%06zux", i);
                assert_null(strstr(o, name));
        }
        assert_null(strstr(o, "100000000000"));
        free(o);
        free(in);
        redactor_free(r);
        *ret_bytes = len;
        return w;
}

/* Linear, counted rather than timed: four times the ARNs is about four times
 * the work (the quadratic redactor this replaced took 24.6 s for 12,000). */
static void test_linear(void **state)
{
        size_t b1, b4;
        uint64_t w1 = arns_work(3000, &b1), w4 = arns_work(12000, &b4);

        print_message("3000 ARNs: %zu bytes, work %llu; 12000: %zu bytes, work %llu\n", b1,
                      (unsigned long long)w1, b4, (unsigned long long)w4);
        assert_true(w4 < 5 * w1);
        assert_true(w4 < 16 * (uint64_t)b4);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_json_names),
                cmocka_unit_test(test_paths_and_links),
                cmocka_unit_test(test_mountinfo),
                cmocka_unit_test(test_environ),
                cmocka_unit_test(test_mountstats),
                cmocka_unit_test(test_arns_and_accounts),
                cmocka_unit_test(test_addresses),
                cmocka_unit_test(test_placeholders_never_collide),
                cmocka_unit_test(test_deterministic),
                cmocka_unit_test(test_not_json),
                cmocka_unit_test(test_linear),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
