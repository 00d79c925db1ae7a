/* feed.c — a test's records through `dpl run`'s own pipeline (stream/): an
 * in-memory source hands the records to the line reader as bytes, the
 * dispatch runs the engines and does the accounting, and three in-memory
 * sinks collect the entity, reject and skipped lines, which are matched back
 * to their input lines.  Nothing is written anywhere.
 *
 * Engines: the same choice as `dpl run` (engine/ for every program it
 * compiles, the tree evaluator otherwise); with coverage,
 * the tree evaluator only (`--engine tree`), since the hook lives there. */
#include "stream/stream.h"
#include "testrun/internal.h"

/* ---- the source: the records, one per line --------------------------------- */

typedef struct {
    const char *bytes;
    size_t len, off;
} MemSource;

static ssize_t mem_read(DplStreamSource *s, char *buf, size_t cap, int *err)
{
    (void)err;
    MemSource *m = s->impl;
    size_t n = m->len - m->off < cap ? m->len - m->off : cap;
    memcpy(buf, m->bytes + m->off, n);
    m->off += n;
    return (ssize_t)n;
}

static const DplStreamSourceOps mem_source_ops = {.kind = "memory", .read = mem_read};

/* ---- the sinks: lines back to their records ---------------------------------- */

typedef struct {
    DplStreamKind kind;
    Actual *acts;
    size_t n;
} MemSink;

/* A reject error as tests compare it: code, path, message (and value),
 * without the rule's position. */
static json_t *errors_of(const json_t *reject)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(reject, "errors"), i, e)
    {
        json_t *o = json_deep_copy(e);
        json_object_del(o, "rule");
        json_array_append_new(out, o);
    }
    return out;
}

static int mem_write(DplStreamSink *s, const DplStreamBatch *b)
{
    MemSink *m = s->impl;
    for (size_t i = 0; i < b->nrecs; i++) {
        const DplStreamRec *rec = &b->recs[i];
        long line = rec->pos.line;
        if (line < 1 || (size_t)line > m->n)
            continue;
        Actual *a = &m->acts[line - 1];
        a->blank = false;
        json_t *v = NULL;
        DplJsonError jerr;
        if (m->kind != DPL_OUT_SKIPPED && dpl_json_parse(b->bytes + rec->off, rec->len, &v, &jerr) != DPL_JSON_OK)
            v = json_null(); /* the pipeline writes valid JSON; never trusted blindly */
        switch (m->kind) {
        case DPL_OUT_ENTITIES:
            a->outcome = DPL_EMIT;
            a->entity = v;
            break;
        case DPL_OUT_REJECTS:
            a->outcome = DPL_REJECT;
            a->errors = errors_of(v);
            json_decref(v);
            break;
        default: a->outcome = DPL_SKIP; break;
        }
    }
    dpl_stream_sink_durable(s, b->last_seq);
    return 0;
}

static int mem_close(DplStreamSink *s)
{
    dpl_free(s->impl);
    s->impl = NULL;
    return 0;
}

static const DplStreamSinkOps mem_sink_ops = {
    .kind = "memory", .wants_recs = true, .write = mem_write, .close = mem_close};

static DplStreamSink *mem_sink(DplStreamKind kind, Actual *acts, size_t n)
{
    MemSink *m = dpl_calloc(1, sizeof *m);
    *m = (MemSink){kind, acts, n};
    DplStreamSink *s = dpl_calloc(1, sizeof *s);
    s->ops = &mem_sink_ops;
    s->impl = m;
    s->name = dpl_strdup(kind == DPL_OUT_ENTITIES ? "entities" : kind == DPL_OUT_REJECTS ? "rejects" : "skipped");
    return s;
}

static void keep_message(void *ctx, const char *text)
{
    char **msg = ctx;
    if (!*msg)
        *msg = dpl_strdup(text);
}

bool tr_feed_test(const DplProgram *prog, const DplSource *src, const TestFile *f, const Test *t, DplCoverFn cover,
                  void *cover_ctx, Actual *acts, long counts[COUNT_KINDS], char **msg)
{
    DplBuf text = {0};
    for (size_t i = 0; i < t->nrecords; i++) {
        dpl_buf_append(&text, t->records[i].text, t->records[i].len);
        dpl_buf_putc(&text, '\n');
        acts[i] = (Actual){.blank = true};
    }
    DplStreamConfig cfg = {.raw = f->raw,
                           .raw_source = f->source,
                           .max_record_bytes = DPL_DEFAULT_MAX_RECORD_BYTES,
                           .jobs = 1,
                           .tree_only = cover != NULL,
                           .cover = cover,
                           .cover_ctx = cover_ctx,
                           .message = keep_message,
                           .message_ctx = msg};
    DplStreamRun *run = dpl_stream_run_new(prog, src, &cfg);
    for (int k = 0; k < DPL_OUT_COUNT; k++)
        dpl_stream_run_set_sink(run, (DplStreamKind)k, mem_sink((DplStreamKind)k, acts, t->nrecords));
    MemSource m = {.bytes = text.data ? text.data : "", .len = text.len};
    DplStreamSource in = {.ops = &mem_source_ops, .impl = &m, .name = (char *)"test input"};
    bool ok = dpl_stream_run_input(run, &in);
    ok = dpl_stream_run_finish(run) && ok;
    ok = dpl_stream_run_close(run, true) && ok;
    const DplStreamStats *st = dpl_stream_run_stats(run);
    counts[COUNT_EMITTED] = (long)st->emitted;
    counts[COUNT_REJECTED] = (long)st->rejected;
    counts[COUNT_SKIPPED] = (long)st->skipped;
    dpl_stream_run_free(run);
    dpl_buf_free(&text);
    return ok;
}

void tr_actual_clear(Actual *a)
{
    json_decref(a->entity);
    json_decref(a->errors);
    memset(a, 0, sizeof *a);
}
