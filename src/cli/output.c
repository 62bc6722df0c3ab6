/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/macro.h"
#include "cli/output.h"
#include "core/child.h"
#include "core/raw-syscall.h"
#include "core/strutil.h"

/* --output, and why it works this way:
 * - A regular file is replaced through a temporary file renamed over it
 *   (node_exporter's textfile-collector README: a scrape must never see half a
 *   file, and rename(2) is atomic only within one file system).
 * - Anything else is never replaced: rename over /dev/null, a FIFO or
 *   /dev/stdout would swap the node for a regular file, which is what root's
 *   `--output=/dev/null` did. Those are written in place, as `sort -o` and a
 *   shell's `>` do. A symbolic link is followed to its target, as `sort -o`
 *   does, never replaced; but a link to a missing file is refused rather than
 *   its target created: that is how a link planted in a shared directory
 *   makes root write where the planter wants.
 * - Every call on FILE runs in a child process, the writer, that the caller
 *   waits for up to the deadline, as fsquery.c does for the probe: open,
 *   write, fsync and rename on a dead NFS or FUSE mount sleep in the kernel
 *   where no timer reaches, and a FIFO without a reader blocks open(2). The
 *   writer holds none of our descriptors, so an abandoned one does not keep
 *   `x=$(studio-probe ...)` waiting.
 * - The writer's SIGINT, SIGTERM and SIGHUP handler removes the temporary
 *   file. The caller forwards those signals to it, and sends SIGTERM (never
 *   SIGKILL, which would skip the handler) at the deadline: a writer stuck in
 *   the kernel removes its file as soon as the call returns, even long after
 *   we exited (it also gets SIGTERM when its parent dies). */

enum step {
        STEP_LOOKUP,      /* opening FILE's directory, looking FILE up */
        STEP_FOLLOW,      /* FILE is a symbolic link: following it */
        STEP_WAIT_READER, /* opening a FIFO, which waits for a reader */
        STEP_OPEN,        /* opening a device, connecting to a socket */
        STEP_WRITE,       /* writing a device, FIFO, socket or our descriptor */
        STEP_CREATE,      /* creating the temporary file */
        STEP_FILL,        /* writing and syncing the temporary file */
        STEP_RENAME,      /* checking FILE again, renaming over it */
        STEP_DONE,        /* written */
        STEP_USE_FD,      /* FILE is one of our standard streams: msg.fd */
        STEP_FAILED,      /* msg.err or msg.refusal */
};

enum refusal {
        REFUSE_NONE,
        REFUSE_DIRECTORY,
        REFUSE_BLOCK_DEVICE,
        REFUSE_DANGLING,
        REFUSE_NO_PATH,
        REFUSE_CHANGED,
        REFUSE_TYPE,
};

/* One record per step, written whole (a pipe write under PIPE_BUF is atomic). */
struct msg {
        int step;
        int err;
        int refusal;
        int fd;
};

struct job {
        const char *path; /* or NULL: write to fd */
        int fd;
        const void *data;
        size_t len;
};

/* ---- the writer (a child process) ------------------------------------ */

static volatile sig_atomic_t tmp_live;
static int tmp_dirfd = -1;
static char tmp_name[NAME_MAX + 1];

static void writer_on_signal(int sig)
{
        /* tmp_live is set only once the file exists (created with these
         * signals blocked), so the name is ours and not one that was taken. */
        if (tmp_live)
                unlinkat(tmp_dirfd, tmp_name, 0);
        _exit(128 + sig);
}

/* A failure is ignored: the caller gone, SIGTERM (PR_SET_PDEATHSIG, or the
 * deadline's) is on its way, and its handler cleans up. */
static void say(int pfd, int step, int err, int refusal, int fd)
{
        struct msg m = { step, err, refusal, fd };

        (void)!write(pfd, &m, sizeof(m));
}

static int write_all(int fd, const char *p, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, p, len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -EIO;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

static bool same_inode(const struct stat *a, const struct stat *b)
{
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* "dir/base" into its directory and last component; "base" is in ".". */
static int split_path(const char *path, char **ret_dir, const char **ret_base)
{
        const char *slash = strrchr(path, '/');
        char *dir;

        if (!slash) {
                dir = strdup(".");
                *ret_base = path;
        } else {
                dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
                *ret_base = slash + 1;
        }
        if (!dir)
                return -ENOMEM;
        *ret_dir = dir;
        return 0;
}

static void tmp_name_make(const char *base)
{
        static const char chars[] =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        static unsigned counter;
        unsigned char rnd[6];
        size_t n = strlen(base);

        if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
                uint64_t x = now_ns() ^ ((uint64_t)getpid() << 32) ^ counter++;
                for (size_t i = 0; i < sizeof(rnd); i++, x >>= 8)
                        rnd[i] = (unsigned char)x;
        }
        memcpy(tmp_name, base, n);
        tmp_name[n] = '.';
        for (size_t i = 0; i < sizeof(rnd); i++)
                tmp_name[n + 1 + i] = chars[rnd[i] % (sizeof(chars) - 1)];
        tmp_name[n + 1 + sizeof(rnd)] = '\0';
}

/* The owner and permissions of the file replaced; a new one gets 0666 less the
 * umask (the collector reading it runs as another user). The set-id and sticky
 * bits are not copied: a report is data, and a chown'ed copy of a set-id file
 * is how privileges leak. Without the right to give the file away (not root),
 * at least its group is kept where we may. ACLs and extended attributes are
 * not copied. */
static int set_owner_mode(int fd, const struct stat *old)
{
        struct stat cur;
        mode_t mode;

        if (old) {
                if (fstat(fd, &cur) < 0)
                        return -errno;
                if ((cur.st_uid != old->st_uid || cur.st_gid != old->st_gid) &&
                    fchown(fd, old->st_uid, old->st_gid) < 0 && cur.st_gid != old->st_gid)
                        (void)!fchown(fd, (uid_t)-1, old->st_gid);
                mode = old->st_mode & 0777;
        } else {
                mode_t mask = umask(0);
                umask(mask);
                mode = 0666 & ~mask;
        }
        return fchmod(fd, mode) < 0 ? -errno : 0;
}

static int replace_regular(int pfd, const sigset_t *sigs, int dirfd, const char *base,
                           const struct stat *old, const struct job *j, int *refusal)
{
        sigset_t saved;
        struct stat now;
        int fd = -1, k = 0;

        if (strlen(base) + 7 > NAME_MAX)
                return -ENAMETOOLONG;
        say(pfd, STEP_CREATE, 0, 0, -1);
        tmp_dirfd = dirfd;
        for (int tries = 0; tries < 100; tries++) {
                tmp_name_make(base);
                sigprocmask(SIG_BLOCK, sigs, &saved);
                fd = openat(dirfd, tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                            0600);
                k = fd < 0 ? -errno : 0;
                if (fd >= 0)
                        tmp_live = 1;
                sigprocmask(SIG_SETMASK, &saved, NULL);
                if (k != -EEXIST)
                        break;
        }
        if (k < 0)
                return k;

        say(pfd, STEP_FILL, 0, 0, -1);
        k = set_owner_mode(fd, old);
        if (k == 0)
                k = write_all(fd, j->data, j->len);
        if (k == 0 && fsync(fd) < 0)
                k = -errno;
        /* NFS reports a failed write back at close. */
        if (close(fd) < 0 && k == 0 && errno != EINTR)
                k = -errno;
        if (k < 0)
                goto fail;

        say(pfd, STEP_RENAME, 0, 0, -1);
        /* Checked again: what appeared meanwhile is replaced only if it is a
         * regular file too. Only those who may write the directory can race
         * this check, and they could remove FILE themselves. */
        if (fstatat(dirfd, base, &now, AT_SYMLINK_NOFOLLOW) == 0) {
                if (!S_ISREG(now.st_mode)) {
                        *refusal = REFUSE_CHANGED;
                        k = -EEXIST;
                        goto fail;
                }
        } else if (errno != ENOENT) {
                k = -errno;
                goto fail;
        }
        sigprocmask(SIG_BLOCK, sigs, &saved);
        if (renameat(dirfd, tmp_name, dirfd, base) < 0)
                k = -errno;
        else
                tmp_live = 0;
        sigprocmask(SIG_SETMASK, &saved, NULL);
        if (k == 0)
                return 0;
fail:
        sigprocmask(SIG_BLOCK, sigs, &saved);
        unlinkat(dirfd, tmp_name, 0);
        tmp_live = 0;
        sigprocmask(SIG_SETMASK, &saved, NULL);
        return k;
}

/* A character device, FIFO or socket: written in place. want is what the
 * lookup saw; the opened descriptor must be the same node. */
static int write_direct(int pfd, int dirfd, const char *base, bool follow, const struct stat *want,
                        const struct job *j, int *refusal)
{
        _cleanup_close_ int fd = -1;
        struct stat st;
        int k;

        if (S_ISSOCK(want->st_mode)) {
                struct sockaddr_un sa = { .sun_family = AF_UNIX };

                /* connect(2) takes a path, not a directory descriptor. */
                if (strlen(base) >= sizeof(sa.sun_path))
                        return -ENAMETOOLONG;
                strcpy(sa.sun_path, base);
                say(pfd, STEP_OPEN, 0, 0, -1);
                if (fchdir(dirfd) < 0)
                        return -errno;
                fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                        return -errno;
        } else {
                /* O_NONBLOCK: a serial line's open waits for carrier. Not for
                 * a FIFO, whose open is the wait for a reader we want. */
                int flags = O_WRONLY | O_NOCTTY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW) |
                            (S_ISCHR(want->st_mode) ? O_NONBLOCK : 0);

                say(pfd, S_ISFIFO(want->st_mode) ? STEP_WAIT_READER : STEP_OPEN, 0, 0, -1);
                fd = openat(dirfd, base, flags);
                if (fd < 0)
                        return -errno;
                if (fstat(fd, &st) < 0)
                        return -errno;
                if (!same_inode(&st, want) || (st.st_mode & S_IFMT) != (want->st_mode & S_IFMT)) {
                        *refusal = REFUSE_CHANGED;
                        return -EEXIST;
                }
                if (S_ISCHR(st.st_mode) && fcntl(fd, F_SETFL, 0) < 0)
                        return -errno;
        }
        say(pfd, STEP_WRITE, 0, 0, -1);
        k = write_all(fd, j->data, j->len);
        if (k < 0)
                return k;
        if (close(TAKE_FD(fd)) < 0 && errno != EINTR)
                return -errno;
        return 0;
}

/* What FILE is decides how it is written; see the top of this file. Returns 0,
 * 1 when FILE is our standard stream *use_fd, or -errno (*refusal says why
 * when it is a refusal). */
static int write_path(int pfd, const sigset_t *sigs, const struct job *j,
                      const struct stat stdio[3], int *refusal, int *use_fd)
{
        _cleanup_free_ char *dir = NULL, *dir2 = NULL;
        _cleanup_close_ int dirfd = -1, tfd = -1, dirfd2 = -1;
        const char *base, *base2;
        char proc[64], target[PATH_MAX];
        struct stat lst, st, st2;
        ssize_t n;
        int k;

        say(pfd, STEP_LOOKUP, 0, 0, -1);
        k = split_path(j->path, &dir, &base);
        if (k < 0)
                return k;
        /* "FILE/": it can only name a directory. */
        if (!*base) {
                if (stat(j->path, &st) < 0)
                        return -errno;
                if (!S_ISDIR(st.st_mode))
                        return -ENOTDIR;
                *refusal = REFUSE_DIRECTORY;
                return -EISDIR;
        }
        dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return -errno;
        if (fstatat(dirfd, base, &lst, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno != ENOENT)
                        return -errno;
                return replace_regular(pfd, sigs, dirfd, base, NULL, j, refusal);
        }
        if (S_ISREG(lst.st_mode))
                return replace_regular(pfd, sigs, dirfd, base, &lst, j, refusal);
        if (!S_ISLNK(lst.st_mode)) {
                st = lst;
                goto by_type;
        }

        /* The kernel follows the link (fs.protected_symlinks applies), once. */
        say(pfd, STEP_FOLLOW, 0, 0, -1);
        tfd = openat(dirfd, base, O_PATH | O_CLOEXEC);
        if (tfd < 0) {
                if (errno != ENOENT)
                        return -errno;
                *refusal = REFUSE_DANGLING;
                return -ENOENT;
        }
        if (fstat(tfd, &st) < 0)
                return -errno;
        for (int i = 0; i < 3; i++)
                if (same_inode(&st, &stdio[i])) {
                        *use_fd = i;
                        return 1;
                }
        if (!S_ISREG(st.st_mode))
                goto by_type;
        /* A regular file is replaced where it is: the kernel's name for it,
         * checked to be that very file (not deleted, not in another mount
         * namespace). */
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", tfd);
        n = readlink(proc, target, sizeof(target) - 1);
        if (n <= 0 || target[0] != '/') {
                *refusal = REFUSE_NO_PATH;
                return -ENOENT;
        }
        target[n] = '\0';
        k = split_path(target, &dir2, &base2);
        if (k < 0)
                return k;
        dirfd2 = open(dir2, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd2 < 0 || fstatat(dirfd2, base2, &st2, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISREG(st2.st_mode) || !same_inode(&st2, &st)) {
                *refusal = REFUSE_NO_PATH;
                return -ENOENT;
        }
        return replace_regular(pfd, sigs, dirfd2, base2, &st2, j, refusal);

by_type:
        if (S_ISDIR(st.st_mode)) {
                *refusal = REFUSE_DIRECTORY;
                return -EISDIR;
        }
        if (S_ISBLK(st.st_mode)) {
                *refusal = REFUSE_BLOCK_DEVICE;
                return -EPERM;
        }
        if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode)) {
                *refusal = REFUSE_TYPE;
                return -EPERM;
        }
        return write_direct(pfd, dirfd, base, S_ISLNK(lst.st_mode), &st, j, refusal);
}

static _Noreturn void writer_main(const struct job *j, int pfd)
{
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
        struct sigaction sa = { .sa_handler = writer_on_signal };
        struct stat stdio[3];
        sigset_t block;
        int k, refusal = REFUSE_NONE, use_fd = -1;

        sigemptyset(&block);
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
                sigaddset(&block, sigs[i]);
        sa.sa_mask = block;
        /* The caller blocked them around the fork. SIGTERM is also ours (the
         * deadline, our parent's death); the others stay ignored if they
         * were (nohup). */
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
                struct sigaction cur;
                if (sigs[i] == SIGTERM ||
                    (sigaction(sigs[i], NULL, &cur) == 0 && cur.sa_handler != SIG_IGN))
                        sigaction(sigs[i], &sa, NULL);
        }
        /* A write error comes back as an error: a closed reader (EPIPE), the
         * file size limit of `ulimit -f` (EFBIG), not as a death that would
         * leave the temporary file. */
        signal(SIGPIPE, SIG_IGN);
        signal(SIGXFSZ, SIG_IGN);
        sigprocmask(SIG_UNBLOCK, &block, NULL);

        /* The status pipe becomes 3, the descriptor to write (if any) 4, and
         * every other one is closed. */
        pfd = fcntl(pfd, F_DUPFD_CLOEXEC, 5);
        if (pfd < 0 || dup2(pfd, 3) < 0)
                _exit(1);
        if (!j->path) {
                int wfd = fcntl(j->fd, F_DUPFD_CLOEXEC, 5);
                if (wfd < 0 || dup2(wfd, 4) < 0) {
                        say(3, STEP_FAILED, wfd < 0 ? -errno : -EBADF, 0, -1);
                        _exit(0);
                }
        }
        pfd = 3;
        sys_close_all_but(j->path ? 4 : 5, NULL, 0);
        if (!j->path) {
                say(pfd, STEP_WRITE, 0, 0, -1);
                k = write_all(4, j->data, j->len);
                say(pfd, k < 0 ? STEP_FAILED : STEP_DONE, k, 0, -1);
                _exit(0);
        }
        /* Our standard streams are given up too, each for a placeholder of its
         * own, an empty pipe: FILE may reach them through /proc/self/fd
         * (/dev/stdout), and such a link is then told apart and handed back. */
        for (int i = 0; i < 3; i++) {
                int p[2];
                if (pipe2(p, O_CLOEXEC) < 0 || dup2(p[0], i) < 0 || fstat(i, &stdio[i]) < 0)
                        _exit(1);
                close(p[0]);
                close(p[1]);
        }
        k = write_path(pfd, &block, j, stdio, &refusal, &use_fd);
        if (k == 1)
                say(pfd, STEP_USE_FD, 0, 0, use_fd);
        else
                say(pfd, k < 0 ? STEP_FAILED : STEP_DONE, k, refusal, -1);
        _exit(0);
}

/* ---- the caller ------------------------------------------------------- */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
        if (!got_signal)
                got_signal = sig;
}

struct outcome {
        int step; /* the last step the writer announced */
        int err;
        int refusal;
        int fd;
        bool done, use_fd, timed_out;
};

/* After the deadline: how long a writer in an interruptible wait (a FIFO) is
 * given to act on SIGTERM before it is abandoned. */
#define ABANDON_GRACE_NS (200 * NSEC_PER_MSEC)

static int run_writer(const struct job *j, uint64_t deadline, const sigset_t *waitmask,
                      struct outcome *o)
{
        uint64_t until = deadline;
        bool forwarded = false, eof = false, termed = false;
        pid_t pid;
        int p[2];

        *o = (struct outcome){ .step = j->path ? STEP_LOOKUP : STEP_WRITE, .fd = -1 };
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        /* SIGTERM at our death: its handler (writer_main) removes the
         * temporary file. The signals it handles stay blocked until then. */
        pid = child_fork(&(struct child_setup){
                .keep = (const int[]){ p[1], j->path ? -1 : j->fd },
                .n_keep = 2,
                .deathsig = SIGTERM,
        });
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return pid;
        }
        if (pid == 0)
                writer_main(j, p[1]);
        close(p[1]);

        while (!eof) {
                struct pollfd pfd = { p[0], POLLIN, 0 };
                struct timespec ts;
                uint64_t now = now_ns();
                struct msg m;
                ssize_t n;

                if (got_signal && !forwarded) {
                        kill(pid, SIGTERM);
                        forwarded = true;
                }
                if (now >= until) {
                        if (termed)
                                break;
                        /* Not SIGKILL: the writer's handler removes its
                         * temporary file, now or when its call returns. */
                        kill(pid, SIGTERM);
                        o->timed_out = true;
                        termed = true;
                        until = now + ABANDON_GRACE_NS;
                        continue;
                }
                ts.tv_sec = (time_t)((until - now) / NSEC_PER_SEC);
                ts.tv_nsec = (long)((until - now) % NSEC_PER_SEC);
                if (ppoll(&pfd, 1, &ts, waitmask) <= 0)
                        continue;
                n = read(p[0], &m, sizeof(m));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        eof = true;
                        continue;
                }
                if (n != (ssize_t)sizeof(m))
                        continue;
                switch (m.step) {
                case STEP_DONE:
                        o->done = true;
                        break;
                case STEP_USE_FD:
                        o->use_fd = true;
                        o->fd = m.fd;
                        break;
                case STEP_FAILED:
                        o->err = m.err;
                        o->refusal = m.refusal;
                        break;
                default:
                        o->step = m.step;
                        break;
                }
        }
        close(p[0]);
        /* A writer stuck in the kernel is left to exit when it can (init
         * reaps it once we are gone), holding none of our descriptors. */
        if (eof)
                waitpid(pid, NULL, 0);
        else
                waitpid(pid, NULL, WNOHANG);
        /* An answer that came within the grace period stands. */
        if (o->done || o->use_fd || o->err || o->refusal)
                o->timed_out = false;
        return 0;
}

static const char *step_timeout_text(int step)
{
        switch (step) {
        case STEP_WAIT_READER:
                return "no process opened the FIFO for reading";
        case STEP_OPEN:
                return "it could not be opened";
        case STEP_WRITE:
                return "its reader did not take the whole output";
        default:
                return "its file system did not answer";
        }
}

static const char *refusal_text(int refusal)
{
        switch (refusal) {
        case REFUSE_DIRECTORY:
                return "it is a directory";
        case REFUSE_BLOCK_DEVICE:
                return "it is a block device; a report is never written over a disk";
        case REFUSE_DANGLING:
                return "it is a symbolic link to a file that does not exist; the link's target "
                       "is not created";
        case REFUSE_NO_PATH:
                return "it is a symbolic link to a file whose path cannot be found";
        case REFUSE_CHANGED:
                return "it was replaced by something else while it was written; left alone";
        default:
                return "it is neither a regular file, a character device, a FIFO nor a socket";
        }
}

/* /dev/fd/N and /proc/self/fd/N name our descriptor N, whatever the writer
 * would find there (bash treats these names so in redirections, and passes
 * /dev/fd/63 for a process substitution: --output=>(gzip >x.gz)). */
static int fd_name(const char *path)
{
        const char *p = NULL;
        unsigned long n;
        char *end;

        if (startswith(path, "/dev/fd/"))
                p = path + strlen("/dev/fd/");
        else if (startswith(path, "/proc/self/fd/"))
                p = path + strlen("/proc/self/fd/");
        if (!p || *p < '0' || *p > '9')
                return -1;
        errno = 0;
        n = strtoul(p, &end, 10);
        if (errno || *end || n > INT_MAX)
                return -1;
        return (int)n;
}

int output_write(const char *path, const void *data, size_t len, uint64_t timeout_ns,
                 int *ret_signal, char *err, size_t errlen)
{
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
        struct sigaction sa = { .sa_handler = on_signal }, old[ARRAY_SIZE(sigs)];
        struct job j = { .path = path, .fd = -1, .data = data, .len = len };
        uint64_t deadline = now_ns() + timeout_ns;
        struct outcome o;
        sigset_t block, oldmask;
        char t[32];
        int k;

        got_signal = 0;
        sigemptyset(&block);
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
                sigaddset(&block, sigs[i]);
        sa.sa_mask = block;
        /* Blocked except inside ppoll(): a signal cannot slip in between the
         * check and the wait. An ignored signal (nohup) stays ignored. */
        sigprocmask(SIG_BLOCK, &block, &oldmask);
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
                sigaction(sigs[i], NULL, &old[i]);
                if (old[i].sa_handler != SIG_IGN)
                        sigaction(sigs[i], &sa, NULL);
        }

        k = fd_name(path);
        if (k >= 0) {
                o = (struct outcome){ .use_fd = true, .fd = k };
                k = 0;
        } else
                k = run_writer(&j, deadline, &oldmask, &o);
        if (k == 0 && o.use_fd && !got_signal) {
                /* FILE is our standard output or error (/dev/stdout): written
                 * there by a second writer, bounded the same way. */
                j = (struct job){ .path = NULL, .fd = o.fd, .data = data, .len = len };
                if (fcntl(j.fd, F_GETFD) < 0)
                        o = (struct outcome){ .step = STEP_WRITE, .err = -EBADF };
                else
                        k = run_writer(&j, deadline, &oldmask, &o);
                /* A reader that went away (| head -c1): as for standard output. */
                if (k == 0 && j.fd == STDOUT_FILENO && o.err == -EPIPE)
                        o.done = true;
        }

        /* Unblocked while on_signal still catches: one that was pending is
         * counted, not fatal before the caller has said anything. */
        sigprocmask(SIG_SETMASK, &oldmask, NULL);
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
                sigaction(sigs[i], &old[i], NULL);
        *ret_signal = got_signal;

        snprintf(t, sizeof(t), "%.3g s", (double)timeout_ns / 1e9);
        if (k < 0) {
                format_err(err, errlen, "cannot write %s: %s", path, strerror(-k));
                return k;
        }
        if (o.done)
                return 0;
        if (o.refusal != REFUSE_NONE) {
                format_err(err, errlen, "cannot write %s: %s", path, refusal_text(o.refusal));
                return o.err < 0 ? o.err : -EPERM;
        }
        if (o.err < 0) {
                format_err(err, errlen, "cannot write %s: %s", path, strerror(-o.err));
                return o.err;
        }
        if (o.timed_out) {
                format_err(err, errlen, "cannot write %s: %s within %s (--timeout)", path,
                           step_timeout_text(o.step), t);
                return -ETIMEDOUT;
        }
        if (got_signal) {
                format_err(err, errlen, "cannot write %s: interrupted", path);
                return -EINTR;
        }
        format_err(err, errlen, "cannot write %s: the process writing it ended unexpectedly", path);
        return -ECHILD;
}
