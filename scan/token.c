/* token.c — the colder half of jansson's lexical rules (token.h): escapes,
 * UTF-8 sequences, the literals, real overflow. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scan/token.h"

static int hex_digit(uchar c)
{
    if (is_digit(c))
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The value of the 4 hex digits at p (end - p >= 4 checked by the caller),
 * or -1. */
long tok_hex4(const uchar *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(p[i]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Length of the valid UTF-8 sequence of 2..4 bytes at p, or 0. */
static size_t utf8_seq(const uchar *p, const uchar *end)
{
    uchar c = p[0];
    size_t avail = (size_t)(end - p);
    uchar lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
        return avail >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* past U+10FFFF */
        return avail >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 ? 4
                                                                                                          : 0;
    }
    return 0;
}

/* One escape at p (p[0] == '\\'); returns the byte after it or NULL. */
static const uchar *scan_escape(const uchar *p, const uchar *end, unsigned *flags)
{
    *flags |= STR_ESCAPED;
    if (end - p < 2)
        return NULL;
    switch (p[1]) {
    case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't':
        return p + 2;
    case '/':
        *flags |= STR_NONCANON; /* we print '/' unescaped */
        return p + 2;
    case 'u':
        break;
    default:
        return NULL;
    }
    if (end - p < 6)
        return NULL;
    long v = tok_hex4(p + 2);
    if (v < 0)
        return NULL;
    if (v >= 0xD800 && v <= 0xDBFF) {
        if (end - p < 12 || p[6] != '\\' || p[7] != 'u')
            return NULL;
        long lo = tok_hex4(p + 8);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return NULL;
        *flags |= STR_NONCANON; /* we print astral characters raw */
        return p + 12;
    }
    if (v >= 0xDC00 && v <= 0xDFFF)
        return NULL;
    if (v == 0)
        *flags |= STR_NUL;
    /* dpl_json_write prints control bytes other than \b \t \n \f \r as
     * \u00xx with lowercase hex, everything else raw. */
    bool canon = v < 0x20 && v != 8 && v != 9 && v != 10 && v != 12 && v != 13 && p[2] == '0' && p[3] == '0' &&
                 !(p[5] >= 'A' && p[5] <= 'F');
    if (!canon)
        *flags |= STR_NONCANON;
    return p + 6;
}

const uchar *tok_string(const uchar *p, const uchar *end, unsigned *flags)
{
    for (;;) {
#ifdef __SSE2__
        /* 16 bytes at a time until a quote, a backslash, a control byte or a
         * non-ASCII byte (the signed compare catches both of the last). */
        const __m128i quote = _mm_set1_epi8('"');
        const __m128i bslash = _mm_set1_epi8('\\');
        const __m128i space = _mm_set1_epi8(0x20);
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                       _mm_cmplt_epi8(v, space));
            int m = _mm_movemask_epi8(hit);
            if (m) {
                p += __builtin_ctz((unsigned)m);
                goto special;
            }
            p += 16;
        }
#endif
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
            p++;
        if (p >= end)
            return NULL;
#ifdef __SSE2__
    special:
#endif
        if (*p == '"')
            return p + 1;
        if (*p == '\\') {
            p = scan_escape(p, end, flags);
            if (!p)
                return NULL;
        } else if (*p < 0x20) {
            return NULL;
        } else {
            size_t n = utf8_seq(p, end);
            if (!n)
                return NULL;
            p += n;
        }
    }
}

/* jansson's "real number overflow" */
bool tok_real_overflows(const uchar *p, size_t n)
{
    char small[64];
    char *buf = n < sizeof small ? small : dpl_malloc(n + 1);
    memcpy(buf, p, n);
    buf[n] = '\0';
    double d = strtod(buf, NULL);
    if (buf != small)
        dpl_free(buf);
    return isinf(d);
}

const uchar *tok_literal(const uchar *p, const uchar *end, uint8_t *type)
{
    size_t avail = (size_t)(end - p);
    if (avail >= 4 && memcmp(p, "true", 4) == 0) {
        *type = DPL_SV_TRUE;
        return p + 4;
    }
    if (avail >= 5 && memcmp(p, "false", 5) == 0) {
        *type = DPL_SV_FALSE;
        return p + 5;
    }
    if (avail >= 4 && memcmp(p, "null", 4) == 0) {
        *type = DPL_SV_NULL;
        return p + 4;
    }
    return NULL;
}

