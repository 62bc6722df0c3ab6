#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the workloads of `studio-probe --bench` with fio (command lines from
# ../shared/bench-method.md §1.6, clocksource=clock_gettime like ours) and
# studio-probe itself on the same directory, back to back, and prints every
# figure side by side with the ratio and the issue's target (throughput and
# p50 within ±10% of fio, p99 within ±25%).
#
# Rounds are interleaved A-B, B-A, A-B... and medians compared: on a virtual
# disk the figures drift by up to 2x within a minute (host caching, neighbours)
# and the metadata figures depend on what was just deleted nearby (ext4 skips
# recently freed inodes when it has no journal), so whichever tool runs second
# would otherwise always inherit the other's state. fio's own spread across
# rounds is printed as the noise floor.
#
# usage: tests/bench/fio-compare.sh [STUDIO_PROBE] [DIR]
#   env: SIZE_MIB (256), RUNTIME (fio's time-based runs, s; 5), RAMP (1),
#        BENCH_TIME (studio-probe --bench-time; 10), ROUNDS (3),
#        PASSFS (path to the passfs binary: run everything on a pass-through
#        FUSE mount over DIR.backing with no attribute cache, where each stat
#        is a round trip, as on NFS with actimeo=0; as root), PASSFS_DELAY_US
#        (added to every passfs request; README-bench.md)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
SP=${1:-$top/build/src/studio-probe}
DIR=${2:-/var/tmp/studio-probe-fio-compare}
N=${SIZE_MIB:-256}
RUNTIME=${RUNTIME:-5}
RAMP=${RAMP:-1}
BT=${BENCH_TIME:-10}
ROUNDS=${ROUNDS:-3}
command -v fio >/dev/null || { echo "fio is not installed (apt-get install fio)" >&2; exit 77; }
[ -x "$SP" ] || { echo "no studio-probe at $SP" >&2; exit 2; }

mkdir -p "$DIR"
OUT=$(mktemp -d)
PASSFS_PID=
cleanup() {
        rm -rf "$OUT" "$DIR/fio-seq.dat" "$DIR/fio-private"
        if [ -n "$PASSFS_PID" ]; then
                kill "$PASSFS_PID" 2>/dev/null || true
                wait "$PASSFS_PID" 2>/dev/null || true
                umount "$DIR" 2>/dev/null || true
                rmdir "$DIR.backing" 2>/dev/null || true
        fi
}
trap cleanup EXIT
if [ -n "${PASSFS:-}" ]; then
        mkdir -p "$DIR.backing"
        coproc PF { exec "$PASSFS" "$DIR.backing" "$DIR"; }
        PASSFS_PID=$PF_PID
        ready=
        read -r -t 10 ready <&"${PF[0]}" || true
        if [ "$ready" != ready ]; then
                echo "passfs did not mount $DIR" >&2
                exit 1
        fi
fi
COMMON=(--directory="$DIR" --ioengine=psync --iodepth=1 --numjobs=1 --clocksource=clock_gettime
        --output-format=json)
# At the depth of studio-probe's DIR/studio-probe-bench.XXXX/md: both stat by
# absolute path, so both walk as many components. $filenum is fio's, not ours.
# shellcheck disable=SC2016
MD=(--directory="$DIR/fio-private/md" --filename_format='f.$filenum' --nrfiles=1000 --filesize=4k
    --openfiles=1 --clocksource=clock_gettime --output-format=json)

run_fio() {
        local o=$1
        rm -f "$DIR/fio-seq.dat"
        fio --name=seqwrite "${COMMON[@]}" --filename=fio-seq.dat --rw=write --bs=1M --size="${N}M" \
            --direct=1 --fallocate=none --end_fsync=1 --output="$o/seqwrite.json" >/dev/null
        fio --name=seqread "${COMMON[@]}" --filename=fio-seq.dat --rw=read --bs=1M --size="${N}M" \
            --direct=1 --output="$o/seqread.json" >/dev/null
        fio --name=randread4k "${COMMON[@]}" --filename=fio-seq.dat --size="${N}M" --rw=randread \
            --bs=4k --direct=1 --randrepeat=0 --norandommap --time_based --runtime="$RUNTIME" \
            --ramp_time="$RAMP" --output="$o/randread.json" >/dev/null
        fio --name=randwrite4k_dsync "${COMMON[@]}" --filename=fio-seq.dat --size="${N}M" \
            --overwrite=1 --rw=randwrite --bs=4k --direct=0 --sync=dsync --randrepeat=0 \
            --norandommap --time_based --runtime="$RUNTIME" --ramp_time="$RAMP" \
            --output="$o/syncwrite.json" >/dev/null
        rm -f "$DIR/fio-seq.dat"
        rm -rf "$DIR/fio-private"
        mkdir -p "$DIR/fio-private/md"
        fio --name=mdcreate --ioengine=filecreate --create_on_open=1 --fallocate=none "${MD[@]}" \
            --output="$o/mdcreate.json" >/dev/null
        fio --name=mdstat --ioengine=filestat --stat_type=lstat "${MD[@]}" \
            --output="$o/mdstat.json" >/dev/null
        fio --name=mddelete --ioengine=filedelete "${MD[@]}" --output="$o/mddelete.json" >/dev/null
        rm -rf "$DIR/fio-private"
}

run_sp() {
        "$SP" --bench --json --bench-time="$BT" --bench-size="${N}M" --path "$DIR" >"$1/sp.json"
}

echo "fio $(fio --version) vs $("$SP" --version) on $DIR ($(stat -f -c %T "$DIR")${PASSFS:+, passfs over $DIR.backing}), ${N} MiB," \
     "$ROUNDS interleaved rounds" >&2
for ((i = 1; i <= ROUNDS; i++)); do
        mkdir -p "$OUT/r$i"
        if ((i % 2)); then
                run_fio "$OUT/r$i"
                run_sp "$OUT/r$i"
        else
                run_sp "$OUT/r$i"
                run_fio "$OUT/r$i"
        fi
done

python3 - "$OUT" "$ROUNDS" <<'PY'
import json, os, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def load(r, name):
    with open(os.path.join(out, f"r{r}", name + ".json")) as f:
        t = f.read()
    return json.loads(t[t.index("{"):])   # fio may print warnings first
def pct(x, p):
    return x["clat_ns"]["percentile"][p]
def figures(r):
    """(name, fio value, studio-probe value, tolerance or None, unit) for round r"""
    b = load(r, "sp")["benchmark"]
    fio = lambda name, ddir: load(r, name)["jobs"][0][ddir]
    rows = []
    for w, fn, ddir in (("seq_write", "seqwrite", "write"), ("seq_read", "seqread", "read")):
        x = fio(fn, ddir)
        rows.append((f"{w} bytes/s", x["bw_bytes"], b[w]["bytes_per_second"], 0.10, "MiB/s"))
        rows.append((f"{w} p50 per 1 MiB call", pct(x, "50.000000"), b[w]["latency_ns"]["p50"],
                     None, "us"))
    for w, fn, ddir in (("rand_read_4k", "randread", "read"),
                        ("sync_write_4k", "syncwrite", "write")):
        x = fio(fn, ddir)
        l = b[w]["latency_ns"]
        rows.append((f"{w} iops", x["iops"], b[w]["iops"], 0.10, ""))
        rows.append((f"{w} mean", x["clat_ns"]["mean"], l["mean"], 0.10, "us"))
        rows.append((f"{w} p50", pct(x, "50.000000"), l["p50"], 0.10, "us"))
        rows.append((f"{w} p90", pct(x, "90.000000"), l["p90"], None, "us"))
        rows.append((f"{w} p99", pct(x, "99.000000"), l["p99"], 0.25, "us"))
        rows.append((f"{w} p99.9", pct(x, "99.900000"), l["p999"], None, "us"))
    for op, fn in (("create", "mdcreate"), ("stat", "mdstat"), ("unlink", "mddelete")):
        x = fio(fn, "read")
        l = b["metadata"][op]["latency_ns"]
        rows.append((f"{op} p50", pct(x, "50.000000"), l["p50"], 0.10, "us"))
        rows.append((f"{op} p99", pct(x, "99.000000"), l["p99"], 0.25, "us"))
        rows.append((f"{op} ops/s", x["iops"], b["metadata"][op]["per_second"], None, ""))
    return rows, b
per_round = [figures(r) for r in range(1, rounds + 1)]
def fmt(v, unit):
    if unit == "MiB/s":
        return f"{v / 2**20:.1f} MiB/s"
    if unit == "us":
        return f"{v / 1000:.1f} µs"
    return f"{v:.0f}"
print(f"| figure (median of {rounds}) | fio | studio-probe | ratio | target | within "
      "| fio min–max | ratio per round |")
print("|---|---:|---:|---:|---|---|---|---|")
within = total = 0
for k, (name, _, _, tol, unit) in enumerate(per_round[0][0]):
    fv = [r[0][k][1] for r in per_round]
    sv = [r[0][k][2] for r in per_round]
    # null: too few samples for that percentile (fewer than 100 for a p99)
    if None in sv:
        print(f"| {name} | {fmt(statistics.median(fv), unit)} | — | | "
              f"{'(info)' if tol is None else f'±{tol:.0%}'} | not measured | | |")
        total += tol is not None
        continue
    f, s = statistics.median(fv), statistics.median(sv)
    ratio = s / f if f else float("nan")
    if tol is None:
        verdict, target = "", "(info)"
    else:
        total += 1
        ok = abs(ratio - 1) <= tol
        within += ok
        verdict, target = ("yes" if ok else "**no**"), f"±{tol:.0%}"
    rr = " ".join(f"{b / a:.2f}" if a else "nan" for a, b in zip(fv, sv))
    print(f"| {name} | {fmt(f, unit)} | {fmt(s, unit)} | {ratio:.2f} | {target} | {verdict} "
          f"| {fmt(min(fv), unit)}–{fmt(max(fv), unit)} | {rr} |")
b = per_round[-1][1]
print(f"\n{within} of {total} targeted figures within target; studio-probe direct_io="
      f"{b['direct_io']}, file {b['file_written_bytes'] >> 20} MiB, elapsed "
      + ", ".join(f"{r[1]['elapsed_ns'] / 1e9:.2f}" for r in per_round)
      + f" s of {b['budget_ns'] / 1e9:.0f} s; metadata files "
      + ", ".join(str((r[1]["metadata"] or {}).get("files")) for r in per_round)
      + " (fio: 1000)")
PY
