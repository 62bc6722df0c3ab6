#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Behaviour of the real binary that the golden fixtures do not cover: help,
version, usage errors, exit codes, output that cannot be written, colour, a
relative --path and a live run. Small sysroot trees are built in a temp dir.

Usage: test-cli.py /path/to/studio-probe [CASE...] | --list
CASE is a method of Cli without its test_ prefix."""

import json
import os
import shutil
import pty
import re
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib import cases, snapshot  # noqa: E402

BIN = None
IDS = ["studio-new", "studio-classic", "notebook-instance", "training-job",
       "processing-job", "hyperpod", "endpoint", "transform-job", "local-mode",
       "unified-studio", "rstudio", "studio-lab", "none", "unknown"]
# The options issue 2 defines; the unit test checks --help against the whole table.
LONG_OPTIONS = ["path", "json", "quiet", "expect", "sysroot", "timeout", "list", "help",
                "version"]
TRY = "Try 'studio-probe --help' for more information."


def run(args, env=None, **kw):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    if env:
        e.update(env)
    if "stdout" not in kw:
        kw["capture_output"] = True
    return subprocess.run([BIN] + args, env=e, timeout=60, **kw)


def write(root, rel, data):
    snapshot.Tree(root).write(rel, data)


def studio_new_tree(root):
    """A Studio (new) JupyterLab space: EBS home on nvme1n1, metadata, environ."""
    dev = "/sys/devices/pci0000:00/0000:00:1f.0/nvme/nvme1"
    snapshot.build(
        root,
        mountinfo=["1503 1384 0:170 / / rw,relatime - overlay overlay "
                   "rw,lowerdir=/l,upperdir=/u,workdir=/w",
                   "1525 1503 259:3 / /home/sagemaker-user rw,relatime - xfs /dev/nvme1n1 "
                   "rw,noquota"],
        environ=["SAGEMAKER_APP_TYPE=JupyterLab", "AWS_REGION=us-east-1",
                 "HOME=/home/sagemaker-user"],
        metadata=json.dumps({"AppType": "JupyterLab", "DomainId": "d-abcdefghij12",
                             "SpaceName": "s", "AppImageVersion": ""}),
        files={dev + "/model": "Amazon Elastic Block Store              \n",
               dev + "/serial": "vol0123456789abcdef0\n",
               dev + "/nvme1n1/size": "10485760\n",
               dev + "/nvme1n1/queue/rotational": "0\n"},
        symlinks=[(dev + "/nvme1n1/device", "../../nvme1"),
                  ("/sys/dev/block/259:3", "../.." + dev[len("/sys"):] + "/nvme1n1")],
        dirs=["/home/sagemaker-user/src"])


class Cli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="studio-probe-cli.")
        cls.studio = os.path.join(cls.tmp.name, "studio")
        studio_new_tree(cls.studio)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def assertUsageError(self, args, what=None):
        p = run(args)
        self.assertEqual(p.returncode, 2, (args, p.stderr))
        self.assertEqual(p.stdout, b"", args)
        lines = p.stderr.decode().split("\n")
        self.assertEqual(len(lines), 3, (args, p.stderr))  # two lines and the final newline
        self.assertTrue(lines[0].startswith("studio-probe: "), lines[0])
        if what:
            self.assertIn(what, lines[0])
        self.assertEqual(lines[1], TRY)
        self.assertEqual(lines[2], "")

    def test_help(self):
        for flag in ["--help", "-h"]:
            p = run([flag])
            self.assertEqual(p.returncode, 0)
            self.assertEqual(p.stderr, b"")
            out = p.stdout.decode()
            self.assertTrue(out.startswith("Usage: studio-probe [OPTIONS]"), out[:80])
            for o in LONG_OPTIONS:
                self.assertRegex(out, r"--%s\b" % re.escape(o))
            for i in IDS:
                self.assertIn(i, out)
        # --help wins over a bad option after it.
        self.assertEqual(run(["--help", "--bogus"]).returncode, 0)

    def test_version(self):
        for flag in ["--version", "-V"]:
            p = run([flag])
            self.assertEqual(p.returncode, 0)
            self.assertEqual(p.stderr, b"")
            self.assertRegex(p.stdout.decode(), r"\Astudio-probe \d+\.\d+\.\d+\n\Z")

    def test_list(self):
        p = run(["--list"])
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout.decode().split("\n"), IDS + [""])

    def test_usage_errors(self):
        cases = [
            (["--bogus"], "unrecognized option '--bogus'"),
            (["-x"], "invalid option -- 'x'"),
            (["-p"], "requires an argument"),
            (["--path"], "requires an argument"),
            (["--path="], "--path"),
            (["--json=1"], "doesn't allow an argument"),
            (["--expect=studio"], "--expect"),
            (["--expect"], "requires an argument"),
            (["--timeout=0"], "--timeout"),
            (["--timeout=-1"], "--timeout"),
            (["--timeout=1e9"], "--timeout"),
            (["--timeout=abc"], "--timeout"),
            (["--timeout=3601"], "--timeout"),
            (["--json", "--quiet"], "exclude each other"),
            (["positional"], "unexpected argument 'positional'"),
            (["--sysroot="], "--sysroot"),
        ]
        for args, what in cases:
            with self.subTest(args=args):
                self.assertUsageError(args, what)

    def test_expect(self):
        base = ["--sysroot", self.studio]
        p = run(base + ["--id", "--expect=studio-new"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, b"studio-new\n")
        p = run(base + ["--id", "--expect=none"])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stdout, b"studio-new\n")
        p = run(base + ["--id"])
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout, b"studio-new\n")
        # Without -q the report is printed either way; only the status differs.
        for env, code in [("studio-new", 0), ("studio-classic", 1)]:
            p = run(base + ["--json", "--expect", env])
            self.assertEqual(p.returncode, code)
            self.assertEqual(json.loads(p.stdout)["environment"], "studio-new")

    def test_replay_json(self):
        p = run(["--sysroot", self.studio, "--json"])
        self.assertEqual(p.returncode, 0, p.stderr)
        j = json.loads(p.stdout)
        self.assertEqual(j["environment"], "studio-new")
        self.assertEqual(j["confidence"], "high")
        h = j["home"]
        self.assertEqual(h["path"], "/home/sagemaker-user")
        self.assertEqual(h["mountpoint"], "/home/sagemaker-user")
        self.assertEqual(h["storage"], "ebs")
        self.assertEqual(h["device"]["ebs_volume_id"], "vol-0123456789abcdef0")
        self.assertEqual(h["device"]["size_bytes"], 10485760 * 512)
        self.assertIsNone(h["size_bytes"])  # no facts.json: statfs unknown, not guessed
        self.assertEqual(j["sagemaker"]["region"], "us-east-1")
        # A path inside the home, and one through ".." past the top of the sysroot.
        p = run(["--sysroot", self.studio, "--json", "-p", "/../../home/sagemaker-user/src"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["home"]["resolved_path"],
                         "/home/sagemaker-user/src")

    def test_c1_controls_escaped(self):
        # U+009B (8-bit CSI: "\x9b31m" is "\x1b[31m" to a terminal that takes
        # C1 controls) in a mount point, valid UTF-8 in one name and a raw byte
        # in another: the text report shows each byte escaped, the JSON keeps
        # the character (JSON readers are not terminals) and stays valid.
        root = os.path.join(self.tmp.name, "c1")
        studio_new_tree(root)
        csi = b"/mnt/custom-file-systems/efs/a\xc2\x9b31mb"
        raw = b"/mnt/custom-file-systems/efs/c\x9b31md"
        with open(os.path.join(root, "proc/self/mountinfo"), "ab") as f:
            for i, mp in enumerate([csi, raw]):
                f.write(b"16%02d 1503 0:19%d / %s rw,relatime - nfs4 127.0.0.1:/ rw,vers=4.1\n"
                        % (i, i, mp))
        for mp in (csi, raw):
            os.makedirs(os.path.join(os.fsencode(root), mp.lstrip(b"/")))
        p = run(["--sysroot", root, "-p", os.fsdecode(csi)])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn(b"\xc2\x9b", p.stdout)
        self.assertNotIn(b"\x9b", p.stdout)
        self.assertIn(b"efs/a\\xc2\\x9b31mb", p.stdout)  # the path and the mount
        self.assertIn(b"efs/c\\x9b31md", p.stdout)        # under other storage
        # --id prints the warnings (they name the mounts) on stderr: a terminal too.
        p = run(["--sysroot", root, "-p", os.fsdecode(csi), "--id"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn(b"\x9b", p.stderr)
        self.assertIn(b"warning: /mnt/custom-file-systems/efs/a\\xc2\\x9b31mb: resvport",
                      p.stderr)
        p = run(["--sysroot", root, "-p", os.fsdecode(csi), "--json"])
        self.assertEqual(p.returncode, 0, p.stderr)
        j = json.loads(p.stdout.decode("utf-8"))
        self.assertEqual(j["home"]["mountpoint"], "/mnt/custom-file-systems/efs/a\u009b31mb")

    def test_replay_failures(self):
        missing = os.path.join(self.tmp.name, "does-not-exist")
        p = run(["--sysroot", missing])
        self.assertEqual(p.returncode, 3)
        self.assertEqual(p.stdout, b"")
        self.assertRegex(p.stderr.decode(), r"\Astudio-probe: .*does-not-exist")
        # A path that does not exist in the snapshot: failure, nothing on stdout.
        p = run(["--sysroot", self.studio, "--json", "-p", "/home/sagemaker-user/nope"])
        self.assertEqual(p.returncode, 3)
        self.assertEqual(p.stdout, b"")
        self.assertTrue(p.stderr.startswith(b"studio-probe: "), p.stderr)
        # No mount table at all.
        empty = os.path.join(self.tmp.name, "empty")
        os.makedirs(empty, exist_ok=True)
        p = run(["--sysroot", empty, "-p", "/"])
        self.assertEqual(p.returncode, 3)
        self.assertEqual(p.stdout, b"")
        self.assertIn(b"mountinfo", p.stderr)

    def test_replay_bad_line_warning(self):
        root = os.path.join(self.tmp.name, "badline")
        write(root, "proc/self/mountinfo",
              "garbage line\n"
              "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
              "2 1 8:2 / /data rw\n")
        p = run(["--sysroot", root, "-p", "/", "--json"])
        self.assertEqual(p.returncode, 0, p.stderr)
        j = json.loads(p.stdout)
        self.assertEqual(j["home"]["mountpoint"], "/")
        mi = os.path.join(root, "proc/self/mountinfo")
        w = [x for x in j["warnings"] if x.startswith(mi + ":")]
        self.assertEqual(sorted(x.split(":")[1] for x in w), ["1", "3"], j["warnings"])

    def test_write_error(self):
        with open("/dev/full", "wb") as full:
            p = run(["--sysroot", self.studio, "--json"], stdout=full,
                    stderr=subprocess.PIPE)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"write error", p.stderr)
        with open("/dev/full", "wb") as full:
            p = run(["--help"], stdout=full, stderr=subprocess.PIPE)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"write error", p.stderr)

    def test_closed_pipe(self):
        # The reader is gone before the first byte (as `| head -c1` once it has
        # its byte): no message, whether SIGPIPE kills us or is ignored.
        for ignore in (False, True):
            r, w = os.pipe()
            os.close(r)
            pre = (lambda: signal.signal(signal.SIGPIPE, signal.SIG_IGN)) if ignore else None
            p = subprocess.run([BIN, "--sysroot", self.studio, "--json"], stdout=w,
                               stderr=subprocess.PIPE, preexec_fn=pre, timeout=60)
            os.close(w)
            self.assertEqual(p.stderr, b"", (ignore, p.stderr))
        # And through a real shell pipeline.
        p = subprocess.run("'%s' --sysroot '%s' --json | head -c1" % (BIN, self.studio),
                           shell=True, capture_output=True, timeout=60)
        self.assertEqual(p.stdout, b"{")
        self.assertEqual(p.stderr, b"")

    def run_tty(self, args, env):
        """Runs with stdout on a pseudo-terminal; returns what it printed."""
        master, slave = pty.openpty()
        e = dict(os.environ)
        e.pop("NO_COLOR", None)
        e.update(env)
        proc = subprocess.Popen([BIN] + args, stdout=slave, stderr=subprocess.PIPE, env=e)
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        proc.wait(timeout=60)
        os.close(master)
        return out

    def test_color(self):
        args = ["--sysroot", self.studio]
        p = run(args)  # a pipe is no TTY
        self.assertEqual(p.returncode, 0)
        self.assertNotIn(b"\x1b", p.stdout)
        self.assertTrue(p.stdout.decode().splitlines()[0])
        self.assertNotIn(b"\x1b", self.run_tty(args, {"NO_COLOR": "1"}))
        # The control: on a TTY without NO_COLOR there is colour, so the two
        # checks above can fail. An empty NO_COLOR does not count (no-color.org).
        self.assertIn(b"\x1b[", self.run_tty(args, {}))
        self.assertIn(b"\x1b[", self.run_tty(args, {"NO_COLOR": ""}))

    def test_live_relative_path(self):
        with tempfile.TemporaryDirectory(prefix="studio-probe-cli-rel.") as d:
            os.makedirs(os.path.join(d, "sub", "deeper"))
            for rel, want in [("sub", "sub"), (".", ""), ("sub/../sub/deeper", "sub/deeper")]:
                with self.subTest(rel=rel):
                    p = run(["--json", "-p", rel], cwd=os.path.join(d))
                    self.assertEqual(p.returncode, 0, p.stderr)
                    h = json.loads(p.stdout)["home"]
                    self.assertEqual(h["resolved_path"],
                                     os.path.realpath(os.path.join(d, want)))
            p = run(["-p", "missing"], cwd=d)
            self.assertEqual(p.returncode, 3)
            self.assertEqual(p.stdout, b"")
            self.assertIn(b"missing", p.stderr)
            os.symlink("loop", os.path.join(d, "loop"))
            p = run(["-p", "loop", "--json"], cwd=d)
            self.assertEqual(p.returncode, 3)
            self.assertEqual(p.stdout, b"")

    def test_live(self):
        p = run(["--json"])
        self.assertEqual(p.returncode, 0, p.stderr)
        j = json.loads(p.stdout)
        self.assertEqual(j["schema_version"], 1)
        self.assertIn(j["environment"], IDS)
        self.assertIn(j["confidence"], ["high", "medium", "low"])
        self.assertIsNotNone(j["home"]["mountpoint"])
        self.assertIsInstance(j["home"]["size_bytes"], int)  # live: statfs answers
        p = run(["--id"])
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout.decode().strip(), j["environment"])
        self.assertEqual(p.stdout.count(b"\n"), 1)
        p = run(["-p", "/"])
        self.assertEqual(p.returncode, 0)
        self.assertNotIn(b"\x1b", p.stdout)

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("mkfs.ext4"),
                         "needs root and mkfs.ext4 (e2fsprogs) for a loop-mounted file system")
    def test_live_blkid_loop_device(self):
        # The superblock probe (libblkid, in a forked worker) on a device we can
        # open: type, UUID and label must come back, and statfs the size.
        with tempfile.TemporaryDirectory() as d:
            img, mnt = os.path.join(d, "fs.img"), os.path.join(d, "mnt")
            os.mkdir(mnt)
            with open(img, "wb") as f:
                f.truncate(32 << 20)
            subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "probe-label", img], check=True)
            if subprocess.run(["mount", "-o", "loop", img, mnt]).returncode != 0:
                self.skipTest("loop mounts are not available here")
            try:
                p = run(["-p", mnt, "--json"])
                self.assertEqual(p.returncode, 0, p.stderr)
                dev = json.loads(p.stdout)["home"]["device"]
                uuid = subprocess.run(["blkid", "-p", "-s", "UUID", "-o", "value", img],
                                      capture_output=True, text=True).stdout.strip()
                self.assertEqual(dev["fs_type"], "ext4")
                self.assertEqual(dev["label"], "probe-label")
                if uuid:
                    self.assertEqual(dev["uuid"], uuid)
                self.assertEqual(json.loads(p.stdout)["home"]["mountpoint"], mnt)
            finally:
                subprocess.run(["umount", "-l", mnt])


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    BIN = os.path.abspath(sys.argv[1])
    cases.main(Cli, sys.argv[2:])
