/* ops.c — the operators and casts of spec §6 on runtime values.
 *
 * Integers are int64 and every operation is checked (__builtin_*_overflow):
 * overflow and division by zero are `arithmetic_error`, never a wrapped or
 * infinite value.  Operands whose types do not fit the operator are a
 * `type_error` (the checker already refused the cases that hold for every
 * record).  Missing in, missing out.  A null operand also gives missing,
 * except in `==` and `!=` (see dpl__eval_binary); a cast of null fails. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "eval/internal.h"

/* A real result must be finite: JSON has no inf/nan. */
static json_t *real_result(EvalCtx *c, const DplExpr *e, double r)
{
    if (!isfinite(r)) {
        dpl__eval_fail(c, e, DPL_RT_ARITHMETIC_ERROR, "`%s` overflows the range of a real number",
                       dpl_op_spelling(e->u.binary.op));
        return NULL;
    }
    return json_real(r);
}

static json_t *int_arith(EvalCtx *c, const DplExpr *e, DplOp op, int64_t x, int64_t y)
{
    int64_t r = 0;
    bool overflow = false;
    switch (op) {
    case DPL_OP_ADD: overflow = __builtin_add_overflow(x, y, &r); break;
    case DPL_OP_SUB: overflow = __builtin_sub_overflow(x, y, &r); break;
    case DPL_OP_MUL: overflow = __builtin_mul_overflow(x, y, &r); break;
    case DPL_OP_MOD:
        if (y == 0) {
            dpl__eval_fail(c, e, DPL_RT_ARITHMETIC_ERROR, "remainder of %lld by zero", (long long)x);
            return NULL;
        }
        /* INT64_MIN % -1 traps on x86 although the result is 0 */
        r = y == -1 ? 0 : x % y;
        break;
    default: break;
    }
    if (overflow) {
        dpl__eval_fail(c, e, DPL_RT_ARITHMETIC_ERROR, "integer overflow in %lld %s %lld", (long long)x,
                       dpl_op_spelling(op), (long long)y);
        return NULL;
    }
    return json_integer(r);
}

static json_t *arith(EvalCtx *c, const DplExpr *e, DplOp op, json_t *a, json_t *b)
{
    if (op == DPL_OP_ADD && json_is_string(a) && json_is_string(b)) {
        size_t la = json_string_length(a), lb = json_string_length(b);
        char *s = dpl_malloc(la + lb + 1);
        memcpy(s, json_string_value(a), la);
        memcpy(s + la, json_string_value(b), lb);
        json_t *r = json_stringn_nocheck(s, la + lb);
        dpl_free(s);
        return r;
    }
    if (!json_is_number(a) || !json_is_number(b)) {
        dpl__eval_fail(c, e, DPL_RT_TYPE_ERROR, "`%s` needs %s, found %s and %s", dpl_op_spelling(op),
                       op == DPL_OP_ADD ? "two numbers or two strings" : "numbers", dpl_value_article(a),
                       dpl_value_article(b));
        return NULL;
    }
    bool ints = json_is_integer(a) && json_is_integer(b);
    if (op == DPL_OP_MOD) {
        if (!ints) {
            dpl__eval_fail(c, e, DPL_RT_TYPE_ERROR, "`%%` needs integers, found %s and %s", dpl_value_article(a),
                           dpl_value_article(b));
            return NULL;
        }
        return int_arith(c, e, op, json_integer_value(a), json_integer_value(b));
    }
    if (op == DPL_OP_DIV) {
        double y = json_number_value(b);
        if (y == 0) {
            dpl__eval_fail(c, e, DPL_RT_ARITHMETIC_ERROR, "division by zero");
            return NULL;
        }
        return real_result(c, e, json_number_value(a) / y);
    }
    if (ints)
        return int_arith(c, e, op, json_integer_value(a), json_integer_value(b));
    double x = json_number_value(a), y = json_number_value(b);
    double r = op == DPL_OP_ADD ? x + y : op == DPL_OP_SUB ? x - y : x * y;
    return real_result(c, e, r);
}

int dpl_cmp_int_real(int64_t i, double d)
{
    if (d >= 9223372036854775808.0)
        return -1;
    if (d < -9223372036854775808.0)
        return 1;
    /* in int64 range now: the conversion truncates toward zero */
    int64_t ti = (int64_t)d;
    double t = (double)ti;
    if (i != ti)
        return i < ti ? -1 : 1;
    double frac = d - t;
    return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

static int cmp_numbers(json_t *a, json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b)) {
        json_int_t x = json_integer_value(a), y = json_integer_value(b);
        return x < y ? -1 : x > y;
    }
    if (json_is_integer(a))
        return dpl_cmp_int_real(json_integer_value(a), json_real_value(b));
    if (json_is_integer(b))
        return -dpl_cmp_int_real(json_integer_value(b), json_real_value(a));
    double x = json_real_value(a), y = json_real_value(b);
    return x < y ? -1 : x > y;
}

static int cmp_strings(json_t *a, json_t *b)
{
    size_t la = json_string_length(a), lb = json_string_length(b);
    int r = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);
    if (r)
        return r < 0 ? -1 : 1;
    return la < lb ? -1 : la > lb;
}

static json_t *compare(EvalCtx *c, const DplExpr *e, DplOp op, json_t *a, json_t *b)
{
    int r;
    if (json_is_number(a) && json_is_number(b))
        r = cmp_numbers(a, b);
    else if (json_is_string(a) && json_is_string(b))
        r = cmp_strings(a, b); /* byte order = code point order in UTF-8 */
    else {
        dpl__eval_fail(c, e, DPL_RT_TYPE_ERROR, "cannot compare %s with %s using `%s`", dpl_value_article(a),
                       dpl_value_article(b), dpl_op_spelling(op));
        return NULL;
    }
    switch (op) {
    case DPL_OP_LT: return json_boolean(r < 0);
    case DPL_OP_LE: return json_boolean(r <= 0);
    case DPL_OP_GT: return json_boolean(r > 0);
    default: return json_boolean(r >= 0);
    }
}

bool dpl__eval_blames_right(DplOp op, json_t *a, json_t *b)
{
    switch (op) {
    case DPL_OP_SUB:
    case DPL_OP_MUL:
    case DPL_OP_DIV: return json_is_number(a) && !json_is_number(b);
    case DPL_OP_MOD: return json_is_integer(a) && !json_is_integer(b);
    case DPL_OP_ADD:
        return (json_is_number(a) || json_is_string(a)) && !json_is_number(b) && !json_is_string(b);
    case DPL_OP_LT:
    case DPL_OP_LE:
    case DPL_OP_GT:
    case DPL_OP_GE:
        return (json_is_number(a) || json_is_string(a)) && !json_is_number(b) && !json_is_string(b);
    default: return false;
    }
}

json_t *dpl__eval_binary(EvalCtx *c, const DplExpr *e, DplOp op, json_t *a, json_t *b)
{
    if (!a || !b)
        return NULL;
    /* Null is "no value" in data, as in SQL: outside `==`/`!=` it flows
     * through operators like missing (the builtins and conditions treat it
     * the same way), rather than rejecting the record as a type error. */
    if ((json_is_null(a) || json_is_null(b)) && op != DPL_OP_EQ && op != DPL_OP_NE)
        return NULL;
    switch (op) {
    case DPL_OP_EQ: return json_boolean(dpl_json_equal(a, b));
    case DPL_OP_NE: return json_boolean(!dpl_json_equal(a, b));
    case DPL_OP_LT:
    case DPL_OP_LE:
    case DPL_OP_GT:
    case DPL_OP_GE: return compare(c, e, op, a, b);
    case DPL_OP_ADD:
    case DPL_OP_SUB:
    case DPL_OP_MUL:
    case DPL_OP_DIV:
    case DPL_OP_MOD: return arith(c, e, op, a, b);
    default: break;
    }
    dpl__eval_fail(c, e, DPL_RT_TYPE_ERROR, "`%s` is not a binary operator", dpl_op_spelling(op));
    return NULL;
}

json_t *dpl__eval_unary(EvalCtx *c, const DplExpr *e, DplOp op, json_t *a)
{
    if (!a || json_is_null(a)) /* null like missing, as in dpl__eval_binary */
        return NULL;
    if (op == DPL_OP_NOT) {
        if (json_is_boolean(a))
            return json_boolean(!json_is_true(a));
        dpl__eval_fail(c, e, DPL_RT_TYPE_ERROR, "`not` needs a boolean, found %s", dpl_value_article(a));
        return NULL;
    }
    if (json_is_integer(a)) {
        json_int_t x = json_integer_value(a);
        if (x == INT64_MIN) {
            dpl__eval_fail(c, e, DPL_RT_ARITHMETIC_ERROR, "integer overflow in -(%lld)", (long long)x);
            return NULL;
        }
        return json_integer(-x);
    }
    if (json_is_real(a))
        return json_real(-json_real_value(a));
    dpl__eval_fail(c, e, DPL_RT_TYPE_ERROR, "unary `-` needs a number, found %s", dpl_value_article(a));
    return NULL;
}

/* ---- casts ------------------------------------------------------------------------ */

static bool is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v'; }

/* s[0..n) without surrounding white space, NUL-terminated: copied into buf
 * when it fits, else into a new allocation (a long run of digits is still
 * a number), which the caller frees when the result is not buf.  NULL when
 * nothing is left or it holds a NUL byte (which makes it unparsable anyway). */
static char *trimmed(const char *p, size_t n, char *buf, size_t cap)
{
    while (n && is_space(*p))
        p++, n--;
    while (n && is_space(p[n - 1]))
        n--;
    if (n == 0 || memchr(p, '\0', n))
        return NULL;
    char *out = n < cap ? buf : dpl_malloc(n + 1);
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

static void trimmed_free(char *t, const char *buf)
{
    if (t != buf)
        dpl_free(t);
}

/* [+-]digits, nothing else. */
static bool parse_int(const char *s, int64_t *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE || *end)
        return false;
    *out = v;
    return true;
}

/* A decimal number: [+-] digits [. digits] [e [+-] digits], or .5 / 5. forms.
 * No hex, inf or nan, which strtod would otherwise accept. */
static bool parse_real(const char *s, double *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9')
        p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++, digits++;
    }
    if (!digits)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return false;
    double d = strtod(s, NULL);
    if (!isfinite(d))
        return false;
    *out = d;
    return true;
}

bool dpl_cast_text_int(const char *s, size_t n, int64_t *out)
{
    char buf[64];
    char *t = trimmed(s, n, buf, sizeof buf);
    bool ok = t && parse_int(t, out);
    trimmed_free(t, buf);
    return ok;
}

bool dpl_cast_text_real(const char *s, size_t n, double *out)
{
    char buf[64];
    char *t = trimmed(s, n, buf, sizeof buf);
    bool ok = t && parse_real(t, out);
    trimmed_free(t, buf);
    return ok;
}

bool dpl_cast_text_bool(const char *s, size_t n, bool *out)
{
    char buf[64];
    char *t = trimmed(s, n, buf, sizeof buf);
    int r = !t ? -1 : strcmp(t, "true") == 0 ? 1 : strcmp(t, "false") == 0 ? 0 : -1;
    trimmed_free(t, buf);
    if (r >= 0)
        *out = r == 1;
    return r >= 0;
}

static const char *cast_name(DplCastType t)
{
    switch (t) {
    case DPL_CAST_INT: return "int";
    case DPL_CAST_FLOAT: return "float";
    case DPL_CAST_STRING: return "string";
    case DPL_CAST_BOOL: return "bool";
    default: return "?";
    }
}

/* The string as a JSON literal for a message: escaped (a quote, a newline
 * or a NUL byte in the value must not garble the message), and cut after at
 * most `max` bytes of escaped text, only between code points, with "..."
 * when cut.  The result fits buf (cap > max + 8). */
static void quote_for_message(const json_t *s, char *buf, size_t cap, size_t max)
{
    const char *p = json_string_value(s);
    size_t n = json_string_length(s), i = 0;
    DplBuf q = {0};
    dpl_buf_putc(&q, '"');
    while (i < n) {
        uint32_t cp;
        int len = dpl_utf8_decode(p + i, n - i, &cp);
        size_t step = len > 0 ? (size_t)len : 1;
        size_t before = q.len;
        dpl_json_write_string(&q, p + i, step); /* "<escaped code point>" */
        /* keep only the escaped code point, without the quotes just written */
        memmove(q.data + before, q.data + before + 1, q.len - before - 2);
        q.len -= 2;
        if (q.len > max) {
            q.len = before;
            break;
        }
        i += step;
    }
    dpl_buf_putc(&q, '"');
    snprintf(buf, cap, "%.*s%s", (int)q.len, q.data, i < n ? "..." : "");
    dpl_buf_free(&q);
}

/* The decimal separator text written with separators most likely uses:
 * the later of '.' and ',' when both appear ("1.234,50", "1,234.5"), the
 * other one when one repeats ("1.234.567"), ',' before other than three
 * digits ("12,50"); 0 when it cannot tell ("1,234"). */
static char decimal_separator(const char *s, size_t n)
{
    size_t commas = 0, dots = 0, last_comma = 0, last_dot = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ',')
            commas++, last_comma = i;
        else if (s[i] == '.')
            dots++, last_dot = i;
    }
    if (commas && dots)
        return last_comma > last_dot ? ',' : '.';
    if (commas > 1 || dots > 1)
        return commas ? '.' : ',';
    if (commas) {
        size_t digits = 0;
        for (size_t i = last_comma + 1; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
        return digits == 3 ? 0 : ',';
    }
    return '.';
}

/* For text that `as int`/`as float` cannot read but parse_number can
 * ("1.234,50", "12,50", "1,234.5"): "; parse_number(amount, \",\") reads
 * it", naming the operand when it is a path; "" otherwise. */
static void number_hint(const DplExpr *e, DplCastType type, json_t *a, char *out, size_t cap)
{
    out[0] = '\0';
    if ((type != DPL_CAST_INT && type != DPL_CAST_FLOAT) || !json_is_string(a))
        return;
    DplNumber num;
    const char *s = json_string_value(a);
    size_t n = json_string_length(a);
    /* only text with separators: "12.5" as int is not a job for parse_number */
    if (!memchr(s, ',', n) && (!memchr(s, '.', n) || memchr(s, '.', n) == memrchr(s, '.', n)))
        return;
    char sep = decimal_separator(s, n);
    bool comma = sep != '.' && dpl_number_parse(s, n, ',', &num) == DPL_CORE_OK;
    bool dot = sep != ',' && dpl_number_parse(s, n, '.', &num) == DPL_CORE_OK;
    if (!comma && !dot)
        return;
    const DplExpr *x = e->u.cast.operand;
    DplBuf what = {0};
    if (x->kind == DPL_EXPR_PATH)
        dpl_path_print(&what, &x->u.path);
    if (!what.len || what.len > 32) { /* the hint must fit the message whole */
        what.len = 0;
        dpl_buf_puts(&what, "s");
    }
    if (comma && dot)
        snprintf(out, cap, "; parse_number(%s) or parse_number(%s, \",\") reads it, by its decimal separator", what.data,
                 what.data);
    else
        snprintf(out, cap, "; parse_number(%s%s) reads it", what.data, comma ? ", \",\"" : "");
    dpl_buf_free(&what);
}

static json_t *cast_failed(EvalCtx *c, const DplExpr *e, DplCastType type, json_t *a)
{
    if (json_is_string(a)) {
        char quoted[140], hint[112];
        quote_for_message(a, quoted, sizeof quoted, 120);
        number_hint(e, type, a, hint, sizeof hint);
        dpl__eval_fail(c, e, DPL_RT_CAST_FAILED, "cannot cast %s to %s%s", quoted, cast_name(type), hint);
    } else {
        dpl__eval_fail(c, e, DPL_RT_CAST_FAILED, "cannot cast %s to %s", dpl_value_article(a), cast_name(type));
    }
    return NULL;
}

json_t *dpl__eval_cast(EvalCtx *c, const DplExpr *e, DplCastType type, json_t *a)
{
    if (!a)
        return NULL;
    char buf[400];
    switch (type) {
    case DPL_CAST_INT:
        if (json_is_integer(a))
            return json_incref(a);
        if (json_is_real(a)) {
            double d = json_real_value(a);
            /* integral and inside [-2^63, 2^63) */
            if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && (double)(json_int_t)d == d)
                return json_integer((json_int_t)d);
        } else if (json_is_string(a)) {
            int64_t v;
            if (dpl_cast_text_int(json_string_value(a), json_string_length(a), &v))
                return json_integer(v);
        }
        return cast_failed(c, e, type, a);
    case DPL_CAST_FLOAT:
        if (json_is_real(a))
            return json_incref(a);
        if (json_is_integer(a))
            return json_real((double)json_integer_value(a));
        if (json_is_string(a)) {
            double d;
            if (dpl_cast_text_real(json_string_value(a), json_string_length(a), &d))
                return json_real(d);
        }
        return cast_failed(c, e, type, a);
    case DPL_CAST_STRING:
        if (json_is_string(a))
            return json_incref(a);
        if (json_is_integer(a)) {
            int n = snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(a));
            return json_stringn_nocheck(buf, (size_t)n);
        }
        if (json_is_real(a)) {
            int n = dpl_json_format_real(json_real_value(a), buf);
            return json_stringn_nocheck(buf, (size_t)n);
        }
        if (json_is_boolean(a))
            return json_string(json_is_true(a) ? "true" : "false");
        return cast_failed(c, e, type, a);
    case DPL_CAST_BOOL:
        if (json_is_boolean(a))
            return json_incref(a);
        if (json_is_string(a)) {
            bool b;
            if (dpl_cast_text_bool(json_string_value(a), json_string_length(a), &b))
                return json_boolean(b);
        }
        return cast_failed(c, e, type, a);
    case DPL_CAST_UNKNOWN:
        break;
    }
    /* the checker refuses unknown cast types (E307) */
    dpl__eval_fail(c, e, DPL_RT_CAST_FAILED, "unknown cast type `%s`", e->u.cast.type_name);
    return NULL;
}
