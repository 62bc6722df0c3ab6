/* SPDX-License-Identifier: MIT */
#pragma once

/* The one codec of a snapshot's .studio-probe/facts.json: what a run learnt
 * that is no file (statfs of a path, blkid of a device), written by collect
 * and read by --sysroot. {"statfs": {PATH: {"type", "size_bytes",
 * "free_bytes"}}, "blkid": {DEVICE: {"type", "uuid", "label"}}}: the home under
 * its resolved path, every other storage under its mount point, a device
 * under probe_device_node(). Integers are exact: a JSON number up to 2^53, a
 * decimal string beyond (cJSON keeps numbers as doubles, which round past
 * 2^53: EFS reports 8 EiB); unknown ones are left out. "home_env": the
 * run's $HOME, for a replay whose snapshot has no environ. "collected_at":
 * when the run gathered them (ISO 8601, UTC). "bench" (collect --bench): the
 * benchmark's measurement as struct bench_measure holds it, with the path,
 * the clocksource and "ran_at", replayed as recorded. */

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "core/sysroot.h"

/* Where a snapshot keeps the facts that are not files (studio-probe collect
 * writes it; --sysroot reads it). */
#define SNAPSHOT_FACTS "/.studio-probe/facts.json"

/* The document of a finished run's report, malloc'd; NULL on -ENOMEM. */
char *facts_write(const struct report *r);

/* The document in text, or NULL when it is no JSON object. */
cJSON *facts_parse(const char *text, size_t len);
/* The snapshot's document, in replay only: NULL live, when the file is
 * missing, or when it cannot be read or parsed (adding a warning "..., ignoring"). */
cJSON *facts_load(const struct sysroot *root, char ***warnings);

/* Sets what facts holds of path (statfs) or the device node (blkid); what it
 * does not hold, or holds in another shape, is left as it was. */
void facts_statfs(const cJSON *facts, const char *path, struct storage *s);
void facts_blkid(const cJSON *facts, const char *node, struct block_device *d);

/* The "home_env" of facts (an absolute path, malloc'd), NULL when it has none. */
char *facts_home(const cJSON *facts);

/* The "collected_at" of facts in Unix seconds, 0 when it has none. */
uint64_t facts_collected_at(const cJSON *facts);
/* The recorded benchmark of facts (*ret stays NULL when it has none). A
 * "bench" that is there but not as facts_write() writes it (a field missing,
 * of another type, out of its range) is ignored, with a warning naming the
 * field. Returns 0 or -ENOMEM. */
int facts_bench(const cJSON *facts, const char *display, struct bench_result **ret,
                char ***warnings);
/* Replay: the run's time and its recorded benchmark from facts (NULL: none)
 * into r. Returns 0 or -ENOMEM. */
int facts_replay_run(const struct sysroot *root, const cJSON *facts, struct report *r);
