/* test_lexer.c — the scanner: every token kind, values, spans and code-point
 * columns, newline and comment handling, and each lexical error (E101–E104)
 * with the promise that lexing carries on after it. */
#include <criterion/criterion.h>
#include <string.h>

#include "lexer/lexer.h"

static DplArena *arena;
static DplDiagList diags;
static DplSource *src;
static DplTokens toks;

static void setup(void)
{
    arena = dpl_arena_new();
    memset(&diags, 0, sizeof diags);
    src = NULL;
}

static void teardown(void)
{
    dpl_arena_free(arena);
    dpl_diag_list_free(&diags);
    dpl_source_free(src);
}

TestSuite(lexer, .init = setup, .fini = teardown);

static void lex_n(const char *text, size_t n, bool comments)
{
    src = dpl_source_new("t.dpl", text, n);
    toks = dpl_lex(src, arena, &diags, comments);
}

static void lex(const char *text) { lex_n(text, strlen(text), false); }

static DplPos pos_of(uint32_t off) { return dpl_source_locate(src, off); }

/* Asserts the token kinds, EOF included. */
static void expect_kinds(const DplTokKind *kinds, size_t n)
{
    cr_assert_eq(toks.len, n, "expected %zu tokens, got %zu", n, toks.len);
    for (size_t i = 0; i < n; i++)
        cr_expect_eq(toks.items[i].kind, kinds[i], "token %zu: expected %s, got %s", i, dpl_tok_spelling(kinds[i]),
                     dpl_tok_spelling(toks.items[i].kind));
}

#define EXPECT_KINDS(...)                                          \
    do {                                                           \
        const DplTokKind k_[] = {__VA_ARGS__};                     \
        expect_kinds(k_, sizeof k_ / sizeof *k_);                  \
    } while (0)

static void expect_one_diag(DplCode code, unsigned line, unsigned col)
{
    cr_assert_eq(diags.len, 1, "expected one diagnostic, got %zu", diags.len);
    cr_expect_eq(diags.items[0].code, code, "got %s: %s", dpl_code_name(diags.items[0].code), diags.items[0].message);
    DplPos p = pos_of(diags.items[0].span.start);
    cr_expect_eq(p.line, line, "line %u, expected %u", p.line, line);
    cr_expect_eq(p.column, col, "column %u, expected %u", p.column, col);
}

/* ---- token kinds ---------------------------------------------------------------- */

Test(lexer, empty_source_is_just_eof)
{
    lex("");
    EXPECT_KINDS(DPL_TOK_EOF);
    cr_expect_eq(toks.items[0].span.start, 0);
    cr_expect_eq(toks.items[0].start.line, 1);
    cr_expect_eq(toks.items[0].start.column, 1);
}

Test(lexer, every_punctuation_token)
{
    lex("{ } ( ) [ ] , . -> ?? == != < <= > >= + - * / % ! && ||");
    EXPECT_KINDS(DPL_TOK_LBRACE, DPL_TOK_RBRACE, DPL_TOK_LPAREN, DPL_TOK_RPAREN, DPL_TOK_LBRACKET, DPL_TOK_RBRACKET,
                 DPL_TOK_COMMA, DPL_TOK_DOT, DPL_TOK_ARROW, DPL_TOK_COALESCE, DPL_TOK_EQ, DPL_TOK_NE, DPL_TOK_LT,
                 DPL_TOK_LE, DPL_TOK_GT, DPL_TOK_GE, DPL_TOK_PLUS, DPL_TOK_MINUS, DPL_TOK_STAR, DPL_TOK_SLASH,
                 DPL_TOK_PERCENT, DPL_TOK_BANG, DPL_TOK_AMPAMP, DPL_TOK_PIPEPIPE, DPL_TOK_EOF);
    cr_expect_eq(diags.len, 0);
}

Test(lexer, operators_without_spaces_take_the_longest_match)
{
    lex("a->b<=c>=d!=e==f??g-1");
    EXPECT_KINDS(DPL_TOK_IDENT, DPL_TOK_ARROW, DPL_TOK_IDENT, DPL_TOK_LE, DPL_TOK_IDENT, DPL_TOK_GE, DPL_TOK_IDENT,
                 DPL_TOK_NE, DPL_TOK_IDENT, DPL_TOK_EQ, DPL_TOK_IDENT, DPL_TOK_COALESCE, DPL_TOK_IDENT, DPL_TOK_MINUS,
                 DPL_TOK_INT, DPL_TOK_EOF);
}

/* Field names that print bare in paths (dplc ast, reject paths) are exactly
 * those the lexer reads as one identifier. */
Test(lexer, name_shape_matches_the_ident_rule)
{
    static const char *const names[] = {"valor", "_x9", "if", "A"};
    static const char *const quoted[] = {"", "9a", "first name", "pre\xc3\xa7o", "a-b", "x.y"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        cr_expect(dpl_tok_is_name(names[i], strlen(names[i])), "%s", names[i]);
        lex(names[i]);
        cr_expect_eq(toks.len, 2, "%s is one token", names[i]);
        teardown();
        setup();
    }
    for (size_t i = 0; i < sizeof quoted / sizeof *quoted; i++)
        cr_expect_not(dpl_tok_is_name(quoted[i], strlen(quoted[i])), "%s", quoted[i]);
    cr_expect(dpl_tok_is_name("a-b", 1), "the length ends the name");
    cr_expect_not(dpl_tok_is_name("a\0b", 3), "a NUL byte is not part of a name");
}

Test(lexer, every_keyword_and_its_spelling)
{
    for (int k = DPL_TOK_FIRST_KEYWORD; k <= DPL_TOK_LAST_KEYWORD; k++) {
        const char *s = dpl_tok_spelling((DplTokKind)k);
        cr_expect_eq(dpl_tok_keyword(s, strlen(s)), (DplTokKind)k, "%s", s);
        cr_expect(dpl_tok_is_keyword((DplTokKind)k));
    }
    cr_expect_eq(dpl_tok_keyword("entityx", 7), DPL_TOK_IDENT);
    cr_expect_eq(dpl_tok_keyword("Entity", 6), DPL_TOK_IDENT);
    cr_expect_eq(dpl_tok_keyword("entity", 3), DPL_TOK_IDENT, "a prefix is not the keyword");
    cr_expect_not(dpl_tok_is_keyword(DPL_TOK_IDENT));
    cr_expect_str_eq(dpl_tok_spelling(DPL_TOK_ARROW), "->");
    cr_expect_str_eq(dpl_tok_spelling(DPL_TOK_EOF), "end of file");

    lex("entity substitutive sources using mandatory requirement add from all append overwrite delete if as and "
        "or not true false null where");
    EXPECT_KINDS(DPL_TOK_KW_ENTITY, DPL_TOK_KW_SUBSTITUTIVE, DPL_TOK_KW_SOURCES, DPL_TOK_KW_USING,
                 DPL_TOK_KW_MANDATORY, DPL_TOK_KW_REQUIREMENT, DPL_TOK_KW_ADD, DPL_TOK_KW_FROM, DPL_TOK_KW_ALL,
                 DPL_TOK_KW_APPEND, DPL_TOK_KW_OVERWRITE, DPL_TOK_KW_DELETE, DPL_TOK_KW_IF, DPL_TOK_KW_AS,
                 DPL_TOK_KW_AND, DPL_TOK_KW_OR, DPL_TOK_KW_NOT, DPL_TOK_KW_TRUE, DPL_TOK_KW_FALSE, DPL_TOK_KW_NULL,
                 DPL_TOK_KW_WHERE, DPL_TOK_EOF);
}

Test(lexer, identifiers_and_meta_attributes)
{
    lex("_a1 Data 'id 'source x'line");
    EXPECT_KINDS(DPL_TOK_IDENT, DPL_TOK_IDENT, DPL_TOK_META, DPL_TOK_META, DPL_TOK_IDENT, DPL_TOK_META, DPL_TOK_EOF);
    cr_expect_str_eq(toks.items[0].str, "_a1");
    cr_expect_eq(toks.items[0].str_len, 3);
    cr_expect_str_eq(toks.items[1].str, "Data");
    cr_expect_str_eq(toks.items[2].str, "id", "meta names are stored without the quote");
    cr_expect_eq(toks.items[2].span.end - toks.items[2].span.start, 3, "the span includes the quote");
    cr_expect_str_eq(toks.items[3].str, "source");
    cr_expect_str_eq(toks.items[5].str, "line");
}

/* ---- numbers ---------------------------------------------------------------------- */

Test(lexer, integers)
{
    lex("0 42 9223372036854775807");
    EXPECT_KINDS(DPL_TOK_INT, DPL_TOK_INT, DPL_TOK_INT, DPL_TOK_EOF);
    cr_expect_eq(toks.items[0].num.i, 0);
    cr_expect_eq(toks.items[1].num.i, 42);
    cr_expect_eq(toks.items[2].num.i, INT64_MAX);
    cr_expect_eq(diags.len, 0);
}

Test(lexer, minus_is_never_part_of_a_literal)
{
    lex("-5 -1.5");
    EXPECT_KINDS(DPL_TOK_MINUS, DPL_TOK_INT, DPL_TOK_MINUS, DPL_TOK_REAL, DPL_TOK_EOF);
    cr_expect_eq(toks.items[1].num.i, 5);
}

Test(lexer, decimals)
{
    lex("1.5 2e10 1.5e-3 2E+2 0.25");
    EXPECT_KINDS(DPL_TOK_REAL, DPL_TOK_REAL, DPL_TOK_REAL, DPL_TOK_REAL, DPL_TOK_REAL, DPL_TOK_EOF);
    cr_expect_eq(toks.items[0].num.r, 1.5);
    cr_expect_eq(toks.items[1].num.r, 2e10);
    cr_expect_eq(toks.items[2].num.r, 1.5e-3);
    cr_expect_eq(toks.items[3].num.r, 200.0);
    cr_expect_eq(toks.items[4].num.r, 0.25);
    cr_expect_eq(diags.len, 0);
}

Test(lexer, dot_after_integer_without_digits_is_one_E104)
{
    /* no INT `.` sequence is valid DPL: `1.` is a decimal missing its
     * digits, reported once (not an integer, then a stray `.`) */
    lex("1. x");
    EXPECT_KINDS(DPL_TOK_ERROR, DPL_TOK_IDENT, DPL_TOK_EOF);
    expect_one_diag(DPL_E104, 1, 1);
    cr_expect(strstr(diags.items[0].help, "`1.0`"), "%s", diags.items[0].help);
}

Test(lexer, single_quoted_text_is_one_E101_and_the_string_meant)
{
    lex("sources 'fi pe'\nconcat('id, 'source) 'x'");
    EXPECT_KINDS(DPL_TOK_KW_SOURCES, DPL_TOK_STRING, DPL_TOK_NEWLINE, DPL_TOK_IDENT, DPL_TOK_LPAREN, DPL_TOK_META,
                 DPL_TOK_COMMA, DPL_TOK_META, DPL_TOK_RPAREN, DPL_TOK_STRING, DPL_TOK_EOF);
    cr_expect_eq(diags.len, 2);
    cr_expect_eq(diags.items[0].code, DPL_E101);
    cr_expect_str_eq(toks.items[1].str, "fi pe");
    cr_expect_str_eq(diags.items[0].help, "write \"fi pe\"");
    cr_expect_str_eq(toks.items[5].str, "id");
    cr_expect_str_eq(toks.items[7].str, "source");
    cr_expect_str_eq(toks.items[9].str, "x");
}

Test(lexer, typographic_quotes_and_non_ascii_names_are_one_E101_each)
{
    lex("sources \u201cs\u201d\ndata.pre\u00e7o -> p");
    EXPECT_KINDS(DPL_TOK_KW_SOURCES, DPL_TOK_STRING, DPL_TOK_NEWLINE, DPL_TOK_IDENT, DPL_TOK_DOT, DPL_TOK_ERROR,
                 DPL_TOK_ARROW, DPL_TOK_IDENT, DPL_TOK_EOF);
    cr_expect_eq(diags.len, 2);
    cr_expect_str_eq(toks.items[1].str, "s");
    cr_expect_eq(diags.items[1].code, DPL_E101);
    cr_expect_str_eq(diags.items[1].help, "names are ASCII letters, digits and `_`; quote the field name: \"pre\u00e7o\"");
}

Test(lexer, integer_overflow_is_E104_at_the_literal_and_lexing_continues)
{
    /* conformance c15 */
    lex("entity \"e\" { k }\nsources \"s\"\nadd {\n    k + 99999999999999999999 -> x\n}\n");
    expect_one_diag(DPL_E104, 4, 9);
    size_t i = 0;
    while (toks.items[i].kind != DPL_TOK_ERROR)
        i++;
    cr_expect_eq(toks.items[i - 1].kind, DPL_TOK_PLUS);
    cr_expect_eq(toks.items[i + 1].kind, DPL_TOK_ARROW, "lexing continues after the bad literal");
    cr_expect_eq(toks.items[i + 2].kind, DPL_TOK_IDENT);
}

Test(lexer, int64_min_magnitude_overflows_as_a_literal)
{
    lex("9223372036854775808");
    expect_one_diag(DPL_E104, 1, 1);
    EXPECT_KINDS(DPL_TOK_ERROR, DPL_TOK_EOF);
}

Test(lexer, malformed_numbers_are_E104)
{
    lex("1e");
    expect_one_diag(DPL_E104, 1, 1);
    dpl_diag_list_clear(&diags);
    dpl_source_free(src);
    lex("x 1.5e+ y");
    expect_one_diag(DPL_E104, 1, 3);
    EXPECT_KINDS(DPL_TOK_IDENT, DPL_TOK_ERROR, DPL_TOK_IDENT, DPL_TOK_EOF);
    dpl_diag_list_clear(&diags);
    dpl_source_free(src);
    lex("12abc");
    expect_one_diag(DPL_E104, 1, 1);
    dpl_diag_list_clear(&diags);
    dpl_source_free(src);
    lex("007");
    expect_one_diag(DPL_E104, 1, 1);
    dpl_diag_list_clear(&diags);
    dpl_source_free(src);
    lex("1e400");
    expect_one_diag(DPL_E104, 1, 1);
}

/* ---- strings ------------------------------------------------------------------------ */

Test(lexer, string_escapes_are_decoded)
{
    lex("\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"");
    EXPECT_KINDS(DPL_TOK_STRING, DPL_TOK_EOF);
    cr_expect_str_eq(toks.items[0].str, "a\"b\\c/d\be\ff\ng\rh\ti");
    cr_expect_eq(toks.items[0].str_len, strlen("a\"b\\c/d\be\ff\ng\rh\ti"));
}

Test(lexer, unicode_escapes_and_surrogate_pairs)
{
    lex("\"\\u00e9\\u20AC\\ud83d\\ude00\" \"caf\xc3\xa9\"");
    EXPECT_KINDS(DPL_TOK_STRING, DPL_TOK_STRING, DPL_TOK_EOF);
    cr_expect_str_eq(toks.items[0].str, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    cr_expect_str_eq(toks.items[1].str, "caf\xc3\xa9", "raw UTF-8 passes through");
    cr_expect_eq(diags.len, 0);
}

Test(lexer, escaped_nul_is_kept_with_its_length)
{
    lex("\"a\\u0000b\"");
    EXPECT_KINDS(DPL_TOK_STRING, DPL_TOK_EOF);
    cr_expect_eq(toks.items[0].str_len, 3);
    cr_expect_eq(memcmp(toks.items[0].str, "a\0b", 3), 0);
}

Test(lexer, raw_newline_in_string_is_E102_at_the_opening_quote)
{
    /* conformance c04 */
    lex("entity \"e\" { k }\nsources \"s\nadd { k }\n");
    expect_one_diag(DPL_E102, 2, 9);
    /* the next line lexes normally */
    size_t i = 0;
    while (toks.items[i].kind != DPL_TOK_ERROR)
        i++;
    cr_expect_eq(toks.items[i + 1].kind, DPL_TOK_NEWLINE);
    cr_expect_eq(toks.items[i + 2].kind, DPL_TOK_KW_ADD);
    cr_expect_eq(toks.items[i + 2].start.line, 3);
}

Test(lexer, string_unterminated_at_end_of_file)
{
    lex("x \"abc");
    expect_one_diag(DPL_E102, 1, 3);
    EXPECT_KINDS(DPL_TOK_IDENT, DPL_TOK_ERROR, DPL_TOK_EOF);
}

Test(lexer, invalid_escape_is_E103_at_the_backslash)
{
    /* conformance c14 */
    lex("entity \"e\" { k }\nsources \"s\"\nadd {\n    \"a\\qb\" -> x\n}\n");
    expect_one_diag(DPL_E103, 4, 7);
    cr_expect_eq(diags.items[0].span.end - diags.items[0].span.start, 2, "the span covers `\\q`");
    size_t i = 0;
    while (toks.items[i].kind != DPL_TOK_ERROR)
        i++;
    cr_expect_eq(toks.items[i + 1].kind, DPL_TOK_ARROW, "lexing continues after the string");
}

Test(lexer, bad_unicode_escapes_are_E103)
{
    const char *bad[] = {"\"\\u12\"", "\"\\ud800\"", "\"\\ude00\"", "\"\\ud800\\u0041\"", "\"\\uZZZZ\""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        lex(bad[i]);
        cr_expect_eq(diags.len, 1, "%s", bad[i]);
        if (diags.len)
            cr_expect_eq(diags.items[0].code, DPL_E103, "%s", bad[i]);
        cr_expect_eq(toks.items[toks.len - 1].kind, DPL_TOK_EOF);
        teardown(); /* a fresh fixture for the next input (the suite's fini frees the last) */
        setup();
    }
}

Test(lexer, several_errors_in_one_string_are_all_reported_once_each)
{
    lex("\"\\q\\z\" x");
    cr_assert_eq(diags.len, 2);
    cr_expect_eq(pos_of(diags.items[0].span.start).column, 2);
    cr_expect_eq(pos_of(diags.items[1].span.start).column, 4);
    EXPECT_KINDS(DPL_TOK_ERROR, DPL_TOK_IDENT, DPL_TOK_EOF);
}

/* ---- stray characters, NUL and invalid UTF-8 ----------------------------------------------- */

Test(lexer, unexpected_character_is_E101_and_lexing_continues)
{
    /* conformance c17 */
    lex("entity \"e\" { k }\nsources \"s\"\nadd {\n    k\n    $\n}\n");
    expect_one_diag(DPL_E101, 5, 5);
    cr_expect(strstr(diags.items[0].message, "`$`") != NULL, "%s", diags.items[0].message);
    size_t i = 0;
    while (toks.items[i].kind != DPL_TOK_ERROR)
        i++;
    cr_expect_eq(toks.items[i + 1].kind, DPL_TOK_NEWLINE);
    cr_expect_eq(toks.items[i + 2].kind, DPL_TOK_RBRACE);
}

Test(lexer, two_stray_characters_on_one_line_are_two_errors)
{
    lex("a $ b @ c");
    cr_assert_eq(diags.len, 2);
    cr_expect_eq(pos_of(diags.items[0].span.start).column, 3);
    cr_expect_eq(pos_of(diags.items[1].span.start).column, 7);
    EXPECT_KINDS(DPL_TOK_IDENT, DPL_TOK_ERROR, DPL_TOK_IDENT, DPL_TOK_ERROR, DPL_TOK_IDENT, DPL_TOK_EOF);
}

Test(lexer, punctuation_from_other_scripts_is_one_E101_and_lexing_moves_on)
{
    /* an em dash cannot be part of a name: it once made the lexer report the
     * same E101 forever (found by fuzzing) */
    lex("x \xe2\x80\x94" "abc -> y\nz\xe2\x80\x94" " -> w");
    cr_assert_eq(diags.len, 2);
    cr_expect_eq(diags.items[0].code, DPL_E101);
    cr_expect_eq(pos_of(diags.items[0].span.start).column, 3);
    cr_expect_eq(diags.items[1].code, DPL_E101);
    cr_expect_eq(toks.items[toks.len - 1].kind, DPL_TOK_EOF);
}

Test(lexer, lone_quote_is_E101)
{
    lex("' x");
    expect_one_diag(DPL_E101, 1, 1);
}

Test(lexer, nul_byte_inside_the_program_is_E101_not_end_of_input)
{
    lex_n("a\0b", 3, false);
    expect_one_diag(DPL_E101, 1, 2);
    EXPECT_KINDS(DPL_TOK_IDENT, DPL_TOK_ERROR, DPL_TOK_IDENT, DPL_TOK_EOF);
    cr_expect_eq(toks.items[3].span.start, 3, "EOF is at the real end");
}

Test(lexer, invalid_utf8_is_E101_one_byte_at_a_time)
{
    lex("a \xff\xfe b \xc3");
    cr_assert_eq(diags.len, 3);
    for (size_t i = 0; i < 3; i++)
        cr_expect_eq(diags.items[i].code, DPL_E101);
    cr_expect_eq(toks.items[toks.len - 1].kind, DPL_TOK_EOF);
    cr_expect_eq(toks.items[toks.len - 2].kind, DPL_TOK_ERROR, "a truncated sequence at the end is reported");
}

Test(lexer, invalid_utf8_inside_a_string_or_comment)
{
    lex_n("\"a\xff\" # c\xc0\n x", 12, false);
    cr_expect_eq(diags.len, 2);
    EXPECT_KINDS(DPL_TOK_ERROR, DPL_TOK_NEWLINE, DPL_TOK_IDENT, DPL_TOK_EOF);
}

/* ---- positions ------------------------------------------------------------------------------- */

Test(lexer, spans_are_byte_offsets_and_columns_count_code_points)
{
    /* é is 2 bytes, € 3, 😀 4 */
    lex("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\" x\n  y");
    EXPECT_KINDS(DPL_TOK_STRING, DPL_TOK_IDENT, DPL_TOK_NEWLINE, DPL_TOK_IDENT, DPL_TOK_EOF);
    DplToken *s = &toks.items[0], *x = &toks.items[1], *y = &toks.items[3];
    cr_expect_eq(s->span.start, 0);
    cr_expect_eq(s->span.end, 11);
    cr_expect_eq(s->end.column, 6, "the closing quote ends at code point column 6");
    cr_expect_eq(x->span.start, 12);
    cr_expect_eq(x->start.line, 1);
    cr_expect_eq(x->start.column, 7);
    cr_expect_eq(x->end.column, 8);
    cr_expect_eq(y->start.line, 2);
    cr_expect_eq(y->start.column, 3);
    /* the lexer agrees with the diagnostics' locator everywhere */
    for (size_t i = 0; i < toks.len; i++) {
        DplPos p = pos_of(toks.items[i].span.start);
        cr_expect_eq(p.line, toks.items[i].start.line);
        cr_expect_eq(p.column, toks.items[i].start.column);
    }
}

Test(lexer, one_newline_token_per_line_end)
{
    lex("a\n\nb\n");
    EXPECT_KINDS(DPL_TOK_IDENT, DPL_TOK_NEWLINE, DPL_TOK_NEWLINE, DPL_TOK_IDENT, DPL_TOK_NEWLINE, DPL_TOK_EOF);
    cr_expect_eq(toks.items[1].start.line, 1);
    cr_expect_eq(toks.items[1].end.line, 2);
    cr_expect_eq(toks.items[1].end.column, 1);
    cr_expect_eq(toks.items[3].start.line, 3);
}

Test(lexer, crlf_is_one_newline)
{
    lex("a\r\nb\r\n");
    EXPECT_KINDS(DPL_TOK_IDENT, DPL_TOK_NEWLINE, DPL_TOK_IDENT, DPL_TOK_NEWLINE, DPL_TOK_EOF);
    cr_expect_eq(toks.items[1].span.end - toks.items[1].span.start, 2);
    cr_expect_eq(toks.items[2].start.line, 2);
    cr_expect_eq(toks.items[2].start.column, 1);
    cr_expect_eq(diags.len, 0);
}

Test(lexer, lone_carriage_return_is_whitespace)
{
    lex("a\rb");
    EXPECT_KINDS(DPL_TOK_IDENT, DPL_TOK_IDENT, DPL_TOK_EOF);
    cr_expect_eq(diags.len, 0);
}

/* ---- comments ------------------------------------------------------------------------------- */

Test(lexer, comments_are_dropped_by_default)
{
    lex("a # comment \"with quote\n# whole line\nb");
    EXPECT_KINDS(DPL_TOK_IDENT, DPL_TOK_NEWLINE, DPL_TOK_NEWLINE, DPL_TOK_IDENT, DPL_TOK_EOF);
    cr_expect_eq(diags.len, 0);
}

Test(lexer, comments_are_kept_on_request_without_the_line_end)
{
    const char *text = "a # one\r\n# two";
    lex_n(text, strlen(text), true);
    EXPECT_KINDS(DPL_TOK_IDENT, DPL_TOK_COMMENT, DPL_TOK_NEWLINE, DPL_TOK_COMMENT, DPL_TOK_EOF);
    cr_expect_str_eq(toks.items[1].str, "# one");
    cr_expect_eq(toks.items[1].start.column, 3);
    cr_expect_str_eq(toks.items[3].str, "# two");
}

Test(lexer, nul_in_a_comment_is_reported_and_the_comment_goes_on)
{
    lex_n("# a\0 b\nx", 8, false);
    expect_one_diag(DPL_E101, 1, 4);
    EXPECT_KINDS(DPL_TOK_NEWLINE, DPL_TOK_IDENT, DPL_TOK_EOF);
}
