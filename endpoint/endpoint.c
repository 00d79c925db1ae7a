/* endpoint.c — checking and opening the locations of a run by their scheme
 * (endpoint.h). */
#include "endpoint/endpoint.h"

#include "lake/lake.h"
#include "util/util.h"

/* Parses a kafka:// or dir:// location to check it; true for a path. */
static bool check_url(const char *spec, bool input, bool *is_kafka, char **err)
{
    if (dpl_kafka_is_url(spec)) {
        DplKafkaUrl u;
        if (!dpl_kafka_url_parse(spec, input, &u, err))
            return false;
        dpl_kafka_url_free(&u);
        *is_kafka = true;
    } else if (!input && dpl_lake_is_url(spec)) {
        DplLakeUrl u;
        if (!dpl_lake_url_parse(spec, &u, err))
            return false;
        dpl_lake_url_free(&u);
    }
    return true;
}

bool dpl_endpoint_check(const DplEndpoints *e, const char **kafka_input, char **err)
{
    bool uses_kafka = false;
    *kafka_input = NULL;
    for (size_t i = 0; i < e->ninputs; i++) {
        bool kafka = false;
        if (!check_url(e->inputs[i], true, &kafka, err))
            return false;
        if (!kafka)
            continue;
        if (e->ninputs > 1) {
            *err = dpl_strdup("a Kafka input is the only input of a run (it never ends)");
            return false;
        }
        *kafka_input = e->inputs[i];
        uses_kafka = true;
    }
    for (int k = 0; k < DPL_OUT_COUNT; k++)
        if (e->outs[k] && !check_url(e->outs[k], false, &uses_kafka, err))
            return false;
    size_t nprops = e->props ? e->props->len : 0;
    if (nprops && !uses_kafka) {
        *err = dpl_strdup("-X and --kafka-config set Kafka client properties, but no input or output is Kafka");
        return false;
    }
    return !nprops || dpl_kafka_props_check(e->props, err);
}

bool dpl_endpoint_open(const DplEndpoints *e, const char *kafka_input, const DplProgram *prog,
                       DplEndpointMessageFn message, void *message_ctx, DplStreamSink *sinks[DPL_OUT_COUNT],
                       DplStreamSource **source, char **err)
{
    DplKafkaProgramInfo info;
    dpl_kafka_program_info(prog, &info);
    *source = NULL;
    bool ok = true;
    for (int k = 0; k < DPL_OUT_COUNT; k++) {
        const char *spec = e->outs[k];
        sinks[k] = NULL;
        if (!ok || !spec)
            continue;
        if (dpl_kafka_is_url(spec))
            sinks[k] = dpl_kafka_sink_new(spec, e->props, (DplStreamKind)k, &info, message, message_ctx, err);
        else if (dpl_lake_is_url(spec))
            sinks[k] = dpl_lake_sink_new(spec, (DplStreamKind)k, message, message_ctx, err);
        else
            continue;
        ok = sinks[k] != NULL;
    }
    if (ok && kafka_input) {
        *source = dpl_kafka_source_new(kafka_input, e->props, message, message_ctx, err);
        ok = *source != NULL;
    }
    if (!ok)
        for (int k = 0; k < DPL_OUT_COUNT; k++) {
            dpl_stream_sink_discard(sinks[k]);
            sinks[k] = NULL;
        }
    return ok;
}
