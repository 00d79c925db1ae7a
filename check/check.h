/* check.h — semantic checks of a parsed program (spec §9, E3xx and W4xx).
 *
 * The checker resolves builtins against the stdlib signature table, infers
 * static types to find mismatches that hold for every record (E305),
 * compiles regex literals (E311), fills in implicit add targets, and
 * reports duplicate writes (E306), misuse of 'id (E308) and the warnings.
 * It annotates the AST in place; the evaluator relies on those annotations,
 * so only a program with no errors may be evaluated.
 *
 * Ownership: the checker borrows the program and the diagnostic list;
 * annotations and compiled regexes live in the program's arena and die with
 * dpl_program_free().  dpl_compile's program is the caller's to free.
 */
#ifndef DPL_CHECK_H
#define DPL_CHECK_H

#include "ast/ast.h"
#include "diag/diag.h"
#include "stdlib/stdlib.h"

/* Checks prog, appending diagnostics.  Returns true when no errors were added. */
bool dpl_check(DplProgram *prog, DplDiagList *diags);

/* Checks a lone expression (REPL), with the same rules as an add item;
 * returns true when no errors were added. */
bool dpl_check_expr(DplProgram *prog, DplExpr *e, DplDiagList *diags);

/* The static types the checker infers for an expression of a checked
 * program (missing aside): a literal's or a cast's type, a function's
 * result types, DPL_T_ANY for a path.  Reports nothing; the annotations
 * it re-makes are the ones dpl_check made (dplc schema). */
DplTypes dpl_check_types(DplProgram *prog, DplExpr *e);

/* Convenience: parse + check a source; returns the program (never NULL) and
 * sets *ok to whether there were no errors. */
DplProgram *dpl_compile(const DplSource *src, DplDiagList *diags, bool *ok);

/* `dplc check --fix`: src's text with every certain fix of its diagnostics
 * applied (fix.c), as a new string the caller frees (*len set), or NULL
 * when there is nothing to fix.  *fixed counts the diagnostics fixed.  The
 * result always has fewer errors than src. */
char *dpl_check_fix(const DplSource *src, size_t *len, size_t *fixed);

#endif
