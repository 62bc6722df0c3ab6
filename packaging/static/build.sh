#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds studio-probe as one static binary that runs on any Linux of its
# architecture (glibc 2.26 of Amazon Linux 2, Ubuntu 20.04, an empty chroot):
# musl libc, with libmount and libblkid from Debian's util-linux source package
# and cJSON from Debian's cjson source package, in the versions of the -dev
# packages installed here (so that the dynamic build and this one run the same
# library code), with every library feature that needs something at run time
# (NLS, udev, systemd, SELinux, cryptsetup, ...) left out.
#
#   packaging/static/build.sh OUTDIR [x86_64|aarch64 ...]      (default: x86_64)
#
# Writes OUTDIR/studio-probe-VERSION-ARCH-linux (stripped) and beside it
# OUTDIR/studio-probe-VERSION-ARCH-linux.sha256 (sha256sum -c format), and
# OUTDIR/build-ARCH/, the meson build of this tree (the RPM installs its man
# page and completion). The libraries are built in the work directory,
# STATIC_WORK (default OUTDIR/work): src/ (the Debian source packages),
# ARCH/libs/ (reused by the next run, of any tree, while the source versions
# and the flags match). Nothing is installed outside these two: the deb-src
# entries live in a private apt configuration (WORK/apt) that a trap removes,
# so the machine's sources.list and package lists are never touched.
# Needs: musl-tools, dpkg-dev, meson, pkg-config, libmount-dev, libcjson-dev;
# for aarch64 also gcc-aarch64-linux-gnu and linux-libc-dev-arm64-cross
# (packaging/build-deps.txt); apt-get and network access on the first run.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 1 ] || { sed -n 's/^#   //p' "$0" >&2; exit 2; }
out=$(realpath -m "$1")
shift
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(x86_64)
version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$top/meson.build" | head -1)
[ -n "$version" ] || { echo "build.sh: cannot read the version from meson.build" >&2; exit 1; }
work=$(realpath -m "${STATIC_WORK:-$out/work}")
jobs=$(nproc 2>/dev/null || echo 2)
log() { echo "== [${SECONDS}s] $*"; }
die() { echo "build.sh: $*" >&2; exit 1; }

for a in "${arches[@]}"; do
    case $a in x86_64 | aarch64) ;; *) die "unknown architecture '$a' (x86_64, aarch64)" ;; esac
done
[ "$(uname -m)" = x86_64 ] || die "builds on an x86_64 Debian host only"
mkdir -p "$work/src" "$out"
# One build at a time per work directory (CI's and the RPM's may share one).
exec 9>"$work/.lock"
flock 9

# --- Private apt state: deb-src entries (and arm64 binary entries for musl-dev:arm64)
apt_dir=$work/apt
cleanup() { rm -rf "$apt_dir"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
apt_ready=0
apt_private() {
    apt-get -q -o Dir::Etc::SourceList="$apt_dir/sources.list" \
        -o Dir::Etc::SourceParts="$apt_dir/sources.list.d" \
        -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache" \
        -o APT::Sandbox::User=root -o APT::Architectures::=arm64 "$@"
}
# The machine's Debian entries (one-line and deb822 formats), as deb-src and as
# arm64 deb lines: the same mirror, suites and keyring as the installed packages.
debian_entries() {
    local codename
    codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
    [ -n "$codename" ] || die "no VERSION_CODENAME in /etc/os-release"
    {
        cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
            awk '$1 == "deb" {
                     opts = ""; i = 2
                     if ($2 ~ /^\[/) { while ($i !~ /\]$/) { opts = opts " " $i; i++ }
                                        opts = opts " " $i; i++ }
                     gsub(/^ *\[ *| *\] *$/, "", opts)
                     signed = ""; n = split(opts, o, " ")
                     for (k = 1; k <= n; k++) if (o[k] ~ /^signed-by=/) signed = o[k]
                     line = $i " " $(i + 1); for (k = i + 2; k <= NF; k++) line = line " " $k
                     print signed "|" line }'
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -f "$f" ] || continue
            awk 'function flush(  u, s, nu, ns, us, ss, a, b) {
                     if (types ~ /(^| )deb( |$)/ && enabled != "no") {
                         nu = split(uris, us, " "); ns = split(suites, ss, " ")
                         for (a = 1; a <= nu; a++) for (b = 1; b <= ns; b++)
                             print (signed ~ /^\// ? "signed-by=" signed : "") "|" us[a] " " ss[b] " " comps
                     }
                     types = uris = suites = comps = signed = enabled = "" }
                 /^[ \t]*$/ { flush(); next }
                 /^#/ { next }
                 { key = tolower($1); sub(/:$/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val) }
                 key == "types" { types = val } key == "uris" { uris = val }
                 key == "suites" { suites = val } key == "components" { comps = val }
                 key == "signed-by" { signed = val } key == "enabled" { enabled = tolower(val) }
                 END { flush() }' "$f"
        done
    } | awk -F'|' -v c="$codename" '{ split($2, w, " ") } w[2] == c || index(w[2], c "-") == 1' |
        sort -u
}
apt_setup() {
    [ "$apt_ready" = 0 ] || return 0
    rm -rf "$apt_dir"
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources.list.d"
    local entries
    entries=$(debian_entries)
    if [ -z "$entries" ]; then
        local c
        c=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
        entries="|http://deb.debian.org/debian $c main
|http://deb.debian.org/debian $c-updates main
|http://deb.debian.org/debian-security $c-security main"
    fi
    while IFS='|' read -r signed rest; do
        echo "deb-src ${signed:+[$signed] }$rest"
        echo "deb [arch=arm64${signed:+ $signed}] $rest"
    done <<<"$entries" >"$apt_dir/sources.list"
    log "private apt sources (removed on exit):"
    sed 's/^/   /' "$apt_dir/sources.list"
    apt_private update >"$work/apt-update.log" 2>&1 || { tail -n 20 "$work/apt-update.log"; die "apt-get update failed"; }
    apt_ready=1
}

# --- Sources: Debian's util-linux and cjson, in the installed -dev versions
src_version() { # binary package -> its source version
    dpkg-query -W -f='${source:Version}' "$1" 2>/dev/null || true
}
upstream_of() { local v=${1#*:}; echo "${v%-*}"; }
fetch_source() { # source package, binary package it must match, upstream dir prefix -> src_dir
    local pkg=$1 bin=$2 want dir
    want=$(src_version "$bin")
    [ -n "$want" ] || die "$bin is not installed (packaging/build-deps.txt); its version pins $pkg"
    dir=$work/src/$3-$(upstream_of "$want")
    if [ -f "$dir/.studio-probe-debian-version" ] && [ "$(cat "$dir/.studio-probe-debian-version")" = "$want" ]; then
        src_dir=$dir
        return
    fi
    apt_setup
    rm -rf "$dir"
    log "apt-get source $pkg=$want"
    if ! (cd "$work/src" && apt_private source "$pkg=$want" >"$work/src/$pkg.log" 2>&1); then
        # The archive moved on since the -dev package was installed.
        echo "build.sh: $pkg $want is no longer in the archive; taking the current one" >&2
        (cd "$work/src" && apt_private source "$pkg" >"$work/src/$pkg.log" 2>&1) ||
            { tail -n 20 "$work/src/$pkg.log" >&2; die "apt-get source $pkg failed"; }
        dir=$(sed -n "s/^dpkg-source: info: extracting $pkg in //p" "$work/src/$pkg.log")
        dir=$work/src/$dir
        want=$(sed -n 's/^Version: //p' "$work/src/${pkg}_"*.dsc | sort -V | tail -1)
    fi
    [ -d "$dir" ] || die "apt-get source $pkg did not unpack $dir"
    echo "$want" >"$dir/.studio-probe-debian-version"
    src_dir=$dir
}
fetch_source util-linux libmount-dev util-linux
ul_src=$src_dir
fetch_source cjson libcjson-dev cjson
cj_src=$src_dir
ul_ver=$(cat "$ul_src/.studio-probe-debian-version")
cj_ver=$(cat "$cj_src/.studio-probe-debian-version")
# Debian's patches change configure.ac and Makemodule.am (tty-setgid install
# options, test scripts: nothing in the libraries); keep the shipped configure
# and Makefile.in current so make does not want autotools.
touch "$ul_src/aclocal.m4"
touch "$ul_src/configure" "$ul_src/config.h.in"
find "$ul_src" -name Makefile.in -exec touch {} +

# --- Toolchains
musl_arm64_root() { # unpacks musl-dev:arm64 (and musl:arm64) into $1
    local root=$1
    [ -f "$root/usr/lib/aarch64-linux-musl/libc.a" ] && return 0
    apt_setup
    rm -rf "$root" "$root.debs"
    mkdir -p "$root.debs"
    log "apt-get download musl-dev:arm64 musl:arm64"
    (cd "$root.debs" && apt_private download musl-dev:arm64 musl:arm64 >"$root.debs/log" 2>&1) ||
        { cat "$root.debs/log"; die "cannot download musl-dev:arm64"; }
    local deb
    for deb in "$root.debs"/*.deb; do dpkg-deb -x "$deb" "$root"; done
    rm -rf "$root.debs"
}
toolchain() { # arch -> sets cc, host_triplet, cross_prefix, kinc
    local a=$1 d=$work/$1
    mkdir -p "$d/include"
    case $a in
    x86_64)
        command -v musl-gcc >/dev/null || die "musl-gcc not found (Debian package musl-tools)"
        cc=musl-gcc host_triplet='' cross_prefix=
        kinc=(/usr/include/linux /usr/include/x86_64-linux-gnu/asm /usr/include/asm-generic)
        ;;
    aarch64)
        command -v aarch64-linux-gnu-gcc >/dev/null ||
            die "aarch64-linux-gnu-gcc not found (Debian package gcc-aarch64-linux-gnu)"
        [ -d /usr/aarch64-linux-gnu/include/asm ] ||
            die "no arm64 kernel headers (Debian package linux-libc-dev-arm64-cross)"
        musl_arm64_root "$d/musl"
        # Debian's musl-gcc, for the cross compiler: musl-dev:arm64's specs
        # file with its paths moved into the unpacked tree.
        sed "s|/usr/|$d/musl/usr/|g" "$d/musl/usr/lib/aarch64-linux-musl/musl-gcc.specs" >"$d/musl-gcc.specs"
        printf '#!/bin/sh\nexec aarch64-linux-gnu-gcc "$@" -specs "%s"\n' "$d/musl-gcc.specs" >"$d/aarch64-linux-musl-gcc"
        chmod +x "$d/aarch64-linux-musl-gcc"
        cc=$d/aarch64-linux-musl-gcc host_triplet=aarch64-linux-musl cross_prefix=aarch64-linux-gnu-
        kinc=(/usr/aarch64-linux-gnu/include/linux /usr/aarch64-linux-gnu/include/asm
              /usr/aarch64-linux-gnu/include/asm-generic)
        ;;
    esac
    # musl-gcc's specs drop /usr/include (-nostdinc): the kernel's uapi headers
    # that util-linux and studio-probe include come from a private directory.
    for k in "${kinc[@]}"; do
        [ -d "$k" ] || die "missing kernel headers $k (Debian package linux-libc-dev)"
        ln -sfn "$k" "$d/include/$(basename "$k")"
    done
}

cflags_common="-O2 -fstack-protector-strong -fstack-clash-protection -ffunction-sections -fdata-sections"
# libblkid and libmount only, static, with nothing that needs a file, a
# daemon or a library at run time: no NLS catalogues, no udev, systemd,
# SELinux, audit, SMACK, cryptsetup (whose dlopen mode would also defeat
# static linking), libeconf, btrfs; no programs, no docs.
ul_features=(
    --disable-shared --enable-static --disable-all-programs
    --enable-libblkid --enable-libmount --disable-libuuid --disable-libsmartcols
    --disable-libfdisk --disable-nls --disable-rpath --disable-asciidoc
    --disable-bash-completion --disable-pylibmount --disable-makeinstall-chown
    --disable-makeinstall-setuid --disable-libmount-support-mtab
    --without-udev --without-systemd --without-selinux --without-audit
    --without-smack --without-cryptsetup --without-econf --without-btrfs
    --without-python --without-readline --without-ncursesw --without-ncurses
    --without-tinfo --without-libz --without-libmagic --without-cap-ng
    --without-user --without-utempter --without-systemdsystemunitdir
    --disable-dependency-tracking
)

build_libs() { # arch
    local a=$1 d=$work/$1 libs=$work/$1/libs key
    key="util-linux=$ul_ver cjson=$cj_ver cc=$cc flags=$cflags_common features=${ul_features[*]}"
    if [ -f "$libs/.built" ] && [ "$(cat "$libs/.built")" = "$key" ]; then
        log "$a: reusing $libs"
        return
    fi
    rm -rf "$libs" "$d/util-linux-build" "$d/cjson-build"
    mkdir -p "$libs/lib/pkgconfig" "$libs/include/cjson" "$d/util-linux-build" "$d/cjson-build"

    log "$a: libblkid, libmount from util-linux $ul_ver"
    local host_arg=() tools=()
    [ -z "$host_triplet" ] || host_arg=(--host="$host_triplet")
    [ -z "$cross_prefix" ] || tools=(AR="${cross_prefix}ar" RANLIB="${cross_prefix}ranlib" STRIP="${cross_prefix}strip")
    (
        cd "$d/util-linux-build"
        "$ul_src/configure" "${host_arg[@]}" --prefix="$libs" \
            CC="$cc" CPPFLAGS="-isystem $d/include" CFLAGS="$cflags_common" LDFLAGS=-static \
            "${tools[@]}" "${ul_features[@]}"
        make -j"$jobs" V=0
        make install
    ) >"$d/util-linux.log" 2>&1 || { tail -n 40 "$d/util-linux.log"; die "$a: util-linux build failed"; }

    log "$a: cJSON from cjson $cj_ver"
    # One C file: compiled as Debian's CMake build does (ENABLE_LOCALES on).
    local ccmd
    read -r -a ccmd <<<"$cc"
    # shellcheck disable=SC2086 # a list of flags
    "${ccmd[@]}" $cflags_common -DENABLE_LOCALES -std=c89 -c "$cj_src/cJSON.c" \
        -o "$d/cjson-build/cJSON.o"
    "${cross_prefix}ar" rcs "$libs/lib/libcjson.a" "$d/cjson-build/cJSON.o"
    cp "$cj_src/cJSON.h" "$libs/include/cjson/"
    local cjv
    cjv=$(awk '/#define CJSON_VERSION_(MAJOR|MINOR|PATCH)/ { v = v (v == "" ? "" : ".") $3 } END { print v }' \
        "$cj_src/cJSON.h")
    cat >"$libs/lib/pkgconfig/libcjson.pc" <<EOF
prefix=$libs
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: libcjson
Version: $cjv
Description: Ultralightweight JSON parser in ANSI C (static, musl)
Libs: -L\${libdir} -lcjson
Libs.private: -lm
Cflags: -I\${includedir} -I\${includedir}/cjson
EOF
    # A library that would dlopen() at run time breaks the "needs nothing" promise.
    if "${cross_prefix}nm" -A "$libs"/lib/*.a 2>/dev/null | grep -E ' U (dlopen|dlsym)$'; then
        die "$a: a library calls dlopen"
    fi
    echo "$key" >"$libs/.built"
}

build_probe() { # arch
    local a=$1 d=$work/$1 libs=$work/$1/libs b=$out/build-$1 ini kind bin
    ini=$out/meson-$a.ini
    {
        echo "# source tree: $top"
        echo "[binaries]"
        echo "c = '$cc'"
        echo "ar = '${cross_prefix}ar'"
        echo "strip = '${cross_prefix}strip'"
        echo "pkgconfig = 'pkg-config'" # meson < 1.3's name for it
        echo "[properties]"
        echo "pkg_config_libdir = ['$libs/lib/pkgconfig']"
        echo "[built-in options]"
        echo "c_args = ['-isystem', '$d/include', '-ffunction-sections', '-fdata-sections', '-fstack-clash-protection']"
        echo "c_link_args = ['-static', '-Wl,--gc-sections', '-Wl,-z,relro', '-Wl,-z,now', '-Wl,-z,noexecstack', '-Wl,--build-id']"
        echo "default_library = 'static'"
        echo "prefer_static = true"
        if [ "$a" = aarch64 ]; then
            echo "[host_machine]"
            echo "system = 'linux'"
            echo "cpu_family = 'aarch64'"
            echo "cpu = 'aarch64'"
            echo "endian = 'little'"
        fi
    } >"$ini"
    if [ "$a" = aarch64 ]; then
        # Cross: gen-man is built for this machine (native: true) and needs only
        # the build machine's cJSON header, found by the ordinary pkg-config.
        kind=--cross-file
    else
        kind=--native-file
    fi
    log "$a: studio-probe $version"
    local setup=(meson setup "$b" "$top" "$kind" "$ini" --prefix=/usr
        --buildtype=release -Db_ndebug=true -Dtests=disabled)
    if [ -f "$b/build.ninja" ] && cmp -s "$ini" "$b/.studio-probe.ini"; then
        setup+=(--reconfigure)
    else
        rm -rf "$b" # another tree, other flags, or a setup that failed
    fi
    "${setup[@]}" >"$out/meson-setup-$a.log" 2>&1 ||
        { tail -n 40 "$out/meson-setup-$a.log"; die "$a: meson setup failed"; }
    cp "$ini" "$b/.studio-probe.ini"
    meson compile -C "$b" >"$out/meson-compile-$a.log" 2>&1 ||
        { tail -n 40 "$out/meson-compile-$a.log"; die "$a: build failed"; }
    if "${cross_prefix}nm" "$b/src/studio-probe" | grep -qwE 'dlopen|__dlopen'; then
        die "$a: the binary links dlopen"
    fi
    bin=studio-probe-$version-$a-linux
    "${cross_prefix}strip" --strip-all -o "$out/$bin.tmp" "$b/src/studio-probe"
    mv -f "$out/$bin.tmp" "$out/$bin"
    (cd "$out" && sha256sum "$bin" >"$bin.sha256")
    log "$a: $out/$bin ($(stat -c %s "$out/$bin") bytes)"
    cat "$out/$bin.sha256"
}

# The libraries of each architecture in parallel (util-linux's configure runs
# one check after another: two of them keep two cores busy), then the tool.
for a in "${arches[@]}"; do
    toolchain "$a" # fetches musl-dev:arm64 before anything runs in parallel
done
pids=()
for a in "${arches[@]}"; do
    (toolchain "$a" && build_libs "$a") >"$work/libs-$a.log" 2>&1 &
    pids+=($!)
done
st=0
for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
        st=1
        echo "== ${arches[$i]}: the libraries failed:" && tail -n 40 "$work/libs-${arches[$i]}.log"
    else
        cat "$work/libs-${arches[$i]}.log"
    fi
done
[ "$st" = 0 ] || die "library build failed"
for a in "${arches[@]}"; do
    toolchain "$a"
    build_probe "$a"
done
