/* run.c — a run: the engines, the sinks, the counts, and the bookkeeping
 * that turns sinks' durability into source commits (dpl_stream_sink_durable).
 * The reader (reader.c) merges lanes into it in input order. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "stream/internal.h"

/* A record whose position is committed once its outputs are durable. */
typedef struct {
    uint64_t seq;
    DplStreamPos pos;
} Pending;

struct DplStreamRun {
    DplStreamConfig cfg;
    StreamEngines eng;
    DplStreamSink *sinks[DPL_OUT_COUNT];
    DplStreamStats stats;
    DplPresence *presence;  /* cfg.presence: the paths seen, merged from the lanes */
    uint64_t seq;           /* records (lines) of the inputs before the current one */
    uint64_t delivered_seq; /* every record up to it was handed to every sink */
    DplStreamSource *in;    /* the input being read */
    Pending *pending;       /* merged, not yet committed (sources with commit) */
    size_t npending, cappending;
    bool keep_recs;
    double next_tick;       /* CLOCK_MONOTONIC seconds of the next cfg.tick */
};

static void say(const DplStreamRun *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const DplStreamRun *r, const char *fmt, ...)
{
    if (!r->cfg.message)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *text = dpl_vasprintf(fmt, ap);
    va_end(ap);
    r->cfg.message(r->cfg.message_ctx, text);
    dpl_free(text);
}

DplStreamRun *dpl_stream_run_new(const DplProgram *prog, const DplSource *src, const DplStreamConfig *cfg)
{
    DplStreamRun *r = dpl_calloc(1, sizeof *r);
    r->cfg = *cfg;
    if (r->cfg.jobs < 1)
        r->cfg.jobs = 1;
    stream_engines_init(&r->eng, prog, src, &r->cfg);
    r->presence = r->cfg.presence ? dpl_presence_new(prog) : NULL;
    return r;
}

void dpl_stream_run_set_sink(DplStreamRun *r, DplStreamKind kind, DplStreamSink *sink)
{
    r->sinks[kind] = sink;
    r->keep_recs = false;
    for (int k = 0; k < DPL_OUT_COUNT; k++)
        if (r->sinks[k] && r->sinks[k]->ops->wants_recs)
            r->keep_recs = true;
}

const StreamEngines *stream_engines(const DplStreamRun *r)
{
    return &r->eng;
}
bool stream_keep_recs(const DplStreamRun *r)
{
    return r->keep_recs;
}
bool stream_keep_skipped(const DplStreamRun *r)
{
    return r->sinks[DPL_OUT_SKIPPED] != NULL;
}
const DplStreamStats *dpl_stream_run_stats(const DplStreamRun *r)
{
    return &r->stats;
}
const DplPresence *dpl_stream_run_presence(const DplStreamRun *r)
{
    return r->presence;
}

bool dpl_stream_run_ok(const DplStreamRun *r)
{
    for (int k = 0; k < DPL_OUT_COUNT; k++)
        if (r->sinks[k] && r->sinks[k]->state != DPL_SINK_OK)
            return false;
    return true;
}

bool stream_go_on(const DplStreamRun *r)
{
    return dpl_stream_run_ok(r) && !dpl_stream_stop_requested();
}

/* ---- durability and commits ----------------------------------------------------- */

void dpl_stream_sink_durable(DplStreamSink *s, uint64_t seq)
{
    if (seq > s->durable_seq)
        s->durable_seq = seq;
}

void dpl_stream_sink_discard(DplStreamSink *s)
{
    if (!s)
        return;
    if (s->ops->close)
        s->ops->close(s);
    dpl_free(s->name);
    dpl_free(s);
}

/* Every record up to the result produced only durable output. */
static uint64_t durable_through(const DplStreamRun *r)
{
    uint64_t d = r->delivered_seq;
    for (int k = 0; k < DPL_OUT_COUNT; k++) {
        const DplStreamSink *s = r->sinks[k];
        if (!s)
            continue;
        if (s->state != DPL_SINK_OK)
            return 0; /* output was lost: commit nothing more */
        if (s->given_seq > s->durable_seq && s->durable_seq < d)
            d = s->durable_seq;
    }
    return d;
}

static void try_commit(DplStreamRun *r)
{
    if (!r->npending)
        return;
    uint64_t d = durable_through(r);
    size_t n = 0;
    while (n < r->npending && r->pending[n].seq <= d)
        n++;
    if (!n)
        return;
    r->in->ops->commit(r->in, &r->pending[n - 1].pos); /* cumulative: the last one says it all */
    memmove(r->pending, r->pending + n, (r->npending - n) * sizeof *r->pending);
    r->npending -= n;
}

/* ---- merging lanes ------------------------------------------------------------------- */

static void sink_failed(DplStreamRun *r, DplStreamSink *s, int err)
{
    (void)r;
    /* stdout's reader went away (`| head`): a quiet stop, not an error;
     * any other output that cannot take its lines is a failure */
    s->state = err == EPIPE && s->quiet_epipe ? DPL_SINK_CLOSED : DPL_SINK_FAILED;
    s->err = err;
}

/* Calls one optional callback of every sink still fine. */
static void each_sink(DplStreamRun *r, bool flush)
{
    for (int k = 0; k < DPL_OUT_COUNT; k++) {
        DplStreamSink *s = r->sinks[k];
        int (*fn)(DplStreamSink *) = !s ? NULL : flush ? s->ops->flush : s->ops->poll;
        if (fn && s->state == DPL_SINK_OK) {
            int err = fn(s);
            if (err)
                sink_failed(r, s, err);
        }
    }
}

static void deliver(DplStreamRun *r, StreamLane *l, DplStreamKind k)
{
    DplStreamSink *s = r->sinks[k];
    DplBuf *out = &l->out[k];
    if (s && s->state == DPL_SINK_OK && out->len) {
        DplStreamBatch b = {.bytes = out->data,
                            .len = out->len,
                            .last_seq = l->last_seq,
                            .recs = l->recs[k],
                            .nrecs = l->nrecs[k]};
        s->given_seq = l->last_seq;
        int err = s->ops->write(s, &b);
        if (err)
            sink_failed(r, s, err);
    }
    dpl_buf_reset(out);
    l->nrecs[k] = 0;
}

static void maybe_tick(DplStreamRun *r);

void stream_merge(DplStreamRun *r, StreamLane *l, bool force)
{
    maybe_tick(r);
    dpl_stream_stats_add(&r->stats, &l->stats);
    memset(&l->stats, 0, sizeof l->stats);
    if (r->presence && l->presence) {
        dpl_presence_merge(r->presence, l->presence);
        dpl_presence_reset(l->presence);
    }
    bool all = true;
    for (int k = 0; k < DPL_OUT_COUNT; k++) {
        if (force || l->out[k].len >= DPL_STREAM_FLUSH_AT)
            deliver(r, l, (DplStreamKind)k);
        all = all && l->out[k].len == 0;
    }
    each_sink(r, false);
    if (all && l->last_seq > r->delivered_seq) {
        r->delivered_seq = l->last_seq;
        if (r->in && r->in->ops->commit) {
            if (r->npending == r->cappending) {
                r->cappending = r->cappending ? 2 * r->cappending : 16;
                r->pending = dpl_realloc(r->pending, r->cappending * sizeof *r->pending);
            }
            /* the block's memory is reused: keep only what commit may use */
            r->pending[r->npending++] =
                (Pending){.seq = l->last_seq, .pos = {.line = l->last_line, .ticket = l->last_ticket}};
        }
    }
    try_commit(r);
}

/* cfg.tick, about every cfg.tick_seconds. */
static void maybe_tick(DplStreamRun *r)
{
    if (!r->cfg.tick || r->cfg.tick_seconds <= 0)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    if (r->next_tick == 0)
        r->next_tick = now + r->cfg.tick_seconds;
    if (now < r->next_tick)
        return;
    r->next_tick = now + r->cfg.tick_seconds;
    r->cfg.tick(r->cfg.tick_ctx);
}

void stream_flush(DplStreamRun *r)
{
    each_sink(r, true);
    each_sink(r, false);
    try_commit(r);
    maybe_tick(r);
}

/* Everything given to the sinks becomes durable now (sinks with sync),
 * then the source is committed through it. */
static void sync_and_commit(DplStreamRun *r)
{
    for (int k = 0; k < DPL_OUT_COUNT; k++) {
        DplStreamSink *s = r->sinks[k];
        if (s && s->state == DPL_SINK_OK && s->ops->sync) {
            int err = s->ops->sync(s);
            if (err)
                sink_failed(r, s, err);
        }
    }
    try_commit(r);
}

/* ---- inputs and the end ------------------------------------------------------------- */

bool dpl_stream_run_input(DplStreamRun *r, DplStreamSource *in)
{
    r->in = in;
    uint64_t n = 0;
    bool stopped = false;
    int err = stream_read(r, in, r->cfg.jobs, r->cfg.max_record_bytes, r->seq + 1, &n, &stopped);
    r->seq += n;
    stream_flush(r);
    if (in->ops->commit)
        sync_and_commit(r); /* the source's last records too: its end is a drain */
    r->in = NULL;
    r->npending = 0; /* a source is committed only while it is read */
    if (err && dpl_stream_run_ok(r)) {
        say(r, "cannot read %s: %s", in->name, in->why ? in->why : strerror(err));
        return false;
    }
    int sig = dpl_stream_stop_requested();
    if (stopped && sig && r->cfg.report_stop)
        say(r, "stopped by %s after line %llu of %s; every line read before was processed",
            sig == SIGINT    ? "SIGINT"
            : sig == SIGTERM ? "SIGTERM"
                             : "a signal",
            (unsigned long long)n, in->name);
    return true;
}

bool dpl_stream_run_finish(DplStreamRun *r)
{
    stream_flush(r);
    /* every output reports its own failure */
    bool ok = true;
    for (int k = 0; k < DPL_OUT_COUNT; k++) {
        DplStreamSink *s = r->sinks[k];
        if (s && s->state == DPL_SINK_FAILED) {
            say(r, "cannot write to %s: %s", s->name, strerror(s->err));
            ok = false;
        }
    }
    return ok;
}

bool dpl_stream_run_close(DplStreamRun *r, bool report)
{
    bool ok = true;
    for (int k = 0; k < DPL_OUT_COUNT; k++) {
        DplStreamSink *s = r->sinks[k];
        if (!s)
            continue;
        int err = s->ops->close ? s->ops->close(s) : 0;
        if (err && report && ok) {
            say(r, "cannot write to %s: %s", s->name, strerror(err));
            ok = false;
        }
        dpl_free(s->name);
        dpl_free(s);
        r->sinks[k] = NULL;
    }
    return ok;
}

void dpl_stream_run_free(DplStreamRun *r)
{
    if (!r)
        return;
    dpl_stream_run_close(r, false);
    stream_engines_free(&r->eng);
    dpl_presence_free(r->presence);
    dpl_free(r->pending);
    dpl_free(r);
}
