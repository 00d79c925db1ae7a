/* lake.h — data-lake batch files: the `dir://PATH?max_bytes=N&max_seconds=S
 * &gzip=1` output of spec §15.
 *
 * A DplLakeWriter appends whole NDJSON lines to one open batch of one stream
 * (`entities`, `rejects` or `skipped`).  The batch is written under a
 * temporary name (`.<stream>-<time>-<host>-<pid>-<n>.tmp`); it is closed when the next
 * lines would take it past max_bytes (counted before compression; a batch is
 * larger only when it holds one longer record) or once it is max_seconds
 * old; closing finishes the gzip stream, fsyncs the file, renames it to
 * `PATH/<stream>-<UTC time>-<seq>.ndjson[.gz]` without replacing anything,
 * and fsyncs the directory.  A reader therefore never sees a partial batch
 * under a final name.
 *
 * Durability: every append carries a tag (a number that never decreases,
 * the stream layer's record sequence).  dpl_lake_durable_tag() is the
 * highest tag of the closed batches: the records up to it are on disk and
 * their input offsets may be committed.  Nothing else is.
 *
 * Ownership: DplLakeUrl owns its strings (dpl_lake_url_free).  A writer owns
 * its file and buffers; dpl_lake_writer_free() removes an unclosed batch's
 * temporary file (its records were never durable, so never committed).
 * Error messages returned through `char **err` are the caller's to
 * dpl_free.
 */
#ifndef DPL_LAKE_H
#define DPL_LAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stream/stream.h"

#define DPL_LAKE_DEFAULT_MAX_BYTES (64ull * 1024 * 1024)
#define DPL_LAKE_DEFAULT_MAX_SECONDS 60.0

typedef struct {
    char *dir;          /* the directory (relative or absolute) */
    uint64_t max_bytes; /* > 0 */
    double max_seconds; /* > 0 */
    bool gzip;
} DplLakeUrl;

/* True when spec starts with "dir://". */
bool dpl_lake_is_url(const char *spec);

/* Parses `dir://PATH[?max_bytes=N&max_seconds=S&gzip=0|1]` (N with an
 * optional k/m/g suffix, S a decimal number of seconds; %XX escapes are
 * decoded).  `dir:///abs` is an absolute path, `dir://rel` a relative one.
 * False with *err set on a malformed URL or an unknown parameter. */
bool dpl_lake_url_parse(const char *spec, DplLakeUrl *out, char **err);
void dpl_lake_url_free(DplLakeUrl *u);

typedef struct DplLakeWriter DplLakeWriter;

/* A writer of `stream` batches into u->dir (created if missing, one level).
 * NULL with *err when the directory cannot be created or is not a
 * directory.  The writer copies what it needs of u.  It first removes
 * the stream's stale temporary files (dpl_lake_stale_removed). */
DplLakeWriter *dpl_lake_writer_new(const DplLakeUrl *u, const char *stream, char **err);

/* Appends data (one or more whole lines, each ending in '\n') tagged with
 * tag, opening a batch if none is open and closing the current one first
 * when data would take it past max_bytes.  False with *err on an I/O
 * failure (the writer is then unusable). */
bool dpl_lake_write(DplLakeWriter *w, const char *data, size_t len, uint64_t tag, char **err);

/* Closes the open batch if it is at least max_seconds old.  Returns false
 * with *err on an I/O failure. */
bool dpl_lake_tick(DplLakeWriter *w, char **err);

/* Closes the open batch now, if there is one (shutdown, rebalance). */
bool dpl_lake_close_batch(DplLakeWriter *w, char **err);

/* Whether a batch is open (holding records that are not durable yet). */
bool dpl_lake_has_open_batch(const DplLakeWriter *w);

/* Seconds until the open batch is due by max_seconds (0 if due; a large
 * number when no batch is open): how long a caller may wait. */
double dpl_lake_seconds_to_due(const DplLakeWriter *w);

/* The highest tag of a closed batch (0 before the first). */
uint64_t dpl_lake_durable_tag(const DplLakeWriter *w);

/* The tag of the first record in the open batch (0 when none is open):
 * everything tagged below it is durable. */
uint64_t dpl_lake_open_tag(const DplLakeWriter *w);

/* Number of batches closed so far. */
uint64_t dpl_lake_batches(const DplLakeWriter *w);

/* How many temporary files of the writer's stream dpl_lake_writer_new
 * removed: those of processes of this host (by host name) that no longer
 * run, left by a kill or a crash; their records were never durable.  A
 * live process's temporary file, another host's, another stream's and
 * every closed batch are left alone. */
size_t dpl_lake_stale_removed(const DplLakeWriter *w);

void dpl_lake_writer_free(DplLakeWriter *w);

/* ---- the dir:// sink (sink.c) -------------------------------------------- */

typedef void (*DplLakeMessageFn)(void *ctx, const char *text);

/* A sink writing kind's lines (stream `entities`, `rejects` or `skipped`)
 * into batches as `spec` (a dir:// URL) says; a record is durable once its
 * batch is renamed into place.  NULL with *err on a bad URL or a directory
 * that cannot be used. */
DplStreamSink *dpl_lake_sink_new(const char *spec, DplStreamKind kind, DplLakeMessageFn message, void *message_ctx,
                                 char **err);

#endif
