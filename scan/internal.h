/* internal.h — the plan trie's layout, shared by the scanner and the direct
 * engine (not part of the public API). */
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
} DplPlanNode;

struct DplScanPlan {
    DplPlanNode *nodes;  /* indexed by slot */
    size_t nnodes, cap;
    uint32_t *kids;      /* derived: children grouped by parent */
    uint32_t *preorder;  /* derived: slots in depth-first order */
    size_t max_key;      /* longest field name in the plan */
};

#endif
