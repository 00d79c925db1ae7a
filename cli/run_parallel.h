/* run_parallel.h — `dpl run -j N`: blocks of whole input lines processed by
 * worker threads, merged back in input order (internal to cli/).
 *
 * The driver knows nothing of records: run.c hands it a "clone" factory
 * (a per-block context that collects output, rejects, skipped lines and
 * counts), the per-line function, and a merge function that appends a
 * finished clone to the real outputs.  Since each line goes through the
 * same per-line function as with -j 1, and clones are merged in input
 * order, the output bytes are the same as with -j 1.
 */
#ifndef DPL_CLI_RUN_PARALLEL_H
#define DPL_CLI_RUN_PARALLEL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    /* A collecting context for one block; reused for many blocks. */
    void *(*clone_new)(void *run);
    void (*clone_free)(void *clone);
    /* One line (without its '\n'); line is 1-based within the input.
     * Called on a worker thread. */
    void (*line)(void *clone, long line, const char *text, size_t len);
    /* A line too long to buffer: its first plen bytes and its length. */
    void (*too_long)(void *clone, long line, const char *prefix, size_t plen, unsigned long long total);
    /* Appends what the clone collected to the run's outputs and resets the
     * clone.  Called on the calling thread, in input order. */
    void (*merge)(void *run, void *clone);
    /* Writes out everything buffered (input stalls, end of input). */
    void (*flush)(void *run);
    /* False once an output cannot be written any more: stop reading. */
    bool (*ok)(void *run);
} DplParOps;

/* Reads fd to its end with `jobs` worker threads (>= 1).  Lines longer than
 * max_record_bytes (+1 for a CR) are passed to too_long without being
 * buffered whole.  Returns 0, or the errno of a failed read. */
int dpl_run_parallel(int fd, unsigned jobs, size_t max_record_bytes, const DplParOps *ops, void *run);

#endif
