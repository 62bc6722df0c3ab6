/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* --output=FILE: writes len bytes of data to FILE, by what FILE is.
 * - Missing, or a regular file: a temporary file beside it (FILE.XXXXXX), filled,
 *   fsynced and renamed over it; a replaced file keeps its owner and permissions.
 * - A character device, FIFO or socket: opened (connected) and written directly.
 * - A symbolic link is followed, never replaced: its target gets the same rules
 *   (a link that reaches our own standard output or error writes that stream).
 * - A directory, a block device and a link to a missing file are refused.
 * All the work on FILE runs in a child process bounded by timeout_ns: a dead
 * mount, a FIFO nobody reads or a reader that stalls ends in -ETIMEDOUT.
 * SIGINT, SIGTERM and SIGHUP during the call remove the temporary file; the
 * signal is returned in *ret_signal for the caller to re-raise (0 if none).
 * Returns 0 when FILE was written, or -errno with the one-line reason, naming
 * FILE, in err. */
int output_write(const char *path, const void *data, size_t len, uint64_t timeout_ns,
                 int *ret_signal, char *err, size_t errlen);
