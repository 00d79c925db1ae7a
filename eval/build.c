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
        dpl__eval_fail(c, at, DPL_RT_TYPE_ERROR, "cannot write `%s`: `%s` already holds %s", target, key,
                       dpl__type_article(child));
        return NULL;
    }
    if (child->refcount > 1) {
        child = json_copy(child);
        json_object_set_new_nocheck(obj, key, child);
    }
    return child;
}

static bool contains_equal(json_t *arr, json_t *v)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) {
        if (dpl_json_equal(x, v))
            return true;
    }
    return false;
}

/* append: the target becomes an array (an earlier scalar becomes its first
 * element) and each new value is added once, in order. */
static void append_to(json_t *obj, const char *key, json_t *value)
{
    json_t *old = json_object_get(obj, key);
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
        size_t i;
        json_t *x;
        json_array_foreach(value, i, x) {
            if (!contains_equal(arr, x))
                json_array_append(arr, x);
        }
    } else if (!contains_equal(arr, value)) {
        json_array_append(arr, value);
    }
    json_object_set_new_nocheck(obj, key, arr);
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

/* `delete path`: removes an attribute of the entity being built.  The path
 * names output attributes, so a leading `data.` is the output root. */
static void delete_path(json_t *data, const DplPath *p)
{
    size_t i = p->root == DPL_ROOT_DATA ? 1 : 0;
    json_t *v = data;
    for (; i < p->nsegs; i++) {
        const DplSegment *s = &p->segs[i];
        bool last = i + 1 == p->nsegs;
        json_t *next = NULL;
        if (s->kind == DPL_SEG_FIELD && json_is_object(v)) {
            if (last) {
                json_object_deln(v, s->name, s->name_len);
                return;
            }
            next = json_object_getn(v, s->name, s->name_len);
            if (next && next->refcount > 1 && (json_is_object(next) || json_is_array(next))) {
                next = json_copy(next);
                json_object_setn_new_nocheck(v, s->name, s->name_len, next);
            }
        } else if (s->kind == DPL_SEG_INDEX && json_is_array(v)) {
            int64_t k = s->index < 0 ? (int64_t)json_array_size(v) + s->index : s->index;
            if (k < 0 || (size_t)k >= json_array_size(v))
                return;
            if (last) {
                json_array_remove(v, (size_t)k);
                return;
            }
            next = json_array_get(v, (size_t)k);
            if (next && next->refcount > 1 && (json_is_object(next) || json_is_array(next))) {
                next = json_copy(next);
                json_array_set_new(v, (size_t)k, next);
            }
        }
        if (!next)
            return; /* nothing there: deleting it is a no-op */
        v = next;
    }
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
            dpl__eval_fail(c, it->cond, DPL_RT_TYPE_ERROR, "`if` needs a boolean, found %s", dpl__type_article(cv));
        json_decref(cv);
        if (!run)
            return;
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
            case DPL_ITEM_ALL: copy_all(c, data); break;
            case DPL_ITEM_DELETE: delete_path(data, &it->value->u.path); break;
            case DPL_ITEM_VALUE: run_item(c, it, data); break;
            }
            if (c->err.set) {
                dpl_result_add_error(out, c->err.code, NULL, &c->err_span, "%s", c->err.message);
                c->err.set = false;
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
