/* internal.h — helpers shared by the formatter's files (not a public API). */
#ifndef DPL_FMT_INTERNAL_H
#define DPL_FMT_INTERNAL_H

#include "ast/ast.h"
#include "diag/diag.h"
#include "util/util.h"

/* Appends e with the fewest parentheses that parse back to the same tree. */
void dpl_fmt_expr(DplBuf *out, const DplSource *src, const DplExpr *e);

#endif
