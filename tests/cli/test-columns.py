#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The command-line habits of findmnt, lsblk and systemd-detect-virt, on the
real binary over fixture replays: -o/--output columns and -n, --output-file
(and the loud failure of the old --output=FILE), -q/--quiet's exit status,
--id, --expect lists, --color, TERM=dumb, wrapping to COLUMNS or the
terminal's width with hanging indents, and the end of --help.

Usage: test-columns.py STUDIO_PROBE FIXTURES_DIR [CASE...] | --list"""

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import tempfile
import termios
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib import cases  # noqa: E402

BIN = FIXTURES = None
TRY = b"Try 'studio-probe --help' for more information.\n"


def env_of(extra=None, drop=("NO_COLOR", "COLUMNS", "TERM")):
    e = {k: v for k, v in os.environ.items() if k not in drop}
    e.update({"LC_ALL": "C.UTF-8", "TZ": "UTC"})
    e.update(extra or {})
    return e


def run(args, env=None, cwd=None):
    return subprocess.run([BIN] + args, env=env_of(env), cwd=cwd, capture_output=True,
                          timeout=60, stdin=subprocess.DEVNULL)


def run_tty(args, env=None, cols=80):
    """Standard output a terminal of cols columns; returns (status, output)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST  # no \n -> \r\n: compare bytes as written
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    p = subprocess.Popen([BIN] + args, env=env_of(env), stdout=slave,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    p.wait(timeout=60)
    p.stderr.close()
    return p.returncode, out


def fixture(name):
    return os.path.join(FIXTURES, name, "root")


class Columns:

    def test_single_word(self):
        p = run(["--sysroot", self.studio, "-no", "STORAGE"])
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, b"ebs\n", b""))
        p = run(["--sysroot", self.studio, "-n", "--output=storage"])
        self.assertEqual(p.stdout, b"ebs\n", "names in any case")
        p = run(["--sysroot", self.laptop, "-no", "ENVIRONMENT"])
        self.assertEqual(p.stdout, b"none\n")

    def test_table(self):
        p = run(["--sysroot", self.studio, "-o", "ENVIRONMENT,TARGET,SOURCE,FSTYPE,VOLUME"])
        self.assertEqual(p.returncode, 0, p.stderr)
        head, row, end = p.stdout.decode().split("\n")
        self.assertEqual(end, "")
        self.assertEqual(head.split(), ["ENVIRONMENT", "TARGET", "SOURCE", "FSTYPE", "VOLUME"])
        self.assertEqual(row.split(), ["studio-new", "/home/sagemaker-user", "/dev/nvme1n1",
                                       "xfs", "vol-0c4a9e2f7b1d3a5e8"])
        # columns line up under their headings
        for word in head.split():
            self.assertEqual(row[head.index(word) - 1:head.index(word)].strip(), "",
                             f"column {word} starts after a space")
            self.assertNotEqual(row[head.index(word)], " ", f"column {word} starts aligned")

    def test_sizes_are_bytes(self):
        h = self.json["home"]
        p = run(["--sysroot", self.studio, "-no", "SIZE,AVAIL,USED,USE%"])
        size, avail, used, pct = p.stdout.decode().split()
        self.assertEqual(int(size), h["size_bytes"])
        self.assertEqual(int(avail), h["free_bytes"])
        self.assertEqual(int(used), h["size_bytes"] - h["free_bytes"])
        want = -(-(h["size_bytes"] - h["free_bytes"]) * 100 // h["size_bytes"])
        self.assertEqual(pct, f"{want}%")

    def test_unknown_is_empty(self):
        # No statfs facts in this snapshot: the sizes are unknown, empty cells,
        # and the row has no trailing blanks.
        p = run(["--sysroot", self.laptop, "-n"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(p.stdout.endswith(b" \n"), p.stdout)
        p = run(["--sysroot", self.laptop, "-no", "SIZE"])
        self.assertEqual(p.stdout, b"\n")

    def test_noheadings_alone(self):
        p = run(["--sysroot", self.studio, "-n"])
        self.assertEqual(p.stdout.decode().split(),
                         ["studio-new", "ebs", "/home/sagemaker-user", "xfs",
                          str(self.json["home"]["size_bytes"]),
                          str(self.json["home"]["free_bytes"]), "11%"])

    def test_old_output_file_fails_loudly(self):
        with tempfile.TemporaryDirectory(prefix="studio-probe-columns.") as d:
            target = os.path.join(d, "x")
            for args in (["-o", target], [f"--output={target}"], ["--output=report.json"],
                         ["-o", "~/probe.prom"]):
                p = run(["--sysroot", self.studio, "--json"][:2] + args, cwd=d)
                self.assertEqual(p.returncode, 2, args)
                self.assertEqual(p.stdout, b"")
                self.assertIn(b"--output: unknown column '", p.stderr)
                self.assertIn(b"use --output-file=FILE", p.stderr)
                self.assertTrue(p.stderr.endswith(TRY))
            p = run(["--sysroot", self.studio, "-o", "TARGET,SORCE"], cwd=d)
            self.assertEqual(p.returncode, 2)
            self.assertIn(b"unknown column 'SORCE' (see --help for the columns)", p.stderr)
            # Column names are never a file name.
            p = run(["--sysroot", self.studio, "--output=TARGET,SOURCE"], cwd=d)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(p.stdout.startswith(b"TARGET"))
            self.assertEqual(os.listdir(d), [], "nothing written in the directory")

    def test_output_file(self):
        with tempfile.TemporaryDirectory(prefix="studio-probe-columns.") as d:
            target = os.path.join(d, "out.txt")
            p = run(["--sysroot", self.studio, "-no", "STORAGE", f"--output-file={target}"])
            self.assertEqual((p.returncode, p.stdout), (0, b""), p.stderr)
            with open(target, "rb") as f:
                self.assertEqual(f.read(), b"ebs\n")
            p = run(["--sysroot", self.studio, "--output-file"])
            self.assertEqual(p.returncode, 2)

    def test_exclusions(self):
        for args in (["-o", "STORAGE", "--json"], ["-n", "--format=emf"], ["-n", "-q"],
                     ["--id", "-q"], ["-q", "--output-file=/dev/null"], ["--color=yes"],
                     ["-o", "STORAGE", "collect", "/nonexistent/b"]):
            p = run(["--sysroot", self.studio] + args)
            self.assertEqual(p.returncode, 2, args)
            self.assertEqual(p.stdout, b"", args)


class QuietAndExpect:

    def test_quiet_is_sagemaker_or_not(self):
        for root, code in ((self.studio, 0), (self.notebook, 0), (self.laptop, 1)):
            for q in ("-q", "--quiet"):
                p = run(["--sysroot", root, q])
                self.assertEqual((p.returncode, p.stdout, p.stderr), (code, b"", b""),
                                 (root, q))

    def test_id(self):
        p = run(["--sysroot", self.notebook, "--id"])
        self.assertEqual((p.returncode, p.stdout), (0, b"notebook-instance\n"))
        p = run(["--sysroot", self.laptop, "--id"])
        self.assertEqual((p.returncode, p.stdout), (0, b"none\n"))

    def test_expect_list(self):
        p = run(["--sysroot", self.studio, "--id", "--expect=studio-classic,studio-new"])
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, b"studio-new\n", b""))
        p = run(["--sysroot", self.studio, "--id", "--expect=studio-classic,none"])
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, b"studio-new\n")
        self.assertEqual(p.stderr, b"studio-probe: environment is studio-new, not "
                                   b"studio-classic or none (--expect)\n")
        # --quiet: the answer of --expect, and nothing printed at all
        p = run(["--sysroot", self.laptop, "-q", "--expect=none"])
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, b"", b""))
        p = run(["--sysroot", self.studio, "-q", "--expect=none,notebook-instance"])
        self.assertEqual((p.returncode, p.stdout, p.stderr), (1, b"", b""))
        p = run(["--sysroot", self.studio, "--expect=studio-new,bogus"])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"unknown environment 'bogus'", p.stderr)


class ColourAndWidth:

    def test_color(self):
        base = ["--sysroot", self.studio]
        self.assertIn(b"\x1b[", run_tty(base)[1], "a terminal: colour")
        self.assertNotIn(b"\x1b", run_tty(base, {"TERM": "dumb"})[1], "TERM=dumb")
        self.assertNotIn(b"\x1b", run_tty(base, {"NO_COLOR": "1"})[1], "NO_COLOR")
        self.assertNotIn(b"\x1b", run_tty(base + ["--color=never"])[1], "--color=never")
        self.assertNotIn(b"\x1b", run(base).stdout, "a pipe")
        self.assertIn(b"\x1b[", run(base + ["--color=always"]).stdout, "--color=always")
        self.assertIn(b"\x1b[", run(base + ["--color=always"], {"NO_COLOR": "1"}).stdout)
        # a file written with --output-file is never coloured
        with tempfile.TemporaryDirectory(prefix="studio-probe-columns.") as d:
            t = os.path.join(d, "r.txt")
            run_tty(base + [f"--output-file={t}"])
            with open(t, "rb") as f:
                self.assertNotIn(b"\x1b", f.read())

    def check_wrapped(self, out, width):
        lines = out.decode().split("\n")
        plain = [re.sub(r"\x1b\[[0-9;]*m", "", ln) for ln in lines]
        for ln in plain:
            if len(ln) > width:
                # only a single word longer than the line may stick out
                self.assertEqual(len(ln.strip().split(" ")), 1, f"{ln!r} > {width}")
        return plain

    def test_wrap_columns(self):
        p = run(["--sysroot", self.studio], {"COLUMNS": "50"})
        lines = self.check_wrapped(p.stdout, 50)
        # "  device    /dev/nvme1n1, Amazon Elastic Block Store" wraps under its value
        i = next(n for n, ln in enumerate(lines) if ln.startswith("  device "))
        self.assertTrue(lines[i + 1].startswith(" " * 12) and lines[i + 1][12] != " ",
                        lines[i:i + 2])
        # other lines hang two columns in
        self.assertTrue(any(ln.startswith("    ") and not ln.startswith("     ")
                            for ln in lines[lines.index("Evidence"):]))
        # the same words as unwrapped
        flat = run(["--sysroot", self.studio]).stdout
        self.assertEqual(p.stdout.split(), flat.split())

    def test_wrap_terminal(self):
        code, out = run_tty(["--sysroot", self.studio, "--color=never"], cols=56)
        self.assertEqual(code, 0)
        self.check_wrapped(out, 56)
        # COLUMNS wins over the terminal's size
        code, out = run_tty(["--sysroot", self.studio], {"COLUMNS": "200"}, cols=56)
        self.assertTrue(any(len(ln) > 56 for ln in out.split(b"\n")))

    def test_no_wrap_in_a_pipe(self):
        p = run(["--sysroot", self.studio])
        self.assertTrue(any(len(ln) > 100 for ln in p.stdout.split(b"\n")),
                        "a pipe gets the lines whole")
        p = run(["--sysroot", self.studio, "--json"], {"COLUMNS": "20"})
        json.loads(p.stdout)

    def test_help(self):
        p = run(["--help"])
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.endswith(b"\nSee studio-probe(1).\n"), p.stdout[-80:])
        self.assertIn(b"\nExamples:\n", p.stdout)
        self.assertIn(b"studio-probe -no STORAGE", p.stdout)
        self.assertIn(b"\nColumns (-o LIST", p.stdout)
        for ln in p.stdout.split(b"\n"):
            self.assertLessEqual(len(ln), 79, ln)
        p = run(["--help"], {"COLUMNS": "60"})
        for ln in p.stdout.split(b"\n"):
            if ln.startswith(b" " * 16):
                self.assertLessEqual(len(ln), 59, ln)


class All(Columns, QuietAndExpect, ColourAndWidth, unittest.TestCase):
    """The three groups above as one case list (tests/lib/cases.py)."""

    def setUp(self):
        self.studio = fixture("new-codeeditor-custom-efs-fsx")
        self.laptop = fixture("laptop-not-sagemaker")
        self.notebook = fixture("notebook-instance")
        self.json = json.loads(run(["--sysroot", self.studio, "--json"]).stdout)


if __name__ == "__main__":
    cases.list_if_asked(cases.names(All))
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        sys.exit(2)
    BIN, FIXTURES = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    cases.main(All, sys.argv[3:])
