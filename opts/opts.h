/* opts.h — the command lines of `dpl` and `dplc` as data.
 *
 * Every program, subcommand and option is one entry of the tables in
 * opts/table.c.  Argument parsing, the --help texts, "did you mean" for a
 * misspelt option or subcommand, and the bash/zsh/fish completion scripts
 * are all made from those tables, so adding an option is adding one line
 * there (and its case in the subcommand's switch); the man pages are checked
 * against the same tables by tests/cli/run_options.py.
 *
 * Ownership: the tables are static; dpl_opts_next() borrows argv; messages
 * and texts are appended to DplBufs the caller owns.
 */
#ifndef DPL_OPTS_H
#define DPL_OPTS_H

#include <stdbool.h>

#include "util/util.h"

/* What the options mean to the subcommands (one id per meaning; the same
 * id may appear in several subcommands). */
typedef enum {
    DPL_OPT_HELP = 1, /* every subcommand has -h/--help */
    /* dpl run */
    DPL_OPT_OUTPUT,
    DPL_OPT_REJECTS,
    DPL_OPT_SKIPPED,
    DPL_OPT_STATS,
    DPL_OPT_RAW,
    DPL_OPT_SOURCE,
    DPL_OPT_MAX_RECORD_BYTES,
    DPL_OPT_FAIL_ON_REJECT,
    DPL_OPT_JOBS,
    DPL_OPT_ENGINE,
    DPL_OPT_STATS_INTERVAL,
    DPL_OPT_KAFKA_PROPERTY,
    DPL_OPT_KAFKA_CONFIG,
    /* dplc check */
    DPL_OPT_FORMAT,
    DPL_OPT_COLOR,
    DPL_OPT_WARNINGS,
    DPL_OPT_FIX,
    DPL_OPT_SAMPLE,
    /* dplc fmt */
    DPL_OPT_CHECK,
    DPL_OPT_WRITE,
    /* dplc explain */
    DPL_OPT_ALL,
    /* dpl test */
    DPL_OPT_PATTERN,
    DPL_OPT_JUNIT,
    DPL_OPT_COVERAGE,
    DPL_OPT_COVERAGE_MIN,
    DPL_OPT_UPDATE,
    DPL_OPT_VERBOSE,
    /* dplc schema */
    DPL_OPT_INPUT,
} DplOptId;

/* How a shell completes an option's value or a positional argument. */
typedef enum {
    DPL_COMPLETE_NONE,   /* free text */
    DPL_COMPLETE_FILE,   /* any file */
    DPL_COMPLETE_DPL,    /* *.dpl programs */
    DPL_COMPLETE_NDJSON, /* *.ndjson, *.jsonl, *.json (and .gz) records */
    DPL_COMPLETE_TEST,   /* *.dpltest rule tests (and directories holding them) */
    DPL_COMPLETE_DIR,    /* a directory */
    DPL_COMPLETE_CODE,   /* a diagnostic or reject code (dplc explain) */
    DPL_COMPLETE_SHELL,  /* bash, zsh or fish */
    DPL_COMPLETE_CHOICE, /* one of the '|'-separated words of DplOpt.value */
} DplComplete;

typedef struct {
    DplOptId id;
    const char *name;      /* "--rejects" */
    char short_name;       /* 'j', or 0 */
    const char *value;     /* NULL for a flag; "PATH", "N", or "human|json" (a choice) */
    DplComplete complete;  /* what the value is, for completion */
    const char *help;      /* one line for --help */
    bool hidden;           /* a testing aid: parsed, but not in help or completion */
} DplOpt;

typedef struct {
    const char *program;     /* "dpl" */
    const char *name;        /* "run" */
    const char *args;        /* "PROGRAM [INPUT...]" for the usage line */
    DplComplete first_arg;   /* completion of the first positional argument */
    DplComplete other_args;  /* of the following ones */
    const char *summary;     /* one line, in the program's usage */
    const char *description; /* a paragraph at the top of --help */
    const char *footer;      /* after the options (exit status, ...), or NULL */
    const DplOpt *opts;      /* ends with an entry whose name is NULL */
} DplCmd;

typedef struct {
    const char *name;    /* "dpl" */
    const char *summary; /* one line */
    const DplCmd *cmds;  /* ends with an entry whose name is NULL */
} DplProgramInfo;

/* The two programs' tables. */
extern const DplProgramInfo dpl_opts_dpl, dpl_opts_dplc;

/* The subcommand called name, or NULL. */
const DplCmd *dpl_opts_find_cmd(const DplProgramInfo *p, const char *name);

/* Walks the arguments of one subcommand (argv[0] is its name). */
typedef struct {
    const DplCmd *cmd;
    int argc;
    char **argv;
    int i;            /* the next argument to look at */
    bool args_only;   /* after `--` */
    const DplOpt *opt; /* the option just returned */
    const char *value; /* its value, or the positional argument */
    char spelled[32];  /* the option as written ("-j" or "--jobs"), for messages */
    DplBuf error;      /* the message of DPL_OPTS_ERROR, without a newline */
} DplOptParser;

enum {
    DPL_OPTS_END = 0,          /* no more arguments */
    DPL_OPTS_ARG = -1,         /* a positional argument, in value */
    DPL_OPTS_ERROR = -2,       /* a usage error, in error */
};

void dpl_opts_begin(DplOptParser *p, const DplCmd *cmd, int argc, char **argv);
/* The id of the next option (value set when it takes one; a choice is
 * checked against its words), DPL_OPTS_ARG, DPL_OPTS_END or DPL_OPTS_ERROR.
 * `--name=V`, `--name V`, `-jN`, `-j N` and `--` are understood; `-` alone
 * is an argument.  An unknown option's message suggests the nearest one. */
int dpl_opts_next(DplOptParser *p);
void dpl_opts_end(DplOptParser *p);

/* Prints "PROGRAM CMD: message" and the hint to run --help, on stderr;
 * returns 2 (the usage-error exit status). */
int dpl_opts_usage_error(const DplCmd *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The --help text of a subcommand, made from its table entry. */
void dpl_opts_help(DplBuf *out, const DplCmd *cmd);
/* The program's own --help: its subcommands with their summaries. */
void dpl_opts_program_help(DplBuf *out, const DplProgramInfo *p);
/* The message for an unknown subcommand, with the nearest one suggested. */
void dpl_opts_unknown_cmd(DplBuf *out, const DplProgramInfo *p, const char *name);

/* A completion script for shell ("bash", "zsh" or "fish") that knows p's
 * subcommands, options, choices and file kinds; false for another shell. */
bool dpl_opts_completion(DplBuf *out, const DplProgramInfo *p, const char *shell);

#endif
