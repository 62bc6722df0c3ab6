/* SPDX-License-Identifier: MIT */
/* libFuzzer: bytes as a block stat file, /proc/uptime and an EBS statistics
 * log page. The parsers never read past the input; a page they accept gives
 * the same counters once collect has reduced it (ebs_reduce_log_page), and a
 * page they refuse is refused the same way after. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/blockstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct block_io io = { .since_boot_seconds = U64_UNSET };
        struct ebs_stats a, b;
        char *text = malloc(size + 1), *out = NULL;
        size_t olen;
        uint64_t up;
        int ka, kb;

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        if (parse_block_stat(text, &io) == 0)
                (void)block_io_mean_ns(io.write_ms, io.writes);
        (void)parse_uptime(text, &up);
        free(text);

        ka = parse_ebs_log_page(data, size, &a);
        if (ebs_reduce_log_page((const char *)data, size, &out, &olen) < 0)
                return 0;
        kb = parse_ebs_log_page((const uint8_t *)out, olen, &b);
        if (size <= EBS_LOG_PAGE_SIZE &&
            (ka != kb || (ka == 0 && memcmp(&a, &b, offsetof(struct ebs_stats, from_capture)))))
                abort();
        free(out);
        return 0;
}
