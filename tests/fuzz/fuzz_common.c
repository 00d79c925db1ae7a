/* fuzz_common.c — program loading, failure reporting and the engine-against-
 * reference comparison for the fuzz targets. */
#include "tests/fuzz/fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "json/json.h"

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

json_t *fuzz_envelope(const FuzzProgram *fp, json_t *v, bool raw)
{
    if (!raw)
        return v;
    json_t *env = json_object();
    json_object_set_nocheck(env, "data", v);
    json_t *md = json_object();
    json_object_set_new_nocheck(md, "source", json_string(dpl_eval_default_source(fp->ev)));
    json_object_set_new_nocheck(env, "metadata", md);
    return env;
}

void fuzz_reference_line(const FuzzProgram *fp, bool raw, const char *line, size_t len, DplBuf *out)
{
    json_t *v = NULL;
    DplJsonError jerr;
    if (dpl_json_parse(line, len, &v, &jerr) != DPL_JSON_OK) {
        dpl_buf_puts(out, "bad json");
        return;
    }
    json_t *env = fuzz_envelope(fp, v, raw);
    DplResult r;
    dpl_result_init(&r);
    dpl_eval_record(fp->ev, env, 3, &r);
    if (r.outcome == DPL_EMIT) {
        dpl_json_write(out, r.entity);
        dpl_buf_putc(out, '\n');
    } else if (r.outcome == DPL_SKIP) {
        dpl_buf_puts(out, "skip");
    } else {
        dpl_write_reject(out, fp->src, 3, &r, v, NULL, 0);
    }
    dpl_result_free(&r);
    if (env != v)
        json_decref(env);
    json_decref(v);
}

void fuzz_engine_line(const DplEngine *e, DplEngineState *st, const char *line, size_t len, DplBuf *out)
{
    DplResult r;
    dpl_result_init(&r);
    switch (dpl_engine_record(e, st, 3, line, len, out, &r)) {
    case DPL_ENGINE_EMIT: break;
    case DPL_ENGINE_SKIP: dpl_buf_puts(out, "skip"); break;
    case DPL_ENGINE_BAD_JSON: dpl_buf_puts(out, "bad json"); break;
    case DPL_ENGINE_REJECT: dpl_engine_write_reject(st, out, NULL, NULL, 0, 3, &r); break;
    }
    dpl_result_free(&r);
}

void fuzz_compare_line(const FuzzProgram *fp, const DplEngine *e, DplEngineState *st, bool raw, const char *line,
                       size_t len, const uint8_t *data, size_t size)
{
    DplBuf a = {0}, b = {0};
    fuzz_reference_line(fp, raw, line, len, &a);
    fuzz_engine_line(e, st, line, len, &b);
    if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
        DplBuf d = {0};
        dpl_buf_printf(&d, "%s mode\nreference: %s\nengine:    %s", raw ? "raw" : "envelope", a.data, b.data);
        fuzz_fail("the engine and the reference evaluator differ", data, size, d.data);
    }
    dpl_buf_free(&a);
    dpl_buf_free(&b);
}

void fuzz_compare_lines(const FuzzProgram *fp, const DplEngine *e, bool raw, const char *recs, size_t n,
                        const uint8_t *data, size_t size)
{
    DplEngineState *st = dpl_engine_state_new(e);
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(recs + i, '\n', n - i);
        size_t len = nl ? (size_t)(nl - (recs + i)) : n - i;
        fuzz_compare_line(fp, e, st, raw, recs + i, len, data, size);
        i += len + 1;
    }
    dpl_engine_state_free(st);
}

void fuzz_compare_warm(const DplEngine *e, const char *recs, size_t n, const uint8_t *data, size_t size)
{
    enum { MAX_LINES = 3 };
    const char *line[MAX_LINES];
    size_t len[MAX_LINES], k = 0;
    for (size_t i = 0; i < n && k < MAX_LINES;) {
        const char *nl = memchr(recs + i, '\n', n - i);
        len[k] = nl ? (size_t)(nl - (recs + i)) : n - i;
        line[k++] = recs + i;
        i += len[k - 1] + 1;
    }
    DplBuf cold[MAX_LINES] = {{0}}, warm = {0};
    for (size_t i = 0; i < k; i++) {
        DplEngineState *st = dpl_engine_state_new(e);
        fuzz_engine_line(e, st, line[i], len[i], &cold[i]);
        dpl_engine_state_free(st);
    }
    DplEngineState *st = dpl_engine_state_new(e);
    for (size_t j = 0; k && j < FUZZ_WARM_LINES; j++) {
        size_t i = j % k;
        warm.len = 0;
        fuzz_engine_line(e, st, line[i], len[i], &warm);
        if (warm.len != cold[i].len || memcmp(warm.data, cold[i].data, warm.len) != 0) {
            DplBuf d = {0};
            dpl_buf_printf(&d, "line %zu, run %zu\nalone: %.*s\nafter: %.*s", i + 1, j + 1, (int)cold[i].len,
                           cold[i].data ? cold[i].data : "", (int)warm.len, warm.data ? warm.data : "");
            fuzz_fail("a line's bytes changed after the lines before it", data, size, d.data);
        }
    }
    dpl_engine_state_free(st);
    dpl_buf_free(&warm);
    for (size_t i = 0; i < k; i++)
        dpl_buf_free(&cold[i]);
}
