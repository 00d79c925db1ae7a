/* librdkafka.h — librdkafka, opened when a run first needs it (load.c).
 *
 * `dpl` is not linked with librdkafka: with its ssl, sasl, lz4 and zstd
 * libraries it was 10 of the executable's 16 shared libraries, and loading
 * them cost every `dpl` start (Kafka or not) several milliseconds
 * (bench/README.md, "Ninth pass").  The files of kafka/ include this header
 * instead of <librdkafka/rdkafka.h>: each librdkafka function they call is
 * a pointer in kafka_rdk, filled by kafka_rdk_load, and a macro of the
 * function's own name calls through it, so the calls read as librdkafka's.
 * The pointers have the types of librdkafka's own declarations
 * (__typeof__), so the compiler checks every call as before.
 *
 * Every entry point of the module that reaches librdkafka calls
 * kafka_rdk_load first (kafka_conf_new: every client starts with a
 * configuration). */
#ifndef DPL_KAFKA_LIBRDKAFKA_H
#define DPL_KAFKA_LIBRDKAFKA_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>

/* The shared library opened: the soname of the librdkafka the build's
 * headers come from (librdkafka1 in Debian 12). */
#define KAFKA_RDK_SONAME "librdkafka.so.1"

/* Every librdkafka function kafka/ calls (and test_kafka.c). */
#define KAFKA_RDK_FUNCTIONS(X)                                                                                         \
    X(rd_kafka_assign)                                                                                                 \
    X(rd_kafka_assignment_lost)                                                                                        \
    X(rd_kafka_commit)                                                                                                 \
    X(rd_kafka_conf_destroy)                                                                                           \
    X(rd_kafka_conf_get)                                                                                               \
    X(rd_kafka_conf_new)                                                                                               \
    X(rd_kafka_conf_set)                                                                                               \
    X(rd_kafka_conf_set_dr_msg_cb)                                                                                     \
    X(rd_kafka_conf_set_error_cb)                                                                                      \
    X(rd_kafka_conf_set_log_cb)                                                                                        \
    X(rd_kafka_conf_set_opaque)                                                                                        \
    X(rd_kafka_conf_set_rebalance_cb)                                                                                  \
    X(rd_kafka_consumer_close)                                                                                         \
    X(rd_kafka_consumer_poll)                                                                                          \
    X(rd_kafka_destroy)                                                                                                \
    X(rd_kafka_err2str)                                                                                                \
    X(rd_kafka_error_destroy)                                                                                          \
    X(rd_kafka_fatal_error)                                                                                            \
    X(rd_kafka_flush)                                                                                                  \
    X(rd_kafka_get_watermark_offsets)                                                                                  \
    X(rd_kafka_header_add)                                                                                             \
    X(rd_kafka_headers_destroy)                                                                                        \
    X(rd_kafka_headers_new)                                                                                            \
    X(rd_kafka_incremental_assign)                                                                                     \
    X(rd_kafka_incremental_unassign)                                                                                   \
    X(rd_kafka_message_destroy)                                                                                        \
    X(rd_kafka_message_errstr)                                                                                         \
    X(rd_kafka_metadata)                                                                                               \
    X(rd_kafka_metadata_destroy)                                                                                       \
    X(rd_kafka_new)                                                                                                    \
    X(rd_kafka_offsets_store)                                                                                          \
    X(rd_kafka_outq_len)                                                                                               \
    X(rd_kafka_poll)                                                                                                   \
    X(rd_kafka_poll_set_consumer)                                                                                      \
    X(rd_kafka_producev)                                                                                               \
    X(rd_kafka_rebalance_protocol)                                                                                     \
    X(rd_kafka_subscribe)                                                                                              \
    X(rd_kafka_topic_destroy)                                                                                          \
    X(rd_kafka_topic_name)                                                                                             \
    X(rd_kafka_topic_new)                                                                                              \
    X(rd_kafka_topic_partition_list_add)                                                                               \
    X(rd_kafka_topic_partition_list_destroy)                                                                           \
    X(rd_kafka_topic_partition_list_new)

#define KAFKA_RDK_FIELD(name) __typeof__(name) *name;
typedef struct {
    KAFKA_RDK_FUNCTIONS(KAFKA_RDK_FIELD)
} KafkaRdk;
#undef KAFKA_RDK_FIELD

/* Filled once by kafka_rdk_load; read-only afterwards. */
extern KafkaRdk kafka_rdk;

/* Opens KAFKA_RDK_SONAME and finds every function, once per process
 * (thread-safe; later calls return the first answer).  False with *err
 * (the caller's to dpl_free) saying which library or function is missing;
 * nothing of librdkafka may be called then. */
bool kafka_rdk_load(char **err);

/* From here on, each librdkafka name calls through kafka_rdk (except in
 * load.c, which names the fields themselves). */
#ifndef KAFKA_RDK_LOADER
#define rd_kafka_assign (kafka_rdk.rd_kafka_assign)
#define rd_kafka_assignment_lost (kafka_rdk.rd_kafka_assignment_lost)
#define rd_kafka_commit (kafka_rdk.rd_kafka_commit)
#define rd_kafka_conf_destroy (kafka_rdk.rd_kafka_conf_destroy)
#define rd_kafka_conf_get (kafka_rdk.rd_kafka_conf_get)
#define rd_kafka_conf_new (kafka_rdk.rd_kafka_conf_new)
#define rd_kafka_conf_set (kafka_rdk.rd_kafka_conf_set)
#define rd_kafka_conf_set_dr_msg_cb (kafka_rdk.rd_kafka_conf_set_dr_msg_cb)
#define rd_kafka_conf_set_error_cb (kafka_rdk.rd_kafka_conf_set_error_cb)
#define rd_kafka_conf_set_log_cb (kafka_rdk.rd_kafka_conf_set_log_cb)
#define rd_kafka_conf_set_opaque (kafka_rdk.rd_kafka_conf_set_opaque)
#define rd_kafka_conf_set_rebalance_cb (kafka_rdk.rd_kafka_conf_set_rebalance_cb)
#define rd_kafka_consumer_close (kafka_rdk.rd_kafka_consumer_close)
#define rd_kafka_consumer_poll (kafka_rdk.rd_kafka_consumer_poll)
#define rd_kafka_destroy (kafka_rdk.rd_kafka_destroy)
#define rd_kafka_err2str (kafka_rdk.rd_kafka_err2str)
#define rd_kafka_error_destroy (kafka_rdk.rd_kafka_error_destroy)
#define rd_kafka_fatal_error (kafka_rdk.rd_kafka_fatal_error)
#define rd_kafka_flush (kafka_rdk.rd_kafka_flush)
#define rd_kafka_get_watermark_offsets (kafka_rdk.rd_kafka_get_watermark_offsets)
#define rd_kafka_header_add (kafka_rdk.rd_kafka_header_add)
#define rd_kafka_headers_destroy (kafka_rdk.rd_kafka_headers_destroy)
#define rd_kafka_headers_new (kafka_rdk.rd_kafka_headers_new)
#define rd_kafka_incremental_assign (kafka_rdk.rd_kafka_incremental_assign)
#define rd_kafka_incremental_unassign (kafka_rdk.rd_kafka_incremental_unassign)
#define rd_kafka_message_destroy (kafka_rdk.rd_kafka_message_destroy)
#define rd_kafka_message_errstr (kafka_rdk.rd_kafka_message_errstr)
#define rd_kafka_metadata (kafka_rdk.rd_kafka_metadata)
#define rd_kafka_metadata_destroy (kafka_rdk.rd_kafka_metadata_destroy)
#define rd_kafka_new (kafka_rdk.rd_kafka_new)
#define rd_kafka_offsets_store (kafka_rdk.rd_kafka_offsets_store)
#define rd_kafka_outq_len (kafka_rdk.rd_kafka_outq_len)
#define rd_kafka_poll (kafka_rdk.rd_kafka_poll)
#define rd_kafka_poll_set_consumer (kafka_rdk.rd_kafka_poll_set_consumer)
#define rd_kafka_producev (kafka_rdk.rd_kafka_producev)
#define rd_kafka_rebalance_protocol (kafka_rdk.rd_kafka_rebalance_protocol)
#define rd_kafka_subscribe (kafka_rdk.rd_kafka_subscribe)
#define rd_kafka_topic_destroy (kafka_rdk.rd_kafka_topic_destroy)
#define rd_kafka_topic_name (kafka_rdk.rd_kafka_topic_name)
#define rd_kafka_topic_new (kafka_rdk.rd_kafka_topic_new)
#define rd_kafka_topic_partition_list_add (kafka_rdk.rd_kafka_topic_partition_list_add)
#define rd_kafka_topic_partition_list_destroy (kafka_rdk.rd_kafka_topic_partition_list_destroy)
#define rd_kafka_topic_partition_list_new (kafka_rdk.rd_kafka_topic_partition_list_new)
#endif

#endif
