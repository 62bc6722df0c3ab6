/* SPDX-License-Identifier: MIT */
/* The --sysroot layer: chroot-style resolution in userspace, bounded reads,
 * and what a hostile snapshot may hold (FIFOs, loops, binary attributes).
 * Every test runs twice: with openat2(RESOLVE_IN_ROOT), and in a child whose
 * seccomp filter refuses openat2 as a kernel before 5.6 would, so that the
 * user-space resolver answers the same questions the same way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/strutil.h"
#include "core/sysroot.h"
#include "seccomp-deny.h"
#include "tmptree.h"

struct fixture {
        char *dir;
        struct sysroot root;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));

        if (!f || !(f->dir = tt_new()))
                return -1;
        f->root.fd = -1;
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;

        sysroot_close(&f->root);
        tt_free(f->dir);
        free(f);
        return 0;
}

static void open_root(struct fixture *f)
{
        assert_int_equal(sysroot_open(&f->root, f->dir), 0);
        assert_true(sysroot_is_replay(&f->root));
}

static void test_open(void **state)
{
        struct fixture *f = *state;
        struct sysroot r = { .fd = -1 };
        char p[PATH_MAX];

        assert_int_equal(tt_puts(f->dir, "file", "x"), 0);
        snprintf(p, sizeof(p), "%s/missing", f->dir);
        assert_int_equal(sysroot_open(&r, p), -ENOENT);
        snprintf(p, sizeof(p), "%s/file", f->dir);
        assert_int_equal(sysroot_open(&r, p), -ENOTDIR);

        assert_int_equal(sysroot_open(&r, NULL), 0);
        assert_false(sysroot_is_replay(&r));
        {
                char *d = sysroot_display(&r, "/proc/self/mountinfo");
                assert_string_equal(d, "/proc/self/mountinfo");
                free(d);
        }
        sysroot_close(&r);

        open_root(f);
        {
                char *d = sysroot_display(&f->root, "/proc/self/mountinfo"), want[PATH_MAX];
                snprintf(want, sizeof(want), "%s/proc/self/mountinfo", f->dir);
                assert_string_equal(d, want);
                free(d);
        }
}

static void test_resolve(void **state)
{
        struct fixture *f = *state;
        static const struct {
                const char *in;
                int ret;
                const char *out;
        } rows[] = {
                { "/", 0, "/" },
                { ".", 0, "/" },
                { "", -ENOENT, NULL },
                { "/real/dir/file", 0, "/real/dir/file" },
                { "real/dir", 0, "/real/dir" }, /* relative: from the root */
                { "//real///dir/./", 0, "/real/dir" },
                { "/abs/file", 0, "/real/dir/file" },  /* absolute target stays inside */
                { "/escape", 0, "/real" },             /* "/../../../real" */
                { "/../../real/dir", 0, "/real/dir" }, /* ".." past the top */
                { "/real/../../../..", 0, "/" },
                { "/rel/link/file", 0, "/real/dir/file" }, /* relative link, up a dir */
                { "/l1/dir", 0, "/real/dir" },             /* a chain of links */
                { "/sl/../x", 0, "/real/x" },              /* ".." after a link is physical */
                { "/hostetc", -ENOENT, NULL }, /* /etc/passwd of the root, not the host */
                { "/loop1", -ELOOP, NULL },
                { "/self/x", -ELOOP, NULL },
                { "/chain0", 0, "/real" },  /* exactly 40 links */
                { "/over0", -ELOOP, NULL }, /* 41 links */
                { "/real/nope", -ENOENT, NULL },
                { "/nope/x", -ENOENT, NULL },
                { "/real/dir/file/x", -ENOTDIR, NULL },
                { "/real/dir/with space", 0, "/real/dir/with space" },
        };
        char name[32], target[32];

        assert_int_equal(tt_puts(f->dir, "real/dir/file", "data"), 0);
        assert_int_equal(tt_puts(f->dir, "real/dir/with space", ""), 0);
        assert_int_equal(tt_puts(f->dir, "real/x", "x"), 0);
        assert_int_equal(tt_symlink(f->dir, "abs", "/real/dir"), 0);
        assert_int_equal(tt_symlink(f->dir, "escape", "/../../../real"), 0);
        assert_int_equal(tt_symlink(f->dir, "rel/link", "../real/dir"), 0);
        assert_int_equal(tt_symlink(f->dir, "l1", "l2"), 0);
        assert_int_equal(tt_symlink(f->dir, "l2", "real"), 0);
        assert_int_equal(tt_symlink(f->dir, "sl", "real/dir"), 0);
        assert_int_equal(tt_symlink(f->dir, "hostetc", "/etc/passwd"), 0);
        assert_int_equal(tt_symlink(f->dir, "loop1", "loop2"), 0);
        assert_int_equal(tt_symlink(f->dir, "loop2", "/loop1"), 0);
        assert_int_equal(tt_symlink(f->dir, "self", "self"), 0);
        for (int i = 0; i < 40; i++) {
                snprintf(name, sizeof(name), "chain%d", i);
                snprintf(target, sizeof(target), i == 39 ? "real" : "chain%d", i + 1);
                assert_int_equal(tt_symlink(f->dir, name, target), 0);
        }
        for (int i = 0; i < 41; i++) {
                snprintf(name, sizeof(name), "over%d", i);
                snprintf(target, sizeof(target), i == 40 ? "real" : "over%d", i + 1);
                assert_int_equal(tt_symlink(f->dir, name, target), 0);
        }
        open_root(f);

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                char *out = NULL;
                int r = sysroot_resolve(&f->root, rows[i].in, &out);

                print_message("resolve(\"%s\")\n", rows[i].in);
                assert_int_equal(r, rows[i].ret);
                if (r == 0)
                        assert_string_equal(out, rows[i].out);
                free(out);
                /* The kernel's walk (openat2) agrees with the resolver's. */
                assert_int_equal(sysroot_exists(&f->root, rows[i].in), rows[i].ret == 0);
        }
        {
                char *out = NULL;
                assert_int_equal(sysroot_resolve(&f->root, NULL, &out), -ENOENT);
        }
        assert_true(sysroot_exists(&f->root, "/abs/file"));
        assert_false(sysroot_exists(&f->root, "/loop1"));
        assert_false(sysroot_exists(&f->root, "/hostetc"));
}

/* The kernel's walk is read back from a descriptor's name, less the
 * snapshot's: a snapshot renamed meanwhile, or "/" itself as the root, must
 * give the same answers. */
static void test_resolve_renamed(void **state)
{
        struct fixture *f = *state;
        struct sysroot top = { .fd = -1 };
        char *moved = NULL, *out = NULL, *path = NULL, *want = NULL, *real = NULL;

        assert_int_equal(tt_puts(f->dir, "real/dir/file", "data"), 0);
        assert_int_equal(tt_symlink(f->dir, "abs", "/real/dir"), 0);
        open_root(f);
        assert_int_equal(sysroot_resolve(&f->root, "/abs/file", &out), 0);
        assert_string_equal(out, "/real/dir/file");
        free(out);

        assert_true(asprintf(&moved, "%s.moved", f->dir) > 0);
        assert_int_equal(rename(f->dir, moved), 0);
        assert_int_equal(sysroot_resolve(&f->root, "/abs/file", &out), 0);
        assert_string_equal(out, "/real/dir/file");
        free(out);
        assert_int_equal(sysroot_resolve(&f->root, "/real", &out), 0);
        assert_string_equal(out, "/real");
        free(out);
        assert_int_equal(sysroot_resolve(&f->root, "/real/nope", &out), -ENOENT);
        assert_int_equal(rename(moved, f->dir), 0);

        /* --sysroot=/: the names are the paths. */
        real = realpath(f->dir, NULL);
        assert_non_null(real);
        assert_true(asprintf(&path, "%s/abs/file", f->dir) > 0);
        assert_true(asprintf(&want, "%s/real/dir/file", real) > 0);
        assert_int_equal(sysroot_open(&top, "/"), 0);
        /* "abs" points at "/real/dir" of the root, here the host's: absent. */
        assert_int_equal(sysroot_resolve(&top, path, &out), -ENOENT);
        free(path);
        assert_true(asprintf(&path, "%s/real/dir/file", f->dir) > 0);
        assert_int_equal(sysroot_resolve(&top, path, &out), 0);
        assert_string_equal(out, want);
        free(out);
        assert_int_equal(sysroot_resolve(&top, "/", &out), 0);
        assert_string_equal(out, "/");
        free(out);
        sysroot_close(&top);
        free(moved);
        free(path);
        free(want);
        free(real);
}

static void test_resolve_long(void **state)
{
        struct fixture *f = *state;
        char *big = malloc(PATH_MAX + 10), *out = NULL;

        open_root(f);
        memset(big, 'a', PATH_MAX + 9);
        big[0] = '/';
        big[PATH_MAX + 9] = '\0';
        assert_int_equal(sysroot_resolve(&f->root, big, &out), -ENAMETOOLONG);
        free(big);
}

static void test_read_file(void **state)
{
        struct fixture *f = *state;
        bool have_node;
        char buf[10000], *s = NULL;
        size_t len = 0;

        memset(buf, 'x', sizeof(buf));
        assert_int_equal(tt_write(f->dir, "f100", buf, 100), 0);
        assert_int_equal(tt_write(f->dir, "f4096", buf, 4096), 0);
        assert_int_equal(tt_write(f->dir, "f9000", buf, 9000), 0);
        assert_int_equal(tt_write(f->dir, "empty", "", 0), 0);
        assert_int_equal(tt_puts(f->dir, "etc/hostname", "inside\n"), 0);
        assert_int_equal(tt_symlink(f->dir, "link", "/etc/hostname"), 0);
        assert_int_equal(tt_mkdir(f->dir, "adir"), 0);
        {
                char p[PATH_MAX];
                snprintf(p, sizeof(p), "%s/fifo", f->dir);
                assert_int_equal(mkfifo(p, 0600), 0);
                /* A device node planted in a snapshot (root only: mknod). */
                snprintf(p, sizeof(p), "%s/null", f->dir);
                have_node = mknod(p, S_IFCHR | 0600, makedev(1, 3)) == 0;
        }
        open_root(f);

        assert_int_equal(sysroot_read_file(&f->root, "/f100", 100, &s, &len), 0);
        assert_int_equal(len, 100);
        assert_int_equal(s[100], '\0');
        free(s);
        assert_int_equal(sysroot_read_file(&f->root, "/f100", 99, &s, &len), -EFBIG);
        assert_int_equal(sysroot_read_file(&f->root, "/f4096", 4096, &s, &len), 0);
        assert_int_equal(len, 4096);
        free(s);
        assert_int_equal(sysroot_read_file(&f->root, "/f4096", 4095, &s, &len), -EFBIG);
        assert_int_equal(sysroot_read_file(&f->root, "/f9000", 9000, &s, &len), 0);
        assert_int_equal(len, 9000);
        free(s);
        assert_int_equal(sysroot_read_file(&f->root, "/f9000", 8999, &s, &len), -EFBIG);
        assert_int_equal(sysroot_read_file(&f->root, "/empty", 10, &s, &len), 0);
        assert_int_equal(len, 0);
        assert_string_equal(s, "");
        free(s);
        assert_int_equal(sysroot_read_file(&f->root, "/empty", 0, &s, NULL), 0);
        free(s);

        /* The absolute link is read inside the root, never the host's /etc/hostname. */
        assert_int_equal(sysroot_read_file(&f->root, "/link", 100, &s, &len), 0);
        assert_string_equal(s, "inside\n");
        free(s);

        /* A FIFO must be refused, not waited on (alarm: fail rather than hang). */
        alarm(10);
        assert_int_equal(sysroot_read_file(&f->root, "/fifo", 100, &s, &len), -EBADFD);
        assert_true(sysroot_open_file(&f->root, "/fifo") < 0);
        alarm(0);
        if (have_node)
                assert_int_equal(sysroot_read_file(&f->root, "/null", 100, &s, &len), -EBADFD);

        assert_int_equal(sysroot_read_file(&f->root, "/adir", 100, &s, &len), -EISDIR);
        assert_int_equal(sysroot_read_file(&f->root, "/missing", 100, &s, &len), -ENOENT);
}

static void test_read_attr(void **state)
{
        struct fixture *f = *state;
        static const struct {
                const char *name;
                const char *content;
                size_t len;
                int ret;
                const char *value;
        } rows[] = {
#define R(n, c, r, v) { n, c, sizeof(c) - 1, r, v }
                R("model", "Amazon Elastic Block Store              \n", 0,
                  "Amazon Elastic Block Store"),
                R("serial", "vol0123456789abcdef0 \n", 0, "vol0123456789abcdef0"),
                R("one", "1\n", 0, "1"),
                R("bare", "7", 0, "7"),
                R("utf8", "caf\xc3\xa9\n", 0, "caf\xc3\xa9"),
                R("empty", "", -ENODATA, NULL),
                R("blank", "   \n\n", -ENODATA, NULL),
                R("nul", "ab\0cd\n", -EBADMSG, NULL),
                R("trailing-nul", "abc\0", -EBADMSG, NULL),
                R("ctrl", "a\x01\x02z\n", -EBADMSG, NULL),
                R("del", "a\x7f", -EBADMSG, NULL),
                R("inner-newline", "a\nb\n", -EBADMSG, NULL),
                R("latin1", "caf\xe9\n", -EBADMSG, NULL),
#undef R
        };
        char big[5000], *s;

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
                assert_int_equal(tt_write(f->dir, rows[i].name, rows[i].content, rows[i].len), 0);
        memset(big, 'a', sizeof(big));
        assert_int_equal(tt_write(f->dir, "big", big, sizeof(big)), 0);
        open_root(f);

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                int r;

                s = NULL;
                r = sysroot_read_attr(&f->root, rows[i].name, &s);
                print_message("read_attr(%s)\n", rows[i].name);
                assert_int_equal(r, rows[i].ret);
                if (r == 0)
                        assert_string_equal(s, rows[i].value);
                free(s);
        }
        assert_int_equal(sysroot_read_attr(&f->root, "big", &s), -EFBIG);
        assert_int_equal(sysroot_read_attr(&f->root, "missing", &s), -ENOENT);

        /* collect's copy (sysroot_reduce_attr) reads back the same, and a
         * refused file keeps none of its bytes, only why it was refused */
        for (size_t i = 0; i <= ARRAY_SIZE(rows); i++) {
                const char *in = i < ARRAY_SIZE(rows) ? rows[i].content : big;
                size_t len = i < ARRAY_SIZE(rows) ? rows[i].len : sizeof(big);
                char name[64], *red = NULL, *s2 = NULL;
                size_t rlen;
                int r, r2;

                snprintf(name, sizeof(name), "reduced-%zu", i);
                assert_int_equal(sysroot_reduce_attr(in, len, &red, &rlen), 0);
                assert_int_equal(tt_write(f->dir, name, red, rlen), 0);
                s = NULL;
                r = i < ARRAY_SIZE(rows) ? rows[i].ret : -EFBIG;
                r2 = sysroot_read_attr(&f->root, name, &s2);
                print_message("reduce_attr(%s)\n", i < ARRAY_SIZE(rows) ? rows[i].name : "big");
                assert_int_equal(r2, r);
                if (r == 0)
                        assert_string_equal(s2, rows[i].value);
                else if (r != -EFBIG)
                        assert_true(rlen <= 2 && (rlen == 0 || red[rlen - 1] == '\n'));
                else
                        assert_null(memchr(red, 'a', rlen));
                free(red);
                free(s2);
        }
}

/* What collect learns: every link, every resolved path, and each file read
 * for its content with the name it was read as and how. */
static void test_recorder(void **state)
{
        struct fixture *f = *state;
        struct sysroot_recorder rec = {};
        char *s = NULL;
        size_t len;
        bool seen_file = false, seen_attr = false, seen_link = false, seen_resolved = false;

        assert_int_equal(tt_puts(f->dir, "proc/77/environ", "A=1"), 0);
        assert_int_equal(tt_symlink(f->dir, "proc/self", "77"), 0);
        assert_int_equal(tt_puts(f->dir, "sys/devices/x/size", "42\n"), 0);
        assert_int_equal(tt_symlink(f->dir, "sys/block/x", "../devices/x"), 0);
        assert_int_equal(tt_puts(f->dir, "etc/marker", "m"), 0);
        open_root(f);
        f->root.rec = &rec;

        assert_int_equal(sysroot_read_file(&f->root, "/proc/self/environ", 100, &s, &len), 0);
        free(s);
        assert_int_equal(sysroot_read_attr(&f->root, "/sys/block/x/size", &s), 0);
        free(s);
        assert_true(sysroot_exists(&f->root, "/etc/marker"));
        f->root.rec = NULL;

        assert_int_equal(rec.err, 0);
        for (size_t i = 0; i < rec.n; i++) {
                const struct sysroot_record *it = &rec.items[i];

                if (it->target && strcmp(it->path, "/proc/self") == 0) {
                        assert_string_equal(it->target, "77");
                        seen_link = true;
                } else if (it->read_as && strcmp(it->read_as, "/proc/self/environ") == 0) {
                        assert_string_equal(it->path, "/proc/77/environ");
                        assert_int_equal(it->kind, SYSROOT_READ_FILE);
                        seen_file = true;
                } else if (it->read_as) {
                        assert_string_equal(it->read_as, "/sys/block/x/size");
                        assert_string_equal(it->path, "/sys/devices/x/size");
                        assert_int_equal(it->kind, SYSROOT_READ_ATTR);
                        seen_attr = true;
                } else if (strcmp(it->path, "/etc/marker") == 0) {
                        assert_int_equal(it->kind, SYSROOT_READ_NONE);
                        seen_resolved = true;
                }
        }
        assert_true(seen_file && seen_attr && seen_link && seen_resolved);
        sysroot_recorder_done(&rec);
}

static void test_list_dir(void **state)
{
        struct fixture *f = *state;
        char **names = NULL;

        assert_int_equal(tt_puts(f->dir, "d/b", ""), 0);
        assert_int_equal(tt_puts(f->dir, "d/a", ""), 0);
        assert_int_equal(tt_puts(f->dir, "d/C", ""), 0);
        assert_int_equal(tt_puts(f->dir, "d/.hidden", ""), 0);
        assert_int_equal(tt_mkdir(f->dir, "d/sub"), 0);
        assert_int_equal(tt_mkdir(f->dir, "empty"), 0);
        assert_int_equal(tt_symlink(f->dir, "dl", "/d"), 0);
        assert_int_equal(tt_puts(f->dir, "file", ""), 0);
        open_root(f);

        assert_int_equal(sysroot_list_dir(&f->root, "/dl", 100, &names), 0);
        assert_int_equal(strv_length(names), 5);
        assert_string_equal(names[0], ".hidden");
        assert_string_equal(names[1], "C");
        assert_string_equal(names[2], "a");
        assert_string_equal(names[3], "b");
        assert_string_equal(names[4], "sub");
        strv_free(names);

        names = NULL;
        assert_int_equal(sysroot_list_dir(&f->root, "/d", 5, &names), 0);
        strv_free(names);
        names = NULL;
        assert_int_equal(sysroot_list_dir(&f->root, "/d", 4, &names), -E2BIG);
        assert_null(names);

        assert_int_equal(sysroot_list_dir(&f->root, "/empty", 10, &names), 0);
        assert_non_null(names);
        assert_null(names[0]);
        strv_free(names);
        names = NULL;

        assert_int_equal(sysroot_list_dir(&f->root, "/missing", 10, &names), -ENOENT);
        assert_int_equal(sysroot_list_dir(&f->root, "/file", 10, &names), -ENOTDIR);
        assert_null(names);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_open, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_renamed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_long, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_attr, setup, teardown),
                cmocka_unit_test_setup_teardown(test_recorder, setup, teardown),
                cmocka_unit_test_setup_teardown(test_list_dir, setup, teardown),
        };
        int status, r = cmocka_run_group_tests_name("sysroot, openat2", tests, NULL, NULL);
        pid_t pid;

        if (r != 0)
                return r;
        fflush(stdout);
        pid = fork();
        if (pid < 0)
                return 1;
        if (pid == 0) {
                /* openat2 answers ENOSYS, as before Linux 5.6: the fallback. */
                if (seccomp_deny((const long[]){ SYS_openat2 }, 1, ENOSYS) < 0) {
                        printf("no seccomp filter here: the resolver's pass is skipped\n");
                        _exit(0);
                }
                _exit(cmocka_run_group_tests_name("sysroot, openat2 refused", tests, NULL, NULL));
        }
        if (waitpid(pid, &status, 0) != pid)
                return 1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
