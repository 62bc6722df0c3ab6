/* SPDX-License-Identifier: MIT */
#pragma once

/* The invariant both harnesses check: whatever the input, the report renders
 * as JSON that parses again (valid UTF-8, no broken escapes). */

#include <cjson/cJSON.h>
#include <stdlib.h>

#include "render/json.h"

static inline void fuzz_check_report_json(const struct report *r)
{
        cJSON *j = report_to_json(r);
        char *text;

        if (!j)
                return;
        text = cJSON_PrintUnformatted(j);
        if (text) {
                cJSON *back = cJSON_Parse(text);
                if (!back)
                        abort();
                cJSON_Delete(back);
        }
        free(text);
        cJSON_Delete(j);
}
