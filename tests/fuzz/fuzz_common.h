/* fuzz_common.h — what the fuzz targets share: loading a checked program
 * from the source tree once per process, abort-on-finding, and the
 * comparison of the engine (engine/) with the reference evaluator (eval/)
 * on the bytes `dpl run` would print. */
#ifndef DPL_FUZZ_COMMON_H
#define DPL_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast/ast.h"
#include "diag/diag.h"
#include "engine/engine.h"
#include "eval/eval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    DplSource *src;
    DplProgram *prog;
    DplEvaluator *ev;
} FuzzProgram;

/* Compiles ROOT/rel (ROOT: $DPL_FUZZ_ROOT or the source root meson passed
 * in); aborts when it is unreadable or has errors: the harness is broken. */
void fuzz_load_file(FuzzProgram *fp, const char *rel);
/* The same for program text given inline. */
void fuzz_load_text(FuzzProgram *fp, const char *name, const char *text);

/* Reports a broken property with the input and aborts, so libFuzzer saves
 * the input as a crash. */
_Noreturn void fuzz_fail(const char *what, const uint8_t *data, size_t size, const char *detail);

/* The envelope the reference evaluates for record v: v itself, or with
 * --raw (raw) a new object holding v as its data and the program's default
 * source; the caller releases it when it is not v. */
json_t *fuzz_envelope(const FuzzProgram *fp, json_t *v, bool raw);

/* Appends what `dpl run --engine tree` prints for the record line[0..len)
 * (in --raw mode when raw): the entity line, the reject line, or "skip" /
 * "bad json". */
void fuzz_reference_line(const FuzzProgram *fp, bool raw, const char *line, size_t len, DplBuf *out);
/* The same, by the engine e (built for the same mode) with its state st. */
void fuzz_engine_line(const DplEngine *e, DplEngineState *st, const char *line, size_t len, DplBuf *out);
/* Runs the record line[0..len) through the reference and e (built from
 * fp's program, in --raw mode when raw) and fails (with the whole input
 * data[0..size)) unless both print the same bytes. */
void fuzz_compare_line(const FuzzProgram *fp, const DplEngine *e, DplEngineState *st, bool raw, const char *line,
                       size_t len, const uint8_t *data, size_t size);
/* fuzz_compare_line for each '\n'-separated line of recs[0..n), with a
 * fresh state. */
void fuzz_compare_lines(const FuzzProgram *fp, const DplEngine *e, bool raw, const char *recs, size_t n,
                        const uint8_t *data, size_t size);
/* The first few lines of recs[0..n) taken in turn, FUZZ_WARM_LINES in all,
 * through one state of e: what a state learns from the lines before (the
 * scan's shapes and cuts, the containers' templates) must not change a
 * line's bytes, which must equal that line's in a new state. */
#define FUZZ_WARM_LINES 400
void fuzz_compare_warm(const DplEngine *e, const char *recs, size_t n, const uint8_t *data, size_t size);

#endif
