/* sink.c — the `dir://` sink: a stream's lines into data-lake batch files
 * (lake.h), durable — so committable at the input — only once their batch
 * is closed, fsynced and renamed (spec §15). */
#include <errno.h>

#include "lake/lake.h"
#include "util/util.h"

typedef struct {
    DplLakeWriter *w;
    DplLakeMessageFn message;
    void *message_ctx;
    bool failed;
} LakeSink;

static int failed(DplStreamSink *s, char *err)
{
    LakeSink *l = s->impl;
    if (!l->failed && l->message)
        l->message(l->message_ctx, err);
    dpl_free(err);
    l->failed = true;
    return EIO;
}

/* Records up to the open batch's first one are in closed batches (or
 * produced nothing here). */
static void update_durable(DplStreamSink *s)
{
    LakeSink *l = s->impl;
    uint64_t open = dpl_lake_open_tag(l->w);
    dpl_stream_sink_durable(s, open ? open - 1 : s->given_seq);
}

static int lake_write(DplStreamSink *s, const DplStreamBatch *b)
{
    LakeSink *l = s->impl;
    char *err = NULL;
    if (l->failed)
        return EIO;
    if (!dpl_lake_tick(l->w, &err))
        return failed(s, err);
    /* line by line: a batch file closes between two records, and each
     * record's sequence number says what its closing makes durable */
    for (size_t i = 0; i < b->nrecs; i++) {
        const DplStreamRec *r = &b->recs[i];
        if (!dpl_lake_write(l->w, b->bytes + r->off, r->len + 1, r->seq, &err))
            return failed(s, err);
    }
    update_durable(s);
    return 0;
}

/* One writer step (op: dpl_lake_tick or dpl_lake_close_batch), then what
 * it made durable. */
static int step(DplStreamSink *s, bool (*op)(DplLakeWriter *w, char **err))
{
    LakeSink *l = s->impl;
    char *err = NULL;
    if (l->failed)
        return EIO;
    if (!op(l->w, &err))
        return failed(s, err);
    update_durable(s);
    return 0;
}

static int lake_flush(DplStreamSink *s)
{
    return step(s, dpl_lake_tick);
}

static int lake_sync(DplStreamSink *s)
{
    return step(s, dpl_lake_close_batch);
}

static int lake_close(DplStreamSink *s)
{
    LakeSink *l = s->impl;
    int rc = lake_sync(s);
    dpl_lake_writer_free(l->w); /* an unclosed batch (after a failure) is removed */
    dpl_free(l);
    s->impl = NULL;
    return rc;
}

static const DplStreamSinkOps lake_sink_ops = {
    .kind = "dir",
    .wants_recs = true,
    .write = lake_write,
    .flush = lake_flush,
    .poll = lake_flush,
    .sync = lake_sync,
    .close = lake_close,
};

DplStreamSink *dpl_lake_sink_new(const char *spec, DplStreamKind kind, DplLakeMessageFn message, void *message_ctx,
                                 char **err)
{
    static const char *const streams[DPL_OUT_COUNT] = {"entities", "rejects", "skipped"};
    DplLakeUrl u;
    if (!dpl_lake_url_parse(spec, &u, err))
        return NULL;
    DplLakeWriter *w = dpl_lake_writer_new(&u, streams[kind], err);
    dpl_lake_url_free(&u);
    if (!w)
        return NULL;
    LakeSink *l = dpl_calloc(1, sizeof *l);
    l->w = w;
    l->message = message;
    l->message_ctx = message_ctx;
    size_t stale = dpl_lake_stale_removed(w);
    if (stale && message) {
        char *text = dpl_asprintf("%s: removed %zu temporary %s %s (their records were never committed)",
                                  spec, stale, streams[kind],
                                  stale == 1 ? "file left by a run that no longer runs"
                                             : "files left by runs that no longer run");
        message(message_ctx, text);
        dpl_free(text);
    }
    DplStreamSink *s = dpl_calloc(1, sizeof *s);
    s->ops = &lake_sink_ops;
    s->impl = l;
    s->name = dpl_strdup(spec);
    return s;
}
