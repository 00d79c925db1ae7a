/* run.c — `dpl run PROGRAM [INPUT...]` (spec §10): its options and usage
 * text; checks the program, then hands the run to stream/ (dpl_stream_job_run). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "check/check.h"
#include "cli/cli.h"
#include "json/json.h"
#include "endpoint/endpoint.h"
#include "kafka/kafka.h"
#include "stream/stream.h"

/* ---- options ---------------------------------------------------------------------- */

typedef struct {
    const char *program;
    const char **inputs;
    size_t ninputs;
    const char *output_path;
    const char *rejects_path;
    const char *skipped_path;
    const char *source;
    bool stats, raw, fail_on_reject;
    size_t max_record_bytes;
    unsigned jobs;
    bool tree_only; /* --engine tree: the reference evaluator, never engine/ (for differential tests) */
    const char *kafka_input;   /* the INPUT when it is a kafka:// URL */
    double stats_interval;
    DplKafkaProps kafka_props; /* -X and --kafka-config, in order */
    DplEndpoints where;        /* the inputs and outputs, for endpoint/ */
} Options;

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

/* Kafka and dir:// locations are checked before anything is opened: a
 * mistake in one is a usage error (2).  Returns -1 when all is well. */
static int check_urls(Options *o)
{
    char *err = NULL;
    if (dpl_endpoint_check(&o->where, &o->kafka_input, &err))
        return -1;
    fprintf(stderr, "dpl run: %s\n", err);
    dpl_free(err);
    return 2;
}

/* Returns -1 when parsing succeeded and the run should go on, otherwise the
 * exit status (0 for --help, 2 for a usage error). */
static int parse_args(int argc, char **argv, Options *o)
{
    const DplCmd *cmd = dpl_opts_find_cmd(&dpl_opts_dpl, "run");
    memset(o, 0, sizeof *o);
    o->max_record_bytes = DPL_DEFAULT_MAX_RECORD_BYTES;
    o->jobs = 1;
    o->inputs = dpl_calloc((size_t)argc + 1, sizeof *o->inputs);
    DplOptParser p;
    dpl_opts_begin(&p, cmd, argc, argv);
    int status = -1;
    for (int id; status < 0 && (id = dpl_opts_next(&p)) != DPL_OPTS_END;) {
        const char *v = p.value;
        switch (id) {
        case DPL_OPTS_ARG:
            if (!o->program)
                o->program = v;
            else
                o->inputs[o->ninputs++] = v;
            break;
        case DPL_OPTS_ERROR:
        case DPL_OPT_HELP: status = dpl_cli_help_or_error(&p, id); break;
        case DPL_OPT_OUTPUT: o->output_path = v; break;
        case DPL_OPT_REJECTS: o->rejects_path = v; break;
        case DPL_OPT_SKIPPED: o->skipped_path = v; break;
        case DPL_OPT_SOURCE: o->source = v; break;
        case DPL_OPT_STATS: o->stats = true; break;
        case DPL_OPT_RAW: o->raw = true; break;
        case DPL_OPT_FAIL_ON_REJECT: o->fail_on_reject = true; break;
        case DPL_OPT_ENGINE: o->tree_only = strcmp(v, "tree") == 0; break;
        case DPL_OPT_MAX_RECORD_BYTES: {
            uint64_t n;
            if (dpl_parse_size(v, SIZE_MAX / 4, &n)) {
                o->max_record_bytes = (size_t)n;
            } else {
                fprintf(stderr, "dpl run: --max-record-bytes needs a positive size (like 1048576 or 16m), not `%s`\n",
                        v);
                status = 2;
            }
            break;
        }
        case DPL_OPT_JOBS:
            if (!parse_jobs(p.spelled, v, &o->jobs))
                status = 2;
            break;
        case DPL_OPT_STATS_INTERVAL: {
            char *end;
            o->stats_interval = strtod(v, &end);
            if (!*v || *end || !(o->stats_interval > 0 && o->stats_interval < 1e7)) {
                fprintf(stderr, "dpl run: --stats-interval needs a positive number of seconds, not `%s`\n", v);
                status = 2;
            }
            o->stats = true;
            break;
        }
        case DPL_OPT_KAFKA_PROPERTY:
        case DPL_OPT_KAFKA_CONFIG: {
            char *err = NULL;
            if (id == DPL_OPT_KAFKA_PROPERTY ? !dpl_kafka_props_add_arg(&o->kafka_props, v, &err)
                                             : !dpl_kafka_props_read_file(&o->kafka_props, v, &err)) {
                fprintf(stderr, "dpl run: %s: %s\n", p.spelled, err);
                dpl_free(err);
                status = 2;
            }
            break;
        }
        }
    }
    dpl_opts_end(&p);
    if (status >= 0)
        return status;
    if (!o->program)
        return dpl_opts_usage_error(cmd, "%s", "no PROGRAM given");
    if (o->source && !o->raw) {
        fprintf(stderr, "dpl run: --source names the source of --raw records; add --raw or drop --source\n");
        return 2;
    }
    o->where = (DplEndpoints){.inputs = o->inputs, .ninputs = o->ninputs,
                              .outs = {o->output_path, o->rejects_path, o->skipped_path},
                              .props = &o->kafka_props};
    return check_urls(o);
}

/* Messages of the run, on stderr. */
static void say(void *ctx, const char *text)
{
    (void)ctx;
    fprintf(stderr, "dpl run: %s\n", text);
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

    DplStreamJob job = {
        .prog = prog,
        .src = src,
        .inputs = opt->inputs,
        .ninputs = opt->ninputs,
        .output_path = opt->output_path,
        .rejects_path = opt->rejects_path,
        .skipped_path = opt->skipped_path,
        .stats = opt->stats,
        .fail_on_reject = opt->fail_on_reject,
        .cfg = {.raw = opt->raw,
                .raw_source = opt->source,
                .max_record_bytes = opt->max_record_bytes,
                .jobs = opt->jobs,
                .tree_only = opt->tree_only,
                .message = say},
    };
    /* With Kafka input, SIGINT/SIGTERM (stream/signals.c, installed by the
     * job) drain the run: deliver, commit, leave the group, exit 0. */
    int status = 0;
    char *err = NULL;
    if (!dpl_endpoint_open(&opt->where, opt->kafka_input, prog, say, NULL, job.sinks, &job.source, &err)) {
        say(NULL, err);
        dpl_free(err);
        status = 1;
    }
    job.stats_interval = opt->stats_interval;
    if (status == 0)
        status = dpl_stream_job_run(&job);
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
    dpl_kafka_props_free(&opt.kafka_props);
    return st;
}
