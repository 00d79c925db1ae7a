/* build.c — phase 4 of spec §7 on record-local values: the entity's data
 * object is built in the arena as ordered entries (attributes in the order
 * first written; a replaced value keeps its place; a deleted one leaves, and
 * comes back at the end if written again — jansson's object rules, which the
 * reference evaluator's output follows), then written straight into the
 * output line.  Values copied from the record stay spans of the line until
 * they are written.  Dotted targets create nested entry objects; writing
 * into an object copied from the record copies its members first (as the
 * reference copies on write). */
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"

typedef struct {
    const char *key;
    uint32_t klen;
    uint32_t hash;
    bool dead;
    bool plain;  /* the key needs no escaping */
    EVal v;      /* when obj is NULL */
    OObj *obj;   /* a nested object being built */
    /* A member of a canonical object of the line, copied by `all`: its
     * opening quote.  While v is still that member's value, the member's
     * bytes are src up to v's end, and members that followed it in the
     * line are written with it in one copy (see in_line). */
    const char *src;
} OEnt;

struct OObj {
    OEnt *e;
    uint32_t n, cap;
    uint32_t *idx;  /* entry + 1 by hash, when n > LINEAR */
    uint32_t icap;
    uint64_t keybits; /* ev_key_bit of every key added (deleted ones too) */
};

#define LINEAR 24 /* up to this many entries an object is searched without hashes */

static uint32_t key_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static OObj *obj_new(DplEngineState *st)
{
    OObj *o = eng_alloc(st, sizeof *o);
    memset(o, 0, sizeof *o);
    return o;
}

static void index_put(OObj *o, uint32_t i)
{
    uint32_t m = o->icap - 1;
    for (uint32_t k = o->e[i].hash & m;; k = (k + 1) & m)
        if (!o->idx[k]) {
            o->idx[k] = i + 1;
            return;
        }
}

static void reindex(DplEngineState *st, OObj *o)
{
    o->icap = 64;
    while (o->icap < 2 * o->n + 2)
        o->icap *= 2;
    o->idx = eng_alloc(st, o->icap * sizeof *o->idx);
    memset(o->idx, 0, o->icap * sizeof *o->idx);
    for (uint32_t i = 0; i < o->n; i++)
        if (!o->e[i].dead) {
            o->e[i].hash = key_hash(o->e[i].key, o->e[i].klen); /* linear objects hash nothing */
            index_put(o, i);
        }
}

/* The live entry for key, or NULL. */
static OEnt *obj_find(OObj *o, const char *key, size_t klen, uint32_t h)
{
    if (!(o->keybits & ev_key_bit(key, klen)))
        return NULL; /* the usual answer for a new attribute: nothing compared */
    if (!o->idx) {
        for (uint32_t i = 0; i < o->n; i++) {
            OEnt *e = &o->e[i];
            if (e->klen == klen && !e->dead && ev_key_eq(e->key, key, klen))
                return e;
        }
        return NULL;
    }
    uint32_t m = o->icap - 1;
    for (uint32_t k = h & m; o->idx[k]; k = (k + 1) & m) {
        OEnt *e = &o->e[o->idx[k] - 1];
        if (e->hash == h && !e->dead && e->klen == klen && memcmp(e->key, key, klen) == 0)
            return e;
    }
    return NULL;
}

static OEnt *obj_add(DplEngineState *st, OObj *o, const char *key, size_t klen, uint32_t h, bool plain)
{
    if (o->n == o->cap) {
        uint32_t cap = o->cap ? o->cap * 2 : 8;
        OEnt *e = eng_alloc(st, cap * sizeof *e);
        if (o->n)
            memcpy(e, o->e, o->n * sizeof *e);
        o->e = e;
        o->cap = cap;
    }
    OEnt *e = &o->e[o->n++];
    memset(e, 0, sizeof *e);
    e->key = key;
    e->klen = (uint32_t)klen;
    e->hash = h;
    e->plain = plain;
    o->keybits |= ev_key_bit(key, klen);
    if (o->idx && 2 * o->n + 2 > o->icap)
        reindex(st, o);
    else if (o->idx)
        index_put(o, o->n - 1);
    else if (o->n > LINEAR)
        reindex(st, o);
    return e;
}

/* Sets key to v: replaces a live entry in place, else appends one. */
static void obj_set(DplEngineState *st, OObj *o, const char *key, size_t klen, uint32_t h, bool plain, EVal v)
{
    OEnt *e = obj_find(o, key, klen, h);
    if (!e)
        e = obj_add(st, o, key, klen, h, plain);
    e->v = v;
    e->obj = NULL;
}

static bool copy_member(DplEngineState *st, void *ctx, const char *key, size_t klen, bool plain, EVal v)
{
    OObj *o = ctx;
    obj_set(st, o, key, klen, o->idx ? key_hash(key, klen) : 0, plain, v);
    return true;
}

/* An object value's members as a new entry object (copy on write). */
static OObj *obj_of_value(DplEngineState *st, const EVal *v)
{
    OObj *o = obj_new(st);
    ev_members(st, v, copy_member, o);
    return o;
}

/* ---- writing ---------------------------------------------------------------- */


/* The end of e's bytes in the line when it still is the member `all`
 * copied there (its value was not replaced since: the value sits right
 * after its key), else NULL. */
static inline const char *in_line(const OEnt *e)
{
    if (!e->src || e->obj || e->v.raw != e->src + e->klen + 3)
        return NULL;
    return e->v.raw + e->v.rawlen;
}

static void obj_write(DplEngineState *st, DplBuf *out, const OObj *o)
{
    eng_put(out, "{", 1);
    bool first = true;
    for (uint32_t i = 0; i < o->n; i++) {
        const OEnt *e = &o->e[i];
        if (e->dead)
            continue;
        if (!first)
            eng_put(out, ",", 1);
        first = false;
        const char *end = in_line(e);
        if (end) {
            /* this member and those that still follow it in the line (a
             * canonical object: each one right after the comma) */
            const char *from = e->src;
            while (i + 1 < o->n && o->e[i + 1].src == end + 1 && !o->e[i + 1].dead) {
                const char *next = in_line(&o->e[i + 1]);
                if (!next)
                    break;
                end = next;
                i++;
            }
            eng_put(out, from, (size_t)(end - from));
            continue;
        }
        if (e->plain) {
            eng_put(out, "\"", 1);
            eng_put(out, e->key, e->klen);
            eng_put(out, "\":", 2);
        } else {
            dpl_json_write_string(out, e->key, e->klen);
            eng_put(out, ":", 1);
        }
        if (e->obj)
            obj_write(st, out, e->obj);
        else
            ev_write(st, out, &e->v);
    }
    eng_put(out, "}", 1);
    out->data[out->len] = '\0';
}

/* ---- items ------------------------------------------------------------------ */

static void write_target(DplEngineState *st, const EItem *ei, OObj *root, EVal v)
{
    const DplAddItem *it = ei->it;
    const DplTarget *t = &it->target;
    if (t->nsegs == 0)
        return;
    OObj *o = root;
    for (size_t i = 0; i + 1 < t->nsegs; i++) {
        OEnt *e = obj_find(o, t->segs[i], ei->lens[i], ei->hashes[i]);
        if (!e) {
            e = obj_add(st, o, t->segs[i], ei->lens[i], ei->hashes[i], true);
            e->obj = obj_new(st);
        } else if (!e->obj) {
            if (e->v.t != V_OBJ) {
                eng_fail(st, it->value, DPL_RT_TYPE_ERROR, "cannot write `%s`: `%s` already holds %s", ei->target_text,
                         t->segs[i], ev_article(st, &e->v));
                eng_blame(st, NULL, &e->v);
                return;
            }
            e->obj = obj_of_value(st, &e->v);
        }
        o = e->obj;
    }
    size_t last = t->nsegs - 1;
    if (it->modifier == DPL_MOD_APPEND) {
        OEnt *e = obj_find(o, t->segs[last], ei->lens[last], ei->hashes[last]);
        json_t *old = NULL;
        if (e && e->obj) {
            /* an object built here: box it through its own bytes */
            DplBuf b = {0};
            obj_write(st, &b, e->obj);
            old = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
            dpl_buf_free(&b);
        } else if (e) {
            old = ev_box(st, &e->v);
        }
        json_t *val = ev_box(st, &v);
        json_t *arr = dpl_eval_append_value(old, val);
        json_decref(old);
        json_decref(val);
        v = ev_unbox(st, arr);
    }
    obj_set(st, o, t->segs[last], ei->lens[last], ei->hashes[last], true, v);
}

/* Removes segs[i..n) below o (spec §7 `delete`). */
static void delete_below(DplEngineState *st, OObj *o, const DplPath *p, size_t i)
{
    const DplSegment *s = &p->segs[i];
    if (s->kind != DPL_SEG_FIELD)
        return; /* an index into an object: nothing there */
    OEnt *e = obj_find(o, s->name, s->name_len, o->idx ? key_hash(s->name, s->name_len) : 0);
    if (!e)
        return;
    if (i + 1 == p->nsegs) {
        e->dead = true;
        return;
    }
    if (e->obj) {
        delete_below(st, e->obj, p, i + 1);
        return;
    }
    if (e->v.t != V_OBJ && e->v.t != V_ARR)
        return;
    /* a value copied from the record: a private jansson copy, as the reference does */
    json_t *j = ev_box(st, &e->v);
    if (e->v.rep == R_JSON) {
        json_t *copy = json_deep_copy(j);
        json_decref(j);
        j = copy;
    }
    dpl_eval_delete_below(j, p, i + 1);
    e->v = ev_unbox(st, j);
}

typedef struct {
    OObj *root;
    uint32_t base; /* entries from here on were added by this `all` */
} AllCtx;

/* `all` adds the members the object does not hold yet.  A key the record
 * gives twice is one member, as the parsed record has it: the first one's
 * place, the last one's value. */
static bool all_member(DplEngineState *st, void *vctx, const char *key, size_t klen, bool plain, EVal v)
{
    AllCtx *ac = vctx;
    OObj *root = ac->root;
    uint32_t h = root->idx ? key_hash(key, klen) : 0;
    OEnt *e = obj_find(root, key, klen, h);
    if (!e)
        obj_add(st, root, key, klen, h, plain)->v = v;
    else if ((uint32_t)(e - root->e) >= ac->base)
        e->v = v; /* a later duplicate of a member this `all` added */
    return true;
}

/* `all` into an object still empty (the usual `add { all ... }`): the
 * members of a parsed raw object become the entries in one go.  With
 * duplicate keys the first one keeps its place and the last one its value,
 * as all_member does one by one. */
static void all_into_empty(DplEngineState *st, OObj *root, const EVal *base)
{
    const RNode *node = ev_node(st, base);
    if (!node->plain) {
        AllCtx ac = {root, root->n};
        ev_members(st, base, all_member, &ac);
        return;
    }
    uint32_t n = node->n, cap = n < 8 ? 8 : 2 * n;
    OEnt *e = eng_alloc(st, cap * sizeof *e);
    memset(e, 0, n * sizeof *e);
    for (uint32_t i = 0; i < n; i++) {
        e[i].key = node->keys[i].s;
        e[i].klen = node->keys[i].n;
        e[i].plain = true;
        e[i].v = node->vals[i];
        if (node->canon) /* no white space, plain keys, canonical values */
            e[i].src = node->keys[i].s - 1;
    }
    root->e = e;
    root->n = n;
    root->cap = cap;
    root->keybits = node->keybits;
    if (n > LINEAR)
        reindex(st, root);
}

static void run_item(DplEngineState *st, const EItem *ei, OObj *root)
{
    const DplAddItem *it = ei->it;
    if (ei->cond) {
        EVal c = ev_operand(st, ei->cond);
        if (st->err.set)
            return;
        bool run = c.t == V_TRUE;
        if (c.t != V_MISSING && c.t != V_TRUE && c.t != V_FALSE && c.t != V_NULL) {
            eng_fail(st, it->cond, DPL_RT_TYPE_ERROR, "`if` needs a boolean, found %s", ev_article(st, &c));
            eng_blame(st, it->cond, &c);
        }
        if (!run)
            return;
    }
    EVal v = ev_operand(st, ei->value);
    if (v.t != V_MISSING && !st->err.set)
        write_target(st, ei, root, v);
}

static bool layout_build(DplEngineState *st, DplBuf *out, DplResult *res);

bool eng_build(DplEngineState *st, DplBuf *out, DplResult *res)
{
    const DplEngine *eng = st->eng;
    if (eng->layout)
        return layout_build(st, out, res);
    OObj *root = obj_new(st);
    EVal data = ev_from_scan(st, &st->vals[eng->data_slot]);
    bool failed = false;
    for (size_t s = 0; s < eng->nadds; s++) {
        const EAdd *a = &eng->adds[s];
        EVal base = data;
        if (a->from) {
            st->from = MISSING;
            base = st->from = ev_operand(st, a->from);
        }
        for (size_t k = 0; k < a->nitems; k++) {
            const EItem *ei = &a->items[k];
            switch (ei->it->kind) {
            case DPL_ITEM_ALL: {
                if (base.t != V_OBJ)
                    break;
                if (root->n == 0 && base.rep == R_RAW) {
                    all_into_empty(st, root, &base);
                    break;
                }
                AllCtx ac = {root, root->n};
                ev_members(st, &base, all_member, &ac);
                break;
            }
            case DPL_ITEM_DELETE: {
                const DplPath *p = &ei->it->value->u.path;
                size_t i = p->root == DPL_ROOT_DATA ? 1 : 0;
                if (i < p->nsegs)
                    delete_below(st, root, p, i);
                break;
            }
            case DPL_ITEM_VALUE: run_item(st, ei, root); break;
            }
            if (st->err.set) {
                eng_collect(st, res, NULL);
                failed = true;
            }
        }
        st->from = MISSING;
    }
    if (failed)
        return false;
    obj_write(st, out, root);
    return true;
}

/* ---- the static layout ---------------------------------------------------------- */

typedef struct {
    uint64_t *keys; /* (parent << 32 | hash) */
    uint32_t *slots;
    size_t cap;
} LIndex;

static uint32_t layout_child(DplEngine *e, LIndex *ix, size_t *cap, uint32_t parent, const char *name, size_t len,
                             bool *created)
{
    uint32_t h = key_hash(name, len);
    uint64_t k = ((uint64_t)parent << 32) | h;
    size_t m = ix->cap - 1;
    size_t i = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & m;
    DplBuf want = {0};
    dpl_json_write_string(&want, name, len);
    dpl_buf_putc(&want, ':');
    for (; ix->slots[i]; i = (i + 1) & m) {
        LNode *c = &e->layout[ix->slots[i]];
        if (ix->keys[i] == k && c->key_len == want.len && memcmp(c->key_json, want.data, want.len) == 0) {
            dpl_buf_free(&want);
            *created = false;
            return ix->slots[i];
        }
    }
    if (e->nlayout == *cap) {
        *cap *= 2;
        e->layout = dpl_realloc(e->layout, *cap * sizeof *e->layout);
    }
    uint32_t id = e->nlayout++;
    LNode *n = &e->layout[id];
    memset(n, 0, sizeof *n);
    n->key_len = (uint32_t)want.len;
    n->key_json = dpl_buf_take(&want);
    n->parent = parent;
    e->layout[parent].nkids++;
    ix->keys[i] = k;
    ix->slots[i] = id;
    *created = true;
    return id;
}

void eng_layout(DplEngine *e)
{
    size_t nitems = 0;
    for (size_t s = 0; s < e->nadds; s++)
        for (size_t k = 0; k < e->adds[s].nitems; k++) {
            const DplAddItem *it = e->adds[s].items[k].it;
            if (it->kind != DPL_ITEM_VALUE || it->modifier != DPL_MOD_NONE || it->target.nsegs == 0)
                return;
            nitems += it->target.nsegs;
        }
    size_t cap = 16;
    e->layout = dpl_calloc(cap, sizeof *e->layout);
    e->nlayout = 1;
    LIndex ix = {0};
    ix.cap = 64;
    while (ix.cap < 2 * nitems + 2)
        ix.cap *= 2;
    ix.keys = dpl_calloc(ix.cap, sizeof *ix.keys);
    ix.slots = dpl_calloc(ix.cap, sizeof *ix.slots);
    bool ok = true;
    for (size_t s = 0; s < e->nadds && ok; s++)
        for (size_t k = 0; k < e->adds[s].nitems && ok; k++) {
            EItem *ei = &e->adds[s].items[k];
            const DplTarget *t = &ei->it->target;
            uint32_t cur = 0;
            for (size_t i = 0; i < t->nsegs && ok; i++) {
                bool last = i + 1 == t->nsegs, created;
                if (e->layout[cur].leaf) {
                    ok = false; /* writing below a value: the run-time error decides */
                    break;
                }
                cur = layout_child(e, &ix, &cap, cur, t->segs[i], ei->lens[i], &created);
                if (last) {
                    if (!created) {
                        ok = false; /* written twice, or over an object */
                        break;
                    }
                    e->layout[cur].leaf = 1;
                    ei->lnode = cur;
                } else if (e->layout[cur].leaf) {
                    ok = false;
                }
            }
        }
    dpl_free(ix.keys);
    dpl_free(ix.slots);
    uint32_t off = 0;
    for (uint32_t i = 0; i < e->nlayout; i++) {
        e->layout[i].kid_off = off;
        off += e->layout[i].nkids;
    }
    if (!ok) {
        for (uint32_t i = 0; i < e->nlayout; i++)
            dpl_free(e->layout[i].key_json);
        dpl_free(e->layout);
        e->layout = NULL;
        e->nlayout = 0;
    }
}

static void layout_write(DplEngineState *st, DplBuf *out, uint32_t node)
{
    const LNode *ln = st->eng->layout;
    if (ln[node].leaf) {
        ev_write(st, out, &st->lval[node]);
        return;
    }
    eng_put(out, "{", 1);
    for (uint32_t i = 0; i < st->lnborn[node]; i++) {
        uint32_t kid = st->lorder[ln[node].kid_off + i];
        if (i)
            eng_put(out, ",", 1);
        eng_put(out, ln[kid].key_json, ln[kid].key_len);
        layout_write(st, out, kid);
    }
    eng_put(out, "}", 1);
}

/* Marks node and its ancestors as written, in the order first written
 * (recursion as deep as the target has segments). */
static void layout_birth(DplEngineState *st, uint32_t node)
{
    if (node == 0 || st->lborn[node] == st->gen)
        return;
    const LNode *ln = st->eng->layout;
    uint32_t parent = ln[node].parent;
    if (parent != 0 && st->lborn[parent] != st->gen)
        layout_birth(st, parent);
    st->lborn[node] = st->gen;
    st->lnborn[node] = 0;
    st->lorder[ln[parent].kid_off + st->lnborn[parent]++] = node;
}

static bool layout_build(DplEngineState *st, DplBuf *out, DplResult *res)
{
    const DplEngine *eng = st->eng;
    st->lborn[0] = st->gen;
    st->lnborn[0] = 0;
    bool failed = false;
    for (size_t s = 0; s < eng->nadds; s++) {
        const EAdd *a = &eng->adds[s];
        if (a->from)
            st->from = ev_operand(st, a->from);
        for (size_t k = 0; k < a->nitems; k++) {
            const EItem *ei = &a->items[k];
            const DplAddItem *it = ei->it;
            bool run = true;
            if (ei->cond) {
                EVal c = ev_operand(st, ei->cond);
                run = !st->err.set && c.t == V_TRUE;
                if (!st->err.set && c.t != V_MISSING && c.t != V_TRUE && c.t != V_FALSE && c.t != V_NULL) {
                    eng_fail(st, it->cond, DPL_RT_TYPE_ERROR, "`if` needs a boolean, found %s", ev_article(st, &c));
                    eng_blame(st, it->cond, &c);
                }
            }
            if (run) {
                EVal v = ev_operand(st, ei->value);
                if (v.t != V_MISSING && !st->err.set) {
                    ev_copy(&st->lval[ei->lnode], &v);
                    uint32_t ln = ei->lnode;
                    if (st->lborn[ln] != st->gen) {
                        uint32_t parent = eng->layout[ln].parent;
                        if (parent == 0) { /* a top-level attribute: born here */
                            st->lborn[ln] = st->gen;
                            st->lnborn[ln] = 0;
                            st->lorder[eng->layout[0].kid_off + st->lnborn[0]++] = ln;
                        } else {
                            layout_birth(st, ln);
                        }
                    }
                }
            }
            if (st->err.set) {
                eng_collect(st, res, NULL);
                failed = true;
            }
        }
        st->from = MISSING;
    }
    if (failed)
        return false;
    layout_write(st, out, 0);
    out->data[out->len] = '\0';
    return true;
}
