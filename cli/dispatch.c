/* dispatch.c — what `dpl` and `dplc` share: choosing the subcommand,
 * --help/--version, and `completion SHELL`. */
#include "cli/cli.h"

int dpl_cli_dispatch(const DplProgramInfo *p, const DplCliCmd *cmds, int argc, char **argv)
{
    DplBuf b = {0};
    if (argc < 2) {
        dpl_opts_program_help(&b, p);
        fwrite(b.data, 1, b.len, stderr);
        dpl_buf_free(&b);
        return 2;
    }
    const char *name = argv[1];
    for (const DplCliCmd *c = cmds; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c->run(argc - 1, argv + 1);
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        dpl_opts_program_help(&b, p);
        fwrite(b.data, 1, b.len, stdout);
        dpl_buf_free(&b);
        return 0;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("%s %s\n", p->name, DPL_VERSION);
        return 0;
    }
    dpl_opts_unknown_cmd(&b, p, name);
    fwrite(b.data, 1, b.len, stderr);
    dpl_buf_free(&b);
    return 2;
}

int dpl_cli_help_or_error(DplOptParser *p, int id)
{
    int status = 2;
    if (id == DPL_OPT_HELP) {
        DplBuf b = {0};
        dpl_opts_help(&b, p->cmd);
        fwrite(b.data, 1, b.len, stdout);
        dpl_buf_free(&b);
        status = 0;
    } else {
        fprintf(stderr, "%s\n(`%s %s --help` shows the usage)\n", p->error.data, p->cmd->program, p->cmd->name);
    }
    dpl_opts_end(p);
    return status;
}

int dpl_cli_completion(const DplProgramInfo *p, const DplCmd *cmd, int argc, char **argv)
{
    const char *shell = NULL;
    DplOptParser op;
    dpl_opts_begin(&op, cmd, argc, argv);
    for (int id; (id = dpl_opts_next(&op)) != DPL_OPTS_END;) {
        if (id != DPL_OPTS_ARG)
            return dpl_cli_help_or_error(&op, id);
        if (shell) {
            dpl_opts_end(&op);
            return dpl_opts_usage_error(cmd, "%s", "takes one SHELL: bash, zsh or fish");
        }
        shell = op.value;
    }
    dpl_opts_end(&op);
    DplBuf b = {0};
    if (!shell || !dpl_opts_completion(&b, p, shell)) {
        dpl_buf_free(&b);
        return dpl_opts_usage_error(cmd, "knows bash, zsh and fish%s%s%s", shell ? ", not `" : "",
                                    shell ? shell : "", shell ? "`" : "");
    }
    fwrite(b.data, 1, b.len, stdout);
    dpl_buf_free(&b);
    return 0;
}
