/* render.c — diagnostics as text for people (spec §9 human form) and as the
 * JSON object tools read (`dplc check --format json`). */
#include <jansson.h>
#include <stdio.h>

#include "diag/diag.h"

/* Lines wider than LONG_LINE columns are shown from LONG_LINE_BEFORE
 * columns before the span to LONG_LINE_AFTER columns after it. */
#define LONG_LINE 160
#define LONG_LINE_BEFORE 60
#define LONG_LINE_AFTER 40

/* ANSI escapes; only emitted when the caller asks for colour. */
#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_YELLOW "\033[1;33m"
#define C_BLUE "\033[1;34m"

static size_t digits(uint32_t n)
{
    size_t d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

static void put_spaces(DplBuf *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dpl_buf_putc(out, ' ');
}

/* The empty gutter "   |" (width = digits of the line number, plus one). */
static void gutter(DplBuf *out, size_t width, bool color)
{
    put_spaces(out, width + 1);
    dpl_buf_puts(out, color ? C_BLUE "|" C_RESET : "|");
}

/* Appends s[0..n) with bytes that are not valid UTF-8 (or are control
 * characters other than tab) replaced, so a hostile source line cannot
 * corrupt the terminal. */
static void put_clean(DplBuf *out, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        int k = dpl_utf8_decode(s + i, n - i, &cp);
        if (k < 0) {
            dpl_buf_puts(out, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        if (cp < 0x20 && cp != '\t')
            dpl_buf_puts(out, "\xEF\xBF\xBD");
        else if (cp == 0x7f)
            dpl_buf_puts(out, "\xEF\xBF\xBD");
        else
            dpl_buf_append(out, s + i, (size_t)k);
        i += (size_t)k;
    }
}

/* Code points in s[0..n), counting an invalid byte as one (as put_clean
 * prints it). */
static size_t cp_count(const char *s, size_t n)
{
    size_t i = 0, c = 0;
    while (i < n) {
        uint32_t cp;
        int k = dpl_utf8_decode(s + i, n - i, &cp);
        i += k < 0 ? 1 : (size_t)k;
        c++;
    }
    return c;
}

/* Terminal columns of a code point: 2 for East Asian wide and full-width
 * characters and emoji, 0 for combining marks, zero-width joiners and
 * variation selectors, 1 otherwise.  Carets must sit under what the
 * terminal shows, not under the code point count. */
static int cp_width(uint32_t cp)
{
    static const struct {
        uint32_t lo, hi;
    } zero[] = {
        {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A}, {0x064B, 0x065F},
        {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
        {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
    },
      wide[] = {
          {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
          {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x26AA, 0x26AB},
          {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26F2, 0x26F5},   {0x26FA, 0x26FD},
          {0x2705, 0x2705},   {0x270A, 0x270B},   {0x274C, 0x274C},   {0x2753, 0x2757},
          {0x2795, 0x2797},   {0x2B1B, 0x2B1C},   {0x2E80, 0x303E},   {0x3041, 0x33FF},
          {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xA960, 0xA97F},
          {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},
          {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x18CFF}, {0x1B000, 0x1B2FF},
          {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A},
          {0x1F200, 0x1F251}, {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB},
          {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x3FFFD},
      };
    if (cp < 0x300)
        return 1;
    for (size_t i = 0; i < sizeof zero / sizeof *zero; i++)
        if (cp >= zero[i].lo && cp <= zero[i].hi)
            return 0;
    for (size_t i = 0; i < sizeof wide / sizeof *wide; i++)
        if (cp >= wide[i].lo && cp <= wide[i].hi)
            return 2;
    return 1;
}

/* Terminal columns of s[0..n) as put_clean prints it (an invalid byte is
 * one U+FFFD). */
static size_t text_width(const char *s, size_t n)
{
    size_t i = 0, w = 0;
    while (i < n) {
        uint32_t cp;
        int k = dpl_utf8_decode(s + i, n - i, &cp);
        w += k < 0 ? 1 : (size_t)cp_width(cp);
        i += k < 0 ? 1 : (size_t)k;
    }
    return w;
}

/* Byte offset just past `cols` code points of s[0..n). */
static size_t cp_advance(const char *s, size_t n, size_t cols)
{
    size_t i = 0;
    while (i < n && cols > 0) {
        uint32_t cp;
        int k = dpl_utf8_decode(s + i, n - i, &cp);
        i += k < 0 ? 1 : (size_t)k;
        cols--;
    }
    return i;
}

void dpl_diag_render_human(DplBuf *out, const DplSource *src, const DplDiag *d, bool color)
{
    bool err = d->severity == DPL_SEV_ERROR;
    const char *sev_color = err ? C_RED : C_YELLOW;
    DplPos start = dpl_source_locate(src, d->span.start);
    DplPos end = dpl_source_locate(src, d->span.end < d->span.start ? d->span.start : d->span.end);

    /* file:line:col: error[E303]: message */
    if (color)
        dpl_buf_puts(out, C_BOLD);
    put_clean(out, src->name, strlen(src->name));
    dpl_buf_printf(out, ":%u:%u: ", start.line, start.column);
    if (color)
        dpl_buf_printf(out, C_RESET "%s", sev_color);
    dpl_buf_printf(out, "%s[%s]", err ? "error" : "warning", dpl_code_name(d->code));
    if (color)
        dpl_buf_puts(out, C_RESET C_BOLD);
    dpl_buf_puts(out, ": ");
    put_clean(out, d->message, strlen(d->message));
    if (color)
        dpl_buf_puts(out, C_RESET);
    dpl_buf_putc(out, '\n');

    /* The source line with carets under the span. */
    size_t width = digits(start.line);
    size_t line_len;
    const char *line = dpl_source_line(src, start.line, &line_len);
    gutter(out, width, color);
    dpl_buf_putc(out, '\n');
    if (color)
        dpl_buf_printf(out, C_BLUE "%u |" C_RESET, start.line);
    else
        dpl_buf_printf(out, "%u |", start.line);
    size_t line_cols = cp_count(line, line_len);
    size_t col0 = start.column - 1; /* code points before the span */
    size_t pre = cp_advance(line, line_len, col0);
    /* the span's text on this line: to the end of the line when it goes on */
    size_t stop = end.line > start.line ? line_len : cp_advance(line, line_len, end.column - 1);
    size_t ncarets = stop > pre ? text_width(line + pre, stop - pre) : 0;
    if (ncarets == 0)
        ncarets = 1; /* an empty span (end of line or file) still gets one caret */

    /* A very long line (generated programs, a whole block on one line) is
     * shown as a window around the span, cut with "...", so the carets stay
     * on the screen. */
    size_t from = 0, to = line_len;
    if (text_width(line, line_len) > LONG_LINE) {
        /* one pass: measuring the rest again for every code point dropped
         * took minutes on a 1 MB line */
        size_t w = text_width(line, pre);
        while (from < pre && w > LONG_LINE_BEFORE) {
            uint32_t cp;
            int k = dpl_utf8_decode(line + from, pre - from, &cp);
            w -= k < 0 ? 1 : (size_t)cp_width(cp);
            from += k < 0 ? 1 : (size_t)k;
        }
        to = stop;
        for (size_t w = 0; to < line_len && w < LONG_LINE_AFTER;) {
            uint32_t cp;
            int k = dpl_utf8_decode(line + to, line_len - to, &cp);
            w += k < 0 ? 1 : (size_t)cp_width(cp);
            to += k < 0 ? 1 : (size_t)k;
        }
    }
    if (line_len) {
        dpl_buf_putc(out, ' ');
        if (from > 0)
            dpl_buf_puts(out, "...");
        put_clean(out, line + from, to - from);
        if (to < line_len)
            dpl_buf_puts(out, "...");
    }
    dpl_buf_putc(out, '\n');

    gutter(out, width, color);
    dpl_buf_putc(out, ' ');
    if (from > 0)
        put_spaces(out, 3); /* under the "..." */
    /* Pad with the line's own tabs so the carets line up under them, and
     * with two spaces for a wide character. */
    for (size_t i = from; i < pre;) {
        uint32_t cp;
        int k = dpl_utf8_decode(line + i, pre - i, &cp);
        if (k > 0 && cp == '\t')
            dpl_buf_putc(out, '\t');
        else
            put_spaces(out, k < 0 ? 1 : (size_t)cp_width(cp));
        i += k < 0 ? 1 : (size_t)k;
    }
    put_spaces(out, col0 > line_cols ? col0 - line_cols : 0); /* span past the line end */
    if (color)
        dpl_buf_puts(out, sev_color);
    for (size_t i = 0; i < ncarets; i++)
        dpl_buf_putc(out, '^');
    const char *beside = d->label ? d->label : d->help;
    if (beside) {
        dpl_buf_putc(out, ' ');
        put_clean(out, beside, strlen(beside));
    }
    if (color)
        dpl_buf_puts(out, C_RESET);
    dpl_buf_putc(out, '\n');

    /* help goes beside the carets unless a label took that place */
    if (d->label && d->help) {
        put_spaces(out, width + 1);
        dpl_buf_puts(out, color ? C_BLUE "=" C_RESET C_BOLD " help" C_RESET ": " : "= help: ");
        put_clean(out, d->help, strlen(d->help));
        dpl_buf_putc(out, '\n');
    }
    for (size_t i = 0; i < d->nnotes; i++) {
        put_spaces(out, width + 1);
        dpl_buf_puts(out, color ? C_BLUE "=" C_RESET C_BOLD " note" C_RESET ": " : "= note: ");
        put_clean(out, d->notes[i], strlen(d->notes[i]));
        dpl_buf_putc(out, '\n');
    }
}

/* A JSON string from bytes that may not be valid UTF-8 (file names, text
 * quoted from a source): invalid bytes become U+FFFD. */
static json_t *jstr(const char *s)
{
    size_t n = strlen(s);
    if (dpl_utf8_valid(s, n))
        return json_stringn(s, n);
    DplBuf b = {0};
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int k = dpl_utf8_decode(s + i, n - i, &cp);
        if (k < 0) {
            dpl_buf_puts(&b, "\xEF\xBF\xBD");
            i++;
        } else {
            dpl_buf_append(&b, s + i, (size_t)k);
            i += (size_t)k;
        }
    }
    json_t *j = json_stringn(b.data ? b.data : "", b.len);
    dpl_buf_free(&b);
    return j;
}

static json_t *jpos(const DplSource *src, uint32_t offset)
{
    if (offset > src->len)
        offset = (uint32_t)src->len;
    DplPos p = dpl_source_locate(src, offset);
    json_t *o = json_object();
    json_object_set_new(o, "line", json_integer(p.line));
    json_object_set_new(o, "column", json_integer(p.column));
    json_object_set_new(o, "offset", json_integer(offset));
    return o;
}

void dpl_diag_render_json(DplBuf *out, const DplSource *src, const DplDiagList *l)
{
    json_t *root = json_object();
    json_object_set_new(root, "file", jstr(src->name));
    json_t *arr = json_array();
    for (size_t i = 0; i < l->len; i++) {
        const DplDiag *d = &l->items[i];
        json_t *o = json_object();
        json_object_set_new(o, "severity", json_string(d->severity == DPL_SEV_ERROR ? "error" : "warning"));
        json_object_set_new(o, "code", json_string(dpl_code_name(d->code)));
        json_object_set_new(o, "message", jstr(d->message));
        json_t *span = json_object();
        uint32_t end = d->span.end < d->span.start ? d->span.start : d->span.end;
        json_object_set_new(span, "start", jpos(src, d->span.start));
        json_object_set_new(span, "end", jpos(src, end));
        json_object_set_new(o, "span", span);
        if (d->help)
            json_object_set_new(o, "help", jstr(d->help));
        if (d->nnotes) {
            json_t *notes = json_array();
            for (size_t k = 0; k < d->nnotes; k++)
                json_array_append_new(notes, jstr(d->notes[k]));
            json_object_set_new(o, "notes", notes);
        }
        if (d->nfixes) {
            json_t *fixes = json_array();
            for (size_t k = 0; k < d->nfixes; k++) {
                json_t *f = json_object(), *fs = json_object();
                json_object_set_new(fs, "start", jpos(src, d->fixes[k].span.start));
                json_object_set_new(fs, "end", jpos(src, d->fixes[k].span.end));
                json_object_set_new(f, "span", fs);
                json_object_set_new(f, "replacement", jstr(d->fixes[k].replacement));
                json_array_append_new(fixes, f);
            }
            json_object_set_new(o, "fixes", fixes);
        }
        json_array_append_new(arr, o);
    }
    json_object_set_new(root, "diagnostics", arr);
    char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (text) {
        dpl_buf_puts(out, text);
        /* json_dumps allocates through the allocator dpl_util_init installed */
        dpl_free(text);
    }
    dpl_buf_putc(out, '\n');
}
