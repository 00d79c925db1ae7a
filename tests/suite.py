"""suite.py — the main loop the script test runners share: their common
options (--dpl, --dplc, --root, -k and wrap.py's --wrap), every test_*
function of the runner run in turn in a fresh temporary directory, one
line per test ("ok   NAME (S s)" or "FAIL NAME: TYPE: MESSAGE"), a wrap
problem counted as a failure, and the last line 'N passed, N failed'.

A runner keeps ARGS and TMP as module globals and calls
    suite.main(globals(), options=..., skip=...)
from its own main().
"""
import argparse
import os
import re
import sys
import tempfile
import time

import wrap


def eq(got, want, what=""):
    """Fails with both values when got is not want."""
    if got != want:
        raise AssertionError("%s: got %r, expected %r" % (what, got, want))


def main(scope, options=None, skip=None):
    """Parses the common options (options(ap) adds the runner's own), sets
    scope's ARGS and TMP, runs scope's test_* functions that match -k
    (skip(args, name) true: left out) and exits 1 when any failed."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--dpl", required=True)
    ap.add_argument("--dplc", required=True)
    ap.add_argument("--root", required=True)
    if options:
        options(ap)
    ap.add_argument("-k", default="")
    wrap.add_option(ap)
    args = ap.parse_args()
    args.dpl, args.dplc = os.path.abspath(args.dpl), os.path.abspath(args.dplc)
    scope["ARGS"] = args
    wrapped = wrap.setup(args)
    tests = [(n, f) for n, f in sorted(scope.items()) if n.startswith("test_") and re.search(args.k, n)
             and not (skip and skip(args, n))]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as t:
        scope["TMP"] = t
        for name, fn in tests:
            t0 = time.time()
            try:
                fn()
                passed += 1
                print("ok   %s (%.2fs)" % (name, time.time() - t0), flush=True)
            except Exception as e:  # a failing test must never stop the others
                failed += 1
                print("FAIL %s: %s: %s" % (name, type(e).__name__, e), flush=True)
    for problem in wrapped.problems():
        failed += 1
        print("FAIL wrap: " + problem)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
