/* json_gen.c — deterministic random JSON documents and mutations for the
 * scanner and engine unit tests (json_gen.h). */
#include "tests/json_gen.h"

#include <string.h>

#include "json/json.h"

static uint64_t rng_state = 88172645463325252ull;
uint64_t gen_rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}
unsigned gen_rn(unsigned n) { return (unsigned)(gen_rnd() % n); }

const char *const gen_key_pool[GEN_NKEYS] = {"a", "b", "c", "data", "metadata", "source", "", "\xc3\xa9", "x y"};

static void gen_ws(DplBuf *b)
{
    if (gen_rn(8) == 0)
        dpl_buf_puts(b, (const char *[]){" ", "\t", "\r\n", "  "}[gen_rn(4)]);
}

static void gen_string_body(DplBuf *b)
{
    unsigned n = gen_rn(6);
    for (unsigned i = 0; i < n; i++) {
        switch (gen_rn(12)) {
        case 0: dpl_buf_puts(b, (const char *[]){"\\\"", "\\\\", "\\/", "\\n", "\\t", "\\b", "\\f", "\\r"}[gen_rn(8)]); break;
        case 1: dpl_buf_printf(b, "\\u%04x", gen_rn(0x80)); break;
        case 2: dpl_buf_printf(b, "\\u%04X", gen_rn(0xD7FF)); break;
        case 3: dpl_buf_puts(b, (const char *[]){"\\uD83D\\uDE00", "\\udbff\\udfff", "\\u0000"}[gen_rn(3)]); break;
        case 4: dpl_buf_puts(b, (const char *[]){"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x7f"}[gen_rn(4)]); break;
        case 5: dpl_buf_puts(b, "0123456789abcdefghij"); break;
        default: dpl_buf_putc(b, (char)('a' + gen_rn(26))); break;
        }
    }
}

static void gen_number(DplBuf *b)
{
    switch (gen_rn(14)) {
    case 0: dpl_buf_printf(b, "%d", (int)gen_rn(100) - 50); break;
    case 1: dpl_buf_puts(b, (const char *[]){"9223372036854775807", "-9223372036854775808", "-0", "0"}[gen_rn(4)]); break;
    case 2: dpl_buf_printf(b, "%u.%u", gen_rn(100000), gen_rn(1000)); break;
    case 3: dpl_buf_printf(b, "%u.0", gen_rn(100000)); break;
    case 4: dpl_buf_printf(b, "%ue%d", gen_rn(10), (int)gen_rn(40) - 20); break;
    case 5: dpl_buf_printf(b, "%u.%02uE+%u", gen_rn(10), gen_rn(100), gen_rn(30)); break;
    case 6: dpl_buf_printf(b, "0.%04u", gen_rn(10000)); break;
    case 7: dpl_buf_printf(b, "0.0000%u", 1 + gen_rn(9)); break;
    case 8: dpl_buf_printf(b, "%u%u.%u", 100000000 + gen_rn(100000000), gen_rn(100000000), gen_rn(100000)); break;
    case 9: dpl_buf_printf(b, "-%u.%u0", gen_rn(1000), gen_rn(10)); break;
    case 10: dpl_buf_printf(b, "1e%d", 300 + (int)gen_rn(20)); break;
    case 11: dpl_buf_printf(b, "%llu", (unsigned long long)gen_rnd()); break;
    case 12: dpl_buf_printf(b, "%.17g", (double)gen_rnd() / 1e10); break;
    default: dpl_buf_printf(b, "%u.%u", gen_rn(1000), gen_rn(100)); break;
    }
}

void gen_value(DplBuf *b, int depth)
{
    unsigned k = depth > 4 ? 4 + gen_rn(6) : gen_rn(10);
    gen_ws(b);
    switch (k) {
    case 0: case 1: case 2: {
        dpl_buf_putc(b, '{');
        unsigned n = gen_rn(5);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                dpl_buf_putc(b, ',');
            gen_ws(b);
            if (gen_rn(10) == 0)
                dpl_buf_puts(b, "\"\\u0061\""); /* an escaped "a" */
            else {
                const char *key = gen_key_pool[gen_rn(GEN_NKEYS)];
                dpl_json_write_string(b, key, strlen(key));
            }
            gen_ws(b);
            dpl_buf_putc(b, ':');
            gen_value(b, depth + 1);
        }
        gen_ws(b);
        dpl_buf_putc(b, '}');
        break;
    }
    case 3: {
        dpl_buf_putc(b, '[');
        unsigned n = gen_rn(4);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                dpl_buf_putc(b, ',');
            gen_value(b, depth + 1);
        }
        dpl_buf_putc(b, ']');
        break;
    }
    case 4: case 5: dpl_buf_putc(b, '"'); gen_string_body(b); dpl_buf_putc(b, '"'); break;
    case 6: case 7: gen_number(b); break;
    default: dpl_buf_puts(b, (const char *[]){"true", "false", "null"}[gen_rn(3)]); break;
    }
    gen_ws(b);
}

/* An object whose keys come from the pool (so plan paths hit). */
void gen_doc(DplBuf *b)
{
    dpl_buf_reset(b);
    dpl_buf_putc(b, '{');
    unsigned n = 1 + gen_rn(5);
    for (unsigned i = 0; i < n; i++) {
        if (i)
            dpl_buf_putc(b, ',');
        const char *k = gen_rn(6) == 0 ? "\\u0061" : gen_key_pool[gen_rn(GEN_NKEYS)];
        dpl_buf_putc(b, '"');
        dpl_buf_puts(b, k);
        dpl_buf_puts(b, "\":");
        gen_value(b, 1);
    }
    dpl_buf_putc(b, '}');
}

void gen_mutate(DplBuf *b)
{
    static const char alphabet[] = "{}[]\",:\\ 0-+.eE1tfnu\x80\xc3\xff\x00\t\n";
    unsigned edits = 1 + gen_rn(3);
    for (unsigned e = 0; e < edits && b->len > 0; e++) {
        size_t at = gen_rn((unsigned)b->len);
        switch (gen_rn(4)) {
        case 0: b->data[at] = alphabet[gen_rn(sizeof alphabet - 1)]; break;
        case 1: memmove(b->data + at, b->data + at + 1, b->len - at - 1); b->len--; break;
        case 2: b->len = at; break;
        default:
            dpl_buf_putc(b, 0);
            memmove(b->data + at + 1, b->data + at, b->len - at - 1);
            b->data[at] = alphabet[gen_rn(sizeof alphabet - 1)];
            break;
        }
    }
}
