#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hostile input corpus: broken snapshots replayed with --sysroot.

Each case starts from the snapshot of tests/lib/samples.py, breaks one thing (big
inputs are generated here, from a fixed seed, into a temporary directory) and
states the exit status and a message the probe must give. Every case also
checks: no crash (no signal, no sanitizer report), valid JSON on stdout when
the exit status is 0 or 3 with a report, bounded wall-clock time, and bounded
memory: the probe runs under `prlimit --as` and its peak RSS (wait4) must stay
under a generous bound. These are robustness bounds, not performance targets.

Usage: run-hostile.py --list
       run-hostile.py [--sanitized] STUDIO_PROBE CASE...   (no CASE: all)
Environment: STUDIO_PROBE_WRAPPER (e.g. a valgrind command line) is put in
front of the probe; with it, or STUDIO_PROBE_VALGRIND=1 (meson test
--setup=valgrind), the memory bounds are not applied and time is 20 times longer.
"""
import json
import os
import random
import shlex
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib import cases, samples, snapshot  # noqa: E402

SEED = 20240401
AS_LIMIT = 256 << 20      # address space for the plain build
RSS_BOUND_KIB = 64 << 10  # peak RSS, plain build
RSS_BOUND_SANITIZED_KIB = 512 << 10
TIME_BOUND_S = 20.0

# Relative to the snapshot's root: os.path.join(root, MI) stays inside it.
MI = snapshot.MOUNTINFO.lstrip("/")
MD = snapshot.METADATA.lstrip("/")
ENV = snapshot.ENVIRON.lstrip("/")
MS = snapshot.MOUNTSTATS.lstrip("/")


def rnd(case):
    return random.Random(f"{SEED}:{case}")


def put(root, rel, data):
    snapshot.Tree(root).put(rel, data)


def link(root, rel, target):
    snapshot.Tree(root).link(rel, target)


def base_lines():
    return [line.encode() for line in samples.MOUNTINFO_LINES]


def mountinfo_of(lines):
    return b"\n".join(lines) + b"\n"


# --- the cases: builder(root, tmp) ---------------------------------------------

def mi_random(root, tmp):
    put(root, MI, rnd("mi_random").randbytes(64 << 10))


def mi_random_lines(root, tmp):
    r = rnd("mi_random_lines")
    lines = []
    for line in base_lines():
        lines.append(line)
        lines.append(r.randbytes(r.randrange(1, 400)).replace(b"\n", b" "))
    put(root, MI, mountinfo_of(lines))


def mi_truncated(root, tmp):
    r = rnd("mi_truncated")
    lines = [ln if ln == samples.HOME_MOUNT_LINE.encode() else ln[:r.randrange(1, len(ln))]
             for ln in base_lines()]
    lines.append(base_lines()[0][:17])  # and the file ends mid-line
    put(root, MI, b"\n".join(lines))


def mi_nul(root, tmp):
    lines = base_lines()
    lines.insert(2, b"1600 1503 0:50 / /srv\0/x rw - tmpfs tmpfs rw")
    lines.append(b"\0" * 100)
    put(root, MI, mountinfo_of(lines))


def mi_escapes(root, tmp):
    lines = base_lines()
    for i, target in enumerate([b"/mnt/custom-file-systems/a\\", b"/mnt/custom-file-systems/\\9",
                                b"/mnt/custom-file-systems/\\999\\x41", b"/\\0\\00\\",
                                b"/mnt/custom-file-systems/\\040\\011\\012\\134"]):
        lines.append(b"%d 1503 0:%d / %s rw - tmpfs tmp\\fs rw,\\q" % (1700 + i, 60 + i, target))
    put(root, MI, mountinfo_of(lines))


def mi_long_line(root, tmp):
    lines = base_lines()
    lines.insert(3, b"1601 1503 0:51 / /srv/long rw - tmpfs tmpfs rw,opt=" + b"x" * (70 * 1024))
    put(root, MI, mountinfo_of(lines))


def mi_200k(root, tmp):
    lines = base_lines()
    lines += [b"%d 1503 0:%d / /srv/many/%d rw,relatime - tmpfs tmpfs rw,size=1k"
              % (2000 + i, 100 + i % 100000, i) for i in range(200000)]
    put(root, MI, mountinfo_of(lines))


def mi_empty(root, tmp):
    put(root, MI, b"")


def mi_missing(root, tmp):
    os.unlink(os.path.join(root, MI))


def mi_fifo(root, tmp):
    os.unlink(os.path.join(root, MI))
    os.mkfifo(os.path.join(root, MI))


def mi_link_to_host(root, tmp):
    # Absolute: resolved inside the root, so it points at itself.
    link(root, MI, "/proc/self/mountinfo")


def md_invalid(root, tmp):
    put(root, MD, b'{"AppType": "JupyterLab", "DomainId": ')


def md_20mib(root, tmp):
    blob = "x" * (20 << 20)
    put(root, MD, json.dumps({"AppType": "JupyterLab", "Padding": blob}))


def md_deep(root, tmp):
    put(root, MD, b"[" * 300000 + b"]" * 300000)


def md_deep_object(root, tmp):
    # 300,000 levels of {"a": do not fit the 1 MiB cap: 170,000 of {"": do.
    put(root, MD, b'{"":' * 170000 + b"1" + b"}" * 170000)


def md_deep_object_big(root, tmp):
    put(root, MD, b'{"a":' * 300000 + b"1" + b"}" * 300000)


def md_wrong_types(root, tmp):
    put(root, MD, json.dumps({"AppType": 5, "DomainId": [], "SpaceName": {"a": 1},
                              "UserProfileName": True, "ResourceArn": None,
                              "ResourceName": 1e308, "AppImageVersion": -0.0}))


def md_not_utf8(root, tmp):
    put(root, MD, b'{"AppType": "Jupyter\xff\xfeLab", "DomainId": "d-\xc3\x28"}')


def md_not_object(root, tmp):
    put(root, MD, b'["AppType", "JupyterLab"]')


def md_nul(root, tmp):
    put(root, MD, b'{"AppType": "JupyterLab"\0}')


def md_random(root, tmp):
    put(root, MD, rnd("md_random").randbytes(100000))


def sys_empty(root, tmp):
    put(root, "sys/block/nvme1n1/device/model", b"")


def sys_binary(root, tmp):
    put(root, "sys/block/nvme1n1/device/serial", b"vol\x00\x01\xff\xfe" + bytes(range(256)))


def sys_big(root, tmp):
    put(root, "sys/block/nvme1n1/size", b"1" * (1 << 20))


def sys_not_number(root, tmp):
    put(root, "sys/block/nvme1n1/size", b"-12x\n")


def sys_missing(root, tmp):
    import shutil
    shutil.rmtree(os.path.join(root, "sys/block/nvme1n1"))


def sys_absent(root, tmp):
    import shutil
    shutil.rmtree(os.path.join(root, "sys"))


def sys_link_loop(root, tmp):
    link(root, "sys/dev/block/259:3", "259:3")


def home_link_loop(root, tmp):
    os.rmdir(os.path.join(root, "home/sagemaker-user"))
    link(root, "home/sagemaker-user", "../home/a")
    link(root, "home/a", "b")
    link(root, "home/b", "/home/sagemaker-user")


def links_outside(root, tmp):
    # Files outside the root that must never be read: escaping links are
    # resolved inside the root (chroot semantics), where nothing is there.
    outside = os.path.join(tmp, "outside")
    put(tmp, "outside/metadata.json", json.dumps({"AppType": "ESCAPED-METADATA"}))
    put(tmp, "outside/model", b"ESCAPED-MODEL\n")
    link(root, MD, "../../../../../../../../../../outside/metadata.json")
    link(root, "sys/block/nvme1n1/device/model", os.path.join(outside, "model"))
    link(root, "sys/block/nvme1n1/device/serial", "/../../../../../../../etc/hostname")


def facts_invalid(root, tmp):
    put(root, snapshot.FACTS, b'{"statfs": ')


def env_random(root, tmp):
    put(root, ENV, rnd("env_random").randbytes(256 << 10))


def env_hostile(root, tmp):
    r = rnd("env_hostile")
    put(root, ENV, b"HOME=" + r.randbytes(5000) + b"\0SAGEMAKER_APP_TYPE=\xff\xfe\0"
        b"AWS_REGION=" + b"r" * 100 + b"\0=\0==\0HOME\0")


def env_huge(root, tmp):
    put(root, ENV, b"A=" + b"a" * (5 << 20))


# --- /proc/self/mountstats: read only when a mount is NFS, so one is added ---

MS_EFS = "/mnt/custom-file-systems/efs/fs-0123456789abcdef0"
MS_OP = "\t%12s: 10 12 1 1000 2000 0 30 31 0\n"


def ms_mount(root):
    lines = base_lines() + [(
        "1790 1503 0:90 / %s rw,relatime - nfs4 fs-0123456789abcdef0.efs.us-east-1."
        "amazonaws.com:/ rw,vers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,"
        "noresvport,addr=10.0.1.9" % MS_EFS).encode()]
    put(root, MI, mountinfo_of(lines))


def ms_entry(ops=(), age=b"100", xprt=b"tcp 0 0 1 0 0 10 10 0 10 0"):
    return (b"device fs-0123456789abcdef0.efs.us-east-1.amazonaws.com:/ mounted on "
            + MS_EFS.encode() + b" with fstype nfs4 statvers=1.1\n\tage:\t" + age
            + b"\n\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n\txprt:\t" + xprt
            + b"\n\tper-op statistics\n" + b"".join(ops))


def ms_fifo(root, tmp):
    ms_mount(root)
    os.mkfifo(os.path.join(root, MS))


def ms_link_to_host(root, tmp):
    ms_mount(root)
    link(root, MS, "/proc/self/mountstats")


def ms_random(root, tmp):
    ms_mount(root)
    put(root, MS, ms_entry() + rnd("ms_random").randbytes(1 << 20))


def ms_million_ops(root, tmp):
    ms_mount(root)
    put(root, MS, ms_entry([(MS_OP % ("OP%d" % i)).encode() for i in range(1000000)]))


def ms_overflow(root, tmp):
    ms_mount(root)
    big = b"18446744073709551615"
    put(root, MS, ms_entry([b"\t     GETATTR: " + b" ".join([big] * 9) + b"\n",
                            b"\t      LOOKUP: 18446744073709551616 1 0 0 0 0 0 0 0\n",
                            b"\t        READ: -1 +1 0x10 0 0 0 0 0 0\n",
                            b"\t       WRITE: 1 1 0\n"], age=b"99999999999999999999"))


def ms_no_newline(root, tmp):
    ms_mount(root)
    put(root, MS, ms_entry([MS_OP.encode() % b"GETATTR"]) + b"\t      LOOKUP: " + b"7" * (3 << 20))


def ms_duplicates(root, tmp):
    ms_mount(root)
    put(root, MS, b"".join(ms_entry([MS_OP.encode() % b"GETATTR"]) for _ in range(20000)))


# name: (builder, exit status, message substring (stdout or stderr; "env=ID": the
#        JSON's environment is ID; None: any), substring that must NOT appear)
CASES = {
    "mountinfo-random-bytes": (mi_random, 3, "no mount holds /home/sagemaker-user", None),
    "mountinfo-random-lines": (mi_random_lines, 0, "malformed mountinfo line, ignoring", None),
    "mountinfo-truncated-lines": (mi_truncated, 0, "malformed mountinfo line, ignoring", None),
    "mountinfo-nul-bytes": (mi_nul, 0, "NUL byte in line, ignoring", None),
    "mountinfo-invalid-escapes": (mi_escapes, 0, "env=studio-new", None),
    "mountinfo-70k-line": (mi_long_line, 0, "line longer than 64 KiB, ignoring", None),
    "mountinfo-200000-lines": (mi_200k, 0, "env=studio-new", None),
    "mountinfo-empty": (mi_empty, 3, "(the mount table is empty)", None),
    "mountinfo-missing": (mi_missing, 3, "cannot read the mount table", None),
    "mountinfo-fifo": (mi_fifo, 3, "cannot read the mount table", None),
    "mountinfo-link-to-host": (mi_link_to_host, 3, "Too many levels of symbolic links", None),
    "metadata-invalid": (md_invalid, 0, "invalid JSON near byte", None),
    "metadata-20mib": (md_20mib, 0, "larger than 1 MiB, ignoring", None),
    "metadata-300000-deep-array": (md_deep, 0, "nested deeper than", None),
    "metadata-170000-deep-object": (md_deep_object, 0, "nested deeper than", None),
    "metadata-300000-deep-object": (md_deep_object_big, 0, "larger than 1 MiB, ignoring", None),
    "metadata-wrong-types": (md_wrong_types, 0, "AppType is not a string, ignoring", None),
    "metadata-not-utf8": (md_not_utf8, 0, "AppType is not valid UTF-8, ignoring", None),
    "metadata-not-object": (md_not_object, 0, "not a JSON object, ignoring", None),
    "metadata-nul-byte": (md_nul, 0, "holds a NUL byte", None),
    "metadata-random-bytes": (md_random, 0, "resource-metadata.json", None),
    "sysfs-empty": (sys_empty, 0, "device/model is empty, ignoring", None),
    "sysfs-binary": (sys_binary, 0, "device/serial holds binary data, ignoring", None),
    "sysfs-1mib-attribute": (sys_big, 0, "size is larger than 4 KiB, ignoring", None),
    "sysfs-not-a-number": (sys_not_number, 0, "is not a number, ignoring", None),
    "sysfs-device-missing": (sys_missing, 0, "does not exist: the device of /home/sagemaker-user",
                             None),
    "sysfs-absent": (sys_absent, 0, "does not exist: the device of /home/sagemaker-user", None),
    "sysfs-symlink-loop": (sys_link_loop, 0, "Too many levels of symbolic links", None),
    "home-symlink-loop": (home_link_loop, 3, "too many levels of symbolic links", None),
    "symlinks-outside-sysroot": (links_outside, 0, "env=studio-new", "ESCAPED"),
    "facts-invalid": (facts_invalid, 0, "facts.json: not a JSON object, ignoring", None),
    "environ-random-bytes": (env_random, 0, "env=studio-new", None),
    "environ-hostile-values": (env_hostile, 0, "is not valid text, ignoring", None),
    "environ-5mib": (env_huge, 0, "cannot read", None),
    "mountstats-fifo": (ms_fifo, 0, "mountstats: File descriptor in bad state: no NFS history",
                        None),
    "mountstats-link-to-host": (ms_link_to_host, 0, "Too many levels of symbolic links", None),
    "mountstats-random-bytes": (ms_random, 0, "env=studio-new", None),
    "mountstats-1000000-ops": (ms_million_ops, 0, "malformed lines in the entry", None),
    "mountstats-overflow": (ms_overflow, 0, "malformed lines in the entry", None),
    "mountstats-3mib-line": (ms_no_newline, 0, "malformed lines in the entry", None),
    "mountstats-20000-duplicates": (ms_duplicates, 0, "env=studio-new", None),
}


def run_case(probe, name, sanitized):
    builder, want_status, want_msg, forbidden = CASES[name]
    wrapper = shlex.split(os.environ.get("STUDIO_PROBE_WRAPPER", ""))
    # meson test --setup=valgrind: the probe path given to us is already a
    # shim that runs memcheck (tests/valgrind-wrap.sh); bounds are for the probe.
    under_tool = bool(wrapper) or os.environ.get("STUDIO_PROBE_VALGRIND") == "1"
    problems = []
    with tempfile.TemporaryDirectory(prefix=f"studio-probe-hostile-{name}-") as tmp:
        root = os.path.join(tmp, "root")
        # Built by another process: the probe is forked from this one, and a
        # child's peak RSS starts at its parent's (the kernel keeps the
        # high-water mark across fork and exec), so this one stays small.
        subprocess.run([sys.executable, os.path.abspath(__file__), "--build", name, tmp],
                       check=True)
        argv = [probe, f"--sysroot={root}", "--json", "--timeout=5"]
        if not under_tool and not sanitized:
            # ASan reserves terabytes of address space: no --as under it.
            argv = ["prlimit", f"--as={AS_LIMIT}", "--"] + argv
        argv = wrapper + argv
        out_path, err_path = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
        bound = TIME_BOUND_S * (20 if under_tool else 3 if sanitized else 1)
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            t0 = time.monotonic()
            proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() - t0 > bound:
                    proc.kill()
                    pid, status, usage = os.wait4(proc.pid, 0)
                    problems.append(f"did not finish within {bound:.0f} s")
                    break
                time.sleep(0.01)
            elapsed = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        stdout = open(out_path, "rb").read()
        stderr = open(err_path, "rb").read()

    text = (stdout + stderr).decode(errors="replace")
    rc = proc.returncode
    if rc < 0:
        problems.append(f"killed by signal {signal.Signals(-rc).name}")
    elif rc != want_status:
        problems.append(f"exit status {rc}, want {want_status}")
    for marker in (b"ERROR: AddressSanitizer", b"runtime error:", b"LeakSanitizer",
                   b"Invalid read", b"Invalid write", b"uninitialised"):
        if marker in stderr:
            problems.append(f"sanitizer/valgrind report: {marker.decode()}")
    if want_msg is not None and want_msg.startswith("env="):
        try:
            env = json.loads(stdout).get("environment")
        except (ValueError, AttributeError):
            env = None
        if env != want_msg[4:]:
            problems.append(f"environment {env!r}, want {want_msg[4:]!r}")
    elif want_msg is not None and want_msg not in text:
        problems.append(f"no message {want_msg!r}")
    if forbidden is not None and forbidden in text:
        problems.append(f"output holds {forbidden!r}: a file outside the sysroot was read")
    if rc == 0 or stdout.strip():
        try:
            j = json.loads(stdout)
            if not isinstance(j, dict) or "environment" not in j:
                problems.append("stdout JSON has no environment")
        except ValueError as e:
            problems.append(f"stdout is not JSON: {e}")
    rss_kib = usage.ru_maxrss
    if not under_tool:
        limit = RSS_BOUND_SANITIZED_KIB if sanitized else RSS_BOUND_KIB
        if rss_kib > limit:
            problems.append(f"peak RSS {rss_kib} KiB > {limit} KiB")
    print(f"{'FAIL' if problems else 'ok  '} {name}: exit {rc} in {elapsed:.2f} s, "
          f"peak RSS {rss_kib} KiB")
    for p in problems:
        print(f"     {p}")
    if problems:
        print("     stderr: " + stderr.decode(errors="replace")[:2000].replace("\n", "\n     stderr: "))
        print("     stdout: " + stdout.decode(errors="replace")[:1000].replace("\n", "\n     stdout: "))
    return not problems


def main(argv):
    cases.list_if_asked(CASES)
    if len(argv) == 4 and argv[1] == "--build":
        root = samples.studio_new(os.path.join(argv[3], "root"))
        CASES[argv[2]][0](root, argv[3])
        return 0
    args = argv[1:]
    sanitized = "--sanitized" in args
    args = [a for a in args if a != "--sanitized"]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    probe, names = os.path.abspath(args[0]), args[1:] or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        print(f"unknown case(s): {' '.join(unknown)}", file=sys.stderr)
        return 2
    failed = [n for n in names if not run_case(probe, n, sanitized)]
    print(f"{len(names) - len(failed)} of {len(names)} cases passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
