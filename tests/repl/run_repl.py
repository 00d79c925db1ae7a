#!/usr/bin/env python3
"""run_repl.py — the `dpl repl` suite.

1. Golden transcripts: every sessions/NAME.in is piped into `dpl repl` (run
   in a scratch directory holding copies of fipe.dpl and fipe.ndjson; a
   leading `# args: ...` line gives the command-line arguments, and is a
   comment to the REPL).  stdout, then any stderr, then the exit status must
   equal sessions/NAME.out byte for byte.  `--update` rewrites the .out files
   (review the diff before committing).
2. Command-line checks: usage errors and unreadable programs exit 2.
3. The terminal test (pty_session.py): prompt, line editing, completion,
   Ctrl-C, and history that survives a restart.

Exit status 0 when everything passed.
"""
import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SESSIONS = os.path.join(HERE, "sessions")
FIXTURES = ["fipe.dpl", "fipe.ndjson", "broken.dpl"]


def scratch_dir():
    d = tempfile.mkdtemp(prefix="dpl-repl-")
    for f in FIXTURES:
        shutil.copy(os.path.join(HERE, f), d)
    return d


def transcript(dpl, name):
    path = os.path.join(SESSIONS, name + ".in")
    with open(path, "rb") as f:
        data = f.read()
    args = []
    first = data.split(b"\n", 1)[0].decode()
    if first.startswith("# args:"):
        args = first[len("# args:"):].split()
    d = scratch_dir()
    env = dict(os.environ)
    env["DPL_HISTORY"] = os.path.join(d, "history")
    try:
        p = subprocess.run([dpl, "repl", *args], input=data, capture_output=True, cwd=d, env=env, timeout=60)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    out = p.stdout
    if p.stderr:
        out += b"[stderr]\n" + p.stderr
    out += b"[exit %d]\n" % p.returncode
    return out


def run_golden(dpl, update):
    failures = 0
    names = sorted(n[:-3] for n in os.listdir(SESSIONS) if n.endswith(".in"))
    for name in names:
        got = transcript(dpl, name)
        exp_path = os.path.join(SESSIONS, name + ".out")
        if update:
            with open(exp_path, "wb") as f:
                f.write(got)
            print("updated %s" % name)
            continue
        try:
            with open(exp_path, "rb") as f:
                want = f.read()
        except FileNotFoundError:
            want = b""
        if got == want:
            print("ok   session %s" % name)
            continue
        failures += 1
        print("FAIL session %s" % name)
        diff = difflib.unified_diff(want.decode(errors="replace").splitlines(True),
                                    got.decode(errors="replace").splitlines(True),
                                    "expected", "got")
        sys.stdout.writelines(diff)
    return failures


def run_cli(dpl):
    """Arguments the REPL refuses before it starts."""
    failures = 0
    d = scratch_dir()
    cases = [
        (["repl", "no-such-file.dpl"], 2, b"cannot read no-such-file.dpl"),
        (["repl", "fipe.dpl", "fipe.dpl"], 2, b"only one PROGRAM"),
        (["repl", "--frob"], 2, b"unknown option"),
        (["repl", "--help"], 0, b"usage: dpl repl"),
    ]
    try:
        for args, status, text in cases:
            p = subprocess.run([dpl, *args], input=b"", capture_output=True, cwd=d, timeout=30)
            if p.returncode != status or text not in p.stdout + p.stderr:
                failures += 1
                print("FAIL cli %s: exit %d, output %r" % (" ".join(args), p.returncode, (p.stdout + p.stderr)[:300]))
            else:
                print("ok   cli %s" % " ".join(args))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dpl", required=True)
    ap.add_argument("--dplc")
    ap.add_argument("--root")
    ap.add_argument("--update", action="store_true", help="rewrite the expected transcripts")
    ap.add_argument("--no-pty", action="store_true", help="skip the terminal test")
    args = ap.parse_args()
    dpl = os.path.abspath(args.dpl)
    failures = run_golden(dpl, args.update)
    failures += run_cli(dpl)
    if not args.no_pty:
        sys.path.insert(0, HERE)
        import pty_session
        failures += pty_session.run(dpl, HERE)
    print("%s: %d failure%s" % ("FAIL" if failures else "ok", failures, "" if failures == 1 else "s"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
