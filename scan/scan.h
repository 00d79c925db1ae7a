/* scan.h — the fast path of `dpl run`: a validating one-pass JSON scanner
 * that picks out only the values a program reads, and the "direct" engine
 * that turns one input line into its output line without a jansson tree.
 *
 * The scanner accepts exactly the lines dpl_json_parse accepts (same
 * grammar, UTF-8 and escape rules, int64 range, real overflow, NUL rules,
 * DPL_JSON_MAX_DEPTH); for each path of a plan it records where the value
 * is (a byte span of the line), its type, and whether those bytes are
 * already what dpl_json_write would print for it.  Duplicate keys: the last
 * one wins, as in jansson.
 *
 * The direct engine is built once from a checked program when the program's
 * shape allows it (plain field paths everywhere, no requirement, if, append,
 * overwrite, all, delete, from or computed value).  For every line it either
 * decides the outcome itself (emit, with output bytes identical to the tree
 * evaluator's; or skip) or answers FALLBACK, and the caller runs the normal
 * jansson + dpl_eval_record path, which produces the exact reject.
 *
 * For other programs, dpl_sparse_record builds a small envelope holding
 * only the values the program can read, for the tree evaluator.
 *
 * Ownership: plans and engines own their memory (dpl_*_free).  An engine is
 * read-only after creation and may be shared by threads; each thread uses
 * its own DplDirectState.  No allocation happens per record on the common
 * path.
 */
#ifndef DPL_SCAN_H
#define DPL_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ast/ast.h"
#include "util/util.h"

/* ---- scanner ------------------------------------------------------------ */

typedef enum {
    DPL_SV_MISSING = 0, /* the path is absent from this record */
    DPL_SV_NULL,
    DPL_SV_FALSE,
    DPL_SV_TRUE,
    DPL_SV_INT,
    DPL_SV_REAL,
    DPL_SV_STRING,
    DPL_SV_ARRAY,
    DPL_SV_OBJECT,
} DplScanType;

/* The raw bytes are exactly what dpl_json_write prints for the value. */
#define DPL_SV_CANON 1u
/* A string whose raw text contains backslash escapes. */
#define DPL_SV_ESCAPED 2u

typedef struct {
    size_t start;   /* byte offset of the value in the line */
    size_t len;     /* length of its raw text */
    uint8_t type;   /* DplScanType */
    uint8_t flags;  /* DPL_SV_* */
    int64_t i;      /* DPL_SV_INT: the value (read once, however often it is used) */
} DplScanValue;

/* A trie of field paths from the root of a record.  Slot 0 is the root
 * value itself; every added path gets a slot. */
typedef struct DplScanPlan DplScanPlan;

/* An empty plan (only slot 0); free it with dpl_scan_plan_free (NULL allowed). */
DplScanPlan *dpl_scan_plan_new(void);
void dpl_scan_plan_free(DplScanPlan *p);
/* Adds the path names[0..n) (field names, any bytes) and returns its slot;
 * adding the same path again returns the same slot.  Only before
 * dpl_scan_plan_freeze. */
size_t dpl_scan_plan_add(DplScanPlan *p, const char *const *names, const size_t *lens, size_t n);
/* Ends building: derives the tables the scanner reads.  Call once, after the
 * last add and before the first dpl_scan (idempotent).  A frozen plan is
 * read-only and may be shared by threads. */
void dpl_scan_plan_freeze(DplScanPlan *p);
/* Number of slots: vals arrays passed to dpl_scan need this many entries. */
size_t dpl_scan_plan_slots(const DplScanPlan *p);

/* Validates text[0..len) as one JSON value (surrounding whitespace allowed)
 * exactly as dpl_json_parse does and fills vals[slot] for every slot
 * (type DPL_SV_MISSING where absent).  Returns false for text that
 * dpl_json_parse rejects (invalid or too deep); vals are then unspecified.
 * p must be frozen (dpl_scan_plan_freeze). */
bool dpl_scan(const DplScanPlan *p, const char *text, size_t len, DplScanValue *vals);

/* The one value starting at text[at] (no leading white space): its span,
 * type and flags as dpl_scan records them, validated (containers to a depth
 * of DPL_JSON_MAX_DEPTH from there).  False when it is not valid JSON. */
bool dpl_scan_value(const char *text, size_t len, size_t at, DplScanValue *v);

/* Whether the exponent-free real -?I.F (ip[0..nint) the integer digits,
 * fp[0..nfrac) the fraction's, nfrac >= 1) is printed by dpl_json_write
 * exactly as written: the DPL_SV_CANON rule of the scanner. */
bool dpl_scan_real_canonical(const char *ip, size_t nint, const char *fp, size_t nfrac);

/* ---- direct engine ------------------------------------------------------- */

typedef enum {
    DPL_DIRECT_EMIT,     /* the entity line was appended to out */
    DPL_DIRECT_SKIP,     /* the record's source is not one of `sources` */
    DPL_DIRECT_FALLBACK, /* anything else: run the tree evaluator on it */
} DplDirectOutcome;

typedef struct DplDirect DplDirect;
typedef struct DplDirectState DplDirectState;

/* An engine for prog (which must have passed dpl_check and outlive the
 * engine), or NULL when the program's shape needs the tree evaluator; then
 * *why (if given) names the first reason, a static string. */
DplDirect *dpl_direct_new(const DplProgram *prog, const char **why);
void dpl_direct_free(DplDirect *d); /* NULL allowed */

/* Per-thread scratch for dpl_direct_record; freed before its engine. */
DplDirectState *dpl_direct_state_new(const DplDirect *d);
void dpl_direct_state_free(DplDirectState *st); /* NULL allowed */

/* Processes one input line (without its line end) in envelope mode.  On
 * EMIT, appends the entity line (with its '\n') to out; on SKIP and FALLBACK
 * out is unchanged. */
DplDirectOutcome dpl_direct_record(const DplDirect *d, DplDirectState *st, const char *line, size_t len,
                                   DplBuf *out);

/* After dpl_direct_record answered EMIT: whether the program's read path
 * `read` (DplProgram.reads, spec §12.5 never_present) is in that record,
 * even as null. */
bool dpl_direct_present(const DplDirect *d, const DplDirectState *st, size_t read);

/* ---- sparse records ------------------------------------------------------- */

/* For any checked program: the plan of every value it can read.  Used when
 * the direct engine cannot take the program (scan/sparse.c explains why the
 * evaluator cannot tell a sparse record from the full one, except in a
 * reject line, which needs the original record). */
typedef struct DplSparse DplSparse;

/* Built from a checked prog, which it does not keep (the plan copies the
 * field names); dpl_sparse_free allows NULL. */
DplSparse *dpl_sparse_new(const DplProgram *prog);
void dpl_sparse_free(DplSparse *s);
/* Entries the vals scratch of dpl_sparse_record needs (one per thread). */
size_t dpl_sparse_slots(const DplSparse *s);
/* A new envelope holding only what the program reads, or NULL when the line
 * is not a valid JSON object (parse it whole to get the exact reject). */
json_t *dpl_sparse_record(const DplSparse *s, DplScanValue *vals, const char *line, size_t len);

#endif
