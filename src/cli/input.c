/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/input.h"
#include "core/macro.h"
#include "core/strutil.h"

static const char *file_kind(mode_t m)
{
        return S_ISDIR(m)    ? "a directory"
               : S_ISFIFO(m) ? "a FIFO"
               : S_ISCHR(m)  ? "a character device"
               : S_ISBLK(m)  ? "a block device"
               : S_ISSOCK(m) ? "a socket"
                             : "not a regular file";
}

int input_read_regular(const char *path, size_t max, char **ret, size_t *ret_len, char *err,
                       size_t errlen)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len = 0;

        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                int k = negative_errno();
                format_err(err, errlen, "%s: %s", path, strerror(-k));
                return k;
        }
        if (fstat(fd, &st) < 0) {
                int k = negative_errno();
                format_err(err, errlen, "%s: %s", path, strerror(-k));
                return k;
        }
        if (!S_ISREG(st.st_mode)) {
                format_err(err, errlen, "%s is %s, not a report file", path, file_kind(st.st_mode));
                return -EINVAL;
        }
        if (st.st_size < 0 || (uint64_t)st.st_size > max) {
                format_err(err, errlen, "%s is larger than %zu MiB: not a report", path, max >> 20);
                return -EFBIG;
        }
        buf = malloc(max + 1);
        if (!buf) {
                format_err(err, errlen, "out of memory");
                return -ENOMEM;
        }
        /* The size may change under us: read to the end, never past max. */
        for (;;) {
                ssize_t n = read(fd, buf + len, max + 1 - len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int k = negative_errno();
                        format_err(err, errlen, "%s: %s", path, strerror(-k));
                        return k;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > max) {
                        format_err(err, errlen, "%s is larger than %zu MiB: not a report", path,
                                   max >> 20);
                        return -EFBIG;
                }
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}
