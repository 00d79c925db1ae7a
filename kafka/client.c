/* client.c — librdkafka configurations from -X/--kafka-config properties,
 * and reporting each error condition once (internal.h). */
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

rd_kafka_conf_t *kafka_conf_new(const char *brokers, const DplKafkaProps *props, const char *const *forced,
                                char **err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    bool ok = conf_set(conf, "bootstrap.servers", brokers, "", err);
    /* librdkafka's own log lines would go to stderr unasked; errors reach
     * the user through the error callback, once per condition */
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

bool kafka_err_once(KafkaErrOnce *e, int code)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->codes[i] == code)
            return false;
    if (e->n < sizeof e->codes / sizeof *e->codes)
        e->codes[e->n++] = code;
    return true;
}

bool kafka_err_once_reset(KafkaErrOnce *e)
{
    bool had = e->n > 0;
    e->n = 0;
    return had;
}
