#!/usr/bin/env python3
"""gen_fipe.py — deterministic generator of FIPE price-table envelopes (NDJSON).

    gen_fipe.py N [--seed S] [--other PCT] [--missing-valor PCT] [--broken PCT] [-o FILE]

Writes N lines shaped like the conformance seed (shared/conformance/cases/
001-fipe-seed/input.ndjson): {"data": {...}, "metadata": {...}}, about 420
bytes each, with Brazilian brands, models, fuels, model years and prices
(reals such as 70250.99 and integers such as 41000).

  --other PCT          share of records from another source ("denatran"),
                       which examples/fipe.dpl skips (default 5)
  --missing-valor PCT  share of records without data.valor, which
                       examples/fipe.dpl rejects (default 2)
  --broken PCT         share of corrupted lines (default 0): truncated JSON,
                       invalid UTF-8, wrong types, deep nesting, huge strings,
                       values that are not objects, integers beyond int64,
                       no source, blank lines

The same arguments always give the same bytes (seeded PRNG, stdlib only), so
benchmarks and examples can be regenerated rather than checked in.
"""

import argparse
import json
import random
import sys

# (FIPE brand name, treated brand, FIPE brand code, [(model, base price in R$)])
BRANDS = [
    ("VW - VolksWagen", "volkswagen", 59, [
        ("Gol 1.0 Flex 12V 5p", 52000), ("Polo Highline 200 TSI 1.0 Flex Aut.", 112000),
        ("T-Cross Comfortline 1.0 TSI Flex Aut.", 139000), ("Virtus Exclusive 1.4 TSI Flex Aut.", 131000),
        ("Saveiro Robust 1.6 Total Flex 8V CS", 84000), ("Nivus Highline 1.0 200 TSI Flex Aut.", 137000)]),
    ("GM - Chevrolet", "chevrolet", 23, [
        ("Onix Hatch LT 1.0 12V TB Flex Aut.", 93000), ("Onix Plus Premier 1.0 Turbo Flex Aut.", 109000),
        ("Tracker Premier 1.2 Turbo 12V Flex Aut.", 151000), ("S10 Pick-Up LTZ 2.8 TDI 4x4 CD Diesel Aut.", 262000),
        ("Spin Premier 1.8 8V Econo.Flex 5p Aut.", 118000), ("Cruze LTZ 1.4 16V Turbo Flex 4p Aut.", 139000)]),
    ("Fiat", "fiat", 21, [
        ("Uno Mille 1.0 Fire/F.Flex/ECONOMY 4p", 28000), ("Mobi Like 1.0 Fire Flex 5p.", 62000),
        ("Argo Drive 1.3 8V Flex", 84000), ("Strada Volcano 1.3 Flex 8V CD", 112000),
        ("Toro Freedom 2.0 16V 4x4 Diesel Aut.", 171000), ("Pulse Impetus 1.0 Turbo 200 Flex Aut.", 118000)]),
    ("Ford", "ford", 22, [
        ("Ka SE 1.0 HA Flex 5p", 48000), ("EcoSport FREESTYLE 1.5 12V Flex 5p Aut.", 78000),
        ("Ranger XLT 3.2 20V 4x4 CD Diesel Aut.", 189000), ("Fiesta 1.6 16V Flex Mec. 5p", 39000)]),
    ("Toyota", "toyota", 56, [
        ("Corolla XEi 2.0 Flex 16V Aut.", 141000), ("Hilux CD SRX 4x4 2.8 TDI Diesel Aut.", 298000),
        ("Yaris XS 1.5 Flex 16V 5p Aut.", 96000), ("Etios X 1.3 Flex 16V 5p Mec.", 52000),
        ("Corolla Cross XRX Hybrid 1.8 Aut.", 189000)]),
    ("Honda", "honda", 25, [
        ("Civic Sedan EXL 2.0 Flex 16V Aut.4p", 133000), ("HR-V EXL 1.5 Flex TB 16V 5p Aut.", 164000),
        ("City Sedan EXL 1.5 Flex 16V 4p Aut.", 112000), ("Fit EX 1.5 Flex/Flexone 16V 5p Aut.", 78000)]),
    ("Hyundai", "hyundai", 26, [
        ("HB20 Comfort 1.0 Flex 12V Mec.", 71000), ("Creta Limited 1.0 TB 12V Flex Aut.", 128000),
        ("HB20S Platinum 1.0 TB Flex 12V Aut.", 102000), ("Tucson GLS 1.6 Turbo 16V Aut.", 131000)]),
    ("Renault", "renault", 48, [
        ("Sandero Expression Flex 1.0 12V 5p", 58000), ("Kwid Zen 1.0 Flex 12V 5p Mec.", 56000),
        ("Duster Iconic 1.3 TB 16V Flex Aut.", 121000), ("Logan Life Flex 1.0 12V 4p Mec.", 59000),
        ("Kwid E-Tech 100% Elétrico", 142000)]),
    ("Jeep", "jeep", 29, [
        ("Renegade Longitude 1.3 T270 4x2 Flex Aut.", 128000), ("Compass Limited 1.3 T270 Flex Aut.", 176000),
        ("Commander Overland 2.0 TD380 4x4 Diesel Aut.", 262000)]),
    ("Nissan", "nissan", 43, [
        ("Kicks SV 1.6 16V Flexstar 5p Aut.", 104000), ("Versa Advance 1.6 16V Flex Aut.", 99000),
        ("Frontier PRO4X CD 4x4 2.3 Bi-TB Diesel Aut.", 241000), ("March SV 1.6 16V Flex 5p", 51000)]),
    ("Peugeot", "peugeot", 44, [
        ("208 Griffe 1.6 Flex 16V 5p Aut.", 74000), ("2008 Allure 1.6 Flex 16V 5p Aut.", 81000),
        ("e-2008 GT Elétrico", 259000)]),
    ("Citroën", "citroen", 13, [
        ("C3 Feel 1.0 Flex 6V 5p Mec.", 72000), ("C4 Cactus Feel 1.6 16V Flex Aut.", 104000)]),
]

# (FIPE fuel name, treated fuel), chosen from the model name.
FUELS = {
    "flex": ("Flex", "flex"), "gasolina": ("Gasolina", "gasolina"),
    "alcool": ("Álcool", "alcool"), "diesel": ("Diesel", "diesel"),
    "eletrico": ("Elétrico", "eletrico"), "hibrido": ("Híbrido", "hibrido"),
}

MONTHS = ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho",
          "agosto", "setembro", "outubro", "novembro", "dezembro"]


def fuel_of(model, rng):
    m = model.lower()
    if "diesel" in m:
        return FUELS["diesel"]
    if "elétrico" in m:
        return FUELS["eletrico"]
    if "hybrid" in m:
        return FUELS["hibrido"]
    # Older flex models also exist as petrol-only or ethanol-only versions.
    r = rng.random()
    return FUELS["gasolina"] if r < 0.12 else FUELS["alcool"] if r < 0.15 else FUELS["flex"]


def fipe_code(brand_code, model_idx, year):
    # FIPE codes look like "005340-6": six digits, a dash, one check digit.
    body = "%06d" % ((brand_code * 1000 + model_idx * 37 + year % 100) % 1000000)
    check = sum(int(c) * (i + 2) for i, c in enumerate(reversed(body))) % 10
    return "%s-%d" % (body, check)


def price(base, year, rng):
    # Depreciation of about 7% a year from 2025, a little noise; half of the
    # prices are whole reais (integers), the others have cents (reals).
    v = base * (0.93 ** (2025 - year)) * rng.uniform(0.92, 1.08)
    if rng.random() < 0.5:
        return int(round(v, -1))
    return round(v, 2)


def record(rng, source, with_valor):
    brand, brand_t, brand_code, models = rng.choice(BRANDS)
    mi = rng.randrange(len(models))
    model, base = models[mi]
    fuel, fuel_t = fuel_of(model, rng)
    year = rng.randint(2005, 2025)
    code = fipe_code(brand_code, mi, year)
    ref_year = rng.choice((2025, 2026))
    data = {
        "marca": brand,
        "nome": model,
        "combustivel": fuel,
        "ano": year,
        "codigoFipe": code,
        "codigoFipeTreated": code.replace("-", ""),
        "marcaTreated": brand_t,
        "nomeTreated": model.lower(),
        "combustivelTreated": fuel_t,
        "valor": price(base, year, rng),
        "referencia": "%s de %d" % (rng.choice(MONTHS), ref_year),
    }
    if not with_valor:
        del data["valor"]
    meta = {
        "source": source,
        "ingestedAt": "%d-%02d-%02dT%02d:%02d:%02dZ" % (
            ref_year, rng.randint(1, 12), rng.randint(1, 28),
            rng.randrange(24), rng.randrange(60), rng.randrange(60)),
        "input": {"marca": {"codigo": brand_code},
                  "modelo": {"codigo": brand_code * 100 + mi}},
    }
    return {"data": data, "metadata": meta}


def dumps(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def broken(rng, good):
    """One corrupted line (bytes, without the newline) built from a good record."""
    text = dumps(good)
    kind = rng.randrange(11)
    if kind == 0:    # truncated JSON, as when a producer dies mid-write
        return text[:rng.randrange(1, len(text) - 1)]
    if kind == 1:    # invalid UTF-8: a lone continuation byte and a bad lead byte
        i = text.index(b'"nome":"') + 8
        return text[:i] + b"\x80\xc3(" + text[i:]
    if kind == 2:    # wrong type: valor as an object
        good["data"]["valor"] = {"amount": good["data"].get("valor", 0), "currency": "BRL"}
        return dumps(good)
    if kind == 3:    # deep nesting, past any sane depth limit
        depth = rng.choice((100, 1000, 10000))
        return b'{"data":' + b'[' * depth + b']' * depth + b',"metadata":{"source":"fipe"}}'
    if kind == 4:    # a huge string (64 KiB) in an entity key
        good["data"]["nome"] = "X" * 65536
        return dumps(good)
    if kind == 5:    # valid JSON that is not an object
        return rng.choice((b"[1,2,3]", b"42", b'"fipe"', b"null", b"true"))
    if kind == 6:    # blank or whitespace-only line (not a record at all)
        return rng.choice((b"", b"   ", b"\t"))
    if kind == 7:    # an integer beyond int64: must be rejected, never rounded
        good["data"]["valor"] = 99999999999999999999
        return dumps(good)
    if kind == 8:    # no metadata.source
        del good["metadata"]["source"]
        return dumps(good)
    if kind == 9:    # mandatory field present but empty / null
        good["data"]["marcaTreated"] = rng.choice(("", None))
        return dumps(good)
    # kind 10: trailing garbage after a complete object
    return text + b" }"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="number of lines to write")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--other", type=float, default=5.0, metavar="PCT")
    ap.add_argument("--missing-valor", type=float, default=2.0, metavar="PCT")
    ap.add_argument("--broken", type=float, default=0.0, metavar="PCT")
    ap.add_argument("-o", "--output", help="output file (default: stdout)")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = open(a.output, "wb") if a.output else sys.stdout.buffer
    buf = []
    for _ in range(a.n):
        source = "denatran" if rng.random() * 100 < a.other else "fipe"
        with_valor = not (rng.random() * 100 < a.missing_valor)
        rec = record(rng, source, with_valor)
        if a.broken and rng.random() * 100 < a.broken:
            buf.append(broken(rng, rec))
        else:
            buf.append(dumps(rec))
        if len(buf) >= 4096:
            out.write(b"\n".join(buf) + b"\n")
            buf = []
    if buf:
        out.write(b"\n".join(buf) + b"\n")
    out.flush()


if __name__ == "__main__":
    main()
