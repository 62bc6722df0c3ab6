/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exit-status.h"
#include "options.h"
#include "strutil.h"

const struct option_def option_table[] = {
        { OPT_PATH, "path", 'p', "PATH",
          "inspect PATH (default: /home/sagemaker-user, /home/ec2-user/SageMaker, else $HOME)",
          "Inspect the storage that holds PATH. Symbolic links are resolved first, so "
          "~/user-default-efs is reported as the EFS file system it points to. Without this "
          "option the first that exists of /home/sagemaker-user, /home/ec2-user/SageMaker and "
          "$HOME is used. A path that cannot be resolved (missing, a symlink loop) is a failure." },
        { OPT_JSON, "json", 'j', NULL, "print one JSON object instead of the report",
          "Print the report as one JSON object: snake_case keys in a stable order, sizes in "
          "bytes and times in nanoseconds as integers, and null for every fact that is not "
          "known." },
        { OPT_QUIET, "quiet", 'q', NULL, "print only the environment id",
          "Print only the environment id on standard output. Warnings go to standard error." },
        { OPT_EXPECT, "expect", 0, "ENV", "exit 0 if the environment is ENV, 1 if it is not",
          "Exit with 0 when the environment is ENV and with 1 when it is another one. ENV is one "
          "of the ids that --list prints." },
        { OPT_SYSROOT, "sysroot", 0, "DIR", "read every host file under DIR (replay a snapshot)",
          "Read every file the probe reads under DIR instead of /, resolving paths inside DIR as "
          "chroot would. Facts that are not files (statfs, blkid) come from "
          "DIR/.studio-probe/facts.json when the snapshot has them, and are null otherwise." },
        { OPT_TIMEOUT, "timeout", 0, "SECONDS",
          "give up on a file system that does not answer (default 5)",
          "Give up on file systems that do not answer within SECONDS (a decimal number, default "
          "5). The report then says which mount did not answer, keeps what is known, and the "
          "exit status is 3." },
        { OPT_LIST, "list", 0, NULL, "list the environment ids and exit",
          "Print the environment ids, one a line, and exit." },
        { OPT_HELP, "help", 'h', NULL, "show this help and exit", "Show the help and exit." },
        { OPT_VERSION, "version", 'V', NULL, "show the version and exit",
          "Show the version and exit." },
};
const size_t option_table_len = ARRAY_SIZE(option_table);

const struct exit_status_def exit_status_table[] = {
        { EXIT_OK, "done (with --expect: the environment matched)" },
        { EXIT_EXPECT_FAILED, "--expect: the environment is another one" },
        { EXIT_USAGE, "usage error" },
        { EXIT_FAILURE_RUN,
          "failure: the mount table or the path could not be read, or a file system did not "
          "answer in time" },
};
const size_t exit_status_table_len = ARRAY_SIZE(exit_status_table);

_printf_(3, 4) static void set_err(char *err, size_t len, const char *fmt, ...)
{
        va_list ap;

        if (!err || !len)
                return;
        va_start(ap, fmt);
        vsnprintf(err, len, fmt, ap);
        va_end(ap);
}

int options_parse(int argc, char *argv[], struct options *ret, char *err, size_t errlen)
{
        struct option longopts[ARRAY_SIZE(option_table) + 1];
        char shortopts[2 * ARRAY_SIZE(option_table) + 3];
        size_t s = 0;
        int c;

        *ret = (struct options){
                .action = ACTION_RUN,
                .expect = _ENV_INVALID,
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
                        if (optopt)
                                set_err(err, errlen, "invalid option -- '%c'", optopt);
                        else
                                set_err(err, errlen, "unrecognized option '%s'",
                                        argv[optind - 1]);
                        return -EINVAL;
                }
                if (c == ':') {
                        set_err(err, errlen, "option '%s' requires an argument",
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
                                set_err(err, errlen, "--path needs a non-empty path");
                                return -EINVAL;
                        }
                        ret->path = optarg;
                        break;
                case OPT_JSON:
                        ret->json = true;
                        break;
                case OPT_QUIET:
                        ret->quiet = true;
                        break;
                case OPT_EXPECT:
                        ret->expect = environment_from_string(optarg);
                        if (ret->expect < 0) {
                                set_err(err, errlen,
                                        "--expect: unknown environment '%s' (see --list)",
                                        optarg);
                                return -EINVAL;
                        }
                        break;
                case OPT_SYSROOT:
                        if (!*optarg) {
                                set_err(err, errlen, "--sysroot needs a directory");
                                return -EINVAL;
                        }
                        ret->sysroot = optarg;
                        break;
                case OPT_TIMEOUT: {
                        uint64_t ns;
                        if (parse_seconds(optarg, &ns) < 0 || ns == 0 || ns > MAX_TIMEOUT_NS) {
                                set_err(err, errlen,
                                        "--timeout: '%s' is not a number of seconds between 0 "
                                        "and 3600",
                                        optarg);
                                return -EINVAL;
                        }
                        ret->timeout_ns = ns;
                        break;
                }
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
                        set_err(err, errlen, "internal error: unhandled option");
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                set_err(err, errlen, "unexpected argument '%s'", argv[optind]);
                return -EINVAL;
        }
        if (ret->json && ret->quiet) {
                set_err(err, errlen, "--json and --quiet exclude each other");
                return -EINVAL;
        }
        return 0;
}

void options_print_help(FILE *f, const char *prog)
{
        fprintf(f,
                "Usage: %s [OPTIONS]\n"
                "\n"
                "Tell which SageMaker environment this is (Studio, Studio Classic, notebook\n"
                "instance, job) and what storage a path is on, with the evidence.\n"
                "\n"
                "Options:\n",
                prog);
        for (size_t i = 0; i < option_table_len; i++) {
                const struct option_def *d = &option_table[i];
                char left[64];

                snprintf(left, sizeof(left), "%s%c%s--%s%s%s", d->short_name ? "-" : "  ",
                         d->short_name ? d->short_name : ' ', d->short_name ? ", " : "  ",
                         d->long_name, d->arg_name ? "=" : "", d->arg_name ? d->arg_name : "");
                if (strlen(left) > 22)
                        fprintf(f, "  %s\n  %-22s  %s\n", left, "", d->help);
                else
                        fprintf(f, "  %-22s  %s\n", left, d->help);
        }
        fprintf(f, "\nExit status:\n");
        for (size_t i = 0; i < exit_status_table_len; i++)
                fprintf(f, "  %-3d  %s\n", exit_status_table[i].code, exit_status_table[i].meaning);
        fprintf(f, "\nEnvironment ids: ");
        for (int e = 0; e < _ENV_MAX; e++)
                fprintf(f, "%s%s", e ? ", " : "", environment_to_string(e));
        fprintf(f, ".\n");
}

void options_print_list(FILE *f)
{
        for (int e = 0; e < _ENV_MAX; e++)
                fprintf(f, "%s\n", environment_to_string(e));
}
