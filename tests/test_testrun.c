/* test_testrun.c — the test runner's pieces: the diff (util's, coloured), key alignment and
 * partial projection, the test file grammar, the evaluator's coverage hook,
 * and whole runs of dpl_test_main on files in a temporary directory. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check.h"
#include "eval/eval.h"
#include "json/json.h"
#include "testrun/testrun.h"

static void setup(void) { dpl_util_init(); }

TestSuite(testrun, .init = setup);

static char *diff(const char *a, const char *b, int ctx)
{
    DplBuf out = {0};
    dpl_test_diff(&out, a, b, "expected", "actual", ctx, false);
    return out.data ? dpl_buf_take(&out) : dpl_strdup("");
}

Test(testrun, diff_of_equal_texts_is_empty)
{
    char *d = diff("a\nb\n", "a\nb\n", 3);
    cr_assert_str_eq(d, "");
    dpl_free(d);
}

Test(testrun, diff_shows_the_changed_line_with_context)
{
    char *d = diff("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nfive\n6\n7\n8\n", 1);
    cr_assert_str_eq(d, "--- expected\n+++ actual\n@@ -4,3 +4,3 @@\n 4\n-5\n+five\n 6\n");
    dpl_free(d);
}

Test(testrun, diff_splits_distant_changes_into_hunks)
{
    char *d = diff("a\nb\nc\nd\ne\nf\ng\n", "A\nb\nc\nd\ne\nf\nG\n", 1);
    cr_assert_str_eq(d, "--- expected\n+++ actual\n@@ -1,2 +1,2 @@\n-a\n+A\n b\n@@ -6,2 +6,2 @@\n f\n-g\n+G\n");
    dpl_free(d);
}

Test(testrun, diff_of_additions_only)
{
    char *d = diff("x\n", "x\ny\n", 3);
    cr_assert_str_eq(d, "--- expected\n+++ actual\n@@ -1 +1,2 @@\n x\n+y\n");
    dpl_free(d);
}

Test(testrun, diff_colours_only_when_asked)
{
    DplBuf out = {0};
    dpl_test_diff(&out, "a\n", "b\n", "expected", "actual", 3, true);
    cr_assert(strstr(out.data, "\x1b[31m-a\x1b[0m"));
    cr_assert(strstr(out.data, "\x1b[32m+b\x1b[0m"));
    dpl_buf_free(&out);
}

static json_t *js(const char *s)
{
    json_t *v = NULL;
    DplJsonError e;
    cr_assert_eq(dpl_json_parse(s, strlen(s), &v, &e), DPL_JSON_OK, "%s", s);
    return v;
}

static void assert_json(const json_t *v, const char *want)
{
    DplBuf b = {0};
    dpl_json_write(&b, v);
    dpl_buf_putc(&b, 0);
    cr_assert_str_eq(b.data, want);
    dpl_buf_free(&b);
}

Test(testrun, align_puts_expected_keys_in_actual_order)
{
    json_t *e = js("{\"b\":1,\"z\":0,\"a\":{\"y\":1,\"x\":2}}");
    json_t *a = js("{\"a\":{\"x\":2,\"y\":1},\"b\":1}");
    json_t *v = dpl_test_align(e, a);
    assert_json(v, "{\"a\":{\"x\":2,\"y\":1},\"b\":1,\"z\":0}");
    json_decref(v);
    json_decref(e);
    json_decref(a);
}

Test(testrun, project_keeps_what_a_partial_expectation_names)
{
    json_t *e = js("{\"data\":{\"x\":1,\"list\":[{\"k\":1}],\"gone\":2}}");
    json_t *a = js("{\"entity\":\"e\",\"data\":{\"x\":1,\"y\":2,\"list\":[{\"k\":1,\"j\":0},{\"k\":2}]}}");
    json_t *v = dpl_test_project(e, a);
    /* absent keys stay absent; arrays keep their length */
    assert_json(v, "{\"data\":{\"x\":1,\"list\":[{\"k\":1},{\"k\":2}]}}");
    json_decref(v);
    json_decref(e);
    json_decref(a);
}

static char *parse_error(const char *text)
{
    char *msg = NULL;
    size_t n = 0;
    if (dpl_test_parse_check("t.dpltest", text, strlen(text), &msg, &n))
        return NULL;
    return msg;
}

Test(testrun, grammar_accepts_every_form)
{
    const char *t = "# comment\n"
                    "program \"p.dpl\"   # trailing comment\n"
                    "raw\n"
                    "source \"s\"\n"
                    "\n"
                    "test \"one\" {\n"
                    "    base {\"data\": {\"a\": 1}}\n"
                    "    input {\"data\": {\"b\": 2}} -> emit partial {\"data\": {\"a\": 1}}\n"
                    "    input {\n"
                    "        \"data\": {}\n"
                    "    }\n"
                    "    reject missing_mandatory data.\"first name\" \"is missing\"\n"
                    "    reject requirement_failed\n"
                    "    input {\"x\": 1}\n"
                    "    -> skip\n"
                    "    line 1 emit {\"data\": {}}\n"
                    "    emitted 1\n"
                    "    rejected 1\n"
                    "    skipped 1\n"
                    "}\n"
                    "test \"two\" {\n"
                    "  input 5 -> reject not_an_object\n"
                    "  input text \"{oops\" -> reject invalid_json \"invalid\"\n"
                    "  input text \"  \"\n"
                    "}\n";
    char *msg = NULL;
    size_t n = 0;
    /* line 1 already has an expectation (the partial emit): two for one record */
    cr_assert_not(dpl_test_parse_check("t.dpltest", t, strlen(t), &msg, &n));
    cr_assert(strstr(msg, "t.dpltest:16:12: record 1 already has an expectation (line 8)"), "%s", msg);
    dpl_free(msg);
    char *fixed = dpl_strdup(t);
    memcpy(strstr(fixed, "    line 1 emit"), "    # comment  ", 15);
    cr_assert(dpl_test_parse_check("t.dpltest", fixed, strlen(fixed), &msg, &n), "%s", msg);
    cr_assert_eq(n, 2);
    dpl_free(fixed);
}

Test(testrun, grammar_errors_point_at_the_problem)
{
    char *m = parse_error("program \"p.dpl\"\ntest \"t\" {\n  input {} -> emit [1]\n}\n");
    cr_assert(m && strstr(m, "t.dpltest:3:20: an emitted entity is a JSON object"), "%s", m);
    dpl_free(m);
    m = parse_error("program \"p.dpl\"\ntest \"t\" {\n  inpt {} -> skip\n}\n");
    cr_assert(m && strstr(m, "t.dpltest:3:3: expected `input`"), "%s", m);
    dpl_free(m);
    m = parse_error("program \"p.dpl\"\ntest \"t\" {\n  input {} -> skip\n  emitted -1\n}\n");
    cr_assert(m && strstr(m, "t.dpltest:4:11: a number"), "%s", m);
    dpl_free(m);
    m = parse_error("program \"p.dpl\"\n");
    cr_assert(m && strstr(m, "has no `test"), "%s", m);
    dpl_free(m);
}

/* ---- the evaluator's coverage hook --------------------------------------------- */

typedef struct {
    int taken, not_taken;
} Hits;

static void count_hits(void *ctx, const void *node, bool taken)
{
    (void)node;
    Hits *h = ctx;
    if (taken)
        h->taken++;
    else
        h->not_taken++;
}

Test(testrun, coverage_hook_reports_each_point_a_record_passes)
{
    const char *prog = "entity \"e\" { k }\nsources \"a\"\nmandatory { k }\nrequirement { n > 0 }\n"
                       "add { k\n \"x\" -> x if n > 5 }\n";
    DplSource *src = dpl_source_new("t.dpl", prog, strlen(prog));
    DplDiagList d = {0};
    bool ok = false;
    DplProgram *p = dpl_compile(src, &d, &ok);
    cr_assert(ok);
    DplEvaluator *ev = dpl_eval_new(p);
    Hits h = {0};
    dpl_eval_set_cover(ev, count_hits, &h);
    DplResult r;
    dpl_result_init(&r);
    json_t *rec = js("{\"data\":{\"k\":1,\"n\":3},\"metadata\":{\"source\":\"a\"}}");
    dpl_eval_record(ev, rec, 1, &r);
    /* sources (taken), key, mandatory, requirement (held), item k, if (not taken) */
    cr_assert_eq(r.outcome, DPL_EMIT);
    cr_assert_eq(h.taken, 5);
    cr_assert_eq(h.not_taken, 1);
    json_decref(rec);
    h = (Hits){0};
    rec = js("{\"data\":{\"k\":1},\"metadata\":{\"source\":\"b\"}}");
    dpl_eval_record(ev, rec, 2, &r);
    cr_assert_eq(r.outcome, DPL_SKIP);
    cr_assert_eq(h.taken, 0);
    cr_assert_eq(h.not_taken, 1); /* only the sources filter ran */
    json_decref(rec);
    dpl_eval_set_cover(ev, NULL, NULL);
    rec = js("{\"data\":{\"k\":1},\"metadata\":{\"source\":\"a\"}}");
    dpl_eval_record(ev, rec, 3, &r);
    cr_assert_eq(h.not_taken, 1); /* no hook, no counts */
    json_decref(rec);
    dpl_result_free(&r);
    dpl_eval_free(ev);
    dpl_program_free(p);
    dpl_diag_list_free(&d);
    dpl_source_free(src);
}

/* ---- whole runs ------------------------------------------------------------------ */

static char dir[64];

static void write_file(const char *name, const char *text)
{
    char *path = dpl_asprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
    dpl_free(path);
}

static int run_main(DplTestOptions *o, char **out_text)
{
    char *buf = NULL, *ebuf = NULL;
    size_t len = 0, elen = 0;
    FILE *out = open_memstream(&buf, &len), *err = open_memstream(&ebuf, &elen);
    const char *paths[] = {dir};
    o->paths = paths;
    o->npaths = 1;
    int st = dpl_test_main(o, out, err);
    fclose(out);
    fclose(err);
    *out_text = dpl_asprintf("%s%s", buf, ebuf);
    free(buf);
    free(ebuf);
    return st;
}

static void make_dir(void)
{
    strcpy(dir, "/tmp/dpl-testrun-XXXXXX");
    cr_assert(mkdtemp(dir));
    write_file("p.dpl", "entity \"e\" { k }\nsources \"a\"\nadd { k\n \"big\" -> size if k > 10 }\n");
    write_file("in.ndjson", "{\"data\":{\"k\":1},\"metadata\":{\"source\":\"a\"}}\n\n"
                            "{\"data\":{\"k\":20},\"metadata\":{\"source\":\"b\"}}\nnot json\n");
}

static void remove_dir(void)
{
    char *cmd = dpl_asprintf("rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    dpl_free(cmd);
}

Test(testrun, a_passing_file_exits_0_and_counts_lines_like_dpl_run)
{
    make_dir();
    /* line 2 of the file is blank: not a record, but it keeps its number */
    write_file("p.dpltest", "program \"p.dpl\"\ntest \"file\" {\n  input file \"in.ndjson\"\n  emitted 1\n"
                            "  skipped 1\n  rejected 1\n  line 3 skip\n  line 4 reject invalid_json\n}\n");
    DplTestOptions o = {.coverage_min = -1};
    char *text;
    int st = run_main(&o, &text);
    cr_assert_eq(st, DPL_TEST_PASSED, "%s", text);
    cr_assert(strstr(text, "ok     "), "%s", text);
    cr_assert(strstr(text, "1 passed, 0 failed (1 file)"), "%s", text);
    dpl_free(text);
    remove_dir();
}

Test(testrun, a_failing_test_exits_1_with_file_line_and_diff)
{
    make_dir();
    write_file("p.dpltest", "program \"p.dpl\"\ntest \"size\" {\n  input {\"data\":{\"k\":20},\"metadata\":{\"source\":\"a\"}}\n"
                            "  emit partial {\"data\":{\"size\":\"small\"}}\n}\n");
    DplTestOptions o = {.coverage_min = -1, .coverage = true};
    char *text;
    int st = run_main(&o, &text);
    cr_assert_eq(st, DPL_TEST_FAILED, "%s", text);
    cr_assert(strstr(text, "FAIL   "), "%s", text);
    cr_assert(strstr(text, "/p.dpltest:4: record 1 (input at "), "%s", text);
    cr_assert(strstr(text, "-      \"size\": \"small\"\n"), "%s", text);
    cr_assert(strstr(text, "+      \"size\": \"big\"\n"), "%s", text);
    /* sources 2 + key 1 + item 1 + if 2 = 6; covered: listed, key, item, if taken */
    cr_assert(strstr(text, "4 of 6 (66.7%)"), "%s", text);
    dpl_free(text);
    remove_dir();
}

Test(testrun, a_program_with_errors_exits_2)
{
    make_dir();
    write_file("p.dpl", "entity \"e\" { lenn(k) }\n");
    write_file("p.dpltest", "program \"p.dpl\"\ntest \"t\" {\n  input {} -> skip\n}\n");
    DplTestOptions o = {.coverage_min = -1};
    char *text;
    int st = run_main(&o, &text);
    cr_assert_eq(st, DPL_TEST_ERROR, "%s", text);
    cr_assert(strstr(text, "error[E303]"), "%s", text);
    cr_assert(strstr(text, "ERROR  "), "%s", text);
    dpl_free(text);
    remove_dir();
}
