/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "classify/estimates.h"
#include "classify/plain.h"
#include "core/macro.h"

/* The file-system operations of everyday tasks, on the paths under the
 * task's directory only (the interpreter's and git's own files elsewhere are
 * not counted), as `python3 tests/perf/count-task-ops.py --python
 * /usr/bin/python3 --debian-wheelhouse WH --repo PIP-CLONE --c-table`
 * printed them on 2026-11-30 (Debian 12, Linux 6.18, ext4, strace 6.1,
 * Python 3.11.2, pip 23.0.1, git 2.39.5):
 * - pip: `pip install --no-cache-dir numpy pandas scikit-learn matplotlib` and
 *   their 13 dependencies into a fresh venv, from wheels the script built out
 *   of Debian's packages (numpy 1.24.2, pandas 1.5.3, scikit-learn 1.2.1,
 *   scipy 1.10.1, matplotlib 3.6.3...: 11,116 files installed, .pyc
 *   included), the package index being out of reach here;
 * - conda: not traced (not installable here), derived by the script from the
 *   pip row: the same per-file costs for the stack plus a Python of its own
 *   (12,551 files, × 1.129), and one hard link per file from the package
 *   cache into the environment; native libraries left out, so it is low;
 * - import: `python -c "import pandas"` in that venv, after one warm-up run;
 * - git: `git clone file://...` of pypa/pip (1,070 files, 175,640 objects,
 *   110 MiB pack), then the second `git status` in the clone.
 * Creates include mkdir, rename, link and the metadata writes (chmod,
 * utimensat); stats include opens of existing files, directory reads and
 * failed look-ups (and failed creates: EEXIST is a look-up). */
static const struct task_ops {
        const char *task;
        uint64_t creates, stats, unlinks, syncs;
        uint64_t bytes_read, bytes_written;
} tasks[] = {
        { "pip install scientific stack", 14644, 62236, 0, 34, 70774844, 280946004 },
        { "conda create data-science env", 29085, 70270, 0, 38, 79911395, 317214222 },
        { "git clone mid-size repo", 1343, 3732, 9, 2, 68103583, 96549721 },
        { "git status mid-size repo", 1, 2001, 1, 0, 18110, 0 },
        { "python -c 'import pandas'", 0, 2167, 0, 0, 10770739, 0 },
};

/* The references are the verdict's (classify/plain.c, with their sources):
 * one EBS gp3 volume and one EFS best case for every sentence and estimate.
 * An unlink changes a directory entry and an inode as a creation does, so it
 * costs what a creation costs; the references' streams read and write at
 * the same rate. */
#define NS(x) ((double)(x) / 1e9)
const struct op_costs op_costs_ebs_gp3 = {
        .create = NS(REF_EBS_CREATE_NS),
        .stat = NS(REF_EBS_STAT_NS),
        .unlink = NS(REF_EBS_CREATE_NS),
        .sync = NS(REF_EBS_IO_NS),
        .read_bps = (double)REF_EBS_BPS,
        .write_bps = (double)REF_EBS_BPS,
};

const struct op_costs op_costs_efs = {
        .create = NS(REF_EFS_WRITE_NS),
        .stat = NS(REF_EFS_READ_NS),
        .unlink = NS(REF_EFS_WRITE_NS),
        .sync = NS(REF_EFS_WRITE_NS),
        .read_bps = (double)REF_EFS_BPS,
        .write_bps = (double)REF_EFS_BPS,
};

static double mean_s(const struct bench_measure *m, enum bench_workload_id w)
{
        const struct bench_workload *x = &m->w[w];

        if (!x->ran || x->latency.n == 0 || x->latency.mean == U64_UNSET)
                return -1;
        return (double)x->latency.mean / 1e9;
}

static double rate(const struct bench_measure *m, enum bench_workload_id w)
{
        const struct bench_workload *x = &m->w[w];

        if (!x->ran || x->ops == 0 || x->per_second == 0 || x->per_second == U64_UNSET)
                return -1;
        return (double)x->per_second;
}

void op_costs_measured(struct op_costs *c, const struct bench_measure *m)
{
        *c = (struct op_costs){
                .create = mean_s(m, BENCH_MD_CREATE),
                .stat = mean_s(m, BENCH_MD_STAT),
                .unlink = mean_s(m, BENCH_MD_UNLINK),
                .sync = mean_s(m, BENCH_SYNC_WRITE),
                .read_bps = rate(m, BENCH_SEQ_READ),
                .write_bps = rate(m, BENCH_SEQ_WRITE),
        };
}

static bool add(double *sum, uint64_t n, double cost)
{
        if (n == 0)
                return true;
        if (cost < 0)
                return false;
        *sum += (double)n * cost;
        return true;
}

double task_seconds(const struct op_costs *c, uint64_t creates, uint64_t stats, uint64_t unlinks,
                    uint64_t syncs, uint64_t bytes_read, uint64_t bytes_written)
{
        double s = 0;

        if (!add(&s, creates, c->create) || !add(&s, stats, c->stat) ||
            !add(&s, unlinks, c->unlink) || !add(&s, syncs, c->sync) ||
            !add(&s, bytes_read, c->read_bps > 0 ? 1.0 / c->read_bps : -1) ||
            !add(&s, bytes_written, c->write_bps > 0 ? 1.0 / c->write_bps : -1))
                return -1;
        return s;
}

static double seconds_of(const struct task_ops *t, const struct op_costs *c)
{
        return task_seconds(c, t->creates, t->stats, t->unlinks, t->syncs, t->bytes_read,
                            t->bytes_written);
}

int bench_estimate_tasks(struct bench_result *b)
{
        struct op_costs here;
        size_t n = 0;

        free(b->estimates);
        b->estimates = NULL;
        b->n_estimates = 0;
        op_costs_measured(&here, &b->m);
        b->estimates = calloc(ARRAY_SIZE(tasks), sizeof(*b->estimates));
        if (!b->estimates)
                return -ENOMEM;
        for (size_t i = 0; i < ARRAY_SIZE(tasks); i++) {
                const struct task_ops *t = &tasks[i];
                double s = seconds_of(t, &here);

                if (s < 0)
                        continue;
                b->estimates[n++] = (struct bench_estimate){
                        .task = t->task,
                        .operations = t->creates + t->stats + t->unlinks + t->syncs,
                        .seconds = s,
                        .ref_ebs_gp3 = seconds_of(t, &op_costs_ebs_gp3),
                        .ref_efs = seconds_of(t, &op_costs_efs),
                };
        }
        b->n_estimates = n;
        if (n == 0) {
                free(b->estimates);
                b->estimates = NULL;
        }
        return 0;
}
