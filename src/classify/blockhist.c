/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "classify/blockhist.h"
#include "core/macro.h"
#include "core/strutil.h"
#include "probe/blockstat.h"

/* EBS SSD volumes (gp2, gp3, io1, io2) deliver "single-digit millisecond
 * latency" (docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html): a
 * mean ten times that since boot is no passing spike. */
#define MEAN_SLOW_NS (100 * NSEC_PER_MSEC)
/* A mean says something only over enough requests. */
#define MEAN_MIN_REQUESTS 1000
/* Requests in the device's queue at the moment it was read. iostat's aqu-sz
 * of an SSD volume is a few; 32 outstanding requests is a queue that does not
 * drain, whatever the workload (AWS recommends about one per 1,000 IOPS:
 * docs.aws.amazon.com/ebs/latest/userguide/ebs-io-characteristics.html). */
#define IN_FLIGHT_STUCK 32

static const struct storage *first_with_device(const struct report *r, const struct block_device *d)
{
        const struct storage *s;

        report_for_each_storage(s, r)
                if (s->device && streq_ptr(s->device->name, d->name) &&
                    streq_ptr(s->device->partition, d->partition))
                        return s;
        return NULL;
}

/* "the EBS volume vol-0abc (/home/sagemaker-user)" or "/dev/nvme0n1p1 (/opt)". */
static int name_of(const struct storage *s, char **ret)
{
        const struct block_device *d = s->device;

        if (d->ebs_volume_id)
                return asprintf(ret, "the EBS volume %s (%s)", d->ebs_volume_id,
                                strna(s->mountpoint));
        return asprintf(ret, "/dev/%s (%s)", d->partition ? d->partition : d->name,
                        strna(s->mountpoint));
}

static bool counted(uint64_t us)
{
        return us > 0 && us != U64_UNSET;
}

/* "5123.5 s above its provisioned IOPS and 734.2 s above its provisioned
 * throughput": the limits that were exceeded, of one kind. */
static int exceeded(char **ret, uint64_t iops_us, uint64_t tp_us, const char *whose,
                    const char *what)
{
        if (counted(iops_us) && counted(tp_us))
                return asprintf(ret, "%.1f s above %s IOPS%s and %.1f s above %s throughput%s",
                                (double)iops_us / 1e6, whose, what, (double)tp_us / 1e6, whose,
                                what);
        if (counted(iops_us))
                return asprintf(ret, "%.1f s above %s IOPS%s", (double)iops_us / 1e6, whose, what);
        return asprintf(ret, "%.1f s above %s throughput%s", (double)tp_us / 1e6, whose, what);
}

static int ebs_warnings(struct report *r, const char *name, const struct ebs_stats *e)
{
        _cleanup_free_ char *vol = NULL, *ec2 = NULL;
        int k = 0;

        /* ebs_volume_performance_exceeded_iops/_tp: the time the workload
         * asked more than the volume is provisioned for, i.e. was throttled. */
        if (counted(e->exceeded_iops_us) || counted(e->exceeded_tp_us)) {
                if (exceeded(&vol, e->exceeded_iops_us, e->exceeded_tp_us, "its provisioned", "") <
                    0)
                        return -ENOMEM;
                k = report_add_warning(r, "%s spent %s since it was attached: it was throttled",
                                       name, vol);
        }
        /* ec2_instance_ebs_performance_exceeded_*: the instance's own EBS
         * limits, which no setting of the volume lifts. */
        if (k >= 0 && (counted(e->ec2_exceeded_iops_us) || counted(e->ec2_exceeded_tp_us))) {
                if (exceeded(&ec2, e->ec2_exceeded_iops_us, e->ec2_exceeded_tp_us,
                             "the instance's EBS", " limit") < 0)
                        return -ENOMEM;
                k = report_add_warning(r,
                                       "%s spent %s since it was attached: the instance type "
                                       "limits it, not the volume",
                                       name, ec2);
        }
        return k < 0 ? k : 0;
}

/* A mean time per request since boot far beyond an SSD volume's, over
 * enough requests to mean something. */
static int slow_mean(struct report *r, const char *name, const char *op, uint64_t mean_ns,
                     uint64_t n)
{
        if (mean_ns == U64_UNSET || mean_ns < MEAN_SLOW_NS || n < MEAN_MIN_REQUESTS)
                return 0;
        return report_add_warning(r,
                                  "%s took %.1f ms per %s on average since boot (%" PRIu64
                                  " %ss): far above an SSD volume's single-digit milliseconds",
                                  name, (double)mean_ns / 1e6, op, n, op);
}

static int io_warnings(struct report *r, const char *name, const struct block_io *io)
{
        uint64_t w = block_io_mean_ns(io->write_ms, io->writes);
        uint64_t rd = block_io_mean_ns(io->read_ms, io->reads);
        int k = 0;

        if (io->in_flight >= IN_FLIGHT_STUCK)
                k = report_add_warning(r,
                                       "%s had %" PRIu64 " requests in flight when it was read: "
                                       "if that stays, the device is stuck or saturated",
                                       name, io->in_flight);
        if (k >= 0)
                k = slow_mean(r, name, "write", w, io->writes);
        if (k >= 0)
                k = slow_mean(r, name, "read", rd, io->reads);
        return k < 0 ? k : 0;
}

int classify_block_history(struct report *r)
{
        struct storage *s;
        int k = 0;

        report_for_each_storage(s, r) {
                _cleanup_free_ char *name = NULL;
                const struct block_device *d = s->device;

                if (!d || (!d->io && !d->ebs) || first_with_device(r, d) != s)
                        continue;
                if (name_of(s, &name) < 0)
                        return -ENOMEM;
                if (d->ebs && (k = ebs_warnings(r, name, d->ebs)) < 0)
                        return k;
                if (d->io && (k = io_warnings(r, name, d->io)) < 0)
                        return k;
        }
        return 0;
}
