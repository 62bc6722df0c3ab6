#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""studio-probe collect --bench (issue 11, for support): the bundle carries the
benchmark of the inspected path in .studio-probe/facts.json, and its replay
(the directory and the extracted archive) shows it as recorded, in every
output format; a "bench" object that is not as collect writes it is ignored
with a warning naming the field, never trusted.

Usage: test-collect-bench.py STUDIO_PROBE SOURCE_ROOT [CASE...] | --list
CASE is a method of CollectBench without its test_ prefix. As root the
benchmark runs on a tmpfs of its own (mounted in the test's directory),
otherwise in a plain temporary directory."""

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
from lib.probe import run_checked  # noqa: E402

PROBE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "studio-probe"
SRC = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "."
SCHEMA = os.path.join(SRC, "packaging", "studio-probe.schema.json")
BENCH = ["--bench", "--bench-time=0.5", "--bench-size=4M"]


def run(args, check=True):
    return run_checked([PROBE] + args, check=check, text=True)


class CollectBench(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="collect-bench-test-")
        self.data = os.path.join(self.tmp, "data")
        os.mkdir(self.data)
        self.mounted = False
        if os.geteuid() == 0 and shutil.which("mount"):
            p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512m", "tmpfs", self.data],
                               capture_output=True)
            self.mounted = p.returncode == 0

    def tearDown(self):
        if self.mounted:
            subprocess.run(["umount", self.data], check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def check_schema(self, doc):
        try:
            import jsonschema
        except ImportError:
            return
        with open(SCHEMA) as f:
            jsonschema.validate(doc, json.load(f))

    def collect(self, dest):
        p = run(["-p", self.data] + BENCH + ["collect", dest])
        self.assertIn("with the benchmark", p.stdout)
        # the private directory is gone
        self.assertEqual(os.listdir(self.data), [])

    def replay(self, bundle, *extra, check=True):
        return run(["--sysroot", bundle, "-p", self.data] + list(extra), check=check)

    def check_replay(self, bundle):
        with open(os.path.join(bundle, "report.json")) as f:
            saved = json.load(f)
        with open(os.path.join(bundle, ".studio-probe", "facts.json")) as f:
            facts = json.load(f)
        self.assertIn("bench", facts)
        self.assertEqual(facts["bench"]["path"], self.data)
        j = json.loads(self.replay(bundle, "--json").stdout)
        self.check_schema(j)
        b, s = j["benchmark"], saved["benchmark"]
        self.assertNotIn("recorded_at", s)  # the run's own
        self.assertEqual(b["recorded_at"], facts["bench"]["ran_at"])
        self.assertEqual(j["generated_at"], facts["collected_at"])
        self.assertEqual(saved["generated_at"], facts["collected_at"])
        self.assertEqual(b["path"], self.data)
        # the figures as recorded
        for k in ("elapsed_ns", "budget_ns", "file_written_bytes", "direct_io", "clocksource",
                  "seq_write", "seq_read", "rand_read_4k", "sync_write_4k", "metadata",
                  "budget_split_ns", "error"):
            self.assertEqual(b[k], s[k], k)
        self.assertIsNotNone(b["seq_write"])
        text = self.replay(bundle).stdout
        self.assertIn("Benchmark (", text)
        self.assertIn("recorded      %s on %s (replayed from the bundle" %
                      (b["recorded_at"], self.data), text)
        emf = json.loads(self.replay(bundle, "--format=emf").stdout)
        names = [m["Name"] for d in emf["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]]
        self.assertTrue(any(n.startswith("SeqWrite") for n in names), names)
        prom = self.replay(bundle, "--format=prometheus").stdout
        self.assertIn('studio_probe_bench_throughput_bytes_per_second{workload="seq_write"} %d'
                      % s["seq_write"]["bytes_per_second"], prom)
        return facts

    def test_bench_dir(self):
        bundle = os.path.join(self.tmp, "b")
        self.collect(bundle)
        self.check_replay(bundle)

    def test_bench_archive(self):
        archive = os.path.join(self.tmp, "bundle.tar.gz")
        self.collect(archive)
        out = os.path.join(self.tmp, "x")
        with tarfile.open(archive) as t:
            t.extractall(out)
        self.check_replay(os.path.join(out, "bundle"))

    def test_bench_hostile(self):
        bundle = os.path.join(self.tmp, "b")
        self.collect(bundle)
        path = os.path.join(bundle, ".studio-probe", "facts.json")
        with open(path) as f:
            good = json.load(f)

        def seq(b):
            return b["workloads"]["seq_write"]

        def lat(b):
            return seq(b)["latency_ns"]

        # (what is changed, the field the warning names)
        bad = [
            (lambda b: b.update(elapsed_ns=2 ** 60), "elapsed_ns"),
            (lambda b: b.update(budget_ns=3600 * 10 ** 9), "budget_ns"),
            (lambda b: b.update(budget_ns=-1), "budget_ns"),
            (lambda b: b.update(budget_ns=1.5), "budget_ns"),
            (lambda b: b.update(budget_ns="ten"), "budget_ns"),
            (lambda b: b.update(budget_ns="1000"), "workload_budget_ns"),
            (lambda b: b.update(md_files=10 ** 6), "md_files"),
            (lambda b: b.pop("elapsed_ns"), "elapsed_ns"),
            (lambda b: b.update(interrupted=1), "interrupted"),
            (lambda b: b.update(workload_budget_ns=b["budget_ns"] + 1), "workload_budget_ns"),
            (lambda b: b.update(err=-100000), "err"),
            (lambda b: b.update(err="EIO"), "err"),
            (lambda b: b.update(err_workload=7), "err_workload"),
            (lambda b: b.update(killed_by=-9), "killed_by"),
            (lambda b: b.update(err_call="x" * 40), "err_call"),
            (lambda b: b.update(direct_note="a\nb"), "direct_note"),
            (lambda b: b.update(path="relative/dir"), "path"),
            (lambda b: b.update(path=["/x"]), "path"),
            (lambda b: b.update(ran_at="yesterday"), "ran_at"),
            (lambda b: b.update(dio_mem_align=2 ** 40), "dio_mem_align"),
            (lambda b: b.update(workloads=[]), "workloads"),
            (lambda b: b["workloads"].update(fio={}), "workloads"),
            (lambda b: seq(b).update(ops=-3), "ops"),
            (lambda b: seq(b).update(per_second=float(2 ** 64)), "per_second"),
            (lambda b: seq(b).update(complete="yes"), "complete"),
            (lambda b: seq(b).update(budget_ns=b["budget_ns"] + 1), "budget_ns"),
            (lambda b: seq(b).pop("latency_ns"), "n"),
            (lambda b: lat(b).update(p50=lat(b)["max"] + 1), "latency_ns"),
            (lambda b: lat(b).pop("p50"), "latency_ns"),
            (lambda b: lat(b).update(n=0), "latency_ns"),
        ]
        for change, field in bad:
            doc = json.loads(json.dumps(good))
            change(doc["bench"])
            with open(path, "w") as f:
                json.dump(doc, f)
            p = self.replay(bundle, "--json", check=False)
            self.assertEqual(p.returncode, 0, (field, p.stderr))
            j = json.loads(p.stdout)
            self.assertNotIn("benchmark", j, field)
            self.assertIn("the recorded benchmark's %s is missing or out of range" % field,
                          p.stderr + " ".join(j["warnings"]), field)
        # "bench" of another type altogether
        doc = json.loads(json.dumps(good))
        doc["bench"] = "fast"
        with open(path, "w") as f:
            json.dump(doc, f)
        j = json.loads(self.replay(bundle, "--json").stdout)
        self.assertNotIn("benchmark", j)
        # and the good one again replays
        with open(path, "w") as f:
            json.dump(good, f)
        self.assertIn("benchmark", json.loads(self.replay(bundle, "--json").stdout))


if __name__ == "__main__":
    cases.main(CollectBench, sys.argv[3:])
