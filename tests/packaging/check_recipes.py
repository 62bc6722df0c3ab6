#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The package recipes agree with meson.build: the same version everywhere, and
every dependency() of meson.build (libmount, libblkid, cJSON, with their
minimum versions) in the Debian and conda recipes under the names those
distributions use (conda-forge: util-linux holds libmount and libblkid). The
RPM packages the static binary: it builds with packaging/static/build.sh,
requires no library, and writes a payload Amazon Linux 2's rpm 4.11 reads.
The conda recipe parses as YAML once its Jinja is expanded, has the keys
conda-forge requires and no run_exports (an application), and gen-man is a
build-machine executable (cross builds never run a target binary).
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

names = {  # meson pkg-config name -> (Debian -dev, Debian source package, conda-forge)
    "mount": ("libmount-dev", "util-linux", "util-linux"),
    "blkid": ("libblkid-dev", "util-linux", "util-linux"),
    "libcjson": ("libcjson-dev", "cjson", "cjson"),
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

# RPM: the static binary of packaging/static/build.sh, which takes the
# libraries from Debian's source packages (in the -dev packages' versions).
spec = read("packaging/rpm/studio-probe.spec")
m = re.search(r"^Version:\s*(\S+)", spec, re.M)
if not m or m.group(1) != version:
    errors.append(f"rpm spec Version {m and m.group(1)} != meson {version}")
try:
    build_sh = read("packaging/static/build.sh")
except FileNotFoundError:
    build_sh = ""
for dep in deps:
    src = names[dep][1]
    if f"fetch_source {src} " not in build_sh:
        errors.append(f"packaging/static/build.sh does not build {dep} from Debian's {src}")
body = re.sub(r"(?m)^#.*\n", "", spec)
if "packaging/static/build.sh" not in body:
    errors.append("rpm spec does not build the static binary (packaging/static/build.sh)")
for line in re.findall(r"(?m)^Requires(?:\([^)]*\))?:\s*(.*)$", body):
    if re.search(r"libmount|libblkid|cjson|glibc|libc\.so|GLIBC", line):
        errors.append(f"rpm spec requires a library the static binary has inside: {line}")
m = re.search(r"(?m)^%(?:global|define)\s+_binary_payload\s+(\S+)", body)
if not m or not re.match(r"w\d*\.(gzdio|xzdio)$", m.group(1)):
    errors.append("rpm spec: _binary_payload must be gzip or xz (rpm 4.11 of Amazon Linux 2 "
                  f"reads no zstd), not {m and m.group(1)}")
if "%{_vpath_builddir}" in body and not re.search(r"(?m)^%(global|define)\s+_vpath_builddir", body):
    errors.append("rpm spec uses %{_vpath_builddir} without defining it (Debian's rpm has none)")
if not re.search(r"(?m)^%global\s+debug_package\s+%\{nil\}", body):
    errors.append("rpm spec: a stripped static binary has no debuginfo (debug_package %{nil})")
m = re.search(r"(?m)^ExclusiveArch:\s*(.*)$", body)
if not m or set(m.group(1).split()) != {"x86_64", "aarch64"}:
    errors.append("rpm spec: ExclusiveArch must be the static build's x86_64 aarch64")
for f in ("%{_bindir}/studio-probe", "%{_mandir}/man1/studio-probe.1",
          "bash-completion/completions/studio-probe", "zsh/site-functions/_studio-probe",
          "fish/vendor_completions.d/studio-probe.fish", "studio-probe.schema.json"):
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
        for cname, minv in sorted({(names[d][2], v) for d, v in deps.items()}):
            if cname not in listed or f">={minv}" not in listed[cname].replace(" ", ""):
                errors.append(f"conda {section} lacks '{cname} >={minv}'")
        for wrong in ("libmount", "libblkid", "libcjson"):
            if wrong in listed:
                errors.append(f"conda {section}: conda-forge has no '{wrong}' package")
    build = [re.split(r"[ <>=]", r)[0] for r in reqs.get("build") or []]
    for tool in ("meson", "ninja", "pkg-config"):
        if tool not in build:
            errors.append(f"conda build requirements lack {tool}")
    # gen-man compiles against cJSON's header on the build machine.
    if not re.search(r"(?m)^\s*- cjson\b.*#\s*\[build_platform != target_platform\]", meta):
        errors.append("conda build requirements lack cjson for cross builds (gen-man's header)")
    if "run_exports" in (doc.get("build") or {}):
        errors.append("conda recipe: an application has no run_exports")
    if not (doc.get("test") or {}).get("commands"):
        errors.append("conda test section has no commands")
    for key in ("license", "license_file", "summary", "home"):
        if not (doc.get("about") or {}).get(key):
            errors.append(f"conda about lacks {key}")
if "meson setup" not in read("packaging/conda/build.sh"):
    errors.append("conda build.sh does not run meson")
# gen-man runs at build time: built for the build machine, from source (a
# cross build's libcore is for the target).
pm = read("packaging/meson.build")
call, depth = "", 0
for ch in pm[pm.find("gen_man = executable(") + len("gen_man = executable"):]:
    call += ch
    depth += {"(": 1, ")": -1}.get(ch, 0)
    if depth == 0:
        break
if not re.search(r"native\s*:\s*true", call) or re.search(r"link_with\s*:\s*libcore", call):
    errors.append("packaging/meson.build: gen-man must be native: true and not link libcore")

for e in errors:
    print(e)
print(f"recipes vs meson.build ({version}, {len(deps)} dependencies): {len(errors)} problems")
sys.exit(1 if errors else 0)
