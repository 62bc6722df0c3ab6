#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A support bundle never holds a secret, whatever the path it was read by
(issue 8): the environment however /proc/self resolved (live, --sysroot=/,
--sysroot=/proc/PID/root, a PID namespace), the JSON files SageMaker writes,
mount options, files only seen to exist, links into /proc of a snapshot.
Each case plants secrets, greps the whole bundle (and the extracted archive)
for them, and replays the bundle to the environment and storage of the run
that wrote it.

Usage: test-bundle-secrets.py STUDIO_PROBE SOURCE_ROOT [CASE...] | --list
CASE is a method of Secrets without its test_ prefix. Exit 77: skipped."""

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib import cases  # noqa: E402
from lib.probe import all_bytes, run_checked  # noqa: E402

PROBE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "studio-probe"
SRC = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "."
FIXTURES = os.path.join(SRC, "tests", "fixtures")

# What the environment holds in the live cases: the credentials the issue
# names, and the variables the probe reads (they must reach the bundle).
SECRET_ENV = {
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY1",
    "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjSESSIONTOKEN2",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/c0ffee-relative-uri-3",
    "DB_PASSWORD": "correct-horse-battery-staple-4",
}
USED_ENV = {
    "SAGEMAKER_APP_TYPE": "JupyterLab",
    "SAGEMAKER_SPACE_NAME": "space-in-the-bundle",
    "AWS_REGION": "eu-west-3",
}
SECRETS = [v.encode() for v in SECRET_ENV.values()] + [
    b"AWS_SECRET_ACCESS_KEY", b"AWS_SESSION_TOKEN", b"AWS_CONTAINER_CREDENTIALS", b"DB_PASSWORD"]


def run(args, env=None, check=True, prefix=()):
    return run_checked(list(prefix) + [PROBE] + args, check=check, env=env)


def report(args, env=None, prefix=()):
    return json.loads(run(args + ["--json"], env=env, prefix=prefix).stdout)


def verdict(r):
    return (r["environment"], r["confidence"], r["home"]["storage"], r["home"]["fstype"],
            r["home"]["mountpoint"])


class Secrets(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bundle-secrets-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def assertNoSecret(self, bundle, secrets):
        blob = b"\n".join(all_bytes(bundle))
        for s in secrets:
            self.assertNotIn(s, blob, f"{s!r} is in the bundle {bundle}")

    def collect(self, args, name, env=None, prefix=()):
        """collect into a directory and into an archive; the extracted archive
        and the directory are returned (the same bundle twice)."""
        d = os.path.join(self.tmp, name)
        run(args + ["collect", d], env=env, prefix=prefix)
        archive = os.path.join(self.tmp, name + ".tar.gz")
        run(args + ["collect", archive], env=env, prefix=prefix)
        x = os.path.join(self.tmp, name + ".x")
        with tarfile.open(archive) as t:
            t.extractall(x)
        return [d, os.path.join(x, name)]

    def assertReplays(self, bundle, want, extra=()):
        replay = report(["--sysroot", bundle] + list(extra))
        self.assertEqual(verdict(want), verdict(replay), bundle)
        with open(os.path.join(bundle, "report.json")) as f:
            saved = json.load(f)
        self.assertEqual(verdict(saved), verdict(replay))
        # the report in the bundle shows what the bundle's files say, no more
        for a, b in zip([saved["home"]] + (saved.get("mounts") or []),
                        [replay["home"]] + (replay.get("mounts") or [])):
            for k in ("options", "source", "nfs"):
                self.assertEqual(a.get(k), b.get(k), k)
        return replay

    # ---- the environment, whatever /proc/self led to ----

    def live_env(self):
        env = dict(os.environ)
        env.update(SECRET_ENV)
        env.update(USED_ENV)
        return env

    def check_environ(self, args, prefix=(), name="b"):
        env = self.live_env()
        live = report(args, env=env, prefix=prefix)
        self.assertEqual(live["sagemaker"]["space_name"], USED_ENV["SAGEMAKER_SPACE_NAME"])
        self.assertEqual(live["environment"], "studio-new")
        for bundle in self.collect(args, name, env=env, prefix=prefix):
            self.assertNoSecret(bundle, SECRETS)
            with open(os.path.join(bundle, "proc", "self", "environ"), "rb") as f:
                kept = set(f.read().split(b"\0")) - {b""}
            self.assertIn(b"SAGEMAKER_SPACE_NAME=space-in-the-bundle", kept)
            self.assertIn(b"AWS_REGION=eu-west-3", kept)
            # no other pid's directory: /proc/self is written as proc/self;
            # of pid 1 only whether it runs serve, of proc/sys the host name,
            # of proc/uptime its first field (the age of the I/O counters)
            self.assertLessEqual(set(os.listdir(os.path.join(bundle, "proc"))),
                                 {"self", "1", "sys", "uptime"})
            if os.path.exists(os.path.join(bundle, "proc", "uptime")):
                with open(os.path.join(bundle, "proc", "uptime"), "rb") as f:
                    self.assertRegex(f.read(), rb"^[0-9]+\.[0-9]+\n$")
            if os.path.isdir(os.path.join(bundle, "proc", "1")):
                self.assertEqual(os.listdir(os.path.join(bundle, "proc", "1")), ["cmdline"])
                with open(os.path.join(bundle, "proc", "1", "cmdline"), "rb") as f:
                    self.assertIn(f.read(), (b"-\0", b"serve\0"))
            self.assertFalse(os.path.islink(os.path.join(bundle, "proc", "self")))
            replay = self.assertReplays(bundle, live)
            self.assertEqual(replay["sagemaker"]["space_name"], "space-in-the-bundle")
            self.assertEqual(replay["sagemaker"]["region"], "eu-west-3")

    def test_environ_live(self):
        self.check_environ([])

    def test_environ_sysroot_slash(self):
        self.check_environ(["--sysroot", "/"])

    def test_environ_sysroot_proc_root(self):
        self.check_environ(["--sysroot", "/proc/self/root"], name="self")
        self.check_environ(["--sysroot", f"/proc/{os.getpid()}/root"], name="pid")

    def unshare(self, *opts):
        if os.geteuid() != 0 or not shutil.which("unshare"):
            self.skipTest("needs root and unshare(1) for a PID namespace")
        probe = subprocess.run(["unshare", "--pid", "--fork", *opts, "true"],
                               stderr=subprocess.PIPE)
        if probe.returncode != 0:
            self.skipTest("unshare --pid fails here: " + probe.stderr.decode().strip())
        return ["unshare", "--pid", "--fork", *opts]

    def test_environ_pid_namespace(self):
        # /proc is the parent namespace's: /proc/self is this process under
        # another number than getpid() (1)
        self.check_environ([], prefix=self.unshare())

    def test_environ_pid_namespace_mount_proc(self):
        self.check_environ([], prefix=self.unshare("--mount-proc"))

    # ---- JSON files: only the fields the probe parses ----

    def fixture(self, name):
        root = os.path.join(self.tmp, name)
        shutil.copytree(os.path.join(FIXTURES, name, "root"), root, symlinks=True)
        return root

    def args_of(self, name):
        with open(os.path.join(FIXTURES, name, "args")) as f:
            return [a for a in f.read().split("\n") if a and a != "--json"]

    def test_processing_jobconfig(self):
        root = self.fixture("processing-job")
        p = os.path.join(root, "opt", "ml", "config", "processingjobconfig.json")
        with open(p) as f:
            cfg = json.load(f)
        cfg["Environment"] = {"DB_PASSWORD": "hunter2-in-environment-map",
                              "API_TOKEN": "tok-0123456789abcdef"}
        cfg["ProcessingInputs"] = [{"S3Input": {
            "S3Uri": "s3://secret-bucket-name/private/prefix", "LocalPath": "/opt/ml/processing/in"}}]
        cfg["ProcessingOutputConfig"] = {"KmsKeyId": "arn:aws:kms:us-east-1:111122223333:key/k3y"}
        with open(p, "w") as f:
            json.dump(cfg, f)
        with open(os.path.join(root, "opt", "ml", "config", "resourceconfig.json"), "w") as f:
            json.dump({"current_host": "algo-1", "hosts": ["algo-1"],
                       "secret": "resourceconfig-secret-5"}, f)
        args = ["--sysroot", root] + self.args_of("processing-job")
        live = report(args)
        self.assertEqual(live["environment"], "processing-job")
        for bundle in self.collect(args, "b"):
            self.assertNoSecret(bundle, [b"hunter2-in-environment-map", b"tok-0123456789abcdef",
                                         b"secret-bucket-name", b"s3://", b"Environment",
                                         b"RoleArn", b"ImageUri", b"kms", b"k3y",
                                         b"resourceconfig-secret-5"])
            with open(os.path.join(bundle, "opt", "ml", "config", "processingjobconfig.json")) as f:
                self.assertEqual(json.load(f), {"ProcessingJobName": cfg["ProcessingJobName"],
                                                "ProcessingJobArn": cfg["ProcessingJobArn"]})
            replay = self.assertReplays(bundle, live, self.args_of("processing-job"))
            self.assertEqual(replay["sagemaker"]["processing_job_name"],
                             live["sagemaker"]["processing_job_name"])

    def test_training_resourceconfig(self):
        root = self.fixture("training-job")
        with open(os.path.join(root, "opt", "ml", "input", "config",
                               "resourceconfig.json"), "w") as f:
            json.dump({"current_host": "algo-1", "hosts": ["algo-1"],
                       "network_interface_name": "eth0",
                       "instance_groups": [{"password": "training-secret-6"}]}, f)
        args = ["--sysroot", root] + self.args_of("training-job")
        live = report(args)
        self.assertEqual(live["environment"], "training-job")
        for bundle in self.collect(args, "b"):
            self.assertNoSecret(bundle, [b"training-secret-6", b"instance_groups"])
            self.assertReplays(bundle, live, self.args_of("training-job"))

    def test_resource_metadata(self):
        root = self.fixture("new-jupyterlab-private")
        p = os.path.join(root, "opt", "ml", "metadata", "resource-metadata.json")
        with open(p) as f:
            meta = json.load(f)
        meta["ExecutionRoleArn"] = "arn:aws:iam::111122223333:role/metadata-secret-role-7"
        meta["SpaceSettings"] = {"Token": "metadata-secret-token-8"}
        meta["AppImageVersion"] = {"nested": "metadata-secret-nested-9"}  # wrong type
        with open(p, "w") as f:
            json.dump(meta, f)
        args = ["--sysroot", root]
        live = report(args)
        for bundle in self.collect(args, "b"):
            self.assertNoSecret(bundle, [b"metadata-secret-role-7", b"metadata-secret-token-8",
                                         b"metadata-secret-nested-9", b"SpaceSettings",
                                         b"ExecutionRoleArn"])
            replay = self.assertReplays(bundle, live)
            # the same warning for the field of the wrong type
            self.assertEqual([w.replace(bundle, "R") for w in replay["warnings"]],
                             [w.replace(root, "R") for w in live["warnings"]])

    def test_unified_studio_metadata(self):
        """Of AdditionalMetadata only the ids the report names: no S3 path,
        subnet, security group or DataZone user id (landscape-2026 §1.2)."""
        root = self.fixture("unified-studio")
        args = ["--sysroot", root]
        live = report(args)
        self.assertEqual(live["environment"], "unified-studio")
        for bundle in self.collect(args, "b"):
            self.assertNoSecret(bundle, [b"ProjectS3Path", b"amazon-sagemaker-111122223333",
                                         b"sg-0a1b2c3d4e5f60718", b"subnet-0a1b2c3d4e5f60718",
                                         b"DataZoneUserId", b"datazone_usr_role"])
            replay = self.assertReplays(bundle, live)
            self.assertEqual(replay["sagemaker"]["datazone_project_id"], "b7c9d1e3f5g7h9")

    def test_invalid_json(self):
        """Nothing of a file the parser refuses: a stand-in refused the same way."""
        base = self.fixture("new-jupyterlab-private")
        p = os.path.join("opt", "ml", "metadata", "resource-metadata.json")
        cases = {
            "trailing": b'{"AppType": "JupyterLab"} {"Token": "invalid-secret-10"}',
            "broken": b'{"AppType": "JupyterLab", "Token": "invalid-secret-10"',
            "nul": b'{"Token": "invalid-secret-10"}\0',
            "array": b'["invalid-secret-10"]',
        }
        for name, text in cases.items():
            root = os.path.join(self.tmp, "root-" + name)
            shutil.copytree(base, root, symlinks=True)
            with open(os.path.join(root, p), "wb") as f:
                f.write(text)
            live = report(["--sysroot", root])
            bundle = os.path.join(self.tmp, "b-" + name)
            run(["--sysroot", root, "collect", bundle])
            self.assertNoSecret(bundle, [b"invalid-secret-10", b"Token"])
            replay = self.assertReplays(bundle, live)
            self.assertEqual([w.replace(bundle, "R") for w in replay["warnings"]],
                             [w.replace(root, "R") for w in live["warnings"]], name)

    # ---- mount options ----

    def test_mount_options(self):
        root = self.fixture("risky-nfs-options")
        mi = os.path.join(root, "proc", "self", "mountinfo")
        with open(mi, "a") as f:
            f.write(
                "1700 1588 0:190 / /mnt/custom-file-systems/share rw,relatime - cifs "
                "//files.corp.example/share rw,vers=3.1.1,cache=strict,username=samba-user-22,"
                "password=hunter2,domain=CORPDOMAIN23,uid=0\n"
                "1701 1588 0:191 / /mnt/custom-file-systems/ssh rw,nosuid,nodev,relatime - "
                "fuse.sshfs bob:pass-in-source-11@host.example:/data "
                "rw,user_id=0,group_id=0,password=hunter2\n"
                "1702 1588 0:192 / /mnt/custom-file-systems/s3 rw,relatime - fuse.rclone "
                "s3:bucket rw,token={\"access_token\":\"ya29.rclone-token-12\"}\n"
                "1703 1588 0:193 / /mnt/custom-file-systems/dav rw,relatime - davfs "
                "https://carol:dav-pass-13@dav.example/remote "
                "rw,credentials=/root/.davfs-cred-14,vers=4\n"
                "1704 1588 0:194 / /mnt/custom-file-systems/ceph rw shared:9 junk-opt-field-15 - "
                "ceph 10.0.0.1:/ rw,name=admin,secret=AQceph-secret-16==,rsize=4096\n"
                "1705 1588 0:195 / /mnt/custom-file-systems/esc rw - nfs4 srv:/x "
                "rw,vers=4.1\\054password\\075escaped-secret-17,addr=10.0.0.2\n")
        live = report(["--sysroot", root])
        self.assertTrue(any("password=hunter2" in (m.get("options") or "")
                            for m in live["mounts"]), "the fixture's cifs mount is reported")
        for bundle in self.collect(["--sysroot", root], "b"):
            self.assertNoSecret(bundle, [b"hunter2", b"pass-in-source-11", b"rclone-token-12",
                                         b"dav-pass-13", b"davfs-cred-14", b"junk-opt-field-15",
                                         b"ceph-secret-16", b"escaped-secret-17",
                                         b"samba-user-22", b"CORPDOMAIN23"])
            replay = self.assertReplays(bundle, live)
            # the same mounts, the same NFS verdicts and warnings
            self.assertEqual(len(live["mounts"]), len(replay["mounts"]))
            for a, b in zip([live["home"]] + live["mounts"], [replay["home"]] + replay["mounts"]):
                self.assertEqual((a["mountpoint"], a["fstype"], a["storage"]),
                                 (b["mountpoint"], b["fstype"], b["storage"]))
                if a["nfs"]:
                    self.assertEqual(a["nfs"]["warnings"], b["nfs"]["warnings"])
                    self.assertEqual(a["nfs"]["version"], b["nfs"]["version"])
            self.assertTrue(live["home"]["nfs"]["warnings"])
            self.assertEqual(live["warnings"], replay["warnings"])
            by_mp = {m["mountpoint"]: m for m in replay["mounts"]}
            self.assertEqual(by_mp["/mnt/custom-file-systems/share"]["options"],
                             "rw,relatime,vers=,cache=,username=,password=,domain=,uid=")
            self.assertEqual(by_mp["/mnt/custom-file-systems/ssh"]["source"],
                             "bob@host.example:/data")
            self.assertEqual(by_mp["/mnt/custom-file-systems/dav"]["source"],
                             "https://carol@dav.example/remote")

    def test_mountinfo_garbage_replays(self):
        """Lines the reader refuses become stand-ins refused the same way:
        the same warnings at the same line numbers, none of their bytes."""
        root = self.fixture("risky-nfs-options")
        mi = os.path.join(root, "proc", "self", "mountinfo")
        with open(mi, "rb") as f:
            lines = f.read().split(b"\n")
        bad = [b"# comment password=garbage-secret-18", b"   ",
               b"12 34 garbage-secret-18 no separator",
               b"not mountinfo garbage-secret-18", b"12 34 0:1 / /x rw - ext4 /dev/x a\0garbage-secret-18",
               b"x" * 70000 + b"garbage-secret-18"]
        with open(mi, "wb") as f:
            f.write(b"\n".join(lines[:3] + bad + lines[3:]))
        live = report(["--sysroot", root])
        self.assertTrue(live["warnings"])
        bundle = os.path.join(self.tmp, "b")
        run(["--sysroot", root, "collect", bundle])
        self.assertNoSecret(bundle, [b"garbage-secret-18"])
        replay = self.assertReplays(bundle, live)
        self.assertEqual([w.replace(bundle, "R") for w in replay["warnings"]],
                         [w.replace(root, "R") for w in live["warnings"]])

    # ---- what was only seen to exist, and links into /proc ----

    def test_existence_only(self):
        """--path FILE, and the marker files tested for existence: the bundle
        holds the name, never the content."""
        secret = os.path.join(self.tmp, "private-file")
        with open(secret, "w") as f:
            f.write("root:existence-secret-19:19000:0:99999:7:::\n")
        live = report(["--path", secret])
        bundle = os.path.join(self.tmp, "b")
        run(["--path", secret, "collect", bundle])
        self.assertNoSecret(bundle, [b"existence-secret-19"])
        copy = bundle + secret
        self.assertTrue(os.path.isfile(copy))
        self.assertEqual(os.path.getsize(copy), 0)
        self.assertEqual(verdict(live), verdict(report(["--sysroot", bundle, "--path", secret])))

    def test_snapshot_links_into_proc(self):
        """A snapshot whose files lead into /proc of some pid: read as
        metadata or as a sysfs attribute, nothing of them is copied."""
        root = self.fixture("new-jupyterlab-private")
        os.makedirs(os.path.join(root, "proc", "4242"))
        with open(os.path.join(root, "proc", "4242", "environ"), "wb") as f:
            f.write(b"AWS_SECRET_ACCESS_KEY=proc-link-secret-20\0")
        with open(os.path.join(root, "proc", "4242", "comm"), "wb") as f:
            f.write(b"proc-link-secret-21\n")
        meta = os.path.join(root, "opt", "ml", "metadata", "resource-metadata.json")
        os.unlink(meta)
        os.symlink("/proc/4242/environ", meta)
        marker = os.path.join(root, "etc", "opt", "ml",
                              "sagemaker-notebook-instance-version.txt")
        os.makedirs(os.path.dirname(marker), exist_ok=True)
        os.symlink("../../../proc/4242/comm", marker)
        live = report(["--sysroot", root])
        self.assertEqual(live["sagemaker"]["notebook_instance_version"], "proc-link-secret-21")
        bundle = os.path.join(self.tmp, "b")
        p = run(["--sysroot", root, "collect", bundle])
        # (the marker's value is the report's notebook_instance_version: only
        # the copies of the files are checked for it)
        blob = b"\n".join(all_bytes(os.path.join(bundle, "proc")))
        self.assertNotIn(b"proc-link-secret-20", blob)
        self.assertNotIn(b"proc-link-secret-21", blob)
        self.assertNotIn(b"proc-link-secret-20", b"\n".join(all_bytes(bundle)))
        self.assertIn(b"keeps nothing of", p.stderr)

    # ---- every fixture: the reduced bundle replays to the same verdict ----

    def test_fixtures_replay(self):
        """What the reducers drop is nothing the probe reads: each fixture's
        bundle replays to its environment, confidence, home storage and
        warnings, and its report shows the reduced options the replay reads."""
        checked = 0
        for name in sorted(os.listdir(FIXTURES)):
            root = os.path.join(FIXTURES, name, "root")
            argsf = os.path.join(FIXTURES, name, "args")
            if not os.path.isdir(root) or not os.path.exists(argsf):
                continue
            args = [a for a in self.args_of(name) if a not in ("-q", "--quiet", "--expect")]
            if any(a.startswith("--expect") for a in args):
                continue
            live = run(["--sysroot", root] + args + ["--json"], check=False)
            if live.returncode != 0:
                continue  # the run fails: nothing to collect
            live = json.loads(live.stdout)
            bundle = os.path.join(self.tmp, name)
            run(["--sysroot", root] + args + ["collect", bundle])
            with self.subTest(fixture=name):
                self.assertReplays(bundle, live, args)
                replay = report(["--sysroot", bundle] + args)
                self.assertEqual([w.replace(bundle, "R") for w in replay["warnings"]],
                                 [w.replace(root, "R") for w in live["warnings"]])
            checked += 1
        self.assertGreater(checked, 30)


if __name__ == "__main__":
    cases.main(Secrets, sys.argv[3:])
