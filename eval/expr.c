/* expr.c — evaluates one expression against one record (spec §5–§6):
 * literals, paths, meta attributes, array literals, calls, and the dispatch
 * to the operators and casts of ops.c.  Missing (NULL) flows through every
 * operator except `??` and the three-valued `and`/`or`, and null does too
 * except in `==` and `!=` (ops.c); errors are recorded in the context,
 * never raised. */
#include <stdio.h>

#include "eval/internal.h"

bool dpl__eval_fail(EvalCtx *c, const DplExpr *e, DplRtCode code, const char *fmt, ...)
{
    if (c->err.set)
        return false;
    c->err.set = true;
    c->err.code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err.message, sizeof c->err.message, fmt, ap);
    va_end(ap);
    c->err_span = e->span;
    json_decref(c->err_value);
    c->err_value = NULL;
    c->err_path = NULL;
    return true;
}

void dpl__eval_blame(EvalCtx *c, const DplExpr *operand, json_t *value)
{
    if (!c->err.set || c->err_value)
        return;
    c->err_value = value ? json_incref(value) : NULL;
    c->err_path = dpl_expr_abs_path(operand);
}

void dpl__eval_collect(EvalCtx *c, DplResult *out, const char *fallback_path)
{
    const char *path = c->err_path ? c->err_path : fallback_path;
    dpl_result_add_error(out, c->err.code, path, &c->err_span, "%s", c->err.message);
    bool carries = c->err.code == DPL_RT_TYPE_ERROR || c->err.code == DPL_RT_CAST_FAILED;
    if (carries && c->err_value)
        dpl_result_set_value(out, c->err_value);
    json_decref(c->err_value);
    c->err_value = NULL;
    c->err_path = NULL;
    c->err.set = false;
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
     * metadata); 'item.x at the element of map/filter; every other path at
     * data, the `add from` value or the element. */
    json_t *start = p->root == DPL_ROOT_RELATIVE ? c->base : p->root == DPL_ROOT_ITEM ? c->item : c->record;
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
    case DPL_META_ITEM:
        return c->item ? json_incref(c->item) : NULL;
    case DPL_META_UNKNOWN:
        break;
    }
    /* the checker refuses unknown meta attributes (E310) */
    return NULL;
}

/* ---- calls ---------------------------------------------------------------------- */

#define MAX_STACK_ARGS 8

/* map(arr, expr) and filter(arr, cond) (spec §12.2): the second argument
 * once per element, with relative paths and 'item starting at the element. */
static json_t *eval_elements(EvalCtx *c, const DplExpr *e, bool is_map)
{
    const DplExpr *arr_e = e->u.call.args[0], *body = e->u.call.args[1];
    json_t *arr = dpl__eval(c, arr_e);
    if (c->err.set || !arr || json_is_null(arr)) {
        json_decref(arr);
        return NULL;
    }
    if (!json_is_array(arr)) {
        if (dpl__eval_fail(c, e, DPL_RT_TYPE_ERROR, "%s(): argument 1 must be an array, got %s", e->u.call.name,
                           dpl_value_type_name(arr)))
            dpl__eval_blame(c, arr_e, arr);
        json_decref(arr);
        return NULL;
    }
    json_t *saved_base = c->base, *saved_item = c->item;
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *elem = json_array_get(arr, i);
        c->base = c->item = elem;
        json_t *v = dpl__eval(c, body);
        if (c->err.set) {
            json_decref(v);
            break;
        }
        if (is_map) {
            if (v)
                json_array_append_new(out, v);
        } else {
            /* "not true" (false, null, missing, anything else) drops it */
            if (json_is_true(v))
                json_array_append(out, elem);
            json_decref(v);
        }
    }
    c->base = saved_base;
    c->item = saved_item;
    json_decref(arr);
    if (c->err.set) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* cond(c, a, b): only the chosen branch runs; c must be `true` for a. */
static json_t *eval_cond(EvalCtx *c, const DplExpr *e)
{
    json_t *v = dpl__eval(c, e->u.call.args[0]);
    if (c->err.set) {
        json_decref(v);
        return NULL;
    }
    bool yes = json_is_true(v);
    json_decref(v);
    return dpl__eval(c, e->u.call.args[yes ? 1 : 2]);
}

/* The types argument i of fn accepts (0: unchecked). */
static DplTypes param_types(const DplBuiltin *fn, size_t i)
{
    return i < DPL_MAX_FIXED_ARGS && fn->params[i] ? fn->params[i] : fn->rest;
}

/* The argument a builtin's type_error or cast_failed is about: the one it
 * named, else the first whose type is not one the signature accepts, else
 * the first (sum(["x"]) is about its array). */
static size_t offending_arg(const DplBuiltin *fn, const DplRtError *err, json_t *const *args, size_t n)
{
    if (err->arg > 0 && (size_t)err->arg <= n)
        return (size_t)err->arg - 1;
    for (size_t i = 0; i < n; i++) {
        DplTypes want = param_types(fn, i);
        if (args[i] && !json_is_null(args[i]) && want && !(dpl_type_of(args[i]) & want))
            return i;
    }
    return 0;
}

/* Whether fn yields missing without being called: an argument is missing,
 * or is a JSON null where fn wants a string, number, array or object (null
 * means "no value", v1; spec §12.6) — whatever the other arguments hold,
 * as for a missing one.  Functions that see missing decide for themselves. */
static bool call_is_missing(const DplBuiltin *fn, json_t *const *args, size_t n)
{
    if (fn->sees_missing)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!args[i])
            return true;
        DplTypes want = param_types(fn, i);
        if (json_is_null(args[i]) && want && !(want & DPL_T_NULL))
            return true;
    }
    return false;
}

static json_t *eval_call(EvalCtx *c, const DplExpr *e)
{
    const DplBuiltin *fn = e->u.call.fn;
    if (!fn) {
        dpl__eval_fail(c, e, DPL_RT_TYPE_ERROR, "unknown function `%s`", e->u.call.name);
        return NULL;
    }
    if (fn->arg_rule == DPL_ARGS_ELEMENT)
        return eval_elements(c, e, fn->params[1] != DPL_T_BOOL);
    if (fn->arg_rule == DPL_ARGS_LAZY)
        return eval_cond(c, e);
    size_t n = e->u.call.nargs;
    json_t *stack_args[MAX_STACK_ARGS] = {0};
    json_t **args = n <= MAX_STACK_ARGS ? stack_args : dpl_malloc(n * sizeof *args);
    size_t done = 0;
    for (; done < n; done++) {
        args[done] = dpl__eval(c, e->u.call.args[done]);
        if (c->err.set) {
            done++;
            break;
        }
    }
    json_t *result = NULL;
    if (!c->err.set && !call_is_missing(fn, args, n)) {
        DplCallCtx ctx = {.regex = e->u.call.regex, .group = e->u.call.group};
        DplRtError err = {0};
        result = fn->fn(&ctx, args, n, &err);
        if (err.set) {
            json_decref(result);
            result = NULL;
            if (dpl__eval_fail(c, e, err.code, "%s", err.message) && n > 0) {
                size_t k = offending_arg(fn, &err, args, n);
                dpl__eval_blame(c, e->u.call.args[k], args[k]);
            }
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
        if (dpl__eval_fail(c, e, DPL_RT_TYPE_ERROR, "`%s` needs booleans, found %s", what, dpl_value_article(v)))
            dpl__eval_blame(c, operand, v);
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
        bool before = c->err.set;
        json_t *r = dpl__eval_unary(c, e, e->u.unary.op, a);
        if (!before && c->err.set)
            dpl__eval_blame(c, e->u.unary.operand, a);
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
        bool before = c->err.set;
        json_t *r = dpl__eval_binary(c, e, op, a, b);
        if (!before && c->err.set) {
            /* the first operand of a wrong type; the left one when the
             * types only clash with each other ("5" > 0) */
            bool right = dpl__eval_blames_right(op, a, b);
            dpl__eval_blame(c, right ? e->u.binary.rhs : e->u.binary.lhs, right ? b : a);
        }
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
        bool before = c->err.set;
        json_t *r = dpl__eval_cast(c, e, e->u.cast.type, a);
        if (!before && c->err.set)
            dpl__eval_blame(c, e->u.cast.operand, a);
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

json_t *dpl_eval_apply(const DplExpr *e, json_t *const *operands, size_t n, DplRtError *err, DplSpan *err_span,
                       json_t **err_value, const char **err_path)
{
    EvalCtx c;
    memset(&c, 0, sizeof c);
    json_t *r = NULL;
    switch (e->kind) {
    case DPL_EXPR_UNARY:
        r = dpl__eval_unary(&c, e, e->u.unary.op, operands[0]);
        if (c.err.set)
            dpl__eval_blame(&c, e->u.unary.operand, operands[0]);
        break;
    case DPL_EXPR_BINARY:
        r = dpl__eval_binary(&c, e, e->u.binary.op, operands[0], operands[1]);
        if (c.err.set) {
            bool right = dpl__eval_blames_right(e->u.binary.op, operands[0], operands[1]);
            dpl__eval_blame(&c, right ? e->u.binary.rhs : e->u.binary.lhs, operands[right ? 1 : 0]);
        }
        break;
    case DPL_EXPR_CAST:
        r = dpl__eval_cast(&c, e, e->u.cast.type, operands[0]);
        if (c.err.set)
            dpl__eval_blame(&c, e->u.cast.operand, operands[0]);
        break;
    case DPL_EXPR_CALL: {
        const DplBuiltin *fn = e->u.call.fn;
        if (!fn) {
            dpl__eval_fail(&c, e, DPL_RT_TYPE_ERROR, "unknown function `%s`", e->u.call.name);
        } else if (!call_is_missing(fn, operands, n)) {
            DplCallCtx ctx = {.regex = e->u.call.regex, .group = e->u.call.group};
            DplRtError ferr = {0};
            r = fn->fn(&ctx, operands, n, &ferr);
            if (ferr.set) {
                json_decref(r);
                r = NULL;
                if (dpl__eval_fail(&c, e, ferr.code, "%s", ferr.message) && n > 0) {
                    size_t k = offending_arg(fn, &ferr, operands, n);
                    dpl__eval_blame(&c, e->u.call.args[k], operands[k]);
                }
            }
        }
        break;
    }
    default: dpl__eval_fail(&c, e, DPL_RT_TYPE_ERROR, "expression cannot be applied"); break;
    }
    if (c.err.set) {
        json_decref(r);
        if (!err->set) {
            *err = c.err;
            *err_span = c.err_span;
            *err_value = c.err_value;
            *err_path = c.err_path;
        } else {
            json_decref(c.err_value);
        }
        return NULL;
    }
    return r;
}
