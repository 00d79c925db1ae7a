#!/usr/bin/env python3
"""make_input.py — the bench matrix's inputs, derived from a gen_fipe.py file.

    make_input.py FIPE.ndjson ENVELOPES.ndjson PLAIN.ndjson

ENVELOPES: every line of FIPE with a price history added to its data
(`"historico":[{"mes":"2025-01","valor":51234.5}, ...]`, three months, reals,
from a seeded PRNG), for the programs with `[*]` paths and aggregates.
PLAIN: the data object of each of those lines alone (plain NDJSON for
`dpl run --raw`).  Deterministic: the same FIPE file gives the same bytes.
"""
import json
import random
import sys


def main():
    src, env_path, plain_path = sys.argv[1:4]
    rng = random.Random(7)
    with open(src, "rb") as f, open(env_path, "wb") as env, open(plain_path, "wb") as plain:
        for line in f:
            rec = json.loads(line)
            base = rec["data"].get("valor", 50000)
            hist = []
            for m in range(3):
                v = round(base * rng.uniform(0.95, 1.05), 2)
                if v == int(v):
                    v += 0.25
                hist.append({"mes": "2025-%02d" % (m + 1), "valor": float(v)})
            rec["data"]["historico"] = hist
            env.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
            plain.write(json.dumps(rec["data"], ensure_ascii=False, separators=(",", ":")).encode() + b"\n")


if __name__ == "__main__":
    main()
