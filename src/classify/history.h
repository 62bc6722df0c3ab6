/* SPDX-License-Identifier: MIT */
#pragma once

#include "model.h"

/* The plain-words answer from the passive history of s: NFS per-op mean
 * execute times (s->nfs->rpc) or the block device's mean request times
 * (s->device->io), with advice that fits r. NULL in *ret when there are no
 * such figures: say nothing rather than guess. 0 or -ENOMEM. */
int history_summary(const struct report *r, const struct storage *s, char **ret);

/* Sets the summary of every storage of r from its history. Runs after
 * classify() (the advice depends on the environment). 0 or -ENOMEM. */
int history_summarize(struct report *r);
