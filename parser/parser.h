/* parser.h — hand-written Pratt parser for DPL (spec §4, precedence §6).
 *
 * Syntax errors (E201–E204) go to the diagnostic list; the parser recovers
 * at the next item or statement boundary, so one run reports every
 * independent error without cascades.  The returned program is always
 * usable by the checker (erroneous expressions become DPL_EXPR_ERROR).
 *
 * Ownership: the program owns its arena; the source is borrowed and must
 * outlive the program.
 */
#ifndef DPL_PARSER_H
#define DPL_PARSER_H

#include "ast/ast.h"
#include "diag/diag.h"
#include "lexer/lexer.h"

/* Maximum expression nesting; deeper input gets a diagnostic, not a crash. */
#define DPL_PARSE_MAX_DEPTH 200
/* Maximum depth of an expression's tree, counting each operator of a chain
 * (`a + b + c` is two levels): the checker, evaluator and formatter recurse
 * over the tree, so a 100000-term chain must be refused, not overflow their
 * stack.  Deeper input gets a diagnostic (docs/limits.md). */
#define DPL_PARSE_MAX_TREE_DEPTH 1000

/* Lexes and parses src.  Never returns NULL. */
DplProgram *dpl_parse(const DplSource *src, DplDiagList *diags);

/* Parses src as a single expression (the REPL's "expression" input).
 * Returns NULL (with diagnostics) if it is not exactly one expression.
 * The expression lives in prog's arena. */
DplExpr *dpl_parse_expr(DplProgram *prog, const DplSource *src, DplDiagList *diags);

#endif
