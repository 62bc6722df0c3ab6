/* SPDX-License-Identifier: MIT */
/* blockdev_probe on sysfs trees shaped as the kernel makes them:
 * /sys/dev/block/MAJ:MIN are relative symlinks into /sys/devices, a
 * partition is a subdirectory of its disk, nvme's model and serial live on the
 * controller (device -> ../../nvmeN), device-mapper lists its slaves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "probe/blockdev.h"
#include "core/strutil.h"
#include "tmptree.h"

#define PCI "sys/devices/pci0000:00/0000:00:1f.0/nvme"
#define EBS_MODEL "Amazon Elastic Block Store              \n"
#define NVME_MODEL "Amazon EC2 NVMe Instance Storage        \n"

struct fixture {
        char *dir;
        struct sysroot root;
        char **warnings;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));

        if (!f || !(f->dir = tt_new()))
                return -1;
        f->root.fd = -1;
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;

        strv_free(f->warnings);
        sysroot_close(&f->root);
        tt_free(f->dir);
        free(f);
        return 0;
}

/* An nvme controller N with one namespace nvmeNn1 at 259:(N*10). */
static void make_nvme(const char *dir, int n, const char *model, const char *serial,
                      const char *sectors)
{
        char p[256], t[256];

        snprintf(p, sizeof(p), PCI "/nvme%d/model", n);
        if (model)
                assert_int_equal(tt_puts(dir, p, model), 0);
        snprintf(p, sizeof(p), PCI "/nvme%d/serial", n);
        if (serial)
                assert_int_equal(tt_puts(dir, p, serial), 0);
        snprintf(p, sizeof(p), PCI "/nvme%d/nvme%dn1/size", n, n);
        assert_int_equal(tt_puts(dir, p, sectors), 0);
        snprintf(p, sizeof(p), PCI "/nvme%d/nvme%dn1/queue/rotational", n, n);
        assert_int_equal(tt_puts(dir, p, "0\n"), 0);
        snprintf(p, sizeof(p), PCI "/nvme%d/nvme%dn1/device", n, n);
        snprintf(t, sizeof(t), "../../nvme%d", n);
        assert_int_equal(tt_symlink(dir, p, t), 0);
        snprintf(p, sizeof(p), "sys/dev/block/259:%d", n * 10);
        snprintf(t, sizeof(t), "../../devices/pci0000:00/0000:00:1f.0/nvme/nvme%d/nvme%dn1", n, n);
        assert_int_equal(tt_symlink(dir, p, t), 0);
}

static void make_partition(const char *dir, int n, int part, const char *sectors)
{
        char p[256], t[256];

        snprintf(p, sizeof(p), PCI "/nvme%d/nvme%dn1/nvme%dn1p%d/size", n, n, n, part);
        assert_int_equal(tt_puts(dir, p, sectors), 0);
        snprintf(p, sizeof(p), PCI "/nvme%d/nvme%dn1/nvme%dn1p%d/partition", n, n, n, part);
        assert_int_equal(tt_puts(dir, p, "1\n"), 0);
        snprintf(p, sizeof(p), "sys/dev/block/259:%d", n * 10 + part);
        snprintf(t, sizeof(t),
                 "../../devices/pci0000:00/0000:00:1f.0/nvme/nvme%d/nvme%dn1/nvme%dn1p%d", n, n, n,
                 part);
        assert_int_equal(tt_symlink(dir, p, t), 0);
}

static struct block_device *probe(struct fixture *f, unsigned major, unsigned minor)
{
        struct block_device *d = NULL;

        if (f->root.fd < 0)
                assert_int_equal(sysroot_open(&f->root, f->dir), 0);
        assert_int_equal(blockdev_probe(&f->root, major, minor, &d, &f->warnings), 0);
        assert_non_null(d);
        return d;
}

static void test_ebs_volume_id(void **state)
{
        static const struct {
                const char *serial, *id;
        } rows[] = {
                { "vol0123456789abcdef0", "vol-0123456789abcdef0" },
                { "vol-0123456789abcdef0", "vol-0123456789abcdef0" },
                { "vol01234567", "vol-01234567" },
                { "vol0123", NULL },
                { "vol0123456789abcdef01", NULL },
                { "vol0123456789ABCDEF0", NULL },
                { "vol0123456789abcdefg", NULL },
                { "vol0123456789abcdef0 ", NULL },
                { "vol--0123456789abcdef0", NULL },
                { "AWS2A1B2C3D4E5F6A7B8", NULL }, /* instance store serial */
                { "vol", NULL },
                { "", NULL },
        };

        for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
                char *id = ebs_volume_id_from_serial(rows[i].serial);
                print_message("serial %s\n", rows[i].serial);
                if (rows[i].id)
                        assert_string_equal(id, rows[i].id);
                else
                        assert_null(id);
                free(id);
        }
        assert_null(ebs_volume_id_from_serial(NULL));
}

static void test_whole_disk(void **state)
{
        struct fixture *f = *state;
        struct block_device *d;

        make_nvme(f->dir, 1, EBS_MODEL, "vol0123456789abcdef0\n", "209715200\n");
        d = probe(f, 259, 10);
        assert_string_equal(d->name, "nvme1n1");
        assert_null(d->partition);
        assert_string_equal(d->model, "Amazon Elastic Block Store");
        assert_string_equal(d->serial, "vol0123456789abcdef0");
        assert_string_equal(d->ebs_volume_id, "vol-0123456789abcdef0");
        assert_int_equal(d->rotational, 0);
        assert_true(d->size_bytes == UINT64_C(209715200) * 512);
        assert_null(d->fs_type);
        assert_null(f->warnings);
        block_device_free(d);
}

static void test_partition(void **state)
{
        struct fixture *f = *state;
        struct block_device *d;

        make_nvme(f->dir, 0, EBS_MODEL, "vol0fedcba9876543210\n", "419430400\n");
        make_partition(f->dir, 0, 1, "419426304\n");
        d = probe(f, 259, 1);
        assert_string_equal(d->name, "nvme0n1");
        assert_string_equal(d->partition, "nvme0n1p1");
        assert_string_equal(d->model, "Amazon Elastic Block Store");
        assert_string_equal(d->ebs_volume_id, "vol-0fedcba9876543210");
        assert_true(d->size_bytes == UINT64_C(419426304) * 512); /* the partition's */
        assert_int_equal(d->rotational, 0);
        assert_null(f->warnings);
        block_device_free(d);
}

static void test_instance_store(void **state)
{
        struct fixture *f = *state;
        struct block_device *d;

        make_nvme(f->dir, 2, NVME_MODEL, "AWS2A1B2C3D4E5F6A7B8     \n", "146484375\n");
        d = probe(f, 259, 20);
        assert_string_equal(d->model, "Amazon EC2 NVMe Instance Storage");
        assert_string_equal(d->serial, "AWS2A1B2C3D4E5F6A7B8");
        assert_null(d->ebs_volume_id);
        block_device_free(d);
}

static void test_missing_attrs(void **state)
{
        struct fixture *f = *state;
        struct block_device *d;

        /* A virtio disk: no device/model, no queue: unknown, and no warning. */
        assert_int_equal(tt_mkdir(f->dir, "sys/devices/virtual/block/vda"), 0);
        assert_int_equal(
                tt_symlink(f->dir, "sys/dev/block/254:0", "../../devices/virtual/block/vda"), 0);
        d = probe(f, 254, 0);
        assert_string_equal(d->name, "vda");
        assert_null(d->model);
        assert_null(d->serial);
        assert_null(d->ebs_volume_id);
        assert_int_equal(d->rotational, -1);
        assert_true(d->size_bytes == U64_UNSET);
        assert_null(f->warnings);
        block_device_free(d);

        {
                struct block_device *x = NULL;
                assert_int_equal(blockdev_probe(&f->root, 8, 99, &x, &f->warnings), -ENOENT);
                assert_null(x);
        }
}

static void test_garbled_attrs(void **state)
{
        struct fixture *f = *state;
        struct block_device *d;

        make_nvme(f->dir, 3, "\n", "vol\x01\x02\n", "lots\n");
        assert_int_equal(tt_puts(f->dir, PCI "/nvme3/nvme3n1/queue/rotational", "2\n"), 0);
        d = probe(f, 259, 30);
        assert_null(d->model);
        assert_null(d->serial);
        assert_null(d->ebs_volume_id);
        assert_int_equal(d->rotational, -1);
        assert_true(d->size_bytes == U64_UNSET);
        assert_int_equal(strv_length(f->warnings), 3);
        assert_true(endswith(f->warnings[0], "/nvme3n1/size: \"lots\" is not a number, ignoring"));
        assert_true(endswith(f->warnings[1], "/nvme3n1/device/model is empty, ignoring"));
        assert_true(endswith(f->warnings[2], "/nvme3n1/device/serial holds binary data, ignoring"));
        /* Every message names the file as the user can find it: under the sysroot. */
        for (char **w = f->warnings; *w; w++)
                assert_non_null(strstr(*w, f->dir));
        block_device_free(d);

        /* Sector counts whose byte count would overflow are unknown, not wrapped. */
        strv_free(f->warnings);
        f->warnings = NULL;
        assert_int_equal(tt_puts(f->dir, PCI "/nvme3/nvme3n1/size", "36028797018963968\n"), 0);
        d = probe(f, 259, 30);
        assert_true(d->size_bytes == U64_UNSET);
        block_device_free(d);
}

static void make_dm(const char *dir, const char *m1, const char *m2)
{
        make_nvme(dir, 4, m1, "AWS1111\n", "1000\n");
        make_nvme(dir, 5, m2, "AWS2222\n", "1000\n");
        make_partition(dir, 5, 1, "900\n");
        assert_int_equal(tt_puts(dir, "sys/devices/virtual/block/dm-0/size", "1900\n"), 0);
        assert_int_equal(tt_symlink(dir, "sys/devices/virtual/block/dm-0/slaves/nvme4n1",
                                    "../../../../pci0000:00/0000:00:1f.0/nvme/nvme4/nvme4n1"),
                         0);
        /* A slave that is a partition: its disk's model counts. */
        assert_int_equal(
                tt_symlink(dir, "sys/devices/virtual/block/dm-0/slaves/nvme5n1p1",
                           "../../../../pci0000:00/0000:00:1f.0/nvme/nvme5/nvme5n1/nvme5n1p1"),
                0);
        assert_int_equal(tt_symlink(dir, "sys/dev/block/253:0", "../../devices/virtual/block/dm-0"),
                         0);
}

static void test_dm_slaves(void **state)
{
        struct fixture *f = *state;
        struct block_device *d;

        make_dm(f->dir, NVME_MODEL, NVME_MODEL);
        d = probe(f, 253, 0);
        assert_string_equal(d->name, "dm-0");
        assert_null(d->partition);
        assert_string_equal(d->model, "Amazon EC2 NVMe Instance Storage");
        assert_null(d->serial);
        assert_true(d->size_bytes == 1900 * 512);
        assert_null(f->warnings);
        block_device_free(d);
}

static void test_dm_mixed_slaves(void **state)
{
        struct fixture *f = *state;
        struct block_device *d;

        make_dm(f->dir, NVME_MODEL, EBS_MODEL);
        d = probe(f, 253, 0);
        assert_string_equal(d->name, "dm-0");
        assert_null(d->model); /* no single kind */
        block_device_free(d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ebs_volume_id),
                cmocka_unit_test_setup_teardown(test_whole_disk, setup, teardown),
                cmocka_unit_test_setup_teardown(test_partition, setup, teardown),
                cmocka_unit_test_setup_teardown(test_instance_store, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_attrs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_garbled_attrs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dm_slaves, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dm_mixed_slaves, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
