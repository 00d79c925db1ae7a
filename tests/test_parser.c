/* test_parser.c — the parser: precedence and associativity of every level of
 * spec §6, newline and comma rules, every statement form, spans, and error
 * recovery (exactly the diagnostics a user should see, no cascades). */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "parser/parser.h"

static DplDiagList diags;
static DplSource *src;
static DplProgram *prog;
static DplBuf sx;

static void setup(void)
{
    memset(&diags, 0, sizeof diags);
    memset(&sx, 0, sizeof sx);
    src = NULL;
    prog = NULL;
}

static void teardown(void)
{
    dpl_program_free(prog);
    dpl_source_free(src);
    dpl_diag_list_free(&diags);
    dpl_buf_free(&sx);
}

TestSuite(parser, .init = setup, .fini = teardown);

static DplProgram *parse(const char *text)
{
    dpl_program_free(prog);
    dpl_source_free(src);
    dpl_diag_list_clear(&diags);
    src = dpl_source_new("t.dpl", text, strlen(text));
    prog = dpl_parse(src, &diags);
    return prog;
}

/* ---- an S-expression view of expressions, to state precedence compactly ----- */

static void sexpr(DplBuf *b, const DplExpr *e)
{
    switch (e->kind) {
    case DPL_EXPR_NULL: dpl_buf_puts(b, "null"); break;
    case DPL_EXPR_BOOL: dpl_buf_puts(b, e->u.b ? "true" : "false"); break;
    case DPL_EXPR_INT: dpl_buf_printf(b, "%" PRId64, e->u.i); break;
    case DPL_EXPR_REAL: dpl_buf_printf(b, "%g", e->u.r); break;
    case DPL_EXPR_STRING: dpl_buf_printf(b, "\"%.*s\"", (int)e->u.str.len, e->u.str.s); break;
    case DPL_EXPR_PATH: dpl_path_print(b, &e->u.path); break;
    case DPL_EXPR_META: dpl_buf_printf(b, "'%s", e->u.meta.name); break;
    case DPL_EXPR_ARRAY:
        dpl_buf_puts(b, "[");
        for (size_t i = 0; i < e->u.array.n; i++) {
            if (i)
                dpl_buf_puts(b, " ");
            sexpr(b, e->u.array.items[i]);
        }
        dpl_buf_puts(b, "]");
        break;
    case DPL_EXPR_UNARY:
        dpl_buf_printf(b, "(%s ", dpl_op_spelling(e->u.unary.op));
        sexpr(b, e->u.unary.operand);
        dpl_buf_puts(b, ")");
        break;
    case DPL_EXPR_BINARY:
        dpl_buf_printf(b, "(%s ", dpl_op_spelling(e->u.binary.op));
        sexpr(b, e->u.binary.lhs);
        dpl_buf_puts(b, " ");
        sexpr(b, e->u.binary.rhs);
        dpl_buf_puts(b, ")");
        break;
    case DPL_EXPR_CALL:
        dpl_buf_printf(b, "(%s", e->u.call.name);
        for (size_t i = 0; i < e->u.call.nargs; i++) {
            dpl_buf_puts(b, " ");
            sexpr(b, e->u.call.args[i]);
        }
        dpl_buf_puts(b, ")");
        break;
    case DPL_EXPR_CAST:
        dpl_buf_puts(b, "(as ");
        sexpr(b, e->u.cast.operand);
        dpl_buf_printf(b, " %s)", e->u.cast.type_name);
        break;
    case DPL_EXPR_ERROR: dpl_buf_puts(b, "<error>"); break;
    }
}

/* Parses one expression through the REPL entry point and returns its
 * S-expression ("" when it is not exactly one expression). */
static const char *expr_sx(const char *text)
{
    if (!prog)
        prog = dpl_program_new(NULL);
    dpl_diag_list_clear(&diags);
    DplSource *s = dpl_source_new("<repl>", text, strlen(text));
    DplExpr *e = dpl_parse_expr(prog, s, &diags);
    dpl_buf_reset(&sx);
    dpl_buf_puts(&sx, "");
    if (e)
        sexpr(&sx, e);
    dpl_source_free(s);
    return sx.data;
}

#define EXPECT_SX(text, want) cr_expect_str_eq(expr_sx(text), want, "%s", text)

static DplPos at(uint32_t off) { return dpl_source_locate(src, off); }

static void expect_diag(size_t i, DplCode code, unsigned line, unsigned col)
{
    cr_assert_gt(diags.len, i, "missing diagnostic %zu", i);
    DplDiag *d = &diags.items[i];
    DplPos p = at(d->span.start);
    cr_expect_eq(d->code, code, "diag %zu: got %s (%s)", i, dpl_code_name(d->code), d->message);
    cr_expect_eq(p.line, line, "diag %zu (%s): line %u, expected %u", i, d->message, p.line, line);
    if (col)
        cr_expect_eq(p.column, col, "diag %zu (%s): column %u, expected %u", i, d->message, p.column, col);
}

static void expect_ndiags(size_t n)
{
    if (diags.len != n)
        for (size_t i = 0; i < diags.len; i++) {
            DplPos p = at(diags.items[i].span.start);
            fprintf(stderr, "  %u:%u %s %s\n", p.line, p.column, dpl_code_name(diags.items[i].code),
                    diags.items[i].message);
        }
    cr_assert_eq(diags.len, n, "expected %zu diagnostics, got %zu", n, diags.len);
}

/* ---- precedence and associativity (§6) -------------------------------------------- */

/* One operator per level, lowest first. */
static const char *const level_ops[] = {"??", "or", "and", "==", "<", "+", "*"};

Test(parser, each_level_binds_tighter_than_the_one_below)
{
    size_t n = sizeof level_ops / sizeof *level_ops;
    for (size_t lo = 0; lo < n; lo++)
        for (size_t hi = lo + 1; hi < n; hi++) {
            char text[64], want[64];
            snprintf(text, sizeof text, "a %s b %s c", level_ops[lo], level_ops[hi]);
            snprintf(want, sizeof want, "(%s a (%s b c))", level_ops[lo], level_ops[hi]);
            EXPECT_SX(text, want);
            snprintf(text, sizeof text, "a %s b %s c", level_ops[hi], level_ops[lo]);
            snprintf(want, sizeof want, "(%s (%s a b) c)", level_ops[lo], level_ops[hi]);
            EXPECT_SX(text, want);
        }
}

Test(parser, every_binary_operator_is_left_associative)
{
    const char *ops[] = {"??", "or", "||", "and", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%"};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        char text[64];
        snprintf(text, sizeof text, "a %s b %s c", ops[i], ops[i]);
        const char *got = expr_sx(text);
        /* the left operand is the nested one: "(op (op a b) c)" */
        cr_expect(got[0] == '(' && strstr(got, " a b) c)") != NULL, "%s -> %s", text, got);
    }
}

Test(parser, operators_of_one_level_mix_left_to_right)
{
    EXPECT_SX("a - b + c", "(+ (- a b) c)");
    EXPECT_SX("a / b * c % d", "(% (* (/ a b) c) d)");
    EXPECT_SX("a < b >= c", "(>= (< a b) c)");
    EXPECT_SX("a == b != c", "(!= (== a b) c)");
    EXPECT_SX("a or b || c", "(or (or a b) c)");
}

Test(parser, operator_spellings_map_to_one_op)
{
    EXPECT_SX("a || b", "(or a b)");
    EXPECT_SX("a && b", "(and a b)");
    EXPECT_SX("!a", "(not a)");
    EXPECT_SX("not a", "(not a)");
    EXPECT_SX("a != b", "(!= a b)");
    EXPECT_SX("a >= b", "(>= a b)");
    EXPECT_SX("a <= b", "(<= a b)");
    EXPECT_SX("a > b", "(> a b)");
}

Test(parser, prefix_operators_bind_tighter_than_binary)
{
    EXPECT_SX("-a * b", "(* (- a) b)");
    EXPECT_SX("not a == b", "(== (not a) b)");
    EXPECT_SX("!a and b", "(and (not a) b)");
    EXPECT_SX("- - a", "(- (- a))");
    EXPECT_SX("a - -b", "(- a (- b))");
    EXPECT_SX("a * -b", "(* a (- b))");
}

Test(parser, as_and_calls_bind_tightest)
{
    EXPECT_SX("-a as int", "(- (as a int))");
    EXPECT_SX("a + b as float", "(+ a (as b float))");
    EXPECT_SX("len(x) as string", "(as (len x) string)");
    EXPECT_SX("a as int as string", "(as (as a int) string)");
    EXPECT_SX("not f(x)", "(not (f x))");
    EXPECT_SX("len(x) * 2 > 3", "(> (* (len x) 2) 3)");
}

Test(parser, parentheses_override_precedence)
{
    EXPECT_SX("(a + b) * c", "(* (+ a b) c)");
    EXPECT_SX("a - (b - c)", "(- a (- b c))");
    EXPECT_SX("(a ?? b) + 1", "(+ (?? a b) 1)");
}

Test(parser, primaries)
{
    EXPECT_SX("null", "null");
    EXPECT_SX("true", "true");
    EXPECT_SX("false", "false");
    EXPECT_SX("42", "42");
    EXPECT_SX("1.5", "1.5");
    EXPECT_SX("\"s\"", "\"s\"");
    EXPECT_SX("'id", "'id");
    EXPECT_SX("[1, \"a\", [b]]", "[1 \"a\" [b]]");
    EXPECT_SX("[]", "[]");
    EXPECT_SX("f()", "(f)");
    EXPECT_SX("concat(a, b, c,)", "(concat a b c)");
    EXPECT_SX("f(g(h(x)))", "(f (g (h x)))");
}

Test(parser, a_lone_string_in_an_expression_is_a_literal)
{
    EXPECT_SX("\"a\" + \"b\".c", "(+ \"a\" b.c)");
}

Test(parser, paths_and_roots)
{
    parse("mandatory { data.x, metadata.a.b, x.y, data.\"first name\"[0], a[-1], b[*].c, \"quoted\".x }");
    expect_ndiags(0);
    DplStmt *s = &prog->stmts[0];
    cr_assert_eq(s->u.mandatory.npaths, 7);
    DplPath *p0 = &s->u.mandatory.paths[0]->u.path;
    cr_expect_eq(p0->root, DPL_ROOT_DATA);
    cr_expect_eq(p0->nsegs, 2, "the leading data segment is kept");
    cr_expect_str_eq(p0->segs[0].name, "data");
    cr_expect_eq(s->u.mandatory.paths[1]->u.path.root, DPL_ROOT_METADATA);
    cr_expect_eq(s->u.mandatory.paths[1]->u.path.nsegs, 3);
    cr_expect_eq(s->u.mandatory.paths[2]->u.path.root, DPL_ROOT_RELATIVE);
    DplPath *p3 = &s->u.mandatory.paths[3]->u.path;
    cr_assert_eq(p3->nsegs, 3);
    cr_expect_str_eq(p3->segs[1].name, "first name");
    cr_expect_eq(p3->segs[2].kind, DPL_SEG_INDEX);
    cr_expect_eq(p3->segs[2].index, 0);
    cr_expect_eq(s->u.mandatory.paths[4]->u.path.segs[1].index, -1);
    cr_expect_eq(s->u.mandatory.paths[5]->u.path.segs[1].kind, DPL_SEG_STAR);
    DplPath *p6 = &s->u.mandatory.paths[6]->u.path;
    cr_expect_eq(p6->root, DPL_ROOT_RELATIVE);
    cr_expect_str_eq(p6->segs[0].name, "quoted");
}

Test(parser, quoted_data_segment_is_not_the_root)
{
    parse("mandatory { \"data\".x }");
    expect_ndiags(0);
    cr_expect_eq(prog->stmts[0].u.mandatory.paths[0]->u.path.root, DPL_ROOT_RELATIVE);
}

Test(parser, keywords_are_not_path_segments)
{
    parse("entity \"e\" { data.all }\n");
    expect_ndiags(1);
    expect_diag(0, DPL_E201, 1, 19);
    cr_expect(diags.items[0].help && strstr(diags.items[0].help, "\"all\""), "help suggests quoting");
    parse("entity \"e\" { data.\"all\" }\n");
    expect_ndiags(0);
}

Test(parser, computed_indexes_are_rejected)
{
    parse("entity \"e\" { a[i] }\n");
    expect_ndiags(1);
    expect_diag(0, DPL_E201, 1, 16);
}

Test(parser, casts_keep_unknown_type_names_for_the_checker)
{
    parse("add { z as number -> z, y as int -> y }");
    expect_ndiags(0);
    DplExpr *c = prog->stmts[0].u.add.items[0].value;
    cr_assert_eq(c->kind, DPL_EXPR_CAST);
    cr_expect_eq(c->u.cast.type, DPL_CAST_UNKNOWN);
    cr_expect_str_eq(c->u.cast.type_name, "number");
    cr_expect_eq(at(c->u.cast.type_span.start).column, 12);
    cr_expect_eq(prog->stmts[0].u.add.items[1].value->u.cast.type, DPL_CAST_INT);
}

Test(parser, meta_attributes)
{
    parse("add { 'id -> a, 'source -> b, 'entity -> c, 'line -> d, 'nope -> e }");
    expect_ndiags(0);
    DplMeta want[] = {DPL_META_ID, DPL_META_SOURCE, DPL_META_ENTITY, DPL_META_LINE, DPL_META_UNKNOWN};
    for (size_t i = 0; i < 5; i++)
        cr_expect_eq(prog->stmts[0].u.add.items[i].value->u.meta.which, want[i]);
    cr_expect_str_eq(prog->stmts[0].u.add.items[4].value->u.meta.name, "nope");
}

/* ---- newlines and commas ---------------------------------------------------------------- */

Test(parser, operator_at_line_end_continues_the_item)
{
    parse("requirement {\n  a +\n  b ==\n\n  c and\n  d\n  e\n}");
    expect_ndiags(0);
    cr_assert_eq(prog->stmts[0].u.requirement.nexprs, 2);
    sexpr(&sx, prog->stmts[0].u.requirement.exprs[0]);
    cr_expect_str_eq(sx.data, "(and (== (+ a b) c) d)");
}

Test(parser, operator_at_line_start_does_not_continue)
{
    parse("requirement {\n  a\n  + b\n}");
    expect_ndiags(1);
    expect_diag(0, DPL_E201, 3, 3);
}

Test(parser, newlines_inside_parentheses_and_brackets_are_ignored)
{
    parse("add {\n  f(\n a\n ,\n b\n ) -> x\n  (a\n + b\n) -> y\n  [1,\n 2\n] -> z\n}");
    expect_ndiags(0);
    cr_assert_eq(prog->stmts[0].u.add.nitems, 3);
    cr_expect_eq(prog->stmts[0].u.add.items[0].value->u.call.nargs, 2);
    cr_expect_eq(prog->stmts[0].u.add.items[2].value->u.array.n, 2);
}

Test(parser, newline_after_arrow_if_and_as_continues)
{
    parse("add {\n  a ->\n  x if\n  b\n  c as\n  int -> y\n}");
    expect_ndiags(0);
    cr_assert_eq(prog->stmts[0].u.add.nitems, 2);
    cr_expect_not_null(prog->stmts[0].u.add.items[0].cond);
    cr_expect_eq(prog->stmts[0].u.add.items[1].value->kind, DPL_EXPR_CAST);
}

Test(parser, commas_and_newlines_both_separate_items)
{
    parse("entity \"e\" { a, b\n c,\n\n d, }");
    expect_ndiags(0);
    cr_expect_eq(prog->stmts[0].u.entity.nkeys, 4);
}

Test(parser, two_items_on_one_line_without_comma_is_an_error)
{
    parse("entity \"e\" { a b }\nsources \"s\"");
    expect_ndiags(1);
    expect_diag(0, DPL_E201, 1, 16);
    cr_expect(strstr(diags.items[0].message, "found identifier `b`") != NULL, "%s", diags.items[0].message);
    cr_expect_eq(prog->nstmts, 2, "the next statement is parsed");
}

Test(parser, layout_conformance_case_028)
{
    parse("# layout: comments, commas, continued expressions\n"
          "entity \"e\" {   # inline comment\n"
          "    k1, k2\n"
          "}\n"
          "sources \"s\"   # trailing comment\n"
          "add {\n"
          "    k1 + \"-\" +\n"
          "        k2 -> combinado, k1\n"
          "    # a comment line inside a block\n"
          "    n * 2 -> dobro\n"
          "}\n");
    expect_ndiags(0);
    cr_assert_eq(prog->nstmts, 3);
    cr_expect_eq(prog->stmts[0].u.entity.nkeys, 2);
    cr_assert_eq(prog->stmts[2].u.add.nitems, 3);
    sexpr(&sx, prog->stmts[2].u.add.items[0].value);
    cr_expect_str_eq(sx.data, "(+ (+ k1 \"-\") k2)");
    cr_expect_str_eq(prog->stmts[2].u.add.items[0].target.segs[0], "combinado");
}

Test(parser, crlf_program)
{
    parse("entity \"e\" {\r\n  k\r\n}\r\nadd {\r\n  a +\r\n  b -> c\r\n}\r\n");
    expect_ndiags(0);
    cr_expect_eq(prog->nstmts, 2);
}

/* ---- statements ---------------------------------------------------------------------------- */

Test(parser, seed_program_parses)
{
    parse("# fipe.dpl\nentity \"fipe\" {\n    data.marca\n    data.nome\n}\n\nsources \"fipe\"\n\n"
          "mandatory {\n    data.codigoFipeTreated\n    metadata.input.modelo.codigo\n}\n\n"
          "add {\n    codigoFipeTreated -> codigoFipe\n    ano\n}\n");
    expect_ndiags(0);
    cr_assert_eq(prog->nstmts, 4);
    cr_expect_eq(prog->stmts[0].kind, DPL_STMT_ENTITY);
    cr_expect_eq(prog->stmts[1].kind, DPL_STMT_SOURCES);
    cr_expect_eq(prog->stmts[2].kind, DPL_STMT_MANDATORY);
    cr_expect_eq(prog->stmts[3].kind, DPL_STMT_ADD);
    cr_expect_str_eq(prog->stmts[0].u.entity.name, "fipe");
    cr_expect_eq(prog->stmts[0].u.entity.nkeys, 2);
    cr_expect_eq(prog->stmts[2].u.mandatory.npaths, 2);
    DplAddItem *it = &prog->stmts[3].u.add.items[0];
    cr_expect(it->has_target);
    cr_expect_str_eq(it->target.segs[0], "codigoFipe");
    cr_expect_not(prog->stmts[3].u.add.items[1].has_target);
}

Test(parser, substitutive_entity)
{
    parse("substitutive entity \"p\" { id }");
    expect_ndiags(0);
    DplStmt *s = &prog->stmts[0];
    cr_expect(s->u.entity.substitutive);
    cr_expect_eq(at(s->keyword_span.start).column, 14, "keyword_span is the `entity` keyword");
    cr_expect_eq(s->span.start, 0, "the statement starts at `substitutive`");
    cr_expect_eq(s->span.end, strlen("substitutive entity \"p\" { id }"));
}

Test(parser, sources_with_several_names_and_using)
{
    parse("sources \"a\", \"b\",\n  \"c\" using metadata.origin.name\nsources \"x\"");
    expect_ndiags(0);
    cr_assert_eq(prog->nstmts, 2);
    DplStmt *s = &prog->stmts[0];
    cr_assert_eq(s->u.sources.nnames, 3);
    cr_expect_str_eq(s->u.sources.names[2], "c");
    cr_expect_eq(s->u.sources.name_lens[2], 1);
    cr_expect_eq(at(s->u.sources.name_spans[2].start).line, 2);
    cr_assert_not_null(s->u.sources.using_path);
    cr_expect_eq(s->u.sources.using_path->root, DPL_ROOT_METADATA);
    cr_expect_eq(s->u.sources.using_path->nsegs, 3);
    cr_expect_null(prog->stmts[1].u.sources.using_path);
}

Test(parser, add_items_of_every_form)
{
    parse("add from data.payload {\n"
          "  all\n"
          "  delete data.x\n"
          "  append tag -> tags\n"
          "  overwrite v * 2 -> a.b.c if v > 0\n"
          "  plain\n"
          "}");
    expect_ndiags(0);
    DplStmt *s = &prog->stmts[0];
    cr_assert_not_null(s->u.add.from);
    cr_expect_eq(s->u.add.from->root, DPL_ROOT_DATA);
    cr_assert_eq(s->u.add.nitems, 5);
    DplAddItem *it = s->u.add.items;
    cr_expect_eq(it[0].kind, DPL_ITEM_ALL);
    cr_expect_null(it[0].value);
    cr_expect_eq(it[1].kind, DPL_ITEM_DELETE);
    cr_expect_eq(it[1].value->kind, DPL_EXPR_PATH);
    cr_expect_eq(it[2].kind, DPL_ITEM_VALUE);
    cr_expect_eq(it[2].modifier, DPL_MOD_APPEND);
    cr_expect_eq(it[3].modifier, DPL_MOD_OVERWRITE);
    cr_assert_eq(it[3].target.nsegs, 3);
    cr_expect_str_eq(it[3].target.segs[2], "c");
    cr_assert_not_null(it[3].cond);
    cr_expect_eq(it[3].cond->kind, DPL_EXPR_BINARY);
    cr_expect_eq(it[4].modifier, DPL_MOD_NONE);
    cr_expect_not(it[4].has_target);
}

Test(parser, block_brace_may_start_the_next_line)
{
    parse("requirement\n{\n  a > 1\n}\n");
    expect_ndiags(0);
    cr_expect_eq(prog->stmts[0].u.requirement.nexprs, 1);
}

Test(parser, empty_blocks_and_empty_program)
{
    parse("");
    expect_ndiags(0);
    cr_expect_eq(prog->nstmts, 0);
    parse("\n# only a comment\n\n");
    expect_ndiags(0);
    parse("entity \"e\" {}\nadd {\n}\n");
    expect_ndiags(0);
    cr_expect_eq(prog->nstmts, 2);
}

/* ---- spans ------------------------------------------------------------------------------------ */

Test(parser, spans_on_every_node)
{
    const char *text = "add {\n  len(data.nome) + (x * 2) -> out.name if ok\n}";
    parse(text);
    expect_ndiags(0);
    DplStmt *s = &prog->stmts[0];
    cr_expect_eq(s->span.start, 0);
    cr_expect_eq(s->span.end, strlen(text));
    cr_expect_eq(s->keyword_span.end - s->keyword_span.start, 3);
    DplAddItem *it = &s->u.add.items[0];
    uint32_t base = (uint32_t)(strstr(text, "len") - text);
    cr_expect_eq(it->span.start, base);
    cr_expect_eq(it->span.end, base + strlen("len(data.nome) + (x * 2) -> out.name if ok"));
    DplExpr *v = it->value;
    cr_expect_eq(v->span.start, base);
    cr_expect_eq(v->span.end, base + strlen("len(data.nome) + (x * 2)"));
    cr_expect_eq(v->u.binary.op_span.start, base + strlen("len(data.nome) "));
    DplExpr *call = v->u.binary.lhs;
    cr_expect_eq(call->u.call.name_span.start, base);
    cr_expect_eq(call->u.call.name_span.end, base + 3);
    cr_expect_eq(call->span.end, base + strlen("len(data.nome)"));
    DplExpr *path = call->u.call.args[0];
    cr_expect_eq(path->span.start, base + 4);
    cr_expect_eq(path->u.path.segs[1].span.start, base + 9);
    DplExpr *group = v->u.binary.rhs;
    cr_expect_eq(group->span.start, base + strlen("len(data.nome) + "), "a parenthesised operand spans its parens");
    cr_expect_eq(group->span.end, base + strlen("len(data.nome) + (x * 2)"));
    cr_expect_eq(it->target.span.start, base + strlen("len(data.nome) + (x * 2) -> "));
    cr_expect_eq(it->target.span.end, base + strlen("len(data.nome) + (x * 2) -> out.name"));
    cr_expect_eq(it->cond->span.start, base + strlen("len(data.nome) + (x * 2) -> out.name if "));
}

/* ---- errors and recovery -------------------------------------------------------------------- */

Test(parser, unknown_statement_suggests_the_keyword_c05)
{
    parse("entity \"e\" { k }\nsources \"s\"\nmandatry {\n    k\n}\nadd { k }\n");
    expect_ndiags(1);
    expect_diag(0, DPL_E203, 3, 1);
    cr_assert_not_null(diags.items[0].help);
    cr_expect_str_eq(diags.items[0].help, "did you mean `mandatory`?");
    cr_expect_eq(prog->nstmts, 3, "the statements around it are kept");
    cr_expect_eq(prog->stmts[2].kind, DPL_STMT_ADD);
}

Test(parser, unknown_statement_far_from_every_keyword_lists_them)
{
    parse("frobnicate { a b c }\nadd { k }");
    expect_ndiags(1);
    expect_diag(0, DPL_E203, 1, 1);
    cr_expect(strstr(diags.items[0].help, "entity, sources") != NULL, "%s", diags.items[0].help);
    cr_expect_eq(prog->nstmts, 1);
}

Test(parser, computed_item_without_target_c06)
{
    parse("entity \"e\" { k }\nsources \"s\"\nadd {\n    k\n    valor * 2\n}\n");
    expect_ndiags(1);
    expect_diag(0, DPL_E204, 5, 5);
}

Test(parser, e204_only_for_computed_values)
{
    parse("add { data.x, x[0], 'id -> i, \"lit\", f(x), -x, [x] }");
    expect_ndiags(4);
    for (size_t i = 0; i < 4; i++)
        cr_expect_eq(diags.items[i].code, DPL_E204);
    cr_expect_eq(at(diags.items[0].span.start).column, 31);
}

Test(parser, multiple_errors_leave_checker_errors_to_the_checker_c09)
{
    parse("entity \"e\" { k }\nsources \"s\"\nmandatory {\n    k\n}\nrequirement {\n    lenn(k) > 1\n}\n"
          "add {\n    upper(k, 1) -> u\n    k * 2\n    z as number -> z\n}\n");
    expect_ndiags(1);
    expect_diag(0, DPL_E204, 11, 5);
    cr_expect_eq(prog->nstmts, 5);
    cr_expect_eq(prog->stmts[4].u.add.nitems, 3);
}

Test(parser, unclosed_block_points_at_the_brace_c11)
{
    parse("entity \"e\" { k }\nsources \"s\"\nadd {\n    k\n");
    expect_ndiags(1);
    expect_diag(0, DPL_E202, 3, 5);
    cr_expect_eq(prog->nstmts, 3);
}

Test(parser, unclosed_block_before_the_next_statement)
{
    parse("add {\n  k\nmandatory { k }\n");
    expect_ndiags(1);
    expect_diag(0, DPL_E202, 1, 5);
    cr_expect_eq(prog->nstmts, 2, "the next statement is still parsed");
}

Test(parser, lexical_errors_do_not_cascade)
{
    /* c04, c14, c15, c17, and stray characters inside items */
    const char *cases[] = {
        "entity \"e\" { k }\nsources \"s\nadd { k }\n",
        "entity \"e\" { k }\nsources \"s\"\nadd {\n    \"a\\qb\" -> x\n}\n",
        "entity \"e\" { k }\nsources \"s\"\nadd {\n    k + 99999999999999999999 -> x\n}\n",
        "entity \"e\" { k }\nsources \"s\"\nadd {\n    k\n    $\n}\n",
        "entity \"e\" { k $ }\nadd { k $ -> x, y }\n",
    };
    DplCode want[] = {DPL_E102, DPL_E103, DPL_E104, DPL_E101, DPL_E101};
    size_t count[] = {1, 1, 1, 1, 2};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        parse(cases[i]);
        cr_expect_eq(diags.len, count[i], "case %zu", i);
        for (size_t j = 0; j < diags.len; j++)
            cr_expect_eq(diags.items[j].code, want[i], "case %zu: unexpected %s %s", i, dpl_code_name(diags.items[j].code),
                         diags.items[j].message);
    }
}

Test(parser, one_error_per_item_then_the_next_item_is_checked)
{
    parse("add {\n  a + -> x\n  f(1 2) -> y\n  b -> if\n  ok -> z\n  c +\n}\n");
    expect_ndiags(4);
    expect_diag(0, DPL_E201, 2, 7);
    expect_diag(1, DPL_E201, 3, 7);
    expect_diag(2, DPL_E201, 4, 8);
    expect_diag(3, DPL_E201, 7, 1);
    cr_expect_eq(prog->stmts[0].u.add.nitems, 5);
    cr_expect_eq(prog->stmts[0].u.add.items[3].value->kind, DPL_EXPR_PATH);
}

Test(parser, commas_inside_a_broken_call_do_not_restart_items)
{
    parse("add { f(1 2, 3) -> x, k }");
    expect_ndiags(1);
    expect_diag(0, DPL_E201, 1, 11);
    cr_expect_eq(prog->stmts[0].u.add.nitems, 2);
}

Test(parser, header_errors_recover_into_the_block)
{
    parse("entity fipe { k k2 }\nsources fipe\nadd from { x }\n");
    expect_ndiags(4);
    expect_diag(0, DPL_E201, 1, 8);
    cr_expect(strstr(diags.items[0].help, "entity \"fipe\"") != NULL);
    expect_diag(1, DPL_E201, 1, 17);
    expect_diag(2, DPL_E201, 2, 9);
    expect_diag(3, DPL_E201, 3, 10);
}

Test(parser, stray_tokens_between_statements)
{
    parse("}\nentity \"e\" { k }\n) x y\nadd { k }\n");
    expect_ndiags(2);
    expect_diag(0, DPL_E201, 1, 1);
    expect_diag(1, DPL_E201, 3, 1);
    cr_expect_eq(prog->nstmts, 2);
}

Test(parser, mandatory_wants_paths)
{
    parse("mandatory { k > 1, data.x, 3 }");
    expect_ndiags(2);
    expect_diag(0, DPL_E201, 1, 15);
    expect_diag(1, DPL_E201, 1, 28);
    cr_expect_eq(prog->stmts[0].u.mandatory.npaths, 2);
}

Test(parser, deep_nesting_is_a_diagnostic_not_a_crash)
{
    DplBuf b = {0};
    dpl_buf_puts(&b, "entity \"e\" { k }\nrequirement {\n  ");
    for (int i = 0; i < 100000; i++)
        dpl_buf_putc(&b, '(');
    dpl_buf_puts(&b, "k");
    for (int i = 0; i < 100000; i++)
        dpl_buf_putc(&b, ')');
    dpl_buf_puts(&b, "\n}\nadd { x + }\n");
    parse(b.data);
    dpl_buf_free(&b);
    expect_ndiags(2);
    expect_diag(0, DPL_E201, 3, 3 + DPL_PARSE_MAX_DEPTH);
    cr_expect(strstr(diags.items[0].message, "nested too deeply") != NULL);
    expect_diag(1, DPL_E201, 5, 11);
}

Test(parser, deep_prefix_chains_and_arrays_are_capped_too)
{
    DplBuf b = {0};
    dpl_buf_puts(&b, "requirement { ");
    for (int i = 0; i < 100000; i++)
        dpl_buf_puts(&b, "- ");
    dpl_buf_puts(&b, "k }\nentity \"e\" { ");
    for (int i = 0; i < 100000; i++)
        dpl_buf_putc(&b, '[');
    dpl_buf_puts(&b, " }\n");
    parse(b.data);
    dpl_buf_free(&b);
    expect_ndiags(2);
    cr_expect(strstr(diags.items[0].message, "nested too deeply") != NULL);
    cr_expect(strstr(diags.items[1].message, "nested too deeply") != NULL);
}

Test(parser, nesting_just_under_the_limit_is_fine)
{
    DplBuf b = {0};
    dpl_buf_puts(&b, "requirement { ");
    for (int i = 0; i < DPL_PARSE_MAX_DEPTH - 1; i++)
        dpl_buf_putc(&b, '(');
    dpl_buf_puts(&b, "k");
    for (int i = 0; i < DPL_PARSE_MAX_DEPTH - 1; i++)
        dpl_buf_putc(&b, ')');
    dpl_buf_puts(&b, " }");
    parse(b.data);
    dpl_buf_free(&b);
    expect_ndiags(0);
}

Test(parser, every_prefix_of_a_program_parses_without_crashing)
{
    const char *text = "substitutive entity \"e\" { k, data.\"a b\"[0] }\nsources \"s\", \"t\" using metadata.src\n"
                       "mandatory { data.x[*].y }\nrequirement { not (a ?? b) == -c as int and len([1, 2]) > 0 }\n"
                       "add from data.p {\n all\n delete x\n append 'id -> t.u if a || b && !c\n}\n";
    size_t n = strlen(text);
    for (size_t i = 0; i <= n; i++) {
        char *cut = dpl_strndup(text, i);
        parse(cut);
        dpl_free(cut);
        for (size_t j = 0; j < diags.len; j++)
            cr_expect(diags.items[j].span.start <= i && diags.items[j].span.end <= i, "prefix %zu: span out of range", i);
    }
    cr_expect_eq(diags.len, 0, "the whole program is clean");
    cr_expect_eq(prog->nstmts, 5);
}

/* ---- dpl_parse_expr (REPL) ------------------------------------------------------------------------ */

Test(parser, parse_expr_accepts_exactly_one_expression)
{
    EXPECT_SX("data.valor * 2", "(* data.valor 2)");
    EXPECT_SX("\n  a +\n b\n", "(+ a b)");
    EXPECT_SX("a b", "");
    cr_expect_eq(diags.len, 1);
    cr_expect_eq(diags.items[0].code, DPL_E201);
    EXPECT_SX("", "");
    cr_expect_eq(diags.len, 1);
    EXPECT_SX("a +", "");
    EXPECT_SX("\"bad \\q\"", "");
    cr_expect_eq(diags.len, 1, "only the lexer's error");
    cr_expect_eq(diags.items[0].code, DPL_E103);
}

Test(parser, stray_brace_closing_a_block_early_does_not_cascade)
{
    /* the lines after the early `}` are damage, not statements */
    parse("entity \"v\" { placa }\nadd {\n    ano as i}nt -> ano\n    valor as float -> valor\n"
          "    ativo as bool -> ativo\n}\nmandatory { placa }\n");
    expect_ndiags(2);
    expect_diag(0, DPL_E204, 3, 5);
    expect_diag(1, DPL_E201, 3, 14);
    cr_expect_eq(prog->nstmts, 3, "the statement after the damage is parsed");
}

Test(parser, stray_brace_inside_an_item_is_not_balanced)
{
    parse("add {\n  round(frete,{ 1) -> frete\n  abs(d) -> d\n}\n");
    expect_ndiags(1);
    expect_diag(0, DPL_E201, 2, 15);
    cr_expect_eq(prog->stmts[0].u.add.nitems, 2);
}

Test(parser, lines_after_an_unknown_statement_are_skipped_to_the_next_statement)
{
    parse("foo bar\nbaz qux\nadd { k }\nmandatry { x }\n");
    expect_ndiags(2);
    expect_diag(0, DPL_E203, 1, 1);
    expect_diag(1, DPL_E203, 4, 1);
    cr_expect_eq(prog->nstmts, 1);
}

Test(parser, diagnostic_messages_are_valid_utf8)
{
    /* messages quote source text; they must stay printable JSON strings */
    const char *cases[] = {
        "entity \"e\" { k \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\" }",
        "add { \"\\\xff\" -> y, \"\\\t\" -> z, \xe2\x82 }",
        "\xff\xfe mandatry { x }",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        parse(cases[i]);
        cr_expect_gt(diags.len, 0);
        for (size_t j = 0; j < diags.len; j++) {
            const char *m = diags.items[j].message;
            cr_expect(dpl_utf8_valid(m, strlen(m)), "case %zu: %s", i, m);
        }
    }
}

/* ---- language 1.1 (spec §12) ------------------------------------------------------- */

Test(parser, where_statement)
{
    parse("entity \"e\" { k }\nwhere {\n    kind == \"sale\", live\n}\nwhere { amount > 0 }\n");
    cr_assert_eq(diags.len, 0);
    cr_assert_eq(prog->nstmts, 3);
    cr_expect_eq(prog->stmts[1].kind, DPL_STMT_WHERE);
    cr_expect_eq(prog->stmts[1].u.where.nexprs, 2);
    cr_expect_eq(prog->stmts[2].u.where.nexprs, 1);
    /* `where` is a keyword now: not a field name, unless quoted */
    parse("entity \"e\" { where }\n");
    cr_expect_eq(dpl_diag_count(&diags, DPL_SEV_ERROR), 1);
    parse("entity \"e\" { data.\"where\" }\n");
    cr_expect_eq(diags.len, 0);
}

Test(parser, where_recovers_like_requirement)
{
    /* an unclosed where block, then a statement: E202 and the add still parses */
    parse("entity \"e\" { k }\nwhere {\n    a ==\nadd { k }\n");
    cr_expect_geq(dpl_diag_count(&diags, DPL_SEV_ERROR), 1);
    cr_expect_eq(prog->stmts[prog->nstmts - 1].kind, DPL_STMT_ADD);
    /* a misspelt where is E203 with a suggestion */
    parse("entity \"e\" { k }\nwhere_ {\n    a\n}\n");
    cr_assert_eq(diags.len, 1);
    cr_expect_eq(diags.items[0].code, DPL_E203);
}

Test(parser, item_meta_and_item_paths)
{
    cr_expect_str_eq(expr_sx("map(items, 'item * 2)"), "(map items (* 'item 2))");
    cr_expect_str_eq(expr_sx("map(items, 'item.qty + 'item[0] + 'item[*].x)"), "(map items (+ (+ 'item.qty 'item[0]) 'item[*].x))");
    cr_expect_str_eq(expr_sx("filter(tags, 'item != \"\")"), "(filter tags (!= 'item \"\"))");
    parse("entity \"e\" { k }\nadd {\n    map(a, 'item.b) -> c\n}\n");
    cr_assert_eq(diags.len, 0);
    const DplExpr *arg = prog->stmts[1].u.add.items[0].value->u.call.args[1];
    cr_expect_eq(arg->kind, DPL_EXPR_PATH);
    cr_expect_eq(arg->u.path.root, DPL_ROOT_ITEM);
    cr_expect_eq(arg->u.path.nsegs, 1);
}
