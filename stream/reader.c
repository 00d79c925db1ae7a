/* reader.c — the one reader of `dpl run`, for -j 1 and -j N alike: reads a
 * source into blocks of whole records (about 256 KB each, each tagged with
 * the number of its first line, or with -j N numbered from 1 and renumbered
 * when merged: par->late), has them dispatched — on this thread with
 * -j 1, by N - 1 worker threads and this one (see help) with -j N — and
 * merges finished blocks into the run strictly in input order, one thread
 * at a time: this one, or with self_merge the thread that processed the
 * oldest block (merge_own).  A fixed ring of blocks bounds memory: reading
 * waits while every block is in flight.  Each thread works in memory of
 * its own (Hand).
 *
 * Line rules: a last line without a newline is still a line; a line longer
 * than --max-record-bytes + 1 is not buffered whole (its first bytes and its
 * length go to stream_dispatch_too_long); when the input would block,
 * everything read so far is processed and flushed, so `tail -f | dpl run`
 * shows results promptly.  Record sources (read_record) fill blocks with
 * records instead of lines; the rest is the same.  A regular file is first
 * read by position (view.c): this thread cuts it into blocks by reading
 * only each block's last bytes, the thread that processes a block copies
 * it with pread(2), and read(2) takes over for the file's last line. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "stream/internal.h"

/* About how many bytes a block holds, with -j 1 and -j N alike.  -j N
 * used to cut 128 KiB blocks, when a block's buffer was its own: a ring of
 * 256 KiB ones touched more memory (bench/README.md, "Ninth pass").  Since
 * each thread copies a view's blocks into a buffer of its own (load), half
 * as many blocks means half as many cuts, reads and writes, and -j 2 ran
 * the seed's program at 1.72x -j 1 against 1.63x (bench/README.md,
 * "Eleventh pass"). */
#define BLOCK_BYTES (256u * 1024u)
#define READ_CHUNK (128u * 1024u)
/* A -j N lane holds a whole block's output: reserved at once, the way to
 * it by doubling (64 bytes to 512 KiB) touched pages that no lane used
 * again, about 80 a run */
#define LANE_BYTES (BLOCK_BYTES + BLOCK_BYTES / 2)
#define BLOCK_RECORDS 4096 /* record sources: most records per block */
/* A view's block ends at the last newline of its window, looked for in
 * the window's last bytes first (lines are shorter than this) */
#define TAIL_BYTES 4096u
/* a line longer than a block is looked for in windows this long */
#define LONG_WINDOW (1u << 20)
#define RAW_PREFIX DPL_STREAM_RAW_PREFIX

typedef enum { BLK_FREE, BLK_QUEUED, BLK_DONE } BlkState;

/* A record of a record source, kept in its block (offsets into buf, since
 * buf may move while the block fills). */
typedef struct {
    size_t off, len, where_off, key_off;
    DplStreamPos pos;
} BlockRec;

typedef struct {
    char *buf; /* owned: the bytes read into the block, buf[0..len) */
    size_t len, cap;
    bool copy;  /* the block's bytes are still to be read from the view at src */
    size_t src;
    const char *bytes; /* the bytes processed: buf, or the processing thread's buffer */
    long first_line;
    uint64_t first_seq;
    long nlines; /* counted by process_block */
    bool is_long; /* buf holds the prefix of a too-long line */
    bool long_blank; /* ... and the whole line was white space: a blank line */
    unsigned long long long_len;
    BlockRec *recs; /* record sources: nrecs records */
    size_t nrecs, caprecs;
    StreamLane *lane; /* one of its thread's while it is processed and merged */
    BlkState state;
} Block;

typedef struct Par Par;
typedef struct Hand Hand;

/* A lane, and the thread whose lane it is.  128 bytes keep lanes apart:
 * threads write their lanes at every record, and when every thread's lanes
 * lay side by side in one array, blocks took 5-10% longer with -j 2 than
 * with 128 bytes between them (bench/README.md, tenth pass). */
typedef struct {
    StreamLane lane; /* first: a block's lane pointer is its OwnLane's */
    Hand *owner;
    char apart[128];
} OwnLane;

/* What one thread of the reader works with, and no other thread writes:
 * its engine state, the buffer it copies a view's blocks into, and its
 * lanes.  A block's buffer and lane used to belong to its place in the
 * ring, so each thread copied and wrote into memory the other had just
 * written: with output to a file, the reading thread's blocks took 0.155
 * ms and 0.138 with a buffer of its own (bench/README.md, tenth pass).
 * Lanes of its own let a thread merge its blocks itself (merge_own). */
struct Hand {
    Par *par;
    DplEngineState *est;
    char *buf; /* view blocks are copied here (load) */
    size_t cap;
    OwnLane *lanes; /* one for every block that may be in flight, freed
                       with h; another thread may own one for a while */
    StreamLane **free; /* the free lanes h owns, last freed on top (their
                          pages and cache lines are the ones touched last) */
    size_t nfree;
};

struct Par {
    DplStreamRun *run;
    DplStreamSource *in;
    bool by_record;
    Block *ring;
    size_t nring;
    bool threaded;
    bool keep_recs; /* lanes point into their blocks' bytes */
    Hand *hands; /* [0]: this thread's; then one per worker */
    size_t nhands;
    /* sequence numbers: blocks [head, tail) are in flight, [next_work, tail)
     * wait for a worker; block s lives in ring[s % nring] */
    unsigned long head, tail, next_work;
    bool quit;
    /* blocks are merged by one thread at a time, in order: the one that
     * holds this (under mu).  With self_merge a worker merges its own
     * blocks when they are the oldest (merge_own), else only this one. */
    bool merging;
    bool self_merge;
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    /* reading */
    size_t max;
    bool eof, stalled;
    bool stopped; /* a stop was asked (signals.c): a partial last line is not a record */
    int err;
    DplBuf carry; /* the start of a line whose end is not read yet */
    StreamView view; /* a regular file read by position (viewing: still being cut) */
    bool viewing;
    size_t vpos;   /* the view's bytes before this are in blocks */
    char *scratch; /* LONG_WINDOW bytes, for a line longer than a block */
    long next_line;
    uint64_t seq_base;
    /* -j N on lines: blocks are numbered from 1 and renumbered as they are
     * merged, when the lines they hold are known (stream_lane_renumber) */
    bool late;
    DplBuf renumbered;
    StreamSpread spread; /* where the workers start */
};

/* ---- dispatching a block ------------------------------------------------------- */

/* Makes *buf (of *cap bytes) hold at least need. */
static void reserve_cap(char **buf, size_t *cap, size_t need)
{
    if (*cap >= need)
        return;
    size_t c = *cap ? *cap : BLOCK_BYTES + READ_CHUNK;
    while (c < need)
        c *= 2;
    *buf = dpl_realloc(*buf, c);
    *cap = c;
}

/* Makes b's bytes readable at b->bytes.  A view's block is copied by the
 * thread that processes it (with -j N, N threads copy at once), into that
 * thread's buffer (h): the block holds no memory while it waits.  Into
 * the block's own buffer when there is no h (the reading thread counts its
 * lines) or when the lane keeps records that point into the bytes until
 * the merge. */
static void load(Par *par, Block *b, Hand *h)
{
    if (!b->copy) {
        b->bytes = b->buf;
        return;
    }
    char *dst;
    if (h && !par->keep_recs) {
        reserve_cap(&h->buf, &h->cap, b->len);
        dst = h->buf;
    } else {
        reserve_cap(&b->buf, &b->cap, b->len);
        dst = b->buf;
    }
    stream_view_read(&par->view, b->src, dst, b->len);
    b->bytes = dst;
    b->copy = false;
}

/* A thread's buffer that a line longer than a block grew gives its
 * memory back, as a block's own buffer does after its merge. */
static void trim_buf(Hand *h)
{
    if (h->cap > 4 * BLOCK_BYTES) {
        dpl_free(h->buf);
        h->buf = NULL;
        h->cap = 0;
    }
}

/* Whether a lane has held output: its pages are touched already (a first
 * touch costs 12 us a page on the benchmark's virtual machine). */
static bool lane_warm(const StreamLane *l)
{
    return l->out[DPL_OUT_ENTITIES].cap > 0;
}

/* A free lane for h's next block: its own last freed, when warm; else a
 * warm one another thread has free (it becomes h's: its lines come from
 * the other core's cache once, where a cold lane's pages are each a page
 * fault); else a cold one.  Called with par->mu held when threaded. */
static StreamLane *take_lane(Par *par, Hand *h)
{
    if (h->nfree && lane_warm(h->free[h->nfree - 1]))
        return h->free[--h->nfree];
    Hand *from = h->nfree ? h : NULL;
    for (size_t i = 0; i < par->nhands; i++) {
        Hand *o = &par->hands[i];
        if (o != h && o->nfree && lane_warm(o->free[o->nfree - 1])) {
            from = o;
            break;
        }
        if (!from && o->nfree)
            from = o;
    }
    StreamLane *l = from->free[--from->nfree];
    ((OwnLane *)(void *)l)->owner = h;
    return l;
}

/* Dispatches every record of b, with h's engine state and into one of h's
 * lanes (b->lane until it is merged); returns the number of lines.  Called
 * with par->mu held when threaded (for the lane), returns without it. */
static long process_block(Par *par, Block *b, Hand *h)
{
    StreamLane *lane = b->lane = take_lane(par, h);
    if (par->threaded) {
        pthread_mutex_unlock(&par->mu);
        if (lane->out[DPL_OUT_ENTITIES].cap == 0) /* the lane is this thread's now */
            dpl_buf_reserve(&lane->out[DPL_OUT_ENTITIES], LANE_BYTES);
    }
    load(par, b, h);
    lane->est = h->est;
    DplStreamPos pos = {.line = b->first_line, .input = par->in->input};
    uint64_t seq = b->first_seq;
    if (b->is_long) {
        if (b->long_blank) /* its prefix is as blank as the line */
            stream_dispatch(lane, &pos, seq, b->bytes, b->len);
        else
            stream_dispatch_too_long(lane, &pos, seq, b->bytes, b->len, b->long_len);
        return 1;
    }
    if (par->by_record) {
        for (size_t i = 0; i < b->nrecs; i++)
            stream_dispatch(lane, &b->recs[i].pos, seq + i, b->bytes + b->recs[i].off, b->recs[i].len);
        return (long)b->nrecs;
    }
    const char *p = b->bytes, *end = b->bytes + b->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end; /* only in a view that shrank (zeros): the rest is a line */
        /* a line over the limit too (a view's block holds a line up to the
         * limit whole): the dispatch judges it blank or too long, as
         * long_line does */
        stream_dispatch(lane, &pos, seq++, p, (size_t)(nl - p));
        pos.line++;
        p = nl + 1;
    }
    return pos.line - b->first_line;
}

/* ---- merging, in input order ------------------------------------------------------- */

/* Hands b's output and counts to the run; called by the thread that
 * holds par->merging, without par->mu. */
static void merge_block(Par *par, Block *b)
{
    if (par->late) {
        long before = par->next_line - 1;
        stream_lane_renumber(b->lane, before, par->seq_base + (uint64_t)before, &par->renumbered);
        par->next_line += b->nlines;
    }
    /* -j 1 keeps one lane growing to the flush size; a -j N block's lane
     * (or one whose records point into the block) goes out whole */
    stream_merge(par->run, b->lane, par->threaded || b->lane->keep_recs);
    if (b->cap > 4 * BLOCK_BYTES) {
        /* a huge line grew this block: give the memory back */
        dpl_free(b->buf);
        b->buf = NULL;
        b->cap = 0;
    }
}

/* The thread whose lane b has. */
static Hand *owner_of(const Block *b)
{
    return ((OwnLane *)(void *)b->lane)->owner;
}

/* Merges b, the oldest block, done, while no other thread merges: takes
 * the turn, merges without par->mu, then gives b's lane back to its
 * thread and frees its place in the ring.  Called, and returns, with
 * par->mu held. */
static void merge_turn(Par *par, Block *b)
{
    par->merging = true;
    pthread_mutex_unlock(&par->mu);
    merge_block(par, b);
    pthread_mutex_lock(&par->mu);
    Hand *owner = owner_of(b);
    owner->free[owner->nfree++] = b->lane;
    b->lane = NULL;
    b->state = BLK_FREE;
    par->head++;
    par->merging = false;
    pthread_cond_broadcast(&par->done_cv);
}

/* With self_merge, h's thread merges its own blocks while the oldest in
 * flight is one and no other thread is merging: their output is in its
 * core's cache.  When the reading thread wrote a worker's output to a
 * file, the worker's next writes to those lines waited for that core: its
 * blocks took 0.195 ms against 0.145 when it writes them itself; with
 * step below, -j 2 went from 1.57x -j 1's throughput to 1.84x
 * (bench/README.md, tenth pass).  Called, and returns, with par->mu held. */
static void merge_own(Par *par, Hand *h)
{
    while (par->self_merge && !par->merging && par->head != par->tail) {
        Block *b = &par->ring[par->head % par->nring];
        if (b->state != BLK_DONE || owner_of(b) != h)
            return;
        merge_turn(par, b);
    }
}

/* Takes the next queued block and processes it with h, the calling
 * thread's; called, and returns, with par->mu held. */
static void run_next(Par *par, Hand *h)
{
    Block *b = &par->ring[par->next_work++ % par->nring];
    b->nlines = process_block(par, b, h);
    trim_buf(h);
    pthread_mutex_lock(&par->mu);
    b->state = BLK_DONE;
    pthread_cond_broadcast(&par->done_cv);
    merge_own(par, h);
}

/* A thread's engine state (NULL when engine/ does not run the program):
 * one per thread, not per block, so a thread's caches stay in its core. */
static DplEngineState *new_state(Par *par)
{
    const DplEngine *e = stream_engines(par->run)->engine;
    return e ? dpl_engine_state_new(e) : NULL;
}

static void *worker(void *arg)
{
    Hand *h = arg;
    Par *par = h->par;
    stream_spread_settle(&par->spread);
    h->est = new_state(par);
    pthread_mutex_lock(&par->mu);
    for (;;) {
        while (!par->quit && par->next_work == par->tail)
            pthread_cond_wait(&par->work_cv, &par->mu);
        if (par->next_work == par->tail)
            break; /* quit, and nothing left to do */
        run_next(par, h);
    }
    pthread_mutex_unlock(&par->mu);
    return NULL;
}

/* The reading thread of -j N takes a queued block too when it has nothing
 * else to do (the ring is full and its oldest block not done): N threads
 * in all, not N workers and a reader that mostly waits, so -j 2 on two
 * cores runs two threads, not three.  Returns whether it processed one. */
static bool help(Par *par)
{
    pthread_mutex_lock(&par->mu);
    bool queued = par->next_work != par->tail;
    if (queued)
        run_next(par, &par->hands[0]);
    pthread_mutex_unlock(&par->mu);
    return queued;
}

/* ---- the reading thread's merges ------------------------------------------------------ */

/* Merges the oldest block in flight if it is done and no other thread is
 * merging; returns whether this thread merged one. */
static bool merge_oldest(Par *par)
{
    pthread_mutex_lock(&par->mu);
    Block *b = &par->ring[par->head % par->nring];
    if (par->head == par->tail || b->state != BLK_DONE || par->merging) {
        pthread_mutex_unlock(&par->mu);
        return false;
    }
    merge_turn(par, b);
    pthread_mutex_unlock(&par->mu);
    return true;
}

/* Blocks in flight. */
static unsigned long in_flight(Par *par)
{
    pthread_mutex_lock(&par->mu);
    unsigned long n = par->tail - par->head;
    pthread_mutex_unlock(&par->mu);
    return n;
}

/* Waits until a block is done or merged, unless this thread has something
 * to do already (the oldest block to merge, a queued one to process). */
static void wait_for_progress(Par *par)
{
    pthread_mutex_lock(&par->mu);
    const Block *b = &par->ring[par->head % par->nring];
    if (par->head != par->tail && par->next_work == par->tail && (b->state != BLK_DONE || par->merging))
        pthread_cond_wait(&par->done_cv, &par->mu);
    pthread_mutex_unlock(&par->mu);
}

/* One step of this thread while blocks are in flight: merge the oldest
 * block, or else process a queued one, or else wait for the others.  One
 * step only: with self_merge a worker may free the place this thread
 * waits for, and it must go back to reading then (helping on until it
 * merged a block itself let the queue run dry, and the worker slept).
 * Returns false when no block is in flight. */
static bool step(Par *par)
{
    if (merge_oldest(par))
        return true;
    if (!in_flight(par))
        return false;
    if (par->threaded && !help(par))
        wait_for_progress(par);
    return true;
}

static void drain(Par *par)
{
    while (step(par))
        ;
}

/* stream_go_on, read when no merge is under way (a worker's merge may be
 * changing what it reads: a sink that failed); during one, true until the
 * next call.  Never waits: this thread sleeping on a merge, and the worker
 * then on an empty queue, cost each a wake-up of 0.05-0.25 ms here. */
static bool go_on(Par *par)
{
    pthread_mutex_lock(&par->mu);
    bool ok = par->merging || stream_go_on(par->run);
    pthread_mutex_unlock(&par->mu);
    return ok;
}

/* The number of newlines in p[0..n): 16 bytes a step, counted in byte
 * lanes (a match is 0xFF, subtracted) and summed every 255 steps; the
 * reader thread of -j N counts every block's lines before queueing it,
 * unless the lines can be numbered late (par->late).  That pass is the
 * first touch of every byte, on the reading thread's core, and cost -j 2
 * about 8% of its CPU time on the seed's program. */
static size_t count_newlines(const char *p, size_t n)
{
    size_t count = 0, i = 0;
#ifdef __SSE2__
    const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    while (n - i >= 16) {
        __m128i acc = zero;
        size_t steps = (n - i) / 16 < 255 ? (n - i) / 16 : 255;
        for (size_t k = 0; k < steps; k++, i += 16)
            acc = _mm_sub_epi8(acc,
                               _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + i)), nl));
        __m128i sums = _mm_sad_epu8(acc, zero);
        count += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_extract_epi16(sums, 4);
    }
#endif
    for (; i < n; i++)
        count += p[i] == '\n';
    return count;
}

/* Queues b; without threads, dispatches it at once. */
static void submit(Par *par, Block *b)
{
    b->first_line = par->late ? 1 : par->next_line;
    b->first_seq = par->late ? 1 : par->seq_base + (uint64_t)par->next_line;
    if (!par->threaded) {
        par->next_line += process_block(par, b, &par->hands[0]);
        trim_buf(&par->hands[0]);
        b->state = BLK_DONE;
        par->tail++;
        par->next_work++;
        return;
    }
    if (par->late) {
        /* numbered as merged */
    } else if (b->is_long) {
        par->next_line++;
    } else if (par->by_record) {
        par->next_line += (long)b->nrecs;
    } else {
        load(par, b, NULL); /* counted here, so read here, into b->buf */
        const char *end = b->buf + b->len;
        par->next_line += (long)count_newlines(b->buf, b->len);
        if (b->len && end[-1] != '\n')
            par->next_line++; /* as process_block counts a shrunk view's rest */
    }
    pthread_mutex_lock(&par->mu);
    b->state = BLK_QUEUED;
    par->tail++;
    pthread_cond_signal(&par->work_cv);
    pthread_mutex_unlock(&par->mu);
}

/* ---- reading ------------------------------------------------------------------------ */

static void reserve(Block *b, size_t extra)
{
    reserve_cap(&b->buf, &b->cap, b->len + extra);
}

static bool would_block(Par *par)
{
    return par->in->ops->would_block && par->in->ops->would_block(par->in);
}

/* Input stalls: show everything read so far before waiting. */
static void stall(Par *par)
{
    drain(par);
    if (!par->threaded) /* -j 1's lane may hold output below the flush size */
        stream_merge(par->run, &par->hands[0].lanes[0].lane, true);
    stream_flush(par->run);
}

/* Reads into b->buf at off; returns the byte count, or 0 at the end.  A
 * failed read (par->err) ends the input there: what was read before it is
 * still processed and accounted for (a corrupt gzip member, a bad disk),
 * and the failure is reported once. */
static ssize_t read_at(Par *par, Block *b, size_t off)
{
    if (would_block(par))
        stall(par);
    ssize_t n = par->in->ops->read(par->in, b->buf + off, b->cap - off, &par->err);
    if (n < 0) {
        if (!par->err)
            par->err = EIO;
        n = 0;
    }
    return n;
}

/* b holds the start of a line longer than the limit: keep its first
 * RAW_PREFIX bytes, count and discard the rest of the line (a final CR is
 * not counted, as the dispatch strips it), and keep what follows it.  The
 * result does not depend on how reads split the line. */
static int long_line(Par *par, Block *b)
{
    size_t keep = b->len < RAW_PREFIX + 1 ? b->len : RAW_PREFIX + 1;
    unsigned long long total = b->len;
    char last = b->buf[b->len - 1];
    bool blank = stream_is_blank(b->buf, b->len);
    for (;;) {
        ssize_t n = read_at(par, b, keep);
        if (n == 0) {
            par->eof = true;
            break;
        }
        char *at = b->buf + keep;
        char *nl = memchr(at, '\n', (size_t)n);
        size_t take = nl ? (size_t)(nl - at) : (size_t)n;
        if (take)
            last = at[take - 1];
        blank = blank && stream_is_blank(at, take);
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
    b->long_blank = blank;
    b->long_len = total;
    b->len = total < RAW_PREFIX ? (size_t)total : RAW_PREFIX;
    return 1;
}

/* Fills b with whole lines (or one too-long line).  Returns 1 when b is
 * ready, 0 at the end of the input (or after a failed read). */
static int fill_lines(Par *par, Block *b)
{
    reserve(b, par->carry.len + READ_CHUNK);
    if (par->carry.len)
        memcpy(b->buf, par->carry.data, par->carry.len);
    b->len = par->carry.len;
    dpl_buf_reset(&par->carry);
    size_t scanned = 0, cut = 0; /* cut: one past the last newline */
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
        if (cut && would_block(par)) {
            par->stalled = true; /* the caller processes and flushes these lines */
            break;
        }
        reserve(b, READ_CHUNK);
        ssize_t n = read_at(par, b, b->len);
        if (n == 0) {
            par->eof = true;
            par->stopped = dpl_stream_stop_requested() != 0;
        } else
            b->len += (size_t)n;
    }
    if (par->eof && b->len > cut && !par->stopped) {
        /* a last line without a newline is still a line (but a line cut
         * short by a stop was never read whole: it is not a record) */
        reserve(b, 1);
        b->buf[b->len++] = '\n';
        cut = b->len;
    }
    dpl_buf_append(&par->carry, b->buf + cut, b->len - cut);
    b->len = cut;
    return cut > 0;
}

static size_t keep_bytes(Block *b, const void *p, size_t n)
{
    reserve(b, n);
    size_t off = b->len;
    if (n)
        memcpy(b->buf + off, p, n);
    b->len += n;
    return off;
}

/* Fills b with records of a record source: 1, or 0 at the end (or after a
 * failed read). */
static int fill_records(Par *par, Block *b)
{
    b->len = 0;
    while (!par->eof && b->len < BLOCK_BYTES && b->nrecs < BLOCK_RECORDS) {
        if (dpl_stream_stop_requested()) {
            par->eof = par->stopped = true;
            break;
        }
        DplStreamRecord rec;
        memset(&rec, 0, sizeof rec);
        int st = par->in->ops->read_record(par->in, &rec, &par->err);
        if (st < 0 && !par->err)
            par->err = EIO;
        if (st <= 0) { /* the end, or a failure: what was read is processed */
            par->eof = true;
            break;
        }
        if (st == 2) {
            if (b->nrecs) {
                par->stalled = true;
                break;
            }
            stall(par);
            if (!stream_go_on(par->run))
                break;
            continue;
        }
        if (b->nrecs == b->caprecs) {
            b->caprecs = b->caprecs ? 2 * b->caprecs : 64;
            b->recs = dpl_realloc(b->recs, b->caprecs * sizeof *b->recs);
        }
        BlockRec *br = &b->recs[b->nrecs++];
        br->pos = rec.pos;
        br->off = keep_bytes(b, rec.text, rec.len);
        br->len = rec.len;
        br->where_off = keep_bytes(b, rec.pos.where, rec.pos.where ? rec.pos.where_len : 0);
        br->key_off = keep_bytes(b, rec.pos.key, rec.pos.key ? rec.pos.key_len : 0);
    }
    /* buf has stopped moving: point the positions into it */
    for (size_t i = 0; i < b->nrecs; i++) {
        BlockRec *br = &b->recs[i];
        if (br->pos.where)
            br->pos.where = b->buf + br->where_off;
        if (br->pos.key)
            br->pos.key = b->buf + br->key_off;
        if (!br->pos.input)
            br->pos.input = par->in->input;
    }
    return b->nrecs > 0;
}

/* How many bytes of whole lines the view's next `want` bytes (from
 * par->vpos) hold, or 0 when they hold no newline.  The window's last
 * bytes are read first; only when they hold no newline is the whole window
 * read, into b->buf (then b's bytes are already there: *loaded). */
static size_t view_block_end(Par *par, Block *b, size_t want, bool *loaded)
{
    char tail[TAIL_BYTES];
    size_t tl = want < TAIL_BYTES ? want : TAIL_BYTES;
    size_t got = stream_view_read(&par->view, par->vpos + want - tl, tail, tl);
    const char *nl = memrchr(tail, '\n', got);
    if (nl)
        return want - tl + (size_t)(nl + 1 - tail);
    if (got < tl || want == tl)
        return 0;
    reserve(b, want);
    got = stream_view_read(&par->view, par->vpos, b->buf, want);
    nl = memrchr(b->buf, '\n', got);
    *loaded = nl != NULL;
    return nl ? (size_t)(nl + 1 - b->buf) : 0;
}

/* The length with its newline of the view's line at par->vpos, longer
 * than the `want` bytes of it in b->buf already (left: the view's bytes
 * from there), or 0 when the file ended first (it shrank).  Its end is
 * looked for a window at a time, so memory stays bounded however long it
 * is.  A line over the limit becomes an is_long block holding its first
 * bytes, as long_line makes it. */
static size_t long_view_line(Par *par, Block *b, size_t want, size_t left)
{
    if (!par->scratch)
        par->scratch = dpl_malloc(LONG_WINDOW);
    size_t done = want; /* the line's bytes looked at */
    bool blank = stream_is_blank(b->buf, want);
    char last = b->buf[want - 1];
    const char *nl = NULL;
    while (!nl && done < left) {
        size_t n = left - done < LONG_WINDOW ? left - done : LONG_WINDOW;
        size_t got = stream_view_read(&par->view, par->vpos + done, par->scratch, n);
        if (got < n)
            return 0;
        nl = memchr(par->scratch, '\n', n);
        size_t used = nl ? (size_t)(nl - par->scratch) : n;
        blank = blank && stream_is_blank(par->scratch, used);
        if (used)
            last = par->scratch[used - 1];
        done += used;
    }
    if (!nl)
        return 0;
    if (done <= par->max + 1)
        return done + 1; /* within the limit: a block of its own, whole */
    size_t total = done - (last == '\r');
    b->len = total < RAW_PREFIX ? total : RAW_PREFIX; /* b->buf holds them */
    b->is_long = true;
    b->long_blank = blank;
    b->long_len = total;
    return done + 1;
}

/* A view that failed (it shrank, or a read failed) fails the run; the
 * lines already cut are processed. */
static void view_failed(Par *par, int err)
{
    if (par->err)
        return;
    par->err = err;
    par->eof = true;
    if (err == EIO && !par->in->why)
        par->in->why = dpl_strdup("the file shrank while it was being read");
}

/* Cuts the next block of whole lines out of the view: 1, or 0 when the
 * view is used up (or a stop was asked); read(2) then goes on after its
 * last byte.  The block's bytes are read by whoever processes it (load). */
static int fill_view(Par *par, Block *b)
{
    StreamView *v = &par->view;
    if (dpl_stream_stop_requested()) {
        par->eof = par->stopped = true;
    } else if (par->vpos < v->len && stream_view_intact(v)) {
        size_t left = v->len - par->vpos, want = left < BLOCK_BYTES ? left : BLOCK_BYTES;
        bool loaded = false;
        size_t end = view_block_end(par, b, want, &loaded);
        if (!end && stream_view_intact(v) && want < left)
            end = long_view_line(par, b, want, left);
        if (end) { /* always, unless the file shrank */
            if (!b->is_long) {
                if (!loaded) { /* read by whoever processes it (load) */
                    b->copy = true;
                    b->src = par->vpos;
                }
                b->len = end;
            }
            par->vpos += end;
            return 1;
        }
    }
    par->viewing = false;
    int err = stream_view_end(v, par->vpos);
    if (err)
        view_failed(par, err);
    return 0;
}

static int fill(Par *par, Block *b)
{
    b->len = 0;
    b->nrecs = 0;
    b->is_long = false;
    b->long_blank = false;
    b->copy = false;
    par->stalled = false;
    if (par->viewing && fill_view(par, b))
        return 1;
    if (par->eof)
        return 0;
    return par->by_record ? fill_records(par, b) : fill_lines(par, b);
}

/* A thread's lanes (as many as blocks may be in flight: one thread may
 * process them all), lanes[0] on top of the free ones: -j 1's one lane. */
static void hand_init(Par *par, Hand *h)
{
    h->par = par;
    h->lanes = dpl_calloc(par->nring, sizeof *h->lanes);
    h->free = dpl_calloc(par->nring * par->nhands, sizeof *h->free); /* lanes move: take_lane */
    for (size_t i = 0; i < par->nring; i++) {
        stream_lane_init(&h->lanes[i].lane, stream_engines(par->run), par->keep_recs,
                         stream_keep_skipped(par->run));
        h->lanes[i].owner = h;
        h->free[par->nring - 1 - i] = &h->lanes[i].lane;
    }
    h->nfree = par->nring;
}

/* Frees h, its lanes merged first (with -j 1 the one lane may still hold
 * output below the flush size; the others are empty). */
static void hand_free(Hand *h)
{
    for (size_t i = 0; i < h->par->nring; i++) {
        stream_merge(h->par->run, &h->lanes[i].lane, true);
        stream_lane_free(&h->lanes[i].lane);
    }
    dpl_free(h->lanes);
    dpl_free(h->free);
    dpl_free(h->buf);
    dpl_engine_state_free(h->est);
}

int stream_read(DplStreamRun *run, DplStreamSource *in, unsigned jobs, size_t max_record_bytes,
                uint64_t seq_base, uint64_t *nseq, bool *stopped)
{
    Par par = {.run = run,
               .in = in,
               .by_record = in->ops->read_record != NULL,
               .max = max_record_bytes,
               .next_line = 1,
               .seq_base = seq_base - 1};
    if (jobs < 1)
        jobs = 1;
    par.threaded = jobs > 1;
    if (!par.by_record && in->ops->plain_fd) {
        int fd = in->ops->plain_fd(in);
        par.viewing = fd >= 0 && stream_view_open(&par.view, fd);
    }
    /* Three blocks per thread keep them busy while the oldest is merged.
     * With two, a worker found the queue empty about once in every four
     * blocks (the reading thread busy with a block of its own while the
     * oldest waited for its merge); with three, almost never, and -j 2
     * gained 0-4% (bench/README.md, "Eleventh pass").  Four gained
     * nothing more. */
    par.nring = par.threaded ? 3 * (size_t)jobs : 1;
    par.keep_recs = stream_keep_recs(run);
    par.ring = dpl_calloc(par.nring, sizeof *par.ring);
    par.nhands = par.threaded ? jobs : 1;
    par.hands = dpl_calloc(par.nhands, sizeof *par.hands);
    for (size_t i = 0; i < par.nhands; i++)
        hand_init(&par, &par.hands[i]);
    par.hands[0].est = new_state(&par); /* a worker makes its own */
    pthread_mutex_init(&par.mu, NULL);
    pthread_cond_init(&par.work_cv, NULL);
    pthread_cond_init(&par.done_cv, NULL);
    unsigned workers = jobs - 1; /* and this thread, between its reads */
    pthread_t *threads = par.threaded ? dpl_calloc(workers, sizeof *threads) : NULL;
    unsigned started = 0;
    if (par.threaded) {
        /* jansson seeds its object hashes lazily on first use; do it here,
         * before any worker thread can race to do it. */
        json_object_seed(0);
        /* SIGINT/SIGTERM go to this thread, whose reads they interrupt */
        sigset_t block, old;
        sigemptyset(&block);
        sigaddset(&block, SIGINT);
        sigaddset(&block, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &block, &old);
        stream_spread_init(&par.spread);
        for (; started < workers; started++)
            if (stream_spread_create(&par.spread, &threads[started], worker, &par.hands[1 + started]) != 0)
                break;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (started == 0)
            par.threaded = false; /* no thread could be started: work on this one */
    }
    par.late = par.threaded && !par.by_record && stream_engines(run)->late_lines && !stream_keep_recs(run);
    /* Workers merge their own blocks when no sink wants records and the
     * source commits nothing (Kafka's and the lake's sinks, a Kafka source:
     * those are called from this thread only). */
    par.self_merge = par.threaded && !par.by_record && !par.keep_recs;

    while (go_on(&par)) {
        while (in_flight(&par) == par.nring)
            step(&par);
        Block *b = &par.ring[par.tail % par.nring];
        if (fill(&par, b) <= 0)
            break; /* end of input (or a failed read) */
        submit(&par, b);
        while (merge_oldest(&par))
            ;
        if (par.stalled)
            stall(&par);
    }
    /* Nothing more will be queued: a worker leaves once the queue is
     * empty, while this thread still merges, not when all is merged (the
     * join then waited 0.5 ms for it to wake and exit). */
    pthread_mutex_lock(&par.mu);
    par.quit = true;
    pthread_cond_broadcast(&par.work_cv);
    pthread_mutex_unlock(&par.mu);
    drain(&par);
    int view_err = atomic_load(&par.view.err); /* a worker's read may have found it shrunk */
    if (view_err)
        view_failed(&par, view_err);
    for (unsigned i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    dpl_free(threads);
    /* -j 1's lane may still hold output below the flush size */
    for (size_t i = 0; i < par.nhands; i++)
        hand_free(&par.hands[i]);
    dpl_free(par.hands);
    for (size_t i = 0; i < par.nring; i++) {
        dpl_free(par.ring[i].buf);
        dpl_free(par.ring[i].recs);
    }
    dpl_free(par.ring);
    dpl_buf_free(&par.carry);
    dpl_buf_free(&par.renumbered);
    dpl_free(par.scratch);
    if (par.viewing) /* stopped early: the fd goes on after what was read */
        stream_view_end(&par.view, par.vpos);
    stream_view_close(&par.view);
    pthread_cond_destroy(&par.work_cv);
    pthread_cond_destroy(&par.done_cv);
    pthread_mutex_destroy(&par.mu);
    *nseq = (uint64_t)(par.next_line - 1);
    *stopped = par.stopped || (dpl_stream_stop_requested() && !par.eof);
    return par.err;
}
