/* source_file.c — the byte source of files and stdin: read(2) on an fd,
 * poll(2) to tell when the next read would wait, and gzip (gzip.c) when
 * the first bytes are the gzip magic, whatever the file is called. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "stream/internal.h"

typedef struct {
    int fd;
    bool owned;     /* opened here (stdin is not closed) */
    bool sniffed;   /* the first bytes were looked at */
    StreamGzIn *gz; /* gzip input, or NULL */
} FileSource;

ssize_t stream_fd_read(int fd, char *buf, size_t cap, int *err)
{
    for (;;) {
        if (dpl_stream_stop_requested())
            return 0;
        /* wait in short polls: a stop asked while we wait is seen even if
         * the signal went to another thread or came just before the wait */
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready = poll(&p, 1, 250);
        if (ready == 0 || (ready < 0 && errno == EINTR))
            continue;
        ssize_t n = read(fd, buf, cap);
        if (n >= 0)
            return n;
        if (errno != EINTR) {
            *err = errno;
            return -1;
        }
    }
}

static ssize_t raw_read(int fd, char *buf, size_t cap, int *err)
{
    return stream_fd_read(fd, buf, cap, err);
}

/* The first read: gzip magic (1f 8b) switches the source to gzip. */
static ssize_t sniff(DplStreamSource *s, FileSource *f, char *buf, size_t cap, int *err)
{
    f->sniffed = true;
    ssize_t n = raw_read(f->fd, buf, cap, err);
    if (n == 1 && (unsigned char)buf[0] == 0x1f && cap > 1) {
        /* one byte so far (a pipe): the second decides */
        ssize_t m = raw_read(f->fd, buf + 1, 1, err);
        if (m < 0)
            return -1;
        n += m;
    }
    if (n < 2 || (unsigned char)buf[0] != 0x1f || (unsigned char)buf[1] != 0x8b)
        return n;
    f->gz = stream_gz_in_new(buf, (size_t)n);
    return stream_gz_in_read(f->gz, f->fd, buf, cap, err, &s->why);
}

static ssize_t file_read(DplStreamSource *s, char *buf, size_t cap, int *err)
{
    FileSource *f = s->impl;
    if (!f->sniffed)
        return sniff(s, f, buf, cap, err);
    if (f->gz)
        return stream_gz_in_read(f->gz, f->fd, buf, cap, err, &s->why);
    return raw_read(f->fd, buf, cap, err);
}

/* A file not read yet and not gzip (its first bytes, peeked with pread,
 * leave the offset alone; a pipe cannot be peeked and is read). */
static int file_plain_fd(DplStreamSource *s)
{
    FileSource *f = s->impl;
    if (f->sniffed)
        return -1;
    unsigned char magic[2];
    off_t at = lseek(f->fd, 0, SEEK_CUR);
    if (at < 0 || pread(f->fd, magic, 2, at) != 2 || (magic[0] == 0x1f && magic[1] == 0x8b))
        return -1;
    f->sniffed = true; /* plain from here on, whatever bytes follow */
    return f->fd;
}

static bool file_would_block(DplStreamSource *s)
{
    FileSource *f = s->impl;
    if (f->gz && stream_gz_in_has_more(f->gz))
        return false;
    struct pollfd p = {.fd = f->fd, .events = POLLIN};
    return poll(&p, 1, 0) == 0;
}

static void file_close(DplStreamSource *s)
{
    FileSource *f = s->impl;
    if (f && f->owned)
        close(f->fd);
    if (f)
        stream_gz_in_free(f->gz);
    dpl_free(f);
    s->impl = NULL;
}

static const DplStreamSourceOps file_ops = {
    .kind = "file",
    .read = file_read,
    .would_block = file_would_block,
    .plain_fd = file_plain_fd,
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
    dpl_free(s->why);
    dpl_free(s);
}
