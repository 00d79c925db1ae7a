/* json_gen.h — deterministic random JSON for the scanner and engine unit
 * tests: documents whose keys come from a small pool (so program paths
 * meet missing, null, nested, escaped and duplicated values) and byte
 * mutations that make most of them invalid.  A fixed-seed PRNG, so every
 * failure reproduces; each test process starts from the same seed. */
#ifndef DPL_TESTS_JSON_GEN_H
#define DPL_TESTS_JSON_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/* The keys generated objects use (some non-ASCII, one empty, one with a space). */
extern const char *const gen_key_pool[];
#define GEN_NKEYS 9

/* The next pseudo-random number (xorshift64*), and one below n. */
uint64_t gen_rnd(void);
unsigned gen_rn(unsigned n);

/* Appends one random value (objects, arrays, strings with escapes and
 * UTF-8, numbers at the int64 and double edges, literals, white space);
 * depth limits nesting. */
void gen_value(DplBuf *b, int depth);
/* Replaces b with a random object of 1..5 members whose keys come from the
 * pool (sometimes as "\u0061", an escaped "a"). */
void gen_doc(DplBuf *b);
/* One to three random byte edits (replace, delete, truncate, insert; the
 * bytes include NUL, stray UTF-8 and JSON punctuation). */
void gen_mutate(DplBuf *b);

#endif
