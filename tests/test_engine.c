/* test_engine.c — engine/ compiles every program the project ships (so the
 * run path never falls back to the tree evaluator for them), and gives the
 * reference evaluator's bytes on their sample records, on hand-picked odd
 * records and on thousands of random and mutated ones (tests/json_gen.c).
 * The exhaustive comparisons are tests/engines/run_engines.py and the
 * fuzz_engine and fuzz_scan targets. */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "engine/engine.h"
#include "json/json.h"
#include "tests/json_gen.h"

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

/* Outcomes of line_of, counted by same_on_lines. */
enum { OUT_EMIT, OUT_SKIP, OUT_REJECT, OUT_BAD, OUT_KINDS };

/* The line `dpl run` would print for one record, by either engine (e, or
 * the reference evaluator when e is NULL); returns the outcome. */
static int line_of(const DplProgram *p, const DplSource *src, const DplEngine *e, const char *text, DplBuf *out)
{
    DplResult r;
    dpl_result_init(&r);
    int kind = OUT_EMIT;
    if (e) {
        DplEngineState *st = dpl_engine_state_new(e);
        DplEngineOutcome o = dpl_engine_record(e, st, 1, text, strlen(text), out, &r);
        if (o == DPL_ENGINE_SKIP)
            dpl_buf_puts(out, "skip"), kind = OUT_SKIP;
        else if (o == DPL_ENGINE_REJECT)
            dpl_engine_write_reject(st, out, NULL, NULL, 0, 1, &r), kind = OUT_REJECT;
        else if (o == DPL_ENGINE_BAD_JSON)
            dpl_buf_puts(out, "bad"), kind = OUT_BAD;
        dpl_engine_state_free(st);
    } else {
        DplEvaluator *ev = dpl_eval_new(p);
        json_t *v = NULL;
        DplJsonError jerr;
        if (dpl_json_parse(text, strlen(text), &v, &jerr) != DPL_JSON_OK) {
            dpl_buf_puts(out, "bad");
            kind = OUT_BAD;
        } else {
            dpl_eval_record(ev, v, 1, &r);
            if (r.outcome == DPL_EMIT) {
                dpl_json_write(out, r.entity);
                dpl_buf_putc(out, '\n');
            } else if (r.outcome == DPL_SKIP) {
                dpl_buf_puts(out, "skip");
                kind = OUT_SKIP;
            } else {
                dpl_write_reject(out, src, 1, &r, v, NULL, 0);
                kind = OUT_REJECT;
            }
        }
        json_decref(v);
        dpl_eval_free(ev);
    }
    dpl_result_free(&r);
    return kind;
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

/* Both engines on one program (from text) and each of lines[0..n): the
 * same bytes for every line.  counts (if given) adds up the outcomes. */
static void same_on_lines(const char *program, const char *const *lines, size_t n, size_t *counts)
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
    for (size_t i = 0; i < n; i++) {
        dpl_buf_reset(&a);
        dpl_buf_reset(&b);
        int kind = line_of(p, src, NULL, lines[i], &a);
        int got = line_of(p, src, e, lines[i], &b);
        cr_assert_str_eq(b.data ? b.data : "", a.data ? a.data : "", "%s\non %s\nreference: %s\nengine:    %s", program,
                         lines[i], a.data ? a.data : "", b.data ? b.data : "");
        cr_assert_eq(got, kind, "%s\non %s", program, lines[i]);
        if (counts)
            counts[kind]++;
    }
    dpl_buf_free(&a);
    dpl_buf_free(&b);
    dpl_engine_free(e);
    dpl_program_free(p);
    dpl_source_free(src);
}

/* Both engines on one program and record, from text. */
static void same_on(const char *program, const char *record) { same_on_lines(program, &record, 1, NULL); }

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

/* ---- odd records, from the old direct engine's and sparse records' tests --- */

#define COUNT(a) (sizeof(a) / sizeof *(a))

static const char *fipe_program = "entity \"fipe\" {\n data.marca\n data.nome\n data.combustivel\n data.ano\n}\n"
                                  "sources \"fipe\"\n"
                                  "mandatory {\n data.codigoFipeTreated\n metadata.input.modelo.codigo\n"
                                  " data.valor\n data.marcaTreated\n}\n"
                                  "add {\n codigoFipeTreated -> codigoFipe\n combustivelTreated -> combustivel\n"
                                  " marcaTreated -> marca\n ano\n nomeTreated -> nome\n valor\n referencia\n}\n";

static const char *const fipe_lines[] = {
    "{\"data\":{\"marca\":\"VW - VolksWagen\",\"nome\":\"Gol 1.0\",\"combustivel\":\"Flex\",\"ano\":2014,"
    "\"codigoFipe\":\"005340-6\",\"codigoFipeTreated\":\"0053406\",\"marcaTreated\":\"volkswagen\","
    "\"nomeTreated\":\"gol 1.0\",\"combustivelTreated\":\"flex\",\"valor\":32150.5,\"referencia\":\"novembro de "
    "2026\"},\"metadata\":{\"source\":\"fipe\",\"ingestedAt\":\"2026-11-21T10:00:00Z\",\"input\":{\"modelo\":"
    "{\"codigo\":5340}}}}",
    /* other source: skipped */
    "{\"data\":{\"marca\":\"Ford\"},\"metadata\":{\"source\":\"denatran\"}}",
    /* odd but valid: escapes, whitespace, non-canonical reals, key reals and objects, reordered keys */
    "{ \"metadata\" : {\"input\":{\"modelo\":{\"codigo\":1}},\"source\":\"fipe\"}, \"data\": {\"valor\": 2.50, "
    "\"marca\":\"Citro\\u00ebn\", \"nome\":1.5e3, \"combustivel\":{\"b\":1,\"a\":[1, 2.0]}, \"ano\": -0, "
    "\"codigoFipeTreated\":\"x\\/y\",\"marcaTreated\":\"c\",\"referencia\":null, \"nomeTreated\":[ ]}}",
    /* duplicate keys: last wins */
    "{\"data\":{\"marca\":\"a\",\"nome\":\"n\",\"combustivel\":\"c\",\"ano\":1,\"valor\":1,\"codigoFipeTreated\":"
    "\"1\",\"marcaTreated\":\"m\",\"ano\":2,\"valor\":100.0},\"metadata\":{\"source\":\"x\",\"input\":{\"modelo\":"
    "{\"codigo\":5}},\"source\":\"fipe\"}}",
    /* rejects and invalid lines */
    "{\"data\":{},\"metadata\":{\"source\":\"fipe\"}}",
    "{\"data\":{\"marca\":\"a\"},\"metadata\":{}}",
    "{\"data\":",
    "[1,2]",
};

Test(engine, fipe_edge_records_match_the_reference)
{
    dpl_util_init();
    size_t counts[OUT_KINDS] = {0};
    same_on_lines(fipe_program, fipe_lines, COUNT(fipe_lines), counts);
    cr_expect_eq(counts[OUT_EMIT], 3);
    cr_expect_eq(counts[OUT_SKIP], 1);
    cr_expect_eq(counts[OUT_REJECT], 3); /* two missing fields, and [1,2] is no envelope */
    cr_expect_eq(counts[OUT_BAD], 1);
}

Test(engine, nested_targets_and_using_match_the_reference)
{
    dpl_util_init();
    static const char *program = "substitutive entity \"car\" { data.id }\n"
                                 "sources \"a\", \"b\" using metadata.origin.name\n"
                                 "add {\n x -> out.first\n y -> other\n z -> out.second.deep\n data.\"odd key\"\n}\n";
    static const char *const lines[] = {
        "{\"data\":{\"id\":7,\"x\":1,\"y\":2,\"z\":3,\"odd key\":\"k\"},\"metadata\":{\"origin\":{\"name\":\"a\"}}}",
        "{\"data\":{\"id\":\"s\",\"y\":2,\"z\":3},\"metadata\":{\"origin\":{\"name\":\"b\"}}}",
        "{\"data\":{\"id\":1.0,\"z\":3,\"x\":null},\"metadata\":{\"origin\":{\"name\":\"b\"}}}",
        "{\"data\":{\"id\":true},\"metadata\":{\"origin\":{\"name\":\"b\"}}}",
        "{\"data\":{\"id\":[1,{\"b\":2,\"a\":1}]},\"metadata\":{\"origin\":{\"name\":\"c\"}}}",
        "{\"data\":{\"id\":{\"\\u00e9\":1e2,\"a\":\"\\ud83d\\ude00\"}},\"metadata\":{\"origin\":{\"name\":\"a\"}}}",
    };
    size_t counts[OUT_KINDS] = {0};
    same_on_lines(program, lines, COUNT(lines), counts);
    cr_expect_eq(counts[OUT_EMIT], 5);
    cr_expect_eq(counts[OUT_SKIP], 1);
}

/* The constructs the old direct engine left to the tree evaluator
 * (requirement, if, computed values, indexes, from, append, a computed
 * entity key; `all` is in all_with_duplicate_keys below), on records that
 * emit, skip and reject. */
Test(engine, constructs_once_left_to_the_tree_match_the_reference)
{
    dpl_util_init();
    static const char *const programs[] = {
        "entity \"e\" { k }\nrequirement { k > 1 }\n",
        "entity \"e\" { k }\nadd { k if k > 1 }\n",
        "entity \"e\" { k }\nadd { upper(k) -> u }\n",
        "entity \"e\" { items[0] }\n",
        "entity \"e\" { k }\nadd from data.sub { a }\n",
        "entity \"e\" { k }\nadd { append k -> t\n append j -> t }\n",
        "entity \"e\" { lower(k) }\n",
    };
    static const char *const lines[] = {
        "{\"data\":{\"k\":2,\"j\":[1,2],\"items\":[\"x\",1],\"sub\":{\"a\":1.50}},\"metadata\":{\"source\":\"s\"}}",
        "{\"data\":{\"k\":\"Ab\\u00e9\",\"j\":\"Ab\\u00e9\",\"items\":[],\"sub\":{\"b\":1}}}",
        "{\"data\":{\"k\":0,\"j\":null,\"items\":{\"0\":1},\"sub\":[1]}}",
        "{\"data\":{\"k\":null,\"items\":[null,2],\"sub\":null}}",
        "{\"data\":{\"j\":1}}",
        "{\"data\":{\"k\":1e400}}",
        "{\"data\":{\"k\":[1,{\"b\":2,\"a\":1}],\"k\":\"last\",\"items\":[[1],2]}}",
        "{\"data\":7}",
    };
    for (size_t p = 0; p < COUNT(programs); p++)
        same_on_lines(programs[p], lines, COUNT(lines), NULL);
}

/* ---- random records -------------------------------------------------------- */

/* N random envelopes: data holds a, b and c first (the keys the programs
 * below read; `plain_abc` makes them mostly short strings), then random
 * members from the key pool, which may repeat them (the last one wins);
 * metadata a source among s, t, u and a random `a`.  Every `mutate_every`-th
 * line gets random byte edits (0: none). */
static char **random_envelopes(size_t n, bool plain_abc, size_t mutate_every)
{
    char **lines = dpl_calloc(n, sizeof *lines);
    DplBuf data = {0}, b = {0};
    for (size_t i = 0; i < n; i++) {
        gen_doc(&data);
        dpl_buf_reset(&b);
        dpl_buf_puts(&b, "{\"data\":{");
        for (int k = 0; k < 3; k++) {
            dpl_buf_printf(&b, "\"%c\":", 'a' + k);
            if (plain_abc && gen_rn(4))
                dpl_buf_printf(&b, "\"v%u\"", gen_rn(5));
            else
                gen_value(&b, 2);
            dpl_buf_putc(&b, ',');
        }
        dpl_buf_append(&b, data.data + 1, data.len - 1);
        dpl_buf_printf(&b, ",\"metadata\":{\"source\":\"%s\",\"a\":", (const char *[]){"s", "t", "u"}[gen_rn(3)]);
        gen_value(&b, 2);
        dpl_buf_puts(&b, "}}");
        if (mutate_every && i % mutate_every == mutate_every - 1)
            gen_mutate(&b);
        lines[i] = dpl_strndup(b.data, b.len);
    }
    dpl_buf_free(&data);
    dpl_buf_free(&b);
    return lines;
}

static void free_lines(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dpl_free(lines[i]);
    dpl_free(lines);
}

/* Plain field paths (the old direct engine's programs): nested and quoted
 * targets, `using`, substitutive, mandatory; mostly emitted. */
Test(engine, plain_path_programs_on_random_records_match_the_reference)
{
    dpl_util_init();
    static const char *const programs[] = {
        "entity \"e\" { data.a, b }\nsources \"s\", \"t\" using metadata.source\n"
        "add {\n a\n b -> t.x\n c -> t.y.z\n data.\"x y\" -> w\n metadata.a -> m\n data.\"\" -> empty\n}\n",
        "substitutive entity \"e\" { c }\nmandatory { a, metadata.a }\nadd { source -> s\n data.\"\xc3\xa9\" }\n",
    };
    enum { N = 3000 };
    char **lines = random_envelopes(N, true, 0);
    for (size_t p = 0; p < COUNT(programs); p++) {
        size_t counts[OUT_KINDS] = {0};
        same_on_lines(programs[p], (const char *const *)lines, N, counts);
        /* the generator must reach every outcome a valid line can have */
        cr_expect_gt(counts[OUT_EMIT], N / 4, "program %zu: %zu emitted", p, counts[OUT_EMIT]);
        cr_expect_gt(counts[OUT_SKIP] + counts[OUT_REJECT], 0, "program %zu", p);
    }
    free_lines(lines, N);
}

/* Expressions, requirement, `delete`, `overwrite`, `from`, indexes, `[*]`,
 * `append`, `??`, 'source and 'line (the old sparse records' programs; the
 * two with `all` are in all_with_duplicate_keys below), on random records
 * of which every tenth is mutated. */
Test(engine, computed_programs_on_random_and_mutated_records_match_the_reference)
{
    dpl_util_init();
    static const char *const programs[] = {
        "entity \"e\" { a }\nsources \"s\"\nrequirement { len(b) > 1 or exists(c) }\n"
        "add {\n upper(b) -> B if a != null\n overwrite c -> b\n delete data.x\n}\n",
        "entity \"e\" { data.a[0] }\nadd { b[*].a -> first\n c[-1] -> last\n 'source -> src\n 'line -> ln }\n",
        "entity \"e\" { coalesce(a, b) }\nadd from data.b { a\n c -> bc }\nadd { metadata.a ?? \"none\" -> m }\n",
        "entity \"e\" { concat(a as string, \"-\", c as string) }\nsources \"t\", \"u\" using metadata.a\n"
        "add { append a -> list\n append b -> list\n data.\"x y\" -> w }\n",
    };
    enum { N = 2000 };
    char **lines = random_envelopes(N, false, 10);
    for (size_t p = 0; p < COUNT(programs); p++) {
        size_t counts[OUT_KINDS] = {0};
        same_on_lines(programs[p], (const char *const *)lines, N, counts);
        cr_expect_gt(counts[OUT_BAD], 0, "program %zu: no invalid line", p);
        cr_expect_gt(counts[OUT_EMIT] + counts[OUT_REJECT] + counts[OUT_SKIP], N / 2, "program %zu", p);
    }
    free_lines(lines, N);
}

/* `all` on an object with duplicate keys: the reference keeps the first
 * key's place and the last one's value (as jansson does); the engine keeps
 * the first one's value (engine/build.c all_member, since the engine
 * landed), e.g. `add { all }` on {"data":{"k":1,"k":2}} writes "k":1 while
 * the entity id is computed from 2.  Reported to the engine's owner;
 * disabled until fixed, then enable it (the programs are the old direct
 * engine's and sparse records' tests' `all` programs). */
Test(engine, all_with_duplicate_keys_matches_the_reference)
{
    dpl_util_init();
    static const char *const dup_lines[] = {
        "{\"data\":{\"k\":1,\"k\":2}}",
        "{\"data\":{\"k\":1,\"\\u006b\":2}}",
        "{\"data\":{\"k\":[1,{\"b\":2,\"a\":1}],\"k\":\"last\",\"items\":[[1],2]}}",
        "{\"data\":{\"k\":1,\"x\":[1],\"x\":2}}",
    };
    same_on_lines("entity \"e\" { k }\nadd { all }\n", dup_lines, COUNT(dup_lines), NULL);
    static const char *const programs[] = {
        "entity \"e\" { a }\nsources \"s\"\nrequirement { len(b) > 1 or exists(c) }\n"
        "add {\n all\n upper(b) -> B if a != null\n overwrite c -> b\n delete data.x\n}\n",
        "entity \"e\" { coalesce(a, b) }\nadd from data.b { a\n all\n c -> bc }\nadd { metadata.a ?? \"none\" -> m }\n",
    };
    enum { N = 2000 };
    char **lines = random_envelopes(N, false, 10);
    for (size_t p = 0; p < COUNT(programs); p++)
        same_on_lines(programs[p], (const char *const *)lines, N, NULL);
    free_lines(lines, N);
}

/* A program that only copies nested containers skims them (their end and
 * whether their bytes are canonical) instead of parsing them: every kind of
 * nested value, written as the reference writes it. */
Test(engine, copied_nested_containers_are_written_as_the_reference_writes_them)
{
    dpl_util_init();
    static const char *const lines[] = {
        "{\"data\":{\"k\":1,\"o\":{\"a\":[1,2.5,-0,1e5,1E-2,-3.0e+2,0.10,true,false,null,\"s\"]}}}",
        "{\"data\":{\"k\":1,\"o\":{\"\\u0061\":1,\"b\":{\"c\\\"d\":\"x\\\\y\\\"z\",\"e\":\"\\/\"}}}}",
        "{\"data\":{\"k\":1,\"o\":{\"a\":1,\"a\":2,\"n\":{\"x\":[],\"x\":{}}}}}",
        "{\"data\":{\"k\":1,\"o\":[ ],\"p\":{ },\"q\":[ [ ] , { \"a\" : [ 1 , 2 ] } ]}}",
        "{\"data\":{\"k\":1,\"o\":[[[[[[[[[[{\"deep\":[1,{\"deeper\":\"\\u00e9\\ud83d\\ude97\"}]}]]]]]]]]]]}}",
        "{\"data\":{\"k\":1,\"o\":{\"long\":1234567890123456789,\"r\":123456789012345.67,\"z\":-0.0}}}",
        "{\"data\":{\"k\":1,\"o\":{\"ab\":1,\"ba\":2,\"aa\":3,\"b\":4,\"a\":5}}}",
    };
    static const char *programs[] = {
        "entity \"e\" { k }\nadd { all }\n",
        "entity \"e\" { k }\nadd { o -> copy\n q\n all\n delete p }\n",
    };
    for (size_t p = 0; p < sizeof programs / sizeof *programs; p++)
        for (size_t r = 0; r < sizeof lines / sizeof *lines; r++)
            same_on(programs[p], lines[r]);
}
