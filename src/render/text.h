/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

/* The human report; width > 0 wraps its lines to that many columns with
 * hanging indents (0: no wrapping). The caller decides colour and width: a
 * renderer reads neither the environment nor the terminal. Returns 0 or -errno
 * (-ENOMEM; -EIO when the stream failed). */
int render_text(FILE *f, const struct report *r, bool color, unsigned width);
