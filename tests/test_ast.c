/* test_ast.c — structural equality (what the formatter's round trip relies
 * on), the `dplc ast` dump and paths printed back as DPL source. */
#include <criterion/criterion.h>
#include <string.h>

#include "parser/parser.h"

static DplDiagList diags;
static DplSource *srcs[2];
static DplProgram *progs[2];
static DplBuf out;

static void setup(void)
{
    memset(&diags, 0, sizeof diags);
    memset(&out, 0, sizeof out);
    memset(srcs, 0, sizeof srcs);
    memset(progs, 0, sizeof progs);
}

static void teardown(void)
{
    for (int i = 0; i < 2; i++) {
        dpl_program_free(progs[i]);
        dpl_source_free(srcs[i]);
    }
    dpl_diag_list_free(&diags);
    dpl_buf_free(&out);
}

TestSuite(ast, .init = setup, .fini = teardown);

static DplProgram *parse(int slot, const char *text)
{
    dpl_program_free(progs[slot]);
    dpl_source_free(srcs[slot]);
    srcs[slot] = dpl_source_new("t.dpl", text, strlen(text));
    progs[slot] = dpl_parse(srcs[slot], &diags);
    cr_assert_eq(diags.len, 0, "%s: %s", text, diags.len ? diags.items[0].message : "");
    return progs[slot];
}

static bool same(const char *a, const char *b)
{
    return dpl_ast_equal(parse(0, a), parse(1, b));
}

Test(ast, layout_and_comments_do_not_matter)
{
    cr_expect(same("entity \"e\" { a, b }\nadd { x * (y + 1) -> t if ok }",
                   "# c\nentity \"e\" {\n  a\n  b\n}\n\nadd {\n  x *\n (y + 1) ->\n t if\n ok # why\n}\n"));
    cr_expect(same("requirement { a or b }", "requirement { a || b }"), "`or` and `||` are one operator");
    cr_expect(same("requirement { ((a)) }", "requirement { a }"), "parentheses leave no trace");
    cr_expect(same("add { \"x\\u00e9\" -> s }", "add { \"x\xc3\xa9\" -> s }"), "strings compare decoded");
    cr_expect(same("add { 1.50 -> r }", "add { 15e-1 -> r }"));
}

Test(ast, every_difference_is_seen)
{
    const char *base = "substitutive entity \"e\" { k }\nsources \"a\", \"b\" using metadata.s\n"
                       "add from data.p { append x + 1 -> t.u if c, delete d, all }";
    const char *variants[] = {
        "entity \"e\" { k }\nsources \"a\", \"b\" using metadata.s\n"
        "add from data.p { append x + 1 -> t.u if c, delete d, all }",
        "substitutive entity \"f\" { k }\nsources \"a\", \"b\" using metadata.s\n"
        "add from data.p { append x + 1 -> t.u if c, delete d, all }",
        "substitutive entity \"e\" { k2 }\nsources \"a\", \"b\" using metadata.s\n"
        "add from data.p { append x + 1 -> t.u if c, delete d, all }",
        "substitutive entity \"e\" { k }\nsources \"a\" using metadata.s\n"
        "add from data.p { append x + 1 -> t.u if c, delete d, all }",
        "substitutive entity \"e\" { k }\nsources \"a\", \"b\"\n"
        "add from data.p { append x + 1 -> t.u if c, delete d, all }",
        "substitutive entity \"e\" { k }\nsources \"a\", \"b\" using metadata.s\n"
        "add { append x + 1 -> t.u if c, delete d, all }",
        "substitutive entity \"e\" { k }\nsources \"a\", \"b\" using metadata.s\n"
        "add from data.p { overwrite x + 1 -> t.u if c, delete d, all }",
        "substitutive entity \"e\" { k }\nsources \"a\", \"b\" using metadata.s\n"
        "add from data.p { append x - 1 -> t.u if c, delete d, all }",
        "substitutive entity \"e\" { k }\nsources \"a\", \"b\" using metadata.s\n"
        "add from data.p { append x + 2 -> t.u if c, delete d, all }",
        "substitutive entity \"e\" { k }\nsources \"a\", \"b\" using metadata.s\n"
        "add from data.p { append x + 1 -> t.v if c, delete d, all }",
        "substitutive entity \"e\" { k }\nsources \"a\", \"b\" using metadata.s\n"
        "add from data.p { append x + 1 -> t.u, delete d, all }",
        "substitutive entity \"e\" { k }\nsources \"a\", \"b\" using metadata.s\n"
        "add from data.p { append x + 1 -> t.u if c, delete e, all }",
        "substitutive entity \"e\" { k }\nsources \"a\", \"b\" using metadata.s\n"
        "add from data.p { append x + 1 -> t.u if c, delete d }",
    };
    cr_expect(same(base, base));
    for (size_t i = 0; i < sizeof variants / sizeof *variants; i++)
        cr_expect_not(same(base, variants[i]), "variant %zu compares equal", i);
}

Test(ast, expression_kinds_compare_by_value)
{
    const char *pairs[][2] = {
        {"add { 1 -> x }", "add { 1.0 -> x }"},     {"add { true -> x }", "add { false -> x }"},
        {"add { null -> x }", "add { \"\" -> x }"}, {"add { 'id -> x }", "add { 'source -> x }"},
        {"add { [1] -> x }", "add { [1, 1] -> x }"}, {"add { f(a) -> x }", "add { g(a) -> x }"},
        {"add { a as int -> x }", "add { a as float -> x }"}, {"add { -a -> x }", "add { not a -> x }"},
        {"add { a[0] -> x }", "add { a[1] -> x }"}, {"add { a[*] -> x }", "add { a[0] -> x }"},
        {"add { data.a }", "add { a }"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++)
        cr_expect_not(same(pairs[i][0], pairs[i][1]), "%s == %s", pairs[i][0], pairs[i][1]);
}

Test(ast, printer_dumps_one_node_per_line)
{
    parse(0, "entity \"fipe\" { data.marca }\nsources \"fipe\"\n"
             "add {\n  len(nome) + 1 -> n if 'source == \"x\"\n  all\n}\n");
    dpl_ast_print(&out, progs[0]);
    cr_expect_str_eq(out.data, "program (3 statements)\n"
                               "  entity \"fipe\" @1:1\n"
                               "    key: path data.marca @1:17\n"
                               "  sources \"fipe\" @2:1\n"
                               "  add @3:1\n"
                               "    item -> n @4:3\n"
                               "      value: binary + @4:3\n"
                               "        call len (1 args) @4:3\n"
                               "          path nome (relative) @4:7\n"
                               "        int 1 @4:15\n"
                               "      if: binary == @4:25\n"
                               "        meta 'source @4:25\n"
                               "        string \"x\" @4:36\n"
                               "    all @5:3\n");
}

Test(ast, printer_marks_what_the_checker_will_reject)
{
    parse(0, "add { x as number -> a, 'nope -> b, -1.5 -> c, [true, null] -> d }");
    dpl_ast_print(&out, progs[0]);
    cr_expect(strstr(out.data, "cast as number (unknown type)") != NULL, "%s", out.data);
    cr_expect(strstr(out.data, "meta 'nope (unknown)") != NULL);
    cr_expect(strstr(out.data, "unary -") != NULL);
    cr_expect(strstr(out.data, "real 1.5") != NULL);
    cr_expect(strstr(out.data, "array (2 items)") != NULL);
    cr_expect(strstr(out.data, "bool true") != NULL);
}

Test(ast, path_print_is_dpl_source)
{
    parse(0, "mandatory { data.\"first name\"[0][*].x, metadata.a[-2], \"data\".x, data.\"all\", x.\"a\\\"b\\n\" }");
    const char *want[] = {"data.\"first name\"[0][*].x", "metadata.a[-2]", "\"data\".x", "data.\"all\"",
                          "x.\"a\\\"b\\n\""};
    DplStmt *s = &progs[0]->stmts[0];
    for (size_t i = 0; i < 5; i++) {
        dpl_buf_reset(&out);
        dpl_path_print(&out, &s->u.mandatory.paths[i]->u.path);
        cr_expect_str_eq(out.data, want[i]);
    }
}

Test(ast, printed_paths_read_back_equal)
{
    parse(0, "mandatory { data.\"first name\"[0][*].x, \"metadata\".a[-2], data.\"if\", x.\"tab\\there\", "
             "x.\"del\\u007f\" }");
    DplBuf text = {0};
    dpl_buf_puts(&text, "mandatory {\n");
    DplStmt *s = &progs[0]->stmts[0];
    for (size_t i = 0; i < s->u.mandatory.npaths; i++) {
        dpl_path_print(&text, &s->u.mandatory.paths[i]->u.path);
        dpl_buf_putc(&text, '\n');
    }
    dpl_buf_puts(&text, "}\n");
    DplProgram *again = parse(1, text.data);
    dpl_buf_free(&text);
    cr_expect(dpl_ast_equal(progs[0], again));
}

Test(ast, quote_escapes_what_would_be_invisible)
{
    dpl_ast_quote(&out, "a\"b\\\n\x01\x7f\xc3\xa9", 9);
    cr_expect_str_eq(out.data, "\"a\\\"b\\\\\\n\\u0001\\u007f\xc3\xa9\"", "DEL escaped like other control bytes, UTF-8 kept");
}

Test(ast, op_spellings)
{
    cr_expect_str_eq(dpl_op_spelling(DPL_OP_COALESCE), "??");
    cr_expect_str_eq(dpl_op_spelling(DPL_OP_OR), "or");
    cr_expect_str_eq(dpl_op_spelling(DPL_OP_AND), "and");
    cr_expect_str_eq(dpl_op_spelling(DPL_OP_NE), "!=");
    cr_expect_str_eq(dpl_op_spelling(DPL_OP_GE), ">=");
    cr_expect_str_eq(dpl_op_spelling(DPL_OP_MOD), "%");
    cr_expect_str_eq(dpl_op_spelling(DPL_OP_NEG), "-");
    cr_expect_str_eq(dpl_op_spelling(DPL_OP_NOT), "not");
}

Test(ast, program_lifetime)
{
    DplProgram *p = dpl_program_new(NULL);
    cr_assert_not_null(p->arena);
    cr_expect_eq(p->nstmts, 0);
    dpl_program_free(p);
    dpl_program_free(NULL);
}
