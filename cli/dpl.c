/* dpl.c — the `dpl` program: dispatches to `run` and `repl`. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/util.h"

static void usage(FILE *f)
{
    fputs("usage: dpl run PROGRAM [INPUT...] [options]   apply a program to NDJSON records\n"
          "       dpl repl [PROGRAM]                     try rules interactively\n"
          "       dpl --version\n"
          "Run `dpl run --help` for the options of run.\n",
          f);
}

int main(int argc, char **argv)
{
    dpl_util_init();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0)
        return dpl_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "repl") == 0)
        return dpl_cmd_repl(argc - 1, argv + 1);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        puts("dpl " DPL_VERSION);
        return 0;
    }
    fprintf(stderr, "dpl: unknown command `%s`\n", cmd);
    usage(stderr);
    return 2;
}
