/* json.h — JSON in and out for DPL records, on top of jansson.
 *
 * jansson parses; this module adds what DPL needs beyond it: record-level
 * error reporting (message + column), the nesting limit, exact number
 * output (shortest round-trip reals that stay reals, never
 * 70250.990000000005), and RFC 8785 canonical JSON for identities.
 *
 * Ownership: dpl_json_parse returns a new reference in *out.  Writers append
 * to a caller-owned DplBuf and borrow the value.
 */
#ifndef DPL_JSON_H
#define DPL_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/* Documented limits (docs/limits.md). */
#define DPL_JSON_MAX_DEPTH 512
#define DPL_DEFAULT_MAX_RECORD_BYTES (16u * 1024u * 1024u)

typedef enum {
    DPL_JSON_OK,
    DPL_JSON_INVALID,        /* -> invalid_json */
    DPL_JSON_TOO_DEEP,       /* -> limit_exceeded */
    DPL_JSON_NUL_KEY,        /* -> limit_exceeded: valid JSON, but an object key holds
                                \u0000, which records cannot hold (docs/limits.md) */
} DplJsonStatus;

typedef struct {
    DplJsonStatus status;
    int column;              /* 1-based column (code points) of the problem in the line, 0 if unknown */
    char message[160];
} DplJsonError;

/* Parses exactly one JSON value from text[0..len) (no trailing data other
 * than whitespace).  Integers outside int64 are DPL_JSON_INVALID.  Every
 * status but DPL_JSON_OK and DPL_JSON_INVALID is a documented limit. */
DplJsonStatus dpl_json_parse(const char *text, size_t len, json_t **out, DplJsonError *err);

/* Shortest decimal that reads back as d; integral values keep ".0" or an
 * exponent (1.0, 1e+300).  Returns the length written into buf (>= 32 bytes).
 * Non-finite values cannot occur in JSON; they are written as null. */
int dpl_json_format_real(double d, char *buf);
/* The decimal digits of u into out (at least 20 bytes; no NUL); returns
 * their count.  Two digits per step from a table: every integer and real
 * the engine prints goes through here. */
int dpl_json_format_u64(uint64_t u, char *out);
/* The same for a signed integer, '-' first when negative (at least 21 bytes). */
int dpl_json_format_i64(int64_t v, char *out);

/* Compact JSON, keys in insertion order, exact numbers as above, non-ASCII
 * unescaped. */
void dpl_json_write(DplBuf *out, const json_t *v);
/* Pretty form (2-space indent) for the REPL. */
void dpl_json_write_pretty(DplBuf *out, const json_t *v);
/* A JSON string literal for bytes s[0..n) (escapes as RFC 8785). */
void dpl_json_write_string(DplBuf *out, const char *s, size_t n);
/* RFC 8785 canonical form: compact, keys sorted by UTF-16 code units,
 * ECMAScript number formatting (int64 integers are written exactly). */
void dpl_json_write_canonical(DplBuf *out, const json_t *v);

/* Deep equality where 1 == 1.0 (spec §6). */
bool dpl_json_equal(const json_t *a, const json_t *b);

/* ---- sets of distinct values (valueset.c): append, unique ---------------- */

/* A hash that agrees with dpl_json_equal: equal values hash alike (1 and
 * 1.0; objects whatever their key order). */
uint64_t dpl_json_hash(const json_t *v);

/* The elements of an array being built, each kind of value (dpl_json_equal)
 * at most once, hashed once the array outgrows a short scan: n additions
 * are O(n) expected.  The set borrows arr; change arr only through
 * dpl_json_set_add while the set lives. */
typedef struct {
    json_t *arr;
    size_t *slots; /* element index + 1, 0 for an empty slot; NULL while scanning */
    size_t cap;    /* power of two, more than twice the elements */
} DplJsonSet;

/* A set over arr's current elements (repeats among them are kept). */
void dpl_json_set_init(DplJsonSet *s, json_t *arr);
/* Appends v (borrowed; the array takes its own reference) unless an equal
 * element is there; returns whether it did. */
bool dpl_json_set_add(DplJsonSet *s, json_t *v);
/* Frees the table; the array stays the caller's. */
void dpl_json_set_free(DplJsonSet *s);

#endif
