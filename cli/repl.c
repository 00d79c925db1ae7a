/* repl.c — `dpl repl [PROGRAM]`: its options and usage text; the session
 * itself is repl/ (dpl_repl_run). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "repl/repl.h"

int dpl_cmd_repl(int argc, char **argv)
{
    const DplCmd *cmd = dpl_opts_find_cmd(&dpl_opts_dpl, "repl");
    const char *program = NULL;
    DplOptParser p;
    dpl_opts_begin(&p, cmd, argc, argv);
    for (int id; (id = dpl_opts_next(&p)) != DPL_OPTS_END;) {
        if (id != DPL_OPTS_ARG) /* repl has no options but --help */
            return dpl_cli_help_or_error(&p, id);
        if (program) {
            dpl_opts_end(&p);
            return dpl_opts_usage_error(cmd, "%s", "only one PROGRAM may be given");
        }
        program = p.value;
    }
    dpl_opts_end(&p);

    DplReplOptions opt = {.out = stdout, .tty = isatty(STDIN_FILENO)};
    opt.color = opt.tty && dpl_cli_use_color(DPL_COLOR_AUTO, stdout);
    DplSource *src = NULL;
    if (program) {
        const char *err = NULL;
        src = dpl_source_read_file(program, &err);
        if (!src) {
            fprintf(stderr, "dpl repl: cannot read %s: %s\n", program, err ? err : "error");
            return 2;
        }
        opt.program = program;
        opt.text = src->text;
        opt.len = src->len;
    }
    int status = dpl_repl_run(&opt);
    dpl_source_free(src);
    return status;
}
