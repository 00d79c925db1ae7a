/* test_eval.c — the evaluator: every operator (with missing, null, overflow),
 * paths, casts, the phases of spec §7, append/overwrite/all/delete, identity
 * bytes and the reject line.  Programs go through dpl_compile, as in `dpl run`. */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "eval/eval.h"
#include "json/json.h"

static void setup(void) { dpl_util_init(); }

TestSuite(eval, .init = setup);

/* ---- helpers ---------------------------------------------------------------- */

typedef struct {
    DplSource *src;
    DplProgram *prog;
    DplEvaluator *ev;
    DplResult res;
} Prog;

static Prog load(const char *text)
{
    Prog p;
    p.src = dpl_source_new("t.dpl", text, strlen(text));
    DplDiagList d = {0};
    bool ok = false;
    p.prog = dpl_compile(p.src, &d, &ok);
    cr_assert(ok, "program has errors (%s): %s", d.len ? d.items[0].message : "?", text);
    dpl_diag_list_free(&d);
    p.ev = dpl_eval_new(p.prog);
    dpl_result_init(&p.res);
    return p;
}

static void unload(Prog *p)
{
    dpl_result_free(&p->res);
    dpl_eval_free(p->ev);
    dpl_program_free(p->prog);
    dpl_source_free(p->src);
}

static json_t *parse(const char *text)
{
    json_t *v = NULL;
    DplJsonError e;
    cr_assert_eq(dpl_json_parse(text, strlen(text), &v, &e), DPL_JSON_OK, "bad test JSON %s: %s", text, e.message);
    return v;
}

static char *to_text(const json_t *v)
{
    DplBuf b = {0};
    dpl_json_write(&b, v);
    dpl_buf_putc(&b, '\0');
    return dpl_buf_take(&b);
}

/* Runs one record; returns the outcome (the result stays in p->res). */
static DplOutcome run(Prog *p, const char *record)
{
    json_t *r = parse(record);
    DplBuf before = {0};
    dpl_json_write(&before, r);
    dpl_eval_record(p->ev, r, 1, &p->res);
    /* the evaluator never changes its input */
    char *after = to_text(r);
    cr_assert_str_eq(after, before.data, "the input record was modified");
    dpl_free(after);
    dpl_buf_free(&before);
    json_decref(r);
    return p->res.outcome;
}

/* The emitted data object as text, or "reject:code,code" / "skip". */
static char *outcome_text(Prog *p)
{
    if (p->res.outcome == DPL_SKIP)
        return dpl_strdup("skip");
    if (p->res.outcome == DPL_REJECT) {
        DplBuf b = {0};
        dpl_buf_puts(&b, "reject:");
        for (size_t i = 0; i < p->res.nerrors; i++)
            dpl_buf_printf(&b, "%s%s", i ? "," : "", dpl_rt_code_name(p->res.errors[i].code));
        return dpl_buf_take(&b);
    }
    return to_text(json_object_get(p->res.entity, "data"));
}

/* Runs a program on one envelope and compares the data (or reject codes). */
static void expect_run(const char *program, const char *record, const char *want)
{
    Prog p = load(program);
    run(&p, record);
    char *got = outcome_text(&p);
    cr_expect_str_eq(got, want, "program:\n%s\nrecord %s", program, record);
    dpl_free(got);
    unload(&p);
}

/* Evaluates `expr -> r` over data; returns the JSON of r, "missing", or
 * "error:code". */
static char *eval1(const char *expr, const char *data)
{
    char program[1024], record[1024];
    snprintf(program, sizeof program, "entity \"t\" { 'source }\nsources \"s\"\nadd {\n    %s -> r\n}\n", expr);
    snprintf(record, sizeof record, "{\"data\":%s,\"metadata\":{\"source\":\"s\"}}", data);
    Prog p = load(program);
    run(&p, record);
    char *out;
    if (p.res.outcome == DPL_REJECT) {
        cr_assert_eq(p.res.nerrors, 1);
        out = dpl_asprintf("error:%s", dpl_rt_code_name(p.res.errors[0].code));
    } else {
        json_t *r = json_object_get(json_object_get(p.res.entity, "data"), "r");
        out = r ? to_text(r) : dpl_strdup("missing");
    }
    unload(&p);
    return out;
}

#define EXPECT_EVAL(expr, data, want)                                                 \
    do {                                                                              \
        char *got_ = eval1(expr, data);                                               \
        cr_expect_str_eq(got_, want, "%s over %s", expr, data);                       \
        dpl_free(got_);                                                               \
    } while (0)

/* ---- arithmetic ----------------------------------------------------------------- */

Test(eval, integer_arithmetic_is_exact)
{
    EXPECT_EVAL("a + b", "{\"a\":2,\"b\":3}", "5");
    EXPECT_EVAL("a - b", "{\"a\":2,\"b\":3}", "-1");
    EXPECT_EVAL("a * b", "{\"a\":4,\"b\":-3}", "-12");
    EXPECT_EVAL("a % b", "{\"a\":7,\"b\":3}", "1");
    EXPECT_EVAL("a % b", "{\"a\":-7,\"b\":3}", "-1");
    EXPECT_EVAL("a + 1", "{\"a\":9223372036854775806}", "9223372036854775807");
}

Test(eval, division_always_yields_a_real)
{
    EXPECT_EVAL("a / b", "{\"a\":10,\"b\":4}", "2.5");
    EXPECT_EVAL("a / b", "{\"a\":8,\"b\":4}", "2.0");
    EXPECT_EVAL("a / b", "{\"a\":10,\"b\":7}", "1.4285714285714286");
}

Test(eval, mixed_integer_and_real_gives_real)
{
    EXPECT_EVAL("a + b", "{\"a\":1,\"b\":0.5}", "1.5");
    EXPECT_EVAL("a * b", "{\"a\":2,\"b\":1.5}", "3.0");
}

Test(eval, overflow_is_an_arithmetic_error)
{
    EXPECT_EVAL("a + 1", "{\"a\":9223372036854775807}", "error:arithmetic_error");
    EXPECT_EVAL("a - 1", "{\"a\":-9223372036854775808}", "error:arithmetic_error");
    EXPECT_EVAL("a * b", "{\"a\":9223372036854775807,\"b\":2}", "error:arithmetic_error");
    EXPECT_EVAL("-a", "{\"a\":-9223372036854775808}", "error:arithmetic_error");
    EXPECT_EVAL("a * b", "{\"a\":1e308,\"b\":10}", "error:arithmetic_error");
}

Test(eval, division_by_zero_is_an_arithmetic_error)
{
    EXPECT_EVAL("a / b", "{\"a\":1,\"b\":0}", "error:arithmetic_error");
    EXPECT_EVAL("a / b", "{\"a\":1.5,\"b\":0.0}", "error:arithmetic_error");
    EXPECT_EVAL("a % b", "{\"a\":1,\"b\":0}", "error:arithmetic_error");
}

Test(eval, int64_min_remainder_minus_one_is_zero)
{
    EXPECT_EVAL("a % b", "{\"a\":-9223372036854775808,\"b\":-1}", "0");
}

Test(eval, remainder_needs_integers)
{
    EXPECT_EVAL("a % b", "{\"a\":7.5,\"b\":2}", "error:type_error");
}

Test(eval, plus_concatenates_strings_only_with_strings)
{
    EXPECT_EVAL("a + b", "{\"a\":\"ab\",\"b\":\"cd\"}", "\"abcd\"");
    EXPECT_EVAL("a + b", "{\"a\":\"ab\",\"b\":1}", "error:type_error");
    EXPECT_EVAL("a - b", "{\"a\":\"ab\",\"b\":\"a\"}", "error:type_error");
}

Test(eval, null_flows_through_operators_like_missing)
{
    /* null is "no value": operators other than == and != yield missing */
    EXPECT_EVAL("a + b", "{\"a\":null,\"b\":1}", "missing");
    EXPECT_EVAL("-a", "{\"a\":null}", "missing");
    EXPECT_EVAL("not a", "{\"a\":null}", "missing");
    EXPECT_EVAL("a < b", "{\"a\":null,\"b\":1}", "missing");
    EXPECT_EVAL("a and b", "{\"a\":null,\"b\":false}", "false");
    EXPECT_EVAL("a or b", "{\"a\":null,\"b\":true}", "true");
    EXPECT_EVAL("a and b", "{\"a\":null,\"b\":true}", "missing");
    EXPECT_EVAL("a == b", "{\"a\":null,\"b\":null}", "true");
    EXPECT_EVAL("a != b", "{\"a\":null,\"b\":1}", "true");
    /* `if flag` and `if not flag` agree on a null flag: neither item runs */
    const char *prog = "entity \"e\" { k }\nsources \"s\"\nadd {\n    k\n    1 -> on if flag\n    0 -> off if not flag\n}\n";
    expect_run(prog, "{\"data\":{\"k\":1,\"flag\":null},\"metadata\":{\"source\":\"s\"}}", "{\"k\":1}");
    /* a requirement on a null value fails as a requirement, not a type error */
    expect_run("entity \"e\" { k }\nsources \"s\"\nrequirement { valor > 0 }\nadd { k }\n",
               "{\"data\":{\"k\":1,\"valor\":null},\"metadata\":{\"source\":\"s\"}}", "reject:requirement_failed");
}

Test(eval, unary_minus_and_not)
{
    EXPECT_EVAL("-a", "{\"a\":5}", "-5");
    EXPECT_EVAL("-a", "{\"a\":2.5}", "-2.5");
    EXPECT_EVAL("-a", "{\"a\":\"x\"}", "error:type_error");
    EXPECT_EVAL("not a", "{\"a\":true}", "false");
    EXPECT_EVAL("!a", "{\"a\":false}", "true");
    EXPECT_EVAL("not a", "{\"a\":1}", "error:type_error");
    EXPECT_EVAL("not a", "{}", "missing");
}

Test(eval, missing_in_missing_out)
{
    EXPECT_EVAL("a + 1", "{}", "missing");
    EXPECT_EVAL("a * b", "{\"a\":1}", "missing");
    EXPECT_EVAL("-a", "{}", "missing");
    EXPECT_EVAL("a == 1", "{}", "missing");
    EXPECT_EVAL("a < 1", "{}", "missing");
    EXPECT_EVAL("a as int", "{}", "missing");
    EXPECT_EVAL("upper(a)", "{}", "missing");
}

/* ---- comparison and logic ------------------------------------------------------------- */

Test(eval, equality_is_deep_and_numeric)
{
    EXPECT_EVAL("a == b", "{\"a\":1,\"b\":1.0}", "true");
    EXPECT_EVAL("a == b", "{\"a\":[1,{\"x\":\"y\"}],\"b\":[1.0,{\"x\":\"y\"}]}", "true");
    EXPECT_EVAL("a != b", "{\"a\":\"1\",\"b\":1}", "true");
    EXPECT_EVAL("a == null", "{\"a\":null}", "true");
    EXPECT_EVAL("a == b", "{\"a\":[1],\"b\":1}", "false");
}

Test(eval, ordering_numbers_and_strings)
{
    EXPECT_EVAL("a < b", "{\"a\":1,\"b\":1.5}", "true");
    EXPECT_EVAL("a >= b", "{\"a\":2,\"b\":2.0}", "true");
    /* exact across int and real: 2^53 + 1 > 2^53 */
    EXPECT_EVAL("a > b", "{\"a\":9007199254740993,\"b\":9007199254740992.0}", "true");
    EXPECT_EVAL("a < b", "{\"a\":9223372036854775807,\"b\":9.3e18}", "true");
    EXPECT_EVAL("a < b", "{\"a\":\"abc\",\"b\":\"abd\"}", "true");
    EXPECT_EVAL("a < b", "{\"a\":\"Z\",\"b\":\"a\"}", "true");
    EXPECT_EVAL("a <= b", "{\"a\":\"ab\",\"b\":\"ab\"}", "true");
    EXPECT_EVAL("a > b", "{\"a\":\"é\",\"b\":\"z\"}", "true");
}

Test(eval, ordering_mixed_types_is_a_type_error)
{
    EXPECT_EVAL("a > b", "{\"a\":\"10\",\"b\":0}", "error:type_error");
    EXPECT_EVAL("a < b", "{\"a\":true,\"b\":false}", "error:type_error");
}

Test(eval, and_or_short_circuit_with_three_valued_logic)
{
    EXPECT_EVAL("a and b", "{\"a\":true,\"b\":false}", "false");
    EXPECT_EVAL("a or b", "{\"a\":false,\"b\":true}", "true");
    EXPECT_EVAL("a && b", "{\"a\":true,\"b\":true}", "true");
    EXPECT_EVAL("a || b", "{\"a\":false,\"b\":false}", "false");
    /* the right side is not evaluated once the left decides */
    EXPECT_EVAL("a or b", "{\"a\":true,\"b\":\"not a bool\"}", "true");
    EXPECT_EVAL("a and b", "{\"a\":false,\"b\":7}", "false");
    /* missing: decided by the other side when it can be */
    EXPECT_EVAL("x or b", "{\"b\":true}", "true");
    EXPECT_EVAL("x and b", "{\"b\":false}", "false");
    EXPECT_EVAL("x or b", "{\"b\":false}", "missing");
    EXPECT_EVAL("x and b", "{\"b\":true}", "missing");
    EXPECT_EVAL("a and b", "{\"a\":1,\"b\":true}", "error:type_error");
}

Test(eval, coalesce_skips_missing_and_null)
{
    EXPECT_EVAL("a ?? b", "{\"a\":null,\"b\":2}", "2");
    EXPECT_EVAL("a ?? b", "{\"b\":2}", "2");
    EXPECT_EVAL("a ?? b", "{\"a\":false,\"b\":2}", "false");
    EXPECT_EVAL("a ?? b", "{\"a\":\"\",\"b\":2}", "\"\"");
    EXPECT_EVAL("a ?? b", "{}", "missing");
    EXPECT_EVAL("a ?? b ?? \"d\"", "{}", "\"d\"");
}

/* ---- paths ------------------------------------------------------------------------- */

Test(eval, index_paths)
{
    const char *d = "{\"t\":[\"1\",\"2\",\"3\"],\"s\":\"text\",\"o\":{\"k\":[{\"x\":1},{\"y\":2},{\"x\":3}]}}";
    EXPECT_EVAL("t[0]", d, "\"1\"");
    EXPECT_EVAL("t[-1]", d, "\"3\"");
    EXPECT_EVAL("t[-3]", d, "\"1\"");
    EXPECT_EVAL("t[-4]", d, "missing");
    EXPECT_EVAL("t[3]", d, "missing");
    EXPECT_EVAL("s[0]", d, "missing");
    EXPECT_EVAL("s.x", d, "missing");
    EXPECT_EVAL("o.k[*].x", d, "[1,3]");
    EXPECT_EVAL("o.k[*].z", d, "[]");
    EXPECT_EVAL("o[*]", d, "missing");
    EXPECT_EVAL("o.k[1].y", d, "2");
    EXPECT_EVAL("data.o.k[2].x", d, "3");
}

/* a lone string is a literal, not a path; quoted segments follow a dot */
Test(eval, quoted_and_absolute_paths)
{
    expect_run("entity \"t\" { 'source }\nsources \"s\"\n"
               "add {\n    data.\"first name\" -> a\n    metadata.\"x-y\" -> b\n    \"first name\" -> c\n}\n",
               "{\"data\":{\"first name\":\"Ana\"},\"metadata\":{\"source\":\"s\",\"x-y\":7}}",
               "{\"a\":\"Ana\",\"b\":7,\"c\":\"first name\"}");
}

Test(eval, add_from_makes_relative_paths_start_there)
{
    expect_run("entity \"m\" { 'source }\nsources \"s\"\n"
               "add from metadata.input {\n    modelo.codigo -> modelo\n    lote\n    data.nome -> absoluto\n}\n"
               "add { nome }\n",
               "{\"data\":{\"nome\":\"Gol\",\"lote\":\"no\"},\"metadata\":{\"source\":\"s\",\"input\":{\"modelo\":{\"codigo\":5340},\"lote\":\"L1\"}}}",
               "{\"modelo\":5340,\"lote\":\"L1\",\"absoluto\":\"Gol\",\"nome\":\"Gol\"}");
    /* a missing `from` base makes every relative path missing */
    expect_run("entity \"m\" { 'source }\nsources \"s\"\nadd from metadata.nada {\n    lote\n    all\n}\n",
               "{\"data\":{\"lote\":1},\"metadata\":{\"source\":\"s\"}}", "{}");
}

/* ---- casts ---------------------------------------------------------------------------- */

Test(eval, cast_to_int)
{
    EXPECT_EVAL("a as int", "{\"a\":\"2014\"}", "2014");
    EXPECT_EVAL("a as int", "{\"a\":\" -15 \"}", "-15");
    EXPECT_EVAL("a as int", "{\"a\":\"+7\"}", "7");
    EXPECT_EVAL("a as int", "{\"a\":\"20l4\"}", "error:cast_failed");
    EXPECT_EVAL("a as int", "{\"a\":\"\"}", "error:cast_failed");
    EXPECT_EVAL("a as int", "{\"a\":\"1.0\"}", "error:cast_failed");
    EXPECT_EVAL("a as int", "{\"a\":\"99999999999999999999\"}", "error:cast_failed");
    EXPECT_EVAL("a as int", "{\"a\":3.0}", "3");
    EXPECT_EVAL("a as int", "{\"a\":3.5}", "error:cast_failed");
    EXPECT_EVAL("a as int", "{\"a\":1e19}", "error:cast_failed");
    EXPECT_EVAL("a as int", "{\"a\":true}", "error:cast_failed");
    EXPECT_EVAL("a as int", "{\"a\":null}", "error:cast_failed");
    EXPECT_EVAL("a as int", "{\"a\":7}", "7");
}

/* The cast_failed message of a one-expression program over data. */
static char *cast_message(const char *data)
{
    Prog p = load("entity \"t\" { 1 }\nadd { a as int -> r }\n");
    char record[1024];
    snprintf(record, sizeof record, "{\"data\":%s}", data);
    run(&p, record);
    cr_assert_eq(p.res.nerrors, 1);
    cr_assert_eq(p.res.errors[0].code, DPL_RT_CAST_FAILED);
    char *m = dpl_strdup(p.res.errors[0].message);
    unload(&p);
    return m;
}

/* The message quotes the value as a JSON string: a quote, a newline or a
 * NUL in the value stays visible and unambiguous, and a long value is cut
 * between code points (it used to be cut at byte 60, splitting a UTF-8
 * sequence, and to stop at the first NUL: "1\u00002" read "1"). */
Test(eval, cast_message_quotes_the_value)
{
    char *m = cast_message("{\"a\":\"x\\ny\\\"z\"}");
    cr_expect_str_eq(m, "cannot cast \"x\\ny\\\"z\" to int");
    dpl_free(m);
    m = cast_message("{\"a\":\"1\\u00002\"}");
    cr_expect_str_eq(m, "cannot cast \"1\\u00002\" to int");
    dpl_free(m);
    /* 1 + 80 two-byte letters: cut, valid UTF-8, whole letters only */
    char data[400] = "{\"a\":\"a";
    for (int i = 0; i < 80; i++)
        strcat(data, "\xc3\xa9");
    strcat(data, "\"}");
    m = cast_message(data);
    cr_expect(dpl_utf8_valid(m, strlen(m)), "message is valid UTF-8: %s", m);
    cr_expect(strstr(m, "\"... to int") != NULL, "message marks the cut: %s", m);
    cr_expect(strncmp(m, "cannot cast \"a\xc3\xa9\xc3\xa9", 17) == 0, "%s", m);
    dpl_free(m);
}

/* A string longer than the cast's stack buffer (400 bytes) is still parsed
 * whole: it used to be cast_failed whatever it held. */
Test(eval, cast_of_a_long_numeric_string)
{
    char data[1200];
    int n = snprintf(data, sizeof data, "{\"a\":\" ");
    for (int i = 0; i < 500; i++)
        data[n++] = '0';
    snprintf(data + n, sizeof data - (size_t)n, "42.500 \"}");
    EXPECT_EVAL("a as float", data, "42.5");
    snprintf(data + n, sizeof data - (size_t)n, "42 \"}");
    EXPECT_EVAL("a as int", data, "42");
    snprintf(data + n, sizeof data - (size_t)n, "4x \"}");
    EXPECT_EVAL("a as int", data, "error:cast_failed");
    EXPECT_EVAL("a as bool", data, "error:cast_failed");
}

Test(eval, cast_to_float)
{
    EXPECT_EVAL("a as float", "{\"a\":\"32150.50\"}", "32150.5");
    EXPECT_EVAL("a as float", "{\"a\":10}", "10.0");
    EXPECT_EVAL("a as float", "{\"a\":\" 1e3 \"}", "1000.0");
    EXPECT_EVAL("a as float", "{\"a\":\"abc\"}", "error:cast_failed");
    EXPECT_EVAL("a as float", "{\"a\":\"nan\"}", "error:cast_failed");
    EXPECT_EVAL("a as float", "{\"a\":\"inf\"}", "error:cast_failed");
    EXPECT_EVAL("a as float", "{\"a\":\"0x10\"}", "error:cast_failed");
    EXPECT_EVAL("a as float", "{\"a\":\"1e999\"}", "error:cast_failed");
    EXPECT_EVAL("a as float", "{\"a\":\"3,5\"}", "error:cast_failed");
}

Test(eval, cast_to_string)
{
    EXPECT_EVAL("a as string", "{\"a\":123}", "\"123\"");
    EXPECT_EVAL("a as string", "{\"a\":70250.99}", "\"70250.99\"");
    EXPECT_EVAL("a as string", "{\"a\":2.0}", "\"2.0\"");
    EXPECT_EVAL("a as string", "{\"a\":true}", "\"true\"");
    EXPECT_EVAL("a as string", "{\"a\":\"x\"}", "\"x\"");
    EXPECT_EVAL("a as string", "{\"a\":[1]}", "error:cast_failed");
    EXPECT_EVAL("a as string", "{\"a\":null}", "error:cast_failed");
}

Test(eval, cast_to_bool)
{
    EXPECT_EVAL("a as bool", "{\"a\":\"true\"}", "true");
    EXPECT_EVAL("a as bool", "{\"a\":\"false\"}", "false");
    EXPECT_EVAL("a as bool", "{\"a\":false}", "false");
    EXPECT_EVAL("a as bool", "{\"a\":\"yes\"}", "error:cast_failed");
    EXPECT_EVAL("a as bool", "{\"a\":1}", "error:cast_failed");
}

/* ---- calls, arrays, meta ---------------------------------------------------------------- */

Test(eval, builtins_get_missing_only_when_they_ask)
{
    EXPECT_EVAL("len(a)", "{\"a\":\"São\"}", "3");
    EXPECT_EVAL("len(a)", "{}", "missing");
    EXPECT_EVAL("coalesce(a, b, \"z\")", "{\"b\":null}", "\"z\"");
    EXPECT_EVAL("exists(a)", "{\"a\":null}", "true");
    EXPECT_EVAL("exists(a)", "{}", "false");
    EXPECT_EVAL("matches(a, \"^[0-9]+$\")", "{\"a\":\"123\"}", "true");
    EXPECT_EVAL("matches(a, \"^[0-9]+$\")", "{\"a\":\"12a\"}", "false");
}

Test(eval, array_literals_drop_missing_elements)
{
    EXPECT_EVAL("[a, b, 3]", "{\"a\":1}", "[1,3]");
}

Test(eval, meta_attributes)
{
    expect_run("entity \"p\" { doc }\nsources \"s\"\nadd {\n    'source -> o\n    'entity -> e\n    'line -> l\n}\n",
               "{\"data\":{\"doc\":\"x\"},\"metadata\":{\"source\":\"s\"}}", "{\"o\":\"s\",\"e\":\"p\",\"l\":1}");
}

/* ---- phases ------------------------------------------------------------------------------ */

Test(eval, source_filter)
{
    const char *prog = "entity \"e\" { k }\nsources \"a\", \"b\"\nadd { k }\n";
    expect_run(prog, "{\"data\":{\"k\":1},\"metadata\":{\"source\":\"b\"}}", "{\"k\":1}");
    expect_run(prog, "{\"data\":{\"k\":1},\"metadata\":{\"source\":\"c\"}}", "skip");
    expect_run(prog, "{\"data\":{\"k\":1},\"metadata\":{}}", "reject:missing_source");
    expect_run(prog, "{\"data\":{\"k\":1}}", "reject:missing_source");
    expect_run(prog, "{\"data\":{\"k\":1},\"metadata\":{\"source\":null}}", "reject:missing_source");
    expect_run(prog, "{\"data\":{\"k\":1},\"metadata\":{\"source\":5}}", "reject:missing_source");
    /* a skipped record is not validated: nothing about it is wrong for us */
    expect_run("entity \"e\" { k }\nsources \"a\"\nmandatory { x }\nadd { k }\n",
               "{\"data\":{\"k\":1},\"metadata\":{\"source\":\"c\"}}", "skip");
}

Test(eval, no_sources_statement_accepts_every_record)
{
    /* W401 says every record is accepted: a missing source is not a reject */
    const char *prog = "entity \"e\" { k }\nadd { k, 'source -> s }\n";
    expect_run(prog, "{\"data\":{\"k\":1},\"metadata\":{\"source\":\"x\"}}", "{\"k\":1,\"s\":\"x\"}");
    expect_run(prog, "{\"data\":{\"k\":1}}", "{\"k\":1}");
    expect_run(prog, "{\"data\":{\"k\":1},\"metadata\":{\"source\":5}}", "{\"k\":1}");
    Prog p = load(prog);
    run(&p, "{\"data\":{\"k\":2}}");
    cr_assert_eq(p.res.outcome, DPL_EMIT);
    cr_expect(json_is_null(json_object_get(p.res.entity, "source")), "source is null when the record names none");
    unload(&p);
}

/* missing_source carries a rule like every other validation error: the
 * `sources` keyword (or the `using` path).  It used to have none without
 * `using`, so the reject did not say which statement demanded a source. */
Test(eval, missing_source_points_at_the_sources_statement)
{
    Prog p = load("entity \"e\" { k }\n\n  sources \"s\"\nadd { k }\n");
    run(&p, "{\"data\":{\"k\":1},\"metadata\":{}}");
    cr_assert_eq(p.res.nerrors, 1);
    cr_assert_eq(p.res.errors[0].code, DPL_RT_MISSING_SOURCE);
    cr_assert(p.res.errors[0].has_rule);
    DplPos pos = dpl_source_locate(p.src, p.res.errors[0].rule.start);
    cr_expect_eq(pos.line, 3);
    cr_expect_eq(pos.column, 3);
    unload(&p);
}

Test(eval, sources_using_path)
{
    const char *prog = "entity \"e\" { k }\nsources \"a\" using metadata.origin\nadd { k, 'source -> s }\n";
    expect_run(prog, "{\"data\":{\"k\":1},\"metadata\":{\"source\":\"x\",\"origin\":\"a\"}}", "{\"k\":1,\"s\":\"a\"}");
    expect_run(prog, "{\"data\":{\"k\":1},\"metadata\":{\"source\":\"a\"}}", "reject:missing_source");
}

Test(eval, not_an_object)
{
    Prog p = load("entity \"e\" { k }\nsources \"s\"\nadd { k }\n");
    json_t *v = json_array();
    dpl_eval_record(p.ev, v, 1, &p.res);
    cr_expect_eq(p.res.outcome, DPL_REJECT);
    cr_assert_eq(p.res.nerrors, 1);
    cr_expect_eq(p.res.errors[0].code, DPL_RT_NOT_AN_OBJECT);
    json_decref(v);
    unload(&p);
}

/* A path listed twice in mandatory (W402: the program still runs) gives one
 * error, not one per listing; `k` and `data.k` are the same path. */
Test(eval, mandatory_path_listed_twice_is_reported_once)
{
    Prog p = load("entity \"e\" { k }\nsources \"s\"\nmandatory { k, data.k, v }\nmandatory { k }\n");
    run(&p, "{\"data\":{},\"metadata\":{\"source\":\"s\"}}");
    cr_assert_eq(p.res.outcome, DPL_REJECT);
    cr_assert_eq(p.res.nerrors, 2, "got %zu errors", p.res.nerrors);
    cr_expect_str_eq(p.res.errors[0].path, "data.k");
    cr_expect_str_eq(p.res.errors[1].path, "data.v");
    unload(&p);
}

Test(eval, mandatory_collects_every_failure)
{
    Prog p = load("entity \"e\" { k }\nsources \"s\"\n"
                  "mandatory {\n    a\n    b\n    c\n    metadata.m\n    d\n}\nadd { k }\n");
    run(&p, "{\"data\":{\"k\":1,\"a\":null,\"b\":\"\",\"d\":0},\"metadata\":{\"source\":\"s\"}}");
    cr_assert_eq(p.res.outcome, DPL_REJECT);
    cr_assert_eq(p.res.nerrors, 4);
    const char *paths[] = {"data.a", "data.b", "data.c", "metadata.m"};
    for (int i = 0; i < 4; i++) {
        cr_expect_eq(p.res.errors[i].code, DPL_RT_MISSING_MANDATORY);
        cr_expect_str_eq(p.res.errors[i].path, paths[i]);
        cr_expect(p.res.errors[i].has_rule);
    }
    cr_expect(strstr(p.res.errors[0].message, "data.a") != NULL);
    /* the rule span points at the mandatory path in the program */
    DplPos pos = dpl_source_locate(p.src, p.res.errors[1].rule.start);
    cr_expect_eq(pos.line, 5);
    cr_expect_eq(pos.column, 5);
    unload(&p);
}

/* A requirement over several lines is quoted on one line, without its
 * comments, and its string literals exactly: "x   y" used to read "x y"
 * and the `# comment` used to be part of the quoted expression. */
Test(eval, requirement_message_quotes_the_expression_exactly)
{
    Prog p = load("entity \"e\" { k }\nrequirement {\n"
                  "    a == \"x   y # z\" and   # must be x\n"
                  "        b < 1\n}\n");
    run(&p, "{\"data\":{\"k\":1,\"a\":\"x\",\"b\":0}}");
    cr_assert_eq(p.res.nerrors, 1);
    cr_expect_str_eq(p.res.errors[0].message, "requirement `a == \"x   y # z\" and b < 1` is not met");
    unload(&p);
}

Test(eval, requirement_failures_carry_the_expression)
{
    Prog p = load("entity \"e\" { k }\nsources \"s\"\nrequirement {\n    valor > 0\n    len(nome) >= 3\n}\nadd { k }\n");
    run(&p, "{\"data\":{\"k\":1,\"valor\":0,\"nome\":\"Al\"},\"metadata\":{\"source\":\"s\"}}");
    cr_assert_eq(p.res.nerrors, 2);
    cr_expect_eq(p.res.errors[0].code, DPL_RT_REQUIREMENT_FAILED);
    cr_expect(strstr(p.res.errors[0].message, "valor > 0") != NULL, "message: %s", p.res.errors[0].message);
    cr_expect(strstr(p.res.errors[1].message, "len(nome) >= 3") != NULL, "message: %s", p.res.errors[1].message);
    /* missing counts as false */
    run(&p, "{\"data\":{\"k\":1,\"nome\":\"Ana\"},\"metadata\":{\"source\":\"s\"}}");
    cr_assert_eq(p.res.nerrors, 1);
    cr_expect_eq(p.res.errors[0].code, DPL_RT_REQUIREMENT_FAILED);
    /* a runtime error inside is reported with its own code */
    run(&p, "{\"data\":{\"k\":1,\"valor\":\"10\",\"nome\":\"Ana\"},\"metadata\":{\"source\":\"s\"}}");
    cr_assert_eq(p.res.nerrors, 1);
    cr_expect_eq(p.res.errors[0].code, DPL_RT_TYPE_ERROR);
    run(&p, "{\"data\":{\"k\":1,\"valor\":3,\"nome\":\"Ana\"},\"metadata\":{\"source\":\"s\"}}");
    cr_expect_eq(p.res.outcome, DPL_EMIT);
    unload(&p);
}

Test(eval, missing_key_reported_once_with_mandatory)
{
    const char *prog = "entity \"e\" {\n    k1\n    k2\n}\nsources \"s\"\nmandatory { k1 }\nadd { k1 }\n";
    Prog p = load(prog);
    run(&p, "{\"data\":{\"k2\":null},\"metadata\":{\"source\":\"s\"}}");
    cr_assert_eq(p.res.nerrors, 2);
    cr_expect_eq(p.res.errors[0].code, DPL_RT_MISSING_MANDATORY);
    cr_expect_str_eq(p.res.errors[0].path, "data.k1");
    cr_expect_eq(p.res.errors[1].code, DPL_RT_MISSING_KEY);
    cr_expect_str_eq(p.res.errors[1].path, "data.k2");
    unload(&p);
}

Test(eval, build_errors_are_all_collected)
{
    Prog p = load("entity \"c\" { id }\nsources \"s\"\nadd {\n    id\n    qtd * 2 -> a\n    qtd + 1 -> b\n"
                  "    nome as int -> c\n    1 / zero -> d\n}\n");
    run(&p, "{\"data\":{\"id\":1,\"qtd\":9223372036854775807,\"nome\":\"x\",\"zero\":0},\"metadata\":{\"source\":\"s\"}}");
    cr_assert_eq(p.res.outcome, DPL_REJECT);
    cr_assert_eq(p.res.nerrors, 4);
    cr_expect_eq(p.res.errors[0].code, DPL_RT_ARITHMETIC_ERROR);
    cr_expect_eq(p.res.errors[1].code, DPL_RT_ARITHMETIC_ERROR);
    cr_expect_eq(p.res.errors[2].code, DPL_RT_CAST_FAILED);
    cr_expect_eq(p.res.errors[3].code, DPL_RT_ARITHMETIC_ERROR);
    DplPos pos = dpl_source_locate(p.src, p.res.errors[2].rule.start);
    cr_expect_eq(pos.line, 7);
    unload(&p);
}

/* ---- build ------------------------------------------------------------------------------ */

Test(eval, nested_targets_and_missing_writes_nothing)
{
    const char *prog = "entity \"loja\" { cnpj }\nsources \"s\"\n"
                       "add {\n    cnpj\n    cidade -> endereco.cidade\n    uf -> endereco.uf\n    razao -> nome\n}\n";
    expect_run(prog, "{\"data\":{\"cnpj\":\"1\",\"cidade\":\"C\",\"uf\":\"PR\",\"razao\":\"A\"},\"metadata\":{\"source\":\"s\"}}",
               "{\"cnpj\":\"1\",\"endereco\":{\"cidade\":\"C\",\"uf\":\"PR\"},\"nome\":\"A\"}");
    expect_run(prog, "{\"data\":{\"cnpj\":\"3\",\"razao\":null},\"metadata\":{\"source\":\"s\"}}",
               "{\"cnpj\":\"3\",\"nome\":null}");
}

Test(eval, if_runs_only_when_true)
{
    const char *prog = "entity \"v\" { placa }\nsources \"s\"\n"
                       "add {\n    placa\n    valor if valor > 1000\n    \"sim\" -> ativo if flag\n}\n";
    expect_run(prog, "{\"data\":{\"placa\":\"A\",\"valor\":500,\"flag\":null},\"metadata\":{\"source\":\"s\"}}",
               "{\"placa\":\"A\"}");
    expect_run(prog, "{\"data\":{\"placa\":\"B\",\"valor\":5000,\"flag\":true},\"metadata\":{\"source\":\"s\"}}",
               "{\"placa\":\"B\",\"valor\":5000,\"ativo\":\"sim\"}");
    expect_run(prog, "{\"data\":{\"placa\":\"C\",\"flag\":\"yes\"},\"metadata\":{\"source\":\"s\"}}", "reject:type_error");
}

Test(eval, overwrite_replaces_in_place)
{
    const char *prog = "entity \"p\" { doc }\nsources \"s\"\nadd {\n    nome\n    overwrite nomeSocial -> nome\n    doc\n}\n";
    expect_run(prog, "{\"data\":{\"doc\":\"1\",\"nome\":\"João\",\"nomeSocial\":\"Joana\"},\"metadata\":{\"source\":\"s\"}}",
               "{\"nome\":\"Joana\",\"doc\":\"1\"}");
    expect_run(prog, "{\"data\":{\"doc\":\"2\",\"nome\":\"Carlos\"},\"metadata\":{\"source\":\"s\"}}",
               "{\"nome\":\"Carlos\",\"doc\":\"2\"}");
}

Test(eval, append_is_an_ordered_set)
{
    const char *prog = "entity \"p\" { doc }\nsources \"s\"\n"
                       "add {\n    append tel1 -> tel\n    append tel2 -> tel\n    append outros -> tel\n}\n";
    expect_run(prog, "{\"data\":{\"doc\":\"1\",\"tel1\":\"1\",\"tel2\":\"2\",\"outros\":[\"3\",\"1\",\"4\",1.0,1]},\"metadata\":{\"source\":\"s\"}}",
               "{\"tel\":[\"1\",\"2\",\"3\",\"4\",1.0]}");
    expect_run(prog, "{\"data\":{\"doc\":\"3\"},\"metadata\":{\"source\":\"s\"}}", "{}");
    expect_run(prog, "{\"data\":{\"doc\":\"4\",\"outros\":[]},\"metadata\":{\"source\":\"s\"}}", "{\"tel\":[]}");
}

/* Set semantics past the small-array scan: values equal under == (1 and
 * 1.0, 0 and -0.0, 2^62 and 2^62 as a real, objects in any key order) are
 * one element, the first one kept, in order. */
Test(eval, append_set_semantics_on_larger_arrays)
{
    const char *prog = "entity \"p\" { doc }\nadd {\n    append a -> t\n    append b -> t\n}\n";
    expect_run(prog,
               "{\"data\":{\"doc\":1,\"a\":[1,\"1\",0,4611686018427387904,{\"x\":1,\"y\":[2]},[1,2],null,true],"
               "\"b\":[1.0,-0.0,4611686018427387904.0,{\"y\":[2.0],\"x\":1},[1,2.0],[2,1],null,false,\"1\",1.5,1.5]}}",
               "{\"t\":[1,\"1\",0,4611686018427387904,{\"x\":1,\"y\":[2]},[1,2],null,true,[2,1],false,1.5]}");
}

/* Appending a large array is linear: 60 000 values (half repeated) used to
 * take n^2/2 comparisons, about a minute; the timeout catches that. */
Test(eval, append_of_a_large_array_is_fast, .timeout = 10)
{
    DplBuf rec = {0};
    dpl_buf_puts(&rec, "{\"data\":{\"doc\":1,\"a\":[");
    for (int i = 0; i < 60000; i++)
        dpl_buf_printf(&rec, "%s%d", i ? "," : "", i % 30000);
    dpl_buf_puts(&rec, "]}}");
    Prog p = load("entity \"p\" { doc }\nadd { append a -> t }\n");
    run(&p, rec.data);
    cr_assert_eq(p.res.outcome, DPL_EMIT);
    json_t *t = json_object_get(json_object_get(p.res.entity, "data"), "t");
    cr_assert_eq(json_array_size(t), 30000);
    cr_expect_eq(json_integer_value(json_array_get(t, 29999)), 29999);
    unload(&p);
    dpl_buf_free(&rec);
}

Test(eval, append_after_all_never_changes_the_input)
{
    /* `all` shares the input's array; append must copy it first (run()
     * asserts that the input record is unchanged). */
    expect_run("entity \"p\" { doc }\nsources \"s\"\nadd {\n    all\n    append extra -> tags\n    overwrite 1 -> o.novo\n}\n",
               "{\"data\":{\"doc\":\"1\",\"tags\":[\"a\"],\"extra\":\"b\",\"o\":{\"v\":0}},\"metadata\":{\"source\":\"s\"}}",
               "{\"doc\":\"1\",\"tags\":[\"a\",\"b\"],\"extra\":\"b\",\"o\":{\"v\":0,\"novo\":1}}");
}

/* `delete` with [*] applies to every element; it used to do nothing at all
 * (the [*] segment was not handled), so `delete itens[*].cpf` silently kept
 * the data it was meant to drop.  run() checks the input is untouched. */
Test(eval, delete_through_star_applies_to_every_element)
{
    expect_run("entity \"p\" { k }\nadd {\n    all\n    delete itens[*].cpf\n    delete m[*][*].z\n"
               "    delete data.e[*]\n    delete s[*].x\n}\n",
               "{\"data\":{\"k\":1,\"itens\":[{\"cpf\":1,\"a\":1},{\"cpf\":2},3],"
               "\"m\":[[{\"z\":1,\"y\":1}],{\"z\":3}],\"e\":[1,2],\"s\":\"x\"}}",
               "{\"k\":1,\"itens\":[{\"a\":1},{},3],\"m\":[[{\"y\":1}],{\"z\":3}],\"e\":[],\"s\":\"x\"}");
}

Test(eval, all_and_delete)
{
    expect_run("entity \"p\" { id }\nsources \"s\"\nadd {\n    all\n    delete interno\n    delete id\n    delete x.y\n}\n",
               "{\"data\":{\"id\":7,\"nome\":\"A\",\"interno\":true,\"x\":{\"y\":1,\"z\":2}},\"metadata\":{\"source\":\"s\"}}",
               "{\"nome\":\"A\",\"x\":{\"z\":2}}");
}

Test(eval, later_items_replace_what_all_copied_in_place)
{
    expect_run("entity \"p\" { id }\nsources \"s\"\nadd {\n    all\n    overwrite valor as float -> valor\n}\n",
               "{\"data\":{\"id\":1,\"valor\":\"2.5\",\"z\":0},\"metadata\":{\"source\":\"s\"}}",
               "{\"id\":1,\"valor\":2.5,\"z\":0}");
}

Test(eval, writing_below_a_scalar_is_a_type_error)
{
    expect_run("entity \"p\" { id }\nsources \"s\"\nadd {\n    all\n    overwrite 1 -> id.x\n}\n",
               "{\"data\":{\"id\":1},\"metadata\":{\"source\":\"s\"}}", "reject:type_error");
}

/* ---- emit and identity -------------------------------------------------------------------- */

static void sha256_hex(const char *bytes, size_t n, char out[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(bytes, n, md, &len, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", md[i]);
}

Test(eval, identity_hashes_the_spec_bytes)
{
    Prog p = load("entity \"fipe\" {\n    marca\n    nome\n    comb\n    ano\n}\nsources \"fipe\"\nadd { ano }\n");
    run(&p, "{\"data\":{\"marca\":\"VW\",\"nome\":\"Gol\",\"comb\":\"Flex\",\"ano\":2014},\"metadata\":{\"source\":\"fipe\"}}");
    cr_assert_eq(p.res.outcome, DPL_EMIT);
    static const char bytes[] = "fipe\x1f\"VW\"\x1f\"Gol\"\x1f\"Flex\"\x1f" "2014";
    char want[65];
    sha256_hex(bytes, sizeof bytes - 1, want);
    cr_expect_str_eq(json_string_value(json_object_get(p.res.entity, "id")), want);
    char *text = to_text(p.res.entity);
    char expect[256];
    snprintf(expect, sizeof expect, "{\"entity\":\"fipe\",\"id\":\"%s\",\"source\":\"fipe\",\"data\":{\"ano\":2014}}", want);
    cr_expect_str_eq(text, expect);
    dpl_free(text);
    unload(&p);
}

Test(eval, identity_uses_canonical_json_of_structured_keys)
{
    Prog p = load("entity \"e\" { k }\nsources \"s\"\nadd { 'id -> id }\n");
    run(&p, "{\"data\":{\"k\":{\"b\":1.50,\"a\":\"é\"}},\"metadata\":{\"source\":\"s\"}}");
    cr_assert_eq(p.res.outcome, DPL_EMIT);
    static const char bytes[] = "e\x1f{\"a\":\"é\",\"b\":1.5}";
    char want[65];
    sha256_hex(bytes, sizeof bytes - 1, want);
    cr_expect_str_eq(json_string_value(json_object_get(p.res.entity, "id")), want);
    /* 'id in add sees the same id */
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(p.res.entity, "data"), "id")), want);
    unload(&p);
}

Test(eval, substitutive_entity_says_so_after_source)
{
    Prog p = load("substitutive entity \"empresa\" { cnpj }\nsources \"rf\"\nadd { cnpj }\n");
    run(&p, "{\"data\":{\"cnpj\":\"1\"},\"metadata\":{\"source\":\"rf\"}}");
    cr_assert_eq(p.res.outcome, DPL_EMIT);
    const char *keys[] = {"entity", "id", "source", "substitutive", "data"};
    int i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(p.res.entity, key, v) {
        cr_assert_lt(i, 5);
        cr_expect_str_eq(key, keys[i]);
        i++;
    }
    cr_expect_eq(i, 5);
    unload(&p);
}

/* ---- reject lines ---------------------------------------------------------------------------- */

Test(eval, reject_line_has_line_source_errors_and_record)
{
    Prog p = load("entity \"e\" { k }\nsources \"s\"\nmandatory {\n    valor\n}\nadd { k }\n");
    json_t *r = parse("{\"data\":{\"k\":1},\"metadata\":{\"source\":\"s\"}}");
    dpl_eval_record(p.ev, r, 17, &p.res);
    DplBuf b = {0};
    dpl_write_reject(&b, p.src, 17, &p.res, r, NULL, 0);
    cr_expect_str_eq(b.data, "{\"line\":17,\"source\":\"s\",\"errors\":[{\"code\":\"missing_mandatory\",\"path\":\"data.valor\","
                             "\"message\":\"mandatory field data.valor is missing\",\"rule\":{\"line\":4,\"column\":5}}],"
                             "\"record\":{\"data\":{\"k\":1},\"metadata\":{\"source\":\"s\"}}}\n");
    dpl_buf_free(&b);
    json_decref(r);
    unload(&p);
}

/* raw_base64 of a reject written for raw bytes, or NULL when there is none;
 * *raw gets "raw" (both owned by the caller). */
static char *reject_raw(const char *raw, size_t n, char **text, size_t *text_len)
{
    DplResult res;
    dpl_result_init(&res);
    dpl_result_add_error(&res, DPL_RT_INVALID_JSON, NULL, NULL, "boom");
    DplBuf b = {0};
    dpl_write_reject(&b, NULL, 1, &res, NULL, raw, n);
    json_t *v = parse(b.data);
    json_t *r = json_object_get(v, "raw"), *b64 = json_object_get(v, "raw_base64");
    *text_len = json_string_length(r);
    *text = dpl_strndup(json_string_value(r), *text_len);
    char *out = b64 ? dpl_strdup(json_string_value(b64)) : NULL;
    json_decref(v);
    dpl_buf_free(&b);
    dpl_result_free(&res);
    return out;
}

Test(eval, raw_base64_only_when_raw_is_not_the_bytes)
{
    static const struct {
        const char *raw;
        size_t n;
        const char *text;
        size_t text_len;
        const char *b64;
    } cases[] = {
        {"{x}", 3, "{x}", 3, NULL},                          /* raw is exact */
        {"{x}\r", 4, "{x}", 3, NULL},                        /* the CR of a CRLF line end is not content */
        {"a\0b", 3, "a\0b", 3, "YQBi"},                      /* NUL */
        {"{1}\r{2}\r", 8, "{1}\r{2}", 7, "ezF9DXsyfQ0="},    /* CR-only line ends: the last CR kept too */
        {"\xc3(\r", 3, "\xef\xbf\xbd(", 4, "wygN"},           /* invalid UTF-8 on a CRLF line: its CR kept */
        {"\xc3\xa9", 2, "\xc3\xa9", 2, NULL},                  /* valid UTF-8 */
        {"", 0, "", 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text;
        size_t text_len;
        char *b64 = reject_raw(cases[i].raw, cases[i].n, &text, &text_len);
        cr_expect(text_len == cases[i].text_len && memcmp(text, cases[i].text, text_len) == 0, "case %zu raw", i);
        if (cases[i].b64)
            cr_expect(b64 && strcmp(b64, cases[i].b64) == 0, "case %zu: raw_base64 %s, want %s", i, b64 ? b64 : "none",
                      cases[i].b64);
        else
            cr_expect_null(b64, "case %zu: raw_base64 %s where raw is exact", i, b64);
        dpl_free(text);
        dpl_free(b64);
    }
}

Test(eval, raw_reject_is_valid_json_even_for_invalid_utf8)
{
    DplResult res;
    dpl_result_init(&res);
    dpl_result_add_error(&res, DPL_RT_INVALID_JSON, NULL, NULL, "invalid JSON at column %d: %s", 2, "boom");
    DplBuf b = {0};
    static const char raw[] = "{\"a\xff\":\"\n\"}";
    dpl_write_reject_input(&b, NULL, "in.ndjson", 3, &res, NULL, raw, sizeof raw - 1);
    json_t *v = parse(b.data);
    cr_expect_eq(json_integer_value(json_object_get(v, "line")), 3);
    cr_expect_str_eq(json_string_value(json_object_get(v, "input")), "in.ndjson");
    cr_expect_str_eq(json_string_value(json_object_get(v, "raw")), "{\"a\xEF\xBF\xBD\":\"\n\"}");
    /* the exact bytes: {"a\xff":"\n"} */
    cr_expect_str_eq(json_string_value(json_object_get(v, "raw_base64")), "eyJh/yI6IgoifQ==");
    cr_expect_null(json_object_get(v, "record"));
    json_t *e = json_array_get(json_object_get(v, "errors"), 0);
    cr_expect_str_eq(json_string_value(json_object_get(e, "code")), "invalid_json");
    cr_expect_null(json_object_get(e, "path"));
    cr_expect_null(json_object_get(e, "rule"));
    json_decref(v);
    dpl_buf_free(&b);
    dpl_result_clear(&res);
    dpl_free(res.errors);
}

Test(eval, default_source_for_raw_mode)
{
    Prog p = load("entity \"e\" { k }\nsources \"cadastro\", \"b\"\nadd { k }\n");
    cr_expect_str_eq(dpl_eval_default_source(p.ev), "cadastro");
    unload(&p);
}

Test(eval, result_is_reusable_across_records)
{
    Prog p = load("entity \"e\" { k }\nsources \"s\"\nmandatory { v }\nadd { k, v }\n");
    for (int i = 0; i < 100; i++) {
        char rec[128];
        snprintf(rec, sizeof rec, "{\"data\":{\"k\":%d%s},\"metadata\":{\"source\":\"s\"}}", i, i % 2 ? ",\"v\":1" : "");
        run(&p, rec);
        cr_expect_eq(p.res.outcome, i % 2 ? DPL_EMIT : DPL_REJECT);
        cr_expect_eq(p.res.nerrors, i % 2 ? 0u : 1u);
    }
    unload(&p);
}

Test(eval, lone_expression_for_the_repl)
{
    Prog p = load("entity \"e\" { k }\nsources \"s\"\nadd { valor * 2 -> dobro }\n");
    json_t *r = parse("{\"data\":{\"k\":1,\"valor\":21},\"metadata\":{\"source\":\"s\"}}");
    const DplExpr *e = p.prog->stmts[2].u.add.items[0].value;
    DplRtError err = {0};
    json_t *v = dpl_eval_expr(p.ev, e, r, 1, &err);
    cr_expect(!err.set);
    cr_expect_eq(json_integer_value(v), 42);
    json_decref(v);
    json_decref(r);
    /* an error comes with its path and value, as in a reject */
    r = parse("{\"data\":{\"k\":1,\"valor\":\"x\"},\"metadata\":{\"source\":\"s\"}}");
    cr_expect_null(dpl_eval_expr_blamed(p.ev, e, r, 1, &p.res));
    cr_assert_eq(p.res.nerrors, 1);
    cr_expect_eq(p.res.errors[0].code, DPL_RT_TYPE_ERROR);
    cr_expect_str_eq(p.res.errors[0].path, "data.valor");
    cr_expect_str_eq(json_string_value(p.res.errors[0].value), "x");
    json_decref(r);
    unload(&p);
}

/* ---- language 1.1: where, map/filter, cond, errors with values (spec §12) ------ */

Test(eval, where_skips_what_is_not_true_and_says_why)
{
    const char *prog = "entity \"t\" { id }\nsources \"s\"\nwhere {\n    kind == \"sale\"\n    live\n}\nadd { id }\n";
    Prog p = load(prog);
    cr_expect_eq(run(&p, "{\"data\":{\"id\":1,\"kind\":\"sale\",\"live\":true},\"metadata\":{\"source\":\"s\"}}"), DPL_EMIT);
    cr_expect(p.res.validated);
    /* false, null, missing and a non-boolean all skip, counted as `where` */
    const char *skipped[] = {
        "{\"data\":{\"id\":1,\"kind\":\"x\",\"live\":true},\"metadata\":{\"source\":\"s\"}}",
        "{\"data\":{\"id\":1,\"kind\":\"sale\",\"live\":null},\"metadata\":{\"source\":\"s\"}}",
        "{\"data\":{\"id\":1,\"kind\":\"sale\"},\"metadata\":{\"source\":\"s\"}}",
        "{\"data\":{\"id\":1,\"kind\":\"sale\",\"live\":\"yes\"},\"metadata\":{\"source\":\"s\"}}",
    };
    for (size_t i = 0; i < sizeof skipped / sizeof *skipped; i++) {
        cr_expect_eq(run(&p, skipped[i]), DPL_SKIP, "%s", skipped[i]);
        cr_expect_eq(p.res.skipped_by, DPL_SKIP_WHERE);
        cr_expect_not(p.res.validated);
    }
    cr_expect_eq(run(&p, "{\"data\":{\"id\":1,\"kind\":\"sale\",\"live\":true},\"metadata\":{\"source\":\"t\"}}"), DPL_SKIP);
    cr_expect_eq(p.res.skipped_by, DPL_SKIP_SOURCE);
    unload(&p);
}

Test(eval, where_errors_reject_with_the_where_errors_alone)
{
    /* both where expressions run; validation (mandatory) does not */
    const char *prog = "entity \"t\" { id }\nsources \"s\"\nmandatory { id }\n"
                       "where {\n    n as int > 1\n    m as int > 1\n}\nadd { id }\n";
    Prog p = load(prog);
    cr_assert_eq(run(&p, "{\"data\":{\"n\":\"x\",\"m\":\"y\"},\"metadata\":{\"source\":\"s\"}}"), DPL_REJECT);
    cr_assert_eq(p.res.nerrors, 2);
    cr_expect_eq(p.res.errors[0].code, DPL_RT_CAST_FAILED);
    cr_expect_str_eq(p.res.errors[0].path, "data.n");
    cr_expect_str_eq(json_string_value(p.res.errors[0].value), "x");
    cr_expect_str_eq(json_string_value(p.res.errors[1].value), "y");
    unload(&p);
}

Test(eval, map_and_filter_work_per_element)
{
    const char *d = "{\"items\":[{\"sku\":\"a\",\"q\":2,\"p\":1.5},{\"q\":1,\"p\":2},{\"sku\":\"c\",\"q\":3,\"p\":1}],"
                    "\"tags\":[\"x\",\"\",\"y\"],\"cur\":\"BRL\"}";
    EXPECT_EVAL("map(items, sku)", d, "[\"a\",\"c\"]");
    EXPECT_EVAL("map(items, q * p)", d, "[3.0,2,3]");
    EXPECT_EVAL("sum(map(items, q * p))", d, "8.0");
    EXPECT_EVAL("filter(items, q > 1)", d, "[{\"sku\":\"a\",\"q\":2,\"p\":1.5},{\"sku\":\"c\",\"q\":3,\"p\":1}]");
    EXPECT_EVAL("filter(tags, 'item != \"\")", d, "[\"x\",\"y\"]");
    EXPECT_EVAL("map(items, data.cur)", d, "[\"BRL\",\"BRL\",\"BRL\"]");
    EXPECT_EVAL("map(items, 'item.sku ?? \"-\")", d, "[\"a\",\"-\",\"c\"]");
    EXPECT_EVAL("map([[1, 2], [3]], map('item, 'item * 10))", d, "[[10,20],[30]]");
    EXPECT_EVAL("map(nothing, 'item)", d, "missing");
    EXPECT_EVAL("map([], 'item)", d, "[]");
    EXPECT_EVAL("map(cur, 'item)", d, "error:type_error");
    /* a condition that is not `true` drops the element, even a non-boolean */
    EXPECT_EVAL("filter([true, false, null, 1, \"true\"], 'item)", d, "[true]");
}

Test(eval, cond_evaluates_only_the_chosen_branch)
{
    EXPECT_EVAL("cond(true, 1, 1 / 0)", "{}", "1");
    EXPECT_EVAL("cond(false, 1 / 0, 2)", "{}", "2");
    EXPECT_EVAL("cond(nothing, 1, 2)", "{}", "2");
    EXPECT_EVAL("cond(null, 1, 2)", "{}", "2");
    EXPECT_EVAL("cond(\"true\", 1, 2)", "{}", "2");
    EXPECT_EVAL("cond(true, nothing, 2)", "{}", "missing");
    EXPECT_EVAL("cond(1 / 0 > 1, 1, 2)", "{}", "error:arithmetic_error");
}

Test(eval, new_functions)
{
    EXPECT_EVAL("type(x)", "{\"x\":1.0}", "\"real\"");
    EXPECT_EVAL("type(x)", "{\"x\":null}", "\"null\"");
    EXPECT_EVAL("type(x)", "{}", "missing");
    EXPECT_EVAL("keys(o)", "{\"o\":{\"b\":1,\"a\":2}}", "[\"b\",\"a\"]");
    EXPECT_EVAL("keys(o)", "{\"o\":null}", "missing");
    EXPECT_EVAL("keys(o)", "{\"o\":[1]}", "error:type_error");
    EXPECT_EVAL("unique(a)", "{\"a\":[1,1.0,\"1\",[1],[1],{\"x\":1,\"y\":2},{\"y\":2,\"x\":1}]}", "[1,\"1\",[1],{\"x\":1,\"y\":2}]");
    EXPECT_EVAL("substr(s, 2)", "{\"s\":\"São Paulo\"}", "\"o Paulo\"");
    EXPECT_EVAL("substr(s, -2)", "{\"s\":\"São Paulo\"}", "\"lo\"");
    EXPECT_EVAL("extract(s, \"([A-Z]+)-([0-9]+)\", 2)", "{\"s\":\"x INV-42 y\"}", "\"42\"");
    EXPECT_EVAL("extract(s, \"([A-Z]+)(-([0-9]+))?\", 3)", "{\"s\":\"AB\"}", "missing");
    EXPECT_EVAL("extract(s, \"[0-9]+\", 0)", "{\"s\":\"no\"}", "missing");
    EXPECT_EVAL("parse_number(s, \",\")", "{\"s\":\"1.234,56\"}", "1234.56");
    EXPECT_EVAL("parse_number(s)", "{\"s\":\"-1,234\"}", "-1234");
    EXPECT_EVAL("parse_number(s, \",\")", "{\"s\":\"100,00\"}", "100.0");
    EXPECT_EVAL("parse_number(s)", "{\"s\":7.5}", "7.5");
    EXPECT_EVAL("parse_number(s)", "{\"s\":\"R$ 1\"}", "error:cast_failed");
    EXPECT_EVAL("parse_number(s)", "{\"s\":true}", "error:type_error");
    EXPECT_EVAL("parse_time(s)", "{\"s\":\"2021-01-13T16:05:00.250-03:00\"}", "1610564700.25");
    EXPECT_EVAL("parse_time(s, \"%d/%m/%Y\")", "{\"s\":\"30/02/2021\"}", "error:cast_failed");
    EXPECT_EVAL("format_time(t)", "{\"t\":-0.5}", "\"1969-12-31T23:59:59.500Z\"");
    EXPECT_EVAL("format_time(t)", "{\"t\":1.0004}", "\"1970-01-01T00:00:01Z\"");
    EXPECT_EVAL("format_time(t)", "{\"t\":253402300800}", "error:arithmetic_error");
    EXPECT_EVAL("lower(s)", "{\"s\":\"ΠΡΟΪΟΝ\"}", "\"προϊον\"");
    EXPECT_EVAL("upper(s)", "{\"s\":\"Қазақ ı\"}", "\"ҚАЗАҚ I\"");
}

Test(eval, errors_carry_the_value_and_its_path)
{
    const char *prog = "entity \"t\" { id }\nsources \"s\"\nadd {\n    id\n    lower(name) -> n\n}\n"
                       "add from c {\n    trim(email) -> e\n    map(items, qty as int) -> q\n}\n";
    Prog p = load(prog);
    cr_assert_eq(run(&p, "{\"data\":{\"id\":1,\"name\":42,\"c\":{\"email\":[\"x\"],\"items\":[{\"qty\":\"z\"}]}},"
                         "\"metadata\":{\"source\":\"s\"}}"),
                 DPL_REJECT);
    cr_assert_eq(p.res.nerrors, 3);
    cr_expect_str_eq(p.res.errors[0].path, "data.name");
    cr_expect_eq(json_integer_value(p.res.errors[0].value), 42);
    cr_expect_str_eq(p.res.errors[1].path, "data.c.email");
    cr_expect(json_is_array(p.res.errors[1].value));
    cr_expect_str_eq(p.res.errors[2].path, "data.c.items[*].qty");
    cr_expect_str_eq(json_string_value(p.res.errors[2].value), "z");
    /* the reject line shows them (res.source pointed into the freed record) */
    p.res.source = NULL;
    DplBuf b = {0};
    json_t *r = parse("{\"data\":{},\"metadata\":{\"source\":\"s\"}}");
    dpl_write_reject(&b, p.src, 3, &p.res, r, NULL, 0);
    dpl_buf_putc(&b, '\0');
    cr_expect(strstr(b.data, "\"path\":\"data.name\",\"value\":42,") != NULL, "%s", b.data);
    dpl_buf_free(&b);
    json_decref(r);
    unload(&p);
}

Test(eval, long_string_values_are_cut_at_200_code_points)
{
    Prog p = load("entity \"t\" { id }\nsources \"s\"\nadd {\n    id\n    s as int -> n\n}\n");
    DplBuf rec = {0};
    dpl_buf_puts(&rec, "{\"data\":{\"id\":1,\"s\":\"");
    for (int i = 0; i < 250; i++)
        dpl_buf_puts(&rec, "é");
    dpl_buf_puts(&rec, "\"},\"metadata\":{\"source\":\"s\"}}");
    dpl_buf_putc(&rec, '\0');
    cr_assert_eq(run(&p, rec.data), DPL_REJECT);
    p.res.source = NULL; /* it pointed into the freed record */
    DplBuf b = {0};
    json_t *r = parse("{}");
    dpl_write_reject(&b, p.src, 1, &p.res, r, NULL, 0);
    json_t *line = parse(b.data ? (dpl_buf_putc(&b, '\0'), b.data) : "{}");
    const char *v = json_string_value(json_object_get(json_array_get(json_object_get(line, "errors"), 0), "value"));
    cr_assert_not_null(v);
    cr_expect_eq(dpl_utf8_count(v, strlen(v)), 201);
    cr_expect(strcmp(v + strlen(v) - 3, "…") == 0);
    json_decref(line);
    json_decref(r);
    dpl_buf_free(&b);
    dpl_buf_free(&rec);
    unload(&p);
}

/* The value an error shows is the argument its message names: the first,
 * left to right, of a wrong type; a null where a string, number or array
 * is wanted makes the call missing whatever the others hold (spec §12.6). */
Test(eval, errors_name_and_show_the_same_argument)
{
    static const struct {
        const char *expr, *data, *path, *value, *message;
    } cases[] = {
        {"contains(a, b)", "{\"a\":\"s\",\"b\":2}", "data.b", "2", "contains(): argument 2 must be a string"},
        {"contains(a, b)", "{\"a\":3,\"b\":2}", "data.a", "3", "contains(): argument 1 must be"},
        {"round(a, b)", "{\"a\":true,\"b\":[1]}", "data.a", "true", "round(): argument must be a number"},
        {"round(a, b)", "{\"a\":1.5,\"b\":\"x\"}", "data.b", "\"x\"", "round(): places must be an integer"},
        {"replace(a, b, c)", "{\"a\":\"s\",\"b\":\"t\",\"c\":[1]}", "data.c", "[1]", "replace(): argument 3"},
        {"split(a, b)", "{\"a\":\"s\",\"b\":{\"k\":1}}", "data.b", "{\"k\":1}", "split(): argument 2"},
        {"substr(a, b)", "{\"a\":[1],\"b\":2}", "data.a", "[1]", "substr(): argument 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char program[512], record[512];
        snprintf(program, sizeof program, "entity \"t\" { 'source }\nsources \"s\"\nadd {\n    %s -> r\n}\n", cases[i].expr);
        snprintf(record, sizeof record, "{\"data\":%s,\"metadata\":{\"source\":\"s\"}}", cases[i].data);
        Prog p = load(program);
        cr_assert_eq(run(&p, record), DPL_REJECT, "%s on %s", cases[i].expr, cases[i].data);
        const DplRecError *e = &p.res.errors[0];
        cr_expect_str_eq(e->path ? e->path : "(none)", cases[i].path, "%s on %s", cases[i].expr, cases[i].data);
        char *v = to_text(e->value);
        cr_expect_str_eq(v, cases[i].value, "%s on %s", cases[i].expr, cases[i].data);
        cr_expect(strncmp(e->message, cases[i].message, strlen(cases[i].message)) == 0, "%s on %s: %s",
                  cases[i].expr, cases[i].data, e->message);
        dpl_free(v);
        unload(&p);
    }
    /* null where a string, number or array is wanted: missing, like a
     * missing argument, even when another argument has a wrong type */
    EXPECT_EVAL("substr(a, b)", "{\"a\":[1],\"b\":null}", "missing");
    EXPECT_EVAL("split(a, b)", "{\"a\":[1],\"b\":null}", "missing");
    EXPECT_EVAL("round(a, b)", "{\"a\":null,\"b\":{}}", "missing");
    EXPECT_EVAL("round(a, b)", "{\"a\":\"x\",\"b\":null}", "missing");
    EXPECT_EVAL("keys(a)", "{\"a\":null}", "missing");
    /* where null is a value the function takes, it stays one */
    EXPECT_EVAL("contains(a, b)", "{\"a\":[1,null],\"b\":null}", "true");
    EXPECT_EVAL("type(a)", "{\"a\":null}", "\"null\"");
    EXPECT_EVAL("concat(a, b)", "{\"a\":null,\"b\":\"x\"}", "\"x\"");
}

/* A cast of a number written with separators points at parse_number, with
 * the separator the text uses; other text gets no hint. */
Test(eval, cast_of_a_formatted_number_suggests_parse_number)
{
    static const char *const cases[][2] = {
        {"\"1.234,50\"", "cannot cast \"1.234,50\" to float; parse_number(v, \",\") reads it"},
        {"\"12,50\"", "cannot cast \"12,50\" to float; parse_number(v, \",\") reads it"},
        {"\"1,234.5\"", "cannot cast \"1,234.5\" to float; parse_number(v) reads it"},
        {"\"1.234.567\"", "cannot cast \"1.234.567\" to float; parse_number(v, \",\") reads it"},
        {"\"1,234\"", "cannot cast \"1,234\" to float; parse_number(v) or parse_number(v, \",\") reads it, by its "
                      "decimal separator"},
        {"\"12x\"", "cannot cast \"12x\" to float"},
        {"\"R$ 10\"", "cannot cast \"R$ 10\" to float"},
        {"\"+-1.5\"", "cannot cast \"+-1.5\" to float"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char record[256];
        snprintf(record, sizeof record, "{\"data\":{\"v\":%s},\"metadata\":{\"source\":\"s\"}}", cases[i][0]);
        Prog p = load("entity \"t\" { 'source }\nsources \"s\"\nadd {\n    v as float -> r\n}\n");
        cr_assert_eq(run(&p, record), DPL_REJECT, "%s", cases[i][0]);
        cr_expect_str_eq(p.res.errors[0].message, cases[i][1]);
        unload(&p);
    }
    /* "12.5" as int: a plain number, not a job for parse_number */
    Prog p = load("entity \"t\" { 'source }\nsources \"s\"\nadd {\n    v as int -> r\n}\n");
    cr_assert_eq(run(&p, "{\"data\":{\"v\":\"12.5\"},\"metadata\":{\"source\":\"s\"}}"), DPL_REJECT);
    cr_expect_str_eq(p.res.errors[0].message, "cannot cast \"12.5\" to int");
    unload(&p);
}

/* A text of n copies of the two-byte "é". */
static char *repeat_e(int n)
{
    DplBuf b = {0};
    for (int i = 0; i < n; i++)
        dpl_buf_puts(&b, "é");
    dpl_buf_putc(&b, '\0');
    return dpl_buf_take(&b);
}

Test(eval, value_cut_reaches_strings_at_any_depth)
{
    char *e200 = repeat_e(200), *e201 = repeat_e(201), *e300 = repeat_e(300);
    char *cut = dpl_asprintf("%s…", e200);
    /* nothing long: the very same value comes back */
    json_t *small = json_pack("[s, {s: s}, i, n]", e200, "k", e200, 1);
    json_t *same = dpl_value_cut(small);
    cr_expect_eq(same, small);
    json_decref(same);
    /* long strings in an array, an object in an array, an array in an
     * object are each cut; short members and keys stay as they were */
    json_t *v = json_pack("[s, s, {s: s, s: [s, i]}, b]", "a", e201, e300, e300, "n", e300, 2, 1);
    char *before = to_text(v);
    json_t *c = dpl_value_cut(v);
    char *after = to_text(v);
    cr_expect_str_eq(after, before, "the value itself is not changed");
    cr_assert(json_is_array(c) && json_array_size(c) == 4);
    cr_expect_str_eq(json_string_value(json_array_get(c, 0)), "a");
    cr_expect_str_eq(json_string_value(json_array_get(c, 1)), cut);
    json_t *o = json_array_get(c, 2);
    cr_expect_str_eq(json_string_value(json_object_get(o, e300)), cut, "the value is cut, the key is whole");
    cr_expect_str_eq(json_string_value(json_array_get(json_object_get(o, "n"), 0)), cut);
    cr_expect_eq(json_integer_value(json_array_get(json_object_get(o, "n"), 1)), 2);
    cr_expect(json_is_true(json_array_get(c, 3)));
    /* key order is kept */
    void *it = json_object_iter(o);
    cr_expect_str_eq(json_object_iter_key(it), e300);
    cr_expect_str_eq(json_object_iter_key(json_object_iter_next(o, it)), "n");
    json_decref(c);
    json_decref(v);
    json_decref(small);
    dpl_free(before);
    dpl_free(after);
    dpl_free(cut);
    dpl_free(e200);
    dpl_free(e201);
    dpl_free(e300);
}

Test(eval, nested_long_strings_are_cut_in_the_reject)
{
    /* sum() blames its array argument; each long text inside is cut */
    Prog p = load("entity \"t\" { id }\nsources \"s\"\nadd {\n    id\n    sum(notes) -> n\n}\n");
    char *e250 = repeat_e(250);
    char *rec = dpl_asprintf("{\"data\":{\"id\":1,\"notes\":[\"%s\",{\"x\":\"%s\"}]},\"metadata\":{\"source\":\"s\"}}",
                             e250, e250);
    cr_assert_eq(run(&p, rec), DPL_REJECT);
    cr_assert_eq(p.res.nerrors, 1);
    cr_expect_str_eq(p.res.errors[0].path, "data.notes");
    json_t *v = p.res.errors[0].value;
    cr_assert(json_is_array(v));
    const char *a = json_string_value(json_array_get(v, 0));
    const char *b = json_string_value(json_object_get(json_array_get(v, 1), "x"));
    cr_assert(a && b);
    cr_expect_eq(dpl_utf8_count(a, strlen(a)), 201);
    cr_expect_eq(dpl_utf8_count(b, strlen(b)), 201);
    cr_expect(strcmp(b + strlen(b) - 3, "…") == 0);
    dpl_free(rec);
    dpl_free(e250);
    unload(&p);
}

Test(eval, item_errors_name_the_element_path)
{
    const char *prog = "entity \"t\" { id }\nsources \"s\"\nadd {\n    id\n    map(tags, upper('item)) -> u\n"
                       "    map(orders, map('item.lines, 'item * 2)) -> d\n"
                       "    map(split(csv, \",\"), 'item as int) -> n\n}\n"
                       "add from c {\n    filter(xs, 'item > 0) -> x\n}\n";
    Prog p = load(prog);
    cr_assert_eq(run(&p, "{\"data\":{\"id\":1,\"tags\":[\"a\",3],\"orders\":[{\"lines\":[1,\"z\"]}],\"csv\":\"1,q\","
                         "\"c\":{\"xs\":[1,\"w\"]}},\"metadata\":{\"source\":\"s\"}}"),
                 DPL_REJECT);
    cr_assert_eq(p.res.nerrors, 4);
    cr_expect_str_eq(p.res.errors[0].path, "data.tags[*]");
    cr_expect_eq(json_integer_value(p.res.errors[0].value), 3);
    cr_expect_str_eq(p.res.errors[1].path, "data.orders[*].lines[*]", "the innermost element");
    cr_expect_str_eq(json_string_value(p.res.errors[1].value), "z");
    cr_expect_null(p.res.errors[2].path, "a computed array has no path");
    cr_expect_str_eq(json_string_value(p.res.errors[2].value), "q");
    cr_expect_str_eq(p.res.errors[3].path, "data.c.xs[*]", "inside add from");
    cr_expect_str_eq(json_string_value(p.res.errors[3].value), "w");
    unload(&p);
}

Test(eval, presence_counts_paths_in_any_element)
{
    Prog p = load("entity \"t\" { id }\nsources \"s\"\nadd {\n    id\n    map(items, qty) -> q\n    custmer.x -> x\n}\n");
    DplPresence *pr = dpl_presence_new(p.prog);
    json_t *r1 = parse("{\"data\":{\"id\":1,\"items\":[{},{\"qty\":null}]},\"metadata\":{\"source\":\"s\"}}");
    size_t n;
    cr_expect_null(dpl_presence_never(pr, &n), "no record counted: nothing to say");
    dpl_presence_record(pr, r1);
    const char **never = dpl_presence_never(pr, &n);
    cr_assert_eq(n, 1);
    cr_expect_str_eq(never[0], "data.custmer.x");
    dpl_free(never);
    json_decref(r1);
    dpl_presence_free(pr);
    unload(&p);
}

/* The W405 messages of a sample, one per line ("" when none). */
static char *sample_messages(const DplDiagList *d)
{
    DplBuf b = {0};
    for (size_t i = 0; i < d->len; i++)
        dpl_buf_printf(&b, "%s|%s\n", d->items[i].message, d->items[i].help ? d->items[i].help : "");
    dpl_buf_putc(&b, '\0');
    return dpl_buf_take(&b);
}

/* A sample fed in pieces of any size (a line split across reads, CRLF, a
 * last line without '\n') says what the whole text says. */
Test(eval, sample_fed_in_pieces_is_the_whole_sample)
{
    Prog p = load("entity \"t\" { id }\nsources \"s\"\nadd {\n    id\n    custmer.email -> e\n    items.qty -> q\n"
                  "    map(items, qty) -> qs\n}\n");
    const char *text = "{\"data\":{\"id\":1,\"customer\":{\"email\":\"a\"},\"items\":[{\"qty\":1}]}}\r\n\n"
                       "  \n{\"data\":{\"id\":2,\"items\":[]}}";
    DplDiagList whole = {0};
    char why[256];
    cr_assert(dpl_check_sample(p.prog, text, strlen(text), false, &whole, why, sizeof why), "%s", why);
    char *want = sample_messages(&whole);
    cr_expect_str_eq(want, "`data.custmer.email` is never present in the 2 sample records|did you mean "
                           "`data.customer.email`?\n`data.items.qty` is never present in the 2 sample records|did you "
                           "mean `data.items[*].qty`? `data.items` is an array in the sample: `[*]` reads a field of "
                           "every element\n");
    for (size_t piece = 1; piece <= 7; piece += 3) {
        DplSample *s = dpl_sample_new(p.prog, false);
        for (size_t i = 0; i < strlen(text); i += piece) {
            size_t n = strlen(text) - i < piece ? strlen(text) - i : piece;
            cr_assert(dpl_sample_add(s, text + i, n, why, sizeof why), "%s", why);
        }
        DplDiagList d = {0};
        cr_assert(dpl_sample_finish(s, &d, why, sizeof why), "%s", why);
        char *got = sample_messages(&d);
        cr_expect_str_eq(got, want, "in pieces of %zu bytes", piece);
        dpl_free(got);
        dpl_diag_list_free(&d);
        dpl_sample_free(s);
    }
    /* a bad line is named by its number, counted across pieces */
    DplSample *s = dpl_sample_new(p.prog, false);
    cr_expect(dpl_sample_add(s, "{\"data\":{}}\n\n{\"da", 17, why, sizeof why));
    cr_expect(!dpl_sample_add(s, "ta\":\n", 5, why, sizeof why));
    cr_expect(strncmp(why, "line 3 is not valid JSON", 24) == 0, "%s", why);
    dpl_sample_free(s);
    dpl_free(want);
    dpl_diag_list_free(&whole);
    unload(&p);
}
