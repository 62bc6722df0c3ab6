/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

enum option_id {
        OPT_PATH,
        OPT_JSON,
        OPT_FORMAT,
        OPT_OUTPUT,
        OPT_QUIET,
        OPT_EXPECT,
        OPT_SYSROOT,
        OPT_TIMEOUT,
        OPT_BENCH,
        OPT_BENCH_TIME,
        OPT_BENCH_SIZE,
        OPT_REDACT,
        OPT_LIST,
        OPT_HELP,
        OPT_VERSION,
        _OPT_MAX,
};

/* One row per option: getopt_long, --help and the man page all read this. */
struct option_def {
        enum option_id id;
        const char *long_name;
        char short_name;      /* 0: long only */
        const char *arg_name; /* NULL: takes no argument */
        const char *help;     /* one line for --help */
        const char *man;      /* the man page's paragraph (roff-free text) */
};

extern const struct option_def option_table[];
extern const size_t option_table_len;

struct exit_status_def {
        int code;
        const char *meaning;
};
extern const struct exit_status_def exit_status_table[];
extern const size_t exit_status_table_len;

/* --format; --json is the short form of --format=json. */
enum output_format {
        FORMAT_HUMAN,
        FORMAT_JSON,
        FORMAT_EMF,
        FORMAT_PROMETHEUS,
        _FORMAT_MAX,
        _FORMAT_INVALID = -EINVAL,
};
const char *output_format_to_string(enum output_format f);
enum output_format output_format_from_string(const char *s);

enum action {
        ACTION_RUN,
        ACTION_HELP,
        ACTION_VERSION,
        ACTION_LIST,
};

struct options {
        enum action action;
        const char *path; /* NULL: the default list */
        enum output_format format;
        const char *output; /* --output=FILE: written atomically; NULL: stdout */
        bool quiet;
        enum environment expect; /* _ENV_INVALID: not asked */
        const char *sysroot;     /* NULL: live */
        uint64_t timeout_ns;
        bool bench;
        uint64_t bench_time_ns; /* total budget of --bench */
        uint64_t bench_size;    /* bytes; 0: default (256 MiB capped at 5% of free space) */
        const char *collect;    /* `collect DEST`: a support bundle; NULL: a report */
        bool redact;
};

#define DEFAULT_TIMEOUT_NS (5 * NSEC_PER_SEC)
#define MAX_TIMEOUT_NS (3600 * NSEC_PER_SEC)
/* What --bench-time and --bench-size accept; the benchmark's plan
 * (src/bench/plan.c) starts from the same default size. */
#define BENCH_DEFAULT_BUDGET_NS (10 * NSEC_PER_SEC)
#define BENCH_MIN_BUDGET_NS (NSEC_PER_SEC / 5)
#define BENCH_MAX_BUDGET_NS (600 * NSEC_PER_SEC)
#define BENCH_DEFAULT_SIZE (UINT64_C(256) << 20)
#define BENCH_MIN_SIZE (UINT64_C(1) << 20)
#define BENCH_MAX_SIZE (UINT64_C(1) << 40)

/* Returns 0, or -EINVAL with a one-line reason in err (no program name, no
 * newline). Prints nothing: only main speaks. */
int options_parse(int argc, char *argv[], struct options *ret, char *err, size_t errlen);
void options_print_help(FILE *f, const char *prog);
void options_print_list(FILE *f);
