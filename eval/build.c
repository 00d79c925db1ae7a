/* build.c — phase 4 of spec §7: runs the add blocks in source order and
 * builds the entity's data object.
 *
 * The output shares subtrees with the input record (a copied object is one
 * refcount, not a deep copy), so every write below an existing container
 * first makes that container private (copy on write when its refcount says
 * someone else holds it).  The input record is never modified. */
#include "eval/internal.h"

/* The child container at key, made private to obj so it can be written;
 * created as an object when absent.  NULL (with an error) when the key holds
 * a scalar that a dotted target would have to write through. */
static json_t *writable_child(EvalCtx *c, const DplExpr *at, json_t *obj, const char *key, const char *target)
{
    json_t *child = json_object_get(obj, key);
    if (!child) {
        child = json_object();
        json_object_set_new_nocheck(obj, key, child);
        return child;
    }
    if (!json_is_object(child)) {
        if (dpl__eval_fail(c, at, DPL_RT_TYPE_ERROR, "cannot write `%s`: `%s` already holds %s", target, key,
                           dpl_value_article(child)))
            dpl__eval_blame(c, NULL, child);
        return NULL;
    }
    if (child->refcount > 1) {
        child = json_copy(child);
        json_object_set_new_nocheck(obj, key, child);
    }
    return child;
}

/* ---- append: set semantics ------------------------------------------------------ */

/* Appends each value not already in arr, in order (json/valueset.c: O(n + m)
 * for n values added to m elements). */
static void append_new(json_t *arr, json_t *const *vals, size_t n)
{
    DplJsonSet s;
    dpl_json_set_init(&s, arr);
    for (size_t i = 0; i < n; i++)
        dpl_json_set_add(&s, vals[i]);
    dpl_json_set_free(&s);
}

/* append: the target becomes an array (an earlier scalar becomes its first
 * element) and each new value is added once, in order. */
json_t *dpl_eval_append_value(json_t *old, json_t *value)
{
    json_t *arr;
    if (!old) {
        arr = json_array();
    } else if (json_is_array(old)) {
        arr = old->refcount > 1 ? json_copy(old) : json_incref(old);
    } else {
        arr = json_array();
        json_array_append(arr, old);
    }
    if (json_is_array(value)) {
        size_t n = json_array_size(value);
        json_t **vals = dpl_malloc((n ? n : 1) * sizeof *vals);
        for (size_t i = 0; i < n; i++)
            vals[i] = json_array_get(value, i);
        append_new(arr, vals, n);
        dpl_free(vals);
    } else {
        append_new(arr, &value, 1);
    }
    return arr;
}

static void append_to(json_t *obj, const char *key, json_t *value)
{
    json_object_set_new_nocheck(obj, key, dpl_eval_append_value(json_object_get(obj, key), value));
}

static void target_text(DplBuf *b, const DplTarget *t)
{
    for (size_t i = 0; i < t->nsegs; i++) {
        if (i)
            dpl_buf_putc(b, '.');
        dpl_buf_puts(b, t->segs[i]);
    }
}

static void write_target(EvalCtx *c, const DplAddItem *it, json_t *data, json_t *value)
{
    const DplTarget *t = &it->target;
    json_t *obj = data;
    for (size_t i = 0; i + 1 < t->nsegs; i++) {
        const char *key = t->segs[i];
        json_t *child = json_object_get(obj, key);
        if (!child || !json_is_object(child) || child->refcount > 1) {
            DplBuf name = {0};
            target_text(&name, t);
            child = writable_child(c, it->value, obj, key, name.data);
            dpl_buf_free(&name);
            if (!child)
                return;
        }
        obj = child;
    }
    if (t->nsegs == 0)
        return;
    const char *key = t->segs[t->nsegs - 1];
    if (it->modifier == DPL_MOD_APPEND)
        append_to(obj, key, value);
    else
        json_object_set_nocheck(obj, key, value);
}

/* `all`: every top-level field of the base, in input order.  Attributes an
 * explicit item already wrote are kept (a rename written before `all` must
 * not be undone by the copy); later items replace what `all` copied. */
static void copy_all(EvalCtx *c, json_t *data)
{
    if (!json_is_object(c->base))
        return;
    for (void *it = json_object_iter(c->base); it; it = json_object_iter_next(c->base, it)) {
        const char *key = json_object_iter_key(it);
        size_t len = json_object_iter_key_len(it);
        if (!json_object_getn(data, key, len))
            json_object_setn_nocheck(data, key, len, json_object_iter_value(it));
    }
}

/* The container held at v[key] / v[k], made private to v (copied when
 * someone else holds it), or NULL when it is not a container. */
static json_t *private_field(json_t *v, const char *name, size_t len)
{
    json_t *next = json_object_getn(v, name, len);
    if (!next || !(json_is_object(next) || json_is_array(next)))
        return NULL;
    if (next->refcount > 1) {
        next = json_copy(next);
        json_object_setn_new_nocheck(v, name, len, next);
    }
    return next;
}

static json_t *private_elem(json_t *v, size_t k)
{
    json_t *next = json_array_get(v, k);
    if (!next || !(json_is_object(next) || json_is_array(next)))
        return NULL;
    if (next->refcount > 1) {
        next = json_copy(next);
        json_array_set_new(v, k, next);
    }
    return next;
}

/* Removes what segs[i..n) names below the private container v.  `[*]`
 * applies the rest of the path to every element (`delete itens[*].cpf`
 * drops cpf from each item; `delete itens[*]` empties the array). */
static void delete_below(json_t *v, const DplSegment *segs, size_t i, size_t n)
{
    const DplSegment *s = &segs[i];
    bool last = i + 1 == n;
    json_t *next = NULL;
    switch (s->kind) {
    case DPL_SEG_FIELD:
        if (!json_is_object(v))
            return;
        if (last) {
            json_object_deln(v, s->name, s->name_len);
            return;
        }
        next = private_field(v, s->name, s->name_len);
        break;
    case DPL_SEG_INDEX: {
        if (!json_is_array(v))
            return;
        int64_t k = s->index < 0 ? (int64_t)json_array_size(v) + s->index : s->index;
        if (k < 0 || (size_t)k >= json_array_size(v))
            return;
        if (last) {
            json_array_remove(v, (size_t)k);
            return;
        }
        next = private_elem(v, (size_t)k);
        break;
    }
    case DPL_SEG_STAR:
        if (!json_is_array(v))
            return;
        if (last) {
            json_array_clear(v);
            return;
        }
        for (size_t k = 0; k < json_array_size(v); k++) {
            json_t *elem = private_elem(v, k);
            if (elem)
                delete_below(elem, segs, i + 1, n);
        }
        return;
    }
    if (next) /* else nothing there: deleting it is a no-op */
        delete_below(next, segs, i + 1, n);
}

/* `delete path`: removes an attribute of the entity being built.  The path
 * names output attributes, so a leading `data.` is the output root. */
void dpl_eval_delete_below(json_t *v, const DplPath *p, size_t from)
{
    if (from < p->nsegs)
        delete_below(v, p->segs, from, p->nsegs);
}

static void delete_path(json_t *data, const DplPath *p)
{
    size_t i = p->root == DPL_ROOT_DATA ? 1 : 0;
    if (i < p->nsegs)
        delete_below(data, p->segs, i, p->nsegs);
}

/* Runs one value item; errors stay in c->err for the caller to collect. */
static void run_item(EvalCtx *c, const DplAddItem *it, json_t *data)
{
    if (it->cond) {
        json_t *cv = dpl__eval(c, it->cond);
        if (c->err.set)
            return;
        /* missing and null mean "not true": the item does not run */
        bool run = json_is_true(cv);
        if (cv && !json_is_boolean(cv) && !json_is_null(cv))
            if (dpl__eval_fail(c, it->cond, DPL_RT_TYPE_ERROR, "`if` needs a boolean, found %s", dpl_value_article(cv)))
                dpl__eval_blame(c, it->cond, cv);
        json_decref(cv);
        DPL__COVER(c->ev, it, run);
        if (!run)
            return;
    } else {
        DPL__COVER(c->ev, it, true);
    }
    json_t *v = dpl__eval(c, it->value);
    if (v) {
        write_target(c, it, data, v);
        json_decref(v);
    }
}

json_t *dpl__eval_build(EvalCtx *c, DplResult *out)
{
    const DplEvaluator *ev = c->ev;
    json_t *data = json_object();
    json_t *data_root = c->base;
    bool failed = false;
    for (size_t s = 0; s < ev->nadds; s++) {
        const DplStmt *st = ev->adds[s];
        json_t *from = NULL;
        if (st->u.add.from) {
            c->base = data_root;
            from = dpl__eval_path(c, st->u.add.from);
            c->base = from;
        }
        for (size_t k = 0; k < st->u.add.nitems; k++) {
            const DplAddItem *it = &st->u.add.items[k];
            switch (it->kind) {
            case DPL_ITEM_ALL:
                DPL__COVER(ev, it, true);
                copy_all(c, data);
                break;
            case DPL_ITEM_DELETE:
                DPL__COVER(ev, it, true);
                delete_path(data, &it->value->u.path);
                break;
            case DPL_ITEM_VALUE: run_item(c, it, data); break;
            }
            if (c->err.set) {
                dpl__eval_collect(c, out, NULL);
                failed = true;
            }
        }
        json_decref(from);
        c->base = data_root;
    }
    if (failed) {
        json_decref(data);
        return NULL;
    }
    return data;
}
