/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/macro.h"

/* NULL-terminated vectors of owned strings. All return -ENOMEM on failure. */
int strv_push(char ***v, char *s); /* takes s, also on failure */
int strv_extendf(char ***v, const char *fmt, ...) _printf_(2, 3);
size_t strv_length(char *const *v);
char **strv_free(char **v);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free)
#define _cleanup_strv_free_ _cleanup_(strv_freep)

char *strdup_or_null(const char *s);

/* snprintf into a caller's message buffer; err may be NULL. For functions that
 * return -errno and leave the one-line reason for main to print. */
void format_err(char *err, size_t len, const char *fmt, ...) _printf_(3, 4);
bool streq_ptr(const char *a, const char *b);
bool startswith(const char *s, const char *prefix);
bool endswith(const char *s, const char *suffix);

/* Strips the spaces and newlines the kernel pads sysfs attributes with (nvme
 * model/serial are printed "%.*s\n" over the whole fixed-width field). In place. */
char *strip(char *s);

/* Checked integer parsers: the whole string must be a number in range.
 * Return 0 or -EINVAL / -ERANGE. */
int parse_u64(const char *s, uint64_t *ret);
int parse_u32(const char *s, unsigned *ret);
int parse_int_range(const char *s, long min, long max, long *ret);
/* "5", "0.5", "2.25": seconds with at most nanosecond precision. */
int parse_seconds(const char *s, uint64_t *ret_ns);

bool utf8_is_valid(const char *s, size_t len);
/* A copy that is valid UTF-8: each byte of an invalid sequence becomes U+FFFD. */
char *utf8_sanitize(const char *s);

/* Writes s for a terminal, as ls -b does: newline and tab as \n and \t, the
 * other C0 controls, DEL, the C1 controls (U+0080-U+009F, whose UTF-8 form a
 * terminal may take for 8-bit CSI and the like) and every byte that is not
 * part of valid UTF-8 as \xHH, one per byte. */
void fputs_escaped(FILE *f, const char *s);

/* Component-wise: "/home/a" is under "/home" and "/", not "/hom". */
bool path_is_under(const char *path, const char *prefix);
/* Lexical normalisation of an absolute path: no "//", ".", trailing "/". ".." is
 * kept lexical only where the caller accepts that (mount-table matching). */
char *path_normalize(const char *path);
const char *path_basename(const char *path);

/* Human sizes, IEC units, one decimal: "5.0 GiB". buf >= 16. */
const char *format_bytes(char *buf, size_t len, uint64_t bytes);
/* "250 µs", "2.7 ms", "1.20 s". buf >= 16. */
const char *format_ns(char *buf, size_t len, uint64_t ns);

/* Terminal columns of n bytes of text written by fputs_escaped(): one per
 * UTF-8 character, none for an ANSI colour sequence (ESC [ ... m). Wide
 * characters are not told apart. */
size_t text_columns(const char *s, size_t n);

/* The latest Unix time the report's dates accept (9999-12-31T23:59:59Z). */
#define UNIX_TIME_MAX UINT64_C(253402300799)
/* "2026-11-02T17:04:05Z" (ISO 8601, UTC) of Unix seconds; buf >= 21. */
const char *format_iso8601(char *buf, size_t len, uint64_t secs);
/* The inverse, exactly that form; 0 or -EINVAL. */
int parse_iso8601(const char *s, uint64_t *ret);
