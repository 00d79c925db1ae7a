/* plan.c — the trie of field paths a program reads.  Paths are added while
 * a program is loaded; dpl_scan_plan_freeze then derives, once, the arrays
 * the scanner reads (children per node, depth-first order, per-node key
 * tables).  Building is linear in the number of paths, so a program with
 * 100,000 add items loads as fast as one with ten. */
#include <string.h>

#include "scan/internal.h"

DplScanPlan *dpl_scan_plan_new(void)
{
    DplScanPlan *p = dpl_calloc(1, sizeof *p);
    p->cap = 8;
    p->nodes = dpl_calloc(p->cap, sizeof *p->nodes);
    p->nnodes = 1; /* slot 0: the root value */
    p->index_cap = 16;
    p->index = dpl_calloc(p->index_cap, sizeof *p->index);
    return p;
}

void dpl_scan_plan_free(DplScanPlan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nnodes; i++)
        dpl_free(p->nodes[i].name);
    dpl_free(p->nodes);
    dpl_free(p->index);
    dpl_free(p->kids);
    dpl_free(p->preorder);
    dpl_free(p->table);
    dpl_free(p);
}

size_t dpl_scan_plan_slots(const DplScanPlan *p) { return p->nnodes; }

/* ---- building: the (parent, name) index ------------------------------------- */

/* FNV-1a over the parent slot and the name: only used while loading. */
static size_t index_hash(uint32_t parent, const char *name, size_t len)
{
    uint64_t h = 1469598103934665603u ^ parent;
    h *= 1099511628211u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)name[i];
        h *= 1099511628211u;
    }
    return (size_t)h;
}

/* The index position holding (parent, name), or the empty one where it goes. */
static size_t index_find(const DplScanPlan *p, uint32_t parent, const char *name, size_t len)
{
    size_t mask = p->index_cap - 1;
    size_t i = index_hash(parent, name, len) & mask;
    for (;; i = (i + 1) & mask) {
        uint32_t slot = p->index[i];
        if (!slot)
            return i;
        const DplPlanNode *n = &p->nodes[slot];
        if (n->parent == parent && n->len == len && memcmp(n->name, name, len) == 0)
            return i;
    }
}

static void index_grow(DplScanPlan *p)
{
    uint32_t *old = p->index;
    size_t old_cap = p->index_cap;
    p->index_cap *= 2;
    p->index = dpl_calloc(p->index_cap, sizeof *p->index);
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i])
            continue;
        const DplPlanNode *n = &p->nodes[old[i]];
        p->index[index_find(p, n->parent, n->name, n->len)] = old[i];
    }
    dpl_free(old);
}

size_t dpl_scan_plan_add(DplScanPlan *p, const char *const *names, const size_t *lens, size_t n)
{
    uint32_t cur = 0;
    for (size_t i = 0; i < n; i++) {
        size_t at = index_find(p, cur, names[i], lens[i]);
        if (p->index[at]) {
            cur = p->index[at];
            continue;
        }
        if (p->nnodes == p->cap) {
            p->cap *= 2;
            p->nodes = dpl_realloc(p->nodes, p->cap * sizeof *p->nodes);
        }
        uint32_t next = (uint32_t)p->nnodes++;
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
        p->index[at] = next;
        if (2 * p->nnodes >= p->index_cap)
            index_grow(p);
        cur = next;
    }
    return cur;
}

/* ---- freezing: the arrays the scanner reads ------------------------------------ */

/* Depth-first numbering without recursion (paths can be long). */
static void number_preorder(DplScanPlan *p)
{
    uint32_t *stack = dpl_malloc(p->nnodes * sizeof *stack);
    uint32_t *next_kid = dpl_calloc(p->nnodes, sizeof *next_kid);
    size_t depth = 0;
    uint32_t pos = 0;
    stack[depth++] = 0;
    p->nodes[0].pre_begin = pos;
    p->preorder[pos++] = 0;
    while (depth) {
        DplPlanNode *n = &p->nodes[stack[depth - 1]];
        uint32_t k = next_kid[stack[depth - 1]]++;
        if (k == n->nkids) {
            n->pre_end = pos;
            depth--;
            continue;
        }
        uint32_t kid = p->kids[n->kid_begin + k];
        p->nodes[kid].pre_begin = pos;
        p->preorder[pos++] = kid;
        stack[depth++] = kid;
    }
    dpl_free(next_kid);
    dpl_free(stack);
}

void dpl_scan_plan_freeze(DplScanPlan *p)
{
    if (p->frozen)
        return;
    p->frozen = true;
    /* children grouped by parent, in order of addition: count, then place */
    for (size_t i = 1; i < p->nnodes; i++)
        p->nodes[p->nodes[i].parent].nkids++;
    uint32_t pos = 0;
    for (size_t i = 0; i < p->nnodes; i++) {
        p->nodes[i].kid_begin = pos;
        pos += p->nodes[i].nkids;
    }
    p->kids = dpl_malloc((p->nnodes ? p->nnodes : 1) * sizeof *p->kids);
    uint32_t *fill = dpl_calloc(p->nnodes, sizeof *fill);
    for (size_t i = 1; i < p->nnodes; i++) {
        uint32_t parent = p->nodes[i].parent;
        p->kids[p->nodes[parent].kid_begin + fill[parent]++] = (uint32_t)i;
    }
    dpl_free(fill);
    p->preorder = dpl_malloc(p->nnodes * sizeof *p->preorder);
    number_preorder(p);
    /* Records repeat their keys millions of times: one hash probe and one
     * comparison find a member's plan node (or rule it out).  Block 0 is
     * the shared empty table of nodes without children.  A node whose
     * children collide in the cheap 64-bucket hash is searched linearly
     * when it has a few children, and through a table of its own, twice
     * its number of children, when it has many (a record is then checked
     * in time linear in its size, however many fields the program names). */
    size_t table_len = 64;
    for (size_t i = 0; i < p->nnodes; i++) {
        DplPlanNode *n = &p->nodes[i];
        n->linear = n->probe = false;
        n->table = 0;
        n->mask = 63;
        if (!n->nkids)
            continue;
        bool collide = false;
        uint64_t seen = 0;
        for (uint32_t k = 0; k < n->nkids && !collide; k++) {
            const DplPlanNode *c = &p->nodes[p->kids[n->kid_begin + k]];
            uint64_t bit = 1ull << dpl_plan_hash((const unsigned char *)c->name, c->len);
            collide = seen & bit;
            seen |= bit;
        }
        if (collide && n->nkids <= DPL_PLAN_LINEAR_MAX) {
            n->linear = true;
            continue;
        }
        if (collide) {
            n->probe = true;
            size_t size = 64;
            while (size < 2 * (size_t)n->nkids)
                size *= 2;
            n->mask = (uint32_t)(size - 1);
        }
        n->table = (uint32_t)table_len;
        table_len += (size_t)n->mask + 1;
    }
    p->table = dpl_calloc(table_len, sizeof *p->table);
    for (size_t i = 0; i < p->nnodes; i++) {
        const DplPlanNode *n = &p->nodes[i];
        if (!n->nkids || n->linear)
            continue;
        for (uint32_t k = 0; k < n->nkids; k++) {
            uint32_t kid = p->kids[n->kid_begin + k];
            const DplPlanNode *c = &p->nodes[kid];
            const unsigned char *name = (const unsigned char *)c->name;
            if (!n->probe) {
                p->table[n->table + dpl_plan_hash(name, c->len)] = kid;
                continue;
            }
            uint32_t at = dpl_plan_hash_full(name, c->len) & n->mask;
            while (p->table[n->table + at])
                at = (at + 1) & n->mask;
            p->table[n->table + at] = kid;
        }
    }
    /* rows of guesses (DplScanMemo) for the first objects of the plan */
    p->nguess = 0;
    for (size_t i = 0; i < p->nnodes; i++)
        p->nodes[i].guess = p->nodes[i].nkids && p->nguess < DPL_GUESS_OBJECTS ? p->nguess++ : DPL_NO_GUESS;
    /* the building index is not needed any more */
    dpl_free(p->index);
    p->index = NULL;
    p->index_cap = 0;
}

/* ---- memos ------------------------------------------------------------------ */

DplScanMemo *dpl_scan_memo_new(const DplScanPlan *p)
{
    DplScanMemo *m = dpl_calloc(1, sizeof *m);
    m->nrows = p->nguess;
    size_t n = m->nrows * DPL_GUESS_MEMBERS;
    m->rows = dpl_calloc(n ? n : 1, sizeof *m->rows);
    for (size_t i = 0; i < n; i++)
        m->rows[i].len = 0xFF;
    return m;
}

void dpl_scan_memo_free(DplScanMemo *m)
{
    if (!m)
        return;
    dpl_free(m->rows);
    dpl_free(m->cut_start);
    for (int i = 0; i <= DPL_SHAPES; i++) {
        dpl_free(m->shapes[i].ops);
        dpl_free(m->shapes[i].lits);
        dpl_free(m->shapes[i].gaps);
    }
    dpl_free(m);
}
