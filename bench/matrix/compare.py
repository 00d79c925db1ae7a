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
import importlib.util
import json
import os
import sys

# the seed's checker (bench/compare.py) holds the id recomputation and the reader
_spec = importlib.util.spec_from_file_location(
    "fipe_compare", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "compare.py"))
_fipe = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fipe)
entity_id, load = _fipe.entity_id, _fipe.load


def norm(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, list):
        return [norm(x) for x in v]
    return {k: norm(x) for k, x in v.items()}


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
