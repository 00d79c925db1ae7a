/* load.c — opening librdkafka on first use (librdkafka.h says why). */
#include <dlfcn.h>
#include <pthread.h>

#define KAFKA_RDK_LOADER
#include "kafka/librdkafka.h"
#include "util/util.h"

KafkaRdk kafka_rdk;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char *load_error; /* the answer of the one attempt: NULL once loaded */

static void load(void)
{
    void *lib = dlopen(KAFKA_RDK_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        load_error = dpl_asprintf("Kafka needs librdkafka, which cannot be loaded: %s", dlerror());
        return;
    }
    /* never closed: clients may be destroyed as late as the process ends */
#define KAFKA_RDK_FIND(name)                                                                                           \
    if (!(*(void **)&kafka_rdk.name = dlsym(lib, #name))) {                                                            \
        load_error = dpl_asprintf("Kafka needs librdkafka with %s, which %s does not have", #name, KAFKA_RDK_SONAME);  \
        return;                                                                                                        \
    }
    KAFKA_RDK_FUNCTIONS(KAFKA_RDK_FIND)
#undef KAFKA_RDK_FIND
}

bool kafka_rdk_load(char **err)
{
    pthread_once(&once, load);
    if (load_error)
        *err = dpl_strdup(load_error);
    return !load_error;
}
