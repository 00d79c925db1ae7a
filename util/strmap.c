/* strmap.c — a map from byte strings to indexes (open addressing, FNV-1a),
 * for what a program declares many times over (add targets, mandatory
 * paths, source names): looking one up stays O(1) however long the program,
 * so loading it and checking a record stay linear in its size. */
#include "util/util.h"

static uint64_t strmap_hash(const char *k, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)k[i];
        h *= 1099511628211u;
    }
    return h ^ (h >> 29);
}

/* The slot holding k, or the empty one where it goes (cap is a power of two
 * and never full). */
static size_t strmap_find(const DplStrMap *m, const char *k, size_t n)
{
    size_t mask = m->cap - 1;
    for (size_t i = strmap_hash(k, n) & mask;; i = (i + 1) & mask) {
        const DplStrMapEntry *e = &m->slots[i];
        if (!e->key || (e->len == n && memcmp(e->key, k, n) == 0))
            return i;
    }
}

static void strmap_grow(DplStrMap *m)
{
    DplStrMapEntry *old = m->slots;
    size_t old_cap = m->cap;
    m->cap = old_cap ? old_cap * 2 : 16;
    m->slots = dpl_calloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].key)
            m->slots[strmap_find(m, old[i].key, old[i].len)] = old[i];
    dpl_free(old);
}

bool dpl_strmap_get(const DplStrMap *m, const char *key, size_t len, size_t *value)
{
    if (!m->count)
        return false;
    const DplStrMapEntry *e = &m->slots[strmap_find(m, key, len)];
    if (!e->key)
        return false;
    if (value)
        *value = e->value;
    return true;
}

bool dpl_strmap_put(DplStrMap *m, const char *key, size_t len, size_t value, size_t *existing)
{
    if (2 * (m->count + 1) > m->cap)
        strmap_grow(m);
    DplStrMapEntry *e = &m->slots[strmap_find(m, key, len)];
    if (e->key) {
        if (existing)
            *existing = e->value;
        return false;
    }
    /* memcpy, not strndup: keys may hold any byte, NUL included */
    e->key = dpl_malloc(len + 1);
    memcpy(e->key, key, len);
    e->key[len] = '\0';
    e->len = len;
    e->value = value;
    m->count++;
    return true;
}

void dpl_strmap_free(DplStrMap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        dpl_free(m->slots[i].key);
    dpl_free(m->slots);
    memset(m, 0, sizeof *m);
}
