/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "core/light-worker.h"
#include "core/macro.h"
#include "core/strutil.h"
#include "core/sysroot.h"

/* Directories found free of symlinks during this run. A probe reads many
 * attributes of one sysfs directory (size, queue/rotational, ...): without
 * this, each read walks the whole chain again, a readlinkat per component.
 * The snapshot or sysfs is not expected to change within one run. */
#define CACHE_SLOTS 8
struct sysroot_cache {
        char *dirs[CACHE_SLOTS];
        unsigned next;
        char *top; /* the root's own name, as fd_name() gives it */
};

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
        ret->cache = calloc(1, sizeof(*ret->cache)); /* optional: NULL only slows */
        return 0;
}

void sysroot_close(struct sysroot *r)
{
        if (r->fd >= 0)
                close(r->fd);
        free(r->dir);
        if (r->cache) {
                for (unsigned i = 0; i < CACHE_SLOTS; i++)
                        free(r->cache->dirs[i]);
                free(r->cache->top);
        }
        free(r->cache);
        r->fd = -1;
        r->dir = NULL;
        r->cache = NULL;
}

const char *sysroot_relative(const char *abs)
{
        while (*abs == '/')
                abs++;
        return *abs ? abs : ".";
}

static void record_as(struct sysroot_recorder *rec, const char *path, const char *target,
                      const char *read_as, enum sysroot_read kind)
{
        struct sysroot_record *it;

        if (!rec || rec->err < 0)
                return;
        for (size_t i = 0; i < rec->n; i++)
                if (strcmp(rec->items[i].path, path) == 0 &&
                    streq_ptr(rec->items[i].target, target) &&
                    streq_ptr(rec->items[i].read_as, read_as) && rec->items[i].kind == kind)
                        return;
        if (rec->n == rec->cap) {
                size_t ncap = rec->cap ? rec->cap * 2 : 32;
                it = realloc(rec->items, ncap * sizeof(*it));
                if (!it) {
                        rec->err = -ENOMEM;
                        return;
                }
                rec->items = it;
                rec->cap = ncap;
        }
        it = &rec->items[rec->n];
        *it = (struct sysroot_record){
                .path = strdup(path),
                .target = target ? strdup(target) : NULL,
                .read_as = read_as ? strdup(read_as) : NULL,
                .kind = kind,
        };
        if (!it->path || (target && !it->target) || (read_as && !it->read_as)) {
                free(it->path);
                free(it->target);
                free(it->read_as);
                rec->err = -ENOMEM;
                return;
        }
        rec->n++;
}

static void record(struct sysroot_recorder *rec, const char *path, const char *target)
{
        record_as(rec, path, target, NULL, SYSROOT_READ_NONE);
}

void sysroot_recorder_done(struct sysroot_recorder *rec)
{
        for (size_t i = 0; rec && i < rec->n; i++) {
                free(rec->items[i].path);
                free(rec->items[i].target);
                free(rec->items[i].read_as);
        }
        if (rec) {
                free(rec->items);
                *rec = (struct sysroot_recorder){};
        }
}

static void record_link(void *rec, const char *path, const char *target)
{
        record(rec, path, target);
}

static void cache_add(struct sysroot_cache *c, const char *resolved)
{
        const char *slash = strrchr(resolved, '/');
        size_t len = slash ? (size_t)(slash - resolved) : 0;

        if (!c || len == 0)
                return;
        for (unsigned i = 0; i < CACHE_SLOTS; i++)
                if (c->dirs[i] && strlen(c->dirs[i]) == len &&
                    memcmp(c->dirs[i], resolved, len) == 0)
                        return;
        free(c->dirs[c->next]);
        c->dirs[c->next] = strndup(resolved, len);
        c->next = (c->next + 1) % CACHE_SLOTS;
}

/* Live and not recording: the root is the host's "/", where the kernel's
 * lookup is the one the resolver below emulates (absolute links and ".." past
 * the top end at "/" either way), in one call instead of a readlinkat per
 * component. A snapshot keeps the resolver (links must stay inside it), and so
 * does collect (it records every link met on the way). */
static bool kernel_resolves(const struct sysroot *r)
{
        return !r->dir && !r->rec;
}

/* A snapshot, not recording: openat2(RESOLVE_IN_ROOT) walks it as the
 * resolver does (absolute links and ".." end at the snapshot's top) in one
 * call, where the resolver makes a readlinkat() per component. -EOPNOTSUPP
 * sends the caller to the resolver: while recording (collect records every
 * link met), before Linux 5.6 or under a seccomp filter (ENOSYS, EPERM,
 * E2BIG, EINVAL), and when a rename raced a ".." (EAGAIN). */
static int open_in_root(const struct sysroot *r, const char *path, int flags)
{
        static bool unusable;
        struct open_how how = {
                .flags = (uint64_t)(flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        long fd;

        if (r->rec || unusable)
                return -EOPNOTSUPP;
        if (!path || !*path)
                return -ENOENT;
        fd = syscall(SYS_openat2, r->fd, sysroot_relative(path), &how, sizeof(how));
        if (fd >= 0)
                return (int)fd;
        switch (errno) {
        case ENOSYS:
        case E2BIG:
        case EINVAL:
                unusable = true;
                return -EOPNOTSUPP;
        case EPERM:
        case EAGAIN:
        case EXDEV:
                return -EOPNOTSUPP;
        default:
                return negative_errno();
        }
}

/* The name the kernel gives an open descriptor: 0, or -EOPNOTSUPP where it
 * gives none that is a path (no /proc mounted, a mount outside our root says
 * "(unreachable)", a file removed since it was opened says " (deleted)"). */
static int fd_name(int fd, char buf[PATH_MAX])
{
        static const char deleted[] = " (deleted)";
        char self[64];
        ssize_t n;

        snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
        n = readlink(self, buf, PATH_MAX);
        if (n <= 0 || n >= PATH_MAX || buf[0] != '/')
                return -EOPNOTSUPP;
        buf[n] = '\0';
        if ((size_t)n >= sizeof(deleted) - 1 &&
            strcmp(buf + n - (sizeof(deleted) - 1), deleted) == 0)
                return -EOPNOTSUPP;
        return 0;
}

/* The kernel's answer: the name an O_PATH descriptor has. */
int sysroot_resolve_live(int rootfd, const char *path, char buf[PATH_MAX])
{
        _cleanup_close_ int fd = -1;

        fd = openat(rootfd, sysroot_relative(path), O_PATH | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fd_name(fd, buf) < 0)
                return light_resolve(rootfd, "", path, buf, NULL, NULL);
        return 0;
}

/* A snapshot's path as openat2(RESOLVE_IN_ROOT) resolves it, read back from
 * the descriptor's name with the snapshot's own name taken off: two calls
 * where the resolver makes a readlinkat() per component (a sysfs device path
 * has a dozen). -EOPNOTSUPP sends the caller to the resolver: open_in_root()
 * refused, or a name that does not start with the snapshot's (see fd_name();
 * a snapshot renamed while we read it). */
static int resolve_in_root(const struct sysroot *r, const char *path, char buf[PATH_MAX])
{
        _cleanup_close_ int fd = -1;
        char own[PATH_MAX];
        const char *top = r->cache ? r->cache->top : NULL;
        size_t len;

        fd = open_in_root(r, path, O_PATH);
        if (fd < 0)
                return fd;
        if (!top) {
                if (fd_name(r->fd, own) < 0)
                        return -EOPNOTSUPP;
                top = own;
                if (r->cache)
                        r->cache->top = strdup(own); /* NULL only costs a readlink */
        }
        if (fd_name(fd, buf) < 0)
                return -EOPNOTSUPP;
        len = strcmp(top, "/") == 0 ? 0 : strlen(top);
        if (strncmp(buf, top, len) != 0 || (buf[len] != '/' && buf[len] != '\0'))
                return -EOPNOTSUPP;
        if (!buf[len])
                strcpy(buf, "/");
        else
                memmove(buf, buf + len, strlen(buf + len) + 1);
        return 0;
}

int sysroot_resolve(const struct sysroot *r, const char *path, char **ret)
{
        const char *start = "", *rest = path;
        char buf[PATH_MAX];
        size_t best = 0;
        int k;

        if (!path || !*path)
                return -ENOENT;
        /* The kernel's walk, live or in a snapshot; -EOPNOTSUPP: the resolver's. */
        k = kernel_resolves(r) ? sysroot_resolve_live(r->fd, path, buf)
                               : resolve_in_root(r, path, buf);
        if (k != -EOPNOTSUPP) {
                if (k < 0)
                        return k;
                *ret = strdup(buf);
                return *ret ? 0 : -ENOMEM;
        }
        /* Start from the longest cached directory that prefixes the path
         * component-wise: its components are known not to be links. */
        for (unsigned i = 0; r->cache && i < CACHE_SLOTS; i++) {
                const char *d = r->cache->dirs[i];
                size_t len = d ? strlen(d) : 0;

                if (len > best && strncmp(path, d, len) == 0 && path[len] == '/') {
                        best = len;
                        start = d;
                        rest = path + len;
                }
        }
        k = light_resolve(r->fd, start, rest, buf, r->rec ? record_link : NULL, r->rec);
        if (k < 0)
                return k;
        record(r->rec, buf, NULL);
        cache_add(r->cache, buf);
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

int sysroot_readlink(const struct sysroot *r, const char *path, char **ret)
{
        _cleanup_free_ char *dir = NULL, *parent = NULL, *full = NULL;
        const char *slash = strrchr(path, '/');
        char buf[PATH_MAX];
        ssize_t n;
        int k;

        if (!slash || !slash[1])
                return -EINVAL;
        if (kernel_resolves(r)) {
                n = readlinkat(r->fd, sysroot_relative(path), buf, sizeof(buf) - 1);
                if (n < 0)
                        return negative_errno();
                buf[n] = '\0';
                *ret = strdup(buf);
                return *ret ? 0 : -ENOMEM;
        }
        dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
        if (!dir)
                return -ENOMEM;
        k = sysroot_resolve(r, dir, &parent);
        if (k < 0)
                return k;
        if (asprintf(&full, "%s/%s", strcmp(parent, "/") == 0 ? "" : parent, slash + 1) < 0)
                return -ENOMEM;
        n = readlinkat(r->fd, sysroot_relative(full), buf, sizeof(buf) - 1);
        if (n < 0)
                return negative_errno();
        buf[n] = '\0';
        record(r->rec, full, buf);
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

/* O_NONBLOCK: a FIFO planted in a snapshot must not stall the open. */
#define OPEN_FILE_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

/* An open descriptor (fd >= 0) or -errno, kept only if a regular file. */
static int only_regular(int fd)
{
        _cleanup_close_ int owned = fd;
        struct stat st;

        if (owned < 0)
                return owned;
        if (fstat(owned, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        return TAKE_FD(owned);
}

/* A regular file under the root, its final link followed or not (nofollow:
 * a path already resolved inside the root). */
static int open_regular(const struct sysroot *r, const char *path, int nofollow)
{
        int fd = openat(r->fd, sysroot_relative(path), OPEN_FILE_FLAGS | nofollow);

        return only_regular(fd < 0 ? negative_errno() : fd);
}

static int open_resolved(const struct sysroot *r, const char *resolved)
{
        return open_regular(r, resolved, O_NOFOLLOW);
}

static int open_file(const struct sysroot *r, const char *path, enum sysroot_read kind)
{
        _cleanup_free_ char *resolved = NULL;
        _cleanup_close_ int fd = -1;
        int k;

        if (kernel_resolves(r))
                return path && *path ? open_regular(r, path, 0) : -ENOENT;
        k = open_in_root(r, path, OPEN_FILE_FLAGS);
        if (k != -EOPNOTSUPP)
                return only_regular(k);
        k = sysroot_resolve(r, path, &resolved);
        if (k < 0)
                return k;
        fd = open_resolved(r, resolved);
        if (fd < 0)
                return fd;
        record_as(r->rec, resolved, NULL, path, kind);
        return TAKE_FD(fd);
}

int sysroot_open_file(const struct sysroot *r, const char *path)
{
        return open_file(r, path, SYSROOT_READ_FILE);
}

/* fd to its end, at most max bytes: -EFBIG past that, or with truncate the
 * first max bytes. */
static int read_fd(int fd, size_t max, bool truncate, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0, limit = truncate ? max : max + 1;

        /* procfs and sysfs report st_size 0: read to EOF, growing, up to max. */
        while (len < limit) {
                ssize_t n;

                if (len == cap) {
                        size_t ncap = cap ? cap * 2 : 4096;
                        char *nb;

                        if (ncap > limit)
                                ncap = limit;
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
        }
        if (len > max)
                return -EFBIG;
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

static int read_file(const struct sysroot *r, const char *path, size_t max, char **ret,
                     size_t *ret_len, enum sysroot_read kind)
{
        _cleanup_close_ int fd = -1;

        fd = open_file(r, path, kind);
        if (fd < 0)
                return fd;
        return read_fd(fd, max, false, ret, ret_len);
}

int sysroot_read_file(const struct sysroot *r, const char *path, size_t max, char **ret,
                      size_t *ret_len)
{
        return read_file(r, path, max, ret, ret_len, SYSROOT_READ_FILE);
}

int sysroot_read_recorded(const struct sysroot *r, const char *path, size_t max, char **ret,
                          size_t *ret_len)
{
        _cleanup_close_ int fd = -1;

        fd = open_resolved(r, path);
        if (fd < 0)
                return fd;
        return read_fd(fd, max, true, ret, ret_len);
}

/* What sysroot_read_attr() makes of a file's bytes: 0 with s the value
 * (buf is changed in place), or -ENODATA / -EBADMSG. */
static int attr_value(char *buf, size_t len, char **s)
{
        if (memchr(buf, '\0', len))
                return -EBADMSG;
        *s = strip(buf);
        if (!**s)
                return -ENODATA;
        for (const unsigned char *c = (const unsigned char *)*s; *c; c++)
                if (*c < 0x20 || *c == 0x7f)
                        return -EBADMSG;
        if (!utf8_is_valid(*s, strlen(*s)))
                return -EBADMSG;
        return 0;
}

int sysroot_read_attr(const struct sysroot *r, const char *path, char **ret)
{
        _cleanup_free_ char *buf = NULL;
        char *s;
        size_t len;
        int k;

        k = read_file(r, path, SYSROOT_ATTR_MAX, &buf, &len, SYSROOT_READ_ATTR);
        if (k < 0)
                return k;
        k = attr_value(buf, len, &s);
        if (k < 0)
                return k;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

int sysroot_reduce_attr(const char *in, size_t len, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *copy = NULL;
        const char *marker;
        char *s;
        size_t n;
        int k;

        if (len > SYSROOT_ATTR_MAX) {
                /* Only the size is kept: a replay gets -EFBIG as the probe did. */
                copy = malloc(SYSROOT_ATTR_MAX + 2);
                if (!copy)
                        return -ENOMEM;
                memset(copy, '0', SYSROOT_ATTR_MAX + 1);
                copy[SYSROOT_ATTR_MAX + 1] = '\0';
                *ret_len = SYSROOT_ATTR_MAX + 1;
                *ret = TAKE_PTR(copy);
                return 0;
        }
        /* + 2: a value without padding gets its newline and the terminator */
        copy = malloc(len + 2);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, in, len);
        copy[len] = '\0';
        if (memchr(in, '\0', len))
                k = -EBADMSG;
        else
                k = attr_value(copy, len, &s);
        if (k == 0) {
                n = strlen(s);
                memmove(copy, s, n);
                copy[n++] = '\n';
                copy[n] = '\0';
                *ret_len = n;
                *ret = TAKE_PTR(copy);
                return 0;
        }
        /* Nothing of the bytes themselves, only their error class. */
        marker = k == -ENODATA ? "\n" : "\x01\n";
        *ret = strdup(marker);
        *ret_len = strlen(marker);
        return *ret ? 0 : -ENOMEM;
}

bool sysroot_exists(const struct sysroot *r, const char *path)
{
        _cleanup_free_ char *resolved = NULL;
        struct stat st;
        int fd;

        if (kernel_resolves(r))
                return path && *path && fstatat(r->fd, sysroot_relative(path), &st, 0) == 0;
        fd = open_in_root(r, path, O_PATH);
        if (fd != -EOPNOTSUPP) {
                if (fd >= 0)
                        close(fd);
                return fd >= 0;
        }
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

        if (kernel_resolves(r)) {
                if (!path || !*path)
                        return -ENOENT;
                fd = openat(r->fd, sysroot_relative(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        } else if ((fd = open_in_root(r, path, O_RDONLY | O_DIRECTORY)) == -EOPNOTSUPP) {
                k = sysroot_resolve(r, path, &resolved);
                if (k < 0)
                        return k;
                fd = openat(r->fd, sysroot_relative(resolved),
                            O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        } else if (fd < 0)
                return fd;
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
