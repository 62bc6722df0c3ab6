#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Gathers the fuzz seed corpora: SRCDIR/tests/fixtures/*/root files, and the
# shared samples when this machine has them.
# Usage: collect-seeds.sh SRCDIR OUTDIR  (OUTDIR/mountinfo, OUTDIR/metadata,
# OUTDIR/redact: the same files behind fuzz-redact's format byte)
set -euo pipefail
src=$1 out=$2
rm -rf "$out"
mkdir -p "$out/mountinfo" "$out/metadata" "$out/redact" "$out/compute" "$out/mountstats" "$out/facts" \
    "$out/blockstat"
n=0
add() { # corpus, file
    [ -f "$2" ] || return 0
    n=$((n + 1))
    cp -- "$2" "$1/$(printf '%04d' "$n")-$(basename -- "$2")"
}
for f in "$src"/tests/fixtures/*/root/proc/self/mountinfo /work/shared/samples/*.mountinfo; do
    add "$out/mountinfo" "$f"
done
for f in "$src"/tests/fixtures/*/root/opt/ml/metadata/resource-metadata.json \
    "$src"/tests/fixtures/*/root/proc/self/environ \
    /work/shared/samples/*.resource-metadata.json /work/shared/samples/*.environ; do
    add "$out/metadata" "$f"
done
# fuzz-redact: byte 0 json, 1 mountinfo, 2 environ, 6 mountstats
for f in "$out"/metadata/*; do
    case $f in *environ) b='\002' ;; *) b='\000' ;; esac
    { printf '%b' "$b"; cat -- "$f"; } >"$out/redact/$(basename -- "$f")"
done
for f in "$out"/mountinfo/*; do
    { printf '\001'; cat -- "$f"; } >"$out/redact/$(basename -- "$f")"
done
printf '\004/home/sagemaker-user/e/alice' >"$out/redact/path"
printf '\005/sys/dev/block/259:3\n../../devices/e' >"$out/redact/link"
for f in "$src"/tests/fixtures/*/root/opt/ml/config/resource_config.json \
    "$src"/tests/fixtures/*/root/opt/ml/input/config/resourceconfig.json \
    "$src"/tests/fixtures/*/root/proc/1/cmdline "$src"/tests/fixtures/*/root/etc/hostname; do
    add "$out/compute" "$f"
done
printf '{"current_host":"algo-1-ab3x9","hosts":["algo-1-ab3x9"]}' >"$out/compute/min"
for f in "$src"/tests/fixtures/*/root/.studio-probe/facts.json "$src"/tests/fixtures/*/expected.json \
    "$src"/tests/fuzz/facts-bench.json; do
    add "$out/facts" "$f"
done
for f in "$src"/tests/fixtures/*/root/sys/devices/*/*/nvme/*/*/stat \
    "$src"/tests/fixtures/*/root/proc/uptime "$src"/tests/fixtures/*/root/.studio-probe/ebs/*; do
    add "$out/blockstat" "$f"
done
# Never an empty corpus: libFuzzer would start from nothing.
printf '1 0 259:3 / /home/sagemaker-user rw - xfs /dev/nvme1n1 rw\n' >"$out/mountinfo/min"
printf '{"AppType":"JupyterLab","DomainId":"d-1"}' >"$out/metadata/min"
for f in "$src"/tests/fixtures/*/root/proc/self/mountstats; do
    add "$out/mountstats" "$f"
    { printf '\006'; cat -- "$f"; } >"$out/redact/$(basename -- "$f")-$n"
done
printf '{"collected_at":"2026-11-30T09:00:00Z"}' >"$out/facts/min"
printf '1 2 3 4 5 6 7 8 9 10 11\n' >"$out/blockstat/min"
