# SPDX-License-Identifier: MIT
"""Helpers shared by the Python test scripts (standard library only).

A script under tests/<suite>/ imports them with

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from lib import snapshot

snapshot: fake sysroots (the one writer of their files); samples: ready-made
snapshots; cases: one meson test per case of a script (--list); checks: the
check()/skip()/status() of the scripts that are not unittest ones; fuse: a
FUSE test daemon (hangfs, passfs) mounted for a with-block; probe: a checked
run of the probe, and readers of its report and bundle.
"""
