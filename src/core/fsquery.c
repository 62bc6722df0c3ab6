/* SPDX-License-Identifier: MIT */
#include <blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "core/child.h"
#include "core/fsquery.h"
#include "core/light-worker.h"
#include "core/macro.h"
#include "core/raw-syscall.h"

#if HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

/* ASan keeps per-thread state in TLS, which a CLONE_VM worker would share. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* The light worker's stack. Its code is fixed and not recursive: the resolver's
 * three PATH_MAX buffers and a few small frames, under 16 KiB; 64 KiB leaves a
 * wide margin. It comes from the heap (the worker shares the address space):
 * an mmap, guard page and munmap per call cost more on a small VM than the
 * whole clone. */
#define LIGHT_STACK_SIZE (64 * 1024)

static void copy_tag(blkid_probe pr, const char *name, char *dst, size_t len)
{
        const char *v = NULL;
        size_t vlen = 0;

        if (blkid_probe_lookup_value(pr, name, &v, &vlen) == 0 && v)
                snprintf(dst, len, "%s", v);
}

/* libblkid allocates: only ever in a forked worker (or in-process in tests). */
static int probe_superblock(const char *node, struct fsq_reply *rep)
{
        blkid_probe pr = blkid_new_probe_from_filename(node);
        int k = 0;

        if (!pr)
                return errno ? -errno : -EIO;
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID |
                                                      BLKID_SUBLKS_LABEL);
        if (blkid_do_safeprobe(pr) == 0) {
                copy_tag(pr, "TYPE", rep->fs_type, sizeof(rep->fs_type));
                copy_tag(pr, "UUID", rep->uuid, sizeof(rep->uuid));
                copy_tag(pr, "LABEL", rep->label, sizeof(rep->label));
        } else
                k = -ENODATA;
        blkid_free_probe(pr);
        return k;
}

/* Any query: the superblock probe here, the others as a light worker does them. */
static void execute(int rootfd, bool replay, enum fsq_op op, const char *path,
                    struct fsq_reply *rep)
{
        if (op != FSQ_BLKID) {
                light_execute(rootfd, replay, op, path, rep);
                return;
        }
        light_reply_reset(rep);
        rep->err = probe_superblock(path, rep);
}

/* What execute_in_caller() answers when the lookup met a symlink, which
 * could lead onto any mount: the request goes to a worker after all. */
#define NEEDS_WORKER (-EAGAIN)

/* A group that cannot hang, in the caller: the path looked up by the kernel
 * in one call rather than the worker's walk, which exists to say where a
 * stuck lookup stopped. The caller vouched for the mounts on the path as
 * written (no ".", "..", or "//" in it), not for where a symlink leads:
 * RESOLVE_NO_SYMLINKS stops at the first one. */
/* Absolute, without "", "." or ".." components: the path a lookup that
 * follows no symlink resolves to is then the path itself. */
static bool plain_path(const char *path)
{
        if (path[0] != '/')
                return false;
        for (const char *c = path + 1;; c++) {
                const char *end = strchrnul(c, '/');
                size_t len = (size_t)(end - c);

                if (len == 0 || (len == 1 && c[0] == '.') ||
                    (len == 2 && c[0] == '.' && c[1] == '.'))
                        return len == 0 && !*end && c == path + 1; /* "/" alone */
                if (!*end)
                        return true;
                c = end;
        }
}

static void execute_in_caller(int rootfd, bool replay, enum fsq_op op, const char *path,
                              struct fsq_reply *rep)
{
        struct open_how how = {
                .flags = O_PATH | O_CLOEXEC,
                .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        size_t len = strlen(path);
        long fd;

        if (op != FSQ_PATH) {
                execute(rootfd, replay, op, path, rep);
                return;
        }
        light_reply_reset(rep);
        if (!rep->resolved || !plain_path(path) || len >= PATH_MAX) {
                rep->err = NEEDS_WORKER;
                return;
        }
        fd = syscall(SYS_openat2, rootfd, sysroot_relative(path), &how, sizeof(how));
        if (fd < 0) {
                /* ENOENT and the like before any link are the answer; ELOOP is
                 * a link, ENOSYS, E2BIG or EPERM (seccomp) a kernel without
                 * openat2 (Linux 5.6): both for the worker's walk. */
                rep->err = errno == ENOENT || errno == ENOTDIR || errno == EACCES ? -errno
                                                                                  : NEEDS_WORKER;
                return;
        }
        close((int)fd);
        memcpy(rep->resolved, path, len + 1);
        light_stat_resolved(rootfd, replay, rep);
}

static bool group_needs_worker(const struct fsq_shared *sh, unsigned group)
{
        for (size_t i = 0; i < sh->n; i++)
                if (sh->slots[i].group == group && sh->slots[i].reply.err == NEEDS_WORKER)
                        return true;
        return false;
}

bool fsq_fstype_may_hang(const char *fstype)
{
        /* Their lookups and statfs are answered from memory or a local disk.
         * overlay is every container's root: its layers are directories of
         * other mounts, and a layer on NFS shows as that NFS mount. autofs is
         * not here: a lookup waits for the automount daemon. */
        static const char *const local[] = {
                "ext2",        "ext3",      "ext4",    "xfs",       "btrfs",      "vfat",
                "f2fs",        "squashfs",  "iso9660", "erofs",     "overlay",    "tmpfs",
                "ramfs",       "devtmpfs",  "proc",    "sysfs",     "cgroup",     "cgroup2",
                "devpts",      "mqueue",    "nsfs",    "hugetlbfs", "securityfs", "debugfs",
                "tracefs",     "pstore",    "bpf",     "configfs",  "efivarfs",   "fusectl",
                "binfmt_misc", "selinuxfs",
        };

        for (size_t i = 0; fstype && i < ARRAY_SIZE(local); i++)
                if (strcmp(fstype, local[i]) == 0)
                        return false;
        return true;
}

/* statmount(2), Linux 6.8: the kernel's mount table by unique mount id,
 * without calling into the file system. Declared here for the libcs and
 * kernel headers that predate it; the header is 512 bytes in every version. */
#if !defined(SYS_statmount) && !defined(__alpha__) && !defined(__mips__)
#define SYS_statmount 457 /* every architecture's number but alpha's and mips' */
#endif
#define STATX_MNT_ID_UNIQUE_ 0x4000U
#define STATMOUNT_FS_TYPE_ 0x20U
struct mnt_id_req_ {
        uint32_t size, spare;
        uint64_t mnt_id, param;
};
struct statmount_head_ {
        uint32_t size, spare1;
        uint64_t mask;
        uint32_t sb_dev_major, sb_dev_minor;
        uint64_t sb_magic;
        uint32_t sb_flags;
        uint32_t fs_type; /* offset in the strings after the 512-byte header */
};
#define STATMOUNT_HEAD_SIZE 512
/* statx(2)'s struct up to stx_mnt_id, by the raw call: musl before 1.2.5 has
 * no statx(). 256 bytes in all, as the kernel's. */
union statx_raw_ {
        struct {
                uint32_t mask, blksize;
                uint64_t attributes;
                uint32_t nlink, uid, gid;
                uint16_t mode, spare0;
                uint64_t ino, size, blocks, attributes_mask;
                struct {
                        int64_t sec;
                        uint32_t nsec;
                        int32_t spare;
                } times[4];
                uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
                uint64_t mnt_id;
        } f;
        char bytes[256];
};
_Static_assert(offsetof(union statx_raw_, f.mnt_id) == 144, "statx layout");

#ifndef AT_STATX_DONT_SYNC
#define AT_STATX_DONT_SYNC 0x4000
#endif
#ifndef RESOLVE_CACHED
#define RESOLVE_CACHED 0x20
#endif

#if !defined(SYS_statx) || !defined(SYS_statmount)
bool fsq_path_cannot_hang(const char *path)
{
        (void)path;
        return false;
}
#else
bool fsq_path_cannot_hang(const char *path)
{
        /* RESOLVE_CACHED (Linux 5.12): EAGAIN where a component is not in the
         * dentry cache or would need its file system (an NFS revalidation, a
         * symlink body not in memory, an automount). */
        struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_CACHED };
        union {
                struct statmount_head_ head;
                char bytes[STATMOUNT_HEAD_SIZE + 256];
        } sm;
        struct mnt_id_req_ req = { .size = sizeof(req), .param = STATMOUNT_FS_TYPE_ };
        _cleanup_close_ int fd = -1;
        union statx_raw_ stx;
        long k;

        if (!path || !*path)
                return false;
        k = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
        if (k < 0)
                return false;
        fd = (int)k;
        /* DONT_SYNC: the inode's cached attributes, no round trip to a server
         * (NFS and FUSE honour it); the mount id is the VFS's in any case. */
        memset(&stx, 0, sizeof(stx));
        if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID_UNIQUE_,
                    &stx) < 0 ||
            !(stx.f.mask & STATX_MNT_ID_UNIQUE_))
                return false;
        req.mnt_id = stx.f.mnt_id;
        memset(&sm, 0, sizeof(sm));
        if (syscall(SYS_statmount, &req, &sm, sizeof(sm), 0) < 0 ||
            !(sm.head.mask & STATMOUNT_FS_TYPE_) || sm.head.size > sizeof(sm) ||
            sm.head.fs_type >= sizeof(sm) - STATMOUNT_HEAD_SIZE ||
            !memchr(sm.bytes + STATMOUNT_HEAD_SIZE + sm.head.fs_type, '\0',
                    sizeof(sm) - STATMOUNT_HEAD_SIZE - sm.head.fs_type))
                return false;
        return !fsq_fstype_may_hang(sm.bytes + STATMOUNT_HEAD_SIZE + sm.head.fs_type);
}
#endif

void fsq_execute(const struct sysroot *root, const struct fsq_request *req, struct fsq_reply *rep)
{
        execute(root->fd, sysroot_is_replay(root), req->op, req->path, rep);
}

struct worker {
        pid_t pid;
        int fd; /* read end: one byte per finished slot, EOF at exit */
        size_t done, expected;
        bool finished;
        void *stack; /* light workers only */
};

static bool under_valgrind(void)
{
        const char *preload = getenv("LD_PRELOAD");

        /* Without valgrind's header at build time, its preload library tells. */
        return RUNNING_ON_VALGRIND || (preload && strstr(preload, "vgpreload"));
}

bool fsq_light_workers_usable(void)
{
        /* valgrind aborts on a clone() that is neither a thread nor a fork. */
        return RAW_SYSCALLS && !UNDER_ASAN && !under_valgrind();
}

/* STUDIO_PROBE_WORKER=fork forces forked workers everywhere, so that the
 * tests run both paths on every machine (meson test --setup=forkworkers);
 * "light", or unset, takes light ones wherever they are usable. Read once. */
static bool light_workers_wanted(void)
{
        static int wanted = -1;

        if (wanted < 0) {
                const char *e = getenv("STUDIO_PROBE_WORKER");

                wanted = !(e && strcmp(e, "fork") == 0) && fsq_light_workers_usable();
        }
        return wanted;
}

static pid_t start_light(struct worker *w, struct light_arg *arg)
{
        /* 16-byte aligned by malloc, as both ABIs want the stack pointer. */
        char *stack = malloc(LIGHT_STACK_SIZE);
        pid_t pid;

        if (!stack)
                return -1;
        pid = clone(light_worker_main, stack + LIGHT_STACK_SIZE, CLONE_VM | SIGCHLD, arg);
        if (pid < 0) {
                free(stack);
                return -1;
        }
        w->stack = stack;
        return pid;
}

struct fsq_batch {
        struct worker *w;
        struct pollfd *pfd;
        struct fsq_shared *sh;
        size_t shsize;
        bool sh_heap; /* not shared yet: every group so far ran in the caller */
        size_t n, groups, pending;
        uint64_t deadline;
        int error;
};

static _Noreturn void fork_main(struct fsq_batch *b, unsigned group, int wfd)
{
        /* The caller may ignore it; a worker whose caller stopped reading
         * just ends. */
        signal(SIGPIPE, SIG_DFL);
        light_run_group(b->sh, group, wfd, execute);
        /* The child's copy of the batch: freed so that a leak checker (the
         * valgrind test setup) sees a clean exit. */
        free(b->w);
        free(b->pfd);
        free(b);
        _exit(0);
}

static pid_t start_fork(struct fsq_batch *b, unsigned group, int wfd)
{
        /* SIGKILL at the caller's death: nobody is left to read the answer. */
        pid_t pid = child_fork(&(struct child_setup){
                .keep = (const int[]){ wfd, b->sh->rootfd },
                .n_keep = 2,
                .deathsig = SIGKILL,
        });

        if (pid == 0)
                fork_main(b, group, wfd);
        return pid;
}

/* Workers that gave every answer but had not quite exited: waiting for them
 * costs a sleep and a wake-up, so they are collected later, and a light one's
 * stack is freed only then (it still runs on it until its exit). */
static struct {
        pid_t pid;
        void *stack;
} exiting[16];

static void reap_exiting(void)
{
        for (size_t i = 0; i < ARRAY_SIZE(exiting); i++)
                if (exiting[i].pid > 0 && waitpid(exiting[i].pid, NULL, WNOHANG) != 0) {
                        free(exiting[i].stack);
                        exiting[i].pid = 0;
                        exiting[i].stack = NULL;
                }
}

/* Returns true when the worker's stack may be freed now. */
static bool reap(struct worker *w, bool abandon)
{
        bool gone = true;

        if (w->pid <= 0)
                return true;
        /* A worker in uninterruptible sleep dies when the kernel lets it; nobody
         * waits for it (init reaps it after we exit). */
        if (abandon) {
                kill(w->pid, SIGKILL);
                (void)waitpid(w->pid, NULL, WNOHANG);
                gone = false;
        } else if (waitpid(w->pid, NULL, WNOHANG) == 0) {
                gone = false;
                for (size_t i = 0; i < ARRAY_SIZE(exiting); i++)
                        if (exiting[i].pid <= 0) {
                                exiting[i].pid = w->pid;
                                exiting[i].stack = w->stack;
                                w->stack = NULL;
                                break;
                        }
                /* No room: the stack stays allocated, as for an abandoned one. */
        }
        w->pid = 0;
        return gone;
}

/* One shared mapping is kept for the next batch: creating and unmapping a
 * MAP_SHARED region costs more than the whole light worker on a small VM. */
static struct {
        void *p;
        size_t size;
} spare;

static struct fsq_shared *shared_get(size_t size)
{
        void *p;

        if (spare.p && spare.size >= size) {
                p = spare.p;
                spare.p = NULL;
                memset(p, 0, size);
                return p;
        }
        p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? NULL : p;
}

static void shared_put(void *p, size_t size)
{
        if (!spare.p) {
                spare.p = p;
                spare.size = size;
        } else
                munmap(p, size);
}

static void batch_release(struct fsq_batch *b, bool abandoned)
{
        /* An abandoned worker may still write its slots (and, light, run on its
         * stack) when its file system comes back: both stay mapped then, and
         * are never handed out again. */
        if (b->sh_heap)
                free(b->sh);
        else if (!abandoned && b->sh)
                shared_put(b->sh, b->shsize);
        free(b->w);
        free(b->pfd);
        free(b);
}

/* Whether the caller answers the request itself (libblkid allocates, so a
 * superblock probe never runs here). */
static bool runs_in_caller(const struct fsq_request *req)
{
        return req->in_caller && req->op != FSQ_BLKID;
}

/* The batch's region moves from the heap to a MAP_SHARED mapping before its
 * first worker starts; the slots' pointers into it move along. */
static int batch_share(struct fsq_batch *b)
{
        struct fsq_shared *sh;
        const char *old;

        if (!b->sh_heap)
                return 0;
        sh = shared_get(b->shsize);
        if (!sh)
                return -ENOMEM;
        memcpy(sh, b->sh, b->shsize);
        old = (const char *)b->sh;
        for (size_t i = 0; i < sh->n; i++) {
                struct fsq_slot *s = &sh->slots[i];

                s->path = (const char *)sh + (s->path - old);
                if (s->reply.resolved)
                        s->reply.resolved = (char *)sh + (s->reply.resolved - old);
        }
        free(b->sh);
        b->sh = sh;
        b->sh_heap = false;
        return 0;
}

int fsq_start(const struct sysroot *root, const struct fsq_request *reqs, size_t n,
              uint64_t timeout_ns, struct fsq_batch **ret)
{
        struct fsq_batch *b;
        struct worker *w;
        bool light_ok = light_workers_wanted(), all_here = true;
        size_t groups = 0, strings = 0, n_path = 0, args_off;
        char *text;

        for (size_t i = 0; i < n; i++) {
                size_t len = strlen(reqs[i].path);

                if (reqs[i].group >= n)
                        return -EINVAL;
                if (len >= PATH_MAX)
                        return -ENAMETOOLONG;
                if (reqs[i].group + 1 > groups)
                        groups = reqs[i].group + 1;
                strings += len + 1;
                n_path += reqs[i].op == FSQ_PATH;
                all_here &= runs_in_caller(&reqs[i]);
        }
        reap_exiting();
        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        b->n = n;
        b->groups = groups;
        b->deadline = now_ns() + timeout_ns;
        b->w = w = calloc(groups ? groups : 1, sizeof(*w));
        b->pfd = calloc(groups ? groups : 1, sizeof(*b->pfd));
        /* The slots, the light workers' arguments, the paths packed, then a
         * PATH_MAX buffer per lookup. MAP_SHARED, so that forked workers
         * write their answers here too; plain heap while no group needs a
         * worker, which is most runs: a shared mapping costs a shmem file,
         * its page faults and an munmap. */
        args_off = sizeof(struct fsq_shared) + n * sizeof(struct fsq_slot);
        b->shsize = args_off + groups * sizeof(struct light_arg) + strings + n_path * PATH_MAX;
        b->sh_heap = all_here;
        b->sh = all_here ? calloc(1, b->shsize) : shared_get(b->shsize);
        if (!w || !b->pfd || !b->sh) {
                batch_release(b, false);
                return -ENOMEM;
        }
        b->sh->rootfd = root->fd;
        b->sh->replay = sysroot_is_replay(root);
        b->sh->n = n;
        text = (char *)b->sh + args_off + groups * sizeof(struct light_arg);
        for (size_t i = 0; i < n; i++) {
                struct fsq_slot *s = &b->sh->slots[i];
                size_t len = strlen(reqs[i].path);

                s->op = reqs[i].op;
                s->group = reqs[i].group;
                s->first_found = reqs[i].first_found;
                memcpy(text, reqs[i].path, len + 1);
                s->path = text;
                text += len + 1;
        }
        for (size_t i = 0; i < n; i++)
                if (reqs[i].op == FSQ_PATH) {
                        b->sh->slots[i].reply.resolved = text;
                        text += PATH_MAX;
                }

        for (unsigned g = 0; g < groups; g++) {
                bool light = light_ok, here = true;
                struct light_arg *args;
                int p[2], k;

                w[g].fd = -1;
                for (size_t i = 0; i < n; i++)
                        if (reqs[i].group == g) {
                                w[g].expected++;
                                light &= reqs[i].op != FSQ_BLKID; /* libblkid allocates */
                                here &= runs_in_caller(&reqs[i]);
                        }
                if (w[g].expected > 0 && here) {
                        light_run_group(b->sh, g, -1, execute_in_caller);
                        here = !group_needs_worker(b->sh, g);
                        w[g].done = here ? w[g].expected : 0;
                }
                if (w[g].expected == 0 || here) {
                        w[g].finished = true;
                        continue;
                }
                k = batch_share(b);
                if (k < 0) {
                        b->error = k;
                        break;
                }
                args = (struct light_arg *)((char *)b->sh + args_off);
                if (pipe2(p, O_CLOEXEC) < 0) {
                        b->error = negative_errno();
                        break;
                }
                w[g].fd = p[0];
                w[g].pid = -1;
                if (light) {
                        args[g] = (struct light_arg){ b->sh, g, p[1] };
                        w[g].pid = start_light(&w[g], &args[g]);
                }
                if (w[g].pid < 0) /* heavy work, or clone(CLONE_VM) refused */
                        w[g].pid = start_fork(b, g, p[1]);
                close(p[1]);
                if (w[g].pid < 0) {
                        b->error = w[g].pid;
                        w[g].pid = 0;
                        break;
                }
                b->pending++;
        }
        *ret = b;
        return 0;
}

/* The lookup a stuck worker published (light_resolve() writes how far
 * it got into the slot as it walks): the path that stopped answering. The
 * worker may still be writing it, so only a NUL-terminated absolute path is
 * taken, and it is a hint, never a resolved path. */
static void stuck_at(const struct fsq_slot *s, struct fsq_reply *rep)
{
        const volatile char *src = s->reply.resolved;
        char buf[PATH_MAX];
        size_t i;

        if (s->op != FSQ_PATH || !src)
                return;
        for (i = 0; i + 1 < sizeof(buf) && src[i]; i++)
                buf[i] = src[i];
        buf[i] = '\0';
        if (buf[0] == '/')
                rep->resolved = strdup(buf); /* NULL: no hint */
}

void fsq_replies_free(struct fsq_reply *replies, size_t n)
{
        for (size_t i = 0; replies && i < n; i++) {
                free(replies[i].resolved);
                replies[i].resolved = NULL;
        }
}

int fsq_wait(struct fsq_batch *b, const struct fsq_request *reqs, struct fsq_reply *replies)
{
        struct worker *w = b->w;
        bool abandoned = false;
        int r = b->error;

        for (bool last = false; r == 0 && b->pending > 0 && !last;) {
                uint64_t now = now_ns();
                size_t np = 0;
                int k;

                /* Past the deadline, answers that already arrived still count:
                 * the caller may have been busy (fsq_start() lets it), not the
                 * worker late. One last poll that does not wait collects them. */
                last = now >= b->deadline;
                for (unsigned g = 0; g < b->groups; g++)
                        if (!w[g].finished)
                                b->pfd[np++] = (struct pollfd){ .fd = w[g].fd, .events = POLLIN };
                k = poll(b->pfd, np,
                         last ? 0 : (int)((b->deadline - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC));
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = negative_errno();
                        break;
                }
                for (unsigned g = 0, j = 0; g < b->groups; g++) {
                        char buf[64];
                        ssize_t got;

                        if (w[g].finished || !b->pfd[j++].revents)
                                continue;
                        got = read(w[g].fd, buf, sizeof(buf));
                        if (got < 0 && errno == EINTR)
                                continue;
                        if (got > 0) {
                                w[g].done += (size_t)got;
                                if (w[g].done < w[g].expected)
                                        continue;
                        }
                        /* All answered, or EOF: the worker is gone or going. */
                        w[g].finished = true;
                        b->pending--;
                }
        }

        for (unsigned g = 0; g < b->groups; g++) {
                size_t k = 0;

                /* The first `done` slots of the group hold answers; a worker that
                 * died early leaves the rest as -ECHILD, a stuck one -ETIMEDOUT. */
                for (size_t i = 0; i < b->n; i++) {
                        if (reqs[i].group != g)
                                continue;
                        if (k < w[g].done) {
                                replies[i] = b->sh->slots[i].reply;
                                /* The buffer stays with the batch; the reply
                                 * gets its own copy of a found path. */
                                replies[i].resolved = NULL;
                                if (replies[i].err == 0 && reqs[i].op == FSQ_PATH &&
                                    !(replies[i].resolved = strdup(b->sh->slots[i].reply.resolved)))
                                        replies[i].err = -ENOMEM;
                        } else
                                replies[i] = (struct fsq_reply){
                                        .err = w[g].finished ? -ECHILD
                                               : r < 0       ? r
                                                             : -ETIMEDOUT,
                                };
                        if (k == w[g].done && replies[i].err == -ETIMEDOUT)
                                stuck_at(&b->sh->slots[i], &replies[i]);
                        k++;
                }
                if (w[g].fd >= 0)
                        close(w[g].fd);
                if (w[g].finished) {
                        if (reap(&w[g], false))
                                free(w[g].stack);
                } else if (w[g].pid > 0) {
                        (void)reap(&w[g], true);
                        abandoned = true; /* its stack and the slots stay */
                } else
                        free(w[g].stack);
        }
        batch_release(b, abandoned);
        return r;
}

int fsq_run(const struct sysroot *root, const struct fsq_request *reqs, struct fsq_reply *replies,
            size_t n, uint64_t timeout_ns)
{
        struct fsq_batch *b;
        int k;

        if (n == 0)
                return 0;
        k = fsq_start(root, reqs, n, timeout_ns, &b);
        if (k < 0)
                return k;
        return fsq_wait(b, reqs, replies);
}
