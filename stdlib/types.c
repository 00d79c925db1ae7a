/* types.c — static type sets and runtime error codes shared by check and eval. */
#include <stdio.h>
#include <string.h>

#include "stdlib/stdlib.h"

const char *dpl_types_name(DplTypes t, char *buf, size_t n)
{
    static const struct {
        DplTypes bits;
        const char *name;
    } names[] = {
        {DPL_T_NUMBER, "number"}, {DPL_T_INT, "integer"}, {DPL_T_REAL, "real"},
        {DPL_T_STRING, "string"}, {DPL_T_BOOL, "boolean"}, {DPL_T_NULL, "null"},
        {DPL_T_ARRAY, "array"},   {DPL_T_OBJECT, "object"},
    };
    if ((t & DPL_T_ANY) == DPL_T_ANY) {
        snprintf(buf, n, "any value");
        return buf;
    }
    buf[0] = '\0';
    size_t used = 0;
    DplTypes left = t;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if ((left & names[i].bits) != names[i].bits)
            continue;
        left &= ~names[i].bits;
        int k = snprintf(buf + used, used < n ? n - used : 0, "%s%s", used ? " or " : "", names[i].name);
        if (k > 0)
            used += (size_t)k;
    }
    if (!used)
        snprintf(buf, n, "nothing");
    return buf;
}

DplTypes dpl_type_of(const json_t *v)
{
    if (!v)
        return 0;
    switch (json_typeof(v)) {
    case JSON_NULL: return DPL_T_NULL;
    case JSON_TRUE:
    case JSON_FALSE: return DPL_T_BOOL;
    case JSON_INTEGER: return DPL_T_INT;
    case JSON_REAL: return DPL_T_REAL;
    case JSON_STRING: return DPL_T_STRING;
    case JSON_ARRAY: return DPL_T_ARRAY;
    case JSON_OBJECT: return DPL_T_OBJECT;
    }
    return 0;
}

const char *dpl_value_type_name(const json_t *v)
{
    switch (dpl_type_of(v)) {
    case DPL_T_NULL: return "null";
    case DPL_T_BOOL: return "boolean";
    case DPL_T_INT: return "integer";
    case DPL_T_REAL: return "real";
    case DPL_T_STRING: return "string";
    case DPL_T_ARRAY: return "array";
    case DPL_T_OBJECT: return "object";
    }
    return "missing";
}

const char *dpl_type_article(DplTypes t)
{
    switch (t) {
    case DPL_T_NULL: return "null";
    case DPL_T_BOOL: return "a boolean";
    case DPL_T_INT: return "an integer";
    case DPL_T_REAL: return "a real";
    case DPL_T_NUMBER: return "a number";
    case DPL_T_STRING: return "a string";
    case DPL_T_ARRAY: return "an array";
    case DPL_T_OBJECT: return "an object";
    }
    return NULL;
}

const char *dpl_value_article(const json_t *v)
{
    /* a non-NULL value has exactly one type, which has an article */
    return v ? dpl_type_article(dpl_type_of(v)) : "a missing value";
}

void dpl_rt_error(DplRtError *err, DplRtCode code, const char *fmt, ...)
{
    if (err->set)
        return;
    err->set = true;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}
