#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests of studio-probe --bench: structure (never speed) and safety.

Usage: bench-tests.py TEST /path/to/studio-probe [PASSFS] | --list
Exit 0 pass, 1 fail, 77 skip (meson's convention), with the reason printed.
"""
import hashlib
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib import cases  # noqa: E402
from lib.fuse import FuseDaemon  # noqa: E402

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


# The samples a percentile needs before it differs from the maximum; with
# fewer it is null (not measured), whatever the run.
NEEDS = {"p90": 10, "p99": 100, "p999": 1000}


def check_latency(lat, what):
    """latency_ns: every key, the null rule of NEEDS, the rest ordered."""
    check(set(lat) == LAT_KEYS, f"{what} latency keys {sorted(lat)}")
    for k, n in NEEDS.items():
        check((lat[k] is None) == (lat["samples"] < n),
              f"{what}: {k} {lat[k]} with {lat['samples']} samples")
    order = [lat[k] for k in ("min", "p50", "p90", "p99", "p999", "max") if lat[k] is not None]
    check(order == sorted(order), f"{what} percentiles not ordered: {lat}")
    check(lat["min"] <= lat["mean"] <= lat["max"], f"{what} mean outside: {lat}")


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
        check_latency(lat, w)
        check(lat["samples"] == x["ops"], f"{w}: samples {lat['samples']} != ops {x['ops']}")
    for w in ("rand_read_4k", "sync_write_4k"):
        x = b[w]
        check(x["ops"] >= 1 and x["iops"] > 0, f"{w}: {x}")
        lat = x["latency_ns"]
        check_latency(lat, w)
        check(lat["samples"] == x["ops"], f"{w}: samples {lat['samples']} != ops {x['ops']}")
    check(b["sync_write_4k"]["o_dsync"] is True, "sync_write_4k.o_dsync")
    md = b["metadata"]
    check(md["files"] >= 1, f"metadata.files {md['files']}")
    for op in ("create", "stat", "unlink"):
        check(op in md and "per_second" in md[op], f"metadata.{op}: {md.get(op)}")
        lat = md[op]["latency_ns"]
        # a single file is only the warm-up: no sample, and null rather than zeros
        check(lat is None if md[op]["ops"] == 0 else lat["samples"] == md[op]["ops"],
              f"metadata.{op}: {lat}")
        if lat is not None:
            check_latency(lat, op)
    # the count is reported, with what was planned and why fewer
    check(isinstance(md["files_planned"], int) and 1 <= md["files"] <= md["files_planned"] and
          isinstance(md["stopped_by_time"], bool) and
          md["stopped_by_time"] == (md["files"] < md["files_planned"]),
          f"metadata count: {md['files']} of {md['files_planned']}, {md['stopped_by_time']}")
    check(md["create"]["ops"] + md["create"]["warmup_ops"] == md["files"], "create count")
    # every created file is unlinked: the unlink pass covers all of them
    check(md["unlink"]["ops"] + md["unlink"]["warmup_ops"] == md["files"], "unlink count")
    split = b["budget_split_ns"]
    for k in ("probe", "setup", "seq_write", "seq_read", "rand_read_4k", "sync_write_4k",
              "metadata", "cleanup", "setup_and_cleanup"):
        check(isinstance(split.get(k), int), f"budget_split_ns.{k}: {split.get(k)}")
    # the wall time by part: they add up to elapsed_ns, and each workload's
    # measured part fits in its own
    check_split(b)
    for w in ("seq_write", "seq_read", "rand_read_4k", "sync_write_4k"):
        check(b[w]["elapsed_ns"] <= split[w], f"{w}: measured {b[w]['elapsed_ns']} > {split}")
    check(sum(md[op]["elapsed_ns"] for op in ("create", "stat", "unlink")) <= split["metadata"],
          f"metadata: measured more than its part {split}")
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
        # every latency line gives its sample count; the small files are counted
        for w in ("rand_read_4k", "sync_write_4k"):
            check(re.search(rf"^  {w} .* \(\d+ samples?\)$", r.stdout, re.M),
                  f"{w}: no sample count in {r.stdout!r}")
        check(re.search(r"^  metadata +\d+ (of \d+ )?files of 4 KiB", r.stdout, re.M),
              f"no metadata file count in {r.stdout!r}")
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


def default_stop_signals():
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def t_nohup(binary):
    """Under nohup (SIGHUP ignored at start) a hangup does not stop the run:
    it completes, exit 0, and leaves nothing behind."""
    def ignore_hup():
        default_stop_signals()
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    with tempfile.TemporaryDirectory(dir="/var/tmp") as d:
        p = subprocess.Popen([binary, "--bench", "--bench-time=2", "--bench-size=8M", "--json",
                              "--path", d], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True, preexec_fn=ignore_hup)
        check(wait_started(p, d), "the benchmark never started")
        time.sleep(0.3)
        os.killpg(p.pid, signal.SIGHUP)
        out, err = p.communicate(timeout=60)
        check(p.returncode == 0, f"exit {p.returncode} after an ignored SIGHUP: {err}")
        b = json.loads(out)["benchmark"]
        check(not b["interrupted"], "the run says it was interrupted")
        check(not leftovers(d), f"left behind {leftovers(d)}")
    print("an ignored SIGHUP stays ignored; the run completed")


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
            # A test run in the background or under nohup inherits SIGINT or
            # SIGHUP ignored, which the benchmark keeps ignoring (t_nohup).
            p = subprocess.Popen([binary, "--bench", "--bench-time=4", "--bench-size=32M",
                                  "--json", "--path", d], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, start_new_session=True,
                                 preexec_fn=default_stop_signals)
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


class LoopExt4:
    """A fresh ext4 image of size bytes (no reserved blocks) loop-mounted on a
    private directory; mkfs_args are added to mkfs.ext4. Each instance has its
    own image file, so a loop device still detaching from an earlier one never
    writes into it."""

    def __init__(self, size, mkfs_args=()):
        self.base = tempfile.mkdtemp(dir="/var/tmp")
        self.img, self.mnt = os.path.join(self.base, "img"), os.path.join(self.base, "mnt")
        os.mkdir(self.mnt)
        with open(self.img, "wb") as f:
            f.truncate(size)
        subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", "-E",
                        "lazy_itable_init=0,lazy_journal_init=0", *mkfs_args, self.img],
                       check=True)

    def __enter__(self):
        r = subprocess.run(["mount", "-o", "loop", self.img, self.mnt], capture_output=True,
                           text=True)
        if r.returncode != 0:
            shutil.rmtree(self.base)
            raise Skip(f"cannot loop-mount: {r.stderr.strip()}")
        return self

    def __exit__(self, *exc):
        subprocess.run(["umount", self.mnt], check=True)
        shutil.rmtree(self.base)
        return False

    def avail(self):
        """Free blocks and inodes as an unprivileged user sees them, after a sync."""
        os.sync()
        st = os.statvfs(self.mnt)
        return st.f_bavail * st.f_frsize, st.f_favail


class Skip(Exception):
    pass


def need_tools(*tools):
    for tool in tools:
        if not shutil.which(tool):
            raise Skip(f"{tool} missing")


def fill(path, leave):
    """Fills the file system of path until about leave bytes are free."""
    st = os.statvfs(path)
    free = st.f_bavail * st.f_frsize
    with open(os.path.join(path, "filler"), "wb") as f:
        if free > leave:
            os.posix_fallocate(f.fileno(), 0, free - leave)


@mounted
def t_fullfs(binary):
    """A file system too full for the test file, and one with few inodes: a
    clear refusal, or a run whose metadata workload fits in what is left."""
    need_tools("mkfs.ext4", "losetup", "mount")
    # Full: few blocks and no reserve, filled to the last block.
    with LoopExt4(64 << 20, ["-N", "64"]) as fs:
        with open(os.path.join(fs.mnt, "keep"), "wb") as f:
            f.write(b"k" * 10000)
        with open(os.path.join(fs.mnt, "filler"), "wb") as f:
            for chunk in (1 << 20, 4096):
                try:
                    while True:
                        f.write(b"\xff" * chunk)
                        f.flush()
                except OSError:
                    pass
        before = tree_digest(fs.mnt)
        r = run(binary, TINY + ["--json", "--path", fs.mnt])
        check(r.returncode == 3, f"full: exit {r.returncode}: {r.stderr}")
        check("full" in r.stderr or "free" in r.stderr, f"full: {r.stderr!r}")
        check(tree_digest(fs.mnt) == before, "full: tree changed")
        left = [n for n in os.listdir(fs.mnt) if n not in ("keep", "filler", "lost+found")]
        check(not left, f"full: left behind {left}")
        print(f"full: {r.stderr.strip()}")
    # Few inodes (64, the least mkfs makes): the metadata workload takes at
    # most half of the free ones, and never runs out.
    with LoopExt4(64 << 20, ["-N", "16"]) as fs:
        with open(os.path.join(fs.mnt, "keep"), "wb") as f:
            f.write(b"k" * 10000)
        before, avail = tree_digest(fs.mnt), fs.avail()
        r = run(binary, TINY + ["--json", "--path", fs.mnt])
        check(r.returncode == 0, f"inodes: exit {r.returncode}: {r.stderr}")
        md = json.loads(r.stdout)["benchmark"]["metadata"]
        check(md and 1 <= md["files"] <= (avail[1] - 8) // 2,
              f"inodes: {md and md['files']} files with {avail[1]} inodes free")
        check(tree_digest(fs.mnt) == before and fs.avail() == avail, "inodes: tree changed")
        print(f"inodes: {md['files']} small files with {avail[1]} inodes free")


@mounted
def t_nearlyfull(binary):
    """A nearly full file system and --bench-size=1M: the metadata workload's
    small files are planned from the free space too (at most half of it for
    the whole run), so nothing reaches ENOSPC, and the space is all given back."""
    need_tools("mkfs.ext4", "losetup", "mount")
    for leave in (3 << 20, (2 << 20) + (600 << 10), 8 << 20):
        with LoopExt4(64 << 20) as fs:
            fill(fs.mnt, leave)
            before, avail = tree_digest(fs.mnt), fs.avail()
            r = run(binary, TINY + ["--json", "--path", fs.mnt])
            check(r.returncode == 0, f"{avail[0]} B free: exit {r.returncode}: {r.stderr}")
            check("No space" not in r.stdout + r.stderr, f"ENOSPC: {r.stderr}")
            b = json.loads(r.stdout)["benchmark"]
            check(b["error"] is None, f"error {b['error']}")
            md = b["metadata"]
            files = md["files"] if md else 0
            # the rule: the test file and the small files (8 KiB each) in half the free space
            check((1 << 20) + files * 8192 <= avail[0] // 2, f"{files} files in {avail[0]} B")
            check(tree_digest(fs.mnt) == before, "tree changed")
            check(fs.avail() == avail, f"free space {avail} before, {fs.avail()} after")
            print(f"{avail[0] >> 10} KiB free: {files} small files, free space as it was")


def t_nofile(binary):
    """RLIMIT_NOFILE 8 (the least it needs): the benchmark works and reports no
    leftover; one fewer: a clear EMFILE message, still nothing left behind and
    no false leftover."""
    if not shutil.which("prlimit"):
        print("SKIP: prlimit missing")
        return SKIP
    with tempfile.TemporaryDirectory(dir="/var/tmp") as d:
        r = run("prlimit", ["--nofile=8", binary] + TINY + ["--json", "--path", d])
        check("could not remove" not in r.stderr, f"8: false leftover: {r.stderr}")
        check(r.returncode == 0, f"8: exit {r.returncode}: {r.stderr}")
        check(json.loads(r.stdout)["benchmark"]["leftover"] is None, "8: leftover in JSON")
        check(os.listdir(d) == [], f"8: left behind {os.listdir(d)}")
        for n in (7, 6):
            r = run("prlimit", [f"--nofile={n}", binary] + TINY + ["--json", "--path", d])
            check(r.returncode == 3, f"{n}: exit {r.returncode}: {r.stderr}")
            check("could not remove" not in r.stderr, f"{n}: false leftover: {r.stderr}")
            check("open files" in r.stderr and f"ulimit -n {n}" in r.stderr,
                  f"{n}: unclear message {r.stderr!r}")
            check(os.listdir(d) == [], f"{n}: left behind {os.listdir(d)}")
        print(f"8: works; 6: {r.stderr.strip()}")


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


def proc_start(pid):
    """Field 22 of /proc/PID/stat: when it started, in clock ticks after boot."""
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    return int(data[data.rindex(")") + 2:].split()[19])


def dead_process():
    """The PID and start time of a process that has exited and been reaped."""
    p = subprocess.Popen(["sleep", "60"])
    start = proc_start(p.pid)
    p.kill()
    p.wait()
    return p.pid, start


def marker(pids, boot_id=None):
    """A marker as studio-probe writes it, naming pids [(pid, start)]."""
    with open("/proc/sys/kernel/random/boot_id") as f:
        boot = boot_id or f.read().strip()
    lines = ["studio-probe-bench 1", f"boot_id {boot}", f"pidns {os.readlink('/proc/self/ns/pid')}"]
    return "\n".join(lines + [f"pid {p} {s}" for p, s in pids]) + "\n"


def plant(d, name, owner=None, uid=None):
    """A private directory as a killed run leaves it: a data file, the
    metadata directory, and the marker text owner (None: no marker)."""
    path = os.path.join(d, PREFIX + name)
    os.mkdir(path, 0o700)
    with open(os.path.join(path, "seq.dat"), "wb") as f:
        f.write(os.urandom(1 << 20))
    os.mkdir(os.path.join(path, "md"))
    open(os.path.join(path, "md", "f.0"), "w").close()
    if owner is not None:
        with open(os.path.join(path, "owner"), "w") as f:
            f.write(owner)
        os.chmod(os.path.join(path, "owner"), 0o600)
    if uid is not None:
        for dirpath, dirnames, filenames in os.walk(path):
            for n in [dirpath] + [os.path.join(dirpath, x) for x in dirnames + filenames]:
                os.chown(n, uid, uid)
    return path


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def bench_child(pid, d, limit=30.0):
    """The benchmark process of the run pid: its child that holds a private
    directory under d open."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        for kid in children(pid):
            try:
                fds = os.listdir(f"/proc/{kid}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    target = os.readlink(f"/proc/{kid}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith(os.path.join(d, PREFIX)):
                    return kid
        time.sleep(0.005)
    raise Fail("no benchmark process found")


def wait_marker(d, limit=30.0):
    """Waits until a running benchmark's marker names both its processes."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        for n in leftovers(d):
            try:
                with open(os.path.join(d, n, "owner")) as f:
                    if f.read().count("\npid ") == 2:
                        return os.path.join(d, n)
            except OSError:
                pass
        time.sleep(0.005)
    raise Fail("the benchmark never wrote its marker")


def t_stale(binary):
    """SIGKILL of the whole process group leaves the private directory; the
    next run in the same directory removes it, and only what it can prove is
    a dead run's own: never a live run's, another user's, one without a
    marker, one whose lock is held, or anything through a symlink."""
    import fcntl
    with tempfile.TemporaryDirectory(dir="/var/tmp") as d, \
            tempfile.TemporaryDirectory(dir="/var/tmp") as victim:
        # 1. A live run (it sweeps when it starts, before anything is planted).
        live = subprocess.Popen([binary, "--bench", "--bench-time=60", "--bench-size=16M",
                                 "--json", "--path", d], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        lock = None
        try:
            live_dir = wait_marker(d)

            # 2. A run killed outright: its directory and test file stay.
            p = subprocess.Popen([binary, "--bench", "--bench-time=20", "--bench-size=64M",
                                  "--json", "--path", d], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
            end = time.monotonic() + 30
            killed = None
            while time.monotonic() < end and not killed:
                for n in set(leftovers(d)) - {os.path.basename(live_dir)}:
                    try:
                        if os.stat(os.path.join(d, n, "seq.dat")).st_size >= 4 << 20:
                            killed = os.path.join(d, n)
                    except FileNotFoundError:
                        pass
                time.sleep(0.005)
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            time.sleep(0.1)  # the child, reparented, is reaped by init
            check(killed and os.path.isdir(killed), "SIGKILL: nothing was left behind to test")

            # 3. What must never be removed, and one hand-made dead run's that must.
            dead = dead_process()
            fake_dead = plant(d, "deadAAAAAAAA", marker([dead]))
            keep = {
                "no marker": plant(d, "nomarkerAAAA"),
                "lock held": plant(d, "lockedAAAAAA", marker([dead])),
                "alive": plant(d, "liveAAAAAAAA",
                               marker([(os.getpid(), proc_start(os.getpid()))])),
                "one alive": plant(d, "reusedAAAAAA", marker([dead, (1, proc_start(1))])),
                "other boot": plant(d, "otherbootAAA",
                                    marker([dead], "00000000-0000-4000-8000-000000000000")),
                "garbage marker": plant(d, "garbageAAAAA", "studio-probe-bench 1\nboot_id x\n"),
                "name pattern": plant(d, "short", marker([dead])),
            }
            if os.geteuid() == 0:
                keep["other user"] = plant(d, "otheruserAAA", marker([dead]), uid=1000)
            fifo = plant(d, "fifoAAAAAAAA")
            os.mkfifo(os.path.join(fifo, "owner"), 0o600)
            keep["FIFO marker"] = fifo
            plant(victim, "victimAAAAAA", marker([dead]))
            os.symlink(os.path.join(victim, PREFIX + "victimAAAAAA"),
                       os.path.join(d, PREFIX + "linkAAAAAAAA"))
            with open(os.path.join(d, PREFIX + "fileAAAAAAAA"), "w") as f:
                f.write("not a directory")
            lock = os.open(os.path.join(keep["lock held"], "owner"), os.O_RDWR)
            fcntl.flock(lock, fcntl.LOCK_EX)
            digests = {k: tree_digest(v) for k, v in keep.items()}
            victim_digest = tree_digest(victim)

            # 4. A second run beside the live one.
            r = run(binary, TINY + ["--json", "--path", d])
            check(r.returncode == 0, f"second run: exit {r.returncode}: {r.stderr}")
            lines = r.stderr.splitlines()
            check(len(lines) == 1 and "removed 2 stale benchmark directories" in lines[0],
                  f"second run's stderr: {r.stderr!r}")
            check(not os.path.exists(killed), f"the killed run's {killed} is still there")
            check(not os.path.exists(fake_dead), "the dead run's directory is still there")
            check(os.path.isdir(live_dir) and live.poll() is None,
                  "the live run's directory was removed")
            for k, v in keep.items():
                check(os.path.exists(v) and tree_digest(v) == digests[k], f"{k}: touched")
            check(os.path.islink(os.path.join(d, PREFIX + "linkAAAAAAAA")), "symlink removed")
            check(tree_digest(victim) == victim_digest, "the symlink's target changed")
            check(os.path.isfile(os.path.join(d, PREFIX + "fileAAAAAAAA")), "file removed")
            print(lines[0])
            # Nothing more to sweep: a third run says nothing.
            r = run(binary, TINY + ["--path", d])
            check(r.returncode == 0 and r.stderr == "", f"third run: {r.returncode} {r.stderr!r}")
            check(os.path.isdir(live_dir), "the live run's directory was removed (third run)")
        finally:
            live.send_signal(signal.SIGINT)
            out, err = live.communicate(timeout=60)
            if lock is not None:
                os.close(lock)
        check(live.returncode == 130, f"the live run: exit {live.returncode}: {err}")
        check(not os.path.exists(live_dir), "the live run did not clean up")

    # 4. In another PID namespace the marker's PIDs name other processes: a run
    # there (with or without its own /proc) judges nothing.
    if os.geteuid() == 0 and shutil.which("unshare"):
        with tempfile.TemporaryDirectory(dir="/var/tmp") as d:
            planted = plant(d, "deadAAAAAAAA", marker([dead_process()]))
            for extra in ([], ["--mount-proc"]):
                r = run("unshare", ["--pid", "--fork", *extra, binary] + TINY + ["--path", d])
                check(r.returncode == 0 and "stale" not in r.stderr,
                      f"unshare {extra}: {r.returncode} {r.stderr!r}")
                check(os.path.isdir(planted), f"unshare {extra}: a host run's marker was judged")
                check(leftovers(d) == [os.path.basename(planted)], f"left {leftovers(d)}")
            print("in a PID namespace: the host's markers are not judged")

    # 5. Another user's run killed outright: root does not sweep it (not its
    # own), the user does.
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return 0
    user = ["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--"]
    if subprocess.run(user + [binary, "--version"], capture_output=True).returncode != 0:
        print("uid 1000 cannot run the binary: the other-user half skipped")
        return 0
    with tempfile.TemporaryDirectory(dir="/var/tmp") as top:
        os.chmod(top, 0o755)
        d = os.path.join(top, "home")
        os.mkdir(d)
        os.chown(d, 1000, 1000)
        p = subprocess.Popen(user + [binary, "--bench", "--bench-time=20", "--bench-size=16M",
                                     "--path", d], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        killed = wait_marker(d)
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        time.sleep(0.1)
        os.chmod(d, 0o777)  # root's run could write there anyway; it must not sweep
        r = run(binary, TINY + ["--path", d])
        check(r.returncode == 0 and "stale" not in r.stderr, f"root: {r.returncode} {r.stderr!r}")
        check(os.path.isdir(killed), "root removed uid 1000's directory")
        r = subprocess.run(user + [binary] + TINY + ["--path", d], capture_output=True, text=True,
                           timeout=120)
        check(r.returncode == 0 and "removed 1 stale benchmark directory" in r.stderr,
              f"uid 1000: {r.returncode} {r.stderr!r}")
        check(not os.path.exists(killed), "uid 1000 did not remove its own")
        check(not leftovers(d), f"left behind {leftovers(d)}")
        print("uid 1000's: kept by root's run, removed by its own")


def t_killed(binary):
    """The benchmark process dies of a file size limit or a SIGKILL on a
    healthy disk: the real cause, the results so far, exit 3, nothing left."""
    with tempfile.TemporaryDirectory(dir="/var/tmp") as d:
        # ulimit -f 1024: 1 MiB, under the 8 MiB test file.
        r = subprocess.run(["bash", "-c", 'ulimit -f 1024; exec "$0" "$@"', binary, "--bench",
                            "--bench-time=2", "--bench-size=8M", "--json", "--path", d],
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 3, f"ulimit -f: exit {r.returncode}: {r.stderr}")
        check("stopped answering" not in r.stderr, f"ulimit -f: {r.stderr!r}")
        check("ulimit -f" in r.stderr and "seq.dat" in r.stderr, f"ulimit -f: {r.stderr!r}")
        b = json.loads(r.stdout)["benchmark"]
        sw = b["seq_write"]
        check(sw and sw["complete"] is False and 0 < sw["bytes"] <= 1 << 20,
              f"ulimit -f: seq_write {sw}")
        check(b["error"] and not b["timed_out"], f"ulimit -f: error {b['error']!r}")
        check(os.listdir(d) == [], f"ulimit -f: left behind {os.listdir(d)}")
        print(f"ulimit -f: {r.stderr.strip()}")

        # SIGKILL of the benchmark process alone.
        p = subprocess.Popen([binary, "--bench", "--bench-time=8", "--bench-size=64M", "--json",
                              "--path", d], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        t0 = time.monotonic()
        check(wait_started(p, d), "the benchmark never started")
        child = bench_child(p.pid, d)
        time.sleep(0.3)
        os.kill(child, signal.SIGKILL)
        out, err = p.communicate(timeout=60)
        took = time.monotonic() - t0
        check(p.returncode == 3, f"SIGKILL: exit {p.returncode}: {err}")
        check("killed by SIGKILL" in err and "stopped answering" not in err, f"SIGKILL: {err!r}")
        b = json.loads(out)["benchmark"]
        check(b["error"] and b["error"].startswith("killed by SIGKILL in "), f"{b['error']!r}")
        check(not b["timed_out"] and not b["interrupted"], "SIGKILL: flags")
        check(any(b[w] for w in ("seq_write", "seq_read")), "SIGKILL: no partial results")
        # reported when it happened, not when the deadline passed
        check(took < 8, f"SIGKILL: reported after {took:.1f} s")
        check(os.listdir(d) == [], f"SIGKILL: left behind {os.listdir(d)}")
        print(f"SIGKILL: {err.strip()}")


def t_sigstop(binary):
    """The parent stopped (SIGSTOP, or Ctrl-Z of the whole job) for longer than
    the budget and the grace period together: the time it did not run is not
    the child's silence."""
    with tempfile.TemporaryDirectory(dir="/var/tmp") as d:
        for group in (False, True):
            what = "process group" if group else "parent"
            p = subprocess.Popen([binary, "--bench", "--bench-time=1", "--timeout=1",
                                  "--bench-size=4M", "--json", "--path", d],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 start_new_session=True)
            check(wait_started(p, d), "the benchmark never started")
            stop = (lambda s: os.killpg(p.pid, s)) if group else p.send_signal
            stop(signal.SIGSTOP)
            time.sleep(3.5)
            stop(signal.SIGCONT)
            out, err = p.communicate(timeout=60)
            check(p.returncode == 0, f"{what}: exit {p.returncode}: {err}")
            check("stopped answering" not in err, f"{what}: {err!r}")
            b = json.loads(out)["benchmark"]
            check(not b["timed_out"] and b["error"] is None, f"{what}: {b['error']!r}")
            check(os.listdir(d) == [], f"{what}: left behind {os.listdir(d)}")
            print(f"{what} stopped 3.5 s: exit 0, {b['elapsed_ns'] / 1e9:.1f} s")


def t_ulimitv(binary):
    """A memory limit (ulimit -v) the probe fits in but the benchmark process
    does not: a clear message, never "stopped answering". The limits tried
    start where the probe alone first fits, found by bisection."""
    with tempfile.TemporaryDirectory(dir="/var/tmp") as d:
        def under(kib, args):
            return subprocess.run(["bash", "-c", f'ulimit -v {kib}; exec "$0" "$@"', binary]
                                  + args, capture_output=True, text=True, timeout=120)
        lo, hi = 1024, 1 << 20
        if under(hi, ["--json", "--path", d]).returncode != 0:
            print("SKIP: does not run in 1 GiB of address space (a sanitizer build)")
            return SKIP
        while hi - lo > 32:
            mid = (lo + hi) // 2
            if under(mid, ["--json", "--path", d]).returncode == 0:
                hi = mid
            else:
                lo = mid
        hits = 0
        for kib in range(hi, hi + 4096, 128):
            r = under(kib, ["--bench", "--bench-time=0.3", "--bench-size=1M", "--json",
                            "--path", d])
            what = f"ulimit -v {kib}"
            check(r.returncode in (0, 3), f"{what}: exit {r.returncode}: {r.stderr}")
            check("stopped answering" not in r.stderr, f"{what}: {r.stderr!r}")
            check("could not remove" not in r.stderr, f"{what}: {r.stderr!r}")
            if r.returncode == 3:
                check("memory" in r.stderr, f"{what}: {r.stderr!r}")
            if "could not allocate memory" in r.stderr or "ulimit -v" in r.stderr:
                hits += 1
            check(os.listdir(d) == [], f"{what}: left behind {os.listdir(d)}")
        check(hits, f"no limit from {hi} KiB on failed the benchmark process's allocation")
        print(f"the probe fits in {hi} KiB; {hits} limits above it failed the benchmark "
              "process, each with a clear message")


@mounted
def t_swap(binary):
    """The benchmarked directory swapped for a symlink to another file system
    between the probe and the benchmark (strace holds the benchmark back at
    its first system call for 2 s): it refuses, and nothing lands on the
    other file system. The directory belongs to uid 1000, as a user's home
    would; the swap is what that user could do."""
    need_tools("strace", "mount")
    # LeakSanitizer cannot run under ptrace; the same paths run without strace
    # in the other tests.
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
    top = tempfile.mkdtemp(dir="/var/tmp")
    try:
        os.chmod(top, 0o755)
        decoy = os.path.join(top, "decoy")
        os.mkdir(decoy)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", decoy],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise Skip(f"cannot mount tmpfs: {r.stderr.strip()}")
        try:
            for variant in ("last", "middle"):
                home = os.path.join(top, f"home-{variant}")
                work = os.path.join(home, "work")
                os.mkdir(home)
                os.mkdir(work)
                target = os.path.join(decoy, variant)  # on the tmpfs
                os.mkdir(target)
                os.mkdir(os.path.join(target, "work"))
                for x in (home, work, target, os.path.join(target, "work")):
                    os.chown(x, 1000, 1000)
                watched = os.path.join(target, "work") if variant == "middle" else target
                stamp = os.stat(watched).st_mtime_ns
                log = os.path.join(top, f"strace-{variant}.log")
                p = subprocess.Popen(["strace", "-f", "-qq", "-o", log, "-e",
                                      "trace=openat,socketpair", "-e",
                                      "inject=socketpair:delay_exit=2000000", binary] + TINY +
                                     ["--json", "--path", work], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env)
                end = time.monotonic() + 60
                while time.monotonic() < end and p.poll() is None:
                    with open(log) if os.path.exists(log) else open(os.devnull) as f:
                        if "current_clocksource" in f.read():
                            break
                    time.sleep(0.01)
                check(p.poll() is None, f"{variant}: ended before the swap")
                if variant == "last":
                    os.rename(work, work + ".old")
                    os.symlink(target, work)
                else:
                    os.rename(home, home + ".old")
                    os.symlink(target, home)
                out, err = p.communicate(timeout=120)
                check(os.stat(watched).st_mtime_ns == stamp and not leftovers(watched),
                      f"{variant}: the benchmark wrote on the other file system (exit "
                      f"{p.returncode}: {err.strip()})")
                check(p.returncode == 3 and "changed after it was inspected" in err,
                      f"{variant}: exit {p.returncode}: {err!r}")
                b = json.loads(out)["benchmark"]
                check(b["seq_write"] is None and b["error"], f"{variant}: {b['error']!r}")
                real = work + ".old" if variant == "last" else os.path.join(home + ".old", "work")
                check(os.listdir(real) == [], f"{variant}: left behind {os.listdir(real)}")
                print(f"{variant} component swapped: {err.strip()}")

            # Unswapped, every call that names a path: once the benchmark opened
            # the directory, the only ones naming it are the stat pass's lstat
            # (by absolute path, as fio's filestat; it checks that each reaches
            # the file the create made).
            work = os.path.join(top, "plain")
            os.mkdir(work)
            log = os.path.join(top, "strace-plain.log")
            r = subprocess.run(["strace", "-f", "-qq", "-s", "4096", "-o", log, "-e",
                                "trace=%file,socketpair", binary] + TINY +
                               ["--json", "--path", work], capture_output=True, text=True,
                               env=env, timeout=120)
            check(r.returncode == 0, f"plain: exit {r.returncode}: {r.stderr}")
            with open(log) as f:
                calls = [re.sub(r"^[0-9]+ +", "", line) for line in f]
            pair = next(i for i, c in enumerate(calls) if c.startswith("socketpair("))
            opened = next((i for i, c in enumerate(calls) if i > pair and
                           re.match(r'open(at2?)?\((AT_FDCWD, )?"' + re.escape(work) + '"', c)),
                          None)
            check(opened is not None, "plain: the benchmark never opened the directory")
            stat_pass = re.compile(r'(newfstatat|lstat|statx)\((AT_FDCWD, )?"' + re.escape(work) +
                                   r'/studio-probe-bench\.[A-Za-z0-9]{12}/md/f\.[0-9]+"')
            named = [c for c in calls[opened + 1:] if f'"{work}' in c]
            stray = [c.strip() for c in named if not stat_pass.match(c)]
            check(not stray, f"plain: by path after the open: {stray[:3]}")
            print(f"after the open: {len(named)} calls name the path, all the stat pass's lstat")
        finally:
            subprocess.run(["umount", decoy], check=True)
    finally:
        shutil.rmtree(top)


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


def budget_tolerance(seconds):
    """The contract of --bench-time=S for S >= 1 (issue 11): within max(10%, 0.3 s)."""
    return max(0.1 * seconds, 0.3)


def check_split(b):
    """budget_split_ns: the parts add up to elapsed_ns, to the nanosecond."""
    split = b["budget_split_ns"]
    parts = sum(v for k, v in split.items() if k != "setup_and_cleanup" and v is not None)
    check(parts == b["elapsed_ns"], f"parts {parts} != elapsed {b['elapsed_ns']}: {split}")
    check(split["setup_and_cleanup"] == split["probe"] + split["setup"] + split["cleanup"],
          f"setup_and_cleanup: {split}")


@mounted
def t_budget(binary):
    """--bench-time=1 and =3 hold: what the report says it took, and the wall
    clock of the whole command, on an ext4 mounted sync,dirsync (every create
    and unlink waits for the journal, as on network storage, where the unlink
    pass and the flushes used to run past the budget).

    This is a correctness contract, not a speed target: the reported figure is
    checked against the contract's own tolerance, max(10%, 0.3 s), and a run
    that slips on a loaded machine (two cores shared with builds) is given one
    more try; the wall clock, which also counts Python starting the process,
    gets 1.5 s more."""
    need_tools("mkfs.ext4", "mount")
    with LoopExt4(512 << 20) as fs:
        subprocess.run(["mount", "-o", "remount,sync,dirsync", fs.mnt], check=True)
        for seconds in (1, 3):
            tol = budget_tolerance(seconds)
            for attempt in (1, 2):
                t = time.monotonic()
                r = run(binary, ["--bench", f"--bench-time={seconds}", "--json", "--path",
                                 fs.mnt])
                wall = time.monotonic() - t
                check(r.returncode == 0, f"exit {r.returncode}: {r.stderr}")
                # stderr is no terminal here: no progress line
                check(r.stderr == "", f"stderr {r.stderr!r}")
                b = json.loads(r.stdout)["benchmark"]
                check(b["budget_ns"] == seconds * 10**9, f"budget_ns {b['budget_ns']}")
                check_split(b)
                elapsed = b["elapsed_ns"] / 1e9
                print(f"--bench-time={seconds} (try {attempt}): reported {elapsed:.3f} s, "
                      f"wall {wall:.3f} s, split {b['budget_split_ns']}")
                if elapsed <= seconds + tol or attempt == 2:
                    break
            check(elapsed <= seconds + tol,
                  f"--bench-time={seconds}: reported {elapsed:.3f} s, over {seconds + tol} s")
            check(wall <= seconds + tol + 1.5,
                  f"--bench-time={seconds}: the command took {wall:.3f} s")
        check(not leftovers(fs.mnt), f"left behind: {leftovers(fs.mnt)}")


CSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def run_on_pty(binary, args, columns):
    """Runs binary with stderr on a pseudo terminal columns wide (stdout a
    pipe); returns (exit status, stdout, what the terminal received)."""
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    p = subprocess.Popen([binary] + args, stdout=subprocess.PIPE, stderr=slave,
                         stdin=subprocess.DEVNULL)
    os.close(slave)
    got = b""
    out = []
    reader = threading.Thread(target=lambda: out.append(p.stdout.read()))
    reader.start()
    end = time.monotonic() + 120
    while time.monotonic() < end:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the last holder of the terminal is gone
            break
        if not chunk:
            break
        got += chunk
    os.close(master)
    p.wait(timeout=60)
    reader.join()
    return p.returncode, out[0], got


def t_progress(binary):
    """The progress line on a terminal (stderr a pty) 20, 40 and 80 columns
    wide: the workload, its live rate and the time left, a few times a second;
    no line ever reaches the last column (no wrap), and the line is cleared at
    the end."""
    with tempfile.TemporaryDirectory(dir="/var/tmp") as d:
        for columns in (20, 40, 80):
            rc, out, got = run_on_pty(binary, ["--bench", "--bench-time=2", "--bench-size=8M",
                                               "--json", "--path", d], columns)
            check(rc == 0, f"{columns} columns: exit {rc}: {got!r}")
            json.loads(out)
            check(got.endswith(b"\r\x1b[K"), f"{columns} columns: not cleared: {got[-80:]!r}")
            lines = [CSI.sub(b"", x).decode() for x in re.split(rb"[\r\n]", got)]
            lines = [x for x in lines if x]
            check(lines, f"{columns} columns: no progress at all")
            long = [x for x in lines if len(x) >= columns]
            check(not long, f"{columns} columns: lines reach the edge: {long}")
            check(all(ord(ch) >= 0x20 for x in lines for ch in x),
                  f"{columns} columns: control characters: {lines}")
            check(len(lines) >= 4, f"{columns} columns: only {len(lines)} updates")
            if columns == 80:
                rated = [x for x in lines if re.search(r" (IOPS|/s|files/s)", x) and "left" in x]
                check(rated, f"no live rate: {lines}")
                check(any("rand_read_4k" in x for x in lines), f"no workload name: {lines}")
                print(f"80 columns: {len(lines)} updates, e.g. {rated[-1]!r}")
            else:
                print(f"{columns} columns: {len(lines)} updates, e.g. {lines[len(lines) // 2]!r}")
        check(not leftovers(d), f"left behind: {leftovers(d)}")


TESTS = {"smoke": t_smoke, "usage": t_usage, "checksum": t_checksum, "signals": t_signals,
         "nohup": t_nohup,
         "symlink": t_symlink, "readonly": t_readonly, "fullfs": t_fullfs,
         "unprivileged": t_unprivileged, "fuse": t_fuse, "stale": t_stale, "killed": t_killed,
         "sigstop": t_sigstop, "ulimitv": t_ulimitv, "nearlyfull": t_nearlyfull,
         "nofile": t_nofile, "swap": t_swap, "budget": t_budget, "progress": t_progress}

if __name__ == "__main__":
    cases.list_if_asked(TESTS)
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in TESTS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(TESTS)}}} BINARY [PASSFS]")
    try:
        rc = TESTS[sys.argv[1]](*sys.argv[2:])
    except Fail as e:
        print(f"FAIL: {e}")
        sys.exit(1)
    except Skip as e:
        print(f"SKIP: {e}")
        sys.exit(SKIP)
    sys.exit(rc or 0)
