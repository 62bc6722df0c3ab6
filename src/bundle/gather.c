/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle/gather.h"
#include "core/macro.h"
#include "core/strutil.h"
#include "probe/blockdev.h"
#include "probe/blockstat.h"
#include "probe/compute.h"
#include "probe/facts.h"
#include "probe/mounts.h"
#include "probe/mountstats.h"
#include "probe/probe.h"
#include "probe/sagemaker.h"

void bundle_done(struct bundle *b)
{
        for (size_t i = 0; i < b->n; i++) {
                free(b->e[i].path);
                free(b->e[i].target);
                free(b->e[i].data);
        }
        free(b->e);
        *b = (struct bundle){};
}

static struct bundle_entry *bundle_add(struct bundle *b, char *path)
{
        struct bundle_entry *e;

        if (!path)
                return NULL;
        e = realloc(b->e, (b->n + 1) * sizeof(*e));
        if (!e) {
                free(path);
                return NULL;
        }
        b->e = e;
        e = &b->e[b->n++];
        *e = (struct bundle_entry){ .path = path };
        return e;
}

/* The pid /proc/self led to, when the run went through that link (NULL
 * otherwise): its directory is written as proc/self, the name the probe reads,
 * which a replay has no process of that pid for. Live it need not be getpid():
 * in a PID namespace whose /proc is another's (unshare --pid without
 * --mount-proc) /proc/self names this process by its number there; under
 * --sysroot=/ or /proc/PID/root it is whatever that procfs says. */
static const char *proc_self_pid(const struct sysroot_recorder *rec)
{
        for (size_t i = 0; rec && i < rec->n; i++) {
                const char *t = rec->items[i].target;

                if (t && strcmp(rec->items[i].path, "/proc/self") == 0 && t[0] &&
                    strspn(t, "0123456789") == strlen(t))
                        return t;
        }
        return NULL;
}

/* The name in the bundle of a recorded path: /proc/PID/... becomes
 * /proc/self/... for the pid /proc/self led to, and the link itself is left
 * out (*ret_skip). */
static char *bundle_path(const char *self_pid, const char *path, bool *ret_skip)
{
        char pid[64];
        size_t plen;

        *ret_skip = false;
        if (!self_pid)
                return strdup(path);
        plen = (size_t)snprintf(pid, sizeof(pid), "/proc/%s", self_pid);
        if (plen < sizeof(pid) && strncmp(path, pid, plen) == 0 &&
            (path[plen] == '/' || !path[plen])) {
                char *s;
                if (asprintf(&s, "/proc/self%s", path + plen) < 0)
                        return NULL;
                return s;
        }
        if (strcmp(path, "/proc/self") == 0)
                *ret_skip = true; /* the link itself */
        return strdup(path);
}

typedef int (*reduce_fn)(const char *in, size_t len, char **ret, size_t *ret_len);

static int reduce_to_nothing(const char *in _unused_, size_t len _unused_, char **ret,
                             size_t *ret_len)
{
        *ret_len = 0;
        *ret = strdup("");
        return *ret ? 0 : -ENOMEM;
}

/* What a bundle keeps of a file whose content the probe read, chosen by the
 * name it was read as, never the name it resolved to: each format's owner
 * reduces it to what its parser takes. A list of what may be copied: a file
 * read under any other name is not copied (a new reader needs its reducer
 * here first). Attributes (sysroot_read_attr) keep their one line of text. */
static const struct reducer {
        const char *read_as;
        bool prefix;  /* read_as is a prefix: UDEV_DATA_PREFIX "MAJ:MIN" */
        bool in_proc; /* may reduce a file that resolved under /proc */
        reduce_fn reduce;
} reducers[] = {
        { PROC_ENVIRON, false, true, sagemaker_reduce_environ },
        { PROC_MOUNTINFO, false, true, mounts_reduce_mountinfo },
        { PROC_MOUNTSTATS, false, true, mountstats_reduce },
        { RESOURCE_METADATA, false, false, sagemaker_reduce_metadata },
        { PROCESSING_JOBCONFIG, false, false, sagemaker_reduce_jobconfig },
        { HYPERPOD_RESOURCE_CONFIG, false, false, compute_reduce_hyperpod_config },
        { TRAINING_RESOURCECONFIG, false, false, compute_reduce_training_config },
        { PROC_INIT_CMDLINE, false, true, compute_reduce_cmdline },
        { PROC_HOSTNAME, false, true, compute_reduce_hostname },
        { ETC_HOSTNAME, false, false, compute_reduce_hostname },
        { UDEV_DATA_PREFIX, true, false, blockdev_reduce_udev_data },
        { PROC_UPTIME, false, true, blockstat_reduce_uptime },
        /* written anew from the report */
        { SNAPSHOT_FACTS, false, false, reduce_to_nothing },
};
static const struct reducer attr_reducer = { NULL, false, false, sysroot_reduce_attr };

static const struct reducer *find_reducer(const struct sysroot_record *it)
{
        if (it->kind == SYSROOT_READ_ATTR)
                return &attr_reducer;
        for (size_t i = 0; i < ARRAY_SIZE(reducers); i++)
                if (reducers[i].prefix ? startswith(it->read_as, reducers[i].read_as)
                                       : strcmp(it->read_as, reducers[i].read_as) == 0)
                        return &reducers[i];
        return NULL;
}

/* The content a bundle holds for the regular file at path (as recorded,
 * inside the root): nothing when the probe only saw it exist; else the file
 * run through the reducer of every name it was read as. Under /proc (all of
 * it: environ, cmdline, auxv, mem, maps, status... of any pid) only the
 * reducers of the two files the probe parses there apply; nothing is ever
 * copied as it is. On a file none may take, *ret_refused. */
static int file_content(const struct sysroot *root, const char *path, char **ret, size_t *ret_len,
                        const char **ret_refused, char ***warnings)
{
        const struct sysroot_recorder *rec = root->rec;
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        bool read = false;
        int k;

        *ret_refused = NULL;
        for (size_t i = 0; i < rec->n; i++) {
                const struct sysroot_record *it = &rec->items[i];
                const struct reducer *r;
                char *out;
                size_t olen;

                if (!it->read_as || it->target || strcmp(it->path, path) != 0)
                        continue;
                r = find_reducer(it);
                if (!r || (!r->in_proc && path_is_under(path, "/proc"))) {
                        *ret_refused = it->read_as;
                        break;
                }
                if (!read) {
                        read = true;
                        k = sysroot_read_recorded(root, path, COLLECT_FILE_MAX, &data, &len);
                        if (k == -ENOMEM)
                                return k;
                        if (k < 0) {
                                (void)strv_extendf(warnings, "%s: %s, collected empty", path,
                                                   strerror(-k));
                                break;
                        }
                }
                k = r->reduce(data, len, &out, &olen);
                if (k < 0)
                        return k;
                explicit_bzero(data, len);
                free(data);
                data = out;
                len = olen;
        }
        if (*ret_refused || !data) {
                /* Seen to exist only, unreadable, or no reducer: an empty file. */
                if (data)
                        explicit_bzero(data, len);
                free(data);
                data = strdup("");
                len = 0;
                if (!data)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(data);
        *ret_len = len;
        return 0;
}

int gather(const struct sysroot *root, struct bundle *b, char ***warnings)
{
        const struct sysroot_recorder *rec = root->rec;
        const char *self_pid = proc_self_pid(rec);

        for (size_t i = 0; rec && i < rec->n; i++) {
                const struct sysroot_record *it = &rec->items[i];
                const char *refused;
                struct bundle_entry *e;
                struct stat st;
                bool skip;
                char *bp;
                int k;

                /* The facts are written anew from the report. The records of
                 * reads are taken with the file's own record, below. */
                if (path_is_under(it->path, "/.studio-probe") || strcmp(it->path, "/") == 0 ||
                    it->read_as)
                        continue;
                bp = bundle_path(self_pid, it->path, &skip);
                if (!bp)
                        return -ENOMEM;
                if (skip) {
                        free(bp);
                        continue;
                }
                if (it->target) {
                        e = bundle_add(b, bp);
                        if (!e || !(e->target = strdup(it->target)))
                                return -ENOMEM;
                        continue;
                }
                if (fstatat(root->fd, sysroot_relative(it->path), &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        (void)strv_extendf(warnings, "%s: %s, not collected", it->path,
                                           strerror(errno));
                        free(bp);
                        continue;
                }
                if (S_ISDIR(st.st_mode)) {
                        e = bundle_add(b, bp);
                        if (!e)
                                return -ENOMEM;
                        e->dir = true;
                        continue;
                }
                if (!S_ISREG(st.st_mode)) {
                        free(bp); /* the probe refuses them too */
                        continue;
                }
                e = bundle_add(b, bp);
                if (!e)
                        return -ENOMEM;
                k = file_content(root, it->path, &e->data, &e->len, &refused, warnings);
                if (k < 0)
                        return k;
                if (refused)
                        (void)strv_extendf(warnings,
                                           "%s: read as %s, which a bundle keeps nothing of; "
                                           "collected empty",
                                           it->path, refused);
        }
        return 0;
}

int gather_ebs_pages(const struct sysroot *root, const struct report *r, struct bundle *b,
                     char ***warnings)
{
        _cleanup_free_ uint8_t *buf = malloc(EBS_LOG_PAGE_SIZE);
        const struct storage *s;

        if (!buf)
                return -ENOMEM;
        report_for_each_storage(s, r) {
                const struct block_device *d = s->device;
                _cleanup_free_ char *reason = NULL;
                struct bundle_entry *e;
                bool seen = false;
                char *path;
                int n, k;

                if (!d || !d->ebs || !d->name)
                        continue;
                if (asprintf(&path, EBS_PAGE_PREFIX "%s" EBS_PAGE_SUFFIX, d->name) < 0)
                        return -ENOMEM;
                /* A device under several mounts: its page once. */
                for (size_t i = 0; i < b->n && !seen; i++)
                        seen = strcmp(b->e[i].path, path) == 0;
                if (seen) {
                        free(path);
                        continue;
                }
                /* Read again: live, the page of now, seconds after the report's. */
                n = ebs_read_log_page(root, d, buf, &reason);
                if (n < 0) {
                        free(path);
                        if (n == -ENOMEM)
                                return n;
                        (void)strv_extendf(warnings, "the EBS statistics of %s: %s, not collected",
                                           d->name, strna(reason));
                        continue;
                }
                e = bundle_add(b, path);
                if (!e)
                        return -ENOMEM;
                k = ebs_reduce_log_page((const char *)buf, (size_t)n, &e->data, &e->len);
                if (k < 0)
                        return k;
        }
        return 0;
}
