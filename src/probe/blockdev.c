/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/blockdev.h"
#include "probe/blockstat.h"
#include "core/macro.h"
#include "core/strutil.h"

#define SLAVES_MAX 64

char *ebs_volume_id_from_serial(const char *serial)
{
        const char *hex;
        size_t n;
        char *id;

        /* amazon-ec2-utils ebsnvme-id: the controller serial is the volume id
         * without its dash, "vol0123..." (17 hex digits, 8 for old volumes). */
        if (!startswith(serial, "vol"))
                return NULL;
        hex = serial + 3;
        if (*hex == '-')
                hex++;
        n = strlen(hex);
        if (n != 17 && n != 8)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (!isxdigit((unsigned char)hex[i]) || isupper((unsigned char)hex[i]))
                        return NULL;
        if (asprintf(&id, "vol-%s", hex) < 0)
                return NULL;
        return id;
}

/* Reads one attribute; a missing one is silent, a garbled one a warning. NULL
 * says why in *ret_err: -ENOENT or -ENOTDIR when it is absent, another -errno
 * when it is there but unreadable (and warned about). */
static char *read_attr_err(const struct sysroot *root, const char *dir, const char *attr,
                           char ***warnings, int *ret_err)
{
        _cleanup_free_ char *path = NULL, *display = NULL;
        char *v = NULL;
        int k;

        *ret_err = -ENOMEM;
        if (asprintf(&path, "%s/%s", dir, attr) < 0)
                return NULL;
        k = sysroot_read_attr(root, path, &v);
        *ret_err = k < 0 ? k : 0;
        if (k >= 0)
                return v;
        if (k == -ENOENT || k == -ENOTDIR)
                return NULL;
        display = sysroot_display(root, path);
        if (k == -ENODATA)
                (void)strv_extendf(warnings, "%s is empty, ignoring", strna(display));
        else if (k == -EBADMSG)
                (void)strv_extendf(warnings, "%s holds binary data, ignoring", strna(display));
        else if (k == -EFBIG)
                (void)strv_extendf(warnings, "%s is larger than 4 KiB, ignoring", strna(display));
        else
                (void)strv_extendf(warnings, "cannot read %s: %s, ignoring", strna(display),
                                   strerror(-k));
        return NULL;
}

static char *read_attr(const struct sysroot *root, const char *dir, const char *attr,
                       char ***warnings)
{
        int unused;

        return read_attr_err(root, dir, attr, warnings, &unused);
}

static uint64_t read_u64_attr(const struct sysroot *root, const char *dir, const char *attr,
                              char ***warnings)
{
        _cleanup_free_ char *v = read_attr(root, dir, attr, warnings), *path = NULL,
                            *display = NULL;
        uint64_t n;

        if (!v)
                return U64_UNSET;
        if (parse_u64(v, &n) < 0) {
                /* Named as the user finds it: under --sysroot, like read_attr's. */
                if (asprintf(&path, "%s/%s", dir, attr) >= 0)
                        display = sysroot_display(root, path);
                (void)strv_extendf(warnings, "%s: \"%s\" is not a number, ignoring", strna(display),
                                   v);
                return U64_UNSET;
        }
        return n;
}

/* Whole-disk sysfs directory of the device directory dir (itself, or its
 * parent when dir is a partition). */
static char *whole_disk_dir(const struct sysroot *root, const char *dir, bool *is_partition)
{
        _cleanup_free_ char *p = NULL;
        char *slash;

        if (asprintf(&p, "%s/partition", dir) < 0)
                return NULL;
        *is_partition = sysroot_exists(root, p);
        if (!*is_partition)
                return strdup(dir);
        slash = strrchr(dir, '/');
        if (!slash || slash == dir)
                return strdup(dir);
        return strndup(dir, (size_t)(slash - dir));
}

/* Model and serial of a stacked device (LVM, md RAID over instance stores on
 * p4d/p5): the model its slaves share, so the kind can still be told. */
static void slaves_model(const struct sysroot *root, const char *whole, struct block_device *d,
                         char ***warnings)
{
        _cleanup_free_ char *sdir = NULL;
        _cleanup_strv_free_ char **names = NULL;

        if (asprintf(&sdir, "%s/slaves", whole) < 0)
                return;
        if (sysroot_list_dir(root, sdir, SLAVES_MAX, &names) < 0 || !names[0])
                return;
        for (size_t i = 0; names[i]; i++) {
                _cleanup_free_ char *sl = NULL, *sl_resolved = NULL, *sw = NULL, *model = NULL,
                                    *mdir = NULL;
                bool part;

                if (asprintf(&sl, "%s/%s", sdir, names[i]) < 0)
                        return;
                if (sysroot_resolve(root, sl, &sl_resolved) < 0)
                        continue;
                sw = whole_disk_dir(root, sl_resolved, &part);
                if (!sw || asprintf(&mdir, "%s/device", sw) < 0)
                        return;
                model = read_attr(root, mdir, "model", warnings);
                if (!model)
                        continue;
                if (!d->model)
                        d->model = TAKE_PTR(model);
                else if (strcmp(d->model, model) != 0) {
                        /* Mixed members: no single kind. */
                        free(d->model);
                        d->model = NULL;
                        return;
                }
        }
}

int blockdev_probe(const struct sysroot *root, unsigned major, unsigned minor,
                   struct block_device **ret, char ***warnings)
{
        _cleanup_free_ char *link = NULL, *dir = NULL, *whole = NULL, *devdir = NULL, *queue = NULL;
        struct block_device *d;
        bool is_partition = false;
        uint64_t sectors;
        int k;

        if (asprintf(&link, "/sys/dev/block/%u:%u", major, minor) < 0)
                return -ENOMEM;
        k = sysroot_resolve(root, link, &dir);
        if (k < 0)
                return k;
        whole = whole_disk_dir(root, dir, &is_partition);
        if (!whole)
                return -ENOMEM;
        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->rotational = -1;
        d->name = strdup(path_basename(whole));
        d->sysfs_path = strdup(whole);
        if (is_partition)
                d->partition = strdup(path_basename(dir));

        /* The size attribute counts 512-byte sectors whatever the logical block
         * size (Documentation/ABI/stable/sysfs-block). */
        sectors = read_u64_attr(root, dir, "size", warnings);
        d->size_bytes =
                sectors != U64_UNSET && sectors <= UINT64_MAX / 512 ? sectors * 512 : U64_UNSET;

        if (asprintf(&devdir, "%s/device", whole) >= 0) {
                int err;

                d->model = read_attr_err(root, devdir, "model", warnings, &err);
                d->serial = read_attr(root, devdir, "serial", warnings);
                /* Garbled is not absent: virtio disks have no model and are local,
                 * a disk whose model we cannot read may still be EBS. A link loop
                 * is as absent as sysroot_exists() says it is. */
                d->model_unreadable = !d->model && err != -ENOENT && err != -ENOTDIR &&
                                      err != -ELOOP && err != -ENOMEM;
        }
        if (!d->model)
                slaves_model(root, whole, d, warnings);
        if (d->serial)
                d->ebs_volume_id = ebs_volume_id_from_serial(d->serial);

        if (asprintf(&queue, "%s/queue", whole) >= 0) {
                uint64_t rot = read_u64_attr(root, queue, "rotational", warnings);
                if (rot == 0 || rot == 1)
                        d->rotational = (int)rot;
        }
        /* The passive history: the partition's counters when the mount is on one. */
        if (blockstat_probe(root, dir, d, warnings) < 0 || ebs_stats_probe(root, d) < 0) {
                block_device_free(d);
                return -ENOMEM;
        }
        *ret = d;
        return 0;
}

#define UDEV_DATA_MAX (64 * 1024)
/* The lines of a udev database file that blockdev_read_udev() reads, and all that a
 * bundle keeps of it (blockdev_reduce_udev_data). */
static const char *const udev_keys[] = {
        "E:ID_FS_TYPE=",
        "E:ID_FS_UUID=",
        "E:ID_FS_LABEL_ENC=",
        "E:ID_FS_LABEL=",
};

/* udev's database keeps what its blkid builtin found (lsblk reads it first for
 * the same reason): no device to open, nothing that can block. Values are
 * udev's, ID_FS_LABEL_ENC with \xHH escapes. Returns true when it knew the type. */
bool blockdev_read_udev(const struct sysroot *root, unsigned major, unsigned minor,
                        struct block_device *d)
{
        _cleanup_free_ char *path = NULL, *text = NULL;
        char *label = NULL, *label_enc = NULL;

        if (asprintf(&path, UDEV_DATA_PREFIX "%u:%u", major, minor) < 0 ||
            sysroot_read_file(root, path, UDEV_DATA_MAX, &text, NULL) < 0)
                return false;
        for (char *line = text, *next; line && *line; line = next) {
                char **dst = NULL, *v;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if ((v = startswith(line, udev_keys[0]) ? line + strlen(udev_keys[0]) : NULL))
                        dst = &d->fs_type;
                else if ((v = startswith(line, udev_keys[1]) ? line + strlen(udev_keys[1]) : NULL))
                        dst = &d->uuid;
                else if ((v = startswith(line, udev_keys[2]) ? line + strlen(udev_keys[2]) : NULL))
                        label_enc = v;
                else if ((v = startswith(line, udev_keys[3]) ? line + strlen(udev_keys[3]) : NULL))
                        label = v;
                if (dst && *v && strlen(v) < 256 && utf8_is_valid(v, strlen(v)) && !*dst)
                        *dst = strdup(v);
        }
        if (label_enc) { /* decode \xHH in place */
                char *o = label_enc;
                for (char *i = label_enc; *i; i++) {
                        unsigned x;
                        if (i[0] == '\\' && i[1] == 'x' && sscanf(i + 2, "%2x", &x) == 1 && x) {
                                *o++ = (char)x;
                                i += 3;
                        } else
                                *o++ = *i;
                }
                *o = '\0';
                label = label_enc;
        }
        if (label && *label && strlen(label) < 256 && utf8_is_valid(label, strlen(label)))
                d->label = strdup(label);
        return d->fs_type != NULL;
}

int blockdev_reduce_udev_data(const char *in, size_t len, char **ret, size_t *ret_len)
{
        const char *end = memchr(in, '\0', len); /* blockdev_read_udev() reads up to a NUL */
        char *out = malloc(len + 1);
        size_t n = 0;

        if (!out)
                return -ENOMEM;
        if (!end)
                end = in + len;
        /* Too large: blockdev_read_udev() reads nothing of it, nor does a replay. */
        if (len > UDEV_DATA_MAX)
                end = in;
        for (const char *line = in, *next; line < end; line = next) {
                const char *nl = memchr(line, '\n', (size_t)(end - line));
                size_t llen = nl ? (size_t)(nl - line) : (size_t)(end - line);

                next = nl ? nl + 1 : end;
                for (size_t i = 0; i < ARRAY_SIZE(udev_keys); i++)
                        if (llen >= strlen(udev_keys[i]) &&
                            memcmp(line, udev_keys[i], strlen(udev_keys[i])) == 0) {
                                memcpy(out + n, line, llen);
                                n += llen;
                                out[n++] = '\n';
                                break;
                        }
        }
        out[n] = '\0';
        *ret = out;
        *ret_len = n;
        return 0;
}
