/* dpl.c — the `dpl` program: dispatches to `run`, `repl`, `test` and `completion`. */
#include "cli/cli.h"
#include "util/util.h"

static int cmd_completion(int argc, char **argv)
{
    return dpl_cli_completion(&dpl_opts_dpl, dpl_opts_find_cmd(&dpl_opts_dpl, "completion"), argc, argv);
}

int main(int argc, char **argv)
{
    dpl_util_init();
    static const DplCliCmd cmds[] = {
        {"run", dpl_cmd_run}, {"repl", dpl_cmd_repl}, {"test", dpl_cmd_test}, {"completion", cmd_completion}, {NULL, NULL}};
    return dpl_cli_dispatch(&dpl_opts_dpl, cmds, argc, argv);
}
