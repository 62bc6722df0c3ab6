/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/tree.h"
#include "core/macro.h"
#include "core/strutil.h"
#include "probe/facts.h"
#include "probe/mounts.h"
#include "probe/mountstats.h"
#include "probe/sagemaker.h"

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

        pfd = open_parent(dirfd, sysroot_relative(path), &leaf);
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

/* Each file by the format its reader parses (sagemaker.h, probe.c). sysfs
 * holds the kernel's and the device's words only (its serials are EBS volume
 * ids, which stay): copied as is. */
static enum redact_format entry_format(const char *path)
{
        if (strcmp(path, PROC_ENVIRON) == 0)
                return REDACT_ENVIRON;
        if (strcmp(path, PROC_MOUNTINFO) == 0)
                return REDACT_MOUNTINFO;
        if (strcmp(path, PROC_MOUNTSTATS) == 0)
                return REDACT_MOUNTSTATS;
        if (path_is_under(path, "/sys"))
                return REDACT_KEEP;
        /* Counters and histograms, nothing else (ebs_reduce_log_page). */
        if (path_is_under(path, "/.studio-probe/ebs"))
                return REDACT_KEEP;
        if (endswith(path, ".json"))
                return REDACT_JSON;
        return REDACT_TEXT;
}

static int write_entry(int dirfd, const struct bundle_entry *e, struct redactor *red)
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
                pfd = open_parent(dirfd, sysroot_relative(path), &leaf);
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
                pfd = open_parent(dirfd, sysroot_relative(path), &leaf);
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

static int redactor_scan_entry(struct redactor *red, const struct bundle_entry *e)
{
        int k = redact_path(red, e->path, NULL);

        if (k >= 0 && e->target)
                k = redact_link(red, e->path, e->target, NULL);
        if (k >= 0 && e->data)
                k = redact_data(red, entry_format(e->path), e->data, e->len, NULL, NULL);
        return k;
}

int tree_scan(struct redactor *red, const struct bundle *b, const char *facts, const char *report)
{
        int k;

        for (size_t i = 0; i < b->n; i++)
                if ((k = redactor_scan_entry(red, &b->e[i])) < 0)
                        return k;
        if ((k = redact_path(red, SNAPSHOT_FACTS, NULL)) < 0 ||
            (k = redact_data(red, REDACT_JSON, facts, strlen(facts), NULL, NULL)) < 0 ||
            (k = redact_data(red, REDACT_JSON, report, strlen(report), NULL, NULL)) < 0)
                return k;
        return 0;
}

int tree_write(int dirfd, const struct bundle *b, struct redactor *red, const char *facts,
               const char *report, size_t *ret_files, char *err, size_t errlen)
{
        _cleanup_free_ char *f = NULL, *rep = NULL;
        size_t files = 0, flen = strlen(facts), rlen = strlen(report);
        int k;

        /* Directories and files first, symlinks last: open_parent never has to
         * go through a link, and the links land in directories that exist. */
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < b->n; i++) {
                        const struct bundle_entry *e = &b->e[i];

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
