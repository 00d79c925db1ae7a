/* values.c — the builtins that look at presence rather than content:
 * coalesce and exists (spec §6).  Both see missing arguments (NULL). */
#include "stdlib/impl.h"

/* coalesce(a, b, ...): the first argument that is neither missing nor null;
 * missing when there is none. */
DPL_BUILTIN_FN(coalesce)
{
    (void)ctx, (void)err;
    for (size_t i = 0; i < nargs; i++)
        if (args[i] && !json_is_null(args[i]))
            return json_incref(args[i]);
    return NULL;
}

/* exists(path): true when the value is present, even if it is null. */
DPL_BUILTIN_FN(exists)
{
    (void)ctx, (void)err;
    return json_boolean(nargs > 0 && args[0] != NULL);
}
