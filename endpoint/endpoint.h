/* endpoint.h — the locations a run's command line names (spec §15), and the
 * one place that knows their schemes:
 *
 *     PATH or -          files and the standard streams: stream/ opens them
 *     kafka://HOSTS/...  a consumer-group source or a producer sink (kafka/)
 *     dir://PATH?...     a data-lake batch sink (lake/)
 *
 * A new kind of location is one branch here plus its own module's source or
 * sink; the stream job and the dispatch never see a URL.
 *
 * Ownership: the strings of DplEndpoints are borrowed.  Error messages
 * returned through `char **err` are the caller's to dpl_free.  Sinks and the
 * source returned by dpl_endpoint_open are the caller's: hand them to a
 * stream job (which closes them), or dpl_stream_sink_discard them. */
#ifndef DPL_ENDPOINT_H
#define DPL_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "ast/ast.h"
#include "kafka/kafka.h"
#include "stream/stream.h"

typedef struct {
    const char *const *inputs; /* the run's INPUTs, as written */
    size_t ninputs;
    const char *outs[DPL_OUT_COUNT]; /* --output, --rejects, --skipped; NULL for the default */
    const DplKafkaProps *props;      /* -X and --kafka-config, in order */
} DplEndpoints;

typedef void (*DplEndpointMessageFn)(void *ctx, const char *text);

/* Checks every location before anything is opened: kafka:// and dir:// URLs
 * parse, a Kafka input is the only input of its run, and -X/--kafka-config
 * are given only when something is Kafka and name properties librdkafka
 * accepts.  True when all is well, with *kafka_input set to the Kafka input
 * URL (or NULL); false with *err: a usage error. */
bool dpl_endpoint_check(const DplEndpoints *e, const char **kafka_input, char **err);

/* Opens what the locations name beyond paths: sinks[k] for a kafka:// or
 * dir:// output (NULL for a path, `-` or the default, which the stream job
 * opens itself) and *source for kafka_input (NULL when there is none).
 * Kafka messages carry what `prog` says of itself (entity, program hash).
 * False with *err when one cannot be opened; then nothing stays open. */
bool dpl_endpoint_open(const DplEndpoints *e, const char *kafka_input, const DplProgram *prog,
                       DplEndpointMessageFn message, void *message_ctx, DplStreamSink *sinks[DPL_OUT_COUNT],
                       DplStreamSource **source, char **err);

#endif
