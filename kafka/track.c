/* track.c — consumed records by ticket, so that "durable through ticket T"
 * becomes the offsets to store, one per partition (internal.h). */
#include "kafka/internal.h"
#include "util/util.h"

static KafkaTrackRun *run_at(KafkaTrack *t, size_t i) { return &t->runs[(t->head + i) % t->cap]; }

uint64_t kafka_track_add(KafkaTrack *t, int part, int64_t offset)
{
    if (t->next_ticket == 0)
        t->next_ticket = 1;
    uint64_t ticket = t->next_ticket++;
    if (t->len) {
        KafkaTrackRun *last = run_at(t, t->len - 1);
        if (last->part == part && last->ticket0 + last->n == ticket && last->offset0 + (int64_t)last->n == offset) {
            last->n++;
            return ticket;
        }
    }
    if (t->len == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        KafkaTrackRun *nr = dpl_malloc(ncap * sizeof *nr);
        for (size_t i = 0; i < t->len; i++)
            nr[i] = *run_at(t, i);
        dpl_free(t->runs);
        t->runs = nr;
        t->cap = ncap;
        t->head = 0;
    }
    *run_at(t, t->len++) = (KafkaTrackRun){.part = part, .ticket0 = ticket, .offset0 = offset, .n = 1};
    return ticket;
}

void kafka_track_durable(KafkaTrack *t, uint64_t ticket, void (*store)(void *ctx, int part, int64_t offset), void *ctx)
{
    /* The last offset per partition wins; runs come in ticket order, so a
     * partition's later run always has the higher offset it should store.
     * Stores are made once the covered runs are known, one per partition. */
    int parts[64];
    int64_t offs[64];
    size_t np = 0;
    while (t->len) {
        KafkaTrackRun *r = run_at(t, 0);
        if (r->ticket0 > ticket)
            break;
        uint64_t take = ticket - r->ticket0 + 1;
        if (take > r->n)
            take = r->n;
        if (r->part >= 0) {
            int64_t off = r->offset0 + (int64_t)take - 1;
            size_t k = 0;
            while (k < np && parts[k] != r->part)
                k++;
            if (k == np) {
                if (np == 64) { /* many partitions: hand over what we have */
                    for (size_t j = 0; j < np; j++)
                        store(ctx, parts[j], offs[j]);
                    np = 0;
                    k = 0;
                }
                parts[np++] = r->part;
            }
            offs[k] = off;
        }
        if (take < r->n) { /* the run goes on past ticket */
            r->ticket0 += take;
            r->offset0 += (int64_t)take;
            r->n -= take;
            break;
        }
        t->head = (t->head + 1) % t->cap;
        t->len--;
    }
    for (size_t j = 0; j < np; j++)
        store(ctx, parts[j], offs[j]);
}

void kafka_track_forget(KafkaTrack *t, int part)
{
    for (size_t i = 0; i < t->len; i++)
        if (run_at(t, i)->part == part)
            run_at(t, i)->part = -1;
}

uint64_t kafka_track_pending(const KafkaTrack *t)
{
    uint64_t n = 0;
    for (size_t i = 0; i < t->len; i++) {
        const KafkaTrackRun *r = &t->runs[(t->head + i) % t->cap];
        if (r->part >= 0)
            n += r->n;
    }
    return n;
}

void kafka_track_free(KafkaTrack *t)
{
    dpl_free(t->runs);
    memset(t, 0, sizeof *t);
}
