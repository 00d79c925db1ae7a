/* dplc.c — the `dplc` program: `check`, `ast`, `explain` and dispatch to
 * `fmt`.  Parsing flags and printing is all it does; the work is in libdpl.
 *
 * Where output goes: human diagnostics are messages for a person and go to
 * stderr (with a summary line); `--format json` is data for a tool and goes
 * to stdout, one object per file per line, even when a file is clean.
 * Exit status (spec §9): 0 no errors, 1 errors, 2 usage or I/O error. */
#include <stdio.h>
#include <string.h>

#include "ast/ast.h"
#include "check/check.h"
#include "eval/eval.h"
#include "cli/cli.h"
#include "opts/opts.h"
#include "parser/parser.h"
#include "stream/stream.h"
#include "util/util.h"

static const DplCmd *cmd_of(const char *name) { return dpl_opts_find_cmd(&dpl_opts_dplc, name); }

static void plural(FILE *f, size_t n, const char *word)
{
    fprintf(f, "%zu %s%s", n, word, n == 1 ? "" : "s");
}

typedef struct {
    bool json;
    bool werror;
    bool color;
    bool fix;
    const char *sample;     /* --sample: NDJSON records for W405 */
    bool raw;               /* the sample holds plain values, not envelopes */
} CheckOpts;

/* --sample: the file streamed through the W405 check of prog (gzip read by
 * its magic, as `dpl run` reads input; any size).  false, with the reason
 * printed, when it cannot be read or a line is not JSON. */
static bool check_sample(const DplProgram *prog, const CheckOpts *o, DplDiagList *diags)
{
    int err = 0;
    DplStreamSource *in = dpl_stream_source_file(o->sample, &err);
    if (!in) {
        fprintf(stderr, "dplc: cannot read `%s`: %s\n", o->sample, strerror(err));
        return false;
    }
    DplSample *s = dpl_sample_new(prog, o->raw);
    char bad[256] = "", chunk[1 << 16];
    ssize_t n;
    bool ok = true;
    while (ok && (n = in->ops->read(in, chunk, sizeof chunk, &err)) != 0) {
        if (n < 0) {
            snprintf(bad, sizeof bad, "%s", in->why ? in->why : strerror(err));
            ok = false;
        } else {
            ok = dpl_sample_add(s, chunk, (size_t)n, bad, sizeof bad);
        }
    }
    ok = ok && dpl_sample_finish(s, diags, bad, sizeof bad);
    if (!ok)
        fprintf(stderr, "dplc: sample `%s`: %s\n", o->sample, bad);
    dpl_sample_free(s);
    dpl_stream_source_close(in);
    return ok;
}

/* --fix: rewrites the file with its certain fixes applied (atomically) and
 * returns its new text, or src itself when there was nothing to fix;
 * NULL after a write error (reported). */
static DplSource *fix_file(const char *path, DplSource *src)
{
    size_t len, fixed;
    char *text = dpl_check_fix(src, &len, &fixed);
    if (!text)
        return src;
    const char *why = NULL;
    bool ok = dpl_write_file_atomic(path, text, len, &why);
    if (ok) {
        fprintf(stderr, "dplc check: fixed %zu problem%s in %s\n", fixed, fixed == 1 ? "" : "s", path);
        DplSource *fixed_src = dpl_source_new(src->name, text, len);
        dpl_source_free(src);
        src = fixed_src;
    } else {
        fprintf(stderr, "dplc check: cannot write `%s`: %s (left unchanged)\n", path, why);
        dpl_source_free(src);
        src = NULL;
    }
    dpl_free(text);
    return src;
}

/* Checks one file; returns its exit status (0, 1, or 2 for I/O). */
static int check_file(const char *path, const CheckOpts *o)
{
    const char *why = NULL;
    DplSource *src = dpl_source_read_file(path, &why);
    if (!src) {
        fprintf(stderr, "dplc: cannot read `%s`: %s\n", path, why);
        return 2;
    }
    if (o->fix && !(src = fix_file(path, src)))
        return 2;
    DplDiagList diags = {0};
    bool ok;
    DplProgram *prog = dpl_compile(src, &diags, &ok);
    if (o->sample) {
        if (!check_sample(prog, o, &diags)) {
            dpl_program_free(prog);
            dpl_diag_list_free(&diags);
            dpl_source_free(src);
            return 2;
        }
    }
    if (o->werror)
        dpl_diag_warnings_as_errors(&diags);
    dpl_diag_sort(&diags);
    size_t nerr = dpl_diag_count(&diags, DPL_SEV_ERROR);
    size_t nwarn = dpl_diag_count(&diags, DPL_SEV_WARNING);
    if (o->json) {
        DplBuf b = {0};
        dpl_diag_render_json(&b, src, &diags);
        fwrite(b.data, 1, b.len, stdout);
        dpl_buf_free(&b);
    } else if (diags.len) {
        dpl_cli_print_diags(stderr, src, &diags, o->color);
        fprintf(stderr, "\n%s: ", path);
        plural(stderr, nerr, "error");
        fputs(", ", stderr);
        plural(stderr, nwarn, "warning");
        fputc('\n', stderr);
    }
    dpl_program_free(prog);
    dpl_diag_list_free(&diags);
    dpl_source_free(src);
    return nerr ? 1 : 0;
}

static int cmd_check(int argc, char **argv)
{
    const DplCmd *cmd = cmd_of("check");
    CheckOpts o = {0};
    DplColorMode color = DPL_COLOR_AUTO;
    int nfiles = 0;
    char **files = dpl_calloc((size_t)argc, sizeof *files);
    DplOptParser p;
    dpl_opts_begin(&p, cmd, argc, argv);
    for (int id; (id = dpl_opts_next(&p)) != DPL_OPTS_END;) {
        switch (id) {
        case DPL_OPTS_ARG:
            files[nfiles++] = (char *)p.value;
            break;
        case DPL_OPTS_ERROR:
        case DPL_OPT_HELP:
            dpl_free(files);
            return dpl_cli_help_or_error(&p, id);
        case DPL_OPT_FORMAT:
            o.json = strcmp(p.value, "json") == 0;
            break;
        case DPL_OPT_COLOR:
            color = strcmp(p.value, "always") == 0  ? DPL_COLOR_ALWAYS
                    : strcmp(p.value, "never") == 0 ? DPL_COLOR_NEVER
                                                    : DPL_COLOR_AUTO;
            break;
        case DPL_OPT_WARNINGS:
            o.werror = true;
            break;
        case DPL_OPT_FIX:
            o.fix = true;
            break;
        case DPL_OPT_SAMPLE:
            o.sample = p.value;
            break;
        case DPL_OPT_RAW:
            o.raw = true;
            break;
        }
    }
    dpl_opts_end(&p);
    if (nfiles == 0)
        return dpl_free(files), dpl_opts_usage_error(cmd, "%s", "needs at least one FILE");
    for (int i = 0; i < nfiles && o.fix; i++)
        if (strcmp(files[i], "-") == 0)
            return dpl_free(files), dpl_opts_usage_error(cmd, "%s", "--fix cannot rewrite stdin");
    if (o.raw && !o.sample)
        return dpl_free(files), dpl_opts_usage_error(cmd, "%s", "--raw describes the --sample records; give --sample FILE");
    /* the sample is read once per FILE: stdin can only be read once */
    bool stdin_used = false;
    for (int i = 0; i < nfiles; i++)
        stdin_used |= strcmp(files[i], "-") == 0;
    if (o.sample && strcmp(o.sample, "-") == 0 && (nfiles > 1 || stdin_used))
        return dpl_free(files), dpl_opts_usage_error(cmd, "%s", "--sample - (stdin) needs exactly one FILE, not stdin");
    o.color = !o.json && dpl_cli_use_color(color, stderr);
    int status = 0;
    for (int i = 0; i < nfiles; i++) {
        int s = check_file(files[i], &o);
        if (s > status)
            status = s;
    }
    dpl_free(files);
    return status;
}

static int cmd_ast(int argc, char **argv)
{
    const DplCmd *cmd = cmd_of("ast");
    const char *file = NULL;
    DplOptParser p;
    dpl_opts_begin(&p, cmd, argc, argv);
    for (int id; (id = dpl_opts_next(&p)) != DPL_OPTS_END;) {
        if (id == DPL_OPTS_ERROR || id == DPL_OPT_HELP)
            return dpl_cli_help_or_error(&p, id);
        if (file) /* DPL_OPTS_ARG: the only kind left */
            return dpl_opts_end(&p), dpl_opts_usage_error(cmd, "%s", "takes exactly one FILE");
        file = p.value;
    }
    dpl_opts_end(&p);
    if (!file)
        return dpl_opts_usage_error(cmd, "%s", "takes exactly one FILE");
    argv[1] = (char *)file;
    const char *why = NULL;
    DplSource *src = dpl_source_read_file(argv[1], &why);
    if (!src) {
        fprintf(stderr, "dplc: cannot read `%s`: %s\n", argv[1], why);
        return 2;
    }
    DplDiagList diags = {0};
    DplProgram *prog = dpl_parse(src, &diags);
    dpl_diag_sort(&diags);
    dpl_cli_print_diags(stderr, src, &diags, dpl_cli_use_color(DPL_COLOR_AUTO, stderr));
    DplBuf b = {0};
    dpl_ast_print(&b, prog);
    if (b.len)
        fwrite(b.data, 1, b.len, stdout);
    dpl_buf_free(&b);
    int status = dpl_diag_count(&diags, DPL_SEV_ERROR) ? 1 : 0;
    dpl_program_free(prog);
    dpl_diag_list_free(&diags);
    dpl_source_free(src);
    return status;
}

/* Writes and frees b to f. */
static void put(FILE *f, DplBuf *b)
{
    fwrite(b->data, 1, b->len, f);
    dpl_buf_free(b);
}

static int cmd_explain(int argc, char **argv)
{
    const DplCmd *cmd = cmd_of("explain");
    const char *code = NULL;
    bool all = false;
    DplOptParser p;
    dpl_opts_begin(&p, cmd, argc, argv);
    for (int id; (id = dpl_opts_next(&p)) != DPL_OPTS_END;) {
        if (id == DPL_OPTS_ERROR || id == DPL_OPT_HELP)
            return dpl_cli_help_or_error(&p, id);
        if (id == DPL_OPT_ALL)
            all = true;
        else if (code)
            return dpl_opts_end(&p), dpl_opts_usage_error(cmd, "%s", "takes one CODE (like E303 or cast_failed), or --all");
        else
            code = p.value;
    }
    dpl_opts_end(&p);
    if (all == (code != NULL))
        return dpl_opts_usage_error(cmd, "%s", "takes one CODE (like E303 or cast_failed), or --all");
    DplBuf b = {0};
    if (all) {
        dpl_explain_all(&b); /* docs/errors.md is exactly this (a golden test compares them) */
    } else if (!dpl_explain(&b, code)) {
        dpl_buf_puts(&b, "dplc explain: ");
        dpl_explain_unknown(&b, code);
        dpl_buf_putc(&b, '\n');
        put(stderr, &b);
        return 2;
    }
    put(stdout, &b);
    return 0;
}

/* `dplc completion SHELL` */
static int cmd_completion(int argc, char **argv)
{
    return dpl_cli_completion(&dpl_opts_dplc, cmd_of("completion"), argc, argv);
}

int main(int argc, char **argv)
{
    dpl_util_init();
    static const DplCliCmd cmds[] = {{"check", cmd_check},     {"fmt", dplc_cmd_fmt},
                                     {"ast", cmd_ast},         {"explain", cmd_explain},
                                     {"completion", cmd_completion}, {"schema", dplc_cmd_schema},
                                     {"compat", dplc_cmd_compat},    {NULL, NULL}};
    return dpl_cli_dispatch(&dpl_opts_dplc, cmds, argc, argv);
}
