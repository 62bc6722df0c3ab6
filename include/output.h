/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

/* --output=FILE: opens a temporary file beside FILE (mode 0666 less the umask).
 * Returns 0 with the stream and the temporary name, or -errno. */
int output_open(const char *path, FILE **ret, char **ret_tmp);

/* Flushes, fsyncs and renames the temporary file over path; with failed < 0
 * (the renderer failed) or on any error, removes it and FILE keeps its old
 * content. Returns 0 or -errno. */
int output_commit(FILE *f, const char *tmp, const char *path, int failed);
