#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the fixture set as a whole:

    check-fixtures.py FIXTURES_DIR SCENARIO...

1. every directory of FIXTURES_DIR with a root/ tree is among the SCENARIOs
   meson registers (tests/golden/meson.build), and every SCENARIO exists;
2. make-fixtures.py describes exactly these scenarios;
3. the checked-in trees, args and READMEs are byte for byte what
   make-fixtures.py generates (file contents, symlink targets, modes), so a
   hand edit of a tree cannot drift from its reviewed description.
"""

import os
import stat
import subprocess
import sys
import tempfile


def snapshot(top):
    """{relative path: (kind, content or target, mode)} of a tree, bytes paths."""
    out = {}
    top = os.fsencode(top)
    for d, dirs, files in os.walk(top):
        for name in dirs + files:
            full = os.path.join(d, name)
            rel = os.path.relpath(full, top)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(full), 0)
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", b"", 0)
            else:
                with open(full, "rb") as f:
                    out[rel] = ("file", f.read(), st.st_mode & 0o111)
    return out


def main(argv):
    fixtures, listed = argv[1], set(argv[2:])
    problems = []
    on_disk = {d for d in os.listdir(fixtures)
               if os.path.isdir(os.path.join(fixtures, d, "root"))}
    for d in sorted(on_disk - listed):
        problems.append("%s has a root/ tree but is not in tests/golden/meson.build" % d)
    for d in sorted(listed - on_disk):
        problems.append("%s is in tests/golden/meson.build but has no root/ tree" % d)

    gen = os.path.join(fixtures, "make-fixtures.py")
    described = set(subprocess.run([sys.executable, gen, "--list"], check=True,
                                   capture_output=True, text=True).stdout.split())
    for d in sorted(described ^ on_disk):
        problems.append("%s: make-fixtures.py and the checked-in trees disagree on whether "
                        "it exists" % d)

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, gen, "--out", tmp], check=True)
        for d in sorted(described & on_disk):
            for part in ("root", "args", "README"):
                a = os.path.join(fixtures, d, part)
                b = os.path.join(tmp, d, part)
                if part == "root":
                    sa, sb = snapshot(a), snapshot(b)
                else:
                    sa = {part: open(a, "rb").read()} if os.path.exists(a) else {}
                    sb = {part: open(b, "rb").read()}
                for k in sorted(set(sa) | set(sb)):
                    if sa.get(k) != sb.get(k):
                        problems.append("%s/%s/%s differs from make-fixtures.py's output "
                                        "(re-run it, or fix the description)"
                                        % (d, part, os.fsdecode(k)))
    for p in problems:
        print(p)
    if problems:
        return 1
    print("ok: %d scenarios, all registered and reproducible" % len(on_disk))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
