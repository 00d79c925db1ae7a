/* repl.h — `dpl repl` (spec §11): an interactive session that builds a DPL
 * program statement by statement and runs records and expressions through
 * it.  Line editing, history and completion (libedit) on a terminal; plain
 * line reads, without prompts or colours, from a pipe, so sessions can be
 * scripted and tested.
 *
 * Ownership: the options are borrowed for the duration of dpl_repl_run.
 * The REPL prints everything it says (diagnostics included) to opt->out. */
#ifndef DPL_REPL_H
#define DPL_REPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
    FILE *out;           /* where the session prints, in order */
    bool tty;            /* stdin is a terminal: prompts, libedit, history */
    bool color;          /* ANSI colour (only used on a terminal) */
    FILE *in;            /* what a piped session reads; NULL: stdin */
    bool no_files;       /* :load, :save and :open are refused (a session
                            fed untrusted input, such as the fuzzer's) */
    const char *program; /* a PROGRAM to load first (its name), or NULL */
    const char *text;    /* its text */
    size_t len;
} DplReplOptions;

/* Runs a session on stdin (or opt->in when piped) until end of input or :quit; returns the exit
 * status (1 when a piped session had an error, else 0). */
int dpl_repl_run(const DplReplOptions *opt);

#endif
