#!/usr/bin/env python3
"""Golden tests for `dplc check` diagnostics and `dplc explain`.

usage: run_golden.py --dplc DPLC --root SRCROOT [--dpl DPL] [--update] [-v]

For every tests/check/NAME.dpl, `dplc check --color never [ARGS] NAME.dpl` (run in
tests/check, so file names in the output are stable) must print exactly
NAME.expected on stderr and nothing on stdout; the exit status must be 1 when
the expectation holds an error and 0 otherwise.  ARGS are the lines of
NAME.args when it exists (`--sample NAME.ndjson` for W405).  The same file checked with
--format json must report the same codes at the same positions.

Besides the files:
  - every code of `dplc explain --all` must appear in some .expected file;
  - docs/errors.md must be exactly `dplc explain --all`, and each
    `dplc explain CODE` must appear in it verbatim;
  - a few CLI rules of spec §9/§10: -W error, NO_COLOR, --color always,
    several files in JSON mode, exit 2 on unreadable files and bad usage.

--update rewrites the .expected files and docs/errors.md from the current
output; review every change (git diff) before committing it.
"""
import argparse, json, os, re, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import wrap  # noqa: E402  (tests/wrap.py: the --wrap option)

HEADER = re.compile(r"^(?P<file>[^\n]*?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning)\[(?P<code>[EW]\d{3})\]: ", re.M)


def run(cmd, cwd=None, env=None):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    if env:
        e.update(env)
    return subprocess.run(cmd, cwd=cwd, env=e, capture_output=True, text=True, timeout=60)


def extra_args(d, name):
    """NAME.args: more `dplc check` arguments, one per line (--sample FILE)."""
    path = os.path.join(d, name[:-4] + ".args")
    if not os.path.exists(path):
        return []
    return [a for a in open(path).read().split("\n") if a]


def check_file(args, d, name, failures):
    p = run([args.dplc, "check", "--color", "never"] + extra_args(d, name) + [name], cwd=d)
    exp_path = os.path.join(d, name[:-4] + ".expected")
    if args.update:
        with open(exp_path, "w") as f:
            f.write(p.stderr)
    want = open(exp_path).read() if os.path.exists(exp_path) else None
    if want is None:
        failures.append("%s: no .expected file (run with --update, then review it)" % name)
        return set()
    if p.stderr != want:
        failures.append("%s: output differs\n--- expected\n%s--- got\n%s" % (name, want, p.stderr))
    if p.stdout:
        failures.append("%s: human mode printed on stdout: %r" % (name, p.stdout[:200]))
    want_exit = 1 if re.search(r": error\[", want) else 0
    if p.returncode != want_exit:
        failures.append("%s: exit %d, expected %d" % (name, p.returncode, want_exit))
    human = sorted((m["sev"], m["code"], int(m["line"]), int(m["col"])) for m in HEADER.finditer(p.stderr))
    j = run([args.dplc, "check", "--format", "json"] + extra_args(d, name) + [name], cwd=d)
    try:
        obj = json.loads(j.stdout)
        got = sorted((g["severity"], g["code"], g["span"]["start"]["line"], g["span"]["start"]["column"])
                     for g in obj["diagnostics"])
        if obj.get("file") != name:
            failures.append("%s: JSON file is %r" % (name, obj.get("file")))
        if got != human:
            failures.append("%s: JSON and human disagree:\n  json  %s\n  human %s" % (name, got, human))
    except (ValueError, KeyError, TypeError) as e:
        failures.append("%s: --format json printed no valid object (%s): %r" % (name, e, j.stdout[:200]))
    if j.returncode != want_exit:
        failures.append("%s: --format json exit %d, expected %d" % (name, j.returncode, want_exit))
    return {m["code"] for m in HEADER.finditer(want)}


def check_explain(args, failures):
    p = run([args.dplc, "explain", "--all"])
    if p.returncode != 0:
        failures.append("dplc explain --all: exit %d %s" % (p.returncode, p.stderr))
        return []
    doc = os.path.join(args.root, "docs", "errors.md")
    if args.update:
        with open(doc, "w") as f:
            f.write(p.stdout)
    if open(doc).read() != p.stdout:
        failures.append("docs/errors.md is not `dplc explain --all` (regenerate with --update)")
    codes = re.findall(r"^## ([EW]\d{3}) ", p.stdout, re.M)
    for c in codes:
        one = run([args.dplc, "explain", c.lower()])
        if one.returncode != 0 or not one.stdout or "\n## " + one.stdout not in p.stdout:
            failures.append("dplc explain %s: not found verbatim in docs/errors.md" % c)
        elif not re.search(r"\n\n    \S", one.stdout):
            failures.append("dplc explain %s: no example" % c)
    bad = run([args.dplc, "explain", "E999"])
    if bad.returncode != 2 or "E999" not in bad.stderr:
        failures.append("dplc explain E999: exit %d, stderr %r" % (bad.returncode, bad.stderr))
    return codes


def check_cli(args, d, failures):
    def expect(cond, what):
        if not cond:
            failures.append("cli: " + what)

    warn = "W401-no-sources.dpl"
    p = run([args.dplc, "check", "-W", "error", warn], cwd=d)
    expect(p.returncode == 1 and "error[W401]" in p.stderr, "-W error should turn W401 into an error: %d %r" % (p.returncode, p.stderr[:200]))
    p = run([args.dplc, "check", "--color", "always", "E303-unknown-function.dpl"], cwd=d)
    expect("\033[" in p.stderr, "--color always should colour")
    p = run([args.dplc, "check", "E303-unknown-function.dpl"], cwd=d)
    expect("\033[" not in p.stderr, "--color auto without a terminal should not colour")
    p = run([args.dplc, "check", "--color", "auto", "E303-unknown-function.dpl"], cwd=d, env={"NO_COLOR": "1"})
    expect("\033[" not in p.stderr, "NO_COLOR should disable colour")
    p = run([args.dplc, "check", "--format", "json", "clean-seed.dpl", warn], cwd=d)
    lines = p.stdout.splitlines()
    expect(p.returncode == 0 and len(lines) == 2 and json.loads(lines[0])["diagnostics"] == []
           and json.loads(lines[1])["file"] == warn, "two files in JSON mode: %d %r" % (p.returncode, p.stdout[:300]))
    p = run([args.dplc, "check", "no-such-file.dpl"], cwd=d)
    expect(p.returncode == 2 and "no-such-file.dpl" in p.stderr and p.stderr.count("\n") == 1,
           "unreadable file: exit %d %r" % (p.returncode, p.stderr))
    p = run([args.dplc, "check", "--format", "yaml", warn], cwd=d)
    expect(p.returncode == 2, "bad --format should exit 2, got %d" % p.returncode)
    p = run([args.dplc, "check"], cwd=d)
    expect(p.returncode == 2, "check without files should exit 2, got %d" % p.returncode)
    # --sample is streamed: gzip read by its magic (any name), a line longer
    # than a read, stdin; the same warnings as the plain sample's golden
    import gzip, tempfile
    w405 = "W405-never-in-sample"
    want = open(os.path.join(d, w405 + ".expected")).read()
    sample = open(os.path.join(d, w405 + ".ndjson"), "rb").read()
    long_line = json.dumps({"data": {"id": 3, "note": "x" * 200000}}).encode() + b"\n"
    with tempfile.TemporaryDirectory(prefix="dpl-golden-") as tmp:
        gz = os.path.join(tmp, "sample-without-gz-name")
        with open(gz, "wb") as f:
            f.write(gzip.compress(sample + long_line))
        p = run([args.dplc, "check", "--color", "never", "--sample", gz, w405 + ".dpl"], cwd=d)
        expect(p.returncode == 0 and p.stderr == want.replace("2 sample records", "3 sample records"),
               "a gzip --sample should read like the plain one: %d %r" % (p.returncode, p.stderr[:300]))
        p = subprocess.run([args.dplc, "check", "--color", "never", "--sample", "-", w405 + ".dpl"], cwd=d,
                           input=sample.decode(), capture_output=True, text=True, timeout=60)
        expect(p.returncode == 0 and p.stderr == want, "--sample - should read stdin: %d %r" % (p.returncode, p.stderr[:300]))
        p = run([args.dplc, "check", "--sample", os.path.join(tmp, "nope.ndjson"), w405 + ".dpl"], cwd=d)
        expect(p.returncode == 2 and "nope.ndjson" in p.stderr, "a missing --sample should exit 2: %d %r" % (p.returncode, p.stderr))
    p = run([args.dplc, "check", os.path.join(args.root, "examples", "fipe.dpl")])
    expect(p.returncode == 0 and p.stdout == "" and p.stderr == "",
           "examples/fipe.dpl should be clean: %d %r" % (p.returncode, p.stderr[:300]))


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
    d = os.path.join(args.root, "tests", "check")
    failures = []
    covered = set()
    names = sorted(n for n in os.listdir(d) if n.endswith(".dpl"))
    for name in names:
        before = len(failures)
        covered |= check_file(args, d, name, failures)
        if args.v:
            print(("ok   " if len(failures) == before else "FAIL ") + name)
    codes = check_explain(args, failures)
    # the codes of `dplc compat` (E5xx, W5xx) have their golden cases in tests/compat
    cdir = os.path.join(args.root, "tests", "compat")
    for case in (sorted(os.listdir(cdir)) if os.path.isdir(cdir) else []):
        exp = os.path.join(cdir, case, "expected")
        if os.path.exists(exp):
            covered |= {m["code"] for m in HEADER.finditer(open(exp).read())}
    for c in codes:
        if c not in covered:
            failures.append("code %s has no golden test in tests/check" % c)
    check_cli(args, d, failures)
    failures += wrapped.problems()
    for f in failures:
        print("FAIL " + f)
    print("%d golden files, %d codes, %d failures" % (len(names), len(codes), len(failures)))
    sys.exit(1 if failures else 0)


main()
