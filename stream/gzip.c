/* gzip.c — gzip in stream/ (zlib): the inflater behind a file source whose
 * bytes start with the gzip magic (members read one after another, as zcat
 * does), and the sink that writes a `.gz` output. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "stream/internal.h"

#define GZ_CHUNK (64u * 1024u)

/* ---- input ------------------------------------------------------------------- */

struct StreamGzIn {
    z_stream z;
    unsigned char *in; /* compressed bytes read from the fd */
    bool in_eof;
    bool in_member;  /* inside a member: its end has not been seen */
    bool out_full;   /* the last call filled the caller's buffer: zlib may hold more */
    int pending_err; /* a failure found after some output: reported next call */
    char *pending_why;
};

StreamGzIn *stream_gz_in_new(const char *first, size_t n)
{
    StreamGzIn *g = dpl_calloc(1, sizeof *g);
    g->in = dpl_malloc(GZ_CHUNK > n ? GZ_CHUNK : n);
    memcpy(g->in, first, n);
    g->z.next_in = g->in;
    g->z.avail_in = (uInt)n;
    g->z.zalloc = dpl_zalloc;
    g->z.zfree = dpl_zfree;
    /* 15 + 16: a gzip header and trailer, largest window */
    if (inflateInit2(&g->z, 15 + 16) != Z_OK)
        abort(); /* only a zlib version mismatch: allocation cannot fail */
    g->in_member = true;
    return g;
}

void stream_gz_in_free(StreamGzIn *g)
{
    if (!g)
        return;
    inflateEnd(&g->z);
    dpl_free(g->in);
    dpl_free(g->pending_why);
    dpl_free(g);
}

bool stream_gz_in_has_more(const StreamGzIn *g)
{
    return g->z.avail_in > 0 || g->out_full;
}

/* Fails the read: *err and *why (owned by the caller) now, or — when some
 * bytes came out first — on the next call. */
static ssize_t gz_fail(StreamGzIn *g, size_t produced, int err, char *why, int *errp, char **whyp)
{
    if (produced) {
        g->pending_err = err;
        g->pending_why = why;
        return (ssize_t)produced;
    }
    *errp = err;
    *whyp = why;
    return -1;
}

ssize_t stream_gz_in_read(StreamGzIn *g, int fd, char *buf, size_t cap, int *err, char **why)
{
    if (g->pending_err) {
        *err = g->pending_err;
        *why = g->pending_why;
        g->pending_err = 0;
        g->pending_why = NULL;
        return -1;
    }
    if (cap > UINT_MAX)
        cap = UINT_MAX;
    g->z.next_out = (unsigned char *)buf;
    g->z.avail_out = (uInt)cap;
    while (g->z.avail_out == cap) {
        if (g->z.avail_in == 0 && !g->in_eof) {
            int rerr = 0;
            ssize_t n = stream_fd_read(fd, (char *)g->in, GZ_CHUNK, &rerr);
            if (n < 0)
                return gz_fail(g, cap - g->z.avail_out, rerr, NULL, err, why);
            if (n == 0 && dpl_stream_stop_requested())
                break; /* stopped: not the end of the data */
            if (n == 0)
                g->in_eof = true;
            g->z.next_in = g->in;
            g->z.avail_in = (uInt)n;
        }
        if (!g->in_member) {
            if (g->z.avail_in == 0 && g->in_eof)
                break; /* the end, between members */
            /* another member follows (concatenated gzip files) */
            inflateReset(&g->z);
            g->in_member = true;
        }
        int rc = inflate(&g->z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            g->in_member = false;
        } else if (rc == Z_BUF_ERROR && g->z.avail_in == 0 && g->in_eof) {
            return gz_fail(g, cap - g->z.avail_out, EIO,
                           dpl_strdup("truncated gzip data: the input ends inside a gzip member"), err, why);
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return gz_fail(g, cap - g->z.avail_out, EIO,
                           dpl_asprintf("corrupt gzip data (%s)", g->z.msg ? g->z.msg : "unknown error"), err,
                           why);
        }
    }
    g->out_full = g->z.avail_out == 0;
    return (ssize_t)(cap - g->z.avail_out);
}

/* ---- output ------------------------------------------------------------------- */

typedef struct {
    int fd;
    bool owned;
    z_stream z;
    unsigned char out[GZ_CHUNK];
} GzOut;

/* Runs deflate over the pending input with flush, writing out what comes. */
static int gz_deflate(GzOut *g, int flush)
{
    for (;;) {
        g->z.next_out = g->out;
        g->z.avail_out = sizeof g->out;
        int rc = deflate(&g->z, flush);
        if (rc == Z_STREAM_ERROR)
            return EIO;
        size_t have = sizeof g->out - g->z.avail_out;
        if (have) {
            int err = dpl_write_all(g->fd, (const char *)g->out, have);
            if (err)
                return err;
        }
        /* done when deflate left room: it had nothing more to say */
        if (g->z.avail_out != 0 && g->z.avail_in == 0 && (flush != Z_FINISH || rc == Z_STREAM_END))
            return 0;
        if (rc == Z_STREAM_END)
            return 0;
    }
}

static int gz_write(DplStreamSink *s, const DplStreamBatch *b)
{
    GzOut *g = s->impl;
    const char *p = b->bytes;
    size_t left = b->len;
    while (left) {
        size_t n = left > UINT_MAX ? UINT_MAX : left;
        g->z.next_in = (unsigned char *)(uintptr_t)p;
        g->z.avail_in = (uInt)n;
        int err = gz_deflate(g, Z_NO_FLUSH);
        if (err)
            return err;
        p += n;
        left -= n;
    }
    return 0; /* durable only once flushed: zlib keeps some of it */
}

static int gz_flush(DplStreamSink *s)
{
    GzOut *g = s->impl;
    g->z.next_in = NULL;
    g->z.avail_in = 0;
    int err = gz_deflate(g, Z_SYNC_FLUSH);
    if (!err)
        dpl_stream_sink_durable(s, s->given_seq);
    return err;
}

static int gz_close(DplStreamSink *s)
{
    GzOut *g = s->impl;
    int err = 0;
    if (s->state == DPL_SINK_OK) {
        g->z.next_in = NULL;
        g->z.avail_in = 0;
        err = gz_deflate(g, Z_FINISH);
    }
    deflateEnd(&g->z);
    if (g->owned && close(g->fd) != 0 && !err)
        err = errno;
    dpl_free(g);
    s->impl = NULL;
    return err;
}

static const DplStreamSinkOps gz_ops = {
    .kind = "gzip",
    .write = gz_write,
    .flush = gz_flush,
    .close = gz_close,
};

DplStreamSink *dpl_stream_sink_gzip(int fd, bool owned, const char *name)
{
    GzOut *g = dpl_calloc(1, sizeof *g);
    g->fd = fd;
    g->owned = owned;
    g->z.zalloc = dpl_zalloc;
    g->z.zfree = dpl_zfree;
    /* level 6 (zlib's default), gzip wrapper (15 + 16), default memory */
    if (deflateInit2(&g->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort(); /* only a zlib version mismatch: allocation cannot fail */
    DplStreamSink *s = dpl_calloc(1, sizeof *s);
    s->ops = &gz_ops;
    s->impl = g;
    s->name = dpl_strdup(name);
    return s;
}
