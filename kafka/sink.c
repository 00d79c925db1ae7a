/* sink.c — the Kafka sink of `--output/--rejects/--skipped kafka://HOSTS/TOPIC`
 * (spec §15): one message per output line, acks=all and an idempotent
 * producer; delivery reports drive durability (dpl_stream_sink_durable), so
 * an input offset is committed only once the cluster acknowledged what its
 * record produced.
 *
 * Keys: an entity's id (one entity always lands in one partition, in order);
 * a reject or skipped record keeps its input record's key.  Headers:
 * dpl-entity, dpl-source (when the record has one), dpl-program (SHA-256 of
 * the program text) and, on rejects, dpl-error (the first error's code). */
#include <errno.h>
#include <jansson.h>

#include "kafka/internal.h"
#include "util/util.h"


typedef struct {
    KafkaClient c; /* first: the callbacks' opaque */
    rd_kafka_topic_t *rkt;
    char *topic;
    DplStreamKind kind;
    char *entity;
    char program_sha[DPL_SHA256_HEX_LEN];
    KafkaPending pending;
    DplStreamSink *sink;
} KafkaSink;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    KafkaSink *k = opaque;
    uint64_t id = (uint64_t)(uintptr_t)m->_private;
    if (m->err) {
        /* librdkafka retried until message.timeout.ms: this one is lost */
        if (!k->c.failed)
            kafka_say(&k->c, "kafka: delivery to %s failed: %s", k->c.name, rd_kafka_err2str(m->err));
        k->c.failed = true;
        kafka_pending_done(&k->pending, id, false);
        return;
    }
    if (kafka_err_once_reset(&k->c.errs))
        kafka_say(&k->c, "kafka: %s: delivering again", k->c.name);
    kafka_pending_done(&k->pending, id, true);
}

/* The durable frontier after serving delivery reports. */
static void update_durable(DplStreamSink *s)
{
    KafkaSink *k = s->impl;
    rd_kafka_poll(k->c.rk, 0);
    if (!k->c.failed)
        dpl_stream_sink_durable(s, kafka_pending_frontier(&k->pending, s->given_seq));
}

/* ---- reading what the line says ------------------------------------------------ */

/* The JSON string starting at p (at its opening quote, before end): its
 * content decoded into out; false when there is none. */
static bool json_string_at(const char *p, const char *end, DplBuf *out)
{
    if (p >= end || *p != '"')
        return false;
    const char *q = p + 1;
    bool escaped = false;
    while (q < end && *q != '"') {
        if (*q == '\\') {
            escaped = true;
            q++;
        }
        q++;
    }
    if (q >= end)
        return false;
    dpl_buf_reset(out);
    if (!escaped) {
        dpl_buf_append(out, p + 1, (size_t)(q - p - 1));
        return true;
    }
    json_t *v = json_loadb(p, (size_t)(q - p + 1), JSON_DECODE_ANY, NULL);
    bool ok = v && json_is_string(v);
    if (ok)
        dpl_buf_append(out, json_string_value(v), json_string_length(v));
    json_decref(v);
    return ok;
}

static const char *find(const char *p, const char *end, const char *what)
{
    size_t n = strlen(what);
    for (; p + n <= end; p++) {
        p = memchr(p, what[0], (size_t)(end - p));
        if (!p || p + n > end)
            return NULL;
        if (memcmp(p, what, n) == 0)
            return p;
    }
    return NULL;
}

/* An entity line: {"entity":"N","id":"<hex>","source":S,...}.  Inside a
 * JSON string every quote is escaped, so the first `","id":"` is the
 * member's. */
static bool entity_fields(const char *line, size_t len, const char **id, size_t *idlen, DplBuf *source)
{
    const char *end = line + len;
    const char *p = find(line, end, "\",\"id\":\"");
    if (!p)
        return false;
    *id = p + 8;
    const char *q = memchr(*id, '"', (size_t)(end - *id));
    if (!q)
        return false;
    *idlen = (size_t)(q - *id);
    if ((size_t)(end - q) > 11 && memcmp(q, "\",\"source\":", 11) == 0)
        return json_string_at(q + 11, end, source);
    return false;
}

/* A reject line's top-level "source" comes before its "errors". */
static bool reject_source(const char *line, size_t len, DplBuf *source)
{
    const char *end = line + len;
    const char *errors = find(line, end, ",\"errors\":");
    const char *p = find(line, errors ? errors : end, ",\"source\":");
    return p && json_string_at(p + 10, end, source);
}

/* A skipped line is the input record: metadata.source, when it is a string. */
static bool skipped_source(const char *line, size_t len, DplBuf *source)
{
    json_t *v = json_loadb(line, len, 0, NULL);
    json_t *s = json_object_get(json_object_get(v, "metadata"), "source");
    bool ok = json_is_string(s);
    if (ok) {
        dpl_buf_reset(source);
        dpl_buf_append(source, json_string_value(s), json_string_length(s));
    }
    json_decref(v);
    return ok;
}

/* ---- the sink ----------------------------------------------------------------- */

static int produce(KafkaSink *k, const DplStreamBatch *b, const DplStreamRec *r, DplBuf *source)
{
    const char *line = b->bytes + r->off;
    const void *key = r->pos.key;
    size_t keylen = r->pos.key ? r->pos.key_len : 0;
    bool has_source = false;
    const char *error = NULL;
    if (k->kind == DPL_OUT_ENTITIES) {
        const char *id = NULL;
        size_t idlen = 0;
        has_source = entity_fields(line, r->len, &id, &idlen, source);
        if (id && idlen) {
            key = id;
            keylen = idlen;
        }
    } else if (k->kind == DPL_OUT_REJECTS) {
        has_source = reject_source(line, r->len, source);
        if (r->code >= 0 && r->code < DPL_RT_COUNT)
            error = dpl_rt_code_name((DplRtCode)r->code);
    } else {
        has_source = skipped_source(line, r->len, source);
    }
    rd_kafka_headers_t *h = rd_kafka_headers_new(4);
    rd_kafka_header_add(h, "dpl-entity", -1, k->entity, -1);
    if (has_source)
        rd_kafka_header_add(h, "dpl-source", -1, source->data ? source->data : "", (ssize_t)source->len);
    rd_kafka_header_add(h, "dpl-program", -1, k->program_sha, DPL_SHA256_HEX_LEN);
    if (error)
        rd_kafka_header_add(h, "dpl-error", -1, error, -1);
    uint64_t id = kafka_pending_add(&k->pending, r->seq);
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            k->c.rk, RD_KAFKA_V_RKT(k->rkt), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE((void *)line, r->len),
            RD_KAFKA_V_KEY(key, keylen), RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE((void *)(uintptr_t)id),
            RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            return 0; /* the message owns h now */
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && !k->c.failed) {
            rd_kafka_poll(k->c.rk, 100); /* the cluster is slower than we are: wait for acks */
            continue;
        }
        rd_kafka_headers_destroy(h);
        kafka_pending_done(&k->pending, id, false);
        if (!k->c.failed)
            kafka_say(&k->c, "kafka: cannot produce to %s: %s", k->c.name, rd_kafka_err2str(err));
        k->c.failed = true;
        return EIO;
    }
}

static int ksink_write(DplStreamSink *s, const DplStreamBatch *b)
{
    KafkaSink *k = s->impl;
    if (k->c.failed)
        return EIO;
    DplBuf source = {0};
    int err = 0;
    for (size_t i = 0; i < b->nrecs && !err; i++) {
        err = produce(k, b, &b->recs[i], &source);
        if ((i & 1023) == 1023)
            rd_kafka_poll(k->c.rk, 0);
    }
    dpl_buf_free(&source);
    if (err)
        return err;
    update_durable(s);
    return k->c.failed ? EIO : 0;
}

static int ksink_flush(DplStreamSink *s)
{
    KafkaSink *k = s->impl;
    update_durable(s);
    return k->c.failed ? EIO : 0;
}

static int ksink_sync(DplStreamSink *s)
{
    KafkaSink *k = s->impl;
    /* librdkafka retries until message.timeout.ms; a message that still
     * fails then comes back as a failed delivery report */
    while (!k->c.failed && rd_kafka_outq_len(k->c.rk) > 0)
        rd_kafka_flush(k->c.rk, 500);
    update_durable(s);
    return k->c.failed ? EIO : 0;
}

static int ksink_close(DplStreamSink *s)
{
    KafkaSink *k = s->impl;
    int err = ksink_sync(s);
    rd_kafka_topic_destroy(k->rkt);
    kafka_client_free(&k->c);
    kafka_pending_free(&k->pending);
    dpl_free(k->topic);
    dpl_free(k->entity);
    dpl_free(k);
    s->impl = NULL;
    return err;
}

static const DplStreamSinkOps kafka_sink_ops = {
    .kind = "kafka",
    .wants_recs = true,
    .write = ksink_write,
    .flush = ksink_flush,
    .poll = ksink_flush,
    .sync = ksink_sync,
    .close = ksink_close,
};

void dpl_kafka_program_info(const DplProgram *prog, DplKafkaProgramInfo *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < prog->nstmts; i++)
        if (prog->stmts[i].kind == DPL_STMT_ENTITY) {
            out->entity = prog->stmts[i].u.entity.name;
            out->entity_len = prog->stmts[i].u.entity.name_len;
            break;
        }
    dpl_sha256_hex(prog->src->text, prog->src->len, out->program_sha);
}

DplStreamSink *dpl_kafka_sink_new(const char *spec, const DplKafkaProps *props, DplStreamKind kind,
                                  const DplKafkaProgramInfo *info, DplKafkaMessageFn message, void *message_ctx,
                                  char **err)
{
    DplKafkaUrl url;
    if (!dpl_kafka_url_parse(spec, false, &url, err))
        return NULL;
    /* Defaults a user may change come first, the at-least-once contract
     * last: -X cannot turn it off. */
    static const char *const defaults[] = {"partitioner", "murmur2_random", /* as Java clients: same key, same partition */
                                           "linger.ms", "20", "allow.auto.create.topics", "false", NULL};
    static const char *const forced[] = {"acks", "all", "enable.idempotence", "true", NULL};
    rd_kafka_conf_t *conf = kafka_client_conf(url.brokers, defaults, props, forced, err);
    if (!conf) {
        dpl_kafka_url_free(&url);
        return NULL;
    }
    KafkaSink *k = dpl_calloc(1, sizeof *k);
    k->kind = kind;
    k->c.name = dpl_strdup(spec);
    k->topic = dpl_strdup(url.topics[0]);
    k->entity = dpl_strndup(info->entity ? info->entity : "", info->entity ? info->entity_len : 0);
    memcpy(k->program_sha, info->program_sha, sizeof k->program_sha);
    k->c.message = message;
    k->c.message_ctx = message_ctx;
    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    if (!kafka_client_new(&k->c, RD_KAFKA_PRODUCER, conf, err))
        goto fail;
    k->rkt = rd_kafka_topic_new(k->c.rk, k->topic, NULL);
    /* The cluster must answer now: later outages are retried, but a cluster
     * that cannot be reached at all at start is an error (exit 1). */
    if (!kafka_client_check_topics(&k->c, &k->topic, 1, url.brokers, err))
        goto fail;
    dpl_kafka_url_free(&url);
    DplStreamSink *s = dpl_calloc(1, sizeof *s);
    s->ops = &kafka_sink_ops;
    s->impl = k;
    s->name = dpl_strdup(spec);
    k->sink = s;
    return s;
fail:
    dpl_kafka_url_free(&url);
    if (k->rkt)
        rd_kafka_topic_destroy(k->rkt);
    kafka_client_free(&k->c);
    dpl_free(k->topic);
    dpl_free(k->entity);
    dpl_free(k);
    return NULL;
}
