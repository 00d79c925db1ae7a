/* test_stdlib.c — every builtin of spec §6 through the table, as the
 * evaluator calls them: results, missing and null arguments, empty inputs,
 * Unicode, integer overflow edges and type errors. */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json/json.h"
#include "stdlib/stdlib.h"

static void setup(void) { dpl_util_init(); }

TestSuite(std, .init = setup);

/* Arguments are JSON texts; "-" stands for missing (NULL). */
typedef struct {
    json_t *result;
    DplRtError err;
} Call;

static Call call_ctx(const DplCallCtx *ctx, const char *fn, int n, va_list ap)
{
    const DplBuiltin *b = dpl_std_lookup(fn);
    cr_assert_not_null(b, "builtin %s exists", fn);
    json_t *args[16] = {0};
    cr_assert(n <= 16);
    for (int i = 0; i < n; i++) {
        const char *text = va_arg(ap, const char *);
        if (strcmp(text, "-") == 0)
            continue;
        DplJsonError je;
        cr_assert_eq(dpl_json_parse(text, strlen(text), &args[i], &je), DPL_JSON_OK, "arg %s: %s", text, je.message);
    }
    Call c = {0};
    c.result = b->fn(ctx, args, (size_t)n, &c.err);
    for (int i = 0; i < n; i++)
        json_decref(args[i]);
    return c;
}

static Call call(const char *fn, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    Call c = call_ctx(&(DplCallCtx){0}, fn, n, ap);
    va_end(ap);
    return c;
}

/* The result as compact JSON ("missing" for NULL), or "error:<code>". */
static char *show(Call c)
{
    if (c.err.set) {
        cr_assert_null(c.result, "an error returns no value");
        cr_assert(strchr(c.err.message, '('), "message names the function: %s", c.err.message);
        return dpl_asprintf("error:%s", dpl_rt_code_name(c.err.code));
    }
    if (!c.result)
        return dpl_strdup("missing");
    DplBuf b = {0};
    dpl_json_write(&b, c.result);
    json_decref(c.result);
    return dpl_buf_take(&b);
}

#define EXPECT(want, fn, n, ...)                                                       \
    do {                                                                               \
        char *got_ = show(call(fn, n, __VA_ARGS__));                                   \
        cr_expect_str_eq(got_, want, "%s(%s) = %s, want %s", fn, #__VA_ARGS__, got_, want); \
        dpl_free(got_);                                                                \
    } while (0)

/* ---- strings -------------------------------------------------------------- */

Test(std, len)
{
    EXPECT("14", "len", 1, "\"São Paulo Ltda\"");
    EXPECT("16", "len", 1, "\"São João del-Rei\"");
    EXPECT("3", "len", 1, "\"🚗ok\"");
    EXPECT("3", "len", 1, "\"a\\u0000b\"");
    EXPECT("0", "len", 1, "\"\"");
    EXPECT("3", "len", 1, "[1,[2,3],null]");
    EXPECT("0", "len", 1, "[]");
    EXPECT("2", "len", 1, "{\"a\":1,\"b\":{}}");
    EXPECT("missing", "len", 1, "null");
    EXPECT("error:type_error", "len", 1, "5");
    EXPECT("error:type_error", "len", 1, "true");
}

Test(std, lower_upper)
{
    EXPECT("\"são paulo ltda\"", "lower", 1, "\"São Paulo Ltda\"");
    EXPECT("\"SÃO PAULO LTDA\"", "upper", 1, "\"São Paulo Ltda\"");
    EXPECT("\"SÃO JOÃO DEL-REI\"", "upper", 1, "\"São João del-Rei\"");
    EXPECT("\"ÀÉÎÕÜÇÑÞ×÷ßŸ\"", "upper", 1, "\"àéîõüçñþ×÷ßÿ\"");
    EXPECT("\"àéîõüçñþ×÷ßÿ\"", "lower", 1, "\"ÀÉÎÕÜÇÑÞ×÷ßŸ\"");
    EXPECT("\"ŁÓDŹ ŻÓŁW ĞÜŞ ΑΒΓ ΣΣ ПРИВЕТ\"", "upper", 1, "\"łódź żółw ğüş αβγ σς привет\"");
    EXPECT("\"łódź αβγ привет ё\"", "lower", 1, "\"ŁÓDŹ ΑΒΓ ПРИВЕТ Ё\"");
    EXPECT("\"🚗 ok 1\\u0000a\"", "lower", 1, "\"🚗 OK 1\\u0000A\"");
    EXPECT("\"\"", "upper", 1, "\"\"");
    EXPECT("missing", "lower", 1, "null");
    EXPECT("error:type_error", "upper", 1, "3");
    EXPECT("error:type_error", "lower", 1, "[\"A\"]");
}

Test(std, trim_and_digits)
{
    EXPECT("\"x y\"", "trim", 1, "\"  x y  \"");
    EXPECT("\"x\"", "trim", 1, "\"\\t\\r\\n\\u000b\\f x\\n\"");
    EXPECT("\"a b\"", "trim", 1, "\"\\u00a0\\u3000a b\\u2003\\ufeff\"");
    EXPECT("\"é\"", "trim", 1, "\" é \"");
    EXPECT("\"\"", "trim", 1, "\"   \"");
    EXPECT("\"\"", "trim", 1, "\"\"");
    EXPECT("\"a\\u0000\"", "trim", 1, "\"a\\u0000 \"");
    EXPECT("missing", "trim", 1, "null");
    EXPECT("error:type_error", "trim", 1, "1.5");
    EXPECT("\"0053406\"", "digits", 1, "\"005.340-6\"");
    EXPECT("\"12345678000190\"", "digits", 1, "\"12.345.678/0001-90\"");
    EXPECT("\"\"", "digits", 1, "\"abc ٣\"");
    EXPECT("missing", "digits", 1, "null");
    EXPECT("error:type_error", "digits", 1, "123");
}

Test(std, replace)
{
    EXPECT("\"São_Paulo_Ltda\"", "replace", 3, "\"São Paulo Ltda\"", "\" \"", "\"_\"");
    EXPECT("\"bbb\"", "replace", 3, "\"aaa\"", "\"a\"", "\"b\"");
    EXPECT("\"a\"", "replace", 3, "\"aaaaa\"", "\"aa\"", "\"\"");
    EXPECT("\"xyz\"", "replace", 3, "\"xyz\"", "\"\"", "\"-\"");
    EXPECT("\"ação\"", "replace", 3, "\"acao\"", "\"ca\"", "\"çã\"");
    EXPECT("\"\"", "replace", 3, "\"\"", "\"a\"", "\"b\"");
    EXPECT("\"a-b\"", "replace", 3, "\"a\\u0000b\"", "\"\\u0000\"", "\"-\"");
    EXPECT("missing", "replace", 3, "null", "\"a\"", "\"b\"");
    EXPECT("missing", "replace", 3, "\"a\"", "\"a\"", "null");
    EXPECT("error:type_error", "replace", 3, "\"a\"", "1", "\"b\"");
}

Test(std, split_join)
{
    EXPECT("[\"a\",\"b\",\"c\"]", "split", 2, "\"a,b,c\"", "\",\"");
    EXPECT("[\"\",\"a\",\"\"]", "split", 2, "\",a,\"", "\",\"");
    EXPECT("[\"a\",\"b\"]", "split", 2, "\"a::b\"", "\"::\"");
    EXPECT("[\"abc\"]", "split", 2, "\"abc\"", "\";\"");
    EXPECT("[\"\"]", "split", 2, "\"\"", "\",\"");
    EXPECT("[\"S\",\"ã\",\"🚗\"]", "split", 2, "\"Sã🚗\"", "\"\"");
    EXPECT("[]", "split", 2, "\"\"", "\"\"");
    EXPECT("missing", "split", 2, "null", "\",\"");
    EXPECT("error:type_error", "split", 2, "[\"a\"]", "\",\"");

    EXPECT("\"x|y\"", "join", 2, "[\"x\",\"y\"]", "\"|\"");
    EXPECT("\"\"", "join", 2, "[]", "\"|\"");
    EXPECT("\"solo\"", "join", 2, "[\"solo\"]", "\", \"");
    EXPECT("\"a, 1, 2.5, 1.0, true\"", "join", 2, "[\"a\",1,2.5,1.0,true]", "\", \"");
    EXPECT("missing", "join", 2, "null", "\",\"");
    EXPECT("\"a,b\"", "join", 2, "[\"a\",null,\"b\"]", "\",\"");
    EXPECT("\"\"", "join", 2, "[null]", "\",\"");
    EXPECT("error:type_error", "join", 2, "[[\"a\"]]", "\",\"");
    EXPECT("error:type_error", "join", 2, "\"abc\"", "\",\"");
}

Test(std, substr)
{
    EXPECT("\"São \"", "substr", 3, "\"São Paulo Ltda\"", "0", "4");
    EXPECT("\"São\"", "substr", 3, "\"São João del-Rei\"", "0", "3");
    EXPECT("\"ok\"", "substr", 3, "\"🚗ok\"", "1", "5");
    EXPECT("\"\"", "substr", 3, "\"abc\"", "5", "2");
    EXPECT("\"\"", "substr", 3, "\"abc\"", "1", "0");
    EXPECT("\"\"", "substr", 3, "\"abc\"", "1", "-2");
    EXPECT("\"bc\"", "substr", 3, "\"abc\"", "-2", "9");
    EXPECT("\"ab\"", "substr", 3, "\"abc\"", "-9", "2");
    EXPECT("\"abc\"", "substr", 3, "\"abc\"", "0", "9223372036854775807");
    EXPECT("\"c\"", "substr", 3, "\"abc\"", "2", "9223372036854775807");
    EXPECT("\"\"", "substr", 3, "\"abc\"", "-9223372036854775808", "0");
    EXPECT("missing", "substr", 3, "null", "0", "1");
    EXPECT("missing", "substr", 3, "\"abc\"", "null", "1");
    EXPECT("error:type_error", "substr", 3, "\"abc\"", "0.5", "1");
    EXPECT("error:type_error", "substr", 3, "12345", "0", "1");
}

Test(std, contains_starts_ends)
{
    EXPECT("true", "contains", 2, "\"São Paulo\"", "\"Paulo\"");
    EXPECT("false", "contains", 2, "\"São Paulo\"", "\"paulo\"");
    EXPECT("true", "contains", 2, "\"abc\"", "\"\"");
    EXPECT("true", "contains", 2, "[1,\"a\",{\"k\":[2]}]", "{\"k\":[2.0]}");
    EXPECT("true", "contains", 2, "[1,2]", "2.0");
    EXPECT("false", "contains", 2, "[1,2]", "\"2\"");
    EXPECT("true", "contains", 2, "[1,null]", "null");
    EXPECT("false", "contains", 2, "[]", "null");
    EXPECT("missing", "contains", 2, "\"abc\"", "null");
    EXPECT("missing", "contains", 2, "null", "\"a\"");
    EXPECT("error:type_error", "contains", 2, "\"abc\"", "1");
    EXPECT("error:type_error", "contains", 2, "{\"a\":1}", "\"a\"");

    EXPECT("true", "starts_with", 2, "\"12345\"", "\"12\"");
    EXPECT("false", "starts_with", 2, "\"1\"", "\"12\"");
    EXPECT("true", "starts_with", 2, "\"\"", "\"\"");
    EXPECT("true", "ends_with", 2, "\"São Paulo Ltda\"", "\"a\"");
    EXPECT("true", "ends_with", 2, "\"João\"", "\"ão\"");
    EXPECT("false", "ends_with", 2, "\"a\"", "\"ba\"");
    EXPECT("missing", "ends_with", 2, "null", "\"a\"");
    EXPECT("error:type_error", "starts_with", 2, "12", "\"1\"");
}

static char *matches(const char *re, const char *subject)
{
    regex_t rx;
    cr_assert_eq(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
    DplCallCtx ctx = {.regex = &rx};
    const DplBuiltin *b = dpl_std_lookup("matches");
    json_t *args[2] = {NULL, json_string(re)};
    DplJsonError je;
    cr_assert_eq(dpl_json_parse(subject, strlen(subject), &args[0], &je), DPL_JSON_OK);
    Call c = {0};
    c.result = b->fn(&ctx, args, 2, &c.err);
    json_decref(args[0]);
    json_decref(args[1]);
    char *s = show(c);
    regfree(&rx);
    return s;
}

Test(std, matches_regex)
{
    struct {
        const char *re, *subject, *want;
    } cases[] = {
        {"^[a-z]+@[a-z]+\\.com$", "\"ana@acme.com\"", "true"},
        {"^[a-z]+@[a-z]+\\.com$", "\"ana@acme.org\"", "false"},
        {"b$", "\"a\\u0000b\"", "true"}, /* the whole string, past the NUL */
        {"^$", "\"\"", "true"},
        {"x", "null", "missing"},
        {"x", "42", "error:type_error"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = matches(cases[i].re, cases[i].subject);
        cr_expect_str_eq(got, cases[i].want, "matches(%s, %s)", cases[i].subject, cases[i].re);
        dpl_free(got);
    }
}

Test(std, concat)
{
    EXPECT("\"São Paulo/SP\"", "concat", 3, "\"São Paulo\"", "\"/\"", "\"SP\"");
    EXPECT("\"ab\"", "concat", 4, "\"a\"", "-", "null", "\"b\"");
    EXPECT("\"x1 2.5 1.0 true false 70250.99\"", "concat", 11, "\"x\"", "1", "\" \"", "2.5", "\" \"", "1.0", "\" \"", "true",
           "\" false \"", "-", "70250.99");
    EXPECT("\"9223372036854775807\"", "concat", 1, "9223372036854775807");
    EXPECT("\"\"", "concat", 2, "-", "null");
    EXPECT("error:type_error", "concat", 2, "\"a\"", "[1]");
    EXPECT("error:type_error", "concat", 1, "{}");
}

Test(std, sha256)
{
    EXPECT("\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"", "sha256", 1, "\"\"");
    EXPECT("\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"", "sha256", 1, "\"abc\"");
    EXPECT("\"a505dbb38a656fb65d3b1ab9e463307294589965c5b21e8bb2d3808277096c6e\"", "sha256", 1, "\"São\"");
    /* "a\0b" hashes all three bytes */
    EXPECT("\"59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138\"", "sha256", 1, "\"a\\u0000b\"");
    EXPECT("missing", "sha256", 1, "null");
    EXPECT("error:type_error", "sha256", 1, "1");
}

/* ---- values -------------------------------------------------------------- */

Test(std, coalesce_exists)
{
    EXPECT("2", "coalesce", 3, "-", "null", "2");
    EXPECT("false", "coalesce", 2, "false", "1");
    EXPECT("\"\"", "coalesce", 2, "\"\"", "1");
    EXPECT("[null]", "coalesce", 1, "[null]");
    EXPECT("missing", "coalesce", 3, "-", "null", "-");
    EXPECT("true", "exists", 1, "null");
    EXPECT("true", "exists", 1, "0");
    EXPECT("false", "exists", 1, "-");
}

/* ---- numbers ------------------------------------------------------------- */

Test(std, sum)
{
    EXPECT("19.5", "sum", 1, "[10,2.5,7]");
    EXPECT("3", "sum", 1, "[1,2]");
    EXPECT("0", "sum", 1, "[]");
    EXPECT("0", "sum", 1, "[null]");
    EXPECT("4", "sum", 1, "[1,null,3]");
    EXPECT("3.0", "sum", 1, "[1,2.0]");
    EXPECT("0.30000000000000004", "sum", 1, "[0.1,0.2]");
    EXPECT("9223372036854775807", "sum", 1, "[9223372036854775806,1]");
    EXPECT("-9223372036854775808", "sum", 1, "[-9223372036854775807,-1]");
    EXPECT("error:arithmetic_error", "sum", 1, "[9223372036854775807,1]");
    EXPECT("error:arithmetic_error", "sum", 1, "[-9223372036854775808,-1]");
    /* The sum is exact: only the result must fit, not every partial sum... */
    EXPECT("9223372036854775807", "sum", 1, "[9223372036854775807,1,-1]");
    EXPECT("-9223372036854775808", "sum", 1, "[-9223372036854775808,-1,1]");
    EXPECT("0", "sum", 1, "[9223372036854775807,9223372036854775807,-9223372036854775807,-9223372036854775807]");
    EXPECT("error:arithmetic_error", "sum", 1, "[9223372036854775807,9223372036854775807,-9223372036854775806]");
    /* ...and a real makes the result a real, with no error. */
    EXPECT("9.223372036854776e+18", "sum", 1, "[9223372036854775807,1,0.5]");
    EXPECT("error:arithmetic_error", "sum", 1, "[1.7976931348623157e308,1.7976931348623157e308]");
    EXPECT("missing", "sum", 1, "null");
    EXPECT("error:type_error", "sum", 1, "[1,\"2\"]");
    EXPECT("error:type_error", "sum", 1, "[true]");
    EXPECT("error:type_error", "sum", 1, "5");
}

Test(std, min_max_avg)
{
    EXPECT("2.5", "min", 1, "[10,2.5,7]");
    EXPECT("10", "max", 1, "[10,2.5,7]");
    EXPECT("missing", "min", 1, "[]");
    EXPECT("missing", "max", 1, "[null]");
    EXPECT("-3", "min", 1, "[null,-3,4]");
    EXPECT("1", "max", 1, "[1,1.0]");
    EXPECT("1.0", "max", 1, "[1.0,1]");
    /* exact across int and real: 2^53+1 > 2^53 as a double */
    EXPECT("9007199254740993", "max", 1, "[9007199254740992.0,9007199254740993]");
    EXPECT("9007199254740992.0", "min", 1, "[9007199254740992.0,9007199254740993]");
    EXPECT("-1.5", "min", 1, "[-1,-1.5]");
    EXPECT("9.3e+18", "max", 1, "[9223372036854775807,9.3e18]");
    EXPECT("-9223372036854775808", "min", 1, "[-9223372036854775808,-9.2e18]");
    EXPECT("error:type_error", "min", 1, "[1,\"0\"]");
    EXPECT("missing", "max", 1, "null");

    EXPECT("2.3333333333333335", "avg", 1, "[1,2,4]");
    EXPECT("1.0", "avg", 1, "[1,1]");
    EXPECT("2.0", "avg", 1, "[1,null,3]");
    EXPECT("missing", "avg", 1, "[]");
    EXPECT("9.223372036854776e+18", "avg", 1, "[9223372036854775807,9223372036854775807]");
    EXPECT("1.7976931348623157e+308", "avg", 1, "[1.7976931348623157e308,1.7976931348623157e308]");
    /* The sum overflows, the mean does not: it is computed, never missing
     * (three times DBL_MAX was dropped silently, seven gave less than the
     * value itself). */
    EXPECT("1.7976931348623157e+308", "avg", 1,
           "[1.7976931348623157e308,1.7976931348623157e308,1.7976931348623157e308]");
    EXPECT("1.7976931348623157e+308", "avg", 1,
           "[1.7976931348623157e308,1.7976931348623157e308,1.7976931348623157e308,1.7976931348623157e308,"
           "1.7976931348623157e308,1.7976931348623157e308,1.7976931348623157e308]");
    EXPECT("-1.7976931348623157e+308", "avg", 1,
           "[-1.7976931348623157e308,-1.7976931348623157e308,-1.7976931348623157e308]");
    EXPECT("1.25e+308", "avg", 1, "[1.0e308,1.5e308,null,1.25e308]");
    EXPECT("5.992310449541053e+307", "avg", 1,
           "[1.7976931348623157e308,1.7976931348623157e308,-1.7976931348623157e308]");
    EXPECT("1.1984620899082105e+308", "avg", 1,
           "[9223372036854775807,1.7976931348623157e308,1.7976931348623157e308]");
    EXPECT("error:type_error", "avg", 1, "[{}]");
}

Test(std, round_reals)
{
    EXPECT("12.4", "round", 2, "12.36", "1");
    EXPECT("3.0", "round", 1, "2.5");
    EXPECT("-3.0", "round", 1, "-2.5");
    EXPECT("2.68", "round", 2, "2.675", "2");
    EXPECT("1.01", "round", 2, "1.005", "2");
    EXPECT("0.0", "round", 1, "0.4");
    EXPECT("0.0", "round", 1, "-0.4");
    EXPECT("1.0", "round", 2, "0.999", "0");
    EXPECT("10.0", "round", 2, "9.96", "1");
    EXPECT("0.1", "round", 2, "0.06", "1");
    EXPECT("0.0", "round", 2, "0.006", "1");
    EXPECT("1200.0", "round", 2, "1234.5", "-2");
    EXPECT("0.0", "round", 2, "1234.5", "-5");
    EXPECT("1.5e-07", "round", 2, "1.5e-7", "8");
    EXPECT("2e-07", "round", 2, "1.5e-7", "7");
    EXPECT("0.0", "round", 2, "1.5e-7", "6");
    EXPECT("1e+300", "round", 2, "1e300", "2");
    EXPECT("70250.99", "round", 2, "70250.99", "9223372036854775807");
    EXPECT("0.0", "round", 2, "70250.99", "-9223372036854775808");
    EXPECT("error:arithmetic_error", "round", 2, "1.7976931348623157e308", "-308");
    EXPECT("-1e+308", "round", 2, "-1.2e308", "-308");
}

Test(std, round_integers)
{
    EXPECT("12", "round", 1, "12");
    EXPECT("12", "round", 2, "12", "3");
    EXPECT("1300", "round", 2, "1250", "-2");
    EXPECT("-1300", "round", 2, "-1250", "-2");
    EXPECT("1200", "round", 2, "1249", "-2");
    EXPECT("0", "round", 2, "49", "-2");
    EXPECT("9223372036854775807", "round", 2, "9223372036854775807", "0");
    EXPECT("error:arithmetic_error", "round", 2, "9223372036854775807", "-1");
    EXPECT("error:arithmetic_error", "round", 2, "-9223372036854775808", "-1");
    EXPECT("-9000000000000000000", "round", 2, "-9223372036854775808", "-18");
    EXPECT("error:arithmetic_error", "round", 2, "9223372036854775807", "-19");
    EXPECT("0", "round", 2, "4999999999999999999", "-19");
    EXPECT("0", "round", 2, "9223372036854775807", "-20");
    EXPECT("missing", "round", 1, "null");
    EXPECT("missing", "round", 2, "1.5", "null");
    EXPECT("error:type_error", "round", 2, "1.5", "1.0");
    EXPECT("error:type_error", "round", 1, "\"1.5\"");
}

Test(std, abs)
{
    EXPECT("3", "abs", 1, "-3");
    EXPECT("3", "abs", 1, "3");
    EXPECT("0", "abs", 1, "0");
    EXPECT("2.5", "abs", 1, "-2.5");
    EXPECT("0.0", "abs", 1, "-0.0");
    EXPECT("9223372036854775807", "abs", 1, "-9223372036854775807");
    EXPECT("error:arithmetic_error", "abs", 1, "-9223372036854775808");
    EXPECT("missing", "abs", 1, "null");
    EXPECT("error:type_error", "abs", 1, "\"-3\"");
}

/* Every entry of the table has an implementation and a doc line, and the
 * arities agree with the parameter lists. */
/* ---- values ---------------------------------------------------------------- */

Test(std, unique_keeps_first_occurrences)
{
    EXPECT("[1,\"1\",[1],{\"x\":1,\"y\":2},null,true,false]", "unique", 1,
           "[1,1.0,\"1\",[1],[1.0],{\"x\":1,\"y\":2},{\"y\":2.0,\"x\":1},null,true,null,false,true]");
    EXPECT("[1.0,2]", "unique", 1, "[1.0,1,2,2.0]");
    EXPECT("[9007199254740993,9007199254740992.0]", "unique", 1,
           "[9007199254740993,9007199254740992.0,9007199254740992]");
    EXPECT("[]", "unique", 1, "[]");
    EXPECT("missing", "unique", 1, "null");
    EXPECT("error:type_error", "unique", 1, "{\"a\":1}");
}

/* 100 000 elements with many repeats (numbers as integers and as reals,
 * strings, arrays), against a model that indexes by value; the result must
 * be the first occurrence of each, in order.  (The old pairwise version
 * needed about 10^9 comparisons here.) */
Test(std, unique_of_a_large_array)
{
    enum { N = 100000, NUMS = 40000, STRS = 1000 };
    static bool seen_num[NUMS], seen_str[STRS], seen_arr[STRS];
    DplBuf in = {0}, want = {0};
    dpl_buf_putc(&in, '[');
    dpl_buf_putc(&want, '[');
    size_t nwant = 0;
    for (long i = 0; i < N; i++) {
        char el[64];
        long k = (i * 7919) % NUMS;
        bool *seen;
        if (i % 10 == 3) {
            snprintf(el, sizeof el, "\"s%ld\"", k % STRS);
            seen = &seen_str[k % STRS];
        } else if (i % 10 == 7) {
            snprintf(el, sizeof el, i % 4 == 1 ? "[%ld,\"x\"]" : "[%ld.0,\"x\"]", k % STRS);
            seen = &seen_arr[k % STRS];
        } else {
            snprintf(el, sizeof el, i % 2 ? "%ld" : "%ld.0", k);
            seen = &seen_num[k];
        }
        dpl_buf_printf(&in, "%s%s", i ? "," : "", el);
        if (!*seen) {
            *seen = true;
            dpl_buf_printf(&want, "%s%s", nwant++ ? "," : "", el);
        }
    }
    dpl_buf_putc(&in, ']');
    dpl_buf_putc(&in, '\0');
    dpl_buf_putc(&want, ']');
    dpl_buf_putc(&want, '\0');
    cr_assert_gt(nwant, 1000);
    cr_assert_lt(nwant, N / 2, "the input has many repeats");
    char *got = show(call("unique", 1, in.data));
    cr_expect(strcmp(got, want.data) == 0, "unique of %d elements: %zu distinct expected", N, nwant);
    dpl_free(got);
    dpl_buf_free(&in);
    dpl_buf_free(&want);
}

Test(std, table_is_complete)
{
    cr_assert_geq(dpl_std_nbuiltins, 23);
    for (size_t i = 0; i < dpl_std_nbuiltins; i++) {
        const DplBuiltin *b = &dpl_std_builtins[i];
        /* the special forms (map, filter, cond) are run by the evaluator */
        bool special = b->arg_rule == DPL_ARGS_ELEMENT || b->arg_rule == DPL_ARGS_LAZY;
        cr_expect(special ? b->fn == NULL : b->fn != NULL, "%s", b->name);
        cr_expect(b->doc && strncmp(b->doc, b->name, strlen(b->name)) == 0, "%s doc", b->name);
        cr_expect_eq(dpl_std_lookup(b->name), b);
        cr_expect(b->max_args == -1 || b->max_args >= b->min_args, "%s arity", b->name);
    }
    cr_expect_null(dpl_std_lookup("nope"));
}

/* The phrases that runtime messages (eval) and E305 (check) both print. */
Test(std, type_articles)
{
    json_t *s = json_string("x"), *i = json_integer(1), *n = json_null();
    cr_assert_str_eq(dpl_value_article(s), "a string");
    cr_assert_str_eq(dpl_value_article(i), "an integer");
    cr_assert_str_eq(dpl_value_article(n), "null");
    cr_assert_str_eq(dpl_value_article(NULL), "a missing value");
    cr_assert_str_eq(dpl_type_article(DPL_T_NUMBER), "a number");
    cr_assert_null(dpl_type_article(DPL_T_STRING | DPL_T_ARRAY));
    json_decref(s);
    json_decref(i);
    json_decref(n);
}

/* ---- v1.1 cores: value-independent (spec §12.3, §12.6) ------------------------- */

static double ptime(const char *s, const char *fmt, int *ok)
{
    DplTime t;
    *ok = dpl_time_parse(s, strlen(s), fmt, fmt ? strlen(fmt) : 0, &t) == DPL_CORE_OK;
    return *ok ? dpl_time_to_double(t) : 0;
}

Test(std, parse_time_formats)
{
    int ok;
    cr_expect_eq(ptime("2021-01-13T16:05:00Z", NULL, &ok), 1610553900.0);
    cr_expect(ok);
    cr_expect_eq(ptime("2021-01-13", NULL, &ok), 1610496000.0);
    cr_expect_eq(ptime("2021-01-13 16:05:00+05:30", NULL, &ok), 1610534100.0);
    ptime("2021-01-13T16:05:00", NULL, &ok);
    cr_expect_not(ok, "RFC 3339 needs a zone");
    ptime("2021-01-13T16:05:00+0100", NULL, &ok);
    cr_expect_not(ok, "the default needs the colon in the offset");
    cr_expect_eq(ptime("13/01/2021 16:05 +0100", "%d/%m/%Y %H:%M %z", &ok), 1610550300.0);
    cr_expect_eq(ptime("3/1/2021", "%d/%m/%Y", &ok), 1609632000.0);
    cr_expect(ok, "one-digit fields");
    cr_expect_eq(ptime("2021113", "%Y%m%d", &ok), 1635897600.0); /* 2021-11-03: the first split from the left */
    cr_expect_eq(ptime("1969-12-31 23:59:59.5", "%Y-%m-%d %H:%M:%S.%f", &ok), -0.5);
    const char *bad[] = {"2021-02-29", "2021-13-01", "2021-01-13T24:00:00Z", "2021-01-13T23:59:60Z", "0000-01-01", "21-01-13", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ptime(bad[i], NULL, &ok);
        cr_expect_not(ok, "%s", bad[i]);
    }
    cr_expect_eq(ptime("2020-02-29", NULL, &ok), 1582934400.0);
    cr_expect(ok);
}

Test(std, time_format_problems)
{
    size_t at;
    cr_expect_null(dpl_time_format_problem("%Y-%m-%dT%H:%M:%S.%f%z%%", 24, &at));
    cr_expect_not_null(dpl_time_format_problem("%Y-%m-%d %q", 11, &at));
    cr_expect_eq(at, 9);
    cr_expect_not_null(dpl_time_format_problem("%Y%Y%m%d", 8, &at));
    cr_expect_eq(at, 2);
    cr_expect_not_null(dpl_time_format_problem("%Y%m", 4, &at));
    cr_expect_not_null(dpl_time_format_problem("%Y%m%d%f", 8, &at));
    cr_expect_not_null(dpl_time_format_problem("%Y%m%d%", 7, &at));
}

static char *ftime_real(double t, const char *fmt)
{
    DplBuf b = {0};
    if (dpl_time_format_real(t, fmt, fmt ? strlen(fmt) : 0, &b) != DPL_CORE_OK)
        return dpl_strdup("range");
    dpl_buf_putc(&b, '\0');
    return dpl_buf_take(&b);
}

Test(std, format_time_rounding)
{
    struct {
        double t;
        const char *fmt, *want;
    } cases[] = {
        {0.0005, NULL, "1970-01-01T00:00:00.001Z"},  /* half away from zero, from the decimal 0.0005 */
        {-0.0005, NULL, "1969-12-31T23:59:59.999Z"}, /* -0.001 */
        {0.0004, NULL, "1970-01-01T00:00:00Z"},
        {59.9999999, "%Y-%m-%d %H:%M:%S.%f", "1970-01-01 00:01:00.000000"},
        {1610553900.25, "%Y%m%d%H%M%S%f%z", "20210113160500250000+00:00"},
        {253402300799.9996, NULL, "range"},
        {-62135596800.0, NULL, "0001-01-01T00:00:00Z"},
        {-62135596800.5, NULL, "range"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = ftime_real(cases[i].t, cases[i].fmt);
        cr_expect_str_eq(got, cases[i].want, "%.17g", cases[i].t);
        dpl_free(got);
    }
}

Test(std, parse_number_forms)
{
    struct {
        const char *s;
        char sep;
        int ok, is_int;
        double v;
    } cases[] = {
        {"1.234,56", ',', 1, 0, 1234.56}, {"12,50", ',', 1, 0, 12.5},    {" 7 ", ',', 1, 1, 7},
        {"1.234.567,89", ',', 1, 0, 1234567.89}, {"1.000", ',', 1, 1, 1000}, {"1,234.5", '.', 1, 0, 1234.5},
        {"1,000", '.', 1, 1, 1000},      {"+5", '.', 1, 1, 5},          {"-0,5", ',', 1, 0, -0.5},
        {"12,", ',', 0, 0, 0},           {"abc", '.', 0, 0, 0},         {"1.2.3", '.', 0, 0, 0},
        {"", '.', 0, 0, 0},              {"-", '.', 0, 0, 0},           {"1e5", '.', 0, 0, 0},
        {"99999999999999999999", '.', 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        DplNumber n;
        bool ok = dpl_number_parse(cases[i].s, strlen(cases[i].s), cases[i].sep, &n) == DPL_CORE_OK;
        cr_expect_eq(ok, cases[i].ok, "%s", cases[i].s);
        if (ok && cases[i].ok) {
            cr_expect_eq(n.is_int, cases[i].is_int, "%s", cases[i].s);
            cr_expect_eq(n.is_int ? (double)n.i : n.r, cases[i].v, "%s", cases[i].s);
        }
    }
}

Test(std, case_mapping_covers_unicode)
{
    /* the mappings the issue found missing, and a few from far blocks */
    cr_expect_eq(dpl_case_lower(0x03AA), 0x03CA); /* Ϊ -> ϊ */
    cr_expect_eq(dpl_case_upper(0x049B), 0x049A); /* қ -> Қ */
    cr_expect_eq(dpl_case_upper(0x0131), 'I');    /* dotless ı */
    cr_expect_eq(dpl_case_upper(0x10D0), 0x1C90); /* Georgian Mkhedruli -> Mtavruli */
    cr_expect_eq(dpl_case_lower(0x10400), 0x10428); /* Deseret */
    cr_expect_eq(dpl_case_upper(0x00DF), 0x00DF); /* ß has no one-to-one uppercase */
    cr_expect_eq(dpl_case_lower('A'), 'a');
    cr_expect_eq(dpl_case_upper('1'), '1');
}

/* upper/lower change ASCII eight bytes at a time: every ASCII byte, at every
 * offset and length, in runs broken by multi-byte characters, against a
 * byte-by-byte mapping. */
Test(std, case_mapping_of_long_ascii_runs)
{
    char in[600];
    size_t n = 0;
    for (int c = 1; c < 128; c++)
        in[n++] = (char)c;
    for (int c = 1; c < 128; c++) {
        in[n++] = (char)(128 - c);
        if (c % 37 == 0) {
            memcpy(in + n, "\xc3\xa3", 2); /* ã */
            n += 2;
        }
    }
    for (size_t start = 0; start < 20; start++)
        for (size_t len = 0; start + len <= n; len += 7) {
            if (len && ((unsigned char)in[start + len - 1] == 0xc3 || (unsigned char)in[start] == 0xa3))
                continue; /* a cut character: not valid UTF-8, which strings never hold */
            for (int up = 0; up < 2; up++) {
                DplBuf out = {0};
                dpl_std_case_map(&out, in + start, len, up);
                char want[600];
                size_t k = 0;
                for (size_t i = start; i < start + len; i++) {
                    unsigned char c = (unsigned char)in[i];
                    if (c == 0xc3 && i + 1 < start + len && (unsigned char)in[i + 1] == 0xa3) {
                        want[k++] = (char)0xc3;
                        want[k++] = (char)(up ? 0x83 : 0xa3); /* Ã / ã */
                        i++;
                        continue;
                    }
                    want[k++] = (char)(up && c >= 'a' && c <= 'z' ? c - 32 : !up && c >= 'A' && c <= 'Z' ? c + 32 : c);
                }
                cr_assert_eq(out.len, k, "start %zu len %zu up %d", start, len, up);
                cr_assert(k == 0 || memcmp(out.data, want, k) == 0, "start %zu len %zu up %d", start, len, up);
                cr_assert(out.data == NULL || out.data[out.len] == '\0');
                dpl_buf_free(&out);
            }
        }
}
