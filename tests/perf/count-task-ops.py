#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Count the file-system operations of everyday tasks, for the task estimates
of --bench (src/classify/estimates.c mirrors the figures this prints).

Each task runs under strace in a fresh working directory WORK (on any local
file system: the counts do not depend on where it runs); the calls on paths
under WORK are sorted into the benchmark's cost classes:

  create  open/openat with O_CREAT, creat, mkdir, mknod, rename, link, symlink,
          and the metadata writes that cost a server round trip the same way
          (chmod, chown, utimensat, truncate, setxattr and their f/at forms)
  stat    stat, lstat, newfstatat, statx, access, readlink, getdents, statfs,
          getxattr, execve, and open/openat of an existing file (no O_CREAT);
          failed look-ups (ENOENT) count: each is a round trip on NFS too
  unlink  unlink, unlinkat, rmdir
  sync    fsync, fdatasync, sync_file_range, syncfs
  bytes   read/pread/readv and write/pwrite/writev (and copy_file_range,
          sendfile) on file descriptors of regular files under WORK

Calls on a file descriptor alone (fstat, lseek, close, and newfstatat/statx
with AT_EMPTY_PATH) are not counted: they need no look-up. Pages read through
mmap (shared libraries) are not counted either. A relative path is resolved
against the directory strace shows for AT_FDCWD, or the process's current
directory followed through clone and chdir.

Tasks (each can be chosen with --task):
  pip-install  pip install numpy pandas scikit-learn matplotlib into a fresh
               venv (the venv's creation is not counted). From the index, or
               with --wheelhouse DIR from local wheels (--no-index); with
               --debian-wheelhouse DIR the script first builds those wheels from
               the Debian packages python3-numpy python3-pandas python3-sklearn
               python3-matplotlib and their dependencies, for machines that
               reach Debian's archive but not the Python package index.
  import       python -c "import pandas" in that venv (after one warm-up run)
  git-clone    git clone file://REPO (the pack protocol, as from a server)
  conda-create derived from pip-install (conda is seldom installable where
               this runs): see conda_derived()
  git-status   git status in the clone (after one warm-up run, which refreshes
               the index as the first status after a clone does)

Needs: strace, python3 (with venv and pip), git. Run as any user; about 3-5
minutes on 2 cores, mostly pip. Prints a table and, with --c-table, the C
initialisers of src/classify/estimates.c.

  python3 tests/perf/count-task-ops.py --repo /path/to/a/git/repo \\
      [--wheelhouse DIR | --debian-wheelhouse DIR] [--python /usr/bin/python3]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

CREATE = {
    "creat", "mkdir", "mkdirat", "mknod", "mknodat", "rename", "renameat", "renameat2",
    "link", "linkat", "symlink", "symlinkat", "chmod", "fchmod", "fchmodat",
    "chown", "fchown", "fchownat", "lchown", "utime", "utimes", "utimensat", "futimesat",
    "truncate", "ftruncate", "setxattr", "lsetxattr", "fsetxattr", "removexattr",
    "lremovexattr", "fremovexattr",
}
STAT = {
    "stat", "lstat", "newfstatat", "statx", "access", "faccessat", "faccessat2",
    "readlink", "readlinkat", "getdents", "getdents64", "statfs", "getxattr", "lgetxattr",
    "listxattr", "llistxattr", "execve", "chdir",
}
OPEN = {"open", "openat", "openat2"}
UNLINK = {"unlink", "unlinkat", "rmdir"}
SYNC = {"fsync", "fdatasync", "sync_file_range", "syncfs"}
READ = {"read", "pread64", "readv", "preadv", "preadv2"}
WRITE = {"write", "pwrite64", "writev", "pwritev", "pwritev2"}
COPY = {"copy_file_range", "sendfile", "sendfile64"}
# Followed only to know each process's current directory.
FORK = {"clone", "clone3", "fork", "vfork", "fchdir"}
TRACED = sorted(CREATE | STAT | OPEN | UNLINK | SYNC | READ | WRITE | COPY | FORK)
CLASSES = ("create", "stat", "unlink", "sync", "bytes_read", "bytes_written")

LINE = re.compile(r"^(?P<pid>\d+)\s+(?P<rest>.*)$")
CALL = re.compile(r"^(?P<name>\w+)\((?P<args>.*)\)\s+=\s+(?P<ret>-?\d+|\?)(?P<tail>.*)$")
FD = re.compile(r"^(-?\d+|AT_FDCWD)(?:<(?P<path>[^>]*)>)?")
STR = re.compile(r'"((?:[^"\\]|\\.)*)"')

# The PyPI names of what `pip install numpy pandas scikit-learn matplotlib`
# brings, and the Debian package holding each (--debian-wheelhouse).
STACK = [
    ("numpy", "python3-numpy"), ("pandas", "python3-pandas"),
    ("python-dateutil", "python3-dateutil"), ("pytz", "python3-tz"), ("six", "python3-six"),
    ("scikit-learn", "python3-sklearn"), ("scipy", "python3-scipy"),
    ("joblib", "python3-joblib"), ("threadpoolctl", "python3-threadpoolctl"),
    ("matplotlib", "python3-matplotlib"), ("contourpy", "python3-contourpy"),
    ("cycler", "python3-cycler"), ("fonttools", "python3-fonttools"),
    ("kiwisolver", "python3-kiwisolver"), ("packaging", "python3-packaging"),
    ("pillow", "python3-pil"), ("pyparsing", "python3-pyparsing"),
]
# Debian keeps matplotlib's data out of dist-packages; PyPI's wheel has it inside.
EXTRA = {"python3-matplotlib": [("/usr/share/matplotlib/mpl-data", "matplotlib/mpl-data")]}
TOP = ["numpy", "pandas", "scikit-learn", "matplotlib"]
DIST = "/usr/lib/python3/dist-packages/"


def add_tree(z, path, arc):
    names = []
    for root, dirs, fs in os.walk(path, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for f in sorted(fs):
            a = os.path.join(arc, os.path.relpath(os.path.join(root, f), path))
            z.write(os.path.join(root, f), a)
            names.append(a)
    return names


def debian_wheels(out):
    """One wheel per Debian package: its top-level entries of dist-packages
    (links followed, no __pycache__, no egg-info), without dependencies:
    the stack is installed by naming every wheel."""
    os.makedirs(out, exist_ok=True)
    for name, deb in STACK:
        files = subprocess.run(["dpkg", "-L", deb], check=True, capture_output=True,
                               text=True).stdout.split("\n")
        version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", deb], check=True,
                                 capture_output=True, text=True).stdout
        version = re.match(r"(?:\d+:)?([0-9.]+)", version).group(1).strip(".")
        tops = sorted({f[len(DIST):].split("/")[0] for f in files if f.startswith(DIST)
                       and len(f) > len(DIST)})
        tops = [t for t in tops if not t.endswith((".egg-info", ".dist-info", ".pth"))]
        norm = re.sub(r"[-_.]+", "_", name)
        di = f"{norm}-{version}.dist-info"
        whl = os.path.join(out, f"{norm}-{version}-py3-none-any.whl")
        with zipfile.ZipFile(whl, "w", zipfile.ZIP_DEFLATED) as z:
            names = []
            for t in tops:
                p = DIST + t
                if os.path.isfile(p):
                    z.write(p, t)
                    names.append(t)
                    continue
                names += add_tree(z, p, t)
            for p, arc in EXTRA.get(deb, []):
                names += add_tree(z, p, arc)
            z.writestr(f"{di}/METADATA", f"Metadata-Version: 2.1\nName: {name}\n"
                       f"Version: {version}\n")
            z.writestr(f"{di}/WHEEL", "Wheel-Version: 1.0\nGenerator: count-task-ops\n"
                       "Root-Is-Purelib: true\nTag: py3-none-any\n")
            z.writestr(f"{di}/RECORD", "".join(f"{n},,\n" for n in names +
                                               [f"{di}/METADATA", f"{di}/WHEEL",
                                                f"{di}/RECORD"]))
        print(f"wheel {os.path.basename(whl)}: {len(names)} files", file=sys.stderr)
    return [n for n, _ in STACK]


def first_path(args, name, cwd):
    """The path an *at or path call names, and whether it is fd-only."""
    fd = cwd
    rest = args
    if name.endswith("at") or name in ("openat2", "renameat2", "faccessat2",
                                       "statx", "execveat"):
        m = FD.match(args)
        if m:
            fd = m.group("path") or cwd
            rest = args[m.end():]
    s = STR.search(rest)
    if not s:
        return None, False
    p = s.group(1)
    if p == "" and "AT_EMPTY_PATH" in args:
        return None, True
    if p.startswith("/"):
        return p, False
    return os.path.normpath(os.path.join(fd, p)), False


def fd_path(args):
    m = FD.match(args)
    return m.group("path") if m else None


def parse(trace, work, start):
    counts = dict.fromkeys(CLASSES, 0)
    detail = {}
    pending = {}
    cwds = {}

    def inside(p):
        return p is not None and (p == work or p.startswith(work + "/"))

    with open(trace, errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            pid, rest = m.group("pid"), m.group("rest")
            if rest.endswith("<unfinished ...>"):
                pending[pid] = rest[: -len("<unfinished ...>")].rstrip()
                continue
            r = re.match(r"^<\.\.\. \w+ resumed>\s?(.*)$", rest)
            if r:
                rest = pending.pop(pid, "") + r.group(1)
            c = CALL.match(rest)
            if not c:
                continue
            name, args, ret = c.group("name"), c.group("args"), c.group("ret")
            ok = ret != "?" and not ret.startswith("-")
            cwd = cwds.setdefault(pid, start)
            if name in FORK:
                if ok:
                    cwds[ret] = cwd
                if name != "chdir" and name != "fchdir":
                    continue
            if name in ("chdir", "fchdir") and ok:
                p = first_path(args, name, cwd)[0] if name == "chdir" else fd_path(args)
                cwds[pid] = p or cwd
                if name == "fchdir":
                    continue
            cls = None
            if name in OPEN or name == "creat":
                p, _ = first_path(args, name, cwd)
                if not inside(p):
                    continue
                cls = "create" if "O_CREAT" in args or name == "creat" else "stat"
            elif name in CREATE | STAT | UNLINK:
                if name.startswith("f") and name not in ("faccessat", "faccessat2",
                                                         "fchmodat",
                                                         "fchownat", "futimesat"):
                    p, fdonly = fd_path(args), False
                else:
                    p, fdonly = first_path(args, name, cwd)
                if name in ("getdents", "getdents64"):
                    p = fd_path(args)
                if fdonly or not inside(p):
                    continue
                cls = "create" if name in CREATE else "unlink" if name in UNLINK else "stat"
            elif name in SYNC:
                if not inside(fd_path(args)):
                    continue
                cls = "sync"
            elif name in READ | WRITE | COPY:
                # copy_file_range and sendfile: a copy between two files
                # here is a read and a write; the first descriptor decides.
                p = fd_path(args)
                if not ok or not p or not inside(p):
                    continue
                n = int(ret)
                if name not in WRITE:
                    counts["bytes_read"] += n
                if name not in READ:
                    counts["bytes_written"] += n
                detail[name] = detail.get(name, 0) + 1
                continue
            if cls == "create" and not ok:
                # An existing directory or file answers with EEXIST after a
                # look-up alone (pip's makedirs of every file's parent).
                cls = "stat"
            if cls:
                counts[cls] += 1
                detail[name] = detail.get(name, 0) + 1
    return counts, detail


def count_files(top, skip=()):
    n = 0
    for root, dirs, fs in os.walk(top):
        dirs[:] = [d for d in dirs if d not in skip]
        n += len(fs)
    return n


def conda_derived(pip, venv, python):
    """conda create -n ds python numpy pandas scikit-learn matplotlib, derived
    (conda is not traced here): conda extracts every file of every package
    into its package cache, then hard-links it into the environment. So: the
    stack's files (what pip installed, its .pyc included: conda's packages
    ship them) plus a Python of its own (the interpreter's standard library,
    its __pycache__ included), each costing what one installed file cost pip
    (extraction, directories, bookkeeping), plus one create more per file for
    the link. Native libraries (BLAS, Tk, OpenSSL) are left out, so this is
    low."""
    site = subprocess.run([os.path.join(venv, "bin", "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    stdlib = subprocess.run([python, "-c",
                             "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
                            check=True, capture_output=True, text=True).stdout.strip()
    stack = sum(1 for d in os.listdir(site) if d.endswith(".dist-info")
                for _ in open(os.path.join(site, d, "RECORD")))
    own = count_files(stdlib, skip=("site-packages", "dist-packages"))
    files = stack + own
    f = files / stack
    c = {k: round(v * f) for k, v in pip.items()}
    c["create"] += files
    print(f"conda-create (derived): {stack} files of the stack (RECORD lines) + {own} of "
          f"the Python in {stdlib} = {files}; pip's counts x {f:.3f}, + {files} links",
          file=sys.stderr)
    return c, {"derived": 1}


def traced(cmd, work, trace, env=None, cwd=None):
    strace = ["strace", "-f", "-qq", "-y", "-s", "0", "-e", "signal=none",
              "-e", "trace=" + ",".join(TRACED), "-o", trace]
    subprocess.run(strace + cmd, check=True, cwd=cwd or work, env=env,
                   stdout=subprocess.DEVNULL)
    return parse(trace, work, os.path.realpath(cwd or work))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--task", action="append",
                    choices=["pip-install", "import", "git-clone", "git-status"],
                    help="pip-install also prints conda-create, derived from it")
    ap.add_argument("--repo", help="a git repository to clone (default: this project)")
    ap.add_argument("--python", default=sys.executable)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--wheelhouse")
    g.add_argument("--debian-wheelhouse")
    ap.add_argument("--keep", action="store_true", help="keep the working directory")
    ap.add_argument("--c-table", action="store_true")
    a = ap.parse_args()
    tasks = a.task or ["pip-install", "import", "git-clone", "git-status"]
    top = tempfile.mkdtemp(prefix="count-task-ops.")
    work = os.path.realpath(os.path.join(top, "work"))
    os.mkdir(work)
    trace = os.path.join(top, "trace")
    results = {}
    try:
        venv = os.path.join(work, "venv")
        if "pip-install" in tasks or "import" in tasks:
            subprocess.run([a.python, "-m", "venv", venv], check=True)
            pkgs, src = TOP, []
            if a.debian_wheelhouse:
                pkgs = debian_wheels(a.debian_wheelhouse)
                src = ["--no-index", "--find-links", a.debian_wheelhouse]
            elif a.wheelhouse:
                src = ["--no-index", "--find-links", a.wheelhouse]
            env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
            results["pip-install"] = traced(
                [os.path.join(venv, "bin", "pip"), "install", "--no-cache-dir", *src, *pkgs],
                work, trace, env)
            results["conda-create"] = conda_derived(results["pip-install"][0], venv, a.python)
        if "import" in tasks:
            py = os.path.join(venv, "bin", "python")
            subprocess.run([py, "-c", "import pandas"], check=True, cwd=work)
            results["import"] = traced([py, "-c", "import pandas"], work, trace)
        repo = os.path.join(work, "repo")
        if "git-clone" in tasks or "git-status" in tasks:
            srcrepo = os.path.realpath(a.repo or os.path.join(os.path.dirname(__file__),
                                                              "..", ".."))
            url = "file://" + srcrepo
            results["git-clone"] = traced(["git", "clone", "-q", url, repo], work, trace)
        if "git-status" in tasks:
            subprocess.run(["git", "status"], check=True, cwd=repo, stdout=subprocess.DEVNULL)
            results["git-status"] = traced(["git", "status"], work, trace, cwd=repo)
    finally:
        if a.keep:
            print(f"kept {top}", file=sys.stderr)
        else:
            shutil.rmtree(top, ignore_errors=True)
    print(f"{'task':<12} {'create':>8} {'stat':>8} {'unlink':>8} {'sync':>6} "
          f"{'MB read':>9} {'MB written':>10}")
    for t, (c, d) in results.items():
        print(f"{t:<12} {c['create']:>8} {c['stat']:>8} {c['unlink']:>8} {c['sync']:>6} "
              f"{c['bytes_read'] / 1e6:>9.1f} {c['bytes_written'] / 1e6:>10.1f}")
        print("    " + ", ".join(f"{k} {v}" for k, v in sorted(d.items(), key=lambda x: -x[1])))
    if a.c_table:
        for t, (c, _) in results.items():
            print(f'{{ "{t}", {c["create"]}, {c["stat"]}, {c["unlink"]}, {c["sync"]}, '
                  f'{c["bytes_read"]}, {c["bytes_written"]} }},')


if __name__ == "__main__":
    main()
