/* test_check.c — the checker: every E3xx/W4xx rule, the annotations the
 * evaluator relies on (resolved builtins, compiled regexes, implicit
 * targets), and that correct programs stay silent. */
#include <criterion/criterion.h>

#include "check/check.h"
#include "parser/parser.h"
#include "stdlib/stdlib.h"

static DplSource *src;
static DplDiagList diags;
static DplProgram *prog;
static bool ok;

static void setup(void)
{
    memset(&diags, 0, sizeof diags);
    src = NULL;
    prog = NULL;
}
static void teardown(void)
{
    dpl_program_free(prog);
    dpl_diag_list_free(&diags);
    dpl_source_free(src);
}

TestSuite(check, .init = setup, .fini = teardown);

/* Programs below are written without an entity/sources header unless the
 * test is about those; this one keeps E301/W401 out of the way. */
#define HEAD "entity \"e\" { k }\nsources \"s\"\n"

static void compile(const char *text)
{
    src = dpl_source_new("t.dpl", text, strlen(text));
    prog = dpl_compile(src, &diags, &ok);
    dpl_diag_sort(&diags);
}

static const DplDiag *find(DplCode code, unsigned line, unsigned col)
{
    for (size_t i = 0; i < diags.len; i++) {
        DplPos p = dpl_source_locate(src, diags.items[i].span.start);
        if (diags.items[i].code == code && (!line || p.line == line) && (!col || p.column == col))
            return &diags.items[i];
    }
    return NULL;
}

static size_t count(DplCode code)
{
    size_t n = 0;
    for (size_t i = 0; i < diags.len; i++)
        n += diags.items[i].code == code;
    return n;
}

static const char *listing(void)
{
    static char buf[2048];
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < diags.len && used < sizeof buf; i++) {
        DplPos p = dpl_source_locate(src, diags.items[i].span.start);
        used +=
            (size_t)snprintf(buf + used, sizeof buf - used, "%s@%u:%u %s; ",
                             dpl_code_name(diags.items[i].code), p.line, p.column, diags.items[i].message);
    }
    return buf;
}

#define EXPECT(code, line, col)                                                                              \
    cr_assert_not_null(find(code, line, col), "want " #code " at %d:%d, got: %s", line, col, listing())
#define CLEAN() cr_assert(ok &&diags.len == 0, "expected no diagnostics, got: %s", listing())

/* The first add item's value. */
static DplAddItem *item(size_t stmt, size_t i)
{
    return &prog->stmts[stmt].u.add.items[i];
}

Test(check, seed_program_is_clean)
{
    compile("entity \"fipe\" {\n    data.marca\n    data.nome\n}\nsources \"fipe\"\n"
            "mandatory {\n    data.valor\n    metadata.input.modelo.codigo\n}\n"
            "add {\n    codigoFipeTreated -> codigoFipe\n    ano\n    valor\n}\n");
    CLEAN();
}

Test(check, unknown_function_suggests_nearest)
{
    compile(HEAD "requirement {\n    lenn(nome) > 2\n}\n");
    const DplDiag *d = find(DPL_E303, 4, 5);
    cr_assert_not_null(d, "%s", listing());
    cr_assert_str_eq(d->message, "unknown function `lenn`");
    cr_assert_str_eq(d->help, "did you mean `len`?");
    cr_assert_eq(d->span.end - d->span.start, 4, "span is the name only");
    cr_assert_eq(diags.len, 1, "%s", listing());
}

Test(check, far_names_get_no_suggestion)
{
    compile(HEAD "add { frobnicate(x) -> y }\n");
    const DplDiag *d = find(DPL_E303, 3, 7);
    cr_assert_not_null(d, "%s", listing());
    cr_assert(!d->help || !strstr(d->help, "did you mean"), "%s", d->help);
}

Test(check, calls_are_resolved_for_the_evaluator)
{
    compile(HEAD "add { len(x) -> n }\n");
    CLEAN();
    DplExpr *e = item(2, 0)->value;
    cr_assert_eq(e->kind, DPL_EXPR_CALL);
    cr_assert_eq(e->u.call.fn, dpl_std_lookup("len"));
}

Test(check, arity_at_call_start_and_no_type_noise)
{
    compile(HEAD
            "add {\n    len(a, b) -> n\n    upper(k, 1) -> u\n    round(1.5) -> r\n    concat() -> c\n}\n");
    EXPECT(DPL_E304, 4, 5);
    EXPECT(DPL_E304, 5, 5);
    EXPECT(DPL_E304, 7, 5);
    cr_assert_eq(count(DPL_E304), 3, "round takes 1 or 2: %s", listing());
    cr_assert_eq(count(DPL_E305), 0, "%s", listing());
    cr_assert(strstr(find(DPL_E304, 4, 5)->message, "1 argument, but 2 were given"), "%s", listing());
}

Test(check, type_mismatch_only_when_it_holds_for_every_record)
{
    compile(HEAD "add {\n"
                 "    \"a\" - 1 -> x1\n"            /* 4: E305 */
                 "    valor - 1 -> x2\n"            /* 5: depends on data */
                 "    \"a\" + \"b\" -> x3\n"        /* 6 */
                 "    \"a\" + 1 -> x4\n"            /* 7: E305 */
                 "    1 < \"a\" -> x5\n"            /* 8: E305 */
                 "    not 1 -> x6\n"                /* 9: E305 */
                 "    upper(42) -> x7\n"            /* 10: E305 */
                 "    upper(x) * 2 -> x8\n"         /* 11: E305, upper gives a string */
                 "    x % 1.5 -> x9\n"              /* 12: E305 */
                 "    -\"a\" -> x10\n"              /* 13: E305 */
                 "    true and x -> x11\n"          /* 14 */
                 "    concat(\"a\", 1, x) -> x12\n" /* 15 */
                 "    (1 as string) - 1 -> x13\n"   /* 16: E305 */
                 "    x ?? 1 -> x14\n"              /* 17 */
                 "    len([1, 2]) -> x15\n"         /* 18 */
                 "    1.5 / 2 + 1 -> x16\n"         /* 19 */
                 "}\n");
    unsigned bad[] = {4, 7, 8, 9, 10, 11, 12, 13, 16};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        EXPECT(DPL_E305, bad[i], 0);
    cr_assert_eq(count(DPL_E305), sizeof bad / sizeof *bad, "%s", listing());
}

Test(check, type_mismatch_points_at_the_operand)
{
    compile(HEAD "add {\n    \"a\" - 1 -> x\n}\n");
    const DplDiag *d = find(DPL_E305, 4, 5);
    cr_assert_not_null(d, "%s", listing());
    cr_assert(strstr(d->message, "`-` needs numbers"), "%s", d->message);
    cr_assert(strstr(d->message, "a string"), "%s", d->message);
}

Test(check, regex_is_compiled_at_check_time)
{
    compile(HEAD "requirement { matches(k, \"^[a-z]+$\") }\n");
    CLEAN();
    DplExpr *e = prog->stmts[2].u.requirement.exprs[0];
    cr_assert_not_null(e->u.call.regex);
}

Test(check, bad_regex_is_E311_on_the_literal)
{
    compile(HEAD "requirement {\n    matches(k, \"[a-\")\n}\n");
    EXPECT(DPL_E311, 4, 16);
    cr_assert_eq(diags.len, 1, "%s", listing());
}

Test(check, exists_takes_a_path)
{
    compile(HEAD "add {\n    exists(1) -> a\n    exists(\"x\") -> b\n    exists(x.y[0]) -> c\n}\n");
    cr_assert_not_null(find(DPL_E305, 4, 12), "%s", listing());
    cr_assert_not_null(find(DPL_E305, 5, 12), "%s", listing());
    cr_assert_eq(diags.len, 2, "a path is fine: %s", listing());
}

Test(check, regex_must_be_a_literal)
{
    compile(HEAD "requirement { matches(k, pattern) }\n");
    const DplDiag *d = find(DPL_E305, 3, 26);
    cr_assert_not_null(d, "%s", listing());
    cr_assert(strstr(d->message, "string literal"), "%s", d->message);
    cr_assert_eq(count(DPL_E311), 0);
}

Test(check, implicit_target_is_the_last_field)
{
    compile(HEAD "add {\n    data.a.\"first name\"\n    x -> y.z\n}\n");
    CLEAN();
    DplAddItem *a = item(2, 0), *b = item(2, 1);
    cr_assert_not(a->has_target);
    cr_assert_eq(a->target.nsegs, 1);
    cr_assert_str_eq(a->target.segs[0], "first name");
    cr_assert(b->has_target);
    cr_assert_eq(b->target.nsegs, 2);
}

Test(check, indexed_path_needs_a_target)
{
    compile(HEAD "add {\n    tags[0]\n    tags[*]\n    tags[0] -> first\n}\n");
    EXPECT(DPL_E204, 4, 5);
    EXPECT(DPL_E204, 5, 5);
    cr_assert_eq(count(DPL_E204), 2, "%s", listing());
}

Test(check, duplicate_target_at_second_writer)
{
    compile(HEAD "add {\n    nome\n    apelido -> nome\n}\n");
    /* the span is exactly the offending text: the target, not the item */
    const DplDiag *d = find(DPL_E306, 5, 16);
    cr_assert_not_null(d, "%s", listing());
    cr_assert_eq(d->span.end - d->span.start, 4, "%s", listing());
    cr_assert_not_null(d, "%s", listing());
    cr_assert_eq(d->nnotes, 1);
    cr_assert(strstr(d->notes[0], "line 4"), "%s", d->notes[0]);
    cr_assert_eq(diags.len, 1, "%s", listing());
}

Test(check, overwrite_append_delete_and_all_allow_rewrites)
{
    compile(HEAD "add {\n    nome\n    overwrite apelido -> nome\n"
                 "    append a -> tags\n    append b -> tags\n"
                 "    x -> y\n    delete y\n    z -> y\n"
                 "    all\n    w -> whatever\n}\n"
                 "add { q -> nome2 }\nadd { overwrite r -> nome2 }\n");
    CLEAN();
}

Test(check, append_after_plain_write_is_E306)
{
    compile(HEAD "add {\n    a -> t\n    append b -> t\n}\n");
    EXPECT(DPL_E306, 5, 0);
}

/* Writing `x` after `x.y` replaces the object holding x.y: the earlier
 * item's value was silently lost at run time.  `overwrite` says it is
 * meant; writing into x after x, and deleting x.y first, stay allowed. */
Test(check, parent_written_after_child_is_E306)
{
    compile(HEAD "add {\n    a -> x.y\n    b -> x\n}\n");
    const DplDiag *d = find(DPL_E306, 5, 10); /* at the target */
    cr_assert_not_null(d, "%s", listing());
    cr_expect(strstr(d->message, "x.y") != NULL, "%s", d->message);
    cr_assert_eq(d->nnotes, 1);
    cr_expect(strstr(d->notes[0], "line 4"), "%s", d->notes[0]);
    teardown();
    setup();
    compile(HEAD "add { a -> x.y.z }\nadd { append b -> x }\n");
    EXPECT(DPL_E306, 4, 0);
    teardown();
    setup();
    compile(HEAD "add {\n    a -> x.y\n    overwrite b -> x\n    c -> p\n    d -> p.q\n"
                 "    e -> s.t\n    delete s.t\n    f -> s\n    g -> xy\n}\n");
    CLEAN();
}

/* 'source is a string whenever it is present (with `using` too), so a
 * type error on it holds for every record. */
Test(check, meta_source_is_a_string)
{
    compile("entity \"e\" { k }\nsources \"s\" using data.origem\nadd {\n    'source + 1 -> x\n"
            "    'source + \"!\" -> y\n}\n");
    EXPECT(DPL_E305, 4, 5);
    cr_assert_eq(count(DPL_E305), 1, "%s", listing());
}

Test(check, duplicate_across_add_blocks)
{
    compile(HEAD "add { a -> t }\nadd { b -> t }\n");
    EXPECT(DPL_E306, 4, 0);
}

Test(check, delete_of_nothing_is_W403)
{
    compile(HEAD "add {\n    nome\n    delete nomee\n    delete nome\n}\n");
    EXPECT(DPL_W403, 5, 12);
    cr_assert_eq(count(DPL_W403), 1, "%s", listing());
    cr_assert(ok, "warnings are not errors");
}

Test(check, delete_after_all_or_of_a_nested_write_is_fine)
{
    compile(HEAD "add {\n    x -> a.b\n    delete a\n    y -> c\n    delete c.d\n}\n"
                 "add { all\n delete anything }\n");
    CLEAN();
}

Test(check, unknown_cast_type_with_suggestion)
{
    compile(HEAD "add {\n    z as number -> z\n    z as strng -> y\n}\n");
    const DplDiag *d = find(DPL_E307, 4, 10);
    cr_assert_not_null(d, "%s", listing());
    cr_assert_str_eq(d->help, "did you mean `float`?");
    cr_assert_str_eq(find(DPL_E307, 5, 10)->help, "did you mean `string`?");
}

Test(check, id_before_it_exists_is_E308)
{
    compile("entity \"e\" { 'id }\nsources \"s\"\nrequirement { 'id != \"\" }\nadd { 'id -> copy }\n");
    EXPECT(DPL_E308, 1, 14);
    EXPECT(DPL_E308, 3, 15);
    cr_assert_eq(count(DPL_E308), 2, "'id in add is fine: %s", listing());
}

Test(check, entity_without_keys_is_E309)
{
    compile("entity \"e\" { }\nsources \"s\"\n");
    EXPECT(DPL_E309, 1, 1);
}

Test(check, unknown_meta_is_E310)
{
    compile(HEAD "add { 'sourc -> s }\n");
    const DplDiag *d = find(DPL_E310, 3, 7);
    cr_assert_not_null(d, "%s", listing());
    cr_assert_str_eq(d->help, "did you mean `'source`?");
}

Test(check, no_entity_is_E301_at_start)
{
    compile("sources \"s\"\nadd { k }\n");
    EXPECT(DPL_E301, 1, 1);
    cr_assert_eq(diags.len, 1, "%s", listing());
}

Test(check, duplicate_entity_and_sources_are_E302_on_the_second)
{
    compile("entity \"e\" { k }\nentity \"f\" { k }\nsources \"s\"\nsources \"t\"\n");
    EXPECT(DPL_E302, 2, 1);
    EXPECT(DPL_E302, 4, 1);
    cr_assert_eq(count(DPL_E302), 2, "%s", listing());
    cr_assert(strstr(find(DPL_E302, 2, 1)->notes[0], "line 1"));
}

Test(check, no_sources_is_only_a_warning)
{
    compile("entity \"e\" { k }\nadd { k }\n");
    EXPECT(DPL_W401, 0, 0);
    cr_assert(ok);
    cr_assert_eq(diags.len, 1, "%s", listing());
}

Test(check, duplicate_mandatory_path_even_if_spelled_differently)
{
    compile(HEAD "mandatory {\n    data.valor\n    valor\n    metadata.valor\n}\nmandatory { data.valor }\n");
    EXPECT(DPL_W402, 5, 5);
    EXPECT(DPL_W402, 8, 13);
    cr_assert_eq(count(DPL_W402), 2, "metadata.valor is another field: %s", listing());
}

Test(check, constant_conditions_are_W404)
{
    compile(
        HEAD
        "requirement {\n    1 < 2\n    x > 1\n}\n"
        "add {\n    a if true\n    b if not (\"x\" == \"y\")\n    c if x == 1\n    d if false and x\n}\n");
    EXPECT(DPL_W404, 4, 5);
    EXPECT(DPL_W404, 8, 10);
    EXPECT(DPL_W404, 9, 10);
    EXPECT(DPL_W404, 11, 10);
    cr_assert_eq(count(DPL_W404), 4, "%s", listing());
    cr_assert(ok);
}

Test(check, non_boolean_condition_is_E305)
{
    compile(HEAD "requirement { \"yes\" }\nadd { a if 1 }\n");
    EXPECT(DPL_E305, 3, 15);
    EXPECT(DPL_E305, 4, 12);
    cr_assert_eq(count(DPL_W404), 0, "%s", listing());
}

Test(check, parse_errors_do_not_cascade)
{
    compile(HEAD "mandatory {\n    k\n}\nrequirement {\n    lenn(k) > 1\n}\n"
                 "add {\n    upper(k, 1) -> u\n    k * 2\n    z as number -> z\n}\n");
    EXPECT(DPL_E303, 7, 5);
    EXPECT(DPL_E304, 10, 5);
    EXPECT(DPL_E204, 11, 0);
    EXPECT(DPL_E307, 12, 10);
    cr_assert_eq(diags.len, 4, "%s", listing());
}

Test(check, check_expr_for_the_repl)
{
    compile(HEAD);
    CLEAN();
    const char *text = "lenn(x) + 1";
    DplSource *s2 = dpl_source_new("<repl>", text, strlen(text));
    DplExpr *e = dpl_parse_expr(prog, s2, &diags);
    cr_assert_not_null(e);
    cr_assert_not(dpl_check_expr(prog, e, &diags));
    cr_assert_not_null(find(DPL_E303, 0, 0));
    dpl_source_free(s2);
}

Test(check, checking_twice_is_harmless)
{
    compile(HEAD "requirement { matches(k, \"a\") }\nadd { x }\n");
    CLEAN();
    cr_assert(dpl_check(prog, &diags));
    cr_assert_eq(diags.len, 0, "%s", listing());
}

Test(check, mandatory_keys_keep_every_byte_of_quoted_names)
{
    compile(HEAD "mandatory {\n    data.\"a\\u0000b\"\n    data.\"a\"\n    data.\"a\\u0000b\"\n}\n");
    EXPECT(DPL_W402, 6, 5);
    cr_assert_eq(count(DPL_W402), 1, "%s", listing());
}

Test(check, many_writes_are_all_tracked)
{
    DplBuf b = {0};
    dpl_buf_puts(&b, HEAD "add {\n");
    for (int i = 0; i < 500; i++)
        dpl_buf_printf(&b, "    v%d -> t%d\n", i, i);
    dpl_buf_puts(&b, "    again -> t0\n    again -> t499\n}\n");
    compile(b.data);
    dpl_buf_free(&b);
    EXPECT(DPL_E306, 504, 14); /* at the targets */
    EXPECT(DPL_E306, 505, 14);
    cr_assert_eq(diags.len, 2, "%s", listing());
}
