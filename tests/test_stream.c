/* test_stream.c — stream/: the one reader (any split of the input into
 * reads, -j 1 and -j N, and a file read by position give the same
 * bytes, and the same line numbers whether -j N counts a block's lines
 * before processing it or as it merges it), record sources with positions of their own, sinks with per-record
 * metadata, and the durability contract (a position is committed only once
 * every sink holds its output durably). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check.h"
#include "stream/internal.h"
#include "stream/stream.h"

static void setup(void)
{
    dpl_util_init();
}

TestSuite(stream, .init = setup);

static const char program[] = "entity \"e\" { data.id }\n"
                              "sources \"s\"\n"
                              "mandatory { data.v }\n"
                              "add { v }\n";

typedef struct {
    DplSource *src;
    DplProgram *prog;
} Prog;

static Prog load(void)
{
    Prog p;
    p.src = dpl_source_new("t.dpl", program, strlen(program));
    DplDiagList d = {0};
    bool ok = false;
    p.prog = dpl_compile(p.src, &d, &ok);
    cr_assert(ok);
    dpl_diag_list_free(&d);
    return p;
}

static void unload(Prog *p)
{
    dpl_program_free(p->prog);
    dpl_source_free(p->src);
}

/* Record i (1-based): every 5th lacks data.v (rejected), every 7th comes
 * from another source (skipped), every 11th is blank. */
static void record_text(DplBuf *b, int i)
{
    if (i % 11 == 0)
        return;
    dpl_buf_printf(b, "{\"data\":{\"id\":%d", i);
    if (i % 5)
        dpl_buf_printf(b, ",\"v\":%d", i * 3);
    dpl_buf_printf(b, "},\"metadata\":{\"source\":\"%s\"}}", i % 7 ? "s" : "o");
}

/* ---- a sink that keeps everything, and acknowledges late ------------------- */

typedef struct {
    DplBuf bytes;
    DplStreamRec recs[1024];
    size_t nrecs;
    uint64_t acked;   /* what it told the run is durable */
    uint64_t pending; /* given, not acknowledged yet */
    bool late;        /* acknowledge a batch only when the next one comes (or on flush) */
} Keep;

static int keep_write(DplStreamSink *s, const DplStreamBatch *b)
{
    Keep *k = s->impl;
    size_t base = k->bytes.len;
    dpl_buf_append(&k->bytes, b->bytes, b->len);
    for (size_t i = 0; i < b->nrecs && k->nrecs < 1024; i++) {
        k->recs[k->nrecs] = b->recs[i];
        k->recs[k->nrecs].off += base;
        k->recs[k->nrecs].pos.where = NULL; /* borrowed: gone after the call */
        k->recs[k->nrecs].pos.key = NULL;
        k->nrecs++;
    }
    if (k->late && k->pending) {
        k->acked = k->pending;
        dpl_stream_sink_durable(s, k->acked);
    }
    k->pending = b->last_seq;
    if (!k->late) {
        k->acked = b->last_seq;
        dpl_stream_sink_durable(s, k->acked);
    }
    return 0;
}

static int keep_flush(DplStreamSink *s)
{
    Keep *k = s->impl;
    if (k->pending) {
        k->acked = k->pending;
        dpl_stream_sink_durable(s, k->acked);
    }
    return 0;
}

static int keep_close(DplStreamSink *s)
{
    (void)s;
    return 0;
}

static const DplStreamSinkOps keep_ops = {
    .kind = "keep", .wants_recs = true, .write = keep_write, .flush = keep_flush, .close = keep_close};

/* The same sink without per-record metadata (as stdout and files): with
 * -j N the reader may then number a block's lines as it merges it. */
static const DplStreamSinkOps keep_plain_ops = {
    .kind = "keep", .wants_recs = false, .write = keep_write, .flush = keep_flush, .close = keep_close};

static DplStreamSink *keep_sink_ops(Keep *k, const char *name, const DplStreamSinkOps *ops)
{
    DplStreamSink *s = dpl_calloc(1, sizeof *s);
    s->ops = ops;
    s->impl = k;
    s->name = dpl_strdup(name);
    return s;
}

static DplStreamSink *keep_sink(Keep *k, const char *name)
{
    DplStreamSink *s = dpl_calloc(1, sizeof *s);
    s->ops = &keep_ops;
    s->impl = k;
    s->name = dpl_strdup(name);
    return s;
}

/* ---- a byte source that hands out its text a few bytes at a time ----------- */

typedef struct {
    const char *text;
    size_t len, at;
    unsigned step;
} Bytes;

static ssize_t bytes_read(DplStreamSource *s, char *buf, size_t cap, int *err)
{
    (void)err;
    Bytes *b = s->impl;
    size_t n = b->len - b->at;
    size_t piece = 1 + (b->step++ % 7); /* 1..7 bytes */
    if (n > piece)
        n = piece;
    if (n > cap)
        n = cap;
    memcpy(buf, b->text + b->at, n);
    b->at += n;
    return (ssize_t)n;
}

static const DplStreamSourceOps bytes_ops = {.kind = "bytes", .read = bytes_read};

/* Runs the records through a byte source read in small pieces, or with a
 * path through a file of that text (read by position, the last line by
 * read(2)); returns the three outputs concatenated with separators. */
static char *run_sinks(const char *text, unsigned jobs, const char *path, const DplStreamSinkOps *ops)
{
    Prog p = load();
    DplStreamConfig cfg = {.max_record_bytes = 1 << 20, .jobs = jobs};
    DplStreamRun *run = dpl_stream_run_new(p.prog, p.src, &cfg);
    Keep k[3];
    memset(k, 0, sizeof k);
    dpl_stream_run_set_sink(run, DPL_OUT_ENTITIES, keep_sink_ops(&k[0], "e", ops));
    dpl_stream_run_set_sink(run, DPL_OUT_REJECTS, keep_sink_ops(&k[1], "r", ops));
    dpl_stream_run_set_sink(run, DPL_OUT_SKIPPED, keep_sink_ops(&k[2], "s", ops));
    Bytes b = {.text = text, .len = strlen(text)};
    DplStreamSource bytes = {.ops = &bytes_ops, .impl = &b, .name = "bytes"};
    DplStreamSource *file = NULL;
    if (path) {
        FILE *f = fopen(path, "wb");
        cr_assert(f && fwrite(text, 1, b.len, f) == b.len && fclose(f) == 0);
        int err = 0;
        file = dpl_stream_source_file(path, &err);
        cr_assert(file, "%s", strerror(err));
    }
    cr_assert(dpl_stream_run_input(run, file ? file : &bytes));
    dpl_stream_source_close(file);
    cr_assert(dpl_stream_run_finish(run));
    cr_assert(dpl_stream_run_close(run, true));
    DplBuf all = {0};
    DplBuf stats = {0};
    dpl_stream_stats_json(dpl_stream_run_stats(run), NULL, &stats);
    for (int i = 0; i < 3; i++) {
        dpl_buf_append(&all, k[i].bytes.data, k[i].bytes.len);
        dpl_buf_puts(&all, "--\n");
        dpl_buf_free(&k[i].bytes);
    }
    dpl_buf_append(&all, stats.data, stats.len);
    dpl_buf_free(&stats);
    dpl_stream_run_free(run);
    unload(&p);
    return dpl_buf_take(&all);
}

static char *run_input(const char *text, unsigned jobs, const char *path)
{
    return run_sinks(text, jobs, path, &keep_ops);
}

static char *run_bytes(const char *text, unsigned jobs)
{
    return run_input(text, jobs, NULL);
}

Test(stream, one_reader_any_reads_any_jobs)
{
    DplBuf in = {0};
    for (int i = 1; i <= 300; i++) {
        record_text(&in, i);
        dpl_buf_puts(&in, i % 13 ? "\n" : "\r\n");
    }
    dpl_buf_puts(&in,
                 "{\"data\":{\"id\":301,\"v\":1},\"metadata\":{\"source\":\"s\"}}"); /* no final newline */
    char *one = run_bytes(in.data, 1);
    cr_assert(strstr(one, "\"id\":301") == NULL, "ids are hashed, not copied");
    cr_assert(strstr(one, "\"records\":274,\"emitted\":188,\"skipped\":39,\"skipped_by\":{\"source\":39,\"where\":0},"
                          "\"rejected\":47") != NULL,
              "%s",
              strstr(one, "{\"records\""));
    cr_assert(strstr(one, "{\"line\":5,\"source\":\"s\",\"errors\":[{\"code\":\"missing_mandatory\"") !=
              NULL);
    for (unsigned j = 2; j <= 4; j++) {
        char *more = run_bytes(in.data, j);
        cr_assert_str_eq(more, one, "-j %u differs from -j 1", j);
        dpl_free(more);
    }
    /* a file: read by position, the line without a newline by read(2) */
    char path[] = "/tmp/dpl-test-stream-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    for (unsigned j = 1; j <= 3; j++) {
        char *file = run_input(in.data, j, path);
        cr_assert_str_eq(file, one, "a file at -j %u differs from the same bytes read in pieces", j);
        dpl_free(file);
    }
    unlink(path);
    dpl_free(one);
    dpl_buf_free(&in);
}

/* Many blocks (the reader's are about 256 KB): with sinks that want no
 * per-record metadata, -j N numbers each block's lines as it merges it;
 * with sinks that do, it counts them first.  Either way every reject
 * names its own line and every -j N gives -j 1's bytes. */
Test(stream, line_numbers_across_blocks_any_jobs)
{
    DplBuf in = {0};
    for (int i = 1; i <= 30000; i++) {
        record_text(&in, i);
        dpl_buf_puts(&in, "\n");
    }
    char path[] = "/tmp/dpl-test-stream-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    const DplStreamSinkOps *kinds[] = {&keep_plain_ops, &keep_ops};
    for (int kind = 0; kind < 2; kind++) {
        char *one = run_sinks(in.data, 1, NULL, kinds[kind]);
        /* line 29990 lacks data.v (every 5th does): its reject, in the
         * last block; line 29975 would too, but it is blank (every 11th) */
        cr_assert(strstr(one, "{\"line\":29990,\"source\":\"s\",\"errors\":[{\"code\":\"missing_mandatory\"") != NULL);
        cr_assert(strstr(one, "{\"line\":29975,") == NULL);
        for (unsigned j = 2; j <= 4; j++) {
            char *piece = run_sinks(in.data, j, NULL, kinds[kind]);
            cr_assert_str_eq(piece, one, "-j %u (sinks %s records) differs from -j 1", j, kind ? "with" : "without");
            dpl_free(piece);
            char *file = run_sinks(in.data, j, path, kinds[kind]);
            cr_assert_str_eq(file, one, "a file at -j %u (sinks %s records) differs from -j 1", j,
                             kind ? "with" : "without");
            dpl_free(file);
        }
        dpl_free(one);
    }
    unlink(path);
    dpl_buf_free(&in);
}

/* ---- a file that shrinks while it is read -------------------------------------- */

/* The view alone: whole lines from the fd's offset, copied from any
 * offset; once the file is shorter, the rest reads as zeros and the view's
 * end is EIO. */
Test(stream, view_reads_by_position_and_notices_a_shrink)
{
    char path[] = "/tmp/dpl-test-view-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    const char text[] = "skip\nline one\nline two\nno newline";
    cr_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    cr_assert(lseek(fd, 5, SEEK_SET) == 5); /* as a shell that read the first line leaves it */
    StreamView v;
    cr_assert(stream_view_open(&v, fd));
    cr_assert_eq(v.len, strlen("line one\nline two\n"), "whole lines only: the last is read(2)'s");
    char buf[32];
    cr_assert_eq(stream_view_read(&v, 9, buf, 9), 9);
    cr_assert(memcmp(buf, "line two\n", 9) == 0);
    cr_assert(stream_view_intact(&v));
    cr_assert(ftruncate(fd, 12) == 0); /* "skip\nline on" left: 7 bytes of the view */
    memset(buf, 'x', sizeof buf);
    cr_assert_eq(stream_view_read(&v, 0, buf, 18), 7, "what the file still has");
    cr_assert(memcmp(buf, "line o", 6) == 0 && buf[6] == 'n');
    for (int i = 7; i < 18; i++)
        cr_assert_eq(buf[i], 0, "byte %d past the new end reads as zero", i);
    cr_assert_eq(buf[18], 'x', "nothing written past what was asked");
    cr_assert(!stream_view_intact(&v));
    cr_assert_eq(stream_view_end(&v, 18), EIO);
    stream_view_close(&v);
    /* nothing to view: one line without a newline, or a pipe */
    cr_assert(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0);
    cr_assert(write(fd, "{}", 2) == 2 && lseek(fd, 0, SEEK_SET) == 0);
    cr_assert(!stream_view_open(&v, fd));
    int pipefd[2];
    cr_assert(pipe(pipefd) == 0);
    cr_assert(!stream_view_open(&v, pipefd[0]));
    close(pipefd[0]);
    close(pipefd[1]);
    close(fd);
    unlink(path);
}

/* The view ends at the file's last newline however far before the end it
 * is: in the last 4 KiB read first, just before them, or windows away. */
Test(stream, view_finds_the_last_newline_far_from_the_end)
{
    char path[] = "/tmp/dpl-test-view-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    const size_t tails[] = {0, 1, 4095, 4096, 4097, 65536 + 4096, 200000};
    for (size_t i = 0; i < sizeof tails / sizeof *tails; i++) {
        cr_assert(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0);
        cr_assert(write(fd, "{}\n{}\n", 6) == 6);
        char *tail = malloc(tails[i] + 1);
        memset(tail, 'x', tails[i]);
        cr_assert(write(fd, tail, tails[i]) == (ssize_t)tails[i]);
        free(tail);
        cr_assert(lseek(fd, 3, SEEK_SET) == 3);
        StreamView v;
        cr_assert(stream_view_open(&v, fd), "a tail of %zu bytes", tails[i]);
        cr_assert_eq(v.len, 3, "a tail of %zu bytes: the view is the line before it", tails[i]);
        stream_view_close(&v);
    }
    close(fd);
    unlink(path);
}

/* A sink that cuts the input file short when it is first given output:
 * blocks cut before then are read after (by a worker with -j N). */
typedef struct {
    const char *path;
    bool done;
} Cutter;

static int cutter_write(DplStreamSink *s, const DplStreamBatch *b)
{
    (void)b;
    Cutter *c = s->impl;
    if (!c->done)
        cr_assert(truncate(c->path, 1000) == 0);
    c->done = true;
    return 0;
}

static const DplStreamSinkOps cutter_ops = {.kind = "cutter", .write = cutter_write, .close = keep_close};

/* n records through a file that the entities' sink cuts short, at -j
 * jobs.  The run must fail with the reason, or, when every block had been
 * read before the cut (possible when the file fits in the blocks in
 * flight: must_fail false), succeed with every record read: never
 * succeed with records lost. */
static void shrink_run(int n, unsigned jobs, bool must_fail)
{
    DplBuf in = {0};
    for (int i = 1; i <= n; i++) {
        record_text(&in, i);
        dpl_buf_puts(&in, "\n");
    }
    char path[] = "/tmp/dpl-test-shrink-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert(write(fd, in.data, in.len) == (ssize_t)in.len && close(fd) == 0);
    Prog p = load();
    DplStreamConfig cfg = {.max_record_bytes = 1 << 20, .jobs = jobs};
    DplStreamRun *run = dpl_stream_run_new(p.prog, p.src, &cfg);
    Cutter c = {.path = path};
    DplStreamSink *sink = dpl_calloc(1, sizeof *sink);
    sink->ops = &cutter_ops;
    sink->impl = &c;
    sink->name = dpl_strdup("cutter");
    dpl_stream_run_set_sink(run, DPL_OUT_ENTITIES, sink);
    int err = 0;
    DplStreamSource *file = dpl_stream_source_file(path, &err);
    cr_assert(file, "%s", strerror(err));
    bool ok = dpl_stream_run_input(run, file);
    const DplStreamStats *st = dpl_stream_run_stats(run);
    if (ok) {
        cr_assert(!must_fail, "%d records, -j %u: the cut went unnoticed", n, jobs);
        cr_assert_eq(st->records, (uint64_t)(n - n / 11), "%d records, -j %u: no error, so every record read", n,
                     jobs);
    } else {
        cr_assert(file->why && strcmp(file->why, "the file shrank while it was being read") == 0,
                  "%d records, -j %u: %s", n, jobs, file->why ? file->why : "(no reason)");
        cr_assert_lt(st->records, (uint64_t)n, "-j %u: the lost end is not counted as read", jobs);
    }
    cr_assert_eq(st->emitted + st->rejected + st->skipped, st->records, "-j %u: counts add up", jobs);
    dpl_stream_source_close(file);
    dpl_stream_run_finish(run);
    dpl_stream_run_close(run, false);
    dpl_stream_run_free(run);
    unload(&p);
    unlink(path);
    dpl_buf_free(&in);
}

/* About 3 MB (a dozen blocks): the reading thread finds the file short
 * when it cuts the next block.  About 1.1 MB (five blocks, the ring of -j
 * 2): every block is cut, and the view ended, before the first output, so
 * only the threads that read the last blocks can see the loss (or, with
 * three threads, every block may be read before the cut). */
Test(stream, file_that_shrinks_fails_the_run_at_any_jobs)
{
    for (unsigned j = 1; j <= 3; j++) {
        shrink_run(40000, j, true);
        shrink_run(19000, j, false);
    }
}

/* ---- a record source with positions of its own, and commits ----------------- */

typedef struct {
    int n, next;
    DplBuf text, where;
    char key[16];
    uint64_t committed; /* ticket of the last commit */
    int ncommits;
    Keep *sinks; /* to check the contract at each commit */
} Recs;

static int recs_read(DplStreamSource *s, DplStreamRecord *rec, int *err)
{
    (void)err;
    Recs *r = s->impl;
    if (r->next >= r->n)
        return 0;
    int i = ++r->next;
    dpl_buf_reset(&r->text);
    dpl_buf_reset(&r->where);
    record_text(&r->text, i);
    dpl_buf_printf(&r->where, "\"kafka\":{\"topic\":\"t\",\"partition\":0,\"offset\":%d}", 100 + i);
    snprintf(r->key, sizeof r->key, "k%d", i);
    rec->text = r->text.data ? r->text.data : "";
    rec->len = r->text.len;
    rec->pos = (DplStreamPos){.line = 100 + i,
                              .where = r->where.data,
                              .where_len = r->where.len,
                              .key = r->key,
                              .key_len = strlen(r->key),
                              .ticket = (uint64_t)i};
    return 1;
}

static void recs_commit(DplStreamSource *s, const DplStreamPos *pos)
{
    Recs *r = s->impl;
    cr_assert_gt(pos->ticket, r->committed, "commits move forward");
    /* the contract: everything the records up to pos produced is durable */
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < r->sinks[k].nrecs; i++)
            if (r->sinks[k].recs[i].seq <= pos->ticket)
                cr_assert_leq(r->sinks[k].recs[i].seq, r->sinks[k].acked,
                              "record %llu committed before durable",
                              (unsigned long long)r->sinks[k].recs[i].seq);
    r->committed = pos->ticket;
    r->ncommits++;
}

static const DplStreamSourceOps recs_ops = {.kind = "recs", .read_record = recs_read, .commit = recs_commit};

static void run_records(unsigned jobs)
{
    Prog p = load();
    DplStreamConfig cfg = {.max_record_bytes = 1 << 20, .jobs = jobs};
    DplStreamRun *run = dpl_stream_run_new(p.prog, p.src, &cfg);
    Keep k[3];
    memset(k, 0, sizeof k);
    for (int i = 0; i < 3; i++)
        k[i].late = true;
    dpl_stream_run_set_sink(run, DPL_OUT_ENTITIES, keep_sink(&k[0], "e"));
    dpl_stream_run_set_sink(run, DPL_OUT_REJECTS, keep_sink(&k[1], "r"));
    dpl_stream_run_set_sink(run, DPL_OUT_SKIPPED, keep_sink(&k[2], "s"));
    Recs r = {.n = 9000, .sinks = k};
    DplStreamSource in = {.ops = &recs_ops, .impl = &r, .name = "recs"};
    cr_assert(dpl_stream_run_input(run, &in));
    cr_assert_eq(r.committed, 9000, "everything committed at the end, got %llu",
                 (unsigned long long)r.committed);
    cr_assert_gt(r.ncommits, 1, "commits while reading, not only at the end");
    /* metadata: rejects carry the source's position and the first code */
    cr_assert_gt(k[1].nrecs, 0);
    const DplStreamRec *rj = &k[1].recs[0];
    cr_assert_eq(rj->seq, 5);
    cr_assert_eq(rj->code, DPL_RT_MISSING_MANDATORY);
    cr_assert_eq(rj->pos.line, 105);
    cr_assert(
        strncmp(k[1].bytes.data + rj->off,
                "{\"line\":105,\"kafka\":{\"topic\":\"t\",\"partition\":0,\"offset\":105},\"source\":\"s\"",
                70) == 0,
        "%.120s", k[1].bytes.data + rj->off);
    cr_assert_eq(k[1].bytes.data[rj->off + rj->len], '\n');
    cr_assert_eq(k[0].recs[0].seq, 1);
    cr_assert_eq(k[0].recs[0].code, -1);
    cr_assert_eq(k[2].recs[0].seq, 7);
    cr_assert(dpl_stream_run_finish(run));
    cr_assert(dpl_stream_run_close(run, true));
    for (int i = 0; i < 3; i++)
        dpl_buf_free(&k[i].bytes);
    dpl_buf_free(&r.text);
    dpl_buf_free(&r.where);
    dpl_stream_run_free(run);
    unload(&p);
}

Test(stream, record_source_commits_only_durable_j1)
{
    run_records(1);
}
Test(stream, record_source_commits_only_durable_j3)
{
    run_records(3);
}

/* ---- where -j N's workers start (spread.c) ----------------------------------- */

typedef struct {
    const StreamSpread *spread;
    int first_cpu; /* where the thread first ran */
    cpu_set_t after; /* its CPUs once settled */
    int after_err;   /* pthread_getaffinity_np's (asserted by the caller) */
} Started;

static void *started_thread(void *arg)
{
    Started *st = arg;
    st->first_cpu = sched_getcpu();
    stream_spread_settle(st->spread);
    CPU_ZERO(&st->after);
    st->after_err = pthread_getaffinity_np(pthread_self(), sizeof st->after, &st->after);
    return NULL;
}

/* Starts a thread as -j N starts a worker; returns what it saw. */
static Started start_one(const StreamSpread *s)
{
    Started st = {.spread = s, .first_cpu = -1};
    pthread_t t;
    cr_assert_eq(stream_spread_create(s, &t, started_thread, &st), 0);
    cr_assert_eq(pthread_join(t, NULL), 0);
    cr_assert_eq(st.after_err, 0);
    return st;
}

/* A worker starts on another CPU than the thread that creates it, then
 * may run on any of the process's CPUs; with one CPU it starts there as
 * any thread does.  The creating thread's CPUs never change. */
Test(stream, workers_start_away_from_their_creator_then_run_anywhere)
{
    cpu_set_t mine;
    cr_assert_eq(sched_getaffinity(0, sizeof mine, &mine), 0);
    StreamSpread s;
    stream_spread_init(&s);
    Started st = start_one(&s);
    cr_assert(CPU_EQUAL(&st.after, &mine), "a started worker may run on every CPU of the process");
    if (CPU_COUNT(&mine) > 1) {
        cr_assert(s.on, "%d CPUs: workers start away from their creator", CPU_COUNT(&mine));
        cr_assert(CPU_ISSET(st.first_cpu, &s.away), "the worker started on CPU %d, its creator's", st.first_cpu);
    }
    /* one CPU (a container's cpuset, taskset -c): threads start as usual */
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    cr_assert_eq(sched_setaffinity(0, sizeof one, &one), 0);
    stream_spread_init(&s);
    cr_assert(!s.on);
    st = start_one(&s);
    cr_assert(CPU_EQUAL(&st.after, &one));
    cr_assert_eq(sched_setaffinity(0, sizeof mine, &mine), 0);
    cpu_set_t now;
    cr_assert_eq(sched_getaffinity(0, sizeof now, &now), 0);
    cr_assert(CPU_EQUAL(&now, &mine));
}

Test(stream, stats_json)
{
    DplStreamStats a = {.records = 3, .emitted = 1, .skipped = 1, .rejected = 1, .blank = 2, .skipped_where = 1};
    a.by_code[DPL_RT_CAST_FAILED] = 1;
    DplStreamStats b = a;
    dpl_stream_stats_add(&b, &a);
    DplBuf out = {0};
    dpl_stream_stats_json(&b, NULL, &out);
    dpl_buf_putc(&out, '\0');
    cr_assert_str_eq(out.data, "{\"records\":6,\"emitted\":2,\"skipped\":2,\"skipped_by\":{\"source\":0,\"where\":2},"
                               "\"rejected\":2,\"rejects_by_code\":{\"cast_failed\":2},\"blank_lines\":4}\n");
    dpl_buf_free(&out);
}
