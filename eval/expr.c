/* expr.c — evaluates one expression against one record (spec §5–§6):
 * literals, paths, meta attributes, array literals, calls, and the dispatch
 * to the operators and casts of ops.c.  Missing (NULL) flows through every
 * operator except `??` and the three-valued `and`/`or`, and null does too
 * except in `==` and `!=` (ops.c); errors are recorded in the context,
 * never raised. */
#include <stdio.h>

#include "eval/internal.h"

void dpl__eval_fail(EvalCtx *c, const DplExpr *e, DplRtCode code, const char *fmt, ...)
{
    if (c->err.set)
        return;
    c->err.set = true;
    c->err.code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err.message, sizeof c->err.message, fmt, ap);
    va_end(ap);
    c->err_span = e->span;
}

/* ---- paths ------------------------------------------------------------------ */

/* The value of segs[i..n) below v; new reference or NULL (missing).
 * [*] maps the rest of the path over the elements of an array, dropping
 * elements for which the rest is missing. */
static json_t *walk(json_t *v, const DplSegment *segs, size_t i, size_t n)
{
    for (; i < n; i++) {
        const DplSegment *s = &segs[i];
        if (!v)
            return NULL;
        switch (s->kind) {
        case DPL_SEG_FIELD:
            v = json_is_object(v) ? json_object_getn(v, s->name, s->name_len) : NULL;
            break;
        case DPL_SEG_INDEX: {
            if (!json_is_array(v))
                return NULL;
            size_t len = json_array_size(v);
            int64_t k = s->index;
            if (k < 0) {
                /* -1 is the last element; -len the first */
                if ((uint64_t)(-(k + 1)) >= len)
                    return NULL;
                k = (int64_t)len + k;
            } else if ((uint64_t)k >= len) {
                return NULL;
            }
            v = json_array_get(v, (size_t)k);
            break;
        }
        case DPL_SEG_STAR: {
            if (!json_is_array(v))
                return NULL;
            json_t *out = json_array();
            size_t k;
            json_t *elem;
            json_array_foreach(v, k, elem) {
                json_t *r = walk(elem, segs, i + 1, n);
                if (r)
                    json_array_append_new(out, r);
            }
            return out;
        }
        }
    }
    return json_incref(v);
}

json_t *dpl__eval_path(EvalCtx *c, const DplPath *p)
{
    /* data.x and metadata.x start at the envelope (segs[0] is data or
     * metadata); every other path starts at data or the `add from` value. */
    json_t *start = p->root == DPL_ROOT_RELATIVE ? c->base : c->record;
    return walk(start, p->segs, 0, p->nsegs);
}

/* ---- meta attributes ----------------------------------------------------------- */

static json_t *eval_meta(EvalCtx *c, const DplExpr *e)
{
    switch (e->u.meta.which) {
    case DPL_META_ID:
        return c->id ? json_incref(c->id) : NULL;
    case DPL_META_SOURCE:
        return c->source ? json_incref(c->source) : NULL;
    case DPL_META_ENTITY:
        return json_incref(c->ev->entity_name);
    case DPL_META_LINE:
        return json_integer(c->line);
    case DPL_META_UNKNOWN:
        break;
    }
    /* the checker refuses unknown meta attributes (E310) */
    return NULL;
}

/* ---- calls ---------------------------------------------------------------------- */

#define MAX_STACK_ARGS 8

static json_t *eval_call(EvalCtx *c, const DplExpr *e)
{
    const DplBuiltin *fn = e->u.call.fn;
    if (!fn) {
        dpl__eval_fail(c, e, DPL_RT_TYPE_ERROR, "unknown function `%s`", e->u.call.name);
        return NULL;
    }
    size_t n = e->u.call.nargs;
    json_t *stack_args[MAX_STACK_ARGS] = {0};
    json_t **args = n <= MAX_STACK_ARGS ? stack_args : dpl_malloc(n * sizeof *args);
    bool any_missing = false;
    size_t done = 0;
    for (; done < n; done++) {
        args[done] = dpl__eval(c, e->u.call.args[done]);
        if (c->err.set) {
            done++;
            break;
        }
        if (!args[done])
            any_missing = true;
    }
    json_t *result = NULL;
    if (!c->err.set && (fn->sees_missing || !any_missing)) {
        DplCallCtx ctx = {.regex = e->u.call.regex};
        DplRtError err = {0};
        result = fn->fn(&ctx, args, n, &err);
        if (err.set) {
            json_decref(result);
            result = NULL;
            dpl__eval_fail(c, e, err.code, "%s", err.message);
        }
    }
    for (size_t i = 0; i < done; i++)
        json_decref(args[i]);
    if (args != stack_args)
        dpl_free(args);
    return result;
}

/* ---- dispatch --------------------------------------------------------------------- */

/* A condition or short-circuit operand: true, false, or missing (-1; null
 * counts as missing).  Anything else is a type error. */
static int eval_bool_operand(EvalCtx *c, const DplExpr *e, const DplExpr *operand, const char *what)
{
    json_t *v = dpl__eval(c, operand);
    if (c->err.set)
        return -1;
    if (!v || json_is_null(v)) {
        json_decref(v);
        return -1;
    }
    int r = json_is_true(v) ? 1 : json_is_false(v) ? 0 : -2;
    if (r == -2) {
        dpl__eval_fail(c, e, DPL_RT_TYPE_ERROR, "`%s` needs booleans, found %s", what, dpl_value_article(v));
        r = -1;
    }
    json_decref(v);
    return r;
}

/* `and` / `or` with short-circuit and the three-valued logic of SQL: a
 * missing operand makes the result missing unless the other operand decides
 * it (false and missing = false; true or missing = true). */
static json_t *eval_logic(EvalCtx *c, const DplExpr *e)
{
    bool is_and = e->u.binary.op == DPL_OP_AND;
    const char *sp = is_and ? "and" : "or";
    int a = eval_bool_operand(c, e, e->u.binary.lhs, sp);
    if (c->err.set)
        return NULL;
    if (a == (is_and ? 0 : 1))
        return json_boolean(a);
    int b = eval_bool_operand(c, e, e->u.binary.rhs, sp);
    if (c->err.set)
        return NULL;
    if (b == (is_and ? 0 : 1))
        return json_boolean(b);
    if (a < 0 || b < 0)
        return NULL;
    return json_boolean(is_and); /* both true for and, both false for or */
}

json_t *dpl__eval(EvalCtx *c, const DplExpr *e)
{
    switch (e->kind) {
    case DPL_EXPR_NULL:
        return json_null();
    case DPL_EXPR_BOOL:
        return json_boolean(e->u.b);
    case DPL_EXPR_INT:
        return json_integer(e->u.i);
    case DPL_EXPR_REAL:
        return json_real(e->u.r);
    case DPL_EXPR_STRING:
        return json_stringn_nocheck(e->u.str.s, e->u.str.len);
    case DPL_EXPR_PATH:
        return dpl__eval_path(c, &e->u.path);
    case DPL_EXPR_META:
        return eval_meta(c, e);
    case DPL_EXPR_ARRAY: {
        /* missing elements are dropped, as with [*] */
        json_t *arr = json_array();
        for (size_t i = 0; i < e->u.array.n; i++) {
            json_t *v = dpl__eval(c, e->u.array.items[i]);
            if (c->err.set) {
                json_decref(arr);
                return NULL;
            }
            if (v)
                json_array_append_new(arr, v);
        }
        return arr;
    }
    case DPL_EXPR_UNARY: {
        json_t *a = dpl__eval(c, e->u.unary.operand);
        if (c->err.set)
            return NULL;
        json_t *r = dpl__eval_unary(c, e, e->u.unary.op, a);
        json_decref(a);
        return r;
    }
    case DPL_EXPR_BINARY: {
        DplOp op = e->u.binary.op;
        if (op == DPL_OP_AND || op == DPL_OP_OR)
            return eval_logic(c, e);
        json_t *a = dpl__eval(c, e->u.binary.lhs);
        if (c->err.set)
            return NULL;
        if (op == DPL_OP_COALESCE) {
            if (a && !json_is_null(a))
                return a;
            json_decref(a);
            return dpl__eval(c, e->u.binary.rhs);
        }
        json_t *b = dpl__eval(c, e->u.binary.rhs);
        if (c->err.set) {
            json_decref(a);
            return NULL;
        }
        json_t *r = dpl__eval_binary(c, e, op, a, b);
        json_decref(a);
        json_decref(b);
        return r;
    }
    case DPL_EXPR_CALL:
        return eval_call(c, e);
    case DPL_EXPR_CAST: {
        json_t *a = dpl__eval(c, e->u.cast.operand);
        if (c->err.set)
            return NULL;
        json_t *r = dpl__eval_cast(c, e, e->u.cast.type, a);
        json_decref(a);
        return r;
    }
    case DPL_EXPR_ERROR:
        break;
    }
    /* only a program with errors has ERROR nodes, and such a program is never run */
    dpl__eval_fail(c, e, DPL_RT_TYPE_ERROR, "expression could not be parsed");
    return NULL;
}
