/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <libmount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "macro.h"
#include "mounts.h"
#include "strutil.h"

#define MOUNTINFO "/proc/self/mountinfo"
/* The kernel writes a mountinfo line through seq_file, a page or so; overlay
 * mounts with many layers reach a few KiB. 64 KiB is generous and bounds memory. */
#define LINE_MAX_BYTES (64 * 1024)
/* Lines handed to libmount at once: its table is dropped after each chunk. */
#define CHUNK_LINES 2048
/* A real table has thousands of lines; past these the file is not a mount table. */
#define FILE_MAX_BYTES (256u * 1024 * 1024)
#define KEEP_MAX 4096
#define BAD_LINES_REPORTED 5

DEFINE_TRIVIAL_CLEANUP_FUNC(struct libmnt_table *, mnt_unref_table)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct libmnt_iter *, mnt_free_iter)

struct chunk {
        char *buf;
        size_t len, cap;
        unsigned *lineno;   /* file line of each chunk line */
        bool *failed;       /* libmount rejected that chunk line */
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

static int copy_entry(struct libmnt_fs *fs, unsigned line, struct mount_entry *e)
{
        dev_t dev = mnt_fs_get_devno(fs);

        *e = (struct mount_entry){
                .id = mnt_fs_get_id(fs),
                .parent_id = mnt_fs_get_parent_id(fs),
                .major = major(dev),
                .minor = minor(dev),
                .root = strdup_or_null(mnt_fs_get_root(fs)),
                .target = strdup_or_null(mnt_fs_get_target(fs)),
                .fstype = strdup_or_null(mnt_fs_get_fstype(fs)),
                .source = strdup_or_null(mnt_fs_get_source(fs)),
                .options = mnt_fs_strdup_options(fs),
                .fs_options = strdup_or_null(mnt_fs_get_fs_options(fs)),
                .line = line,
        };
        if (!e->target || !e->fstype) {
                mount_entry_done(e);
                return -EINVAL;
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
        (void)mnt_table_parse_stream(tb, f, ctx->table->file);
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
                if (copy_entry(fs, line, &e) < 0) {
                        bad_line(ctx, line, "mountinfo line without a mount point or type");
                        continue;
                }
                if (filter && !filter(&e, userdata)) {
                        mount_entry_done(&e);
                        continue;
                }
                if (ctx->table->n >= KEEP_MAX) {
                        mount_entry_done(&e);
                        ctx->error = -E2BIG;
                        continue;
                }
                {
                        struct mount_entry *n = realloc(ctx->table->entries,
                                                        (ctx->table->n + 1) * sizeof(*n));
                        if (!n) {
                                mount_entry_done(&e);
                                return -ENOMEM;
                        }
                        ctx->table->entries = n;
                        n[ctx->table->n++] = e;
                }
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
        size_t have = 0, total = 0;
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
         * before libmount, which would read either without complaint. */
        while (!eof || have > 0) {
                char *nl;

                buf[have] = '\0'; /* bounds the strspn() below */
                if (!eof && have < LINE_MAX_BYTES) {
                        ssize_t n = read(fd, buf + have, LINE_MAX_BYTES - have);
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
                                have = 0;
                                break;
                        }
                        continue;
                }
                nl = memchr(buf, '\n', have);
                if (!nl && !eof) {
                        /* A full buffer with no newline: drop it, keep skipping. */
                        if (!skipping) {
                                lineno++;
                                bad_line(&ctx, lineno, "line longer than 64 KiB");
                        }
                        skipping = true;
                        have = 0;
                        continue;
                }
                {
                        size_t len = nl ? (size_t)(nl - buf) : have;
                        size_t consumed = nl ? len + 1 : have;

                        if (skipping) {
                                skipping = false;
                        } else {
                                lineno++;
                                ret->lines++;
                                if (strspn(buf, " \t") >= len)
                                        bad_line(&ctx, lineno, "empty line");
                                else if (buf[strspn(buf, " \t")] == '#')
                                        bad_line(&ctx, lineno, "comment in mountinfo");
                                else if (memchr(buf, '\0', len))
                                        bad_line(&ctx, lineno, "NUL byte in line");
                                else if (!starts_like_mountinfo(buf, len))
                                        bad_line(&ctx, lineno, "malformed mountinfo line");
                                else {
                                        r = chunk_add(&chunk, buf, len, lineno);
                                        if (r < 0)
                                                goto out;
                                        if (chunk.nlines == CHUNK_LINES) {
                                                r = flush_chunk(&ctx, filter, userdata);
                                                if (r < 0)
                                                        goto out;
                                        }
                                }
                        }
                        memmove(buf, buf + consumed, have - consumed);
                        have -= consumed;
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
