/* SPDX-License-Identifier: MIT */
#pragma once

/* `studio-probe collect DEST`: a support bundle that `--sysroot DEST` replays.
 * The files are exactly those the probe went through (the sysroot layer's
 * recorder), in the --sysroot layout; .studio-probe/facts.json holds what is
 * not a file (statfs, blkid) from the report; report.json is the JSON report.
 * Of each file only what the probe reads from it, by the name it read it as
 * (gather()'s reducers): never a credential, whatever path led to the file. */

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "core/sysroot.h"

/* The most of one file a bundle copies: above what any probe reads (4 MiB
 * environ or facts), so one byte more keeps a replay's -EFBIG an -EFBIG. */
#define COLLECT_FILE_MAX (4 * 1024 * 1024 + 1)

struct collect_dest {
        char *path;   /* as given */
        bool archive; /* FILE.tar.gz / FILE.tgz */
        int dirfd;    /* directory mode: the (new or empty) directory, else -1 */
        bool created; /* directory mode: we made it (removed again on failure) */
};

/* Checks and claims the destination before anything is probed: a new or empty
 * directory (created 0700), or an archive name that does not exist yet. An
 * existing directory must belong to the effective uid and be writable by it
 * alone, and the destination must not be in a directory everyone can write
 * that has no sticky bit: others could change the bundle while it is written.
 * Returns 0; -EEXIST (it exists, or is refused as unsafe) / -ENOTEMPTY (a usage
 * error: nothing is overwritten); another -errno. err gets a one-line reason. */
int collect_prepare(const char *dest, struct collect_dest *ret, char *err, size_t errlen);
/* failed: a directory collect_prepare() made is emptied and removed, through
 * its descriptor (never following a symlink); one the user gave is left. */
void collect_dest_done(struct collect_dest *d, bool failed);

/* The host paths collect writes to for dest (its parent, itself, the
 * temporary directory of an archive), for a bounded check that they answer
 * before anything blocks on them. Returns 0 or -ENOMEM. */
int collect_dest_dirs(const char *dest, char ***ret);

/* Writes the bundle of a finished run (root recorded it). redact: account ids,
 * ARNs' resource names, DomainId, UserProfileName, SpaceName and job names
 * become placeholders in every file and file name. Returns 0 with the number
 * of files written and what could not be copied in *ret_warnings (may stay
 * NULL), or -errno with a reason in err. Does not log. */
int collect_write(const struct sysroot *root, const struct report *r, struct collect_dest *d,
                  bool redact, size_t *ret_files, char ***ret_warnings, char *err, size_t errlen);
