/* dplc_schema.c — `dplc schema [--input [--raw]] PROGRAM` and `dplc compat
 * [--format human|json] [--color WHEN] OLD NEW` (spec §13, docs/schema.md):
 * printing (options come from opts/table.c); the work is in schema/.
 *
 * schema prints the JSON Schema on stdout.  compat prints like check: human
 * diagnostics and a summary on stderr, or with --format json one object per
 * program on stdout (OLD's, then NEW's).  Exit: 0 compatible (or the schema
 * printed), 1 breaking changes, 2 usage, I/O or program errors. */
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "cli/cli.h"
#include "opts/opts.h"
#include "schema/schema.h"

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
    const DplCmd *cmd = dpl_opts_find_cmd(&dpl_opts_dplc, "schema");
    bool input = false, raw = false;
    const char *file = NULL;
    DplOptParser p;
    dpl_opts_begin(&p, cmd, argc, argv);
    for (int id; (id = dpl_opts_next(&p)) != DPL_OPTS_END;) {
        switch (id) {
        case DPL_OPTS_ERROR:
        case DPL_OPT_HELP:
            return dpl_cli_help_or_error(&p, id);
        case DPL_OPT_INPUT:
            input = true;
            break;
        case DPL_OPT_RAW:
            raw = true;
            break;
        case DPL_OPTS_ARG:
            if (file) {
                dpl_opts_end(&p);
                return dpl_opts_usage_error(cmd, "takes one PROGRAM, got `%s` too", p.value);
            }
            file = p.value;
            break;
        }
    }
    dpl_opts_end(&p);
    if (!file)
        return dpl_opts_usage_error(cmd, "%s", "needs a PROGRAM");
    if (raw && !input)
        return dpl_opts_usage_error(cmd, "%s", "--raw describes input records: use it with --input");
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
    const DplCmd *cmd = dpl_opts_find_cmd(&dpl_opts_dplc, "compat");
    bool json = false;
    DplColorMode color = DPL_COLOR_AUTO;
    const char *files[2];
    int nfiles = 0;
    DplOptParser p;
    dpl_opts_begin(&p, cmd, argc, argv);
    for (int id; (id = dpl_opts_next(&p)) != DPL_OPTS_END;) {
        switch (id) {
        case DPL_OPTS_ERROR:
        case DPL_OPT_HELP:
            return dpl_cli_help_or_error(&p, id);
        case DPL_OPT_FORMAT:
            json = strcmp(p.value, "json") == 0;
            break;
        case DPL_OPT_COLOR:
            color = strcmp(p.value, "always") == 0  ? DPL_COLOR_ALWAYS
                    : strcmp(p.value, "never") == 0 ? DPL_COLOR_NEVER
                                                    : DPL_COLOR_AUTO;
            break;
        case DPL_OPTS_ARG:
            if (nfiles == 2) {
                dpl_opts_end(&p);
                return dpl_opts_usage_error(cmd, "takes two programs, OLD and NEW; `%s` is a third", p.value);
            }
            files[nfiles++] = p.value;
            break;
        }
    }
    dpl_opts_end(&p);
    if (nfiles != 2)
        return dpl_opts_usage_error(cmd, "%s", "needs two programs: OLD NEW");
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
