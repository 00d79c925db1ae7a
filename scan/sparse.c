/* sparse.c — the fast path for programs the direct engine cannot take
 * (requirements, conditions, computed values, `all`, indexes, ...): one scan
 * picks out every value the program can read, and a small jansson envelope
 * holding only those values is handed to the tree evaluator.
 *
 * Why the evaluator cannot tell the difference: a program reads a record
 * only through paths (and `all`, and the source path).  Every path is cut
 * at its first index or [*] segment, and the value at the cut is copied
 * whole, so whatever the evaluator walks below it is the real subtree.
 * Above the cuts, objects hold only the members some path names; those
 * objects are never observed whole (that would be a path ending there,
 * which would capture it whole), only walked through by key.  Duplicate
 * keys resolve as in jansson (the scanner keeps the last), and a whole
 * value keeps its own member order because it is parsed from its bytes.
 *
 * The reject line needs the original record, so a record the evaluator
 * rejects is evaluated again on the full parse (run.c); rejects are rare. */
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "scan/internal.h"

struct DplSparse {
    DplScanPlan *plan;
    bool *whole; /* per slot: copy the value whole (a path ends here) */
};

/* ---- building the plan -------------------------------------------------- */

typedef struct {
    const char *names[64];
    size_t lens[64];
    size_t n;
    bool cut; /* an index segment ended the field prefix */
} Prefix;

static void prefix_push_path(Prefix *px, const DplPath *p)
{
    for (size_t i = 0; i < p->nsegs && !px->cut; i++) {
        if (p->segs[i].kind != DPL_SEG_FIELD || px->n == 64) {
            px->cut = true;
            break;
        }
        px->names[px->n] = p->segs[i].name;
        px->lens[px->n++] = p->segs[i].name_len;
    }
}

/* Records that the program reads path p (relative ones from base, or from
 * data when base is NULL): its field prefix is captured whole. */
static void add_path(DplSparse *s, const DplPath *p, const DplPath *base)
{
    Prefix px = {.n = 0};
    if (p->root == DPL_ROOT_RELATIVE) {
        if (base) {
            if (base->root == DPL_ROOT_RELATIVE) {
                px.names[px.n] = "data";
                px.lens[px.n++] = 4;
            }
            prefix_push_path(&px, base);
        } else {
            px.names[px.n] = "data";
            px.lens[px.n++] = 4;
        }
    }
    prefix_push_path(&px, p);
    size_t before = dpl_scan_plan_slots(s->plan);
    size_t slot = dpl_scan_plan_add(s->plan, px.names, px.lens, px.n);
    size_t after = dpl_scan_plan_slots(s->plan);
    if (after != before) {
        s->whole = dpl_realloc(s->whole, after * sizeof *s->whole);
        memset(s->whole + before, 0, (after - before) * sizeof *s->whole);
    }
    s->whole[slot] = true;
}

static void add_expr(DplSparse *s, const DplExpr *e, const DplPath *base)
{
    if (!e)
        return;
    switch (e->kind) {
    case DPL_EXPR_PATH:
        /* 'item.x reads inside an element that its array's path captures whole */
        if (e->u.path.root != DPL_ROOT_ITEM)
            add_path(s, &e->u.path, base);
        break;
    case DPL_EXPR_ARRAY:
        for (size_t i = 0; i < e->u.array.n; i++)
            add_expr(s, e->u.array.items[i], base);
        break;
    case DPL_EXPR_UNARY: add_expr(s, e->u.unary.operand, base); break;
    case DPL_EXPR_BINARY:
        add_expr(s, e->u.binary.lhs, base);
        add_expr(s, e->u.binary.rhs, base);
        break;
    case DPL_EXPR_CALL:
        for (size_t i = 0; i < e->u.call.nargs; i++)
            add_expr(s, e->u.call.args[i], base);
        break;
    case DPL_EXPR_CAST: add_expr(s, e->u.cast.operand, base); break;
    default: break; /* literals and meta attributes ('source is the source path, added below) */
    }
}

DplSparse *dpl_sparse_new(const DplProgram *prog)
{
    DplSparse *s = dpl_calloc(1, sizeof *s);
    s->plan = dpl_scan_plan_new();
    s->whole = dpl_calloc(1, sizeof *s->whole);
    bool has_using = false;
    for (size_t i = 0; i < prog->nstmts; i++) {
        const DplStmt *st = &prog->stmts[i];
        switch (st->kind) {
        case DPL_STMT_ENTITY:
            for (size_t k = 0; k < st->u.entity.nkeys; k++)
                add_expr(s, st->u.entity.keys[k], NULL);
            break;
        case DPL_STMT_SOURCES:
            if (st->u.sources.using_path) {
                add_path(s, st->u.sources.using_path, NULL);
                has_using = true;
            }
            break;
        case DPL_STMT_MANDATORY:
            for (size_t k = 0; k < st->u.mandatory.npaths; k++)
                add_expr(s, st->u.mandatory.paths[k], NULL);
            break;
        case DPL_STMT_REQUIREMENT:
            for (size_t k = 0; k < st->u.requirement.nexprs; k++)
                add_expr(s, st->u.requirement.exprs[k], NULL);
            break;
        case DPL_STMT_WHERE:
            for (size_t k = 0; k < st->u.where.nexprs; k++)
                add_expr(s, st->u.where.exprs[k], NULL);
            break;
        case DPL_STMT_ADD: {
            const DplPath *from = st->u.add.from;
            if (from)
                add_path(s, from, NULL);
            for (size_t k = 0; k < st->u.add.nitems; k++) {
                const DplAddItem *it = &st->u.add.items[k];
                if (it->kind == DPL_ITEM_ALL) {
                    /* every field of the base: the base whole */
                    if (from) {
                        add_path(s, from, NULL);
                    } else {
                        DplSegment seg = {.kind = DPL_SEG_FIELD, .name = "data", .name_len = 4};
                        DplPath data = {.root = DPL_ROOT_DATA, .segs = &seg, .nsegs = 1};
                        add_path(s, &data, NULL);
                    }
                } else if (it->kind == DPL_ITEM_VALUE) {
                    /* (delete names an output attribute: it reads nothing) */
                    add_expr(s, it->value, from);
                    add_expr(s, it->cond, from);
                }
            }
            break;
        }
        }
    }
    if (!has_using) {
        /* the source filter, the entity's "source" and 'source */
        DplSegment segs[2] = {{.kind = DPL_SEG_FIELD, .name = "metadata", .name_len = 8},
                              {.kind = DPL_SEG_FIELD, .name = "source", .name_len = 6}};
        DplPath src = {.root = DPL_ROOT_METADATA, .segs = segs, .nsegs = 2};
        add_path(s, &src, NULL);
    }
    dpl_scan_plan_freeze(s->plan);
    return s;
}

void dpl_sparse_free(DplSparse *s)
{
    if (!s)
        return;
    dpl_scan_plan_free(s->plan);
    dpl_free(s->whole);
    dpl_free(s);
}

size_t dpl_sparse_slots(const DplSparse *s) { return dpl_scan_plan_slots(s->plan); }

/* ---- one record -------------------------------------------------------- */

/* The jansson value of a scanned span (a new reference). */
static json_t *value_of(const char *line, const DplScanValue *v)
{
    const char *p = line + v->start;
    switch (v->type) {
    case DPL_SV_NULL: return json_null();
    case DPL_SV_TRUE: return json_true();
    case DPL_SV_FALSE: return json_false();
    case DPL_SV_STRING:
        if (!(v->flags & DPL_SV_ESCAPED))
            return json_stringn_nocheck(p + 1, v->len - 2); /* UTF-8 checked by the scan */
        break;
    case DPL_SV_INT:
        if (v->len < 21) {
            char buf[24];
            memcpy(buf, p, v->len);
            buf[v->len] = '\0';
            return json_integer(strtoll(buf, NULL, 10)); /* in range: checked by the scan */
        }
        break;
    default: break;
    }
    return json_loadb(p, v->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
}

static json_t *build(const DplSparse *s, const char *line, const DplScanValue *vals, uint32_t slot)
{
    const DplScanValue *v = &vals[slot];
    if (v->type == DPL_SV_MISSING)
        return NULL;
    if (s->whole[slot])
        return value_of(line, v);
    if (v->type != DPL_SV_OBJECT)
        return NULL; /* only walked through: below a non-object every path is missing */
    const DplScanPlan *plan = s->plan;
    const DplPlanNode *n = &plan->nodes[slot];
    json_t *obj = json_object();
    for (uint32_t k = 0; k < n->nkids; k++) {
        uint32_t kid = plan->kids[n->kid_begin + k];
        json_t *child = build(s, line, vals, kid);
        if (child)
            json_object_setn_new_nocheck(obj, plan->nodes[kid].name, plan->nodes[kid].len, child);
    }
    return obj;
}

json_t *dpl_sparse_record(const DplSparse *s, DplScanValue *vals, const char *line, size_t len)
{
    if (!dpl_scan(s->plan, line, len, vals) || vals[0].type != DPL_SV_OBJECT)
        return NULL;
    return build(s, line, vals, 0);
}
