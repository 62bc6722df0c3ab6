/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "core/child.h"
#include "core/macro.h"
#include "core/raw-syscall.h"

static bool kept(const struct child_setup *s, int fd)
{
        for (size_t i = 0; i < s->n_keep; i++)
                if (s->keep[i] == fd)
                        return true;
        return false;
}

/* After the other descriptors are closed: /dev/null then finds a free one
 * even when the caller had reached its descriptor limit. */
static void stdio_to_null(const struct child_setup *s)
{
        int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

        for (int fd = 0; fd <= 2; fd++) {
                if (kept(s, fd))
                        continue;
                if (nul < 0)
                        close(fd); /* no stream rather than the caller's */
                else if (fd == nul)
                        (void)fcntl(fd, F_SETFD, 0); /* the stream of a program it runs, too */
                else
                        (void)dup2(nul, fd);
        }
        if (nul > 2)
                close(nul);
}

pid_t child_fork(const struct child_setup *s)
{
        pid_t parent = getpid(), pid;

        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid != 0)
                return pid < 0 ? negative_errno() : pid;

        sys_close_all_but(3, s->keep, s->n_keep);
        stdio_to_null(s);
        if (s->default_signals)
                for (int sig = 1; sig < NSIG; sig++)
                        signal(sig, SIG_DFL);
        if (s->mask)
                sigprocmask(SIG_SETMASK, s->mask, NULL);
        if (s->deathsig > 0) {
                (void)prctl(PR_SET_PDEATHSIG, s->deathsig);
                /* Dead before the prctl: nothing will send it, so as if it
                 * had died just after. */
                if (getppid() != parent)
                        raise(s->deathsig);
        }
        return 0;
}
