/* diagnostics.c — printing diagnostics from the programs (`dplc check`,
 * `dpl run`, the REPL): the colour decision and the human rendering. */
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"

bool dpl_cli_use_color(DplColorMode mode, FILE *stream)
{
    if (mode == DPL_COLOR_ALWAYS)
        return true;
    if (mode == DPL_COLOR_NEVER)
        return false;
    /* https://no-color.org: any non-empty value disables automatic colour */
    const char *no_color = getenv("NO_COLOR");
    if (no_color && *no_color)
        return false;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0)
        return false;
    return isatty(fileno(stream)) == 1;
}

void dpl_cli_print_diags(FILE *stream, const DplSource *src, const DplDiagList *l, bool color)
{
    DplBuf b = {0};
    for (size_t i = 0; i < l->len; i++) {
        /* a blank line between diagnostics keeps each block readable */
        if (i)
            dpl_buf_putc(&b, '\n');
        dpl_diag_render_human(&b, src, &l->items[i], color);
    }
    if (b.len)
        fwrite(b.data, 1, b.len, stream);
    dpl_buf_free(&b);
}
