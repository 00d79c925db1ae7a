/* internal.h — the plan trie's layout, shared by plan.c (building) and
 * scan.c (scanning); not part of the public API. */
#ifndef DPL_SCAN_INTERNAL_H
#define DPL_SCAN_INTERNAL_H

#include "scan/scan.h"

typedef struct {
    char *name;          /* field name (owned); NULL for the root */
    size_t len;
    uint32_t parent;     /* slot of the parent (root: itself) */
    uint32_t kid_begin;  /* children: plan->kids[kid_begin .. kid_begin+nkids) */
    uint32_t nkids;
    uint32_t pre_begin;  /* subtree (self included): plan->preorder[pre_begin .. pre_end) */
    uint32_t pre_end;
    uint32_t table;      /* children by key hash: plan->table[table .. table+64)
                            (a shared empty block for nodes without children) */
    bool linear;         /* two of a few children share a hash: search kids linearly */
    bool probe;          /* two of many children share a hash: table[table ..
                            table+mask] is open addressing on dpl_plan_hash_full */
    uint32_t mask;       /* probe: the table's size - 1 (a power of two, >= 2 nkids) */
    uint32_t guess;      /* a node with children: its row of guesses in a DplScanMemo,
                            or DPL_NO_GUESS */
} DplPlanNode;

#define DPL_NO_GUESS UINT32_MAX
/* Members remembered per object, and objects (plan nodes with children,
 * in slot order) remembered per memo: past them keys are only looked up. */
#define DPL_GUESS_MEMBERS 32
#define DPL_GUESS_OBJECTS 256
/* Longest key remembered: its text and the closing quote fill key[]. */
#define DPL_GUESS_KEY 31

/* The key the last line had at one member position of one object: its raw
 * text (plain: no escapes), then the closing quote, and its plan node. */
typedef struct {
    char key[DPL_GUESS_KEY + 1];
    uint32_t kid; /* the child it names, or 0 (off the plan) */
    uint8_t len;  /* key length; 0xFF: nothing remembered */
} DplScanGuess;

/* ---- shapes: what a line looks like between its scalars -------------------- */

/* A shape is a line with its scalar values cut out: the bytes between them
 * (keys, punctuation, white space, true/false/null off the plan) as
 * literals, each scalar as an op that validates one (and captures it when
 * it is on the plan), and the spans of the plan's containers as marks.  A
 * line that matches a shape literal for literal, with a valid scalar in
 * every scalar's place, is valid JSON with the same structure, and its
 * captures are the shape's ops replayed (spec-wise nothing changes: a
 * scalar's validity does not depend on its neighbours, nor the structure on
 * the scalars).  Shapes are learnt from lines the full scan accepted. */
enum {
    SHAPE_STR,   /* a string off the plan */
    SHAPE_NUM,   /* a number off the plan */
    SHAPE_VAL,   /* a scalar on the plan: captured into slot */
    SHAPE_OPEN,  /* a container on the plan starts here: slot's start */
    SHAPE_CLOSE, /* and ends here (after its bracket): slot's span, of type */
    SHAPE_END,   /* the end of the line's value */
};

/* One op, after the literal bytes that come before it in the line. */
typedef struct {
    uint8_t kind;      /* SHAPE_* */
    uint8_t type;      /* SHAPE_CLOSE: DPL_SV_OBJECT or DPL_SV_ARRAY */
    uint32_t slot;     /* SHAPE_VAL, SHAPE_OPEN, SHAPE_CLOSE */
    uint32_t off, len; /* the literal: lits[off .. off+len) (len may be 0) */
} DplShapeOp;

/* Ops and literal bytes a shape may hold: a longer line is scanned, not
 * matched. */
#define DPL_SHAPE_OPS 1024
#define DPL_SHAPE_LITS 16384

typedef struct {
    DplShapeOp *ops;     /* DPL_SHAPE_OPS */
    unsigned char *lits; /* DPL_SHAPE_LITS + 16 (compared 16 bytes at a time) */
    uint32_t nops, nlits;
    bool valid;
    uint64_t id;         /* given when learnt, unique in its memo (DplScanCuts.shape) */
    uint32_t *gaps;      /* once learnt: ops[i].len, for DplScanCuts.gap (DPL_SHAPE_OPS) */
} DplShape;

/* Shapes a memo keeps: a stream of a few shapes (records with and without
 * an optional field) matches one of them most of the time. */
#define DPL_SHAPES 2

/* A shape being learnt from a line the scanner walks (scan.c calls these
 * at each scalar and at the plan containers' brackets; shape.c). */
typedef struct {
    DplShape *shape;
    const unsigned char *lit; /* the literal run not yet written starts here */
    bool bad;                 /* does not fit, or a duplicate key dropped captures */
} ShapeRec;

/* An op at p (a scalar starts there, or a mark) after the literal run
 * before it; the next run starts at p. */
void shape_rec_op(ShapeRec *r, const unsigned char *p, uint8_t kind, uint32_t slot, uint8_t type);
/* A scalar's op ends at q: the next literal run starts there. */
static inline void shape_rec_past(ShapeRec *r, const unsigned char *q) { r->lit = q; }

struct DplScanMemo {
    DplScanGuess *rows; /* DPL_GUESS_MEMBERS per object with a guess row */
    size_t nrows;
    DplShape shapes[DPL_SHAPES + 1]; /* the last is the one being learnt */
    uint32_t mru;                    /* the shape that matched last */
    uint32_t misses;                 /* lines in a row no shape matched */
    uint32_t tick;                   /* lines seen while shapes keep missing */
    uint64_t next_id;                /* the last shape id given */
    /* cuts (dpl_scan_cuts): recorded while cuts_on, for the last line read */
    bool cuts_on;
    uint64_t cut_shape;              /* the shape it matched, or 0 */
    uint32_t cut_n;
    uint32_t *cut_start;             /* DPL_SHAPE_OPS, once cuts are on */
    const uint32_t *cut_gap;         /* the matched shape's gaps */
};

/* The line base[0..end) read through m's shapes: true when one matched
 * (vals[0..nvals) then hold what dpl_scan would capture).  Else vals are
 * zeroed and the line must be scanned; *learn says whether to learn its
 * shape meanwhile (shape_learn_begin, then shape_learn_end if it was
 * accepted). */
bool shape_read(DplScanMemo *m, const unsigned char *base, const unsigned char *end, DplScanValue *vals,
                size_t nvals, bool *learn);
/* (A match with cuts on also records the line's cuts in m.) */
ShapeRec shape_learn_begin(DplScanMemo *m, const unsigned char *base);
void shape_learn_end(DplScanMemo *m, const ShapeRec *r);

/* Hash of a key for the per-node child tables (64 buckets). */
static inline uint32_t dpl_plan_hash(const unsigned char *k, size_t len)
{
    if (len == 0)
        return 0;
    return (uint32_t)(len * 7u + k[0] * 31u + k[len - 1] * 3u + k[len / 2]) & 63u;
}

/* Hash of a key for nodes with many children (FNV-1a): the cheap hash above
 * looks at 4 bytes, so 100,000 fields v0..v99999 share a few hundred values. */
static inline uint32_t dpl_plan_hash_full(const unsigned char *k, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ k[i]) * 16777619u;
    return h ^ (h >> 15);
}

/* Children up to which a node whose cheap hashes collide is searched
 * linearly; above it, by dpl_plan_hash_full. */
#define DPL_PLAN_LINEAR_MAX 8

struct DplScanPlan {
    DplPlanNode *nodes;  /* indexed by slot */
    size_t nnodes, cap;
    uint32_t *index;     /* building: (parent, name) -> slot, open addressing (0 = empty) */
    size_t index_cap;    /* a power of two, more than twice nnodes */
    bool frozen;         /* dpl_scan_plan_freeze ran: the derived arrays are valid */
    uint32_t *kids;      /* derived: children grouped by parent */
    uint32_t *preorder;  /* derived: slots in depth-first order */
    uint32_t *table;     /* derived: 64 buckets per node (slot, 0 = none) */
    size_t max_key;      /* longest field name in the plan */
    uint32_t nguess;     /* derived: nodes with a row of guesses */
};

#endif
