/* lexer.re — the DPL scanner (spec §3): an re2c spec compiled at build time.
 *
 * One re2c block in a loop over the NUL-terminated source text (ninja's
 * lexer.in.cc style).  The NUL rule is end of input when it sits at
 * src->len; a NUL anywhere else, an invalid UTF-8 byte or any other stray
 * character is reported (E101) and skipped, so one run reports every
 * lexical problem.  Strings and comments are scanned by hand after their
 * opening character: that keeps escape decoding, error positions and
 * recovery (carry on after the string) in plain C.
 *
 * Every erroneous lexeme becomes one DPL_TOK_ERROR token; the parser skips
 * those silently because the error has already been reported here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexer/lexer.h"

/* The token array grows on the heap (realloc, no zeroing of the arena's
 * fresh blocks) and is handed to the arena at the end: freed with it. */
typedef struct {
    DplToken *items;
    size_t len, cap;
} TokVec;

typedef struct {
    const DplSource *src;
    DplArena *arena;
    DplDiagList *diags;
    bool keep_comments;
    const unsigned char *base; /* src->text */
    const unsigned char *end;  /* base + src->len: the terminating NUL */
    TokVec toks;
    /* Position tracking: line number and start of the current line, plus a
     * cursor (offset, column) that only moves forward within the line, so
     * computing columns costs O(length of the source) overall. */
    uint32_t line, line_start, col_off, col;
} Lexer;

static uint32_t off_of(const Lexer *L, const unsigned char *p)
{
    return (uint32_t)(p - L->base);
}

/* Line and column (code points, like dpl_source_locate) of a byte offset on
 * the current line. */
static DplPos pos_at(Lexer *L, uint32_t off)
{
    if (off < L->col_off) {
        L->col_off = L->line_start;
        L->col = 1;
    }
    for (; L->col_off < off; L->col_off++)
        if ((L->base[L->col_off] & 0xC0) != 0x80)
            L->col++;
    return (DplPos){L->line, L->col};
}

static DplToken *emit(Lexer *L, DplTokKind kind, const unsigned char *start, const unsigned char *stop)
{
    TokVec *v = &L->toks;
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 256;
        v->items = dpl_realloc(v->items, v->cap * sizeof *v->items);
    }
    DplToken *t = &v->items[v->len++];
    *t = (DplToken){0};
    t->kind = kind;
    t->span.start = off_of(L, start);
    t->span.end = off_of(L, stop);
    t->start = pos_at(L, t->span.start);
    t->end = pos_at(L, t->span.end);
    return t;
}

static DplDiag *error_at(Lexer *L, DplCode code, const unsigned char *start, const unsigned char *stop,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static DplDiag *error_at(Lexer *L, DplCode code, const unsigned char *start, const unsigned char *stop,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = dpl_vasprintf(fmt, ap);
    va_end(ap);
    DplSpan span = {off_of(L, start), off_of(L, stop)};
    DplDiag *d = dpl_diag_add(L->diags, code, span, "%s", msg);
    dpl_free(msg);
    return d;
}

/* A certain fix for d: replace [start, stop) with repl (dplc check --fix). */
static void fix(Lexer *L, DplDiag *d, const unsigned char *start, const unsigned char *stop, const char *repl)
{
    dpl_diag_fix(d, (DplSpan){off_of(L, start), off_of(L, stop)}, repl);
}

/* The fix that writes text[0..n) as a DPL string literal over [start, stop). */
static void fix_string(Lexer *L, DplDiag *d, const unsigned char *start, const unsigned char *stop,
                       const unsigned char *text, size_t n)
{
    DplBuf b = {0};
    dpl_buf_putc(&b, '"');
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '"' || text[i] == '\\')
            dpl_buf_putc(&b, '\\');
        dpl_buf_putc(&b, (char)text[i]);
    }
    dpl_buf_putc(&b, '"');
    fix(L, d, start, stop, b.data);
    dpl_buf_free(&b);
}

static bool is_ident_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* A non-ASCII character in or next to a name (`preço`): one E101 for the
 * whole word, which becomes one ERROR token (the IDENT just before it is
 * taken back), with the quoted name as the fix.  Returns the byte after the
 * word. */
static const unsigned char *stray_in_name(Lexer *L, const unsigned char *p, int n)
{
    const unsigned char *word = p, *q = p;
    DplToken *last = L->toks.len ? &L->toks.items[L->toks.len - 1] : NULL;
    if (last && last->span.end == off_of(L, p) && (last->kind == DPL_TOK_IDENT || dpl_tok_is_keyword(last->kind))) {
        word = L->base + last->span.start;
        L->toks.len--;
    }
    for (;;) {
        uint32_t c;
        int k = dpl_utf8_decode((const char *)q, (size_t)(L->end - q), &c);
        if (k <= 0 || !(is_ident_char(*q) || (c >= 0x80 && c != 0xA0 && !(c >= 0x2000 && c <= 0x206F) &&
                                              c != 0x3000 && c != 0xFEFF)))
            break;
        q += k;
    }
    /* A character that cannot be part of a name (a dash, say) still goes:
     * the lexer must always move past what it reports. */
    if (q < p + n)
        q = p + n;
    uint32_t cp = 0;
    dpl_utf8_decode((const char *)p, (size_t)n, &cp);
    bool letter = cp >= 0xC0 && cp <= 0x52F && cp != 0xD7 && cp != 0xF7; /* Latin, Greek, Cyrillic */
    DplDiag *d = error_at(L, DPL_E101, p, p + n, "unexpected character `%.*s`", n, (const char *)p);
    if (cp == 0x2192) {
        dpl_diag_help(d, "write the arrow as `->`");
        fix(L, d, p, p + n, "->");
    } else if (cp == 0x2260 || cp == 0x2264 || cp == 0x2265) {
        const char *op = cp == 0x2260 ? "!=" : cp == 0x2264 ? "<=" : ">=";
        dpl_diag_help(d, "write the comparison as `%s`", op);
        fix(L, d, p, p + n, op);
    } else if (q - word > n || letter) {
        dpl_diag_help(d, "names are ASCII letters, digits and `_`; quote the field name: \"%.*s\"",
                      (int)(q - word), (const char *)word);
        /* certain only after a dot: a quoted name alone would be a string */
        DplToken *before = L->toks.len ? &L->toks.items[L->toks.len - 1] : NULL;
        if (before && before->kind == DPL_TOK_DOT && before->span.end == off_of(L, word))
            fix_string(L, d, word, q, word, (size_t)(q - word));
    } else
        dpl_diag_help(d, "outside strings DPL uses ASCII only");
    emit(L, DPL_TOK_ERROR, word, q);
    return q;
}

/* “text” or ‘text’ (a word processor's quotes): like single_quoted, one
 * E101 and the STRING that was meant when the closing quote is on the same
 * line; otherwise one E101 for the lone quote. */
static const unsigned char *typographic_string(Lexer *L, const unsigned char *p, int n)
{
    const unsigned char *q = p + n;
    while (q < L->end && *q != '\n' && *q != '\r' && *q != '"') {
        uint32_t c;
        int k = dpl_utf8_decode((const char *)q, (size_t)(L->end - q), &c);
        if (k <= 0)
            break;
        if (c == 0x201C || c == 0x201D || c == 0x2018 || c == 0x2019) {
            DplDiag *d = error_at(L, DPL_E101, p, q + k, "unexpected typographic quote `%.*s`", n, (const char *)p);
            dpl_diag_label(d, "a string in typographic quotes");
            dpl_diag_help(d, "write \"%.*s\" with plain double quotes", (int)(q - p - n), (const char *)p + n);
            fix_string(L, d, p, q + k, p + n, (size_t)(q - p - n));
            DplToken *t = emit(L, DPL_TOK_STRING, p, q + k);
            t->str = dpl_arena_strndup(L->arena, (const char *)p + n, (size_t)(q - p - n));
            t->str_len = (size_t)(q - p - n);
            return q + k;
        }
        q += k;
    }
    DplDiag *d = error_at(L, DPL_E101, p, p + n, "unexpected typographic quote `%.*s`", n, (const char *)p);
    dpl_diag_help(d, "strings are written in plain double quotes: \"...\"");
    emit(L, DPL_TOK_ERROR, p, p + n);
    return p + n;
}

/* Whether the text lexed so far ends inside a condition: the nearest
 * keyword that decides what an expression is for is `if` or `requirement`
 * (there a lone `=` can only have meant `==`; in an add item it may have
 * meant `->`). */
static bool in_condition(const Lexer *L)
{
    bool same_item = true; /* no newline or comma between the `if` and here */
    for (size_t i = L->toks.len; i-- > 0;) {
        switch (L->toks.items[i].kind) {
        case DPL_TOK_NEWLINE:
        case DPL_TOK_COMMA:
        case DPL_TOK_LBRACE: same_item = false; break;
        case DPL_TOK_KW_IF: return same_item;
        case DPL_TOK_KW_REQUIREMENT: return true;
        case DPL_TOK_KW_ADD:
        case DPL_TOK_KW_ENTITY:
        case DPL_TOK_KW_MANDATORY:
        case DPL_TOK_KW_SOURCES:
        case DPL_TOK_ARROW:
        case DPL_TOK_RBRACE: return false;
        default: break;
        }
    }
    return false;
}

/* Reports one stray character (E101) starting at p and returns the byte
 * after it.  Invalid UTF-8 is reported one byte at a time. */
static const unsigned char *stray(Lexer *L, const unsigned char *p)
{
    uint32_t cp;
    int n = dpl_utf8_decode((const char *)p, (size_t)(L->end - p), &cp);
    if (*p == 0) {
        error_at(L, DPL_E101, p, p + 1, "unexpected NUL byte");
        n = 1;
    } else if (n < 0) {
        error_at(L, DPL_E101, p, p + 1, "invalid UTF-8 byte 0x%02X", *p);
        n = 1;
    } else if (*p == '\'') {
        DplDiag *d = error_at(L, DPL_E101, p, p + 1, "unexpected character `'`");
        dpl_diag_help(d, "meta attributes are written 'id, 'source, 'entity or 'line");
    } else if (cp < 0x20 || cp == 0x7F) {
        error_at(L, DPL_E101, p, p + (size_t)n, "unexpected control character U+%04X", (unsigned)cp);
    } else if (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x3000 || cp == 0xFEFF) {
        /* pasted from a web page or a word processor: invisible on screen */
        DplDiag *d = error_at(L, DPL_E101, p, p + (size_t)n, "unexpected invisible space U+%04X", (unsigned)cp);
        dpl_diag_help(d, "replace it with a plain space");
        fix(L, d, p, p + n, " ");
    } else if (cp == 0x201C || cp == 0x201D || cp == 0x2018 || cp == 0x2019) {
        return typographic_string(L, p, n);
    } else if (cp >= 0x80) {
        return stray_in_name(L, p, n);
    } else {
        /* characters other languages use, and what DPL writes instead */
        static const struct {
            char c;
            const char *help;
        } hints[] = {
            {'=', "compare with `==`; write a value to an attribute with `value -> name`"},
            {';', "no `;` is needed: items and statements end at the end of the line (or use `,`)"},
            {'&', "the logical operator is `and` (or `&&`)"},
            {'|', "the logical operator is `or` (or `||`)"},
            {':', "write a value to an attribute with `value -> name`"},
            {'$', "paths need no sigil: write `data.name`, or quote an odd field name: data.\"$name\""},
            {'@', "paths need no sigil: write `data.name`, or quote an odd field name: data.\"@name\""},
            {'`', "strings are written in double quotes: \"...\""},
        };
        DplDiag *d = error_at(L, DPL_E101, p, p + (size_t)n, "unexpected character `%.*s`", n, (const char *)p);
        for (size_t i = 0; i < sizeof hints / sizeof *hints; i++)
            if (*p == (unsigned char)hints[i].c)
                dpl_diag_help(d, "%s", hints[i].help);
        if (*p == '=' && in_condition(L))
            fix(L, d, p, p + 1, "==");
    }
    emit(L, DPL_TOK_ERROR, p, p + n);
    return p + n;
}

/* 'text' on one line, as SQL and Python write strings.  It is reported
 * (E101) and becomes the STRING it was meant to be, so `sources 'fipe'`
 * costs one error rather than a cascade.  A closing quote followed by a
 * letter is the start of a meta attribute instead (`concat('id, 'source)`):
 * then the text is a meta attribute, or a stray quote. */
static const unsigned char *single_quoted(Lexer *L, const unsigned char *start, const unsigned char *stop)
{
    if (!is_ident_char(*stop)) {
        size_t n = (size_t)(stop - start) - 2;
        DplDiag *d = error_at(L, DPL_E101, start, stop, "unexpected character `'`: strings are written in double quotes");
        dpl_diag_label(d, "a string in single quotes");
        dpl_diag_help(d, "write \"%.*s\"", (int)n, (const char *)start + 1);
        fix_string(L, d, start, stop, start + 1, n);
        DplToken *t = emit(L, DPL_TOK_STRING, start, stop);
        t->str = dpl_arena_strndup(L->arena, (const char *)start + 1, n);
        t->str_len = n;
        return stop;
    }
    const unsigned char *p = start + 1;
    if (!is_ident_char(*p) || (*p >= '0' && *p <= '9'))
        return stray(L, start);
    while (is_ident_char(*p))
        p++;
    DplToken *t = emit(L, DPL_TOK_META, start, p);
    t->str = dpl_arena_strndup(L->arena, (const char *)start + 1, (size_t)(p - start - 1));
    t->str_len = (size_t)(p - start - 1);
    return p;
}

static bool is_line_end(const Lexer *L, const unsigned char *p)
{
    return p == L->end || *p == '\n' || *p == '\r';
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads the 4 hex digits after "\u" at p (p points at the backslash).
 * Returns the value, or -1 when fewer than 4 hex digits follow. */
static long read_u4(const Lexer *L, const unsigned char *p)
{
    long v = 0;
    for (int i = 2; i < 6; i++) {
        if (p + i >= L->end)
            return -1;
        int h = hex_value(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Scans a string whose opening quote is at start; emits STRING (decoded
 * value in the arena) or, after any error, one ERROR token covering the
 * lexeme.  Returns the position after the string. */
static const unsigned char *scan_string(Lexer *L, const unsigned char *start)
{
    DplBuf buf = {0};
    bool bad = false;
    const unsigned char *p = start + 1;
    for (;;) {
        if (is_line_end(L, p)) {
            DplDiag *d = error_at(L, DPL_E102, start, p, "unterminated string");
            dpl_diag_label(d, "this string is never closed");
            dpl_diag_help(d, "close it with `\"` on the same line; write a line break as \\n");
            bad = true;
            break;
        }
        unsigned char c = *p;
        if (c == '"') {
            p++;
            break;
        }
        if (c == '\\') {
            const unsigned char *e = p + 1;
            char out = 0;
            switch (is_line_end(L, e) ? 0 : *e) {
            case '"': out = '"'; break;
            case '\\': out = '\\'; break;
            case '/': out = '/'; break;
            case 'b': out = '\b'; break;
            case 'f': out = '\f'; break;
            case 'n': out = '\n'; break;
            case 'r': out = '\r'; break;
            case 't': out = '\t'; break;
            case 'u': {
                long u = read_u4(L, p);
                if (u < 0) {
                    const unsigned char *q = p + 2;
                    while (q < p + 6 && q < L->end && hex_value(*q) >= 0)
                        q++;
                    DplDiag *d = error_at(L, DPL_E103, p, q, "invalid escape sequence `%.*s`: \\u needs 4 hex digits",
                                          (int)(q - p), (const char *)p);
                    (void)d;
                    bad = true;
                    p = q;
                    continue;
                }
                uint32_t cp = (uint32_t)u;
                const unsigned char *next = p + 6;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    long lo = (next + 1 < L->end && next[0] == '\\' && next[1] == 'u') ? read_u4(L, next) : -1;
                    if (lo < 0xDC00 || lo > 0xDFFF) {
                        error_at(L, DPL_E103, p, next, "invalid escape sequence `%.*s`: high surrogate without a low surrogate",
                                 6, (const char *)p);
                        bad = true;
                        p = next;
                        continue;
                    }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                    next += 6;
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    error_at(L, DPL_E103, p, next, "invalid escape sequence `%.*s`: low surrogate without a high surrogate", 6,
                             (const char *)p);
                    bad = true;
                    p = next;
                    continue;
                }
                char enc[4];
                dpl_utf8_encode(cp, enc);
                dpl_buf_append(&buf, enc, (size_t)dpl_utf8_encode(cp, enc));
                p = next;
                continue;
            }
            default: {
                if (is_line_end(L, e)) {
                    /* "abc\ at line end: the string is unterminated; say so once. */
                    p = e;
                    continue;
                }
                uint32_t cp;
                int n = dpl_utf8_decode((const char *)e, (size_t)(L->end - e), &cp);
                DplDiag *d;
                if (n < 0 || cp < 0x20 || cp == 0x7F) {
                    /* keep the message valid UTF-8 and printable */
                    d = error_at(L, DPL_E103, p, e + 1, "invalid escape sequence: backslash before byte 0x%02X", *e);
                    n = 1;
                } else {
                    d = error_at(L, DPL_E103, p, e + n, "invalid escape sequence `\\%.*s`", n, (const char *)e);
                }
                dpl_diag_help(d, "valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; write a backslash as \\\\");
                bad = true;
                p = e + n;
                continue;
            }
            }
            dpl_buf_putc(&buf, out);
            p = e + 1;
            continue;
        }
        if (c == 0) {
            error_at(L, DPL_E101, p, p + 1, "unexpected NUL byte in string");
            bad = true;
            p++;
            continue;
        }
        uint32_t cp;
        int n = dpl_utf8_decode((const char *)p, (size_t)(L->end - p), &cp);
        if (n < 0) {
            error_at(L, DPL_E101, p, p + 1, "invalid UTF-8 byte 0x%02X in string", c);
            bad = true;
            p++;
            continue;
        }
        dpl_buf_append(&buf, p, (size_t)n);
        p += n;
    }
    if (bad) {
        emit(L, DPL_TOK_ERROR, start, p);
    } else {
        DplToken *t = emit(L, DPL_TOK_STRING, start, p);
        t->str = dpl_arena_strndup(L->arena, buf.data ? buf.data : "", buf.len);
        t->str_len = buf.len;
    }
    dpl_buf_free(&buf);
    return p;
}

/* Scans a comment from '#' to the end of the line (a CR before the LF is not
 * part of it).  Bad bytes inside are reported but do not end the comment. */
static const unsigned char *scan_comment(Lexer *L, const unsigned char *start)
{
    const unsigned char *p = start + 1;
    while (p < L->end && *p != '\n' && !(*p == '\r' && p[1] == '\n')) {
        uint32_t cp;
        int n = dpl_utf8_decode((const char *)p, (size_t)(L->end - p), &cp);
        if (*p == 0) {
            error_at(L, DPL_E101, p, p + 1, "unexpected NUL byte in comment");
            n = 1;
        } else if (n < 0) {
            error_at(L, DPL_E101, p, p + 1, "invalid UTF-8 byte 0x%02X in comment", *p);
            n = 1;
        }
        p += n;
    }
    if (L->keep_comments) {
        DplToken *t = emit(L, DPL_TOK_COMMENT, start, p);
        t->str = dpl_arena_strndup(L->arena, (const char *)start, (size_t)(p - start));
        t->str_len = (size_t)(p - start);
    }
    return p;
}

static void lex_int(Lexer *L, const unsigned char *start, const unsigned char *stop)
{
    if (stop - start > 1 && *start == '0') {
        DplDiag *d = error_at(L, DPL_E104, start, stop, "invalid number literal `%.*s`: leading zero",
                              (int)(stop - start), (const char *)start);
        dpl_diag_help(d, "write the number without leading zeros, or as a string if the zeros matter");
        emit(L, DPL_TOK_ERROR, start, stop);
        return;
    }
    int64_t v = 0;
    for (const unsigned char *p = start; p < stop; p++) {
        int digit = *p - '0';
        if (v > (INT64_MAX - digit) / 10) {
            DplDiag *d = error_at(L, DPL_E104, start, stop, "integer literal `%.*s` is out of range",
                                  (int)(stop - start), (const char *)start);
            dpl_diag_help(d, "integers are 64-bit signed (at most 9223372036854775807); "
                             "write a decimal such as 1e20 for larger values");
            emit(L, DPL_TOK_ERROR, start, stop);
            return;
        }
        v = v * 10 + digit;
    }
    emit(L, DPL_TOK_INT, start, stop)->num.i = v;
}

static void lex_real(Lexer *L, const unsigned char *start, const unsigned char *stop)
{
    char tmp[64];
    char *heap = NULL, *text = tmp;
    size_t n = (size_t)(stop - start);
    if (n >= sizeof tmp)
        text = heap = dpl_malloc(n + 1);
    memcpy(text, start, n);
    text[n] = 0;
    errno = 0;
    double r = strtod(text, NULL);
    dpl_free(heap);
    if (errno == ERANGE && (r > 1.0 || r < -1.0)) {
        error_at(L, DPL_E104, start, stop, "number literal `%.*s` is out of range", (int)n, (const char *)start);
        emit(L, DPL_TOK_ERROR, start, stop);
        return;
    }
    /* Underflow to (sub)normal or zero is what the user wrote, near enough. */
    emit(L, DPL_TOK_REAL, start, stop)->num.r = r;
}

static void lex_bad_number(Lexer *L, const unsigned char *start, const unsigned char *stop)
{
    DplDiag *d = error_at(L, DPL_E104, start, stop, "invalid number literal `%.*s`", (int)(stop - start),
                          (const char *)start);
    dpl_diag_help(d, "numbers look like 42, 1.5, 2e10 or 1.5e-3");
    emit(L, DPL_TOK_ERROR, start, stop);
}

DplTokens dpl_lex(const DplSource *src, DplArena *arena, DplDiagList *diags, bool keep_comments)
{
    Lexer L = {0};
    L.src = src;
    L.arena = arena;
    L.diags = diags;
    L.keep_comments = keep_comments;
    L.base = (const unsigned char *)src->text;
    L.end = L.base + src->len;
    L.line = 1;
    L.col = 1;

    const unsigned char *cur = L.base, *mar = cur;
    for (;;) {
        const unsigned char *tok = cur;
/* No do/while(0) here: `continue` must reach the scanning loop. */
#define TOKEN(k)                 \
    {                            \
        emit(&L, (k), tok, cur); \
        continue;                \
    }
        /*!re2c
        re2c:define:YYCTYPE = "unsigned char";
        re2c:define:YYCURSOR = cur;
        re2c:define:YYMARKER = mar;
        re2c:yyfill:enable = 0;
        re2c:indent:top = 2;

        digits = [0-9]+;
        exp    = [eE] [+-]? digits;
        ident  = [A-Za-z_][A-Za-z0-9_]*;

        "\x00" {
            if (tok == L.end) {
                emit(&L, DPL_TOK_EOF, tok, tok);
                break;
            }
            cur = stray(&L, tok);
            continue;
        }
        "\r"? "\n" {
            emit(&L, DPL_TOK_NEWLINE, tok, cur);
            L.line++;
            L.line_start = L.col_off = off_of(&L, cur);
            L.col = 1;
            /* The token's end is the start of the next line. */
            L.toks.items[L.toks.len - 1].end = (DplPos){L.line, 1};
            continue;
        }
        [ \t\f\v\r]+ { continue; }
        "#"  { cur = scan_comment(&L, tok); continue; }
        "\"" { cur = scan_string(&L, tok); continue; }

        ident {
            DplTokKind k = dpl_tok_keyword((const char *)tok, (size_t)(cur - tok));
            DplToken *t = emit(&L, k, tok, cur);
            if (k == DPL_TOK_IDENT) {
                t->str = dpl_arena_strndup(L.arena, (const char *)tok, (size_t)(cur - tok));
                t->str_len = (size_t)(cur - tok);
            }
            continue;
        }
        "'" ident {
            DplToken *t = emit(&L, DPL_TOK_META, tok, cur);
            t->str = dpl_arena_strndup(L.arena, (const char *)tok + 1, (size_t)(cur - tok - 1));
            t->str_len = (size_t)(cur - tok - 1);
            continue;
        }

        "'" [^'"\n\r\x00]* "'" { cur = single_quoted(&L, tok, cur); continue; }

        digits                         { lex_int(&L, tok, cur); continue; }
        digits "." digits exp? | digits exp { lex_real(&L, tok, cur); continue; }
        digits ("." digits)? [eE] [+-]? { lex_bad_number(&L, tok, cur); continue; }
        digits "." {
            /* no INT `.` sequence is valid DPL (path segments are names),
             * so `1.` is a decimal missing its digits, not two tokens */
            DplDiag *d = error_at(&L, DPL_E104, tok, cur, "invalid number literal `%.*s`: no digit after the decimal point",
                                  (int)(cur - tok), (const char *)tok);
            dpl_diag_help(d, "write `%.*s0`", (int)(cur - tok), (const char *)tok);
            emit(&L, DPL_TOK_ERROR, tok, cur);
            continue;
        }
        digits ("." digits)? exp? [A-Za-z_] [A-Za-z0-9_]* { lex_bad_number(&L, tok, cur); continue; }

        "{"  { TOKEN(DPL_TOK_LBRACE); }
        "}"  { TOKEN(DPL_TOK_RBRACE); }
        "("  { TOKEN(DPL_TOK_LPAREN); }
        ")"  { TOKEN(DPL_TOK_RPAREN); }
        "["  { TOKEN(DPL_TOK_LBRACKET); }
        "]"  { TOKEN(DPL_TOK_RBRACKET); }
        ","  { TOKEN(DPL_TOK_COMMA); }
        "."  { TOKEN(DPL_TOK_DOT); }
        "->" { TOKEN(DPL_TOK_ARROW); }
        "??" { TOKEN(DPL_TOK_COALESCE); }
        "==" { TOKEN(DPL_TOK_EQ); }
        "!=" { TOKEN(DPL_TOK_NE); }
        "<"  { TOKEN(DPL_TOK_LT); }
        "<=" { TOKEN(DPL_TOK_LE); }
        ">"  { TOKEN(DPL_TOK_GT); }
        ">=" { TOKEN(DPL_TOK_GE); }
        "+"  { TOKEN(DPL_TOK_PLUS); }
        "-"  { TOKEN(DPL_TOK_MINUS); }
        "*"  { TOKEN(DPL_TOK_STAR); }
        "/"  { TOKEN(DPL_TOK_SLASH); }
        "%"  { TOKEN(DPL_TOK_PERCENT); }
        "!"  { TOKEN(DPL_TOK_BANG); }
        "&&" { TOKEN(DPL_TOK_AMPAMP); }
        "||" { TOKEN(DPL_TOK_PIPEPIPE); }

        * { cur = stray(&L, tok); continue; }
        */
#undef TOKEN
    }
    (void)mar;
    dpl_arena_defer(arena, dpl_free, L.toks.items);
    return (DplTokens){L.toks.items, L.toks.len};
}
