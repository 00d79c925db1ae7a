#!/usr/bin/env python3
"""run_engines.py — the engine (engine/) must print exactly what the
reference tree evaluator (eval/) prints.

    run_engines.py --dpl BUILD/cli/dpl --dplc BUILD/cli/dplc --root SRC [-v]

For every program (examples/*.dpl, every run case of ../shared/conformance
(v1 and 1.1), the fuzz seed programs, and the programs below: nested
targets, `using`, substitutive, quoted keys, all/delete/append/overwrite,
`add from`, indexes and [*], operators on every type), and for inputs made
from every sample file (each line as is, plus deterministic variants:
whitespace, escaped strings, reals in other spellings, duplicate keys,
missing and null fields, truncated lines, CRLF, blank lines), runs

    dpl run --engine tree        (the reference)
    dpl run                      (the engine)
    dpl run --raw                (both, on each line as a plain value)
    dpl run -j 2 / -j 3          (worker threads)

with --stats, --rejects and --skipped, and compares stdout, the rejects,
the skipped lines, the stats line and the exit status byte for byte.
Exits 1 on any difference.
"""

import argparse
import glob
import json
import os
import random
import subprocess
import sys
import tempfile

EXTRA_PROGRAMS = {
    "nested.dpl": """
substitutive entity "car" { data.id, metadata.kind }
sources "a", "b" using metadata.origin.name
mandatory { data.x }
add {
    x -> out.first
    y -> other
    z -> out.second.deep
    data."odd key"
    metadata.kind -> kind
}
""",
    "flat.dpl": """
entity "person" { data.cpf }
add {
    nome
    idade -> age
    endereco
}
""",
    "cuts.dpl": """
entity "e" { data.id }
add {
    all
    delete secret
    itens[*].qty -> qtys
    sum(itens[*].qty) -> total
    min(itens[*].qty) -> menor
    itens[0].sku -> primeiro
    itens[-1] -> ultimo
    len(itens) -> n
    x.y -> xy
    data."odd key" -> odd
}
""",
    "walks.dpl": """
entity "e" { data.id }
add {
    itens[*].qty -> qtys
    itens[*].sku -> skus
    itens[1].qty -> second
    itens[-1].qty -> last
    itens[-9].qty -> far
    itens[2][0] -> nested
    itens[*][0] -> firsts
    nome.x -> nothing
    x[*] -> xs
    x.y[1] -> y1
    x.y[*] -> ys
    len(itens) -> n
    len(x.y) -> ny
    max(itens[*].qty) -> hi
    avg(itens[*].qty) -> mean
}
""",
    "arith.dpl": """
entity "person" { data.cpf }
add {
    idade + 1.5 -> a
    idade - 1 -> s
    idade * 1.1 -> m
    idade / 4 -> q
    round(idade) -> r
    round(idade * 1.1) -> r2
    idade as string -> txt
    idade as float -> f
    cpf as string -> cpftxt
    concat(nome, "-", idade, "-", cpf) -> c
}
""",
    "arith_errors.dpl": """
entity "person" { data.cpf }
add {
    idade * 1e308 -> big
    idade / 0 -> zero
    idade - 0.25 -> s
    idade as int -> i
}
""",
    "build.dpl": """
entity "e" { data.id }
add {
    all
    delete secret
    nome -> name
    lower(nome) -> n2 if exists(nome)
    overwrite id as string -> id
    append tags -> tags
    append tag -> tags
    itens[*].sku -> skus
    sum(itens[*].qty) -> total
    max(itens[*].qty) -> top
    avg(itens[*].qty) -> media
    itens[0] -> first
    itens[-1].sku -> last
    x.y -> a.b.c
    'id -> myid
    delete a.b.c
}
add from meta { all
    src -> origem
}
""",
    "ops.dpl": """
sources "p", "b" using metadata.source
entity "k" { concat(upper(trim(nome ?? "")), "-", idade as string) }
requirement { len(cpf ?? "") >= 0 or idade == 3 }
add {
    nome ?? cpf -> v
    idade * 2 + 1 -> w
    idade / 3 -> x
    idade % 2 -> y
    round(idade, 1) -> z
    round(idade) -> z0
    -idade -> ni
    not (idade > 1) -> nc
    [nome, idade, cpf] -> arr
    coalesce(x, idade, nome) -> co
    idade as int -> ci
    cpf as float -> cf
    abs(idade) -> ab
    digits(cpf) -> dg
    starts_with(nome, "A") -> sw
    contains(nome, "n") -> cn
    idade > 2.5 -> gt
    idade == 30.0 -> eqr
    'source -> s
    'line -> l
    'entity -> en
    endereco.n -> numero.valor
    x -> endereco.novo if idade > 1
}
""",
    # language 1.1 errors: 'item's path (data.tags[*]), strings cut at any
    # depth of the offending value, unique on many repeats
    "errvalues.dpl": """
entity "e" { data.id }
add {
    map(tags, upper('item)) -> up
    sum(notes) -> total
    unique(u) -> uu
    map(orders, map('item.lines, 'item * 2)) -> dbl
    filter(tags, 'item > "b") -> late
    round(tags, id) -> r
    contains(notes, id) -> c
    substr(u, notes) -> s
}
""",
    # strings the engine writes in one copy when nothing in them needs
    # escaping (computed from plain input, digits, casts, constants), and
    # escapes otherwise
    "strings.dpl": """
entity "e" { data.id }
add {
    upper(nome) -> u
    lower(trim(nome)) -> lt
    digits(cpf) -> d
    concat(nome, "-", idade, "-", "q\\"x", "-", id) -> c
    idade as string -> idade_s
    id as string -> id_s
    "plain" -> p
    "a\\\\b\\"c" -> e
    trim(upper(nome)) -> tu
}
""",
    # `all` writes the members it copied from a canonical object in runs of
    # one copy: runs broken by a replaced value, a delete, a value written
    # into, a member added again
    "allruns.dpl": """
entity "e" { data.id }
add {
    all
    y -> x
    w -> w
    delete z
    t -> z
    "v" -> obj.k
    delete t
    t -> t
}
""",
}

# Inputs for the extra programs: generated below from these shapes.
EXTRA_LINES = [
    {"data": {"id": 7, "x": 1, "y": 2, "z": 3, "odd key": "k"}, "metadata": {"origin": {"name": "a"}, "kind": "v"}},
    {"data": {"id": "s", "x": "é", "z": [1, 2.5]}, "metadata": {"origin": {"name": "b"}, "kind": 1.5}},
    {"data": {"id": 1.0, "x": {"b": 1, "a": None}}, "metadata": {"origin": {"name": "c"}}},
    {"data": {"cpf": "123", "nome": "Ana", "idade": 30, "endereco": {"rua": "A", "n": 1}}, "metadata": {"source": "p"}},
    {"data": {"cpf": 123, "nome": None, "idade": 30.25}, "metadata": {"source": "p"}},
    {"data": {"id": 1, "nome": "Ana", "secret": 1, "tags": ["a", "b"], "tag": "c",
              "itens": [{"sku": "x", "qty": 2}, {"sku": "y", "qty": 1.5}], "x": {"y": [1, 2.5]}},
     "meta": {"src": "q"}, "metadata": {"source": "b"}},
    {"data": {"id": "z", "itens": [], "tags": "solo", "x": {"y": "s"}, "a": {"b": 1}}, "metadata": {"source": "b"}},
    {"data": {"id": 8, "tags": ["a", 3, "c"], "notes": ["\u00e9" * 250, {"x": "n" * 201, "k" * 300: "s"}],
              "u": [1, 1.0, "1", [1], [1.0], {"a": 1, "b": 2}, {"b": 2, "a": 1.0}, None, None] * 3 + list(range(40)) * 2,
              "orders": [{"lines": [1, 2]}, {"lines": [3, "x" * 220]}]}, "metadata": {"source": "b"}},
    {"data": {"id": 9, "tags": ["b", "d"], "notes": [1, 2.5], "u": [[2**53 + 1, float(2**53)], 2**53, float(2**53)],
              "orders": [{"lines": [1]}]}, "metadata": {"source": "b"}},
    {"data": {"id": 10, "nome": " a\"b\\c\u0001 x\t", "cpf": "1.2-3/4:5", "idade": -0.5}, "metadata": {"source": "b"}},
    {"data": {"id": 11, "x": 1, "y": [1, 2], "z": {"a": 1}, "w": "s", "obj": {"k": 0, "j": 2}, "t": 2.5, "u": None},
     "metadata": {"source": "b"}},
    {"data": {"id": 12, "w": "s\u00e9", "obj": "flat", "t": 1.10, "z": 1, "y": 2.0}, "metadata": {"source": "b"}},
    {"data": {"id": True, "nome": "  caf\u00e9 \u00c7\u00c3O  ", "cpf": "abc", "idade": 1e300}, "metadata": {"source": "b"}},
    # digit runs of every length up to past eight (skimmed eight bytes at a
    # time), reals canonical or not, and numbers within eight bytes of the
    # line's end (data last)
    {"data": {"id": 13, "nums": [12345678, 123456789012, -0.0, 1.25, 0.00012, 1234567.125, 99999999.5, 1e-7],
              "tail": [1, 22, 333, 4444, 55555, 666666, 7777777, 88888888, 999999999, -1234567890123456789],
              "obj": {"a": 123456789.25, "b": [0.5, 10.0]}}, "metadata": {"source": "b"}},
    {"metadata": {"source": "b"}, "data": {"id": 14, "t": 2.5, "z": [1, 23.75]}},
    {"metadata": {"source": "b"}, "data": {"id": 15, "tags": [7]}},
]


def spellings_of_real(x):
    """Other texts of the same number, as raw JSON."""
    s = repr(float(x))
    return [s, s + "0" if "." in s and "e" not in s else s, "%.17g" % x, "%e" % x]


def variants(line, rng):
    """Deterministic variants of one JSON line (as text)."""
    out = [line]
    try:
        v = json.loads(line)
    except ValueError:
        return out + [line[: len(line) // 2]]
    out.append(json.dumps(v, ensure_ascii=True))                      # \\u escapes
    out.append(json.dumps(v, indent=None, separators=(", ", " : ")))  # whitespace
    out.append(json.dumps(v, ensure_ascii=False).replace("/", "\\/"))
    out.append(line[: max(1, len(line) - 3)])                         # truncated
    out.append(line + "\r")                                           # CRLF
    out.append("  ")                                                  # blank
    if isinstance(v, dict):
        # duplicate a member: the last one wins
        for k in list(v.keys())[:2]:
            out.append(line[:-1] + ", " + json.dumps(k) + ": " + json.dumps(v[k]) + "}")
        for sect in ("data", "metadata"):
            d = v.get(sect)
            if not isinstance(d, dict) or not d:
                continue
            keys = sorted(d.keys())
            for _ in range(4):
                k = rng.choice(keys)
                w = json.loads(line)
                op = rng.randrange(7)
                if op == 0:
                    del w[sect][k]
                elif op == 1:
                    w[sect][k] = None
                elif op == 2:
                    w[sect][k] = ""
                elif op == 3:
                    w[sect][k] = rng.choice([0, -1, 2**63 - 1, 1.5, 100.0, 1e21, "x\u00e9\n", [1, {"a": 2}], True])
                elif op == 4:
                    w[sect] = dict(reversed(list(w[sect].items())))
                elif op == 5:
                    w[sect] = 5
                else:
                    w[sect][k] = {"nested": w[sect][k]}
                out.append(json.dumps(w, ensure_ascii=False))
            # a real spelled differently (1.50, 1e2, ...)
            for k in keys:
                if isinstance(d[k], float):
                    for sp in spellings_of_real(d[k]):
                        out.append(line.replace(json.dumps(d[k]), sp, 1))
                    break
    return out


def shape_stream(rng, n):
    """n lines in runs of a few shapes (the same bytes between scalars), the
    scalars varying: what the scan's shapes and the engine's templates
    (engine/cut.c) see in a real stream.  Strings with escapes, numbers of
    every spelling (canonical or not), true/false/null (part of a shape),
    keys with spaces, white space, an empty array, a repeated key, and runs
    of a shape coming back after others."""
    def num():
        return rng.choice(["0", "-0", "7", "-12", "123456789012", "1.5", "1.50", "-0.25", "1e2", "2.0E1",
                           "98302.29", "0.000125", "12345678.875", "1.0", "3"])

    def text():
        return rng.choice(['"a"', '"caf\\u00e9"', '"x\\"y"', '"2025-01"', '""', '"tab\\there"', '"é ü"'])

    def line(shape):
        sep, col = (", ", ": ") if shape in (1, 4) else (",", ":")
        items = [("sku", text()), ("qty", num())]
        def obj(members):
            return "{" + sep.join('"%s"%s%s' % (k, col, v) for k, v in members) + "}"
        itens = "[" + sep.join(obj([(k, (num() if k == "qty" else text())) for k, _ in items])
                               for _ in range(2 if shape != 3 else 0)) + "]"
        data = [("id", num()), ("nome", text()), ("secret", num()), ("itens", itens),
                ("x", obj([("y", "[" + num() + sep + text() + "]")])),
                ("odd key", text()), ("flag", ["true", "false", "null"][shape % 3])]
        if shape == 5:
            data.append(("nome", text()))  # a key twice: no template
        if shape == 6:  # empty containers, nested ones, and data last, ending in brackets
            data = [("id", num()), ("x", obj([("y", "[]"), ("z", "{}")])), ("empty", "{}"),
                    ("itens", "[{}" + sep + obj([("qty", num())]) + sep + "[[" + num() + "]]]")]
            return obj([("metadata", obj([("source", '"b"')])), ("data", obj(data))])
        return obj([("data", obj(data)), ("metadata", obj([("source", '"b"')]))])

    out = []
    while len(out) < n:
        shape = rng.choice([0, 0, 0, 1, 2, 3, 4, 5, 6])
        out.extend(line(shape) for _ in range(rng.randrange(40, 400)))
    return "\n".join(out[:n]) + "\n"


def build_input(paths, rng):
    lines = []
    for p in paths:
        with open(p, encoding="utf-8", errors="surrogateescape") as f:
            for raw in f:
                raw = raw.rstrip("\n")
                lines.extend(variants(raw, rng))
    return "\n".join(lines) + "\n"


def run(dpl, program, input_path, extra, tmp, tag, stdin=False):
    rej = os.path.join(tmp, tag + ".rej")
    skp = os.path.join(tmp, tag + ".skip")
    cmd = [dpl, "run", *extra, "--stats", "--rejects", rej, "--skipped", skp, program]
    if stdin:
        # through a pipe, so reads split lines wherever the pipe does
        with open(input_path, "rb") as f:
            p = subprocess.run(cmd, input=f.read(), capture_output=True, timeout=300)
    else:
        p = subprocess.run(cmd + [input_path], capture_output=True, timeout=300)
    with open(rej, "rb") as f:
        r = f.read()
    with open(skp, "rb") as f:
        s = f.read()
    return {"status": p.returncode, "stdout": p.stdout, "stderr": p.stderr, "rejects": r, "skipped": s}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dpl", required=True)
    ap.add_argument("--dplc")
    ap.add_argument("--root", required=True)
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    rng = random.Random(20261121)

    tmp = tempfile.mkdtemp(prefix="dpl-engines-")
    programs = []  # (name, program path, input files, extra args)
    for prog in sorted(glob.glob(os.path.join(a.root, "examples", "*.dpl"))):
        base = os.path.splitext(prog)[0]
        inputs = [base + ".ndjson"] if os.path.exists(base + ".ndjson") else []
        programs.append((os.path.basename(prog), prog, inputs, []))
    for suite in ("cases", "cases-v1.1"):
        cases = os.path.join(a.root, "..", "shared", "conformance", suite)
        for d in sorted(glob.glob(os.path.join(cases, "[0-9]*"))):
            if not os.path.exists(os.path.join(d, "program.dpl")) or not os.path.exists(os.path.join(d, "input.ndjson")):
                continue
            extra = open(os.path.join(d, "args")).read().split() if os.path.exists(os.path.join(d, "args")) else []
            programs.append((suite + "/" + os.path.basename(d), os.path.join(d, "program.dpl"),
                             [os.path.join(d, "input.ndjson")], extra))
    for prog in sorted(glob.glob(os.path.join(a.root, "tests", "fuzz", "seeds", "program", "*.dpl"))):
        programs.append(("fuzz-seed/" + os.path.basename(prog), prog, [], []))
    sample = os.path.join(tmp, "extra.ndjson")
    with open(sample, "w") as f:
        for v in EXTRA_LINES:  # as most producers write them, and compact (canonical)
            f.write(json.dumps(v, ensure_ascii=False) + "\n")
            f.write(json.dumps(v, ensure_ascii=False, separators=(",", ":")) + "\n")
    for name, text in EXTRA_PROGRAMS.items():
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(text)
        programs.append((name, path, [sample], []))
    # every program also sees every other sample, so eligible programs meet
    # records of foreign shapes too
    all_samples = sorted({i for _, _, ins, _ in programs for i in ins})

    failed = 0
    compared = 0
    # and programs that copy and walk containers on a stream of a few
    # shapes, as is (no variants): containers made from templates
    for name in ("cuts.dpl", "walks.dpl", "build.dpl"):
        programs.append((name + " [stream]", os.path.join(tmp, name), None, []))
    for name, prog, inputs, extra in programs:
        data = shape_stream(rng, 3000) if inputs is None else build_input(inputs + all_samples, rng)
        inp = os.path.join(tmp, "input.ndjson")
        with open(inp, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(data)
        # (options of the reference and of the runs compared with it, stdin)
        configs = [
            ([], (["--engine", "auto"], ["-j", "2"], ["-j", "3", "--engine", "tree"]), False),
            # lines longer than the limit, split across reads at random places
            (["--max-record-bytes", "300"], (["--engine", "auto"], ["-j", "2"]), True),
            # every line as a plain value (the --raw envelope)
            (["--raw"], (["--engine", "auto"], ["-j", "2"]), False),
        ]
        for base, modes, stdin in configs:
            ref = run(a.dpl, prog, inp, extra + base + ["--engine", "tree"], tmp, "tree", stdin)
            for mode in modes:
                got = run(a.dpl, prog, inp, extra + base + mode, tmp, "auto", stdin)
                mode = base + mode
                compared += 1
                diffs = [k for k in ("status", "stdout", "stderr", "rejects", "skipped") if got[k] != ref[k]]
                if diffs:
                    failed += 1
                    print("FAIL %s %s: %s differ" % (name, " ".join(mode), ", ".join(diffs)))
                    for k in diffs:
                        if k == "status":
                            continue
                        a_lines, b_lines = ref[k].splitlines(), got[k].splitlines()
                        for i, (x, y) in enumerate(zip(a_lines, b_lines)):
                            if x != y:
                                print("  %s line %d\n    tree: %s\n    this: %s" % (k, i + 1, x[:300], y[:300]))
                                break
                        else:
                            print("  %s: %d vs %d lines" % (k, len(a_lines), len(b_lines)))
                elif a.v:
                    print("ok   %s %s (%d emitted bytes)" % (name, " ".join(mode), len(ref["stdout"])))
    print("%d passed, %d failed" % (compared - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
