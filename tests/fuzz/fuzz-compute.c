/* SPDX-License-Identifier: MIT */
/* libFuzzer: bytes as HyperPod's resource_config.json, a training job's
 * resourceconfig.json, PID 1's cmdline and a host name (probe/compute.c),
 * then classify and JSON. What collect keeps of each (the reducers) must be
 * judged the same by the parsers. The input is copied into a buffer of
 * exactly its size, so ASan sees any read past it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "model.h"
#include "fuzz-check.h"
#include "probe/compute.h"
#include "core/strutil.h"

static void parse_all(const char *buf, size_t size, const char *hostname, struct compute_facts *c,
                      int *k1, int *k2)
{
        c->hostname = strdup_or_null(hostname);
        *k1 = compute_parse_hyperpod_config(buf, size, c);
        *k2 = compute_parse_training_config(buf, size, c);
}

static void check_reduced(const char *buf, size_t size)
{
        struct sagemaker a = {}, b = {};
        char *rh = NULL, *rt = NULL, *rc = NULL;
        size_t lh, lt, lc;
        int a1, a2, b1, b2;

        /* past what the probe reads, a bundle keeps no content */
        if (size > 128 * 1024)
                return;
        if (compute_reduce_hyperpod_config(buf, size, &rh, &lh) < 0 ||
            compute_reduce_training_config(buf, size, &rt, &lt) < 0 ||
            compute_reduce_cmdline(buf, size, &rc, &lc) < 0)
                goto out;
        parse_all(buf, size, "ip-10-1-72-53", &a.compute, &a1, &a2);
        b.compute.hostname = strdup("ip-10-1-72-53");
        b1 = compute_parse_hyperpod_config(rh, lh, &b.compute);
        b2 = compute_parse_training_config(rt, lt, &b.compute);
        if (a1 != b1 || a2 != b2 ||
            a.compute.hyperpod_config_groups != b.compute.hyperpod_config_groups ||
            !streq_ptr(a.compute.node_name, b.compute.node_name) ||
            !streq_ptr(a.compute.instance_group, b.compute.instance_group) ||
            !streq_ptr(a.compute.training_current_host, b.compute.training_current_host) ||
            a.compute.training_hosts_local != b.compute.training_hosts_local ||
            a.compute.training_network_interface != b.compute.training_network_interface ||
            compute_cmdline_serves(buf, size) != compute_cmdline_serves(rc, lc))
                abort();
out:
        free(rh);
        free(rt);
        free(rc);
        sagemaker_done(&a);
        sagemaker_done(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = malloc(size ? size : 1), *h = NULL;
        struct report r;
        size_t hl;
        int k1, k2;

        if (!buf)
                return 0;
        memcpy(buf, data, size);
        report_init(&r);
        parse_all(buf, size, NULL, &r.sagemaker.compute, &k1, &k2);
        r.sagemaker.compute.serve = compute_cmdline_serves(buf, size);
        if (compute_reduce_hostname(buf, size, &h, &hl) == 0)
                r.sagemaker.compute.hostname = h;
        (void)classify(&r);
        fuzz_check_report_json(&r);
        report_done(&r);
        check_reduced(buf, size);
        free(buf);
        return 0;
}
