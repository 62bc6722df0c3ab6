/* SPDX-License-Identifier: MIT */
/* Verdicts in plain words, judged per measured figure against reference
 * figures, whatever the storage kind: a slow FUSE, overlay or NFS mount gets
 * the same answer as EFS. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "classify/plain.h"
#include "core/strutil.h"

/* The reference figures and thresholds. [D] documented, [M] measured, [I]
 * inferred; the same table, with its sources, is in the notes of the change
 * that introduced it.
 *
 * EBS gp3: "single-digit millisecond latency", 3,000 IOPS and 125 MiB/s
 *   baseline [D] (docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html).
 *   A 4 KiB read or a durable 4 KiB write at queue depth 1 is taken as ~1 ms,
 *   the low end of that range [I]; beyond 10 ms it is outside it [D].
 * File creation and stat on a local file system (ext4 or xfs on EBS) wait for
 *   no device: the journal and the inode cache answer [I]. Measured here on
 *   ext4 (virtio disk, --bench): create p50 36 µs [M]; ~0.1 ms and ~0.01 ms
 *   are generous ceilings.
 * EFS General Purpose: "as low as 250 µs read / 2.7 ms write", the best case
 *   [D] (docs.aws.amazon.com/efs/latest/ug/performance.html); a creation or a
 *   durable write is a write to EFS, a stat or a lookup a read [I].
 * NVMe instance store: a 4 KiB read under 100 µs [I]; creation and stat as a
 *   local file system.
 * Slow: ten times the EBS reference for a latency (for sync writes and random
 *   reads that is also the end of EBS's documented single-digit milliseconds);
 *   a stream under half gp3's 125 MiB/s baseline. */
static const struct plain_reference references[_PLAIN_MAX] = {
        [PLAIN_CREATE] = { "Small-file work", "each file creation", REF_EBS_CREATE_NS,
                           REF_EFS_WRITE_NS, 100 * NSEC_PER_USEC, NSEC_PER_MSEC },
        [PLAIN_STAT] = { "Small-file work", "each file lookup", REF_EBS_STAT_NS, REF_EFS_READ_NS,
                         10 * NSEC_PER_USEC, 100 * NSEC_PER_USEC },
        [PLAIN_SYNC_WRITE] = { "Saving data", "each durable 4 KiB write", REF_EBS_IO_NS,
                               REF_EFS_WRITE_NS, 100 * NSEC_PER_USEC, 10 * NSEC_PER_MSEC },
        [PLAIN_RAND_READ] = { "Reading scattered data", "each 4 KiB read", REF_EBS_IO_NS,
                              REF_EFS_READ_NS, 100 * NSEC_PER_USEC, 10 * NSEC_PER_MSEC },
        [PLAIN_THROUGHPUT] = { "Reading and writing large files", "the sequential stream",
                               REF_EBS_BPS, REF_EFS_BPS, U64_UNSET, UINT64_C(125) << 19 },
};

const struct plain_reference *plain_reference(enum plain_figure f)
{
        return f >= 0 && f < _PLAIN_MAX ? &references[f] : NULL;
}

bool plain_is_slow(enum plain_figure f, uint64_t v)
{
        const struct plain_reference *p = plain_reference(f);

        if (!p || v == U64_UNSET)
                return false;
        return f == PLAIN_THROUGHPUT ? v < p->slow : v > p->slow;
}

/* "~0.1 ms", "125 MiB/s baseline" */
static const char *reference_text(char *buf, size_t len, enum plain_figure f)
{
        const struct plain_reference *p = plain_reference(f);

        if (f == PLAIN_THROUGHPUT)
                snprintf(buf, len, "%g MiB/s baseline", (double)p->ebs / (1 << 20));
        else
                snprintf(buf, len, "~%g ms", (double)p->ebs / 1e6);
        return buf;
}

/* 2 significant figures at most: "7", "40", "250". */
static unsigned round_ratio(double x)
{
        if (x < 20)
                return (unsigned)(x + 0.5);
        if (x < 100)
                return (unsigned)(x / 5 + 0.5) * 5;
        if (x < 1000)
                return (unsigned)(x / 10 + 0.5) * 10;
        return (unsigned)(x / 100 + 0.5) * 100;
}

/* "takes 4.10 ms", "has taken 4.10 ms", "runs at 25.0 MiB/s" */
static const char *measured(char *buf, size_t len, enum plain_figure f, uint64_t v, bool history)
{
        char b[32];

        if (f == PLAIN_THROUGHPUT)
                snprintf(buf, len, "%s %s/s", history ? "has run at" : "runs at",
                         format_bytes(b, sizeof(b), v));
        else
                snprintf(buf, len, "%s %s", history ? "has taken" : "takes",
                         format_ns(b, sizeof(b), v));
        return buf;
}

char *plain_sentence(enum plain_figure f, uint64_t v, const char *when)
{
        const struct plain_reference *p = plain_reference(f);
        char m[48], ref[48], *s = NULL;
        double ratio;

        if (!p || v == U64_UNSET || v == 0)
                return NULL;
        ratio = f == PLAIN_THROUGHPUT ? (double)p->ebs / (double)v : (double)v / (double)p->ebs;
        if (asprintf(&s,
                     "%s here is about %u× slower than on a local EBS volume: %s %s%s%s (EBS "
                     "gp3: %s).",
                     p->work, round_ratio(ratio), p->each,
                     measured(m, sizeof(m), f, v, when != NULL), when ? " on average " : "",
                     when ? when : "", reference_text(ref, sizeof(ref), f)) < 0)
                return NULL;
        return s;
}

int plain_with_advice(char *t, const struct report *r, const struct storage *s, enum plain_figure f,
                      char **ret)
{
        if (!t || plain_advise(&t, r, s, f) < 0) {
                free(t);
                return -ENOMEM;
        }
        *ret = t;
        return 0;
}

int plain_verdict(char **ret, const struct report *r, const struct storage *s, enum plain_figure f,
                  uint64_t v, const char *when)
{
        return plain_with_advice(plain_sentence(f, v, when), r, s, f, ret);
}

char *plain_fine(enum plain_figure f, uint64_t v)
{
        const struct plain_reference *p = plain_reference(f);
        char m[48], ref[48], *s = NULL;

        if (!p || v == U64_UNSET || v == 0)
                return NULL;
        if (asprintf(&s, "Storage here is not what makes work slow: %s %s (EBS gp3: %s).", p->each,
                     measured(m, sizeof(m), f, v, false), reference_text(ref, sizeof(ref), f)) < 0)
                return NULL;
        return s;
}

const char *plain_age(char *buf, size_t len, uint64_t seconds)
{
        static const struct {
                uint64_t s;
                const char *unit;
        } units[] = { { 86400, "day" }, { 3600, "hour" }, { 60, "minute" }, { 1, "second" } };

        for (size_t i = 0; i < ARRAY_SIZE(units); i++)
                if (seconds >= units[i].s || units[i].s == 1) {
                        uint64_t n = seconds / units[i].s;
                        snprintf(buf, len, "%llu %s%s", (unsigned long long)n, units[i].unit,
                                 n == 1 ? "" : "s");
                        break;
                }
        return buf;
}

static bool is_local(enum storage_kind k)
{
        return k == STORAGE_EBS || k == STORAGE_INSTANCE_STORE || k == STORAGE_TMPFS;
}

/* The storage of r of kind k other than s, mounted (a non-ephemeral one for
 * EBS), or NULL. */
static const struct storage *other_of_kind(const struct report *r, const struct storage *s,
                                           enum storage_kind k)
{
        const struct storage *o;

        report_for_each_storage(o, r)
                if (o != s && o->kind == k && o->mount_id >= 0 && o->mountpoint &&
                    !streq_ptr(o->mountpoint, s->mountpoint))
                        return o;
        return NULL;
}

static const struct storage *tmp_mount(const struct report *r, const struct storage *s)
{
        const struct storage *o;

        report_for_each_storage(o, r)
                if (o != s && streq_ptr(o->mountpoint, "/tmp") &&
                    (is_local(o->kind) || o->kind == STORAGE_LOCAL || o->kind == STORAGE_OVERLAY))
                        return o;
        return NULL;
}

/* *sentence, a space, and the formatted advice. */
_printf_(2, 3) static int append(char **sentence, const char *fmt, ...)
{
        _cleanup_free_ char *a = NULL;
        char *n = NULL;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&a, fmt, ap);
        va_end(ap);
        if (k < 0 || asprintf(&n, "%s %s", *sentence, a) < 0)
                return -ENOMEM;
        free(*sentence);
        *sentence = n;
        return 0;
}

int plain_advise(char **sentence, const struct report *r, const struct storage *s,
                 enum plain_figure f)
{
        const struct storage *ebs, *tmp, *nvme;
        char where[512] = "";
        int k = 0;

        if (!r || !s || !*sentence)
                return 0;
        ebs = s->kind == STORAGE_EBS ? NULL : other_of_kind(r, s, STORAGE_EBS);
        tmp = is_local(s->kind) ? NULL : tmp_mount(r, s);
        nvme = s->kind == STORAGE_INSTANCE_STORE ? NULL
                                                 : other_of_kind(r, s, STORAGE_INSTANCE_STORE);
        if (f != PLAIN_THROUGHPUT) {
                /* Where environments and checkouts belong: only places found. */
                if (ebs)
                        snprintf(where, sizeof(where), "%s %s",
                                 ebs == &r->home ? "the EBS home" : "the EBS volume at",
                                 ebs->mountpoint);
                if (tmp)
                        snprintf(where + strlen(where), sizeof(where) - strlen(where), "%s%s",
                                 where[0] ? " or " : "", "/tmp");
                if (nvme)
                        snprintf(where + strlen(where), sizeof(where) - strlen(where),
                                 "%sthe instance store at %s (wiped when the app restarts)",
                                 where[0] ? " or " : "", nvme->mountpoint);
                if (where[0])
                        k = append(sentence, "Keep conda environments and git checkouts on %s.",
                                   where);
                if (k >= 0 && r->environment == ENV_STUDIO_CLASSIC && s->kind != STORAGE_EBS &&
                    s->kind != STORAGE_INSTANCE_STORE)
                        k = append(sentence, "Move to Studio (new): its spaces keep the home "
                                             "on an EBS volume.");
        } else if (s->kind == STORAGE_EFS)
                /* docs.aws.amazon.com/efs/latest/ug/performance.html (throughput modes) */
                k = append(sentence, "Switch the file system to Elastic throughput: in "
                                     "Bursting mode a file system out of credits gets 50 KiB/s "
                                     "per GiB it stores.");
        return k;
}
