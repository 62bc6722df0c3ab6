#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Validates against packaging/studio-probe.schema.json (draft 2020-12): a live
--json report, every tests/fixtures/*/expected.json and tests/golden/**/*.json
that exists when the test runs, and a replay of every fixture sysroot.
usage: check_schema.py PROBE SCHEMA SOURCE_ROOT"""
import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from formatcheck import fixture_args  # noqa: E402

try:
    import jsonschema
except ImportError:
    print("SKIP: python3-jsonschema is not installed (tests/test-deps.txt)")
    sys.exit(77)

probe, schema_path, top = sys.argv[1:4]
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

failed = 0
checked = 0


def check(name, doc):
    global failed, checked
    checked += 1
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors[:10]:
        print(f"{name}: /{'/'.join(map(str, e.absolute_path))}: {e.message}")
    if errors:
        failed += 1


def run(args):
    p = subprocess.run([probe, "--json", *args], capture_output=True, timeout=60, check=False)
    if p.returncode not in (0, 1, 3) or not p.stdout:
        raise SystemExit(f"{probe} --json {' '.join(args)}: exit {p.returncode}: "
                         f"{p.stderr.decode(errors='replace')}")
    return json.loads(p.stdout)


check("live report", run([]))
# --bench: a whole tiny run, and one interrupted before its workloads ran
# (null workloads, no samples).
with tempfile.TemporaryDirectory(dir="/var/tmp") as d:
    check("live --bench report", run(["--bench", "--bench-time=0.6", "--bench-size=1M",
                                      "--path", d]))
    p = subprocess.Popen([probe, "--json", "--bench", "--bench-time=3", "--bench-size=1M",
                          "--path", d], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    end = time.monotonic() + 30
    while not os.listdir(d) and p.poll() is None and time.monotonic() < end:
        time.sleep(0.001)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=60)
    if p.returncode == 130 and out:
        check("interrupted --bench report", json.loads(out))
    elif p.returncode != -signal.SIGINT:
        print(f"interrupted --bench: exit {p.returncode}")
        failed += 1
goldens = sorted(glob.glob(os.path.join(top, "tests/fixtures/*/expected.json")) +
                 glob.glob(os.path.join(top, "tests/golden/**/*.json"), recursive=True))
version = subprocess.run([probe, "--version"], capture_output=True, check=True,
                         text=True).stdout.split()[-1]
for path in goldens:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not text.strip():
        continue  # a scenario that fails before any report (exit 2 or 3)
    # tests/golden stores the tool's version as a placeholder.
    check(os.path.relpath(path, top), json.loads(text.replace('"@VERSION@"', json.dumps(version))))
for root in sorted(glob.glob(os.path.join(top, "tests/fixtures/*/root"))):
    args = fixture_args(root)
    p = subprocess.run([probe, "--json", "--sysroot", root, *args], capture_output=True,
                       timeout=60, check=False)
    if p.stdout:
        check("replay of " + os.path.relpath(root, top), json.loads(p.stdout))

# The schema must be able to fail: a report with a wrong type is rejected.
bad = run([])
bad["home"]["size_bytes"] = "big"
if validator.is_valid(bad):
    print("schema accepts a string size_bytes")
    failed += 1

print(f"{checked} documents checked against the schema, {failed} invalid")
sys.exit(1 if failed else 0)
