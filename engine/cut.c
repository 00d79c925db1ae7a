/* cut.c — containers of a line read through a shape, made from where the
 * scan cut the line (scan.h, DplScanCuts) instead of parsed byte by byte.
 *
 * Lines of one shape differ only inside their cuts (scalars); every other
 * byte — keys, brackets, commas, white space, true/false/null off the plan
 * — is the same, at the same distance before the next cut.  So the first
 * parse of a container in a line of some shape is turned into a template:
 * each value is a cut (a scalar) or a place before one (a literal, a
 * nested container's brackets), each member's key a place, and each
 * container says whether its bytes between values are bare (no white
 * space; its keys are plain and unique, or it gets no template).  In the
 * next lines of that shape the container's node is made from the
 * template (node.c, ev_node_of): scalars read at their cuts by the parse's
 * own reading, keys by place, each node allocated at its size.  The node is
 * the one the parse would make, except that a nested container only
 * copied (engine.deep false) knows exactly whether it is canonical where
 * the skim is cautious (either way it is written the same).
 *
 * Templates live in the engine state (TMPL_CACHE of them, by shape and
 * opening cut), owned, replaced in turn.  Cuts cost the scan two stores a
 * cut, so the record loop turns them on only while containers of the
 * slots are parsed often (CUT_MIN_PARSES in CUT_PERIOD records). */
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"

/* The first cut that starts after offset x (one exists for any x inside
 * the value: the last cut starts after it). */
static uint32_t cut_after(const DplScanCuts *c, uint32_t x)
{
    uint32_t lo = 0, hi = c->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (c->start[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static bool place_of(const DplScanCuts *c, uint32_t x, CPlace *p)
{
    uint32_t j = cut_after(c, x);
    if (j >= c->n)
        return false;
    p->cut = j;
    p->back = c->start[j] - x;
    return true;
}

bool cut_node(DplEngineState *st, const EVal *v, const RNode **node, bool *learn, uint32_t *open)
{
    const DplScanCuts *c = &st->cuts;
    /* the container's opening bracket is a cut of the scan's (a mark of a
     * plan container: it starts and ends there) */
    uint32_t x = (uint32_t)(v->raw - st->line);
    uint32_t j = cut_after(c, x);
    if (j == 0 || c->start[j - 1] != x || dpl_scan_cut_end(c, j - 1) != x)
        return false; /* not a container of the plan's */
    j--;
    for (uint32_t i = 0; i < TMPL_CACHE; i++) {
        const Tmpl *t = &st->tmpl[i];
        if (t->shape == c->shape && t->open == j) {
            if (t->none)
                return false;
            *node = ev_node_of(st, t->e);
            return true;
        }
    }
    *learn = !st->learning;
    *open = j;
    return false;
}

/* ---- learning templates ------------------------------------------------------ */

typedef struct {
    DplEngineState *st;
    Tmpl *t;
} Learn;

static TEnt *push(Learn *l)
{
    Tmpl *t = l->t;
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 32;
        t->e = dpl_realloc(t->e, t->cap * sizeof *t->e);
    }
    TEnt *e = &t->e[t->n++];
    memset(e, 0, sizeof *e);
    return e;
}

/* Whether the bytes of the container s..e (its brackets included) that are
 * not inside a cut have white space outside its keys. */
static bool spaced(const DplEngineState *st, uint32_t s, uint32_t e)
{
    const DplScanCuts *c = &st->cuts;
    bool in_key = false;
    uint32_t x = s;
    for (uint32_t j = cut_after(c, s); x <= e; j++) {
        uint32_t stop = j < c->n && c->start[j] <= e ? c->start[j] : e + 1;
        for (; x < stop; x++) {
            char b = st->line[x];
            if (b == '"')
                in_key = !in_key;
            else if (!in_key && (b == ' ' || b == '\t' || b == '\n' || b == '\r'))
                return true;
        }
        if (j < c->n && dpl_scan_cut_end(c, j) > x)
            x = dpl_scan_cut_end(c, j);
        if (j >= c->n)
            break;
    }
    return false;
}

/* Appends the template of value v (a member's key, or NULL); false when it
 * cannot have one. */
static bool learn_value(Learn *l, const EVal *v, const RKey *key)
{
    DplEngineState *st = l->st;
    const DplScanCuts *c = &st->cuts;
    uint32_t idx = l->t->n;
    TEnt *e = push(l);
    uint32_t x = (uint32_t)(v->raw - st->line);
    if (key) {
        if (!key->plain || !place_of(c, (uint32_t)(key->s - st->line), &e->key))
            return false;
        e->klen = key->n;
    }
    if (v->t != V_OBJ && v->t != V_ARR) {
        e->kind = TK_SCALAR;
        e->size = 1;
        uint32_t j = cut_after(c, x);
        if (j > 0 && c->start[j - 1] == x && dpl_scan_cut_end(c, j - 1) > x) {
            e->at = (CPlace){j - 1, 0}; /* a scalar the scan cut */
            return true;
        }
        /* true, false or null between cuts */
        return (v->t == V_TRUE || v->t == V_FALSE || v->t == V_NULL) && place_of(c, x, &e->at);
    }
    const RNode *node = ev_node(st, v);
    const bool obj = v->t == V_OBJ;
    if (obj && !node->plain)
        return false; /* an escaped or repeated key */
    uint32_t close = x + (uint32_t)v->rawlen - 1;
    if (!place_of(c, x, &e->at) || !place_of(c, close, &e->close))
        return false;
    e->kind = obj ? TK_OBJ : TK_ARR;
    e->n = node->n;
    e->keybits = node->keybits;
    e->bare = !spaced(st, x, close);
    for (uint32_t i = 0; i < node->n; i++)
        if (!learn_value(l, &node->vals[i], obj ? &node->keys[i] : NULL))
            return false;
    l->t->e[idx].size = l->t->n - idx; /* push may have moved the entries */
    return true;
}

void cut_learn(DplEngineState *st, uint32_t open, const EVal *parsed)
{
    Tmpl *t = &st->tmpl[st->tmpl_next];
    st->tmpl_next = (st->tmpl_next + 1) % TMPL_CACHE;
    t->shape = st->cuts.shape;
    t->open = open;
    t->n = 0;
    Learn l = {st, t};
    st->learning = true;
    t->none = !learn_value(&l, parsed, NULL);
    st->learning = false;
}

void cut_free(DplEngineState *st)
{
    for (uint32_t i = 0; i < TMPL_CACHE; i++) {
        dpl_free(st->tmpl[i].e);
        st->tmpl[i] = (Tmpl){0};
    }
}
