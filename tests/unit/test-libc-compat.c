/* SPDX-License-Identifier: MIT */
/* The texts that must not depend on the libc: the static musl build and the
 * dynamic glibc build print errno and signal names through libc-compat.c, and
 * this checks that they are glibc's, entry by entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "core/libc-compat.h"

/* Texts musl words differently: the reason for the table. */
static void test_errno_text_known(void **state)
{
        static const struct {
                int err;
                const char *text;
        } rows[] = {
                { 0, "Success" },
                { ENOENT, "No such file or directory" },
                { EIO, "Input/output error" },                  /* musl: "I/O error" */
                { ELOOP, "Too many levels of symbolic links" }, /* musl: "Symbolic link loop" */
                { ENOMEM, "Cannot allocate memory" },           /* musl: "Out of memory" */
                { ENAMETOOLONG, "File name too long" },         /* musl: "Filename too long" */
                { ETIMEDOUT, "Connection timed out" },          /* musl: "Operation timed out" */
                { EDQUOT, "Disk quota exceeded" },              /* musl: "Quota exceeded" */
                { EOVERFLOW, "Value too large for defined data type" },
                { EOPNOTSUPP, "Operation not supported" }, /* musl: "Not supported" */
                { -1, "Unknown error -1" },
                { 41, "Unknown error 41" }, /* a hole in the numbering */
                { 4096, "Unknown error 4096" },
        };

        (void)state;
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
                assert_string_equal(errno_text(rows[i].err), rows[i].text);
}

/* Under glibc, every number agrees with glibc's own strerror() (C locale). */
static void test_errno_text_matches_glibc(void **state)
{
        (void)state;
#ifdef __GLIBC__
        for (int e = -2; e < 256; e++) {
                char want[128];

                snprintf(want, sizeof(want), "%s", strerror(e));
                assert_string_equal(errno_text(e), want);
        }
#else
        skip();
#endif
}

static void test_signal_abbrev(void **state)
{
        (void)state;
        assert_string_equal(signal_abbrev(SIGINT), "INT");
        assert_string_equal(signal_abbrev(SIGTERM), "TERM");
        assert_string_equal(signal_abbrev(SIGHUP), "HUP");
        assert_null(signal_abbrev(0));
        assert_null(signal_abbrev(SIGRTMIN + 1));
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
        for (int s = 1; s < SIGRTMIN; s++)
                if (signal_abbrev(s))
                        assert_string_equal(signal_abbrev(s), sigabbrev_np(s));
#endif
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_errno_text_known),
                cmocka_unit_test(test_errno_text_matches_glibc),
                cmocka_unit_test(test_signal_abbrev),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
