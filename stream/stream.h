/* stream.h — `dpl run`'s data path: where records come from, how they are
 * cut, evaluated and accounted for, and where the results go.
 *
 *   source ──bytes──▶ line reader ──lines──┐
 *   (file, stdin,     (reader.c: ONE for   │
 *    gzip, …)          -j 1 and -j N)      ├──▶ dispatch ──▶ lane ──merge, in input order──▶ sinks
 *   source ──records (Kafka, …)────────────┘    (dispatch.c:   (per-thread     (run.c)        entities,
 *                                                engines)       buffers and                    rejects,
 *                                                               stats)                         skipped
 *        ◀──────────── commit(pos) once every sink is durable through the record ◀──────────┘
 *
 * - A SOURCE (DplStreamSourceOps) yields bytes (files: the reader cuts them
 *   into lines, counting line numbers) or whole records with a position of
 *   their own (message systems).  A new kind of source is one file that
 *   fills a DplStreamSourceOps; the reader and the dispatch do not change.
 * - The READER cuts input into blocks of whole records (bounded: a line
 *   longer than --max-record-bytes is never buffered whole).  With -j 1 the
 *   calling thread processes each block at once; with -j N, N - 1 workers
 *   and the calling thread (when it has nothing to read) do, and blocks are
 *   merged strictly in input order, so the bytes are the same.
 * - The DISPATCH (dispatch.c) hands one record to the engine and writes its
 *   entity, reject or skipped line into the lane, with its accounting
 *   (DplStreamStats).  It is the only place that knows the engines.
 * - A SINK (DplStreamSinkOps) takes batches of whole lines, with per-record
 *   metadata if it asks for it, and says when they are durable.  A new kind
 *   of sink is one file that fills a DplStreamSinkOps.
 *
 * At least once (spec §15): see dpl_stream_sink_durable, the one function
 * whose contract carries it.
 *
 * Ownership: a run owns the sinks given to it (closed and freed by
 * dpl_stream_run_finish / _free) and borrows its program, source text and
 * input sources (the caller closes those).  Records, lines and positions
 * handed to callbacks are borrowed for the duration of the call, unless a
 * comment says otherwise.  The library never prints diagnostics: messages
 * go to DplStreamConfig.message.
 */
#ifndef DPL_STREAM_H
#define DPL_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ast/ast.h"
#include "diag/diag.h"
#include "eval/eval.h"
#include "stdlib/stdlib.h"
#include "util/util.h"

/* ---- positions ------------------------------------------------------------ */

/* Where an input record came from: reported in its reject line and handed
 * back to its source's commit. */
typedef struct {
    long line;         /* 1-based line within the input (a Kafka record: its offset) */
    const char *input; /* "input" of reject lines (several inputs), or NULL */
    const char *where; /* more JSON members for reject lines, written after
                        * "line"/"input" (Kafka: `"kafka":{...}`), or NULL */
    size_t where_len;
    const void *key; /* the input record's key (Kafka), or NULL */
    size_t key_len;
    uint64_t ticket; /* the source's own handle of the record, for commit */
} DplStreamPos;

/* ---- sources -------------------------------------------------------------- */

typedef struct DplStreamSource DplStreamSource;

/* One input record of a record source (read_record); text and pos are
 * borrowed until the next read_record call on the same source. */
typedef struct {
    const char *text;
    size_t len;
    DplStreamPos pos;
} DplStreamRecord;

/* What a kind of source does.  Fill either read (a byte stream, cut into
 * lines by the reader) or read_record (a stream of whole records). */
typedef struct {
    const char *kind; /* "file", "gzip", "kafka": for messages */
    /* Reads up to cap bytes into buf: the count, 0 at the end of the input,
     * -1 on failure with *err set to an errno value. */
    ssize_t (*read)(DplStreamSource *s, char *buf, size_t cap, int *err);
    /* The next record: 1 (rec filled), 0 at the end, -1 on failure (*err),
     * 2 when none is available right now (the run flushes, then asks again). */
    int (*read_record)(DplStreamSource *s, DplStreamRecord *rec, int *err);
    /* True when the next read would wait for input (the run then flushes
     * everything read so far, so `tail -f | dpl run` shows results).  NULL:
     * never. */
    bool (*would_block)(DplStreamSource *s);
    /* Optional: every record up to and including pos (this source's, in the
     * order it handed them out) is durable in every sink: store its offset.
     * See dpl_stream_sink_durable for when it is called. */
    void (*commit)(DplStreamSource *s, const DplStreamPos *pos);
    /* Optional: the descriptor of a source of plain, uncompressed bytes
     * that has read nothing yet, whose reading the caller then takes over
     * from the descriptor's offset (the reader maps regular files), or -1.
     * read goes on from wherever the descriptor is left. */
    int (*plain_fd)(DplStreamSource *s);
    /* Releases the source (not called by the run: the opener closes). */
    void (*close)(DplStreamSource *s);
    /* Optional: more members for the --stats line (`"kafka":{...}`, no
     * leading comma): the source's own state, such as consumer lag. */
    void (*stats)(DplStreamSource *s, DplBuf *out);
} DplStreamSourceOps;

struct DplStreamSource {
    const DplStreamSourceOps *ops;
    void *impl;  /* the kind's own state */
    char *name;  /* for messages: a path, "stdin"; owned */
    char *input; /* "input" of reject lines, or NULL; owned */
    char *why;   /* set by the kind when a read fails for a reason errno
                  * cannot say ("corrupt gzip data: ..."); owned */
};

/* Opens a file, or stdin for "-" (never closed): NDJSON, or gzip-compressed
 * NDJSON when the input starts with the gzip magic bytes, whatever its name
 * (members one after another, like zcat; damage ends the input there with
 * a failure).  NULL with *err (an errno value) when it cannot be opened.
 * Close with dpl_stream_source_close. */
DplStreamSource *dpl_stream_source_file(const char *path, int *err);
/* Calls the source's close and frees it; NULL allowed. */
void dpl_stream_source_close(DplStreamSource *s);

/* ---- sinks ---------------------------------------------------------------- */

/* The three outputs of a run. */
typedef enum { DPL_OUT_ENTITIES, DPL_OUT_REJECTS, DPL_OUT_SKIPPED, DPL_OUT_COUNT } DplStreamKind;

/* Metadata of one output line, for sinks that ask for it (wants_recs). */
typedef struct {
    uint64_t seq;     /* the input record's sequence number in the run */
    size_t off, len;  /* the line in the batch's bytes (len without '\n') */
    int code;         /* rejects: the first error's DplRtCode; else -1 */
    DplStreamPos pos; /* the input record's position (its pointers live as long as the batch) */
} DplStreamRec;

/* Whole lines for a sink, in input order. */
typedef struct {
    const char *bytes; /* lines, each ending in '\n' */
    size_t len;
    uint64_t last_seq;        /* the sequence number of the last input record these lines belong to */
    const DplStreamRec *recs; /* one per line, only for sinks with wants_recs */
    size_t nrecs;
} DplStreamBatch;

typedef struct DplStreamSink DplStreamSink;

typedef struct {
    const char *kind; /* "fd", "file", "gzip", "kafka", "dir": for messages */
    bool wants_recs;  /* batches carry DplStreamRec (and are delivered block by block) */
    /* Takes a batch: 0, or an errno value (EPIPE: the reader went away). */
    int (*write)(DplStreamSink *s, const DplStreamBatch *b);
    /* Input stalls or ends: pass on what is buffered.  NULL: nothing to do. */
    int (*flush)(DplStreamSink *s);
    /* Called after every block merged and when input stalls: time-based
     * work (a batch due by age), delivery reports.  NULL: nothing to do. */
    int (*poll)(DplStreamSink *s);
    /* Ends the sink: what was written is durable; 0 or an errno value.
     * Frees impl. */
    int (*close)(DplStreamSink *s);
    /* Optional: returns once everything given is durable (Kafka: every
     * message acknowledged; dir://: the open batch closed), reporting it
     * with dpl_stream_sink_durable; 0 or an errno value.  The run calls it
     * when a committing source ends, so that its last records are
     * committed.  NULL: write and flush already make output durable. */
    int (*sync)(DplStreamSink *s);
} DplStreamSinkOps;

typedef enum { DPL_SINK_OK, DPL_SINK_CLOSED, DPL_SINK_FAILED } DplStreamSinkState;

struct DplStreamSink {
    const DplStreamSinkOps *ops;
    void *impl;
    char *name;       /* for messages ("stdout", a path); owned */
    bool quiet_epipe; /* a closed reader ends the run without a message (stdout) */
    /* kept by the run: */
    DplStreamSinkState state;
    int err;
    uint64_t given_seq;   /* last_seq of the last batch given */
    uint64_t durable_seq; /* see dpl_stream_sink_durable */
};

/* THE DURABILITY CONTRACT.  A sink calls this when everything it was given
 * up to input record seq (its batches' last_seq) is durable — handed to the
 * kernel for an fd, acknowledged by the cluster for Kafka, fsynced and
 * renamed for a data-lake batch.  A record's position is committed to its
 * source (DplStreamSourceOps.commit) only after everything that record
 * produced is durable: the run calls commit(pos) once every sink is durable
 * through the record (a sink that has nothing pending counts as durable),
 * in input order, never for a record whose output was lost.  Safe to call
 * from the sink's callbacks on the run's thread only. */
void dpl_stream_sink_durable(DplStreamSink *s, uint64_t seq);
/* Closes and frees a sink that was never given to a run; NULL allowed. */
void dpl_stream_sink_discard(DplStreamSink *s);

/* A sink writing to an open fd (not closed at the end; write-through: the
 * run's lanes are its buffer).  name is copied. */
DplStreamSink *dpl_stream_sink_fd(int fd, const char *name);
/* A sink that owns fd (an open file, closed at the end). */
DplStreamSink *dpl_stream_sink_file(int fd, const char *name);
/* A sink that writes gzip to fd (one member, flushed with Z_SYNC_FLUSH when
 * input stalls, finished at close); owned says whether fd is closed then. */
DplStreamSink *dpl_stream_sink_gzip(int fd, bool owned, const char *name);

/* ---- accounting ----------------------------------------------------------- */

/* The counts of --stats (spec §10).  To add a count: a field here, a line in
 * dpl_stream_stats_add and one in dpl_stream_stats_json (stats.c). */
typedef struct {
    unsigned long long records, emitted, skipped, rejected, blank;
    unsigned long long by_code[DPL_RT_COUNT]; /* rejected records with at least one error of the code */
    /* skipped = skipped_source + skipped_where (spec §12.1 "skipped_by") */
    unsigned long long skipped_source, skipped_where;
} DplStreamStats;

/* to += from. */
void dpl_stream_stats_add(DplStreamStats *to, const DplStreamStats *from);
/* The --stats line: {"records":N,...,"blank_lines":N} and a newline, with
 * "never_present" (spec §12.5) from presence when it is not NULL and has
 * something to say. */
void dpl_stream_stats_json(const DplStreamStats *s, const DplPresence *presence, DplBuf *out);

/* ---- a run ---------------------------------------------------------------- */

typedef struct {
    bool raw;                /* --raw: wrap each value in an envelope */
    const char *raw_source;  /* --source, or NULL */
    size_t max_record_bytes; /* --max-record-bytes */
    unsigned jobs;           /* -j (>= 1) */
    bool tree_only;          /* --engine tree */
    /* Count, per path the program reads, the records that reached
     * validation with it present (spec §12.5 never_present): a little work
     * per record until every path has been seen once. */
    bool presence;
    bool report_stop;        /* say where a stop (signal) ended the reading */
    /* The evaluator's coverage hook (eval.h dpl_eval_set_cover), or NULL:
     * `dpl test --coverage` sets it with tree_only and jobs 1. */
    DplCoverFn cover;
    void *cover_ctx;
    /* Every message for the user ("cannot read x: reason"), without the
     * program's name or a newline. */
    void (*message)(void *ctx, const char *text);
    void *message_ctx;
    /* Optional: called on the run's thread about every tick_seconds while
     * input is read or awaited (from merges and stalls), e.g. for
     * --stats-interval. */
    void (*tick)(void *ctx);
    void *tick_ctx;
    double tick_seconds;
} DplStreamConfig;

typedef struct DplStreamRun DplStreamRun;

/* A run of prog (checked without errors; it and src outlive the run). */
DplStreamRun *dpl_stream_run_new(const DplProgram *prog, const DplSource *src, const DplStreamConfig *cfg);
/* Sets the sink of an output (the run takes it); none for SKIPPED drops
 * skipped lines. */
void dpl_stream_run_set_sink(DplStreamRun *r, DplStreamKind kind, DplStreamSink *sink);
/* Processes in to its end (or until an output fails or a stop is asked);
 * false after reporting a read error. */
bool dpl_stream_run_input(DplStreamRun *r, DplStreamSource *in);
/* True while every output can still be written. */
bool dpl_stream_run_ok(const DplStreamRun *r);
/* Flushes every sink, reporting each failed one once; false if any output
 * failed. */
bool dpl_stream_run_finish(DplStreamRun *r);
/* Closes every sink (each is durable when it returns); reports the first
 * failure when report is true.  False if a close failed. */
bool dpl_stream_run_close(DplStreamRun *r, bool report);
/* The counts so far. */
const DplStreamStats *dpl_stream_run_stats(const DplStreamRun *r);
/* The paths seen so far (DplStreamConfig.presence), or NULL. */
const DplPresence *dpl_stream_run_presence(const DplStreamRun *r);
/* Frees the run (closing any sink not closed yet); NULL allowed. */
void dpl_stream_run_free(DplStreamRun *r);

/* ---- signals and descriptors (signals.c) --------------------------------- */

/* Makes SIGINT and SIGTERM ask the run to stop (dpl_stream_stop_requested):
 * the reader stops reading, and what was read is processed, flushed and
 * accounted for.  A second signal ends the process at once. */
void dpl_stream_signals_install(void);
/* The signal that asked to stop (SIGINT, SIGTERM), or 0. */
int dpl_stream_stop_requested(void);
/* Asks to stop as if sig had arrived (tests, a source's own reasons). */
void dpl_stream_request_stop(int sig);
/* Makes sure fds 0-2 are open (on /dev/null, the wrong way round, so a
 * closed stdout fails when written instead of another file taking fd 1). */
void dpl_stream_std_fds(void);

/* ---- `dpl run` as a whole ------------------------------------------------- */

typedef struct {
    const DplProgram *prog; /* checked without errors */
    const DplSource *src;
    const char *const *inputs; /* paths, "-" for stdin; none: stdin */
    size_t ninputs;
    const char *output_path;  /* entities; NULL or "-": stdout */
    const char *rejects_path; /* NULL: stderr; "-": stdout */
    const char *skipped_path; /* NULL: dropped; "-": stdout */
    bool stats;               /* the --stats line on stderr at the end */
    bool fail_on_reject;
    double stats_interval;      /* > 0: the --stats line every so many seconds as well */
    /* Opened by the caller, taken by the job (NULL: as above).  A sink here
     * replaces the path or default of its output; a source replaces the
     * inputs (Kafka: a record source that commits). */
    DplStreamSink *sinks[DPL_OUT_COUNT];
    DplStreamSource *source;
    DplStreamConfig cfg;
} DplStreamJob;

/* Opens the outputs (a path ending in .gz is written gzip-compressed),
 * streams every input through the program and closes everything; returns the exit status of spec §10 (0, 1
 * I/O failure, 3 rejects with fail_on_reject).  Messages go to job->cfg.message. */
int dpl_stream_job_run(const DplStreamJob *job);

#endif
