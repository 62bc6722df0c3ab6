/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* The most --compare reads: a report is a few kilobytes, a few hundred with
 * every mount of a large host; anything bigger is not one. */
#define INPUT_MAX (4 * 1024 * 1024)

/* Reads a file named on the command line (--compare=REPORT.json) whole: a
 * regular file only, and at most max bytes. It is opened with O_NONBLOCK, so
 * that a FIFO nobody writes cannot hang the run before fstat() refuses it.
 * Returns 0 with the malloc'd, NUL-terminated text, or -errno with a one-line
 * reason naming path in err: -ENOENT and the like, -EINVAL (a FIFO, a
 * device, a directory), -EFBIG (larger than max), -EIO. Does not log. */
int input_read_regular(const char *path, size_t max, char **ret, size_t *ret_len, char *err,
                       size_t errlen);
