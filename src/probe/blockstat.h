/* SPDX-License-Identifier: MIT */
#pragma once

/* A block device's passive I/O history: the kernel's counters since boot
 * (/sys/block/DEV/stat, /proc/uptime) and, for an EBS volume, the EBS
 * detailed performance statistics (the NVMe log page 0xD0 of its controller). */

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "core/sysroot.h"

#define PROC_UPTIME "/proc/uptime"
/* Where a snapshot keeps a device's EBS statistics page (collect writes it):
 * EBS_PAGE_PREFIX "nvme1n1" EBS_PAGE_SUFFIX. */
#define EBS_PAGE_PREFIX "/.studio-probe/ebs/"
#define EBS_PAGE_SUFFIX ".logpage"
/* The length of the log page (Get Log Page of 1024 dwords). */
#define EBS_LOG_PAGE_SIZE 4096

/* Parses the text of a block stat file (Documentation/block/stat.rst: 11
 * fields, 15 since 4.18, 17 since 5.5). Returns 0, or -EINVAL when it has
 * fewer than 11 fields or a field that is no decimal number, -ERANGE when one
 * does not fit 64 bits. out->since_boot_seconds is left as it was. */
int parse_block_stat(const char *text, struct block_io *out);

/* The first field of /proc/uptime ("12345.67 ..."), whole seconds. 0 or -EINVAL. */
int parse_uptime(const char *text, uint64_t *ret_seconds);

/* A mean per request in ns from a total in ms over n requests, as iostat -x
 * computes r_await and w_await: U64_UNSET when n is 0 or a counter unknown. */
uint64_t block_io_mean_ns(uint64_t total_ms, uint64_t n);
/* The same from the EBS page's totals in us. */
uint64_t ebs_mean_ns(uint64_t total_us, uint64_t n);

/* Parses the EBS statistics log page (buf, len bytes). Returns 0, -EPROTO
 * when it does not begin with the EBS magic (not an EBS controller's page),
 * -ENODATA when it ends before the counters (an older page). Pure. */
int parse_ebs_log_page(const uint8_t *buf, size_t len, struct ebs_stats *out);

/* For collect: of a log page, only what parse_ebs_log_page() reads and the
 * latency histograms, the reserved areas zeroed. 0 or -ENOMEM. */
int ebs_reduce_log_page(const char *in, size_t len, char **ret, size_t *ret_len);

/* For collect: /proc/uptime reduced to its first field. 0 or -ENOMEM. */
int blockstat_reduce_uptime(const char *in, size_t len, char **ret, size_t *ret_len);

/* Fills d->io from the stat file in the sysfs directory dir (the partition's
 * when d is one) and /proc/uptime; leaves it NULL when the file is missing,
 * and adds a warning when it is garbled. Returns 0 or -ENOMEM. */
int blockstat_probe(const struct sysroot *root, const char *dir, struct block_device *d,
                    char ***warnings);

/* The EBS statistics page of d (an EBS volume): live by an NVMe admin command
 * on /dev/NAME, in replay from the snapshot's EBS_PAGE_PREFIX NAME
 * EBS_PAGE_SUFFIX. buf holds EBS_LOG_PAGE_SIZE bytes. Returns the length
 * read, or -errno with one line in *ret_why saying why it could not be read. */
int ebs_read_log_page(const struct sysroot *root, const struct block_device *d, uint8_t *buf,
                      char **ret_why);

/* Fills d->ebs, or d->ebs_error with why not; nothing for a device that is
 * no EBS volume. Returns 0 or -ENOMEM. */
int ebs_stats_probe(const struct sysroot *root, struct block_device *d);
