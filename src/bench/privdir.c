/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/privdir.h"
#include "core/macro.h"

/* A directory with more leftovers than this is not swept in one run: the
 * sweep costs a readdir and a few calls per entry on the benchmarked fs. */
#define STALE_MAX 64

/* Removes what is inside dirfd, never following a symlink: entries are
 * unlinked by name relative to the directory, and subdirectories are entered
 * with O_NOFOLLOW, so nothing outside the private directory can be reached.
 * It reads dirfd itself, from its start, rather than a second descriptor: the
 * descriptor limit may leave none (ulimit -n), and nobody else reads these
 * directories. Adds the blocks of the files removed to *bytes. */
static int remove_contents(int dirfd, unsigned depth, uint64_t *bytes)
{
        _Alignas(struct dirent64) char buf[4096];
        int r = 0;

        if (depth > 4)
                return -ELOOP;
        /* Entries removed while reading may move the ones not yet read (on some
         * file systems): read again until a pass removes nothing. */
        for (int pass = 0, removed = 1; removed && pass < 8; pass++) {
                removed = 0;
                if (lseek(dirfd, 0, SEEK_SET) < 0)
                        return negative_errno();
                for (;;) {
                        ssize_t n = getdents64(dirfd, buf, sizeof(buf));

                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0)
                                return r < 0 ? r : negative_errno();
                        if (n == 0)
                                break;
                        for (ssize_t off = 0; off < n;) {
                                struct dirent64 *de = (struct dirent64 *)(void *)(buf + off);
                                struct stat st;
                                int k = 0;

                                off += de->d_reclen;
                                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                                        continue;
                                if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                                        continue;
                                if (S_ISDIR(st.st_mode)) {
                                        int sub = openat(dirfd, de->d_name,
                                                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                                                 O_CLOEXEC);
                                        if (sub >= 0) {
                                                k = remove_contents(sub, depth + 1, bytes);
                                                close(sub);
                                        }
                                        if (unlinkat(dirfd, de->d_name, AT_REMOVEDIR) < 0)
                                                k = negative_errno();
                                } else if (unlinkat(dirfd, de->d_name, 0) < 0)
                                        k = negative_errno();
                                else if (bytes && S_ISREG(st.st_mode))
                                        *bytes += (uint64_t)st.st_blocks * 512;
                                if (k == 0)
                                        removed++;
                                else if (r == 0)
                                        r = k;
                        }
                }
        }
        return r;
}

/* 0 once the directory is gone, whatever went wrong on the way (an entry
 * that failed to go first and went on the next pass must not make a
 * removed directory look left over). */
int privdir_remove(int basefd, int dirfd, const char *name)
{
        int r = remove_contents(dirfd, 0, NULL);

        if (unlinkat(basefd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
                return 0;
        return r < 0 ? r : negative_errno();
}

/* The child's own cleanup, when the parent is gone. It gave its copy of the
 * base directory's descriptor away (one descriptor fewer for the limit), so
 * it finds the directory holding its own through "..", and removes the entry
 * only if it is still the same directory. */
void privdir_remove_self(int basefd, int dirfd, const char *name)
{
        _cleanup_close_ int up = -1;
        struct stat a, b;

        if (basefd >= 0) {
                privdir_remove(basefd, dirfd, name);
                return;
        }
        remove_contents(dirfd, 0, NULL);
        up = openat(dirfd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (up >= 0 && fstat(dirfd, &a) == 0 && fstatat(up, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
            a.st_dev == b.st_dev && a.st_ino == b.st_ino)
                unlinkat(up, name, AT_REMOVEDIR);
}

static bool private_name(const char *n)
{
        size_t l = strlen(BENCH_PRIVATE_PREFIX);

        if (strncmp(n, BENCH_PRIVATE_PREFIX, l) != 0 || strlen(n + l) != BENCH_PRIVATE_RANDOM)
                return false;
        for (const char *p = n + l; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9')))
                        return false;
        return true;
}

/* One entry of the sweep: 1 removed, 0 left alone. Only a real directory
 * (never through a symlink) of our name pattern, owned by our effective uid,
 * with a marker file of ours that proves every process it names dead, and
 * whose flock(2) nobody holds. */
static int stale_one(int basefd, const char *name, const struct bench_owner *self, uint64_t *bytes)
{
        _cleanup_close_ int sfd = -1, mfd = -1;
        struct bench_owner o;
        struct stat a, b;
        char buf[512];
        uid_t uid = geteuid();
        ssize_t n;

        if (fstatat(basefd, name, &a, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(a.st_mode) ||
            a.st_uid != uid)
                return 0;
        sfd = openat(basefd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sfd < 0 || fstat(sfd, &b) < 0 || b.st_dev != a.st_dev || b.st_ino != a.st_ino ||
            b.st_uid != uid)
                return 0;
        /* O_RDWR: NFS turns flock() into a lock on the server, and an exclusive
         * one needs a descriptor open for writing. */
        mfd = openat(sfd, BENCH_MARKER, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (mfd < 0 || fstat(mfd, &b) < 0 || !S_ISREG(b.st_mode) || b.st_uid != uid ||
            b.st_size <= 0 || (uint64_t)b.st_size >= sizeof(buf))
                return 0;
        n = pread(mfd, buf, sizeof(buf) - 1, 0);
        if (n <= 0 || bench_owner_parse(buf, (size_t)n, &o) < 0 || !bench_owner_dead(&o, self))
                return 0;
        /* The kernel's word as well: a run holds the lock until its last process
         * is gone, whatever killed it. A file system without locks (ENOLCK,
         * EOPNOTSUPP) leaves the marker's word alone. */
        if (flock(mfd, LOCK_EX | LOCK_NB) < 0 && (errno == EWOULDBLOCK || errno == EINTR))
                return 0;
        if (remove_contents(sfd, 0, bytes) < 0 || unlinkat(basefd, name, AT_REMOVEDIR) < 0)
                return 0;
        return 1;
}

/* Removes the private directories that runs killed outright (SIGKILL, a
 * crash, the OOM killer) left in the base directory, when they can be proven
 * dead; the others stay, whoever they belong to. A run of another boot stays
 * too: it looks the same as a live one on another machine that shares the
 * file system (an EFS home). Best effort: a failure only means they stay. */
void privdir_sweep(int basefd, const struct bench_owner *self, const volatile sig_atomic_t *stop,
                   struct bench_measure *m)
{
        _Alignas(struct dirent64) char buf[4096];
        unsigned seen = 0;
        _cleanup_close_ int fd = -1;

        if (self->n == 0)
                return;
        /* Its own description: the sweep reads while it removes. */
        fd = openat(basefd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        for (;;) {
                ssize_t n = getdents64(fd, buf, sizeof(buf));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;
                for (ssize_t off = 0; off < n;) {
                        struct dirent64 *de = (struct dirent64 *)(void *)(buf + off);
                        uint64_t bytes = 0;

                        off += de->d_reclen;
                        if ((de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) ||
                            !private_name(de->d_name))
                                continue;
                        if (++seen > STALE_MAX || *stop)
                                return;
                        if (stale_one(basefd, de->d_name, self, &bytes) == 1) {
                                if (m->stale_removed++ == 0)
                                        snprintf(m->stale_name, sizeof(m->stale_name), "%.*s",
                                                 (int)sizeof(m->stale_name) - 1, de->d_name);
                                m->stale_bytes += bytes;
                        }
                }
        }
}
