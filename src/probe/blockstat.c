/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "probe/blockstat.h"
#include "core/macro.h"
#include "core/strutil.h"

/* Documentation/block/stat.rst: eleven fields since 2.6, 15 (discards) since
 * 4.18, 17 (flushes) since 5.5; later kernels may append more, the first
 * eleven keep their meaning. */
#define STAT_FIELDS_MIN 11
#define STAT_FIELDS_MAX 32
#define UPTIME_MAX 256

int parse_block_stat(const char *text, struct block_io *out)
{
        uint64_t v[STAT_FIELDS_MAX];
        size_t n = 0;
        const char *p = text;

        while (*p) {
                char tok[24];
                size_t len;
                int k;

                p += strspn(p, " \t\n");
                if (!*p)
                        break;
                len = strcspn(p, " \t\n");
                if (n == STAT_FIELDS_MAX)
                        break; /* fields of a later kernel: not read */
                /* 20 digits is UINT64_MAX; a longer one cannot fit. */
                if (len >= sizeof(tok))
                        return -ERANGE;
                memcpy(tok, p, len);
                tok[len] = '\0';
                k = parse_u64(tok, &v[n]);
                if (k < 0)
                        return k;
                n++;
                p += len;
        }
        if (n < STAT_FIELDS_MIN)
                return -EINVAL;
        *out = (struct block_io){
                .since_boot_seconds = out->since_boot_seconds,
                .reads = v[0],
                .read_merges = v[1],
                .read_sectors = v[2],
                .read_ms = v[3],
                .writes = v[4],
                .write_merges = v[5],
                .write_sectors = v[6],
                .write_ms = v[7],
                .in_flight = v[8],
                .io_ms = v[9],
                .queue_ms = v[10],
        };
        return 0;
}

int parse_uptime(const char *text, uint64_t *ret_seconds)
{
        size_t len = strspn(text, "0123456789");
        char tok[24];

        /* "%lu.%02lu %lu.%02lu\n" (fs/proc/uptime.c) */
        if (len == 0 || len >= sizeof(tok) || (text[len] != '.' && text[len] != ' '))
                return -EINVAL;
        memcpy(tok, text, len);
        tok[len] = '\0';
        return parse_u64(tok, ret_seconds) < 0 ? -EINVAL : 0;
}

static uint64_t mean_ns(uint64_t total, double ns_per_unit, uint64_t n)
{
        double ns;

        if (n == 0 || n == U64_UNSET || total == U64_UNSET)
                return U64_UNSET;
        ns = (double)total * ns_per_unit / (double)n;
        return ns < 18e18 ? (uint64_t)(ns + 0.5) : U64_UNSET;
}

uint64_t block_io_mean_ns(uint64_t total_ms, uint64_t n)
{
        return mean_ns(total_ms, 1e6, n);
}

uint64_t ebs_mean_ns(uint64_t total_us, uint64_t n)
{
        return mean_ns(total_us, 1e3, n);
}

/* The EBS statistics log page, as amazon-cloudwatch-agent reads it
 * (receiver/awsebsnvmereceiver/internal/nvme/ebs_metrics.go, EBSMetrics, from
 * kubernetes-sigs/aws-ebs-csi-driver pkg/metrics/nvme.go) and nvme-cli's amzn
 * plugin declares it (plugins/amzn/amzn-nvme.c, struct amzn_latency_log_page):
 * little-endian, packed,
 *   0  u32 magic 0x3C23B510, u32 reserved
 *   8  u64 total read ops, write ops, read bytes, write bytes
 *  40  u64 total read time, write time (us)
 *  56  u64 ebs_volume_performance_exceeded_iops, _tp (us)
 *  72  u64 ec2_instance_ebs_performance_exceeded_iops, _tp (us)
 *  88  u64 volume queue length (a point in time)
 *  96  416 bytes reserved
 * 512  read latency histogram: u64 number of bins, 64 bins of
 *      {u64 lower, u64 upper (us), u32 count, u32 reserved}
 * 2056 write latency histogram, the same
 * 3600 496 bytes reserved, to 4096.
 * The Go readers compare the first 64 bits with the magic, nvme-cli and
 * amazon-ec2-utils' ebsnvme the first 32: the magic is a u32. */
#define EBS_MAGIC UINT32_C(0x3C23B510)
#define EBS_COUNTERS_END 96
#define EBS_HIST_READ 512
#define EBS_HIST_SIZE (8 + 64 * 24)
#define EBS_HIST_WRITE (EBS_HIST_READ + EBS_HIST_SIZE)
#define EBS_HIST_BINS 64

static uint64_t le64_at(const uint8_t *p)
{
        uint64_t v = 0;

        for (int i = 7; i >= 0; i--)
                v = v << 8 | p[i];
        return v;
}

int parse_ebs_log_page(const uint8_t *buf, size_t len, struct ebs_stats *out)
{
        if (len < 4 ||
            (uint32_t)(buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24) != EBS_MAGIC)
                return -EPROTO;
        if (len < EBS_COUNTERS_END)
                return -ENODATA;
        *out = (struct ebs_stats){
                .read_ops = le64_at(buf + 8),
                .write_ops = le64_at(buf + 16),
                .read_bytes = le64_at(buf + 24),
                .write_bytes = le64_at(buf + 32),
                .read_time_us = le64_at(buf + 40),
                .write_time_us = le64_at(buf + 48),
                .exceeded_iops_us = le64_at(buf + 56),
                .exceeded_tp_us = le64_at(buf + 64),
                .ec2_exceeded_iops_us = le64_at(buf + 72),
                .ec2_exceeded_tp_us = le64_at(buf + 80),
                .queue_length = le64_at(buf + 88),
        };
        return 0;
}

/* One histogram's bins as they are, their reserved words zeroed. */
static void copy_histogram(uint8_t *dst, const uint8_t *src, size_t len, size_t at)
{
        if (len < at + 8)
                return;
        memcpy(dst + at, src + at, 8);
        for (size_t b = 0; b < EBS_HIST_BINS; b++) {
                size_t o = at + 8 + b * 24;
                if (len < o + 20)
                        return;
                memcpy(dst + o, src + o, 20);
        }
}

int ebs_reduce_log_page(const char *in, size_t len, char **ret, size_t *ret_len)
{
        const uint8_t *src = (const uint8_t *)in;
        uint8_t *out;

        if (len > EBS_LOG_PAGE_SIZE)
                len = EBS_LOG_PAGE_SIZE;
        out = calloc(1, len + 1);
        if (!out)
                return -ENOMEM;
        memcpy(out, src, len < 4 ? len : 4);
        if (len > 8)
                memcpy(out + 8, src + 8, (len < EBS_COUNTERS_END ? len : EBS_COUNTERS_END) - 8);
        copy_histogram(out, src, len, EBS_HIST_READ);
        copy_histogram(out, src, len, EBS_HIST_WRITE);
        *ret = (char *)out;
        *ret_len = len;
        return 0;
}

int blockstat_reduce_uptime(const char *in, size_t len, char **ret, size_t *ret_len)
{
        size_t n = 0;

        while (n < len && n < UPTIME_MAX && in[n] != ' ' && in[n] != '\n' && in[n] != '\0')
                n++;
        *ret = malloc(n + 2);
        if (!*ret)
                return -ENOMEM;
        memcpy(*ret, in, n);
        (*ret)[n] = '\n';
        (*ret)[n + 1] = '\0';
        *ret_len = n + 1;
        return 0;
}

int blockstat_probe(const struct sysroot *root, const char *dir, struct block_device *d,
                    char ***warnings)
{
        _cleanup_free_ char *path = NULL, *text = NULL, *up = NULL;
        struct block_io io = { .since_boot_seconds = U64_UNSET };
        int k;

        if (asprintf(&path, "%s/stat", dir) < 0)
                return -ENOMEM;
        k = sysroot_read_attr(root, path, &text);
        if (k == -ENOMEM)
                return k;
        if (k < 0 && k != -ENOENT && k != -ENOTDIR) {
                _cleanup_free_ char *display = sysroot_display(root, path);
                (void)strv_extendf(warnings, "cannot read %s: %s, ignoring", strna(display),
                                   strerror(-k));
                return 0;
        }
        if (k < 0)
                return 0;
        if (parse_block_stat(text, &io) < 0) {
                _cleanup_free_ char *display = sysroot_display(root, path);
                (void)strv_extendf(warnings, "%s is no block stat (11 or more numbers), ignoring",
                                   strna(display));
                return 0;
        }
        /* Counters since the device appeared: since boot for a disk attached
         * at launch, which a SageMaker volume is. */
        if (sysroot_read_file(root, PROC_UPTIME, UPTIME_MAX, &up, NULL) >= 0)
                (void)parse_uptime(up, &io.since_boot_seconds);
        d->io = malloc(sizeof(*d->io));
        if (!d->io)
                return -ENOMEM;
        *d->io = io;
        return 0;
}

/* <linux/nvme_ioctl.h>, struct nvme_passthru_cmd (the admin command's
 * layout), and NVME_IOCTL_ADMIN_CMD = _IOWR('N', 0x41, it): defined here so
 * that a build against older or libc-only headers has them. */
struct nvme_admin_passthru {
        uint8_t opcode;
        uint8_t flags;
        uint16_t rsvd1;
        uint32_t nsid;
        uint32_t cdw2, cdw3;
        uint64_t metadata;
        uint64_t addr;
        uint32_t metadata_len;
        uint32_t data_len;
        uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
        uint32_t timeout_ms;
        uint32_t result;
};
_Static_assert(sizeof(struct nvme_admin_passthru) == 72, "nvme_passthru_cmd is 72 bytes");
#define NVME_IOCTL_ADMIN _IOWR('N', 0x41, struct nvme_admin_passthru)
#define NVME_ADMIN_GET_LOG_PAGE 0x02
#define EBS_LOG_PAGE_ID 0xD0

/* An NVMe namespace's block device name, "nvme1n1": nothing else is opened. */
static bool is_nvme_namespace(const char *name)
{
        size_t n;

        if (!startswith(name, "nvme"))
                return false;
        name += 4;
        n = strspn(name, "0123456789");
        if (n == 0 || name[n] != 'n')
                return false;
        name += n + 1;
        n = strspn(name, "0123456789");
        return n > 0 && !name[n];
}

/* MAJ:MIN of the whole disk, from its sysfs "dev". */
static int sysfs_devnum(const struct sysroot *root, const struct block_device *d, dev_t *ret)
{
        _cleanup_free_ char *path = NULL, *v = NULL;
        unsigned maj, min;
        char *colon;

        if (!d->sysfs_path || asprintf(&path, "%s/dev", d->sysfs_path) < 0)
                return -ENOMEM;
        if (sysroot_read_attr(root, path, &v) < 0 || !(colon = strchr(v, ':')))
                return -ENODEV;
        *colon = '\0';
        if (parse_u32(v, &maj) < 0 || parse_u32(colon + 1, &min) < 0)
                return -ENODEV;
        *ret = makedev(maj, min);
        return 0;
}

/* The namespace id the command must name: the kernel refuses an admin
 * command on a namespace's node whose nsid is another's
 * (nvme_validate_passthru_nsid). sysfs "nsid", else 1 (an EBS controller has
 * one namespace). */
static uint32_t sysfs_nsid(const struct sysroot *root, const struct block_device *d)
{
        _cleanup_free_ char *path = NULL, *v = NULL;
        unsigned n;

        if (asprintf(&path, "%s/nsid", d->sysfs_path) < 0 ||
            sysroot_read_attr(root, path, &v) < 0 || parse_u32(v, &n) < 0 || n == 0)
                return 1;
        return n;
}

static int why(char **ret_why, int err, const char *fmt, ...) _printf_(3, 4);
static int why(char **ret_why, int err, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(ret_why, fmt, ap) < 0)
                *ret_why = NULL;
        va_end(ap);
        return *ret_why ? err : -ENOMEM;
}

static int read_live(const struct sysroot *root, const struct block_device *d, uint8_t *buf,
                     char **ret_why)
{
        _cleanup_free_ char *node = NULL;
        _cleanup_close_ int fd = -1;
        struct nvme_admin_passthru cmd;
        struct stat st;
        dev_t want;
        int k;

        if (!d->name || !is_nvme_namespace(d->name))
                return why(ret_why, -ENOTTY, "%s is no NVMe namespace", d->name);
        /* An admin command: the kernel wants CAP_SYS_ADMIN (nvme_cmd_allowed). */
        if (geteuid() != 0)
                return why(ret_why, -EPERM, "needs root (an NVMe admin command)");
        if (sysfs_devnum(root, d, &want) < 0)
                return why(ret_why, -ENODEV, "the device number of %s is unknown", d->name);
        if (asprintf(&node, "/dev/%s", d->name) < 0)
                return -ENOMEM;
        /* Never a FIFO's open that waits, a symlink followed, or a terminal taken. */
        fd = open(node, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
                return why(ret_why, -ENOENT, "no device node %s", node);
        if (fd < 0)
                return why(ret_why, negative_errno(), "cannot open %s: %s", node, strerror(errno));
        if (fstat(fd, &st) < 0)
                return why(ret_why, negative_errno(), "cannot stat %s: %s", node, strerror(errno));
        if (!S_ISBLK(st.st_mode) || st.st_rdev != want)
                return why(ret_why, -ENODEV, "%s is not the block device %u:%u", node, major(want),
                           minor(want));
        memset(buf, 0, EBS_LOG_PAGE_SIZE);
        cmd = (struct nvme_admin_passthru){
                .opcode = NVME_ADMIN_GET_LOG_PAGE,
                .nsid = sysfs_nsid(root, d),
                .addr = (uint64_t)(uintptr_t)buf,
                .data_len = EBS_LOG_PAGE_SIZE,
                /* NUMDL is 0's based: 1023 is 4096 bytes. The readers cited
                 * above ask 1024 for a buffer of 4096; this asks what fits. */
                .cdw10 = EBS_LOG_PAGE_ID | (EBS_LOG_PAGE_SIZE / 4 - 1) << 16,
        };
        k = ioctl(fd, NVME_IOCTL_ADMIN, &cmd);
        if (k < 0)
                return why(ret_why, negative_errno(), "the log page request was refused: %s",
                           strerror(errno));
        if (k > 0)
                return why(ret_why, -EPROTO,
                           "the controller answered NVMe status 0x%x: not an EBS controller?", k);
        return EBS_LOG_PAGE_SIZE;
}

static int read_captured(const struct sysroot *root, const struct block_device *d, uint8_t *buf,
                         char **ret_why)
{
        _cleanup_free_ char *path = NULL, *data = NULL;
        size_t len = 0;
        int k;

        if (asprintf(&path, EBS_PAGE_PREFIX "%s" EBS_PAGE_SUFFIX, d->name) < 0)
                return -ENOMEM;
        k = sysroot_read_file(root, path, EBS_LOG_PAGE_SIZE, &data, &len);
        if (k == -ENOMEM)
                return k;
        if (k == -ENOENT)
                return why(ret_why, k, "not in the snapshot (%s)", path + 1);
        if (k == -EFBIG)
                return why(ret_why, k, "%s is larger than a log page", path + 1);
        if (k < 0)
                return why(ret_why, k, "cannot read %s: %s", path + 1, strerror(-k));
        memset(buf, 0, EBS_LOG_PAGE_SIZE);
        memcpy(buf, data, len);
        return (int)len;
}

int ebs_read_log_page(const struct sysroot *root, const struct block_device *d, uint8_t *buf,
                      char **ret_why)
{
        *ret_why = NULL;
        return sysroot_is_replay(root) ? read_captured(root, d, buf, ret_why)
                                       : read_live(root, d, buf, ret_why);
}

int ebs_stats_probe(const struct sysroot *root, struct block_device *d)
{
        _cleanup_free_ uint8_t *buf = NULL;
        struct ebs_stats st;
        char *reason = NULL;
        int n, k;

        if (!d->ebs_volume_id || !d->name)
                return 0;
        buf = malloc(EBS_LOG_PAGE_SIZE);
        if (!buf)
                return -ENOMEM;
        n = ebs_read_log_page(root, d, buf, &reason);
        if (n == -ENOMEM)
                return n;
        if (n < 0) {
                d->ebs_error = reason;
                return 0;
        }
        k = parse_ebs_log_page(buf, (size_t)n, &st);
        if (k == -EPROTO)
                return why(&d->ebs_error, 0,
                           "not an EBS controller: its log page 0xD0 has no EBS magic");
        if (k == -ENODATA)
                return why(&d->ebs_error, 0,
                           "the log page ends before the counters (%d bytes): an older page", n);
        st.from_capture = sysroot_is_replay(root);
        d->ebs = malloc(sizeof(*d->ebs));
        if (!d->ebs)
                return -ENOMEM;
        *d->ebs = st;
        return 0;
}
