/* expr.c — prints expressions with the fewest parentheses the precedence
 * table of spec §6 allows, spaces around binary operators, canonical
 * operator spellings (`and`, `or`, `not`) and canonical string escapes. */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "fmt/internal.h"

/* Binding strength, lowest first; PREC_PRIMARY never needs parentheses. */
enum {
    PREC_ANY,
    PREC_COALESCE,
    PREC_OR,
    PREC_AND,
    PREC_EQUALITY,
    PREC_COMPARE,
    PREC_ADD,
    PREC_MUL,
    PREC_PREFIX,
    PREC_POSTFIX,
    PREC_PRIMARY,
};

static int binary_prec(DplOp op)
{
    switch (op) {
    case DPL_OP_COALESCE:
        return PREC_COALESCE;
    case DPL_OP_OR:
        return PREC_OR;
    case DPL_OP_AND:
        return PREC_AND;
    case DPL_OP_EQ:
    case DPL_OP_NE:
        return PREC_EQUALITY;
    case DPL_OP_LT:
    case DPL_OP_LE:
    case DPL_OP_GT:
    case DPL_OP_GE:
        return PREC_COMPARE;
    case DPL_OP_ADD:
    case DPL_OP_SUB:
        return PREC_ADD;
    case DPL_OP_MUL:
    case DPL_OP_DIV:
    case DPL_OP_MOD:
        return PREC_MUL;
    case DPL_OP_NEG:
    case DPL_OP_NOT:
        return PREC_PREFIX;
    }
    return PREC_ANY;
}

/* A literal the parser folded from `-1` prints with its sign, so it binds
 * like a prefix operator: `(-1) as string` must keep its parentheses. */
static bool negative_literal(const DplExpr *e)
{
    return (e->kind == DPL_EXPR_INT && e->u.i < 0) || (e->kind == DPL_EXPR_REAL && signbit(e->u.r));
}

static int expr_prec(const DplExpr *e)
{
    switch (e->kind) {
    case DPL_EXPR_UNARY:
        return PREC_PREFIX;
    case DPL_EXPR_BINARY:
        return binary_prec(e->u.binary.op);
    case DPL_EXPR_CAST:
        return PREC_POSTFIX;
    case DPL_EXPR_INT:
    case DPL_EXPR_REAL:
        return negative_literal(e) ? PREC_PREFIX : PREC_PRIMARY;
    default:
        return PREC_PRIMARY;
    }
}


/* True when the source bytes of span look like a plain number literal (the
 * author's spelling is kept: 1.50 stays 1.50, 2e10 stays 2e10). */
static bool number_text(const DplSource *src, DplSpan span, bool real)
{
    if (span.end <= span.start || span.end > src->len)
        return false;
    const char *t = src->text + span.start;
    size_t n = span.end - span.start;
    size_t i = (t[0] == '-') ? 1 : 0;
    if (i == n || !isdigit((unsigned char)t[i]))
        return false;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (!(isdigit(c) || (real && (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'))))
            return false;
    }
    return true;
}

static void print_number(DplBuf *out, const DplSource *src, const DplExpr *e)
{
    bool real = e->kind == DPL_EXPR_REAL;
    if (number_text(src, e->span, real)) {
        dpl_buf_append(out, src->text + e->span.start, e->span.end - e->span.start);
        return;
    }
    /* The span does not hold the literal (a tree built by hand): print the
     * value so that it reads back as the same kind and number. */
    if (!real) {
        dpl_buf_printf(out, "%" PRId64, e->u.i);
        return;
    }
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.17g", e->u.r);
    dpl_buf_puts(out, tmp);
    if (!strpbrk(tmp, ".eEni"))
        dpl_buf_puts(out, ".0");
}

static void print_at(DplBuf *out, const DplSource *src, const DplExpr *e, int min_prec);

static void print_list(DplBuf *out, const DplSource *src, DplExpr *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            dpl_buf_puts(out, ", ");
        print_at(out, src, items[i], PREC_ANY);
    }
}

static void print_unary(DplBuf *out, const DplSource *src, const DplExpr *e)
{
    const DplExpr *x = e->u.unary.operand;
    if (e->u.unary.op == DPL_OP_NOT) {
        dpl_buf_puts(out, "not ");
        print_at(out, src, x, PREC_PREFIX);
        return;
    }
    dpl_buf_putc(out, '-');
    /* `--x` and `-not x` parse, but read like something else: parenthesise
     * a prefix operand of `-`. */
    if (expr_prec(x) == PREC_PREFIX) {
        dpl_buf_putc(out, '(');
        print_at(out, src, x, PREC_ANY);
        dpl_buf_putc(out, ')');
    } else {
        print_at(out, src, x, PREC_PREFIX);
    }
}

static void print_at(DplBuf *out, const DplSource *src, const DplExpr *e, int min_prec)
{
    bool paren = expr_prec(e) < min_prec;
    if (paren)
        dpl_buf_putc(out, '(');
    switch (e->kind) {
    case DPL_EXPR_NULL:
        dpl_buf_puts(out, "null");
        break;
    case DPL_EXPR_BOOL:
        dpl_buf_puts(out, e->u.b ? "true" : "false");
        break;
    case DPL_EXPR_INT:
    case DPL_EXPR_REAL:
        print_number(out, src, e);
        break;
    case DPL_EXPR_STRING:
        dpl_ast_quote(out, e->u.str.s, e->u.str.len);
        break;
    case DPL_EXPR_PATH:
        dpl_path_print(out, &e->u.path);
        break;
    case DPL_EXPR_META:
        dpl_buf_putc(out, '\'');
        dpl_buf_puts(out, e->u.meta.name);
        break;
    case DPL_EXPR_ARRAY:
        dpl_buf_putc(out, '[');
        print_list(out, src, e->u.array.items, e->u.array.n);
        dpl_buf_putc(out, ']');
        break;
    case DPL_EXPR_UNARY:
        print_unary(out, src, e);
        break;
    case DPL_EXPR_BINARY: {
        /* Left-associative: an operand of the same level on the right was
         * parenthesised by the author and must stay so. */
        int p = binary_prec(e->u.binary.op);
        print_at(out, src, e->u.binary.lhs, p);
        dpl_buf_printf(out, " %s ", dpl_op_spelling(e->u.binary.op));
        print_at(out, src, e->u.binary.rhs, p + 1);
        break;
    }
    case DPL_EXPR_CALL:
        dpl_buf_puts(out, e->u.call.name);
        dpl_buf_putc(out, '(');
        print_list(out, src, e->u.call.args, e->u.call.nargs);
        dpl_buf_putc(out, ')');
        break;
    case DPL_EXPR_CAST:
        print_at(out, src, e->u.cast.operand, PREC_POSTFIX);
        dpl_buf_puts(out, " as ");
        dpl_buf_puts(out, e->u.cast.type_name);
        break;
    case DPL_EXPR_ERROR:
        /* dpl_fmt never formats a program with syntax errors; should one
         * slip through, the author's text is the only faithful output. */
        if (e->span.end > e->span.start && e->span.end <= src->len)
            dpl_buf_append(out, src->text + e->span.start, e->span.end - e->span.start);
        break;
    }
    if (paren)
        dpl_buf_putc(out, ')');
}

void dpl_fmt_expr(DplBuf *out, const DplSource *src, const DplExpr *e)
{
    print_at(out, src, e, PREC_ANY);
}
