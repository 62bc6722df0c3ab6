# SPDX-License-Identifier: MIT
"""Checks of the scripts that run one case per process (not unittest): every
check prints one line, a failed one is remembered, and the script ends with
`return checks.status()`. Exit 77 is meson's skip."""

import os
import sys

SKIP = 77
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def status():
    """The exit status after the checks: 1 (saying how many failed) or 0."""
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    return 0


def skip(why):
    print("SKIP: " + why)
    sys.exit(SKIP)


def need_root(why="needs root"):
    if os.geteuid() != 0:
        skip(why)
