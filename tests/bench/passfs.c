/* SPDX-License-Identifier: MIT */
/* A pass-through FUSE file system whose attributes are never cached
 * (attr_timeout=0, negative_timeout=0): each stat is a GETATTR round trip to
 * this daemon and on to the backing directory, as on NFS mounted with
 * actimeo=0. Names stay cached for a second (entry_timeout=1), as an NFS
 * client's dentries are, so a path's parent directories cost no round trip
 * and a tool that names files by absolute path (fio) and one that uses a
 * directory fd (studio-probe's create and unlink) do the same storage work.
 * No default_permissions: with it the kernel checks each directory of a path
 * against fresh attributes, a GETATTR per component (measured: a stat by
 * absolute path cost 95 µs against 50 µs by directory fd); the mount is
 * private to the user who made it, as FUSE mounts are without allow_other.
 * It exists so fio-compare.sh can compare the metadata figures where they are
 * bound by a round trip instead of by the CPU caches of a dcache hit, which is
 * where a tool's own overhead between calls shows (README-bench.md).
 *
 * PASSFS_DELAY_US=N adds N µs to every request, a network round trip: with
 * EFS's ~250 µs the scheduler's few µs of wake-up noise no longer dominate,
 * and a tool that made two requests where the other made one would show 2x.
 * PASSFS_DATA_DELAY_US=N adds N µs more to write, fsync and flush only: a
 * server that accepts a file but stalls on its data, so a test can catch a
 * writer after its file exists and before its data is through.
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
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

static int base = -1;
static struct timespec delay, data_delay;

static void sleep_for(const struct timespec *d)
{
        if (d->tv_sec || d->tv_nsec)
                while (clock_nanosleep(CLOCK_MONOTONIC, 0, d, NULL) == EINTR)
                        ;
}

static void round_trip(void)
{
        sleep_for(&delay);
}

static void data_round_trip(void)
{
        sleep_for(&delay);
        sleep_for(&data_delay);
}

/* What fi->fh points to: the backing file, and whether it was written since
 * the last flush (fi->flags is not set when flush is called). */
struct pf_file {
        int fd;
        bool dirty;
};

static struct pf_file *F(const struct fuse_file_info *fi)
{
        return (struct pf_file *)(uintptr_t)fi->fh;
}

static int attach(struct fuse_file_info *fi, int fd)
{
        struct pf_file *f;

        if (fd < 0)
                return -errno;
        f = calloc(1, sizeof(*f));
        if (!f) {
                close(fd);
                return -ENOMEM;
        }
        f->fd = fd;
        fi->fh = (uint64_t)(uintptr_t)f;
        fi->direct_io = (fi->flags & O_DIRECT) != 0;
        return 0;
}

/* FUSE paths start with '/'; the backing directory's fd stands for it. */
static const char *rel(const char *path)
{
        return path[1] ? path + 1 : ".";
}

static int pf_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
        round_trip();
        int r = fi ? fstat(F(fi)->fd, st) : fstatat(base, rel(path), st, AT_SYMLINK_NOFOLLOW);
        return r < 0 ? -errno : 0;
}

static int pf_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
        round_trip();
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
        round_trip();
        return mkdirat(base, rel(path), mode) < 0 ? -errno : 0;
}

static int pf_rmdir(const char *path)
{
        round_trip();
        return unlinkat(base, rel(path), AT_REMOVEDIR) < 0 ? -errno : 0;
}

static int pf_unlink(const char *path)
{
        round_trip();
        return unlinkat(base, rel(path), 0) < 0 ? -errno : 0;
}

static int pf_symlink(const char *target, const char *path)
{
        round_trip();
        return symlinkat(target, base, rel(path)) < 0 ? -errno : 0;
}

static int pf_readlink(const char *path, char *buf, size_t len)
{
        round_trip();
        ssize_t n = readlinkat(base, rel(path), buf, len - 1);

        if (n < 0)
                return -errno;
        buf[n] = '\0';
        return 0;
}

static int pf_rename(const char *from, const char *to, unsigned int flags)
{
        round_trip();
        return renameat2(base, rel(from), base, rel(to), flags) < 0 ? -errno : 0;
}

static int pf_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
        round_trip();
        int r = fi ? fchmod(F(fi)->fd, mode) : fchmodat(base, rel(path), mode, 0);
        return r < 0 ? -errno : 0;
}

static int pf_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
        round_trip();
        int r;

        if (fi)
                r = ftruncate(F(fi)->fd, size);
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
        round_trip();
        int r = fi ? futimens(F(fi)->fd, tv) : utimensat(base, rel(path), tv, AT_SYMLINK_NOFOLLOW);
        return r < 0 ? -errno : 0;
}

/* O_DIRECT bypasses the kernel's cache on the FUSE side (direct_io), as it
 * bypasses an NFS client's; the backing file is opened buffered, as a server
 * keeps its own cache (and libfuse's buffers are not aligned for O_DIRECT). */
static int pf_open(const char *path, struct fuse_file_info *fi)
{
        round_trip();
        return attach(fi, openat(base, rel(path), (fi->flags & ~O_DIRECT) | O_CLOEXEC));
}

static int pf_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
        round_trip();
        return attach(fi, openat(base, rel(path), (fi->flags & ~O_DIRECT) | O_CLOEXEC, mode));
}

static int pf_read(const char *path, char *buf, size_t len, off_t off, struct fuse_file_info *fi)
{
        round_trip();
        ssize_t n = pread(F(fi)->fd, buf, len, off);
        return n < 0 ? -errno : (int)n;
}

static int pf_write(const char *path, const char *buf, size_t len, off_t off,
                    struct fuse_file_info *fi)
{
        data_round_trip();
        ssize_t n = pwrite(F(fi)->fd, buf, len, off);

        if (n < 0)
                return -errno;
        F(fi)->dirty = true;
        return (int)n;
}

static int pf_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
        data_round_trip();
        int r = datasync ? fdatasync(F(fi)->fd) : fsync(F(fi)->fd);
        return r < 0 ? -errno : 0;
}

/* An NFS client writes back and commits a file's dirty data when it is closed
 * (close-to-open consistency); so does this, on every close of a writable
 * file. It matters for the figures: syncfs(2) does not reach a FUSE daemon
 * through libfuse 3.14's high-level API, and unlinking files whose data was
 * never allocated (ext4's delayed allocation) frees nothing and costs a
 * fraction of a real unlink. */
static int pf_flush(const char *path, struct fuse_file_info *fi)
{
        data_round_trip();
        if (F(fi)->dirty && fdatasync(F(fi)->fd) < 0)
                return -errno;
        F(fi)->dirty = false;
        return 0;
}

static int pf_release(const char *path, struct fuse_file_info *fi)
{
        close(F(fi)->fd);
        free(F(fi));
        return 0;
}

static int pf_statfs(const char *path, struct statvfs *sv)
{
        round_trip();
        return fstatvfs(base, sv) < 0 ? -errno : 0;
}

static int pf_fallocate(const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi)
{
        round_trip();
        return fallocate(F(fi)->fd, mode, off, len) < 0 ? -errno : 0;
}

static void *pf_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
        /* Attributes asked for every time; names kept a second (see the top). */
        cfg->entry_timeout = 30;
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
        .flush = pf_flush,
        .release = pf_release,
        .statfs = pf_statfs,
        .fallocate = pf_fallocate,
};

static int parse_delay(const char *name, struct timespec *ret)
{
        const char *v = getenv(name);
        unsigned long us;
        char *end;

        if (!v)
                return 0;
        errno = 0;
        us = strtoul(v, &end, 10);
        if (!*v || *end || errno || us > 10 * 1000 * 1000) {
                fprintf(stderr, "passfs: %s: not a number of µs up to 10 s\n", name);
                return -EINVAL;
        }
        ret->tv_sec = (time_t)(us / 1000000);
        ret->tv_nsec = (long)(us % 1000000) * 1000;
        return 0;
}

int main(int argc, char **argv)
{
        char fg[] = "-f", st[] = "-s", o[] = "-o", perms[] = "fsname=passfs,subtype=passfs";
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
        if (parse_delay("PASSFS_DELAY_US", &delay) < 0 ||
            parse_delay("PASSFS_DATA_DELAY_US", &data_delay) < 0)
                return 2;
        /* The default 50 µs timer slack would be a quarter of the delay. */
        if (delay.tv_sec || delay.tv_nsec || data_delay.tv_sec || data_delay.tv_nsec)
                prctl(PR_SET_TIMERSLACK, 1UL);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        umask(0);
        return fuse_main(6, fargs, &ops, NULL);
}
