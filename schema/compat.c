/* compat.c — `dplc compat OLD NEW` (spec §13): the changes between two
 * versions of a program that break the consumers of its records.
 *
 *   E501 an attribute OLD writes is no longer written (or `all` is gone)
 *   E502 an attribute every OLD record had is now only sometimes written
 *   E503 an attribute's type set is narrowed or changed (widened is fine)
 *   E504 the entity name changed (every id changes)
 *   E505 the entity keys changed, in list or order (every id changes)
 *   E506 a source OLD accepted is no longer accepted
 *   W501 `substitutive` was added or removed (consumers replace or merge)
 *
 * Additions (attributes, sources, wider types) are compatible and only
 * counted. */
#include <string.h>

#include "schema/internal.h"

typedef struct {
    DplArena *arena;
    Model old, new;
    DplProgram *old_prog, *new_prog;
    DplDiagList *old_diags, *new_diags;
    DplCompatSummary sum;
} Cmp;

static DplDiag *breaking(Cmp *c, DplDiagList *l, DplCode code, DplSpan span, const char *msg)
{
    DplDiag *d = dpl_diag_add(l, code, span, "%s", msg);
    if (dpl_code_severity(code) == DPL_SEV_ERROR)
        c->sum.breaking++;
    else
        c->sum.warnings++;
    return d;
}

static DplPos old_pos(const Cmp *c, DplSpan s)
{
    return dpl_source_locate(c->old_prog->src, s.start);
}

/* ---- expressions, as ids see them ---------------------------------------------------- */

static bool seg_equal(const DplSegment *a, const DplSegment *b)
{
    if (a->kind != b->kind)
        return false;
    if (a->kind == DPL_SEG_FIELD)
        return a->name_len == b->name_len && memcmp(a->name, b->name, a->name_len) == 0;
    if (a->kind == DPL_SEG_INDEX)
        return a->index == b->index;
    return true;
}

/* `valor` and `data.valor` are the same field. */
static bool path_equal(const DplPath *a, const DplPath *b)
{
    bool ra = a->root == DPL_ROOT_RELATIVE, rb = b->root == DPL_ROOT_RELATIVE;
    if (!ra && !rb && a->root != b->root)
        return false;
    if (!ra && a->root != DPL_ROOT_DATA && rb)
        return false;
    if (!rb && b->root != DPL_ROOT_DATA && ra)
        return false;
    size_t ia = ra ? 0 : 1, ib = rb ? 0 : 1;
    if (a->root != DPL_ROOT_RELATIVE && a->root != DPL_ROOT_DATA && a->root != DPL_ROOT_METADATA)
        ia = 0; /* other roots keep every segment */
    if (b->root != DPL_ROOT_RELATIVE && b->root != DPL_ROOT_DATA && b->root != DPL_ROOT_METADATA)
        ib = 0;
    if (a->nsegs - ia != b->nsegs - ib)
        return false;
    for (; ia < a->nsegs; ia++, ib++)
        if (!seg_equal(&a->segs[ia], &b->segs[ib]))
            return false;
    return true;
}

static bool expr_equal(const DplExpr *a, const DplExpr *b)
{
    return dpl_expr_equal(a, b, path_equal);
}

/* ---- identity: entity name, keys, substitutive ------------------------------------------------ */

static void compare_entity(Cmp *c)
{
    const DplStmt *o = c->old.entity, *n = c->new.entity;
    if (!o || !n)
        return;
    char *msg;
    if (o->u.entity.name_len != n->u.entity.name_len ||
        memcmp(o->u.entity.name, n->u.entity.name, n->u.entity.name_len) != 0) {
        msg = dpl_asprintf("the entity is now `%.*s`, it was `%.*s`", (int)n->u.entity.name_len,
                           n->u.entity.name, (int)o->u.entity.name_len, o->u.entity.name);
        DplDiag *d = breaking(c, c->new_diags, DPL_E504, n->u.entity.name_span, msg);
        dpl_free(msg);
        dpl_diag_label(d, "renamed here");
        dpl_diag_note(
            d, "the id hashes the entity name: every record gets a new id, and consumers see new entities");
        dpl_diag_help(d, "keep the name, or publish the renamed entity as a new topic");
    }
    size_t no = o->u.entity.nkeys, nn = n->u.entity.nkeys;
    for (size_t i = 0; i < (no > nn ? no : nn); i++) {
        if (i < no && i < nn && expr_equal(o->u.entity.keys[i], n->u.entity.keys[i]))
            continue;
        DplSpan span = i < nn ? n->u.entity.keys[i]->span : n->span;
        if (i < nn && i < no) {
            DplPos at = old_pos(c, o->u.entity.keys[i]->span);
            msg =
                dpl_asprintf("entity key %zu changed (it was `%s` at line %u)", i + 1,
                             dpl__item_text(c->arena, c->old_prog->src, o->u.entity.keys[i]->span), at.line);
        } else if (i < nn) {
            msg = dpl_asprintf("entity key %zu is new: the old program had %zu key%s", i + 1, no,
                               no == 1 ? "" : "s");
        } else {
            msg = dpl_asprintf("entity key %zu (`%s`) was removed", i + 1,
                               dpl__item_text(c->arena, c->old_prog->src, o->u.entity.keys[i]->span));
        }
        DplDiag *d = breaking(c, c->new_diags, DPL_E505, span, msg);
        dpl_free(msg);
        dpl_diag_label(d, "the key list changes here");
        dpl_diag_note(
            d, "the id hashes the keys in order: every record gets a new id, and consumers see new entities");
        dpl_diag_help(d, "keep the keys and their order; publish a different identity as a new entity");
        break; /* one change of the key list is reported once */
    }
    if (o->u.entity.substitutive != n->u.entity.substitutive) {
        DplDiag *d = breaking(c, c->new_diags, DPL_W501, n->keyword_span,
                              n->u.entity.substitutive ? "the entity is now substitutive"
                                                       : "the entity is no longer substitutive");
        dpl_diag_note(
            d, n->u.entity.substitutive
                   ? "consumers will replace what this source said about an entity, instead of merging"
                   : "consumers will merge what this source says about an entity, instead of replacing");
    }
}

/* ---- sources ---------------------------------------------------------------------------- */

static bool has_name(const DplStmt *s, const char *name, size_t len)
{
    for (size_t i = 0; i < s->u.sources.nnames; i++)
        if (s->u.sources.name_lens[i] == len && memcmp(s->u.sources.names[i], name, len) == 0)
            return true;
    return false;
}

static void compare_sources(Cmp *c)
{
    const DplStmt *o = c->old.sources, *n = c->new.sources;
    if (!n)
        return; /* every source is accepted now */
    if (!o) {
        DplDiag *d =
            breaking(c, c->new_diags, DPL_E506, n->keyword_span,
                     "only the listed sources are accepted now; the old program accepted every source");
        dpl_diag_note(d,
                      "records from any other source are skipped, and the `source` of the records narrows");
        return;
    }
    for (size_t i = 0; i < o->u.sources.nnames; i++) {
        const char *name = o->u.sources.names[i];
        size_t len = o->u.sources.name_lens[i];
        if (has_name(n, name, len))
            continue;
        char *msg = dpl_asprintf("source `%.*s` is no longer accepted", (int)len, name);
        DplDiag *d = breaking(c, c->old_diags, DPL_E506, o->u.sources.name_spans[i], msg);
        dpl_free(msg);
        dpl_diag_label(d, "removed from `sources`");
        dpl_diag_note(d, "records from `%.*s` are skipped now; consumers stop receiving its entities",
                      (int)len, name);
    }
    for (size_t i = 0; i < n->u.sources.nnames; i++)
        if (!has_name(o, n->u.sources.names[i], n->u.sources.name_lens[i]))
            c->sum.sources_added++;
}

/* ---- attributes ----------------------------------------------------------------------------------- */

static DplSpan attr_span(const Model *m, const Attr *a)
{
    const DplAddItem *it = dpl__attr_item(a);
    if (it)
        return it->span;
    return m->entity ? m->entity->span : (DplSpan){0, 0};
}

static size_t count_attrs(const Attr *a)
{
    size_t n = 0;
    for (size_t i = 0; i < a->kids.len; i++)
        if (!a->kids.items[i]->gone)
            n += 1 + count_attrs(a->kids.items[i]);
    return n;
}

static void compare_attr(Cmp *c, const Attr *o, const Attr *n);

static void compare_kids(Cmp *c, const Attr *o, const Attr *n)
{
    for (size_t i = 0; i < o->kids.len; i++) {
        const Attr *ok = o->kids.items[i];
        if (ok->gone)
            continue;
        const Attr *nk = dpl__attr_kid(n, ok->name, ok->len);
        const char *path = dpl__attr_path(c->arena, ok);
        if (nk) {
            compare_attr(c, ok, nk);
            continue;
        }
        if (n->open) {
            /* NEW may still hold it, as a value the program does not know */
            if (ok->present) {
                char *msg = dpl_asprintf("attribute `%s` is no longer written for every record", path);
                const DplAddItem *all = n->parent ? NULL : c->new.all_item;
                DplDiag *d =
                    breaking(c, c->new_diags, DPL_E502, all ? all->span : attr_span(&c->new, n), msg);
                dpl_free(msg);
                dpl_diag_note(d, "no item writes it any more; only a copied value may still hold it");
            }
            continue;
        }
        char *msg = dpl_asprintf("attribute `%s` is no longer written", path);
        DplDiag *d = breaking(c, c->old_diags, DPL_E501, attr_span(&c->old, ok), msg);
        dpl_free(msg);
        dpl_diag_label(d, "the old program writes it here");
        dpl_diag_note(d, "consumers that read `%s` break", path);
        dpl_diag_help(d, "keep writing it (with `if` when it does not apply), or publish a new entity");
    }
    for (size_t i = 0; i < n->kids.len; i++) {
        const Attr *nk = n->kids.items[i];
        if (!nk->gone && !dpl__attr_kid(o, nk->name, nk->len))
            c->sum.added += 1 + count_attrs(nk);
    }
}

static void type_change(Cmp *c, const Attr *n, const char *path, bool elements, DplTypes to, DplTypes tn)
{
    char ob[96], nb[96];
    const char *how = (tn & to) == tn ? "narrowed to" : "now";
    char *msg = elements
                    ? dpl_asprintf("the elements of `%s` are %s %s, they were %s", path, how,
                                   dpl__types_text(tn, nb, sizeof nb), dpl__types_text(to, ob, sizeof ob))
                    : dpl_asprintf("attribute `%s` is %s %s, it was %s", path, how,
                                   dpl__types_text(tn, nb, sizeof nb), dpl__types_text(to, ob, sizeof ob));
    DplDiag *d = breaking(c, c->new_diags, DPL_E503, attr_span(&c->new, n), msg);
    dpl_free(msg);
    dpl_diag_label(d, "%s", dpl__types_text(tn, nb, sizeof nb));
    dpl_diag_note(d, "consumers that read %s`%s` as %s break", elements ? "the elements of " : "", path,
                  dpl__types_text(to, ob, sizeof ob));
    dpl_diag_help(d, "keep the old type (a cast such as `as string` fixes it), or publish a new attribute");
}

/* The same items write the attribute, from the same `add from` paths: each
 * emitted record gets the very value it got before.  A narrower type then
 * only means that new rules (a `where`, a requirement, a cast elsewhere)
 * emit fewer records, which breaks no consumer. */
static bool same_writers(const Attr *o, const Attr *n)
{
    if (o->writers.len != n->writers.len || o->writers.len == 0 || o->container != n->container ||
        o->kids.len || n->kids.len)
        return false;
    for (size_t i = 0; i < o->writers.len; i++) {
        const DplAddItem *a = o->writers.items[i], *b = n->writers.items[i];
        const DplPath *fa = o->froms.items[i], *fb = n->froms.items[i];
        if (a->modifier != b->modifier || !expr_equal(a->value, b->value) || !expr_equal(a->cond, b->cond) ||
            !fa != !fb || (fa && !path_equal(fa, fb)))
            return false;
    }
    return true;
}

static void compare_attr(Cmp *c, const Attr *o, const Attr *n)
{
    const char *path = dpl__attr_path(c->arena, o);
    if (o->present && !n->present) {
        char *msg = dpl_asprintf("attribute `%s` is no longer written for every record", path);
        DplDiag *d = breaking(c, c->new_diags, DPL_E502, attr_span(&c->new, n), msg);
        dpl_free(msg);
        dpl_diag_label(d, "written only for some records now");
        DplPos at = old_pos(c, attr_span(&c->old, o));
        dpl_diag_note(d, "the old program wrote it for every record (line %u)", at.line);
        dpl_diag_help(
            d, "write it unconditionally: a `mandatory` path, a literal default (`x ?? \"\"`), no `if`");
    }
    DplTypes to = dpl__attr_types(o), tn = dpl__attr_types(n);
    bool same = same_writers(o, n);
    if ((to & ~tn) && !same)
        type_change(c, n, path, false, to, tn);
    else if (tn & ~to)
        c->sum.widened++;
    bool o_items = (to & DPL_T_ARRAY) && !o->items_any;
    bool n_items = (tn & DPL_T_ARRAY) && !n->items_any;
    DplTypes io = o_items ? o->items : DPL_T_ANY, in = n_items ? n->items : DPL_T_ANY;
    if (!(to & ~tn) && (io & ~in) && !same)
        type_change(c, n, path, true, io, in);
    compare_kids(c, o, n);
}

static void compare_data(Cmp *c)
{
    const Attr *o = c->old.root, *n = c->new.root;
    if (o->open && !n->open && c->old.all_item) {
        DplDiag *d = breaking(c, c->old_diags, DPL_E501, c->old.all_item->span,
                              "the fields `all` copied are no longer written");
        dpl_diag_label(d, "the old program copies every field here");
        dpl_diag_note(d, "consumers that read a copied field break");
        dpl_diag_help(d, "keep `all`, or list each field the consumers read");
    }
    compare_kids(c, o, n);
}

DplCompatSummary dpl_schema_compat(DplProgram *old_prog, DplProgram *new_prog, DplDiagList *old_diags,
                                   DplDiagList *new_diags)
{
    Cmp c = {0};
    c.arena = dpl_arena_new();
    c.old_prog = old_prog;
    c.new_prog = new_prog;
    c.old_diags = old_diags;
    c.new_diags = new_diags;
    dpl__model_build(&c.old, c.arena, old_prog);
    dpl__model_build(&c.new, c.arena, new_prog);
    compare_entity(&c);
    compare_sources(&c);
    compare_data(&c);
    dpl_arena_free(c.arena);
    return c.sum;
}
