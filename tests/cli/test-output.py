#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--output-file=FILE never replaces what is not a regular file, keeps the owner
and mode of the file it replaces, and gives up on a target that does not
take the output within --timeout.

Each case replays a fixture (--sysroot), so only FILE is live. The cases that
would turn the real /dev/null or /dev/stdout into regular files on a broken
build run in a private mount namespace with a tmpfs /dev of their own; the
others use a private temp directory. Exit 77 (skip) where a case needs root,
a mount namespace or uid 1000 and does not have them.

Usage: test-output.py CASE STUDIO_PROBE FIXTURES_DIR | --list"""

import fcntl
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib import cases  # noqa: E402
from lib.checks import check, need_root, skip, status  # noqa: E402
from lib.snapshot import MOUNTINFO, Tree  # noqa: E402

UID = 1000

BIN = FIXTURE = None


def probe(args, timeout=60, **kw):
    kw.setdefault("capture_output", True)
    return subprocess.run([BIN, "--sysroot", FIXTURE] + args, timeout=timeout, **kw)


def expected(args=("--json",)):
    p = probe(list(args))
    assert p.returncode == 0, p.stderr
    return p.stdout


def bound_s(timeout_s, root=None):
    """How long a run with --timeout=timeout_s that gives up on its output may
    take: the output gets the whole timeout after the probe, so the probe's
    own time (a replay; slow under valgrind or ASan on a loaded machine), the
    timeout, and two more seconds."""
    t0 = time.monotonic()
    subprocess.run([BIN, "--sysroot", root or FIXTURE, "--json"], capture_output=True,
                   timeout=120, check=True)
    return time.monotonic() - t0 + timeout_s + 2.0


def one_line_error(p, path, want):
    err = p.stderr.decode(errors="replace")
    check(p.returncode == 3, f"{path}: exit status {p.returncode} (want 3); stderr {err!r}")
    check(err.count("\n") == 1 and err.startswith(f"studio-probe: cannot write {path}: "),
          f"{path}: one line naming the file: {err!r}")
    check(want in err, f"{path}: the reason says {want!r}")


def leftovers(d, name):
    return sorted(n for n in os.listdir(d) if n.startswith(name + "."))


# ---- cases ---------------------------------------------------------------

def case_devnull_root():
    """As root: the real /dev/null stays the null device and /dev/stdout a
    symlink (in a private mount namespace with a tmpfs /dev, so that a broken
    build cannot damage the host's); a device node elsewhere likewise."""
    need_root()
    want = expected()
    with tempfile.TemporaryDirectory(prefix="studio-probe-output.") as d:
        # A character device outside /dev: the same null device.
        node = os.path.join(d, "null")
        try:
            os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except PermissionError as e:
            skip(f"cannot make a device node here: {e}")
        p = probe(["--json", f"--output-file={node}"])
        check(p.returncode == 0, f"{node}: exit {p.returncode}: {p.stderr!r}")
        check(stat.S_ISCHR(os.lstat(node).st_mode), f"{node} is still a character device")
        check(leftovers(d, "null") == [], f"nothing left beside {node}")

        if not shutil.which("unshare"):
            skip("unshare(1) missing: the /dev/null and /dev/stdout checks need a mount namespace")
        log = os.path.join(d, "log")
        script = r'''
set -u
log=$2
mount --make-rprivate / && mount -t tmpfs -o mode=755 studio-probe-dev /dev || exit 90
mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/urandom c 1 9; mknod -m 666 /dev/random c 1 8
ln -s /proc/self/fd /dev/fd; ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout; ln -s /proc/self/fd/2 /dev/stderr
"$0" --sysroot "$1" --json --output-file=/dev/null 2>>"$log"; echo "null-rc=$?" >>"$log"
"$0" --sysroot "$1" --json --output-file=/dev/stdout 2>>"$log"; echo "stdout-rc=$?" >>"$log"
stat -c 'null=%F %t:%T %a' /dev/null >>"$log"
stat -c 'stdout=%F' /dev/stdout >>"$log"
echo "dev=$(ls -A /dev | tr '\n' ' ')" >>"$log"
'''
        p = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                            script, BIN, FIXTURE, log], capture_output=True, timeout=120)
        out = p.stdout
        if p.returncode == 90 or b"unshare failed" in p.stderr:
            skip(f"no private mount namespace with a tmpfs /dev here: {p.stderr!r}")
        with open(log) as f:
            log = f.read()
        print("  " + log.strip().replace("\n", "\n  "))
        check("null-rc=0" in log, "--output-file=/dev/null: exit 0")
        check("null=character special file 1:3 666" in log, "/dev/null is still the null device")
        check("stdout-rc=0" in log, "--output-file=/dev/stdout: exit 0")
        check("stdout=symbolic link" in log, "/dev/stdout is still a symlink")
        check(out == want, "--output-file=/dev/stdout: the report reached standard output")
        dev = log.split("dev=", 1)[-1].split()
        check(sorted(dev) == sorted(["null", "zero", "urandom", "random", "fd", "stdin",
                                     "stdout", "stderr"]), f"no temporary file left in /dev: {dev}")


def case_fifo():
    """A FIFO gets the whole report, read by a thread, and stays a FIFO."""
    want = expected()
    with tempfile.TemporaryDirectory(prefix="studio-probe-output.") as d:
        fifo = os.path.join(d, "fifo")
        os.mkfifo(fifo)
        got = []

        def reader():
            with open(fifo, "rb") as f:
                got.append(f.read())

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        p = probe(["--json", f"--output-file={fifo}"])
        t.join(30)
        check(p.returncode == 0, f"exit {p.returncode}: {p.stderr!r}")
        check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO is still a FIFO")
        check(got == [want], f"the reader got the whole report ({len(got[0]) if got else 0} "
              f"of {len(want)} bytes)")
        check(os.listdir(d) == ["fifo"], f"nothing else in the directory: {os.listdir(d)}")


def case_fifo_no_reader():
    """A FIFO nobody opens: exit 3 once --timeout=1 has passed, not a hang."""
    with tempfile.TemporaryDirectory(prefix="studio-probe-output.") as d:
        fifo = os.path.join(d, "fifo")
        os.mkfifo(fifo)
        bound = bound_s(1)
        t0 = time.monotonic()
        p = probe(["--json", "--timeout=1", f"--output-file={fifo}"], timeout=120)
        el = time.monotonic() - t0
        one_line_error(p, fifo, "no process opened the FIFO for reading within 1 s")
        check(el <= bound, f"returned in {el:.2f} s (bound {bound:.2f} s)")
        check(el >= 0.9, f"waited for a reader for the whole second ({el:.2f} s)")
        check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO is still a FIFO")
        check(os.listdir(d) == ["fifo"], f"nothing else in the directory: {os.listdir(d)}")


def case_fifo_stalled_reader():
    """A reader that opens the FIFO and never reads: a report larger than the
    pipe's buffer cannot be written; exit 3 at --timeout=1."""
    with tempfile.TemporaryDirectory(prefix="studio-probe-output.") as d:
        root = os.path.join(d, "root")
        shutil.copytree(FIXTURE, root, symlinks=True)
        for i in range(40):
            Tree(root).append(MOUNTINFO, f"17{i:02d} 1503 0:2{i:02d} / "
                              f"/mnt/custom-file-systems/efs/fs-{i} rw,relatime - nfs4 "
                              f"fs-{i}.efs.us-east-1.amazonaws.com:/ rw,vers=4.1,noresvport\n")
        size = len(subprocess.run([BIN, "--sysroot", root, "--json"], capture_output=True,
                                  timeout=60).stdout)
        fifo = os.path.join(d, "fifo")
        os.mkfifo(fifo)
        # O_RDWR: opened at once, and a reader exists for as long as we like.
        fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
        try:
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 4096)
            cap = fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ)
            check(size > cap, f"the report ({size} bytes) is larger than the pipe ({cap})")
            bound = bound_s(1, root)
            t0 = time.monotonic()
            p = subprocess.run([BIN, "--sysroot", root, "--json", "--timeout=1",
                                f"--output-file={fifo}"], capture_output=True, timeout=120)
            el = time.monotonic() - t0
        finally:
            os.close(fd)
        one_line_error(p, fifo, "its reader did not take the whole output within 1 s")
        check(el <= bound, f"returned in {el:.2f} s (bound {bound:.2f} s)")
        check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO is still a FIFO")


def case_symlink_regular():
    """A symlink to a regular file: the link stays, its target is replaced
    with the whole report, keeping the target's owner and mode."""
    need_root()
    want = expected()
    with tempfile.TemporaryDirectory(prefix="studio-probe-output.") as d:
        sub = os.path.join(d, "sub")
        os.mkdir(sub)
        target = os.path.join(sub, "target.json")
        link = os.path.join(d, "link.json")
        with open(target, "w") as f:
            f.write("old\n")
        os.chown(target, UID, UID)
        os.chmod(target, 0o640)
        os.symlink("sub/target.json", link)
        ino = os.stat(target).st_ino
        p = probe(["--json", f"--output-file={link}"])
        check(p.returncode == 0, f"exit {p.returncode}: {p.stderr!r}")
        check(os.path.islink(link) and os.readlink(link) == "sub/target.json",
              "the link is still the same link")
        st = os.stat(target)
        with open(target, "rb") as f:
            check(f.read() == want, "the target holds the whole report")
        check(st.st_ino != ino, "the target was replaced (renamed over), not rewritten")
        check((st.st_uid, st.st_gid) == (UID, UID), f"owner kept: {st.st_uid}:{st.st_gid}")
        check(stat.S_IMODE(st.st_mode) == 0o640, f"mode kept: {oct(st.st_mode)}")
        check(sorted(os.listdir(d)) == ["link.json", "sub"] and os.listdir(sub) == ["target.json"],
              f"no temporary file left: {os.listdir(d)} {os.listdir(sub)}")


def case_symlink_devnull():
    """A symlink to /dev/null writes the device: the link stays a link."""
    with tempfile.TemporaryDirectory(prefix="studio-probe-output.") as d:
        link = os.path.join(d, "link")
        os.symlink("/dev/null", link)
        p = probe(["--json", f"--output-file={link}"])
        check(p.returncode == 0, f"exit {p.returncode}: {p.stderr!r}")
        check(os.path.islink(link) and os.readlink(link) == "/dev/null", "the link is unchanged")
        check(stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null is a character device")
        check(os.listdir(d) == ["link"], f"nothing else in the directory: {os.listdir(d)}")


def case_regular_owner_mode():
    """An existing regular file, mode 0640 and owned by uid 1000, is replaced
    whole and keeps both; a new file gets 0666 less the umask."""
    need_root()
    want = expected()
    with tempfile.TemporaryDirectory(prefix="studio-probe-output.") as d:
        path = os.path.join(d, "report.json")
        with open(path, "w") as f:
            f.write("old\n")
        os.chown(path, UID, UID)
        os.chmod(path, 0o640)
        p = probe(["--json", f"--output-file={path}"])
        check(p.returncode == 0, f"exit {p.returncode}: {p.stderr!r}")
        st = os.stat(path)
        check((st.st_uid, st.st_gid) == (UID, UID), f"owner kept: {st.st_uid}:{st.st_gid}")
        check(stat.S_IMODE(st.st_mode) == 0o640, f"mode kept: {oct(st.st_mode)}")
        with open(path, "rb") as f:
            check(f.read() == want, "the file holds the whole report")
        # Set-id bits are not carried over to a report.
        os.chmod(path, 0o6755)
        p = probe(["--json", f"--output-file={path}"])
        check(stat.S_IMODE(os.stat(path).st_mode) == 0o755,
              f"set-id bits dropped: {oct(os.stat(path).st_mode)}")
        new = os.path.join(d, "new.json")
        p = probe(["--json", f"--output-file={new}"], preexec_fn=lambda: os.umask(0o027))
        check(p.returncode == 0 and stat.S_IMODE(os.stat(new).st_mode) == 0o640,
              f"a new file under umask 027 is 0640: {oct(os.stat(new).st_mode)}")
        check(sorted(os.listdir(d)) == ["new.json", "report.json"],
              f"no temporary file left: {os.listdir(d)}")


def case_refused():
    """A directory, a block device and a symlink to a missing file: exit 3
    with one line naming the file, and nothing changed."""
    with tempfile.TemporaryDirectory(prefix="studio-probe-output.") as d:
        sub = os.path.join(d, "dir")
        os.mkdir(sub)
        for path in (sub, sub + "/"):
            p = probe(["--json", f"--output-file={path}"])
            one_line_error(p, path, "it is a directory")
            check(os.path.isdir(sub) and os.listdir(sub) == [], f"{path}: left alone")
        dangling = os.path.join(d, "dangling")
        os.symlink("missing", dangling)
        p = probe(["--json", f"--output-file={dangling}"])
        one_line_error(p, dangling, "symbolic link to a file that does not exist")
        check(os.path.islink(dangling) and os.readlink(dangling) == "missing"
              and not os.path.exists(os.path.join(d, "missing")),
              "the dangling link is left alone and its target not created")
        p = probe(["--json", f"--output-file={d}/no-such-dir/x.json"])
        one_line_error(p, f"{d}/no-such-dir/x.json", "No such file or directory")
        blk = os.path.join(d, "loop")
        try:
            os.mknod(blk, 0o600 | stat.S_IFBLK, os.makedev(7, 200))
        except PermissionError:
            print("note: no device nodes here (not root): the block device check is not run")
        else:
            p = probe(["--json", f"--output-file={blk}"])
            one_line_error(p, blk, "it is a block device")
            check(stat.S_ISBLK(os.lstat(blk).st_mode), "the block device is left alone")
        check(sorted(os.listdir(d)) == sorted(["dir", "dangling"] +
                                              (["loop"] if os.path.lexists(blk) else [])),
              f"nothing else in the directory: {os.listdir(d)}")


def case_socket_and_fd():
    """A listening Unix socket gets the report over a connection; /dev/fd/N
    (a process substitution's name) writes our descriptor N."""
    want = expected()
    with tempfile.TemporaryDirectory(prefix="studio-probe-output.") as d:
        path = os.path.join(d, "sock")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        srv.listen(1)
        got = []

        def accept():
            c, _ = srv.accept()
            data = b""
            while True:
                x = c.recv(65536)
                if not x:
                    break
                data += x
            c.close()
            got.append(data)

        t = threading.Thread(target=accept, daemon=True)
        t.start()
        p = probe(["--json", f"--output-file={path}"])
        t.join(30)
        srv.close()
        check(p.returncode == 0, f"socket: exit {p.returncode}: {p.stderr!r}")
        check(got == [want], "socket: the listener got the whole report")
        check(stat.S_ISSOCK(os.lstat(path).st_mode), "socket: still a socket")

        r, w = os.pipe()
        p = probe(["--json", f"--output-file=/dev/fd/{w}"], pass_fds=[w])
        os.close(w)
        with os.fdopen(r, "rb") as f:
            data = f.read()
        check(p.returncode == 0, f"/dev/fd/N: exit {p.returncode}: {p.stderr!r}")
        check(data == want and p.stdout == b"", "/dev/fd/N: the report went to descriptor N")


def case_nonroot():
    """As uid 1000: --output-file=/dev/null, /dev/stdout and /dev/stderr work."""
    need_root()
    if not shutil.which("setpriv"):
        skip("setpriv(1) missing")
    want = expected(["--id"])
    with tempfile.TemporaryDirectory(prefix="studio-probe-output.") as d:
        os.chmod(d, 0o755)
        # A copy the user can run (valgrind's shim lives in a directory private to root).
        exe = os.path.join(d, os.path.basename(BIN))
        shutil.copy2(BIN, exe)
        os.chmod(exe, 0o755)
        base = ["setpriv", f"--reuid={UID}", f"--regid={UID}", "--clear-groups", exe,
                "--sysroot", FIXTURE, "--id"]
        p = subprocess.run(base + ["--output-file=/dev/null"], capture_output=True, timeout=120)
        check(p.returncode == 0 and p.stdout == b"" and p.stderr == b"",
              f"/dev/null: exit {p.returncode}: {p.stderr!r}")
        p = subprocess.run(base + ["--output-file=/dev/stdout"], capture_output=True, timeout=120)
        check(p.returncode == 0 and p.stdout == want,
              f"/dev/stdout: exit {p.returncode}, stdout {p.stdout!r}: {p.stderr!r}")
        p = subprocess.run(base + ["--output-file=/dev/stderr"], capture_output=True, timeout=120)
        check(p.returncode == 0 and p.stderr == want,
              f"/dev/stderr: exit {p.returncode}, stderr {p.stderr!r}")
        # Standard output a file: written where the shell's descriptor is, after
        # what is already there (not a replaced file).
        log = os.path.join(d, "log")
        with open(log, "wb") as f:
            f.write(b"before\n")
            f.flush()
            os.chown(log, UID, UID)
            p = subprocess.run(base + ["--output-file=/dev/stdout"], stdout=f, stderr=subprocess.PIPE,
                               timeout=120)
        with open(log, "rb") as f:
            check(p.returncode == 0 and f.read() == b"before\n" + want,
                  f"/dev/stdout into a file: appended to the shell's descriptor: {p.stderr!r}")
        check(stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null is a character device")


CASES = {
    "devnull-root": case_devnull_root,
    "fifo": case_fifo,
    "fifo-no-reader": case_fifo_no_reader,
    "fifo-stalled-reader": case_fifo_stalled_reader,
    "symlink-regular": case_symlink_regular,
    "symlink-devnull": case_symlink_devnull,
    "regular-owner-mode": case_regular_owner_mode,
    "refused": case_refused,
    "socket-and-fd": case_socket_and_fd,
    "nonroot": case_nonroot,
}


def main():
    global BIN, FIXTURE
    cases.list_if_asked(CASES)
    if len(sys.argv) != 4 or sys.argv[1] not in CASES:
        print(__doc__, file=sys.stderr)
        print("cases: " + " ".join(CASES), file=sys.stderr)
        return 2
    BIN = os.path.abspath(sys.argv[2])
    FIXTURE = os.path.join(os.path.abspath(sys.argv[3]), "new-jupyterlab-private", "root")
    CASES[sys.argv[1]]()
    return status()


if __name__ == "__main__":
    sys.exit(main())
