/* SPDX-License-Identifier: MIT */
/* /proc/self/mountstats: the parser against the kernel's layouts and hostile
 * input, the reducer collect uses, and the history warnings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/nfs-history.h"
#include "core/strutil.h"
#include "probe/mountstats.h"

#define HOME "/home/sagemaker-user"
#define DEVICE_LINE(mp) "device 127.0.0.1:/200005 mounted on " mp " with fstype nfs4 statvers=1.1\n"
#define HEAD                                                                                       \
        "\topts:\trw,vers=4.1,hard,clientaddr=10.0.1.5,addr=10.0.1.2\n"                            \
        "\tage:\t273600\n"                                                                         \
        "\tcaps:\tcaps=0x3ffbffff,wtmult=512,dtsize=1048576,bsize=0,namlen=255\n"                  \
        "\tevents:\t1 2 3\n"                                                                       \
        "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n"
#define TCP "\txprt:\ttcp 0 0 3 12 4 1000 1000 0 3000 500 2 0 0\n"
#define OPS                                                                                        \
        "\tper-op statistics\n"                                                                    \
        "\t        NULL: 0 0 0 0 0 0 0 0 0\n"                                                      \
        "\t     GETATTR: 1000 1010 2 100 200 5 2600 2700 0\n"                                      \
        "\t      LOOKUP: 500 501 0 100 200 1 1150 1200 40\n"                                       \
        "\t      CREATE: 10 10 0 100 200 0 81 83 0\n"

static struct nfs_rpc *parse_one(const char *in, const char *mp, char ***warnings)
{
        struct mountstats_want w = { mp, NULL };

        assert_int_equal(mountstats_parse(in, strlen(in), "mountstats", &w, 1, warnings), 0);
        return w.rpc;
}

static void test_normal(void **state)
{
        static const char in[] =
                "device overlay mounted on / with fstype overlay\n" DEVICE_LINE(HOME) HEAD TCP OPS
                "\n"
                "device proc mounted on /proc with fstype proc\n";
        _cleanup_strv_free_ char **warnings = NULL;
        struct nfs_rpc *rpc = parse_one(in, HOME, &warnings);
        const struct nfs_rpc_op *op;

        assert_non_null(rpc);
        assert_null(warnings);
        assert_int_equal(rpc->age_seconds, 273600);
        assert_int_equal(rpc->retransmissions, 11);
        assert_int_equal(rpc->timeouts, 2);
        assert_int_equal(rpc->xprt_connects, 3);
        assert_int_equal(nfs_rpc_reconnects(rpc), 2);
        assert_int_equal(rpc->xprt_sends, 1000);
        assert_int_equal(rpc->xprt_backlog, 500);
        assert_int_equal(rpc->n_ops, 3); /* NULL had no ops */
        op = nfs_rpc_find(rpc, "GETATTR");
        assert_non_null(op);
        assert_int_equal(op->count, 1000);
        assert_int_equal(op->rtt_ms, 2600);
        assert_int_equal(nfs_rpc_mean_ns(op->rtt_ms, op->count), 2600000);
        assert_int_equal(nfs_rpc_mean_ns(op->execute_ms, op->count), 2700000);
        assert_int_equal(nfs_rpc_find(rpc, "LOOKUP")->errors, 40);
        assert_int_equal(nfs_rpc_mean_ns(5, 0), U64_UNSET);
        nfs_rpc_free(rpc);

        /* another mount point, or a prefix of it, is not this one */
        assert_null(parse_one(in, "/home", &warnings));
        assert_null(parse_one(in, "/", &warnings)); /* overlay: not NFS */
}

/* Before Linux 5.3 an op line has no errors column; rdma and udp lay the
 * transport out differently; one xprt line per transport (nconnect). */
static void test_layouts(void **state)
{
        static const char old[] =
                DEVICE_LINE(HOME) HEAD TCP "\tper-op statistics\n"
                                           "\t     GETATTR: 10 10 0 100 200 0 26 27\n";
        static const char rdma[] = DEVICE_LINE(HOME) HEAD
                "\txprt:\trdma 0 0 1 0 0 77 77 0 10 14 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n" OPS;
        static const char udp[] =
                DEVICE_LINE(HOME) HEAD "\txprt:\tudp 0 0 40 40 0 10 8 0 0 0\n" OPS;
        static const char two[] = DEVICE_LINE(HOME) HEAD TCP TCP OPS;
        static const char local[] = DEVICE_LINE(HOME) HEAD "\txprt:\tlocal 1 2 3\n" OPS;
        _cleanup_strv_free_ char **warnings = NULL;
        struct nfs_rpc *rpc;

        rpc = parse_one(old, HOME, &warnings);
        assert_int_equal(rpc->n_ops, 1);
        assert_int_equal(rpc->ops[0].errors, U64_UNSET);
        assert_int_equal(rpc->ops[0].execute_ms, 27);
        nfs_rpc_free(rpc);

        rpc = parse_one(rdma, HOME, &warnings);
        assert_int_equal(rpc->xprt_connects, 1);
        assert_int_equal(rpc->xprt_sends, 77);
        assert_int_equal(rpc->xprt_backlog, 14);
        nfs_rpc_free(rpc);

        rpc = parse_one(udp, HOME, &warnings);
        assert_int_equal(rpc->xprt_connects, U64_UNSET);
        assert_int_equal(nfs_rpc_reconnects(rpc), U64_UNSET);
        assert_int_equal(rpc->xprt_sends, 40);
        assert_int_equal(rpc->xprt_backlog, 8);
        nfs_rpc_free(rpc);

        rpc = parse_one(two, HOME, &warnings);
        assert_int_equal(rpc->xprts, 2);
        assert_int_equal(rpc->xprt_connects, 6);
        assert_int_equal(nfs_rpc_reconnects(rpc), 4);
        assert_int_equal(rpc->xprt_sends, 2000);
        nfs_rpc_free(rpc);

        rpc = parse_one(local, HOME, &warnings);
        assert_int_equal(rpc->xprts, 0);
        assert_int_equal(rpc->xprt_sends, U64_UNSET);
        nfs_rpc_free(rpc);
        assert_null(warnings);
}

/* The kernel mangles a space in the mount point as \040, as in mountinfo. */
static void test_mangled_mountpoint(void **state)
{
        static const char in[] = DEVICE_LINE("/mnt/my\\040data") HEAD TCP OPS;
        _cleanup_strv_free_ char **warnings = NULL;
        struct nfs_rpc *rpc = parse_one(in, "/mnt/my data", &warnings);

        assert_non_null(rpc);
        nfs_rpc_free(rpc);
        assert_null(parse_one(in, "/mnt/my\\040data", &warnings));
}

static void test_hostile(void **state)
{
        static const char *const bad[] = {
                "\t     GETATTR: 18446744073709551616 1 0 0 0 0 0 0 0\n", /* 2^64 */
                "\t     GETATTR: 18446744073709551615 1 0 0 0 0 0 0 0\n", /* "unknown" */
                "\t     GETATTR: -1 1 0 0 0 0 0 0 0\n",
                "\t     GETATTR: +1 1 0 0 0 0 0 0 0\n",
                "\t     GETATTR: 0x10 1 0 0 0 0 0 0 0\n",
                "\t     GETATTR: 1 1 0 0 0 0 0\n", /* 7 columns */
                "\txprt:\ttcp 0 0 3\n",
                "\tage:\tsoon\n",
                "\tage:\t1 2\n",
        };

        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                _cleanup_free_ char *in = NULL;
                _cleanup_strv_free_ char **warnings = NULL;
                struct nfs_rpc *rpc;

                assert_true(asprintf(&in, DEVICE_LINE(HOME) "\tage:\t5\n\tper-op statistics\n%s",
                                     bad[i]) > 0);
                print_message("%s", bad[i]);
                rpc = parse_one(in, HOME, &warnings);
                assert_non_null(warnings);
                assert_non_null(strstr(warnings[0], "malformed lines in the entry of " HOME));
                assert_non_null(rpc);
                assert_null(nfs_rpc_find(rpc, "GETATTR"));
                nfs_rpc_free(rpc);
        }
}

/* A million op lines, a NUL, a line past the bound, no final newline,
 * sums that overflow, and the same mount twice: the later entry counts. */
static void test_bounds(void **state)
{
        size_t cap = 64u << 20, len = 0;
        _cleanup_free_ char *in = malloc(cap);
        _cleanup_strv_free_ char **warnings = NULL;
        struct nfs_rpc *rpc;

        assert_non_null(in);
        len += (size_t)snprintf(in + len, cap - len, DEVICE_LINE(HOME) "\tper-op statistics\n");
        for (size_t i = 0; i < 1000000; i++)
                len += (size_t)snprintf(in + len, cap - len, "\tOP%zu: 1 2 0 0 0 0 1 1 0\n", i);
        rpc = parse_one(in, HOME, &warnings);
        assert_non_null(rpc);
        assert_true(rpc->n_ops <= 256);
        assert_non_null(warnings);
        nfs_rpc_free(rpc);

        len = 0;
        len += (size_t)snprintf(in + len, cap - len,
                                DEVICE_LINE(HOME) "\tper-op statistics\n"
                                                  "\t  A: 1 18446744073709551614 "
                                                  "18446744073709551614 0 0 0 0 0 0\n"
                                                  "\t  B: 1 18446744073709551614 "
                                                  "18446744073709551614 0 0 0 0 0 0\n"
                                                  "\t  C: 1 1 0 0 0 0 0 0 0\n"
                                                  "\t  C: 2 2 0 0 0 0 0 0 0\n");
        rpc = parse_one(in, HOME, &warnings);
        assert_int_equal(rpc->retransmissions, UINT64_MAX - 1);
        assert_int_equal(rpc->timeouts, UINT64_MAX - 1);
        assert_int_equal(nfs_rpc_find(rpc, "C")->count, 2);
        assert_int_equal(rpc->n_ops, 3);
        nfs_rpc_free(rpc);

        /* a line of 100 KiB, then the same mount again without a final newline */
        memcpy(in, DEVICE_LINE(HOME), strlen(DEVICE_LINE(HOME)));
        len = strlen(DEVICE_LINE(HOME));
        memset(in + len, 'x', 100 << 10);
        len += 100 << 10;
        len += (size_t)snprintf(in + len, cap - len,
                                "\n" DEVICE_LINE(HOME) "\tage:\t9\n\tNUL: 1 1 0 0 0 0 0 0 0");
        in[len - 10] = '\0';
        strv_free(warnings);
        warnings = NULL;
        {
                struct mountstats_want w = { HOME, NULL };
                assert_int_equal(mountstats_parse(in, len, "mountstats", &w, 1, &warnings), 0);
                assert_non_null(w.rpc);
                assert_int_equal(w.rpc->age_seconds, 9);
                assert_int_equal(w.rpc->n_ops, 0);
                nfs_rpc_free(w.rpc);
        }
}

static void test_reduce(void **state)
{
        static const char in[] =
                "device /dev/nvme1n1 mounted on /secret with fstype xfs\n" DEVICE_LINE(HOME)
                        HEAD TCP OPS "\n";
        _cleanup_free_ char *out = NULL;
        size_t len;
        _cleanup_strv_free_ char **warnings = NULL;
        struct nfs_rpc *rpc;

        assert_int_equal(mountstats_reduce(in, strlen(in), &out, &len), 0);
        assert_int_equal(strlen(out), len);
        assert_null(strstr(out, "/secret"));
        assert_null(strstr(out, "opts:"));
        assert_null(strstr(out, "10.0.1"));
        assert_null(strstr(out, "caps:"));
        assert_non_null(strstr(out, "GETATTR: 1000 1010"));
        rpc = parse_one(out, HOME, &warnings);
        assert_non_null(rpc);
        assert_int_equal(rpc->retransmissions, 11);
        assert_int_equal(rpc->age_seconds, 273600);
        nfs_rpc_free(rpc);
}

static void test_warnings(void **state)
{
        struct nfs_rpc_op ops[] = {
                { (char *)"GETATTR", 1000, 1000, 0, 0, 0, 0, 2600, 2700, 0 },
                { (char *)"LOOKUP", 1000, 1000, 0, 0, 0, 0, 900, 950, 0 },
                { (char *)"READ", 10, 10, 0, 0, 0, 0, 900, 950, 0 }, /* too few to judge */
        };
        struct nfs_rpc rpc = { .age_seconds = 5, .ops = ops, .n_ops = ARRAY_SIZE(ops) };
        struct nfs_info nfs = { .rpc = &rpc };
        struct report r;

        report_init(&r);
        r.home.mountpoint = strdup(HOME);
        r.home.nfs = &nfs;
        assert_int_equal(classify_nfs_history(&r), 0);
        assert_int_equal(strv_length(r.warnings), 1);
        assert_non_null(strstr(r.warnings[0], "GETATTR 2.6 ms"));
        assert_null(strstr(r.warnings[0], "LOOKUP"));
        assert_null(strstr(r.warnings[0], "READ"));

        rpc.retransmissions = 3;
        assert_int_equal(classify_nfs_history(&r), 0);
        /* the same warning is not repeated */
        assert_int_equal(strv_length(r.warnings), 2);
        assert_non_null(strstr(r.warnings[1], "3 RPC retransmissions and 0 major timeouts"));
        r.home.nfs = NULL;
        report_done(&r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_normal),
                cmocka_unit_test(test_layouts),
                cmocka_unit_test(test_mangled_mountpoint),
                cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_bounds),
                cmocka_unit_test(test_reduce),
                cmocka_unit_test(test_warnings),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
