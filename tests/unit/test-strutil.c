/* SPDX-License-Identifier: MIT */
/* Table-driven checks of the string helpers every parser relies on (curl's
 * tool1394.c style: one row per case, the row says what it proves). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"

static void test_parse_u64(void **state)
{
        static const struct {
                const char *in;
                int ret;
                uint64_t val;
        } rows[] = {
                { "0", 0, 0 },
                { "007", 0, 7 },
                { "18446744073709551614", 0, UINT64_MAX - 1 },
                { "18446744073709551615", 0, UINT64_MAX },
                { "18446744073709551616", -ERANGE, 0 }, /* 2^64 */
                { "99999999999999999999999", -ERANGE, 0 },
                { "", -EINVAL, 0 },
                { " 1", -EINVAL, 0 }, /* strtoull would skip it */
                { "1 ", -EINVAL, 0 },
                { "-1", -EINVAL, 0 }, /* strtoull wraps it */
                { "+1", -EINVAL, 0 },
                { "0x10", -EINVAL, 0 },
                { "1e3", -EINVAL, 0 },
                { "12abc", -EINVAL, 0 },
                { "\n5", -EINVAL, 0 },
        };

        assert_int_equal(parse_u64(NULL, &(uint64_t){ 0 }), -EINVAL);
        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                uint64_t v = 12345;
                int r = parse_u64(rows[i].in, &v);
                print_message("parse_u64(\"%s\")\n", rows[i].in);
                assert_int_equal(r, rows[i].ret);
                if (r == 0)
                        assert_true(v == rows[i].val);
                else
                        assert_true(v == 12345); /* untouched on failure */
        }
}

static void test_parse_u32(void **state)
{
        static const struct {
                const char *in;
                int ret;
                unsigned val;
        } rows[] = {
                { "0", 0, 0 },
                { "4294967295", 0, UINT32_MAX },
                { "4294967296", -ERANGE, 0 },
                { "18446744073709551616", -ERANGE, 0 },
                { "-0", -EINVAL, 0 },
                { "", -EINVAL, 0 },
                { "1.5", -EINVAL, 0 },
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                unsigned v = 77;
                int r = parse_u32(rows[i].in, &v);
                print_message("parse_u32(\"%s\")\n", rows[i].in);
                assert_int_equal(r, rows[i].ret);
                assert_int_equal(v, r == 0 ? rows[i].val : 77);
        }
}

static void test_parse_int_range(void **state)
{
        static const struct {
                const char *in;
                long min, max;
                int ret;
                long val;
        } rows[] = {
                { "-5", -10, 10, 0, -5 },
                { "10", -10, 10, 0, 10 },
                { "-10", -10, 10, 0, -10 },
                { "11", -10, 10, -ERANGE, 0 },
                { "-11", -10, 10, -ERANGE, 0 },
                { "99999999999999999999", LONG_MIN, LONG_MAX, -ERANGE, 0 },
                { "-99999999999999999999", LONG_MIN, LONG_MAX, -ERANGE, 0 },
                { "", 0, 1, -EINVAL, 0 },
                { " 1", 0, 1, -EINVAL, 0 },
                { "1 ", 0, 1, -EINVAL, 0 },
                { "1x", 0, 1, -EINVAL, 0 },
                { "-", 0, 1, -EINVAL, 0 },
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                long v = 42;
                int r = parse_int_range(rows[i].in, rows[i].min, rows[i].max, &v);
                print_message("parse_int_range(\"%s\")\n", rows[i].in);
                assert_int_equal(r, rows[i].ret);
                assert_int_equal(v, r == 0 ? rows[i].val : 42);
        }
}

static void test_parse_seconds(void **state)
{
        static const struct {
                const char *in;
                int ret;
                uint64_t ns;
        } rows[] = {
                { "5", 0, 5 * NSEC_PER_SEC },
                { "0", 0, 0 },
                { "0.5", 0, 500 * NSEC_PER_MSEC },
                { "2.25", 0, 2250 * NSEC_PER_MSEC },
                { ".5", 0, 500 * NSEC_PER_MSEC },
                { "5.", 0, 5 * NSEC_PER_SEC },
                { "5s", 0, 5 * NSEC_PER_SEC },
                { "1.123456789", 0, 1123456789 },
                { "1.1234567891", 0, 1123456789 }, /* past ns: dropped */
                { "18446744069", 0, UINT64_C(18446744069) * NSEC_PER_SEC },
                { "18446744070", -ERANGE, 0 }, /* * 1e9 would wrap */
                { "99999999999999999999", -ERANGE, 0 },
                { "", -EINVAL, 0 },
                { ".", -EINVAL, 0 },
                { " 5", -EINVAL, 0 },
                { "5 ", -EINVAL, 0 },
                { "-1", -EINVAL, 0 },
                { "+1", -EINVAL, 0 },
                { "1e9", -EINVAL, 0 },
                { "abc", -EINVAL, 0 },
                { "1.2.3", -EINVAL, 0 },
                { "5ss", -EINVAL, 0 },
                { "5ms", -EINVAL, 0 },
        };

        assert_int_equal(parse_seconds(NULL, &(uint64_t){ 0 }), -EINVAL);
        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                uint64_t v = 9;
                int r = parse_seconds(rows[i].in, &v);
                print_message("parse_seconds(\"%s\")\n", rows[i].in);
                assert_int_equal(r, rows[i].ret);
                if (r == 0)
                        assert_true(v == rows[i].ns);
                else
                        assert_true(v == 9);
        }
}

static void test_utf8(void **state)
{
        static const struct {
                const char *in;
                size_t len;
                bool valid;
                const char *sanitized; /* NULL: same as in */
        } rows[] = {
#define R(s, v, c) { s, sizeof(s) - 1, v, c }
                R("", true, NULL),
                R("plain ascii", true, NULL),
                R("caf\xc3\xa9", true, NULL),
                R("\xe2\x82\xac", true, NULL),                    /* € */
                R("\xf0\x9f\x98\x80", true, NULL),                /* U+1F600 */
                R("\xf4\x8f\xbf\xbf", true, NULL),                /* U+10FFFF, the last */
                R("\xef\xbf\xbf", true, NULL),                    /* U+FFFF */
                R("\xc0\x80", false, "\xef\xbf\xbd\xef\xbf\xbd"), /* overlong NUL */
                R("\xc1\xbf", false, "\xef\xbf\xbd\xef\xbf\xbd"), /* overlong 0x7f */
                R("\xe0\x80\xaf", false, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"), /* overlong / */
                R("\xf0\x80\x80\xaf", false, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"),
                R("\xed\xa0\x80", false, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"), /* U+D800 */
                R("\xed\xbf\xbf", false, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"), /* U+DFFF */
                R("\xf4\x90\x80\x80", false,
                  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"), /* > U+10FFFF */
                R("\xf5\x80\x80\x80", false, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"),
                R("ab\xe2\x82", false, "ab\xef\xbf\xbd\xef\xbf\xbd"), /* truncated at the end */
                R("\xe2\x82x", false, "\xef\xbf\xbd\xef\xbf\xbdx"),   /* truncated mid-string */
                R("\x80", false, "\xef\xbf\xbd"),                     /* lone continuation */
                R("a\xffz", false, "a\xef\xbf\xbdz"),
                R("\xfe\xff", false, "\xef\xbf\xbd\xef\xbf\xbd"),
#undef R
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                char *s;

                print_message("utf8 row %zu\n", i);
                assert_int_equal(utf8_is_valid(rows[i].in, rows[i].len), rows[i].valid);
                s = utf8_sanitize(rows[i].in);
                assert_non_null(s);
                assert_string_equal(s, rows[i].sanitized ? rows[i].sanitized : rows[i].in);
                assert_true(utf8_is_valid(s, strlen(s)));
                free(s);
        }
        /* The length bounds the check: a truncated sequence within a valid buffer. */
        assert_false(utf8_is_valid("\xe2\x82\xac", 2));
        /* An embedded NUL is a valid (ASCII) byte when the caller counts it. */
        assert_true(utf8_is_valid("a\0b", 3));
        assert_null(utf8_sanitize(NULL));
}

/* What reaches a terminal: no byte that it could take for a control sequence. */
static void test_escape(void **state)
{
        static const struct {
                const char *in, *out;
        } rows[] = {
                { "", "" },
                { "/home/sagemaker-user", "/home/sagemaker-user" },
                { "a\nb\tc", "a\\nb\\tc" },
                { "\x1b[31mred", "\\x1b[31mred" },                 /* 7-bit CSI (C0 ESC) */
                { "\x7f", "\\x7f" },                               /* DEL */
                { "x\302\23331my", "x\\xc2\\x9b31my" },            /* U+009B, 8-bit CSI */
                { "\xc2\x80\xc2\x9f", "\\xc2\\x80\\xc2\\x9f" },    /* first and last C1 */
                { "\302\2350;title\a", "\\xc2\\x9d0;title\\x07" }, /* U+009D OSC, BEL */
                { "\xc2\xa0\xc2\xa9", "\xc2\xa0\xc2\xa9" },        /* U+00A0, U+00A9 stay */
                { "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac" },
                { "\23331m", "\\x9b31m" }, /* raw 8-bit CSI, not UTF-8 */
                { "a\x80\x9f\xffz", "a\\x80\\x9f\\xffz" },
                { "\xc3\xa9\x9b", "\xc3\xa9\\x9b" }, /* valid, then a stray byte */
                { "\xc2", "\\xc2" },                 /* truncated at the end */
                { "\xe2\x82", "\\xe2\\x82" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                char *buf = NULL;
                size_t len = 0;
                FILE *f = open_memstream(&buf, &len);

                print_message("escape row %zu\n", i);
                assert_non_null(f);
                fputs_escaped(f, rows[i].in);
                assert_int_equal(fclose(f), 0);
                assert_string_equal(buf, rows[i].out);
                free(buf);
        }
}

static void test_path_is_under(void **state)
{
        static const struct {
                const char *path, *prefix;
                bool under;
        } rows[] = {
                { "/home/a", "/home", true },
                { "/home", "/home", true },
                { "/home/a/b/c", "/home/a", true },
                { "/homes", "/home", false },
                { "/hom", "/home", false },
                { "/home", "/home/a", false },
                { "/anything", "/", true },
                { "/", "/", true },
                { "relative", "/", false },
                { "/mnt/custom-file-systems/efs/fs-1", "/mnt/custom-file-systems", true },
                { "/mnt/custom-file-systems-x", "/mnt/custom-file-systems", false },
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                print_message("path_is_under(%s, %s)\n", rows[i].path, rows[i].prefix);
                assert_int_equal(path_is_under(rows[i].path, rows[i].prefix), rows[i].under);
        }
        assert_false(path_is_under(NULL, "/"));
        assert_false(path_is_under("/", NULL));
}

static void test_path_normalize(void **state)
{
        static const struct {
                const char *in, *out;
        } rows[] = {
                { "/", "/" },
                { "", "/" },
                { "//", "/" },
                { "/a/b", "/a/b" },
                { "//a//b/", "/a/b" },
                { "/./a/./b/.", "/a/b" },
                { "/a/../b", "/a/../b" }, /* ".." stays lexical */
                { "/a/.hidden/..x", "/a/.hidden/..x" },
                { "/with space/x", "/with space/x" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                char *s = path_normalize(rows[i].in);
                assert_non_null(s);
                assert_string_equal(s, rows[i].out);
                free(s);
        }
        assert_string_equal(path_basename("/a/b"), "b");
        assert_string_equal(path_basename("b"), "b");
        assert_string_equal(path_basename("/"), "/");
}

static void test_strip(void **state)
{
        static const struct {
                const char *in, *out;
        } rows[] = {
                { "Amazon Elastic Block Store              \n", "Amazon Elastic Block Store" },
                { "  \tvol0123\r\n", "vol0123" },
                { "", "" },
                { "   \n\n", "" },
                { "a b", "a b" },
                { "x", "x" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                char buf[128];
                snprintf(buf, sizeof(buf), "%s", rows[i].in);
                assert_string_equal(strip(buf), rows[i].out);
        }
        assert_null(strip(NULL));
}

static void test_format(void **state)
{
        static const struct {
                uint64_t v;
                const char *out;
        } bytes[] = {
                { 0, "0 B" },
                { 1023, "1023 B" },
                { 1024, "1.0 KiB" },
                { 1536, "1.5 KiB" },
                { UINT64_C(5) << 30, "5.0 GiB" },
                { UINT64_C(1) << 40, "1.0 TiB" },
                { UINT64_C(8) << 60, "8.0 EiB" },
                { UINT64_MAX - 1, "16.0 EiB" },
                { U64_UNSET, "unknown" },
        }, ns[] = {
                { 0, "0.00 µs" },
                { 5000, "5.00 µs" },
                { 250000, "250 µs" },
                { 2700000, "2.70 ms" },
                { 150 * NSEC_PER_MSEC, "150 ms" },
                { 1200 * NSEC_PER_MSEC, "1.20 s" },
                { U64_UNSET, "unknown" },
        };
        char buf[32];

        for (size_t i = 0; i < ARRAY_SIZE(bytes); i++)
                assert_string_equal(format_bytes(buf, sizeof(buf), bytes[i].v), bytes[i].out);
        for (size_t i = 0; i < ARRAY_SIZE(ns); i++)
                assert_string_equal(format_ns(buf, sizeof(buf), ns[i].v), ns[i].out);
        /* A short buffer truncates, never overflows. */
        assert_string_equal(format_bytes(buf, 4, UINT64_C(5) << 30), "5.0");
}

static void test_strv(void **state)
{
        char **v = NULL;

        assert_int_equal(strv_length(v), 0);
        assert_int_equal(strv_extendf(&v, "a%d", 1), 0);
        assert_int_equal(strv_push(&v, strdup("b")), 0);
        assert_int_equal(strv_push(&v, NULL), -ENOMEM);
        assert_int_equal(strv_length(v), 2);
        assert_string_equal(v[0], "a1");
        assert_string_equal(v[1], "b");
        assert_null(v[2]);
        assert_null(strv_free(v));

        assert_true(streq_ptr(NULL, NULL));
        assert_false(streq_ptr("a", NULL));
        assert_true(startswith("fs-123", "fs-"));
        assert_false(startswith(NULL, "fs-"));
        assert_true(endswith("x.amazonaws.com", ".amazonaws.com"));
        assert_false(endswith("com", ".amazonaws.com"));
}

static void test_text_columns(void **state)
{
        const char *colour = "\033[1mab\033[0m";

        assert_int_equal(text_columns("", 0), 0);
        assert_int_equal(text_columns("abc", 3), 3);
        assert_int_equal(text_columns("abc", 2), 2);
        assert_int_equal(text_columns("\xc2\xb5s", 3), 2); /* "µs" */
        assert_int_equal(text_columns(colour, strlen(colour)), 2);
        assert_int_equal(text_columns("\033[1", 4), 0); /* cut inside a sequence */
}

static void check_against_gmtime(uint64_t t)
{
        char buf[32], want[32];
        time_t tt = (time_t)t;
        struct tm tm;

        assert_non_null(gmtime_r(&tt, &tm));
        strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
        assert_string_equal(format_iso8601(buf, sizeof(buf), t), want);
}

/* format_iso8601() computes the date itself: it must agree with gmtime_r()
 * on every day from 1970 to 9999, and its bounds. */
static void test_format_iso8601(void **state)
{
        char buf[32];

        (void)state;
        assert_string_equal(format_iso8601(buf, sizeof(buf), 0), "1970-01-01T00:00:00Z");
        assert_string_equal(format_iso8601(buf, sizeof(buf), 951782400), "2000-02-29T00:00:00Z");
        assert_string_equal(format_iso8601(buf, sizeof(buf), 1796094230), "2026-12-01T03:03:50Z");
        assert_string_equal(format_iso8601(buf, sizeof(buf), UNIX_TIME_MAX),
                            "9999-12-31T23:59:59Z");
        assert_string_equal(format_iso8601(buf, sizeof(buf), UNIX_TIME_MAX + 1), "unknown");
        assert_string_equal(format_iso8601(buf, 20, 0), "unknown"); /* no room for the NUL */
        /* Every 1,000,003 s (11.6 days, its second drifting), and every day
         * around the century leap rules: 2000 is a leap year, 2100 not. */
        for (uint64_t t = 0; t <= UNIX_TIME_MAX; t += 1000003)
                check_against_gmtime(t);
        for (uint64_t t = 915148800; t < 978307200; t += 86400) /* 1999-2000 */
                check_against_gmtime(t + 86399);
        for (uint64_t t = 4070908800; t < 4133980800; t += 86400) /* 2099-2100 */
                check_against_gmtime(t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_u64),
                cmocka_unit_test(test_parse_u32),
                cmocka_unit_test(test_parse_int_range),
                cmocka_unit_test(test_parse_seconds),
                cmocka_unit_test(test_utf8),
                cmocka_unit_test(test_escape),
                cmocka_unit_test(test_path_is_under),
                cmocka_unit_test(test_path_normalize),
                cmocka_unit_test(test_strip),
                cmocka_unit_test(test_format),
                cmocka_unit_test(test_strv),
                cmocka_unit_test(test_text_columns),
                cmocka_unit_test(test_format_iso8601),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
