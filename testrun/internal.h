/* internal.h — private to testrun/: a parsed test file, the actual outcome
 * of each record, and the helpers the module's files share.
 *
 * Ownership: a TestFile owns everything it points to (strings, JSON values,
 * records) and is released by tr_file_free(). */
#ifndef DPL_TESTRUN_INTERNAL_H
#define DPL_TESTRUN_INTERNAL_H

#include "ast/ast.h"
#include "diag/diag.h"
#include "eval/eval.h"
#include "json/json.h"
#include "testrun/testrun.h"

typedef enum { EXP_EMIT, EXP_REJECT, EXP_SKIP } ExpKind;

/* One expectation about one record. */
typedef struct {
    ExpKind kind;
    bool partial;         /* emit partial */
    long record;          /* the record's line in the test's input stream (1-based) */
    uint32_t line;        /* where the expectation is written */
    uint32_t start, end;  /* its bytes, from the keyword (emit/reject/skip) to its last character */
    uint32_t line_start;  /* the bytes of its whole line, newline included (--update) */
    uint32_t line_end;
    bool after_arrow;     /* written as `input {...} -> emit ...` */
    bool line_prefix;     /* written as `line N emit ...` */
    json_t *value;        /* emit: the expected JSON (owned) */
    DplRtCode code;       /* reject */
    char *path;           /* reject: the path, or NULL (owned) */
    char *message;        /* reject: a substring of the message, or NULL (owned) */
} Expect;

/* One input line of a test, as `dpl run` would read it. */
typedef struct {
    char *text;           /* the line, without newline (owned) */
    size_t len;
    const char *file;     /* the NDJSON file it came from, or NULL when written inline */
    uint32_t where;       /* inline: its line in the test file; file: its line in that file */
} Record;

typedef enum { COUNT_EMITTED, COUNT_REJECTED, COUNT_SKIPPED, COUNT_KINDS } CountKind;

typedef struct {
    bool set;
    long n;
    uint32_t line;
    uint32_t start, end;  /* the number's bytes (--update) */
} Count;

typedef struct {
    char *name;
    uint32_t line;        /* of `test "name" {` */
    Record *records;      /* the input stream, in order */
    size_t nrecords;
    Expect *exps;
    size_t nexps;
    Count counts[COUNT_KINDS];
    char **input_files;   /* owned names, referenced by records */
    size_t ninput_files;
} Test;

typedef struct {
    char *path;           /* as found */
    DplSource *src;       /* the file's text and line table */
    char *program;        /* the program's path, resolved against the file's directory */
    uint32_t program_line;
    bool raw;             /* `raw`: input values are wrapped like dpl run --raw */
    char *source;         /* `source "NAME"` for raw records, or NULL */
    Test *tests;
    size_t ntests;
} TestFile;

/* parse.c: parses src (taken over by the TestFile); NULL after writing
 * "path:line:col: message" into *msg (caller frees). */
TestFile *tr_parse(DplSource *src, char **msg);
void tr_file_free(TestFile *f);

/* The actual outcome of one record line. */
typedef struct {
    bool blank;           /* not a record (blank line) */
    DplOutcome outcome;
    json_t *entity;       /* DPL_EMIT (owned) */
    json_t *errors;       /* DPL_REJECT: [{"code","path"?,"message"}] (owned) */
} Actual;

/* feed.c: runs the test's records through `dpl run`'s pipeline (stream/),
 * in memory: acts[i] is the outcome of input line i + 1 (t->nrecords of
 * them), counts the run's accounting.  cover: the coverage hook (the tree
 * evaluator then runs every record), or NULL.  False with *msg (caller
 * frees) when the pipeline reported a problem. */
bool tr_feed_test(const DplProgram *prog, const DplSource *src, const TestFile *f, const Test *t, DplCoverFn cover,
                  void *cover_ctx, Actual *acts, long counts[COUNT_KINDS], char **msg);
void tr_actual_clear(Actual *a);

/* compare.c: the views a failed expectation shows, and whether they agree.
 * exps[0..n) are the expectations of one record.  Returns true when they
 * hold; otherwise *expected and *actual (new references) are the two sides
 * to diff. */
bool tr_compare(const Expect *exps, size_t n, const Actual *act, json_t **expected, json_t **actual);
/* The outcome document of act: {"emitted":ENTITY}, {"rejected":[ERRORS]} or
 * {"skipped":true}.  New reference. */
json_t *tr_outcome_doc(const Actual *act);

/* coverage.c */
typedef struct Coverage Coverage;
Coverage *tr_cov_new(void);
void tr_cov_free(Coverage *c);
/* Registers a program's points (once per program); *fn and *ctx are the
 * hook that counts them (for DplStreamConfig.cover). */
void tr_cov_attach(Coverage *c, const char *program_path, const DplProgram *prog, DplCoverFn *fn, void **ctx);
/* Writes the report; returns the total percentage (100 with no points). */
double tr_cov_report(const Coverage *c, FILE *out, bool color, bool verbose);

/* junit.c */
typedef struct {
    const char *file;     /* test file */
    const char *name;     /* test name */
    uint32_t line;
    bool failed, error;
    char *detail;         /* failure text without colour (owned) */
    double seconds;
} JunitCase;
/* Writes JUnit XML; false (errno set) when the file cannot be written. */
bool tr_junit_write(const char *path, const JunitCase *cases, size_t n);

/* update.c: one text replacement in a test file. */
typedef struct {
    uint32_t start, end;
    char *text;           /* owned */
} Edit;
/* Rewrites path with src's text after applying edits (any order, not
 * overlapping); false with *why (a static string) when it cannot.  The
 * file is replaced as dpl_write_file_atomic does: whole or not at all, its
 * mode kept, a symlink's target rewritten. */
bool tr_apply_edits(const char *path, const DplSource *src, Edit *edits, size_t n, const char **why);
/* The replacement text of an expectation group, from the actual outcome. */
char *tr_update_text(const DplSource *src, const Expect *exps, size_t n, const Actual *act);

/* Escapes of the report. */
#define TR_RED "\x1b[31m"
#define TR_GREEN "\x1b[32m"
#define TR_CYAN "\x1b[36m"
#define TR_BOLD "\x1b[1m"
#define TR_RESET "\x1b[0m"

#endif
