#!/bin/bash
# SPDX-License-Identifier: MIT
# studio-classic.sh: made by generate.sh from lifecycle.sh.in; edit those, not this.
#
# SageMaker Studio Classic lifecycle configuration: JupyterServer apps (Amazon
# Linux, yum) and KernelGateway apps (SageMaker's images: Ubuntu, apt, root).
# The home is the user's directory on the domain's EFS, shared by their apps.
# Logs: /aws/sagemaker/studio, <DomainId>/<UserProfileName>/<AppType>/<AppName>/LifecycleConfigOnStart.
#
# Installs studio-probe, checks the environment, writes the JSON report to a
# file, logs a summary line and an EMF line (CloudWatch metrics). Exits 0 even
# on errors: a failing lifecycle script stops the app from starting.
#
# Budget: fetch 60 + install 120 + 4 probe runs x 20 = 260 s of the 300 s limit.
# Each step ends within its share, except conda, apt-get, dnf and yum, which are
# never killed: they start only if their share is left, and go on in the
# background if they need more.
#
# Limit: 16,384 characters of base64. Attach with
#   aws sagemaker create-studio-lifecycle-config \
#     --studio-lifecycle-config-name studio-probe \
#     --studio-lifecycle-config-app-type JupyterServer \
#     --studio-lifecycle-config-content "$(base64 -w0 studio-classic.sh)"
# and once more with KernelGateway for the kernel apps.
set -eu

# ---- settings: edit here, or set variables of the same name ----
# The static binary of packaging/static/build.sh (studio-probe-VERSION-x86_64-linux
# or -aarch64-linux) and its SHA-256 (or the .sha256 file's text). A URL
# ending in .deb or .rpm is installed with apt-get, dnf or yum.
STUDIO_PROBE_URL=${STUDIO_PROBE_URL:-}
STUDIO_PROBE_SHA256=${STUDIO_PROBE_SHA256:-}
# Or a conda channel: installs into a private prefix, never into Jupyter's.
STUDIO_PROBE_CONDA_CHANNEL=${STUDIO_PROBE_CONDA_CHANNEL:-}
# An installed binary to use as is.
STUDIO_PROBE_BIN=${STUDIO_PROBE_BIN:-}
# The environment expected; a mismatch is logged, never fatal.
STUDIO_PROBE_EXPECT=${STUDIO_PROBE_EXPECT:-studio-classic}
# Extra arguments for every run, e.g. "--path /home/sagemaker-user/data".
STUDIO_PROBE_ARGS=${STUDIO_PROBE_ARGS:-}
# Optional node_exporter textfile.
STUDIO_PROBE_PROM_FILE=${STUDIO_PROBE_PROM_FILE:-}
# Kept across restarts: the report and the conda prefix (the binary: bindir).
STUDIO_PROBE_KEEP=${STUDIO_PROBE_KEEP:-${HOME:-/home/sagemaker-user}/.local/share/studio-probe}
keep=$STUDIO_PROBE_KEEP bindir=${HOME:-/home/sagemaker-user}/.local/bin
# The budget's shares, in seconds.
T_FETCH=${STUDIO_PROBE_FETCH_TIMEOUT:-60}
T_INSTALL=${STUDIO_PROBE_INSTALL_TIMEOUT:-120}
T_STEP=${STUDIO_PROBE_STEP_TIMEOUT:-20}

# How the probe writes a file: the one place to change if it is renamed.
out_opt=--output-file
tmp='' bg='' kept='' bin='' how='' sum='' longlog=''
log() { printf 'studio-probe-lcc: %s\n' "$*" >&2; }

# Whatever goes wrong, the app starts.
# shellcheck disable=SC2317  # invoked by the trap
finish() {
    rc=$?
    [ "$rc" = 0 ] || log "stopped early (exit $rc); the app starts anyway"
    # A background install may still read its download from $tmp.
    [ -z "$tmp" ] || [ -n "$bg" ] || rm -rf "$tmp"
    exit 0
}
trap finish EXIT

# Whatever the settings, 30 s of the 5 minutes stay spare.
deadline=$((T_FETCH + T_INSTALL + 4 * T_STEP))
[ "$deadline" -le 270 ] || deadline=270

bounded() { # SHARE CMD...: ends within SHARE s and before the deadline
    local t=$1
    shift
    [ "$t" -le $((deadline - SECONDS)) ] || t=$((deadline - SECONDS))
    [ "$t" -ge 2 ] || { log "no time left for ${1##*/}"; return 124; }
    [ -z "$(command -v timeout)" ] || set -- timeout -k 1 $((t - 1)) "$@"
    "$@"
}

# Whether an install fits: its share and the probe runs after it.
fits() {
    [ $((deadline - SECONDS)) -ge $((T_INSTALL + 4 * T_STEP)) ] && return
    log "$1: not started, less than its $T_INSTALL s share is left"
    return 1
}

long_step() { # NAME CMD...: never killed; waited for T_INSTALL s at most
    local name=$1 pid t=$T_INSTALL
    shift
    if command -v nohup >/dev/null 2>&1; then set -- nohup "$@"; fi
    if command -v setsid >/dev/null 2>&1; then set -- setsid "$@"; fi
    # Not our stdout: the log would stay open while it runs.
    "$@" >>"$longlog" 2>&1 </dev/null &
    pid=$! bg=1
    while [ "$t" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
        sleep 1
        t=$((t - 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name goes on in the background (log: $longlog)"
        return 1
    fi
    bg=''
    wait "$pid" || { log "$name failed (exit $?, log: $longlog)"; return 1; }
}

usable() { # DIR: made if missing, writable
    [ -d "$1" ] || mkdir -p "$1" 2>/dev/null || return 1
    [ -w "$1" ]
}

sha_of() { # FILE: its SHA-256
    local h
    h=$(sha256sum <"$1") || return 1
    printf '%s' "${h%% *}"
}

download() { # URL FILE: refused unless its SHA-256 is $sum
    local got=none
    if command -v curl >/dev/null 2>&1; then
        bounded "$T_FETCH" curl -fsSL --retry 2 -o "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        bounded "$T_FETCH" wget -q -O "$2" "$1"
    else
        log "neither curl nor wget to download $1"
        false
    fi && got=$(sha_of "$2")
    [ "$got" = "$sum" ] && return
    rm -f "$2"
    if [ "$got" = none ]; then
        log "could not download $1"
    else
        log "REFUSED $1: its SHA-256 is $got, not $sum; nothing installed"
    fi
    return 1
}

check_url() { # the URL fits this machine, its SHA-256 is given: sets sum
    case $STUDIO_PROBE_URL in
    *-linux) [[ $STUDIO_PROBE_URL == *-$(uname -m)-linux ]] ||
        { log "$STUDIO_PROBE_URL is not for this $(uname -m) machine"; return 1; } ;;
    esac
    sum=$(printf '%s' "${STUDIO_PROBE_SHA256%% *}" | tr A-F a-f)
    case ${#sum}:$sum in
    64:*[!0-9a-f]*) ;;
    64:*) command -v sha256sum >/dev/null && return ;;
    esac
    log "need sha256sum and STUDIO_PROBE_SHA256, 64 hex digits; not installing"
    return 1
}

static_install() { # sets bin: the binary at the URL, kept and reused
    local dir=$bindir f=''
    if ! usable "$dir"; then
        log "$dir is not writable: the download is used once, not kept"
        dir=$tmp
    elif [ -f "$dir/studio-probe" ]; then
        if [ "$(sha_of "$dir/studio-probe")" = "$sum" ]; then
            bin=$dir/studio-probe how=reused
        else
            log "removing $dir/studio-probe: not the SHA-256 asked for"
            rm -f "$dir/studio-probe"
        fi
    fi
    if [ -z "$bin" ]; then
        # mktemp's mode is 0600: not executable before it is checked.
        f=$(mktemp "$dir/.studio-probe.XXXXXX") && download "$STUDIO_PROBE_URL" "$f" || return 1
        if ! { chmod 0755 "$f" && mv -f "$f" "$dir/studio-probe"; }; then
            rm -f "$f"
            return 1
        fi
        bin=$dir/studio-probe how=downloaded
    fi
}

pkg_install() { # KIND: the .deb or .rpm at the URL, with the image's package manager
    local pm=none f=$tmp/studio-probe.$1 su=()
    for pm in apt-get dnf yum none; do command -v $pm >/dev/null && break; done
    case $1:$pm in
    deb:apt-get | rpm:dnf | rpm:yum) ;;
    *) log "cannot install a .$1: the package manager is $pm" && return 1 ;;
    esac
    download "$STUDIO_PROBE_URL" "$f" && fits "$pm" || return 1
    [ "$(id -u)" = 0 ] || su=(sudo -n)
    log "installing $f with $pm"
    if [ "$pm" = apt-get ]; then
        set -- env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends
    else
        set -- "$pm" install -y -q
    fi
    long_step "$pm" ${su[@]+"${su[@]}"} "$@" "$f" || return 1
    bin=$(command -v studio-probe) || { log "$pm installed no studio-probe"; return 1; }
    how="package, $pm"
}

conda_install() { # sets bin from the private prefix, made when missing
    local p=$keep/conda conda
    if [ -f "$p.ok" ] && [ -x "$p/bin/studio-probe" ]; then
        bin=$p/bin/studio-probe how="conda prefix $p"
        return 0
    fi
    [ -n "$kept" ] || { log "conda: $keep is not writable"; return 1; }
    conda=$(
        PATH=$PATH:/opt/conda/bin
        command -v micromamba || command -v mamba || command -v conda
    ) || { log "no micromamba, mamba or conda"; return 1; }
    fits conda || return 1
    # The user's apps share the home: one install at a time. A lock older
    # than an hour was left by a start that was cut off.
    find "$p.lock" -maxdepth 0 -mmin +60 -exec rm -rf {} + 2>/dev/null || true
    mkdir "$p.lock" 2>/dev/null || { log "conda: another app is installing into $p"; return 1; }
    rm -rf "$p.ok" "$p"
    log "installing studio-probe into $p with $conda"
    # shellcheck disable=SC2016  # for the inner shell
    long_step conda sh -c '"$@" && : >"$0.ok"; rm -rf "$0.pkgs" "$0.lock"' "$p" \
        env CONDA_PKGS_DIRS="$p.pkgs" "$conda" create -y -q -p "$p" \
        -c "$STUDIO_PROBE_CONDA_CHANNEL" studio-probe || return 1
    [ -x "$p/bin/studio-probe" ] || { log "conda installed no studio-probe"; return 1; }
    bin=$p/bin/studio-probe how="conda prefix $p, new"
}

find_probe() { # sets bin and how
    if [ -n "$STUDIO_PROBE_BIN" ]; then
        bin=$STUDIO_PROBE_BIN how=given
        [ -x "$bin" ] || { log "STUDIO_PROBE_BIN=$bin is not executable"; return 1; }
    elif [ -n "$STUDIO_PROBE_URL" ]; then
        check_url || return 1
        case ${STUDIO_PROBE_URL%%\?*} in
        *.deb) pkg_install deb ;;
        *.rpm) pkg_install rpm ;;
        *) static_install ;;
        esac
    elif [ -n "$STUDIO_PROBE_CONDA_CHANNEL" ]; then
        conda_install
    elif bin=$(command -v studio-probe); then
        how="found on PATH"
    else
        log "studio-probe is not installed and no source is set (STUDIO_PROBE_URL" \
            "and STUDIO_PROBE_SHA256, or STUDIO_PROBE_CONDA_CHANNEL)"
        return 1
    fi
}

probe() { # ARGS...: one bounded run, with the extra arguments
    local extra
    set -f # split STUDIO_PROBE_ARGS, without globbing
    # shellcheck disable=SC2206
    extra=($STUDIO_PROBE_ARGS)
    set +f
    bounded "$T_STEP" "$bin" ${extra[@]+"${extra[@]}"} "$@"
}

main() {
    local rc=0 env emf kind report="none ($keep is not writable)"
    tmp=$(mktemp -d)
    longlog=$tmp/install.log
    if usable "$keep"; then
        kept=1 longlog=$keep/install.log report=$keep/report.json
    fi
    find_probe || { log "studio-probe unavailable; nothing checked"; return 0; }
    log "using $bin ($how)"

    # Exit 0 = as expected, 1 = another environment, else a failure.
    env=$(probe --id --expect="$STUDIO_PROBE_EXPECT") || rc=$?
    case $rc in
    0) log "environment $env, as expected" ;;
    1) log "WARNING: environment is $env, expected $STUDIO_PROBE_EXPECT" ;;
    *) log "WARNING: the check failed (exit $rc)" ;;
    esac

    if [ -n "$kept" ]; then
        rc=0
        probe --json "$out_opt=$report" || rc=$?
        [ "$rc" = 0 ] || log "WARNING: the report is incomplete (exit $rc)"
    fi

    # EMF: one JSON line on stdout; CloudWatch makes it metrics (StudioProbe).
    emf=$(probe --format=emf) || log "WARNING: no EMF metrics (exit $?)"
    [ -z "$emf" ] || printf '%s\n' "$emf"
    kind=$(printf '%s' "$emf" | sed -n 's/.*"StorageKind":"\([^"]*\)".*/\1/p')

    if [ -n "$STUDIO_PROBE_PROM_FILE" ]; then
        probe --format=prometheus "$out_opt=$STUDIO_PROBE_PROM_FILE" ||
            log "WARNING: could not write $STUDIO_PROBE_PROM_FILE"
    fi
    log "summary: environment=${env:-unknown} expected=$STUDIO_PROBE_EXPECT" \
        "storage=${kind:-unknown} binary=$bin ($how) report=$report"
}

main "$@"
