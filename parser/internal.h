/* internal.h — state and helpers shared by the parser's files (not public).
 *
 * cursor.c: token cursor, newline handling, panic mode and E201 messages;
 * expr.c:   the Pratt expression parser and paths;
 * parser.c: statements, blocks and recovery.
 */
#ifndef DPL_PARSER_INTERNAL_H
#define DPL_PARSER_INTERNAL_H

#include "parser/parser.h"

typedef DPL_VEC(DplStmt) DplStmtVec;

typedef struct {
    DplArena *arena;
    const DplSource *src;
    DplDiagList *diags;
    DplToken *toks; /* ends with EOF */
    size_t ntoks;
    size_t pos;     /* current token: never an ERROR token */
    size_t prev_idx; /* last consumed token, or (size_t)-1 before the first */
    /* panic mode (clox): set by the first error, and by skipping a lexer
     * ERROR token; while set no further syntax error is reported.  Cleared
     * at item and statement boundaries (skip_separators). */
    bool panic;
    /* the current token when panic mode last began: where recovery from
     * brackets that are never closed restarts (sync_item) */
    size_t panic_pos;
    /* > 0 inside ( ) or [ ]: newlines are insignificant there. */
    int nest;
    /* current expression nesting, capped at DPL_PARSE_MAX_DEPTH */
    int depth;
    /* depth of the tree being built (nesting plus operators applied in
     * chains), capped at DPL_PARSE_MAX_TREE_DEPTH */
    int tree;
} Parser;

void dpl_parser_init(Parser *p, DplArena *arena, const DplSource *src, DplDiagList *diags);

const DplToken *dpl_p_cur(const Parser *p);
const DplToken *dpl_p_prev(const Parser *p);
bool dpl_p_check(const Parser *p, DplTokKind k);
/* Moves past the current token, skipping lexer ERROR tokens (entering panic
 * mode) and, inside ( ) or [ ], newlines. */
void dpl_p_advance(Parser *p);
void dpl_p_skip_newlines(Parser *p);
/* Skips newlines (and commas when commas is true), leaving panic mode at
 * each one: they are the boundaries errors do not cross. */
void dpl_p_skip_separators(Parser *p, bool commas);
void dpl_p_open_nest(Parser *p);
void dpl_p_close_nest(Parser *p);
bool dpl_parser_at_line_start(const Parser *p, size_t idx);

/* Reports a diagnostic unless in panic mode (then returns NULL); enters
 * panic mode. */
DplDiag *dpl_p_error_at(Parser *p, DplSpan span, DplCode code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* E201 "expected WHAT, found <current token>" at the current token. */
DplDiag *dpl_p_error_expected(Parser *p, const char *what);
/* Attaches to d the fix that quotes an identifier or keyword token t
 * (`entity fipe` -> `entity "fipe"`, `data.if` -> `data."if"`). */
void dpl_p_fix_quote(DplDiag *d, const DplToken *t);


/* Short names inside the parser; the linker sees the dpl_p_ prefix. */
#define cur dpl_p_cur
#define prev dpl_p_prev
#define check dpl_p_check
#define advance dpl_p_advance
#define skip_newlines dpl_p_skip_newlines
#define skip_separators dpl_p_skip_separators
#define open_nest dpl_p_open_nest
#define close_nest dpl_p_close_nest
#define error_at dpl_p_error_at
#define error_expected dpl_p_error_expected
#define fix_quote dpl_p_fix_quote

/* expr.c */
DplExpr *dpl_parse_expression(Parser *p);
/* path = segment { "." segment | "[" ( INT | "-" INT | "*" ) "]" }; the
 * current token is an IDENT or STRING.  Returns a PATH or ERROR expression. */
DplExpr *dpl_parse_path_expr(Parser *p);
DplExpr *dpl_error_expr(Parser *p, DplSpan span);

#endif
