/* canonical.c — RFC 8785 (JCS) canonical JSON, which feeds record identities
 * (spec §7.3), and deep equality of values where 1 == 1.0 (spec §6). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"

/* ---- numbers: ECMAScript Number::toString ------------------------------ */

/* Shortest significant digits of d (> 0, finite) and its decimal exponent n
 * such that d ~= 0.DIGITS x 10^n.  %.*e is correctly rounded by glibc, so the
 * first precision that reads back is the shortest, and among the candidates
 * of that length it is the nearest, as ECMAScript requires. */
static int shortest_digits(double d, char digits[24], int *n)
{
    char buf[40];
    for (int prec = 0; prec <= 16; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec, d);
        if (prec == 16 || strtod(buf, NULL) == d)
            break;
    }
    int k = 0;
    const char *p = buf;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[k++] = *p;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = '\0';
    *n = atoi(p + 1) + 1;
    return k;
}

/* ECMA-262 Number::toString(x) for finite x, as RFC 8785 §3.2.2.3 requires:
 * 1e21 -> "1e+21", 100.0 -> "100", 1.5e-7 -> "1.5e-7", -0.0 -> "0". */
static void write_es_number(DplBuf *out, double d)
{
    if (!isfinite(d)) { /* cannot come from JSON; keep the output valid */
        dpl_buf_puts(out, "null");
        return;
    }
    if (d == 0) {
        dpl_buf_putc(out, '0');
        return;
    }
    if (d < 0) {
        dpl_buf_putc(out, '-');
        d = -d;
    }
    char digits[24];
    int n;
    int k = shortest_digits(d, digits, &n);
    if (k <= n && n <= 21) {
        dpl_buf_append(out, digits, (size_t)k);
        for (int i = k; i < n; i++)
            dpl_buf_putc(out, '0');
    } else if (0 < n && n <= 21) {
        dpl_buf_append(out, digits, (size_t)n);
        dpl_buf_putc(out, '.');
        dpl_buf_append(out, digits + n, (size_t)(k - n));
    } else if (-6 < n && n <= 0) {
        dpl_buf_append(out, "0.", 2);
        for (int i = 0; i < -n; i++)
            dpl_buf_putc(out, '0');
        dpl_buf_append(out, digits, (size_t)k);
    } else {
        dpl_buf_putc(out, digits[0]);
        if (k > 1) {
            dpl_buf_putc(out, '.');
            dpl_buf_append(out, digits + 1, (size_t)(k - 1));
        }
        dpl_buf_printf(out, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
}

/* ---- keys: ordered by UTF-16 code units -------------------------------- */

/* A code point's rank in UTF-16 code unit order.  Astral code points start
 * with a high surrogate (0xD800..0xDBFF), so they sort after U+D7FF but
 * before U+E000..U+FFFF; among themselves their order is code point order. */
static uint32_t utf16_rank(uint32_t cp)
{
    if (cp < 0xD800)
        return cp;
    if (cp >= 0x10000)
        return 0xD800 + (cp - 0x10000);
    return cp + 0x100000;
}

typedef struct {
    const char *key;
    size_t len;
    json_t *value;
} Member;

static int compare_utf16(const void *pa, const void *pb)
{
    const Member *a = pa, *b = pb;
    size_t i = 0, j = 0;
    while (i < a->len && j < b->len) {
        uint32_t ca, cb;
        int la = dpl_utf8_decode(a->key + i, a->len - i, &ca);
        int lb = dpl_utf8_decode(b->key + j, b->len - j, &cb);
        /* jansson keys are valid UTF-8; a stray byte ranks as itself. */
        if (la < 0)
            ca = (unsigned char)a->key[i], la = 1;
        if (lb < 0)
            cb = (unsigned char)b->key[j], lb = 1;
        uint32_t ra = utf16_rank(ca), rb = utf16_rank(cb);
        if (ra != rb)
            return ra < rb ? -1 : 1;
        i += (size_t)la;
        j += (size_t)lb;
    }
    return (i < a->len) - (j < b->len);
}

/* ---- writer ------------------------------------------------------------ */

static void write_canonical(DplBuf *out, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_INTEGER:
        /* Deliberate departure from RFC 8785: JCS would pass every number
         * through an IEEE double, so 9007199254740993 would become
         * 9007199254740992 and two distinct int64 keys could share one id.
         * DPL integers are exact int64, so they are written exactly. */
        dpl_buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL: write_es_number(out, json_real_value(v)); break;
    case JSON_ARRAY: {
        dpl_buf_putc(out, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                dpl_buf_putc(out, ',');
            write_canonical(out, json_array_get(v, i));
        }
        dpl_buf_putc(out, ']');
        break;
    }
    case JSON_OBJECT: {
        size_t n = json_object_size(v);
        Member *m = n ? dpl_malloc(n * sizeof *m) : NULL;
        size_t k = 0;
        for (void *it = json_object_iter((json_t *)v); it && k < n; it = json_object_iter_next((json_t *)v, it)) {
            m[k].key = json_object_iter_key(it);
            m[k].len = json_object_iter_key_len(it);
            m[k].value = json_object_iter_value(it);
            k++;
        }
        if (k > 1) /* qsort(NULL, 0, ...) is undefined: an empty object has no array */
            qsort(m, k, sizeof *m, compare_utf16);
        dpl_buf_putc(out, '{');
        for (size_t i = 0; i < k; i++) {
            if (i)
                dpl_buf_putc(out, ',');
            dpl_json_write_string(out, m[i].key, m[i].len);
            dpl_buf_putc(out, ':');
            write_canonical(out, m[i].value);
        }
        dpl_buf_putc(out, '}');
        dpl_free(m);
        break;
    }
    default:
        /* null, booleans and strings: the compact writer's form is already
         * JCS (minimal escapes, lowercase \u00xx, non-ASCII verbatim). */
        dpl_json_write(out, v);
    }
}

void dpl_json_write_canonical(DplBuf *out, const json_t *v) { write_canonical(out, v); }

/* ---- equality ---------------------------------------------------------- */

/* Exact comparison of an int64 with a double: no rounding either way
 * (9007199254740993 != 9007199254740992.0). */
static bool int_equals_real(json_int_t i, double d)
{
    /* [-2^63, 2^63) is exactly the range of int64; both bounds are doubles. */
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != floor(d))
        return false;
    return (json_int_t)d == i;
}

bool dpl_json_equal(const json_t *a, const json_t *b)
{
    if (a == b)
        return true;
    if (!a || !b)
        return false;
    json_type ta = json_typeof(a), tb = json_typeof(b);
    if (ta == JSON_INTEGER && tb == JSON_REAL)
        return int_equals_real(json_integer_value(a), json_real_value(b));
    if (ta == JSON_REAL && tb == JSON_INTEGER)
        return int_equals_real(json_integer_value(b), json_real_value(a));
    if (ta != tb)
        return false;
    switch (ta) {
    case JSON_NULL:
    case JSON_TRUE:
    case JSON_FALSE: return true;
    case JSON_INTEGER: return json_integer_value(a) == json_integer_value(b);
    case JSON_REAL: return json_real_value(a) == json_real_value(b);
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    case JSON_ARRAY: {
        size_t n = json_array_size(a);
        if (n != json_array_size(b))
            return false;
        for (size_t i = 0; i < n; i++)
            if (!dpl_json_equal(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    case JSON_OBJECT: {
        if (json_object_size(a) != json_object_size(b))
            return false;
        for (void *it = json_object_iter((json_t *)a); it; it = json_object_iter_next((json_t *)a, it)) {
            json_t *other = json_object_getn(b, json_object_iter_key(it), json_object_iter_key_len(it));
            if (!other || !dpl_json_equal(json_object_iter_value(it), other))
                return false;
        }
        return true;
    }
    }
    return false;
}
