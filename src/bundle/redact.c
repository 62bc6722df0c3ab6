/* SPDX-License-Identifier: MIT */
/*
 * --redact: identity values become placeholders, and only ever whole ones.
 *
 * A profile or space may be named "e", "user", "home" or "JupyterLab" (names
 * are [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}, SageMaker API reference: CreateSpace,
 * CreateUserProfile). Replaced as a substring, such a name breaks "true" in
 * JSON, /home/sagemaker-user and the AppType, and with them the JSON and the
 * verdict of the replay. So every input is cut where its own format cuts it,
 * and only a whole piece equal to a secret is replaced:
 *  - JSON: string values (never keys, numbers or literals), parsed and printed
 *    with cJSON; keys that are paths (facts.json's) component by component;
 *  - paths and symlink targets: whole components;
 *  - mountinfo: field by field (its paths by component, the host of a mount
 *    source, option values), each field unescaped first (\040 ...);
 *  - environ: the value of each NAME=VALUE, by name;
 *  - any other text: tokens, the runs of [A-Za-z0-9._-] and of bytes >= 0x80.
 *    '-' and '.' are inside tokens: SageMaker joins the words of a name with
 *    '-' ("alice" is not the space "alice-ce-fsx", "east" no part of
 *    "us-east-1"), host names and file names keep their dots (a final one is
 *    a full stop), and UTF-8 names are never cut inside a character.
 * Identity fields (DomainId, SpaceName, ..., the resource part of an ARN, the
 * host of a mount source) are replaced whatever they hold. Elsewhere the
 * words the files use themselves (path components the probe looks for,
 * AppTypes, file system types: redactor_reserve()) and all-digit tokens stay,
 * even when a name equals one: there the word is the system's, not the
 * user's. The kernel's trees (redactor_protect_tree()) keep every name.
 *
 * Secrets are found, besides the identity values the caller adds:
 *  - ARNs, arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (IAM user guide,
 *    "ARN format"): the 12-digit account, and each part of the resource
 *    after its type ("app" of app/d-x/space/JupyterLab/default, whose AppType
 *    stays), also written with JSON's "\/";
 *  - account ids outside ARNs: ECR hosts ACCOUNT.dkr.ecr.REGION.amazonaws.com
 *    and SageMaker's default bucket sagemaker-REGION-ACCOUNT. An account once
 *    found is replaced wherever its 12 digits stand alone;
 *  - private addresses: 10/8, 172.16/12, 192.168/16 (RFC 1918), 100.64/10
 *    (RFC 6598, VPC secondary ranges), fc00::/7 (RFC 4193) and fe80::/10 (its
 *    interface ids carry the MAC address), also inside EC2 host names
 *    (ip-10-0-1-2.ec2.internal). 169.254/16 stays: in AWS it holds the same
 *    service addresses on every machine (169.254.169.254 IMDS, 169.254.170.2
 *    the container credentials), as does loopback, which efs-utils' mounts
 *    (127.0.0.1:/) are recognised by;
 *  - the host of a mount source, whatever address or name, except those that
 *    name an AWS resource and not the customer (EFS and FSx DNS names keep
 *    their fs- ids: support needs them, as it needs EBS volume ids).
 *
 * Placeholders keep the shape the probe parses: 12 digits for accounts, valid
 * addresses (RFC 5737 / RFC 3849 documentation ranges), host names. They are
 * numbered in the order the secrets were added, skipping any that occurs in
 * the input (a user literally named "user-1"), so a bundle says the same for
 * the same input and no placeholder can be mistaken for a real value.
 *
 * Time: one pass over the input, one hash lookup per token (the hash table
 * holds secrets, reserved words and the placeholder-shaped tokens met).
 */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "core/macro.h"
#include "bundle/redact.h"
#include "probe/nfs.h"
#include "probe/sagemaker.h"
#include "core/strutil.h"

enum {
        WORD_RESERVED = 1 << 0,
        WORD_SECRET = 1 << 1,
        WORD_TAKEN = 1 << 2, /* occurs in the input: no placeholder may equal it */
};

/* What the probe accepts in an identity field (probe/sagemaker.c FIELD_MAX):
 * a longer or non-UTF-8 value is dropped ("" is "unknown" there too). */
#define IDENTITY_MAX 4096

struct word {
        char *key; /* as first met; compared ignoring ASCII case */
        size_t len;
        uint64_t hash;
        unsigned flags;
        enum secret_kind kind;
        char *to; /* the placeholder, once frozen */
        size_t to_len;
};

struct redactor {
        struct word *w;
        size_t n, cap;
        size_t *slot; /* index + 1 into w, 0: empty; nslot is a power of two */
        size_t nslot;
        size_t *order; /* the secrets, in the order added */
        size_t norder, order_cap;
        char **trees;
        size_t ntrees;
        size_t count[_SECRET_MAX];
        bool frozen;
        uint64_t seed, work;
};

struct out {
        char *buf;
        size_t n, cap;
        bool discard;
};

static int put(struct out *o, const char *s, size_t len)
{
        if (o->discard || len == 0)
                return 0;
        if (len > SIZE_MAX / 4 - o->n)
                return -ENOMEM;
        if (o->n + len + 1 > o->cap) {
                size_t ncap = o->cap ? o->cap * 2 : 256;
                char *nb;

                while (ncap < o->n + len + 1)
                        ncap *= 2;
                nb = realloc(o->buf, ncap);
                if (!nb)
                        return -ENOMEM;
                o->buf = nb;
                o->cap = ncap;
        }
        memcpy(o->buf + o->n, s, len);
        o->n += len;
        o->buf[o->n] = '\0';
        return 0;
}

static bool out_equals(const struct out *o, const char *s, size_t len)
{
        return o->n == len && (len == 0 || memcmp(o->buf, s, len) == 0);
}

/* ---- characters ---- */

static bool is_digit(unsigned char c)
{
        return c >= '0' && c <= '9';
}

static bool is_alnum(unsigned char c)
{
        return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex(unsigned char c)
{
        return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_word(unsigned char c)
{
        return is_alnum(c) || c == '-' || c == '_' || c == '.' || c >= 0x80;
}

static unsigned char fold(unsigned char c)
{
        return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool all_digits(const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if (!is_digit((unsigned char)s[i]))
                        return false;
        return len > 0;
}

static bool eq_folded(const char *a, size_t alen, const char *b, size_t blen)
{
        if (alen != blen)
                return false;
        for (size_t i = 0; i < alen; i++)
                if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]))
                        return false;
        return true;
}

static bool starts_folded(const char *s, size_t len, const char *prefix)
{
        size_t pl = strlen(prefix);

        return len >= pl && eq_folded(s, pl, prefix, pl);
}

/* ---- the table ---- */

static uint64_t hash_of(uint64_t seed, const char *s, size_t len)
{
        uint64_t h = UINT64_C(0xcbf29ce484222325) ^ seed; /* FNV-1a */

        for (size_t i = 0; i < len; i++) {
                h ^= fold((unsigned char)s[i]);
                h *= UINT64_C(0x100000001b3);
        }
        /* splitmix64's finaliser: the slot is taken from the low bits. */
        h ^= h >> 30;
        h *= UINT64_C(0xbf58476d1ce4e5b9);
        h ^= h >> 27;
        h *= UINT64_C(0x94d049bb133111eb);
        return h ^ (h >> 31);
}

static struct word *find(struct redactor *r, const char *s, size_t len)
{
        uint64_t h;

        if (r->nslot == 0)
                return NULL;
        h = hash_of(r->seed, s, len);
        r->work += len;
        for (size_t i = h & (r->nslot - 1);; i = (i + 1) & (r->nslot - 1)) {
                size_t x = r->slot[i];
                struct word *w;

                r->work++;
                if (!x)
                        return NULL;
                w = &r->w[x - 1];
                if (w->hash == h && eq_folded(w->key, w->len, s, len))
                        return w;
        }
}

static int rehash(struct redactor *r, size_t nslot)
{
        size_t *slot = calloc(nslot, sizeof(*slot));

        if (!slot)
                return -ENOMEM;
        for (size_t i = 0; i < r->n; i++) {
                size_t j = r->w[i].hash & (nslot - 1);

                while (slot[j])
                        j = (j + 1) & (nslot - 1);
                slot[j] = i + 1;
        }
        r->work += r->n;
        free(r->slot);
        r->slot = slot;
        r->nslot = nslot;
        return 0;
}

/* The word, added (with no flags) when new. NULL on OOM. The pointer is valid
 * until the next intern(). */
static struct word *intern(struct redactor *r, const char *s, size_t len)
{
        struct word *w = find(r, s, len);
        char *key;

        if (w)
                return w;
        if ((r->n + 1) * 2 > r->nslot && rehash(r, r->nslot ? r->nslot * 2 : 256) < 0)
                return NULL;
        if (r->n == r->cap) {
                size_t ncap = r->cap ? r->cap * 2 : 128;
                w = realloc(r->w, ncap * sizeof(*w));
                if (!w)
                        return NULL;
                r->w = w;
                r->cap = ncap;
        }
        key = malloc(len + 1);
        if (!key)
                return NULL;
        memcpy(key, s, len);
        key[len] = '\0';
        w = &r->w[r->n];
        *w = (struct word){ .key = key, .len = len, .hash = hash_of(r->seed, s, len) };
        for (size_t j = w->hash & (r->nslot - 1);; j = (j + 1) & (r->nslot - 1))
                if (!r->slot[j]) {
                        r->slot[j] = r->n + 1;
                        break;
                }
        r->n++;
        return w;
}

/* ---- placeholders ---- */

static int placeholder(enum secret_kind kind, size_t n, char **ret)
{
        static const char *const prefix[_SECRET_MAX] = {
                [SECRET_DOMAIN] = "d-domain-",   [SECRET_USER] = "user-", [SECRET_SPACE] = "space-",
                [SECRET_RESOURCE] = "resource-", [SECRET_JOB] = "job-",
        };
        int k;

        switch (kind) {
        case SECRET_ACCOUNT:
                /* Still twelve digits, and no leading zero: a JSON number stays one. */
                if (n <= 9) {
                        *ret = malloc(13);
                        if (!*ret)
                                return -ENOMEM;
                        memset(*ret, '0' + (int)n, 12);
                        (*ret)[12] = '\0';
                        return 0;
                }
                if (n >= UINT64_C(100000000000))
                        return -E2BIG;
                k = asprintf(ret, "9%011zu", n);
                break;
        case SECRET_HOST:
                k = asprintf(ret, "host-%zu.invalid", n);
                break;
        case SECRET_IP4:
                /* 192.0.2/24 (TEST-NET-1), then 198.18/15 (RFC 2544), then 240/4. */
                if (n <= 254)
                        k = asprintf(ret, "192.0.2.%zu", n);
                else if (n - 254 < (UINT64_C(1) << 17)) {
                        size_t m = n - 254;
                        k = asprintf(ret, "198.%zu.%zu.%zu", 18 + (m >> 16), (m >> 8) & 255,
                                     m & 255);
                } else if (n - 254 - (UINT64_C(1) << 17) < (UINT64_C(1) << 28)) {
                        size_t m = n - 254 - (UINT64_C(1) << 17);
                        k = asprintf(ret, "%zu.%zu.%zu.%zu", 240 + (m >> 24), (m >> 16) & 255,
                                     (m >> 8) & 255, m & 255);
                } else
                        return -E2BIG;
                break;
        case SECRET_IP6:
                k = n <= 0xffff ? asprintf(ret, "2001:db8::%zx", n)
                                : asprintf(ret, "2001:db8::%zx:%zx", (n >> 16) & 0xffffffff,
                                           n & 0xffff);
                break;
        default:
                k = asprintf(ret, "%s%zu", prefix[kind], n);
                break;
        }
        if (k < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* Tokens of the input that a placeholder could be: noted, so none is. */
static bool placeholder_shaped(const char *s, size_t len)
{
        static const char *const prefixes[] = { "d-domain-", "user-", "space-",   "resource-",
                                                "job-",      "host-", "2001:db8:" };

        for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
                size_t pl = strlen(prefixes[i]);
                if (starts_folded(s, len, prefixes[i]) && len > pl &&
                    (is_hex((unsigned char)s[pl]) || s[pl] == ':'))
                        return true;
        }
        return false;
}

static int note_taken(struct redactor *r, const char *s, size_t len)
{
        struct word *w = intern(r, s, len);

        if (!w)
                return -ENOMEM;
        w->flags |= WORD_TAKEN;
        return 0;
}

static int note_if_shaped(struct redactor *r, const char *s, size_t len)
{
        return placeholder_shaped(s, len) ? note_taken(r, s, len) : 0;
}

static int assign(struct redactor *r, size_t idx)
{
        enum secret_kind kind = r->w[idx].kind;

        for (;;) {
                const struct word *q;
                char *p;
                int k;

                k = placeholder(kind, ++r->count[kind], &p);
                if (k < 0)
                        return k;
                q = find(r, p, strlen(p));
                if (q && (q->flags & (WORD_TAKEN | WORD_SECRET))) {
                        free(p);
                        continue;
                }
                r->w[idx].to = p;
                r->w[idx].to_len = strlen(p);
                return 0;
        }
}

/* *ret: the secret (existing or new); NULL for "". */
static int add_secret(struct redactor *r, enum secret_kind kind, const char *s, size_t len,
                      struct word **ret)
{
        struct word *w;
        size_t idx;
        int k;

        *ret = NULL;
        if (len == 0)
                return 0;
        k = note_if_shaped(r, s, len);
        if (k < 0)
                return k;
        w = intern(r, s, len);
        if (!w)
                return -ENOMEM;
        idx = (size_t)(w - r->w);
        if (!(w->flags & WORD_SECRET)) {
                if (r->norder == r->order_cap) {
                        size_t ncap = r->order_cap ? r->order_cap * 2 : 64;
                        size_t *o = realloc(r->order, ncap * sizeof(*o));
                        if (!o)
                                return -ENOMEM;
                        r->order = o;
                        r->order_cap = ncap;
                }
                r->order[r->norder++] = idx;
                w->flags |= WORD_SECRET;
                w->kind = kind;
                if (r->frozen && (k = assign(r, idx)) < 0)
                        return k;
        }
        *ret = &r->w[idx];
        return 0;
}

static int emit_secret(struct out *o, const struct word *w, const char *orig, size_t len)
{
        return w->to ? put(o, w->to, w->to_len) : put(o, orig, len);
}

/* ---- addresses ---- */

static bool ip4_parse(const char *s, size_t len, unsigned char ret[4])
{
        char buf[16];

        if (len < 7 || len > 15)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!is_digit((unsigned char)s[i]) && s[i] != '.')
                        return false;
        memcpy(buf, s, len);
        buf[len] = '\0';
        return inet_pton(AF_INET, buf, ret) == 1;
}

static bool ip4_private(const unsigned char a[4])
{
        return a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
               (a[0] == 100 && (a[1] & 0xc0) == 64);
}

/* Loopback, "this host" and link-local: the same on every machine. */
static bool ip4_kept(const unsigned char a[4])
{
        return a[0] == 127 || a[0] == 0 || (a[0] == 169 && a[1] == 254);
}

static bool ip6_private(const unsigned char a[16])
{
        return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

/* "ip-10-0-1-2", "ip-10-0-1-2.ec2.internal": EC2's private DNS names. */
static bool ec2_private_name(const char *s, size_t len)
{
        unsigned char a[4];
        size_t i = 3;

        if (!starts_folded(s, len, "ip-"))
                return false;
        for (int part = 0; part < 4; part++) {
                unsigned v = 0;
                size_t st = i;

                while (i < len && is_digit((unsigned char)s[i]) && i - st < 3)
                        v = v * 10 + (unsigned)(s[i++] - '0');
                if (i == st || v > 255)
                        return false;
                a[part] = (unsigned char)v;
                if (part < 3 && (i >= len || s[i++] != '-'))
                        return false;
        }
        return (i == len || s[i] == '.') && ip4_private(a);
}

/* ---- tokens, paths, text ---- */

/* A token (or a path component) of free text: replaced when it is a whole
 * secret and not a reserved word, or holds a private address or an
 * account's digits. */
static int token(struct redactor *r, struct out *o, const char *s, size_t len)
{
        struct word *w = find(r, s, len);
        bool digits = all_digits(s, len);
        unsigned char a[4];
        size_t last = 0;
        int k;

        if (w && (w->flags & WORD_SECRET) &&
            (digits ? w->kind == SECRET_ACCOUNT : !(w->flags & WORD_RESERVED)))
                return emit_secret(o, w, s, len);
        if (digits) {
                if (len == 12 && (k = note_taken(r, s, len)) < 0)
                        return k;
                return put(o, s, len);
        }
        if (ip4_parse(s, len, a)) {
                if ((k = note_taken(r, s, len)) < 0)
                        return k;
                if (!ip4_private(a))
                        return put(o, s, len);
                if ((k = add_secret(r, SECRET_IP4, s, len, &w)) < 0)
                        return k;
                return emit_secret(o, w, s, len);
        }
        if (ec2_private_name(s, len)) {
                if ((k = add_secret(r, SECRET_HOST, s, len, &w)) < 0)
                        return k;
                return emit_secret(o, w, s, len);
        }
        if ((k = note_if_shaped(r, s, len)) < 0)
                return k;
        /* Accounts inside a token: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
         * "sagemaker-us-east-1-123456789012", or one found elsewhere. */
        for (size_t i = 0; i < len;) {
                size_t j = i;

                if (!is_digit((unsigned char)s[i])) {
                        i++;
                        continue;
                }
                while (j < len && is_digit((unsigned char)s[j]))
                        j++;
                r->work += j - i;
                if (j - i == 12) {
                        bool ecr = len - j >= 9 && memcmp(s + j, ".dkr.ecr.", 9) == 0;
                        bool bucket = j == len && starts_folded(s, len, "sagemaker-");

                        if ((k = note_taken(r, s + i, 12)) < 0)
                                return k;
                        if (ecr || bucket) {
                                if ((k = add_secret(r, SECRET_ACCOUNT, s + i, 12, &w)) < 0)
                                        return k;
                        } else
                                w = find(r, s + i, 12);
                        if (w && (w->flags & WORD_SECRET) && w->kind == SECRET_ACCOUNT) {
                                if ((k = put(o, s + last, i - last)) < 0 ||
                                    (k = emit_secret(o, w, s + i, 12)) < 0)
                                        return k;
                                last = j;
                        }
                }
                i = j;
        }
        return put(o, s + last, len - last);
}

static bool is_dot_or_dotdot(const char *s, size_t len)
{
        return (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.');
}

static bool is_protected(const struct redactor *r, const char *p, size_t len)
{
        if (len == 0 || p[0] != '/')
                return false;
        for (size_t i = 0; i < r->ntrees; i++) {
                size_t tl = strlen(r->trees[i]);
                if (len >= tl && memcmp(p, r->trees[i], tl) == 0 && (len == tl || p[tl] == '/'))
                        return true;
        }
        return false;
}

static int path_rule(struct redactor *r, struct out *o, const char *p, size_t len)
{
        int k;

        r->work += len;
        if (is_protected(r, p, len))
                return put(o, p, len);
        for (size_t i = 0; i < len;) {
                size_t j = i;

                if (p[i] == '/') {
                        while (j < len && p[j] == '/')
                                j++;
                        k = put(o, p + i, j - i);
                } else {
                        while (j < len && p[j] != '/')
                                j++;
                        k = is_dot_or_dotdot(p + i, j - i) ? put(o, p + i, j - i)
                                                           : token(r, o, p + i, j - i);
                }
                if (k < 0)
                        return k;
                i = j;
        }
        return 0;
}

static bool arn_field_char(unsigned char c)
{
        return is_alnum(c) || c == '-' || c == '_' || c == '.';
}

static bool arn_resource_char(const char *s, size_t len, size_t i)
{
        unsigned char c = (unsigned char)s[i];

        return is_word(c) || c == '+' || c == '=' || c == '@' || c == ':' || c == '/' || c == '*' ||
               (c == '\\' && i + 1 < len && s[i + 1] == '/');
}

/* A name after the resource type: an identity position, so a secret is
 * replaced even when it is a word ("default") or a number; else versions and
 * uids (digits), the vocabulary ("service-role") and the AppType of an app
 * ARN stay, and any other name becomes a secret of its own. */
static int arn_component(struct redactor *r, struct out *o, const char *c, size_t len, bool apptype)
{
        struct word *w;
        int k;

        if (len == 0)
                return 0;
        if (apptype)
                return put(o, c, len);
        w = find(r, c, len);
        if (w && (w->flags & WORD_SECRET))
                return emit_secret(o, w, c, len);
        if (all_digits(c, len))
                return token(r, o, c, len);
        if (w && (w->flags & WORD_RESERVED))
                return put(o, c, len);
        if ((k = add_secret(r, SECRET_RESOURCE, c, len, &w)) < 0)
                return k;
        return emit_secret(o, w, c, len);
}

/* s points at "arn:"; *used: how much was an ARN (0: none). */
static int arn(struct redactor *r, struct out *o, const char *s, size_t len, size_t *used)
{
        const char *f[4];
        size_t fl[4], i = 4, end, ci;
        const char *type = NULL;
        size_t type_len = 0;
        bool typed = false, app;
        struct word *w;
        int k, idx;

        *used = 0;
        for (int n = 0; n < 4; n++) {
                size_t st = i;
                while (i < len && arn_field_char((unsigned char)s[i]))
                        i++;
                if (i >= len || s[i] != ':')
                        return 0;
                f[n] = s + st;
                fl[n] = i - st;
                i++;
        }
        if (fl[0] == 0 || fl[1] == 0)
                return 0;
        for (end = i; end < len && arn_resource_char(s, len, end);)
                end += s[end] == '\\' ? 2 : 1;
        while (end > i && s[end - 1] == '.') /* a full stop after it */
                end--;
        if (end == i)
                return 0;
        r->work += end;
        k = put(o, s, (size_t)(f[3] - s));
        if (k < 0)
                return k;
        if (fl[3] == 12 && all_digits(f[3], 12)) {
                if ((k = add_secret(r, SECRET_ACCOUNT, f[3], 12, &w)) < 0 ||
                    (k = emit_secret(o, w, f[3], 12)) < 0)
                        return k;
        } else if ((k = put(o, f[3], fl[3])) < 0)
                return k;
        if ((k = put(o, ":", 1)) < 0)
                return k;
        /* The resource: a type and the names after it ("role/service-role/X",
         * "notebook-instance/NAME", "app/DOMAIN/SPACE/APPTYPE/APP"); S3's is a
         * bucket and a key, no type. */
        for (size_t j = i; j < end && !typed; j++)
                typed = s[j] == '/' || s[j] == ':';
        if (fl[1] == 2 && memcmp(f[1], "s3", 2) == 0)
                typed = false;
        idx = typed ? -1 : 0;
        for (ci = i; ci <= end;) {
                size_t j = ci, sep = 0;

                while (j < end && s[j] != '/' && s[j] != ':' && s[j] != '\\')
                        j++;
                if (j < end)
                        sep = s[j] == '\\' ? 2 : 1;
                if (idx < 0) {
                        type = s + ci;
                        type_len = j - ci;
                        k = put(o, type, type_len);
                } else {
                        app = fl[1] == 9 && memcmp(f[1], "sagemaker", 9) == 0 && type_len == 3 &&
                              memcmp(type, "app", 3) == 0;
                        /* app/DOMAIN/OWNER/APPTYPE/NAME: the AppType is no name. */
                        k = arn_component(r, o, s + ci, j - ci, app && idx == 2);
                }
                if (k < 0 || (k = put(o, s + j, sep)) < 0)
                        return k;
                idx++;
                if (sep == 0)
                        break;
                ci = j + sep;
        }
        *used = end;
        return 0;
}

/* An IPv6 address at s ("fd00::1", at least two colons); *used 0: none. */
static int ip6(struct redactor *r, struct out *o, const char *s, size_t len, size_t *used)
{
        unsigned char a[16];
        char buf[48], canon[INET6_ADDRSTRLEN];
        size_t j = 0, colons = 0;
        struct word *w;
        int k;

        *used = 0;
        while (j < len && j < 46 && (is_hex((unsigned char)s[j]) || s[j] == ':' || s[j] == '.'))
                colons += s[j++] == ':';
        while (j > 0 && s[j - 1] == '.')
                j--;
        if (colons < 2 || j >= 46 || (j < len && is_word((unsigned char)s[j]) && s[j] != '.'))
                return 0;
        memcpy(buf, s, j);
        buf[j] = '\0';
        if (inet_pton(AF_INET6, buf, a) != 1 || !inet_ntop(AF_INET6, a, canon, sizeof(canon)))
                return 0;
        r->work += j;
        *used = j;
        if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8 &&
            (k = note_taken(r, canon, strlen(canon))) < 0)
                return k;
        w = find(r, canon, strlen(canon));
        if (!(w && (w->flags & WORD_SECRET)) && ip6_private(a) &&
            (k = add_secret(r, SECRET_IP6, canon, strlen(canon), &w)) < 0)
                return k;
        if (w && (w->flags & WORD_SECRET))
                return emit_secret(o, w, s, j);
        return put(o, s, j);
}

static int text(struct redactor *r, struct out *o, const char *s, size_t len)
{
        int k = 0;

        for (size_t i = 0; i < len && k >= 0;) {
                size_t j = i, e, used = 0;

                if (!is_word((unsigned char)s[i])) {
                        while (j < len && !is_word((unsigned char)s[j]))
                                j++;
                        r->work += j - i;
                        k = put(o, s + i, j - i);
                        i = j;
                        continue;
                }
                if (len - i > 4 && memcmp(s + i, "arn:", 4) == 0 &&
                    ((k = arn(r, o, s + i, len - i, &used)) < 0 || used)) {
                        i += used;
                        continue;
                }
                if (is_hex((unsigned char)s[i]) &&
                    ((k = ip6(r, o, s + i, len - i, &used)) < 0 || used)) {
                        i += used;
                        continue;
                }
                while (j < len && is_word((unsigned char)s[j]))
                        j++;
                /* "... named alice.": a full stop is no part of a name, an
                 * address or a host name. */
                e = j;
                while (e > i + 1 && s[e - 1] == '.')
                        e--;
                k = token(r, o, s + i, e - i);
                if (k >= 0)
                        k = put(o, s + e, j - e);
                i = j;
        }
        return k;
}

static bool has_separator(const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if (!is_word((unsigned char)s[i]))
                        return true;
        return false;
}

/* A value of no known meaning: a whole secret (also one holding spaces or
 * quotes), a path, or text. A message that starts with a path ("/mnt/x: ...")
 * is text: its words after the path are no path component. */
static int value(struct redactor *r, struct out *o, const char *s, size_t len)
{
        if (len > 0 && has_separator(s, len)) {
                struct word *w = find(r, s, len);
                if (w && (w->flags & WORD_SECRET) && !(w->flags & WORD_RESERVED))
                        return emit_secret(o, w, s, len);
        }
        if (len > 0 && s[0] == '/' && !memchr(s, ' ', len) && !memchr(s, '\t', len) &&
            !memchr(s, '\n', len))
                return path_rule(r, o, s, len);
        return text(r, o, s, len);
}

/* The value of an identity field: replaced whatever it is. */
static int identity(struct redactor *r, struct out *o, enum secret_kind kind, const char *s,
                    size_t len)
{
        struct word *w;
        int k;

        if (len == 0)
                return 0;
        if (kind == SECRET_ACCOUNT && !(len == 12 && all_digits(s, 12)))
                return value(r, o, s, len);
        if (len > IDENTITY_MAX || !utf8_is_valid(s, len))
                return 0;
        r->work += len;
        if ((k = add_secret(r, kind, s, len, &w)) < 0)
                return k;
        return emit_secret(o, w, s, len);
}

/* ---- the host of a mount source ---- */

/* AWS resources by their ids, not the customer's names: EFS and FSx mount
 * targets (fs-0123.efs.us-east-1.amazonaws.com, svm-...fsx...amazonaws.com).
 * EC2's public names (ec2-1-2-3-4.compute-1.amazonaws.com) hold an address. */
static bool aws_resource_host(const char *h, size_t len)
{
        static const char *const suffixes[] = { ".amazonaws.com", ".amazonaws.com.cn" };

        if (starts_folded(h, len, "ec2-") || starts_folded(h, len, "ip-"))
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
                size_t sl = strlen(suffixes[i]);
                if (len > sl && eq_folded(h + len - sl, sl, suffixes[i], sl))
                        return true;
        }
        return false;
}

static int host(struct redactor *r, struct out *o, const char *h, size_t len)
{
        unsigned char a[16];
        char buf[256], canon[INET6_ADDRSTRLEN];
        char *fsid = NULL, *region = NULL;
        struct word *w;
        bool efs;
        int k;

        if (len == 0)
                return 0;
        if (len < sizeof(buf)) {
                memcpy(buf, h, len);
                buf[len] = '\0';
                if (inet_pton(AF_INET, buf, a) == 1) {
                        if ((k = note_taken(r, h, len)) < 0)
                                return k;
                        if (ip4_kept(a))
                                return put(o, h, len);
                        if ((k = add_secret(r, SECRET_IP4, h, len, &w)) < 0)
                                return k;
                        return emit_secret(o, w, h, len);
                }
                if (inet_pton(AF_INET6, buf, a) == 1 &&
                    inet_ntop(AF_INET6, a, canon, sizeof(canon))) {
                        static const unsigned char loop[16] = { [15] = 1 }, any[16] = {};
                        if (memcmp(a, loop, 16) == 0 || memcmp(a, any, 16) == 0)
                                return put(o, h, len);
                        if ((k = add_secret(r, SECRET_IP6, canon, strlen(canon), &w)) < 0)
                                return k;
                        return emit_secret(o, w, h, len);
                }
                efs = efs_parse_dns(buf, &fsid, &region);
                free(fsid);
                free(region);
                if (efs || strcasecmp(buf, "localhost") == 0)
                        return put(o, h, len);
        }
        if (aws_resource_host(h, len))
                return put(o, h, len);
        if ((k = add_secret(r, SECRET_HOST, h, len, &w)) < 0)
                return k;
        return emit_secret(o, w, h, len);
}

/* LNet NIDs: ADDR@tcp, ADDR@o2ib1, ADDR@efa (lustre's "NID[:NID...]:/fs"). */
static bool lnet_nids(const char *s, size_t len)
{
        const char *at = memchr(s, '@', len);
        size_t rest;

        if (!at)
                return false;
        rest = len - (size_t)(at + 1 - s);
        return starts_folded(at + 1, rest, "tcp") || starts_folded(at + 1, rest, "o2ib") ||
               starts_folded(at + 1, rest, "efa");
}

/* A mount source: HOST:PATH, [V6]:PATH, //HOST/SHARE, USER@HOST:PATH,
 * NID@NET[:NID@NET]:/PATH (lustre), a device path, or a name. */
static int source(struct redactor *r, struct out *o, const char *s, size_t len)
{
        const char *colon;
        size_t hl;
        int k;

        if (len == 0)
                return 0;
        if (s[0] == '/' && !(len > 1 && s[1] == '/'))
                return path_rule(r, o, s, len);
        if (len > 2 && s[0] == '/' && s[1] == '/') {
                const char *sl = memchr(s + 2, '/', len - 2);
                hl = sl ? (size_t)(sl - s - 2) : len - 2;
                if ((k = put(o, s, 2)) < 0 || (k = host(r, o, s + 2, hl)) < 0)
                        return k;
                return text(r, o, s + 2 + hl, len - 2 - hl);
        }
        if (s[0] == '[') {
                const char *rb = memchr(s, ']', len);
                if (!rb)
                        return text(r, o, s, len);
                hl = (size_t)(rb - s - 1);
                if ((k = put(o, s, 1)) < 0 || (k = host(r, o, s + 1, hl)) < 0)
                        return k;
                return text(r, o, rb, len - hl - 1);
        }
        colon = memchr(s, ':', len);
        if (!colon)
                return text(r, o, s, len);
        hl = (size_t)(colon - s);
        if (lnet_nids(s, len)) {
                /* every NID before ":/", then the file system's path */
                for (size_t i = 0; i < len;) {
                        size_t j = i;
                        const char *at;

                        if (s[i] == '/' || (s[i] == ':' && i + 1 < len && s[i + 1] == '/'))
                                return text(r, o, s + i, len - i);
                        if (s[i] == ':' || s[i] == ',') {
                                if ((k = put(o, s + i, 1)) < 0)
                                        return k;
                                i++;
                                continue;
                        }
                        while (j < len && s[j] != ':' && s[j] != ',')
                                j++;
                        at = memchr(s + i, '@', j - i);
                        if (!at)
                                k = text(r, o, s + i, j - i);
                        else if ((k = host(r, o, s + i, (size_t)(at - s) - i)) >= 0)
                                k = put(o, at, (size_t)(s + j - at));
                        if (k < 0)
                                return k;
                        i = j;
                }
                return 0;
        }
        {
                const char *at = memchr(s, '@', hl);
                size_t hs = 0;

                if (at) { /* sshfs' USER@HOST: */
                        struct word *w;
                        size_t ul = (size_t)(at - s);
                        if ((k = add_secret(r, SECRET_USER, s, ul, &w)) < 0 ||
                            (k = w ? emit_secret(o, w, s, ul) : 0) < 0 || (k = put(o, "@", 1)) < 0)
                                return k;
                        hs = ul + 1;
                }
                if ((k = host(r, o, s + hs, hl - hs)) < 0)
                        return k;
        }
        return text(r, o, colon, len - hl);
}

/* ---- formats ---- */

#define FIELD_TEXT (-1)
#define FIELD_PUBLIC (-2)

struct field {
        const char *name;
        int role; /* a secret_kind: an identity field; FIELD_PUBLIC: never changed */
};

static const struct field json_fields[] = {
        /* resource-metadata.json (notebooks-run-and-manage-metadata, nbi-metadata),
         * processingjobconfig.json (build-your-own-processing-container) */
        { "DomainId", SECRET_DOMAIN },
        { "UserProfileName", SECRET_USER },
        { "SpaceName", SECRET_SPACE },
        { "ResourceName", SECRET_RESOURCE },
        { "ProcessingJobName", SECRET_JOB },
        { "TrainingJobName", SECRET_JOB },
        { "OwnerAccountId", SECRET_ACCOUNT },
        { "AccountId", SECRET_ACCOUNT },
        { "AppType", FIELD_PUBLIC },
        /* report.json (render/json.c) */
        { "domain_id", SECRET_DOMAIN },
        { "user_profile_name", SECRET_USER },
        { "space_name", SECRET_SPACE },
        { "resource_name", SECRET_RESOURCE },
        { "processing_job_name", SECRET_JOB },
        { "training_job_name", SECRET_JOB },
        { "app_type", FIELD_PUBLIC },
        { "space_type", FIELD_PUBLIC },
        { "region", FIELD_PUBLIC },
        { "region_source", FIELD_PUBLIC },
        { "environment", FIELD_PUBLIC },
        { "confidence", FIELD_PUBLIC },
        { "points_to", FIELD_PUBLIC },
        { "storage", FIELD_PUBLIC },
        { "fstype", FIELD_PUBLIC },
        { "fs_type", FIELD_PUBLIC },
        { "name", FIELD_PUBLIC },
        { "partition", FIELD_PUBLIC },
        { "model", FIELD_PUBLIC },
        { "serial", FIELD_PUBLIC },
        { "ebs_volume_id", FIELD_PUBLIC },
        { "efs_filesystem_id", FIELD_PUBLIC },
        { "efs_access_point_id", FIELD_PUBLIC },
        { "uuid", FIELD_PUBLIC },
        { "version", FIELD_PUBLIC },
        /* facts.json (probe/facts.c) */
        { "type", FIELD_PUBLIC },
};

static const struct field environ_fields[] = {
        /* studio-facts §3 */
        { "SAGEMAKER_SPACE_NAME", SECRET_SPACE },
        { "TRAINING_JOB_NAME", SECRET_JOB },
        { "AWS_ACCOUNT_ID", SECRET_ACCOUNT },
        { "SAGEMAKER_APP_TYPE", FIELD_PUBLIC },
        { "SAGEMAKER_SPACE_TYPE_LOWERCASE", FIELD_PUBLIC },
        { "AWS_REGION", FIELD_PUBLIC },
        { "REGION_NAME", FIELD_PUBLIC },
        { "AWS_DEFAULT_REGION", FIELD_PUBLIC },
};

static int field_role(const struct field *t, size_t n, const char *name, size_t len)
{
        for (size_t i = 0; i < n; i++)
                if (strlen(t[i].name) == len && memcmp(t[i].name, name, len) == 0)
                        return t[i].role;
        return FIELD_TEXT;
}

static int field(struct redactor *r, struct out *o, int role, const char *s, size_t len)
{
        if (role == FIELD_PUBLIC)
                return put(o, s, len);
        if (role >= 0)
                return identity(r, o, (enum secret_kind)role, s, len);
        return value(r, o, s, len);
}

static char *json_dup(const struct out *o)
{
        char *s = cJSON_malloc(o->n + 1);

        if (s) {
                if (o->n)
                        memcpy(s, o->buf, o->n);
                s[o->n] = '\0';
        }
        return s;
}

static int json_walk(struct redactor *r, cJSON *node, int inherited, bool write, bool *changed)
{
        int k = 0;

        for (cJSON *c = node->child; c && k >= 0; c = c->next) {
                int role = inherited;
                struct out o = { .discard = !write };

                if (cJSON_IsObject(node) && c->string) {
                        size_t kl = strlen(c->string);

                        role = field_role(json_fields, ARRAY_SIZE(json_fields), c->string, kl);
                        /* facts.json's keys are the paths of the bundle */
                        if (c->string[0] == '/' && !(c->type & cJSON_StringIsConst)) {
                                k = path_rule(r, &o, c->string, kl);
                                if (k >= 0 && write && !out_equals(&o, c->string, kl)) {
                                        char *nk = json_dup(&o);
                                        if (!nk)
                                                k = -ENOMEM;
                                        else {
                                                cJSON_free(c->string);
                                                c->string = nk;
                                                *changed = true;
                                        }
                                }
                                free(o.buf);
                                o = (struct out){ .discard = !write };
                        }
                }
                if (k < 0)
                        break;
                if (cJSON_IsString(c) && c->valuestring) {
                        size_t vl = strlen(c->valuestring);

                        k = field(r, &o, role, c->valuestring, vl);
                        if (k >= 0 && write && !out_equals(&o, c->valuestring, vl)) {
                                char *nv = json_dup(&o);
                                if (!nv)
                                        k = -ENOMEM;
                                else {
                                        cJSON_free(c->valuestring);
                                        c->valuestring = nv;
                                        *changed = true;
                                }
                        }
                } else if (cJSON_IsNumber(c) && role == SECRET_ACCOUNT && c->valuedouble >= 1e11 &&
                           c->valuedouble < 1e12 &&
                           c->valuedouble == (double)(uint64_t)c->valuedouble) {
                        char digits[16];
                        struct word *w;

                        snprintf(digits, sizeof(digits), "%012" PRIu64, (uint64_t)c->valuedouble);
                        k = add_secret(r, SECRET_ACCOUNT, digits, 12, &w);
                        if (k >= 0 && write && w && w->to) {
                                cJSON_SetNumberHelper(c, strtod(w->to, NULL));
                                *changed = true;
                        }
                } else if (cJSON_IsArray(c) || cJSON_IsObject(c))
                        k = json_walk(r, c, role, write, changed);
                free(o.buf);
        }
        return k;
}

/* The whole input one JSON document, as sagemaker_parse_metadata() wants it:
 * a document with garbage after it is none. */
static cJSON *json_parse_exact(const char *in, size_t len)
{
        const char *end = NULL;
        cJSON *j;

        if (len == 0 || memchr(in, '\0', len))
                return NULL;
        j = cJSON_ParseWithLengthOpts(in, len, &end, false);
        if (!j)
                return NULL;
        for (const char *c = end; c && c < in + len; c++)
                if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r') {
                        cJSON_Delete(j);
                        return NULL;
                }
        return j;
}

static int json(struct redactor *r, struct out *o, const char *in, size_t len)
{
        cJSON *j = json_parse_exact(in, len);
        bool changed = false;
        char *p;
        int k;

        if (!j) /* not JSON: tokens as any text; it stays as broken for the probe */
                return text(r, o, in, len);
        r->work += len;
        if (cJSON_IsString(j) && j->valuestring) {
                /* A lone string: as a value of no known field. */
                cJSON *wrap = cJSON_CreateArray();
                if (!wrap) {
                        cJSON_Delete(j);
                        return -ENOMEM;
                }
                cJSON_AddItemToArray(wrap, j);
                k = json_walk(r, wrap, FIELD_TEXT, !o->discard, &changed);
                j = cJSON_DetachItemFromArray(wrap, 0);
                cJSON_Delete(wrap);
        } else
                k = json_walk(r, j, FIELD_TEXT, !o->discard, &changed);
        if (k < 0 || o->discard || !changed) {
                cJSON_Delete(j);
                return k < 0 ? k : put(o, in, len);
        }
        p = cJSON_Print(j);
        cJSON_Delete(j);
        if (!p)
                return -ENOMEM;
        k = put(o, p, strlen(p));
        cJSON_free(p);
        return k;
}

static int environ_block(struct redactor *r, struct out *o, const char *in, size_t len)
{
        struct environ_entry e;
        int k = 0;

        for (size_t pos = 0; k >= 0 && sagemaker_environ_next(in, len, &pos, &e);) {
                if (e.eq) {
                        size_t nl = (size_t)(e.eq - e.entry);
                        int role =
                                field_role(environ_fields, ARRAY_SIZE(environ_fields), e.entry, nl);
                        r->work += nl;
                        if ((k = put(o, e.entry, nl + 1)) >= 0)
                                k = field(r, o, role, e.eq + 1, e.len - nl - 1);
                } else
                        k = text(r, o, e.entry, e.len);
                if (k >= 0 && e.terminated)
                        k = put(o, "\0", 1);
        }
        return k;
}

/* mountinfo escapes ' ', '\t', '\n' and '\\' as \ooo (fs/proc_namespace.c). */
static int unescape(const char *s, size_t len, struct out *o)
{
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                int k;

                if (c == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' &&
                    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        c = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
                        i += 3;
                }
                if ((k = put(o, &c, 1)) < 0)
                        return k;
        }
        return 0;
}

/* The kernel's four, and any other control byte a hostile line held as \ooo. */
static int escape(const char *s, size_t len, struct out *o)
{
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                char buf[5];
                int k;

                if (c == ' ' || c == '\\' || c < 0x20 || c == 0x7f) {
                        snprintf(buf, sizeof(buf), "\\%03o", c);
                        k = put(o, buf, 4);
                } else
                        k = put(o, s + i, 1);
                if (k < 0)
                        return k;
        }
        return 0;
}

enum mi_kind { MI_PATH, MI_SOURCE, MI_OPTIONS };

/* NFS's options that hold the server's or the client's address, whatever
 * it is (nfs(5); the kernel shows them in mountinfo and mountstats "opts:"). */
static bool address_option(const char *key_eq, size_t len)
{
        static const char *const keys[] = { "addr=", "clientaddr=", "mountaddr=" };

        for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
                if (len == strlen(keys[i]) && memcmp(key_eq, keys[i], len) == 0)
                        return true;
        return false;
}

/* One field: unescaped, redacted, and escaped again only if it changed, so
 * that what was not redacted stays byte for byte. */
static int mi_field(struct redactor *r, struct out *o, enum mi_kind kind, const char *s, size_t len)
{
        struct out raw = {}, red = { .discard = o->discard };
        int k;

        k = unescape(s, len, &raw);
        if (k >= 0) {
                const char *v = raw.buf ? raw.buf : "";
                switch (kind) {
                case MI_PATH:
                        k = path_rule(r, &red, v, raw.n);
                        break;
                case MI_SOURCE:
                        k = source(r, &red, v, raw.n);
                        break;
                case MI_OPTIONS:
                        /* KEY=VALUE,FLAG,...: the values; flags ("user", "soft") stay. */
                        for (size_t i = 0; i < raw.n && k >= 0;) {
                                const char *c = memchr(v + i, ',', raw.n - i), *eq;
                                size_t ol = c ? (size_t)(c - v) - i : raw.n - i;

                                eq = memchr(v + i, '=', ol);
                                if (eq) {
                                        size_t kl = (size_t)(eq - v) - i + 1;
                                        if ((k = put(&red, v + i, kl)) >= 0)
                                                k = address_option(v + i, kl)
                                                            ? host(r, &red, eq + 1, ol - kl)
                                                            : text(r, &red, eq + 1, ol - kl);
                                } else
                                        k = put(&red, v + i, ol);
                                if (k >= 0 && c)
                                        k = put(&red, ",", 1);
                                i += ol + 1;
                        }
                        break;
                }
        }
        if (k >= 0 && !o->discard)
                k = out_equals(&red, raw.buf, raw.n) ? put(o, s, len)
                                                     : escape(red.buf ? red.buf : "", red.n, o);
        free(raw.buf);
        free(red.buf);
        return k;
}

/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
 * (proc(5)). A line that is not one goes as text. */
static int mi_line(struct redactor *r, struct out *o, const char *s, size_t len)
{
        size_t start[64], flen[64], n = 0, dash = 0;
        int k = 0;

        for (size_t i = 0; n < ARRAY_SIZE(start);) {
                const char *sp = memchr(s + i, ' ', len - i);
                start[n] = i;
                flen[n] = sp ? (size_t)(sp - s) - i : len - i;
                if (!dash && n >= 6 && flen[n] == 1 && s[i] == '-')
                        dash = n;
                n++;
                if (!sp)
                        break;
                i = (size_t)(sp - s) + 1;
        }
        r->work += len;
        if (!dash || n < dash + 4 || start[n - 1] + flen[n - 1] != len)
                return text(r, o, s, len);
        for (size_t f = 0; f < n && k >= 0; f++) {
                const char *v = s + start[f];

                if (f > 0 && (k = put(o, " ", 1)) < 0)
                        break;
                if (f == 3 || f == 4)
                        k = mi_field(r, o, MI_PATH, v, flen[f]);
                else if (f == dash + 2)
                        k = mi_field(r, o, MI_SOURCE, v, flen[f]);
                else if (f == dash + 3)
                        k = mi_field(r, o, MI_OPTIONS, v, flen[f]);
                else if (f > dash + 3)
                        k = text(r, o, v, flen[f]);
                else /* ids, device, VFS options, optional fields, "-", fstype */
                        k = put(o, v, flen[f]);
        }
        return k;
}

/* /proc/PID/mountstats (fs/nfs/super.c nfs_show_stats): "device SRC mounted
 * on MP with fstype T ..." names the source and mount point as mountinfo does,
 * mangled the same way; "opts:" holds the NFS options (addr=, clientaddr=).
 * Every other line is counters and the kernel's words: text. */
static int ms_line(struct redactor *r, struct out *o, const char *s, size_t len)
{
        static const char opts[] = "\topts:\t";
        size_t start[10], flen[10], n = 0;
        int k = 0;

        r->work += len;
        if (len > strlen(opts) && memcmp(s, opts, strlen(opts)) == 0) {
                if ((k = put(o, s, strlen(opts))) < 0)
                        return k;
                return mi_field(r, o, MI_OPTIONS, s + strlen(opts), len - strlen(opts));
        }
        if (len < 7 || memcmp(s, "device ", 7) != 0)
                return text(r, o, s, len);
        for (size_t i = 0; n < ARRAY_SIZE(start);) {
                const char *sp = memchr(s + i, ' ', len - i);
                start[n] = i;
                flen[n] = sp ? (size_t)(sp - s) - i : len - i;
                n++;
                if (!sp)
                        break;
                i = (size_t)(sp - s) + 1;
        }
        if (n < 8 || start[n - 1] + flen[n - 1] != len)
                return text(r, o, s, len);
        for (size_t f = 0; f < n && k >= 0; f++) {
                if (f > 0 && (k = put(o, " ", 1)) < 0)
                        break;
                if (f == 1)
                        k = mi_field(r, o, MI_SOURCE, s + start[f], flen[f]);
                else if (f == 4)
                        k = mi_field(r, o, MI_PATH, s + start[f], flen[f]);
                else if (f > 7) /* "statvers=1.1" */
                        k = text(r, o, s + start[f], flen[f]);
                else /* the kernel's words and the fstype */
                        k = put(o, s + start[f], flen[f]);
        }
        return k;
}

static int by_line(struct redactor *r, struct out *o, const char *in, size_t len,
                   int (*line)(struct redactor *r, struct out *o, const char *s, size_t len))
{
        int k = 0;

        for (size_t i = 0; i < len && k >= 0;) {
                const char *nl = memchr(in + i, '\n', len - i);
                size_t ll = nl ? (size_t)(nl - in) - i : len - i;

                k = line(r, o, in + i, ll);
                if (k >= 0 && nl)
                        k = put(o, "\n", 1);
                i += ll + 1;
        }
        return k;
}

/* ---- the interface ---- */

static const char *const builtin_reserved[] = {
        /* JSON's literals, for JSON that does not parse and goes as text */
        "true",
        "false",
        "null",
        /* AppType (SageMaker API reference: CreateApp) */
        "JupyterServer",
        "KernelGateway",
        "JupyterLab",
        "CodeEditor",
        "RStudioServerPro",
        "RSessionGateway",
        "Canvas",
        "TensorBoard",
        "DetailedProfiler",
        /* app names, space types, IAM role paths */
        "default",
        "private",
        "shared",
        "service-role",
        "aws-service-role",
        /* file system types and sources of the mount table */
        "xfs",
        "ext2",
        "ext3",
        "ext4",
        "btrfs",
        "vfat",
        "nfs",
        "nfs4",
        "lustre",
        "overlay",
        "tmpfs",
        "cgroup",
        "cgroup2",
        "proc",
        "sysfs",
        "devpts",
        "mqueue",
        "fuse",
        "squashfs",
        "zfs",
        "shm",
        "none",
        "localhost",
};

struct redactor *redactor_new(void)
{
        struct redactor *r = calloc(1, sizeof(*r));

        if (!r)
                return NULL;
        /* Seeded, so that no input can be made to collide in the table. The
         * placeholders do not depend on it. */
        if (getrandom(&r->seed, sizeof(r->seed), GRND_NONBLOCK) != sizeof(r->seed))
                r->seed = (uint64_t)(uintptr_t)r ^ (uint64_t)time(NULL);
        for (size_t i = 0; i < ARRAY_SIZE(builtin_reserved); i++)
                if (redactor_reserve(r, builtin_reserved[i]) < 0)
                        return redactor_free(r);
        return r;
}

struct redactor *redactor_free(struct redactor *r)
{
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n; i++) {
                free(r->w[i].key);
                free(r->w[i].to);
        }
        for (size_t i = 0; i < r->ntrees; i++)
                free(r->trees[i]);
        free(r->trees);
        free(r->w);
        free(r->slot);
        free(r->order);
        free(r);
        return NULL;
}

int redactor_reserve(struct redactor *r, const char *word)
{
        struct word *w;

        if (!word || !*word)
                return 0;
        w = intern(r, word, strlen(word));
        if (!w)
                return -ENOMEM;
        w->flags |= WORD_RESERVED;
        return 0;
}

int redactor_reserve_path(struct redactor *r, const char *path)
{
        for (const char *p = path; p && *p;) {
                size_t l = strcspn(p, "/");
                if (l > 0 && !is_dot_or_dotdot(p, l)) {
                        struct word *w = intern(r, p, l);
                        if (!w)
                                return -ENOMEM;
                        w->flags |= WORD_RESERVED;
                }
                p += l + (p[l] == '/');
        }
        return 0;
}

int redactor_protect_tree(struct redactor *r, const char *path)
{
        char **t = realloc(r->trees, (r->ntrees + 1) * sizeof(*t));
        size_t l = strlen(path);

        if (!t)
                return -ENOMEM;
        r->trees = t;
        while (l > 1 && path[l - 1] == '/')
                l--;
        t[r->ntrees] = strndup(path, l);
        if (!t[r->ntrees])
                return -ENOMEM;
        r->ntrees++;
        return 0;
}

int redactor_add(struct redactor *r, enum secret_kind kind, const char *value)
{
        struct out o = { .discard = true };

        if (!value || !*value || kind < 0 || kind >= _SECRET_MAX)
                return 0;
        return identity(r, &o, kind, value, strlen(value));
}

int redactor_freeze(struct redactor *r)
{
        for (size_t i = 0; i < r->norder; i++)
                if (!r->w[r->order[i]].to) {
                        int k = assign(r, r->order[i]);
                        if (k < 0)
                                return k;
                }
        r->frozen = true;
        return 0;
}

const char *redactor_lookup(struct redactor *r, const char *value)
{
        const struct word *w = value ? find(r, value, strlen(value)) : NULL;

        return w && (w->flags & WORD_SECRET) ? w->to : NULL;
}

size_t redactor_secrets(const struct redactor *r)
{
        return r->norder;
}

uint64_t redactor_work(const struct redactor *r)
{
        return r->work;
}

static int finish(struct out *o, int k, char **ret, size_t *ret_len)
{
        if (k < 0 || !ret) {
                free(o->buf);
                return k;
        }
        if (!o->buf) {
                o->buf = malloc(1);
                if (!o->buf)
                        return -ENOMEM;
                o->buf[0] = '\0';
        }
        *ret = o->buf;
        if (ret_len)
                *ret_len = o->n;
        return 0;
}

int redact_data(struct redactor *r, enum redact_format f, const char *in, size_t len, char **ret,
                size_t *ret_len)
{
        struct out o = { .discard = !ret };
        int k;

        if (ret && !r->frozen)
                return -EINVAL;
        switch (f) {
        case REDACT_JSON:
                k = json(r, &o, in, len);
                break;
        case REDACT_MOUNTINFO:
                k = by_line(r, &o, in, len, mi_line);
                break;
        case REDACT_MOUNTSTATS:
                k = by_line(r, &o, in, len, ms_line);
                break;
        case REDACT_ENVIRON:
                k = environ_block(r, &o, in, len);
                break;
        case REDACT_KEEP:
                k = put(&o, in, len);
                break;
        default:
                k = text(r, &o, in, len);
                break;
        }
        return finish(&o, k, ret, ret_len);
}

int redact_path(struct redactor *r, const char *path, char **ret)
{
        struct out o = { .discard = !ret };

        if (ret && !r->frozen)
                return -EINVAL;
        return finish(&o, path_rule(r, &o, path, strlen(path)), ret, NULL);
}

/* Where target leads from link, lexically (".." pops): which tree it is in. */
static char *link_destination(const char *link, const char *target)
{
        size_t ll = strlen(link), tl = strlen(target), n = 0;
        char *d = malloc(ll + tl + 3);
        const char *parts[2];

        if (!d)
                return NULL;
        parts[0] = link;
        parts[1] = target;
        for (int p = 0; p < 2; p++) {
                const char *s = parts[p];
                size_t end = strlen(s);

                if (p == 0) /* the link's directory */
                        while (end > 0 && s[end - 1] != '/')
                                end--;
                for (size_t i = 0; i < end;) {
                        size_t l = 0;
                        while (i + l < end && s[i + l] != '/')
                                l++;
                        if (l == 2 && s[i] == '.' && s[i + 1] == '.') {
                                while (n > 0 && d[n - 1] != '/')
                                        n--;
                                if (n > 0)
                                        n--;
                        } else if (l > 0 && !(l == 1 && s[i] == '.')) {
                                d[n++] = '/';
                                memcpy(d + n, s + i, l);
                                n += l;
                        }
                        i += l + 1;
                }
        }
        if (n == 0)
                d[n++] = '/';
        d[n] = '\0';
        return d;
}

int redact_link(struct redactor *r, const char *link, const char *target, char **ret)
{
        struct out o = { .discard = !ret };
        _cleanup_free_ char *dest = NULL;
        int k;

        if (ret && !r->frozen)
                return -EINVAL;
        if (target[0] != '/') {
                dest = link_destination(link, target);
                if (!dest)
                        return -ENOMEM;
                if (is_protected(r, dest, strlen(dest)))
                        return finish(&o, put(&o, target, strlen(target)), ret, NULL);
        }
        k = path_rule(r, &o, target, strlen(target));
        return finish(&o, k, ret, NULL);
}
