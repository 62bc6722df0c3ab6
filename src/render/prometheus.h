/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

#include "model.h"

/* node_exporter textfile-collector text. Returns 0 or -errno. */
int render_prometheus(FILE *f, const struct report *r);
