/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <libmount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/macro.h"
#include "probe/mounts.h"
#include "core/strutil.h"

#define MOUNTINFO PROC_MOUNTINFO
/* The kernel writes a mountinfo line through seq_file, a page or so; overlay
 * mounts with many layers reach a few KiB. 64 KiB is generous and bounds memory. */
#define LINE_MAX_BYTES (64 * 1024)
/* Lines handed to libmount at once: its table is dropped after each chunk,
 * so the next one's entries reuse the memory while it is still in cache.
 * 2,048 touched 292 pages for a 1,000-line table (findmnt 263) and took 4 MiB
 * at 10,000; 128 touches 163 and keeps 3 MiB, at the same cost per line up
 * to 100,000 lines (tests/perf/scaling.py). */
#define CHUNK_LINES 128
/* A real table has thousands of lines; past these the file is not a mount table. */
#define FILE_MAX_BYTES (256u * 1024 * 1024)
#define KEEP_MAX 4096
#define BAD_LINES_REPORTED 5

DEFINE_TRIVIAL_CLEANUP_FUNC(struct libmnt_table *, mnt_unref_table)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct libmnt_iter *, mnt_free_iter)

struct chunk {
        char *buf;
        size_t len, cap;
        unsigned *lineno; /* file line of each chunk line */
        bool *failed;     /* libmount rejected that chunk line */
        size_t nlines;
};

struct bad_line {
        unsigned line;
        const char *why; /* a literal */
};

struct parse_ctx {
        struct mount_table *table;
        char ***warnings;
        struct chunk *chunk;
        int error;
        /* The first bad lines in file order: the reader finds some as it reads,
         * libmount the rest a chunk later, so they are sorted before reporting. */
        struct bad_line first_bad[BAD_LINES_REPORTED];
        size_t n_first_bad;
};

static void bad_line(struct parse_ctx *ctx, unsigned line, const char *why)
{
        size_t i;

        ctx->table->bad_lines++;
        if (ctx->n_first_bad == BAD_LINES_REPORTED) {
                if (line >= ctx->first_bad[BAD_LINES_REPORTED - 1].line)
                        return;
                ctx->n_first_bad--; /* drop the latest line for an earlier one */
        }
        for (i = ctx->n_first_bad; i > 0 && ctx->first_bad[i - 1].line > line; i--)
                ctx->first_bad[i] = ctx->first_bad[i - 1];
        ctx->first_bad[i] = (struct bad_line){ line, why };
        ctx->n_first_bad++;
}

static int parser_errcb(struct libmnt_table *tb, const char *filename, int line)
{
        struct parse_ctx *ctx = mnt_table_get_userdata(tb);
        unsigned fileline = 0;

        if (line >= 1 && (size_t)line <= ctx->chunk->nlines) {
                fileline = ctx->chunk->lineno[line - 1];
                ctx->chunk->failed[line - 1] = true;
        }
        bad_line(ctx, fileline, "malformed mountinfo line");
        return 1; /* recoverable: go on with the next line (findmnt does the same) */
}

static void mount_entry_done(struct mount_entry *e)
{
        free(e->root);
        free(e->target);
        free(e->fstype);
        free(e->source);
        free(e->options);
        free(e->fs_options);
}

void mount_table_done(struct mount_table *t)
{
        for (size_t i = 0; i < t->n; i++)
                mount_entry_done(&t->entries[i]);
        free(t->entries);
        free(t->file);
        memset(t, 0, sizeof(*t));
}

/* The entry as the filter sees it: libmount's own strings, valid until the
 * table is freed, and no merged options (building them allocates). */
static void view_entry(struct libmnt_fs *fs, unsigned line, struct mount_entry *e)
{
        dev_t dev = mnt_fs_get_devno(fs);

        *e = (struct mount_entry){
                .id = mnt_fs_get_id(fs),
                .parent_id = mnt_fs_get_parent_id(fs),
                .major = major(dev),
                .minor = minor(dev),
                .root = (char *)mnt_fs_get_root(fs),
                .target = (char *)mnt_fs_get_target(fs),
                .fstype = (char *)mnt_fs_get_fstype(fs),
                .source = (char *)mnt_fs_get_source(fs),
                .fs_options = (char *)mnt_fs_get_fs_options(fs),
                .line = line,
        };
}

/* The view of a kept entry made its own: its strings copied, and the merged
 * options, which libmount builds only on request. */
static int copy_entry(struct libmnt_fs *fs, struct mount_entry *e)
{
        const struct mount_entry v = *e;

        e->root = strdup_or_null(v.root);
        e->target = strdup(v.target);
        e->fstype = strdup(v.fstype);
        e->source = strdup_or_null(v.source);
        e->fs_options = strdup_or_null(v.fs_options);
        e->options = mnt_fs_strdup_options(fs); /* NULL: none at all */
        if (!e->target || !e->fstype || (v.root && !e->root) || (v.source && !e->source) ||
            (v.fs_options && !e->fs_options)) {
                mount_entry_done(e);
                return -ENOMEM;
        }
        return 0;
}

static int flush_chunk(struct parse_ctx *ctx, mount_filter_t filter, void *userdata)
{
        _cleanup_(mnt_unref_tablep) struct libmnt_table *tb = NULL;
        _cleanup_(mnt_free_iterp) struct libmnt_iter *it = NULL;
        struct chunk *c = ctx->chunk;
        struct libmnt_fs *fs;
        FILE *f;
        size_t idx = 0;

        if (c->nlines == 0)
                return 0;
        tb = mnt_new_table();
        it = mnt_new_iter(MNT_ITER_FORWARD);
        if (!tb || !it)
                return -ENOMEM;
        mnt_table_set_userdata(tb, ctx);
        mnt_table_set_parser_errcb(tb, parser_errcb);

        f = fmemopen(c->buf, c->len, "r");
        if (!f)
                return -ENOMEM;
        /* "", not the file's name: for a mountinfo table libmount takes the
         * thread id from the name's realpath() (tab_parse.c, path_to_tid()),
         * a readlink() per component of it per chunk, for a field nothing
         * here reads. An empty name resolves to nothing, without a call. */
        (void)mnt_table_parse_stream(tb, f, "");
        fclose(f);

        while (mnt_table_next_fs(tb, it, &fs) == 0) {
                struct mount_entry e;
                unsigned line;

                /* Entries come in file order; blank and comment lines never
                 * reach libmount, so the lines it did not reject map 1:1. */
                while (idx < c->nlines && c->failed[idx])
                        idx++;
                line = idx < c->nlines ? c->lineno[idx] : 0;
                idx++;
                view_entry(fs, line, &e);
                if (!e.target || !e.fstype) {
                        bad_line(ctx, line, "mountinfo line without a mount point or type");
                        continue;
                }
                /* The filter sees libmount's strings: a copy of each field of
                 * every line, most of them dropped at once, cost more than
                 * the parse at 1,000 lines. */
                if (filter && !filter(&e, userdata))
                        continue;
                if (ctx->table->n >= KEEP_MAX) {
                        ctx->error = -E2BIG;
                        continue;
                }
                if (copy_entry(fs, &e) < 0)
                        return -ENOMEM;
                if (ctx->table->n == ctx->table->allocated) {
                        /* Doubling: growing by one entry called realloc()
                         * once per kept mount, copying the array whenever it
                         * could not grow in place. */
                        size_t want = ctx->table->allocated ? 2 * ctx->table->allocated : 16;
                        struct mount_entry *n;

                        if (want > KEEP_MAX)
                                want = KEEP_MAX;
                        n = realloc(ctx->table->entries, want * sizeof(*n));
                        if (!n) {
                                mount_entry_done(&e);
                                return -ENOMEM;
                        }
                        ctx->table->entries = n;
                        ctx->table->allocated = want;
                }
                ctx->table->entries[ctx->table->n++] = e;
        }
        c->len = 0;
        memset(c->failed, 0, c->nlines * sizeof(bool));
        c->nlines = 0;
        return 0;
}

/* libmount guesses a table's format from its first line (tab_parse.c,
 * guess_table_format(): "%u %u" is mountinfo, anything else fstab), and each
 * chunk is a table of its own: a chunk that began with a garbage line would be
 * read whole as fstab, turning every good line in it into nonsense. So a line
 * must begin with mountinfo's two ids before it may join a chunk. */
static bool starts_like_mountinfo(const char *s, size_t len)
{
        size_t i = 0;

        for (int field = 0; field < 2; field++) {
                size_t start;

                while (i < len && (s[i] == ' ' || s[i] == '\t'))
                        i++;
                start = i;
                while (i < len && isdigit((unsigned char)s[i]))
                        i++;
                if (i == start)
                        return false;
        }
        return true;
}

static int chunk_add(struct chunk *c, const char *line, size_t len, unsigned lineno)
{
        if (c->len + len + 1 > c->cap) {
                size_t ncap = (c->len + len + 1) * 2;
                char *nb = realloc(c->buf, ncap);
                if (!nb)
                        return -ENOMEM;
                c->buf = nb;
                c->cap = ncap;
        }
        memcpy(c->buf + c->len, line, len);
        c->len += len;
        c->buf[c->len++] = '\n';
        c->lineno[c->nlines++] = lineno;
        return 0;
}

int mounts_load(const struct sysroot *root, mount_filter_t filter, void *userdata,
                struct mount_table *ret, char ***warnings)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        struct chunk chunk = {};
        struct parse_ctx ctx = { .table = ret, .warnings = warnings, .chunk = &chunk };
        size_t have = 0, pos = 0, total = 0;
        unsigned lineno = 0;
        bool skipping = false, eof = false;
        int r = 0;

        memset(ret, 0, sizeof(*ret));
        ret->file = sysroot_display(root, MOUNTINFO);
        if (!ret->file)
                return -ENOMEM;
        fd = sysroot_open_file(root, MOUNTINFO);
        if (fd < 0)
                return fd;

        buf = malloc(LINE_MAX_BYTES + 1);
        chunk.lineno = calloc(CHUNK_LINES, sizeof(unsigned));
        chunk.failed = calloc(CHUNK_LINES, sizeof(bool));
        if (!buf || !chunk.lineno || !chunk.failed) {
                r = -ENOMEM;
                goto out;
        }

        /* A bounded line reader: NUL bytes and over-long lines are detected here,
         * before libmount, which would read either without complaint. Every
         * complete line in the buffer is taken before the next read(), and the
         * partial one left is moved to the front once: a read and a 64 KiB move
         * per line made a 100,000-line table cost 1.5x findmnt's slope. */
        while (!eof || pos < have) {
                char *line = buf + pos, *nl;

                buf[have] = '\0'; /* bounds the strspn() below */
                nl = memchr(line, '\n', have - pos);
                if (!nl && !eof && have - pos < LINE_MAX_BYTES) {
                        ssize_t n;

                        if (pos > 0) {
                                memmove(buf, line, have - pos);
                                have -= pos;
                                pos = 0;
                        }
                        n = read(fd, buf + have, LINE_MAX_BYTES - have);
                        if (n < 0) {
                                if (errno == EINTR)
                                        continue;
                                r = negative_errno();
                                goto out;
                        }
                        if (n == 0)
                                eof = true;
                        have += (size_t)n;
                        total += (size_t)n;
                        if (total > FILE_MAX_BYTES) {
                                (void)strv_extendf(warnings,
                                                   "%s: larger than %u MiB, read no further",
                                                   ret->file, FILE_MAX_BYTES >> 20);
                                eof = true;
                                have = pos = 0;
                                break;
                        }
                        continue;
                }
                if (!nl && !eof) {
                        /* A full buffer with no newline: drop it, keep skipping. */
                        if (!skipping) {
                                lineno++;
                                bad_line(&ctx, lineno, "line longer than 64 KiB");
                        }
                        skipping = true;
                        have = pos = 0;
                        continue;
                }
                {
                        size_t len = nl ? (size_t)(nl - line) : have - pos;

                        if (skipping) {
                                skipping = false;
                        } else {
                                lineno++;
                                ret->lines++;
                                if (strspn(line, " \t") >= len)
                                        bad_line(&ctx, lineno, "empty line");
                                else if (line[strspn(line, " \t")] == '#')
                                        bad_line(&ctx, lineno, "comment in mountinfo");
                                else if (memchr(line, '\0', len))
                                        bad_line(&ctx, lineno, "NUL byte in line");
                                else if (!starts_like_mountinfo(line, len))
                                        bad_line(&ctx, lineno, "malformed mountinfo line");
                                else {
                                        r = chunk_add(&chunk, line, len, lineno);
                                        if (r < 0)
                                                goto out;
                                        if (chunk.nlines == CHUNK_LINES) {
                                                r = flush_chunk(&ctx, filter, userdata);
                                                if (r < 0)
                                                        goto out;
                                        }
                                }
                        }
                        pos += nl ? len + 1 : len;
                }
        }
        r = flush_chunk(&ctx, filter, userdata);
        if (r < 0)
                goto out;

        for (size_t i = 0; i < ctx.n_first_bad; i++)
                (void)strv_extendf(warnings, "%s:%u: %s, ignoring", ret->file,
                                   ctx.first_bad[i].line, ctx.first_bad[i].why);
        if (ret->bad_lines > BAD_LINES_REPORTED)
                (void)strv_extendf(warnings, "%s: %zu more malformed lines ignored", ret->file,
                                   ret->bad_lines - BAD_LINES_REPORTED);
        if (ctx.error == -E2BIG)
                (void)strv_extendf(warnings, "%s: more than %d mounts of interest, kept the first",
                                   ret->file, KEEP_MAX);
out:
        free(chunk.buf);
        free(chunk.lineno);
        free(chunk.failed);
        if (r < 0)
                mount_table_done(ret);
        return r;
}

const struct mount_entry *mounts_find_containing(const struct mount_table *t, const char *path)
{
        const struct mount_entry *best = NULL;
        size_t best_len = 0;

        for (size_t i = 0; i < t->n; i++) {
                const struct mount_entry *e = &t->entries[i];
                size_t len;

                if (!path_is_under(path, e->target))
                        continue;
                len = strlen(e->target);
                if (!best || len >= best_len) {
                        best = e;
                        best_len = len;
                }
        }
        return best;
}

char *mount_option_get(const char *optstr, const char *name)
{
        char *value = NULL;
        size_t len = 0;

        if (!optstr)
                return NULL;
        if (mnt_optstr_get_option(optstr, name, &value, &len) != 0)
                return NULL;
        return value ? strndup(value, len) : strdup("");
}

bool mount_option_has(const char *optstr, const char *name)
{
        _cleanup_free_ char *v = mount_option_get(optstr, name);

        return v != NULL;
}

/* ---- what a support bundle keeps of the mount table (collect) ---- */

/* Option values a bundle keeps: those the probe reads (probe/nfs.c: vers,
 * rsize, wsize, timeo, retrans, port) and others that are numbers or fixed
 * words, useful to support and never a credential. Every other value is
 * dropped, whatever the file system: a list of what is kept, not of what is
 * secret, so the token= of a FUSE file system nobody thought of is dropped
 * too (cifs password=, credentials=, ceph secret=, s3fs passwd_file=, ...). */
/* nfs(5), then ext4(5), xfs(5), tmpfs(5) */
static const char *const kept_values[] = {
        "vers",    "nfsvers",    "minorversion", "rsize",      "wsize",       "timeo",
        "retrans", "port",       "proto",        "mountproto", "mountport",   "mountvers",
        "namlen",  "acregmin",   "acregmax",     "acdirmin",   "acdirmax",    "actimeo",
        "sec",     "local_lock", "lookupcache",  "nconnect",   "max_connect", "retry",
        "errors",  "data",       "commit",       "size",       "nr_inodes",   "nr_blocks",
        "mode",    "uid",        "gid",          "logbufs",    "logbsize",    "sunit",
        "swidth",  "allocsize",  "stripe",       "subvolid"
};
#define KEPT_VALUE_MAX 64
#define OPTIONS_DROPPED "dropped"

/* FUSE hands its daemon's -o options through; CIFS shows user=, domain=.
 * None of their values is needed, so none is kept, listed or not. */
static bool keeps_no_value(const char *fstype)
{
        return !fstype || startswith(fstype, "fuse") || strcmp(fstype, "cifs") == 0 ||
               strcmp(fstype, "smb3") == 0 || strcmp(fstype, "smbfs") == 0;
}

/* Only letters, digits and the bytes of extra: what a key or a kept value
 * may be. Anything else (a quote, a backslash, a comma smuggled in) makes
 * the option or value one that is not kept. */
static bool plain_word(const char *s, size_t n, const char *extra)
{
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && (!s[i] || !strchr(extra, s[i])))
                        return false;
        return true;
}

static bool value_kept(const char *fstype, const char *name, size_t nsz, const char *value,
                       size_t vsz)
{
        if (keeps_no_value(fstype) || vsz > KEPT_VALUE_MAX || !plain_word(value, vsz, "._:+-"))
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(kept_values); i++)
                if (strlen(kept_values[i]) == nsz && memcmp(kept_values[i], name, nsz) == 0)
                        return true;
        return false;
}

char *mount_options_reduce(const char *fstype, const char *optstr)
{
        _cleanup_free_ char *copy = NULL;
        char *out, *p, *name, *value;
        size_t nsz, vsz, n = 0;

        if (!optstr)
                return NULL;
        copy = strdup(optstr);
        out = malloc(strlen(optstr) + 1); /* never longer than the input */
        if (!copy || !out) {
                free(out);
                return NULL;
        }
        /* libmount's own iterator (quotes, empty items): the options split
         * here as the probe's mount_option_get() sees them. It stops at the
         * first it cannot parse, as the probe's lookups do. */
        p = copy;
        while (mnt_optstr_next_option(&p, &name, &nsz, &value, &vsz) == 0) {
                if (nsz == 0 || !plain_word(name, nsz, "_.+-"))
                        continue; /* no name we can show as it is: all of it dropped */
                if (n > 0)
                        out[n++] = ',';
                memcpy(out + n, name, nsz);
                n += nsz;
                if (!value)
                        continue;
                out[n++] = '=';
                if (value_kept(fstype, name, nsz, value, vsz)) {
                        memcpy(out + n, value, vsz);
                        n += vsz;
                }
        }
        out[n] = '\0';
        /* An empty field would shift mountinfo's fields (and libmount then
         * refuses the line): a word in place of options none of which could
         * be shown. */
        if (n == 0 && optstr[0]) {
                free(out);
                return strdup(OPTIONS_DROPPED);
        }
        return out;
}

char *mount_source_reduce(const char *source)
{
        const char *start, *at, *colon;
        char *out;

        if (!source)
                return NULL;
        /* scheme://user:password@host/..., user:password@host:/...: the
         * password goes, the rest (what support needs) stays. A ':' before
         * a '/' is a host:/export, not a password. */
        start = strstr(source, "://");
        start = start ? start + 3 : source;
        at = strrchr(start, '@');
        colon = at ? memchr(start, ':', (size_t)(at - start)) : NULL;
        if (!colon || memchr(start, '/', (size_t)(at - start)))
                return strdup(source);
        if (asprintf(&out, "%.*s%s", (int)(colon - source), source, at) < 0)
                return NULL;
        return out;
}

/* libmount's unmangle(): \ooo is one byte; a \000 ends the string. */
static char *unmangle_token(const char *s, size_t n)
{
        char *out = malloc(n + 1);
        size_t o = 0;

        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 3 < n && (s[i + 1] & ~7) == '0' && (s[i + 2] & ~7) == '0' &&
                    (s[i + 3] & ~7) == '0') {
                        char c = (char)(64 * (s[i + 1] & 7) + 8 * (s[i + 2] & 7) + (s[i + 3] & 7));
                        if (!c)
                                break;
                        out[o++] = c;
                        i += 3;
                } else
                        out[o++] = s[i];
        }
        out[o] = '\0';
        return out;
}

/* The kernel's mangle (fs/proc_namespace.c, show_mountinfo): what would end
 * a field or a line is written \ooo. A field that was there stays there,
 * even when nothing of it is left: "\000" reads as "" (a missing one would
 * make the next field take its place). */
static void put_mangled(FILE *f, const char *s, size_t orig_len)
{
        if (orig_len > 0 && (!s || !*s)) {
                fputs("\\000", f);
                return;
        }
        for (; s && *s; s++)
                if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
                        fprintf(f, "\\%03o", (unsigned char)*s);
                else
                        fputc(*s, f);
}

static bool is_sep(char c)
{
        return c == ' ' || c == '\t';
}

static const char *skip_sep(const char *s)
{
        while (is_sep(*s))
                s++;
        return s;
}

static const char *skip_word(const char *s)
{
        while (*s && !is_sep(*s))
                s++;
        return s;
}

/* libmount's next_s32(): a number ended by a blank or the end. */
static const char *skip_number(const char *s)
{
        char *end;

        if (!*s)
                return NULL;
        (void)strtol(s, &end, 10);
        if (end == s || !(*end == ' ' || *end == '\t' || *end == '\0') || !*end)
                return NULL;
        return end;
}

/* Propagation tags, the only optional fields the kernel writes (proc(5)). */
static bool optional_field_kept(const char *s, size_t n)
{
        static const char *const tags[] = { "shared:", "master:", "propagate_from:" };

        if (n == 10 && memcmp(s, "unbindable", 10) == 0)
                return true;
        for (size_t i = 0; i < ARRAY_SIZE(tags); i++) {
                size_t t = strlen(tags[i]);
                if (n > t && memcmp(s, tags[i], t) == 0 && plain_word(s + t, n - t, ""))
                        return true;
        }
        return false;
}

static int put_reduced_options(FILE *f, const char *fstype, const char *s, size_t n)
{
        _cleanup_free_ char *raw = unmangle_token(s, n);
        _cleanup_free_ char *red = raw ? mount_options_reduce(fstype, raw) : NULL;

        if (!red)
                return -ENOMEM;
        put_mangled(f, red, n);
        return 0;
}

/* One line that begins like mountinfo, its fields found as libmount's
 * mnt_parse_mountinfo_line() finds them (2.38). Returns 1 when libmount would
 * refuse it, 0 when written reduced, -ENOMEM. */
static int reduce_fields(FILE *f, const char *line)
{
        _cleanup_free_ char *fstype = NULL, *src = NULL, *src_red = NULL;
        const char *s, *vfs, *vfs_end, *p, *t, *t_end, *src_start = NULL, *src_end = NULL, *fso,
                                                       *fso_end;
        unsigned maj, min;

        if (!(s = skip_number(line)))
                return 1;
        if (!(s = skip_number(skip_sep(s))))
                return 1;
        s = skip_sep(s);
        if (sscanf(s, "%u:%u", &maj, &min) != 2)
                return 1;
        s = skip_sep(skip_word(s)); /* maj:min */
        s = skip_sep(skip_word(s)); /* root */
        s = skip_sep(skip_word(s)); /* mount point */
        vfs = s;
        vfs_end = skip_word(s);
        p = strstr(vfs_end, " - ");
        if (!p)
                return 1;
        t = skip_sep(p + 3);
        t_end = skip_word(t);
        if (!*t_end)
                return 1; /* no source */
        fstype = unmangle_token(t, (size_t)(t_end - t));
        if (!fstype)
                return -ENOMEM;
        if (t_end[0] == ' ' && t_end[1] == ' ')
                fso = t_end; /* an empty source */
        else {
                src_start = skip_sep(t_end);
                src_end = skip_word(src_start);
                fso = src_end;
        }
        fso = skip_sep(fso);
        fso_end = skip_word(fso);

        /* ids, device, root and mount point as they are */
        fwrite(line, 1, (size_t)(vfs - line), f);
        if (put_reduced_options(f, fstype, vfs, (size_t)(vfs_end - vfs)) < 0)
                return -ENOMEM;
        for (const char *o = skip_sep(vfs_end); o < p;) {
                const char *e = skip_word(o);
                if (e > p)
                        e = p;
                if (optional_field_kept(o, (size_t)(e - o))) {
                        fputc(' ', f);
                        fwrite(o, 1, (size_t)(e - o), f);
                }
                o = skip_sep(e);
        }
        fputs(" - ", f);
        fwrite(p + 3, 1, (size_t)(t_end - (p + 3)), f); /* blanks, type */
        if (src_start) {
                src = unmangle_token(src_start, (size_t)(src_end - src_start));
                src_red = src ? mount_source_reduce(src) : NULL;
                if (!src_red)
                        return -ENOMEM;
                fwrite(t_end, 1, (size_t)(src_start - t_end), f);
                put_mangled(f, src_red, (size_t)(src_end - src_start));
                fwrite(src_end, 1, (size_t)(fso - src_end), f);
        } else
                fwrite(t_end, 1, (size_t)(fso - t_end), f);
        /* Whatever follows the super options, libmount does not read. */
        return put_reduced_options(f, fstype, fso, (size_t)(fso_end - fso));
}

int mounts_reduce_mountinfo(const char *in, size_t len, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *out = NULL, *line = NULL;
        size_t olen = 0;
        FILE *f;
        int k = 0;

        f = open_memstream(&out, &olen);
        if (!f)
                return -ENOMEM;
        /* Line by line, each judged as mounts_load() judges it: a line it
         * refuses becomes a stand-in that it refuses for the same reason, so
         * a replay gives the same warnings at the same line numbers. */
        for (const char *p = in, *end = in + len; p < end && k == 0;) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
                size_t blank = 0;

                while (blank < n && (p[blank] == ' ' || p[blank] == '\t'))
                        blank++;
                if (n >= LINE_MAX_BYTES) {
                        for (size_t i = 0; i < LINE_MAX_BYTES; i++)
                                fputc('x', f);
                } else if (blank >= n)
                        fputc(' ', f); /* an empty line; a last one must keep a byte */
                else if (p[blank] == '#')
                        fputc('#', f);
                else if (memchr(p, '\0', n))
                        fputc('\0', f);
                else if (!starts_like_mountinfo(p, n))
                        fputc('x', f);
                else {
                        free(line);
                        line = strndup(p, n);
                        if (!line) {
                                k = -ENOMEM;
                                break;
                        }
                        /* libmount drops a '\r' before the '\n'. */
                        if (n > 0 && line[n - 1] == '\r')
                                line[n - 1] = '\0';
                        k = reduce_fields(f, line);
                        if (k == 1) { /* refused by libmount: by us too */
                                fputc('x', f);
                                k = 0;
                        }
                }
                if (nl)
                        fputc('\n', f);
                p = nl ? nl + 1 : end;
        }
        if (fclose(f) != 0 && k == 0)
                k = -ENOMEM;
        if (k < 0)
                return k;
        *ret_len = olen;
        *ret = TAKE_PTR(out);
        return 0;
}
