#!/usr/bin/env python3
"""kafka.py — dpl run between Kafka topics, records/s, in one run:

  kcat -C -e             reads the pre-filled topic to its end (the floor:
                         consuming without processing)
  dpl run, 1 consumer    topic -> program -> output topic (acks=all), all
                         offsets committed
  dpl run, 2 consumers   the same with two members of one group
  dpl run, file          the same records from a file to a file (no Kafka)

usage: bench/kafka.py [--build DIR] [-n RECORDS] [-p PARTITIONS] [-j N]

The topic lives in dpl-kafka-mock (librdkafka's mock cluster, one process
on 127.0.0.1), pre-filled with examples/gen_fipe.py output.  A dpl run is
timed from its first record read (its --stats-interval lines) to the moment
the cluster has acknowledged every entity (offsets are committed by the
auto-commit timer after that); group start-up (the mock waits 3 s for
members) is not counted.  The mock keeps 5 MB per partition: the default
32 partitions hold 200,000 records.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "kafka"))
from kafkalib import Mock, wait_until  # noqa: E402


class Run:
    """A dpl run process whose stderr is read as it comes (--stats-interval)."""

    def __init__(self, args, log):
        self.log = open(log, "wb")
        self.p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.set_blocking(self.p.stderr.fileno(), False)
        self.buf = b""
        self.first = None

    def poll(self):
        try:
            chunk = self.p.stderr.read()
        except (BlockingIOError, TypeError):
            chunk = None
        if chunk:
            self.log.write(chunk)
            self.buf += chunk
            lines = self.buf.split(b"\n")
            self.buf = lines.pop()
            for l in lines:
                if self.first is None and l.startswith(b"{") and json.loads(l).get("records", 0) > 0:
                    self.first = time.monotonic()

    def stop(self):
        self.p.terminate()
        self.p.wait()
        self.poll()
        self.log.close()
        return self.p.returncode


def bench_dpl(dpl, mock, consumers, group, out_topic, n_entities, jobs, tmp):
    """Seconds from the first record read to the last entity acknowledged."""
    runs = [Run([dpl, "run", os.path.join(ROOT, "examples", "fipe.dpl"), mock.url("in", group),
                 "--output", mock.url(out_topic), "--rejects", os.path.join(tmp, "%s-%d.rejects" % (group, i)),
                 "--stats-interval", "0.05", "-j", str(jobs), "-X", "session.timeout.ms=6000"],
                os.path.join(tmp, "%s-%d.err" % (group, i))) for i in range(consumers)]

    def done():
        for r in runs:
            r.poll()
        return mock.count(out_topic) >= n_entities

    if not wait_until(done, 600, 0.02):
        raise SystemExit("dpl run did not finish: see %s" % tmp)
    end = time.monotonic()
    for r in runs:
        r.poll()
    start = min(r.first for r in runs if r.first is not None)
    rcs = [r.stop() for r in runs]
    if any(rcs):
        raise SystemExit("dpl run exited %s" % rcs)
    return end - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("-n", type=int, default=200000)
    ap.add_argument("-p", type=int, default=32)
    ap.add_argument("-j", type=int, default=1)
    a = ap.parse_args()
    dpl = os.path.join(a.build, "dpl")
    mock_exe = os.path.join(a.build, "tests", "kafka", "dpl-kafka-mock")
    kcat = shutil.which("kcat")
    tmp = tempfile.mkdtemp(prefix="dpl-kafka-bench-")
    data = os.path.join(tmp, "fipe.ndjson")
    subprocess.run([sys.executable, os.path.join(ROOT, "examples", "gen_fipe.py"), str(a.n), "--seed", "1",
                    "-o", data], check=True)
    size = os.path.getsize(data)
    rows = []
    t = time.monotonic()
    with open(data, "rb") as f, open(os.path.join(tmp, "file.out"), "wb") as o:
        subprocess.run([dpl, "run", os.path.join(ROOT, "examples", "fipe.dpl"), "-j", str(a.j), "--rejects",
                        os.path.join(tmp, "file.rejects")], stdin=f, stdout=o, check=True)
    file_secs = time.monotonic() - t
    with open(os.path.join(tmp, "file.out"), "rb") as f:
        entities = sum(1 for _ in f)
    with Mock(mock_exe, brokers=1, topics={"in": a.p, "out1": a.p, "out2": a.p}, tmp=tmp) as m:
        t = time.monotonic()
        n = m.produce("in", data)
        print("pre-filled %d records (%.0f MB) in %.1f s" % (n, size / 1e6, time.monotonic() - t), flush=True)
        if kcat:
            t = time.monotonic()
            p = subprocess.run([kcat, "-C", "-b", m.bootstrap, "-t", "in", "-e", "-q", "-o", "beginning"],
                               stdout=subprocess.PIPE, check=True)
            secs = time.monotonic() - t
            got = p.stdout.count(b"\n")
            rows.append(("kcat -C -e (read only)", got, secs))
        else:
            print("kcat is not installed (scripts/setup --bench): no floor", flush=True)
        rows.append(("dpl run, 1 consumer", n, bench_dpl(dpl, m, 1, "bench1", "out1", entities, a.j, tmp)))
        rows.append(("dpl run, 2 consumers", n, bench_dpl(dpl, m, 2, "bench2", "out2", entities, a.j, tmp)))
    rows.append(("dpl run, file to file", n, file_secs))
    print("\n%-28s %10s %9s %12s" % ("", "records", "seconds", "records/s"))
    for name, cnt, secs in rows:
        print("%-28s %10d %9.2f %12.0f" % (name, cnt, secs, cnt / secs))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
