/* expr.c — evaluates an ENode on record-local values.  Operators, casts and
 * the common builtins run natively on the types they usually meet; anything
 * else (an unusual type mix, an error, a builtin without a native form) is
 * handed to the reference evaluator's own function (dpl_eval_apply) on boxed
 * operands, so results and error messages are the reference's by
 * construction.  Errors are recorded once in st->err (first wins) and the
 * value is then missing. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/internal.h"

void eng_fail(DplEngineState *st, const DplExpr *e, DplRtCode code, const char *fmt, ...)
{
    if (st->err.set)
        return;
    st->err.set = true;
    st->err.code = code;
    st->err.span = e->span;
    st->err.value = NULL;
    st->err.path = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err.message, sizeof st->err.message, fmt, ap);
    va_end(ap);
}

void eng_blame(DplEngineState *st, const DplExpr *operand, const EVal *v)
{
    if (!st->err.set || st->err.value)
        return;
    st->err.value = v && v->t != V_MISSING ? eng_keep(st, ev_box(st, v)) : NULL;
    st->err.path = dpl_expr_abs_path(operand);
}

void eng_collect(DplEngineState *st, DplResult *res, const char *fallback_path)
{
    const char *path = st->err.path ? st->err.path : fallback_path;
    dpl_result_add_error(res, st->err.code, path, &st->err.span, "%s", st->err.message);
    if ((st->err.code == DPL_RT_TYPE_ERROR || st->err.code == DPL_RT_CAST_FAILED) && st->err.value)
        dpl_result_set_value(res, st->err.value);
    st->err.set = false;
    st->err.value = NULL;
    st->err.path = NULL;
}

/* The reference semantics of node n on operands ops[0..k). */
static EVal generic(DplEngineState *st, const ENode *n, const EVal *ops, size_t k)
{
    json_t *stack[8] = {0};
    json_t **args = k <= 8 ? stack : dpl_malloc(k * sizeof *args);
    for (size_t i = 0; i < k; i++)
        args[i] = ev_box(st, &ops[i]);
    DplRtError err = {0};
    DplSpan span = {0};
    json_t *value = NULL;
    const char *path = NULL;
    json_t *r = dpl_eval_apply(n->e, args, k, &err, &span, &value, &path);
    for (size_t i = 0; i < k; i++)
        json_decref(args[i]);
    if (args != stack)
        dpl_free(args);
    if (err.set) {
        if (!st->err.set) {
            st->err.set = true;
            st->err.code = err.code;
            st->err.span = span;
            memcpy(st->err.message, err.message, sizeof st->err.message);
            st->err.value = value ? eng_keep(st, value) : NULL;
            st->err.path = path;
        } else {
            json_decref(value);
        }
        return MISSING;
    }
    return ev_unbox(st, r);
}

static inline bool absent(const EVal *v) { return v->t == V_MISSING || v->t == V_NULL; }
static inline bool is_num(const EVal *v) { return v->t == V_INT || v->t == V_REAL; }

static EVal arena_str(DplEngineState *st, const char *s, size_t n)
{
    char *d = eng_alloc(st, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return ev_str(d, n);
}

/* ---- paths and meta ------------------------------------------------------------ */

/* A walk of the path cache not taken yet in this record: taken and kept.
 * Out of line, as is eval_path: the cache's hits, and plain slots, are
 * what eval_slot_path does most, and need no registers saved. */
static __attribute__((noinline)) EVal walk_and_keep(DplEngineState *st, const ENode *n)
{
    uint32_t i = n->cache - 1;
    const DplPath *p = n->path;
    EVal v = ev_walk(st, ev_from_scan(st, &st->vals[n->slot]), p->segs, n->rest, p->nsegs);
    st->pgen[i] = st->gen;
    ev_copy(&st->pcache[i], &v);
    return v;
}

/* A path of no cache entry: a constant, below `from` or 'item, or a slot
 * with segments walked each time. */
static __attribute__((noinline)) EVal eval_path(DplEngineState *st, const ENode *n)
{
    const DplPath *p = n->path;
    const bool walk = p && n->rest < p->nsegs;
    switch (n->base) {
    case PB_CONST: return n->k;
    case PB_FROM: return walk ? ev_walk(st, st->from, p->segs, n->rest, p->nsegs) : st->from;
    case PB_ITEM: return walk ? ev_walk(st, st->item, p->segs, n->rest, p->nsegs) : st->item;
    default: /* PB_SLOT: eval_slot_path reads a slot with nothing to walk */
        return ev_walk(st, ev_from_scan(st, &st->vals[n->slot]), p->segs, n->rest, p->nsegs);
    }
}

static EVal eval_meta(DplEngineState *st, const ENode *n)
{
    switch (n->e->u.meta.which) {
    case DPL_META_ID: return st->id_ready ? ev_str(st->idhex, 64) : MISSING;
    case DPL_META_SOURCE: return st->source;
    case DPL_META_ENTITY: return ev_str(st->eng->name, st->eng->name_len);
    case DPL_META_LINE: return ev_int(st->lineno);
    case DPL_META_ITEM: return st->item;
    default: return MISSING;
    }
}

/* ---- operators -------------------------------------------------------------------- */

static int cmp_bytes(const EVal *a, const EVal *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    int r = memcmp(a->u.s, b->u.s, n);
    if (r)
        return r < 0 ? -1 : 1;
    return a->n < b->n ? -1 : a->n > b->n;
}

/* The result of < <= > >= (op) for operands that compare as r (-1, 0, 1). */
static inline EVal order_holds(DplOp op, int r)
{
    return ev_bool(op == DPL_OP_LT ? r < 0 : op == DPL_OP_LE ? r <= 0 : op == DPL_OP_GT ? r > 0 : r >= 0);
}

static EVal eval_binary(DplEngineState *st, const ENode *n)
{
    /* the operands are read where they were built; only the reference's
     * path below needs them side by side */
    EVal va = ev_operand(st, n->kids[0]);
    if (st->err.set)
        return MISSING;
    EVal vb = ev_operand(st, n->kids[1]);
    if (st->err.set)
        return MISSING;
    const EVal *a = &va, *b = &vb;
    if (a->t == V_MISSING || b->t == V_MISSING)
        return MISSING;
    DplOp op = n->e->u.binary.op;
    if (op == DPL_OP_EQ || op == DPL_OP_NE) {
        bool eq = ev_equal(st, a, b);
        return ev_bool(op == DPL_OP_EQ ? eq : !eq);
    }
    if (a->t == V_NULL || b->t == V_NULL)
        return MISSING;
    switch (op) {
    case DPL_OP_LT:
    case DPL_OP_LE:
    case DPL_OP_GT:
    case DPL_OP_GE: {
        int r;
        if (a->t == V_INT && b->t == V_INT)
            r = a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
        else if (a->t == V_REAL && b->t == V_REAL) {
            double x = ev_realval(a), y = ev_realval(b);
            r = x < y ? -1 : x > y;
        } else if (a->t == V_INT && b->t == V_REAL)
            r = dpl_cmp_int_real(a->u.i, ev_realval(b));
        else if (a->t == V_REAL && b->t == V_INT)
            r = -dpl_cmp_int_real(b->u.i, ev_realval(a));
        else if (a->t == V_STR && b->t == V_STR)
            r = cmp_bytes(a, b);
        else
            break;
        return order_holds(op, r);
    }
    case DPL_OP_ADD:
        if (a->t == V_STR && b->t == V_STR) {
            char *d = eng_alloc(st, (size_t)a->n + b->n + 1);
            memcpy(d, a->u.s, a->n);
            memcpy(d + a->n, b->u.s, b->n);
            d[a->n + b->n] = '\0';
            return ev_str(d, (size_t)a->n + b->n);
        }
        /* fall through */
    case DPL_OP_SUB:
    case DPL_OP_MUL:
        if (a->t == V_INT && b->t == V_INT) {
            int64_t r;
            bool ovf = op == DPL_OP_ADD   ? __builtin_add_overflow(a->u.i, b->u.i, &r)
                       : op == DPL_OP_SUB ? __builtin_sub_overflow(a->u.i, b->u.i, &r)
                                          : __builtin_mul_overflow(a->u.i, b->u.i, &r);
            if (!ovf)
                return ev_int(r);
        } else if (is_num(a) && is_num(b)) {
            double x = ev_num(a), y = ev_num(b);
            double r = op == DPL_OP_ADD ? x + y : op == DPL_OP_SUB ? x - y : x * y;
            if (isfinite(r))
                return ev_real(r);
        }
        break;
    case DPL_OP_DIV:
        if (is_num(a) && is_num(b)) {
            double y = ev_num(b);
            if (y != 0) {
                double r = ev_num(a) / y;
                if (isfinite(r))
                    return ev_real(r);
            }
        }
        break;
    case DPL_OP_MOD:
        if (a->t == V_INT && b->t == V_INT && b->u.i != 0)
            return ev_int(b->u.i == -1 ? 0 : a->u.i % b->u.i);
        break;
    default: break;
    }
    EVal ops[2];
    ev_copy(&ops[0], a);
    ev_copy(&ops[1], b);
    return generic(st, n, ops, 2);
}

/* `path OP integer` with OP one of < <= > >= and the path a scan slot (the
 * usual requirement and condition, `ano >= 1950`): an integer or an
 * already-read real is compared in place, without building either operand;
 * anything else is eval_binary's. */
static EVal eval_cmp_slot_int(DplEngineState *st, const ENode *n)
{
    const DplScanValue *sv = &st->vals[n->kids[0]->slot];
    const int64_t c = n->kids[1]->k.u.i;
    int r;
    if (sv->type == DPL_SV_INT) {
        r = (sv->i > c) - (sv->i < c);
    } else if (sv->type == DPL_SV_REAL && (sv->flags & DPL_SV_PARSED)) {
        double x;
        memcpy(&x, &sv->i, sizeof x);
        r = -dpl_cmp_int_real(c, x);
    } else {
        return eval_binary(st, n);
    }
    return order_holds(n->e->u.binary.op, r);
}

/* `path OP number` with OP one of + - * / and the path a scan slot
 * holding a real the scan read (`valor * 1.1`): computed in place, as
 * eval_binary computes two numbers; anything else is eval_binary's. */
static EVal eval_arith_slot_num(DplEngineState *st, const ENode *n)
{
    const DplScanValue *sv = &st->vals[n->kids[0]->slot];
    if (sv->type == DPL_SV_REAL && (sv->flags & DPL_SV_PARSED)) {
        double x, y = ev_num(&n->kids[1]->k), r;
        memcpy(&x, &sv->i, sizeof x);
        switch (n->e->u.binary.op) {
        case DPL_OP_ADD: r = x + y; break;
        case DPL_OP_SUB: r = x - y; break;
        case DPL_OP_MUL: r = x * y; break;
        default: r = y != 0 ? x / y : NAN; break; /* DPL_OP_DIV */
        }
        if (isfinite(r))
            return ev_real(r);
    }
    return eval_binary(st, n);
}

void eng_bind_binary(ENode *n)
{
    DplOp op = n->e->u.binary.op;
    if ((op == DPL_OP_LT || op == DPL_OP_LE || op == DPL_OP_GT || op == DPL_OP_GE) && n->nkids == 2 &&
        n->kids[0]->leaf == LEAF_SLOT && n->kids[1]->leaf == LEAF_CONST && n->kids[1]->k.t == V_INT)
        n->eval = eval_cmp_slot_int;
    if ((op == DPL_OP_ADD || op == DPL_OP_SUB || op == DPL_OP_MUL || op == DPL_OP_DIV) && n->nkids == 2 &&
        n->kids[0]->leaf == LEAF_SLOT && n->kids[1]->leaf == LEAF_CONST && is_num(&n->kids[1]->k))
        n->eval = eval_arith_slot_num;
}

static EVal eval_unary(DplEngineState *st, const ENode *n)
{
    EVal a = ev_operand(st, n->kids[0]);
    if (st->err.set || absent(&a))
        return MISSING;
    if (n->e->u.unary.op == DPL_OP_NOT) {
        if (a.t == V_TRUE || a.t == V_FALSE)
            return ev_bool(a.t == V_FALSE);
    } else if (a.t == V_INT && a.u.i != INT64_MIN) {
        return ev_int(-a.u.i);
    } else if (a.t == V_REAL) {
        return ev_real(-ev_realval(&a));
    }
    return generic(st, n, &a, 1);
}

/* A condition operand of and/or: 1, 0, or -1 for missing/null. */
static int bool_operand(DplEngineState *st, const ENode *n, const ENode *operand, const char *what)
{
    EVal v = ev_operand(st, operand);
    if (st->err.set || absent(&v))
        return -1;
    if (v.t == V_TRUE || v.t == V_FALSE)
        return v.t == V_TRUE;
    eng_fail(st, n->e, DPL_RT_TYPE_ERROR, "`%s` needs booleans, found %s", what, ev_article(st, &v));
    eng_blame(st, operand->e, &v);
    return -1;
}

static EVal eval_logic(DplEngineState *st, const ENode *n, bool is_and)
{
    const char *sp = is_and ? "and" : "or";
    int a = bool_operand(st, n, n->kids[0], sp);
    if (st->err.set)
        return MISSING;
    if (a == (is_and ? 0 : 1))
        return ev_bool(a);
    int b = bool_operand(st, n, n->kids[1], sp);
    if (st->err.set)
        return MISSING;
    if (b == (is_and ? 0 : 1))
        return ev_bool(b);
    if (a < 0 || b < 0)
        return MISSING;
    return ev_bool(is_and);
}

static EVal buf_str(DplEngineState *st);
static long scalar_chars(const EVal *v, char buf[40], const char **s);

/* ---- casts -------------------------------------------------------------------- */

static EVal eval_cast(DplEngineState *st, const ENode *n)
{
    EVal a = ev_operand(st, n->kids[0]);
    if (st->err.set || a.t == V_MISSING)
        return MISSING;
    switch (n->e->u.cast.type) {
    case DPL_CAST_INT:
        if (a.t == V_INT)
            return a;
        if (a.t == V_REAL) {
            double d = ev_realval(&a);
            if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && (double)(int64_t)d == d)
                return ev_int((int64_t)d);
        } else if (a.t == V_STR) {
            int64_t v;
            if (dpl_cast_text_int(a.u.s, a.n, &v))
                return ev_int(v);
        }
        break;
    case DPL_CAST_FLOAT:
        if (a.t == V_REAL)
            return a;
        if (a.t == V_INT)
            return ev_real((double)a.u.i);
        if (a.t == V_STR) {
            double d;
            if (dpl_cast_text_real(a.u.s, a.n, &d))
                return ev_real(d);
        }
        break;
    case DPL_CAST_STRING:
        if (a.t == V_STR)
            return a;
        if (a.t == V_INT || a.t == V_REAL) {
            /* an integer's digits, a real as the writer prints it: often the
             * input's own bytes, which the string then borrows */
            char buf[40];
            const char *src;
            long n = scalar_chars(&a, buf, &src);
            EVal r = src == buf ? arena_str(st, buf, (size_t)n) : ev_str(src, (size_t)n);
            return ev_str_plain(r.u.s, r.n); /* digits, sign, point, exponent */
        }
        if (a.t == V_TRUE || a.t == V_FALSE)
            return a.t == V_TRUE ? ev_str_plain("true", 4) : ev_str_plain("false", 5);
        break;
    case DPL_CAST_BOOL:
        if (a.t == V_TRUE || a.t == V_FALSE)
            return a;
        if (a.t == V_STR) {
            bool b;
            if (dpl_cast_text_bool(a.u.s, a.n, &b))
                return ev_bool(b);
        }
        break;
    default: break;
    }
    return generic(st, n, &a, 1);
}

/* `path as int/float/string` on a scan slot, the usual casts: a value
 * already of the type is the slot's own, and an integer whose bytes are
 * canonical becomes a string borrowing them, read from the scan without
 * building the operand; anything else is eval_cast's. */
static EVal eval_cast_slot(DplEngineState *st, const ENode *n)
{
    const DplScanValue *sv = &st->vals[n->kids[0]->slot];
    switch (n->e->u.cast.type) {
    case DPL_CAST_INT:
        if (sv->type == DPL_SV_INT)
            return ev_from_scan(st, sv);
        break;
    case DPL_CAST_FLOAT:
        if (sv->type == DPL_SV_REAL)
            return ev_from_scan(st, sv);
        break;
    case DPL_CAST_STRING:
        if (sv->type == DPL_SV_INT && (sv->flags & DPL_SV_CANON))
            return ev_str_plain(st->line + sv->start, sv->len); /* digits and a sign */
        if (sv->type == DPL_SV_STRING)
            return ev_from_scan(st, sv);
        break;
    default: break;
    }
    return eval_cast(st, n);
}

void eng_bind_cast(ENode *n)
{
    if (n->nkids == 1 && n->kids[0]->leaf == LEAF_SLOT)
        n->eval = eval_cast_slot;
}

/* ---- calls ------------------------------------------------------------------------ */

/* The text of a scalar as concat and `as string` give it: its bytes in *s
 * (a string's content, a number's input bytes when they are what the writer
 * prints, else formatted into buf), its length returned; -1 for other types. */
static long scalar_chars(const EVal *v, char buf[40], const char **s)
{
    switch (v->t) {
    case V_STR: *s = v->u.s; return (long)v->n;
    case V_INT:
    case V_REAL:
        if (v->rep == R_RAW && v->canon) {
            *s = v->raw;
            return (long)v->rawlen;
        }
        *s = buf;
        return v->t == V_INT ? dpl_json_format_i64(v->u.i, buf) : dpl_json_format_real(ev_realval(v), buf);
    case V_TRUE: *s = "true"; return 4;
    case V_FALSE: *s = "false"; return 5;
    default: return -1;
    }
}

static EVal buf_str(DplEngineState *st)
{
    return arena_str(st, st->tmp.data ? st->tmp.data : "", st->tmp.len);
}

/* sum / avg over an array of numbers and nulls, as numbers.c does; false
 * when an element is something else (the reference reports it). */
static bool total(DplEngineState *st, const EVal *arr, __int128 *ints, double *reals, size_t *count, size_t *nreals)
{
    size_t n;
    const EVal *el = ev_elements(st, arr, &n);
    /* sums in locals: through the pointers, each addition would wait for
     * the store of the one before (they may alias the elements) */
    __int128 si = 0;
    double sr = 0;
    size_t c = 0, cr = 0;
    for (size_t i = 0; i < n; i++) {
        if (el[i].t == V_INT)
            si += el[i].u.i;
        else if (el[i].t == V_REAL) {
            sr += ev_realval(&el[i]);
            cr++;
        } else if (el[i].t == V_NULL)
            continue;
        else
            return false;
        c++;
    }
    *ints = si;
    *reals = sr;
    *count = c;
    *nreals = cr;
    return true;
}

/* map(arr, expr) / filter(arr, cond): the second argument once per element,
 * with relative paths and 'item at the element (spec §12.2). */
static EVal eval_elements(DplEngineState *st, const ENode *n, bool is_map)
{
    EVal arr = ev_operand(st, n->kids[0]);
    if (st->err.set || arr.t == V_MISSING || arr.t == V_NULL)
        return MISSING;
    if (arr.t != V_ARR) {
        json_t *b = eng_keep(st, ev_box(st, &arr));
        eng_fail(st, n->e, DPL_RT_TYPE_ERROR, "%s(): argument 1 must be an array, got %s", n->e->u.call.name,
                 dpl_value_type_name(b));
        eng_blame(st, n->e->u.call.args[0], &arr);
        return MISSING;
    }
    size_t len;
    const EVal *el = ev_elements(st, &arr, &len);
    EVal *out = eng_alloc(st, (len ? len : 1) * sizeof *out);
    size_t k = 0;
    if (is_map && n->kids[1]->leaf == LEAF_ITEM_FIELD) {
        /* map(arr, field): each element's member, looked up directly */
        const DplSegment *seg = &n->kids[1]->path->segs[0];
        size_t i = 0;
        for (; i < len && el[i].t == V_OBJ && el[i].rep == R_RAW; i++) {
            const RNode *node = ev_node(st, &el[i]);
            for (uint32_t j = node->n; j-- > 0;) /* the last duplicate wins */
                if (node->keys[j].n == seg->name_len && ev_key_eq(node->keys[j].s, seg->name, seg->name_len)) {
                    ev_copy(&out[k++], &node->vals[j]);
                    break;
                }
        }
        if (i == len)
            return ev_pack(V_ARR, R_LIST, 0, 0, (uint32_t)k, NULL, 0, (uint64_t)(uintptr_t)out);
        k = 0; /* an element of another kind: the general loop below */
    }
    EVal saved = st->item;
    for (size_t i = 0; i < len; i++) {
        st->item = el[i];
        EVal v = ev_operand(st, n->kids[1]);
        if (st->err.set)
            break;
        if (is_map ? v.t != V_MISSING : v.t == V_TRUE)
            ev_copy(&out[k++], is_map ? &v : &el[i]);
    }
    st->item = saved;
    if (st->err.set)
        return MISSING;
    return ev_pack(V_ARR, R_LIST, 0, 0, (uint32_t)k, NULL, 0, (uint64_t)(uintptr_t)out);
}

/* lower or upper of a string that is not all ASCII (out of line: the
 * callers of string_fn keep few registers for the usual case). */
static __attribute__((noinline)) EVal case_map_unicode(DplEngineState *st, const EVal *a, bool upper)
{
    dpl_buf_reset(&st->tmp);
    dpl_std_case_map(&st->tmp, a->u.s, a->n, upper);
    return buf_str(st);
}

/* lower, upper, trim and digits of a string. */
static inline EVal string_fn(DplEngineState *st, NFn fn, const EVal *a)
{
    switch (fn) {
    case F_LOWER:
    case F_UPPER: {
        /* ASCII (the usual case) straight into the record's arena */
        char *d = eng_alloc(st, (size_t)a->n + 1);
        if (dpl_std_case_map_ascii(d, a->u.s, a->n, fn == F_UPPER) == a->n) {
            d[a->n] = '\0'; /* letters changed case, nothing else: as plain as before */
            return ev_str_is_plain(a) ? ev_str_plain(d, a->n) : ev_str(d, a->n);
        }
        return case_map_unicode(st, a, fn == F_UPPER);
    }
    case F_TRIM: {
        size_t s, e;
        dpl_std_trim_span(a->u.s, a->n, &s, &e);
        if (s == 0 && e == a->n)
            return *a; /* nothing to trim: the same value, still its input bytes */
        return ev_str_is_plain(a) ? ev_str_plain(a->u.s + s, e - s) : ev_str(a->u.s + s, e - s);
    }
    default: { /* F_DIGITS */
        char *d = eng_alloc(st, (size_t)a->n + 1);
        size_t m = 0;
        for (size_t i = 0; i < a->n; i++) { /* no branch: codes mix digits and punctuation */
            d[m] = a->u.s[i];
            m += (unsigned char)(a->u.s[i] - '0') < 10u;
        }
        d[m] = '\0';
        return ev_str_plain(d, m); /* digits only */
    }
    }
}

/* len, sum, avg, min and max of an array into *out; false when the
 * general call must decide (an element of another type, an overflow: it
 * reports as the reference does). */
static bool aggregate(DplEngineState *st, NFn fn, const EVal *arr, EVal *out)
{
    switch (fn) {
    case F_LEN: {
        size_t m;
        if (!(st->cuts.shape && arr->rep == R_RAW && !arr->u.node && cut_count(st, arr, &m)))
            ev_elements(st, arr, &m);
        *out = ev_int((int64_t)m);
        return true;
    }
    case F_SUM:
    case F_AVG: {
        __int128 ints;
        double reals;
        size_t count, nreals;
        if (!total(st, arr, &ints, &reals, &count, &nreals))
            return false;
        /* the integers' sum as a double: a libgcc call for 128 bits, skipped
         * for a list of reals */
        double di = ints ? (double)ints : 0.0;
        if (fn == F_SUM) {
            if (nreals == 0) {
                *out = ev_int((int64_t)ints);
                return ints <= INT64_MAX && ints >= INT64_MIN;
            }
            double r = di + reals;
            *out = ev_real(r);
            return isfinite(r);
        }
        if (count == 0) {
            *out = MISSING;
            return true;
        }
        double r = (di + reals) / (double)count;
        *out = ev_real(r);
        return isfinite(r);
    }
    case F_MIN:
    case F_MAX: {
        size_t m;
        const EVal *el = ev_elements(st, arr, &m);
        const EVal *best = NULL;
        for (size_t i = 0; i < m; i++) {
            if (el[i].t == V_NULL)
                continue;
            if (el[i].t != V_INT && el[i].t != V_REAL)
                return false;
            if (!best) {
                best = &el[i];
                continue;
            }
            int c;
            if (el[i].t == V_INT && best->t == V_INT)
                c = (el[i].u.i > best->u.i) - (el[i].u.i < best->u.i);
            else if (el[i].t == V_REAL && best->t == V_REAL) {
                double x = ev_realval(&el[i]), y = ev_realval(best);
                c = (x > y) - (x < y);
            } else {
                return false; /* an integer against a real: the reference compares exactly */
            }
            if (c * (fn == F_MAX ? 1 : -1) > 0)
                best = &el[i];
        }
        *out = best ? *best : MISSING;
        return true;
    }
    default: return false;
    }
}

/* round of a number to places into *out; false when the general call
 * must decide (another type, a result out of range). */
static bool round_value(const EVal *a, int64_t places, EVal *out)
{
    if (a->t == V_INT) {
        int64_t r;
        if (!dpl_std_round_int(a->u.i, places, &r))
            return false;
        *out = ev_int(r);
        return true;
    }
    if (a->t != V_REAL)
        return false;
    double x = ev_realval(a), r;
    if (places == 0 && x > -4503599627370496.0 && x < 4503599627370496.0) {
        /* to 0 places the shortest decimal and the double lie on the
         * same side of every N.5 (N.5 is an exact double here), so
         * half away from zero on the binary value is the same; the
         * reference gives +0.0 for a zero result */
        double t = (double)(int64_t)x, f = x - t;
        r = f >= 0.5 ? t + 1 : f <= -0.5 ? t - 1 : t;
        *out = ev_real(r == 0 ? 0.0 : r);
        return true;
    }
    if (!dpl_std_round_real(x, places, &r))
        return false;
    *out = ev_real(r);
    return true;
}

/* concat of a[0..k) into one arena string: the pieces' lengths first,
 * then the string written once; false when an argument has no text (a
 * container: the general call reports it). */
static bool concat_values(DplEngineState *st, const EVal *a, size_t k, EVal *out)
{
    char sbufs[8][40];
    const char *ssrc[8];
    long slens[8];
    char (*bufs)[40] = k <= 8 ? sbufs : eng_alloc(st, k * sizeof *bufs);
    const char **src = k <= 8 ? ssrc : eng_alloc(st, k * sizeof *src);
    long *lens = k <= 8 ? slens : eng_alloc(st, k * sizeof *lens);
    size_t total = 0;
    bool plain = true; /* numbers and booleans print plain; strings say */
    for (size_t i = 0; i < k; i++) {
        lens[i] = absent(&a[i]) ? 0 : scalar_chars(&a[i], bufs[i], &src[i]);
        if (lens[i] < 0)
            return false;
        total += (size_t)lens[i];
        plain = plain && (a[i].t != V_STR || ev_str_is_plain(&a[i]));
    }
    char *d = eng_alloc(st, total + 1);
    size_t at = 0;
    for (size_t i = 0; i < k; i++)
        if (lens[i]) {
            eng_copy(d + at, src[i], (size_t)lens[i]);
            at += (size_t)lens[i];
        }
    d[at] = '\0';
    *out = plain ? ev_str_plain(d, at) : ev_str(d, at);
    return true;
}

/* Reads call n's arguments into a[0..nkids): false when its result is
 * missing without a call — an error was set, or an argument is missing
 * and the builtin does not see missing ones (its result is missing). */
static inline bool call_args(DplEngineState *st, const ENode *n, EVal *a)
{
    bool any_missing = false;
    for (size_t i = 0; i < n->nkids; i++) {
        EVal v = ev_operand(st, n->kids[i]);
        if (st->err.set)
            return false;
        ev_copy(&a[i], &v);
        any_missing |= a[i].t == V_MISSING;
    }
    const DplBuiltin *fn = n->e->u.call.fn;
    return !(fn && !fn->sees_missing && any_missing);
}

static EVal eval_call(DplEngineState *st, const ENode *n);

/* lower/upper/trim/digits of one argument, the usual calls: a string
 * argument goes straight to string_fn; anything else (missing, another
 * type, an error to report) is eval_call's, which reads the argument
 * again (evaluating it has no effect but its value). */
static EVal eval_string_call(DplEngineState *st, const ENode *n)
{
    EVal a = ev_operand(st, n->kids[0]);
    if (st->err.set)
        return MISSING;
    if (a.t != V_STR)
        return eval_call(st, n);
    return string_fn(st, (NFn)n->fn, &a);
}

/* len/sum/avg/min/max of one argument: an array goes straight to
 * aggregate; anything else, or what aggregate leaves to the general call,
 * is eval_call's (which reads the argument again). */
static EVal eval_aggregate(DplEngineState *st, const ENode *n)
{
    EVal a = ev_operand(st, n->kids[0]);
    if (st->err.set)
        return MISSING;
    EVal r;
    if (a.t == V_ARR && aggregate(st, (NFn)n->fn, &a, &r))
        return r;
    return eval_call(st, n);
}

/* round of one argument: a number goes straight to round_value; anything
 * else is eval_call's (which reads the argument again). */
static EVal eval_round1(DplEngineState *st, const ENode *n)
{
    EVal a = ev_operand(st, n->kids[0]);
    if (st->err.set)
        return MISSING;
    EVal r;
    if (round_value(&a, 0, &r))
        return r;
    return eval_call(st, n);
}

/* concat of up to eight arguments: read into place and joined by
 * concat_values; an argument without text, or an error, is eval_call's
 * (which reads the arguments again). */
static EVal eval_concat(DplEngineState *st, const ENode *n)
{
    EVal a[8];
    if (!call_args(st, n, a))
        return MISSING;
    EVal r;
    if (concat_values(st, a, n->nkids, &r))
        return r;
    return eval_call(st, n);
}

void eng_bind_call(ENode *n)
{
    if (n->fn == F_CONCAT && n->nkids >= 1 && n->nkids <= 8)
        n->eval = eval_concat;
    if (n->nkids == 1 && n->fn == F_ROUND)
        n->eval = eval_round1;
    if (n->nkids == 1 && (n->fn == F_LOWER || n->fn == F_UPPER || n->fn == F_TRIM || n->fn == F_DIGITS))
        n->eval = eval_string_call;
    if (n->nkids == 1 && (n->fn == F_LEN || n->fn == F_SUM || n->fn == F_AVG || n->fn == F_MIN || n->fn == F_MAX))
        n->eval = eval_aggregate;
}

static EVal eval_call(DplEngineState *st, const ENode *n)
{
    if (n->fn == F_MAP || n->fn == F_FILTER)
        return eval_elements(st, n, n->fn == F_MAP);
    if (n->fn == F_COND) {
        EVal c = ev_operand(st, n->kids[0]);
        if (st->err.set)
            return MISSING;
        return ev_operand(st, n->kids[c.t == V_TRUE ? 1 : 2]);
    }
    size_t k = n->nkids;
    EVal stack[8];
    EVal *a = k <= 8 ? stack : eng_alloc(st, k * sizeof *a);
    if (!call_args(st, n, a))
        return MISSING;
    switch ((NFn)n->fn) {
    case F_LOWER:
    case F_UPPER:
    case F_TRIM:
    case F_DIGITS:
        if (a[0].t == V_STR)
            return string_fn(st, (NFn)n->fn, &a[0]);
        break;
    case F_CONCAT: {
        EVal r;
        if (concat_values(st, a, k, &r))
            return r;
        break;
    }
    case F_COALESCE:
        for (size_t i = 0; i < k; i++)
            if (!absent(&a[i]))
                return a[i];
        return MISSING;
    case F_EXISTS: return ev_bool(k > 0 && a[0].t != V_MISSING);
    case F_LEN:
        if (a[0].t == V_STR)
            return ev_int((int64_t)dpl_utf8_count(a[0].u.s, a[0].n));
        if (a[0].t == V_ARR) {
            EVal r;
            aggregate(st, F_LEN, &a[0], &r);
            return r;
        }
        break;
    case F_ROUND: {
        if (k > 1 && a[1].t != V_INT)
            break;
        EVal r;
        if (round_value(&a[0], k > 1 ? a[1].u.i : 0, &r))
            return r;
        break;
    }
    case F_ABS:
        if (a[0].t == V_INT && a[0].u.i != INT64_MIN)
            return ev_int(a[0].u.i < 0 ? -a[0].u.i : a[0].u.i);
        if (a[0].t == V_REAL)
            return ev_real(fabs(ev_realval(&a[0])));
        break;
    case F_SUM:
    case F_AVG:
    case F_MIN:
    case F_MAX: {
        EVal r;
        if (a[0].t == V_ARR && aggregate(st, (NFn)n->fn, &a[0], &r))
            return r;
        break;
    }
    case F_STARTS:
    case F_ENDS:
        if (a[0].t == V_STR && a[1].t == V_STR) {
            if (a[1].n > a[0].n)
                return ev_bool(false);
            const char *at = n->fn == F_STARTS ? a[0].u.s : a[0].u.s + a[0].n - a[1].n;
            return ev_bool(memcmp(at, a[1].u.s, a[1].n) == 0);
        }
        break;
    case F_CONTAINS:
        if (a[0].t == V_STR && a[1].t == V_STR)
            return ev_bool(a[1].n == 0 || memmem(a[0].u.s, a[0].n, a[1].u.s, a[1].n) != NULL);
        break;
    case F_MAP:
    case F_FILTER:
    case F_COND:
    case F_GENERIC: break;
    }
    return generic(st, n, a, k);
}

/* ---- dispatch ------------------------------------------------------------------ */

EVal eng_eval(DplEngineState *st, const ENode *n)
{
    if (!n->memo)
        return n->eval(st, n);
    uint32_t i = n->memo - 1;
    if (st->mgen[i] == st->gen)
        return st->mval[i];
    EVal v = n->eval(st, n);
    if (!st->err.set) { /* errors are not shared: each occurrence reports its own */
        st->mgen[i] = st->gen;
        ev_copy(&st->mval[i], &v);
    }
    return v;
}

static EVal eval_const(DplEngineState *st, const ENode *n)
{
    (void)st;
    return n->k;
}

static EVal eval_slot_path(DplEngineState *st, const ENode *n)
{
    if (n->cache) {
        uint32_t i = n->cache - 1;
        if (st->pgen[i] == st->gen)
            return st->pcache[i];
        return walk_and_keep(st, n);
    }
    if (n->base == PB_SLOT && (!n->path || n->rest >= n->path->nsegs))
        return ev_from_scan(st, &st->vals[n->slot]);
    return eval_path(st, n);
}

static EVal eval_array(DplEngineState *st, const ENode *n)
{
    EVal *items = eng_alloc(st, (n->nkids ? n->nkids : 1) * sizeof *items);
    size_t k = 0;
    for (size_t i = 0; i < n->nkids; i++) {
        EVal v = ev_operand(st, n->kids[i]);
        if (st->err.set)
            return MISSING;
        if (v.t != V_MISSING)
            ev_copy(&items[k++], &v);
    }
    return ev_pack(V_ARR, R_LIST, 0, 0, (uint32_t)k, NULL, 0, (uint64_t)(uintptr_t)items);
}

static EVal eval_and(DplEngineState *st, const ENode *n) { return eval_logic(st, n, true); }
static EVal eval_or(DplEngineState *st, const ENode *n) { return eval_logic(st, n, false); }

static EVal eval_coalesce(DplEngineState *st, const ENode *n)
{
    EVal a = ev_operand(st, n->kids[0]);
    if (st->err.set)
        return MISSING;
    if (!absent(&a))
        return a;
    return ev_operand(st, n->kids[1]);
}

void eng_bind(ENode *n)
{
    switch ((NKind)n->kind) {
    case N_CONST: n->eval = eval_const; return;
    case N_PATH: n->eval = eval_slot_path; return;
    case N_META: n->eval = eval_meta; return;
    case N_ARRAY: n->eval = eval_array; return;
    case N_UNARY: n->eval = eval_unary; return;
    case N_BINARY: n->eval = eval_binary; return;
    case N_AND: n->eval = eval_and; return;
    case N_OR: n->eval = eval_or; return;
    case N_COALESCE: n->eval = eval_coalesce; return;
    case N_CAST: n->eval = eval_cast; return;
    case N_CALL: n->eval = eval_call; return;
    }
}
