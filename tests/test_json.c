/* test_json.c — JSON in and out: parse errors and limits, exact number
 * output, escapes, RFC 8785 canonical form (checked against the record ids
 * of the conformance cases) and deep equality. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <float.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"

static void setup(void) { dpl_util_init(); }

TestSuite(json, .init = setup);

/* ---- helpers ------------------------------------------------------------ */

static json_t *parse_ok(const char *text)
{
    json_t *v = NULL;
    DplJsonError err;
    DplJsonStatus st = dpl_json_parse(text, strlen(text), &v, &err);
    cr_assert_eq(st, DPL_JSON_OK, "parse of %s failed: %s", text, err.message);
    cr_assert_not_null(v);
    return v;
}

/* Compact output of the parsed text, as a new string. */
static char *roundtrip(const char *text, void (*writer)(DplBuf *, const json_t *))
{
    json_t *v = parse_ok(text);
    DplBuf b = {0};
    writer(&b, v);
    json_decref(v);
    dpl_buf_putc(&b, '\0');
    return dpl_buf_take(&b);
}

static void expect_write(const char *in, const char *want)
{
    char *got = roundtrip(in, dpl_json_write);
    cr_expect_str_eq(got, want, "write(%s) = %s", in, got);
    dpl_free(got);
}

static void expect_canonical(const char *in, const char *want)
{
    char *got = roundtrip(in, dpl_json_write_canonical);
    cr_expect_str_eq(got, want, "canonical(%s) = %s", in, got);
    dpl_free(got);
}

static void expect_real(double d, const char *want)
{
    char buf[40];
    int n = dpl_json_format_real(d, buf);
    cr_expect_str_eq(buf, want, "format_real(%.17g)", d);
    cr_expect_eq(n, (int)strlen(want));
}

/* ---- numbers ------------------------------------------------------------ */

Test(json, format_real_table)
{
    expect_real(70250.99, "70250.99");
    expect_real(0.1, "0.1");
    expect_real(1e300, "1e+300");
    expect_real(1.5e-7, "1.5e-07");
    expect_real(100.0, "100.0");
    expect_real(1e21, "1e+21");
    expect_real(10.0 / 7.0, "1.4285714285714286");
    expect_real(7.0 / 3.0, "2.3333333333333335");
    expect_real(32150.5, "32150.5");
    expect_real(0.0, "0.0");
    expect_real(-0.0, "-0.0");
    expect_real(-2.5, "-2.5");
    expect_real(0.1 + 0.2, "0.30000000000000004");
    expect_real(5e-324, "5e-324");
    expect_real(1.7976931348623157e308, "1.7976931348623157e+308");
    expect_real(9007199254740993.0, "9007199254740992.0");
    expect_real(NAN, "null");
    /* the integral fast path agrees with %.15g at its boundary */
    expect_real(-42.0, "-42.0");
    expect_real(999999999999999.0, "999999999999999.0");
    expect_real(1e15, "1e+15");
    expect_real(-1e15, "-1e+15");
    expect_real(123456789012345.0, "123456789012345.0");
}

Test(json, format_real_random_roundtrip)
{
    /* Random bit patterns cover every exponent; each must read back exactly
     * and never lose its realness. */
    unsigned long long x = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        memcpy(&d, &x, sizeof d);
        if (i % 4 == 0) /* integral values of every size, for the fast path */
            d = trunc(ldexp((double)(x >> 11), (int)(i % 64)) * (x & 1 ? -1 : 1));
        if (!isfinite(d))
            continue;
        char buf[40];
        int n = dpl_json_format_real(d, buf);
        cr_assert_eq(n, (int)strlen(buf));
        cr_assert(strtod(buf, NULL) == d, "%s does not read back as %.17g", buf, d);
        cr_assert(strpbrk(buf, ".e"), "%s would read back as an integer", buf);
        /* Shortest: one digit fewer must not round-trip. */
        char shorter[400];
        int digits = 0; /* significant digits: leading zeros do not count */
        for (const char *p = buf; *p && *p != 'e'; p++)
            if (*p >= '1' || (*p == '0' && digits))
                digits += (*p >= '0' && *p <= '9');
        if (digits > 2 && !strstr(buf, ".0")) {
            snprintf(shorter, sizeof shorter, "%.*g", digits - 1, d);
            cr_assert(strtod(shorter, NULL) != d, "%s is shorter than %s", shorter, buf);
        }
    }
}

Test(json, numbers_pass_through)
{
    expect_write("[70250.99,0.1,1e300,9223372036854775807,-5,1.5e-7,100.0,2014,-9223372036854775808]",
                 "[70250.99,0.1,1e+300,9223372036854775807,-5,1.5e-07,100.0,2014,-9223372036854775808]");
    expect_write("[2.50,1E2,0e0,-0]", "[2.5,100.0,0.0,0]");
}

/* ---- writer ------------------------------------------------------------- */

Test(json, write_keeps_insertion_order_and_escapes)
{
    expect_write("{\"b\":1,\"a\":[true,false,null],\"c\":{}}", "{\"b\":1,\"a\":[true,false,null],\"c\":{}}");
    expect_write("\"q\\\" b\\\\ \\/ \\b\\f\\n\\r\\t \\u0001 \\u001f \\u007f é 🚗\"",
                 "\"q\\\" b\\\\ / \\b\\f\\n\\r\\t \\u0001 \\u001f \x7f é 🚗\"");
    expect_write("\"a\\u0000b\"", "\"a\\u0000b\"");
    expect_write("\"\\u00e9\\ud83d\\ude97\"", "\"é🚗\"");
    expect_write("[]", "[]");
}

Test(json, write_string_with_embedded_nul)
{
    DplBuf b = {0};
    dpl_json_write_string(&b, "x\0y\"", 4);
    cr_expect_str_eq(b.data, "\"x\\u0000y\\\"\"");
    dpl_buf_free(&b);
}

Test(json, write_pretty)
{
    char *got = roundtrip("{\"a\":[1,{\"b\":null}],\"c\":{},\"d\":[]}", dpl_json_write_pretty);
    cr_expect_str_eq(got, "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": {},\n  \"d\": []\n}");
    dpl_free(got);
}

/* ---- canonical ---------------------------------------------------------- */

Test(json, canonical_numbers_are_ecmascript)
{
    expect_canonical("[2.50,100.0,1e21,1.5e-7,0.000001,1e-7,-0.0,0.0,123456789012345678901234.0]",
                     "[2.5,100,1e+21,1.5e-7,0.000001,1e-7,0,0,1.2345678901234569e+23]");
    expect_canonical("[1e20,123.456e5,4.5e-6,5e-324,1.7976931348623157e308,-1.25]",
                     "[100000000000000000000,12345600,0.0000045,5e-324,1.7976931348623157e+308,-1.25]");
    /* Integers stay exact, even above 2^53 (departure from JCS, documented). */
    expect_canonical("[9007199254740993,-9223372036854775808,0]", "[9007199254740993,-9223372036854775808,0]");
}

Test(json, canonical_sorts_keys_by_utf16)
{
    expect_canonical("{\"b\":1,\"a\":{\"z\":true,\"y\":null},\"A\":\"x\"}", "{\"A\":\"x\",\"a\":{\"y\":null,\"z\":true},\"b\":1}");
    /* U+1F697 (surrogates D83D DE97) sorts before U+FB01 in UTF-16 order,
     * although its UTF-8 bytes (F0 ...) sort after (EF ...). */
    expect_canonical("{\"\xef\xac\x81\":1,\"\xf0\x9f\x9a\x97\":2,\"\xc3\xa9\":3,\"e\":4,\"ee\":5}",
                     "{\"e\":4,\"ee\":5,\"\xc3\xa9\":3,\"\xf0\x9f\x9a\x97\":2,\"\xef\xac\x81\":1}");
    expect_canonical("\"\\u20ac\\n\\u001f/\"", "\"€\\n\\u001f/\"");
}

/* id = sha256(NAME, then 0x1F + canonical JSON of each key), as in the
 * conformance cases' expected output. */
static void expect_id(const char *name, const char *const *keys, size_t nkeys, const char *want)
{
    DplBuf b = {0};
    dpl_buf_puts(&b, name);
    for (size_t i = 0; i < nkeys; i++) {
        json_t *v = parse_ok(keys[i]);
        dpl_buf_putc(&b, '\x1f');
        dpl_json_write_canonical(&b, v);
        json_decref(v);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    cr_assert(EVP_Digest(b.data, b.len, md, &mdlen, EVP_sha256(), NULL));
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    cr_expect_str_eq(hex, want, "id of %s", name);
    dpl_buf_free(&b);
}

Test(json, conformance_ids)
{
    /* 024-float-key */
    expect_id("preco", (const char *[]){"\"A\"", "2.50"}, 2, "98dc1b34a909f6c67854ab4d8fc6794125b77d4ebf544151f3c09b12bd7f2f50");
    expect_id("preco", (const char *[]){"\"B\"", "100.0"}, 2, "02004229957dbef7d506db92e5f5ed5ce20d1b779590a985b084259be05c8629");
    expect_id("preco", (const char *[]){"\"C\"", "1e21"}, 2, "af96b092aeb8ad1fe15e0021f77bcf178f272e8230f475e102fc6ad78f6d9b03");
    /* 001-fipe-seed, 019-meta, 023-unicode */
    expect_id("fipe", (const char *[]){"\"VW - VolksWagen\"", "\"Gol 1.0\"", "\"Flex\"", "2014"}, 4,
              "fdbd4bdeb95a3a230a42ad84b24122dccb1f50aa86e6c4dc80b60163d483f77c");
    expect_id("p", (const char *[]){"\"x\""}, 1, "60766c038c4a03b9b42e74b9c91222fca4b05b383a9c36d3ebaed57da849eb03");
    expect_id("cidade", (const char *[]){"\"S\xc3\xa3o Jo\xc3\xa3o del-Rei\"", "\"MG\""}, 2,
              "008491353597f58cfc7b470803296cc52b1dbf4b4eac631ece15ba3840bf4560");
}

/* ---- parse errors and limits -------------------------------------------- */

static DplJsonError parse_fail(const char *text, size_t len, DplJsonStatus want)
{
    json_t *v = (json_t *)1;
    DplJsonError err;
    DplJsonStatus st = dpl_json_parse(text, len, &v, &err);
    cr_assert_eq(st, want, "status of %.40s: %d (%s)", text, st, err.message);
    cr_assert_eq(err.status, want);
    cr_assert_null(v);
    cr_assert(err.message[0], "an error has a message");
    return err;
}

Test(json, parse_errors_have_message_and_column)
{
    DplJsonError e = parse_fail("{not json}", 10, DPL_JSON_INVALID);
    cr_expect_eq(e.column, 4);
    cr_expect(strstr(e.message, "expected"), "%s", e.message);
    e = parse_fail("{\"a\":\"\xc3\xa9\" x}", 12, DPL_JSON_INVALID);
    cr_expect_eq(e.column, 10, "code-point column, as in an editor (é is one column)");
    e = parse_fail("{\"k\":\"b\",\"v\":", 13, DPL_JSON_INVALID);
    cr_expect_eq(e.column, 13);
    e = parse_fail("[1] x", 5, DPL_JSON_INVALID);
    cr_expect_eq(e.column, 5);
    parse_fail("", 0, DPL_JSON_INVALID);
    parse_fail("   ", 3, DPL_JSON_INVALID);
    parse_fail("\"\xff\"", 3, DPL_JSON_INVALID);
    parse_fail("\"\xed\xa0\x80\"", 5, DPL_JSON_INVALID); /* encoded surrogate */
    parse_fail("1e400", 5, DPL_JSON_INVALID);
}

Test(json, raw_nul_is_invalid_escaped_nul_is_not)
{
    DplJsonError e = parse_fail("1\0", 2, DPL_JSON_INVALID);
    cr_expect_eq(e.column, 2);
    parse_fail("\"a\0b\"", 5, DPL_JSON_INVALID);
    json_t *v = parse_ok("\"a\\u0000b\"");
    cr_expect_eq(json_string_length(v), 3);
    json_decref(v);
}

/* JSONTestSuite y_object_escaped_null_in_key: valid JSON that jansson cannot
 * hold (its keys are C strings).  A documented limit, said as such, never
 * "invalid JSON". */
Test(json, escaped_nul_in_a_key_is_a_documented_limit)
{
    DplJsonError e = parse_fail("{\"foo\\u0000bar\": 42}", 20, DPL_JSON_NUL_KEY);
    cr_expect(strstr(e.message, "\\u0000") && strstr(e.message, "valid JSON") && strstr(e.message, "docs/limits.md"),
              "%s", e.message);
    cr_expect_gt(e.column, 0);
    parse_fail("{\"data\":{\"a\":{\"\\u0000\":1}}}", 26, DPL_JSON_NUL_KEY);
}

Test(json, integers_outside_int64_are_invalid)
{
    DplJsonError e = parse_fail("{\"v\":99999999999999999999}", 26, DPL_JSON_INVALID);
    cr_expect(strstr(e.message, "too big integer"), "%s", e.message);
    parse_fail("9223372036854775808", 19, DPL_JSON_INVALID);
    parse_fail("-9223372036854775809", 20, DPL_JSON_INVALID);
    json_t *v = parse_ok("[9223372036854775807,-9223372036854775808]");
    cr_expect_eq(json_integer_value(json_array_get(v, 0)), INT64_MAX);
    cr_expect_eq(json_integer_value(json_array_get(v, 1)), INT64_MIN);
    json_decref(v);
}

static char *nested(size_t depth, const char *open, const char *close)
{
    size_t lo = strlen(open), lc = strlen(close);
    char *s = dpl_malloc(depth * (lo + lc) + 1);
    for (size_t i = 0; i < depth; i++)
        memcpy(s + i * lo, open, lo);
    for (size_t i = 0; i < depth; i++)
        memcpy(s + depth * lo + i * lc, close, lc);
    s[depth * (lo + lc)] = '\0';
    return s;
}

Test(json, depth_limit)
{
    char *ok = nested(DPL_JSON_MAX_DEPTH, "[", "]");
    json_t *v = parse_ok(ok);
    json_decref(v);
    dpl_free(ok);

    char *deep = nested(DPL_JSON_MAX_DEPTH + 1, "{\"a\":", "}");
    DplJsonError e = parse_fail(deep, strlen(deep), DPL_JSON_TOO_DEEP);
    cr_expect_eq(e.column, 5 * DPL_JSON_MAX_DEPTH + 1);
    dpl_free(deep);

    /* A million '[' must be refused, not overflow the stack. */
    size_t n = 1000000;
    char *huge = dpl_malloc(n);
    memset(huge, '[', n);
    parse_fail(huge, n, DPL_JSON_TOO_DEEP);
    dpl_free(huge);

    /* Brackets inside strings do not count. */
    char *quoted = nested(2000, "[", "]");
    char *s = dpl_asprintf("[\"%s\\\"[[[\"]", quoted);
    v = parse_ok(s);
    json_decref(v);
    dpl_free(s);
    dpl_free(quoted);
}

/* ---- equality ----------------------------------------------------------- */

static bool eq(const char *a, const char *b)
{
    json_t *x = parse_ok(a), *y = parse_ok(b);
    bool r = dpl_json_equal(x, y);
    cr_assert_eq(r, dpl_json_equal(y, x), "equality is symmetric for %s, %s", a, b);
    json_decref(x);
    json_decref(y);
    return r;
}

Test(json, equality)
{
    cr_expect(eq("1", "1.0"));
    cr_expect(eq("[1,{\"a\":2,\"b\":[null]}]", "[1.0,{\"b\":[null],\"a\":2.0}]"));
    cr_expect(!eq("1", "1.5"));
    cr_expect(!eq("1", "\"1\""));
    cr_expect(!eq("true", "1"));
    cr_expect(!eq("null", "false"));
    cr_expect(!eq("[1,2]", "[2,1]"));
    cr_expect(!eq("{\"a\":1}", "{\"a\":1,\"b\":1}"));
    cr_expect(!eq("{\"a\":1}", "{\"b\":1}"));
    cr_expect(eq("\"a\\u0000b\"", "\"a\\u0000b\""));
    cr_expect(!eq("\"a\\u0000b\"", "\"a\\u0000c\""));
    /* int64 vs double compare exactly, without rounding either side. */
    cr_expect(!eq("9007199254740993", "9007199254740992.0"));
    cr_expect(eq("9007199254740992", "9007199254740992.0"));
    cr_expect(!eq("9223372036854775807", "9223372036854775808.0"));
    cr_expect(eq("-9223372036854775808", "-9223372036854775808.0"));
    cr_expect(!eq("0", "1e300"));
    cr_expect(eq("0", "-0.0"));
    cr_expect(!dpl_json_equal(NULL, json_null()));
    cr_expect(dpl_json_equal(NULL, NULL));
}

/* Equal values hash alike (what the value sets of append and unique
 * rely on). */
Test(json, hash_agrees_with_equality)
{
    static const char *const pairs[][2] = {
        {"1", "1.0"}, {"0", "-0.0"}, {"-0.0", "0.0"}, {"9007199254740992", "9007199254740992.0"},
        {"-9223372036854775808", "-9223372036854775808.0"}, {"1e300", "1e300"}, {"\"é\"", "\"\\u00e9\""},
        {"[1,{\"a\":2,\"b\":[null]}]", "[1.0,{\"b\":[null],\"a\":2.0}]"},
        {"{\"x\":{\"p\":1,\"q\":2},\"y\":3}", "{\"y\":3.0,\"x\":{\"q\":2,\"p\":1}}"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        json_t *x = parse_ok(pairs[i][0]), *y = parse_ok(pairs[i][1]);
        cr_assert(dpl_json_equal(x, y), "%s == %s", pairs[i][0], pairs[i][1]);
        cr_expect_eq(dpl_json_hash(x), dpl_json_hash(y), "hash(%s) == hash(%s)", pairs[i][0], pairs[i][1]);
        json_decref(x);
        json_decref(y);
    }
}

/* The set keeps the first of each kind of value, in order, whether it
 * scans (few elements) or hashes (many), starting from existing elements. */
Test(json, value_set_keeps_first_occurrences)
{
    json_t *arr = parse_ok("[1, \"a\"]");
    DplJsonSet s;
    dpl_json_set_init(&s, arr);
    json_t *in = parse_ok("[1.0, \"a\", 2, [1], [1.0], {\"k\":1,\"j\":2}, {\"j\":2.0,\"k\":1}, null, false, null, 2.5,"
                          " 9007199254740993, 9007199254740992.0, 9007199254740992, -0.0, 0, \"b\", \"a\", true]");
    size_t added = 0;
    for (size_t i = 0; i < json_array_size(in); i++)
        added += dpl_json_set_add(&s, json_array_get(in, i));
    dpl_json_set_free(&s);
    cr_expect_eq(added, 11);
    DplBuf b = {0};
    dpl_json_write(&b, arr);
    dpl_buf_putc(&b, '\0');
    char *got = dpl_buf_take(&b);
    cr_expect_str_eq(got, "[1,\"a\",2,[1],{\"k\":1,\"j\":2},null,false,2.5,9007199254740993,9007199254740992.0,-0.0,"
                          "\"b\",true]");
    dpl_free(got);
    json_decref(in);
    json_decref(arr);
}

/* dpl_json_format_real without printf must print exactly what the
 * %.15g / %.16g / %.17g ladder prints: a deterministic sweep over the
 * shapes records hold (cents, thousandths, thirds, random bit patterns). */
static int ladder(double d, char *buf)
{
    int n = snprintf(buf, 40, "%.15g", d);
    if (strtod(buf, NULL) != d) {
        n = snprintf(buf, 40, "%.16g", d);
        if (strtod(buf, NULL) != d)
            n = snprintf(buf, 40, "%.17g", d);
    }
    if (!strpbrk(buf, ".eni")) {
        buf[n++] = '.';
        buf[n++] = '0';
        buf[n] = '\0';
    }
    return n;
}

Test(json, format_real_matches_the_printf_ladder)
{
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 300000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double d;
        switch (i % 5) {
        case 0: d = (double)(x % 100000000) / 100.0; break;
        case 1: d = (double)(x % 1000000) / 1000.0 - 500.0; break;
        case 2: d = (double)(x % 10000000) / 3.0 / (double)(1 + x % 1000); break;
        case 3: d = (double)(x >> 11) * 0x1p-53 * 1e6; break;
        default: memcpy(&d, &x, sizeof d); break;
        }
        if (!isfinite(d))
            continue;
        char got[40], want[40];
        dpl_json_format_real(d, got);
        ladder(d, want);
        cr_assert_str_eq(got, want, "%.17g", d);
    }
}

/* The same near the edges of format_ladder's decisions: the doubles next to
 * every power of ten it handles (its digit count is estimated, then
 * corrected), sums and means of cents as aggregates make them (15, 16 and
 * 17 digits), and the smallest values it takes. */
Test(json, format_real_matches_the_ladder_at_its_edges)
{
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (int e = -5; e <= 16; e++) {
        double p = pow(10, e);
        double d = p;
        for (int s = 0; s < 40; s++)
            d = nextafter(d, 0);
        for (int s = 0; s < 80; s++, d = nextafter(d, INFINITY)) {
            char got[40], want[40];
            dpl_json_format_real(d, got);
            ladder(d, want);
            cr_assert_str_eq(got, want, "%.17g", d);
        }
    }
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double a = (double)(x % 100000000) / 100.0, b = (double)((x >> 24) % 100000000) / 100.0,
               c = (double)((x >> 44) % 1000000) / 100.0, d;
        switch (i % 3) {
        case 0: d = a + b + c; break;
        case 1: d = (a + b + c) / 3.0; break;
        default: d = 1e-4 + (double)(x % 1000000) * 1e-10; break;
        }
        char got[40], want[40];
        dpl_json_format_real(d, got);
        ladder(d, want);
        cr_assert_str_eq(got, want, "%.17g", d);
    }
}

/* Reals with at most two decimals take a shortcut (format_cents): the
 * decimals at both ends of its range, their neighbouring doubles (which
 * must not take it unless they read back), negatives, and values just
 * outside its range print as the ladder does. */
Test(json, format_real_cents_match_the_ladder)
{
    static const double starts[] = {0.0, 0.5, 9.0, 99.5, 1e6, 1e10 - 10, 1e13 - 20};
    for (size_t s = 0; s < sizeof starts / sizeof *starts; s++) {
        for (int i = 0; i < 2000; i++) {
            double base = (starts[s] * 100.0 + i) / 100.0;
            double cands[] = {base, nextafter(base, 0), nextafter(base, INFINITY), -base, base / 10.0};
            for (size_t k = 0; k < sizeof cands / sizeof *cands; k++) {
                double d = cands[k];
                if (fabs(d) < DBL_MIN)
                    continue; /* zero, and subnormals (printed shortest, by design) */
                char got[40], want[40];
                dpl_json_format_real(d, got);
                ladder(d, want);
                cr_assert_str_eq(got, want, "%.17g", d);
            }
        }
    }
}

Test(json, format_u64_every_length)
{
    /* every digit count, the pair table's edges, and the largest value */
    static const uint64_t cases[] = {0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, 99999999, 100000000,
                                     9007199254740993ull, 10000000000000000000ull, UINT64_MAX};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char got[24] = {0}, want[24];
        int n = dpl_json_format_u64(cases[i], got);
        snprintf(want, sizeof want, "%" PRIu64, cases[i]);
        cr_assert_eq(n, (int)strlen(want));
        cr_assert_str_eq(got, want);
    }
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t v = x >> (i % 64);
        char got[24] = {0}, want[24];
        dpl_json_format_u64(v, got);
        snprintf(want, sizeof want, "%" PRIu64, v);
        cr_assert_str_eq(got, want);
    }
}
