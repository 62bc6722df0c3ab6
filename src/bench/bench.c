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
#include <sys/file.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "bench/bench.h"
#include "core/child.h"
#include "core/strutil.h"

#define SEQ_BS (UINT64_C(1) << 20)
#define RAND_BS UINT64_C(4096)
#define DATA_FILE "seq.dat"
#define MD_DIR "md"
#define PRIVATE_PREFIX "studio-probe-bench."
#define PRIVATE_RANDOM 12
/* A directory with more leftovers than this is not swept in one run: the
 * sweep costs a readdir and a few calls per entry on the benchmarked fs. */
#define STALE_MAX 64

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC 0x858458f6
#endif

static const char *const workload_names[_BENCH_MAX] = {
        [BENCH_SEQ_WRITE] = "seq_write",    [BENCH_SEQ_READ] = "seq_read",
        [BENCH_RAND_READ] = "rand_read_4k", [BENCH_SYNC_WRITE] = "sync_write_4k",
        [BENCH_MD_CREATE] = "create",       [BENCH_MD_STAT] = "stat",
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
        [BENCH_SEQ_WRITE] = 20,  [BENCH_SEQ_READ] = 15, [BENCH_RAND_READ] = 25,
        [BENCH_SYNC_WRITE] = 25, [BENCH_MD_CREATE] = 8, [BENCH_MD_STAT] = 3,
        [BENCH_MD_UNLINK] = 4,
};

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

uint64_t bench_plan_md(uint64_t free_bytes, uint64_t free_inodes, uint64_t data_bytes)
{
        uint64_t files = BENCH_MD_MAX_FILES, room;

        /* The rule of bench_plan_size(): leave the user at least as much as the
         * whole run takes; the data file is still there while the small files
         * are made. */
        if (free_bytes != U64_UNSET) {
                room = free_bytes / 2 > data_bytes ? free_bytes / 2 - data_bytes : 0;
                if (room / BENCH_MD_FILE_COST < files)
                        files = room / BENCH_MD_FILE_COST;
        }
        /* The data file and the directories take a few inodes more. */
        if (free_inodes != U64_UNSET) {
                room = free_inodes > 8 ? (free_inodes - 8) / 2 : 0;
                if (room < files)
                        files = room;
        }
        return files;
}

/* ---- the marker of a private directory ------------------------------- */

#define OWNER_MAGIC "studio-probe-bench 1\n"

int bench_owner_format(const struct bench_owner *o, char *buf, size_t len)
{
        size_t used;
        int n = snprintf(buf, len, OWNER_MAGIC "boot_id %s\npidns %s\n", o->boot_id, o->pidns);

        if (n < 0 || (size_t)n >= len)
                return -ENOBUFS;
        used = (size_t)n;
        for (unsigned i = 0; i < o->n && i < ARRAY_SIZE(o->p); i++) {
                n = snprintf(buf + used, len - used, "pid %d %" PRIu64 "\n", o->p[i].pid,
                             o->p[i].start);
                if (n < 0 || (size_t)n >= len - used)
                        return -ENOBUFS;
                used += (size_t)n;
        }
        return (int)used;
}

/* A value of printable ASCII without spaces, whole (the line must end after it). */
static int owner_word(const char *s, size_t len, char *dst, size_t dlen)
{
        if (len == 0 || len >= dlen)
                return -EINVAL;
        for (size_t i = 0; i < len; i++)
                if (s[i] <= ' ' || s[i] > '~')
                        return -EINVAL;
        memcpy(dst, s, len);
        dst[len] = '\0';
        return 0;
}

int bench_owner_parse(const char *buf, size_t len, struct bench_owner *ret)
{
        struct bench_owner o = { .n = 0 };
        const char *p = buf, *end = buf + len;
        unsigned line = 0;

        if (len < strlen(OWNER_MAGIC) || memcmp(buf, OWNER_MAGIC, strlen(OWNER_MAGIC)) != 0)
                return -EINVAL;
        p += strlen(OWNER_MAGIC);
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
                char word[48], pid[16], start[24];
                uint64_t v;

                if (!nl)
                        return -EINVAL; /* a line cut short: written while we read */
                sp = memchr(p, ' ', (size_t)(nl - p));
                if (!sp)
                        return -EINVAL;
                if (owner_word(p, (size_t)(sp - p), word, sizeof(word)) < 0)
                        return -EINVAL;
                sp++;
                if (line == 0 && streq_ptr(word, "boot_id")) {
                        if (owner_word(sp, (size_t)(nl - sp), o.boot_id, sizeof(o.boot_id)) < 0)
                                return -EINVAL;
                } else if (line == 1 && streq_ptr(word, "pidns")) {
                        if (owner_word(sp, (size_t)(nl - sp), o.pidns, sizeof(o.pidns)) < 0)
                                return -EINVAL;
                } else if (line >= 2 && streq_ptr(word, "pid") && o.n < ARRAY_SIZE(o.p)) {
                        const char *sp2 = memchr(sp, ' ', (size_t)(nl - sp));
                        if (!sp2 || owner_word(sp, (size_t)(sp2 - sp), pid, sizeof(pid)) < 0 ||
                            owner_word(sp2 + 1, (size_t)(nl - sp2 - 1), start, sizeof(start)) < 0 ||
                            parse_u64(pid, &v) < 0 || v == 0 || v > INT_MAX)
                                return -EINVAL;
                        o.p[o.n].pid = (int)v;
                        if (parse_u64(start, &o.p[o.n].start) < 0)
                                return -EINVAL;
                        o.n++;
                } else
                        return -EINVAL;
                line++;
                p = nl + 1;
        }
        if (o.n == 0 || !o.boot_id[0] || !o.pidns[0])
                return -EINVAL;
        *ret = o;
        return 0;
}

/* Reads a small file (of /proc) whole into buf, NUL-terminated. Returns the
 * length or -errno. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return negative_errno();
        do
                n = read(fd, buf, len - 1);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return negative_errno();
        buf[n] = '\0';
        return n;
}

/* proc(5) /proc/PID/stat: field 1 (pid), 3 (state) and 22 (starttime, clock
 * ticks after boot). comm (field 2) may hold spaces and parentheses: the
 * fields after it start after the last ')'. */
static int parse_proc_stat(const char *buf, int *ret_pid, char *ret_state, uint64_t *ret_start)
{
        const char *rparen = strrchr(buf, ')'), *p;
        char num[24];
        uint64_t v;
        size_t l;

        l = strspn(buf, "0123456789");
        if (!rparen || l == 0 || l >= sizeof(num) || buf[l] != ' ' || rparen[1] != ' ')
                return -EINVAL;
        memcpy(num, buf, l);
        num[l] = '\0';
        if (parse_u64(num, &v) < 0 || v > INT_MAX)
                return -EINVAL;
        *ret_pid = (int)v;
        p = rparen + 2;
        *ret_state = *p;
        /* From field 3 (state) to field 22: 19 spaces on. */
        for (int field = 3; field < 22; field++) {
                p = strchr(p, ' ');
                if (!p)
                        return -EINVAL;
                p++;
        }
        l = strspn(p, "0123456789");
        if (l == 0 || l >= sizeof(num))
                return -EINVAL;
        memcpy(num, p, l);
        num[l] = '\0';
        return parse_u64(num, ret_start);
}

/* This process as a marker names it. -ENXIO when /proc is not ours (a PID
 * namespace whose /proc was not remounted): its numbers would then name
 * other processes, so no marker is written and none is judged. */
static int self_identity(struct bench_owner *o)
{
        char buf[512];
        int pid;
        char state;
        uint64_t start;
        ssize_t n;

        n = read_small("/proc/sys/kernel/random/boot_id", buf, sizeof(buf));
        if (n < 0)
                return (int)n;
        strip(buf);
        if (owner_word(buf, strlen(buf), o->boot_id, sizeof(o->boot_id)) < 0)
                return -EINVAL;
        n = readlink("/proc/self/ns/pid", buf, sizeof(buf) - 1);
        if (n < 0)
                return negative_errno();
        buf[n] = '\0';
        if (owner_word(buf, (size_t)n, o->pidns, sizeof(o->pidns)) < 0)
                return -EINVAL;
        n = read_small("/proc/self/stat", buf, sizeof(buf));
        if (n < 0)
                return (int)n;
        if (parse_proc_stat(buf, &pid, &state, &start) < 0)
                return -EINVAL;
        if (pid != getpid())
                return -ENXIO;
        if (o->n >= ARRAY_SIZE(o->p))
                return -ENOBUFS;
        o->p[o->n].pid = pid;
        o->p[o->n].start = start;
        o->n++;
        return 0;
}

/* Whether every process the marker names is gone, judged from here: same
 * boot, same PID namespace (then /proc/PID names the same process), and each
 * PID either free, a zombie (it holds no file any more), or reused by a
 * process that started at another time. Anything else, an unreadable /proc
 * included, is not proof. */
static bool owner_dead(const struct bench_owner *o, const struct bench_owner *self)
{
        if (self->n == 0 || strcmp(o->boot_id, self->boot_id) != 0 ||
            strcmp(o->pidns, self->pidns) != 0)
                return false;
        for (unsigned i = 0; i < o->n; i++) {
                char path[48], buf[512], state;
                uint64_t start;
                int pid;
                ssize_t n;

                snprintf(path, sizeof(path), "/proc/%d/stat", o->p[i].pid);
                n = read_small(path, buf, sizeof(buf));
                if (n == -ENOENT || n == -ESRCH)
                        continue;
                if (n < 0 || parse_proc_stat(buf, &pid, &state, &start) < 0 || pid != o->p[i].pid)
                        return false;
                if (start != o->p[i].start || state == 'Z' || state == 'X')
                        continue;
                return false;
        }
        return true;
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

static volatile sig_atomic_t stop_signal, continued;

static void on_stop(int sig)
{
        if (!stop_signal)
                stop_signal = sig;
}

static void on_cont(int sig)
{
        continued = 1;
}

struct ctx {
        int sock;
        int basefd, dirfd, markerfd;
        char name[64];
        const char *path; /* the resolved directory benchmarked */
        struct bench_msg msg;
        struct bench_measure *m;
        uint64_t deadline; /* end of the workloads' share of the budget */
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
                uint64_t limit = w == BENCH_MD_CREATE ? c->m->md_planned : files;

                begin(c, w, budget);
                t0 = now_ns();
                end = t0 + budget;
                for (uint64_t i = 0; i < limit; i++) {
                        uint64_t t1, t2;
                        struct stat st;
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
                                /* Untimed, as fio's filestat/filedelete setup: small files
                                 * with data, so unlink frees blocks as a real one does. */
                                if (pwrite(r, c->buf, RAND_BS, 0) < 0 && e == 0)
                                        e = negative_errno();
                                if (fstat(r, &st) == 0) {
                                        c->md_dev = st.st_dev;
                                        c->md_ino[i] = st.st_ino;
                                } else if (e == 0)
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
static int remove_private(int basefd, int dirfd, const char *name)
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
static void remove_self(struct ctx *c)
{
        _cleanup_close_ int up = -1;
        struct stat a, b;

        if (c->basefd >= 0) {
                remove_private(c->basefd, c->dirfd, c->name);
                return;
        }
        remove_contents(c->dirfd, 0, NULL);
        up = openat(c->dirfd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (up >= 0 && fstat(c->dirfd, &a) == 0 &&
            fstatat(up, c->name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino)
                unlinkat(up, c->name, AT_REMOVEDIR);
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
static int plan(struct ctx *c, const struct bench_params *p)
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

static bool private_name(const char *n)
{
        size_t l = strlen(PRIVATE_PREFIX);

        if (strncmp(n, PRIVATE_PREFIX, l) != 0 || strlen(n + l) != PRIVATE_RANDOM)
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
        if (n <= 0 || bench_owner_parse(buf, (size_t)n, &o) < 0 || !owner_dead(&o, self))
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
static void remove_stale(struct ctx *c, const struct bench_owner *self)
{
        _Alignas(struct dirent64) char buf[4096];
        unsigned seen = 0;
        _cleanup_close_ int fd = -1;

        if (self->n == 0)
                return;
        /* Its own description: the sweep reads while it removes. */
        fd = openat(c->basefd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
                        if (++seen > STALE_MAX || stop_signal)
                                return;
                        if (stale_one(c->basefd, de->d_name, self, &bytes) == 1) {
                                if (c->m->stale_removed++ == 0)
                                        snprintf(c->m->stale_name, sizeof(c->m->stale_name), "%.*s",
                                                 (int)sizeof(c->m->stale_name) - 1, de->d_name);
                                c->m->stale_bytes += bytes;
                        }
                }
        }
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
                size_t l = strlen(PRIVATE_PREFIX);

                memcpy(c->name, PRIVATE_PREFIX, l);
                for (size_t i = 0; i < PRIVATE_RANDOM; i++)
                        c->name[l + i] = chars[rnd(c) % (sizeof(chars) - 1)];
                c->name[l + PRIVATE_RANDOM] = '\0';
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
                remove_private(c->basefd, c->dirfd, c->name);
                return fail(c, -1, "openat", k);
        }
        /* Held until this process is gone (the parent, which outlives it to
         * clean up, is alive in the marker). Best effort: the marker stands
         * alone on a file system without locks. Taken before the marker is
         * written, so a sweep never reads a marker whose lock is not held. */
        (void)flock(c->markerfd, LOCK_EX | LOCK_NB);
        if (pwrite(c->markerfd, buf, (size_t)len, 0) != len) {
                k = errno && errno != EINTR ? negative_errno() : -EIO;
                remove_private(c->basefd, c->dirfd, c->name);
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
        c->msg.kind = MSG_HELLO;
        snprintf(c->msg.name, sizeof(c->msg.name), "%s", c->name);
        if (sendmsg(c->sock, &mh, MSG_NOSIGNAL) < 0)
                c->parent_gone = true;
}

static struct ctx child_ctx;

/* Exit statuses of the child that did not report (it reports everything it
 * can over the socket, even a failed allocation). */
#define CHILD_EXIT_NO_SOCKET 2

static _Noreturn void child_main(int sock, const struct bench_params *p,
                                 const struct bench_measure *init,
                                 const struct bench_owner *parent_owner, pid_t parent)
{
        struct ctx *c = &child_ctx;
        struct bench_owner owner = *parent_owner;
        bool direct;

        /* A file size limit (ulimit -f) then fails the write with EFBIG, which
         * is reported with the results so far, instead of killing us. */
        signal(SIGXFSZ, SIG_IGN);
        signal(SIGCONT, SIG_DFL);

        c->sock = sock;
        c->path = p->path;
        c->basefd = c->dirfd = c->markerfd = -1;
        c->m = &c->msg.m;
        *c->m = *init;
        if (getrandom(&c->rng, sizeof(c->rng), 0) != sizeof(c->rng))
                c->rng = now_ns() ^ (uint64_t)getpid();
        c->deadline = now_ns() + c->m->workload_budget_ns;
        /* The one allocation (a memory limit, ulimit -v, may refuse it). */
        if (posix_memalign((void **)&c->buf, 4096, SEQ_BS) != 0) {
                snprintf(c->m->err_detail, sizeof(c->m->err_detail),
                         "could not allocate the benchmark's 1 MiB buffer");
                fail(c, -1, "posix_memalign", -ENOMEM);
                send_msg(c, MSG_DONE);
                _exit(c->parent_gone ? CHILD_EXIT_NO_SOCKET : 0);
        }
        /* Incompressible contents: random bytes, not zeros. */
        for (size_t i = 0; i < SEQ_BS; i += sizeof(uint64_t)) {
                uint64_t v = rnd(c);
                memcpy(c->buf + i, &v, sizeof(v));
        }
        if (owner.n > 0 && self_identity(&owner) < 0)
                owner.n = 0;

        if (open_base(c, p->path, p->fs_magic) < 0) {
                send_msg(c, MSG_DONE);
                _exit(0);
        }
        remove_stale(c, &owner);
        if (plan(c, p) < 0 || make_private_dir(c, &owner) < 0) {
                send_msg(c, MSG_DONE);
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

        if (seq_write(c, &direct) == 0 && !stop_signal && seq_read(c, direct) == 0 &&
            !stop_signal && rand_4k(c, BENCH_RAND_READ, false) == 0 && !stop_signal &&
            rand_4k(c, BENCH_SYNC_WRITE, true) == 0 && !stop_signal && c->m->md_planned > 0)
                metadata(c);
        c->m->direct_io = c->m->w[BENCH_SEQ_WRITE].direct && c->m->w[BENCH_SEQ_READ].direct &&
                          c->m->w[BENCH_RAND_READ].direct;
        c->m->interrupted = stop_signal != 0;
        c->m->current = -1;
        send_msg(c, MSG_DONE);
        /* Nobody is left to clean up after us. */
        if (c->parent_gone || getppid() != parent)
                remove_self(c);
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
        /* No parent-death signal: the removal must finish without us. */
        pid = child_fork(&(struct child_setup){
                .keep = (const int[]){ basefd, dirfd, p[1] },
                .n_keep = 3,
                .default_signals = true,
        });
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return remove_private(basefd, dirfd, name);
        }
        if (pid == 0) {
                int k = remove_private(basefd, dirfd, name);
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

/* Waits up to timeout_ns for the child to be reaped. */
static bool reap(pid_t pid, int *status, uint64_t timeout_ns)
{
        uint64_t end = now_ns() + timeout_ns;

        for (;;) {
                pid_t k = waitpid(pid, status, WNOHANG);

                if (k == pid)
                        return true;
                if (k < 0 && errno != EINTR)
                        return false;
                if (now_ns() >= end)
                        return false;
                nanosleep(&(struct timespec){ 0, 2 * NSEC_PER_MSEC }, NULL);
        }
}

int bench_run(const struct bench_params *p, struct bench_result **ret, char *err, size_t errlen)
{
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
        struct sigaction sa = { .sa_handler = on_stop }, old[ARRAY_SIZE(sigs)];
        struct sigaction sa_cont = { .sa_handler = on_cont }, old_cont;
        struct bench_result *b;
        struct bench_measure init = { 0 };
        struct bench_owner owner = { .n = 0 };
        sigset_t block, oldmask;
        uint64_t start, deadline, stop_deadline = 0, next_progress, prev, prev_wait = 0;
        int sv[2], basefd = -1, dirfd = -1, k, status = 0;
        bool have_done = false, eof = false, reaped = false, lost_fds = false;
        char name[64] = "";
        pid_t pid;

        b = calloc(1, sizeof(*b));
        if (!b || !(b->path = strdup(p->path))) {
                bench_result_free(b);
                return -ENOMEM;
        }
        b->clocksource = read_clocksource();
        /* Who we are, for the marker of the private directory. */
        if (self_identity(&owner) < 0)
                owner.n = 0;

        init.err_workload = -1;
        init.current = -1;
        init.fs_magic = U64_UNSET;
        init.free_bytes = U64_UNSET;
        init.free_inodes = U64_UNSET;
        init.budget_ns = p->budget_ns;
        /* Setup, the probe before and the cleanup after come out of the same
         * budget: the whole command stays within --bench-time. */
        init.workload_budget_ns =
                p->budget_ns -
                (p->budget_ns / 10 < 500 * NSEC_PER_MSEC ? p->budget_ns / 10 : 500 * NSEC_PER_MSEC);
        b->m = init;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                k = negative_errno();
                snprintf(err, errlen, "socketpair: %s", strerror(-k));
                bench_result_free(b);
                return k;
        }
        /* The parent will hold the two directory descriptors, then a pipe to its
         * cleanup worker: make sure the descriptor limit leaves room for them, or
         * the directory could not be removed. */
        {
                int spare[2] = { fcntl(sv[0], F_DUPFD_CLOEXEC, 3),
                                 fcntl(sv[0], F_DUPFD_CLOEXEC, 3) };
                struct rlimit rl;

                for (size_t i = 0; i < ARRAY_SIZE(spare); i++)
                        if (spare[i] >= 0)
                                close(spare[i]);
                if (spare[0] < 0 || spare[1] < 0) {
                        k = -EMFILE;
                        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
                                snprintf(err, errlen,
                                         "too many open files: the limit (ulimit -n %llu) leaves "
                                         "no descriptors for the benchmark",
                                         (unsigned long long)rl.rlim_cur);
                        else
                                snprintf(err, errlen, "too many open files");
                        close(sv[0]);
                        close(sv[1]);
                        bench_result_free(b);
                        return k;
                }
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
        continued = 0;
        sigaction(SIGCONT, &sa_cont, &old_cont);

        start = now_ns();
        /* Parent killed outright: the child stops, and cleans up itself. */
        pid = child_fork(&(struct child_setup){
                .keep = &sv[1], .n_keep = 1, .deathsig = SIGTERM, .mask = &oldmask });
        if (pid < 0) {
                k = pid;
                snprintf(err, errlen, "fork: %s", strerror(-k));
                close(sv[0]);
                close(sv[1]);
                goto restore;
        }
        if (pid == 0) {
                signal(SIGPIPE, SIG_IGN);
                child_main(sv[1], p, &init, &owner, getppid());
        }
        close(sv[1]);

        deadline = start + p->budget_ns + p->grace_ns;
        next_progress = start;
        prev = start;
        for (;;) {
                struct bench_msg msg;
                union {
                        char buf[CMSG_SPACE(2 * sizeof(int))];
                        struct cmsghdr align;
                } u;
                struct iovec iov = { &msg, sizeof(msg) };
                struct msghdr mh = { .msg_iov = &iov,
                                     .msg_iovlen = 1,
                                     .msg_control = u.buf,
                                     .msg_controllen = sizeof(u.buf) };
                struct pollfd pfd = { sv[0], POLLIN, 0 };
                uint64_t now = now_ns(), until, wait;
                struct timespec ts;
                ssize_t n;

                /* Time this process did not run is not the child's silence. Stopped
                 * (SIGSTOP, or a terminal's Ctrl-Z, which stops the child too): a
                 * fresh grace period from the SIGCONT. Starved beyond the wait it
                 * asked for: the deadlines move on by what it lost. */
                if (now - prev > prev_wait + 50 * NSEC_PER_MSEC) {
                        uint64_t lost = now - prev - prev_wait;
                        deadline += lost;
                        if (stop_deadline)
                                stop_deadline += lost;
                }
                if (continued) {
                        continued = 0;
                        if (deadline < now + p->grace_ns)
                                deadline = now + p->grace_ns;
                        if (stop_deadline && stop_deadline < now + p->grace_ns)
                                stop_deadline = now + p->grace_ns;
                }
                prev = now;
                prev_wait = 0;
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
                until = stop_deadline ? stop_deadline : deadline;
                if (p->progress && now >= next_progress) {
                        progress_line(&b->m, start, p->budget_ns);
                        next_progress = now + 200 * NSEC_PER_MSEC;
                }
                if (p->progress && next_progress < until)
                        until = next_progress;
                /* Past the deadline, one look at what already arrived (the child
                 * may have finished while we were stopped) before giving up. */
                wait = until > now ? until - now : 0;
                ts.tv_sec = (time_t)(wait / NSEC_PER_SEC);
                ts.tv_nsec = (long)(wait % NSEC_PER_SEC);
                prev_wait = wait;
                k = ppoll(&pfd, 1, &ts, &oldmask);
                if (k == 0 && now >= (stop_deadline ? stop_deadline : deadline)) {
                        if (!stop_deadline)
                                b->m.timed_out = true;
                        break;
                }
                if (k <= 0)
                        continue;
                n = recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        eof = true;
                        continue;
                }
                if (mh.msg_flags & MSG_CTRUNC)
                        lost_fds = true;
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
                /* The socket closed without a report: the child is gone, or going
                 * (its descriptors close before it can be reaped). Otherwise it is
                 * stuck in the kernel or ignoring us: what it sent so far stands. */
                if (eof)
                        reaped = reap(pid, &status,
                                      p->grace_ns < NSEC_PER_SEC ? p->grace_ns : NSEC_PER_SEC);
                if (!reaped) {
                        kill(pid, SIGKILL);
                        if (!parent_stop_signal)
                                b->m.timed_out = true;
                        reaped = reap(pid, &status, 100 * NSEC_PER_MSEC);
                } else if (WIFSIGNALED(status)) {
                        b->m.killed_by = WTERMSIG(status);
                        /* In what it was doing when it died. */
                        if (b->m.err_workload < 0)
                                b->m.err_workload = b->m.current;
                } else if (!b->m.err) {
                        b->m.err = -EPIPE;
                        snprintf(b->m.err_call, sizeof(b->m.err_call), "exit");
                        snprintf(b->m.err_detail, sizeof(b->m.err_detail),
                                 "the benchmark process ended without reporting (exit status "
                                 "%d)",
                                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
                }
                if (parent_stop_signal)
                        b->m.interrupted = true;
                b->m.current = -1;
        } else
                reaped = reap(pid, &status, p->grace_ns);
        if (!reaped) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, WNOHANG);
        }
        if (parent_stop_signal)
                b->m.interrupted = true;

        if (basefd >= 0 && name[0]) {
                k = cleanup_bounded(basefd, dirfd, name, p->grace_ns);
                if (k < 0) {
                        if (asprintf(&b->leftover, "%s/%s", p->path, name) < 0)
                                b->leftover = NULL;
                }
        } else if (name[0] && lost_fds) {
                /* The descriptors did not make it across (the limit of open files):
                 * the directory is there and cannot be reached safely from here. */
                if (asprintf(&b->leftover, "%s/%s", p->path, name) < 0)
                        b->leftover = NULL;
        }
        if (basefd >= 0)
                close(basefd);
        if (dirfd >= 0)
                close(dirfd);
        b->m.budget_ns = p->budget_ns;
        b->m.elapsed_ns = now_ns() - start;
        if (b->m.err == -ENOSPC && streq_ptr(b->m.err_call, "plan")) {
                /* Refused before anything was written: a reason, not a report. */
                snprintf(err, errlen, "%s", b->m.err_detail);
                k = -ENOSPC;
                goto restore;
        }
        *ret = b;
        b = NULL;
        k = 0;
restore:
        /* Unblock first, while on_stop still catches: a second Ctrl-C during the
         * cleanup must not kill us before the partial results are printed. */
        sigprocmask(SIG_SETMASK, &oldmask, NULL);
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
                sigaction(sigs[i], &old[i], NULL);
        sigaction(SIGCONT, &old_cont, NULL);
        bench_result_free(b);
        return k;
}
