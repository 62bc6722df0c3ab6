/* SPDX-License-Identifier: MIT */
/* The facts.json codec: what collect writes, --sysroot reads back exactly
 * (integers past 2^53 too), and what is no exact unsigned integer is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "probe/facts.h"

#define TWO_53 (UINT64_C(1) << 53)

/* One statfs entry of the home, written and read back. */
static void round_trip(uint64_t magic, uint64_t size, uint64_t avail, struct storage *ret)
{
        struct report r;
        cJSON *j;
        char *text;

        report_init(&r);
        r.home.resolved_path = strdup("/home/sagemaker-user");
        assert_non_null(r.home.resolved_path);
        r.home.fs_magic = magic;
        r.home.size_bytes = size;
        r.home.free_bytes = avail;
        text = facts_write(&r);
        assert_non_null(text);
        j = facts_parse(text, strlen(text));
        assert_non_null(j);
        storage_init(ret);
        facts_statfs(j, "/home/sagemaker-user", ret);
        cJSON_Delete(j);
        free(text);
        report_done(&r);
}

static void test_round_trip(void **state)
{
        static const uint64_t values[] = {
                0,      1,          26985,          UINT64_C(1000000000000001),    TWO_53 - 1,
                TWO_53, TWO_53 + 1, UINT64_MAX - 1, UINT64_C(9223372036853727232),
        };
        struct storage s;

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
                round_trip(values[i], values[i], values[i], &s);
                assert_true(s.fs_magic == values[i]);
                assert_true(s.size_bytes == values[i]);
                assert_true(s.free_bytes == values[i]);
                storage_done(&s);
        }
        /* Unknown stays unknown: the key is left out, not written as a value. */
        round_trip(U64_UNSET, 42, U64_UNSET, &s);
        assert_true(s.fs_magic == U64_UNSET);
        assert_true(s.size_bytes == 42);
        assert_true(s.free_bytes == U64_UNSET);
        storage_done(&s);
}

static void test_big_as_string(void **state)
{
        struct report r;
        char *text;

        (void)state;
        report_init(&r);
        r.home.mountpoint = strdup("/home");
        assert_non_null(r.home.mountpoint);
        r.home.size_bytes = TWO_53 + 1;
        r.home.free_bytes = TWO_53;
        text = facts_write(&r);
        assert_non_null(text);
        /* Past 2^53 a string, which every JSON reader keeps exact; up to it a number. */
        assert_non_null(strstr(text, "\"size_bytes\":\t\"9007199254740993\""));
        assert_non_null(strstr(text, "\"free_bytes\":\t9007199254740992"));
        assert_null(strstr(text, "\"type\""));
        free(text);
        report_done(&r);
}

/* size_bytes as the document holds it: read, or refused (left unknown). */
static void check_size(const char *value, bool accepted, uint64_t want)
{
        char doc[256];
        struct storage s;
        cJSON *j;

        snprintf(doc, sizeof(doc), "{\"statfs\": {\"/h\": {\"size_bytes\": %s}}}", value);
        j = facts_parse(doc, strlen(doc));
        assert_non_null(j);
        storage_init(&s);
        facts_statfs(j, "/h", &s);
        if (accepted)
                assert_true(s.size_bytes == want);
        else if (s.size_bytes != U64_UNSET)
                fail_msg("%s read as %llu", value, (unsigned long long)s.size_bytes);
        storage_done(&s);
        cJSON_Delete(j);
}

static void test_refused(void **state)
{
        (void)state;
        check_size("\"18446744073709551614\"", true, UINT64_MAX - 1);
        check_size("\"9007199254740993\"", true, TWO_53 + 1);
        check_size("9007199254740992", true, TWO_53);
        check_size("1e3", true, 1000); /* a whole number, whatever its spelling */
        check_size("\"1e3\"", false, 0);
        check_size("\"-1\"", false, 0);
        check_size("\"1.5\"", false, 0);
        check_size("\"\"", false, 0);
        check_size("\" 1\"", false, 0);
        check_size("\"+1\"", false, 0);
        check_size("\"1 \"", false, 0);
        check_size("\"0x10\"", false, 0);
        check_size("\"18446744073709551616\"", false, 0);
        check_size("\"99999999999999999999999\"", false, 0);
        check_size("-1", false, 0);
        check_size("1.5", false, 0);
        check_size("-0.5", false, 0);
        /* A double past 2^53 may be a rounded neighbour: never taken. */
        check_size("9007199254740994", false, 0);
        check_size("1e300", false, 0);
        check_size("true", false, 0);
        check_size("null", false, 0);
        check_size("[1]", false, 0);
}

static void test_blkid_and_shape(void **state)
{
        static const char doc[] = "{\"blkid\": {\"/dev/nvme1n1\": {\"type\": \"xfs\", \"uuid\": "
                                  "\"6f1c\", \"label\": \"\"}}, \"statfs\": []}";
        struct block_device d = {};
        struct storage s;
        cJSON *j;

        (void)state;
        j = facts_parse(doc, strlen(doc));
        assert_non_null(j);
        facts_blkid(j, "/dev/nvme1n1", &d);
        assert_string_equal(d.fs_type, "xfs");
        assert_string_equal(d.uuid, "6f1c");
        assert_null(d.label); /* empty: unknown */
        storage_init(&s);
        facts_statfs(j, "/", &s);
        assert_true(s.size_bytes == U64_UNSET);
        storage_done(&s);
        free(d.fs_type);
        free(d.uuid);
        cJSON_Delete(j);
        assert_null(facts_parse("[]", 2));
        assert_null(facts_parse("{", 1));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_big_as_string),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_blkid_and_shape),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
