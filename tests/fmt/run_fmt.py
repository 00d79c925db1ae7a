#!/usr/bin/env python3
"""run_fmt.py — formatter suite for `dplc fmt`.

1. Sweep: every .dpl under examples/, tests/ and the shared conformance cases
   that parses is formatted; the output must be a fixed point (idempotence),
   parse to the same tree (`dplc ast` of original and formatted agree), keep
   every comment, and obey the layout basics (4-space indents, no trailing
   blanks, one final newline).  A file fmt refuses must have syntax errors
   (E1xx/E2xx from `dplc check`).
2. Golden pairs: tests/fmt/NAME.dpl formats to tests/fmt/NAME.expected, which
   is itself a fixed point.
3. CLI: --check, --write (in place, only when changed, mode kept, atomic),
   stdin, syntax errors, usage errors and exit statuses.

Usage: run_fmt.py --dpl DPL --dplc DPLC --root SRCROOT [-v]
"""
import argparse
import glob
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

failures = []
verbose = False


def fail(what, detail=""):
    failures.append(what)
    print("FAIL: " + what)
    if detail:
        print("    " + detail.replace("\n", "\n    "))


def run(args, stdin=None):
    return subprocess.run(args, input=stdin, capture_output=True, timeout=30)


def comments(text):
    """The comment texts of a DPL program ('#' outside strings), stripped."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] not in '"\n':
                i += 2 if text[i] == "\\" else 1
            i += 1
        elif c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(text[i:j].rstrip(" \t\r"))
            i = j
        else:
            i += 1
    return out


def strip_pos(ast):
    """`dplc ast` output without the @line:col positions, which formatting moves."""
    return re.sub(rb" @\d+:\d+", b"", ast)


def layout_problems(text):
    probs = []
    if text and not text.endswith("\n"):
        probs.append("does not end with a newline")
    if text.endswith("\n\n"):
        probs.append("ends with a blank line")
    for no, line in enumerate(text.split("\n")[:-1], 1):
        if line != line.rstrip():
            probs.append("line %d: trailing blank" % no)
        indent = len(line) - len(line.lstrip(" "))
        if line.startswith("\t") or indent % 4:
            probs.append("line %d: indent is not a multiple of 4 spaces" % no)
    return probs


def has_syntax_error(dplc, path):
    r = run([dplc, "check", "--format", "json", path])
    try:
        diags = json.loads(r.stdout.decode())["diagnostics"]
    except (ValueError, KeyError):
        return False
    return any(d.get("code", "")[:2] in ("E1", "E2") for d in diags)


def sweep(dplc, files, tmp):
    formatted = refused = 0
    for path in files:
        r = run([dplc, "fmt", path])
        if r.returncode == 1 and not r.stdout:
            if not has_syntax_error(dplc, path):
                fail("%s: fmt refused a program without syntax errors" % path, r.stderr.decode())
            elif b"error" not in r.stderr:
                fail("%s: fmt refused without printing the diagnostics" % path)
            refused += 1
            continue
        if r.returncode != 0:
            fail("%s: fmt exited %d" % (path, r.returncode), r.stderr.decode())
            continue
        formatted += 1
        out = r.stdout.decode()
        orig = open(path, encoding="utf-8", errors="surrogateescape").read()
        copy = os.path.join(tmp, "sweep.dpl")
        with open(copy, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(out)
        again = run([dplc, "fmt", copy]).stdout.decode()
        if again != out:
            fail("%s: not idempotent" % path, "first:\n%s\nsecond:\n%s" % (out, again))
        a1, a2 = run([dplc, "ast", path]), run([dplc, "ast", copy])
        if a1.returncode != 0 or a2.returncode != 0 or strip_pos(a1.stdout) != strip_pos(a2.stdout):
            fail("%s: formatted program has a different AST" % path,
                 "formatted:\n%s\nast before:\n%s\nast after:\n%s" % (out, a1.stdout.decode(), a2.stdout.decode()))
        if sorted(comments(orig)) != sorted(comments(out)):
            fail("%s: comments changed" % path, "%r\n!=\n%r" % (comments(orig), comments(out)))
        for p in layout_problems(out):
            fail("%s: %s" % (path, p))
        if verbose:
            print("ok   %s" % path)
    print("sweep: %d formatted, %d refused (syntax errors)" % (formatted, refused))


def golden(dplc, root):
    pairs = sorted(glob.glob(os.path.join(root, "tests", "fmt", "*.dpl")))
    n = 0
    for src in pairs:
        exp_path = src[:-4] + ".expected"
        if not os.path.exists(exp_path):
            continue
        n += 1
        want = open(exp_path, encoding="utf-8").read()
        got = run([dplc, "fmt", src])
        if got.returncode != 0 or got.stdout.decode() != want:
            fail("golden %s" % os.path.basename(src),
                 "exit %d\n--- got:\n%s--- want:\n%s%s" % (got.returncode, got.stdout.decode(), want, got.stderr.decode()))
        fixed = run([dplc, "fmt", "-"], stdin=want.encode())
        if fixed.returncode != 0 or fixed.stdout.decode() != want:
            fail("golden %s: the expected text is not a fixed point" % os.path.basename(exp_path))
    if n == 0:
        fail("no golden pairs found in tests/fmt")
    print("golden: %d pairs" % n)


def expect(what, r, code, stdout=None, stderr_has=None):
    ok = r.returncode == code
    if stdout is not None:
        ok = ok and r.stdout.decode() == stdout
    if stderr_has is not None:
        ok = ok and stderr_has in r.stderr.decode()
    if not ok:
        fail("cli: " + what, "exit %d (want %d)\nstdout: %r\nstderr: %r" %
             (r.returncode, code, r.stdout.decode(), r.stderr.decode()))


def check_diffs_apply(dplc, tmp):
    """`dplc fmt --check` is a patch: applied with patch(1) to many distorted
    programs (spacing, indentation, missing last newline, comments), it gives
    exactly what `dplc fmt` prints."""
    import random
    if not shutil.which("patch"):
        return
    rnd = random.Random(14)
    d = os.path.join(tmp, "patch")
    os.makedirs(d)
    base = ['entity "e" {', "    k1", "    k2", "}", 'sources "s"', "# a comment", "mandatory {", "    a.b",
            "}", "add {", "    k1 + 1 -> n  # note", "    x as int -> y if z", "}"]
    for n in range(40):
        lines = list(base)
        for _ in range(rnd.randint(1, 5)):
            i = rnd.randrange(len(lines))
            lines[i] = rnd.choice([lines[i].strip(), "  " + lines[i], lines[i].replace(" ", "  "),
                                   lines[i] + "   ", lines[i].replace(" -> ", "->")])
        if rnd.random() < 0.3:
            lines.insert(rnd.randrange(len(lines)), "")
        text = "\n".join(lines) + ("" if rnd.random() < 0.2 else "\n")
        path = os.path.join(d, "p%d.dpl" % n)
        with open(path, "w") as f:
            f.write(text)
        want = run([dplc, "fmt", path]).stdout
        r = run([dplc, "fmt", "--check", path])
        if want.decode() == text:
            expect("--check of a formatted file", r, 0, stdout="")
            continue
        expect("--check of distorted program %d" % n, r, 1)
        pr = subprocess.run(["patch", "-s", "-o", path + ".out", path], input=r.stdout, capture_output=True)
        if pr.returncode != 0 or open(path + ".out", "rb").read() != want:
            fail("cli: fmt --check diff does not patch %s into its formatted text" % path,
                 "%r\n%s" % (text, r.stdout.decode()))


def cli(dplc, tmp):
    ugly = 'entity "e" {k1,k2}\nsources "s"\nadd { k1+1 -> n # note\n}\n'
    pretty = 'entity "e" {\n    k1\n    k2\n}\nsources "s"\nadd {\n    k1 + 1 -> n  # note\n}\n'
    bad = 'entity "e" {\n    k1 +\n}\n'
    d = os.path.join(tmp, "cli")
    os.makedirs(d)
    u, p, b = (os.path.join(d, n) for n in ("ugly.dpl", "pretty.dpl", "bad.dpl"))
    for path, text in ((u, ugly), (p, pretty), (b, bad)):
        with open(path, "w") as f:
            f.write(text)

    expect("print", run([dplc, "fmt", u]), 0, stdout=pretty)
    expect("stdin", run([dplc, "fmt", "-"], stdin=ugly.encode()), 0, stdout=pretty)
    expect("several files print in order", run([dplc, "fmt", u, p]), 0, stdout=pretty + pretty)
    expect("--check formatted", run([dplc, "fmt", "--check", p]), 0, stdout="")
    diff_u = run(["diff", "-u", "--label", u, "--label", u + " (formatted)", u, "-"], stdin=pretty.encode())
    expect("--check prints a unified diff of the unformatted files (as diff -u does)",
           run([dplc, "fmt", "--check", p, u]), 1, stdout=diff_u.stdout.decode())
    r = run([dplc, "fmt", "--check", "-"], stdin=ugly.encode())
    expect("--check stdin", r, 1)
    if not r.stdout.decode().startswith("--- <stdin>\n+++ <stdin> (formatted)\n@@ -1,4 +1,8 @@\n"):
        fail("cli: --check stdin diff header", r.stdout.decode())
    check_diffs_apply(dplc, tmp)
    expect("syntax error", run([dplc, "fmt", b]), 1, stdout="", stderr_has="error[E")
    expect("syntax error under --check", run([dplc, "fmt", "--check", b]), 1, stdout="", stderr_has="error[E")

    # --write: rewrites in place, keeps the mode, leaves no temporary files,
    # and does not touch a file that is already formatted.
    os.chmod(u, 0o640)
    before = os.stat(p).st_mtime_ns
    os.utime(p, ns=(before - 10**9, before - 10**9))
    before = os.stat(p).st_mtime_ns
    expect("--write", run([dplc, "fmt", "--write", u, p]), 0, stdout="")
    if open(u).read() != pretty:
        fail("cli: --write did not rewrite the file", open(u).read())
    if stat.S_IMODE(os.stat(u).st_mode) != 0o640:
        fail("cli: --write changed the file mode to %o" % stat.S_IMODE(os.stat(u).st_mode))
    if os.stat(p).st_mtime_ns != before:
        fail("cli: --write touched an already formatted file")
    if sorted(os.listdir(d)) != ["bad.dpl", "pretty.dpl", "ugly.dpl"]:
        fail("cli: --write left files behind: %s" % sorted(os.listdir(d)))
    expect("--write syntax error", run([dplc, "fmt", "--write", b]), 1, stderr_has="error[E")
    if open(b).read() != bad:
        fail("cli: --write rewrote a program with syntax errors")

    # Usage and I/O errors exit 2, and the worst status of several files wins.
    missing = os.path.join(d, "missing.dpl")
    expect("no file", run([dplc, "fmt"]), 2)
    expect("unknown option", run([dplc, "fmt", "--bogus", p]), 2)
    expect("--write stdin", run([dplc, "fmt", "--write", "-"], stdin=b""), 2)
    expect("--check with --write", run([dplc, "fmt", "--check", "--write", p]), 2)
    expect("missing file", run([dplc, "fmt", missing]), 2, stderr_has="missing.dpl")
    expect("missing file among good ones", run([dplc, "fmt", "--check", p, missing, b]), 2)
    expect("--help", run([dplc, "fmt", "--help"]), 0)


def main():
    global verbose
    ap = argparse.ArgumentParser()
    ap.add_argument("--dpl", required=True)
    ap.add_argument("--dplc", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    verbose = a.verbose
    root = os.path.abspath(a.root)
    dirs = [os.path.join(root, "examples"), os.path.join(root, "tests"),
            os.path.join(root, "..", "shared", "conformance", "cases"), "/work/shared/conformance/cases"]
    files, seen = [], set()
    for d in dirs:
        for f in sorted(glob.glob(os.path.join(d, "**", "*.dpl"), recursive=True)):
            real = os.path.realpath(f)
            if real not in seen:
                seen.add(real)
                files.append(f)
    tmp = tempfile.mkdtemp(prefix="dpl-fmt-")
    try:
        sweep(a.dplc, files, tmp)
        golden(a.dplc, root)
        cli(a.dplc, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
