/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "exit-status.h"
#include "options.h"
#include "core/strutil.h"

const struct option_def option_table[] = {
        { OPT_PATH, "path", 'p', "PATH", "inspect PATH (default: the SageMaker home, else $HOME)",
          "Inspect the storage that holds PATH. Symbolic links are resolved first, so "
          "~/user-default-efs is reported as the EFS file system it points to. Without this "
          "option the first that exists of /home/sagemaker-user, /home/ec2-user/SageMaker and "
          "$HOME is used. A path that cannot be resolved (missing, a symlink loop) is a failure. "
          "A relative PATH is taken from the current directory, and is a failure when that was "
          "deleted or its name is longer than PATH_MAX; under --sysroot, from DIR.",
          ARG_FILE },
        { OPT_JSON, "json", 'j', NULL, "print one JSON object instead of the report",
          "Print the report as one JSON object: snake_case keys in a stable order, sizes in "
          "bytes and times in nanoseconds as integers, and null for every fact that is not "
          "known. The same as --format=json.",
          ARG_NONE },
        { OPT_FORMAT, "format", 0, "FORMAT", "human, json, emf or prometheus (default: human)",
          "Choose the output: human (the default, a report for people), json (as --json), emf "
          "(one CloudWatch Embedded Metric Format object on one line, namespace StudioProbe: "
          "printed by a lifecycle script it becomes CloudWatch metrics with no agent) or "
          "prometheus (node_exporter textfile-collector text with base units).",
          ARG_WORD },
        { OPT_OUTPUT, "output", 'o', "LIST", "print only these columns (see Columns)",
          "Print a table of the columns in LIST (a comma-separated list, names in any case) "
          "instead of the report, as findmnt and lsblk do: one row, for the inspected path, "
          "after a line of headings. Sizes are integers in bytes. A fact that is not known is "
          "an empty cell. The columns are listed under COLUMNS below and by --help. An unknown "
          "name is a usage error (exit status 2): --output no longer names a file, see "
          "--output-file. Not with --json, --format, --quiet or --id.",
          ARG_WORDLIST },
        { OPT_NOHEADINGS, "noheadings", 'n', NULL, "print the -o table without headings",
          "Do not print the line of headings of the --output table; without --output, the "
          "columns " FIELDS_DEFAULT ". For scripts: studio-probe -no STORAGE prints one "
          "word.",
          ARG_NONE },
        { OPT_OUTPUT_FILE, "output-file", 0, "FILE", "write the output to FILE atomically",
          "Write the output to FILE instead of standard output. A regular file, or a new one, "
          "is written into a temporary file in the same directory first and renamed over FILE "
          "once complete, so a reader such as the node_exporter textfile collector never sees "
          "half a file; a replaced file keeps its owner and permissions (not set-id bits, ACLs "
          "or extended attributes). A character device, FIFO or socket (/dev/null, a pipe a "
          "collector reads) is written in place and never replaced. A symbolic link is "
          "followed, never replaced: its target is written by the same rules, and "
          "/dev/stdout, /dev/stderr and /dev/fd/N write that descriptor. A directory, a block "
          "device and a symbolic link to a missing file are refused. --timeout bounds the "
          "writing too, on its own: a FIFO nobody opens, a reader that stops reading or a "
          "file system that does not answer end the run with exit status 3. It has no short "
          "form: -o selects columns, as in findmnt and lsblk.",
          ARG_FILE },
        { OPT_QUIET, "quiet", 'q', NULL, "print nothing; exit 0 in SageMaker, 1 if not",
          "Print nothing on standard output, and answer with the exit status whether this is "
          "SageMaker at all, as systemd-detect-virt --quiet: 0 for every environment but "
          "none, 1 for none. With --expect, its answer instead. Errors still go to standard "
          "error; the report's warnings do not.",
          ARG_NONE },
        { OPT_ID, "id", 0, NULL, "print only the environment id",
          "Print only the environment id, one word (see --list), on standard output. Warnings "
          "go to standard error.",
          ARG_NONE },
        { OPT_EXPECT, "expect", 0, "ENVS", "exit 0 if the environment is one of ENVS, else 1",
          "Exit with 0 when the environment is one of ENVS, a comma-separated list of the ids "
          "that --list prints (--expect=studio-new,studio-classic), and with 1 when it is "
          "another one; then standard error says which environment was found.",
          ARG_WORDLIST },
        { OPT_COLOR, "color", 0, "WHEN", "colour the report: auto, always or never",
          "Colour the human report: auto (the default: when standard output is a terminal, "
          "TERM is not dumb and NO_COLOR is empty or unset), always or never.",
          ARG_WORD },
        { OPT_SYSROOT, "sysroot", 0, "DIR", "read every host file under DIR (replay a snapshot)",
          "Read every file the probe reads under DIR instead of /, resolving paths inside DIR as "
          "chroot would. Facts that are not files (statfs, blkid) come from "
          "DIR/.studio-probe/facts.json when the snapshot has them, and are null otherwise.",
          ARG_DIR },
        { OPT_TIMEOUT, "timeout", 0, "SECONDS",
          "give up on a file system that does not answer (default 5)",
          "Give up on file systems that do not answer within SECONDS (a decimal number, default "
          "5). The report then says which mount did not answer, keeps what is known, and the "
          "exit status is 3.",
          ARG_NUMBER },
        { OPT_BENCH, "bench", 0, NULL, "also measure the path's storage (like fio, safely)",
          "Also benchmark the file system of the inspected path, queue depth 1, one workload "
          "after another: sequential 1 MiB writes then reads of a fresh file (O_DIRECT where "
          "the file system supports it; the final fdatasync counted), random 4 KiB reads, "
          "random 4 KiB O_DSYNC writes, and create, stat and unlink of small files. Everything "
          "happens in a private directory made inside the path and removed afterwards, also "
          "on error and on SIGINT, SIGTERM and SIGHUP; the first Ctrl-C stops the run, prints "
          "what was measured and exits 130 (a SIGINT or SIGHUP ignored when it started, as "
          "under nohup, stays ignored). A run killed outright (SIGKILL) leaves it "
          "behind: the next --bench in the same directory removes it once it can prove that "
          "run dead. Not allowed with --sysroot. With collect, the bundle also holds the "
          "measurement, which --sysroot then shows as recorded (when, and on which path).",
          ARG_NONE },
        { OPT_BENCH_TIME, "bench-time", 0, "SECONDS", "total time of --bench (default 10)",
          "The whole command, the inspection before the benchmark and the cleanup after it "
          "included, takes at most SECONDS (default 10, from 0.2 to 600), with a margin of "
          "10% or 0.3 s, whichever is more. What is left after the inspection is split "
          "between the workloads, and time a sequential pass does not need goes to the next; "
          "the report says where the time went. On a terminal, stderr shows the running "
          "workload, its rate and the time left.",
          ARG_NUMBER },
        { OPT_BENCH_SIZE, "bench-size", 0, "SIZE",
          "size of --bench's test file (default 256M, at most 5% of free space)",
          "Size of the file --bench writes and reads: a number of bytes with an optional K, M, "
          "G or T suffix (powers of 1024), from 1M to 1T, rounded down to whole MiB, and at "
          "most half of the free space. By default 256 MiB, capped at 5% of the free space; "
          "when that is under 16 MiB the benchmark is refused.",
          ARG_NUMBER },
        { OPT_COMPARE, "compare", 0, "REPORT.json",
          "say what changed since an earlier --json report",
          "Set this run against REPORT.json, an earlier studio-probe --json report of the same "
          "path (with or without --bench), and say what changed in plain words: the storage, "
          "its mount, options, size and free space, the environment and, when both have a "
          "benchmark, each figure that is 1.5 times better or worse (a smaller change is "
          "within what two runs on the same storage differ by). JSON: the comparison object. "
          "A file that is not a regular file of at most 4 MiB, not a report, of another "
          "schema_version or of another path is refused (exit status 2). Only with the human "
          "report and --json.",
          ARG_FILE },
        { OPT_REDACT, "redact", 0, NULL,
          "collect: replace account ids, ARNs' names, domain, user and space names",
          "With collect: replace, in every file, file name and symlink target of the bundle, "
          "account ids, DomainId, UserProfileName, SpaceName, ResourceName, job names, the "
          "names in ARNs, private addresses and the servers of mount sources by placeholders "
          "(111111111111, d-domain-1, user-1, space-1, resource-1, job-1, 192.0.2.1, "
          "host-1.invalid), whole values only and the same value by the same placeholder; EFS "
          "and EBS ids stay. A bundle that would not replay to the same verdict is removed "
          "(exit status 3).",
          ARG_NONE },
        { OPT_LIST, "list", 0, NULL, "list the environment ids and exit",
          "Print the environment ids, one a line, and exit.", ARG_NONE },
        { OPT_HELP, "help", 'h', NULL, "show this help and exit", "Show the help and exit.",
          ARG_NONE },
        { OPT_VERSION, "version", 'V', NULL, "show the version and exit",
          "Show the version and exit.", ARG_NONE },
};
const size_t option_table_len = ARRAY_SIZE(option_table);

const struct exit_status_def exit_status_table[] = {
        { EXIT_OK, "done (with --expect: the environment is one of those; with --quiet: this is "
                   "SageMaker)" },
        { EXIT_EXPECT_FAILED,
          "--expect: the environment is another one; --quiet: not SageMaker (none)" },
        { EXIT_USAGE,
          "usage error, a collect destination that exists, is not empty or that others "
          "could write into, or a --compare file that is not a report of the same path" },
        { EXIT_FAILURE_RUN,
          "failure: the mount table or the path could not be read, a file system did not "
          "answer in time, the output could not be written, or a bundle could not be made "
          "safely (nothing is left of it)" },
        { EXIT_INTERRUPTED,
          "--bench was stopped by SIGINT, SIGTERM or SIGHUP; its files were removed and what it "
          "measured was printed" },
};
const size_t exit_status_table_len = ARRAY_SIZE(exit_status_table);

const struct field_def field_table[_FIELD_MAX] = {
        [FIELD_ENVIRONMENT] = { "ENVIRONMENT", "environment id (as --id and --list)" },
        [FIELD_CONFIDENCE] = { "CONFIDENCE", "confidence of the environment: high, medium, low" },
        [FIELD_PATH] = { "PATH", "the inspected path, as given" },
        [FIELD_RESOLVED] = { "RESOLVED", "the path with symbolic links resolved" },
        [FIELD_TARGET] = { "TARGET", "mount point of the path's file system" },
        [FIELD_SOURCE] = { "SOURCE", "source of the mount (device, server:/export)" },
        [FIELD_FSTYPE] = { "FSTYPE", "file system type" },
        [FIELD_OPTIONS] = { "OPTIONS", "mount options" },
        [FIELD_STORAGE] = { "STORAGE", "storage id: ebs, efs, instance-store, fsx-lustre, ..." },
        [FIELD_EPHEMERAL] = { "EPHEMERAL", "yes when the storage is wiped on restart, else no" },
        [FIELD_SIZE] = { "SIZE", "file system size in bytes" },
        [FIELD_AVAIL] = { "AVAIL", "bytes an unprivileged user can still write" },
        [FIELD_USED] = { "USED", "bytes used (SIZE minus the free bytes)" },
        [FIELD_USE_PERCENT] = { "USE%", "USED as a percentage of SIZE, as df" },
        [FIELD_DEVICE] = { "DEVICE", "block device (/dev/nvme1n1p1)" },
        [FIELD_VOLUME] = { "VOLUME", "EBS volume id or EFS file system id" },
};

enum field_id field_from_string(const char *s, size_t len)
{
        for (int i = 0; i < _FIELD_MAX; i++)
                if (strlen(field_table[i].name) == len &&
                    strncasecmp(s, field_table[i].name, len) == 0)
                        return i;
        return _FIELD_INVALID;
}

static const char *const color_names[_COLOR_MAX] = {
        [COLOR_AUTO] = "auto",
        [COLOR_ALWAYS] = "always",
        [COLOR_NEVER] = "never",
};

static const char *const format_names[_FORMAT_MAX] = {
        [FORMAT_HUMAN] = "human",
        [FORMAT_JSON] = "json",
        [FORMAT_EMF] = "emf",
        [FORMAT_PROMETHEUS] = "prometheus",
};

const char *output_format_to_string(enum output_format f)
{
        return f >= 0 && f < _FORMAT_MAX ? format_names[f] : NULL;
}

enum output_format output_format_from_string(const char *s)
{
        for (int f = 0; s && f < _FORMAT_MAX; f++)
                if (strcmp(s, format_names[f]) == 0)
                        return f;
        return _FORMAT_INVALID;
}

const char *option_arg_word(enum option_id id, size_t i)
{
        switch (id) {
        case OPT_OUTPUT:
                return i < _FIELD_MAX ? field_table[i].name : NULL;
        case OPT_EXPECT:
                return i < _ENV_MAX ? environment_to_string((enum environment)i) : NULL;
        case OPT_FORMAT:
                return i < _FORMAT_MAX ? format_names[i] : NULL;
        case OPT_COLOR:
                return i < _COLOR_MAX ? color_names[i] : NULL;
        default:
                return NULL;
        }
}

/* The items of a comma list, one a call: returns the next one's start and
 * sets *ret_len, or NULL after the last ("a,,b" has an empty item). */
static const char *list_next(const char **cursor, size_t *ret_len)
{
        const char *s = *cursor;

        if (!s)
                return NULL;
        *ret_len = strcspn(s, ",");
        *cursor = s[*ret_len] ? s + *ret_len + 1 : NULL;
        return s;
}

/* -o LIST. An unknown name is named; one that looks like a file (a '/', '.'
 * or '~') was most likely meant for the old --output=FILE, so say where that
 * went: a changed meaning must fail loudly, never write a file called
 * TARGET,SOURCE. */
static int parse_fields(const char *list, struct options *o, char *err, size_t errlen)
{
        const char *cursor = list, *p;
        size_t len;

        o->n_fields = 0;
        while ((p = list_next(&cursor, &len))) {
                enum field_id f = field_from_string(p, len);

                if (f < 0) {
                        format_err(err, errlen, "--output: unknown column '%.*s'%s",
                                   (int)(len > 64 ? 64 : len), p,
                                   strpbrk(list, "/.~") ? "; to write the output to a file, use "
                                                          "--output-file=FILE"
                                                        : " (see --help for the columns)");
                        return -EINVAL;
                }
                if (o->n_fields >= FIELDS_MAX) {
                        format_err(err, errlen, "--output: more than %d columns", FIELDS_MAX);
                        return -EINVAL;
                }
                o->fields[o->n_fields++] = f;
        }
        return 0;
}

/* --expect=ENV[,ENV...] into a bit per environment. */
static int parse_expect(const char *list, unsigned *ret, char *err, size_t errlen)
{
        const char *cursor = list, *p;
        unsigned mask = 0;
        size_t len;

        while ((p = list_next(&cursor, &len))) {
                int e = _ENV_MAX;

                while (--e >= 0 && (strlen(environment_to_string(e)) != len ||
                                    strncmp(p, environment_to_string(e), len) != 0))
                        ;
                if (e < 0) {
                        format_err(err, errlen, "--expect: unknown environment '%.*s' (see --list)",
                                   (int)(len > 64 ? 64 : len), p);
                        return -EINVAL;
                }
                mask |= 1u << e;
        }
        *ret = mask;
        return 0;
}

/* "256M", "1G", "1048576": bytes with a K/M/G/T suffix (powers of 1024,
 * optionally followed by "iB"); 0 or -EINVAL/-ERANGE. */
static int parse_size(const char *s, uint64_t *ret)
{
        static const char suffixes[] = "KMGT";
        char num[32];
        const char *p;
        size_t n = strspn(s, "0123456789");
        uint64_t v, mult = 1;

        if (n == 0 || n >= sizeof(num))
                return -EINVAL;
        memcpy(num, s, n);
        num[n] = '\0';
        if (parse_u64(num, &v) < 0)
                return -ERANGE;
        p = s + n;
        if (*p) {
                const char *x = strchr(suffixes, *p);
                if (!x)
                        return -EINVAL;
                mult = UINT64_C(1) << (10 * (x - suffixes + 1));
                p++;
                if (!strcmp(p, "iB"))
                        p += 2;
                if (*p)
                        return -EINVAL;
        }
        if (v > UINT64_MAX / mult)
                return -ERANGE;
        *ret = v * mult;
        return 0;
}

int options_parse(int argc, char *argv[], struct options *ret, char *err, size_t errlen)
{
        struct option longopts[ARRAY_SIZE(option_table) + 1];
        char shortopts[2 * ARRAY_SIZE(option_table) + 3];
        size_t s = 0;
        int c;

        *ret = (struct options){
                .action = ACTION_RUN,
                .timeout_ns = DEFAULT_TIMEOUT_NS,
        };

        /* ':' first: a missing argument is reported as such, not as '?'. */
        shortopts[s++] = ':';
        for (size_t i = 0; i < option_table_len; i++) {
                const struct option_def *d = &option_table[i];
                longopts[i] = (struct option){
                        .name = d->long_name,
                        .has_arg = d->arg_name ? required_argument : no_argument,
                        .flag = NULL,
                        .val = 256 + (int)d->id,
                };
                if (d->short_name) {
                        shortopts[s++] = d->short_name;
                        if (d->arg_name)
                                shortopts[s++] = ':';
                }
        }
        longopts[option_table_len] = (struct option){ 0 };
        shortopts[s] = '\0';

        optind = 0; /* full reinitialisation (glibc), so tests can parse twice */
        opterr = 0;
        while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
                enum option_id id = _OPT_MAX;

                if (c == '?') {
                        /* glibc sets optopt to the long option's val when an
                         * argument was given to one that takes none ("--json=1"). */
                        if (optopt >= 256 && optopt < 256 + _OPT_MAX)
                                format_err(err, errlen, "option '%s' doesn't allow an argument",
                                           argv[optind - 1]);
                        else if (optopt > 0 && optopt < 256)
                                format_err(err, errlen, "invalid option -- '%c'", optopt);
                        else
                                format_err(err, errlen, "unrecognized option '%s'",
                                           argv[optind - 1]);
                        return -EINVAL;
                }
                if (c == ':') {
                        format_err(err, errlen, "option '%s' requires an argument",
                                   argv[optind - 1]);
                        return -EINVAL;
                }
                if (c >= 256)
                        id = (enum option_id)(c - 256);
                else
                        for (size_t i = 0; i < option_table_len; i++)
                                if (option_table[i].short_name == c)
                                        id = option_table[i].id;

                switch (id) {
                case OPT_PATH:
                        if (!*optarg) {
                                format_err(err, errlen, "--path needs a non-empty path");
                                return -EINVAL;
                        }
                        ret->path = optarg;
                        break;
                case OPT_JSON:
                        ret->format = FORMAT_JSON;
                        break;
                case OPT_FORMAT:
                        ret->format = output_format_from_string(optarg);
                        if (ret->format < 0) {
                                format_err(err, errlen,
                                           "--format: unknown format '%s' (human, json, emf, "
                                           "prometheus)",
                                           optarg);
                                return -EINVAL;
                        }
                        break;
                case OPT_OUTPUT:
                        if (parse_fields(optarg, ret, err, errlen) < 0)
                                return -EINVAL;
                        break;
                case OPT_NOHEADINGS:
                        ret->noheadings = true;
                        break;
                case OPT_OUTPUT_FILE:
                        if (!*optarg) {
                                format_err(err, errlen, "--output-file needs a file name");
                                return -EINVAL;
                        }
                        ret->output = optarg;
                        break;
                case OPT_QUIET:
                        ret->quiet = true;
                        break;
                case OPT_ID:
                        ret->id = true;
                        break;
                case OPT_EXPECT:
                        if (parse_expect(optarg, &ret->expect, err, errlen) < 0)
                                return -EINVAL;
                        break;
                case OPT_COLOR: {
                        int c2 = _COLOR_INVALID;
                        for (int i = 0; i < _COLOR_MAX; i++)
                                if (strcmp(optarg, color_names[i]) == 0)
                                        c2 = i;
                        if (c2 < 0) {
                                format_err(err, errlen,
                                           "--color: '%s' is not auto, always or never", optarg);
                                return -EINVAL;
                        }
                        ret->color = c2;
                        break;
                }
                case OPT_SYSROOT:
                        if (!*optarg) {
                                format_err(err, errlen, "--sysroot needs a directory");
                                return -EINVAL;
                        }
                        ret->sysroot = optarg;
                        break;
                case OPT_TIMEOUT: {
                        uint64_t ns;
                        if (parse_seconds(optarg, &ns) < 0 || ns == 0 || ns > MAX_TIMEOUT_NS) {
                                format_err(err, errlen,
                                           "--timeout: '%s' is not a number of seconds between 0 "
                                           "and 3600",
                                           optarg);
                                return -EINVAL;
                        }
                        ret->timeout_ns = ns;
                        break;
                }
                case OPT_BENCH:
                        ret->bench = true;
                        break;
                case OPT_BENCH_TIME: {
                        uint64_t ns;
                        if (parse_seconds(optarg, &ns) < 0 || ns < BENCH_MIN_BUDGET_NS ||
                            ns > BENCH_MAX_BUDGET_NS) {
                                format_err(err, errlen,
                                           "--bench-time: '%s' is not a number of seconds between "
                                           "0.2 and 600",
                                           optarg);
                                return -EINVAL;
                        }
                        ret->bench_time_ns = ns;
                        break;
                }
                case OPT_BENCH_SIZE: {
                        uint64_t v;
                        if (parse_size(optarg, &v) < 0 || v < BENCH_MIN_SIZE ||
                            v > BENCH_MAX_SIZE) {
                                format_err(err, errlen,
                                           "--bench-size: '%s' is not a size between 1M and 1T "
                                           "(a number with an optional K, M, G or T suffix)",
                                           optarg);
                                return -EINVAL;
                        }
                        ret->bench_size = v;
                        break;
                }
                case OPT_COMPARE:
                        if (!*optarg) {
                                format_err(err, errlen, "--compare needs a report file");
                                return -EINVAL;
                        }
                        ret->compare = optarg;
                        break;
                case OPT_REDACT:
                        ret->redact = true;
                        break;
                case OPT_LIST:
                        ret->action = ACTION_LIST;
                        break;
                case OPT_HELP:
                        ret->action = ACTION_HELP;
                        return 0;
                case OPT_VERSION:
                        ret->action = ACTION_VERSION;
                        return 0;
                default:
                        format_err(err, errlen, "internal error: unhandled option");
                        return -EINVAL;
                }
        }
        if (optind < argc && strcmp(argv[optind], "collect") == 0) {
                if (optind + 1 >= argc || !*argv[optind + 1]) {
                        format_err(err, errlen, "collect needs a directory or a FILE.tar.gz");
                        return -EINVAL;
                }
                ret->collect = argv[optind + 1];
                optind += 2;
        }
        if (optind < argc) {
                format_err(err, errlen, "unexpected argument '%s'", argv[optind]);
                return -EINVAL;
        }
        if (ret->redact && !ret->collect) {
                format_err(err, errlen, "--redact applies to collect only");
                return -EINVAL;
        }
        if (ret->noheadings && ret->n_fields == 0 &&
            parse_fields(FIELDS_DEFAULT, ret, err, errlen) < 0)
                return -EINVAL;
        if (ret->collect && (ret->quiet || ret->id || ret->output || ret->expect || ret->n_fields ||
                             ret->format != FORMAT_HUMAN || ret->compare)) {
                format_err(err, errlen,
                           "collect writes its own report; --quiet, --id, --output, "
                           "--output-file, --expect, --json, --format and --compare do not "
                           "apply");
                return -EINVAL;
        }
        if (ret->compare && (ret->quiet || ret->id || ret->n_fields ||
                             (ret->format != FORMAT_HUMAN && ret->format != FORMAT_JSON))) {
                format_err(err, errlen,
                           "--compare shows in the human report and --json only, not with "
                           "--quiet, --id, --output or --format=emf or prometheus");
                return -EINVAL;
        }
        if ((ret->bench_time_ns || ret->bench_size) && !ret->bench) {
                format_err(err, errlen, "--bench-time and --bench-size need --bench");
                return -EINVAL;
        }
        if (ret->bench && ret->sysroot) {
                format_err(err, errlen,
                           "--bench measures this machine's storage; it cannot run on a --sysroot "
                           "snapshot");
                return -EINVAL;
        }
        if (ret->bench && (ret->quiet || ret->id)) {
                format_err(err, errlen, "--bench and --%s exclude each other",
                           ret->quiet ? "quiet" : "id");
                return -EINVAL;
        }
        if (ret->bench && !ret->bench_time_ns)
                ret->bench_time_ns = BENCH_DEFAULT_BUDGET_NS;
        {
                /* At most one of the outputs; each names itself. */
                const char *outs[4];
                size_t n = 0;

                if (ret->format != FORMAT_HUMAN)
                        outs[n++] = ret->format == FORMAT_JSON ? "json" : "format";
                if (ret->n_fields)
                        outs[n++] = "output";
                if (ret->quiet)
                        outs[n++] = "quiet";
                if (ret->id)
                        outs[n++] = "id";
                if (n == 1 && ret->quiet && ret->output)
                        outs[n++] = "output-file";
                if (n > 1) {
                        format_err(err, errlen, "--%s and --%s exclude each other", outs[0],
                                   outs[1]);
                        return -EINVAL;
                }
        }
        return 0;
}

/* Prints text from column indent, wrapped before column width on spaces; the
 * first line continues whatever the caller already printed up to column indent. */
static void print_wrapped(FILE *f, size_t width, size_t indent, const char *text)
{
        size_t col = indent;

        while (*text) {
                size_t word = strcspn(text, " ");

                if (col > indent && col + 1 + word > width) {
                        fprintf(f, "\n%*s", (int)indent, "");
                        col = indent;
                } else if (col > indent) {
                        fputc(' ', f);
                        col++;
                }
                fwrite(text, 1, word, f);
                col += word;
                text += word;
                text += strspn(text, " ");
        }
        fputc('\n', f);
}

void options_print_help(FILE *f, const char *prog, unsigned width)
{
        /* util-linux's help stays within 80 columns; a narrower terminal
         * wraps it further, never below what the 26-column labels need. */
        size_t w = width == 0 || width > 80 ? 79 : width < 40 ? 39 : width - 1;

        fprintf(f,
                "Usage: %s [OPTIONS]\n"
                "       %s [OPTIONS] collect DIR|FILE.tar.gz\n"
                "\n"
                "Tell which SageMaker environment this is (Studio, Studio Classic, notebook\n"
                "instance, job) and what storage a path is on, with the evidence.\n"
                "\n"
                "collect writes a support bundle that --sysroot replays: the files the probe\n"
                "reads (environment limited to the variables it uses), the statfs and blkid\n"
                "facts, and the JSON report; with --bench, also the benchmark.\n"
                "\n"
                "Options:\n",
                prog, prog);
        for (size_t i = 0; i < option_table_len; i++) {
                const struct option_def *d = &option_table[i];
                char left[64];

                if (d->short_name)
                        snprintf(left, sizeof(left), "-%c, --%s%s%s", d->short_name, d->long_name,
                                 d->arg_name ? "=" : "", d->arg_name ? d->arg_name : "");
                else
                        snprintf(left, sizeof(left), "    --%s%s%s", d->long_name,
                                 d->arg_name ? "=" : "", d->arg_name ? d->arg_name : "");
                if (strlen(left) > 22)
                        fprintf(f, "  %s\n  %-22s  ", left, "");
                else
                        fprintf(f, "  %-22s  ", left);
                print_wrapped(f, w, 26, d->help);
        }
        fprintf(f, "\nExit status:\n");
        for (size_t i = 0; i < exit_status_table_len; i++) {
                fprintf(f, "  %-3d  ", exit_status_table[i].code);
                print_wrapped(f, w, 7, exit_status_table[i].meaning);
        }
        fprintf(f, "\nEnvironment ids (--list):\n  ");
        {
                char ids[256] = "";
                for (int e = 0; e < _ENV_MAX; e++) {
                        strncat(ids, e ? ", " : "", sizeof(ids) - strlen(ids) - 1);
                        strncat(ids, environment_to_string(e), sizeof(ids) - strlen(ids) - 1);
                }
                print_wrapped(f, w, 2, ids);
        }
        fprintf(f, "\nColumns (-o LIST; -n alone: %s):\n", FIELDS_DEFAULT);
        for (int i = 0; i < _FIELD_MAX; i++) {
                fprintf(f, "  %-12s  ", field_table[i].name);
                print_wrapped(f, w, 16, field_table[i].help);
        }
        fprintf(f,
                "\nExamples:\n"
                "  %s                      the report for your home's storage\n"
                "  %s -p /opt/ml/input     the storage of another path\n"
                "  %s -no STORAGE          one word for scripts: ebs, efs, ...\n"
                "  %s -q || echo 'not SageMaker'\n"
                "  %s --expect=studio-new,studio-classic --id\n"
                "  %s --json --output-file=/tmp/probe.json\n"
                "  %s --bench -p ~/scratch\n"
                "  %s --compare=last-week.json\n"
                "\nSee %s(1).\n",
                prog, prog, prog, prog, prog, prog, prog, prog, PROJECT_NAME);
}

void options_print_list(FILE *f)
{
        for (int e = 0; e < _ENV_MAX; e++)
                fprintf(f, "%s\n", environment_to_string(e));
}
