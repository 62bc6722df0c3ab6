/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/macro.h"
#include "core/strutil.h"

bool json_add_string(cJSON *o, const char *key, const char *s)
{
        char *clean;
        cJSON *v;

        if (!s)
                return cJSON_AddNullToObject(o, key) != NULL;
        /* Paths may hold any byte; the document must stay valid UTF-8. */
        if (utf8_is_valid(s, strlen(s)))
                return cJSON_AddStringToObject(o, key, s) != NULL;
        clean = utf8_sanitize(s);
        if (!clean)
                return false;
        v = cJSON_AddStringToObject(o, key, clean);
        free(clean);
        return v != NULL;
}

bool json_add_u64(cJSON *o, const char *key, uint64_t v)
{
        char buf[24];

        if (v == U64_UNSET)
                return cJSON_AddNullToObject(o, key) != NULL;
        /* cJSON keeps numbers as doubles, which round past 2^53 (EFS reports
         * 8 EiB); a raw literal keeps the integer exact. */
        snprintf(buf, sizeof(buf), "%" PRIu64, v);
        return cJSON_AddRawToObject(o, key, buf) != NULL;
}
