/* scan.c — a validating one-pass JSON scanner that accepts exactly what
 * dpl_json_parse (jansson with JSON_DECODE_ANY | JSON_ALLOW_NUL, plus our
 * depth limit and NUL rules) accepts, and records the byte spans of the
 * values on a plan's paths.  Values off the plan are validated and skipped
 * without being stored; nothing is allocated per line.
 *
 * The grammar is strict RFC 8259 and walked here; the tokens' own rules
 * (strings, numbers, literals) are token.h's.  With a memo, a line is first
 * read through the shapes of the lines before it (shape.c), and scanned
 * here only when none matches, its shape then learnt on the way. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "json/json.h"
#include "scan/token.h"

#define MAXD DPL_JSON_MAX_DEPTH

typedef struct {
    const uchar *base, *end;
    const DplScanPlan *plan;
    DplScanValue *vals;
    DplScanMemo *memo; /* NULL: keys are always looked up */
    ShapeRec *rec;     /* NULL: no shape is being learnt */
} Scan;

/* Validates the value at p without recording anything; depth is the number
 * of containers already open around it.  Iterative, so deep input costs no
 * C stack: the innermost container's kind is kept in `close` (its closing
 * byte), the enclosing ones' in one bit per level (1 = object), read back
 * only when a container closes.  The common tokens are tested first, in the
 * order records have them. */
static const uchar *skip_value(const uchar *p, const uchar *end, int depth, ShapeRec *rec)
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
        if (rec)
            shape_rec_op(rec, p, SHAPE_STR, 0, 0);
        sf = 0;
        p = scan_str(p + 1, end, &sf);
        if (rec && p)
            shape_rec_past(rec, p);
    } else if (is_digit(*p) || *p == '-') {
        if (rec)
            shape_rec_op(rec, p, SHAPE_NUM, 0, 0);
        p = scan_number(p, end, NULL);
        if (rec && p)
            shape_rec_past(rec, p);
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
        p = tok_literal(p, end, &t);
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
            uint32_t cp = (uint32_t)tok_hex4(p + 2);
            p += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)tok_hex4(p + 2) - 0xDC00);
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
 * (s is NULL for a value off any plan, n then a node without children).
 * With a shape being learnt, the value's op (or its marks) goes into it. */
static inline __attribute__((always_inline)) const uchar *scan_into(Scan *s, const DplPlanNode *n,
                                                                    const uchar *base, const uchar *p,
                                                                    const uchar *end, int depth,
                                                                    DplScanValue *v)
{
    ShapeRec *rec = s ? s->rec : NULL;
    uint32_t slot = rec ? (uint32_t)(v - s->vals) : 0;
    if (p < end && (*p == '{' || *p == '[')) {
        const uchar *start = p;
        uint8_t type = *p == '{' ? DPL_SV_OBJECT : DPL_SV_ARRAY;
        if (rec)
            shape_rec_op(rec, p, SHAPE_OPEN, slot, 0);
        p = *p == '{' && n->nkids ? scan_object(s, p, depth, n) : skip_value(p, end, depth, rec);
        if (!p)
            return NULL;
        if (rec)
            shape_rec_op(rec, p, SHAPE_CLOSE, slot, type);
        v->start = (size_t)(start - base);
        v->len = (size_t)(p - start);
        v->type = type;
        v->flags = p - start == 2 ? DPL_SV_CANON : 0; /* {} or [] */
        return p;
    }
    if (rec)
        shape_rec_op(rec, p, SHAPE_VAL, slot, 0);
    p = scan_scalar(base, p, end, v);
    if (rec && p)
        shape_rec_past(rec, p);
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
    DplScanGuess *g =
        s->memo && n->guess != DPL_NO_GUESS ? s->memo->rows + (size_t)n->guess * DPL_GUESS_MEMBERS : NULL;
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
            for (uint32_t i = c->pre_begin + 1; i < c->pre_end; i++) {
                DplScanValue *dv = &s->vals[s->plan->preorder[i]];
                if (s->rec && dv->type != DPL_SV_MISSING)
                    s->rec->bad = true; /* a shape replays captures, it does not forget them */
                dv->type = DPL_SV_MISSING;
            }
            p = scan_node(s, p, depth, kid);
        } else if (p < end && *p == '"') {
            /* the common member off the plan, a string: no call */
            if (s->rec)
                shape_rec_op(s->rec, p, SHAPE_STR, 0, 0);
            unsigned vf = 0;
            p = scan_str(p + 1, end, &vf);
            if (s->rec && p)
                shape_rec_past(s->rec, p);
        } else {
            p = skip_value(p, end, depth, s->rec);
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

/* The full scan, learning the line's shape into rec when given. */
static bool scan_line(Scan *s)
{
    const uchar *p = skip_ws(s->base, s->end);
    p = scan_node(s, p, 0, 0);
    if (!p)
        return false;
    if (s->rec)
        shape_rec_op(s->rec, p, SHAPE_END, 0, 0);
    return skip_ws(p, s->end) == s->end;
}

bool dpl_scan(const DplScanPlan *plan, DplScanMemo *memo, const char *text, size_t len, DplScanValue *vals)
{
    assert(plan->frozen);
    assert(!memo || memo->nrows == plan->nguess);
    memset(vals, 0, plan->nnodes * sizeof *vals);
    Scan s = {(const uchar *)text, (const uchar *)text + len, plan, vals, memo, NULL};
    if (!memo)
        return scan_line(&s);
    bool learn;
    if (shape_read(memo, s.base, s.end, vals, plan->nnodes, &learn))
        return true;
    if (!learn)
        return scan_line(&s);
    ShapeRec rec = shape_learn_begin(memo, s.base);
    s.rec = &rec;
    if (!scan_line(&s))
        return false;
    shape_learn_end(memo, &rec);
    return true;
}

bool dpl_scan_value(const char *text, size_t len, size_t at, DplScanValue *v)
{
    static const DplPlanNode leaf; /* no children */
    const uchar *base = (const uchar *)text;
    return scan_into(NULL, &leaf, base, base + at, base + len, 0, v) != NULL;
}
