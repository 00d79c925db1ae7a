/* index.c — children by (parent, name) in constant time, for the fact and
 * attribute trees: a program may write hundreds of thousands of
 * attributes, and a scan of the siblings per write would be quadratic. */
#include <string.h>

#include "schema/internal.h"

struct KidSlot {
    const void *parent;
    const char *name;
    size_t len;
    void *child;
};

static size_t slot_hash(const void *parent, const char *name, size_t len)
{
    size_t h = 1469598103934665603u ^ (size_t)(uintptr_t)parent; /* FNV-1a over the name */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 1099511628211u;
    return h;
}

static struct KidSlot *find(const KidIndex *ix, const void *parent, const char *name, size_t len)
{
    size_t i = slot_hash(parent, name, len) & (ix->cap - 1);
    while (ix->slots[i].child && !(ix->slots[i].parent == parent && ix->slots[i].len == len &&
                                   memcmp(ix->slots[i].name, name, len) == 0))
        i = (i + 1) & (ix->cap - 1);
    return &ix->slots[i];
}

void *dpl__kid_get(const KidIndex *ix, const void *parent, const char *name, size_t len)
{
    return ix->cap ? find(ix, parent, name, len)->child : NULL;
}

void dpl__kid_put(KidIndex *ix, const void *parent, const char *name, size_t len, void *child)
{
    if (2 * (ix->len + 1) > ix->cap) {
        KidIndex bigger = {ix->arena, NULL, ix->cap ? ix->cap * 2 : 64, 0};
        bigger.slots = dpl_arena_alloc(ix->arena, bigger.cap * sizeof *bigger.slots);
        for (size_t i = 0; i < ix->cap; i++)
            if (ix->slots[i].child)
                dpl__kid_put(&bigger, ix->slots[i].parent, ix->slots[i].name, ix->slots[i].len,
                             ix->slots[i].child);
        *ix = bigger;
    }
    struct KidSlot *s = find(ix, parent, name, len);
    if (!s->child)
        ix->len++;
    *s = (struct KidSlot){parent, name, len, child};
}
