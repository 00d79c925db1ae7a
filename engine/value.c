/* value.c — record-local values: the per-record arena, values read from the
 * line (R_RAW) and walked below, boxing to jansson and back for the rare
 * operations that go through the reference evaluator, output (compact and
 * canonical JSON, input bytes copied through where they are already what the
 * reference writer prints) and deep equality. */
#include <math.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "engine/internal.h"

/* ---- arena ---------------------------------------------------------------- */

#define CHUNK_MIN (64u * 1024u)

void *eng_alloc_slow(DplEngineState *st, size_t n)
{
    Chunk *c = st->cur;
    if (c && c->next && c->next->cap >= n) {
        c = c->next;
    } else {
        size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
        Chunk *nc = dpl_malloc(sizeof *nc + cap);
        nc->cap = cap;
        nc->used = 0;
        nc->next = c ? c->next : NULL;
        if (c)
            c->next = nc;
        else
            st->first = nc;
        c = nc;
    }
    c->used = n;
    st->cur = c;
    return c->data;
}

void eng_reset(DplEngineState *st)
{
    /* keep the first chunk; a record that needed more gives it back, so
     * memory follows the largest record in flight, not the stream */
    if (st->first) {
        Chunk *c = st->first->next;
        while (c) {
            Chunk *next = c->next;
            dpl_free(c);
            c = next;
        }
        st->first->next = NULL;
        st->first->used = 0;
    }
    st->cur = st->first;
    for (size_t i = 0; i < st->njrefs; i++)
        json_decref(st->jrefs[i]);
    st->njrefs = 0;
}

json_t *eng_keep(DplEngineState *st, json_t *j)
{
    if (st->njrefs == st->jcap) {
        st->jcap = st->jcap ? st->jcap * 2 : 16;
        st->jrefs = dpl_realloc(st->jrefs, st->jcap * sizeof *st->jrefs);
    }
    st->jrefs[st->njrefs++] = j;
    return j;
}

/* ---- constructors ------------------------------------------------------------ */


/* Decodes a validated JSON string body (between the quotes). */
size_t ev_decode_string(const char *p, size_t n, char *out)
{
    const char *end = p + n;
    size_t k = 0;
    while (p < end) {
        if (*p != '\\') {
            out[k++] = *p++;
            continue;
        }
        char c = p[1];
        if (c != 'u') {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            out[k++] = to[strchr(from, c) - from];
            p += 2;
            continue;
        }
        uint32_t cp = (uint32_t)strtoul((char[5]){p[2], p[3], p[4], p[5], 0}, NULL, 16);
        p += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo = (uint32_t)strtoul((char[5]){p[2], p[3], p[4], p[5], 0}, NULL, 16);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
        }
        k += (size_t)dpl_utf8_encode(cp, out + k);
    }
    return k;
}

double ev_realval_raw(const EVal *v)
{
    /* -?D+.D+ with at most 15 digits: m / 10^k is correctly rounded (m and
     * 10^k are exact doubles), as strtod is */
    const char *p = v->raw, *end = p + v->rawlen;
    bool neg = *p == '-';
    p += neg;
    uint64_t m = 0;
    int digits = 0, frac = -1;
    for (; p < end; p++) {
        if (*p >= '0' && *p <= '9') {
            m = m * 10 + (uint64_t)(*p - '0');
            digits++;
            if (frac >= 0)
                frac++;
        } else if (*p == '.' && frac < 0) {
            frac = 0;
        } else {
            break;
        }
    }
    if (p == end && digits <= 15 && frac >= 0) {
        double d = (double)m / ev_pow10(frac);
        return neg ? -d : d;
    }
    char small[64];
    char *buf = v->rawlen < sizeof small ? small : dpl_malloc(v->rawlen + 1);
    memcpy(buf, v->raw, v->rawlen);
    buf[v->rawlen] = '\0';
    double d = strtod(buf, NULL);
    if (buf != small)
        dpl_free(buf);
    return d;
}


/* ---- raw containers -------------------------------------------------------- */

void ev_members(DplEngineState *st, const EVal *obj, MemberFn fn, void *ctx)
{
    if (obj->t != V_OBJ)
        return;
    if (obj->rep == R_JSON) {
        json_t *o = obj->u.j;
        for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
            json_t *val = json_object_iter_value(it);
            EVal v = ev_unbox(st, json_incref(val));
            if (!fn(st, ctx, json_object_iter_key(it), json_object_iter_key_len(it), false, v))
                return;
        }
        return;
    }
    const RNode *node = ev_node(st, obj);
    for (uint32_t i = 0; i < node->n; i++)
        if (!fn(st, ctx, node->keys[i].s, node->keys[i].n, node->keys[i].plain, node->vals[i]))
            return;
}

EVal ev_escaped_string(DplEngineState *st, const char *raw, size_t len, uint8_t canon)
{
    char *d = eng_alloc(st, len);
    uint32_t n = (uint32_t)ev_decode_string(raw + 1, len - 2, d);
    return ev_pack(V_STR, R_RAW, canon, 0, n, raw, len, (uint64_t)(uintptr_t)d);
}

const EVal *ev_elements(DplEngineState *st, const EVal *arr, size_t *n)
{
    *n = 0;
    if (arr->t != V_ARR)
        return NULL;
    if (arr->rep == R_LIST) {
        *n = arr->n;
        return arr->u.list;
    }
    if (arr->rep == R_JSON) {
        size_t k = json_array_size(arr->u.j);
        EVal *out = eng_alloc(st, (k ? k : 1) * sizeof *out);
        for (size_t i = 0; i < k; i++)
            out[i] = ev_unbox(st, json_incref(json_array_get(arr->u.j, i)));
        *n = k;
        return out;
    }
    const RNode *node = ev_node(st, arr);
    *n = node->n;
    return node->vals;
}

static EVal walk_nodes(DplEngineState *st, EVal v, const DplSegment *segs, size_t i, size_t n);

EVal ev_walk(DplEngineState *st, EVal v, const DplSegment *segs, size_t i, size_t n)
{
    /* a container of the scan's slots in a line with a template for it:
     * the walk's scalars read at their cuts, no node made (cut.c) */
    EVal got;
    if (st->cuts.shape && i < n && v.rep == R_RAW && !v.u.node && (v.t == V_OBJ || v.t == V_ARR) &&
        cut_walk(st, &v, segs, i, n, &got))
        return got;
    return walk_nodes(st, v, segs, i, n);
}

/* ev_walk through parsed nodes (out of line: the walks answered by
 * templates then save few registers). */
static __attribute__((noinline)) EVal walk_nodes(DplEngineState *st, EVal v, const DplSegment *segs, size_t i,
                                                 size_t n)
{
    /* walks by pointer: values inside parsed containers are not copied
     * until the one returned */
    const EVal *cur = &v;
    EVal boxed;
    for (; i < n; i++) {
        const DplSegment *s = &segs[i];
        if (cur->t == V_MISSING)
            return MISSING;
        switch (s->kind) {
        case DPL_SEG_FIELD: {
            if (cur->t != V_OBJ)
                return MISSING;
            if (cur->rep == R_JSON) {
                json_t *j = json_object_getn(cur->u.j, s->name, s->name_len);
                if (!j)
                    return MISSING;
                boxed = ev_unbox(st, json_incref(j));
                cur = &boxed;
                break;
            }
            /* the last duplicate wins, as in jansson */
            const RNode *node = ev_node(st, cur);
            const RKey *k = node->keys;
            const EVal *found = NULL;
            for (uint32_t j = node->n; j-- > 0;)
                if (k[j].n == s->name_len && ev_key_eq(k[j].s, s->name, s->name_len)) {
                    found = &node->vals[j];
                    break;
                }
            if (!found)
                return MISSING;
            cur = found;
            break;
        }
        case DPL_SEG_INDEX: {
            if (cur->t != V_ARR)
                return MISSING;
            size_t len;
            const EVal *el = ev_elements(st, cur, &len);
            int64_t k = s->index;
            if (k < 0) {
                if ((uint64_t)(-(k + 1)) >= len)
                    return MISSING;
                k = (int64_t)len + k;
            } else if ((uint64_t)k >= len) {
                return MISSING;
            }
            cur = &el[k];
            break;
        }
        case DPL_SEG_STAR: {
            if (cur->t != V_ARR)
                return MISSING;
            size_t len;
            const EVal *el = ev_elements(st, cur, &len);
            EVal *out = eng_alloc(st, (len ? len : 1) * sizeof *out);
            size_t k = 0;
            size_t j = 0;
            if (i + 2 == n && segs[i + 1].kind == DPL_SEG_FIELD) {
                /* a[*].f, the usual form: each parsed element's member
                 * looked up here, without a walk per element */
                const DplSegment *f = &segs[i + 1];
                for (; j < len && el[j].rep == R_RAW; j++) {
                    if (el[j].t != V_OBJ)
                        continue;
                    const RNode *node = ev_node(st, &el[j]);
                    for (uint32_t m = node->n; m-- > 0;) /* the last duplicate wins */
                        if (node->keys[m].n == f->name_len &&
                            ev_key_eq(node->keys[m].s, f->name, f->name_len)) {
                            ev_copy(&out[k++], &node->vals[m]);
                            break;
                        }
                }
            }
            for (; j < len; j++) {
                EVal r = ev_walk(st, el[j], segs, i + 1, n);
                if (r.t != V_MISSING)
                    ev_copy(&out[k++], &r);
            }
            return ev_pack(V_ARR, R_LIST, 0, 0, (uint32_t)k, NULL, 0, (uint64_t)(uintptr_t)out);
        }
        }
    }
    return *cur;
}

bool ev_present(DplEngineState *st, EVal v, const DplSegment *segs, size_t i, size_t n)
{
    for (; i < n; i++) {
        const DplSegment *s = &segs[i];
        switch (s->kind) {
        case DPL_SEG_FIELD:
        case DPL_SEG_INDEX:
            v = ev_walk(st, v, segs, i, i + 1);
            break;
        case DPL_SEG_STAR: {
            if (v.t != V_ARR)
                return false;
            size_t len;
            const EVal *el = ev_elements(st, &v, &len);
            for (size_t k = 0; k < len; k++)
                if (ev_present(st, el[k], segs, i + 1, n))
                    return true;
            return false;
        }
        }
        if (v.t == V_MISSING)
            return false;
    }
    return true;
}

/* ---- boxing ------------------------------------------------------------------ */

json_t *ev_box(DplEngineState *st, const EVal *v)
{
    switch (v->t) {
    case V_MISSING: return NULL;
    case V_NULL: return json_null();
    case V_FALSE: return json_false();
    case V_TRUE: return json_true();
    case V_INT: return json_integer(v->u.i);
    case V_REAL: return json_real(ev_realval(v));
    case V_STR: return json_stringn_nocheck(v->u.s, v->n);
    default: break;
    }
    if (v->rep == R_JSON)
        return json_incref(v->u.j);
    if (v->rep == R_LIST) {
        json_t *a = json_array();
        for (size_t i = 0; i < v->n; i++)
            json_array_append_new(a, ev_box(st, &v->u.list[i]));
        return a;
    }
    return json_loadb(v->raw, v->rawlen, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
}

EVal ev_unbox(DplEngineState *st, json_t *j)
{
    if (!j)
        return MISSING;
    EVal v = MISSING;
    switch (json_typeof(j)) {
    case JSON_NULL: v = ev_pack(V_NULL, R_NAT, 0, 0, 0, NULL, 0, 0); break;
    case JSON_TRUE: v = ev_bool(true); break;
    case JSON_FALSE: v = ev_bool(false); break;
    case JSON_INTEGER: v = ev_int(json_integer_value(j)); break;
    case JSON_REAL: v = ev_real(json_real_value(j)); break;
    case JSON_STRING:
        eng_keep(st, j);
        return ev_str(json_string_value(j), json_string_length(j));
    case JSON_ARRAY:
    case JSON_OBJECT:
        eng_keep(st, j);
        return ev_pack(json_is_array(j) ? V_ARR : V_OBJ, R_JSON, 0, 0, 0, NULL, 0, (uint64_t)(uintptr_t)j);
    }
    json_decref(j);
    return v;
}

const char *ev_article(DplEngineState *st, const EVal *v)
{
    (void)st;
    switch (v->t) {
    case V_MISSING: return "a missing value";
    case V_NULL: return dpl_type_article(DPL_T_NULL);
    case V_FALSE:
    case V_TRUE: return dpl_type_article(DPL_T_BOOL);
    case V_INT: return dpl_type_article(DPL_T_INT);
    case V_REAL: return dpl_type_article(DPL_T_REAL);
    case V_STR: return dpl_type_article(DPL_T_STRING);
    case V_ARR: return dpl_type_article(DPL_T_ARRAY);
    default: return dpl_type_article(DPL_T_OBJECT);
    }
}

/* ---- output ------------------------------------------------------------------ */

static inline void put(DplBuf *b, const void *p, size_t n)
{
    eng_put(b, p, n);
    b->data[b->len] = '\0';
}

/* Whether any of the bytes in x is < 0x20, '"' or '\\' (exact: the
 * classic "has a zero byte" test, on x and on x with those bytes moved to 0). */
static inline bool word_needs_escape(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high;
}

bool ev_needs_escape(const char *s, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    if (n >= 16) {
        const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1f);
        for (;; i += 16) {
            if (i + 16 > n)
                i = n - 16; /* the last block overlaps the one before */
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            /* a byte < 0x20: min(v, 0x1f) == v on unsigned bytes */
            __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                       _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v));
            if (_mm_movemask_epi8(hit))
                return true;
            if (i + 16 == n)
                return false;
        }
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        if (word_needs_escape(x))
            return true;
    }
    if (i < n && n >= 8) { /* the tail, as the last 8 bytes */
        uint64_t x;
        memcpy(&x, s + n - 8, 8);
        return word_needs_escape(x);
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\')
            return true;
    }
    return false;
}

/* s[0..n), which needs no escape, as a JSON string: one copy. */
static void put_quoted(DplBuf *out, const char *s, size_t n)
{
    if (out->cap - out->len <= n + 2)
        dpl_buf_reserve(out, n + 2);
    char *d = out->data + out->len;
    d[0] = '"';
    memcpy(d + 1, s, n);
    d[n + 1] = '"';
    out->len += n + 2;
    out->data[out->len] = '\0';
}

void ev_put_string(DplBuf *out, const char *s, size_t n)
{
    /* most strings need no escape: one check, one copy */
    if (ev_needs_escape(s, n))
        dpl_json_write_string(out, s, n);
    else
        put_quoted(out, s, n);
}

static void put_int(DplBuf *out, int64_t v)
{
    char buf[24];
    put(out, buf, (size_t)dpl_json_format_i64(v, buf));
}

void ev_write(DplEngineState *st, DplBuf *out, const EVal *v)
{
    if (v->rep == R_RAW && v->canon) {
        put(out, v->raw, v->rawlen);
        return;
    }
    switch (v->t) {
    case V_MISSING:
    case V_NULL: put(out, "null", 4); return;
    case V_FALSE: put(out, "false", 5); return;
    case V_TRUE: put(out, "true", 4); return;
    case V_INT: put_int(out, v->u.i); return;
    case V_REAL: {
        char buf[40];
        put(out, buf, (size_t)dpl_json_format_real(ev_realval(v), buf));
        return;
    }
    case V_STR:
        if (v->canon) /* R_NAT here: a plain computed string, no escape scan */
            put_quoted(out, v->u.s, v->n);
        else
            ev_put_string(out, v->u.s, v->n);
        return;
    default: break;
    }
    if (v->rep == R_LIST) {
        put(out, "[", 1);
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                put(out, ",", 1);
            const EVal *e = &v->u.list[i];
            if (e->rep == R_RAW && e->canon) /* the usual element: a value of the line */
                put(out, e->raw, e->rawlen);
            else
                ev_write(st, out, e);
        }
        put(out, "]", 1);
        return;
    }
    if (v->rep == R_RAW) {
        const RNode *node = ev_node(st, v);
        if (node->canon) {
            put(out, v->raw, v->rawlen);
            return;
        }
        if (v->t == V_ARR || node->plain) {
            put(out, v->t == V_ARR ? "[" : "{", 1);
            for (uint32_t i = 0; i < node->n; i++) {
                if (i)
                    put(out, ",", 1);
                if (v->t == V_OBJ) {
                    put(out, "\"", 1);
                    put(out, node->keys[i].s, node->keys[i].n);
                    put(out, "\":", 2);
                }
                ev_write(st, out, &node->vals[i]);
            }
            put(out, v->t == V_ARR ? "]" : "}", 1);
            return;
        }
    }
    json_t *j = ev_box(st, v);
    dpl_json_write(out, j);
    json_decref(j);
}

void ev_write_canonical(DplEngineState *st, DplBuf *out, const EVal *v)
{
    switch (v->t) {
    case V_TRUE: put(out, "true", 4); return;
    case V_FALSE: put(out, "false", 5); return;
    case V_NULL: put(out, "null", 4); return;
    case V_INT: put_int(out, v->u.i); return;
    case V_STR:
        if (v->rep == R_RAW && v->canon)
            put(out, v->raw, v->rawlen);
        else if (v->rep == R_NAT && v->canon) /* a plain computed string: no escape scan */
            put_quoted(out, v->u.s, v->n);
        else
            ev_put_string(out, v->u.s, v->n);
        return;
    default: break;
    }
    json_t *j = ev_box(st, v);
    dpl_json_write_canonical(out, j);
    json_decref(j);
}

bool ev_equal(DplEngineState *st, const EVal *a, const EVal *b)
{
    if (a->t == b->t) {
        switch (a->t) {
        case V_NULL:
        case V_TRUE:
        case V_FALSE: return true;
        case V_INT: return a->u.i == b->u.i;
        case V_REAL: return ev_realval(a) == ev_realval(b);
        case V_STR: return a->n == b->n && memcmp(a->u.s, b->u.s, a->n) == 0;
        default: break;
        }
    }
    json_t *x = ev_box(st, a), *y = ev_box(st, b);
    bool eq = dpl_json_equal(x, y);
    json_decref(x);
    json_decref(y);
    return eq;
}
