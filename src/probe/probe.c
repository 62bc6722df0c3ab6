/* SPDX-License-Identifier: MIT */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe/blockdev.h"
#include "probe/facts.h"
#include "core/fsquery.h"
#include "core/macro.h"
#include "probe/mounts.h"
#include "probe/probe.h"
#include "probe/compute.h"
#include "probe/sagemaker.h"
#include "probe/nfs.h"
#include "probe/mountstats.h"
#include "core/strutil.h"

/* Where SageMaker puts homes and extra storage (studio-facts §2, §3). */
static const char *const default_paths[] = {
        SAGEMAKER_USER_HOME,
        NOTEBOOK_INSTANCE_HOME,
};

/* Other storage worth describing wherever the inspected path is. */
static const char *const interesting_prefixes[] = {
        CUSTOM_FILE_SYSTEMS, /* custom EFS and FSx (§2) */
        SAGEMAKER_NVME,      /* instance store (§2) */
};
static const char *const interesting_mounts[] = {
        SAGEMAKER_USER_HOME,    ROOT_HOME,
        NOTEBOOK_INSTANCE_HOME, SMUS_PROJECT_FOLDER, /* landscape-2026 §1.2 */
        STUDIO_LAB_HOME,                             /* landscape-2026 §1.6 */
        HYPERPOD_OPT_SAGEMAKER, /* a HyperPod node's extra EBS (landscape §1.7) */
        HYPERPOD_FSX,           /* FSx for Lustre in HyperPod's sample setup (§1.7) */
};
/* Documentation/ABI/stable/sysfs-hypervisor-xen: "xen" under Xen. */
#define HYPERVISOR_TYPE "/sys/hypervisor/type"
#define MOUNTS_OF_INTEREST_MAX 64
/* What the statfs/blkid batch still gets when the path lookup used up the
 * whole --timeout: enough for a healthy mount to answer, short enough that the
 * run stays within --timeout + 1 s however many mounts hang (issue 4). */
#define FACTS_GRACE_NS (250 * NSEC_PER_MSEC)

DEFINE_TRIVIAL_CLEANUP_FUNC(cJSON *, cJSON_Delete)

/* Mounts whose type can hang (fsq_fstype_may_hang()) remembered by target, at
 * most this many: past it, every lookup and statfs goes to a worker. */
#define MAY_HANG_MAX 64

struct filter_ctx {
        /* Lexical first; after a lookup that went elsewhere, resolved. */
        const char *paths[ARRAY_SIZE(default_paths) + 1];
        size_t n;
        /* Every mount of the table that can hang, kept or not. */
        char *may_hang[MAY_HANG_MAX];
        size_t n_may_hang;
        bool may_hang_lost; /* more than MAY_HANG_MAX, or no memory for one */
};

static void filter_ctx_done(struct filter_ctx *f)
{
        for (size_t i = 0; i < f->n_may_hang; i++)
                free(f->may_hang[i]);
        f->n_may_hang = 0;
        f->may_hang_lost = false;
}

static void note_may_hang(struct filter_ctx *f, const struct mount_entry *e)
{
        char *t;

        if (!fsq_fstype_may_hang(e->fstype))
                return;
        if (f->n_may_hang == MAY_HANG_MAX || !(t = strdup(e->target)))
                f->may_hang_lost = true;
        else
                f->may_hang[f->n_may_hang++] = t;
}

/* Whether the lookup or statfs of path (normalized; a symlink on the way is
 * the caller's to stop at) crosses a mount that can hang: those on its
 * prefixes and its own. */
static bool may_hang_on(const struct filter_ctx *f, const char *path)
{
        if (f->may_hang_lost)
                return true;
        for (size_t i = 0; i < f->n_may_hang; i++)
                if (path_is_under(path, f->may_hang[i]))
                        return true;
        return false;
}

/* Storage SageMaker itself mounts (custom file systems, the instance store...). */
static bool is_sagemaker_storage(const char *target)
{
        for (size_t i = 0; i < ARRAY_SIZE(interesting_prefixes); i++)
                if (path_is_under(target, interesting_prefixes[i]))
                        return true;
        for (size_t i = 0; i < ARRAY_SIZE(interesting_mounts); i++)
                if (strcmp(target, interesting_mounts[i]) == 0)
                        return true;
        return false;
}

static bool mount_wanted(const struct mount_entry *e, void *userdata)
{
        struct filter_ctx *f = userdata;

        note_may_hang(f, e);
        for (size_t i = 0; i < f->n; i++)
                if (path_is_under(f->paths[i], e->target) || path_is_under(e->target, f->paths[i]))
                        return true;
        if (strcmp(e->target, SAGEMAKER_INTERNAL) == 0)
                return true;
        return is_sagemaker_storage(e->target);
}

static bool mount_of_interest(const struct mount_entry *e, const char *path)
{
        if (path_is_under(e->target, path) && strcmp(e->target, path) != 0)
                return true; /* a submount of the inspected path */
        return is_sagemaker_storage(e->target);
}

/* Of several mounts on one target only the last is visible. */
static bool is_overmounted(const struct mount_table *t, size_t i)
{
        for (size_t j = i + 1; j < t->n; j++)
                if (strcmp(t->entries[j].target, t->entries[i].target) == 0)
                        return true;
        return false;
}

int probe_describe_mount(const struct sysroot *root, const struct mount_entry *e, struct storage *s,
                         char ***warnings)
{
        s->mount_id = e->id;
        s->mountpoint = strdup(e->target);
        s->fs_root = strdup_or_null(e->root);
        s->fstype = strdup(e->fstype);
        s->source = strdup_or_null(e->source);
        s->options = strdup_or_null(e->options);
        s->fs_options = strdup_or_null(e->fs_options);
        s->dev_major = e->major;
        s->dev_minor = e->minor;
        if (!s->mountpoint || !s->fstype)
                return -ENOMEM;

        if (strcmp(e->fstype, "nfs") == 0 || strcmp(e->fstype, "nfs4") == 0) {
                int k = nfs_describe(e, &s->nfs);
                if (k < 0)
                        return k;
        }
        if (strcmp(e->fstype, "lustre") == 0) {
                int k = lustre_describe(e, &s->fsx);
                if (k < 0)
                        return k;
        }
        /* Major 0 is the kernel's anonymous devices (NFS, overlay, tmpfs): no sysfs. */
        if (e->major != 0) {
                int k = blockdev_probe(root, e->major, e->minor, &s->device, warnings);
                if (k == -ENOMEM)
                        return k;
                if (k < 0 && k != -ENOENT) {
                        _cleanup_free_ char *d = sysroot_display(root, "/sys/dev/block");
                        (void)strv_extendf(warnings, "%s/%u:%u: %s, ignoring", strna(d), e->major,
                                           e->minor, strerror(-k));
                } else if (k == -ENOENT) {
                        _cleanup_free_ char *d = sysroot_display(root, "/sys/dev/block");
                        (void)strv_extendf(warnings,
                                           "%s/%u:%u does not exist: the device of %s is unknown",
                                           strna(d), e->major, e->minor, e->target);
                }
        }
        return 0;
}

char *probe_device_node(const struct block_device *d)
{
        char *n;

        if (asprintf(&n, "/dev/%s", d->partition ? d->partition : d->name) < 0)
                return NULL;
        return n;
}

static void apply_statfs(struct storage *s, const struct fsq_reply *rep)
{
        if (!rep->have_statfs)
                return;
        s->fs_magic = rep->f_type;
        s->size_bytes = rep->size_bytes;
        s->free_bytes = rep->free_bytes;
}

static void set_timeout(struct storage *s, struct report *r, uint64_t timeout_ns)
{
        char t[32];

        snprintf(t, sizeof(t), "%.3g s", (double)timeout_ns / 1e9);
        free(s->error);
        if (asprintf(&s->error, "did not answer within %s", t) < 0)
                s->error = NULL;
        r->timed_out = true;
        (void)report_add_warning(r, "%s (%s from %s) did not answer within %s",
                                 strna(s->mountpoint), strna(s->fstype), strna(s->source), t);
}

static bool device_openable(const char *node)
{
        int fd = open(node, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return false;
        close(fd);
        return true;
}

/* statfs of every mount and a superblock probe of every device, live, in one
 * batch of workers; in replay from the snapshot's facts. */
static int probe_fs_facts(const struct sysroot *root, struct report *r, const cJSON *facts,
                          const struct filter_ctx *fctx, uint64_t timeout_ns)
{
        size_t n_st = r->n_mounts + 1;
        _cleanup_free_ struct fsq_request *reqs = NULL;
        _cleanup_free_ struct fsq_reply *reps = NULL;
        _cleanup_strv_free_ char **nodes = NULL;
        struct storage **owner = NULL, *s;
        size_t n = 0, g = 0;
        int k;

        if (sysroot_is_replay(root)) {
                report_for_each_storage(s, r) {
                        _cleanup_free_ char *node = NULL;

                        if (s == &r->home && s->resolved_path)
                                facts_statfs(facts, s->resolved_path, s);
                        if (s->size_bytes == U64_UNSET && s->mountpoint)
                                facts_statfs(facts, s->mountpoint, s);
                        if (s->device && (node = probe_device_node(s->device)))
                                facts_blkid(facts, node, s->device);
                        if (s->device && !s->device->fs_type)
                                (void)blockdev_read_udev(root, s->dev_major, s->dev_minor,
                                                         s->device);
                }
                return 0;
        }

        reqs = calloc(2 * n_st, sizeof(*reqs));
        reps = calloc(2 * n_st, sizeof(*reps));
        owner = calloc(2 * n_st, sizeof(*owner));
        if (!reqs || !reps || !owner) {
                free(owner);
                return -ENOMEM;
        }
        /* A worker per storage for its statfs, and one for its device's
         * superblock: libblkid needs a forked worker, statfs a light one. A
         * statfs that crosses no mount that can hang needs none. */
        report_for_each_storage(s, r) {
                if (s->error)
                        continue;
                /* The home's statfs came with its path lookup. */
                if (s != &r->home && s->mountpoint) {
                        reqs[n] = (struct fsq_request){
                                .op = FSQ_STATFS,
                                .path = s->mountpoint,
                                .group = (unsigned)g++,
                                .in_caller = !may_hang_on(fctx, s->mountpoint),
                        };
                        owner[n++] = s;
                }
                if (s->device && !blockdev_read_udev(root, s->dev_major, s->dev_minor, s->device)) {
                        char *node = probe_device_node(s->device);
                        if (!node || strv_push(&nodes, node) < 0) {
                                free(owner);
                                return -ENOMEM;
                        }
                        node = nodes[strv_length(nodes) - 1];
                        /* A node we cannot open needs no worker: not root (Studio's
                         * sagemaker-user), or a container's device cgroup (EPERM,
                         * which access() does not see). Opening a block device
                         * issues no I/O; reading its superblock is what can hang,
                         * and that stays in the worker. */
                        if (device_openable(node)) {
                                reqs[n] = (struct fsq_request){ FSQ_BLKID, node, (unsigned)g++ };
                                owner[n++] = s;
                        }
                }
        }
        k = fsq_run(root, reqs, reps, n, timeout_ns);
        if (k < 0) {
                free(owner);
                return k;
        }
        for (size_t i = 0; i < n; i++) {
                s = owner[i];
                if (reps[i].err == -ETIMEDOUT) {
                        if (!s->error)
                                set_timeout(s, r, timeout_ns);
                        continue;
                }
                if (reps[i].err == -ECANCELED)
                        continue;
                if (reqs[i].op == FSQ_STATFS)
                        apply_statfs(s, &reps[i]);
                else if (reps[i].err == 0) {
                        s->device->fs_type = reps[i].fs_type[0] ? strdup(reps[i].fs_type) : NULL;
                        s->device->uuid = reps[i].uuid[0] ? strdup(reps[i].uuid) : NULL;
                        s->device->label = reps[i].label[0] ? strdup(reps[i].label) : NULL;
                }
        }
        fsq_replies_free(reps, n);
        free(owner);
        return 0;
}

static int cmp_mount_id(const void *a, const void *b)
{
        const struct storage *x = a, *y = b;

        return (x->mount_id > y->mount_id) - (x->mount_id < y->mount_id);
}

/* Mount id order, and mountinfo order among equal ids (a crafted table can
 * repeat an id): qsort() is not stable, and glibc and musl order equal keys
 * differently, so the dynamic and the static build would list them apart.
 * At most MOUNTS_OF_INTEREST_MAX entries: an insertion sort. */
static void sort_mounts(struct storage *m, size_t n)
{
        for (size_t i = 1; i < n; i++) {
                struct storage t = m[i];
                size_t j = i;

                for (; j > 0 && cmp_mount_id(&m[j - 1], &t) > 0; j--)
                        m[j] = m[j - 1];
                m[j] = t;
        }
}

static char *absolute_path(const char *path, const char *cwd)
{
        char *s;

        if (path[0] == '/' || !cwd)
                return strdup(path);
        if (asprintf(&s, "%s/%s", cwd, path) < 0)
                return NULL;
        return s;
}

static bool mount_holds(const struct mount_entry *e, void *userdata)
{
        return path_is_under(userdata, e->target);
}

/* "MOUNT (TYPE from SOURCE) did not answer within T": the words the probe's
 * own timeouts use, for the live mount that holds path. */
static char *did_not_answer(const struct sysroot *live, const char *path, uint64_t timeout_ns)
{
        _cleanup_strv_free_ char **ignored = NULL;
        struct mount_table table = {};
        const struct mount_entry *e;
        char *s = NULL;

        if (mounts_load(live, mount_holds, (void *)path, &table, &ignored) == 0 &&
            (e = mounts_find_containing(&table, path)))
                (void)asprintf(&s, "%s (%s from %s) did not answer within %.3g s", e->target,
                               e->fstype, strna(e->source), (double)timeout_ns / 1e9);
        else
                (void)asprintf(&s, "the file system of %s did not answer within %.3g s", path,
                               (double)timeout_ns / 1e9);
        mount_table_done(&table);
        return s;
}

int probe_paths_answer(const char *const *paths, size_t n, const char *cwd, uint64_t timeout_ns,
                       size_t *ret_index, char **ret_error)
{
        _cleanup_free_ struct fsq_request *reqs = NULL;
        _cleanup_free_ struct fsq_reply *reps = NULL;
        _cleanup_strv_free_ char **abs = NULL;
        struct sysroot live = { .fd = -1 };
        size_t m = 0;
        int k;

        *ret_error = NULL;
        reqs = calloc(n ? n : 1, sizeof(*reqs));
        reps = calloc(n ? n : 1, sizeof(*reps));
        if (!reqs || !reps)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                /* Relative without a known current directory (it was deleted,
                 * or is too long to name): statfs from the worker's own, which
                 * is the same directory. Else a lookup from "/", component by
                 * component, so a stall is pinned on the mount that has it. */
                bool lookup = paths[i][0] == '/' || cwd;
                char *a = lookup ? absolute_path(paths[i], cwd) : strdup(paths[i]);

                if (strv_push(&abs, a) < 0)
                        return -ENOMEM;
                if (strlen(a) >= PATH_MAX)
                        continue; /* the caller's own open says ENAMETOOLONG at once */
                /* Known safe without a worker (a clone costs more than all the
                 * replay's reads on a small VM): nothing to ask. */
                if (lookup && fsq_path_cannot_hang(a))
                        continue;
                reqs[m] = (struct fsq_request){ lookup ? FSQ_PATH : FSQ_STATFS, a, (unsigned)m };
                m++;
        }
        if (m == 0)
                return 0;
        k = sysroot_open(&live, NULL);
        if (k < 0)
                return k;
        k = fsq_run(&live, reqs, reps, m, timeout_ns);
        for (size_t i = 0, j = 0; k == 0 && i < n; i++) {
                if (j >= m || reqs[j].path != abs[i])
                        continue;
                if (reps[j].err == -ETIMEDOUT) {
                        const char *at = reps[j].resolved ? reps[j].resolved : abs[i];
                        _cleanup_free_ char *norm = at[0] == '/' ? path_normalize(at) : NULL;

                        *ret_error = norm ? did_not_answer(&live, norm, timeout_ns) : NULL;
                        if (!*ret_error)
                                (void)asprintf(ret_error, "did not answer within %.3g s",
                                               (double)timeout_ns / 1e9);
                        *ret_index = i;
                        k = -ETIMEDOUT;
                }
                j++;
        }
        fsq_replies_free(reps, m);
        sysroot_close(&live);
        return k;
}

/* The hypervisor the kernel runs under, as sysfs names it ("xen" on EC2's
 * Xen instance types; Nitro's KVM leaves the directory empty): what tells a
 * Xen virtual disk, which has no model string, from a local one. */
static void probe_hypervisor(const struct sysroot *root, struct report *r)
{
        char *v = NULL;

        if (sysroot_read_attr(root, HYPERVISOR_TYPE, &v) >= 0)
                r->hypervisor = v;
}

/* Where ~/user-default-efs leads: a symlink SageMaker puts in a Studio (new)
 * private space's home to the domain's home EFS it auto-mounts (studio-facts
 * §2 [D], the link observed [O]). Read only on a block-device home (the EBS
 * of Studio (new)): a look-up in an NFS home could hang, and Classic's EFS
 * home has no such link. */
static void probe_user_default_efs(const struct sysroot *root, const struct mount_table *t,
                                   struct report *r)
{
        const struct mount_entry *e = mounts_find_containing(t, SAGEMAKER_USER_HOME);
        char *target = NULL;

        if (!e || e->major == 0 || strcmp(e->target, SAGEMAKER_USER_HOME) != 0)
                return;
        if (sysroot_readlink(root, HOME_USER_DEFAULT_EFS, &target) >= 0)
                r->sagemaker.user_default_efs = target;
}

/* Why no default home was found: one sentence per way $HOME can fail. */
static char *no_home_message(const struct sysroot *root, const struct sagemaker *s)
{
        const char *h = s->home_env;
        char *m = NULL;
        int k;

        if (h && h[0] == '/')
                k = asprintf(&m, "no home found: none of %s, %s and $HOME (%s) exists",
                             default_paths[0], default_paths[1], h);
        else if (h)
                k = asprintf(&m,
                             "no home found: neither %s nor %s exists, and $HOME (%s) is not "
                             "an absolute path",
                             default_paths[0], default_paths[1], h);
        else if (!s->environ_present && sysroot_is_replay(root))
                k = asprintf(&m,
                             "no home found: neither %s nor %s exists, and $HOME is unknown: "
                             "the snapshot has no proc/self/environ",
                             default_paths[0], default_paths[1]);
        else
                k = asprintf(&m, "no home found: neither %s nor %s exists, and $HOME is not set",
                             default_paths[0], default_paths[1]);
        return k < 0 ? NULL : m;
}

int probe_run(const struct sysroot *root, const struct probe_params *p, struct report *r,
              char **ret_error)
{
        const char *candidates[ARRAY_SIZE(default_paths) + 1];
        struct fsq_request reqs[ARRAY_SIZE(candidates)];
        struct fsq_reply *reps = NULL;
        _cleanup_free_ char *abs = NULL;
        _cleanup_strv_free_ char **normalized = NULL;
        _cleanup_(cJSON_Deletep) cJSON *facts = NULL;
        struct mount_table table = {};
        struct filter_ctx fctx = {};
        struct fsq_batch *batch = NULL;
        const struct mount_entry *home_mount;
        const char *path;
        int table_err;
        size_t n = 0, chosen = SIZE_MAX;
        /* One --timeout for the whole run, not one per batch of workers. */
        const uint64_t deadline = now_ns() + p->timeout_ns;
        uint64_t budget, now;
        int k;

        *ret_error = NULL;
        k = sagemaker_probe(root, &r->sagemaker, &r->warnings);
        if (k < 0)
                return k;
        k = compute_probe(root, &r->sagemaker.compute, r->sagemaker.training_resourceconfig,
                          &r->warnings);
        if (k < 0)
                return k;

        /* Replay: a snapshot without proc/self/environ (a bundle whose environ
         * was left out) keeps the $HOME of the run that wrote it in its facts,
         * so the home is looked for as that run did. */
        facts = facts_load(root, &r->warnings);
        if (!r->sagemaker.environ_present && !r->sagemaker.home_env)
                r->sagemaker.home_env = facts_home(facts);
        k = facts_replay_run(root, facts, r);
        if (k < 0)
                return k;

        if (p->path) {
                /* Live, a relative path taken from "/" would describe (and
                 * --bench write into) the wrong file system. */
                if (p->path[0] != '/' && !sysroot_is_replay(root) && !p->cwd) {
                        (void)asprintf(ret_error,
                                       "cannot resolve relative path '%s': the current "
                                       "directory is unknown",
                                       p->path);
                        return -ENOENT;
                }
                abs = absolute_path(p->path, sysroot_is_replay(root) ? NULL : p->cwd);
                if (!abs)
                        return -ENOMEM;
                candidates[n++] = abs;
        } else {
                for (size_t i = 0; i < ARRAY_SIZE(default_paths); i++)
                        candidates[n++] = default_paths[i];
                if (r->sagemaker.home_env && r->sagemaker.home_env[0] == '/')
                        candidates[n++] = r->sagemaker.home_env;
        }
        reps = calloc(n, sizeof(*reps));
        if (!reps)
                return -ENOMEM;
        /* The mount table first, for where the path would be unresolved (a
         * symlink that leads elsewhere costs a second read below): it says
         * whether the lookup can hang at all, and so needs a worker. */
        for (size_t i = 0; i < n; i++) {
                if (strv_push(&normalized, path_normalize(candidates[i])) < 0) {
                        k = -ENOMEM;
                        goto out;
                }
                fctx.paths[fctx.n++] = normalized[i];
        }
        table_err = mounts_load(root, mount_wanted, &fctx, &table, &r->warnings);
        /* One worker tries the candidates in order and stops at the first that
         * exists: a stall is then pinned on the candidate that hangs. None
         * where no mount on the paths as written can hang, in a replay as
         * live: a snapshot's table names what would hang were it live, and
         * --sysroot=/ is. */
        for (size_t i = 0; i < n; i++)
                reqs[i] = (struct fsq_request){
                        .op = FSQ_PATH,
                        .path = candidates[i],
                        .first_found = true,
                        .in_caller = table_err == 0 && streq_ptr(candidates[i], normalized[i]) &&
                                     !may_hang_on(&fctx, normalized[i]),
                };
        k = fsq_start(root, reqs, n, p->timeout_ns, &batch);
        if (k < 0)
                goto out;
        k = fsq_wait(batch, reqs, reps);
        batch = NULL;
        if (k < 0)
                goto out;
        for (size_t i = 0; i < n && chosen == SIZE_MAX; i++)
                /* Missing means "try the next"; any other answer, a stall
                 * included, is the path's. */
                if (reps[i].err != -ENOENT && reps[i].err != -ENOTDIR)
                        chosen = i;
        /* collect: the worker (another process) cannot record what its lookup
         * went through, so walk the same paths again here. Only those it
         * answered: they did not hang, so they will not now. */
        for (size_t i = 0; root->rec && i < n && i <= chosen; i++)
                if (reps[i].err != -ETIMEDOUT && reps[i].err != -ECANCELED) {
                        _cleanup_free_ char *again = NULL;
                        (void)sysroot_resolve(root, candidates[i], &again);
                }
        if (chosen == SIZE_MAX) {
                if (p->path)
                        (void)asprintf(ret_error, "%s: %s", p->path, strerror(-reps[0].err));
                else
                        *ret_error = no_home_message(root, &r->sagemaker);
                k = -ENOENT;
                goto out;
        }

        r->path_given = p->path != NULL;
        r->home.path = strdup(p->path ? p->path : candidates[chosen]);
        if (!r->home.path) {
                k = -ENOMEM;
                goto out;
        }
        if (reps[chosen].err == -ETIMEDOUT) {
                /* Resolution got stuck: the mount of the path it was looking up
                 * is the one that did not answer. Not the lexical path's: a
                 * symlink in a healthy home to a dead EFS would name the home. */
                path = reps[chosen].resolved ? reps[chosen].resolved : normalized[chosen];
        } else if (reps[chosen].err < 0) {
                (void)asprintf(ret_error, "%s: %s", candidates[chosen],
                               reps[chosen].err == -ELOOP ? "too many levels of symbolic links"
                                                          : strerror(-reps[chosen].err));
                k = reps[chosen].err;
                goto out;
        } else {
                r->home.resolved_path = strdup(reps[chosen].resolved);
                if (!r->home.resolved_path) {
                        k = -ENOMEM;
                        goto out;
                }
                path = r->home.resolved_path;
                apply_statfs(&r->home, &reps[chosen]);
        }

        if (table_err == 0 && strcmp(path, normalized[chosen]) != 0) {
                /* The lookup went elsewhere: the mounts kept may not hold it. */
                _cleanup_strv_free_ char **again = NULL; /* said the first time */

                mount_table_done(&table);
                filter_ctx_done(&fctx);
                fctx = (struct filter_ctx){ .paths = { path }, .n = 1 };
                table_err = mounts_load(root, mount_wanted, &fctx, &table, &again);
        }
        if (table_err < 0) {
                _cleanup_free_ char *d = sysroot_display(root, "/proc/self/mountinfo");
                (void)asprintf(ret_error, "cannot read the mount table %s: %s", strna(d),
                               strerror(-table_err));
                k = table_err;
                goto out;
        }
        home_mount = mounts_find_containing(&table, path);
        if (!home_mount) {
                (void)asprintf(ret_error, "%s: no mount holds %s%s", table.file, path,
                               table.lines == 0 ? " (the mount table is empty)" : "");
                k = -ENOENT;
                goto out;
        }
        k = probe_describe_mount(root, home_mount, &r->home, &r->warnings);
        if (k < 0)
                goto out;
        if (reps[chosen].err == -ETIMEDOUT)
                set_timeout(&r->home, r, p->timeout_ns);

        for (size_t i = 0; i < table.n; i++) {
                const struct mount_entry *e = &table.entries[i];
                struct storage *s;

                if (strcmp(e->target, SAGEMAKER_INTERNAL) == 0)
                        r->sagemaker.sagemakerinternal = true;
                if (e == home_mount || !mount_of_interest(e, path) || is_overmounted(&table, i))
                        continue;
                if (r->n_mounts >= MOUNTS_OF_INTEREST_MAX) {
                        (void)report_add_warning(r, "more than %d other mounts, listed the first",
                                                 MOUNTS_OF_INTEREST_MAX);
                        break;
                }
                s = report_add_mount(r);
                if (!s) {
                        k = -ENOMEM;
                        goto out;
                }
                k = probe_describe_mount(root, e, s, &r->warnings);
                if (k < 0)
                        goto out;
        }
        sort_mounts(r->mounts, r->n_mounts);
        k = mountstats_probe(root, r, &r->warnings);
        if (k < 0)
                goto out;
        probe_hypervisor(root, r);
        probe_user_default_efs(root, &table, r);

        now = now_ns();
        budget = now < deadline ? deadline - now : 0;
        if (budget < FACTS_GRACE_NS)
                budget = p->timeout_ns < FACTS_GRACE_NS ? p->timeout_ns : FACTS_GRACE_NS;
        k = probe_fs_facts(root, r, facts, &fctx, budget);
        if (k < 0)
                goto out;

        k = 0;
out:
        if (batch)
                (void)fsq_wait(batch, reqs, reps);
        fsq_replies_free(reps, n);
        free(reps);
        mount_table_done(&table);
        filter_ctx_done(&fctx);
        return k;
}
