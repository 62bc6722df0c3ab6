/* SPDX-License-Identifier: MIT */
/*
 * Which SageMaker environment is this? Two independent witnesses are asked,
 * and the answer says how far they agree (the sources are in
 * shared/studio-facts.md, cited by section below):
 *
 *  1. Identity: files and variables SageMaker itself puts in the app, in order
 *     of authority. resource-metadata.json comes first: the platform writes it
 *     for the app (§3). Then SAGEMAKER_APP_TYPE, which only Studio (new) apps
 *     get (§3, and AWS's own environment detector). Then the notebook-instance
 *     marker, then the job configuration files. The first rule that matches
 *     decides; a later one that disagrees makes the verdict "low".
 *     Then compute outside Studio (landscape-2026 §1.7, §1.10, §1.13, §1.14):
 *     HyperPod's cluster file, the inference contract, the SDK's local mode.
 *     No identity at all means "none" only when no trace of SageMaker was seen
 *     either; identity hints that decide nothing (a metadata file without
 *     AppType, a SageMaker host name, a disk of its own on a path only
 *     SageMaker uses, an identity file that exists but cannot be read) mean
 *     "unknown", with the hint as evidence.
 *
 *  2. Storage: how the homes SageMaker creates are mounted (§1, §2, §3, §8):
 *     Studio (new) puts an EBS volume on /home/sagemaker-user, Classic an EFS
 *     directory there or on /root, a notebook instance an EBS volume on
 *     /home/ec2-user/SageMaker, HyperPod an extra EBS volume on /opt/sagemaker.
 *     A table that has none of these homes mounted says "none". Jobs and
 *     inference containers have no storage signature.
 *
 * The places that came later are cited from shared/landscape-2026.md by
 * section and tag ([D] documented, [O] observed, [I] inferred): Unified
 * Studio (§1.2) is a flavour of Studio (new) that never conflicts with it;
 * RStudio (§1.4) shares the domain EFS home with Classic; Studio Lab (§1.6)
 * has no identity, so it rests on several inferred signals and never reaches
 * high; notebook jobs (§1.8) and recovery mode (§1.1) qualify a verdict.
 *
 * confidence: high when both speak and agree, medium when only one speaks,
 * low when they conflict (a warning says how). Identity wins a conflict:
 * systemd-detect-virt's rule that authoritative markers beat heuristics.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify/classify.h"
#include "probe/compute.h"
#include "probe/sagemaker.h"
#include "core/strutil.h"

/* AppType in resource-metadata.json (§3, notebooks-run-and-manage-metadata). */
static const struct {
        const char *app_type;
        enum environment env;
} app_types[] = {
        { "JupyterServer", ENV_STUDIO_CLASSIC },
        { "KernelGateway", ENV_STUDIO_CLASSIC },
        { "JupyterLab", ENV_STUDIO_NEW },
        { "CodeEditor", ENV_STUDIO_NEW },
        /* landscape-2026 §1.4 [D]: CreateApp's app types of RStudio on SageMaker. */
        { "RStudioServerPro", ENV_RSTUDIO },
        { "RSessionGateway", ENV_RSTUDIO },
};

static enum environment env_of_app_type(const char *t)
{
        for (size_t i = 0; t && i < ARRAY_SIZE(app_types); i++)
                if (strcmp(app_types[i].app_type, t) == 0)
                        return app_types[i].env;
        return _ENV_INVALID;
}

struct identity_rule {
        const char *source;
        /* Fills detail and returns the environment it points to, or
         * _ENV_INVALID when the rule has nothing to say. */
        enum environment (*match)(const struct sagemaker *s, char *detail, size_t len);
};

static enum environment rule_metadata_studio(const struct sagemaker *s, char *d, size_t len)
{
        enum environment e;

        /* A notebook instance has this file too, without DomainId: never Studio
         * (§3; sagemaker-python-sdk PR #4107). */
        if (!s->metadata_present || !s->domain_id)
                return _ENV_INVALID;
        e = env_of_app_type(s->app_type);
        if (e < 0)
                return _ENV_INVALID;
        snprintf(d, len, "AppType=%s, DomainId=%s", s->app_type, s->domain_id);
        return e;
}

static enum environment rule_metadata_notebook(const struct sagemaker *s, char *d, size_t len)
{
        if (!s->metadata_present || s->domain_id || !s->resource_arn ||
            !strstr(s->resource_arn, ":notebook-instance/"))
                return _ENV_INVALID;
        snprintf(d, len, "ResourceArn is a notebook instance's, no DomainId");
        return ENV_NOTEBOOK_INSTANCE;
}

static enum environment env_app_type_says(const char *name, const char *value, char *d, size_t len)
{
        enum environment e = env_of_app_type(value);

        /* Only Studio (new) sets it; a Classic value here would be foreign. */
        if (e != ENV_STUDIO_NEW)
                return _ENV_INVALID;
        snprintf(d, len, "%s=%s", name, value);
        return e;
}

static enum environment rule_env_app_type(const struct sagemaker *s, char *d, size_t len)
{
        return env_app_type_says("SAGEMAKER_APP_TYPE", s->env_app_type, d, len);
}

static enum environment rule_notebook_marker(const struct sagemaker *s, char *d, size_t len)
{
        if (!s->notebook_instance_version)
                return _ENV_INVALID;
        snprintf(d, len, "present%s%s", *s->notebook_instance_version ? ", version " : "",
                 s->notebook_instance_version);
        return ENV_NOTEBOOK_INSTANCE;
}

static bool local_mode(const struct compute_facts *c);

static enum environment rule_training(const struct sagemaker *s, char *d, size_t len)
{
        if (!s->training_resourceconfig || local_mode(&s->compute))
                return _ENV_INVALID;
        snprintf(d, len, "present: the training job's cluster configuration");
        return ENV_TRAINING_JOB;
}

static enum environment rule_training_env(const struct sagemaker *s, char *d, size_t len)
{
        if (!s->env_training_job_name || local_mode(&s->compute))
                return _ENV_INVALID;
        snprintf(d, len, "TRAINING_JOB_NAME=%s", s->env_training_job_name);
        return ENV_TRAINING_JOB;
}

static enum environment rule_processing(const struct sagemaker *s, char *d, size_t len)
{
        if (!s->processing_jobconfig)
                return _ENV_INVALID;
        snprintf(d, len, "present: the processing job's configuration");
        return ENV_PROCESSING_JOB;
}

/* --- Compute outside Studio (landscape-2026 §1.7, §1.10, §1.13, §1.14) --- */

/* §1.7 [D] ADT on_create.sh / lifecycle_script.py: HyperPod writes the cluster
 * layout to /opt/ml/config/resource_config.json (underscore: the processing
 * job's file is resourceconfig.json), readable by root only. Parsed with
 * InstanceGroups it decides alone; unreadable (EACCES: the 0700 directory)
 * it is a presence, which decides only with a second HyperPod trace, the
 * /opt/sagemaker volume [D API_ClusterInstanceStorageConfig]; so does a file
 * without InstanceGroups (a bundle keeps an unreadable file empty). */
static enum environment rule_hyperpod(const struct sagemaker *s, char *d, size_t len)
{
        const struct compute_facts *c = &s->compute;

        if (c->hyperpod_config == 1 && c->hyperpod_config_groups) {
                snprintf(d, len, "InstanceGroups present: HyperPod's cluster file%s%s%s%s",
                         c->node_name ? "; this node is " : "", c->node_name ? c->node_name : "",
                         c->instance_group ? " of instance group " : "",
                         c->instance_group ? c->instance_group : "");
                return ENV_HYPERPOD;
        }
        if (c->hyperpod_config != 0 && c->opt_sagemaker) {
                if (c->hyperpod_config < 0)
                        snprintf(d, len,
                                 "present but unreadable (%s), and " HYPERPOD_OPT_SAGEMAKER
                                 " exists: a HyperPod cluster node",
                                 strerror(-c->hyperpod_config));
                else
                        snprintf(d, len,
                                 "present without InstanceGroups (its content not kept), "
                                 "and " HYPERPOD_OPT_SAGEMAKER " exists: a HyperPod cluster node");
                return ENV_HYPERPOD;
        }
        return _ENV_INVALID;
}

/* §1.13, §1.14 [D] your-algorithms-inference-code / -batch-code: SageMaker
 * runs "docker run IMAGE serve", the model under /opt/ml/model; inference
 * pipelines get SAGEMAKER_BIND_TO_PORT and SAGEMAKER_SAFE_PORT_RANGE [D
 * inference-pipeline-real-time]; batch transform sets SAGEMAKER_BATCH=true
 * [D-weak]. /opt/ml/model is also a training job's output directory, so no
 * single one decides: two signals make an endpoint; SAGEMAKER_BATCH=true and
 * one more make a transform job. The detail lists those that fired. */
static enum environment rule_inference(const struct sagemaker *s, char *d, size_t len)
{
        const struct compute_facts *c = &s->compute;
        bool port = c->env_bind_to_port || c->env_safe_port_range;
        bool batch = c->env_batch && strcmp(c->env_batch, "true") == 0;
        int n = c->serve + c->opt_ml_model + port;

        if (s->training_resourceconfig || n == 0 || (!batch && n < 2))
                return _ENV_INVALID;
        snprintf(d, len, "%s%s%s%s%s%s%s", batch ? "SAGEMAKER_BATCH=true" : "",
                 batch && c->serve ? ", " : "", c->serve ? "PID 1 runs serve" : "",
                 (batch || c->serve) && c->opt_ml_model ? ", " : "",
                 c->opt_ml_model ? INFERENCE_MODEL_DIR " exists" : "",
                 (batch || c->serve || c->opt_ml_model) && port ? ", " : "",
                 port ? "SAGEMAKER_BIND_TO_PORT/SAFE_PORT_RANGE set" : "");
        return batch ? ENV_TRANSFORM_JOB : ENV_ENDPOINT;
}

static bool local_mode(const struct compute_facts *c)
{
        return c->training_parsed && !c->training_network_interface &&
               compute_is_local_mode_host(c->training_current_host) && c->training_hosts_local;
}

/* §1.10 [O] the SDK's local/image.py names its containers algo-N-XXXXX and
 * writes resourceconfig.json without network_interface_name; a real training
 * job has algo-N and the interface [D]. Both must hold. */
static enum environment rule_local_mode(const struct sagemaker *s, char *d, size_t len)
{
        if (!local_mode(&s->compute))
                return _ENV_INVALID;
        snprintf(d, len,
                 "current_host=%s and every host algo-N-XXXXX, no network_interface_name: "
                 "the SDK's local mode, not a SageMaker job",
                 s->compute.training_current_host);
        return ENV_LOCAL_MODE;
}

static const struct storage_rule *storage_rule_of(const struct storage *st);

/* Paths only SageMaker mounts a file system of its own on (studio-facts §2,
 * landscape §1.6, §1.7, §1.15): a separate disk there is a trace. */
static const struct {
        const char *path;
        bool prefix;
} sagemaker_only_mounts[] = {
        { SAGEMAKER_NVME, false },         { "/opt/ml", true },
        { HYPERPOD_OPT_SAGEMAKER, false }, { SAGEMAKER_USER_HOME, false },
        { NOTEBOOK_INSTANCE_HOME, false },
};

static bool on_sagemaker_only_path(const struct storage *st)
{
        if (!st->mountpoint || st->kind == STORAGE_OVERLAY || st->kind == STORAGE_TMPFS)
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(sagemaker_only_mounts); i++)
                if (sagemaker_only_mounts[i].prefix
                            ? path_is_under(st->mountpoint, sagemaker_only_mounts[i].path)
                            : strcmp(st->mountpoint, sagemaker_only_mounts[i].path) == 0)
                        return true;
        return false;
}

/* Traces that only SageMaker leaves but that decide nothing alone, asked when
 * no identity decided (issue: "none" means no trace at all): each one adds
 * evidence pointing nowhere and makes the verdict at least "unknown". */
static int compute_hints(struct report *r, bool *ret_any)
{
        const struct compute_facts *c = &r->sagemaker.compute;
        const struct storage *st;
        const char *h = c->hostname;
        int k = 0;

        if (c->hyperpod_config < 0) {
                *ret_any = true;
                k = report_add_evidence(r, HYPERPOD_RESOURCE_CONFIG, _ENV_INVALID,
                                        "exists but cannot be read (%s): HyperPod's cluster "
                                        "file is there",
                                        strerror(-c->hyperpod_config));
        }
        if (k >= 0 && c->hyperpod_config == 1) {
                *ret_any = true;
                k = report_add_evidence(r, HYPERPOD_RESOURCE_CONFIG, _ENV_INVALID,
                                        "present, but without InstanceGroups");
        }
        if (k >= 0 && (c->opt_ml_model || c->serve || c->env_batch || c->env_bind_to_port ||
                       c->env_safe_port_range)) {
                *ret_any = true;
                k = report_add_evidence(r, "inference", _ENV_INVALID,
                                        "%s%s%s: one trace of an inference container, too few "
                                        "to decide",
                                        c->opt_ml_model ? INFERENCE_MODEL_DIR " exists" : "",
                                        c->opt_ml_model && c->serve ? ", " : "",
                                        c->serve ? "PID 1 runs serve" : "");
        }
        /* §7.11 [O]: "default" is a Studio (new) app's host name, algo-N a
         * job's, algo-N-XXXXX a local-mode container's. */
        if (k >= 0 && h && (strcmp(h, "default") == 0 || startswith(h, "algo-"))) {
                *ret_any = true;
                k = report_add_evidence(r, "hostname", _ENV_INVALID, "%s: %s", h,
                                        strcmp(h, "default") == 0
                                                ? "the host name of a Studio (new) app"
                                        : compute_is_local_mode_host(h)
                                                ? "the host name of a local-mode container"
                                                : "the host name of a SageMaker job's container");
        }
        report_for_each_storage(st, r) {
                char src[PATH_MAX + 16];

                if (k < 0 || (st != &r->home && st->mount_id == r->home.mount_id) ||
                    !on_sagemaker_only_path(st) || storage_rule_of(st))
                        continue;
                *ret_any = true;
                snprintf(src, sizeof(src), "mountinfo:%s", st->mountpoint);
                k = report_add_evidence(r, src, _ENV_INVALID,
                                        "%s from %s: a file system of its own on a path only "
                                        "SageMaker uses",
                                        storage_kind_to_string(st->kind), strna(st->source));
        }
        return k;
}

/* --- the interactive places beyond Studio (landscape-2026 §1.1, §1.2) --- */

/* §1.2 [D]: AWS's own scheduler calls a JupyterLab app with a non-empty
 * AdditionalMetadata.DataZoneDomainId Unified Studio (SCHED); the DataZone
 * keys exist only there (TK, SJSE). */
static enum environment rule_metadata_unified(const struct sagemaker *s, char *d, size_t len)
{
        if (!s->metadata_present || !s->domain_id || !s->datazone_domain_id ||
            env_of_app_type(s->app_type) != ENV_STUDIO_NEW)
                return _ENV_INVALID;
        snprintf(d, len, "AppType=%s, AdditionalMetadata.DataZoneDomainId=%s, DataZoneProjectId=%s",
                 s->app_type, s->datazone_domain_id, strna(s->datazone_project_id));
        return ENV_UNIFIED_STUDIO;
}

/* §1.2 [D]: the SMUS images' entrypoints export it (SMD), and AWS's toolkit
 * keys Unified Studio off it. */
static enum environment rule_env_service_name(const struct sagemaker *s, char *d, size_t len)
{
        if (!streq_ptr(s->env_service_name, "SageMakerUnifiedStudio"))
                return _ENV_INVALID;
        snprintf(d, len, "SERVICE_NAME=%s", s->env_service_name);
        return ENV_UNIFIED_STUDIO;
}

/* §1.1, §2 [D-weak]: AWS's toolkit already accepts the announced new name. */
static enum environment rule_env_sm_app_type(const struct sagemaker *s, char *d, size_t len)
{
        return env_app_type_says("SM_APP_TYPE", s->env_sm_app_type, d, len);
}

static const struct identity_rule identity_rules[] = {
        { RESOURCE_METADATA, rule_metadata_unified },
        { RESOURCE_METADATA, rule_metadata_studio },
        { RESOURCE_METADATA, rule_metadata_notebook },
        { "environment:SAGEMAKER_APP_TYPE", rule_env_app_type },
        { "environment:SM_APP_TYPE", rule_env_sm_app_type },
        { "environment:SERVICE_NAME", rule_env_service_name },
        { NOTEBOOK_INSTANCE_MARKER, rule_notebook_marker },
        { TRAINING_RESOURCECONFIG, rule_training },
        { "environment:TRAINING_JOB_NAME", rule_training_env },
        { PROCESSING_JOBCONFIG, rule_processing },
        { HYPERPOD_RESOURCE_CONFIG, rule_hyperpod },
        { "inference", rule_inference },
        { TRAINING_RESOURCECONFIG, rule_local_mode },
};

/* Homes SageMaker mounts, and the storage that identifies each environment. */
static const struct storage_rule {
        const char *mountpoint;
        bool prefix; /* mountpoint is a directory the mounts live under */
        enum storage_kind kinds[3];
        size_t n_kinds;
        enum environment env;
        const char *why;
} storage_rules[] = {
        /* §2: "The Amazon EBS volume for your space is mounted on /home/sagemaker-user". */
        { SAGEMAKER_USER_HOME,
          false,
          { STORAGE_EBS },
          1,
          ENV_STUDIO_NEW,
          "a per-space EBS volume on " SAGEMAKER_USER_HOME " is Studio (new)" },
        /* §1: Classic homes are per-user directories on the domain's EFS, mounted
         * at /home/sagemaker-user (JupyterServer) or /root (kernel images); a
         * plain NFS source is the same EFS reached without efs-utils. */
        { SAGEMAKER_USER_HOME,
          false,
          { STORAGE_EFS, STORAGE_NFS },
          2,
          ENV_STUDIO_CLASSIC,
          "an EFS or NFS home on " SAGEMAKER_USER_HOME " is Studio Classic" },
        { ROOT_HOME,
          false,
          { STORAGE_EFS, STORAGE_NFS },
          2,
          ENV_STUDIO_CLASSIC,
          "an EFS or NFS home on " ROOT_HOME " is a Studio Classic kernel image" },
        /* §3: the notebook instance's ML storage volume. */
        { NOTEBOOK_INSTANCE_HOME,
          false,
          { STORAGE_EBS },
          1,
          ENV_NOTEBOOK_INSTANCE,
          "an EBS volume on " NOTEBOOK_INSTANCE_HOME " is a notebook instance" },
        /* §2: custom file systems attach to JupyterLab and Code Editor spaces only. */
        { CUSTOM_FILE_SYSTEMS,
          true,
          { STORAGE_EFS, STORAGE_FSX_LUSTRE, STORAGE_NFS },
          3,
          ENV_STUDIO_NEW,
          "custom file systems under " CUSTOM_FILE_SYSTEMS " are Studio (new)" },
        /* landscape §1.7 [D] API_ClusterInstanceStorageConfig: a HyperPod
         * instance's extra EBS volume "is mounted to /opt/sagemaker". */
        { HYPERPOD_OPT_SAGEMAKER,
          false,
          { STORAGE_EBS },
          1,
          ENV_HYPERPOD,
          "an EBS volume on " HYPERPOD_OPT_SAGEMAKER " is a HyperPod node's extra volume" },
};

/* Mount points that make a table "SageMaker-shaped" at all. */
static const char *const sagemaker_homes[] = {
        SAGEMAKER_USER_HOME,
        ROOT_HOME,
        NOTEBOOK_INSTANCE_HOME,
};

static bool rule_matches(const struct storage_rule *rule, const struct storage *s)
{
        bool where;

        if (!s->mountpoint)
                return false;
        where = rule->prefix ? path_is_under(s->mountpoint, rule->mountpoint) &&
                                       strcmp(s->mountpoint, rule->mountpoint) != 0
                             : strcmp(s->mountpoint, rule->mountpoint) == 0;
        if (!where)
                return false;
        for (size_t k = 0; k < rule->n_kinds; k++)
                if (rule->kinds[k] == s->kind)
                        return true;
        return false;
}

/* What a matching mount says; the domain's home EFS in a private space is no
 * custom file system, whatever directory it is mounted under (landscape §4). */
static const char *storage_why(const struct storage_rule *rule, const struct storage *s)
{
        if (s->nfs && s->nfs->domain_home_efs)
                return "the domain's home EFS, auto-mounted through the user's access "
                       "point "
                       "(~/user-default-efs links here), is Studio (new)";
        return rule->why;
}

static const struct storage_rule *storage_rule_of(const struct storage *st)
{
        for (size_t i = 0; i < ARRAY_SIZE(storage_rules); i++)
                if (rule_matches(&storage_rules[i], st))
                        return &storage_rules[i];
        return NULL;
}

static bool is_sagemaker_home_mount(const struct storage *s)
{
        /* /root on the container overlay is not a mount of its own. */
        if (!s->mountpoint || s->kind == STORAGE_OVERLAY)
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(sagemaker_homes); i++)
                if (strcmp(s->mountpoint, sagemaker_homes[i]) == 0)
                        return true;
        return false;
}

static bool has_identity_hints(const struct sagemaker *s)
{
        return s->metadata_present || s->env_app_type || s->env_space_name ||
               s->processing_resourceconfig || s->sagemakerinternal || s->env_sm_app_type ||
               s->env_internal_image_uri || s->env_sm_internal_image_uri || s->env_recovery_mode;
}

/* Unified Studio is a flavour of Studio (new): same apps, same EBS home
 * (landscape-2026 §1.2), so the two never conflict. */
static enum environment family(enum environment e)
{
        return e == ENV_UNIFIED_STUDIO ? ENV_STUDIO_NEW : e;
}

static bool env_has_storage_signature(enum environment e)
{
        e = family(e);
        return e == ENV_STUDIO_NEW || e == ENV_STUDIO_CLASSIC || e == ENV_NOTEBOOK_INSTANCE ||
               e == ENV_NONE || e == ENV_RSTUDIO;
}

static const char *title(enum environment e)
{
        return environment_to_title(e);
}

/* --- the interactive places beyond Studio, judged after the verdict --- */

/* landscape-2026 §1.4: RStudio apps have the domain's EFS home ([D] Posit's
 * architecture page), but where it is mounted in an RSession container was
 * never seen [I]. So an EFS home that the storage rules call Classic agrees
 * with an RStudio identity, and no storage contradicts one. */
static int rstudio_storage(struct report *r, enum environment identity, enum environment *storage)
{
        if (identity != ENV_RSTUDIO)
                return 0;
        if (*storage != ENV_STUDIO_CLASSIC) {
                *storage = _ENV_INVALID;
                return 0;
        }
        *storage = ENV_RSTUDIO;
        return report_add_evidence(r, "mountinfo", ENV_RSTUDIO,
                                   "the domain's EFS home, which RStudio apps use as Studio "
                                   "Classic did: not Studio Classic, since AppType says RStudio");
}

static bool has_mount_on(const struct report *r, const char *mountpoint)
{
        const struct storage *st;

        report_for_each_storage(st, r)
                if (st->mountpoint && st->kind != STORAGE_OVERLAY &&
                    strcmp(st->mountpoint, mountpoint) == 0)
                        return true;
        return false;
}

/* landscape-2026 §1.6: Studio Lab shows no AWS identity at all ([I]: none was
 * ever found); what is seen is its home /home/studio-lab-user on a block
 * device of its own and /mnt/sagemaker-nvme ([O] aws/studio-lab-examples#307).
 * /mnt/sagemaker-nvme alone is Studio (new) too, so it takes a Studio Lab
 * home and one more signal; all three give medium, never high. */
static int classify_studio_lab(struct report *r)
{
        const struct sagemaker *s = &r->sagemaker;
        bool home_mount, nvme, home_env;
        int k = 0, n;

        /* No identity: "none", or "unknown" when a trace such as the instance
         * store on /mnt/sagemaker-nvme was seen (Studio Lab shows just that). */
        if (r->environment != ENV_NONE && r->environment != ENV_UNKNOWN)
                return 0;
        home_mount = has_mount_on(r, STUDIO_LAB_HOME);
        nvme = has_mount_on(r, SAGEMAKER_NVME);
        home_env = streq_ptr(s->home_env, STUDIO_LAB_HOME);
        n = home_mount + nvme + home_env;
        if (n < 2 || !(home_mount || home_env))
                return 0;
        if (home_mount)
                k = report_add_evidence(r, "mountinfo:" STUDIO_LAB_HOME, ENV_STUDIO_LAB,
                                        "a mount of its own: Studio Lab's home");
        if (k == 0 && nvme)
                k = report_add_evidence(r, "mountinfo:" SAGEMAKER_NVME, ENV_STUDIO_LAB,
                                        "mounted, with no SageMaker identity");
        if (k == 0 && home_env)
                k = report_add_evidence(r, "environment:HOME", ENV_STUDIO_LAB, "%s", s->home_env);
        if (k < 0)
                return k;
        r->environment = ENV_STUDIO_LAB;
        r->confidence = n == 3 ? CONFIDENCE_MEDIUM : CONFIDENCE_LOW;
        return report_add_warning(r,
                                  "Studio Lab is recognised by its paths alone (%d of 3 signals): "
                                  "it shows no AWS identity",
                                  n);
}

/* landscape-2026 §1.8 [D]: scheduled notebooks run as training jobs whose
 * environment names the notebook (SCHED, SDK notebook_job_step.py). */
static int classify_notebook_job(struct report *r)
{
        const struct sagemaker *s = &r->sagemaker;
        int k;

        if (r->environment != ENV_TRAINING_JOB)
                return 0;
        if (s->env_input_notebook_name)
                k = report_add_evidence(r, "environment:SM_INPUT_NOTEBOOK_NAME", ENV_TRAINING_JOB,
                                        "%s: a notebook job", s->env_input_notebook_name);
        else if (s->env_kernel_name && s->env_job_def_version)
                k = report_add_evidence(r, "environment:SM_KERNEL_NAME", ENV_TRAINING_JOB,
                                        "%s, with SM_JOB_DEF_VERSION: a notebook job",
                                        s->env_kernel_name);
        else
                return 0;
        if (k < 0)
                return k;
        r->job_kind = "notebook-job";
        return 0;
}

/* landscape-2026 §1.1 [D]: CreateApp's RecoveryMode; the image then sets
 * HOME to its recovery home. Whether the EBS stays mounted is not known [I],
 * but recovery mode exists to mend a full or broken home: the default path
 * still takes /home/sagemaker-user first, and the report says why. */
static int classify_recovery_mode(struct report *r)
{
        const struct sagemaker *s = &r->sagemaker;
        const char *v = s->env_recovery_mode;
        bool flag = v && strcasecmp(v, "false") != 0 && strcmp(v, "0") != 0;
        bool home = streq_ptr(s->home_env, RECOVERY_MODE_HOME);
        int k = 0;

        if (!flag && !home)
                return 0;
        if (flag)
                k = report_add_evidence(r, "environment:SAGEMAKER_RECOVERY_MODE", _ENV_INVALID,
                                        "%s: the app started in recovery mode", v);
        if (k == 0 && home)
                k = report_add_evidence(r, "environment:HOME", _ENV_INVALID,
                                        "%s: the home of recovery mode", s->home_env);
        if (k < 0)
                return k;
        r->recovery_mode = true;
        return report_add_warning(r, "recovery mode: the home " SAGEMAKER_USER_HOME
                                     " is probably full; free space there, then restart the app "
                                     "without recovery mode");
}

int classify(struct report *r)
{
        const struct sagemaker *s = &r->sagemaker;
        enum environment identity = _ENV_INVALID, storage = _ENV_INVALID;
        const char *identity_source = NULL;
        bool identity_conflict = false, storage_conflict = false, home_mounted = false;
        const struct storage *st;
        char detail[512];
        int k;

        for (size_t i = 0; i < ARRAY_SIZE(identity_rules); i++) {
                enum environment e = identity_rules[i].match(s, detail, sizeof(detail));
                if (e < 0)
                        continue;
                k = report_add_evidence(r, identity_rules[i].source, e, "%s", detail);
                if (k < 0)
                        return k;
                if (identity < 0) {
                        identity = e;
                        identity_source = identity_rules[i].source;
                } else if (family(e) == family(identity)) {
                        /* the more specific flavour wins: SERVICE_NAME after
                         * SAGEMAKER_APP_TYPE */
                        if (e == ENV_UNIFIED_STUDIO)
                                identity = e;
                } else if (e != identity && !identity_conflict) {
                        identity_conflict = true;
                        k = report_add_warning(r, "%s says %s, but %s already said %s",
                                               identity_rules[i].source, title(e), identity_source,
                                               title(identity));
                        if (k < 0)
                                return k;
                }
        }
        if (s->metadata_present && identity < 0) {
                k = report_add_evidence(r, RESOURCE_METADATA, _ENV_INVALID,
                                        "present, but AppType=%s and DomainId=%s identify no "
                                        "known app",
                                        strna(s->app_type), strna(s->domain_id));
                if (k < 0)
                        return k;
        }
        if (s->sagemakerinternal) {
                k = report_add_evidence(r, "mountinfo:" SAGEMAKER_INTERNAL, _ENV_INVALID,
                                        "mounted: SageMaker's reserved directory in Studio apps");
                if (k < 0)
                        return k;
        }
        if (identity < 0 && !has_identity_hints(s)) {
                bool hints = false;

                k = compute_hints(r, &hints);
                if (k < 0)
                        return k;
                if (!hints) {
                        identity = ENV_NONE;
                        k = report_add_evidence(r, RESOURCE_METADATA, ENV_NONE,
                                                "absent, and no SageMaker variables or marker "
                                                "files");
                        if (k < 0)
                                return k;
                }
        }

        report_for_each_storage(st, r) {
                if (st == &r->home && st->mount_id < 0)
                        continue;
                /* The home's own mount is listed once, as home. */
                if (st != &r->home && st->mount_id == r->home.mount_id)
                        continue;
                home_mounted |= is_sagemaker_home_mount(st);
                for (size_t i = 0; i < ARRAY_SIZE(storage_rules); i++) {
                        char src[PATH_MAX + 16];

                        if (!rule_matches(&storage_rules[i], st))
                                continue;
                        snprintf(src, sizeof(src), "mountinfo:%s", st->mountpoint);
                        k = report_add_evidence(r, src, storage_rules[i].env, "%s from %s: %s",
                                                storage_kind_to_string(st->kind), strna(st->source),
                                                storage_why(&storage_rules[i], st));
                        if (k < 0)
                                return k;
                        if (storage < 0)
                                storage = storage_rules[i].env;
                        else if (storage != storage_rules[i].env)
                                storage_conflict = true;
                        break;
                }
        }
        if (storage < 0 && !home_mounted && (identity < 0 || env_has_storage_signature(identity))) {
                storage = ENV_NONE;
                k = report_add_evidence(r, "mountinfo", ENV_NONE,
                                        "none of " SAGEMAKER_USER_HOME ", " ROOT_HOME
                                        ", " NOTEBOOK_INSTANCE_HOME " is a mount of its own");
                if (k < 0)
                        return k;
        }

        k = rstudio_storage(r, identity, &storage);
        if (k < 0)
                return k;
        /* Jobs have no storage signature: storage neither confirms nor contradicts. */
        if (identity >= 0 && !env_has_storage_signature(identity) && storage != identity)
                storage = _ENV_INVALID;

        if (identity >= 0 && identity != ENV_NONE) {
                r->environment = identity;
                if (storage < 0)
                        r->confidence = CONFIDENCE_MEDIUM;
                else if (family(storage) == family(identity) && !storage_conflict)
                        r->confidence = CONFIDENCE_HIGH;
                else {
                        r->confidence = CONFIDENCE_LOW;
                        k = report_add_warning(r, "identity says %s, but the storage looks like %s",
                                               title(identity),
                                               storage == ENV_NONE ? "no SageMaker home"
                                                                   : title(storage));
                        if (k < 0)
                                return k;
                }
        } else if (identity == ENV_NONE) {
                if (storage == ENV_NONE) {
                        r->environment = ENV_NONE;
                        r->confidence = CONFIDENCE_HIGH;
                } else if (storage >= 0) {
                        r->environment = storage;
                        r->confidence = CONFIDENCE_LOW;
                        k = report_add_warning(r,
                                               "the storage looks like %s, but no SageMaker "
                                               "identity file or variable was found",
                                               title(storage));
                        if (k < 0)
                                return k;
                } else {
                        r->environment = ENV_NONE;
                        r->confidence = CONFIDENCE_MEDIUM;
                }
        } else {
                /* Hints of SageMaker, but no identity that decides. */
                if (storage >= 0 && storage != ENV_NONE) {
                        r->environment = storage;
                        r->confidence = CONFIDENCE_MEDIUM;
                } else {
                        r->environment = ENV_UNKNOWN;
                        r->confidence = CONFIDENCE_LOW;
                }
        }
        if (identity_conflict || storage_conflict)
                r->confidence = CONFIDENCE_LOW;
        if (storage_conflict) {
                k = report_add_warning(r, "the mounts point to more than one environment");
                if (k < 0)
                        return k;
        }
        k = classify_studio_lab(r);
        if (k == 0)
                k = classify_notebook_job(r);
        if (k == 0)
                k = classify_recovery_mode(r);
        return k;
}
