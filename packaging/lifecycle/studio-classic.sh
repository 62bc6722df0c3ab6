#!/bin/bash
# SPDX-License-Identifier: MIT
#
# SageMaker Studio Classic lifecycle configuration (JupyterServer and
# KernelGateway apps): installs studio-probe, checks the app, logs the report as
# one JSON line and emits CloudWatch Embedded Metric Format (EMF) metrics. Its
# output goes to the log group /aws/sagemaker/studio, stream
# <DomainId>/<UserProfileName>/<AppType>/<AppName>/LifecycleConfigOnStart.
# The home directory is the domain's EFS volume, shared by the user's apps.
#
# A lifecycle script that exits non-zero or runs past 5 minutes stops the app
# from starting, so this one always exits 0 and bounds every step with timeout.
# Limit: 16,384 characters (keep the comments short).
#
# Attach:  aws sagemaker create-studio-lifecycle-config \
#   --studio-lifecycle-config-name studio-probe \
#   --studio-lifecycle-config-app-type JupyterServer \
#   --studio-lifecycle-config-content "$(base64 -w0 studio-classic.sh)"
set -eu

# ---- settings (edit here; the variables also override them) ----
# Where to get studio-probe when it is not installed: a .deb (URL or path),
# a conda channel (Classic images ship conda in /opt/conda), or a static binary URL.
STUDIO_PROBE_DEB=${STUDIO_PROBE_DEB:-}
STUDIO_PROBE_CONDA_CHANNEL=${STUDIO_PROBE_CONDA_CHANNEL:-}
STUDIO_PROBE_URL=${STUDIO_PROBE_URL:-}
# An installed binary to use as is (also how the tests stub the install step).
STUDIO_PROBE_BIN=${STUDIO_PROBE_BIN:-}
# The environment this space must be; a mismatch is logged, never fatal.
STUDIO_PROBE_EXPECT=${STUDIO_PROBE_EXPECT:-studio-classic}
# Extra arguments for every run, e.g. "--path /home/sagemaker-user/data".
# KernelGateway images run this as root; JupyterServer as sagemaker-user.
STUDIO_PROBE_ARGS=${STUDIO_PROBE_ARGS:-}
# Seconds per step: 6 steps at most, well inside the 5-minute limit.
STUDIO_PROBE_STEP_TIMEOUT=${STUDIO_PROBE_STEP_TIMEOUT:-30}
# Optional node_exporter textfile (written atomically by --output).
STUDIO_PROBE_PROM_FILE=${STUDIO_PROBE_PROM_FILE:-}

me=studio-probe-lcc
log() { printf '%s: %s\n' "$me" "$*" >&2; }

# Whatever goes wrong, the app starts: the exit status is always 0.
# shellcheck disable=SC2317  # invoked by the trap
finish() {
    rc=$?
    [ "$rc" = 0 ] || log "stopped early (exit $rc); the app starts anyway"
    exit 0
}
trap finish EXIT

# timeout(1) when present; -k: a step that ignores SIGTERM still ends.
limit=()
if command -v timeout >/dev/null 2>&1; then
    limit=(timeout -k 5 "$STUDIO_PROBE_STEP_TIMEOUT")
fi
# ${a[@]+...}: an empty array under set -u is an error before bash 4.4 (AL2).
bounded() { ${limit[@]+"${limit[@]}"} "$@"; }

as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        return 1
    fi
}

fetch() { # URL FILE
    if command -v curl >/dev/null 2>&1; then
        bounded curl -fsSL --retry 2 -o "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        bounded wget -q -O "$2" "$1"
    else
        log "neither curl nor wget to download $1"
        return 1
    fi
}

install_probe() {
    local tmp deb
    if [ -n "$STUDIO_PROBE_BIN" ]; then
        [ -x "$STUDIO_PROBE_BIN" ] && return 0
        log "STUDIO_PROBE_BIN=$STUDIO_PROBE_BIN is not executable"
        return 1
    fi
    if command -v studio-probe >/dev/null 2>&1; then
        STUDIO_PROBE_BIN=$(command -v studio-probe)
        return 0
    fi
    tmp=$(mktemp -d) || return 1
    if [ -n "$STUDIO_PROBE_DEB" ]; then
        deb=$STUDIO_PROBE_DEB
        case $deb in
        http://* | https://*)
            fetch "$deb" "$tmp/studio-probe.deb" || return 1
            deb=$tmp/studio-probe.deb
            ;;
        esac
        # apt-get resolves libmount1, libblkid1 and libcjson1.
        as_root ${limit[@]+"${limit[@]}"} env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -q --no-install-recommends "$deb" >&2 || return 1
    elif [ -n "$STUDIO_PROBE_CONDA_CHANNEL" ]; then
        local conda
        conda=$(command -v micromamba || command -v mamba || command -v conda) || return 1
        bounded "$conda" install -y -q -c "$STUDIO_PROBE_CONDA_CHANNEL" studio-probe >&2 ||
            return 1
    elif [ -n "$STUDIO_PROBE_URL" ]; then
        # The home directory is the user's EFS volume: installed once, kept.
        mkdir -p "$HOME/.local/bin"
        fetch "$STUDIO_PROBE_URL" "$tmp/studio-probe" || return 1
        chmod 0755 "$tmp/studio-probe"
        mv -f "$tmp/studio-probe" "$HOME/.local/bin/studio-probe"
        STUDIO_PROBE_BIN=$HOME/.local/bin/studio-probe
    else
        log "studio-probe is not installed and no source is set" \
            "(STUDIO_PROBE_DEB, STUDIO_PROBE_CONDA_CHANNEL or STUDIO_PROBE_URL); skipping"
        rm -rf "$tmp"
        return 1
    fi
    rm -rf "$tmp"
    [ -n "$STUDIO_PROBE_BIN" ] || STUDIO_PROBE_BIN=$(command -v studio-probe) || return 1
}

probe() { # ARGS...: the probe with the configured extra arguments
    local extra
    # Word splitting of STUDIO_PROBE_ARGS is intended; globbing is not.
    set -f
    # shellcheck disable=SC2206
    extra=($STUDIO_PROBE_ARGS)
    set +f
    bounded "$STUDIO_PROBE_BIN" ${extra[@]+"${extra[@]}"} "$@"
}

main() {
    local rc env json
    if ! install_probe; then
        log "studio-probe unavailable; nothing checked"
        return 0
    fi
    log "using $STUDIO_PROBE_BIN ($(bounded "$STUDIO_PROBE_BIN" --version 2>/dev/null || echo '?'))"

    # Check: exit 0 = as expected, 1 = another environment, else a failure.
    rc=0
    env=$(probe --quiet --expect="$STUDIO_PROBE_EXPECT") || rc=$?
    case $rc in
    0) log "environment $env, as expected" ;;
    1) log "WARNING: environment is $env, expected $STUDIO_PROBE_EXPECT" ;;
    *) log "WARNING: the check failed (exit $rc)" ;;
    esac

    # The report as one line: one CloudWatch event that Logs Insights parses.
    # The probe's JSON escapes newlines and tabs inside strings, so the raw
    # ones are layout only.
    rc=0
    json=$(probe --json) || rc=$?
    if [ -n "$json" ]; then
        printf '%s\n' "$json" | tr -d '\n\t'
        echo
    fi
    [ "$rc" = 0 ] || [ "$rc" = 1 ] || log "WARNING: the report is incomplete (exit $rc)"

    # EMF: one JSON line on stdout; CloudWatch turns it into metrics in the
    # StudioProbe namespace.
    probe --format=emf || log "WARNING: no EMF metrics (exit $?)"

    if [ -n "$STUDIO_PROBE_PROM_FILE" ]; then
        probe --format=prometheus --output="$STUDIO_PROBE_PROM_FILE" ||
            log "WARNING: could not write $STUDIO_PROBE_PROM_FILE"
    fi
    return 0
}

main "$@"
