/* dplc_fmt.c — `dplc fmt [--check | --write] FILE... | -`: prints, checks or
 * rewrites files in the canonical layout (spec §10, docs/fmt.md).
 *
 * Exit status (spec §9): 0 all good; 1 a program has syntax errors, or
 * --check found a file that is not formatted; 2 usage or I/O error.  With
 * several files every file is processed and the worst status wins. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "fmt/fmt.h"

typedef enum { MODE_PRINT, MODE_CHECK, MODE_WRITE } Mode;

static int fmt_one(const char *path, Mode mode, bool color)
{
    bool is_stdin = strcmp(path, "-") == 0;
    const char *why = NULL;
    DplSource *src = dpl_source_read_file(path, &why);
    if (!src) {
        fprintf(stderr, "dplc fmt: cannot read `%s`: %s\n", path, why);
        return 2;
    }
    if (is_stdin) {
        dpl_free(src->name);
        src->name = dpl_strdup("<stdin>");
    }
    DplDiagList diags = {0};
    char *out = dpl_fmt(src, &diags);
    int status = 0;
    if (!out) {
        dpl_diag_sort(&diags);
        dpl_cli_print_diags(stderr, src, &diags, color);
        status = 1;
    } else {
        size_t len = strlen(out);
        bool same = len == src->len && memcmp(out, src->text, len) == 0;
        if (mode == MODE_PRINT) {
            fwrite(out, 1, len, stdout);
        } else if (mode == MODE_CHECK) {
            if (!same) { /* a patch that formats the file: `dplc fmt --check f | patch -p0` */
                DplBuf d = {0};
                char *to = dpl_asprintf("%s (formatted)", src->name);
                dpl_diff_unified(&d, src->name, src->text, src->len, to, out, len, 3);
                fwrite(d.data, 1, d.len, stdout);
                dpl_free(to);
                dpl_buf_free(&d);
                status = 1;
            }
        } else if (!same && !dpl_write_file_atomic(path, out, len, &why)) {
            fprintf(stderr, "dplc fmt: cannot write `%s`: %s\n", path, why);
            status = 2;
        }
    }
    dpl_free(out);
    dpl_diag_list_free(&diags);
    dpl_source_free(src);
    return status;
}

int dplc_cmd_fmt(int argc, char **argv)
{
    const DplCmd *cmd = dpl_opts_find_cmd(&dpl_opts_dplc, "fmt");
    Mode mode = MODE_PRINT;
    const char **files = dpl_calloc((size_t)argc + 1, sizeof *files);
    size_t nfiles = 0;
    int status = 0;
    DplOptParser p;
    dpl_opts_begin(&p, cmd, argc, argv);
    for (int id; (id = dpl_opts_next(&p)) != DPL_OPTS_END;) {
        Mode m;
        if (id == DPL_OPTS_ARG) {
            files[nfiles++] = p.value;
            continue;
        } else if (id == DPL_OPTS_ERROR || id == DPL_OPT_HELP) {
            dpl_free(files);
            return dpl_cli_help_or_error(&p, id);
        }
        m = id == DPL_OPT_CHECK ? MODE_CHECK : MODE_WRITE;
        if (mode != MODE_PRINT && mode != m) {
            status = dpl_opts_usage_error(cmd, "%s", "--check and --write cannot be combined");
            goto done;
        }
        mode = m;
    }
    if (nfiles == 0) {
        status = dpl_opts_usage_error(cmd, "%s", "no FILE given (use - for stdin)");
        goto done;
    }
    for (size_t i = 0; i < nfiles; i++) {
        if (mode == MODE_WRITE && strcmp(files[i], "-") == 0) {
            fputs("dplc fmt: --write cannot rewrite stdin\n", stderr);
            status = 2;
            goto done;
        }
    }
    bool color = dpl_cli_use_color(DPL_COLOR_AUTO, stderr);
    for (size_t i = 0; i < nfiles; i++) {
        int s = fmt_one(files[i], mode, color);
        if (s > status)
            status = s;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "dplc fmt: cannot write to stdout: %s\n", strerror(errno));
        status = 2;
    }
done:
    dpl_opts_end(&p);
    dpl_free(files);
    return status;
}
