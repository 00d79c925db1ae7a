#!/usr/bin/env python3
"""bench/startup.py — start-up time of `dpl run` for programs with many
items: how long loading and preparing a program takes, measured as a run on
one record (and a run on one record that has every field the program names).

    python3 bench/startup.py                 # 100,000 items, best of 3
    python3 bench/startup.py -n 20000 -r 1   # a quick run
    python3 bench/startup.py --build build   # programs of another build

Shapes (each N items):
  add       `add { v0 ... vN }`            plain paths
  nested    `add { v0 -> o0.a ... }`        dotted targets: output tree
  computed  `add { v0 + 1 -> x0 ... }`      computed expressions
  mandatory `mandatory { m0 ... mN }`       the dedupe of mandatory paths
  sources   `sources "s0", ..., "sN"`       the source filter, per record

For each: `dplc check` (the front end), `dpl run` on one small record, and
`dpl run` on one record holding all N fields (the scanner's per-record
lookup).  Builds a release dpl in build-release/ unless --build is given;
programs and records go to bench/data/startup/ (gitignored).  Wall-clock
seconds on a shared machine are noisy: the point is the growth (a quadratic
step takes minutes at 100,000 items; a linear one, well under a second).
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HDR = 'entity "e" { k }\nsources "s"\n'


def programs(n):
    items = "\n".join("    v%d" % i for i in range(n))
    nested = "\n".join("    v%d -> o%d.a%d" % (i, i // 10, i) if i % 10 else "    v%d -> o%d.b.c" % (i, i // 10)
                       for i in range(n))
    computed = "\n".join("    v%d + 1 -> x%d" % (i, i) for i in range(n))
    mand = "\n".join("    m%d" % i for i in range(n))
    srcs = ", ".join('"s%d"' % i for i in range(n))
    return {
        "add": (HDR + "mandatory { k }\nadd {\n    k\n" + items + "\n}\n", "v"),
        "nested": (HDR + "add {\n    k\n" + nested + "\n}\n", "v"),
        "computed": (HDR + "add {\n    k\n" + computed + "\n}\n", "v"),
        "mandatory": (HDR + "mandatory {\n    k\n" + mand + "\n}\nadd { k }\n", "m"),
        "sources": ('entity "e" { k }\nsources ' + srcs + '\nmandatory { k }\nadd { k }\n', None),
    }


def record(n, prefix):
    data = {"k": "a"}
    if prefix:
        for i in range(n):
            data["%s%d" % (prefix, i)] = i
    src = "s%d" % (n - 1) if prefix is None else "s"
    return json.dumps({"data": data, "metadata": {"source": src}}) + "\n"


def best(argv, runs, stdin_path):
    t = None
    for _ in range(runs):
        with open(stdin_path, "rb") as f:
            t0 = time.perf_counter()
            p = subprocess.run(argv, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            dt = time.perf_counter() - t0
        if p.returncode not in (0, 1):
            sys.exit("startup: %s exited %d" % (" ".join(argv), p.returncode))
        t = dt if t is None else min(t, dt)
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=100000, help="items per program (default 100000)")
    ap.add_argument("-r", type=int, default=3, help="runs per measurement, best kept (default 3)")
    ap.add_argument("--build", help="build directory holding dpl and dplc (default: build a release one)")
    a = ap.parse_args()
    os.chdir(ROOT)
    build = a.build
    if not build:
        build = "build-release"
        if not os.path.exists(os.path.join(build, "meson-private", "coredata.dat")):
            subprocess.run(["meson", "setup", build, "--buildtype=release", "-Dtests=false"], check=True,
                           stdout=subprocess.DEVNULL)
        subprocess.run(["ninja", "-C", build], check=True, stdout=subprocess.DEVNULL)
    dpl, dplc = os.path.join(build, "dpl"), os.path.join(build, "dplc")
    data = os.path.join("bench", "data", "startup")
    os.makedirs(data, exist_ok=True)
    small = os.path.join(data, "small.ndjson")
    with open(small, "w") as f:
        f.write(json.dumps({"data": {"k": "a", "v1": 1, "m1": 1}, "metadata": {"source": "s"}}) + "\n")
    print("%d items, best of %d, %s" % (a.n, a.r, build))
    print("%-10s %12s %14s %14s" % ("shape", "dplc check", "run 1 record", "run wide rec"))
    for name, (text, prefix) in programs(a.n).items():
        prog = os.path.join(data, "%s-%d.dpl" % (name, a.n))
        with open(prog, "w") as f:
            f.write(text)
        wide = os.path.join(data, "%s-%d.ndjson" % (name, a.n))
        with open(wide, "w") as f:
            f.write(record(a.n, prefix))
        check = best([dplc, "check", prog], a.r, small)
        run1 = best([dpl, "run", prog], a.r, small)
        runw = best([dpl, "run", prog], a.r, wide)
        print("%-10s %11.2fs %13.2fs %13.2fs" % (name, check, run1, runw), flush=True)


if __name__ == "__main__":
    main()
