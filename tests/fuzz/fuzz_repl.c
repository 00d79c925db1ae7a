/* fuzz_repl.c — libFuzzer target: arbitrary bytes as a piped `dpl repl`
 * session (statements, records, expressions, :commands, broken entries),
 * through the whole session loop.  Files are off (no_files), so :save cannot
 * write and :open cannot read anything; a session ends with status 0 or 1,
 * never a crash, a leak or a hang. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "repl/repl.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink) {
        dpl_util_init();
        sink = fopen("/dev/null", "w");
        if (!sink)
            abort();
    }
    if (size == 0)
        return 0;
    FILE *in = fmemopen((void *)data, size, "rb");
    if (!in)
        abort();
    DplReplOptions opt = {.out = sink, .in = in, .no_files = true};
    int status = dpl_repl_run(&opt);
    fclose(in);
    if (status != 0 && status != 1) {
        fprintf(stderr, "fuzz_repl: a piped session ended with status %d\n", status);
        abort();
    }
    return 0;
}
