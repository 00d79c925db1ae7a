/* sink_fd.c — sinks that write to a file descriptor: stdout and stderr as
 * they are, or a file opened for --output/--rejects/--skipped.
 * Write-through: the run's lanes are the buffer, so a batch is written with
 * as few write(2) calls as the kernel allows, and is durable (handed to the
 * kernel) when write returns. */
#include <errno.h>
#include <unistd.h>

#include "stream/internal.h"

typedef struct {
    int fd;
    bool owned; /* opened here: closed at the end */
} FdSink;

static int fd_write(DplStreamSink *s, const DplStreamBatch *b)
{
    FdSink *f = s->impl;
    int err = dpl_write_all(f->fd, b->bytes, b->len);
    if (!err)
        dpl_stream_sink_durable(s, b->last_seq);
    return err;
}

static int fd_close(DplStreamSink *s)
{
    FdSink *f = s->impl;
    int err = 0;
    if (f->owned && close(f->fd) != 0)
        err = errno;
    dpl_free(f);
    s->impl = NULL;
    return err;
}

static const DplStreamSinkOps fd_ops = {
    .kind = "fd",
    .write = fd_write,
    .close = fd_close,
};

static DplStreamSink *fd_sink(int fd, bool owned, const char *name)
{
    FdSink *f = dpl_calloc(1, sizeof *f);
    f->fd = fd;
    f->owned = owned;
    DplStreamSink *s = dpl_calloc(1, sizeof *s);
    s->ops = &fd_ops;
    s->impl = f;
    s->name = dpl_strdup(name);
    return s;
}

DplStreamSink *dpl_stream_sink_fd(int fd, const char *name)
{
    return fd_sink(fd, false, name);
}

DplStreamSink *dpl_stream_sink_file(int fd, const char *name)
{
    return fd_sink(fd, true, name);
}
