#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole test suite, as the README documents it and .ci/run runs it:
# installs what it needs, builds, and runs every meson suite.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "${STUDIO_PROBE_NO_INSTALL:-0}" != 1 ]; then
    bash tests/install-deps.sh packaging/build-deps.txt tests/test-deps.txt
fi
export LC_ALL=C.UTF-8 TZ=UTC
B=${BUILD_DIR:-build-test}

rc=0 total_ok=0 total_fail=0 total_skip=0
print_failed_logs() { # meson's testlog.txt: the last 60 lines of each failed test's entry
    [ -f "$1" ] || return 0
    awk 'function flush(  i) {
             if (bad) { print "---- log of a failed test ----"
                        for (i = (n > 60 ? n - 60 : 0); i < n; i++) print buf[i % 60] }
             n = 0; bad = 0 }
         /^=+ [0-9]+\/[0-9]+ =+$/ { flush() }
         /^result: / && !/exit status (0|77)$/ { bad = 1 }
         { buf[n++ % 60] = $0 }
         END { flush() }' "$1"
}
run_suite_set() { # name, build dir, meson test args...
    local name=$1 dir=$2 st=0
    shift 2
    meson test -C "$dir" --print-errorlogs "$@" >"$dir/run-all.log" 2>&1 || st=1
    local ok fail skip
    ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$dir/run-all.log" | tail -1)
    fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$dir/run-all.log" | tail -1)
    skip=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$dir/run-all.log" | tail -1)
    to=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$dir/run-all.log" | tail -1)
    fail=$(( ${fail:-0} + ${to:-0} ))
    if [ "$st" != 0 ]; then
        rc=1
        [ "$fail" -gt 0 ] || fail=1 # meson itself failed
        grep -E '^ *[0-9]+/[0-9]+ .*(FAIL|TIMEOUT|ERROR)' "$dir/run-all.log" || tail -n 40 "$dir/run-all.log"
        # What each failed test printed, so a CI log alone says why.
        print_failed_logs "$dir/meson-logs/testlog.txt"
    fi
    total_ok=$((total_ok + ${ok:-0})) total_fail=$((total_fail + fail)) total_skip=$((total_skip + ${skip:-0}))
    echo "$name: ${ok:-0} passed, $fail failed, ${skip:-0} skipped"
}

meson setup "$B" --wipe -Dtests=enabled >/dev/null 2>&1 || meson setup "$B" -Dtests=enabled >/dev/null
meson compile -C "$B" >/dev/null
run_suite_set plain "$B"

# Issue 4: the whole suite again under ASan + UBSan (leaks included, any UB fatal).
A=$B-asan
# shellcheck disable=SC2054 # meson's list syntax, one argument
san=(-Dtests=enabled -Db_sanitize=address,undefined -Db_lundef=false)
meson setup "$A" --wipe "${san[@]}" >/dev/null 2>&1 || meson setup "$A" "${san[@]}" >/dev/null
meson compile -C "$A" >/dev/null
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_suite_set asan-ubsan "$A"

# valgrind memcheck on the plain build (the 'valgrind' setup of meson.build;
# it leaves out suites that time, trace or mount).
if command -v valgrind >/dev/null; then
    run_suite_set valgrind "$B" --setup=valgrind --suite unit --suite golden --suite cli \
        --suite hostile
else
    echo "valgrind: not installed, skipped"
fi

# libFuzzer: the seed corpus as a regression check, then a short run of each
# harness (FUZZ_SECONDS, default 30; longer runs: tests/robustness/README-reliability.md).
F=$B-fuzz
if command -v clang >/dev/null &&
    echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
    clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then
    fz=(-Dtests=enabled -Dfuzzing=true -Db_lundef=false)
    CC=clang meson setup "$F" --wipe "${fz[@]}" >/dev/null 2>&1 || CC=clang meson setup "$F" "${fz[@]}" >/dev/null
    meson compile -C "$F" >/dev/null
    run_suite_set fuzz-seeds "$F" --suite fuzz
    bash tests/fuzz/run-fuzz.sh "$F" "${FUZZ_SECONDS:-30}" || rc=1
else
    echo "fuzz: clang with libFuzzer (clang, libclang-rt-14-dev) not found, skipped"
fi

# Issue 12: the static binaries (musl; x86_64, and aarch64 run under
# qemu-user), built by packaging/static/build.sh and compared with the dynamic
# build: no interpreter, no NEEDED, an empty chroot, live reports and every
# fixture replay byte for byte. The libraries are kept in $B-static/work for
# the next run and for the RPM below.
# Absolute: the RPM build below runs build.sh from its own directory, and a
# relative work directory there would build the libraries anew, elsewhere.
S=$(realpath -m "$B-static")
if [ "${STUDIO_PROBE_NO_STATIC:-0}" != 1 ]; then
    if bash packaging/static/build.sh "$S" x86_64 aarch64 >"$B/static-build.log" 2>&1; then
        grep -E '^== .*(bytes|reusing)' "$B/static-build.log" || true
        st=0
        python3 tests/static/check-static.py "$B/src/studio-probe" "$S" "$top" \
            >"$B/static-check.log" 2>&1 || st=1
        grep -E -A 15 '^FAIL ' "$B/static-check.log" | head -n 80 || true
        line=$(grep -E '^static: [0-9]+ passed' "$B/static-check.log" | tail -1)
        [ -n "$line" ] || { tail -n 20 "$B/static-check.log"; line="static: 0 passed, 1 failed, 0 skipped"; st=1; }
        read -r _ ok _ fail _ skip _ <<<"${line//,/}"
        [ "$st" = 0 ] || { rc=1; [ "$fail" -gt 0 ] || fail=1; }
        total_ok=$((total_ok + ok)) total_fail=$((total_fail + fail)) total_skip=$((total_skip + skip))
        echo "static: $ok passed, $fail failed, $skip skipped"
    else
        tail -n 40 "$B/static-build.log"
        rc=1 total_fail=$((total_fail + 1))
        echo "static: 0 passed, 1 failed"
    fi
    export STUDIO_PROBE_STATIC_WORK=$S/work STUDIO_PROBE_STATIC_DIR=$S \
        STUDIO_PROBE_RPM_ARCHES="x86_64 aarch64"
fi

# Issue 5: the .deb (built, installed, run) and the RPM, from this tree.
if [ "${STUDIO_PROBE_NO_PACKAGES:-0}" != 1 ]; then
    if bash packaging/build-packages.sh "$B/packages" >"$B/packages.log" 2>&1; then
        tail -n 3 "$B/packages.log"
        total_ok=$((total_ok + 1))
        echo "packages: 1 passed, 0 failed"
    else
        tail -n 40 "$B/packages.log"
        rc=1 total_fail=$((total_fail + 1))
        echo "packages: 0 passed, 1 failed"
    fi
fi

echo "all: $total_ok passed, $total_fail failed, $total_skip skipped"
exit $rc
