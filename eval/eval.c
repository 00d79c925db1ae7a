/* eval.c — one record through the phases of spec §7: source filter,
 * validation (every failure collected), identity, build, emit.
 *
 * dpl_eval_new() prepares what does not depend on the record once (the
 * statements by kind, absolute path texts for messages) so the per-record
 * path only walks the AST and the record. */
#include <stdio.h>

#include "eval/internal.h"
#include "lexer/lexer.h"

/* ---- path text ------------------------------------------------------------------- */

char *dpl__path_text(const DplPath *p)
{
    DplBuf b = {0};
    if (p->root == DPL_ROOT_RELATIVE)
        dpl_buf_puts(&b, "data");
    for (size_t i = 0; i < p->nsegs; i++) {
        const DplSegment *s = &p->segs[i];
        switch (s->kind) {
        case DPL_SEG_FIELD:
            if (b.len)
                dpl_buf_putc(&b, '.');
            /* a reject names data.if bare: this is a JSON path, not DPL */
            if (dpl_tok_is_name(s->name, s->name_len))
                dpl_buf_append(&b, s->name, s->name_len);
            else
                dpl_json_write_string(&b, s->name, s->name_len);
            break;
        case DPL_SEG_INDEX: dpl_buf_printf(&b, "[%lld]", (long long)s->index); break;
        case DPL_SEG_STAR: dpl_buf_puts(&b, "[*]"); break;
        }
    }
    return dpl_buf_take(&b);
}

/* ---- preparation --------------------------------------------------------------------- */

/* Appends the checks of one more statement to an array (NULL when empty). */
static void add_checks(EvalCheck **arr, size_t *len, DplExpr *const *exprs, size_t n)
{
    *arr = dpl_realloc(*arr, (*len + n + 1) * sizeof **arr);
    for (size_t i = 0; i < n; i++) {
        EvalCheck *ck = &(*arr)[*len + i];
        ck->expr = exprs[i];
        ck->abs_path = exprs[i]->kind == DPL_EXPR_PATH ? dpl__path_text(&exprs[i]->u.path) : NULL;
        ck->mandatory = SIZE_MAX;
    }
    *len += n;
}

/* A path listed twice in `mandatory` (warning W402, so the program runs)
 * is checked once: spec §7 wants one missing_mandatory error per path.
 * Fills index (path text -> position in ev->mandatory), which also tells
 * which entity keys are mandatory paths; linear in the number of paths. */
static void dedupe_mandatory(DplEvaluator *ev, DplStrMap *index)
{
    size_t kept = 0;
    for (size_t i = 0; i < ev->nmandatory; i++) {
        const char *p = ev->mandatory[i].abs_path;
        if (p && !dpl_strmap_put(index, p, strlen(p), kept, NULL))
            dpl_free(ev->mandatory[i].abs_path);
        else
            ev->mandatory[kept++] = ev->mandatory[i];
    }
    ev->nmandatory = kept;
}

DplEvaluator *dpl_eval_new(const DplProgram *prog)
{
    DplEvaluator *ev = dpl_calloc(1, sizeof *ev);
    ev->prog = prog;
    ev->adds = dpl_calloc(prog->nstmts + 1, sizeof *ev->adds);
    for (size_t i = 0; i < prog->nstmts; i++) {
        const DplStmt *st = &prog->stmts[i];
        switch (st->kind) {
        case DPL_STMT_ENTITY:
            if (!ev->entity)
                ev->entity = st;
            break;
        case DPL_STMT_SOURCES:
            if (!ev->sources)
                ev->sources = st;
            break;
        case DPL_STMT_MANDATORY:
            add_checks(&ev->mandatory, &ev->nmandatory, st->u.mandatory.paths, st->u.mandatory.npaths);
            break;
        case DPL_STMT_REQUIREMENT:
            add_checks(&ev->requirements, &ev->nrequirements, st->u.requirement.exprs, st->u.requirement.nexprs);
            break;
        case DPL_STMT_ADD: ev->adds[ev->nadds++] = st; break;
        case DPL_STMT_WHERE:
            add_checks(&ev->wheres, &ev->nwheres, st->u.where.exprs, st->u.where.nexprs);
            break;
        }
    }
    DplStrMap mandatory_index = {0};
    dedupe_mandatory(ev, &mandatory_index);
    if (ev->entity) {
        add_checks(&ev->keys, &ev->nkeys, ev->entity->u.entity.keys, ev->entity->u.entity.nkeys);
        for (size_t k = 0; k < ev->nkeys; k++) {
            const char *p = ev->keys[k].abs_path;
            if (p)
                dpl_strmap_get(&mandatory_index, p, strlen(p), &ev->keys[k].mandatory);
        }
        ev->entity_name = json_stringn_nocheck(ev->entity->u.entity.name, ev->entity->u.entity.name_len);
    } else {
        ev->entity_name = json_string("");
    }
    dpl_strmap_free(&mandatory_index);
    for (size_t i = 0; ev->sources && i < ev->sources->u.sources.nnames; i++)
        dpl_strmap_put(&ev->source_names, ev->sources->u.sources.names[i], ev->sources->u.sources.name_lens[i], i,
                       NULL);
    if (ev->sources && ev->sources->u.sources.nnames)
        ev->default_source = dpl_strndup(ev->sources->u.sources.names[0], ev->sources->u.sources.name_lens[0]);
    else
        ev->default_source = dpl_strdup("stdin");
    const DplPath *using = ev->sources ? ev->sources->u.sources.using_path : NULL;
    ev->source_where = using ? dpl__path_text(using) : dpl_strdup("metadata.source");
    return ev;
}

static void free_checks(EvalCheck *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dpl_free(c[i].abs_path);
    dpl_free(c);
}

void dpl_eval_free(DplEvaluator *ev)
{
    if (!ev)
        return;
    free_checks(ev->mandatory, ev->nmandatory);
    free_checks(ev->requirements, ev->nrequirements);
    free_checks(ev->wheres, ev->nwheres);
    free_checks(ev->keys, ev->nkeys);
    dpl_free(ev->adds);
    dpl_strmap_free(&ev->source_names);
    dpl_free(ev->default_source);
    dpl_free(ev->source_where);
    json_decref(ev->entity_name);
    dpl_free(ev);
}

const char *dpl_eval_default_source(const DplEvaluator *ev) { return ev->default_source; }

void dpl_eval_set_cover(DplEvaluator *ev, DplCoverFn fn, void *ctx)
{
    ev->cover = fn;
    ev->cover_ctx = ctx;
}

/* ---- phase 1: source ---------------------------------------------------------------- */

/* Sets c->source, or adds missing_source to out; returns the outcome so far. */
static DplOutcome source_phase(EvalCtx *c, DplResult *out)
{
    const DplStmt *st = c->ev->sources;
    const DplPath *using = st ? st->u.sources.using_path : NULL;
    const char *where = c->ev->source_where;
    json_t *v;
    const DplSpan *rule = NULL;
    if (using) {
        v = dpl__eval_path(c, using);
        rule = &using->span;
    } else {
        json_t *md = json_object_get(c->record, "metadata");
        v = json_incref(json_object_get(md, "source"));
        /* the `sources` statement is the rule that demands a source */
        rule = st ? &st->keyword_span : NULL;
    }
    DplOutcome res = DPL_EMIT;
    if (!st && !json_is_string(v)) {
        /* No `sources` statement: every record is accepted (W401).  A record
         * that names no source is emitted with "source":null and 'source is
         * missing; the filter is what makes a source mandatory. */
    } else if (!v || json_is_null(v)) {
        dpl_result_add_error(out, DPL_RT_MISSING_SOURCE, where, rule, "the record has no source (%s is %s)", where,
                             v ? "null" : "missing");
        res = DPL_REJECT;
    } else if (!json_is_string(v)) {
        dpl_result_add_error(out, DPL_RT_MISSING_SOURCE, where, rule, "the source %s must be a string, found %s",
                             where, dpl_value_article(v));
        res = DPL_REJECT;
    } else {
        /* the string lives in the record, which outlives the result */
        c->source = v;
        out->source = json_string_value(v);
        if (st) {
            if (!dpl_strmap_get(&c->ev->source_names, json_string_value(v), json_string_length(v), NULL))
                res = DPL_SKIP;
            DPL__COVER(c->ev, st, res == DPL_EMIT);
        }
    }
    json_decref(v);
    return res;
}

/* ---- phase 1b: where (v1.1) ------------------------------------------------------------- */

/* Every `where` expression runs (no short-circuit between them, spec
 * §12.6): errors reject the record with the where errors alone; otherwise
 * any value that is not `true` skips it. */
static DplOutcome where_phase(EvalCtx *c, DplResult *out)
{
    const DplEvaluator *ev = c->ev;
    bool keep = true;
    for (size_t i = 0; i < ev->nwheres; i++) {
        json_t *v = dpl__eval(c, ev->wheres[i].expr);
        if (c->err.set) {
            dpl__eval_collect(c, out, NULL);
            json_decref(v);
            continue;
        }
        DPL__COVER(ev, ev->wheres[i].expr, json_is_true(v));
        keep = keep && json_is_true(v);
        json_decref(v);
    }
    if (out->nerrors)
        return DPL_REJECT;
    if (!keep) {
        out->skipped_by = DPL_SKIP_WHERE;
        return DPL_SKIP;
    }
    return DPL_EMIT;
}

/* ---- phase 2: validation -------------------------------------------------------------- */

/* The expression's source text on one line, for requirement and key
 * messages: runs of white space between tokens become one space and
 * comments are dropped (an expression may span lines), while string
 * literals are copied exactly ("x   y" and "#" inside quotes are data). */
void dpl_eval_expr_text(DplBuf *b, const DplSource *src, DplSpan sp)
{
    bool space = false, in_string = false;
    uint32_t end = sp.end < src->len ? sp.end : (uint32_t)src->len;
    for (uint32_t i = sp.start; i < end; i++) {
        char ch = src->text[i];
        if (in_string) {
            dpl_buf_putc(b, ch);
            if (ch == '\\' && i + 1 < end)
                dpl_buf_putc(b, src->text[++i]);
            else if (ch == '"')
                in_string = false;
            continue;
        }
        if (ch == '#') {
            while (i + 1 < end && src->text[i + 1] != '\n')
                i++;
            space = true;
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            space = true;
            continue;
        }
        if (space && b->len)
            dpl_buf_putc(b, ' ');
        space = false;
        in_string = ch == '"';
        dpl_buf_putc(b, ch);
    }
}

static void check_requirement(EvalCtx *c, const EvalCheck *rq, DplResult *out)
{
    json_t *v = dpl__eval(c, rq->expr);
    if (c->err.set) {
        dpl__eval_collect(c, out, NULL);
        return;
    }
    DPL__COVER(c->ev, rq->expr, json_is_true(v));
    if (json_is_true(v)) {
        json_decref(v);
        return;
    }
    DplBuf text = {0};
    dpl_eval_expr_text(&text, c->ev->prog->src, rq->expr->span);
    if (!v || json_is_boolean(v) || json_is_null(v))
        dpl_result_add_error(out, DPL_RT_REQUIREMENT_FAILED, NULL, &rq->expr->span, "requirement `%s` is not met%s",
                             text.data ? text.data : "", v ? "" : " (a value it needs is missing)");
    else {
        dpl_result_add_error(out, DPL_RT_TYPE_ERROR, rq->abs_path, &rq->expr->span,
                             "requirement `%s` must be a boolean, found %s", text.data ? text.data : "",
                             dpl_value_article(v));
        dpl_result_set_value(out, v);
    }
    dpl_buf_free(&text);
    json_decref(v);
}

/* Returns whether the mandatory path at index i failed. */
static bool check_mandatory(EvalCtx *c, const EvalCheck *m, DplResult *out)
{
    DPL__COVER(c->ev, m->expr, true);
    json_t *v = dpl__eval(c, m->expr);
    const char *why = !v                                       ? "missing"
                      : json_is_null(v)                        ? "null"
                      : json_is_string(v) && !json_string_length(v) ? "empty"
                                                                : NULL;
    json_decref(v);
    if (why)
        dpl_result_add_error(out, DPL_RT_MISSING_MANDATORY, m->abs_path, &m->expr->span, "mandatory field %s is %s",
                             m->abs_path, why);
    return why != NULL;
}

/* Evaluates the entity keys into vals[]; reports missing and null keys,
 * except a key path already reported by a failed mandatory path. */
static void check_keys(EvalCtx *c, json_t **vals, const bool *mand_failed, DplResult *out)
{
    const DplEvaluator *ev = c->ev;
    for (size_t k = 0; k < ev->nkeys; k++) {
        const EvalCheck *key = &ev->keys[k];
        DPL__COVER(ev, key->expr, true);
        vals[k] = dpl__eval(c, key->expr);
        if (c->err.set) {
            dpl__eval_collect(c, out, key->abs_path);
            continue;
        }
        if (vals[k] && !json_is_null(vals[k]))
            continue;
        if (key->mandatory != SIZE_MAX && mand_failed[key->mandatory])
            continue; /* already reported as missing_mandatory */
        const char *why = vals[k] ? "null" : "missing";
        if (key->abs_path) {
            dpl_result_add_error(out, DPL_RT_MISSING_KEY, key->abs_path, &key->expr->span, "entity key %s is %s",
                                 key->abs_path, why);
        } else {
            DplBuf text = {0};
            dpl_eval_expr_text(&text, ev->prog->src, key->expr->span);
            dpl_result_add_error(out, DPL_RT_MISSING_KEY, NULL, &key->expr->span, "entity key `%s` is %s",
                                 text.data ? text.data : "", why);
            dpl_buf_free(&text);
        }
    }
}

/* ---- phase 3: identity ------------------------------------------------------------------ */

/* Lowercase hex SHA-256 of NAME, then 0x1F and the canonical JSON of each key. */
static json_t *identity(const DplEvaluator *ev, json_t *const *vals)
{
    DplBuf b = {0};
    dpl_buf_append(&b, json_string_value(ev->entity_name), json_string_length(ev->entity_name));
    for (size_t k = 0; k < ev->nkeys; k++) {
        dpl_buf_putc(&b, '\x1f');
        dpl_json_write_canonical(&b, vals[k]);
    }
    char out[DPL_SHA256_HEX_LEN];
    dpl_sha256_hex(b.data, b.len, out);
    dpl_buf_free(&b);
    return json_stringn_nocheck(out, sizeof out);
}

/* ---- the record ---------------------------------------------------------------------------- */

static void ctx_init(EvalCtx *c, const DplEvaluator *ev, json_t *record, long line)
{
    memset(c, 0, sizeof *c);
    c->ev = ev;
    c->record = record;
    c->base = json_object_get(record, "data");
    c->line = line;
}

#define STACK_KEYS 8

void dpl_eval_record(const DplEvaluator *ev, json_t *record, long line, DplResult *out)
{
    dpl_result_clear(out);
    if (!json_is_object(record)) {
        dpl_result_add_error(out, DPL_RT_NOT_AN_OBJECT, NULL, NULL, "the record is %s, not an object",
                             dpl_value_article(record));
        out->outcome = DPL_REJECT;
        return;
    }
    EvalCtx c;
    ctx_init(&c, ev, record, line);

    out->outcome = source_phase(&c, out);
    if (out->outcome == DPL_EMIT && ev->nwheres)
        out->outcome = where_phase(&c, out);
    if (out->outcome != DPL_EMIT)
        return;
    out->validated = true;

    bool mand_stack[STACK_KEYS];
    bool *mand_failed = ev->nmandatory <= STACK_KEYS ? mand_stack : dpl_malloc(ev->nmandatory * sizeof *mand_failed);
    for (size_t m = 0; m < ev->nmandatory; m++)
        mand_failed[m] = check_mandatory(&c, &ev->mandatory[m], out);
    for (size_t r = 0; r < ev->nrequirements; r++)
        check_requirement(&c, &ev->requirements[r], out);
    json_t *key_stack[STACK_KEYS];
    json_t **keys = ev->nkeys <= STACK_KEYS ? key_stack : dpl_malloc(ev->nkeys * sizeof *keys);
    check_keys(&c, keys, mand_failed, out);

    json_t *data = NULL;
    if (out->nerrors == 0) {
        c.id = identity(ev, keys);
        data = dpl__eval_build(&c, out);
    }
    if (data) {
        json_t *ent = json_object();
        json_object_set_nocheck(ent, "entity", ev->entity_name);
        json_object_set_nocheck(ent, "id", c.id);
        json_object_set_new_nocheck(ent, "source", c.source ? json_incref(c.source) : json_null());
        if (ev->entity && ev->entity->u.entity.substitutive)
            json_object_set_new_nocheck(ent, "substitutive", json_true());
        json_object_set_new_nocheck(ent, "data", data);
        out->entity = ent;
        out->outcome = DPL_EMIT;
    } else {
        out->outcome = DPL_REJECT;
    }

    for (size_t k = 0; k < ev->nkeys; k++)
        json_decref(keys[k]);
    if (keys != key_stack)
        dpl_free(keys);
    if (mand_failed != mand_stack)
        dpl_free(mand_failed);
    json_decref(c.id);
    json_decref(c.err_value);
}

/* Evaluates e alone against record; an error stays in c. */
static json_t *eval_alone(EvalCtx *c, const DplEvaluator *ev, const DplExpr *e, json_t *record, long line)
{
    ctx_init(c, ev, record, line);
    json_t *md = json_object_get(record, "metadata");
    json_t *src = json_object_get(md, "source");
    if (json_is_string(src))
        c->source = src;
    json_t *v = dpl__eval(c, e);
    if (c->err.set) {
        json_decref(v);
        return NULL;
    }
    return v;
}

json_t *dpl_eval_expr(const DplEvaluator *ev, const DplExpr *e, json_t *record, long line, DplRtError *err)
{
    EvalCtx c;
    json_t *v = eval_alone(&c, ev, e, record, line);
    json_decref(c.err_value);
    if (c.err.set && err && !err->set)
        *err = c.err;
    return v;
}

json_t *dpl_eval_expr_blamed(const DplEvaluator *ev, const DplExpr *e, json_t *record, long line, DplResult *errors)
{
    EvalCtx c;
    json_t *v = eval_alone(&c, ev, e, record, line);
    if (c.err.set)
        dpl__eval_collect(&c, errors, NULL);
    json_decref(c.err_value);
    return v;
}

char *dpl_eval_path_text(const DplPath *p) { return dpl__path_text(p); }
