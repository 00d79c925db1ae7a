/* test_diag.c — the diagnostic renderer: the human layout of spec §9
 * (header, gutter, carets under the span, help and notes), colour on
 * demand, and the JSON object `dplc check --format json` prints. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "diag/diag.h"

static DplSource *src;
static DplDiagList diags;
static DplBuf out;

static void setup(void)
{
    memset(&diags, 0, sizeof diags);
    memset(&out, 0, sizeof out);
    src = NULL;
}
static void teardown(void)
{
    dpl_diag_list_free(&diags);
    dpl_buf_free(&out);
    dpl_source_free(src);
}

TestSuite(diag, .init = setup, .fini = teardown);

static const char *render(const char *text, DplSpan span, const char *msg)
{
    src = dpl_source_new("fipe.dpl", text, strlen(text));
    DplDiag *d = dpl_diag_add(&diags, DPL_E303, span, "%s", msg);
    (void)d;
    dpl_diag_render_human(&out, src, &diags.items[diags.len - 1], false);
    return out.data;
}

Test(diag, spec_example_layout)
{
    /* line 14 of a file, as in the spec's example */
    DplBuf text = {0};
    for (int i = 1; i < 14; i++)
        dpl_buf_puts(&text, "#\n");
    dpl_buf_puts(&text, "    len(data.nome) > 2 and lenn(data.marca) > 0\n");
    uint32_t at = (uint32_t)(strstr(text.data, "lenn") - text.data);
    src = dpl_source_new("fipe.dpl", text.data, text.len);
    dpl_buf_free(&text);
    DplDiag *d = dpl_diag_add(&diags, DPL_E303, (DplSpan){at, at + 4}, "unknown function `lenn`");
    dpl_diag_help(d, "did you mean `len`?");
    dpl_diag_render_human(&out, src, d, false);
    cr_assert_str_eq(out.data, "fipe.dpl:14:28: error[E303]: unknown function `lenn`\n"
                               "   |\n"
                               "14 |     len(data.nome) > 2 and lenn(data.marca) > 0\n"
                               "   |                            ^^^^ did you mean `len`?\n");
}

Test(diag, carets_count_code_points_not_bytes)
{
    const char *t = "add { \"ação\" -> x }\n";
    uint32_t s = (uint32_t)(strchr(t, '"') - t);
    uint32_t e = s + (uint32_t)strlen("\"ação\"");
    render(t, (DplSpan){s, e}, "m");
    cr_assert(strstr(out.data, "1:7: error[E303]: m\n"), "%s", out.data);
    cr_assert(strstr(out.data, "\n  |       ^^^^^^\n"), "six carets under six code points:\n%s", out.data);
}

Test(diag, zero_width_span_gets_one_caret)
{
    render("sources \"s\"\n", (DplSpan){0, 0}, "no entity");
    cr_assert_str_eq(out.data, "fipe.dpl:1:1: error[E303]: no entity\n"
                               "  |\n"
                               "1 | sources \"s\"\n"
                               "  | ^\n");
}

Test(diag, multi_line_span_underlines_to_end_of_first_line)
{
    render("add {\n  x\n}\n", (DplSpan){0, 11}, "block");
    cr_assert(strstr(out.data, "1 | add {\n  | ^^^^^\n"), "%s", out.data);
}

Test(diag, span_at_end_of_file_without_newline)
{
    const char *t = "add {\n    k";
    render(t, (DplSpan){(uint32_t)strlen(t), (uint32_t)strlen(t)}, "unclosed");
    cr_assert(strstr(out.data, "fipe.dpl:2:6:"), "%s", out.data);
    cr_assert(strstr(out.data, "2 |     k\n  |      ^\n"), "%s", out.data);
}

Test(diag, label_help_and_notes)
{
    src = dpl_source_new("p.dpl", "a\nb\n", 4);
    DplDiag *d = dpl_diag_add(&diags, DPL_W402, (DplSpan){2, 3}, "dup");
    dpl_diag_label(d, "again");
    dpl_diag_help(d, "remove it");
    dpl_diag_note(d, "first at 1:1");
    dpl_diag_render_human(&out, src, d, false);
    cr_assert_str_eq(out.data, "p.dpl:2:1: warning[W402]: dup\n"
                               "  |\n"
                               "2 | b\n"
                               "  | ^ again\n"
                               "  = help: remove it\n"
                               "  = note: first at 1:1\n");
}

Test(diag, tabs_in_the_line_keep_carets_aligned)
{
    render("\tx + y\n", (DplSpan){5, 6}, "m");
    cr_assert(strstr(out.data, "1 | \tx + y\n  | \t    ^\n"), "%s", out.data);
}

Test(diag, wide_characters_take_two_columns_in_the_caret_line)
{
    /* the terminal shows 日本語 and 😀 two columns wide: the caret under `;`
     * must skip six columns, and a span over an emoji gets two carets;
     * the header column still counts code points (spec §9) */
    const char *t = "  \"日本語\" ; c\n";
    uint32_t at = (uint32_t)(strchr(t, ';') - t);
    render(t, (DplSpan){at, at + 1}, "m");
    cr_assert(strstr(out.data, "1:9: error[E303]: m\n"), "%s", out.data);
    cr_assert(strstr(out.data, "\n  |            ^\n"), "%s", out.data);
    dpl_buf_reset(&out);
    dpl_source_free(src);
    const char *e = "x + \"é😀\" + 1\n";
    uint32_t s = (uint32_t)(strchr(e, '"') - e);
    render(e, (DplSpan){s, s + (uint32_t)strlen("\"é😀\"")}, "m");
    cr_assert(strstr(out.data, "\n  |     ^^^^^\n"), "quote, é, two for the emoji, quote:\n%s", out.data);
}

Test(diag, a_very_long_line_is_cut_around_the_span)
{
    DplBuf text = {0};
    for (int i = 0; i < 300; i++)
        dpl_buf_puts(&text, "x + ");
    dpl_buf_puts(&text, "lenn(1)");
    for (int i = 0; i < 300; i++)
        dpl_buf_puts(&text, " + y");
    dpl_buf_putc(&text, '\n');
    uint32_t at = (uint32_t)(strstr(text.data, "lenn") - text.data);
    render(text.data, (DplSpan){at, at + 4}, "m");
    dpl_buf_free(&text);
    cr_assert(strstr(out.data, "1:1201: error[E303]: m\n"), "%s", out.data);
    /* 60 columns before the span, 40 after, "..." on both cuts, carets
     * under the span */
    const char *l = strstr(out.data, "1 | ...");
    cr_assert_not_null(l, "%s", out.data);
    cr_assert(strstr(out.data, "lenn(1) + y + y"), "%s", out.data);
    const char *nl = strchr(l, '\n');
    cr_assert(nl - l > 3 && strncmp(nl - 3, "...", 3) == 0, "%s", out.data);
    const char *carets = strstr(out.data, "\n  | ");
    cr_assert_not_null(carets);
    cr_assert(strncmp(carets + strlen("\n  | ") + 3 + 60, "^^^^\n", 5) == 0, "%s", out.data);
    cr_assert_lt(strlen(out.data), 300, "%s", out.data);
}

Test(diag, control_bytes_in_source_are_not_sent_to_the_terminal)
{
    render("a\033[2Jb\n", (DplSpan){0, 1}, "m");
    cr_assert_null(strchr(out.data, '\033'));
}

Test(diag, colour_only_when_asked)
{
    src = dpl_source_new("p.dpl", "x\n", 2);
    DplDiag *d = dpl_diag_add(&diags, DPL_E301, (DplSpan){0, 1}, "m");
    dpl_diag_render_human(&out, src, d, false);
    cr_assert_null(strchr(out.data, '\033'));
    dpl_buf_reset(&out);
    dpl_diag_render_human(&out, src, d, true);
    cr_assert(strstr(out.data, "\033[1;31merror[E301]"), "%s", out.data);
}

Test(diag, json_matches_spec_shape)
{
    const char *t = "entity \"e\" { k }\nrequirement { lenn(x) }\n";
    src = dpl_source_new("fipe.dpl", t, strlen(t));
    uint32_t at = (uint32_t)(strstr(t, "lenn") - t);
    DplDiag *d = dpl_diag_add(&diags, DPL_E303, (DplSpan){at, at + 4}, "unknown function `lenn`");
    dpl_diag_help(d, "did you mean `len`?");
    DplDiag *w = dpl_diag_add(&diags, DPL_W401, (DplSpan){0, 6}, "no sources");
    dpl_diag_note(w, "n1");
    dpl_diag_render_json(&out, src, &diags);
    cr_assert_eq(out.data[out.len - 1], '\n');
    cr_assert_eq(strchr(out.data, '\n'), out.data + out.len - 1, "one line");
    cr_assert(strstr(out.data,
                     "{\"file\":\"fipe.dpl\",\"diagnostics\":[{\"severity\":\"error\",\"code\":\"E303\","
                     "\"message\":\"unknown function `lenn`\",\"span\":{\"start\":{\"line\":2,\"column\":15,"
                     "\"offset\":31},\"end\":{\"line\":2,\"column\":19,\"offset\":35}},"
                     "\"help\":\"did you mean `len`?\"}"),
              "%s", out.data);
    json_error_t err;
    json_t *j = json_loads(out.data, 0, &err);
    cr_assert_not_null(j, "%s", err.text);
    json_t *second = json_array_get(json_object_get(j, "diagnostics"), 1);
    cr_assert_str_eq(json_string_value(json_object_get(second, "severity")), "warning");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(second, "notes"), 0)), "n1");
    cr_assert_null(json_object_get(second, "help"));
    json_decref(j);
}

Test(diag, json_survives_invalid_utf8_file_name)
{
    src = dpl_source_new("bad\xff.dpl", "", 0);
    dpl_diag_add(&diags, DPL_E301, (DplSpan){0, 0}, "m");
    dpl_diag_render_json(&out, src, &diags);
    json_t *j = json_loads(out.data, 0, NULL);
    cr_assert_not_null(j, "%s", out.data);
    cr_assert_str_eq(json_string_value(json_object_get(j, "file")), "bad\xEF\xBF\xBD.dpl");
    json_decref(j);
}

Test(diag, json_of_an_empty_list)
{
    src = dpl_source_new("ok.dpl", "", 0);
    dpl_diag_render_json(&out, src, &diags);
    cr_assert_str_eq(out.data, "{\"file\":\"ok.dpl\",\"diagnostics\":[]}\n");
}

Test(diag, every_code_has_an_explanation_with_an_example)
{
    for (int c = 0; c < DPL_DIAG_CODE_COUNT; c++) {
        const char *x = dpl_code_explain((DplCode)c);
        cr_assert(strlen(x) > 80, "%s has no explanation", dpl_code_name((DplCode)c));
        cr_assert(strstr(x, "\n\n    "), "%s has no indented example", dpl_code_name((DplCode)c));
        DplCode back;
        cr_assert(dpl_code_parse(dpl_code_name((DplCode)c), &back) && back == (DplCode)c);
    }
}

/* ---- machine-applicable fixes (dplc check --fix) ------------------------ */

static char *applied(const char *text, DplDiagList *l, size_t *count)
{
    DplSource *src = dpl_source_new("t.dpl", text, strlen(text));
    size_t len;
    char *out = dpl_diag_apply_fixes(src, l, &len, count);
    dpl_source_free(src);
    return out;
}

Test(diag, fixes_apply_in_source_order_whatever_the_list_order)
{
    DplDiagList l = {0};
    /* "lenn(x) = 1": two diagnostics, listed last-first */
    DplDiag *d = dpl_diag_add(&l, DPL_E101, (DplSpan){8, 9}, "unexpected character `=`");
    dpl_diag_fix(d, (DplSpan){8, 9}, "==");
    d = dpl_diag_add(&l, DPL_E303, (DplSpan){0, 4}, "unknown function `lenn`");
    dpl_diag_fix(d, (DplSpan){0, 4}, "len");
    size_t n;
    char *out = applied("lenn(x) = 1\n", &l, &n);
    cr_assert_str_eq(out, "len(x) == 1\n");
    cr_assert_eq(n, 2);
    dpl_free(out);
    dpl_diag_list_free(&l);
}

Test(diag, overlapping_fixes_take_the_first_diagnostic_whole)
{
    DplDiagList l = {0};
    DplDiag *d = dpl_diag_add(&l, DPL_E303, (DplSpan){0, 4}, "a");
    dpl_diag_fix(d, (DplSpan){0, 4}, "len");
    d = dpl_diag_add(&l, DPL_E101, (DplSpan){2, 6}, "b"); /* overlaps the first: left for a later round */
    dpl_diag_fix(d, (DplSpan){2, 6}, "zz");
    d = dpl_diag_add(&l, DPL_E101, (DplSpan){8, 9}, "c"); /* two fixes that go together */
    dpl_diag_fix(d, (DplSpan){8, 8}, "\"");
    dpl_diag_fix(d, (DplSpan){9, 9}, "\"");
    size_t n;
    char *out = applied("lenn(x) y\n", &l, &n);
    cr_assert_str_eq(out, "len(x) \"y\"\n");
    cr_assert_eq(n, 2);
    dpl_free(out);
    dpl_diag_list_free(&l);
}

Test(diag, no_fixes_is_null_and_fixes_beyond_the_source_are_refused)
{
    DplDiagList l = {0};
    dpl_diag_add(&l, DPL_E303, (DplSpan){0, 4}, "no fix");
    size_t n;
    cr_assert_null(applied("lenn\n", &l, &n));
    DplDiag *d = dpl_diag_add(&l, DPL_E101, (DplSpan){0, 1}, "out of range");
    dpl_diag_fix(d, (DplSpan){3, 99}, "x");
    dpl_diag_fix(NULL, (DplSpan){0, 1}, "ignored"); /* a suppressed diagnostic */
    char *out = applied("lenn\n", &l, &n);
    cr_assert_str_eq(out, "lenn\n");
    cr_assert_eq(n, 0);
    dpl_free(out);
    dpl_diag_list_free(&l);
}

Test(diag, json_carries_fixes_with_spans)
{
    DplSource *src = dpl_source_new("t.dpl", "a = 1\n", 6);
    DplDiagList l = {0};
    DplDiag *d = dpl_diag_add(&l, DPL_E101, (DplSpan){2, 3}, "unexpected character `=`");
    dpl_diag_fix(d, (DplSpan){2, 3}, "==");
    DplBuf b = {0};
    dpl_diag_render_json(&b, src, &l);
    cr_assert(strstr(b.data, "\"fixes\":[{\"span\":{\"start\":{\"line\":1,\"column\":3,\"offset\":2},"
                             "\"end\":{\"line\":1,\"column\":4,\"offset\":3}},\"replacement\":\"==\"}]"),
              "%s", b.data);
    dpl_buf_free(&b);
    dpl_diag_list_free(&l);
    dpl_source_free(src);
}

Test(diag, explain_knows_diagnostic_and_reject_codes)
{
    DplBuf b = {0};
    cr_assert(dpl_explain(&b, "e303"));
    cr_assert(strncmp(b.data, "E303 (error): unknown function\n\n", 32) == 0, "%s", b.data);
    dpl_buf_reset(&b);
    cr_assert(dpl_explain(&b, "cast_failed"));
    cr_assert(strncmp(b.data, "cast_failed (reject): ", 22) == 0, "%s", b.data);
    dpl_buf_reset(&b);
    cr_assert_not(dpl_explain(&b, "nope"));
    cr_assert_eq(b.len, 0);
    for (int c = 0; c < DPL_RT_COUNT; c++) { /* every reject code the runtime has is explained */
        DplRtCode back;
        cr_assert(dpl_rt_code_parse(dpl_rt_code_name((DplRtCode)c), &back));
        cr_assert_eq((int)back, c);
        cr_assert(strstr(dpl_rt_code_explain((DplRtCode)c), "\n\n    "));
    }
    dpl_buf_free(&b);
}
