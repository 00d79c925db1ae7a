/* fmt.c — the canonical layout of a DPL program (spec §10, docs/fmt.md).
 *
 * The parser gives the structure; a second lex with comments kept gives
 * the comments and the braces.  The program is first flattened into
 * "units" — the lines the output will have (a statement header, one block
 * item, a closing brace, a one-line statement), each knowing the source
 * bytes it came from — and then the units and the comments are merged by
 * source position:
 *   - a comment that starts before a unit ends is printed on its own line
 *     before that unit (comments inside a multi-line item move above it);
 *   - a comment on the same source line as the end of a unit, before the
 *     next unit starts, trails that unit's output line;
 *   - a blank line in the source between two output lines is kept (one),
 *     except right after `{`, right before `}` and at the top of the file.
 * Every rule depends only on relative positions that formatting preserves,
 * which is what makes the output a fixed point. */
#include "fmt/fmt.h"

#include "fmt/internal.h"
#include "lexer/lexer.h"
#include "parser/parser.h"

typedef struct {
    uint32_t start, end; /* source bytes the line was made from */
    int indent;
    bool open;  /* ends with `{`: no blank line may follow */
    bool close; /* a lone `}`: comments before it are inside the block */
    char *text; /* arena */
} Unit;

typedef struct {
    const DplSource *src;
    DplArena *arena;
    DPL_VEC(Unit) units;
    DPL_VEC(DplSpan) comments;
    DPL_VEC(DplSpan) lbraces;
    DPL_VEC(DplSpan) rbraces;
    DplBuf line; /* the unit being built */
    DplBuf out;
    uint32_t last_end; /* source end of the last thing printed */
    bool no_blank;     /* the next line may not be preceded by a blank one */
} Fmt;

/* ---- units ------------------------------------------------------------- */

static void push_unit(Fmt *f, uint32_t start, uint32_t end, int indent, bool open, bool close)
{
    Unit u = {start, end,   indent,
              open,  close, dpl_arena_strndup(f->arena, f->line.data ? f->line.data : "", f->line.len)};
    dpl_vec_push(f->arena, &f->units, u);
    dpl_buf_reset(&f->line);
}

/* First span in v starting at or after pos (v is sorted), or NULL. */
static const DplSpan *first_from(const DplSpan *v, size_t n, uint32_t pos)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].start < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n ? &v[lo] : NULL;
}

static bool comment_between(const Fmt *f, uint32_t a, uint32_t b)
{
    const DplSpan *c = first_from(f->comments.items, f->comments.len, a);
    return c && c->start < b;
}

typedef void (*ItemFn)(Fmt *f, const DplStmt *s, size_t i, DplSpan *span);

/* A statement with a block: `header {`, one unit per item, `}` — or
 * `header {}` when the block holds neither items nor comments.  The header
 * text is already in f->line. */
static void block(Fmt *f, const DplStmt *s, size_t nitems, ItemFn item)
{
    const DplSpan *lb = first_from(f->lbraces.items, f->lbraces.len, s->span.start);
    const DplSpan *rb = lb ? first_from(f->rbraces.items, f->rbraces.len, lb->end) : NULL;
    if (!lb || !rb) { /* unreachable for a program that parsed */
        dpl_buf_puts(&f->line, " {}");
        push_unit(f, s->span.start, s->span.end, 0, false, false);
        return;
    }
    if (nitems == 0 && !comment_between(f, lb->end, rb->start)) {
        dpl_buf_puts(&f->line, " {}");
        push_unit(f, s->span.start, rb->end, 0, false, false);
        return;
    }
    dpl_buf_puts(&f->line, " {");
    push_unit(f, s->span.start, lb->end, 0, true, false);
    for (size_t i = 0; i < nitems; i++) {
        DplSpan span;
        item(f, s, i, &span);
        push_unit(f, span.start, span.end, 1, false, false);
    }
    dpl_buf_putc(&f->line, '}');
    push_unit(f, rb->start, rb->end, 0, false, true);
}

static void expr_item(Fmt *f, const DplExpr *e, DplSpan *span)
{
    dpl_fmt_expr(&f->line, f->src, e);
    *span = e->span;
}

static void entity_key(Fmt *f, const DplStmt *s, size_t i, DplSpan *span)
{
    expr_item(f, s->u.entity.keys[i], span);
}

static void mandatory_path(Fmt *f, const DplStmt *s, size_t i, DplSpan *span)
{
    expr_item(f, s->u.mandatory.paths[i], span);
}

static void requirement_expr(Fmt *f, const DplStmt *s, size_t i, DplSpan *span)
{
    expr_item(f, s->u.requirement.exprs[i], span);
}

static void where_expr(Fmt *f, const DplStmt *s, size_t i, DplSpan *span)
{
    expr_item(f, s->u.where.exprs[i], span);
}

static void add_item(Fmt *f, const DplStmt *s, size_t i, DplSpan *span)
{
    const DplAddItem *it = &s->u.add.items[i];
    DplBuf *b = &f->line;
    *span = it->span;
    switch (it->kind) {
    case DPL_ITEM_ALL:
        dpl_buf_puts(b, "all");
        return;
    case DPL_ITEM_DELETE:
        dpl_buf_puts(b, "delete ");
        dpl_fmt_expr(b, f->src, it->value);
        return;
    case DPL_ITEM_VALUE:
        break;
    }
    if (it->modifier == DPL_MOD_APPEND)
        dpl_buf_puts(b, "append ");
    else if (it->modifier == DPL_MOD_OVERWRITE)
        dpl_buf_puts(b, "overwrite ");
    dpl_fmt_expr(b, f->src, it->value);
    if (it->has_target) {
        dpl_buf_puts(b, " -> ");
        for (size_t k = 0; k < it->target.nsegs; k++) {
            if (k)
                dpl_buf_putc(b, '.');
            dpl_buf_puts(b, it->target.segs[k]);
        }
    }
    if (it->cond) {
        dpl_buf_puts(b, " if ");
        dpl_fmt_expr(b, f->src, it->cond);
    }
}

static void stmt_units(Fmt *f, const DplStmt *s)
{
    DplBuf *b = &f->line;
    switch (s->kind) {
    case DPL_STMT_ENTITY:
        if (s->u.entity.substitutive)
            dpl_buf_puts(b, "substitutive ");
        dpl_buf_puts(b, "entity ");
        dpl_ast_quote(b, s->u.entity.name, s->u.entity.name_len);
        block(f, s, s->u.entity.nkeys, entity_key);
        return;
    case DPL_STMT_SOURCES:
        dpl_buf_puts(b, "sources ");
        for (size_t i = 0; i < s->u.sources.nnames; i++) {
            if (i)
                dpl_buf_puts(b, ", ");
            dpl_ast_quote(b, s->u.sources.names[i], s->u.sources.name_lens[i]);
        }
        if (s->u.sources.using_path) {
            dpl_buf_puts(b, " using ");
            dpl_path_print(b, s->u.sources.using_path);
        }
        push_unit(f, s->span.start, s->span.end, 0, false, false);
        return;
    case DPL_STMT_MANDATORY:
        dpl_buf_puts(b, "mandatory");
        block(f, s, s->u.mandatory.npaths, mandatory_path);
        return;
    case DPL_STMT_REQUIREMENT:
        dpl_buf_puts(b, "requirement");
        block(f, s, s->u.requirement.nexprs, requirement_expr);
        return;
    case DPL_STMT_WHERE:
        dpl_buf_puts(b, "where");
        block(f, s, s->u.where.nexprs, where_expr);
        return;
    case DPL_STMT_ADD:
        dpl_buf_puts(b, "add");
        if (s->u.add.from) {
            dpl_buf_puts(b, " from ");
            dpl_path_print(b, s->u.add.from);
        }
        block(f, s, s->u.add.nitems, add_item);
        return;
    }
}

/* ---- merging units and comments ----------------------------------------- */

static size_t newlines_between(const Fmt *f, uint32_t a, uint32_t b)
{
    size_t n = 0;
    for (uint32_t i = a; i < b && i < f->src->len; i++)
        n += f->src->text[i] == '\n';
    return n;
}

/* Starts an output line for something that begins at source offset start. */
static void begin_line(Fmt *f, uint32_t start, int indent)
{
    if (!f->no_blank && start > f->last_end && newlines_between(f, f->last_end, start) >= 2)
        dpl_buf_putc(&f->out, '\n');
    f->no_blank = false;
    for (int i = 0; i < indent; i++)
        dpl_buf_puts(&f->out, "    ");
}

/* The comment's text without surrounding blanks (a CRLF file leaves a CR). */
static void put_comment(Fmt *f, DplSpan c)
{
    const char *t = f->src->text + c.start;
    size_t n = c.end - c.start;
    while (n && (*t == ' ' || *t == '\t'))
        t++, n--;
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\r' || t[n - 1] == '\n'))
        n--;
    dpl_buf_append(&f->out, t, n);
    if (c.end > f->last_end)
        f->last_end = c.end;
}

static void own_line_comment(Fmt *f, DplSpan c, int indent)
{
    begin_line(f, c.start, indent);
    put_comment(f, c);
    dpl_buf_putc(&f->out, '\n');
}

static void merge(Fmt *f)
{
    size_t ci = 0, nc = f->comments.len;
    const DplSpan *cs = f->comments.items;
    for (size_t k = 0; k < f->units.len; k++) {
        const Unit *u = &f->units.items[k];
        /* Comments of the gap before u, and those inside u's own source. */
        while (ci < nc && cs[ci].start < u->end)
            own_line_comment(f, cs[ci++], u->close ? u->indent + 1 : u->indent);
        if (u->close)
            f->no_blank = true;
        begin_line(f, u->start, u->indent);
        dpl_buf_puts(&f->out, u->text);
        if (u->end > f->last_end)
            f->last_end = u->end;
        uint32_t next = k + 1 < f->units.len ? f->units.items[k + 1].start : UINT32_MAX;
        if (ci < nc && cs[ci].start < next && newlines_between(f, u->end, cs[ci].start) == 0) {
            dpl_buf_puts(&f->out, "  ");
            put_comment(f, cs[ci++]);
        }
        dpl_buf_putc(&f->out, '\n');
        f->no_blank = u->open;
    }
    while (ci < nc)
        own_line_comment(f, cs[ci++], 0);
}

/* ---- entry point ---------------------------------------------------------- */

static void collect_tokens(Fmt *f)
{
    DplDiagList scratch = {0}; /* dpl_parse already reported the lexical problems */
    DplTokens toks = dpl_lex(f->src, f->arena, &scratch, true);
    dpl_diag_list_free(&scratch);
    for (size_t i = 0; i < toks.len; i++) {
        const DplToken *t = &toks.items[i];
        if (t->kind == DPL_TOK_COMMENT)
            dpl_vec_push(f->arena, &f->comments, t->span);
        else if (t->kind == DPL_TOK_LBRACE)
            dpl_vec_push(f->arena, &f->lbraces, t->span);
        else if (t->kind == DPL_TOK_RBRACE)
            dpl_vec_push(f->arena, &f->rbraces, t->span);
    }
}

char *dpl_fmt(const DplSource *src, DplDiagList *diags)
{
    size_t errors_before = dpl_diag_count(diags, DPL_SEV_ERROR);
    DplProgram *prog = dpl_parse(src, diags);
    if (dpl_diag_count(diags, DPL_SEV_ERROR) > errors_before) {
        dpl_program_free(prog);
        return NULL;
    }
    Fmt f = {.src = src, .arena = dpl_arena_new(), .no_blank = true};
    collect_tokens(&f);
    for (size_t i = 0; i < prog->nstmts; i++)
        stmt_units(&f, &prog->stmts[i]);
    merge(&f);
    dpl_program_free(prog);
    dpl_buf_free(&f.line);
    dpl_arena_free(f.arena);
    /* An empty program (or only blanks) formats to the empty text. */
    if (!f.out.data)
        return dpl_strdup("");
    return dpl_buf_take(&f.out);
}
