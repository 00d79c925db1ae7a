/* spread.c — where -j N's worker threads start: on another CPU than the
 * thread that creates them.
 *
 * Linux queues a new thread on its creator's CPU and leaves moving it to
 * the kernel's load balancer.  On this project's two-vCPU machine the
 * reading thread and its new worker then shared one CPU in 4 ms turns for
 * 8-16 ms while the other stayed idle (`perf sched timehist`), a tenth or
 * more of a 200,000-record -j 2 run; two processes never did, as exec
 * places a new process on an idle CPU.  So a worker is created with the
 * creator's CPU left out of its affinity, and takes back the whole set the
 * moment it runs (stream_spread_settle): it starts elsewhere, and the
 * kernel stays free to move it later.  Where the affinity cannot be read
 * or set (one CPU, a restricted container) threads start as they always
 * did. */
#include "stream/internal.h"

void stream_spread_init(StreamSpread *s)
{
    s->on = false;
    CPU_ZERO(&s->all);
    if (sched_getaffinity(0, sizeof s->all, &s->all) != 0)
        return;
    int here = sched_getcpu();
    if (here < 0 || here >= CPU_SETSIZE || !CPU_ISSET(here, &s->all))
        return;
    s->away = s->all;
    CPU_CLR(here, &s->away);
    s->on = CPU_COUNT(&s->away) > 0;
}

int stream_spread_create(const StreamSpread *s, pthread_t *t, void *(*fn)(void *), void *arg)
{
    if (s->on) {
        pthread_attr_t attr;
        if (pthread_attr_init(&attr) == 0) {
            int err = pthread_attr_setaffinity_np(&attr, sizeof s->away, &s->away);
            if (!err)
                err = pthread_create(t, &attr, fn, arg);
            pthread_attr_destroy(&attr);
            if (!err)
                return 0;
        }
    }
    return pthread_create(t, NULL, fn, arg);
}

void stream_spread_settle(const StreamSpread *s)
{
    if (s->on)
        (void)pthread_setaffinity_np(pthread_self(), sizeof s->all, &s->all);
}
