/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "bench/owner.h"
#include "bench/plan.h"
#include "bench/privdir.h"
#include "bench/stats.h"
#include "bench/workloads.h"
#include "core/strutil.h"

#define RAND_BS UINT64_C(4096)
#define DATA_FILE "seq.dat"
#define MD_DIR "md"
/* Live samples for the progress line: a few a second. */
#define SAMPLE_EVERY_NS (200 * NSEC_PER_MSEC)
/* Buffered writes are flushed as they go, so that the final flush, past the
 * deadline, has little left to write: first after this much. */
#define FLUSH_FIRST (8 * BENCH_SEQ_BS)

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC 0x858458f6
#endif

/* Shares of what is left of the budget when a workload starts: time a
 * sequential pass does not need flows on to the workloads after it. The
 * latency workloads get the most, as their tails need samples. */
static const unsigned weight[_BENCH_MAX] = {
        [BENCH_SEQ_WRITE] = 20,  [BENCH_SEQ_READ] = 15, [BENCH_RAND_READ] = 25,
        [BENCH_SYNC_WRITE] = 25, [BENCH_MD_CREATE] = 8, [BENCH_MD_STAT] = 3,
        [BENCH_MD_UNLINK] = 4,
};

struct ctx {
        int sock;
        const volatile sig_atomic_t *stop; /* the signal that asked to stop, 0 none */
        int basefd, dirfd, markerfd;
        char name[64];
        const char *path; /* the resolved directory benchmarked */
        struct bench_msg msg;
        struct bench_measure *m;
        uint64_t deadline;    /* end of the workloads' share of the budget */
        uint64_t next_sample; /* the next live sample is due, 0: none are sent */
        uint8_t *buf;
        uint64_t rng;
        uint64_t stamp;
        struct bench_hist hist;
        bool rand_direct; /* 4 KiB O_DIRECT reads are allowed */
        bool parent_gone;
        /* What each metadata file is, from its create: the stat pass goes by
         * absolute path and checks that the path still leads to it. */
        dev_t md_dev;
        ino_t md_ino[BENCH_MD_MAX_FILES];
        uint64_t md_unlink_ns; /* one unlink of a synced small file, measured before */
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

static void send_msg(struct ctx *c, enum bench_msg_kind kind)
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

/* Every workload's part of the wall time runs from its start to the next
 * one's (open, warm-up, flush and untimed work included), so that the parts,
 * the setup before and the cleanup after add up to the run. next -1: the end
 * of the workloads. */
static void mark(struct ctx *c, int next)
{
        uint64_t now = now_ns();

        if (c->msg.phase >= 0) {
                c->m->w[c->msg.phase].spent_ns += now - c->msg.mark_ns;
                if (next < 0)
                        c->msg.end_ns = now;
        } else if (next >= 0)
                c->msg.first_ns = now;
        c->msg.phase = next;
        c->msg.mark_ns = now;
}

/* A live sample of the measured part so far, between two timed calls: never
 * waited for (a supervisor slow to read loses samples, the workload no time),
 * and none at all without a progress line to show them. */
static inline void sample(struct ctx *c, const struct bench_workload *x, uint64_t t0, uint64_t now)
{
        if (!c->next_sample || now < c->next_sample || c->parent_gone)
                return;
        c->next_sample = now + SAMPLE_EVERY_NS;
        c->msg.kind = BENCH_MSG_PROGRESS;
        c->msg.live_ops = x->ops;
        c->msg.live_bytes = x->bytes;
        c->msg.live_ns = now - t0;
        (void)send(c->sock, &c->msg, sizeof(c->msg), MSG_NOSIGNAL | MSG_DONTWAIT);
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
        mark(c, w);
        c->msg.current = w;
        c->msg.live_ops = c->msg.live_bytes = c->msg.live_ns = 0;
        c->m->w[w].ran = true;
        c->m->w[w].budget_ns = budget;
        bench_hist_init(&c->hist);
        send_msg(c, BENCH_MSG_UPDATE);
}

static void finish(struct ctx *c, enum bench_workload_id w, uint64_t elapsed, bool seq)
{
        struct bench_workload *x = &c->m->w[w];

        x->elapsed_ns = elapsed;
        x->complete = !*c->stop && c->m->err == 0;
        if (elapsed > 0) {
                unsigned __int128 v = (unsigned __int128)(seq ? x->bytes : x->ops) * NSEC_PER_SEC;
                x->per_second = (uint64_t)(v / elapsed);
        }
        /* Sequential calls are timed too: their latency costs nothing to keep. */
        bench_hist_summarize(&c->hist, &x->latency);
        c->msg.current = -1;
        send_msg(c, BENCH_MSG_UPDATE);
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

/* Buffered writes go to the page cache, which can hold gigabytes, and the
 * closing fdatasync (fio end_fsync) writes them all out, deadline or not: a
 * flush as the writes go, sized to take a small part of the share, keeps the
 * last one short. The figure stays what fio's is: bytes made durable over the
 * wall time, every flush included. */
static int flush_part(int fd, uint64_t budget, uint64_t *every)
{
        uint64_t t = now_ns();

        if (fdatasync(fd) < 0)
                return negative_errno();
        t = now_ns() - t;
        if (t > budget / 16 && *every > BENCH_SEQ_BS)
                *every /= 2;
        else if (t < budget / 64 && *every < (UINT64_C(1) << 40))
                *every *= 2;
        return 0;
}

static int seq_write(struct ctx *c, bool *direct)
{
        enum bench_workload_id w = BENCH_SEQ_WRITE;
        struct bench_workload *x = &c->m->w[w];
        uint64_t budget = share(c, w), t0, end, size = c->m->file_size_bytes;
        uint64_t flushed = 0, flush_every = FLUSH_FIRST;
        int fd;

        begin(c, w, budget);
        fd = open_data(c, O_WRONLY | O_CREAT | O_EXCL, direct);
        if (fd < 0)
                return fail(c, w, "openat", negative_errno());
        probe_dio_align(c, fd, direct);
        x->direct = *direct;
        end = now_ns() + budget;
        t0 = now_ns();
        for (uint64_t off = 0; off < size; off += BENCH_SEQ_BS) {
                size_t len = (size_t)(size - off < BENCH_SEQ_BS ? size - off : BENCH_SEQ_BS);
                uint64_t t1, t2;

                if (*c->stop || (x->ops > 0 && now_ns() >= end))
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
                                        off -= BENCH_SEQ_BS;
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
                if (!*direct && x->bytes - flushed >= flush_every) {
                        int k = flush_part(fd, budget, &flush_every);
                        if (k < 0) {
                                k = fail_partial(c, w, "fdatasync", k, now_ns() - t0, true);
                                close(fd);
                                return k;
                        }
                        flushed = x->bytes;
                        t2 = now_ns();
                }
                sample(c, x, t0, t2);
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
        for (uint64_t off = 0; off < size; off += BENCH_SEQ_BS) {
                size_t len = (size_t)(size - off < BENCH_SEQ_BS ? size - off : BENCH_SEQ_BS);
                uint64_t t1, t2;
                ssize_t n;

                if (*c->stop || (x->ops > 0 && now_ns() >= end))
                        break;
                t1 = now_ns();
                n = pread(fd, c->buf, len, (off_t)off);
                t2 = now_ns();
                if (n < 0) {
                        if (errno == EINTR) {
                                off -= BENCH_SEQ_BS;
                                continue;
                        }
                        return fail_partial(c, w, "pread", negative_errno(), now_ns() - t0, true);
                }
                bench_hist_add(&c->hist, t2 - t1);
                x->ops++;
                x->bytes += (uint64_t)n;
                sample(c, x, t0, t2);
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

                if (*c->stop)
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
                sample(c, x, t0, t2);
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

/* What the unlink pass will need for files files: as long as the create pass
 * took, or files times the unlink measured before it, whichever is more. */
static uint64_t md_unlink_need(const struct ctx *c, uint64_t files)
{
        uint64_t by_create = c->m->w[BENCH_MD_CREATE].elapsed_ns;
        uint64_t by_unlink = files * c->md_unlink_ns;

        return by_unlink > by_create ? by_unlink : by_create;
}

/* Every file created is unlinked, never cut short (it is the cleanup too):
 * create and stat leave room for the unlink pass. */
static uint64_t md_share(struct ctx *c, enum bench_workload_id w)
{
        uint64_t s = share(c, w), now = now_ns(), need = md_unlink_need(c, c->m->md_files);
        uint64_t left = c->deadline > now ? c->deadline - now : 0;

        if (w == BENCH_MD_CREATE)
                return s / weight[w] * (weight[w] + weight[BENCH_MD_UNLINK]) / 2;
        if (w == BENCH_MD_STAT)
                return left > need ? (s < left - need ? s : left - need) : 0;
        return s;
}

/* One unlink of a small file whose data is on disk, as the unlink pass's
 * will be (after the syncfs), measured once before the create pass so that
 * it keeps time enough for them: on a journaled ext4 under load an unlink
 * waits for the journal and costs 50 times a create, and the unlink pass,
 * never cut short, would then run far past the budget. 0 when it fails: the
 * create pass reports that error itself. */
static uint64_t md_unlink_cost(struct ctx *c, int mdfd)
{
        uint64_t t1;
        int fd, e;

        fd = openat(mdfd, "calibrate", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return 0;
        e = pwrite(fd, c->buf, RAND_BS, 0) < 0 || fdatasync(fd) < 0;
        close(fd);
        t1 = now_ns();
        if (unlinkat(mdfd, "calibrate", 0) < 0 || e)
                return 0;
        return now_ns() - t1;
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
        c->md_unlink_ns = md_unlink_cost(c, mdfd);

        for (int w = BENCH_MD_CREATE; w <= BENCH_MD_UNLINK && k == 0; w++) {
                struct bench_workload *x = &c->m->w[w];
                uint64_t budget = md_share(c, w), t0, end;
                uint64_t limit = w == BENCH_MD_CREATE ? c->m->md_planned : files;

                begin(c, w, budget);
                t0 = now_ns();
                end = t0 + budget;
                for (uint64_t i = 0; i < limit; i++) {
                        uint64_t t1, t2;
                        struct stat st;
                        int r, e = 0;

                        /* Every created file is unlinked: that is also the cleanup. */
                        if (w != BENCH_MD_UNLINK && (*c->stop || (i > 0 && now_ns() >= end)))
                                break;
                        if (w == BENCH_MD_CREATE && i > 0 &&
                            now_ns() + (files + 1) * c->md_unlink_ns >= c->deadline)
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
                                r = prefix ? lstat(full, &st)
                                           : fstatat(mdfd, name, &st, AT_SYMLINK_NOFOLLOW);
                        } else
                                r = unlinkat(mdfd, name, 0);
                        t2 = now_ns();
                        if (r < 0)
                                e = negative_errno();
                        else if (w == BENCH_MD_STAT &&
                                 (st.st_dev != c->md_dev || st.st_ino != c->md_ino[i])) {
                                /* The path no longer leads to our file: a directory on the
                                 * way was swapped. Whatever it stat'ed is not what was
                                 * measured here; stop. */
                                snprintf(c->m->err_detail, sizeof(c->m->err_detail),
                                         "%s changed while it was benchmarked: a directory on "
                                         "the way was replaced",
                                         c->path);
                                e = -ESTALE;
                        }
                        if (w == BENCH_MD_CREATE && r >= 0) {
                                /* Before the write: an NFS client answers it from the
                                 * attributes the create returned, where after it it
                                 * would first flush the dirty page to the server. */
                                if (fstat(r, &st) == 0) {
                                        c->md_dev = st.st_dev;
                                        c->md_ino[i] = st.st_ino;
                                } else if (e == 0)
                                        e = negative_errno();
                                /* Untimed, as fio's filestat/filedelete setup: small files
                                 * with data, so unlink frees blocks as a real one does. */
                                if (e == 0 && pwrite(r, c->buf, RAND_BS, 0) < 0)
                                        e = negative_errno();
                                close(r);
                                files++;
                                c->m->md_files = files;
                        }
                        if (e < 0) {
                                k = fail(c, w,
                                         w == BENCH_MD_CREATE ? (r >= 0 ? "pwrite" : "openat")
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
                        sample(c, x, t0, t2);
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

/* The inspected directory, opened once: every later call is relative to
 * this descriptor, so a directory swapped for a symbolic link after the
 * probe cannot send the sizing to one file system and the writes to another.
 * The probe resolved every link already, so a link met now was put there
 * since; openat2(RESOLVE_NO_SYMLINKS) refuses one in any component. */
static int open_base(struct ctx *c, const char *path, uint64_t fs_magic)
{
        struct statfs sf;
        /* Without O_NOFOLLOW: with O_DIRECTORY it turns a final symlink into
         * ENOTDIR, and RESOLVE_NO_SYMLINKS refuses it with ELOOP anyway. */
        struct open_how how = {
                .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                .resolve = RESOLVE_NO_SYMLINKS,
        };
        long fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));

        /* openat2(2) is Linux 5.6, and older seccomp profiles answer EPERM for
         * calls they do not know: then the last component at least. */
        if (fd < 0 && (errno == ENOSYS || errno == EPERM))
                fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                int k = negative_errno();
                if (k == -ELOOP)
                        snprintf(c->m->err_detail, sizeof(c->m->err_detail),
                                 "%s changed after it was inspected: a symbolic link is now on "
                                 "the way; nothing was written",
                                 path);
                return fail(c, -1, "open", k);
        }
        c->basefd = (int)fd;
        /* The probe's statfs named the file system: still the same kind? */
        if (fstatfs(c->basefd, &sf) < 0)
                return fail(c, -1, "fstatfs", negative_errno());
        if (fs_magic != U64_UNSET && (uint64_t)(unsigned long)sf.f_type != fs_magic) {
                snprintf(c->m->err_detail, sizeof(c->m->err_detail),
                         "%s changed after it was inspected: it is on another file system now "
                         "(statfs type 0x%lx, was 0x%" PRIx64 "); nothing was written",
                         path, (unsigned long)sf.f_type, fs_magic);
                return fail(c, -1, "fstatfs", -ESTALE);
        }
        return 0;
}

/* The sizes, from the directory's own fstatfs(2) (after the sweep of stale
 * directories, whose space then counts). */
static int plan_sizes(struct ctx *c, const struct bench_plan *p)
{
        struct statfs sf;
        uint64_t unit, size;
        int k;

        if (fstatfs(c->basefd, &sf) < 0)
                return fail(c, -1, "fstatfs", negative_errno());
        unit = sf.f_frsize ? (uint64_t)sf.f_frsize : (uint64_t)sf.f_bsize;
        if (unit == 0)
                unit = 1;
        /* EFS reports 8 EiB: keep the product from wrapping. */
        c->m->free_bytes = (uint64_t)sf.f_bavail > (U64_UNSET - 1) / unit
                                   ? U64_UNSET - 1
                                   : (uint64_t)sf.f_bavail * unit;
        /* statfs(2): f_files 0 means the file system does not count inodes. */
        c->m->free_inodes = sf.f_files ? (uint64_t)sf.f_ffree : U64_UNSET;
        k = bench_plan_size(p->size_bytes, c->m->free_bytes, &size, c->m->err_detail,
                            sizeof(c->m->err_detail));
        if (k < 0)
                return fail(c, -1, "plan", k);
        c->m->file_size_bytes = size;
        c->m->md_planned = bench_plan_md(c->m->free_bytes, c->m->free_inodes, size);
        return 0;
}

static int make_private_dir(struct ctx *c, const struct bench_owner *owner)
{
        static const char chars[] =
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        char buf[512];
        int k, len;

        /* mkdtemp(3)'s algorithm, relative to the directory's fd so the path is
         * resolved once: a random name, mode 0700, retried on EEXIST. */
        for (int attempt = 0; attempt < 100; attempt++) {
                size_t l = strlen(BENCH_PRIVATE_PREFIX);

                memcpy(c->name, BENCH_PRIVATE_PREFIX, l);
                for (size_t i = 0; i < BENCH_PRIVATE_RANDOM; i++)
                        c->name[l + i] = chars[rnd(c) % (sizeof(chars) - 1)];
                c->name[l + BENCH_PRIVATE_RANDOM] = '\0';
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
                k = negative_errno();
                unlinkat(c->basefd, c->name, AT_REMOVEDIR);
                c->name[0] = '\0';
                return fail(c, -1, "openat", k);
        }
        /* The marker: which processes run here, for the sweep of a later run.
         * Without an identity (no /proc of our own) there is none, and this
         * directory is never swept. */
        if (owner->n == 0)
                return 0;
        len = bench_owner_format(owner, buf, sizeof(buf));
        c->markerfd = openat(c->dirfd, BENCH_MARKER,
                             O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (c->markerfd < 0 || len < 0) {
                k = c->markerfd < 0 ? negative_errno() : len;
                privdir_remove(c->basefd, c->dirfd, c->name);
                return fail(c, -1, "openat", k);
        }
        /* Held until this process is gone (the parent, which outlives it to
         * clean up, is alive in the marker). Best effort: the marker stands
         * alone on a file system without locks. Taken before the marker is
         * written, so a sweep never reads a marker whose lock is not held. */
        (void)flock(c->markerfd, LOCK_EX | LOCK_NB);
        if (pwrite(c->markerfd, buf, (size_t)len, 0) != len) {
                k = errno && errno != EINTR ? negative_errno() : -EIO;
                privdir_remove(c->basefd, c->dirfd, c->name);
                return fail(c, -1, "pwrite", k);
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
        c->msg.kind = BENCH_MSG_HELLO;
        snprintf(c->msg.name, sizeof(c->msg.name), "%s", c->name);
        if (sendmsg(c->sock, &mh, MSG_NOSIGNAL) < 0)
                c->parent_gone = true;
}

static struct ctx child_ctx;

/* Exit statuses of the child that did not report (it reports everything it
 * can over the socket, even a failed allocation). */
#define CHILD_EXIT_NO_SOCKET 2

_Noreturn void bench_workloads_run(const struct bench_plan *p)
{
        struct ctx *c = &child_ctx;
        struct bench_owner owner = p->owner;
        bool direct;

        c->sock = p->sock;
        c->stop = p->stop;
        c->path = p->path;
        c->basefd = c->dirfd = c->markerfd = -1;
        c->m = &c->msg.m;
        bench_measure_init(c->m, p->budget_ns, p->workload_budget_ns);
        c->msg.current = -1;
        c->msg.phase = -1;
        if (getrandom(&c->rng, sizeof(c->rng), 0) != sizeof(c->rng))
                c->rng = now_ns() ^ (uint64_t)getpid();
        c->deadline = p->deadline_ns;
        c->next_sample = p->progress ? now_ns() : 0;
        /* The one allocation (a memory limit, ulimit -v, may refuse it). */
        if (posix_memalign((void **)&c->buf, 4096, BENCH_SEQ_BS) != 0) {
                snprintf(c->m->err_detail, sizeof(c->m->err_detail),
                         "could not allocate the benchmark's 1 MiB buffer");
                fail(c, -1, "posix_memalign", -ENOMEM);
                send_msg(c, BENCH_MSG_DONE);
                _exit(c->parent_gone ? CHILD_EXIT_NO_SOCKET : 0);
        }
        /* Incompressible contents: random bytes, not zeros. */
        for (size_t i = 0; i < BENCH_SEQ_BS; i += sizeof(uint64_t)) {
                uint64_t v = rnd(c);
                memcpy(c->buf + i, &v, sizeof(v));
        }
        if (owner.n > 0 && bench_owner_self(&owner) < 0)
                owner.n = 0;

        if (open_base(c, p->path, p->fs_magic) < 0) {
                send_msg(c, BENCH_MSG_DONE);
                _exit(0);
        }
        privdir_sweep(c->basefd, &owner, c->stop, c->m);
        if (plan_sizes(c, p) < 0 || make_private_dir(c, &owner) < 0) {
                send_msg(c, BENCH_MSG_DONE);
                _exit(0);
        }
        send_hello(c);
        /* The parent holds it now; one descriptor fewer against ulimit -n. */
        if (!c->parent_gone) {
                close(c->basefd);
                c->basefd = -1;
        }
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

        if (seq_write(c, &direct) == 0 && !*c->stop && seq_read(c, direct) == 0 && !*c->stop &&
            rand_4k(c, BENCH_RAND_READ, false) == 0 && !*c->stop &&
            rand_4k(c, BENCH_SYNC_WRITE, true) == 0 && !*c->stop && c->m->md_planned > 0)
                metadata(c);
        c->m->direct_io = c->m->w[BENCH_SEQ_WRITE].direct && c->m->w[BENCH_SEQ_READ].direct &&
                          c->m->w[BENCH_RAND_READ].direct;
        c->m->interrupted = *c->stop != 0;
        c->msg.current = -1;
        mark(c, -1);
        send_msg(c, BENCH_MSG_DONE);
        /* Nobody is left to clean up after us. */
        if (c->parent_gone || getppid() != p->parent)
                privdir_remove_self(c->basefd, c->dirfd, c->name);
        _exit(0);
}
