#!/usr/bin/env python3
"""Allocation-failure tests (needs a build with -Dfault_injection=true):
for every N from 1 up to the number of allocations a small run makes,
DPL_FAIL_ALLOC_AT=N makes the N-th allocation fail.  Each run must end
either with exit status 1 and exactly "dpl: out of memory" as the last thing
on stderr (after at most a prefix of what a normal run prints there), or -
once N is past the last allocation - exactly as the normal run does.  Never
a signal, never a sanitizer or valgrind finding.

Under AddressSanitizer every N is checked for invalid accesses (leaks are
not: exit(1) in the middle of a run leaves memory in use on purpose).
--wrap CMD (e.g. valgrind) runs a sample of the N values under CMD.

usage: fault_alloc.py --dpl PATH --dplc PATH --root SRCROOT [--wrap CMD] [--sample K] [-j N]
The last line printed is 'N passed, N failed'.
"""
import argparse
import concurrent.futures
import os
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import wrap  # noqa: E402  (tests/wrap.py: the --wrap option)

OOM = b"dpl: out of memory\n"
LIMIT = 200000  # no small run allocates this often; a safety stop for the loop

# ASan's own exit status must not look like our exit 1; leaks after the
# deliberate exit(1) are expected.  Harmless for builds without ASan.
SAN_ENV = {"ASAN_OPTIONS": "exitcode=98:detect_leaks=0:abort_on_error=0",
           "UBSAN_OPTIONS": "halt_on_error=1:exitcode=98"}


def run(argv, n, cwd, prefix=()):
    env = dict(os.environ, **SAN_ENV)
    env.pop("DPL_FAIL_ALLOC_AT", None)
    if n:
        env["DPL_FAIL_ALLOC_AT"] = str(n)
    return subprocess.run([*prefix, *argv], capture_output=True, env=env, cwd=cwd, timeout=300)


def check_case(name, argv, cwd, wrap_words, sample, failures):
    before = len(failures)
    normal = run(argv, 0, cwd)
    if normal.returncode not in (0, 1):
        failures.append("%s: the normal run exits %d: %r" % (name, normal.returncode, normal.stderr[-300:]))
        return 0
    if normal.stderr.endswith(OOM):
        failures.append("%s: out of memory without fault injection (is this a -Dfault_injection=true build?)" % name)
        return 0
    n, failed_runs = 0, []
    while True:
        n += 1
        p = run(argv, n, cwd)
        bad = None
        if p.returncode < 0 or p.returncode >= 98:
            bad = "exit %d (signal or sanitizer): %r" % (p.returncode, p.stderr[-600:])
        elif p.stderr.endswith(OOM) and p.returncode == 1:
            rest = p.stderr[: -len(OOM)]
            if OOM in rest:
                bad = "the out-of-memory message twice"
            elif not normal.stderr.startswith(rest):
                bad = "other output on stderr before the message: %r" % rest[-300:]
            failed_runs.append(n)
        elif p.returncode == normal.returncode and p.stdout == normal.stdout and p.stderr == normal.stderr:
            break  # N is past the last allocation: the run is the normal one
        else:
            bad = "exit %d without the out-of-memory message: %r" % (p.returncode, p.stderr[-300:])
        if bad:
            failures.append("%s: DPL_FAIL_ALLOC_AT=%d: %s" % (name, n, bad))
            if len(failures) > 20:
                return n
        if n >= LIMIT:
            failures.append("%s: still failing at N=%d" % (name, n))
            return n
    if wrap_words and failed_runs:
        step = max(1, len(failed_runs) // sample)
        for k in failed_runs[::step][:sample]:
            p = run(argv, k, cwd, prefix=wrap_words)
            if p.returncode != 1 or not p.stderr.endswith(OOM):
                failures.append("%s: DPL_FAIL_ALLOC_AT=%d under %s: exit %d: %r"
                                % (name, k, wrap_words[0], p.returncode, p.stderr[-600:]))
    if len(failures) == before:
        print("ok   %s: %d allocations, each failing cleanly" % (name, n - 1), flush=True)
    return n - 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dpl", required=True)
    ap.add_argument("--dplc", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--sample", type=int, default=25, help="N values run under --wrap")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2, help="cases run at once")
    wrap.add_option(ap)
    a = ap.parse_args()
    dpl, dplc = os.path.abspath(a.dpl), os.path.abspath(a.dplc)
    wrap_words = shlex.split(a.wrap or "")
    if wrap_words and os.path.basename(wrap_words[0]) == "valgrind":
        # the deliberate exit(1) leaves memory in use: only invalid accesses count
        wrap_words = [w for w in wrap_words if not w.startswith("--leak-check") and
                      not w.startswith("--errors-for-leak-kinds")] + ["--leak-check=no", "-q"]
    ex = os.path.join(os.path.abspath(a.root), "examples")
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "bad.dpl")
        with open(bad, "w") as f:
            f.write('entity "e" { k, lenn(x) }\nsources "s"\nmandatory { k, k }\n'
                    'add {\n    k\n    k\n    "a" + 1 -> y\n    "(" -> z if matches(k, "(")\n}\n')
        def rj(k):  # each case its own rejects file: they run side by side
            return os.path.join(tmp, "rejects-%d.ndjson" % k)
        cases = [
            ("dpl run fipe", [dpl, "run", "--stats", "--rejects", rj(1), os.path.join(ex, "fipe.dpl"),
                              os.path.join(ex, "fipe.ndjson")]),
            ("dpl run fipe --engine tree", [dpl, "run", "--engine", "tree", "--rejects", rj(2),
                                            os.path.join(ex, "fipe.dpl"), os.path.join(ex, "fipe.ndjson")]),
            # rejects on stderr: the out-of-memory message must still come
            # last, once, whichever thread runs out and whatever the other
            # one is writing (util.c, dpl_output_enter)
            ("dpl run fipe -j 2", [dpl, "run", "-j", "2", os.path.join(ex, "fipe.dpl"),
                                   os.path.join(ex, "fipe.ndjson")]),
            ("dpl run orders", [dpl, "run", "--rejects", rj(4), os.path.join(ex, "orders.dpl"),
                                os.path.join(ex, "orders.ndjson")]),
            ("dplc check (errors)", [dplc, "check", bad]),
            ("dplc check --format json (errors)", [dplc, "check", "--format", "json", bad]),
            ("dplc fmt fipe", [dplc, "fmt", os.path.join(ex, "fipe.dpl")]),
        ]
        # the cases are independent: run them side by side (thousands of
        # short runs each, mostly process start-up under a sanitizer)
        def one(case):
            name, argv = case
            own = []
            check_case(name, argv, tmp, wrap_words, a.sample, own)
            return own
        passed = failed = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
            for own in pool.map(one, cases):
                if own:
                    failed += 1
                    for f in own:
                        print("FAIL " + f)
                else:
                    passed += 1
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
