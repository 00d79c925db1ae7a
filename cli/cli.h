/* cli.h — the subcommands of the `dpl` and `dplc` programs.  Each takes the
 * arguments after its own name (argv[0] is the subcommand) and returns the
 * process exit status.  The programs themselves only dispatch. */
#ifndef DPL_CLI_H
#define DPL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "diag/diag.h"
#include "opts/opts.h"

int dpl_cmd_run(int argc, char **argv);   /* run.c */
int dpl_cmd_repl(int argc, char **argv);  /* repl.c */
int dpl_cmd_test(int argc, char **argv);  /* test.c */
int dplc_cmd_fmt(int argc, char **argv);  /* dplc_fmt.c */
int dplc_cmd_schema(int argc, char **argv); /* dplc_schema.c */
int dplc_cmd_compat(int argc, char **argv); /* dplc_schema.c */

/* A subcommand's entry point, by name (the table ends with a NULL name). */
typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
} DplCliCmd;
/* The main() of both programs (dispatch.c): runs the subcommand argv[1]
 * names, or handles --help/--version, or reports an unknown command with
 * the nearest one suggested (exit 2). */
int dpl_cli_dispatch(const DplProgramInfo *p, const DplCliCmd *cmds, int argc, char **argv);
/* For DPL_OPT_HELP: prints the subcommand's --help on stdout, returns 0; for
 * DPL_OPTS_ERROR: prints the parser's message on stderr, returns 2.  Either
 * way the parser is ended. */
int dpl_cli_help_or_error(DplOptParser *p, int id);
/* `PROGRAM completion SHELL`: prints p's completion script. */
int dpl_cli_completion(const DplProgramInfo *p, const DplCmd *cmd, int argc, char **argv);

/* Colour choice of --color auto|always|never for a stream (honours NO_COLOR). */
typedef enum { DPL_COLOR_AUTO, DPL_COLOR_ALWAYS, DPL_COLOR_NEVER } DplColorMode;
bool dpl_cli_use_color(DplColorMode mode, FILE *stream); /* diagnostics.c */
/* Renders every diagnostic of l in the human format to stream. */
void dpl_cli_print_diags(FILE *stream, const DplSource *src, const DplDiagList *l, bool color);

#endif
