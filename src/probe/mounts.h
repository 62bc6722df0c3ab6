/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/sysroot.h"

#define PROC_MOUNTINFO "/proc/self/mountinfo"

/* One line of mountinfo, copied out of libmount (no handle outlives the parse). */
struct mount_entry {
        int id, parent_id;
        unsigned major, minor;
        char *root;   /* within the file system: bind mounts show a subdirectory */
        char *target; /* octal escapes (\040) decoded */
        char *fstype;
        char *source;
        char *options;    /* VFS and super-block options merged, as findmnt shows */
        char *fs_options; /* super-block options alone: where NFS keeps vers=, rsize= */
        unsigned line;    /* in the file, for messages */
};

struct mount_table {
        struct mount_entry *entries;
        size_t n;
        size_t allocated; /* entries has room for this many */
        size_t lines;     /* lines read */
        size_t bad_lines; /* malformed lines skipped */
        char *file;       /* display name of the file that was read */
};

/* Decides which entries are kept; huge tables are streamed, never held whole.
 * It sees every field but options (NULL there), in strings it must not keep:
 * a kept entry is copied after it said yes. */
typedef bool (*mount_filter_t)(const struct mount_entry *e, void *userdata);

/* Reads /proc/self/mountinfo under the sysroot. Malformed lines are skipped,
 * each adding a warning "FILE:LINE: why, ignoring" (at most a few, then a
 * count) to *warnings. Returns 0, or -errno when the file cannot be read at
 * all. Does not log. */
int mounts_load(const struct sysroot *root, mount_filter_t filter, void *userdata,
                struct mount_table *ret, char ***warnings);
void mount_table_done(struct mount_table *t);

/* The mount whose target is the longest prefix of path (component-wise); of
 * equal targets the later line, which is mounted over the earlier. NULL if none. */
const struct mount_entry *mounts_find_containing(const struct mount_table *t, const char *path);

/* Copies a libmount-parsed option value ("rsize" → "1048576"), "" for a flag;
 * NULL when absent. */
char *mount_option_get(const char *optstr, const char *name);
bool mount_option_has(const char *optstr, const char *name);

/* For collect: what a support bundle keeps of mount options, "key=value"
 * becoming "key=" unless the key is one whose value is a number or a fixed
 * word the probe or support needs (NFS vers, rsize, timeo, ...) and fstype
 * is none whose values can be credentials (fuse*, cifs, smb3); an option
 * without a plain name is dropped whole. NULL on NULL or -ENOMEM. */
char *mount_options_reduce(const char *fstype, const char *optstr);
/* The source without a password: scheme://user:pw@host → scheme://user@host. */
char *mount_source_reduce(const char *source);
/* A mountinfo file reduced line by line with the two above: the same mounts,
 * the same verdicts and warnings on replay, no option value that could be a
 * secret. Lines mounts_load() refuses become stand-ins refused the same way.
 * Returns 0 with a malloc'd *ret, or -ENOMEM. */
int mounts_reduce_mountinfo(const char *in, size_t len, char **ret, size_t *ret_len);
