/* test_fmt.c — the canonical layout: each construct, comments and blank
 * lines, minimal parentheses, canonical spellings; every case is also
 * checked for idempotence and for parsing back to the same AST, and a
 * seeded generator of random expressions checks both properties at scale. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "ast/ast.h"
#include "fmt/fmt.h"
#include "parser/parser.h"

static void setup(void)
{
    dpl_util_init();
}

TestSuite(fmt, .init = setup);

/* ---- helpers ------------------------------------------------------------ */

/* dpl_fmt of text; NULL on syntax errors (then *nerrors > 0). */
static char *fmt_text(const char *text, size_t *nerrors)
{
    DplSource *src = dpl_source_new("t.dpl", text, strlen(text));
    DplDiagList d = {0};
    char *out = dpl_fmt(src, &d);
    if (nerrors)
        *nerrors = dpl_diag_count(&d, DPL_SEV_ERROR);
    dpl_diag_list_free(&d);
    dpl_source_free(src);
    return out;
}

/* The two texts parse without errors to structurally equal programs. */
static bool same_ast(const char *a, const char *b)
{
    DplSource *sa = dpl_source_new("a.dpl", a, strlen(a));
    DplSource *sb = dpl_source_new("b.dpl", b, strlen(b));
    DplDiagList da = {0}, db = {0};
    DplProgram *pa = dpl_parse(sa, &da), *pb = dpl_parse(sb, &db);
    bool eq = dpl_diag_count(&da, DPL_SEV_ERROR) == 0 && dpl_diag_count(&db, DPL_SEV_ERROR) == 0 &&
              dpl_ast_equal(pa, pb);
    dpl_program_free(pa);
    dpl_program_free(pb);
    dpl_diag_list_free(&da);
    dpl_diag_list_free(&db);
    dpl_source_free(sa);
    dpl_source_free(sb);
    return eq;
}

/* Formatting `in` gives `want`, formatting that again changes nothing, and
 * both parse to the same AST as the input. */
static void check_fmt(const char *in, const char *want)
{
    size_t nerr = 0;
    char *out = fmt_text(in, &nerr);
    cr_assert_not_null(out, "dpl_fmt refused valid input (%zu errors):\n%s", nerr, in);
    cr_assert_str_eq(out, want, "input:\n%s\n--- got:\n%s--- want:\n%s", in, out, want);
    char *again = fmt_text(out, NULL);
    cr_assert_not_null(again);
    cr_assert_str_eq(again, out, "not idempotent:\n%s--- second pass:\n%s", out, again);
    cr_assert(same_ast(in, out), "AST changed:\n%s\n--- formatted:\n%s", in, out);
    dpl_free(again);
    dpl_free(out);
}

/* The expression `in`, as a requirement, formats to `want`. */
static void check_expr(const char *in, const char *want)
{
    char *src = dpl_asprintf("requirement { %s }\n", in);
    char *exp = dpl_asprintf("requirement {\n    %s\n}\n", want);
    check_fmt(src, exp);
    dpl_free(src);
    dpl_free(exp);
}

/* ---- statements and items ------------------------------------------------- */

Test(fmt, spec_example_is_a_fixed_point)
{
    const char *seed = "# fipe.dpl — vehicle price table\n"
                       "entity \"fipe\" {\n"
                       "    data.marca\n"
                       "    data.nome\n"
                       "    data.combustivel\n"
                       "    data.ano\n"
                       "}\n"
                       "\n"
                       "sources \"fipe\"\n"
                       "\n"
                       "mandatory {\n"
                       "    data.codigoFipeTreated\n"
                       "    metadata.input.modelo.codigo\n"
                       "    data.valor\n"
                       "    data.marcaTreated\n"
                       "}\n"
                       "\n"
                       "add {\n"
                       "    codigoFipeTreated -> codigoFipe\n"
                       "    combustivelTreated -> combustivel\n"
                       "    marcaTreated -> marca\n"
                       "    ano\n"
                       "    nomeTreated -> nome\n"
                       "    valor\n"
                       "    referencia\n"
                       "}\n";
    check_fmt(seed, seed);
}

Test(fmt, one_item_per_line_at_four_spaces)
{
    check_fmt("entity \"fipe\" { data.marca, data.nome }\n"
              "sources \"fipe\"\n"
              "mandatory { data.valor }\n"
              "add {\n\tcodigoFipeTreated->codigoFipe,ano\n}",
              "entity \"fipe\" {\n"
              "    data.marca\n"
              "    data.nome\n"
              "}\n"
              "sources \"fipe\"\n"
              "mandatory {\n"
              "    data.valor\n"
              "}\n"
              "add {\n"
              "    codigoFipeTreated -> codigoFipe\n"
              "    ano\n"
              "}\n");
}

Test(fmt, sources_on_one_line)
{
    check_fmt("sources \"a\" ,\"b\"   using   metadata.origin\n",
              "sources \"a\", \"b\" using metadata.origin\n");
    check_fmt("sources    \"only\"", "sources \"only\"\n");
}

Test(fmt, substitutive_entity)
{
    check_fmt("substitutive   entity \"x\" {k}", "substitutive entity \"x\" {\n    k\n}\n");
}

Test(fmt, every_kind_of_add_item)
{
    check_fmt("add from data.endereco { all, delete cep, append tag -> tags,"
              " overwrite upper(nome) -> nome if len(nome) > 0, rua -> street.name }\n",
              "add from data.endereco {\n"
              "    all\n"
              "    delete cep\n"
              "    append tag -> tags\n"
              "    overwrite upper(nome) -> nome if len(nome) > 0\n"
              "    rua -> street.name\n"
              "}\n");
}

Test(fmt, empty_block_stays_on_one_line)
{
    check_fmt("add {\n\n}\nmandatory{}", "add {}\nmandatory {}\n");
}

Test(fmt, continued_expression_joins_one_line)
{
    check_fmt("add {\n    k1 + \"-\" +\n        k2 -> combinado\n}\n",
              "add {\n    k1 + \"-\" + k2 -> combinado\n}\n");
}

Test(fmt, quoted_path_segments_and_indexes)
{
    check_fmt("add { data.\"first name\" -> nome, telefones[-1] -> ultimo, itens[*].sku -> skus }",
              "add {\n"
              "    data.\"first name\" -> nome\n"
              "    telefones[-1] -> ultimo\n"
              "    itens[*].sku -> skus\n"
              "}\n");
}

/* ---- comments and blank lines --------------------------------------------- */

Test(fmt, conformance_layout_case)
{
    check_fmt("# layout: comments, commas, continued expressions\n"
              "entity \"e\" {   # inline comment\n"
              "    k1, k2\n"
              "}\n"
              "sources \"s\"   # trailing comment\n"
              "add {\n"
              "    k1 + \"-\" +\n"
              "        k2 -> combinado, k1\n"
              "    # a comment line inside a block\n"
              "    n * 2 -> dobro\n"
              "}\n",
              "# layout: comments, commas, continued expressions\n"
              "entity \"e\" {  # inline comment\n"
              "    k1\n"
              "    k2\n"
              "}\n"
              "sources \"s\"  # trailing comment\n"
              "add {\n"
              "    k1 + \"-\" + k2 -> combinado\n"
              "    k1\n"
              "    # a comment line inside a block\n"
              "    n * 2 -> dobro\n"
              "}\n");
}

Test(fmt, comment_inside_an_expression_moves_above_its_item)
{
    check_fmt("add {\n  a +  # why\n  b -> x\n}\n", "add {\n    # why\n    a + b -> x\n}\n");
}

Test(fmt, comment_before_closing_brace_stays_inside)
{
    check_fmt("add {\n  x\n# last\n}\n", "add {\n    x\n    # last\n}\n");
    check_fmt("mandatory {\n# todo\n}", "mandatory {\n    # todo\n}\n");
}

Test(fmt, comment_after_closing_brace_trails_it)
{
    check_fmt("add {\n x\n} # done\n", "add {\n    x\n}  # done\n");
    check_fmt("add { } # nothing", "add {}  # nothing\n");
}

Test(fmt, comment_after_comma_trails_the_item)
{
    check_fmt("entity \"e\" { a, # first\n b }", "entity \"e\" {\n    a  # first\n    b\n}\n");
}

Test(fmt, comments_at_top_and_end_of_file)
{
    check_fmt("\n\n# head\n\n\nsources \"s\"\n\n\n# tail\n# more\n",
              "# head\n\nsources \"s\"\n\n# tail\n# more\n");
    check_fmt("# only a comment", "# only a comment\n");
}

Test(fmt, comment_text_is_kept_verbatim)
{
    check_fmt("sources \"s\" #no space,   odd  spacing  é\n",
              "sources \"s\"  #no space,   odd  spacing  é\n");
}

Test(fmt, blank_lines_collapse_and_vanish_at_block_edges)
{
    check_fmt("\n\n\nentity \"e\" {\n\n\n  k\n\n\n  j\n\n}\n\n\n\nsources \"s\"\n\n\n",
              "entity \"e\" {\n    k\n\n    j\n}\n\nsources \"s\"\n");
}

Test(fmt, crlf_input_gives_lf_output)
{
    check_fmt("entity \"e\" {\r\n  k  # c\r\n}\r\n\r\nsources \"s\"\r\n",
              "entity \"e\" {\n    k  # c\n}\n\nsources \"s\"\n");
}

Test(fmt, empty_program)
{
    check_fmt("", "");
    check_fmt("\n\n  \n", "");
}

/* ---- expressions ------------------------------------------------------------ */

Test(fmt, spaces_around_binary_operators)
{
    check_expr("a+b*c-d/e%f", "a + b * c - d / e % f");
    check_expr("a<=b==c>=d", "a <= b == c >= d");
    check_expr("x??y", "x ?? y");
}

Test(fmt, redundant_parentheses_are_dropped)
{
    check_expr("((a))", "a");
    check_expr("a + (b * c)", "a + b * c");
    check_expr("(a - b) - c", "a - b - c");
    check_expr("(a == b) == c", "a == b == c");
    check_expr("(a < b) == (c < d)", "a < b == c < d");
    check_expr("-(a as int)", "-a as int");
    check_expr("(x as int) as string", "x as int as string");
    check_expr("len(  (x) )", "len(x)");
    check_expr("(not a) and b", "not a and b");
}

Test(fmt, needed_parentheses_are_kept)
{
    check_expr("(a + b) * c", "(a + b) * c");
    check_expr("a - (b - c)", "a - (b - c)");
    check_expr("a * (b / c) % d", "a * (b / c) % d");
    check_expr("a ?? (b ?? c)", "a ?? (b ?? c)");
    check_expr("(a or b) and c", "(a or b) and c");
    check_expr("-(a + b)", "-(a + b)");
    check_expr("(-a) as int", "(-a) as int");
    check_expr("not (a and b)", "not (a and b)");
    check_expr("(a ?? b) + 1", "(a ?? b) + 1");
}

Test(fmt, nested_minus_is_parenthesised)
{
    check_expr("- -a", "-(-a)");
    check_expr("-(-a)", "-(-a)");
}

Test(fmt, symbolic_logic_operators_become_words)
{
    check_expr("!a && b || c", "not a and b or c");
    check_expr("!(a || b)", "not (a or b)");
}

Test(fmt, calls_arrays_casts_meta)
{
    check_expr("concat( a ,\"/\",b )", "concat(a, \"/\", b)");
    check_expr("[1,2 , 3]", "[1, 2, 3]");
    check_expr("[ ]", "[]");
    check_expr("x as  int", "x as int");
    check_expr("'source == \"s\"", "'source == \"s\"");
    check_expr("true and not false ?? null", "true and not false ?? null");
}

Test(fmt, numbers_keep_their_spelling)
{
    check_expr("1.50 + 2e10 + 2E-3 + 10", "1.50 + 2e10 + 2E-3 + 10");
    check_expr("-1 * -2.5", "-1 * -2.5");
}

Test(fmt, strings_are_escaped_canonically)
{
    check_expr("\"a\\/b\\u0041\\t\\\"q\\\"\"", "\"a/bA\\t\\\"q\\\"\"");
    check_expr("\"\\u00e9 é \\uD83D\\uDE00\"", "\"é é 😀\"");
    check_expr("\"\\u0001\\\\\"", "\"\\u0001\\\\\"");
    check_fmt("entity \"a\\u0062\" { k }", "entity \"ab\" {\n    k\n}\n");
}

/* ---- refusal ------------------------------------------------------------------ */

Test(fmt, syntax_errors_are_reported_not_rewritten)
{
    const char *bad[] = {
        "entity \"e\" { k\n",       /* unclosed block */
        "add { x + }\n",            /* incomplete expression */
        "entiti \"e\" { k }\n",     /* unknown statement */
        "sources \"unterminated\n", /* lexical error */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t nerr = 0;
        char *out = fmt_text(bad[i], &nerr);
        cr_expect_null(out, "formatted a program with errors: %s", bad[i]);
        cr_expect_gt(nerr, 0, "no diagnostic for: %s", bad[i]);
        dpl_free(out);
    }
}

/* ---- random expressions ------------------------------------------------------- */

static unsigned long long rng_state;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng_state >> 33) % n);
}

/* Appends a random expression; parentheses are sprinkled at random so that
 * the input has both redundant and necessary ones. */
static void gen_expr(DplBuf *b, int depth)
{
    static const char *const atoms[] = {"a",      "data.b",   "metadata.c.d", "x[0]", "1",
                                        "2.50",   "\"s\\t\"", "'id",          "true", "null",
                                        "len(a)", "[1, b]",   "y[*].z"};
    static const char *const binops[] = {"??", "or", "||", "and", "&&", "==", "!=", "<",
                                         "<=", ">",  ">=", "+",   "-",  "*",  "/",  "%"};
    static const char *const types[] = {"int", "float", "string", "bool"};
    bool paren = rnd(3) == 0;
    if (paren)
        dpl_buf_putc(b, '(');
    unsigned pick = depth <= 0 ? 0 : rnd(10);
    if (pick <= 2) {
        dpl_buf_puts(b, atoms[rnd(sizeof atoms / sizeof *atoms)]);
    } else if (pick <= 6) {
        gen_expr(b, depth - 1);
        dpl_buf_printf(b, " %s ", binops[rnd(sizeof binops / sizeof *binops)]);
        gen_expr(b, depth - 1);
    } else if (pick == 7) {
        dpl_buf_puts(b, rnd(3) == 0 ? "-" : rnd(2) ? "not " : "!");
        gen_expr(b, depth - 1);
    } else if (pick == 8) {
        gen_expr(b, depth - 1);
        dpl_buf_printf(b, " as %s", types[rnd(4)]);
    } else {
        dpl_buf_puts(b, "coalesce(");
        gen_expr(b, depth - 1);
        dpl_buf_puts(b, ", ");
        gen_expr(b, depth - 1);
        dpl_buf_putc(b, ')');
    }
    if (paren)
        dpl_buf_putc(b, ')');
}

Test(fmt, random_expressions_round_trip)
{
    rng_state = 20240601;
    for (int n = 0; n < 400; n++) {
        DplBuf b = {0};
        dpl_buf_puts(&b, "add {\n    ");
        gen_expr(&b, 5);
        dpl_buf_puts(&b, " -> t\n    ");
        gen_expr(&b, 3);
        dpl_buf_puts(&b, " -> u if ");
        gen_expr(&b, 3);
        dpl_buf_puts(&b, "\n}\n");
        size_t nerr = 0;
        char *out = fmt_text(b.data, &nerr);
        cr_assert_not_null(out, "refused generated input (%zu errors):\n%s", nerr, b.data);
        char *again = fmt_text(out, NULL);
        cr_assert_not_null(again, "formatted output does not parse:\n%s", out);
        cr_assert_str_eq(again, out, "not idempotent:\n%s", b.data);
        cr_assert(same_ast(b.data, out), "AST changed:\n%s--- formatted:\n%s", b.data, out);
        /* minimal parentheses: formatting adds none beyond the input's */
        size_t in_parens = 0, out_parens = 0;
        for (const char *p = b.data; *p; p++)
            in_parens += *p == '(';
        for (const char *p = out; *p; p++) /* -(-x), -(not x): the one addition */
            out_parens += *p == '(' && !(p > out && p[-1] == '-' && (p[1] == '-' || p[1] == 'n'));
        cr_assert_leq(out_parens, in_parens, "parentheses added:\n%s--- formatted:\n%s", b.data, out);
        dpl_free(again);
        dpl_free(out);
        dpl_buf_free(&b);
    }
}

/* Comments in a DPL text: '#' outside string literals. */
static size_t count_comments(const char *t)
{
    size_t n = 0;
    for (; *t; t++) {
        if (*t == '"') {
            for (t++; *t && *t != '"' && *t != '\n'; t++)
                if (*t == '\\' && t[1])
                    t++;
            if (!*t)
                break;
        } else if (*t == '#') {
            n++;
            while (t[1] && t[1] != '\n')
                t++;
        }
    }
    return n;
}

/* Random edits (comments, newlines, commas, parentheses dropped in at random
 * places) of programs with comments: whatever still parses must format to a
 * fixed point with the same AST and the same number of comments. */
Test(fmt, mutated_programs_round_trip)
{
    static const char *const seeds[] = {
        "# head\nentity \"e\" {  # t\n    k1, k2\n}\nsources \"s\"  # u\n"
        "add {\n    k1 + \"-\" +\n        k2 -> c, k1\n    # in\n    n * 2 -> d if n > 0\n}\n# tail\n",
        "add from data.x {\n    all\n    delete y\n    append (a ?? b) as string -> t\n}\n"
        "requirement {\n    not (a and b) or -c < 2\n}\nmandatory {\n    data.\"q r\"[0]\n}\n",
    };
    static const char *const bits[] = {"#", "# c\n", "\n", "\n\n", ",", " ", "(", ")", "-", "\t", "\r\n"};
    rng_state = 7;
    int formatted = 0;
    for (int n = 0; n < 600; n++) {
        DplBuf b = {0};
        dpl_buf_puts(&b, seeds[rnd(2)]);
        for (unsigned k = 1 + rnd(3); k > 0; k--) {
            size_t at = rnd((unsigned)b.len + 1);
            const char *ins = bits[rnd(sizeof bits / sizeof *bits)];
            DplBuf c = {0};
            dpl_buf_append(&c, b.data, at);
            dpl_buf_puts(&c, ins);
            dpl_buf_append(&c, b.data + at, b.len - at);
            dpl_buf_free(&b);
            b = c;
        }
        char *out = fmt_text(b.data, NULL);
        if (out) {
            formatted++;
            char *again = fmt_text(out, NULL);
            cr_assert_not_null(again, "output does not parse:\n%s--- from:\n%s", out, b.data);
            cr_assert_str_eq(again, out, "not idempotent; input:\n%s", b.data);
            cr_assert(same_ast(b.data, out), "AST changed:\n%s--- formatted:\n%s", b.data, out);
            cr_assert_eq(count_comments(out), count_comments(b.data), "comment lost:\n%s--- formatted:\n%s",
                         b.data, out);
            dpl_free(again);
        }
        dpl_free(out);
        dpl_buf_free(&b);
    }
    cr_assert_gt(formatted, 100, "too few mutants parsed (%d) for the test to mean much", formatted);
}

Test(fmt, earlier_errors_in_the_list_do_not_block_formatting)
{
    const char *text = "sources \"s\"\n";
    DplSource *src = dpl_source_new("t.dpl", text, strlen(text));
    DplDiagList d = {0};
    dpl_diag_add(&d, DPL_E301, (DplSpan){0, 0}, "an earlier error from another pass");
    char *out = dpl_fmt(src, &d);
    cr_assert_not_null(out);
    cr_assert_str_eq(out, text);
    cr_assert_eq(d.len, 1, "dpl_fmt added diagnostics for a valid program");
    dpl_free(out);
    dpl_diag_list_free(&d);
    dpl_source_free(src);
}
