/* write.c — our own JSON serializer (compact and pretty): keys in insertion
 * order, exact numbers, minimal string escapes.  Not json_dumps, which prints
 * reals with %.17g (70250.990000000005).  Writes straight into the DplBuf:
 * this is the output hot path, so no allocation per value. */
#include <string.h>

#include "json/json.h"

/* 1 where a byte must be escaped inside a JSON string. */
static const unsigned char needs_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1 /* " */, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 /* \ */, 0, 0, 0,
};

void dpl_json_write_string(DplBuf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    /* Most strings need no escape: one reservation covers the common case. */
    dpl_buf_reserve(out, n + 2);
    dpl_buf_putc(out, '"');
    size_t run = 0; /* start of the pending run of bytes copied verbatim */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!needs_escape[c])
            continue;
        dpl_buf_append(out, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t elen = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        dpl_buf_append(out, esc, elen);
    }
    dpl_buf_append(out, s + run, n - run);
    dpl_buf_putc(out, '"');
}

/* Decimal text of an int64 without printf (INT64_MIN included). */
static void write_int(DplBuf *out, json_int_t v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    dpl_buf_append(out, p, (size_t)(tmp + sizeof tmp - p));
}

static void write_scalar(DplBuf *out, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_NULL: dpl_buf_append(out, "null", 4); break;
    case JSON_TRUE: dpl_buf_append(out, "true", 4); break;
    case JSON_FALSE: dpl_buf_append(out, "false", 5); break;
    case JSON_INTEGER: write_int(out, json_integer_value(v)); break;
    case JSON_REAL: {
        char buf[40];
        int n = dpl_json_format_real(json_real_value(v), buf);
        dpl_buf_append(out, buf, (size_t)n);
        break;
    }
    case JSON_STRING: dpl_json_write_string(out, json_string_value(v), json_string_length(v)); break;
    default: break;
    }
}

static void newline_indent(DplBuf *out, int indent, int level)
{
    if (indent < 0)
        return;
    dpl_buf_putc(out, '\n');
    for (int i = 0; i < indent * level; i++)
        dpl_buf_putc(out, ' ');
}

/* indent < 0: compact.  Recursion is bounded by the parse depth limit for
 * input values; values the evaluator builds are shallow. */
static void write_value(DplBuf *out, const json_t *v, int indent, int level)
{
    if (json_is_array(v)) {
        size_t n = json_array_size(v);
        dpl_buf_putc(out, '[');
        for (size_t i = 0; i < n; i++) {
            if (i)
                dpl_buf_putc(out, ',');
            newline_indent(out, indent, level + 1);
            write_value(out, json_array_get(v, i), indent, level + 1);
        }
        if (n)
            newline_indent(out, indent, level);
        dpl_buf_putc(out, ']');
    } else if (json_is_object(v)) {
        dpl_buf_putc(out, '{');
        bool first = true;
        /* jansson iterates objects in insertion order. */
        for (void *it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it)) {
            if (!first)
                dpl_buf_putc(out, ',');
            first = false;
            newline_indent(out, indent, level + 1);
            dpl_json_write_string(out, json_object_iter_key(it), json_object_iter_key_len(it));
            dpl_buf_putc(out, ':');
            if (indent >= 0)
                dpl_buf_putc(out, ' ');
            write_value(out, json_object_iter_value(it), indent, level + 1);
        }
        if (!first)
            newline_indent(out, indent, level);
        dpl_buf_putc(out, '}');
    } else {
        write_scalar(out, v);
    }
}

void dpl_json_write(DplBuf *out, const json_t *v) { write_value(out, v, -1, 0); }

void dpl_json_write_pretty(DplBuf *out, const json_t *v) { write_value(out, v, 2, 0); }
