/* diff.c — the diff of a failure: util's unified diff (the one `dplc fmt
 * --check` prints, as `diff -u` would), coloured line by line for a terminal. */
#include "testrun/internal.h"

void dpl_test_diff(DplBuf *out, const char *a, const char *b, const char *a_name, const char *b_name, int context,
                   bool color)
{
    DplBuf d = {0};
    if (!dpl_diff_unified(&d, a_name, a, strlen(a), b_name, b, strlen(b), context < 0 ? 0u : (unsigned)context))
        return;
    if (!color) {
        dpl_buf_append(out, d.data, d.len);
        dpl_buf_free(&d);
        return;
    }
    /* colour per line, so that a report indented line by line stays coloured */
    for (size_t i = 0; i < d.len;) {
        const char *l = d.data + i;
        const char *nl = memchr(l, '\n', d.len - i);
        size_t n = nl ? (size_t)(nl - l) : d.len - i;
        const char *c = n >= 3 && (!strncmp(l, "---", 3) || !strncmp(l, "+++", 3)) ? TR_BOLD
                        : n >= 2 && !strncmp(l, "@@", 2)                            ? TR_CYAN
                        : n && l[0] == '-'                                           ? TR_RED
                        : n && l[0] == '+'                                           ? TR_GREEN
                                                                                     : NULL;
        if (c)
            dpl_buf_puts(out, c);
        dpl_buf_append(out, l, n);
        if (c)
            dpl_buf_puts(out, TR_RESET);
        dpl_buf_putc(out, '\n');
        i += n + (nl ? 1 : 0);
    }
    dpl_buf_free(&d);
}
