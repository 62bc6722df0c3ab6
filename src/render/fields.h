/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"
#include "options.h"

/* -o LIST: a line of headings (unless noheadings), then one row for the
 * inspected path, columns padded to the widest cell and separated by a space,
 * the last one unpadded, as findmnt and lsblk print them. An unknown fact is
 * an empty cell; names are escaped as in the report. Returns 0 or -errno
 * (-ENOMEM; -EIO when the stream failed). */
int render_fields(FILE *f, const struct report *r, const enum field_id *fields, size_t n,
                  bool noheadings);
