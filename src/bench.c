/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "strutil.h"

#define SEQ_BS (UINT64_C(1) << 20)
#define RAND_BS UINT64_C(4096)
#define DATA_FILE "seq.dat"
#define MD_DIR "md"
#define PRIVATE_PREFIX "studio-probe-bench."

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC 0x858458f6
#endif

static const char *const workload_names[_BENCH_MAX] = {
        [BENCH_SEQ_WRITE] = "seq_write",   [BENCH_SEQ_READ] = "seq_read",
        [BENCH_RAND_READ] = "rand_read_4k", [BENCH_SYNC_WRITE] = "sync_write_4k",
        [BENCH_MD_CREATE] = "create",      [BENCH_MD_STAT] = "stat",
        [BENCH_MD_UNLINK] = "unlink",
};

const char *bench_workload_to_string(enum bench_workload_id w)
{
        return (unsigned)w < _BENCH_MAX ? workload_names[w] : NULL;
}

/* Shares of what is left of the budget when a workload starts: time a
 * sequential pass does not need flows on to the workloads after it. The
 * latency workloads get the most, as their tails need samples. */
static const unsigned weight[_BENCH_MAX] = {
        [BENCH_SEQ_WRITE] = 20, [BENCH_SEQ_READ] = 15, [BENCH_RAND_READ] = 25,
        [BENCH_SYNC_WRITE] = 25, [BENCH_MD_CREATE] = 8, [BENCH_MD_STAT] = 3,
        [BENCH_MD_UNLINK] = 4,
};

static uint64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

struct bench_result *bench_result_free(struct bench_result *b)
{
        if (!b)
                return NULL;
        free(b->path);
        free(b->clocksource);
        strv_free(b->assessment);
        free(b->leftover);
        free(b);
        return NULL;
}

int bench_plan_size(uint64_t requested, uint64_t free_bytes, uint64_t *ret, char *err,
                    size_t errlen)
{
        char a[32], b[32];
        uint64_t size;

        if (requested) {
                size = requested - requested % SEQ_BS;
                if (size < BENCH_MIN_SIZE)
                        size = BENCH_MIN_SIZE;
                /* Leave the user at least as much as the benchmark takes. */
                if (free_bytes != U64_UNSET && size > free_bytes / 2) {
                        snprintf(err, errlen,
                                 "--bench-size=%s is more than half of the %s free there",
                                 format_bytes(a, sizeof(a), size),
                                 format_bytes(b, sizeof(b), free_bytes));
                        return -ENOSPC;
                }
                *ret = size;
                return 0;
        }
        size = BENCH_DEFAULT_SIZE;
        if (free_bytes != U64_UNSET && free_bytes / 20 < size) {
                size = free_bytes / 20;
                size -= size % SEQ_BS;
                /* Below 16 MiB a 1 MiB sequential pass is a handful of calls. */
                if (size < 16 * SEQ_BS) {
                        snprintf(err, errlen,
                                 "only %s free there: the default test file (5%% of free space) "
                                 "would be under 16 MiB; free some space or pass "
                                 "--bench-size=SIZE",
                                 format_bytes(a, sizeof(a), free_bytes));
                        return -ENOSPC;
                }
        }
        *ret = size;
        return 0;
}

/* ---- the child: setup and workloads ---------------------------------- */

enum msg_kind {
        MSG_HELLO = 1, /* carries the two directory fds */
        MSG_UPDATE,
        MSG_DONE,
};

struct bench_msg {
        uint32_t kind;
        char name[64];
        struct bench_measure m;
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
        if (!stop_signal)
                stop_signal = sig;
}

struct ctx {
        int sock;
        int basefd, dirfd;
        char name[64];
        const char *path;         /* the resolved directory benchmarked */
        struct bench_msg msg;
        struct bench_measure *m;
        uint64_t deadline;        /* end of the workloads' share of the budget */
        uint8_t *buf;
        uint64_t rng;
        uint64_t stamp;
        struct bench_hist hist;
        bool rand_direct;         /* 4 KiB O_DIRECT reads are allowed */
        bool parent_gone;
};

/* splitmix64: offsets and buffer contents; statistical quality is plenty and
 * it costs a few ns. */
static uint64_t rnd(struct ctx *c)
{
        uint64_t z = (c->rng += UINT64_C(0x9e3779b97f4a7c15));

        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

/* Random contents once, then a fresh counter at the head of every 4 KiB block
 * of each write, as fio's scramble_buffers: nothing compresses or dedupes. */
static void stamp(struct ctx *c, size_t len)
{
        for (size_t o = 0; o + sizeof(uint64_t) <= len; o += RAND_BS) {
                uint64_t v = ++c->stamp ^ c->rng;
                memcpy(c->buf + o, &v, sizeof(v));
        }
}

static void send_msg(struct ctx *c, enum msg_kind kind)
{
        c->msg.kind = kind;
        if (c->parent_gone)
                return;
        if (send(c->sock, &c->msg, sizeof(c->msg), MSG_NOSIGNAL) < 0 && errno != EINTR)
                c->parent_gone = true;
}

static int fail(struct ctx *c, int wl, const char *call, int err)
{
        c->m->err = err;
        c->m->err_workload = wl;
        snprintf(c->m->err_call, sizeof(c->m->err_call), "%s", call);
        return err;
}

static uint64_t share(struct ctx *c, enum bench_workload_id w)
{
        uint64_t now = now_ns(), left, rest = 0;

        if (now >= c->deadline)
                return 0;
        left = c->deadline - now;
        for (int i = w; i < _BENCH_MAX; i++)
                rest += weight[i];
        return left / rest * weight[w];
}

static void begin(struct ctx *c, enum bench_workload_id w, uint64_t budget)
{
        c->m->current = w;
        c->m->w[w].ran = true;
        c->m->w[w].budget_ns = budget;
        bench_hist_init(&c->hist);
        send_msg(c, MSG_UPDATE);
}

static void finish(struct ctx *c, enum bench_workload_id w, uint64_t elapsed, bool seq)
{
        struct bench_workload *x = &c->m->w[w];

        x->elapsed_ns = elapsed;
        x->complete = !stop_signal && c->m->err == 0;
        if (elapsed > 0) {
                unsigned __int128 v = (unsigned __int128)(seq ? x->bytes : x->ops) * NSEC_PER_SEC;
                x->per_second = (uint64_t)(v / elapsed);
        }
        /* Sequential calls are timed too: their latency costs nothing to keep. */
        bench_hist_summarize(&c->hist, &x->latency);
        c->m->current = -1;
        send_msg(c, MSG_UPDATE);
}

/* A call failed mid-workload: what was measured before it is kept, marked
 * partial (finish() sees the error). */
static int fail_partial(struct ctx *c, enum bench_workload_id w, const char *call, int err,
                        uint64_t elapsed, bool seq)
{
        int k = fail(c, w, call, err);

        finish(c, w, elapsed, seq);
        return k;
}

static ssize_t pwrite_full(int fd, const uint8_t *b, size_t len, off_t off)
{
        size_t done = 0;

        while (done < len) {
                ssize_t n = pwrite(fd, b + done, len - done, off + (off_t)done);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -1;
                }
                if (n == 0) {
                        errno = ENOSPC;
                        return -1;
                }
                done += (size_t)n;
        }
        return (ssize_t)done;
}

static int open_data(struct ctx *c, int flags, bool *direct)
{
        int fd;

        if (*direct) {
                fd = openat(c->dirfd, DATA_FILE, flags | O_DIRECT | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd >= 0 || errno != EINVAL)
                        return fd;
                /* open(2): EINVAL when the file system does not support O_DIRECT. With
                 * O_CREAT the file may exist by then; it is ours, in our directory. */
                if (flags & O_CREAT)
                        unlinkat(c->dirfd, DATA_FILE, 0);
                *direct = false;
                snprintf(c->m->direct_note, sizeof(c->m->direct_note),
                         "open(O_DIRECT) refused (EINVAL)");
        }
        return openat(c->dirfd, DATA_FILE, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
}

static void probe_dio_align(struct ctx *c, int fd, bool *direct)
{
#ifdef STATX_DIOALIGN
        struct statx stx;

        if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
            (stx.stx_mask & STATX_DIOALIGN)) {
                c->m->dio_align_known = true;
                c->m->dio_mem_align = stx.stx_dio_mem_align;
                c->m->dio_offset_align = stx.stx_dio_offset_align;
                /* statx(2): both 0 means direct I/O is not supported on this file. */
                if (stx.stx_dio_offset_align == 0 && *direct) {
                        if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_DIRECT) == 0) {
                                *direct = false;
                                snprintf(c->m->direct_note, sizeof(c->m->direct_note),
                                         "statx: no direct I/O on this file system");
                        }
                }
        }
#endif
        /* Without STATX_DIOALIGN (before Linux 6.1) 4096 is the usual logical block size. */
        c->rand_direct = *direct && (!c->m->dio_align_known || c->m->dio_offset_align <= RAND_BS) &&
                         (!c->m->dio_align_known || c->m->dio_mem_align <= RAND_BS);
}

static int seq_write(struct ctx *c, bool *direct)
{
        enum bench_workload_id w = BENCH_SEQ_WRITE;
        struct bench_workload *x = &c->m->w[w];
        uint64_t budget = share(c, w), t0, end, size = c->m->file_size_bytes;
        int fd;

        begin(c, w, budget);
        fd = open_data(c, O_WRONLY | O_CREAT | O_EXCL, direct);
        if (fd < 0)
                return fail(c, w, "openat", negative_errno());
        probe_dio_align(c, fd, direct);
        x->direct = *direct;
        end = now_ns() + budget;
        t0 = now_ns();
        for (uint64_t off = 0; off < size; off += SEQ_BS) {
                size_t len = (size_t)(size - off < SEQ_BS ? size - off : SEQ_BS);
                uint64_t t1, t2;

                if (stop_signal || (x->ops > 0 && now_ns() >= end))
                        break;
                stamp(c, len);
                t1 = now_ns();
                if (pwrite_full(fd, c->buf, len, (off_t)off) < 0) {
                        if (errno == EINVAL && *direct && x->ops == 0) {
                                /* First I/O refused: fio's "may not support direct IO". */
                                if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_DIRECT) == 0) {
                                        *direct = x->direct = c->rand_direct = false;
                                        snprintf(c->m->direct_note, sizeof(c->m->direct_note),
                                                 "pwrite(O_DIRECT) refused (EINVAL)");
                                        off -= SEQ_BS;
                                        continue;
                                }
                        }
                        int k = fail_partial(c, w, "pwrite", negative_errno(), now_ns() - t0, true);
                        close(fd);
                        return k;
                }
                t2 = now_ns();
                bench_hist_add(&c->hist, t2 - t1);
                x->ops++;
                x->bytes += len;
                c->m->file_written_bytes = x->bytes;
        }
        /* fio end_fsync=1: the flush is part of the write's wall time. */
        if (fdatasync(fd) < 0) {
                int k = fail_partial(c, w, "fdatasync", negative_errno(), now_ns() - t0, true);
                close(fd);
                return k;
        }
        finish(c, w, now_ns() - t0, true);
        if (close(fd) < 0)
                return fail(c, w, "close", negative_errno());
        return 0;
}

static int seq_read(struct ctx *c, bool direct)
{
        enum bench_workload_id w = BENCH_SEQ_READ;
        struct bench_workload *x = &c->m->w[w];
        uint64_t budget = share(c, w), t0, end, size = c->m->file_written_bytes;
        _cleanup_close_ int fd = -1;

        begin(c, w, budget);
        x->direct = direct;
        fd = open_data(c, O_RDONLY, &direct);
        if (fd < 0)
                return fail(c, w, "openat", negative_errno());
        /* What was just written is in the page cache unless it bypassed it; fio's
         * invalidate=1 does the same before a buffered job. */
        if (!direct)
                posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        end = now_ns() + budget;
        t0 = now_ns();
        for (uint64_t off = 0; off < size; off += SEQ_BS) {
                size_t len = (size_t)(size - off < SEQ_BS ? size - off : SEQ_BS);
                uint64_t t1;
                ssize_t n;

                if (stop_signal || (x->ops > 0 && now_ns() >= end))
                        break;
                t1 = now_ns();
                n = pread(fd, c->buf, len, (off_t)off);
                if (n < 0) {
                        if (errno == EINTR) {
                                off -= SEQ_BS;
                                continue;
                        }
                        return fail_partial(c, w, "pread", negative_errno(), now_ns() - t0, true);
                }
                bench_hist_add(&c->hist, now_ns() - t1);
                x->ops++;
                x->bytes += (uint64_t)n;
                if ((size_t)n < len)
                        break;
        }
        finish(c, w, now_ns() - t0, true);
        return 0;
}

/* QD1 4 KiB ops at uniform random aligned offsets (fio --norandommap), the
 * first share/20 of the time discarded as warm-up (fio ramp_time, ioping -a). */
static int rand_4k(struct ctx *c, enum bench_workload_id w, bool write)
{
        struct bench_workload *x = &c->m->w[w];
        uint64_t budget = share(c, w), nblocks = c->m->file_written_bytes / RAND_BS;
        uint64_t start, warm_end, end, t0 = 0, last = 0;
        bool direct = write ? false : c->rand_direct;
        _cleanup_close_ int fd = -1;

        begin(c, w, budget);
        x->direct = direct;
        /* O_DSYNC without O_DIRECT: each write returns once data and the metadata
         * needed to read it are durable, which is what git, pip and SQLite wait for. */
        fd = open_data(c, write ? O_WRONLY | O_DSYNC : O_RDONLY, &direct);
        if (fd < 0)
                return fail(c, w, "openat", negative_errno());
        if (nblocks == 0)
                return fail(c, w, "pread", -ENODATA);
        start = now_ns();
        warm_end = start + budget / 20;
        end = start + budget;
        for (bool warm = true;;) {
                off_t off = (off_t)((rnd(c) % nblocks) * RAND_BS);
                uint64_t t1, t2;
                ssize_t n;

                if (stop_signal)
                        break;
                if (!direct && !write)
                        /* ioping's way without O_DIRECT: evict the block, outside the timing. */
                        posix_fadvise(fd, off, (off_t)RAND_BS, POSIX_FADV_DONTNEED);
                if (write)
                        stamp(c, RAND_BS);
                t1 = now_ns();
                n = write ? pwrite(fd, c->buf, RAND_BS, off) : pread(fd, c->buf, RAND_BS, off);
                t2 = now_ns();
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return fail_partial(c, w, write ? "pwrite" : "pread", negative_errno(),
                                            last > t0 ? last - t0 : 0, false);
                }
                if (warm) {
                        x->warmup_ops++;
                        if (t2 >= warm_end) {
                                warm = false;
                                t0 = t2;
                        }
                        continue;
                }
                bench_hist_add(&c->hist, t2 - t1);
                x->ops++;
                x->bytes += (uint64_t)n;
                last = t2;
                if (t2 >= end)
                        break;
        }
        finish(c, w, last > t0 ? last - t0 : 0, false);
        return 0;
}

/* The stat pass names each file by its absolute path, as fio's filestat does
 * (bench-method.md §1.6d) and as Python's import system does: the walk from /
 * is part of what a stat costs them, and on NFS a directory on the way is
 * revalidated with the server once its attributes expire. On a warm dcache the
 * walk adds 0.4 µs to a 2.1 µs fstatat() (README-bench.md). lstat() only reads,
 * so a component swapped for a symlink cannot make it touch anything; create
 * and unlink stay on the directory fd. Returns the prefix length in buf, or 0
 * when the path is too long (then fstatat() on the directory fd is used). */
static size_t md_path_prefix(const struct ctx *c, char *buf, size_t len)
{
        int n = snprintf(buf, len, "%s%s%s/" MD_DIR "/", c->path,
                         c->path[0] && c->path[strlen(c->path) - 1] == '/' ? "" : "/", c->name);

        return c->path[0] == '/' && n > 0 && (size_t)n + 24 < len ? (size_t)n : 0;
}

static int metadata(struct ctx *c)
{
        _cleanup_close_ int mdfd = -1;
        char name[32], full[PATH_MAX];
        size_t prefix = md_path_prefix(c, full, sizeof(full));
        uint64_t files = 0;
        int k = 0;

        if (mkdirat(c->dirfd, MD_DIR, 0700) < 0)
                return fail(c, BENCH_MD_CREATE, "mkdirat", negative_errno());
        mdfd = openat(c->dirfd, MD_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (mdfd < 0)
                return fail(c, BENCH_MD_CREATE, "openat", negative_errno());

        for (int w = BENCH_MD_CREATE; w <= BENCH_MD_UNLINK && k == 0; w++) {
                struct bench_workload *x = &c->m->w[w];
                uint64_t budget = share(c, w), t0, end;
                uint64_t limit = w == BENCH_MD_CREATE ? BENCH_MD_MAX_FILES : files;

                begin(c, w, budget);
                t0 = now_ns();
                end = t0 + budget;
                for (uint64_t i = 0; i < limit; i++) {
                        uint64_t t1, t2;
                        int r, e = 0;

                        /* Every created file is unlinked: that is also the cleanup. */
                        if (w != BENCH_MD_UNLINK && (stop_signal || (i > 0 && now_ns() >= end)))
                                break;
                        snprintf(name, sizeof(name), "f.%" PRIu64, i);
                        if (w == BENCH_MD_STAT && prefix)
                                memcpy(full + prefix, name, strlen(name) + 1);
                        t1 = now_ns();
                        if (w == BENCH_MD_CREATE)
                                /* fio filecreate: open(O_CREAT) timed, close not. */
                                r = openat(mdfd, name,
                                           O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                           0600);
                        else if (w == BENCH_MD_STAT) {
                                struct stat st;
                                r = prefix ? lstat(full, &st)
                                           : fstatat(mdfd, name, &st, AT_SYMLINK_NOFOLLOW);
                        } else
                                r = unlinkat(mdfd, name, 0);
                        t2 = now_ns();
                        if (r < 0)
                                e = negative_errno();
                        if (w == BENCH_MD_CREATE && r >= 0) {
                                /* Untimed, as fio's filestat/filedelete setup: small files
                                 * with data, so unlink frees blocks as a real one does. */
                                if (pwrite(r, c->buf, RAND_BS, 0) < 0 && e == 0)
                                        e = negative_errno();
                                close(r);
                                files++;
                                c->m->md_files = files;
                        }
                        if (e < 0) {
                                k = fail(c, w, w == BENCH_MD_CREATE ? (r >= 0 ? "pwrite" : "openat")
                                               : w == BENCH_MD_STAT ? (prefix ? "lstat" : "fstatat")
                                                                    : "unlinkat",
                                         e);
                                break;
                        }
                        /* The first call of each kind pays for cold caches and lookups. */
                        if (i == 0 && limit > 1) {
                                x->warmup_ops++;
                                continue;
                        }
                        bench_hist_add(&c->hist, t2 - t1);
                        x->ops++;
                }
                finish(c, w, now_ns() - t0, false);
                /* Untimed: with delayed allocation, unlinking never-flushed files frees
                 * no blocks and measures nothing real (fio's delete runs on files its
                 * setup wrote and fsynced). */
                if (w == BENCH_MD_CREATE && k == 0)
                        syncfs(mdfd);
        }
        if (k == 0 && unlinkat(c->dirfd, MD_DIR, AT_REMOVEDIR) < 0)
                return fail(c, BENCH_MD_UNLINK, "unlinkat", negative_errno());
        return k;
}

/* Removes what is inside dirfd, never following a symlink: entries are
 * unlinked by name relative to the directory, and subdirectories are entered
 * with O_NOFOLLOW, so nothing outside the private directory can be reached. */
static int remove_contents(int dirfd, unsigned depth)
{
        DIR *d;
        struct dirent *de;
        int fd, r = 0;

        if (depth > 4)
                return -ELOOP;
        /* A new open file description: readdir must not move dirfd's offset. */
        fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d) {
                r = negative_errno();
                close(fd);
                return r;
        }
        while ((errno = 0, de = readdir(d))) {
                struct stat st;

                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        int sub = openat(dirfd, de->d_name,
                                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0) {
                                int k = remove_contents(sub, depth + 1);
                                if (k < 0 && r == 0)
                                        r = k;
                                close(sub);
                        }
                        if (unlinkat(dirfd, de->d_name, AT_REMOVEDIR) < 0 && r == 0)
                                r = negative_errno();
                } else if (unlinkat(dirfd, de->d_name, 0) < 0 && r == 0)
                        r = negative_errno();
        }
        closedir(d);
        return r;
}

static int remove_private(int basefd, int dirfd, const char *name)
{
        int r = remove_contents(dirfd, 0);

        if (unlinkat(basefd, name, AT_REMOVEDIR) < 0 && r == 0)
                r = negative_errno();
        return r;
}

static int make_private_dir(struct ctx *c, const char *path)
{
        static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

        c->basefd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c->basefd < 0)
                return fail(c, -1, "open", negative_errno());
        /* mkdtemp(3)'s algorithm, relative to the directory's fd so the path is
         * resolved once: a random name, mode 0700, retried on EEXIST. */
        for (int attempt = 0; attempt < 100; attempt++) {
                size_t l = strlen(PRIVATE_PREFIX);

                memcpy(c->name, PRIVATE_PREFIX, l);
                for (size_t i = 0; i < 12; i++)
                        c->name[l + i] = chars[rnd(c) % (sizeof(chars) - 1)];
                c->name[l + 12] = '\0';
                if (mkdirat(c->basefd, c->name, 0700) == 0)
                        break;
                if (errno != EEXIST)
                        return fail(c, -1, "mkdirat", negative_errno());
                c->name[0] = '\0';
        }
        if (!c->name[0])
                return fail(c, -1, "mkdirat", -EEXIST);
        c->dirfd = openat(c->basefd, c->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (c->dirfd < 0) {
                int k = negative_errno();
                unlinkat(c->basefd, c->name, AT_REMOVEDIR);
                c->name[0] = '\0';
                return fail(c, -1, "openat", k);
        }
        return 0;
}

static void send_hello(struct ctx *c)
{
        int fds[2] = { c->basefd, c->dirfd };
        union {
                char buf[CMSG_SPACE(sizeof(fds))];
                struct cmsghdr align;
        } u;
        struct iovec iov = { &c->msg, sizeof(c->msg) };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = u.buf,
                .msg_controllen = sizeof(u.buf),
        };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(fds));
        memcpy(CMSG_DATA(cm), fds, sizeof(fds));
        c->msg.kind = MSG_HELLO;
        snprintf(c->msg.name, sizeof(c->msg.name), "%s", c->name);
        if (sendmsg(c->sock, &mh, MSG_NOSIGNAL) < 0)
                c->parent_gone = true;
}

static _Noreturn void child_main(int sock, const char *path, struct bench_measure *init,
                                 pid_t parent)
{
        struct ctx *c;
        bool direct;
        int nul;

        /* A child stuck in the kernel must hold neither the terminal nor the pipe
         * a shell reads our output from. */
        nul = open("/dev/null", O_RDWR | O_CLOEXEC);
        for (int fd = 0; fd <= 2; fd++) {
                if (nul >= 0)
                        dup2(nul, fd);
                else
                        close(fd);
        }
        /* Parent killed outright: stop, and clean up ourselves (below). */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
                stop_signal = SIGTERM;

        c = calloc(1, sizeof(*c));
        if (!c || posix_memalign((void **)&c->buf, 4096, SEQ_BS) != 0)
                _exit(1);
        c->sock = sock;
        c->path = path;
        c->basefd = c->dirfd = -1;
        c->m = &c->msg.m;
        *c->m = *init;
        if (getrandom(&c->rng, sizeof(c->rng), 0) != sizeof(c->rng))
                c->rng = now_ns() ^ (uint64_t)getpid();
        /* Incompressible contents: random bytes, not zeros. */
        for (size_t i = 0; i < SEQ_BS; i += sizeof(uint64_t)) {
                uint64_t v = rnd(c);
                memcpy(c->buf + i, &v, sizeof(v));
        }

        c->deadline = now_ns() + c->m->workload_budget_ns;
        if (make_private_dir(c, path) < 0) {
                send_msg(c, MSG_DONE);
                _exit(0);
        }
        send_hello(c);
        {
                struct statfs sf;
                if (fstatfs(c->dirfd, &sf) == 0)
                        c->m->fs_magic = (uint64_t)(unsigned long)sf.f_type;
        }
        /* tmpfs and ramfs are memory: O_DIRECT there (accepted since Linux 6.6) would
         * still measure RAM, and older kernels refuse it. */
        direct = c->m->fs_magic != TMPFS_MAGIC && c->m->fs_magic != RAMFS_MAGIC;
        if (!direct)
                snprintf(c->m->direct_note, sizeof(c->m->direct_note),
                         "tmpfs/ramfs: memory, buffered I/O used");

        if (seq_write(c, &direct) == 0 && !stop_signal && seq_read(c, direct) == 0 &&
            !stop_signal && rand_4k(c, BENCH_RAND_READ, false) == 0 && !stop_signal &&
            rand_4k(c, BENCH_SYNC_WRITE, true) == 0 && !stop_signal)
                metadata(c);
        c->m->direct_io = c->m->w[BENCH_SEQ_WRITE].direct && c->m->w[BENCH_SEQ_READ].direct &&
                          c->m->w[BENCH_RAND_READ].direct;
        c->m->interrupted = stop_signal != 0;
        c->m->current = -1;
        send_msg(c, MSG_DONE);
        /* Nobody is left to clean up after us. */
        if (c->parent_gone || getppid() != parent)
                remove_private(c->basefd, c->dirfd, c->name);
        _exit(0);
}

/* ---- the parent ------------------------------------------------------ */

static int parent_stop_signal;

int bench_stop_signal(void)
{
        return parent_stop_signal;
}

/* The removal runs in a worker of its own, bounded like every other call on
 * the inspected file system: a server that stopped answering must not hang us
 * here either. Returns 0, -errno, or -ETIMEDOUT. */
static int cleanup_bounded(int basefd, int dirfd, const char *name, uint64_t timeout_ns)
{
        int p[2], r = -ETIMEDOUT, got = 0;
        uint64_t deadline = now_ns() + timeout_ns;
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return remove_private(basefd, dirfd, name);
        pid = fork();
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return remove_private(basefd, dirfd, name);
        }
        if (pid == 0) {
                int k, nul = open("/dev/null", O_RDWR | O_CLOEXEC);
                for (int fd = 0; fd <= 2 && nul >= 0; fd++)
                        dup2(nul, fd);
                for (int s = 1; s < NSIG; s++)
                        signal(s, SIG_DFL);
                k = remove_private(basefd, dirfd, name);
                if (write(p[1], &k, sizeof(k)) != sizeof(k))
                        _exit(1);
                _exit(0);
        }
        close(p[1]);
        for (;;) {
                struct pollfd pfd = { p[0], POLLIN, 0 };
                uint64_t now = now_ns();
                int k;

                if (now >= deadline)
                        break;
                k = poll(&pfd, 1, (int)((deadline - now) / NSEC_PER_MSEC + 1));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k > 0 && read(p[0], &got, sizeof(got)) == sizeof(got))
                        r = got;
                else if (k > 0)
                        r = -ECHILD;
                break;
        }
        close(p[0]);
        if (r == -ETIMEDOUT)
                kill(pid, SIGKILL);
        else
                waitpid(pid, NULL, 0);
        return r;
}

static void progress_line(const struct bench_measure *m, uint64_t start, uint64_t budget)
{
        uint64_t el = now_ns() - start;
        const char *w = m->current >= 0 ? bench_workload_to_string(m->current) : "setup";

        if (m->current >= BENCH_MD_CREATE)
                w = "metadata";
        fprintf(stderr, "\r\033[Kbenchmark: %-13s %4.1f s elapsed, %4.1f s left", w,
                (double)el / 1e9, el >= budget ? 0.0 : (double)(budget - el) / 1e9);
        fflush(stderr);
}

static char *read_clocksource(void)
{
        char buf[64] = "";
        FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "re");

        if (!f)
                return NULL;
        if (!fgets(buf, sizeof(buf), f))
                buf[0] = '\0';
        fclose(f);
        strip(buf);
        return *buf ? strdup(buf) : NULL;
}

int bench_run(const struct bench_params *p, struct bench_result **ret, char *err, size_t errlen)
{
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
        struct sigaction sa = { .sa_handler = on_stop }, old[ARRAY_SIZE(sigs)];
        struct bench_result *b;
        struct bench_measure init = { 0 };
        sigset_t block, oldmask;
        uint64_t size, start, deadline, stop_deadline = 0, next_progress;
        int sv[2], basefd = -1, dirfd = -1, k;
        bool have_done = false, eof = false;
        char name[64] = "";
        pid_t pid;

        k = bench_plan_size(p->size_bytes, p->free_bytes, &size, err, errlen);
        if (k < 0)
                return k;
        b = calloc(1, sizeof(*b));
        if (!b || !(b->path = strdup(p->path))) {
                bench_result_free(b);
                return -ENOMEM;
        }
        b->clocksource = read_clocksource();

        init.err_workload = -1;
        init.current = -1;
        init.fs_magic = U64_UNSET;
        init.file_size_bytes = size;
        init.budget_ns = p->budget_ns;
        /* Setup, the probe before and the cleanup after come out of the same
         * budget: the whole command stays within --bench-time. */
        init.workload_budget_ns = p->budget_ns - (p->budget_ns / 10 < 500 * NSEC_PER_MSEC
                                                          ? p->budget_ns / 10
                                                          : 500 * NSEC_PER_MSEC);
        b->m = init;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                snprintf(err, errlen, "socketpair: %s", strerror(errno));
                bench_result_free(b);
                return -errno;
        }
        parent_stop_signal = 0;
        stop_signal = 0;
        sigemptyset(&block);
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
                sigaddset(&block, sigs[i]);
        /* Blocked except inside ppoll(): a signal cannot slip in between the
         * flag check and the wait. */
        sigprocmask(SIG_BLOCK, &block, &oldmask);
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
                sigaction(sigs[i], &sa, &old[i]);

        fflush(stdout);
        fflush(stderr);
        start = now_ns();
        pid = fork();
        if (pid < 0) {
                k = negative_errno();
                snprintf(err, errlen, "fork: %s", strerror(-k));
                close(sv[0]);
                close(sv[1]);
                goto restore;
        }
        if (pid == 0) {
                close(sv[0]);
                signal(SIGPIPE, SIG_IGN);
                sigprocmask(SIG_SETMASK, &oldmask, NULL);
                child_main(sv[1], p->path, &init, getppid());
        }
        close(sv[1]);

        deadline = start + p->budget_ns + p->grace_ns;
        next_progress = start;
        for (;;) {
                struct bench_msg msg;
                union {
                        char buf[CMSG_SPACE(2 * sizeof(int))];
                        struct cmsghdr align;
                } u;
                struct iovec iov = { &msg, sizeof(msg) };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                                     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
                struct pollfd pfd = { sv[0], POLLIN, 0 };
                uint64_t now = now_ns(), until = stop_deadline ? stop_deadline : deadline;
                struct timespec ts;
                ssize_t n;

                if (stop_signal && !parent_stop_signal) {
                        parent_stop_signal = stop_signal;
                        /* The child has its own handler: it ends the workload it is in
                         * and reports what it measured. */
                        kill(pid, SIGTERM);
                        stop_deadline = now + (p->grace_ns < 2 * NSEC_PER_SEC ? p->grace_ns
                                                                              : 2 * NSEC_PER_SEC);
                        continue;
                }
                if (eof)
                        break;
                if (now >= until) {
                        if (!stop_deadline)
                                b->m.timed_out = true;
                        break;
                }
                if (p->progress && now >= next_progress) {
                        progress_line(&b->m, start, p->budget_ns);
                        next_progress = now + 200 * NSEC_PER_MSEC;
                }
                if (p->progress && next_progress < until)
                        until = next_progress;
                ts.tv_sec = (time_t)((until - now) / NSEC_PER_SEC);
                ts.tv_nsec = (long)((until - now) % NSEC_PER_SEC);
                k = ppoll(&pfd, 1, &ts, &oldmask);
                if (k <= 0)
                        continue;
                n = recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        eof = true;
                        continue;
                }
                for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
                        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
                            cm->cmsg_len == CMSG_LEN(2 * sizeof(int)) && basefd < 0) {
                                int fds[2];
                                memcpy(fds, CMSG_DATA(cm), sizeof(fds));
                                basefd = fds[0];
                                dirfd = fds[1];
                        }
                }
                if ((size_t)n != sizeof(msg))
                        continue;
                if (msg.kind == MSG_HELLO) {
                        memcpy(name, msg.name, sizeof(name));
                        name[sizeof(name) - 1] = '\0';
                } else
                        b->m = msg.m;
                if (msg.kind == MSG_DONE)
                        have_done = true;
        }
        close(sv[0]);
        if (p->progress) {
                fputs("\r\033[K", stderr);
                fflush(stderr);
        }
        if (!have_done) {
                /* Stuck in the kernel, or ignoring us: what it sent so far stands. */
                kill(pid, SIGKILL);
                if (!b->m.timed_out && !parent_stop_signal)
                        b->m.timed_out = true;
                if (parent_stop_signal)
                        b->m.interrupted = true;
                b->m.current = -1;
                waitpid(pid, NULL, WNOHANG);
        } else
                waitpid(pid, NULL, 0);
        if (parent_stop_signal)
                b->m.interrupted = true;

        if (basefd >= 0 && name[0]) {
                k = cleanup_bounded(basefd, dirfd, name, p->grace_ns);
                if (k < 0) {
                        if (asprintf(&b->leftover, "%s/%s", p->path, name) < 0)
                                b->leftover = NULL;
                }
        }
        if (basefd >= 0)
                close(basefd);
        if (dirfd >= 0)
                close(dirfd);
        b->m.budget_ns = p->budget_ns;
        b->m.elapsed_ns = now_ns() - start;
        *ret = b;
        b = NULL;
        k = 0;
restore:
        /* Unblock first, while on_stop still catches: a second Ctrl-C during the
         * cleanup must not kill us before the partial results are printed. */
        sigprocmask(SIG_SETMASK, &oldmask, NULL);
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
                sigaction(sigs[i], &old[i], NULL);
        bench_result_free(b);
        return k;
}
