/* SPDX-License-Identifier: MIT */
#pragma once

/* /proc/self/mountstats: the RPC history the kernel keeps of every NFS mount
 * since it was mounted (fs/nfs/super.c nfs_show_stats, net/sunrpc/stats.c
 * rpc_clnt_show_stats), read as nfs-utils' mountstats and nfsiostat read it.
 * The one reader of the format. */

#include <stddef.h>

#include "core/sysroot.h"
#include "model.h"

#define PROC_MOUNTSTATS "/proc/self/mountstats"

/* A mount whose history is wanted, by its mount point as mountinfo gives it
 * (unescaped); rpc is set (and owned by the caller) when an entry was found. */
struct mountstats_want {
        const char *mountpoint;
        struct nfs_rpc *rpc;
};

/* Parses in[0..len) for the mounts of want (an entry for the same mount point
 * met again replaces the first: the later mount hides the earlier, as in
 * mountinfo). name is the file's name for warnings. Returns 0 or -ENOMEM. */
int mountstats_parse(const char *in, size_t len, const char *name, struct mountstats_want *want,
                     size_t n_want, char ***warnings);

/* Fills nfs->rpc of every NFS storage of r from PROC_MOUNTSTATS; reads
 * nothing when r has none. Returns 0 or -ENOMEM (other failures are warnings). */
int mountstats_probe(const struct sysroot *root, struct report *r, char ***warnings);

/* For collect: the NFS entries of a mountstats file, with only the lines the
 * parser takes (no "opts:", whose addr=, clientaddr= name hosts). */
int mountstats_reduce(const char *in, size_t len, char **ret, size_t *ret_len);
