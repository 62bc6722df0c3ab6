/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "classify.h"
#include "collect.h"
#include "config.h"
#include "exit-status.h"
#include "libc-compat.h"
#include "model.h"
#include "options.h"
#include "output.h"
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

/* Fills and classifies r; says why on stderr when it cannot. Returns 0 or -errno. */
static int probe_and_classify(const struct sysroot *root, const struct probe_params *pp,
                              struct report *r)
{
        _cleanup_free_ char *error = NULL;
        int k;

        k = probe_run(root, pp, r, &error);
        if (k < 0) {
                if (error)
                        log_error("%s", error);
                else
                        log_error("probe failed: %s", strerror(-k));
                return k;
        }
        k = classify(r);
        if (k < 0)
                log_error("classification failed: %s", strerror(-k));
        return k;
}

static uint64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* --bench: failures that are the user's situation, not a bug, get a sentence
 * that says what to do; exit 3 either way. */
static void log_bench_error(const struct bench_result *b)
{
        const struct bench_measure *m = &b->m;
        const char *where = m->err_workload >= 0 ? bench_workload_to_string(m->err_workload)
                                                  : "setup";
        const char *left = b->leftover || m->err_workload < 0 ? "" : "; its files were removed";

        switch (-m->err) {
        case EROFS:
                log_error("--bench: %s is on a read-only file system%s", b->path, left);
                break;
        case EACCES:
        case EPERM:
                log_error("--bench: no permission to create files in %s (%s: %s); benchmark a "
                          "directory you can write, such as your home%s",
                          b->path, where, m->err_call, left);
                break;
        case ENOSPC:
                log_error("--bench: the file system of %s is full (%s: %s: no space or no "
                          "inodes left)%s",
                          b->path, where, m->err_call, left);
                break;
        case EDQUOT:
                log_error("--bench: disk quota exceeded on %s (%s: %s)%s", b->path, where,
                          m->err_call, left);
                break;
        default:
                log_error("--bench: %s failed in %s on %s: %s%s", m->err_call, where, b->path,
                          strerror(-m->err), left);
                break;
        }
}

/* Runs after probe and classify; returns the exit status the benchmark asks
 * for. The partial results stay in r->bench and are printed in every case. */
static int run_bench(const struct options *o, struct report *r)
{
        struct bench_params bp = {
                .path = r->home.resolved_path,
                .budget_ns = o->bench_time_ns,
                .size_bytes = o->bench_size,
                .free_bytes = r->home.free_bytes,
                .grace_ns = o->timeout_ns,
                .progress = isatty(STDERR_FILENO) == 1,
        };
        char err[256] = "";
        const struct bench_measure *m;
        int k;

        if (!bp.path) {
                log_error("--bench: %s could not be resolved; nothing to benchmark",
                          strna(r->home.path));
                return EXIT_FAILURE_RUN;
        }
        k = bench_run(&bp, &r->bench, err, sizeof(err));
        if (k < 0) {
                log_error("--bench: %s: %s", bp.path, err[0] ? err : strerror(-k));
                return EXIT_FAILURE_RUN;
        }
        if (bench_assess(r->bench, &r->home) < 0) {
                log_error("out of memory");
                return EXIT_FAILURE_RUN;
        }
        m = &r->bench->m;
        if (m->interrupted) {
                log_error("--bench: stopped by %s; %s, partial results follow",
                          signal_abbrev(bench_stop_signal()) ? signal_abbrev(bench_stop_signal())
                                                             : "a signal",
                          r->bench->leftover ? "its directory could not be removed"
                                             : "its files were removed");
                k = EXIT_INTERRUPTED;
        } else if (m->err) {
                log_bench_error(r->bench);
                k = EXIT_FAILURE_RUN;
        } else if (m->timed_out) {
                log_error("--bench: %s stopped answering; the benchmark was abandoned after "
                          "%.1f s",
                          bp.path, (double)m->elapsed_ns / 1e9);
                k = EXIT_FAILURE_RUN;
        } else
                k = EXIT_OK;
        if (r->bench->leftover) {
                log_error("--bench: could not remove %s; remove it by hand", r->bench->leftover);
                if (k == EXIT_OK)
                        k = EXIT_FAILURE_RUN;
        }
        return k;
}

/* `collect DEST`: the same probe with the sysroot layer recording what it
 * reads, then the bundle. An existing destination is a usage error (exit 2),
 * checked before anything is probed; nothing is ever overwritten. */
static int run_collect(const struct options *o)
{
        struct sysroot_recorder rec = {};
        struct sysroot root = { .fd = -1 };
        struct collect_dest dest;
        struct probe_params pp;
        struct report r;
        _cleanup_strv_free_ char **warnings = NULL;
        char err[512] = "", cwd[PATH_MAX];
        size_t files = 0;
        int k, status;

        k = collect_prepare(o->collect, &dest, err, sizeof(err));
        if (k < 0) {
                log_error("%s", err[0] ? err : strerror(-k));
                collect_dest_done(&dest, true);
                return k == -EEXIST || k == -ENOTEMPTY ? EXIT_USAGE : EXIT_FAILURE_RUN;
        }
        report_init(&r);
        k = sysroot_open(&root, o->sysroot);
        if (k < 0) {
                log_error("cannot open --sysroot %s: %s", o->sysroot ? o->sysroot : "/",
                          strerror(-k));
                status = EXIT_FAILURE_RUN;
                goto out;
        }
        root.rec = &rec;
        pp = (struct probe_params){
                .path = o->path,
                .timeout_ns = o->timeout_ns,
                .cwd = getcwd(cwd, sizeof(cwd)),
        };
        if (probe_and_classify(&root, &pp, &r) < 0) {
                status = EXIT_FAILURE_RUN;
                goto out;
        }
        k = collect_write(&root, &r, &dest, o->redact, &files, &warnings, err, sizeof(err));
        if (k < 0) {
                log_error("%s", err[0] ? err : strerror(-k));
                status = EXIT_FAILURE_RUN;
                goto out;
        }
        for (char **w = warnings; w && *w; w++)
                fprintf(stderr, "%s: warning: %s\n", prog, *w);
        printf("%s: %zu files, environment %s (%s confidence)%s\n", o->collect, files,
               environment_to_string(r.environment), confidence_to_string(r.confidence),
               o->redact ? ", redacted" : "");
        status = EXIT_OK;
        if (r.timed_out) {
                log_error("a file system did not answer within the timeout; the bundle is "
                          "incomplete");
                status = EXIT_FAILURE_RUN;
        }
out:
        collect_dest_done(&dest, status != EXIT_OK && !r.timed_out);
        report_done(&r);
        sysroot_close(&root);
        sysroot_recorder_done(&rec);
        return status;
}

static int run(int argc, char *argv[])
{
        _cleanup_free_ char *tmp = NULL;
        FILE *out = stdout;
        uint64_t started_ms = now_ms();
        struct options o;
        struct sysroot root = { .fd = -1 };
        struct report r;
        struct probe_params pp;
        char err[512], cwd[PATH_MAX];
        int k, status, bench_status = EXIT_OK;

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
        if (o.collect) {
                sysroot_close(&root);
                return run_collect(&o);
        }

        pp = (struct probe_params){
                .path = o.path,
                .timeout_ns = o.timeout_ns,
                .cwd = getcwd(cwd, sizeof(cwd)),
        };
        report_init(&r);
        if (probe_and_classify(&root, &pp, &r) < 0) {
                status = EXIT_FAILURE_RUN;
                goto out;
        }
        if (o.bench) {
                bench_status = run_bench(&o, &r);
                if (!r.bench) {
                        status = bench_status;
                        goto out;
                }
        }

        if (o.output) {
                k = output_open(o.output, &out, &tmp);
                if (k < 0) {
                        log_error("cannot write %s: %s", o.output, strerror(-k));
                        status = EXIT_FAILURE_RUN;
                        goto out;
                }
        }
        if (o.quiet) {
                fprintf(out, "%s\n", environment_to_string(r.environment));
                for (char **w = r.warnings; w && *w; w++)
                        fprintf(stderr, "%s: warning: %s\n", prog, *w);
        } else
                switch (o.format) {
                case FORMAT_JSON:
                        k = render_json(out, &r);
                        break;
                case FORMAT_EMF:
                        k = render_emf(out, &r, started_ms);
                        break;
                case FORMAT_PROMETHEUS:
                        k = render_prometheus(out, &r);
                        break;
                default:
                        k = render_text(out, &r, !o.output && want_color());
                        break;
                }
        if (o.output) {
                k = output_commit(out, tmp, o.output, k);
                out = stdout;
                if (k < 0 && k != -ENOMEM) {
                        log_error("cannot write %s: %s", o.output, strerror(-k));
                        status = EXIT_FAILURE_RUN;
                        goto out;
                }
        }
        if (k == -ENOMEM) {
                log_error("out of memory");
                status = EXIT_FAILURE_RUN;
                goto out;
        }

        if (r.timed_out) {
                /* Name each mount (mount point, type, server) and how long it
                 * was given: the report went to stdout, maybe into a pipe. */
                for (size_t i = 0; i <= r.n_mounts; i++) {
                        const struct storage *s = i == 0 ? &r.home : &r.mounts[i - 1];
                        if (s->error)
                                log_error("%s (%s from %s): %s", strna(s->mountpoint),
                                          strna(s->fstype), strna(s->source), s->error);
                }
                log_error("a file system did not answer within the timeout; the report is "
                          "incomplete");
                status = EXIT_FAILURE_RUN;
        } else if (o.expect >= 0)
                status = r.environment == o.expect ? EXIT_OK : EXIT_EXPECT_FAILED;
        else
                status = EXIT_OK;
        if (bench_status == EXIT_INTERRUPTED ||
            (bench_status != EXIT_OK && status != EXIT_INTERRUPTED && status != EXIT_FAILURE_RUN))
                status = bench_status;
out:
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
