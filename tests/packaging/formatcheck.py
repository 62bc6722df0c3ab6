#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Validators for the CloudWatch Embedded Metric Format and the Prometheus text
exposition format (shared bench-method.md §5.1, §5.2). Problems are appended
to errors."""
import json
import os
import re

errors = []

EMF_UNITS = {
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
    "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
    "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
    "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
    "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
}


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_emf(name, out):
    def bad(why):
        errors.append(f"{name}: emf: {why}")

    text = out.decode("utf-8")
    if not text.endswith("\n") or text.count("\n") != 1:
        return bad("not exactly one line")
    try:
        doc = json.loads(text)
    except ValueError as e:
        return bad(f"not JSON: {e}")
    if not isinstance(doc, dict) or not isinstance(doc.get("_aws"), dict):
        return bad("root is not an object with _aws")
    aws = doc["_aws"]
    ts = aws.get("Timestamp")
    if not isinstance(ts, int) or isinstance(ts, bool) or ts < 1_500_000_000_000:
        bad(f"_aws.Timestamp {ts!r} is not an integer of ms since the epoch")
    cwm = aws.get("CloudWatchMetrics")
    if not isinstance(cwm, list) or not cwm:
        return bad("_aws.CloudWatchMetrics is not a non-empty array")
    for d in cwm:
        ns = d.get("Namespace")
        if ns != "StudioProbe":
            bad(f"Namespace {ns!r}")
        dims = d.get("Dimensions")
        if not isinstance(dims, list):
            bad("Dimensions is not an array")
            dims = []
        for ds in dims:
            if not isinstance(ds, list) or len(ds) > 30:
                bad(f"DimensionSet {ds!r} is not an array of at most 30 keys")
                continue
            for k in ds:
                v = doc.get(k)
                if not isinstance(v, str) or not 1 <= len(v) <= 1024:
                    bad(f"dimension {k!r} names {v!r}, not a string root member")
        mets = d.get("Metrics")
        if not isinstance(mets, list) or len(mets) > 100:
            bad("Metrics is not an array of at most 100")
            mets = []
        for m in mets:
            n = m.get("Name")
            v = doc.get(n)
            if not (is_number(v) or (isinstance(v, list) and len(v) <= 100
                                     and all(map(is_number, v)))):
                bad(f"metric {n!r} names {v!r}, not a number root member")
            if m.get("Unit", "None") not in EMF_UNITS:
                bad(f"metric {n!r} has unit {m.get('Unit')!r}")
            if m.get("StorageResolution", 60) not in (1, 60):
                bad(f"metric {n!r} has StorageResolution {m.get('StorageResolution')!r}")
    return doc


NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:" + LABEL + r"(?:," + LABEL +
                    r")*)?,?\})? (\S+)$")


def check_prometheus(name, out):
    def bad(why):
        errors.append(f"{name}: prometheus: {why}")

    text = out.decode("utf-8")
    if not text.endswith("\n"):
        return bad("does not end with a newline")
    helped, typed, done, series = set(), {}, set(), set()
    current = None
    for i, line in enumerate(text[:-1].split("\n"), 1):
        m = re.match(r"# (HELP|TYPE) (\S+) (.*)$", line)
        if m:
            kind, fam, rest = m.groups()
            if not NAME.match(fam):
                bad(f"line {i}: bad metric name {fam!r}")
            if fam in done:
                bad(f"line {i}: family {fam} is not contiguous")
            if current and current != fam:
                done.add(current)
            current = fam
            if kind == "HELP":
                if fam in helped:
                    bad(f"line {i}: second HELP for {fam}")
                helped.add(fam)
            else:
                if fam in typed:
                    bad(f"line {i}: second TYPE for {fam}")
                if rest not in ("counter", "gauge", "histogram", "summary", "untyped"):
                    bad(f"line {i}: bad TYPE {rest!r}")
                typed[fam] = rest
            continue
        if line.startswith("#") or not line:
            bad(f"line {i}: unexpected line {line!r}")
            continue
        m = SAMPLE.match(line)
        if not m:
            bad(f"line {i}: not a sample line without timestamp: {line!r}")
            continue
        fam = m.group(1)
        if fam != current:
            bad(f"line {i}: sample of {fam} outside its family (HELP/TYPE first)")
        if fam not in typed:
            bad(f"line {i}: {fam} has no TYPE before its first sample")
        if (fam, m.group(2)) in series:
            bad(f"line {i}: duplicate series {fam}{m.group(2) or ''}")
        series.add((fam, m.group(2)))
        try:
            float(m.group(3))
        except ValueError:
            bad(f"line {i}: value {m.group(3)!r} is not a float")
        if fam.endswith("_bytes") and not re.match(r"^\d+$", m.group(3)):
            bad(f"line {i}: a byte count that is not an integer")
    if "studio_probe_info" not in typed:
        bad("no studio_probe_info")
    return series


def fixture_args(root):
    """The scenario's args file (one argument a line, as tests/golden reads it),
    without --quiet, which excludes --json."""
    try:
        with open(os.path.join(os.path.dirname(root), "args"), "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    return [a for a in data.split(b"\n") if a and a not in (b"--quiet", b"-q")]
