#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks --format=emf against the CloudWatch Embedded Metric Format rules and
--format=prometheus against the text exposition format (shared bench-method.md
§5.1 and §5.2), live and for every fixture sysroot; and --output's atomic
write. usage: check_formats.py PROBE SOURCE_ROOT"""
import glob
import json
import os
import re
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from formatcheck import check_emf, check_prometheus, errors, fixture_args  # noqa: E402
from lib import snapshot  # noqa: E402

probe, top = sys.argv[1:3]

def run(args):
    p = subprocess.run([probe, *args], capture_output=True, timeout=60, check=False)
    return p.returncode, p.stdout


cases = [("live", [])]
for root in sorted(glob.glob(os.path.join(top, "tests/fixtures/*/root"))):
    cases.append((os.path.relpath(os.path.dirname(root), top),
                  ["--sysroot", root, *fixture_args(root)]))
checked = 0
for name, args in cases:
    rc_json, js = run(["--json", *args])
    if not js:
        continue  # fails before any report: nothing to render
    report = json.loads(js)
    rc, out = run(["--format=emf", *args])
    if rc != rc_json:
        errors.append(f"{name}: --format=emf exits {rc}, --json {rc_json}")
    doc = check_emf(name, out)
    if doc:
        # Dimensions only from what the report knows, values as the report says.
        sm = report.get("sagemaker") or {}
        for key, value in (("DomainId", sm.get("domain_id")), ("SpaceName", sm.get("space_name")),
                           ("AppType", sm.get("app_type"))):
            if doc.get(key) != value and not (value is None and key not in doc):
                errors.append(f"{name}: emf {key}={doc.get(key)!r}, report says {value!r}")
        if report["home"]["size_bytes"] is not None and \
                doc.get("HomeSizeBytes") != report["home"]["size_bytes"]:
            errors.append(f"{name}: emf HomeSizeBytes disagrees with the report")
    rc, out = run(["--format=prometheus", *args])
    check_prometheus(name, out)
    if f'environment="{report["environment"]}"' not in out.decode():
        errors.append(f"{name}: prometheus info lacks environment={report['environment']}")
    checked += 1

# With --bench (a short run in a private temporary directory): the figures
# are metrics with units.
with tempfile.TemporaryDirectory() as d:
    bench = ["--path", d, "--bench", "--bench-time=1", "--bench-size=4M"]
    rc, out = run(["--format=emf", *bench])
    doc = check_emf("bench", out) if out else None
    units = {m["Name"]: m.get("Unit") for m in (doc or {"_aws": {"CloudWatchMetrics": [{}]}})
             ["_aws"]["CloudWatchMetrics"][0].get("Metrics", [])}
    if units.get("SeqWriteThroughput") != "Bytes/Second" or \
            units.get("RandRead4kP99") != "Microseconds":
        errors.append(f"bench: emf lacks the benchmark metrics (exit {rc}): {sorted(units)}")
    # Each latency has its sample count beside it, and a P99 only from 100 samples.
    for name in (n for n in units if n.endswith("P50")):
        w = name[:-3]
        n = (doc or {}).get(w + "Samples")
        if units.get(w + "Samples") != "Count" or not isinstance(n, int) or \
                ((w + "P99") in units) != (n >= 100):
            errors.append(f"bench: emf {w}: {n} samples, P99 {(doc or {}).get(w + 'P99')}")
    rc, out = run(["--format=prometheus", *bench])
    series = check_prometheus("bench", out) or set()
    if not any(f == "studio_probe_bench_latency_seconds" for f, _ in series):
        errors.append(f"bench: prometheus lacks studio_probe_bench_latency_seconds (exit {rc})")
    text = out.decode() if isinstance(out, bytes) else out or ""
    samples = dict(re.findall(r'^studio_probe_bench_latency_samples\{workload="(\w+)"\} (\d+)$',
                              text, re.M))
    for w, q in re.findall(r'^studio_probe_bench_latency_seconds\{workload="(\w+)",'
                           r'quantile="([0-9.]+)"\}', text, re.M):
        need = {"0.5": 1, "0.99": 100, "0.999": 1000}[q]
        if int(samples.get(w, 0)) < need:
            errors.append(f"bench: prometheus {w} quantile {q} on {samples.get(w)} samples")

# A crafted mountpoint with a quote, a backslash and a newline must stay one
# escaped label value (mountinfo octal-escapes them: \042 is not needed, but
# \134 and \012 are).
with tempfile.TemporaryDirectory() as d:
    snapshot.build(d, mountinfo=["20 1 259:1 / / rw,relatime - ext4 /dev/root rw",
                                 "21 20 0:50 / /mnt/a\"b\\134c\\012d rw - tmpfs tmpfs rw"],
                   dirs=['/mnt/a"b\\c\nd'])
    rc, out = run(["--sysroot", d, "--path", '/mnt/a"b\\c\nd', "--format=prometheus"])
    check_prometheus("escaping", out)
    if b'mountpoint="/mnt/a\\"b\\\\c\\nd"' not in out and rc == 0:
        errors.append(f"escaping: label not escaped as expected: {out!r}")

# --output: complete file, no temporary left behind, readable by the collector
# (0644 under umask 022), and a failed write leaves the old file alone.
with tempfile.TemporaryDirectory() as d:
    target = os.path.join(d, "studio_probe.prom")
    with open(target, "w") as f:
        f.write("old\n")
    os.umask(0o022)
    rc, out = run(["--format=prometheus", f"--output-file={target}"])
    if rc != 0 or out:
        errors.append(f"--output: exit {rc}, stdout {out[:80]!r}")
    with open(target, "rb") as f:
        check_prometheus("--output", f.read())
    if os.listdir(d) != ["studio_probe.prom"]:
        errors.append(f"--output left {os.listdir(d)}")
    if stat.S_IMODE(os.stat(target).st_mode) != 0o644:
        errors.append(f"--output mode {oct(os.stat(target).st_mode)}")
    rc, _ = run(["--format=prometheus", f"--output-file={d}/missing-dir/x.prom"])
    if rc != 3:
        errors.append(f"--output into a missing directory exits {rc}, not 3")
    rc, _ = run(["--format=nonsense"])
    if rc != 2:
        errors.append(f"--format=nonsense exits {rc}, not 2")

for e in errors:
    print(e)
print(f"{checked} reports rendered as EMF and Prometheus, {len(errors)} problems")
sys.exit(1 if errors else 0)
