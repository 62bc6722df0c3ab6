/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/archive.h"
#include "bundle/dest.h"
#include "core/macro.h"
#include "core/strutil.h"

/* "a/b/" → "a" and "b"; "b" → "." and "b"; "/" → "/" and ".". */
static int split_dest(const char *dest, char **ret_parent, char **ret_leaf)
{
        _cleanup_free_ char *copy = strdup(dest);
        size_t len;
        char *slash;

        if (!copy)
                return -ENOMEM;
        len = strlen(copy);
        while (len > 1 && copy[len - 1] == '/')
                copy[--len] = '\0';
        slash = strrchr(copy, '/');
        if (!slash) {
                *ret_parent = strdup(".");
                *ret_leaf = strdup(copy);
        } else if (slash == copy && !slash[1]) {
                *ret_parent = strdup("/");
                *ret_leaf = strdup(".");
        } else {
                *ret_leaf = strdup(slash + 1);
                *slash = '\0';
                *ret_parent = strdup(slash == copy ? "/" : copy);
        }
        if (!*ret_parent || !*ret_leaf) {
                free(*ret_parent);
                free(*ret_leaf);
                return -ENOMEM;
        }
        return 0;
}

/* Whoever can write in a directory can add, rename or replace what it holds
 * while the bundle is written into it, and the bundle then carries what they
 * put there (or they take it). So the destination directory, made by us or
 * not, must be ours and writable by us alone: root collecting into an empty
 * directory another user planted in /tmp is refused, not trusted. */
static int check_dest_dir(const char *dest, const struct stat *st, char *err, size_t errlen)
{
        if (st->st_uid != geteuid()) {
                format_err(err, errlen,
                           "collect: %s belongs to uid %u, not to you (uid %u): its owner could "
                           "change or read the bundle while it is written; collect into a new "
                           "directory",
                           dest, (unsigned)st->st_uid, (unsigned)geteuid());
                return -EEXIST;
        }
        if (st->st_mode & (S_IWGRP | S_IWOTH)) {
                format_err(err, errlen,
                           "collect: %s is writable by %s: they could change the bundle while "
                           "it is written; run 'chmod go-w' on it or collect into a new "
                           "directory",
                           dest, st->st_mode & S_IWOTH ? "everyone" : "its group");
                return -EEXIST;
        }
        return 0;
}

/* A parent anyone can write, without the sticky bit /tmp has, lets anyone
 * rename the destination away and put theirs in its place. A group-writable
 * parent is how a team shares a directory: its owner chose to trust them. */
static int check_dest_parent(const char *dest, const char *parent, const struct stat *st, char *err,
                             size_t errlen)
{
        if ((st->st_mode & S_IWOTH) && !(st->st_mode & S_ISVTX)) {
                format_err(err, errlen,
                           "collect: %s is in %s, which everyone can write and which has no "
                           "sticky bit: anyone could replace the bundle; collect somewhere else",
                           dest, parent);
                return -EEXIST;
        }
        return 0;
}

int collect_prepare(const char *dest, struct collect_dest *ret, char *err, size_t errlen)
{
        _cleanup_free_ char *parent = NULL, *leaf = NULL;
        _cleanup_close_ int pfd = -1;
        struct stat st;
        DIR *d;
        struct dirent *de;
        int fd, k;

        *ret = (struct collect_dest){ .dirfd = -1 };
        ret->path = strdup(dest);
        if (!ret->path)
                return -ENOMEM;
        k = split_dest(dest, &parent, &leaf);
        if (k < 0)
                return k;
        /* The parent is pinned by a descriptor: what is checked of it is where
         * the directory is made and opened. */
        pfd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0 || fstat(pfd, &st) < 0) {
                k = negative_errno();
                format_err(err, errlen, "collect: cannot create %s: %s", dest, strerror(-k));
                return k;
        }
        if (strcmp(leaf, ".") != 0 && strcmp(leaf, "..") != 0) {
                k = check_dest_parent(dest, parent, &st, err, errlen);
                if (k < 0)
                        return k;
        }
        if (archive_is_name(dest)) {
                ret->archive = true;
                if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                        format_err(err, errlen, "collect: %s already exists; it is not overwritten",
                                   dest);
                        return -EEXIST;
                }
                if (errno != ENOENT) {
                        format_err(err, errlen, "collect: %s: %s", dest, strerror(errno));
                        return negative_errno();
                }
                if (access(TAR, X_OK) < 0) {
                        format_err(
                                err, errlen,
                                "collect: %s needs %s (Debian: apt-get install tar); collect into "
                                "a directory instead",
                                dest, TAR);
                        return -ENOENT;
                }
                return 0;
        }
        if (mkdirat(pfd, leaf, 0700) == 0)
                ret->created = true;
        else if (errno != EEXIST) {
                format_err(err, errlen, "collect: cannot create %s: %s", dest, strerror(errno));
                return negative_errno();
        }
        fd = openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                k = negative_errno();
                /* Ours no more (a symlink in its place): nothing is removed. */
                ret->created = false;
                format_err(err, errlen, "collect: %s: %s", dest,
                           k == -ENOTDIR || k == -ELOOP ? "exists and is not a directory"
                                                        : strerror(-k));
                return k == -ENOTDIR || k == -ELOOP ? -EEXIST : k;
        }
        ret->dirfd = fd;
        if (fstat(fd, &st) < 0) {
                ret->created = false;
                k = negative_errno();
                format_err(err, errlen, "collect: %s: %s", dest, strerror(-k));
                return k;
        }
        k = check_dest_dir(dest, &st, err, errlen);
        if (k < 0) {
                /* Made by us, yet not ours now: another's, swapped in. */
                ret->created = false;
                return k;
        }
        if (!ret->created) {
                int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);

                d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
                if (!d) {
                        if (dup_fd >= 0)
                                close(dup_fd);
                        format_err(err, errlen, "collect: %s: %s", dest, strerror(errno));
                        return negative_errno();
                }
                while ((de = readdir(d)))
                        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
                                closedir(d);
                                format_err(err, errlen,
                                           "collect: %s is not empty; collect into a new or empty "
                                           "directory",
                                           dest);
                                return -ENOTEMPTY;
                        }
                closedir(d);
        }
        return 0;
}

int collect_dest_dirs(const char *dest, char ***ret)
{
        _cleanup_strv_free_ char **v = NULL;
        _cleanup_free_ char *leaf = NULL;
        char *parent = NULL;
        int k;

        k = split_dest(dest, &parent, &leaf);
        if (k < 0 || (k = strv_push(&v, parent)) < 0 || (k = strv_push(&v, strdup(dest))) < 0)
                return k;
        /* Where archive_begin() builds the tree before tar reads it. */
        if (archive_is_name(dest) && (k = strv_push(&v, strdup(archive_tmpdir()))) < 0)
                return k;
        *ret = TAKE_PTR(v);
        return 0;
}

/* Empties the directory of dfd without ever following a symlink or leaving
 * its file system: through descriptors, so a name swapped for a link while
 * it runs sends nothing elsewhere (nftw works by path). */
static void rm_contents_at(int dfd, dev_t dev, unsigned depth)
{
        int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent *de;
        DIR *d;

        if (fd < 0)
                return;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return;
        }
        while ((de = readdir(d))) {
                struct stat st;
                int sub;

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (unlinkat(dirfd(d), de->d_name, 0) == 0 || errno != EISDIR)
                        continue;
                /* Bundles are a few dozen levels deep at most (sysfs paths). */
                if (depth >= 256)
                        continue;
                sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0)
                        continue;
                if (fstat(sub, &st) == 0 && st.st_dev == dev)
                        rm_contents_at(sub, dev, depth + 1);
                close(sub);
                (void)unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
        }
        closedir(d);
}

void collect_dest_empty(int dirfd)
{
        struct stat st;

        if (fstat(dirfd, &st) == 0)
                rm_contents_at(dirfd, st.st_dev, 0);
}

void collect_dest_done(struct collect_dest *d, bool failed)
{
        /* A directory we made and could not fill is no bundle: remove it. An
         * empty one the user gave is left, holding what was written. */
        if (failed && d->created && d->dirfd >= 0 && d->path) {
                _cleanup_free_ char *parent = NULL, *leaf = NULL;
                _cleanup_close_ int pfd = -1;
                struct stat top, now;

                if (fstat(d->dirfd, &top) == 0) {
                        rm_contents_at(d->dirfd, top.st_dev, 0);
                        /* By name, so only while the name is still the one we
                         * emptied; rmdir removes nothing that holds anything. */
                        if (split_dest(d->path, &parent, &leaf) == 0 &&
                            (pfd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC)) >= 0 &&
                            fstatat(pfd, leaf, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
                            now.st_dev == top.st_dev && now.st_ino == top.st_ino)
                                (void)unlinkat(pfd, leaf, AT_REMOVEDIR);
                }
        }
        if (d->dirfd >= 0)
                close(d->dirfd);
        free(d->path);
        *d = (struct collect_dest){ .dirfd = -1 };
}
