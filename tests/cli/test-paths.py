#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A relative --path needs a current directory that has a name (issue 8).

getcwd() fails when the current directory was deleted or its name is longer
than PATH_MAX; the path used to be taken from "/" then, so `--path .` described
the root file system and `--bench --path .` wrote in "/". Now: exit 3, a message
that says why, nothing on stdout, nothing created in "/". Under --sysroot a
relative --path is taken from the snapshot's top, with or without a current
directory.

Usage: test-paths.py STUDIO_PROBE CASE | --list (one meson test per case)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib import cases, snapshot  # noqa: E402
from lib.checks import check, status  # noqa: E402

PROBE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "studio-probe"
PATH_MAX = 4096


def bench_leftovers():
    return sorted(n for n in os.listdir("/") if n.startswith("studio-probe-bench."))


def in_deleted_cwd(tmp, args):
    """Runs the probe with a current directory that was removed under it."""
    d = os.path.join(tmp, "gone")
    os.mkdir(d)
    return subprocess.run(["bash", "-c", 'cd "$1" && rmdir "$1" && shift && exec "$@"', "sh", d,
                           PROBE] + args, capture_output=True, timeout=120)


def in_deep_cwd(tmp, args):
    """Runs the probe from a directory whose name is longer than PATH_MAX, made
    with relative mkdir + chdir (no absolute name of it could be used)."""
    top = os.open(tmp, os.O_RDONLY | os.O_DIRECTORY)
    here = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fchdir(top)
        depth = 0
        while depth * 201 <= PATH_MAX + 200:
            os.makedirs("d" * 200, exist_ok=True)
            os.chdir("d" * 200)
            depth += 1
        try:
            os.getcwd()  # Python grows its buffer: the name itself is fine
        except OSError:
            pass
        return subprocess.run([PROBE] + args, capture_output=True, timeout=120)
    finally:
        os.fchdir(here)
        os.close(here)
        os.close(top)


def check_refused(label, p, why):
    err = p.stderr.decode(errors="replace")
    check(p.returncode == 3, f"{label}: exit status {p.returncode} (want 3); stderr={err!r}")
    check(p.stdout == b"", f"{label}: nothing on stdout (got {p.stdout[:120]!r})")
    want = f"studio-probe: cannot resolve relative path '.': the current directory {why}"
    check(want in err, f"{label}: stderr says {want!r}")


def case_cwd_deleted(tmp):
    check_refused("--path . --json", in_deleted_cwd(tmp, ["--path", ".", "--json"]), "was deleted")
    p = in_deleted_cwd(tmp, ["--path", "sub/dir", "--id"])
    check(p.returncode == 3 and b"was deleted" in p.stderr, "--path sub/dir: refused too")
    # An absolute path needs no current directory. (Not "/": every mount on
    # the machine would be a submount of it, another test's hung FUSE too.)
    p = in_deleted_cwd(tmp, ["--path", tmp, "--id"])
    check(p.returncode == 0, f"--path {tmp}: runs (exit {p.returncode}, {p.stderr!r})")


def case_bench(tmp, run, why):
    before = bench_leftovers()
    p = run(tmp, ["--bench", "--bench-time=0.2", "--bench-size=1M", "--path", ".", "--json"])
    check_refused("--bench --path .", p, why)
    check(b"/studio-probe-bench" not in p.stderr, "--bench --path .: no benchmark directory named")
    check(bench_leftovers() == before, f"nothing created in /: {bench_leftovers()}")


def case_cwd_too_long(tmp):
    check_refused("--path . --json", in_deep_cwd(tmp, ["--path", ".", "--json"]),
                  f"is longer than PATH_MAX ({PATH_MAX} bytes)")
    p = in_deep_cwd(tmp, ["--path", tmp, "--id"])
    check(p.returncode == 0, f"--path {tmp}: runs (exit {p.returncode}, {p.stderr!r})")


def case_sysroot_relative(tmp):
    """Decision: under --sysroot a relative --path is taken from the snapshot's
    top, as before; the caller's directory means nothing inside a snapshot."""
    root = os.path.join(tmp, "root")
    snapshot.build(root, mountinfo=["1 0 0:20 / / rw - overlay overlay rw",
                                    "2 1 0:30 / /home/sagemaker-user rw - tmpfs tmpfs rw"],
                   dirs=["/home/sagemaker-user/work"])
    # A directory of the same name where the caller is: must not be used.
    cwd = os.path.join(tmp, "cwd")
    os.makedirs(os.path.join(cwd, "home/sagemaker-user/elsewhere"))
    args = ["--sysroot", root, "--path", "home/sagemaker-user/work", "--json"]
    for label, p in (("from a directory", subprocess.run([PROBE] + args, cwd=cwd,
                                                         capture_output=True, timeout=60)),
                     ("from a deleted directory", in_deleted_cwd(tmp, args))):
        check(p.returncode == 0, f"{label}: exit {p.returncode}; stderr={p.stderr!r}")
        try:
            home = json.loads(p.stdout)["home"]
        except (ValueError, KeyError):
            check(False, f"{label}: JSON report, got {p.stdout[:200]!r}")
            continue
        check(home.get("resolved_path") == "/home/sagemaker-user/work",
              f"{label}: resolved inside the snapshot: {home.get('resolved_path')!r}")
        check(home.get("mountpoint") == "/home/sagemaker-user",
              f"{label}: on the snapshot's home mount: {home.get('mountpoint')!r}")


CASES = {
    "cwd-deleted": case_cwd_deleted,
    "cwd-deleted-bench": lambda t: case_bench(t, in_deleted_cwd, "was deleted"),
    "cwd-too-long": case_cwd_too_long,
    "cwd-too-long-bench": lambda t: case_bench(
        t, in_deep_cwd, f"is longer than PATH_MAX ({PATH_MAX} bytes)"),
    "sysroot-relative-path": case_sysroot_relative,
}


def main():
    cases.list_if_asked(CASES)
    if len(sys.argv) != 3 or sys.argv[2] not in CASES:
        print(__doc__, file=sys.stderr)
        print("cases: " + ", ".join(CASES), file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="studio-probe-paths.")
    try:
        CASES[sys.argv[2]](tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return status()


if __name__ == "__main__":
    sys.exit(main())
