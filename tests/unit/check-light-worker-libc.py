#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The light worker's object file calls no libc function outside an allow-list.

Usage: check-light-worker-libc.py NM LIBCORE.a

core/light-worker.c runs in a clone(CLONE_VM) child that shares the caller's
memory and its TLS (errno, malloc's arenas, stdio's locks, the stack
protector's canary). A libc function that writes errno, allocates, takes a lock
or keeps state could corrupt the caller or deadlock the child. `nm -u` lists
every symbol the object needs from elsewhere; each must be on the list below,
with the reason it is safe there.
"""
import subprocess
import sys

MEMBER = "light-worker.c.o"

ALLOWED = {
    # Pure functions of their arguments: no errno, no lock, no allocation, no
    # state. The compiler also emits memcpy/memmove/memset for plain copies.
    "memcpy": "pure copy",
    "memmove": "pure copy",
    "memset": "pure fill",
    "strlen": "pure read",
    "strchrnul": "pure read",
    # Called only when the canary on the worker's stack was overwritten, to
    # abort: the canary is read from the shared TCB, the same value as the
    # caller's, which is why it matches.
    "__stack_chk_fail": "stack protector: aborts on corruption only",
    # Not a function: the linker's anchor for PIC code on some targets.
    "_GLOBAL_OFFSET_TABLE_": "linker symbol",
}

# Instrumentation of sanitizer and coverage builds, not calls the code makes.
# ASan builds never start a light worker (core/fsquery.c: UNDER_ASAN); UBSan's
# handlers run only when a test has already found undefined behaviour.
ALLOWED_PREFIXES = ("__asan_", "__ubsan_", "__sanitizer_", "__gcov_", "__llvm_gcov_", "__sancov_")


def undefined_symbols(nm, lib):
    out = subprocess.run([nm, "-u", lib], check=True, capture_output=True, text=True).stdout
    member, found, syms = None, False, []
    for line in out.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.endswith(":") and " " not in line:
            member = line[:-1]
            if member.endswith(MEMBER):
                found = True
            continue
        if member and member.endswith(MEMBER):
            syms.append(line.split()[-1])
    if not found:
        sys.exit(f"FAIL: no member *{MEMBER} in {lib} (renamed? built with LTO?)")
    return syms


def main():
    nm, lib = sys.argv[1], sys.argv[2]
    syms = undefined_symbols(nm, lib)
    # glibc versions some symbols (memcpy@GLIBC_2.14): the name is what counts.
    names = sorted({s.split("@")[0] for s in syms})
    bad = [s for s in names if s not in ALLOWED and not s.startswith(ALLOWED_PREFIXES)]
    print("light-worker.c needs:", " ".join(names) or "(nothing)")
    if bad:
        print(
            "FAIL: core/light-worker.c calls outside its allow-list: " + " ".join(bad) + "\n"
            "It runs in a clone(CLONE_VM) child sharing the caller's memory and TLS: use a\n"
            "raw system call (core/raw-syscall.h), move the work to the forked worker, or,\n"
            "if the function is as safe as those listed, add it with the reason to\n"
            "tests/unit/check-light-worker-libc.py.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
