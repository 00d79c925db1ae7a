/* test_engine.c — engine/ compiles every program the project ships (so the
 * run path never falls back to the tree evaluator for them), and gives the
 * reference evaluator's bytes on their sample records.  The exhaustive
 * comparisons are tests/engines/run_engines.py and the fuzz_engine target. */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "engine/engine.h"
#include "json/json.h"

/* The source tree, from this file's path as the compiler saw it (meson
 * runs tests in the build directory). */
static void source_root(char *buf, size_t n)
{
    snprintf(buf, n, "%s", __FILE__);
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0'; /* .../tests */
    slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(buf, n, "..");
}

static DplProgram *load(const char *path, DplSource **src)
{
    const char *err = NULL;
    *src = dpl_source_read_file(path, &err);
    cr_assert_not_null(*src, "%s: %s", path, err);
    DplDiagList d = {0};
    bool ok = false;
    DplProgram *p = dpl_compile(*src, &d, &ok);
    dpl_diag_list_free(&d);
    cr_assert(ok, "%s does not compile", path);
    return p;
}

/* The line `dpl run` would print for one record, by either engine. */
static void line_of(const DplProgram *p, const DplSource *src, const DplEngine *e, const char *text, DplBuf *out)
{
    DplResult r;
    dpl_result_init(&r);
    if (e) {
        DplEngineState *st = dpl_engine_state_new(e);
        DplEngineOutcome o = dpl_engine_record(e, st, 1, text, strlen(text), out, &r);
        if (o == DPL_ENGINE_SKIP)
            dpl_buf_puts(out, "skip");
        else if (o == DPL_ENGINE_REJECT)
            dpl_engine_write_reject(st, out, NULL, NULL, 0, 1, &r);
        else if (o == DPL_ENGINE_BAD_JSON)
            dpl_buf_puts(out, "bad");
        dpl_engine_state_free(st);
    } else {
        DplEvaluator *ev = dpl_eval_new(p);
        json_t *v = NULL;
        DplJsonError jerr;
        if (dpl_json_parse(text, strlen(text), &v, &jerr) != DPL_JSON_OK) {
            dpl_buf_puts(out, "bad");
        } else {
            dpl_eval_record(ev, v, 1, &r);
            if (r.outcome == DPL_EMIT) {
                dpl_json_write(out, r.entity);
                dpl_buf_putc(out, '\n');
            } else if (r.outcome == DPL_SKIP) {
                dpl_buf_puts(out, "skip");
            } else {
                dpl_write_reject(out, src, 1, &r, v, NULL, 0);
            }
        }
        json_decref(v);
        dpl_eval_free(ev);
    }
    dpl_result_free(&r);
}

Test(engine, compiles_every_shipped_program_and_matches_the_reference)
{
    dpl_util_init();
    char root[2048], pat[2200];
    source_root(root, sizeof root);
    glob_t g;
    snprintf(pat, sizeof pat, "%s/examples/*.dpl", root);
    cr_assert_eq(glob(pat, 0, NULL, &g), 0, "%s", pat);
    snprintf(pat, sizeof pat, "%s/tests/fuzz/seeds/program/*.dpl", root);
    glob(pat, GLOB_APPEND, NULL, &g);
    cr_assert_gt(g.gl_pathc, 3);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        DplSource *src;
        DplProgram *p = load(g.gl_pathv[i], &src);
        const char *why = NULL;
        DplEngine *e = dpl_engine_new(p, &(DplEngineOptions){0}, &why);
        cr_assert_not_null(e, "%s: the engine refuses it: %s", g.gl_pathv[i], why);
        /* its sample records, when there are some */
        char data[4096];
        snprintf(data, sizeof data, "%.*s.ndjson", (int)(strlen(g.gl_pathv[i]) - 4), g.gl_pathv[i]);
        FILE *f = fopen(data, "r");
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while (f && (n = getline(&line, &cap, f)) > 0) {
            if (line[n - 1] == '\n')
                line[n - 1] = '\0';
            DplBuf a = {0}, b = {0};
            line_of(p, src, NULL, line, &a);
            line_of(p, src, e, line, &b);
            cr_assert_str_eq(b.data ? b.data : "", a.data ? a.data : "", "%s: %s", g.gl_pathv[i], line);
            dpl_buf_free(&a);
            dpl_buf_free(&b);
        }
        free(line);
        if (f)
            fclose(f);
        dpl_engine_free(e);
        dpl_program_free(p);
        dpl_source_free(src);
    }
    globfree(&g);
}

/* Both engines on one program and record, from text. */
static void same_on(const char *program, const char *record)
{
    DplSource *src = dpl_source_new("t.dpl", program, strlen(program));
    DplDiagList d = {0};
    bool ok = false;
    DplProgram *p = dpl_compile(src, &d, &ok);
    dpl_diag_list_free(&d);
    cr_assert(ok, "does not compile: %s", program);
    const char *why = NULL;
    DplEngine *e = dpl_engine_new(p, &(DplEngineOptions){0}, &why);
    cr_assert_not_null(e, "the engine refuses it: %s", why);
    DplBuf a = {0}, b = {0};
    line_of(p, src, NULL, record, &a);
    line_of(p, src, e, record, &b);
    cr_assert_str_eq(b.data ? b.data : "", a.data ? a.data : "", "%s\non %s", program, record);
    dpl_buf_free(&a);
    dpl_buf_free(&b);
    dpl_engine_free(e);
    dpl_program_free(p);
    dpl_source_free(src);
}

/* Containers copied whole are written as their input bytes only when those
 * are what the reference prints; numbers inside them are read once. */
Test(engine, copied_and_walked_containers_match_the_reference)
{
    dpl_util_init();
    static const char *programs[] = {
        "entity \"e\" { k }\nadd { all }\n",
        "entity \"e\" { k }\nadd { all\n delete k\n v -> w }\n",
        "entity \"e\" { k }\nadd { v\n sum(map(v, x)) -> s\n avg(v[*].x) -> a\n max(v[*].x) -> m\n"
        " map(filter(v, x > 'item.x - 1), y) -> f\n v[0].x -> first\n v[-1] -> last }\n",
    };
    static const char *records[] = {
        "{\"data\":{\"k\":1,\"v\":[{\"x\":1.5,\"y\":\"a\"},{\"x\":2.25,\"y\":\"b\"}]},\"metadata\":{}}",
        "{\"data\":{\"k\":1,\"v\":[{\"x\":1.50,\"y\":\"a\"},{\"x\":-0.0,\"y\":\"b\"},{\"x\":1e2,\"y\":\"c\"}]}}",
        "{\"data\":{\"k\":1,\"v\":[ {\"x\" : 0.10 , \"y\":\"a\"} ,{\"x\":123456789012345.6,\"y\":\"b\"}]}}",
        "{\"data\":{\"k\":1,\"v\":[{\"x\":1,\"x\":2,\"y\":\"dup\"},{\"x\":0.001,\"y\":\"\\u0041\"}]}}",
        "{\"data\":{\"k\":1,\"v\":[{\"\\u0078\":7.25,\"y\":\"escaped key\"},{\"x\":1.0,\"y\":\"a\\/b\"}]}}",
        "{\"data\":{\"k\":1,\"v\":[{\"x\":99999999999999.9,\"y\":[1,2,{\"z\":null}]},{\"x\":0.30000000000000004}]}}",
        "{\"data\":{\"k\":1,\"v\":[]},\"other\":{\"deep\":[[[]],{}]}}",
        "{\"data\":{\"k\":1,\"v\":[{\"x\":-12.5},{\"x\":-0.5}],\"w\":{\"a\":1,\"a\":2}}}",
    };
    for (size_t p = 0; p < sizeof programs / sizeof *programs; p++)
        for (size_t r = 0; r < sizeof records / sizeof *records; r++)
            same_on(programs[p], records[r]);
}

/* Objects with more members than the duplicate check compares one by one. */
Test(engine, large_objects_with_and_without_duplicate_keys)
{
    dpl_util_init();
    for (int dup = 0; dup < 2; dup++) {
        DplBuf rec = {0};
        dpl_buf_puts(&rec, "{\"data\":{\"k\":1,\"o\":{");
        for (int i = 0; i < 60; i++)
            dpl_buf_printf(&rec, "%s\"f%d\":%d.5", i ? "," : "", dup && i == 59 ? 3 : i, i);
        dpl_buf_puts(&rec, "}}}");
        same_on("entity \"e\" { k }\nadd { o\n o.f3 -> f3 }\n", rec.data);
        same_on("entity \"e\" { k }\nadd { o -> copy\n all }\n", rec.data);
        dpl_buf_free(&rec);
    }
}

/* Computed strings are checked for bytes to escape in blocks of 16 and 8:
 * a quote, a backslash or a control byte at every position of strings of
 * every length up to 40, written by both engines. */
Test(engine, computed_strings_escape_at_every_position)
{
    dpl_util_init();
    static const char *specials[] = {"\\\"", "\\\\", "\\n", "\\u001f", "\\u0001", "\\t"};
    for (size_t len = 1; len <= 40; len++)
        for (size_t at = 0; at < len; at++)
            for (size_t k = 0; k < sizeof specials / sizeof *specials; k += (at % 3 == 0 ? 1 : 3)) {
                DplBuf rec = {0};
                dpl_buf_puts(&rec, "{\"data\":{\"k\":1,\"s\":\"");
                for (size_t i = 0; i < len; i++)
                    dpl_buf_puts(&rec, i == at ? specials[k] : (i % 2 ? "b" : "A"));
                dpl_buf_puts(&rec, "\"}}");
                same_on("entity \"e\" { k }\nadd { lower(s) -> l\n concat(s, \"~\") -> c }\n", rec.data);
                dpl_buf_free(&rec);
            }
}

/* An expression written twice is evaluated once per record; an error is
 * not shared, so each occurrence reports its own span, as the reference. */
Test(engine, repeated_expressions_keep_their_own_errors)
{
    dpl_util_init();
    const char *prog = "entity \"e\" { k\n upper(trim(x)) }\n"
                       "requirement { len(upper(trim(x))) > 0 }\n"
                       "add { upper(trim(x)) -> a\n upper(trim(x)) -> b if f\n concat(upper(trim(x)), 'line) -> c }\n";
    static const char *records[] = {
        "{\"data\":{\"k\":1,\"x\":\" ab \",\"f\":true}}",
        "{\"data\":{\"k\":1,\"x\":5,\"f\":true}}",
        "{\"data\":{\"k\":1,\"f\":true}}",
        "{\"data\":{\"k\":1,\"x\":\"\",\"f\":false}}",
        "{\"data\":{\"k\":1,\"x\":\"ção\",\"f\":\"yes\"}}",
    };
    for (size_t r = 0; r < sizeof records / sizeof *records; r++)
        same_on(prog, records[r]);
    const char *prog2 = "entity \"e\" { k }\nadd { x + 1 -> a\n x + 1 -> b\n (x + 1) * 2 -> c }\n";
    same_on(prog2, "{\"data\":{\"k\":1,\"x\":\"s\"}}");
    same_on(prog2, "{\"data\":{\"k\":1,\"x\":9223372036854775807}}");
    same_on(prog2, "{\"data\":{\"k\":1,\"x\":2}}");
}
