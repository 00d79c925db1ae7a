#!/usr/bin/env python3
"""CLI tests for `dpl run`: every flag and exit code, the reject and stats
formats, stream accounting on corrupted input, EPIPE, /dev/full, unreadable
inputs, CRLF, a last line without newline, huge lines against
--max-record-bytes (with the memory it takes), and prompt output when the
input stalls.

usage: run_cli.py --dpl PATH --dplc PATH --root SRCROOT [-k REGEX]
The last line printed is 'N passed, N failed'.
"""
import json
import os
import random
import select
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import suite  # noqa: E402  (tests/suite.py: the runners' main loop)
from suite import eq  # noqa: E402

ARGS = None
TMP = None

PROGRAM = """\
entity "pessoa" { doc }
sources "cadastro"
mandatory { nome }
requirement { idade >= 0 }
add {
    doc
    nome
    idade as int -> idade
    'line -> linha
}
"""


def write(name, text, mode="w"):
    path = os.path.join(TMP, name)
    with open(path, mode) as f:
        f.write(text)
    return path


def env(data, source="cadastro"):
    return json.dumps({"data": data, "metadata": {"source": source}}, ensure_ascii=False)


def dpl(*args, stdin=None, input=None, timeout=60):
    """Runs dpl with args; returns CompletedProcess (bytes)."""
    if isinstance(input, str):
        input = input.encode()
    return subprocess.run([ARGS.dpl, *args], stdin=stdin, input=input, capture_output=True, timeout=timeout)


def lines(b):
    return [l for l in b.decode("utf-8").splitlines() if l.strip()]


def stats_of(p):
    for l in reversed(p.stderr.decode("utf-8", "replace").splitlines()):
        try:
            o = json.loads(l)
        except ValueError:
            continue
        if isinstance(o, dict) and "records" in o:
            return o
    raise AssertionError("no stats line on stderr: %r" % p.stderr[-300:])


def prog():
    return write("p.dpl", PROGRAM)


# ---- usage and exit codes ------------------------------------------------------

def test_help_exits_0():
    p = dpl("run", "--help")
    eq(p.returncode, 0, "exit")
    out = p.stdout.decode()
    for flag in ["--rejects", "--skipped", "--stats", "--raw", "--source", "--max-record-bytes", "--fail-on-reject"]:
        assert flag in out, "help does not mention " + flag


def test_usage_errors_exit_2():
    pr = prog()
    cases = [
        [],                                            # no program
        [pr, "--bogus"],                               # unknown flag
        [pr, "--rejects"],                             # missing value
        [pr, "--max-record-bytes", "0"],
        [pr, "--max-record-bytes", "lots"],
        [pr, "--source", "x"],                         # --source needs --raw
        [pr, "--stats=yes"],                           # flag takes no value
        [os.path.join(TMP, "no-such-program.dpl")],    # unreadable program
    ]
    for c in cases:
        p = dpl("run", *c, input="")
        eq(p.returncode, 2, "exit of dpl run %s" % " ".join(c))
        assert p.stderr.strip(), "no message for dpl run %s" % " ".join(c)
        eq(p.stdout, b"", "stdout of dpl run %s" % " ".join(c))


def test_program_with_errors_processes_nothing():
    bad = write("bad.dpl", 'entity "e" { k }\nsources "s"\nadd { lenn(k) -> n }\n')
    rj = os.path.join(TMP, "bad-rejects.ndjson")
    p = dpl("run", "--rejects", rj, bad, input=env({"k": 1}, "s") + "\n")
    eq(p.returncode, 2, "exit")
    eq(p.stdout, b"", "stdout")
    err = p.stderr.decode()
    assert "E303" in err and "lenn" in err, err
    assert not os.path.exists(rj), "rejects file created although nothing ran"


def test_warnings_do_not_stop_the_run():
    w = write("warn.dpl", 'entity "e" { k }\nadd { k }\n')
    p = dpl("run", w, input=env({"k": 1}, "any") + "\n")
    eq(p.returncode, 0, "exit")
    assert "W401" in p.stderr.decode(), p.stderr
    out = [json.loads(l) for l in lines(p.stdout)]
    eq(out[0]["source"], "any", "source")
    eq(out[0]["data"], {"k": 1}, "data")


def test_fail_on_reject_exits_3():
    pr = prog()
    good = env({"doc": "1", "nome": "Ana", "idade": 30}) + "\n"
    bad = env({"doc": "2", "idade": 30}) + "\n"
    eq(dpl("run", "--fail-on-reject", "--rejects", "/dev/null", pr, input=good).returncode, 0, "exit without rejects")
    eq(dpl("run", "--fail-on-reject", "--rejects", "/dev/null", pr, input=good + bad).returncode, 3, "exit with rejects")
    eq(dpl("run", "--rejects", "/dev/null", pr, input=good + bad).returncode, 0, "exit with rejects, no flag")


# ---- outputs ---------------------------------------------------------------------

def test_rejects_default_to_stderr_with_full_errors():
    pr = prog()
    p = dpl("run", pr, input=env({"doc": "2", "idade": "x"}) + "\n")
    eq(p.returncode, 0, "exit")
    rej = [json.loads(l) for l in p.stderr.decode().splitlines() if l.startswith("{")]
    eq(len(rej), 1, "rejects on stderr")
    r = rej[0]
    eq(list(r.keys()), ["line", "source", "errors", "record"], "reject keys")
    eq(r["line"], 1, "line")
    eq(r["source"], "cadastro", "source")
    codes = sorted(e["code"] for e in r["errors"])
    eq(codes, ["missing_mandatory", "type_error"], "codes")
    mm = [e for e in r["errors"] if e["code"] == "missing_mandatory"][0]
    eq(mm["path"], "data.nome", "path")
    eq(mm["rule"], {"line": 3, "column": 13}, "rule of the mandatory path")
    te = [e for e in r["errors"] if e["code"] == "type_error"][0]
    eq(te["rule"]["line"], 4, "rule line of the requirement")
    assert te["message"], "empty message"
    eq(r["record"], {"data": {"doc": "2", "idade": "x"}, "metadata": {"source": "cadastro"}}, "record")


def test_rejects_and_skipped_files():
    pr = prog()
    rj, sk = os.path.join(TMP, "r.ndjson"), os.path.join(TMP, "s.ndjson")
    other = '{"data": {"doc": "9"},  "metadata": {"source": "outra"}}'
    inp = "\n".join([env({"doc": "1", "nome": "Ana", "idade": 1}), other, "{oops", env({"doc": "3"})]) + "\n"
    p = dpl("run", "--rejects", rj, "--skipped", sk, pr, input=inp)
    eq(p.returncode, 0, "exit")
    eq(len(lines(p.stdout)), 1, "emitted")
    eq(p.stderr, b"", "stderr")
    eq(open(sk).read(), other + "\n", "skipped file keeps the line as read")
    rej = [json.loads(l) for l in open(rj)]
    eq([r["line"] for r in rej], [3, 4], "reject lines")
    eq(rej[0]["raw"], "{oops", "raw")
    assert "record" not in rej[0]
    eq(rej[0]["errors"][0]["code"], "invalid_json", "code")
    assert "column" in rej[0]["errors"][0]["message"], rej[0]
    eq(rej[1]["errors"][0]["code"], "missing_mandatory", "code")


def test_output_path_and_dash():
    pr = prog()
    out, rj = os.path.join(TMP, "o.ndjson"), os.path.join(TMP, "r2.ndjson")
    other = '{"data": {"doc": "9"},  "metadata": {"source": "outra"}}'
    inp = "\n".join([env({"doc": "1", "nome": "Ana", "idade": 1}), other, env({"doc": "3"})]) + "\n"
    write("o.ndjson", "old content that must go\n" * 10)
    p = dpl("run", "--output", out, "--rejects", rj, pr, input=inp)
    eq((p.returncode, p.stdout, p.stderr), (0, b"", b""), "entities only in the --output file")
    eq(len(lines(open(out, "rb").read())), 1, "one entity, old content truncated")
    assert b'"entity":"pessoa"' in open(out, "rb").read()
    # `-` is stdout, for --output and for the other outputs alike
    p = dpl("run", "--output", "-", "--rejects", "-", "--skipped", "-", pr, input=inp)
    eq(p.returncode, 0, "exit")
    got = lines(p.stdout)
    eq(len(got), 3, "entity, skipped line and reject on stdout")
    eq(p.stderr, b"", "nothing on stderr")
    p = dpl("run", "--output=" + os.path.join(TMP, "no", "dir", "o.ndjson"), "--rejects", rj, pr, input=inp)
    eq(p.returncode, 1, "unwritable --output")
    assert "o.ndjson" in p.stderr.decode()


def test_stats_line():
    pr = prog()
    inp = "\n".join([
        env({"doc": "1", "nome": "Ana", "idade": 1}),
        "",
        "   ",
        env({"doc": "2"}, "outra"),
        "[1]",
        env({"doc": "3", "idade": -1}),
        "{bad",
    ]) + "\n"
    p = dpl("run", "--stats", "--rejects", "/dev/null", pr, input=inp)
    eq(p.returncode, 0, "exit")
    s = stats_of(p)
    eq({k: s[k] for k in ["records", "emitted", "skipped", "rejected"]},
       {"records": 5, "emitted": 1, "skipped": 1, "rejected": 3}, "counts")
    eq(s["rejects_by_code"], {"invalid_json": 1, "not_an_object": 1, "missing_mandatory": 1, "requirement_failed": 1},
       "rejects_by_code")
    eq(s["blank_lines"], 2, "blank lines")


def test_stats_interval_at_any_jobs():
    # --stats-interval prints the counts so far while a file is read; with
    # -j 2 the thread that writes a block out may be a worker.  Every line
    # is a whole stats object, the counts only grow, and the last one is
    # the run's.
    pr = prog()
    rows = [env({"doc": str(i), "nome": "N", "idade": i % 90}) if i % 5 else env({"doc": str(i)})
            for i in range(60000)]
    path = write("interval.ndjson", "\n".join(rows) + "\n")
    for jobs in ("1", "2"):
        p = dpl("run", "-j", jobs, "--stats", "--stats-interval", "0.001", "--output", "/dev/null",
                "--rejects", "/dev/null", pr, path)
        eq(p.returncode, 0, "-j %s: exit" % jobs)
        seen = [json.loads(l) for l in p.stderr.decode().splitlines()]
        assert len(seen) >= 2, "-j %s: an interval line and the final one: %r" % (jobs, seen)
        counts = [o["records"] for o in seen]
        eq(counts, sorted(counts), "-j %s: counts only grow" % jobs)
        eq((seen[-1]["records"], seen[-1]["emitted"], seen[-1]["rejected"]), (60000, 48000, 12000),
           "-j %s: the final counts" % jobs)


def test_raw_mode_and_source():
    pr = prog()
    inp = '{"doc":"1","nome":"Ana","idade":7}\n{"doc":"2"}\n42\n'
    p = dpl("run", "--raw", "--stats", pr, input=inp)
    out = [json.loads(l) for l in lines(p.stdout)]
    eq(len(out), 1, "emitted")
    eq(out[0]["source"], "cadastro", "default source = first of `sources`")
    eq(out[0]["data"], {"doc": "1", "nome": "Ana", "idade": 7, "linha": 1}, "data")
    rej = [json.loads(l) for l in p.stderr.decode().splitlines() if l.startswith('{"line"')]
    eq(rej[0]["record"], {"doc": "2"}, "reject keeps the value as read, not the envelope")
    eq(rej[1]["record"], 42, "a non-object value in raw mode")
    p = dpl("run", "--raw", "--source", "outra", "--stats", pr, input=inp)
    eq(stats_of(p)["skipped"], 3, "--source names another source: every record skipped")
    eq(p.stdout, b"", "stdout")


# ---- input handling ------------------------------------------------------------------

def test_files_dash_and_per_file_line_numbers():
    pr = prog()
    a = write("a.ndjson", env({"doc": "a1", "nome": "A", "idade": 1}) + "\n" + env({"doc": "a2"}) + "\n")
    b = write("b.ndjson", env({"doc": "b1"}) + "\n")
    rj = os.path.join(TMP, "ab-rejects.ndjson")
    p = dpl("run", "--rejects", rj, pr, a, "-", b, input=env({"doc": "s1", "nome": "S", "idade": 2}) + "\n")
    eq(p.returncode, 0, "exit")
    out = [json.loads(l)["data"] for l in lines(p.stdout)]
    eq([(o["doc"], o["linha"]) for o in out], [("a1", 1), ("s1", 1)], "emitted in input order, lines per input")
    rej = [json.loads(l) for l in open(rj)]
    eq([(r["input"], r["line"]) for r in rej], [(a, 2), (b, 1)], "rejects name their input")
    # one input: no "input" key
    p = dpl("run", pr, a)
    rej = [json.loads(l) for l in p.stderr.decode().splitlines() if l.startswith("{")]
    assert "input" not in rej[0], rej[0]


def test_crlf_blank_lines_and_last_line_without_newline():
    pr = prog()
    inp = (env({"doc": "1", "nome": "Ana", "idade": 1}) + "\r\n\r\n" +
           "  \t \n" + env({"doc": "2", "nome": "Bia", "idade": 2}))
    p = dpl("run", "--stats", pr, input=inp)
    eq(p.returncode, 0, "exit")
    out = [json.loads(l)["data"] for l in lines(p.stdout)]
    eq([(o["doc"], o["linha"]) for o in out], [("1", 1), ("2", 4)], "records and their lines")
    s = stats_of(p)
    eq((s["records"], s["emitted"], s["rejected"]), (2, 2, 0), "counts")


def test_invalid_utf8_and_deep_nesting_are_rejected_as_valid_json():
    pr = prog()
    raw = b'{"data":{"doc":"\xff\xfe"},"metadata":{"source":"cadastro"}}\n' + b"[" * 100000 + b"\n"
    p = dpl("run", "--stats", pr, input=raw)
    eq(p.returncode, 0, "exit")
    rej = [json.loads(l) for l in p.stderr.decode("utf-8").splitlines() if l.startswith('{"line"')]
    eq([r["errors"][0]["code"] for r in rej], ["invalid_json", "limit_exceeded"], "codes")
    assert "\ufffd" in rej[0]["raw"], rej[0]["raw"]
    eq(stats_of(p)["rejected"], 2, "rejected")


def test_unreadable_input_file():
    pr = prog()
    good = write("good.ndjson", env({"doc": "1", "nome": "A", "idade": 1}) + "\n")
    missing = os.path.join(TMP, "missing.ndjson")
    p = dpl("run", pr, missing, good)
    eq(p.returncode, 1, "exit")
    err = p.stderr.decode()
    eq(err.count(missing), 1, "messages naming the file")
    eq(len(err.strip().splitlines()), 1, "one message")
    eq(len(lines(p.stdout)), 1, "the readable file is still processed")
    p = dpl("run", pr, TMP)  # a directory: read fails
    eq(p.returncode, 1, "exit for a directory")
    assert TMP in p.stderr.decode(), p.stderr


def test_write_error_dev_full():
    if not os.path.exists("/dev/full"):
        return
    # with -j 2 a worker writes out its own blocks: the failure it meets
    # stops the run the same way, whichever thread writes
    pr = prog()
    for jobs, n in (("1", 100), ("2", 100), ("2", 60000)):
        inp = write("full.ndjson", (env({"doc": "1", "nome": "A", "idade": 1}) + "\n") * n)
        with open("/dev/full", "w") as full:
            p = subprocess.run([ARGS.dpl, "run", "-j", jobs, pr, inp], stdout=full, stderr=subprocess.PIPE,
                               timeout=60)
        eq(p.returncode, 1, "-j %s, %d records: exit" % (jobs, n))
        err = p.stderr.decode().strip().splitlines()
        eq(len(err), 1, "-j %s, %d records: one message: %r" % (jobs, n, err))
        assert "stdout" in err[0], err


def test_rejects_file_unwritable():
    pr = prog()
    p = dpl("run", "--rejects", os.path.join(TMP, "no", "dir", "r.ndjson"), pr, input="")
    eq(p.returncode, 1, "exit")
    assert "r.ndjson" in p.stderr.decode()


def test_epipe_is_a_quiet_stop():
    pr = prog()
    big = write("big.ndjson", (env({"doc": "1", "nome": "A", "idade": 1}) + "\n") * 200000)
    for jobs in ("1", "2"):
        proc = subprocess.Popen([ARGS.dpl, "run", "-j", jobs, pr, big], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        first = proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        rc = proc.wait(timeout=60)
        assert first.startswith(b'{"entity"'), first
        eq(rc, 0, "-j %s: exit" % jobs)
        eq(err, b"", "-j %s: stderr" % jobs)


def test_output_appears_while_input_stalls():
    pr = prog()
    proc = subprocess.Popen([ARGS.dpl, "run", pr], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    # stdin stays open throughout, so any output at all proves the flush on
    # stall; the wait only bounds the test (valgrind's start-up alone can
    # take several seconds on a loaded machine).
    wait = 60 if ARGS.wrap else 5
    try:
        for i in range(3):
            proc.stdin.write((env({"doc": str(i), "nome": "A", "idade": 1}) + "\n").encode())
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], wait)
            assert ready, "no output within %d s of record %d while stdin stays open" % (wait, i)
            line = proc.stdout.readline()
            eq(json.loads(line)["data"]["doc"], str(i), "record")
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    eq(proc.returncode, 0, "exit")


def test_max_record_bytes():
    pr = prog()
    small = env({"doc": "1", "nome": "A", "idade": 1})
    huge = env({"doc": "2", "nome": "x" * 5000, "idade": 1})
    inp = "\n".join([small, huge, small]) + "\n" + huge  # the last one has no newline
    p = dpl("run", "--max-record-bytes", "1k", "--stats", pr, input=inp)
    eq(p.returncode, 0, "exit")
    eq(len(lines(p.stdout)), 2, "emitted")
    rej = [json.loads(l) for l in p.stderr.decode().splitlines() if l.startswith('{"line"')]
    eq([r["line"] for r in rej], [2, 4], "reject lines")
    for r in rej:
        eq(r["errors"][0]["code"], "limit_exceeded", "code")
        assert len(r["raw"]) <= 1024 and huge.startswith(r["raw"]), len(r["raw"])
        assert str(len(huge)) in r["errors"][0]["message"], r["errors"][0]["message"]
    s = stats_of(p)
    eq((s["records"], s["rejected"], s["rejects_by_code"]), (4, 2, {"limit_exceeded": 2}), "stats")
    # exactly at the limit is fine
    p = dpl("run", "--max-record-bytes", str(len(small.encode())), pr, input=small + "\r\n")
    eq(len(lines(p.stdout)), 1, "a record of exactly the limit is processed")


def test_line_numbers_across_blocks_at_any_jobs():
    # Several megabytes (the reader's blocks are about 256 KB): with -j N a
    # block may be processed before the lines ahead of it are counted, and a
    # program that does not read 'line gets its rejects numbered as blocks
    # are merged.  Every reject must name the line it came from, and every
    # -j N, input file or pipe, must give -j 1's bytes.
    rnd = random.Random(7)
    rows, want = [], {}  # want: line number -> what its reject must carry
    for i in range(1, 26001):
        k = rnd.randrange(100)
        if k < 3:
            rows.append("")  # blank: no record, still a line
        elif k < 6:
            rows.append('{"data":{"doc":"%d",' % i)  # not JSON
            want[i] = "invalid_json"
        elif k < 15:
            rows.append(env({"doc": str(i), "idade": i}))  # no nome
            want[i] = "missing_mandatory"
        elif k < 20:
            rows.append(env({"doc": str(i), "nome": "N"}, "outra"))  # skipped
        else:
            rows.append(env({"doc": str(i), "nome": "Nome %d" % i, "idade": i % 90, "pad": "x" * rnd.randrange(200)}))
    rows[20000] = env({"doc": "20001", "nome": "y" * 6000, "idade": 1})  # over the limit
    want[20001] = "limit_exceeded"
    inp = "".join(r + ("\r\n" if n % 9 == 0 else "\n") for n, r in enumerate(rows))
    path = write("blocks.ndjson", inp)
    assert "'line -> linha\n" in PROGRAM
    late = write("late.dpl", PROGRAM.replace("    'line -> linha\n", ""))
    for pr in (prog(), late):
        runs = []
        for jobs in ("1", "2", "3"):
            for via_file in (True, False):
                rj = os.path.join(TMP, "blocks-rejects-%s-%d.ndjson" % (jobs, via_file))
                sk = os.path.join(TMP, "blocks-skipped-%s-%d.ndjson" % (jobs, via_file))
                args = ["run", "-j", jobs, "--max-record-bytes", "4k", "--stats", "--rejects", rj, "--skipped", sk, pr]
                p = dpl(*args, path) if via_file else dpl(*args, input=inp.encode())
                eq(p.returncode, 0, "exit")
                runs.append((jobs, via_file, p.stdout, open(rj, "rb").read(), open(sk, "rb").read(), stats_of(p)))
        first = runs[0]
        got = {r["line"]: r["errors"][0]["code"] for r in map(json.loads, first[3].decode().splitlines())}
        eq(got, want, "every reject names its own line (%s)" % os.path.basename(pr))
        for r in map(json.loads, first[3].decode().splitlines()):
            text = r.get("raw") or json.dumps(r.get("record"))
            assert ('"doc": "%d"' % r["line"]) in text or ('"doc":"%d"' % r["line"]) in text, (r["line"], text[:80])
        if pr != late:
            linhas = [json.loads(l)["data"]["linha"] for l in first[2].decode().splitlines()]
            eq(all(rows[n - 1].find('"doc": "%d"' % n) > 0 for n in linhas), True, "'line of emitted records")
        for run in runs[1:]:
            what = "-j %s %s (%s)" % (run[0], "file" if run[1] else "pipe", os.path.basename(pr))
            eq(run[2] == first[2], True, "entities " + what)
            eq(run[3] == first[3], True, "rejects " + what)
            eq(run[4] == first[4], True, "skipped " + what)
            eq(run[5], first[5], "stats " + what)


def test_jobs_on_one_cpu():
    # A container or `taskset` may give dpl one CPU: -j 2 still starts its
    # worker (on that CPU) and gives -j 1's bytes.
    if not shutil.which("taskset"):
        return
    rows = [env({"doc": "d%d" % i, "nome": "n%d" % i, "idade": i}) if i % 7 else '{"oops' for i in range(20000)]
    path = write("one-cpu.ndjson", "\n".join(rows) + "\n")
    rej1, rej2 = os.path.join(TMP, "one-cpu-j1.rejects"), os.path.join(TMP, "one-cpu-j2.rejects")
    want = dpl("run", "--rejects", rej1, prog(), path)
    eq(want.returncode, 0, "exit")
    cpu = sorted(os.sched_getaffinity(0))[0]
    p = subprocess.run(["taskset", "-c", str(cpu), ARGS.dpl, "run", "-j", "2", "--rejects", rej2, prog(), path],
                       capture_output=True, timeout=60)
    eq((p.returncode, p.stderr.decode()), (0, ""), "-j 2 on one CPU")
    eq(p.stdout, want.stdout, "-j 2 on one CPU gives -j 1's output")
    with open(rej1, "rb") as a, open(rej2, "rb") as b:
        eq(b.read(), a.read(), "-j 2 on one CPU gives -j 1's rejects")


def test_memory_bounded_by_max_record_bytes():
    """A 64 MiB line with --max-record-bytes 1m is skipped without being buffered."""
    pr = prog()
    path = os.path.join(TMP, "huge.ndjson")
    with open(path, "wb") as f:
        f.write(b'{"data":{"doc":"1","nome":"' + b"x" * (64 << 20) + b'"},"metadata":{"source":"cadastro"}}\n')
        f.write((env({"doc": "2", "nome": "B", "idade": 1}) + "\n").encode())
    code = ("import resource, subprocess, sys\n"
            "p = subprocess.run(sys.argv[1:], capture_output=True)\n"
            "print(p.returncode, p.stdout.count(b'\\n'), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    r = subprocess.run([sys.executable, "-c", code, ARGS.dpl, "run", "--max-record-bytes", "1m",
                        "--rejects", "/dev/null", pr, path], capture_output=True, text=True, timeout=120)
    rc, emitted, rss_kib = map(int, r.stdout.split())
    eq((rc, emitted), (0, 1), "exit and emitted")
    assert rss_kib < 32 * 1024, "max RSS %d KiB for a 64 MiB line with a 1 MiB limit" % rss_kib


def test_accounting_on_corrupted_stream():
    """~5% of lines corrupted in many ways: every line ends in exactly one place."""
    rnd = random.Random(42)
    pr = write("acc.dpl", 'entity "e" { n }\nsources "s"\nmandatory { v }\nrequirement { v >= 0 }\n'
                          'add { n, v as int -> v, \'line -> linha }\n')
    src_lines, kinds = [], {}
    for i in range(1, 4001):
        rec = {"data": {"n": i, "v": rnd.randint(0, 100)}, "metadata": {"source": "s"}}
        text = json.dumps(rec)
        r = rnd.random()
        if r < 0.05:
            kind = rnd.choice(["truncate", "garbage", "utf8", "array", "nosource", "mandatory", "type", "negative"])
            if kind == "truncate":
                text = text[: rnd.randint(1, len(text) - 2)]
            elif kind == "garbage":
                text = text.replace(":", "#", 1)
            elif kind == "utf8":
                text = text[:10] + "\udcff" + text[10:]
            elif kind == "array":
                text = "[%d]" % i
            elif kind == "nosource":
                text = json.dumps({"data": rec["data"], "metadata": {}})
            elif kind == "mandatory":
                text = json.dumps({"data": {"n": i}, "metadata": {"source": "s"}})
            elif kind == "type":
                text = json.dumps({"data": {"n": i, "v": "x%d" % i}, "metadata": {"source": "s"}})
            else:
                text = json.dumps({"data": {"n": i, "v": -1}, "metadata": {"source": "s"}})
            kinds[i] = kind
        elif r < 0.08:
            text = json.dumps({"data": {"n": i, "v": 1}, "metadata": {"source": "other"}})
            kinds[i] = "skip"
        src_lines.append(text)
    path = os.path.join(TMP, "acc.ndjson")
    with open(path, "wb") as f:
        f.write(("\n".join(src_lines) + "\n").encode("utf-8", "surrogateescape"))
    rj, sk = os.path.join(TMP, "acc-rej.ndjson"), os.path.join(TMP, "acc-skip.ndjson")
    p = dpl("run", "--stats", "--rejects", rj, "--skipped", sk, pr, path)
    eq(p.returncode, 0, "exit")
    s = stats_of(p)
    eq(s["records"], 4000, "records")
    eq(s["emitted"] + s["skipped"] + s["rejected"], s["records"], "emitted + skipped + rejected")
    seen = {}
    for l in lines(p.stdout):
        n = json.loads(l)["data"]["linha"]
        seen[n] = seen.get(n, 0) + 1
    for l in open(rj, encoding="utf-8"):
        n = json.loads(l)["line"]
        seen[n] = seen.get(n, 0) + 1
    with open(sk, "rb") as f:
        skipped = f.read().splitlines()
    for l in skipped:
        n = json.loads(l)["data"]["n"]
        seen[n] = seen.get(n, 0) + 1
    eq(sorted(seen), list(range(1, 4001)), "every line accounted for")
    assert all(v == 1 for v in seen.values()), "a line appears twice"
    eq(len(skipped), sum(1 for k in kinds.values() if k == "skip"), "skipped")
    eq(s["rejected"], sum(1 for k in kinds.values() if k != "skip"), "rejected")
    corrupted = sum(1 for k in kinds.values() if k != "skip")
    assert 120 <= corrupted <= 280, corrupted


# ---- examples ------------------------------------------------------------------------

def test_examples_run():
    ex = os.path.join(ARGS.root, "examples")
    for name in ["people", "orders"]:
        pr = os.path.join(ex, name + ".dpl")
        data = os.path.join(ex, name + ".ndjson")
        p = subprocess.run([ARGS.dplc, "check", pr], capture_output=True, timeout=30)
        eq(p.returncode, 0, "dplc check %s: %s" % (name, p.stdout.decode() + p.stderr.decode()))
        p = dpl("run", "--stats", pr, data)
        eq(p.returncode, 0, "dpl run %s" % name)
        s = stats_of(p)
        assert s["emitted"] > 0, (name, s)
        eq(s["emitted"] + s["skipped"] + s["rejected"], s["records"], name)


def test_a_run_opens_no_kafka_repl_or_crypto_library():
    # dpl opens librdkafka for Kafka and libedit for the REPL only, and has
    # its SHA-256 built in: broken copies of those libraries (and of the
    # libssl librdkafka would bring) found first change nothing for a run
    # of a pipe or for dplc.  A dpl linked with any of them would not start.
    libdir = os.path.join(TMP, "broken-libs")
    os.makedirs(libdir, exist_ok=True)
    for name in ("librdkafka.so.1", "libedit.so.2", "libcrypto.so.3", "libssl.so.3"):
        write(os.path.join("broken-libs", name), "not a shared library\n")
    broken = dict(os.environ, LD_LIBRARY_PATH=libdir)
    inp = "".join(env({"doc": "d%d" % i, "nome": "n", "idade": i}) + "\n" for i in range(3))
    want = dpl("run", prog(), input=inp)
    eq(want.returncode, 0, "exit")
    for args in (["run", prog()], ["run", "-j", "2", prog()]):
        p = subprocess.run([ARGS.dpl, *args], input=inp.encode(), capture_output=True, env=broken, timeout=60)
        eq((p.returncode, p.stderr.decode()), (0, ""), "%r with broken libraries" % args)
        eq(p.stdout, want.stdout, "%r output (entity ids are SHA-256)" % args)
    p = subprocess.run([ARGS.dplc, "check", prog()], capture_output=True, env=broken, timeout=60)
    eq(p.returncode, 0, "dplc check with broken libraries: %s" % p.stderr.decode())


# Tests that measure the process itself (its resident memory), or set
# LD_LIBRARY_PATH for it, which a wrapper such as valgrind changes or
# follows too; they are left out under --wrap.
NOT_UNDER_WRAP = {"test_memory_bounded_by_max_record_bytes", "test_a_run_opens_no_kafka_repl_or_crypto_library"}


# ---- language 1.1 accounting (spec §12.1, §12.5) --------------------------------

WHERE_PROGRAM = """entity "p" { id }
sources "pay"
where {
    type == "ok"
}
add {
    id
    custmer.email -> email
    amount as int -> amount
}
"""


def test_where_skipped_by_and_never_present():
    pr = write("w.dpl", WHERE_PROGRAM)
    rec = lambda d, s="pay": json.dumps({"data": d, "metadata": {"source": s}})
    inp = "\n".join([rec({"id": 1, "type": "ok", "amount": "5"}), rec({"id": 2, "type": "no"}),
                     rec({"id": 3, "type": "ok"}, "other"), rec({"id": 4, "type": "ok", "amount": "x"})]) + "\n"
    skipped = os.path.join(TMP, "skipped.ndjson")
    rejects = os.path.join(TMP, "rejects.ndjson")
    for jobs in ("1", "2", "3"):
        for engine in ("auto", "tree"):
            p = dpl("run", "-j", jobs, "--engine", engine, "--stats", "--skipped", skipped, "--rejects", rejects,
                    pr, input=inp)
            eq(p.returncode, 0, "exit")
            s = stats_of(p)
            what = "-j %s --engine %s" % (jobs, engine)
            eq(s["skipped_by"], {"source": 1, "where": 1}, "skipped_by " + what)
            eq(s["never_present"], ["data.custmer.email"], "never_present " + what)
            eq([json.loads(l)["data"]["id"] for l in open(skipped)], [2, 3], "skipped lines " + what)
            rj = [json.loads(l) for l in open(rejects)]
            eq([(e["code"], e["path"], e["value"]) for e in rj[0]["errors"]], [("cast_failed", "data.amount", "x")],
               "reject value " + what)
            # rejects in a file: the same list as a warning on stderr
            err = p.stderr.decode()
            eq("never present" in err and "data.custmer.email" in err.split("\n")[0], True, "warning " + what)
    # rejects on stderr (the default): no warning, only --stats says it
    p = dpl("run", "--stats", pr, input=inp)
    eq("never present" in p.stderr.decode(), False, "no warning without a rejects file")
    eq(stats_of(p)["never_present"], ["data.custmer.email"], "never_present without a rejects file")
    # no record reached validation: never_present is omitted
    p = dpl("run", "--stats", "--rejects", rejects, pr, input=rec({"id": 9, "type": "no"}) + "\n")
    eq("never_present" in stats_of(p), False, "omitted when no record reached validation")
    eq("never present" in p.stderr.decode(), False, "no warning when no record reached validation")


def test_plain_programs_count_never_present_on_every_engine():
    # a program of plain paths counts presence too
    pr = write("plain.dpl", 'entity "p" { id }\nsources "pay"\nadd {\n    id\n    nmae\n    name\n}\n')
    inp = "".join(json.dumps({"data": {"id": i, "name": "n", "extra": None}, "metadata": {"source": "pay"}}) + "\n"
                  for i in range(50))
    for args in (["--engine", "tree"], [], ["-j", "2"]):
        p = dpl("run", "--stats", *args, pr, input=inp)
        eq(stats_of(p)["never_present"], ["data.nmae"], "never_present %r" % args)


def main():
    suite.main(globals(), skip=lambda args, name: args.wrap and name in NOT_UNDER_WRAP)

if __name__ == "__main__":
    main()
