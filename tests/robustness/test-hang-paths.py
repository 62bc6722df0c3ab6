#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Dead mounts met by a path, not inspected directly (issue 8), with hangfs
(a FUSE file system that never answers, like a dead hard NFS mount):

  symlink-to-dead-mount  --path LINK, LINK on a healthy file system pointing
                         into the dead mount (~/user-default-efs on a dead
                         EFS): the report names the dead mount, not the one
                         holding the link;
  sysroot-dead-mount     --sysroot on the dead mount (directly or through a
                         link): exit 3 within --timeout + 1 s, naming it;
  collect-dead-dest      collect into the dead mount, or an archive whose
                         temporary directory ($TMPDIR) is on it: the same.

Needs root and /dev/fuse: exit 77 otherwise. Always unmounts.

Usage: test-hang-paths.py STUDIO_PROBE HANGFS CASE | --list"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib import cases, fuse  # noqa: E402
from lib.checks import SKIP, check, failures, status  # noqa: E402
from lib.fuse import FuseDaemon, mounted  # noqa: E402

TIMEOUT_S = 1
BOUND_S = TIMEOUT_S + 1.0


class Result:
    def __init__(self, rc, out, err, elapsed):
        self.returncode, self.stdout, self.stderr, self.elapsed = rc, out, err, elapsed


def run_probe(argv, env=None):
    """A probe that hangs in D state cannot be waited for: after 20 s it is
    killed and left; it dies once hangfs goes away."""
    e = dict(os.environ)
    e.update(env or {})
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)
    try:
        out, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        return Result(None, b"", b"(hung: did not return within 20 s)", time.monotonic() - t0)
    return Result(p.returncode, out, err, time.monotonic() - t0)


def check_failed_in_time(label, r, want_err):
    err = r.stderr.decode(errors="replace")
    check(r.elapsed <= BOUND_S, f"{label}: returned in {r.elapsed:.2f} s (bound {BOUND_S} s)")
    check(r.returncode == 3, f"{label}: exit status {r.returncode} (want 3)")
    check(want_err in err, f"{label}: stderr says {want_err!r}; got {err.strip()!r}")


def dead_mount_says(mnt):
    return f"{mnt} (fuse.hangfs from hangfs) did not answer within {TIMEOUT_S} s"


def case_symlink(probe, hangfs, tmp):
    home = os.path.join(tmp, "home")  # the healthy home, a tmpfs of its own
    efs = os.path.join(tmp, "efs")    # the dead EFS
    os.mkdir(home)
    os.mkdir(efs)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "studio-probe-home", home]
                      ).returncode != 0:
        print("SKIP: cannot mount a tmpfs here")
        return SKIP
    try:
        links = {
            "user-default-efs": efs,                   # absolute, to the mount point
            "efs-sub": os.path.join(efs, "fs-0123/x"),  # into it (lookups that hang)
            "relative": "../efs/sub",                  # relative, out of the home
        }
        for name, target in links.items():
            os.symlink(target, os.path.join(home, name))
        os.symlink(os.path.join(home, "user-default-efs"), os.path.join(home, "chain"))
        with FuseDaemon([hangfs, efs], efs):
            for name in list(links) + ["chain"]:
                link = os.path.join(home, name)
                label = f"--path ~/{name}"
                r = run_probe([probe, f"--path={link}", f"--timeout={TIMEOUT_S}", "--json"])
                check_failed_in_time(label, r, f"{efs} (fuse.hangfs from hangfs): did not "
                                     f"answer within {TIMEOUT_S} s")
                try:
                    h = json.loads(r.stdout).get("home") or {}
                except ValueError:
                    check(False, f"{label}: a JSON report, got {r.stdout[:200]!r}")
                    continue
                check(h.get("path") == link, f"{label}: home.path is {h.get('path')!r}")
                check(h.get("mountpoint") == efs,
                      f"{label}: home.mountpoint is the dead mount: {h.get('mountpoint')!r} "
                      f"(the link's own is {home})")
                check(h.get("fstype") == "fuse.hangfs", f"{label}: fstype {h.get('fstype')!r}")
                check("did not answer" in (h.get("error") or ""),
                      f"{label}: home.error is {h.get('error')!r}")
                check(h.get("resolved_path") is None, f"{label}: no resolved path claimed")
            # The link's own file system still answers: a path in it is fine.
            r = run_probe([probe, f"--path={home}", f"--timeout={TIMEOUT_S}", "--id"])
            check(r.returncode == 0, f"--path ~: exit {r.returncode}, {r.stderr!r}")
    finally:
        subprocess.run(["umount", "-l", home])
    check(not mounted(efs) and not mounted(home), "unmounted afterwards")
    return 0


def case_sysroot(probe, hangfs, tmp):
    mnt = os.path.join(tmp, "mnt")
    os.mkdir(mnt)
    link = os.path.join(tmp, "link")
    os.symlink(mnt, link)
    out = os.path.join(tmp, "bundle")
    with FuseDaemon([hangfs, mnt], mnt):
        for label, root in (("--sysroot=MNT", mnt), ("--sysroot=MNT/snapshot",
                                                     os.path.join(mnt, "snapshot")),
                            ("--sysroot=LINK/snapshot", os.path.join(link, "snapshot"))):
            r = run_probe([probe, f"--sysroot={root}", f"--timeout={TIMEOUT_S}", "--json"])
            check_failed_in_time(label, r, f"cannot open --sysroot {root}: "
                                 + dead_mount_says(mnt))
            check(r.stdout == b"", f"{label}: nothing on stdout")
        r = run_probe([probe, f"--sysroot={mnt}", f"--timeout={TIMEOUT_S}", "collect", out])
        check_failed_in_time("--sysroot=MNT collect", r, f"cannot open --sysroot {mnt}")
        check(not os.path.lexists(out), "--sysroot=MNT collect: no bundle left")
    check(not mounted(mnt), "unmounted afterwards")
    return 0


def case_collect(probe, hangfs, tmp):
    mnt = os.path.join(tmp, "mnt")
    os.mkdir(mnt)
    snap = os.path.join(tmp, "snapshot")  # a healthy sysroot: only the destination hangs
    os.makedirs(os.path.join(snap, "proc", "self"))
    with open(os.path.join(snap, "proc", "self", "mountinfo"), "w") as f:
        f.write("1 0 0:20 / / rw - overlay overlay rw\n")
    base = [probe, f"--sysroot={snap}", "--path=/", f"--timeout={TIMEOUT_S}", "collect"]
    with FuseDaemon([hangfs, mnt], mnt):
        for label, dest, env in (("collect MNT/bundle", os.path.join(mnt, "bundle"), None),
                                 ("collect MNT", mnt, None),
                                 ("collect MNT/b.tgz", os.path.join(mnt, "b.tgz"), None),
                                 ("TMPDIR=MNT collect b.tgz", os.path.join(tmp, "b.tgz"),
                                  {"TMPDIR": mnt})):
            r = run_probe(base + [dest], env=env)
            check_failed_in_time(label, r, f"collect: cannot write {dest}: ")
            check(dead_mount_says(mnt) in r.stderr.decode(errors="replace"),
                  f"{label}: names the dead mount")
        check(not os.path.lexists(os.path.join(tmp, "b.tgz")), "no archive left")
        # Control: the same healthy collect works.
        r = run_probe(base + [os.path.join(tmp, "ok")])
        check(r.returncode == 0, f"collect into a healthy directory: exit {r.returncode}, "
              f"{r.stderr!r}")
    check(not mounted(mnt), "unmounted afterwards")
    return 0


CASES = {
    "symlink-to-dead-mount": case_symlink,
    "sysroot-dead-mount": case_sysroot,
    "collect-dead-dest": case_collect,
}


def main():
    cases.list_if_asked(CASES)
    if len(sys.argv) != 4 or sys.argv[3] not in CASES:
        print(__doc__, file=sys.stderr)
        return 2
    probe, hangfs = (os.path.abspath(a) for a in sys.argv[1:3])
    why = fuse.unavailable(hangfs)
    if why:
        print("SKIP: " + why)
        return SKIP
    tmp = tempfile.mkdtemp(prefix="studio-probe-hang-paths.")
    try:
        rc = CASES[sys.argv[3]](probe, hangfs, tmp)
    except RuntimeError as e:
        if not failures and "did not mount" in str(e):
            print(f"SKIP: {e}")
            return SKIP
        raise
    finally:
        # Anything still mounted (a failure half-way) goes before the tree.
        for d in ("mnt", "efs", "home"):
            p = os.path.join(tmp, d)
            if mounted(p):
                subprocess.run(["umount", "-l", p], stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)
    if rc == SKIP:
        return SKIP
    return status()


if __name__ == "__main__":
    sys.exit(main())
