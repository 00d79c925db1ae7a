/* kafka.h — Kafka input and output for `dpl run` (spec §15): URLs, client
 * properties, and the Kafka source and sink.
 *
 * Ownership: DplKafkaUrl and DplKafkaProps own their strings and are freed
 * with their _free functions.  Error messages returned through `char **err`
 * are the caller's to dpl_free.
 */
#ifndef DPL_KAFKA_H
#define DPL_KAFKA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast/ast.h"
#include "stream/stream.h"

/* Messages for the user (errors, "consuming again"), as in
 * DplStreamConfig.message: no program name, no newline. */
typedef void (*DplKafkaMessageFn)(void *ctx, const char *text);

/* ---- URLs ---------------------------------------------------------------- */

typedef struct {
    char *brokers;   /* "HOST:PORT[,HOST:PORT...]", as bootstrap.servers */
    char **topics;   /* one for an output; one or more for an input */
    size_t ntopics;
    char *group;     /* input only: the consumer group */
} DplKafkaUrl;

/* True when spec starts with "kafka://". */
bool dpl_kafka_is_url(const char *spec);

/* Parses `kafka://HOST:PORT[,...]/TOPIC[,TOPIC...]?group=GROUP` (input:
 * group required, several topics allowed) or `kafka://HOST:PORT[,...]/TOPIC`
 * (output).  False with *err on anything else. */
bool dpl_kafka_url_parse(const char *spec, bool input, DplKafkaUrl *out, char **err);
void dpl_kafka_url_free(DplKafkaUrl *u);

/* ---- client properties --------------------------------------------------- */

typedef struct {
    struct {
        char *key, *value;
    } *items;
    size_t len, cap;
} DplKafkaProps;

/* Adds one `key=value` (-X); a later setting of the same key replaces an
 * earlier one.  False with *err when there is no `=` or no key. */
bool dpl_kafka_props_add_arg(DplKafkaProps *props, const char *kv, char **err);

/* Adds the `key=value` lines of a file (--kafka-config); blank lines and
 * lines starting with `#` are skipped, spaces around key and value are
 * trimmed.  False with *err ("FILE:LINE: ...") on a malformed line or when
 * the file cannot be read. */
bool dpl_kafka_props_read_file(DplKafkaProps *props, const char *path, char **err);

/* The value set for key, or NULL. */
const char *dpl_kafka_props_get(const DplKafkaProps *props, const char *key);
void dpl_kafka_props_free(DplKafkaProps *props);

/* Whether librdkafka accepts every property (name and value); false with
 * *err naming the first one it refuses. */
bool dpl_kafka_props_check(const DplKafkaProps *props, char **err);

/* ---- the source (source.c) ------------------------------------------------ */

/* A record source consuming `kafka://HOSTS/TOPICS?group=G` with the
 * at-least-once pattern (see source.c): records in partition order, each
 * record's line number is its offset, reject lines get
 * "kafka":{"topic","partition","offset"}, commit stores offset+1, close
 * commits and leaves the group.  It ends (a drain) once a stop is asked
 * (dpl_stream_stop_requested: SIGINT/SIGTERM).  NULL with *err when the URL or a property is wrong, or
 * when the cluster cannot be reached or a topic does not exist (within 10
 * seconds). */
DplStreamSource *dpl_kafka_source_new(const char *spec, const DplKafkaProps *props, DplKafkaMessageFn message,
                                      void *message_ctx, char **err);

/* ---- the sink (sink.c) ---------------------------------------------------- */

/* What Kafka output headers say about the program. */
typedef struct {
    const char *entity;    /* the entity name (borrowed), or NULL */
    size_t entity_len;
    char program_sha[DPL_SHA256_HEX_LEN]; /* SHA-256 of the program text */
} DplKafkaProgramInfo;

void dpl_kafka_program_info(const DplProgram *prog, DplKafkaProgramInfo *out);

/* A sink producing kind's lines to `kafka://HOSTS/TOPIC` (acks=all,
 * idempotent; keys and headers of spec §15); durable once acknowledged.
 * NULL with *err as for the source. */
DplStreamSink *dpl_kafka_sink_new(const char *spec, const DplKafkaProps *props, DplStreamKind kind,
                                  const DplKafkaProgramInfo *info, DplKafkaMessageFn message, void *message_ctx,
                                  char **err);

#endif
