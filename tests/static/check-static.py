#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Proves the static binaries that packaging/static/build.sh made:

  * ELF: no interpreter (no PT_INTERP), no NEEDED entry, `file` says static,
    and the .sha256 file beside each binary checks out;
  * it runs in an empty chroot that holds only the binary and bind-mounted
    /proc and /sys (no /etc, no /dev, no locale; in a private mount namespace,
    so the bind mounts vanish with it) and reports what it can;
  * live, on the same paths and in one frozen mount table (unshare -m), its
    report equals the dynamic build's, free space aside (it moves between two
    runs);
  * every fixture replay (tests/fixtures/*/ with its args file, run as
    tests/golden/run-golden.py runs it: --json and text) gives byte-identical
    stdout, stderr and exit status to the dynamic build's, and so do ten
    crafted mount tables that repeat mount ids (qsort's equal keys).

The aarch64 binary, when built, is run through qemu-user (qemu-aarch64) for the
same checks. Prints one line per failed check and closes with
'static: N passed, N failed, N skipped'.

usage: check-static.py DYNAMIC_STUDIO_PROBE STATIC_OUTDIR SOURCE_ROOT
"""
import difflib
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

TIMEOUT_S = 120
ENV = {"LC_ALL": "C.UTF-8", "TZ": "UTC", "NO_COLOR": "1"}

passed = failed = skipped = 0


def ok(name):
    global passed
    passed += 1
    print(f"ok {name}")


def fail(name, why):
    global failed
    failed += 1
    print(f"FAIL {name}: {why}")


def skip(name, why):
    global skipped
    skipped += 1
    print(f"SKIP {name}: {why}")


def run(cmd, **kw):
    kw.setdefault("env", ENV)
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=TIMEOUT_S, check=False, **kw)


def version_of(top):
    with open(os.path.join(top, "meson.build"), encoding="utf-8") as f:
        return re.search(r"version\s*:\s*'([^']+)'", f.read()).group(1)


def check_elf(name, binary, outdir):
    p = run(["file", "-b", binary])
    if p.returncode != 0 or b"statically linked" not in p.stdout:
        return fail(name, f"file says {p.stdout.decode(errors='replace').strip()!r}")
    p = run(["readelf", "-lW", binary])
    if p.returncode != 0 or b"INTERP" in p.stdout or b"interpreter" in p.stdout:
        return fail(name, "readelf -l shows a program interpreter (PT_INTERP)")
    p = run(["readelf", "-d", binary])
    if p.returncode != 0 or b"NEEDED" in p.stdout:
        return fail(name, "readelf -d shows NEEDED entries:\n" + p.stdout.decode(errors="replace"))
    p = run(["sha256sum", "-c", os.path.basename(binary) + ".sha256"], cwd=outdir)
    if p.returncode != 0:
        return fail(name, "sha256sum -c: " + (p.stdout + p.stderr).decode(errors="replace"))
    ok(name)


def load_args(path):
    try:
        with open(path, "rb") as f:
            return [a for a in f.read().split(b"\n") if a]
    except FileNotFoundError:
        return []


def compare(name, runs_a, runs_b, label_a, label_b, normalise=None):
    """runs_*: lists of CompletedProcess, pairwise compared."""
    for i, (a, b) in enumerate(zip(runs_a, runs_b)):
        oa, ob = a.stdout, b.stdout
        if normalise:
            oa, ob = normalise(oa), normalise(ob)
        for what, x, y in (("exit status", a.returncode, b.returncode), ("stdout", oa, ob),
                           ("stderr", a.stderr, b.stderr)):
            if x != y:
                if isinstance(x, bytes):
                    x, y = x.decode(errors="replace")[-800:], y.decode(errors="replace")[-800:]
                return fail(name, f"run {i}: {what} differs\n--- {label_a}:\n{x}\n--- {label_b}:\n{y}")
    ok(name)


def fixture_checks(tag, static_cmd, dynamic, top):
    scenarios = sorted(d for d in glob.glob(os.path.join(top, "tests/fixtures/*/"))
                       if os.path.isdir(os.path.join(d, "root")))
    for sdir in scenarios:
        sysroot = os.path.join(sdir, "root")
        args = load_args(os.path.join(sdir, "args"))
        variants = [args] if any(a in (b"-q", b"--quiet") for a in args) else [args, [b"--json"] + args]
        sruns, druns = [], []
        for v in variants:
            sruns.append(run(static_cmd + [b"--sysroot", sysroot] + v))
            druns.append(run([dynamic, b"--sysroot", sysroot] + v))
        compare(f"{tag} fixture {os.path.basename(sdir.rstrip('/'))}", sruns, druns,
                "static", "dynamic")


FREE = re.compile(rb'("free_bytes":\s*)\d+')


def fuse_mounts():
    """Mount points of FUSE file systems, deepest first, in shell-safe form."""
    found = []
    with open("/proc/self/mountinfo", "rb") as f:
        for line in f:
            fields = line.split()
            fstype = fields[fields.index(b"-") + 1]
            if fstype == b"fuse" or fstype.startswith(b"fuse."):
                path = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), fields[4])
                if b"'" not in path:
                    found.append(path.decode(errors="surrogateescape"))
    return sorted(found, key=len, reverse=True)


def live_checks(tag, static_cmd, dynamic, workdir):
    """Both builds, same paths, one mount namespace (a mount made meanwhile by
    another process cannot come between the two runs). Free space and the
    text report's human sizes move with the machine: a path whose reports
    differ gets two more tries before it fails."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return skip(f"{tag} live", "needs root and unshare (util-linux)")
    # The last two fail: ENOENT, and ENAMETOOLONG, whose strerror() text musl
    # words otherwise ("Filename too long"): libc-compat.c's table at work.
    paths = ["/", "/proc", "/sys", "/dev", workdir, "/nonexistent-studio-probe-path",
             os.path.join(workdir, "x" * 300)]
    variants = (("json", ["--json"]), ("text", []))

    def attempt(todo, n):
        # Other tests' FUSE file systems hang on purpose (and another run's
        # may come and go): detached in this namespace only, they leave one
        # steady table for both builds.
        script = ["set -u"] + [f"umount -l -- '{m}' 2>/dev/null" for m in fuse_mounts()]
        for i in todo:
            for fmt, extra in variants:
                for who, cmd in (("s", static_cmd), ("d", [dynamic])):
                    argv = " ".join("'" + str(x) + "'" for x in cmd + ["--path", paths[i]] + extra)
                    base = os.path.join(workdir, f"{n}-{who}-{i}-{fmt}")
                    script.append(f"{argv} >{base}.out 2>{base}.err; echo $? >{base}.rc")
        p = run(["unshare", "-m", "--propagation", "private", "sh", "-c", "\n".join(script)])
        if p.returncode != 0:
            raise RuntimeError("unshare -m failed: " + p.stderr.decode(errors="replace"))
        res = {}
        for i in todo:
            for fmt, _ in variants:
                for who in "sd":
                    base = os.path.join(workdir, f"{n}-{who}-{i}-{fmt}")
                    with open(base + ".out", "rb") as f, open(base + ".err", "rb") as g, \
                            open(base + ".rc", "rb") as h:
                        res[who, i, fmt] = (int(h.read()), f.read(), g.read())
        return res

    def differs(res, i, fmt):
        (rs, os_, es), (rd, od, ed) = res["s", i, fmt], res["d", i, fmt]
        if fmt == "json":
            os_, od = FREE.sub(rb"\1@FREE@", os_), FREE.sub(rb"\1@FREE@", od)
        if (rs, os_, es) == (rd, od, ed):
            return None
        for what, x, y in (("exit status", rs, rd), ("stdout", os_, od), ("stderr", es, ed)):
            if x != y:
                def lines(v):
                    v = v.decode(errors="replace") if isinstance(v, bytes) else str(v)
                    return [ln if len(ln) < 160 else ln[:60] + " ... " + ln[-90:]
                            for ln in v.splitlines()]
                a = "\n".join(difflib.unified_diff(lines(x), lines(y), "static", "dynamic",
                                                   lineterm="", n=2))
                return f"{what} differs:\n{a[:2000]}"
        return None

    todo = {(i, fmt) for i in range(len(paths)) for fmt, _ in variants}
    why = {}
    for n in range(3):
        try:
            res = attempt(sorted({i for i, _ in todo}), n)
        except RuntimeError as e:
            return fail(f"{tag} live", str(e))
        for i, fmt in sorted(todo):
            why[i, fmt] = differs(res, i, fmt)
        todo = {k for k in todo if why[k]}
        if not todo:
            break
    for i in range(len(paths)):
        for fmt, _ in variants:
            shown = paths[i] if len(paths[i]) < 80 else paths[i][:40] + "...(300 x)"
            name = f"{tag} live --path {shown} ({fmt})"
            if why.get((i, fmt)):
                fail(name, why[i, fmt])
            else:
                ok(name)


def chroot_checks(tag, binary, qemu, workdir):
    """An empty root: the binary, /proc and /sys, nothing else."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return skip(f"{tag} chroot", "needs root and unshare (util-linux)")
    root = os.path.join(workdir, "chroot")
    chroot = shutil.which("chroot") or "/usr/sbin/chroot"
    os.makedirs(os.path.join(root, "proc"))
    os.makedirs(os.path.join(root, "sys"))
    shutil.copy2(binary, os.path.join(root, "studio-probe"))
    inner = ["/studio-probe"]
    if qemu:
        # The emulator runs inside the chroot too: only a static one can.
        if b"statically linked" not in run(["file", "-bL", qemu]).stdout:
            return skip(f"{tag} chroot", f"{qemu} is not static (qemu-user-static has one)")
        shutil.copy2(qemu, os.path.join(root, "qemu"))
        inner = ["/qemu", "/studio-probe"]
    cmds = {
        "version": inner + ["--version"],
        "json-root": inner + ["--json", "--path", "/"],
        "json-proc": inner + ["--json", "--path", "/proc"],
        "text-root": inner + ["--path", "/"],
        "missing": inner + ["--json", "--path", "/no/such/dir"],
    }
    def line(key, argv):
        q = " ".join("'" + a + "'" for a in argv)
        base = os.path.join(workdir, "chroot-" + key)
        return f"env -i {chroot} '{root}' {q} >{base}.out 2>{base}.err; echo $? >{base}.rc"

    # First as a bare directory (no mount holds the chroot's /: mountinfo
    # lists only mounts under the root), then made a mount of its own, as a
    # container runtime makes every root.
    script = ["set -u", f"mount --bind /proc '{root}/proc'", f"mount --bind /sys '{root}/sys'",
              line("no-root-mount", inner + ["--json", "--path", "/"]),
              f"mount --rbind '{root}' '{root}'"]
    script += [line(key, argv) for key, argv in cmds.items()]
    p = run(["unshare", "-m", "--propagation", "private", "sh", "-c", "\n".join(script)])
    if p.returncode != 0:
        return fail(f"{tag} chroot", "unshare -m / mount --bind failed: " +
                    p.stderr.decode(errors="replace"))
    # The bind mounts lived in the namespace only.
    if os.listdir(os.path.join(root, "proc")) or os.listdir(os.path.join(root, "sys")):
        return fail(f"{tag} chroot", "the bind mounts outlived the namespace")

    def res(key):
        base = os.path.join(workdir, "chroot-" + key)
        with open(base + ".out", "rb") as f, open(base + ".err", "rb") as g, \
                open(base + ".rc", "rb") as h:
            return int(h.read()), f.read(), g.read()

    rc, out, err = res("no-root-mount")
    if rc != 3 or b"no mount holds /" not in err:
        return fail(f"{tag} chroot", f"a root no mount holds: exit {rc} (want 3), stderr {err!r}")
    rc, out, err = res("version")
    if rc != 0 or not out.startswith(b"studio-probe "):
        return fail(f"{tag} chroot", f"--version: exit {rc}, {out!r} {err!r}")
    for key, path in (("json-root", "/"), ("json-proc", "/proc")):
        rc, out, err = res(key)
        try:
            doc = json.loads(out)
        except ValueError:
            return fail(f"{tag} chroot", f"--json --path {path}: exit {rc}, not JSON: {out[:300]!r} "
                        f"stderr {err[:300]!r}")
        if rc != 0 or doc.get("schema_version") != 1 or doc["home"].get("path") != path:
            return fail(f"{tag} chroot", f"--json --path {path}: exit {rc}, stderr {err!r}")
        if key == "json-proc" and doc["home"].get("fstype") != "proc":
            return fail(f"{tag} chroot", f"/proc is {doc['home'].get('fstype')!r}, not proc")
    rc, out, err = res("text-root")
    if rc != 0 or not out:
        return fail(f"{tag} chroot", f"text report: exit {rc}, stderr {err!r}")
    rc, out, err = res("missing")
    if rc != 3 or not err:
        return fail(f"{tag} chroot", f"a missing path: exit {rc} (want 3), stderr {err!r}")
    ok(f"{tag} chroot (only the binary, /proc and /sys)")


def crafted_checks(tag, static_cmd, dynamic, top, workdir):
    """Tables no kernel writes but a replayed snapshot may hold: mount ids
    repeated in any order (qsort() orders equal keys differently on glibc and
    musl). Ten tables from a fixed seed, each replayed by both builds."""
    base = os.path.join(top, "tests/fixtures/new-codeeditor-custom-efs-fsx")
    if not os.path.isdir(base):
        return skip(f"{tag} crafted tables", f"{base} is missing")
    root = os.path.join(workdir, "root")
    shutil.copytree(os.path.join(base, "root"), root, symlinks=True)
    mi = os.path.join(root, "proc/self/mountinfo")
    with open(mi, encoding="utf-8") as f:
        keep = [ln for ln in f.read().splitlines() if "/mnt/custom-file-systems" not in ln]
    rng = random.Random(12)
    for trial in range(10):
        lines = list(keep)
        for i in range(rng.randint(3, 12)):
            mid = rng.choice((1527, 1528, 1540, 1541))
            lines.append(f"{mid} 1503 0:{200 + i} / /mnt/custom-file-systems/efs/fs-{i:017x} "
                         "rw,relatime - nfs4 127.0.0.1:/ rw,vers=4.1,hard,timeo=600,addr=127.0.0.1")
        with open(mi, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        s = run(static_cmd + ["--sysroot", root, "--json"])
        d = run([dynamic, "--sysroot", root, "--json"])
        if (s.returncode, s.stdout, s.stderr) != (d.returncode, d.stdout, d.stderr):
            return fail(f"{tag} crafted tables (repeated mount ids)",
                        f"table {trial} reported differently: exit {d.returncode} dynamic, "
                        f"{s.returncode} static; stderr dynamic {d.stderr[:300]!r}, "
                        f"static {s.stderr[:300]!r}\n" + "".join(difflib.unified_diff(
                            d.stdout.decode(errors="replace").splitlines(True),
                            s.stdout.decode(errors="replace").splitlines(True),
                            "dynamic", "static", n=1))[:3000])
    ok(f"{tag} crafted tables (repeated mount ids)")


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    dynamic, outdir, top = (os.path.abspath(a) for a in argv[1:])
    version = version_of(top)
    built = 0
    for arch in ("x86_64", "aarch64"):
        binary = os.path.join(outdir, f"studio-probe-{version}-{arch}-linux")
        tag = f"{arch}"
        if not os.path.exists(binary):
            if arch == "x86_64":
                fail(tag, f"{binary} was not built")
            else:
                skip(tag, f"{binary} was not built")
            continue
        built += 1
        check_elf(f"{tag} ELF static, no interpreter, no NEEDED, sha256", binary, outdir)
        qemu = None
        cmd = [binary]
        if arch != os.uname().machine:
            qemu = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
            if not qemu:
                skip(f"{tag} runs", "qemu-user (qemu-aarch64) not installed")
                continue
            cmd = [qemu, binary]
        p = run(cmd + ["--version"])
        if p.returncode != 0 or p.stdout.decode().split()[-1:] != [version]:
            fail(f"{tag} --version", f"exit {p.returncode}: {p.stdout!r} {p.stderr!r}")
            continue
        ok(f"{tag} --version")
        with tempfile.TemporaryDirectory(prefix="static-check-") as work:
            os.chmod(work, 0o755)
            live_checks(tag, cmd, dynamic, work)
        with tempfile.TemporaryDirectory(prefix="static-chroot-") as work:
            os.chmod(work, 0o755)
            chroot_checks(tag, binary, qemu, work)
        fixture_checks(tag, cmd, dynamic, top)
        with tempfile.TemporaryDirectory(prefix="static-crafted-") as work:
            crafted_checks(tag, cmd, dynamic, top, work)
    print(f"static: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or not built else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
