#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 13's submount target: with N mounts under the inspected path (default
# 100), a live detection costs at most 1.2x `findmnt --target PATH --json`.
# The mounts are tmpfs, made in a private mount namespace (unshare -m) that
# ends with the script: nothing is mounted on the host.
#
#   tests/perf/submounts.sh [STUDIO_PROBE] [N]
#
# RUNS (default 500) interleaved rounds of studio-probe, findmnt and
# /bin/true (tests/perf/rounds.py). Needs root and util-linux's unshare;
# exits 77 without them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:-build-release/src/studio-probe}")
n=${2:-100}
runs=${RUNS:-500}
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
    echo "submounts.sh: needs root and unshare (mounts in a private namespace): skipped"
    exit 77
fi
dir=$(mktemp -d)
trap 'rmdir "$dir"' EXIT
unshare -m --propagation private bash -s "$here" "$bin" "$n" "$runs" "$dir" <<'SCRIPT'
set -euo pipefail
here=$1 bin=$2 n=$3 runs=$4 dir=$5
mount -t tmpfs sp-top "$dir"
for i in $(seq "$n"); do
    mkdir "$dir/m$i"
    mount -t tmpfs sp-sub "$dir/m$i"
done
echo "$n tmpfs mounts under $dir, $runs rounds:"
/usr/bin/python3 "$here/rounds.py" "$runs" "studio-probe=$bin --path $dir --json" \
    "findmnt=$(command -v findmnt) --target $dir --json" "true=/bin/true"
SCRIPT
