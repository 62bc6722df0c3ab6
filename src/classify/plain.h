/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

/* The figures a verdict is drawn from, whoever measured them (the benchmark,
 * or the kernel's history of a mount or a device). */
enum plain_figure {
        PLAIN_CREATE,     /* one file creation */
        PLAIN_STAT,       /* one stat, or a lookup the server answered */
        PLAIN_SYNC_WRITE, /* one 4 KiB write made durable */
        PLAIN_RAND_READ,  /* one 4 KiB read at a random offset */
        PLAIN_THROUGHPUT, /* bytes/s of a sequential stream */
        _PLAIN_MAX,
};

/* The reference figures (sources in plain.c), shared with the task
 * estimates so that a verdict and an estimate never cite two different EBS
 * or EFS volumes. Latencies in ns, throughput in bytes/s. */
#define REF_EBS_CREATE_NS (100 * NSEC_PER_USEC)
#define REF_EBS_STAT_NS (10 * NSEC_PER_USEC)
#define REF_EBS_IO_NS NSEC_PER_MSEC /* a 4 KiB read or durable write */
#define REF_EBS_BPS (UINT64_C(125) << 20)
#define REF_EFS_WRITE_NS (2700 * NSEC_PER_USEC) /* a creation or a durable write */
#define REF_EFS_READ_NS (250 * NSEC_PER_USEC)   /* a read, a stat or a lookup */
/* per client, without efs-utils 2.0 (docs.aws.amazon.com/efs/latest/ug/performance.html) */
#define REF_EFS_BPS (UINT64_C(500) << 20)

/* One reference figure, with where it comes from (plain.c's table). Latencies
 * in ns, throughput in bytes/s. */
struct plain_reference {
        const char *work; /* "Small-file work" */
        const char *each; /* "each file creation" */
        uint64_t ebs;     /* a local EBS gp3 volume */
        uint64_t efs;     /* EFS General Purpose, best case */
        uint64_t instance_store;
        uint64_t slow; /* beyond it (below it for throughput) the figure is slow */
};

const struct plain_reference *plain_reference(enum plain_figure f);

/* Whether v (ns, or bytes/s) is slow for figure f. */
bool plain_is_slow(enum plain_figure f, uint64_t v);

/* The sentence that answers "why is it slow here?" for figure f measured as
 * v, e.g. "Small-file work here is about 40× slower than on a local EBS
 * volume: each file creation takes 4.10 ms (EBS gp3: ~0.1 ms)." when is
 * NULL; else the history's wording, "has taken ... on average <when>".
 * Returns a new string or NULL on OOM. */
char *plain_sentence(enum plain_figure f, uint64_t v, const char *when);

/* Takes sentence t (NULL: out of memory), appends the advice for slow
 * figure f (plain_advise) and hands it to *ret. 0 or -ENOMEM. */
int plain_with_advice(char *t, const struct report *r, const struct storage *s, enum plain_figure f,
                      char **ret);

/* plain_sentence() and plain_advise() together, into *ret. 0 or -ENOMEM. */
int plain_verdict(char **ret, const struct report *r, const struct storage *s, enum plain_figure f,
                  uint64_t v, const char *when);

/* The sentence for a figure that is not slow: "Storage here is not what makes
 * work slow: each file creation takes 36 µs (EBS gp3: ~0.1 ms)." NULL on OOM. */
char *plain_fine(enum plain_figure f, uint64_t v);

/* Appends to *sentence what to do about slow figure f on storage s, only
 * advice that fits what r found: the EBS home or a /tmp mount for
 * environments and checkouts, the instance store when one is mounted, Studio
 * (new) from Studio Classic, Elastic throughput for a slow EFS stream.
 * 0 or -ENOMEM (then *sentence is unchanged). */
int plain_advise(char **sentence, const struct report *r, const struct storage *s,
                 enum plain_figure f);

/* "3 days", "5 hours", "12 minutes": how long a history covers. */
const char *plain_age(char *buf, size_t len, uint64_t seconds);
