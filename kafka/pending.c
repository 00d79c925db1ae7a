/* pending.c — produced messages awaiting their delivery reports, and the
 * input record through which everything is acknowledged (internal.h). */
#include "kafka/internal.h"
#include "util/util.h"

uint64_t kafka_pending_add(KafkaPending *p, uint64_t seq)
{
    if (p->head + p->len == p->cap) {
        if (p->head > p->cap / 2) { /* slide down: the done prefix is gone */
            memmove(p->seq, p->seq + p->head, p->len * sizeof *p->seq);
            memmove(p->done, p->done + p->head, p->len * sizeof *p->done);
            p->head = 0;
        } else {
            p->cap = p->cap ? p->cap * 2 : 1024;
            p->seq = dpl_realloc(p->seq, p->cap * sizeof *p->seq);
            p->done = dpl_realloc(p->done, p->cap * sizeof *p->done);
        }
    }
    size_t i = p->head + p->len++;
    p->seq[i] = seq;
    p->done[i] = false;
    return p->base_id + p->len - 1;
}

void kafka_pending_done(KafkaPending *p, uint64_t id, bool ok)
{
    if (id < p->base_id || id - p->base_id >= p->len)
        return; /* not ours (cannot happen) */
    if (!ok) {
        /* never acknowledged: the frontier stays before it for good */
        p->failed++;
        return;
    }
    p->done[p->head + (id - p->base_id)] = true;
    while (p->len && p->done[p->head]) {
        p->head++;
        p->len--;
        p->base_id++;
    }
}

uint64_t kafka_pending_frontier(const KafkaPending *p, uint64_t given)
{
    if (p->len == 0)
        return given;
    return p->seq[p->head] - 1;
}

size_t kafka_pending_count(const KafkaPending *p) { return p->len; }

void kafka_pending_free(KafkaPending *p)
{
    dpl_free(p->seq);
    dpl_free(p->done);
    memset(p, 0, sizeof *p);
}
