#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# conda-forge build script: MESON_ARGS carries the cross/prefix settings
# conda-forge's compiler activation provides.
set -euxo pipefail
# shellcheck disable=SC2086  # MESON_ARGS is a list of arguments
meson setup builddir ${MESON_ARGS:-} --prefix="$PREFIX" --libdir=lib \
    --buildtype=release -Dtests=disabled
meson compile -C builddir -j "${CPU_COUNT:-1}"
meson install -C builddir --no-rebuild
