/* testrun.h — `dpl test` (spec §14): rule tests for DPL programs.
 *
 * A test file (`*.dpltest`, docs/testing.md) names a program and holds named
 * tests; each test gives input records and what must come out of them.  This
 * module parses test files, runs their records through `dpl run`'s own
 * pipeline (stream/, with an in-memory source and sinks: no Kafka, no output
 * directory),
 * compares, and reports: one line per test, diffs of expected against actual
 * JSON, JUnit XML, coverage of the program, and --update (rewrites the
 * expectations from the actual output, keeping the file's layout).
 *
 * Ownership: the caller owns DplTestOptions and its strings; the report is
 * written to the FILE the caller gives; everything else is internal.  The
 * library never prints except to that FILE.
 */
#ifndef DPL_TESTRUN_H
#define DPL_TESTRUN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "util/util.h"

/* Files `dpl test DIR` finds: DIR is searched recursively (hidden
 * directories are not) for names ending like this. */
#define DPL_TEST_EXT ".dpltest"

typedef struct {
    const char *const *paths; /* files or directories; none means "." */
    size_t npaths;
    bool color;               /* colour escapes in the report */
    const char *junit_path;   /* --junit FILE, or NULL */
    bool coverage;            /* --coverage: per-line report and percentage */
    double coverage_min;      /* --coverage-min N (percent); < 0: none */
    bool update;              /* --update: rewrite failing expectations */
    const char *pattern;      /* -k PATTERN: only tests whose name contains it */
    bool verbose;             /* -v: the coverage report lists every line, not only the missed ones */
} DplTestOptions;

/* Exit statuses of `dpl test` (spec §14). */
enum { DPL_TEST_PASSED = 0, DPL_TEST_FAILED = 1, DPL_TEST_ERROR = 2 };

/* Finds, runs and reports every test under o->paths; returns an exit status
 * above.  out receives the report (test lines, failures, summary, coverage),
 * err the problems with files and programs. */
int dpl_test_main(const DplTestOptions *o, FILE *out, FILE *err);

/* ---- pieces, public for the unit tests ------------------------------------- */

/* A unified diff of two texts, line by line, with `context` lines around
 * each change, headed `--- a_name` / `+++ b_name`; red/green/cyan escapes when
 * color.  Appends nothing when the texts are equal. */
void dpl_test_diff(DplBuf *out, const char *a, const char *b, const char *a_name, const char *b_name, int context,
                   bool color);

/* The view of `expected` that a comparison shows: the same value with its
 * object keys in the order of `actual` (keys actual lacks come last), so a
 * diff of the two pretty-printed values lines up key by key.  New reference. */
json_t *dpl_test_align(const json_t *expected, const json_t *actual);

/* The part of `actual` that a partial expectation speaks about: objects keep
 * only the keys `expected` names (recursively); arrays are compared element
 * by element; other values are kept whole.  New reference (NULL if actual is
 * NULL). */
json_t *dpl_test_project(const json_t *expected, const json_t *actual);

/* Parses a test file held in memory (name for messages); on failure returns
 * false and sets *msg (caller frees) to "name:line:col: message".  `input
 * file` is refused (nothing is read).  For the unit tests and the fuzz
 * target: the grammar alone, nothing run. */
bool dpl_test_parse_check(const char *name, const char *text, size_t len, char **msg, size_t *ntests);

#endif
