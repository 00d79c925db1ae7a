/* dplc_schema.c — `dplc schema [--input [--raw]] PROGRAM` and `dplc compat
 * [--format human|json] [--color WHEN] OLD NEW` (spec §13, docs/schema.md):
 * argument parsing and printing; the work is in schema/.
 *
 * schema prints the JSON Schema on stdout.  compat prints like check: human
 * diagnostics and a summary on stderr, or with --format json one object per
 * program on stdout (OLD's, then NEW's).  Exit: 0 compatible (or the schema
 * printed), 1 breaking changes, 2 usage, I/O or program errors. */
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "cli/cli.h"
#include "schema/schema.h"

static const char schema_usage[] =
    "usage: dplc schema [--input [--raw]] PROGRAM\n"
    "  (default)  the JSON Schema (draft 2020-12) of the entity records PROGRAM emits\n"
    "  --input    the JSON Schema of the input envelopes PROGRAM accepts\n"
    "  --raw      with --input: of the plain values `dpl run --raw` accepts\n"
    "Exit: 0 printed, 2 usage, I/O or program errors.\n";

static const char compat_usage[] =
    "usage: dplc compat [--format human|json] [--color auto|always|never] OLD NEW\n"
    "  lists every change from OLD to NEW that breaks the consumers of the records\n"
    "  (spec §13): attributes removed or made conditional, types narrowed or changed,\n"
    "  the entity name or keys changed, sources removed.\n"
    "Exit: 0 compatible, 1 breaking changes, 2 usage, I/O or program errors.\n";

static int usage(const char *text, const char *fmt, const char *arg)
{
    fputs("dplc: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    fputs(text, stderr);
    return 2;
}

/* A checked program, or NULL after printing why not (I/O or program errors). */
static DplProgram *load(const char *path, DplSource **src, bool color)
{
    const char *why = NULL;
    *src = dpl_source_read_file(path, &why);
    if (!*src) {
        fprintf(stderr, "dplc: cannot read `%s`: %s\n", path, why);
        return NULL;
    }
    DplDiagList diags = {0};
    bool ok;
    DplProgram *prog = dpl_compile(*src, &diags, &ok);
    if (!ok) {
        dpl_diag_sort(&diags);
        dpl_cli_print_diags(stderr, *src, &diags, color);
        fprintf(stderr, "\ndplc: `%s` has errors; fix them first (dplc check %s)\n", path, path);
        dpl_program_free(prog);
        prog = NULL;
    }
    dpl_diag_list_free(&diags);
    return prog;
}

int dplc_cmd_schema(int argc, char **argv)
{
    bool input = false, raw = false;
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--input") == 0)
            input = true;
        else if (strcmp(a, "--raw") == 0)
            raw = true;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return fputs(schema_usage, stdout), 0;
        else if (a[0] == '-' && a[1] != '\0')
            return usage(schema_usage, "unknown option `%s` for schema", a);
        else if (file)
            return usage(schema_usage, "schema takes one PROGRAM, got `%s` too", a);
        else
            file = a;
    }
    if (!file)
        return usage(schema_usage, "%s", "schema needs a PROGRAM");
    if (raw && !input)
        return usage(schema_usage, "%s", "--raw describes input records: use it with --input");
    DplSource *src = NULL;
    DplProgram *prog = load(file, &src, dpl_cli_use_color(DPL_COLOR_AUTO, stderr));
    if (!prog) {
        dpl_source_free(src);
        return 2;
    }
    DplBuf b = {0};
    if (input)
        dpl_schema_input(&b, prog, raw);
    else
        dpl_schema_output(&b, prog);
    fwrite(b.data, 1, b.len, stdout);
    dpl_buf_free(&b);
    dpl_program_free(prog);
    dpl_source_free(src);
    return 0;
}

static void plural(FILE *f, size_t n, const char *one, const char *many)
{
    fprintf(f, "%zu %s", n, n == 1 ? one : many);
}

int dplc_cmd_compat(int argc, char **argv)
{
    bool json = false;
    DplColorMode color = DPL_COLOR_AUTO;
    const char *files[2];
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (strncmp(a, "--format", 8) == 0 && (a[8] == '=' || a[8] == '\0')) {
            v = a[8] == '=' ? a + 9 : i + 1 < argc ? argv[++i] : NULL;
            if (v && strcmp(v, "json") == 0)
                json = true;
            else if (v && strcmp(v, "human") == 0)
                json = false;
            else
                return usage(compat_usage, "--format takes human or json%s", "");
        } else if (strncmp(a, "--color", 7) == 0 && (a[7] == '=' || a[7] == '\0')) {
            v = a[7] == '=' ? a + 8 : i + 1 < argc ? argv[++i] : NULL;
            if (v && strcmp(v, "auto") == 0)
                color = DPL_COLOR_AUTO;
            else if (v && strcmp(v, "always") == 0)
                color = DPL_COLOR_ALWAYS;
            else if (v && strcmp(v, "never") == 0)
                color = DPL_COLOR_NEVER;
            else
                return usage(compat_usage, "--color takes auto, always or never%s", "");
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            return fputs(compat_usage, stdout), 0;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage(compat_usage, "unknown option `%s` for compat", a);
        } else if (nfiles == 2) {
            return usage(compat_usage, "compat takes two programs, OLD and NEW; `%s` is a third", a);
        } else {
            files[nfiles++] = a;
        }
    }
    if (nfiles != 2)
        return usage(compat_usage, "%s", "compat needs two programs: OLD NEW");
    bool use_color = !json && dpl_cli_use_color(color, stderr);
    DplSource *osrc = NULL, *nsrc = NULL;
    DplProgram *old_prog = load(files[0], &osrc, use_color);
    DplProgram *new_prog = load(files[1], &nsrc, use_color);
    int status = 2;
    if (old_prog && new_prog) {
        DplDiagList od = {0}, nd = {0};
        DplCompatSummary s = dpl_schema_compat(old_prog, new_prog, &od, &nd);
        dpl_diag_sort(&od);
        dpl_diag_sort(&nd);
        if (json) {
            DplBuf b = {0};
            dpl_diag_render_json(&b, osrc, &od);
            dpl_diag_render_json(&b, nsrc, &nd);
            fwrite(b.data, 1, b.len, stdout);
            dpl_buf_free(&b);
        } else {
            dpl_cli_print_diags(stderr, nsrc, &nd, use_color);
            if (nd.len && od.len)
                fputc('\n', stderr);
            dpl_cli_print_diags(stderr, osrc, &od, use_color);
            if (nd.len || od.len)
                fputc('\n', stderr);
            fprintf(stderr, "%s -> %s: ", files[0], files[1]);
            if (s.breaking) {
                plural(stderr, s.breaking, "breaking change", "breaking changes");
            } else {
                fputs("compatible (", stderr);
                plural(stderr, s.added, "attribute added", "attributes added");
                fputs(", ", stderr);
                plural(stderr, s.widened, "type widened", "types widened");
                fputs(", ", stderr);
                plural(stderr, s.sources_added, "source added", "sources added");
                fputc(')', stderr);
            }
            if (s.warnings) {
                fputs(", ", stderr);
                plural(stderr, s.warnings, "warning", "warnings");
            }
            fputc('\n', stderr);
        }
        status = s.breaking ? 1 : 0;
        dpl_diag_list_free(&od);
        dpl_diag_list_free(&nd);
    }
    dpl_program_free(old_prog);
    dpl_program_free(new_prog);
    dpl_source_free(osrc);
    dpl_source_free(nsrc);
    return status;
}
