/* convert.c — the v1.1 conversion builtins parse_number, parse_time and
 * format_time (spec §12.3): thin jansson wrappers around the cores in
 * numtext.c and time.c.  Null arguments mean missing, as for every builtin
 * that wants a string or number; other wrong types are a type_error; text
 * that does not read is cast_failed. */
#include <stdio.h>

#include "stdlib/impl.h"

/* The value as a short JSON-ish quote for messages ("12x", 42). */
static void describe(char *buf, size_t cap, const json_t *v)
{
    if (json_is_string(v)) {
        size_t n = json_string_length(v);
        snprintf(buf, cap, "\"%.*s%s\"", (int)(n > 60 ? 60 : n), json_string_value(v), n > 60 ? "..." : "");
    } else {
        snprintf(buf, cap, "%s", dpl_value_article(v));
    }
}

static bool type_error(DplRtError *err, const char *fn, int which, const char *what, const json_t *v)
{
    dpl_rt_error(err, DPL_RT_TYPE_ERROR, "%s(): argument %d must be %s, got %s", fn, which, what,
                 dpl_value_type_name(v));
    err->arg = which;
    return false;
}

/* parse_number(s [, sep]): a number argument is returned as it is. */
DPL_BUILTIN_FN(parse_number)
{
    (void)ctx;
    const json_t *v = args[0];
    if (json_is_null(v))
        return NULL;
    if (json_is_number(v))
        return json_incref((json_t *)v);
    if (!json_is_string(v)) {
        type_error(err, "parse_number", 1, "a string or a number", v);
        return NULL;
    }
    char sep = '.';
    if (nargs > 1 && json_is_string(args[1]) && json_string_length(args[1]) == 1)
        sep = json_string_value(args[1])[0];
    DplNumber num;
    if (dpl_number_parse(json_string_value(v), json_string_length(v), sep, &num) != DPL_CORE_OK) {
        char q[80];
        describe(q, sizeof q, v);
        dpl_rt_error(err, DPL_RT_CAST_FAILED, "parse_number(): %s is not a number with decimal separator \"%c\"", q,
                     sep);
        err->arg = 1;
        return NULL;
    }
    return num.is_int ? json_integer(num.i) : json_real(num.r);
}

/* The optional format argument: NULL for the default. */
static const char *format_arg(json_t *const *args, size_t nargs, size_t *len)
{
    if (nargs < 2 || !json_is_string(args[1])) {
        *len = 0;
        return NULL;
    }
    *len = json_string_length(args[1]);
    return json_string_value(args[1]);
}

/* parse_time(s [, fmt]): epoch seconds, an integer unless a fraction of a
 * second is written and not zero. */
DPL_BUILTIN_FN(parse_time)
{
    (void)ctx;
    const json_t *v = args[0];
    if (json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        type_error(err, "parse_time", 1, "a string", v);
        return NULL;
    }
    size_t flen;
    const char *fmt = format_arg(args, nargs, &flen);
    DplTime t;
    if (dpl_time_parse(json_string_value(v), json_string_length(v), fmt, flen, &t) != DPL_CORE_OK) {
        char q[80];
        describe(q, sizeof q, v);
        if (fmt)
            dpl_rt_error(err, DPL_RT_CAST_FAILED, "parse_time(): %s is not a time in the format \"%.*s\"", q,
                         (int)flen, fmt);
        else
            dpl_rt_error(err, DPL_RT_CAST_FAILED, "parse_time(): %s is not an RFC 3339 time or a date YYYY-MM-DD", q);
        err->arg = 1;
        return NULL;
    }
    return t.nsec ? json_real(dpl_time_to_double(t)) : json_integer(t.sec);
}

/* format_time(t [, fmt]): UTC text of epoch seconds. */
DPL_BUILTIN_FN(format_time)
{
    (void)ctx;
    const json_t *v = args[0];
    if (json_is_null(v))
        return NULL;
    if (!json_is_number(v)) {
        type_error(err, "format_time", 1, "a number", v);
        return NULL;
    }
    size_t flen;
    const char *fmt = format_arg(args, nargs, &flen);
    DplBuf b = {0};
    DplCoreStatus st = json_is_integer(v) ? dpl_time_format_int(json_integer_value(v), fmt, flen, &b)
                                          : dpl_time_format_real(json_real_value(v), fmt, flen, &b);
    if (st != DPL_CORE_OK) {
        dpl_buf_free(&b);
        char q[40];
        if (json_is_integer(v))
            snprintf(q, sizeof q, "%lld", (long long)json_integer_value(v));
        else
            snprintf(q, sizeof q, "%.17g", json_real_value(v));
        dpl_rt_error(err, DPL_RT_ARITHMETIC_ERROR, "format_time(): %s seconds is outside the years 0001-9999", q);
        return NULL;
    }
    json_t *r = json_stringn_nocheck(b.data ? b.data : "", b.len);
    dpl_buf_free(&b);
    return r;
}
