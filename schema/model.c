/* model.c — the attributes a checked program writes (spec §7 step 4, §13):
 * the add blocks walked in execution order, tracking for each attribute
 * the types it may hold at the end and whether every emitted record has it.
 *
 * An item writes for every record when it has no `if` and its value can
 * never be missing (facts.c); such a write replaces what was there, any
 * other write adds its types to what may be there.  A dotted target makes
 * its parents objects (for every record, when the write does: a parent
 * that held anything else would have rejected the record).  `append`
 * makes an array.  `delete` removes a named attribute.  `all` copies fields
 * the program does not name, with values it cannot know: an attribute not
 * surely written yet may then hold anything. */
#include <string.h>

#include "schema/internal.h"

static Attr *attr_new(Model *m, Attr *parent, const char *name, size_t len)
{
    DplArena *a = m->facts.arena;
    Attr *n = dpl_arena_alloc(a, sizeof *n);
    n->name = name;
    n->len = len;
    n->parent = parent;
    if (parent) {
        dpl_vec_push(a, &parent->kids, n);
        dpl__kid_put(&m->index, parent, name, len, n);
        if (parent == m->root && m->all_item) {
            /* `all` may already have copied a field of this name */
            n->types = DPL_T_ANY;
            n->open = true;
            n->items_any = true;
            n->copied = true;
        }
    }
    return n;
}

Attr *dpl__attr_kid(const Attr *a, const char *name, size_t len)
{
    for (size_t i = 0; i < a->kids.len; i++) {
        Attr *k = a->kids.items[i];
        if (!k->gone && k->len == len && memcmp(k->name, name, len) == 0)
            return k;
    }
    return NULL;
}

static Attr *kid(Model *m, Attr *parent, const char *name, size_t len)
{
    Attr *k = dpl__kid_get(&m->index, parent, name, len);
    return k && !k->gone ? k : NULL;
}

static Attr *kid_or_new(Model *m, Attr *parent, const char *name, size_t len)
{
    Attr *k = kid(m, parent, name, len);
    return k ? k : attr_new(m, parent, name, len);
}

static void drop(Attr *a)
{
    a->gone = true;
    for (size_t i = 0; i < a->kids.len; i++)
        drop(a->kids.items[i]);
}

static void add_writer(Model *m, Attr *a, const DplAddItem *it, const DplPath *from)
{
    dpl_vec_push(m->facts.arena, &a->writers, it);
    dpl_vec_push(m->facts.arena, &a->froms, from);
}

/* What the program knows below a may have been replaced by a value it does
 * not know (a copied object, or a field `all` copied): anything. */
static void loosen(Attr *a)
{
    a->types = DPL_T_ANY;
    a->open = true;
    a->present = false;
    a->items_any = true;
    a->nonempty = false;
    a->copied = false;
    for (size_t i = 0; i < a->kids.len; i++)
        loosen(a->kids.items[i]);
}

/* `P -> n` or `P as T -> n` where P is the very field `all` copied to n:
 * the value is missing only when the field is (a null fails the cast, and
 * a plain copy copies the same value), so whatever `all` copied is always
 * replaced. */
static bool replaces_copy(const Model *m, const DplPath *from, const Attr *a, const DplExpr *v)
{
    if (!a->copied || a->parent != m->root || !m->all_base.known)
        return false;
    if (v->kind == DPL_EXPR_CAST)
        v = v->u.cast.operand;
    if (!v || v->kind != DPL_EXPR_PATH)
        return false;
    AbsPath ap = dpl__abs_path(from, &v->u.path);
    const AbsPath *b = &m->all_base;
    if (!ap.known || ap.indexed || ap.n != b->n + 1 || ap.lens[b->n] != a->len ||
        memcmp(ap.names[b->n], a->name, a->len) != 0)
        return false;
    for (size_t i = 0; i < b->n; i++)
        if (ap.lens[i] != b->lens[i] || memcmp(ap.names[i], b->names[i], b->lens[i]) != 0)
            return false;
    return true;
}

/* A write that may replace the whole value with one of types t. */
static void may_replace(Attr *a, DplTypes t)
{
    if (t & DPL_T_OBJECT)
        for (size_t i = 0; i < a->kids.len; i++)
            loosen(a->kids.items[i]); /* a copied object need not have them, or may hold anything there */
}

static void write_item(Model *m, const DplStmt *st, const DplAddItem *it)
{
    const Facts *f = &m->facts;
    const DplPath *from = st->u.add.from;
    const DplTarget *t = &it->target;
    if (t->nsegs == 0 || !it->value)
        return;
    DplTypes v = dpl__value_types(f, from, it->value);
    bool surely = !it->cond && dpl__never_missing(f, from, it->value);
    Attr *cur = m->root;
    for (size_t i = 0; i + 1 < t->nsegs; i++) {
        cur = kid_or_new(m, cur, t->segs[i], strlen(t->segs[i]));
        cur->container = true;
        if (surely) {
            cur->present = true;
            cur->types &= DPL_T_OBJECT;
            cur->appended = false;
        }
    }
    Attr *a = kid_or_new(m, cur, t->segs[t->nsegs - 1], strlen(t->segs[t->nsegs - 1]));
    if (it->modifier == DPL_MOD_APPEND) {
        DplTypes el = (v & ~DPL_T_ARRAY) | ((v & DPL_T_ARRAY) ? dpl__elem_types(f, from, it->value) : 0);
        if (a->types & ~DPL_T_ARRAY)
            a->items |= a->types & ~DPL_T_ARRAY; /* an earlier value becomes the first element */
        a->items |= el;
        a->appended = true;
        if (surely) {
            a->types = DPL_T_ARRAY;
            a->present = true;
        } else {
            a->types |= DPL_T_ARRAY;
        }
        add_writer(m, a, it, from);
        return;
    }
    /* the elements of the arrays the value may be */
    DplTypes et = (v & DPL_T_ARRAY) ? dpl__elem_types(f, from, it->value) : 0;
    bool et_any = (et & DPL_T_ANY) == DPL_T_ANY;
    if (!surely && !it->cond && replaces_copy(m, from, a, it->value)) {
        /* either the field is absent (and so is the copy) or this replaces it */
        for (size_t i = 0; i < a->kids.len; i++)
            drop(a->kids.items[i]);
        a->types = v;
        a->open = (v & DPL_T_OBJECT) != 0;
        a->items_any = (v & DPL_T_ARRAY) != 0;
        a->copied = false;
        a->writers.len = a->froms.len = 0;
    } else if (surely) {
        for (size_t i = 0; i < a->kids.len; i++)
            drop(a->kids.items[i]);
        a->types = v;
        a->container = false;
        a->open = (v & DPL_T_OBJECT) != 0;
        a->appended = false;
        a->items = et_any ? 0 : et;
        a->items_any = et_any;
        a->present = true;
        a->copied = false;
        a->nonempty = dpl__never_empty(f, from, it->value);
        a->writers.len = a->froms.len = 0;
    } else {
        bool ne = dpl__never_empty(f, from, it->value);
        a->nonempty = (a->types == 0 ? true : a->nonempty) && ne;
        may_replace(a, v);
        a->types |= v;
        a->open = a->open || (v & DPL_T_OBJECT);
        a->items |= et_any ? 0 : et;
        a->items_any = a->items_any || et_any;
    }
    add_writer(m, a, it, from);
}

/* `delete path`: the path names output attributes (a leading `data.` is
 * the output root).  Only a path of names removes a known attribute; an
 * index or [*] removes elements or fields of values whose shape the schema
 * does not describe beyond their types, which stay true. */
static void delete_item(Model *m, const DplAddItem *it)
{
    const DplExpr *e = it->value;
    if (!e || e->kind != DPL_EXPR_PATH)
        return;
    const DplPath *p = &e->u.path;
    if (p->root != DPL_ROOT_RELATIVE && p->root != DPL_ROOT_DATA && p->root != DPL_ROOT_METADATA)
        return;
    Attr *cur = m->root;
    for (size_t i = p->root == DPL_ROOT_DATA ? 1 : 0; i < p->nsegs; i++) {
        if (p->segs[i].kind != DPL_SEG_FIELD)
            return;
        cur = kid(m, cur, p->segs[i].name, p->segs[i].name_len);
        if (!cur)
            return;
    }
    if (cur != m->root)
        drop(cur);
}

/* `all`: every field of data (or of the `from` value) not written yet. */
static void all_item(Model *m, const DplStmt *st, const DplAddItem *it)
{
    DplSegment data_seg = {.kind = DPL_SEG_FIELD, .name = "data", .name_len = 4};
    DplPath data = {.root = DPL_ROOT_DATA, .segs = &data_seg, .nsegs = 1};
    AbsPath base = dpl__abs_path(NULL, st->u.add.from ? st->u.add.from : &data);
    if (!m->all_item) {
        m->all_item = it;
        m->all_base = base;
    } else if (m->all_base.known) {
        bool same = base.known && !base.indexed && base.n == m->all_base.n;
        for (size_t i = 0; same && i < base.n; i++)
            same = base.lens[i] == m->all_base.lens[i] &&
                   memcmp(base.names[i], m->all_base.names[i], base.lens[i]) == 0;
        m->all_base.known = same;
    }
    if (base.indexed)
        m->all_base.known = false;
    m->root->open = true;
    for (size_t i = 0; i < m->root->kids.len; i++) {
        Attr *a = m->root->kids.items[i];
        if (!a->gone && !a->present) {
            /* a value written before `all` stops the copy: then it is not only a copy */
            bool unwritten = a->types == 0 && !a->container && !a->appended;
            loosen(a);
            a->copied = unwritten;
        }
    }
}

void dpl__model_build(Model *m, DplArena *arena, DplProgram *prog)
{
    memset(m, 0, sizeof *m);
    dpl__facts_build(&m->facts, arena, prog);
    m->index.arena = arena;
    m->root = attr_new(m, NULL, "data", 4);
    m->root->present = true;
    m->root->container = true;
    for (size_t i = 0; i < prog->nstmts; i++) {
        const DplStmt *st = &prog->stmts[i];
        if (st->kind == DPL_STMT_ENTITY && !m->entity)
            m->entity = st;
        if (st->kind == DPL_STMT_SOURCES && !m->sources)
            m->sources = st;
        if (st->kind != DPL_STMT_ADD)
            continue;
        for (size_t j = 0; j < st->u.add.nitems; j++) {
            const DplAddItem *it = &st->u.add.items[j];
            switch (it->kind) {
            case DPL_ITEM_ALL:
                all_item(m, st, it);
                break;
            case DPL_ITEM_DELETE:
                delete_item(m, it);
                break;
            case DPL_ITEM_VALUE:
                write_item(m, st, it);
                break;
            default:
                break;
            }
        }
    }
}

DplTypes dpl__attr_types(const Attr *a)
{
    DplTypes t = a->types | (a->container ? DPL_T_OBJECT : 0);
    return t ? t : DPL_T_ANY;
}

const DplAddItem *dpl__attr_item(const Attr *a)
{
    if (a->writers.len)
        return a->writers.items[0];
    for (size_t i = 0; i < a->kids.len; i++) {
        const DplAddItem *it = a->kids.items[i]->gone ? NULL : dpl__attr_item(a->kids.items[i]);
        if (it)
            return it;
    }
    return NULL;
}

const char *dpl__attr_path(DplArena *arena, const Attr *a)
{
    DplBuf b = {0};
    const Attr *chain[64];
    size_t n = 0;
    for (const Attr *p = a; p && p->parent && n < 64; p = p->parent)
        chain[n++] = p;
    while (n--) {
        dpl_buf_append(&b, chain[n]->name, chain[n]->len);
        if (n)
            dpl_buf_putc(&b, '.');
    }
    const char *s = dpl_arena_strndup(arena, b.data ? b.data : "", b.len);
    dpl_buf_free(&b);
    return s;
}
