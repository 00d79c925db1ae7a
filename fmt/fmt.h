/* fmt.h — the canonical layout of DPL programs (`dplc fmt`, REPL `:show`).
 *
 * 4-space indentation, one item per line, spaces around binary operators,
 * comments kept where they were.  Formatting is idempotent and the output
 * parses to the same AST (dpl_ast_equal).
 *
 * Ownership: the returned text is the caller's (dpl_free).
 */
#ifndef DPL_FMT_H
#define DPL_FMT_H

#include "diag/diag.h"

/* Returns the formatted program, or NULL when src has syntax errors (which
 * are appended to diags: a program that does not parse is never rewritten). */
char *dpl_fmt(const DplSource *src, DplDiagList *diags);

#endif
