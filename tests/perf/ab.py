#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Wall time of two commands, runs alternating A B B A ... so that drift of
the machine (frequency, other load) falls on both alike.

    ab.py "COMMAND A" "COMMAND B" RUNS
prints: A <mean> ms (median <m>)  B <mean> ms (median <m>)  A/B <ratio of means>
"""
import os
import statistics
import sys
import time


def main():
    a, b, n = sys.argv[1].split(), sys.argv[2].split(), int(sys.argv[3])
    devnull = os.open(os.devnull, os.O_WRONLY)

    def run(cmd):
        t = time.perf_counter()
        pid = os.posix_spawn(cmd[0], cmd, os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
        os.waitpid(pid, 0)
        return time.perf_counter() - t

    for _ in range(50):  # warm the page cache and the CPUs
        run(a)
        run(b)
    ta, tb = [], []
    for i in range(n):
        first, second = (a, b) if i % 2 else (b, a)
        t1, t2 = run(first), run(second)
        (ta if first is a else tb).append(t1)
        (tb if second is b else ta).append(t2)
    ma, mb = statistics.mean(ta) * 1e3, statistics.mean(tb) * 1e3
    print(f"A {ma:.3f} ms (median {statistics.median(ta) * 1e3:.3f})  "
          f"B {mb:.3f} ms (median {statistics.median(tb) * 1e3:.3f})  A/B {ma / mb:.3f}")


if __name__ == "__main__":
    main()
