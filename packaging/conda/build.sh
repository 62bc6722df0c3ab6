#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# conda-forge build script: MESON_ARGS carries the cross/prefix settings
# conda-forge's compiler activation provides. In a cross build, gen-man (a
# native: true executable) is compiled by the build machine's compiler
# (CC_FOR_BUILD, which meson reads) against BUILD_PREFIX's cJSON header.
set -euxo pipefail
if [[ "${CONDA_BUILD_CROSS_COMPILATION:-0}" == 1 ]]; then
    export PKG_CONFIG_PATH_FOR_BUILD="$BUILD_PREFIX/lib/pkgconfig"
fi
# shellcheck disable=SC2086  # MESON_ARGS is a list of arguments
meson setup builddir ${MESON_ARGS:-} --prefix="$PREFIX" --libdir=lib \
    --buildtype=release -Dtests=disabled
meson compile -C builddir -j "${CPU_COUNT:-1}"
meson install -C builddir --no-rebuild
