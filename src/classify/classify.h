/* SPDX-License-Identifier: MIT */
#pragma once

#include "model.h"

/* Sets r->environment, r->confidence, and appends evidence and warnings from
 * r->sagemaker, r->home and r->mounts. Pure: reads nothing from the system.
 * Returns 0 or -ENOMEM. */
int classify(struct report *r);
