/* update.c — `dpl test --update`: the expectations of failing records are
 * rewritten from what the records actually gave, in place.  Only the text of
 * those expectations changes (and, for a reject with several errors, its
 * lines); comments, blank lines, inputs and the rest of the layout stay. */
#include <stdio.h>
#include <stdlib.h>

#include "testrun/internal.h"

/* The leading blanks of the line starting at off. */
static size_t indent_len(const DplSource *src, uint32_t off)
{
    size_t n = 0;
    while (off + n < src->len && (src->text[off + n] == ' ' || src->text[off + n] == '\t'))
        n++;
    return n;
}

/* v as JSON: one line, or pretty-printed and indented like the line when
 * the expectation it replaces was written over several lines. */
static void put_json(DplBuf *b, const json_t *v, bool pretty, const char *indent, size_t ilen)
{
    if (!pretty) {
        dpl_json_write(b, v);
        return;
    }
    DplBuf t = {0};
    dpl_json_write_pretty(&t, v);
    while (t.len && t.data[t.len - 1] == '\n')
        t.len--;
    for (size_t i = 0; i < t.len; i++) {
        dpl_buf_putc(b, t.data[i]);
        if (t.data[i] == '\n')
            dpl_buf_append(b, indent, ilen);
    }
    dpl_buf_free(&t);
}

/* A message substring the old expectations gave for this error, if it still holds. */
static const char *kept_message(const Expect *exps, size_t n, const char *code, const char *path, const char *msg)
{
    for (size_t i = 0; i < n; i++) {
        const Expect *e = &exps[i];
        if (e->kind != EXP_REJECT || !e->message || strcmp(dpl_rt_code_name(e->code), code) != 0)
            continue;
        if (e->path && (!path || strcmp(e->path, path) != 0))
            continue;
        if (msg && strstr(msg, e->message))
            return e->message;
    }
    return NULL;
}

char *tr_update_text(const DplSource *src, const Expect *exps, size_t n, const Actual *act)
{
    if (act->blank)
        return NULL;
    const Expect *first = &exps[0];
    const char *indent = src->text + first->line_start;
    size_t ilen = indent_len(src, first->line_start);
    bool pretty = memchr(src->text + first->start, '\n', first->end - first->start) != NULL;
    DplBuf b = {0};
    switch (act->outcome) {
    case DPL_EMIT: {
        json_t *v;
        bool partial = first->kind == EXP_EMIT && first->partial;
        if (partial) {
            v = dpl_test_project(first->value, act->entity);
        } else {
            v = json_deep_copy(act->entity);
            if (first->kind != EXP_EMIT || !json_object_get(first->value, "id"))
                json_object_del(v, "id");
        }
        dpl_buf_puts(&b, partial ? "emit partial " : "emit ");
        put_json(&b, v, pretty, indent, ilen);
        json_decref(v);
        break;
    }
    case DPL_SKIP: dpl_buf_puts(&b, "skip"); break;
    case DPL_REJECT:
        for (size_t i = 0; i < json_array_size(act->errors); i++) {
            const json_t *err = json_array_get(act->errors, i);
            const char *code = json_string_value(json_object_get(err, "code"));
            const char *path = json_string_value(json_object_get(err, "path"));
            const char *msg = json_string_value(json_object_get(err, "message"));
            if (i > 0) {
                dpl_buf_putc(&b, '\n');
                dpl_buf_append(&b, indent, ilen);
                if (first->line_prefix)
                    dpl_buf_printf(&b, "line %ld ", first->record);
            }
            dpl_buf_printf(&b, "reject %s", code);
            if (path)
                dpl_buf_printf(&b, " %s", path);
            const char *keep = kept_message(exps, n, code, path, msg);
            if (keep) {
                dpl_buf_putc(&b, ' ');
                dpl_json_write_string(&b, keep, strlen(keep));
            }
        }
        break;
    }
    return dpl_buf_take(&b);
}

static int by_start(const void *a, const void *b)
{
    const Edit *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

bool tr_apply_edits(const char *path, const DplSource *src, Edit *edits, size_t n, const char **why)
{
    qsort(edits, n, sizeof *edits, by_start);
    DplBuf b = {0};
    uint32_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (edits[i].start < at)
            continue; /* overlapping: the earlier edit wins */
        dpl_buf_append(&b, src->text + at, edits[i].start - at);
        dpl_buf_puts(&b, edits[i].text);
        at = edits[i].end;
    }
    dpl_buf_append(&b, src->text + at, src->len - at);
    bool ok = dpl_write_file_atomic(path, b.data, b.len, why);
    dpl_buf_free(&b);
    return ok;
}
