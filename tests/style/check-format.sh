#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every C file of the tree is as the committed .clang-format writes it.
# Usage: check-format.sh SOURCE_ROOT. Fix with:
#   clang-format -i $(git ls-files '*.c' '*.h')
set -euo pipefail
cd "$1"
cf=${CLANG_FORMAT:-clang-format}
if ! command -v "$cf" >/dev/null; then
    echo "SKIP: $cf is not installed (Debian: apt-get install clang-format)"
    exit 77
fi
# Other clang-format releases wrap some lines differently; the tree is kept
# in the format of Debian 12's, which .ci/run installs.
want=14
have=$("$cf" --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
if [ "$have" != "$want" ]; then
    echo "SKIP: $cf is version ${have:-unknown}; the tree is formatted with version $want"
    exit 77
fi
if [ -e .git ]; then
    mapfile -t files < <(git ls-files '*.c' '*.h')
else
    mapfile -t files < <(find src include tests packaging -name '*.[ch]' | sort)
fi
[ "${#files[@]}" -gt 0 ] || { echo "no C files found under $PWD"; exit 1; }
# One run for all files; its warnings name each file and line.
if out=$("$cf" --dry-run --Werror "${files[@]}" 2>&1); then
    echo "ok: ${#files[@]} files formatted as .clang-format says"
    exit 0
fi
printf '%s\n' "$out" | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' |
    sort -u | sed 's/^/not formatted (clang-format -i): /'
printf '%s\n' "$out" | head -n 40
exit 1
