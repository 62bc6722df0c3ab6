/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/verify.h"
#include "classify/classify.h"
#include "classify/storage.h"
#include "core/macro.h"
#include "core/strutil.h"
#include "probe/probe.h"

/* Replaying the redacted bundle reads only the files just written: no mount
 * of the user's is involved, this bounds a destination on a slow disk. */
#define REDACT_CHECK_TIMEOUT_NS (10 * NSEC_PER_SEC)

/* How a replay of the redacted bundle tells one storage otherwise than this
 * run did (mount points compare as redacted), or NULL. */
static char *storage_difference(struct redactor *red, const char *what, const struct storage *a,
                                const struct storage *b)
{
        _cleanup_free_ char *mp = NULL;
        char *s = NULL;
        int k;

        if (a->mountpoint && redact_path(red, a->mountpoint, &mp) < 0)
                return NULL;
        if (!streq_ptr(mp, b->mountpoint))
                k = asprintf(&s, "the mount point of %s: %s, replayed %s", what, strna(mp),
                             strna(b->mountpoint));
        else if (!streq_ptr(a->fstype, b->fstype))
                k = asprintf(&s, "the file system type of %s: %s, replayed %s", strna(mp),
                             strna(a->fstype), strna(b->fstype));
        else if (a->kind != b->kind)
                k = asprintf(&s, "the storage of %s: %s, replayed %s", strna(mp),
                             storage_kind_to_string(a->kind), storage_kind_to_string(b->kind));
        else
                return NULL;
        return k < 0 ? strdup(what) : s;
}

/* The first thing the replay says otherwise, among what a bundle is for:
 * the environment, the confidence, the storage of the home and of the other
 * mounts. NULL when it says the same. */
static char *replay_difference(struct redactor *red, const struct report *a, const struct report *b)
{
        char *s = NULL;
        int k = 0;

        if (a->environment != b->environment)
                k = asprintf(&s, "the environment: %s, replayed %s",
                             environment_to_string(a->environment),
                             environment_to_string(b->environment));
        else if (a->confidence != b->confidence)
                k = asprintf(&s, "the confidence: %s, replayed %s",
                             confidence_to_string(a->confidence),
                             confidence_to_string(b->confidence));
        else if ((s = storage_difference(red, "the home", &a->home, &b->home)))
                return s;
        else if (a->n_mounts != b->n_mounts)
                k = asprintf(&s, "the other mounts: %zu, replayed %zu", a->n_mounts, b->n_mounts);
        else
                for (size_t i = 0; i < a->n_mounts && !s; i++)
                        s = storage_difference(red, "a mount", &a->mounts[i], &b->mounts[i]);
        return k < 0 ? strdup("?") : s;
}

int verify_redacted(int dirfd, const char *display, const struct report *r, struct redactor *red,
                    char *err, size_t errlen)
{
        struct sysroot root = { .fd = -1 };
        struct probe_params pp = { .timeout_ns = REDACT_CHECK_TIMEOUT_NS };
        _cleanup_free_ char *path = NULL, *error = NULL, *diff = NULL;
        const char *p = NULL;
        struct report rep;
        int k;

        /* The path this run inspected, as the bundle names it; a relative
         * --path was taken from the working directory: its resolved form. */
        if (r->home.path && r->home.path[0] == '/')
                p = r->home.path;
        else if (r->home.resolved_path)
                p = r->home.resolved_path;
        if (p && (k = redact_path(red, p, &path)) < 0)
                return k;
        pp.path = path;
        root.fd = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root.fd < 0)
                return negative_errno();
        root.dir = strdup(display);
        if (!root.dir) {
                sysroot_close(&root);
                return -ENOMEM;
        }
        report_init(&rep);
        k = probe_run(&root, &pp, &rep, &error);
        if (k == 0)
                k = classify_storage(&rep);
        if (k == 0)
                k = classify(&rep);
        if (k < 0 && k != -ENOMEM) {
                format_err(err, errlen,
                           "collect: --redact: the redacted bundle does not replay (%s), so it "
                           "was removed; collect without --redact and redact by hand",
                           error ? error : strerror(-k));
                k = -EBADMSG;
        } else if (k == 0 && (diff = replay_difference(red, r, &rep))) {
                format_err(err, errlen,
                           "collect: --redact: the redacted bundle replays differently (%s), so "
                           "it was removed; collect without --redact and redact by hand",
                           diff);
                k = -EBADMSG;
        }
        report_done(&rep);
        sysroot_close(&root);
        return k;
}
