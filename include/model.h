/* SPDX-License-Identifier: MIT */
#pragma once

/* The report model: plain data, no library handles. Probes fill it, classify
 * reads and annotates it, renderers print it. Unknown strings are NULL and
 * unknown numbers U64_UNSET; both render as JSON null. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/macro.h"
#include "model-bench.h"

enum environment {
        ENV_STUDIO_NEW,
        ENV_STUDIO_CLASSIC,
        ENV_NOTEBOOK_INSTANCE,
        ENV_TRAINING_JOB,
        ENV_PROCESSING_JOB,
        /* compute outside Studio (landscape §1.7, §1.10, §1.13, §1.14) */
        ENV_HYPERPOD,
        ENV_ENDPOINT,
        ENV_TRANSFORM_JOB,
        ENV_LOCAL_MODE,
        /* the interactive places beyond Studio (landscape-2026 §1.2, §1.4, §1.6) */
        ENV_UNIFIED_STUDIO,
        ENV_RSTUDIO,
        ENV_STUDIO_LAB,
        ENV_NONE,
        ENV_UNKNOWN,
        _ENV_MAX,
        _ENV_INVALID = -EINVAL,
};

enum confidence {
        CONFIDENCE_HIGH,
        CONFIDENCE_MEDIUM,
        CONFIDENCE_LOW,
        _CONFIDENCE_MAX,
        _CONFIDENCE_INVALID = -EINVAL,
};

enum storage_kind {
        STORAGE_EBS,
        STORAGE_EFS,
        STORAGE_INSTANCE_STORE,
        STORAGE_FSX_LUSTRE,
        STORAGE_NFS,
        STORAGE_S3,
        STORAGE_LOCAL,
        STORAGE_OVERLAY,
        STORAGE_TMPFS,
        STORAGE_UNKNOWN,
        _STORAGE_MAX,
        _STORAGE_INVALID = -EINVAL,
};

const char *environment_to_string(enum environment e);
enum environment environment_from_string(const char *s);
/* "Studio (new)", "Studio Classic", ... for the human report. */
const char *environment_to_title(enum environment e);
const char *confidence_to_string(enum confidence c);
const char *storage_kind_to_string(enum storage_kind k);
const char *storage_kind_to_title(enum storage_kind k);

/* A block device's I/O since boot, from /sys/block/DEV/stat (the partition's
 * when the mount is on one; Documentation/block/stat.rst), as iostat -x reads
 * it. Raw counters; means are computed where they are shown. */
struct block_io {
        uint64_t since_boot_seconds; /* /proc/uptime, U64_UNSET unknown */
        uint64_t reads, read_merges, read_sectors, read_ms;
        uint64_t writes, write_merges, write_sectors, write_ms;
        uint64_t in_flight, io_ms, queue_ms;
};

/* EBS detailed performance statistics: the NVMe log page 0xD0 of an EBS
 * controller (the layout amazon-cloudwatch-agent reads). Times in us. */
struct ebs_stats {
        uint64_t read_ops, write_ops, read_bytes, write_bytes;
        uint64_t read_time_us, write_time_us;
        uint64_t exceeded_iops_us; /* ebs_volume_performance_exceeded_iops */
        uint64_t exceeded_tp_us;   /* ebs_volume_performance_exceeded_tp */
        uint64_t ec2_exceeded_iops_us, ec2_exceeded_tp_us;
        uint64_t queue_length;
        bool from_capture; /* read from a captured page in the sysroot, not by ioctl */
};

struct block_device {
        char *name;            /* whole disk, "nvme1n1" */
        char *partition;       /* "nvme0n1p1" when the mount is on a partition */
        char *model;           /* trimmed */
        bool model_unreadable; /* the attribute exists but is empty or garbled */
        char *serial;          /* trimmed */
        char *ebs_volume_id;   /* "vol-0abc..." from an EBS serial */
        char *sysfs_path;      /* the whole disk's directory, "/sys/devices/vbd-51792/block/xvdf" */
        int rotational;        /* -1 unknown */
        uint64_t size_bytes;   /* of the partition when there is one */
        /* libblkid; only where the device node is readable (live) or the snapshot has them */
        char *fs_type;
        char *uuid;
        char *label;
        struct block_io *io;   /* NULL: stat unreadable */
        struct ebs_stats *ebs; /* NULL: not read; ebs_error says why when it is EBS */
        char *ebs_error;       /* one line: why the statistics could not be read */
};

/* One operation of an NFS mount's RPC history, a per-op line of
 * /proc/self/mountstats: cumulative counters since mount, times in ms, as
 * nfs-utils' mountstats and nfsiostat read them. */
struct nfs_rpc_op {
        char *op; /* "READ", "GETATTR", ... */
        uint64_t count, transmissions, major_timeouts;
        uint64_t bytes_sent, bytes_received;
        uint64_t queue_ms, rtt_ms, execute_ms;
        uint64_t errors; /* U64_UNSET: the kernel does not count them (before 5.3) */
};

struct nfs_rpc {
        uint64_t age_seconds;     /* "age:" */
        uint64_t retransmissions; /* sum of transmissions - count */
        uint64_t timeouts;        /* sum of major timeouts */
        uint64_t xprt_connects;   /* "xprt:" connect count; reconnects = connects - 1 */
        uint64_t xprt_backlog;    /* cumulative backlog queue length (U64_UNSET unknown) */
        uint64_t xprt_sends;
        uint64_t xprts;         /* "xprt:" lines counted (one per transport, nconnect) */
        struct nfs_rpc_op *ops; /* in the file's order, ops with count 0 left out */
        size_t n_ops;
};

struct nfs_info {
        char *server;
        char *export;
        char *version; /* "4.1" from vers= */
        char *efs_filesystem_id;
        char *efs_access_point_id;
        char *region;
        bool efs_utils;       /* mounted through efs-utils' local TLS/proxy port */
        bool domain_home_efs; /* classify: the domain's home EFS, auto-mounted in a private space */
        /* classify: the options against EFS's advice */
        bool options_ok;
        char **warnings;
        struct nfs_rpc *rpc; /* NULL: mountstats had no entry for this mount */
};

/* FSx for Lustre (probe/nfs.c) */
struct fsx_info {
        char *server;        /* the NIDs, "10.1.53.46@tcp" */
        char *mount_name;    /* "ylacfb4v": the file system's Lustre name */
        char *subdirectory;  /* "/alice" when a directory of it is mounted */
        char *filesystem_id; /* "fs-0123...", from an FSx DNS name or SageMaker's mount point */
        char *region;        /* from an FSx DNS name */
};

struct storage {
        char *path;          /* as given */
        char *resolved_path; /* symlinks resolved, inside the sysroot */
        int mount_id;        /* -1 when no mount was found */
        char *mountpoint;
        char *fs_root; /* the mount's root within its file system (bind mounts) */
        char *fstype;
        char *source;
        char *options;    /* VFS and super-block options, as findmnt's OPTIONS */
        char *fs_options; /* super-block options alone: where NFS keeps vers=, rsize= */
        unsigned dev_major, dev_minor;
        enum storage_kind kind;
        bool ephemeral;    /* instance store: wiped when the app restarts */
        uint64_t fs_magic; /* statfs f_type, U64_UNSET when unknown */
        uint64_t size_bytes;
        uint64_t free_bytes; /* f_bavail: what an unprivileged user can still write */
        struct block_device *device;
        struct nfs_info *nfs;
        struct fsx_info *fsx;
        /* classify: the plain-words answer from the passive history (NFS
         * per-op times, device times), NULL when there are no figures */
        char *summary;
        char *error; /* why a fact is missing ("did not answer within 5 s") */
};

struct sagemaker {
        bool metadata_present; /* resource-metadata.json exists and parsed */
        char *app_type;
        char *domain_id;
        char *space_name;
        char *user_profile_name;
        char *resource_arn;
        char *resource_name;
        char *app_image_version;
        /* Studio (new) spaces: no UserProfileName (landscape §1.1, §2 [O]); these instead */
        char *resource_arn_case_sensitive;
        char *ip_address_type; /* "ipv4", "dualstack" */
        char *region;
        char *region_source; /* which variable or field region came from */
        /* environment of the process (or the snapshot's proc/self/environ) */
        char *env_app_type;
        char *env_space_name;
        char *env_space_type;
        char *env_training_job_name;
        char *processing_job_name; /* processingjobconfig.json */
        char *processing_job_arn;
        char *home_env;
        bool environ_present;   /* the environment could be read (a snapshot may lack it) */
        char *user_default_efs; /* where ~/user-default-efs leads, as the link says */
        /* marker files */
        char *notebook_instance_version;
        bool training_resourceconfig;
        bool processing_jobconfig;
        bool processing_resourceconfig;
        bool sagemakerinternal; /* /opt/.sagemakerinternal exists */
        /* compute outside Studio (probe/compute.c) */
        struct compute_facts {
                int hyperpod_config;         /* resource_config.json: 0 absent, 1 parsed, -errno */
                bool hyperpod_config_groups; /* it has InstanceGroups */
                char *instance_group;        /* this node's group, when found */
                char *node_name;             /* this node's InstanceName */
                bool opt_sagemaker;          /* /opt/sagemaker exists */
                bool opt_ml_model;           /* /opt/ml/model exists */
                bool serve;                  /* PID 1 runs "serve" (the inference contract) */
                char *env_batch;             /* SAGEMAKER_BATCH */
                char *env_bind_to_port;      /* SAGEMAKER_BIND_TO_PORT */
                char *env_safe_port_range;   /* SAGEMAKER_SAFE_PORT_RANGE */
                char *training_current_host; /* resourceconfig.json current_host */
                bool training_hosts_local;   /* every host is algo-N-XXXXX */
                bool training_network_interface; /* network_interface_name present */
                bool training_parsed;            /* resourceconfig.json is an object */
                char *hostname;
        } compute;
        /* Unified Studio: resource-metadata.json's AdditionalMetadata, and the
         * variables of the interactive apps (landscape-2026 §1.1, §1.2, §1.8) */
        char *datazone_domain_id;
        char *datazone_project_id;
        char *project_shared_directory;
        char *env_service_name;
        char *env_sm_app_type;           /* the announced new name of SAGEMAKER_APP_TYPE */
        char *env_internal_image_uri;    /* SAGEMAKER_INTERNAL_IMAGE_URI */
        char *env_sm_internal_image_uri; /* its announced new name */
        char *env_recovery_mode;         /* SAGEMAKER_RECOVERY_MODE */
        char *env_input_notebook_name;   /* notebook jobs */
        char *env_kernel_name;
        char *env_job_def_version;
};

struct evidence {
        char *source;
        char *detail;
        enum environment points_to; /* _ENV_INVALID: says nothing about the environment */
};

struct report {
        enum environment environment;
        enum confidence confidence;
        struct evidence *evidence;
        size_t n_evidence;
        struct storage home;    /* the inspected path */
        bool path_given;        /* home is the path asked for, not a home found by default */
        struct storage *mounts; /* other storage of interest, by mount id */
        size_t n_mounts;
        struct sagemaker sagemaker;
        char **warnings;
        bool timed_out;             /* a file system did not answer: exit 3 with what is known */
        char *hypervisor;           /* /sys/hypervisor/type ("xen"), NULL when absent */
        bool recovery_mode;         /* classify: a Studio app started in recovery mode */
        const char *job_kind;       /* classify: "notebook-job" for a training job, or NULL */
        struct bench_result *bench; /* --bench (model-bench.h), NULL when not asked */
        /* --compare and collect --bench (support) */
        uint64_t generated_at;         /* Unix seconds the facts were gathered, 0 unknown */
        struct comparison *comparison; /* --compare=REPORT.json, NULL when not asked */
};

/* --compare: what changed since an earlier report of the same path
 * (classify/compare.c), each change a figure, its values and a sentence. */
struct comparison_change {
        char *figure; /* the report key it compares: "benchmark.sync_write_4k.latency_ns.p99" */
        bool numeric; /* before/after are integers (bytes, ns, bytes/s), else strings */
        uint64_t before_n, after_n;
        char *before_s, *after_s; /* NULL: null in the report */
        double ratio;             /* after / before, NAN when it is no ratio */
        char *sentence;
};

struct comparison {
        char *against_path;  /* the earlier report's resolved path */
        uint64_t against_at; /* its generated_at, 0 unknown */
        char *against_tool_version;
        bool against_bench; /* it had a benchmark */
        struct comparison_change *changes;
        size_t n_changes;
};

struct comparison *comparison_free(struct comparison *c);

void storage_init(struct storage *s);
void storage_done(struct storage *s);
struct block_device *block_device_free(struct block_device *d);
struct nfs_info *nfs_info_free(struct nfs_info *n);
struct nfs_rpc *nfs_rpc_free(struct nfs_rpc *r);
/* The op named op ("CREATE"), or NULL. */
const struct nfs_rpc_op *nfs_rpc_find(const struct nfs_rpc *r, const char *op);
/* A per-op mean as mountstats computes it (total_ms / count), in ns;
 * U64_UNSET when count is 0. */
uint64_t nfs_rpc_mean_ns(uint64_t total_ms, uint64_t count);
/* Reconnects of the transports (connects beyond the first of each), U64_UNSET unknown. */
uint64_t nfs_rpc_reconnects(const struct nfs_rpc *r);
struct fsx_info *fsx_info_free(struct fsx_info *x);
void sagemaker_done(struct sagemaker *s);
/* The app type: the metadata's, else SAGEMAKER_APP_TYPE, else its announced
 * new name SM_APP_TYPE (landscape-2026 §2); NULL when none says. */
const char *sagemaker_app_type(const struct sagemaker *s);

void report_init(struct report *r);
void report_done(struct report *r);

int report_add_evidence(struct report *r, const char *source, enum environment points_to,
                        const char *fmt, ...) _printf_(4, 5);
int report_add_warning(struct report *r, const char *fmt, ...) _printf_(2, 3);
/* Returns a new zeroed, initialised entry, or NULL on OOM. */
struct storage *report_add_mount(struct report *r);

/* Every storage of r, the home first (s == &r->home), then the other mounts
 * in their order; s is const when r is. */
#define report_for_each_storage(s, r)                                                              \
        for (size_t _si = 0;                                                                       \
             _si <= (r)->n_mounts && ((s) = _si == 0 ? &(r)->home : &(r)->mounts[_si - 1], 1);     \
             _si++)
