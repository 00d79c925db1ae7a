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

#endif
