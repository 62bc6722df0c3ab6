#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""collect's destination (issue 8): an archive name is never taken for one of
tar's options, tar's environment adds none, and a directory others can write
(another user's, mode 0777 or 0770, or one in a directory everyone can write
without the sticky bit) is refused with exit status 2 before anything is
probed, and left as it was.

Usage: test-collect-dest.py STUDIO_PROBE CASE | --list (one meson test per case)."""

import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib import cases  # noqa: E402
from lib.checks import SKIP, check, status  # noqa: E402

PROBE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "studio-probe"


def run(args, cwd=None, env=None):
    e = dict(os.environ)
    e.update(env or {})
    try:
        return subprocess.run([PROBE] + args, capture_output=True, text=True, cwd=cwd, env=e,
                              timeout=60)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, -1, "", "(did not return within 60 s)")


def check_archive(tmp, archive, name):
    """tar lists it, every member is under NAME/, and NAME/report.json is JSON."""
    t = subprocess.run(["tar", "-tzf", archive], capture_output=True, text=True)
    names = t.stdout.split("\n")[:-1]
    check(t.returncode == 0, f"{archive}: tar -tzf reads it ({t.stderr.strip()!r})")
    if t.returncode != 0:
        with open(archive, "rb") as f:
            print(f"  it holds: {f.read(120)!r}")
        return
    check(f"{name}/report.json" in names, f"{archive}: holds {name}/report.json")
    check(all(n == name + "/" or n.startswith(name + "/") for n in names),
          f"{archive}: everything is under {name}/")
    out = tempfile.mkdtemp(dir=tmp)
    with tarfile.open(archive) as tf:
        tf.extractall(out, filter="tar") if hasattr(tarfile, "tar_filter") else tf.extractall(out)
    try:
        with open(os.path.join(out, name, "report.json")) as f:
            json.load(f)
        check(True, f"{archive}: extracts to a directory named {name!r} with the report")
    except (OSError, ValueError) as e:
        check(False, f"{archive}: extracts to {name!r}: {e}")


def case_archive_option_names(tmp):
    """Names that tar would take for options: --help made tar print its help
    and exit 0, and an empty file stood for the bundle."""
    for args, file, name in ((["collect", "./--help.tgz"], "--help.tgz", "--help"),
                             (["collect", "--", "-x.tar.gz"], "-x.tar.gz", "-x"),
                             (["collect", "./-C.tgz"], "-C.tgz", "-C"),
                             (["collect", "./--exclude=*.tar.gz"], "--exclude=*.tar.gz",
                              "--exclude=*")):
        p = run(args, cwd=tmp)
        check(p.returncode == 0, f"{args}: exit {p.returncode}; stderr={p.stderr!r}")
        check("Usage" not in p.stdout and "GNU" not in p.stdout,
              f"{args}: no tar help on stdout ({p.stdout[:80]!r})")
        path = os.path.join(tmp, file)
        if os.path.exists(path):
            check_archive(tmp, path, name)
        else:
            check(False, f"{args}: {file} was written")


def case_archive_tar_environment(tmp):
    """TAR_OPTIONS is prepended to tar's arguments: --exclude dropped the
    report (and --dereference followed the bundle's sysfs links into this
    machine's /sys, round and round)."""
    archive = os.path.join(tmp, "env.tgz")
    p = run(["collect", archive], env={"TAR_OPTIONS": "--exclude=report.json", "GZIP": "-1"})
    check(p.returncode == 0, f"exit {p.returncode}; stderr={p.stderr!r}")
    if os.path.exists(archive):
        check_archive(tmp, archive, "env")


def case_dest_other_owner(tmp):
    if os.geteuid() != 0:
        print("SKIP: needs root to plant a directory of another user")
        return SKIP
    d = os.path.join(tmp, "planted")
    os.mkdir(d, 0o700)
    os.chown(d, 1000, 1000)
    p = run(["collect", d])
    check(p.returncode == 2, f"another user's directory: exit {p.returncode} (want 2); "
          f"stderr={p.stderr!r}")
    check("belongs to uid 1000" in p.stderr, f"the message names the owner: {p.stderr!r}")
    check(p.stdout == "", "nothing on stdout")
    check(os.listdir(d) == [], f"the directory is left empty: {os.listdir(d)}")
    st = os.stat(d)
    check((st.st_uid, stat.S_IMODE(st.st_mode)) == (1000, 0o700), "and as it was")
    # The same under a world-writable sticky directory, /tmp's case.
    sticky = os.path.join(tmp, "sticky")
    os.mkdir(sticky)
    os.chmod(sticky, 0o1777)
    d2 = os.path.join(sticky, "planted")
    os.mkdir(d2)
    os.chown(d2, 1000, 1000)
    p = run(["collect", d2])
    check(p.returncode == 2 and "belongs to uid 1000" in p.stderr,
          f"in a sticky directory: exit {p.returncode}, {p.stderr!r}")


def case_dest_writable_by_others(tmp):
    for mode, who in ((0o777, "everyone"), (0o770, "its group"), (0o722, "everyone")):
        d = os.path.join(tmp, f"mode{mode:o}")
        os.mkdir(d)
        os.chmod(d, mode)
        p = run(["collect", d])
        check(p.returncode == 2, f"mode {mode:o}: exit {p.returncode} (want 2); "
              f"stderr={p.stderr!r}")
        check(f"is writable by {who}" in p.stderr, f"mode {mode:o}: says who can write")
        check(os.listdir(d) == [], f"mode {mode:o}: left empty")
        check(stat.S_IMODE(os.stat(d).st_mode) == mode, f"mode {mode:o}: mode unchanged")
    # Only we can write: fine, made or given.
    d = os.path.join(tmp, "mine")
    os.mkdir(d)
    os.chmod(d, 0o755)
    p = run(["collect", d])
    check(p.returncode == 0, f"mode 755, ours: exit {p.returncode}; {p.stderr!r}")
    check(os.path.isfile(os.path.join(d, "report.json")), "mode 755, ours: bundle written")


def case_dest_parent_world_writable(tmp):
    par = os.path.join(tmp, "open")
    os.mkdir(par)
    os.chmod(par, 0o777)
    for dest in ("b", "b.tgz"):
        p = run(["collect", os.path.join(par, dest)])
        check(p.returncode == 2, f"{dest} in a 0777 directory: exit {p.returncode} (want 2); "
              f"stderr={p.stderr!r}")
        check("no sticky bit" in p.stderr, f"{dest}: says why ({p.stderr!r})")
    check(os.listdir(par) == [], f"nothing created in it: {os.listdir(par)}")
    # With the sticky bit (/tmp's 1777) nobody else can rename what we make.
    os.chmod(par, 0o1777)
    p = run(["collect", os.path.join(par, "b")])
    check(p.returncode == 0, f"in a 1777 directory: exit {p.returncode}; {p.stderr!r}")
    check(stat.S_IMODE(os.stat(os.path.join(par, "b")).st_mode) == 0o700,
          "in a 1777 directory: made 0700")


def case_dest_removed_on_failure(tmp):
    """A directory collect made is removed when the run fails (through its
    descriptor now); one the user gave is left."""
    made = os.path.join(tmp, "made")
    p = run(["--path", os.path.join(tmp, "missing"), "collect", made])
    check(p.returncode == 3, f"a failing probe: exit {p.returncode}; {p.stderr!r}")
    check(not os.path.lexists(made), "the directory collect made is gone")
    given = os.path.join(tmp, "given")
    os.mkdir(given)
    p = run(["--path", os.path.join(tmp, "missing"), "collect", given])
    check(p.returncode == 3 and os.path.isdir(given), "an empty directory given is left")


CASES = {
    "archive-option-names": case_archive_option_names,
    "archive-tar-environment": case_archive_tar_environment,
    "dest-other-owner": case_dest_other_owner,
    "dest-writable-by-others": case_dest_writable_by_others,
    "dest-parent-world-writable": case_dest_parent_world_writable,
    "dest-removed-on-failure": case_dest_removed_on_failure,
}


def main():
    cases.list_if_asked(CASES)
    if len(sys.argv) != 3 or sys.argv[2] not in CASES:
        print(__doc__, file=sys.stderr)
        print("cases: " + ", ".join(CASES), file=sys.stderr)
        return 2
    if not shutil.which("tar"):
        print("SKIP: tar is not installed")
        return SKIP
    tmp = tempfile.mkdtemp(prefix="studio-probe-collect-dest.")
    try:
        rc = CASES[sys.argv[2]](tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if rc == SKIP:
        return SKIP
    return status()


if __name__ == "__main__":
    sys.exit(main())
