/* SPDX-License-Identifier: MIT */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect.h"
#include "redact.h"
#include "macro.h"
#include "probe.h"
#include "render.h"
#include "sagemaker.h"
#include "strutil.h"

#define TAR "/usr/bin/tar"
#define REPORT_NAME "report.json"

DEFINE_TRIVIAL_CLEANUP_FUNC(cJSON *, cJSON_Delete)


/* One thing of the bundle: a directory, a file (data) or a symlink (target). */
struct entry {
        char *path; /* absolute inside the bundle */
        char *target;
        bool dir;
        char *data;
        size_t len;
};

struct bundle {
        struct entry *e;
        size_t n;
};

static void bundle_done(struct bundle *b)
{
        for (size_t i = 0; i < b->n; i++) {
                free(b->e[i].path);
                free(b->e[i].target);
                free(b->e[i].data);
        }
        free(b->e);
        *b = (struct bundle){};
}

static struct entry *bundle_add(struct bundle *b, char *path)
{
        struct entry *e;

        if (!path)
                return NULL;
        e = realloc(b->e, (b->n + 1) * sizeof(*e));
        if (!e) {
                free(path);
                return NULL;
        }
        b->e = e;
        e = &b->e[b->n++];
        *e = (struct entry){ .path = path };
        return e;
}

static bool is_archive_name(const char *s)
{
        return endswith(s, ".tar.gz") || endswith(s, ".tgz");
}

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
        if (is_archive_name(dest)) {
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
                        format_err(err, errlen,
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
        const char *tmpdir = getenv("TMPDIR");
        int k;

        k = split_dest(dest, &parent, &leaf);
        if (k < 0 || (k = strv_push(&v, parent)) < 0 || (k = strv_push(&v, strdup(dest))) < 0)
                return k;
        /* Where write_archive() builds the tree before tar reads it. */
        if (is_archive_name(dest) &&
            (k = strv_push(&v, strdup(tmpdir && tmpdir[0] == '/' ? tmpdir : "/tmp"))) < 0)
                return k;
        *ret = TAKE_PTR(v);
        return 0;
}

static int rm_one(const char *path, const struct stat *st _unused_, int flag,
                  struct FTW *ftw _unused_)
{
        if (flag == FTW_DP)
                return rmdir(path) < 0 ? -1 : 0;
        return unlink(path) < 0 ? -1 : 0;
}

static void rm_rf(const char *path)
{
        (void)nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
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

/* ---- gathering ---- */

/* NUL-separated NAME=VALUE: keeps only what sagemaker_parse_environ reads.
 * Credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, AWS_SECRET_ACCESS_KEY,
 * tokens) are never among them. */
static int filter_environ(const char *in, size_t len, char **ret, size_t *ret_len)
{
        char *out = malloc(len + 1);
        size_t n = 0;

        if (!out)
                return -ENOMEM;
        for (const char *p = in, *end = in + len; p < end;) {
                const char *e = memchr(p, '\0', (size_t)(end - p));
                const char *eq;

                if (!e)
                        e = end;
                eq = memchr(p, '=', (size_t)(e - p));
                if (eq && sagemaker_environ_var_used(p, (size_t)(eq - p))) {
                        memcpy(out + n, p, (size_t)(e - p));
                        n += (size_t)(e - p);
                        out[n++] = '\0';
                }
                p = e + 1;
        }
        out[n] = '\0';
        *ret = out;
        *ret_len = n;
        return 0;
}

static int read_bounded(int dirfd, const char *rel, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;
        struct stat st;

        fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        while (len < COLLECT_FILE_MAX) {
                ssize_t k;

                if (len == cap) {
                        size_t ncap = cap ? cap * 2 : 4096;
                        char *nb;
                        if (ncap > COLLECT_FILE_MAX)
                                ncap = COLLECT_FILE_MAX;
                        nb = realloc(buf, ncap + 1);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                        cap = ncap;
                }
                k = read(fd, buf + len, cap - len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (k == 0)
                        break;
                len += (size_t)k;
        }
        if (!buf && !(buf = malloc(1)))
                return -ENOMEM;
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

static const char *relative(const char *abs)
{
        while (*abs == '/')
                abs++;
        return *abs ? abs : ".";
}

/* Live, /proc/self is a symlink to this process's pid: the bundle keeps the
 * name the replay reads, proc/self/. */
static char *bundle_path(const struct sysroot *root, const char *path, bool *ret_skip)
{
        char pid[32];
        size_t plen;

        *ret_skip = false;
        if (sysroot_is_replay(root))
                return strdup(path);
        plen = (size_t)snprintf(pid, sizeof(pid), "/proc/%d", (int)getpid());
        if (strncmp(path, pid, plen) == 0 && (path[plen] == '/' || !path[plen])) {
                char *s;
                if (asprintf(&s, "/proc/self%s", path + plen) < 0)
                        return NULL;
                return s;
        }
        if (strcmp(path, "/proc/self") == 0)
                *ret_skip = true; /* the link itself */
        return strdup(path);
}

static int gather(const struct sysroot *root, struct bundle *b, char ***warnings)
{
        const struct sysroot_recorder *rec = root->rec;

        for (size_t i = 0; rec && i < rec->n; i++) {
                const struct sysroot_record *it = &rec->items[i];
                struct entry *e;
                struct stat st;
                bool skip;
                char *bp;
                int k;

                /* The facts are written anew from the report. */
                if (path_is_under(it->path, "/.studio-probe") || strcmp(it->path, "/") == 0)
                        continue;
                bp = bundle_path(root, it->path, &skip);
                if (!bp)
                        return -ENOMEM;
                if (skip) {
                        free(bp);
                        continue;
                }
                if (it->target) {
                        e = bundle_add(b, bp);
                        if (!e || !(e->target = strdup(it->target)))
                                return -ENOMEM;
                        continue;
                }
                if (fstatat(root->fd, relative(it->path), &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        (void)strv_extendf(warnings, "%s: %s, not collected", it->path,
                                           strerror(errno));
                        free(bp);
                        continue;
                }
                if (S_ISDIR(st.st_mode)) {
                        e = bundle_add(b, bp);
                        if (!e)
                                return -ENOMEM;
                        e->dir = true;
                        continue;
                }
                if (!S_ISREG(st.st_mode)) {
                        free(bp); /* the probe refuses them too */
                        continue;
                }
                e = bundle_add(b, bp);
                if (!e)
                        return -ENOMEM;
                k = read_bounded(root->fd, relative(it->path), &e->data, &e->len);
                if (k == -ENOMEM)
                        return k;
                if (k < 0) {
                        (void)strv_extendf(warnings, "%s: %s, collected empty", it->path,
                                           strerror(-k));
                        e->data = strdup("");
                        e->len = 0;
                        if (!e->data)
                                return -ENOMEM;
                }
                if (strcmp(e->path, PROC_ENVIRON) == 0) {
                        char *f;
                        size_t flen;
                        k = filter_environ(e->data, e->len, &f, &flen);
                        if (k < 0)
                                return k;
                        explicit_bzero(e->data, e->len);
                        free(e->data);
                        e->data = f;
                        e->len = flen;
                }
        }
        return 0;
}

/* Sizes past 2^53 as strings: a double would round them (load_facts reads both). */
static bool add_u64(cJSON *o, const char *key, uint64_t v)
{
        char buf[32];

        if (v == U64_UNSET)
                return true;
        if (v <= (UINT64_C(1) << 53))
                return cJSON_AddNumberToObject(o, key, (double)v) != NULL;
        snprintf(buf, sizeof(buf), "%" PRIu64, v);
        return cJSON_AddStringToObject(o, key, buf) != NULL;
}

/* The format probe.c's load_facts(), facts_statfs() and facts_blkid() read:
 * the home under its resolved path, every other storage under its mount point. */
static char *facts_json(const struct report *r)
{
        _cleanup_(cJSON_Deletep) cJSON *j = cJSON_CreateObject();
        cJSON *st, *bl;

        if (!j || !(st = cJSON_AddObjectToObject(j, "statfs")) ||
            !(bl = cJSON_AddObjectToObject(j, "blkid")))
                return NULL;
        for (size_t i = 0; i <= r->n_mounts; i++) {
                const struct storage *s = i == 0 ? &r->home : &r->mounts[i - 1];
                const char *key = i == 0 && s->resolved_path ? s->resolved_path : s->mountpoint;
                const struct block_device *d = s->device;

                if (key && !cJSON_GetObjectItemCaseSensitive(st, key) &&
                    (s->fs_magic != U64_UNSET || s->size_bytes != U64_UNSET ||
                     s->free_bytes != U64_UNSET)) {
                        cJSON *o = cJSON_AddObjectToObject(st, key);
                        if (!o || !add_u64(o, "type", s->fs_magic) ||
                            !add_u64(o, "size_bytes", s->size_bytes) ||
                            !add_u64(o, "free_bytes", s->free_bytes))
                                return NULL;
                }
                if (d && (d->fs_type || d->uuid || d->label)) {
                        _cleanup_free_ char *node = probe_device_node(d);
                        cJSON *o;

                        if (!node)
                                return NULL;
                        if (cJSON_GetObjectItemCaseSensitive(bl, node))
                                continue;
                        o = cJSON_AddObjectToObject(bl, node);
                        if (!o || (d->fs_type && !cJSON_AddStringToObject(o, "type", d->fs_type)) ||
                            (d->uuid && !cJSON_AddStringToObject(o, "uuid", d->uuid)) ||
                            (d->label && !cJSON_AddStringToObject(o, "label", d->label)))
                                return NULL;
                }
        }
        return cJSON_Print(j);
}

/* ---- writing ---- */

/* The directory that holds rel's last component, made (0700) as needed;
 * never through a symlink. Returns an fd and the leaf in *ret_leaf. */
static int open_parent(int dirfd, const char *rel, char **ret_leaf)
{
        _cleanup_free_ char *copy = strdup(rel);
        _cleanup_close_ int cur = -1;
        char *p, *slash;

        if (!copy)
                return -ENOMEM;
        cur = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
        if (cur < 0)
                return negative_errno();
        p = copy;
        while ((slash = strchr(p, '/'))) {
                int next;

                *slash = '\0';
                if (!*p || strcmp(p, ".") == 0) {
                        p = slash + 1;
                        continue;
                }
                if (strcmp(p, "..") == 0)
                        return -EINVAL;
                if (mkdirat(cur, p, 0700) < 0 && errno != EEXIST)
                        return negative_errno();
                next = openat(cur, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0)
                        return negative_errno();
                close(cur);
                cur = next;
                p = slash + 1;
        }
        if (!*p || strcmp(p, "..") == 0 || strcmp(p, ".") == 0)
                return -EINVAL;
        *ret_leaf = strdup(p);
        if (!*ret_leaf)
                return -ENOMEM;
        return TAKE_FD(cur);
}

static int write_file_at(int dirfd, const char *path, const char *data, size_t len)
{
        _cleanup_free_ char *leaf = NULL;
        _cleanup_close_ int pfd = -1, fd = -1;

        pfd = open_parent(dirfd, relative(path), &leaf);
        if (pfd < 0)
                return pfd;
        fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return negative_errno();
        while (len > 0) {
                ssize_t n = write(fd, data, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                data += n;
                len -= (size_t)n;
        }
        if (close(TAKE_FD(fd)) < 0)
                return negative_errno();
        return 0;
}

static int write_entry(int dirfd, const struct entry *e, const struct redactor *red)
{
        _cleanup_free_ char *path = NULL, *data = NULL, *target = NULL, *leaf = NULL;
        _cleanup_close_ int pfd = -1;
        size_t len = 0;
        int k;

        k = redact(red, e->path, strlen(e->path), &path, NULL);
        if (k < 0)
                return k;
        if (e->dir) {
                pfd = open_parent(dirfd, relative(path), &leaf);
                if (pfd < 0)
                        return pfd;
                if (mkdirat(pfd, leaf, 0700) < 0 && errno != EEXIST)
                        return negative_errno();
                return 0;
        }
        if (e->target) {
                k = redact(red, e->target, strlen(e->target), &target, NULL);
                if (k < 0)
                        return k;
                pfd = open_parent(dirfd, relative(path), &leaf);
                if (pfd < 0)
                        return pfd;
                if (symlinkat(target, pfd, leaf) < 0)
                        return errno == EEXIST ? 0 : negative_errno();
                return 0;
        }
        k = redact(red, e->data, e->len, &data, &len);
        if (k < 0)
                return k;
        return write_file_at(dirfd, path, data, len);
}

static int build_redactor(const struct report *r, const struct bundle *b, const char *report,
                          struct redactor *red)
{
        const struct sagemaker *s = &r->sagemaker;
        int k = 0;

        /* Deterministic order: the identity fields first, then ARNs as met. */
        if ((k = redactor_add(red, SECRET_DOMAIN, s->domain_id)) < 0 ||
            (k = redactor_add(red, SECRET_USER, s->user_profile_name)) < 0 ||
            (k = redactor_add(red, SECRET_SPACE, s->space_name)) < 0 ||
            (k = redactor_add(red, SECRET_SPACE, s->env_space_name)) < 0 ||
            (k = redactor_add(red, SECRET_JOB, s->processing_job_name)) < 0 ||
            (k = redactor_add(red, SECRET_JOB, s->env_training_job_name)) < 0)
                return k;
        for (size_t i = 0; i < b->n; i++)
                if (b->e[i].data && (k = redactor_scan_arns(red, b->e[i].data, b->e[i].len)) < 0)
                        return k;
        if ((k = redactor_scan_arns(red, report, strlen(report))) < 0)
                return k;
        redactor_sort(red);
        return 0;
}

static int write_tree(int dirfd, const struct bundle *b, const struct redactor *red,
                      const char *facts, const char *report, size_t *ret_files, char *err,
                      size_t errlen)
{
        _cleanup_free_ char *f = NULL, *rep = NULL;
        size_t files = 0, flen, rlen;
        int k;

        /* Directories and files first, symlinks last: open_parent never has to
         * go through a link, and the links land in directories that exist. */
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < b->n; i++) {
                        const struct entry *e = &b->e[i];

                        if ((pass == 0) == (e->target != NULL))
                                continue;
                        k = write_entry(dirfd, e, red);
                        if (k < 0) {
                                format_err(err, errlen, "collect: cannot write %s: %s", e->path,
                                        strerror(-k));
                                return k;
                        }
                        files += !e->dir;
                }
        if ((k = redact(red, facts, strlen(facts), &f, &flen)) < 0 ||
            (k = redact(red, report, strlen(report), &rep, &rlen)) < 0)
                return k;
        k = write_file_at(dirfd, SNAPSHOT_FACTS, f, flen);
        if (k == 0)
                k = write_file_at(dirfd, REPORT_NAME, rep, rlen);
        if (k < 0) {
                format_err(err, errlen, "collect: cannot write the facts or the report: %s",
                        strerror(-k));
                return k;
        }
        *ret_files = files + 2;
        return 0;
}

/* tar(1) by exec, no shell: the archive holds one directory named after it. */
static int run_tar(const char *tmp, const char *name, int outfd, char *err, size_t errlen)
{
        /* The name comes from the user's file name: after "--", so that
         * ./--help.tgz is archived and not taken for an option. A fixed
         * environment: TAR_OPTIONS would add options (-h would follow the
         * bundle's symlinks into this machine's files), GZIP gzip's. */
        const char *argv[] = { "tar", "-C", tmp, "--numeric-owner", "--owner=0", "--group=0",
                               "-czf", "-", "--", name, NULL };
        const char *envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", NULL };
        int status;
        pid_t pid;

        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                if (dup2(outfd, STDOUT_FILENO) < 0)
                        _exit(127);
                execve(TAR, (char *const *)argv, (char *const *)envp);
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return negative_errno();
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                format_err(err, errlen, "collect: %s failed (%s %d)", TAR,
                        WIFEXITED(status) ? "exit status" : "signal",
                        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
                return -EIO;
        }
        return 0;
}

static char *archive_dir_name(const char *path)
{
        const char *base = path_basename(path);
        size_t len = strlen(base);

        if (endswith(base, ".tar.gz"))
                len -= 7;
        else if (endswith(base, ".tgz"))
                len -= 4;
        if (len == 0 || (len <= 2 && base[0] == '.'))
                return strdup("studio-probe-bundle");
        return strndup(base, len);
}

static int write_archive(struct collect_dest *d, const struct bundle *b,
                         const struct redactor *red, const char *facts, const char *report,
                         size_t *ret_files, char *err, size_t errlen)
{
        const char *tmpdir = getenv("TMPDIR");
        _cleanup_free_ char *tmp = NULL, *name = archive_dir_name(d->path);
        _cleanup_close_ int tfd = -1, bfd = -1, out = -1;
        int k;

        if (!name)
                return -ENOMEM;
        if (!tmpdir || tmpdir[0] != '/')
                tmpdir = "/tmp";
        if (asprintf(&tmp, "%s/studio-probe-collect.XXXXXX", tmpdir) < 0)
                return -ENOMEM;
        if (!mkdtemp(tmp)) { /* 0700: the tree is private until archived */
                k = negative_errno();
                format_err(err, errlen, "collect: cannot create a temporary directory in %s: %s",
                        tmpdir, strerror(-k));
                free(TAKE_PTR(tmp));
                return k;
        }
        tfd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (tfd < 0 || mkdirat(tfd, name, 0700) < 0 ||
            (bfd = openat(tfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
                k = negative_errno();
                format_err(err, errlen, "collect: %s: %s", tmp, strerror(-k));
                goto out;
        }
        k = write_tree(bfd, b, red, facts, report, ret_files, err, errlen);
        if (k < 0)
                goto out;
        out = open(d->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (out < 0) {
                k = negative_errno();
                format_err(err, errlen, "collect: cannot create %s: %s", d->path, strerror(-k));
                goto out;
        }
        k = run_tar(tmp, name, out, err, errlen);
        if (k == 0 && fsync(out) < 0)
                k = negative_errno();
        if (k == 0 && close(TAKE_FD(out)) < 0)
                k = negative_errno();
        if (k < 0) {
                if (!err[0])
                        format_err(err, errlen, "collect: cannot write %s: %s", d->path,
                                strerror(-k));
                unlink(d->path);
        }
out:
        rm_rf(tmp);
        return k;
}

int collect_write(const struct sysroot *root, const struct report *r, struct collect_dest *d,
                  bool redact_names, size_t *ret_files, char ***ret_warnings, char *err,
                  size_t errlen)
{
        _cleanup_(cJSON_Deletep) cJSON *j = NULL;
        _cleanup_free_ char *facts = NULL, *report = NULL;
        _cleanup_strv_free_ char **warnings = NULL;
        struct bundle b = {};
        struct redactor red = {};
        int k;

        if (err && errlen)
                err[0] = '\0';
        if (root->rec && root->rec->err < 0) {
                format_err(err, errlen, "collect: out of memory while recording");
                return root->rec->err;
        }
        k = gather(root, &b, &warnings);
        if (k < 0)
                goto fail;
        facts = facts_json(r);
        j = report_to_json(r);
        report = j ? cJSON_Print(j) : NULL;
        if (!facts || !report) {
                k = -ENOMEM;
                goto fail;
        }
        if (redact_names && (k = build_redactor(r, &b, report, &red)) < 0)
                goto fail;
        if (d->archive)
                k = write_archive(d, &b, redact_names ? &red : NULL, facts, report, ret_files,
                                  err, errlen);
        else
                k = write_tree(d->dirfd, &b, redact_names ? &red : NULL, facts, report,
                               ret_files, err, errlen);
        if (ret_warnings && warnings)
                *ret_warnings = TAKE_PTR(warnings);
fail:
        if (k == -ENOMEM && err && errlen && !err[0])
                format_err(err, errlen, "collect: out of memory");
        bundle_done(&b);
        redactor_done(&red);
        return k;
}
