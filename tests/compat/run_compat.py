#!/usr/bin/env python3
"""Golden tests for `dplc compat OLD NEW` (spec §13) and the usage of
`dplc schema` / `dplc compat`.

usage: run_compat.py --dplc DPLC --root SRCROOT [--dpl DPL] [--update] [-v]

Every directory tests/compat/CASE holds old.dpl and new.dpl.
`dplc compat --color never old.dpl new.dpl`, run in that directory, must
print exactly CASE/expected on stderr and nothing on stdout, and exit 1 when
the expectation holds an error (a breaking change), 0 otherwise.  With
--format json it must print one object for old.dpl and one for new.dpl on
stdout, with the same codes at the same positions as the human output, and
exit the same.  A case named break-* must exit 1, ok-* and warn-* exit 0:
one case per kind of breaking change and per compatible change.

--update rewrites the expected files; review the diff before committing.
"""
import argparse, json, os, re, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import wrap  # noqa: E402

HEADER = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning)\[(?P<code>[EW]\d{3})\]: ", re.M)


def run(cmd, cwd=None):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    return subprocess.run(cmd, cwd=cwd, env=e, capture_output=True, text=True, timeout=60)


def check_case(args, d, name, failures):
    p = run([args.dplc, "compat", "--color", "never", "old.dpl", "new.dpl"], cwd=d)
    exp = os.path.join(d, "expected")
    if args.update:
        with open(exp, "w") as f:
            f.write(p.stderr)
    if not os.path.exists(exp):
        failures.append("%s: no expected file (run with --update, then review it)" % name)
        return set()
    want = open(exp).read()
    if p.stderr != want:
        failures.append("%s: output differs\n--- expected\n%s--- got\n%s" % (name, want, p.stderr))
    if p.stdout:
        failures.append("%s: human mode printed on stdout: %r" % (name, p.stdout[:200]))
    want_exit = 1 if re.search(r": error\[", want) else 0
    if p.returncode != want_exit:
        failures.append("%s: exit %d, expected %d" % (name, p.returncode, want_exit))
    if name.startswith("break-") != (want_exit == 1):
        failures.append("%s: a break-* case must report a breaking change, and only those" % name)
    human = sorted((m["file"], m["sev"], m["code"], int(m["line"]), int(m["col"])) for m in HEADER.finditer(p.stderr))
    j = run([args.dplc, "compat", "--format", "json", "old.dpl", "new.dpl"], cwd=d)
    try:
        objs = [json.loads(l) for l in j.stdout.splitlines()]
        files = [o["file"] for o in objs]
        got = sorted((o["file"], g["severity"], g["code"], g["span"]["start"]["line"], g["span"]["start"]["column"])
                     for o in objs for g in o["diagnostics"])
        if files != ["old.dpl", "new.dpl"]:
            failures.append("%s: JSON objects are for %s, expected old.dpl then new.dpl" % (name, files))
        if got != human:
            failures.append("%s: JSON and human disagree:\n  json  %s\n  human %s" % (name, got, human))
    except (ValueError, KeyError, TypeError) as e:
        failures.append("%s: --format json printed no valid objects (%s): %r" % (name, e, j.stdout[:200]))
    if j.returncode != want_exit:
        failures.append("%s: --format json exit %d, expected %d" % (name, j.returncode, want_exit))
    return {m["code"] for m in HEADER.finditer(want)}


def check_usage(args, failures):
    d = os.path.join(args.root, "tests", "compat", "ok-same-program")
    fipe = os.path.abspath(os.path.join(args.root, "examples", "fipe.dpl"))

    def expect(cmd, code, what, cwd=d, out=None):
        p = run([args.dplc] + cmd, cwd=cwd)
        if p.returncode != code or (out and out not in p.stdout + p.stderr):
            failures.append("usage: %s: exit %d (expected %d) %r" % (what, p.returncode, code, (p.stdout + p.stderr)[:300]))
        return p

    expect(["compat", "old.dpl"], 2, "compat with one program")
    expect(["compat", "old.dpl", "new.dpl", "new.dpl"], 2, "compat with three programs")
    expect(["compat", "old.dpl", "no-such.dpl"], 2, "compat with an unreadable program", out="no-such.dpl")
    expect(["compat", "--format", "yaml", "old.dpl", "new.dpl"], 2, "compat --format yaml")
    expect(["compat", "--frobnicate", "old.dpl", "new.dpl"], 2, "compat with an unknown option")
    bad = os.path.abspath(os.path.join(args.root, "tests", "check", "E303-unknown-function.dpl"))
    expect(["compat", "old.dpl", bad], 2, "compat with a program that has errors", out="E303")
    expect(["compat", "--help"], 0, "compat --help", out="usage: dplc compat")
    expect(["compat", os.path.abspath(fipe), os.path.abspath(fipe)], 0, "a program against itself",
           out="compatible (0 attributes added")
    expect(["schema"], 2, "schema without a program")
    expect(["schema", "--raw", fipe], 2, "schema --raw without --input")
    expect(["schema", "--frobnicate", fipe], 2, "schema with an unknown option")
    expect(["schema", fipe, fipe], 2, "schema with two programs")
    expect(["schema", bad], 2, "schema of a program with errors", out="E303")
    expect(["schema", "no-such.dpl"], 2, "schema of an unreadable program")
    expect(["schema", "--help"], 0, "schema --help", out="usage: dplc schema")
    for flags in ([], ["--input"], ["--input", "--raw"]):
        p = expect(["schema"] + flags + [fipe], 0, "schema %s" % " ".join(flags))
        try:
            s = json.loads(p.stdout)
            if s is not False and s.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
                failures.append("schema %s: no draft 2020-12 $schema: %r" % (flags, p.stdout[:200]))
        except ValueError:
            failures.append("schema %s: not JSON: %r" % (flags, p.stdout[:200]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dplc", required=True)
    ap.add_argument("--dpl")
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ap.add_argument("--update", action="store_true")
    ap.add_argument("-v", action="store_true")
    wrap.add_option(ap)
    args = ap.parse_args()
    args.dplc = os.path.abspath(args.dplc)
    wrapped = wrap.setup(args)
    base = os.path.join(args.root, "tests", "compat")
    failures, covered = [], set()
    cases = sorted(n for n in os.listdir(base) if os.path.isdir(os.path.join(base, n)))
    for name in cases:
        before = len(failures)
        covered |= check_case(args, os.path.join(base, name), name, failures)
        if args.v:
            print(("ok   " if len(failures) == before else "FAIL ") + name)
    for code in ("E501", "E502", "E503", "E504", "E505", "E506", "W501"):
        if code not in covered:
            failures.append("code %s has no golden case in tests/compat" % code)
    for kind in ("ok-attribute-added", "ok-type-widened", "ok-source-added"):
        if kind not in cases:
            failures.append("no golden case %s (one per compatible change)" % kind)
    check_usage(args, failures)
    failures += wrapped.problems()
    for f in failures:
        print("FAIL " + f)
    print("%d compat cases, %d failures" % (len(cases), len(failures)))
    sys.exit(1 if failures else 0)


main()
