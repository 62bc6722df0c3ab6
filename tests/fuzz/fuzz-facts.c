/* SPDX-License-Identifier: MIT */
/* libFuzzer: bytes as a bundle's .studio-probe/facts.json (probe/facts.c:
 * the recorded benchmark of collect --bench) and as the earlier report of
 * --compare (classify/compare.c). Whatever is accepted must be a benchmark
 * the renderers can print: a distribution in order, budgets that add up. The
 * input is copied into a buffer of exactly its size, so ASan sees any read
 * past it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/compare.h"
#include "fuzz-check.h"
#include "model.h"
#include "probe/facts.h"
#include "render/bench.h"
#include "render/text.h"
#include "core/strutil.h"

static void check_bench(const struct bench_result *b)
{
        const struct bench_measure *m = &b->m;

        if (m->workload_budget_ns > m->budget_ns || m->file_written_bytes > m->file_size_bytes)
                abort();
        for (int w = 0; w < _BENCH_MAX; w++) {
                const struct bench_latency *l = &m->w[w].latency;
                const uint64_t v[] = { l->min, l->p50, l->p90, l->p99, l->p999, l->max };
                uint64_t last = 0;

                /* in order, leaving out the percentiles too few samples cannot give */
                for (size_t i = 0; l->n && i < sizeof(v) / sizeof(v[0]); i++) {
                        if (v[i] == U64_UNSET)
                                continue;
                        if (v[i] < last)
                                abort();
                        last = v[i];
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = malloc(size ? size : 1), err[512];
        struct report r;
        cJSON *facts, *old = NULL;
        char **warnings = NULL;
        FILE *devnull;

        if (!buf)
                return 0;
        if (!size)
                buf[0] = '\0';
        memcpy(buf, data, size);
        report_init(&r);
        /* as probe_run() leaves them: the inspected path is always named */
        r.home.path = strdup("/home/sagemaker-user");
        r.home.resolved_path = strdup("/home/sagemaker-user");
        facts = facts_parse(buf, size);
        if (facts) {
                (void)facts_bench(facts, "facts.json", &r.bench, &warnings);
                r.generated_at = facts_collected_at(facts);
                if (r.bench)
                        check_bench(r.bench);
                cJSON_Delete(facts);
        }
        if (compare_parse("old.json", buf, size, &old, err, sizeof(err)) == 0) {
                (void)compare_reports("old.json", old, &r, err, sizeof(err));
                cJSON_Delete(old);
        }
        fuzz_check_report_json(&r);
        devnull = fopen("/dev/null", "we");
        if (devnull) {
                (void)render_text(devnull, &r, false, 80);
                fclose(devnull);
        }
        strv_free(warnings);
        report_done(&r);
        free(buf);
        return 0;
}
