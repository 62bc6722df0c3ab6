/* SPDX-License-Identifier: MIT */
#pragma once

/* `studio-probe collect DEST`: a support bundle that `--sysroot DEST` replays.
 * The files are exactly those the probe went through (the sysroot layer's
 * recorder), in the --sysroot layout; .studio-probe/facts.json holds what is
 * not a file (statfs, blkid) from the report; report.json is the JSON report.
 * Of each file only what the probe reads from it, by the name it read it as
 * (gather()'s reducers): never a credential, whatever path led to the file.
 * The destination is claimed first (dest.h); collect_write() then gathers
 * (gather.h), writes (tree.h), checks a redacted bundle (verify.h) and
 * archives it (archive.h). */

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "core/sysroot.h"

struct collect_dest;

/* Writes the bundle of a finished run (root recorded it). redact: account ids,
 * ARNs' resource names, DomainId, UserProfileName, SpaceName and job names
 * become placeholders in every file and file name. Returns 0 with the number
 * of files written and what could not be copied in *ret_warnings (may stay
 * NULL), or -errno with a reason in err. Does not log. */
int collect_write(const struct sysroot *root, const struct report *r, struct collect_dest *d,
                  bool redact, size_t *ret_files, char ***ret_warnings, char *err, size_t errlen);
