#!/bin/bash
# SPDX-License-Identifier: MIT
# Writes the lifecycle scripts from lifecycle.sh.in, one per target, so they
# never drift apart. The scripts are committed (users paste them): edit the
# template or the table below, then run
#   packaging/lifecycle/generate.sh [OUTDIR]      (default: this directory)
# tests/packaging/check-lifecycle.sh checks the committed scripts are exactly
# what this writes.
#
# Template lines that start with '#%' choose lines per target and are not
# copied: '#%if TARGET...', '#%else', '#%end' (they nest). @NAME@ is replaced
# by the target's value of NAME below; a name with no value is an error.
set -eu
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
targets="jupyterlab codeeditor classic notebook"

# All or nothing: every script is written to a temporary file first.
parts=()
trap 'rm -f ${parts[@]+"${parts[@]}"}' EXIT
gen() { # TARGET FILE @NAME@=VALUE...
    local target=$1 file=$2 part
    shift 2
    part=$(mktemp "$out/.$file.XXXXXX")
    parts+=("$part")
    if ! awk -v target="$target" -v targets="$targets" -v tmpl="$here/lifecycle.sh.in" '
        function die(msg) {
            printf "%s:%d: %s\n", tmpl, NR, msg > "/dev/stderr"
            failed = 1
            exit 1
        }
        BEGIN {
            # The @NAME@=VALUE arguments are values, not files to read.
            for (i = 1; i < ARGC; i++) {
                eq = index(ARGV[i], "=")
                val[substr(ARGV[i], 1, eq - 1)] = substr(ARGV[i], eq + 1)
                delete ARGV[i]
            }
            ARGV[1] = tmpl
            ARGC = 2
            split(targets, t, " ")
            for (i in t) known[t[i]] = 1
        }
        /^#%/ {
            n = split(substr($0, 3), w, " ")
            if (w[1] == "if") {
                if (n < 2) die("#%if names no target")
                on = 0
                for (j = 2; j <= n; j++) {
                    if (!(w[j] in known)) die("unknown target " w[j])
                    if (w[j] == target) on = 1
                }
                cond[++depth] = on
                show[depth] = on
            } else if (w[1] == "else" && n == 1) {
                if (!depth) die("#%else without #%if")
                show[depth] = !cond[depth]
            } else if (w[1] == "end" && n == 1) {
                if (!depth) die("#%end without #%if")
                depth--
            } else {
                die("unknown directive " $0)
            }
            next
        }
        {
            for (j = 1; j <= depth; j++)
                if (!show[j]) next
            line = $0
            # Literal replacement: values may hold & and backslashes.
            for (k in val) {
                res = ""
                while ((p = index(line, k)) > 0) {
                    res = res substr(line, 1, p - 1) val[k]
                    line = substr(line, p + length(k))
                }
                line = res line
            }
            if (match(line, /@[A-Z][A-Z_]*@/))
                die("no value for " substr(line, RSTART, RLENGTH))
            print line
        }
        END {
            if (!failed && depth) die("#%if without #%end")
        }' "$@" @FILE@="$file" >"$part"; then
        exit 1
    fi
    chmod 0755 "$part"
}

# The Studio (new) and Classic home: $HOME (sagemaker-user's, or root's in
# Classic kernel images); only /home/ec2-user/SageMaker outlives a notebook
# instance stop. SageMaker's images keep conda in /opt/conda, notebook
# instances in ec2-user's anaconda3.
# shellcheck disable=SC2016  # ${HOME...} is written into the scripts as is
studio_keep='${HOME:-/home/sagemaker-user}/.local/share/studio-probe'

gen jupyterlab studio-jupyterlab.sh @APP@=JupyterLab @APPTYPE@=JupyterLab \
    @EXPECT@=studio-new @KEEP@="$studio_keep" @CONDA_PATH@=/opt/conda/bin
gen codeeditor studio-codeeditor.sh @APP@="Code Editor" @APPTYPE@=CodeEditor \
    @EXPECT@=studio-new @KEEP@="$studio_keep" @CONDA_PATH@=/opt/conda/bin
gen classic studio-classic.sh @APPTYPE@=JupyterServer \
    @EXPECT@=studio-classic @KEEP@="$studio_keep" @CONDA_PATH@=/opt/conda/bin
gen notebook notebook-instance.sh @EXPECT@=notebook-instance \
    @KEEP@=/home/ec2-user/SageMaker/.studio-probe \
    @CONDA_PATH@=/home/ec2-user/anaconda3/bin
for part in "${parts[@]}"; do
    f=${part##*/.}
    mv -f "$part" "$out/${f%.*}"
done
parts=()
