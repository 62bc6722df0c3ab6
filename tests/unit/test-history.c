/* SPDX-License-Identifier: MIT */
/* storage.summary from the passive history, on hand-built histories: an NFS
 * mount's per-op times (nfs_info.rpc) and a block device's request times
 * (block_device.io); nothing without them; and where the renderers put it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"
#include "classify/history.h"
#include "render/json.h"
#include "render/text.h"

struct op {
        const char *name;
        uint64_t count, execute_ms;
};

static void set_rpc(struct storage *s, uint64_t age, const struct op *ops, size_t n)
{
        s->nfs = calloc(1, sizeof(*s->nfs));
        assert_non_null(s->nfs);
        s->nfs->rpc = calloc(1, sizeof(*s->nfs->rpc));
        assert_non_null(s->nfs->rpc);
        s->nfs->rpc->age_seconds = age;
        s->nfs->rpc->ops = calloc(n, sizeof(struct nfs_rpc_op));
        assert_non_null(s->nfs->rpc->ops);
        s->nfs->rpc->n_ops = n;
        for (size_t i = 0; i < n; i++) {
                struct nfs_rpc_op *o = &s->nfs->rpc->ops[i];
                o->op = strdup(ops[i].name);
                o->count = o->transmissions = ops[i].count;
                o->execute_ms = ops[i].execute_ms;
                o->rtt_ms = ops[i].execute_ms;
        }
}

static struct report *new_report(enum storage_kind k, enum environment env)
{
        struct report *r = calloc(1, sizeof(*r));

        assert_non_null(r);
        report_init(r);
        r->environment = env;
        r->home.kind = k;
        r->home.mount_id = 1;
        r->home.path = strdup("/home/sagemaker-user");
        r->home.mountpoint = strdup("/home/sagemaker-user");
        r->home.fstype = strdup("nfs4");
        return r;
}

static void free_report(struct report *r)
{
        report_done(r);
        free(r);
}

static void assert_contains(const char *s, const char *needle)
{
        if (!s || !strstr(s, needle))
                fail_msg("no \"%s\" in \"%s\"", needle, s ? s : "(null)");
}

/* The Studio Classic question, "why is pip slow here?", answered from an
 * NFSv4.1 EFS home's history: v4 creates files through OPEN, so lookups are
 * the figure. */
static void test_classic_efs_history(void **state)
{
        static const struct op ops[] = {
                { "READ", 500, 400 },        { "WRITE", 1000, 3500 },    { "COMMIT", 0, 0 },
                { "GETATTR", 30000, 25500 }, { "LOOKUP", 10000, 14500 },
        };
        struct report *r = new_report(STORAGE_EFS, ENV_STUDIO_CLASSIC);

        set_rpc(&r->home, 3 * 86400 + 100, ops, ARRAY_SIZE(ops));
        assert_int_equal(history_summarize(r), 0);
        assert_string_equal(r->home.summary,
                            "Small-file work here is about 100× slower than on a local EBS "
                            "volume: each file lookup has taken 1.00 ms on average since it was "
                            "mounted 3 days ago (EBS gp3: ~0.01 ms). Move to Studio (new): its "
                            "spaces keep the home on an EBS volume.");
        free_report(r);
}

/* NFSv3 counts CREATE: file creation comes first. */
static void test_create_first(void **state)
{
        static const struct op ops[] = {
                { "GETATTR", 100, 10 },
                { "CREATE", 400, 1600 },
        };
        struct report *r = new_report(STORAGE_NFS, ENV_NONE);

        set_rpc(&r->home, 7200, ops, ARRAY_SIZE(ops));
        assert_int_equal(history_summarize(r), 0);
        assert_string_equal(r->home.summary,
                            "Small-file work here is about 40× slower than on a local EBS "
                            "volume: each file creation has taken 4.00 ms on average since it "
                            "was mounted 2 hours ago (EBS gp3: ~0.1 ms).");
        free_report(r);
}

/* A fast NFS mount: it says so. Too few operations: nothing. */
static void test_fast_and_too_few(void **state)
{
        static const struct op fast[] = { { "GETATTR", 1000, 50 }, { "WRITE", 100, 250 } };
        static const struct op few[] = { { "GETATTR", 5, 500 }, { "CREATE", 3, 300 } };
        struct report *r = new_report(STORAGE_NFS, ENV_NONE);

        set_rpc(&r->home, 60, fast, ARRAY_SIZE(fast));
        assert_int_equal(history_summarize(r), 0);
        assert_string_equal(r->home.summary,
                            "Nothing in this mount's history is slow: lookups took 50 µs and "
                            "writes 2.50 ms on average since it was mounted 1 minute ago (EFS "
                            "best case: 0.25 ms read, 2.7 ms write).");
        free_report(r);

        r = new_report(STORAGE_NFS, ENV_NONE);
        set_rpc(&r->home, 60, few, ARRAY_SIZE(few));
        assert_int_equal(history_summarize(r), 0);
        assert_null(r->home.summary);
        free_report(r);
}

/* No history at all: say nothing rather than guess. */
static void test_no_history(void **state)
{
        struct report *r = new_report(STORAGE_EFS, ENV_STUDIO_CLASSIC);
        struct storage *m = report_add_mount(r);

        assert_non_null(m);
        m->kind = STORAGE_EBS;
        m->device = calloc(1, sizeof(*m->device)); /* a device, no io */
        assert_non_null(m->device);
        r->home.nfs = calloc(1, sizeof(*r->home.nfs)); /* NFS, no mountstats entry */
        assert_non_null(r->home.nfs);
        assert_int_equal(history_summarize(r), 0);
        assert_null(r->home.summary);
        assert_null(m->summary);
        free_report(r);
}

static struct block_device *device_with_io(uint64_t reads, uint64_t read_ms, uint64_t writes,
                                           uint64_t write_ms)
{
        struct block_device *d = calloc(1, sizeof(*d));

        assert_non_null(d);
        d->io = calloc(1, sizeof(*d->io));
        assert_non_null(d->io);
        d->io->since_boot_seconds = 5400;
        d->io->reads = reads;
        d->io->read_ms = read_ms;
        d->io->writes = writes;
        d->io->write_ms = write_ms;
        return d;
}

/* A busy EBS volume: writes waiting 25 ms each; the instance store mounted
 * beside it is the advice, and nothing about Studio (new) (the home is EBS). */
static void test_busy_ebs(void **state)
{
        struct report *r = new_report(STORAGE_EBS, ENV_STUDIO_CLASSIC);
        struct storage *m = report_add_mount(r);

        assert_non_null(m);
        m->kind = STORAGE_INSTANCE_STORE;
        m->mount_id = 7;
        m->mountpoint = strdup("/mnt/sagemaker-nvme");
        r->home.device = device_with_io(1000, 800, 4000, 100000);
        assert_int_equal(history_summarize(r), 0);
        assert_string_equal(r->home.summary,
                            "This disk is slow: each write has waited 25.00 ms on average since "
                            "the machine started 1 hour ago, beyond EBS's single-digit "
                            "milliseconds: the volume is busy or throttled (a gp2 volume out of "
                            "burst credits gets 3 IOPS per GiB). Keep conda environments and git "
                            "checkouts on the instance store at /mnt/sagemaker-nvme (wiped when "
                            "the app restarts).");
        assert_null(m->summary);
        free_report(r);

        r = new_report(STORAGE_EBS, ENV_STUDIO_NEW);
        r->home.device = device_with_io(1000, 800, 4000, 2000);
        assert_int_equal(history_summarize(r), 0);
        assert_string_equal(r->home.summary,
                            "Nothing in this disk's history is slow: reads waited 800 µs and "
                            "writes 500 µs on average since the machine started 1 hour ago, "
                            "within EBS's single-digit milliseconds.");
        free_report(r);
}

static char *text_of(const struct report *r)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        assert_non_null(f);
        assert_int_equal(render_text(f, r, false, 0), 0);
        fclose(f);
        return buf;
}

/* The summary opens the storage part of the human report and is the JSON's
 * home.summary; without history neither has it. */
static void test_rendered(void **state)
{
        static const struct op ops[] = { { "LOOKUP", 1000, 2000 } };
        struct report *r = new_report(STORAGE_EFS, ENV_STUDIO_CLASSIC);
        cJSON *j;
        char *t;

        t = text_of(r);
        assert_non_null(strstr(t, "\nPath\n  path "));
        free(t);
        j = report_to_json(r);
        assert_non_null(j);
        assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "home"), "summary"));
        cJSON_Delete(j);

        set_rpc(&r->home, 60, ops, ARRAY_SIZE(ops));
        assert_int_equal(history_summarize(r), 0);
        t = text_of(r);
        assert_contains(t, "\nPath\n  Small-file work here is about 200× slower than on a local "
                           "EBS volume: each file lookup has taken 2.00 ms");
        free(t);
        j = report_to_json(r);
        assert_non_null(j);
        assert_string_equal(cJSON_GetStringValue(
                                    cJSON_GetObjectItem(cJSON_GetObjectItem(j, "home"), "summary")),
                            r->home.summary);
        cJSON_Delete(j);
        free_report(r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_classic_efs_history),
                cmocka_unit_test(test_create_first),
                cmocka_unit_test(test_fast_and_too_few),
                cmocka_unit_test(test_no_history),
                cmocka_unit_test(test_busy_ebs),
                cmocka_unit_test(test_rendered),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
