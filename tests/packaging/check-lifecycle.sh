#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The lifecycle recipes: shellcheck-clean, under SageMaker's 16,384-character
# limit, and run against fixture sysroots with the install step stubbed
# (STUDIO_PROBE_BIN): they log one JSON report line and one valid EMF line,
# and exit 0 even when the probe is missing, fails or hangs.
# usage: check-lifecycle.sh PROBE SOURCE_ROOT
set -euo pipefail
probe=$(realpath "$1") top=$2
dir=$top/packaging/lifecycle
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A PATH with only what a recipe needs, so an installed studio-probe
# (/usr/bin, after packaging/build-packages.sh) cannot mask the install step.
mkdir -p "$tmp/bin"
for c in bash sh env timeout id mktemp rm tr sleep mkdir chmod mv cat date; do
    ln -s "$(command -v "$c")" "$tmp/bin/$c"
done

validate() { # recipe stdout file, expected environment
    python3 - "$1" "$2" "$top/tests/packaging" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[3])
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
docs = [json.loads(l) for l in lines]
reports = [d for d in docs if "schema_version" in d]
emf = [l for l, d in zip(lines, docs) if "_aws" in d]
assert len(reports) == 1, f"{len(reports)} report lines in {lines}"
assert reports[0]["environment"] == sys.argv[2], reports[0]["environment"]
assert len(emf) == 1, f"{len(emf)} EMF lines"
PY
}

emf_check() { # stdout file: its EMF lines follow the format's rules
    python3 - "$1" "$top/tests/packaging" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from formatcheck import check_emf, errors
for line in open(sys.argv[1], encoding="utf-8"):
    if '"_aws"' in line:
        check_emf("lifecycle", line.encode())
print(*errors, sep="\n") if errors else None
sys.exit(1 if errors else 0)
PY
}

run_recipe() { # name recipe expected-rc-of-recipe env...
    local name=$1 recipe=$2 start end
    shift 2
    start=$(date +%s)
    if ! env -i PATH="$tmp/bin" HOME="$tmp/home" "$@" bash "$recipe" \
        >"$tmp/out" 2>"$tmp/err"; then
        echo "$name: exited non-zero (would block the app start)"; cat "$tmp/err"; fail=1
    fi
    end=$(date +%s)
    if [ $((end - start)) -gt 60 ]; then echo "$name: took $((end - start)) s"; fail=1; fi
}

for recipe in "$dir"/studio-jupyterlab-codeeditor.sh "$dir"/studio-classic.sh; do
    base=$(basename "$recipe")
    size=$(wc -c <"$recipe")
    [ "$size" -lt 16384 ] || { echo "$base: $size characters, the limit is 16,384"; fail=1; }
    if command -v shellcheck >/dev/null; then
        shellcheck "$recipe" || { echo "$base: shellcheck"; fail=1; }
    else
        echo "shellcheck not installed: not checked (tests/test-deps.txt lists it)"
    fi
    head -c 200 "$recipe" | grep -q 'SPDX-License-Identifier' || { echo "$base: no SPDX"; fail=1; }
    grep -q '^set -eu' "$recipe" || { echo "$base: no set -eu"; fail=1; }

    case $base in
    studio-classic.sh) fixture=classic-jupyterserver env=studio-classic ;;
    *) fixture=new-jupyterlab-private env=studio-new ;;
    esac
    root=$top/tests/fixtures/$fixture/root
    if [ ! -d "$root" ]; then
        echo "$base: fixture $fixture missing"; fail=1; continue
    fi

    # 1. The normal run, against the fixture, install stubbed.
    run_recipe "$base" "$recipe" STUDIO_PROBE_BIN="$probe" STUDIO_PROBE_ARGS="--sysroot $root" \
        STUDIO_PROBE_PROM_FILE="$tmp/probe.prom"
    validate "$tmp/out" "$env" || { echo "$base: bad output:"; cat "$tmp/out"; fail=1; }
    emf_check "$tmp/out" || fail=1
    grep -q "environment $env, as expected" "$tmp/err" || { echo "$base: no check line"; cat "$tmp/err"; fail=1; }
    grep -q '^studio_probe_info{' "$tmp/probe.prom" || { echo "$base: no prometheus file"; fail=1; }

    # 2. The wrong environment is a logged warning, not a failure.
    run_recipe "$base/mismatch" "$recipe" STUDIO_PROBE_BIN="$probe" \
        STUDIO_PROBE_ARGS="--sysroot $root" STUDIO_PROBE_EXPECT=training-job
    grep -q "WARNING: environment is $env, expected training-job" "$tmp/err" ||
        { echo "$base/mismatch: no warning"; cat "$tmp/err"; fail=1; }

    # 3. The probe fails (unreadable sysroot): still exit 0.
    run_recipe "$base/failure" "$recipe" STUDIO_PROBE_BIN="$probe" \
        STUDIO_PROBE_ARGS="--sysroot $tmp/does-not-exist"
    grep -q 'WARNING: the check failed (exit 3)' "$tmp/err" ||
        { echo "$base/failure: no warning"; cat "$tmp/err"; fail=1; }

    # 4. Not installed and no source configured: skipped, exit 0.
    run_recipe "$base/absent" "$recipe"
    grep -q 'not installed and no source is set' "$tmp/err" ||
        { echo "$base/absent: no message"; cat "$tmp/err"; fail=1; }

    # 5. A probe that hangs is cut off by the step timeout.
    printf '#!/bin/sh\nexec sleep 300\n' >"$tmp/hang"
    chmod +x "$tmp/hang"
    start=$(date +%s)
    run_recipe "$base/hang" "$recipe" STUDIO_PROBE_BIN="$tmp/hang" STUDIO_PROBE_STEP_TIMEOUT=1
    [ $(($(date +%s) - start)) -lt 30 ] || { echo "$base/hang: not bounded"; fail=1; }

    # 6. Install from a local .deb path is attempted through apt-get (stubbed).
    mkdir -p "$tmp/fakebin"
    printf '#!/bin/sh\necho "apt-get $*" >>"%s/apt.log"\nexit 100\n' "$tmp" >"$tmp/fakebin/apt-get"
    printf '#!/bin/sh\n"$@"\n' >"$tmp/fakebin/sudo"
    chmod +x "$tmp/fakebin/apt-get" "$tmp/fakebin/sudo"
    rm -f "$tmp/apt.log"
    if ! env -i PATH="$tmp/fakebin:$tmp/bin" HOME="$tmp/home" STUDIO_PROBE_DEB=/x/sp.deb \
        bash "$recipe" >"$tmp/out" 2>"$tmp/err"; then
        echo "$base/deb: exited non-zero"; fail=1
    fi
    grep -q 'apt-get install .* /x/sp.deb' "$tmp/apt.log" 2>/dev/null ||
        { echo "$base/deb: apt-get not called with the .deb"; cat "$tmp/err"; fail=1; }
done
[ $fail = 0 ] && echo "lifecycle recipes: shellcheck, size, 6 scenarios each: ok"
exit $fail
