#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# studio-probe(1) renders without a single groff warning, and documents every
# long option, exit code and column --help lists, and every top-level key of
# the JSON report under the name the report writes (the schema's).
# usage: check-man.sh PROBE MANPAGE SCHEMA
set -euo pipefail
probe=$1 page=$2 schema=$3
command -v groff >/dev/null || { echo "SKIP: groff not installed (apt-get install groff-base)"; exit 77; }
export LC_ALL=C.UTF-8 MANWIDTH=100

warn=$(groff -man -Tutf8 -ww -z "$page" 2>&1) || { echo "groff failed: $warn"; exit 1; }
if [ -n "$warn" ]; then
    echo "groff -man -ww warnings:"; echo "$warn"; exit 1
fi
if command -v man >/dev/null; then
    warn=$(man --warnings=w -l "$page" 2>&1 >/dev/null) || { echo "man -l failed: $warn"; exit 1; }
    if [ -n "$warn" ]; then echo "man -l warnings:"; echo "$warn"; exit 1; fi
fi

# Plain text: no overstrike, hyphens as ASCII, no hyphenation at line ends.
text=$(groff -man -Tutf8 -rHY=0 -P-c -P-b -P-u "$page" 2>/dev/null | sed 's/\xe2\x88\x92/-/g; s/\xe2\x80\x90/-/g')
help=$("$probe" --help)

fail=0
mapfile -t longs < <(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u)
[ "${#longs[*]}" -ge 5 ] || { echo "--help lists only ${#longs[*]} long options"; exit 1; }
# Each option is an entry of OPTIONS ("-p, --path=PATH"), not a mere mention.
options=$(sed -n '/^OPTIONS/,/^[A-Z]/p' <<<"$text")
for o in "${longs[@]}"; do
    grep -qE -- "^ +(-[a-zA-Z0-9], )?$o(=| |\$)" <<<"$options" ||
        { echo "OPTIONS lacks an entry for $o"; fail=1; }
done
section=$(sed -n '/^EXIT STATUS/,/^[A-Z]/p' <<<"$text")
mapfile -t codes < <(sed -n '/^Exit status:/,/^$/p' <<<"$help" | awk 'NF && $1 ~ /^[0-9]+$/ {print $1}')
[ "${#codes[*]}" -ge 3 ] || { echo "--help lists only ${#codes[*]} exit codes"; exit 1; }
for c in "${codes[@]}"; do
    grep -qE "^ +$c( |$)" <<<"$section" || { echo "EXIT STATUS lacks $c"; fail=1; }
done
for s in NAME SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' 'JSON FIELDS' EXAMPLES ENVIRONMENT FILES 'SEE ALSO'; do
    grep -q "^$s\$" <<<"$text" || { echo "man page lacks section $s"; fail=1; }
done
grep -q NO_COLOR <<<"$text" || { echo "ENVIRONMENT lacks NO_COLOR"; fail=1; }
# Every environment id and format the probe knows is in the page.
for e in $("$probe" --list); do
    grep -qF -- "$e" <<<"$text" || { echo "man page lacks environment id $e"; fail=1; }
done
# Every column of -o, as --help lists them, is an entry of COLUMNS.
columns=$(sed -n '/^COLUMNS/,/^[A-Z]/p' <<<"$text")
mapfile -t cols < <(sed -n '/^Columns/,/^$/p' <<<"$help" | awk 'NF && $1 ~ /^[A-Z]/ && $1 != "Columns" {print $1}')
[ "${#cols[*]}" -ge 5 ] || { echo "--help lists only ${#cols[*]} columns"; exit 1; }
for c in "${cols[@]}"; do
    grep -qE -- "^ +$c( |\$)" <<<"$columns" || { echo "COLUMNS lacks $c"; fail=1; }
done
# JSON FIELDS names each top-level key as the report writes it ("benchmark").
fields=$(sed -n '/^JSON FIELDS/,/^[A-Z]/p' <<<"$text")
for k in $(python3 -c 'import json,sys; print(*json.load(open(sys.argv[1]))["properties"])' "$schema"); do
    grep -qE -- "^ +$k( |\$)" <<<"$fields" || { echo "JSON FIELDS lacks an entry for $k"; fail=1; }
done
grep -qE '^ +bench( |$)' <<<"$fields" && { echo "JSON FIELDS has 'bench'; the report writes 'benchmark'"; fail=1; }
[ $fail = 0 ] && echo "man page: ${#longs[*]} options, ${#codes[*]} exit codes, no warnings"
exit $fail
