#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The bash completion as a user sees it: an interactive bash in a pseudo
terminal, TAB pressed after a partial word. A path with a space or a '&' is
inserted escaped, a directory with a trailing '/', and nothing at all after an
option that takes a number. (COMPREPLY alone cannot show this: the quoting
and the '/' are bash's work once the function asked for -o filenames.)

usage: check-completion-tty.py COMPLETION"""
import os
import pty
import select
import shutil
import sys
import tempfile
import time


def read_until_quiet(fd, quiet=0.4, limit=5.0):
    out = b""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], quiet)
        if not r:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return out


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    comp = os.path.abspath(argv[1])
    bash = shutil.which("bash")
    if not bash:
        print("SKIP: no bash")
        return 77
    failed = 0
    with tempfile.TemporaryDirectory(prefix="completion-tty-") as d:
        os.mkdir(os.path.join(d, "my dir"))
        open(os.path.join(d, "a&b.txt"), "w").close()
        # Only one match for each prefix: TAB completes it in place.
        cases = [
            ("studio-probe --path my", b"my\\ dir/", "a directory, escaped, with '/'"),
            ("studio-probe --output-file a", b"a\\&b.txt ", "a file name with '&', escaped"),
            ("studio-probe --sysroot m", b"my\\ dir/", "--sysroot: a directory"),
            ("studio-probe collect m", b"my\\ dir/", "collect: a directory"),
            ("studio-probe --timeout ", None, "--timeout: no file names"),
            ("studio-probe --bench-size ", None, "--bench-size: no file names"),
            ("studio-probe -no STOR", b"STORAGE", "-no STOR: the column"),
        ]
        for line, want, what in cases:
            pid, fd = pty.fork()
            if pid == 0:
                os.chdir(d)
                env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "dumb",
                       "HOME": d, "PS1": "$ ", "INPUTRC": "/dev/null", "LC_ALL": "C.UTF-8"}
                os.execve(bash, [bash, "--norc", "--noprofile", "-i"], env)
            try:
                read_until_quiet(fd)
                os.write(fd, f"source '{comp}'\n".encode())
                read_until_quiet(fd)
                os.write(fd, line.encode() + b"\t")
                out = read_until_quiet(fd)
                # a second TAB lists candidates when there are several
                os.write(fd, b"\t")
                out += read_until_quiet(fd)
                os.write(fd, b"\x15exit\n")
                read_until_quiet(fd, limit=2)
            finally:
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
                os.waitpid(pid, 0)
                os.close(fd)
            typed = line.rsplit(" ", 1)[1].encode()
            shown = out.replace(b"\x07", b"")
            if want is None:
                ok = shown.strip() in (b"", typed)
                if not ok and b"my" not in shown and b"a&b" not in shown:
                    ok = True
            else:
                ok = want in shown
            print(("ok   " if ok else "FAIL ") + what + ("" if ok else f": got {shown!r}"))
            failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
