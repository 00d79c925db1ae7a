/* scan.h — a validating one-pass JSON scanner that picks out only the
 * values a program reads: the reader of engine/ (the engine of `dpl run`).
 *
 * The scanner accepts exactly the lines dpl_json_parse accepts (same
 * grammar, UTF-8 and escape rules, int64 range, real overflow, NUL rules,
 * DPL_JSON_MAX_DEPTH); for each path of a plan it records where the value
 * is (a byte span of the line), its type, and whether those bytes are
 * already what dpl_json_write would print for it.  Duplicate keys: the last
 * one wins, as in jansson.
 *
 * Ownership: a plan owns its memory (dpl_scan_plan_free); a frozen plan is
 * read-only and may be shared by threads, each with its own vals array.
 * dpl_scan allocates nothing.
 */
#ifndef DPL_SCAN_H
#define DPL_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/* A real whose value the scanner read (a short decimal): its bits are in i. */
#define DPL_SV_PARSED 4u

typedef struct {
    size_t start;   /* byte offset of the value in the line */
    size_t len;     /* length of its raw text */
    uint8_t type;   /* DplScanType */
    uint8_t flags;  /* DPL_SV_* */
    int64_t i;      /* DPL_SV_INT: the value; DPL_SV_PARSED: the double's bits (read once, however often used) */
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

/* What one thread's scans remember of the lines before: for each object
 * on the plan, the keys the last line had, in order (a member's key is
 * first compared with the one expected at its position, and only looked up
 * in the plan when it differs); and the shapes of the last lines, their
 * bytes between scalars, which the next line is first matched against
 * (then only its scalars are validated).  Changes nothing in what dpl_scan
 * accepts or records.  Owned by its caller (one per thread: a scan updates
 * it; about 100 KB once shapes are learnt), made for one frozen plan and
 * valid while it lives. */
typedef struct DplScanMemo DplScanMemo;
DplScanMemo *dpl_scan_memo_new(const DplScanPlan *p);
void dpl_scan_memo_free(DplScanMemo *m); /* NULL allowed */

/* Cuts: where a line read through one of the memo's shapes has its
 * scalars (and the brackets of the plan's containers, and its end).  Two
 * lines read through the same shape (same DplScanCuts.shape) differ only
 * inside their cuts' spans: every byte outside them is the same in both,
 * at the same distance before the start of the next cut.  So a structure
 * found in one line (a container's members, where its keys are) holds for
 * the next lines of that shape, by position.  Off at first; while on, a
 * line read through a shape costs one store a cut more. */
typedef struct {
    uint64_t shape;        /* the shape's id: never 0, not reused in this memo */
    uint32_t n;            /* cuts, in line order (the last is the value's end) */
    const uint32_t *start; /* n offsets in the line: where cut i starts */
    const uint32_t *gap;   /* n lengths: the bytes between cut i - 1 and cut i */
} DplScanCuts;

/* Where cut i ends: a scalar's last byte + 1; a bracket's, or the end's,
 * where it starts. */
static inline uint32_t dpl_scan_cut_end(const DplScanCuts *c, uint32_t i)
{
    return i + 1 < c->n ? c->start[i + 1] - c->gap[i + 1] : c->start[i];
}

void dpl_scan_memo_set_cuts(DplScanMemo *m, bool on);
/* The cuts of the line m's last dpl_scan read: false when it did not read
 * it through a shape (or cuts were off).  The arrays are m's, valid until
 * its next scan. */
bool dpl_scan_cuts(const DplScanMemo *m, DplScanCuts *c);

/* Validates text[0..len) as one JSON value (surrounding whitespace allowed)
 * exactly as dpl_json_parse does and fills vals[slot] for every slot
 * (type DPL_SV_MISSING where absent).  Returns false for text that
 * dpl_json_parse rejects (invalid or too deep); vals are then unspecified.
 * p must be frozen (dpl_scan_plan_freeze); memo (NULL allowed) is p's. */
bool dpl_scan(const DplScanPlan *p, DplScanMemo *memo, const char *text, size_t len, DplScanValue *vals);

/* The one value starting at text[at] (no leading white space): its span,
 * type and flags as dpl_scan records them, validated (containers to a depth
 * of DPL_JSON_MAX_DEPTH from there).  False when it is not valid JSON. */
bool dpl_scan_value(const char *text, size_t len, size_t at, DplScanValue *v);

/* Whether the exponent-free real -?I.F (ip[0..nint) the integer digits,
 * fp[0..nfrac) the fraction's, nfrac >= 1) is printed by dpl_json_write
 * exactly as written: the DPL_SV_CANON rule of the scanner (inline: the
 * engine asks it for every real of every container it parses).
 *
 * A decimal of at most 15 significant digits reads back through %.15g
 * unchanged (DBL_DIG), and %g stays in fixed notation for decimal exponents
 * -4..14; trailing zeros are dropped except that an integral value is
 * printed with ".0".  Anything else is reported as not canonical, which
 * only costs a re-encode. */
static inline bool dpl_scan_real_canonical(const char *ip, size_t nint, const char *fp, size_t nfrac)
{
    if (nfrac == 1 && fp[0] == '0')
        return nint <= 15;
    if (fp[nfrac - 1] == '0')
        return false;
    if (nint == 1 && ip[0] == '0') {
        size_t z = 0;
        while (fp[z] == '0')
            z++;
        return z <= 3 && nfrac - z <= 15;
    }
    return nint + nfrac <= 15;
}

#endif
