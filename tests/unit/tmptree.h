/* SPDX-License-Identifier: MIT */
#pragma once

/* Scratch directory trees for the unit tests: a test builds the few files a
 * case needs under mkdtemp() and removes them again, so no case depends on
 * another's leftovers or on the host's /proc and /sys. */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline char *tt_new(void)
{
        char tmpl[] = "/tmp/studio-probe-unit.XXXXXX";
        char *d = mkdtemp(tmpl);

        return d ? strdup(d) : NULL;
}

/* mkdir -p of DIR/rel's parent directory. */
static inline void tt_mkparents(const char *dir, const char *rel)
{
        char p[PATH_MAX];

        snprintf(p, sizeof(p), "%s/%s", dir, rel);
        for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
                *s = '\0';
                (void)mkdir(p, 0755);
                *s = '/';
        }
}

static inline int tt_mkdir(const char *dir, const char *rel)
{
        char p[PATH_MAX];

        tt_mkparents(dir, rel);
        snprintf(p, sizeof(p), "%s/%s", dir, rel);
        return mkdir(p, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static inline int tt_write(const char *dir, const char *rel, const void *data, size_t len)
{
        char p[PATH_MAX];
        int fd;
        ssize_t n;

        tt_mkparents(dir, rel);
        snprintf(p, sizeof(p), "%s/%s", dir, rel);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        n = write(fd, data, len);
        close(fd);
        return n == (ssize_t)len ? 0 : -EIO;
}

static inline int tt_puts(const char *dir, const char *rel, const char *s)
{
        return tt_write(dir, rel, s, strlen(s));
}

static inline int tt_symlink(const char *dir, const char *rel, const char *target)
{
        char p[PATH_MAX];

        tt_mkparents(dir, rel);
        snprintf(p, sizeof(p), "%s/%s", dir, rel);
        return symlink(target, p) < 0 ? -errno : 0;
}

static inline int tt_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
        return remove(p);
}

static inline void tt_free(char *dir)
{
        if (dir)
                (void)nftw(dir, tt_rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(dir);
}
