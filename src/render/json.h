/* SPDX-License-Identifier: MIT */
#pragma once

#include <cjson/cJSON.h>
#include <stdio.h>

#include "model.h"
#include "report-keys.h"

/* The whole report as a cJSON tree (NULL on OOM). Renderers read only the
 * model: never /proc, /sys or the environment. */
cJSON *report_to_json(const struct report *r);

/* Return 0 or -errno (-ENOMEM; -EIO when the stream failed). */
int render_json(FILE *f, const struct report *r);
