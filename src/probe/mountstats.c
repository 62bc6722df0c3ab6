/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/macro.h"
#include "core/strutil.h"
#include "probe/mountstats.h"

/* An entry's lines are short (an op line is under 200 bytes); the device line
 * holds two mangled paths, each at most PATH_MAX and 4 bytes per escaped byte. */
#define LINE_MAX_BYTES (64 * 1024)
/* A few KiB per NFS mount, a line per other mount: far more than any host has. */
#define FILE_MAX_BYTES (64u * 1024 * 1024)
/* NFSv4.2 has about 70 operations (include/linux/nfs4.h NFSPROC4_CLNT_*). */
#define OPS_MAX 256
#define OP_NAME_MAX 32
/* Op lines are read for so many lines of one entry at most (a hostile file
 * may hold 10^6): each is looked up among the ops kept. */
#define OP_LINES_MAX (4 * OPS_MAX)
#define WORDS_MAX 32

enum line_kind {
        LINE_OTHER,
        LINE_DEVICE, /* "device SRC mounted on MP with fstype T statvers=1.1" */
        LINE_AGE,    /* "\tage:\t12345" */
        LINE_RPC,    /* "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)" */
        LINE_XPRT,   /* "\txprt:\ttcp 0 1 2 0 11 3375 3375 0 3375 0 2 0 0" */
        LINE_PER_OP, /* "\tper-op statistics" */
        LINE_OP,     /* "\t     GETATTR: 1 1 0 100 200 0 1 2 0" */
};

/* Splits line (modified) at blanks into its first max words; returns how
 * many, or max + 1 when there were more (words past max are not split). */
static size_t split_words(char *line, char **words, size_t max)
{
        size_t n = 0;
        char *save = NULL;

        for (char *w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                if (n == max)
                        return max + 1;
                words[n++] = w;
        }
        return n;
}

/* An RPC procedure name as the kernel prints it: upper case, digits, '_'. */
static bool op_word(const char *w, size_t len)
{
        if (len < 2 || len - 1 > OP_NAME_MAX || w[len - 1] != ':')
                return false;
        for (size_t i = 0; i + 1 < len; i++)
                if (!((w[i] >= 'A' && w[i] <= 'Z') || (w[i] >= '0' && w[i] <= '9') || w[i] == '_'))
                        return false;
        return true;
}

static enum line_kind line_kind(const char *s, size_t len)
{
        size_t i = 0, wl;

        if (len >= 7 && memcmp(s, "device ", 7) == 0)
                return LINE_DEVICE;
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
                i++;
        for (wl = 0; i + wl < len && s[i + wl] != ' ' && s[i + wl] != '\t';)
                wl++;
        s += i;
        if (wl == 4 && memcmp(s, "age:", 4) == 0)
                return LINE_AGE;
        if (wl == 3 && memcmp(s, "RPC", 3) == 0)
                return LINE_RPC;
        if (wl == 5 && memcmp(s, "xprt:", 5) == 0)
                return LINE_XPRT;
        if (wl == 6 && memcmp(s, "per-op", 6) == 0)
                return LINE_PER_OP;
        if (op_word(s, wl))
                return LINE_OP;
        return LINE_OTHER;
}

/* The kernel mangles ' ', '\t', '\n' and '\\' in the device name and mount
 * point as \ooo (fs/proc_namespace.c mangle(), seq_path_root()), as in
 * mountinfo. In place. */
static void unmangle(char *s)
{
        char *o = s;

        for (const char *i = s; *i; i++) {
                if (i[0] == '\\' && i[1] >= '0' && i[1] <= '3' && i[2] >= '0' && i[2] <= '7' &&
                    i[3] >= '0' && i[3] <= '7') {
                        *o++ = (char)((i[1] - '0') * 64 + (i[2] - '0') * 8 + (i[3] - '0'));
                        i += 3;
                } else
                        *o++ = *i;
        }
        *o = '\0';
}

/* "device SRC mounted on MP with fstype T [statvers=V]": the mount point
 * (unmangled, in line) of an nfs or nfs4 entry; NULL for any other. */
static const char *nfs_device_mountpoint(char *line)
{
        char *w[WORDS_MAX];
        size_t n = split_words(line, w, ARRAY_SIZE(w));

        if (n < 8 || n > 9 || strcmp(w[0], "device") != 0 || strcmp(w[2], "mounted") != 0 ||
            strcmp(w[3], "on") != 0 || strcmp(w[5], "with") != 0 || strcmp(w[6], "fstype") != 0)
                return NULL;
        if (strcmp(w[7], "nfs") != 0 && strcmp(w[7], "nfs4") != 0)
                return NULL;
        unmangle(w[4]);
        return w[4];
}

/* Sums stop short of U64_UNSET, which would read as "unknown". */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
        uint64_t s;

        return __builtin_add_overflow(a, b, &s) || s == U64_UNSET ? U64_UNSET - 1 : s;
}

struct parser {
        struct mountstats_want *want;
        size_t n_want;
        const char *name;
        char ***warnings;
        size_t cur; /* the want of the entry being read; SIZE_MAX: none */
        struct nfs_rpc *rpc;
        size_t cap_ops;
        size_t op_lines;
        bool seen; /* the entry had an age or an RPC section */
        bool bad;  /* a line of the entry was malformed or past a bound */
};

static struct nfs_rpc *rpc_new(void)
{
        struct nfs_rpc *rpc = calloc(1, sizeof(*rpc));

        if (!rpc)
                return NULL;
        rpc->age_seconds = U64_UNSET;
        rpc->xprt_connects = U64_UNSET;
        rpc->xprt_backlog = U64_UNSET;
        rpc->xprt_sends = U64_UNSET;
        return rpc;
}

/* Sums of the ops, as mountstats' client_rpc_stats(): retransmissions are
 * transmissions beyond the first of each op. */
static void sum_ops(struct nfs_rpc *rpc)
{
        size_t kept = 0;

        rpc->retransmissions = rpc->timeouts = 0;
        for (size_t i = 0; i < rpc->n_ops; i++) {
                const struct nfs_rpc_op *o = &rpc->ops[i];

                if (o->count == 0) { /* a line with ops, then the same op with none */
                        free(o->op);
                        continue;
                }
                if (o->transmissions > o->count)
                        rpc->retransmissions =
                                sat_add(rpc->retransmissions, o->transmissions - o->count);
                rpc->timeouts = sat_add(rpc->timeouts, o->major_timeouts);
                rpc->ops[kept++] = *o;
        }
        rpc->n_ops = kept;
}

static int end_entry(struct parser *p)
{
        struct mountstats_want *w;
        int k = 0;

        if (p->cur == SIZE_MAX)
                return 0;
        w = &p->want[p->cur];
        if (p->bad)
                k = strv_extendf(p->warnings,
                                 "%s: malformed lines in the entry of %s, ignored them", p->name,
                                 w->mountpoint);
        if (p->seen) {
                sum_ops(p->rpc);
                nfs_rpc_free(w->rpc);
                w->rpc = TAKE_PTR(p->rpc);
        }
        p->rpc = nfs_rpc_free(p->rpc);
        p->cur = SIZE_MAX;
        p->cap_ops = p->op_lines = 0;
        p->seen = p->bad = false;
        return k;
}

static int start_entry(struct parser *p, char *line)
{
        const char *mp;
        int k = end_entry(p);

        if (k < 0)
                return k;
        mp = nfs_device_mountpoint(line);
        for (size_t i = 0; mp && i < p->n_want; i++)
                if (strcmp(p->want[i].mountpoint, mp) == 0) {
                        p->rpc = rpc_new();
                        if (!p->rpc)
                                return -ENOMEM;
                        p->cur = i;
                        break;
                }
        return 0;
}

static int parse_numbers(char *const *w, size_t n, uint64_t *ret)
{
        /* The largest is U64_UNSET ("unknown"): no counter gets there. */
        for (size_t i = 0; i < n; i++)
                if (parse_u64(w[i], &ret[i]) < 0 || ret[i] == U64_UNSET)
                        return -EINVAL;
        return 0;
}

/* nfs-utils mountstats.py XprtTcpCounters / XprtRdmaCounters: port,
 * bind_count, connect_count, connect_time, idle_time, rpcsends, rpcreceives,
 * badxids, inflightsends, backlogutil, ...; XprtUdpCounters: port,
 * bind_count, rpcsends, rpcreceives, badxids, inflightsends, backlogutil, ...
 * (net/sunrpc/xprtsock.c xs_tcp_print_stats, xs_udp_print_stats;
 * xprtrdma/transport.c xprt_rdma_print_stats). One line per transport
 * (nconnect): summed. */
static int parse_xprt(struct nfs_rpc *rpc, char *const *w, size_t n)
{
        uint64_t v[10];
        bool udp;

        if (n < 2)
                return -EINVAL;
        udp = strcmp(w[1], "udp") == 0;
        if (!udp && strcmp(w[1], "tcp") != 0 && strcmp(w[1], "rdma") != 0)
                return 0; /* another transport: nothing known of its layout */
        if (n < 2 + (udp ? 7u : 10u) || parse_numbers(w + 2, udp ? 7 : 10, v) < 0)
                return -EINVAL;
        if (rpc->xprt_sends == U64_UNSET)
                rpc->xprt_sends = rpc->xprt_backlog = 0;
        if (udp) {
                rpc->xprt_sends = sat_add(rpc->xprt_sends, v[2]);
                rpc->xprt_backlog = sat_add(rpc->xprt_backlog, v[6]);
        } else {
                if (rpc->xprt_connects == U64_UNSET)
                        rpc->xprt_connects = 0;
                rpc->xprt_connects = sat_add(rpc->xprt_connects, v[2]);
                rpc->xprt_sends = sat_add(rpc->xprt_sends, v[5]);
                rpc->xprt_backlog = sat_add(rpc->xprt_backlog, v[9]);
        }
        rpc->xprts++;
        return 0;
}

/* "OP: ops transmissions major_timeouts bytes_sent bytes_recv queue_ms rtt_ms
 * execute_ms [errors]" (net/sunrpc/stats.c _print_rpc_iostats; errors since
 * Linux 5.3). Columns past these (a later kernel's) are not read. */
static int parse_op(struct parser *p, char *const *w, size_t n)
{
        struct nfs_rpc *rpc = p->rpc;
        struct nfs_rpc_op op = { .errors = U64_UNSET }, *slot = NULL;
        uint64_t v[9];
        size_t nv = n - 1 > 9 ? 9 : n - 1;

        if (n < 9 || parse_numbers(w + 1, nv, v) < 0)
                return -EINVAL;
        op = (struct nfs_rpc_op){ NULL, v[0], v[1], v[2], v[3],
                                  v[4], v[5], v[6], v[7], nv == 9 ? v[8] : U64_UNSET };
        if (++p->op_lines > OP_LINES_MAX)
                return -E2BIG;
        w[0][strlen(w[0]) - 1] = '\0'; /* the ':' */
        for (size_t i = 0; i < rpc->n_ops; i++)
                if (strcmp(rpc->ops[i].op, w[0]) == 0)
                        slot = &rpc->ops[i]; /* the op again: the last line counts */
        if (op.count == 0 && !slot)
                return 0;
        if (!slot) {
                if (rpc->n_ops >= OPS_MAX)
                        return -E2BIG;
                if (rpc->n_ops == p->cap_ops) {
                        size_t cap = p->cap_ops ? p->cap_ops * 2 : 32;
                        struct nfs_rpc_op *o = reallocarray(rpc->ops, cap, sizeof(*o));
                        if (!o)
                                return -ENOMEM;
                        rpc->ops = o;
                        p->cap_ops = cap;
                }
                op.op = strdup(w[0]);
                if (!op.op)
                        return -ENOMEM;
                rpc->ops[rpc->n_ops++] = op;
        } else {
                op.op = slot->op;
                *slot = op;
        }
        return 0;
}

/* One line, NUL-terminated, modified. */
static int feed_line(struct parser *p, char *line, size_t len)
{
        enum line_kind kind = line_kind(line, len);
        char *w[WORDS_MAX];
        size_t n;
        int k = 0;

        if (kind == LINE_DEVICE && strlen(line) != len)
                return end_entry(p); /* a NUL inside: no mount point to trust */
        if (kind == LINE_DEVICE)
                return start_entry(p, line);
        if (p->cur == SIZE_MAX || kind == LINE_OTHER)
                return 0;
        if (kind == LINE_OP && p->op_lines >= OP_LINES_MAX) {
                p->bad = true; /* a flood of op lines: not even split */
                return 0;
        }
        if (strlen(line) != len) {
                p->bad = true; /* a NUL inside */
                return 0;
        }
        n = split_words(line, w, ARRAY_SIZE(w));
        switch (kind) {
        case LINE_AGE:
                k = n == 2 ? parse_numbers(w + 1, 1, &p->rpc->age_seconds) : -EINVAL;
                break;
        case LINE_XPRT: /* rdma's has 27 counters and more to come: the first few */
                k = parse_xprt(p->rpc, w, (n > ARRAY_SIZE(w) ? ARRAY_SIZE(w) : n));
                break;
        case LINE_OP:
                k = parse_op(p, w, (n > ARRAY_SIZE(w) ? ARRAY_SIZE(w) : n));
                break;
        default:
                break;
        }
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                p->bad = true;
        else
                p->seen = true;
        return 0;
}

/* A line too long to hold: only its start is known. */
static int feed_overlong(struct parser *p, const char *start, size_t have)
{
        if (line_kind(start, have) == LINE_DEVICE)
                return end_entry(p); /* of a mount point too long to be one wanted */
        if (p->cur != SIZE_MAX)
                p->bad = true;
        return 0;
}

static int parser_finish(struct parser *p, int k)
{
        if (k >= 0)
                k = end_entry(p);
        p->rpc = nfs_rpc_free(p->rpc);
        return k;
}

int mountstats_parse(const char *in, size_t len, const char *name, struct mountstats_want *want,
                     size_t n_want, char ***warnings)
{
        struct parser p = {
                .want = want, .n_want = n_want, .name = name, .warnings = warnings, .cur = SIZE_MAX
        };
        _cleanup_free_ char *line = malloc(LINE_MAX_BYTES + 1);
        int k = 0;

        if (!line)
                return -ENOMEM;
        for (size_t i = 0; i < len && k >= 0;) {
                const char *nl = memchr(in + i, '\n', len - i);
                size_t ll = nl ? (size_t)(nl - in) - i : len - i;

                if (ll > LINE_MAX_BYTES)
                        k = feed_overlong(&p, in + i, LINE_MAX_BYTES);
                else {
                        memcpy(line, in + i, ll);
                        line[ll] = '\0';
                        k = feed_line(&p, line, ll);
                }
                i += ll + 1;
        }
        return parser_finish(&p, k);
}

/* Streams the file: only the wanted entries are parsed, one line in memory. */
static int parse_fd(int fd, const char *name, struct mountstats_want *want, size_t n_want,
                    char ***warnings)
{
        struct parser p = {
                .want = want, .n_want = n_want, .name = name, .warnings = warnings, .cur = SIZE_MAX
        };
        _cleanup_free_ char *buf = malloc(LINE_MAX_BYTES + 1);
        size_t have = 0, total = 0;
        bool eof = false, truncated = false, skipping = false;
        int k = 0;

        if (!buf)
                return -ENOMEM;
        while (k >= 0) {
                size_t start = 0;
                char *nl;
                ssize_t n = read(fd, buf + have, LINE_MAX_BYTES - have);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        k = strv_extendf(warnings, "%s: %s, read what came before", name,
                                         strerror(errno));
                        eof = truncated = true;
                } else if (n == 0)
                        eof = true;
                else if ((total += (size_t)n) > FILE_MAX_BYTES) {
                        k = strv_extendf(warnings,
                                         "%s: larger than %u MiB, read its beginning only", name,
                                         FILE_MAX_BYTES >> 20);
                        eof = truncated = true;
                } else
                        have += (size_t)n;
                while (k >= 0 && (nl = memchr(buf + start, '\n', have - start))) {
                        size_t ll = (size_t)(nl - buf) - start;

                        *nl = '\0';
                        if (!skipping)
                                k = feed_line(&p, buf + start, ll);
                        skipping = false;
                        start += ll + 1;
                }
                memmove(buf, buf + start, have - start);
                have -= start;
                if (eof) {
                        /* The last line without its newline, unless the read stopped inside it. */
                        if (k >= 0 && have > 0 && !skipping && !truncated) {
                                buf[have] = '\0';
                                k = feed_line(&p, buf, have);
                        }
                        break;
                }
                if (k >= 0 && have == LINE_MAX_BYTES) {
                        /* Past the bound: only its start is looked at, the rest skipped. */
                        if (!skipping)
                                k = feed_overlong(&p, buf, have);
                        skipping = true;
                        have = 0;
                }
        }
        return parser_finish(&p, k);
}

int mountstats_probe(const struct sysroot *root, struct report *r, char ***warnings)
{
        struct mountstats_want want[1 + 64];
        struct storage *s;
        _cleanup_free_ char *name = NULL;
        _cleanup_close_ int fd = -1;
        size_t n = 0;
        int k;

        report_for_each_storage(s, r)
                if (s->nfs && s->mountpoint && n < ARRAY_SIZE(want))
                        want[n++] = (struct mountstats_want){ s->mountpoint, NULL };
        if (n == 0)
                return 0;
        name = sysroot_display(root, PROC_MOUNTSTATS);
        fd = sysroot_open_file(root, PROC_MOUNTSTATS);
        if (fd == -ENOMEM)
                return fd;
        if (fd == -ENOENT && sysroot_is_replay(root))
                return 0; /* a snapshot taken before it was collected */
        if (fd < 0)
                return strv_extendf(warnings, "%s: %s: no NFS history", strna(name), strerror(-fd));
        k = parse_fd(fd, strna(name), want, n, warnings);
        n = 0;
        report_for_each_storage(s, r)
                if (s->nfs && s->mountpoint && n < ARRAY_SIZE(want))
                        s->nfs->rpc = want[n++].rpc;
        return k;
}

static int put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
        if (*len + n + 1 > *cap) {
                size_t c = *cap ? *cap : 4096;
                char *b;

                while (c < *len + n + 1)
                        c *= 2;
                b = realloc(*buf, c);
                if (!b)
                        return -ENOMEM;
                *buf = b;
                *cap = c;
        }
        memcpy(*buf + *len, s, n);
        *len += n;
        (*buf)[*len] = '\0';
        return 0;
}

int mountstats_reduce(const char *in, size_t len, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *out = NULL, *line = malloc(LINE_MAX_BYTES + 1);
        size_t olen = 0, cap = 0;
        bool keep = false;
        int k = put(&out, &olen, &cap, "", 0);

        if (!line)
                return -ENOMEM;
        for (size_t i = 0; i < len && k >= 0;) {
                const char *s = in + i, *nl = memchr(s, '\n', len - i);
                size_t ll = nl ? (size_t)(nl - s) : len - i;
                enum line_kind kind = line_kind(s, ll > LINE_MAX_BYTES ? LINE_MAX_BYTES : ll);

                i += ll + 1;
                if (ll > LINE_MAX_BYTES || memchr(s, '\0', ll)) {
                        if (kind == LINE_DEVICE)
                                keep = false;
                        continue;
                }
                if (kind == LINE_DEVICE) {
                        memcpy(line, s, ll);
                        line[ll] = '\0';
                        keep = nfs_device_mountpoint(line) != NULL;
                } else if (kind == LINE_OTHER || !keep)
                        continue;
                if (keep)
                        k = put(&out, &olen, &cap, s, ll);
                if (k >= 0 && keep)
                        k = put(&out, &olen, &cap, "\n", 1);
        }
        if (k < 0)
                return k;
        *ret = TAKE_PTR(out);
        *ret_len = olen;
        return 0;
}
