/* SPDX-License-Identifier: MIT */
/* libFuzzer: bytes as /proc/self/mountinfo of a snapshot → mounts_load (the
 * bounded line reader and libmount) → the storage of each mount (NFS option
 * analysis, sysfs of its device, storage kind) → classify → JSON.
 *
 * The snapshot around the file is fixed (a Studio-like /sys with the EBS
 * devices 259:0, 259:1, 259:3 and a home directory) and written once. The
 * mount description mirrors describe_mount() in src/probe/probe.c, minus the
 * forked path lookup, which would make each input cost a fork.
 * Then what collect keeps of the file (mounts_reduce_mountinfo): read back,
 * the same lines, mounts and warnings, each mount's super options and source
 * reduced as mount_options_reduce() and mount_source_reduce() say. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/blockdev.h"
#include "classify/classify.h"
#include "classify/storage.h"
#include "model.h"
#include "probe/mounts.h"
#include "probe/probe.h"
#include "probe/sagemaker.h"
#include "fuzz-check.h"
#include "probe/nfs.h"
#include "core/strutil.h"
#include "core/sysroot.h"

#define HOME "/home/sagemaker-user"
#define MOUNTS_MAX 64

static char root_dir[] = "/tmp/fuzz-mountinfo-XXXXXX";
static struct sysroot root = { .fd = -1 };
static int mountinfo_fd = -1;

static void put(const char *rel, const char *content)
{
        char path[512];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", root_dir, rel);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content))
                abort();
        close(fd);
}

static void dir(const char *rel)
{
        char path[512];

        snprintf(path, sizeof(path), "%s/%s", root_dir, rel);
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                abort();
}

static void lnk(const char *target, const char *rel)
{
        char path[512];

        snprintf(path, sizeof(path), "%s/%s", root_dir, rel);
        if (symlink(target, path) < 0 && errno != EEXIST)
                abort();
}

static void cleanup(void)
{
        char cmd[600];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root_dir);
        if (system(cmd) != 0)
                fprintf(stderr, "fuzz-mountinfo: could not remove %s\n", root_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        static const char *const dirs[] = {
                "proc",
                "proc/self",
                "home",
                "home/sagemaker-user",
                "opt",
                "opt/.sagemakerinternal",
                "sys",
                "sys/dev",
                "sys/dev/block",
                "sys/block",
                "sys/block/nvme0n1",
                "sys/block/nvme0n1/device",
                "sys/block/nvme0n1/queue",
                "sys/block/nvme0n1/nvme0n1p1",
                "sys/block/nvme1n1",
                "sys/block/nvme1n1/device",
                "sys/block/nvme1n1/queue",
        };
        char path[512];

        if (!mkdtemp(root_dir))
                abort();
        atexit(cleanup);
        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
                dir(dirs[i]);
        put("sys/block/nvme0n1/size", "377487360\n");
        put("sys/block/nvme0n1/device/model", "Amazon Elastic Block Store              \n");
        put("sys/block/nvme0n1/device/serial", "vol0a1b2c3d4e5f60718\n");
        put("sys/block/nvme0n1/queue/rotational", "0\n");
        put("sys/block/nvme0n1/nvme0n1p1/partition", "1\n");
        put("sys/block/nvme0n1/nvme0n1p1/size", "377481216\n");
        put("sys/block/nvme1n1/size", "10485760\n");
        put("sys/block/nvme1n1/device/model", "Amazon EC2 NVMe Instance Storage        \n");
        put("sys/block/nvme1n1/device/serial", "AWS1234567890ABCDEF0\n");
        put("sys/block/nvme1n1/queue/rotational", "0\n");
        lnk("../../block/nvme0n1", "sys/dev/block/259:0");
        lnk("../../block/nvme0n1/nvme0n1p1", "sys/dev/block/259:1");
        lnk("../../block/nvme1n1", "sys/dev/block/259:3");
        lnk("259:7", "sys/dev/block/259:7"); /* a loop, for the fuzzer to find */
        snprintf(path, sizeof(path), "%s/proc/self/mountinfo", root_dir);
        mountinfo_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (mountinfo_fd < 0 || sysroot_open(&root, root_dir) < 0)
                abort();
        return 0;
}

static void same(const char *a, const char *b)
{
        if (!streq_ptr(a, b))
                abort();
}

static void check_reduced(const uint8_t *data, size_t size, const struct mount_table *a, char **wa)
{
        struct mount_table b = {};
        char **wb = NULL, *red = NULL;
        size_t rlen;

        if (mounts_reduce_mountinfo((const char *)data, size, &red, &rlen) < 0)
                return;
        if (ftruncate(mountinfo_fd, 0) < 0 || pwrite(mountinfo_fd, red, rlen, 0) != (ssize_t)rlen)
                abort();
        if (mounts_load(&root, NULL, NULL, &b, &wb) < 0)
                abort();
        if (a->n != b.n || a->lines != b.lines || a->bad_lines != b.bad_lines ||
            strv_length(wa) != strv_length(wb))
                abort();
        for (size_t i = 0; wa && wa[i]; i++)
                same(wa[i], wb[i]);
        for (size_t i = 0; i < a->n; i++) {
                const struct mount_entry *x = &a->entries[i], *y = &b.entries[i];
                char *o = mount_options_reduce(x->fstype, x->fs_options);
                char *src = mount_source_reduce(x->source);

                if (x->id != y->id || x->parent_id != y->parent_id || x->major != y->major ||
                    x->minor != y->minor || x->line != y->line)
                        abort();
                same(x->root, y->root);
                same(x->target, y->target);
                same(x->fstype, y->fstype);
                same(o, y->fs_options);
                same(src, y->source);
                free(o);
                free(src);
        }
        mount_table_done(&b);
        strv_free(wb);
        free(red);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct mount_table table = {};
        const struct mount_entry *home;
        struct report r;

        if (ftruncate(mountinfo_fd, 0) < 0 || pwrite(mountinfo_fd, data, size, 0) != (ssize_t)size)
                abort();

        report_init(&r);
        if (mounts_load(&root, NULL, NULL, &table, &r.warnings) < 0)
                goto out;
        check_reduced(data, size, &table, r.warnings);
        home = mounts_find_containing(&table, HOME);
        if (home) {
                r.home.path = strdup(HOME);
                if (probe_describe_mount(&root, home, &r.home, &r.warnings) < 0)
                        goto out;
        }
        for (size_t i = 0; i < table.n && r.n_mounts < MOUNTS_MAX; i++) {
                struct storage *s;

                if (&table.entries[i] == home)
                        continue;
                if (strcmp(table.entries[i].target, SAGEMAKER_INTERNAL) == 0)
                        r.sagemaker.sagemakerinternal = true;
                s = report_add_mount(&r);
                if (!s || probe_describe_mount(&root, &table.entries[i], s, &r.warnings) < 0)
                        goto out;
        }
        if (classify_storage(&r) < 0 || classify(&r) < 0)
                goto out;
        fuzz_check_report_json(&r);
out:
        mount_table_done(&table);
        report_done(&r);
        return 0;
}
