/* values.c — the builtins that look at presence rather than content:
 * coalesce and exists (spec §6).  Both see missing arguments (NULL). */
#include "json/json.h"
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

/* ---- v1.1: type, keys, unique ------------------------------------------------ */

const char *dpl_type_word(DplTypes one)
{
    switch (one) {
    case DPL_T_NULL: return "null";
    case DPL_T_BOOL: return "bool";
    case DPL_T_INT: return "int";
    case DPL_T_REAL: return "real";
    case DPL_T_STRING: return "string";
    case DPL_T_ARRAY: return "array";
    case DPL_T_OBJECT: return "object";
    }
    return NULL;
}

/* type(x): the name of x's type; missing for missing (not called then). */
DPL_BUILTIN_FN(type)
{
    (void)ctx, (void)nargs, (void)err;
    return json_string(dpl_type_word(dpl_type_of(args[0])));
}

/* keys(obj): the keys in input order; keys(null) is missing. */
DPL_BUILTIN_FN(keys)
{
    (void)ctx, (void)nargs;
    json_t *o = args[0];
    if (json_is_null(o))
        return NULL;
    if (!json_is_object(o)) {
        dpl_rt_error(err, DPL_RT_TYPE_ERROR, "keys(): argument must be an object, got %s", dpl_value_type_name(o));
        err->arg = 1;
        return NULL;
    }
    json_t *arr = json_array();
    for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it))
        json_array_append_new(arr, json_stringn_nocheck(json_object_iter_key(it), json_object_iter_key_len(it)));
    return arr;
}

/* unique(arr): the elements without repeats (deep ==, 1 == 1.0, objects in
 * any key order), first occurrence kept; hashed (json/valueset.c), so O(n)
 * expected. */
DPL_BUILTIN_FN(unique)
{
    (void)ctx, (void)nargs;
    json_t *a = args[0];
    if (json_is_null(a))
        return NULL;
    if (!json_is_array(a)) {
        dpl_rt_error(err, DPL_RT_TYPE_ERROR, "unique(): argument must be an array, got %s", dpl_value_type_name(a));
        err->arg = 1;
        return NULL;
    }
    json_t *out = json_array();
    DplJsonSet seen;
    dpl_json_set_init(&seen, out);
    for (size_t i = 0; i < json_array_size(a); i++)
        dpl_json_set_add(&seen, json_array_get(a, i));
    dpl_json_set_free(&seen);
    return out;
}
