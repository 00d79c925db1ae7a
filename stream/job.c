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
} Outputs;

static const char *fd_name(int fd)
{
    return fd == 1 ? "stdout" : "stderr";
}

static void close_outputs(Outputs *o)
{
    for (int k = 0; k < DPL_OUT_COUNT; k++)
        if (o->owned[k])
            close(o->fd[k]);
}

/* Opens every output, and only then truncates the files among them, so a
 * failure leaves every existing file as it was.  False after reporting. */
static bool open_outputs(const DplStreamJob *job, Outputs *o)
{
    static const int defaults[DPL_OUT_COUNT] = {1, 2, -1};
    const char *paths[DPL_OUT_COUNT] = {job->output_path, job->rejects_path, job->skipped_path};
    memset(o, 0, sizeof *o);
    for (int k = 0; k < DPL_OUT_COUNT; k++) {
        o->fd[k] = defaults[k];
        if (!paths[k])
            continue;
        if (strcmp(paths[k], "-") == 0) {
            o->fd[k] = 1;
            continue;
        }
        o->path[k] = paths[k];
        o->fd[k] = open(paths[k], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (o->fd[k] < 0) {
            say(job, "cannot open %s for writing: %s", paths[k], strerror(errno));
            close_outputs(o);
            return false;
        }
        o->owned[k] = true;
    }
    for (int k = 0; k < DPL_OUT_COUNT; k++) {
        struct stat st;
        if (o->owned[k] && fstat(o->fd[k], &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
            ftruncate(o->fd[k], 0) != 0) {
            say(job, "cannot open %s for writing: %s", o->path[k], strerror(errno));
            close_outputs(o);
            return false;
        }
    }
    return true;
}

/* The sink of output k: gzip for a path ending in .gz. */
static DplStreamSink *output_sink(const Outputs *o, int k)
{
    if (o->fd[k] < 0)
        return NULL;
    if (!o->owned[k])
        return dpl_stream_sink_fd(o->fd[k], fd_name(o->fd[k]));
    size_t n = strlen(o->path[k]);
    if (n > 3 && strcmp(o->path[k] + n - 3, ".gz") == 0)
        return dpl_stream_sink_gzip(o->fd[k], true, o->path[k]);
    return dpl_stream_sink_file(o->fd[k], o->path[k]);
}

static void print_stats(const DplStreamStats *st, const DplPresence *presence)
{
    DplBuf b = {0};
    dpl_stream_stats_json(st, presence, &b);
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

int dpl_stream_job_run(const DplStreamJob *job)
{
    DplStreamConfig cfg = job->cfg;
    cfg.presence = cfg.presence || job->stats || rejects_to_file(job);
    DplStreamRun *run = dpl_stream_run_new(job->prog, job->src, &cfg);
    int status = 0;
    Outputs outs;
    if (open_outputs(job, &outs)) {
        for (int k = 0; k < DPL_OUT_COUNT; k++)
            dpl_stream_run_set_sink(run, (DplStreamKind)k, output_sink(&outs, k));
    } else {
        status = 1;
    }

    if (status == 0) {
        static const char *const stdin_only[] = {"-"};
        const char *const *inputs = job->ninputs ? job->inputs : stdin_only;
        size_t ninputs = job->ninputs ? job->ninputs : 1;
        for (size_t i = 0; i < ninputs && dpl_stream_run_ok(run); i++) {
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
            print_stats(dpl_stream_run_stats(run), dpl_stream_run_presence(run));
    }
    if (status == 0 && job->fail_on_reject && dpl_stream_run_stats(run)->rejected)
        status = 3;
    if (!dpl_stream_run_close(run, status != 1))
        status = 1;
    dpl_stream_run_free(run);
    return status;
}
