/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/owner.h"
#include "bench/plan.h"
#include "bench/privdir.h"
#include "bench/workloads.h"
#include "core/child.h"
#include "core/strutil.h"

/* ---- signals --------------------------------------------------------- */

/* Installed before the fork, so the child inherits on_stop: its copy of
 * stop_signal is what the plan's stop points to. */
static volatile sig_atomic_t stop_signal, continued;

static void on_stop(int sig)
{
        if (!stop_signal)
                stop_signal = sig;
}

static void on_cont(int sig)
{
        continued = 1;
}

/* ---- the child: its set-up ------------------------------------------ */

/* From the fork to the workloads, which get nothing of ours but the plan
 * (child_fork() has closed the rest and set the parent-death signal). */
static _Noreturn void child_main(const struct bench_plan *plan)
{
        /* A file size limit (ulimit -f) then fails the write with EFBIG, which
         * is reported with the results so far, instead of killing us. */
        signal(SIGXFSZ, SIG_IGN);
        signal(SIGCONT, SIG_DFL);

        bench_workloads_run(plan);
}

/* ---- the parent ------------------------------------------------------ */

static int parent_stop_signal;

int bench_stop_signal(void)
{
        return parent_stop_signal;
}

/* The removal runs in a worker of its own, bounded like every other call on
 * the inspected file system: a server that stopped answering must not hang us
 * here either. Returns 0, -errno, or -ETIMEDOUT. */
static int cleanup_bounded(int basefd, int dirfd, const char *name, uint64_t timeout_ns)
{
        int p[2], r = -ETIMEDOUT, got = 0;
        uint64_t deadline = now_ns() + timeout_ns;
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return privdir_remove(basefd, dirfd, name);
        /* No parent-death signal: the removal must finish without us. */
        pid = child_fork(&(struct child_setup){
                .keep = (const int[]){ basefd, dirfd, p[1] },
                .n_keep = 3,
                .default_signals = true,
        });
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return privdir_remove(basefd, dirfd, name);
        }
        if (pid == 0) {
                int k = privdir_remove(basefd, dirfd, name);
                if (write(p[1], &k, sizeof(k)) != sizeof(k))
                        _exit(1);
                _exit(0);
        }
        close(p[1]);
        for (;;) {
                struct pollfd pfd = { p[0], POLLIN, 0 };
                uint64_t now = now_ns();
                int k;

                if (now >= deadline)
                        break;
                k = poll(&pfd, 1, (int)((deadline - now) / NSEC_PER_MSEC + 1));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k > 0 && read(p[0], &got, sizeof(got)) == sizeof(got))
                        r = got;
                else if (k > 0)
                        r = -ECHILD;
                break;
        }
        close(p[0]);
        if (r == -ETIMEDOUT)
                kill(pid, SIGKILL);
        else
                waitpid(pid, NULL, 0);
        return r;
}

/* ---- the progress line ---------------------------------------------- */

/* What the last report and live sample said, for the progress line. */
struct progress {
        int current;   /* workload running, -1: none */
        bool finished; /* past the workloads: the cleanup */
        uint64_t ops, bytes, ns;
};

static unsigned stderr_width(void)
{
        struct winsize ws;

        if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
                return ws.ws_col;
        return 80;
}

/* fio's status line: the workload, its live rate, the time left, on one line
 * that never wraps (a narrow terminal gets the short form, then a cut: the
 * last column stays empty, as a character there wraps on some terminals). */
static void progress_line(const struct progress *g, uint64_t started, uint64_t budget)
{
        uint64_t el = now_ns() - started;
        const char *w = g->current >= 0 ? bench_workload_to_string(g->current)
                        : g->finished   ? "cleanup"
                                        : "setup";
        double left = el >= budget ? 0.0 : (double)(budget - el) / 1e9;
        char rate[48] = "", x[32], line[160];
        unsigned width = stderr_width();
        int n;

        if (g->current >= 0 && g->ns > 0) {
                unsigned __int128 v = (unsigned __int128)NSEC_PER_SEC;

                if (g->current <= BENCH_SEQ_READ)
                        snprintf(rate, sizeof(rate), "%s/s",
                                 format_bytes(x, sizeof(x), (uint64_t)(v * g->bytes / g->ns)));
                else
                        snprintf(rate, sizeof(rate), "%" PRIu64 " %s",
                                 (uint64_t)(v * g->ops / g->ns),
                                 g->current <= BENCH_SYNC_WRITE ? "IOPS" : "files/s");
        }
        n = snprintf(line, sizeof(line), "benchmark: %-13s %s%s%.1f s left", w, rate,
                     rate[0] ? ", " : "", left);
        /* Narrower: the short form, then without the rate, then cut. */
        if (n >= 0 && (unsigned)n >= width)
                n = snprintf(line, sizeof(line), "%s %s%s%.1fs", w, rate, rate[0] ? " " : "", left);
        if (n >= 0 && (unsigned)n >= width)
                n = snprintf(line, sizeof(line), "%s %.1fs", w, left);
        if (n < 0)
                return;
        if ((unsigned)n >= width)
                n = width > 1 ? (int)width - 1 : 0;
        fprintf(stderr, "\r%.*s\033[K", n, line);
        fflush(stderr);
}

static char *read_clocksource(void)
{
        char buf[64] = "";
        FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "re");

        if (!f)
                return NULL;
        if (!fgets(buf, sizeof(buf), f))
                buf[0] = '\0';
        fclose(f);
        strip(buf);
        return *buf ? strdup(buf) : NULL;
}

/* The run's wall time, split so that the parts add up to it: the probe
 * (started to start), the setup (to the first workload), every workload's
 * part (closed by the child at the next one's start, the one it was in when
 * it stopped reporting closed here) and the cleanup (to end). e carries the
 * child's boundaries, and in live_ns the time its socket was last read. */
static void split_time(struct bench_measure *m, const struct bench_msg *e, uint64_t started,
                       uint64_t start, uint64_t end)
{
        uint64_t child_end = e->end_ns ? e->end_ns : e->live_ns;

        if (e->phase >= 0 && !e->end_ns && child_end > e->mark_ns)
                m->w[e->phase].spent_ns += child_end - e->mark_ns;
        if (child_end < start)
                child_end = start;
        m->probe_ns = start - started;
        m->setup_ns = (e->first_ns ? e->first_ns : child_end) - start;
        m->cleanup_ns = end - child_end;
        m->elapsed_ns = end - started;
}

/* Waits up to timeout_ns for the child to be reaped. */
static bool reap(pid_t pid, int *status, uint64_t timeout_ns)
{
        uint64_t end = now_ns() + timeout_ns;

        for (;;) {
                pid_t k = waitpid(pid, status, WNOHANG);

                if (k == pid)
                        return true;
                if (k < 0 && errno != EINTR)
                        return false;
                if (now_ns() >= end)
                        return false;
                nanosleep(&(struct timespec){ 0, 2 * NSEC_PER_MSEC }, NULL);
        }
}

/* The child's inputs, decided before the fork but for the socket and the
 * parent's PID, which the child sets right after it. */
static void make_plan(const struct bench_params *p, uint64_t start, struct bench_plan *ret)
{
        uint64_t started = p->started_ns && p->started_ns <= start ? p->started_ns : start;
        /* The probe before, the setup and the cleanup after come out of the same
         * budget: the whole command stays within --bench-time. The setup is the
         * child's, before its first workload, so it counts against the
         * workloads' deadline; the cleanup (a few removals, the reaping) gets a
         * tenth, at most 500 ms: what a file system that writes its metadata
         * synchronously (NFS; ext4 -o dirsync) takes for them. */
        uint64_t reserve =
                p->budget_ns / 10 < 500 * NSEC_PER_MSEC ? p->budget_ns / 10 : 500 * NSEC_PER_MSEC;
        uint64_t deadline = started + p->budget_ns - reserve;

        if (deadline < start)
                deadline = start;
        *ret = (struct bench_plan){
                .path = p->path,
                .fs_magic = p->fs_magic,
                .size_bytes = p->size_bytes,
                .budget_ns = p->budget_ns,
                .workload_budget_ns = deadline - start,
                .deadline_ns = deadline,
                .progress = p->progress,
                .sock = -1,
                .stop = &stop_signal,
        };
        /* Who we are, for the marker of the private directory. */
        if (bench_owner_self(&ret->owner) < 0)
                ret->owner.n = 0;
}

int bench_run(const struct bench_params *p, struct bench_result **ret, char *err, size_t errlen)
{
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
        struct sigaction sa = { .sa_handler = on_stop }, old[ARRAY_SIZE(sigs)];
        struct sigaction sa_cont = { .sa_handler = on_cont }, old_cont;
        struct bench_result *b;
        struct bench_plan plan;
        sigset_t block, oldmask;
        uint64_t start, deadline, stop_deadline = 0, next_progress, prev, prev_wait = 0;
        uint64_t started;
        struct bench_msg edge = { .phase = -1 }; /* the boundaries last reported */
        struct progress live = { .current = -1 };
        int sv[2], basefd = -1, dirfd = -1, k, status = 0, current = -1;
        bool have_done = false, eof = false, reaped = false, lost_fds = false;
        char name[64] = "";
        pid_t pid;

        b = calloc(1, sizeof(*b));
        if (!b || !(b->path = strdup(p->path))) {
                bench_result_free(b);
                return -ENOMEM;
        }
        start = now_ns();
        started = p->started_ns && p->started_ns <= start ? p->started_ns : start;
        b->clocksource = read_clocksource();
        make_plan(p, start, &plan);
        bench_measure_init(&b->m, plan.budget_ns, plan.workload_budget_ns);

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                k = negative_errno();
                snprintf(err, errlen, "socketpair: %s", strerror(-k));
                bench_result_free(b);
                return k;
        }
        /* The parent will hold the two directory descriptors, then a pipe to its
         * cleanup worker: make sure the descriptor limit leaves room for them, or
         * the directory could not be removed. */
        {
                int spare[2] = { fcntl(sv[0], F_DUPFD_CLOEXEC, 3),
                                 fcntl(sv[0], F_DUPFD_CLOEXEC, 3) };
                struct rlimit rl;

                for (size_t i = 0; i < ARRAY_SIZE(spare); i++)
                        if (spare[i] >= 0)
                                close(spare[i]);
                if (spare[0] < 0 || spare[1] < 0) {
                        k = -EMFILE;
                        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
                                snprintf(err, errlen,
                                         "too many open files: the limit (ulimit -n %llu) leaves "
                                         "no descriptors for the benchmark",
                                         (unsigned long long)rl.rlim_cur);
                        else
                                snprintf(err, errlen, "too many open files");
                        close(sv[0]);
                        close(sv[1]);
                        bench_result_free(b);
                        return k;
                }
        }
        parent_stop_signal = 0;
        stop_signal = 0;
        sigemptyset(&block);
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
                sigaddset(&block, sigs[i]);
        /* Blocked except inside ppoll(): a signal cannot slip in between the
         * flag check and the wait. */
        sigprocmask(SIG_BLOCK, &block, &oldmask);
        /* SIGINT or SIGHUP ignored when we started (a background job of a
         * script, nohup) stays ignored: that was asked for, and a run under
         * nohup must outlive the terminal. SIGTERM always stops the run: it
         * is also how this process stops the child. */
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
                sigaction(sigs[i], NULL, &old[i]);
                if (sigs[i] == SIGTERM || old[i].sa_handler != SIG_IGN)
                        sigaction(sigs[i], &sa, NULL);
        }
        continued = 0;
        sigaction(SIGCONT, &sa_cont, &old_cont);

        /* Parent killed outright: the child stops, and cleans up itself. */
        pid = child_fork(&(struct child_setup){
                .keep = &sv[1], .n_keep = 1, .deathsig = SIGTERM, .mask = &oldmask });
        if (pid < 0) {
                k = pid;
                snprintf(err, errlen, "fork: %s", strerror(-k));
                close(sv[0]);
                close(sv[1]);
                goto restore;
        }
        if (pid == 0) {
                signal(SIGPIPE, SIG_IGN);
                plan.sock = sv[1];
                plan.parent = getppid();
                child_main(&plan);
        }
        close(sv[1]);

        deadline = start + p->budget_ns + p->grace_ns;
        next_progress = start;
        prev = start;
        for (;;) {
                struct bench_msg msg;
                union {
                        char buf[CMSG_SPACE(2 * sizeof(int))];
                        struct cmsghdr align;
                } u;
                struct iovec iov = { &msg, sizeof(msg) };
                struct msghdr mh = { .msg_iov = &iov,
                                     .msg_iovlen = 1,
                                     .msg_control = u.buf,
                                     .msg_controllen = sizeof(u.buf) };
                struct pollfd pfd = { sv[0], POLLIN, 0 };
                uint64_t now = now_ns(), until, wait;
                struct timespec ts;
                ssize_t n;

                /* Time this process did not run is not the child's silence. Stopped
                 * (SIGSTOP, or a terminal's Ctrl-Z, which stops the child too): a
                 * fresh grace period from the SIGCONT. Starved beyond the wait it
                 * asked for: the deadlines move on by what it lost. */
                if (now - prev > prev_wait + 50 * NSEC_PER_MSEC) {
                        uint64_t lost = now - prev - prev_wait;
                        deadline += lost;
                        if (stop_deadline)
                                stop_deadline += lost;
                }
                if (continued) {
                        continued = 0;
                        if (deadline < now + p->grace_ns)
                                deadline = now + p->grace_ns;
                        if (stop_deadline && stop_deadline < now + p->grace_ns)
                                stop_deadline = now + p->grace_ns;
                }
                prev = now;
                prev_wait = 0;
                if (stop_signal && !parent_stop_signal) {
                        parent_stop_signal = stop_signal;
                        /* The child has its own handler: it ends the workload it is in
                         * and reports what it measured. */
                        kill(pid, SIGTERM);
                        stop_deadline = now + (p->grace_ns < 2 * NSEC_PER_SEC ? p->grace_ns
                                                                              : 2 * NSEC_PER_SEC);
                        continue;
                }
                if (eof)
                        break;
                until = stop_deadline ? stop_deadline : deadline;
                if (p->progress && now >= next_progress) {
                        progress_line(&live, started, p->budget_ns);
                        next_progress = now + 200 * NSEC_PER_MSEC;
                }
                if (p->progress && next_progress < until)
                        until = next_progress;
                /* Past the deadline, one look at what already arrived (the child
                 * may have finished while we were stopped) before giving up. */
                wait = until > now ? until - now : 0;
                ts.tv_sec = (time_t)(wait / NSEC_PER_SEC);
                ts.tv_nsec = (long)(wait % NSEC_PER_SEC);
                prev_wait = wait;
                k = ppoll(&pfd, 1, &ts, &oldmask);
                if (k == 0 && now >= (stop_deadline ? stop_deadline : deadline)) {
                        if (!stop_deadline)
                                b->m.timed_out = true;
                        break;
                }
                if (k <= 0)
                        continue;
                n = recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        eof = true;
                        continue;
                }
                if (mh.msg_flags & MSG_CTRUNC)
                        lost_fds = true;
                for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
                        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
                            cm->cmsg_len == CMSG_LEN(2 * sizeof(int)) && basefd < 0) {
                                int fds[2];
                                memcpy(fds, CMSG_DATA(cm), sizeof(fds));
                                basefd = fds[0];
                                dirfd = fds[1];
                        }
                }
                if ((size_t)n != sizeof(msg))
                        continue;
                if (msg.kind == BENCH_MSG_HELLO) {
                        memcpy(name, msg.name, sizeof(name));
                        name[sizeof(name) - 1] = '\0';
                } else if (msg.kind == BENCH_MSG_PROGRESS) {
                        live.ops = msg.live_ops;
                        live.bytes = msg.live_bytes;
                        live.ns = msg.live_ns;
                        continue;
                } else {
                        b->m = msg.m;
                        current = msg.current;
                        edge.phase = msg.phase;
                        edge.first_ns = msg.first_ns;
                        edge.mark_ns = msg.mark_ns;
                        edge.end_ns = msg.end_ns;
                        live = (struct progress){ .current = msg.end_ns ? -1 : msg.phase,
                                                  .finished = msg.end_ns != 0 };
                }
                if (msg.kind == BENCH_MSG_DONE)
                        have_done = true;
        }
        close(sv[0]);
        edge.live_ns = now_ns(); /* where the child's part ends, for split_time() */
        if (p->progress) {
                fputs("\r\033[K", stderr);
                fflush(stderr);
        }
        if (!have_done) {
                /* The socket closed without a report: the child is gone, or going
                 * (its descriptors close before it can be reaped). Otherwise it is
                 * stuck in the kernel or ignoring us: what it sent so far stands. */
                if (eof)
                        reaped = reap(pid, &status,
                                      p->grace_ns < NSEC_PER_SEC ? p->grace_ns : NSEC_PER_SEC);
                if (!reaped) {
                        kill(pid, SIGKILL);
                        if (!parent_stop_signal)
                                b->m.timed_out = true;
                        reaped = reap(pid, &status, 100 * NSEC_PER_MSEC);
                } else if (WIFSIGNALED(status)) {
                        b->m.killed_by = WTERMSIG(status);
                        /* In what it was doing when it died. */
                        if (b->m.err_workload < 0)
                                b->m.err_workload = current;
                } else if (!b->m.err) {
                        b->m.err = -EPIPE;
                        snprintf(b->m.err_call, sizeof(b->m.err_call), "exit");
                        snprintf(b->m.err_detail, sizeof(b->m.err_detail),
                                 "the benchmark process ended without reporting (exit status "
                                 "%d)",
                                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
                }
                if (parent_stop_signal)
                        b->m.interrupted = true;
        } else
                reaped = reap(pid, &status, p->grace_ns);
        if (!reaped) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, WNOHANG);
        }
        if (parent_stop_signal)
                b->m.interrupted = true;

        if (basefd >= 0 && name[0]) {
                k = cleanup_bounded(basefd, dirfd, name, p->grace_ns);
                if (k < 0) {
                        if (asprintf(&b->leftover, "%s/%s", p->path, name) < 0)
                                b->leftover = NULL;
                }
        } else if (name[0] && lost_fds) {
                /* The descriptors did not make it across (the limit of open files):
                 * the directory is there and cannot be reached safely from here. */
                if (asprintf(&b->leftover, "%s/%s", p->path, name) < 0)
                        b->leftover = NULL;
        }
        if (basefd >= 0)
                close(basefd);
        if (dirfd >= 0)
                close(dirfd);
        b->m.budget_ns = p->budget_ns;
        split_time(&b->m, &edge, started, start, now_ns());
        if (b->m.err == -ENOSPC && streq_ptr(b->m.err_call, "plan")) {
                /* Refused before anything was written: a reason, not a report. */
                snprintf(err, errlen, "%s", b->m.err_detail);
                k = -ENOSPC;
                goto restore;
        }
        *ret = b;
        b = NULL;
        k = 0;
restore:
        /* Unblock first, while on_stop still catches: a second Ctrl-C during the
         * cleanup must not kill us before the partial results are printed. */
        sigprocmask(SIG_SETMASK, &oldmask, NULL);
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
                sigaction(sigs[i], &old[i], NULL);
        sigaction(SIGCONT, &old_cont, NULL);
        bench_result_free(b);
        return k;
}
