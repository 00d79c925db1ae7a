/* node.c — a raw container of the line (an R_RAW array or object) parsed
 * once per record into its elements or members, which are values of the
 * line in turn, their own containers parsed in the same pass.  The parse
 * also decides whether the container's bytes are already what
 * dpl_json_write prints for it (no white space, plain unique keys, every
 * scalar inside canonical), so a container that is only copied through is
 * written as one memcpy.
 *
 * The line was validated by the scan: nothing here checks the grammar
 * again.  A node lives in the record's arena; containers reached from scan
 * slots are remembered by address until the record ends, and containers
 * inside a parsed one carry their node in their value — except in a
 * program that never walks into values (DplEngine.deep false), where they
 * are only skimmed (their end, whether they are canonical) and parsed, by
 * address too, if ever needed.  In a line read through a shape that has a
 * template for the container (cut.c), the same node is made from the
 * template and the line's cuts instead (make, below). */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "engine/internal.h"

/* Keys compared for duplicates one by one up to this many members; a
 * larger object is written through the slow path, which decides exactly. */
#define DUP_CHECK_MAX 32

typedef struct {
    DplEngineState *st;
    const char *end;
} Parse;

static inline bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static inline const char *ws(const char *p, bool *canon)
{
    if (__builtin_expect((unsigned char)*p <= ' ', 0) && is_ws(*p)) { /* records are mostly compact */
        *canon = false;
        while (is_ws(*p))
            p++;
    }
    return p;
}

/* The first quote or backslash at or after p (the line holds a closing
 * quote, so this ends). */
static inline const char *quote_or_backslash(const char *p, const char *end)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
        if (m)
            return p + __builtin_ctz((unsigned)m);
        p += 16;
    }
#endif
    while (*p != '"' && *p != '\\')
        p++;
    return p;
}

/* Digits eight bytes at a time: the bytes of x with '0'..'9' turned into
 * 0..9 (the first byte of the number in the low byte), and how many of
 * them lead (0..8).  A non-digit byte t turned into t ^ '0' is >= 10, so
 * t + 0x76 or t itself has its top bit; a digit's sum stays below 0x80,
 * so no carry reaches the bytes up to the first non-digit. */
static inline unsigned lead_digits(const char *p, uint64_t *x)
{
    uint64_t v;
    memcpy(&v, p, 8);
    uint64_t t = v ^ 0x3030303030303030ull;
    uint64_t nd = ((t + 0x7676767676767676ull) | t) & 0x8080808080808080ull;
    *x = t;
    return nd ? (unsigned)__builtin_ctzll(nd) >> 3 : 8;
}

/* The byte after the run of digits at q. */
static inline const char *skip_digits(const char *q, const char *end)
{
    if (end - q >= 8) {
        uint64_t x;
        unsigned n = lead_digits(q, &x);
        if (n < 8)
            return q + n;
    }
    while ((unsigned)(*q - '0') < 10u)
        q++;
    return q;
}

/* A value the scanner must decide (an escaped string, a real): its span,
 * type and flags from dpl_scan_value. */
static const char *scanned(Parse *ps, const char *p, EVal *v)
{
    DplScanValue sv;
    DplEngineState *st = ps->st;
    if (!dpl_scan_value(st->line, st->len, (size_t)(p - st->line), &sv)) {
        *v = MISSING; /* cannot happen: the line was validated */
        return ps->end;
    }
    EVal got = ev_from_scan(st, &sv);
    if (got.t == V_REAL) /* parsed once: aggregates read elements often */
        got = ev_pack(V_REAL, R_RAW, got.canon, 1, 0, got.raw, got.rawlen, ev_bits(ev_realval(&got)));
    *v = got;
    return p + sv.len;
}

/* The scalar at p skimmed: its end, and *canon cleared when its bytes may
 * not be what dpl_json_write prints (cautious, as skim). */
static inline const char *skim_scalar(const char *p, const char *end, bool *canon)
{
    switch (*p) {
    case '"': {
        const char *q = quote_or_backslash(p + 1, end);
        while (*q == '\\') {
            *canon = false;
            q = quote_or_backslash(q + 2, end);
        }
        return q + 1;
    }
    case 't': return p + 4;
    case 'f': return p + 5;
    case 'n': return p + 4;
    default: {
        const char *q = skip_digits(p + (*p == '-'), end), *ip = p + (*p == '-');
        if (*q == '.') {
            const char *fp = ++q;
            q = skip_digits(q, end);
            if (*q == 'e' || *q == 'E' || !dpl_scan_real_canonical(ip, (size_t)(fp - 1 - ip), fp, (size_t)(q - fp)))
                *canon = false;
        } else if (q - p == 2 && p[0] == '-' && p[1] == '0') {
            *canon = false; /* -0 is written 0 */
        }
        if (*q == 'e' || *q == 'E') {
            *canon = false;
            q++;
            if (*q == '+' || *q == '-')
                q++;
            while ((unsigned)(*q - '0') < 10u)
                q++;
        }
        return q;
    }
    }
}

/* The container at p skimmed, not parsed: its end, and whether its bytes
 * are canonical, for a program that never walks into nested containers
 * (engine.deep is false: they are only copied).  Cautious: an escape, a
 * real with an exponent or a possible duplicate key count as not canonical,
 * and ev_write then parses it to decide exactly. */
static const char *skim(const char *p, const char *end, bool *canon)
{
    const bool obj = *p == '{';
    const char close = obj ? '}' : ']';
    uint64_t seen = 0;
    p = ws(p + 1, canon);
    if (*p == close)
        return p + 1;
    for (;;) {
        if (obj) {
            const char *q = quote_or_backslash(p + 1, end);
            while (*q == '\\') { /* an escaped key: not canonical; find its end */
                *canon = false;
                q = quote_or_backslash(q + 2, end);
            }
            size_t kn = (size_t)(q - (p + 1));
            uint64_t bit = ev_key_bit(p + 1, kn);
            if (seen & bit)
                *canon = false; /* maybe a key twice */
            seen |= bit;
            p = ws(q + 1, canon);
            p = ws(p + 1, canon); /* past ':' */
        }
        if (*p == '{' || *p == '[')
            p = skim(p, end, canon);
        else
            p = skim_scalar(p, end, canon);
        p = ws(p, canon);
        if (*p != ',')
            return p + 1; /* the closing bracket */
        p = ws(p + 1, canon);
    }
}

/* Scratch for the children of the containers being parsed (a stack: a
 * container's children are copied into the arena when it closes); makes
 * room for one more. */
static inline void reserve(DplEngineState *st)
{
    if (st->sn == st->scap) {
        st->scap = st->scap ? 2 * st->scap : 64;
        st->svals = dpl_realloc(st->svals, st->scap * sizeof *st->svals);
        st->skeys = dpl_realloc(st->skeys, st->scap * sizeof *st->skeys);
    }
}

static const char *parse_container(Parse *ps, const char *p, EVal *v);

/* One value at p (no white space before it) into *v: scalars here, inline
 * (the parse's inner loop), containers by parse_container or skim. */
static inline const char *parse_value(Parse *ps, const char *p, EVal *v)
{
    switch (*p) {
    case '{':
    case '[':
        if (!ps->st->eng->deep) {
            /* only copied by this program: its node is made if ever needed */
            bool c = true;
            const char *q = skim(p, ps->end, &c);
            *v = ev_pack(*p == '{' ? V_OBJ : V_ARR, R_RAW, c, 0, 0, p, (size_t)(q - p), 0);
            return q;
        }
        return parse_container(ps, p, v);
    case '"': {
        const char *q = quote_or_backslash(p + 1, ps->end);
        if (*q == '\\')
            return scanned(ps, p, v);
        *v = ev_pack(V_STR, R_RAW, 1, 0, (uint32_t)(q - (p + 1)), p, (size_t)(q + 1 - p), (uint64_t)(uintptr_t)(p + 1));
        return q + 1;
    }
    case 't':
        *v = ev_pack(V_TRUE, R_RAW, 1, 0, 0, p, 4, 0);
        return p + 4;
    case 'f':
        *v = ev_pack(V_FALSE, R_RAW, 1, 0, 0, p, 5, 0);
        return p + 5;
    case 'n':
        *v = ev_pack(V_NULL, R_RAW, 1, 0, 0, p, 4, 0);
        return p + 4;
    default: {
        /* integers and short decimals are settled here, the rest by the scanner */
        const char *q = p + (*p == '-'), *ip = q;
        uint64_t m = 0;
        /* a digit loop: the run lengths repeat from record to record, so
         * its branches are predicted, and it is quicker than combining
         * eight bytes at once, whose multiplies the value waits for */
        while ((unsigned)(*q - '0') < 10u)
            m = m * 10 + (uint64_t)(*q++ - '0');
        if (*q == '.') {
            const char *fp = ++q;
            while ((unsigned)(*q - '0') < 10u)
                m = m * 10 + (uint64_t)(*q++ - '0');
            size_t nint = (size_t)(fp - 1 - ip), nfrac = (size_t)(q - fp);
            if (*q == 'e' || *q == 'E' || nint + nfrac > 15)
                return scanned(ps, p, v);
            /* m < 10^15 and 10^nfrac are exact doubles: the quotient is
             * correctly rounded, as strtod's */
            double d = (double)m / ev_pow10(nfrac);
            *v = ev_pack(V_REAL, R_RAW, dpl_scan_real_canonical(ip, nint, fp, nfrac), 1, 0, p, (size_t)(q - p),
                         ev_bits(*p == '-' ? -d : d));
            return q;
        }
        if (*q == 'e' || *q == 'E')
            return scanned(ps, p, v);
        size_t len = (size_t)(q - p);
        *v = ev_pack(V_INT, R_RAW, !(len == 2 && p[0] == '-' && p[1] == '0'), 0, 0, p, len,
                     (uint64_t)(*p == '-' ? 0 - m : m));
        return q;
    }
    }
}

/* The container start..end (its closing bracket included) whose children
 * are st's scratch from base on: its node in one allocation (the node, its
 * values, its keys), the children popped; returns end. */
static const char *close_node(DplEngineState *st, size_t base, bool obj, bool canon, bool plain, uint64_t keybits,
                              const char *start, const char *end, EVal *v)
{
    size_t n = st->sn - base;
    size_t vbytes = n * sizeof(EVal), kbytes = obj ? n * sizeof(RKey) : 0;
    RNode *node = eng_alloc(st, sizeof(RNode) + vbytes + kbytes);
    EVal *vals = (EVal *)(void *)(node + 1);
    node->n = (uint32_t)n;
    node->canon = canon;
    node->plain = obj && plain;
    node->keybits = keybits;
    /* value by value: memcpy would read them back in wider pieces than
     * they were just stored in (see ev_copy) */
    for (size_t i = 0; i < n; i++)
        ev_copy(&vals[i], &st->svals[base + i]);
    node->vals = vals;
    node->keys = NULL;
    if (obj) {
        RKey *keys = (RKey *)(void *)(vals + n);
        for (size_t i = 0; i < n; i++)
            keys[i] = st->skeys[base + i];
        node->keys = keys;
    }
    st->sn = base;
    *v = ev_pack(obj ? V_OBJ : V_ARR, R_RAW, canon, 0, 0, start, (size_t)(end - start),
                 (uint64_t)(uintptr_t)node);
    return end;
}

/* One element's or member's value into a new slot of the scratch (a
 * nested container's own children go above it while it is parsed, and are
 * gone when it returns); returns the byte after it and its white space. */
static inline __attribute__((always_inline)) const char *push_value(Parse *ps, const char *p, bool *canon)
{
    DplEngineState *st = ps->st;
    reserve(st);
    size_t at = st->sn++;
    EVal e;
    p = parse_value(ps, p, &e);
    ev_copy(&st->svals[at], &e);
    *canon = *canon & (e.canon != 0); /* no branch: most values are canonical */
    return ws(p, canon);
}

/* An object's members: keys decoded (escaped ones by the scanner), values
 * pushed on the scratch. */
static const char *parse_object(Parse *ps, const char *p, EVal *v)
{
    DplEngineState *st = ps->st;
    const size_t base = st->sn;
    const char *start = p;
    bool canon = true, plain = true;
    uint64_t seen = 0; /* keys met, by length and first byte: most objects need no key compared */
    p = ws(p + 1, &canon);
    if (*p != '}') {
        for (;;) {
            RKey k;
            const char *q = quote_or_backslash(p + 1, ps->end);
            if (*q == '"') {
                k.s = p + 1;
                k.n = (uint32_t)(q - (p + 1));
                k.plain = 1;
                p = q + 1;
            } else {
                EVal kv;
                p = scanned(ps, p, &kv);
                k.s = kv.u.s;
                k.n = kv.n;
                k.plain = 0;
                plain = canon = false;
            }
            p = ws(p, &canon);
            p = ws(p + 1, &canon); /* past ':' */
            uint64_t bit = ev_key_bit(k.s, k.n);
            if (plain && (seen & bit)) {
                if (st->sn - base >= DUP_CHECK_MAX) {
                    plain = canon = false;
                } else {
                    for (size_t i = base; i < st->sn; i++)
                        if (st->skeys[i].n == k.n && ev_key_eq(st->skeys[i].s, k.s, k.n)) {
                            plain = canon = false;
                            break;
                        }
                }
            }
            seen |= bit;
            p = push_value(ps, p, &canon);
            st->skeys[st->sn - 1] = k;
            if (*p != ',')
                break;
            p = ws(p + 1, &canon);
        }
    }
    return close_node(st, base, true, canon, plain, seen, start, p + 1, v);
}

static const char *parse_array(Parse *ps, const char *p, EVal *v)
{
    DplEngineState *st = ps->st;
    const size_t base = st->sn;
    const char *start = p;
    bool canon = true;
    p = ws(p + 1, &canon);
    if (*p != ']') {
        for (;;) {
            p = push_value(ps, p, &canon);
            if (*p != ',')
                break;
            p = ws(p + 1, &canon);
        }
    }
    return close_node(st, base, false, canon, false, 0, start, p + 1, v);
}

static const char *parse_container(Parse *ps, const char *p, EVal *v)
{
    return *p == '{' ? parse_object(ps, p, v) : parse_array(ps, p, v);
}

/* ---- nodes made from templates (cut.c) -------------------------------------- */

static inline const char *tplace(const DplEngineState *st, CPlace p)
{
    return st->line + st->cuts.start[p.cut] - p.back;
}

/* A container only copied: its span, and whether its bytes are canonical
 * (bare all through, every scalar canonical as skim_scalar tells). */
static const TEnt *make_span(DplEngineState *st, const TEnt *t, EVal *out)
{
    const char *s = tplace(st, t->at), *e = tplace(st, t->close) + 1, *end = st->line + st->len;
    const TEnt *stop = t + t->size;
    bool canon = true;
    for (const TEnt *k = t; k < stop && canon; k++) {
        if (k->kind == TK_SCALAR)
            skim_scalar(tplace(st, k->at), end, &canon);
        else
            canon = k->bare;
    }
    *out = ev_pack(t->kind == TK_OBJ ? V_OBJ : V_ARR, R_RAW, canon, 0, 0, s, (size_t)(e - s), 0);
    return stop;
}

/* The container of entry t into *out, its node made; returns the entry
 * after its subtree.  Its containers get nodes too in a program that walks
 * into values, else only their spans (as the parse skims them). */
static const TEnt *make(Parse *ps, const TEnt *t, EVal *out)
{
    DplEngineState *st = ps->st;
    /* read once: the stores below (key lengths) could alias them */
    const char *line = st->line;
    const uint32_t *cs = st->cuts.start;
    const bool deep = st->eng->deep;
    const bool obj = t->kind == TK_OBJ;
    const uint32_t n = t->n;
    RNode *node = eng_alloc(st, sizeof(RNode) + n * sizeof(EVal) + (obj ? n * sizeof(RKey) : 0));
    EVal *vals = (EVal *)(void *)(node + 1);
    RKey *keys = obj ? (RKey *)(void *)(vals + n) : NULL;
    bool canon = t->bare;
    const TEnt *k = t + 1;
    for (uint32_t i = 0; i < n; i++) {
        if (obj)
            keys[i] = (RKey){line + cs[k->key.cut] - k->key.back, k->klen, 1};
        if (k->kind == TK_SCALAR) {
            parse_value(ps, line + cs[k->at.cut] - k->at.back, &vals[i]);
            k++;
        } else if (deep) {
            k = make(ps, k, &vals[i]);
        } else {
            k = make_span(st, k, &vals[i]);
        }
        canon = canon & (vals[i].canon != 0);
    }
    node->n = n;
    node->canon = canon;
    node->plain = obj;
    node->keybits = t->keybits;
    node->vals = vals;
    node->keys = keys;
    const char *s = line + cs[t->at.cut] - t->at.back, *e = line + cs[t->close.cut] - t->close.back + 1;
    *out = ev_pack(obj ? V_OBJ : V_ARR, R_RAW, canon, 0, 0, s, (size_t)(e - s), (uint64_t)(uintptr_t)node);
    return k;
}

void ev_scalar_of(DplEngineState *st, const TEnt *t, EVal *out)
{
    Parse ps = {st, st->line + st->len};
    parse_value(&ps, tplace(st, t->at), out);
}

const RNode *ev_node_of(DplEngineState *st, const TEnt *t)
{
    Parse ps = {st, st->line + st->len};
    EVal out;
    make(&ps, t, &out);
    return out.u.node;
}

/* A container not parsed yet in this record: made from the line's cuts
 * when its shape has a template for it (cut.c), else parsed (and the
 * parse turned into a template when cut.c asks). */
static const RNode *make_node(DplEngineState *st, const EVal *v)
{
    const RNode *node;
    bool learn = false;
    uint32_t open = 0;
    st->cut_parses++;
    if (st->cuts.shape && cut_node(st, v, &node, &learn, &open))
        return node;
    Parse ps = {st, st->line + st->len};
    EVal parsed;
    parse_container(&ps, v->raw, &parsed);
    if (learn)
        cut_learn(st, open, &parsed);
    return parsed.u.node;
}

const RNode *ev_node(DplEngineState *st, const EVal *v)
{
    if (v->u.node)
        return v->u.node;
    /* containers read from scan slots: remembered for the record */
    unsigned h = (unsigned)(((uintptr_t)v->raw * 0x9E3779B97F4A7C15ull) >> 58); /* 6 bits */
    for (unsigned i = 0; i < NODE_CACHE; i++) {
        unsigned at = (h + i) & (NODE_CACHE - 1);
        if (st->ncache[at].gen != st->gen) {
            const RNode *node = make_node(st, v);
            st->ncache[at].gen = st->gen;
            st->ncache[at].raw = v->raw;
            st->ncache[at].node = node;
            return node;
        }
        if (st->ncache[at].raw == v->raw)
            return st->ncache[at].node;
    }
    return make_node(st, v);
}
