#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""How `collect --redact` time grows with the number of ARNs in
resource-metadata.json (issue 8: 12,000 ARNs took 24.6 s when every secret
was tried at every byte). Linear redaction makes 4x the ARNs about 4x the
time; quadratic, 16x. A benchmark, not a test: the suite checks the same
growth by counting work (tests/unit/test-redact.c, test_linear).

    redact-scaling.py STUDIO_PROBE SOURCE_ROOT [N ...]   (default N: 3000 12000 48000)
prints per N: the best of 3 wall times and the ratio to the previous N."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def fixture(src, top, n):
    root = os.path.join(top, f"root-{n}")
    shutil.copytree(os.path.join(src, "tests", "fixtures", "new-codeeditor-custom-efs-fsx",
                                 "root"), root, symlinks=True)
    md_path = os.path.join(root, "opt", "ml", "metadata", "resource-metadata.json")
    with open(md_path) as f:
        md = json.load(f)
    md["OtherApps"] = [f"arn:aws:sagemaker:us-east-1:{100000000000 + i:012d}:app/"
                       f"d-abcdefghij12/space-{i:06d}x/jupyterlab/default" for i in range(n)]
    with open(md_path, "w") as f:
        json.dump(md, f, indent=4)
    return root


def main():
    probe, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    sizes = [int(a) for a in sys.argv[3:]] or [3000, 12000, 48000]
    top = tempfile.mkdtemp(prefix="redact-scaling-")
    try:
        prev, prev_n = None, 0
        for n in sizes:
            root = fixture(src, top, n)
            best = None
            for run in range(3):
                dest = os.path.join(top, f"b-{n}-{run}")
                t = time.perf_counter()
                subprocess.run([probe, "--sysroot", root, "collect", "--redact", dest],
                               check=True, stdout=subprocess.DEVNULL)
                t = time.perf_counter() - t
                best = t if best is None else min(best, t)
            ratio = f"  x{best / prev:.1f} for x{n / prev_n:.0f} ARNs" if prev else ""
            print(f"{n:7d} ARNs: {best * 1e3:9.1f} ms{ratio}")
            prev, prev_n = best, n
    finally:
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
