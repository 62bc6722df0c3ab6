/* SPDX-License-Identifier: MIT */
#pragma once

#include <cjson/cJSON.h>
#include <stddef.h>

#include "model.h"

/* A figure counts as changed from this factor on: two benchmark runs on the
 * same storage at queue depth 1 differ by less (other tenants, caches). */
#define COMPARE_FACTOR 1.5
/* Free space counts as changed past this share of the size (or of the free
 * space itself when the size is unknown). */
#define COMPARE_FREE_SHARE 0.05

/* An earlier --json report (--compare=REPORT.json), checked: a JSON object
 * whose tool is studio-probe, of this schema_version's major and with a home.
 * Returns 0 with the document, or -EINVAL (not a report) or -EPROTO (another
 * schema_version) with a one-line reason in err (naming file). Does not log. */
int compare_parse(const char *file, const char *text, size_t len, cJSON **ret, char *err,
                  size_t errlen);

/* Sets r->comparison: what changed from old (compare_parse()) to r, in plain
 * words. Returns 0, -EXDEV when old is a report of another path (a reason
 * naming both in err), or -ENOMEM. Does not log. */
int compare_reports(const char *file, const cJSON *old, struct report *r, char *err, size_t errlen);
