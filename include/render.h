/* SPDX-License-Identifier: MIT */
#pragma once

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>

#include "model.h"

#define SCHEMA_VERSION 1

/* The whole report as a cJSON tree (NULL on OOM). Renderers read only the
 * model: never /proc, /sys or the environment. */
cJSON *report_to_json(const struct report *r);

/* Return 0 or -errno (-ENOMEM; -EIO when the stream failed). */
int render_json(FILE *f, const struct report *r);
int render_text(FILE *f, const struct report *r, bool color);
/* One CloudWatch EMF object on one line; timestamp_ms: when the probe ran. */
int render_emf(FILE *f, const struct report *r, uint64_t timestamp_ms);
/* node_exporter textfile-collector text. */
int render_prometheus(FILE *f, const struct report *r);

/* JSON-safe helpers shared by every renderer that builds cJSON. */
bool json_add_string(cJSON *o, const char *key, const char *s);
bool json_add_u64(cJSON *o, const char *key, uint64_t v);
