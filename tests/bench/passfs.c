/* SPDX-License-Identifier: MIT */
/* A pass-through FUSE file system with every kernel cache of names and
 * attributes turned off (entry_timeout=0, attr_timeout=0, negative_timeout=0):
 * each lookup and stat goes to this daemon and on to the backing directory, as
 * every stat goes to the server on NFS mounted with actimeo=0. It exists so
 * fio-compare.sh can compare the metadata figures where they are bound by the
 * storage path (a round trip per call) instead of by the CPU caches of a
 * dcache hit, which is where a tool's own overhead between calls shows
 * (README-bench.md).
 *
 * Usage: passfs BACKING_DIR MOUNTPOINT. Foreground, single-threaded; prints
 * "ready" once mounted; SIGTERM or the death of its parent unmounts. */
#define FUSE_USE_VERSION 34
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static int base = -1;

/* FUSE paths start with '/'; the backing directory's fd stands for it. */
static const char *rel(const char *path)
{
        return path[1] ? path + 1 : ".";
}

static int pf_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
        int r = fi ? fstat((int)fi->fh, st) : fstatat(base, rel(path), st, AT_SYMLINK_NOFOLLOW);
        return r < 0 ? -errno : 0;
}

static int pf_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
        int fd = openat(base, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d;
        struct dirent *de;

        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        while ((de = readdir(d)))
                if (fill(buf, de->d_name, NULL, 0, 0))
                        break;
        closedir(d);
        return 0;
}

static int pf_mkdir(const char *path, mode_t mode)
{
        return mkdirat(base, rel(path), mode) < 0 ? -errno : 0;
}

static int pf_rmdir(const char *path)
{
        return unlinkat(base, rel(path), AT_REMOVEDIR) < 0 ? -errno : 0;
}

static int pf_unlink(const char *path)
{
        return unlinkat(base, rel(path), 0) < 0 ? -errno : 0;
}

static int pf_symlink(const char *target, const char *path)
{
        return symlinkat(target, base, rel(path)) < 0 ? -errno : 0;
}

static int pf_readlink(const char *path, char *buf, size_t len)
{
        ssize_t n = readlinkat(base, rel(path), buf, len - 1);

        if (n < 0)
                return -errno;
        buf[n] = '\0';
        return 0;
}

static int pf_rename(const char *from, const char *to, unsigned int flags)
{
        return renameat2(base, rel(from), base, rel(to), flags) < 0 ? -errno : 0;
}

static int pf_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
        int r = fi ? fchmod((int)fi->fh, mode) : fchmodat(base, rel(path), mode, 0);
        return r < 0 ? -errno : 0;
}

static int pf_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
        int r;

        if (fi)
                r = ftruncate((int)fi->fh, size);
        else {
                int fd = openat(base, rel(path), O_WRONLY | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                r = ftruncate(fd, size);
                close(fd);
        }
        return r < 0 ? -errno : 0;
}

static int pf_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
        int r = fi ? futimens((int)fi->fh, tv) : utimensat(base, rel(path), tv, AT_SYMLINK_NOFOLLOW);
        return r < 0 ? -errno : 0;
}

/* O_DIRECT bypasses the kernel's cache on the FUSE side (direct_io), as it
 * bypasses an NFS client's; the backing file is opened buffered, as a server
 * keeps its own cache (and libfuse's buffers are not aligned for O_DIRECT). */
static int pf_open(const char *path, struct fuse_file_info *fi)
{
        int fd = openat(base, rel(path), (fi->flags & ~O_DIRECT) | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        fi->fh = (uint64_t)fd;
        fi->direct_io = (fi->flags & O_DIRECT) != 0;
        return 0;
}

static int pf_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
        int fd = openat(base, rel(path), (fi->flags & ~O_DIRECT) | O_CLOEXEC, mode);

        if (fd < 0)
                return -errno;
        fi->fh = (uint64_t)fd;
        fi->direct_io = (fi->flags & O_DIRECT) != 0;
        return 0;
}

static int pf_read(const char *path, char *buf, size_t len, off_t off, struct fuse_file_info *fi)
{
        ssize_t n = pread((int)fi->fh, buf, len, off);
        return n < 0 ? -errno : (int)n;
}

static int pf_write(const char *path, const char *buf, size_t len, off_t off,
                    struct fuse_file_info *fi)
{
        ssize_t n = pwrite((int)fi->fh, buf, len, off);
        return n < 0 ? -errno : (int)n;
}

static int pf_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
        int r = datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh);
        return r < 0 ? -errno : 0;
}

static int pf_release(const char *path, struct fuse_file_info *fi)
{
        close((int)fi->fh);
        return 0;
}

static int pf_statfs(const char *path, struct statvfs *sv)
{
        return fstatvfs(base, sv) < 0 ? -errno : 0;
}

static int pf_fallocate(const char *path, int mode, off_t off, off_t len,
                        struct fuse_file_info *fi)
{
        return fallocate((int)fi->fh, mode, off, len) < 0 ? -errno : 0;
}

static void *pf_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
        /* Every name and attribute is asked for again, like NFS with actimeo=0. */
        cfg->entry_timeout = 0;
        cfg->attr_timeout = 0;
        cfg->negative_timeout = 0;
        cfg->use_ino = 1;
        printf("ready\n");
        fflush(stdout);
        return NULL;
}

static const struct fuse_operations ops = {
        .init = pf_init,
        .getattr = pf_getattr,
        .readdir = pf_readdir,
        .mkdir = pf_mkdir,
        .rmdir = pf_rmdir,
        .unlink = pf_unlink,
        .symlink = pf_symlink,
        .readlink = pf_readlink,
        .rename = pf_rename,
        .chmod = pf_chmod,
        .truncate = pf_truncate,
        .utimens = pf_utimens,
        .open = pf_open,
        .create = pf_create,
        .read = pf_read,
        .write = pf_write,
        .fsync = pf_fsync,
        .release = pf_release,
        .statfs = pf_statfs,
        .fallocate = pf_fallocate,
};

int main(int argc, char **argv)
{
        char fg[] = "-f", st[] = "-s", o[] = "-o", perms[] = "default_permissions";
        char *fargs[] = { argv[0], fg, st, o, perms, NULL, NULL };

        if (argc != 3) {
                fprintf(stderr, "usage: %s BACKING_DIR MOUNTPOINT\n", argv[0]);
                return 2;
        }
        base = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (base < 0) {
                fprintf(stderr, "%s: %s: %s\n", argv[0], argv[1], strerror(errno));
                return 1;
        }
        fargs[5] = argv[2];
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        umask(0);
        return fuse_main(6, fargs, &ops, NULL);
}
