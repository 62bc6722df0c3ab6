#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the workloads of `studio-probe --bench` with fio (command lines from
# ../shared/bench-method.md §1.6, clocksource=clock_gettime like ours) and
# studio-probe itself on the same directory, back to back, and prints every
# figure side by side with the ratio and the issue's target (throughput and
# p50 within ±10% of fio, p99 within ±25%).
#
# usage: tests/bench/fio-compare.sh [STUDIO_PROBE] [DIR]
#   env: SIZE_MIB (256), RUNTIME (fio's time-based runs, s; 5), RAMP (1),
#        BENCH_TIME (studio-probe --bench-time; 10)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
SP=${1:-$top/build/src/studio-probe}
DIR=${2:-/var/tmp/studio-probe-fio-compare}
N=${SIZE_MIB:-256}
RUNTIME=${RUNTIME:-5}
RAMP=${RAMP:-1}
BT=${BENCH_TIME:-10}
command -v fio >/dev/null || { echo "fio is not installed (apt-get install fio)" >&2; exit 77; }
[ -x "$SP" ] || { echo "no studio-probe at $SP" >&2; exit 2; }

mkdir -p "$DIR"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"; rm -rf "$DIR/fio-seq.dat" "$DIR/md"' EXIT
COMMON=(--directory="$DIR" --ioengine=psync --iodepth=1 --numjobs=1 --clocksource=clock_gettime
        --output-format=json)

echo "fio $(fio --version) vs $("$SP" --version) on $DIR ($(stat -f -c %T "$DIR")), ${N} MiB" >&2
rm -f "$DIR/fio-seq.dat"
fio --name=seqwrite "${COMMON[@]}" --filename=fio-seq.dat --rw=write --bs=1M --size=${N}M \
    --direct=1 --fallocate=none --end_fsync=1 --output="$OUT/seqwrite.json" >/dev/null
fio --name=seqread "${COMMON[@]}" --filename=fio-seq.dat --rw=read --bs=1M --size=${N}M \
    --direct=1 --output="$OUT/seqread.json" >/dev/null
fio --name=randread4k "${COMMON[@]}" --filename=fio-seq.dat --size=${N}M --rw=randread --bs=4k \
    --direct=1 --randrepeat=0 --norandommap --time_based --runtime="$RUNTIME" \
    --ramp_time="$RAMP" --output="$OUT/randread.json" >/dev/null
fio --name=randwrite4k_dsync "${COMMON[@]}" --filename=fio-seq.dat --size=${N}M --overwrite=1 \
    --rw=randwrite --bs=4k --direct=0 --sync=dsync --randrepeat=0 --norandommap --time_based \
    --runtime="$RUNTIME" --ramp_time="$RAMP" --output="$OUT/syncwrite.json" >/dev/null
rm -f "$DIR/fio-seq.dat"
rm -rf "$DIR/md"
mkdir -p "$DIR/md"
MD=(--directory="$DIR/md" --filename_format='f.$filenum' --nrfiles=1000 --filesize=4k
    --openfiles=1 --clocksource=clock_gettime --output-format=json)
fio --name=mdcreate --ioengine=filecreate --create_on_open=1 --fallocate=none "${MD[@]}" \
    --output="$OUT/mdcreate.json" >/dev/null
fio --name=mdstat --ioengine=filestat --stat_type=lstat "${MD[@]}" --output="$OUT/mdstat.json" >/dev/null
fio --name=mddelete --ioengine=filedelete "${MD[@]}" --output="$OUT/mddelete.json" >/dev/null
rm -rf "$DIR/md"

"$SP" --bench --json --bench-time="$BT" --bench-size=${N}M --path "$DIR" >"$OUT/sp.json"

python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
def fio(name, ddir):
    with open(os.path.join(out, name + ".json")) as f:
        t = f.read()
    return json.loads(t[t.index("{"):])["jobs"][0][ddir]   # fio may print warnings first
b = json.load(open(os.path.join(out, "sp.json")))["benchmark"]
def pct(x, p):
    return x["clat_ns"]["percentile"][p]
rows = []
def row(name, f, s, tol, unit):
    rows.append((name, f, s, tol, unit))
for w, fn, ddir in (("seq_write", "seqwrite", "write"), ("seq_read", "seqread", "read")):
    row(f"{w} bytes/s", fio(fn, ddir)["bw_bytes"], b[w]["bytes_per_second"], 0.10, "MiB/s")
for w, fn, ddir in (("rand_read_4k", "randread", "read"), ("sync_write_4k", "syncwrite", "write")):
    x = fio(fn, ddir)
    l = b[w]["latency_ns"]
    row(f"{w} iops", x["iops"], b[w]["iops"], 0.10, "")
    row(f"{w} mean", x["clat_ns"]["mean"], l["mean"], 0.10, "us")
    row(f"{w} p50", pct(x, "50.000000"), l["p50"], 0.10, "us")
    row(f"{w} p90", pct(x, "90.000000"), l["p90"], None, "us")
    row(f"{w} p99", pct(x, "99.000000"), l["p99"], 0.25, "us")
    row(f"{w} p99.9", pct(x, "99.900000"), l["p999"], None, "us")
for op, fn in (("create", "mdcreate"), ("stat", "mdstat"), ("unlink", "mddelete")):
    x = fio(fn, "read")
    l = b["metadata"][op]["latency_ns"]
    row(f"{op} p50", pct(x, "50.000000"), l["p50"], 0.10, "us")
    row(f"{op} p99", pct(x, "99.000000"), l["p99"], 0.25, "us")
    row(f"{op} ops/s", x["iops"], b["metadata"][op]["per_second"], None, "")
def fmt(v, unit):
    if unit == "MiB/s":
        return f"{v / 2**20:.1f} MiB/s"
    if unit == "us":
        return f"{v / 1000:.1f} µs"
    return f"{v:.0f}"
print("| figure | fio | studio-probe | ratio | target | within |")
print("|---|---:|---:|---:|---|---|")
within = total = 0
for name, f, s, tol, unit in rows:
    ratio = s / f if f else float("nan")
    if tol is None:
        verdict, target = "", "(info)"
    else:
        total += 1
        ok = abs(ratio - 1) <= tol
        within += ok
        verdict, target = ("yes" if ok else "**no**"), f"±{tol:.0%}"
    print(f"| {name} | {fmt(f, unit)} | {fmt(s, unit)} | {ratio:.2f} | {target} | {verdict} |")
print(f"\n{within} of {total} targeted figures within target; studio-probe direct_io="
      f"{b['direct_io']}, file {b['file_written_bytes'] >> 20} MiB, elapsed "
      f"{b['elapsed_ns'] / 1e9:.2f} s of {b['budget_ns'] / 1e9:.0f} s")
PY
