/* run.c — `dpl run PROGRAM [INPUT...]` (spec §10): checks the program, then
 * streams NDJSON records through the evaluator, entities to stdout, rejects
 * and skipped records to their own streams, counts for --stats.
 *
 * The reader is our own (read(2) into one buffer): memory stays bounded by
 * the largest record whatever the stream's length, a line longer than
 * --max-record-bytes is skipped without being buffered, and outputs are
 * flushed whenever the next read could block, so `tail -f | dpl run` shows
 * each result as soon as its line arrives. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check/check.h"
#include "cli/cli.h"
#include "cli/run_parallel.h"
#include "eval/eval.h"
#include "json/json.h"
#include "scan/scan.h"

/* How much of an over-long line a limit_exceeded reject keeps as "raw". */
#define RAW_PREFIX 1024
#define READ_CHUNK (64u * 1024u)
#define OUT_FLUSH_AT (64u * 1024u)

static const char usage_text[] =
    "usage: dpl run PROGRAM [INPUT...] [options]\n"
    "Applies PROGRAM to every NDJSON record of the INPUT files (or stdin, or `-`).\n"
    "Entities go to stdout, one JSON line each.\n"
    "\n"
    "options:\n"
    "  --rejects PATH           write rejected records there (default: stderr)\n"
    "  --skipped PATH           write records of other sources there (as read)\n"
    "  --stats                  print one JSON line of counts on stderr at the end\n"
    "  --raw                    plain NDJSON: wrap each value as {\"data\":V,\"metadata\":{\"source\":NAME}}\n"
    "  --source NAME            the source NAME for --raw (default: first name of `sources`)\n"
    "  --max-record-bytes N     reject longer lines as limit_exceeded (default 16M; k/m/g suffixes)\n"
    "  --fail-on-reject         exit 3 when any record was rejected\n"
    "  -j, --jobs N             worker threads (default 1); output is the same, in input order\n"
    "  -h, --help               this text\n"
    "\n"
    "exit status: 0 done, 1 I/O failure, 2 usage or program errors, 3 rejects with --fail-on-reject\n";

/* ---- outputs ------------------------------------------------------------------- */

typedef enum { OUT_OK, OUT_CLOSED, OUT_FAILED } OutState;

typedef struct {
    int fd;
    const char *name; /* for messages */
    DplBuf buf;
    OutState state;
    int err;
} Out;

static void out_flush(Out *o)
{
    size_t off = 0;
    while (o->state == OUT_OK && off < o->buf.len) {
        ssize_t n = write(o->fd, o->buf.data + off, o->buf.len - off);
        if (n >= 0) {
            off += (size_t)n;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            struct pollfd p = {.fd = o->fd, .events = POLLOUT};
            poll(&p, 1, -1);
        } else if (errno == EPIPE) {
            /* the reader went away (`| head`): a quiet stop, not an error */
            o->state = OUT_CLOSED;
        } else {
            o->state = OUT_FAILED;
            o->err = errno;
        }
    }
    dpl_buf_reset(&o->buf);
}

static void out_maybe_flush(Out *o)
{
    /* fd < 0: a -j block collecting output for later, in input order */
    if (o->fd >= 0 && o->buf.len >= OUT_FLUSH_AT)
        out_flush(o);
}

/* ---- options ---------------------------------------------------------------------- */

typedef struct {
    const char *program;
    const char **inputs;
    size_t ninputs;
    const char *rejects_path;
    const char *skipped_path;
    const char *source;
    bool stats, raw, fail_on_reject;
    size_t max_record_bytes;
    unsigned jobs;
    bool tree_only; /* --engine tree: never the direct engine (for differential tests) */
} Options;

static bool parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || *s == '-')
        return false;
    unsigned long long mult = 1;
    if (*end == 'k' || *end == 'K')
        mult = 1024, end++;
    else if (*end == 'm' || *end == 'M')
        mult = 1024 * 1024, end++;
    else if (*end == 'g' || *end == 'G')
        mult = 1024ull * 1024 * 1024, end++;
    if (*end || v == 0 || v > (unsigned long long)SIZE_MAX / 4 / mult)
        return false;
    *out = (size_t)(v * mult);
    return true;
}

/* The thread count of -j / --jobs (spelled as the user wrote the option, for
 * the message); false after printing why v is not one. */
static bool parse_jobs(const char *option, const char *v, unsigned *out)
{
    char *end;
    unsigned long j = strtoul(v, &end, 10);
    if (!*v || *end || j < 1 || j > 256) {
        fprintf(stderr, "dpl run: %s needs a number of threads from 1 to 256, not `%s`\n", option, v);
        return false;
    }
    *out = (unsigned)j;
    return true;
}

/* Returns -1 when parsing succeeded and the run should go on, otherwise the
 * exit status (0 for --help, 2 for a usage error). */
static int parse_args(int argc, char **argv, Options *o)
{
    memset(o, 0, sizeof *o);
    o->max_record_bytes = DPL_DEFAULT_MAX_RECORD_BYTES;
    o->jobs = 1;
    o->inputs = dpl_calloc((size_t)argc + 1, sizeof *o->inputs);
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || strcmp(a, "-") == 0) {
            if (!o->program)
                o->program = a;
            else
                o->inputs[o->ninputs++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (strncmp(a, "-j", 2) == 0) { /* -j N, -jN */
            const char *v = a[2] ? a + 2 : i + 1 < argc ? argv[++i] : "";
            if (!parse_jobs("-j", v, &o->jobs))
                return 2;
            continue;
        }
        /* --name VALUE or --name=VALUE */
        const char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        const char *value = eq ? eq + 1 : NULL;
        static const char *const with_value[] = {"--rejects", "--skipped", "--source", "--max-record-bytes",
                                                 "--jobs", "--engine"};
        bool takes_value = false;
        for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++)
            if (strlen(with_value[k]) == nlen && strncmp(a, with_value[k], nlen) == 0)
                takes_value = true;
        if (takes_value && !value) {
            if (i + 1 >= argc) {
                fprintf(stderr, "dpl run: option `%.*s` needs a value\n%s", (int)nlen, a, usage_text);
                return 2;
            }
            value = argv[++i];
        }
#define IS(name) (strlen(name) == nlen && strncmp(a, name, nlen) == 0)
        if (!takes_value && eq) {
            fprintf(stderr, "dpl run: option `%.*s` takes no value\n", (int)nlen, a);
            return 2;
        }
        if (IS("--rejects"))
            o->rejects_path = value;
        else if (IS("--skipped"))
            o->skipped_path = value;
        else if (IS("--source"))
            o->source = value;
        else if (IS("--max-record-bytes")) {
            if (!parse_size(value, &o->max_record_bytes)) {
                fprintf(stderr, "dpl run: --max-record-bytes needs a positive size (like 1048576 or 16m), not `%s`\n",
                        value);
                return 2;
            }
        } else if (IS("--jobs")) {
            if (!parse_jobs("--jobs", value, &o->jobs))
                return 2;
        } else if (IS("--engine")) {
            /* Not in the usage text: auto (default) uses the direct engine
             * (scan/scan.h) where the program allows it; tree always runs the
             * evaluator.  Both must print the same bytes; tests compare them. */
            if (strcmp(value, "auto") != 0 && strcmp(value, "tree") != 0) {
                fprintf(stderr, "dpl run: --engine is auto or tree, not `%s`\n", value);
                return 2;
            }
            o->tree_only = strcmp(value, "tree") == 0;
        } else if (IS("--stats"))
            o->stats = true;
        else if (IS("--raw"))
            o->raw = true;
        else if (IS("--fail-on-reject"))
            o->fail_on_reject = true;
        else {
            fprintf(stderr, "dpl run: unknown option `%s`\n%s", a, usage_text);
            return 2;
        }
#undef IS
    }
    if (!o->program) {
        fprintf(stderr, "dpl run: no PROGRAM given\n%s", usage_text);
        return 2;
    }
    if (o->source && !o->raw) {
        fprintf(stderr, "dpl run: --source names the source of --raw records; add --raw or drop --source\n");
        return 2;
    }
    return -1;
}

/* ---- the reader -------------------------------------------------------------------- */

typedef struct Run Run;
static void flush_all(Run *run);

typedef struct {
    int fd;
    char *buf;
    size_t cap, limit; /* limit: the most the buffer may grow to */
    size_t start, end, scan;
    size_t max;        /* --max-record-bytes */
    bool eof;
    int err;
    Run *run;          /* flushed when a read could block */
    /* the line that was too long to buffer */
    char prefix[RAW_PREFIX + 1];
    size_t prefix_len;
    unsigned long long long_len;
} Reader;

static void rd_init(Reader *r, int fd, size_t max, Run *run)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->max = max;
    r->run = run;
    /* room for one maximal line, its CR, and a byte to see it is too long */
    r->limit = max + 2 > READ_CHUNK ? max + 2 : READ_CHUNK;
    r->cap = READ_CHUNK < r->limit ? READ_CHUNK : r->limit;
    r->buf = dpl_malloc(r->cap);
}

static void rd_free(Reader *r) { dpl_free(r->buf); }

static ssize_t rd_read(Reader *r, char *dst, size_t n)
{
    struct pollfd p = {.fd = r->fd, .events = POLLIN};
    if (poll(&p, 1, 0) == 0)
        flush_all(r->run); /* input stalls: show what we have */
    for (;;) {
        ssize_t got = read(r->fd, dst, n);
        if (got >= 0 || errno != EINTR)
            return got;
    }
}

/* Discards the rest of a line too long to buffer, keeping a prefix. */
static int rd_skip_long(Reader *r)
{
    /* The reject keeps the same bytes however reads split the line (and
     * whether -j is used): the first RAW_PREFIX bytes, and the length
     * without a final CR, as process_line would see them.  One byte more
     * than the prefix is kept so a CR right after it can be dropped. */
    size_t have = r->end - r->start;
    r->prefix_len = have < RAW_PREFIX + 1 ? have : RAW_PREFIX + 1;
    memcpy(r->prefix, r->buf + r->start, r->prefix_len);
    r->long_len = have;
    char last = r->buf[r->end - 1];
    r->start = r->end = r->scan = 0;
    for (;;) {
        ssize_t n = rd_read(r, r->buf, r->cap);
        if (n < 0) {
            r->err = errno;
            return -1;
        }
        if (n == 0) {
            r->eof = true;
            break;
        }
        char *nl = memchr(r->buf, '\n', (size_t)n);
        size_t take = nl ? (size_t)(nl - r->buf) : (size_t)n;
        if (r->prefix_len < RAW_PREFIX + 1) {
            size_t add = take < RAW_PREFIX + 1 - r->prefix_len ? take : RAW_PREFIX + 1 - r->prefix_len;
            memcpy(r->prefix + r->prefix_len, r->buf, add);
            r->prefix_len += add;
        }
        if (take)
            last = r->buf[take - 1];
        r->long_len += take;
        if (nl) {
            r->start = r->scan = take + 1;
            r->end = (size_t)n;
            break;
        }
    }
    if (last == '\r')
        r->long_len--;
    if (r->prefix_len > r->long_len)
        r->prefix_len = (size_t)r->long_len;
    if (r->prefix_len > RAW_PREFIX)
        r->prefix_len = RAW_PREFIX;
    return 2;
}

/* Next line (without its newline) in line and len, valid until the next call.
 * Returns 1 for a line, 2 for a line too long to buffer (r->prefix), 0 at
 * the end, -1 on a read error (r->err). */
static int rd_next(Reader *r, const char **line, size_t *len)
{
    for (;;) {
        char *nl = memchr(r->buf + r->scan, '\n', r->end - r->scan);
        if (nl) {
            *line = r->buf + r->start;
            *len = (size_t)(nl - *line);
            r->start = r->scan = (size_t)(nl - r->buf) + 1;
            return 1;
        }
        r->scan = r->end;
        if (r->eof) {
            if (r->end == r->start)
                return 0;
            /* a last line without a newline is still a line */
            *line = r->buf + r->start;
            *len = r->end - r->start;
            r->start = r->scan = r->end;
            return 1;
        }
        if (r->end - r->start > r->max + 1)
            return rd_skip_long(r);
        if (r->start > 0) {
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->end -= r->start;
            r->scan -= r->start;
            r->start = 0;
        }
        if (r->end == r->cap) {
            r->cap = r->cap * 2 < r->limit ? r->cap * 2 : r->limit;
            r->buf = dpl_realloc(r->buf, r->cap);
        }
        ssize_t n = rd_read(r, r->buf + r->end, r->cap - r->end);
        if (n < 0) {
            r->err = errno;
            return -1;
        }
        if (n == 0)
            r->eof = true;
        else
            r->end += (size_t)n;
    }
}

/* ---- the run -------------------------------------------------------------------------- */

struct Run {
    const Options *opt;
    const DplSource *src;
    const DplEvaluator *ev;
    const DplDirect *direct; /* NULL: every record goes through ev */
    DplDirectState *dst;     /* this thread's scratch for direct */
    const DplSparse *sparse; /* programs direct cannot take: ev on sparse records */
    DplScanValue *svals;     /* this thread's scratch for sparse */
    Out out, rejects, skipped;
    bool has_skipped;
    const char *input_name; /* in reject lines when there are several inputs */
    unsigned long long records, emitted, skipped_n, rejected, blank;
    unsigned long long by_code[DPL_RT_COUNT];
    DplResult res;
};

static void flush_all(Run *run)
{
    out_flush(&run->out);
    out_flush(&run->rejects);
    if (run->has_skipped)
        out_flush(&run->skipped);
}

/* True while every output can still be written. */
static bool outputs_ok(const Run *run)
{
    return run->out.state == OUT_OK && run->rejects.state == OUT_OK &&
           (!run->has_skipped || run->skipped.state == OUT_OK);
}

static void reject(Run *run, long line, const json_t *record, const char *raw, size_t raw_len)
{
    run->rejected++;
    bool seen[DPL_RT_COUNT] = {false};
    for (size_t i = 0; i < run->res.nerrors; i++)
        seen[run->res.errors[i].code] = true;
    for (int c = 0; c < DPL_RT_COUNT; c++)
        run->by_code[c] += seen[c];
    dpl_write_reject_input(&run->rejects.buf, run->src, run->input_name, line, &run->res, record, raw, raw_len);
    out_maybe_flush(&run->rejects);
}

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

static void too_long(Run *run, long line, const char *prefix, size_t plen, unsigned long long total)
{
    dpl_result_clear(&run->res);
    dpl_result_add_error(&run->res, DPL_RT_LIMIT_EXCEEDED, NULL, NULL,
                         "the record is %llu bytes, more than --max-record-bytes %zu (raw keeps the first %zu bytes)",
                         total, run->opt->max_record_bytes, plen);
    reject(run, line, NULL, prefix, plen);
}

/* A record of another source: counted, and kept as read with --skipped. */
static void skip_line(Run *run, const char *text, size_t len)
{
    run->skipped_n++;
    if (run->has_skipped) {
        dpl_buf_append(&run->skipped.buf, text, len);
        dpl_buf_putc(&run->skipped.buf, '\n');
        out_maybe_flush(&run->skipped);
    }
}

/* The direct engine decides most records of plain-path programs from one
 * scan of the line; false hands the record to the evaluator, which owns
 * every reject. */
static bool try_direct(Run *run, const char *text, size_t len)
{
    switch (dpl_direct_record(run->direct, run->dst, text, len, &run->out.buf)) {
    case DPL_DIRECT_EMIT:
        run->emitted++;
        out_maybe_flush(&run->out);
        return true;
    case DPL_DIRECT_SKIP:
        skip_line(run, text, len);
        return true;
    case DPL_DIRECT_FALLBACK:
        break;
    }
    return false;
}

static void emit_entity(Run *run)
{
    run->emitted++;
    dpl_json_write(&run->out.buf, run->res.entity);
    dpl_buf_putc(&run->out.buf, '\n');
    out_maybe_flush(&run->out);
}

/* The evaluator on a record holding only what the program reads (scan/):
 * false when the line needs the whole parse (invalid JSON, not an object)
 * or the record is rejected (the reject line shows the whole record). */
static bool try_sparse(Run *run, long line, const char *text, size_t len)
{
    json_t *env = dpl_sparse_record(run->sparse, run->svals, text, len);
    if (!env)
        return false;
    dpl_eval_record(run->ev, env, line, &run->res);
    DplOutcome o = run->res.outcome;
    if (o == DPL_EMIT)
        emit_entity(run);
    else if (o == DPL_SKIP)
        skip_line(run, text, len);
    dpl_result_clear(&run->res);
    json_decref(env);
    return o != DPL_REJECT;
}

static void process_line(Run *run, long line, const char *text, size_t len)
{
    if (len && text[len - 1] == '\r')
        len--;
    if (is_blank(text, len)) {
        run->blank++;
        return;
    }
    run->records++;
    if (len > run->opt->max_record_bytes) {
        too_long(run, line, text, len < RAW_PREFIX ? len : RAW_PREFIX, len);
        return;
    }
    if (run->direct && try_direct(run, text, len))
        return;
    if (run->sparse && try_sparse(run, line, text, len))
        return;
    json_t *v = NULL;
    DplJsonError jerr;
    DplJsonStatus st = dpl_json_parse(text, len, &v, &jerr);
    if (st != DPL_JSON_OK) {
        dpl_result_clear(&run->res);
        if (st == DPL_JSON_TOO_DEEP)
            dpl_result_add_error(&run->res, DPL_RT_LIMIT_EXCEEDED, NULL, NULL, "%s at column %d", jerr.message,
                                 jerr.column);
        else
            dpl_result_add_error(&run->res, DPL_RT_INVALID_JSON, NULL, NULL, "invalid JSON at column %d: %s",
                                 jerr.column, jerr.message);
        reject(run, line, NULL, text, len);
        return;
    }
    json_t *env = v;
    if (run->opt->raw) {
        env = json_object();
        json_object_set_nocheck(env, "data", v);
        json_t *md = json_object();
        json_object_set_new_nocheck(md, "source",
                                    json_string(run->opt->source ? run->opt->source : dpl_eval_default_source(run->ev)));
        json_object_set_new_nocheck(env, "metadata", md);
    }
    dpl_eval_record(run->ev, env, line, &run->res);
    switch (run->res.outcome) {
    case DPL_EMIT:
        emit_entity(run);
        break;
    case DPL_SKIP:
        skip_line(run, text, len);
        break;
    case DPL_REJECT:
        /* the record as it came in: the value, not the --raw envelope */
        reject(run, line, v, NULL, 0);
        break;
    }
    dpl_result_clear(&run->res);
    if (env != v)
        json_decref(env);
    json_decref(v);
}

/* ---- -j N: the same per-line work on worker threads (run_parallel.c) ------------ */

/* A block's collector: the run's settings, its own buffers and counts. */
static void *par_clone_new(void *parent)
{
    const Run *run = parent;
    Run *c = dpl_calloc(1, sizeof *c);
    c->opt = run->opt;
    c->src = run->src;
    c->ev = run->ev;
    c->direct = run->direct;
    c->dst = run->direct ? dpl_direct_state_new(run->direct) : NULL;
    c->sparse = run->sparse;
    c->svals = run->sparse ? dpl_calloc(dpl_sparse_slots(run->sparse), sizeof *c->svals) : NULL;
    c->has_skipped = run->has_skipped;
    c->input_name = run->input_name;
    c->out.fd = c->rejects.fd = c->skipped.fd = -1; /* collect, never write */
    dpl_result_init(&c->res);
    return c;
}

static void par_clone_free(void *clone)
{
    Run *c = clone;
    dpl_direct_state_free(c->dst);
    dpl_free(c->svals);
    dpl_buf_free(&c->out.buf);
    dpl_buf_free(&c->rejects.buf);
    dpl_buf_free(&c->skipped.buf);
    dpl_result_free(&c->res);
    dpl_free(c);
}

static void par_line(void *clone, long line, const char *text, size_t len) { process_line(clone, line, text, len); }

static void par_too_long(void *clone, long line, const char *prefix, size_t plen, unsigned long long total)
{
    Run *c = clone;
    c->records++;
    too_long(c, line, prefix, plen, total);
}

static void merge_out(Out *to, Out *from)
{
    dpl_buf_append(&to->buf, from->buf.data, from->buf.len);
    dpl_buf_reset(&from->buf);
    out_maybe_flush(to);
}

static void par_merge(void *parent, void *clone)
{
    Run *run = parent, *c = clone;
    merge_out(&run->out, &c->out);
    merge_out(&run->rejects, &c->rejects);
    if (run->has_skipped)
        merge_out(&run->skipped, &c->skipped);
    run->records += c->records;
    run->emitted += c->emitted;
    run->skipped_n += c->skipped_n;
    run->rejected += c->rejected;
    run->blank += c->blank;
    for (int i = 0; i < DPL_RT_COUNT; i++)
        run->by_code[i] += c->by_code[i];
    c->records = c->emitted = c->skipped_n = c->rejected = c->blank = 0;
    memset(c->by_code, 0, sizeof c->by_code);
}

static void par_flush(void *run) { flush_all(run); }
static bool par_ok(void *run) { return outputs_ok(run); }

static const DplParOps par_ops = {par_clone_new, par_clone_free, par_line, par_too_long,
                                  par_merge,     par_flush,      par_ok};

/* Streams one input; returns false on a read error (reported). */
static bool run_input(Run *run, int fd, const char *name)
{
    if (run->opt->jobs > 1) {
        /* jansson seeds its object hashes lazily on first use; do it here,
         * before any worker thread can race to do it. */
        json_object_seed(0);
        int err = dpl_run_parallel(fd, run->opt->jobs, run->opt->max_record_bytes, &par_ops, run);
        if (err && outputs_ok(run)) {
            fprintf(stderr, "dpl run: cannot read %s: %s\n", name, strerror(err));
            return false;
        }
        return true;
    }
    Reader r;
    rd_init(&r, fd, run->opt->max_record_bytes, run);
    long line = 0;
    const char *text;
    size_t len;
    int st = 0;
    while (outputs_ok(run) && (st = rd_next(&r, &text, &len)) > 0) {
        line++;
        if (st == 2) {
            run->records++;
            too_long(run, line, r.prefix, r.prefix_len, r.long_len);
        } else {
            process_line(run, line, text, len);
        }
    }
    bool ok = true;
    if (outputs_ok(run) && st < 0) {
        fprintf(stderr, "dpl run: cannot read %s: %s\n", name, strerror(r.err));
        ok = false;
    }
    rd_free(&r);
    return ok;
}

static bool open_out(Out *o, const char *path, int default_fd, const char *default_name)
{
    o->state = OUT_OK;
    if (!path) {
        o->fd = default_fd;
        o->name = default_name;
        return true;
    }
    o->name = path;
    o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0) {
        fprintf(stderr, "dpl run: cannot open %s for writing: %s\n", path, strerror(errno));
        return false;
    }
    return true;
}

/* Reports a failed output once; returns whether every output is fine. */
static bool report_out(const Out *o)
{
    if (o->state == OUT_FAILED) {
        fprintf(stderr, "dpl run: cannot write to %s: %s\n", o->name, strerror(o->err));
        return false;
    }
    return true;
}

static void print_stats(const Run *run)
{
    DplBuf b = {0};
    dpl_buf_printf(&b, "{\"records\":%llu,\"emitted\":%llu,\"skipped\":%llu,\"rejected\":%llu,\"rejects_by_code\":{",
                   run->records, run->emitted, run->skipped_n, run->rejected);
    bool first = true;
    for (int c = 0; c < DPL_RT_COUNT; c++) {
        if (!run->by_code[c])
            continue;
        dpl_buf_printf(&b, "%s\"%s\":%llu", first ? "" : ",", dpl_rt_code_name((DplRtCode)c), run->by_code[c]);
        first = false;
    }
    dpl_buf_printf(&b, "},\"blank_lines\":%llu}\n", run->blank);
    Out err = {.fd = 2, .name = "stderr", .buf = b};
    out_flush(&err);
    dpl_buf_free(&err.buf);
}

static int run_program(const Options *opt)
{
    const char *rerr = NULL;
    DplSource *src = dpl_source_read_file(opt->program, &rerr);
    if (!src) {
        fprintf(stderr, "dpl run: cannot read %s: %s\n", opt->program, rerr ? rerr : "unknown error");
        return 2;
    }
    DplDiagList diags = {0};
    bool ok = false;
    DplProgram *prog = dpl_compile(src, &diags, &ok);
    dpl_diag_sort(&diags);
    if (diags.len) {
        dpl_cli_print_diags(stderr, src, &diags, dpl_cli_use_color(DPL_COLOR_AUTO, stderr));
        fflush(stderr);
    }
    dpl_diag_list_free(&diags);
    if (!ok) {
        fprintf(stderr, "dpl run: %s has errors; no record was processed\n", opt->program);
        dpl_program_free(prog);
        dpl_source_free(src);
        return 2;
    }

    Run run = {.opt = opt, .src = src};
    run.ev = dpl_eval_new(prog);
    /* The fast paths (scan/) read envelopes; --raw values go to the tree. */
    bool fast = !opt->raw && !opt->tree_only;
    DplDirect *direct = fast ? dpl_direct_new(prog, NULL) : NULL;
    DplSparse *sparse = fast && !direct ? dpl_sparse_new(prog) : NULL;
    run.direct = direct;
    run.dst = direct ? dpl_direct_state_new(direct) : NULL;
    run.sparse = sparse;
    run.svals = sparse ? dpl_calloc(dpl_sparse_slots(sparse), sizeof *run.svals) : NULL;
    dpl_result_init(&run.res);
    int status = 0;
    open_out(&run.out, NULL, 1, "stdout");
    if (!open_out(&run.rejects, opt->rejects_path, 2, "stderr"))
        status = 1;
    run.has_skipped = opt->skipped_path != NULL;
    if (status == 0 && run.has_skipped && !open_out(&run.skipped, opt->skipped_path, -1, NULL))
        status = 1;

    if (status == 0) {
        static const char *const stdin_only[] = {"-"};
        const char *const *inputs = opt->ninputs ? opt->inputs : stdin_only;
        size_t ninputs = opt->ninputs ? opt->ninputs : 1;
        for (size_t i = 0; i < ninputs && outputs_ok(&run); i++) {
            bool is_stdin = strcmp(inputs[i], "-") == 0;
            run.input_name = ninputs > 1 ? inputs[i] : NULL;
            int fd = is_stdin ? 0 : open(inputs[i], O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                fprintf(stderr, "dpl run: cannot open %s: %s\n", inputs[i], strerror(errno));
                status = 1;
                continue;
            }
            if (!run_input(&run, fd, is_stdin ? "stdin" : inputs[i]))
                status = 1;
            if (!is_stdin)
                close(fd);
        }
        flush_all(&run);
        /* every output reports its own failure: no short-circuit */
        bool outs_ok = report_out(&run.out);
        outs_ok = report_out(&run.rejects) && outs_ok;
        if (run.has_skipped)
            outs_ok = report_out(&run.skipped) && outs_ok;
        if (!outs_ok)
            status = 1;
        if (opt->stats)
            print_stats(&run);
    }
    if (status == 0 && opt->fail_on_reject && run.rejected)
        status = 3;

    if (opt->rejects_path && run.rejects.fd >= 0 && close(run.rejects.fd) != 0 && status != 1) {
        fprintf(stderr, "dpl run: cannot write to %s: %s\n", opt->rejects_path, strerror(errno));
        status = 1;
    }
    if (run.has_skipped && run.skipped.fd >= 0 && close(run.skipped.fd) != 0 && status != 1) {
        fprintf(stderr, "dpl run: cannot write to %s: %s\n", opt->skipped_path, strerror(errno));
        status = 1;
    }
    dpl_buf_free(&run.out.buf);
    dpl_buf_free(&run.rejects.buf);
    dpl_buf_free(&run.skipped.buf);
    dpl_result_free(&run.res);
    dpl_eval_free((DplEvaluator *)run.ev);
    dpl_direct_state_free(run.dst);
    dpl_direct_free(direct);
    dpl_free(run.svals);
    dpl_sparse_free(sparse);
    dpl_program_free(prog);
    dpl_source_free(src);
    return status;
}

int dpl_cmd_run(int argc, char **argv)
{
    /* a closed stdout (`| head -1`) must end the run quietly, not kill it */
    signal(SIGPIPE, SIG_IGN);
    Options opt;
    int st = parse_args(argc, argv, &opt);
    if (st < 0)
        st = run_program(&opt);
    dpl_free(opt.inputs);
    return st;
}
