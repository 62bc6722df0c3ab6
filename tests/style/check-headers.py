#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The layout's rules, checked on the tree (README, "How the code is laid out"):

- a header sits beside its source, with the same name, and declares only
  functions that source defines (include/'s contracts: those of core/model.c
  and core/options.c);
- nothing below the renderers includes the benchmark engine (bench/bench.h):
  only src/bench/ itself and src/cli/main.c, which runs it;
- includes point one way: core includes no other stage, probe only core,
  classify no renderer, bench or bundle.

Usage: check-headers.py SOURCE_ROOT"""

import os
import re
import sys

# Headers of include/ and the sources that define what they declare.
CONTRACTS = {
    "include/model.h": ["src/core/model.c"],
    "include/model-bench.h": ["src/core/model.c"],
    "include/options.h": ["src/core/options.c"],
    "include/exit-status.h": ["src/core/options.c"],
}
# Which stages a stage may include (besides include/ and itself).
MAY_INCLUDE = {
    "core": set(),
    "probe": {"core"},
    "classify": {"core", "probe"},
    "render": {"core", "probe", "classify"},
    "bench": {"core"},
    "bundle": {"core", "probe", "classify", "render"},
    "cli": {"core", "probe", "classify", "render", "bench", "bundle"},
}

DECL = re.compile(r"^(?!static\b|typedef\b|#|\s|/\*|\*|}|struct \w+ \{|enum \w+ \{)"
                  r"[A-Za-z_][\w \*]*?\b([a-z_][a-z0-9_]*)\s*\(", re.M)
INCLUDE = re.compile(r'^#include "([^"]+)"', re.M)


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)


def declared(text):
    """Function names a header declares (prototypes ending in ';', not inline bodies)."""
    out = []
    text = strip_comments(text)
    for m in DECL.finditer(text):
        rest = text[m.end():]
        depth, i = 1, 0
        while i < len(rest) and depth:
            depth += {"(": 1, ")": -1}.get(rest[i], 0)
            i += 1
        tail = rest[i:].lstrip()
        if tail.startswith(";") or re.match(r"_\w+_(\([^)]*\))?\s*;", tail):
            out.append(m.group(1))
    return out


def defines(text, name):
    return re.search(r"^[A-Za-z_][\w \*]*?\b%s\s*\([^;]*?\)\s*\{" % re.escape(name),
                     strip_comments(text), re.M | re.S) is not None


def main():
    root = sys.argv[1]
    bad = []
    headers = []
    for d, _, files in os.walk(os.path.join(root, "src")):
        headers += [os.path.relpath(os.path.join(d, f), root) for f in files if f.endswith(".h")]
    headers += [os.path.join("include", f) for f in os.listdir(os.path.join(root, "include"))
                if f.endswith(".h")]
    checked = 0
    for h in sorted(headers):
        text = open(os.path.join(root, h)).read()
        names = declared(text)
        srcs = CONTRACTS.get(h, [h[:-2] + ".c"])
        if names and not all(os.path.exists(os.path.join(root, s)) for s in srcs):
            bad.append("%s declares functions but has no %s beside it" % (h, " ".join(srcs)))
            continue
        src = "".join(open(os.path.join(root, s)).read() for s in srcs if
                      os.path.exists(os.path.join(root, s)))
        for n in names:
            checked += 1
            if not defines(src, n):
                bad.append("%s declares %s(), which %s does not define" % (h, n, " ".join(srcs)))
    for d, _, files in os.walk(os.path.join(root, "src")):
        for f in files:
            if not f.endswith((".c", ".h")):
                continue
            rel = os.path.relpath(os.path.join(d, f), os.path.join(root, "src"))
            stage = rel.split(os.sep)[0]
            if stage not in MAY_INCLUDE:
                bad.append("src/%s: not in a stage's folder" % rel)
                continue
            for inc in INCLUDE.findall(open(os.path.join(d, f)).read()):
                if "/" not in inc:
                    continue
                other = inc.split("/")[0]
                if inc == "bench/bench.h" and stage not in ("bench", "cli"):
                    bad.append("src/%s includes the benchmark engine (%s)" % (rel, inc))
                elif other != stage and other not in MAY_INCLUDE[stage]:
                    bad.append("src/%s (%s) includes %s" % (rel, stage, inc))
    if bad:
        print("\n".join(bad))
        return 1
    print("ok: %d headers, %d declarations, includes one way" % (len(headers), checked))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main())
