/* kafka_mock.c — dpl-kafka-mock: a Kafka cluster in one process, for the
 * tests and for trying `dpl run` with Kafka without installing Kafka
 * (spec §16, docs/kafka.md).
 *
 * It starts librdkafka's mock cluster (rd_kafka_mock_cluster_new) with
 * --brokers B brokers listening on 127.0.0.1, creates each --topic
 * NAME:PARTITIONS, prints the bootstrap address on the first line of stdout
 * and then serves one command per line of stdin, answering each with one
 * line that starts with "ok" or "error".  It runs until killed, or until
 * the `quit` command; the end of stdin does not stop it (so it can run in
 * the background with </dev/null).
 *
 * Commands (TOPIC, GROUP: names; FILE: a path):
 *   topic TOPIC P          create a topic with P partitions
 *   produce TOPIC FILE [keyed]
 *                          each line of FILE becomes one message, line i
 *                          (0-based) to partition i mod P; with `keyed` its
 *                          key is "k<i>".  Answers "ok N" once all are acked
 *   dump TOPIC FILE        writes every message of TOPIC, partition by
 *                          partition, as JSON lines {"partition","offset",
 *                          "key","headers","value"}; answers "ok N"
 *   watermarks TOPIC       "ok P:LOW:HIGH ..." for each partition
 *   committed GROUP TOPIC  "ok P:OFFSET ..." (-1001: nothing committed)
 *   down ID | up ID        take broker ID (1..B, or -1 for all) down or up
 *   leaves                 "ok N": members that left a group explicitly
 *                          (counted only with --watch-groups)
 *   quit                   stop
 */
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <jansson.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TOPICS 64

typedef struct {
    char *name;
    int partitions;
} Topic;

static rd_kafka_mock_cluster_t *mcluster;
static const char *bootstraps;
static Topic topics[MAX_TOPICS];
static int ntopics;
static atomic_long leaves;
static rd_kafka_t *producer;

static void die(const char *what, const char *why)
{
    fprintf(stderr, "dpl-kafka-mock: %s: %s\n", what, why);
    exit(1);
}

static void set(rd_kafka_conf_t *conf, const char *k, const char *v)
{
    char err[256];
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK)
        die(k, err);
}

/* The mock's own debug lines tell when a member leaves its group: that is
 * how a test sees that `dpl run` left the group on SIGTERM. */
static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk, (void)level, (void)fac;
    if (strstr(buf, "is leaving group"))
        atomic_fetch_add(&leaves, 1);
}

static Topic *find_topic(const char *name)
{
    for (int i = 0; i < ntopics; i++)
        if (strcmp(topics[i].name, name) == 0)
            return &topics[i];
    return NULL;
}

static const char *create_topic(const char *name, int partitions)
{
    if (partitions < 1 || partitions > 10000)
        return "partitions must be from 1 to 10000";
    if (find_topic(name))
        return "topic exists";
    if (ntopics == MAX_TOPICS)
        return "too many topics";
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster, name, partitions, 1);
    if (err)
        return rd_kafka_err2str(err);
    topics[ntopics].name = strdup(name);
    topics[ntopics].partitions = partitions;
    ntopics++;
    return NULL;
}

static void quiet_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk, (void)level, (void)fac, (void)buf;
}

static rd_kafka_conf_t *client_conf(void)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, quiet_log);
    set(conf, "bootstrap.servers", bootstraps);
    set(conf, "log_level", "3");
    return conf;
}

static atomic_long delivered, failed;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk, (void)opaque;
    if (m->err)
        atomic_fetch_add(&failed, 1);
    else
        atomic_fetch_add(&delivered, 1);
}

/* One producer for produce and for watermark queries, made once. */
static void need_producer(void)
{
    if (!producer) {
        rd_kafka_conf_t *conf = client_conf();
        set(conf, "enable.idempotence", "true");
        set(conf, "linger.ms", "5");
        rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
        char err[256];
        producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
        if (!producer)
            die("producer", err);
    }
}

static void cmd_produce(const char *topic, const char *path, bool keyed)
{
    Topic *t = find_topic(topic);
    if (!t) {
        printf("error unknown topic %s\n", topic);
        return;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("error cannot open %s: %s\n", path, strerror(errno));
        return;
    }
    need_producer();
    atomic_store(&delivered, 0);
    atomic_store(&failed, 0);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long i = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        if (n && line[n - 1] == '\n')
            n--;
        char key[32];
        int klen = snprintf(key, sizeof key, "k%ld", i);
        for (;;) {
            rd_kafka_resp_err_t err =
                rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION((int32_t)(i % t->partitions)),
                                  RD_KAFKA_V_VALUE(line, (size_t)n), RD_KAFKA_V_KEY(keyed ? key : NULL, keyed ? (size_t)klen : 0),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                rd_kafka_poll(producer, 10);
                continue;
            }
            if (err)
                die("produce", rd_kafka_err2str(err));
            break;
        }
        rd_kafka_poll(producer, 0);
        i++;
    }
    free(line);
    fclose(f);
    while (rd_kafka_flush(producer, 1000) == RD_KAFKA_RESP_ERR__TIMED_OUT)
        ;
    if (atomic_load(&failed))
        printf("error %ld messages failed\n", (long)atomic_load(&failed));
    else
        printf("ok %ld\n", (long)atomic_load(&delivered));
}

static rd_kafka_t *new_consumer(const char *group)
{
    rd_kafka_conf_t *conf = client_conf();
    set(conf, "group.id", group ? group : "dpl-kafka-mock-dump");
    set(conf, "enable.auto.commit", "false");
    set(conf, "enable.partition.eof", "true");
    char err[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk)
        die("consumer", err);
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

static void json_bytes(json_t *obj, const char *key, const void *p, size_t n)
{
    json_object_set_new(obj, key, p ? json_stringn(p, n) : json_null());
    if (p && !json_object_get(obj, key)) /* not UTF-8: keep it visible */
        json_object_set_new(obj, key, json_string("<binary>"));
}

static void cmd_dump(const char *topic, const char *path)
{
    Topic *t = find_topic(topic);
    if (!t) {
        printf("error unknown topic %s\n", topic);
        return;
    }
    FILE *out = fopen(path, "w");
    if (!out) {
        printf("error cannot open %s: %s\n", path, strerror(errno));
        return;
    }
    rd_kafka_t *rk = new_consumer(NULL);
    long total = 0;
    for (int p = 0; p < t->partitions; p++) {
        int64_t lo = 0, hi = 0;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000);
        if (err) {
            printf("error watermarks %s [%d]: %s\n", topic, p, rd_kafka_err2str(err));
            goto done;
        }
        if (hi <= lo)
            continue;
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, topic, p)->offset = lo;
        rd_kafka_assign(rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        int64_t next = lo;
        while (next < hi) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 1000);
            if (!m)
                continue;
            if (m->err) {
                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                    fprintf(stderr, "dpl-kafka-mock: dump: %s\n", rd_kafka_message_errstr(m));
                rd_kafka_message_destroy(m);
                continue;
            }
            json_t *o = json_object();
            json_object_set_new(o, "partition", json_integer(m->partition));
            json_object_set_new(o, "offset", json_integer(m->offset));
            json_bytes(o, "key", m->key, m->key_len);
            json_t *hs = json_object();
            rd_kafka_headers_t *hdrs = NULL;
            if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                const char *name;
                const void *val;
                size_t vlen;
                for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &vlen) == 0; i++)
                    json_bytes(hs, name, val, vlen);
            }
            json_object_set_new(o, "headers", hs);
            json_bytes(o, "value", m->payload, m->len);
            char *s = json_dumps(o, JSON_COMPACT);
            fprintf(out, "%s\n", s);
            free(s);
            json_decref(o);
            next = m->offset + 1;
            total++;
            rd_kafka_message_destroy(m);
        }
        rd_kafka_assign(rk, NULL);
    }
    printf("ok %ld\n", total);
done:
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    if (fclose(out) != 0)
        fprintf(stderr, "dpl-kafka-mock: cannot write %s\n", path);
}

static void cmd_watermarks(const char *topic)
{
    Topic *t = find_topic(topic);
    if (!t) {
        printf("error unknown topic %s\n", topic);
        return;
    }
    need_producer();
    printf("ok");
    for (int p = 0; p < t->partitions; p++) {
        int64_t lo = -1, hi = -1;
        rd_kafka_query_watermark_offsets(producer, topic, p, &lo, &hi, 10000);
        printf(" %d:%lld:%lld", p, (long long)lo, (long long)hi);
    }
    printf("\n");
}

static void cmd_committed(const char *group, const char *topic)
{
    Topic *t = find_topic(topic);
    if (!t) {
        printf("error unknown topic %s\n", topic);
        return;
    }
    rd_kafka_t *rk = new_consumer(group);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(t->partitions);
    for (int p = 0; p < t->partitions; p++)
        rd_kafka_topic_partition_list_add(l, topic, p);
    rd_kafka_resp_err_t err = rd_kafka_committed(rk, l, 10000);
    if (err) {
        printf("error %s\n", rd_kafka_err2str(err));
    } else {
        printf("ok");
        for (int i = 0; i < l->cnt; i++)
            printf(" %d:%lld", l->elems[i].partition, (long long)l->elems[i].offset);
        printf("\n");
    }
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(rk);
}

static void serve(char *line)
{
    char *save = NULL;
    char *cmd = strtok_r(line, " \t\r\n", &save);
    char *a = cmd ? strtok_r(NULL, " \t\r\n", &save) : NULL;
    char *b = a ? strtok_r(NULL, " \t\r\n", &save) : NULL;
    char *c = b ? strtok_r(NULL, " \t\r\n", &save) : NULL;
    if (!cmd) {
        return;
    } else if (strcmp(cmd, "quit") == 0) {
        printf("ok\n");
        fflush(stdout);
        rd_kafka_t *owner = rd_kafka_mock_cluster_handle(mcluster);
        if (producer)
            rd_kafka_destroy(producer);
        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(owner);
        exit(0);
    } else if (strcmp(cmd, "topic") == 0 && b) {
        const char *err = create_topic(a, atoi(b));
        printf(err ? "error %s\n" : "ok\n", err);
    } else if (strcmp(cmd, "produce") == 0 && b) {
        cmd_produce(a, b, c && strcmp(c, "keyed") == 0);
    } else if (strcmp(cmd, "dump") == 0 && b) {
        cmd_dump(a, b);
    } else if (strcmp(cmd, "watermarks") == 0 && a) {
        cmd_watermarks(a);
    } else if (strcmp(cmd, "committed") == 0 && b) {
        cmd_committed(a, b);
    } else if ((strcmp(cmd, "down") == 0 || strcmp(cmd, "up") == 0) && a) {
        int id = atoi(a);
        rd_kafka_resp_err_t err = strcmp(cmd, "down") == 0 ? rd_kafka_mock_broker_set_down(mcluster, id)
                                                           : rd_kafka_mock_broker_set_up(mcluster, id);
        printf(err ? "error %s\n" : "ok\n", rd_kafka_err2str(err));
    } else if (strcmp(cmd, "leaves") == 0) {
        printf("ok %ld\n", (long)atomic_load(&leaves));
    } else {
        printf("error unknown command or missing argument: %s\n", cmd);
    }
    fflush(stdout);
}

static const char usage[] =
    "usage: dpl-kafka-mock [--brokers B] [--topic NAME:PARTITIONS]... [--watch-groups]\n"
    "Starts a mock Kafka cluster on 127.0.0.1, prints its bootstrap address, then\n"
    "reads commands on stdin (topic, produce, dump, watermarks, committed, down,\n"
    "up, leaves, quit; see docs/kafka.md). Runs until killed.\n";

int main(int argc, char **argv)
{
    int brokers = 3;
    bool watch = false;
    const char *topic_args[MAX_TOPICS];
    int ntopic_args = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--brokers") == 0 && i + 1 < argc) {
            brokers = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--topic") == 0 && i + 1 < argc && ntopic_args < MAX_TOPICS) {
            topic_args[ntopic_args++] = argv[++i];
        } else if (strcmp(argv[i], "--watch-groups") == 0) {
            watch = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else {
            fprintf(stderr, "dpl-kafka-mock: unknown argument `%s`\n%s", argv[i], usage);
            return 2;
        }
    }
    if (brokers < 1 || brokers > 32) {
        fprintf(stderr, "dpl-kafka-mock: --brokers must be from 1 to 32\n");
        return 2;
    }
    /* A killed parent must not leave us writing into a closed pipe. */
    signal(SIGPIPE, SIG_IGN);

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, log_cb);
    if (watch)
        set(conf, "debug", "mock");
    else
        set(conf, "log_level", "3");
    char err[256];
    rd_kafka_t *owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!owner)
        die("cannot start", err);
    mcluster = rd_kafka_mock_cluster_new(owner, brokers);
    if (!mcluster)
        die("cannot start", "rd_kafka_mock_cluster_new failed");
    bootstraps = rd_kafka_mock_cluster_bootstraps(mcluster);
    for (int i = 0; i < ntopic_args; i++) {
        char *name = strdup(topic_args[i]);
        char *colon = strrchr(name, ':');
        int parts = colon ? atoi(colon + 1) : 1;
        if (colon)
            *colon = '\0';
        const char *e = create_topic(name, parts);
        if (e)
            die(topic_args[i], e);
        free(name);
    }
    printf("%s\n", bootstraps);
    fflush(stdout);

    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, stdin) >= 0)
        serve(line);
    free(line);
    /* stdin closed: serve the cluster until killed */
    for (;;)
        pause();
}
