#!/usr/bin/env python3
"""compare.py — check that dpl, jq and gojq emitted the same records in a benchmark run.

    compare.py --input IN [--dpl OUT --dpl-stats STATS] --jq OUT [--gojq OUT]

The jq programs emit "key" (the entity key values) where dpl emits "id"
(a SHA-256 jq cannot compute).  So this compares, record by record and in
order, the `data` objects (as JSON values: 52000 and 52000.0 compare equal,
because jq and gojq print integral reals as integers), and for dpl it also
recomputes every id from the jq record's key values (spec §7.3) and checks
dpl's --stats counts against the input.  Exits 1 on any mismatch.
"""

import argparse
import hashlib
import json
import sys


def canonical(v):
    # RFC 8785 for the key types fipe uses (strings, integers); python's
    # escaping with ensure_ascii=False matches it for strings.
    if isinstance(v, float):
        raise ValueError("real-valued entity key: not handled by this checker")
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def entity_id(name, keys):
    b = name.encode("utf-8")
    for k in keys:
        b += b"\x1f" + canonical(k).encode("utf-8")
    return hashlib.sha256(b).hexdigest()


def load(path):
    with open(path, "rb") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--dpl")
    ap.add_argument("--dpl-stats")
    ap.add_argument("--jq", required=True)
    ap.add_argument("--gojq")
    a = ap.parse_args()

    problems = []
    ref = load(a.jq)
    outs = {"jq": ref}
    if a.gojq:
        outs["gojq"] = load(a.gojq)
    if a.dpl:
        outs["dpl"] = load(a.dpl)

    for name, recs in outs.items():
        if len(recs) != len(ref):
            problems.append("%s emitted %d records, jq %d" % (name, len(recs), len(ref)))
            continue
        bad = sum(1 for r, j in zip(recs, ref) if r.get("data") != j["data"])
        if bad:
            first = next(i for i, (r, j) in enumerate(zip(recs, ref)) if r.get("data") != j["data"])
            problems.append("%s: %d records differ from jq in data (first: output line %d)"
                            % (name, bad, first + 1))

    if a.dpl and len(outs["dpl"]) == len(ref):
        wrong = sum(1 for r, j in zip(outs["dpl"], ref)
                    if r.get("id") != entity_id("fipe", j["key"]))
        if wrong:
            problems.append("dpl: %d ids differ from sha256 of the keys" % wrong)
        order = sum(1 for r, j in zip(outs["dpl"], ref) if list(r["data"]) != list(j["data"]))
        if order:
            problems.append("dpl: %d records with a different attribute order than jq" % order)

    if a.dpl_stats:
        st = None
        with open(a.dpl_stats, "rb") as f:
            for line in f:
                try:
                    v = json.loads(line)
                except ValueError:
                    continue
                if isinstance(v, dict) and "records" in v:
                    st = v
        if st is None:
            problems.append("dpl: no --stats line")
        else:
            with open(a.input, "rb") as f:
                n = sum(1 for line in f if line.strip())
            if st.get("records") != n:
                problems.append("dpl stats: records %s, input has %d" % (st.get("records"), n))
            if st.get("emitted", 0) + st.get("skipped", 0) + st.get("rejected", 0) != st.get("records"):
                problems.append("dpl stats: emitted + skipped + rejected != records")
            if a.dpl and st.get("emitted") != len(outs["dpl"]):
                problems.append("dpl stats: emitted %s, output has %d" % (st.get("emitted"), len(outs["dpl"])))

    for p in problems:
        print("MISMATCH " + p)
    if problems:
        return 1
    print("same output: %d records emitted by %s (data compared%s)"
          % (len(ref), ", ".join(outs), ", dpl ids verified" if a.dpl else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
