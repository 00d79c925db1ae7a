/* source.c — source texts and offset -> line/column lookup (columns in code points). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "diag/diag.h"

DplSource *dpl_source_new(const char *name, const char *text, size_t len)
{
    DplSource *s = dpl_calloc(1, sizeof *s);
    s->name = dpl_strdup(name);
    s->text = dpl_strndup(text, len);
    s->len = len;
    size_t cap = 16;
    s->line_starts = dpl_malloc(cap * sizeof *s->line_starts);
    s->line_starts[s->nlines++] = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '\n')
            continue;
        if (s->nlines == cap) {
            cap *= 2;
            s->line_starts = dpl_realloc(s->line_starts, cap * sizeof *s->line_starts);
        }
        s->line_starts[s->nlines++] = (uint32_t)(i + 1);
    }
    return s;
}

DplSource *dpl_source_read_file(const char *path, const char **err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        *err = strerror(errno);
        return NULL;
    }
    DplBuf b = {0};
    char chunk[65536];
    size_t n;
    bool too_big = false;
    while (!too_big && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        /* stop reading at once: /dev/zero or a mistaken 10 GB data file
         * would otherwise exhaust memory (and spans are 32-bit offsets) */
        too_big = b.len + n > DPL_SOURCE_MAX_BYTES;
        if (!too_big)
            dpl_buf_append(&b, chunk, n);
    }
    bool failed = !too_big && ferror(f);
    int saved = errno;
    if (f != stdin)
        fclose(f);
    if (failed || too_big) {
        dpl_buf_free(&b);
        *err = too_big ? "larger than 64 MiB, the limit for a DPL program (docs/limits.md)" : strerror(saved);
        return NULL;
    }
    DplSource *s = dpl_source_new(path, b.data ? b.data : "", b.len);
    dpl_buf_free(&b);
    return s;
}

void dpl_source_free(DplSource *s)
{
    if (!s)
        return;
    dpl_free(s->name);
    dpl_free(s->text);
    dpl_free(s->line_starts);
    dpl_free(s);
}

DplPos dpl_source_locate(const DplSource *s, uint32_t offset)
{
    if (offset > s->len)
        offset = (uint32_t)s->len;
    /* binary search for the last line start <= offset */
    size_t lo = 0, hi = s->nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (s->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    uint32_t start = s->line_starts[lo];
    DplPos p = {(uint32_t)lo + 1, (uint32_t)dpl_utf8_count(s->text + start, offset - start) + 1};
    return p;
}

const char *dpl_source_line(const DplSource *s, uint32_t line, size_t *len)
{
    if (line == 0 || line > s->nlines) {
        *len = 0;
        return "";
    }
    uint32_t start = s->line_starts[line - 1];
    uint32_t end = line < s->nlines ? s->line_starts[line] - 1 : (uint32_t)s->len;
    if (end > start && s->text[end - 1] == '\r')
        end--;
    *len = end - start;
    return s->text + start;
}
