/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "render/fields.h"

/* One cell's text, escaped for a terminal as the report is; "" when unknown. */
static void cell_string(FILE *f, const char *s)
{
        if (s)
                fputs_escaped(f, s);
}

static void cell_u64(FILE *f, uint64_t v)
{
        if (v != U64_UNSET)
                fprintf(f, "%" PRIu64, v);
}

static void cell(FILE *f, const struct report *r, enum field_id id)
{
        const struct storage *s = &r->home;
        bool sized = s->size_bytes != U64_UNSET && s->free_bytes != U64_UNSET &&
                     s->free_bytes <= s->size_bytes;

        switch (id) {
        case FIELD_ENVIRONMENT:
                cell_string(f, environment_to_string(r->environment));
                break;
        case FIELD_CONFIDENCE:
                cell_string(f, confidence_to_string(r->confidence));
                break;
        case FIELD_PATH:
                cell_string(f, s->path);
                break;
        case FIELD_RESOLVED:
                cell_string(f, s->resolved_path);
                break;
        case FIELD_TARGET:
                cell_string(f, s->mountpoint);
                break;
        case FIELD_SOURCE:
                cell_string(f, s->source);
                break;
        case FIELD_FSTYPE:
                cell_string(f, s->fstype);
                break;
        case FIELD_OPTIONS:
                cell_string(f, s->options);
                break;
        case FIELD_STORAGE:
                cell_string(f, storage_kind_to_string(s->kind));
                break;
        case FIELD_EPHEMERAL:
                cell_string(f, s->ephemeral ? "yes" : "no");
                break;
        case FIELD_SIZE:
                cell_u64(f, s->size_bytes);
                break;
        case FIELD_AVAIL:
                cell_u64(f, s->free_bytes);
                break;
        case FIELD_USED:
                cell_u64(f, sized ? s->size_bytes - s->free_bytes : U64_UNSET);
                break;
        case FIELD_USE_PERCENT:
                /* df rounds up: a file system is never shown fuller than 100%
                 * nor emptier than it is. */
                if (sized && s->size_bytes > 0) {
                        /* 128 bits: EFS says 8 EiB, and 8 EiB * 100 overflows. */
                        unsigned __int128 used = s->size_bytes - s->free_bytes;
                        fprintf(f, "%" PRIu64 "%%",
                                (uint64_t)((used * 100 + s->size_bytes - 1) / s->size_bytes));
                }
                break;
        case FIELD_DEVICE:
                if (s->device) {
                        fputs("/dev/", f);
                        cell_string(f,
                                    s->device->partition ? s->device->partition : s->device->name);
                }
                break;
        case FIELD_VOLUME:
                if (s->device && s->device->ebs_volume_id)
                        cell_string(f, s->device->ebs_volume_id);
                else if (s->nfs)
                        cell_string(f, s->nfs->efs_filesystem_id);
                break;
        default:
                break;
        }
}

int render_fields(FILE *f, const struct report *r, const enum field_id *fields, size_t n,
                  bool noheadings)
{
        char *cells[FIELDS_MAX] = {};
        size_t widths[FIELDS_MAX];
        int k = 0;

        if (n > FIELDS_MAX)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                size_t len = 0;
                FILE *m = open_memstream(&cells[i], &len);

                if (!m) {
                        k = -ENOMEM;
                        goto out;
                }
                cell(m, r, fields[i]);
                if (fclose(m) != 0) {
                        k = -ENOMEM;
                        goto out;
                }
                widths[i] = text_columns(cells[i], strlen(cells[i]));
                if (!noheadings && strlen(field_table[fields[i]].name) > widths[i])
                        widths[i] = strlen(field_table[fields[i]].name);
        }
        for (int row = noheadings ? 1 : 0; row < 2; row++) {
                size_t last = n; /* no padding after the last non-empty cell */

                while (row == 1 && last > 1 && !cells[last - 1][0])
                        last--;
                for (size_t i = 0; i < last; i++) {
                        const char *t = row == 0 ? field_table[fields[i]].name : cells[i];

                        fputs(t, f);
                        if (i + 1 < last)
                                fprintf(f, "%*s", (int)(widths[i] - text_columns(t, strlen(t)) + 1),
                                        "");
                }
                fputc('\n', f);
        }
        if (ferror(f))
                k = -EIO;
out:
        for (size_t i = 0; i < n; i++)
                free(cells[i]);
        return k;
}
