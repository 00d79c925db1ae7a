/* schema.h — the program is the schema (spec §13): the JSON Schema (draft
 * 2020-12) of the entity records a checked program emits, the schema of the
 * envelopes it accepts, and the breaking changes between two versions of a
 * program (`dplc schema`, `dplc schema --input`, `dplc compat`).
 *
 * Everything is derived statically from the checked AST: the checker's type
 * sets (dpl_check_types), what validation guarantees about the input
 * (mandatory paths, entity keys, requirements, `where`, the source filter,
 * and the operands that would otherwise have rejected the record), and a
 * walk over the add blocks in execution order (spec §7 step 4).  A schema
 * only claims what holds for every record `dpl run` emits or accepts; where
 * the program cannot know, it says nothing (`{}`).
 *
 * Ownership: the functions borrow the programs (which must have passed
 * dpl_check with no errors; their annotations are re-made identically) and
 * append to the caller's buffer or diagnostic lists.  Nothing is kept.
 */
#ifndef DPL_SCHEMA_H
#define DPL_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "ast/ast.h"
#include "diag/diag.h"
#include "util/util.h"

/* Appends the JSON Schema of the entity records prog emits, indented, with a
 * final newline. */
void dpl_schema_output(DplBuf *out, DplProgram *prog);

/* Appends the JSON Schema of the input records prog accepts: the envelope
 * {"data":...,"metadata":...}, or with raw the plain value that `dpl run
 * --raw` wraps as data (`false` when no raw record can be accepted). */
void dpl_schema_input(DplBuf *out, DplProgram *prog, bool raw);

/* What dpl_schema_compat found besides the breaking changes. */
typedef struct {
    size_t breaking;      /* errors added (the breaking changes) */
    size_t warnings;      /* warnings added (substitutive changed) */
    size_t added;         /* attributes NEW writes that OLD did not */
    size_t widened;       /* attributes whose type set NEW widened */
    size_t sources_added; /* source names NEW accepts that OLD did not */
} DplCompatSummary;

/* Compares two versions of a program (spec §13): every breaking change is
 * an error diagnostic, added to new_diags with a span into NEW, or to
 * old_diags with a span into OLD when what broke exists only there (a
 * removed attribute or source). */
DplCompatSummary dpl_schema_compat(DplProgram *old_prog, DplProgram *new_prog, DplDiagList *old_diags,
                                   DplDiagList *new_diags);

#endif
