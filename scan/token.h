/* token.h — jansson's lexical rules, mirrored for the scanner (scan.c) and
 * the shapes it reads lines through (shape.c); private to scan/.
 *
 * jansson's rules (src/load.c, src/utf.c): UTF-8 checked byte by byte (no
 * overlongs, surrogates or code points past U+10FFFF); control bytes
 * < 0x20 refused inside strings; escapes \" \\ \/ \b \f \n \r \t \uXXXX
 * with surrogates paired; \u0000 allowed in values but not in object keys;
 * integers must fit int64; reals that overflow a double are refused
 * (underflow is fine).  The hot validators are inline here; the rest are
 * in token.c. */
#ifndef DPL_SCAN_TOKEN_H
#define DPL_SCAN_TOKEN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "scan/internal.h"

typedef unsigned char uchar;

/* tok_string flags */
#define STR_ESCAPED 1u  /* some backslash escape */
#define STR_NONCANON 2u /* an escape dpl_json_write would print differently */
#define STR_NUL 4u      /* a \u0000 escape: jansson refuses it in keys */

static inline bool is_digit(uchar c) { return (unsigned)(c - '0') < 10u; }

static inline const uchar *skip_ws(const uchar *p, const uchar *end)
{
    /* Records are mostly compact: one compare settles the common case. */
    while (p < end && *p <= ' ' && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* The value of the 4 hex digits at p (4 bytes readable), or -1. */
long tok_hex4(const uchar *p);
/* Scans a string body from p (just after the opening quote); returns the
 * byte after the closing quote, or NULL.  Sets STR_* in *flags. */
const uchar *tok_string(const uchar *p, const uchar *end, unsigned *flags);
/* true / false / null at p (its DPL_SV_* in *type), or NULL. */
const uchar *tok_literal(const uchar *p, const uchar *end, uint8_t *type);
/* Whether the number text p[0..n) overflows a double (jansson refuses it). */
bool tok_real_overflows(const uchar *p, size_t n);

/* tok_string, with the usual case inline: a short ASCII string without
 * escapes ends within the first 16 bytes (most keys and many values). */
static inline __attribute__((always_inline)) const uchar *scan_str(const uchar *p, const uchar *end,
                                                                   unsigned *flags)
{
#ifdef __SSE2__
    if (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                                   _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
        int m = _mm_movemask_epi8(hit);
        if (m) {
            const uchar *q = p + __builtin_ctz((unsigned)m);
            if (*q == '"')
                return q + 1;
        }
    }
#endif
    return tok_string(p, end, flags);
}

/* A number at p; returns its end or NULL.  With v (a value on the plan),
 * also its type and flags, and the value of an integer or of a short
 * decimal (-?D+.D+, at most 15 digits: m / 10^k of exact doubles is
 * correctly rounded, as strtod is), read in the same pass; without v (a
 * value being skipped) only what validity needs.  Inlined into both. */
static inline __attribute__((always_inline)) const uchar *scan_number(const uchar *p, const uchar *end,
                                                                      DplScanValue *v)
{
    static const double p10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const uchar *start = p;
    bool neg = *p == '-';
    if (neg)
        p++;
    const uchar *ip = p;
    uint64_t m = 0;
    if (p >= end)
        return NULL;
    if (*p == '0') {
        p++;
        if (p < end && is_digit(*p))
            return NULL;
    } else if (*p >= '1' && *p <= '9') {
        do
            m = m * 10 + (uint64_t)(*p++ - '0'); /* wraps past 19 digits: then unused */
        while (p < end && is_digit(*p));
    } else {
        return NULL;
    }
    size_t nint = (size_t)(p - ip);
    if (p == end || (*p != '.' && *p != 'e' && *p != 'E')) {
        if (nint >= 19) {
            if (nint > 19 || memcmp(ip, neg ? "9223372036854775808" : "9223372036854775807", 19) > 0)
                return NULL;
        }
        if (v) {
            v->type = DPL_SV_INT;
            v->flags = neg && nint == 1 && *ip == '0' ? 0 : DPL_SV_CANON; /* -0 is printed 0 */
            v->i = neg ? (int64_t)(0 - m) : (int64_t)m;
        }
        return p;
    }
    const uchar *fp = NULL;
    size_t nfrac = 0;
    bool has_exp = false;
    if (*p == '.') {
        p++;
        if (p >= end || !is_digit(*p))
            return NULL;
        fp = p;
        do
            m = m * 10 + (uint64_t)(*p++ - '0');
        while (p < end && is_digit(*p));
        nfrac = (size_t)(p - fp);
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        has_exp = true;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !is_digit(*p))
            return NULL;
        do
            p++;
        while (p < end && is_digit(*p));
    }
    /* Without an exponent only a huge integer part can overflow. */
    if ((has_exp || nint > 300) && tok_real_overflows(start, (size_t)(p - start)))
        return NULL;
    if (v) {
        v->type = DPL_SV_REAL;
        v->flags = !has_exp && dpl_scan_real_canonical((const char *)ip, nint, (const char *)fp, nfrac)
                       ? DPL_SV_CANON
                       : 0;
        if (!has_exp && nint + nfrac <= 15) {
            double d = (double)m / p10[nfrac];
            if (neg)
                d = -d;
            memcpy(&v->i, &d, sizeof d);
            v->flags |= DPL_SV_PARSED;
        }
    }
    return p;
}

/* The scalar at p (a string, a number, true, false or null; no white
 * space before it) into v: its span from base, type, flags, and the value of
 * an integer or a short decimal.  NULL for anything else (a container, or
 * an invalid token). */
static inline __attribute__((always_inline)) const uchar *scan_scalar(const uchar *base, const uchar *p,
                                                                      const uchar *end, DplScanValue *v)
{
    const uchar *start = p;
    uint8_t type, flags;
    unsigned sf = 0;
    if (p >= end)
        return NULL;
    if (*p == '"') {
        type = DPL_SV_STRING;
        p = scan_str(p + 1, end, &sf);
        flags = (sf & STR_NONCANON ? 0 : DPL_SV_CANON) | (sf & STR_ESCAPED ? DPL_SV_ESCAPED : 0);
    } else if (is_digit(*p) || *p == '-') {
        /* type, flags and value set by scan_number */
        p = scan_number(p, end, v);
        if (!p)
            return NULL;
        v->start = (size_t)(start - base);
        v->len = (size_t)(p - start);
        return p;
    } else {
        p = tok_literal(p, end, &type);
        flags = DPL_SV_CANON;
    }
    if (!p)
        return NULL;
    v->start = (size_t)(start - base);
    v->len = (size_t)(p - start);
    v->type = type;
    v->flags = flags;
    return p;
}

#endif
