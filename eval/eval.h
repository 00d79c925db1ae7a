/* eval.h — runs a checked program on one record (spec §5–§8).
 *
 * Phases, in order: source filter, validation (every failure collected),
 * identity (SHA-256 of the canonical keys), build (add blocks), emit.
 * Runtime problems never crash and never produce a wrong value: they become
 * the reject codes of §8 (stdlib.h DplRtCode).
 *
 * Ownership: dpl_eval_record borrows the record; the DplResult owns its
 * entity (a new reference) and its error list until dpl_result_clear();
 * dpl_result_free() also releases the storage kept for reuse.
 */
#ifndef DPL_EVAL_H
#define DPL_EVAL_H

#include <jansson.h>
#include <stdbool.h>

#include "ast/ast.h"
#include "stdlib/stdlib.h"
#include "util/util.h"

typedef enum { DPL_EMIT, DPL_SKIP, DPL_REJECT } DplOutcome;

typedef struct {
    DplRtCode code;
    char *path;       /* absolute path ("data.valor") or NULL; owned */
    char *message;    /* owned */
    bool has_rule;
    DplSpan rule;     /* DPL source that produced the error */
    json_t *value;    /* type_error / cast_failed: the offending value (spec
                         §12.4), a reference; NULL when none (a JSON null
                         value is json_null()) */
} DplRecError;

/* Why a record was skipped (spec §12.1: --stats "skipped_by"). */
typedef enum { DPL_SKIP_SOURCE, DPL_SKIP_WHERE } DplSkipReason;

typedef struct {
    DplOutcome outcome;
    DplSkipReason skipped_by; /* DPL_SKIP only */
    /* the record passed the source filter and `where` and went through
     * validation: it counts for never_present (spec §12.5) */
    bool validated;
    json_t *entity;   /* DPL_EMIT: {"entity","id","source",["substitutive"],"data"} */
    const char *source; /* the record's source name, borrowed from the record (or NULL) */
    DplRecError *errors;
    size_t nerrors, cap;
} DplResult;

/* Prepared, read-only view of a checked program; may be shared by threads. */
typedef struct DplEvaluator DplEvaluator;

/* prog must have passed dpl_check(); it must outlive the evaluator. */
DplEvaluator *dpl_eval_new(const DplProgram *prog);
/* Frees what dpl_eval_new prepared (not the program); NULL is allowed. */
void dpl_eval_free(DplEvaluator *ev);

/* Coverage hook (dpl test --coverage, docs/testing.md).  When set, the
 * evaluator calls fn for each point of the program a record passes: the
 * `sources` statement (taken: the record's source is listed), each entity key
 * and mandatory path (taken: always true), each requirement (taken: it held),
 * each add item (taken: it ran; for an item with `if`, whether the condition
 * held).  node is the DplStmt, DplExpr or DplAddItem of the point.  A hook
 * makes the evaluator single-threaded; fn NULL removes it. */
typedef void (*DplCoverFn)(void *ctx, const void *node, bool taken);
void dpl_eval_set_cover(DplEvaluator *ev, DplCoverFn fn, void *ctx);

/* The name records get in --raw mode when --source is not given: the first
 * name of `sources`, or "stdin". */
const char *dpl_eval_default_source(const DplEvaluator *ev);

/* Evaluates one envelope.  line is the 1-based input line ('line). */
void dpl_eval_record(const DplEvaluator *ev, json_t *record, long line, DplResult *out);

/* Evaluates a lone checked expression against a record (REPL); returns a new
 * reference, NULL for missing; runtime errors go to *err. */
json_t *dpl_eval_expr(const DplEvaluator *ev, const DplExpr *e, json_t *record, long line, DplRtError *err);
/* As dpl_eval_expr, but a runtime error is added to *errors as a reject
 * would carry it: with its path and offending value (spec §12.4). */
json_t *dpl_eval_expr_blamed(const DplEvaluator *ev, const DplExpr *e, json_t *record, long line, DplResult *errors);

void dpl_result_init(DplResult *r); /* an empty result */
void dpl_result_clear(DplResult *r); /* frees the entity and errors; keeps the error array for reuse */
void dpl_result_free(DplResult *r);  /* clear, and release the error array */
/* Adds an error (used by the reader for invalid_json / limit_exceeded too). */
void dpl_result_add_error(DplResult *r, DplRtCode code, const char *path, const DplSpan *rule,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Gives the last error added the offending value, as dpl_value_cut makes
 * it (value is borrowed; may be json_null()).  No-op without errors. */
void dpl_result_set_value(DplResult *r, json_t *value);
/* The offending value as errors carry it (spec §12.4, §12.6): v with every
 * string longer than 200 code points, at any depth, cut to its first 200
 * code points followed by "…"; object keys are kept whole.  Returns a new
 * reference (v itself when nothing is cut; v is borrowed). */
json_t *dpl_value_cut(json_t *v);

/* ---- paths that are never there (spec §12.5) ------------------------------------ */

/* Which of a checked program's read paths (DplProgram.reads) were present
 * in at least one record.  One per thread; merge at the end. */
typedef struct DplPresence DplPresence;

/* prog must have passed dpl_check and outlive the tracker. */
DplPresence *dpl_presence_new(const DplProgram *prog);
void dpl_presence_free(DplPresence *p); /* NULL allowed */
/* Counts one record that reached validation (an envelope, borrowed) and
 * marks the paths present in it (even as null; [*]: in any element). */
void dpl_presence_record(DplPresence *p, const json_t *record);
/* The same for an engine without jansson records: present(ctx, i) says
 * whether read path i (DplProgram.reads) is in the record; it is asked
 * only about paths not seen yet. */
void dpl_presence_record_fn(DplPresence *p, bool (*present)(const void *ctx, size_t read), const void *ctx);
/* Forgets every record counted (a lane after its merge). */
void dpl_presence_reset(DplPresence *p);
/* Adds what `from` saw to `into` (same program). */
void dpl_presence_merge(DplPresence *into, const DplPresence *from);
/* Number of records counted. */
unsigned long long dpl_presence_records(const DplPresence *p);
/* The read paths no counted record had, sorted by bytes: a new array of
 * borrowed strings (free the array with dpl_free), *n its length; NULL
 * with *n = 0 when none or when no record was counted. */
const char **dpl_presence_never(const DplPresence *p, size_t *n);
/* Writes ,"never_present":[...] for --stats (nothing when the list is
 * empty or no record was counted). */
void dpl_presence_write_stats(DplBuf *out, const DplPresence *p);

/* dplc check --sample: W405 for every place the checked program reads a
 * path that none of the sample records has, with the nearest path they do
 * have as "did you mean".  The records are NDJSON envelopes (plain values
 * with raw), fed in pieces of any size, so a sample of any length is read
 * as a stream (the paths seen are kept, not the records). */
typedef struct DplSample DplSample;
DplSample *dpl_sample_new(const DplProgram *prog, bool raw); /* prog is borrowed */
/* Adds text[0..len), any piece of the sample: lines may straddle calls.
 * Returns false, with the reason in why, once a line is not JSON. */
bool dpl_sample_add(DplSample *s, const char *text, size_t len, char *why, size_t why_cap);
/* Ends the sample (a last line without '\n' counts) and adds the W405s to
 * diags; false, with why, when a line was not JSON. */
bool dpl_sample_finish(DplSample *s, DplDiagList *diags, char *why, size_t why_cap);
void dpl_sample_free(DplSample *s);
/* All of it at once: new, add(text), finish, free. */
bool dpl_check_sample(const DplProgram *prog, const char *text, size_t len, bool raw, DplDiagList *diags,
                      char *why, size_t why_cap);

/* Writes the reject line of §8:
 * {"line":N,"source":S,"errors":[{"code","path","message","rule":{"line","column"}}],"record":{...}}
 * or "raw":"..." when record is NULL, ending with a newline.  src locates rule
 * spans.  raw[0..raw_len) is the line exactly as read, without its LF; a
 * final CR (of a CRLF line end) is left out of "raw".  When "raw" cannot
 * give the bytes back (invalid UTF-8 written as U+FFFD, a NUL byte, a CR
 * inside the line as in a file with CR-only line ends), "raw_base64"
 * follows with all raw_len bytes, the final CR included (docs/run.md). */
void dpl_write_reject(DplBuf *out, const DplSource *src, long line, const DplResult *r,
                      const json_t *record, const char *raw, size_t raw_len);
/* The same line with "input":INPUT after "line" (dpl run with several input
 * files, where line numbers count within each file); input NULL: omitted.
 * Strings that are not valid UTF-8 (raw lines) are written with U+FFFD in
 * place of each invalid byte, so the reject is always valid JSON. */
void dpl_write_reject_input(DplBuf *out, const DplSource *src, const char *input, long line, const DplResult *r,
                            const json_t *record, const char *raw, size_t raw_len);
/* The same with where[0..where_len) — JSON object members, such as
 * `"kafka":{"topic":"t","partition":0,"offset":7}` — written as they are
 * after "input" (where NULL: none).  Used by stream/ for a source's own
 * position. */
void dpl_write_reject_where(DplBuf *out, const DplSource *src, const char *input, const char *where,
                            size_t where_len, long line, const DplResult *r, const json_t *record, const char *raw,
                            size_t raw_len);

/* The same line, its "record" written by write_record(out, ctx) (an engine
 * that writes the record as dpl_json_write would, without a jansson tree). */
void dpl_write_reject_with(DplBuf *out, const DplSource *src, const char *input, const char *where, size_t where_len,
                           long line, const DplResult *r, void (*write_record)(DplBuf *, const void *),
                           const void *ctx);

/* ---- pieces of the reference semantics, for other engines (engine/) ---- */

/* Applies the operator, cast or builtin call of e (UNARY, BINARY other than
 * and/or/??, CAST, CALL with its arguments evaluated) to operands already
 * evaluated (borrowed; NULL = missing), exactly as the evaluator does.
 * Returns a new reference or NULL; a runtime error is stored in *err and
 * *err_span, with the offending value (*err_value, a new reference or NULL)
 * and its path (*err_path, the program's, or NULL) of spec §12.4, unless
 * err->set already. */
json_t *dpl_eval_apply(const DplExpr *e, json_t *const *operands, size_t n, DplRtError *err, DplSpan *err_span,
                       json_t **err_value, const char **err_path);
/* Absolute text of a path as rejects name it ("data.valor"); caller frees. */
char *dpl_eval_path_text(const DplPath *p);
/* The expression's source text on one line, as requirement_failed and
 * missing_key messages quote it. */
void dpl_eval_expr_text(DplBuf *b, const DplSource *src, DplSpan sp);
/* `append`: the new array (a new reference) for a target that held old
 * (borrowed, NULL when absent) after adding value (borrowed). */
json_t *dpl_eval_append_value(json_t *old, json_t *value);

/* An integer against a real, exactly (a double cannot hold every int64):
 * -1, 0 or 1 as i is below, equal to or above d; for both evaluators. */
int dpl_cmp_int_real(int64_t i, double d);

/* `as int`, `as float` and `as bool` of a string's text s[0..n) (spec §5),
 * for both evaluators: white space around it is ignored; false when the
 * text is not such a value (the cast fails). */
bool dpl_cast_text_int(const char *s, size_t n, int64_t *out);
bool dpl_cast_text_real(const char *s, size_t n, double *out);
bool dpl_cast_text_bool(const char *s, size_t n, bool *out);
/* `delete`: removes segs[from..] of path p below the private container v. */
void dpl_eval_delete_below(json_t *v, const DplPath *p, size_t from);

#endif
