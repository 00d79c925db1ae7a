#!/usr/bin/env python3
"""run_testrun.py — tests of `dpl test` (spec §14, docs/testing.md).

- the example programs' tests pass with 100% coverage;
- a broken program makes its tests fail with the expected report (golden,
  plain and coloured);
- the JUnit file parses and has the right counts;
- --update rewrites failing expectations, keeps comments and layout, and a
  second run passes (round trip), byte for byte against a golden file;
- coverage figures on a hand-counted program, and --coverage-min;
- malformed test files, program errors, -k, exit statuses.

Usage: run_testrun.py --dpl build/dpl --dplc build/dplc --root . [--update]
(--update rewrites the golden files: review the diff).  DPL_VALGRIND=1 runs
every `dpl test` under memcheck.
"""
import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL:", what)


def run(dpl, args, cwd, env_extra=None):
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    if env_extra:
        env.update(env_extra)
    wrap = []
    if os.environ.get("DPL_VALGRIND") == "1":
        # memcheck: an error or a definite leak exits 99, reported as a failure
        wrap = ["valgrind", "-q", "--leak-check=full", "--errors-for-leak-kinds=definite", "--error-exitcode=99"]
    p = subprocess.run(wrap + [dpl, "test"] + args, cwd=cwd, capture_output=True, env=env)
    check(p.returncode != 99, f"valgrind: dpl test {' '.join(args)}\n{p.stderr.decode('utf-8', 'replace')}")
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def golden(path, text, update):
    if update:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return
    try:
        with open(path, encoding="utf-8") as f:
            want = f.read()
    except FileNotFoundError:
        check(False, f"golden file {path} is missing (run with --update)")
        return
    if want != text:
        import difflib
        sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), text.splitlines(True), path, "actual"))
        check(False, f"output differs from {path}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dpl", required=True)
    ap.add_argument("--dplc")
    ap.add_argument("--root", required=True)
    ap.add_argument("--update", action="store_true")
    a = ap.parse_args()
    dpl = os.path.abspath(a.dpl)
    root = os.path.abspath(a.root)
    here = os.path.join(root, "tests", "testrun")
    cases = os.path.join(here, "cases")

    # 1. the examples: every test passes, every program fully covered
    st, out, err = run(dpl, ["examples", "--coverage-min", "100", "--color", "never"], root)
    check(st == 0, f"examples: exit {st}\n{out}{err}")
    for prog in ("fipe", "orders", "people", "payments"):
        m = re.search(rf"coverage of examples/{prog}\.dpl: (\d+) of (\d+) \(100\.0%\)", out)
        check(m is not None and m.group(1) == m.group(2), f"examples/{prog}.dpl is not fully covered:\n{out}")
    check(re.search(r"^23 passed, 0 failed \(4 files\)$", out, re.M) is not None, f"examples summary:\n{out}")
    # the default PATH is .
    st, out, _ = run(dpl, [], os.path.join(root, "examples"))
    check(st == 0 and "23 passed" in out, f"dpl test with no PATH in examples/: exit {st}\n{out}")

    # 2. a broken program: the report, plain and coloured (NO_COLOR only
    # matters for --color auto, which is off when stdout is not a terminal)
    st, out, err = run(dpl, ["broken.t", "--color", "never"], cases)
    check(st == 1, f"broken.t: exit {st}, want 1\n{err}")
    golden(os.path.join(cases, "broken.expected"), out, a.update)
    st, out, _ = run(dpl, ["broken.t", "--color", "always"], cases, {"NO_COLOR": "1"})
    check(st == 1, f"broken.t --color always: exit {st}")
    golden(os.path.join(cases, "broken.color.expected"), out, a.update)
    st, out, _ = run(dpl, ["broken.t"], cases)
    check("\x1b[" not in out, "--color auto wrote escapes to a pipe")

    # 3. JUnit: counts and contents
    with tempfile.TemporaryDirectory() as tmp:
        for f in ("broken.t", "broken.dpl", "cov.t", "cov.dpl"):
            shutil.copy(os.path.join(cases, f), tmp)
        with open(os.path.join(tmp, "bad.dpl"), "w") as f:
            f.write('entity "x" { lenn(a) }\n')
        with open(os.path.join(tmp, "bad.t"), "w") as f:
            f.write('program "bad.dpl"\ntest "one" {\n  input {} -> skip\n}\ntest "two" {\n  input {} -> skip\n}\n')
        junit = os.path.join(tmp, "report.xml")
        st, out, err = run(dpl, ["broken.t", "cov.t", "bad.t", "--junit", junit], tmp)
        check(st == 2, f"junit run with a program error: exit {st}, want 2")
        check("unknown function `lenn`" in err, f"program diagnostics not shown:\n{err}")
        tree = ET.parse(junit).getroot()
        check(tree.tag == "testsuites", "junit root")
        check((tree.get("tests"), tree.get("failures"), tree.get("errors")) == ("8", "4", "2"),
              f"junit totals {tree.attrib}")
        suites = {s.get("name"): s for s in tree.findall("testsuite")}
        check(sorted(suites) == ["bad.t", "broken.t", "cov.t"], f"junit suites {sorted(suites)}")
        b = suites.get("broken.t")
        if b is not None:
            check((b.get("tests"), b.get("failures"), b.get("errors")) == ("4", "4", "0"), f"broken.t {b.attrib}")
            first = b.find("testcase")
            check(first.get("name") == "shipping from 30 is express" and first.get("line") == "4",
                  f"first testcase {first.attrib}")
            fl = first.find("failure")
            check(fl is not None and "+      \"entrega\": \"normal\"" in fl.text and "\x1b" not in fl.text,
                  "failure text lacks the diff or has colour")
            check(fl is not None and fl.get("message").startswith("broken.t:7: record 2"), "failure message")
        c = suites.get("cov.t")
        if c is not None:
            check((c.get("tests"), c.get("failures"), c.get("errors")) == ("2", "0", "0"), f"cov.t {c.attrib}")
            check(all(tc.find("failure") is None for tc in c.findall("testcase")), "passing cases have <failure>")
        bad = suites.get("bad.t")
        if bad is not None:
            check(bad.get("errors") == "2" and len(bad.findall("testcase/error")) == 2, f"bad.t {bad.attrib}")

    # 4. --update: golden result, comments kept, round trip
    with tempfile.TemporaryDirectory() as tmp:
        for f in ("update.t", "broken.dpl"):
            shutil.copy(os.path.join(cases, f), tmp)
        t = os.path.join(tmp, "update.t")
        st, out, err = run(dpl, ["update.t", "--update", "--color", "never"], tmp)
        check(st == 0, f"--update: exit {st}\n{out}{err}")
        check("updated 6 expectations in update.t" in out, f"--update report:\n{out}")
        with open(t, encoding="utf-8") as f:
            updated = f.read()
        golden(os.path.join(cases, "update.expected"), updated, a.update)
        with open(os.path.join(cases, "update.t"), encoding="utf-8") as f:
            comments = [l.strip() for l in f if l.strip().startswith("#")]
        for c in comments:
            check(c in updated, f"--update lost the comment {c!r}")
        st, out, _ = run(dpl, ["update.t"], tmp)
        check(st == 0, f"after --update the tests still fail:\n{out}")
        st, out, _ = run(dpl, ["update.t", "--update"], tmp)
        with open(t, encoding="utf-8") as f:
            check(f.read() == updated and "updated" not in out.replace("updated 0", ""),
                  "a second --update changed the file")

    # --update through a symlink rewrites its target and keeps the link and
    # the target's mode, as `dplc fmt --write` does (one atomic writer)
    with tempfile.TemporaryDirectory() as tmp:
        real = os.path.join(tmp, "real")
        os.mkdir(real)
        for f in ("update.t", "broken.dpl"):
            shutil.copy(os.path.join(cases, f), real)
        os.chmod(os.path.join(real, "update.t"), 0o640)
        os.symlink(os.path.join(real, "update.t"), os.path.join(real, "link.t"))
        st, out, err = run(dpl, ["link.t", "--update", "--color", "never"], real)
        check(st == 0 and "updated 6 expectations in link.t" in out, f"--update via a symlink: exit {st}\n{out}{err}")
        check(os.path.islink(os.path.join(real, "link.t")), "--update replaced the symlink with a file")
        check(stat.S_IMODE(os.stat(os.path.join(real, "update.t")).st_mode) == 0o640, "--update changed the file's mode")
        with open(os.path.join(real, "update.t"), encoding="utf-8") as f, \
                open(os.path.join(cases, "update.expected"), encoding="utf-8") as g:
            check(f.read() == g.read(), "--update via a symlink wrote something else than update.expected")
        check(sorted(os.listdir(real)) == ["broken.dpl", "link.t", "update.t"],
              f"--update left files behind: {sorted(os.listdir(real))}")

    # the examples' own tests survive a round trip: break them, update, compare
    with tempfile.TemporaryDirectory() as tmp:
        for f in os.listdir(os.path.join(root, "examples")):
            shutil.copy(os.path.join(root, "examples", f), tmp)
        t = os.path.join(tmp, "people.dpltest")
        with open(t, encoding="utf-8") as f:
            orig = f.read()
        broken = orig.replace('"idade":17,"aviso"', '"idade":18,"aviso"').replace("    skipped 1\n", "    skipped 3\n")
        check(broken != orig, "people.dpltest mutation did not apply")
        with open(t, "w", encoding="utf-8") as f:
            f.write(broken)
        st, _, _ = run(dpl, ["people.dpltest"], tmp)
        check(st == 1, "the mutated people.dpltest passes")
        st, out, _ = run(dpl, ["people.dpltest", "--update"], tmp)
        with open(t, encoding="utf-8") as f:
            check(f.read() == orig, "--update did not restore people.dpltest byte for byte")

    # 5. coverage, counted by hand on cov.dpl (11 outcomes):
    #    key 1, sources 2 (listed/other), mandatory 1, requirement 2 (held/failed),
    #    item 1, `if` 2 (taken/not taken), all 1, delete 1.
    #    The tests run two records of source "a", one with n = 5 (emitted) and
    #    one with n = 0 (requirement fails): missed are "other source" and
    #    "if taken" -> 9 of 11 = 81.8%.
    st, out, _ = run(dpl, ["cov.t", "--coverage", "--color", "never", "-v"], cases)
    check(st == 0, f"cov.t: exit {st}")
    golden(os.path.join(cases, "cov.expected"), out, a.update)
    check("coverage of cov.dpl: 9 of 11 (81.8%)" in out, f"coverage figures:\n{out}")
    check(re.search(r"!\s+5 \| sources .*listed 2, other 0", out) is not None, "sources line")
    check(re.search(r"!\s+14 \| .*if taken 0, not taken 1", out) is not None, "if line")
    check(re.search(r" \s+10 \| n > 0 .*requirement held 1, failed 1", out) is not None, "requirement line")
    st, out, _ = run(dpl, ["cov.t", "--coverage-min", "90"], cases)
    check(st == 1 and "coverage 81.8% is below --coverage-min 90" in out, f"--coverage-min 90: exit {st}\n{out}")
    st, _, _ = run(dpl, ["cov.t", "--coverage-min", "81.8"], cases)
    check(st == 0, f"--coverage-min 81.8: exit {st}")
    # without -v only the lines with something missed
    st, out, _ = run(dpl, ["cov.t", "--coverage"], cases)
    check(" 3 | id" not in out and "14 | " in out, f"coverage without -v:\n{out}")

    # `where` (v1.1), counted by hand on where.dpl (9 outcomes): sources 2,
    # two where expressions 2 each, key 1, two items.  Four records of source
    # "pay": kept; type failed; amount missing (not true: skipped); amount "x"
    # (type_error: rejected, the expression counts neither way).  Expression 1
    # held 3 / failed 1, expression 2 held 2 / failed 1; only the first record
    # reaches the key and items; "other source" is missed -> 8 of 9.
    st, out, _ = run(dpl, ["where.t", "--coverage", "-v", "--color", "never"], cases)
    check(st == 0 and "coverage of where.dpl: 8 of 9 (88.9%)" in out, f"where coverage:\n{out}")
    check(re.search(r" 7 \| type == \"payment.succeeded\" .*where held 3, failed 1", out) is not None, "where line 7")
    check(re.search(r" 8 \| amount > 0 .*where held 2, failed 1", out) is not None, "where line 8")

    # raw values and the source name
    st, out, _ = run(dpl, ["raw.t"], cases)
    check(st == 0 and "1 passed, 0 failed" in out, f"raw.t: exit {st}\n{out}")

    # lines that are not records (input text): invalid_json, not_an_object, blank
    st, out, _ = run(dpl, ["lines.t"], cases)
    check(st == 0 and "1 passed, 0 failed" in out, f"lines.t: exit {st}\n{out}")

    # 6. -k, exit statuses, malformed files
    st, out, _ = run(dpl, ["broken.t", "-k", "coupon"], cases)
    check(st == 1 and "0 passed, 1 failed, 3 deselected by -k" in out, f"-k coupon:\n{out}")
    st, out, _ = run(dpl, ["broken.t", "-kno such test"], cases)
    check(st == 0 and "0 passed, 0 failed, 4 deselected by -k" in out, f"-k matching nothing:\n{out}")
    st, _, err = run(dpl, ["nowhere"], cases)
    check(st == 2 and "cannot read nowhere" in err, f"missing path: exit {st} {err}")
    with tempfile.TemporaryDirectory() as tmp:
        st, _, err = run(dpl, [tmp], cases)
        check(st == 2 and "no test files" in err, f"empty dir: exit {st} {err}")
    st, _, err = run(dpl, ["--bogus"], cases)
    check(st == 2 and "unknown option" in err, "unknown option")
    st, _, err = run(dpl, ["--coverage-min", "120"], cases)
    check(st == 2, "--coverage-min 120 accepted")

    bad_files = [
        ('test "x" {\n}\n', "1:1: name the program first"),
        ('program "cov.dpl"\ntest "x" {\n  input {"a":1}\n}\n', "4:1: the input on line 3 has no expectation"),
        ('program "cov.dpl"\ntest "x" {\n  input {"a":1} -> reject missing_mandatry\n}\n',
         "3:27: unknown reject code `missing_mandatry`; did you mean `missing_mandatory`?"),
        ('program "cov.dpl"\ntest "x" {\n  input {"a":1,} -> skip\n}\n', "3:9: invalid JSON"),
        ('program "cov.dpl"\ntest "x" {\n  input {"a":\n', "3:9: this JSON value is never closed"),
        ('program "cov.dpl"\ntest "x" {\n  input {} -> skip\n', 'test "x" is never closed'),
        ('program "cov.dpl"\ntest "x" {\n  input {} -> skip\n  emit {}\n}\n', "4:3: record 1 already has an expectation"),
        ('program "cov.dpl"\ntest "x" {\n  input file "cov.t"\n  skip\n}\n', "4:3: which record?"),
        ('program "cov.dpl"\ntest "x" {\n  input {}\n  line 3 skip\n}\n', "there is no record on line 3"),
        ('program "cov.dpl"\ntest "x" {\n  input {} -> skip\n}\ntest "x" {\n  input {} -> skip\n}\n',
         "5:1: another test has this name (line 2)"),
        ('program "cov.dpl"\ntest "x" {\n  input file "none.ndjson"\n  emitted 1\n}\n', "cannot read input file"),
        ('program "cov.dpl"\ntest "x" {\n  emitted 1\n}\n', 'test "x" has no input'),
        ('program "cov.dpl"\ntest "x" {\n  input file "cut.ndjson.gz"\n  emitted 1\n}\n',
         "3:3: cannot read input file cut.ndjson.gz: truncated gzip data"),
        ('program "cov.dpl"\ntest "x" {\n  input {} -> skip extra\n}\n', "3:20: unexpected text after"),
        ('program "cov.dpl"\ntest "x" {\n  input {} -> skip\n  input {}\n  input {} -> skip\n}\n',
         "6:1: the input on line 4 has no expectation"),
        ('program "cov.dpl"\ntest "x" {\n  input text "a\\nb" -> skip\n}\n', "3:14: one input line cannot hold a newline"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(os.path.join(cases, "cov.dpl"), tmp)
        shutil.copy(os.path.join(cases, "cov.t"), tmp)
        import gzip
        with open(os.path.join(tmp, "cut.ndjson.gz"), "wb") as g:
            g.write(gzip.compress(b'{"data":{"id":"1","n":5},"metadata":{"source":"a"}}\n' * 50)[:30])
        for i, (text, want) in enumerate(bad_files):
            p = os.path.join(tmp, f"bad{i}.dpltest")
            with open(p, "w") as f:
                f.write(text)
            st, _, err = run(dpl, [f"bad{i}.dpltest"], tmp)
            check(st == 2 and f"bad{i}.dpltest:" in err and want in err, f"bad file {i}: exit {st}, want {want!r}, got {err!r}")
            os.remove(p)

    # a gzip input file is read as `dpl run` reads it: decompressed, members
    # one after another, lines numbered in the decompressed text
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(os.path.join(cases, "cov.dpl"), tmp)
        import gzip
        recs = [b'{"data":{"id":"1","n":5},"metadata":{"source":"a"}}\n',
                b'{"data":{"id":"2","n":0},"metadata":{"source":"a"}}\n\n',
                b'{"data":{"id":"3","n":7},"metadata":{"source":"b"}}\n']
        with open(os.path.join(tmp, "in.ndjson.gz"), "wb") as g:
            g.write(gzip.compress(recs[0]) + gzip.compress(recs[1] + recs[2]))
        with open(os.path.join(tmp, "gz.t"), "w") as f:
            f.write('program "cov.dpl"\ntest "gz" {\n  input file "in.ndjson.gz"\n  line 1 emit partial {"data":{"id":"1"}}\n'
                    '  line 2 reject requirement_failed\n  line 4 emit partial {"source":"b"}\n'
                    '  emitted 2\n  rejected 1\n}\n')
        st, out, err = run(dpl, ["gz.t"], tmp)
        check(st == 0 and "1 passed, 0 failed" in out, f"gzip input file: exit {st}\n{out}{err}")
        p = subprocess.run([dpl, "run", "cov.dpl", "in.ndjson.gz", "--rejects", "rej.ndjson"], cwd=tmp,
                           capture_output=True)
        with open(os.path.join(tmp, "rej.ndjson")) as f:
            rej = [json.loads(l) for l in f]
        check(p.returncode == 0 and len(p.stdout.splitlines()) == 2 and [r.get("line") for r in rej] == [2],
              f"dpl run on the same gzip file: exit {p.returncode}, {p.stdout!r}, rejects {rej!r}")

    print(f"testrun: {len(FAILS)} failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
