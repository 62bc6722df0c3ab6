#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Replays one fixture and compares the tool's output with the expected files.

    run-golden.py SCENARIO_DIR STUDIO_PROBE [--update]

Runs STUDIO_PROBE --sysroot SCENARIO_DIR/root ARGS... twice, with --json and
without, in a clean environment (LC_ALL=C.UTF-8, TZ=UTC, NO_COLOR=1 and
nothing else), and compares with SCENARIO_DIR/expected.json (stdout of the
--json run), expected.txt (stdout of the human run), expected.err (stderr of
both runs; missing means empty) and expected.exit (missing means 0).
The absolute sysroot path becomes @SYSROOT@ and the tool's version
@VERSION@, so the files hold neither the checkout's location nor the
release.

--update rewrites the expected files from this run. Read the diff before
committing it: a golden file is a claim that the output is right.
"""

import difflib
import json
import os
import re
import subprocess
import sys

TIMEOUT_S = 60


def read(path, default=None):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return default


def write_or_remove(path, data, keep_when_empty=True):
    if not keep_when_empty and not data:
        if os.path.exists(path):
            os.unlink(path)
        return
    with open(path, "wb") as f:
        f.write(data)


def load_args(path):
    data = read(path, b"")
    # One argument a line; bytes, so that a path may hold invalid UTF-8.
    return [a for a in data.split(b"\n") if a]


def tool_version(exe, env):
    p = subprocess.run([exe, "--version"], env=env, capture_output=True, timeout=TIMEOUT_S)
    words = p.stdout.decode("utf-8", "replace").split()
    if p.returncode != 0 or len(words) < 2:
        sys.exit("run-golden: %s --version failed (exit %d)" % (exe, p.returncode))
    return words[-1]


def normalise(data, sysroot, version):
    data = data.replace(os.fsencode(sysroot), b"@SYSROOT@")
    # Only the tool object's version: a bare replace would hit sizes or ids
    # that happen to contain the same digits.
    data = re.sub(rb'("name":\s*"studio-probe",\s*"version":\s*)"' + re.escape(version.encode())
                  + rb'"', rb'\1"@VERSION@"', data)
    return data


def run(exe, sysroot, args, env, version):
    cmd = [exe, "--sysroot", sysroot] + args
    p = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=TIMEOUT_S)
    return (normalise(p.stdout, sysroot, version), normalise(p.stderr, sysroot, version),
            p.returncode)


def diff(name, expected, actual):
    e = expected.decode("utf-8", "backslashreplace").splitlines(keepends=True)
    a = actual.decode("utf-8", "backslashreplace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(e, a, "expected/" + name, "actual/" + name))


def main(argv):
    update = "--update" in argv[1:]
    pos = [a for a in argv[1:] if a != "--update"]
    if len(pos) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    sdir, exe = os.path.abspath(pos[0]), os.path.abspath(pos[1])
    sysroot = os.path.join(sdir, "root")
    if not os.path.isdir(sysroot):
        print("run-golden: %s has no root/ tree" % sdir, file=sys.stderr)
        return 2

    env = {"LC_ALL": "C.UTF-8", "TZ": "UTC", "NO_COLOR": "1"}
    version = tool_version(exe, env)
    args = load_args(os.path.join(sdir, "args"))

    # --quiet and --json exclude each other (a usage error): quiet scenarios
    # have no JSON run and no expected.json.
    quiet = any(a in (b"-q", b"--quiet") for a in args)
    t_out, t_err, t_rc = run(exe, sysroot, args, env, version)
    if quiet:
        j_out, j_err, j_rc = None, t_err, t_rc
    else:
        j_out, j_err, j_rc = run(exe, sysroot, [b"--json"] + args, env, version)

    problems = []
    for label, out in (("--json", j_out), ("text", t_out)):
        if out is None:
            continue
        try:
            out.decode("utf-8")
        except UnicodeDecodeError as e:
            problems.append("%s stdout is not valid UTF-8: %s" % (label, e))
    if j_rc in (0, 1, 3) and j_out:
        try:
            doc = json.loads(j_out)
            if not isinstance(doc, dict) or doc.get("schema_version") != 1:
                problems.append("--json stdout is not a schema_version 1 object")
        except ValueError as e:
            problems.append("--json stdout is not JSON: %s" % e)
    if j_rc != t_rc:
        problems.append("exit status differs: %d with --json, %d without" % (j_rc, t_rc))
    if j_err != t_err:
        problems.append("stderr differs between the runs:\n" + diff("stderr", j_err, t_err))

    files = {
        "expected.json": j_out,  # None: no JSON run
        "expected.txt": t_out,
        "expected.err": t_err,
        "expected.exit": b"%d\n" % t_rc,
    }
    if update:
        for problem in problems:
            print("run-golden: %s: %s" % (os.path.basename(sdir), problem), file=sys.stderr)
        for name, data in files.items():
            path = os.path.join(sdir, name)
            if data is None:
                if os.path.exists(path):
                    os.unlink(path)
            elif name == "expected.err":
                write_or_remove(path, data, keep_when_empty=False)
            elif name == "expected.exit" and t_rc == 0:
                write_or_remove(path, b"", keep_when_empty=False)
            else:
                write_or_remove(path, data)
        print("run-golden: updated %s (exit %d)" % (os.path.basename(sdir), t_rc))
        return 1 if problems else 0

    expected_rc = int(read(os.path.join(sdir, "expected.exit"), b"0").strip() or b"0")
    if t_rc != expected_rc or j_rc != expected_rc:
        problems.append("exit status %d (--json) / %d (text), expected %d"
                        % (j_rc, t_rc, expected_rc))
    for name in ("expected.json", "expected.txt", "expected.err"):
        if files[name] is None:
            if os.path.exists(os.path.join(sdir, name)):
                problems.append("%s exists, but a --quiet scenario has no JSON run" % name)
            continue
        expected = read(os.path.join(sdir, name), None if name != "expected.err" else b"")
        if expected is None:
            problems.append("%s is missing (run with --update and review)" % name)
            continue
        if expected != files[name]:
            problems.append("%s differs:\n%s" % (name, diff(name, expected, files[name])))

    if problems:
        print("FAIL %s" % os.path.basename(sdir))
        for p in problems:
            print(p.rstrip("\n"))
        return 1
    print("ok %s" % os.path.basename(sdir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
