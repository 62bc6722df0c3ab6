#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the Debian package (Debian's dynamic build) and the RPM (the static
# binary of packaging/static/build.sh) from the working tree (committed or
# not), installs the .deb, and runs the installed binary: --version, and a
# --sysroot replay of a fixture that must give the environment it documents.
# Checks that the RPM requires nothing Amazon Linux 2 and 2023 lack.
#   packaging/build-packages.sh [OUTDIR]      (default: build-packages/)
# Environment: STUDIO_PROBE_STATIC_WORK (a build.sh work directory to reuse),
# STUDIO_PROBE_STATIC_DIR (build.sh's tested output: the RPMs must carry those
# very binaries), STUDIO_PROBE_RPM_ARCHES (default x86_64; aarch64 too).
# Needs root (apt-get install of the .deb). Skips the RPM with a message when
# rpmbuild is missing. tests/run-all.sh calls it last.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$top/build-packages}")
version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$top/meson.build" | head -1)
[ -n "$version" ] || { echo "cannot read the version from meson.build" >&2; exit 1; }
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

rm -rf "$out"
mkdir -p "$out/src"
# The tree as the packages see it: no build directories, no VCS data.
tarball=$out/studio-probe-$version.tar.gz
tar -C "$top" --exclude-vcs --exclude='./build*' --exclude='./obj-*' --exclude='./debian' \
    --transform "s,^\\.,studio-probe-$version," -czf "$tarball" .
echo "== source tarball: $tarball"

echo "== .deb"
tar -C "$out/src" -xzf "$tarball"
srcdir=$out/src/studio-probe-$version
cp -r "$srcdir/packaging/debian" "$srcdir/debian"
(cd "$srcdir" && dpkg-buildpackage -b -us -uc >"$out/deb-build.log" 2>&1) ||
    { tail -n 40 "$out/deb-build.log"; exit 1; }
deb=$(ls "$out"/src/studio-probe_"$version"*_*.deb)
echo "built $deb"
dpkg-deb -c "$deb" | awk '{print $6}' | grep -E 'bin/studio-probe$|man1/studio-probe.1.gz$|completions/studio-probe$|site-functions/_studio-probe$|vendor_completions.d/studio-probe.fish$|studio-probe.schema.json$' |
    sort | tee "$out/deb-contents.txt"
[ "$(wc -l <"$out/deb-contents.txt")" = 6 ] || { echo "the .deb lacks a file" >&2; exit 1; }

echo "== install the .deb and run the installed binary"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    --reinstall "$deb" >/dev/null
/usr/bin/studio-probe --version | grep -qx "studio-probe $version"
fixture=$top/tests/fixtures/new-jupyterlab-private/root
if [ -d "$fixture" ]; then
    env=$(/usr/bin/studio-probe --sysroot "$fixture" --id)
    [ "$env" = studio-new ] || { echo "installed binary: $env, not studio-new" >&2; exit 1; }
    /usr/bin/studio-probe --sysroot "$fixture" --expect=studio-new --format=emf >/dev/null
    echo "installed /usr/bin/studio-probe replays $fixture as $env"
fi
man -w studio-probe >/dev/null

echo "== rpm"
if ! command -v rpmbuild >/dev/null; then
    echo "SKIP: rpmbuild not installed (Debian package rpm)"
    exit 0
fi
mkdir -p "$out/rpm/SOURCES"
cp "$tarball" "$out/rpm/SOURCES/"
# The RPM carries the static binary (packaging/static/build.sh, run by the
# spec's %build): STUDIO_PROBE_STATIC_WORK, when set, is a work directory whose
# libraries build.sh reuses. One RPM per architecture in STUDIO_PROBE_RPM_ARCHES.
static_def=()
# Absolute: rpmbuild runs %build in its own directory.
[ -z "${STUDIO_PROBE_STATIC_WORK:-}" ] ||
    static_def=(--define "static_work $(realpath -m "$STUDIO_PROBE_STATIC_WORK")")
for arch in ${STUDIO_PROBE_RPM_ARCHES:-x86_64}; do
    # --nodeps: Debian's rpm database does not know the build requirements.
    rpmbuild -bb --nodeps --target "$arch" --define "_topdir $out/rpm" "${static_def[@]}" \
        --define "static_out $out/rpm/static" \
        "$top/packaging/rpm/studio-probe.spec" >"$out/rpm-build-$arch.log" 2>&1 ||
        { tail -n 40 "$out/rpm-build-$arch.log"; exit 1; }
    rpm=$out/rpm/RPMS/$arch/studio-probe-$version-1.$arch.rpm
    [ -f "$rpm" ] || rpm=$(ls "$out"/rpm/RPMS/"$arch"/studio-probe-"$version"-*."$arch".rpm)
    echo "built $rpm"
    rpm -qlp "$rpm" 2>/dev/null | grep -E 'bin/studio-probe$|man1/studio-probe.1' >/dev/null
    # It must install on Amazon Linux 2 (glibc 2.26, rpm 4.11) and 2023: it
    # requires rpm features only, none of the payload formats rpm 4.11 lacks,
    # and no library (no libmount, libblkid, libcjson, no GLIBC_2.34).
    reqs=$(rpm -qp --requires "$rpm" 2>/dev/null | sort -u)
    while read -r r; do echo "  requires: $r"; done <<<"$reqs"
    if grep -vE '^rpmlib\(' <<<"$reqs" | grep -q . ||
        grep -E 'libmount|libblkid|libcjson|GLIBC|libc\.so|PayloadIsZstd' <<<"$reqs"; then
        echo "$rpm requires more than a static binary needs" >&2
        exit 1
    fi
    # The packaged binary is the released one, byte for byte (its .sha256).
    digest=$(rpm -qp --dump "$rpm" 2>/dev/null | awk '$1 == "/usr/bin/studio-probe" { print $4 }')
    want=$(awk '{ print $1 }' "$out/rpm/static/studio-probe-$version-$arch-linux.sha256")
    if [ -z "$digest" ] || [ "$digest" != "$want" ]; then
        echo "$rpm: /usr/bin/studio-probe is not the static release binary ($digest, $want)" >&2
        exit 1
    fi
    # And the very binary tests/static/check-static.py proved, when run-all
    # says where it is (the build is reproducible from the tarball too).
    tested=${STUDIO_PROBE_STATIC_DIR:+$STUDIO_PROBE_STATIC_DIR/studio-probe-$version-$arch-linux.sha256}
    if [ -n "$tested" ] && [ "$(awk '{ print $1 }' "$tested")" != "$digest" ]; then
        echo "$rpm: /usr/bin/studio-probe differs from the tested $tested" >&2
        exit 1
    fi
    echo "$rpm: static binary $digest${tested:+ (the tested one)}, requires rpmlib features only"
done
echo "packages: ok"
