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
    uint32_t kid;  /* the child it names, or 0 (off the plan) */
    uint8_t len;   /* key length; 0xFF: nothing remembered */
} DplScanGuess;

struct DplScanMemo {
    DplScanGuess *rows; /* DPL_GUESS_MEMBERS per object with a guess row */
    size_t nrows;
};

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
