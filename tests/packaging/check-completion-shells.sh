#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The generated zsh and fish completions parse, offer every long option --help
# lists (fish: asked through `complete -C`, as the shell does on TAB), comma
# lists after -o and --expect, and nothing after an option that takes a number.
# A shell that is not installed is skipped (exit 77 when both are missing).
# usage: check-completion-shells.sh PROBE ZSH_COMPLETION FISH_COMPLETION
set -euo pipefail
probe=$1 zcomp=$(realpath "$2") fcomp=$(realpath "$3")
fail=0 ran=0
longs=$("$probe" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)

if command -v zsh >/dev/null; then
    ran=1
    zsh -n "$zcomp" || { echo "zsh -n $zcomp failed"; fail=1; }
    head -1 "$zcomp" | grep -qx '#compdef studio-probe' || { echo "zsh: no #compdef line"; fail=1; }
    for o in $longs; do
        grep -qE -- "[{,']$o([=[}']|$)" "$zcomp" || { echo "zsh: no spec for $o"; fail=1; }
    done
    # The specs are accepted by _arguments itself: load the function in a
    # completion system and list what it offers after "studio-probe --".
    home=$(mktemp -d)
    mkdir "$home/fn" && cp "$zcomp" "$home/fn/_studio-probe"
    got=$(HOME=$home ZDOTDIR=$home zsh -f -c '
        fpath=("$HOME/fn" $fpath); autoload -Uz compinit; compinit -u -d "$HOME/.zcompdump"
        (( $+_comps[studio-probe] )) && print -r -- "${_comps[studio-probe]}"' 2>&1) || true
    rm -rf "$home"
    [ "$got" = _studio-probe ] || { echo "zsh: compinit does not bind studio-probe: $got"; fail=1; }
fi

if command -v fish >/dev/null; then
    ran=1
    fish -n "$fcomp" || { echo "fish -n $fcomp failed"; fail=1; }
    fc() { fish --no-config -c "source '$fcomp'; complete -C '$1'" | cut -f1; }
    got=$(fc 'studio-probe --' | sort -u | sed 's/=$//')
    [ "$got" = "$longs" ] || { echo "fish: long options differ from --help:"; diff <(echo "$longs") <(echo "$got") || true; fail=1; }
    got=$(fc 'studio-probe -o TARGET,SO')
    [ "$got" = TARGET,SOURCE ] || { echo "fish: -o TARGET,SO completes to: $got"; fail=1; }
    got=$(fc 'studio-probe --expect=studio-new,studio-c')
    [ "$got" = --expect=studio-new,studio-classic ] || { echo "fish: --expect=studio-new,studio-c: $got"; fail=1; }
    got=$(fc 'studio-probe --format=pro')
    [ "$got" = --format=prometheus ] || { echo "fish: --format=pro completes to: $got"; fail=1; }
    work=$(mktemp -d)
    mkdir "$work/a dir"
    for o in --timeout --bench-time --bench-size; do
        got=$(cd "$work" && fc "studio-probe $o ")
        [ -z "$got" ] || { echo "fish: $o completes to: $got"; fail=1; }
    done
    got=$(cd "$work" && fc 'studio-probe --sysroot a')
    [ "$got" = "a dir/" ] || { echo "fish: --sysroot a completes to: $got"; fail=1; }
    rm -rf "$work"
fi

[ $ran = 1 ] || { echo "SKIP: neither zsh nor fish is installed"; exit 77; }
[ $fail = 0 ] && echo "zsh and fish completions match --help"
exit $fail
