#!/usr/bin/env python3
"""Hardening tests: the documented limits (docs/limits.md) give clean errors,
never a crash or a hang; I/O failures give one message and the documented
exit status; and on a stream with ~5% corrupted lines every line ends up in
exactly one place, with the tree evaluator and engine/, at -j 1 and -j 2.

usage: run_hard.py --dpl PATH --dplc PATH --root SRCROOT [-k REGEX] [--wrap CMD]
The last line printed is 'N passed, N failed'.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import suite  # noqa: E402  (tests/suite.py: the runners' main loop)

ARGS = None
TMP = None

PROGRAM = 'entity "e" { k }\nsources "s"\nmandatory { k }\nadd {\n    k\n    v\n    \'line -> linha\n}\n'
PLAIN = 'entity "e" { k }\nsources "s"\nmandatory { k }\nadd {\n    k\n    v\n}\n'


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    return path


def run(argv, input=None, timeout=120, **kw):
    if isinstance(input, str):
        input = input.encode()
    return subprocess.run(argv, input=input, capture_output=True, timeout=timeout, **kw)


def dpl(*args, **kw):
    return run([ARGS.dpl, *args], **kw)


def dplc(*args, **kw):
    return run([ARGS.dplc, *args], **kw)


def eq(got, want, what=""):
    if got != want:
        raise AssertionError("%s: got %.300r, expected %.300r" % (what, got, want))


def slow():
    """Time limits are for the programs as built; under --wrap (valgrind
    runs them ~20-50 times slower) they only guard against hangs."""
    return 20 if ARGS.wrap else 1


def crashed(p):
    """Exit statuses that mean a signal or a sanitizer/valgrind finding."""
    return p.returncode < 0 or p.returncode >= 99


def rec(k, v=1, source="s"):
    return json.dumps({"data": {"k": k, "v": v}, "metadata": {"source": source}})


def rejects(p_or_text):
    text = p_or_text if isinstance(p_or_text, str) else p_or_text.stderr.decode("utf-8")
    return [json.loads(l) for l in text.splitlines() if l.startswith('{"line"')]


def stats_of(p):
    for l in reversed(p.stderr.decode("utf-8", "replace").splitlines()):
        if l.startswith('{"records"'):
            return json.loads(l)
    raise AssertionError("no stats line: %r" % p.stderr[-300:])


def engines():
    """Both engines: the reference (--engine tree) and engine/, the default."""
    return [["--engine", "tree"], []]


def jobs():
    help_text = dpl("run", "--help").stdout.decode()
    return [["-j", "1"], ["-j", "2"]] if "--jobs" in help_text else [[]]


# ---- limits: record reader ----------------------------------------------------------

def test_json_nesting_million_brackets_is_limit_exceeded():
    pr = write("p.dpl", PLAIN)
    deep = [b"[" * 1000000, b'{"a":' * 1000000, b'{"data":' + b"[" * 1000000 + b"]" * 1000000 + b"}"]
    inp = b"\n".join(deep) + b"\n" + rec("ok").encode() + b"\n"
    for eng in engines():
        p = dpl("run", "--stats", *eng, pr, input=inp)
        eq(p.returncode, 0, "exit %s" % eng)
        r = rejects(p)
        eq([x["errors"][0]["code"] for x in r], ["limit_exceeded"] * 3, "codes %s" % eng)
        for x in r:
            assert "512" in x["errors"][0]["message"], x["errors"][0]["message"]
        eq(len(p.stdout.splitlines()), 1, "the next line is still processed")


def test_json_nesting_512_is_accepted_513_is_not():
    pr = write("p.dpl", PLAIN)
    # the envelope object is level 1, data level 2: v nests 510 more arrays
    ok = '{"data":{"k":"a","v":%s1%s},"metadata":{"source":"s"}}' % ("[" * 510, "]" * 510)
    bad = '{"data":{"k":"b","v":%s1%s},"metadata":{"source":"s"}}' % ("[" * 511, "]" * 511)
    for eng in engines():
        p = dpl("run", *eng, pr, input=ok + "\n" + bad + "\n")
        eq(p.returncode, 0, "exit")
        eq([json.loads(l)["data"]["k"] for l in p.stdout.splitlines()], ["a"], "512 levels emitted %s" % eng)
        eq([x["errors"][0]["code"] for x in rejects(p)], ["limit_exceeded"], "513 levels %s" % eng)


def test_default_max_record_bytes_is_16_mib():
    pr = write("p.dpl", PLAIN)
    filler = 16 * 1024 * 1024 - len(rec("x", ""))
    at_limit = rec("a", "x" * filler)
    assert len(at_limit) == 16 * 1024 * 1024
    over = rec("b", "x" * (filler + 1))
    p = dpl("run", "--stats", pr, input=at_limit + "\n" + over + "\n", timeout=300)
    eq(p.returncode, 0, "exit")
    eq(len(p.stdout.splitlines()), 1, "a record of exactly 16 MiB is processed")
    r = rejects(p)
    eq([x["errors"][0]["code"] for x in r], ["limit_exceeded"], "one byte more is limit_exceeded")
    eq(len(r[0]["raw"]), 1024, "the reject keeps a 1024-byte prefix")
    assert str(len(over)) in r[0]["errors"][0]["message"], r[0]["errors"][0]["message"]


def test_limit_exceeded_reject_is_bounded():
    """A 20 MB line with --max-record-bytes 1m: the reject line stays small."""
    pr = write("p.dpl", PLAIN)
    big = rec("a", "\u00e9" * (10 << 20))  # 2-byte characters: the prefix must not split one badly
    for j in jobs():
        rj = os.path.join(TMP, "big-rejects.ndjson")
        p = dpl("run", "--max-record-bytes", "1m", "--rejects", rj, *j, pr, input=big + "\n" + rec("b") + "\n")
        eq(p.returncode, 0, "exit %s" % j)
        eq(len(p.stdout.splitlines()), 1, "the next record %s" % j)
        size = os.path.getsize(rj)
        assert size < 4096, "reject line of %d bytes for a 20 MB line" % size
        r = rejects(open(rj, encoding="utf-8").read())
        eq(r[0]["errors"][0]["code"], "limit_exceeded", "code")


def test_records_nul_invalid_utf8_crlf_last_line():
    pr = write("p.dpl", PLAIN)
    lines = [
        b'{"data":{"k":"a\x00"},"metadata":{"source":"s"}}',        # raw NUL inside a string
        b'{"data":{"k":"a"},"metadata":{"source":"s"}}\x00',        # NUL after the value
        b'{"data":{"k":"\xc3\x28"},"metadata":{"source":"s"}}',     # invalid UTF-8
        b'{"data":{"k":"\xed\xa0\x80"},"metadata":{"source":"s"}}', # UTF-8 encoded surrogate
        b'{"data":{"k":"\xf4\x90\x80\x80"},"metadata":{"source":"s"}}',  # beyond U+10FFFF
        b'{"data":{"k":"ok\\u0000"},"metadata":{"source":"s"}}\r',  # escaped NUL is fine; CRLF
        b'{"data":{"k":"last"},"metadata":{"source":"s"}}',         # no newline at the end
    ]
    inp = b"\r\n".join(lines)
    for eng in engines():
        for j in jobs():
            p = dpl("run", "--stats", *eng, *j, pr, input=inp)
            eq(p.returncode, 0, "exit")
            r = rejects(p)
            eq([x["line"] for x in r], [1, 2, 3, 4, 5], "rejected lines %s %s" % (eng, j))
            eq({x["errors"][0]["code"] for x in r}, {"invalid_json"}, "codes")
            for x in r:
                assert "\x00" not in x["raw"] or x["line"] != 3, x
            out = [json.loads(l)["data"]["k"] for l in p.stdout.decode("utf-8").splitlines()]
            eq(out, ["ok\x00", "last"], "emitted %s %s" % (eng, j))
            s = stats_of(p)
            eq((s["records"], s["emitted"], s["rejected"]), (7, 2, 5), "stats")


def test_raw_base64_gives_the_exact_bytes_back():
    """Nothing lost, the bytes included: a reject whose raw is not the line
    (invalid UTF-8 as U+FFFD, NUL, CR-only line ends) carries raw_base64,
    the line's exact bytes (with the CR of CRLF); decoding every one and
    adding LF gives the input back.  A reject whose raw is exact has none."""
    import base64
    pr = write("p.dpl", PLAIN)
    ok = b'{"data":{"k":"a"},"metadata":{"source":"s"}}'
    lines = [
        b'{"data":{"k":"\xff\xfe"},"metadata":{"source":"s"}}',            # invalid UTF-8
        b'{"data":{"k":"a\x00"},"metadata":{"source":"s"}}\r',             # NUL, CRLF
        ok + b"\r" + ok.replace(b'"a"', b'"b"') + b"\r",                    # CR-only line ends
        b'{"data":{"k":"a"},"metadata":{"source":"s"}',                     # plain invalid JSON
        b'{"data":\xc3\x28}\r',                                             # invalid UTF-8, CRLF
        ok,
    ]
    inp = b"\n".join(lines)  # the last line has no LF
    for eng in engines():
        for j in jobs():
            p = dpl("run", *eng, *j, pr, input=inp)
            eq(p.returncode, 0, "exit")
            r = {x["line"]: x for x in rejects(p)}
            eq(sorted(r), [1, 2, 3, 4, 5], "rejected lines %s %s" % (eng, j))
            for n in (1, 2, 3, 5):
                assert "raw_base64" in r[n], "line %d has no raw_base64: %r" % (n, r[n])
                eq(base64.b64decode(r[n]["raw_base64"]), lines[n - 1], "line %d bytes %s %s" % (n, eng, j))
            assert "raw_base64" not in r[4], "raw is exact, yet: %r" % r[4]
            eq(r[4]["raw"].encode(), lines[3], "raw of line 4")
            eq(r[2]["raw"], lines[1][:-1].decode(), "raw has the NUL as \\u0000, not the CR")
    # beyond --max-record-bytes: the same first 1024 bytes, exactly
    long_line = b'{"data":{"k":"' + b"\xe9" * 3000 + b'"}}'
    p = dpl("run", "--max-record-bytes", "2000", pr, input=long_line + b"\n")
    x = rejects(p)[0]
    eq(x["errors"][0]["code"], "limit_exceeded", "code")
    eq(base64.b64decode(x["raw_base64"]), long_line[:1024], "prefix bytes")


def test_escaped_nul_in_object_key_is_a_documented_limit():
    """JSONTestSuite y_object_escaped_null_in_key: valid JSON, which jansson
    cannot hold.  The reject says so (limit_exceeded, docs/limits.md) instead
    of calling the line invalid JSON; both engines, -j 1 and 2, --raw."""
    pr = write("p.dpl", PLAIN)
    lines = [b'{"data":{"k":"a","foo\\u0000bar":42},"metadata":{"source":"s"}}',
             b'{"data":{"k":"b"},"metadata":{"source":"s","\\u0000":1}}',
             b'{"data":{"k":"c"},"metadata":{"source":"s"}}']
    inp = b"\n".join(lines) + b"\n"
    for eng in engines():
        for j in jobs():
            p = dpl("run", "--stats", *eng, *j, pr, input=inp)
            eq(p.returncode, 0, "exit")
            r = rejects(p)
            eq([x["line"] for x in r], [1, 2], "rejected lines %s %s" % (eng, j))
            for x in r:
                eq(x["errors"][0]["code"], "limit_exceeded", "code")
                m = x["errors"][0]["message"]
                assert "\\u0000" in m and "valid JSON" in m and "docs/limits.md" in m, m
            eq(r[0]["raw"].encode(), lines[0], "raw")
            eq(stats_of(p)["emitted"], 1, "the next line is processed")
    p = dpl("run", "--raw", pr, input=b'{"k":"a","\\u0000":1}\n')
    eq(rejects(p)[0]["errors"][0]["code"], "limit_exceeded", "--raw")


# ---- limits: programs ---------------------------------------------------------------

HDR = 'entity "e" { k }\nsources "s"\nadd {\n'


def expect_too_deep(text, what):
    pr = write("deep.dpl", text)
    for argv in ([ARGS.dplc, "check", pr], [ARGS.dplc, "fmt", pr], [ARGS.dplc, "ast", pr],
                 [ARGS.dpl, "run", pr]):
        t0 = time.time()
        p = run(argv, input=rec("a"), timeout=120)
        assert not crashed(p), "%s: %s crashed (exit %d)" % (what, argv[1], p.returncode)
        eq(p.returncode, 2 if argv[0] == ARGS.dpl else 1, "%s: exit of %s" % (what, argv[1]))
        err = p.stderr.decode("utf-8") + p.stdout.decode("utf-8")
        assert "E201" in err and "nested too deeply" in err, "%s: %s: %r" % (what, argv[1], err[:300])
        assert time.time() - t0 < 30 * slow(), "%s: %s took %.1fs" % (what, argv[1], time.time() - t0)


def test_expression_nesting_is_a_diagnostic():
    n = 100000
    expect_too_deep(HDR + "(" * n + "k" + ")" * n + " -> x\n}\n", "parentheses")
    expect_too_deep(HDR + "abs(" * n + "k" + ")" * n + " -> x\n}\n", "calls")
    expect_too_deep(HDR + "[" * n + "k" + "]" * n + " -> x\n}\n", "array literals")
    expect_too_deep(HDR + "-" * n + "k -> x\n}\n", "unary minus")
    expect_too_deep(HDR + "not " * n + "true -> x\n}\n", "not")


def test_operator_chains_are_limited():
    """A 100000-term chain is parsed by a loop, but the tree it builds is what
    the checker, evaluator and formatter recurse over."""
    n = 100000
    expect_too_deep(HDR + " + ".join(["k"] * n) + " -> x\n}\n", "+ chain")
    expect_too_deep(HDR + " and ".join(["true"] * n) + " -> x\n}\n", "and chain")
    expect_too_deep(HDR + " ?? ".join(["k"] * n) + " -> x\n}\n", "?? chain")
    expect_too_deep(HDR + "k" + " as int" * n + " -> x\n}\n", "cast chain")
    expect_too_deep("entity \"e\" { k }\nrequirement { " + " or ".join(["k == 1"] * n) + " }\n", "or chain")


def test_chain_just_below_the_limit_works_everywhere():
    text = HDR + " + ".join(["v"] * 999) + " -> x\n}\n"
    pr = write("chain999.dpl", text)
    p = dplc("check", pr)
    eq(p.returncode, 0, "check: %s" % p.stdout[:300])
    f = dplc("fmt", pr)
    eq(f.returncode, 0, "fmt")
    again = write("chain999-fmt.dpl", f.stdout)
    eq(dplc("fmt", again).stdout, f.stdout, "fmt is idempotent on a 999-term chain")
    p = dpl("run", pr, input=rec("a", 2))
    eq(p.returncode, 0, "run")
    eq(json.loads(p.stdout)["data"]["x"], 2 * 999, "value")


def test_ten_megabyte_program_is_checked_quickly():
    """Program size has no hard limit (the text must fit in memory): a 10 MB
    program of 200000 add items checks in seconds, not minutes."""
    items = "\n".join('    "%s" -> x%d' % ("y" * 40, i) for i in range(200000))
    pr = write("big.dpl", HDR + items + "\n}\n")
    assert os.path.getsize(pr) > 10 * 1000 * 1000
    t0 = time.time()
    p = dplc("check", pr, timeout=120)
    eq(p.returncode, 0, "exit")
    assert time.time() - t0 < 20 * slow(), "dplc check of a 10 MB program took %.1fs" % (time.time() - t0)


def test_program_over_64_mib_is_refused_without_reading_it_all():
    pr = write("huge.dpl", b"#" * (64 * 1024 * 1024 + 1))
    for prog in (pr, "/dev/zero"):
        for argv in ([ARGS.dplc, "check", prog], [ARGS.dplc, "fmt", prog], [ARGS.dpl, "run", prog]):
            p = run(argv, input=b"", timeout=60)
            eq(p.returncode, 2, "exit of %s %s" % (argv[1], prog))
            err = p.stderr.decode().strip().splitlines()
            eq(len(err), 1, "one message: %r" % err)
            assert "64 MiB" in err[0] and prog in err[0], err


def test_long_line_program_with_error_at_the_end():
    """300000 items on one 2.5 MB line and a typo at its end: the diagnostic
    comes in seconds and shows a window of the line, not all of it."""
    items = ", ".join("k%d" % i for i in range(300000))
    pr = write("longline.dpl", 'entity "e" { k }\nsources "s"\nadd { ' + items + ", lenn(k) -> z }\n")
    t0 = time.time()
    p = dplc("check", pr, timeout=120)
    took = time.time() - t0
    eq(p.returncode, 1, "exit")
    out = p.stdout.decode() + p.stderr.decode()
    assert "E303" in out and "did you mean `len`" in out, out[:500]
    assert took < 20 * slow(), "dplc check took %.1fs" % took
    assert max(len(l) for l in out.splitlines()) < 400, "the long line is printed whole"


def test_many_add_items_run_quickly():
    """dpl run of a 5000-item plain-path program: building the engine must
    not be cubic in the number of paths (the old direct engine took 86 s;
    10000 items 419 s)."""
    items = "\n".join("    v%d" % i for i in range(5000))
    pr = write("items.dpl", HDR + items + "\n}\n")
    t0 = time.time()
    try:
        p = dpl("run", pr, input=rec("a"), timeout=60 * slow())
    except subprocess.TimeoutExpired:
        raise AssertionError("dpl run of a 5000-item program did not finish in 60 s (scan/plan.c)")
    eq(p.returncode, 0, "exit")
    assert time.time() - t0 < 10 * slow(), "dpl run took %.1fs" % (time.time() - t0)


def run_within(argv, input, limit, what):
    """Runs argv; fails if it takes more than limit seconds (a hang guard:
    the fixed code takes about a second, the quadratic one minutes).  Under
    sanitizers (ASAN_OPTIONS set by tests/sanitized.sh) programs run ~5
    times slower: the limit is scaled as under --wrap."""
    limit *= slow() * (3 if "ASAN_OPTIONS" in os.environ else 1)
    t0 = time.time()
    try:
        p = run(argv, input=input, timeout=limit)
    except subprocess.TimeoutExpired:
        raise AssertionError("%s did not finish in %d s" % (what, limit))
    return p, time.time() - t0


def test_hundred_thousand_add_items_start_up_linearly():
    """100000 plain add items (the old direct engine: its output tree was built with a
    linear search per item, 406 s) and 100000 dotted targets, each run on a
    record holding every field (the scanner looked members up linearly past
    64 children: 16 s a record)."""
    n = 100000
    plain = "\n".join("    v%d" % i for i in range(n))
    nested = "\n".join("    v%d -> o%d.a%d" % (i, i // 10, i) for i in range(n))
    rec_all = json.dumps({"data": dict({"k": "a"}, **{"v%d" % i: i for i in range(n)}), "metadata": {"source": "s"}})
    for name, items in (("plain", plain), ("nested", nested)):
        pr = write("items-%s.dpl" % name, HDR + "    k\n" + items + "\n}\n")
        p, _ = run_within([ARGS.dpl, "run", pr], rec_all + "\n", 60, "dpl run of %d %s add items" % (n, name))
        eq(p.returncode, 0, "exit (%s): %r" % (name, p.stderr[-300:]))
        data = json.loads(p.stdout)["data"]
        eq(len(data), n + 1 if name == "plain" else n // 10 + 1, "attributes (%s)" % name)
        if name == "nested":
            eq(data["o9999"]["a99999"], 99999, "deepest value")


def test_many_mandatory_paths_and_source_names_are_linear():
    """300000 mandatory paths (dedupe_mandatory compared each with every
    earlier one: minutes) and 200000 source names looked up for each of
    200000 records (a linear search per record: minutes)."""
    n = 300000
    mand = "\n".join("    m%d" % i for i in range(n))
    pr = write("mandatory.dpl", 'entity "e" { k }\nsources "s"\nmandatory {\n    k\n    m7\n' + mand + "\n}\nadd { k }\n")
    rec_ok = json.dumps({"data": dict({"k": "a"}, **{"m%d" % i: i for i in range(n)}), "metadata": {"source": "s"}})
    bad = {"k": "b", "m0": 1, "m2": 2}
    bad.update({"m%d" % i: i for i in range(9, n)})
    rec_bad = json.dumps({"data": bad, "metadata": {"source": "s"}})
    p, _ = run_within([ARGS.dpl, "run", pr], rec_ok + "\n" + rec_bad + "\n", 60, "dpl run of %d mandatory paths" % n)
    eq(p.returncode, 0, "exit")
    eq(len(p.stdout.splitlines()), 1, "the record with every field is emitted")
    errs = [e["path"] for e in rejects(p)[0]["errors"]]
    eq(errs, ["data.m%d" % i for i in (7, 1, 3, 4, 5, 6, 8)], "one error per missing path, m7 (listed twice) once")

    m = 200000
    names = ", ".join('"source-%06d"' % i for i in range(m))
    pr = write("sources.dpl", 'entity "e" { k }\nsources ' + names + "\nadd { k }\n")
    lines = "".join(rec(i, source="source-%06d" % (m - 1 - i % 7)) + "\n" for i in range(m))
    lines += rec("x", source="source-x") + "\n"
    for engine in ("auto", "tree"):
        p, _ = run_within([ARGS.dpl, "run", "--stats", "--engine", engine, pr], lines, 60,
                          "dpl run (%s) of %d records against %d source names" % (engine, m, m))
        eq(p.returncode, 0, "exit")
        st = stats_of(p)
        eq((st["emitted"], st["skipped"]), (m, 1), "counts (%s)" % engine)


def full_disk(limit):
    """preexec_fn: files the child writes stop growing at limit bytes, with
    EFBIG (what a full disk does, ENOSPC aside): RLIMIT_FSIZE, SIGXFSZ
    ignored."""
    import resource
    import signal

    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return pre


def test_repl_save_on_a_full_disk_leaves_the_program_intact():
    """:save wrote in place with fopen("wb"): on a full disk the user's program
    was replaced by a truncated file.  Now a temp file, fsync and rename: the
    old program stays whole, the error is shown, no temp file is left."""
    d = tempfile.mkdtemp(dir=TMP)
    prog = os.path.join(d, "p.dpl")
    old = 'entity "e" { k }\nsources "s"\nadd {\n    k\n}\n'
    with open(prog, "w") as f:
        f.write(old)
    items = "".join("    v%d -> w%d\n" % (i, i) for i in range(200))
    session = ":load %s\nadd {\n%s}\n:save %s\n" % (prog, items, prog)
    p = run([ARGS.dpl, "repl"], input=session, preexec_fn=full_disk(2000), env=dict(os.environ, HOME=d))
    assert not crashed(p), p.stderr[-500:]
    out = (p.stdout + p.stderr).decode()
    assert "cannot write" in out and "saved" not in out, out[-500:]
    with open(prog) as f:
        eq(f.read(), old, "the program after a failed :save")
    eq(sorted(os.listdir(d)), ["p.dpl"], "files left in the directory")
    # and with room, :save replaces it and keeps its permission bits
    os.chmod(prog, 0o640)
    p = run([ARGS.dpl, "repl"], input=session, env=dict(os.environ, HOME=d))
    assert "saved" in (p.stdout + p.stderr).decode(), p.stdout[-300:]
    with open(prog) as f:
        assert "v199 -> w199" in f.read()
    eq(os.stat(prog).st_mode & 0o777, 0o640, "mode kept")
    eq(sorted(os.listdir(d)), ["p.dpl"], "files left in the directory")


def test_fmt_write_killed_leaves_no_temp_file():
    """SIGTERM or SIGINT while `dplc fmt --write` writes its temp file: the
    temp file is removed, the program is either the old or the new text, and
    the process still ends by the signal.  The signal is sent as soon as the
    temp file appears (a 30 MB program gives a window of tens of ms); an
    attempt where the write finished first is repeated."""
    import signal
    d = tempfile.mkdtemp(dir=TMP)
    prog = os.path.join(d, "big.dpl")
    text = HDR + "".join("    v%d   ->   w%d\n" % (i, i) for i in range(200000)) + "}\n"
    with open(prog, "w") as f:
        f.write(text)
    formatted = dplc("fmt", prog).stdout.decode()
    caught = {signal.SIGTERM: 0, signal.SIGINT: 0}
    for attempt in range(12):
        sig = signal.SIGTERM if attempt % 2 == 0 else signal.SIGINT
        with open(prog, "w") as f:
            f.write(text)
        p = subprocess.Popen([ARGS.dplc, "fmt", "--write", prog], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        sent = False
        t0 = time.time()
        while p.poll() is None and time.time() - t0 < 120 * slow():
            if any(n != "big.dpl" for n in os.listdir(d)):  # the temp file
                p.send_signal(sig)
                sent = True
                break
        _, err = p.communicate(timeout=60 * slow())
        left = [n for n in os.listdir(d) if n != "big.dpl"]
        eq(left, [], "temp files left after %s (exit %s, %r)" % (sig.name, p.returncode, err[-300:]))
        if sent and p.returncode == -sig:
            caught[sig] += 1
            with open(prog) as f:
                got = f.read()
            assert got in (text, formatted), "program damaged"
        if all(caught.values()):
            break
    assert all(caught.values()), "no write was interrupted in 12 attempts: %r" % caught


def test_nul_and_invalid_utf8_in_programs():
    cases = [
        (b'entity "e" { k }\x00\nadd { k }\n', "NUL"),
        (b'entity "e" { k }\nadd { "\xff\xfe" -> x }\n', "0xFF"),
        (b'entity "e" { k }\nadd { k\xc3 -> y }\n', "UTF-8"),
        (b'entity "e" { k }\n# comment \xe9\xe9\nadd { k }\n', "UTF-8"),
    ]
    for text, word in cases:
        pr = write("bad.dpl", text)
        for argv, want in (([ARGS.dplc, "check", pr], 1), ([ARGS.dplc, "fmt", pr], 1), ([ARGS.dpl, "run", pr], 2)):
            p = run(argv, input=b"")
            eq(p.returncode, want, "%s on %r" % (argv[1], text))
            out = (p.stdout + p.stderr).decode("utf-8")  # diagnostics themselves are valid UTF-8
            assert "E101" in out or "E102" in out or "E103" in out, out[:300]
            assert word in out, "%r not in %r" % (word, out[:300])
        p = dplc("check", "--format", "json", pr)
        json.loads(p.stdout)


def test_crlf_program_without_final_newline():
    pr = write("crlf.dpl", b'entity "e" {\r\n    k\r\n}\r\nsources "s"\r\nadd { k, v }')
    eq(dplc("check", pr).returncode, 0, "check")
    p = dpl("run", pr, input=rec("a", 5))
    eq(json.loads(p.stdout)["data"], {"k": "a", "v": 5}, "run")


# ---- I/O failures -----------------------------------------------------------------------

def big_input(n=100000):
    return write("big.ndjson", "".join(rec("k%d" % i) + "\n" for i in range(n)))


def test_epipe_head_is_quiet():
    pr = write("p.dpl", PLAIN)
    big = big_input()
    for eng in engines():
        for j in jobs():
            argv = " ".join([ARGS.dpl, "run", *eng, *j, pr, big])
            p = run(["bash", "-c", argv + " 2>err.txt | head -1; echo \"${PIPESTATUS[0]}\" >rc.txt"], cwd=TMP)
            eq(len(p.stdout.splitlines()), 1, "head printed one line")
            eq(open(os.path.join(TMP, "rc.txt")).read().strip(), "0", "dpl's exit status %s %s" % (eng, j))
            eq(open(os.path.join(TMP, "err.txt")).read(), "", "stderr %s %s" % (eng, j))


def test_dev_full_one_message_exit_1():
    if not os.path.exists("/dev/full"):
        return
    pr = write("p.dpl", PLAIN)
    big = big_input()
    for j in jobs():
        for target in (["stdout"], ["--rejects", "/dev/full"], ["--skipped", "/dev/full"]):
            inp = big if target == ["stdout"] else write("mixed.ndjson", rec("a") + "\n[1]\n" + rec("b", 1, "t") + "\n")
            with open("/dev/full", "w") as full:
                argv = [ARGS.dpl, "run", *j, pr, inp] + ([] if target == ["stdout"] else target)
                if target[0] == "--skipped":
                    argv += ["--rejects", os.devnull]
                p = subprocess.run(argv, stdout=full if target == ["stdout"] else subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, timeout=120)
            eq(p.returncode, 1, "exit with %s %s" % (target, j))
            err = p.stderr.decode().strip().splitlines()
            eq(len(err), 1, "one message with %s %s: %r" % (target, j, err))
            assert "/dev/full" in err[0] or "stdout" in err[0], err


def test_unreadable_inputs_one_message_exit_1():
    pr = write("p.dpl", PLAIN)
    good = write("good.ndjson", rec("a") + "\n")
    missing = os.path.join(TMP, "missing.ndjson")
    cases = [missing, TMP]
    if os.geteuid() != 0:  # root reads any file, so permission denied cannot happen
        locked = write("locked.ndjson", rec("x") + "\n")
        os.chmod(locked, 0)
        cases.append(locked)
    for j in jobs():
        for bad in cases:
            p = dpl("run", *j, pr, bad, good)
            eq(p.returncode, 1, "exit for %s %s" % (bad, j))
            err = p.stderr.decode().strip().splitlines()
            eq(len(err), 1, "one message for %s: %r" % (bad, err))
            assert bad in err[0], err
            eq(len(p.stdout.splitlines()), 1, "the readable input is still processed")
    p = dpl("run", os.path.join(TMP, "no-program.dpl"), input="")
    eq(p.returncode, 2, "unreadable program")
    eq(len(p.stderr.decode().strip().splitlines()), 1, "one message")


# ---- nothing lost at the edges (issue 15, items 1-4) -------------------------------------------

def many(n, reject_every=1, other_every=0):
    """n records: every reject_every-th lacks k (rejected), every
    other_every-th comes from another source (skipped)."""
    out = []
    for i in range(n):
        if other_every and i % other_every == 0:
            out.append(rec("o%d" % i, i, "t"))
        elif i % reject_every == 0:
            out.append(json.dumps({"data": {"v": i}, "metadata": {"source": "s"}}))
        else:
            out.append(rec("k%d" % i, i))
    return "\n".join(out) + "\n"


def test_epipe_on_rejects_or_skipped_is_an_io_failure():
    pr = write("p.dpl", PLAIN)
    inp = write("epipe.ndjson", many(100000, 2, 3))
    fifo = os.path.join(TMP, "reader.fifo")
    for j in jobs():
        for opt in ("--rejects", "--skipped"):
            if os.path.exists(fifo):
                os.unlink(fifo)
            os.mkfifo(fifo)
            head = subprocess.Popen(["head", "-n", "1", fifo], stdout=subprocess.DEVNULL)
            other = ["--skipped", os.devnull] if opt == "--rejects" else ["--rejects", os.devnull]
            try:
                p = dpl("run", *j, pr, inp, opt, fifo, *other, timeout=60)
            finally:
                head.kill()  # if dpl never opened the fifo, head still waits for a writer
                head.wait()
            eq(p.returncode, 1, "exit when the reader of %s goes away %s" % (opt, j))
            err = p.stderr.decode().strip().splitlines()
            eq(len(err), 1, "one message %s %s: %r" % (opt, j, err))
            assert fifo in err[0] and "Broken pipe" in err[0], err
    # stdout alone may end quietly (docs/run.md), `--rejects -` included
    argv = " ".join([ARGS.dpl, "run", pr, inp, "--rejects", "-", "2>err.txt | head -1; echo ${PIPESTATUS[0]} >rc.txt"])
    run(["bash", "-c", argv], cwd=TMP)
    eq(open(os.path.join(TMP, "rc.txt")).read().strip(), "0", "stdout closed: quiet")
    eq(open(os.path.join(TMP, "err.txt")).read(), "", "stdout closed: no message")


def test_closed_std_fds_never_receive_other_outputs():
    if ARGS.wrap:
        return  # the wrapper (valgrind) holds descriptors of its own: nothing to see
    pr = write("p.dpl", PLAIN)
    inp = write("fds.ndjson", many(3000, 3, 5))
    rj, sk = os.path.join(TMP, "fds.rej"), os.path.join(TMP, "fds.skip")
    for j in jobs():
        # stdout closed: the entities must not land in the rejects file
        p = run(["bash", "-c", "exec %s run %s %s %s --rejects %s >&-" % (ARGS.dpl, " ".join(j), pr, inp, rj)])
        eq(p.returncode, 1, "exit with stdout closed %s" % j)
        assert "stdout" in p.stderr.decode(), p.stderr
        for l in open(rj, encoding="utf-8"):
            assert json.loads(l).get("errors"), "an entity in the rejects file: %r" % l[:100]
        # stdout and stderr closed: the stats line must not land in --skipped
        p = run(["bash", "-c", "exec %s run --stats %s %s %s --rejects %s --skipped %s >&- 2>&-" % (
            ARGS.dpl, " ".join(j), pr, inp, rj, sk)])
        eq(p.returncode, 1, "exit with stdout and stderr closed %s" % j)
        for l in open(sk, encoding="utf-8"):
            assert json.loads(l)["metadata"]["source"] == "t", "not a skipped record: %r" % l[:100]
        for l in open(rj, encoding="utf-8"):
            assert json.loads(l).get("errors"), "not a reject: %r" % l[:100]


def test_outputs_checked_against_inputs_and_each_other():
    pr = write("p.dpl", PLAIN)
    text = many(500, 3, 5)
    for j in jobs():
        inp = write("same.ndjson", text)
        # an output naming an input would truncate it before it is read
        for opt in ("--rejects", "--skipped", "--output"):
            p = dpl("run", *j, pr, inp, opt, inp)
            eq(p.returncode, 2, "exit for %s naming the input %s" % (opt, j))
            assert opt in p.stderr.decode() and "input" in p.stderr.decode(), p.stderr
            eq(open(inp).read(), text, "the input is untouched (%s)" % opt)
        # also through a link, and with the input on stdin
        link = os.path.join(TMP, "same-link.ndjson")
        if not os.path.exists(link):
            os.symlink(inp, link)
        p = dpl("run", *j, pr, "--rejects", link, input=None, stdin=open(inp, "rb"))
        eq(p.returncode, 2, "exit for --rejects naming stdin's file")
        eq(open(inp).read(), text, "stdin's file is untouched")
        # stdout appending to the input would read its own output back forever
        p = run(["bash", "-c", "%s run %s %s %s --rejects /dev/null >> %s" % (ARGS.dpl, " ".join(j), pr, inp, inp)],
                timeout=60)
        eq(p.returncode, 2, "exit for stdout appending to the input")
        eq(open(inp).read(), text, "the input is untouched (>>)")
        # two outputs naming one file would overwrite each other
        both = os.path.join(TMP, "both.ndjson")
        p = dpl("run", *j, pr, inp, "--rejects", both, "--skipped", both)
        eq(p.returncode, 2, "exit for --rejects and --skipped naming one file")
        assert "--rejects" in p.stderr.decode() and "--skipped" in p.stderr.decode(), p.stderr
        assert not os.path.exists(both), "a refused run leaves no file it created"
        # a failing output leaves the others as they were
        keep = write("keep.ndjson", "precious\n")
        p = dpl("run", *j, pr, inp, "--rejects", keep, "--skipped", os.path.join(TMP, "no", "such", "x"))
        eq(p.returncode, 1, "exit for an output that cannot be opened")
        eq(open(keep).read(), "precious\n", "--rejects not truncated before --skipped failed")
        # sharing a descriptor is fine: /dev/null twice, `-` beside stdout
        p = dpl("run", *j, pr, inp, "--rejects", os.devnull, "--skipped", os.devnull)
        eq(p.returncode, 0, "/dev/null twice")
        p = dpl("run", *j, pr, inp, "--rejects", "-", "--skipped", "-")
        eq(p.returncode, 0, "- beside stdout")


def signal_run(j, sig, wait_output):
    """Feeds a pipe, sends sig once the run has shown some output, and
    returns (process, stdout, rejects text, skipped text, lines fed)."""
    import signal as sg
    pr = write("p.dpl", PLAIN)
    rj, sk = os.path.join(TMP, "sig.rej"), os.path.join(TMP, "sig.skip")
    for f in (rj, sk):
        if os.path.exists(f):
            os.unlink(f)
    outf = open(os.path.join(TMP, "sig.out"), "wb+")  # a file: a full pipe would block the run
    p = subprocess.Popen([ARGS.dpl, "run", "--stats", *j, pr, "--rejects", rj, "--skipped", sk],
                         stdin=subprocess.PIPE, stdout=outf, stderr=subprocess.PIPE)
    fed = 0
    chunk = many(2000, 4, 7)
    if wait_output:
        # a few lines and half of one, then wait: the run shows its output while input stalls
        p.stdin.write(chunk.encode() + b'{"data":{"k":"half')
        p.stdin.flush()
        fed = 2000
        # the stall flushes every whole line: wait until all their entities are out
        emitted = sum(1 for i in range(2000) if i % 7 and i % 4)
        deadline = time.time() + 60 * slow()
        while time.time() < deadline and outf.name and open(outf.name, "rb").read().count(b"\n") < emitted:
            time.sleep(0.05)
        p.send_signal(sig)
    else:
        # keep it busy, and interrupt it in the middle of the stream
        t0 = time.time()
        sent = False
        try:
            while time.time() - t0 < 20 * slow():
                fed += 2000  # counted first: a write cut by the exit may still deliver part of the chunk
                p.stdin.write(chunk.encode())
                if not sent and time.time() - t0 > 0.3:
                    p.send_signal(sig)
                    sent = True
        except (BrokenPipeError, OSError):
            pass
    _, err = p.communicate(timeout=60 * slow())
    outf.seek(0)
    out = outf.read()
    outf.close()
    return p, out, err, open(rj, encoding="utf-8").read(), open(sk, encoding="utf-8").read(), fed


def test_sigterm_and_sigint_flush_what_was_read():
    import signal as sg
    for j in jobs():
        for sig, code in ((sg.SIGTERM, 143), (sg.SIGINT, 130)):
            for wait_output in (True, False):
                p, out, err, rj, sk, fed = signal_run(j, sig, wait_output)
                what = "%s %s %s" % (sig.name, j, "stalled" if wait_output else "busy")
                eq(p.returncode, code, "exit " + what)
                s = None
                for l in reversed(err.decode().splitlines()):
                    if l.startswith('{"records"'):
                        s = json.loads(l)
                        break
                assert s, "no --stats line after %s: %r" % (what, err[-300:])
                lines = (len(out.splitlines()), len(rj.splitlines()), len(sk.splitlines()))
                eq(lines, (s["emitted"], s["rejected"], s["skipped"]), "every record read is in an output " + what)
                eq(s["emitted"] + s["rejected"] + s["skipped"], s["records"], "counts add up " + what)
                if wait_output:
                    eq(s["records"], 2000, "the half line is not a record " + what)
                else:
                    assert 0 < s["records"] <= fed, (s, fed)
                for l in out.splitlines():
                    json.loads(l)  # whole lines only
                assert "stopped by " + sig.name in err.decode(), err[-300:]


# ---- files read by position (stream/view.c) -----------------------------------------------------

def mixed_file_lines():
    """Lines of every kind the reader cuts differently: over and under the
    limit, longer than a block (256 or 128 KiB), CRLF, blank, whitespace only."""
    big = "x" * (700 * 1024)
    out = []
    for i in range(4000):
        if i % 997 == 5:
            out.append(rec("b%d" % i, big))                 # over the limit, longer than a block
        elif i % 331 == 7:
            out.append(rec("l%d" % i, "y" * 40000))         # over the limit
        elif i % 101 == 3:
            out.append(" " * 50000)                         # white space only, over the limit: blank
        elif i % 53 == 1:
            out.append(rec("c%d" % i) + "\r")               # CRLF
        elif i % 89 == 2:
            out.append("")
        else:
            out.append(rec("k%d" % i, i))
    return "\n".join(out)


def test_a_file_reads_as_a_pipe_does():
    """The same bytes out whether the input is a file (read by position,
    each block by the thread that processes it) or a pipe (read(2)), with
    and without a last newline, at -j 1 and -j 2."""
    body = mixed_file_lines()
    for tail in ("\n", "", '\n{"data":{"k":"last"},"metadata":{"source":"s"}}'):
        path = write("byposition.ndjson", body + tail)
        for j in jobs():
            got = {}
            for how in ("file", "pipe"):
                rej = os.path.join(TMP, "byposition-%s.rej" % how)
                args = ["run", *j, "--stats", "--max-record-bytes", "32k", "--rejects", rej, PROGRAM_PATH()]
                p = dpl(*args, path) if how == "file" else dpl(*args, input=open(path, "rb").read())
                assert not crashed(p), p.stderr[-300:]
                eq(p.returncode, 0, "exit")
                got[how] = (p.stdout, open(rej, "rb").read(), stats_of(p))
            eq(got["file"], got["pipe"], "output, rejects and stats %s %r" % (j, tail[:3]))
            over = sum(1 for l in (body + tail).split("\n") if len(l.rstrip("\r")) > 32 * 1024 and l.strip(" \t\r"))
            eq(got["file"][1].count(b'"limit_exceeded"'), over, "long lines rejected")


def test_white_space_over_the_limit_is_still_a_blank_line():
    """A line of only white space is blank (spec §2: not a record) however
    long, whether it is read from a file (by position), a pipe, or split across
    reads; a record over --max-record-bytes is limit_exceeded."""
    lines = [" " * 100, " " * 101, " " * 100 + "\r", "\t" * 101 + "\r", rec("k1"), " " * 5000,
             " " * 3000000, " " * 90 + "x" * 20, " " * 2000000 + "x"]
    path = write("spaces.ndjson", "\n".join(lines) + "\n")
    for j in jobs():
        for how in ("file", "pipe"):
            args = ["run", *j, "--stats", "--max-record-bytes", "100", "--rejects", "/dev/null", PROGRAM_PATH()]
            p = dpl(*args, path) if how == "file" else dpl(*args, input=open(path, "rb").read())
            s = stats_of(p)
            eq((s["blank_lines"], s["records"], s["rejects_by_code"].get("limit_exceeded", 0)), (6, 3, 2),
               "blank, records, too long (%s %s)" % (how, j))


def PROGRAM_PATH():
    return write("byposition.dpl", PLAIN)


def test_stdin_file_at_an_offset_goes_on_from_there():
    """A shell that read the first line of a shared stdin leaves the offset
    after it: dpl starts there, as read(2) would."""
    lines = [rec("k%d" % i, i) for i in range(3000)]
    path = write("offset.ndjson", "\n".join(lines) + "\n")
    script = 'read -r first; exec "$0" run "$1"'
    with open(path, "rb") as f:
        p = run(["sh", "-c", script, ARGS.dpl, PROGRAM_PATH()], stdin=f)
    eq(p.returncode, 0, "exit")
    want = dpl("run", PROGRAM_PATH(), input="\n".join(lines[1:]) + "\n")
    eq(p.stdout, want.stdout, "the records after the first line")


def test_a_file_that_shrinks_while_read_is_an_error_not_a_crash():
    """Truncated while dpl is blocked writing (a full pipe), the input's
    lost end is reported, at -j 1 and -j 2 (where blocks cut before the
    truncation are read by a worker after it); dpl does not crash, and no
    line of the lost end is taken for a record."""
    n = 60000
    for j in jobs():
        path = write("shrink.ndjson", "".join(rec("k%d" % i, "v" * 100) + "\n" for i in range(n)))
        p = subprocess.Popen([ARGS.dpl, "run", *j, "--stats", PROGRAM_PATH(), path], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        first = p.stdout.read(1 << 16)  # it is running and blocked on a full pipe
        time.sleep(0.3 * slow())
        os.truncate(path, 100000)  # about 700 records left, most already read
        out, err = p.communicate(timeout=120 * slow())
        out = first + out
        eq(p.returncode, 1, "exit status %s (%r)" % (j, err[-400:]))
        assert b"the file shrank while it was being read" in err, err[-400:]
        s = stats_of(subprocess.CompletedProcess(p.args, p.returncode, out, err))
        eq(s["emitted"] + s["rejected"] + s["skipped"], s["records"], "counts add up %s" % j)
        assert s["records"] < n, s
        for l in out.splitlines():
            json.loads(l)  # whole records only


# ---- gzip input and output ------------------------------------------------------------------

def gz_lines(n, seed):
    """n fipe records (some broken), as bytes."""
    path = os.path.join(TMP, "gz-src-%d.ndjson" % seed)
    subprocess.run([sys.executable, os.path.join(ARGS.root, "examples", "gen_fipe.py"), str(n), "--seed",
                    str(seed), "--broken", "3", "-o", path], check=True)
    return open(path, "rb").read()


def fipe_run(*args, **kw):
    return dpl("run", "--stats", os.path.join(ARGS.root, "examples", "fipe.dpl"), *args, **kw)


def test_gzip_input_by_magic_and_concatenated_members():
    import gzip
    a, b = gz_lines(3000, 21), gz_lines(2000, 22)
    plain = write("gz-plain.ndjson", a + b)
    members = write("gz-two-members", gzip.compress(a) + gzip.compress(b))  # no .gz in the name
    for j in jobs():
        want = fipe_run(*j, "--rejects", os.path.join(TMP, "gz-want.rej"), plain)
        eq(want.returncode, 0, "plain run")
        for how in (["file"], ["stdin"]):
            if how == ["file"]:
                p = fipe_run(*j, "--rejects", os.path.join(TMP, "gz-got.rej"), members)
            else:
                p = fipe_run(*j, "--rejects", os.path.join(TMP, "gz-got.rej"), input=open(members, "rb").read())
            eq(p.returncode, 0, "exit %s %s" % (how, j))
            eq(p.stdout, want.stdout, "entities %s %s" % (how, j))
            eq(stats_of(p), stats_of(want), "stats %s %s" % (how, j))
            eq(open(os.path.join(TMP, "gz-got.rej"), "rb").read(), open(os.path.join(TMP, "gz-want.rej"), "rb").read(),
               "rejects %s %s" % (how, j))


def check_damaged(data, name, good, exact):
    """A damaged gzip input: one message naming it, exit 1, every record
    before the damage (the text good) processed — the entities exactly those
    of good when exact, else starting with them — the counts adding up, and
    the next input still read."""
    bad = write(name, data)
    after = write("gz-after.ndjson", rec("after") + "\n")
    want = fipe_run("--rejects", os.devnull, input=good)
    for j in jobs():
        p = fipe_run(*j, "--rejects", os.path.join(TMP, "gz-bad.rej"), bad)
        assert not crashed(p), "crashed: %d" % p.returncode
        eq(p.returncode, 1, "exit %s %s" % (name, j))
        msgs = [l for l in p.stderr.decode().splitlines() if not l.startswith("{")]
        eq(len(msgs), 1, "one message %s %s: %r" % (name, j, msgs))
        assert name in msgs[0] and "gzip" in msgs[0], msgs
        s = stats_of(p)
        eq(s["emitted"] + s["skipped"] + s["rejected"], s["records"], "counts add up " + name)
        rej = open(os.path.join(TMP, "gz-bad.rej"), "rb").read().splitlines()
        eq((len(p.stdout.splitlines()), len(rej)), (s["emitted"], s["rejected"]), "lines %s %s" % (name, j))
        if exact:
            eq(p.stdout, want.stdout, "entities before the damage %s %s" % (name, j))
        else:
            assert p.stdout.startswith(want.stdout), "entities before the damage %s %s" % (name, j)
        assert s["records"] >= stats_of(want)["records"], "records before the damage %s %s" % (name, j)
        # the next input is still read, as after any unreadable input
        p2 = fipe_run(*j, "--rejects", os.devnull, bad, after)
        eq(p2.returncode, 1, "exit with a following input")
        eq(stats_of(p2)["records"], s["records"] + 1, "the following input is read")


def test_gzip_truncated_and_corrupt():
    import gzip
    import zlib
    a, b = gz_lines(4000, 31), gz_lines(4000, 32)
    one = gzip.compress(a)
    # truncated in the middle: every whole line zlib can recover is processed
    cut = one[: len(one) // 2]
    recovered = zlib.decompressobj(16 + 15).decompress(cut)
    check_damaged(cut, "gz-truncated.gz", recovered[: recovered.rfind(b"\n") + 1], True)
    # a second member damaged in its middle: the whole first member is processed
    two = bytearray(one + gzip.compress(b))
    mid = len(one) + (len(two) - len(one)) // 2
    two[mid:mid + 64] = bytes((x ^ 0x5A) for x in two[mid:mid + 64])
    check_damaged(bytes(two), "gz-corrupt.gz", a, False)


def test_gzip_output_for_gz_paths():
    import gzip
    src = write("gz-out-src.ndjson", gz_lines(1500, 41))
    for j in jobs():
        want = fipe_run(*j, "--rejects", os.path.join(TMP, "w.rej"), "--skipped", os.path.join(TMP, "w.skip"), src)
        out, rj, sk = (os.path.join(TMP, n) for n in ("o.ndjson.gz", "r.ndjson.gz", "s.gz"))
        p = fipe_run(*j, "--output", out, "--rejects", rj, "--skipped", sk, src)
        eq(p.returncode, 0, "exit")
        eq(p.stdout, b"", "nothing on stdout with --output")
        eq(gzip.decompress(open(out, "rb").read()), want.stdout, "entities")
        eq(gzip.decompress(open(rj, "rb").read()), open(os.path.join(TMP, "w.rej"), "rb").read(), "rejects")
        eq(gzip.decompress(open(sk, "rb").read()), open(os.path.join(TMP, "w.skip"), "rb").read(), "skipped")
        # and gzip output reads back as input
        again = fipe_run(*j, "--rejects", os.devnull, "--raw", "--source", "fipe", out)
        eq(stats_of(again)["records"], stats_of(want)["emitted"], "the .gz output read back")


# ---- accounting ---------------------------------------------------------------------------

FIPE_LINE = "    'line -> linha\n"


def account(input_path, nlines_by_number, extra):
    """Runs the fipe program with 'line copied into each entity: every
    non-blank line must appear exactly once across stdout, rejects and
    skipped.  Then the plain fipe program (engine/ by default) must
    agree on every count and line."""
    fipe = open(os.path.join(ARGS.root, "examples", "fipe.dpl")).read()
    with_line = write("fipe-line.dpl", fipe.rstrip().rstrip("}") + FIPE_LINE + "}\n")
    plain = os.path.join(ARGS.root, "examples", "fipe.dpl")
    results = {}
    for name, pr in (("tree", with_line), ("plain", plain)):
        for j in jobs():
            rj, sk = os.path.join(TMP, "acc.rej"), os.path.join(TMP, "acc.skip")
            p = dpl("run", "--stats", "--rejects", rj, "--skipped", sk, *extra, *j, pr, input_path, timeout=300)
            what = "%s %s %s" % (name, " ".join(extra), " ".join(j))
            assert not crashed(p), "%s crashed: %d" % (what, p.returncode)
            eq(p.returncode, 0, "exit " + what)
            s = stats_of(p)
            eq(s["emitted"] + s["skipped"] + s["rejected"], s["records"], "emitted+skipped+rejected " + what)
            eq(s["records"], len(nlines_by_number), "records " + what)
            rej = [json.loads(l) for l in open(rj, encoding="utf-8")]
            skipped = open(sk, "rb").read().splitlines()
            out = p.stdout.splitlines()
            eq((len(out), len(rej), len(skipped)), (s["emitted"], s["rejected"], s["skipped"]), "lines " + what)
            by_text = {}
            for n, text in nlines_by_number.items():
                by_text.setdefault(text, []).append(n)
            seen = [json.loads(l)["data"]["linha"] for l in out] if name == "tree" else []
            seen += [r["line"] for r in rej]
            for t in skipped:
                assert by_text.get(t), "a skipped line that is not in the input: %r" % t[:100]
                seen.append(by_text[t].pop(0))
            if name == "tree":
                eq(sorted(seen), sorted(nlines_by_number), "every line exactly once " + what)
            results[(name, tuple(j))] = (s, sorted(r["line"] for r in rej), skipped, len(out))
    base = results[("tree", tuple(jobs()[0]))]
    for key, r in results.items():
        eq(r[0], base[0], "stats of %s vs tree" % (key,))
        eq(r[1:], base[1:], "rejects, skipped and emitted count of %s vs tree" % (key,))
    return base[0]


def gen(n, seed, broken):
    path = os.path.join(TMP, "acc-%d.ndjson" % seed)
    subprocess.run([sys.executable, os.path.join(ARGS.root, "examples", "gen_fipe.py"), str(n), "--seed",
                    str(seed), "--broken", str(broken), "-o", path], check=True)
    data = open(path, "rb").read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    nonblank = {i + 1: l.rstrip(b"\r") for i, l in enumerate(lines) if l.strip(b" \t\r")}
    return path, nonblank


def test_accounting_with_five_percent_corrupted_lines():
    path, lines = gen(3000, 11, 5)
    s = account(path, lines, [])
    assert s["rejected"] > 60 and s["skipped"] > 50 and s["blank_lines"] > 0, s
    codes = set(s["rejects_by_code"])
    for c in ("invalid_json", "limit_exceeded", "not_an_object", "missing_source", "missing_mandatory"):
        assert c in codes, "no %s in %r" % (c, codes)


def test_accounting_with_small_max_record_bytes():
    """The 64 KiB strings become limit_exceeded; nothing else changes."""
    path, lines = gen(2000, 12, 8)
    s = account(path, lines, ["--max-record-bytes", "32k"])
    assert s["rejects_by_code"].get("limit_exceeded", 0) > 0, s


def main():
    suite.main(globals())

if __name__ == "__main__":
    main()
