#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--output on a file system that is dead or slow: bounded by --timeout, and
no FILE.XXXXXX left behind by a signal or an abandoned write.

Cases (each a meson test of its own):
  dead-dir    FILE in a hangfs mount (tests/robustness/hangfs.c: no request is
              ever answered, like a dead hard NFS mount): exit 3 within
              --timeout + 1 s, a message naming FILE, `x=$(studio-probe ...)`
              not held by the stuck writer, which is gone once the mount is.
  sigterm     FILE in a passfs mount where each request takes 0.3 s: SIGTERM
              (to the process, then to its group) once FILE.XXXXXX exists ends
              the run by SIGTERM, FILE keeps its old content, and no
              temporary file is left.
  abandoned   The same with 0.5 s a request and --timeout=2, which runs out in
              the middle of the writing: exit 3 at the deadline, and the
              abandoned writer removes its temporary file once its request
              returns.
The probe replays a fixture (--sysroot): only FILE is live. Needs root,
/dev/fuse and the FUSE helpers: exit 77 otherwise.

Usage: test-output-hang.py CASE STUDIO_PROBE FIXTURES_DIR HANGFS PASSFS | --list"""

import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib import cases, fuse  # noqa: E402
from lib.checks import SKIP, check, failures, status  # noqa: E402
from lib.fuse import FuseDaemon, mounted  # noqa: E402

BIN = FIXTURE = HANGFS = PASSFS = None


def writers(marker):
    """Our probe's processes (a writer has its parent's command line), by the
    unique path in it: other runs on the machine do not count."""
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read()
            with open(f"/proc/{pid}/stat") as f:
                st = f.read()
        except OSError:
            continue
        if os.fsencode(marker) in cmd and st[st.index("(") + 1:st.rindex(")")] == "studio-probe":
            found[int(pid)] = st[st.rindex(")") + 2]
    return found


def temporaries(d, name):
    return sorted(n for n in os.listdir(d) if n.startswith(name + "."))


def wait_for(cond, limit):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return cond()


def case_dead_dir(tmp):
    mnt = os.path.join(tmp, "mnt")
    os.mkdir(mnt)
    target = os.path.join(mnt, "out.json")
    argv = [BIN, "--sysroot", FIXTURE, "--json", "--timeout=1", f"--output-file={target}"]
    hung = []

    def run(args):
        """(stdout, stderr, status, seconds), or None when it hangs: the
        process sleeps in the kernel until the mount goes away."""
        t0 = time.monotonic()
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            hung.append(p)
            check(False, f"{args[0]} returned within 20 s (it hangs)")
            return None
        return out, err.decode(errors="replace"), p.returncode, time.monotonic() - t0

    # The output gets --timeout of its own after the probe: the bound is the
    # probe's own time (a replay, slow under ASan on a loaded machine), the
    # second and two more.
    t0 = time.monotonic()
    subprocess.run(argv[:-1], capture_output=True, timeout=60, check=True)
    bound = time.monotonic() - t0 + 1.0 + 2.0
    with FuseDaemon([HANGFS, mnt], mnt):
        r = run(argv)
        if r:
            out, err, rc, el = r
            check(el <= bound, f"returned in {el:.2f} s (bound {bound:.2f} s)")
            check(rc == 3, f"exit status {rc} (want 3)")
            check(err == f"studio-probe: cannot write {target}: its file system did not "
                  "answer within 1 s (--timeout)\n", f"one line naming the file: {err!r}")
            check(out == b"", "nothing on standard output")
            stuck = writers(target)
            check(any(s == "D" for s in stuck.values()),
                  f"the abandoned writer sleeps in the kernel (the mount really hangs): {stuck}")

        # The shell's view, with the output pipe also on fd 3: a writer that
        # kept a copy of it would hold the command substitution open.
        r = run(["bash", "-c", 'x=$("$@" 3>&1 2>/dev/null); echo "rc=$?"', "sh"] + argv)
        if r:
            check(r[3] <= bound and r[0] == b"rc=3\n",
                  f"x=$(studio-probe ...): {r[0]!r} in {r[3]:.2f} s (bound {bound:.2f} s)")
    for p in hung:
        p.kill()
        p.communicate(timeout=10)
    check(not mounted(mnt), "unmounted afterwards")
    # The connection is gone: the stuck writers' calls fail and they exit.
    check(wait_for(lambda: not writers(target), 10), f"no writer left: {writers(target)}")


class SlowFS(FuseDaemon):
    """passfs over a fresh backing directory holding out.json ("old"), each
    request delayed by delay_us."""

    def __init__(self, tmp, delay_us, data_delay_us=0):
        self.back, mnt = os.path.join(tmp, "back"), os.path.join(tmp, "mnt")
        os.mkdir(self.back)
        os.mkdir(mnt)
        with open(os.path.join(self.back, "out.json"), "w") as f:
            f.write("old\n")
        super().__init__(["env", f"PASSFS_DELAY_US={delay_us}",
                          f"PASSFS_DATA_DELAY_US={data_delay_us}", PASSFS, self.back, mnt], mnt)


def case_sigterm(tmp):
    for group in (False, True):
        what = "group" if group else "process"
        sub = os.path.join(tmp, what)
        os.mkdir(sub)
        with SlowFS(sub, 300000) as fs:
            target = os.path.join(fs.mnt, "out.json")
            p = subprocess.Popen([BIN, "--sysroot", FIXTURE, "--json", "--timeout=30",
                                  f"--output-file={target}"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, start_new_session=True)
            wait_for(lambda: temporaries(fs.back, "out.json") or p.poll() is not None, 20)
            tmpname = temporaries(fs.back, "out.json")
            check(bool(tmpname) and p.poll() is None,
                  f"{what}: the temporary file exists while the probe runs: {tmpname}")
            t0 = time.monotonic()
            if group:
                os.killpg(p.pid, signal.SIGTERM)
            else:
                p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=30)
            el = time.monotonic() - t0
            err = err.decode(errors="replace")
            check(p.returncode == -signal.SIGTERM,
                  f"{what}: ended by SIGTERM (status {p.returncode}): {err!r}")
            check(f"stopped by TERM; {target} was left as it was" in err, f"{what}: {err!r}")
            check(el <= 5, f"{what}: exited {el:.2f} s after the signal")
            check(temporaries(fs.back, "out.json") == [],
                  f"{what}: no temporary file left: {os.listdir(fs.back)}")
            with open(os.path.join(fs.back, "out.json")) as f:
                check(f.read() == "old\n", f"{what}: FILE keeps its old content")
            check(wait_for(lambda: not writers(target), 10), f"{what}: no writer left")
            # Removed while still open, it was renamed .fuse_hidden* (NFS: .nfs*)
            # until its last close: gone once the release is through too.
            check(wait_for(lambda: os.listdir(fs.back) == ["out.json"], 5),
                  f"{what}: nothing else in the directory: {os.listdir(fs.back)}")


def case_abandoned(tmp):
    t0 = time.monotonic()
    subprocess.run([BIN, "--sysroot", FIXTURE, "--json"], capture_output=True, timeout=60,
                   check=True)
    bound = time.monotonic() - t0 + 2.0 + 2.0
    # Names answer at once, data after 3 s: the writer is caught with its
    # temporary file made and its write not through when the 2 s run out.
    with SlowFS(tmp, 0, 3000000) as fs:
        target = os.path.join(fs.mnt, "out.json")
        t0 = time.monotonic()
        p = subprocess.Popen([BIN, "--sysroot", FIXTURE, "--json", "--timeout=2",
                              f"--output-file={target}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_for(lambda: temporaries(fs.back, "out.json") or p.poll() is not None, 20)
        saw = bool(temporaries(fs.back, "out.json")) and p.poll() is None
        out, err = p.communicate(timeout=30)
        el = time.monotonic() - t0
        err = err.decode(errors="replace")
        check(p.returncode == 3, f"exit status {p.returncode} (want 3): {err!r}")
        check(err == f"studio-probe: cannot write {target}: its file system did not answer "
              "within 2 s (--timeout)\n", f"one line naming the file: {err!r}")
        check(el <= bound, f"returned in {el:.2f} s (bound {bound:.2f} s)")
        # The writer finishes the request it is in, then its handler removes
        # the temporary file (one more request) and it exits.
        check(wait_for(lambda: not writers(target), 15), f"the writer exited: {writers(target)}")
        check(saw, "the temporary file existed while the probe waited for its data")
        check(temporaries(fs.back, "out.json") == [],
              f"no temporary file left: {os.listdir(fs.back)}")
        check(wait_for(lambda: os.listdir(fs.back) == ["out.json"], 5),
              f"nothing else in the directory: {os.listdir(fs.back)}")
        with open(os.path.join(fs.back, "out.json")) as f:
            check(f.read() == "old\n", "FILE keeps its old content")


CASES = {"dead-dir": case_dead_dir, "sigterm": case_sigterm, "abandoned": case_abandoned}


def main():
    global BIN, FIXTURE, HANGFS, PASSFS
    cases.list_if_asked(CASES)
    if len(sys.argv) != 6 or sys.argv[1] not in CASES:
        print(__doc__, file=sys.stderr)
        return 2
    case = sys.argv[1]
    BIN, fixtures, HANGFS, PASSFS = (os.path.abspath(a) for a in sys.argv[2:])
    FIXTURE = os.path.join(fixtures, "new-jupyterlab-private", "root")
    helper = HANGFS if case == "dead-dir" else PASSFS
    why = fuse.unavailable(helper)
    if why:
        print("SKIP: " + why)
        return SKIP
    with tempfile.TemporaryDirectory(prefix="studio-probe-output-hang.") as tmp:
        try:
            CASES[case](tmp)
        except RuntimeError as e:
            if not failures and "did not mount" in str(e):
                print(f"SKIP: {e}")
                return SKIP
            raise
    return status()


if __name__ == "__main__":
    sys.exit(main())
