/* SPDX-License-Identifier: MIT */
#pragma once

/* Where `studio-probe collect DEST` writes: claimed before anything is probed,
 * removed again when a bundle we began there fails. */

#include <stdbool.h>
#include <stddef.h>

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

/* Empties the directory of dirfd (all of it ours: it was empty before we
 * wrote), without following a symlink or leaving its file system. */
void collect_dest_empty(int dirfd);

/* The host paths collect writes to for dest (its parent, itself, the
 * temporary directory of an archive), for a bounded check that they answer
 * before anything blocks on them. Returns 0 or -ENOMEM. */
int collect_dest_dirs(const char *dest, char ***ret);
