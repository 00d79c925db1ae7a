/* source.c — the Kafka source of `dpl run kafka://HOSTS/TOPICS?group=G`
 * (spec §15), librdkafka's at-least-once consumer:
 *
 *   - the consumer joins GROUP; enable.auto.offset.store=false, so nothing
 *     is committed that was not stored, and an offset (+1) is stored only
 *     when the run says every output of its record is durable (commit);
 *     the auto-commit timer then commits what was stored;
 *   - records are polled one at a time with rd_kafka_consumer_poll (the
 *     stream layer batches them itself): partition order is kept;
 *   - on revocation the stored offsets are committed at once, unless the
 *     assignment was lost (rd_kafka_assignment_lost: another member may
 *     own the partitions already), and records of revoked partitions still
 *     in flight are forgotten (the new owner reads them again);
 *   - a stop (SIGINT/SIGTERM) ends the input; close commits what was stored
 *     and leaves the group (rd_kafka_consumer_close).
 *
 * A record's line number is its offset; reject lines carry
 * "kafka":{"topic":T,"partition":P,"offset":O}. */
#include <errno.h>
#include <stdatomic.h>

#include "kafka/internal.h"
#include "util/util.h"

#define IDLE_POLL_MS 100

typedef struct {
    char *topic;
    int32_t partition;
    bool assigned;
    int64_t next;          /* the offset after the last one handed out; -1: none yet */
    int64_t stored;        /* the last offset stored (+1); -1: none */
} Part;

typedef struct {
    KafkaClient c; /* first: the callbacks' opaque */
    Part *parts;
    size_t nparts, capparts;
    KafkaTrack track;
    rd_kafka_message_t *cur; /* the record handed out last (its bytes are borrowed) */
    DplBuf where;
    bool idle;
    bool closed;
    rd_kafka_topic_partition_list_t *to_store;
} KafkaSource;

static int part_index(KafkaSource *k, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < k->nparts; i++)
        if (k->parts[i].partition == partition && strcmp(k->parts[i].topic, topic) == 0)
            return (int)i;
    if (k->nparts == k->capparts) {
        k->capparts = k->capparts ? 2 * k->capparts : 16;
        k->parts = dpl_realloc(k->parts, k->capparts * sizeof *k->parts);
    }
    k->parts[k->nparts] = (Part){.topic = dpl_strdup(topic), .partition = partition, .next = -1, .stored = -1};
    return (int)k->nparts++;
}

/* ---- rebalances ------------------------------------------------------------------- */

static void commit_stored(KafkaSource *k, const char *why)
{
    rd_kafka_resp_err_t err = rd_kafka_commit(k->c.rk, NULL, 0 /* sync */);
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET && kafka_err_once(&k->c.errs, err))
        kafka_say(&k->c, "kafka: %s: commit %s failed: %s", k->c.name, why, rd_kafka_err2str(err));
}

/* Adds parts to the assignment (add) or takes them away: incrementally
 * under the cooperative protocol, else the whole assignment at once. */
static void reassign(rd_kafka_t *rk, bool cooperative, rd_kafka_topic_partition_list_t *parts, bool add)
{
    if (!cooperative) {
        rd_kafka_assign(rk, add ? parts : NULL);
        return;
    }
    rd_kafka_error_t *e = add ? rd_kafka_incremental_assign(rk, parts) : rd_kafka_incremental_unassign(rk, parts);
    if (e)
        rd_kafka_error_destroy(e);
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    KafkaSource *k = opaque;
    bool cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        for (int i = 0; i < parts->cnt; i++) {
            int idx = part_index(k, parts->elems[i].topic, parts->elems[i].partition); /* may move parts */
            Part *p = &k->parts[idx];
            p->assigned = true;
            p->next = -1;
        }
        reassign(rk, cooperative, parts, true);
        return;
    }
    /* Revoked (or lost): commit what is durable while the partitions are
     * still ours; what is in flight will be read again by the new owner. */
    if (!rd_kafka_assignment_lost(rk))
        commit_stored(k, "on revocation");
    for (int i = 0; i < parts->cnt; i++) {
        int idx = part_index(k, parts->elems[i].topic, parts->elems[i].partition);
        k->parts[idx].assigned = false;
        k->parts[idx].next = -1;
        kafka_track_forget(&k->track, idx);
    }
    reassign(rk, cooperative, parts, false);
}

/* ---- the source ------------------------------------------------------------------- */

static int ksrc_read_record(DplStreamSource *s, DplStreamRecord *rec, int *err)
{
    KafkaSource *k = s->impl;
    if (k->cur) {
        rd_kafka_message_destroy(k->cur);
        k->cur = NULL;
    }
    for (;;) {
        if (dpl_stream_stop_requested())
            return 0; /* drain: the run finishes what it read, then commits */
        rd_kafka_message_t *m = rd_kafka_consumer_poll(k->c.rk, k->idle ? IDLE_POLL_MS : 0);
        if (!m) {
            k->idle = true;
            return 2; /* nothing now: the run flushes, then asks again */
        }
        if (m->err) {
            rd_kafka_resp_err_t e = m->err;
            bool fatal = e == RD_KAFKA_RESP_ERR__FATAL;
            if (e != RD_KAFKA_RESP_ERR__PARTITION_EOF && (fatal || kafka_err_once(&k->c.errs, e)))
                kafka_say(&k->c, "kafka: %s: %s%s", k->c.name, rd_kafka_message_errstr(m),
                          fatal ? "" : " (retrying)");
            rd_kafka_message_destroy(m);
            if (fatal) {
                *err = EIO;
                return -1;
            }
            continue;
        }
        if (k->c.errs.n && kafka_err_once_reset(&k->c.errs))
            kafka_say(&k->c, "kafka: %s: consuming again", k->c.name);
        k->idle = false;
        k->cur = m;
        const char *topic = rd_kafka_topic_name(m->rkt);
        int idx = part_index(k, topic, m->partition);
        k->parts[idx].next = m->offset + 1;
        dpl_buf_reset(&k->where);
        dpl_buf_printf(&k->where, "\"kafka\":{\"topic\":\"%s\",\"partition\":%d,\"offset\":%lld}", topic,
                       (int)m->partition, (long long)m->offset);
        rec->text = m->payload ? m->payload : "";
        rec->len = m->payload ? m->len : 0;
        rec->pos.line = (long)m->offset;
        rec->pos.where = k->where.data;
        rec->pos.where_len = k->where.len;
        rec->pos.key = m->key;
        rec->pos.key_len = m->key ? m->key_len : 0;
        rec->pos.ticket = kafka_track_add(&k->track, idx, m->offset);
        return 1;
    }
}

static void store_one(void *ctx, int part, int64_t offset)
{
    KafkaSource *k = ctx;
    Part *p = &k->parts[part];
    rd_kafka_topic_partition_list_add(k->to_store, p->topic, p->partition)->offset = offset + 1;
    p->stored = offset + 1;
}

static void ksrc_commit(DplStreamSource *s, const DplStreamPos *pos)
{
    KafkaSource *k = s->impl;
    k->to_store = rd_kafka_topic_partition_list_new(8);
    kafka_track_durable(&k->track, pos->ticket, store_one, k);
    if (k->to_store->cnt) {
        /* a partition revoked meanwhile is refused: it was forgotten, so
         * this cannot happen for it, and any error is harmless */
        rd_kafka_offsets_store(k->c.rk, k->to_store);
    }
    rd_kafka_topic_partition_list_destroy(k->to_store);
    k->to_store = NULL;
}

static void ksrc_close(DplStreamSource *s)
{
    KafkaSource *k = s->impl;
    if (k->cur)
        rd_kafka_message_destroy(k->cur);
    /* the final commit, then leave the group (its revocation commits too) */
    commit_stored(k, "at the end");
    rd_kafka_consumer_close(k->c.rk);
    kafka_client_free(&k->c);
    for (size_t i = 0; i < k->nparts; i++)
        dpl_free(k->parts[i].topic);
    dpl_free(k->parts);
    kafka_track_free(&k->track);
    dpl_buf_free(&k->where);
    dpl_free(k);
}

static void ksrc_stats(DplStreamSource *s, DplBuf *out)
{
    KafkaSource *k = s->impl;
    dpl_buf_puts(out, "\"kafka\":{\"partitions\":[");
    bool first = true;
    for (size_t i = 0; i < k->nparts; i++) {
        Part *p = &k->parts[i];
        if (!p->assigned)
            continue;
        int64_t lo = -1, hi = -1;
        rd_kafka_get_watermark_offsets(k->c.rk, p->topic, p->partition, &lo, &hi);
        dpl_buf_printf(out, "%s{\"topic\":\"%s\",\"partition\":%d", first ? "" : ",", p->topic, (int)p->partition);
        if (p->next >= 0)
            dpl_buf_printf(out, ",\"position\":%lld", (long long)p->next);
        if (p->stored >= 0)
            dpl_buf_printf(out, ",\"stored\":%lld", (long long)p->stored);
        if (hi >= 0)
            dpl_buf_printf(out, ",\"high\":%lld", (long long)hi);
        if (hi >= 0 && p->next >= 0)
            dpl_buf_printf(out, ",\"lag\":%lld", (long long)(hi > p->next ? hi - p->next : 0));
        dpl_buf_putc(out, '}');
        first = false;
    }
    dpl_buf_puts(out, "]}");
}

static const DplStreamSourceOps kafka_source_ops = {
    .kind = "kafka",
    .read_record = ksrc_read_record,
    .commit = ksrc_commit,
    .stats = ksrc_stats,
    .close = ksrc_close,
};

DplStreamSource *dpl_kafka_source_new(const char *spec, const DplKafkaProps *props, DplKafkaMessageFn message,
                                      void *message_ctx, char **err)
{
    DplKafkaUrl url;
    if (!dpl_kafka_url_parse(spec, true, &url, err))
        return NULL;
    static const char *const defaults[] = {"auto.offset.reset", "earliest", "allow.auto.create.topics", "false", NULL};
    static const char *const forced_fmt[] = {"enable.auto.offset.store", "false", "enable.partition.eof", "false",
                                             NULL};
    const char *forced[8];
    size_t nf = 0;
    for (size_t i = 0; forced_fmt[i]; i++)
        forced[nf++] = forced_fmt[i];
    forced[nf++] = "group.id";
    forced[nf++] = url.group;
    forced[nf] = NULL;
    rd_kafka_conf_t *conf = kafka_client_conf(url.brokers, defaults, props, forced, err);
    if (!conf) {
        dpl_kafka_url_free(&url);
        return NULL;
    }
    KafkaSource *k = dpl_calloc(1, sizeof *k);
    k->c.name = dpl_strdup(spec);
    k->c.message = message;
    k->c.message_ctx = message_ctx;
    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    /* The cluster must answer now, and every topic must exist. */
    if (!kafka_client_new(&k->c, RD_KAFKA_CONSUMER, conf, err) ||
        !kafka_client_check_topics(&k->c, url.topics, url.ntopics, url.brokers, err))
        goto fail;
    rd_kafka_poll_set_consumer(k->c.rk);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new((int)url.ntopics);
    for (size_t i = 0; i < url.ntopics; i++)
        rd_kafka_topic_partition_list_add(sub, url.topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t serr = rd_kafka_subscribe(k->c.rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (serr) {
        *err = dpl_asprintf("cannot subscribe to %s: %s", spec, rd_kafka_err2str(serr));
        goto fail;
    }
    dpl_kafka_url_free(&url);
    DplStreamSource *s = dpl_calloc(1, sizeof *s);
    s->ops = &kafka_source_ops;
    s->impl = k;
    s->name = dpl_strdup(spec);
    return s;
fail:
    dpl_kafka_url_free(&url);
    kafka_client_free(&k->c);
    dpl_free(k);
    return NULL;
}
