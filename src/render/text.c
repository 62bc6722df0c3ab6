/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "probe/blockstat.h"
#include "render/bench.h"
#include "render/text.h"
#include "probe/sagemaker.h"
#include "core/strutil.h"

struct out {
        FILE *f;
        bool color;
};

#define ANSI_BOLD "\033[1m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_DIM "\033[2m"
#define ANSI_RESET "\033[0m"

/* A terminal must not be driven by a file name: control characters and bytes
 * that are not UTF-8 are shown escaped, as ls -b does. */
static void put_escaped(FILE *f, const char *s)
{
        if (s)
                fputs_escaped(f, s);
        else
                fputs("unknown", f);
}

static void label(struct out *o, const char *l)
{
        fprintf(o->f, "  %-9s ", l);
}

static void heading(struct out *o, const char *h)
{
        fprintf(o->f, "\n%s%s%s\n", o->color ? ANSI_BOLD : "", h, o->color ? ANSI_RESET : "");
}

/* "EBS volume vol-0abc", "EFS file system fs-0123 (access point fsap-…)". */
static void storage_line(struct out *o, const struct storage *s)
{
        fputs(storage_kind_to_title(s->kind), o->f);
        if (s->device && s->device->ebs_volume_id) {
                fputc(' ', o->f);
                put_escaped(o->f, s->device->ebs_volume_id);
        }
        if (s->nfs && s->nfs->efs_filesystem_id) {
                fputc(' ', o->f);
                put_escaped(o->f, s->nfs->efs_filesystem_id);
                if (s->nfs->efs_access_point_id) {
                        fputs(" (access point ", o->f);
                        put_escaped(o->f, s->nfs->efs_access_point_id);
                        fputc(')', o->f);
                }
        }
        if (s->fsx && s->fsx->filesystem_id) {
                fputc(' ', o->f);
                put_escaped(o->f, s->fsx->filesystem_id);
        }
        if (s->fsx && s->fsx->mount_name) {
                fputs(" (mount name ", o->f);
                put_escaped(o->f, s->fsx->mount_name);
                fputc(')', o->f);
        }
        if (s->fsx && s->fsx->region) {
                fputs(", ", o->f);
                put_escaped(o->f, s->fsx->region);
        }
        if (s->nfs && s->nfs->domain_home_efs)
                fputs(", the domain's home EFS (~/user-default-efs)", o->f);
        if (s->nfs && s->nfs->region) {
                fputs(", ", o->f);
                put_escaped(o->f, s->nfs->region);
        }
}

static void size_line(struct out *o, const struct storage *s)
{
        char a[32], b[32];

        if (s->size_bytes == U64_UNSET)
                fputs("size unknown", o->f);
        else
                fprintf(o->f, "%s, %s free", format_bytes(a, sizeof(a), s->size_bytes),
                        format_bytes(b, sizeof(b), s->free_bytes));
}

/* "3 d 4 h", "2 h 5 min", "4 min 2 s": the age of a mount. */
static void put_age(FILE *f, uint64_t s)
{
        if (s >= 86400)
                fprintf(f, "%" PRIu64 " d %" PRIu64 " h", s / 86400, s % 86400 / 3600);
        else if (s >= 3600)
                fprintf(f, "%" PRIu64 " h %" PRIu64 " min", s / 3600, s % 3600 / 60);
        else if (s >= 60)
                fprintf(f, "%" PRIu64 " min %" PRIu64 " s", s / 60, s % 60);
        else
                fprintf(f, "%" PRIu64 " s", s);
}

static void put_count(FILE *f, uint64_t n)
{
        if (n >= 1000000000)
                fprintf(f, "%.1f G", (double)n / 1e9);
        else if (n >= 1000000)
                fprintf(f, "%.1f M", (double)n / 1e6);
        else if (n >= 10000)
                fprintf(f, "%.1f k", (double)n / 1e3);
        else
                fprintf(f, "%" PRIu64, n);
}

/* The NFS history since mount (mountstats), in milliseconds: the ops of
 * everyday file work, in the order a path is walked, opened, read, written. */
static void nfs_history(struct out *o, const struct nfs_rpc *rpc)
{
        static const char *const shown[] = { "GETATTR", "LOOKUP", "ACCESS",
                                             "CREATE",  "READ",   "WRITE" };
        uint64_t ops = 0, reconnects = nfs_rpc_reconnects(rpc);
        bool any = false;

        if (!rpc)
                return;
        for (size_t i = 0; i < rpc->n_ops; i++)
                ops = rpc->ops[i].count > UINT64_MAX - ops ? UINT64_MAX : ops + rpc->ops[i].count;
        label(o, "history");
        if (rpc->age_seconds != U64_UNSET) {
                put_age(o->f, rpc->age_seconds);
                fputs(" since mount: ", o->f);
        } else
                fputs("since mount: ", o->f);
        put_count(o->f, ops);
        fprintf(o->f, " ops, %" PRIu64 " retransmissions, %" PRIu64 " timeouts",
                rpc->retransmissions, rpc->timeouts);
        if (reconnects != U64_UNSET)
                fprintf(o->f, ", %" PRIu64 " reconnects", reconnects);
        fputc('\n', o->f);
        for (size_t i = 0; i < ARRAY_SIZE(shown); i++) {
                const struct nfs_rpc_op *op = nfs_rpc_find(rpc, shown[i]);
                uint64_t ns = op ? nfs_rpc_mean_ns(op->rtt_ms, op->count) : U64_UNSET;

                if (ns == U64_UNSET)
                        continue;
                if (!any)
                        label(o, "mean RTT");
                fprintf(o->f, ns < NSEC_PER_MSEC ? "%s%s %.2f ms" : "%s%s %.1f ms", any ? ", " : "",
                        op->op, (double)ns / 1e6);
                any = true;
        }
        if (any)
                fputc('\n', o->f);
}

/* A mean per request in milliseconds, as iostat -x shows r_await. */
static void put_await(FILE *f, uint64_t n, const char *what, uint64_t mean_ns)
{
        fprintf(f, "%" PRIu64 " %s", n, what);
        if (mean_ns != U64_UNSET)
                fprintf(f, " at %.2f ms", (double)mean_ns / 1e6);
}

static void put_seconds(FILE *f, uint64_t us)
{
        if (us == U64_UNSET)
                fputs("unknown", f);
        else
                fprintf(f, "%.1f s", (double)us / 1e6);
}

/* The device's passive history: its counters since boot, and for EBS the time
 * spent above the volume's and the instance's limits. */
static void device_history(struct out *o, const struct block_device *d)
{
        const struct block_io *io = d->io;

        if (io) {
                label(o, "I/O");
                fputs("since boot", o->f);
                if (io->since_boot_seconds != U64_UNSET) {
                        fputs(" (", o->f);
                        put_age(o->f, io->since_boot_seconds);
                        fputc(')', o->f);
                }
                fputs(": ", o->f);
                put_await(o->f, io->reads, "reads", block_io_mean_ns(io->read_ms, io->reads));
                fputs(", ", o->f);
                put_await(o->f, io->writes, "writes", block_io_mean_ns(io->write_ms, io->writes));
                fprintf(o->f, ", %" PRIu64 " in flight\n", io->in_flight);
        }
        if (d->ebs) {
                label(o, "EBS stats");
                fputs("above the volume's IOPS ", o->f);
                put_seconds(o->f, d->ebs->exceeded_iops_us);
                fputs(", throughput ", o->f);
                put_seconds(o->f, d->ebs->exceeded_tp_us);
                fputs("; above the instance's IOPS ", o->f);
                put_seconds(o->f, d->ebs->ec2_exceeded_iops_us);
                fputs(", throughput ", o->f);
                put_seconds(o->f, d->ebs->ec2_exceeded_tp_us);
                fputc('\n', o->f);
        } else if (d->ebs_error) {
                label(o, "EBS stats");
                fputs("not read: ", o->f);
                put_escaped(o->f, d->ebs_error);
                fputc('\n', o->f);
        }
}

static void describe(struct out *o, const struct storage *s)
{
        label(o, "storage");
        storage_line(o, s);
        fputc('\n', o->f);
        if (s->device) {
                const struct block_device *d = s->device;
                label(o, "device");
                fputs("/dev/", o->f);
                put_escaped(o->f, d->partition ? d->partition : d->name);
                if (d->model) {
                        fputs(", ", o->f);
                        put_escaped(o->f, d->model);
                }
                if (d->serial && !d->ebs_volume_id) {
                        fputs(", serial ", o->f);
                        put_escaped(o->f, d->serial);
                }
                if (d->fs_type) {
                        fputs(", ", o->f);
                        put_escaped(o->f, d->fs_type);
                }
                if (d->uuid) {
                        fputs(" UUID ", o->f);
                        put_escaped(o->f, d->uuid);
                }
                if (d->label) {
                        fputs(" label ", o->f);
                        put_escaped(o->f, d->label);
                }
                fputc('\n', o->f);
                device_history(o, d);
        }
        if (s->nfs) {
                label(o, "server");
                put_escaped(o->f, s->nfs->server);
                fputs(", export ", o->f);
                put_escaped(o->f, s->nfs->export);
                if (s->nfs->version) {
                        fputs(", NFS ", o->f);
                        put_escaped(o->f, s->nfs->version);
                }
                if (s->nfs->efs_utils)
                        fputs(", through efs-utils", o->f);
                fputc('\n', o->f);
        }
        label(o, "mount");
        put_escaped(o->f, s->mountpoint);
        fputs(" (", o->f);
        put_escaped(o->f, s->fstype);
        fputs(" from ", o->f);
        put_escaped(o->f, s->source);
        fputs(")\n", o->f);
        label(o, "size");
        if (s->size_bytes == U64_UNSET)
                fputs("unknown", o->f);
        else
                size_line(o, s);
        fputc('\n', o->f);
        nfs_history(o, s->nfs ? s->nfs->rpc : NULL);
        if (s->error) {
                label(o, "error");
                put_escaped(o->f, s->error);
                fputc('\n', o->f);
        }
}

/* landscape-2026 §1.1: recovery mode comes before anything else. */
static void recovery_mode(struct out *o, const struct report *r)
{
        if (!r->recovery_mode)
                return;
        fprintf(o->f,
                "%sRecovery mode:%s the app was started to repair its home; " SAGEMAKER_USER_HOME
                " is inspected anyway and is probably full\n\n",
                o->color ? ANSI_YELLOW : "", o->color ? ANSI_RESET : "");
}

/* landscape-2026 §1.2: the DataZone ids of a Unified Studio project. */
static void datazone(struct out *o, const struct report *r)
{
        const struct sagemaker *s = &r->sagemaker;

        if (!s->datazone_domain_id && !s->datazone_project_id)
                return;
        label(o, "DataZone");
        fputs("domain ", o->f);
        put_escaped(o->f, strna(s->datazone_domain_id));
        fputs(", project ", o->f);
        put_escaped(o->f, strna(s->datazone_project_id));
        fputc('\n', o->f);
        if (s->project_shared_directory) {
                label(o, "project");
                put_escaped(o->f, s->project_shared_directory);
                fputs(" (S3-backed: not for heavy reads and writes)\n", o->f);
        }
}

static void verdict(struct out *o, const struct report *r)
{
        const struct sagemaker *s = &r->sagemaker;
        const char *app = sagemaker_app_type(s);
        const char *space = s->space_name ? s->space_name : s->env_space_name;

        fprintf(o->f, "%s%s%s", o->color ? ANSI_BOLD : "", environment_to_title(r->environment),
                o->color ? ANSI_RESET : "");
        if (r->environment == ENV_STUDIO_NEW || r->environment == ENV_STUDIO_CLASSIC ||
            r->environment == ENV_UNIFIED_STUDIO || r->environment == ENV_RSTUDIO) {
                if (app) {
                        fputs(", ", o->f);
                        put_escaped(o->f, app);
                }
                if (space) {
                        fputs(s->env_space_type ? " " : " in space ", o->f);
                        if (s->env_space_type) {
                                put_escaped(o->f, s->env_space_type);
                                fputs(" space ", o->f);
                        }
                        put_escaped(o->f, space);
                } else if (s->user_profile_name) {
                        fputs(" of user ", o->f);
                        put_escaped(o->f, s->user_profile_name);
                }
        } else if (r->environment == ENV_NOTEBOOK_INSTANCE && s->resource_name) {
                fputc(' ', o->f);
                put_escaped(o->f, s->resource_name);
        } else if (r->environment == ENV_TRAINING_JOB && s->env_training_job_name) {
                fputc(' ', o->f);
                put_escaped(o->f, s->env_training_job_name);
        }
        if (r->job_kind) {
                fputs(", a notebook job", o->f);
                if (s->env_input_notebook_name) {
                        fputs(" running ", o->f);
                        put_escaped(o->f, s->env_input_notebook_name);
                }
        } else if (r->environment == ENV_PROCESSING_JOB && s->processing_job_name) {
                fputc(' ', o->f);
                put_escaped(o->f, s->processing_job_name);
        } else if (r->environment == ENV_HYPERPOD && s->compute.node_name) {
                fputc(' ', o->f);
                put_escaped(o->f, s->compute.node_name);
                if (s->compute.instance_group) {
                        fputs(" of instance group ", o->f);
                        put_escaped(o->f, s->compute.instance_group);
                }
        }
        fprintf(o->f, " (confidence: %s)\n", confidence_to_string(r->confidence));
        datazone(o, r);
}

/* One line of the report, wrapped on spaces before column width with a
 * hanging indent: under the value for a "  label     value" line, else two
 * columns in. A word longer than the line stays whole (a path must stay
 * copyable), and a line that fits keeps its spacing. */
static void wrap_line(FILE *f, const char *s, size_t n, size_t width)
{
        size_t lead = 0, start, hang, col, i, w, sp;
        bool first = true;

        while (lead < n && s[lead] == ' ')
                lead++;
        for (w = lead; w < n && s[w] != ' '; w++)
                ;
        for (sp = w; sp < n && s[sp] == ' '; sp++)
                ;
        start = lead;
        hang = lead + 2;
        if (lead == 2 && sp - w >= 2 && sp < n) {
                start = sp;
                hang = text_columns(s, sp);
        }
        if (text_columns(s, n) <= width || hang + 20 > width) {
                fwrite(s, 1, n, f);
                fputc('\n', f);
                return;
        }
        fwrite(s, 1, start, f);
        col = text_columns(s, start);
        for (i = start; i < n;) {
                size_t e = i, sep = i, wl;

                while (e < n && s[e] != ' ')
                        e++;
                wl = text_columns(s + i, e - i);
                if (!first && col + 1 + wl > width) {
                        fprintf(f, "\n%*s", (int)hang, "");
                        col = hang;
                        first = true;
                }
                fwrite(s + i, 1, e - i, f);
                col += wl;
                first = false;
                for (sep = e; sep < n && s[sep] == ' '; sep++)
                        ;
                /* the spaces that followed, kept unless the line breaks there */
                if (sep < n) {
                        size_t next = sep;
                        while (next < n && s[next] != ' ')
                                next++;
                        if (col + (sep - e) + text_columns(s + sep, next - sep) <= width) {
                                fwrite(s + e, 1, sep - e, f);
                                col += sep - e;
                        } else {
                                fprintf(f, "\n%*s", (int)hang, "");
                                col = hang;
                                first = true;
                        }
                }
                i = sep;
        }
        fputc('\n', f);
}

/* --compare: "Since 2026-11-02:" and one line a change. */
static void since(struct out *o, const struct report *r)
{
        const struct comparison *c = r->comparison;
        char when[32];

        if (!c)
                return;
        if (c->against_at)
                fprintf(o->f, "\n%sSince %.10s%s (", o->color ? ANSI_BOLD : "",
                        format_iso8601(when, sizeof(when), c->against_at),
                        o->color ? ANSI_RESET : "");
        else
                fprintf(o->f, "\n%sSince the earlier report%s (", o->color ? ANSI_BOLD : "",
                        o->color ? ANSI_RESET : "");
        put_escaped(o->f, c->against_path);
        fputs("):\n", o->f);
        for (size_t i = 0; i < c->n_changes; i++) {
                fputs("  ", o->f);
                put_escaped(o->f, c->changes[i].sentence);
                fputc('\n', o->f);
        }
        if (c->n_changes == 0)
                fputs("  nothing changed that the reports both show\n", o->f);
        if (c->against_bench != (r->bench != NULL))
                fprintf(o->f, "  (%s has a benchmark: run both with --bench to compare figures)\n",
                        c->against_bench ? "only the earlier report" : "only this run");
}

static int render_text_lines(FILE *f, const struct report *r, bool color);

int render_text(FILE *f, const struct report *r, bool color, unsigned width)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *m;
        int k;

        if (width == 0)
                return render_text_lines(f, r, color);
        m = open_memstream(&buf, &len);
        if (!m)
                return -ENOMEM;
        k = render_text_lines(m, r, color);
        if (fclose(m) != 0 && k == 0)
                k = -ENOMEM;
        for (size_t i = 0; k == 0 && i < len;) {
                const char *nl = memchr(buf + i, '\n', len - i);
                size_t n = nl ? (size_t)(nl - (buf + i)) : len - i;

                wrap_line(f, buf + i, n, width);
                i += n + 1;
        }
        free(buf);
        if (k == 0 && ferror(f))
                k = -EIO;
        return k;
}

/* The plain-words verdict of s's history, first in its part of the report;
 * nothing when there is none. */
static void storage_summary(struct out *o, const struct storage *s, const char *indent)
{
        if (!s->summary)
                return;
        fputs(indent, o->f);
        put_escaped(o->f, s->summary);
        fputc('\n', o->f);
}

static int render_text_lines(FILE *f, const struct report *r, bool color)
{
        struct out o = { f, color };

        recovery_mode(&o, r);
        verdict(&o, r);

        heading(&o, "Path");
        storage_summary(&o, &r->home, "  ");
        label(&o, "path");
        put_escaped(f, r->home.path);
        if (r->home.resolved_path && strcmp(r->home.resolved_path, r->home.path) != 0) {
                fputs(" -> ", f);
                put_escaped(f, r->home.resolved_path);
        }
        fputc('\n', f);
        describe(&o, &r->home);

        if (r->n_mounts > 0) {
                heading(&o, "Other storage");
                for (size_t i = 0; i < r->n_mounts; i++) {
                        const struct storage *s = &r->mounts[i];
                        fputs("  ", f);
                        put_escaped(f, s->mountpoint);
                        fputc('\n', f);
                        storage_summary(&o, s, "    ");
                        fputs("    ", f);
                        storage_line(&o, s);
                        fputs("; ", f);
                        size_line(&o, s);
                        if (s->error) {
                                fputs("; ", f);
                                put_escaped(f, s->error);
                        }
                        fputc('\n', f);
                }
        }

        if (r->warnings) {
                heading(&o, "Warnings");
                for (char **w = r->warnings; *w; w++) {
                        fprintf(f, "  %s!%s ", color ? ANSI_YELLOW : "", color ? ANSI_RESET : "");
                        put_escaped(f, *w);
                        fputc('\n', f);
                }
        }

        since(&o, r);

        bench_render_text(f, r->bench, color);

        heading(&o, "Evidence");
        for (size_t i = 0; i < r->n_evidence; i++) {
                const struct evidence *e = &r->evidence[i];
                fputs("  ", f);
                put_escaped(f, e->source);
                fputs(": ", f);
                put_escaped(f, e->detail);
                if (e->points_to >= 0)
                        fprintf(f, "%s -> %s%s", color ? ANSI_DIM : "",
                                environment_to_string(e->points_to), color ? ANSI_RESET : "");
                fputc('\n', f);
        }
        return ferror(f) ? -EIO : 0;
}
