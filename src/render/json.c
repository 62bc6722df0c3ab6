/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "config.h"
#include "core/json.h"
#include "probe/blockstat.h"
#include "render/bench.h"
#include "render/json.h"
#include "probe/sagemaker.h"
#include "core/strutil.h"

static bool add_string_array(cJSON *o, const char *key, char *const *v)
{
        cJSON *a = cJSON_AddArrayToObject(o, key);

        if (!a)
                return false;
        for (size_t i = 0; v && v[i]; i++) {
                char *clean = utf8_sanitize(v[i]);
                cJSON *s = clean ? cJSON_CreateString(clean) : NULL;
                free(clean);
                if (!s)
                        return false;
                cJSON_AddItemToArray(a, s);
        }
        return true;
}

/* Counters in us as seconds; an unknown one (U64_UNSET) as null. */
static bool add_us_as_seconds(cJSON *o, const char *key, uint64_t us)
{
        if (us == U64_UNSET)
                return cJSON_AddNullToObject(o, key) != NULL;
        return cJSON_AddNumberToObject(o, key, (double)us / 1e6) != NULL;
}

/* The device's I/O since boot, as iostat -x computes r_await and w_await. */
static bool add_io(cJSON *o, const struct block_io *io)
{
        cJSON *j;

        if (!io)
                return cJSON_AddNullToObject(o, "io") != NULL;
        j = cJSON_AddObjectToObject(o, "io");
        return j && json_add_u64(j, "since_boot_seconds", io->since_boot_seconds) &&
               json_add_u64(j, "reads", io->reads) && json_add_u64(j, "writes", io->writes) &&
               json_add_u64(j, "read_ns_mean", block_io_mean_ns(io->read_ms, io->reads)) &&
               json_add_u64(j, "write_ns_mean", block_io_mean_ns(io->write_ms, io->writes)) &&
               json_add_u64(j, "in_flight", io->in_flight);
}

/* The EBS statistics page: times above the volume's and the instance's limits. */
static bool add_ebs_stats(cJSON *o, const struct block_device *d)
{
        const struct ebs_stats *e = d->ebs;
        cJSON *j;

        if (!e)
                return cJSON_AddNullToObject(o, "ebs_stats") != NULL &&
                       json_add_string(o, "ebs_stats_error", d->ebs_error);
        j = cJSON_AddObjectToObject(o, "ebs_stats");
        return j && json_add_string(o, "ebs_stats_error", d->ebs_error) &&
               add_us_as_seconds(j, "exceeded_iops_seconds", e->exceeded_iops_us) &&
               add_us_as_seconds(j, "exceeded_tp_seconds", e->exceeded_tp_us) &&
               add_us_as_seconds(j, "ec2_exceeded_iops_seconds", e->ec2_exceeded_iops_us) &&
               add_us_as_seconds(j, "ec2_exceeded_tp_seconds", e->ec2_exceeded_tp_us) &&
               json_add_u64(j, "read_ops", e->read_ops) &&
               json_add_u64(j, "write_ops", e->write_ops) &&
               json_add_u64(j, "read_bytes", e->read_bytes) &&
               json_add_u64(j, "write_bytes", e->write_bytes) &&
               json_add_u64(j, "read_ns_mean", ebs_mean_ns(e->read_time_us, e->read_ops)) &&
               json_add_u64(j, "write_ns_mean", ebs_mean_ns(e->write_time_us, e->write_ops)) &&
               json_add_u64(j, "queue_length", e->queue_length) &&
               cJSON_AddBoolToObject(j, "from_capture", e->from_capture);
}

static bool add_device(cJSON *o, const struct block_device *d)
{
        cJSON *j;

        if (!d)
                return cJSON_AddNullToObject(o, "device") != NULL;
        j = cJSON_AddObjectToObject(o, "device");
        if (!j)
                return false;
        return json_add_string(j, "name", d->name) &&
               json_add_string(j, "partition", d->partition) &&
               json_add_string(j, "model", d->model) && json_add_string(j, "serial", d->serial) &&
               json_add_string(j, "ebs_volume_id", d->ebs_volume_id) &&
               (d->rotational < 0
                        ? cJSON_AddNullToObject(j, "rotational") != NULL
                        : cJSON_AddBoolToObject(j, "rotational", d->rotational) != NULL) &&
               json_add_u64(j, "size_bytes", d->size_bytes) &&
               json_add_string(j, "fs_type", d->fs_type) && json_add_string(j, "uuid", d->uuid) &&
               json_add_string(j, "label", d->label) && add_io(j, d->io) && add_ebs_stats(j, d);
}

/* The history since mount (probe/mountstats.c), means as mountstats computes
 * them. */
static bool add_nfs_rpc(cJSON *o, const struct nfs_rpc *rpc)
{
        cJSON *j, *ops;

        if (!rpc)
                return cJSON_AddNullToObject(o, "rpc") != NULL;
        j = cJSON_AddObjectToObject(o, "rpc");
        if (!j || !json_add_u64(j, "age_seconds", rpc->age_seconds) ||
            !json_add_u64(j, "retransmissions", rpc->retransmissions) ||
            !json_add_u64(j, "timeouts", rpc->timeouts) ||
            !json_add_u64(j, "xprt_reconnects", nfs_rpc_reconnects(rpc)) ||
            !json_add_u64(j, "xprt_sends", rpc->xprt_sends) ||
            !(rpc->xprt_sends == U64_UNSET || rpc->xprt_sends == 0
                      ? cJSON_AddNullToObject(j, "xprt_backlog_mean")
                      : cJSON_AddNumberToObject(j, "xprt_backlog_mean",
                                                (double)rpc->xprt_backlog /
                                                        (double)rpc->xprt_sends)) ||
            !(ops = cJSON_AddArrayToObject(j, "ops")))
                return false;
        for (size_t i = 0; i < rpc->n_ops; i++) {
                const struct nfs_rpc_op *op = &rpc->ops[i];
                cJSON *e = cJSON_CreateObject();

                if (!e)
                        return false;
                cJSON_AddItemToArray(ops, e);
                if (!json_add_string(e, "op", op->op) || !json_add_u64(e, "count", op->count) ||
                    !json_add_u64(e, "retransmissions",
                                  op->transmissions > op->count ? op->transmissions - op->count
                                                                : 0) ||
                    !json_add_u64(e, "timeouts", op->major_timeouts) ||
                    !json_add_u64(e, "rtt_ns_mean", nfs_rpc_mean_ns(op->rtt_ms, op->count)) ||
                    !json_add_u64(e, "execute_ns_mean",
                                  nfs_rpc_mean_ns(op->execute_ms, op->count)) ||
                    !json_add_u64(e, "errors", op->errors))
                        return false;
        }
        return true;
}

static bool add_nfs(cJSON *o, const struct nfs_info *n)
{
        cJSON *j;

        if (!n)
                return cJSON_AddNullToObject(o, "nfs") != NULL;
        j = cJSON_AddObjectToObject(o, "nfs");
        if (!j)
                return false;
        return json_add_string(j, "server", n->server) && json_add_string(j, "export", n->export) &&
               json_add_string(j, "version", n->version) &&
               json_add_string(j, "efs_filesystem_id", n->efs_filesystem_id) &&
               json_add_string(j, "efs_access_point_id", n->efs_access_point_id) &&
               json_add_string(j, "region", n->region) &&
               cJSON_AddBoolToObject(j, "efs_utils", n->efs_utils) &&
               cJSON_AddBoolToObject(j, "domain_home_efs", n->domain_home_efs) &&
               cJSON_AddBoolToObject(j, "options_ok", n->options_ok) &&
               add_string_array(j, "warnings", n->warnings) && add_nfs_rpc(j, n->rpc);
}

static bool add_fsx(cJSON *o, const struct fsx_info *x)
{
        cJSON *j;

        if (!x)
                return cJSON_AddNullToObject(o, "fsx") != NULL;
        j = cJSON_AddObjectToObject(o, "fsx");
        return j && json_add_string(j, "server", x->server) &&
               json_add_string(j, "mount_name", x->mount_name) &&
               json_add_string(j, "subdirectory", x->subdirectory) &&
               json_add_string(j, "filesystem_id", x->filesystem_id) &&
               json_add_string(j, "region", x->region);
}

/* The plain-words verdict of the storage's history: a key only where there
 * is history, so reports without it stay as they were. */
static bool add_storage_summary(cJSON *j, const struct storage *s)
{
        return !s->summary || json_add_string(j, "summary", s->summary);
}

static cJSON *storage_to_json(const struct storage *s, bool is_home)
{
        cJSON *j = cJSON_CreateObject();
        bool ok;

        if (!j)
                return NULL;
        ok = add_storage_summary(j, s) &&
             json_add_string(j, "path", is_home ? s->path : s->mountpoint) &&
             json_add_string(j, RK_RESOLVED_PATH, is_home ? s->resolved_path : s->mountpoint) &&
             json_add_string(j, RK_MOUNTPOINT, s->mountpoint) &&
             json_add_string(j, RK_FSTYPE, s->fstype) && json_add_string(j, RK_SOURCE, s->source) &&
             json_add_string(j, RK_OPTIONS, s->options) &&
             json_add_string(j, RK_STORAGE, storage_kind_to_string(s->kind)) &&
             cJSON_AddBoolToObject(j, "ephemeral", s->ephemeral) &&
             json_add_u64(j, RK_SIZE_BYTES, s->size_bytes) &&
             json_add_u64(j, RK_FREE_BYTES, s->free_bytes) &&
             json_add_u64(j, "statfs_type", s->fs_magic) &&
             (s->mount_id < 0 ? cJSON_AddNullToObject(j, "mount_id") != NULL
                              : cJSON_AddNumberToObject(j, "mount_id", s->mount_id) != NULL) &&
             json_add_string(j, "fs_root", s->fs_root) && add_device(j, s->device) &&
             add_nfs(j, s->nfs) && add_fsx(j, s->fsx) && json_add_string(j, "error", s->error);
        if (!ok) {
                cJSON_Delete(j);
                return NULL;
        }
        return j;
}

static bool sagemaker_known(const struct sagemaker *s)
{
        return s->metadata_present || s->env_app_type || s->env_space_name ||
               s->notebook_instance_version || s->training_resourceconfig ||
               s->processing_jobconfig || s->env_training_job_name || s->compute.node_name ||
               s->compute.instance_group || s->env_sm_app_type || s->env_service_name ||
               s->env_recovery_mode;
}

/* HyperPod's node, only where one was found: absent keys keep other reports
 * as they were. */
static bool add_hyperpod(cJSON *j, const struct compute_facts *c)
{
        return (!c->instance_group || json_add_string(j, "instance_group", c->instance_group)) &&
               (!c->node_name || json_add_string(j, "node_name", c->node_name));
}

static bool add_string_if(cJSON *j, const char *key, const char *v)
{
        return !v || json_add_string(j, key, v);
}

/* Unified Studio, recovery mode and notebook jobs (landscape-2026 §1.1, §1.2,
 * §1.8): optional keys added after schema_version 1, present only where they
 * apply, so reports of other environments stay as they were. */
static bool add_interactive(cJSON *j, const struct report *r)
{
        const struct sagemaker *s = &r->sagemaker;

        return add_string_if(j, "datazone_domain_id", s->datazone_domain_id) &&
               add_string_if(j, "datazone_project_id", s->datazone_project_id) &&
               add_string_if(j, "project_shared_directory", s->project_shared_directory) &&
               (!r->recovery_mode || cJSON_AddBoolToObject(j, "recovery_mode", true)) &&
               add_string_if(j, "job_kind", r->job_kind) &&
               add_string_if(j, "input_notebook_name", s->env_input_notebook_name);
}

static bool add_sagemaker(cJSON *o, const struct report *r)
{
        const struct sagemaker *s = &r->sagemaker;
        const char *app = sagemaker_app_type(s);
        cJSON *j;

        if (!sagemaker_known(s))
                return cJSON_AddNullToObject(o, "sagemaker") != NULL;
        j = cJSON_AddObjectToObject(o, "sagemaker");
        if (!j)
                return false;
        return json_add_string(j, "app_type", app) &&
               json_add_string(j, "domain_id", s->domain_id) &&
               json_add_string(j, "space_name",
                               s->space_name ? s->space_name : s->env_space_name) &&
               json_add_string(j, "space_type", s->env_space_type) &&
               json_add_string(j, "user_profile_name", s->user_profile_name) &&
               json_add_string(j, "resource_arn", s->resource_arn) &&
               json_add_string(j, "resource_name", s->resource_name) &&
               json_add_string(j, "app_image_version", s->app_image_version) &&
               json_add_string(j, "resource_arn_case_sensitive", s->resource_arn_case_sensitive) &&
               json_add_string(j, "ip_address_type", s->ip_address_type) &&
               json_add_string(j, "region", s->region) &&
               json_add_string(j, "region_source", s->region_source) &&
               json_add_string(j, "notebook_instance_version",
                               s->notebook_instance_version && *s->notebook_instance_version
                                       ? s->notebook_instance_version
                                       : NULL) &&
               json_add_string(j, "training_job_name", s->env_training_job_name) &&
               json_add_string(j, "processing_job_name", s->processing_job_name) &&
               json_add_string(j, "processing_job_arn", s->processing_job_arn) &&
               add_hyperpod(j, &s->compute) && add_interactive(j, r);
}

/* When the facts were gathered (ISO 8601, UTC): this run's time, or the
 * bundle's under --sysroot; null when the snapshot does not say. */
static bool add_generated_at(cJSON *root, const struct report *r)
{
        char buf[32];

        return json_add_string(root, RK_GENERATED_AT,
                               r->generated_at ? format_iso8601(buf, sizeof(buf), r->generated_at)
                                               : NULL);
}

static bool add_change(cJSON *a, const struct comparison_change *ch)
{
        cJSON *j = cJSON_CreateObject();

        if (!j)
                return false;
        cJSON_AddItemToArray(a, j);
        return json_add_string(j, "figure", ch->figure) &&
               (ch->numeric ? json_add_u64(j, "before", ch->before_n) &&
                                      json_add_u64(j, "after", ch->after_n)
                            : json_add_string(j, "before", ch->before_s) &&
                                      json_add_string(j, "after", ch->after_s)) &&
               (isfinite(ch->ratio) ? cJSON_AddNumberToObject(j, "ratio", ch->ratio) != NULL
                                    : cJSON_AddNullToObject(j, "ratio") != NULL) &&
               json_add_string(j, "sentence", ch->sentence);
}

/* --compare only: without it the document is unchanged. */
static bool add_comparison(cJSON *root, const struct comparison *c)
{
        cJSON *j, *against, *changes;
        char buf[32];

        if (!c)
                return true;
        j = cJSON_AddObjectToObject(root, "comparison");
        against = j ? cJSON_AddObjectToObject(j, "against") : NULL;
        if (!against || !json_add_string(against, "path", c->against_path) ||
            !json_add_string(against, RK_GENERATED_AT,
                             c->against_at ? format_iso8601(buf, sizeof(buf), c->against_at)
                                           : NULL) ||
            !json_add_string(against, "tool_version", c->against_tool_version) ||
            !cJSON_AddBoolToObject(against, RK_BENCHMARK, c->against_bench) ||
            !(changes = cJSON_AddArrayToObject(j, "changes")))
                return false;
        for (size_t i = 0; i < c->n_changes; i++)
                if (!add_change(changes, &c->changes[i]))
                        return false;
        return true;
}

cJSON *report_to_json(const struct report *r)
{
        cJSON *root = cJSON_CreateObject(), *tool, *ev, *mounts, *home;

        if (!root)
                return NULL;
        if (!cJSON_AddNumberToObject(root, RK_SCHEMA_VERSION, SCHEMA_VERSION))
                goto fail;
        tool = cJSON_AddObjectToObject(root, RK_TOOL);
        if (!tool || !json_add_string(tool, RK_TOOL_NAME, PROJECT_NAME) ||
            !json_add_string(tool, RK_TOOL_VERSION, PROJECT_VERSION))
                goto fail;
        if (!add_generated_at(root, r))
                goto fail;
        if (!json_add_string(root, RK_ENVIRONMENT, environment_to_string(r->environment)) ||
            !json_add_string(root, "confidence", confidence_to_string(r->confidence)))
                goto fail;
        ev = cJSON_AddArrayToObject(root, "evidence");
        if (!ev)
                goto fail;
        for (size_t i = 0; i < r->n_evidence; i++) {
                cJSON *e = cJSON_CreateObject();
                if (!e)
                        goto fail;
                cJSON_AddItemToArray(ev, e);
                if (!json_add_string(e, "source", r->evidence[i].source) ||
                    !json_add_string(e, "detail", r->evidence[i].detail) ||
                    !json_add_string(e, "points_to",
                                     environment_to_string(r->evidence[i].points_to)))
                        goto fail;
        }
        home = storage_to_json(&r->home, true);
        if (!home)
                goto fail;
        cJSON_AddItemToObject(root, RK_HOME, home);
        mounts = cJSON_AddArrayToObject(root, "mounts");
        if (!mounts)
                goto fail;
        for (size_t i = 0; i < r->n_mounts; i++) {
                cJSON *m = storage_to_json(&r->mounts[i], false);
                if (!m)
                        goto fail;
                cJSON_AddItemToArray(mounts, m);
        }
        if (!add_sagemaker(root, r) || !add_string_array(root, "warnings", r->warnings) ||
            !cJSON_AddBoolToObject(root, "timed_out", r->timed_out))
                goto fail;
        /* Only with --bench: without it the document is unchanged. */
        if (!bench_to_json(root, r->bench))
                goto fail;
        if (!add_comparison(root, r->comparison))
                goto fail;
        return root;
fail:
        cJSON_Delete(root);
        return NULL;
}

int render_json(FILE *f, const struct report *r)
{
        cJSON *j = report_to_json(r);
        char *s;

        if (!j)
                return -ENOMEM;
        s = cJSON_Print(j);
        cJSON_Delete(j);
        if (!s)
                return -ENOMEM;
        fputs(s, f);
        fputc('\n', f);
        free(s);
        return ferror(f) ? -EIO : 0;
}
