/* test_kafka.c — Kafka URLs and client properties (-X, --kafka-config). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka/internal.h"
#include "util/util.h"

static void setup(void) { dpl_util_init(); }

TestSuite(kafka, .init = setup);

Test(kafka, input_url_with_several_brokers_and_topics)
{
    DplKafkaUrl u;
    char *err = NULL;
    cr_assert(dpl_kafka_url_parse("kafka://b1:9092,b2:9092/fipe,fipe.v2?group=dpl-fipe", true, &u, &err), "%s",
              err ? err : "");
    cr_assert_str_eq(u.brokers, "b1:9092,b2:9092");
    cr_assert_eq(u.ntopics, 2);
    cr_assert_str_eq(u.topics[0], "fipe");
    cr_assert_str_eq(u.topics[1], "fipe.v2");
    cr_assert_str_eq(u.group, "dpl-fipe");
    dpl_kafka_url_free(&u);
}

Test(kafka, output_url)
{
    DplKafkaUrl u;
    char *err = NULL;
    cr_assert(dpl_kafka_url_parse("kafka://127.0.0.1:9092/entities", false, &u, &err));
    cr_assert_str_eq(u.brokers, "127.0.0.1:9092");
    cr_assert_eq(u.ntopics, 1);
    cr_assert_str_eq(u.topics[0], "entities");
    cr_assert_null(u.group);
    dpl_kafka_url_free(&u);
}

static void expect_error(const char *spec, bool input, const char *fragment)
{
    DplKafkaUrl u;
    char *err = NULL;
    cr_assert(!dpl_kafka_url_parse(spec, input, &u, &err), "%s parsed", spec);
    cr_assert(strstr(err, fragment), "error for %s: %s (wanted %s)", spec, err, fragment);
    cr_assert_null(u.brokers);
    dpl_free(err);
}

Test(kafka, url_errors_say_what_is_wrong)
{
    expect_error("kafka://b:9092/t", true, "needs a consumer group: kafka://b:9092/t?group=GROUP");
    expect_error("kafka://b:9092", true, "needs brokers and a topic");
    expect_error("kafka:///t?group=g", true, "needs brokers and a topic");
    expect_error("kafka://b:9092/a,?group=g", true, "`` is not a topic name");
    expect_error("kafka://b:9092/a b?group=g", true, "`a b` is not a topic name");
    expect_error("kafka://b:9092/a?group=g&acks=1", true, "unknown parameter `acks=1`");
    expect_error("kafka://b:9092/a,b", false, "one topic");
    expect_error("kafka://b:9092/a?group=g", false, "an output takes none");
    expect_error("dir://x", true, "not a kafka:// URL");
    cr_assert(dpl_kafka_is_url("kafka://x/y"));
    cr_assert(!dpl_kafka_is_url("kafka:/x"));
}

Test(kafka, properties_from_arguments_last_one_wins)
{
    DplKafkaProps p = {0};
    char *err = NULL;
    cr_assert(dpl_kafka_props_add_arg(&p, "security.protocol=SASL_SSL", &err));
    cr_assert(dpl_kafka_props_add_arg(&p, "session.timeout.ms = 6000", &err));
    cr_assert(dpl_kafka_props_add_arg(&p, "session.timeout.ms=7000", &err));
    cr_assert(dpl_kafka_props_add_arg(&p, "sasl.password=a=b", &err), "only the first = splits");
    cr_assert_eq(p.len, 3);
    cr_assert_str_eq(dpl_kafka_props_get(&p, "session.timeout.ms"), "7000");
    cr_assert_str_eq(dpl_kafka_props_get(&p, "sasl.password"), "a=b");
    cr_assert_null(dpl_kafka_props_get(&p, "acks"));
    cr_assert(!dpl_kafka_props_add_arg(&p, "acks", &err));
    cr_assert(strstr(err, "`acks` is not key=value"), "%s", err);
    dpl_free(err);
    cr_assert(!dpl_kafka_props_add_arg(&p, "=1", &err));
    cr_assert(strstr(err, "no key"), "%s", err);
    dpl_free(err);
    dpl_kafka_props_free(&p);
}

Test(kafka, properties_file_with_comments_and_line_numbers)
{
    char path[] = "/tmp/dpl-kafka-conf-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# client settings\n\n  security.protocol = SSL\r\nclient.id=dpl\n", f);
    fclose(f);
    DplKafkaProps p = {0};
    char *err = NULL;
    cr_assert(dpl_kafka_props_read_file(&p, path, &err), "%s", err ? err : "");
    cr_assert_eq(p.len, 2);
    cr_assert_str_eq(dpl_kafka_props_get(&p, "security.protocol"), "SSL");
    cr_assert_str_eq(dpl_kafka_props_get(&p, "client.id"), "dpl");

    f = fopen(path, "w");
    fputs("a=1\n\nnot a setting\n", f);
    fclose(f);
    cr_assert(!dpl_kafka_props_read_file(&p, path, &err));
    char *want = dpl_asprintf("%s:3: `not a setting` is not key=value", path);
    cr_assert_str_eq(err, want);
    dpl_free(want);
    dpl_free(err);
    unlink(path);
    cr_assert(!dpl_kafka_props_read_file(&p, path, &err));
    cr_assert(strstr(err, "cannot open"), "%s", err);
    dpl_free(err);
    dpl_kafka_props_free(&p);
}

/* ---- offsets to store, from durable tickets (kafka/track.c) ------------- */

typedef struct {
    int part[16];
    int64_t off[16];
    int n;
} Stores;

static void record_store(void *ctx, int part, int64_t offset)
{
    Stores *s = ctx;
    s->part[s->n] = part;
    s->off[s->n] = offset;
    s->n++;
}

Test(kafka, durable_tickets_store_the_last_offset_of_each_partition)
{
    KafkaTrack t = {0};
    /* p0: 10 11 12, p1: 5 6, p0: 13, p1: 9 (a gap: compacted) */
    uint64_t tk[7];
    tk[0] = kafka_track_add(&t, 0, 10);
    tk[1] = kafka_track_add(&t, 0, 11);
    tk[2] = kafka_track_add(&t, 0, 12);
    tk[3] = kafka_track_add(&t, 1, 5);
    tk[4] = kafka_track_add(&t, 1, 6);
    tk[5] = kafka_track_add(&t, 0, 13);
    tk[6] = kafka_track_add(&t, 1, 9);
    cr_assert_eq(tk[0], 1);
    cr_assert_eq(tk[6], 7);
    cr_assert_eq(t.len, 4, "runs: p0 10-12, p1 5-6, p0 13, p1 9");
    cr_assert_eq(kafka_track_pending(&t), 7);

    Stores s = {0};
    kafka_track_durable(&t, tk[1], record_store, &s); /* through p0 11: part of a run */
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.part[0], 0);
    cr_assert_eq(s.off[0], 11);
    cr_assert_eq(kafka_track_pending(&t), 5);

    s.n = 0;
    kafka_track_durable(&t, tk[5], record_store, &s); /* p0 12, p1 5-6, p0 13 */
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.part[0], 0);
    cr_assert_eq(s.off[0], 13, "the later run of p0 wins");
    cr_assert_eq(s.part[1], 1);
    cr_assert_eq(s.off[1], 6);

    s.n = 0;
    kafka_track_durable(&t, tk[5], record_store, &s);
    cr_assert_eq(s.n, 0, "nothing new");
    kafka_track_durable(&t, 100, record_store, &s);
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.off[0], 9);
    cr_assert_eq(kafka_track_pending(&t), 0);
    kafka_track_free(&t);
}

Test(kafka, a_revoked_partition_is_never_stored)
{
    KafkaTrack t = {0};
    kafka_track_add(&t, 0, 1);
    kafka_track_add(&t, 1, 1);
    uint64_t last = kafka_track_add(&t, 0, 2);
    kafka_track_forget(&t, 0);
    cr_assert_eq(kafka_track_pending(&t), 1);
    Stores s = {0};
    kafka_track_durable(&t, last, record_store, &s);
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.part[0], 1);
    kafka_track_free(&t);
}

Test(kafka, many_records_of_one_partition_take_one_run)
{
    KafkaTrack t = {0};
    for (int64_t o = 0; o < 100000; o++)
        kafka_track_add(&t, 3, o);
    cr_assert_eq(t.len, 1);
    Stores s = {0};
    kafka_track_durable(&t, 50000, record_store, &s);
    cr_assert_eq(s.off[0], 49999);
    kafka_track_free(&t);
}

/* ---- delivery reports to durability (kafka/pending.c) --------------------- */

Test(kafka, the_frontier_waits_for_the_oldest_unacknowledged_message)
{
    KafkaPending p = {0};
    cr_assert_eq(kafka_pending_frontier(&p, 7), 7, "nothing pending: all given is durable");
    uint64_t a = kafka_pending_add(&p, 10);
    uint64_t b = kafka_pending_add(&p, 11);
    uint64_t c = kafka_pending_add(&p, 14);
    cr_assert_eq(kafka_pending_frontier(&p, 14), 9);
    kafka_pending_done(&p, b, true); /* out of order: another partition */
    cr_assert_eq(kafka_pending_frontier(&p, 14), 9);
    kafka_pending_done(&p, a, true);
    cr_assert_eq(kafka_pending_frontier(&p, 14), 13, "records 12 and 13 produced nothing here");
    kafka_pending_done(&p, c, false);
    cr_assert_eq(kafka_pending_frontier(&p, 20), 13, "a failed delivery is never passed");
    cr_assert_eq(p.failed, 1);
    kafka_pending_free(&p);
}

Test(kafka, pending_messages_in_bulk)
{
    KafkaPending p = {0};
    uint64_t ids[5000];
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 5000; i++)
            ids[i] = kafka_pending_add(&p, (uint64_t)(round * 5000 + i + 1));
        for (int i = 4999; i >= 0; i--)
            kafka_pending_done(&p, ids[i], true);
        cr_assert_eq(kafka_pending_count(&p), 0);
        cr_assert_eq(kafka_pending_frontier(&p, (uint64_t)(round + 1) * 5000), (uint64_t)(round + 1) * 5000);
    }
    kafka_pending_free(&p);
}

/* ---- client configuration ------------------------------------------------ */

Test(kafka, a_bad_property_is_named)
{
    DplKafkaProps p = {0};
    char *err = NULL;
    cr_assert(dpl_kafka_props_add_arg(&p, "no.such.property=1", &err));
    cr_assert_null(kafka_conf_new("127.0.0.1:9092", &p, NULL, &err));
    cr_assert(strstr(err, "no.such.property=1"), "%s", err);
    dpl_free(err);
    dpl_kafka_props_free(&p);
    cr_assert(dpl_kafka_props_add_arg(&p, "session.timeout.ms=6000", &err));
    static const char *const forced[] = {"enable.auto.offset.store", "false", NULL};
    rd_kafka_conf_t *conf = kafka_conf_new("127.0.0.1:9092", &p, forced, &err);
    cr_assert_not_null(conf);
    char v[64];
    size_t vlen = sizeof v;
    cr_assert_eq(rd_kafka_conf_get(conf, "session.timeout.ms", v, &vlen), RD_KAFKA_CONF_OK);
    cr_assert_str_eq(v, "6000");
    vlen = sizeof v;
    cr_assert_eq(rd_kafka_conf_get(conf, "enable.auto.offset.store", v, &vlen), RD_KAFKA_CONF_OK);
    cr_assert_str_eq(v, "false");
    rd_kafka_conf_destroy(conf);
    dpl_kafka_props_free(&p);
}

Test(kafka, each_error_condition_is_reported_once)
{
    KafkaErrOnce e = {0};
    cr_assert(!kafka_err_once_reset(&e), "nothing reported: nothing to say");
    cr_assert(kafka_err_once(&e, -195));
    cr_assert(!kafka_err_once(&e, -195));
    cr_assert(kafka_err_once(&e, -187));
    cr_assert(!kafka_err_once_reset(&e), "another broker worked, but the error is recent");
    cr_assert(!kafka_err_once(&e, -195), "so the same condition is still not repeated");
    e.last_error -= KAFKA_QUIET_SECONDS + 1; /* as if quiet for long enough */
    cr_assert(kafka_err_once_reset(&e));
    cr_assert(!kafka_err_once_reset(&e));
    cr_assert(kafka_err_once(&e, -195), "again after the client worked in between");
}
