/* diag.c — the diagnostic code table and diagnostic lists. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "diag/diag.h"

static const struct {
    const char *name;
    DplSeverity severity;
    const char *title;
    const char *explain;
} codes[] = {
#define X(code, sev, title, explain) {#code, sev, title, explain},
    DPL_DIAG_CODES(X)
#undef X
};

const char *dpl_code_name(DplCode c) { return codes[c].name; }
DplSeverity dpl_code_severity(DplCode c) { return codes[c].severity; }
const char *dpl_code_title(DplCode c) { return codes[c].title; }
const char *dpl_code_explain(DplCode c) { return codes[c].explain; }

bool dpl_code_parse(const char *s, DplCode *out)
{
    for (int i = 0; i < DPL_DIAG_CODE_COUNT; i++) {
        if (strcasecmp(s, codes[i].name) == 0) {
            *out = (DplCode)i;
            return true;
        }
    }
    return false;
}

DplDiag *dpl_diag_add(DplDiagList *l, DplCode code, DplSpan span, const char *fmt, ...)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = dpl_realloc(l->items, l->cap * sizeof *l->items);
    }
    DplDiag *d = &l->items[l->len++];
    memset(d, 0, sizeof *d);
    d->code = code;
    d->severity = codes[code].severity;
    d->span = span;
    va_list ap;
    va_start(ap, fmt);
    d->message = dpl_vasprintf(fmt, ap);
    va_end(ap);
    return d;
}

void dpl_diag_help(DplDiag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dpl_free(d->help);
    d->help = dpl_vasprintf(fmt, ap);
    va_end(ap);
}

void dpl_diag_label(DplDiag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dpl_free(d->label);
    d->label = dpl_vasprintf(fmt, ap);
    va_end(ap);
}

void dpl_diag_note(DplDiag *d, const char *fmt, ...)
{
    if (d->nnotes == DPL_DIAG_MAX_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    d->notes[d->nnotes++] = dpl_vasprintf(fmt, ap);
    va_end(ap);
}

size_t dpl_diag_count(const DplDiagList *l, DplSeverity sev)
{
    size_t n = 0;
    for (size_t i = 0; i < l->len; i++)
        n += l->items[i].severity == sev;
    return n;
}

static int by_position(const void *a, const void *b)
{
    const DplDiag *x = a, *y = b;
    if (x->span.start != y->span.start)
        return x->span.start < y->span.start ? -1 : 1;
    return (int)x->code - (int)y->code;
}

void dpl_diag_sort(DplDiagList *l)
{
    /* insertion sort: stable, and lists are short */
    for (size_t i = 1; i < l->len; i++) {
        DplDiag d = l->items[i];
        size_t j = i;
        while (j > 0 && by_position(&l->items[j - 1], &d) > 0) {
            l->items[j] = l->items[j - 1];
            j--;
        }
        l->items[j] = d;
    }
}

void dpl_diag_warnings_as_errors(DplDiagList *l)
{
    for (size_t i = 0; i < l->len; i++)
        l->items[i].severity = DPL_SEV_ERROR;
}

static void diag_free(DplDiag *d)
{
    dpl_free(d->message);
    dpl_free(d->label);
    dpl_free(d->help);
    for (size_t i = 0; i < d->nnotes; i++)
        dpl_free(d->notes[i]);
    for (size_t i = 0; i < d->nfixes; i++)
        dpl_free(d->fixes[i].replacement);
}

void dpl_diag_fix(DplDiag *d, DplSpan span, const char *replacement)
{
    if (!d || d->nfixes >= DPL_DIAG_MAX_FIXES)
        return;
    d->fixes[d->nfixes++] = (DplFix){span, dpl_strdup(replacement)};
}

static int by_start(const void *a, const void *b)
{
    const DplFix *x = *(const DplFix *const *)a, *y = *(const DplFix *const *)b;
    return x->span.start < y->span.start ? -1 : x->span.start > y->span.start;
}

char *dpl_diag_apply_fixes(const DplSource *src, const DplDiagList *l, size_t *len, size_t *applied)
{
    *applied = 0;
    size_t n = 0;
    for (size_t i = 0; i < l->len; i++)
        n += l->items[i].nfixes;
    if (!n)
        return NULL;
    /* take whole diagnostics, in source order, whose fixes overlap nothing taken */
    const DplFix **taken = dpl_calloc(n, sizeof *taken);
    size_t nt = 0;
    for (size_t i = 0; i < l->len; i++) {
        const DplDiag *d = &l->items[i];
        bool ok = d->nfixes > 0;
        for (size_t f = 0; f < d->nfixes && ok; f++) {
            DplSpan s = d->fixes[f].span;
            ok = s.start <= s.end && s.end <= src->len;
            for (size_t t = 0; t < nt && ok; t++)
                ok = s.end <= taken[t]->span.start || s.start >= taken[t]->span.end ||
                     (s.start == s.end && taken[t]->span.start == taken[t]->span.end && s.start != taken[t]->span.start);
            for (size_t g = 0; g < f && ok; g++) /* a diagnostic's own fixes must not overlap either */
                ok = s.end <= d->fixes[g].span.start || s.start >= d->fixes[g].span.end;
        }
        if (!ok)
            continue;
        for (size_t f = 0; f < d->nfixes; f++)
            taken[nt++] = &d->fixes[f];
        (*applied)++;
    }
    qsort(taken, nt, sizeof *taken, by_start);
    DplBuf b = {0};
    size_t at = 0;
    for (size_t t = 0; t < nt; t++) {
        dpl_buf_append(&b, src->text + at, taken[t]->span.start - at);
        dpl_buf_puts(&b, taken[t]->replacement);
        at = taken[t]->span.end;
    }
    dpl_buf_append(&b, src->text + at, src->len - at);
    dpl_free(taken);
    *len = b.len;
    return dpl_buf_take(&b);
}

void dpl_diag_list_clear(DplDiagList *l)
{
    for (size_t i = 0; i < l->len; i++)
        diag_free(&l->items[i]);
    l->len = 0;
}

void dpl_diag_list_free(DplDiagList *l)
{
    dpl_diag_list_clear(l);
    dpl_free(l->items);
    l->items = NULL;
    l->cap = 0;
}
