/* view.c — the rest of a regular file mapped read-only, so the reader cuts
 * lines out of the page cache instead of copying every byte through
 * read(2) (which cost `dpl run` about a tenth of its time).
 *
 * Only what read(2) would return at open time is mapped: from the fd's
 * offset to the file's size, and of that only up to the last newline (the
 * last line is left to read(2), which handles growth, a missing newline and
 * a stop request the usual way).  Pages behind the reader are unmapped as
 * it goes (view_release), so memory stays flat however big the file.
 *
 * A file that shrinks while it is mapped (truncated by another process, as
 * `logrotate copytruncate` does) would kill us with SIGBUS on the next page
 * past its new end.  The handler below maps zero pages over the rest of the
 * view instead and notes it: the lines there read as NUL bytes (rejected as
 * invalid JSON, never as records), and the run fails with "the file shrank
 * while it was being read", as a failed read(2) would. */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stream/internal.h"

/* The one view the SIGBUS handler may repair (a run reads its inputs one
 * at a time; a second view at once is not made). */
static _Atomic(uintptr_t) guard_lo, guard_hi;
static volatile sig_atomic_t guard_hit;
static struct sigaction old_bus;
static long page_size;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    uintptr_t a = (uintptr_t)si->si_addr;
    uintptr_t lo = atomic_load(&guard_lo), hi = atomic_load(&guard_hi);
    if (lo && a >= lo && a < hi) {
        uintptr_t page = a & ~(uintptr_t)(page_size - 1);
        /* mmap is a plain system call on Linux: safe in a handler */
        if (mmap((void *)page, hi - page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
            MAP_FAILED) {
            guard_hit = 1;
            return; /* the load is retried and reads zeros */
        }
    }
    /* not ours: the default action, on return from here */
    signal(sig, SIG_DFL);
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
    if (atomic_load(&guard_lo))
        return false; /* another view is open */
    if (!page_size)
        page_size = sysconf(_SC_PAGESIZE);
    off_t base = off - off % page_size;
    size_t maplen = (size_t)(st.st_size - base);
    void *map = mmap(NULL, maplen, PROT_READ, MAP_PRIVATE, fd, base);
    if (map == MAP_FAILED)
        return false;
    v->map = map;
    v->maplen = maplen;
    v->fd = fd;
    v->start = off;
    v->data = (const char *)map + (off - base);
    atomic_store(&guard_hi, (uintptr_t)map + ((maplen + (size_t)page_size - 1) & ~(size_t)(page_size - 1)));
    atomic_store(&guard_lo, (uintptr_t)map);
    guard_hit = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &old_bus);
    /* whole lines only: the last one is read(2)'s */
    size_t n = (size_t)(st.st_size - off);
    const char *nl = memrchr(v->data, '\n', n);
    v->len = nl ? (size_t)(nl + 1 - v->data) : 0;
    return true;
}

bool stream_view_intact(const StreamView *v)
{
    return v->map && !guard_hit;
}

void stream_view_release(StreamView *v, size_t upto)
{
    if (!v->map || guard_hit)
        return; /* zeros mapped over the rest: left to stream_view_close */
    uintptr_t from = (uintptr_t)v->map + v->released;
    uintptr_t to = ((uintptr_t)v->data + upto) & ~(uintptr_t)(page_size - 1);
    if (to > from) {
        /* unmapped, not madvise'd: that frees the page tables too; the
         * handler no longer claims the range, which another mapping may get */
        atomic_store(&guard_lo, to);
        munmap((void *)from, to - from);
        v->released += to - from;
    }
}

void stream_view_drop(StreamView *v, size_t lo, size_t hi)
{
    if (!v->map || guard_hit)
        return;
    uintptr_t pm = (uintptr_t)(page_size - 1);
    uintptr_t from = ((uintptr_t)v->data + lo + pm) & ~pm, to = ((uintptr_t)v->data + hi) & ~pm;
    /* dropped, not unmapped: a hole in the mapping could be reused by the
     * next mmap (malloc's), which stream_view_release would then unmap */
    if (to > from)
        madvise((void *)from, to - from, MADV_DONTNEED);
}

int stream_view_end(StreamView *v, size_t used)
{
    if (!v->map)
        return 0;
    if (guard_hit)
        return EIO;
    if (lseek(v->fd, v->start + (off_t)used, SEEK_SET) < 0)
        return errno;
    return 0;
}

void stream_view_close(StreamView *v)
{
    if (!v->map)
        return;
    atomic_store(&guard_lo, 0);
    atomic_store(&guard_hi, 0);
    sigaction(SIGBUS, &old_bus, NULL);
    munmap((char *)v->map + v->released, v->maplen - v->released);
    memset(v, 0, sizeof *v);
}
