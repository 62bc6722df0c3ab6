/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <stdio.h>

#include "model.h"

/* One CloudWatch EMF object on one line; timestamp_ms: when the probe ran.
 * Returns 0 or -errno. */
int render_emf(FILE *f, const struct report *r, uint64_t timestamp_ms);
