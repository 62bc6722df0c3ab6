/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "output.h"

/* --output: a temporary file in the same directory, renamed over FILE when
 * complete (node_exporter's textfile-collector README: a scrape must never see
 * half a file, and rename(2) is atomic only within one file system). */
int output_open(const char *path, FILE **ret, char **ret_tmp)
{
        _cleanup_free_ char *tmp = NULL;
        mode_t mask;
        int fd;

        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* mkostemp creates 0600; the collector runs as another user. */
        mask = umask(0);
        umask(mask);
        if (fchmod(fd, 0666 & ~mask) < 0 || !(*ret = fdopen(fd, "w"))) {
                int k = -errno;
                close(fd);
                unlink(tmp);
                return k;
        }
        *ret_tmp = TAKE_PTR(tmp);
        return 0;
}

/* failed: the renderer failed, so FILE keeps its previous content. */
int output_commit(FILE *f, const char *tmp, const char *path, int failed)
{
        int k = failed < 0 ? failed : 0;

        if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0)
                k = errno ? -errno : -EIO;
        if (fclose(f) != 0 && k == 0)
                k = -errno;
        if (k == 0 && rename(tmp, path) < 0)
                k = -errno;
        if (k < 0)
                unlink(tmp);
        return k;
}
