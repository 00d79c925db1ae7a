#!/usr/bin/env python3
"""The command lines of `dpl` and `dplc` as a user meets them: --help on
every subcommand, --version, "did you mean" for a misspelt option or
command, `dplc explain` of every diagnostic and reject code, the shell
completion scripts (bash run for real; zsh and fish syntax-checked when
installed), the man pages (every option documented) and `meson install`.

usage: run_options.py --dpl PATH --dplc PATH --root SRCROOT [--build DIR] [-k REGEX]
The last line printed is 'N passed, N failed'.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import suite  # noqa: E402  (tests/suite.py: the runners' main loop)
from suite import eq  # noqa: E402

ARGS = None
TMP = None


def run(prog, *args, input=None, cwd=None):
    exe = {"dpl": ARGS.dpl, "dplc": ARGS.dplc}[prog]
    if isinstance(input, str):
        input = input.encode()
    p = subprocess.run([exe, *args], input=input, capture_output=True, timeout=60, cwd=cwd)
    p.out = p.stdout.decode("utf-8", "replace")
    p.err = p.stderr.decode("utf-8", "replace")
    return p


def subcommands(prog):
    """The subcommands `PROG --help` lists."""
    p = run(prog, "--help")
    eq(p.returncode, 0, prog + " --help")
    text = p.out.split("commands:\n", 1)[1]
    return [l.split()[0] for l in text.splitlines() if l.startswith("  ") and not l.strip().startswith(prog)]


def options(prog, cmd):
    """The options `PROG CMD --help` lists, long spellings first."""
    p = run(prog, cmd, "--help")
    text = p.out.split("options:\n", 1)[1]
    opts = []
    for l in text.splitlines():
        m = re.match(r"\s+(-\w, )?(--?[\w-]+)", l)
        if m:
            opts.append(m.group(2))
    return opts


# ---- help, version, did you mean ----------------------------------------------


def test_every_subcommand_has_help():
    for prog in ("dpl", "dplc"):
        cmds = subcommands(prog)
        assert len(cmds) >= 3, (prog, cmds)
        for c in cmds:
            for flag in ("--help", "-h"):
                p = run(prog, c, flag)
                eq(p.returncode, 0, "%s %s %s" % (prog, c, flag))
                assert p.out.startswith("usage: %s %s" % (prog, c)), p.out[:80]
                assert "--help" in p.out and p.err == "", (prog, c, p.err)


def test_explain_help_is_help():
    p = run("dplc", "explain", "--help")
    eq(p.returncode, 0, "dplc explain --help")
    assert p.out.startswith("usage: dplc explain CODE"), p.out
    assert "--all" in p.out and "cast_failed" in p.out


def test_version_on_both_programs():
    for prog in ("dpl", "dplc"):
        p = run(prog, "--version")
        eq(p.returncode, 0, prog + " --version")
        assert re.fullmatch(prog + r" \d+\.\d+\.\d+\n", p.out), p.out


def test_unknown_option_suggests_instead_of_usage():
    cases = [
        (("dpl", "run", "--reject", "x.ndjson", "p.dpl"), "did you mean `--rejects`?"),
        (("dpl", "run", "--stat", "p.dpl"), "did you mean `--stats`?"),
        (("dplc", "check", "--fromat", "json", "p.dpl"), "did you mean `--format`?"),
        (("dplc", "fmt", "--chek", "p.dpl"), "did you mean `--check`?"),
        (("dplc", "explain", "--al"), "did you mean `--all`?"),
    ]
    for args, want in cases:
        p = run(*args)
        eq(p.returncode, 2, " ".join(args))
        assert want in p.err, (args, p.err)
        # one message and a pointer to --help, not the whole usage text
        assert len(p.err.splitlines()) == 2 and "usage:" not in p.err, p.err
        eq(p.out, "", " ".join(args))


def test_unknown_option_far_from_any_lists_nothing_wrong():
    p = run("dpl", "run", "--zzzzzz", "p.dpl")
    eq(p.returncode, 2, "exit")
    assert "unknown option `--zzzzzz`" in p.err and "did you mean" not in p.err, p.err


def test_unknown_command_suggests():
    p = run("dplc", "chek", "a.dpl")
    eq(p.returncode, 2, "exit")
    eq(p.err, "dplc: unknown command `chek`; did you mean `check`?\n", "message")
    p = run("dpl", "rum")
    assert "did you mean `run`?" in p.err, p.err


def test_bad_choice_names_the_choices():
    p = run("dplc", "check", "--format", "xml", "a.dpl")
    eq(p.returncode, 2, "exit")
    assert "`--format` is human or json, not `xml`" in p.err, p.err
    p = run("dplc", "check", "--color=sometimes", "a.dpl")
    assert "auto, always or never" in p.err, p.err


def test_option_spellings_still_work():
    prog = os.path.join(TMP, "ok.dpl")
    with open(prog, "w") as f:
        f.write('entity "e" { id }\nsources "s"\n')
    for args in (["-W", "error"], ["-Werror"], ["-W=error"], ["--format=json"], ["--color", "never"], ["--"]):
        p = run("dplc", "check", *args, prog)
        eq(p.returncode, 0, "dplc check %s: %s" % (args, p.err))
    rec = '{"data":{"id":1},"metadata":{"source":"s"}}\n'
    for args in (["-j2"], ["-j", "2"], ["--jobs=2"], ["--max-record-bytes", "1k"]):
        p = subprocess.run([ARGS.dpl, "run", *args, prog], input=rec.encode(), capture_output=True)
        eq(p.returncode, 0, "dpl run %s: %r" % (args, p.stderr))
        assert b'"entity":"e"' in p.stdout
    p = run("dpl", "run", "--jobs", "0", prog)
    assert "--jobs needs a number" in p.err, p.err
    p = run("dpl", "run", "-j", "x", prog)
    assert "-j needs a number" in p.err, p.err


# ---- explain ------------------------------------------------------------------

REJECT_CODES = ["invalid_json", "not_an_object", "missing_source", "missing_mandatory", "requirement_failed",
                "missing_key", "cast_failed", "type_error", "arithmetic_error", "limit_exceeded"]


def test_explain_every_reject_code():
    for code in REJECT_CODES:
        p = run("dplc", "explain", code)
        eq(p.returncode, 0, "dplc explain " + code)
        assert p.out.startswith(code + " (reject): "), p.out[:60]
        # a paragraph, then an indented example
        assert "\n\n    " in p.out, p.out
    p = run("dplc", "explain", "CAST_FAILED")
    eq(p.returncode, 0, "case-insensitive")


def test_explain_unknown_code_suggests():
    p = run("dplc", "explain", "cast_faild")
    eq(p.returncode, 2, "exit")
    assert "did you mean `cast_failed`?" in p.err, p.err
    p = run("dplc", "explain", "E3033")
    assert "did you mean `E303`?" in p.err, p.err


def test_reject_codes_the_runtime_uses_are_all_explained():
    # the codes docs/run.md lists are exactly the ones dplc explain knows
    with open(os.path.join(ARGS.root, "docs", "errors.md")) as f:
        errors_md = f.read()
    for code in REJECT_CODES:
        assert "\n## %s (reject): " % code in errors_md, code


# ---- dplc check: machine-applicable fixes and --fix ------------------------------

FIXABLE = """entity fipe { id }
sources fipe
mandatry { a }
requirement { a = 1
   b \u2260 2 }
add {
    lenn(x) -> w
    x as number -> u
    'sorce -> o
    data.pre\u00e7o -> p
    data.if -> q
    \u201ctypo\u201d -> r
    'single' -> s
    x if y = 1
    z = 3
}
"""

FIXED = """entity "fipe" { id }
sources "fipe"
mandatory { a }
requirement { a == 1
   b != 2 }
add {
    len(x) -> w
    x as float -> u
    'source -> o
    data."pre\u00e7o" -> p
    data."if" -> q
    "typo" -> r
    "single" -> s
    x if y == 1
    z = 3
}
"""


def test_check_json_has_machine_applicable_fixes():
    path = os.path.join(TMP, "fixable.dpl")
    with open(path, "w") as f:
        f.write(FIXABLE)
    p = run("dplc", "check", "--format", "json", path)
    eq(p.returncode, 1, "exit")
    import json
    diags = json.loads(p.out)["diagnostics"]
    raw = FIXABLE.encode()
    got = []
    for d in diags:
        for fx in d.get("fixes", []):
            s, e = fx["span"]["start"], fx["span"]["end"]
            # the span is a real span: offsets, lines and columns agree
            eq(raw[:s["offset"]].decode().count("\n") + 1, s["line"], "fix line")
            got.append((raw[s["offset"]:e["offset"]].decode(), fx["replacement"], d["code"]))
    want = [("fipe", '"fipe"', "E201"), ("fipe", '"fipe"', "E201"), ("mandatry", "mandatory", "E203"),
            ("=", "==", "E101"), ("\u2260", "!=", "E101"), ("lenn", "len", "E303"), ("number", "float", "E307"),
            ("'sorce", "'source", "E310"), ("pre\u00e7o", '"pre\u00e7o"', "E101"), ("if", '"if"', "E201"),
            ("\u201ctypo\u201d", '"typo"', "E101"), ("'single'", '"single"', "E101"), ("=", "==", "E101")]
    eq(sorted(got), sorted(want), "fixes")
    # `z = 3` in an add item may have meant `3 -> z`: no fix is certain there
    z = [d for d in diags if d["span"]["start"]["line"] == 15]
    assert z and "fixes" not in z[0], z


def test_check_fix_rewrites_atomically_and_reports_the_rest():
    d = os.path.join(TMP, "fixdir")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "p.dpl")
    with open(path, "w") as f:
        f.write(FIXABLE)
    os.chmod(path, 0o640)
    p = run("dplc", "check", "--fix", path)
    eq(p.returncode, 1, "exit: `z = 3` is left")
    assert p.err.startswith("dplc check: fixed 13 problems in %s\n" % path), p.err
    assert "error[E101]: unexpected character `=`" in p.err and "1 error, 0 warnings" in p.err, p.err
    with open(path, encoding="utf-8") as f:
        eq(f.read(), FIXED, "fixed text")
    eq(oct(os.stat(path).st_mode & 0o777), oct(0o640), "mode kept")
    eq(sorted(os.listdir(d)), ["p.dpl"], "no temporary file left")
    # nothing left to fix: the file is not touched again
    mtime = os.stat(path).st_mtime_ns
    p = run("dplc", "check", "--fix", path)
    assert "fixed" not in p.err, p.err
    eq(os.stat(path).st_mtime_ns, mtime, "untouched")
    # JSON output after --fix reports what is left
    p = run("dplc", "check", "--fix", "--format", "json", path)
    import json
    eq([x["code"] for x in json.loads(p.out)["diagnostics"]], ["E101"], "left")
    p = run("dplc", "check", "--fix", "-", input=FIXABLE)
    eq(p.returncode, 2, "--fix of stdin")
    # a clean program: exit 0, no message
    ok = os.path.join(d, "ok.dpl")
    with open(ok, "w") as f:
        f.write('entity "e" { id }\nsources "s"\n')
    p = run("dplc", "check", "--fix", ok)
    eq((p.returncode, p.err), (0, ""), "clean")


# ---- docs/run.md: the int64 deviation from RFC 8785 ------------------------------


def test_ids_keep_int64_exact_and_run_md_says_so():
    prog = os.path.join(TMP, "ids.dpl")
    with open(prog, "w") as f:
        f.write('entity "e" { k }\nsources "s"\n')
    recs = "".join('{"data":{"k":%s},"metadata":{"source":"s"}}\n' % k
                   for k in ("9007199254740993", "9007199254740992", "1", "1.0"))
    p = subprocess.run([ARGS.dpl, "run", prog], input=recs.encode(), capture_output=True)
    ids = [l.split('"id":"')[1][:64] for l in p.stdout.decode().splitlines()]
    eq(len(ids), 4, "entities")
    assert ids[0] != ids[1], "2^53+1 and 2^53 must not share an id"
    eq(ids[2], ids[3], "1 and 1.0 (RFC 8785 number formatting)")
    with open(os.path.join(ARGS.root, "docs", "run.md")) as f:
        run_md = f.read()
    assert "RFC 8785" in run_md and "9007199254740993" in run_md and "deviation" in run_md, \
        "docs/run.md must state the int64 deviation from RFC 8785"


# ---- completion ---------------------------------------------------------------


def bash_complete(prog, words, cwd):
    """COMPREPLY of the generated bash completion for the command line words
    (the last word is the one being completed)."""
    script = run(prog, "completion", "bash").out
    path = os.path.join(TMP, prog + ".bash")
    with open(path, "w") as f:
        f.write(script)
    line = [prog] + words
    sh = ('source %s\nCOMP_WORDS=(%s)\nCOMP_CWORD=%d\n_%s\nprintf "%%s\\n" "${COMPREPLY[@]}"\n'
          % (path, " ".join("'%s'" % w for w in line), len(line) - 1, prog))
    p = subprocess.run(["bash", "--norc", "-c", sh], capture_output=True, cwd=cwd, timeout=30)
    eq(p.stderr, b"", "bash stderr for %s" % words)
    return sorted(l for l in p.stdout.decode().splitlines() if l)


def test_bash_completion_knows_commands_options_and_file_kinds():
    d = os.path.join(TMP, "compl")
    os.makedirs(os.path.join(d, "sub"), exist_ok=True)
    for n in ("rules.dpl", "events.ndjson", "more.jsonl", "notes.txt"):
        open(os.path.join(d, n), "w").close()
    eq(bash_complete("dpl", [""], d), ["--help", "--version", "completion", "repl", "run", "test"], "dpl TAB")
    eq(bash_complete("dpl", ["r"], d), ["repl", "run"], "dpl r TAB")
    eq(bash_complete("dpl", ["run", "--re"], d), ["--rejects"], "dpl run --re TAB")
    eq(bash_complete("dpl", ["run", ""], d), ["rules.dpl", "sub"], "program")
    eq(bash_complete("dpl", ["run", "rules.dpl", ""], d), ["events.ndjson", "more.jsonl", "sub"], "inputs")
    eq(bash_complete("dpl", ["run", "--rejects", "out", "rules.dpl", ""], d),
       ["events.ndjson", "more.jsonl", "sub"], "inputs after an option with a value")
    eq(bash_complete("dpl", ["run", "--rejects", ""], d),
       ["events.ndjson", "more.jsonl", "notes.txt", "rules.dpl", "sub"], "any file")
    eq(bash_complete("dplc", ["check", "--format", ""], d), ["human", "json"], "choices")
    eq(bash_complete("dplc", ["explain", "cast"], d), ["cast_failed"], "codes")
    w = bash_complete("dplc", ["explain", "W40"], d)
    assert "W401" in w and "W404" in w and all(c.startswith("W40") for c in w), w
    eq(bash_complete("dplc", ["fmt", ""], d), ["rules.dpl", "sub"], "fmt files")
    eq(bash_complete("dpl", ["completion", ""], d), ["bash", "fish", "zsh"], "shells")
    open(os.path.join(d, "rules.dpltest"), "w").close()
    eq(bash_complete("dpl", ["test", ""], d), ["rules.dpltest", "sub"], "rule tests")
    os.remove(os.path.join(d, "rules.dpltest"))


def test_fish_completion_when_fish_is_installed():
    if not shutil.which("fish"):
        print("     (fish not installed: skipped; scripts/setup --dev installs it)")
        return
    d = os.path.join(TMP, "fish")
    os.makedirs(os.path.join(d, "sub"), exist_ok=True)
    for n in ("rules.dpl", "events.ndjson", "notes.txt"):
        open(os.path.join(d, n), "w").close()
    scripts = []
    for prog in ("dpl", "dplc"):
        path = os.path.join(TMP, prog + ".fish")
        with open(path, "w") as f:
            f.write(run(prog, "completion", "fish").out)
        scripts.append(path)

    def fish(line):
        sh = "; ".join("source %s" % s for s in scripts) + "; complete -C %s" % shlex.quote(line)
        p = subprocess.run(["fish", "--no-config", "-c", sh], capture_output=True, cwd=d, timeout=30)
        return [l.split("\t")[0] for l in p.stdout.decode().splitlines()]

    eq(sorted(fish("dpl r")), ["repl", "run"], "commands")
    eq(fish("dpl run --re"), ["--rejects"], "option")
    eq(sorted(fish("dplc check --format ")), ["human", "json"], "choices")
    eq(fish("dplc explain cast"), ["cast_failed"], "codes")
    assert fish("dpl run ")[0] == "rules.dpl", fish("dpl run ")  # programs first
    assert fish("dpl run rules.dpl ")[0] == "events.ndjson", fish("dpl run rules.dpl ")


def test_zsh_completion_when_zsh_is_installed():
    if not shutil.which("zsh"):
        print("     (zsh not installed: skipped; scripts/setup --dev installs it)")
        return
    fdir, d = os.path.join(TMP, "zfunc"), os.path.join(TMP, "zsh")
    os.makedirs(fdir, exist_ok=True)
    os.makedirs(os.path.join(d, "sub"), exist_ok=True)
    for n in ("rules.dpl", "events.ndjson", "notes.txt"):
        open(os.path.join(d, n), "w").close()
    for prog in ("dpl", "dplc"):
        with open(os.path.join(fdir, "_" + prog), "w") as f:
            f.write(run(prog, "completion", "zsh").out)
    env = dict(os.environ, PATH=os.path.dirname(os.path.abspath(ARGS.dpl)) + os.pathsep + os.environ["PATH"])
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "zsh_complete.zsh")
    cases = [("dpl run --re", "dpl run --rejects="), ("dplc check --format ", "human  json"),
             ("dplc explain cast", "dplc explain cast_failed"), ("dpl run rules.dpl ", "events.ndjson  sub/")]
    procs = [(line, want, subprocess.Popen(["zsh", "-f", script, fdir, line, d, want], stdout=subprocess.PIPE,
                                           stderr=subprocess.STDOUT, env=env)) for line, want in cases]
    for line, want, p in procs:
        out, _ = p.communicate(timeout=60)
        shown = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", out).replace(b"\r", b"").decode(errors="replace")
        assert want in shown, "zsh completion of %r: %r not shown:\n%s" % (line, want, shown[-400:])
        if line == "dpl run rules.dpl ":
            assert "rules.dpl  " not in shown.split("dpl run rules.dpl")[-1], shown[-300:]


def test_every_option_is_in_every_completion_script():
    for prog in ("dpl", "dplc"):
        scripts = {sh: run(prog, "completion", sh).out for sh in ("bash", "zsh", "fish")}
        for cmd in subcommands(prog):
            for opt in options(prog, cmd):
                assert opt in scripts["bash"], (prog, cmd, opt, "bash")
                assert opt in scripts["zsh"], (prog, cmd, opt, "zsh")
                fish = ("-l " + opt[2:]) if opt.startswith("--") else ("-s " + opt[1:])
                assert fish in scripts["fish"], (prog, cmd, opt, "fish")
        for sh, interp in (("bash", ["bash", "-n"]), ("zsh", ["zsh", "-n"]), ("fish", ["fish", "-n"])):
            if shutil.which(interp[0]):
                p = subprocess.run(interp, input=scripts[sh].encode(), capture_output=True)
                eq(p.returncode, 0, "%s -n %s: %r" % (sh, prog, p.stderr))
        p = run(prog, "completion", "tcsh")
        eq(p.returncode, 2, "unknown shell")


# ---- man pages and install ------------------------------------------------------


def man_source(name):
    with open(os.path.join(ARGS.root, "docs", "man", name + ".scd")) as f:
        return f.read()


def test_man_pages_document_every_subcommand_and_option():
    for prog, page in (("dpl", "dpl.1"), ("dplc", "dplc.1")):
        text = man_source(page)
        for cmd in subcommands(prog):
            assert ("*%s %s*" % (prog, cmd)) in text, (page, cmd)
            for opt in options(prog, cmd):
                assert ("*%s*" % opt) in text or ("*%s " % opt) in text, (page, cmd, opt)
    lang = man_source("dpl-language.7")
    for word in ("entity", "sources", "mandatory", "requirement", "add", "append", "overwrite", "delete"):
        assert "*%s*" % word in lang, word


def test_man_pages_build_with_scdoc():
    if not shutil.which("scdoc"):
        print("     (scdoc not installed: skipped)")
        return
    for page in ("dpl.1", "dplc.1", "dpl-language.7"):
        p = subprocess.run(["scdoc"], input=man_source(page).encode(), capture_output=True)
        eq(p.returncode, 0, "scdoc %s: %r" % (page, p.stderr))
        assert p.stdout.startswith(b".\\\" Generated by scdoc"), page
        assert b".SH NAME" in p.stdout


def test_meson_install_installs_everything():
    if not ARGS.build or not shutil.which("meson"):
        print("     (no --build: skipped)")
        return
    dest = os.path.join(TMP, "destdir")
    p = subprocess.run(["meson", "install", "-C", ARGS.build, "--destdir", dest, "--no-rebuild", "--quiet"],
                       capture_output=True, timeout=300)
    eq(p.returncode, 0, "meson install: %r" % p.stderr[-500:])
    found = set()
    for base, _, files in os.walk(dest):
        for f in files:
            found.add(os.path.relpath(os.path.join(base, f), dest))
    want = [r"bin/dpl$", r"bin/dplc$", r"share/man/man1/dpl\.1$", r"share/man/man1/dplc\.1$",
            r"share/man/man7/dpl-language\.7$", r"share/bash-completion/completions/dpl$",
            r"share/bash-completion/completions/dplc$", r"share/zsh/site-functions/_dpl$",
            r"share/zsh/site-functions/_dplc$", r"share/fish/vendor_completions\.d/dpl\.fish$",
            r"share/fish/vendor_completions\.d/dplc\.fish$", r"share/doc/dpl/README\.md$",
            r"share/doc/dpl/language\.md$", r"share/doc/dpl/errors\.md$", r"share/doc/dpl/examples/fipe\.dpl$"]
    for w in want:
        assert any(re.search(w, f) for f in found), "not installed: %s (got %s)" % (w, sorted(found)[:40])


def main():
    suite.main(globals(), options=lambda ap: ap.add_argument("--build", default=""))

if __name__ == "__main__":
    main()
