/* job.c — `dpl run` as a whole, once the program is checked: open the
 * outputs, stream every input through the program, print --stats, close
 * everything, and decide the exit status (spec §10). */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

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

/* An output: path, or the fd default (fd < 0: none); NULL after reporting. */
static DplStreamSink *open_output(const DplStreamJob *job, const char *path, int fd, const char *fd_name,
                                  bool *failed)
{
    if (!path)
        return fd >= 0 ? dpl_stream_sink_fd(fd, fd_name) : NULL;
    int err = 0;
    DplStreamSink *s = dpl_stream_sink_file(path, &err);
    if (!s) {
        say(job, "cannot open %s for writing: %s", path, strerror(err));
        *failed = true;
    }
    return s;
}

static void print_stats(const DplStreamStats *st)
{
    DplBuf b = {0};
    dpl_stream_stats_json(st, &b);
    DplStreamSink *err = dpl_stream_sink_fd(2, "stderr");
    DplStreamBatch batch = {.bytes = b.data, .len = b.len};
    err->ops->write(err, &batch);
    err->ops->close(err);
    dpl_free(err->name);
    dpl_free(err);
    dpl_buf_free(&b);
}

int dpl_stream_job_run(const DplStreamJob *job)
{
    DplStreamRun *run = dpl_stream_run_new(job->prog, job->src, &job->cfg);
    int status = 0;
    bool failed = false;
    dpl_stream_run_set_sink(run, DPL_OUT_ENTITIES, dpl_stream_sink_fd(1, "stdout"));
    dpl_stream_run_set_sink(run, DPL_OUT_REJECTS, open_output(job, job->rejects_path, 2, "stderr", &failed));
    if (!failed)
        dpl_stream_run_set_sink(run, DPL_OUT_SKIPPED, open_output(job, job->skipped_path, -1, NULL, &failed));
    if (failed)
        status = 1;

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
        if (job->stats)
            print_stats(dpl_stream_run_stats(run));
    }
    if (status == 0 && job->fail_on_reject && dpl_stream_run_stats(run)->rejected)
        status = 3;
    if (!dpl_stream_run_close(run, status != 1))
        status = 1;
    dpl_stream_run_free(run);
    return status;
}
