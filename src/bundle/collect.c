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

#include "classify/classify.h"
#include "classify/storage.h"
#include "bundle/collect.h"
#include "bundle/redact.h"
#include "core/macro.h"
#include "probe/mounts.h"
#include "probe/blockdev.h"
#include "probe/probe.h"
#include "render/json.h"
#include "probe/sagemaker.h"
#include "core/strutil.h"

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

/* The pid /proc/self led to, when the run went through that link (NULL
 * otherwise): its directory is written as proc/self, the name the probe reads,
 * which a replay has no process of that pid for. Live it need not be getpid():
 * in a PID namespace whose /proc is another's (unshare --pid without
 * --mount-proc) /proc/self names this process by its number there; under
 * --sysroot=/ or /proc/PID/root it is whatever that procfs says. */
static const char *proc_self_pid(const struct sysroot_recorder *rec)
{
        for (size_t i = 0; rec && i < rec->n; i++) {
                const char *t = rec->items[i].target;

                if (t && strcmp(rec->items[i].path, "/proc/self") == 0 && t[0] &&
                    strspn(t, "0123456789") == strlen(t))
                        return t;
        }
        return NULL;
}

/* The name in the bundle of a recorded path: /proc/PID/... becomes
 * /proc/self/... for the pid /proc/self led to, and the link itself is left
 * out (*ret_skip). */
static char *bundle_path(const char *self_pid, const char *path, bool *ret_skip)
{
        char pid[64];
        size_t plen;

        *ret_skip = false;
        if (!self_pid)
                return strdup(path);
        plen = (size_t)snprintf(pid, sizeof(pid), "/proc/%s", self_pid);
        if (plen < sizeof(pid) && strncmp(path, pid, plen) == 0 &&
            (path[plen] == '/' || !path[plen])) {
                char *s;
                if (asprintf(&s, "/proc/self%s", path + plen) < 0)
                        return NULL;
                return s;
        }
        if (strcmp(path, "/proc/self") == 0)
                *ret_skip = true; /* the link itself */
        return strdup(path);
}

typedef int (*reduce_fn)(const char *in, size_t len, char **ret, size_t *ret_len);

static int reduce_to_nothing(const char *in _unused_, size_t len _unused_, char **ret,
                             size_t *ret_len)
{
        *ret_len = 0;
        *ret = strdup("");
        return *ret ? 0 : -ENOMEM;
}

/* What a bundle keeps of a file whose content the probe read, chosen by the
 * name it was read as, never the name it resolved to: each format's owner
 * reduces it to what its parser takes. A list of what may be copied: a file
 * read under any other name is not copied (a new reader needs its reducer
 * here first). Attributes (sysroot_read_attr) keep their one line of text. */
static const struct reducer {
        const char *read_as;
        bool prefix;  /* read_as is a prefix: UDEV_DATA_PREFIX "MAJ:MIN" */
        bool in_proc; /* may reduce a file that resolved under /proc */
        reduce_fn reduce;
} reducers[] = {
        { PROC_ENVIRON, false, true, sagemaker_reduce_environ },
        { PROC_MOUNTINFO, false, true, mounts_reduce_mountinfo },
        { RESOURCE_METADATA, false, false, sagemaker_reduce_metadata },
        { PROCESSING_JOBCONFIG, false, false, sagemaker_reduce_jobconfig },
        { UDEV_DATA_PREFIX, true, false, blockdev_reduce_udev_data },
        /* written anew from the report */
        { SNAPSHOT_FACTS, false, false, reduce_to_nothing },
};
static const struct reducer attr_reducer = { NULL, false, false, sysroot_reduce_attr };

static const struct reducer *find_reducer(const struct sysroot_record *it)
{
        if (it->kind == SYSROOT_READ_ATTR)
                return &attr_reducer;
        for (size_t i = 0; i < ARRAY_SIZE(reducers); i++)
                if (reducers[i].prefix ? startswith(it->read_as, reducers[i].read_as)
                                       : strcmp(it->read_as, reducers[i].read_as) == 0)
                        return &reducers[i];
        return NULL;
}

/* The content a bundle holds for the regular file at path (as recorded,
 * inside the root): nothing when the probe only saw it exist; else the file
 * run through the reducer of every name it was read as. Under /proc (all of
 * it: environ, cmdline, auxv, mem, maps, status... of any pid) only the
 * reducers of the two files the probe parses there apply; nothing is ever
 * copied as it is. On a file none may take, *ret_refused. */
static int file_content(const struct sysroot *root, const char *path, char **ret, size_t *ret_len,
                        const char **ret_refused, char ***warnings)
{
        const struct sysroot_recorder *rec = root->rec;
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        bool read = false;
        int k;

        *ret_refused = NULL;
        for (size_t i = 0; i < rec->n; i++) {
                const struct sysroot_record *it = &rec->items[i];
                const struct reducer *r;
                char *out;
                size_t olen;

                if (!it->read_as || it->target || strcmp(it->path, path) != 0)
                        continue;
                r = find_reducer(it);
                if (!r || (!r->in_proc && path_is_under(path, "/proc"))) {
                        *ret_refused = it->read_as;
                        break;
                }
                if (!read) {
                        read = true;
                        k = read_bounded(root->fd, relative(path), &data, &len);
                        if (k == -ENOMEM)
                                return k;
                        if (k < 0) {
                                (void)strv_extendf(warnings, "%s: %s, collected empty", path,
                                                   strerror(-k));
                                break;
                        }
                }
                k = r->reduce(data, len, &out, &olen);
                if (k < 0)
                        return k;
                explicit_bzero(data, len);
                free(data);
                data = out;
                len = olen;
        }
        if (*ret_refused || !data) {
                /* Seen to exist only, unreadable, or no reducer: an empty file. */
                if (data)
                        explicit_bzero(data, len);
                free(data);
                data = strdup("");
                len = 0;
                if (!data)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(data);
        *ret_len = len;
        return 0;
}

static int gather(const struct sysroot *root, struct bundle *b, char ***warnings)
{
        const struct sysroot_recorder *rec = root->rec;
        const char *self_pid = proc_self_pid(rec);

        for (size_t i = 0; rec && i < rec->n; i++) {
                const struct sysroot_record *it = &rec->items[i];
                const char *refused;
                struct entry *e;
                struct stat st;
                bool skip;
                char *bp;
                int k;

                /* The facts are written anew from the report. The records of
                 * reads are taken with the file's own record, below. */
                if (path_is_under(it->path, "/.studio-probe") || strcmp(it->path, "/") == 0 ||
                    it->read_as)
                        continue;
                bp = bundle_path(self_pid, it->path, &skip);
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
                k = file_content(root, it->path, &e->data, &e->len, &refused, warnings);
                if (k < 0)
                        return k;
                if (refused)
                        (void)strv_extendf(warnings,
                                           "%s: read as %s, which a bundle keeps nothing of; "
                                           "collected empty",
                                           it->path, refused);
        }
        return 0;
}

/* The report's copy of each mount's options and source, reduced as the
 * bundle's mountinfo is: report.json must not hold what that file does not. */
static int reduce_report_mounts(cJSON *report)
{
        cJSON *mounts = cJSON_GetObjectItemCaseSensitive(report, "mounts");
        cJSON *home = cJSON_GetObjectItemCaseSensitive(report, "home");
        size_t n = cJSON_IsArray(mounts) ? (size_t)cJSON_GetArraySize(mounts) : 0;

        for (size_t i = 0; i <= n; i++) {
                cJSON *m = i == 0 ? home : cJSON_GetArrayItem(mounts, (int)i - 1);
                const char *fstype =
                        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "fstype"));
                cJSON *o = cJSON_GetObjectItemCaseSensitive(m, "options");
                cJSON *src = cJSON_GetObjectItemCaseSensitive(m, "source");
                _cleanup_free_ char *ro = NULL, *rs = NULL;

                if (cJSON_IsString(o) && o->valuestring) {
                        ro = mount_options_reduce(fstype, o->valuestring);
                        if (!ro || !cJSON_SetValuestring(o, ro))
                                return -ENOMEM;
                }
                if (cJSON_IsString(src) && src->valuestring) {
                        rs = mount_source_reduce(src->valuestring);
                        if (!rs || !cJSON_SetValuestring(src, rs))
                                return -ENOMEM;
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
        const struct storage *s;

        if (!j || !(st = cJSON_AddObjectToObject(j, "statfs")) ||
            !(bl = cJSON_AddObjectToObject(j, "blkid")))
                return NULL;
        report_for_each_storage(s, r) {
                const char *key =
                        s == &r->home && s->resolved_path ? s->resolved_path : s->mountpoint;
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

#define MOUNTINFO_PATH "/proc/self/mountinfo"
/* Replaying the redacted bundle reads only the files just written: no mount
 * of the user's is involved, this bounds a destination on a slow disk. */
#define REDACT_CHECK_TIMEOUT_NS (10 * NSEC_PER_SEC)

/* Each file by the format its reader parses (sagemaker.h, probe.c). sysfs
 * holds the kernel's and the device's words only (its serials are EBS volume
 * ids, which stay): copied as is. */
static enum redact_format entry_format(const char *path)
{
        if (strcmp(path, PROC_ENVIRON) == 0)
                return REDACT_ENVIRON;
        if (strcmp(path, MOUNTINFO_PATH) == 0)
                return REDACT_MOUNTINFO;
        if (path_is_under(path, "/sys"))
                return REDACT_KEEP;
        if (endswith(path, ".json"))
                return REDACT_JSON;
        return REDACT_TEXT;
}

static int write_entry(int dirfd, const struct entry *e, struct redactor *red)
{
        _cleanup_free_ char *rpath = NULL, *rdata = NULL, *rtarget = NULL, *leaf = NULL;
        _cleanup_close_ int pfd = -1;
        const char *path = e->path, *data = e->data, *target = e->target;
        size_t len = e->len;
        int k;

        if (red) {
                k = redact_path(red, e->path, &rpath);
                if (k < 0)
                        return k;
                path = rpath;
        }
        if (e->dir) {
                pfd = open_parent(dirfd, relative(path), &leaf);
                if (pfd < 0)
                        return pfd;
                if (mkdirat(pfd, leaf, 0700) < 0 && errno != EEXIST)
                        return negative_errno();
                return 0;
        }
        if (target) {
                if (red) {
                        k = redact_link(red, e->path, e->target, &rtarget);
                        if (k < 0)
                                return k;
                        target = rtarget;
                }
                pfd = open_parent(dirfd, relative(path), &leaf);
                if (pfd < 0)
                        return pfd;
                if (symlinkat(target, pfd, leaf) < 0)
                        return errno == EEXIST ? 0 : negative_errno();
                return 0;
        }
        if (red) {
                k = redact_data(red, entry_format(e->path), e->data, e->len, &rdata, &len);
                if (k < 0)
                        return k;
                data = rdata;
        }
        return write_file_at(dirfd, path, data, len);
}

/* The paths the probe itself looks for (probe/probe.c, probe/sagemaker.c,
 * probe/nfs.c, studio-facts §2): a name equal to one of their components
 * ("home", "sagemaker-user") is still replaced in the identity fields, but
 * paths keep their meaning. */
static const char *const probe_paths[] = {
        RESOURCE_METADATA,
        NOTEBOOK_INSTANCE_MARKER,
        TRAINING_RESOURCECONFIG,
        PROCESSING_JOBCONFIG,
        PROCESSING_RESOURCECONFIG,
        PROC_ENVIRON,
        MOUNTINFO_PATH,
        SNAPSHOT_FACTS,
        ("/" REPORT_NAME),
        HOME_CUSTOM_FILE_SYSTEMS_EFS,
        HOME_CUSTOM_FILE_SYSTEMS_FSX_LUSTRE,
        HOME_USER_DEFAULT_EFS,
        NOTEBOOK_INSTANCE_HOME,
        ROOT_HOME,
        SAGEMAKER_INTERNAL,
        CUSTOM_FILE_SYSTEMS_EFS,
        CUSTOM_FILE_SYSTEMS_FSX_LUSTRE,
        CUSTOM_FILE_SYSTEMS_S3,
        SAGEMAKER_NVME,
        "/sys/dev/block",
        "/run/udev/data",
};

/* The kernel's trees: device and attribute names, and the links between
 * them, stay as they are (a user named "nvme0" must not rename a device). */
static const char *const protected_trees[] = { "/proc", "/sys", "/dev", "/run/udev" };

static int redactor_scan_entry(struct redactor *red, const struct entry *e)
{
        int k = redact_path(red, e->path, NULL);

        if (k >= 0 && e->target)
                k = redact_link(red, e->path, e->target, NULL);
        if (k >= 0 && e->data)
                k = redact_data(red, entry_format(e->path), e->data, e->len, NULL, NULL);
        return k;
}

/* Everything that will be written goes through the redactor twice: once to
 * find the secrets (ARNs, addresses, hosts) and the tokens no placeholder may
 * equal, then, frozen, to write. */
static int build_redactor(const struct report *r, const struct bundle *b, const char *facts,
                          const char *report, struct redactor **ret)
{
        _cleanup_(redactor_freep) struct redactor *red = redactor_new();
        const struct sagemaker *s = &r->sagemaker;
        int k = 0;

        if (!red)
                return -ENOMEM;
        for (size_t i = 0; i < ARRAY_SIZE(probe_paths) && k >= 0; i++)
                k = redactor_reserve_path(red, probe_paths[i]);
        for (size_t i = 0; i < ARRAY_SIZE(protected_trees) && k >= 0; i++)
                k = redactor_protect_tree(red, protected_trees[i]);
        /* The report's own words ("ebs", "studio-new", "high"). */
        for (int i = 0; i < _ENV_MAX && k >= 0; i++)
                k = redactor_reserve(red, environment_to_string(i));
        for (int i = 0; i < _STORAGE_MAX && k >= 0; i++)
                k = redactor_reserve(red, storage_kind_to_string(i));
        for (int i = 0; i < _CONFIDENCE_MAX && k >= 0; i++)
                k = redactor_reserve(red, confidence_to_string(i));
        if (k < 0)
                return k;
        /* Deterministic order: the identity fields first, then what the files hold. */
        if ((k = redactor_add(red, SECRET_DOMAIN, s->domain_id)) < 0 ||
            (k = redactor_add(red, SECRET_USER, s->user_profile_name)) < 0 ||
            (k = redactor_add(red, SECRET_SPACE, s->space_name)) < 0 ||
            (k = redactor_add(red, SECRET_SPACE, s->env_space_name)) < 0 ||
            (k = redactor_add(red, SECRET_RESOURCE, s->resource_name)) < 0 ||
            (k = redactor_add(red, SECRET_JOB, s->processing_job_name)) < 0 ||
            (k = redactor_add(red, SECRET_JOB, s->env_training_job_name)) < 0)
                return k;
        for (size_t i = 0; i < b->n; i++)
                if ((k = redactor_scan_entry(red, &b->e[i])) < 0)
                        return k;
        if ((k = redact_path(red, SNAPSHOT_FACTS, NULL)) < 0 ||
            (k = redact_data(red, REDACT_JSON, facts, strlen(facts), NULL, NULL)) < 0 ||
            (k = redact_data(red, REDACT_JSON, report, strlen(report), NULL, NULL)) < 0 ||
            (k = redactor_freeze(red)) < 0)
                return k;
        *ret = TAKE_PTR(red);
        return 0;
}

static int write_tree(int dirfd, const struct bundle *b, struct redactor *red, const char *facts,
                      const char *report, size_t *ret_files, char *err, size_t errlen)
{
        _cleanup_free_ char *f = NULL, *rep = NULL;
        size_t files = 0, flen = strlen(facts), rlen = strlen(report);
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
        if (red && ((k = redact_data(red, REDACT_JSON, facts, flen, &f, &flen)) < 0 ||
                    (k = redact_data(red, REDACT_JSON, report, rlen, &rep, &rlen)) < 0))
                return k;
        k = write_file_at(dirfd, SNAPSHOT_FACTS, f ? f : facts, flen);
        if (k == 0)
                k = write_file_at(dirfd, REPORT_NAME, rep ? rep : report, rlen);
        if (k < 0) {
                format_err(err, errlen, "collect: cannot write the facts or the report: %s",
                           strerror(-k));
                return k;
        }
        *ret_files = files + 2;
        return 0;
}

/* How a replay of the redacted bundle tells one storage otherwise than this
 * run did (mount points compare as redacted), or NULL. */
static char *storage_difference(struct redactor *red, const char *what, const struct storage *a,
                                const struct storage *b)
{
        _cleanup_free_ char *mp = NULL;
        char *s = NULL;
        int k;

        if (a->mountpoint && redact_path(red, a->mountpoint, &mp) < 0)
                return NULL;
        if (!streq_ptr(mp, b->mountpoint))
                k = asprintf(&s, "the mount point of %s: %s, replayed %s", what, strna(mp),
                             strna(b->mountpoint));
        else if (!streq_ptr(a->fstype, b->fstype))
                k = asprintf(&s, "the file system type of %s: %s, replayed %s", strna(mp),
                             strna(a->fstype), strna(b->fstype));
        else if (a->kind != b->kind)
                k = asprintf(&s, "the storage of %s: %s, replayed %s", strna(mp),
                             storage_kind_to_string(a->kind), storage_kind_to_string(b->kind));
        else
                return NULL;
        return k < 0 ? strdup(what) : s;
}

/* The first thing the replay says otherwise, among what a bundle is for:
 * the environment, the confidence, the storage of the home and of the other
 * mounts. NULL when it says the same. */
static char *replay_difference(struct redactor *red, const struct report *a, const struct report *b)
{
        char *s = NULL;
        int k = 0;

        if (a->environment != b->environment)
                k = asprintf(&s, "the environment: %s, replayed %s",
                             environment_to_string(a->environment),
                             environment_to_string(b->environment));
        else if (a->confidence != b->confidence)
                k = asprintf(&s, "the confidence: %s, replayed %s",
                             confidence_to_string(a->confidence),
                             confidence_to_string(b->confidence));
        else if ((s = storage_difference(red, "the home", &a->home, &b->home)))
                return s;
        else if (a->n_mounts != b->n_mounts)
                k = asprintf(&s, "the other mounts: %zu, replayed %zu", a->n_mounts, b->n_mounts);
        else
                for (size_t i = 0; i < a->n_mounts && !s; i++)
                        s = storage_difference(red, "a mount", &a->mounts[i], &b->mounts[i]);
        return k < 0 ? strdup("?") : s;
}

/* Replays the redacted tree at dirfd in this process, as --sysroot does, and
 * compares. Returns 0, -EBADMSG (it differs: err says how) or -errno. */
static int verify_redacted(int dirfd, const char *display, const struct report *r,
                           struct redactor *red, char *err, size_t errlen)
{
        struct sysroot root = { .fd = -1 };
        struct probe_params pp = { .timeout_ns = REDACT_CHECK_TIMEOUT_NS };
        _cleanup_free_ char *path = NULL, *error = NULL, *diff = NULL;
        const char *p = NULL;
        struct report rep;
        int k;

        /* The path this run inspected, as the bundle names it; a relative
         * --path was taken from the working directory: its resolved form. */
        if (r->home.path && r->home.path[0] == '/')
                p = r->home.path;
        else if (r->home.resolved_path)
                p = r->home.resolved_path;
        if (p && (k = redact_path(red, p, &path)) < 0)
                return k;
        pp.path = path;
        root.fd = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root.fd < 0)
                return negative_errno();
        root.dir = strdup(display);
        if (!root.dir) {
                sysroot_close(&root);
                return -ENOMEM;
        }
        report_init(&rep);
        k = probe_run(&root, &pp, &rep, &error);
        if (k == 0)
                k = classify_storage(&rep);
        if (k == 0)
                k = classify(&rep);
        if (k < 0 && k != -ENOMEM) {
                format_err(err, errlen,
                           "collect: --redact: the redacted bundle does not replay (%s), so it "
                           "was removed; collect without --redact and redact by hand",
                           error ? error : strerror(-k));
                k = -EBADMSG;
        } else if (k == 0 && (diff = replay_difference(red, r, &rep))) {
                format_err(err, errlen,
                           "collect: --redact: the redacted bundle replays differently (%s), so "
                           "it was removed; collect without --redact and redact by hand",
                           diff);
                k = -EBADMSG;
        }
        report_done(&rep);
        sysroot_close(&root);
        return k;
}

/* tar(1) by exec, no shell: the archive holds one directory named after it. */
static int run_tar(const char *tmp, const char *name, int outfd, char *err, size_t errlen)
{
        /* The name comes from the user's file name: after "--", so that
         * ./--help.tgz is archived and not taken for an option. A fixed
         * environment: TAR_OPTIONS would add options (-h would follow the
         * bundle's symlinks into this machine's files), GZIP gzip's. */
        const char *argv[] = { "tar",       "-C",        tmp,    "--numeric-owner",
                               "--owner=0", "--group=0", "-czf", "-",
                               "--",        name,        NULL };
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

static int write_archive(struct collect_dest *d, const struct report *r, const struct bundle *b,
                         struct redactor *red, const char *facts, const char *report,
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
        /* Checked before tar: a refused bundle never becomes an archive. */
        if (k == 0 && red && !r->timed_out)
                k = verify_redacted(bfd, d->path, r, red, err, errlen);
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
        _cleanup_(redactor_freep) struct redactor *red = NULL;
        struct bundle b = {};
        struct stat st;
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
        if (j && reduce_report_mounts(j) < 0) {
                k = -ENOMEM;
                goto fail;
        }
        report = j ? cJSON_Print(j) : NULL;
        if (!facts || !report) {
                k = -ENOMEM;
                goto fail;
        }
        if (redact_names && (k = build_redactor(r, &b, facts, report, &red)) < 0) {
                if (k == -E2BIG)
                        format_err(err, errlen,
                                   "collect: --redact: more addresses than "
                                   "placeholders for them");
                goto fail;
        }
        if (d->archive)
                k = write_archive(d, r, &b, red, facts, report, ret_files, err, errlen);
        else {
                k = write_tree(d->dirfd, &b, red, facts, report, ret_files, err, errlen);
                /* A bundle that would mislead support is worse than none. A
                 * timed-out run has no complete facts to compare: its bundle
                 * is already reported incomplete. */
                if (k == 0 && red && !r->timed_out) {
                        k = verify_redacted(d->dirfd, d->path, r, red, err, errlen);
                        /* The directory was empty before we wrote: all of it is ours. */
                        if (k < 0 && fstat(d->dirfd, &st) == 0)
                                rm_contents_at(d->dirfd, st.st_dev, 0);
                }
        }
        if (ret_warnings && warnings)
                *ret_warnings = TAKE_PTR(warnings);
fail:
        if (k == -ENOMEM && err && errlen && !err[0])
                format_err(err, errlen, "collect: out of memory");
        bundle_done(&b);
        return k;
}
