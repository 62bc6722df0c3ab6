/* SPDX-License-Identifier: MIT */
#pragma once

/* What a bundle holds of the host: the files, directories and symlinks a run
 * went through (the sysroot layer's recorder), each file reduced to what its
 * reader takes (gather.c's reducers), in memory until it is written. */

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "core/sysroot.h"

/* The most of one file a bundle copies: above what any probe reads (4 MiB
 * environ or facts), so one byte more keeps a replay's -EFBIG an -EFBIG. */
#define COLLECT_FILE_MAX (4 * 1024 * 1024 + 1)

/* One thing of the bundle: a directory, a file (data) or a symlink (target). */
struct bundle_entry {
        char *path; /* absolute inside the bundle */
        char *target;
        bool dir;
        char *data;
        size_t len;
};

struct bundle {
        struct bundle_entry *e;
        size_t n;
};

void bundle_done(struct bundle *b);

/* Fills b from what root recorded. What cannot be copied adds a warning to
 * *warnings. Returns 0 or -ENOMEM. */
int gather(const struct sysroot *root, struct bundle *b, char ***warnings);

/* Adds the EBS statistics page of every EBS device whose statistics r holds,
 * at EBS_PAGE_PREFIX NAME EBS_PAGE_SUFFIX, reduced (ebs_reduce_log_page): read
 * again live, or from the snapshot in replay. One that cannot be read adds a
 * warning. Returns 0 or -ENOMEM. */
int gather_ebs_pages(const struct sysroot *root, const struct report *r, struct bundle *b,
                     char ***warnings);
