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

rc=0
run_suite_set() { # name, build dir, meson test args...
    local name=$1 dir=$2
    shift 2
    if meson test -C "$dir" --print-errorlogs "$@" >"$dir/run-all.log" 2>&1; then :; else rc=1; fi
    tail -n 12 "$dir/run-all.log"
    local ok fail skip
    ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$dir/run-all.log" | tail -1)
    fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$dir/run-all.log" | tail -1)
    skip=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$dir/run-all.log" | tail -1)
    if [ "${rc}" != 0 ]; then grep -E '^ *[0-9]+/[0-9]+ .*(FAIL|TIMEOUT|ERROR)' "$dir/run-all.log" || true; fi
    echo "$name: ${ok:-0} passed, ${fail:-0} failed, ${skip:-0} skipped"
}

meson setup "$B" --wipe -Dtests=enabled >/dev/null 2>&1 || meson setup "$B" -Dtests=enabled >/dev/null
meson compile -C "$B" >/dev/null
run_suite_set plain "$B"

exit $rc
