#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Under --sysroot, the host stays out.

Replays a Studio-like snapshot under `strace -f -y -e trace=%file,%desc,%process` and
fails if studio-probe (or a forked worker) names any path outside the snapshot
that is not on the allow-list below: the host's mountinfo, environ, /sys,
/opt/ml, homes... must never be opened, stat'ed or readlink'ed in a replay.
A relative path is joined to the directory its dirfd (-y) or cwd names.
Exit 77 without strace or where ptrace is not allowed.

Usage: test-sysroot-strace.py [--sanitized] STUDIO_PROBE
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib import samples  # noqa: E402

SKIP = 77

# What a replay may touch outside the snapshot, and why. Anything else fails.
ALLOWED_PREFIXES = (
    "/etc/ld.so.cache",      # the dynamic loader's library index
    "/etc/ld.so.preload",    # the loader checks it on every start
    "/lib/", "/lib64/", "/lib32/",          # shared libraries (usrmerge links too)
    "/usr/lib/", "/usr/lib64/", "/usr/lib32/", "/usr/local/lib/",
    "/usr/lib/locale/",      # LC_ALL=C.UTF-8 locale data
    "/usr/share/locale/",    # message catalogues (strerror)
    "/usr/lib/x86_64-linux-gnu/gconv/",     # iconv modules glibc may load
    "/dev/null",             # fsquery workers put stdio there
)
ALLOWED_EXACT = set()  # filled with the binary's own path at run time
# libselinux, which libmount and libblkid link, looks for selinuxfs in its
# constructor, before main(): nothing of the inspected system, and not ours
# to change. Allowed as exactly these calls, nothing more under /sys or /proc.
ALLOWED_CALLS = {
    ("statfs", "/sys/fs/selinux"),
    ("statfs", "/selinux"),
    ("openat", "/proc/filesystems"),
    ("access", "/etc/selinux/config"),
}
# Also allowed: readlinkat() of the directories above the snapshot, from "/"
# opened O_PATH: before anything is read, a bounded worker walks the path to
# the snapshot and asks its file system for statfs, so that a snapshot on a
# dead mount fails within --timeout.
ALLOWED_CALLS.add(("openat", "/"))
# And readlink() of /proc/self/fd/N, the name of one of our own descriptors:
# a path the kernel's walk (openat2 RESOLVE_IN_ROOT) reached is read back so,
# and the snapshot's own name taken off. Allowed only where the name read is
# the snapshot or inside it (checked from the value strace prints).
OWN_FD = re.compile(r'^(?:\d+ +)?readlink\("(/proc/self/fd/\d+)", "((?:[^"\\]|\\.)*)"')

# Host state that must never show up: named in the failure message.
HOST_STATE = ("/proc/", "/sys/", "/opt/ml", "/opt/.sagemakerinternal", "/home/", "/root",
              "/etc/opt/", "/mnt/", "/dev/")

# syscall(dirfd<path>, "name", ...) for the *at family; syscall("name", ...) else.
AT_CALL = re.compile(r'^(?:\d+ +)?(\w+)\((AT_FDCWD|-?\d+)(?:<([^>]*)>)?, "((?:[^"\\]|\\.)*)"')
PLAIN_CALL = re.compile(r'^(?:\d+ +)?(\w+)\("((?:[^"\\]|\\.)*)"')
# The calls whose string argument there is a path (read/write carry data).
AT_CALLS = {"openat", "openat2", "newfstatat", "fstatat64", "statx", "readlinkat", "faccessat",
            "faccessat2", "mkdirat", "mknodat", "unlinkat", "renameat", "renameat2", "linkat",
            "fchmodat", "fchownat", "utimensat", "futimesat", "name_to_handle_at", "execveat",
            "getxattrat", "listxattrat", "fanotify_mark", "inotify_add_watch"}
PLAIN_CALLS = {"open", "creat", "stat", "lstat", "stat64", "lstat64", "access", "readlink",
               "statfs", "statfs64", "execve", "chdir", "chroot", "truncate", "mkdir", "rmdir",
               "unlink", "rename", "link", "chmod", "chown", "lchown", "utime", "utimes",
               "mknod", "getxattr", "lgetxattr", "listxattr", "llistxattr", "setxattr",
               "lsetxattr", "removexattr", "lremovexattr", "uselib", "swapon", "acct",
               "mount", "umount2", "pivot_root", "quotactl"}


def unescape(s):
    return s.encode("latin-1").decode("unicode_escape").encode("latin-1").decode(
        "utf-8", "replace")


def touched_paths(log, cwd):
    """(syscall, absolute path) for every path argument in the strace log."""
    out = []
    for line in log.splitlines():
        m = AT_CALL.match(line)
        if m and m.group(1) in AT_CALLS:
            call, fd, fdpath, name = m.group(1), m.group(2), m.group(3), unescape(m.group(4))
            if name == "":
                continue  # AT_EMPTY_PATH: the fd itself, checked where it was opened
            if name.startswith("/"):
                out.append((call, name))
            elif fd == "AT_FDCWD":
                out.append((call, os.path.join(fdpath or cwd, name)))
            elif fdpath:
                out.append((call, os.path.join(fdpath, name)))
            else:
                out.append((call, "<fd %s>/%s" % (fd, name)))
            continue
        m = PLAIN_CALL.match(line)
        if m and m.group(1) in PLAIN_CALLS:
            name = unescape(m.group(2))
            out.append((m.group(1), name if name.startswith("/") else os.path.join(cwd, name)))
    return out


def own_fd_names(log):
    """(link, name read) for every readlink() of /proc/self/fd/N."""
    return [(m.group(1), unescape(m.group(2)))
            for m in map(OWN_FD.match, log.splitlines()) if m]


def allowed(call, path, root):
    p = os.path.normpath(path)
    if p == root or p.startswith(root + "/"):
        return True
    if call == "readlink" and re.fullmatch(r"/proc/self/fd/\d+", p):
        return True  # what it named is checked in main()
    if p in ALLOWED_EXACT or (call, p) in ALLOWED_CALLS:
        return True
    if call in ("readlink", "readlinkat") and (root + "/").startswith(p.rstrip("/") + "/"):
        return True
    return any(p == a.rstrip("/") or p.startswith(a) for a in ALLOWED_PREFIXES)


def main():
    if "--sanitized" in sys.argv:
        # ASan's runtime reads /proc/self/maps and more by itself, and LSan
        # refuses to run under ptrace: the plain build answers this question.
        print("SKIP: sanitizer build; the host-isolation trace runs on the plain build")
        return SKIP
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    probe = os.path.realpath(sys.argv[1])

    strace = shutil.which("strace")
    if not strace:
        print("SKIP: strace is not installed (apt-get install strace)")
        return SKIP
    ALLOWED_EXACT.add(probe)

    with tempfile.TemporaryDirectory(prefix="studio-probe-strace-") as tmp:
        tmp = os.path.realpath(tmp)
        root = samples.studio_new(os.path.join(tmp, "root"))
        # The home through a symlink: a lookup the caller did not vouch for,
        # so a worker makes it, and its calls are traced too.
        os.symlink("/home/sagemaker-user", os.path.join(root, "home", "link"))
        cwd = os.path.join(tmp, "cwd")
        os.mkdir(cwd)
        log_path = os.path.join(tmp, "strace.log")
        env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "TZ": "UTC"}
        p = subprocess.run([strace, "-f", "-y", "-s", "4096", "-qq",
                            "-e", "trace=%file,%desc,%process", "-o", log_path,
                            probe, f"--sysroot={root}", "--path=/home/link", "--json"],
                           capture_output=True, cwd=cwd, env=env, timeout=120)
        log = open(log_path, errors="replace").read() if os.path.exists(log_path) else ""
        if p.returncode != 0 and ("ptrace" in p.stderr.decode(errors="replace")
                                  or "PTRACE" in p.stderr.decode(errors="replace")):
            print("SKIP: strace cannot trace here: " + p.stderr.decode(errors="replace").strip())
            return SKIP

        failures = []
        if p.returncode != 0:
            failures.append(f"studio-probe exited {p.returncode}: {p.stderr.decode()[:500]}")
        try:
            env_id = json.loads(p.stdout).get("environment")
        except ValueError:
            env_id = None
        if env_id != "studio-new":
            failures.append(f"the replay says {env_id!r}, want 'studio-new'")

        paths = touched_paths(log, cwd)
        inside = [x for x in paths if x[1].startswith(root + "/")]
        # Proof the trace saw the replay: it read the snapshot's own files,
        # forked workers included (-f).
        for want in ("proc/self/mountinfo", "opt/ml/metadata/resource-metadata.json",
                     "sys/dev/block"):
            if not any(want in x[1] for x in inside):
                failures.append(f"the trace shows no access to {want} in the snapshot")
        # A worker started only where the snapshot's file system could hang
        # (not on a local disk with its path in the dentry cache): when one
        # was, its calls must be in the trace too.
        pids = set(ln.split()[0] for ln in log.splitlines() if ln[:1].isdigit())
        if not re.search(r"^\d+ +(clone|clone3|fork|vfork)\(", log, re.M):
            failures.append("the trace shows no worker started (the lookup through "
                            "home/link needs one)")
        elif len(pids) < 2:
            failures.append("a worker was started but the trace shows only one process "
                            "(was -f effective?)")

        names = own_fd_names(log)
        for link, name in names:
            if name != root and not name.startswith(root + "/"):
                failures.append(f"HOST STATE: readlink({link}) named {name}, outside the "
                                f"snapshot")
        bad = sorted({(c, x) for c, x in paths if not allowed(c, x, root)})
        for call, path in bad:
            kind = "HOST STATE" if path.startswith(HOST_STATE) else "not allowed"
            failures.append(f"{kind}: {call}({path})")

        print(f"{len(paths)} path arguments traced, {len(inside)} inside the snapshot, "
              f"{len(bad)} outside the allow-list, {len(names)} descriptor names read back")
        for f in failures:
            print("FAIL " + f)
        if failures:
            print("--- strace log (head) ---")
            print("\n".join(log.splitlines()[:80]))
            return 1
        print("ok: nothing of the host was read")
        return 0


if __name__ == "__main__":
    sys.exit(main())
