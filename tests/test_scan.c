/* test_scan.c — the scanner against the reference it must equal: it
 * accepts and rejects exactly what dpl_json_parse does (hand-picked edge
 * cases, then thousands of random and mutated lines), the values it
 * captures are jansson's values at those paths, and "canonical" spans print
 * identically.  The engine built on it is compared with the reference
 * evaluator in test_engine.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "scan/scan.h"
#include "tests/json_gen.h"

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
    bool ok = dpl_scan(p, NULL, text, len, vals);
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

/* ---- random documents (tests/json_gen.c) --------------------------------- */

Test(scan, random_and_mutated_lines_agree_with_dpl_json_parse)
{
    DplBuf b = {0};
    size_t accepted = 0, rejected = 0;
    for (int i = 0; i < 40000; i++) {
        gen_doc(&b);
        if (i % 2)
            gen_mutate(&b);
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
    for (size_t i = 0; i < GEN_NKEYS; i++)
        for (size_t j = 0; j <= GEN_NKEYS; j++)
            for (size_t k = 0; k <= GEN_NKEYS; k++) {
                if (j == GEN_NKEYS && k != GEN_NKEYS)
                    continue;
                PlanPath *p = &out[np++];
                p->n = 0;
                size_t idx[3] = {i, j, k};
                for (int s = 0; s < 3 && idx[s] < GEN_NKEYS; s++) {
                    p->names[p->n] = gen_key_pool[idx[s]];
                    p->lens[p->n++] = strlen(gen_key_pool[idx[s]]);
                }
                p->slot = dpl_scan_plan_add(plan, p->names, p->lens, p->n);
            }
    return np;
}

static void check_captures(const DplScanPlan *plan, DplScanMemo *memo, const PlanPath *paths, size_t np,
                           const char *text, size_t len, DplScanValue *vals)
{
    json_t *root = NULL;
    DplJsonError err;
    bool ref = dpl_json_parse(text, len, &root, &err) == DPL_JSON_OK;
    cr_assert_eq(dpl_scan(plan, memo, text, len, vals), ref, "scan and dpl_json_parse differ on [%.*s]",
                 (int)len, text);
    if (!ref)
        return;
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

/* A plan of every path over the key pool, its values and a memo. */
typedef struct {
    DplScanPlan *plan;
    PlanPath *paths;
    size_t np;
    DplScanValue *vals;
    DplScanMemo *memo;
} Captures;

static void captures_init(Captures *c)
{
    c->plan = dpl_scan_plan_new();
    c->paths = dpl_malloc(GEN_NKEYS * (GEN_NKEYS + 1) * (GEN_NKEYS + 1) * sizeof *c->paths);
    c->np = all_paths(c->plan, c->paths);
    dpl_scan_plan_freeze(c->plan);
    c->vals = dpl_calloc(dpl_scan_plan_slots(c->plan), sizeof *c->vals);
    c->memo = dpl_scan_memo_new(c->plan);
}

static void captures_fini(Captures *c)
{
    dpl_scan_memo_free(c->memo);
    dpl_free(c->vals);
    dpl_free(c->paths);
    dpl_scan_plan_free(c->plan);
}

Test(scan, captures_equal_jansson_values)
{
    Captures c;
    captures_init(&c);
    DplBuf b = {0};
    for (int i = 0; i < 20000; i++) {
        gen_doc(&b);
        if (i % 3 == 2)
            gen_mutate(&b);
        /* without a memo; with the keys of the lines before; with this
         * line's own (every key guessed right) */
        check_captures(c.plan, NULL, c.paths, c.np, b.data, b.len, c.vals);
        check_captures(c.plan, c.memo, c.paths, c.np, b.data, b.len, c.vals);
        check_captures(c.plan, c.memo, c.paths, c.np, b.data, b.len, c.vals);
    }
    /* duplicate keys: the last one wins, and replaces the whole subtree */
    const char *dup = "{\"a\":{\"b\":1,\"c\":2},\"a\":{\"c\":3},\"b\":true,\"\\u0062\":false}";
    for (int i = 0; i < 2; i++)
        check_captures(c.plan, c.memo, c.paths, c.np, dup, strlen(dup), c.vals);
    dpl_buf_free(&b);
    captures_fini(&c);
}

/* A memo learns each line's shape and reads the next lines through it
 * (internal.h): lines that differ from a learnt one by a few bytes must
 * still be judged, and captured, exactly as jansson reads them. */
Test(scan, lines_read_through_a_learnt_shape_agree_with_jansson)
{
    Captures c;
    captures_init(&c);
    DplBuf b = {0}, m = {0};
    for (int i = 0; i < 3000; i++) {
        gen_doc(&b);
        check_captures(c.plan, c.memo, c.paths, c.np, b.data, b.len, c.vals); /* learnt */
        check_captures(c.plan, c.memo, c.paths, c.np, b.data, b.len, c.vals); /* read through it */
        for (int k = 0; k < 10; k++) {
            /* a neighbour of the learnt line, then the learnt line again
             * (the neighbour, when valid, became a shape of its own) */
            dpl_buf_reset(&m);
            dpl_buf_append(&m, b.data, b.len);
            gen_mutate(&m);
            check_captures(c.plan, c.memo, c.paths, c.np, m.data, m.len, c.vals);
            check_captures(c.plan, c.memo, c.paths, c.np, b.data, b.len, c.vals);
        }
    }
    /* the same structure with other scalars: strings for numbers, escapes,
     * invalid UTF-8 and control bytes where a plain string was */
    static const char *const lines[] = {
        "{\"a\":{\"b\":1,\"c\":\"x\"},\"b\":[1,\"y\"],\"c\":true}",
        "{\"a\":{\"b\":22,\"c\":\"xy\"},\"b\":[3,\"z\"],\"c\":true}",
        "{\"a\":{\"b\":\"1\",\"c\":\"x\"},\"b\":[1,\"y\"],\"c\":true}",
        "{\"a\":{\"b\":1,\"c\":\"\\u0041\\n\"},\"b\":[1.5e3,\"\\\"\"],\"c\":true}",
        "{\"a\":{\"b\":1,\"c\":\"\xc3\"},\"b\":[1,\"y\"],\"c\":true}",
        "{\"a\":{\"b\":1,\"c\":\"\x01\"},\"b\":[1,\"y\"],\"c\":true}",
        "{\"a\":{\"b\":01,\"c\":\"x\"},\"b\":[1,\"y\"],\"c\":true}",
        "{\"a\":{\"b\":-,\"c\":\"x\"},\"b\":[1,\"y\"],\"c\":true}",
        "{\"a\":{\"b\":1,\"c\":\"x\"},\"b\":[1,\"y\"],\"c\":true} x",
        "{\"a\":{\"b\":1,\"c\":\"x\"},\"b\":[1,\"y\"],\"c\":true}  ",
        "{\"a\":{\"b\":1,\"c\":\"x\"},\"b\":[1,\"y\"],\"c\":tru}",
        "{\"a\":{\"b\":1,\"c\":\"x\"},\"b\":[1,{}],\"c\":true}",
        "{\"a\":{\"b\":null,\"c\":[]},\"b\":[1,\"y\"],\"c\":true}",
        "{\"a\":{\"b\":1,\"c\":\"x\",\"b\":2},\"b\":[1,\"y\"],\"c\":true}",
        "{\"a\":{\"b\":1,\"c\":\"x\"},\"a\":{\"c\":\"w\"},\"b\":[1,\"y\"],\"c\":true}",
        "{\"a\":{\"b\":1,\"c\":\"x\"},\"a\":{\"c\":\"v\"},\"b\":[1,\"y\"],\"c\":true}",
    };
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
            for (size_t j = 0; j < sizeof lines / sizeof lines[0]; j++) {
                check_captures(c.plan, c.memo, c.paths, c.np, lines[i], strlen(lines[i]), c.vals);
                check_captures(c.plan, c.memo, c.paths, c.np, lines[j], strlen(lines[j]), c.vals);
            }
    dpl_buf_free(&b);
    dpl_buf_free(&m);
    captures_fini(&c);
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
    cr_assert(dpl_scan(plan, NULL, text, strlen(text), vals));
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
    cr_assert(dpl_scan(plan, NULL, text, strlen(text), vals), "%s", text);
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

/* Cuts: lines read through one shape share their bytes outside the cuts,
 * each at the same distance before the next cut; the cuts are the scalars
 * (with their ends) and the plan containers' brackets; they are off until
 * asked for, and absent for a line no shape read. */
Test(scan, cuts_mark_the_scalars_of_lines_of_one_shape)
{
    DplScanPlan *p = dpl_scan_plan_new();
    const char *names[] = {"data", "v"};
    size_t lens[] = {4, 1};
    dpl_scan_plan_add(p, names, lens, 1);
    dpl_scan_plan_add(p, names, lens, 2);
    dpl_scan_plan_freeze(p);
    DplScanMemo *m = dpl_scan_memo_new(p);
    DplScanValue vals[3];
    DplScanCuts c;
    const char *a = "{\"data\":{\"v\":1.5,\"s\":\"x\\\"y\",\"t\":true},\"n\":[12,null]}";
    const char *b = "{\"data\":{\"v\":-20,\"s\":\"\",\"t\":true},\"n\":[3.25e2,null]}";
    cr_assert(dpl_scan(p, m, a, strlen(a), vals)); /* learns the shape */
    cr_assert(dpl_scan(p, m, a, strlen(a), vals));
    cr_assert_not(dpl_scan_cuts(m, &c), "cuts are off until asked for");
    dpl_scan_memo_set_cuts(m, true);
    cr_assert(dpl_scan(p, m, a, strlen(a), vals));
    cr_assert(dpl_scan_cuts(m, &c));
    uint64_t shape = c.shape;
    cr_assert_neq(shape, 0);
    /* a's cuts: the root's and data's brackets, 1.5, "x\"y", data's
     * closing bracket, 12, the root's, the end (true and null are bytes of
     * the shape) */
    const char *want[] = {"", "", "1.5", "\"x\\\"y\"", "", "12", "", ""};
    cr_assert_eq(c.n, 8);
    for (uint32_t i = 0; i < c.n; i++) {
        uint32_t s = c.start[i], e = dpl_scan_cut_end(&c, i);
        cr_assert_eq(e - s, strlen(want[i]), "cut %u", i);
        cr_assert(memcmp(a + s, want[i], e - s) == 0, "cut %u", i);
    }
    cr_assert_eq(c.start[0], 0, "a bracket's cut is at the bracket");
    cr_assert_eq(a[c.start[1]], '{');
    cr_assert_eq(c.start[4], (uint32_t)(strchr(a, '}') - a) + 1, "and after the closing one");
    cr_assert_eq(c.start[7], strlen(a));
    /* b, the same shape: the bytes before each cut are a's */
    uint32_t sa[8], ga[8];
    memcpy(sa, c.start, sizeof sa);
    memcpy(ga, c.gap, sizeof ga);
    cr_assert(dpl_scan(p, m, b, strlen(b), vals));
    cr_assert(dpl_scan_cuts(m, &c));
    cr_assert_eq(c.shape, shape);
    for (uint32_t i = 0; i < c.n; i++) {
        cr_assert_eq(c.gap[i], ga[i]);
        cr_assert(memcmp(b + c.start[i] - c.gap[i], a + sa[i] - ga[i], ga[i]) == 0, "the bytes before cut %u", i);
    }
    /* another shape (false for true): no cuts while it is learnt, a new id
     * once read through it */
    const char *d = "{\"data\":{\"v\":2,\"s\":\"\",\"t\":false},\"n\":[1,null]}";
    cr_assert(dpl_scan(p, m, d, strlen(d), vals));
    cr_assert_not(dpl_scan_cuts(m, &c));
    cr_assert(dpl_scan(p, m, d, strlen(d), vals));
    cr_assert(dpl_scan_cuts(m, &c));
    cr_assert_neq(c.shape, shape);
    dpl_scan_memo_free(m);
    dpl_scan_plan_free(p);
}
