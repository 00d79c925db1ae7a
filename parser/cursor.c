/* cursor.c — the parser's token cursor, newline rules, panic mode and
 * "expected X, found Y" messages. */
#include <stdio.h>

#include "parser/internal.h"

static const DplToken no_token; /* prev() before anything was consumed */

static void skip_ignored(Parser *p)
{
    for (;;) {
        DplTokKind k = p->toks[p->pos].kind;
        if (k == DPL_TOK_ERROR) {
            /* Already reported by the lexer: stay quiet until the next
             * boundary rather than report what follows from it. */
            if (!p->panic)
                p->panic_pos = p->pos;
            p->panic = true;
        } else if (!(k == DPL_TOK_NEWLINE && p->nest > 0)) {
            return;
        }
        p->pos++;
    }
}

void dpl_parser_init(Parser *p, DplArena *arena, const DplSource *src, DplDiagList *diags)
{
    *p = (Parser){0};
    p->arena = arena;
    p->src = src;
    p->diags = diags;
    DplTokens toks = dpl_lex(src, arena, diags, false);
    p->toks = toks.items;
    p->ntoks = toks.len;
    p->prev_idx = (size_t)-1;
    skip_ignored(p);
}

const DplToken *cur(const Parser *p) { return &p->toks[p->pos]; }

const DplToken *prev(const Parser *p)
{
    return p->prev_idx == (size_t)-1 ? &no_token : &p->toks[p->prev_idx];
}

bool check(const Parser *p, DplTokKind k) { return p->toks[p->pos].kind == k; }

void advance(Parser *p)
{
    if (check(p, DPL_TOK_EOF))
        return;
    p->prev_idx = p->pos++;
    skip_ignored(p);
}

void skip_newlines(Parser *p)
{
    while (check(p, DPL_TOK_NEWLINE))
        advance(p);
}

void skip_separators(Parser *p, bool commas)
{
    while (check(p, DPL_TOK_NEWLINE) || (commas && check(p, DPL_TOK_COMMA))) {
        p->panic = false;
        advance(p);
    }
}

void open_nest(Parser *p)
{
    p->nest++;
    skip_newlines(p);
}

void close_nest(Parser *p)
{
    if (p->nest > 0)
        p->nest--;
}

bool dpl_parser_at_line_start(const Parser *p, size_t idx)
{
    size_t j = idx;
    while (j > 0 && p->toks[j - 1].kind == DPL_TOK_ERROR)
        j--;
    return j == 0 || p->toks[j - 1].kind == DPL_TOK_NEWLINE;
}

DplDiag *error_at(Parser *p, DplSpan span, DplCode code, const char *fmt, ...)
{
    if (p->panic)
        return NULL;
    p->panic = true;
    p->panic_pos = p->pos;
    va_list ap;
    va_start(ap, fmt);
    char *msg = dpl_vasprintf(fmt, ap);
    va_end(ap);
    DplDiag *d = dpl_diag_add(p->diags, code, span, "%s", msg);
    dpl_free(msg);
    return d;
}

/* How a token is named in "found ..." */
static void describe(const Parser *p, const DplToken *t, char *out, size_t n)
{
    const char *text = p->src->text + t->span.start;
    int len = (int)(t->span.end - t->span.start);
    bool cut = len > 32;
    if (cut) {
        len = 32;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--; /* never split a UTF-8 sequence: messages stay valid UTF-8 */
    }
    switch (t->kind) {
    case DPL_TOK_EOF: snprintf(out, n, "end of file"); break;
    case DPL_TOK_NEWLINE: snprintf(out, n, "end of line"); break;
    case DPL_TOK_IDENT: snprintf(out, n, "identifier `%.*s`", len, text); break;
    case DPL_TOK_STRING: snprintf(out, n, "string %.*s%s", len, text, cut ? "...\"" : ""); break;
    case DPL_TOK_INT:
    case DPL_TOK_REAL: snprintf(out, n, "number `%.*s`", len, text); break;
    case DPL_TOK_META: snprintf(out, n, "meta attribute `%.*s`", len, text); break;
    default:
        if (dpl_tok_is_keyword(t->kind))
            snprintf(out, n, "keyword `%s`", dpl_tok_spelling(t->kind));
        else
            snprintf(out, n, "`%s`", dpl_tok_spelling(t->kind));
        break;
    }
}

DplDiag *error_expected(Parser *p, const char *what)
{
    char found[96];
    describe(p, cur(p), found, sizeof found);
    DplDiag *d = error_at(p, cur(p)->span, DPL_E201, "expected %s, found %s", what, found);
    if (d)
        dpl_diag_label(d, "expected %s", what);
    return d;
}

void dpl_p_fix_quote(DplDiag *d, const DplToken *t)
{
    const char *name = t->kind == DPL_TOK_IDENT ? t->str : dpl_tok_spelling(t->kind);
    char *quoted = dpl_asprintf("\"%s\"", name ? name : "");
    dpl_diag_fix(d, t->span, quoted);
    dpl_free(quoted);
}
