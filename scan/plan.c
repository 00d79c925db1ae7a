/* plan.c — the trie of field paths a program reads.  Built once at load
 * time; the derived arrays (children per node, depth-first order) are
 * rebuilt after every addition, so the scanner only ever reads them. */
#include <string.h>

#include "scan/internal.h"

DplScanPlan *dpl_scan_plan_new(void)
{
    DplScanPlan *p = dpl_calloc(1, sizeof *p);
    p->cap = 8;
    p->nodes = dpl_calloc(p->cap, sizeof *p->nodes);
    p->nnodes = 1; /* slot 0: the root value */
    p->kids = dpl_calloc(1, sizeof *p->kids);
    p->preorder = dpl_calloc(1, sizeof *p->preorder);
    p->nodes[0].pre_end = 1;
    return p;
}

void dpl_scan_plan_free(DplScanPlan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nnodes; i++)
        dpl_free(p->nodes[i].name);
    dpl_free(p->nodes);
    dpl_free(p->kids);
    dpl_free(p->preorder);
    dpl_free(p->table);
    dpl_free(p);
}

size_t dpl_scan_plan_slots(const DplScanPlan *p) { return p->nnodes; }

static uint32_t find_child(const DplScanPlan *p, uint32_t parent, const char *name, size_t len)
{
    for (size_t i = 1; i < p->nnodes; i++) {
        const DplPlanNode *n = &p->nodes[i];
        if (n->parent == parent && n->len == len && memcmp(n->name, name, len) == 0)
            return (uint32_t)i;
    }
    return 0;
}

static void preorder_walk(DplScanPlan *p, uint32_t slot, uint32_t *pos)
{
    DplPlanNode *n = &p->nodes[slot];
    n->pre_begin = *pos;
    p->preorder[(*pos)++] = slot;
    for (uint32_t k = 0; k < n->nkids; k++)
        preorder_walk(p, p->kids[n->kid_begin + k], pos);
    n->pre_end = *pos;
}

/* Groups children by parent (in order of addition) and numbers subtrees. */
static void derive(DplScanPlan *p)
{
    dpl_free(p->kids);
    dpl_free(p->preorder);
    p->kids = dpl_calloc(p->nnodes, sizeof *p->kids);
    p->preorder = dpl_calloc(p->nnodes, sizeof *p->preorder);
    uint32_t pos = 0;
    for (size_t parent = 0; parent < p->nnodes; parent++) {
        DplPlanNode *n = &p->nodes[parent];
        n->kid_begin = pos;
        n->nkids = 0;
        for (size_t i = 1; i < p->nnodes; i++) {
            if (p->nodes[i].parent == parent) {
                p->kids[pos++] = (uint32_t)i;
                n->nkids++;
            }
        }
    }
    pos = 0;
    preorder_walk(p, 0, &pos);
    /* Records repeat their keys millions of times: one hash probe and one
     * comparison find a member's plan node (or rule it out). */
    dpl_free(p->table);
    p->table = dpl_calloc(p->nnodes * 64, sizeof *p->table);
    for (size_t i = 0; i < p->nnodes; i++) {
        DplPlanNode *n = &p->nodes[i];
        n->table = (uint32_t)(i * 64);
        n->linear = false;
        for (uint32_t k = 0; k < n->nkids; k++) {
            const DplPlanNode *c = &p->nodes[p->kids[n->kid_begin + k]];
            uint32_t *bucket = &p->table[n->table + dpl_plan_hash((const unsigned char *)c->name, c->len)];
            if (*bucket)
                n->linear = true;
            *bucket = p->kids[n->kid_begin + k];
        }
    }
}

size_t dpl_scan_plan_add(DplScanPlan *p, const char *const *names, const size_t *lens, size_t n)
{
    uint32_t cur = 0;
    bool added = false;
    for (size_t i = 0; i < n; i++) {
        uint32_t next = find_child(p, cur, names[i], lens[i]);
        if (!next) {
            if (p->nnodes == p->cap) {
                p->cap *= 2;
                p->nodes = dpl_realloc(p->nodes, p->cap * sizeof *p->nodes);
            }
            next = (uint32_t)p->nnodes++;
            DplPlanNode *node = &p->nodes[next];
            memset(node, 0, sizeof *node);
            /* memcpy, not strndup: a quoted field name may hold any byte */
            node->name = dpl_malloc(lens[i] + 1);
            memcpy(node->name, names[i], lens[i]);
            node->name[lens[i]] = '\0';
            node->len = lens[i];
            node->parent = cur;
            if (lens[i] > p->max_key)
                p->max_key = lens[i];
            added = true;
        }
        cur = next;
    }
    if (added)
        derive(p);
    return cur;
}
