/* SPDX-License-Identifier: MIT */
#pragma once

/* --redact for support bundles: the same value gets the same placeholder in
 * every file, file name and symlink target of a bundle. */

#include <stddef.h>

enum secret_kind { SECRET_ACCOUNT, SECRET_DOMAIN, SECRET_USER, SECRET_SPACE, SECRET_RESOURCE,
                   SECRET_JOB, _SECRET_MAX };

struct secret {
        char *from, *to;
        size_t from_len, to_len;
};

struct redactor {
        struct secret *s;
        size_t n;
        size_t count[_SECRET_MAX];
};

void redactor_done(struct redactor *r);
/* Adds a value to replace (NULL or "" is ignored). Returns 0 or -ENOMEM. */
int redactor_add(struct redactor *r, enum secret_kind kind, const char *s);
/* Adds the account ids and resource names of every ARN in data. */
int redactor_scan_arns(struct redactor *r, const char *data, size_t len);
/* Longest value first, so that a space name holding the user's goes whole. */
void redactor_sort(struct redactor *r);
/* A redacted, NUL-terminated copy of in. Returns 0 or -ENOMEM. */
int redact(const struct redactor *r, const char *in, size_t len, char **ret, size_t *ret_len);
