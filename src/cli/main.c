/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "classify/estimates.h"
#include "classify/verdict.h"
#include "classify/classify.h"
#include "classify/history.h"
#include "classify/compare.h"
#include "classify/storage.h"
#include "classify/nfs-history.h"
#include "bundle/collect.h"
#include "bundle/dest.h"
#include "config.h"
#include "exit-status.h"
#include "core/libc-compat.h"
#include "model.h"
#include "options.h"
#include "cli/input.h"
#include "cli/output.h"
#include "probe/probe.h"
#include "render/emf.h"
#include "render/fields.h"
#include "render/json.h"
#include "render/prometheus.h"
#include "render/text.h"
#include "core/strutil.h"
#include "core/sysroot.h"

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

/* A name from the mount table or the metadata on standard error: escaped for
 * a terminal as in the text report (fputs_escaped). */
static void put_name(const char *s)
{
        fputs_escaped(stderr, strna(s));
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

/* --color: always and never are obeyed; auto colours a terminal unless
 * NO_COLOR is set and not empty (no-color.org) or TERM is dumb (what Emacs'
 * shell and other terminals without escape sequences say, as in systemd's
 * terminal checks). */
static bool want_color(const struct options *o)
{
        const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

        if (o->color != COLOR_AUTO)
                return o->color == COLOR_ALWAYS;
        if (nc && *nc)
                return false;
        if (streq_ptr(term, "dumb"))
                return false;
        return isatty(STDOUT_FILENO) == 1;
}

/* Columns to wrap the human text at, 0 for none: COLUMNS when it is a number
 * (set by hand, or by a shell for its children), else the terminal's size
 * when standard output is one; a pipe or a file gets lines as they are, as
 * util-linux's get_terminal_width() does. */
static unsigned terminal_width(void)
{
        const char *c = getenv("COLUMNS");
        struct winsize ws;
        long v;

        if (c && parse_int_range(c, 1, 10000, &v) == 0)
                return (unsigned)v;
        if (isatty(STDOUT_FILENO) == 1 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
            ws.ws_col > 0)
                return ws.ws_col;
        return 0;
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
        k = classify_storage(r);
        if (k == 0)
                k = classify_nfs_history(r);
        if (k == 0)
                k = classify(r);
        if (k == 0)
                k = history_summarize(r);
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

/* A finite soft limit as "N KiB", or NULL when there is none. */
static const char *limit_text(int resource, uint64_t unit, char *buf, size_t len)
{
        struct rlimit rl;

        if (getrlimit(resource, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
                return NULL;
        if (unit == 1)
                snprintf(buf, len, "%llu", (unsigned long long)rl.rlim_cur);
        else
                format_bytes(buf, len, (uint64_t)rl.rlim_cur);
        return buf;
}

/* The file a workload writes, for the messages. */
static const char *bench_file(int workload)
{
        return workload >= BENCH_MD_CREATE ? "the small files of the metadata workload"
                                           : "the test file seq.dat";
}

/* --bench: failures that are the user's situation, not a bug, get a sentence
 * that says what to do; exit 3 either way. */
static void log_bench_error(const struct bench_result *b)
{
        const struct bench_measure *m = &b->m;
        const char *where =
                m->err_workload >= 0 ? bench_workload_to_string(m->err_workload) : "setup";
        const char *left = b->leftover || m->err_workload < 0 ? "" : "; its files were removed";
        const char *lim;
        char buf[32];

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
        case EFBIG:
                lim = limit_text(RLIMIT_FSIZE, 0, buf, sizeof(buf));
                log_error("--bench: the file size limit (ulimit -f%s%s) was reached while "
                          "writing %s (%s in %s: %s); partial results follow%s",
                          lim ? ": " : "", lim ? lim : "", bench_file(m->err_workload), m->err_call,
                          where, strerror(-m->err), left);
                break;
        case ENOMEM:
                lim = limit_text(RLIMIT_AS, 0, buf, sizeof(buf));
                log_error("--bench: could not allocate memory (%s in %s)%s%s%s%s", m->err_call,
                          where, lim ? " under a memory limit of " : "", lim ? lim : "",
                          lim ? " (ulimit -v)" : "", left);
                break;
        case EMFILE:
                lim = limit_text(RLIMIT_NOFILE, 1, buf, sizeof(buf));
                log_error("--bench: too many open files (%s in %s): the limit of open files%s%s%s "
                          "is too low for the benchmark, which needs 8%s",
                          m->err_call, where, lim ? " (ulimit -n " : "", lim ? lim : "",
                          lim ? ")" : "", left);
                break;
        default:
                if (m->err_detail[0])
                        log_error("--bench: %s%s", m->err_detail, left);
                else
                        log_error("--bench: %s failed in %s on %s: %s%s", m->err_call, where,
                                  b->path, strerror(-m->err), left);
                break;
        }
}

/* The benchmark process died of a signal: say which, and what usually sends
 * it, rather than blame the file system. */
static void log_bench_killed(const struct bench_result *b)
{
        const struct bench_measure *m = &b->m;
        const char *sig = signal_abbrev(m->killed_by) ? signal_abbrev(m->killed_by) : "?";
        const char *where =
                m->err_workload >= 0 ? bench_workload_to_string(m->err_workload) : "setup";
        const char *left = b->leftover ? "" : "; its files were removed";
        const char *lim;
        char buf[32];

        switch (m->killed_by) {
        case SIGXFSZ:
                lim = limit_text(RLIMIT_FSIZE, 0, buf, sizeof(buf));
                log_error("--bench: the benchmark process was killed by SIGXFSZ (file size "
                          "limit, ulimit -f%s%s, reached while writing %s); partial results "
                          "follow%s",
                          lim ? " " : "", lim ? lim : "", bench_file(m->err_workload), left);
                break;
        case SIGKILL:
                log_error("--bench: the benchmark process was killed by SIGKILL in %s (by "
                          "another process, or the kernel's out-of-memory killer); partial "
                          "results follow%s",
                          where, left);
                break;
        case SIGSEGV:
        case SIGBUS:
                lim = limit_text(RLIMIT_AS, 0, buf, sizeof(buf));
                if (lim) {
                        log_error("--bench: the benchmark process was killed by SIG%s in %s: "
                                  "it could not grow its memory under the limit of %s "
                                  "(ulimit -v); partial results follow%s",
                                  sig, where, lim, left);
                        break;
                }
                __attribute__((fallthrough));
        default:
                log_error("--bench: the benchmark process was killed by SIG%s in %s; partial "
                          "results follow%s",
                          sig, where, left);
                break;
        }
}

/* Runs after probe and classify; returns the exit status the benchmark asks
 * for. The partial results stay in r->bench and are printed in every case. */
static int run_bench(const struct options *o, struct report *r, uint64_t started_ns)
{
        struct bench_params bp = {
                .path = r->home.resolved_path,
                .budget_ns = o->bench_time_ns,
                .size_bytes = o->bench_size,
                .fs_magic = r->home.fs_magic,
                .grace_ns = o->timeout_ns,
                .progress = isatty(STDERR_FILENO) == 1,
                .started_ns = started_ns,
        };
        char err[256] = "", buf[32];
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
        if (bench_assess(r->bench, r) < 0 || bench_estimate_tasks(r->bench) < 0) {
                log_error("out of memory");
                return EXIT_FAILURE_RUN;
        }
        m = &r->bench->m;
        if (m->stale_removed)
                log_error("--bench: removed %" PRIu32 " stale benchmark director%s (%s) left in "
                          "%s by %s killed: %s%s",
                          m->stale_removed, m->stale_removed == 1 ? "y" : "ies",
                          format_bytes(buf, sizeof(buf), m->stale_bytes), bp.path,
                          m->stale_removed == 1 ? "a run that was" : "runs that were",
                          m->stale_name, m->stale_removed > 1 ? " and others" : "");
        if (m->interrupted) {
                log_error("--bench: stopped by %s; %s, partial results follow",
                          signal_abbrev(bench_stop_signal()) ? signal_abbrev(bench_stop_signal())
                                                             : "a signal",
                          r->bench->leftover ? "its directory could not be removed"
                                             : "its files were removed");
                k = EXIT_INTERRUPTED;
        } else if (m->killed_by) {
                log_bench_killed(r->bench);
                k = EXIT_FAILURE_RUN;
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

/* getcwd(2) itself, not glibc's getcwd(3): the system call names the
 * directory from the kernel's cache and touches no file system, where glibc,
 * past PATH_MAX, walks ".." reading every directory up to the root. */
static int current_dir(char buf[PATH_MAX])
{
        long n = syscall(SYS_getcwd, buf, PATH_MAX);

        if (n < 0)
                return negative_errno();
        /* "(unreachable)/...": outside this process's root (a chroot). */
        if (buf[0] != '/')
                return -EXDEV;
        return 0;
}

/* The directory a relative --path is taken from; *ret is NULL when it has no
 * name. Live, a relative --path without one used to be taken from "/", and
 * --bench --path . wrote in "/": that is a failure now (exit 3, as any path
 * that cannot be resolved), said here. Under --sysroot a relative --path is
 * taken from the snapshot's top, as every path in it: the caller's directory
 * means nothing there. Returns 0, or logs and returns -errno. */
static int path_cwd(const struct options *o, char buf[PATH_MAX], const char **ret)
{
        int k = current_dir(buf);

        *ret = k == 0 ? buf : NULL;
        if (k == 0 || !o->path || o->path[0] == '/' || o->sysroot)
                return 0;
        switch (-k) {
        case ENOENT:
                log_error("cannot resolve relative path '%s': the current directory was deleted",
                          o->path);
                break;
        case ENAMETOOLONG:
        case ERANGE:
                log_error("cannot resolve relative path '%s': the current directory is longer "
                          "than PATH_MAX (%d bytes)",
                          o->path, PATH_MAX);
                break;
        case EXDEV:
                log_error("cannot resolve relative path '%s': the current directory is outside "
                          "this process's root",
                          o->path);
                break;
        default:
                log_error("cannot resolve relative path '%s': the current directory has no "
                          "name: %s",
                          o->path, strerror(-k));
                break;
        }
        return k;
}

/* --sysroot is read, and collect's destination written, by plain calls in
 * this process, not in the probe's workers: if their file system is dead,
 * the first such call never returns. So each is asked once in a worker,
 * bounded by --timeout, before anything else. Returns 0, or logs and returns
 * -errno (-ETIMEDOUT: one did not answer). */
static int check_answers(const struct options *o, const char *cwd)
{
        _cleanup_strv_free_ char **paths = NULL;
        _cleanup_free_ char *error = NULL;
        size_t n, i = 0;
        int k;

        if (o->collect) {
                k = collect_dest_dirs(o->collect, &paths);
                if (k < 0) {
                        log_error("out of memory");
                        return k;
                }
        }
        if ((o->sysroot && strv_push(&paths, strdup(o->sysroot)) < 0) ||
            (o->compare && strv_push(&paths, strdup(o->compare)) < 0)) {
                log_error("out of memory");
                return -ENOMEM;
        }
        n = strv_length(paths);
        if (n == 0)
                return 0;
        k = probe_paths_answer((const char *const *)paths, n, cwd, o->timeout_ns, &i, &error);
        if (k == -ETIMEDOUT) {
                if (o->compare && i == n - 1)
                        log_error("cannot read --compare %s: %s", o->compare, strna(error));
                else if (o->sysroot && i == n - (o->compare ? 2 : 1))
                        log_error("cannot open --sysroot %s: %s", o->sysroot, strna(error));
                else if (i < 2)
                        log_error("collect: cannot write %s: %s", o->collect, strna(error));
                else
                        log_error("collect: cannot write %s: its temporary directory %s: %s",
                                  o->collect, paths[i], strna(error));
        } else if (k < 0)
                log_error("cannot start a worker process: %s", strerror(-k));
        return k;
}

/* The report's time: now, live; under --sysroot the bundle's (probe). A
 * benchmark replayed from a bundle is judged as a live one is, by this
 * version's rules. Returns 0, or logs and returns -ENOMEM. */
static int stamp_and_assess(const struct options *o, struct report *r, uint64_t started_ms)
{
        if (!o->sysroot)
                r->generated_at = started_ms / 1000;
        if (r->bench && r->bench->recorded_at &&
            (bench_assess(r->bench, r) < 0 || bench_estimate_tasks(r->bench) < 0)) {
                log_error("out of memory");
                return -ENOMEM;
        }
        return 0;
}

/* --compare, before anything is probed: the file is read and checked as a
 * report, so that a wrong one is refused at once. Returns EXIT_OK with the
 * document, or logs and returns the exit status. */
static int compare_load(const struct options *o, cJSON **ret)
{
        _cleanup_free_ char *text = NULL;
        char err[PATH_MAX + 256];
        size_t len;
        int k;

        *ret = NULL;
        if (!o->compare)
                return EXIT_OK;
        k = input_read_regular(o->compare, INPUT_MAX, &text, &len, err, sizeof(err));
        if (k == 0)
                k = compare_parse(o->compare, text, len, ret, err, sizeof(err));
        if (k == 0)
                return EXIT_OK;
        log_error("--compare: %s", err);
        /* A file that is there but cannot be read is a failure; any other
         * is the wrong argument. */
        return k == -EIO || k == -ENOMEM ? EXIT_FAILURE_RUN : EXIT_USAGE;
}

/* `collect DEST`: the same probe with the sysroot layer recording what it
 * reads, then the bundle. An existing destination is a usage error (exit 2),
 * checked before anything is probed; nothing is ever overwritten. */
static int run_collect(const struct options *o, const char *cwd, uint64_t started_ms,
                       uint64_t started_ns)
{
        struct sysroot_recorder rec = {};
        struct sysroot root = { .fd = -1 };
        struct collect_dest dest;
        struct probe_params pp;
        struct report r;
        _cleanup_strv_free_ char **warnings = NULL;
        char err[512] = "";
        size_t files = 0;
        int k, status, bench_status = EXIT_OK;

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
                .cwd = cwd,
        };
        if (probe_and_classify(&root, &pp, &r) < 0) {
                status = EXIT_FAILURE_RUN;
                goto out;
        }
        if (stamp_and_assess(o, &r, started_ms) < 0) {
                status = EXIT_FAILURE_RUN;
                goto out;
        }
        if (o->bench) {
                bench_status = run_bench(o, &r, started_ns);
                if (!r.bench) {
                        status = bench_status;
                        goto out;
                }
        }
        k = collect_write(&root, &r, &dest, o->redact, &files, &warnings, err, sizeof(err));
        if (k < 0) {
                log_error("%s", err[0] ? err : strerror(-k));
                status = EXIT_FAILURE_RUN;
                goto out;
        }
        for (char **w = warnings; w && *w; w++)
                fprintf(stderr, "%s: warning: %s\n", prog, *w);
        printf("%s: %zu files, environment %s (%s confidence)%s%s\n", o->collect, files,
               environment_to_string(r.environment), confidence_to_string(r.confidence),
               o->redact ? ", redacted" : "", r.bench ? ", with the benchmark" : "");
        status = EXIT_OK;
        if (r.timed_out) {
                log_error("a file system did not answer within the timeout; the bundle is "
                          "incomplete");
                status = EXIT_FAILURE_RUN;
        }
out:
        collect_dest_done(&dest, status != EXIT_OK && !r.timed_out);
        /* The bundle holds what the benchmark measured; the exit status
         * still says that it failed or was stopped. */
        if (status == EXIT_OK && bench_status != EXIT_OK)
                status = bench_status;
        report_done(&r);
        sysroot_close(&root);
        sysroot_recorder_done(&rec);
        return status;
}

static int render(FILE *out, const struct options *o, const struct report *r, uint64_t started_ms,
                  bool color, unsigned width)
{
        if (o->quiet)
                return 0;
        if (o->n_fields)
                return render_fields(out, r, o->fields, o->n_fields, o->noheadings);
        if (o->id) {
                fprintf(out, "%s\n", environment_to_string(r->environment));
                for (char **w = r->warnings; w && *w; w++) {
                        fprintf(stderr, "%s: warning: ", prog);
                        put_name(*w);
                        fputc('\n', stderr);
                }
                return 0;
        }
        switch (o->format) {
        case FORMAT_JSON:
                return render_json(out, r);
        case FORMAT_EMF:
                return render_emf(out, r, started_ms);
        case FORMAT_PROMETHEUS:
                return render_prometheus(out, r);
        default:
                return render_text(out, r, color, width);
        }
}

/* --output-file: the whole output is rendered first, so that FILE is touched only
 * once it is complete; output_write() does the rest. A signal that stopped the
 * writing is re-raised once the temporary file is gone: the caller sees that
 * the run was killed, as it would have been without us. */
static int write_output(const struct options *o, const struct report *r, uint64_t started_ms)
{
        _cleanup_free_ char *buf = NULL;
        char err[PATH_MAX + 256];
        size_t len = 0;
        FILE *f;
        int k, sig;

        f = open_memstream(&buf, &len);
        if (!f) {
                log_error("out of memory");
                return EXIT_FAILURE_RUN;
        }
        k = render(f, o, r, started_ms, false, 0);
        if (fclose(f) != 0 && k == 0)
                k = -ENOMEM;
        if (k < 0) {
                log_error("out of memory");
                return EXIT_FAILURE_RUN;
        }
        k = output_write(o->output, buf, len, o->timeout_ns, &sig, err, sizeof(err));
        if (sig) {
                if (k < 0)
                        log_error("stopped by %s; %s was left as it was",
                                  signal_abbrev(sig) ? signal_abbrev(sig) : "a signal", o->output);
                fflush(stdout);
                signal(sig, SIG_DFL);
                raise(sig);
                return EXIT_INTERRUPTED;
        }
        if (k < 0) {
                log_error("%s", err);
                return EXIT_FAILURE_RUN;
        }
        return EXIT_OK;
}

/* --expect: 0 when the environment is one of the list, else 1 and, unless
 * --quiet, what was found instead. */
static int expect_status(const struct options *o, const struct report *r)
{
        if (o->expect & (1u << r->environment))
                return EXIT_OK;
        if (!o->quiet) {
                fprintf(stderr, "%s: environment is %s, not ", prog,
                        environment_to_string(r->environment));
                for (int e = 0, n = 0; e < _ENV_MAX; e++)
                        if (o->expect & (1u << e))
                                fprintf(stderr, "%s%s", n++ ? " or " : "",
                                        environment_to_string(e));
                fprintf(stderr, " (--expect)\n");
        }
        return EXIT_EXPECT_FAILED;
}

static int run(int argc, char *argv[])
{
        uint64_t started_ms = now_ms(), started_ns = now_ns();
        struct options o;
        struct sysroot root = { .fd = -1 };
        struct report r;
        struct probe_params pp;
        char err[PATH_MAX + 512], cwdbuf[PATH_MAX];
        const char *cwd;
        cJSON *old = NULL;
        int k, status, bench_status = EXIT_OK;

        k = options_parse(argc, argv, &o, err, sizeof(err));
        if (k < 0) {
                log_error("%s", err);
                fprintf(stderr, "Try '%s --help' for more information.\n", prog);
                return EXIT_USAGE;
        }
        switch (o.action) {
        case ACTION_HELP:
                options_print_help(stdout, prog, terminal_width());
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

        if (path_cwd(&o, cwdbuf, &cwd) < 0 || check_answers(&o, cwd) < 0)
                return EXIT_FAILURE_RUN;
        k = sysroot_open(&root, o.sysroot);
        if (k < 0) {
                log_error("cannot open --sysroot %s: %s", o.sysroot ? o.sysroot : "/",
                          strerror(-k));
                return EXIT_FAILURE_RUN;
        }
        if (o.collect) {
                sysroot_close(&root);
                return run_collect(&o, cwd, started_ms, started_ns);
        }
        status = compare_load(&o, &old);
        if (status != EXIT_OK) {
                sysroot_close(&root);
                return status;
        }

        pp = (struct probe_params){
                .path = o.path,
                .timeout_ns = o.timeout_ns,
                .cwd = cwd,
        };
        report_init(&r);
        if (probe_and_classify(&root, &pp, &r) < 0 || stamp_and_assess(&o, &r, started_ms) < 0) {
                status = EXIT_FAILURE_RUN;
                goto out;
        }
        if (o.bench) {
                bench_status = run_bench(&o, &r, started_ns);
                if (!r.bench) {
                        status = bench_status;
                        goto out;
                }
        }
        if (old) {
                k = compare_reports(o.compare, old, &r, err, sizeof(err));
                if (k < 0) {
                        log_error("--compare: %s", k == -ENOMEM ? "out of memory" : err);
                        status = k == -ENOMEM ? EXIT_FAILURE_RUN : EXIT_USAGE;
                        goto out;
                }
        }

        if (o.output) {
                k = write_output(&o, &r, started_ms);
                if (k != EXIT_OK) {
                        status = k;
                        goto out;
                }
        } else {
                k = render(stdout, &o, &r, started_ms, want_color(&o),
                           o.format == FORMAT_HUMAN ? terminal_width() : 0);
                if (k == -ENOMEM) {
                        log_error("out of memory");
                        status = EXIT_FAILURE_RUN;
                        goto out;
                }
        }

        if (r.timed_out) {
                /* Name each mount (mount point, type, server) and how long it
                 * was given: the report went to stdout, maybe into a pipe. */
                const struct storage *s;

                report_for_each_storage(s, &r) {
                        if (!s->error)
                                continue;
                        fprintf(stderr, "%s: ", prog);
                        put_name(s->mountpoint);
                        fputs(" (", stderr);
                        put_name(s->fstype);
                        fputs(" from ", stderr);
                        put_name(s->source);
                        fputs("): ", stderr);
                        put_name(s->error);
                        fputc('\n', stderr);
                }
                log_error("a file system did not answer within the timeout; the report is "
                          "incomplete");
                status = EXIT_FAILURE_RUN;
        } else if (o.expect)
                status = expect_status(&o, &r);
        else if (o.quiet)
                status = r.environment == ENV_NONE ? EXIT_EXPECT_FAILED : EXIT_OK;
        else
                status = EXIT_OK;
        if (bench_status == EXIT_INTERRUPTED ||
            (bench_status != EXIT_OK && status != EXIT_INTERRUPTED && status != EXIT_FAILURE_RUN))
                status = bench_status;
out:
        cJSON_Delete(old);
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
