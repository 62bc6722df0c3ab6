/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

/* The human report. Returns 0 or -errno (-EIO when the stream failed). */
int render_text(FILE *f, const struct report *r, bool color);
