#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The generated bash completion offers exactly the long options --help lists,
# the environment ids of --list after --expect and the formats after --format.
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
[ $fail = 0 ] && echo "completion matches --help and --list"
exit $fail
