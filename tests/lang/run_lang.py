#!/usr/bin/env python3
"""run_lang.py — language 1.1 functions (spec §12.3) against Python, through
`dpl run`, the way users call them.

    run_lang.py --dpl BUILD/dpl --root SRC [--dplc ...] [-n N] [-v]

1. parse_time / format_time against Python's datetime on N (default 12000)
   generated instants and zone offsets, years 0001-9999, in the formats data
   engineers meet: RFC 3339 / ISO 8601 with and without fraction and zone
   (the default and `%Y-%m-%dT%H:%M:%S`), `%d/%m/%Y`, `%Y%m%d`,
   `%Y-%m-%d %H:%M:%S.%f`, `%d/%m/%Y %H:%M %z`, and epoch seconds and
   milliseconds written back as text (format_time of t and of ms / 1000,
   rounded half away from zero from the shortest decimal spelling, as
   Python's Decimal(repr(t)) does).
2. lower / upper against Python's str.lower / str.upper for every assigned
   code point whose mapping is one-to-one (Python's own Unicode version;
   code points Python does not know are left out).
3. parse_number on Brazilian and US forms against a Python model.
4. The offending value of errors (spec §12.4, §12.6) against a Python model:
   every string longer than 200 code points cut to 200 and "…", at any depth
   (keys whole), and the path of 'item inside map (`data.xs[*]`), on both
   engines.
5. unique against a Python model of spec §6 equality (1 == 1.0, objects in
   any key order, booleans apart from numbers) on arrays with many repeats,
   on both engines.

Deterministic (fixed seed); exits 1 on any difference, printing a few.
"""
import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def run_dpl(dpl, program, records, tmp, extra=()):
    prog = os.path.join(tmp, "p.dpl")
    with open(prog, "w") as f:
        f.write(program)
    inp = os.path.join(tmp, "in.ndjson")
    with open(inp, "w", encoding="utf-8", errors="surrogatepass") as f:
        for r in records:
            f.write(json.dumps({"data": r, "metadata": {"source": "t"}}, ensure_ascii=False) + "\n")
    rej = os.path.join(tmp, "rejects.ndjson")
    p = subprocess.run([dpl, "run", *extra, "--rejects", rej, prog, inp], capture_output=True, timeout=600)
    if p.returncode not in (0,):
        sys.exit("dpl run failed (%d): %s" % (p.returncode, p.stderr.decode()[:2000]))
    out = {}
    for line in p.stdout.decode().split("\n"):
        if not line:
            continue
        e = json.loads(line)
        out[e["data"]["i"]] = e["data"]
    rejects = [json.loads(l) for l in open(rej, encoding="utf-8")]
    return out, rejects


def two(n):
    return "%02d" % n


def fmt_offset(minutes, colon=True):
    sign = "+" if minutes >= 0 else "-"
    m = abs(minutes)
    return "%s%02d%s%02d" % (sign, m // 60, ":" if colon else "", m % 60)


def exact_seconds(d):
    """Epoch seconds of an aware datetime as a Decimal (exact)."""
    td = d - EPOCH
    return Decimal(td.days * 86400 + td.seconds) + Decimal(td.microseconds) / Decimal(10**6)


def as_json_number(x):
    """What parse_time must yield: an integer when the fraction is zero."""
    return int(x) if x == x.to_integral_value() else float(x)


def time_cases(n, rng):
    lo = dt.datetime(1, 1, 2, tzinfo=dt.timezone.utc)
    hi = dt.datetime(9999, 12, 30, tzinfo=dt.timezone.utc)
    span = int((hi - lo).total_seconds())
    for i in range(n):
        if i % 3 == 0:  # around now, where most data is
            base = dt.datetime(1990, 1, 1, tzinfo=dt.timezone.utc)
            d = base + dt.timedelta(seconds=rng.randrange(60 * 365 * 86400))
        else:
            d = lo + dt.timedelta(seconds=rng.randrange(span))
        us = rng.choice([0, 0, rng.randrange(1000) * 1000, rng.randrange(10**6)])
        d = d.replace(microsecond=us)
        off = rng.choice([0, 0, rng.randrange(-23 * 60 - 59, 23 * 60 + 60), rng.choice([-180, 330, 60, -600, 545])])
        yield i, d, off


def check_times(a, tmp, failures):
    rng = random.Random(20261130)
    recs, want = [], {}
    for i, d, off in time_cases(a.n, rng):
        tz = dt.timezone(dt.timedelta(minutes=off))
        local = d.astimezone(tz)
        y, mo, da, h, mi, s = local.year, local.month, local.day, local.hour, local.minute, local.second
        frac = ("%06d" % local.microsecond).rstrip("0")
        date = "%04d-%s-%s" % (y, two(mo), two(da))
        clock = "%s:%s:%s" % (two(h), two(mi), two(s))
        zone = "Z" if off == 0 and i % 2 else fmt_offset(off)
        sep = "T" if i % 5 else rng.choice(["t", " "])
        rfc = date + sep + clock + ("." + frac if frac else "") + zone
        r = {"i": i, "rfc": rfc}
        w = {"rfc": exact_seconds(d)}
        # ISO 8601 without a zone (UTC), through a format
        ud = d
        r["nozone"] = "%04d-%s-%sT%s:%s:%s" % (ud.year, two(ud.month), two(ud.day), two(ud.hour), two(ud.minute), two(ud.second))
        w["nozone"] = exact_seconds(ud.replace(microsecond=0))
        r["br"] = "%s/%s/%04d" % (two(ud.day), two(ud.month), ud.year)
        w["br"] = exact_seconds(ud.replace(hour=0, minute=0, second=0, microsecond=0))
        r["compact"] = "%04d%s%s" % (ud.year, two(ud.month), two(ud.day))
        w["compact"] = w["br"]
        r["frac"] = "%04d-%s-%s %s:%s:%s.%06d" % (ud.year, two(ud.month), two(ud.day), two(ud.hour), two(ud.minute),
                                                 two(ud.second), ud.microsecond)
        w["frac"] = exact_seconds(ud)
        r["zoned"] = "%s/%s/%04d %s:%s %s" % (two(local.day), two(local.month), local.year, two(local.hour),
                                             two(local.minute), fmt_offset(off, colon=bool(i % 2)))
        w["zoned"] = exact_seconds(d.replace(second=0, microsecond=0) if off % 1 == 0 else d) if False else None
        # the zoned text drops seconds of the local time: compute from it
        zl = local.replace(second=0, microsecond=0)
        w["zoned"] = exact_seconds(zl.astimezone(dt.timezone.utc))
        # Python's own strptime agrees with what we wrote (the oracle reads it too)
        assert dt.datetime.strptime(r["br"], "%d/%m/%Y").date() == ud.date()
        pz = dt.datetime.strptime(r["zoned"], "%d/%m/%Y %H:%M %z")
        assert exact_seconds(pz) == w["zoned"], (r["zoned"], pz)
        # epoch seconds and milliseconds back to text
        t_int = int(w["frac"].to_integral_value(rounding="ROUND_FLOOR"))
        ms = int((w["frac"] * 1000).to_integral_value(rounding="ROUND_FLOOR"))
        r["ts"], r["ms"] = t_int, ms
        recs.append(r)
        want[i] = w
    program = """entity "t" { i }
sources "t"
add {
    i
    parse_time(rfc) -> rfc
    parse_time(nozone, "%Y-%m-%dT%H:%M:%S") -> nozone
    parse_time(br, "%d/%m/%Y") -> br
    parse_time(compact, "%Y%m%d") -> compact
    parse_time(frac, "%Y-%m-%d %H:%M:%S.%f") -> frac
    parse_time(zoned, "%d/%m/%Y %H:%M %z") -> zoned
    format_time(ts) -> ts_text
    format_time(ms / 1000) -> ms_text
    format_time(ms / 1000, "%d/%m/%Y %H:%M:%S.%f%z") -> ms_fmt
    format_time(parse_time(rfc)) -> roundtrip
}
"""
    out, rejects = run_dpl(a.dpl, program, recs, tmp)
    for rj in rejects[:5]:
        failures.append("time reject: %s" % json.dumps(rj)[:300])
    compared = 0
    for r in recs:
        i = r["i"]
        got = out.get(i)
        if got is None:
            continue
        for k in ("rfc", "nozone", "br", "compact", "frac", "zoned"):
            exp = as_json_number(want[i][k])
            compared += 1
            if got.get(k) != exp or type(got.get(k)) is not type(exp):
                failures.append("parse_time %s %r: got %r, want %r" % (k, r[k], got.get(k), exp))
        # format_time: Python's datetime writes the text
        compared += 4
        e_ts = (EPOCH + dt.timedelta(seconds=r["ts"])).strftime("%Y-%m-%dT%H:%M:%S") if False else None
        d_ts = EPOCH + dt.timedelta(seconds=r["ts"])
        e_ts = "%04d-%s-%sT%s:%s:%sZ" % (d_ts.year, two(d_ts.month), two(d_ts.day), two(d_ts.hour), two(d_ts.minute), two(d_ts.second))
        if got.get("ts_text") != e_ts:
            failures.append("format_time(%d): got %r, want %r" % (r["ts"], got.get("ts_text"), e_ts))
        t = r["ms"] / 1000  # the double DPL's `/` computes
        q = Decimal(repr(t)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
        d_ms = EPOCH + dt.timedelta(microseconds=int(q * 1000) * 1000)
        e_ms = "%04d-%s-%sT%s:%s:%s" % (d_ms.year, two(d_ms.month), two(d_ms.day), two(d_ms.hour), two(d_ms.minute), two(d_ms.second))
        if d_ms.microsecond:
            e_ms += ".%03d" % (d_ms.microsecond // 1000)
        e_ms += "Z"
        if got.get("ms_text") != e_ms:
            failures.append("format_time(%r): got %r, want %r" % (t, got.get("ms_text"), e_ms))
        q6 = Decimal(repr(t)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        d6 = EPOCH + dt.timedelta(microseconds=int(q6 * 10**6))
        e6 = "%s/%s/%04d %s:%s:%s.%06d+00:00" % (two(d6.day), two(d6.month), d6.year, two(d6.hour), two(d6.minute),
                                                two(d6.second), d6.microsecond)
        if got.get("ms_fmt") != e6:
            failures.append("format_time(%r, fmt): got %r, want %r" % (t, got.get("ms_fmt"), e6))
        # round trip: the default text of the parsed instant (ms rounding)
        v = want[i]["rfc"]
        qv = Decimal(repr(float(v))).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP) if v != v.to_integral_value() else v
        d_rt = EPOCH + dt.timedelta(microseconds=int(qv * 1000) * 1000)
        e_rt = "%04d-%s-%sT%s:%s:%s" % (d_rt.year, two(d_rt.month), two(d_rt.day), two(d_rt.hour), two(d_rt.minute), two(d_rt.second))
        if d_rt.microsecond:
            e_rt += ".%03d" % (d_rt.microsecond // 1000)
        e_rt += "Z"
        if got.get("roundtrip") != e_rt:
            failures.append("format_time(parse_time(%r)): got %r, want %r" % (r["rfc"], got.get("roundtrip"), e_rt))
    missing = [r["i"] for r in recs if r["i"] not in out]
    if missing:
        failures.append("%d time records were not emitted (first: %r)" % (len(missing), recs[missing[0]]))
    return compared


def check_case(a, tmp, failures):
    lower, upper = [], []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if unicodedata.category(c) == "Cn":
            continue  # not assigned in Python's Unicode version
        lo, up = c.lower(), c.upper()
        if len(lo) == 1:
            lower.append((c, lo))
        if len(up) == 1:
            upper.append((c, up))
    recs = []
    chunk = 2000
    for k in range(0, max(len(lower), len(upper)), chunk):
        recs.append({"i": len(recs), "lo": [c for c, _ in lower[k:k + chunk]], "up": [c for c, _ in upper[k:k + chunk]]})
    program = """entity "t" { i }
sources "t"
add {
    i
    map(lo, lower('item)) -> lo
    map(up, upper('item)) -> up
}
"""
    out, rejects = run_dpl(a.dpl, program, recs, tmp)
    for rj in rejects[:5]:
        failures.append("case reject: %s" % json.dumps(rj)[:300])
    bad = 0
    for r in recs:
        got = out.get(r["i"], {})
        for key, pairs, off in (("lo", lower, r["i"] * chunk), ("up", upper, r["i"] * chunk)):
            exp = [m for _, m in pairs[off:off + chunk]]
            g = got.get(key, [])
            for j, (e, x) in enumerate(zip(exp, g)):
                if e != x:
                    bad += 1
                    if bad <= 10:
                        src = pairs[off + j][0]
                        failures.append("%s(U+%04X): got U+%04X, want U+%04X" % ("lower" if key == "lo" else "upper",
                                                                               ord(src), ord(x), ord(e)))
            if len(g) != len(exp):
                failures.append("case record %d %s: %d results for %d code points" % (r["i"], key, len(g), len(exp)))
    if bad > 10:
        failures.append("... %d case mapping differences in all" % bad)
    return len(lower) + len(upper)


def check_numbers(a, tmp, failures):
    rng = random.Random(7)
    recs = []
    for i in range(3000):
        whole = rng.choice([0, rng.randrange(1000), rng.randrange(10**9)])
        cents = rng.randrange(100)
        neg = rng.random() < 0.2
        grouped = "{:,}".format(whole)  # US grouping
        has_frac = rng.random() < 0.7
        us = ("-" if neg else "") + grouped + ((".%02d" % cents) if has_frac else "")
        br = ("-" if neg else "") + grouped.replace(",", ".") + ((",%02d" % cents) if has_frac else "")
        plain = ("-" if neg else "") + str(whole) + ((",%02d" % cents) if has_frac else "")
        exp = Decimal(("-" if neg else "") + str(whole) + ((".%02d" % cents) if has_frac else ""))
        e = float(exp) if has_frac else int(exp)
        recs.append({"i": i, "us": "  " + us + " ", "br": br, "plain": plain, "want": e})
    program = """entity "t" { i }
sources "t"
add {
    i
    parse_number(us) -> us
    parse_number(br, ",") -> br
    parse_number(plain, ",") -> plain
}
"""
    out, rejects = run_dpl(a.dpl, program, recs, tmp)
    for rj in rejects[:5]:
        failures.append("number reject: %s" % json.dumps(rj)[:300])
    for r in recs:
        got = out.get(r["i"], {})
        for k in ("us", "br", "plain"):
            v = got.get(k)
            if v != r["want"] or type(v) is not type(r["want"]):
                failures.append("parse_number(%r): got %r, want %r" % (r[k], v, r["want"]))
    return 3 * len(recs)


def text_of(rng, n):
    """n code points of one-, two-, three- and four-byte characters."""
    return "".join(rng.choice("aZ9 é€🚗\"\\\n") for _ in range(n))


def cut_model(v):
    """The offending value as errors carry it (spec §12.6)."""
    if isinstance(v, str):
        return v[:200] + "\u2026" if len(v) > 200 else v
    if isinstance(v, list):
        return [cut_model(x) for x in v]
    if isinstance(v, dict):
        return {k: cut_model(x) for k, x in v.items()}
    return v


def check_error_values(a, tmp, failures):
    rng = random.Random(12)
    lengths = [0, 1, 199, 200, 201, 202, 250, 1000]

    def text():
        return text_of(rng, rng.choice(lengths))

    def nested(depth):
        kind = rng.randrange(4 if depth < 3 else 1)
        if kind == 0:
            return text()
        if kind == 1:
            return [nested(depth + 1) for _ in range(rng.randrange(4))]
        if kind == 2:
            return {text_of(rng, rng.choice([1, 3, 250])): nested(depth + 1) for _ in range(rng.randrange(4))}
        return rng.choice([1, 2.5, None, True])

    recs, want = [], []
    for i in range(400):
        which = i % 3
        if which == 0:    # sum() blames its array: the strings inside are cut
            v = [text()] + [nested(1) for _ in range(rng.randrange(4))]
            recs.append({"i": i, "v": v})
            want.append(("type_error", "data.v", cut_model(v)))
        elif which == 1:  # 'item as int blames the element: path data.xs[*]
            x = text() + "x"
            recs.append({"i": i, "xs": ["1", x]})
            want.append(("cast_failed", "data.xs[*]", cut_model(x)))
        else:             # a cast of an object blames the object
            o = {"k": nested(1), "t": text()}
            recs.append({"i": i, "o": o})
            want.append(("cast_failed", "data.o", cut_model(o)))
    program = """entity "t" { i }
sources "t"
add {
    i
    sum(v) -> s
    map(xs, 'item as int) -> n
    o as int -> c
}
"""
    compared = 0
    for engine in ("tree", "auto"):
        out, rejects = run_dpl(a.dpl, program, recs, tmp, ["--engine", engine])
        if out:
            failures.append("error values (%s): %d records emitted, none should be" % (engine, len(out)))
        by_i = {r["record"]["data"]["i"]: r for r in rejects}
        for r, (code, path, value) in zip(recs, want):
            got = by_i.get(r["i"])
            errs = got["errors"] if got else []
            if len(errs) != 1:
                failures.append("error values (%s) record %d: %d errors" % (engine, r["i"], len(errs)))
                continue
            e = errs[0]
            exp = {"code": code, "path": path, "value": value}
            got_e = {"code": e.get("code"), "path": e.get("path"), "value": e.get("value")}
            if json.dumps(got_e, ensure_ascii=False) != json.dumps(exp, ensure_ascii=False):
                failures.append("error values (%s) record %d: got %s, want %s"
                                % (engine, r["i"], json.dumps(got_e, ensure_ascii=False)[:300],
                                   json.dumps(exp, ensure_ascii=False)[:300]))
            compared += 1
    return compared


def equality_key(v):
    """Spec §6 equality as a Python key: numbers by exact value (Python
    compares int and float exactly), booleans apart from numbers, objects
    in any key order."""
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, (int, float)):
        return ("n", v)
    if isinstance(v, str):
        return ("s", v)
    if v is None:
        return ("z",)
    if isinstance(v, list):
        return ("a", tuple(equality_key(x) for x in v))
    return ("o", frozenset((k, equality_key(x)) for k, x in v.items()))


def check_unique(a, tmp, failures):
    rng = random.Random(13)

    def value():
        k = rng.randrange(60)
        kind = rng.randrange(8)
        if kind == 0:
            return k
        if kind == 1:
            return float(k)
        if kind == 2:
            return k + 0.5
        if kind == 3:
            return "s%d" % (k % 20)
        if kind == 4:
            return [k % 5, float(k % 3)] if rng.random() < 0.5 else [float(k % 5), k % 3]
        if kind == 5:
            items = [("a", k % 4), ("b", [k % 2]), ("c", None)]
            rng.shuffle(items)
            return dict(items)
        if kind == 6:
            return rng.choice([None, True, False, 1, 0])
        return rng.choice([2**53 + 1, float(2**53), 2**53, -0.0, 0])

    recs, want = [], []
    for i in range(200):
        arr = [value() for _ in range(rng.choice([0, 1, 5, 50, 2000]))]
        seen, exp = set(), []
        for x in arr:
            key = equality_key(x)
            if key not in seen:
                seen.add(key)
                exp.append(x)
        recs.append({"i": i, "a": arr})
        want.append(exp)
    program = """entity "t" { i }
sources "t"
add {
    i
    unique(a) -> u
}
"""
    compared = 0
    for engine in ("tree", "auto"):
        out, rejects = run_dpl(a.dpl, program, recs, tmp, ["--engine", engine])
        for rj in rejects[:5]:
            failures.append("unique reject (%s): %s" % (engine, json.dumps(rj)[:300]))
        for r, exp in zip(recs, want):
            got = out.get(r["i"], {}).get("u")
            if json.dumps(got) != json.dumps(exp):
                failures.append("unique (%s) record %d: got %s, want %s"
                                % (engine, r["i"], json.dumps(got)[:300], json.dumps(exp)[:300]))
            compared += 1
    return compared


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dpl", required=True)
    ap.add_argument("--dplc")
    ap.add_argument("--root")
    ap.add_argument("-n", type=int, default=12000)
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    failures = []
    with tempfile.TemporaryDirectory(prefix="dpl-lang-") as tmp:
        nt = check_times(a, tmp, failures)
        nc = check_case(a, tmp, failures)
        nn = check_numbers(a, tmp, failures)
        ne = check_error_values(a, tmp, failures)
        nu = check_unique(a, tmp, failures)
    for f in failures[:40]:
        print("FAIL", f)
    print("time: %d comparisons on %d instants; case: %d code points; numbers: %d; error values: %d;"
          " unique: %d; %d failures" % (nt, a.n, nc, nn, ne, nu, len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
