#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The generated bash completion offers exactly the long options --help lists,
# the environment ids of --list after --expect and the formats after --format,
# comma lists after -o and --expect, nothing after an option that takes a
# number, and directories only after --sysroot.
# usage: check-completion.sh PROBE COMPLETION
set -euo pipefail
probe=$1 comp=$2
fail=0

bash -n "$comp"
if command -v shellcheck >/dev/null; then
    shellcheck -s bash "$comp"
fi
# shellcheck disable=SC1090
source "$comp"
complete_words() { # words... (the last is the one being completed)
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    _studio_probe 2>/dev/null || true
    printf '%s\n' "${COMPREPLY[@]}" | sed 's/=$//' | sort
}

want=$("$probe" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
got=$(complete_words studio-probe -- | sort -u)
if [ "$want" != "$got" ]; then
    echo "long options differ (--help vs completion):"; diff <(echo "$want") <(echo "$got") || true
    fail=1
fi
want=$("$probe" --list | sort)
got=$(complete_words studio-probe --expect '')
[ "$want" = "$got" ] || { echo "--expect completes to: $got"; fail=1; }
got=$(complete_words studio-probe --format = 'pro')
[ "$got" = prometheus ] || { echo "--format=pro completes to: $got"; fail=1; }
# Every offered format is one the parser accepts, and there are four.
formats=$(complete_words studio-probe --format '')
[ "$(wc -l <<<"$formats")" = 4 ] || { echo "--format completes to: $formats"; fail=1; }
for f in $formats; do
    "$probe" --format="$f" --version >/dev/null || { echo "--format=$f is rejected"; fail=1; }
done
# -o and --expect take comma lists: the word after the last comma is completed.
got=$(complete_words studio-probe -o 'TARGET,SO')
[ "$got" = TARGET,SOURCE ] || { echo "-o TARGET,SO completes to: $got"; fail=1; }
got=$(complete_words studio-probe -no 'STOR')
[ "$got" = STORAGE ] || { echo "-no STOR completes to: $got"; fail=1; }
got=$(complete_words studio-probe --expect = 'studio-new,studio-c')
[ "$got" = studio-new,studio-classic ] || { echo "--expect=studio-new,studio-c: $got"; fail=1; }
cols=$(complete_words studio-probe --output '')
want=$("$probe" --help | sed -n '/^Columns/,/^$/p' | awk 'NF && $1 ~ /^[A-Z]/ && $1 != "Columns" {print $1}' | sort)
[ "$cols" = "$want" ] || { echo "-o completes to: $cols, --help lists: $want"; fail=1; }
for c in $cols; do
    "$probe" -o "$c" --version >/dev/null || { echo "-o $c is rejected"; fail=1; }
done
got=$(complete_words studio-probe --color '')
[ "$(echo $got)" = "always auto never" ] || { echo "--color completes to: $got"; fail=1; }
# No file names after an option that takes a number, directories after --sysroot.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/a dir" && touch "$work/a file"
cd "$work"
for o in --timeout --bench-time --bench-size; do
    got=$(complete_words studio-probe "$o" '')
    [ -z "$got" ] || { echo "$o completes to: $got"; fail=1; }
done
got=$(complete_words studio-probe --sysroot 'a')
[ "$got" = "a dir" ] || { echo "--sysroot a completes to: $got"; fail=1; }
got=$(complete_words studio-probe --output-file 'a' | tr '\n' '|')
[ "$got" = "a dir|a file|" ] || { echo "--output-file a completes to: $got"; fail=1; }
[ $fail = 0 ] && echo "completion matches --help and --list"
exit $fail
