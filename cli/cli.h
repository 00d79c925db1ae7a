/* cli.h — the subcommands of the `dpl` and `dplc` programs.  Each takes the
 * arguments after its own name (argv[0] is the subcommand) and returns the
 * process exit status.  The programs themselves only dispatch. */
#ifndef DPL_CLI_H
#define DPL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "diag/diag.h"

int dpl_cmd_run(int argc, char **argv);   /* run.c */
int dpl_cmd_repl(int argc, char **argv);  /* repl.c */
int dplc_cmd_fmt(int argc, char **argv);  /* dplc_fmt.c */

/* Colour choice of --color auto|always|never for a stream (honours NO_COLOR). */
typedef enum { DPL_COLOR_AUTO, DPL_COLOR_ALWAYS, DPL_COLOR_NEVER } DplColorMode;
bool dpl_cli_use_color(DplColorMode mode, FILE *stream); /* diagnostics.c */
/* Renders every diagnostic of l in the human format to stream. */
void dpl_cli_print_diags(FILE *stream, const DplSource *src, const DplDiagList *l, bool color);

#endif
