/* SPDX-License-Identifier: MIT */
#pragma once

/* The check of a redacted bundle before it is handed out: replayed as
 * --sysroot would, it must tell what this run told. */

#include <stddef.h>

#include "model.h"
#include "bundle/redact.h"

/* Replays the redacted tree at dirfd in this process, as --sysroot does, and
 * compares. Returns 0, -EBADMSG (it differs: err says how) or -errno. */
int verify_redacted(int dirfd, const char *display, const struct report *r, struct redactor *red,
                    char *err, size_t errlen);
