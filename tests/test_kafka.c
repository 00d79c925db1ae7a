/* test_kafka.c — Kafka URLs and client properties (-X, --kafka-config). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka/kafka.h"
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
