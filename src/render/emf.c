/* SPDX-License-Identifier: MIT */
/* CloudWatch Embedded Metric Format: one JSON object on one line. Printed by a
 * lifecycle script into /aws/sagemaker/studio it becomes metrics with no agent.
 * Rules (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/
 * CloudWatch_Embedded_Metric_Format_Specification.html): root "_aws" with an
 * integer Timestamp in ms and CloudWatchMetrics; every dimension key names a
 * string root member, every metric Name a number root member. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "config.h"
#include "core/json.h"
#include "probe/blockstat.h"
#include "render/emf.h"
#include "core/strutil.h"

#define EMF_NAMESPACE "StudioProbe"

struct emf {
        cJSON *root;
        cJSON *dimensions; /* the one DimensionSet */
        cJSON *metrics;
};

/* A dimension only when the report knows it: a dimension key naming a missing
 * member makes CloudWatch drop the whole event. */
static bool emf_dimension(struct emf *e, const char *key, const char *value)
{
        cJSON *k;

        if (!value || !*value)
                return true;
        if (!json_add_string(e->root, key, value))
                return false;
        k = cJSON_CreateString(key);
        if (!k)
                return false;
        cJSON_AddItemToArray(e->dimensions, k);
        return true;
}

/* The MetricDefinition for a root member already added under name. */
static bool emf_define(struct emf *e, const char *name, const char *unit)
{
        cJSON *m = cJSON_CreateObject();

        if (!m)
                return false;
        cJSON_AddItemToArray(e->metrics, m);
        return cJSON_AddStringToObject(m, "Name", name) && cJSON_AddStringToObject(m, "Unit", unit);
}

static bool emf_metric(struct emf *e, const char *name, const char *unit, uint64_t value)
{
        if (value == U64_UNSET)
                return true;
        return json_add_u64(e->root, name, value) && emf_define(e, name, unit);
}

static bool emf_metric_double(struct emf *e, const char *name, const char *unit, double value)
{
        return cJSON_AddNumberToObject(e->root, name, value) && emf_define(e, name, unit);
}

/* The home's NFS history since mount (mountstats): counters, and the mean
 * round trip of the ops everyday file work waits on. */
static bool emf_nfs_rpc(struct emf *e, const struct nfs_rpc *rpc)
{
        static const struct {
                const char *op, *name;
        } rtt[] = {
                { "GETATTR", "HomeNfsGetattrRtt" }, { "LOOKUP", "HomeNfsLookupRtt" },
                { "CREATE", "HomeNfsCreateRtt" },   { "READ", "HomeNfsReadRtt" },
                { "WRITE", "HomeNfsWriteRtt" },
        };

        if (!rpc)
                return true;
        if (!emf_metric(e, "HomeNfsMountAgeSeconds", "Seconds", rpc->age_seconds) ||
            !emf_metric(e, "HomeNfsRetransmissions", "Count", rpc->retransmissions) ||
            !emf_metric(e, "HomeNfsTimeouts", "Count", rpc->timeouts) ||
            !emf_metric(e, "HomeNfsReconnects", "Count", nfs_rpc_reconnects(rpc)))
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(rtt); i++) {
                const struct nfs_rpc_op *op = nfs_rpc_find(rpc, rtt[i].op);
                uint64_t ns = op ? nfs_rpc_mean_ns(op->rtt_ms, op->count) : U64_UNSET;

                if (ns != U64_UNSET &&
                    !emf_metric_double(e, rtt[i].name, "Milliseconds", (double)ns / 1e6))
                        return false;
        }
        return true;
}

static bool emf_us_as_seconds(struct emf *e, const char *name, uint64_t us)
{
        return us == U64_UNSET || emf_metric_double(e, name, "Seconds", (double)us / 1e6);
}

/* Metric names for --bench: CamelCase as CloudWatch metrics usually are. */
static const char *const bench_metric_prefix[_BENCH_MAX] = {
        [BENCH_SEQ_WRITE] = "SeqWrite",   [BENCH_SEQ_READ] = "SeqRead",
        [BENCH_RAND_READ] = "RandRead4k", [BENCH_SYNC_WRITE] = "SyncWrite4k",
        [BENCH_MD_CREATE] = "MdCreate",   [BENCH_MD_STAT] = "MdStat",
        [BENCH_MD_UNLINK] = "MdUnlink",
};

/* The samples behind a workload's latencies, and P99 only when there are
 * enough of them: a missing member is CloudWatch's "no data point". */
static bool emf_bench_latency(struct emf *e, const char *prefix, const struct bench_latency *m)
{
        struct bench_latency l = bench_latency_measured(m);
        char name[64];

        if (l.n == 0)
                return true;
        snprintf(name, sizeof(name), "%sSamples", prefix);
        if (!emf_metric(e, name, "Count", l.n))
                return false;
        /* Microseconds: the unit the CloudWatch console shows latencies in. */
        snprintf(name, sizeof(name), "%sP50", prefix);
        if (!emf_metric_double(e, name, "Microseconds", (double)l.p50 / 1e3))
                return false;
        snprintf(name, sizeof(name), "%sP99", prefix);
        return l.p99 == U64_UNSET ||
               emf_metric_double(e, name, "Microseconds", (double)l.p99 / 1e3);
}

static bool emf_bench(struct emf *e, const struct bench_result *b)
{
        char name[64];

        if (!b)
                return true;
        for (int i = 0; i < _BENCH_MAX; i++) {
                const struct bench_workload *w = &b->m.w[i];
                bool seq = i == BENCH_SEQ_WRITE || i == BENCH_SEQ_READ;

                if (!w->ran || w->ops == 0 || !bench_metric_prefix[i])
                        continue;
                snprintf(name, sizeof(name), "%s%s", bench_metric_prefix[i],
                         seq ? "Throughput" : "Iops");
                if (!emf_metric(e, name, seq ? "Bytes/Second" : "Count/Second", w->per_second))
                        return false;
                if (!emf_bench_latency(e, bench_metric_prefix[i], &w->latency))
                        return false;
        }
        return true;
}

/* The plain-words verdicts: properties, not metrics (a metric is a number),
 * present only where there is one. */
static bool emf_summaries(struct emf *e, const struct report *r)
{
        return (!r->home.summary || json_add_string(e->root, "StorageSummary", r->home.summary)) &&
               (!r->bench || !r->bench->summary ||
                json_add_string(e->root, "BenchmarkSummary", r->bench->summary));
}

/* The home device's passive history: iostat's r_await and w_await since boot
 * in the unit it shows them in, and the EBS volume's throttled seconds. */
static bool emf_history(struct emf *e, const struct block_device *d)
{
        uint64_t rd, wr;

        if (!d)
                return true;
        if (d->io) {
                rd = block_io_mean_ns(d->io->read_ms, d->io->reads);
                wr = block_io_mean_ns(d->io->write_ms, d->io->writes);
                if ((rd != U64_UNSET && !emf_metric_double(e, "HomeDeviceReadAwait", "Milliseconds",
                                                           (double)rd / 1e6)) ||
                    (wr != U64_UNSET && !emf_metric_double(e, "HomeDeviceWriteAwait",
                                                           "Milliseconds", (double)wr / 1e6)) ||
                    !emf_metric(e, "HomeDeviceInFlight", "Count", d->io->in_flight))
                        return false;
        }
        if (!d->ebs)
                return true;
        return emf_us_as_seconds(e, "HomeEbsExceededIopsSeconds", d->ebs->exceeded_iops_us) &&
               emf_us_as_seconds(e, "HomeEbsExceededThroughputSeconds", d->ebs->exceeded_tp_us) &&
               emf_us_as_seconds(e, "HomeEbsInstanceExceededIopsSeconds",
                                 d->ebs->ec2_exceeded_iops_us) &&
               emf_us_as_seconds(e, "HomeEbsInstanceExceededThroughputSeconds",
                                 d->ebs->ec2_exceeded_tp_us);
}

int render_emf(FILE *f, const struct report *r, uint64_t timestamp_ms)
{
        const struct storage *h = &r->home;
        const struct sagemaker *s = &r->sagemaker;
        struct emf e = { 0 };
        cJSON *aws, *cwm, *dir, *sets;
        char ts[24], *out;
        bool ok;

        e.root = cJSON_CreateObject();
        if (!e.root)
                return -ENOMEM;
        snprintf(ts, sizeof(ts), "%" PRIu64, timestamp_ms);
        ok = (aws = cJSON_AddObjectToObject(e.root, "_aws")) &&
             cJSON_AddRawToObject(aws, "Timestamp", ts) &&
             (cwm = cJSON_AddArrayToObject(aws, "CloudWatchMetrics")) &&
             (dir = cJSON_CreateObject());
        if (ok) {
                cJSON_AddItemToArray(cwm, dir);
                ok = cJSON_AddStringToObject(dir, "Namespace", EMF_NAMESPACE) &&
                     (sets = cJSON_AddArrayToObject(dir, "Dimensions")) &&
                     (e.dimensions = cJSON_CreateArray());
        }
        if (ok) {
                cJSON_AddItemToArray(sets, e.dimensions);
                ok = (e.metrics = cJSON_AddArrayToObject(dir, "Metrics")) != NULL;
        }
        /* Low-cardinality dimensions only: each distinct set is a billed metric. */
        ok = ok && emf_dimension(&e, "DomainId", s->domain_id) &&
             emf_dimension(&e, "SpaceName", s->space_name ? s->space_name : s->env_space_name) &&
             emf_dimension(&e, "AppType", sagemaker_app_type(s)) &&
             emf_dimension(&e, "StorageKind",
                           h->mount_id >= 0 ? storage_kind_to_string(h->kind) : NULL);
        ok = ok && emf_metric(&e, "HomeSizeBytes", "Bytes", h->size_bytes) &&
             emf_metric(&e, "HomeFreeBytes", "Bytes", h->free_bytes) &&
             emf_metric(&e, "HomeNfsOptionsOk", "Count",
                        h->nfs ? (uint64_t)h->nfs->options_ok : U64_UNSET) &&
             emf_metric(&e, "TimedOut", "Count", (uint64_t)r->timed_out) &&
             emf_bench(&e, r->bench) && emf_nfs_rpc(&e, h->nfs ? h->nfs->rpc : NULL) &&
             emf_history(&e, h->device);
        /* Context, not dimensions: searchable in Logs Insights, free of charge. */
        ok = ok && json_add_string(e.root, "Environment", environment_to_string(r->environment)) &&
             json_add_string(e.root, "Confidence", confidence_to_string(r->confidence)) &&
             json_add_string(e.root, "Path", h->path) &&
             json_add_string(e.root, "MountPoint", h->mountpoint) &&
             json_add_string(e.root, "FsType", h->fstype) &&
             json_add_string(e.root, "EbsVolumeId", h->device ? h->device->ebs_volume_id : NULL) &&
             json_add_string(e.root, "EfsFileSystemId",
                             h->nfs ? h->nfs->efs_filesystem_id : NULL) &&
             json_add_string(e.root, "ToolVersion", PROJECT_VERSION) && emf_summaries(&e, r);
        if (!ok) {
                cJSON_Delete(e.root);
                return -ENOMEM;
        }
        out = cJSON_PrintUnformatted(e.root);
        cJSON_Delete(e.root);
        if (!out)
                return -ENOMEM;
        fputs(out, f);
        fputc('\n', f);
        free(out);
        return ferror(f) ? -EIO : 0;
}
