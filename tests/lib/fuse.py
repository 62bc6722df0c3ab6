# SPDX-License-Identifier: MIT
"""A test FUSE daemon (hangfs, passfs) for a with-block: started, waited for
until it prints "ready" and the mount shows in mountinfo, and always stopped
and unmounted afterwards, whatever state it is in by then. unavailable() says
why a test cannot mount one here (a skip)."""
import os
import signal
import subprocess


def unavailable(daemon):
    """Why the FUSE daemon (a path) cannot be mounted here, or None."""
    if os.geteuid() != 0:
        return "mounting FUSE needs root"
    if not os.path.exists("/dev/fuse"):
        return "/dev/fuse is missing (no FUSE in this kernel or container)"
    if not os.access(daemon, os.X_OK):
        return (f"the FUSE test daemon was not built ({daemon} is not executable: "
                "libfuse3-dev missing at configure time)")
    return None


def mounted(path):
    with open("/proc/self/mountinfo", "rb") as f:
        for line in f:
            fields = line.split(b" ")
            if len(fields) > 4 and fields[4] == os.fsencode(path):
                return True
    return False


class FuseDaemon:
    """argv runs the daemon; mnt is where it mounts. Raises RuntimeError when it
    does not mount."""

    def __init__(self, argv, mnt):
        self.argv, self.mnt, self.proc = argv, mnt, None

    def __enter__(self):
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline()  # "ready" once mounted, EOF on failure
        if line.strip() != b"ready" or not mounted(self.mnt):
            err = self.proc.stderr.read().decode(errors="replace") if self.proc.poll() is not None else ""
            self.__exit__(None, None, None)
            raise RuntimeError(f"{os.path.basename(self.argv[0])} did not mount {self.mnt}: "
                               f"{err.strip()}")
        return self

    def __exit__(self, *exc):
        # SIGTERM: the daemon leaves its loop and unmounts. Its /dev/fuse
        # closing aborts the connection, which releases every stuck caller.
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=3)
        if mounted(self.mnt):
            subprocess.run(["fusermount3", "-u", "-z", self.mnt], stderr=subprocess.DEVNULL)
        if mounted(self.mnt):
            subprocess.run(["umount", "-l", self.mnt], stderr=subprocess.DEVNULL)
        return False
