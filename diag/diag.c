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
