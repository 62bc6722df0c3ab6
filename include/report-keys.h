/* SPDX-License-Identifier: MIT */
#pragma once

/* The JSON report's keys that are read back as well as written: the renderers
 * (render/json.c, render/bench.c) write them, --compare (classify/compare.c)
 * reads an earlier report by them, so the two cannot drift apart. The
 * benchmark's workloads are keyed by bench_workload_to_string(). */

/* The report's major version: --compare refuses a report of another one. */
#define SCHEMA_VERSION 1

#define RK_SCHEMA_VERSION "schema_version"
#define RK_TOOL "tool"
#define RK_TOOL_NAME "name"
#define RK_TOOL_VERSION "version"
#define RK_GENERATED_AT "generated_at"
#define RK_ENVIRONMENT "environment"
#define RK_HOME "home"
#define RK_RESOLVED_PATH "resolved_path"
#define RK_MOUNTPOINT "mountpoint"
#define RK_FSTYPE "fstype"
#define RK_SOURCE "source"
#define RK_OPTIONS "options"
#define RK_STORAGE "storage"
#define RK_SIZE_BYTES "size_bytes"
#define RK_FREE_BYTES "free_bytes"
#define RK_BENCHMARK "benchmark"
#define RK_BENCH_PATH "path"
#define RK_BYTES_PER_SECOND "bytes_per_second"
#define RK_LATENCY_NS "latency_ns"
#define RK_P50 "p50"
#define RK_P99 "p99"
#define RK_METADATA "metadata"
