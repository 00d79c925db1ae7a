/* fuzz_common.c — program loading and failure reporting for the fuzz targets. */
#include "tests/fuzz/fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>

#include "check/check.h"

#ifndef DPL_FUZZ_ROOT
#define DPL_FUZZ_ROOT "."
#endif

static void load(FuzzProgram *fp, DplSource *src)
{
    DplDiagList d = {0};
    bool ok = false;
    fp->src = src;
    fp->prog = dpl_compile(src, &d, &ok);
    if (!ok) {
        fprintf(stderr, "fuzz: %s does not compile\n", src->name);
        abort();
    }
    dpl_diag_list_free(&d);
    fp->ev = dpl_eval_new(fp->prog);
}

void fuzz_load_file(FuzzProgram *fp, const char *rel)
{
    const char *root = getenv("DPL_FUZZ_ROOT");
    char *path = dpl_asprintf("%s/%s", root && *root ? root : DPL_FUZZ_ROOT, rel);
    const char *err = NULL;
    DplSource *src = dpl_source_read_file(path, &err);
    if (!src) {
        fprintf(stderr, "fuzz: cannot read %s: %s (set DPL_FUZZ_ROOT to the source tree)\n", path, err);
        abort();
    }
    dpl_free(path);
    load(fp, src);
}

void fuzz_load_text(FuzzProgram *fp, const char *name, const char *text)
{
    load(fp, dpl_source_new(name, text, strlen(text)));
}

void fuzz_fail(const char *what, const uint8_t *data, size_t size, const char *detail)
{
    fprintf(stderr, "fuzz: %s\n--- input (%zu bytes)\n", what, size);
    fwrite(data, 1, size, stderr);
    fprintf(stderr, "\n--- detail\n%s\n", detail ? detail : "");
    abort();
}
