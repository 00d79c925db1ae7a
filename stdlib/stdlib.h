/* stdlib.h — the DPL standard library (spec §6): one table that gives every
 * builtin its name, signature and implementation.  The checker verifies
 * calls against the signatures; the evaluator calls the implementations.
 *
 * Values are jansson json_t*; the C NULL pointer means *missing*.
 * Ownership: builtins borrow their arguments and return a new reference
 * (or NULL for missing).  On a runtime error they return NULL and fill *err.
 */
#ifndef DPL_STDLIB_H
#define DPL_STDLIB_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

#include "diag/diag.h"
#include "util/util.h"

/* Static types, as a bit set: a value's possible JSON types. */
typedef unsigned DplTypes;
enum {
    DPL_T_NULL = 1u << 0,
    DPL_T_BOOL = 1u << 1,
    DPL_T_INT = 1u << 2,
    DPL_T_REAL = 1u << 3,
    DPL_T_STRING = 1u << 4,
    DPL_T_ARRAY = 1u << 5,
    DPL_T_OBJECT = 1u << 6,
    DPL_T_NUMBER = DPL_T_INT | DPL_T_REAL,
    DPL_T_ANY = 0x7f,
};
/* "string", "number", "int or string", ... for messages. */
const char *dpl_types_name(DplTypes t, char *buf, size_t n);
DplTypes dpl_type_of(const json_t *v); /* 0 for NULL (missing) */
/* "string", "integer", ... of a value, "missing" for NULL (runtime messages). */
const char *dpl_value_type_name(const json_t *v);
/* "a string", "an integer", "a number", "null", ... for one type or
 * DPL_T_NUMBER; NULL for any other set (static strings). */
const char *dpl_type_article(DplTypes t);
/* The same phrase for a value's type, "a missing value" for NULL (runtime
 * messages: "cannot compare a string with null"). */
const char *dpl_value_article(const json_t *v);

/* Runtime error codes of spec §8 (shared with eval): DplRtCode and
 * dpl_rt_code_name() come from DPL_RT_CODES in diag/codes.h. */
typedef struct {
    bool set;
    DplRtCode code;
    char message[256];
    /* type_error / cast_failed: the offending argument, 1-based (spec
     * §12.4); 0 lets the evaluator pick the first argument of a wrong type */
    int arg;
} DplRtError;

/* Formats an error into *err (first error wins; later calls are ignored). */
void dpl_rt_error(DplRtError *err, DplRtCode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

typedef struct {
    const void *regex; /* matches()/extract(): the regex_t compiled at check time */
    int group;         /* extract(): the capture group */
} DplCallCtx;

typedef json_t *(*DplBuiltinFn)(const DplCallCtx *ctx, json_t *const *args, size_t nargs, DplRtError *err);

#define DPL_MAX_FIXED_ARGS 3

/* Demands on an argument's form (not its type) that the checker enforces. */
typedef enum {
    DPL_ARGS_ANY,           /* any expression */
    DPL_ARGS_LITERAL_REGEX, /* the 2nd argument is a string literal, compiled at check time (matches) */
    DPL_ARGS_PATH,          /* the argument is a path (exists) */
    /* v1.1 */
    DPL_ARGS_EXTRACT,       /* regex literal, then an optional integer literal group (E311) */
    DPL_ARGS_TIME_FORMAT,   /* the optional 2nd argument is a time format literal (E314) */
    DPL_ARGS_DECIMAL_SEP,   /* the optional 2nd argument is the literal "." or "," (E305) */
    DPL_ARGS_ELEMENT,       /* map/filter: the 2nd argument runs once per element ('item) */
    DPL_ARGS_LAZY,          /* cond: only the chosen branch is evaluated */
} DplArgRule;

typedef struct DplBuiltin {
    const char *name;
    int min_args, max_args;          /* max_args -1: variadic */
    DplTypes params[DPL_MAX_FIXED_ARGS]; /* accepted types of each fixed argument */
    DplTypes rest;                   /* accepted types of variadic arguments */
    DplTypes result;                 /* possible result types (missing aside) */
    bool sees_missing;               /* true: called even when an argument is missing
                                        (coalesce, concat, exists); otherwise a missing
                                        argument makes the call yield missing */
    DplArgRule arg_rule;             /* what the checker demands of the arguments' form */
    DplBuiltinFn fn;                 /* NULL for the special forms (map, filter,
                                        cond), which the evaluator runs itself */
    const char *doc;                 /* one line for help and completion */
} DplBuiltin;

/* ---- value-independent cores (v1.1) ----------------------------------------
 * The new builtins' work, on plain C data (no jansson): the tree evaluator's
 * builtins are thin wrappers around these, and a faster engine can call
 * them on its own values.  Text arguments are (pointer, length) and may
 * contain NUL bytes. */
typedef enum {
    DPL_CORE_OK,
    DPL_CORE_BAD_TEXT, /* the text does not match: cast_failed */
    DPL_CORE_RANGE,    /* the result is out of range: arithmetic_error */
} DplCoreStatus;

/* An instant: sec + nsec / 1e9 seconds since 1970-01-01T00:00:00Z,
 * 0 <= nsec < 1e9 (so -0.5 is {-1, 500000000}). */
typedef struct {
    int64_t sec;
    int32_t nsec;
} DplTime;

/* NULL when fmt[0..n) is a valid time format for parse_time/format_time;
 * otherwise the first problem from the left (E314's message; a static
 * string) with *at its byte offset in the format. */
const char *dpl_time_format_problem(const char *fmt, size_t n, size_t *at);
/* parse_time: the time written in s[0..n) in format fmt (a valid format,
 * or NULL for RFC 3339 / a plain date).  BAD_TEXT when it does not match
 * or names an impossible date or time. */
DplCoreStatus dpl_time_parse(const char *s, size_t n, const char *fmt, size_t fmt_len, DplTime *out);
/* The instant as the nearest double (correctly rounded). */
double dpl_time_to_double(DplTime t);
/* format_time of integer seconds / of a real (rounded from its shortest
 * decimal spelling to the millisecond, or the microsecond with a format),
 * appended to out.  RANGE outside the years 0001-9999 (out unchanged). */
DplCoreStatus dpl_time_format_int(int64_t t, const char *fmt, size_t fmt_len, DplBuf *out);
DplCoreStatus dpl_time_format_real(double t, const char *fmt, size_t fmt_len, DplBuf *out);

typedef struct {
    bool is_int;
    int64_t i;
    double r;
} DplNumber;
/* parse_number: s[0..n) with decimal separator `decimal` ('.' or ','),
 * the other one ignored as a thousands separator; an integer unless a
 * decimal part is written. */
DplCoreStatus dpl_number_parse(const char *s, size_t n, char decimal, DplNumber *out);

/* extract: the byte range of capture group `group` of the first match of
 * regex (a regex_t compiled with groups) in s[0..n); false when there is no
 * match or the group took no part. */
bool dpl_regex_group(const void *regex, const char *s, size_t n, int group, size_t *start, size_t *len);

/* Simple (one-to-one) Unicode case mappings of a code point (all of
 * Unicode; generated from UnicodeData.txt). */
uint32_t dpl_case_upper(uint32_t cp);
uint32_t dpl_case_lower(uint32_t cp);

/* "null", "bool", "int", "real", "string", "array", "object": type()'s
 * answer for a value of one type (a DPL_T_* bit). */
const char *dpl_type_word(DplTypes one);

extern const DplBuiltin dpl_std_builtins[];
extern const size_t dpl_std_nbuiltins;
/* The builtin called name, or NULL when there is none. */
const DplBuiltin *dpl_std_lookup(const char *name);

/* ---- value-independent cores (for engines that do not use jansson values) ---- */

/* Appends s[0..n) case-mapped as lower()/upper() do. */
void dpl_std_case_map(DplBuf *out, const char *s, size_t n, bool upper);
/* upper/lower of the longest ASCII prefix of s[0..n) into out (room for n
 * bytes); returns its length (n when s is all ASCII: then out is the whole
 * mapping, byte for byte). */
size_t dpl_std_case_map_ascii(char *out, const char *s, size_t n, bool upper);
/* The span [*start, *end) of s[0..n) that trim() keeps. */
void dpl_std_trim_span(const char *s, size_t n, size_t *start, size_t *end);
/* round() of an integer / a real to `places` decimals; false when the result
 * does not fit (the builtin's arithmetic_error). */
bool dpl_std_round_int(int64_t x, int64_t places, int64_t *out);
bool dpl_std_round_real(double x, int64_t places, double *out);

#endif
