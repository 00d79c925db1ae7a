/* impl.h — private: the C implementation of each builtin (see builtins.c
 * for the table that names and types them).  Same contract as DplBuiltinFn:
 * arguments borrowed, result a new reference or NULL (missing), errors in *err. */
#ifndef DPL_STDLIB_IMPL_H
#define DPL_STDLIB_IMPL_H

#include "stdlib/stdlib.h"

#define DPL_BUILTIN_FN(name) \
    json_t *dpl_std_##name(const DplCallCtx *ctx, json_t *const *args, size_t nargs, DplRtError *err)

/* The real r as a value, or an arithmetic_error naming fn when r is not
 * finite.  Every builtin builds its real results through this: jansson's
 * json_real() returns NULL for inf and nan, which would read as a missing
 * value, so an overflow would silently drop the attribute. */
json_t *dpl_std_real(const char *fn, double r, DplRtError *err);

/* strings.c */
DPL_BUILTIN_FN(len);
DPL_BUILTIN_FN(lower);
DPL_BUILTIN_FN(upper);
DPL_BUILTIN_FN(trim);
DPL_BUILTIN_FN(digits);
DPL_BUILTIN_FN(replace);
DPL_BUILTIN_FN(split);
DPL_BUILTIN_FN(join);
DPL_BUILTIN_FN(substr);
DPL_BUILTIN_FN(contains);
DPL_BUILTIN_FN(starts_with);
DPL_BUILTIN_FN(ends_with);
DPL_BUILTIN_FN(matches);
DPL_BUILTIN_FN(concat);
DPL_BUILTIN_FN(sha256);
DPL_BUILTIN_FN(extract);
/* numbers.c */
DPL_BUILTIN_FN(sum);
DPL_BUILTIN_FN(min);
DPL_BUILTIN_FN(max);
DPL_BUILTIN_FN(avg);
DPL_BUILTIN_FN(round);
DPL_BUILTIN_FN(abs);
/* values.c */
DPL_BUILTIN_FN(coalesce);
DPL_BUILTIN_FN(exists);
DPL_BUILTIN_FN(type);
DPL_BUILTIN_FN(keys);
DPL_BUILTIN_FN(unique);
/* convert.c */
DPL_BUILTIN_FN(parse_number);
DPL_BUILTIN_FN(parse_time);
DPL_BUILTIN_FN(format_time);

#endif
