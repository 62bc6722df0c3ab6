/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "core/strutil.h"

static const char *const environment_table[_ENV_MAX] = {
        [ENV_STUDIO_NEW] = "studio-new",
        [ENV_STUDIO_CLASSIC] = "studio-classic",
        [ENV_NOTEBOOK_INSTANCE] = "notebook-instance",
        [ENV_TRAINING_JOB] = "training-job",
        [ENV_PROCESSING_JOB] = "processing-job",
        [ENV_HYPERPOD] = "hyperpod",
        [ENV_ENDPOINT] = "endpoint",
        [ENV_TRANSFORM_JOB] = "transform-job",
        [ENV_LOCAL_MODE] = "local-mode",
        [ENV_UNIFIED_STUDIO] = "unified-studio",
        [ENV_RSTUDIO] = "rstudio",
        [ENV_STUDIO_LAB] = "studio-lab",
        [ENV_NONE] = "none",
        [ENV_UNKNOWN] = "unknown",
};

static const char *const environment_title_table[_ENV_MAX] = {
        [ENV_STUDIO_NEW] = "SageMaker Studio (new)",
        [ENV_STUDIO_CLASSIC] = "SageMaker Studio Classic",
        [ENV_NOTEBOOK_INSTANCE] = "SageMaker notebook instance",
        [ENV_TRAINING_JOB] = "SageMaker training job",
        [ENV_PROCESSING_JOB] = "SageMaker processing job",
        [ENV_HYPERPOD] = "SageMaker HyperPod cluster node",
        [ENV_ENDPOINT] = "SageMaker inference endpoint container",
        [ENV_TRANSFORM_JOB] = "SageMaker batch transform container",
        [ENV_LOCAL_MODE] = "SageMaker SDK local mode (not a SageMaker job)",
        [ENV_UNIFIED_STUDIO] = "SageMaker Unified Studio",
        [ENV_RSTUDIO] = "RStudio on SageMaker",
        [ENV_STUDIO_LAB] = "SageMaker Studio Lab",
        [ENV_NONE] = "No SageMaker identity or storage found",
        [ENV_UNKNOWN] = "SageMaker, kind unknown",
};

static const char *const confidence_table[_CONFIDENCE_MAX] = {
        [CONFIDENCE_HIGH] = "high",
        [CONFIDENCE_MEDIUM] = "medium",
        [CONFIDENCE_LOW] = "low",
};

static const char *const storage_kind_table[_STORAGE_MAX] = {
        [STORAGE_EBS] = "ebs",
        [STORAGE_EFS] = "efs",
        [STORAGE_INSTANCE_STORE] = "instance-store",
        [STORAGE_FSX_LUSTRE] = "fsx-lustre",
        [STORAGE_NFS] = "nfs",
        [STORAGE_S3] = "s3",
        [STORAGE_LOCAL] = "local",
        [STORAGE_OVERLAY] = "overlay",
        [STORAGE_TMPFS] = "tmpfs",
        [STORAGE_UNKNOWN] = "unknown",
};

static const char *const storage_kind_title_table[_STORAGE_MAX] = {
        [STORAGE_EBS] = "EBS volume",
        [STORAGE_EFS] = "EFS file system",
        [STORAGE_INSTANCE_STORE] = "NVMe instance store (ephemeral)",
        [STORAGE_FSX_LUSTRE] = "FSx for Lustre",
        [STORAGE_NFS] = "NFS (not EFS)",
        [STORAGE_S3] = "Amazon S3 (FUSE)",
        [STORAGE_LOCAL] = "local disk",
        [STORAGE_OVERLAY] = "container overlay",
        [STORAGE_TMPFS] = "tmpfs (memory)",
        [STORAGE_UNKNOWN] = "unknown",
};

#define TABLE_LOOKUP(table, max, i) ((i) >= 0 && (i) < (max) ? (table)[i] : NULL)

const char *environment_to_string(enum environment e)
{
        return TABLE_LOOKUP(environment_table, _ENV_MAX, e);
}

const char *environment_to_title(enum environment e)
{
        return TABLE_LOOKUP(environment_title_table, _ENV_MAX, e);
}

enum environment environment_from_string(const char *s)
{
        for (int i = 0; s && i < _ENV_MAX; i++)
                if (strcmp(environment_table[i], s) == 0)
                        return (enum environment)i;
        return _ENV_INVALID;
}

const char *confidence_to_string(enum confidence c)
{
        return TABLE_LOOKUP(confidence_table, _CONFIDENCE_MAX, c);
}

const char *storage_kind_to_string(enum storage_kind k)
{
        return TABLE_LOOKUP(storage_kind_table, _STORAGE_MAX, k);
}

const char *storage_kind_to_title(enum storage_kind k)
{
        return TABLE_LOOKUP(storage_kind_title_table, _STORAGE_MAX, k);
}

void storage_init(struct storage *s)
{
        memset(s, 0, sizeof(*s));
        s->mount_id = -1;
        s->kind = STORAGE_UNKNOWN;
        s->fs_magic = U64_UNSET;
        s->size_bytes = U64_UNSET;
        s->free_bytes = U64_UNSET;
}

struct block_device *block_device_free(struct block_device *d)
{
        if (!d)
                return NULL;
        free(d->name);
        free(d->partition);
        free(d->model);
        free(d->serial);
        free(d->ebs_volume_id);
        free(d->sysfs_path);
        free(d->fs_type);
        free(d->uuid);
        free(d->label);
        free(d->io);
        free(d->ebs);
        free(d->ebs_error);
        free(d);
        return NULL;
}

struct nfs_info *nfs_info_free(struct nfs_info *n)
{
        if (!n)
                return NULL;
        free(n->server);
        free(n->export);
        free(n->version);
        free(n->efs_filesystem_id);
        free(n->efs_access_point_id);
        free(n->region);
        strv_free(n->warnings);
        nfs_rpc_free(n->rpc);
        free(n);
        return NULL;
}

struct nfs_rpc *nfs_rpc_free(struct nfs_rpc *r)
{
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_ops; i++)
                free(r->ops[i].op);
        free(r->ops);
        free(r);
        return NULL;
}

const struct nfs_rpc_op *nfs_rpc_find(const struct nfs_rpc *r, const char *op)
{
        if (!r || !op)
                return NULL;
        for (size_t i = 0; i < r->n_ops; i++)
                if (r->ops[i].op && strcmp(r->ops[i].op, op) == 0)
                        return &r->ops[i];
        return NULL;
}

uint64_t nfs_rpc_mean_ns(uint64_t total_ms, uint64_t count)
{
        long double ns;

        if (count == 0 || total_ms == U64_UNSET)
                return U64_UNSET;
        ns = (long double)total_ms * 1e6L / (long double)count + 0.5L;
        /* Only a crafted file gets here: the largest number that is no "unknown". */
        return ns >= (long double)UINT64_MAX ? UINT64_MAX - 1 : (uint64_t)ns;
}

uint64_t nfs_rpc_reconnects(const struct nfs_rpc *r)
{
        if (!r || r->xprt_connects == U64_UNSET || r->xprts == 0)
                return U64_UNSET;
        return r->xprt_connects > r->xprts ? r->xprt_connects - r->xprts : 0;
}

struct fsx_info *fsx_info_free(struct fsx_info *x)
{
        if (!x)
                return NULL;
        free(x->server);
        free(x->mount_name);
        free(x->subdirectory);
        free(x->filesystem_id);
        free(x->region);
        free(x);
        return NULL;
}

void storage_done(struct storage *s)
{
        free(s->path);
        free(s->resolved_path);
        free(s->mountpoint);
        free(s->fs_root);
        free(s->fstype);
        free(s->source);
        free(s->options);
        free(s->fs_options);
        free(s->error);
        block_device_free(s->device);
        nfs_info_free(s->nfs);
        fsx_info_free(s->fsx);
        free(s->summary);
        storage_init(s);
}

void sagemaker_done(struct sagemaker *s)
{
        char **strs[] = {
                &s->app_type,
                &s->domain_id,
                &s->space_name,
                &s->user_profile_name,
                &s->resource_arn,
                &s->resource_name,
                &s->app_image_version,
                &s->resource_arn_case_sensitive,
                &s->ip_address_type,
                &s->region,
                &s->region_source,
                &s->env_app_type,
                &s->env_space_name,
                &s->env_space_type,
                &s->env_training_job_name,
                &s->processing_job_name,
                &s->processing_job_arn,
                &s->home_env,
                &s->user_default_efs,
                &s->notebook_instance_version,
                &s->compute.instance_group,
                &s->compute.node_name,
                &s->compute.env_batch,
                &s->compute.env_bind_to_port,
                &s->compute.env_safe_port_range,
                &s->compute.training_current_host,
                &s->compute.hostname,
                &s->datazone_domain_id,
                &s->datazone_project_id,
                &s->project_shared_directory,
                &s->env_service_name,
                &s->env_sm_app_type,
                &s->env_internal_image_uri,
                &s->env_sm_internal_image_uri,
                &s->env_recovery_mode,
                &s->env_input_notebook_name,
                &s->env_kernel_name,
                &s->env_job_def_version,
        };
        for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
                free(*strs[i]);
        memset(s, 0, sizeof(*s));
}

const char *sagemaker_app_type(const struct sagemaker *s)
{
        if (s->app_type)
                return s->app_type;
        return s->env_app_type ? s->env_app_type : s->env_sm_app_type;
}

void report_init(struct report *r)
{
        memset(r, 0, sizeof(*r));
        r->environment = ENV_UNKNOWN;
        r->confidence = CONFIDENCE_LOW;
        storage_init(&r->home);
}

void report_done(struct report *r)
{
        for (size_t i = 0; i < r->n_evidence; i++) {
                free(r->evidence[i].source);
                free(r->evidence[i].detail);
        }
        free(r->evidence);
        storage_done(&r->home);
        for (size_t i = 0; i < r->n_mounts; i++)
                storage_done(&r->mounts[i]);
        free(r->mounts);
        sagemaker_done(&r->sagemaker);
        strv_free(r->warnings);
        free(r->hypervisor);
        bench_result_free(r->bench);
        comparison_free(r->comparison);
        report_init(r);
}

int report_add_evidence(struct report *r, const char *source, enum environment points_to,
                        const char *fmt, ...)
{
        struct evidence *n;
        char *detail = NULL, *src;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&detail, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        src = strdup(source);
        n = realloc(r->evidence, (r->n_evidence + 1) * sizeof(*n));
        if (!src || !n) {
                free(detail);
                free(src);
                if (n)
                        r->evidence = n;
                return -ENOMEM;
        }
        r->evidence = n;
        r->evidence[r->n_evidence++] = (struct evidence){ src, detail, points_to };
        return 0;
}

int report_add_warning(struct report *r, const char *fmt, ...)
{
        va_list ap;
        char *s;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        /* The same fact reached through two mounts is said once. */
        for (char **w = r->warnings; w && *w; w++)
                if (strcmp(*w, s) == 0) {
                        free(s);
                        return 0;
                }
        return strv_push(&r->warnings, s);
}

struct storage *report_add_mount(struct report *r)
{
        struct storage *n = realloc(r->mounts, (r->n_mounts + 1) * sizeof(*n));

        if (!n)
                return NULL;
        r->mounts = n;
        storage_init(&r->mounts[r->n_mounts]);
        return &r->mounts[r->n_mounts++];
}

static const char *const workload_names[_BENCH_MAX] = {
        [BENCH_SEQ_WRITE] = "seq_write",    [BENCH_SEQ_READ] = "seq_read",
        [BENCH_RAND_READ] = "rand_read_4k", [BENCH_SYNC_WRITE] = "sync_write_4k",
        [BENCH_MD_CREATE] = "create",       [BENCH_MD_STAT] = "stat",
        [BENCH_MD_UNLINK] = "unlink",
};

const char *bench_workload_to_string(enum bench_workload_id w)
{
        return (unsigned)w < _BENCH_MAX ? workload_names[w] : NULL;
}

struct bench_latency bench_latency_measured(const struct bench_latency *l)
{
        struct bench_latency r = *l;

        if (r.n < BENCH_P90_MIN_SAMPLES)
                r.p90 = U64_UNSET;
        if (r.n < BENCH_P99_MIN_SAMPLES)
                r.p99 = U64_UNSET;
        if (r.n < BENCH_P999_MIN_SAMPLES)
                r.p999 = U64_UNSET;
        return r;
}

void bench_measure_init(struct bench_measure *m, uint64_t budget_ns, uint64_t workload_budget_ns)
{
        *m = (struct bench_measure){
                .err_workload = -1,
                .fs_magic = U64_UNSET,
                .free_bytes = U64_UNSET,
                .free_inodes = U64_UNSET,
                .budget_ns = budget_ns,
                .workload_budget_ns = workload_budget_ns,
        };
}

struct bench_result *bench_result_free(struct bench_result *b)
{
        if (!b)
                return NULL;
        free(b->path);
        free(b->clocksource);
        strv_free(b->assessment);
        free(b->summary);
        free(b->estimates);
        free(b->leftover);
        free(b);
        return NULL;
}

struct comparison *comparison_free(struct comparison *c)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_changes; i++) {
                free(c->changes[i].figure);
                free(c->changes[i].before_s);
                free(c->changes[i].after_s);
                free(c->changes[i].sentence);
        }
        free(c->changes);
        free(c->against_path);
        free(c->against_tool_version);
        free(c);
        return NULL;
}
