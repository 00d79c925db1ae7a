/* job.c — `dpl run` as a whole, once the program is checked: open the
 * outputs, stream every input through the program, print --stats, close
 * everything, and decide the exit status (spec §10). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stream/stream.h"

static void say(const DplStreamJob *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const DplStreamJob *job, const char *fmt, ...)
{
    if (!job->cfg.message)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *text = dpl_vasprintf(fmt, ap);
    va_end(ap);
    job->cfg.message(job->cfg.message_ctx, text);
    dpl_free(text);
}

/* The outputs of a job: each a path, "-" (stdout), or its default. */
typedef struct {
    const char *path[DPL_OUT_COUNT]; /* NULL: the default */
    int fd[DPL_OUT_COUNT];           /* -1: none (skipped lines are dropped) */
    bool owned[DPL_OUT_COUNT];       /* opened here */
    bool created[DPL_OUT_COUNT];     /* and did not exist before */
} Outputs;

static const char *const option_names[DPL_OUT_COUNT] = {"--output", "--rejects", "--skipped"};

static const char *fd_name(int fd)
{
    return fd == 1 ? "stdout" : "stderr";
}

/* Closes what was opened; with undo, removes the files this run created. */
static void close_outputs(Outputs *o, bool undo)
{
    for (int k = 0; k < DPL_OUT_COUNT; k++) {
        if (!o->owned[k])
            continue;
        close(o->fd[k]);
        if (undo && o->created[k])
            unlink(o->path[k]);
        o->owned[k] = false;
    }
}

/* How output k is named in a message: "--rejects r.ndjson", or "stdout". */
static char *describe(const Outputs *o, int k)
{
    return o->path[k] ? dpl_asprintf("%s %s", option_names[k], o->path[k]) : dpl_strdup(fd_name(o->fd[k]));
}

/* Output k is a regular file that is also an input (it would be truncated
 * before it is read, or read back while it grows) or another output opened
 * separately (the two would overwrite each other); 2 after reporting, 0 if
 * all is well.  Outputs that share one descriptor (`-` and stdout) are
 * fine: their lines interleave whole. */
static int check_outputs(const DplStreamJob *job, const Outputs *o, const char *const *inputs, size_t ninputs)
{
    struct stat st[DPL_OUT_COUNT];
    bool reg[DPL_OUT_COUNT];
    for (int k = 0; k < DPL_OUT_COUNT; k++)
        reg[k] = o->fd[k] >= 0 && fstat(o->fd[k], &st[k]) == 0 && S_ISREG(st[k].st_mode);
    for (int k = 0; k < DPL_OUT_COUNT; k++) {
        if (!reg[k])
            continue;
        for (int l = k + 1; l < DPL_OUT_COUNT; l++) {
            if (reg[l] && (o->owned[k] || o->owned[l]) && st[k].st_dev == st[l].st_dev &&
                st[k].st_ino == st[l].st_ino) {
                char *a = describe(o, k), *b = describe(o, l);
                say(job, "%s and %s are the same file; give each output its own", a, b);
                dpl_free(a);
                dpl_free(b);
                return 2;
            }
        }
        for (size_t i = 0; i < ninputs; i++) {
            struct stat in;
            bool is_stdin = strcmp(inputs[i], "-") == 0;
            if ((is_stdin ? fstat(0, &in) : stat(inputs[i], &in)) != 0)
                continue; /* reported when it is opened */
            if (in.st_dev == st[k].st_dev && in.st_ino == st[k].st_ino) {
                char *a = describe(o, k);
                say(job, "%s is also the input %s; refusing to overwrite what is to be read", a,
                    is_stdin ? "stdin" : inputs[i]);
                dpl_free(a);
                return 2;
            }
        }
    }
    return 0;
}

/* Opens every output, checks them against the inputs and each other, and
 * only then truncates the files among them, so a failure leaves every
 * existing file as it was (and removes the files it created).  Returns 0,
 * or the exit status after reporting (1 I/O, 2 usage). */
static int open_outputs(const DplStreamJob *job, Outputs *o, const char *const *inputs, size_t ninputs)
{
    static const int defaults[DPL_OUT_COUNT] = {1, 2, -1};
    const char *paths[DPL_OUT_COUNT] = {job->output_path, job->rejects_path, job->skipped_path};
    memset(o, 0, sizeof *o);
    for (int k = 0; k < DPL_OUT_COUNT; k++) {
        o->fd[k] = defaults[k];
        if (!paths[k] || job->sinks[k])
            continue;
        if (strcmp(paths[k], "-") == 0) {
            o->fd[k] = 1;
            continue;
        }
        o->path[k] = paths[k];
        o->fd[k] = open(paths[k], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        o->created[k] = o->fd[k] >= 0;
        if (o->fd[k] < 0 && errno == EEXIST)
            o->fd[k] = open(paths[k], O_WRONLY | O_CLOEXEC);
        if (o->fd[k] < 0) {
            say(job, "cannot open %s for writing: %s", paths[k], strerror(errno));
            close_outputs(o, true);
            return 1;
        }
        o->owned[k] = true;
    }
    int status = check_outputs(job, o, inputs, ninputs);
    if (status) {
        close_outputs(o, true);
        return status;
    }
    for (int k = 0; k < DPL_OUT_COUNT; k++) {
        struct stat st;
        if (o->owned[k] && fstat(o->fd[k], &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
            ftruncate(o->fd[k], 0) != 0) {
            say(job, "cannot open %s for writing: %s", o->path[k], strerror(errno));
            close_outputs(o, true);
            return 1;
        }
    }
    return 0;
}

/* The sink of output k: the caller's, or gzip for a path ending in .gz.
 * Only stdout may end the run quietly when its reader goes away (`| head`). */
static DplStreamSink *output_sink(const DplStreamJob *job, const Outputs *o, int k)
{
    if (job->sinks[k])
        return job->sinks[k];
    if (o->fd[k] < 0)
        return NULL;
    DplStreamSink *s;
    size_t n = o->path[k] ? strlen(o->path[k]) : 0;
    if (!o->owned[k])
        s = dpl_stream_sink_fd(o->fd[k], fd_name(o->fd[k]));
    else if (n > 3 && strcmp(o->path[k] + n - 3, ".gz") == 0)
        s = dpl_stream_sink_gzip(o->fd[k], true, o->path[k]);
    else
        s = dpl_stream_sink_file(o->fd[k], o->path[k]);
    s->quiet_epipe = !o->owned[k] && o->fd[k] == 1;
    return s;
}

/* The --stats line, with the source's own members (Kafka: lag). */
static void print_stats(const DplStreamStats *st, const DplPresence *presence, DplStreamSource *in)
{
    DplBuf b = {0};
    dpl_stream_stats_json(st, presence, &b);
    if (in && in->ops->stats && b.len >= 2) {
        b.len -= 2; /* "}\n" */
        dpl_buf_putc(&b, ',');
        in->ops->stats(in, &b);
        dpl_buf_puts(&b, "}\n");
    }
    DplStreamSink *err = dpl_stream_sink_fd(2, "stderr");
    DplStreamBatch batch = {.bytes = b.data, .len = b.len};
    err->ops->write(err, &batch);
    err->ops->close(err);
    dpl_free(err->name);
    dpl_free(err);
    dpl_buf_free(&b);
}

/* Rejects that go to a file are out of sight: the paths no record had
 * (spec §12.5) are worth a warning on stderr too. */
static bool rejects_to_file(const DplStreamJob *job)
{
    return job->rejects_path && strcmp(job->rejects_path, "-") != 0;
}

static void warn_never_present(const DplStreamJob *job, const DplPresence *p)
{
    size_t n;
    const char **never = dpl_presence_never(p, &n);
    if (!never)
        return;
    DplBuf b = {0};
    for (size_t i = 0; i < n; i++)
        dpl_buf_printf(&b, "%s%s", i ? ", " : "", never[i]);
    unsigned long long records = dpl_presence_records(p);
    say(job, "warning: %s never present in the %llu record%s that reached validation: %s "
             "(misspelt? `dplc check --sample FILE` suggests the paths the records have)",
        n == 1 ? "a path the program reads was" : "paths the program reads were", records, records == 1 ? "" : "s",
        b.data);
    dpl_buf_free(&b);
    dpl_free(never);
}

typedef struct {
    DplStreamRun *run;
    DplStreamSource *in;
} Ticker;

static void stats_tick(void *ctx)
{
    Ticker *t = ctx;
    print_stats(dpl_stream_run_stats(t->run), dpl_stream_run_presence(t->run), t->in);
}

/* Closes what the caller opened for a job that does not run. */
static int discard(const DplStreamJob *job, int status)
{
    for (int k = 0; k < DPL_OUT_COUNT; k++)
        dpl_stream_sink_discard(job->sinks[k]);
    dpl_stream_source_close(job->source);
    return status;
}

int dpl_stream_job_run(const DplStreamJob *job)
{
    dpl_stream_std_fds();
    static const char *const stdin_only[] = {"-"};
    const char *const *inputs = job->ninputs ? job->inputs : stdin_only;
    size_t ninputs = job->source ? 0 : job->ninputs ? job->ninputs : 1;
    Outputs outs;
    int status = open_outputs(job, &outs, inputs, ninputs);
    if (status)
        return discard(job, status);
    Ticker ticker = {.in = job->source};
    DplStreamConfig cfg = job->cfg;
    cfg.presence = cfg.presence || job->stats || rejects_to_file(job);
    cfg.report_stop = !job->source; /* a Kafka run is stopped by a signal: nothing to say */
    if (job->stats && job->stats_interval > 0) {
        cfg.tick = stats_tick;
        cfg.tick_ctx = &ticker;
        cfg.tick_seconds = job->stats_interval;
    }
    DplStreamRun *run = dpl_stream_run_new(job->prog, job->src, &cfg);
    ticker.run = run;
    for (int k = 0; k < DPL_OUT_COUNT; k++)
        dpl_stream_run_set_sink(run, (DplStreamKind)k, output_sink(job, &outs, k));
    dpl_stream_signals_install();

    if (job->source && !dpl_stream_run_input(run, job->source))
        status = 1;
    for (size_t i = 0; i < ninputs && dpl_stream_run_ok(run) && !dpl_stream_stop_requested(); i++) {
        int err = 0;
        DplStreamSource *in = dpl_stream_source_file(inputs[i], &err);
        if (!in) {
            say(job, "cannot open %s: %s", inputs[i], strerror(err));
            status = 1;
            continue;
        }
        if (ninputs > 1)
            in->input = dpl_strdup(inputs[i]);
        if (!dpl_stream_run_input(run, in))
            status = 1;
        dpl_stream_source_close(in);
    }
    if (!dpl_stream_run_finish(run))
        status = 1;
    /* the warning first: the --stats line stays the last line */
    if (rejects_to_file(job) && dpl_stream_run_presence(run))
        warn_never_present(job, dpl_stream_run_presence(run));
    if (job->stats)
        print_stats(dpl_stream_run_stats(run), dpl_stream_run_presence(run), job->source);
    if (status == 0 && job->fail_on_reject && dpl_stream_run_stats(run)->rejected)
        status = 3;
    if (!dpl_stream_run_close(run, status != 1))
        status = 1;
    dpl_stream_run_free(run);
    /* after the sinks: its offsets were stored as their output became
     * durable; closing commits them (Kafka: and leaves the group) */
    dpl_stream_source_close(job->source);
    /* interrupted: the input was not read to its end (spec §15); a signal
     * is how a Kafka run ends normally */
    int sig = dpl_stream_stop_requested();
    if (sig && !job->source)
        status = 128 + sig;
    return status;
}
