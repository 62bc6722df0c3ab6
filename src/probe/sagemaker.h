/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "core/sysroot.h"

/* SageMaker's paths and mount points, named once (studio-facts §1, §2, §3). */
/* Homes: Studio (new) and Classic, a notebook instance, Classic kernel images. */
#define SAGEMAKER_USER_HOME "/home/sagemaker-user"
#define NOTEBOOK_INSTANCE_HOME "/home/ec2-user/SageMaker"
#define ROOT_HOME "/root"
/* Custom EFS and FSx of Studio (new) spaces, under a directory per kind. */
#define CUSTOM_FILE_SYSTEMS "/mnt/custom-file-systems"
#define CUSTOM_FILE_SYSTEMS_EFS CUSTOM_FILE_SYSTEMS "/efs"
#define CUSTOM_FILE_SYSTEMS_FSX_LUSTRE CUSTOM_FILE_SYSTEMS "/fsx_lustre"
#define CUSTOM_FILE_SYSTEMS_S3 CUSTOM_FILE_SYSTEMS "/s3"
/* The same, as seen from the home, and Classic's default EFS. */
#define HOME_CUSTOM_FILE_SYSTEMS_EFS SAGEMAKER_USER_HOME "/custom-file-systems/efs"
#define HOME_CUSTOM_FILE_SYSTEMS_FSX_LUSTRE SAGEMAKER_USER_HOME "/custom-file-systems/fsx_lustre"
#define HOME_USER_DEFAULT_EFS SAGEMAKER_USER_HOME "/user-default-efs"
/* Instance store. */
#define SAGEMAKER_NVME "/mnt/sagemaker-nvme"
/* landscape-2026 §1.2 [D]: a Unified Studio project's folder, S3-backed. */
#define SMUS_PROJECT_FOLDER SAGEMAKER_USER_HOME "/shared"
/* §1.6 [O]: Studio Lab's home, its own block device. */
#define STUDIO_LAB_HOME "/home/studio-lab-user"
/* §1.1 [D]: HOME of a Studio app in recovery mode (the image's
 * SAGEMAKER_RECOVERY_MODE_HOME). */
#define RECOVERY_MODE_HOME "/tmp/sagemaker-recovery-mode-home"
/* SageMaker's reserved directory in Studio apps. */
#define SAGEMAKER_INTERNAL "/opt/.sagemakerinternal"

#define RESOURCE_METADATA "/opt/ml/metadata/resource-metadata.json"
#define NOTEBOOK_INSTANCE_MARKER "/etc/opt/ml/sagemaker-notebook-instance-version.txt"
#define TRAINING_RESOURCECONFIG "/opt/ml/input/config/resourceconfig.json"
#define PROCESSING_JOBCONFIG "/opt/ml/config/processingjobconfig.json"
#define PROCESSING_RESOURCECONFIG "/opt/ml/config/resourceconfig.json"
#define PROC_ENVIRON "/proc/self/environ"

/* Reads the identity files and the environment under the sysroot. Missing
 * files are no evidence; unreadable or invalid ones add a warning. Returns 0
 * or -ENOMEM. Does not log. */
int sagemaker_probe(const struct sysroot *root, struct sagemaker *ret, char ***warnings);

/* Parses resource-metadata.json text into ret; -EBADMSG when it is not a JSON
 * object (warnings say why). For the fuzzer and tests too. */
int sagemaker_parse_metadata(const char *text, size_t len, const char *display,
                             struct sagemaker *ret, char ***warnings);

/* Whether the probe reads the environment variable name[0..len): collect keeps
 * only those in a bundle's proc/self/environ (never credentials). */
bool sagemaker_environ_var_used(const char *name, size_t len);

/* What a support bundle keeps of each file the probe reads here (collect):
 * only what the parser above takes, so that a replay reads the same and the
 * rest (credentials, the job's Environment map, S3 URIs, role ARNs) stays
 * home. A file the parser refuses becomes a stand-in that it refuses in the
 * same way, holding none of the original bytes. Each returns 0 with a
 * malloc'd *ret (NUL-terminated, *ret_len bytes) or -ENOMEM. */
int sagemaker_reduce_environ(const char *in, size_t len, char **ret, size_t *ret_len);
int sagemaker_reduce_metadata(const char *text, size_t len, char **ret, size_t *ret_len);
int sagemaker_reduce_jobconfig(const char *text, size_t len, char **ret, size_t *ret_len);

/* One entry of an environ block (NUL-separated NAME=VALUE, as the kernel
 * keeps it): entry[0..len), eq its first '=' (NULL: none), terminated when a
 * NUL ended it (the last may have none). */
struct environ_entry {
        const char *entry;
        size_t len;
        const char *eq;
        bool terminated;
};
/* The entry of buf[0..len) at *pos, *pos moved past it; false at the end. */
bool sagemaker_environ_next(const char *buf, size_t len, size_t *pos, struct environ_entry *ret);

/* The JSON object text[0..len) holds, or NULL when it holds none (a NUL
 * byte, invalid JSON, another value). The caller frees it with cJSON_Delete. */
struct cJSON *sagemaker_json_object(const char *text, size_t len);

/* Picks the variables the probe uses from a NUL-separated environ block. */
int sagemaker_parse_environ(const char *buf, size_t len, struct sagemaker *ret, char ***warnings);
