/* run.c — `dpl run PROGRAM [INPUT...]` (spec §10): its options and usage
 * text; checks the program, then hands the run to stream/ (dpl_stream_job_run). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "check/check.h"
#include "cli/cli.h"
#include "stream/stream.h"
#include "json/json.h"

static const char usage_text[] =
    "usage: dpl run PROGRAM [INPUT...] [options]\n"
    "Applies PROGRAM to every NDJSON record of the INPUT files (or stdin, or `-`).\n"
    "Entities go to stdout, one JSON line each.\n"
    "\n"
    "options:\n"
    "  --rejects PATH           write rejected records there (default: stderr)\n"
    "  --skipped PATH           write records of other sources there (as read)\n"
    "  --stats                  print one JSON line of counts on stderr at the end\n"
    "  --raw                    plain NDJSON: wrap each value as "
    "{\"data\":V,\"metadata\":{\"source\":NAME}}\n"
    "  --source NAME            the source NAME for --raw (default: first name of `sources`)\n"
    "  --max-record-bytes N     reject longer lines as limit_exceeded (default 16M; k/m/g suffixes)\n"
    "  --fail-on-reject         exit 3 when any record was rejected\n"
    "  -j, --jobs N             worker threads (default 1); output is the same, in input order\n"
    "  -h, --help               this text\n"
    "\n"
    "exit status: 0 done, 1 I/O failure, 2 usage or program errors, 3 rejects with --fail-on-reject\n";

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
        static const char *const with_value[] = {"--rejects",          "--skipped", "--source",
                                                 "--max-record-bytes", "--jobs",    "--engine"};
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
                fprintf(stderr,
                        "dpl run: --max-record-bytes needs a positive size (like 1048576 or 16m), not `%s`\n",
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
    int status = dpl_stream_job_run(&job);
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
