/* print.c — `dplc ast` tree dump and paths back in DPL source form. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ast/ast.h"
#include "lexer/lexer.h"

/* Appends s as a DPL string literal (the escapes the lexer reads back). */
void dpl_ast_quote(DplBuf *out, const char *s, size_t n)
{
    dpl_buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': dpl_buf_puts(out, "\\\""); break;
        case '\\': dpl_buf_puts(out, "\\\\"); break;
        case '\n': dpl_buf_puts(out, "\\n"); break;
        case '\r': dpl_buf_puts(out, "\\r"); break;
        case '\t': dpl_buf_puts(out, "\\t"); break;
        case '\b': dpl_buf_puts(out, "\\b"); break;
        case '\f': dpl_buf_puts(out, "\\f"); break;
        default:
            /* Other control bytes (and DEL) would be invisible or illegal
             * raw; everything else, UTF-8 included, stays as written. */
            if (c < 0x20 || c == 0x7f)
                dpl_buf_printf(out, "\\u%04x", c);
            else
                dpl_buf_putc(out, (char)c);
        }
    }
    dpl_buf_putc(out, '"');
}

/* A field can be written bare when it lexes as an identifier that is not a
 * keyword. */
static bool bare_field(const char *s, size_t n)
{
    return dpl_tok_is_name(s, n) && dpl_tok_keyword(s, n) == DPL_TOK_IDENT;
}

void dpl_path_print(DplBuf *out, const DplPath *path)
{
    bool item = path->root == DPL_ROOT_ITEM;
    if (item)
        dpl_buf_puts(out, "'item");
    for (size_t i = 0; i < path->nsegs; i++) {
        const DplSegment *s = &path->segs[i];
        switch (s->kind) {
        case DPL_SEG_FIELD: {
            if (i > 0 || item)
                dpl_buf_putc(out, '.');
            /* a relative path whose first field is named data/metadata must
             * stay quoted, or it would read back as an absolute path */
            bool root_name = i == 0 && path->root == DPL_ROOT_RELATIVE &&
                             ((s->name_len == 4 && memcmp(s->name, "data", 4) == 0) ||
                              (s->name_len == 8 && memcmp(s->name, "metadata", 8) == 0));
            if (bare_field(s->name, s->name_len) && !root_name)
                dpl_buf_append(out, s->name, s->name_len);
            else
                dpl_ast_quote(out, s->name, s->name_len);
            break;
        }
        case DPL_SEG_INDEX: dpl_buf_printf(out, "[%" PRId64 "]", s->index); break;
        case DPL_SEG_STAR: dpl_buf_puts(out, "[*]"); break;
        }
    }
}

/* ---- the tree dump ------------------------------------------------------------ */

typedef struct {
    DplBuf *out;
    const DplSource *src;
} Printer;

static void line_start(Printer *pr, int depth, const char *label)
{
    for (int i = 0; i < depth; i++)
        dpl_buf_puts(pr->out, "  ");
    if (label)
        dpl_buf_printf(pr->out, "%s: ", label);
}

/* Ends a node's line with the position of its first byte. */
static void line_end(Printer *pr, DplSpan span)
{
    if (pr->src) {
        DplPos pos = dpl_source_locate(pr->src, span.start);
        dpl_buf_printf(pr->out, " @%u:%u", (unsigned)pos.line, (unsigned)pos.column);
    }
    dpl_buf_putc(pr->out, '\n');
}

static void print_expr(Printer *pr, const DplExpr *e, int depth, const char *label)
{
    line_start(pr, depth, label);
    DplBuf *out = pr->out;
    switch (e->kind) {
    case DPL_EXPR_NULL: dpl_buf_puts(out, "null"); break;
    case DPL_EXPR_BOOL: dpl_buf_puts(out, e->u.b ? "bool true" : "bool false"); break;
    case DPL_EXPR_INT: dpl_buf_printf(out, "int %" PRId64, e->u.i); break;
    case DPL_EXPR_REAL: dpl_buf_printf(out, "real %.17g", e->u.r); break;
    case DPL_EXPR_STRING:
        dpl_buf_puts(out, "string ");
        dpl_ast_quote(out, e->u.str.s, e->u.str.len);
        break;
    case DPL_EXPR_PATH:
        dpl_buf_puts(out, "path ");
        dpl_path_print(out, &e->u.path);
        if (e->u.path.root == DPL_ROOT_RELATIVE)
            dpl_buf_puts(out, " (relative)");
        else if (e->u.path.root == DPL_ROOT_ITEM)
            dpl_buf_puts(out, " (element)");
        break;
    case DPL_EXPR_META:
        dpl_buf_printf(out, "meta '%s", e->u.meta.name);
        if (e->u.meta.which == DPL_META_UNKNOWN)
            dpl_buf_puts(out, " (unknown)");
        break;
    case DPL_EXPR_ARRAY: dpl_buf_printf(out, "array (%zu items)", e->u.array.n); break;
    case DPL_EXPR_UNARY: dpl_buf_printf(out, "unary %s", dpl_op_spelling(e->u.unary.op)); break;
    case DPL_EXPR_BINARY: dpl_buf_printf(out, "binary %s", dpl_op_spelling(e->u.binary.op)); break;
    case DPL_EXPR_CALL: dpl_buf_printf(out, "call %s (%zu args)", e->u.call.name, e->u.call.nargs); break;
    case DPL_EXPR_CAST:
        dpl_buf_printf(out, "cast as %s", e->u.cast.type_name);
        if (e->u.cast.type == DPL_CAST_UNKNOWN)
            dpl_buf_puts(out, " (unknown type)");
        break;
    case DPL_EXPR_ERROR: dpl_buf_puts(out, "error"); break;
    }
    line_end(pr, e->span);
    switch (e->kind) {
    case DPL_EXPR_ARRAY:
        for (size_t i = 0; i < e->u.array.n; i++)
            print_expr(pr, e->u.array.items[i], depth + 1, NULL);
        break;
    case DPL_EXPR_UNARY: print_expr(pr, e->u.unary.operand, depth + 1, NULL); break;
    case DPL_EXPR_BINARY:
        print_expr(pr, e->u.binary.lhs, depth + 1, NULL);
        print_expr(pr, e->u.binary.rhs, depth + 1, NULL);
        break;
    case DPL_EXPR_CALL:
        for (size_t i = 0; i < e->u.call.nargs; i++)
            print_expr(pr, e->u.call.args[i], depth + 1, NULL);
        break;
    case DPL_EXPR_CAST: print_expr(pr, e->u.cast.operand, depth + 1, NULL); break;
    default: break;
    }
}

static void print_path_line(Printer *pr, const DplPath *path, int depth, const char *label)
{
    line_start(pr, depth, label);
    dpl_buf_puts(pr->out, "path ");
    dpl_path_print(pr->out, path);
    line_end(pr, path->span);
}

static void print_item(Printer *pr, const DplAddItem *it, int depth)
{
    line_start(pr, depth, NULL);
    DplBuf *out = pr->out;
    switch (it->kind) {
    case DPL_ITEM_ALL: dpl_buf_puts(out, "all"); break;
    case DPL_ITEM_DELETE: dpl_buf_puts(out, "delete"); break;
    case DPL_ITEM_VALUE:
        dpl_buf_puts(out, "item");
        if (it->modifier == DPL_MOD_APPEND)
            dpl_buf_puts(out, " append");
        else if (it->modifier == DPL_MOD_OVERWRITE)
            dpl_buf_puts(out, " overwrite");
        if (it->has_target) {
            dpl_buf_puts(out, " -> ");
            for (size_t i = 0; i < it->target.nsegs; i++)
                dpl_buf_printf(out, "%s%s", i ? "." : "", it->target.segs[i]);
        }
        break;
    }
    line_end(pr, it->span);
    if (it->value)
        print_expr(pr, it->value, depth + 1, it->kind == DPL_ITEM_VALUE ? "value" : NULL);
    if (it->cond)
        print_expr(pr, it->cond, depth + 1, "if");
}

static void print_stmt(Printer *pr, const DplStmt *s)
{
    DplBuf *out = pr->out;
    line_start(pr, 1, NULL);
    switch (s->kind) {
    case DPL_STMT_ENTITY:
        dpl_buf_puts(out, s->u.entity.substitutive ? "substitutive entity " : "entity ");
        dpl_ast_quote(out, s->u.entity.name, s->u.entity.name_len);
        line_end(pr, s->span);
        for (size_t i = 0; i < s->u.entity.nkeys; i++)
            print_expr(pr, s->u.entity.keys[i], 2, "key");
        break;
    case DPL_STMT_SOURCES:
        dpl_buf_puts(out, "sources");
        for (size_t i = 0; i < s->u.sources.nnames; i++) {
            dpl_buf_puts(out, i ? ", " : " ");
            dpl_ast_quote(out, s->u.sources.names[i], s->u.sources.name_lens[i]);
        }
        line_end(pr, s->span);
        if (s->u.sources.using_path)
            print_path_line(pr, s->u.sources.using_path, 2, "using");
        break;
    case DPL_STMT_MANDATORY:
        dpl_buf_puts(out, "mandatory");
        line_end(pr, s->span);
        for (size_t i = 0; i < s->u.mandatory.npaths; i++)
            print_expr(pr, s->u.mandatory.paths[i], 2, NULL);
        break;
    case DPL_STMT_REQUIREMENT:
        dpl_buf_puts(out, "requirement");
        line_end(pr, s->span);
        for (size_t i = 0; i < s->u.requirement.nexprs; i++)
            print_expr(pr, s->u.requirement.exprs[i], 2, NULL);
        break;
    case DPL_STMT_WHERE:
        dpl_buf_puts(out, "where");
        line_end(pr, s->span);
        for (size_t i = 0; i < s->u.where.nexprs; i++)
            print_expr(pr, s->u.where.exprs[i], 2, NULL);
        break;
    case DPL_STMT_ADD:
        dpl_buf_puts(out, "add");
        line_end(pr, s->span);
        if (s->u.add.from)
            print_path_line(pr, s->u.add.from, 2, "from");
        for (size_t i = 0; i < s->u.add.nitems; i++)
            print_item(pr, &s->u.add.items[i], 2);
        break;
    }
}

void dpl_ast_print(DplBuf *out, const DplProgram *p)
{
    Printer pr = {out, p->src};
    dpl_buf_printf(out, "program (%zu statements)\n", p->nstmts);
    for (size_t i = 0; i < p->nstmts; i++)
        print_stmt(&pr, &p->stmts[i]);
}
