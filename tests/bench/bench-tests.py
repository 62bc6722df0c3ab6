#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests of studio-probe --bench: structure (never speed) and safety.

Usage: bench-tests.py TEST /path/to/studio-probe
Exit 0 pass, 1 fail, 77 skip (meson's convention), with the reason printed.
"""
import hashlib
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from fusedaemon import FuseDaemon  # noqa: E402

SKIP = 77
TINY = ["--bench", "--bench-time=0.6", "--bench-size=1M"]
PREFIX = "studio-probe-bench."


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def run(binary, args, **kw):
    return subprocess.run([binary] + args, capture_output=True, text=True, timeout=120, **kw)


def tree_digest(root):
    """Names, types, modes, symlink targets and contents of everything under root."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            # a directory's mtime changes whenever an entry is added and removed
            # in it (the private directory), so only files' mtimes are compared
            mtime = 0 if stat.S_ISDIR(st.st_mode) else st.st_mtime_ns
            h.update(f"{os.path.relpath(p, root)}\0{st.st_mode}\0{mtime}\0".encode())
            if stat.S_ISLNK(st.st_mode):
                h.update(os.readlink(p).encode())
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def leftovers(d):
    return [n for n in os.listdir(d) if n.startswith(PREFIX)]


LAT_KEYS = {"min", "mean", "p50", "p90", "p99", "p999", "max", "samples"}


def check_structure(b, d):
    for k in ("path", "direct_io", "file_size_bytes", "elapsed_ns", "budget_ns",
              "budget_split_ns", "seq_write", "seq_read", "rand_read_4k", "sync_write_4k",
              "metadata", "assessment", "interrupted", "timed_out", "error"):
        check(k in b, f"benchmark.{k} missing")
    check(b["path"] == os.path.realpath(d), f"path {b['path']!r}")
    check(isinstance(b["direct_io"], bool), "direct_io not a bool")
    check(b["file_size_bytes"] == 1 << 20, f"file_size_bytes {b['file_size_bytes']}")
    check(b["error"] is None and not b["interrupted"] and not b["timed_out"], "run not clean")
    for w in ("seq_write", "seq_read"):
        x = b[w]
        check(x["ops"] >= 1 and x["bytes_per_second"] > 0 and isinstance(x["direct"], bool),
              f"{w}: {x}")
        check(x["elapsed_ns"] > 0 and x["budget_ns"] > 0, f"{w} times: {x}")
        lat = x["latency_ns"]
        check(set(lat) == LAT_KEYS and lat["samples"] == x["ops"] and
              lat["min"] <= lat["p50"] <= lat["p99"] <= lat["max"], f"{w} latency {lat}")
    for w in ("rand_read_4k", "sync_write_4k"):
        x = b[w]
        check(x["ops"] >= 1 and x["iops"] > 0, f"{w}: {x}")
        lat = x["latency_ns"]
        check(set(lat) == LAT_KEYS, f"{w} latency keys {sorted(lat)}")
        check(lat["min"] <= lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p999"] <= lat["max"],
              f"{w} percentiles not ordered: {lat}")
        check(lat["min"] <= lat["mean"] <= lat["max"], f"{w} mean outside: {lat}")
        check(lat["samples"] == x["ops"], f"{w}: samples {lat['samples']} != ops {x['ops']}")
    check(b["sync_write_4k"]["o_dsync"] is True, "sync_write_4k.o_dsync")
    md = b["metadata"]
    check(md["files"] >= 1, f"metadata.files {md['files']}")
    for op in ("create", "stat", "unlink"):
        check(op in md and "per_second" in md[op], f"metadata.{op}: {md.get(op)}")
        lat = md[op]["latency_ns"]
        # a single file is only the warm-up: no sample, and null rather than zeros
        check(lat is None if md[op]["ops"] == 0 else
              set(lat) == LAT_KEYS and lat["samples"] == md[op]["ops"], f"metadata.{op}: {lat}")
    # every created file is unlinked: the unlink pass covers all of them
    check(md["unlink"]["ops"] + md["unlink"]["warmup_ops"] == md["files"], "unlink count")
    split = b["budget_split_ns"]
    for k in ("seq_write", "seq_read", "rand_read_4k", "sync_write_4k", "metadata",
              "setup_and_cleanup"):
        check(isinstance(split.get(k), int), f"budget_split_ns.{k}: {split.get(k)}")
    # shares are given as each workload starts, unused time flowing on, so they
    # overlap; what was spent must fit in the budget
    check(all(v <= b["budget_ns"] for v in split.values()), f"share over budget: {split}")
    spent = sum(b[w]["elapsed_ns"] for w in ("seq_write", "seq_read", "rand_read_4k",
                                             "sync_write_4k"))
    spent += sum(md[op]["elapsed_ns"] for op in ("create", "stat", "unlink"))
    # The bound catches a budget ignored (the workloads would run on for the
    # whole file, or forever), not a loaded machine: with both cores busy under
    # ASan a 0.6 s run took 2.1 s, the unlink pass (cleanup, never cut short)
    # waiting for the CPU.
    check(spent <= b["elapsed_ns"] <= b["budget_ns"] * 1.5 + 5e9,
          f"spent {spent}, {b['elapsed_ns']}")
    check(isinstance(b["assessment"], list) and all(isinstance(s, str) for s in b["assessment"])
          and b["assessment"], "assessment")


def t_smoke(binary):
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TEST_DIR", "/var/tmp")) as d:
        r = run(binary, TINY + ["--json", "--path", d])
        check(r.returncode == 0, f"exit {r.returncode}: {r.stderr}")
        check_structure(json.loads(r.stdout)["benchmark"], d)
        check(os.listdir(d) == [], f"left behind: {os.listdir(d)}")
        r = run(binary, TINY + ["--path", d])
        check(r.returncode == 0, f"human: exit {r.returncode}: {r.stderr}")
        for w in ("Benchmark", "seq_write", "rand_read_4k", "sync_write_4k", "create", "unlink"):
            check(w in r.stdout, f"human output lacks {w}")
        check(r.stderr == "", f"stderr not a TTY, yet: {r.stderr!r}")
        check(os.listdir(d) == [], "left behind (human)")
        # without --bench the document has no benchmark
        r = run(binary, ["--json", "--path", d])
        check(r.returncode == 0 and "benchmark" not in json.loads(r.stdout), "benchmark w/o --bench")


def t_usage(binary):
    cases = [["--bench", "--sysroot=/"], ["--bench-time=3"], ["--bench", "--bench-time=0"],
             ["--bench", "--bench-size=12Q"], ["--bench", "--bench-size=100"],
             ["--bench", "--bench-time=-1"], ["--bench", "--quiet"]]
    for args in cases:
        r = run(binary, args)
        check(r.returncode == 2 and r.stderr.strip(), f"{args}: exit {r.returncode} {r.stderr!r}")
    with tempfile.TemporaryDirectory(dir="/var/tmp") as d:
        r = run(binary, ["--bench", "--bench-size=1T", "--path", d])
        check(r.returncode == 3 and "half" in r.stderr, f"1T: exit {r.returncode} {r.stderr!r}")
        check(os.listdir(d) == [], "left behind")
        f = os.path.join(d, "file")
        open(f, "w").close()
        r = run(binary, TINY + ["--path", f])
        check(r.returncode == 3 and "--bench" in r.stderr, f"file: {r.returncode} {r.stderr!r}")


def populate(d):
    random.seed(4)
    for i in range(30):
        sub = os.path.join(d, f"dir{i % 5}", f"sub{i % 3}")
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"file{i}"), "wb") as f:
            f.write(os.urandom(random.randint(0, 70000)))
    os.symlink("dir0", os.path.join(d, "link-to-dir0"))
    os.symlink("/etc/hostname", os.path.join(d, "abs-link"))
    # names the benchmark uses inside its private directory
    for n in ("seq.dat", "md", "f.0"):
        with open(os.path.join(d, n), "w") as f:
            f.write("user data " + n)
    with open(os.path.join(d, "dir0", "seq.dat"), "w") as f:
        f.write("nested user data")


def t_checksum(binary):
    with tempfile.TemporaryDirectory(dir="/var/tmp") as d:
        populate(d)
        before = tree_digest(d)
        r = run(binary, TINY + ["--json", "--path", d])
        check(r.returncode == 0, f"exit {r.returncode}: {r.stderr}")
        check(tree_digest(d) == before, "the populated tree changed")
        check(not leftovers(d), f"left behind: {leftovers(d)}")
        # also from inside a subdirectory, and through a symlink to it
        r = run(binary, TINY + ["--json", "--path", os.path.join(d, "link-to-dir0")])
        check(r.returncode == 0, f"symlinked path: exit {r.returncode}: {r.stderr}")
        check(tree_digest(d) == before, "the populated tree changed (symlinked path)")


def wait_started(p, d, limit=30.0):
    """Waits until the benchmark's private directory exists: its signal
    handlers are installed before it creates anything."""
    end = time.monotonic() + limit
    while time.monotonic() < end and p.poll() is None:
        if leftovers(d):
            return True
        time.sleep(0.001)
    return False


def t_signals(binary):
    rng = random.Random(os.getpid())
    with tempfile.TemporaryDirectory(dir="/var/tmp") as d:
        populate(d)
        before = tree_digest(d)
        runs = early = 0
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP) * 3:
            group = runs % 2 == 1  # like a terminal's Ctrl-C: parent and child both get it
            # The first run of each signal strikes at once, maybe before the
            # handlers exist (slow under ASan or valgrind): then the default
            # action kills it, which is fine as long as it created nothing.
            at_once = runs < 3
            p = subprocess.Popen([binary, "--bench", "--bench-time=4", "--bench-size=32M",
                                  "--json", "--path", d], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, start_new_session=True)
            if at_once:
                time.sleep(rng.uniform(0, 0.005))
            else:
                check(wait_started(p, d), "the benchmark never started")
                # during setup and the first writes, then anywhere
                time.sleep(rng.uniform(0, 0.02) if runs < 6 else rng.uniform(0, 2.5))
            if group:
                os.killpg(p.pid, sig)
            else:
                p.send_signal(sig)
            out, err = p.communicate(timeout=60)
            runs += 1
            what = f"{signal.Signals(sig).name} ({'group' if group else 'process'})"
            check(not leftovers(d), f"{what}: left behind {leftovers(d)}")
            check(tree_digest(d) == before, f"{what}: the populated tree changed")
            if at_once and p.returncode == -sig:
                check(out == "", f"{what}: killed before its handlers, yet printed {out!r}")
                early += 1
                continue
            check(p.returncode == 130, f"{what}: exit {p.returncode}: {err}")
            check("stopped by" in err, f"{what}: stderr {err!r}")
            b = json.loads(out)["benchmark"]
            check(b["interrupted"] is True, f"{what}: interrupted flag")
        print(f"{runs} interrupted runs ({early} before the handlers were installed), "
              "nothing left behind")


def t_symlink(binary):
    """Symlinks planted where the benchmark creates files are never followed."""
    with tempfile.TemporaryDirectory(dir="/var/tmp") as d, \
            tempfile.TemporaryDirectory(dir="/var/tmp") as victim:
        work = os.path.join(d, "work")
        os.mkdir(work)
        with open(os.path.join(victim, "precious"), "w") as f:
            f.write("precious")
        os.mkdir(os.path.join(victim, "md"))
        before = tree_digest(victim)
        planted = []
        stop = threading.Event()

        def planter():
            while not stop.is_set():
                for n in leftovers(work):
                    priv = os.path.join(work, n)
                    for name, target in (("seq.dat", os.path.join(victim, "precious")),
                                         ("md", os.path.join(victim, "md"))):
                        try:
                            os.symlink(target, os.path.join(priv, name))
                            planted.append(name)
                        except OSError:
                            pass
                    stop.wait(0.01)
                    return
                time.sleep(0.0005)

        fails = 0
        for _ in range(3):
            t = threading.Thread(target=planter)
            t.start()
            r = run(binary, ["--bench", "--bench-time=1", "--bench-size=4M", "--json",
                             "--path", work])
            stop.set()
            t.join()
            stop.clear()
            check(r.returncode in (0, 3), f"exit {r.returncode}: {r.stderr}")
            if r.returncode == 3:
                fails += 1
                check("File exists" in r.stderr, f"unexpected error: {r.stderr}")
            check(tree_digest(victim) == before, "the symlink target changed")
            check(os.listdir(work) == [], f"left behind: {os.listdir(work)}")
        check(planted, "the planter never found the private directory")
        print(f"planted {planted}; {fails} runs refused with EEXIST, victim intact")


def mounted(fn):
    def wrapper(binary):
        if os.geteuid() != 0:
            print(f"SKIP: needs root (mount)")
            return SKIP
        return fn(binary)
    return wrapper


def t_readonly(binary):
    with tempfile.TemporaryDirectory(dir="/var/tmp") as d:
        populate(d)
        before = tree_digest(d)
        if os.geteuid() == 0:
            ro = tempfile.mkdtemp(dir="/var/tmp")
            try:
                subprocess.run(["mount", "--bind", d, ro], check=True)
                try:
                    subprocess.run(["mount", "-o", "remount,bind,ro", ro], check=True)
                    r = run(binary, TINY + ["--path", ro])
                finally:
                    subprocess.run(["umount", ro], check=True)
            finally:
                os.rmdir(ro)
            check(r.returncode == 3 and "read-only" in r.stderr, f"{r.returncode} {r.stderr!r}")
        else:
            os.chmod(d, 0o555)
            try:
                r = run(binary, TINY + ["--path", d])
            finally:
                os.chmod(d, 0o755)
            check(r.returncode == 3 and "permission" in r.stderr, f"{r.returncode} {r.stderr!r}")
        check("Traceback" not in r.stderr and len(r.stderr.splitlines()) <= 3,
              f"message not clean: {r.stderr!r}")
        check(tree_digest(d) == before, "tree changed")
        print(r.stderr.strip())


@mounted
def t_fullfs(binary):
    for tool in ("mkfs.ext4", "losetup", "mount"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} missing")
            return SKIP
    base = tempfile.mkdtemp(dir="/var/tmp")
    img, mnt = os.path.join(base, "img"), os.path.join(base, "mnt")
    os.mkdir(mnt)
    try:
        # Case 1, full: few blocks and no reserve, filled to the last block.
        # Case 2, out of inodes: the metadata workload hits ENOSPC mid-run.
        for case, mkfs in (("full", ["-N", "64"]), ("inodes", ["-N", "16"])):
            with open(img, "wb") as f:
                f.truncate(64 << 20)
            subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", "-E",
                            "lazy_itable_init=0,lazy_journal_init=0"] + mkfs + [img], check=True)
            r = subprocess.run(["mount", "-o", "loop", img, mnt], capture_output=True, text=True)
            if r.returncode != 0:
                print(f"SKIP: cannot loop-mount: {r.stderr.strip()}")
                return SKIP
            try:
                with open(os.path.join(mnt, "keep"), "wb") as f:
                    f.write(b"k" * 10000)
                if case == "full":
                    with open(os.path.join(mnt, "filler"), "wb") as f:
                        try:
                            while True:
                                f.write(b"\xff" * (1 << 20))
                                f.flush()
                        except OSError:
                            pass
                        try:
                            while True:
                                f.write(b"\xff" * 4096)
                                f.flush()
                        except OSError:
                            pass
                before = tree_digest(mnt)
                r = run(binary, TINY + ["--json", "--path", mnt])
                check(r.returncode == 3, f"{case}: exit {r.returncode}: {r.stderr}")
                check("full" in r.stderr or "free" in r.stderr, f"{case}: {r.stderr!r}")
                check(tree_digest(mnt) == before, f"{case}: tree changed")
                left = [n for n in os.listdir(mnt) if n not in ("keep", "filler", "lost+found")]
                check(not left, f"{case}: left behind {left}")
                print(f"{case}: {r.stderr.strip()}")
            finally:
                subprocess.run(["umount", mnt], check=True)
    finally:
        shutil.rmtree(base)


@mounted
def t_unprivileged(binary):
    if not shutil.which("setpriv"):
        print("SKIP: setpriv missing")
        return SKIP
    user = ["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--"]
    probe = subprocess.run(user + [binary, "--version"], capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"SKIP: uid 1000 cannot run {binary}: {probe.stderr.strip()}")
        return SKIP
    with tempfile.TemporaryDirectory(dir="/var/tmp") as d:
        mine, roots = os.path.join(d, "mine"), os.path.join(d, "roots")
        os.mkdir(mine)
        os.mkdir(roots)
        os.chmod(d, 0o755)
        os.chown(mine, 1000, 1000)
        populate(roots)
        before = tree_digest(roots)
        r = subprocess.run(user + [binary] + TINY + ["--json", "--path", mine],
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 0, f"own dir: exit {r.returncode}: {r.stderr}")
        check_structure(json.loads(r.stdout)["benchmark"], mine)
        check(os.listdir(mine) == [], "left behind in own dir")
        r = subprocess.run(user + [binary] + TINY + ["--path", roots],
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 3 and "no permission" in r.stderr, f"{r.returncode} {r.stderr!r}")
        check(tree_digest(roots) == before, "root's tree changed")
        print(r.stderr.strip())


class PassFS(FuseDaemon):
    """passfs (a FUSE pass-through with no attribute cache) mounted over a
    fresh backing directory; the mount point and backing paths."""

    def __init__(self, passfs):
        self.top = tempfile.mkdtemp(dir="/var/tmp")
        self.backing, mnt = os.path.join(self.top, "backing"), os.path.join(self.top, "mnt")
        os.mkdir(self.backing)
        os.mkdir(mnt)
        super().__init__([passfs, self.backing, mnt], mnt)

    def __enter__(self):
        try:
            return super().__enter__()
        except RuntimeError as e:
            shutil.rmtree(self.top, ignore_errors=True)
            raise Fail(str(e)) from None

    def __exit__(self, *exc):
        super().__exit__(*exc)
        shutil.rmtree(self.top, ignore_errors=True)
        return False


def fuse_skip(passfs):
    if os.geteuid() != 0:
        return "not root: mounting FUSE needs it here"
    if passfs == "none" or not os.path.exists(passfs):
        return "passfs not built (libfuse3-dev missing)"
    if not os.path.exists("/dev/fuse"):
        return "no /dev/fuse"
    return None


def t_fuse(binary, passfs="none"):
    """On a FUSE file system where every lookup is a round trip: the report,
    the safety rules, and a file system that dies in the middle of a run."""
    why = fuse_skip(passfs)
    if why:
        print(f"SKIP: {why}")
        return SKIP
    with PassFS(passfs) as fs:
        populate(fs.backing)
        before = tree_digest(fs.backing)
        r = run(binary, TINY + ["--json", "--path", fs.mnt])
        check(r.returncode == 0, f"exit {r.returncode}: {r.stderr}")
        doc = json.loads(r.stdout)
        check_structure(doc["benchmark"], fs.mnt)
        check(doc["home"]["fstype"] == "fuse.passfs", f"fstype {doc['home']['fstype']!r}")
        check(not leftovers(fs.backing), f"left behind: {leftovers(fs.backing)}")
        check(tree_digest(fs.backing) == before, "the populated tree changed")
        st = doc["benchmark"]["metadata"]["stat"]["latency_ns"]
        print(f"passfs: stat p50 {st['p50'] / 1000:.1f} µs over {st['samples']} samples")

    # The server goes away mid-run: a clear message, exit 3, no hang.
    with PassFS(passfs) as fs:
        p = subprocess.Popen([binary, "--bench", "--bench-time=4", "--bench-size=32M", "--json",
                              "--path", fs.mnt], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        wait_started(p, fs.backing)
        time.sleep(0.3)
        fs.proc.kill()
        fs.proc.wait()
        out, err = p.communicate(timeout=60)
        check(p.returncode == 3, f"dead FUSE server: exit {p.returncode}: {err!r}")
        check("remove it by hand" in err or "error" in err.lower(), f"stderr {err!r}")
        b = json.loads(out)["benchmark"]
        check(b["error"], f"no benchmark.error: {b.get('error')!r}")
        print(f"dead FUSE server: exit 3, {err.strip().splitlines()[-1]}")


TESTS = {"smoke": t_smoke, "usage": t_usage, "checksum": t_checksum, "signals": t_signals,
         "symlink": t_symlink, "readonly": t_readonly, "fullfs": t_fullfs,
         "unprivileged": t_unprivileged, "fuse": t_fuse}

if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in TESTS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(TESTS)}}} BINARY [PASSFS]")
    try:
        rc = TESTS[sys.argv[1]](*sys.argv[2:])
    except Fail as e:
        print(f"FAIL: {e}")
        sys.exit(1)
    sys.exit(rc or 0)
