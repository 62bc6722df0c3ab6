#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fuzzes each harness for SECONDS (default 30), from the seed corpus, keeping
# what it finds in BUILD/tests/fuzz/corpus-<name> for the next run. Prints one
# line per harness: inputs tried and the result. Exit 1 on a crash (the
# reproducer is left in BUILD/tests/fuzz/, see libFuzzer's "artifact_prefix").
# Usage: run-fuzz.sh BUILD_DIR [SECONDS]
set -uo pipefail
b=$1 secs=${2:-30}
d=$b/tests/fuzz
rc=0
for f in mountinfo metadata redact compute mountstats facts blockstat; do
    [ -x "$d/fuzz-$f" ] || { echo "fuzz-$f: not built (-Dfuzzing=true)"; rc=1; continue; }
    mkdir -p "$d/corpus-$f"
    "$d/fuzz-$f" -max_total_time="$secs" -error_exitcode=1 -timeout=10 -rss_limit_mb=1024 -max_len=131072 \
        -print_final_stats=1 -artifact_prefix="$d/crash-$f-" \
        "$d/corpus-$f" "$d/seeds/$f" >"$d/fuzz-$f.log" 2>&1
    k=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/fuzz-$f.log" | tail -1)
    if [ $k = 0 ]; then
        echo "fuzz-$f: ${runs:-?} inputs in ${secs} s, no crash"
    else
        echo "fuzz-$f: FAILED after ${runs:-?} inputs (exit $k), log: $d/fuzz-$f.log"
        grep -E 'ERROR|SUMMARY|runtime error' "$d/fuzz-$f.log" | head -5
        rc=1
    fi
done
exit $rc
