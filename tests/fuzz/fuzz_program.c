/* fuzz_program.c — libFuzzer target: arbitrary bytes as a DPL program go
 * through the lexer, parser, checker, both diagnostic renderers, the AST
 * printer and the formatter; whatever dpl_fmt accepts must re-parse without
 * errors to an equal AST and format to itself (idempotence).  A program that
 * checks also goes through dplc schema (both schemas must be JSON) and
 * dplc compat against itself (never a breaking change). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "ast/ast.h"
#include "check/check.h"
#include "diag/diag.h"
#include "fmt/fmt.h"
#include "parser/parser.h"
#include "schema/schema.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken fmt property is a finding: abort so libFuzzer keeps the input. */
static void fail(const char *what, const char *in, size_t n, const char *out)
{
    fprintf(stderr, "fuzz_program: %s\n--- input (%zu bytes)\n%.*s\n--- fmt output\n%s\n", what, n, (int)n, in,
            out ? out : "(null)");
    abort();
}

/* Parses text; the program borrows *src, so both are freed by the caller. */
static size_t parse_errors(const char *text, size_t n, DplSource **src, DplProgram **prog)
{
    *src = dpl_source_new("f.dpl", text, n);
    DplDiagList d = {0};
    *prog = dpl_parse(*src, &d);
    size_t e = dpl_diag_count(&d, DPL_SEV_ERROR);
    dpl_diag_list_free(&d);
    return e;
}

static void check_schema(DplProgram *prog, const char *text, size_t n)
{
    for (int mode = 0; mode < 3; mode++) {
        DplBuf b = {0};
        if (mode == 0)
            dpl_schema_output(&b, prog);
        else
            dpl_schema_input(&b, prog, mode == 2);
        json_error_t err;
        json_t *v = json_loadb(b.data, b.len, JSON_DECODE_ANY, &err);
        if (!v)
            fail("dplc schema printed something that is not JSON", text, n, b.data);
        json_decref(v);
        dpl_buf_free(&b);
    }
    DplDiagList od = {0}, nd = {0};
    DplCompatSummary s = dpl_schema_compat(prog, prog, &od, &nd);
    if (s.breaking || od.len || nd.len)
        fail("dplc compat finds a program incompatible with itself", text, n, NULL);
    dpl_diag_list_free(&od);
    dpl_diag_list_free(&nd);
}

static void check_fmt(const char *text, size_t n)
{
    DplSource *src = dpl_source_new("f.dpl", text, n);
    DplDiagList d = {0};
    char *once = dpl_fmt(src, &d);
    dpl_diag_list_free(&d);
    dpl_source_free(src);
    if (!once)
        return; /* syntax errors: fmt refuses, which is its contract */

    DplProgram *a = NULL, *b = NULL;
    DplSource *sa = NULL, *sb = NULL;
    size_t ea = parse_errors(text, n, &sa, &a);
    size_t eb = parse_errors(once, strlen(once), &sb, &b);
    if (ea)
        fail("dpl_fmt formatted a program that has parse errors", text, n, once);
    if (eb)
        fail("fmt output does not parse", text, n, once);
    if (!dpl_ast_equal(a, b))
        fail("fmt output parses to a different AST", text, n, once);
    dpl_program_free(a);
    dpl_program_free(b);
    dpl_source_free(sa);
    dpl_source_free(sb);

    DplSource *s2 = dpl_source_new("f.dpl", once, strlen(once));
    DplDiagList d2 = {0};
    char *twice = dpl_fmt(s2, &d2);
    if (!twice || strcmp(once, twice) != 0)
        fail("fmt is not idempotent", once, strlen(once), twice);
    dpl_diag_list_free(&d2);
    dpl_source_free(s2);
    dpl_free(twice);
    dpl_free(once);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    if (!inited) {
        dpl_util_init();
        inited = 1;
    }
    const char *text = (const char *)data;
    DplSource *src = dpl_source_new("f.dpl", text, size);
    DplDiagList d = {0};
    bool ok;
    DplProgram *prog = dpl_compile(src, &d, &ok);
    DplBuf out = {0};
    dpl_diag_sort(&d);
    for (size_t i = 0; i < d.len; i++)
        dpl_diag_render_human(&out, src, &d.items[i], i & 1);
    dpl_diag_render_json(&out, src, &d);
    dpl_ast_print(&out, prog);
    dpl_buf_free(&out);
    if (ok)
        check_schema(prog, text, size);
    dpl_program_free(prog);
    dpl_diag_list_free(&d);
    dpl_source_free(src);
    check_fmt(text, size);
    return 0;
}
