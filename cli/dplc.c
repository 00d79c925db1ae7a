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
#include "cli/cli.h"
#include "parser/parser.h"
#include "util/util.h"

static const char usage_text[] =
    "usage: dplc check [--format human|json] [--color auto|always|never] [-W error] FILE...\n"
    "       dplc fmt [--write | --check] FILE...\n"
    "       dplc ast FILE\n"
    "       dplc explain CODE | --all\n"
    "       dplc --help | --version\n"
    "check prints human diagnostics on stderr, or one JSON object per file on stdout\n"
    "with --format json; it exits 0 without errors, 1 with errors, 2 on usage or I/O errors.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("dplc: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    fputs(usage_text, stderr);
    return 2;
}

/* Matches `--name VALUE` or `--name=VALUE`; advances *i past what it used.
 * Returns the value, or NULL when argv[*i] is not this option.  Sets
 * *missing when the option is given without a value. */
static const char *option_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

static void plural(FILE *f, size_t n, const char *word)
{
    fprintf(f, "%zu %s%s", n, word, n == 1 ? "" : "s");
}

typedef struct {
    bool json;
    bool werror;
    bool color;
} CheckOpts;

/* Checks one file; returns its exit status (0, 1, or 2 for I/O). */
static int check_file(const char *path, const CheckOpts *o)
{
    const char *why = NULL;
    DplSource *src = dpl_source_read_file(path, &why);
    if (!src) {
        fprintf(stderr, "dplc: cannot read `%s`: %s\n", path, why);
        return 2;
    }
    DplDiagList diags = {0};
    bool ok;
    DplProgram *prog = dpl_compile(src, &diags, &ok);
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
    CheckOpts o = {0};
    DplColorMode color = DPL_COLOR_AUTO;
    int nfiles = 0;
    char **files = dpl_calloc((size_t)argc, sizeof *files);
    bool only_files = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        bool missing = false;
        if (only_files || a[0] != '-' || strcmp(a, "-") == 0) {
            files[nfiles++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_files = true;
        } else if ((v = option_value(argc, argv, &i, "--format", &missing))) {
            if (strcmp(v, "json") == 0)
                o.json = true;
            else if (strcmp(v, "human") == 0)
                o.json = false;
            else
                return dpl_free(files), usage_error("unknown --format `%s` (human or json)", v);
        } else if ((v = option_value(argc, argv, &i, "--color", &missing))) {
            if (strcmp(v, "auto") == 0)
                color = DPL_COLOR_AUTO;
            else if (strcmp(v, "always") == 0)
                color = DPL_COLOR_ALWAYS;
            else if (strcmp(v, "never") == 0)
                color = DPL_COLOR_NEVER;
            else
                return dpl_free(files), usage_error("unknown --color `%s` (auto, always or never)", v);
        } else if (strcmp(a, "-Werror") == 0 || strcmp(a, "-W=error") == 0) {
            o.werror = true;
        } else if (strcmp(a, "-W") == 0) {
            if (i + 1 >= argc || strcmp(argv[i + 1], "error") != 0)
                return dpl_free(files), usage_error("%s", "-W takes `error`");
            o.werror = true;
            i++;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            dpl_free(files);
            fputs(usage_text, stdout);
            return 0;
        } else if (missing) {
            return dpl_free(files), usage_error("option `%s` needs a value", a);
        } else {
            return dpl_free(files), usage_error("unknown option `%s` for check", a);
        }
    }
    if (nfiles == 0)
        return dpl_free(files), usage_error("%s", "check needs at least one FILE");
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
    if (argc != 2 || (argv[1][0] == '-' && argv[1][1] != '\0'))
        return usage_error("%s", "ast takes exactly one FILE");
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

/* The text of `dplc explain CODE`: a heading line, then the paragraph and
 * example from codes.h. */
static void explain(FILE *f, DplCode c)
{
    fprintf(f, "%s (%s): %s\n\n%s", dpl_code_name(c),
            dpl_code_severity(c) == DPL_SEV_ERROR ? "error" : "warning", dpl_code_title(c),
            dpl_code_explain(c));
}

/* docs/errors.md is exactly this output (a golden test compares them). */
static void explain_all(FILE *f)
{
    fputs("# DPL diagnostic codes\n\n"
          "Every code that `dplc check` reports, as printed by `dplc explain CODE`.\n"
          "This file is generated by `dplc explain --all` from `diag/codes.h`; edit\n"
          "the explanations there.\n",
          f);
    for (int c = 0; c < DPL_DIAG_CODE_COUNT; c++) {
        fputs("\n## ", f); /* the first line of each explanation is its heading */
        explain(f, (DplCode)c);
    }
}

static int cmd_explain(int argc, char **argv)
{
    if (argc != 2)
        return usage_error("%s", "explain takes one CODE (like E303), or --all");
    if (strcmp(argv[1], "--all") == 0) {
        explain_all(stdout);
        return 0;
    }
    DplCode c;
    if (!dpl_code_parse(argv[1], &c)) {
        fprintf(stderr,
                "dplc: unknown diagnostic code `%s` (codes are E101-E311 and W401-W404; "
                "`dplc explain --all` lists them)\n",
                argv[1]);
        return 2;
    }
    explain(stdout, c);
    return 0;
}

int main(int argc, char **argv)
{
    dpl_util_init();
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "fmt") == 0)
        return dplc_cmd_fmt(argc - 1, argv + 1);
    if (strcmp(cmd, "ast") == 0)
        return cmd_ast(argc - 1, argv + 1);
    if (strcmp(cmd, "explain") == 0)
        return cmd_explain(argc - 1, argv + 1);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        puts("dplc " DPL_VERSION);
        return 0;
    }
    return usage_error("unknown command `%s`", cmd);
}
