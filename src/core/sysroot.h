/* SPDX-License-Identifier: MIT */
#pragma once

/* Every host file the probe reads goes through here, so that a snapshot tree
 * (--sysroot DIR) replays exactly what a live run reads under "/". Paths are
 * resolved inside the root as chroot would: an absolute symlink target, or ".."
 * past the top, stays inside it. */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct sysroot_cache;

/* What a run went through, for `studio-probe collect`: every symlink met on
 * the way (path inside the root → its target, as readlink gave it) and every
 * path that resolved (a file read, a directory listed, a path that exists);
 * and each regular file opened for its content once more, with the path it
 * was opened as. Only the parent's calls record: the fsquery worker (another
 * process, core/light-worker.c) never does. */
enum sysroot_read {
        SYSROOT_READ_NONE, /* only resolved: listed, tested for existence, walked through */
        SYSROOT_READ_FILE, /* opened for its content (sysroot_open_file, _read_file) */
        SYSROOT_READ_ATTR, /* read as an attribute (sysroot_read_attr) */
};
struct sysroot_record {
        char *path;   /* absolute inside the root, its directories free of symlinks */
        char *target; /* the symlink's target; NULL: a path that resolved */
        /* A regular file opened for its content: the path the caller asked
         * for (e.g. /proc/self/environ, whatever /proc/self led to), and how.
         * collect picks what it may copy of path by this logical name, never
         * by the name it resolved to. NULL and SYSROOT_READ_NONE otherwise. */
        char *read_as;
        enum sysroot_read kind;
};
struct sysroot_recorder {
        struct sysroot_record *items;
        size_t n, cap;
        int err; /* -ENOMEM when a record was lost: the bundle would be incomplete */
};
void sysroot_recorder_done(struct sysroot_recorder *rec);

struct sysroot {
        int fd;                       /* O_PATH directory fd of the root */
        char *dir;                    /* the --sysroot argument; NULL when live */
        struct sysroot_cache *cache;  /* directories already resolved; may be NULL */
        struct sysroot_recorder *rec; /* NULL: not recording (the caller owns it) */
};

/* dir NULL: the live system ("/"). Returns 0 or -errno; does not log. */
int sysroot_open(struct sysroot *ret, const char *dir);
void sysroot_close(struct sysroot *r);

static inline bool sysroot_is_replay(const struct sysroot *r)
{
        return r->dir != NULL;
}

/* sysroot_resolve() of the live root (rootfd: its "/") by the kernel's own
 * lookup, into ret: one openat() instead of a readlinkat() per component.
 * Returns 0 or -errno. */
int sysroot_resolve_live(int rootfd, const char *path, char ret[PATH_MAX]);

/* The absolute path inside the root with every symlink resolved. A relative
 * path is taken from the root. Returns 0, -ENOENT, -ELOOP (more than 40 links),
 * -ENOTDIR, -ENAMETOOLONG, -ENOMEM or another -errno. May touch the file
 * systems along the path: live, run it where it can be abandoned (fsquery). */
int sysroot_resolve(const struct sysroot *r, const char *path, char **ret);

/* Opens a regular file (never a FIFO or device: a snapshot may hold anything)
 * after resolution. Returns an fd or -errno. */
int sysroot_open_file(const struct sysroot *r, const char *path);

/* Reads a whole regular file of at most max bytes, NUL-terminated.
 * -EFBIG when it is larger. */
int sysroot_read_file(const struct sysroot *r, const char *path, size_t max, char **ret,
                      size_t *ret_len);

/* For collect: the first max bytes of a regular file the run recorded, by
 * its recorded path (resolved, inside the root), opened again without
 * resolving or recording it. Returns 0 or -errno (-EISDIR, -EBADFD: no
 * regular file). */
int sysroot_read_recorded(const struct sysroot *r, const char *path, size_t max, char **ret,
                          size_t *ret_len);

/* "/a/b" → "a/b", "/" → ".": what openat() on the root fd wants. */
const char *sysroot_relative(const char *abs);

/* A sysfs-style attribute: at most SYSROOT_ATTR_MAX bytes, padding stripped.
 * -ENODATA when empty, -EBADMSG when it holds bytes that are no text (NULs,
 * control characters). */
#define SYSROOT_ATTR_MAX 4096
int sysroot_read_attr(const struct sysroot *r, const char *path, char **ret);

/* For collect: what a bundle keeps of a file read as an attribute. The value
 * sysroot_read_attr() gives and a newline; for a file it refuses, a stand-in
 * that it refuses in the same way (-EFBIG, -ENODATA, -EBADMSG), none of the
 * original bytes. Returns 0 or -ENOMEM. */
int sysroot_reduce_attr(const char *in, size_t len, char **ret, size_t *ret_len);

/* The target of the symbolic link at path (its directories resolved inside
 * the root, the link itself not followed), as readlink gives it. Returns 0,
 * -EINVAL when path is no symbolic link, or another -errno. Recorded for collect. */
int sysroot_readlink(const struct sysroot *r, const char *path, char **ret);

bool sysroot_exists(const struct sysroot *r, const char *path);

/* "DIR/proc/self/mountinfo" in replay, the path itself live: for messages.
 * Returns a static-per-call buffer owned by the caller (malloc'd) or NULL. */
char *sysroot_display(const struct sysroot *r, const char *path);

/* Names in a directory, sorted, without "." and ".."; at most max of them
 * (-E2BIG past that). Returns 0 or -errno. */
int sysroot_list_dir(const struct sysroot *r, const char *path, size_t max, char ***ret);
