/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/macro.h"
#include "core/strutil.h"
#include "probe/facts.h"
#include "probe/probe.h"

#define FACTS_MAX (4 * 1024 * 1024)
/* The largest integer every double holds exactly, and so every JSON reader. */
#define EXACT_MAX (UINT64_C(1) << 53)

DEFINE_TRIVIAL_CLEANUP_FUNC(cJSON *, cJSON_Delete)

/* Unknown values are left out. Up to 2^53 a number as the report writes it
 * (cJSON's own printer rounds past 10^15); beyond, a decimal string. */
static bool add_u64(cJSON *o, const char *key, uint64_t v)
{
        char buf[24];

        if (v == U64_UNSET)
                return true;
        if (v <= EXACT_MAX)
                return json_add_u64(o, key, v);
        snprintf(buf, sizeof(buf), "%" PRIu64, v);
        return cJSON_AddStringToObject(o, key, buf) != NULL;
}

/* The rule add_u64() writes by, checked: a number that is a whole one in
 * [0, 2^53], or a string of decimal digits that fits (parse_u64: no sign,
 * fraction, exponent or overflow). */
static bool get_u64(const cJSON *o, const char *key, uint64_t *ret)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        if (cJSON_IsString(v))
                return parse_u64(v->valuestring, ret) == 0;
        if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= (double)EXACT_MAX &&
            floor(v->valuedouble) == v->valuedouble) {
                *ret = (uint64_t)v->valuedouble;
                return true;
        }
        return false;
}

char *facts_write(const struct report *r)
{
        _cleanup_(cJSON_Deletep) cJSON *j = cJSON_CreateObject();
        cJSON *st, *bl;
        const struct storage *s;

        if (!j || !(st = cJSON_AddObjectToObject(j, "statfs")) ||
            !(bl = cJSON_AddObjectToObject(j, "blkid")))
                return NULL;
        report_for_each_storage(s, r) {
                const char *key =
                        s == &r->home && s->resolved_path ? s->resolved_path : s->mountpoint;
                const struct block_device *d = s->device;

                if (key && !cJSON_GetObjectItemCaseSensitive(st, key) &&
                    (s->fs_magic != U64_UNSET || s->size_bytes != U64_UNSET ||
                     s->free_bytes != U64_UNSET)) {
                        cJSON *o = cJSON_AddObjectToObject(st, key);
                        if (!o || !add_u64(o, "type", s->fs_magic) ||
                            !add_u64(o, "size_bytes", s->size_bytes) ||
                            !add_u64(o, "free_bytes", s->free_bytes))
                                return NULL;
                }
                if (d && (d->fs_type || d->uuid || d->label)) {
                        _cleanup_free_ char *node = probe_device_node(d);
                        cJSON *o;

                        if (!node)
                                return NULL;
                        if (cJSON_GetObjectItemCaseSensitive(bl, node))
                                continue;
                        o = cJSON_AddObjectToObject(bl, node);
                        if (!o || (d->fs_type && !cJSON_AddStringToObject(o, "type", d->fs_type)) ||
                            (d->uuid && !cJSON_AddStringToObject(o, "uuid", d->uuid)) ||
                            (d->label && !cJSON_AddStringToObject(o, "label", d->label)))
                                return NULL;
                }
        }
        /* The $HOME the run looked at, for a replay that has no environ. */
        if (r->sagemaker.home_env && r->sagemaker.home_env[0] == '/' &&
            !cJSON_AddStringToObject(j, "home_env", r->sagemaker.home_env))
                return NULL;
        return cJSON_Print(j);
}

char *facts_home(const cJSON *facts)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(facts, "home_env");

        if (!cJSON_IsString(v) || v->valuestring[0] != '/' || strlen(v->valuestring) >= PATH_MAX ||
            !utf8_is_valid(v->valuestring, strlen(v->valuestring)))
                return NULL;
        return strdup(v->valuestring);
}

cJSON *facts_parse(const char *text, size_t len)
{
        cJSON *j = cJSON_ParseWithLength(text, len);

        if (!j || !cJSON_IsObject(j)) {
                cJSON_Delete(j);
                return NULL;
        }
        return j;
}

cJSON *facts_load(const struct sysroot *root, char ***warnings)
{
        _cleanup_free_ char *text = NULL, *display = NULL;
        cJSON *j;
        size_t len;
        int k;

        if (!sysroot_is_replay(root))
                return NULL;
        k = sysroot_read_file(root, SNAPSHOT_FACTS, FACTS_MAX, &text, &len);
        if (k == -ENOENT || k == -ENOTDIR)
                return NULL;
        display = sysroot_display(root, SNAPSHOT_FACTS);
        if (k < 0) {
                (void)strv_extendf(warnings, "cannot read %s: %s, ignoring", strna(display),
                                   strerror(-k));
                return NULL;
        }
        j = facts_parse(text, len);
        if (!j)
                (void)strv_extendf(warnings, "%s: not a JSON object, ignoring", strna(display));
        return j;
}

void facts_statfs(const cJSON *facts, const char *path, struct storage *s)
{
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(facts, "statfs"), path);
        uint64_t v;

        if (!cJSON_IsObject(o))
                return;
        if (get_u64(o, "type", &v))
                s->fs_magic = v;
        if (get_u64(o, "size_bytes", &v))
                s->size_bytes = v;
        if (get_u64(o, "free_bytes", &v))
                s->free_bytes = v;
}

static char *json_str(const cJSON *o, const char *key)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) > 256 ||
            !utf8_is_valid(v->valuestring, strlen(v->valuestring)))
                return NULL;
        return strdup(v->valuestring);
}

void facts_blkid(const cJSON *facts, const char *node, struct block_device *d)
{
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(facts, "blkid"), node);

        if (!cJSON_IsObject(o))
                return;
        d->fs_type = json_str(o, "type");
        d->uuid = json_str(o, "uuid");
        d->label = json_str(o, "label");
}
