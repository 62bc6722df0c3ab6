#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the Debian package and the RPM from the working tree (committed or
# not), installs the .deb, and runs the installed binary: --version, and a
# --sysroot replay of a fixture that must give the environment it documents.
#   packaging/build-packages.sh [OUTDIR]      (default: build-packages/)
# Needs root (apt-get install of the .deb). Skips the RPM with a message when
# rpmbuild is missing. .ci/run calls it after tests/run-all.sh.
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
dpkg-deb -c "$deb" | awk '{print $6}' | grep -E 'bin/studio-probe$|man1/studio-probe.1.gz$|completions/studio-probe$|studio-probe.schema.json$' |
    sort | tee "$out/deb-contents.txt"
[ "$(wc -l <"$out/deb-contents.txt")" = 4 ] || { echo "the .deb lacks a file" >&2; exit 1; }

echo "== install the .deb and run the installed binary"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    --reinstall "$deb" >/dev/null
/usr/bin/studio-probe --version | grep -qx "studio-probe $version"
fixture=$top/tests/fixtures/new-jupyterlab-private/root
if [ -d "$fixture" ]; then
    env=$(/usr/bin/studio-probe --sysroot "$fixture" --quiet)
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
# --nodeps: Debian's rpm database does not know the -devel packages.
rpmbuild -bb --nodeps --define "_topdir $out/rpm" "$top/packaging/rpm/studio-probe.spec" \
    >"$out/rpm-build.log" 2>&1 || { tail -n 40 "$out/rpm-build.log"; exit 1; }
rpm=
for f in "$out"/rpm/RPMS/*/studio-probe-"$version"-*.rpm; do
    case $f in *debug*) ;; *) rpm=$f ;; esac
done
[ -f "$rpm" ] || { echo "no rpm built" >&2; exit 1; }
echo "built $rpm"
rpm -qlp "$rpm" 2>/dev/null | grep -E 'bin/studio-probe$|man1/studio-probe.1' >/dev/null
rpm -qp --requires "$rpm" 2>/dev/null | grep -E 'libmount|libblkid|libcjson' | sort -u
echo "packages: ok"
