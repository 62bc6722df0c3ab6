/* SPDX-License-Identifier: MIT */
#pragma once

/* A bundle as FILE.tar.gz: the tree is written into a private temporary
 * directory, then archived by tar(1) into one directory named after FILE. */

#include <stdbool.h>
#include <stddef.h>

#define TAR "/usr/bin/tar"

struct archive_tmp {
        char *tmp;  /* the temporary directory (0700), removed by archive_done() */
        char *name; /* the directory inside it that the archive holds */
        int fd;     /* that directory, where the bundle is written */
};

/* Whether dest names an archive: FILE.tar.gz or FILE.tgz. */
bool archive_is_name(const char *dest);
/* Where archive_begin() makes its temporary directory: $TMPDIR when it is
 * absolute, else /tmp. */
const char *archive_tmpdir(void);

/* Makes the temporary tree for the archive dest. Returns 0, or -errno with a
 * reason in err. archive_done() in either case. */
int archive_begin(const char *dest, struct archive_tmp *ret, char *err, size_t errlen);
/* Archives the tree into dest, a new file (removed again on failure).
 * Returns 0, or -errno with a reason in err. */
int archive_finish(const struct archive_tmp *a, const char *dest, char *err, size_t errlen);
/* Removes the temporary tree. */
void archive_done(struct archive_tmp *a);
