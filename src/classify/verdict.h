/* SPDX-License-Identifier: MIT */
#pragma once

#include "model.h"

/* Fills b->assessment (the bands of each figure for r's home, its size and
 * kind) and b->summary (the plain-words verdict, with the advice that fits r:
 * its environment and the other storage found). r may be NULL: nothing is
 * known of the path. 0 or -ENOMEM. */
int bench_assess(struct bench_result *b, const struct report *r);
