/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle/archive.h"
#include "core/child.h"
#include "core/macro.h"
#include "core/strutil.h"

bool archive_is_name(const char *dest)
{
        return endswith(dest, ".tar.gz") || endswith(dest, ".tgz");
}

const char *archive_tmpdir(void)
{
        const char *tmpdir = getenv("TMPDIR");

        return tmpdir && tmpdir[0] == '/' ? tmpdir : "/tmp";
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

        /* Its stderr is ours (tar's own messages); its stdout the archive. */
        pid = child_fork(&(struct child_setup){
                .keep = (const int[]){ outfd, STDERR_FILENO },
                .n_keep = 2,
        });
        if (pid < 0)
                return pid;
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

int archive_begin(const char *dest, struct archive_tmp *ret, char *err, size_t errlen)
{
        const char *tmpdir = archive_tmpdir();
        _cleanup_close_ int tfd = -1;
        int k;

        *ret = (struct archive_tmp){ .fd = -1 };
        ret->name = archive_dir_name(dest);
        if (!ret->name)
                return -ENOMEM;
        if (asprintf(&ret->tmp, "%s/studio-probe-collect.XXXXXX", tmpdir) < 0) {
                ret->tmp = NULL;
                return -ENOMEM;
        }
        if (!mkdtemp(ret->tmp)) { /* 0700: the tree is private until archived */
                k = negative_errno();
                format_err(err, errlen, "collect: cannot create a temporary directory in %s: %s",
                           tmpdir, strerror(-k));
                free(TAKE_PTR(ret->tmp));
                return k;
        }
        tfd = open(ret->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (tfd < 0 || mkdirat(tfd, ret->name, 0700) < 0 ||
            (ret->fd = openat(tfd, ret->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) <
                    0) {
                k = negative_errno();
                format_err(err, errlen, "collect: %s: %s", ret->tmp, strerror(-k));
                return k;
        }
        return 0;
}

int archive_finish(const struct archive_tmp *a, const char *dest, char *err, size_t errlen)
{
        _cleanup_close_ int out = -1;
        int k;

        out = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (out < 0) {
                k = negative_errno();
                format_err(err, errlen, "collect: cannot create %s: %s", dest, strerror(-k));
                return k;
        }
        k = run_tar(a->tmp, a->name, out, err, errlen);
        if (k == 0 && fsync(out) < 0)
                k = negative_errno();
        if (k == 0 && close(TAKE_FD(out)) < 0)
                k = negative_errno();
        if (k < 0) {
                if (!err[0])
                        format_err(err, errlen, "collect: cannot write %s: %s", dest, strerror(-k));
                unlink(dest);
        }
        return k;
}

void archive_done(struct archive_tmp *a)
{
        if (a->fd >= 0)
                close(a->fd);
        if (a->tmp)
                rm_rf(a->tmp);
        free(a->tmp);
        free(a->name);
        *a = (struct archive_tmp){ .fd = -1 };
}
