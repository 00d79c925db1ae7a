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

#include "diag/diag.h"

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
} DplRtError;

/* Formats an error into *err (first error wins; later calls are ignored). */
void dpl_rt_error(DplRtError *err, DplRtCode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

typedef struct {
    const void *regex; /* matches(): the regex_t compiled at check time */
} DplCallCtx;

typedef json_t *(*DplBuiltinFn)(const DplCallCtx *ctx, json_t *const *args, size_t nargs, DplRtError *err);

#define DPL_MAX_FIXED_ARGS 3

/* Demands on an argument's form (not its type) that the checker enforces. */
typedef enum {
    DPL_ARGS_ANY,           /* any expression */
    DPL_ARGS_LITERAL_REGEX, /* the 2nd argument is a string literal, compiled at check time (matches) */
    DPL_ARGS_PATH,          /* the argument is a path (exists) */
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
    DplBuiltinFn fn;
    const char *doc;                 /* one line for help and completion */
} DplBuiltin;

extern const DplBuiltin dpl_std_builtins[];
extern const size_t dpl_std_nbuiltins;
/* The builtin called name, or NULL when there is none. */
const DplBuiltin *dpl_std_lookup(const char *name);

#endif
