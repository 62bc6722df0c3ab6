/* SPDX-License-Identifier: MIT */
/* options_parse and --help: every option, every way to get one wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "core/strutil.h"

#define MAX_ARGS 8

static int parse(struct options *o, char *err, size_t errlen, const char *const *args)
{
        char *argv[MAX_ARGS + 2] = { (char *)"studio-probe" };
        int argc = 1;

        for (; args[argc - 1]; argc++)
                argv[argc] = (char *)args[argc - 1];
        argv[argc] = NULL;
        err[0] = '\0';
        return options_parse(argc, argv, o, err, errlen);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_defaults(void **state)
{
        struct options o;
        char err[256];

        assert_int_equal(parse(&o, err, sizeof(err), (const char *const[]){ NULL }), 0);
        assert_int_equal(o.action, ACTION_RUN);
        assert_null(o.path);
        assert_int_not_equal(o.format, FORMAT_JSON);
        assert_false(o.quiet);
        assert_int_equal(o.expect, 0);
        assert_null(o.sysroot);
        assert_true(o.timeout_ns == DEFAULT_TIMEOUT_NS);
}

static void test_good(void **state)
{
        struct options o;
        char err[256];

        assert_int_equal(parse(&o, err, sizeof(err), ARGS("-p", "/x")), 0);
        assert_string_equal(o.path, "/x");
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--path=/a b")), 0);
        assert_string_equal(o.path, "/a b");
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--path", "rel")), 0);
        assert_string_equal(o.path, "rel");
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("-pfoo")), 0);
        assert_string_equal(o.path, "foo");
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("-j")), 0);
        assert_int_equal(o.format, FORMAT_JSON);
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--json")), 0);
        assert_int_equal(o.format, FORMAT_JSON);
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("-q")), 0);
        assert_true(o.quiet);
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--quiet")), 0);
        assert_true(o.quiet);
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--sysroot=/snap")), 0);
        assert_string_equal(o.sysroot, "/snap");
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--timeout", "0.5")), 0);
        assert_true(o.timeout_ns == 500 * NSEC_PER_MSEC);
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--timeout=3600")), 0);
        assert_true(o.timeout_ns == 3600 * NSEC_PER_SEC);
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--list")), 0);
        assert_int_equal(o.action, ACTION_LIST);
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("-h")), 0);
        assert_int_equal(o.action, ACTION_HELP);
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--help")), 0);
        assert_int_equal(o.action, ACTION_HELP);
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("-V")), 0);
        assert_int_equal(o.action, ACTION_VERSION);
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--version")), 0);
        assert_int_equal(o.action, ACTION_VERSION);
        /* --help wins over what follows, even a bad option. */
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--help", "--bogus")), 0);
        assert_int_equal(o.action, ACTION_HELP);
        /* "--" ends the options. */
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("-j", "--")), 0);
        /* The same option twice: the last wins. */
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("-p", "/a", "-p", "/b")), 0);
        assert_string_equal(o.path, "/b");
        /* Combined short options. */
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("-jp/x")), 0);
        assert_int_equal(o.format, FORMAT_JSON);
        assert_string_equal(o.path, "/x");

        for (int e = 0; e < _ENV_MAX; e++) {
                char arg[64];
                snprintf(arg, sizeof(arg), "--expect=%s", environment_to_string(e));
                assert_int_equal(parse(&o, err, sizeof(err), ARGS(arg)), 0);
                assert_int_equal(o.expect, 1u << e);
        }
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("-q", "--expect", "none")), 0);
        assert_int_equal(o.expect, 1u << ENV_NONE);
        assert_true(o.quiet);
}

static void test_bad(void **state)
{
        const struct {
                const char *const *args;
                const char *err;
        } rows[] = {
                { ARGS("-p"), "option '-p' requires an argument" },
                { ARGS("--path"), "option '--path' requires an argument" },
                { ARGS("--expect"), "option '--expect' requires an argument" },
                { ARGS("--sysroot"), "option '--sysroot' requires an argument" },
                { ARGS("--timeout"), "option '--timeout' requires an argument" },
                { ARGS("--path="), "--path needs a non-empty path" },
                { ARGS("--sysroot="), "--sysroot needs a directory" },
                { ARGS("-x"), "invalid option -- 'x'" },
                { ARGS("--bogus"), "unrecognized option '--bogus'" },
                { ARGS("--json=1"), "option '--json=1' doesn't allow an argument" },
                { ARGS("--list=yes"), "option '--list=yes' doesn't allow an argument" },
                { ARGS("--expect=studio"), "--expect: unknown environment 'studio' (see --list)" },
                { ARGS("--expect=Studio-New"),
                  "--expect: unknown environment 'Studio-New' (see --list)" },
                { ARGS("--expect="), "--expect: unknown environment '' (see --list)" },
                { ARGS("--timeout=0"),
                  "--timeout: '0' is not a number of seconds between 0 and 3600" },
                { ARGS("--timeout=-1"), "--timeout: '-1' is not" },
                { ARGS("--timeout=1e9"), "--timeout: '1e9' is not" },
                { ARGS("--timeout=1000000000"), "--timeout: '1000000000' is not" },
                { ARGS("--timeout=abc"), "--timeout: 'abc' is not" },
                { ARGS("--timeout=3601"), "--timeout: '3601' is not" },
                { ARGS("--timeout=3600.5"), "--timeout: '3600.5' is not" },
                { ARGS("--timeout="), "--timeout: '' is not" },
                { ARGS("--json", "--quiet"), "--json and --quiet exclude each other" },
                { ARGS("-qj"), "--json and --quiet exclude each other" },
                { ARGS("extra"), "unexpected argument 'extra'" },
                { ARGS("-j", "--", "-q"), "unexpected argument '-q'" },
                { ARGS("-p", "/x", "y"), "unexpected argument 'y'" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                struct options o;
                char err[256];

                print_message("bad: %s\n", rows[i].args[0]);
                assert_int_equal(parse(&o, err, sizeof(err), rows[i].args), -EINVAL);
                assert_true(startswith(err, rows[i].err));
                /* One line, no program name: main adds those. */
                assert_null(strchr(err, '\n'));
                for (const char *c = err; *c; c++)
                        assert_true((unsigned char)*c >= 0x20);
        }
}

/* Every option in the table: the long form is known, one that takes an
 * argument says so when it is missing, and one that takes none refuses one. */
static void test_table(void **state)
{
        for (size_t i = 0; i < option_table_len; i++) {
                const struct option_def *d = &option_table[i];
                struct options o;
                char err[256], arg[64], want[128];
                int r;

                snprintf(arg, sizeof(arg), "--%s", d->long_name);
                print_message("option %s\n", arg);
                assert_non_null(d->help);
                assert_non_null(d->man);
                r = parse(&o, err, sizeof(err), ARGS(arg));
                if (d->arg_name) {
                        snprintf(want, sizeof(want), "option '%s' requires an argument", arg);
                        assert_int_equal(r, -EINVAL);
                        assert_string_equal(err, want);
                } else {
                        assert_false(startswith(err, "unrecognized"));
                        assert_false(startswith(err, "internal error"));
                        snprintf(arg, sizeof(arg), "--%s=x", d->long_name);
                        snprintf(want, sizeof(want), "option '%s' doesn't allow an argument", arg);
                        assert_int_equal(parse(&o, err, sizeof(err), ARGS(arg)), -EINVAL);
                        assert_string_equal(err, want);
                }
                /* Short and long names are unique. */
                for (size_t j = 0; j < i; j++) {
                        assert_true(strcmp(option_table[j].long_name, d->long_name) != 0);
                        assert_true(!d->short_name || option_table[j].short_name != d->short_name);
                }
        }
}

/* Help text is wrapped at 79 columns: compare with white space folded. */
static char *fold_space(const char *s)
{
        char *out = malloc(strlen(s) + 1), *o = out;

        assert_non_null(out);
        for (; *s; s++) {
                if (*s == ' ' || *s == '\n') {
                        if (o > out && o[-1] != ' ')
                                *o++ = ' ';
                } else
                        *o++ = *s;
        }
        *o = '\0';
        return out;
}

static void test_help(void **state)
{
        char *buf = NULL, *folded;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        assert_non_null(f);
        options_print_help(f, "studio-probe", 0);
        fclose(f);
        assert_true(startswith(buf, "Usage: studio-probe [OPTIONS]\n"));
        for (const char *line = buf; *line;) {
                size_t n = strcspn(line, "\n");
                assert_in_range(n, 0, 79);
                line += n + (line[n] == '\n');
        }
        folded = fold_space(buf);
        free(buf);
        buf = folded;
        for (size_t i = 0; i < option_table_len; i++) {
                const struct option_def *d = &option_table[i];
                char want[128];

                snprintf(want, sizeof(want), "--%s%s%s", d->long_name, d->arg_name ? "=" : "",
                         d->arg_name ? d->arg_name : "");
                print_message("help lists %s\n", want);
                assert_non_null(strstr(buf, want));
                assert_non_null(strstr(buf, d->help));
                if (d->short_name) {
                        snprintf(want, sizeof(want), "-%c, --%s", d->short_name, d->long_name);
                        assert_non_null(strstr(buf, want));
                }
        }
        for (size_t i = 0; i < exit_status_table_len; i++)
                assert_non_null(strstr(buf, exit_status_table[i].meaning));
        for (int e = 0; e < _ENV_MAX; e++)
                assert_non_null(strstr(buf, environment_to_string(e)));
        for (int i = 0; i < _FIELD_MAX; i++)
                assert_non_null(strstr(buf, field_table[i].name));
        assert_non_null(strstr(buf, "See studio-probe(1)."));
        assert_non_null(strstr(buf, "Examples:"));
        free(buf);

        /* A narrow terminal: the descriptions' continuation lines fit it. */
        buf = NULL;
        f = open_memstream(&buf, &len);
        options_print_help(f, "studio-probe", 50);
        fclose(f);
        for (const char *line = buf; *line;) {
                size_t n = strcspn(line, "\n");
                if (strspn(line, " ") >= 16)
                        assert_in_range(n, 0, 49);
                line += n + (line[n] == '\n');
        }
        free(buf);

        buf = NULL;
        f = open_memstream(&buf, &len);
        options_print_list(f);
        fclose(f);
        assert_string_equal(buf, "studio-new\nstudio-classic\nnotebook-instance\ntraining-job\n"
                                 "processing-job\nhyperpod\nendpoint\ntransform-job\nlocal-mode\n"
                                 "unified-studio\nrstudio\nstudio-lab\nnone\nunknown\n");
        free(buf);
}

/* -o LIST, -n, --output-file, --id, --expect lists and --color. */
static void test_columns(void **state)
{
        struct options o;
        char err[256];

        assert_int_equal(parse(&o, err, sizeof(err), ARGS("-no", "STORAGE")), 0);
        assert_true(o.noheadings);
        assert_int_equal(o.n_fields, 1);
        assert_int_equal(o.fields[0], FIELD_STORAGE);
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--output=target,Source,USE%")), 0);
        assert_int_equal(o.n_fields, 3);
        assert_int_equal(o.fields[0], FIELD_TARGET);
        assert_int_equal(o.fields[1], FIELD_SOURCE);
        assert_int_equal(o.fields[2], FIELD_USE_PERCENT);
        assert_null(o.output);
        /* -n alone: the default columns */
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("-n")), 0);
        assert_int_equal(o.n_fields, 7);
        assert_int_equal(o.fields[0], FIELD_ENVIRONMENT);
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--output-file=/tmp/x", "-j")), 0);
        assert_string_equal(o.output, "/tmp/x");
        assert_int_equal(o.n_fields, 0);
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--id")), 0);
        assert_true(o.id);
        assert_false(o.quiet);
        assert_int_equal(
                parse(&o, err, sizeof(err), ARGS("--expect=studio-new,studio-classic,studio-new")),
                0);
        assert_int_equal(o.expect, (1u << ENV_STUDIO_NEW) | (1u << ENV_STUDIO_CLASSIC));
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--color=never")), 0);
        assert_int_equal(o.color, COLOR_NEVER);
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--color", "always")), 0);
        assert_int_equal(o.color, COLOR_ALWAYS);
        assert_int_equal(parse(&o, err, sizeof(err), ARGS("--")), 0);
        assert_int_equal(o.color, COLOR_AUTO);

        const struct {
                const char *const *args;
                const char *err;
        } rows[] = {
                /* the old --output=FILE fails, naming the column and the new option */
                { ARGS("-o", "/tmp/x"),
                  "--output: unknown column '/tmp/x'; to write the output to a file, use "
                  "--output-file=FILE" },
                { ARGS("--output=report.json"),
                  "--output: unknown column 'report.json'; to write" },
                { ARGS("-o", "TARGET,SORCE"),
                  "--output: unknown column 'SORCE' (see --help for the columns)" },
                { ARGS("-o", "TARGET,"), "--output: unknown column ''" },
                { ARGS("-o", ""), "--output: unknown column ''" },
                { ARGS("-o", "TARGET,SOURCE,TARGET,SOURCE,TARGET,SOURCE,TARGET,SOURCE,TARGET,"
                             "SOURCE,TARGET,SOURCE,TARGET,SOURCE,TARGET,SOURCE,TARGET,SOURCE,"
                             "TARGET,SOURCE,TARGET,SOURCE,TARGET,SOURCE,TARGET,SOURCE,TARGET,"
                             "SOURCE,TARGET,SOURCE,TARGET,SOURCE,TARGET"),
                  "--output: more than 32 columns" },
                { ARGS("--output-file="), "--output-file needs a file name" },
                { ARGS("-o", "STORAGE", "--json"), "--json and --output exclude each other" },
                { ARGS("-n", "-q"), "--output and --quiet exclude each other" },
                { ARGS("--id", "-q"), "--quiet and --id exclude each other" },
                { ARGS("--id", "--format=emf"), "--format and --id exclude each other" },
                { ARGS("-q", "--output-file=/tmp/x"),
                  "--quiet and --output-file exclude each other" },
                { ARGS("--bench", "--id"), "--bench and --id exclude each other" },
                { ARGS("--expect=studio-new,"), "--expect: unknown environment ''" },
                { ARGS("--expect=studio-new,emr-studio"),
                  "--expect: unknown environment 'emr-studio' (see --list)" },
                { ARGS("--color=yes"), "--color: 'yes' is not auto, always or never" },
                { ARGS("-o", "STORAGE", "collect", "/tmp/b"), "collect writes its own report" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                print_message("args %zu: want %s\n", i, rows[i].err);
                assert_int_equal(parse(&o, err, sizeof(err), rows[i].args), -EINVAL);
                assert_true(startswith(err, rows[i].err));
        }
        /* Every column name comes back from its own name, in any case. */
        for (int i = 0; i < _FIELD_MAX; i++)
                assert_int_equal(
                        field_from_string(field_table[i].name, strlen(field_table[i].name)), i);
        assert_int_equal(field_from_string("storage", 7), FIELD_STORAGE);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults), cmocka_unit_test(test_good),
                cmocka_unit_test(test_bad),      cmocka_unit_test(test_table),
                cmocka_unit_test(test_help),     cmocka_unit_test(test_columns),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
