/* SPDX-License-Identifier: MIT */
/* classify() on hand-built reports: one row per rule and per combination of
 * the two witnesses (identity, storage), with the verdict, the confidence and
 * the warning each must give. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "classify/blockhist.h"
#include "classify/classify.h"
#include "probe/compute.h"
#include "core/strutil.h"

#define NB_ARN "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/alice-nb"
#define APP_ARN "arn:aws:sagemaker:us-east-1:111122223333:app/d-abc/alice/JupyterLab/default"
#define SMU "/home/sagemaker-user"
#define NBH "/home/ec2-user/SageMaker"

struct row {
        const char *name;
        /* identity */
        bool metadata;
        const char *app_type, *domain_id, *arn;
        const char *env_app_type, *env_space_name, *nb_marker, *training_env;
        bool training, processing, internal;
        /* storage: the inspected path's mount and one other mount (NULL: none) */
        const char *home_mp;
        enum storage_kind home_kind;
        const char *other_mp;
        enum storage_kind other_kind;
        /* compute outside Studio */
        int hyperpod_config;
        bool hyperpod_groups, opt_sagemaker, opt_ml_model, serve;
        const char *batch, *bind, *hostname, *current_host, *host;
        bool network_interface;
        /* verdict */
        enum environment env;
        enum confidence conf;
        const char *warning; /* a substring of the one warning; NULL: no warning */
        /* the interactive places beyond Studio (landscape-2026 §1.1, §1.2, §1.6, §1.8) */
        const char *home_env, *dz_domain, *service_name, *sm_app_type, *recovery, *notebook;
        const char *job_kind; /* expected */
        bool recovery_mode;   /* expected */
};

static const struct row rows[] = {
        /* Identity and storage agree: high. */
        { "new jupyterlab", true, "JupyterLab", "d-abc", APP_ARN, .home_mp = SMU,
          .home_kind = STORAGE_EBS, .env = ENV_STUDIO_NEW, .conf = CONFIDENCE_HIGH },
        { "new codeeditor", true, "CodeEditor", "d-abc", .home_mp = SMU, .home_kind = STORAGE_EBS,
          .env = ENV_STUDIO_NEW, .conf = CONFIDENCE_HIGH },
        { "new + custom efs", true, "JupyterLab", "d-abc", .home_mp = SMU, .home_kind = STORAGE_EBS,
          .other_mp = "/mnt/custom-file-systems/efs/fs-0123456789abcdef0",
          .other_kind = STORAGE_EFS, .env = ENV_STUDIO_NEW, .conf = CONFIDENCE_HIGH },
        { "new, path on custom fsx", true, "JupyterLab", "d-abc",
          .home_mp = "/mnt/custom-file-systems/fsx_lustre/fs-0123456789abcdef0",
          .home_kind = STORAGE_FSX_LUSTRE, .env = ENV_STUDIO_NEW, .conf = CONFIDENCE_HIGH },
        { "new by env only", .env_app_type = "JupyterLab", .home_mp = SMU, .home_kind = STORAGE_EBS,
          .env = ENV_STUDIO_NEW, .conf = CONFIDENCE_HIGH },
        { "classic jupyterserver", true, "JupyterServer", "d-abc", .home_mp = SMU,
          .home_kind = STORAGE_EFS, .env = ENV_STUDIO_CLASSIC, .conf = CONFIDENCE_HIGH },
        { "classic kernelgateway on /root, plain nfs", true, "KernelGateway", "d-abc",
          .home_mp = "/root", .home_kind = STORAGE_NFS, .env = ENV_STUDIO_CLASSIC,
          .conf = CONFIDENCE_HIGH },
        { "classic, path on overlay, home elsewhere", true, "KernelGateway", "d-abc",
          .home_mp = "/", .home_kind = STORAGE_OVERLAY, .other_mp = "/root",
          .other_kind = STORAGE_EFS, .env = ENV_STUDIO_CLASSIC, .conf = CONFIDENCE_HIGH },
        { "notebook by metadata", true, .arn = NB_ARN, .home_mp = NBH, .home_kind = STORAGE_EBS,
          .env = ENV_NOTEBOOK_INSTANCE, .conf = CONFIDENCE_HIGH },
        { "notebook by metadata and marker", true, .arn = NB_ARN, .nb_marker = "1.0",
          .home_mp = NBH, .home_kind = STORAGE_EBS, .env = ENV_NOTEBOOK_INSTANCE,
          .conf = CONFIDENCE_HIGH },
        { "notebook by marker only", .nb_marker = "", .home_mp = NBH, .home_kind = STORAGE_EBS,
          .env = ENV_NOTEBOOK_INSTANCE, .conf = CONFIDENCE_HIGH },

        /* Only one witness speaks: medium. */
        { "new, home mounted on an unknown kind", true, "JupyterLab", "d-abc", .home_mp = SMU,
          .home_kind = STORAGE_LOCAL, .env = ENV_STUDIO_NEW, .conf = CONFIDENCE_MEDIUM },
        { "training by resourceconfig", .training = true, .home_mp = "/",
          .home_kind = STORAGE_OVERLAY, .env = ENV_TRAINING_JOB, .conf = CONFIDENCE_MEDIUM },
        { "training by env", .training_env = "job-1", .home_mp = "/", .home_kind = STORAGE_OVERLAY,
          .env = ENV_TRAINING_JOB, .conf = CONFIDENCE_MEDIUM },
        { "training ignores studio-like storage", .training = true, .home_mp = SMU,
          .home_kind = STORAGE_EBS, .env = ENV_TRAINING_JOB, .conf = CONFIDENCE_MEDIUM },
        { "processing ignores storage", .processing = true, .home_mp = SMU,
          .home_kind = STORAGE_EFS, .env = ENV_PROCESSING_JOB, .conf = CONFIDENCE_MEDIUM },
        { "rstudio, an ebs home neither confirms nor contradicts", true, "RStudioServerPro",
          "d-abc", .home_mp = SMU, .home_kind = STORAGE_EBS, .env = ENV_RSTUDIO,
          .conf = CONFIDENCE_MEDIUM },
        { "classic app type in env is foreign, storage decides", .env_app_type = "JupyterServer",
          .home_mp = SMU, .home_kind = STORAGE_EFS, .env = ENV_STUDIO_CLASSIC,
          .conf = CONFIDENCE_MEDIUM },
        { "no identity, sagemaker home on tmpfs", .home_mp = SMU, .home_kind = STORAGE_TMPFS,
          .env = ENV_NONE, .conf = CONFIDENCE_MEDIUM },

        /* Conflicts: low, with a warning. */
        { "new identity, classic storage", true, "JupyterLab", "d-abc", .home_mp = SMU,
          .home_kind = STORAGE_EFS, .env = ENV_STUDIO_NEW, .conf = CONFIDENCE_LOW,
          .warning = "identity says SageMaker Studio (new), but the storage looks like "
                     "SageMaker Studio Classic" },
        { "new identity, no sagemaker home", true, "JupyterLab", "d-abc", .home_mp = "/",
          .home_kind = STORAGE_OVERLAY, .env = ENV_STUDIO_NEW, .conf = CONFIDENCE_LOW,
          .warning = "the storage looks like no SageMaker home" },
        { "metadata new, marker notebook", true, "JupyterLab", "d-abc", .nb_marker = "1",
          .home_mp = SMU, .home_kind = STORAGE_EBS, .env = ENV_STUDIO_NEW, .conf = CONFIDENCE_LOW,
          .warning = "says SageMaker notebook instance, but" },
        { "no identity, studio storage", .home_mp = SMU, .home_kind = STORAGE_EBS,
          .env = ENV_STUDIO_NEW, .conf = CONFIDENCE_LOW,
          .warning = "no SageMaker identity file or variable was found" },
        { "storage conflict", true, "JupyterLab", "d-abc", .home_mp = SMU, .home_kind = STORAGE_EBS,
          .other_mp = "/root", .other_kind = STORAGE_EFS, .env = ENV_STUDIO_NEW,
          .conf = CONFIDENCE_LOW, .warning = "the mounts point to more than one environment" },

        /* Notebook-instance metadata (no DomainId) is never Studio. */
        { "notebook metadata with a studio AppType", true, "JupyterLab", NULL, NB_ARN,
          .home_mp = NBH, .home_kind = STORAGE_EBS, .env = ENV_NOTEBOOK_INSTANCE,
          .conf = CONFIDENCE_HIGH },
        { "notebook metadata on studio-like storage", true, "JupyterServer", NULL, NB_ARN,
          .home_mp = SMU, .home_kind = STORAGE_EBS, .env = ENV_NOTEBOOK_INSTANCE,
          .conf = CONFIDENCE_LOW, .warning = "identity says SageMaker notebook instance" },
        { "metadata without DomainId or notebook ARN", true, "JupyterLab", .home_mp = "/",
          .home_kind = STORAGE_OVERLAY, .env = ENV_UNKNOWN, .conf = CONFIDENCE_LOW },

        /* Not SageMaker. */
        { "laptop", .home_mp = "/", .home_kind = STORAGE_LOCAL, .env = ENV_NONE,
          .conf = CONFIDENCE_HIGH },
        { "studio lab home", .home_mp = "/home/studio-lab-user", .home_kind = STORAGE_EBS,
          .env = ENV_NONE, .conf = CONFIDENCE_HIGH },
        { "no mount found at all", .env = ENV_NONE, .conf = CONFIDENCE_HIGH },
        { "overlay /root is no home", .home_mp = "/root", .home_kind = STORAGE_OVERLAY,
          .env = ENV_NONE, .conf = CONFIDENCE_HIGH },
        { "efs elsewhere is not classic", .home_mp = "/data", .home_kind = STORAGE_EFS,
          .env = ENV_NONE, .conf = CONFIDENCE_HIGH },

        /* SageMaker, but which? */
        { "internal dir only", .internal = true, .home_mp = "/", .home_kind = STORAGE_OVERLAY,
          .env = ENV_UNKNOWN, .conf = CONFIDENCE_LOW },
        { "space name only", .env_space_name = "s", .env = ENV_UNKNOWN, .conf = CONFIDENCE_LOW },

        /* HyperPod (landscape §1.7). */
        { "hyperpod by its cluster file", .hyperpod_config = 1, .hyperpod_groups = true,
          .home_mp = "/", .home_kind = STORAGE_EBS, .env = ENV_HYPERPOD,
          .conf = CONFIDENCE_MEDIUM },
        { "hyperpod file and /opt/sagemaker volume", .hyperpod_config = 1, .hyperpod_groups = true,
          .opt_sagemaker = true, .home_mp = "/fsx", .home_kind = STORAGE_FSX_LUSTRE,
          .other_mp = "/opt/sagemaker", .other_kind = STORAGE_EBS, .env = ENV_HYPERPOD,
          .conf = CONFIDENCE_HIGH },
        { "hyperpod file unreadable + /opt/sagemaker", .hyperpod_config = -EACCES,
          .opt_sagemaker = true, .home_mp = "/", .home_kind = STORAGE_EBS, .env = ENV_HYPERPOD,
          .conf = CONFIDENCE_MEDIUM },
        { "hyperpod file unreadable alone: present, not none", .hyperpod_config = -EACCES,
          .home_mp = "/", .home_kind = STORAGE_EBS, .env = ENV_UNKNOWN, .conf = CONFIDENCE_LOW },
        { "/opt/sagemaker EBS alone", .home_mp = "/", .home_kind = STORAGE_EBS,
          .other_mp = "/opt/sagemaker", .other_kind = STORAGE_EBS, .opt_sagemaker = true,
          .env = ENV_HYPERPOD, .conf = CONFIDENCE_LOW, .warning = "no SageMaker identity" },

        /* Inference containers (§1.13, §1.14): two signals, or batch and one. */
        { "endpoint: serve + model", .serve = true, .opt_ml_model = true, .home_mp = "/",
          .home_kind = STORAGE_OVERLAY, .env = ENV_ENDPOINT, .conf = CONFIDENCE_MEDIUM },
        { "endpoint: pipeline port + model", .bind = "8080", .opt_ml_model = true, .home_mp = "/",
          .home_kind = STORAGE_OVERLAY, .env = ENV_ENDPOINT, .conf = CONFIDENCE_MEDIUM },
        { "transform: batch + serve", .batch = "true", .serve = true, .home_mp = "/",
          .home_kind = STORAGE_OVERLAY, .env = ENV_TRANSFORM_JOB, .conf = CONFIDENCE_MEDIUM },
        { "model dir alone decides nothing", .opt_ml_model = true, .home_mp = "/",
          .home_kind = STORAGE_OVERLAY, .env = ENV_UNKNOWN, .conf = CONFIDENCE_LOW },
        { "serve alone decides nothing", .serve = true, .home_mp = "/",
          .home_kind = STORAGE_OVERLAY, .env = ENV_UNKNOWN, .conf = CONFIDENCE_LOW },
        { "training job with its model dir stays training", .training = true, .opt_ml_model = true,
          .serve = true, .home_mp = "/", .home_kind = STORAGE_OVERLAY, .env = ENV_TRAINING_JOB,
          .conf = CONFIDENCE_MEDIUM },

        /* Local mode (§1.10): algo-N-XXXXX hosts and no interface. */
        { "local mode", .training = true, .current_host = "algo-1-x7k2p", .host = "algo-1-x7k2p",
          .training_env = "job", .home_mp = "/", .home_kind = STORAGE_OVERLAY,
          .env = ENV_LOCAL_MODE, .conf = CONFIDENCE_MEDIUM },
        { "algo-1 with an interface is a training job", .training = true, .current_host = "algo-1",
          .host = "algo-1", .network_interface = true, .home_mp = "/", .home_kind = STORAGE_OVERLAY,
          .env = ENV_TRAINING_JOB, .conf = CONFIDENCE_MEDIUM },
        { "local-mode names but an interface: training", .training = true,
          .current_host = "algo-1-x7k2p", .host = "algo-1-x7k2p", .network_interface = true,
          .home_mp = "/", .home_kind = STORAGE_OVERLAY, .env = ENV_TRAINING_JOB,
          .conf = CONFIDENCE_MEDIUM },

        /* Traces that decide nothing are never "none". */
        { "hostname default", .hostname = "default", .home_mp = "/", .home_kind = STORAGE_OVERLAY,
          .env = ENV_UNKNOWN, .conf = CONFIDENCE_LOW },
        { "hostname algo-2", .hostname = "algo-2", .home_mp = "/", .home_kind = STORAGE_OVERLAY,
          .env = ENV_UNKNOWN, .conf = CONFIDENCE_LOW },
        { "a disk of its own on /mnt/sagemaker-nvme", .home_mp = "/", .home_kind = STORAGE_EBS,
          .other_mp = "/mnt/sagemaker-nvme", .other_kind = STORAGE_EBS, .env = ENV_UNKNOWN,
          .conf = CONFIDENCE_LOW },
        { "plain host name: none", .hostname = "laptop", .home_mp = "/", .home_kind = STORAGE_LOCAL,
          .env = ENV_NONE, .conf = CONFIDENCE_HIGH },

        /* The interactive places beyond Studio. */
        { "unified by metadata", true, "JupyterLab", "d-abc", .home_mp = SMU,
          .home_kind = STORAGE_EBS, .dz_domain = "dzd_1", .env = ENV_UNIFIED_STUDIO,
          .conf = CONFIDENCE_HIGH },
        { "unified by SERVICE_NAME after SAGEMAKER_APP_TYPE", .env_app_type = "JupyterLab",
          .service_name = "SageMakerUnifiedStudio", .home_mp = SMU, .home_kind = STORAGE_EBS,
          .env = ENV_UNIFIED_STUDIO, .conf = CONFIDENCE_HIGH },
        { "another SERVICE_NAME is nothing", .env_app_type = "JupyterLab", .service_name = "x",
          .home_mp = SMU, .home_kind = STORAGE_EBS, .env = ENV_STUDIO_NEW,
          .conf = CONFIDENCE_HIGH },
        { "datazone keys on a classic app are not unified", true, "JupyterServer", "d-abc",
          .home_mp = SMU, .home_kind = STORAGE_EFS, .dz_domain = "dzd_1", .env = ENV_STUDIO_CLASSIC,
          .conf = CONFIDENCE_HIGH },
        { "rstudio on the domain efs home", true, "RSessionGateway", "d-abc", .home_mp = SMU,
          .home_kind = STORAGE_EFS, .env = ENV_RSTUDIO, .conf = CONFIDENCE_HIGH },
        { "rstudio, no sagemaker home", true, "RStudioServerPro", "d-abc", .home_mp = "/",
          .home_kind = STORAGE_OVERLAY, .env = ENV_RSTUDIO, .conf = CONFIDENCE_MEDIUM },
        { "renamed SM_APP_TYPE", .sm_app_type = "CodeEditor", .home_mp = SMU,
          .home_kind = STORAGE_EBS, .env = ENV_STUDIO_NEW, .conf = CONFIDENCE_HIGH },
        { "studio lab, three signals", .home_mp = "/home/studio-lab-user", .home_kind = STORAGE_EBS,
          .other_mp = "/mnt/sagemaker-nvme", .other_kind = STORAGE_EBS,
          .home_env = "/home/studio-lab-user", .env = ENV_STUDIO_LAB, .conf = CONFIDENCE_MEDIUM,
          .warning = "3 of 3 signals" },
        { "studio lab, $HOME and nvme", .home_mp = "/", .home_kind = STORAGE_OVERLAY,
          .other_mp = "/mnt/sagemaker-nvme", .other_kind = STORAGE_EBS,
          .home_env = "/home/studio-lab-user", .env = ENV_STUDIO_LAB, .conf = CONFIDENCE_LOW,
          .warning = "2 of 3 signals" },
        { "nvme without a studio lab home: a trace, not studio lab", .home_mp = "/",
          .home_kind = STORAGE_OVERLAY, .other_mp = "/mnt/sagemaker-nvme",
          .other_kind = STORAGE_EBS, .home_env = "/home/alice", .env = ENV_UNKNOWN,
          .conf = CONFIDENCE_LOW },
        { "studio lab paths beside an identity are not studio lab", true, "JupyterLab", "d-abc",
          .home_mp = SMU, .home_kind = STORAGE_EBS, .other_mp = "/mnt/sagemaker-nvme",
          .other_kind = STORAGE_EBS, .home_env = "/home/studio-lab-user", .env = ENV_STUDIO_NEW,
          .conf = CONFIDENCE_HIGH },
        { "notebook job", .training = true, .notebook = "a.ipynb", .home_mp = "/",
          .home_kind = STORAGE_OVERLAY, .env = ENV_TRAINING_JOB, .conf = CONFIDENCE_MEDIUM,
          .job_kind = "notebook-job" },
        { "recovery mode", true, "JupyterLab", "d-abc", .home_mp = SMU, .home_kind = STORAGE_EBS,
          .recovery = "true", .env = ENV_STUDIO_NEW, .conf = CONFIDENCE_HIGH,
          .warning = "recovery mode", .recovery_mode = true },
        { "recovery mode by its home alone", true, "JupyterLab", "d-abc", .home_mp = SMU,
          .home_kind = STORAGE_EBS, .home_env = "/tmp/sagemaker-recovery-mode-home",
          .env = ENV_STUDIO_NEW, .conf = CONFIDENCE_HIGH, .warning = "probably full",
          .recovery_mode = true },
        { "recovery mode off", true, "JupyterLab", "d-abc", .home_mp = SMU,
          .home_kind = STORAGE_EBS, .recovery = "false", .env = ENV_STUDIO_NEW,
          .conf = CONFIDENCE_HIGH },
};

static void fill(struct report *r, const struct row *w)
{
        struct sagemaker *s = &r->sagemaker;

        report_init(r);
        s->metadata_present = w->metadata;
        s->app_type = strdup_or_null(w->app_type);
        s->domain_id = strdup_or_null(w->domain_id);
        s->resource_arn = strdup_or_null(w->arn);
        s->env_app_type = strdup_or_null(w->env_app_type);
        s->env_space_name = strdup_or_null(w->env_space_name);
        s->notebook_instance_version = strdup_or_null(w->nb_marker);
        s->env_training_job_name = strdup_or_null(w->training_env);
        s->training_resourceconfig = w->training;
        s->processing_jobconfig = w->processing;
        s->sagemakerinternal = w->internal;
        s->compute.hyperpod_config = w->hyperpod_config;
        s->compute.hyperpod_config_groups = w->hyperpod_groups;
        s->compute.opt_sagemaker = w->opt_sagemaker;
        s->compute.opt_ml_model = w->opt_ml_model;
        s->compute.serve = w->serve;
        s->compute.env_batch = strdup_or_null(w->batch);
        s->compute.env_bind_to_port = strdup_or_null(w->bind);
        s->compute.hostname = strdup_or_null(w->hostname);
        if (w->current_host) {
                s->compute.training_parsed = true;
                s->compute.training_current_host = strdup(w->current_host);
                s->compute.training_hosts_local = compute_is_local_mode_host(w->host);
                s->compute.training_network_interface = w->network_interface;
        }

        s->home_env = strdup_or_null(w->home_env);
        s->datazone_domain_id = strdup_or_null(w->dz_domain);
        s->env_service_name = strdup_or_null(w->service_name);
        s->env_sm_app_type = strdup_or_null(w->sm_app_type);
        s->env_recovery_mode = strdup_or_null(w->recovery);
        s->env_input_notebook_name = strdup_or_null(w->notebook);
        if (w->home_mp) {
                r->home.mount_id = 10;
                r->home.mountpoint = strdup(w->home_mp);
                r->home.kind = w->home_kind;
                r->home.source = strdup("src");
                /* As the probe lists it: the home's own mount again among the others. */
                struct storage *m = report_add_mount(r);
                m->mount_id = 10;
                m->mountpoint = strdup(w->home_mp);
                m->kind = w->home_kind;
        }
        if (w->other_mp) {
                struct storage *m = report_add_mount(r);
                m->mount_id = 20;
                m->mountpoint = strdup(w->other_mp);
                m->kind = w->other_kind;
        }
}

static void test_rows(void **state)
{
        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                const struct row *w = &rows[i];
                struct report r;

                print_message("row: %s\n", w->name);
                fill(&r, w);
                assert_int_equal(classify(&r), 0);
                assert_string_equal(environment_to_string(r.environment),
                                    environment_to_string(w->env));
                assert_string_equal(confidence_to_string(r.confidence),
                                    confidence_to_string(w->conf));
                if (w->warning) {
                        bool found = false;
                        for (char **x = r.warnings; x && *x; x++)
                                found |= strstr(*x, w->warning) != NULL;
                        if (!found)
                                for (char **x = r.warnings; x && *x; x++)
                                        print_message("  warning: %s\n", *x);
                        assert_true(found);
                } else {
                        for (char **x = r.warnings; x && *x; x++)
                                print_message("  unexpected warning: %s\n", *x);
                        assert_null(r.warnings);
                }
                /* A low verdict always says why. */
                if (r.confidence == CONFIDENCE_LOW && r.environment != ENV_UNKNOWN)
                        assert_non_null(r.warnings);
                /* Evidence: at least one entry, each complete, and the verdict's
                 * witnesses among them. */
                assert_true(r.n_evidence > 0);
                for (size_t e = 0; e < r.n_evidence; e++) {
                        assert_non_null(r.evidence[e].source);
                        assert_non_null(r.evidence[e].detail);
                        assert_true(r.evidence[e].points_to == _ENV_INVALID ||
                                    (r.evidence[e].points_to >= 0 &&
                                     r.evidence[e].points_to < _ENV_MAX));
                }
                if (r.confidence == CONFIDENCE_HIGH) {
                        size_t agree = 0;
                        for (size_t e = 0; e < r.n_evidence; e++)
                                /* Unified Studio's EBS home is Studio (new)'s. */
                                agree += r.evidence[e].points_to == r.environment ||
                                         (r.environment == ENV_UNIFIED_STUDIO &&
                                          r.evidence[e].points_to == ENV_STUDIO_NEW);
                        assert_true(agree >= 2);
                }
                assert_true(streq_ptr(r.job_kind, w->job_kind));
                assert_true(r.recovery_mode == w->recovery_mode);
                /* Notebook-instance metadata never yields Studio. */
                if (w->arn && strstr(w->arn, "notebook-instance") && !w->domain_id)
                        assert_true(r.environment != ENV_STUDIO_NEW &&
                                    r.environment != ENV_STUDIO_CLASSIC);
                report_done(&r);
        }
}

/* The home's own mount appears once in the evidence, not twice. */
static void test_home_listed_once(void **state)
{
        struct report r;
        size_t n = 0;

        fill(&r, &rows[0]);
        assert_int_equal(classify(&r), 0);
        for (size_t e = 0; e < r.n_evidence; e++)
                n += strcmp(r.evidence[e].source, "mountinfo:" SMU) == 0;
        assert_int_equal(n, 1);
        report_done(&r);
}

static void test_strings(void **state)
{
        for (int e = 0; e < _ENV_MAX; e++) {
                assert_non_null(environment_to_string(e));
                assert_non_null(environment_to_title(e));
                assert_int_equal(environment_from_string(environment_to_string(e)), e);
        }
        assert_int_equal(environment_from_string("Studio-New"), _ENV_INVALID);
        assert_int_equal(environment_from_string(""), _ENV_INVALID);
        assert_int_equal(environment_from_string(NULL), _ENV_INVALID);
        assert_null(environment_to_string(_ENV_INVALID));
        for (int c = 0; c < _CONFIDENCE_MAX; c++)
                assert_non_null(confidence_to_string(c));
}

/* Warnings from a device's passive history: throttled EBS time by the
 * volume's and the instance's limits, a pile of requests in flight, a slow
 * mean since boot; nothing for a quiet device, and one device once. */
static void test_block_history(void **state)
{
        struct report r;
        struct block_device *d;
        struct storage *m;

        report_init(&r);
        r.home.mountpoint = strdup(SMU);
        r.home.device = d = calloc(1, sizeof(*d));
        d->name = strdup("nvme1n1");
        d->ebs_volume_id = strdup("vol-0abc");
        d->io = calloc(1, sizeof(*d->io));
        *d->io = (struct block_io){
                .reads = 5000, .read_ms = 5000, .writes = 999, .write_ms = 999000, .in_flight = 2
        };
        d->ebs = calloc(1, sizeof(*d->ebs));
        assert_int_equal(classify_block_history(&r), 0);
        assert_null(r.warnings); /* 1 ms reads; too few writes to judge; nothing exceeded */

        d->io->writes = 1000;
        d->io->write_ms = 150000;
        d->io->in_flight = 40;
        d->ebs->exceeded_iops_us = 1500000;
        d->ebs->ec2_exceeded_tp_us = 2000000;
        d->ebs->ec2_exceeded_iops_us = U64_UNSET;
        /* The same device under a second mount: said once. */
        m = report_add_mount(&r);
        m->mountpoint = strdup("/mnt/b");
        m->device = calloc(1, sizeof(*m->device));
        m->device->name = strdup("nvme1n1");
        m->device->io = calloc(1, sizeof(*m->device->io));
        *m->device->io = *d->io;
        assert_int_equal(classify_block_history(&r), 0);
        assert_int_equal(strv_length(r.warnings), 4);
        assert_string_equal(r.warnings[0], "the EBS volume vol-0abc (" SMU ") spent 1.5 s above "
                                           "its provisioned IOPS since it was attached: it was "
                                           "throttled");
        assert_string_equal(r.warnings[1], "the EBS volume vol-0abc (" SMU ") spent 2.0 s above "
                                           "the instance's EBS throughput limit since it was "
                                           "attached: the instance type limits it, not the "
                                           "volume");
        assert_non_null(strstr(r.warnings[2], "had 40 requests in flight"));
        assert_non_null(strstr(r.warnings[3], "took 150.0 ms per write on average since boot"));
        report_done(&r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rows),
                cmocka_unit_test(test_home_listed_once),
                cmocka_unit_test(test_strings),
                cmocka_unit_test(test_block_history),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
