#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The package recipes agree with meson.build: the same version everywhere, and
every dependency() of meson.build (libmount, libblkid, cJSON, with their
minimum versions) in the Debian, RPM and conda recipes; the conda recipe parses
as YAML once its Jinja is expanded and has the keys conda-forge requires.
usage: check_recipes.py SOURCE_ROOT MESON_VERSION"""
import os
import re
import sys

top, version = sys.argv[1:3]
errors = []


def read(rel):
    with open(os.path.join(top, rel), encoding="utf-8") as f:
        return f.read()


meson = read("meson.build")
# dependency('mount', version : '>= 2.33')
deps = dict(re.findall(r"dependency\('([^']+)',\s*version\s*:\s*'>=\s*([0-9.]+)'", meson))
if set(deps) != {"mount", "blkid", "libcjson"}:
    errors.append(f"meson.build dependencies changed: {deps}; update this test and the recipes")

names = {  # meson pkg-config name -> (Debian -dev, RPM pkgconfig(), conda-forge)
    "mount": ("libmount-dev", "pkgconfig(mount)", "libmount"),
    "blkid": ("libblkid-dev", "pkgconfig(blkid)", "libblkid"),
    "libcjson": ("libcjson-dev", "pkgconfig(libcjson)", "cjson"),
}

# Debian
control = read("packaging/debian/control")
m = re.match(r"studio-probe \(([^)]+)\)", read("packaging/debian/changelog"))
if not m or m.group(1).split("-")[0] != version:
    errors.append(f"debian/changelog version {m and m.group(1)} != meson {version}")
for dep, minv in deps.items():
    deb = names.get(dep, (dep,))[0]
    if not re.search(re.escape(deb) + r"\s*\(>=\s*" + re.escape(minv) + r"\)", control):
        errors.append(f"debian/control lacks '{deb} (>= {minv})'")
mm = re.search(r"meson_version\s*:\s*'>=\s*([0-9.]+)'", meson)
if mm and f"meson (>= {mm.group(1)})" not in control:
    errors.append(f"debian/control lacks 'meson (>= {mm.group(1)})'")
if "dh $@ --buildsystem=meson" not in read("packaging/debian/rules"):
    errors.append("debian/rules does not use dh with the meson buildsystem")
if read("packaging/debian/source/format").strip() not in ("3.0 (native)", "3.0 (quilt)"):
    errors.append("debian/source/format")

# RPM
spec = read("packaging/rpm/studio-probe.spec")
m = re.search(r"^Version:\s*(\S+)", spec, re.M)
if not m or m.group(1) != version:
    errors.append(f"rpm spec Version {m and m.group(1)} != meson {version}")
for dep, minv in deps.items():
    rpm = names.get(dep, (None, dep))[1]
    if not re.search(r"BuildRequires:\s*" + re.escape(rpm) + r"\s*>=\s*" + re.escape(minv), spec):
        errors.append(f"rpm spec lacks 'BuildRequires: {rpm} >= {minv}'")
for f in ("%{_bindir}/studio-probe", "%{_mandir}/man1/studio-probe.1",
          "bash-completion/completions/studio-probe", "studio-probe.schema.json"):
    if f not in spec:
        errors.append(f"rpm %files lacks {f}")

# conda
meta = read("packaging/conda/meta.yaml")
m = re.search(r'{%\s*set version\s*=\s*"([^"]+)"\s*%}', meta)
if not m or m.group(1) != version:
    errors.append(f"conda meta.yaml version {m and m.group(1)} != meson {version}")
try:
    import yaml
except ImportError:
    print("SKIP: python3-yaml is not installed (tests/test-deps.txt)")
    sys.exit(77)
# Render the little Jinja the recipe uses, as conda-build would.
text = re.sub(r"{%.*?%}\n?", "", meta)
text = text.replace("{{ name }}", "studio-probe").replace("{{ version }}", version)
text = re.sub(r"{{\s*([a-z_]+)\(([^)]*)\)\s*}}", lambda x: f"{x.group(1)}-placeholder", text)
try:
    doc = yaml.safe_load(text)
except yaml.YAMLError as e:
    doc = None
    errors.append(f"conda meta.yaml is not YAML: {e}")
if doc:
    for key in ("package", "source", "build", "requirements", "test", "about"):
        if key not in doc:
            errors.append(f"conda meta.yaml lacks {key}")
    reqs = doc.get("requirements", {})
    for section in ("host", "run"):
        listed = {re.split(r"[ <>=]", r)[0]: r for r in reqs.get(section) or []}
        for dep, minv in deps.items():
            cname = names.get(dep, (None, None, dep))[2]
            if cname not in listed or f">={minv}" not in listed[cname].replace(" ", ""):
                errors.append(f"conda {section} lacks '{cname} >={minv}'")
    build = [re.split(r"[ <>=]", r)[0] for r in reqs.get("build") or []]
    for tool in ("meson", "ninja", "pkg-config"):
        if tool not in build:
            errors.append(f"conda build requirements lack {tool}")
    if not (doc.get("test") or {}).get("commands"):
        errors.append("conda test section has no commands")
    for key in ("license", "license_file", "summary", "home"):
        if not (doc.get("about") or {}).get(key):
            errors.append(f"conda about lacks {key}")
if "meson setup" not in read("packaging/conda/build.sh"):
    errors.append("conda build.sh does not run meson")

for e in errors:
    print(e)
print(f"recipes vs meson.build ({version}, {len(deps)} dependencies): {len(errors)} problems")
sys.exit(1 if errors else 0)
