/* SPDX-License-Identifier: MIT */
/* The passive history's parsers and probes: /sys/block/DEV/stat and
 * /proc/uptime as the kernel prints them, the EBS statistics log page (a
 * captured page of the new-jupyterlab-ebs-throttled fixture, and pages broken on
 * purpose), and the EBS probe's one-line reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "probe/blockstat.h"
#include "core/strutil.h"
#include "tmptree.h"

#define PAGE_FIXTURE "new-jupyterlab-ebs-throttled/root/.studio-probe/ebs/nvme1n1.logpage"

static void test_block_stat(void **state _unused_)
{
        struct block_io io = { .since_boot_seconds = 7 };

        /* 17 fields, as part_stat_show prints them since 5.5. */
        assert_int_equal(parse_block_stat(" 1843211     1021 98213376  3170323  9821132   455123 "
                                          "412338176 1158893576        3 201733450 1162112002      "
                                          "  0        0        0        0    40211    12110\n",
                                          &io),
                         0);
        assert_int_equal(io.since_boot_seconds, 7); /* left as it was */
        assert_int_equal(io.reads, 1843211);
        assert_int_equal(io.read_ms, 3170323);
        assert_int_equal(io.writes, 9821132);
        assert_int_equal(io.write_ms, 1158893576);
        assert_int_equal(io.in_flight, 3);
        assert_int_equal(io.queue_ms, 1162112002);
        /* 11 (before 4.18) and 15 fields; more than a kernel prints today. */
        assert_int_equal(parse_block_stat("1 2 3 4 5 6 7 8 9 10 11", &io), 0);
        assert_int_equal(io.queue_ms, 11);
        assert_int_equal(parse_block_stat("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15", &io), 0);
        assert_int_equal(parse_block_stat("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 "
                                          "22 23 24 25 26 27 28 29 30 31 32 33 34 35",
                                          &io),
                         0);
        /* The largest counter fits; one more does not. */
        assert_int_equal(parse_block_stat("18446744073709551615 2 3 4 5 6 7 8 9 10 11", &io), 0);
        assert_true(io.reads == UINT64_MAX);
        assert_int_equal(parse_block_stat("18446744073709551616 2 3 4 5 6 7 8 9 10 11", &io),
                         -ERANGE);
        assert_int_equal(parse_block_stat("123456789012345678901234 2 3 4 5 6 7 8 9 10 11", &io),
                         -ERANGE);
        /* Short, garbage, signed, empty. */
        io.reads = 42;
        assert_int_equal(parse_block_stat("1 2 3 4 5 6 7 8 9 10", &io), -EINVAL);
        assert_int_equal(parse_block_stat("1 2 3 4 x 6 7 8 9 10 11", &io), -EINVAL);
        assert_int_equal(parse_block_stat("1 2 3 4 5 6 7 8 -9 10 11", &io), -EINVAL);
        assert_int_equal(parse_block_stat("1 2 3 4 5 6 7 8 9 10 11abc", &io), -EINVAL);
        assert_int_equal(parse_block_stat("", &io), -EINVAL);
        assert_int_equal(io.reads, 42); /* untouched on error */
}

static void test_uptime_and_means(void **state _unused_)
{
        uint64_t s = 0;

        assert_int_equal(parse_uptime("266412.47 1032116.33\n", &s), 0);
        assert_int_equal(s, 266412);
        assert_int_equal(parse_uptime("12 3", &s), 0);
        assert_int_equal(parse_uptime("", &s), -EINVAL);
        assert_int_equal(parse_uptime("up 12.3", &s), -EINVAL);
        assert_int_equal(parse_uptime("12x", &s), -EINVAL);
        assert_int_equal(parse_uptime("99999999999999999999999999.1 1", &s), -EINVAL);

        assert_int_equal(block_io_mean_ns(10, 4), 2500000);
        assert_true(block_io_mean_ns(10, 0) == U64_UNSET);
        assert_true(block_io_mean_ns(U64_UNSET, 3) == U64_UNSET);
        assert_true(block_io_mean_ns(UINT64_MAX - 1, 1) == U64_UNSET); /* ns overflow */
        assert_int_equal(ebs_mean_ns(3, 2), 1500);
}

static uint8_t *load_fixture_page(size_t *len)
{
        const char *dir = getenv("FIXTURES");
        char p[4096];
        uint8_t *buf = malloc(8192);
        FILE *f;

        assert_non_null(dir);
        snprintf(p, sizeof(p), "%s/" PAGE_FIXTURE, dir);
        f = fopen(p, "rbe");
        assert_non_null(f);
        *len = fread(buf, 1, 8192, f);
        fclose(f);
        return buf;
}

static void put_le64(uint8_t *p, uint64_t v)
{
        for (int i = 0; i < 8; i++)
                p[i] = (uint8_t)(v >> (8 * i));
}

static void test_ebs_page(void **state _unused_)
{
        struct ebs_stats e = { 0 };
        size_t len;
        uint8_t *page = load_fixture_page(&len);
        uint8_t junk[EBS_LOG_PAGE_SIZE];

        /* The captured page (tests/fixtures/make-fixtures.py SPACE_EBS_PAGE). */
        assert_int_equal(len, EBS_LOG_PAGE_SIZE);
        assert_int_equal(parse_ebs_log_page(page, len, &e), 0);
        assert_int_equal(e.read_ops, 1843200);
        assert_int_equal(e.write_ops, 9817132);
        assert_int_equal(e.read_bytes, UINT64_C(98213376) * 512);
        assert_int_equal(e.write_bytes, UINT64_C(412338176) * 512);
        assert_int_equal(e.exceeded_iops_us, 5123456789);
        assert_int_equal(e.exceeded_tp_us, 734210000);
        assert_int_equal(e.ec2_exceeded_iops_us, 0);
        assert_int_equal(e.ec2_exceeded_tp_us, 12500000);
        assert_int_equal(e.queue_length, 3);
        assert_false(e.from_capture); /* the probe's to say */

        /* The counters end at 96: a page that stops before is an older one. */
        assert_int_equal(parse_ebs_log_page(page, 96, &e), 0);
        assert_int_equal(parse_ebs_log_page(page, 95, &e), -ENODATA);
        assert_int_equal(parse_ebs_log_page(page, 4, &e), -ENODATA);
        assert_int_equal(parse_ebs_log_page(page, 3, &e), -EPROTO);
        assert_int_equal(parse_ebs_log_page(page, 0, &e), -EPROTO);

        /* Wrong magic: another controller's page 0xD0, or garbage. */
        page[0] ^= 0x01;
        assert_int_equal(parse_ebs_log_page(page, len, &e), -EPROTO);
        page[0] ^= 0x01;
        for (size_t i = 0; i < sizeof(junk); i++)
                junk[i] = (uint8_t)(i * 131 + 7);
        assert_int_equal(parse_ebs_log_page(junk, sizeof(junk), &e), -EPROTO);

        /* Counters at their maximum are kept as read: U64_UNSET, unknown. */
        for (size_t o = 8; o < 96; o += 8)
                put_le64(page + o, UINT64_MAX);
        assert_int_equal(parse_ebs_log_page(page, len, &e), 0);
        assert_true(e.exceeded_iops_us == U64_UNSET && e.queue_length == U64_UNSET);
        free(page);
}

/* What collect keeps of a page: the magic, counters and histograms. */
static void test_ebs_reduce(void **state _unused_)
{
        struct ebs_stats a, b;
        size_t len, rlen;
        uint8_t *page = load_fixture_page(&len);
        char *out;

        memset(page + 4, 0xAA, 4);      /* reserved after the magic */
        memset(page + 96, 0xBB, 416);   /* reserved before the histograms */
        memset(page + 3600, 0xCC, 496); /* reserved at the end */
        page[512 + 8 + 20] = 0xDD;      /* a bin's reserved word */
        assert_int_equal(ebs_reduce_log_page((const char *)page, len, &out, &rlen), 0);
        assert_int_equal(rlen, EBS_LOG_PAGE_SIZE);
        assert_int_equal(parse_ebs_log_page(page, len, &a), 0);
        assert_int_equal(parse_ebs_log_page((const uint8_t *)out, rlen, &b), 0);
        /* the counters; not the padding after from_capture */
        assert_memory_equal(&a, &b, offsetof(struct ebs_stats, from_capture));
        for (size_t i = 4; i < 8; i++)
                assert_int_equal(out[i], 0);
        for (size_t i = 96; i < 512; i++)
                assert_int_equal(out[i], 0);
        for (size_t i = 3600; i < 4096; i++)
                assert_int_equal(out[i], 0);
        assert_int_equal(out[512 + 8 + 20], 0);
        assert_memory_equal(out + 512, page + 512, 8 + 20); /* bin count, first bin */
        free(out);
        /* Larger than a page: cut to one; shorter: kept as short. */
        assert_int_equal(ebs_reduce_log_page((const char *)page, 100, &out, &rlen), 0);
        assert_int_equal(rlen, 100);
        free(out);
        free(page);
}

struct fixture {
        char *dir;
        struct sysroot root;
        char **warnings;
        struct block_device d;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));

        if (!f || !(f->dir = tt_new()))
                return -1;
        f->root.fd = -1;
        f->d.name = strdup("nvme1n1");
        f->d.ebs_volume_id = strdup("vol-0c4a9e2f7b1d3a5e8");
        f->d.sysfs_path = strdup("/sys/block/nvme1n1");
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;

        strv_free(f->warnings);
        sysroot_close(&f->root);
        tt_free(f->dir);
        free(f->d.name);
        free(f->d.ebs_volume_id);
        free(f->d.sysfs_path);
        free(f->d.io);
        free(f->d.ebs);
        free(f->d.ebs_error);
        free(f);
        return 0;
}

static void test_probe_stat(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(sysroot_open(&f->root, f->dir), 0);
        /* Missing: no history, and nothing to say. */
        assert_int_equal(blockstat_probe(&f->root, "/sys/block/nvme1n1", &f->d, &f->warnings), 0);
        assert_null(f->d.io);
        assert_null(f->warnings);
        /* Garbage: no history, a warning. */
        assert_int_equal(tt_puts(f->dir, "sys/block/nvme1n1/stat", "1 2 3 oops\n"), 0);
        assert_int_equal(blockstat_probe(&f->root, "/sys/block/nvme1n1", &f->d, &f->warnings), 0);
        assert_null(f->d.io);
        assert_non_null(f->warnings);
        assert_non_null(strstr(f->warnings[0], "is no block stat"));
        /* Good, without /proc/uptime, then with it. */
        assert_int_equal(tt_puts(f->dir, "sys/block/nvme1n1/stat",
                                 "     100        0      800       50      200        0     1600 "
                                 "     400        2      500      450\n"),
                         0);
        assert_int_equal(blockstat_probe(&f->root, "/sys/block/nvme1n1", &f->d, &f->warnings), 0);
        assert_non_null(f->d.io);
        assert_true(f->d.io->since_boot_seconds == U64_UNSET);
        assert_int_equal(f->d.io->writes, 200);
        free(f->d.io);
        f->d.io = NULL;
        assert_int_equal(tt_puts(f->dir, "proc/uptime", "3600.50 7000.00\n"), 0);
        assert_int_equal(blockstat_probe(&f->root, "/sys/block/nvme1n1", &f->d, &f->warnings), 0);
        assert_int_equal(f->d.io->since_boot_seconds, 3600);
}

static void test_probe_ebs_replay(void **state)
{
        struct fixture *f = *state;
        size_t len;
        uint8_t *page = load_fixture_page(&len);

        assert_int_equal(sysroot_open(&f->root, f->dir), 0);
        assert_int_equal(ebs_stats_probe(&f->root, &f->d), 0);
        assert_null(f->d.ebs);
        assert_string_equal(f->d.ebs_error,
                            "not in the snapshot (.studio-probe/ebs/nvme1n1.logpage)");
        free(f->d.ebs_error);
        f->d.ebs_error = NULL;

        assert_int_equal(tt_write(f->dir, ".studio-probe/ebs/nvme1n1.logpage", page, 40), 0);
        assert_int_equal(ebs_stats_probe(&f->root, &f->d), 0);
        assert_string_equal(f->d.ebs_error,
                            "the log page ends before the counters (40 bytes): an older page");
        free(f->d.ebs_error);
        f->d.ebs_error = NULL;

        page[3] = 0;
        assert_int_equal(tt_write(f->dir, ".studio-probe/ebs/nvme1n1.logpage", page, len), 0);
        assert_int_equal(ebs_stats_probe(&f->root, &f->d), 0);
        assert_string_equal(f->d.ebs_error,
                            "not an EBS controller: its log page 0xD0 has no EBS magic");
        free(f->d.ebs_error);
        f->d.ebs_error = NULL;

        page[3] = 0x3C;
        assert_int_equal(tt_write(f->dir, ".studio-probe/ebs/nvme1n1.logpage", page, len), 0);
        assert_int_equal(ebs_stats_probe(&f->root, &f->d), 0);
        assert_null(f->d.ebs_error);
        assert_non_null(f->d.ebs);
        assert_true(f->d.ebs->from_capture);
        assert_int_equal(f->d.ebs->exceeded_tp_us, 734210000);
        free(f->d.ebs);
        f->d.ebs = NULL;

        /* Larger than a page: refused, not cut. */
        page = realloc(page, 5000);
        memset(page + len, 0, 5000 - len);
        assert_int_equal(tt_write(f->dir, ".studio-probe/ebs/nvme1n1.logpage", page, 5000), 0);
        assert_int_equal(ebs_stats_probe(&f->root, &f->d), 0);
        assert_string_equal(f->d.ebs_error,
                            ".studio-probe/ebs/nvme1n1.logpage is larger than a log page");
        free(page);
}

/* Live, nothing is opened that is not the NVMe namespace sysfs names. */
static void test_probe_ebs_live_refusals(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(sysroot_open(&f->root, NULL), 0);
        free(f->d.name);
        f->d.name = strdup("sda");
        assert_int_equal(ebs_stats_probe(&f->root, &f->d), 0);
        assert_string_equal(f->d.ebs_error, "sda is no NVMe namespace");
        free(f->d.ebs_error);
        f->d.ebs_error = NULL;

        /* An NVMe name sysfs does not know (not root: the reason says so). */
        free(f->d.name);
        f->d.name = strdup("nvme977n1");
        free(f->d.sysfs_path);
        f->d.sysfs_path = strdup("/sys/devices/studio-probe-unit-none/nvme977n1");
        assert_int_equal(ebs_stats_probe(&f->root, &f->d), 0);
        assert_null(f->d.ebs);
        if (geteuid() == 0)
                assert_string_equal(f->d.ebs_error, "the device number of nvme977n1 is unknown");
        else
                assert_string_equal(f->d.ebs_error, "needs root (an NVMe admin command)");
        free(f->d.ebs_error);
        f->d.ebs_error = NULL;

        /* No EBS volume id: not attempted. */
        free(f->d.ebs_volume_id);
        f->d.ebs_volume_id = NULL;
        assert_int_equal(ebs_stats_probe(&f->root, &f->d), 0);
        assert_null(f->d.ebs_error);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_block_stat),
                cmocka_unit_test(test_uptime_and_means),
                cmocka_unit_test(test_ebs_page),
                cmocka_unit_test(test_ebs_reduce),
                cmocka_unit_test_setup_teardown(test_probe_stat, setup, teardown),
                cmocka_unit_test_setup_teardown(test_probe_ebs_replay, setup, teardown),
                cmocka_unit_test_setup_teardown(test_probe_ebs_live_refusals, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
