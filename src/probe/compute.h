/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "core/sysroot.h"

/* SageMaker compute outside Studio: HyperPod nodes, inference containers, the
 * SDK's local mode (landscape-2026 §1.7, §1.10, §1.13, §1.14). */
#define HYPERPOD_RESOURCE_CONFIG "/opt/ml/config/resource_config.json"
#define HYPERPOD_OPT_SAGEMAKER "/opt/sagemaker"
#define HYPERPOD_FSX "/fsx"
#define INFERENCE_MODEL_DIR "/opt/ml/model"
#define PROC_INIT_CMDLINE "/proc/1/cmdline"
#define PROC_HOSTNAME "/proc/sys/kernel/hostname"
#define ETC_HOSTNAME "/etc/hostname"

/* Fills c from the files above, the training job's resourceconfig.json (read
 * only when training_config_seen: sagemaker_probe() has looked for it) and the
 * host name. Missing files are no evidence; an unreadable one is recorded as
 * such (-errno in c->hyperpod_config). Returns 0; does not log. */
int compute_probe(const struct sysroot *root, struct compute_facts *c, bool training_config_seen,
                  char ***warnings);

/* The parsers, for the tests and the fuzzers. */
int compute_parse_hyperpod_config(const char *text, size_t len, struct compute_facts *c);
int compute_parse_training_config(const char *text, size_t len, struct compute_facts *c);
bool compute_cmdline_serves(const char *buf, size_t len);
/* "algo-1-ab3x9": a container name of the SDK's local mode. */
bool compute_is_local_mode_host(const char *h);

/* What a bundle keeps of each (collect): only what the parsers above take.
 * Each returns 0 with a malloc'd *ret (NUL-terminated, *ret_len bytes) or
 * -ENOMEM. */
int compute_reduce_hyperpod_config(const char *in, size_t len, char **ret, size_t *ret_len);
int compute_reduce_training_config(const char *in, size_t len, char **ret, size_t *ret_len);
int compute_reduce_cmdline(const char *in, size_t len, char **ret, size_t *ret_len);
int compute_reduce_hostname(const char *in, size_t len, char **ret, size_t *ret_len);
