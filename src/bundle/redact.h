/* SPDX-License-Identifier: MIT */
#pragma once

/* --redact for support bundles: identity values (account ids, names, private
 * addresses, the hosts of mount sources) become placeholders, and the same
 * value gets the same placeholder in every file, file name and symlink
 * target of a bundle. Only whole values, whole path components and whole
 * tokens are replaced, never a part of a longer word (redact.c says how
 * each format is cut).
 *
 * Use: redactor_new(); redactor_reserve*() the vocabulary of the files (never
 * replaced outside identity fields); redactor_protect_tree() the kernel's
 * trees; redactor_add() the identity values known; run every input through
 * redact_data()/redact_path()/redact_link() with ret NULL (the scan: the ARNs,
 * account ids, addresses and hosts met are added, the tokens that look like
 * placeholders noted); redactor_freeze() numbers the placeholders in the
 * order the values were added, skipping any that occur in the input; then
 * the same calls with ret give the output. Every call is linear in its
 * input: one hash lookup per token. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/macro.h"

enum secret_kind {
        SECRET_ACCOUNT,  /* 12 digits: "111111111111", ... */
        SECRET_DOMAIN,   /* "d-domain-1" */
        SECRET_USER,     /* "user-1" */
        SECRET_SPACE,    /* "space-1" */
        SECRET_RESOURCE, /* "resource-1": ARNs' resource names, ResourceName */
        SECRET_JOB,      /* "job-1" */
        SECRET_HOST,     /* "host-1.invalid" (RFC 6761: never resolves) */
        SECRET_IP4,      /* "192.0.2.1" (RFC 5737 documentation addresses), ... */
        SECRET_IP6,      /* "2001:db8::1" (RFC 3849) */
        _SECRET_MAX,
        _SECRET_INVALID = -EINVAL,
};

enum redact_format {
        REDACT_TEXT,      /* whole tokens */
        REDACT_JSON,      /* a JSON document (REDACT_TEXT when it is none) */
        REDACT_MOUNTINFO, /* /proc/PID/mountinfo, field by field */
        REDACT_ENVIRON,   /* NUL-separated NAME=VALUE, by name */
        REDACT_KEEP,      /* copied unchanged (kernel attributes) */
        /* /proc/PID/mountstats: its device lines and NFS options field by field */
        REDACT_MOUNTSTATS,
};

struct redactor;

/* NULL on OOM. */
struct redactor *redactor_new(void);
struct redactor *redactor_free(struct redactor *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct redactor *, redactor_free)

/* A word the files use themselves ("home", "JupyterLab", "xfs"): kept in
 * text and paths even when a name equals it; identity fields are still
 * replaced. _path: each component of an absolute path. Return 0 or -ENOMEM. */
int redactor_reserve(struct redactor *r, const char *word);
int redactor_reserve_path(struct redactor *r, const char *path);
/* Paths under this absolute path ("/sys") are kept whole, names and
 * symlink targets. Returns 0 or -ENOMEM. */
int redactor_protect_tree(struct redactor *r, const char *path);

/* An identity value to replace (NULL or "" is ignored). A value added
 * before, of any kind, keeps its placeholder. Returns 0 or -ENOMEM. */
int redactor_add(struct redactor *r, enum secret_kind kind, const char *value);

/* Ends the scan: numbers the placeholders. Returns 0, -ENOMEM or -E2BIG (more
 * addresses than placeholder addresses). */
int redactor_freeze(struct redactor *r);

/* The placeholder of value (ASCII case ignored), NULL when it is no secret or
 * not frozen yet. */
const char *redactor_lookup(struct redactor *r, const char *value);
size_t redactor_secrets(const struct redactor *r);
/* Bytes examined plus hash probes so far: the tests check it grows linearly. */
uint64_t redactor_work(const struct redactor *r);

/* in[0..len) in format f. ret NULL: scan only. Otherwise a NUL-terminated
 * copy in *ret, its length in *ret_len (may be NULL). Returns 0, -ENOMEM or
 * -E2BIG. */
int redact_data(struct redactor *r, enum redact_format f, const char *in, size_t len, char **ret,
                size_t *ret_len);
/* An absolute path inside the bundle, component by component. */
int redact_path(struct redactor *r, const char *path, char **ret);
/* The target of the symlink at the absolute path link: a target that leads
 * into a protected tree stays as it is, so the kernel's links keep working. */
int redact_link(struct redactor *r, const char *link, const char *target, char **ret);
