#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Never hang: studio-probe against a FUSE file system that never answers.

hangfs (tests/robustness/hangfs.c) reads every request and answers none, so a
process touching it sleeps in the kernel, unkillable, like on a dead hard NFS
mount. Checks, with --timeout=1: the probe returns within timeout + 1 s, exits
3, names the mount and the time on stderr, still prints the report (valid JSON,
timed_out, the home's error), and `x=$(studio-probe ...)` does not wait for the
stuck worker. Once with --path=<mount> (and --sysroot=/), once with the default home selection
(/home/sagemaker-user hangs) in a private mount namespace, and once more with a
second dead mount (a custom EFS) on top. Needs root and
/dev/fuse: exit 77 otherwise. Always unmounts, even on failure.

Usage: test-hang.py STUDIO_PROBE HANGFS
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib import fuse  # noqa: E402
from lib.checks import SKIP, check, failures, status  # noqa: E402
from lib.fuse import FuseDaemon, mounted  # noqa: E402

TIMEOUT_S = 1
# The bound: the whole run within --timeout + 1 s.
BOUND_S = TIMEOUT_S + 1.0


def stuck_workers(binary_name="studio-probe"):
    """Processes named like the probe that sleep uninterruptibly (D)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        state = stat[stat.rindex(")") + 2]
        if comm == binary_name[:15] and state == "D":
            found.append(int(pid))
    return found


def HangFS(hangfs, mnt):
    return FuseDaemon([hangfs, mnt], mnt)


def run_probe(argv, env=None):
    t0 = time.monotonic()
    # capture_output reads stdout and stderr to EOF: a worker holding either
    # would keep this call waiting until the subprocess timeout.
    p = subprocess.run(argv, capture_output=True, timeout=30, env=env)
    return p, time.monotonic() - t0


def check_timed_out_run(label, p, elapsed, mnt, want_path):
    check(elapsed <= BOUND_S, f"{label}: returned in {elapsed:.2f} s (bound {BOUND_S} s)")
    check(p.returncode == 3, f"{label}: exit status {p.returncode} (want 3)")
    err = p.stderr.decode(errors="replace")
    want = f"{mnt} (fuse.hangfs from hangfs): did not answer within {TIMEOUT_S} s"
    check(want in err, f"{label}: stderr names the mount and the time: {want!r}")
    try:
        j = json.loads(p.stdout)
    except ValueError as e:
        check(False, f"{label}: stdout is JSON ({e}); stdout={p.stdout[:200]!r}")
        return
    check(j.get("timed_out") is True, f"{label}: timed_out is true")
    home = j.get("home") or {}
    check(home.get("path") == want_path, f"{label}: home.path is {home.get('path')!r}")
    check(home.get("mountpoint") == mnt, f"{label}: home.mountpoint is {home.get('mountpoint')!r}")
    check(home.get("fstype") == "fuse.hangfs", f"{label}: home.fstype is {home.get('fstype')!r}")
    check(isinstance(home.get("error"), str) and "did not answer" in home["error"],
          f"{label}: home.error is {home.get('error')!r}")
    if err.strip():
        print("  stderr: " + err.strip().replace("\n", "\n  stderr: "))


def case_path(probe, hangfs, tmp):
    mnt = os.path.join(tmp, "mnt")
    os.mkdir(mnt)
    with HangFS(hangfs, mnt):
        before = set(stuck_workers())
        p, el = run_probe([probe, f"--path={mnt}", f"--timeout={TIMEOUT_S}", "--json"])
        check_timed_out_run("--path", p, el, mnt, mnt)
        # Proof the test hung something: the abandoned worker sleeps in D.
        check(bool(set(stuck_workers()) - before),
              "--path: an abandoned worker is stuck in D state (the mount really hangs)")

        # --sysroot=/ is a replay whose snapshot is live: its mount table says
        # the path can hang, so the lookup still goes to a bounded worker.
        p, el = run_probe([probe, "--sysroot=/", f"--path={mnt}", f"--timeout={TIMEOUT_S}",
                           "--json"])
        check(el <= BOUND_S, f"--sysroot=/: returned in {el:.2f} s (bound {BOUND_S} s)")
        check(p.returncode == 3, f"--sysroot=/: exit status {p.returncode} (want 3)")
        check(b"did not answer" in p.stderr, f"--sysroot=/: stderr says so: {p.stderr[:300]!r}")

        # The shell's view, with the output pipe also on fd 3: a worker that
        # kept any copy of it would hold the command substitution open.
        t0 = time.monotonic()
        sh = subprocess.run(["bash", "-c", 'x=$("$0" --path="$1" --timeout="$2" --json 3>&1 '
                             '2>/dev/null); rc=$?; printf "%s\\n%s" "$rc" "$x"',
                             probe, mnt, str(TIMEOUT_S)], capture_output=True, timeout=30)
        el = time.monotonic() - t0
        rc, _, out = sh.stdout.decode(errors="replace").partition("\n")
        check(el <= BOUND_S, f"x=$(studio-probe ...): returned in {el:.2f} s (bound {BOUND_S} s)")
        check(rc == "3", f"x=$(studio-probe ...): exit status {rc} (want 3)")
        try:
            check(json.loads(out).get("timed_out") is True, "x=$(studio-probe ...): JSON report")
        except ValueError:
            check(False, f"x=$(studio-probe ...): JSON report, got {out[:200]!r}")

        # Text output too: the report is printed, then exit 3.
        p, el = run_probe([probe, f"--path={mnt}", f"--timeout={TIMEOUT_S}"])
        check(el <= BOUND_S and p.returncode == 3,
              f"text: exit {p.returncode} in {el:.2f} s")
        check(mnt.encode() in p.stdout and b"did not answer" in p.stdout,
              "text: the report names the mount and its error")
    check(not mounted(mnt), "--path: unmounted afterwards")


def case_home_inner(probe, hangfs):
    """Runs in a private mount namespace (unshare -m): /home and /mnt are fresh
    tmpfs, so nothing of the host's is touched."""
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    for d in ("/home", "/mnt"):
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "studio-probe-test", d],
                       check=True)
    home = "/home/sagemaker-user"
    efs = "/mnt/custom-file-systems/efs/fs-hang"
    os.makedirs(home)
    os.makedirs(efs)
    env = dict(os.environ, HOME="/nonexistent-home")
    with HangFS(hangfs, home):
        p, el = run_probe([probe, f"--timeout={TIMEOUT_S}", "--json"], env=env)
        check_timed_out_run("default home", p, el, home, home)
        # A second dead mount (custom EFS, probed in the statfs batch after
        # the path lookup) must not add a second timeout.
        with HangFS(hangfs, efs):
            p, el = run_probe([probe, f"--timeout={TIMEOUT_S}", "--json"], env=env)
            check_timed_out_run("home + custom EFS", p, el, home, home)
            err = p.stderr.decode(errors="replace")
            check(f"{efs} (fuse.hangfs from hangfs): did not answer within" in err,
                  "home + custom EFS: stderr names the second mount too")
            try:
                mounts = json.loads(p.stdout).get("mounts") or []
            except ValueError:
                mounts = []
            m = [x for x in mounts if x.get("mountpoint") == efs]
            check(len(m) == 1 and "did not answer" in (m[0].get("error") or ""),
                  "home + custom EFS: the EFS mount is listed with its error")
    check(not mounted(home) and not mounted(efs), "default home: unmounted afterwards")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--inner-home":
        case_home_inner(sys.argv[2], sys.argv[3])
        return 1 if failures else 0
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    probe, hangfs = (os.path.abspath(a) for a in sys.argv[1:])
    why = fuse.unavailable(hangfs)
    if why:
        print("SKIP: " + why)
        return SKIP

    with tempfile.TemporaryDirectory(prefix="studio-probe-hang-") as tmp:
        try:
            case_path(probe, hangfs, tmp)
        except RuntimeError as e:
            if not failures and "did not mount" in str(e):
                print(f"SKIP: {e}")
                return SKIP
            raise

    if shutil.which("unshare"):
        r = subprocess.run(["unshare", "--mount", "--propagation", "private", sys.executable,
                            os.path.abspath(__file__), "--inner-home", probe, hangfs],
                           capture_output=True, timeout=60)
        sys.stdout.write(r.stdout.decode(errors="replace"))
        sys.stdout.write(r.stderr.decode(errors="replace"))
        if r.returncode != 0 and b"unshare failed" in r.stderr:
            print("note: no private mount namespace here, default-home case not run")
        elif r.returncode != 0:
            failures.append("default home case")
    else:
        print("note: unshare(1) missing, default-home case not run")

    # The stuck workers were released when hangfs went away.
    deadline = time.monotonic() + 5
    while stuck_workers() and time.monotonic() < deadline:
        time.sleep(0.1)
    check(not stuck_workers(), "no worker left in D state after unmount")
    return status()


if __name__ == "__main__":
    sys.exit(main())
