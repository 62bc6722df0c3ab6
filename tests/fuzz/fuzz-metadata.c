/* SPDX-License-Identifier: MIT */
/* libFuzzer: bytes as resource-metadata.json (sagemaker_parse_metadata) and,
 * the same bytes, as a NUL-separated environ block (sagemaker_parse_environ);
 * then classify and JSON, which read every field the parsers filled. The input
 * is copied into a buffer of exactly its size, so ASan sees any read past it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "model.h"
#include "fuzz-check.h"
#include "render.h"
#include "sagemaker.h"
#include "strutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = malloc(size ? size : 1);
        struct report r;

        if (!buf)
                return 0;
        memcpy(buf, data, size);
        report_init(&r);
        (void)sagemaker_parse_metadata(buf, size, "fuzz.json", &r.sagemaker, &r.warnings);
        (void)sagemaker_parse_environ(buf, size, &r.sagemaker, &r.warnings);
        if (classify(&r) == 0)
                fuzz_check_report_json(&r);
        report_done(&r);
        free(buf);
        return 0;
}
