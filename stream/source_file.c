/* source_file.c — the byte source of files and stdin: read(2) on an fd,
 * and poll(2) to tell when the next read would wait. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "stream/stream.h"

typedef struct {
    int fd;
    bool owned; /* opened here (stdin is not closed) */
} FileSource;

static ssize_t file_read(DplStreamSource *s, char *buf, size_t cap, int *err)
{
    FileSource *f = s->impl;
    for (;;) {
        ssize_t n = read(f->fd, buf, cap);
        if (n >= 0)
            return n;
        if (errno != EINTR) {
            *err = errno;
            return -1;
        }
    }
}

static bool file_would_block(DplStreamSource *s)
{
    FileSource *f = s->impl;
    struct pollfd p = {.fd = f->fd, .events = POLLIN};
    return poll(&p, 1, 0) == 0;
}

static void file_close(DplStreamSource *s)
{
    FileSource *f = s->impl;
    if (f && f->owned)
        close(f->fd);
    dpl_free(f);
    s->impl = NULL;
}

static const DplStreamSourceOps file_ops = {
    .kind = "file",
    .read = file_read,
    .would_block = file_would_block,
    .close = file_close,
};

DplStreamSource *dpl_stream_source_file(const char *path, int *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = errno;
        return NULL;
    }
    FileSource *f = dpl_calloc(1, sizeof *f);
    f->fd = fd;
    f->owned = !is_stdin;
    DplStreamSource *s = dpl_calloc(1, sizeof *s);
    s->ops = &file_ops;
    s->impl = f;
    s->name = dpl_strdup(is_stdin ? "stdin" : path);
    return s;
}

void dpl_stream_source_close(DplStreamSource *s)
{
    if (!s)
        return;
    if (s->ops->close)
        s->ops->close(s);
    dpl_free(s->name);
    dpl_free(s->input);
    dpl_free(s);
}
