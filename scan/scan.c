/* scan.c — a validating one-pass JSON scanner that accepts exactly what
 * dpl_json_parse (jansson with JSON_DECODE_ANY | JSON_ALLOW_NUL, plus our
 * depth limit and NUL rules) accepts, and records the byte spans of the
 * values on a plan's paths.  Values off the plan are validated and skipped
 * without being stored; nothing is allocated.
 *
 * jansson's rules mirrored here (src/load.c, src/utf.c): strict RFC 8259
 * grammar; UTF-8 checked byte by byte (no overlongs, surrogates or code
 * points past U+10FFFF); control bytes < 0x20 refused inside strings;
 * escapes \" \\ \/ \b \f \n \r \t \uXXXX with surrogates paired; \u0000
 * allowed in values but not in object keys; integers must fit int64; reals
 * that overflow a double are refused (underflow is fine). */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "json/json.h"
#include "scan/internal.h"

typedef unsigned char uchar;

#define MAXD DPL_JSON_MAX_DEPTH

/* scan_string flags */
#define STR_ESCAPED 1u  /* some backslash escape */
#define STR_NONCANON 2u /* an escape dpl_json_write would print differently */
#define STR_NUL 4u      /* a \u0000 escape: jansson refuses it in keys */

typedef struct {
    const uchar *base, *end;
    const DplScanPlan *plan;
    DplScanValue *vals;
    DplScanMemo *memo; /* NULL: keys are always looked up */
} Scan;

static inline bool is_digit(uchar c) { return (unsigned)(c - '0') < 10u; }

static inline const uchar *skip_ws(const uchar *p, const uchar *end)
{
    /* Records are mostly compact: one compare settles the common case. */
    while (p < end && *p <= ' ' && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

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
static long hex4(const uchar *p)
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
    long v = hex4(p + 2);
    if (v < 0)
        return NULL;
    if (v >= 0xD800 && v <= 0xDBFF) {
        if (end - p < 12 || p[6] != '\\' || p[7] != 'u')
            return NULL;
        long lo = hex4(p + 8);
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

/* Scans a string body from p (just after the opening quote); returns the
 * byte after the closing quote, or NULL. */
static const uchar *scan_string(const uchar *p, const uchar *end, unsigned *flags)
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

/* scan_string, with the usual case inline: a short ASCII string without
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
    return scan_string(p, end, flags);
}

/* jansson refuses a real that overflows a double ("real number overflow"). */
static bool real_overflows(const uchar *p, size_t n)
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
    if ((has_exp || nint > 300) && real_overflows(start, (size_t)(p - start)))
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

/* true / false / null at p, or NULL. */
static const uchar *scan_literal(const uchar *p, const uchar *end, uint8_t *type)
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

/* Validates the value at p without recording anything; depth is the number
 * of containers already open around it.  Iterative, so deep input costs no
 * C stack: the innermost container's kind is kept in `close` (its closing
 * byte), the enclosing ones' in one bit per level (1 = object), read back
 * only when a container closes.  The common tokens are tested first, in the
 * order records have them. */
static const uchar *skip_value(const uchar *p, const uchar *end, int depth)
{
    uint64_t kind[MAXD / 64 + 2];
    const int base = depth;
    int d = depth;
    uchar close = 0; /* '}' or ']' of the innermost open container (d > base) */
    unsigned sf;
    uint8_t t;
value:
    if (p >= end)
        return NULL;
    if (*p == '"') {
        sf = 0;
        p = scan_str(p + 1, end, &sf);
    } else if (is_digit(*p) || *p == '-') {
        p = scan_number(p, end, NULL);
    } else if (*p == '{' || *p == '[') {
        if (++d > MAXD)
            return NULL;
        /* remember the enclosing container's kind at this level */
        if (close == '}')
            kind[d >> 6] |= 1ull << (d & 63);
        else
            kind[d >> 6] &= ~(1ull << (d & 63));
        close = (uchar)(*p + 2); /* '{' + 2 == '}', '[' + 2 == ']' */
        p = skip_ws(p + 1, end);
        if (p < end && *p == close) {
            p++;
            goto closed;
        }
        if (close == '}')
            goto key;
        goto value;
    } else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
        /* white space is rare in records: met here, not looked for before
         * every value */
        p = skip_ws(p, end);
        goto value;
    } else {
        p = scan_literal(p, end, &t);
    }
    if (!p)
        return NULL;
after:
    if (d == base)
        return p;
    if (p < end && *p <= ' ')
        p = skip_ws(p, end);
    if (p >= end)
        return NULL;
    if (*p == ',') {
        p++;
        if (close == '}')
            goto key;
        goto value;
    }
    if (*p != close)
        return NULL;
    p++;
closed:
    close = kind[d >> 6] & (1ull << (d & 63)) ? '}' : ']';
    d--;
    goto after;
key:
    if (p < end && *p <= ' ')
        p = skip_ws(p, end);
    if (p >= end || *p != '"')
        return NULL;
    sf = 0;
    p = scan_str(p + 1, end, &sf);
    if (!p || (sf & STR_NUL))
        return NULL;
    if (p < end && *p <= ' ')
        p = skip_ws(p, end);
    if (p >= end || *p != ':')
        return NULL;
    p++;
    goto value;
}

/* Decodes an escaped key (already validated) into out[0..cap); returns its
 * length, or cap + 1 when it does not fit (then it matches no plan key). */
static size_t decode_key(const uchar *p, const uchar *end, char *out, size_t cap)
{
    size_t n = 0;
    while (p < end) {
        char tmp[4];
        size_t k = 1;
        if (*p != '\\') {
            tmp[0] = (char)*p++;
        } else if (p[1] != 'u') {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            tmp[0] = to[strchr(from, p[1]) - from];
            p += 2;
        } else {
            uint32_t cp = (uint32_t)hex4(p + 2);
            p += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)hex4(p + 2) - 0xDC00);
                p += 6;
            }
            k = (size_t)dpl_utf8_encode(cp, tmp);
        }
        if (n + k > cap)
            return cap + 1;
        memcpy(out + n, tmp, k);
        n += k;
    }
    return n;
}

/* Key equality without a libc call: keys are short, and memcmp's call and
 * dispatch cost more than the comparison itself. */
static inline bool key_eq(const uchar *a, const char *b, size_t n)
{
    while (n >= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y)
            return false;
        a += 8;
        b += 8;
        n -= 8;
    }
    while (n--)
        if (*a++ != (uchar)*b++)
            return false;
    return true;
}

/* Whether the key at k (just after its opening quote) is g's: the same
 * bytes, then the closing quote. */
static inline bool guess_hit(const DplScanGuess *g, const uchar *k, const uchar *end)
{
    size_t n = g->len; /* 0xFF (nothing) never fits below */
#ifdef __SSE2__
    if (end - k >= 32) {
        /* key and quote (at most 32 bytes) compared 16 at a time */
        __m128i a0 = _mm_loadu_si128((const __m128i *)(const void *)k);
        __m128i a1 = _mm_loadu_si128((const __m128i *)(const void *)(k + 16));
        __m128i b0 = _mm_loadu_si128((const __m128i *)(const void *)g->key);
        __m128i b1 = _mm_loadu_si128((const __m128i *)(const void *)(g->key + 16));
        uint32_t eq = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a0, b0)) |
                      (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a1, b1)) << 16;
        if (n >= DPL_GUESS_KEY + 1)
            return false;
        uint32_t need = (uint32_t)((2ull << n) - 1); /* n + 1 bytes */
        return (eq & need) == need;
    }
#endif
    return n <= DPL_GUESS_KEY && (size_t)(end - k) > n && key_eq(k, g->key, n + 1);
}

/* Remembers the key k[0..len) found at g's position (plain keys short
 * enough only: an escaped key is compared decoded). */
static inline void guess_learn(DplScanGuess *g, const uchar *k, size_t len, unsigned sf, uint32_t kid)
{
    if (sf || len > DPL_GUESS_KEY) {
        g->len = 0xFF;
        return;
    }
    memcpy(g->key, k, len + 1); /* with the closing quote */
    g->len = (uint8_t)len;
    g->kid = kid;
}

/* The child of n named by the key text k[0..klen) (raw, between quotes),
 * or 0. */
static uint32_t match_key(const Scan *s, const DplPlanNode *n, const uchar *k, size_t klen, unsigned sf)
{
    const DplScanPlan *plan = s->plan;
    char small[128];
    char *dec = NULL;
    if (sf & STR_ESCAPED) {
        /* Rare: keys are compared decoded, so "\u0061" names field a. */
        dec = plan->max_key < sizeof small ? small : dpl_malloc(plan->max_key + 1);
        klen = decode_key(k, k + klen, dec, plan->max_key);
        k = (const uchar *)dec;
        if (klen > plan->max_key) { /* longer than every plan key (and not all decoded) */
            if (dec != small)
                dpl_free(dec);
            return 0;
        }
    }
    uint32_t found = 0;
    if (n->probe) {
        for (uint32_t at = dpl_plan_hash_full(k, klen) & n->mask;; at = (at + 1) & n->mask) {
            uint32_t cand = plan->table[n->table + at];
            if (!cand)
                break;
            const DplPlanNode *c = &plan->nodes[cand];
            if (c->len == klen && key_eq(k, c->name, klen)) {
                found = cand;
                break;
            }
        }
    } else if (!n->linear) {
        uint32_t cand = plan->table[n->table + dpl_plan_hash(k, klen)];
        const DplPlanNode *c = &plan->nodes[cand];
        if (cand && c->len == klen && key_eq(k, c->name, klen))
            found = cand;
    } else {
        const uint32_t *kids = plan->kids + n->kid_begin;
        for (uint32_t i = 0; i < n->nkids && !found; i++) {
            const DplPlanNode *c = &plan->nodes[kids[i]];
            if (c->len == klen && key_eq(k, c->name, klen))
                found = kids[i];
        }
    }
    if (dec && dec != small)
        dpl_free(dec);
    return found;
}

static const uchar *scan_object(Scan *s, const uchar *p, int depth, const DplPlanNode *n);

/* The value at p (no white space before it) into v: its span from base,
 * its type and flags, and the value of an integer or a short decimal.  An
 * object at a plan node n with children has them scanned into their slots
 * (s is NULL for a value off any plan, n then a node without children). */
static inline __attribute__((always_inline)) const uchar *scan_into(Scan *s, const DplPlanNode *n, const uchar *base, const uchar *p,
                                     const uchar *end, int depth, DplScanValue *v)
{
    const uchar *start = p;
    uint8_t type, flags = 0;
    unsigned sf = 0;
    if (p >= end)
        return NULL;
    switch (*p) {
    case '{':
        type = DPL_SV_OBJECT;
        p = n->nkids ? scan_object(s, p, depth, n) : skip_value(p, end, depth);
        if (p && p - start == 2)
            flags = DPL_SV_CANON; /* {} */
        break;
    case '[':
        type = DPL_SV_ARRAY;
        p = skip_value(p, end, depth);
        if (p && p - start == 2)
            flags = DPL_SV_CANON; /* [] */
        break;
    case '"':
        type = DPL_SV_STRING;
        p = scan_str(p + 1, end, &sf);
        flags = (sf & STR_NONCANON ? 0 : DPL_SV_CANON) | (sf & STR_ESCAPED ? DPL_SV_ESCAPED : 0);
        break;
    case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
        /* type, flags and value set by scan_number */
        p = scan_number(p, end, v);
        if (!p)
            return NULL;
        v->start = (size_t)(start - base);
        v->len = (size_t)(p - start);
        return p;
    default:
        p = scan_literal(p, end, &type);
        flags = DPL_SV_CANON;
        break;
    }
    if (!p)
        return NULL;
    v->start = (size_t)(start - base);
    v->len = (size_t)(p - start);
    v->type = type;
    v->flags = flags;
    return p;
}

/* The value at p, recorded in slot. */
static inline __attribute__((always_inline)) const uchar *scan_node(Scan *s, const uchar *p, int depth,
                                                                    uint32_t slot)
{
    const uchar *end = s->end;
    if (p < end && *p <= ' ')
        p = skip_ws(p, end);
    return scan_into(s, &s->plan->nodes[slot], s->base, p, end, depth, &s->vals[slot]);
}

/* An object on the plan: members named by a child are scanned into their
 * slots, the rest validated and skipped. */
static const uchar *scan_object(Scan *s, const uchar *p, int depth, const DplPlanNode *n)
{
    const uchar *end = s->end;
    if (++depth > MAXD)
        return NULL;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}')
        return p + 1;
    DplScanGuess *g = s->memo && n->guess != DPL_NO_GUESS ? s->memo->rows + (size_t)n->guess * DPL_GUESS_MEMBERS
                                                           : NULL;
    uint32_t gi = 0; /* the member's position: its guess is g[gi] */
    for (;;) {
        if (p >= end || *p != '"')
            return NULL;
        const uchar *k = p + 1;
        uint32_t kid;
        /* The key the last line had here, or at the next position (this
         * line lacks a member the last one had); the same bytes are the
         * same valid key. */
        if (g && gi < DPL_GUESS_MEMBERS && guess_hit(&g[gi], k, end)) {
            kid = g[gi].kid;
            p = k + g[gi].len + 1;
            gi++;
        } else if (g && gi + 1 < DPL_GUESS_MEMBERS && guess_hit(&g[gi + 1], k, end)) {
            kid = g[gi + 1].kid;
            p = k + g[gi + 1].len + 1;
            gi += 2;
        } else {
            unsigned sf = 0;
            p = scan_str(k, end, &sf);
            if (!p || (sf & STR_NUL))
                return NULL;
            size_t klen = (size_t)(p - 1 - k);
            kid = match_key(s, n, k, klen, sf);
            if (g && gi < DPL_GUESS_MEMBERS)
                guess_learn(&g[gi++], k, klen, sf, kid);
        }
        if (p < end && *p <= ' ')
            p = skip_ws(p, end);
        if (p >= end || *p != ':')
            return NULL;
        p++; /* scan_node and skip_value take white space before a value */
        if (kid) {
            /* A duplicate key replaces the whole earlier value (last one
             * wins, as in jansson): forget what its subtree captured. */
            const DplPlanNode *c = &s->plan->nodes[kid];
            for (uint32_t i = c->pre_begin + 1; i < c->pre_end; i++)
                s->vals[s->plan->preorder[i]].type = DPL_SV_MISSING;
            p = scan_node(s, p, depth, kid);
        } else if (p < end && *p == '"') {
            /* the common member off the plan, a string: no call */
            unsigned vf = 0;
            p = scan_str(p + 1, end, &vf);
        } else {
            p = skip_value(p, end, depth);
        }
        if (!p)
            return NULL;
        if (p < end && *p <= ' ')
            p = skip_ws(p, end);
        if (p >= end)
            return NULL;
        if (*p == ',') {
            p++;
            if (p < end && *p <= ' ')
                p = skip_ws(p, end);
            continue;
        }
        if (*p == '}')
            return p + 1;
        return NULL;
    }
}

bool dpl_scan(const DplScanPlan *plan, DplScanMemo *memo, const char *text, size_t len, DplScanValue *vals)
{
    assert(plan->frozen);
    assert(!memo || memo->nrows == plan->nguess);
    memset(vals, 0, plan->nnodes * sizeof *vals);
    Scan s = {(const uchar *)text, (const uchar *)text + len, plan, vals, memo};
    const uchar *p = skip_ws(s.base, s.end);
    p = scan_node(&s, p, 0, 0);
    if (!p)
        return false;
    return skip_ws(p, s.end) == s.end;
}

bool dpl_scan_value(const char *text, size_t len, size_t at, DplScanValue *v)
{
    static const DplPlanNode leaf; /* no children */
    const uchar *base = (const uchar *)text;
    return scan_into(NULL, &leaf, base, base + at, base + len, 0, v) != NULL;
}
