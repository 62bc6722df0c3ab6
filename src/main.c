/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "config.h"
#include "exit-status.h"
#include "model.h"
#include "options.h"
#include "probe.h"
#include "render.h"
#include "strutil.h"
#include "sysroot.h"

static const char *prog = PROJECT_NAME;

static void log_error(const char *fmt, ...) _printf_(1, 2);
static void log_error(const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "%s: ", prog);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

/* util-linux's close_stdout(): output that did not reach its file is a
 * failure (truncated JSON must not exit 0), but a reader that went away
 * (| head -c1) is not worth a message. */
static int close_stdout(void)
{
        int k = 0;

        if (fflush(stdout) != 0 || ferror(stdout))
                k = errno ? -errno : -EIO;
        if (fclose(stdout) != 0 && k == 0)
                k = errno ? -errno : -EIO;
        if (k == -EPIPE)
                return 0;
        return k;
}

static bool want_color(void)
{
        const char *nc = getenv("NO_COLOR");

        /* no-color.org: set and not empty disables colour. */
        if (nc && *nc)
                return false;
        return isatty(STDOUT_FILENO) == 1;
}

static int run(int argc, char *argv[])
{
        struct options o;
        struct sysroot root = { .fd = -1 };
        struct report r;
        struct probe_params pp;
        char err[512], cwd[PATH_MAX];
        char *error = NULL;
        int k, status;

        k = options_parse(argc, argv, &o, err, sizeof(err));
        if (k < 0) {
                log_error("%s", err);
                fprintf(stderr, "Try '%s --help' for more information.\n", prog);
                return EXIT_USAGE;
        }
        switch (o.action) {
        case ACTION_HELP:
                options_print_help(stdout, prog);
                return EXIT_OK;
        case ACTION_VERSION:
                printf("%s %s\n", PROJECT_NAME, PROJECT_VERSION);
                return EXIT_OK;
        case ACTION_LIST:
                options_print_list(stdout);
                return EXIT_OK;
        case ACTION_RUN:
                break;
        }

        k = sysroot_open(&root, o.sysroot);
        if (k < 0) {
                log_error("cannot open --sysroot %s: %s", o.sysroot ? o.sysroot : "/",
                          strerror(-k));
                return EXIT_FAILURE_RUN;
        }

        pp = (struct probe_params){
                .path = o.path,
                .timeout_ns = o.timeout_ns,
                .cwd = getcwd(cwd, sizeof(cwd)),
        };
        report_init(&r);
        k = probe_run(&root, &pp, &r, &error);
        if (k < 0) {
                if (error)
                        log_error("%s", error);
                else
                        log_error("probe failed: %s", strerror(-k));
                status = EXIT_FAILURE_RUN;
                goto out;
        }
        k = classify(&r);
        if (k < 0) {
                log_error("classification failed: %s", strerror(-k));
                status = EXIT_FAILURE_RUN;
                goto out;
        }

        if (o.quiet) {
                printf("%s\n", environment_to_string(r.environment));
                for (char **w = r.warnings; w && *w; w++)
                        fprintf(stderr, "%s: warning: %s\n", prog, *w);
        } else if (o.json)
                k = render_json(stdout, &r);
        else
                k = render_text(stdout, &r, want_color());
        if (k == -ENOMEM) {
                log_error("out of memory");
                status = EXIT_FAILURE_RUN;
                goto out;
        }

        if (r.timed_out) {
                log_error("a file system did not answer within the timeout; the report is "
                          "incomplete");
                status = EXIT_FAILURE_RUN;
        } else if (o.expect >= 0)
                status = r.environment == o.expect ? EXIT_OK : EXIT_EXPECT_FAILED;
        else
                status = EXIT_OK;
out:
        free(error);
        report_done(&r);
        sysroot_close(&root);
        return status;
}

int main(int argc, char *argv[])
{
        int status = run(argc, argv), k;

        k = close_stdout();
        if (k < 0) {
                log_error("write error: %s", strerror(-k));
                if (status == EXIT_OK || status == EXIT_EXPECT_FAILED)
                        status = EXIT_FAILURE_RUN;
        }
        return status;
}
