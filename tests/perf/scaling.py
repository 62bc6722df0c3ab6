#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""How a detection's cost grows with the mount table (issue 13): a replay of
a snapshot whose mountinfo has N extra lines against `findmnt -F FILE
--target PATH` on the same file. Both read and parse every line; findmnt
looks PATH up live (its realpath and stat), then its mount point in FILE.

    scaling.py STUDIO_PROBE SOURCE_ROOT [N ...]   (default N: 0 100 1000 10000 100000)
RUNS (environment, default 200) interleaved rounds per N, fewer past 10,000
lines. Prints a Markdown table per N: median and p10-p90 of each tool, the
ratio of the medians, each tool's cost per 1,000 lines over N=0 (its slope),
and the peak RSS of each (GNU time, the largest of 5 runs)."""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

FIXTURE = ("tests", "fixtures", "laptop-not-sagemaker", "root")
PATH = "/home"  # exists live and in the fixture; "/" holds it in both tables


def fixture(src, top, n):
    root = os.path.join(top, f"root-{n}")
    shutil.copytree(os.path.join(src, *FIXTURE), root, symlinks=True)
    mi = os.path.join(root, "proc", "self", "mountinfo")
    with open(mi, "a") as f:
        for i in range(n):
            # tmpfs mounts beside the path: parsed by both, kept by neither
            f.write(f"{1000 + i} 29 0:{1000 + i} / /srv/extra/{i} rw,relatime "
                    f"shared:{1000 + i} - tmpfs tmpfs rw,size=1024k,inode64\n")
    return root, mi


def timed(argv, devnull):
    t = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"scaling.py: {' '.join(argv)} exited {os.waitstatus_to_exitcode(status)}")
    return time.perf_counter() - t


def peak_rss_kib(argv):
    best = 0
    for _ in range(5):
        r = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, check=True)
        best = max(best, int(r.stderr.strip().splitlines()[-1]))
    return best


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().splitlines()[6].strip())
    probe, src = os.path.realpath(sys.argv[1]), sys.argv[2]
    sizes = [int(a) for a in sys.argv[3:]] or [0, 100, 1000, 10000, 100000]
    runs = int(os.environ.get("RUNS", "200"))
    findmnt = shutil.which("findmnt")
    devnull = os.open(os.devnull, os.O_WRONLY)
    rows = []
    with tempfile.TemporaryDirectory() as top:
        for n in sizes:
            root, mi = fixture(src, top, n)
            cmds = [[probe, "--sysroot", root, "--path", PATH, "--json"],
                    [findmnt, "-F", mi, "--target", PATH, "--json"]]
            rounds = runs if n <= 10000 else max(runs // 10, 10)
            for _ in range(min(20, rounds)):  # warm the page cache and the CPUs
                for c in cmds:
                    timed(c, devnull)
            t = ([], [])
            for i in range(rounds):  # alternate which goes first
                for j in ((0, 1) if i % 2 else (1, 0)):
                    t[j].append(timed(cmds[j], devnull) * 1e3)
            rows.append((n, t, peak_rss_kib(cmds[0]), peak_rss_kib(cmds[1]), rounds))
    base = {}
    print("| extra lines | rounds | studio-probe median (p10-p90) | findmnt -F median (p10-p90)"
          " | ratio | studio-probe per 1,000 lines | findmnt per 1,000 lines"
          " | studio-probe max RSS | findmnt max RSS |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n, t, r0, r1, rounds in rows:
        med = [statistics.median(x) for x in t]
        dec = [statistics.quantiles(x, n=10) for x in t]
        if not base:
            base = {"n": n, "med": med}
        slope = ["" if n == base["n"] else
                 f"{(med[j] - base['med'][j]) / (n - base['n']) * 1000:.3f} ms"
                 for j in (0, 1)]
        print(f"| {n:,} | {rounds} | {med[0]:.2f} ms ({dec[0][0]:.2f}-{dec[0][-1]:.2f}) | "
              f"{med[1]:.2f} ms ({dec[1][0]:.2f}-{dec[1][-1]:.2f}) | {med[0] / med[1]:.2f} | "
              f"{slope[0]} | {slope[1]} | {r0 / 1024:.2f} MiB | {r1 / 1024:.2f} MiB |")


if __name__ == "__main__":
    main()
