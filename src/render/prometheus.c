/* SPDX-License-Identifier: MIT */
/* Prometheus text exposition for the node_exporter textfile collector
 * (prometheus.io/docs/instrumenting/exposition_formats): HELP and TYPE before a
 * family's first sample, each family's lines together, base units in the name
 * (prometheus.io/docs/practices/naming), no timestamps (the textfile collector
 * rejects them), and a final newline. */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "config.h"
#include "probe/blockstat.h"
#include "render/prometheus.h"
#include "core/strutil.h"

/* Label values escape backslash, double quote and newline; anything else is
 * UTF-8 already, or made so, because the format is UTF-8. */
static void put_label_value(FILE *f, const char *s)
{
        _cleanup_free_ char *clean = NULL;

        if (!s)
                s = "";
        if (!utf8_is_valid(s, strlen(s))) {
                clean = utf8_sanitize(s);
                s = clean ? clean : "";
        }
        for (; *s; s++) {
                if (*s == '\\')
                        fputs("\\\\", f);
                else if (*s == '"')
                        fputs("\\\"", f);
                else if (*s == '\n')
                        fputs("\\n", f);
                else
                        fputc(*s, f);
        }
}

static void family(FILE *f, const char *name, const char *help)
{
        fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* The storage a family describes: home first, then the other mounts, each
 * mountpoint once (an over-mounted path would repeat a label set, which the
 * collector rejects). */
/* Whether a mount listed before s (one of r->mounts) has its mount point. */
static bool seen_before(const struct report *r, const struct storage *s)
{
        for (const struct storage *m = r->mounts; m < s; m++)
                if (streq_ptr(m->mountpoint, s->mountpoint))
                        return true;
        return false;
}

static void storage_label_pairs(FILE *f, const struct storage *s, const char *role)
{
        fputs("role=\"", f);
        put_label_value(f, role);
        fputs("\",mountpoint=\"", f);
        put_label_value(f, s->mountpoint);
        fputs("\",storage=\"", f);
        put_label_value(f, storage_kind_to_string(s->kind));
        fputs("\",fstype=\"", f);
        put_label_value(f, s->fstype);
        fputc('"', f);
}

static void storage_labels(FILE *f, const struct storage *s, const char *role)
{
        fputc('{', f);
        storage_label_pairs(f, s, role);
        fputc('}', f);
}

typedef uint64_t (*storage_value_fn)(const struct storage *s);

static uint64_t size_of(const struct storage *s)
{
        return s->size_bytes;
}

static uint64_t free_of(const struct storage *s)
{
        return s->free_bytes;
}

static uint64_t nfs_ok_of(const struct storage *s)
{
        return s->nfs ? (uint64_t)s->nfs->options_ok : U64_UNSET;
}

static uint64_t ephemeral_of(const struct storage *s)
{
        return s->mount_id >= 0 ? (uint64_t)s->ephemeral : U64_UNSET;
}

/* Unknown values are left out rather than written as NaN: an absent series is
 * what alerting rules (absent()) expect for "not measured". */
static void storage_family(FILE *f, const struct report *r, const char *name, const char *help,
                           storage_value_fn value)
{
        const struct storage *s;
        bool any = false;

        report_for_each_storage(s, r)
                any = any || (value(s) != U64_UNSET && s->mountpoint);
        if (!any)
                return;
        family(f, name, help);
        report_for_each_storage(s, r) {
                bool home = s == &r->home;

                if (value(s) == U64_UNSET || !s->mountpoint || (!home && seen_before(r, s)))
                        continue;
                fputs(name, f);
                storage_labels(f, s, home ? "home" : "mount");
                fprintf(f, " %" PRIu64 "\n", value(s));
        }
}

/* How many samples the quantiles of each workload rest on: a quantile they
 * cannot give is absent, and this says why. */
static void bench_samples_family(FILE *f, const struct bench_result *b)
{
        bool any = false;

        for (int i = 0; i < _BENCH_MAX; i++) {
                const struct bench_workload *w = &b->m.w[i];

                if (!w->ran || w->latency.n == 0)
                        continue;
                if (!any)
                        family(f, "studio_probe_bench_latency_samples",
                               "Operations timed (warm-up excluded) behind a --bench workload's "
                               "latency quantiles; p99 needs 100, p99.9 1000.");
                any = true;
                fputs("studio_probe_bench_latency_samples{workload=\"", f);
                put_label_value(f, bench_workload_to_string(i));
                fprintf(f, "\"} %" PRIu64 "\n", w->latency.n);
        }
}

/* The NFS history since mount (mountstats): the kernel's counters as
 * counters, per mount and per op, so that rates and means come from PromQL
 * (rate(rtt) / rate(ops)). */
typedef double (*rpc_value_fn)(const struct nfs_rpc *rpc, const struct nfs_rpc_op *op);

static double rpc_age(const struct nfs_rpc *rpc, const struct nfs_rpc_op *op _unused_)
{
        return rpc->age_seconds == U64_UNSET ? -1 : (double)rpc->age_seconds;
}

static double rpc_retrans(const struct nfs_rpc *rpc, const struct nfs_rpc_op *op _unused_)
{
        return (double)rpc->retransmissions;
}

static double rpc_timeouts(const struct nfs_rpc *rpc, const struct nfs_rpc_op *op _unused_)
{
        return (double)rpc->timeouts;
}

static double op_count(const struct nfs_rpc *rpc _unused_, const struct nfs_rpc_op *op)
{
        return (double)op->count;
}

static double op_rtt(const struct nfs_rpc *rpc _unused_, const struct nfs_rpc_op *op)
{
        return (double)op->rtt_ms / 1e3;
}

static double op_execute(const struct nfs_rpc *rpc _unused_, const struct nfs_rpc_op *op)
{
        return (double)op->execute_ms / 1e3;
}

static void rpc_family(FILE *f, const struct report *r, const char *name, const char *type,
                       const char *help, bool per_op, rpc_value_fn value)
{
        const struct storage *s;
        bool any = false;

        report_for_each_storage(s, r) {
                const struct nfs_rpc *rpc = s->nfs ? s->nfs->rpc : NULL;
                bool home = s == &r->home;

                if (!rpc || !s->mountpoint || (!home && seen_before(r, s)))
                        continue;
                for (size_t i = 0; i < (per_op ? rpc->n_ops : 1); i++) {
                        double v = value(rpc, per_op ? &rpc->ops[i] : NULL);

                        if (v < 0)
                                continue;
                        if (!any)
                                fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
                        any = true;
                        fprintf(f, "%s{", name);
                        storage_label_pairs(f, s, home ? "home" : "mount");
                        if (per_op) {
                                fputs(",op=\"", f);
                                put_label_value(f, rpc->ops[i].op);
                                fputc('"', f);
                        }
                        fprintf(f, "} %.17g\n", v);
                }
        }
}

/* The passive history of each storage's device: counters since boot (as
 * node_exporter's diskstats names them, in seconds) and the EBS volume's
 * throttled seconds; a NaN-free family only where some storage has it. */
typedef double (*history_value_fn)(const struct block_device *d);

static double h_reads(const struct block_device *d)
{
        return d->io ? (double)d->io->reads : -1;
}
static double h_writes(const struct block_device *d)
{
        return d->io ? (double)d->io->writes : -1;
}
static double h_read_s(const struct block_device *d)
{
        return d->io ? (double)d->io->read_ms / 1e3 : -1;
}
static double h_write_s(const struct block_device *d)
{
        return d->io ? (double)d->io->write_ms / 1e3 : -1;
}
static double h_in_flight(const struct block_device *d)
{
        return d->io ? (double)d->io->in_flight : -1;
}
static double us_or_none(const struct ebs_stats *e, size_t off)
{
        uint64_t us = e ? *(const uint64_t *)((const char *)e + off) : U64_UNSET;

        return us == U64_UNSET ? -1 : (double)us / 1e6;
}
static double h_ebs_iops(const struct block_device *d)
{
        return us_or_none(d->ebs, offsetof(struct ebs_stats, exceeded_iops_us));
}
static double h_ebs_tp(const struct block_device *d)
{
        return us_or_none(d->ebs, offsetof(struct ebs_stats, exceeded_tp_us));
}
static double h_ec2_iops(const struct block_device *d)
{
        return us_or_none(d->ebs, offsetof(struct ebs_stats, ec2_exceeded_iops_us));
}
static double h_ec2_tp(const struct block_device *d)
{
        return us_or_none(d->ebs, offsetof(struct ebs_stats, ec2_exceeded_tp_us));
}

static void history_families(FILE *f, const struct report *r)
{
        static const struct {
                const char *name, *type, *help;
                history_value_fn value;
        } fams[] = {
                { "studio_probe_block_reads_completed_total", "counter",
                  "Reads completed by the storage's block device since boot.", h_reads },
                { "studio_probe_block_writes_completed_total", "counter",
                  "Writes completed by the storage's block device since boot.", h_writes },
                { "studio_probe_block_read_time_seconds_total", "counter",
                  "Seconds spent by all reads of the block device since boot.", h_read_s },
                { "studio_probe_block_write_time_seconds_total", "counter",
                  "Seconds spent by all writes of the block device since boot.", h_write_s },
                { "studio_probe_block_io_now", "gauge",
                  "Requests in flight on the block device when it was read.", h_in_flight },
                { "studio_probe_ebs_exceeded_iops_seconds_total", "counter",
                  "Seconds the EBS volume's IOPS demand exceeded its provisioned IOPS.",
                  h_ebs_iops },
                { "studio_probe_ebs_exceeded_tp_seconds_total", "counter",
                  "Seconds the EBS volume's throughput demand exceeded its provisioned "
                  "throughput.",
                  h_ebs_tp },
                { "studio_probe_ebs_ec2_exceeded_iops_seconds_total", "counter",
                  "Seconds the EBS volume exceeded the instance's EBS IOPS limit.", h_ec2_iops },
                { "studio_probe_ebs_ec2_exceeded_tp_seconds_total", "counter",
                  "Seconds the EBS volume exceeded the instance's EBS throughput limit.",
                  h_ec2_tp },
        };
        const struct storage *s;

        for (size_t i = 0; i < ARRAY_SIZE(fams); i++) {
                bool any = false;

                report_for_each_storage(s, r) {
                        bool home = s == &r->home;

                        if (!s->device || !s->mountpoint || fams[i].value(s->device) < 0 ||
                            (!home && seen_before(r, s)))
                                continue;
                        if (!any)
                                fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", fams[i].name,
                                        fams[i].help, fams[i].name, fams[i].type);
                        any = true;
                        fputs(fams[i].name, f);
                        storage_labels(f, s, home ? "home" : "mount");
                        fprintf(f, " %.15g\n", fams[i].value(s->device));
                }
        }
}

static void nfs_rpc_families(FILE *f, const struct report *r)
{
        rpc_family(f, r, "studio_probe_nfs_mount_age_seconds", "gauge",
                   "Seconds since the NFS mount was made (mountstats age).", false, rpc_age);
        rpc_family(f, r, "studio_probe_nfs_retransmissions_total", "counter",
                   "RPC retransmissions since mount, all ops (mountstats).", false, rpc_retrans);
        rpc_family(f, r, "studio_probe_nfs_major_timeouts_total", "counter",
                   "RPC major timeouts since mount, all ops (mountstats).", false, rpc_timeouts);
        rpc_family(f, r, "studio_probe_nfs_ops_total", "counter",
                   "RPC operations since mount, by op (mountstats).", true, op_count);
        rpc_family(f, r, "studio_probe_nfs_op_rtt_seconds_total", "counter",
                   "Summed round-trip time of the RPC operations since mount, by op.", true,
                   op_rtt);
        rpc_family(f, r, "studio_probe_nfs_op_execute_seconds_total", "counter",
                   "Summed execution time (queue, round trip, reply) of the RPC operations since "
                   "mount, by op.",
                   true, op_execute);
}

/* --bench: one family per unit, the workload as a label (naming practice: no
 * label values inside metric names). */
static void bench_families(FILE *f, const struct bench_result *b)
{
        static const struct {
                const char *q;
                size_t off;
        } quantiles[] = {
                { "0.5", offsetof(struct bench_latency, p50) },
                { "0.99", offsetof(struct bench_latency, p99) },
                { "0.999", offsetof(struct bench_latency, p999) },
        };
        bool any;

        if (!b)
                return;
        for (int pass = 0; pass < 2; pass++) {
                const char *name = pass ? "studio_probe_bench_ops_per_second"
                                        : "studio_probe_bench_throughput_bytes_per_second";

                any = false;
                for (int i = 0; i < _BENCH_MAX; i++) {
                        const struct bench_workload *w = &b->m.w[i];
                        bool seq = i == BENCH_SEQ_WRITE || i == BENCH_SEQ_READ;

                        if (!w->ran || w->ops == 0 || seq == (pass == 1) ||
                            w->per_second == U64_UNSET)
                                continue;
                        if (!any)
                                family(f, name,
                                       pass ? "Operations per second of a --bench workload."
                                            : "Bytes per second of a sequential --bench "
                                              "workload.");
                        any = true;
                        fprintf(f, "%s{workload=\"", name);
                        put_label_value(f, bench_workload_to_string(i));
                        fprintf(f, "\"} %" PRIu64 "\n", w->per_second);
                }
        }
        any = false;
        for (int i = 0; i < _BENCH_MAX; i++) {
                const struct bench_workload *w = &b->m.w[i];
                struct bench_latency l = bench_latency_measured(&w->latency);

                if (!w->ran || l.n == 0)
                        continue;
                if (!any)
                        family(f, "studio_probe_bench_latency_seconds",
                               "Per-operation latency quantiles of a --bench workload.");
                any = true;
                for (size_t q = 0; q < ARRAY_SIZE(quantiles); q++) {
                        uint64_t ns = *(const uint64_t *)((const char *)&l + quantiles[q].off);
                        /* Too few samples for it: absent, as an unknown value. */
                        if (ns == U64_UNSET)
                                continue;
                        fputs("studio_probe_bench_latency_seconds{workload=\"", f);
                        put_label_value(f, bench_workload_to_string(i));
                        fprintf(f, "\",quantile=\"%s\"} %.9f\n", quantiles[q].q, (double)ns / 1e9);
                }
        }
        bench_samples_family(f, b);
}

/* --bench: the task estimates here, the task as a label; the reference
 * figures are constants of the tool (JSON and the human report show them). */
static void estimate_family(FILE *f, const struct bench_result *b)
{
        if (!b || b->n_estimates == 0)
                return;
        family(f, "studio_probe_bench_task_estimate_seconds",
               "Estimated seconds of an everyday task on this path, from the --bench costs.");
        for (size_t i = 0; i < b->n_estimates; i++) {
                fputs("studio_probe_bench_task_estimate_seconds{task=\"", f);
                put_label_value(f, b->estimates[i].task);
                fprintf(f, "\"} %.3f\n", b->estimates[i].seconds);
        }
}

int render_prometheus(FILE *f, const struct report *r)
{
        family(f, "studio_probe_info", "The SageMaker environment studio-probe found (always 1).");
        fputs("studio_probe_info{environment=\"", f);
        put_label_value(f, environment_to_string(r->environment));
        fputs("\",confidence=\"", f);
        put_label_value(f, confidence_to_string(r->confidence));
        fputs("\",version=\"", f);
        put_label_value(f, PROJECT_VERSION);
        fputs("\"} 1\n", f);

        storage_family(f, r, "studio_probe_filesystem_size_bytes",
                       "Size of the file system in bytes (statfs).", size_of);
        storage_family(f, r, "studio_probe_filesystem_free_bytes",
                       "Bytes an unprivileged user can still write (statfs f_bavail).", free_of);
        storage_family(f, r, "studio_probe_filesystem_ephemeral",
                       "1 when the storage is wiped when the app restarts (instance store).",
                       ephemeral_of);
        storage_family(f, r, "studio_probe_nfs_options_ok",
                       "1 when the NFS mount options match the AWS recommendations.", nfs_ok_of);

        nfs_rpc_families(f, r);
        history_families(f, r);
        bench_families(f, r->bench);
        estimate_family(f, r->bench);

        family(f, "studio_probe_timed_out",
               "1 when a file system did not answer within --timeout.");
        fprintf(f, "studio_probe_timed_out %d\n", r->timed_out ? 1 : 0);
        return ferror(f) ? -EIO : 0;
}
