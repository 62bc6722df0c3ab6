# SPDX-License-Identifier: MIT
"""Running studio-probe from a test, and reading what it wrote."""

import os
import subprocess


def run_checked(argv, check=True, timeout=120, **kw):
    """Runs argv (the probe and its arguments, maybe behind a prefix such as
    unshare) with stdout and stderr captured and a timeout; with check, a
    non-zero exit status raises AssertionError showing both."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                       **kw)
    if check and p.returncode != 0:
        raise AssertionError(f"{argv}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def storages(report):
    """The home's storage, then every other one, of a JSON report."""
    return [report["home"]] + list(report.get("mounts") or [])


def all_bytes(top):
    """Every file's content, every file name and every symlink target of a
    tree (a bundle), for a search of what must not be there."""
    for d, dirs, files in os.walk(top):
        for n in dirs + files:
            p = os.path.join(d, n)
            yield os.path.relpath(p, top).encode()
            if os.path.islink(p):
                yield os.readlink(p).encode()
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    yield f.read()
