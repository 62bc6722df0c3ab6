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
        OPT_NOHEADINGS,
        OPT_OUTPUT_FILE,
        OPT_QUIET,
        OPT_ID,
        OPT_EXPECT,
        OPT_COLOR,
        OPT_SYSROOT,
        OPT_TIMEOUT,
        OPT_BENCH,
        OPT_BENCH_TIME,
        OPT_BENCH_SIZE,
        OPT_COMPARE,
        OPT_REDACT,
        OPT_LIST,
        OPT_HELP,
        OPT_VERSION,
        _OPT_MAX,
};

/* What an option's argument is, for the shell completions (gen-man). */
enum arg_kind {
        ARG_NONE,     /* takes no argument */
        ARG_FILE,     /* a path: files and directories */
        ARG_DIR,      /* a directory */
        ARG_NUMBER,   /* a number: nothing to complete */
        ARG_WORD,     /* one word of arg_words() */
        ARG_WORDLIST, /* a comma list of arg_words() */
};

/* One row per option: getopt_long, --help, the man page and the bash, zsh and
 * fish completions all read this. */
struct option_def {
        enum option_id id;
        const char *long_name;
        char short_name;      /* 0: long only */
        const char *arg_name; /* NULL: takes no argument */
        const char *help;     /* one line for --help */
        const char *man;      /* the man page's paragraph (roff-free text) */
        enum arg_kind arg_kind;
};

extern const struct option_def option_table[];
extern const size_t option_table_len;

/* The words an ARG_WORD or ARG_WORDLIST option accepts, in order; NULL
 * after the last (i = 0, 1, ...). */
const char *option_arg_word(enum option_id id, size_t i);

/* -o/--output's columns: one row, the inspected path (findmnt's and lsblk's
 * -o). Names, headers and help live here, beside the option that selects them;
 * render/fields.c prints them. */
enum field_id {
        FIELD_ENVIRONMENT,
        FIELD_CONFIDENCE,
        FIELD_PATH,
        FIELD_RESOLVED,
        FIELD_TARGET,
        FIELD_SOURCE,
        FIELD_FSTYPE,
        FIELD_OPTIONS,
        FIELD_STORAGE,
        FIELD_EPHEMERAL,
        FIELD_SIZE,
        FIELD_AVAIL,
        FIELD_USED,
        FIELD_USE_PERCENT,
        FIELD_DEVICE,
        FIELD_VOLUME,
        _FIELD_MAX,
        _FIELD_INVALID = -EINVAL,
};

struct field_def {
        const char *name; /* as -o takes it and the heading shows it */
        const char *help;
};
extern const struct field_def field_table[_FIELD_MAX];
/* Case-insensitive, as findmnt and lsblk. */
enum field_id field_from_string(const char *s, size_t len);

#define FIELDS_MAX 32 /* columns in one -o list (a bound on input) */
#define FIELDS_DEFAULT "ENVIRONMENT,STORAGE,TARGET,FSTYPE,SIZE,AVAIL,USE%"

enum color_mode {
        COLOR_AUTO,
        COLOR_ALWAYS,
        COLOR_NEVER,
        _COLOR_MAX,
        _COLOR_INVALID = -EINVAL,
};

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
        const char *output;               /* --output-file=FILE: written atomically; NULL: stdout */
        enum field_id fields[FIELDS_MAX]; /* -o LIST, or -n alone: FIELDS_DEFAULT */
        size_t n_fields;                  /* 0: the report, not a table */
        bool noheadings;
        bool quiet;      /* print nothing; the exit status says SageMaker or not */
        bool id;         /* print the environment id only */
        unsigned expect; /* bit per enum environment; 0: not asked */
        enum color_mode color;
        const char *sysroot; /* NULL: live */
        uint64_t timeout_ns;
        bool bench;
        uint64_t bench_time_ns; /* total budget of --bench */
        uint64_t bench_size;    /* bytes; 0: default (256 MiB capped at 5% of free space) */
        const char *collect;    /* `collect DEST`: a support bundle; NULL: a report */
        bool redact;
        const char *compare; /* --compare=REPORT.json: an earlier report; NULL: none */
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
/* width: the terminal's columns, 0 for the default of 80. */
void options_print_help(FILE *f, const char *prog, unsigned width);
void options_print_list(FILE *f);
