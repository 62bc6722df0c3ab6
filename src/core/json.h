/* SPDX-License-Identifier: MIT */
#pragma once

/* The JSON rules every cJSON writer of the tool shares: strings made valid
 * UTF-8, unknown values as null, integers exact beyond 2^53. */

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

bool json_add_string(cJSON *o, const char *key, const char *s);
bool json_add_u64(cJSON *o, const char *key, uint64_t v);
