/* SPDX-License-Identifier: MIT */
#pragma once

/* A gathered bundle written as a tree in the --sysroot layout, with the facts
 * (SNAPSHOT_FACTS) and the report (REPORT_NAME) beside the host's files;
 * through a redactor when one is given. */

#include <stddef.h>

#include "bundle/gather.h"
#include "bundle/redact.h"

#define REPORT_NAME "report.json"

/* Shows the redactor everything tree_write() will write, for it to find the
 * secrets and the words no placeholder may equal. Returns 0 or -errno. */
int tree_scan(struct redactor *red, const struct bundle *b, const char *facts, const char *report);

/* Writes b, the facts and the report into the empty directory dirfd, never
 * through a symlink. Returns 0 with the number of files in *ret_files, or
 * -errno with a reason in err. */
int tree_write(int dirfd, const struct bundle *b, struct redactor *red, const char *facts,
               const char *report, size_t *ret_files, char *err, size_t errlen);
