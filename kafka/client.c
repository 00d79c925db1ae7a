/* client.c — librdkafka configurations from -X/--kafka-config properties,
 * reporting each error condition once, and the client part the Kafka
 * source and sink share (creation, the start check, messages, the error
 * callback; internal.h). */
#include <time.h>

#include "kafka/internal.h"
#include "util/util.h"

static bool conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, const char *origin, char **err)
{
    char why[512];
    if (rd_kafka_conf_set(conf, key, value, why, sizeof why) == RD_KAFKA_CONF_OK)
        return true;
    *err = dpl_asprintf("%s%s=%s: %s", origin, key, value, why);
    return false;
}

/* librdkafka's log lines would go to stderr unasked: its errors reach the
 * user through the clients' error callbacks, once per condition. */
static void quiet_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk, (void)level, (void)fac, (void)buf;
}

rd_kafka_conf_t *kafka_conf_new(const char *brokers, const DplKafkaProps *props, const char *const *forced,
                                char **err)
{
    if (!kafka_rdk_load(err))
        return NULL;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, quiet_log);
    bool ok = conf_set(conf, "bootstrap.servers", brokers, "", err);
    ok = ok && conf_set(conf, "log_level", "3", "", err);
    for (size_t i = 0; ok && props && i < props->len; i++)
        ok = conf_set(conf, props->items[i].key, props->items[i].value, "Kafka setting ", err);
    for (size_t i = 0; ok && forced && forced[i]; i += 2)
        ok = conf_set(conf, forced[i], forced[i + 1], "", err);
    if (!ok) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool kafka_err_once(KafkaErrOnce *e, int code)
{
    e->last_error = now_mono();
    for (size_t i = 0; i < e->n; i++)
        if (e->codes[i] == code)
            return false;
    if (e->n < sizeof e->codes / sizeof *e->codes)
        e->codes[e->n++] = code;
    return true;
}

bool kafka_err_once_reset(KafkaErrOnce *e)
{
    if (e->n == 0 || now_mono() - e->last_error < KAFKA_QUIET_SECONDS)
        return false;
    e->n = 0;
    return true;
}

bool dpl_kafka_props_check(const DplKafkaProps *props, char **err)
{
    rd_kafka_conf_t *conf = kafka_conf_new("127.0.0.1:9092", props, NULL, err);
    if (!conf)
        return false;
    rd_kafka_conf_destroy(conf);
    return true;
}

bool kafka_check_topic(rd_kafka_t *rk, const char *topic, const char *brokers, const volatile bool *all_down,
                       char **err)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t merr = RD_KAFKA_RESP_ERR__TIMED_OUT;
    const rd_kafka_metadata_t *md = NULL;
    for (int waited = 0; waited < KAFKA_CONNECT_TIMEOUT_MS; waited += 500) {
        merr = rd_kafka_metadata(rk, 0, rkt, &md, 500);
        if (merr == RD_KAFKA_RESP_ERR_NO_ERROR)
            break;
        rd_kafka_poll(rk, 0); /* serves the error callback: all brokers down? */
        if (*all_down && waited >= 2000)
            break; /* refused, or no such host: not worth the whole wait */
    }
    rd_kafka_topic_destroy(rkt);
    if (merr) {
        *err = dpl_asprintf("cannot reach the Kafka cluster at %s: %s", brokers,
                            *all_down ? "all brokers are down or refuse connections" : rd_kafka_err2str(merr));
        return false;
    }
    bool missing = md->topic_cnt < 1 || md->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    rd_kafka_metadata_destroy(md);
    if (missing) {
        *err = dpl_asprintf("Kafka topic %s does not exist at %s", topic, brokers);
        return false;
    }
    return true;
}

/* ---- what the source and the sink share ------------------------------------------- */

void kafka_say(KafkaClient *c, const char *fmt, ...)
{
    if (!c->message)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *text = dpl_vasprintf(fmt, ap);
    va_end(ap);
    c->message(c->message_ctx, text);
    dpl_free(text);
}

rd_kafka_conf_t *kafka_client_conf(const char *brokers, const char *const *defaults,
                                   const DplKafkaProps *props, const char *const *forced, char **err)
{
    DplKafkaProps all = {0};
    for (size_t i = 0; defaults[i]; i += 2) {
        char *kv = dpl_asprintf("%s=%s", defaults[i], defaults[i + 1]);
        dpl_kafka_props_add_arg(&all, kv, err);
        dpl_free(kv);
    }
    for (size_t i = 0; props && i < props->len; i++) {
        char *kv = dpl_asprintf("%s=%s", props->items[i].key, props->items[i].value);
        dpl_kafka_props_add_arg(&all, kv, err);
        dpl_free(kv);
    }
    rd_kafka_conf_t *conf = kafka_conf_new(brokers, &all, forced, err);
    dpl_kafka_props_free(&all);
    return conf;
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    KafkaClient *c = opaque;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char why[512];
        rd_kafka_fatal_error(rk, why, sizeof why);
        kafka_say(c, "kafka: %s: fatal error: %s", c->name, why);
        c->failed = true;
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        c->all_down = true;
    if (c->starting)
        return;
    if (kafka_err_once(&c->errs, err))
        kafka_say(c, "kafka: %s: %s (retrying)", c->name, reason);
}

bool kafka_client_new(KafkaClient *c, rd_kafka_type_t type, rd_kafka_conf_t *conf, char **err)
{
    rd_kafka_conf_set_error_cb(conf, error_cb);
    char why[512];
    c->rk = rd_kafka_new(type, conf, why, sizeof why);
    if (c->rk)
        return true;
    rd_kafka_conf_destroy(conf);
    *err = dpl_asprintf("cannot create a Kafka %s for %s: %s",
                        type == RD_KAFKA_CONSUMER ? "consumer" : "producer", c->name, why);
    return false;
}

bool kafka_client_check_topics(KafkaClient *c, char *const *topics, size_t ntopics, const char *brokers,
                               char **err)
{
    c->starting = true;
    for (size_t i = 0; i < ntopics; i++)
        if (!kafka_check_topic(c->rk, topics[i], brokers, &c->all_down, err))
            return false;
    c->starting = false;
    return true;
}

void kafka_client_free(KafkaClient *c)
{
    if (c->rk)
        rd_kafka_destroy(c->rk);
    c->rk = NULL;
    dpl_free(c->name);
    c->name = NULL;
}
