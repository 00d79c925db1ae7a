/* internal.h — what the files of kafka/ share: the bookkeeping that turns
 * "durable through input record N" into offsets to store (source side) and
 * delivery reports into "durable through input record N" (sink side), the
 * librdkafka configuration helpers, and the client part (KafkaClient) the
 * source and the sink both embed. */
#ifndef DPL_KAFKA_INTERNAL_H
#define DPL_KAFKA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafka/kafka.h"
#include "kafka/librdkafka.h"

/* ---- track.c: which offsets a durable ticket covers ---------------------- */

/* Every record the consumer hands out gets a ticket (1, 2, 3, ...).  The
 * tracker remembers (ticket, partition, offset) compactly: consecutive
 * tickets of one partition with consecutive offsets are one run, so memory
 * follows the number of partition switches, not of records. */
typedef struct {
    int part;            /* the source's partition index */
    uint64_t ticket0;    /* ticket of the run's first record */
    int64_t offset0;     /* its offset */
    uint64_t n;          /* records in the run */
} KafkaTrackRun;

typedef struct {
    KafkaTrackRun *runs;
    size_t head, len, cap; /* runs[head .. head+len) in ticket order */
    uint64_t next_ticket;  /* the ticket the next record gets (starts at 1) */
} KafkaTrack;

/* The ticket of a record just handed out. */
uint64_t kafka_track_add(KafkaTrack *t, int part, int64_t offset);
/* Every record up to and including ticket is durable: calls store(ctx,
 * part, offset) with the highest such offset of each partition concerned
 * (in the order the partitions' last records came) and forgets them. */
void kafka_track_durable(KafkaTrack *t, uint64_t ticket, void (*store)(void *ctx, int part, int64_t offset), void *ctx);
/* Forgets every record of a partition (revoked: no offset of it is stored
 * any more by this member). */
void kafka_track_forget(KafkaTrack *t, int part);
/* Records handed out and not yet durable. */
uint64_t kafka_track_pending(const KafkaTrack *t);
void kafka_track_free(KafkaTrack *t);

/* ---- pending.c: delivery reports to durability --------------------------- */

/* Messages produced and not yet acknowledged, in the order produced, each
 * with the input record sequence number it belongs to. */
typedef struct {
    uint64_t *seq;
    bool *done;
    size_t head, len, cap;
    uint64_t base_id;      /* id of seq[head] */
    uint64_t failed;       /* messages whose delivery failed for good */
} KafkaPending;

/* A message produced for input record seq: its id (the delivery report's
 * opaque). */
uint64_t kafka_pending_add(KafkaPending *p, uint64_t seq);
/* The delivery report for id (ok: acknowledged). */
void kafka_pending_done(KafkaPending *p, uint64_t id, bool ok);
/* The highest input record sequence number through which everything is
 * acknowledged, given that the sink was handed records through `given`:
 * `given` when nothing is pending, else one less than the oldest pending
 * message's record.  A failed message is never passed. */
uint64_t kafka_pending_frontier(const KafkaPending *p, uint64_t given);
size_t kafka_pending_count(const KafkaPending *p);
void kafka_pending_free(KafkaPending *p);

/* ---- client.c: librdkafka configuration and errors ------------------------- */

/* A client configuration: bootstrap.servers = brokers, then the user's
 * properties, then `forced` (pairs, NULL-terminated: settings the
 * at-least-once contract depends on).  NULL with *err when librdkafka
 * rejects a property (unknown name or bad value), naming it, or when
 * librdkafka cannot be loaded (kafka_rdk_load). */
rd_kafka_conf_t *kafka_conf_new(const char *brokers, const DplKafkaProps *props, const char *const *forced,
                                char **err);

/* Each Kafka error condition (an error code) is reported once; again only
 * after the client worked for KAFKA_QUIET_SECONDS without any error
 * (kafka_err_once_reset), so an outage of one broker while the others
 * work is one message, not one per retry. */
#define KAFKA_QUIET_SECONDS 10.0
typedef struct {
    int codes[32];
    size_t n;
    double last_error; /* CLOCK_MONOTONIC seconds */
} KafkaErrOnce;
/* Whether code should be reported now (and remembers it). */
bool kafka_err_once(KafkaErrOnce *e, int code);
/* The client just worked; returns true (once) when errors had been
 * reported and none came for KAFKA_QUIET_SECONDS, so "working again" can be
 * said and the conditions reported anew. */
bool kafka_err_once_reset(KafkaErrOnce *e);

/* ---- client.c: what the source and the sink share ------------------------- */

/* The part of the Kafka source and the Kafka sink that is the same: the
 * librdkafka handle, the URL for messages, errors reported once, and the
 * state the shared error callback keeps.  It is the first member of both
 * (the callbacks' opaque points at it).  Owns rk and name. */
typedef struct {
    rd_kafka_t *rk;
    char *name; /* the URL, for messages */
    KafkaErrOnce errs;
    bool failed;   /* a fatal error (the sink: or a delivery failed for good) */
    bool starting; /* the start check: errors are its answer, not messages */
    volatile bool all_down;
    DplKafkaMessageFn message;
    void *message_ctx;
} KafkaClient;

/* Hands a formatted message to the client's message callback, if any. */
void kafka_say(KafkaClient *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A client configuration as kafka_conf_new's, with `defaults` (pairs,
 * NULL-terminated: settings a user may change) before the user's props. */
rd_kafka_conf_t *kafka_client_conf(const char *brokers, const char *const *defaults,
                                   const DplKafkaProps *props, const char *const *forced, char **err);

/* Creates c->rk of type from conf (taken, also on failure) with the shared
 * error callback; conf's opaque must already be the source or sink whose
 * first member c is.  False with *err ("cannot create a Kafka consumer
 * for SPEC: ...") when librdkafka refuses. */
bool kafka_client_new(KafkaClient *c, rd_kafka_type_t type, rd_kafka_conf_t *conf, char **err);

/* kafka_check_topic for each topic while c->starting (errors then are
 * the answer, not messages). */
bool kafka_client_check_topics(KafkaClient *c, char *const *topics, size_t ntopics, const char *brokers,
                               char **err);

/* Destroys c->rk (if any) and frees c->name. */
void kafka_client_free(KafkaClient *c);

/* How long a client waits for the cluster when it starts (unreachable:
 * exit 1). */
#define KAFKA_CONNECT_TIMEOUT_MS 10000

/* Whether the cluster answers a metadata request about topic within
 * KAFKA_CONNECT_TIMEOUT_MS (sooner a no when *all_down, set by the
 * client's error callback, stays true for 2 s), and the topic exists.
 * False with *err saying which. */
bool kafka_check_topic(rd_kafka_t *rk, const char *topic, const char *brokers, const volatile bool *all_down,
                       char **err);

#endif
