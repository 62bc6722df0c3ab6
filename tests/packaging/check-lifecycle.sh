#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The lifecycle scripts of packaging/lifecycle/.
#   check-lifecycle.sh PROBE SOURCE_ROOT generated
# regenerates them from the template and compares byte for byte, then checks
# each one: shellcheck, the API's size limit (base64 text), the step budget
# its header states.
#   check-lifecycle.sh PROBE SOURCE_ROOT jupyterlab|codeeditor|classic|notebook
# runs one script against its fixture sysroot with the network (curl, wget),
# the package managers (apt-get, dnf, yum) and conda stubbed: install by URL
# with a good and a bad checksum, reuse, no curl, no downloader, a read-only
# home, apt and yum images, conda in the foreground, in the background and out
# of budget, a hung probe; the notebook script also as root in a mount
# namespace with a fake /home/ec2-user/SageMaker. Every run must exit 0.
# shellcheck disable=SC2016  # the single-quoted $ are for the inner shells and grep
set -euo pipefail
probe=$(realpath "$1") top=$(realpath "$2") what=$3
dir=$top/packaging/lifecycle
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 runs=0 case=setup
bad() {
    echo "FAIL $case: $*"
    fail=1
}
show() { # what the last run printed
    sed 's/^/    stderr: /' "$tmp/err"
    sed 's/^/    stdout: /' "$tmp/out"
}
sha_of() {
    local h
    h=$(sha256sum <"$1")
    printf '%s' "${h%% *}"
}

# ---------------------------------------------------------------------------
if [ "$what" = generated ]; then
    targets=(notebook-instance.sh studio-classic.sh studio-codeeditor.sh studio-jupyterlab.sh)
    case=regenerate
    mkdir "$tmp/gen"
    bash "$dir/generate.sh" "$tmp/gen" || bad "generate.sh failed"
    listed=$(cd "$tmp/gen" && echo *)
    [ "$listed" = "${targets[*]}" ] || bad "generated: $listed"
    for f in "${targets[@]}"; do
        cmp "$tmp/gen/$f" "$dir/$f" ||
            bad "$f differs from what generate.sh writes (run packaging/lifecycle/generate.sh)"
        [ -x "$dir/$f" ] || bad "$f is not executable"
    done
    committed=$(cd "$dir" && for f in *.sh; do [ "$f" = generate.sh ] || echo "$f"; done | xargs)
    [ "$committed" = "$listed" ] || bad "scripts in packaging/lifecycle: $committed"

    # The generator refuses a broken template and writes nothing then.
    for broken in '#%if nosuchtarget' '#%if classic' '#%end' '@NOSUCHNAME@' '#%elif'; do
        case="generator refuses '$broken'"
        rm -rf "$tmp/g2"
        mkdir -p "$tmp/g2/out"
        cp "$dir/generate.sh" "$tmp/g2/"
        { cat "$dir/lifecycle.sh.in"; echo "$broken"; } >"$tmp/g2/lifecycle.sh.in"
        if bash "$tmp/g2/generate.sh" "$tmp/g2/out" 2>"$tmp/err"; then bad "accepted"; fi
        [ -z "$(ls -A "$tmp/g2/out")" ] || bad "left files: $(ls -A "$tmp/g2/out")"
        grep -q 'lifecycle.sh.in:[0-9]*: ' "$tmp/err" || bad "no line number: $(cat "$tmp/err")"
    done

    for f in "${targets[@]}" generate.sh; do
        case="shellcheck $f"
        if command -v shellcheck >/dev/null; then
            shellcheck "$dir/$f" || bad "not clean"
        else
            echo "shellcheck not installed: not checked (tests/test-deps.txt lists it)"
        fi
    done
    for f in "${targets[@]}"; do
        s=$dir/$f
        case="$f size"
        # CreateStudioLifecycleConfig and CreateNotebookInstanceLifecycleConfig
        # take at most 16,384 characters of base64.
        n=$(base64 -w0 "$s" | wc -c)
        [ "$n" -le 16384 ] || bad "$n characters of base64, the limit is 16,384"
        echo "$f: $(wc -c <"$s") bytes, $n characters of base64"
        head -c 200 "$s" | grep -q 'SPDX-License-Identifier' || bad "no SPDX line"
        grep -q '^set -eu$' "$s" || bad "no set -eu"

        case="$f budget"
        # "# Budget: fetch F + install I + N probe runs x S = TOTAL s of the 300 s limit."
        line=$(grep '^# Budget: ' "$s") || { bad "no Budget line in the header"; continue; }
        F='' I='' N='' S='' T=''
        read -r F I N S T < <(sed -n 's/^# Budget: fetch \([0-9]*\) + install \([0-9]*\) + \([0-9]*\) probe runs x \([0-9]*\) = \([0-9]*\) s of the 300 s limit\.$/\1 \2 \3 \4 \5/p' <<<"$line") || true
        if [ -z "$T" ]; then bad "unparsable: $line"; continue; fi
        [ $((F + I + N * S)) = "$T" ] || bad "$F + $I + $N x $S is not $T"
        [ "$T" -le 270 ] || bad "$T s leaves less than 30 s of the 5 minutes"
        grep -qx "T_FETCH=\${STUDIO_PROBE_FETCH_TIMEOUT:-$F}" "$s" || bad "fetch share is not $F"
        grep -qx "T_INSTALL=\${STUDIO_PROBE_INSTALL_TIMEOUT:-$I}" "$s" || bad "install share is not $I"
        grep -qx "T_STEP=\${STUDIO_PROBE_STEP_TIMEOUT:-$S}" "$s" || bad "probe share is not $S"
        calls=$(grep -c '^[^#]*\bprobe --' "$s")
        [ "$calls" = "$N" ] || bad "$calls probe runs, the header says $N"
        grep -qx "deadline=\$((T_FETCH + T_INSTALL + $N \* T_STEP))" "$s" || bad "deadline is not the budget"
        grep -qx '\[ "$deadline" -le 270 \] || deadline=270' "$s" || bad "no 270 s cap"
        # Every timed command goes through bounded; installs through long_step.
        ! grep -n '^[^#]*\b\(curl\|wget\) -' "$s" | grep -v 'bounded "$T_FETCH"' || bad "an unbounded download"
        ! grep -n '^[^#]*timeout ' "$s" | grep -v 'set -- timeout -k 1' || bad "a timeout outside bounded"
    done
    [ $fail = 0 ] && echo "lifecycle scripts: generated byte for byte, shellcheck, size, budget: ok"
    exit $fail
fi

# ---------------------------------------------------------------------------
case $what in
jupyterlab) script=studio-jupyterlab.sh fixture=new-jupyterlab-private env=studio-new ;;
codeeditor) script=studio-codeeditor.sh fixture=new-codeeditor-custom-efs-fsx env=studio-new ;;
classic) script=studio-classic.sh fixture=classic-jupyterserver env=studio-classic ;;
notebook) script=notebook-instance.sh fixture=notebook-instance env=notebook-instance ;;
*) echo "unknown target $what" >&2 && exit 2 ;;
esac
script=$dir/$script
root=$top/tests/fixtures/$fixture/root
[ -d "$root" ] || { echo "fixture $fixture missing"; exit 1; }
arch=$(uname -m)

# A PATH with only what a script needs, so an installed studio-probe, curl or
# apt-get cannot stand in for the stubs.
mkdir "$tmp/bin" "$tmp/curl" "$tmp/wget" "$tmp/apt" "$tmp/yum" "$tmp/dnf" "$tmp/conda" "$tmp/pkg"
for c in bash sh env timeout id mktemp rm tr sleep mkdir chmod mv cp cat sha256sum uname sed \
    find nohup setsid stat ln; do
    ln -s "$(command -v "$c")" "$tmp/bin/$c"
done
# sudo as the sagemaker-user of Studio has it: runs the command.
printf '#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n' >"$tmp/bin/sudo"
# curl and wget: file:// URLs are copied, hang:// hangs, anything else fails.
cat >"$tmp/fetchstub" <<EOF
#!/bin/sh
name=\${0##*/} out= url=
echo "\$name \$*" >>"$tmp/net.log"
while [ \$# -gt 0 ]; do
    case \$1 in -o | -O) out=\$2; shift ;; -*) ;; *) url=\$1 ;; esac
    shift
done
case \$url in
file://*) exec cat "\${url#file://}" >"\$out" ;;
hang://*) exec sleep 300 ;;
esac
exit 22
EOF
cp "$tmp/fetchstub" "$tmp/curl/curl"
cp "$tmp/fetchstub" "$tmp/wget/wget"
# Package managers: log the call, then "install" studio-probe into $tmp/pkg,
# which is on PATH in the package cases. apt-get also checks the environment.
for pm in apt-get yum dnf; do
    d=$tmp/${pm%-get}
    cat >"$d/$pm" <<EOF
#!/bin/sh
echo "$pm \$* DEBIAN_FRONTEND=\${DEBIAN_FRONTEND:-}" >>"$tmp/pkg.log"
sleep "\$(cat "$tmp/pkg.delay" 2>/dev/null || echo 0)"
ln -sf "$probe" "$tmp/pkg/studio-probe"
echo "$pm done" >>"$tmp/pkg.log"
EOF
done
# micromamba: logs, sleeps $tmp/conda.delay seconds, then makes the prefix.
cat >"$tmp/conda/micromamba" <<EOF
#!/bin/sh
echo "micromamba \$* CONDA_PKGS_DIRS=\${CONDA_PKGS_DIRS:-}" >>"$tmp/conda.log"
sleep "\$(cat "$tmp/conda.delay" 2>/dev/null || echo 0)"
while [ \$# -gt 0 ]; do [ "\$1" = -p ] && p=\$2; shift; done
mkdir -p "\$p/bin" && ln -s "$probe" "\$p/bin/studio-probe"
echo "micromamba done" >>"$tmp/conda.log"
EOF
printf '#!/bin/sh\nexec sleep 300\n' >"$tmp/hang"
chmod +x "$tmp/bin/sudo" "$tmp/curl/curl" "$tmp/wget/wget" "$tmp/apt/apt-get" "$tmp/yum/yum" \
    "$tmp/dnf/dnf" "$tmp/conda/micromamba" "$tmp/hang"
base=$tmp/bin

# What the release puts on a server: the binary and its .sha256 file, as
# packaging/static/build.sh names them.
mkdir "$tmp/srv"
rel=studio-probe-0.1.0-$arch-linux
cp "$probe" "$tmp/srv/$rel"
(cd "$tmp/srv" && sha256sum "$rel" >"$rel.sha256")
url=file://$tmp/srv/$rel
sum=$(cat "$tmp/srv/$rel.sha256")
good=$(sha_of "$probe")
for k in deb rpm; do
    echo "a package" >"$tmp/srv/studio-probe.$k"
done

# Per case: a fresh home (or ML volume). keep = the report and conda prefix;
# kbin = the kept binary; run = where the notebook script's copy runs from.
fresh() {
    case=$1
    home=$(mktemp -d "$tmp/home.XXXXXX")
    rm -f "$tmp/net.log" "$tmp/pkg.log" "$tmp/conda.log" "$tmp/pkg.delay" "$tmp/conda.delay" "$tmp/pkg/studio-probe"
    if [ "$what" = notebook ]; then
        mkdir "$home/SageMaker"
        keep=$home/SageMaker/.studio-probe kbin=$keep/studio-probe
        run=$(mktemp -d "$tmp/run.XXXXXX")
        layout=(STUDIO_PROBE_KEEP="$keep" STUDIO_PROBE_RUN_DIR="$run")
    else
        keep=$home/.local/share/studio-probe kbin=$home/.local/bin/studio-probe run=
        layout=()
    fi
}
again() { # the next start with the same home (notebook: a fresh root volume)
    case=$1
    rm -f "$tmp/net.log" "$tmp/pkg.log" "$tmp/conda.log"
    if [ "$what" = notebook ]; then
        run=$(mktemp -d "$tmp/run.XXXXXX")
        layout=(STUDIO_PROBE_KEEP="$keep" STUDIO_PROBE_RUN_DIR="$run")
    fi
}
lcc() { # PATH VAR=VALUE...: one start; stdout in $tmp/out, stderr in $tmp/err
    local path=$1 start=$SECONDS
    shift
    runs=$((runs + 1))
    if ! env -i PATH="$path" HOME="$home" TMPDIR="$tmp" STUDIO_PROBE_ARGS="--sysroot $root" \
        ${layout[@]+"${layout[@]}"} "$@" bash "$script" >"$tmp/out" 2>"$tmp/err"; then
        bad "exited non-zero: the app would not start"
        show
    fi
    took=$((SECONDS - start))
}
says() { # TEXT: a line of the log says it
    grep -qF -- "$1" "$tmp/err" || { bad "no '$1'"; show; }
}
emf_valid() { # stdout is one EMF line that follows the format's rules
    python3 - "$tmp/out" "$top/tests/packaging" <<'PY' || { bad "stdout is not one valid EMF line"; show; }
import sys
sys.path.insert(0, sys.argv[2])
from formatcheck import check_emf, errors
check_emf("lifecycle", open(sys.argv[1], "rb").read())
print(*errors, sep="\n") if errors else None
sys.exit(1 if errors else 0)
PY
}
ran() { # the probe ran: the summary and one EMF line (emf_valid checks it in full once)
    if [ "$(grep -c '' "$tmp/out")" != 1 ] ||
        ! grep -q '^{"_aws":{.*"Environment":"'"$env"'"' "$tmp/out"; then
        bad "stdout is not one EMF line"
        show
    fi
    says "summary: environment=$env expected=$env storage="
}
report_ok() { # the JSON report was written where it is kept (its schema: suite json-schema)
    grep -q '^[[:space:]]*"environment":[[:space:]]*"'"$env"'",$' "$keep/report.json" 2>/dev/null ||
        bad "no report in $keep/report.json"
}
not_ran() {
    [ ! -s "$tmp/out" ] || { bad "printed output without a verified probe"; show; }
    says "studio-probe unavailable; nothing checked"
}
no_exec_left() { # no executable file, and no partial download, in the home or run dir
    local x
    x=$(find "$home" ${run:+"$run"} -type f \( -perm /111 -o -name '.studio-probe.*' \) 2>/dev/null)
    [ -z "$x" ] || bad "left behind: $x"
}
downloads() { # N: how many downloads the last start made
    local n=0
    [ ! -f "$tmp/net.log" ] || n=$(grep -c '' "$tmp/net.log")
    [ "$n" = "$1" ] || bad "$n downloads, expected $1"
}

# 1. Installed binary given: the check, the report file, EMF, Prometheus.
fresh given
lcc "$base" STUDIO_PROBE_BIN="$probe" STUDIO_PROBE_PROM_FILE="$tmp/probe.prom"
ran
emf_valid
report_ok
says "environment $env, as expected"
says "using $probe (given)"
grep -q '^studio_probe_info{' "$tmp/probe.prom" || bad "no Prometheus file"

# 2. Another environment: a logged warning, never a failure.
fresh mismatch
lcc "$base" STUDIO_PROBE_BIN="$probe" STUDIO_PROBE_EXPECT=training-job
says "WARNING: environment is $env, expected training-job"

# 3. The probe fails (no such sysroot): still exit 0.
fresh failure
lcc "$base" STUDIO_PROBE_BIN="$probe" STUDIO_PROBE_ARGS="--sysroot $tmp/does-not-exist"
says "WARNING: the check failed (exit 3)"

# 4. Not installed, no source set.
fresh absent
lcc "$base"
says "not installed and no source is set"
not_ran

# 5. A hung probe: every run is cut at its share, the total stays in budget.
fresh hang
lcc "$base" STUDIO_PROBE_BIN="$tmp/hang" STUDIO_PROBE_STEP_TIMEOUT=2 \
    STUDIO_PROBE_FETCH_TIMEOUT=2 STUDIO_PROBE_INSTALL_TIMEOUT=2
[ "$took" -le 12 ] || bad "took $took s, the budget is 2 + 2 + 4 x 2 = 12 s"
[ "$(grep -c 'exit 124' "$tmp/err")" -ge 2 ] || { bad "runs not cut off"; show; }

# 6. Fresh install by URL: the .sha256 file's text as the checksum.
fresh install
lcc "$base:$tmp/curl" STUDIO_PROBE_URL="$url" STUDIO_PROBE_SHA256="$sum"
ran
report_ok
downloads 1
cmp -s "$kbin" "$probe" || bad "$kbin is not the download"
[ "$(stat -c %a "$kbin")" = 755 ] || bad "$kbin mode $(stat -c %a "$kbin")"
[ -z "$(find "$home" -name '.studio-probe.*')" ] || bad "temporary files left"
if [ "$what" = notebook ]; then
    says "using $run/studio-probe (downloaded)"
    cmp -s "$run/studio-probe" "$probe" || bad "no verified copy in the run directory"
else
    says "using $kbin (downloaded)"
fi

# 7. The next start reuses it: no download.
again reuse
lcc "$base:$tmp/curl" STUDIO_PROBE_URL="$url" STUDIO_PROBE_SHA256="$good"
ran
downloads 0
says "(reused)"
[ "$what" != notebook ] || cmp -s "$run/studio-probe" "$probe" || bad "no copy on the new root volume"

# 8. The kept file was changed: not run, replaced by a verified download.
again changed
printf '#!/bin/sh\ntouch "%s/pwned"\n' "$tmp" >"$kbin"
lcc "$base:$tmp/curl" STUDIO_PROBE_URL="$url" STUDIO_PROBE_SHA256="$good"
ran
downloads 1
says "not the SHA-256 asked for"
[ ! -e "$tmp/pwned" ] || bad "the changed binary ran"
cmp -s "$kbin" "$probe" || bad "not replaced"

# 9. Bad checksum: refused, nothing executable left (not even an older
# binary that no longer matches), exit 0 with a message.
fresh bad-checksum
mkdir -p "${kbin%/*}"
printf '#!/bin/sh\ntouch "%s/pwned"\n' "$tmp" >"$kbin"
chmod 0755 "$kbin"
lcc "$base:$tmp/curl" STUDIO_PROBE_URL="$url" STUDIO_PROBE_SHA256="$(printf '0%.0s' {1..64})"
says "REFUSED $url: its SHA-256 is $good, not 0000"
not_ran
no_exec_left
[ ! -e "$tmp/pwned" ] || bad "the old binary ran"

# 10. A checksum that is not one, or a URL for another machine: no download.
fresh no-checksum
lcc "$base:$tmp/curl" STUDIO_PROBE_URL="$url" STUDIO_PROBE_SHA256=latest
says "need sha256sum and STUDIO_PROBE_SHA256, 64 hex digits; not installing"
downloads 0
not_ran
fresh other-arch
other=aarch64
[ "$arch" != aarch64 ] || other=x86_64
lcc "$base:$tmp/curl" STUDIO_PROBE_URL="file://$tmp/srv/studio-probe-0.1.0-$other-linux" STUDIO_PROBE_SHA256="$good"
says "is not for this $arch machine"
downloads 0
not_ran

# 11. No curl, but wget.
fresh wget
lcc "$base:$tmp/wget" STUDIO_PROBE_URL="$url" STUDIO_PROBE_SHA256="$good"
ran
grep -q "^wget -q -O .* $url\$" "$tmp/net.log" || bad "wget not used"
cmp -s "$kbin" "$probe" || bad "not installed"

# 12. Neither curl nor wget.
fresh no-downloader
lcc "$base" STUDIO_PROBE_URL="$url" STUDIO_PROBE_SHA256="$good"
says "neither curl nor wget to download $url"
not_ran
no_exec_left

# 13. A download that hangs is cut at its share.
fresh fetch-hang
lcc "$base:$tmp/curl" STUDIO_PROBE_URL=hang://server/studio-probe STUDIO_PROBE_SHA256="$good" \
    STUDIO_PROBE_FETCH_TIMEOUT=2
says "could not download hang://server/studio-probe"
[ "$took" -le 5 ] || bad "took $took s, the share is 2 s"
no_exec_left

# 14. Read-only home (a read-only bind mount as root, mode 0555 otherwise):
# the download is checked and used once from a private directory.
fresh read-only-home
ro=$home
[ "$what" != notebook ] || ro=$home/SageMaker
tested=1
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
    runs=$((runs + 1))
    unshare -m --propagation private bash -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" &&
        shift && exec "$@"' - "$ro" env -i PATH="$base:$tmp/curl" HOME="$home" TMPDIR="$tmp" \
        STUDIO_PROBE_ARGS="--sysroot $root" ${layout[@]+"${layout[@]}"} STUDIO_PROBE_URL="$url" \
        STUDIO_PROBE_SHA256="$good" bash "$script" >"$tmp/out" 2>"$tmp/err" || bad "exited non-zero"
elif [ "$(id -u)" != 0 ]; then
    chmod 0555 "$ro"
    lcc "$base:$tmp/curl" STUDIO_PROBE_URL="$url" STUDIO_PROBE_SHA256="$good"
    chmod 0755 "$ro"
else
    echo "SKIP $case: root without mount namespaces cannot make a read-only home"
    tested=''
fi
if [ -n "$tested" ]; then
    ran
    says "is not writable: the download is used once, not kept"
    says "report=none ("
    [ -z "$(find "$ro" -mindepth 1)" ] || bad "wrote into the read-only home: $(find "$ro" -mindepth 1)"
fi

# 15. Packages: the image's package manager takes the matching package, the
# other kind is refused before any download.
for img in apt yum dnf+yum; do
    for kind in deb rpm; do
        fresh "package .$kind on a $img image"
        p=$tmp/apt
        [ "$img" = apt ] || p=$tmp/yum
        [ "$img" != dnf+yum ] || p=$tmp/dnf:$tmp/yum
        pm=apt-get
        [ "$img" = apt ] || pm=yum
        [ "$img" != dnf+yum ] || pm=dnf
        lcc "$base:$tmp/curl:$p:$tmp/pkg" STUDIO_PROBE_URL="file://$tmp/srv/studio-probe.$kind" \
            STUDIO_PROBE_SHA256="$(sha_of "$tmp/srv/studio-probe.$kind")"
        case $kind:$pm in deb:apt-get | rpm:yum | rpm:dnf) fits=1 ;; *) fits='' ;; esac
        if [ -n "$fits" ]; then
            ran
            says "using $tmp/pkg/studio-probe (package, $pm)"
            grep -q "^$pm install -y -q .*/studio-probe.$kind DEBIAN_FRONTEND=" "$tmp/pkg.log" ||
                bad "$pm not called with the package: $(cat "$tmp/pkg.log" 2>/dev/null)"
            [ "$pm" != apt-get ] || grep -q 'DEBIAN_FRONTEND=noninteractive$' "$tmp/pkg.log" ||
                bad "apt-get may prompt"
        else
            says "cannot install a .$kind: the package manager is $pm"
            downloads 0
            not_ran
        fi
    done
done
fresh "package with a bad checksum"
lcc "$base:$tmp/curl:$tmp/apt:$tmp/pkg" STUDIO_PROBE_URL="file://$tmp/srv/studio-probe.deb" \
    STUDIO_PROBE_SHA256="$good"
says "REFUSED"
[ ! -e "$tmp/pkg.log" ] || bad "apt-get ran on a refused package"
# A package manager is never killed: one slower than its share goes on.
fresh "slow package manager"
echo 6 >"$tmp/pkg.delay"
lcc "$base:$tmp/curl:$tmp/apt:$tmp/pkg" STUDIO_PROBE_URL="file://$tmp/srv/studio-probe.deb" \
    STUDIO_PROBE_SHA256="$(sha_of "$tmp/srv/studio-probe.deb")" STUDIO_PROBE_INSTALL_TIMEOUT=1
says "apt-get goes on in the background"
not_ran
[ "$took" -le 4 ] || bad "waited $took s: the share is 1 s, the install takes 6 s"
for _ in $(seq 40); do grep -q 'apt-get done' "$tmp/pkg.log" && break; sleep 0.5; done
grep -q 'apt-get done' "$tmp/pkg.log" || bad "apt-get was killed"

# 16. conda: a private prefix under the kept directory, never /opt/conda.
fresh conda
lcc "$base:$tmp/conda" STUDIO_PROBE_CONDA_CHANNEL=file:///channel
ran
says "using $keep/conda/bin/studio-probe (conda prefix $keep/conda, new)"
grep -q "^micromamba create -y -q -p $keep/conda -c file:///channel studio-probe CONDA_PKGS_DIRS=$keep/conda.pkgs\$" \
    "$tmp/conda.log" || bad "micromamba called as: $(cat "$tmp/conda.log")"
[ -f "$keep/conda.ok" ] || bad "no conda.ok"
again conda-reuse
lcc "$base:$tmp/conda" STUDIO_PROBE_CONDA_CHANNEL=file:///channel
ran
[ ! -e "$tmp/conda.log" ] || bad "conda ran again"
# A prefix that a cut-off start left half made is made again.
again conda-partial
rm -f "$keep/conda.ok"
lcc "$base:$tmp/conda" STUDIO_PROBE_CONDA_CHANNEL=file:///channel
ran
grep -q 'micromamba done' "$tmp/conda.log" || bad "not installed again"

# Slower than its share: not waited for, never killed, used at the next start.
fresh conda-slow
echo 6 >"$tmp/conda.delay"
lcc "$base:$tmp/conda" STUDIO_PROBE_CONDA_CHANNEL=file:///channel STUDIO_PROBE_INSTALL_TIMEOUT=1
says "conda goes on in the background (log: $keep/install.log)"
not_ran
[ "$took" -le 4 ] || bad "waited $took s: the share is 1 s, the install takes 6 s"
for _ in $(seq 40); do [ -f "$keep/conda.ok" ] && break; sleep 0.5; done
[ -f "$keep/conda.ok" ] || bad "the install was killed (no conda.ok after 20 s)"
again conda-slow-next
lcc "$base:$tmp/conda" STUDIO_PROBE_CONDA_CHANNEL=file:///channel
ran
says "(conda prefix $keep/conda)"

# A share that does not fit in the 270 s left is not started at all.
fresh conda-no-budget
lcc "$base:$tmp/conda" STUDIO_PROBE_CONDA_CHANNEL=file:///channel STUDIO_PROBE_INSTALL_TIMEOUT=250
says "conda: not started, less than its 250 s share is left"
[ ! -e "$tmp/conda.log" ] || bad "conda started"
not_ran

if [ "$what" = classic ]; then
    # Apps share the EFS home: one install at a time; a stale lock goes.
    fresh conda-locked
    mkdir -p "$keep/conda.lock"
    lcc "$base:$tmp/conda" STUDIO_PROBE_CONDA_CHANNEL=file:///channel
    says "conda: another app is installing into $keep/conda"
    [ ! -e "$tmp/conda.log" ] || bad "conda started"
    again conda-stale-lock
    touch -d '2 hours ago' "$keep/conda.lock"
    lcc "$base:$tmp/conda" STUDIO_PROBE_CONDA_CHANNEL=file:///channel
    ran
    [ ! -e "$keep/conda.lock" ] || bad "lock left"
fi

# 17. The notebook script as root, with its own paths: a fake
# /home/ec2-user/SageMaker (a private directory bound there) and a fresh
# /usr/local/bin, in a mount namespace.
nbi() { # VOLUME: one start; its output in $tmp/out and $tmp/err
    runs=$((runs + 1))
    unshare -m --propagation private bash -c '
        mount -t tmpfs tmpfs /home && mkdir -p /home/ec2-user/SageMaker &&
        mount --bind "$1" /home/ec2-user/SageMaker && mount -t tmpfs tmpfs /usr/local/bin &&
        shift && exec "$@"' - "$1" env -i PATH="$base:$tmp/curl" HOME=/root TMPDIR="$tmp" \
        STUDIO_PROBE_ARGS="--sysroot $tmp/root" STUDIO_PROBE_URL="$url" \
        STUDIO_PROBE_SHA256="$good" bash "$tmp/nbi.sh" >"$tmp/out" 2>"$tmp/err" ||
        bad "exited non-zero"
}
if [ "$what" = notebook ]; then
    case="as root on a notebook instance"
    if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
        echo "SKIP $case: needs root and mount namespaces"
    elif [ -d /usr/local/bin ] && case $tmp in /home/*) false ;; esac; then
        # /home is covered: what the script reads lives under $tmp.
        cp -a "$root" "$tmp/root"
        cp "$script" "$tmp/nbi.sh"
        vol=$(mktemp -d "$tmp/vol.XXXXXX")
        chmod 0755 "$vol"
        nbi "$vol"
        ran
        says "using /usr/local/bin/studio-probe (downloaded)"
        says "report=/home/ec2-user/SageMaker/.studio-probe/report.json"
        cmp -s "$vol/.studio-probe/studio-probe" "$probe" || bad "not kept on the ML volume"
        [ "$(stat -c '%u %a' "$vol/.studio-probe")" = "0 755" ] || bad "kept directory: $(stat -c '%u %a' "$vol/.studio-probe")"
        keep=$vol/.studio-probe report_ok
        case="as root on a notebook instance, restarted"
        rm -f "$tmp/net.log"
        nbi "$vol"
        ran
        says "using /usr/local/bin/studio-probe (reused)"
        downloads 0
        # ec2-user owns the volume: a directory it made, or a symlink it
        # planted, does not hold what root runs or writes.
        case="as root, the kept directory is ec2-user's"
        chown 1000:1000 "$vol/.studio-probe"
        nbi "$vol"
        ran
        says "is not root's alone (1000 d"
        says "the download is used once, not kept"
        says "report=none ("
        case="as root, the kept directory is a symlink"
        rm -rf "$vol/.studio-probe"
        mkdir "$tmp/elsewhere"
        ln -s "$tmp/elsewhere" "$vol/.studio-probe"
        nbi "$vol"
        ran
        says "is not root's alone"
        [ -z "$(ls -A "$tmp/elsewhere")" ] || bad "wrote through the symlink"
    else
        echo "SKIP $case: the temporary directory is under /home, or no /usr/local/bin"
    fi
fi

[ $fail = 0 ] && echo "lifecycle script $(basename "$script"): $runs starts, all exit 0, all checks ok"
exit $fail
