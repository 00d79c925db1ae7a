/* check.c — checking a whole program: statement counts (E301, E302, E309,
 * W401), mandatory paths (W402), add blocks (implicit targets, E204 for
 * indexed paths, E306, W403), and the entry points dpl_check,
 * dpl_check_expr and dpl_compile.  Expressions are checked in expr.c. */
#include <stdio.h>

#include "check/internal.h"
#include "lexer/lexer.h"
#include "parser/parser.h"

/* ---- paths as comparable keys ------------------------------------------------ */

/* A quoted field name may hold any byte, even NUL (\u0000): escape NUL and
 * the escape byte itself so keys stay C strings and distinct. */
static void put_field(DplBuf *b, const char *name, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (name[i] == '\0')
            dpl_buf_puts(b, "\x1e"
                            "0");
        else if (name[i] == '\x1e')
            dpl_buf_puts(b, "\x1e\x1e");
        else
            dpl_buf_putc(b, name[i]);
    }
}

/* Appends a path's segments in a form where equal keys mean the same field:
 * relative paths are spelled from `data`, segments are separated by 0x1F
 * (which no identifier contains) and indexes are written in brackets. */
static void path_key(DplBuf *b, const DplPath *p)
{
    if (p->root == DPL_ROOT_RELATIVE)
        dpl_buf_puts(b, "data");
    for (size_t i = 0; i < p->nsegs; i++) {
        const DplSegment *s = &p->segs[i];
        if (b->len)
            dpl_buf_putc(b, '\x1f');
        if (s->kind == DPL_SEG_FIELD)
            put_field(b, s->name, s->name_len);
        else if (s->kind == DPL_SEG_INDEX)
            dpl_buf_printf(b, "[%lld]", (long long)s->index);
        else
            dpl_buf_puts(b, "[*]");
    }
}

/* ---- string -> index map ------------------------------------------------------- */

/* Open addressing over arena memory, so finding duplicate mandatory paths and
 * double writes stays linear in the size of the program.  Values are the
 * caller's indexes plus one; 0 means absent. */
typedef struct {
    const char **keys;
    size_t *vals;
    size_t cap, len;
} KeyIndex;

static size_t key_hash(const char *s)
{
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The value slot for key, inserted (with value 0) when absent.  The key must
 * outlive the index (arena strings do). */
static size_t *key_slot(DplArena *a, KeyIndex *ix, const char *key)
{
    if (2 * (ix->len + 1) > ix->cap) {
        KeyIndex bigger = {0};
        bigger.cap = ix->cap ? ix->cap * 2 : 64;
        bigger.keys = dpl_arena_alloc(a, bigger.cap * sizeof *bigger.keys);
        bigger.vals = dpl_arena_alloc(a, bigger.cap * sizeof *bigger.vals);
        for (size_t i = 0; i < ix->cap; i++)
            if (ix->keys[i])
                *key_slot(a, &bigger, ix->keys[i]) = ix->vals[i];
        *ix = bigger;
    }
    size_t i = key_hash(key) & (ix->cap - 1);
    while (ix->keys[i] && strcmp(ix->keys[i], key) != 0)
        i = (i + 1) & (ix->cap - 1);
    if (!ix->keys[i]) {
        ix->keys[i] = key;
        ix->len++;
    }
    return &ix->vals[i];
}

/* ---- paths the program reads (spec §12.5) ---------------------------------------- */

static DplSegment data_seg = {.kind = DPL_SEG_FIELD, .name = "data", .name_len = 4};

/* The absolute spelling users see: data.customer.email, data.items[*].qty,
 * data."first name". */
static const char *spell(DplArena *a, const DplSegment *segs, size_t n)
{
    DplBuf b = {0};
    for (size_t i = 0; i < n; i++) {
        const DplSegment *s = &segs[i];
        if (s->kind == DPL_SEG_FIELD) {
            if (i)
                dpl_buf_putc(&b, '.');
            if (dpl_tok_is_name(s->name, s->name_len))
                dpl_buf_append(&b, s->name, s->name_len);
            else
                dpl_ast_quote(&b, s->name, s->name_len);
        } else if (s->kind == DPL_SEG_INDEX) {
            dpl_buf_printf(&b, "[%lld]", (long long)s->index);
        } else {
            dpl_buf_puts(&b, "[*]");
        }
    }
    const char *t = dpl_arena_strndup(a, b.data ? b.data : "", b.len);
    dpl_buf_free(&b);
    return t;
}

/* The absolute segments of path p read in scope rel (arena), or NULL when
 * the scope is not known statically. */
static DplSegment *absolute(DplArena *a, const DplScope *rel, const DplPath *p, size_t *n)
{
    if (p->root == DPL_ROOT_DATA || p->root == DPL_ROOT_METADATA) {
        *n = p->nsegs;
        return p->segs;
    }
    if (!rel->known)
        return NULL;
    *n = rel->nsegs + p->nsegs;
    DplSegment *segs = dpl_arena_alloc(a, (*n ? *n : 1) * sizeof *segs);
    memcpy(segs, rel->segs, rel->nsegs * sizeof *segs);
    if (p->nsegs)
        memcpy(segs + rel->nsegs, p->segs, p->nsegs * sizeof *segs);
    return segs;
}

void dpl_check_read(DplChecker *c, DplExpr *e)
{
    DplPath *p = &e->u.path;
    if (p->root == DPL_ROOT_ITEM && c->elem_depth == 0)
        return; /* E313, reported by the caller */
    if (!c->collect && p->abs)
        return; /* re-checked out of its scope (dpl_check_types): keep what dpl_check made */
    size_t n;
    DplSegment *segs = absolute(c->prog->arena, &c->rel, p, &n);
    if (!segs)
        return;
    p->abs = spell(c->prog->arena, segs, n);
    if (!c->collect)
        return;
    size_t *slot = key_slot(c->prog->arena, c->read_index, p->abs);
    if (*slot == 0) {
        DplReadPath r = {p->abs, segs, n};
        dpl_vec_push(c->prog->arena, &c->reads, r);
        *slot = c->reads.len;
    }
    DplReadSite site = {*slot - 1, e->span};
    dpl_vec_push(c->prog->arena, &c->sites, site);
}

void dpl_check_item(DplChecker *c, DplExpr *e)
{
    if (c->elem_depth == 0 || !c->rel.known)
        return;
    if (!c->collect && e->u.meta.abs)
        return; /* re-checked out of its scope: keep what dpl_check made */
    e->u.meta.abs = spell(c->prog->arena, c->rel.segs, c->rel.nsegs);
}

/* The scope of relative paths inside `add from P`: P's absolute segments. */
static DplScope from_scope(DplChecker *c, DplPath *from)
{
    DplScope data = {&data_seg, 1, true};
    if (!from)
        return data;
    DplExpr e = {.kind = DPL_EXPR_PATH, .span = from->span, .u.path = *from};
    c->rel = data;
    dpl_check_read(c, &e); /* the `from` path is read too */
    from->abs = e.u.path.abs;
    size_t n;
    DplSegment *segs = absolute(c->prog->arena, &data, from, &n);
    return (DplScope){segs, n, true};
}

/* ---- statement-level rules ----------------------------------------------------- */

static const DplStmt *first_of(const DplProgram *p, DplStmtKind k)
{
    for (size_t i = 0; i < p->nstmts; i++)
        if (p->stmts[i].kind == k)
            return &p->stmts[i];
    return NULL;
}

/* An unknown statement (the parser's E203) may be the misspelt entity
 * (`entiy "x" { ... }`): then "no entity" would only repeat that error. */
static bool unknown_statement_reported(const DplChecker *c)
{
    for (size_t i = 0; i < c->diags->len; i++)
        if (c->diags->items[i].code == DPL_E203)
            return true;
    return false;
}

static void check_counts(DplChecker *c)
{
    const DplProgram *p = c->prog;
    const DplStmt *entity = first_of(p, DPL_STMT_ENTITY), *sources = first_of(p, DPL_STMT_SOURCES);
    for (size_t i = 0; i < p->nstmts; i++) {
        const DplStmt *s = &p->stmts[i];
        const DplStmt *first = s->kind == DPL_STMT_ENTITY    ? entity
                               : s->kind == DPL_STMT_SOURCES ? sources
                                                             : NULL;
        if (!first || first == s)
            continue;
        const char *kw = s->kind == DPL_STMT_ENTITY ? "entity" : "sources";
        DplPos at = dpl_source_locate(p->src, first->keyword_span.start);
        DplDiag *d = dpl_diag_add(c->diags, DPL_E302, s->keyword_span, "duplicate `%s` statement", kw);
        dpl_diag_label(d, "second `%s` statement", kw);
        dpl_diag_note(d, "the first `%s` statement is at line %u, column %u", kw, at.line, at.column);
        if (s->kind == DPL_STMT_ENTITY)
            dpl_diag_help(d, "a program produces one entity; write a separate program for another one");
        else
            dpl_diag_help(d, "list every source in one statement: sources \"a\", \"b\"");
    }
    if (!entity && !unknown_statement_reported(c)) {
        DplDiag *d = dpl_diag_add(c->diags, DPL_E301, (DplSpan){0, 0}, "no `entity` statement");
        dpl_diag_help(d, "declare the entity and its keys: entity \"NAME\" { key.path }");
    }
    if (entity && entity->u.entity.nkeys == 0) {
        DplDiag *d =
            dpl_diag_add(c->diags, DPL_E309, entity->span, "entity `%.*s` has no keys",
                         (int)entity->u.entity.name_len, entity->u.entity.name ? entity->u.entity.name : "");
        dpl_diag_help(d, "list the paths that identify a record inside the braces");
    }
    if (entity && !sources) {
        DplDiag *d = dpl_diag_add(c->diags, DPL_W401, entity->keyword_span,
                                  "no `sources` statement: every record is accepted");
        dpl_diag_help(d, "add `sources \"NAME\"` to skip records from other sources");
    }
}

static void check_mandatory(DplChecker *c)
{
    const DplProgram *p = c->prog;
    KeyIndex seen = {0};
    DPL_VEC(const DplExpr *) exprs = {0};
    c->phase = DPL_PHASE_MANDATORY;
    for (size_t i = 0; i < p->nstmts; i++) {
        const DplStmt *s = &p->stmts[i];
        if (s->kind != DPL_STMT_MANDATORY)
            continue;
        for (size_t j = 0; j < s->u.mandatory.npaths; j++) {
            DplExpr *e = s->u.mandatory.paths[j];
            dpl_check_infer(c, e);
            if (!e || e->kind != DPL_EXPR_PATH)
                continue;
            DplBuf b = {0};
            path_key(&b, &e->u.path);
            const char *key = dpl_arena_strndup(p->arena, b.data ? b.data : "", b.len);
            dpl_buf_free(&b);
            size_t *slot = key_slot(p->arena, &seen, key);
            if (*slot == 0) {
                dpl_vec_push(p->arena, &exprs, e);
                *slot = exprs.len;
                continue;
            }
            size_t k = *slot - 1;
            DplPos at = dpl_source_locate(p->src, exprs.items[k]->span.start);
            DplDiag *d = dpl_diag_add(c->diags, DPL_W402, e->span, "path is already listed in `mandatory`");
            dpl_diag_label(d, "listed again here");
            dpl_diag_note(d, "first listed at line %u, column %u", at.line, at.column);
            dpl_diag_note(d, "a relative path such as `valor` is the same field as `data.valor`");
        }
    }
}

static void check_keys_and_requirements(DplChecker *c)
{
    const DplProgram *p = c->prog;
    for (size_t i = 0; i < p->nstmts; i++) {
        const DplStmt *s = &p->stmts[i];
        if (s->kind == DPL_STMT_ENTITY) {
            c->phase = DPL_PHASE_KEYS;
            for (size_t j = 0; j < s->u.entity.nkeys; j++)
                dpl_check_infer(c, s->u.entity.keys[j]);
        } else if (s->kind == DPL_STMT_REQUIREMENT) {
            c->phase = DPL_PHASE_REQUIREMENT;
            for (size_t j = 0; j < s->u.requirement.nexprs; j++)
                dpl_check_condition(c, s->u.requirement.exprs[j], "requirement");
        } else if (s->kind == DPL_STMT_WHERE) {
            c->phase = DPL_PHASE_WHERE;
            for (size_t j = 0; j < s->u.where.nexprs; j++)
                dpl_check_condition(c, s->u.where.exprs[j], "`where` condition");
        }
    }
}

/* ---- add blocks ---------------------------------------------------------------------- */

/* What the add items so far have written, to find double writes (E306) and
 * deletes of nothing (W403). */
typedef struct {
    const char *key; /* target segments joined by 0x1F */
    DplSpan span;    /* the first writer */
    bool all_append; /* every write so far said `append` */
    bool live;       /* not deleted since */
} Written;

typedef struct {
    DPL_VEC(Written) w;
    KeyIndex latest; /* key -> index of its latest entry in w, plus one */
    KeyIndex parents; /* proper prefixes (up to PARENTS_MAX segments) of
                         written keys -> 1: lets written_below skip its scan,
                         which made 300k add items take minutes */
    bool all_seen;   /* an `all` may have written any name */
} Writes;

static char *target_key(DplArena *a, const DplTarget *t)
{
    DplBuf b = {0};
    for (size_t i = 0; i < t->nsegs; i++) {
        if (i)
            dpl_buf_putc(&b, '\x1f');
        dpl_buf_puts(&b, t->segs[i] ? t->segs[i] : "");
    }
    char *k = dpl_arena_strndup(a, b.data ? b.data : "", b.len);
    dpl_buf_free(&b);
    return k;
}

/* "a.b" for messages. */
static const char *key_display(DplArena *a, const char *key)
{
    char *s = dpl_arena_strdup(a, key);
    for (char *q = s; *q; q++)
        if (*q == '\x1f')
            *q = '.';
    return s;
}

static Written *find_written(DplArena *a, Writes *ws, const char *key)
{
    size_t i = *key_slot(a, &ws->latest, key);
    return i && ws->w.items[i - 1].live ? &ws->w.items[i - 1] : NULL;
}

/* True when key, a parent of it or a child of it was written: deleting
 * `a` after writing `a.b`, or `a.b` after writing `a`, both do something. */
static bool touches_written(const Writes *ws, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < ws->w.len; i++) {
        const Written *w = &ws->w.items[i];
        if (!w->live)
            continue;
        size_t m = strlen(w->key), k = n < m ? n : m;
        if (memcmp(w->key, key, k) == 0 && (n == m || (n > m ? key[m] : w->key[n]) == '\x1f'))
            return true;
    }
    return false;
}

/* Keys deeper than this (absurd: no record nests that deep) are not
 * indexed in Writes.parents; written_below scans for them instead, so the
 * index costs at most PARENTS_MAX prefixes per write. */
enum { PARENTS_MAX = 64 };

/* A live written key strictly below key (`x.y` below `x`), or NULL. */
static const Written *written_below(DplArena *a, Writes *ws, const char *key)
{
    size_t segs = 1;
    for (const char *q = strchr(key, '\x1f'); q && segs <= PARENTS_MAX; q = strchr(q + 1, '\x1f'))
        segs++;
    if (segs <= PARENTS_MAX && *key_slot(a, &ws->parents, key) == 0)
        return NULL; /* nothing was ever written below key */
    size_t n = strlen(key);
    for (size_t i = 0; i < ws->w.len; i++) {
        const Written *w = &ws->w.items[i];
        if (w->live && strncmp(w->key, key, n) == 0 && w->key[n] == '\x1f')
            return w;
    }
    return NULL;
}

/* A plain path item writes to its last field; give it that target. */
static bool implicit_target(DplChecker *c, DplAddItem *it)
{
    const DplPath *path = &it->value->u.path;
    const DplSegment *last = path->nsegs ? &path->segs[path->nsegs - 1] : NULL;
    if (!last || last->kind != DPL_SEG_FIELD) {
        DplBuf text = {0};
        dpl_path_print(&text, path);
        DplDiag *d = dpl_diag_add(c->diags, DPL_E204, it->value->span,
                                  "add item `%s` needs `-> target`: its path ends in an index",
                                  text.data ? text.data : "");
        dpl_diag_label(d, "this value has no attribute name");
        dpl_diag_help(d, "name the attribute: `%s -> name`", text.data ? text.data : "");
        dpl_buf_free(&text);
        return false;
    }
    if (it->target.nsegs == 0) {
        const char **segs = dpl_arena_alloc(c->prog->arena, sizeof *segs);
        segs[0] = dpl_arena_strndup(c->prog->arena, last->name, last->name_len);
        it->target.segs = segs;
        it->target.nsegs = 1;
        it->target.span = last->span;
    }
    return true;
}

static void check_delete(DplChecker *c, Writes *ws, DplAddItem *it)
{
    const DplExpr *e = it->value;
    if (!e || e->kind != DPL_EXPR_PATH)
        return;
    /* the attribute name: field segments up to the first index, without a
     * leading `data` (attributes are named like targets) */
    const DplPath *p = &e->u.path;
    DplBuf b = {0};
    for (size_t i = p->root == DPL_ROOT_DATA ? 1 : 0; i < p->nsegs && p->segs[i].kind == DPL_SEG_FIELD; i++) {
        if (b.len)
            dpl_buf_putc(&b, '\x1f');
        dpl_buf_append(&b, p->segs[i].name, p->segs[i].name_len);
    }
    char *key = dpl_arena_strndup(c->prog->arena, b.data ? b.data : "", b.len);
    dpl_buf_free(&b);
    if (!ws->all_seen && !touches_written(ws, key)) {
        DplDiag *d =
            dpl_diag_add(c->diags, DPL_W403, e->span, "`delete` of `%s`, which no earlier item writes",
                         key_display(c->prog->arena, key));
        dpl_diag_help(d, "check the spelling, or remove the `delete`");
    }
    /* after a delete the name may be written again */
    size_t n = strlen(key);
    for (size_t i = 0; i < ws->w.len; i++) {
        Written *w = &ws->w.items[i];
        if (strncmp(w->key, key, n) == 0 && (w->key[n] == '\0' || w->key[n] == '\x1f'))
            w->live = false;
    }
}

static void check_write(DplChecker *c, Writes *ws, DplAddItem *it)
{
    char *key = target_key(c->prog->arena, &it->target);
    bool append = it->modifier == DPL_MOD_APPEND;
    /* the offending text: the explicit target, or the plain path that names itself */
    DplSpan span = it->has_target ? it->target.span : it->value->span;
    Written *prev = find_written(c->prog->arena, ws, key);
    const Written *inner = prev ? NULL : written_below(c->prog->arena, ws, key);
    if (inner && it->modifier != DPL_MOD_OVERWRITE) {
        /* `a -> x.y` then `b -> x`: x replaces the object that holds x.y,
         * so what the earlier item wrote is silently lost. */
        DplPos at = dpl_source_locate(c->prog->src, inner->span.start);
        const char *name = key_display(c->prog->arena, key);
        const char *inner_name = key_display(c->prog->arena, inner->key);
        DplDiag *d = dpl_diag_add(c->diags, DPL_E306, span, "attribute `%s` is written again: it replaces `%s`",
                                  name, inner_name);
        dpl_diag_label(d, "`%s` replaced here", name);
        dpl_diag_note(d, "`%s` written at line %u, column %u", inner_name, at.line, at.column);
        dpl_diag_help(d, "write `overwrite` before this item to replace `%s` on purpose", name);
    }
    if (!prev) {
        Written w = {key, span, append, true};
        dpl_vec_push(c->prog->arena, &ws->w, w);
        *key_slot(c->prog->arena, &ws->latest, key) = ws->w.len;
        size_t d = 0;
        for (const char *q = strchr(key, '\x1f'); q && ++d <= PARENTS_MAX; q = strchr(q + 1, '\x1f'))
            *key_slot(c->prog->arena, &ws->parents, dpl_arena_strndup(c->prog->arena, key, (size_t)(q - key))) = 1;
        return;
    }
    if (it->modifier == DPL_MOD_OVERWRITE || (append && prev->all_append)) {
        prev->all_append = prev->all_append && append;
        return;
    }
    DplPos at = dpl_source_locate(c->prog->src, prev->span.start);
    const char *name = key_display(c->prog->arena, key);
    DplDiag *d = dpl_diag_add(c->diags, DPL_E306, span, "attribute `%s` is written twice", name);
    dpl_diag_label(d, "`%s` written again here", name);
    dpl_diag_note(d, "first written at line %u, column %u", at.line, at.column);
    dpl_diag_help(
        d,
        append
            ? "the first write must say `append` too"
            : "write `overwrite` before this item to replace the value, or `append` on both to collect them");
}

static void check_add(DplChecker *c, Writes *ws, DplStmt *s)
{
    c->phase = DPL_PHASE_ADD;
    c->rel = from_scope(c, s->u.add.from);
    for (size_t i = 0; i < s->u.add.nitems; i++) {
        DplAddItem *it = &s->u.add.items[i];
        if (it->kind == DPL_ITEM_ALL) {
            ws->all_seen = true;
            continue;
        }
        if (it->kind == DPL_ITEM_DELETE) {
            check_delete(c, ws, it);
            continue;
        }
        if (it->cond)
            dpl_check_condition(c, it->cond, "`if` condition");
        if (!it->value)
            continue;
        dpl_check_infer(c, it->value);
        if (it->has_target && it->target.nsegs == 0)
            continue; /* `->` without a valid target: the parser's E201; nothing to track */
        bool has_target = it->has_target;
        if (!has_target && it->value->kind == DPL_EXPR_PATH)
            has_target = implicit_target(c, it);
        /* other items without a target are the parser's E204 */
        if (has_target)
            check_write(c, ws, it);
    }
    c->rel = (DplScope){&data_seg, 1, true};
}

/* ---- entry points ---------------------------------------------------------------------------- */

bool dpl_check(DplProgram *prog, DplDiagList *diags)
{
    size_t before = dpl_diag_count(diags, DPL_SEV_ERROR);
    KeyIndex reads = {0};
    DplChecker c = {.prog = prog, .diags = diags, .phase = DPL_PHASE_KEYS, .rel = {&data_seg, 1, true},
                    .collect = true, .read_index = &reads};
    check_counts(&c);
    check_keys_and_requirements(&c);
    check_mandatory(&c);
    Writes ws = {0};
    for (size_t i = 0; i < prog->nstmts; i++)
        if (prog->stmts[i].kind == DPL_STMT_ADD)
            check_add(&c, &ws, &prog->stmts[i]);
    prog->reads = c.reads.items;
    prog->nreads = c.reads.len;
    prog->read_sites = c.sites.items;
    prog->nread_sites = c.sites.len;
    return dpl_diag_count(diags, DPL_SEV_ERROR) == before;
}

bool dpl_check_expr(DplProgram *prog, DplExpr *e, DplDiagList *diags)
{
    size_t before = dpl_diag_count(diags, DPL_SEV_ERROR);
    DplChecker c = {.prog = prog, .diags = diags, .phase = DPL_PHASE_ADD, .rel = {&data_seg, 1, true}};
    dpl_check_infer(&c, e);
    return dpl_diag_count(diags, DPL_SEV_ERROR) == before;
}

DplTypes dpl_check_types(DplProgram *prog, DplExpr *e)
{
    DplDiagList scratch = {0};
    /* the paths' absolute spellings were made by dpl_check, in their scopes:
     * dpl_check_read keeps them when not collecting */
    DplChecker c = {.prog = prog, .diags = &scratch, .phase = DPL_PHASE_ADD, .rel = {&data_seg, 1, true}};
    DplTypes t = dpl_check_infer(&c, e);
    dpl_diag_list_free(&scratch);
    return t;
}

DplProgram *dpl_compile(const DplSource *src, DplDiagList *diags, bool *ok)
{
    size_t before = dpl_diag_count(diags, DPL_SEV_ERROR);
    DplProgram *prog = dpl_parse(src, diags);
    dpl_check(prog, diags);
    *ok = dpl_diag_count(diags, DPL_SEV_ERROR) == before;
    return prog;
}
