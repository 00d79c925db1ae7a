#!/usr/bin/env python3
"""Kafka and data-lake tests for `dpl run` (spec §15, §16), against
dpl-kafka-mock, librdkafka's mock cluster on 127.0.0.1.  Each test checks at
the end that every input offset produced its output at least once, and that
the counts add up.

  fipe_100k     100k gen_fipe --broken 5 envelopes, one consumer, to entities,
                rejects and skipped topics: keys, headers, "kafka" positions
  group_kill    three consumers of one group on 6 partitions (-j 2), one
                SIGKILLed mid-stream: the others take over, nothing is lost; the
                duplicates are counted and printed
  broker_down   a broker down for a few seconds mid-stream: nothing lost
  dir_kill      dir:// batches with a small max_bytes, SIGKILL mid-batch: no
                partial file under a final name, every committed offset's
                record in a closed batch; a restart completes the rest
  sigterm       SIGTERM: exit 0, final commit, group left (a new member gets
                the partitions at once and reads only what is new), -j 2
                keeps each partition's order
  second_signal SIGTERM while the cluster is down waits; a second one exits
                at once; a restart loses nothing
  errors        unreachable cluster, missing topic, bad -X, bad URLs

usage: run_kafka.py --dpl PATH --dplc PATH --root SRCROOT --mock PATH [-k REGEX]
The last line printed is 'N passed, N failed'.
"""
import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kafkalib  # noqa: E402
from kafkalib import Mock, check_outputs, expected_outcomes, wait_until  # noqa: E402

ARGS = None
TMP = None
# The mock rebalances a group only after session.timeout.ms - 1 s: keep it short.
GROUP_OPTS = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
              "-X", "auto.commit.interval.ms=500"]
_inputs = {}


def program():
    return os.path.join(ARGS.root, "examples", "fipe.dpl")


def fipe_input(n, broken=5):
    """gen_fipe.py output, made once per size."""
    key = (n, broken)
    if key not in _inputs:
        path = os.path.join(TMP, "fipe-%d-%d.ndjson" % key)
        subprocess.run([sys.executable, os.path.join(ARGS.root, "examples", "gen_fipe.py"), str(n),
                        "--broken", str(broken), "-o", path], check=True)
        outdir = tempfile.mkdtemp(dir=TMP)
        _inputs[key] = (path, expected_outcomes(ARGS.dpl, program(), path, outdir))
    return _inputs[key]


def spawn(*args, stderr_path):
    err = open(stderr_path, "wb")
    p = subprocess.Popen([ARGS.dpl, "run", *args], stdout=subprocess.DEVNULL, stderr=err)
    p.stderr_path = stderr_path
    err.close()
    return p


def stats_lines(proc):
    out = []
    with open(proc.stderr_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("{"):
                out.append(json.loads(line))
    return out


def stderr_text(proc):
    with open(proc.stderr_path, encoding="utf-8", errors="replace") as f:
        return f.read()


def final_stats(proc):
    s = stats_lines(proc)
    return s[-1] if s else None


def stop(proc, sig=signal.SIGTERM, timeout=60):
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError("dpl run did not stop within %ds after %s" % (timeout, sig.name))


_t0 = [time.monotonic()]


def trace(what):
    """With DPL_KAFKA_TRACE=1: when each step of a test ends."""
    if os.environ.get("DPL_KAFKA_TRACE"):
        print("    %6.2f s  %s" % (time.monotonic() - _t0[0], what), flush=True)


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def nothing_dropped(m, *topics):
    """The mock keeps at most 5 MB (or 100k messages) per partition and drops
    the oldest beyond: a test that lost data that way proves nothing."""
    for t in topics:
        for part, (lo, _) in m.watermarks(t).items():
            expect(lo == 0, "the mock dropped the start of %s [%d] (5 MB per partition): use more partitions"
                   % (t, part))


def counts_add_up(stats, what):
    expect(stats is not None, "%s printed no --stats line" % what)
    expect(stats["records"] == stats["emitted"] + stats["skipped"] + stats["rejected"],
           "%s: counts do not add up: %s" % (what, stats))


def wanted(outcomes, kind):
    return sum(1 for k, _ in outcomes if k == kind)


def total_outputs(outcomes, skipped=False):
    """Output lines the inputs make (skipped records only where they are kept)."""
    return wanted(outcomes, "emit") + wanted(outcomes, "reject") + (wanted(outcomes, "skip") if skipped else 0)


# ---- tests ----------------------------------------------------------------------


def test_fipe_100k():
    path, outcomes = fipe_input(100000)
    # the mock keeps at most 5 MB per partition: 76 MB of input on 32; the
    # ~5 MB of rejects and skipped lines have no key, so the sticky
    # partitioner may put much of them in one partition: 16 and 8
    with Mock(ARGS.mock, brokers=1, topics={"in": 32, "entities": 16, "rejects": 16, "skipped": 8}) as m:
        n = m.produce("in", path)
        expect(n == len(outcomes), "produced %d of %d lines" % (n, len(outcomes)))
        p = spawn(program(), m.url("in", "g100k"), "--output", m.url("entities"), "--rejects",
                  m.url("rejects"), "--skipped", m.url("skipped"), "--stats", *GROUP_OPTS,
                  stderr_path=os.path.join(TMP, "fipe100k.err"))
        want = total_outputs(outcomes, skipped=True)
        done = wait_until(lambda: m.count("entities") + m.count("rejects") + m.count("skipped") >= want
                          or p.poll() is not None, 600, 0.5)
        expect(p.poll() is None, "dpl run ended early (%s): %s" % (p.returncode, stderr_text(p)[-2000:]))
        expect(done, "outputs incomplete after 600 s")
        # every offset committed once the last deliveries are acknowledged
        marks = m.watermarks("in")
        expect(wait_until(lambda: all(m.committed("g100k", "in")[q] == hi for q, (_, hi) in marks.items()), 30, 0.5),
               "committed %s, want %s" % (m.committed("g100k", "in"), marks))
        rc = stop(p)
        expect(rc == 0, "exit %d after SIGTERM: %s" % (rc, stderr_text(p)[-2000:]))
        st = final_stats(p)
        counts_add_up(st, "the consumer")
        nothing_dropped(m, "in", "entities", "rejects", "skipped")
        ent, rej, skp = m.dump("entities"), m.dump("rejects"), m.dump("skipped")
        rep = check_outputs(outcomes, 32, ent, rej, skp)
        expect(not rep.problems and rep.missing == 0, "%d missing: %s" % (rep.missing, rep.problems))
        expect(rep.duplicates == 0, "%d duplicates without any failure" % rep.duplicates)
        expect(st["emitted"] == len(ent) and st["rejected"] == len(rej) and st["skipped"] == len(skp),
               "stats %s vs topics %d/%d/%d" % (st, len(ent), len(rej), len(skp)))
        # keys and headers (spec §15)
        sha = hashlib.sha256(open(program(), "rb").read()).hexdigest()
        for msg in ent[:50]:
            e = json.loads(msg["value"])
            expect(msg["key"] == e["id"], "entity key %r is not its id" % msg["key"])
            expect(msg["headers"] == {"dpl-entity": "fipe", "dpl-source": "fipe", "dpl-program": sha},
                   "entity headers %s" % msg["headers"])
        for msg in rej[:200]:
            r = json.loads(msg["value"])
            h = msg["headers"]
            expect(h.get("dpl-error") == r["errors"][0]["code"], "dpl-error %s for %s" % (h, r["errors"]))
            expect(h.get("dpl-program") == sha and h.get("dpl-entity") == "fipe", "reject headers %s" % h)
            expect(("dpl-source" in h) == isinstance(r.get("source"), str), "dpl-source %s vs %s" % (h, r.get("source")))
        # one entity always lands in one partition
        where = {}
        for msg in ent:
            expect(where.setdefault(msg["key"], msg["partition"]) == msg["partition"], "an id in two partitions")
        print("  fipe_100k: %d entities, %d rejects, %d skipped" % (len(ent), len(rej), len(skp)))


def split_input(path, partitions, tag):
    """The input in two files whose produce keeps kafkalib.position (line i
    at partition i % P): the cut is on a multiple of P."""
    half = os.path.join(TMP, "%s-a.ndjson" % tag), os.path.join(TMP, "%s-b.ndjson" % tag)
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")[:-1]
    cut = (len(lines) // (2 * partitions)) * partitions
    for name, part in zip(half, (lines[:cut], lines[cut:])):
        with open(name, "wb") as f:
            f.write(b"".join(l + b"\n" for l in part))
    return half


def test_group_kill():
    path, outcomes = fipe_input(30000, broken=5)
    half = split_input(path, 6, "kill")
    n0 = sum(1 for _ in open(half[0], "rb"))
    cut = sum(1 for k, _ in outcomes[:n0] if k != "blank")  # records (not blank lines) of the first half
    with Mock(ARGS.mock, brokers=3, topics={"in": 6, "entities": 6, "rejects": 3}) as m:
        m.produce("in", half[0])
        # -j 2: the killed consumer's reading thread processes blocks too
        procs = [spawn(program(), m.url("in", "gkill"), "--output", m.url("entities"), "--rejects", m.url("rejects"),
                       "--stats", "--stats-interval", "0.02", "-j", "2", *GROUP_OPTS,
                       stderr_path=os.path.join(TMP, "gkill-%d.err" % i)) for i in range(3)]

        def assigned(p):
            s = stats_lines(p)
            return bool(s and s[-1].get("kafka", {}).get("partitions"))

        expect(wait_until(lambda: all(assigned(p) for p in procs), 60, 0.2),
               "the group never gave each consumer partitions: %s" % [stderr_text(p)[-300:] for p in procs])
        victim = max(procs, key=lambda p: len(stats_lines(p)[-1]["kafka"]["partitions"]))
        owned = [x["partition"] for x in stats_lines(victim)[-1]["kafka"]["partitions"]]
        expect(wait_until(lambda: sum(final_stats(p)["records"] for p in procs) >= cut, 60, 0.05),
               "the first half was not consumed")
        trace("first half consumed")
        before = final_stats(victim)["records"]
        m.produce("in", half[1])
        # kill it mid-stream: once it works on the second half, before it is done
        expect(wait_until(lambda: final_stats(victim)["records"] > before, 60, 0.01),
               "the victim never processed a record of the second half")
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        trace("killed")
        others = [p for p in procs if p is not victim]
        want = total_outputs(outcomes)
        done = wait_until(lambda: m.count("entities") + m.count("rejects") >= want, 180, 0.5)
        expect(done, "outputs incomplete after the kill: %d of %d" % (m.count("entities") + m.count("rejects"), want))
        marks = m.watermarks("in")
        expect(wait_until(lambda: all(m.committed("gkill", "in")[q] == hi for q, (_, hi) in marks.items()), 60, 0.5),
               "committed %s, want %s" % (m.committed("gkill", "in"), marks))
        rcs = [stop(p) for p in others]
        expect(rcs == [0, 0], "exit statuses %s" % rcs)
        for p in others:
            counts_add_up(final_stats(p), "a surviving consumer")
        nothing_dropped(m, "in", "entities", "rejects")
        ent, rej = m.dump("entities"), m.dump("rejects")
        rep = check_outputs(outcomes, 6, ent, rej)
        expect(not rep.problems and rep.missing == 0, "%d missing: %s" % (rep.missing, rep.problems))
        print("  group_kill: killed the owner of partitions %s; %d outputs for %d input records, %d duplicates"
              % (owned, len(ent) + len(rej), len(outcomes), rep.duplicates))


def test_broker_down():
    path, outcomes = fipe_input(30000, broken=5)
    with Mock(ARGS.mock, brokers=3, topics={"in": 8, "entities": 6, "rejects": 3}) as m:
        m.produce("in", path)
        want = total_outputs(outcomes)
        p = spawn(program(), m.url("in", "gdown"), "--output", m.url("entities"), "--rejects", m.url("rejects"),
                  "--stats", *GROUP_OPTS, stderr_path=os.path.join(TMP, "down.err"))
        expect(wait_until(lambda: m.count("entities") > 0, 60, 0.02), "no output: %s" % stderr_text(p)[-1000:])
        trace("output started")
        at_down = m.count("entities") + m.count("rejects")
        m.down(2)
        trace("broker 2 down")
        time.sleep(3)
        m.up(2)
        trace("broker 2 up")
        expect(at_down < want, "the run had finished before the broker went down")
        # done: every input offset committed (output counts include duplicates)
        marks = m.watermarks("in")
        def all_committed():
            c = m.committed("gdown", "in")
            trace("committed %s, outputs %d" % (sorted(c.values()), m.count("entities") + m.count("rejects")))
            return all(c[q] == hi for q, (_, hi) in marks.items())

        done = wait_until(lambda: p.poll() is not None or all_committed(), 180, 0.5)
        expect(p.poll() is None, "dpl run ended (%s): %s" % (p.returncode, stderr_text(p)[-2000:]))
        expect(done, "not everything committed after the broker came back: %s" % m.committed("gdown", "in"))
        trace("all committed")
        rc = stop(p)
        expect(rc == 0, "exit %d: %s" % (rc, stderr_text(p)[-2000:]))
        counts_add_up(final_stats(p), "the consumer")
        nothing_dropped(m, "in", "entities", "rejects")
        ent, rej = m.dump("entities"), m.dump("rejects")
        rep = check_outputs(outcomes, 8, ent, rej)
        expect(not rep.problems and rep.missing == 0, "%d missing: %s" % (rep.missing, rep.problems))
        msgs = [l for l in stderr_text(p).splitlines() if l.startswith("dpl run: kafka")]
        if os.environ.get("DPL_KAFKA_TRACE"):
            print("\n".join(msgs))
        print("  broker_down: %d of %d outputs before the outage, %d duplicates, %d Kafka messages on stderr"
              % (at_down, want, rep.duplicates, len(msgs)))


def lake_files(d):
    return sorted(f for f in os.listdir(d) if not f.startswith("."))


def test_dir_kill():
    path, outcomes = fipe_input(12000, broken=5)
    lake = os.path.join(TMP, "lake")
    max_bytes = 32768
    url = "dir://%s?max_bytes=%d&max_seconds=30" % (lake, max_bytes)
    halves = split_input(path, 4, "lake")
    with Mock(ARGS.mock, brokers=1, topics={"in": 4}) as m:
        m.produce("in", halves[0])
        p = spawn(program(), m.url("in", "glake"), "--output", url, "--rejects", url, *GROUP_OPTS,
                  stderr_path=os.path.join(TMP, "lake1.err"))
        trace("started")
        expect(wait_until(lambda: any(o > 0 for o in m.committed("glake", "in").values()), 120, 0.2),
               "nothing committed: %s" % stderr_text(p)[-1000:])
        trace("first commit")
        # mid-stream and mid-batch: more input, and the kill once more batches closed
        before = len(lake_files(lake))
        m.produce("in", halves[1])
        expect(wait_until(lambda: len(lake_files(lake)) >= before + 5, 120, 0.005),
               "no new batches: %s" % stderr_text(p)[-1000:])
        p.send_signal(signal.SIGKILL)
        p.wait()
        trace("killed")
        committed = m.committed("glake", "in")
        nothing_dropped(m, "in")
        files = lake_files(lake)
        pat = re.compile(r"^(entities|rejects)-\d{8}T\d{6}Z-\d{6}\.ndjson$")
        entities, rejects = [], []
        for f in files:
            expect(pat.match(f), "unexpected file name %s" % f)
            data = open(os.path.join(lake, f), "rb").read()
            expect(data.endswith(b"\n"), "%s is a partial batch" % f)
            lines = data.split(b"\n")[:-1]
            expect(len(data) <= max_bytes or len(lines) == 1, "%s is %d bytes" % (f, len(data)))
            for l in lines:
                json.loads(l)
            (entities if f.startswith("entities") else rejects).extend({"value": l.decode()} for l in lines)
        expect(any(o > 0 for o in committed.values()), "nothing was committed before the kill: %s" % committed)
        rep = check_outputs(outcomes, 4, entities, rejects, only=lambda part, off: off < committed.get(part, -1))
        expect(not rep.problems and rep.missing == 0,
               "committed %s but %d outputs are not in closed batches: %s" % (committed, rep.missing, rep.problems))
        first = len(files)
        left = [f for f in os.listdir(lake) if f.startswith(".")]
        # a restart reads on from the committed offsets and completes the rest
        # (its last batch closes on age)
        url = "dir://%s?max_bytes=%d&max_seconds=0.5" % (lake, max_bytes)
        p = spawn(program(), m.url("in", "glake"), "--output", url, "--rejects", url, "--stats", *GROUP_OPTS,
                  stderr_path=os.path.join(TMP, "lake2.err"))
        marks = m.watermarks("in")
        expect(wait_until(lambda: all(m.committed("glake", "in")[q] == hi for q, (_, hi) in marks.items())
                          or p.poll() is not None, 120, 0.2),
               "not everything committed after the restart: %s" % m.committed("glake", "in"))
        trace("restart done")
        rc = stop(p)
        trace("restart stopped")
        expect(rc == 0, "exit %d: %s" % (rc, stderr_text(p)[-2000:]))
        counts_add_up(final_stats(p), "the restarted consumer")
        entities, rejects = [], []
        for f in lake_files(lake):
            for l in open(os.path.join(lake, f), "rb").read().split(b"\n")[:-1]:
                (entities if f.startswith("entities") else rejects).append({"value": l.decode()})
        rep = check_outputs(outcomes, 4, entities, rejects)
        expect(not rep.problems and rep.missing == 0, "%d missing: %s" % (rep.missing, rep.problems))
        # the restart removed the killed run's temporary files, and said so
        temps = [f for f in os.listdir(lake) if f.startswith(".")]
        expect(temps == [], "temporary files left after the restart: %s (at the kill: %s)" % (temps, left))
        for stream in ("entities", "rejects"):
            n = sum(f.startswith("." + stream + "-") for f in left)
            expect(not n or ("removed %d temporary %s file" % (n, stream)) in stderr_text(p),
                   "the removal of %s was not reported: %s" % (left, stderr_text(p)[-1000:]))
        print("  dir_kill: %d closed batches at the kill (committed %s), %d after the restart, %d duplicates, "
              "%d temporary file(s) of the killed run removed" % (first, committed, len(lake_files(lake)),
                                                                   rep.duplicates, len(left)))


def lake_lines(d, stream):
    """The lines of d's closed batches of one stream, in the order written
    (one writer: names sort by opening time, then sequence number)."""
    out = []
    if os.path.isdir(d):
        for f in sorted(os.listdir(d)):
            if f.startswith(stream + "-"):
                with open(os.path.join(d, f), "rb") as fh:
                    out.extend(l.decode() for l in fh.read().split(b"\n")[:-1])
    return out


def test_sigterm():
    path, outcomes = fipe_input(6000, broken=5)
    with Mock(ARGS.mock, brokers=1, topics={"in": 3, "entities": 3, "rejects": 1}, watch_groups=True) as m:
        m.produce("in", path)
        # -j 2; rejects in a directory, where their order can be seen; no
        # auto-commit during the run: only the final commit can commit
        lake = os.path.join(TMP, "term-a")
        a = spawn(program(), m.url("in", "gterm"), "--output", m.url("entities"),
                  "--rejects", "dir://%s?max_bytes=16k&max_seconds=0.2" % lake, "--stats", "-j", "2", *GROUP_OPTS,
                  "-X", "auto.commit.interval.ms=600000", stderr_path=os.path.join(TMP, "terma.err"))
        want = total_outputs(outcomes)
        expect(wait_until(lambda: m.count("entities") + len(lake_lines(lake, "rejects")) >= want, 120, 0.2),
               "outputs incomplete: %s" % stderr_text(a)[-1000:])
        expect(all(o == -1001 for o in m.committed("gterm", "in").values()), "committed before the end")
        rc = stop(a, timeout=30)
        expect(rc == 0, "exit %d after SIGTERM: %s" % (rc, stderr_text(a)[-2000:]))
        counts_add_up(final_stats(a), "the consumer")
        marks = m.watermarks("in")
        committed = m.committed("gterm", "in")
        expect(all(committed[q] == hi for q, (_, hi) in marks.items()),
               "final commit: committed %s, high watermarks %s" % (committed, marks))
        expect(m.leaves() >= 1, "the consumer did not leave the group")
        rejects = [{"value": l} for l in lake_lines(lake, "rejects")]
        rep = check_outputs(outcomes, 3, m.dump("entities"), rejects)
        expect(not rep.problems and rep.missing == 0, "%d missing: %s" % (rep.missing, rep.problems))
        # with -j 2, each partition's records still come out in offset order
        last = {}
        for r in rejects:
            k = json.loads(r["value"])["kafka"]
            expect(k["offset"] > last.get(k["partition"], -1), "partition %d out of order at offset %d"
                   % (k["partition"], k["offset"]))
            last[k["partition"]] = k["offset"]
        # a new member gets the partitions at once and reads only what is new
        m.produce("in", path)
        base = m.count("entities")
        t0 = time.monotonic()
        b = spawn(program(), m.url("in", "gterm"), "--output", m.url("entities"), "--rejects", m.url("rejects"),
                  "--stats", *GROUP_OPTS, stderr_path=os.path.join(TMP, "termb.err"))
        expect(wait_until(lambda: m.count("entities") - base + m.count("rejects") >= want, 60, 0.1),
               "the new member did not finish: %s" % stderr_text(b)[-1000:])
        took = time.monotonic() - t0
        rc = stop(b, timeout=30)
        expect(rc == 0, "second member exit %d" % rc)
        st = final_stats(b)
        expect(st["records"] == len(outcomes) - wanted(outcomes, "blank"),
               "the new member read %d records, want only the %d new ones" % (st["records"], len(outcomes)))
        print("  sigterm: exit 0, committed %s only at the end, rejects in offset order per partition (-j 2), "
              "the next member done in %.1f s" % (committed, took))


def test_second_signal():
    """SIGTERM while the cluster is away: the drain waits for it; a second
    SIGTERM ends the process at once, and a restart loses nothing."""
    path, outcomes = fipe_input(6000, broken=5)
    with Mock(ARGS.mock, brokers=1, topics={"in": 3, "entities": 3, "rejects": 1}) as m:
        m.produce("in", path)
        a = spawn(program(), m.url("in", "g2sig"), "--output", m.url("entities"), "--rejects", m.url("rejects"),
                  *GROUP_OPTS, stderr_path=os.path.join(TMP, "sig2a.err"))
        expect(wait_until(lambda: m.count("entities") > 0, 60, 0.02), "no output: %s" % stderr_text(a)[-1000:])
        m.down(-1)
        a.send_signal(signal.SIGTERM)
        time.sleep(1)
        expect(a.poll() is None, "the drain did not wait for the cluster (exit %s)" % a.returncode)
        t0 = time.monotonic()
        a.send_signal(signal.SIGTERM)
        try:
            a.wait(timeout=5)
        except subprocess.TimeoutExpired:
            a.kill()
            a.wait()
            raise AssertionError("the second SIGTERM did not end the run")
        took = time.monotonic() - t0
        expect(a.returncode == -signal.SIGTERM, "exit %s after the second signal" % a.returncode)
        m.up(-1)
        b = spawn(program(), m.url("in", "g2sig"), "--output", m.url("entities"), "--rejects", m.url("rejects"),
                  *GROUP_OPTS, stderr_path=os.path.join(TMP, "sig2b.err"))
        marks = m.watermarks("in")
        expect(wait_until(lambda: all(m.committed("g2sig", "in")[q] == hi for q, (_, hi) in marks.items()), 120, 0.2),
               "the restart did not commit everything: %s" % stderr_text(b)[-1000:])
        expect(stop(b) == 0, "restart exit status")
        rep = check_outputs(outcomes, 3, m.dump("entities"), m.dump("rejects"))
        expect(not rep.problems and rep.missing == 0, "%d missing: %s" % (rep.missing, rep.problems))
        print("  second_signal: the drain waited for the cluster; the second SIGTERM ended it in %.2f s; "
              "%d duplicates after the restart" % (took, rep.duplicates))


def run_dpl(*args, timeout=60, input=b"", env=None):
    return subprocess.run([ARGS.dpl, "run", *args], capture_output=True, timeout=timeout, input=input, env=env)


def broken_librdkafka_env():
    """An environment where the librdkafka dpl opens is not a library."""
    libdir = os.path.join(TMP, "broken-lib")
    os.makedirs(libdir, exist_ok=True)
    with open(os.path.join(libdir, "librdkafka.so.1"), "w") as f:
        f.write("not a shared library\n")
    return dict(os.environ, LD_LIBRARY_PATH=libdir)


def test_errors():
    prog = program()
    r = run_dpl(prog, "kafka://127.0.0.1:1/in?group=g", timeout=60)
    expect(r.returncode == 1 and b"cannot reach the Kafka cluster at 127.0.0.1:1" in r.stderr,
           "unreachable cluster: exit %d, %s" % (r.returncode, r.stderr))
    with Mock(ARGS.mock, brokers=1, topics={"in": 1}) as m:
        # (a missing topic is an error on a real cluster; the mock creates
        # every topic a client asks about)
        r = run_dpl(prog, m.url("in", "g"), "-X", "no.such.setting=1")
        expect(r.returncode == 2 and b"no.such.setting" in r.stderr, "bad -X: %d %s" % (r.returncode, r.stderr))
        conf = os.path.join(TMP, "bad.conf")
        with open(conf, "w") as f:
            f.write("# comment\nsession.timeout.ms=6000\nthis is wrong\n")
        r = run_dpl(prog, m.url("in", "g"), "--kafka-config", conf)
        expect(r.returncode == 2 and (conf + ":3:").encode() in r.stderr, "bad config file: %s" % r.stderr)
        r = run_dpl(prog, "kafka://%s/in" % m.bootstrap)
        expect(r.returncode == 2 and b"needs a consumer group" in r.stderr, "no group: %s" % r.stderr)
        r = run_dpl(prog, m.url("in", "g"), "more.ndjson")
        expect(r.returncode == 2, "Kafka input with other inputs: %d %s" % (r.returncode, r.stderr))
        r = run_dpl(prog, "--output", "dir://x?max_bytes=0", input=b"")
        expect(r.returncode == 2 and b"max_bytes" in r.stderr, "bad dir URL: %s" % r.stderr)
        # librdkafka is opened only by a Kafka run: without it, a Kafka input
        # or output is an error saying so, and a run without Kafka works.
        broken = broken_librdkafka_env()
        for args, stdin in (([m.url("in", "g")], b""), (["-", "--output", "kafka://%s/out" % m.bootstrap], b"{}\n")):
            r = run_dpl(prog, *args, input=stdin, env=broken)
            expect(r.returncode == 1 and b"Kafka needs librdkafka, which cannot be loaded" in r.stderr
                   and b"librdkafka.so.1" in r.stderr, "no librdkafka, %s: %d %s" % (args, r.returncode, r.stderr))
        with open(fipe_input(3, broken=0)[0], "rb") as f:
            r = run_dpl(prog, input=f.read(), env=broken)
        expect(r.returncode == 0 and r.stdout.count(b"\n") + r.stderr.count(b"\n") == 3,
               "no librdkafka, a pipe run (3 records, each an entity or a reject): %d %s" % (r.returncode, r.stderr))


TESTS = [test_errors, test_sigterm, test_second_signal, test_dir_kill, test_broker_down, test_group_kill, test_fipe_100k]


def main():
    global ARGS, TMP
    ap = argparse.ArgumentParser()
    ap.add_argument("--dpl", required=True)
    ap.add_argument("--dplc", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--mock", required=True)
    ap.add_argument("-k", default="")
    ARGS = ap.parse_args()
    TMP = tempfile.mkdtemp(prefix="dpl-kafka-tests-")
    passed = failed = 0
    for t in TESTS:
        if ARGS.k and not re.search(ARGS.k, t.__name__):
            continue
        t0 = _t0[0] = time.monotonic()
        try:
            t()
            passed += 1
            print("ok   %s (%.1f s)" % (t.__name__, time.monotonic() - t0), flush=True)
        except Exception as e:  # noqa: BLE001  (every failure is reported the same way)
            failed += 1
            print("FAIL %s (%.1f s): %s" % (t.__name__, time.monotonic() - t0, e), flush=True)
    if failed == 0:
        shutil.rmtree(TMP, ignore_errors=True)
    else:
        print("kept %s" % TMP)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
