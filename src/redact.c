/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "redact.h"

void redactor_done(struct redactor *r)
{
        for (size_t i = 0; i < r->n; i++) {
                free(r->s[i].from);
                free(r->s[i].to);
        }
        free(r->s);
        *r = (struct redactor){};
}

static int secret_add(struct redactor *r, enum secret_kind kind, const char *from, size_t len)
{
        static const char *const prefix[_SECRET_MAX] = {
                [SECRET_DOMAIN] = "d-domain-", [SECRET_USER] = "user-",
                [SECRET_SPACE] = "space-",     [SECRET_RESOURCE] = "resource-",
                [SECRET_JOB] = "job-",
        };
        struct secret *s;
        size_t nth;
        char *to;

        if (!from || len == 0)
                return 0;
        for (size_t i = 0; i < r->n; i++) /* same input, same placeholder */
                if (r->s[i].from_len == len && memcmp(r->s[i].from, from, len) == 0)
                        return 0;
        nth = ++r->count[kind];
        if (kind == SECRET_ACCOUNT) {
                /* Still twelve digits: a replay parses the ARN as before. */
                if (nth <= 9) {
                        to = malloc(13);
                        if (to) {
                                memset(to, (int)('0' + nth), 12);
                                to[12] = '\0';
                        }
                } else if (asprintf(&to, "%012zu", nth) < 0)
                        to = NULL;
        } else if (asprintf(&to, "%s%zu", prefix[kind], nth) < 0)
                to = NULL;
        if (!to)
                return -ENOMEM;
        s = realloc(r->s, (r->n + 1) * sizeof(*s));
        if (!s) {
                free(to);
                return -ENOMEM;
        }
        r->s = s;
        s = &r->s[r->n];
        s->from = strndup(from, len);
        if (!s->from) {
                free(to);
                return -ENOMEM;
        }
        s->from_len = len;
        s->to = to;
        s->to_len = strlen(to);
        r->n++;
        return 0;
}

int redactor_add(struct redactor *r, enum secret_kind kind, const char *s)
{
        return s ? secret_add(r, kind, s, strlen(s)) : 0;
}

static bool arn_resource_char(char c)
{
        return c && !strchr(" \t\r\n\"',;}]\\<>", c) && (unsigned char)c >= 0x20;
}

/* arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (ARN reference, AWS IAM
 * docs): the account and whatever names the resource after its type
 * ("app/" of "app/d-xxx/space/JupyterLab/default", "role/" of a role) are the
 * user's; the type stays, classify reads ":notebook-instance/". */
int redactor_scan_arns(struct redactor *r, const char *data, size_t len)
{
        const char *end = data + len;

        for (const char *p = data; p + 4 <= end;) {
                const char *f[5], *q = p + 4, *res, *sep;
                size_t alen, rlen;
                int k, nf = 0;

                p = memmem(p, (size_t)(end - p), "arn:", 4);
                if (!p)
                        break;
                q = p + 4;
                p += 4;
                /* partition, service, region, account: then the resource */
                f[nf++] = q;
                while (q < end && nf < 5) {
                        if (*q == ':')
                                f[nf++] = q + 1;
                        else if (!arn_resource_char(*q) || *q == '/')
                                break;
                        q++;
                }
                if (nf < 5)
                        continue;
                alen = (size_t)(f[4] - 1 - f[3]);
                if (alen == 12 && strspn(f[3], "0123456789") >= 12) {
                        k = secret_add(r, SECRET_ACCOUNT, f[3], 12);
                        if (k < 0)
                                return k;
                }
                res = f[4];
                for (q = res; q < end && arn_resource_char(*q); q++)
                        ;
                rlen = (size_t)(q - res);
                sep = NULL;
                for (const char *c = res; c < q; c++)
                        if (*c == '/' || *c == ':') {
                                sep = c;
                                break;
                        }
                if (sep && sep + 1 < q)
                        k = secret_add(r, SECRET_RESOURCE, sep + 1, (size_t)(q - sep - 1));
                else
                        k = secret_add(r, SECRET_RESOURCE, res, rlen);
                if (k < 0)
                        return k;
                p = q;
        }
        return 0;
}

static int cmp_secret_len(const void *a, const void *b)
{
        const struct secret *x = a, *y = b;

        return (x->from_len < y->from_len) - (x->from_len > y->from_len);
}

/* One pass, longest secret first at each position: a placeholder is never
 * rewritten, and a space name that holds the user's name goes whole. */
int redact(const struct redactor *r, const char *in, size_t len, char **ret, size_t *ret_len)
{
        size_t cap = len + 1, n = 0;
        char *out = malloc(cap);

        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < len;) {
                const struct secret *hit = NULL;

                for (size_t j = 0; r && j < r->n; j++)
                        if (r->s[j].from_len <= len - i &&
                            memcmp(in + i, r->s[j].from, r->s[j].from_len) == 0) {
                                hit = &r->s[j];
                                break;
                        }
                const char *src = hit ? hit->to : in + i;
                size_t slen = hit ? hit->to_len : 1;

                if (n + slen + 1 > cap) {
                        char *nb;
                        cap = (n + slen + 1) * 2;
                        nb = realloc(out, cap);
                        if (!nb) {
                                free(out);
                                return -ENOMEM;
                        }
                        out = nb;
                }
                memcpy(out + n, src, slen);
                n += slen;
                i += hit ? hit->from_len : 1;
        }
        out[n] = '\0';
        *ret = out;
        if (ret_len)
                *ret_len = n;
        return 0;
}

void redactor_sort(struct redactor *r)
{
        if (r->n > 1)
                qsort(r->s, r->n, sizeof(*r->s), cmp_secret_len);
}
