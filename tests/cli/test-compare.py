#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--compare=REPORT.json (issue 11, for support): a run set against an earlier
--json report of the same path says what changed, in the human report and in
JSON; a file that is not such a report is refused with exit status 2 before
anything is printed, without hanging on a FIFO or reading a huge file.

The earlier reports are made here from the replay of a fixture (a Studio
(new) space, EBS home) whose facts.json carries a recorded benchmark, with
figures made faster or slower.

Usage: test-compare.py STUDIO_PROBE SOURCE_ROOT [CASE...] | --list
CASE is a method of Compare without its test_ prefix."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib import cases  # noqa: E402

PROBE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "studio-probe"
SRC = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "."
FIXTURE = os.path.join(SRC, "tests", "fixtures", "new-jupyterlab-private", "root")
SCHEMA = os.path.join(SRC, "packaging", "studio-probe.schema.json")
HOME = "/home/sagemaker-user"
MS = 1000000


def latency(p50, p99, n=100):
    # p99.9 only from 1,000 samples, as the benchmark records it
    lat = {"min": p50 // 2, "p50": p50, "p90": (p50 + p99) // 2, "p99": p99, "p999": p99,
           "max": p99, "mean": p50, "n": n}
    if n < 1000:
        del lat["p999"]
    return lat


def workload(budget, per_second, lat, ops=100, nbytes=0, direct=True):
    return {"budget_ns": budget, "elapsed_ns": budget, "spent_ns": budget, "ops": ops,
            "warmup_ops": 0,
            "bytes": nbytes, "per_second": per_second, "complete": True, "direct": direct,
            "latency_ns": lat}


def bench(path, sync_p99):
    """A recorded benchmark as collect --bench writes it into facts.json."""
    s = 10 ** 9
    return {
        "path": path, "clocksource": "tsc", "ran_at": "2026-11-30T09:00:00Z",
        "statfs_type": 1481003842, "file_size_bytes": 256 << 20,
        "file_written_bytes": 256 << 20, "md_files": 1000, "md_planned": 1000,
        "free_bytes": 4795736064, "free_inodes": 1000000, "budget_ns": 10 * s,
        "workload_budget_ns": 9 * s, "elapsed_ns": 10 * s, "interrupted": False,
        # the parts of elapsed_ns: the workloads' 8.999999999 s and these
        "probe_ns": s // 2, "setup_ns": s // 4, "cleanup_ns": s // 4 + 1,
        "timed_out": False, "dio_align_known": True, "direct_io": True, "err": 0,
        "err_workload": -1, "killed_by": 0, "err_call": "", "err_detail": "",
        "direct_note": "", "dio_mem_align": 512, "dio_offset_align": 512,
        "workloads": {
            "seq_write": workload(2 * s, 125 << 20, latency(8 * MS, 9 * MS, 256), 256, 256 << 20),
            "seq_read": workload(2 * s, 250 << 20, latency(4 * MS, 5 * MS, 256), 256, 256 << 20),
            "rand_read_4k": workload(2 * s, 2000, latency(MS // 2, 2 * MS)),
            "sync_write_4k": workload(2 * s, 500, latency(2 * MS, sync_p99), direct=False),
            "create": workload(s // 3, 20000, latency(50000, 200000), 1000),
            "stat": workload(s // 3, 200000, latency(5000, 20000), 1000),
            "unlink": workload(s // 3, 20000, latency(40000, 150000), 1000),
        },
    }


def run(args, **kw):
    return subprocess.run([PROBE] + args, capture_output=True, text=True, timeout=60, **kw)


class Compare(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="compare-test-")
        self.root = os.path.join(self.tmp, "root")
        shutil.copytree(FIXTURE, self.root, symlinks=True)
        # This run: a benchmark recorded with a sync-write p99 of 15.6 ms.
        facts = os.path.join(self.root, ".studio-probe", "facts.json")
        with open(facts) as f:
            doc = json.load(f)
        doc["collected_at"] = "2026-11-30T09:00:00Z"
        doc["bench"] = bench(HOME, 15600000)
        with open(facts, "w") as f:
            json.dump(doc, f)
        p = run(["--sysroot", self.root, "--json"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.now = json.loads(p.stdout)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def old_report(self, change=None, name="old.json"):
        """The replay's report as an earlier one of 2026-11-02, changed by change()."""
        doc = json.loads(json.dumps(self.now))
        doc["generated_at"] = "2026-11-02T08:30:00Z"
        if change:
            change(doc)
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            json.dump(doc, f)
        return path

    def compare(self, old, *extra):
        return run(["--sysroot", self.root, "--compare=" + old] + list(extra))

    def check_schema(self, doc):
        try:
            import jsonschema
        except ImportError:
            return
        with open(SCHEMA) as f:
            jsonschema.validate(doc, json.load(f))

    def assertRefused(self, old, what):
        p = self.compare(old)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertIn("--compare: ", p.stderr)
        self.assertIn(what, p.stderr)

    def test_slower(self):
        def slower(d):  # then: sync-write p99 3.1 ms, 1 GiB more free
            d["benchmark"]["sync_write_4k"]["latency_ns"]["p99"] = 3120000
            d["home"]["free_bytes"] += 1 << 30
        old = self.old_report(slower)
        p = self.compare(old)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("\nSince 2026-11-02 (%s):\n" % HOME, p.stdout)
        self.assertIn("  sync-write p99 5.0× worse than on 2026-11-02 (3.12 ms → 15.60 ms)\n",
                      p.stdout)
        self.assertIn("  free space 5.5 GiB → 4.5 GiB (1.0 GiB less)\n", p.stdout)
        p = self.compare(old, "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        j = json.loads(p.stdout)
        self.check_schema(j)
        c = j["comparison"]
        self.assertEqual(c["against"], {"path": HOME, "generated_at": "2026-11-02T08:30:00Z",
                                        "tool_version": self.now["tool"]["version"],
                                        "benchmark": True})
        figures = {x["figure"]: x for x in c["changes"]}
        self.assertEqual(sorted(figures), ["benchmark.sync_write_4k.latency_ns.p99",
                                           "home.free_bytes"])
        s = figures["benchmark.sync_write_4k.latency_ns.p99"]
        self.assertEqual((s["before"], s["after"]), (3120000, 15600000))
        self.assertAlmostEqual(s["ratio"], 5.0)
        self.assertTrue(s["sentence"].startswith("sync-write p99 5.0× worse"))

    def test_faster(self):
        def faster(d):  # then: sequential reads 3× slower, file creation 2× slower
            d["benchmark"]["seq_read"]["bytes_per_second"] //= 3
            d["benchmark"]["metadata"]["create"]["latency_ns"]["p50"] *= 2
        p = self.compare(self.old_report(faster))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("  sequential read throughput 3.0× better than on 2026-11-02 "
                      "(83.3 MiB/s → 250.0 MiB/s)\n", p.stdout)
        self.assertIn("  file creation p50 2.0× better than on 2026-11-02 (100 µs → 50 µs)\n",
                      p.stdout)
        self.assertNotIn("sync-write", p.stdout.split("Since")[1].split("\n\n")[0])

    def test_storage_changed(self):
        def moved(d):
            d["environment"] = "studio-classic"
            d["home"]["storage"] = "efs"
            d["home"]["fstype"] = "nfs4"
            d["home"]["options"] = d["home"]["options"] + ",soft"
            d["home"]["size_bytes"] *= 2
            del d["benchmark"]
            del d["generated_at"]  # an older report without a date
        p = self.compare(self.old_report(moved))
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout
        self.assertIn("\nSince the earlier report (%s):\n" % HOME, out)
        self.assertIn("  environment changed: studio-classic → studio-new\n", out)
        self.assertIn("  storage changed: efs → ebs\n", out)
        self.assertIn("  file system type changed: nfs4 → xfs\n", out)
        self.assertIn("  mount options changed: removed soft\n", out)
        self.assertIn("  size changed: 10.0 GiB → 5.0 GiB\n", out)
        self.assertIn("only this run has a benchmark", out)
        j = json.loads(self.compare(self.old_report(moved), "--json").stdout)
        self.check_schema(j)
        self.assertIsNone(j["comparison"]["against"]["generated_at"])
        self.assertFalse(j["comparison"]["against"]["benchmark"])

    def test_unchanged(self):
        p = self.compare(self.old_report())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Since 2026-11-02 (%s):\n  nothing changed" % HOME, p.stdout)
        j = json.loads(self.compare(self.old_report(), "--json").stdout)
        self.assertEqual(j["comparison"]["changes"], [])
        # Without --compare there is no comparison object.
        self.assertNotIn("comparison", self.now)

    def test_other_path_refused(self):
        def elsewhere(d):
            d["home"]["resolved_path"] = "/opt/ml/input"
        self.assertRefused(self.old_report(elsewhere),
                           "is a report of /opt/ml/input, not of %s" % HOME)

    def test_not_json_refused(self):
        path = os.path.join(self.tmp, "notes.txt")
        with open(path, "w") as f:
            f.write("sync write was 3 ms\n")
        self.assertRefused(path, "is not JSON")
        for doc in ([1, 2], {"schema_version": 1}, {"tool": {"name": "fio"}, "home": {}}):
            path = self.old_report(lambda d: (d.clear(), d.update(doc) if isinstance(doc, dict)
                                              else None))
            if isinstance(doc, list):
                with open(path, "w") as f:
                    json.dump(doc, f)
            self.assertRefused(path, "not a report of studio-probe --json")

    def test_schema_major_refused(self):
        self.assertRefused(self.old_report(lambda d: d.update(schema_version=2)),
                           "schema_version 2; this studio-probe reads reports of "
                           "schema_version 1")
        # A minor revision of the same major is read.
        p = self.compare(self.old_report(lambda d: d.update(schema_version=1.1)))
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_fifo_refused(self):
        fifo = os.path.join(self.tmp, "report.fifo")
        os.mkfifo(fifo)
        self.assertRefused(fifo, "is a FIFO, not a report file")  # and did not hang
        self.assertRefused("/dev/null", "is a character device")
        self.assertRefused(self.tmp, "is a directory")
        self.assertRefused(os.path.join(self.tmp, "missing.json"), "No such file")

    def test_oversized_refused(self):
        path = self.old_report()
        with open(path, "a") as f:  # still valid JSON: trailing spaces, sparse
            f.truncate(4 * 1024 * 1024 + 1)
        self.assertRefused(path, "larger than 4 MiB")

    def test_usage(self):
        for args in (["--compare="], ["--compare=x", "--quiet"], ["--compare=x", "--id"],
                     ["--compare=x", "--format=emf"], ["--compare=x", "-o", "TARGET"],
                     ["--compare=x", "collect", os.path.join(self.tmp, "b")]):
            p = run(args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertEqual(p.stdout, "")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "b")))


if __name__ == "__main__":
    cases.main(Compare, sys.argv[3:])
