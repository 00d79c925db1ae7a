/* view.c — the rest of a regular file, read by position: the reading
 * thread cuts it into blocks of whole lines by looking only at each
 * block's last bytes, and the thread that processes a block copies its
 * bytes with pread(2), so with -j N the copying is spread over N threads.
 *
 * Why not a memory mapping (what this was until 2026-12): on a virtual
 * machine with shadow page tables (the PVM guests we benchmark on) the
 * first touch of every mapped page costs an exit to the host, which
 * doubled `dpl run`'s time there (bench/README.md, eighth pass); pread's
 * copy goes through the kernel's direct map and costs about the same
 * everywhere.
 *
 * Only what read(2) would return at open time is viewed: from the fd's
 * offset to the file's size, and of that only up to the last newline (the
 * last line is left to read(2), which handles growth, a missing newline and
 * a stop request the usual way).  A file that shrinks meanwhile (truncated
 * by another process, as `logrotate copytruncate` does) reads as zeros past
 * its new end: those lines are rejected as invalid JSON, never taken for
 * records, and the run fails with "the file shrank while it was being
 * read", as a failed read(2) would. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stream/internal.h"

/* The last newline in [off, hi) of fd, looked for backwards a window of
 * cap bytes at a time (buf); -1 when there is none, -2 when the file reads
 * short or not at all. */
static off_t newline_before(int fd, off_t off, off_t hi, char *buf, size_t cap)
{
    while (hi > off) {
        off_t lo = hi - off > (off_t)cap ? hi - (off_t)cap : off;
        ssize_t n = pread(fd, buf, (size_t)(hi - lo), lo);
        if (n != hi - lo)
            return -2;
        const char *nl = memrchr(buf, '\n', (size_t)n);
        if (nl)
            return lo + (nl - buf);
        hi = lo;
    }
    return -1;
}

/* The file's last newline at or after off; -1 when there is none or the
 * file reads short (left to read(2)).  A file almost always ends with one:
 * its last 4 KiB are read first (a 64 KiB window on the stack cost every
 * run 0.2 ms in first touches of its pages), then 64 KiB at a time. */
static off_t last_newline(int fd, off_t off, off_t size)
{
    char small[4096];
    off_t tail = size - off > (off_t)sizeof small ? size - (off_t)sizeof small : off;
    off_t nl = newline_before(fd, tail, size, small, sizeof small);
    if (nl == -1 && tail > off) {
        size_t cap = 64 * 1024;
        char *buf = dpl_malloc(cap);
        nl = newline_before(fd, off, tail, buf, cap);
        dpl_free(buf);
    }
    return nl < 0 ? -1 : nl;
}

bool stream_view_open(StreamView *v, int fd)
{
    memset(v, 0, sizeof *v);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    off_t off = lseek(fd, 0, SEEK_CUR);
    if (off < 0 || st.st_size <= off)
        return false;
    off_t nl = last_newline(fd, off, st.st_size);
    if (nl < 0)
        return false; /* one line, or none: read(2)'s */
    v->fd = fd;
    v->start = off;
    v->len = (size_t)(nl + 1 - off);
    v->open = true;
    return true;
}

size_t stream_view_read(StreamView *v, size_t at, char *dst, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(v->fd, dst + got, n - got, v->start + (off_t)(at + got));
        if (r > 0) {
            got += (size_t)r;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else {
            /* the file ends early (it shrank) or cannot be read: the rest
             * reads as zeros, and the run fails at the view's end */
            int err = r == 0 ? EIO : errno, none = 0;
            atomic_compare_exchange_strong(&v->err, &none, err);
            memset(dst + got, 0, n - got);
            break;
        }
    }
    return got;
}

bool stream_view_intact(const StreamView *v)
{
    return v->open && atomic_load(&v->err) == 0;
}

int stream_view_end(StreamView *v, size_t used)
{
    if (!v->open)
        return 0;
    int err = atomic_load(&v->err);
    if (err)
        return err;
    if (lseek(v->fd, v->start + (off_t)used, SEEK_SET) < 0)
        return errno;
    return 0;
}

void stream_view_close(StreamView *v)
{
    memset(v, 0, sizeof *v);
}
