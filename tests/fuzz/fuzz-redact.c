/* SPDX-License-Identifier: MIT */
/* libFuzzer: --redact never corrupts (issue 8). The first byte picks the
 * format, the rest is the input; names that are words of the files ("e",
 * "home", "true", "JupyterLab") are secrets. Whatever the input: a JSON
 * document stays one, mountinfo and mountstats keep their lines, environ its entries, text
 * its lines, a path and a symlink target their components; the same input
 * redacts to the same output twice. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bundle/redact.h"

static size_t count(const char *s, size_t len, char c)
{
        size_t n = 0;

        for (size_t i = 0; i < len; i++)
                n += s[i] == c;
        return n;
}

static bool json_exact(const char *s, size_t len)
{
        const char *end = NULL;
        cJSON *j;

        if (len == 0 || memchr(s, '\0', len))
                return false;
        j = cJSON_ParseWithLengthOpts(s, len, &end, false);
        if (!j)
                return false;
        cJSON_Delete(j);
        for (const char *c = end; c && c < s + len; c++)
                if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r')
                        return false;
        return true;
}

static void check(bool ok)
{
        if (!ok)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const names[] = { "e",     "home",   "true",  "JupyterLab",
                                             "alice", "user-1", "d-abc", "sagemaker-user" };
        struct redactor *r;
        char *in, *o1 = NULL, *o2 = NULL, *link = NULL;
        size_t len, l1 = 0, l2 = 0;
        unsigned fmt;

        if (size == 0)
                return 0;
        fmt = data[0] % 7;
        len = size - 1;
        in = malloc(len + 1); /* exactly the input, and a NUL for the path forms */
        r = redactor_new();
        if (!in || !r)
                goto out;
        memcpy(in, data + 1, len);
        in[len] = '\0';
        (void)redactor_reserve_path(r, "/home/sagemaker-user");
        (void)redactor_protect_tree(r, "/sys");
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                (void)redactor_add(r, (enum secret_kind)(i % SECRET_HOST), names[i]);
        if (fmt < 4 || fmt == 6) {
                static const enum redact_format f[] = { REDACT_JSON,      REDACT_MOUNTINFO,
                                                        REDACT_ENVIRON,   REDACT_TEXT,
                                                        REDACT_TEXT,      REDACT_TEXT,
                                                        REDACT_MOUNTSTATS };
                if (redact_data(r, f[fmt], in, len, NULL, NULL) < 0 || redactor_freeze(r) < 0 ||
                    redact_data(r, f[fmt], in, len, &o1, &l1) < 0 ||
                    redact_data(r, f[fmt], in, len, &o2, &l2) < 0)
                        goto out;
                check(l1 == l2 && memcmp(o1, o2, l1) == 0);
                switch (fmt) {
                case 0:
                        check(!json_exact(in, len) || json_exact(o1, l1));
                        break;
                case 1:
                case 3:
                case 6:
                        check(count(in, len, '\n') == count(o1, l1, '\n'));
                        break;
                case 2:
                        check(count(in, len, '\0') == count(o1, l1, '\0'));
                        break;
                }
        } else {
                /* the path, or "LINK\nTARGET" */
                char *target = in;

                if (fmt == 5) {
                        char *nl = strchr(in, '\n');
                        if (!nl)
                                goto out;
                        *nl = '\0';
                        link = in;
                        target = nl + 1;
                }
                if ((fmt == 4 ? redact_path(r, target, NULL) : redact_link(r, link, target, NULL)) <
                            0 ||
                    redactor_freeze(r) < 0 ||
                    (fmt == 4 ? redact_path(r, target, &o1) : redact_link(r, link, target, &o1)) <
                            0)
                        goto out;
                check(count(target, strlen(target), '/') == count(o1, strlen(o1), '/'));
        }
out:
        free(o1);
        free(o2);
        free(in);
        redactor_free(r);
        return 0;
}
