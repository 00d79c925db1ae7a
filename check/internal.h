/* internal.h — private: state shared by the checker's files (statements in
 * check.c, expressions in expr.c). */
#ifndef DPL_CHECK_INTERNAL_H
#define DPL_CHECK_INTERNAL_H

#include "check/check.h"
#include "stdlib/stdlib.h"

/* Where an expression sits decides what it may use ('id only once the id
 * exists, after validation). */
typedef enum {
    DPL_PHASE_KEYS,
    DPL_PHASE_MANDATORY,
    DPL_PHASE_REQUIREMENT,
    DPL_PHASE_ADD,
    DPL_PHASE_WHERE,
} DplPhase;

/* Where relative paths start, as absolute segments from the envelope root
 * (`data`, the `add from` path, or an array path and [*] inside map/filter);
 * known is false inside a map over a computed array. */
typedef struct {
    const DplSegment *segs;
    size_t nsegs;
    bool known;
} DplScope;

typedef struct {
    DplProgram *prog;
    DplDiagList *diags;
    DplPhase phase;
    DplScope rel;      /* relative paths (and 'item paths inside map/filter) */
    int elem_depth;    /* > 0 inside the second argument of map/filter */
    bool collect;      /* record the paths read (DplProgram.reads) */
    void *read_index;  /* check.c's text -> read index (a KeyIndex) */
    DPL_VEC(DplReadPath) reads;
    DPL_VEC(DplReadSite) sites;
} DplChecker;

/* Checks e and returns the set of types it may have (missing aside).
 * Reports E303-E305, E307, E308, E310, E311 and annotates calls and casts.
 * DPL_EXPR_ERROR nodes are skipped silently and count as any type. */
DplTypes dpl_check_infer(DplChecker *c, DplExpr *e);

/* Checks e as a condition (`if`, requirement): it must be able to be a
 * boolean (E305), and a constant one earns W404. */
void dpl_check_condition(DplChecker *c, DplExpr *e, const char *what);

/* The candidate nearest to name by edit distance (util's dpl_nearest). */
#define dpl_check_nearest dpl_nearest

/* Records that path expression e is read in the current scope: sets
 * e->u.path.abs and, when collecting, adds it to the program's reads
 * (check.c). */
void dpl_check_read(DplChecker *c, DplExpr *e);
/* Sets the absolute spelling of 'item (meta expression e) in the current
 * element scope, when that scope is known (check.c). */
void dpl_check_item(DplChecker *c, DplExpr *e);


#endif
