/* SPDX-License-Identifier: MIT */
#pragma once

#include "model.h"

/* Fills b->assessment from the figures and the storage kind. 0 or -ENOMEM. */
int bench_assess(struct bench_result *b, const struct storage *s);
