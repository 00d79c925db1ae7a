#!/usr/bin/env python3
"""compare.py — dpl's output against jq's (and gojq's) for one matrix program.

    compare.py --dpl OUT --jq OUT [--gojq OUT]

The jq programs emit "key" (the entity key values) where dpl emits "id" (a
SHA-256 jq cannot compute): records are compared in order, `entity`,
`source` and `data` as JSON values (52000 and 52000.0 compare equal: jq
prints integral reals as integers), and each dpl id is recomputed from the
jq record's key values (spec §7.3).  Prints one line; exits 1 on a mismatch.
"""
import argparse
import hashlib
import json
import sys


def canonical(v):
    if isinstance(v, float):
        raise ValueError("real-valued entity key: not handled by this checker")
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def entity_id(name, keys):
    b = name.encode("utf-8")
    for k in keys:
        b += b"\x1f" + canonical(k).encode("utf-8")
    return hashlib.sha256(b).hexdigest()


def norm(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, list):
        return [norm(x) for x in v]
    return {k: norm(x) for k, x in v.items()}


def load(path):
    with open(path, "rb") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dpl", required=True)
    ap.add_argument("--jq", required=True)
    ap.add_argument("--gojq")
    a = ap.parse_args()
    d, j = load(a.dpl), load(a.jq)
    problems = []
    if len(d) != len(j):
        problems.append("dpl emitted %d records, jq %d" % (len(d), len(j)))
    for i, (x, y) in enumerate(zip(d, j)):
        if (x["entity"], x["source"], norm(x["data"])) != (y["entity"], y["source"], norm(y["data"])):
            problems.append("record %d differs:\n  dpl %s\n  jq  %s" % (i + 1, json.dumps(x)[:400], json.dumps(y)[:400]))
            break
        if list(x["data"].keys()) != list(y["data"].keys()):
            problems.append("record %d: attribute order differs" % (i + 1))
            break
        if x["id"] != entity_id(y["entity"], y["key"]):
            problems.append("record %d: id is not the SHA-256 of the key values" % (i + 1))
            break
    if a.gojq:
        g = load(a.gojq)
        if len(g) != len(j) or any(norm(p) != norm(q) for p, q in zip(g, j)):
            problems.append("gojq's output differs from jq's")
    if problems:
        print("MISMATCH: " + "; ".join(problems))
        return 1
    print("same output: %d records, data equal, ids checked" % len(d))
    return 0


if __name__ == "__main__":
    sys.exit(main())
