/* SPDX-License-Identifier: MIT */
/* The worker protocol of fsquery: answers in order within a group, "first
 * found" skipping, and answers that arrived while the caller was busy past
 * the deadline still counting (a 200,000-line mount table parsed under ASan
 * once made a quick answer look like a timeout). Hangs are tested for real
 * with a FUSE file system in tests/robustness. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <time.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/openat2.h>

#include "core/fsquery.h"
#include "core/light-worker.h"
#include "core/macro.h"
#include "seccomp-deny.h"
#include "tmptree.h"

struct fixture {
        char *dir;
        struct sysroot root;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));

        assert_non_null(f);
        f->dir = tt_new();
        assert_non_null(f->dir);
        assert_int_equal(tt_mkdir(f->dir, "home/user"), 0);
        assert_int_equal(tt_symlink(f->dir, "home/link", "/home/user"), 0);
        assert_int_equal(sysroot_open(&f->root, f->dir), 0);
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

static void test_first_found(void **state)
{
        struct fixture *f = *state;
        const struct fsq_request reqs[] = {
                { FSQ_PATH, "/nowhere", 0, true },
                { FSQ_PATH, "/home/link", 0, true },
                { FSQ_PATH, "/home/user", 0, true },
                { FSQ_PATH, "/home/missing", 1, false },
        };
        struct fsq_reply reps[4];

        assert_int_equal(fsq_run(&f->root, reqs, reps, 4, 5 * NSEC_PER_SEC), 0);
        assert_int_equal(reps[0].err, -ENOENT);
        assert_int_equal(reps[1].err, 0);
        /* Resolved inside the sysroot: the absolute link stays in it. */
        assert_string_equal(reps[1].resolved, "/home/user");
        assert_true(reps[1].is_dir);
        assert_int_equal(reps[2].err, -ECANCELED); /* the group stopped at the first found */
        assert_int_equal(reps[3].err, -ENOENT);    /* another group is not affected */
        /* Only a found path is kept: no buffer for a miss or a skip. */
        assert_null(reps[0].resolved);
        assert_null(reps[2].resolved);
        fsq_replies_free(reps, 4);
}

static void test_busy_caller_past_deadline(void **state)
{
        struct fixture *f = *state;
        const struct fsq_request req = { FSQ_PATH, "/home/link", 0, true };
        struct timespec nap = { 0, 300 * 1000 * 1000 };
        struct fsq_batch *b;
        struct fsq_reply rep;

        assert_int_equal(fsq_start(&f->root, &req, 1, 100 * NSEC_PER_MSEC, &b), 0);
        nanosleep(&nap, NULL); /* the caller works past the deadline */
        assert_int_equal(fsq_wait(b, &req, &rep), 0);
        assert_int_equal(rep.err, 0);
        assert_string_equal(rep.resolved, "/home/user");
        fsq_replies_free(&rep, 1);
}

static void test_many_rounds(void **state)
{
        struct fixture *f = *state;
        const struct fsq_request req = { FSQ_PATH, "/home/user", 0, true };
        struct fsq_reply rep;

        /* Reused shared memory and deferred reaping must not mix rounds up. */
        for (int i = 0; i < 200; i++) {
                assert_int_equal(fsq_run(&f->root, &req, &rep, 1, 5 * NSEC_PER_SEC), 0);
                assert_int_equal(rep.err, 0);
                assert_string_equal(rep.resolved, "/home/user");
                fsq_replies_free(&rep, 1);
        }
}

/* Live lookups vouched for as unable to hang are answered in the caller, by
 * a lookup that stops at the first symlink: a link, "..", or "//" on the way
 * sends the request to a worker, whose answer is the same as without. */
static void test_in_caller_live(void **state)
{
        struct fixture *f = *state;
        struct sysroot live = { .fd = -1 };
        char user[PATH_MAX], rel[PATH_MAX], dotdot[PATH_MAX], twice[PATH_MAX], none[PATH_MAX];
        struct fsq_reply reps[5];

        assert_int_equal(tt_symlink(f->dir, "home/rel", "user"), 0);
        snprintf(user, sizeof(user), "%s/home/user", f->dir);
        snprintf(rel, sizeof(rel), "%s/home/rel", f->dir);
        snprintf(dotdot, sizeof(dotdot), "%s/home/user/../user", f->dir);
        snprintf(twice, sizeof(twice), "%s//home/user", f->dir);
        snprintf(none, sizeof(none), "%s/nowhere", f->dir);
        {
                const struct fsq_request reqs[] = {
                        { .op = FSQ_PATH, .path = user, .group = 0, .in_caller = true },
                        { .op = FSQ_PATH, .path = rel, .group = 1, .in_caller = true },
                        { .op = FSQ_PATH, .path = dotdot, .group = 2, .in_caller = true },
                        { .op = FSQ_PATH, .path = twice, .group = 3, .in_caller = true },
                        { .op = FSQ_PATH, .path = none, .group = 4, .in_caller = true },
                };

                assert_int_equal(sysroot_open(&live, NULL), 0);
                assert_int_equal(fsq_run(&live, reqs, reps, 5, 5 * NSEC_PER_SEC), 0);
                sysroot_close(&live);
        }
        for (int i = 0; i < 4; i++) {
                assert_int_equal(reps[i].err, 0);
                assert_string_equal(reps[i].resolved, user);
                assert_true(reps[i].is_dir);
                assert_true(reps[i].have_stat);
                assert_true(reps[i].have_statfs);
        }
        assert_int_equal(reps[4].err, -ENOENT);
        assert_null(reps[4].resolved);
        fsq_replies_free(reps, 5);
}

/* A batch answered wholly in the caller (statfs of 70 mounts that cannot
 * hang) lives on the heap, one group per mount as probe_fs_facts() asks. */
static void test_in_caller_many(void **state)
{
        struct fixture *f = *state;
        struct sysroot live = { .fd = -1 };
        struct fsq_request reqs[70];
        struct fsq_reply reps[70];

        for (unsigned i = 0; i < 70; i++)
                reqs[i] = (struct fsq_request){
                        .op = FSQ_STATFS, .path = f->dir, .group = i, .in_caller = true
                };
        assert_int_equal(sysroot_open(&live, NULL), 0);
        assert_int_equal(fsq_run(&live, reqs, reps, 70, 5 * NSEC_PER_SEC), 0);
        sysroot_close(&live);
        for (int i = 0; i < 70; i++) {
                assert_int_equal(reps[i].err, 0);
                assert_true(reps[i].have_statfs);
                assert_null(reps[i].resolved);
        }
        fsq_replies_free(reps, 70);
}

/* In a child that may start no process (seccomp refuses clone, clone3,
 * fork and vfork): 0 when the replay's lookup of path was answered there
 * (/home/user), 1 when it was not, 2 when it was answered wrong, 77 without
 * seccomp. */
static int replay_without_processes(struct sysroot *root, const char *path, bool in_caller)
{
        const struct fsq_request req = {
                .op = FSQ_PATH, .path = path, .first_found = true, .in_caller = in_caller
        };
        int status;
        pid_t pid;

        fflush(NULL);
        pid = fork();
        if (pid == 0) {
                const long nrs[] = { SYS_clone, SYS_clone3, SYS_fork, SYS_vfork };
                struct fsq_reply rep = { 0 };

                if (seccomp_deny(nrs, ARRAY_SIZE(nrs), EPERM) < 0)
                        _exit(77);
                if (fsq_run(root, &req, &rep, 1, 5 * NSEC_PER_SEC) < 0 || rep.err != 0)
                        _exit(1);
                _exit(rep.resolved && strcmp(rep.resolved, "/home/user") == 0 ? 0 : 2);
        }
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
                return -1;
        return WEXITSTATUS(status);
}

/* A replay's lookup vouched for runs in the caller as a live one does (the
 * snapshot's table said no mount on it can hang: --sysroot=/ is live), and
 * as live a symlink on the way sends it to a worker, since the caller did
 * not vouch for where it leads. Here no worker can start: only the first
 * is answered. */
static void test_in_caller_replay(void **state)
{
        struct fixture *f = *state;
        struct open_how how = { .flags = O_PATH | O_CLOEXEC };
        long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));
        int r;

        /* The caller's lookup is openat2(RESOLVE_NO_SYMLINKS); without it
         * (Linux before 5.6, valgrind 3.19) every lookup takes a worker. */
        if (fd < 0) {
                print_message("no openat2 here: skipped\n");
                return;
        }
        close((int)fd);
        r = replay_without_processes(&f->root, "/home/user", true);
        if (r == 77) {
                print_message("no seccomp here: skipped\n");
                return;
        }
        assert_int_equal(r, 0);
        assert_int_equal(replay_without_processes(&f->root, "/home/link", true), 1);
        assert_int_equal(replay_without_processes(&f->root, "/home/user", false), 1);
}

static void test_fstype_may_hang(void **state)
{
        (void)state;
        assert_false(fsq_fstype_may_hang("ext4"));
        assert_false(fsq_fstype_may_hang("tmpfs"));
        assert_false(fsq_fstype_may_hang("overlay"));
        assert_true(fsq_fstype_may_hang("nfs4"));
        assert_true(fsq_fstype_may_hang("fuse.sshfs"));
        assert_true(fsq_fstype_may_hang("autofs"));
        assert_true(fsq_fstype_may_hang("lustre"));
        assert_true(fsq_fstype_may_hang("a-type-nobody-knows"));
}

/* The slots a worker ran, counted in memory it shares with the test. */
static unsigned *exec_count;

static void count_exec(int rootfd, bool replay, enum fsq_op op, const char *path,
                       struct fsq_reply *rep)
{
        (void)rootfd, (void)replay, (void)op, (void)path;
        light_reply_reset(rep);
        __atomic_add_fetch(exec_count, 1, __ATOMIC_SEQ_CST);
}

/* Once a group's last byte is written the caller may reuse the region for
 * its next batch while the worker is still on its way out. The worker's last
 * write blocks on a full pipe; meanwhile the region grows a slot of the same
 * group, as the next batch's would be: the worker must not run it. */
static void test_nothing_read_after_last_byte(void **state)
{
        size_t size = sizeof(struct fsq_shared) + 2 * sizeof(struct fsq_slot) + sizeof(unsigned);
        void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        struct fsq_shared *sh = map;
        char fill[4096], buf[4096];
        int p[2], status;
        ssize_t got;
        pid_t pid;

        (void)state;
        assert_true(map != MAP_FAILED);
        exec_count = (unsigned *)((char *)map + size - sizeof(unsigned));
        sh->rootfd = -1;
        sh->n = 1;
        sh->slots[0] = (struct fsq_slot){ .op = FSQ_STATFS, .group = 0, .path = "/" };
        sh->slots[1] = (struct fsq_slot){ .op = FSQ_STATFS, .group = 0, .path = "/" };

        assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        memset(fill, 'x', sizeof(fill));
        while (write(p[1], fill, sizeof(fill)) > 0)
                ;
        while (write(p[1], fill, 1) > 0)
                ;
        assert_int_equal(fcntl(p[1], F_SETFL, 0), 0);
        assert_int_equal(fcntl(p[0], F_SETFL, 0), 0);

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                light_run_group(sh, 0, p[1], count_exec);
                _exit(0);
        }
        close(p[1]);
        /* The worker ran slot 0 and is on (or before) its blocked write. */
        for (int i = 0; i < 10000 && __atomic_load_n(exec_count, __ATOMIC_SEQ_CST) == 0; i++)
                nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
        assert_int_equal(__atomic_load_n(exec_count, __ATOMIC_SEQ_CST), 1);
        sh->n = 2;
        do
                got = read(p[0], buf, sizeof(buf));
        while (got > 0 || (got < 0 && errno == EINTR));
        assert_int_equal(got, 0);
        close(p[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(*exec_count, 1);
        munmap(map, size);
}

/* In a child whose seccomp filter answers err to nr: what
 * fsq_path_cannot_hang(path) says there (0 false, 1 true, 77 no seccomp). */
static int cannot_hang_denied(const char *path, long nr, int err)
{
        int status;
        pid_t pid;

        fflush(NULL);
        pid = fork();
        if (pid == 0) {
                if (seccomp_deny(&nr, 1, err) < 0)
                        _exit(77);
                _exit(fsq_path_cannot_hang(path) ? 1 : 0);
        }
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
                return -1;
        return WEXITSTATUS(status);
}

/* A path answered from the dentry cache, on a mount of a local type, needs no
 * worker; any doubt sends it to one. */
static void test_path_cannot_hang(void **state)
{
        /* statfs magics of file systems fsq_fstype_may_hang() calls local. */
        static const unsigned long local[] = { 0xEF53, 0x01021994, 0x58465342, 0x9123683E,
                                               0x794C7630 };
        struct fixture *f = *state;
        _cleanup_free_ char *missing = NULL;
        bool is_local = false;
        struct statfs sfs;
        int r;

        /* statmount() with no request: EFAULT where the kernel has it and no
         * filter refuses it (ENOSYS before Linux 6.8 and under valgrind 3.19,
         * EPERM under a container's seccomp profile). */
        errno = 0;
        if (syscall(457 /* statmount */, NULL, NULL, 0, 0) == 0 || errno != EFAULT) {
                print_message("statmount() unusable here (%s): positive cases skipped\n",
                              strerror(errno));
                assert_false(fsq_path_cannot_hang(f->dir));
                return;
        }
        assert_int_equal(statfs(f->dir, &sfs), 0); /* and its dentries are cached */
        for (size_t i = 0; i < ARRAY_SIZE(local); i++)
                is_local |= (unsigned long)sfs.f_type == local[i];
        if (is_local)
                assert_true(fsq_path_cannot_hang(f->dir));
        else
                print_message("the test tree is not on a local file system: positive case "
                              "skipped\n");
        assert_true(asprintf(&missing, "%s/nope", f->dir) > 0);
        assert_false(fsq_path_cannot_hang(missing));
        assert_false(fsq_path_cannot_hang(""));
        assert_false(fsq_path_cannot_hang(NULL));

        r = cannot_hang_denied(f->dir, 457, EPERM);
        if (r == 77) {
                print_message("no seccomp here: refused calls skipped\n");
                return;
        }
        assert_int_equal(r, 0);
        assert_int_equal(cannot_hang_denied(f->dir, SYS_statx, ENOSYS), 0);
        assert_int_equal(cannot_hang_denied(f->dir, SYS_openat2, ENOSYS), 0);
        if (is_local)
                assert_int_equal(cannot_hang_denied(f->dir, SYS_getpid, EPERM), 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_first_found),
                cmocka_unit_test(test_busy_caller_past_deadline),
                cmocka_unit_test(test_many_rounds),
                cmocka_unit_test(test_in_caller_live),
                cmocka_unit_test(test_in_caller_many),
                cmocka_unit_test(test_in_caller_replay),
                cmocka_unit_test(test_fstype_may_hang),
                cmocka_unit_test(test_path_cannot_hang),
                cmocka_unit_test(test_nothing_read_after_last_byte),
        };
        const char *mode = getenv("STUDIO_PROBE_WORKER");

        /* The workers fork there whatever is asked: nothing light to test. */
        if (mode && strcmp(mode, "light") == 0 && !fsq_light_workers_usable()) {
                printf("light workers cannot run here (valgrind, ASan, or no raw system "
                       "calls): skipped\n");
                return 77;
        }
        return cmocka_run_group_tests(tests, setup, teardown);
}
