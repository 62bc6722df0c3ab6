/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/strutil.h"

size_t strv_length(char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

int strv_push(char ***v, char *s)
{
        size_t n = strv_length(*v);
        char **nv;

        if (!s)
                return -ENOMEM;
        nv = realloc(*v, (n + 2) * sizeof(char *));
        if (!nv) {
                free(s);
                return -ENOMEM;
        }
        nv[n] = s;
        nv[n + 1] = NULL;
        *v = nv;
        return 0;
}

int strv_extendf(char ***v, const char *fmt, ...)
{
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return strv_push(v, s);
}

char **strv_free(char **v)
{
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
        return NULL;
}

void format_err(char *err, size_t len, const char *fmt, ...)
{
        va_list ap;

        if (!err || !len)
                return;
        va_start(ap, fmt);
        vsnprintf(err, len, fmt, ap);
        va_end(ap);
}

char *strdup_or_null(const char *s)
{
        return s ? strdup(s) : NULL;
}

bool streq_ptr(const char *a, const char *b)
{
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

bool startswith(const char *s, const char *prefix)
{
        return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool endswith(const char *s, const char *suffix)
{
        size_t ls, lx;

        if (!s)
                return false;
        ls = strlen(s);
        lx = strlen(suffix);
        return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

char *strip(char *s)
{
        char *e;

        if (!s)
                return s;
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
                s++;
        e = s + strlen(s);
        while (e > s &&
               (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\0'))
                *--e = '\0';
        return s;
}

int parse_u64(const char *s, uint64_t *ret)
{
        unsigned long long v;
        char *end;

        if (!s || !isdigit((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        if (errno || end == s || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int parse_u32(const char *s, unsigned *ret)
{
        uint64_t v;
        int r = parse_u64(s, &v);

        if (r < 0)
                return r;
        if (v > UINT_MAX)
                return -ERANGE;
        *ret = (unsigned)v;
        return 0;
}

int parse_int_range(const char *s, long min, long max, long *ret)
{
        long v;
        char *end;

        if (!s || !*s || isspace((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        if (errno || end == s || *end)
                return -EINVAL;
        if (v < min || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

int parse_seconds(const char *s, uint64_t *ret_ns)
{
        uint64_t whole = 0, frac = 0, scale = NSEC_PER_SEC;
        const char *p = s;

        if (!s || !*s)
                return -EINVAL;
        if (!isdigit((unsigned char)*p) && *p != '.')
                return -EINVAL;
        for (; isdigit((unsigned char)*p); p++) {
                if (whole > (UINT64_MAX / NSEC_PER_SEC - 9) / 10)
                        return -ERANGE;
                whole = whole * 10 + (uint64_t)(*p - '0');
        }
        if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p) && p - 1 == s)
                        return -EINVAL;
                for (; isdigit((unsigned char)*p); p++) {
                        if (scale > 1) {
                                scale /= 10;
                                frac += (uint64_t)(*p - '0') * scale;
                        }
                }
        }
        if (*p == 's' && p[1] == '\0')
                p++;
        if (*p)
                return -EINVAL;
        *ret_ns = whole * NSEC_PER_SEC + frac;
        return 0;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0. Rejects overlongs,
 * surrogates and code points past U+10FFFF (RFC 3629). */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
        unsigned c = s[0];
        size_t n;
        uint32_t cp;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                n = 2, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
                n = 3, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
                n = 4, cp = c & 0x07;
        else
                return 0;
        if (left < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

bool utf8_is_valid(const char *s, size_t len)
{
        const unsigned char *p = (const unsigned char *)s;

        for (size_t i = 0; i < len;) {
                size_t n = utf8_seq(p + i, len - i);
                if (n == 0)
                        return false;
                i += n;
        }
        return true;
}

char *utf8_sanitize(const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t len, o = 0;
        char *out;

        if (!s)
                return NULL;
        len = strlen(s);
        out = malloc(len * 3 + 1);
        if (!out)
                return NULL;
        for (size_t i = 0; i < len;) {
                size_t n = utf8_seq(p + i, len - i);
                if (n == 0) {
                        memcpy(out + o, "\xef\xbf\xbd", 3);
                        o += 3;
                        i++;
                } else {
                        memcpy(out + o, p + i, n);
                        o += n;
                        i += n;
                }
        }
        out[o] = '\0';
        return out;
}

void fputs_escaped(FILE *f, const char *s)
{
        const unsigned char *p = (const unsigned char *)s;

        for (size_t i = 0, len = strlen(s); i < len;) {
                unsigned char c = p[i];
                size_t n = utf8_seq(p + i, len - i);

                if (c == '\n') {
                        fputs("\\n", f);
                        i++;
                } else if (c == '\t') {
                        fputs("\\t", f);
                        i++;
                } else if (n == 0 || c < 0x20 || c == 0x7f) {
                        fprintf(f, "\\x%02x", c);
                        i++;
                } else if (c == 0xc2 && p[i + 1] < 0xa0) {
                        /* U+0080-U+009F: both bytes, as ls -b shows them. */
                        fprintf(f, "\\x%02x\\x%02x", c, p[i + 1]);
                        i += 2;
                } else {
                        fwrite(p + i, 1, n, f);
                        i += n;
                }
        }
}

bool path_is_under(const char *path, const char *prefix)
{
        size_t n;

        if (!path || !prefix)
                return false;
        if (strcmp(prefix, "/") == 0)
                return path[0] == '/';
        n = strlen(prefix);
        return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

char *path_normalize(const char *path)
{
        size_t len = strlen(path), o = 0;
        char *out = malloc(len + 2);

        if (!out)
                return NULL;
        for (const char *p = path; *p;) {
                const char *e;
                size_t n;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                e = strchrnul(p, '/');
                n = (size_t)(e - p);
                if (!(n == 1 && p[0] == '.')) {
                        out[o++] = '/';
                        memcpy(out + o, p, n);
                        o += n;
                }
                p = e;
        }
        if (o == 0)
                out[o++] = '/';
        out[o] = '\0';
        return out;
}

const char *path_basename(const char *path)
{
        const char *s = strrchr(path, '/');

        return s && s[1] ? s + 1 : path;
}

const char *format_bytes(char *buf, size_t len, uint64_t bytes)
{
        static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
        double v = (double)bytes;
        size_t u = 0;

        if (bytes == U64_UNSET) {
                snprintf(buf, len, "unknown");
                return buf;
        }
        while (v >= 1024.0 && u + 1 < ARRAY_SIZE(units)) {
                v /= 1024.0;
                u++;
        }
        if (u == 0)
                snprintf(buf, len, "%" PRIu64 " B", bytes);
        else
                snprintf(buf, len, "%.1f %s", v, units[u]);
        return buf;
}

const char *format_ns(char *buf, size_t len, uint64_t ns)
{
        if (ns == U64_UNSET)
                snprintf(buf, len, "unknown");
        else if (ns < 10 * NSEC_PER_USEC)
                snprintf(buf, len, "%.2f µs", (double)ns / 1e3);
        else if (ns < NSEC_PER_MSEC)
                snprintf(buf, len, "%.0f µs", (double)ns / 1e3);
        else if (ns < 100 * NSEC_PER_MSEC)
                snprintf(buf, len, "%.2f ms", (double)ns / 1e6);
        else if (ns < NSEC_PER_SEC)
                snprintf(buf, len, "%.0f ms", (double)ns / 1e6);
        else
                snprintf(buf, len, "%.2f s", (double)ns / 1e9);
        return buf;
}

size_t text_columns(const char *s, size_t n)
{
        size_t w = 0;

        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\033') {
                        while (i < n && s[i] != 'm')
                                i++;
                        continue;
                }
                w += ((unsigned char)s[i] & 0xc0) != 0x80;
        }
        return w;
}

/* Days since 1970-01-01 to a proleptic Gregorian date: Howard Hinnant's
 * civil_from_days() ("chrono-Compatible Low-Level Date Algorithms"), for
 * days >= 0. */
static void civil_from_days(uint64_t days, unsigned *y, unsigned *m, unsigned *d)
{
        uint64_t z = days + 719468, era = z / 146097;
        unsigned doe = (unsigned)(z - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        unsigned mp = (5 * doy + 2) / 153;

        *d = doy - (153 * mp + 2) / 5 + 1;
        *m = mp < 10 ? mp + 3 : mp - 9;
        *y = (unsigned)(era * 400) + yoe + (*m <= 2);
}

const char *format_iso8601(char *buf, size_t len, uint64_t secs)
{
        unsigned y, m, d, rest = (unsigned)(secs % 86400);

        /* Neither strftime() nor gmtime_r(): glibc's load /etc/localtime
         * first (seven system calls) for a UTC time that needs no zone. */
        if (secs > UNIX_TIME_MAX) {
                snprintf(buf, len, "unknown");
                return buf;
        }
        civil_from_days(secs / 86400, &y, &m, &d);
        if ((size_t)snprintf(buf, len, "%04u-%02u-%02uT%02u:%02u:%02uZ", y, m, d, rest / 3600,
                             rest / 60 % 60, rest % 60) >= len)
                snprintf(buf, len, "unknown");
        return buf;
}

int parse_iso8601(const char *s, uint64_t *ret)
{
        struct tm tm = {};
        const char *end;
        time_t t;

        if (!s || strlen(s) != 20)
                return -EINVAL;
        end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (!end || *end)
                return -EINVAL;
        t = timegm(&tm);
        if (t < 0 || (uint64_t)t > UNIX_TIME_MAX)
                return -EINVAL;
        *ret = (uint64_t)t;
        return 0;
}
