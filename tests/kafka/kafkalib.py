"""kafkalib.py — what the Kafka tests and the Kafka bench share: driving
dpl-kafka-mock (tests/kafka/kafka_mock.c) and checking that every input
record produced its output at least once.

The mock prints its bootstrap address, then answers one command per line
of stdin with one line starting "ok" or "error"."""
import collections
import json
import os
import select
import subprocess
import tempfile
import time


class MockError(Exception):
    pass


class Mock:
    """A running dpl-kafka-mock: `with Mock(path, brokers=3, topics={"in": 6}) as m:`."""

    def __init__(self, path, brokers=1, topics=None, watch_groups=False, tmp=None):
        args = [path, "--brokers", str(brokers)]
        for name, parts in (topics or {}).items():
            args += ["--topic", "%s:%d" % (name, parts)]
        if watch_groups:
            args.append("--watch-groups")
        self.partitions = dict(topics or {})
        self.tmp = tmp or tempfile.mkdtemp(prefix="dpl-kafka-")
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.bootstrap = self._line(30)
        if not self.bootstrap:
            raise MockError("dpl-kafka-mock printed no bootstrap address")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _line(self, timeout):
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            raise MockError("dpl-kafka-mock did not answer within %ss" % timeout)
        return self.proc.stdout.readline().strip()

    def cmd(self, line, timeout=300):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        reply = self._line(timeout)
        if not reply.startswith("ok"):
            raise MockError("%s: %s" % (line, reply))
        return reply[2:].strip()

    def url(self, topic, group=None):
        return "kafka://%s/%s%s" % (self.bootstrap, topic, "?group=" + group if group else "")

    def topic(self, name, partitions):
        self.cmd("topic %s %d" % (name, partitions))
        self.partitions[name] = partitions

    def produce(self, topic, path, keyed=False):
        return int(self.cmd("produce %s %s%s" % (topic, path, " keyed" if keyed else "")))

    def dump(self, topic):
        path = os.path.join(self.tmp, "dump-%s.ndjson" % topic)
        self.cmd("dump %s %s" % (topic, path))
        with open(path, encoding="utf-8") as f:
            return [json.loads(l) for l in f]

    def watermarks(self, topic):
        out = {}
        for item in self.cmd("watermarks " + topic).split():
            p, lo, hi = item.split(":")
            out[int(p)] = (int(lo), int(hi))
        return out

    def count(self, topic):
        """Messages in a topic (sum of high watermarks)."""
        return sum(hi for _, hi in self.watermarks(topic).values())

    def committed(self, group, topic):
        out = {}
        for item in self.cmd("committed %s %s" % (group, topic)).split():
            p, off = item.split(":")
            out[int(p)] = int(off)
        return out

    def down(self, broker):
        self.cmd("down %d" % broker)

    def up(self, broker):
        self.cmd("up %d" % broker)

    def leaves(self):
        return int(self.cmd("leaves"))

    def close(self):
        if self.proc.poll() is None:
            try:
                self.cmd("quit", timeout=10)
            except (MockError, BrokenPipeError, OSError):
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---- what each input line should produce ---------------------------------------


def expected_outcomes(dpl, program, input_path, tmp, wrap=()):
    """Runs `dpl run` over the file: for each input line (0-based) its
    outcome: ("emit", entity line), ("reject", reject object), ("skip",
    line) or ("blank", None)."""
    out = os.path.join(tmp, "expected.entities")
    rej = os.path.join(tmp, "expected.rejects")
    skp = os.path.join(tmp, "expected.skipped")
    with open(out, "wb") as f:
        p = subprocess.run([*wrap, dpl, "run", program, input_path, "--rejects", rej, "--skipped", skp],
                           stdout=f, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise AssertionError("dpl run over the file failed: %s" % p.stderr.decode(errors="replace"))
    with open(input_path, "rb") as f:
        lines = f.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    with open(out, "rb") as f:
        entities = f.read().split(b"\n")[:-1]
    with open(rej, "rb") as f:
        rejects = {}
        for l in f.read().split(b"\n")[:-1]:
            r = json.loads(l)
            rejects[r["line"] - 1] = r
    with open(skp, "rb") as f:
        skipped = f.read().split(b"\n")[:-1]
    outcomes = []
    ei = si = 0
    for i, line in enumerate(lines):
        text = line[:-1] if line.endswith(b"\r") else line
        if i in rejects:
            outcomes.append(("reject", rejects[i]))
        elif text.strip(b" \t\r") == b"":
            outcomes.append(("blank", None))
        elif si < len(skipped) and skipped[si] == text:
            outcomes.append(("skip", text))
            si += 1
        else:
            outcomes.append(("emit", entities[ei]))
            ei += 1
    assert ei == len(entities) and si == len(skipped), "outcomes do not add up: %d/%d entities, %d/%d skipped" % (
        ei, len(entities), si, len(skipped))
    return outcomes


def position(i, partitions):
    """Where dpl-kafka-mock's `produce` put line i: (partition, offset)."""
    return i % partitions, i // partitions


def strip_position(reject):
    r = dict(reject)
    for k in ("line", "input", "kafka"):
        r.pop(k, None)
    return r


Report = collections.namedtuple("Report", "missing duplicates problems")


def check_outputs(outcomes, partitions, entities, rejects, skipped=None, only=None):
    """Checks that every input line (those `only` accepts, given (partition,
    offset)) produced its output at least once in the dumped topics (lists of
    dicts from Mock.dump, or of {"value": line} for files).  Returns a
    Report: how many outputs are missing, how many are extra (duplicates),
    and the first problems found."""
    problems = []
    want_ent = collections.Counter()
    want_skip = collections.Counter()
    want_rej = {}
    considered = 0
    for i, (kind, what) in enumerate(outcomes):
        pos = position(i, partitions)
        if only is not None and not only(*pos):
            continue
        considered += 1
        if kind == "emit":
            want_ent[what.decode()] += 1
        elif kind == "skip":
            want_skip[what.decode(errors="replace")] += 1
        elif kind == "reject":
            want_rej[pos] = what
    have_ent = collections.Counter(m["value"] for m in entities)
    have_rej = collections.defaultdict(list)
    for m in rejects:
        r = json.loads(m["value"])
        k = r.get("kafka")
        if not k:
            problems.append("a reject without its \"kafka\" position: %s" % m["value"][:200])
            continue
        if r.get("line") != k["offset"]:
            problems.append("reject line %s is not its offset %s" % (r.get("line"), k["offset"]))
        have_rej[(k["partition"], k["offset"])].append(r)
    missing = 0
    lost_at = collections.defaultdict(list)  # input partition -> offsets whose output is missing
    left = collections.Counter(have_ent)
    for i, (kind, what) in enumerate(outcomes):
        pos = position(i, partitions)
        if kind == "emit" and (only is None or only(*pos)):
            if left[what.decode()] > 0:
                left[what.decode()] -= 1
            else:
                lost_at[pos[0]].append(pos[1])
    for line, n in want_ent.items():
        if have_ent[line] < n:
            missing += n - have_ent[line]
            if len(problems) < 3:
                problems.append("entity missing: %s" % line[:120])
    if lost_at:
        problems.append("missing entities by input partition: %s" % ", ".join(
            "%d: %d from offset %d to %d" % (p, len(o), min(o), max(o)) for p, o in sorted(lost_at.items())))
    for pos, want in want_rej.items():
        got = have_rej.get(pos)
        if not got:
            missing += 1
            if len(problems) < 5:
                problems.append("reject missing for partition %d offset %d" % pos)
        elif strip_position(got[0]) != strip_position(want):
            problems.append("reject at %s differs from the file run's: %s" % (pos, json.dumps(got[0])[:300]))
    if skipped is not None:
        have_skip = collections.Counter(m["value"] for m in skipped)
        for line, n in want_skip.items():
            if have_skip[line] < n:
                missing += n - have_skip[line]
                if len(problems) < 5:
                    problems.append("skipped record missing: %s" % line[:200])
    dup = 0
    if only is None:
        dup = (len(entities) - sum(want_ent.values())) + (len(rejects) - len(want_rej))
        if skipped is not None:
            dup += len(skipped) - sum(want_skip.values())
    return Report(missing, dup, problems)


def wait_until(pred, timeout, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()
