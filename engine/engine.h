/* engine.h — the one engine of `dpl run`: every checked program, every
 * record (emitted, skipped or rejected), envelopes and --raw values alike.
 *
 * dpl_engine_new compiles a checked program once into a flat form: each
 * path becomes a slot of one scan plan (scan/), or a slot plus the segments
 * walked at run time; each expression a small node tree whose operators,
 * casts and common builtins run on record-local values.  Per record, one
 * validating scan of the line finds every value the program reads; values
 * borrow their bytes from the line (a string or number that is only copied
 * through is written as its input bytes when those are already what the
 * reference writer prints), computed values live in an arena that is reset
 * for each record, and the output line is written straight into the
 * caller's buffer.  No jansson tree is built on the common path; jansson
 * still serves the rare cases (an operator on values of unusual types, a
 * builtin without a native form, a reject's record), through the reference
 * evaluator's own functions, so the result is byte-identical to
 * dpl_eval_record's (tests/engines compares them on every example,
 * conformance case and fuzz seed).
 *
 * Ownership: an engine owns its compiled form and borrows the program,
 * which must outlive it; it is read-only after creation and may be shared by
 * threads, each with its own DplEngineState.  A DplResult filled by
 * dpl_engine_record borrows nothing from the state except result->source,
 * which is valid until the state's next record.
 */
#ifndef DPL_ENGINE_H
#define DPL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "ast/ast.h"
#include "eval/eval.h"
#include "util/util.h"

typedef struct {
    bool raw;           /* --raw: each line is the data of an envelope */
    const char *source; /* --raw: metadata.source (NULL: the program's default) */
} DplEngineOptions;

typedef struct DplEngine DplEngine;
typedef struct DplEngineState DplEngineState;

typedef enum {
    DPL_ENGINE_EMIT,     /* the entity line (with '\n') was appended to out */
    DPL_ENGINE_SKIP,     /* another source: the caller writes the line to --skipped */
    DPL_ENGINE_REJECT,   /* res holds the errors and the source; the caller writes the reject */
    DPL_ENGINE_BAD_JSON, /* the line is not one valid JSON value (or too deep): parse it for the message */
} DplEngineOutcome;

/* The engine for prog (checked without errors), or NULL when the program
 * uses a construct this engine does not know; then *why (if given) names it
 * (a static string) and the caller must use the reference evaluator. */
DplEngine *dpl_engine_new(const DplProgram *prog, const DplEngineOptions *opt, const char **why);
void dpl_engine_free(DplEngine *e); /* NULL allowed */

/* Whether the program reads 'line: only then does an emitted or skipped
 * record's output depend on its line number (a reject's "line" always does). */
bool dpl_engine_uses_line(const DplEngine *e);

/* Per-thread scratch (scan values, arena, buffers). */
DplEngineState *dpl_engine_state_new(const DplEngine *e);
void dpl_engine_state_free(DplEngineState *st); /* NULL allowed */

/* Runs one record: text[0..len) is the line without its line end; line is
 * its 1-based number ('line).  res is cleared first. */
DplEngineOutcome dpl_engine_record(const DplEngine *e, DplEngineState *st, long line, const char *text, size_t len,
                                   DplBuf *out, DplResult *res);

/* After DPL_ENGINE_REJECT: appends the reject line (spec §8) for the record
 * just run, its "record" written from the line's bytes exactly as
 * dpl_json_write prints the parsed record (the value itself in --raw mode);
 * input, where as for dpl_write_reject_where. */
void dpl_engine_write_reject(DplEngineState *st, DplBuf *out, const char *input, const char *where, size_t where_len,
                             long line, const DplResult *res);

/* After a record that reached validation (res->validated): whether read
 * path `read` of the program (DplProgram.reads) is in it; the signature of
 * dpl_presence_record_fn's callback, with the state as ctx. */
bool dpl_engine_present(const void *state, size_t read);

#endif
