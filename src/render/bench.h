/* SPDX-License-Identifier: MIT */
#pragma once

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>

#include "model.h"

/* The benchmark's part of the JSON report ("benchmark"); false on OOM. */
bool bench_to_json(cJSON *root, const struct bench_result *b);
/* The benchmark's part of the human report. */
void bench_render_text(FILE *f, const struct bench_result *b, bool color);
