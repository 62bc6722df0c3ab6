#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 2's performance target, measured side by side in one run: a live
# detection costs no more wall time than `findmnt --target PATH --json` on the
# same path, and peak RSS stays under 4 MiB.
#
#   tests/perf/compare-findmnt.sh [STUDIO_PROBE] [PATH...]
#
# Needs hyperfine and GNU time (Debian: hyperfine, time). Build studio-probe
# with --buildtype=release for figures worth quoting.
set -euo pipefail
bin=${1:-build-release/src/studio-probe}
shift || true
paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(/tmp "$HOME")
runs=${RUNS:-500}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

printf '| path | studio-probe mean ± σ | findmnt mean ± σ | ratio | studio-probe max RSS | findmnt max RSS |\n'
printf '|---|---|---|---|---|---|\n'
for p in "${paths[@]}"; do
    hyperfine -N --warmup 50 --runs "$runs" --export-json "$out/h.json" \
        "$bin --path $p --json" "findmnt --target $p --json" >/dev/null 2>&1
    rss() { # peak RSS in KiB over 20 runs
        local max=0 v
        for _ in $(seq 20); do
            v=$(/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1)
            [ "$v" -gt "$max" ] && max=$v
        done
        echo "$max"
    }
    r1=$(rss "$bin" --path "$p" --json)
    r2=$(rss findmnt --target "$p" --json)
    python3 - "$out/h.json" "$p" "$r1" "$r2" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
sp, fm = res[0], res[1]
ms = lambda r: f"{r['mean']*1e3:.2f} ± {r['stddev']*1e3:.2f} ms"
print(f"| {sys.argv[2]} | {ms(sp)} | {ms(fm)} | {sp['mean']/fm['mean']:.2f} | "
      f"{int(sys.argv[3])/1024:.2f} MiB | {int(sys.argv[4])/1024:.2f} MiB |")
PY
done
