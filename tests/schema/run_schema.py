#!/usr/bin/python3
"""Property test of `dplc schema` (spec §13): the schemas hold for what
`dpl run` really does, and they are not vacuous.

usage: /usr/bin/python3 run_schema.py --dpl DPL --dplc DPLC --root SRCROOT
                                      [--conformance DIR] [-v]

Needs Debian's python3-jsonschema: run it with /usr/bin/python3 (the
`python3` on PATH may be a Python without Debian's modules).

Programs: every examples/NAME.dpl with its NAME.ndjson, the record fuzzer's
tests/fuzz/seeds/program/all_builtins.dpl with tests/schema/all_builtins.ndjson,
and every run case of
the conformance suite (DIR/cases and DIR/cases-v1.1; default
SRCROOT/../shared/conformance; a case whose program does not check is left
out, as the 1.1 cases are before the 1.1 language lands).  For each:

  1. `dplc schema` and `dplc schema --input [--raw]` print valid draft
     2020-12 schemas (checked against the meta-schema);
  2. every record `dpl run` emits validates against `dplc schema`, and every
     input record that `dpl run` accepts (run alone, it emits an entity)
     validates against `dplc schema --input` (--raw cases: the plain value
     against `--input --raw`);
  3. the schemas catch wrong records: every emitted record, mutated, must
     fail — a wrong id, another entity name, an unknown source, an attribute
     the program never writes (unless it uses `all`), each attribute the
     schema says is required dropped, each attribute with a declared type
     given a value of another type; each accepted input with a required
     field dropped must fail too.  A few expectations that do not come from
     the schema at all (the examples' mandatory and cast attributes) must
     fail as well;
  4. probes: variants of every input record, each field of data (and of
     the objects in it) replaced by a value of every JSON type or removed,
     go through one `dpl run`; what it emits must validate against `dplc
     schema`, what it accepts (neither rejected nor skipped) against
     `--input`;
  5. the run ends with counts of each mutation kind, and fails if a kind was
     never exercised (so the test cannot pass by checking nothing).
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile

try:
    import jsonschema
except ImportError:
    print("FAIL python3-jsonschema is not importable by %s (run this with /usr/bin/python3)" % sys.executable)
    sys.exit(1)

V = jsonschema.Draft202012Validator

# Independent expectations: (program file name, mutation, path) that must be
# invalid whatever dplc prints, from reading the example programs.
CURATED = [
    ("fipe.dpl", "drop", ["data", "valor"]),        # data.valor is mandatory and copied
    ("fipe.dpl", "drop", ["data", "marca"]),        # marcaTreated is mandatory
    ("orders.dpl", "set", ["data", "numero"], "12"),  # `numero as int`: an integer
    ("orders.dpl", "drop", ["data", "numero"]),     # numero is mandatory and cast
    ("people.dpl", "set", ["data", "cpf"], 5),      # digits(cpf): a string
    ("people.dpl", "drop", ["data", "cpf"]),        # cpf is mandatory
]
CURATED_INPUT = [
    ("fipe.dpl", ["data", "valor"]),
    ("fipe.dpl", ["metadata", "source"]),
    ("orders.dpl", ["data", "itens"]),
    ("people.dpl", ["data", "cpf"]),
]

# Values of every JSON type that the probes put into input records.
PROBES = {"null": None, "true": True, "false": False, "int": 7, "zero": 0, "real": 7.5, "string": "mutated",
          "numeric string": "12", "empty": "", "array": [1, "a"], "object": {"mutated": 1}}

# A value of each JSON type, to replace an attribute with one of another type.
SAMPLES = {"null": None, "boolean": True, "integer": 7, "number": 7.5, "string": "mutated", "array": [1],
           "object": {"mutated": 1}}


def run(cmd, stdin=None):
    return subprocess.run(cmd, input=stdin, capture_output=True, timeout=60)


def uses_all(program_text):
    for line in program_text.splitlines():
        line = line.split("#", 1)[0]
        if re.search(r"(^|[{,])\s*all\s*(,|}|$)", line):
            return True
    return False


def has_sources(program_text):
    return any(re.match(r"\s*sources\b", l) for l in program_text.splitlines())


def get_schema(args, prog, *flags):
    p = run([args.dplc, "schema", *flags, prog])
    if p.returncode != 0:
        return None, p
    return json.loads(p.stdout), p


def allowed_types(schema):
    t = schema.get("type") if isinstance(schema, dict) else None
    if t is None:
        return None
    return [t] if isinstance(t, str) else t


def other_type_value(types):
    for name, v in SAMPLES.items():
        if name in types or (name == "integer" and "number" in types):
            continue
        if name == "number" and "integer" in types:
            continue  # 7.5 is no integer, but keep it simple: try the next type
        return v
    return None


def required_paths(schema, prefix):
    """Every path the schema requires, walking nested objects."""
    out = []
    if not isinstance(schema, dict):
        return out
    props = schema.get("properties", {})
    for k in schema.get("required", []):
        out.append(prefix + [k])
        out += required_paths(props.get(k, {}), prefix + [k])
    return out


def typed_paths(schema, prefix):
    out = []
    if not isinstance(schema, dict):
        return out
    for k, sub in schema.get("properties", {}).items():
        if allowed_types(sub) is not None:
            out.append((prefix + [k], allowed_types(sub)))
        out += typed_paths(sub, prefix + [k])
    return out


def dig(obj, path):
    for k in path[:-1]:
        if not isinstance(obj, dict) or k not in obj:
            return None
        obj = obj[k]
    return obj if isinstance(obj, dict) and path[-1] in obj else None


def mutated(rec, path, how, value=None):
    r = json.loads(json.dumps(rec))
    parent = dig(r, path)
    if parent is None:
        return None
    if how == "drop":
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return r


class Suite:
    def __init__(self, args):
        self.args = args
        self.failures = []
        self.counts = {k: 0 for k in ("programs", "emitted", "accepted", "id", "entity", "source", "extra",
                                      "drop", "type", "input-drop", "curated", "probes")}
        self.tmp = tempfile.mkdtemp(prefix="dpl-schema.")

    def fail(self, what):
        self.failures.append(what)

    def must_fail(self, validator, rec, name, what, kind):
        if rec is None:
            return
        self.counts[kind] += 1
        if validator.is_valid(rec):
            self.fail("%s: the schema accepts a record with %s: %s" % (name, what, json.dumps(rec)[:300]))

    def program(self, name, prog, input_path, extra):
        args = self.args
        text = open(prog, encoding="utf-8").read()
        chk = run([args.dplc, "check", prog])
        if chk.returncode == 1:
            if args.v:
                print("skip %s (the program does not check: %s)" % (
                    name, chk.stderr.decode(errors="replace").splitlines()[0][:120]))
            return
        out_schema, p = get_schema(args, prog)
        if out_schema is None:
            self.fail("%s: dplc schema failed (exit %d): %s" % (name, p.returncode, p.stderr.decode(errors="replace")[:300]))
            return
        raw = "--raw" in extra
        in_schema, p2 = get_schema(args, prog, "--input", *(["--raw"] if raw else []))
        if in_schema is None:
            self.fail("%s: dplc schema --input failed: %s" % (name, p2.stderr.decode(errors="replace")[:300]))
            return
        self.counts["programs"] += 1
        before = len(self.failures)
        for s, what in ((out_schema, "schema"), (in_schema, "schema --input")):
            try:
                V.check_schema(s)
            except jsonschema.SchemaError as e:
                self.fail("%s: %s is not a valid draft 2020-12 schema: %s" % (name, what, e.message))
                return
        out_v, in_v = V(out_schema), V(in_schema)
        lines = open(input_path, "rb").read().split(b"\n")
        # the whole input at once: every emitted record is valid
        whole = run([args.dpl, "run", *extra, "--rejects", os.devnull, prog], stdin=b"\n".join(lines))
        emitted = [json.loads(l) for l in whole.stdout.decode().splitlines() if l.strip()]
        # each line alone: which inputs are accepted
        accepted = []
        for raw_line in lines[:200]:
            if not raw_line.strip():
                continue
            one = run([args.dpl, "run", *extra, "--rejects", os.devnull, prog], stdin=raw_line + b"\n")
            if one.stdout.strip():
                try:
                    accepted.append(json.loads(raw_line))
                except ValueError:
                    self.fail("%s: dpl run accepted a line Python cannot read: %r" % (name, raw_line[:100]))
        for rec in emitted:
            self.counts["emitted"] += 1
            for e in out_v.iter_errors(rec):
                self.fail("%s: emitted record does not validate: %s at %s\n  %s" % (
                    name, e.message, "/".join(map(str, e.absolute_path)), json.dumps(rec)[:300]))
                break
        for rec in accepted:
            self.counts["accepted"] += 1
            for e in in_v.iter_errors(rec):
                self.fail("%s: accepted input does not validate against --input: %s at %s\n  %s" % (
                    name, e.message, "/".join(map(str, e.absolute_path)), json.dumps(rec)[:300]))
                break
        # mutations of emitted records
        for rec in emitted:
            m = dict(rec, id="not-a-sha256")
            self.must_fail(out_v, m, name, "a wrong id", "id")
            self.must_fail(out_v, dict(rec, entity=str(rec.get("entity")) + "-other"), name, "another entity", "entity")
            if has_sources(text):
                self.must_fail(out_v, dict(rec, source="no-such-source"), name, "an unknown source", "source")
            if not uses_all(text) and isinstance(rec.get("data"), dict):
                m = json.loads(json.dumps(rec))
                m["data"]["attribute_never_written"] = 1
                self.must_fail(out_v, m, name, "an attribute the program never writes", "extra")
            for path in required_paths(out_schema, []):
                self.must_fail(out_v, mutated(rec, path, "drop"), name, "%s dropped" % ".".join(path), "drop")
            for path, types in typed_paths(out_schema, []):
                if path[0] != "data":
                    continue
                v = other_type_value(types)
                if v is not None or "null" not in types:
                    self.must_fail(out_v, mutated(rec, path, "set", v), name,
                                   "%s of another type (%r)" % (".".join(path), v), "type")
            for c in CURATED:
                if c[0] == os.path.basename(prog):
                    self.must_fail(out_v, mutated(rec, c[2], c[1], c[3] if len(c) > 3 else None), name,
                                   "curated: %s %s" % (c[1], ".".join(c[2])), "curated")
        for rec in accepted:
            for path in required_paths(in_schema, []):
                self.must_fail(in_v, mutated(rec, path, "drop"), name, "input %s dropped" % ".".join(path), "input-drop")
            for c in CURATED_INPUT:
                if c[0] == os.path.basename(prog) and not raw:
                    self.must_fail(in_v, mutated(rec, c[1], "drop"), name, "curated: input without %s" % ".".join(c[1]),
                                   "curated")
        self.probe(name, prog, lines, extra, raw, out_v, in_v)
        if args.v:
            print("%s %s (%d emitted, %d accepted)" % ("ok  " if len(self.failures) == before else "FAIL", name,
                                                       len(emitted), len(accepted)))

    def probe(self, name, prog, lines, extra, raw, out_v, in_v):
        """Runs variants of the inputs — each field of data (and of the objects
        in it) replaced by a value of every JSON type, or removed — through one
        `dpl run`, and checks that what it emits and accepts still validates."""
        records = []
        for l in lines:
            try:
                records.append(json.loads(l))
            except ValueError:
                pass
        variants = []
        for rec in records:
            data = rec if raw else (rec.get("data") if isinstance(rec, dict) else None)
            if not isinstance(data, dict):
                continue
            paths = []
            for k, v in data.items():
                paths.append([k])
                if isinstance(v, dict):
                    paths += [[k, k2] for k2 in v]
            for path in paths:
                full = path if raw else ["data"] + path
                for sample in list(PROBES) + [None]:
                    m = mutated(rec, full, "drop") if sample is None else mutated(rec, full, "set", PROBES[sample])
                    if m is not None:
                        variants.append(m)
        if not variants:
            return
        text = "".join(json.dumps(v, ensure_ascii=False) + "\n" for v in variants).encode()
        tmp = os.path.join(self.tmp, "probe")
        for f in (tmp + ".rejects", tmp + ".skipped"):
            if os.path.exists(f):
                os.remove(f)
        p = run([self.args.dpl, "run", *extra, "--rejects", tmp + ".rejects", "--skipped", tmp + ".skipped", prog],
                stdin=text)
        rejected = set()
        for l in open(tmp + ".rejects", encoding="utf-8") if os.path.exists(tmp + ".rejects") else []:
            if l.strip():
                rejected.add(json.loads(l)["line"])
        skipped = [json.loads(l) for l in open(tmp + ".skipped", encoding="utf-8") if l.strip()] \
            if os.path.exists(tmp + ".skipped") else []
        skipped_keys = {}
        for r in skipped:
            k = json.dumps(r, sort_keys=True)
            skipped_keys[k] = skipped_keys.get(k, 0) + 1
        for line in p.stdout.decode().splitlines():
            if line.strip():
                self.counts["probes"] += 1
                rec = json.loads(line)
                for e in out_v.iter_errors(rec):
                    self.fail("%s: emitted record (probe) does not validate: %s at %s\n  %s" % (
                        name, e.message, "/".join(map(str, e.absolute_path)), line[:300]))
                    break
        for i, v in enumerate(variants, 1):
            k = json.dumps(v, sort_keys=True)
            if i in rejected:
                continue
            if skipped_keys.get(k):
                skipped_keys[k] -= 1
                continue
            self.counts["probes"] += 1
            for e in in_v.iter_errors(v):
                self.fail("%s: accepted input (probe) does not validate against --input: %s at %s\n  %s" % (
                    name, e.message, "/".join(map(str, e.absolute_path)), json.dumps(v)[:300]))
                break


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dpl", required=True)
    ap.add_argument("--dplc", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--conformance")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    conf = args.conformance or os.path.join(args.root, "..", "shared", "conformance")
    s = Suite(args)
    ex = os.path.join(args.root, "examples")
    for n in sorted(os.listdir(ex)):
        if n.endswith(".dpl") and os.path.exists(os.path.join(ex, n[:-4] + ".ndjson")):
            s.program("examples/" + n, os.path.join(ex, n), os.path.join(ex, n[:-4] + ".ndjson"), [])
    # every builtin, operator, cast and item kind (the record fuzzer's program), with probes
    s.program("tests/fuzz/seeds/program/all_builtins.dpl",
              os.path.join(args.root, "tests", "fuzz", "seeds", "program", "all_builtins.dpl"),
              os.path.join(args.root, "tests", "schema", "all_builtins.ndjson"), [])
    for sub in ("cases", "cases-v1.1"):
        d = os.path.join(conf, sub)
        if not os.path.isdir(d):
            print("note: %s is absent; its cases are not part of this run" % d)
            continue
        for n in sorted(os.listdir(d)):
            c = os.path.join(d, n)
            if os.path.exists(os.path.join(c, "input.ndjson")):
                extra = open(os.path.join(c, "args")).read().split() if os.path.exists(os.path.join(c, "args")) else []
                s.program("%s/%s" % (sub, n), os.path.join(c, "program.dpl"), os.path.join(c, "input.ndjson"), extra)
    for kind in ("programs", "emitted", "accepted", "id", "entity", "source", "extra", "drop", "type", "input-drop",
                 "curated", "probes"):
        if s.counts[kind] == 0:
            s.fail("no %s were exercised: the test would check nothing" % kind)
    for f in s.failures:
        print("FAIL " + f)
    print(", ".join("%d %s" % (v, k) for k, v in s.counts.items()))
    shutil.rmtree(s.tmp, ignore_errors=True)
    print("%d programs, %d failures" % (s.counts["programs"], len(s.failures)))
    sys.exit(1 if s.failures else 0)


main()
