/* fix.c — `dplc check --fix`: the certain fixes the lexer, parser and
 * checker attach to their diagnostics (DplFix), applied in rounds until none
 * is left.  A round is kept only when it lowers the number of errors, so a
 * fix can never make a program worse. */
#include "check/check.h"

/* The number of errors of text (compiled under name). */
static size_t errors_of(const char *name, const char *text, size_t len, DplDiagList *diags)
{
    DplSource *src = dpl_source_new(name, text, len);
    bool ok;
    dpl_diag_list_clear(diags);
    dpl_program_free(dpl_compile(src, diags, &ok));
    dpl_source_free(src);
    return dpl_diag_count(diags, DPL_SEV_ERROR);
}

char *dpl_check_fix(const DplSource *src, size_t *len, size_t *fixed)
{
    *fixed = 0;
    DplDiagList diags = {0};
    char *text = dpl_strndup(src->text, src->len);
    size_t n = src->len;
    size_t errors = errors_of(src->name, text, n, &diags);
    /* each round fixes at least one error, and a fix may uncover another
     * (a recovered parse); a few rounds are plenty */
    for (int round = 0; round < 8; round++) {
        DplSource *cur = dpl_source_new(src->name, text, n);
        size_t nlen, applied;
        char *next = dpl_diag_apply_fixes(cur, &diags, &nlen, &applied);
        dpl_source_free(cur);
        if (!next)
            break;
        DplDiagList after = {0};
        size_t e = errors_of(src->name, next, nlen, &after);
        if (e >= errors) {
            dpl_free(next);
            dpl_diag_list_free(&after);
            break;
        }
        dpl_free(text);
        text = next;
        n = nlen;
        errors = e;
        *fixed += applied;
        dpl_diag_list_free(&diags);
        diags = after;
    }
    dpl_diag_list_free(&diags);
    if (!*fixed) {
        dpl_free(text);
        return NULL;
    }
    *len = n;
    return text;
}
