#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# exe_wrapper of `meson test --setup=valgrind` (top-level meson.build).
# Usage: valgrind-wrap.sh VALGRIND TEST [ARGS...]
#
# A compiled test (cmocka) runs under memcheck directly. A script test
# (python3, bash) runs as it is, since memcheck on the interpreter says nothing
# about us; every argument that is the studio-probe binary is swapped for a
# shim that runs it under memcheck. The shim logs to files (memcheck's stderr
# would break tests that compare stderr, and a stuck forked worker must not
# hold the caller's stderr open), then fails with 99 and prints the logs when
# any process (forked fsquery workers included) had an error or a definite leak.
set -u
vg=$1
shift
# valgrind aborts on a clone() that is neither a thread nor a fork, so the
# tool forks its workers under it whatever this asks for.
if [ "${STUDIO_PROBE_WORKER-}" = light ]; then
    echo "light workers cannot run under valgrind: only forked ones are tested"
    exit 77
fi
opts=(--error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
      --show-leak-kinds=definite --track-fds=no --num-callers=30)

case "$(basename "$1")" in
python3* | python | bash | sh | dash) ;;
*) exec "$vg" -q "${opts[@]}" "$@" ;;
esac

shimdir=$(mktemp -d "${TMPDIR:-/tmp}/studio-probe-vg.XXXXXX")
trap 'rm -rf "$shimdir"' EXIT
args=()
for a in "$@"; do
    if [ "$(basename -- "$a")" = studio-probe ] && [ -f "$a" ] && [ -x "$a" ]; then
        real=$(cd "$(dirname -- "$a")" && pwd)/studio-probe
        cat >"$shimdir/studio-probe" <<SHIM
#!/usr/bin/env bash
logs=\$(mktemp -d "\${TMPDIR:-/tmp}/studio-probe-vglog.XXXXXX")
"$vg" ${opts[*]} --log-file="\$logs/vg.%p" "$real" "\$@"
rc=\$?
# Forked workers are killed once they have answered, before memcheck's
# summary: their errors are found by what memcheck prints as they happen.
if grep -qsE 'ERROR SUMMARY: [1-9]|Invalid (read|write|free)|uninitialised|Conditional jump|Syscall param|Mismatched free|overlap|definitely lost in' "\$logs"/vg.* ||
   [ "\$rc" = 99 ]; then
    cat "\$logs"/vg.* >&2
    rc=99
fi
rm -rf "\$logs"
exit \$rc
SHIM
        chmod +x "$shimdir/studio-probe"
        a=$shimdir/studio-probe
    fi
    args+=("$a")
done
"${args[@]}"
