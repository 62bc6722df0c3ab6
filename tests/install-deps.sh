#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages listed in the given files (comments and blank
# lines ignored). Idempotent; needs root or sudo.
set -euo pipefail
pkgs=$(sed -e 's/#.*//' "$@" | tr -s ' \n' ' ')
[ -n "${pkgs// /}" ] || exit 0
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# apt-get update only when a package is missing: keeps reruns fast and offline-safe.
missing=$(for p in $pkgs; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"; done)
if [ -n "$missing" ]; then
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
