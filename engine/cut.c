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
 * the skim is cautious (either way it is written the same).  A walk below
 * the container (cut_walk: a[*].b, a[0].b) is resolved once per template
 * to the entries it reaches, and then only those scalars are read: no node
 * is made at all.
 *
 * Templates live in the engine state (TMPL_CACHE of them, by shape and
 * opening cut), owned with their resolved walks, replaced in turn.  Cuts
 * cost the scan one store an op, so the record loop turns them on only
 * while containers of the slots are used often (CUT_MIN_PARSES in
 * CUT_PERIOD records). */
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

/* The template of the container v: *mark says whether v starts at one of
 * the plan's brackets (*open: that cut); NULL when it has none. */
static Tmpl *find_uncached(DplEngineState *st, const EVal *v, bool *mark, uint32_t *open)
{
    const DplScanCuts *c = &st->cuts;
    /* the container's opening bracket is a cut of the scan's (a mark of a
     * plan container: it starts and ends there) */
    uint32_t x = (uint32_t)(v->raw - st->line);
    uint32_t j = cut_after(c, x);
    *open = 0;
    *mark = j > 0 && c->start[j - 1] == x && dpl_scan_cut_end(c, j - 1) == x;
    if (!*mark)
        return NULL;
    *open = j - 1;
    for (uint32_t i = 0; i < TMPL_CACHE; i++) {
        Tmpl *t = &st->tmpl[i];
        if (t->shape == c->shape && t->open == j - 1)
            return t;
    }
    return NULL;
}

/* find_uncached, remembering the last answer for the record: a container
 * is usually walked several times (cut_learn forgets it: it may replace
 * that template) */
static Tmpl *find(DplEngineState *st, const EVal *v, bool *mark, uint32_t *open)
{
    if (st->tfind.gen == st->gen && st->tfind.raw == v->raw && st->tfind.t) {
        *mark = st->tfind.mark;
        *open = st->tfind.open;
        return st->tfind.t;
    }
    Tmpl *t = find_uncached(st, v, mark, open);
    st->tfind.gen = st->gen;
    st->tfind.raw = v->raw;
    st->tfind.t = t;
    st->tfind.mark = *mark;
    st->tfind.open = *open;
    return t;
}

bool cut_node(DplEngineState *st, const EVal *v, const RNode **node, bool *learn, uint32_t *open)
{
    bool mark;
    const Tmpl *t = find(st, v, &mark, open);
    if (t && !t->none) {
        *node = ev_node_of(st, t->e);
        return true;
    }
    *learn = mark && !t && !st->learning;
    return false;
}

/* ---- walks answered by templates -------------------------------------------- */

#define NO_ENT UINT32_MAX

/* The k-th value of container entry e. */
static uint32_t child(const Tmpl *t, uint32_t e, uint32_t k)
{
    uint32_t c = e + 1;
    for (; k; k--)
        c += t->e[c].size;
    return c;
}

/* segs[i..n) (no [*]) from entry e, as ev_walk goes: the entry reached, or
 * NO_ENT where ev_walk finds nothing. */
static uint32_t walk_entries(const DplEngineState *st, const Tmpl *t, uint32_t e, const DplSegment *segs, size_t i,
                             size_t n)
{
    for (; i < n && e != NO_ENT; i++) {
        const TEnt *x = &t->e[e];
        const DplSegment *s = &segs[i];
        if (s->kind == DPL_SEG_FIELD) {
            if (x->kind != TK_OBJ)
                return NO_ENT;
            uint32_t found = NO_ENT; /* keys are unique in a template */
            for (uint32_t k = 0, c = e + 1; k < x->n && found == NO_ENT; k++, c += t->e[c].size) {
                const TEnt *m = &t->e[c];
                if (m->klen == s->name_len &&
                    memcmp(st->line + st->cuts.start[m->key.cut] - m->key.back, s->name, m->klen) == 0)
                    found = c;
            }
            e = found;
        } else { /* DPL_SEG_INDEX */
            if (x->kind != TK_ARR)
                return NO_ENT;
            int64_t k = s->index;
            if (k < 0)
                k = (uint64_t)(-(k + 1)) >= x->n ? -1 : (int64_t)x->n + k;
            e = k >= 0 && (uint64_t)k < x->n ? child(t, e, (uint32_t)k) : NO_ENT;
        }
    }
    return e;
}

static void add_ent(TWalk *w, uint32_t e, uint32_t cap)
{
    if (!w->ents)
        w->ents = dpl_malloc((cap ? cap : 1) * sizeof *w->ents);
    w->ents[w->nents++] = e;
}

/* Resolves w against template t (the line has t's shape: its keys are the
 * template's): ev_walk's answer, as entries.  One [*] at most, as in
 * a[*].b; another, or a container reached, is left to ev_walk (TW_NO). */
static void resolve(const DplEngineState *st, const Tmpl *t, TWalk *w)
{
    size_t star = w->i;
    while (star < w->n && w->segs[star].kind != DPL_SEG_STAR)
        star++;
    w->kind = TW_NO;
    if (star == w->n) {
        uint32_t e = walk_entries(st, t, 0, w->segs, w->i, w->n);
        w->kind = e == NO_ENT ? TW_MISSING : TW_ONE;
        if (e != NO_ENT)
            add_ent(w, e, 1);
    } else {
        for (size_t k = star + 1; k < w->n; k++)
            if (w->segs[k].kind == DPL_SEG_STAR)
                return;
        uint32_t a = walk_entries(st, t, 0, w->segs, w->i, star);
        if (a == NO_ENT || t->e[a].kind != TK_ARR) {
            w->kind = TW_MISSING;
            return;
        }
        w->kind = TW_LIST;
        for (uint32_t k = 0, c = a + 1; k < t->e[a].n; k++, c += t->e[c].size) {
            uint32_t e = walk_entries(st, t, c, w->segs, star + 1, w->n);
            if (e != NO_ENT)
                add_ent(w, e, t->e[a].n);
        }
    }
    for (uint32_t k = 0; k < w->nents; k++)
        if (t->e[w->ents[k]].kind != TK_SCALAR)
            w->kind = TW_NO; /* its node is wanted: ev_walk makes it */
}

bool cut_walk(DplEngineState *st, const EVal *v, const DplSegment *segs, size_t i, size_t n, EVal *out)
{
    bool mark;
    uint32_t open;
    Tmpl *t = find(st, v, &mark, &open);
    if (!t || t->none)
        return false;
    TWalk *w = NULL;
    for (uint32_t k = 0; k < t->nwalks && !w; k++)
        if (t->walks[k].segs == segs && t->walks[k].i == i && t->walks[k].n == n)
            w = &t->walks[k];
    if (!w) {
        if (t->nwalks == t->capwalks) {
            t->capwalks = t->capwalks ? 2 * t->capwalks : 8;
            t->walks = dpl_realloc(t->walks, t->capwalks * sizeof *t->walks);
        }
        w = &t->walks[t->nwalks++];
        *w = (TWalk){.segs = segs, .i = i, .n = n};
        resolve(st, t, w);
    }
    if (w->kind == TW_NO)
        return false;
    st->cut_parses++; /* a use of the container, as a parse would count */
    if (w->kind == TW_MISSING) {
        *out = MISSING;
    } else if (w->kind == TW_ONE) {
        ev_scalar_of(st, &t->e[w->ents[0]], out);
    } else {
        EVal *l = eng_alloc(st, (w->nents ? w->nents : 1) * sizeof *l);
        for (uint32_t k = 0; k < w->nents; k++)
            ev_scalar_of(st, &t->e[w->ents[k]], &l[k]);
        *out = ev_pack(V_ARR, R_LIST, 0, 0, w->nents, NULL, 0, (uint64_t)(uintptr_t)l);
    }
    return true;
}

bool cut_count(DplEngineState *st, const EVal *v, size_t *n)
{
    bool mark;
    uint32_t open;
    const Tmpl *t = find(st, v, &mark, &open);
    if (!t || t->none || t->e[0].kind != TK_ARR)
        return false;
    st->cut_parses++;
    *n = t->e[0].n;
    return true;
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

static void drop_walks(Tmpl *t)
{
    for (uint32_t k = 0; k < t->nwalks; k++)
        dpl_free(t->walks[k].ents);
    t->nwalks = 0;
}

void cut_learn(DplEngineState *st, uint32_t open, const EVal *parsed)
{
    Tmpl *t = &st->tmpl[st->tmpl_next];
    st->tmpl_next = (st->tmpl_next + 1) % TMPL_CACHE;
    drop_walks(t);
    st->tfind.t = NULL; /* it may have been this one */
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
        drop_walks(&st->tmpl[i]);
        dpl_free(st->tmpl[i].walks);
        dpl_free(st->tmpl[i].e);
        st->tmpl[i] = (Tmpl){0};
    }
}
