/* SPDX-License-Identifier: MIT */
#pragma once

/* System calls that return -errno and touch nothing else. The light worker
 * (core/light-worker.c) shares the caller's memory (clone(CLONE_VM)) and also its TLS, so it
 * must not write errno, take a libc lock or call malloc: libc's wrappers and
 * syscall(3) all set errno. Raw instructions for x86_64 and aarch64 (where
 * SageMaker runs); elsewhere RAW_SYSCALLS is 0 and the worker forks instead,
 * using the libc fallbacks below. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define RAW_SYSCALLS 1
static inline long raw_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
        long ret;
        register long r10 __asm__("r10") = d;
        register long r8 __asm__("r8") = e;
        register long r9 __asm__("r9") = f;

        __asm__ volatile("syscall"
                         : "=a"(ret)
                         : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                         : "rcx", "r11", "memory");
        return ret;
}
#elif defined(__aarch64__)
#define RAW_SYSCALLS 1
static inline long raw_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
        register long x8 __asm__("x8") = n;
        register long x0 __asm__("x0") = a;
        register long x1 __asm__("x1") = b;
        register long x2 __asm__("x2") = c;
        register long x3 __asm__("x3") = d;
        register long x4 __asm__("x4") = e;
        register long x5 __asm__("x5") = f;

        __asm__ volatile("svc 0"
                         : "+r"(x0)
                         : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                         : "memory");
        return x0;
}
#else
#define RAW_SYSCALLS 0
#endif

#if RAW_SYSCALLS
#define RAW(n, a, b, c, d) raw_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static inline long sys_readlinkat(int dfd, const char *path, char *buf, size_t len)
{
        return RAW(SYS_readlinkat, dfd, path, buf, len);
}
static inline long sys_fstatat(int dfd, const char *path, struct stat *st, int flags)
{
        /* x86_64 and aarch64 share struct stat with the kernel's newfstatat. */
        return RAW(SYS_newfstatat, dfd, path, st, flags);
}
static inline long sys_statfs(const char *path, struct statfs *sf)
{
        return RAW(SYS_statfs, path, sf, 0, 0);
}
static inline long sys_write(int fd, const void *buf, size_t len)
{
        return RAW(SYS_write, fd, buf, len, 0);
}
static inline long sys_close(int fd)
{
        return RAW(SYS_close, fd, 0, 0, 0);
}
static inline long sys_close_range(unsigned first, unsigned last)
{
        return RAW(436 /* SYS_close_range, Linux 5.9 */, first, last, 0, 0);
}
static inline long sys_block_signals(void)
{
        /* rt_sigprocmask(SIG_SETMASK, all, NULL, sizeof(kernel sigset_t)) */
        unsigned long all = ~0UL;
        return RAW(SYS_rt_sigprocmask, SIG_SETMASK, &all, 0, sizeof(all));
}
static inline _Noreturn void sys_exit(int code)
{
        for (;;)
                RAW(SYS_exit, code, 0, 0, 0);
}
#undef RAW
#else
static inline long neg_errno_or(long r)
{
        return r < 0 ? -errno : r;
}
static inline long sys_readlinkat(int dfd, const char *path, char *buf, size_t len)
{
        return neg_errno_or(readlinkat(dfd, path, buf, len));
}
static inline long sys_fstatat(int dfd, const char *path, struct stat *st, int flags)
{
        return neg_errno_or(fstatat(dfd, path, st, flags));
}
static inline long sys_statfs(const char *path, struct statfs *sf)
{
        return neg_errno_or(statfs(path, sf));
}
static inline long sys_write(int fd, const void *buf, size_t len)
{
        return neg_errno_or(write(fd, buf, len));
}
static inline long sys_close(int fd)
{
        return neg_errno_or(close(fd));
}
static inline long sys_close_range(unsigned first, unsigned last)
{
        return neg_errno_or(syscall(436, first, last, 0));
}
static inline long sys_block_signals(void)
{
        sigset_t all;

        sigfillset(&all);
        return -sigprocmask(SIG_SETMASK, &all, NULL);
}
static inline _Noreturn void sys_exit(int code)
{
        _exit(code);
}
#endif

/* Closes every descriptor from `from` up but the n in keep (negative ones
 * ignored): close_range(2) over the gaps between them, Linux 5.9; before it,
 * a bounded walk. Raw calls only: the light worker runs it in the caller's
 * memory, and a forked child (core/child.c) the same way. */
static inline void sys_close_all_but(unsigned from, const int *keep, size_t n)
{
        for (;;) {
                unsigned next = ~0U, to;

                for (size_t i = 0; i < n; i++)
                        if (keep[i] >= 0 && (unsigned)keep[i] >= from && (unsigned)keep[i] < next)
                                next = (unsigned)keep[i];
                to = next == ~0U ? ~0U : next - 1;
                if (next != from && sys_close_range(from, to) < 0)
                        for (unsigned fd = from; fd <= to && fd < 65536; fd++)
                                sys_close((int)fd);
                if (next == ~0U)
                        return;
                from = next + 1;
        }
}
