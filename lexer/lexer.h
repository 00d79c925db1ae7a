/* lexer.h — turns DPL source text into tokens (spec §3).
 *
 * The scanner is an re2c spec (lexer.re) compiled at build time.  Lexical
 * errors (E101–E104) are appended to the diagnostic list and lexing carries
 * on with the next character, so one run reports every problem.
 *
 * Every token kind is defined once in DPL_TOKENS: enum name and spelling
 * (used in "expected X" messages and by the formatter).
 *
 * Ownership: token arrays and decoded string values live in the arena passed
 * to dpl_lex(); they die with it.
 */
#ifndef DPL_LEXER_H
#define DPL_LEXER_H

#include "diag/diag.h"
#include "util/util.h"

/* X(NAME, spelling) */
#define DPL_TOKENS(X)                   \
    X(EOF, "end of file")               \
    X(NEWLINE, "newline")               \
    X(COMMENT, "comment")               \
    X(ERROR, "invalid token")           \
    X(IDENT, "identifier")              \
    X(STRING, "string")                 \
    X(INT, "integer")                   \
    X(REAL, "number")                   \
    X(META, "meta attribute")           \
    X(LBRACE, "{")                      \
    X(RBRACE, "}")                      \
    X(LPAREN, "(")                      \
    X(RPAREN, ")")                      \
    X(LBRACKET, "[")                    \
    X(RBRACKET, "]")                    \
    X(COMMA, ",")                       \
    X(DOT, ".")                         \
    X(ARROW, "->")                      \
    X(COALESCE, "??")                   \
    X(EQ, "==")                         \
    X(NE, "!=")                         \
    X(LT, "<")                          \
    X(LE, "<=")                         \
    X(GT, ">")                          \
    X(GE, ">=")                         \
    X(PLUS, "+")                        \
    X(MINUS, "-")                       \
    X(STAR, "*")                        \
    X(SLASH, "/")                       \
    X(PERCENT, "%")                     \
    X(BANG, "!")                        \
    X(AMPAMP, "&&")                     \
    X(PIPEPIPE, "||")                   \
    X(KW_ENTITY, "entity")              \
    X(KW_SUBSTITUTIVE, "substitutive")  \
    X(KW_SOURCES, "sources")            \
    X(KW_USING, "using")                \
    X(KW_MANDATORY, "mandatory")        \
    X(KW_REQUIREMENT, "requirement")    \
    X(KW_ADD, "add")                    \
    X(KW_FROM, "from")                  \
    X(KW_ALL, "all")                    \
    X(KW_APPEND, "append")              \
    X(KW_OVERWRITE, "overwrite")        \
    X(KW_DELETE, "delete")              \
    X(KW_IF, "if")                      \
    X(KW_AS, "as")                      \
    X(KW_AND, "and")                    \
    X(KW_OR, "or")                      \
    X(KW_NOT, "not")                    \
    X(KW_TRUE, "true")                  \
    X(KW_FALSE, "false")                \
    X(KW_NULL, "null")                  \
    X(KW_WHERE, "where")

typedef enum {
#define X(name, spelling) DPL_TOK_##name,
    DPL_TOKENS(X)
#undef X
    DPL_TOK_COUNT
} DplTokKind;

#define DPL_TOK_FIRST_KEYWORD DPL_TOK_KW_ENTITY
#define DPL_TOK_LAST_KEYWORD DPL_TOK_KW_WHERE

typedef struct {
    DplTokKind kind;
    DplSpan span;        /* bytes of the token in the source */
    DplPos start, end;   /* 1-based line/column (code points) of span.start and span.end */
    union {
        int64_t i;       /* INT */
        double r;        /* REAL */
    } num;
    const char *str;     /* STRING: decoded value; IDENT/META: the name (META without the '); arena-owned */
    size_t str_len;      /* byte length of str (STRING values may contain NUL via \u0000) */
} DplToken;

typedef struct {
    DplToken *items;     /* always ends with one DPL_TOK_EOF */
    size_t len;
} DplTokens;

/* Spelling of a token kind ("->", "entity", "identifier"). */
const char *dpl_tok_spelling(DplTokKind k);
/* Keyword kind for an identifier spelling, or DPL_TOK_IDENT. */
DplTokKind dpl_tok_keyword(const char *s, size_t n);
/* Whether s[0..n) has the shape of an identifier ([A-Za-z_][A-Za-z0-9_]*,
 * keywords included): such a field name needs no quotes in a path. */
bool dpl_tok_is_name(const char *s, size_t n);
/* Whether k is one of the keyword kinds (DPL_TOK_KW_*). */
bool dpl_tok_is_keyword(DplTokKind k);

/* Lexes the whole source.  NEWLINE tokens are produced (the parser needs
 * them); COMMENT tokens only when keep_comments is true (the formatter). */
DplTokens dpl_lex(const DplSource *src, DplArena *arena, DplDiagList *diags, bool keep_comments);

#endif
