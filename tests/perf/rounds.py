#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Wall time of N commands in interleaved rounds: each round runs every
command once, in an order that rotates from round to round, so drift of the
machine (frequency, other load) falls on all of them alike (ab.py does the
same for two).

    rounds.py RUNS "NAME=COMMAND" "NAME=COMMAND" ...

prints one line per command, in the order given:
    NAME <mean> ms (median <m>, p10 <a>, p90 <b>)  <mean / first command's mean>x
Commands are split on spaces (no quoting); stdout goes to /dev/null.
"""
import os
import statistics
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().splitlines()[4].strip())
    n = int(sys.argv[1])
    cmds = []
    for spec in sys.argv[2:]:
        name, _, cmd = spec.partition("=")
        cmds.append((name, cmd.split()))
    devnull = os.open(os.devnull, os.O_WRONLY)

    def run(argv):
        t = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
        _, status = os.waitpid(pid, 0)
        dt = time.perf_counter() - t
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            sys.exit(f"rounds.py: {' '.join(argv)} exited {os.waitstatus_to_exitcode(status)}")
        return dt

    for _ in range(50):  # warm the page cache and the CPUs
        for _, argv in cmds:
            run(argv)
    times = [[] for _ in cmds]
    k = len(cmds)
    for r in range(n):
        for j in range(k):
            i = (r + j) % k
            times[i].append(run(cmds[i][1]))
    base = statistics.mean(times[0])
    for (name, _), t in zip(cmds, times):
        q = statistics.quantiles(t, n=10)
        print(f"{name} {statistics.mean(t) * 1e3:.3f} ms (median {statistics.median(t) * 1e3:.3f}, "
              f"p10 {q[0] * 1e3:.3f}, p90 {q[-1] * 1e3:.3f})  {statistics.mean(t) / base:.2f}x")


if __name__ == "__main__":
    main()
