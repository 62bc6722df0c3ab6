/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "core/light-worker.h"
#include "core/macro.h"
#include "core/raw-syscall.h"

/* Everything in this file may run in a worker that shares the caller's memory
 * and TLS: raw system calls only, no errno, no malloc, no stdio. A libc call
 * added here fails the light-worker-libc test unless it is as safe as those
 * on its allow-list. */

/* Linux's own limit on symlinks followed in one lookup (MAXSYMLINKS). */
#define SYMLINK_MAX 40

/* "/a/b" → "a/b", "/" → ".": what readlinkat() on the root fd wants. */
static const char *relative(const char *abs)
{
        while (*abs == '/')
                abs++;
        return *abs ? abs : ".";
}

int light_resolve(int rootfd, const char *start, const char *path, char ret[PATH_MAX],
                  void (*on_link)(void *ctx, const char *path, const char *target), void *ctx)
{
        /* done: resolved prefix ("" is the root). todo: what is left to walk.
         * Only raw system calls and string functions that leave errno alone:
         * the light worker runs this in the caller's memory. */
        char done[PATH_MAX], todo[PATH_MAX], link[PATH_MAX];
        size_t dlen = strlen(start), plen;
        unsigned links = 0;
        char *p;

        if (dlen >= sizeof(done))
                return -ENAMETOOLONG;
        memcpy(done, start, dlen + 1);
        plen = strlen(path);
        if (plen >= sizeof(todo))
                return -ENAMETOOLONG;
        memcpy(todo, path, plen + 1);
        p = todo;

        for (;;) {
                char *comp, *next;
                size_t clen;
                long n;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                comp = p;
                next = strchrnul(p, '/');
                clen = (size_t)(next - comp);
                p = next;

                if (clen == 1 && comp[0] == '.')
                        continue;
                if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
                        /* ".." never climbs out of the root. */
                        while (dlen > 0 && done[dlen - 1] != '/')
                                dlen--;
                        if (dlen > 0)
                                dlen--;
                        done[dlen] = '\0';
                        continue;
                }
                if (dlen + 1 + clen >= sizeof(done))
                        return -ENAMETOOLONG;
                done[dlen] = '/';
                memcpy(done + dlen + 1, comp, clen);
                done[dlen + 1 + clen] = '\0';

                /* How far the walk got, published before the call that may
                 * never return: a caller that abandons a stuck worker reads
                 * here which path, so which mount, stopped answering. */
                memcpy(ret, done, dlen + 1 + clen + 1);
                n = sys_readlinkat(rootfd, relative(done), link, sizeof(link));
                if (n == -EINVAL) { /* not a symlink: keep it */
                        dlen += 1 + clen;
                        continue;
                }
                if (n < 0)
                        return (int)n;
                if ((size_t)n >= sizeof(link))
                        return -ENAMETOOLONG;
                link[n] = '\0';
                if (on_link)
                        on_link(ctx, done, link);
                if (++links > SYMLINK_MAX)
                        return -ELOOP;

                /* todo = link + "/" + rest-of-todo */
                {
                        size_t rest = strlen(p);
                        if ((size_t)n + rest + 1 >= sizeof(todo))
                                return -ENAMETOOLONG;
                        memmove(todo + n, p, rest + 1);
                        memcpy(todo, link, (size_t)n);
                        p = todo;
                }
                if (link[0] == '/')
                        dlen = 0; /* absolute target: from the root, not the host's "/" */
                done[dlen] = '\0';
        }

        if (dlen == 0)
                memcpy(ret, "/", 2);
        else
                memcpy(ret, done, dlen + 1);
        return 0;
}

static void fill_statfs(const char *path, struct fsq_reply *rep)
{
        struct statfs sf;
        uint64_t unit;
        long k = sys_statfs(path, &sf);

        if (k < 0) {
                rep->err = (int)k;
                return;
        }
        rep->have_statfs = true;
        rep->f_type = (uint64_t)(unsigned long)sf.f_type;
        /* f_frsize is the unit of f_blocks (statfs(2)); older kernels leave it 0. */
        unit = sf.f_frsize ? (uint64_t)sf.f_frsize : (uint64_t)sf.f_bsize;
        if (unit == 0)
                unit = 1;
        /* EFS reports 8 EiB: keep the product from wrapping. */
        rep->size_bytes =
                sf.f_blocks > UINT64_MAX / unit ? UINT64_MAX - 1 : (uint64_t)sf.f_blocks * unit;
        rep->free_bytes =
                sf.f_bavail > UINT64_MAX / unit ? UINT64_MAX - 1 : (uint64_t)sf.f_bavail * unit;
}

void light_reply_reset(struct fsq_reply *rep)
{
        char *resolved = rep->resolved;

        memset(rep, 0, sizeof(*rep));
        rep->resolved = resolved;
        if (resolved)
                resolved[0] = '\0';
}

static void execute_path(int rootfd, bool replay, const char *path, struct fsq_reply *rep)
{
        long k;

        if (!rep->resolved) {
                rep->err = -EINVAL;
                return;
        }
        k = light_resolve(rootfd, "", path, rep->resolved, NULL, NULL);
        if (k < 0) {
                rep->err = (int)k;
                return;
        }
        light_stat_resolved(rootfd, replay, rep);
}

void light_stat_resolved(int rootfd, bool replay, struct fsq_reply *rep)
{
        const char *rel;
        struct stat st;
        long k;

        /* Replay: the snapshot's own stat and statfs would describe the machine
         * it is replayed on, so they come from its facts file instead. */
        if (replay) {
                for (rel = rep->resolved; *rel == '/'; rel++)
                        ;
                if (sys_fstatat(rootfd, *rel ? rel : ".", &st, 0) == 0)
                        rep->is_dir = S_ISDIR(st.st_mode);
                return;
        }
        k = sys_fstatat(AT_FDCWD, rep->resolved, &st, 0);
        if (k < 0) {
                rep->err = (int)k;
                return;
        }
        rep->have_stat = true;
        rep->is_dir = S_ISDIR(st.st_mode);
        rep->dev_major = major(st.st_dev);
        rep->dev_minor = minor(st.st_dev);
        fill_statfs(rep->resolved, rep);
}

void light_execute(int rootfd, bool replay, enum fsq_op op, const char *path, struct fsq_reply *rep)
{
        light_reply_reset(rep);
        switch (op) {
        case FSQ_PATH:
                execute_path(rootfd, replay, path, rep);
                return;
        case FSQ_STATFS:
                fill_statfs(path, rep);
                return;
        case FSQ_BLKID:
                break;
        }
        rep->err = -EINVAL;
}

/* The answer is in the slot before its byte is written. Once the group's
 * last byte is written the caller may hand the region to its next batch (or
 * unmap it, and malloc may take the addresses back), while this worker has
 * not exited yet: nothing of the region is read after that byte. A worker
 * that read sh->n again there once ran the next batch's slots of its group
 * and wrote into the caller's heap (a crash one run in 600 with musl). */
void light_run_group(struct fsq_shared *sh, unsigned group, int wfd, fsq_exec_fn exec)
{
        size_t n = sh->n, last = n;
        bool skip = false;
        char one = 1;

        for (size_t i = 0; i < n; i++)
                if (sh->slots[i].group == group)
                        last = i;
        for (size_t i = 0; last < n && i <= last; i++) {
                struct fsq_slot *s = &sh->slots[i];

                if (s->group != group)
                        continue;
                if (skip) {
                        light_reply_reset(&s->reply);
                        s->reply.err = -ECANCELED;
                } else {
                        exec(sh->rootfd, sh->replay, s->op, s->path, &s->reply);
                        skip = s->first_found && s->reply.err == 0;
                }
                if (wfd >= 0 && sys_write(wfd, &one, 1) != 1)
                        return;
        }
}

/* The light worker: clone(CLONE_VM), so no page tables are copied (a fork
 * costs 0.7 ms on a small VM, this 25 µs), yet a process of its own that the
 * caller can abandon, with its own descriptor table. It shares the caller's
 * memory and TLS: raw system calls only, signals blocked (Ctrl-C reaches the
 * whole process group, and the caller's handlers are not for this stack).
 * Every descriptor but its two is closed: a worker stuck in the kernel must
 * hold neither the caller's terminal nor any copy of the pipe a shell reads
 * our output from (`x=$(studio-probe)`), or the reader waits for EOF forever. */
int light_worker_main(void *arg)
{
        struct light_arg *a = arg;

        sys_block_signals();
        sys_close_all_but(0, (const int[]){ a->wfd, a->sh->rootfd }, 2);
        light_run_group(a->sh, a->group, a->wfd, light_execute);
        sys_exit(0);
}
