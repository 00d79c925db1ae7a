/* parser.c — DPL statements (spec §4) with clox-style error recovery.
 *
 * The expression grammar (Pratt, precedence of §6) lives in expr.c; paths,
 * the token cursor and diagnostics helpers in cursor.c.  This file parses
 * the statements and blocks and decides where to resynchronise after a
 * syntax error:
 *   - inside a block, at the next item boundary (newline or comma outside
 *     parentheses) or the closing brace;
 *   - between statements, at the next statement keyword that starts a line.
 * panic mode (see internal.h) keeps errors that only follow from an earlier
 * one quiet until the next boundary.
 */
#include <string.h>

#include "parser/internal.h"

static const DplTokKind statement_keywords[] = {
    DPL_TOK_KW_ENTITY, DPL_TOK_KW_SUBSTITUTIVE, DPL_TOK_KW_SOURCES,
    DPL_TOK_KW_MANDATORY, DPL_TOK_KW_REQUIREMENT, DPL_TOK_KW_ADD, DPL_TOK_KW_WHERE,
};

static bool is_statement_keyword(DplTokKind k)
{
    for (size_t i = 0; i < sizeof statement_keywords / sizeof *statement_keywords; i++)
        if (statement_keywords[i] == k)
            return true;
    return false;
}

/* A statement keyword at the start of a line: the one place the parser can
 * always restart from. */
static bool at_statement_start(const Parser *p)
{
    return is_statement_keyword(cur(p)->kind) && dpl_parser_at_line_start(p, p->pos);
}

/* An identifier that starts a line and is followed by `{` on that line: a
 * misspelt statement keyword, worth its own E203. */
static bool at_unknown_statement(const Parser *p)
{
    if (!check(p, DPL_TOK_IDENT) || !dpl_parser_at_line_start(p, p->pos))
        return false;
    for (size_t i = p->pos + 1; p->toks[i].kind != DPL_TOK_EOF && p->toks[i].kind != DPL_TOK_NEWLINE; i++)
        if (p->toks[i].kind == DPL_TOK_LBRACE)
            return true;
    return false;
}

/* Skips to the next statement keyword at a line start (or end of file). */
static void sync_statement(Parser *p)
{
    p->nest = 0;
    while (cur(p)->kind != DPL_TOK_EOF && !at_statement_start(p) && !at_unknown_statement(p))
        advance(p);
}

/* Where to restart when the item's brackets are never closed: the line
 * after the one where the error began (or that line itself when the error is
 * its first token), so an unclosed `(` costs one line, not the rest of the
 * block.  Returns false when no line break comes before `limit`. */
static bool restart_after_error(Parser *p, size_t item_start, size_t stop, size_t limit)
{
    size_t from = p->panic && p->panic_pos > item_start && p->panic_pos < stop ? p->panic_pos : stop;
    if (from > item_start && dpl_parser_at_line_start(p, from) && p->toks[from].kind != DPL_TOK_ERROR) {
        p->pos = from;
        p->prev_idx = from - 1;
        p->panic = false; /* a fresh line: its errors are independent */
        return true;
    }
    for (size_t i = from; i < limit; i++) {
        if (p->toks[i].kind == DPL_TOK_NEWLINE) {
            p->pos = i; /* the block loop skips it and leaves panic mode */
            p->prev_idx = i - 1;
            return true;
        }
    }
    return false;
}

/* Skips the rest of an item after a syntax error: up to the next newline or
 * comma that is not inside ( ) or [ ] opened by this item, the block's
 * closing brace, or a statement keyword at a line start.  The item is
 * re-scanned from its first token so brackets consumed before the error
 * still count.  Brackets that are still open when the block ends were never
 * closed: then the item ends at the line break after the error instead
 * (restart_after_error), and the following lines are items again. */
static void sync_item(Parser *p, size_t item_start)
{
    p->nest = 0;
    size_t stop = p->pos;
    long depth = 0;
    for (size_t i = item_start; i < p->pos; i++) {
        DplTokKind k = p->toks[i].kind;
        if (k == DPL_TOK_LPAREN || k == DPL_TOK_LBRACKET)
            depth++;
        else if ((k == DPL_TOK_RPAREN || k == DPL_TOK_RBRACKET) && depth > 0)
            depth--;
    }
    /* A `{` is never part of an item, so a stray one is not balanced: the
     * next `}` outside brackets is taken as the block's end. */
    for (;;) {
        DplTokKind k = cur(p)->kind;
        if (k == DPL_TOK_EOF || at_statement_start(p) || (depth > 0 && k == DPL_TOK_RBRACE)) {
            if (depth > 0)
                restart_after_error(p, item_start, stop, p->pos);
            return;
        }
        if (depth == 0 && (k == DPL_TOK_NEWLINE || k == DPL_TOK_COMMA || k == DPL_TOK_RBRACE))
            return;
        if (k == DPL_TOK_LPAREN || k == DPL_TOK_LBRACKET)
            depth++;
        else if ((k == DPL_TOK_RPAREN || k == DPL_TOK_RBRACKET) && depth > 0)
            depth--;
        advance(p);
    }
}

/* ---- blocks ----------------------------------------------------------------- */

typedef void (*ItemFn)(Parser *p, void *ctx);

/* block = "{" { item ( NEWLINE | "," ) } "}"
 * Calls item() for each item; returns false if the opening brace is missing
 * (the caller resynchronises at statement level). */
static bool parse_block(Parser *p, const char *what, ItemFn item, void *ctx)
{
    skip_newlines(p); /* the `{` may start the next line */
    if (!check(p, DPL_TOK_LBRACE)) {
        error_expected(p, "`{`");
        return false;
    }
    const DplToken *open = cur(p);
    advance(p);
    for (;;) {
        skip_separators(p, true);
        DplTokKind k = cur(p)->kind;
        if (k == DPL_TOK_RBRACE) {
            advance(p);
            return true;
        }
        if (k == DPL_TOK_EOF || at_statement_start(p)) {
            DplDiag *d = error_at(p, open->span, DPL_E202, "unclosed block: this `{` of `%s` is never closed", what);
            if (d) {
                dpl_diag_label(d, "unclosed `{`");
                if (k == DPL_TOK_EOF)
                    dpl_diag_help(d, "add `}` at the end of the block");
                else
                    dpl_diag_help(d, "add `}` before `%s` on line %u", dpl_tok_spelling(k), (unsigned)cur(p)->start.line);
            }
            return true;
        }
        size_t start = p->pos;
        item(p, ctx);
        k = cur(p)->kind;
        if (k == DPL_TOK_NEWLINE || k == DPL_TOK_COMMA || k == DPL_TOK_RBRACE || k == DPL_TOK_EOF)
            continue;
        if (at_statement_start(p))
            continue;
        error_expected(p, "a newline, `,` or `}` after the item");
        sync_item(p, start);
        if (p->pos == start)
            advance(p); /* guarantee progress */
    }
}

/* ---- items -------------------------------------------------------------------- */

typedef DPL_VEC(DplExpr *) ExprVec;

static void expr_item(Parser *p, void *ctx)
{
    ExprVec *v = ctx;
    DplExpr *e = dpl_parse_expression(p);
    dpl_vec_push(p->arena, v, e);
}

static void path_item(Parser *p, void *ctx)
{
    ExprVec *v = ctx;
    if (check(p, DPL_TOK_META) && strcmp(cur(p)->str, "id") == 0) {
        /* `'id` is the checker's E308 (the id is not known yet), which
         * says more than "expected a path". */
        dpl_vec_push(p->arena, v, dpl_parse_expression(p));
        return;
    }
    if (!check(p, DPL_TOK_IDENT) && !check(p, DPL_TOK_STRING)) {
        DplDiag *d = error_expected(p, "a path");
        if (d && check(p, DPL_TOK_META))
            dpl_diag_help(d, "meta attributes are always known; `mandatory` lists fields of the record");
        return;
    }
    DplExpr *e = dpl_parse_path_expr(p);
    dpl_vec_push(p->arena, v, e);
}

/* target = IDENT { "." IDENT } */
static bool parse_target(Parser *p, DplTarget *t)
{
    DPL_VEC(const char *) segs = {0};
    uint32_t start = cur(p)->span.start;
    for (;;) {
        if (!check(p, DPL_TOK_IDENT)) {
            DplDiag *d = error_expected(p, "an attribute name");
            if (d && dpl_tok_is_keyword(cur(p)->kind))
                dpl_diag_help(d, "`%s` is a keyword and cannot name an attribute", dpl_tok_spelling(cur(p)->kind));
            return false;
        }
        dpl_vec_push(p->arena, &segs, cur(p)->str);
        advance(p);
        if (!check(p, DPL_TOK_DOT))
            break;
        advance(p);
    }
    t->segs = segs.items;
    t->nsegs = segs.len;
    t->span = (DplSpan){start, prev(p)->span.end};
    return true;
}

typedef DPL_VEC(DplAddItem) ItemVec;

/* After `->` or `if` at the end of a line the item may continue on the
 * next line, unless that line is evidently an item of its own: it writes
 * somewhere (`->` outside brackets; neither a target nor a condition
 * contains one), starts with an item keyword, or (after `->`) starts with a
 * call.  Then the target or condition is missing, and the next line must
 * not be swallowed by the error. */
static bool next_line_is_item(const Parser *p, bool after_arrow)
{
    if (!check(p, DPL_TOK_NEWLINE))
        return false;
    size_t i = p->pos;
    while (p->toks[i].kind == DPL_TOK_NEWLINE || p->toks[i].kind == DPL_TOK_ERROR)
        i++;
    DplTokKind first = p->toks[i].kind;
    if (first == DPL_TOK_KW_APPEND || first == DPL_TOK_KW_OVERWRITE || first == DPL_TOK_KW_DELETE ||
        first == DPL_TOK_KW_ALL)
        return true;
    if (after_arrow && first == DPL_TOK_IDENT && p->toks[i + 1].kind == DPL_TOK_LPAREN)
        return true;
    long depth = 0;
    for (; p->toks[i].kind != DPL_TOK_EOF; i++) {
        DplTokKind k = p->toks[i].kind;
        if (k == DPL_TOK_LPAREN || k == DPL_TOK_LBRACKET)
            depth++;
        else if ((k == DPL_TOK_RPAREN || k == DPL_TOK_RBRACKET) && depth > 0)
            depth--;
        else if (k == DPL_TOK_RBRACE || k == DPL_TOK_LBRACE || (depth == 0 && k == DPL_TOK_NEWLINE))
            return false;
        else if (depth == 0 && k == DPL_TOK_ARROW)
            return true;
    }
    return false;
}

/* add_item = "all"
 *          | "delete" path
 *          | [ "append" | "overwrite" ] expr [ "->" target ] [ "if" expr ] */
static void add_item(Parser *p, void *ctx)
{
    ItemVec *v = ctx;
    DplAddItem it = {0};
    const DplToken *first = cur(p);
    bool ok = true;
    /* in panic mode already: a lexer error (`@x`) comes right before it */
    bool damaged = p->panic;
    if (check(p, DPL_TOK_KW_ALL)) {
        advance(p);
        it.kind = DPL_ITEM_ALL;
    } else if (check(p, DPL_TOK_KW_DELETE)) {
        advance(p);
        it.kind = DPL_ITEM_DELETE;
        if (check(p, DPL_TOK_IDENT) || check(p, DPL_TOK_STRING)) {
            it.value = dpl_parse_path_expr(p);
        } else {
            error_expected(p, "the path to delete");
            it.value = dpl_error_expr(p, cur(p)->span);
            ok = false;
        }
    } else {
        it.kind = DPL_ITEM_VALUE;
        if (check(p, DPL_TOK_KW_APPEND) || check(p, DPL_TOK_KW_OVERWRITE)) {
            it.modifier = check(p, DPL_TOK_KW_APPEND) ? DPL_MOD_APPEND : DPL_MOD_OVERWRITE;
            advance(p);
        }
        it.value = dpl_parse_expression(p);
        ok = it.value->kind != DPL_EXPR_ERROR;
        if (ok && check(p, DPL_TOK_ARROW)) {
            advance(p);
            it.has_target = true; /* with no segments when the target is bad */
            if (next_line_is_item(p, true)) {
                error_expected(p, "an attribute name after `->`");
                ok = false;
            } else {
                skip_newlines(p);
                ok = parse_target(p, &it.target);
            }
        }
        if (ok && check(p, DPL_TOK_KW_IF)) {
            advance(p);
            if (next_line_is_item(p, false)) {
                error_expected(p, "a condition after `if`");
                it.cond = dpl_error_expr(p, cur(p)->span);
                ok = false;
            } else {
                skip_newlines(p);
                it.cond = dpl_parse_expression(p);
                ok = it.cond->kind != DPL_EXPR_ERROR;
            }
        }
        if (ok && !it.has_target && it.value->kind != DPL_EXPR_PATH && !p->panic) {
            DplDiag *d = dpl_diag_add(p->diags, DPL_E204, it.value->span,
                                      "computed add item needs `-> target` to name the attribute it writes");
            dpl_diag_label(d, "this value has no attribute name");
            dpl_diag_help(d, "write `... -> name`; only a plain path like `data.valor` names itself");
        }
    }
    it.span = (DplSpan){first->span.start, prev(p)->span.end};
    if (it.span.end < it.span.start)
        it.span.end = it.span.start;
    DplTokKind k = cur(p)->kind;
    bool ends = k == DPL_TOK_NEWLINE || k == DPL_TOK_COMMA || k == DPL_TOK_RBRACE || k == DPL_TOK_EOF ||
                at_statement_start(p);
    if (it.kind == DPL_ITEM_VALUE && (damaged || !ends)) {
        /* What it writes is unsure (`x = 1` is the item `x` and garbage):
         * no target, so the checker's E306/W403 bookkeeping ignores it
         * rather than report a second write that only follows from this
         * error. */
        it.has_target = true;
        it.target = (DplTarget){0};
    }
    dpl_vec_push(p->arena, v, it);
}

/* ---- statements ------------------------------------------------------------------ */

static void finish_statement(Parser *p, DplStmt *s, uint32_t start)
{
    s->span = (DplSpan){start, prev(p)->span.end};
    if (s->span.end < start)
        s->span.end = start;
}

/* After a statement header error: if a `{` follows on the same line, parse
 * the block anyway (errors inside it are independent); otherwise resync. */
static bool recover_to_block(Parser *p)
{
    while (!check(p, DPL_TOK_LBRACE) && !check(p, DPL_TOK_NEWLINE) && !check(p, DPL_TOK_EOF))
        advance(p);
    if (check(p, DPL_TOK_LBRACE)) {
        p->panic = false; /* resynchronised: the block's items are independent */
        return true;
    }
    sync_statement(p);
    return false;
}

/* entity = [ "substitutive" ] "entity" STRING "{" { expr } "}" */
static bool parse_entity(Parser *p, DplStmt *s)
{
    s->kind = DPL_STMT_ENTITY;
    if (check(p, DPL_TOK_KW_SUBSTITUTIVE)) {
        s->u.entity.substitutive = true;
        advance(p);
        if (!check(p, DPL_TOK_KW_ENTITY)) {
            error_expected(p, "`entity` after `substitutive`");
            sync_statement(p);
            return false;
        }
    }
    s->keyword_span = cur(p)->span;
    advance(p);
    if (check(p, DPL_TOK_STRING)) {
        s->u.entity.name = cur(p)->str;
        s->u.entity.name_len = cur(p)->str_len;
        s->u.entity.name_span = cur(p)->span;
        advance(p);
    } else {
        DplDiag *d = error_expected(p, "the entity name as a string");
        if (d && check(p, DPL_TOK_IDENT)) {
            dpl_diag_help(d, "quote the name: entity \"%s\" { ... }", cur(p)->str);
            fix_quote(d, cur(p));
        }
        s->u.entity.name = "";
        s->u.entity.name_span = (DplSpan){cur(p)->span.start, cur(p)->span.start};
        if (!recover_to_block(p))
            return false;
    }
    ExprVec keys = {0};
    bool ok = parse_block(p, "entity", expr_item, &keys);
    s->u.entity.keys = keys.items;
    s->u.entity.nkeys = keys.len;
    if (!ok)
        sync_statement(p);
    return ok;
}

/* sources = "sources" STRING { "," STRING } [ "using" path ] */
static bool parse_sources(Parser *p, DplStmt *s)
{
    s->kind = DPL_STMT_SOURCES;
    s->keyword_span = cur(p)->span;
    advance(p);
    DPL_VEC(const char *) names = {0};
    DPL_VEC(size_t) lens = {0};
    DPL_VEC(DplSpan) spans = {0};
    bool ok = true;
    for (;;) {
        if (!check(p, DPL_TOK_STRING)) {
            DplDiag *d = error_expected(p, "a source name as a string");
            if (d && check(p, DPL_TOK_IDENT)) {
                dpl_diag_help(d, "quote the name: sources \"%s\"", cur(p)->str);
                fix_quote(d, cur(p));
            }
            ok = false;
            break;
        }
        dpl_vec_push(p->arena, &names, cur(p)->str);
        dpl_vec_push(p->arena, &lens, cur(p)->str_len);
        dpl_vec_push(p->arena, &spans, cur(p)->span);
        advance(p);
        if (!check(p, DPL_TOK_COMMA))
            break;
        advance(p);
        skip_newlines(p);
    }
    if (ok && check(p, DPL_TOK_KW_USING)) {
        advance(p);
        skip_newlines(p);
        if (check(p, DPL_TOK_IDENT) || check(p, DPL_TOK_STRING)) {
            DplExpr *e = dpl_parse_path_expr(p);
            if (e->kind == DPL_EXPR_PATH) {
                s->u.sources.using_path = dpl_arena_alloc(p->arena, sizeof(DplPath));
                *s->u.sources.using_path = e->u.path;
            } else {
                ok = false;
            }
        } else {
            error_expected(p, "the path that holds the source name");
            ok = false;
        }
    }
    s->u.sources.names = names.items;
    s->u.sources.name_lens = lens.items;
    s->u.sources.name_spans = spans.items;
    s->u.sources.nnames = names.len;
    if (ok && !check(p, DPL_TOK_NEWLINE) && !check(p, DPL_TOK_EOF) && !at_statement_start(p)) {
        error_expected(p, "`,`, `using` or the end of the line");
        ok = false;
    }
    if (!ok)
        sync_statement(p);
    return ok;
}

/* mandatory = "mandatory" "{" { path } "}" */
static bool parse_mandatory(Parser *p, DplStmt *s)
{
    s->kind = DPL_STMT_MANDATORY;
    s->keyword_span = cur(p)->span;
    advance(p);
    ExprVec paths = {0};
    bool ok = parse_block(p, "mandatory", path_item, &paths);
    s->u.mandatory.paths = paths.items;
    s->u.mandatory.npaths = paths.len;
    if (!ok)
        sync_statement(p);
    return ok;
}

/* requirement = "requirement" "{" { expr } "}" */
static bool parse_requirement(Parser *p, DplStmt *s)
{
    s->kind = DPL_STMT_REQUIREMENT;
    s->keyword_span = cur(p)->span;
    advance(p);
    ExprVec exprs = {0};
    bool ok = parse_block(p, "requirement", expr_item, &exprs);
    s->u.requirement.exprs = exprs.items;
    s->u.requirement.nexprs = exprs.len;
    if (!ok)
        sync_statement(p);
    return ok;
}

/* where = "where" "{" { expr } "}"   (v1.1, spec §12.1) */
static bool parse_where(Parser *p, DplStmt *s)
{
    s->kind = DPL_STMT_WHERE;
    s->keyword_span = cur(p)->span;
    advance(p);
    ExprVec exprs = {0};
    bool ok = parse_block(p, "where", expr_item, &exprs);
    s->u.where.exprs = exprs.items;
    s->u.where.nexprs = exprs.len;
    if (!ok)
        sync_statement(p);
    return ok;
}

/* add = "add" [ "from" path ] "{" { add_item } "}" */
static bool parse_add(Parser *p, DplStmt *s)
{
    s->kind = DPL_STMT_ADD;
    s->keyword_span = cur(p)->span;
    advance(p);
    if (check(p, DPL_TOK_KW_FROM)) {
        advance(p);
        if (check(p, DPL_TOK_IDENT) || check(p, DPL_TOK_STRING)) {
            DplExpr *e = dpl_parse_path_expr(p);
            if (e->kind == DPL_EXPR_PATH) {
                s->u.add.from = dpl_arena_alloc(p->arena, sizeof(DplPath));
                *s->u.add.from = e->u.path;
            } else if (!recover_to_block(p)) {
                return false;
            }
        } else {
            error_expected(p, "the path after `from`");
            if (!recover_to_block(p))
                return false;
        }
    }
    ItemVec items = {0};
    bool ok = parse_block(p, "add", add_item, &items);
    s->u.add.items = items.items;
    s->u.add.nitems = items.len;
    if (!ok)
        sync_statement(p);
    return ok;
}

/* An identifier where a statement should start: E203 with the nearest
 * statement keyword, then skip the whole would-be statement (its line and,
 * if it has one, its balanced block) so its contents cause no cascade. */
static void unknown_statement(Parser *p)
{
    const DplToken *t = cur(p);
    DplDiag *d = error_at(p, t->span, DPL_E203, "unknown statement `%s`", t->str);
    if (d) {
        const char *best = NULL;
        size_t best_d = (size_t)-1;
        for (size_t i = 0; i < sizeof statement_keywords / sizeof *statement_keywords; i++) {
            const char *kw = dpl_tok_spelling(statement_keywords[i]);
            size_t dist = dpl_edit_distance(t->str, kw);
            if (dist < best_d) {
                best_d = dist;
                best = kw;
            }
        }
        size_t limit = t->str_len / 3 > 1 ? t->str_len / 3 : 1;
        if (best && best_d <= limit) {
            dpl_diag_help(d, "did you mean `%s`?", best);
            dpl_diag_fix(d, t->span, best);
        }
        else
            dpl_diag_help(d, "statements are entity, sources, where, mandatory, requirement and add");
    }
    bool seen_brace = false;
    while (!check(p, DPL_TOK_EOF)) {
        if (check(p, DPL_TOK_NEWLINE)) {
            /* `name` alone on its line with the `{` on the next one. */
            size_t save = p->pos;
            skip_newlines(p);
            if (!check(p, DPL_TOK_LBRACE) || seen_brace) {
                p->pos = save;
                break;
            }
        }
        if (check(p, DPL_TOK_LBRACE)) {
            seen_brace = true;
            long depth = 0;
            while (!check(p, DPL_TOK_EOF)) {
                if (check(p, DPL_TOK_LBRACE))
                    depth++;
                else if (check(p, DPL_TOK_RBRACE) && --depth == 0) {
                    advance(p);
                    break;
                }
                advance(p);
            }
            break;
        }
        advance(p);
    }
    if (!seen_brace)
        sync_statement(p); /* no block: what follows is more of the same damage */
}

/* statement = entity | sources | where | mandatory | requirement | add */
static void parse_statement(Parser *p, DplStmtVec *stmts)
{
    DplStmt s = {0};
    uint32_t start = cur(p)->span.start;
    bool parsed = true;
    switch (cur(p)->kind) {
    case DPL_TOK_KW_SUBSTITUTIVE:
    case DPL_TOK_KW_ENTITY: parse_entity(p, &s); break;
    case DPL_TOK_KW_SOURCES: parse_sources(p, &s); break;
    case DPL_TOK_KW_MANDATORY: parse_mandatory(p, &s); break;
    case DPL_TOK_KW_REQUIREMENT: parse_requirement(p, &s); break;
    case DPL_TOK_KW_ADD: parse_add(p, &s); break;
    case DPL_TOK_KW_WHERE: parse_where(p, &s); break;
    case DPL_TOK_IDENT:
        if (dpl_parser_at_line_start(p, p->pos)) {
            parsed = false;
            unknown_statement(p);
            break;
        }
        /* an identifier after a statement on the same line: E201 below */
        __attribute__((fallthrough));
    default: {
        parsed = false;
        DplDiag *d;
        if (check(p, DPL_TOK_RBRACE)) {
            d = error_at(p, cur(p)->span, DPL_E201, "unexpected `}`: no block is open here");
            if (d) {
                dpl_diag_label(d, "unmatched `}`");
                dpl_diag_help(d, "remove it, or look for a `}` too many in the block above");
            }
        } else if ((d = error_expected(p, "a statement"))) {
            dpl_diag_help(d, "statements are entity, sources, where, mandatory, requirement and add");
        }
        advance(p);
        sync_statement(p);
        break;
    }
    }
    if (!parsed)
        return;
    finish_statement(p, &s, start);
    dpl_vec_push(p->arena, stmts, s);
}

/* program = { statement } */
DplProgram *dpl_parse(const DplSource *src, DplDiagList *diags)
{
    DplProgram *prog = dpl_program_new(src);
    Parser p;
    dpl_parser_init(&p, prog->arena, src, diags);
    DplStmtVec stmts = {0};
    for (;;) {
        skip_separators(&p, false);
        if (check(&p, DPL_TOK_EOF))
            break;
        /* A statement keyword (or a misspelt one) that starts a line starts
         * afresh, even when recovery from an earlier error stopped here;
         * anything else after an error is still part of the damage. */
        if (at_statement_start(&p) || at_unknown_statement(&p))
            p.panic = false;
        size_t before = p.pos;
        parse_statement(&p, &stmts);
        if (p.pos == before)
            advance(&p); /* guarantee progress */
    }
    prog->stmts = stmts.items;
    prog->nstmts = stmts.len;
    return prog;
}

DplExpr *dpl_parse_expr(DplProgram *prog, const DplSource *src, DplDiagList *diags)
{
    size_t errors_before = dpl_diag_count(diags, DPL_SEV_ERROR);
    Parser p;
    dpl_parser_init(&p, prog->arena, src, diags);
    skip_separators(&p, false);
    DplExpr *e = dpl_parse_expression(&p);
    skip_separators(&p, false);
    if (!check(&p, DPL_TOK_EOF))
        error_expected(&p, "the end of the expression");
    if (dpl_diag_count(diags, DPL_SEV_ERROR) != errors_before)
        return NULL;
    return e;
}
