/* SPDX-License-Identifier: MIT */
/* A FUSE file system that never answers: the stand-in for an NFS server that
 * went away under a hard mount. Every request the kernel sends (lookup,
 * getattr, statfs, open, readdir, ...) is read and then left without a reply,
 * so the caller sleeps in request_wait_answer(). Once a request has been read
 * by us, even SIGKILL does not wake it (fs/fuse/dev.c waits it out): the same
 * unkillable D state a dead NFS server causes. Only the end of this daemon
 * (its /dev/fuse closes, the connection is aborted) releases the callers.
 *
 * Usage: hangfs MOUNTPOINT. Prints "ready" on stdout once mounted; SIGTERM or
 * the death of its parent unmounts. The low-level API is used because it lets
 * a request go unanswered without parking a thread on it. */
#define FUSE_USE_VERSION 34
#include <fuse_lowlevel.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* Each handler keeps the request and never replies. libfuse frees nothing of
 * it: a few hundred bytes per request, for the life of a test. */
static void never_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
}

static void never_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
}

static void never_readlink(fuse_req_t req, fuse_ino_t ino)
{
}

static void never_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
}

static void never_statfs(fuse_req_t req, fuse_ino_t ino)
{
}

static void never_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
}

static void never_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
}

static void never_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
}

static void never_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                       struct fuse_file_info *fi)
{
}

static void never_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                          struct fuse_file_info *fi)
{
}

static const struct fuse_lowlevel_ops ops = {
        .lookup = never_lookup,
        .getattr = never_getattr,
        .readlink = never_readlink,
        .open = never_open,
        .opendir = never_open,
        .statfs = never_statfs,
        .access = never_access,
        .getxattr = never_getxattr,
        .listxattr = never_listxattr,
        .read = never_read,
        .readdir = never_readdir,
};

int main(int argc, char *argv[])
{
        /* fsname/subtype make mountinfo say "fuse.hangfs ... hangfs": what the
         * probe's timeout message must name. */
        char opt[] = "-o", opts[] = "fsname=hangfs,subtype=hangfs";
        char *fargv[] = { argv[0], opt, opts, NULL };
        struct fuse_args args = FUSE_ARGS_INIT(3, fargv);
        struct fuse_session *se;
        pid_t parent = getppid();
        int r;

        if (argc != 2) {
                fprintf(stderr, "usage: %s MOUNTPOINT\n", argv[0]);
                return 2;
        }
        /* A test killed by its harness must not leave a mount that hangs every
         * later `df`: die with the parent, which unmounts. */
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
                return 1;

        se = fuse_session_new(&args, &ops, sizeof(ops), NULL);
        if (!se)
                return 1;
        if (fuse_set_signal_handlers(se) < 0) {
                fuse_session_destroy(se);
                return 1;
        }
        if (fuse_session_mount(se, argv[1]) < 0) {
                fuse_remove_signal_handlers(se);
                fuse_session_destroy(se);
                return 1;
        }
        printf("ready\n");
        fflush(stdout);
        /* Single-threaded: one thread reads every request and answers none. */
        r = fuse_session_loop(se);
        fuse_session_unmount(se);
        fuse_remove_signal_handlers(se);
        fuse_session_destroy(se);
        return r < 0 ? 1 : 0;
}
