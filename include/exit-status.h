/* SPDX-License-Identifier: MIT */
#pragma once

/* One table of exit codes, shown by --help and in the man page's EXIT STATUS.
 * "No" and "error" never share a number (grep's convention): 1 is only ever the
 * answer of --expect. */
enum exit_status {
        EXIT_OK = 0,            /* done; with --expect: the environment matched */
        EXIT_EXPECT_FAILED = 1, /* --expect: the environment is another one */
        EXIT_USAGE = 2,         /* bad option or argument */
        EXIT_FAILURE_RUN = 3,   /* the mount table or the path could not be read, or timed out */
        EXIT_INTERRUPTED = 130, /* the benchmark was stopped by SIGINT (128 + 2) */
};
