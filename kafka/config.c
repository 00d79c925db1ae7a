/* config.c — Kafka URLs (`kafka://HOSTS/TOPICS?group=G`) and client
 * properties (`-X key=value`, `--kafka-config FILE`), spec §15. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "kafka/kafka.h"
#include "util/util.h"

#define SCHEME "kafka://"

bool dpl_kafka_is_url(const char *spec) { return strncmp(spec, SCHEME, strlen(SCHEME)) == 0; }

static bool fail(DplKafkaUrl *out, char **err, char *msg)
{
    *err = msg;
    dpl_kafka_url_free(out);
    return false;
}

/* A topic name as Kafka allows it: 1..249 of [A-Za-z0-9._-]. */
static bool valid_topic(const char *s, size_t n)
{
    if (n == 0 || n > 249)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

bool dpl_kafka_url_parse(const char *spec, bool input, DplKafkaUrl *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (!dpl_kafka_is_url(spec))
        return fail(out, err, dpl_asprintf("`%s` is not a kafka:// URL", spec));
    const char *hosts = spec + strlen(SCHEME);
    const char *slash = strchr(hosts, '/');
    if (!slash || slash == hosts)
        return fail(out, err,
                    dpl_asprintf("`%s` needs brokers and a topic: kafka://HOST:PORT[,HOST:PORT...]/TOPIC%s", spec,
                                 input ? "[,TOPIC...]?group=GROUP" : ""));
    out->brokers = dpl_strndup(hosts, (size_t)(slash - hosts));
    const char *topics = slash + 1;
    const char *q = strchr(topics, '?');
    size_t tlen = q ? (size_t)(q - topics) : strlen(topics);
    const char *t = topics;
    const char *tend = topics + tlen;
    while (t <= tend) {
        const char *comma = memchr(t, ',', (size_t)(tend - t));
        size_t n = comma ? (size_t)(comma - t) : (size_t)(tend - t);
        if (!valid_topic(t, n))
            return fail(out, err,
                        dpl_asprintf("`%s`: `%.*s` is not a topic name (1 to 249 of letters, digits, `.`, `_`, `-`)",
                                     spec, (int)n, t));
        out->topics = dpl_realloc(out->topics, (out->ntopics + 1) * sizeof *out->topics);
        out->topics[out->ntopics++] = dpl_strndup(t, n);
        if (!comma)
            break;
        t = comma + 1;
    }
    if (!input && out->ntopics != 1)
        return fail(out, err, dpl_asprintf("`%s`: an output goes to one topic", spec));
    const char *p = q ? q + 1 : NULL;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        if (input && n > 6 && strncmp(p, "group=", 6) == 0) {
            dpl_free(out->group);
            out->group = dpl_strndup(p + 6, n - 6);
        } else {
            return fail(out, err,
                        dpl_asprintf("`%s`: unknown parameter `%.*s` (%s)", spec, (int)n, p,
                                     input ? "an input takes group=GROUP; client settings go in -X key=value"
                                           : "an output takes none; client settings go in -X key=value"));
        }
        p = amp ? amp + 1 : NULL;
    }
    if (input && !out->group)
        return fail(out, err,
                    dpl_asprintf("`%s` needs a consumer group: kafka://%s/%.*s?group=GROUP", spec, out->brokers,
                                 (int)tlen, topics));
    return true;
}

void dpl_kafka_url_free(DplKafkaUrl *u)
{
    dpl_free(u->brokers);
    for (size_t i = 0; i < u->ntopics; i++)
        dpl_free(u->topics[i]);
    dpl_free(u->topics);
    dpl_free(u->group);
    memset(u, 0, sizeof *u);
}

/* ---- properties ------------------------------------------------------------ */

static char *trim(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return dpl_strndup(s, n);
}

static void props_set(DplKafkaProps *props, char *key, char *value)
{
    /* the last setting of a key wins, as with repeated -X */
    for (size_t i = 0; i < props->len; i++)
        if (strcmp(props->items[i].key, key) == 0) {
            dpl_free(key);
            dpl_free(props->items[i].value);
            props->items[i].value = value;
            return;
        }
    if (props->len == props->cap) {
        props->cap = props->cap ? props->cap * 2 : 8;
        props->items = dpl_realloc(props->items, props->cap * sizeof *props->items);
    }
    props->items[props->len].key = key;
    props->items[props->len].value = value;
    props->len++;
}

/* One key=value; where names the origin for messages. */
static bool add_kv(DplKafkaProps *props, const char *s, size_t n, const char *where, char **err)
{
    const char *eq = memchr(s, '=', n);
    if (!eq) {
        *err = dpl_asprintf("%s`%.*s` is not key=value", where, (int)n, s);
        return false;
    }
    char *key = trim(s, (size_t)(eq - s));
    if (!*key) {
        *err = dpl_asprintf("%s`%.*s` has no key before `=`", where, (int)n, s);
        dpl_free(key);
        return false;
    }
    props_set(props, key, trim(eq + 1, n - (size_t)(eq - s) - 1));
    return true;
}

bool dpl_kafka_props_add_arg(DplKafkaProps *props, const char *kv, char **err)
{
    return add_kv(props, kv, strlen(kv), "-X: ", err);
}

bool dpl_kafka_props_read_file(DplKafkaProps *props, const char *path, char **err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        *err = dpl_asprintf("cannot open %s: %s", path, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    bool ok = true;
    while (ok && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t len = (size_t)n;
        if (len && line[len - 1] == '\n')
            len--;
        size_t i = 0;
        while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
            i++;
        if (i == len || line[i] == '#')
            continue; /* blank lines and comments, as in Java .properties files */
        char *where = dpl_asprintf("%s:%ld: ", path, lineno);
        ok = add_kv(props, line + i, len - i, where, err);
        dpl_free(where);
    }
    if (ok && ferror(f)) {
        *err = dpl_asprintf("cannot read %s: %s", path, strerror(errno));
        ok = false;
    }
    free(line); /* getline's buffer comes from the C library */
    fclose(f);
    return ok;
}

const char *dpl_kafka_props_get(const DplKafkaProps *props, const char *key)
{
    for (size_t i = 0; i < props->len; i++)
        if (strcmp(props->items[i].key, key) == 0)
            return props->items[i].value;
    return NULL;
}

void dpl_kafka_props_free(DplKafkaProps *props)
{
    for (size_t i = 0; i < props->len; i++) {
        dpl_free(props->items[i].key);
        dpl_free(props->items[i].value);
    }
    dpl_free(props->items);
    memset(props, 0, sizeof *props);
}
