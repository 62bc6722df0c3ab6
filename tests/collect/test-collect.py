#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""studio-probe collect (issue 5, support bundle): a bundle replays with
--sysroot to the same environment, confidence and storage; it holds no secret;
--redact hides account ids, ARNs' names, domain, user and space names.

Usage: test-collect.py STUDIO_PROBE SOURCE_ROOT [CASE...] | --list (python3
standard library; python3-jsonschema when installed validates report.json).
CASE is a method of Collect without its test_ prefix."""

import json
import os
import shutil
import sys
import tarfile
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib import cases, snapshot  # noqa: E402
from lib.probe import all_bytes, run_checked, storages  # noqa: E402

PROBE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "studio-probe"
SRC = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "."
FIXTURE = os.path.join(SRC, "tests", "fixtures", "new-codeeditor-custom-efs-fsx", "root")
SCHEMA = os.path.join(SRC, "packaging", "studio-probe.schema.json")

SECRET_URI = "/v2/credentials/0f1e2d3c-secret-uri-4b5a"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
STORAGE_FIELDS = ["storage", "mountpoint", "resolved_path", "statfs_type", "mount_id", "fstype", "source", "size_bytes", "free_bytes"]
DEVICE_FIELDS = ["name", "partition", "ebs_volume_id", "serial", "model", "size_bytes",
                 "rotational", "fs_type", "uuid", "label"]


def run(args, check=True):
    return run_checked([PROBE] + args, check=check, text=True)


def report(args):
    return json.loads(run(args + ["--json"]).stdout)


class Collect(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="collect-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def assertSameStorage(self, a, b, exact_free=True, fix=lambda v: v):
        """fix: what --redact did to a's strings."""
        self.assertEqual(a["environment"], b["environment"])
        self.assertEqual(a["confidence"], b["confidence"])
        sa, sb = storages(a), storages(b)
        self.assertEqual(len(sa), len(sb))
        for x, y in zip(sa, sb):
            for f in STORAGE_FIELDS:
                if f == "free_bytes" and not exact_free:
                    continue
                self.assertEqual(fix(x.get(f)), y.get(f), f)
            dx, dy = x.get("device") or {}, y.get("device") or {}
            for f in DEVICE_FIELDS:
                self.assertEqual(dx.get(f), dy.get(f), "device " + f)

    def check_schema(self, path):
        try:
            import jsonschema
        except ImportError:
            return
        with open(SCHEMA) as f:
            schema = json.load(f)
        with open(path) as f:
            jsonschema.validate(json.load(f), schema)

    def check_bundle(self, bundle, live):
        """The bundle's own report equals its replay; both agree with a live run."""
        with open(os.path.join(bundle, "report.json")) as f:
            saved = json.load(f)
        self.check_schema(os.path.join(bundle, "report.json"))
        replay = report(["--sysroot", bundle])
        self.assertSameStorage(saved, replay)
        self.assertSameStorage(live, replay, exact_free=False)
        for st in (saved, replay):
            self.assertIsNotNone(st["home"]["size_bytes"])
        with open(os.path.join(bundle, ".studio-probe", "facts.json")) as f:
            facts = json.load(f)
        self.assertIn("statfs", facts)
        # proc/self/environ: only what the probe reads
        with open(os.path.join(bundle, "proc", "self", "environ"), "rb") as f:
            env = f.read()
        allowed = {b"SAGEMAKER_APP_TYPE", b"SAGEMAKER_SPACE_NAME",
                   b"SAGEMAKER_SPACE_TYPE_LOWERCASE", b"TRAINING_JOB_NAME", b"HOME",
                   b"AWS_REGION", b"REGION_NAME", b"AWS_DEFAULT_REGION"}
        for kv in filter(None, env.split(b"\0")):
            self.assertIn(kv.split(b"=", 1)[0], allowed, kv)
        return saved, replay

    def test_live_dir(self):
        live = report([])
        bundle = os.path.join(self.tmp, "b")
        p = run(["collect", bundle])
        self.assertIn("files", p.stdout)
        self.assertTrue(os.path.isfile(os.path.join(bundle, "proc", "self", "mountinfo")))
        self.assertFalse(os.path.islink(os.path.join(bundle, "proc", "self")))
        self.assertEqual(os.stat(bundle).st_mode & 0o777, 0o700)
        self.check_bundle(bundle, live)
        # sysfs symlinks are the same relative links as on this machine
        for d, _, files in os.walk(os.path.join(bundle, "sys", "dev", "block")):
            for n in files:
                t = os.readlink(os.path.join(d, n))
                self.assertFalse(t.startswith("/"), t)
                self.assertEqual(t, os.readlink(os.path.join("/sys/dev/block", n)))

    def test_live_archive(self):
        live = report([])
        archive = os.path.join(self.tmp, "bundle.tar.gz")
        run(["collect", archive])
        out = os.path.join(self.tmp, "x")
        with tarfile.open(archive) as t:
            names = t.getnames()
            self.assertTrue(all(n == "bundle" or n.startswith("bundle/") for n in names), names)
            t.extractall(out)
        self.check_bundle(os.path.join(out, "bundle"), live)
        # never overwritten
        p = run(["collect", archive], check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("exists", p.stderr)

    def make_fixture(self):
        root = os.path.join(self.tmp, "fixture")
        shutil.copytree(FIXTURE, root, symlinks=True)
        # A user name for the redactor to find: Classic metadata carries one
        # (a Studio (new) space's does not), and the fixture's FSx directory is it.
        md = os.path.join(root, snapshot.METADATA.lstrip("/"))
        with open(md) as f:
            doc = json.load(f)
        doc["UserProfileName"] = "alice"
        snapshot.Tree(root).put(snapshot.METADATA, json.dumps(doc, indent=4) + "\n")
        snapshot.Tree(root).append(snapshot.ENVIRON, snapshot.environ_bytes({
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": SECRET_URI,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_SESSION_TOKEN": "tokentokentoken"}))
        return root

    def test_fixture_and_secrets(self):
        root = self.make_fixture()
        live = report(["--sysroot", root])
        self.assertEqual(live["environment"], "studio-new")
        bundle = os.path.join(self.tmp, "b")
        run(["--sysroot", root, "collect", bundle])
        saved, replay = self.check_bundle(bundle, live)
        self.assertSameStorage(live, replay)
        blob = b"\n".join(all_bytes(bundle))
        for s in [b"AWS_CONTAINER_CREDENTIALS", b"AWS_SECRET_ACCESS_KEY", b"AWS_SESSION_TOKEN",
                  SECRET_URI.encode(), SECRET_KEY.encode(), b"tokentokentoken",
                  b"AWS_ACCOUNT_ID"]:
            self.assertNotIn(s, blob)
        # what the probe reads is there, and the sysfs links are the fixture's
        self.assertIn(b"SAGEMAKER_SPACE_NAME=alice-ce-fsx", blob)
        link = os.path.join("sys", "dev", "block", "259:3")
        self.assertEqual(os.readlink(os.path.join(bundle, link)),
                         os.readlink(os.path.join(root, link)))
        # nothing the probe did not read: the unused devices stay out
        self.assertFalse(os.path.lexists(os.path.join(bundle, "sys", "dev", "block", "259:0")))

    def test_redact(self):
        root = self.make_fixture()
        live = report(["--sysroot", root])
        bundle = os.path.join(self.tmp, "r")
        p = run(["--sysroot", root, "collect", "--redact", bundle])
        self.assertIn("redacted", p.stdout)
        blob = b"\n".join(all_bytes(bundle))
        for s in [b"111122223333", b"alice", b"d-abcdefghij12", b"alice-ce-fsx",
                  b"AmazonSageMaker-ExecutionRole", SECRET_KEY.encode()]:
            self.assertNotIn(s, blob)
        self.assertIn(b"space-1", blob)
        self.assertIn(b"d-domain-1", blob)
        self.assertIn(b"111111111111", blob)
        replay = report(["--sysroot", bundle])
        with open(os.path.join(bundle, "report.json")) as f:
            self.assertSameStorage(json.load(f), replay)

        def fix(v):
            if isinstance(v, str):
                for a, b in (("alice-ce-fsx", "space-1"), ("alice", "user-1"),
                             ("10.1.53.46", "192.0.2.1")):
                    v = v.replace(a, b)
            return v
        self.assertSameStorage(live, replay, fix=fix)
        self.assertEqual(replay["sagemaker"]["space_name"], "space-1")
        self.assertEqual(replay["sagemaker"]["domain_id"], "d-domain-1")
        # consistent: the metadata's SpaceName and the environment's agree
        self.assertEqual(replay["sagemaker"]["space_name"],
                         replay["sagemaker"].get("env_space_name", "space-1"))
        # the same in an archive
        archive = os.path.join(self.tmp, "r.tgz")
        run(["--sysroot", root, "collect", archive, "--redact"])
        with tarfile.open(archive) as t:
            for m in t.getmembers():
                if m.isfile():
                    self.assertNotIn(b"alice", t.extractfile(m).read())

    def test_refuses_non_empty(self):
        d = os.path.join(self.tmp, "full")
        os.mkdir(d)
        with open(os.path.join(d, "keep"), "w") as f:
            f.write("mine")
        p = run(["collect", d], check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("not empty", p.stderr)
        self.assertEqual(os.listdir(d), ["keep"])
        # a file where a directory is wanted
        p = run(["collect", os.path.join(d, "keep")], check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        # an empty directory is fine
        e = os.path.join(self.tmp, "empty")
        os.mkdir(e)
        run(["collect", e])
        self.assertTrue(os.path.isfile(os.path.join(e, "report.json")))

    def test_usage(self):
        for args in (["collect"], ["--redact"], ["collect", self.tmp + "/a", "--json"],
                     ["collect", self.tmp + "/a", "extra"],
                     ["--compare=" + self.tmp, "collect", self.tmp + "/a"],
                     ["--bench", "--sysroot", self.tmp, "collect", self.tmp + "/a"]):
            p = run(args, check=False)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertFalse(os.path.exists(self.tmp + "/a"))
        self.assertIn("collect DIR|FILE.tar.gz", run(["--help"]).stdout)


if __name__ == "__main__":
    cases.main(Collect, sys.argv[3:])
