/* SPDX-License-Identifier: MIT */
/* mounts_load on hand-made mountinfo files: what libmount is given, what it
 * rejects, and that every warning names the right FILE:LINE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe/mounts.h"
#include "core/strutil.h"
#include "core/sysroot.h"
#include "tmptree.h"

struct fixture {
        char *dir;
        char *file; /* display name of DIR/proc/self/mountinfo */
        struct sysroot root;
        struct mount_table t;
        char **warnings;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));

        if (!f || !(f->dir = tt_new()))
                return -1;
        if (asprintf(&f->file, "%s/proc/self/mountinfo", f->dir) < 0)
                return -1;
        f->root.fd = -1;
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;

        mount_table_done(&f->t);
        strv_free(f->warnings);
        sysroot_close(&f->root);
        free(f->file);
        tt_free(f->dir);
        free(f);
        return 0;
}

#define LINE(id, target)                                                                           \
#id " 1 259:" #id " / " target " rw,relatime - xfs /dev/nvme1n1 rw,noquota\n"

static int load(struct fixture *f, const char *content, size_t len, mount_filter_t filter,
                void *userdata)
{
        assert_int_equal(tt_write(f->dir, "proc/self/mountinfo", content, len), 0);
        if (f->root.fd < 0)
                assert_int_equal(sysroot_open(&f->root, f->dir), 0);
        mount_table_done(&f->t);
        f->warnings = strv_free(f->warnings);
        return mounts_load(&f->root, filter, userdata, &f->t, &f->warnings);
}

static void assert_warning(struct fixture *f, size_t i, const char *fmt, ...) _printf_(3, 4);
static void assert_warning(struct fixture *f, size_t i, const char *fmt, ...)
{
        char want[512], full[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(want, sizeof(want), fmt, ap);
        va_end(ap);
        snprintf(full, sizeof(full), "%s:%s", f->file, want);
        assert_true(i < strv_length(f->warnings));
        assert_string_equal(f->warnings[i], full);
}

static void test_basic(void **state)
{
        struct fixture *f = *state;
        static const char text[] =
                "1503 1384 0:170 / / rw,relatime master:1 - overlay overlay "
                "rw,lowerdir=/a:/b,upperdir=/u,workdir=/w\n"
                "1525 1503 259:3 / /home/sagemaker-user rw,relatime - xfs /dev/nvme1n1 "
                "rw,attr2,noquota\n"
                "1600 1503 259:4 /sub /mnt/with\\040space\\011tab rw - ext4 /dev/nvme2n1 rw\n"
                "1601 1503 0:55 / /mnt/custom-file-systems/efs/fs-0123456789abcdef0 rw,relatime "
                "shared:5 master:6 - nfs4 127.0.0.1:/ rw,vers=4.1,rsize=1048576,port=20050\n";

        assert_int_equal(load(f, text, sizeof(text) - 1, NULL, NULL), 0);
        assert_null(f->warnings);
        assert_int_equal(f->t.n, 4);
        assert_int_equal(f->t.lines, 4);
        assert_int_equal(f->t.bad_lines, 0);
        assert_string_equal(f->t.file, f->file);

        assert_int_equal(f->t.entries[0].id, 1503);
        assert_int_equal(f->t.entries[0].parent_id, 1384);
        assert_string_equal(f->t.entries[0].target, "/");
        assert_string_equal(f->t.entries[0].fstype, "overlay");
        assert_int_equal(f->t.entries[0].major, 0);
        assert_int_equal(f->t.entries[0].minor, 170);

        assert_int_equal(f->t.entries[1].major, 259);
        assert_int_equal(f->t.entries[1].minor, 3);
        assert_string_equal(f->t.entries[1].source, "/dev/nvme1n1");
        assert_int_equal(f->t.entries[1].line, 2);
        assert_non_null(strstr(f->t.entries[1].options, "relatime"));
        assert_non_null(strstr(f->t.entries[1].options, "noquota"));

        /* Octal escapes decoded: \040 space, \011 tab. */
        assert_string_equal(f->t.entries[2].target, "/mnt/with space\ttab");
        assert_string_equal(f->t.entries[2].root, "/sub");
        assert_int_equal(f->t.entries[2].line, 3);

        assert_string_equal(f->t.entries[3].fstype, "nfs4");
        assert_string_equal(f->t.entries[3].source, "127.0.0.1:/");
        assert_non_null(f->t.entries[3].fs_options);
        assert_non_null(strstr(f->t.entries[3].fs_options, "vers=4.1"));
        assert_null(strstr(f->t.entries[3].fs_options, "relatime")); /* VFS options apart */
}

static void test_missing_and_empty(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(tt_mkdir(f->dir, "proc"), 0);
        assert_int_equal(sysroot_open(&f->root, f->dir), 0);
        assert_int_equal(mounts_load(&f->root, NULL, NULL, &f->t, &f->warnings), -ENOENT);

        assert_int_equal(load(f, "", 0, NULL, NULL), 0);
        assert_int_equal(f->t.n, 0);
        assert_int_equal(f->t.lines, 0);
        assert_null(f->warnings);

        /* No final newline: the last line still counts. */
        {
                static const char t[] = "36 1 259:3 / /x rw - xfs /dev/x rw";
                assert_int_equal(load(f, t, sizeof(t) - 1, NULL, NULL), 0);
                assert_int_equal(f->t.n, 1);
                assert_string_equal(f->t.entries[0].target, "/x");
        }
}

static void test_bad_lines(void **state)
{
        struct fixture *f = *state;
        static const char text[] = LINE(1, "/a")               /* 1 */
                "garbage\n"                                    /* 2: libmount rejects */
                LINE(3, "/c")                                  /* 3 */
                "36 25 259:3 / /truncated rw\n"                /* 4: no separator */
                LINE(5, "/e")                                  /* 5 */
                "\n"                                           /* 6: blank */
                "# comment\n"                                  /* 7 */
                LINE(8, "/h")                                  /* 8 */
                "38 1 259:1 / /nul\0byte rw - xfs /dev/x rw\n" /* 9: NUL */
                LINE(10, "/j");                                /* 10 */

        assert_int_equal(load(f, text, sizeof(text) - 1, NULL, NULL), 0);
        assert_int_equal(f->t.lines, 10);
        assert_int_equal(f->t.n, 5);
        assert_int_equal(f->t.bad_lines, 5);
        assert_int_equal(strv_length(f->warnings), 5);
        /* In the order they were found: the reader's own checks first (blank,
         * comment, NUL: before libmount sees the chunk), then libmount's. */
        {
                static const unsigned want_lines[] = { 1, 3, 5, 8, 10 };
                static const char *const want_targets[] = { "/a", "/c", "/e", "/h", "/j" };
                for (size_t i = 0; i < f->t.n; i++) {
                        assert_string_equal(f->t.entries[i].target, want_targets[i]);
                        assert_int_equal(f->t.entries[i].line, want_lines[i]);
                        assert_int_equal(f->t.entries[i].id, want_lines[i]);
                }
        }
        {
                bool seen[11] = {};
                for (char **w = f->warnings; *w; w++) {
                        unsigned line;
                        size_t fl = strlen(f->file);
                        assert_memory_equal(*w, f->file, fl);
                        assert_int_equal(sscanf(*w + fl, ":%u:", &line), 1);
                        assert_true(line <= 10);
                        seen[line] = true;
                        assert_non_null(strstr(*w, ", ignoring"));
                }
                assert_true(seen[2] && seen[4] && seen[6] && seen[7] && seen[9]);
        }
        for (char **w = f->warnings; *w; w++) {
                if (strstr(*w, ":6:"))
                        assert_warning(f, (size_t)(w - f->warnings), "6: empty line, ignoring");
                if (strstr(*w, ":7:"))
                        assert_warning(f, (size_t)(w - f->warnings),
                                       "7: comment in mountinfo, ignoring");
                if (strstr(*w, ":9:"))
                        assert_warning(f, (size_t)(w - f->warnings),
                                       "9: NUL byte in line, ignoring");
                if (strstr(*w, ":2:"))
                        assert_warning(f, (size_t)(w - f->warnings),
                                       "2: malformed mountinfo line, ignoring");
        }
}

static void test_many_bad_lines_summarised(void **state)
{
        struct fixture *f = *state;
        char text[4096] = "";

        for (int i = 0; i < 8; i++)
                strcat(text, "junk junk\n");
        strcat(text, LINE(9, "/ok"));
        assert_int_equal(load(f, text, strlen(text), NULL, NULL), 0);
        assert_int_equal(f->t.n, 1);
        assert_int_equal(f->t.entries[0].line, 9);
        assert_int_equal(f->t.bad_lines, 8);
        assert_int_equal(strv_length(f->warnings), 6);
        for (unsigned i = 0; i < 5; i++)
                assert_warning(f, i, "%u: malformed mountinfo line, ignoring", i + 1);
        {
                char want[1024];
                snprintf(want, sizeof(want), "%s: 3 more malformed lines ignored", f->file);
                assert_string_equal(f->warnings[5], want);
        }
}

static void test_long_lines(void **state)
{
        struct fixture *f = *state;
        size_t cap = 400 * 1024, len = 0;
        char *text;

        text = malloc(cap);
        len += (size_t)sprintf(text + len, "1 0 0:1 / / rw - overlay overlay rw,lowerdir=");
        memset(text + len, 'l', 60 * 1024);
        len += 60 * 1024;
        text[len++] = '\n';
        memset(text + len, 'x', 70 * 1024);
        len += 70 * 1024;
        text[len++] = '\n';
        len += (size_t)sprintf(text + len, LINE(3, "/after"));
        memset(text + len, 'y', 130 * 1024);
        len += 130 * 1024;
        text[len++] = '\n';
        len += (size_t)sprintf(text + len, LINE(5, "/last"));

        assert_int_equal(load(f, text, len, NULL, NULL), 0);
        free(text);
        assert_int_equal(f->t.n, 3);
        assert_string_equal(f->t.entries[0].target, "/");
        assert_int_equal(f->t.entries[0].line, 1);
        assert_true(strlen(f->t.entries[0].options) > 60 * 1024);
        assert_string_equal(f->t.entries[1].target, "/after");
        assert_int_equal(f->t.entries[1].line, 3);
        assert_string_equal(f->t.entries[2].target, "/last");
        assert_int_equal(f->t.entries[2].line, 5);
        assert_int_equal(strv_length(f->warnings), 2);
        assert_warning(f, 0, "2: line longer than 64 KiB, ignoring");
        assert_warning(f, 1, "4: line longer than 64 KiB, ignoring");
        assert_int_equal(f->t.bad_lines, 2);
}

struct big_ctx {
        unsigned calls;
        bool lines_ok;
};

static bool keep_under_keep(const struct mount_entry *e, void *userdata)
{
        struct big_ctx *c = userdata;
        unsigned id;

        c->calls++;
        /* Every target is "/m/<line>" or "/keep/<line>": the line must match. */
        if (sscanf(strrchr(e->target, '/') + 1, "%u", &id) != 1 || id != e->line)
                c->lines_ok = false;
        return startswith(e->target, "/keep/");
}

static char *big_table(size_t nlines, size_t *ret_len, const unsigned *bad, size_t nbad)
{
        char *text = malloc(nlines * 80), *p = text;

        for (size_t i = 1; i <= nlines; i++) {
                bool is_bad = false;
                for (size_t b = 0; b < nbad; b++)
                        is_bad |= bad[b] == i;
                /* Starts like mountinfo, so libmount itself must reject it
                 * (and the entries after it keep their line numbers). */
                if (is_bad)
                        p += sprintf(p, "%zu 1 8:1 / /truncated rw\n", i);
                else
                        p += sprintf(p, "%zu 1 8:%zu / /%s/%zu rw - ext4 /dev/sda rw\n", i, i % 256,
                                     i % 50000 == 7 ? "keep" : "m", i);
        }
        *ret_len = (size_t)(p - text);
        return text;
}

static void test_huge_filtered(void **state)
{
        struct fixture *f = *state;
        /* Bad lines on both sides of the 2048-line chunk boundaries. */
        static const unsigned bad[] = { 2047, 2048, 2049, 4097, 150001 };
        struct big_ctx c = { .lines_ok = true };
        size_t len;
        char *text = big_table(200000, &len, bad, ARRAY_SIZE(bad));

        assert_int_equal(load(f, text, len, keep_under_keep, &c), 0);
        free(text);
        assert_int_equal(f->t.lines, 200000);
        assert_int_equal(f->t.bad_lines, ARRAY_SIZE(bad));
        assert_int_equal(c.calls, 200000 - ARRAY_SIZE(bad));
        assert_true(c.lines_ok);
        /* Only the 4 kept entries are held, not 200,000. */
        assert_int_equal(f->t.n, 4);
        for (size_t i = 0; i < f->t.n; i++) {
                char want[32];
                snprintf(want, sizeof(want), "/keep/%zu", i * 50000 + 7);
                assert_string_equal(f->t.entries[i].target, want);
                assert_int_equal(f->t.entries[i].line, i * 50000 + 7);
        }
        for (size_t i = 0; i < 5; i++)
                assert_warning(f, i, "%u: malformed mountinfo line, ignoring", bad[i]);
}

static void test_huge_unfiltered_capped(void **state)
{
        struct fixture *f = *state;
        size_t len;
        char *text = big_table(20000, &len, NULL, 0);

        assert_int_equal(load(f, text, len, NULL, NULL), 0);
        free(text);
        assert_int_equal(f->t.lines, 20000);
        assert_int_equal(f->t.n, 4096);
        assert_int_equal(strv_length(f->warnings), 1);
        assert_non_null(strstr(f->warnings[0], "more than 4096 mounts of interest"));
        assert_string_equal(f->t.entries[4095].target, "/m/4096");
}

static void test_find_containing(void **state)
{
        struct mount_entry e[] = {
                { .target = (char *)"/" },
                { .target = (char *)"/home" },
                { .target = (char *)"/home/sagemaker-user", .id = 1 },
                { .target = (char *)"/homes" },
                { .target = (char *)"/home/sagemaker-user", .id = 2 }, /* mounted over */
                { .target = (char *)"/home/sagemaker-user/a b" },
        };
        struct mount_table t = { .entries = e, .n = ARRAY_SIZE(e) };
        static const struct {
                const char *path;
                size_t idx;
        } rows[] = {
                { "/", 0 },
                { "/etc/passwd", 0 },
                { "/home2", 0 },
                { "/home", 1 },
                { "/home/x", 1 },
                { "/home/sagemaker-user", 4 },
                { "/home/sagemaker-user/x/y", 4 },
                { "/home/sagemaker-user/a", 4 },
                { "/home/sagemaker-user/a b/c", 5 },
                { "/homes/x", 3 },
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                const struct mount_entry *m = mounts_find_containing(&t, rows[i].path);
                print_message("find_containing(%s)\n", rows[i].path);
                assert_ptr_equal(m, &e[rows[i].idx]);
        }
        t.n = 0;
        assert_null(mounts_find_containing(&t, "/x"));
        t.entries = &e[1];
        t.n = 1;
        assert_null(mounts_find_containing(&t, "/etc"));
}

static void test_options(void **state)
{
        static const char o[] = "rw,vers=4.1,rsize=1048576,hard,timeo=600,noresvport,addr=10.0.0.1";
        static const struct {
                const char *name, *value;
        } rows[] = {
                { "vers", "4.1" },    { "rsize", "1048576" }, { "hard", "" },     { "rw", "" },
                { "noresvport", "" }, { "addr", "10.0.0.1" }, { "timeo", "600" }, { "soft", NULL },
                { "resvport", NULL }, /* not a substring match */
                { "size", NULL },     /* not a suffix of rsize */
                { "ver", NULL },
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                char *v = mount_option_get(o, rows[i].name);
                print_message("option %s\n", rows[i].name);
                if (rows[i].value) {
                        assert_non_null(v);
                        assert_string_equal(v, rows[i].value);
                        assert_true(mount_option_has(o, rows[i].name));
                } else {
                        assert_null(v);
                        assert_false(mount_option_has(o, rows[i].name));
                }
                free(v);
        }
        assert_null(mount_option_get(NULL, "vers"));
        assert_false(mount_option_has(NULL, "vers"));
        assert_null(mount_option_get("", "vers"));
}

/* What a bundle keeps of options and sources (collect): values only on the
 * list, none at all for FUSE and CIFS, nothing libmount would read as more. */
static void test_reduce_options(void **state)
{
        static const struct {
                const char *fstype, *in, *out;
        } rows[] = {
                { "nfs4", "rw,vers=4.1,rsize=1048576,hard,timeo=600,noresvport,addr=10.0.0.1",
                  "rw,vers=4.1,rsize=1048576,hard,timeo=600,noresvport,addr=" },
                { "cifs", "rw,vers=3.0,username=alice,password=hunter2,domain=CORP",
                  "rw,vers=,username=,password=,domain=" },
                { "fuse.sshfs", "rw,user_id=0,password=hunter2", "rw,user_id=,password=" },
                { "fuseblk", "rw,size=1", "rw,size=" },
                { "ext4", "rw,errors=remount-ro,data=ordered,journal_path=/x",
                  "rw,errors=remount-ro,data=ordered,journal_path=" },
                { "ceph", "name=admin,secret=AQB==", "name=,secret=" },
                /* a value that is no plain word is dropped even for a kept key */
                { "nfs4", "vers=4.1\\054password=x", "vers=" },
                { "nfs4", "vers=\"4.1,password=x\"", "vers=" },
                { "tmpfs",
                  "size="
                  "12345678901234567890123456789012345678901234567890123456789012345",
                  "size=" },
                /* an option without a plain name goes whole */
                { "nfs4", "rw,pass\\075word,hard", "rw,hard" },
                { "nfs4", "rw,,hard", "rw,hard" },
                /* never an empty field: it would shift mountinfo's fields */
                { "nfs4", "\"x", "dropped" },
                { "nfs4", "", "" },
                { NULL, "rw,size=1", "rw,size=" },
        };
        static const struct {
                const char *in, *out;
        } sources[] = {
                { "10.0.0.1:/export", "10.0.0.1:/export" },
                { "fs-0123.efs.us-east-1.amazonaws.com:/a@b",
                  "fs-0123.efs.us-east-1.amazonaws.com:/a@b" },
                { "https://carol:pw@dav.example/x", "https://carol@dav.example/x" },
                { "bob:p:w@host:/data", "bob@host:/data" },
                { "bob@host:/data", "bob@host:/data" },
                { "//srv/share", "//srv/share" },
                { "", "" },
        };
        char *r;

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                print_message("options %s: %s\n", rows[i].fstype, rows[i].in);
                r = mount_options_reduce(rows[i].fstype, rows[i].in);
                assert_non_null(r);
                assert_string_equal(r, rows[i].out);
                free(r);
        }
        assert_null(mount_options_reduce("nfs", NULL));
        for (size_t i = 0; i < ARRAY_SIZE(sources); i++) {
                r = mount_source_reduce(sources[i].in);
                assert_non_null(r);
                assert_string_equal(r, sources[i].out);
                free(r);
        }
        assert_null(mount_source_reduce(NULL));
}

/* mounts_reduce_mountinfo: the same table for mounts_load, line for line. */
static void test_reduce_mountinfo(void **state)
{
        struct fixture *f = *state;
        static const char in[] =
                "1 0 259:1 / / rw,relatime shared:1 junk:secret - xfs /dev/nvme0n1p1 rw,attr2\n"
                "2 1 0:50 / /home/sagemaker-user rw - nfs4 10.0.0.1:/ "
                "rw,vers=4.0,rsize=65536,soft,timeo=30,clientaddr=10.0.0.2\n"
                "3 1 0:51 / /mnt/my\\040share rw - cifs //srv/s rw,password=hunter2\r\n"
                "4 1 0:52 / /mnt/empty rw - tmpfs  rw,size=1k,nr_inodes=\\000secret\n"
                "5 1 0:53 / /mnt/tabs\trw - \tnfs\tsrv:/x\trw,port=2049,retry=secret!\n"
                "# comment secret\n"
                "\n"
                "6 1 0:1 no separator secret\n"
                "garbage secret\n"
                "7 1 0:54 / /mnt/trail rw - nfs4 u:secret@srv:/x rw,vers=4.1 trailing-secret";
        char *out = NULL;
        size_t olen, n_orig;
        struct mount_table orig = {};
        char **w_orig = NULL;

        assert_int_equal(load(f, in, sizeof(in) - 1, NULL, NULL), 0);
        orig = f->t;
        f->t = (struct mount_table){};
        w_orig = TAKE_PTR(f->warnings);
        n_orig = orig.n;
        assert_int_equal(n_orig, 6);

        assert_int_equal(mounts_reduce_mountinfo(in, sizeof(in) - 1, &out, &olen), 0);
        print_message("%s\n", out);
        assert_null(strstr(out, "secret"));
        assert_null(strstr(out, "hunter2"));
        assert_null(strstr(out, "10.0.0.2"));
        assert_int_equal(load(f, out, olen, NULL, NULL), 0);
        assert_int_equal(f->t.n, n_orig);
        assert_int_equal(f->t.lines, orig.lines);
        assert_int_equal(f->t.bad_lines, orig.bad_lines);
        assert_int_equal(strv_length(f->warnings), strv_length(w_orig));
        for (size_t i = 0; w_orig && w_orig[i]; i++)
                assert_string_equal(f->warnings[i], w_orig[i]);
        for (size_t i = 0; i < n_orig; i++) {
                const struct mount_entry *a = &orig.entries[i], *b = &f->t.entries[i];
                char *ro;

                assert_int_equal(a->id, b->id);
                assert_int_equal(a->major, b->major);
                assert_int_equal(a->minor, b->minor);
                assert_string_equal(a->target, b->target);
                assert_string_equal(a->fstype, b->fstype);
                assert_string_equal(a->root, b->root);
                ro = mount_options_reduce(a->fstype, a->fs_options);
                assert_string_equal(ro, b->fs_options);
                free(ro);
                /* the report's copy (collect reduces the merged string) */
                ro = mount_options_reduce(a->fstype, a->options);
                assert_string_equal(ro, b->options);
                free(ro);
                ro = mount_source_reduce(a->source);
                assert_string_equal(ro, b->source);
                free(ro);
                /* what probe/nfs.c reads */
                for (const char *const *k =
                             (const char *const[]){ "vers", "rsize", "wsize", "timeo", "retrans",
                                                    "port", "soft", "noresvport", NULL };
                     *k; k++) {
                        char *va = mount_option_get(a->fs_options, *k);
                        char *vb = mount_option_get(b->fs_options, *k);
                        assert_true(streq_ptr(va, vb));
                        free(va);
                        free(vb);
                }
        }
        assert_string_equal(f->t.entries[2].target, "/mnt/my share");
        assert_string_equal(f->t.entries[3].source, "");
        assert_string_equal(f->t.entries[4].fs_options, "rw,port=2049,retry=");
        assert_string_equal(f->t.entries[5].source, "u@srv:/x");
        free(out);
        mount_table_done(&orig);
        strv_free(w_orig);

        /* a last line without its newline keeps a byte, or the reader would
         * see one line less (found by fuzz-mountinfo) */
        {
                static const char tail[] = LINE(1, "/") " \t";
                size_t lines, bad;

                assert_int_equal(load(f, tail, sizeof(tail) - 1, NULL, NULL), 0);
                lines = f->t.lines;
                bad = f->t.bad_lines;
                assert_int_equal(mounts_reduce_mountinfo(tail, sizeof(tail) - 1, &out, &olen), 0);
                assert_int_equal(load(f, out, olen, NULL, NULL), 0);
                assert_int_equal(f->t.lines, lines);
                assert_int_equal(f->t.bad_lines, bad);
                free(out);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_and_empty, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_lines, setup, teardown),
                cmocka_unit_test_setup_teardown(test_many_bad_lines_summarised, setup, teardown),
                cmocka_unit_test_setup_teardown(test_long_lines, setup, teardown),
                cmocka_unit_test_setup_teardown(test_huge_filtered, setup, teardown),
                cmocka_unit_test_setup_teardown(test_huge_unfiltered_capped, setup, teardown),
                cmocka_unit_test(test_find_containing),
                cmocka_unit_test(test_options),
                cmocka_unit_test(test_reduce_options),
                cmocka_unit_test_setup_teardown(test_reduce_mountinfo, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
