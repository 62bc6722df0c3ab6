#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 12's performance aim, measured side by side in one run: the static
# binary costs well under `findmnt --target PATH --json` and close to the exec
# floor (/bin/true). Four commands in interleaved rounds (tests/perf/rounds.py):
# /bin/true, findmnt, the dynamic and the static studio-probe, all on PATH.
#
#   tests/perf/compare-static.sh DYNAMIC_STUDIO_PROBE STATIC_STUDIO_PROBE [PATH...]
#
# Prints a markdown table: mean (median) wall time per run, and each command's
# mean as a multiple of findmnt's and of /bin/true's. RUNS (default 2000)
# rounds per path. Build the dynamic one with --buildtype=release for figures
# worth quoting (packaging/static/build.sh builds the static one so). Not a
# test: nothing here passes or fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 2 ] || { sed -n 's/^#   //p' "$0" >&2; exit 2; }
dyn=$(realpath "$1")
stat=$(realpath "$2")
shift 2
paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(/tmp /root)
runs=${RUNS:-2000}
findmnt=$(command -v findmnt)
truebin=$(command -v true)
case $truebin in /*) ;; *) truebin=/bin/true ;; esac

printf '| path | /bin/true | findmnt --json | studio-probe dynamic | studio-probe static | dynamic / findmnt | static / findmnt | static / true |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for p in "${paths[@]}"; do
    out=$(/usr/bin/python3 "$here/rounds.py" "$runs" "findmnt=$findmnt --target $p --json" \
        "true=$truebin" "dynamic=$dyn --path $p --json" "static=$stat --path $p --json")
    # "NAME <mean> ms (median <m>, p10 <a>, p90 <b>)  <ratio>x"
    declare -A mean med
    while read -r name m _ _ md _; do
        mean[$name]=$m
        med[$name]=${md%,}
    done <<<"$out"
    r() { echo "scale=2; ${mean[$1]} / ${mean[$2]}" | bc -l | sed 's/^\./0./'; }
    printf '| %s | %s ms (%s) | %s ms (%s) | %s ms (%s) | %s ms (%s) | %s | %s | %s |\n' "$p" \
        "${mean[true]}" "${med[true]}" "${mean[findmnt]}" "${med[findmnt]}" \
        "${mean[dynamic]}" "${med[dynamic]}" "${mean[static]}" "${med[static]}" \
        "$(r dynamic findmnt)" "$(r static findmnt)" "$(r static true)"
done
