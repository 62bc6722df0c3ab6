#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 2's performance target, measured side by side in one run: a live
# detection costs no more wall time than `findmnt --target PATH --json` on the
# same path, and peak RSS stays under 4 MiB.
#
#   tests/perf/compare-findmnt.sh [STUDIO_PROBE] [PATH...]
#
# Each row is measured as root and, when run as root, again as uid 1000 (the
# sagemaker-user of Studio spaces, for whom /dev nodes are not readable).
# Runs alternate between the two tools (tests/perf/ab.py), so drift of the
# machine falls on both alike. Each row is measured in every locale of
# LOCALES (default "C C.UTF-8 unset": findmnt loads the locale, studio-probe
# does not), and gives each tool's system calls (strace -c -f, when strace is
# installed). Needs /usr/bin/python3, bc and GNU time; build studio-probe
# with --buildtype=release for figures worth quoting.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:-build-release/src/studio-probe}")
shift || true
paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(/tmp /home)
runs=${RUNS:-2000}
read -r -a locales <<<"${LOCALES:-C C.UTF-8 unset}"
findmnt=$(command -v findmnt)
users=(root)
[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && users+=(uid1000)

as() { # user, command... (in the locale $loc)
    local u=$1 env=(env -u LANG -u LC_ALL -u LANGUAGE)
    shift
    [ "$loc" = unset ] || env+=(LANG="$loc")
    if [ "$u" = uid1000 ]; then
        setpriv --reuid=1000 --regid=1000 --clear-groups "${env[@]}" "$@"
    else
        "${env[@]}" "$@"
    fi
}
syscalls() { # user, command...: strace -c -f's total of calls
    local u=$1
    shift
    command -v strace >/dev/null || {
        echo n/a
        return
    }
    # A file the other user may write: strace as uid 1000 cannot open a
    # root-owned /dev/stdout.
    local t
    t=$(mktemp)
    chmod 666 "$t"
    as "$u" strace -c -f -o "$t" "$@" >/dev/null 2>&1 || true
    awk '$NF == "total" { print $(NF - 2) }' "$t"
    rm -f "$t"
}
rss() { # user, command...: peak RSS in KiB over 20 runs
    local u=$1 max=0 v
    shift
    for _ in $(seq 20); do
        v=$(as "$u" /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1)
        [ "$v" -gt "$max" ] && max=$v
    done
    echo "$max"
}

printf '| path | as | LANG | studio-probe mean (median) | findmnt mean (median) | ratio | studio-probe max RSS | findmnt max RSS | studio-probe syscalls | findmnt syscalls |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
for p in "${paths[@]}"; do
    for u in "${users[@]}"; do
        for loc in "${locales[@]}"; do
            line=$(as "$u" /usr/bin/python3 "$here/ab.py" "$bin --path $p --json" \
                "$findmnt --target $p --json" "$runs")
            r1=$(rss "$u" "$bin" --path "$p" --json)
            r2=$(rss "$u" "$findmnt" --target "$p" --json)
            s1=$(syscalls "$u" "$bin" --path "$p" --json)
            s2=$(syscalls "$u" "$findmnt" --target "$p" --json)
            # ab.py: "A <mean> ms (median <m>)  B <mean> ms (median <m>)  A/B <ratio>"
            read -r _ am _ _ amed _ bm _ _ bmed _ ratio <<<"$(tr -d ')' <<<"$line")"
            printf '| %s | %s | %s | %s ms (%s) | %s ms (%s) | %s | %.2f MiB | %.2f MiB | %s | %s |\n' \
                "$p" "$u" "$loc" "$am" "$amed" "$bm" "$bmed" "$ratio" \
                "$(echo "$r1/1024" | bc -l)" "$(echo "$r2/1024" | bc -l)" "$s1" "$s2"
        done
    done
done
