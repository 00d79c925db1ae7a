/* internal.h — private interface between the parts of `dpl repl` (repl/):
 * the loop, the session (program + evaluator + last record), the commands, and the
 * line reader (libedit on a terminal, plain reads from a pipe). */
#ifndef DPL_REPL_INTERNAL_H
#define DPL_REPL_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ast/ast.h"
#include "diag/diag.h"
#include "eval/eval.h"
#include "repl/repl.h"
#include "util/util.h"

/* An NDJSON file opened with :open — only the offsets of its non-blank
 * lines are kept, so stepping through a huge file costs 16 bytes a record. */
typedef struct {
    FILE *f;
    char *name;
    off_t *offsets;
    long *lines; /* 1-based file line of each record */
    size_t n, cap;
    size_t pos; /* records already shown: the next one is offsets[pos] */
} ReplFile;

typedef struct {
    bool tty;       /* stdin is a terminal: libedit, prompts, history */
    bool color;     /* ANSI colour in what we print */
    FILE *out;      /* everything goes here, in order (diagnostics too) */
    FILE *in;       /* where piped input is read (stdin unless told) */
    bool no_files;  /* :load, :save and :open refused (DplReplOptions) */
    bool had_error; /* some input was an error: exit status 1 when piped */

    /* The session program: the text of every accepted statement, each ending
     * in '\n'.  src/prog are compiled from it; ev exists only when the whole
     * program checks (so not before there is an entity statement). */
    DplBuf text;
    char *file;      /* the file the text came from (PROGRAM, :load), or NULL */
    size_t file_len; /* how much of text is that file's: typed statements follow */
    DplSource *src;
    DplProgram *prog;
    DplEvaluator *ev;
    /* Until there is an entity statement, expressions run on a stand-in:
     * the session plus `entity "repl" { true }` (never used for records). */
    DplSource *xsrc;
    DplProgram *xprog;
    DplEvaluator *xev;
    size_t *undo; /* text length before each typed statement, for :undo */
    size_t nundo, capundo;

    json_t *record; /* the last record, or NULL */
    long record_line;
    long npasted; /* records typed so far: the 'line of the next one */

    ReplFile open;

    char **fields; /* field paths seen in records, for tab completion */
    size_t nfields, capfields;
} Repl;

/* repl_session.c */
void repl_session_init(Repl *r);
void repl_session_free(Repl *r);
/* Replaces the program with text (PROGRAM, :load); false (with the
 * diagnostics printed) when it has errors, leaving the session unchanged. */
bool repl_session_load(Repl *r, const char *name, const char *text, size_t len);
void repl_session_reset(Repl *r);
bool repl_session_undo(Repl *r);
/* A typed statement: checked against the session, added if sound. */
void repl_statement(Repl *r, const char *text, size_t len);
/* A typed expression, evaluated against the last record. */
void repl_expression(Repl *r, const char *text, size_t len);
/* A JSON record typed (where == NULL) or read from an :open file (where
 * names it for messages); line is its 'line. */
void repl_record_text(Repl *r, const char *text, size_t len, long line, const char *where);
/* Whether the session program (which must have an evaluator, r->ev) would
 * reject the record text, without printing anything (:next reject). */
bool repl_record_rejected(Repl *r, const char *text, size_t len, long line);
/* Prints every diagnostic of the whole program (:check). */
void repl_session_check(Repl *r);
bool repl_session_has_entity(const Repl *r);

/* Prints an error line and marks the session as having had an error. */
void repl_error(Repl *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints a line in the given colour (an SGR parameter such as "1;31") when
 * colour is on. */
void repl_say(Repl *r, const char *sgr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* repl_cmd.c */
/* Runs a `:command` line; returns false when it asks to quit. */
bool repl_command(Repl *r, const char *line);
void repl_file_close(ReplFile *f);
extern const char *const repl_command_names[]; /* NULL-terminated, with ':' */

/* repl_edit.c */
void repl_edit_init(Repl *r);
void repl_edit_done(Repl *r);
/* The next line without its newline (caller frees with dpl_free), or NULL
 * at end of input.  *interrupted is set when Ctrl-C abandoned the line. */
char *repl_read_line(Repl *r, bool continuation, bool *interrupted);
/* Adds the entry typed (its lines joined with '\n') to the history as one
 * item, on a terminal, then empties typed. */
void repl_history_add(Repl *r, DplBuf *typed);
/* Remembers the field paths of a record for completion. */
void repl_fields_add(Repl *r, const json_t *record);
void repl_fields_free(Repl *r);
/* Every field path of a record, absolute and relative to data, as a rule
 * writes them (sorted; the caller frees each and the array; *n set). */
char **repl_record_paths(const json_t *record, size_t *n);

#endif
