/* SPDX-License-Identifier: MIT */
#include <blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsquery.h"
#include "macro.h"

static uint64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void fill_statfs(const char *path, struct fsq_reply *rep)
{
        struct statfs sf;

        if (statfs(path, &sf) < 0) {
                rep->err = negative_errno();
                return;
        }
        rep->have_statfs = true;
        rep->f_type = (uint64_t)(unsigned long)sf.f_type;
        /* f_frsize is the unit of f_blocks (statfs(2)); older kernels leave it 0. */
        {
                uint64_t unit = sf.f_frsize ? (uint64_t)sf.f_frsize : (uint64_t)sf.f_bsize;
                /* EFS reports 8 EiB: keep the product from wrapping. */
                rep->size_bytes = sf.f_blocks > UINT64_MAX / (unit ? unit : 1)
                                          ? UINT64_MAX - 1
                                          : (uint64_t)sf.f_blocks * unit;
                rep->free_bytes = sf.f_bavail > UINT64_MAX / (unit ? unit : 1)
                                          ? UINT64_MAX - 1
                                          : (uint64_t)sf.f_bavail * unit;
        }
}

static void copy_tag(blkid_probe pr, const char *name, char *dst, size_t len)
{
        const char *v = NULL;
        size_t vlen = 0;

        if (blkid_probe_lookup_value(pr, name, &v, &vlen) == 0 && v) {
                snprintf(dst, len, "%s", v);
        }
}

void fsq_execute(const struct sysroot *root, const struct fsq_request *req,
                 struct fsq_reply *rep)
{
        memset(rep, 0, sizeof(*rep));

        switch (req->op) {
        case FSQ_PATH: {
                char *resolved = NULL;
                struct stat st;
                int k = sysroot_resolve(root, req->path, &resolved);

                if (k < 0) {
                        rep->err = k;
                        return;
                }
                if (strlen(resolved) >= sizeof(rep->resolved)) {
                        free(resolved);
                        rep->err = -ENAMETOOLONG;
                        return;
                }
                strcpy(rep->resolved, resolved);
                free(resolved);
                /* Replay: the snapshot's own stat and statfs would describe the
                 * machine it is replayed on, so they come from its facts file. */
                if (sysroot_is_replay(root)) {
                        struct stat rst;
                        const char *rel = rep->resolved + strspn(rep->resolved, "/");
                        if (fstatat(root->fd, *rel ? rel : ".", &rst, 0) == 0)
                                rep->is_dir = S_ISDIR(rst.st_mode);
                        return;
                }
                if (stat(rep->resolved, &st) < 0) {
                        rep->err = negative_errno();
                        return;
                }
                rep->have_stat = true;
                rep->is_dir = S_ISDIR(st.st_mode);
                rep->dev_major = major(st.st_dev);
                rep->dev_minor = minor(st.st_dev);
                fill_statfs(rep->resolved, rep);
                return;
        }
        case FSQ_STATFS:
                fill_statfs(req->path, rep);
                return;
        case FSQ_BLKID: {
                blkid_probe pr = blkid_new_probe_from_filename(req->path);

                if (!pr) {
                        rep->err = errno ? -errno : -EIO;
                        return;
                }
                blkid_probe_enable_superblocks(pr, 1);
                blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID |
                                                              BLKID_SUBLKS_LABEL);
                if (blkid_do_safeprobe(pr) == 0) {
                        copy_tag(pr, "TYPE", rep->fs_type, sizeof(rep->fs_type));
                        copy_tag(pr, "UUID", rep->uuid, sizeof(rep->uuid));
                        copy_tag(pr, "LABEL", rep->label, sizeof(rep->label));
                } else
                        rep->err = -ENODATA;
                blkid_free_probe(pr);
                return;
        }
        }
        rep->err = -EINVAL;
}

static _Noreturn void child_main(const struct sysroot *root, const struct fsq_request *req,
                                 int wfd)
{
        struct fsq_reply rep;
        const char *p = (const char *)&rep;
        size_t left = sizeof(rep);
        int nul;

        /* A child stuck in the kernel must hold neither the caller's terminal
         * nor the pipe a shell reads our output from. */
        nul = open("/dev/null", O_RDWR | O_CLOEXEC);
        for (int fd = 0; fd <= 2; fd++) {
                if (nul >= 0)
                        dup2(nul, fd);
                else
                        close(fd);
        }
        signal(SIGPIPE, SIG_DFL);

        fsq_execute(root, req, &rep);
        while (left > 0) {
                ssize_t n = write(wfd, p, left);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        _exit(1);
                }
                p += n;
                left -= (size_t)n;
        }
        _exit(0);
}

struct worker {
        pid_t pid;
        int fd;
        size_t got;
        bool done;
};

static void reap(struct worker *w, bool abandon)
{
        if (w->pid <= 0)
                return;
        /* A child stuck in uninterruptible sleep dies when the kernel lets it;
         * nobody waits for it here (init reaps it after we exit). */
        if (abandon)
                kill(w->pid, SIGKILL);
        if (waitpid(w->pid, NULL, WNOHANG) == 0 && !abandon) {
                /* It wrote its whole answer; it only has _exit() left to do. */
                kill(w->pid, SIGKILL);
                waitpid(w->pid, NULL, 0);
        }
        w->pid = 0;
}

int fsq_run(const struct sysroot *root, const struct fsq_request *reqs,
            struct fsq_reply *replies, size_t n, uint64_t timeout_ns)
{
        _cleanup_free_ struct worker *w = NULL;
        _cleanup_free_ struct pollfd *pfd = NULL;
        uint64_t deadline = now_ns() + timeout_ns;
        size_t pending = 0;
        int r = 0;

        if (n == 0)
                return 0;
        w = calloc(n, sizeof(*w));
        pfd = calloc(n, sizeof(*pfd));
        if (!w || !pfd)
                return -ENOMEM;

        /* Anything buffered would be written twice, once by each child. */
        fflush(stdout);
        fflush(stderr);

        for (size_t i = 0; i < n; i++) {
                int p[2];

                memset(&replies[i], 0, sizeof(replies[i]));
                w[i].fd = -1;
                if (pipe2(p, O_CLOEXEC) < 0) {
                        r = negative_errno();
                        replies[i].err = r;
                        w[i].done = true;
                        continue;
                }
                w[i].pid = fork();
                if (w[i].pid < 0) {
                        r = negative_errno();
                        replies[i].err = r;
                        w[i].done = true;
                        close(p[0]);
                        close(p[1]);
                        continue;
                }
                if (w[i].pid == 0) {
                        close(p[0]);
                        child_main(root, &reqs[i], p[1]);
                }
                close(p[1]);
                w[i].fd = p[0];
                pending++;
        }

        while (pending > 0) {
                uint64_t now = now_ns();
                size_t np = 0;
                int timeout_ms, k;

                if (now >= deadline)
                        break;
                timeout_ms = (int)((deadline - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
                for (size_t i = 0; i < n; i++) {
                        if (w[i].done)
                                continue;
                        pfd[np].fd = w[i].fd;
                        pfd[np].events = POLLIN;
                        pfd[np].revents = 0;
                        np++;
                }
                k = poll(pfd, np, timeout_ms);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = negative_errno();
                        break;
                }
                for (size_t i = 0, j = 0; i < n; i++) {
                        ssize_t got;

                        if (w[i].done)
                                continue;
                        if (!pfd[j++].revents)
                                continue;
                        got = read(w[i].fd, (char *)&replies[i] + w[i].got,
                                   sizeof(replies[i]) - w[i].got);
                        if (got < 0 && errno == EINTR)
                                continue;
                        if (got > 0) {
                                w[i].got += (size_t)got;
                                if (w[i].got < sizeof(replies[i]))
                                        continue;
                        } else if (w[i].got < sizeof(replies[i])) {
                                /* EOF before a whole answer: the child died. */
                                memset(&replies[i], 0, sizeof(replies[i]));
                                replies[i].err = -ECHILD;
                        }
                        w[i].done = true;
                        close(w[i].fd);
                        w[i].fd = -1;
                        reap(&w[i], false);
                        pending--;
                }
        }

        for (size_t i = 0; i < n; i++) {
                if (w[i].done)
                        continue;
                memset(&replies[i], 0, sizeof(replies[i]));
                replies[i].err = r < 0 ? r : -ETIMEDOUT;
                if (w[i].fd >= 0)
                        close(w[i].fd);
                reap(&w[i], true);
        }
        return 0;
}
