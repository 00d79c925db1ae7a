/* fuzz_common.h — what the fuzz targets share: loading a checked program
 * from the source tree once per process, and abort-on-finding. */
#ifndef DPL_FUZZ_COMMON_H
#define DPL_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast/ast.h"
#include "diag/diag.h"
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

#endif
