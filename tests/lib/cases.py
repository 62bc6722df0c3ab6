# SPDX-License-Identifier: MIT
"""One meson test per case of a script, so that a failure names its case.

A script that is not a unittest one keeps its cases in a dict and starts its
main() with list_if_asked(CASES). In a unittest script, a case is a test_*
method of its TestCase, named without its test_ prefix, and the script ends
with

    cases.main(TheTestCase, sys.argv[N:])      # N: after its own arguments

and then runs as

    SCRIPT --list                  the case names, one a line
    SCRIPT ARGS... [CASE...]       those cases (all without one)

Exit status 0 when they pass, 1 when one fails, 2 for an unknown case, and 77
(meson's skip) when the one case asked for was skipped. A meson.build
registers the cases with

    foreach c : run_command(python3, files('SCRIPT'), '--list', check : true).stdout().split()
      test('PREFIX-' + c.replace('_', '-'), python3, args : [files('SCRIPT'), ..., c], ...)
    endforeach

(meson reconfigures when the script changes, so a new case is registered by
the next build; c.replace() since unittest names have underscores)."""

import sys
import unittest

SKIP = 77
PREFIX = "test_"


def names(cls):
    return [n[len(PREFIX):] for n in unittest.TestLoader().getTestCaseNames(cls)]


def list_if_asked(cases):
    """With --list as the only argument: prints the cases' names and exits."""
    if sys.argv[1:] == ["--list"]:
        print("\n".join(cases))
        sys.exit(0)


def main(cls, selected):
    """Lists or runs the cases of cls, then exits."""
    list_if_asked(names(cls))
    unknown = [c for c in selected if c not in names(cls)]
    if unknown:
        print("unknown case(s): %s\ncases: %s" % (" ".join(unknown), " ".join(names(cls))),
              file=sys.stderr)
        sys.exit(2)
    loader = unittest.TestLoader()
    suite = (loader.loadTestsFromNames([PREFIX + c for c in selected], cls) if selected
             else loader.loadTestsFromTestCase(cls))
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        sys.exit(1)
    if len(selected) == 1 and result.skipped:
        print("SKIP:", result.skipped[0][1])
        sys.exit(SKIP)
    sys.exit(0)
