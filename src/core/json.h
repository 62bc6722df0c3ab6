/* SPDX-License-Identifier: MIT */
#pragma once

/* The JSON rules every cJSON writer of the tool shares: strings made valid
 * UTF-8, unknown values as null, integers exact beyond 2^53. */

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* floor() for the numbers cJSON parses, so that the tool does not link
 * libm for floor() and round() alone: loading libm cost about 0.25 ms of a 6 ms
 * detection (an empty program linked with it against one without, README
 * "Performance"). Every double from 2^53 up, infinities and NaN are their
 * own floor. */
static inline double json_floor(double v)
{
        double t;

        if (!(v > -9007199254740992.0 && v < 9007199254740992.0))
                return v;
        t = (double)(int64_t)v;
        return t > v ? t - 1.0 : t;
}

bool json_add_string(cJSON *o, const char *key, const char *s);
bool json_add_u64(cJSON *o, const char *key, uint64_t v);
