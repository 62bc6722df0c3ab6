/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "strutil.h"
#include "sysroot.h"

/* Linux's own limit on symlinks followed in one lookup (MAXSYMLINKS). */
#define SYMLINK_MAX 40

int sysroot_open(struct sysroot *ret, const char *dir)
{
        _cleanup_free_ char *copy = NULL;
        struct stat st;
        int fd;

        if (dir) {
                copy = strdup(dir);
                if (!copy)
                        return -ENOMEM;
        }
        fd = open(dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
                close(fd);
                return -ENOTDIR;
        }
        ret->fd = fd;
        ret->dir = TAKE_PTR(copy);
        return 0;
}

void sysroot_close(struct sysroot *r)
{
        if (r->fd >= 0)
                close(r->fd);
        free(r->dir);
        r->fd = -1;
        r->dir = NULL;
}

/* "/a/b" → "a/b", "/" → ".": what openat() on the root fd wants. */
static const char *relative(const char *abs)
{
        while (*abs == '/')
                abs++;
        return *abs ? abs : ".";
}

int sysroot_resolve(const struct sysroot *r, const char *path, char **ret)
{
        /* done: resolved prefix ("" is the root). todo: what is left to walk. */
        char done[PATH_MAX] = "", todo[PATH_MAX], link[PATH_MAX];
        size_t dlen = 0;
        unsigned links = 0;
        char *p;

        if (!path || !*path)
                return -ENOENT;
        if (strlen(path) >= sizeof(todo))
                return -ENAMETOOLONG;
        strcpy(todo, path);
        p = todo;

        for (;;) {
                char *comp, *next;
                size_t clen;
                ssize_t n;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                comp = p;
                next = strchrnul(p, '/');
                clen = (size_t)(next - comp);
                p = next;

                if (clen == 1 && comp[0] == '.')
                        continue;
                if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
                        /* ".." never climbs out of the root. */
                        while (dlen > 0 && done[dlen - 1] != '/')
                                dlen--;
                        if (dlen > 0)
                                dlen--;
                        done[dlen] = '\0';
                        continue;
                }
                if (dlen + 1 + clen >= sizeof(done))
                        return -ENAMETOOLONG;
                done[dlen] = '/';
                memcpy(done + dlen + 1, comp, clen);
                done[dlen + 1 + clen] = '\0';

                n = readlinkat(r->fd, relative(done), link, sizeof(link));
                if (n < 0) {
                        if (errno == EINVAL) { /* not a symlink: keep it */
                                dlen += 1 + clen;
                                continue;
                        }
                        done[dlen] = '\0';
                        return negative_errno();
                }
                if ((size_t)n >= sizeof(link))
                        return -ENAMETOOLONG;
                link[n] = '\0';
                if (++links > SYMLINK_MAX)
                        return -ELOOP;

                /* todo = link + "/" + rest-of-todo */
                {
                        size_t rest = strlen(p);
                        if ((size_t)n + rest + 1 >= sizeof(todo))
                                return -ENAMETOOLONG;
                        memmove(todo + n, p, rest + 1);
                        memcpy(todo, link, (size_t)n);
                        p = todo;
                }
                if (link[0] == '/')
                        dlen = 0; /* absolute target: from the root, not the host's "/" */
                done[dlen] = '\0';
        }

        *ret = strdup(dlen ? done : "/");
        return *ret ? 0 : -ENOMEM;
}

int sysroot_open_file(const struct sysroot *r, const char *path)
{
        _cleanup_free_ char *resolved = NULL;
        _cleanup_close_ int fd = -1;
        struct stat st;
        int k;

        k = sysroot_resolve(r, path, &resolved);
        if (k < 0)
                return k;
        /* O_NONBLOCK: a FIFO planted in a snapshot must not stall the open. */
        fd = openat(r->fd, relative(resolved),
                    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        return TAKE_FD(fd);
}

int sysroot_read_file(const struct sysroot *r, const char *path, size_t max, char **ret,
                      size_t *ret_len)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        fd = sysroot_open_file(r, path);
        if (fd < 0)
                return fd;
        /* procfs and sysfs report st_size 0: read to EOF, growing, up to max. */
        for (;;) {
                ssize_t n;

                if (len == cap) {
                        size_t ncap = cap ? cap * 2 : 4096;
                        char *nb;

                        if (ncap > max + 1)
                                ncap = max + 1;
                        if (ncap <= cap)
                                return -EFBIG;
                        nb = realloc(buf, ncap + 1);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                        cap = ncap;
                }
                n = read(fd, buf + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > max)
                        return -EFBIG;
        }
        if (!buf) {
                buf = malloc(1);
                if (!buf)
                        return -ENOMEM;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int sysroot_read_attr(const struct sysroot *r, const char *path, char **ret)
{
        _cleanup_free_ char *buf = NULL;
        char *s;
        size_t len;
        int k;

        k = sysroot_read_file(r, path, 4096, &buf, &len);
        if (k < 0)
                return k;
        if (memchr(buf, '\0', len))
                return -EBADMSG;
        s = strip(buf);
        if (!*s)
                return -ENODATA;
        for (const unsigned char *c = (const unsigned char *)s; *c; c++)
                if (*c < 0x20 || *c == 0x7f)
                        return -EBADMSG;
        if (!utf8_is_valid(s, strlen(s)))
                return -EBADMSG;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

bool sysroot_exists(const struct sysroot *r, const char *path)
{
        _cleanup_free_ char *resolved = NULL;

        return sysroot_resolve(r, path, &resolved) >= 0;
}

char *sysroot_display(const struct sysroot *r, const char *path)
{
        char *s;

        if (!r->dir)
                return strdup(path);
        if (asprintf(&s, "%s%s%s", r->dir, path[0] == '/' ? "" : "/", path) < 0)
                return NULL;
        return s;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int sysroot_list_dir(const struct sysroot *r, const char *path, size_t max, char ***ret)
{
        _cleanup_free_ char *resolved = NULL;
        _cleanup_strv_free_ char **names = NULL;
        struct dirent *de;
        DIR *d;
        int fd, k;
        size_t n = 0;

        k = sysroot_resolve(r, path, &resolved);
        if (k < 0)
                return k;
        fd = openat(r->fd, relative(resolved), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d) {
                k = negative_errno();
                close(fd);
                return k;
        }
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (n >= max) {
                        closedir(d);
                        return -E2BIG;
                }
                if (strv_push(&names, strdup(de->d_name)) < 0) {
                        closedir(d);
                        return -ENOMEM;
                }
                n++;
        }
        closedir(d);
        if (n > 1)
                qsort(names, n, sizeof(char *), cmp_str);
        *ret = TAKE_PTR(names);
        if (!*ret) {
                *ret = calloc(1, sizeof(char *));
                if (!*ret)
                        return -ENOMEM;
        }
        return 0;
}
