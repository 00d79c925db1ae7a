/* test_endpoint.c — the locations of a run: mistakes in kafka:// and dir://
 * URLs, a Kafka input beside another input, and -X without Kafka are usage
 * errors found before anything opens; paths are left to the stream job, and
 * a dir:// output opens a data-lake sink of the right stream. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check.h"
#include "endpoint/endpoint.h"
#include "util/util.h"

static void setup(void) { dpl_util_init(); }

TestSuite(endpoint, .init = setup);

/* dpl_endpoint_check's message for e, or NULL when it accepts e. */
static char *check_error(const DplEndpoints *e, const char **kafka_input)
{
    char *err = NULL;
    bool ok = dpl_endpoint_check(e, kafka_input, &err);
    cr_assert_eq(ok, err == NULL, "a refusal comes with its reason, and only a refusal");
    return err;
}

Test(endpoint, paths_and_stdin_are_the_stream_jobs)
{
    const char *inputs[] = {"a.ndjson", "-"};
    DplEndpoints e = {.inputs = inputs, .ninputs = 2, .outs = {"out.ndjson", "-", NULL}};
    const char *kafka_input = "unset";
    cr_assert_null(check_error(&e, &kafka_input));
    cr_assert_null(kafka_input);
}

Test(endpoint, a_kafka_input_is_the_only_input)
{
    const char *inputs[] = {"kafka://127.0.0.1:9092/events?group=g", "more.ndjson"};
    DplEndpoints e = {.inputs = inputs, .ninputs = 2};
    const char *kafka_input;
    char *err = check_error(&e, &kafka_input);
    cr_assert_not_null(err);
    cr_assert(strstr(err, "only input"), "%s", err);
    dpl_free(err);
    e.ninputs = 1;
    cr_assert_null(check_error(&e, &kafka_input));
    cr_assert_str_eq(kafka_input, inputs[0]);
}

Test(endpoint, kafka_properties_need_something_kafka)
{
    DplKafkaProps props = {0};
    char *err = NULL;
    cr_assert(dpl_kafka_props_add_arg(&props, "client.id=dpl-test", &err));
    const char *inputs[] = {"in.ndjson"};
    DplEndpoints e = {.inputs = inputs, .ninputs = 1, .props = &props};
    const char *kafka_input;
    err = check_error(&e, &kafka_input);
    cr_assert_not_null(err);
    cr_assert(strstr(err, "no input or output is Kafka"), "%s", err);
    dpl_free(err);
    e.outs[DPL_OUT_REJECTS] = "kafka://127.0.0.1:9092/rejects";
    cr_assert_null(check_error(&e, &kafka_input));
    cr_assert_null(kafka_input, "a Kafka output is not an input");
    dpl_kafka_props_free(&props);
}

Test(endpoint, bad_urls_are_refused_before_anything_opens)
{
    const char *bad_outputs[] = {"dir://", "kafka://127.0.0.1:9092/"};
    for (size_t i = 0; i < sizeof bad_outputs / sizeof *bad_outputs; i++) {
        DplEndpoints e = {.outs = {NULL, bad_outputs[i], NULL}};
        const char *kafka_input;
        char *err = check_error(&e, &kafka_input);
        cr_assert_not_null(err, "%s was accepted", bad_outputs[i]);
        dpl_free(err);
    }
}

Test(endpoint, a_dir_output_opens_a_lake_sink_and_paths_open_nothing)
{
    char dir[] = "/tmp/dpl-endpoint-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char url[64];
    snprintf(url, sizeof url, "dir://%s?max_bytes=1000", dir);
    const char *text = "entity \"e\" { k }\nadd { k }\n";
    DplSource *src = dpl_source_new("p.dpl", text, strlen(text));
    DplDiagList diags = {0};
    bool ok = false;
    DplProgram *prog = dpl_compile(src, &diags, &ok);
    cr_assert(ok);
    DplEndpoints e = {.outs = {"out.ndjson", url, NULL}};
    DplStreamSink *sinks[DPL_OUT_COUNT];
    DplStreamSource *source = (DplStreamSource *)1;
    char *err = NULL;
    cr_assert(dpl_endpoint_open(&e, NULL, prog, NULL, NULL, sinks, &source, &err), "%s", err ? err : "");
    cr_assert_null(sinks[DPL_OUT_ENTITIES], "a path is opened by the stream job");
    cr_assert_not_null(sinks[DPL_OUT_REJECTS]);
    cr_assert_null(sinks[DPL_OUT_SKIPPED]);
    cr_assert_null(source);
    dpl_stream_sink_discard(sinks[DPL_OUT_REJECTS]);
    cr_assert_eq(rmdir(dir), 0, "the unused sink left nothing behind");
    dpl_program_free(prog);
    dpl_diag_list_free(&diags);
    dpl_source_free(src);
}
