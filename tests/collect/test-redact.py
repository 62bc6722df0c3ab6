#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""studio-probe collect --redact (issue 8): names that are also words of the
files ("e", "home", "JupyterLab") never corrupt the bundle; account ids outside
ARNs, ARNs written with \\/, names that differ in case, private addresses and
the hosts of mount sources are all replaced, EFS and EBS ids kept; a bundle
that would replay differently is refused (exit 3) and removed; 12,000 ARNs
are all replaced.

Usage: test-redact.py STUDIO_PROBE SOURCE_ROOT [CASE...] | --list (python3
standard library). CASE is a method of Redact without its test_ prefix."""

import ipaddress
import json
import os
import shutil
import sys
import tarfile
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib import cases, snapshot  # noqa: E402
from lib.probe import run_checked, storages  # noqa: E402

PROBE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "studio-probe"
SRC = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "."
FIXTURE = os.path.join(SRC, "tests", "fixtures", "new-codeeditor-custom-efs-fsx", "root")
METADATA = os.path.join("opt", "ml", "metadata", "resource-metadata.json")
ENVIRON = os.path.join("proc", "self", "environ")
NFS_OPTS = "rw,vers=4.1,rsize=1048576,wsize=1048576,hard,noresvport,timeo=600,retrans=2"


def run(args, check=True):
    return run_checked([PROBE] + args, check=check, text=True, timeout=300)


def report(args):
    return json.loads(run(args + ["--json"]).stdout)


def walk(top):
    """(relative name, kind, bytes) of every entry: names, link targets, contents."""
    for d, dirs, files in os.walk(top):
        for n in sorted(dirs + files):
            p = os.path.join(d, n)
            rel = os.path.relpath(p, top)
            if os.path.islink(p):
                yield rel, "link", os.readlink(p).encode()
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    yield rel, "file", f.read()
            else:
                yield rel, "dir", b""


def blob(top):
    return b"\n".join(rel.encode() + b"\n" + data for rel, _, data in walk(top))


class Redact(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="redact-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def fixture(self, user="alice", space="alice-ce-fsx", metadata=None, raw_metadata=None,
                mounts=()):
        """The Code Editor fixture with the given names; extra metadata fields
        and mountinfo lines."""
        root = os.path.join(self.tmp, "fixture")
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(FIXTURE, root, symlinks=True)
        md = {
            "AppType": "CodeEditor",
            "DomainId": "d-abcdefghij12",
            "SpaceName": space,
            "UserProfileName": user,
            "ExecutionRoleArn": "arn:aws:iam::111122223333:role/service-role/"
                                "AmazonSageMaker-ExecutionRole-20240115T093012",
            "ResourceArn": f"arn:aws:sagemaker:us-east-1:111122223333:app/d-abcdefghij12/"
                           f"{space.lower()}/codeeditor/default",
            "ResourceName": "default",
            "AppImageVersion": "",
        }
        md.update(metadata or {})
        t = snapshot.Tree(root)
        t.write(snapshot.METADATA,
                raw_metadata if raw_metadata is not None else json.dumps(md, indent=4))
        t.write(snapshot.ENVIRON, snapshot.environ_bytes({
            "SAGEMAKER_APP_TYPE": "CodeEditor", "SAGEMAKER_SPACE_NAME": space,
            "SAGEMAKER_SPACE_TYPE_LOWERCASE": "private", "AWS_REGION": "us-east-1",
            "HOME": "/home/sagemaker-user"}))
        t.append(snapshot.MOUNTINFO, snapshot.mountinfo_bytes(
            f"{2000 + i} 1503 0:{300 + i} / {target} rw,relatime - {fstype} {source} {opts}"
            for i, (target, fstype, source, opts) in enumerate(mounts)))
        return root

    def collect(self, root, dest=None, check=True):
        dest = dest or os.path.join(self.tmp, "bundle")
        p = run(["--sysroot", root, "collect", "--redact", dest], check=check)
        return dest, p

    def assertReplaysAsLive(self, live, bundle):
        """Same environment, confidence, and storage kinds and types; every
        JSON file of the bundle is JSON."""
        for rel, kind, data in walk(bundle):
            if kind == "file" and rel.endswith(".json"):
                json.loads(data)
        replay = report(["--sysroot", bundle])
        self.assertEqual(live["environment"], replay["environment"])
        self.assertEqual(live["confidence"], replay["confidence"])
        self.assertEqual(len(storages(live)), len(storages(replay)))
        for a, b in zip(storages(live), storages(replay)):
            for f in ("storage", "fstype", "statfs_type", "size_bytes"):
                self.assertEqual(a.get(f), b.get(f), (f, a.get("mountpoint")))
        self.assertEqual(live["home"]["mountpoint"], replay["home"]["mountpoint"])
        return replay

    def test_names_that_are_words_of_the_files(self):
        # All valid names (CreateUserProfile/CreateSpace: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}).
        # The verdict does not depend on the names: one live run for all.
        live = report(["--sysroot", self.fixture()])
        for name in ["e", "user", "home", "JupyterLab", "CodeEditor", "default",
                     "sagemaker-user", "true", "null", "1", "user-1", "xfs", "mnt", "custom"]:
            for as_user in (True, False):
                with self.subTest(name=name, as_user=as_user):
                    root = self.fixture(user=name) if as_user else \
                        self.fixture(user="alice", space=name)
                    bundle, _ = self.collect(
                        root, os.path.join(self.tmp, f"b-{name}-{as_user}"))
                    replay = self.assertReplaysAsLive(live, bundle)
                    sm = replay["sagemaker"]
                    if as_user:
                        self.assertRegex(sm["user_profile_name"], r"^user-[0-9]+$")
                        self.assertNotEqual(sm["user_profile_name"], name)
                    else:
                        self.assertRegex(sm["space_name"], r"^space-[0-9]+$")
                        self.assertNotEqual(sm["space_name"], name)
                    self.assertEqual(sm["app_type"], "CodeEditor")
                    # the space's placeholder is the same in every file
                    with open(os.path.join(bundle, ENVIRON), "rb") as f:
                        env = dict(kv.split(b"=", 1) for kv in f.read().split(b"\0") if kv)
                    with open(os.path.join(bundle, METADATA)) as f:
                        md = json.load(f)
                    with open(os.path.join(bundle, "report.json")) as f:
                        saved = json.load(f)["sagemaker"]
                    self.assertEqual(env[b"SAGEMAKER_SPACE_NAME"].decode(), sm["space_name"])
                    self.assertEqual(env[b"HOME"], b"/home/sagemaker-user")
                    self.assertEqual(env[b"SAGEMAKER_APP_TYPE"], b"CodeEditor")
                    self.assertEqual(md.get("SpaceName", sm["space_name"]), sm["space_name"])
                    self.assertEqual(saved["space_name"], sm["space_name"])
                    self.assertEqual(saved["user_profile_name"], sm["user_profile_name"])
                    self.assertIn("/" + sm["space_name"] + "/", sm["resource_arn"])

    def test_every_fixture(self):
        """Each replay fixture that collects at all collects redacted, and its
        bundle replays (with the redacted --path) to the fixture's verdict."""
        top = os.path.join(SRC, "tests", "fixtures")
        done = 0
        for name in sorted(os.listdir(top)):
            root = os.path.join(top, name, "root")
            if not os.path.isdir(root):
                continue
            args = []
            if os.path.exists(os.path.join(top, name, "args")):
                with open(os.path.join(top, name, "args")) as f:
                    args = [a for a in f.read().split("\n") if a]
            with self.subTest(fixture=name):
                bundle = os.path.join(self.tmp, name)
                p = run(["--sysroot", root] + args + ["collect", "--redact", bundle], check=False)
                if p.returncode == 2 or (p.returncode == 3 and not os.path.exists(bundle)
                                         and "--redact" not in p.stderr):
                    continue  # not a collectable snapshot (a usage error, no mount table)
                self.assertEqual(p.returncode, 0, p.stderr)
                live = report(["--sysroot", root] + args)
                with open(os.path.join(bundle, "report.json")) as f:
                    path = json.load(f)["home"]["path"]
                replay = report(["--sysroot", bundle] + (["--path", path] if "--path" in args
                                                         else []))
                self.assertEqual(live["environment"], replay["environment"])
                self.assertEqual(live["confidence"], replay["confidence"])
                self.assertEqual([(s["storage"], s["fstype"]) for s in storages(live)],
                                 [(s["storage"], s["fstype"]) for s in storages(replay)])
                done += 1
        self.assertGreater(done, 30)

    def test_deterministic(self):
        root = self.fixture(user="bob", space="bob-space")
        a, _ = self.collect(root, os.path.join(self.tmp, "a"))
        b, _ = self.collect(root, os.path.join(self.tmp, "b"))
        self.assertEqual(list(walk(a)), list(walk(b)))
        self.assertNotIn(b"bob", blob(a))

    def test_accounts_addresses_hosts(self):
        arn = ("arn:aws:sagemaker:us-east-1:111122223333:app\\/d-abcdefghij12\\/"
               "alice-ce-fsx\\/codeeditor\\/default")
        raw = json.dumps({
            "AppType": "CodeEditor",
            "DomainId": "d-abcdefghij12",
            "SpaceName": "alice-ce-fsx",
            "UserProfileName": "alice",
            "ResourceArn": "@ARN@",
            "ResourceName": "MySpace",
            "SpaceArn": "arn:aws:sagemaker:us-east-1:111122223333:space/d-abcdefghij12/myspace",
            "OwnerAccountId": "210987654321",
            "ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-image:latest",
            "Bucket": "s3://sagemaker-us-east-1-345678901234/output",
            "Note": "123456789012 and 345678901234 again",
        }, indent=4).replace("@ARN@", arn)
        self.assertIn("\\/", raw)
        mounts = [
            ("/mnt/custom-file-systems/efs/fs-0123456789abcdef1", "nfs4",
             "fs-0123456789abcdef1.efs.us-east-1.amazonaws.com:/", NFS_OPTS + ",addr=10.0.1.9"),
            ("/mnt/custom-file-systems/nfs-a", "nfs4", "ip-10-0-1-2.ec2.internal:/export/alice",
             NFS_OPTS + ",clientaddr=10.0.1.5,addr=10.0.1.2"),
            ("/mnt/custom-file-systems/nfs-b", "nfs", "nfs.corp.example.com:/",
             NFS_OPTS + ",addr=172.16.5.4"),
            ("/mnt/custom-file-systems/nfs-c", "nfs4", "10.0.1.2:/", NFS_OPTS),
            ("/mnt/custom-file-systems/nfs-d", "nfs4", "[fd00::1]:/data", NFS_OPTS + ",addr=fd00::1"),
            ("/mnt/custom-file-systems/nfs-e", "nfs4", "192.168.1.20:/x", NFS_OPTS),
            ("/mnt/custom-file-systems/nfs-f", "nfs4", "100.64.3.4:/x", NFS_OPTS),
            ("/mnt/custom-file-systems/nfs-g", "nfs4", "54.1.2.3:/pub", NFS_OPTS),
        ]
        root = self.fixture(raw_metadata=raw, mounts=mounts)
        live = report(["--sysroot", root])
        self.assertEqual(live["sagemaker"]["resource_name"], "MySpace")
        bundle, _ = self.collect(root)
        replay = self.assertReplaysAsLive(live, bundle)
        data = blob(bundle)
        for secret in [b"111122223333", b"210987654321", b"123456789012", b"345678901234",
                       b"d-abcdefghij12", b"alice", b"10.0.1.2", b"10.0.1.5", b"10.0.1.9",
                       b"10.1.53.46", b"172.16.5.4", b"192.168.1.20", b"100.64.3.4", b"fd00::1",
                       b"ip-10-0-1-2", b"nfs.corp.example.com", b"54.1.2.3"]:
            self.assertNotIn(secret, data)
        self.assertNotIn(b"myspace", data.lower())
        # what support needs stays: EFS and EBS ids, efs-utils' loopback, AWS's DNS name
        for kept in [b"fs-0123456789abcdef1.efs.us-east-1.amazonaws.com", b"fs-0fedcba9876543210",
                     b"fs-0123456789abcdef0_fsap-0a1b2c3d4e5f67890", b"vol-0c4a9e2f7b1d3a5e8",
                     b"vol0c4a9e2f7b1d3a5e8", b"127.0.0.1:/", b"ylacfb4v"]:
            self.assertIn(kept, data)
        # every server is still an address or a host name; the kinds are the same
        for s in storages(replay):
            nfs = s.get("nfs") or {}
            server = nfs.get("server")
            if server and server.endswith(".invalid"):
                self.assertRegex(server, r"^host-[0-9]+\.invalid$")
            elif server and not server.endswith(".amazonaws.com"):
                ipaddress.ip_address(server)
        self.assertEqual(replay["sagemaker"]["resource_name"],
                         replay["sagemaker"]["resource_name"].lower())
        # the same account is the same placeholder in the ARN and the ECR host
        with open(os.path.join(bundle, METADATA)) as f:
            md = json.load(f)
        acct = md["ResourceArn"].split(":")[4]
        self.assertRegex(acct, r"^[0-9]{12}$")
        if "ImageUri" in md:  # a bundle may keep only the fields the probe reads
            self.assertRegex(md["ImageUri"], r"^[0-9]{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com/")
            self.assertNotEqual(md["ImageUri"][:12], acct)

    def test_mountstats(self):
        """The NFS entries of proc/self/mountstats go into the bundle with the
        lines the probe parses, their server names and addresses replaced, and
        replay the same history; other mounts' entries and opts: stay out."""
        mounts = [
            ("/mnt/custom-file-systems/nfs-a", "nfs4", "ip-10-0-1-2.ec2.internal:/export/alice",
             NFS_OPTS + ",clientaddr=10.0.1.5,addr=10.0.1.2"),
            ("/mnt/custom-file-systems/nfs-b", "nfs", "nfs.corp.example.com:/",
             NFS_OPTS + ",addr=54.1.2.3,mountaddr=54.1.2.4"),
        ]
        root = self.fixture(mounts=mounts)
        ops = [("GETATTR", [100, 103, 1, 1, 1, 0, 250, 260, 0]),
               ("LOOKUP", [50, 50, 0, 1, 1, 0, 100, 110])]
        stats = snapshot.mountstats_other("/dev/nvme1n1", "/srv/alice-private", "xfs")
        for target, fstype, source, opts in mounts:
            stats += snapshot.mountstats_nfs(source, target, opts, 3600,
                                             "tcp 0 0 2 0 0 150 150 0 300 0", ops, fstype=fstype)
        snapshot.Tree(root).write(snapshot.MOUNTSTATS, stats)
        live = report(["--sysroot", root])
        rpcs = [s["nfs"]["rpc"] for s in storages(live) if (s.get("nfs") or {}).get("rpc")]
        self.assertEqual(len(rpcs), 2)
        self.assertEqual(rpcs[0]["retransmissions"], 3)
        bundle, _ = self.collect(root)
        replay = self.assertReplaysAsLive(live, bundle)
        self.assertEqual(rpcs, [s["nfs"]["rpc"] for s in storages(replay)
                                if (s.get("nfs") or {}).get("rpc")])
        with open(os.path.join(bundle, "proc", "self", "mountstats"), "rb") as f:
            kept = f.read()
        self.assertIn(b"GETATTR: 100 103 1", kept)
        for secret in [b"10.0.1.2", b"10.0.1.5", b"54.1.2.3", b"54.1.2.4", b"ip-10-0-1-2",
                       b"nfs.corp.example.com", b"alice", b"opts:", b"nvme1n1"]:
            self.assertNotIn(secret, kept)
        self.assertNotIn(b"54.1.2.4", blob(bundle))

    def assertRefused(self, p, dest):
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("replays differently", p.stderr)
        self.assertIn("removed", p.stderr)

    def test_refused_when_the_replay_differs(self):
        # "alice" is the user; the placeholder is given to the name whatever
        # its case, so two mount points that differ only in case would become
        # one, and the replay would see one mount less: refused.
        mounts = [("/mnt/custom-file-systems/fsx_lustre/Alice", "lustre",
                   "10.1.53.47@tcp:/abcdefgh", "rw,flock"),
                  ("/mnt/custom-file-systems/fsx_lustre/alice", "lustre",
                   "10.1.53.48@tcp:/abcdefgh", "rw,flock")]
        root = self.fixture(mounts=mounts)
        # a new directory: removed
        dest = os.path.join(self.tmp, "new")
        _, p = self.collect(root, dest, check=False)
        self.assertRefused(p, dest)
        self.assertFalse(os.path.lexists(dest))
        # an empty directory of the user's: left empty
        dest = os.path.join(self.tmp, "empty")
        os.mkdir(dest)
        _, p = self.collect(root, dest, check=False)
        self.assertRefused(p, dest)
        self.assertEqual(os.listdir(dest), [])
        # an archive: never written
        dest = os.path.join(self.tmp, "b.tgz")
        _, p = self.collect(root, dest, check=False)
        self.assertRefused(p, dest)
        self.assertFalse(os.path.lexists(dest))
        # without --redact the same snapshot is collected
        run(["--sysroot", root, "collect", os.path.join(self.tmp, "plain")])

    def test_archive(self):
        root = self.fixture(user="home", space="JupyterLab")
        live = report(["--sysroot", root])
        archive = os.path.join(self.tmp, "r.tar.gz")
        self.collect(root, archive)
        out = os.path.join(self.tmp, "x")
        with tarfile.open(archive) as t:
            t.extractall(out)
        self.assertReplaysAsLive(live, os.path.join(out, "r"))

    def test_12000_arns(self):
        # Functional only: how the time grows is tests/unit/test-redact.c's
        # linear-work check and tests/perf/redact-scaling.py's benchmark.
        n = 12000
        arns = [f"arn:aws:sagemaker:us-east-1:{100000000000 + i % 97:012d}:app/d-abcdefghij12/"
                f"space-{i:05d}x/jupyterlab/default" for i in range(n)]
        root = self.fixture(metadata={"OtherApps": arns})
        bundle, _ = self.collect(root)
        data = blob(bundle)
        for i in range(n):
            self.assertNotIn(b"space-%05dx" % i, data)
        for i in range(97):
            self.assertNotIn(b"%012d" % (100000000000 + i), data)


if __name__ == "__main__":
    cases.main(Redact, sys.argv[3:])
