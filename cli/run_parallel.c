/* run_parallel.c — `dpl run -j N`: the calling thread reads the input into
 * blocks of whole lines (about 512 KB each, each tagged with the number of its
 * first line), N worker threads turn blocks into output, and the calling
 * thread merges finished blocks strictly in input order.  A fixed ring of
 * blocks bounds memory: reading waits while every block is in flight.
 *
 * Line rules are those of the serial reader in run.c: a last line without a
 * newline is still a line; a line longer than --max-record-bytes + 1 is not
 * buffered whole (its first bytes and its length go to too_long); when the
 * input would block, everything read so far is processed and flushed, so
 * `tail -f | dpl run -j 2` shows results promptly. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "cli/run_parallel.h"
#include "util/util.h"

#define BLOCK_BYTES (512u * 1024u)
#define READ_CHUNK (128u * 1024u)
#define RAW_PREFIX 1024 /* as in run.c: what a too-long reject keeps */

typedef enum { BLK_FREE, BLK_QUEUED, BLK_DONE } BlkState;

typedef struct {
    char *buf;
    size_t len, cap;
    long first_line;
    bool is_long;                 /* buf holds the prefix of a too-long line */
    unsigned long long long_len;
    void *clone;
    BlkState state;
} Block;

typedef struct {
    const DplParOps *ops;
    void *run;
    Block *ring;
    size_t nring;
    /* sequence numbers: blocks [head, tail) are in flight, [next_work, tail)
     * wait for a worker; block s lives in ring[s % nring] */
    unsigned long head, tail, next_work;
    bool quit;
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    /* reader */
    int fd;
    size_t max;
    bool eof, stalled;
    int err;
    DplBuf carry;                 /* the start of a line whose end is not read yet */
    long next_line;
} Par;

/* ---- workers --------------------------------------------------------------- */

static void process_block(const DplParOps *ops, Block *b)
{
    if (b->is_long) {
        ops->too_long(b->clone, b->first_line, b->buf, b->len, b->long_len);
        return;
    }
    const char *p = b->buf, *end = b->buf + b->len;
    long line = b->first_line;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)); /* every line of a block ends with one */
        ops->line(b->clone, line++, p, (size_t)(nl - p));
        p = nl + 1;
    }
}

static void *worker(void *arg)
{
    Par *par = arg;
    pthread_mutex_lock(&par->mu);
    for (;;) {
        while (!par->quit && par->next_work == par->tail)
            pthread_cond_wait(&par->work_cv, &par->mu);
        if (par->next_work == par->tail)
            break; /* quit, and nothing left to do */
        Block *b = &par->ring[par->next_work++ % par->nring];
        pthread_mutex_unlock(&par->mu);
        process_block(par->ops, b);
        pthread_mutex_lock(&par->mu);
        b->state = BLK_DONE;
        pthread_cond_broadcast(&par->done_cv);
    }
    pthread_mutex_unlock(&par->mu);
    return NULL;
}

/* ---- merging, in input order ---------------------------------------------------- */

/* Merges the oldest block in flight; with wait, waits for it to be done.
 * Returns whether a block was merged. */
static bool merge_oldest(Par *par, bool wait)
{
    pthread_mutex_lock(&par->mu);
    if (par->head == par->tail) {
        pthread_mutex_unlock(&par->mu);
        return false;
    }
    Block *b = &par->ring[par->head % par->nring];
    while (b->state != BLK_DONE) {
        if (!wait) {
            pthread_mutex_unlock(&par->mu);
            return false;
        }
        pthread_cond_wait(&par->done_cv, &par->mu);
    }
    pthread_mutex_unlock(&par->mu);
    par->ops->merge(par->run, b->clone);
    if (b->cap > 4 * BLOCK_BYTES) {
        /* a huge line grew this block: give the memory back */
        dpl_free(b->buf);
        b->buf = NULL;
        b->cap = 0;
    }
    pthread_mutex_lock(&par->mu);
    b->state = BLK_FREE;
    par->head++;
    pthread_mutex_unlock(&par->mu);
    return true;
}

static void drain(Par *par)
{
    while (merge_oldest(par, true))
        ;
}

static void submit(Par *par, Block *b)
{
    b->first_line = par->next_line;
    if (b->is_long) {
        par->next_line++;
    } else {
        const char *end = b->buf + b->len;
        for (const char *p = b->buf; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
            par->next_line++;
    }
    pthread_mutex_lock(&par->mu);
    b->state = BLK_QUEUED;
    par->tail++;
    pthread_cond_signal(&par->work_cv);
    pthread_mutex_unlock(&par->mu);
}

/* ---- reading --------------------------------------------------------------------- */

static void reserve(Block *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return;
    size_t cap = b->cap ? b->cap : BLOCK_BYTES + READ_CHUNK;
    while (cap - b->len < extra)
        cap *= 2;
    b->buf = dpl_realloc(b->buf, cap);
    b->cap = cap;
}

static bool would_block(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 0;
}

/* Reads into b->buf at off; returns the byte count, 0 at the end, -1 on error. */
static ssize_t read_at(Par *par, Block *b, size_t off)
{
    if (would_block(par->fd)) {
        /* input stalls: show everything read so far before waiting */
        drain(par);
        par->ops->flush(par->run);
    }
    for (;;) {
        ssize_t n = read(par->fd, b->buf + off, b->cap - off);
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

/* b holds the start of a line longer than the limit: keep its first
 * RAW_PREFIX bytes, count and discard the rest of the line (a final CR is
 * not counted, as process_line strips it), and keep what follows it.  The
 * result does not depend on how reads split the line, so it matches the
 * serial reader's (run.c rd_skip_long). */
static int long_line(Par *par, Block *b)
{
    size_t keep = b->len < RAW_PREFIX + 1 ? b->len : RAW_PREFIX + 1;
    unsigned long long total = b->len;
    char last = b->buf[b->len - 1];
    for (;;) {
        ssize_t n = read_at(par, b, keep);
        if (n < 0) {
            par->err = errno;
            return -1;
        }
        if (n == 0) {
            par->eof = true;
            break;
        }
        char *at = b->buf + keep;
        char *nl = memchr(at, '\n', (size_t)n);
        size_t take = nl ? (size_t)(nl - at) : (size_t)n;
        if (take)
            last = at[take - 1];
        total += take;
        if (nl)
            dpl_buf_append(&par->carry, nl + 1, (size_t)(at + n - (nl + 1)));
        /* the bytes just read continue the prefix in place */
        keep += take < RAW_PREFIX + 1 - keep ? take : RAW_PREFIX + 1 - keep;
        if (nl)
            break;
    }
    if (last == '\r')
        total--;
    b->is_long = true;
    b->long_len = total;
    b->len = total < RAW_PREFIX ? (size_t)total : RAW_PREFIX;
    return 1;
}

/* Fills b with whole lines (or one too-long line).  Returns 1 when b is
 * ready, 0 at the end of the input, -1 on a read error. */
static int fill(Par *par, Block *b)
{
    b->len = 0;
    b->is_long = false;
    reserve(b, par->carry.len + READ_CHUNK);
    if (par->carry.len)
        memcpy(b->buf, par->carry.data, par->carry.len);
    b->len = par->carry.len;
    dpl_buf_reset(&par->carry);
    size_t scanned = 0, cut = 0; /* cut: one past the last newline */
    par->stalled = false;
    for (;;) {
        const char *nl = b->len > scanned ? memrchr(b->buf + scanned, '\n', b->len - scanned) : NULL;
        if (nl)
            cut = (size_t)(nl - b->buf) + 1;
        scanned = b->len;
        if (cut && b->len >= BLOCK_BYTES)
            break;
        if (par->eof)
            break;
        if (!cut && b->len > par->max + 1)
            return long_line(par, b);
        if (cut && would_block(par->fd)) {
            par->stalled = true; /* the caller processes and flushes these lines */
            break;
        }
        reserve(b, READ_CHUNK);
        ssize_t n = read_at(par, b, b->len);
        if (n < 0) {
            par->err = errno;
            return -1;
        }
        if (n == 0)
            par->eof = true;
        else
            b->len += (size_t)n;
    }
    if (par->eof && b->len > cut) {
        /* a last line without a newline is still a line */
        reserve(b, 1);
        b->buf[b->len++] = '\n';
        cut = b->len;
    }
    dpl_buf_append(&par->carry, b->buf + cut, b->len - cut);
    b->len = cut;
    return cut > 0;
}

int dpl_run_parallel(int fd, unsigned jobs, size_t max_record_bytes, const DplParOps *ops, void *run)
{
    Par par = {.ops = ops, .run = run, .fd = fd, .max = max_record_bytes, .next_line = 1};
    if (jobs < 1)
        jobs = 1;
    /* Two blocks per worker keep them busy while the oldest is merged. */
    par.nring = 2 * (size_t)jobs + 1;
    par.ring = dpl_calloc(par.nring, sizeof *par.ring);
    for (size_t i = 0; i < par.nring; i++)
        par.ring[i].clone = ops->clone_new(run);
    pthread_mutex_init(&par.mu, NULL);
    pthread_cond_init(&par.work_cv, NULL);
    pthread_cond_init(&par.done_cv, NULL);
    pthread_t *threads = dpl_calloc(jobs, sizeof *threads);
    unsigned started = 0;
    for (; started < jobs; started++)
        if (pthread_create(&threads[started], NULL, worker, &par) != 0)
            break;
    if (started == 0) {
        /* no thread could be started: work on this one */
        threads[0] = pthread_self();
    }

    while (ops->ok(run)) {
        while (par.tail - par.head == par.nring)
            merge_oldest(&par, true);
        Block *b = &par.ring[par.tail % par.nring];
        int st = fill(&par, b);
        if (st < 0)
            break;
        if (st == 0)
            break; /* end of input */
        submit(&par, b);
        if (started == 0) {
            pthread_mutex_lock(&par.mu);
            par.next_work++;
            pthread_mutex_unlock(&par.mu);
            process_block(ops, b);
            b->state = BLK_DONE;
        }
        while (merge_oldest(&par, false))
            ;
        if (par.stalled) {
            drain(&par);
            ops->flush(run);
        }
    }
    drain(&par);

    pthread_mutex_lock(&par.mu);
    par.quit = true;
    pthread_cond_broadcast(&par.work_cv);
    pthread_mutex_unlock(&par.mu);
    for (unsigned i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    dpl_free(threads);
    for (size_t i = 0; i < par.nring; i++) {
        ops->clone_free(par.ring[i].clone);
        dpl_free(par.ring[i].buf);
    }
    dpl_free(par.ring);
    dpl_buf_free(&par.carry);
    pthread_cond_destroy(&par.work_cv);
    pthread_cond_destroy(&par.done_cv);
    pthread_mutex_destroy(&par.mu);
    return par.err;
}
