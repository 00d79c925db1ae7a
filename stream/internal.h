/* internal.h — what the files of stream/ share: the engines, the lane (one
 * thread's output and counts), the reader's entry point and the run's
 * callbacks into which the reader merges lanes. */
#ifndef DPL_STREAM_INTERNAL_H
#define DPL_STREAM_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "engine/engine.h"
#include "eval/eval.h"
#include "scan/scan.h"
#include "stream/stream.h"

/* How much of an over-long line a limit_exceeded reject keeps as "raw". */
#define DPL_STREAM_RAW_PREFIX 1024
/* A lane's output is handed to the sinks once it holds this much. */
#define DPL_STREAM_FLUSH_AT (64u * 1024u)

/* ---- dispatch.c: the engines, read-only and shared by every thread ------- */

typedef struct {
    const DplSource *src;   /* locates rule spans in reject lines */
    const DplEvaluator *ev; /* the reference evaluator: --engine tree, invalid JSON */
    DplEngine *engine;      /* every record of every program it compiles (engine/) */
    bool raw;
    const char *raw_source;
    size_t max_record_bytes;
    const DplProgram *prog;
    bool presence;          /* lanes count the paths present (never_present) */
    bool late_lines;        /* only rejects' "line" depends on line numbers (the engine
                               runs the program, which does not read 'line): -j N may
                               number a block's lines after processing it */
} StreamEngines;

void stream_engines_init(StreamEngines *e, const DplProgram *prog, const DplSource *src,
                         const DplStreamConfig *cfg);
void stream_engines_free(StreamEngines *e);

/* One thread's (or one block's) output and counts, merged into the run in
 * input order. */
typedef struct {
    const StreamEngines *eng;
    DplBuf out[DPL_OUT_COUNT];
    bool keep_recs;    /* collect DplStreamRec (a sink wants them) */
    bool keep_skipped; /* there is a skipped sink */
    DplStreamRec *recs[DPL_OUT_COUNT];
    size_t nrecs[DPL_OUT_COUNT], caprecs[DPL_OUT_COUNT];
    uint64_t last_seq; /* of the last record dispatched into the lane */
    long last_line;    /* and its position, for commits */
    uint64_t last_ticket;
    DplStreamStats stats;
    DplPresence *presence; /* DplStreamConfig.presence, else NULL */
    /* engine scratch: est is borrowed, the state of the thread that
     * processes the lane's block (one per thread: its caches stay warm) */
    DplEngineState *est;
    DplResult res;
} StreamLane;

void stream_lane_init(StreamLane *l, const StreamEngines *eng, bool keep_recs, bool keep_skipped);
void stream_lane_free(StreamLane *l);
/* Empties the lane's outputs and counts (after a merge). */
void stream_lane_reset(StreamLane *l);
/* One input record (its line without the '\n'; a final CR is dropped). */
void stream_dispatch(StreamLane *l, const DplStreamPos *pos, uint64_t seq, const char *text, size_t len);
/* Whether s[0..n) is only spaces, tabs and CRs: a blank line, never a
 * record, however long (spec §2: blank lines are ignored). */
bool stream_is_blank(const char *s, size_t n);
/* The lane's records were dispatched with line numbers (and sequence
 * numbers) counted from the start of their block, as late_lines allows:
 * adds `lines` to every line number the lane holds (its rejects' "line",
 * last_line) and `seqs` to last_seq.  Not for lanes that keep records
 * (keep_recs).  scratch: a buffer the caller keeps, for the rewrite. */
void stream_lane_renumber(StreamLane *l, long lines, uint64_t seqs, DplBuf *scratch);
/* A line too long to buffer: its first plen bytes and its whole length. */
void stream_dispatch_too_long(StreamLane *l, const DplStreamPos *pos, uint64_t seq, const char *prefix,
                              size_t plen, unsigned long long total);

/* ---- run.c: what the reader calls ---------------------------------------- */

/* Hands a lane's output to the sinks (all of it with force, else only once
 * it is large) and its counts to the run; called in input order. */
void stream_merge(DplStreamRun *r, StreamLane *l, bool force);
/* Input stalls: write out everything merged so far. */
void stream_flush(DplStreamRun *r);
/* False once an output failed or a stop was asked: stop reading. */
bool stream_go_on(const DplStreamRun *r);
/* The run's lane settings. */
bool stream_keep_recs(const DplStreamRun *r);
bool stream_keep_skipped(const DplStreamRun *r);
const StreamEngines *stream_engines(const DplStreamRun *r);

/* ---- source_file.c ------------------------------------------------------- */

/* read(2) that waits in short polls and returns 0 once a stop is asked
 * (dpl_stream_stop_requested); -1 with *err on a failure. */
ssize_t stream_fd_read(int fd, char *buf, size_t cap, int *err);

/* ---- view.c ------------------------------------------------------------------ */

/* The rest of a regular file, read by position: its bytes [0..len) from
 * the fd's offset at open are whole lines (each ends with a newline).  The
 * reading thread cuts it into blocks; whichever thread processes a block
 * copies its bytes (stream_view_read, safe from any thread).  A file that
 * shrinks meanwhile reads as zeros past its new end (see view.c). */
typedef struct {
    size_t len;
    int fd;          /* borrowed */
    off_t start;     /* the fd's offset at byte 0 */
    bool open;
    _Atomic int err; /* the first failed read: EIO when the file shrank */
} StreamView;

/* Views fd when it is a regular file with a newline left; false otherwise,
 * v then closed and empty. */
bool stream_view_open(StreamView *v, int fd);
/* Copies bytes [at, at + n) into dst; returns how many the file still
 * had, the rest of dst then zeros and the view no longer intact. */
size_t stream_view_read(StreamView *v, size_t at, char *dst, size_t n);
/* False once a read found the file shorter than viewed (or failed). */
bool stream_view_intact(const StreamView *v);
/* The reader consumed [0..used): the fd goes on from there.  0, or an
 * errno value (EIO: the file shrank while it was read). */
int stream_view_end(StreamView *v, size_t used);
void stream_view_close(StreamView *v); /* any state; leaves v empty */

/* ---- gzip.c ----------------------------------------------------------------- */

/* The inflater of a gzip input; first[0..n) are the bytes already read
 * (starting with the magic). */
typedef struct StreamGzIn StreamGzIn;
StreamGzIn *stream_gz_in_new(const char *first, size_t n);
void stream_gz_in_free(StreamGzIn *g);
/* Decompressed bytes into buf, reading fd as needed: the count, 0 at the
 * end, -1 with *err and *why (a new string, or NULL) on a failure. */
ssize_t stream_gz_in_read(StreamGzIn *g, int fd, char *buf, size_t cap, int *err, char **why);
/* True when bytes may come out without reading fd. */
bool stream_gz_in_has_more(const StreamGzIn *g);

/* ---- spread.c ------------------------------------------------------------- */

/* Worker threads started away from their creator's CPU (see spread.c). */
typedef struct {
    cpu_set_t all;  /* the creating thread's CPUs */
    cpu_set_t away; /* the same without the CPU it ran on */
    bool on;        /* workers start in away */
} StreamSpread;

/* Reads the calling thread's CPUs and the one it runs on. */
void stream_spread_init(StreamSpread *s);
/* pthread_create(t, NULL, fn, arg), started in s->away when it can be. */
int stream_spread_create(const StreamSpread *s, pthread_t *t, void *(*fn)(void *), void *arg);
/* Called first by a thread so started: its CPUs become all of s->all. */
void stream_spread_settle(const StreamSpread *s);

/* ---- reader.c ------------------------------------------------------------- */

/* Reads in to its end with `jobs` threads (1: this one only), dispatching
 * every record and merging lanes in input order.  seq_base: the sequence
 * number before this input's first record; *nseq gets the number of
 * records (lines) read, *stopped whether a stop (signals.c) ended the
 * reading.  Returns 0 or the errno of a failed read. */
int stream_read(DplStreamRun *r, DplStreamSource *in, unsigned jobs, size_t max_record_bytes,
                uint64_t seq_base, uint64_t *nseq, bool *stopped);

#endif
