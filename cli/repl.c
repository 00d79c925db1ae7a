/* repl.c — `dpl repl [PROGRAM]`: its options and usage text; the session
 * itself is repl/ (dpl_repl_run). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "repl/repl.h"

static void usage(FILE *f)
{
    fputs("usage: dpl repl [PROGRAM]\n"
          "Try DPL rules interactively: type statements, paste JSON records, evaluate\n"
          "expressions against the last record.  :help inside lists the commands.\n"
          "History: $DPL_HISTORY, or ~/.dpl_history.\n",
          f);
}

int dpl_cmd_repl(int argc, char **argv)
{
    const char *program = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "dpl repl: unknown option `%s`\n", argv[i]);
            usage(stderr);
            return 2;
        }
        if (program) {
            fprintf(stderr, "dpl repl: only one PROGRAM may be given\n");
            usage(stderr);
            return 2;
        }
        program = argv[i];
    }

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
