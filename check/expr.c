/* expr.c — checking expressions: static type sets (E305), builtin calls
 * (E303, E304, E311), casts (E307), meta attributes (E308, E310) and
 * constant conditions (W404).
 *
 * Type inference is deliberately simple: a literal has its exact type, a
 * path may hold any value, an operator or builtin yields the types it can
 * produce.  An error is reported only when an operand's set of possible
 * types has nothing in common with what is accepted — then the mismatch
 * holds for every record.  Everything else is left to the evaluator, which
 * rejects the one record (`type_error`). */
#include <regex.h>
#include <stdio.h>

#include "check/internal.h"

/* "a string", "an integer", or "a string, an array or an object" for a set
 * (the same phrases as the runtime's messages: dpl_type_article). */
static const char *describe(DplTypes t, char *buf, size_t n)
{
    const char *one = dpl_type_article(t);
    if (one)
        return one;
    /* number first, so that both numeric types read as "a number" */
    static const DplTypes order[] = {DPL_T_NUMBER, DPL_T_INT,  DPL_T_REAL,  DPL_T_STRING,
                                     DPL_T_BOOL,   DPL_T_NULL, DPL_T_ARRAY, DPL_T_OBJECT};
    if ((t & DPL_T_ANY) == DPL_T_ANY)
        return "any value";
    const char *parts[8];
    size_t np = 0;
    DplTypes left = t;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if ((left & order[i]) == order[i]) {
            left &= ~order[i];
            parts[np++] = dpl_type_article(order[i]);
        }
    if (np == 0)
        return dpl_types_name(t, buf, n);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < np; i++) {
        const char *sep = i == 0 ? "" : i + 1 == np ? " or " : ", ";
        int k = snprintf(buf + used, used < n ? n - used : 0, "%s%s", sep, parts[i]);
        if (k > 0)
            used += (size_t)k;
    }
    return buf;
}

static DplTypes infer(DplChecker *c, DplExpr *e)
{
    return dpl_check_infer(c, e);
}

static bool is_error(const DplExpr *e)
{
    return !e || e->kind == DPL_EXPR_ERROR;
}

/* Reports that operand `e` of operator op can never be of an accepted type. */
static void bad_operand(DplChecker *c, const DplExpr *e, DplTypes found, DplOp op, const char *needs,
                        const char *side)
{
    if (is_error(e))
        return;
    char buf[96];
    DplDiag *d = dpl_diag_add(c->diags, DPL_E305, e->span, "`%s` needs %s, but its %s is always %s",
                              dpl_op_spelling(op), needs, side, describe(found, buf, sizeof buf));
    dpl_diag_label(d, "%s", describe(found, buf, sizeof buf));
}

/* Numeric result of + - * % given the operand sets: integer op integer is
 * an integer, anything with a real is a real. */
static DplTypes numeric_result(DplTypes l, DplTypes r)
{
    DplTypes t = 0;
    if ((l & DPL_T_INT) && (r & DPL_T_INT))
        t |= DPL_T_INT;
    if (((l & DPL_T_REAL) && (r & DPL_T_NUMBER)) || ((r & DPL_T_REAL) && (l & DPL_T_NUMBER)))
        t |= DPL_T_REAL;
    return t ? t : DPL_T_NUMBER;
}

/* Both operands must be able to be `need`. */
static void need_both(DplChecker *c, DplExpr *e, DplTypes l, DplTypes r, DplTypes need, const char *needs)
{
    if (!(l & need))
        bad_operand(c, e->u.binary.lhs, l, e->u.binary.op, needs, "left operand");
    if (!(r & need))
        bad_operand(c, e->u.binary.rhs, r, e->u.binary.op, needs, "right operand");
}

/* Operators that take numbers with numbers or strings with strings. */
static bool check_num_or_str(DplChecker *c, DplExpr *e, DplTypes l, DplTypes r, const char *needs)
{
    const DplTypes ns = DPL_T_NUMBER | DPL_T_STRING;
    if (!(l & ns) || !(r & ns)) {
        need_both(c, e, l, r, ns, needs);
        return false;
    }
    if (((l & DPL_T_NUMBER) && (r & DPL_T_NUMBER)) || ((l & DPL_T_STRING) && (r & DPL_T_STRING)))
        return true;
    char lb[96], rb[96];
    DplDiag *d = dpl_diag_add(c->diags, DPL_E305, e->span, "`%s` needs %s, but the operands are %s and %s",
                              dpl_op_spelling(e->u.binary.op), needs, describe(l, lb, sizeof lb),
                              describe(r, rb, sizeof rb));
    if (e->u.binary.op == DPL_OP_ADD)
        dpl_diag_help(d, "to join text and numbers, use `concat(a, b)` or cast with `as string`");
    return false;
}

static DplTypes binary(DplChecker *c, DplExpr *e)
{
    DplTypes l = infer(c, e->u.binary.lhs), r = infer(c, e->u.binary.rhs);
    switch (e->u.binary.op) {
    case DPL_OP_COALESCE: {
        DplTypes t = (l & ~DPL_T_NULL) | r;
        return t ? t : DPL_T_ANY;
    }
    case DPL_OP_OR:
    case DPL_OP_AND:
        need_both(c, e, l, r, DPL_T_BOOL, "booleans");
        return DPL_T_BOOL;
    case DPL_OP_EQ:
    case DPL_OP_NE:
        return DPL_T_BOOL;
    case DPL_OP_LT:
    case DPL_OP_LE:
    case DPL_OP_GT:
    case DPL_OP_GE:
        check_num_or_str(c, e, l, r, "numbers with numbers or strings with strings");
        return DPL_T_BOOL;
    case DPL_OP_ADD: {
        if (!check_num_or_str(c, e, l, r, "two numbers or two strings"))
            return DPL_T_NUMBER | DPL_T_STRING;
        DplTypes t = 0;
        if ((l & DPL_T_NUMBER) && (r & DPL_T_NUMBER))
            t |= numeric_result(l & DPL_T_NUMBER, r & DPL_T_NUMBER);
        if ((l & DPL_T_STRING) && (r & DPL_T_STRING))
            t |= DPL_T_STRING;
        return t;
    }
    case DPL_OP_SUB:
    case DPL_OP_MUL:
        need_both(c, e, l, r, DPL_T_NUMBER, "numbers");
        return numeric_result(l & DPL_T_NUMBER, r & DPL_T_NUMBER);
    case DPL_OP_DIV:
        need_both(c, e, l, r, DPL_T_NUMBER, "numbers");
        return DPL_T_REAL;
    case DPL_OP_MOD:
        need_both(c, e, l, r, DPL_T_INT, "integers");
        return DPL_T_INT;
    case DPL_OP_NEG:
    case DPL_OP_NOT:
        break; /* prefix operators are DPL_EXPR_UNARY */
    }
    return DPL_T_ANY;
}

static DplTypes unary(DplChecker *c, DplExpr *e)
{
    DplTypes t = infer(c, e->u.unary.operand);
    if (e->u.unary.op == DPL_OP_NOT) {
        if (!(t & DPL_T_BOOL))
            bad_operand(c, e->u.unary.operand, t, DPL_OP_NOT, "a boolean", "operand");
        return DPL_T_BOOL;
    }
    if (!(t & DPL_T_NUMBER)) {
        bad_operand(c, e->u.unary.operand, t, e->u.unary.op, "a number", "operand");
        return DPL_T_NUMBER;
    }
    return t & DPL_T_NUMBER;
}

/* ---- calls ------------------------------------------------------------------ */

static void free_regex(void *p)
{
    regfree(p);
    dpl_free(p);
}

/* matches(s, "regex"): the regex is compiled now, once, and kept on the
 * call for the evaluator. */
static void compile_regex(DplChecker *c, DplExpr *call, DplExpr *lit)
{
    if (call->u.call.regex)
        return; /* checked before (the REPL re-checks its session program) */
    if (memchr(lit->u.str.s, '\0', lit->u.str.len)) {
        dpl_diag_add(c->diags, DPL_E311, lit->span,
                     "invalid regular expression: it contains a NUL character");
        return;
    }
    regex_t *re = dpl_malloc(sizeof *re);
    int rc = regcomp(re, lit->u.str.s, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char msg[256];
        regerror(rc, re, msg, sizeof msg);
        DplDiag *d = dpl_diag_add(c->diags, DPL_E311, lit->span, "invalid regular expression: %s", msg);
        dpl_diag_note(d, "regexes are POSIX extended regular expressions");
        dpl_free(re);
        return;
    }
    call->u.call.regex = re;
    dpl_arena_defer(c->prog->arena, free_regex, re);
}

static void report_arity(DplChecker *c, DplExpr *e, const DplBuiltin *fn)
{
    size_t n = e->u.call.nargs;
    char want[64];
    if (fn->max_args < 0)
        snprintf(want, sizeof want, "at least %d argument%s", fn->min_args, fn->min_args == 1 ? "" : "s");
    else if (fn->min_args == fn->max_args)
        snprintf(want, sizeof want, "%d argument%s", fn->min_args, fn->min_args == 1 ? "" : "s");
    else
        snprintf(want, sizeof want, "%d %s %d arguments", fn->min_args,
                 fn->max_args == fn->min_args + 1 ? "or" : "to", fn->max_args);
    DplDiag *d = dpl_diag_add(c->diags, DPL_E304, e->span, "`%s` takes %s, but %zu %s given", fn->name, want,
                              n, n == 1 ? "was" : "were");
    dpl_diag_label(d, "expected %s", want);
    dpl_diag_note(d, "%s", fn->doc);
}

static DplTypes call(DplChecker *c, DplExpr *e)
{
    const DplBuiltin *fn = dpl_std_lookup(e->u.call.name);
    e->u.call.fn = fn;
    if (!fn) {
        const char *names[64];
        size_t n = dpl_std_nbuiltins < 64 ? dpl_std_nbuiltins : 64;
        for (size_t i = 0; i < n; i++)
            names[i] = dpl_std_builtins[i].name;
        DplDiag *d =
            dpl_diag_add(c->diags, DPL_E303, e->u.call.name_span, "unknown function `%s`", e->u.call.name);
        const char *near = dpl_check_nearest(e->u.call.name, names, n);
        if (near) {
            dpl_diag_help(d, "did you mean `%s`?", near);
            dpl_diag_fix(d, e->u.call.name_span, near);
        } else {
            DplBuf b = {0};
            for (size_t i = 0; i < n; i++)
                dpl_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
            dpl_diag_note(d, "the functions are %s", b.data);
            dpl_buf_free(&b);
        }
        for (size_t i = 0; i < e->u.call.nargs; i++)
            infer(c, e->u.call.args[i]);
        return DPL_T_ANY;
    }
    size_t n = e->u.call.nargs;
    bool arity_ok = (int)n >= fn->min_args && (fn->max_args < 0 || (int)n <= fn->max_args);
    if (!arity_ok)
        report_arity(c, e, fn);
    for (size_t i = 0; i < n; i++) {
        DplExpr *arg = e->u.call.args[i];
        DplTypes t = infer(c, arg);
        if (!arity_ok || is_error(arg))
            continue; /* a wrong count makes positions meaningless */
        if (fn->arg_rule == DPL_ARGS_LITERAL_REGEX && i == 1) {
            if (arg->kind == DPL_EXPR_STRING)
                compile_regex(c, e, arg);
            else {
                DplDiag *d =
                    dpl_diag_add(c->diags, DPL_E305, arg->span,
                                 "the regular expression of `%s` must be a string literal", fn->name);
                dpl_diag_help(d,
                              "regexes are compiled once, when the program is checked; write it as \"...\"");
            }
            continue;
        }
        if (fn->arg_rule == DPL_ARGS_PATH && arg->kind != DPL_EXPR_PATH) {
            DplDiag *d = dpl_diag_add(c->diags, DPL_E305, arg->span, "the argument of `%s` must be a path",
                                      fn->name);
            dpl_diag_help(d, "`%s` tests whether a field is present, e.g. `%s(data.email)`", fn->name, fn->name);
            continue;
        }
        DplTypes want = i < DPL_MAX_FIXED_ARGS && fn->params[i] ? fn->params[i] : fn->rest;
        if (want && !(t & want)) {
            char wb[96], fb[96];
            DplDiag *d = dpl_diag_add(c->diags, DPL_E305, arg->span,
                                      "argument %zu of `%s` must be %s, but it is always %s", i + 1, fn->name,
                                      describe(want, wb, sizeof wb), describe(t, fb, sizeof fb));
            dpl_diag_label(d, "%s", describe(t, fb, sizeof fb));
            dpl_diag_note(d, "%s", fn->doc);
        }
    }
    return fn->result ? fn->result : DPL_T_ANY;
}

/* ---- casts and meta attributes -------------------------------------------------- */

static DplTypes cast(DplChecker *c, DplExpr *e)
{
    infer(c, e->u.cast.operand);
    switch (e->u.cast.type) {
    case DPL_CAST_INT:
        return DPL_T_INT;
    case DPL_CAST_FLOAT:
        return DPL_T_REAL;
    case DPL_CAST_STRING:
        return DPL_T_STRING;
    case DPL_CAST_BOOL:
        return DPL_T_BOOL;
    case DPL_CAST_UNKNOWN:
        break;
    }
    const char *name = e->u.cast.type_name ? e->u.cast.type_name : "";
    /* names people reach for from other languages, then plain typos */
    static const struct {
        const char *alias, *type;
    } aliases[] = {
        {"integer", "int"}, {"long", "int"},     {"number", "float"},
        {"real", "float"},  {"double", "float"}, {"decimal", "float"},
        {"str", "string"},  {"text", "string"},  {"boolean", "bool"},
    };
    static const char *const types[] = {"int", "float", "string", "bool"};
    const char *near = NULL;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(name, aliases[i].alias) == 0)
            near = aliases[i].type;
    if (!near)
        near = dpl_check_nearest(name, types, 4);
    DplDiag *d = dpl_diag_add(c->diags, DPL_E307, e->u.cast.type_span, "unknown cast type `%s`", name);
    if (near) {
        dpl_diag_help(d, "did you mean `%s`?", near);
        dpl_diag_fix(d, e->u.cast.type_span, near);
    }
    dpl_diag_note(d, "the cast types are `int`, `float`, `string` and `bool`");
    return DPL_T_ANY;
}

static DplTypes meta(DplChecker *c, DplExpr *e)
{
    switch (e->u.meta.which) {
    case DPL_META_ID:
        if (c->phase != DPL_PHASE_ADD) {
            static const char *const where[] = {
                [DPL_PHASE_KEYS] = "in entity keys: the id is computed from the keys",
                [DPL_PHASE_MANDATORY] = "in `mandatory`: validation runs before the id is computed",
                [DPL_PHASE_REQUIREMENT] = "in a requirement: validation runs before the id is computed",
            };
            DplDiag *d =
                dpl_diag_add(c->diags, DPL_E308, e->span, "`'id` cannot be used %s", where[c->phase]);
            dpl_diag_help(d, "`'id` can be used in `add` items");
        }
        return DPL_T_STRING;
    case DPL_META_ENTITY:
        return DPL_T_STRING;
    case DPL_META_LINE:
        return DPL_T_INT;
    case DPL_META_SOURCE:
        /* the evaluator sets 'source only from a string (a record whose
         * source is not a string is rejected, or has no 'source) */
        return DPL_T_STRING;
    case DPL_META_UNKNOWN:
        break;
    }
    static const char *const metas[] = {"id", "source", "entity", "line"};
    const char *name = e->u.meta.name ? e->u.meta.name : "";
    DplDiag *d = dpl_diag_add(c->diags, DPL_E310, e->span, "unknown meta attribute `'%s`", name);
    const char *near = dpl_check_nearest(name, metas, 4);
    if (near) {
        dpl_diag_help(d, "did you mean `'%s`?", near);
        char *fixed = dpl_asprintf("'%s", near);
        dpl_diag_fix(d, e->span, fixed);
        dpl_free(fixed);
    }
    dpl_diag_note(d, "the meta attributes are `'id`, `'source`, `'entity` and `'line`");
    return DPL_T_ANY;
}

DplTypes dpl_check_infer(DplChecker *c, DplExpr *e)
{
    if (!e)
        return DPL_T_ANY;
    switch (e->kind) {
    case DPL_EXPR_NULL:
        return DPL_T_NULL;
    case DPL_EXPR_BOOL:
        return DPL_T_BOOL;
    case DPL_EXPR_INT:
        return DPL_T_INT;
    case DPL_EXPR_REAL:
        return DPL_T_REAL;
    case DPL_EXPR_STRING:
        return DPL_T_STRING;
    case DPL_EXPR_PATH:
        return DPL_T_ANY;
    case DPL_EXPR_META:
        return meta(c, e);
    case DPL_EXPR_ARRAY:
        for (size_t i = 0; i < e->u.array.n; i++)
            infer(c, e->u.array.items[i]);
        return DPL_T_ARRAY;
    case DPL_EXPR_UNARY:
        return unary(c, e);
    case DPL_EXPR_BINARY:
        return binary(c, e);
    case DPL_EXPR_CALL:
        return call(c, e);
    case DPL_EXPR_CAST:
        return cast(c, e);
    case DPL_EXPR_ERROR:
        return DPL_T_ANY;
    }
    return DPL_T_ANY;
}

/* ---- constant conditions (W404) ------------------------------------------------------ */

typedef struct {
    enum { K_NONE, K_NULL, K_BOOL, K_INT, K_REAL, K_STR } k;
    bool b;
    int64_t i;
    double r;
    const char *s;
    size_t len;
} Const;

static double as_real(const Const *v)
{
    return v->k == K_INT ? (double)v->i : v->r;
}
static bool is_num(const Const *v)
{
    return v->k == K_INT || v->k == K_REAL;
}

/* <0, 0, >0 for two numbers or two strings; *ok false otherwise. */
static int compare(const Const *a, const Const *b, bool *ok)
{
    *ok = true;
    if (a->k == K_INT && b->k == K_INT)
        return (a->i > b->i) - (a->i < b->i);
    if (is_num(a) && is_num(b))
        return (as_real(a) > as_real(b)) - (as_real(a) < as_real(b));
    if (a->k == K_STR && b->k == K_STR) {
        size_t n = a->len < b->len ? a->len : b->len;
        int r = memcmp(a->s, b->s, n);
        if (r)
            return r;
        return (a->len > b->len) - (a->len < b->len);
    }
    *ok = false;
    return 0;
}

static Const fold(const DplExpr *e)
{
    Const v = {.k = K_NONE};
    if (!e)
        return v;
    switch (e->kind) {
    case DPL_EXPR_NULL:
        v.k = K_NULL;
        break;
    case DPL_EXPR_BOOL:
        v.k = K_BOOL, v.b = e->u.b;
        break;
    case DPL_EXPR_INT:
        v.k = K_INT, v.i = e->u.i;
        break;
    case DPL_EXPR_REAL:
        v.k = K_REAL, v.r = e->u.r;
        break;
    case DPL_EXPR_STRING:
        v.k = K_STR, v.s = e->u.str.s, v.len = e->u.str.len;
        break;
    case DPL_EXPR_UNARY: {
        Const o = fold(e->u.unary.operand);
        if (e->u.unary.op == DPL_OP_NOT && o.k == K_BOOL)
            v.k = K_BOOL, v.b = !o.b;
        else if (e->u.unary.op == DPL_OP_NEG && o.k == K_REAL)
            v.k = K_REAL, v.r = -o.r;
        else if (e->u.unary.op == DPL_OP_NEG && o.k == K_INT && o.i != INT64_MIN)
            v.k = K_INT, v.i = -o.i;
        break;
    }
    case DPL_EXPR_BINARY: {
        Const l = fold(e->u.binary.lhs);
        DplOp op = e->u.binary.op;
        /* short-circuit on the left decides without the right operand */
        if (op == DPL_OP_AND && l.k == K_BOOL && !l.b)
            return l;
        if (op == DPL_OP_OR && l.k == K_BOOL && l.b)
            return l;
        if (op == DPL_OP_COALESCE && l.k != K_NONE && l.k != K_NULL)
            return l;
        Const r = fold(e->u.binary.rhs);
        if (op == DPL_OP_COALESCE && l.k == K_NULL)
            return r;
        if (l.k == K_NONE || r.k == K_NONE)
            break;
        bool ok;
        int cmp;
        switch (op) {
        case DPL_OP_AND:
        case DPL_OP_OR:
            if (l.k == K_BOOL && r.k == K_BOOL)
                v.k = K_BOOL, v.b = r.b; /* the left one did not short-circuit */
            break;
        case DPL_OP_EQ:
        case DPL_OP_NE:
            cmp = compare(&l, &r, &ok);
            if (ok)
                v.b = cmp == 0;
            else if (l.k == K_BOOL && r.k == K_BOOL)
                v.b = l.b == r.b;
            else
                v.b = l.k == r.k && l.k == K_NULL; /* different types are never equal */
            v.k = K_BOOL;
            if (op == DPL_OP_NE)
                v.b = !v.b;
            break;
        case DPL_OP_LT:
        case DPL_OP_LE:
        case DPL_OP_GT:
        case DPL_OP_GE:
            cmp = compare(&l, &r, &ok);
            if (!ok)
                break;
            v.k = K_BOOL;
            v.b = op == DPL_OP_LT   ? cmp < 0
                  : op == DPL_OP_LE ? cmp <= 0
                  : op == DPL_OP_GT ? cmp > 0
                                    : cmp >= 0;
            break;
        default:
            break; /* arithmetic is not folded: overflow is a runtime matter */
        }
        break;
    }
    default:
        break;
    }
    return v;
}

void dpl_check_condition(DplChecker *c, DplExpr *e, const char *what)
{
    DplTypes t = infer(c, e);
    if (is_error(e))
        return;
    if (!(t & DPL_T_BOOL)) {
        char buf[96];
        DplDiag *d = dpl_diag_add(c->diags, DPL_E305, e->span, "%s must be a boolean, but this is always %s",
                                  what, describe(t, buf, sizeof buf));
        dpl_diag_help(d, "compare it with a value, e.g. `x == \"yes\"`, or test presence with `exists(x)`");
        return;
    }
    Const v = fold(e);
    if (v.k != K_BOOL)
        return;
    DplDiag *d = dpl_diag_add(c->diags, DPL_W404, e->span, "%s is always %s", what, v.b ? "true" : "false");
    dpl_diag_label(d, "this does not depend on the record");
    if (c->phase == DPL_PHASE_REQUIREMENT)
        dpl_diag_help(d, v.b ? "remove the requirement" : "every record will be rejected");
    else
        dpl_diag_help(d, v.b ? "remove the `if`" : "the item never runs");
}
