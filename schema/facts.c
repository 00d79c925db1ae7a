/* facts.c — what every accepted record is known to have (spec §13), proved
 * from the rules a record must pass to be emitted:
 *
 *   - the source filter: the source field is one of the `sources` names;
 *   - `mandatory`: present, not null, not "";
 *   - entity keys: each evaluates to a value that is not missing or null;
 *   - requirements and `where` (v1.1): each evaluates to true;
 *   - every expression the record runs through (keys, requirements, the add
 *     items that run for every record) evaluates without a runtime error,
 *     so an operand that would have been a type_error or cast_failed has one
 *     of the types the operator accepts.
 *
 * The walk is deliberately conservative: a rule is used only when the
 * evaluator (eval/expr.c, eval/ops.c, the stdlib) rejects the record
 * otherwise, for every record.  Anything lazy (the right side of `??`,
 * `and`, `or`; functions that choose which arguments to evaluate), anything
 * relative to a map/filter element, and any function not listed below
 * proves nothing. */
#include <string.h>

#include "schema/internal.h"

/* ---- paths ---------------------------------------------------------------- */

static void push(AbsPath *ap, const DplSegment *s, const char *name, size_t len)
{
    if (ap->n == sizeof ap->names / sizeof ap->names[0]) {
        ap->known = false;
        return;
    }
    ap->segs[ap->n] = s;
    ap->names[ap->n] = name;
    ap->lens[ap->n] = len;
    ap->n++;
}

AbsPath dpl__abs_path(const DplPath *from, const DplPath *p)
{
    AbsPath ap = {.known = true};
    if (p->root == DPL_ROOT_RELATIVE) {
        if (from) {
            ap = dpl__abs_path(NULL, from);
            if (ap.indexed) /* relative to an array element: not followed */
                ap.known = false;
        } else {
            push(&ap, NULL, "data", 4);
        }
    } else if (p->root != DPL_ROOT_DATA && p->root != DPL_ROOT_METADATA) {
        ap.known = false; /* relative to a map/filter element (v1.1) */
    }
    for (size_t i = 0; i < p->nsegs && ap.known; i++) {
        const DplSegment *s = &p->segs[i];
        if (s->kind == DPL_SEG_STAR)
            ap.star = true;
        if (s->kind != DPL_SEG_FIELD)
            ap.indexed = true;
        else if (!ap.indexed)
            push(&ap, s, s->name, s->name_len);
    }
    return ap;
}

/* ---- the fact tree ------------------------------------------------------------ */

static FactNode *node_new(Facts *f, FactNode *parent, const char *name, size_t len)
{
    FactNode *n = dpl_arena_alloc(f->arena, sizeof *n);
    n->name = name;
    n->len = len;
    n->parent = parent;
    n->types = DPL_T_ANY;
    if (parent) {
        dpl_vec_push(f->arena, &parent->kids, n);
        dpl__kid_put(&f->index, parent, name, len, n);
    }
    return n;
}

/* The node of the first n fields of ap, created when absent. */
static FactNode *node_at(Facts *f, const AbsPath *ap, size_t n)
{
    FactNode *cur = f->root;
    for (size_t i = 0; i < n; i++) {
        FactNode *next = dpl__kid_get(&f->index, cur, ap->names[i], ap->lens[i]);
        cur = next ? next : node_new(f, cur, ap->names[i], ap->lens[i]);
    }
    return cur;
}

const FactNode *dpl__facts_find(const Facts *f, const AbsPath *ap)
{
    if (!ap->known)
        return NULL;
    const FactNode *cur = f->root;
    for (size_t i = 0; i < ap->n && cur; i++)
        cur = dpl__kid_get(&f->index, cur, ap->names[i], ap->lens[i]);
    return cur;
}

static void because(FactNode *n, DplSpan why, const char *what)
{
    if (!n->has_why) {
        n->has_why = true;
        n->why = why;
        n->why_what = what;
    }
}

/* Why a fact holds, passed down the walk. */
typedef struct {
    Facts *f;
    const DplPath *from; /* the `add from` path of the items, or NULL */
    DplSpan why;
    const char *what;
} Walk;

/* The value at ap is present (and not null when nonnull), of one of types.
 * Every field above it is then an object, and a field followed by an index
 * or [*] an array. */
static void fact_present(Walk *w, const AbsPath *ap, bool nonnull, DplTypes types)
{
    if (!ap->known || ap->n < 1)
        return;
    for (size_t i = 1; i <= ap->n; i++) {
        FactNode *n = node_at(w->f, ap, i);
        bool last = i == ap->n;
        n->present = true;
        if (last || ap->indexed)
            because(n, w->why, w->what);
        if (!last) {
            n->nonnull = true;
            n->types &= DPL_T_OBJECT;
        } else if (ap->indexed) {
            n->nonnull = true;
            n->types &= DPL_T_ARRAY;
        } else {
            n->nonnull = n->nonnull || nonnull;
            n->types &= types | (nonnull ? 0 : DPL_T_NULL);
        }
    }
}

/* When the value at ap is present, it has one of types. */
static void fact_types(Walk *w, const AbsPath *ap, DplTypes types)
{
    if (!ap->known || ap->indexed || ap->n < 1)
        return;
    FactNode *n = node_at(w->f, ap, ap->n);
    n->types &= types;
    because(n, w->why, w->what);
}

/* ---- builtins the walk understands ---------------------------------------------- */

/* The v1 builtins that evaluate every argument, yield missing for a missing
 * or null argument, and reject any other argument of a type they do not
 * take (strings.c, numbers.c).  `total`: they then always yield a value. */
static const struct {
    const char *name;
    bool total;
} strict_fns[] = {
    {"len", true},
    {"sum", true},
    {"min", false},
    {"max", false},
    {"avg", false},
    {"lower", true},
    {"upper", true},
    {"trim", true},
    {"digits", true},
    {"replace", true},
    {"split", true},
    {"join", true},
    {"substr", true},
    {"contains", true},
    {"starts_with", true},
    {"ends_with", true},
    {"matches", true},
    {"round", true},
    {"abs", true},
    {"sha256", true},
    /* v1.1 (spec §12.3, §12.6): a bad argument is type_error or cast_failed */
    {"type", true},
    {"extract", false},
    {"parse_number", true},
    {"parse_time", true},
    {"format_time", true},
    {"keys", true},
    {"unique", true},
};

static const DplBuiltin *strict_fn(const DplExpr *e, bool *total)
{
    const DplBuiltin *fn = e->u.call.fn;
    if (!fn || fn->sees_missing)
        return NULL;
    for (size_t i = 0; i < sizeof strict_fns / sizeof strict_fns[0]; i++)
        if (strcmp(fn->name, strict_fns[i].name) == 0) {
            if (total)
                *total = strict_fns[i].total;
            return fn;
        }
    return NULL;
}

static DplTypes param_types(const DplBuiltin *fn, size_t i)
{
    DplTypes t = i < DPL_MAX_FIXED_ARGS ? fn->params[i] : fn->rest;
    return t ? t : DPL_T_ANY;
}

static bool is_literal(const DplExpr *e)
{
    if (!e)
        return false;
    switch (e->kind) {
    case DPL_EXPR_NULL:
    case DPL_EXPR_BOOL:
    case DPL_EXPR_INT:
    case DPL_EXPR_REAL:
    case DPL_EXPR_STRING:
        return true;
    case DPL_EXPR_UNARY: /* -1 */
        return e->u.unary.op == DPL_OP_NEG && e->u.unary.operand &&
               (e->u.unary.operand->kind == DPL_EXPR_INT || e->u.unary.operand->kind == DPL_EXPR_REAL);
    default:
        return false;
    }
}

/* The type of a literal (numbers as DPL_T_NUMBER: 1 == 1.0). */
static DplTypes literal_type(const DplExpr *e)
{
    switch (e->kind) {
    case DPL_EXPR_NULL:
        return DPL_T_NULL;
    case DPL_EXPR_BOOL:
        return DPL_T_BOOL;
    case DPL_EXPR_STRING:
        return DPL_T_STRING;
    default:
        return DPL_T_NUMBER;
    }
}

/* What a cast accepts without cast_failed (eval/ops.c). */
static DplTypes cast_accepts(DplCastType t)
{
    switch (t) {
    case DPL_CAST_INT:
    case DPL_CAST_FLOAT:
        return DPL_T_NUMBER | DPL_T_STRING;
    case DPL_CAST_STRING:
        return DPL_T_NUMBER | DPL_T_STRING | DPL_T_BOOL;
    case DPL_CAST_BOOL:
        return DPL_T_BOOL | DPL_T_STRING;
    default:
        return DPL_T_ANY;
    }
}

/* The operand types of a binary operator that do not reject the record
 * when both operands are present and not null; other is the other operand. */
static DplTypes operand_types(DplOp op, const DplExpr *other)
{
    DplTypes lit = is_literal(other) ? literal_type(other) : 0;
    switch (op) {
    case DPL_OP_LT:
    case DPL_OP_LE:
    case DPL_OP_GT:
    case DPL_OP_GE:
    case DPL_OP_ADD:
        if (lit == DPL_T_NUMBER || lit == DPL_T_STRING)
            return lit;
        return DPL_T_NUMBER | DPL_T_STRING;
    case DPL_OP_SUB:
    case DPL_OP_MUL:
    case DPL_OP_DIV:
        return DPL_T_NUMBER;
    case DPL_OP_MOD:
        return DPL_T_INT;
    default:
        return DPL_T_ANY;
    }
}

/* ---- the walk ------------------------------------------------------------------ */

static void d_ok(Walk *w, const DplExpr *e);

/* e is a path: when present, its value has one of types. */
static void d_type(Walk *w, const DplExpr *e, DplTypes types)
{
    if (e && e->kind == DPL_EXPR_PATH) {
        AbsPath ap = dpl__abs_path(w->from, &e->u.path);
        fact_types(w, &ap, types);
    }
}

/* e is a path that is present (maybe null). */
static void d_present(Walk *w, const DplExpr *e)
{
    if (e && e->kind == DPL_EXPR_PATH) {
        AbsPath ap = dpl__abs_path(w->from, &e->u.path);
        fact_present(w, &ap, false, DPL_T_ANY);
    }
}

/* e evaluates without a runtime error. */
static void d_ok(Walk *w, const DplExpr *e)
{
    if (!e)
        return;
    switch (e->kind) {
    case DPL_EXPR_ARRAY:
        for (size_t i = 0; i < e->u.array.n; i++)
            d_ok(w, e->u.array.items[i]);
        break;
    case DPL_EXPR_UNARY:
        d_ok(w, e->u.unary.operand);
        d_type(w, e->u.unary.operand, (e->u.unary.op == DPL_OP_NOT ? DPL_T_BOOL : DPL_T_NUMBER) | DPL_T_NULL);
        break;
    case DPL_EXPR_BINARY: {
        const DplExpr *l = e->u.binary.lhs, *r = e->u.binary.rhs;
        DplOp op = e->u.binary.op;
        d_ok(w, l); /* the left operand is always evaluated */
        if (op == DPL_OP_COALESCE)
            break;
        if (op == DPL_OP_AND || op == DPL_OP_OR) {
            d_type(w, l, DPL_T_BOOL | DPL_T_NULL);
            break;
        }
        d_ok(w, r);
        /* a type mismatch only counts when the other operand is surely there */
        if (is_literal(r) && r->kind != DPL_EXPR_NULL)
            d_type(w, l, operand_types(op, r) | DPL_T_NULL);
        if (is_literal(l) && l->kind != DPL_EXPR_NULL)
            d_type(w, r, operand_types(op, l) | DPL_T_NULL);
        break;
    }
    case DPL_EXPR_CALL: {
        const DplBuiltin *fn = e->u.call.fn;
        if (fn && fn->sees_missing && strcmp(fn->name, "concat") == 0) {
            for (size_t i = 0; i < e->u.call.nargs; i++) {
                d_ok(w, e->u.call.args[i]);
                d_type(w, e->u.call.args[i], param_types(fn, i) | DPL_T_NULL);
            }
            break;
        }
        if (fn && fn->sees_missing && strcmp(fn->name, "coalesce") == 0) {
            for (size_t i = 0; i < e->u.call.nargs; i++)
                d_ok(w, e->u.call.args[i]);
            break;
        }
        if (fn && (strcmp(fn->name, "map") == 0 || strcmp(fn->name, "filter") == 0) && e->u.call.nargs == 2) {
            /* the array is read here; the second argument per element, relative to it */
            d_ok(w, e->u.call.args[0]);
            d_type(w, e->u.call.args[0], DPL_T_ARRAY | DPL_T_NULL);
            break;
        }
        if (!strict_fn(e, NULL))
            break;
        for (size_t i = 0; i < e->u.call.nargs; i++)
            d_ok(w, e->u.call.args[i]);
        /* the function runs (and checks argument i) when the others are there */
        for (size_t i = 0; i < e->u.call.nargs; i++) {
            bool others = true;
            for (size_t j = 0; j < e->u.call.nargs; j++)
                others = others && (j == i || is_literal(e->u.call.args[j]));
            if (others)
                d_type(w, e->u.call.args[i], param_types(fn, i) | DPL_T_NULL);
        }
        break;
    }
    case DPL_EXPR_CAST:
        d_ok(w, e->u.cast.operand);
        d_type(w, e->u.cast.operand, cast_accepts(e->u.cast.type)); /* null: cast_failed */
        break;
    default:
        break;
    }
}

/* e evaluates (without error) to a value that is not missing or null, of
 * one of types. */
static void d_value(Walk *w, const DplExpr *e, DplTypes types)
{
    if (!e)
        return;
    d_ok(w, e);
    switch (e->kind) {
    case DPL_EXPR_PATH: {
        AbsPath ap = dpl__abs_path(w->from, &e->u.path);
        fact_present(w, &ap, true, types & ~DPL_T_NULL);
        break;
    }
    case DPL_EXPR_CAST:
        d_value(w, e->u.cast.operand, cast_accepts(e->u.cast.type));
        break;
    case DPL_EXPR_UNARY:
        d_value(w, e->u.unary.operand, e->u.unary.op == DPL_OP_NOT ? DPL_T_BOOL : DPL_T_NUMBER);
        break;
    case DPL_EXPR_BINARY: {
        DplOp op = e->u.binary.op;
        const DplExpr *l = e->u.binary.lhs, *r = e->u.binary.rhs;
        if (op == DPL_OP_EQ || op == DPL_OP_NE) {
            d_present(w, l); /* missing gives missing; null compares */
            d_present(w, r);
        } else if (op != DPL_OP_COALESCE && op != DPL_OP_AND && op != DPL_OP_OR) {
            d_value(w, l, operand_types(op, r));
            d_value(w, r, operand_types(op, l));
        }
        break;
    }
    case DPL_EXPR_CALL: {
        const DplBuiltin *fn = strict_fn(e, NULL);
        const char *name = e->u.call.fn ? e->u.call.fn->name : "";
        if ((strcmp(name, "map") == 0 || strcmp(name, "filter") == 0) && e->u.call.nargs == 2) {
            d_value(w, e->u.call.args[0], DPL_T_ARRAY); /* missing or null array: missing */
            break;
        }
        if (!fn)
            break;
        for (size_t i = 0; i < e->u.call.nargs; i++) {
            DplTypes t = param_types(fn, i);
            if (t & DPL_T_NULL)
                d_present(w, e->u.call.args[i]); /* contains(arr, null) looks for null */
            else
                d_value(w, e->u.call.args[i], t);
        }
        break;
    }
    default:
        break;
    }
}

static void d_true(Walk *w, const DplExpr *e);

/* Adds to into what holds in both a and b: present where both say so, the
 * types either allows where both constrain the field. */
static void meet(Facts *f, FactNode *into, const FactNode *a, const FactNode *b, DplSpan why,
                 const char *what)
{
    for (size_t i = 0; i < a->kids.len; i++) {
        const FactNode *ka = a->kids.items[i];
        const FactNode *kb = dpl__kid_get(&f->index, b, ka->name, ka->len);
        if (!kb)
            continue;
        FactNode *k = dpl__kid_get(&f->index, into, ka->name, ka->len);
        if (!k)
            k = node_new(f, into, ka->name, ka->len);
        DplTypes t = (ka->types & (ka->nonnull ? ~DPL_T_NULL : DPL_T_ANY)) |
                     (kb->types & (kb->nonnull ? ~DPL_T_NULL : DPL_T_ANY));
        k->types &= t;
        if (ka->present && kb->present) {
            k->present = true;
            k->nonnull = k->nonnull || (ka->nonnull && kb->nonnull);
        }
        if (!ka->kids.len && (t != DPL_T_ANY || (ka->present && kb->present)))
            because(k, why, what);
        meet(f, k, ka, kb, why, what);
    }
}

/* `l or r` is true: l is true, or r is.  What both prove holds. */
static void either_true(Walk *w, const DplExpr *l, const DplExpr *r)
{
    Facts *f = w->f;
    FactNode *ra = node_new(f, NULL, "", 0), *rb = node_new(f, NULL, "", 0);
    FactNode *root = f->root;
    Walk wa = *w;
    f->root = ra;
    d_true(&wa, l);
    f->root = rb;
    d_true(&wa, r);
    f->root = root;
    meet(f, root, ra, rb, w->why, w->what);
}

/* e evaluates to true. */
static void d_true(Walk *w, const DplExpr *e)
{
    if (!e)
        return;
    d_ok(w, e);
    switch (e->kind) {
    case DPL_EXPR_PATH:
        d_value(w, e, DPL_T_BOOL);
        break;
    case DPL_EXPR_BINARY: {
        const DplExpr *l = e->u.binary.lhs, *r = e->u.binary.rhs;
        switch (e->u.binary.op) {
        case DPL_OP_AND:
            d_true(w, l);
            d_true(w, r);
            break;
        case DPL_OP_EQ: {
            /* x == "lit": x is there, and of the literal's type */
            const DplExpr *lit = is_literal(r) ? r : is_literal(l) ? l : NULL;
            const DplExpr *other = lit == r ? l : r;
            if (lit && other->kind == DPL_EXPR_PATH) {
                AbsPath ap = dpl__abs_path(w->from, &other->u.path);
                DplTypes t = literal_type(lit);
                fact_present(w, &ap, t != DPL_T_NULL, t);
            } else {
                d_present(w, l);
                d_present(w, r);
            }
            break;
        }
        case DPL_OP_OR:
            either_true(w, l, r);
            break;
        case DPL_OP_COALESCE:
            break; /* either side may have made it true */
        default:
            d_value(w, e, DPL_T_BOOL);
            break;
        }
        break;
    }
    case DPL_EXPR_CALL:
        if (e->u.call.fn && strcmp(e->u.call.fn->name, "exists") == 0 && e->u.call.nargs == 1)
            d_present(w, e->u.call.args[0]);
        else
            d_value(w, e, DPL_T_BOOL);
        break;
    case DPL_EXPR_UNARY:
    case DPL_EXPR_CAST:
        d_value(w, e, DPL_T_BOOL);
        break;
    default:
        break;
    }
}

/* ---- the rules ------------------------------------------------------------------------ */

static void source_fact(Facts *f, const DplStmt *s)
{
    const DplPath *using = s->u.sources.using_path;
    DplSegment meta[2] = {{.kind = DPL_SEG_FIELD, .name = "metadata", .name_len = 8},
                          {.kind = DPL_SEG_FIELD, .name = "source", .name_len = 6}};
    DplPath dflt = {.root = DPL_ROOT_METADATA, .segs = meta, .nsegs = 2};
    AbsPath ap = dpl__abs_path(NULL, using ? using : &dflt);
    Walk w = {f, NULL, s->span, "the `sources` filter"};
    fact_present(&w, &ap, true, DPL_T_STRING);
    if (!ap.known || ap.indexed || ap.n < 1)
        return;
    FactNode *n = node_at(f, &ap, ap.n);
    n->enum_names = s->u.sources.names;
    n->enum_lens = s->u.sources.name_lens;
    n->nenum = s->u.sources.nnames;
    n->why = s->span;
    n->why_what = "the `sources` filter";
}

static void add_facts(Facts *f, const DplStmt *s)
{
    Walk w = {f, s->u.add.from, s->span, "an add item"};
    for (size_t i = 0; i < s->u.add.nitems; i++) {
        const DplAddItem *it = &s->u.add.items[i];
        if (it->kind != DPL_ITEM_VALUE)
            continue;
        w.why = it->span;
        if (it->cond) {
            d_ok(&w, it->cond);
            d_type(&w, it->cond, DPL_T_BOOL | DPL_T_NULL); /* `if` needs a boolean */
            continue;                                      /* the value is evaluated only for some records */
        }
        d_ok(&w, it->value);
    }
}

void dpl__facts_build(Facts *f, DplArena *arena, DplProgram *prog)
{
    memset(f, 0, sizeof *f);
    f->arena = arena;
    f->prog = prog;
    f->index.arena = arena;
    f->root = node_new(f, NULL, "", 0);
    f->root->present = f->root->nonnull = true;
    f->root->types = DPL_T_OBJECT;
    for (size_t i = 0; i < prog->nstmts; i++) {
        const DplStmt *s = &prog->stmts[i];
        Walk w = {f, NULL, s->span, NULL};
        switch (s->kind) {
        case DPL_STMT_SOURCES:
            if (!f->has_sources)
                source_fact(f, s);
            f->has_sources = true;
            break;
        case DPL_STMT_MANDATORY:
            w.what = "mandatory";
            for (size_t j = 0; j < s->u.mandatory.npaths; j++) {
                const DplExpr *e = s->u.mandatory.paths[j];
                if (!e || e->kind != DPL_EXPR_PATH)
                    continue;
                w.why = e->span;
                AbsPath ap = dpl__abs_path(NULL, &e->u.path);
                fact_present(&w, &ap, true, DPL_T_ANY & ~DPL_T_NULL);
                if (ap.known && !ap.indexed && ap.n >= 2)
                    node_at(f, &ap, ap.n)->nonempty = true;
            }
            break;
        case DPL_STMT_ENTITY:
            w.what = "an entity key";
            for (size_t j = 0; j < s->u.entity.nkeys; j++) {
                w.why = s->u.entity.keys[j]->span;
                d_value(&w, s->u.entity.keys[j], DPL_T_ANY & ~DPL_T_NULL);
            }
            break;
        case DPL_STMT_REQUIREMENT:
            w.what = "a requirement";
            for (size_t j = 0; j < s->u.requirement.nexprs; j++) {
                w.why = s->u.requirement.exprs[j]->span;
                d_true(&w, s->u.requirement.exprs[j]);
            }
            break;
        case DPL_STMT_WHERE:
            /* a record for which a `where` expression is not true is skipped (spec §12.1) */
            w.what = "a `where` condition";
            for (size_t j = 0; j < s->u.where.nexprs; j++) {
                w.why = s->u.where.exprs[j]->span;
                d_true(&w, s->u.where.exprs[j]);
            }
            break;
        case DPL_STMT_ADD:
            add_facts(f, s);
            break;
        default:
            break;
        }
    }
}

/* ---- what an expression yields, given the facts ------------------------------------------ */

static const FactNode *path_fact(const Facts *f, const DplPath *from, const DplPath *p)
{
    AbsPath ap = dpl__abs_path(from, p);
    if (ap.indexed)
        return NULL;
    return dpl__facts_find(f, &ap);
}

static bool nonnull(const Facts *f, const DplPath *from, DplExpr *e)
{
    if (e->kind == DPL_EXPR_PATH) {
        const FactNode *n = path_fact(f, from, &e->u.path);
        return n && (n->nonnull || !(n->types & DPL_T_NULL));
    }
    return !(dpl__value_types(f, from, e) & DPL_T_NULL);
}

bool dpl__never_missing(const Facts *f, const DplPath *from, const DplExpr *ce)
{
    DplExpr *e = (DplExpr *)ce; /* dpl_check_types re-annotates; it changes nothing */
    if (!e)
        return false;
    switch (e->kind) {
    case DPL_EXPR_NULL:
    case DPL_EXPR_BOOL:
    case DPL_EXPR_INT:
    case DPL_EXPR_REAL:
    case DPL_EXPR_STRING:
    case DPL_EXPR_ARRAY:
        return true;
    case DPL_EXPR_PATH: {
        const FactNode *n = path_fact(f, from, &e->u.path);
        return n && n->present;
    }
    case DPL_EXPR_META:
        switch (e->u.meta.which) {
        case DPL_META_ID:
        case DPL_META_ENTITY:
        case DPL_META_LINE:
            return true;
        case DPL_META_SOURCE:
            return f->has_sources; /* the filter needs a string source */
        default:
            return false;
        }
    case DPL_EXPR_UNARY:
        return dpl__never_missing(f, from, e->u.unary.operand) && nonnull(f, from, e->u.unary.operand);
    case DPL_EXPR_CAST:
        return dpl__never_missing(f, from, e->u.cast.operand); /* null: cast_failed */
    case DPL_EXPR_BINARY: {
        DplExpr *l = e->u.binary.lhs, *r = e->u.binary.rhs;
        bool nl = dpl__never_missing(f, from, l), nr = dpl__never_missing(f, from, r);
        switch (e->u.binary.op) {
        case DPL_OP_COALESCE:
            return (nl && nonnull(f, from, l)) || nr;
        case DPL_OP_EQ:
        case DPL_OP_NE:
            return nl && nr;
        default:
            return nl && nr && nonnull(f, from, l) && nonnull(f, from, r);
        }
    }
    case DPL_EXPR_CALL: {
        const DplBuiltin *fn = e->u.call.fn;
        if (!fn)
            return false;
        if (strcmp(fn->name, "concat") == 0 || strcmp(fn->name, "exists") == 0)
            return true;
        if (strcmp(fn->name, "cond") == 0 && e->u.call.nargs == 3)
            /* the value is one of the branches (spec §12.3) */
            return dpl__never_missing(f, from, e->u.call.args[1]) &&
                   dpl__never_missing(f, from, e->u.call.args[2]);
        if ((strcmp(fn->name, "map") == 0 || strcmp(fn->name, "filter") == 0) && e->u.call.nargs == 2)
            /* missing only for a missing or null array; another value is a type_error */
            return dpl__never_missing(f, from, e->u.call.args[0]) && nonnull(f, from, e->u.call.args[0]);
        if (strcmp(fn->name, "coalesce") == 0) {
            for (size_t i = 0; i < e->u.call.nargs; i++)
                if (dpl__never_missing(f, from, e->u.call.args[i]) && nonnull(f, from, e->u.call.args[i]))
                    return true;
            return false;
        }
        bool total = false;
        if (!strict_fn(e, &total) || !total)
            return false;
        for (size_t i = 0; i < e->u.call.nargs; i++) {
            DplExpr *a = e->u.call.args[i];
            if (!dpl__never_missing(f, from, a))
                return false;
            if (!(param_types(fn, i) & DPL_T_NULL) && !nonnull(f, from, a))
                return false;
        }
        return true;
    }
    default:
        return false;
    }
}

DplTypes dpl__value_types(const Facts *f, const DplPath *from, DplExpr *e)
{
    if (!e)
        return DPL_T_ANY;
    DplTypes t = dpl_check_types(f->prog, e);
    if (e->kind == DPL_EXPR_PATH) {
        AbsPath ap = dpl__abs_path(from, &e->u.path);
        if (ap.star && ap.known)
            return t & DPL_T_ARRAY; /* [*] yields an array */
        const FactNode *n = ap.indexed ? NULL : dpl__facts_find(f, &ap);
        if (n) {
            t &= n->types;
            if (n->nonnull)
                t &= ~DPL_T_NULL;
        }
    } else if (e->kind == DPL_EXPR_BINARY && e->u.binary.op == DPL_OP_COALESCE) {
        t &= (dpl__value_types(f, from, e->u.binary.lhs) & ~DPL_T_NULL) |
             dpl__value_types(f, from, e->u.binary.rhs);
    }
    return t ? t : DPL_T_ANY; /* an empty set would mean no record is accepted: claim nothing */
}

/* The types of e read off the expression alone, without the checker's
 * context (inside a map/filter argument, relative paths are the element's):
 * a literal, a cast, a function's result types, a meta attribute. */
static DplTypes own_types(const DplExpr *e)
{
    if (!e)
        return DPL_T_ANY;
    switch (e->kind) {
    case DPL_EXPR_NULL:
        return DPL_T_NULL;
    case DPL_EXPR_BOOL:
        return DPL_T_BOOL;
    case DPL_EXPR_INT:
        return DPL_T_INT;
    case DPL_EXPR_REAL:
        return DPL_T_REAL;
    case DPL_EXPR_STRING:
        return DPL_T_STRING;
    case DPL_EXPR_ARRAY:
        return DPL_T_ARRAY;
    case DPL_EXPR_CAST:
        switch (e->u.cast.type) {
        case DPL_CAST_INT:
            return DPL_T_INT;
        case DPL_CAST_FLOAT:
            return DPL_T_REAL;
        case DPL_CAST_STRING:
            return DPL_T_STRING;
        case DPL_CAST_BOOL:
            return DPL_T_BOOL;
        default:
            return DPL_T_ANY;
        }
    case DPL_EXPR_CALL:
        return e->u.call.fn && e->u.call.fn->result ? e->u.call.fn->result : DPL_T_ANY;
    case DPL_EXPR_META:
        switch (e->u.meta.which) {
        case DPL_META_ID:
        case DPL_META_SOURCE:
        case DPL_META_ENTITY:
            return DPL_T_STRING;
        case DPL_META_LINE:
            return DPL_T_INT;
        default:
            return DPL_T_ANY;
        }
    default:
        return DPL_T_ANY;
    }
}

DplTypes dpl__elem_types(const Facts *f, const DplPath *from, DplExpr *e)
{
    if (!e)
        return DPL_T_ANY;
    if (e->kind == DPL_EXPR_ARRAY) {
        DplTypes t = 0;
        for (size_t i = 0; i < e->u.array.n; i++)
            t |= dpl__value_types(f, from, e->u.array.items[i]);
        return t;
    }
    if (e->kind != DPL_EXPR_CALL || !e->u.call.fn)
        return DPL_T_ANY;
    const char *fn = e->u.call.fn->name;
    if (strcmp(fn, "split") == 0 || strcmp(fn, "keys") == 0)
        return DPL_T_STRING;
    if ((strcmp(fn, "filter") == 0 || strcmp(fn, "unique") == 0) && e->u.call.nargs >= 1)
        return dpl__elem_types(f, from, e->u.call.args[0]); /* some of the same elements */
    if (strcmp(fn, "map") == 0 && e->u.call.nargs == 2)
        return own_types(e->u.call.args[1]); /* the results, missing ones dropped */
    return DPL_T_ANY;
}

bool dpl__never_empty(const Facts *f, const DplPath *from, const DplExpr *e)
{
    if (!e || e->kind != DPL_EXPR_PATH)
        return false;
    const FactNode *n = path_fact(f, from, &e->u.path);
    return n && n->nonempty;
}
