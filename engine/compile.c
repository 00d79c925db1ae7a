/* compile.c — a checked program into the engine's flat form, once: every
 * path resolved to a slot of one scan plan (plus the segments walked at run
 * time), every expression to an ENode tree, every check and add item
 * prepared with the texts its errors quote.  Linear in the program's size:
 * plan slots come from the plan's own index, duplicate mandatory paths are
 * found through a hash table. */
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"

typedef struct {
    DplEngine *e;
    const DplPath *from; /* the `add from` path around the expression, or NULL */
    bool in_elem;        /* inside the per-element argument of map/filter */
    DplStrMap *memo_ids; /* the text of each memoisable expression -> its memo entry */
    ENode **memo_nodes;  /* the nodes given an entry */
    size_t nmemo_nodes, memo_cap;
} CCtx;

static bool field_only(const DplPath *p)
{
    for (size_t i = 0; i < p->nsegs; i++)
        if (p->segs[i].kind != DPL_SEG_FIELD)
            return false;
    return true;
}

static ENode *node_new(DplEngine *e, NKind kind, const DplExpr *x)
{
    ENode *n = dpl_arena_alloc(e->arena, sizeof *n);
    n->kind = (uint8_t)kind;
    n->e = x;
    eng_bind(n);
    return n;
}

typedef struct {
    const char **names;
    size_t *lens;
    size_t n, cap;
} Names;

static void names_push(Names *nm, const char *s, size_t len)
{
    if (nm->n == nm->cap) {
        nm->cap = nm->cap ? nm->cap * 2 : 8;
        nm->names = dpl_realloc(nm->names, nm->cap * sizeof *nm->names);
        nm->lens = dpl_realloc(nm->lens, nm->cap * sizeof *nm->lens);
    }
    nm->names[nm->n] = s;
    nm->lens[nm->n++] = len;
}

/* Pushes the field segments of p from its start; returns the index of the
 * first segment that is not a field (p->nsegs when all are). */
static size_t push_fields(Names *nm, const DplPath *p)
{
    size_t i = 0;
    for (; i < p->nsegs && p->segs[i].kind == DPL_SEG_FIELD; i++)
        names_push(nm, p->segs[i].name, p->segs[i].name_len);
    return i;
}

static bool is_name(const char *s, size_t n, const char *want)
{
    return n == strlen(want) && memcmp(s, want, n) == 0;
}

/* Resolves absolute field names (from the envelope root) followed by the
 * segments p->segs[rest..] into node n. */
static void resolve(DplEngine *e, ENode *n, const Names *nm, size_t rest, size_t nsegs)
{
    size_t skip = 0;
    if (e->opt.raw && nm->n > 0) {
        if (is_name(nm->names[0], nm->lens[0], "metadata")) {
            /* --raw: the metadata is {"source": NAME}, known now */
            n->base = PB_CONST;
            bool ends = rest == nsegs;
            if (nm->n == 1 && ends)
                n->k = ev_pack(V_OBJ, R_JSON, 0, 0, 0, NULL, 0, (uint64_t)(uintptr_t)e->raw_metadata);
            else if (nm->n == 2 && ends && is_name(nm->names[1], nm->lens[1], "source"))
                n->k = ev_str(e->raw_source, strlen(e->raw_source));
            else
                n->k = MISSING;
            n->rest = (uint32_t)nsegs;
            return;
        }
        if (is_name(nm->names[0], nm->lens[0], "data"))
            skip = 1;
        else {
            n->base = PB_CONST;
            n->k = MISSING;
            n->rest = (uint32_t)nsegs;
            return;
        }
    }
    n->base = PB_SLOT;
    n->slot = nm->n - skip ? (uint32_t)dpl_scan_plan_add(e->plan, nm->names + skip, nm->lens + skip, nm->n - skip) : 0;
    n->rest = (uint32_t)rest;
}

/* The same walk below the same slot is evaluated once per record: each
 * distinct (slot, remaining segments) gets an entry of the path cache. */
static void intern_walk(DplEngine *e, ENode *n, const DplPath *p)
{
    if (n->base != PB_SLOT || n->rest >= p->nsegs)
        return;
    DplBuf b = {0};
    dpl_buf_printf(&b, "%u", n->slot);
    for (size_t i = n->rest; i < p->nsegs; i++) {
        const DplSegment *s = &p->segs[i];
        if (s->kind == DPL_SEG_FIELD) {
            dpl_buf_printf(&b, ".%zu:", s->name_len);
            dpl_buf_append(&b, s->name, s->name_len);
        } else if (s->kind == DPL_SEG_INDEX) {
            dpl_buf_printf(&b, "[%lld]", (long long)s->index);
        } else {
            dpl_buf_puts(&b, "[*]");
        }
    }
    size_t found;
    if (!dpl_strmap_get(e->path_ids, b.data, b.len, &found)) {
        found = e->npaths++;
        dpl_strmap_put(e->path_ids, b.data, b.len, found, NULL);
    }
    dpl_buf_free(&b);
    n->cache = (uint32_t)found + 1;
}

static ENode *compile_path(CCtx *c, const DplExpr *x, const DplPath *p)
{
    ENode *n = node_new(c->e, N_PATH, x);
    n->path = p;
    Names nm = {0};
    if (p->root == DPL_ROOT_ITEM || (p->root == DPL_ROOT_RELATIVE && c->in_elem)) {
        /* from the element of the innermost map/filter */
        n->base = PB_ITEM;
        n->rest = 0;
        c->e->deep = true;
        return n;
    }
    if (p->root == DPL_ROOT_RELATIVE) {
        if (c->from && !field_only(c->from)) {
            n->base = PB_FROM;
            n->rest = 0;
            c->e->deep = true;
            return n;
        }
        if (c->from) {
            if (c->from->root == DPL_ROOT_RELATIVE)
                names_push(&nm, "data", 4);
            push_fields(&nm, c->from);
        } else {
            names_push(&nm, "data", 4);
        }
    }
    size_t rest = push_fields(&nm, p);
    resolve(c->e, n, &nm, rest, p->nsegs);
    intern_walk(c->e, n, p);
    if (n->base != PB_SLOT || n->rest < p->nsegs)
        c->e->deep = true; /* a walk below a value */
    dpl_free(nm.names);
    dpl_free(nm.lens);
    return n;
}

static NFn native_fn(const DplBuiltin *fn)
{
    static const struct {
        const char *name;
        NFn fn;
    } table[] = {
        {"lower", F_LOWER},   {"upper", F_UPPER},       {"trim", F_TRIM},       {"digits", F_DIGITS},
        {"concat", F_CONCAT}, {"coalesce", F_COALESCE}, {"exists", F_EXISTS},   {"len", F_LEN},
        {"round", F_ROUND},   {"abs", F_ABS},           {"sum", F_SUM},         {"avg", F_AVG},  {"min", F_MIN}, {"max", F_MAX},
        {"starts_with", F_STARTS}, {"ends_with", F_ENDS}, {"contains", F_CONTAINS},
    };
    if (!fn)
        return F_GENERIC;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (strcmp(fn->name, table[i].name) == 0)
            return table[i].fn;
    return F_GENERIC;
}

static const char *compile_expr(CCtx *c, const DplExpr *x, const ENode **out);
static void memo_note(CCtx *c, ENode *n);

static const char *compile_kids(CCtx *c, ENode *n, DplExpr *const *xs, size_t k)
{
    n->nkids = (uint32_t)k;
    n->kids = dpl_arena_alloc(c->e->arena, (k ? k : 1) * sizeof *n->kids);
    for (size_t i = 0; i < k; i++) {
        const char *why = compile_expr(c, xs[i], (const ENode **)&n->kids[i]);
        if (why)
            return why;
    }
    return NULL;
}

static const char *compile_expr(CCtx *c, const DplExpr *x, const ENode **out)
{
    DplEngine *e = c->e;
    ENode *n = NULL;
    const char *why = NULL;
    switch (x->kind) {
    case DPL_EXPR_NULL:
        n = node_new(e, N_CONST, x);
        n->k = ev_pack(V_NULL, R_NAT, 0, 0, 0, NULL, 0, 0);
        break;
    case DPL_EXPR_BOOL:
        n = node_new(e, N_CONST, x);
        n->k = ev_bool(x->u.b);
        break;
    case DPL_EXPR_INT:
        n = node_new(e, N_CONST, x);
        n->k = ev_int(x->u.i);
        break;
    case DPL_EXPR_REAL:
        n = node_new(e, N_CONST, x);
        n->k = ev_real(x->u.r);
        break;
    case DPL_EXPR_STRING:
        n = node_new(e, N_CONST, x);
        n->k = ev_needs_escape(x->u.str.s, x->u.str.len) ? ev_str(x->u.str.s, x->u.str.len)
                                                          : ev_str_plain(x->u.str.s, x->u.str.len);
        break;
    case DPL_EXPR_PATH: n = compile_path(c, x, &x->u.path); break;
    case DPL_EXPR_META:
        if (x->u.meta.which != DPL_META_ID && x->u.meta.which != DPL_META_SOURCE &&
            x->u.meta.which != DPL_META_ENTITY && x->u.meta.which != DPL_META_LINE &&
            x->u.meta.which != DPL_META_ITEM)
            return "an unknown meta attribute";
        e->uses_line |= x->u.meta.which == DPL_META_LINE;
        n = node_new(e, N_META, x);
        break;
    case DPL_EXPR_ARRAY:
        n = node_new(e, N_ARRAY, x);
        why = compile_kids(c, n, x->u.array.items, x->u.array.n);
        break;
    case DPL_EXPR_UNARY:
        n = node_new(e, N_UNARY, x);
        why = compile_kids(c, n, &x->u.unary.operand, 1);
        break;
    case DPL_EXPR_BINARY: {
        DplOp op = x->u.binary.op;
        n = node_new(e, op == DPL_OP_AND ? N_AND : op == DPL_OP_OR ? N_OR : op == DPL_OP_COALESCE ? N_COALESCE : N_BINARY,
                     x);
        DplExpr *kids[2] = {x->u.binary.lhs, x->u.binary.rhs};
        why = compile_kids(c, n, kids, 2);
        break;
    }
    case DPL_EXPR_CALL:
        e->deep = true; /* builtins may iterate their arguments */
        n = node_new(e, N_CALL, x);
        n->fn = (uint8_t)native_fn(x->u.call.fn);
        if (x->u.call.fn && x->u.call.fn->arg_rule == DPL_ARGS_ELEMENT) {
            if (x->u.call.nargs != 2)
                return "map or filter without two arguments";
            n->fn = strcmp(x->u.call.fn->name, "map") == 0 ? F_MAP : F_FILTER;
            why = compile_kids(c, n, x->u.call.args, 1);
            if (!why) {
                bool was = c->in_elem;
                c->in_elem = true;
                n->nkids = 2;
                ENode **k = dpl_arena_alloc(e->arena, 2 * sizeof *k);
                k[0] = n->kids[0];
                why = compile_expr(c, x->u.call.args[1], (const ENode **)&k[1]);
                n->kids = k;
                c->in_elem = was;
            }
            break;
        }
        if (x->u.call.fn && x->u.call.fn->arg_rule == DPL_ARGS_LAZY) {
            if (strcmp(x->u.call.fn->name, "cond") != 0 || x->u.call.nargs != 3)
                return "a builtin with lazy arguments this engine does not know";
            n->fn = F_COND;
        }
        why = compile_kids(c, n, x->u.call.args, x->u.call.nargs);
        break;
    case DPL_EXPR_CAST:
        n = node_new(e, N_CAST, x);
        why = compile_kids(c, n, &x->u.cast.operand, 1);
        break;
    default: return "an expression this engine does not know";
    }
    if (!why)
        memo_note(c, n);
    if (!why && n->kind == N_BINARY)
        eng_bind_binary(n);
    if (!why && n->kind == N_CALL)
        eng_bind_call(n);
    if (!why && n->kind == N_CAST)
        eng_bind_cast(n);
    if (n->kind == N_CONST)
        n->leaf = LEAF_CONST;
    else if (n->kind == N_PATH && n->base == PB_SLOT && !n->cache && (!n->path || n->rest >= n->path->nsegs))
        n->leaf = LEAF_SLOT;
    else if (n->kind == N_PATH && n->base == PB_ITEM && n->path && n->path->nsegs == 1 &&
             n->path->segs[0].kind == DPL_SEG_FIELD)
        n->leaf = LEAF_ITEM_FIELD;
    *out = n;
    return why;
}

/* ---- common subexpressions ------------------------------------------------------ */

/* Whether x means the same wherever it appears in a record: no 'id (unset
 * before identity), no 'item, nothing relative to an element or an `add
 * from` (the caller checks the context). */
static bool record_constant(const DplExpr *x)
{
    switch (x->kind) {
    case DPL_EXPR_META: return x->u.meta.which != DPL_META_ID && x->u.meta.which != DPL_META_ITEM;
    case DPL_EXPR_PATH: return x->u.path.root != DPL_ROOT_ITEM;
    case DPL_EXPR_ARRAY:
        for (size_t i = 0; i < x->u.array.n; i++)
            if (!record_constant(x->u.array.items[i]))
                return false;
        return true;
    case DPL_EXPR_UNARY: return record_constant(x->u.unary.operand);
    case DPL_EXPR_BINARY: return record_constant(x->u.binary.lhs) && record_constant(x->u.binary.rhs);
    case DPL_EXPR_CAST: return record_constant(x->u.cast.operand);
    case DPL_EXPR_CALL:
        if (x->u.call.fn && x->u.call.fn->arg_rule == DPL_ARGS_ELEMENT)
            return record_constant(x->u.call.args[0]); /* the body reads the element */
        for (size_t i = 0; i < x->u.call.nargs; i++)
            if (!record_constant(x->u.call.args[i]))
                return false;
        return true;
    default: return true;
    }
}

/* Gives a computed node an entry of the record's memo when its text may
 * appear again (`upper(trim(x))` as a key and as an attribute): it is then
 * evaluated once per record.  Only values are shared, never errors, so
 * every occurrence still reports its own span. */
static void memo_note(CCtx *c, ENode *n)
{
    if (c->in_elem || c->from || !n->e || !c->memo_ids)
        return;
    if (n->kind != N_CALL && n->kind != N_CAST && n->kind != N_BINARY && n->kind != N_UNARY &&
        n->kind != N_COALESCE)
        return;
    if (!record_constant(n->e))
        return;
    DplBuf b = {0};
    dpl_eval_expr_text(&b, c->e->prog->src, n->e->span);
    if (!b.data)
        return;
    size_t id;
    if (!dpl_strmap_get(c->memo_ids, b.data, b.len, &id)) {
        id = c->e->nmemo++;
        dpl_strmap_put(c->memo_ids, b.data, b.len, id, NULL);
    }
    dpl_buf_free(&b);
    if (c->nmemo_nodes == c->memo_cap) {
        c->memo_cap = c->memo_cap ? 2 * c->memo_cap : 16;
        c->memo_nodes = dpl_realloc(c->memo_nodes, c->memo_cap * sizeof *c->memo_nodes);
    }
    n->memo = (uint32_t)id + 1;
    c->memo_nodes[c->nmemo_nodes++] = n;
}

/* Keeps the entries met at least twice; the others cost a lookup for nothing. */
static void memo_finish(CCtx *c)
{
    uint32_t *uses = dpl_calloc(c->e->nmemo + 1, sizeof *uses);
    for (size_t i = 0; i < c->nmemo_nodes; i++)
        uses[c->memo_nodes[i]->memo - 1]++;
    for (size_t i = 0; i < c->nmemo_nodes; i++)
        if (uses[c->memo_nodes[i]->memo - 1] < 2)
            c->memo_nodes[i]->memo = 0;
    dpl_free(uses);
    dpl_free(c->memo_nodes);
}

/* ---- checks and items ------------------------------------------------------- */

static char *expr_text(const DplEngine *e, const DplExpr *x)
{
    DplBuf b = {0};
    dpl_eval_expr_text(&b, e->prog->src, x->span);
    if (!b.data)
        return dpl_strdup("");
    return dpl_buf_take(&b);
}

static const char *prepare_check(CCtx *c, ECheck *ck, const DplExpr *x)
{
    ck->expr = x;
    ck->abs_path = x->kind == DPL_EXPR_PATH ? dpl_eval_path_text(&x->u.path) : NULL;
    ck->text = NULL;
    return compile_expr(c, x, &ck->node);
}

static uint32_t key_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static const char *prepare_item(CCtx *c, EItem *ei, const DplAddItem *it)
{
    ei->it = it;
    if (it->kind == DPL_ITEM_ALL || it->kind == DPL_ITEM_DELETE)
        return NULL;
    const char *why = compile_expr(c, it->value, &ei->value);
    if (!why && it->cond)
        why = compile_expr(c, it->cond, &ei->cond);
    const DplTarget *t = &it->target;
    ei->hashes = dpl_arena_alloc(c->e->arena, (t->nsegs + 1) * sizeof *ei->hashes);
    ei->lens = dpl_arena_alloc(c->e->arena, (t->nsegs + 1) * sizeof *ei->lens);
    DplBuf b = {0};
    for (size_t i = 0; i < t->nsegs; i++) {
        ei->lens[i] = (uint32_t)strlen(t->segs[i]);
        ei->hashes[i] = key_hash(t->segs[i], ei->lens[i]);
        if (i)
            dpl_buf_putc(&b, '.');
        dpl_buf_puts(&b, t->segs[i]);
    }
    ei->target_text = b.data ? dpl_arena_strdup(c->e->arena, b.data) : "";
    dpl_buf_free(&b);
    return why;
}

const char *eng_compile(DplEngine *e, const DplProgram *prog)
{
    DplStrMap walks = {0}, memo = {0}, mand = {0}; /* walked paths, memo texts, mandatory paths */
    CCtx c = {e, NULL, false, &memo, NULL, 0, 0};
    e->path_ids = &walks;
    const DplStmt *entity = NULL;
    size_t nmand = 0, nreq = 0, nadds = 0, nwhere = 0;
    for (size_t s = 0; s < prog->nstmts; s++) {
        const DplStmt *st = &prog->stmts[s];
        switch (st->kind) {
        case DPL_STMT_ENTITY:
            if (!entity)
                entity = st;
            break;
        case DPL_STMT_SOURCES:
            if (!e->sources)
                e->sources = st;
            break;
        case DPL_STMT_MANDATORY: nmand += st->u.mandatory.npaths; break;
        case DPL_STMT_REQUIREMENT: nreq += st->u.requirement.nexprs; break;
        case DPL_STMT_ADD: nadds++; break;
        case DPL_STMT_WHERE: nwhere += st->u.where.nexprs; break;
        default: return "a statement this engine does not know";
        }
    }
    e->raw_source = dpl_strdup(e->opt.source ? e->opt.source
                               : e->sources && e->sources->u.sources.nnames
                                   ? "" /* replaced below */
                                   : "stdin");
    if (!e->opt.source && e->sources && e->sources->u.sources.nnames) {
        dpl_free(e->raw_source);
        e->raw_source = dpl_strndup(e->sources->u.sources.names[0], e->sources->u.sources.name_lens[0]);
    }
    e->raw_metadata = json_pack("{s:s}", "source", e->raw_source);

    /* the data value: `all` copies from it */
    {
        Names nm = {0};
        names_push(&nm, "data", 4);
        ENode tmp = {0};
        resolve(e, &tmp, &nm, 0, 0);
        e->data_slot = tmp.base == PB_SLOT ? tmp.slot : 0;
        dpl_free(nm.names);
        dpl_free(nm.lens);
    }

    if (entity) {
        e->name = entity->u.entity.name;
        e->name_len = entity->u.entity.name_len;
        e->substitutive = entity->u.entity.substitutive;
    } else {
        e->name = "";
    }
    dpl_buf_puts(&e->head, "{\"entity\":");
    dpl_json_write_string(&e->head, e->name, e->name_len);
    dpl_buf_puts(&e->head, ",\"id\":\"");

    /* source */
    if (e->sources && e->sources->u.sources.nnames > 8)
        for (size_t i = 0; i < e->sources->u.sources.nnames; i++)
            dpl_strmap_put(&e->source_names, e->sources->u.sources.names[i], e->sources->u.sources.name_lens[i], i,
                           NULL);
    const DplPath *using = e->sources ? e->sources->u.sources.using_path : NULL;
    if (using) {
        const char *why = NULL;
        ENode *n = compile_path(&c, NULL, using);
        (void)why;
        e->source = n;
        e->source_rule = &using->span;
        e->source_where = dpl_eval_path_text(using);
    } else {
        ENode *n = node_new(e, N_PATH, NULL);
        Names nm = {0};
        names_push(&nm, "metadata", 8);
        names_push(&nm, "source", 6);
        resolve(e, n, &nm, 0, 0);
        dpl_free(nm.names);
        dpl_free(nm.lens);
        e->source = n;
        e->source_rule = e->sources ? &e->sources->keyword_span : NULL;
        e->source_where = dpl_strdup("metadata.source");
    }

    e->mandatory = dpl_calloc(nmand + 1, sizeof *e->mandatory);
    e->requirements = dpl_calloc(nreq + 1, sizeof *e->requirements);
    e->wheres = dpl_calloc(nwhere + 1, sizeof *e->wheres);
    e->adds = dpl_calloc(nadds + 1, sizeof *e->adds);
    const char *why = NULL;
    for (size_t s = 0; s < prog->nstmts && !why; s++) {
        const DplStmt *st = &prog->stmts[s];
        if (st->kind == DPL_STMT_MANDATORY) {
            for (size_t i = 0; i < st->u.mandatory.npaths && !why; i++) {
                ECheck *ck = &e->mandatory[e->nmandatory];
                why = prepare_check(&c, ck, st->u.mandatory.paths[i]);
                /* a path listed twice is checked once (spec §7: one error per path) */
                if (ck->abs_path && dpl_strmap_get(&mand, ck->abs_path, strlen(ck->abs_path), NULL)) {
                    dpl_free(ck->abs_path);
                    memset(ck, 0, sizeof *ck);
                    continue;
                }
                if (ck->abs_path)
                    dpl_strmap_put(&mand, ck->abs_path, strlen(ck->abs_path), e->nmandatory, NULL);
                e->nmandatory++;
            }
        } else if (st->kind == DPL_STMT_REQUIREMENT) {
            for (size_t i = 0; i < st->u.requirement.nexprs && !why; i++) {
                ECheck *ck = &e->requirements[e->nrequirements++];
                why = prepare_check(&c, ck, st->u.requirement.exprs[i]);
                ck->text = expr_text(e, ck->expr);
            }
        } else if (st->kind == DPL_STMT_WHERE) {
            for (size_t i = 0; i < st->u.where.nexprs && !why; i++)
                why = prepare_check(&c, &e->wheres[e->nwheres++], st->u.where.exprs[i]);
        } else if (st->kind == DPL_STMT_ADD) {
            EAdd *a = &e->adds[e->nadds++];
            if (st->u.add.from) {
                ENode *f = compile_path(&c, NULL, st->u.add.from);
                a->from = f;
            }
            c.from = st->u.add.from;
            a->nitems = st->u.add.nitems;
            a->items = dpl_calloc(a->nitems + 1, sizeof *a->items);
            for (size_t i = 0; i < a->nitems && !why; i++)
                why = prepare_item(&c, &a->items[i], &st->u.add.items[i]);
            c.from = NULL;
        }
    }
    /* the paths never_present counts (spec §12.5) */
    e->nreads = prog->nreads;
    e->reads = dpl_calloc(prog->nreads + 1, sizeof *e->reads);
    for (size_t r = 0; r < prog->nreads; r++) {
        const DplReadPath *rp = &prog->reads[r];
        ENode *n = node_new(e, N_PATH, NULL);
        DplPath *p = dpl_arena_alloc(e->arena, sizeof *p);
        p->root = DPL_ROOT_DATA;
        p->segs = rp->segs;
        p->nsegs = rp->nsegs;
        n->path = p;
        Names nm = {0};
        size_t rest = push_fields(&nm, p);
        resolve(e, n, &nm, rest, p->nsegs);
        dpl_free(nm.names);
        dpl_free(nm.lens);
        e->reads[r] = n;
    }
    if (!why && entity) {
        e->nkeys = entity->u.entity.nkeys;
        e->keys = dpl_calloc(e->nkeys + 1, sizeof *e->keys);
        for (size_t k = 0; k < e->nkeys && !why; k++) {
            ECheck *ck = &e->keys[k];
            why = prepare_check(&c, ck, entity->u.entity.keys[k]);
            ck->text = expr_text(e, ck->expr);
        }
    }
    /* keys whose path is also mandatory: the mandatory error is the one reported */
    for (size_t k = 0; k < e->nkeys; k++) {
        size_t m;
        if (!e->keys[k].abs_path || !dpl_strmap_get(&mand, e->keys[k].abs_path, strlen(e->keys[k].abs_path), &m))
            m = SIZE_MAX;
        e->keys[k].mand = m == SIZE_MAX ? -1 : (long)m;
    }
    dpl_strmap_free(&mand);
    dpl_strmap_free(&walks);
    memo_finish(&c);
    dpl_strmap_free(&memo);
    e->path_ids = NULL;
    return why;
}

/* ---- the engine -------------------------------------------------------------- */

DplEngine *dpl_engine_new(const DplProgram *prog, const DplEngineOptions *opt, const char **why)
{
    DplEngine *e = dpl_calloc(1, sizeof *e);
    e->prog = prog;
    if (opt)
        e->opt = *opt;
    e->arena = dpl_arena_new();
    e->plan = dpl_scan_plan_new();
    const char *reason = eng_compile(e, prog);
    if (!reason)
        eng_layout(e);
    dpl_scan_plan_freeze(e->plan);
    if (why)
        *why = reason;
    if (reason) {
        dpl_engine_free(e);
        return NULL;
    }
    return e;
}

bool dpl_engine_uses_line(const DplEngine *e) { return e->uses_line; }

static void free_checks(ECheck *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dpl_free(c[i].abs_path);
        dpl_free(c[i].text);
    }
    dpl_free(c);
}

void dpl_engine_free(DplEngine *e)
{
    if (!e)
        return;
    dpl_scan_plan_free(e->plan);
    free_checks(e->mandatory, e->nmandatory);
    free_checks(e->requirements, e->nrequirements);
    free_checks(e->wheres, e->nwheres);
    free_checks(e->keys, e->nkeys);
    for (size_t i = 0; i < e->nadds; i++)
        dpl_free(e->adds[i].items);
    dpl_free(e->adds);
    dpl_free(e->reads);
    for (uint32_t i = 0; i < e->nlayout; i++)
        dpl_free(e->layout[i].key_json);
    dpl_free(e->layout);
    dpl_free(e->raw_source);
    json_decref(e->raw_metadata);
    dpl_free(e->source_where);
    dpl_strmap_free(&e->source_names);
    dpl_buf_free(&e->head);
    dpl_arena_free(e->arena);
    dpl_free(e);
}
