/* reject.c — the per-record result (outcome, entity, collected errors) and
 * the reject line of spec §8. */
#include <stdio.h>

#include "eval/eval.h"
#include "json/json.h"

static void write_text(DplBuf *out, const char *s, size_t n);

void dpl_result_init(DplResult *r) { memset(r, 0, sizeof *r); }

void dpl_result_clear(DplResult *r)
{
    json_decref(r->entity);
    r->entity = NULL;
    for (size_t i = 0; i < r->nerrors; i++) {
        dpl_free(r->errors[i].path);
        dpl_free(r->errors[i].message);
        json_decref(r->errors[i].value);
    }
    r->nerrors = 0;
    r->source = NULL;
    r->outcome = DPL_EMIT;
    r->skipped_by = DPL_SKIP_SOURCE;
    r->validated = false;
    /* the error array keeps its capacity for the next record */
}

void dpl_result_free(DplResult *r)
{
    dpl_result_clear(r);
    dpl_free(r->errors);
    dpl_result_init(r);
}

void dpl_result_add_error(DplResult *r, DplRtCode code, const char *path, const DplSpan *rule, const char *fmt, ...)
{
    if (r->nerrors == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 4;
        r->errors = dpl_realloc(r->errors, r->cap * sizeof *r->errors);
    }
    DplRecError *e = &r->errors[r->nerrors++];
    e->code = code;
    e->path = path ? dpl_strdup(path) : NULL;
    va_list ap;
    va_start(ap, fmt);
    e->message = dpl_vasprintf(fmt, ap);
    va_end(ap);
    e->has_rule = rule != NULL;
    e->rule = rule ? *rule : (DplSpan){0, 0};
    e->value = NULL;
}

/* ---- the offending value (spec §12.4, §12.6) --------------------------------- */

enum { MAX_VALUE_CPS = 200 };

/* The byte length of s's first MAX_VALUE_CPS code points (an invalid byte
 * counts as one); n when s is not longer than that. */
static size_t cut_at(const char *s, size_t n)
{
    size_t i = 0;
    for (size_t cps = 0; i < n && cps < MAX_VALUE_CPS; cps++) {
        uint32_t cp;
        int len = dpl_utf8_decode(s + i, n - i, &cp);
        i += len > 0 ? (size_t)len : 1;
    }
    return i;
}

json_t *dpl_value_cut(json_t *v)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v), keep = cut_at(s, n);
        if (keep == n)
            return json_incref(v);
        DplBuf cut = {0};
        dpl_buf_append(&cut, s, keep);
        dpl_buf_puts(&cut, "\xE2\x80\xA6"); /* … */
        json_t *r = json_stringn_nocheck(cut.data, cut.len);
        dpl_buf_free(&cut);
        return r;
    }
    /* containers are copied only from the first member that changes */
    json_t *copy = NULL;
    if (json_is_array(v)) {
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n; i++) {
            json_t *elem = json_array_get(v, i), *c = dpl_value_cut(elem);
            if (c != elem && !copy) {
                copy = json_array();
                for (size_t k = 0; k < i; k++)
                    json_array_append(copy, json_array_get(v, k));
            }
            if (copy)
                json_array_append_new(copy, c);
            else
                json_decref(c);
        }
    } else if (json_is_object(v)) {
        /* keys stay whole: two keys cut to the same text would merge */
        size_t done = 0;
        for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it), done++) {
            json_t *member = json_object_iter_value(it), *c = dpl_value_cut(member);
            if (c != member && !copy) {
                copy = json_object();
                size_t k = 0;
                for (void *jt = json_object_iter(v); k < done; jt = json_object_iter_next(v, jt), k++)
                    json_object_setn_nocheck(copy, json_object_iter_key(jt), json_object_iter_key_len(jt),
                                             json_object_iter_value(jt));
            }
            if (copy)
                json_object_setn_new_nocheck(copy, json_object_iter_key(it), json_object_iter_key_len(it), c);
            else
                json_decref(c);
        }
    }
    return copy ? copy : json_incref(v);
}

void dpl_result_set_value(DplResult *r, json_t *value)
{
    if (!r->nerrors || !value)
        return;
    DplRecError *e = &r->errors[r->nerrors - 1];
    json_decref(e->value);
    e->value = dpl_value_cut(value);
}

/* A JSON string for bytes that may not be valid UTF-8 (a raw input line, a
 * message quoting part of one): each invalid byte becomes U+FFFD. */
static void write_text(DplBuf *out, const char *s, size_t n)
{
    if (dpl_utf8_valid(s, n)) {
        dpl_json_write_string(out, s, n);
        return;
    }
    DplBuf clean = {0};
    dpl_buf_reserve(&clean, n + 16);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int len = dpl_utf8_decode(s + i, n - i, &cp);
        if (len > 0) {
            dpl_buf_append(&clean, s + i, (size_t)len);
            i += (size_t)len;
        } else {
            dpl_buf_append(&clean, "\xEF\xBF\xBD", 3);
            i++;
        }
    }
    dpl_json_write_string(out, clean.data, clean.len);
    dpl_buf_free(&clean);
}

/* "raw" is a faithful copy of the line when its text reads back as the same
 * bytes and no usual consumer of JSON text would lose any: valid UTF-8, no
 * NUL (PostgreSQL's json and C strings stop there), no CR (the line holds
 * several records of a file with CR-only line ends). */
static bool raw_is_faithful(const char *s, size_t n)
{
    return !memchr(s, '\0', n) && !memchr(s, '\r', n) && dpl_utf8_valid(s, n);
}

/* "raw", and "raw_base64" with the exact bytes when "raw" is not enough:
 * nothing is lost, the bytes included. */
static void write_raw(DplBuf *out, const char *raw, size_t len)
{
    size_t text_len = len && raw[len - 1] == '\r' ? len - 1 : len;
    dpl_buf_puts(out, ",\"raw\":");
    write_text(out, raw, text_len);
    if (!raw_is_faithful(raw, text_len)) {
        dpl_buf_puts(out, ",\"raw_base64\":\"");
        dpl_base64_append(out, raw, len);
        dpl_buf_putc(out, '"');
    }
}

/* The reject line; its record written by write_record(out, ctx), or raw. */
static void write_reject(DplBuf *out, const DplSource *src, const char *input, const char *where, size_t where_len,
                         long line, const DplResult *r, void (*write_record)(DplBuf *, const void *),
                         const void *ctx, const char *raw, size_t raw_len)
{
    dpl_buf_printf(out, "{\"line\":%ld", line);
    if (input) {
        dpl_buf_puts(out, ",\"input\":");
        write_text(out, input, strlen(input));
    }
    if (where) {
        dpl_buf_putc(out, ',');
        dpl_buf_append(out, where, where_len);
    }
    if (r->source) {
        dpl_buf_puts(out, ",\"source\":");
        write_text(out, r->source, strlen(r->source));
    }
    dpl_buf_puts(out, ",\"errors\":[");
    for (size_t i = 0; i < r->nerrors; i++) {
        const DplRecError *e = &r->errors[i];
        if (i)
            dpl_buf_putc(out, ',');
        dpl_buf_printf(out, "{\"code\":\"%s\"", dpl_rt_code_name(e->code));
        if (e->path) {
            dpl_buf_puts(out, ",\"path\":");
            write_text(out, e->path, strlen(e->path));
        }
        if (e->value) {
            dpl_buf_puts(out, ",\"value\":");
            dpl_json_write(out, e->value);
        }
        dpl_buf_puts(out, ",\"message\":");
        write_text(out, e->message, strlen(e->message));
        if (e->has_rule && src) {
            DplPos pos = dpl_source_locate(src, e->rule.start);
            dpl_buf_printf(out, ",\"rule\":{\"line\":%u,\"column\":%u}", pos.line, pos.column);
        }
        dpl_buf_putc(out, '}');
    }
    dpl_buf_putc(out, ']');
    if (write_record) {
        dpl_buf_puts(out, ",\"record\":");
        write_record(out, ctx);
    } else {
        write_raw(out, raw ? raw : "", raw ? raw_len : 0);
    }
    dpl_buf_puts(out, "}\n");
}

static void write_json(DplBuf *out, const void *record) { dpl_json_write(out, record); }

void dpl_write_reject_where(DplBuf *out, const DplSource *src, const char *input, const char *where,
                            size_t where_len, long line, const DplResult *r, const json_t *record, const char *raw,
                            size_t raw_len)
{
    write_reject(out, src, input, where, where_len, line, r, record ? write_json : NULL, record, raw, raw_len);
}

void dpl_write_reject_with(DplBuf *out, const DplSource *src, const char *input, const char *where, size_t where_len,
                           long line, const DplResult *r, void (*write_record)(DplBuf *, const void *),
                           const void *ctx)
{
    write_reject(out, src, input, where, where_len, line, r, write_record, ctx, NULL, 0);
}

void dpl_write_reject_input(DplBuf *out, const DplSource *src, const char *input, long line, const DplResult *r,
                            const json_t *record, const char *raw, size_t raw_len)
{
    dpl_write_reject_where(out, src, input, NULL, 0, line, r, record, raw, raw_len);
}

void dpl_write_reject(DplBuf *out, const DplSource *src, long line, const DplResult *r, const json_t *record,
                      const char *raw, size_t raw_len)
{
    dpl_write_reject_input(out, src, NULL, line, r, record, raw, raw_len);
}
