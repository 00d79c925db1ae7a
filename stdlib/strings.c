/* strings.c — the string builtins of spec §6 (len, lower, upper, trim,
 * digits, replace, split, join, substr, contains, starts_with, ends_with,
 * matches, concat, sha256).
 *
 * Conventions shared by every function here:
 * - strings are handled by length, never by NUL: "a\u0000b" is 3 code points;
 * - a JSON null where a string (or array) is required yields missing, like a
 *   missing argument does (null means "no value" in records);
 * - any other wrong type is a type_error naming the function and the type. */
#include <regex.h>
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "json/json.h"
#include "stdlib/impl.h"

typedef enum { ARG_OK, ARG_NULL, ARG_BAD } ArgKind;

/* Classifies argument `which` (1-based, for the message) of fn. */
static ArgKind want(const char *fn, int which, const json_t *v, json_type type, const char *what, DplRtError *err)
{
    if (json_typeof(v) == type)
        return ARG_OK;
    if (json_is_null(v))
        return ARG_NULL;
    dpl_rt_error(err, DPL_RT_TYPE_ERROR, "%s(): argument %d must be %s, got %s", fn, which, what, dpl_value_type_name(v));
    err->arg = which; /* the value the reject shows is the one named */
    return ARG_BAD;
}

#define STR_ARG(fn, i)                                                                  \
    do {                                                                                \
        if (want(fn, (i) + 1, args[i], JSON_STRING, "a string", err) != ARG_OK)        \
            return NULL;                                                                \
    } while (0)

/* The DplBuf's bytes as a new JSON string; the buffer is released.  The
 * callers only splice whole code points of valid strings, so the result is
 * valid UTF-8 and needs no re-check. */
static json_t *take_string(DplBuf *b)
{
    json_t *s = json_stringn_nocheck(b->len ? b->data : "", b->len);
    dpl_buf_free(b);
    return s;
}

static const char *sdata(const json_t *s) { return json_string_value(s); }
static size_t slen(const json_t *s) { return json_string_length(s); }

/* Next code point of s[*i..n), advancing *i; a stray byte (impossible in a
 * jansson string) passes as itself so nothing is ever dropped. */
static uint32_t next_cp(const char *s, size_t n, size_t *i)
{
    uint32_t cp;
    int l = dpl_utf8_decode(s + *i, n - *i, &cp);
    if (l < 0) {
        cp = (unsigned char)s[*i];
        l = 1;
    }
    *i += (size_t)l;
    return cp;
}

/* ---- len ------------------------------------------------------------------ */

DPL_BUILTIN_FN(len)
{
    (void)ctx, (void)nargs;
    const json_t *v = args[0];
    switch (json_typeof(v)) {
    case JSON_STRING: return json_integer((json_int_t)dpl_utf8_count(sdata(v), slen(v)));
    case JSON_ARRAY: return json_integer((json_int_t)json_array_size(v));
    case JSON_OBJECT: return json_integer((json_int_t)json_object_size(v));
    case JSON_NULL: return NULL;
    default:
        dpl_rt_error(err, DPL_RT_TYPE_ERROR, "len(): argument must be a string, array or object, got %s", dpl_value_type_name(v));
        return NULL;
    }
}

/* ---- case mapping ---------------------------------------------------------- */

/* Simple (one-to-one) case mappings of all of Unicode (casemap.c, generated
 * from UnicodeData.txt); letters without a one-to-one partner stay. */
static uint32_t to_upper(uint32_t c) { return dpl_case_upper(c); }
static uint32_t to_lower(uint32_t c) { return dpl_case_lower(c); }

size_t dpl_std_case_map_ascii(char *out, const char *s, size_t n, bool upper)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    const uint64_t from = upper ? 'a' : 'A';
    size_t i = 0;
#ifdef __SSE2__
    /* sixteen bytes at a time: a letter to change is in [from, from + 25]
     * (signed compares: a byte >= 0x80 stops the loop before) and has its
     * 0x20 bit flipped; the last bytes of a string of 16 or more are done
     * as one more overlapping step, which maps the same input bytes again.
     * Bytes before i are ASCII and mapped. */
    if (n >= 16) {
        const __m128i lo = _mm_set1_epi8((char)(from - 1)), hi = _mm_set1_epi8((char)(from + 26)),
                      flip = _mm_set1_epi8(0x20);
        for (;;) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            if (_mm_movemask_epi8(v))
                break; /* the loops below stop at that byte */
            __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmpgt_epi8(hi, v));
            _mm_storeu_si128((__m128i *)(void *)(out + i), _mm_xor_si128(v, _mm_and_si128(letter, flip)));
            if (i + 16 == n)
                return n;
            i = n - i - 16 < 16 ? n - 16 : i + 16;
        }
    }
#endif
    /* eight bytes at a time: the letters to change are found by adding to
     * each 7-bit byte so that its high bit says "at least the first letter"
     * and "past the last", and flipped by their 0x20 bit */
    for (; n - i >= 8; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        if (x & high)
            break;
        uint64_t ge = x + (0x80 - from) * ones, gt = x + (0x80 - (from + 25) - 1) * ones;
        x ^= ((ge & ~gt) & high) >> 2;
        memcpy(out + i, &x, 8);
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80)
            break;
        out[i] = (char)(c - from < 26u ? c ^ 0x20 : c);
    }
    return i;
}

static void map_case_into(DplBuf *b, const char *p, size_t n, uint32_t (*map)(uint32_t))
{
    dpl_buf_reserve(b, n);
    const bool up = map == to_upper;
    for (size_t i = 0; i < n;) {
        /* ASCII runs in one go: the output has their length */
        if (b->cap - b->len > n - i) {
            size_t k = dpl_std_case_map_ascii(b->data + b->len, p + i, n - i, up);
            b->len += k;
            i += k;
        }
        if (i >= n)
            break;
        unsigned char c = (unsigned char)p[i];
        if (c < 0x80) { /* ASCII: one byte in, one byte out, no table */
            unsigned from = up ? 'a' : 'A';
            b->data[b->len++] = (char)(c - from < 26u ? c ^ 0x20 : c);
            b->data[b->len] = '\0';
            i++;
            if (b->cap - b->len <= 4)
                dpl_buf_reserve(b, n - i + 4);
            continue;
        }
        size_t at = i;
        uint32_t cp = next_cp(p, n, &i);
        uint32_t m = map(cp);
        if (m == cp) {
            dpl_buf_append(b, p + at, i - at);
        } else {
            char enc[4];
            dpl_buf_append(b, enc, (size_t)dpl_utf8_encode(m, enc));
        }
    }
    dpl_buf_reserve(b, 0);
    b->data[b->len] = '\0';
}

void dpl_std_case_map(DplBuf *out, const char *s, size_t n, bool upper)
{
    map_case_into(out, s, n, upper ? to_upper : to_lower);
}

static json_t *map_case(const json_t *s, uint32_t (*map)(uint32_t))
{
    DplBuf b = {0};
    map_case_into(&b, sdata(s), slen(s), map);
    return take_string(&b);
}

DPL_BUILTIN_FN(lower)
{
    (void)ctx, (void)nargs;
    STR_ARG("lower", 0);
    return map_case(args[0], to_lower);
}

DPL_BUILTIN_FN(upper)
{
    (void)ctx, (void)nargs;
    STR_ARG("upper", 0);
    return map_case(args[0], to_upper);
}

/* ---- trim, digits ---------------------------------------------------------- */

/* White space of Unicode (White_Space property) plus the BOM. */
static bool is_space(uint32_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
           c == 0x3000 || c == 0xFEFF;
}

void dpl_std_trim_span(const char *p, size_t n, size_t *startp, size_t *endp)
{
    /* the usual case: ASCII letters or digits at both ends */
    if (n && (unsigned char)p[0] < 0x80 && (unsigned char)p[n - 1] < 0x80 && !is_space((unsigned char)p[0]) &&
        !is_space((unsigned char)p[n - 1])) {
        *startp = 0;
        *endp = n;
        return;
    }
    size_t start = 0, end;
    while (start < n) {
        size_t i = start;
        if (!is_space(next_cp(p, n, &i)))
            break;
        start = i;
    }
    /* Find the end scanning forwards (UTF-8 is awkward backwards): it is
     * where the last non-space code point ends. */
    end = start;
    for (size_t i = start; i < n;)
        if (!is_space(next_cp(p, n, &i)))
            end = i;
    *startp = start;
    *endp = end;
}

DPL_BUILTIN_FN(trim)
{
    (void)ctx, (void)nargs;
    STR_ARG("trim", 0);
    size_t start, end;
    dpl_std_trim_span(sdata(args[0]), slen(args[0]), &start, &end);
    return json_stringn_nocheck(sdata(args[0]) + start, end - start);
}

DPL_BUILTIN_FN(digits)
{
    (void)ctx, (void)nargs;
    STR_ARG("digits", 0);
    const char *p = sdata(args[0]);
    size_t n = slen(args[0]);
    DplBuf b = {0};
    for (size_t i = 0; i < n; i++)
        if (p[i] >= '0' && p[i] <= '9')
            dpl_buf_putc(&b, p[i]);
    return take_string(&b);
}

/* ---- replace, split, join ---------------------------------------------------- */

DPL_BUILTIN_FN(replace)
{
    (void)ctx, (void)nargs;
    STR_ARG("replace", 0);
    STR_ARG("replace", 1);
    STR_ARG("replace", 2);
    const char *s = sdata(args[0]), *old = sdata(args[1]), *rep = sdata(args[2]);
    size_t n = slen(args[0]), on = slen(args[1]), rn = slen(args[2]);
    if (on == 0) /* nothing to look for: s unchanged (not a replacement between every character) */
        return json_incref(args[0]);
    DplBuf b = {0};
    size_t i = 0;
    for (const char *hit; (hit = memmem(s + i, n - i, old, on)); i = (size_t)(hit - s) + on) {
        dpl_buf_append(&b, s + i, (size_t)(hit - s) - i);
        dpl_buf_append(&b, rep, rn);
    }
    dpl_buf_append(&b, s + i, n - i);
    return take_string(&b);
}

DPL_BUILTIN_FN(split)
{
    (void)ctx, (void)nargs;
    STR_ARG("split", 0);
    STR_ARG("split", 1);
    const char *s = sdata(args[0]), *sep = sdata(args[1]);
    size_t n = slen(args[0]), sn = slen(args[1]);
    json_t *out = json_array();
    if (sn == 0) { /* split("abc", "") -> ["a","b","c"]: one element per code point */
        for (size_t i = 0; i < n;) {
            size_t at = i;
            next_cp(s, n, &i);
            json_array_append_new(out, json_stringn_nocheck(s + at, i - at));
        }
        return out;
    }
    size_t i = 0;
    for (const char *hit; (hit = memmem(s + i, n - i, sep, sn)); i = (size_t)(hit - s) + sn)
        json_array_append_new(out, json_stringn_nocheck(s + i, (size_t)(hit - s) - i));
    json_array_append_new(out, json_stringn_nocheck(s + i, n - i));
    return out;
}

/* A scalar as text, as `as string` gives it: strings themselves, numbers in
 * their JSON form, booleans true/false.  Returns false for anything else. */
static bool scalar_text(DplBuf *b, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: dpl_buf_append(b, sdata(v), slen(v)); return true;
    case JSON_INTEGER:
    case JSON_REAL: dpl_json_write(b, v); return true; /* exact: 70250.99, 1.0 */
    case JSON_TRUE: dpl_buf_append(b, "true", 4); return true;
    case JSON_FALSE: dpl_buf_append(b, "false", 5); return true;
    default: return false;
    }
}

/* join: string elements as they are, numbers and booleans as their JSON text
 * (the same text `as string` gives); null elements are skipped, as concat
 * skips them; arrays and objects are a type_error, since there is no obvious
 * text for them. */
DPL_BUILTIN_FN(join)
{
    (void)ctx, (void)nargs;
    if (want("join", 1, args[0], JSON_ARRAY, "an array", err) != ARG_OK)
        return NULL;
    STR_ARG("join", 1);
    const json_t *arr = args[0];
    DplBuf b = {0};
    bool first = true;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *e = json_array_get(arr, i);
        if (json_is_null(e))
            continue; /* null is no value: skipped, as concat skips it */
        if (!first)
            dpl_buf_append(&b, sdata(args[1]), slen(args[1]));
        first = false;
        if (!scalar_text(&b, e)) {
            dpl_rt_error(err, DPL_RT_TYPE_ERROR, "join(): element %zu must be a string, number or boolean, got %s", i,
                         dpl_value_type_name(e));
            dpl_buf_free(&b);
            return NULL;
        }
    }
    return take_string(&b);
}

/* ---- substr ------------------------------------------------------------------ */

/* Byte offset of code point number k (clamped to the end). */
static size_t cp_offset(const char *s, size_t n, json_int_t k)
{
    size_t i = 0;
    for (json_int_t c = 0; c < k && i < n; c++)
        next_cp(s, n, &i);
    return i;
}

/* substr(s, start, len), by code points.  A negative start counts from the
 * end, like a [-1] path index; the range is then clamped to the string, and
 * a negative len gives "".  It never fails on in-range-or-not positions. */
DPL_BUILTIN_FN(substr)
{
    (void)ctx;
    STR_ARG("substr", 0);
    for (int a = 1; a < (int)nargs && a <= 2; a++)
        if (want("substr", a + 1, args[a], JSON_INTEGER, "an integer", err) != ARG_OK)
            return NULL;
    const char *s = sdata(args[0]);
    size_t n = slen(args[0]);
    /* substr(s, start): to the end (v1.1) */
    json_int_t start = json_integer_value(args[1]), count = nargs > 2 ? json_integer_value(args[2]) : INT64_MAX;
    if (start < 0) {
        json_int_t total = (json_int_t)dpl_utf8_count(s, n);
        start = start < -total ? 0 : total + start;
    }
    if (count <= 0)
        return json_string("");
    size_t from = cp_offset(s, n, start);
    size_t to = from + cp_offset(s + from, n - from, count);
    return json_stringn_nocheck(s + from, to - from);
}

/* ---- tests ------------------------------------------------------------------ */

/* contains(string, string): substring; contains(array, x): some element
 * equals x (deep, 1 == 1.0; x may be null). */
DPL_BUILTIN_FN(contains)
{
    (void)ctx, (void)nargs;
    const json_t *hay = args[0], *x = args[1];
    if (json_is_array(hay)) {
        for (size_t i = 0; i < json_array_size(hay); i++)
            if (dpl_json_equal(json_array_get(hay, i), x))
                return json_true();
        return json_false();
    }
    if (json_is_null(hay))
        return NULL;
    if (!json_is_string(hay)) {
        dpl_rt_error(err, DPL_RT_TYPE_ERROR, "contains(): argument 1 must be a string or an array, got %s", dpl_value_type_name(hay));
        err->arg = 1;
        return NULL;
    }
    STR_ARG("contains", 1);
    return json_boolean(slen(x) == 0 || memmem(sdata(hay), slen(hay), sdata(x), slen(x)) != NULL);
}

DPL_BUILTIN_FN(starts_with)
{
    (void)ctx, (void)nargs;
    STR_ARG("starts_with", 0);
    STR_ARG("starts_with", 1);
    size_t n = slen(args[0]), pn = slen(args[1]);
    return json_boolean(pn <= n && memcmp(sdata(args[0]), sdata(args[1]), pn) == 0);
}

DPL_BUILTIN_FN(ends_with)
{
    (void)ctx, (void)nargs;
    STR_ARG("ends_with", 0);
    STR_ARG("ends_with", 1);
    size_t n = slen(args[0]), pn = slen(args[1]);
    return json_boolean(pn <= n && memcmp(sdata(args[0]) + n - pn, sdata(args[1]), pn) == 0);
}

/* matches(s, regex): the regex was compiled at check time (ctx->regex).
 * REG_STARTEND makes the whole string count, embedded NULs included. */
DPL_BUILTIN_FN(matches)
{
    (void)nargs;
    STR_ARG("matches", 0);
    if (!ctx || !ctx->regex) {
        dpl_rt_error(err, DPL_RT_TYPE_ERROR, "matches(): the regex must be a string literal");
        return NULL;
    }
    regmatch_t m[1] = {{.rm_so = 0, .rm_eo = (regoff_t)slen(args[0])}};
    return json_boolean(regexec((const regex_t *)ctx->regex, sdata(args[0]), 1, m, REG_STARTEND) == 0);
}

bool dpl_regex_group(const void *regex, const char *s, size_t n, int group, size_t *start, size_t *len)
{
    regmatch_t m[10];
    if (group < 0 || group > 9)
        return false;
    m[0].rm_so = 0;
    m[0].rm_eo = (regoff_t)n;
    if (regexec((const regex_t *)regex, s, (size_t)group + 1, m, REG_STARTEND) != 0 || m[group].rm_so < 0)
        return false;
    *start = (size_t)m[group].rm_so;
    *len = (size_t)(m[group].rm_eo - m[group].rm_so);
    return true;
}

/* extract(s, "re"[, n]): the text of capture group n (default 1) of the
 * first match; missing when there is none (v1.1).  The checker compiled
 * the regex with its groups and checked n against them (E311). */
DPL_BUILTIN_FN(extract)
{
    (void)nargs;
    STR_ARG("extract", 0);
    if (!ctx || !ctx->regex) {
        dpl_rt_error(err, DPL_RT_TYPE_ERROR, "extract(): the regex must be a string literal");
        return NULL;
    }
    size_t start, len;
    if (!dpl_regex_group(ctx->regex, sdata(args[0]), slen(args[0]), ctx->group, &start, &len))
        return NULL;
    /* a group of a match of valid UTF-8 by a regex of whole characters is
     * whole characters, but a `.` may match one byte of a multi-byte
     * character in the C locale: check */
    return json_stringn(sdata(args[0]) + start, len);
}

/* ---- concat, sha256 ------------------------------------------------------------ */

/* concat: each argument as text (strings as they are, numbers and booleans
 * as `as string` gives them); missing and null arguments are skipped, so
 * concat of nothing is "".  Arrays and objects are a type_error. */
DPL_BUILTIN_FN(concat)
{
    (void)ctx;
    DplBuf b = {0};
    for (size_t i = 0; i < nargs; i++) {
        const json_t *v = args[i];
        if (!v || json_is_null(v))
            continue;
        if (!scalar_text(&b, v)) {
            dpl_rt_error(err, DPL_RT_TYPE_ERROR, "concat(): argument %zu must be a string, number or boolean, got %s",
                         i + 1, dpl_value_type_name(v));
            dpl_buf_free(&b);
            return NULL;
        }
    }
    return take_string(&b);
}

DPL_BUILTIN_FN(sha256)
{
    (void)ctx, (void)nargs;
    STR_ARG("sha256", 0);
    char out[DPL_SHA256_HEX_LEN];
    dpl_sha256_hex(sdata(args[0]), slen(args[0]), out);
    return json_stringn_nocheck(out, sizeof out);
}
