/* dispatch.c — one input record to the engine, its result into a lane: the
 * entity, reject or skipped line, and its accounting.  The only file of
 * stream/ that knows which engines exist: engine/ runs every record of every
 * program it compiles; eval/'s tree evaluator runs --engine tree (the
 * reference, for differential tests; --coverage), the lines that are not
 * valid JSON (the parser owns their message), and programs with a construct
 * engine/ does not compile yet. */
#include <string.h>

#include "stream/internal.h"
#include "json/json.h"

#define RAW_PREFIX DPL_STREAM_RAW_PREFIX

/* ---- engines ----------------------------------------------------------------- */

void stream_engines_init(StreamEngines *e, const DplProgram *prog, const DplSource *src,
                         const DplStreamConfig *cfg)
{
    memset(e, 0, sizeof *e);
    e->src = src;
    e->ev = dpl_eval_new(prog);
    if (cfg->cover)
        dpl_eval_set_cover((DplEvaluator *)e->ev, cfg->cover, cfg->cover_ctx);
    DplEngineOptions eo = {.raw = cfg->raw, .source = cfg->raw_source};
    e->engine = cfg->tree_only ? NULL : dpl_engine_new(prog, &eo, NULL);
    e->raw = cfg->raw;
    e->raw_source = cfg->raw_source ? cfg->raw_source : dpl_eval_default_source(e->ev);
    e->max_record_bytes = cfg->max_record_bytes;
    e->prog = prog;
    e->presence = cfg->presence;
    e->late_lines = e->engine && !dpl_engine_uses_line(e->engine);
}

void stream_engines_free(StreamEngines *e)
{
    dpl_engine_free(e->engine);
    dpl_eval_free((DplEvaluator *)e->ev);
    memset(e, 0, sizeof *e);
}

/* ---- lanes ------------------------------------------------------------------------ */

void stream_lane_init(StreamLane *l, const StreamEngines *eng, bool keep_recs, bool keep_skipped)
{
    memset(l, 0, sizeof *l);
    l->eng = eng;
    l->keep_recs = keep_recs;
    l->keep_skipped = keep_skipped;
    l->presence = eng->presence ? dpl_presence_new(eng->prog) : NULL;
    dpl_result_init(&l->res);
}

void stream_lane_free(StreamLane *l)
{
    for (int k = 0; k < DPL_OUT_COUNT; k++) {
        dpl_buf_free(&l->out[k]);
        dpl_free(l->recs[k]);
    }
    dpl_presence_free(l->presence);
    dpl_result_free(&l->res);
}

void stream_lane_reset(StreamLane *l)
{
    for (int k = 0; k < DPL_OUT_COUNT; k++) {
        dpl_buf_reset(&l->out[k]);
        l->nrecs[k] = 0;
    }
    memset(&l->stats, 0, sizeof l->stats);
    if (l->presence)
        dpl_presence_reset(l->presence);
}

void stream_lane_renumber(StreamLane *l, long lines, uint64_t seqs, DplBuf *scratch)
{
    l->last_line += lines;
    l->last_seq += seqs;
    DplBuf *rj = &l->out[DPL_OUT_REJECTS];
    if (!lines || !rj->len)
        return;
    /* every reject is one line (its strings escape any newline) that
     * starts with its number (eval/reject.c) */
    static const char head[] = "{\"line\":";
    const size_t hn = sizeof head - 1;
    dpl_buf_reset(scratch);
    const char *p = rj->data, *end = rj->data + rj->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *q = p + hn;
        if (!nl || (size_t)(nl - p) < hn || memcmp(p, head, hn) != 0) {
            dpl_buf_append(scratch, p, (size_t)(end - p)); /* not a reject line: cannot happen */
            break;
        }
        long rel = 0;
        while (*q >= '0' && *q <= '9')
            rel = rel * 10 + (*q++ - '0');
        char num[24];
        dpl_buf_append(scratch, head, hn);
        dpl_buf_append(scratch, num, (size_t)dpl_json_format_i64(rel + lines, num));
        dpl_buf_append(scratch, q, (size_t)(nl + 1 - q));
        p = nl + 1;
    }
    DplBuf t = *rj;
    *rj = *scratch;
    *scratch = t;
}

/* Notes the line just appended to out[kind] (from byte start) for sinks
 * that want per-record metadata. */
static void note(StreamLane *l, DplStreamKind kind, size_t start, const DplStreamPos *pos, uint64_t seq,
                 int code)
{
    if (!l->keep_recs)
        return;
    if (l->nrecs[kind] == l->caprecs[kind]) {
        l->caprecs[kind] = l->caprecs[kind] ? 2 * l->caprecs[kind] : 256;
        l->recs[kind] = dpl_realloc(l->recs[kind], l->caprecs[kind] * sizeof *l->recs[kind]);
    }
    l->recs[kind][l->nrecs[kind]++] = (DplStreamRec){
        .seq = seq, .off = start, .len = l->out[kind].len - start - 1, .code = code, .pos = *pos};
}

/* ---- outcomes -------------------------------------------------------------------- */

/* rejects_by_code counts records: each code once per record. */
static void count_reject(StreamLane *l)
{
    l->stats.rejected++;
    bool seen[DPL_RT_COUNT] = {false};
    for (size_t i = 0; i < l->res.nerrors; i++)
        seen[l->res.errors[i].code] = true;
    for (int c = 0; c < DPL_RT_COUNT; c++)
        l->stats.by_code[c] += seen[c];
}

static void reject(StreamLane *l, const DplStreamPos *pos, uint64_t seq, const json_t *record,
                   const char *raw, size_t raw_len)
{
    count_reject(l);
    DplBuf *out = &l->out[DPL_OUT_REJECTS];
    size_t start = out->len;
    dpl_write_reject_where(out, l->eng->src, pos->input, pos->where, pos->where_len, pos->line, &l->res,
                           record, raw, raw_len);
    note(l, DPL_OUT_REJECTS, start, pos, seq, l->res.nerrors ? (int)l->res.errors[0].code : -1);
}

static void too_long(StreamLane *l, const DplStreamPos *pos, uint64_t seq, const char *prefix, size_t plen,
                     unsigned long long total)
{
    dpl_result_clear(&l->res);
    dpl_result_add_error(
        &l->res, DPL_RT_LIMIT_EXCEEDED, NULL, NULL,
        "the record is %llu bytes, more than --max-record-bytes %zu (raw keeps the first %zu bytes)", total,
        l->eng->max_record_bytes, plen);
    reject(l, pos, seq, NULL, prefix, plen);
}

/* A record of another source or that `where` filters out: counted, and kept
 * as read with --skipped. */
static void skip_line(StreamLane *l, const DplStreamPos *pos, uint64_t seq, const char *text, size_t len,
                      DplSkipReason why)
{
    l->stats.skipped++;
    if (why == DPL_SKIP_WHERE)
        l->stats.skipped_where++;
    else
        l->stats.skipped_source++;
    if (l->keep_skipped) {
        DplBuf *out = &l->out[DPL_OUT_SKIPPED];
        size_t start = out->len;
        dpl_buf_append(out, text, len);
        dpl_buf_putc(out, '\n');
        note(l, DPL_OUT_SKIPPED, start, pos, seq, -1);
    }
}

static void emit_entity(StreamLane *l, const DplStreamPos *pos, uint64_t seq)
{
    l->stats.emitted++;
    DplBuf *out = &l->out[DPL_OUT_ENTITIES];
    size_t start = out->len;
    dpl_json_write(out, l->res.entity);
    dpl_buf_putc(out, '\n');
    note(l, DPL_OUT_ENTITIES, start, pos, seq, -1);
}

/* ---- the engines, fastest first --------------------------------------------------- */

/* A record the evaluator let through validation counts for never_present. */
static void count_presence(StreamLane *l, const json_t *env)
{
    if (l->presence && l->res.validated)
        dpl_presence_record(l->presence, env);
}

/* The engine decides every record of the programs it compiles; false hands
 * a line that is not valid JSON to tree(), whose parser owns the message. */
static bool try_engine(StreamLane *l, const DplStreamPos *pos, uint64_t seq, const char *text, size_t len)
{
    DplBuf *out = &l->out[DPL_OUT_ENTITIES];
    size_t start = out->len;
    bool done = true;
    switch (dpl_engine_record(l->eng->engine, l->est, pos->line, text, len, out, &l->res)) {
    case DPL_ENGINE_EMIT:
        l->stats.emitted++;
        note(l, DPL_OUT_ENTITIES, start, pos, seq, -1);
        break;
    case DPL_ENGINE_SKIP: skip_line(l, pos, seq, text, len, l->res.skipped_by); break;
    case DPL_ENGINE_REJECT: {
        count_reject(l);
        DplBuf *rj = &l->out[DPL_OUT_REJECTS];
        size_t at = rj->len;
        dpl_engine_write_reject(l->est, rj, pos->input, pos->where, pos->where_len, pos->line, &l->res);
        note(l, DPL_OUT_REJECTS, at, pos, seq, l->res.nerrors ? (int)l->res.errors[0].code : -1);
        break;
    }
    case DPL_ENGINE_BAD_JSON: done = false; break;
    }
    if (done && l->presence && l->res.validated)
        dpl_presence_record_fn(l->presence, dpl_engine_present, l->est);
    dpl_result_clear(&l->res);
    return done;
}

/* The tree evaluator on the whole record: every reject is written here.
 * whole is len plus the CR of a CRLF line end: a raw reject keeps it in
 * raw_base64 when it needs that. */
static void tree(StreamLane *l, const DplStreamPos *pos, uint64_t seq, const char *text, size_t len, size_t whole)
{
    json_t *v = NULL;
    DplJsonError jerr;
    DplJsonStatus st = dpl_json_parse(text, len, &v, &jerr);
    if (st != DPL_JSON_OK) {
        dpl_result_clear(&l->res);
        if (st == DPL_JSON_TOO_DEEP)
            dpl_result_add_error(&l->res, DPL_RT_LIMIT_EXCEEDED, NULL, NULL, "%s at column %d", jerr.message,
                                 jerr.column);
        else if (st == DPL_JSON_NUL_KEY)
            dpl_result_add_error(&l->res, DPL_RT_LIMIT_EXCEEDED, NULL, NULL, "at column %d: %s", jerr.column,
                                 jerr.message);
        else
            dpl_result_add_error(&l->res, DPL_RT_INVALID_JSON, NULL, NULL, "invalid JSON at column %d: %s",
                                 jerr.column, jerr.message);
        reject(l, pos, seq, NULL, text, whole);
        return;
    }
    json_t *env = v;
    if (l->eng->raw) {
        env = json_object();
        json_object_set_nocheck(env, "data", v);
        json_t *md = json_object();
        json_object_set_new_nocheck(md, "source", json_string(l->eng->raw_source));
        json_object_set_new_nocheck(env, "metadata", md);
    }
    dpl_eval_record(l->eng->ev, env, pos->line, &l->res);
    switch (l->res.outcome) {
    case DPL_EMIT:
        emit_entity(l, pos, seq);
        break;
    case DPL_SKIP:
        skip_line(l, pos, seq, text, len, l->res.skipped_by);
        break;
    case DPL_REJECT:
        /* the record as it came in: the value, not the --raw envelope */
        reject(l, pos, seq, v, NULL, 0);
        break;
    }
    count_presence(l, env);
    dpl_result_clear(&l->res);
    if (env != v)
        json_decref(env);
    json_decref(v);
}

bool stream_is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

void stream_dispatch(StreamLane *l, const DplStreamPos *pos, uint64_t seq, const char *text, size_t len)
{
    l->last_seq = seq;
    l->last_line = pos->line;
    l->last_ticket = pos->ticket;
    size_t whole = len;
    if (len && text[len - 1] == '\r')
        len--;
    if (stream_is_blank(text, len)) {
        l->stats.blank++;
        return;
    }
    l->stats.records++;
    if (len > l->eng->max_record_bytes) {
        too_long(l, pos, seq, text, len < RAW_PREFIX ? len : RAW_PREFIX, len);
        return;
    }
    if (l->eng->engine && try_engine(l, pos, seq, text, len))
        return;
    tree(l, pos, seq, text, len, whole);
}

void stream_dispatch_too_long(StreamLane *l, const DplStreamPos *pos, uint64_t seq, const char *prefix,
                              size_t plen, unsigned long long total)
{
    l->last_seq = seq;
    l->last_line = pos->line;
    l->last_ticket = pos->ticket;
    l->stats.records++;
    too_long(l, pos, seq, prefix, plen, total);
}
