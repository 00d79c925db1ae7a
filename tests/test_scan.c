/* test_scan.c — the fast path against the reference it must equal: the
 * scanner accepts and rejects exactly what dpl_json_parse does (hand-picked
 * edge cases, then thousands of random and mutated lines), the values it
 * captures are jansson's values at those paths, "canonical" spans print
 * identically, and the direct engine's output lines are byte-identical to
 * the tree evaluator's. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "eval/eval.h"
#include "json/json.h"
#include "scan/scan.h"

static void setup(void) { dpl_util_init(); }

TestSuite(scan, .init = setup);

/* ---- helpers -------------------------------------------------------------- */

static bool ref_accepts(const char *text, size_t len)
{
    json_t *v = NULL;
    DplJsonError err;
    DplJsonStatus st = dpl_json_parse(text, len, &v, &err);
    json_decref(v);
    return st == DPL_JSON_OK;
}

/* A plan with only the root slot. */
static bool scan_accepts(const char *text, size_t len)
{
    DplScanPlan *p = dpl_scan_plan_new();
    dpl_scan_plan_freeze(p);
    DplScanValue vals[1];
    bool ok = dpl_scan(p, text, len, vals);
    dpl_scan_plan_free(p);
    return ok;
}

static void expect_same(const char *text, size_t len)
{
    bool ref = ref_accepts(text, len);
    bool got = scan_accepts(text, len);
    cr_expect_eq(got, ref, "scan %s but dpl_json_parse %s: [%.*s]", got ? "accepts" : "rejects",
                 ref ? "accepts" : "rejects", (int)len, text);
}

static void same(const char *text) { expect_same(text, strlen(text)); }

/* Deterministic PRNG (xorshift64*), so failures reproduce. */
static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}
static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }

/* ---- accept / reject: edge cases ----------------------------------------- */

Test(scan, grammar_edges)
{
    static const char *cases[] = {
        "{}", "[]", " {} ", "\t[ ]\r", "{\"a\":1}", "{\"a\" : 1 , \"b\":[1,2, 3]}", "1", "-1", "\"s\"", "true",
        "false", "null", "", " ", "{", "}", "[", "]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[,1]",
        "{,}", "{\"a\":1 \"b\":2}", "[1 2]", "{} {}", "{}x", "{}\n", "\n{}", "{'a':1}", "{a:1}", "[tru]",
        "[truex]", "[true1]", "[nul]", "[nulll]", "[True]", "[NaN]", "[Infinity]", "[-Infinity]", "{\"a\":1}}",
        "[[[]]]", "[[[]]", "[]]", "{\"a\":{\"b\":{}}}", "{\"\":0}", "[\"\\\"\"]",
        /* numbers */
        "0", "-0", "00", "01", "-01", "1.", ".5", "1.5", "-1.5", "1e5", "1E5", "1e+5", "1e-5", "1e", "1e+", "1.e5",
        "1.5e", "+1", "--1", "-", "0.0", "-0.0", "1.0e0", "0e0", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "92233720368547758070", "00.5", "1e308", "1e309",
        "-1e309", "1e-400", "2.5e-324", "1.7976931348623157e308", "1.7976931348623159e308", "123456789e300",
        "0.000000000000000000000000000000000001e-300", "[1,-]", "[1x]", "[0x10]", "[1_000]",
        /* strings and escapes */
        "\"\\/\"", "\"\\b\\f\\n\\r\\t\"", "\"\\a\"", "\"\\x41\"", "\"\\u0041\"", "\"\\u004\"", "\"\\u00g1\"",
        "\"\\uD83D\\uDE00\"", "\"\\ud83d\\ude00\"", "\"\\uD83D\"", "\"\\uD83Dx\"", "\"\\uD83D\\u0041\"",
        "\"\\uDE00\"", "\"\\uDE00\\uD83D\"", "\"\\u0000\"", "{\"\\u0000\":1}", "{\"a\\u0000b\":1}",
        "{\"a\":\"\\u0000\"}", "\"\\", "\"abc", "\"a\tb\"", "\"a\nb\"", "\"a\x1f\"", "\"a\x7f\"", "\"\\\"",
        /* UTF-8 */
        "\"\xc3\xa9\"", "\"\xc3\"", "\"\xc3\x28\"", "\"\xc0\xaf\"", "\"\xc1\xbf\"", "\"\xe0\x80\xaf\"",
        "\"\xe0\xa0\x80\"", "\"\xed\xa0\x80\"", "\"\xed\x9f\xbf\"", "\"\xef\xbf\xbf\"", "\"\xf0\x8f\xbf\xbf\"",
        "\"\xf0\x90\x80\x80\"", "\"\xf4\x8f\xbf\xbf\"", "\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xff\"",
        "\"\x80\"", "\"\xe2\x82\"", "\"\xf0\x9f\x98\"", "\xc3\xa9", "{\"\xc3\xa9\":1}", "\xef\xbb\xbf{}",
        "\"0123456789abcdef\xc3\xa9 0123456789abcdef\"", "\"0123456789abcdef0123456789abcde\\n\"",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        same(cases[i]);
    /* raw NUL bytes, inside and outside strings */
    expect_same("{\"a\":\"x\0y\"}", 11);
    expect_same("{}\0", 3);
    expect_same("\0{}", 3);
}

Test(scan, depth_limit)
{
    for (int depth = DPL_JSON_MAX_DEPTH - 2; depth <= DPL_JSON_MAX_DEPTH + 2; depth++) {
        DplBuf b = {0};
        for (int i = 0; i < depth; i++)
            dpl_buf_puts(&b, i % 2 ? "{\"k\":" : "[");
        for (int i = depth - 1; i >= 0; i--)
            dpl_buf_puts(&b, i % 2 ? "}" : "]");
        expect_same(b.data, b.len);
        dpl_buf_free(&b);
    }
    /* very deep input must not exhaust the stack */
    size_t n = 1000000;
    char *deep = dpl_malloc(n);
    memset(deep, '[', n);
    cr_expect(!scan_accepts(deep, n));
    dpl_free(deep);
}

/* ---- random documents ------------------------------------------------------ */

static const char *const key_pool[] = {"a", "b", "c", "data", "metadata", "source", "", "\xc3\xa9", "x y"};
#define NKEYS (sizeof key_pool / sizeof *key_pool)

static void gen_ws(DplBuf *b)
{
    if (rn(8) == 0)
        dpl_buf_puts(b, (const char *[]){" ", "\t", "\r\n", "  "}[rn(4)]);
}

static void gen_string_body(DplBuf *b)
{
    unsigned n = rn(6);
    for (unsigned i = 0; i < n; i++) {
        switch (rn(12)) {
        case 0: dpl_buf_puts(b, (const char *[]){"\\\"", "\\\\", "\\/", "\\n", "\\t", "\\b", "\\f", "\\r"}[rn(8)]); break;
        case 1: dpl_buf_printf(b, "\\u%04x", rn(0x80)); break;
        case 2: dpl_buf_printf(b, "\\u%04X", rn(0xD7FF)); break;
        case 3: dpl_buf_puts(b, (const char *[]){"\\uD83D\\uDE00", "\\udbff\\udfff", "\\u0000"}[rn(3)]); break;
        case 4: dpl_buf_puts(b, (const char *[]){"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x7f"}[rn(4)]); break;
        case 5: dpl_buf_puts(b, "0123456789abcdefghij"); break;
        default: dpl_buf_putc(b, (char)('a' + rn(26))); break;
        }
    }
}

static void gen_number(DplBuf *b)
{
    switch (rn(14)) {
    case 0: dpl_buf_printf(b, "%d", (int)rn(100) - 50); break;
    case 1: dpl_buf_puts(b, (const char *[]){"9223372036854775807", "-9223372036854775808", "-0", "0"}[rn(4)]); break;
    case 2: dpl_buf_printf(b, "%u.%u", rn(100000), rn(1000)); break;
    case 3: dpl_buf_printf(b, "%u.0", rn(100000)); break;
    case 4: dpl_buf_printf(b, "%ue%d", rn(10), (int)rn(40) - 20); break;
    case 5: dpl_buf_printf(b, "%u.%02uE+%u", rn(10), rn(100), rn(30)); break;
    case 6: dpl_buf_printf(b, "0.%04u", rn(10000)); break;
    case 7: dpl_buf_printf(b, "0.0000%u", 1 + rn(9)); break;
    case 8: dpl_buf_printf(b, "%u%u.%u", 100000000 + rn(100000000), rn(100000000), rn(100000)); break;
    case 9: dpl_buf_printf(b, "-%u.%u0", rn(1000), rn(10)); break;
    case 10: dpl_buf_printf(b, "1e%d", 300 + (int)rn(20)); break;
    case 11: dpl_buf_printf(b, "%llu", (unsigned long long)rnd()); break;
    case 12: dpl_buf_printf(b, "%.17g", (double)rnd() / 1e10); break;
    default: dpl_buf_printf(b, "%u.%u", rn(1000), rn(100)); break;
    }
}

static void gen_value(DplBuf *b, int depth)
{
    unsigned k = depth > 4 ? 4 + rn(6) : rn(10);
    gen_ws(b);
    switch (k) {
    case 0: case 1: case 2: {
        dpl_buf_putc(b, '{');
        unsigned n = rn(5);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                dpl_buf_putc(b, ',');
            gen_ws(b);
            if (rn(10) == 0)
                dpl_buf_puts(b, "\"\\u0061\""); /* an escaped "a" */
            else {
                const char *key = key_pool[rn(NKEYS)];
                dpl_json_write_string(b, key, strlen(key));
            }
            gen_ws(b);
            dpl_buf_putc(b, ':');
            gen_value(b, depth + 1);
        }
        gen_ws(b);
        dpl_buf_putc(b, '}');
        break;
    }
    case 3: {
        dpl_buf_putc(b, '[');
        unsigned n = rn(4);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                dpl_buf_putc(b, ',');
            gen_value(b, depth + 1);
        }
        dpl_buf_putc(b, ']');
        break;
    }
    case 4: case 5: dpl_buf_putc(b, '"'); gen_string_body(b); dpl_buf_putc(b, '"'); break;
    case 6: case 7: gen_number(b); break;
    default: dpl_buf_puts(b, (const char *[]){"true", "false", "null"}[rn(3)]); break;
    }
    gen_ws(b);
}

/* An object whose keys come from the pool (so plan paths hit). */
static void gen_doc(DplBuf *b)
{
    dpl_buf_reset(b);
    dpl_buf_putc(b, '{');
    unsigned n = 1 + rn(5);
    for (unsigned i = 0; i < n; i++) {
        if (i)
            dpl_buf_putc(b, ',');
        const char *k = rn(6) == 0 ? "\\u0061" : key_pool[rn(NKEYS)];
        dpl_buf_putc(b, '"');
        dpl_buf_puts(b, k);
        dpl_buf_puts(b, "\":");
        gen_value(b, 1);
    }
    dpl_buf_putc(b, '}');
}

static void mutate(DplBuf *b)
{
    static const char alphabet[] = "{}[]\",:\\ 0-+.eE1tfnu\x80\xc3\xff\x00\t\n";
    unsigned edits = 1 + rn(3);
    for (unsigned e = 0; e < edits && b->len > 0; e++) {
        size_t at = rn((unsigned)b->len);
        switch (rn(4)) {
        case 0: b->data[at] = alphabet[rn(sizeof alphabet - 1)]; break;
        case 1: memmove(b->data + at, b->data + at + 1, b->len - at - 1); b->len--; break;
        case 2: b->len = at; break;
        default:
            dpl_buf_putc(b, 0);
            memmove(b->data + at + 1, b->data + at, b->len - at - 1);
            b->data[at] = alphabet[rn(sizeof alphabet - 1)];
            break;
        }
    }
}

Test(scan, random_and_mutated_lines_agree_with_dpl_json_parse)
{
    DplBuf b = {0};
    size_t accepted = 0, rejected = 0;
    for (int i = 0; i < 40000; i++) {
        gen_doc(&b);
        if (i % 2)
            mutate(&b);
        bool ref = ref_accepts(b.data, b.len);
        bool got = scan_accepts(b.data, b.len);
        cr_assert_eq(got, ref, "case %d: scan %d, dpl_json_parse %d: [%.*s]", i, got, ref, (int)b.len, b.data);
        ref ? accepted++ : rejected++;
    }
    /* the generator must exercise both sides */
    cr_expect_gt(accepted, 10000);
    cr_expect_gt(rejected, 5000);
    dpl_buf_free(&b);
}

/* ---- captures -------------------------------------------------------------- */

/* Every path of length 1..3 over the key pool. */
typedef struct {
    const char *names[3];
    size_t lens[3];
    size_t n;
    size_t slot;
} PlanPath;

static size_t all_paths(DplScanPlan *plan, PlanPath *out)
{
    size_t np = 0;
    for (size_t i = 0; i < NKEYS; i++)
        for (size_t j = 0; j <= NKEYS; j++)
            for (size_t k = 0; k <= NKEYS; k++) {
                if (j == NKEYS && k != NKEYS)
                    continue;
                PlanPath *p = &out[np++];
                p->n = 0;
                size_t idx[3] = {i, j, k};
                for (int s = 0; s < 3 && idx[s] < NKEYS; s++) {
                    p->names[p->n] = key_pool[idx[s]];
                    p->lens[p->n++] = strlen(key_pool[idx[s]]);
                }
                p->slot = dpl_scan_plan_add(plan, p->names, p->lens, p->n);
            }
    return np;
}

static void check_captures(const DplScanPlan *plan, const PlanPath *paths, size_t np, const char *text, size_t len,
                           DplScanValue *vals)
{
    json_t *root = NULL;
    DplJsonError err;
    if (dpl_json_parse(text, len, &root, &err) != DPL_JSON_OK)
        return;
    cr_assert(dpl_scan(plan, text, len, vals));
    for (size_t i = 0; i < np; i++) {
        const PlanPath *p = &paths[i];
        json_t *v = root;
        for (size_t s = 0; s < p->n && v; s++)
            v = json_is_object(v) ? json_object_getn(v, p->names[s], p->lens[s]) : NULL;
        const DplScanValue *sv = &vals[p->slot];
        if (!v) {
            cr_assert_eq(sv->type, DPL_SV_MISSING, "path %zu should be missing in [%.*s]", i, (int)len, text);
            continue;
        }
        cr_assert_neq(sv->type, DPL_SV_MISSING, "path %zu missing in [%.*s]", i, (int)len, text);
        json_t *got = json_loadb(text + sv->start, sv->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        cr_assert_not_null(got);
        static const json_type types[] = {0, JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_INTEGER, JSON_REAL,
                                          JSON_STRING, JSON_ARRAY, JSON_OBJECT};
        cr_assert_eq(json_typeof(v), types[sv->type]);
        cr_assert_eq(json_typeof(got), json_typeof(v));
        cr_assert(json_equal(got, v), "path %zu: captured [%.*s] differs from jansson's value in [%.*s]", i,
                  (int)sv->len, text + sv->start, (int)len, text);
        DplBuf w = {0};
        dpl_json_write(&w, v);
        if (sv->flags & DPL_SV_CANON)
            cr_assert(w.len == sv->len && memcmp(w.data, text + sv->start, w.len) == 0,
                      "marked canonical but written [%.*s] from raw [%.*s]", (int)w.len, w.data, (int)sv->len,
                      text + sv->start);
        /* the common forms must be recognised as canonical */
        if (sv->type == DPL_SV_STRING && !(sv->flags & DPL_SV_ESCAPED))
            cr_assert(sv->flags & DPL_SV_CANON);
        dpl_buf_free(&w);
        json_decref(got);
    }
    json_decref(root);
}

Test(scan, captures_equal_jansson_values)
{
    DplScanPlan *plan = dpl_scan_plan_new();
    PlanPath *paths = dpl_malloc(NKEYS * (NKEYS + 1) * (NKEYS + 1) * sizeof *paths);
    size_t np = all_paths(plan, paths);
    dpl_scan_plan_freeze(plan);
    DplScanValue *vals = dpl_calloc(dpl_scan_plan_slots(plan), sizeof *vals);
    DplBuf b = {0};
    for (int i = 0; i < 20000; i++) {
        gen_doc(&b);
        check_captures(plan, paths, np, b.data, b.len, vals);
    }
    /* duplicate keys: the last one wins, and replaces the whole subtree */
    const char *dup = "{\"a\":{\"b\":1,\"c\":2},\"a\":{\"c\":3},\"b\":true,\"\\u0062\":false}";
    check_captures(plan, paths, np, dup, strlen(dup), vals);
    dpl_buf_free(&b);
    dpl_free(vals);
    dpl_free(paths);
    dpl_scan_plan_free(plan);
}

Test(scan, wide_plans_build_in_linear_time_and_find_every_field)
{
    /* 200,000 sibling fields and a deep chain: building once used to be cubic */
    enum { WIDE = 200000, DEEP = 2000 };
    DplScanPlan *plan = dpl_scan_plan_new();
    char name[16];
    const char *names[2] = {"data", name};
    size_t lens[2] = {4, 0};
    size_t first = 0, last = 0;
    for (int i = 0; i < WIDE; i++) {
        lens[1] = (size_t)snprintf(name, sizeof name, "f%d", i);
        last = dpl_scan_plan_add(plan, names, lens, 2);
        if (i == 0)
            first = last;
    }
    lens[1] = 2;
    snprintf(name, sizeof name, "f0");
    cr_expect_eq(dpl_scan_plan_add(plan, names, lens, 2), first, "adding a path again returns its slot");
    const char *chain[DEEP];
    size_t clens[DEEP];
    for (int i = 0; i < DEEP; i++)
        chain[i] = "d", clens[i] = 1;
    size_t deep = dpl_scan_plan_add(plan, chain, clens, DEEP);
    dpl_scan_plan_freeze(plan);
    DplScanValue *vals = dpl_calloc(dpl_scan_plan_slots(plan), sizeof *vals);
    const char *text = "{\"data\":{\"f0\":1,\"f199999\":\"z\",\"g\":2}}";
    cr_assert(dpl_scan(plan, text, strlen(text), vals));
    cr_expect_eq(vals[first].type, DPL_SV_INT);
    cr_expect_eq(vals[last].type, DPL_SV_STRING);
    cr_expect_eq(vals[deep].type, DPL_SV_MISSING);
    dpl_free(vals);
    dpl_scan_plan_free(plan);
}

static uint8_t canon_flag(const char *value)
{
    DplScanPlan *plan = dpl_scan_plan_new();
    const char *names[] = {"v"};
    size_t lens[] = {1};
    size_t slot = dpl_scan_plan_add(plan, names, lens, 1);
    dpl_scan_plan_freeze(plan);
    char text[128];
    snprintf(text, sizeof text, "{\"v\":%s}", value);
    DplScanValue vals[2];
    cr_assert(dpl_scan(plan, text, strlen(text), vals), "%s", text);
    dpl_scan_plan_free(plan);
    return vals[slot].flags & DPL_SV_CANON;
}

Test(scan, canonical_numbers_and_strings)
{
    static const char *yes[] = {"70250.99", "100.0", "0.0", "-0.0", "1.5", "0.0001", "0.5", "12", "-7", "0",
                                "123456789012345.0", "\"plain \xc3\xa9\"", "\"a\\\"b\\\\c\\n\\u001f\"", "true",
                                "null", "{}", "[]"};
    static const char *no[] = {"2.50", "1e21", "1E5", "-0", "0.00001", "1234567890123456.0", "\"\\/\"",
                               "\"\\u0041\"", "\"\\u001F\"", "\"\\u000a\"", "\"\\uD83D\\uDE00\"", "[1]", "{\"a\":1}"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        cr_expect(canon_flag(yes[i]), "%s should be canonical", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        cr_expect(!canon_flag(no[i]), "%s should not be canonical", no[i]);
}

/* ---- direct engine vs tree evaluator -------------------------------------- */

/* Runs both engines on every line; emitted lines must be byte-identical and
 * skips must agree.  Returns how many lines the direct engine decided. */
static size_t compare_engines(const char *program, const char *const *lines, size_t nlines, bool expect_direct)
{
    DplSource *src = dpl_source_new("test.dpl", program, strlen(program));
    DplDiagList diags = {0};
    bool ok = false;
    DplProgram *prog = dpl_compile(src, &diags, &ok);
    cr_assert(ok, "program does not compile: %s", program);
    const char *why = NULL;
    DplDirect *d = dpl_direct_new(prog, &why);
    cr_assert_eq(d != NULL, expect_direct, "eligibility (%s): %s", why ? why : "eligible", program);
    size_t decided = 0;
    if (d) {
        DplDirectState *st = dpl_direct_state_new(d);
        DplEvaluator *ev = dpl_eval_new(prog);
        DplBuf a = {0}, b = {0};
        for (size_t i = 0; i < nlines; i++) {
            dpl_buf_reset(&a);
            DplDirectOutcome o = dpl_direct_record(d, st, lines[i], strlen(lines[i]), &a);
            if (o == DPL_DIRECT_FALLBACK)
                continue;
            decided++;
            json_t *rec = NULL;
            DplJsonError err;
            cr_assert_eq(dpl_json_parse(lines[i], strlen(lines[i]), &rec, &err), DPL_JSON_OK);
            DplResult r;
            dpl_result_init(&r);
            dpl_eval_record(ev, rec, (long)i + 1, &r);
            if (o == DPL_DIRECT_SKIP) {
                cr_expect_eq(r.outcome, DPL_SKIP, "line %zu: direct skips, tree does not: %s", i, lines[i]);
            } else {
                cr_assert_eq(r.outcome, DPL_EMIT, "line %zu: direct emits, tree does not: %s", i, lines[i]);
                dpl_buf_reset(&b);
                dpl_json_write(&b, r.entity);
                dpl_buf_putc(&b, '\n');
                cr_expect(a.len == b.len && memcmp(a.data, b.data, a.len) == 0, "line %zu:\ndirect %.*s tree   %.*s",
                          i, (int)a.len, a.data, (int)b.len, b.data);
            }
            dpl_result_clear(&r);
            json_decref(rec);
        }
        dpl_buf_free(&a);
        dpl_buf_free(&b);
        dpl_eval_free(ev);
        dpl_direct_state_free(st);
        dpl_direct_free(d);
    }
    dpl_program_free(prog);
    dpl_diag_list_free(&diags);
    dpl_source_free(src);
    return decided;
}

static const char *fipe_program = "entity \"fipe\" {\n data.marca\n data.nome\n data.combustivel\n data.ano\n}\n"
                                  "sources \"fipe\"\n"
                                  "mandatory {\n data.codigoFipeTreated\n metadata.input.modelo.codigo\n"
                                  " data.valor\n data.marcaTreated\n}\n"
                                  "add {\n codigoFipeTreated -> codigoFipe\n combustivelTreated -> combustivel\n"
                                  " marcaTreated -> marca\n ano\n nomeTreated -> nome\n valor\n referencia\n}\n";

static const char *const fipe_lines[] = {
    "{\"data\":{\"marca\":\"VW - VolksWagen\",\"nome\":\"Gol 1.0\",\"combustivel\":\"Flex\",\"ano\":2014,"
    "\"codigoFipe\":\"005340-6\",\"codigoFipeTreated\":\"0053406\",\"marcaTreated\":\"volkswagen\","
    "\"nomeTreated\":\"gol 1.0\",\"combustivelTreated\":\"flex\",\"valor\":32150.5,\"referencia\":\"novembro de "
    "2026\"},\"metadata\":{\"source\":\"fipe\",\"ingestedAt\":\"2026-11-21T10:00:00Z\",\"input\":{\"modelo\":"
    "{\"codigo\":5340}}}}",
    /* other source: skipped */
    "{\"data\":{\"marca\":\"Ford\"},\"metadata\":{\"source\":\"denatran\"}}",
    /* odd but valid: escapes, whitespace, non-canonical reals, key reals and objects, reordered keys */
    "{ \"metadata\" : {\"input\":{\"modelo\":{\"codigo\":1}},\"source\":\"fipe\"}, \"data\": {\"valor\": 2.50, "
    "\"marca\":\"Citro\\u00ebn\", \"nome\":1.5e3, \"combustivel\":{\"b\":1,\"a\":[1, 2.0]}, \"ano\": -0, "
    "\"codigoFipeTreated\":\"x\\/y\",\"marcaTreated\":\"c\",\"referencia\":null, \"nomeTreated\":[ ]}}",
    /* duplicate keys: last wins */
    "{\"data\":{\"marca\":\"a\",\"nome\":\"n\",\"combustivel\":\"c\",\"ano\":1,\"valor\":1,\"codigoFipeTreated\":"
    "\"1\",\"marcaTreated\":\"m\",\"ano\":2,\"valor\":100.0},\"metadata\":{\"source\":\"x\",\"input\":{\"modelo\":"
    "{\"codigo\":5}},\"source\":\"fipe\"}}",
    /* rejects and invalid lines fall back */
    "{\"data\":{},\"metadata\":{\"source\":\"fipe\"}}",
    "{\"data\":{\"marca\":\"a\"},\"metadata\":{}}",
    "{\"data\":",
    "[1,2]",
};

Test(scan, direct_engine_matches_tree_on_fipe)
{
    size_t n = sizeof fipe_lines / sizeof *fipe_lines;
    size_t decided = compare_engines(fipe_program, fipe_lines, n, true);
    cr_expect_eq(decided, 4, "the four valid records are decided by the direct engine");
}

Test(scan, direct_engine_nested_targets_and_using)
{
    static const char *program = "substitutive entity \"car\" { data.id }\n"
                                 "sources \"a\", \"b\" using metadata.origin.name\n"
                                 "add {\n x -> out.first\n y -> other\n z -> out.second.deep\n data.\"odd key\"\n}\n";
    static const char *const lines[] = {
        "{\"data\":{\"id\":7,\"x\":1,\"y\":2,\"z\":3,\"odd key\":\"k\"},\"metadata\":{\"origin\":{\"name\":\"a\"}}}",
        "{\"data\":{\"id\":\"s\",\"y\":2,\"z\":3},\"metadata\":{\"origin\":{\"name\":\"b\"}}}",
        "{\"data\":{\"id\":1.0,\"z\":3,\"x\":null},\"metadata\":{\"origin\":{\"name\":\"b\"}}}",
        "{\"data\":{\"id\":true},\"metadata\":{\"origin\":{\"name\":\"b\"}}}",
        "{\"data\":{\"id\":[1,{\"b\":2,\"a\":1}]},\"metadata\":{\"origin\":{\"name\":\"c\"}}}",
        "{\"data\":{\"id\":{\"\\u00e9\":1e2,\"a\":\"\\ud83d\\ude00\"}},\"metadata\":{\"origin\":{\"name\":\"a\"}}}",
    };
    size_t decided = compare_engines(program, lines, sizeof lines / sizeof *lines, true);
    cr_expect_eq(decided, 6);
}

Test(scan, ineligible_programs_use_the_tree)
{
    static const char *const programs[] = {
        "entity \"e\" { k }\nrequirement { k > 1 }\n",
        "entity \"e\" { k }\nadd { all }\n",
        "entity \"e\" { k }\nadd { k if k > 1 }\n",
        "entity \"e\" { k }\nadd { upper(k) -> u }\n",
        "entity \"e\" { items[0] }\n",
        "entity \"e\" { k }\nadd from data.sub { a }\n",
        "entity \"e\" { k }\nadd { append k -> t\n append j -> t }\n",
        "entity \"e\" { lower(k) }\n",
    };
    for (size_t i = 0; i < sizeof programs / sizeof *programs; i++)
        compare_engines(programs[i], NULL, 0, false);
}

/* Random envelopes whose data uses the key pool, so every program path
 * meets missing, null, nested, escaped, duplicated and odd values. */
Test(scan, direct_engine_matches_tree_on_random_records)
{
    static const char *const programs[] = {
        "entity \"e\" { data.a, b }\nsources \"s\", \"t\" using metadata.source\n"
        "add {\n a\n b -> t.x\n c -> t.y.z\n data.\"x y\" -> w\n metadata.a -> m\n data.\"\" -> empty\n}\n",
        "substitutive entity \"e\" { c }\nmandatory { a, metadata.a }\nadd { source -> s\n data.\"\xc3\xa9\" }\n",
    };
    enum { N = 4000 };
    char **lines = dpl_calloc(N, sizeof *lines);
    DplBuf data = {0}, b = {0};
    for (size_t i = 0; i < N; i++) {
        gen_doc(&data);
        dpl_buf_reset(&b);
        /* a, b and c first (the keys the programs need), then random
         * members, which may repeat them: the last one wins */
        dpl_buf_puts(&b, "{\"data\":{");
        for (int k = 0; k < 3; k++) {
            dpl_buf_printf(&b, "\"%c\":", 'a' + k);
            if (rn(4))
                dpl_buf_printf(&b, "\"v%u\",", rn(5));
            else {
                gen_value(&b, 2);
                dpl_buf_putc(&b, ',');
            }
        }
        dpl_buf_append(&b, data.data + 1, data.len - 1);
        dpl_buf_printf(&b, ",\"metadata\":{\"source\":\"%s\",\"a\":", (const char *[]){"s", "t", "u"}[rn(3)]);
        gen_value(&b, 2);
        dpl_buf_puts(&b, "}}");
        lines[i] = dpl_strndup(b.data, b.len);
    }
    size_t decided = 0;
    for (size_t p = 0; p < sizeof programs / sizeof *programs; p++)
        decided += compare_engines(programs[p], (const char *const *)lines, N, true);
    /* most records are valid and most pass: the direct engine must decide them */
    cr_expect_gt(decided, N, "decided %zu of %d", decided, 2 * N);
    for (size_t i = 0; i < N; i++)
        dpl_free(lines[i]);
    dpl_free(lines);
    dpl_buf_free(&data);
    dpl_buf_free(&b);
}

/* ---- sparse records vs whole records -------------------------------------- */

/* The evaluator must not tell a sparse record from the whole one: same
 * outcome, same entity bytes, same errors. */
static size_t compare_sparse(const char *program, char *const *lines, size_t nlines)
{
    DplSource *src = dpl_source_new("test.dpl", program, strlen(program));
    DplDiagList diags = {0};
    bool ok = false;
    DplProgram *prog = dpl_compile(src, &diags, &ok);
    cr_assert(ok, "program does not compile: %s", program);
    DplSparse *sp = dpl_sparse_new(prog);
    DplScanValue *vals = dpl_calloc(dpl_sparse_slots(sp), sizeof *vals);
    DplEvaluator *ev = dpl_eval_new(prog);
    DplBuf a = {0}, b = {0};
    size_t used = 0;
    for (size_t i = 0; i < nlines; i++) {
        size_t len = strlen(lines[i]);
        json_t *whole = NULL;
        DplJsonError err;
        bool parsed = dpl_json_parse(lines[i], len, &whole, &err) == DPL_JSON_OK;
        json_t *sparse = dpl_sparse_record(sp, vals, lines[i], len);
        cr_assert_eq(sparse != NULL, parsed && json_is_object(whole), "line %zu: %s", i, lines[i]);
        if (sparse) {
            used++;
            DplResult r1, r2;
            dpl_result_init(&r1);
            dpl_result_init(&r2);
            dpl_eval_record(ev, whole, (long)i + 1, &r1);
            dpl_eval_record(ev, sparse, (long)i + 1, &r2);
            cr_assert_eq(r2.outcome, r1.outcome, "line %zu: %s", i, lines[i]);
            cr_assert_eq(r2.nerrors, r1.nerrors, "line %zu: %s", i, lines[i]);
            for (size_t k = 0; k < r1.nerrors; k++) {
                cr_expect_eq(r2.errors[k].code, r1.errors[k].code);
                cr_expect_str_eq(r2.errors[k].message, r1.errors[k].message, "line %zu: %s", i, lines[i]);
            }
            if (r1.outcome == DPL_EMIT) {
                dpl_buf_reset(&a);
                dpl_buf_reset(&b);
                dpl_json_write(&a, r1.entity);
                dpl_json_write(&b, r2.entity);
                cr_expect(a.len == b.len && memcmp(a.data, b.data, a.len) == 0, "line %zu:\nwhole  %s\nsparse %s", i,
                          a.data, b.data);
            }
            dpl_result_free(&r1);
            dpl_result_free(&r2);
            json_decref(sparse);
        }
        json_decref(whole);
    }
    dpl_buf_free(&a);
    dpl_buf_free(&b);
    dpl_eval_free(ev);
    dpl_free(vals);
    dpl_sparse_free(sp);
    dpl_program_free(prog);
    dpl_diag_list_free(&diags);
    dpl_source_free(src);
    return used;
}

Test(scan, sparse_records_evaluate_like_whole_records)
{
    static const char *const programs[] = {
        "entity \"e\" { a }\nsources \"s\"\nrequirement { len(b) > 1 or exists(c) }\n"
        "add {\n all\n upper(b) -> B if a != null\n overwrite c -> b\n delete data.x\n}\n",
        "entity \"e\" { data.a[0] }\nadd { b[*].a -> first\n c[-1] -> last\n 'source -> src\n 'line -> ln }\n",
        "entity \"e\" { coalesce(a, b) }\nadd from data.b { a\n all\n c -> bc }\nadd { metadata.a ?? \"none\" -> m }\n",
        "entity \"e\" { concat(a as string, \"-\", c as string) }\nsources \"t\", \"u\" using metadata.a\n"
        "add { append a -> list\n append b -> list\n data.\"x y\" -> w }\n",
    };
    enum { N = 3000 };
    char **lines = dpl_calloc(N, sizeof *lines);
    DplBuf data = {0}, b = {0};
    for (size_t i = 0; i < N; i++) {
        gen_doc(&data);
        dpl_buf_reset(&b);
        dpl_buf_puts(&b, "{\"data\":{");
        for (int k = 0; k < 3; k++) {
            dpl_buf_printf(&b, "\"%c\":", 'a' + k);
            gen_value(&b, 2);
            dpl_buf_putc(&b, ',');
        }
        dpl_buf_append(&b, data.data + 1, data.len - 1);
        dpl_buf_printf(&b, ",\"metadata\":{\"source\":\"%s\",\"a\":", (const char *[]){"s", "t", "u"}[rn(3)]);
        gen_value(&b, 2);
        dpl_buf_puts(&b, "}}");
        if (i % 10 == 9)
            mutate(&b);
        lines[i] = dpl_strndup(b.data, b.len);
    }
    for (size_t p = 0; p < sizeof programs / sizeof *programs; p++)
        cr_expect_gt(compare_sparse(programs[p], lines, N), N / 2);
    for (size_t i = 0; i < N; i++)
        dpl_free(lines[i]);
    dpl_free(lines);
    dpl_buf_free(&data);
    dpl_buf_free(&b);
}
