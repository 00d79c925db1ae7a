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
#include <stdlib.h>

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

/* Whether s[0..n) is a JSON number ("0", "-1.5", "2e3"). */
static bool reads_as_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9')
        return false;
    if (s[i] == '0')
        i++;
    else
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    if (i < n && s[i] == '.') {
        size_t d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    return i == n;
}

/* W406: `amount > "0"` compares text whenever amount is a string ("11994"
 * > "0" by bytes) and fails on numbers; the number was surely meant. */
static void numeric_text(DplChecker *c, const DplExpr *e)
{
    const DplExpr *l = e->u.binary.lhs, *r = e->u.binary.rhs;
    const DplExpr *lit = l->kind == DPL_EXPR_STRING && r->kind == DPL_EXPR_PATH   ? l
                         : r->kind == DPL_EXPR_STRING && l->kind == DPL_EXPR_PATH ? r
                                                                                  : NULL;
    if (!lit || !reads_as_number(lit->u.str.s, lit->u.str.len))
        return;
    int n = (int)lit->u.str.len;
    DplDiag *d = dpl_diag_add(c->diags, DPL_W406, lit->span, "this compares text; did you mean `%.*s`?", n,
                              lit->u.str.s);
    dpl_diag_label(d, "a string that reads as a number");
    dpl_diag_help(d, "write the number without quotes: `%.*s`", n, lit->u.str.s);
    dpl_diag_note(d, "a string compares with a string by bytes (\"9\" > \"10\"), and never equals a number");
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
        numeric_text(c, e);
        return DPL_T_BOOL;
    case DPL_OP_LT:
    case DPL_OP_LE:
    case DPL_OP_GT:
    case DPL_OP_GE:
        if (check_num_or_str(c, e, l, r, "numbers with numbers or strings with strings"))
            numeric_text(c, e);
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
static void compile_regex(DplChecker *c, DplExpr *call, DplExpr *lit, bool groups)
{
    if (call->u.call.regex)
        return; /* checked before (the REPL re-checks its session program) */
    if (memchr(lit->u.str.s, '\0', lit->u.str.len)) {
        dpl_diag_add(c->diags, DPL_E311, lit->span,
                     "invalid regular expression: it contains a NUL character");
        return;
    }
    regex_t *re = dpl_malloc(sizeof *re);
    int rc = regcomp(re, lit->u.str.s, REG_EXTENDED | (groups ? 0 : REG_NOSUB));
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

/* extract(s, "re", n): the regex literal (with its groups) and the group,
 * an integer literal within them (E311). */
static void check_extract(DplChecker *c, DplExpr *e)
{
    DplExpr *lit = e->u.call.args[1];
    if (lit->kind != DPL_EXPR_STRING) {
        DplDiag *d = dpl_diag_add(c->diags, DPL_E305, lit->span, "the regular expression of `extract` must be a string literal");
        dpl_diag_help(d, "regexes are compiled once, when the program is checked; write it as \"...\"");
        return;
    }
    compile_regex(c, e, lit, true);
    const regex_t *re = e->u.call.regex;
    if (!re)
        return;
    int64_t group = 1;
    DplSpan at = lit->span;
    if (e->u.call.nargs > 2) {
        DplExpr *n = e->u.call.args[2];
        if (n->kind != DPL_EXPR_INT) {
            DplDiag *d = dpl_diag_add(c->diags, DPL_E311, n->span, "the group of `extract` must be an integer literal");
            dpl_diag_help(d, "write the group's number: 0 for the whole match, 1 for the first `( )`");
            return;
        }
        group = n->u.i;
        at = n->span;
    }
    size_t ngroups = re->re_nsub;
    if (group < 0 || (uint64_t)group > ngroups || group > 9) {
        DplDiag *d = dpl_diag_add(c->diags, DPL_E311, at, "`extract` asks for group %lld, but the regex has %zu group%s",
                                  (long long)group, ngroups, ngroups == 1 ? "" : "s");
        if (ngroups == 0)
            dpl_diag_help(d, "put `( )` around the part to extract, or ask for group 0 (the whole match)");
        else
            dpl_diag_help(d, "groups are numbered from 1 by their `(`; 0 is the whole match");
        return;
    }
    e->u.call.group = (int)group;
}

/* The source span of the value bytes [at, at + n) of string literal lit:
 * the escapes before them are walked (\n is one byte of value, \u00e9 two,
 * a surrogate pair four).  lit's whole span when those bytes are not plain
 * source bytes (written with escapes themselves) or lit is not in src. */
static DplSpan literal_part(const DplSource *src, const DplExpr *lit, size_t at, size_t n)
{
    if (!src || lit->span.end > src->len || lit->span.end - lit->span.start < 2 || src->text[lit->span.start] != '"')
        return lit->span;
    const char *s = src->text + lit->span.start + 1, *end = src->text + lit->span.end - 1;
    size_t v = 0;
    while (v < at && s < end) {
        if (*s != '\\') {
            s++, v++;
        } else if (s + 6 <= end && s[1] == 'u') {
            char hex[5] = {s[2], s[3], s[4], s[5], '\0'};
            unsigned long cp = strtoul(hex, NULL, 16);
            bool pair = cp >= 0xD800 && cp <= 0xDBFF;
            v += pair ? 4 : cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
            s += pair ? 12 : 6;
        } else {
            s += 2, v++;
        }
    }
    if (v != at || s > end || (size_t)(end - s) < n || memchr(s, '\\', n) || memcmp(s, lit->u.str.s + at, n) != 0)
        return lit->span;
    uint32_t from = (uint32_t)(s - src->text);
    return (DplSpan){from, from + (uint32_t)n};
}

/* parse_time / format_time: the format is a literal that E314 checks. */
static void check_time_format(DplChecker *c, const DplBuiltin *fn, DplExpr *lit)
{
    if (lit->kind != DPL_EXPR_STRING) {
        DplDiag *d = dpl_diag_add(c->diags, DPL_E305, lit->span, "the format of `%s` must be a string literal", fn->name);
        dpl_diag_help(d, "formats are checked when the program is, e.g. \"%%d/%%m/%%Y\"");
        return;
    }
    size_t at;
    const char *why = dpl_time_format_problem(lit->u.str.s, lit->u.str.len, &at);
    if (!why)
        return;
    DplDiag *d;
    bool directive = at + 1 < lit->u.str.len && lit->u.str.s[at] == '%';
    /* point at the directive itself (a REPL expression has a source of its
     * own: then the whole literal) */
    DplSpan at_span = directive ? literal_part(c->prog->src, lit, at, 2) : lit->span;
    if (directive && strcmp(why, "directive used twice") == 0)
        d = dpl_diag_add(c->diags, DPL_E314, at_span, "invalid time format: `%%%c` is used twice", lit->u.str.s[at + 1]);
    else if (directive)
        d = dpl_diag_add(c->diags, DPL_E314, at_span, "invalid time format: %s `%%%c`", why, lit->u.str.s[at + 1]);
    else
        d = dpl_diag_add(c->diags, DPL_E314, lit->span, "invalid time format: %s", why);
    dpl_diag_note(d, "the directives are %%Y (4 digits) %%m %%d %%H %%M %%S %%f (fraction) %%z (zone) and %%%% "
                     "(a percent sign); a format needs %%Y, %%m and %%d");
}

/* parse_number's separator: the literal "." or "," (spec §12.6: E305). */
static void check_separator(DplChecker *c, DplExpr *lit)
{
    if (lit->kind == DPL_EXPR_STRING && lit->u.str.len == 1 && (lit->u.str.s[0] == '.' || lit->u.str.s[0] == ','))
        return;
    DplDiag *d = dpl_diag_add(c->diags, DPL_E305, lit->span, "the decimal separator of `parse_number` must be \".\" or \",\"");
    dpl_diag_help(d, "write parse_number(s, \",\") for 1.234,56 and parse_number(s) for 1,234.56");
}

/* map/filter: arg 0 in the current scope, arg 1 once per element, where
 * relative paths and 'item start at the element. */
static DplTypes element_call(DplChecker *c, DplExpr *e, const DplBuiltin *fn, DplTypes *arg0)
{
    DplExpr *arr = e->u.call.args[0], *body = e->u.call.args[1];
    *arg0 = infer(c, arr);
    DplScope saved = c->rel;
    DplScope elem = {NULL, 0, false};
    if (arr->kind == DPL_EXPR_PATH && arr->u.path.abs) {
        e->u.call.elem_prefix = arr->u.path.abs;
        size_t n = 0;
        const DplPath *p = &arr->u.path;
        /* the array's absolute segments (as dpl_check_read derived them) and [*] */
        bool absolute = p->root == DPL_ROOT_DATA || p->root == DPL_ROOT_METADATA;
        size_t base = absolute ? 0 : saved.nsegs;
        n = base + p->nsegs + 1;
        DplSegment *segs = dpl_arena_alloc(c->prog->arena, n * sizeof *segs);
        if (base)
            memcpy(segs, saved.segs, base * sizeof *segs);
        memcpy(segs + base, p->segs, p->nsegs * sizeof *segs);
        segs[n - 1] = (DplSegment){.kind = DPL_SEG_STAR, .span = arr->span};
        elem = (DplScope){segs, n, true};
    }
    c->rel = elem;
    c->elem_depth++;
    DplTypes t = infer(c, body);
    c->elem_depth--;
    c->rel = saved;
    if (fn->params[1] == DPL_T_BOOL && !is_error(body) && !(t & DPL_T_BOOL)) {
        char buf[96];
        DplDiag *d = dpl_diag_add(c->diags, DPL_E305, body->span, "the condition of `filter` must be a boolean, but this is always %s",
                                  describe(t, buf, sizeof buf));
        dpl_diag_help(d, "compare the element with a value, e.g. `filter(tags, 'item != \"\")`");
    }
    return t;
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
    DplTypes elem_arg0 = 0, branches = 0;
    if (fn->arg_rule == DPL_ARGS_ELEMENT && arity_ok)
        element_call(c, e, fn, &elem_arg0);
    for (size_t i = 0; i < n; i++) {
        DplExpr *arg = e->u.call.args[i];
        if (fn->arg_rule == DPL_ARGS_ELEMENT && arity_ok && i == 1)
            continue; /* checked per element above */
        DplTypes t = fn->arg_rule == DPL_ARGS_ELEMENT && arity_ok && i == 0 ? elem_arg0 : infer(c, arg);
        if (fn->arg_rule == DPL_ARGS_LAZY && i > 0)
            branches |= t;
        if (!arity_ok || is_error(arg))
            continue; /* a wrong count makes positions meaningless */
        if (fn->arg_rule == DPL_ARGS_EXTRACT && i >= 1) {
            if (i == 1)
                check_extract(c, e);
            continue;
        }
        if (fn->arg_rule == DPL_ARGS_TIME_FORMAT && i == 1) {
            check_time_format(c, fn, arg);
            continue;
        }
        if (fn->arg_rule == DPL_ARGS_DECIMAL_SEP && i == 1) {
            check_separator(c, arg);
            continue;
        }
        if (fn->arg_rule == DPL_ARGS_LITERAL_REGEX && i == 1) {
            if (arg->kind == DPL_EXPR_STRING)
                compile_regex(c, e, arg, false);
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
    if (fn->arg_rule == DPL_ARGS_LAZY && arity_ok)
        return branches ? branches : DPL_T_ANY;
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

/* E313: 'item names the element of map/filter, and there is none here. */
static void item_outside(DplChecker *c, const DplExpr *e)
{
    DplDiag *d = dpl_diag_add(c->diags, DPL_E313, e->span, "`'item` used outside `map` or `filter`");
    dpl_diag_label(d, "no element here");
    dpl_diag_help(d, "`'item` is the element inside the second argument of map/filter: map(list, upper('item))");
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
                [DPL_PHASE_WHERE] = "in `where`: records are filtered before the id is computed",
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
    case DPL_META_ITEM:
        if (c->elem_depth == 0)
            item_outside(c, e);
        dpl_check_item(c, e);
        return DPL_T_ANY;
    case DPL_META_UNKNOWN:
        break;
    }
    static const char *const metas[] = {"id", "source", "entity", "line", "item"};
    const char *name = e->u.meta.name ? e->u.meta.name : "";
    DplDiag *d = dpl_diag_add(c->diags, DPL_E310, e->span, "unknown meta attribute `'%s`", name);
    const char *near = dpl_check_nearest(name, metas, 5);
    if (near) {
        dpl_diag_help(d, "did you mean `'%s`?", near);
        char *fixed = dpl_asprintf("'%s", near);
        dpl_diag_fix(d, e->span, fixed);
        dpl_free(fixed);
    }
    dpl_diag_note(d, "the meta attributes are `'id`, `'source`, `'entity`, `'line` and, inside map/filter, `'item`");
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
        if (e->u.path.root == DPL_ROOT_ITEM && c->elem_depth == 0)
            item_outside(c, e);
        dpl_check_read(c, e);
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
    else if (c->phase == DPL_PHASE_WHERE)
        dpl_diag_help(d, v.b ? "remove the condition" : "every record will be skipped");
    else
        dpl_diag_help(d, v.b ? "remove the `if`" : "the item never runs");
}
