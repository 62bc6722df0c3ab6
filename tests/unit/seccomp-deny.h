/* SPDX-License-Identifier: MIT */
#pragma once

/* A seccomp filter that makes some system calls fail with an errno, for the
 * rest of the calling process and its children: a kernel without openat2, or
 * a process that may not start another, on any test machine. */

#include <errno.h>
#include <stddef.h>
#include <sys/prctl.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#define SECCOMP_DENY_MAX 8

/* Returns 0 or -errno (no seccomp here: the caller skips what needed it). */
static inline int seccomp_deny(const long *nrs, size_t n, int err)
{
        struct sock_filter f[2 + 2 * SECCOMP_DENY_MAX];
        struct sock_fprog prog = { .filter = f };
        size_t k = 0;

        if (n > SECCOMP_DENY_MAX)
                return -EINVAL;
        f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                              offsetof(struct seccomp_data, nr));
        for (size_t i = 0; i < n; i++) {
                f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nrs[i],
                                                      0, 1);
                f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
                                                      SECCOMP_RET_ERRNO | (unsigned)err);
        }
        f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        prog.len = (unsigned short)k;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
                return -errno;
        return 0;
}
