/* record.c — one record through the phases of spec §7 (source filter,
 * validation with every failure collected, identity, build, emit) on the
 * engine's values; the same decisions and error texts as eval/eval.c, which
 * remains the reference (tests/engines compares the two). */
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"

DplEngineState *dpl_engine_state_new(const DplEngine *e)
{
    DplEngineState *st = dpl_calloc(1, sizeof *st);
    st->eng = e;
    st->vals = dpl_calloc(dpl_scan_plan_slots(e->plan), sizeof *st->vals);
    st->memo = dpl_scan_memo_new(e->plan);
    st->pcache = dpl_calloc(e->npaths + 1, sizeof *st->pcache);
    st->pgen = dpl_calloc(e->npaths + 1, sizeof *st->pgen);
    st->mval = dpl_calloc(e->nmemo + 1, sizeof *st->mval);
    st->mgen = dpl_calloc(e->nmemo + 1, sizeof *st->mgen);
    if (e->layout) {
        st->lborn = dpl_calloc(e->nlayout, sizeof *st->lborn);
        st->lnborn = dpl_calloc(e->nlayout, sizeof *st->lnborn);
        st->lorder = dpl_calloc(e->nlayout, sizeof *st->lorder);
        st->lval = dpl_calloc(e->nlayout, sizeof *st->lval);
    }
    return st;
}

void dpl_engine_state_free(DplEngineState *st)
{
    if (!st)
        return;
    eng_reset(st);
    dpl_free(st->first);
    dpl_free(st->jrefs);
    dpl_free(st->vals);
    dpl_scan_memo_free(st->memo);
    cut_free(st);
    dpl_free(st->pcache);
    dpl_free(st->pgen);
    dpl_free(st->mval);
    dpl_free(st->mgen);
    dpl_free(st->lborn);
    dpl_free(st->lnborn);
    dpl_free(st->lorder);
    dpl_free(st->lval);
    dpl_buf_free(&st->tmp);
    dpl_free(st->source_copy);
    dpl_free(st->svals);
    dpl_free(st->skeys);
    dpl_free(st);
}


/* The record's source as a C string for the reject line. */
static const char *source_text(DplEngineState *st)
{
    const EVal *s = &st->source;
    if (st->source_cap < (size_t)s->n + 1) {
        st->source_cap = (size_t)s->n + 1;
        st->source_copy = dpl_realloc(st->source_copy, st->source_cap);
    }
    memcpy(st->source_copy, s->u.s, s->n);
    st->source_copy[s->n] = '\0';
    return st->source_copy;
}

/* Phase 1; returns the outcome so far. */
static DplEngineOutcome source_phase(DplEngineState *st, DplResult *res)
{
    const DplEngine *e = st->eng;
    EVal v = ev_operand(st, e->source);
    st->source = MISSING;
    if (!e->sources && v.t != V_STR)
        return DPL_ENGINE_EMIT; /* no `sources`: every record is accepted (W401) */
    if (v.t == V_MISSING || v.t == V_NULL) {
        dpl_result_add_error(res, DPL_RT_MISSING_SOURCE, e->source_where, e->source_rule,
                             "the record has no source (%s is %s)", e->source_where, v.t == V_NULL ? "null" : "missing");
        return DPL_ENGINE_REJECT;
    }
    if (v.t != V_STR) {
        dpl_result_add_error(res, DPL_RT_MISSING_SOURCE, e->source_where, e->source_rule,
                             "the source %s must be a string, found %s", e->source_where, ev_article(st, &v));
        return DPL_ENGINE_REJECT;
    }
    st->source = v;
    res->source = source_text(st);
    if (!e->sources)
        return DPL_ENGINE_EMIT;
    const DplStmt *ss = e->sources;
    if (ss->u.sources.nnames > 8)
        return dpl_strmap_get(&e->source_names, v.u.s, v.n, NULL) ? DPL_ENGINE_EMIT : DPL_ENGINE_SKIP;
    for (size_t i = 0; i < ss->u.sources.nnames; i++)
        if (ss->u.sources.name_lens[i] == v.n && memcmp(ss->u.sources.names[i], v.u.s, v.n) == 0)
            return DPL_ENGINE_EMIT;
    return DPL_ENGINE_SKIP;
}

static void take_error(DplEngineState *st, DplResult *res, const char *path) { eng_collect(st, res, path); }

#define STACK 16

static void validate(DplEngineState *st, DplResult *res, EVal *keys)
{
    const DplEngine *e = st->eng;
    bool mstack[STACK];
    bool *mfailed = e->nmandatory <= STACK ? mstack : eng_alloc(st, e->nmandatory * sizeof *mfailed);
    for (size_t m = 0; m < e->nmandatory; m++) {
        const ECheck *ck = &e->mandatory[m];
        EVal v = ev_operand(st, ck->node);
        const char *why = v.t == V_MISSING ? "missing" : v.t == V_NULL ? "null" : v.t == V_STR && v.n == 0 ? "empty" : NULL;
        mfailed[m] = why != NULL;
        if (why)
            dpl_result_add_error(res, DPL_RT_MISSING_MANDATORY, ck->abs_path, &ck->expr->span, "mandatory field %s is %s",
                                 ck->abs_path, why);
    }
    for (size_t r = 0; r < e->nrequirements; r++) {
        const ECheck *ck = &e->requirements[r];
        EVal v = ev_operand(st, ck->node);
        if (st->err.set) {
            take_error(st, res, NULL);
            continue;
        }
        if (v.t == V_TRUE)
            continue;
        if (v.t == V_MISSING || v.t == V_NULL || v.t == V_FALSE)
            dpl_result_add_error(res, DPL_RT_REQUIREMENT_FAILED, NULL, &ck->expr->span, "requirement `%s` is not met%s",
                                 ck->text, v.t == V_MISSING ? " (a value it needs is missing)" : "");
        else {
            dpl_result_add_error(res, DPL_RT_TYPE_ERROR, ck->abs_path, &ck->expr->span,
                                 "requirement `%s` must be a boolean, found %s", ck->text, ev_article(st, &v));
            dpl_result_set_value(res, eng_keep(st, ev_box(st, &v)));
        }
    }
    for (size_t k = 0; k < e->nkeys; k++) {
        const ECheck *ck = &e->keys[k];
        EVal key = ev_operand(st, ck->node);
        ev_copy(&keys[k], &key);
        if (st->err.set) {
            take_error(st, res, ck->abs_path);
            continue;
        }
        if (keys[k].t != V_MISSING && keys[k].t != V_NULL)
            continue;
        if (ck->mand >= 0 && mfailed[ck->mand])
            continue;
        const char *why = keys[k].t == V_NULL ? "null" : "missing";
        if (ck->abs_path)
            dpl_result_add_error(res, DPL_RT_MISSING_KEY, ck->abs_path, &ck->expr->span, "entity key %s is %s",
                                 ck->abs_path, why);
        else
            dpl_result_add_error(res, DPL_RT_MISSING_KEY, NULL, &ck->expr->span, "entity key `%s` is %s", ck->text, why);
    }
}

/* The id (spec §7.3): SHA-256 of the name and each key's canonical JSON,
 * separated by 0x1f.  The message is assembled first and hashed in one
 * call (util's dpl_sha256_hex): SHA256_Update per piece cost more than the
 * hashing of such short messages. */
static void identity(DplEngineState *st, const EVal *keys)
{
    const DplEngine *e = st->eng;
    DplBuf *m = &st->tmp;
    dpl_buf_reset(m);
    eng_put(m, e->name, e->name_len);
    for (size_t k = 0; k < e->nkeys; k++) {
        const EVal *v = &keys[k];
        eng_put(m, "\x1f", 1);
        if (v->rep == R_RAW && v->canon &&
            (v->t == V_STR || v->t == V_INT || v->t == V_TRUE || v->t == V_FALSE))
            eng_put(m, v->raw, v->rawlen);
        else
            ev_write_canonical(st, m, v);
    }
    dpl_sha256_hex(m->data, m->len, st->idhex);
    st->id_ready = true;
}

DplEngineOutcome dpl_engine_record(const DplEngine *e, DplEngineState *st, long line, const char *text, size_t len,
                                   DplBuf *out, DplResult *res)
{
    dpl_result_clear(res);
    eng_reset(st);
    if (++st->gen == 0) { /* wrapped: forget every cached path */
        memset(st->pgen, 0, (st->eng->npaths + 1) * sizeof *st->pgen);
        memset(st->mgen, 0, (st->eng->nmemo + 1) * sizeof *st->mgen);
        memset(st->ncache, 0, sizeof st->ncache);
        st->tfind.gen = 0;
        if (st->lborn)
            memset(st->lborn, 0, st->eng->nlayout * sizeof *st->lborn);
        st->gen = 1;
    }
    st->err.set = false;
    st->id_ready = false;
    st->line = text;
    st->len = len;
    st->lineno = line;
    st->from = MISSING;
    st->item = MISSING;
    st->source = MISSING;
    if (++st->cut_tick == CUT_PERIOD) {
        /* cuts cost the scan a little on every line: only while the
         * program uses containers of the scan's slots often */
        st->cuts_on = st->cut_parses >= CUT_MIN_PARSES;
        dpl_scan_memo_set_cuts(st->memo, st->cuts_on);
        st->cut_tick = st->cut_parses = 0;
    }
    if (!dpl_scan(e->plan, st->memo, text, len, st->vals))
        return DPL_ENGINE_BAD_JSON;
    if (!st->cuts_on || !dpl_scan_cuts(st->memo, &st->cuts))
        st->cuts.shape = 0;
    if (!e->opt.raw && st->vals[0].type != DPL_SV_OBJECT) {
        EVal root = ev_from_scan(st, &st->vals[0]);
        dpl_result_add_error(res, DPL_RT_NOT_AN_OBJECT, NULL, NULL, "the record is %s, not an object",
                             ev_article(st, &root));
        res->outcome = DPL_REJECT;
        return DPL_ENGINE_REJECT;
    }
    DplEngineOutcome o = source_phase(st, res);
    if (o != DPL_ENGINE_EMIT) {
        res->outcome = o == DPL_ENGINE_SKIP ? DPL_SKIP : DPL_REJECT;
        res->skipped_by = DPL_SKIP_SOURCE;
        return o;
    }
    if (e->nwheres) {
        /* spec §12.1: every expression runs; an error rejects (with the
         * where errors alone), anything not true skips */
        bool keep = true;
        for (size_t i = 0; i < e->nwheres; i++) {
            EVal v = ev_operand(st, e->wheres[i].node);
            if (st->err.set) {
                eng_collect(st, res, NULL);
                continue;
            }
            keep = keep && v.t == V_TRUE;
        }
        if (res->nerrors) {
            res->outcome = DPL_REJECT;
            return DPL_ENGINE_REJECT;
        }
        if (!keep) {
            res->outcome = DPL_SKIP;
            res->skipped_by = DPL_SKIP_WHERE;
            return DPL_ENGINE_SKIP;
        }
    }
    res->validated = true;
    EVal kstack[STACK];
    EVal *keys = e->nkeys <= STACK ? kstack : eng_alloc(st, e->nkeys * sizeof *keys);
    validate(st, res, keys);
    if (res->nerrors) {
        res->outcome = DPL_REJECT;
        return DPL_ENGINE_REJECT;
    }
    identity(st, keys);

    size_t mark = out->len;
    eng_put(out, e->head.data, e->head.len);
    eng_put(out, st->idhex, 64);
    eng_put(out, "\",\"source\":", 11);
    if (st->source.t == V_STR)
        ev_write(st, out, &st->source);
    else
        eng_put(out, "null", 4);
    if (e->substitutive)
        eng_put(out, ",\"substitutive\":true", 20);
    eng_put(out, ",\"data\":", 8);
    if (!eng_build(st, out, res)) {
        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
        res->outcome = DPL_REJECT;
        return DPL_ENGINE_REJECT;
    }
    eng_put(out, "}\n", 2);
    out->data[out->len] = '\0';
    res->outcome = DPL_EMIT;
    return DPL_ENGINE_EMIT;
}

static void write_root(DplBuf *out, const void *ctx)
{
    DplEngineState *st = (DplEngineState *)ctx;
    EVal root = ev_from_scan(st, &st->vals[0]);
    ev_write(st, out, &root);
}

void dpl_engine_write_reject(DplEngineState *st, DplBuf *out, const char *input, const char *where, size_t where_len,
                             long line, const DplResult *res)
{
    dpl_write_reject_with(out, st->eng->prog->src, input, where, where_len, line, res, write_root, st);
}

bool dpl_engine_present(const void *state, size_t read)
{
    DplEngineState *st = (DplEngineState *)state;
    const DplEngine *e = st->eng;
    if (read >= e->nreads)
        return false;
    const ENode *n = e->reads[read];
    EVal v = n->base == PB_CONST ? n->k : ev_from_scan(st, &st->vals[n->slot]);
    if (v.t == V_MISSING || n->base == PB_CONST)
        return v.t != V_MISSING;
    return ev_present(st, v, n->path->segs, n->rest, n->path->nsegs);
}
