/* valueset.c — sets of distinct values (spec §6 equality: 1 == 1.0, objects
 * in any key order) kept as the elements of an array: `append` (spec §7.4)
 * and `unique` (spec §12.3) add values in order and keep the first of each
 * kind.  A hash that agrees with dpl_json_equal makes n additions O(n)
 * expected instead of O(n²) (a 100 000-element append used to take
 * minutes). */
#include <string.h>

#include "json/json.h"

/* Arrays up to this size are scanned: cheaper than a table, and the usual
 * case in records. */
enum { SCAN_MAX = 8 };

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

static uint64_t bytes_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return mix(h);
}

uint64_t dpl_json_hash(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_NULL: return 0x6e756c6cull;
    case JSON_TRUE: return 0x74727565ull;
    case JSON_FALSE: return 0x66616c73ull;
    case JSON_INTEGER: return mix((uint64_t)json_integer_value(v));
    case JSON_REAL: {
        /* an integral real in int64 range equals that integer: hash it so;
         * 0.0 and -0.0 both become 0 */
        double d = json_real_value(v);
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == (double)(json_int_t)d)
            return mix((uint64_t)(json_int_t)d);
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return mix(bits ^ 0x7265616cull);
    }
    case JSON_STRING: return bytes_hash(json_string_value(v), json_string_length(v));
    case JSON_ARRAY: {
        uint64_t h = 0x61727261ull;
        for (size_t i = 0; i < json_array_size(v); i++)
            h = mix(h ^ dpl_json_hash(json_array_get(v, i)));
        return h;
    }
    case JSON_OBJECT: {
        /* a sum of the members' hashes: the same in any key order */
        uint64_t h = 0x6f626a65ull;
        for (void *it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it))
            h += mix(bytes_hash(json_object_iter_key(it), json_object_iter_key_len(it)) ^
                     dpl_json_hash(json_object_iter_value(it)));
        return h;
    }
    }
    return 0;
}

/* Puts element index of s->arr into the table (which has room). */
static void put(DplJsonSet *s, size_t index)
{
    size_t m = s->cap - 1;
    for (size_t i = dpl_json_hash(json_array_get(s->arr, index)) & m;; i = (i + 1) & m)
        if (!s->slots[i]) {
            s->slots[i] = index + 1;
            return;
        }
}

/* A table for the array's elements with room for more than twice as many. */
static void rebuild(DplJsonSet *s)
{
    size_t n = json_array_size(s->arr);
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    dpl_free(s->slots);
    s->slots = dpl_calloc(cap, sizeof *s->slots);
    s->cap = cap;
    for (size_t i = 0; i < n; i++)
        put(s, i);
}

void dpl_json_set_init(DplJsonSet *s, json_t *arr)
{
    s->arr = arr;
    s->slots = NULL;
    s->cap = 0;
}

bool dpl_json_set_add(DplJsonSet *s, json_t *v)
{
    size_t n = json_array_size(s->arr);
    if (!s->slots && n < SCAN_MAX) {
        for (size_t j = 0; j < n; j++)
            if (dpl_json_equal(json_array_get(s->arr, j), v))
                return false;
        json_array_append(s->arr, v);
        return true;
    }
    if (!s->slots || 2 * (n + 1) >= s->cap)
        rebuild(s);
    size_t m = s->cap - 1, i = dpl_json_hash(v) & m;
    for (; s->slots[i]; i = (i + 1) & m)
        if (dpl_json_equal(json_array_get(s->arr, s->slots[i] - 1), v))
            return false;
    json_array_append(s->arr, v);
    s->slots[i] = n + 1;
    return true;
}

void dpl_json_set_free(DplJsonSet *s)
{
    dpl_free(s->slots);
    s->slots = NULL;
    s->cap = 0;
}
