/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/owner.h"
#include "core/macro.h"
#include "core/strutil.h"

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
int bench_owner_self(struct bench_owner *o)
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
bool bench_owner_dead(const struct bench_owner *o, const struct bench_owner *self)
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
