/* expr.c — the Pratt expression parser (spec §6) and paths (spec §5).
 *
 * The whole operator grammar is the rules[] table below (clox style): for
 * each token kind, the function that parses it at the start of an
 * expression, the function that parses it after a left operand, and the
 * binding power of that infix use.  Every binary level is left-associative:
 * the right operand is parsed one level higher.
 *
 * Newlines: an operator at the end of a line continues the expression (the
 * parser skips newlines after every operator, `as`, `->` and `if`), and
 * inside ( ) and [ ] newlines are ignored altogether (open_nest).
 *
 * A composite expression with an erroneous part collapses into one
 * DPL_EXPR_ERROR node: the checker never sees half an expression.
 */
#include <string.h>

#include "parser/internal.h"

/* Binding powers, lowest first (wren style: the operators of each level). */
typedef enum {
    PREC_NONE,
    PREC_COALESCE,   /* ??                 */
    PREC_OR,         /* or ||              */
    PREC_AND,        /* and &&             */
    PREC_EQUALITY,   /* == !=              */
    PREC_COMPARISON, /* < <= > >=          */
    PREC_TERM,       /* + -                */
    PREC_FACTOR,     /* * / %              */
    PREC_UNARY,      /* prefix - not !     */
    PREC_POSTFIX,    /* x as TYPE, f(...)  */
} Prec;

typedef DplExpr *(*PrefixFn)(Parser *p);
typedef DplExpr *(*InfixFn)(Parser *p, DplExpr *lhs);

typedef struct {
    PrefixFn prefix;
    InfixFn infix;
    Prec prec; /* of the infix use */
    DplOp op;  /* binary operator, when infix is binary */
} Rule;

static DplExpr *number(Parser *p);
static DplExpr *string_or_path(Parser *p);
static DplExpr *name(Parser *p);
static DplExpr *meta(Parser *p);
static DplExpr *literal(Parser *p);
static DplExpr *grouping(Parser *p);
static DplExpr *array(Parser *p);
static DplExpr *unary(Parser *p);
static DplExpr *binary(Parser *p, DplExpr *lhs);
static DplExpr *cast(Parser *p, DplExpr *lhs);

static const Rule rules[DPL_TOK_COUNT] = {
    [DPL_TOK_INT]       = {number, NULL, PREC_NONE, 0},
    [DPL_TOK_REAL]      = {number, NULL, PREC_NONE, 0},
    [DPL_TOK_STRING]    = {string_or_path, NULL, PREC_NONE, 0},
    [DPL_TOK_IDENT]     = {name, NULL, PREC_NONE, 0}, /* path, or call f(...) */
    [DPL_TOK_META]      = {meta, NULL, PREC_NONE, 0},
    [DPL_TOK_KW_TRUE]   = {literal, NULL, PREC_NONE, 0},
    [DPL_TOK_KW_FALSE]  = {literal, NULL, PREC_NONE, 0},
    [DPL_TOK_KW_NULL]   = {literal, NULL, PREC_NONE, 0},
    [DPL_TOK_LPAREN]    = {grouping, NULL, PREC_NONE, 0},
    [DPL_TOK_LBRACKET]  = {array, NULL, PREC_NONE, 0},
    [DPL_TOK_COALESCE]  = {NULL, binary, PREC_COALESCE, DPL_OP_COALESCE},
    [DPL_TOK_KW_OR]     = {NULL, binary, PREC_OR, DPL_OP_OR},
    [DPL_TOK_PIPEPIPE]  = {NULL, binary, PREC_OR, DPL_OP_OR},
    [DPL_TOK_KW_AND]    = {NULL, binary, PREC_AND, DPL_OP_AND},
    [DPL_TOK_AMPAMP]    = {NULL, binary, PREC_AND, DPL_OP_AND},
    [DPL_TOK_EQ]        = {NULL, binary, PREC_EQUALITY, DPL_OP_EQ},
    [DPL_TOK_NE]        = {NULL, binary, PREC_EQUALITY, DPL_OP_NE},
    [DPL_TOK_LT]        = {NULL, binary, PREC_COMPARISON, DPL_OP_LT},
    [DPL_TOK_LE]        = {NULL, binary, PREC_COMPARISON, DPL_OP_LE},
    [DPL_TOK_GT]        = {NULL, binary, PREC_COMPARISON, DPL_OP_GT},
    [DPL_TOK_GE]        = {NULL, binary, PREC_COMPARISON, DPL_OP_GE},
    [DPL_TOK_PLUS]      = {NULL, binary, PREC_TERM, DPL_OP_ADD},
    [DPL_TOK_MINUS]     = {unary, binary, PREC_TERM, DPL_OP_SUB},
    [DPL_TOK_STAR]      = {NULL, binary, PREC_FACTOR, DPL_OP_MUL},
    [DPL_TOK_SLASH]     = {NULL, binary, PREC_FACTOR, DPL_OP_DIV},
    [DPL_TOK_PERCENT]   = {NULL, binary, PREC_FACTOR, DPL_OP_MOD},
    [DPL_TOK_KW_NOT]    = {unary, NULL, PREC_NONE, 0},
    [DPL_TOK_BANG]      = {unary, NULL, PREC_NONE, 0},
    [DPL_TOK_KW_AS]     = {NULL, cast, PREC_POSTFIX, 0},
    /* calls are parsed by name(): only a bare identifier can be called */
};

/* ---- helpers -------------------------------------------------------------------- */

static DplExpr *new_expr(Parser *p, DplExprKind kind, uint32_t start)
{
    DplExpr *e = dpl_arena_alloc(p->arena, sizeof *e);
    e->kind = kind;
    uint32_t end = prev(p)->span.end;
    e->span = (DplSpan){start, end > start ? end : start};
    return e;
}

DplExpr *dpl_error_expr(Parser *p, DplSpan span)
{
    DplExpr *e = dpl_arena_alloc(p->arena, sizeof *e);
    e->kind = DPL_EXPR_ERROR;
    e->span = span;
    return e;
}

static DplExpr *error_from(Parser *p, uint32_t start)
{
    uint32_t end = prev(p)->span.end;
    return dpl_error_expr(p, (DplSpan){start, end > start ? end : start});
}

static bool is_error(const DplExpr *e) { return e->kind == DPL_EXPR_ERROR; }

/* ---- the Pratt loop --------------------------------------------------------------- */

static DplExpr *too_deep(Parser *p, int limit)
{
    DplDiag *d = error_at(p, cur(p)->span, DPL_E201, "expression nested too deeply (more than %d levels)", limit);
    if (d)
        dpl_diag_help(d, "split the expression into smaller ones");
    return dpl_error_expr(p, cur(p)->span);
}

static DplExpr *parse_precedence(Parser *p, Prec prec)
{
    /* Lua's enterlevel: refuse before the C stack is at risk. */
    if (p->depth >= DPL_PARSE_MAX_DEPTH)
        return too_deep(p, DPL_PARSE_MAX_DEPTH);
    if (p->tree >= DPL_PARSE_MAX_TREE_DEPTH)
        return too_deep(p, DPL_PARSE_MAX_TREE_DEPTH);
    p->depth++;
    int tree_in = p->tree++;
    DplExpr *e;
    PrefixFn prefix = rules[cur(p)->kind].prefix;
    if (!prefix) {
        DplDiag *d = error_expected(p, "an expression");
        if (d && dpl_tok_is_keyword(cur(p)->kind))
            dpl_diag_help(d, "`%s` is a keyword; to read a field with that name, quote it: data.\"%s\"",
                          dpl_tok_spelling(cur(p)->kind), dpl_tok_spelling(cur(p)->kind));
        e = dpl_error_expr(p, (DplSpan){cur(p)->span.start, cur(p)->span.start});
    } else {
        e = prefix(p);
    }
    /* A chain is parsed by this loop, not by recursion, but every operator
     * adds a level to the tree that later passes recurse over. */
    while (prec <= rules[cur(p)->kind].prec) {
        if (p->tree >= DPL_PARSE_MAX_TREE_DEPTH) {
            e = too_deep(p, DPL_PARSE_MAX_TREE_DEPTH);
            break;
        }
        p->tree++;
        e = rules[cur(p)->kind].infix(p, e);
    }
    p->depth--;
    p->tree = tree_in;
    return e;
}

/* expr = coalesce-level expression (§6) */
DplExpr *dpl_parse_expression(Parser *p) { return parse_precedence(p, PREC_COALESCE); }

/* ---- prefix parsers ------------------------------------------------------------------ */

/* number = INT | REAL */
static DplExpr *number(Parser *p)
{
    const DplToken *t = cur(p);
    advance(p);
    DplExpr *e = new_expr(p, t->kind == DPL_TOK_INT ? DPL_EXPR_INT : DPL_EXPR_REAL, t->span.start);
    if (t->kind == DPL_TOK_INT)
        e->u.i = t->num.i;
    else
        e->u.r = t->num.r;
    return e;
}

/* literal = "true" | "false" | "null" */
static DplExpr *literal(Parser *p)
{
    const DplToken *t = cur(p);
    advance(p);
    DplExpr *e = new_expr(p, t->kind == DPL_TOK_KW_NULL ? DPL_EXPR_NULL : DPL_EXPR_BOOL, t->span.start);
    e->u.b = t->kind == DPL_TOK_KW_TRUE;
    return e;
}

/* A quoted segment followed by `.` or `[` starts a path ("first name".x);
 * otherwise a string is a string literal. */
static DplExpr *string_or_path(Parser *p)
{
    DplTokKind next = p->toks[p->pos + 1].kind;
    if (next == DPL_TOK_DOT || next == DPL_TOK_LBRACKET)
        return dpl_parse_path_expr(p);
    const DplToken *t = cur(p);
    advance(p);
    DplExpr *e = new_expr(p, DPL_EXPR_STRING, t->span.start);
    e->u.str.s = t->str;
    e->u.str.len = t->str_len;
    return e;
}

/* meta = "'" IDENT */
static DplExpr *meta(Parser *p)
{
    static const struct {
        const char *name;
        DplMeta which;
    } metas[] = {
        {"id", DPL_META_ID}, {"source", DPL_META_SOURCE}, {"entity", DPL_META_ENTITY}, {"line", DPL_META_LINE},
        {"item", DPL_META_ITEM},
    };
    const DplToken *t = cur(p);
    DplTokKind next = p->toks[p->pos + 1].kind;
    if (strcmp(t->str, "item") == 0 && (next == DPL_TOK_DOT || next == DPL_TOK_LBRACKET))
        return dpl_parse_path_expr(p); /* 'item.qty, 'item[0] (v1.1) */
    advance(p);
    DplExpr *e = new_expr(p, DPL_EXPR_META, t->span.start);
    e->u.meta.name = t->str;
    e->u.meta.which = DPL_META_UNKNOWN; /* the checker reports E310 */
    for (size_t i = 0; i < sizeof metas / sizeof *metas; i++)
        if (strcmp(metas[i].name, t->str) == 0)
            e->u.meta.which = metas[i].which;
    return e;
}

/* call = IDENT "(" [ expr { "," expr } [ "," ] ] ")" */
static DplExpr *call(Parser *p)
{
    const DplToken *name_tok = cur(p);
    uint32_t start = name_tok->span.start;
    advance(p); /* name */
    size_t open_idx = p->pos;
    advance(p); /* ( */
    open_nest(p);
    DPL_VEC(DplExpr *) args = {0};
    bool bad = false;
    while (!check(p, DPL_TOK_RPAREN)) {
        DplExpr *a = dpl_parse_expression(p);
        bad |= is_error(a);
        dpl_vec_push(p->arena, &args, a);
        if (!check(p, DPL_TOK_COMMA))
            break;
        advance(p);
    }
    close_nest(p);
    if (!check(p, DPL_TOK_RPAREN)) {
        DplDiag *d = error_expected(p, "`,` or `)` in the argument list");
        if (d)
            dpl_diag_note(d, "the `(` of `%s` opened at line %u, column %u", name_tok->str,
                          (unsigned)p->toks[open_idx].start.line, (unsigned)p->toks[open_idx].start.column);
        return error_from(p, start);
    }
    advance(p);
    if (bad)
        return error_from(p, start);
    DplExpr *e = new_expr(p, DPL_EXPR_CALL, start);
    e->u.call.name = name_tok->str;
    e->u.call.name_span = name_tok->span;
    e->u.call.args = args.items;
    e->u.call.nargs = args.len;
    return e;
}

/* An identifier starts a path, or a call when `(` follows it. */
static DplExpr *name(Parser *p)
{
    if (p->toks[p->pos + 1].kind == DPL_TOK_LPAREN)
        return call(p);
    return dpl_parse_path_expr(p);
}

/* grouping = "(" expr ")" — the inner expression's span grows to include
 * the parentheses, so every node's span is exactly its source text. */
static DplExpr *grouping(Parser *p)
{
    const DplToken *open = cur(p);
    advance(p);
    open_nest(p);
    DplExpr *e = dpl_parse_expression(p);
    close_nest(p);
    if (!check(p, DPL_TOK_RPAREN)) {
        DplDiag *d = error_expected(p, "`)`");
        if (d)
            dpl_diag_note(d, "the `(` opened at line %u, column %u", (unsigned)open->start.line,
                          (unsigned)open->start.column);
        return error_from(p, open->span.start);
    }
    advance(p);
    if (is_error(e))
        return error_from(p, open->span.start);
    e->span = (DplSpan){open->span.start, prev(p)->span.end};
    return e;
}

/* array = "[" [ expr { "," expr } [ "," ] ] "]" */
static DplExpr *array(Parser *p)
{
    const DplToken *open = cur(p);
    uint32_t start = open->span.start;
    advance(p);
    open_nest(p);
    DPL_VEC(DplExpr *) items = {0};
    bool bad = false;
    while (!check(p, DPL_TOK_RBRACKET)) {
        DplExpr *a = dpl_parse_expression(p);
        bad |= is_error(a);
        dpl_vec_push(p->arena, &items, a);
        if (!check(p, DPL_TOK_COMMA))
            break;
        advance(p);
    }
    close_nest(p);
    if (!check(p, DPL_TOK_RBRACKET)) {
        DplDiag *d = error_expected(p, "`,` or `]` in the array");
        if (d)
            dpl_diag_note(d, "the `[` opened at line %u, column %u", (unsigned)open->start.line,
                          (unsigned)open->start.column);
        return error_from(p, start);
    }
    advance(p);
    if (bad)
        return error_from(p, start);
    DplExpr *e = new_expr(p, DPL_EXPR_ARRAY, start);
    e->u.array.items = items.items;
    e->u.array.n = items.len;
    return e;
}

/* unary = ( "-" | "not" | "!" ) unary-level expression */
static DplExpr *unary(Parser *p)
{
    const DplToken *op = cur(p);
    advance(p);
    skip_newlines(p);
    DplExpr *operand = parse_precedence(p, PREC_UNARY);
    if (is_error(operand))
        return error_from(p, op->span.start);
    DplExpr *e = new_expr(p, DPL_EXPR_UNARY, op->span.start);
    e->u.unary.op = op->kind == DPL_TOK_MINUS ? DPL_OP_NEG : DPL_OP_NOT;
    e->u.unary.operand = operand;
    e->u.unary.op_span = op->span;
    return e;
}

/* ---- infix parsers --------------------------------------------------------------------- */

/* binary = expr OP expr-of-the-next-level (left-associative) */
static DplExpr *binary(Parser *p, DplExpr *lhs)
{
    const DplToken *op = cur(p);
    const Rule *rule = &rules[op->kind];
    advance(p);
    skip_newlines(p); /* an operator at line end continues the expression */
    DplExpr *rhs = parse_precedence(p, (Prec)(rule->prec + 1));
    if (is_error(lhs) || is_error(rhs))
        return error_from(p, lhs->span.start);
    DplExpr *e = new_expr(p, DPL_EXPR_BINARY, lhs->span.start);
    e->u.binary.op = rule->op;
    e->u.binary.lhs = lhs;
    e->u.binary.rhs = rhs;
    e->u.binary.op_span = op->span;
    return e;
}

/* cast = expr "as" IDENT   (int, float, string, bool; others: E307 in the checker) */
static DplExpr *cast(Parser *p, DplExpr *lhs)
{
    static const struct {
        const char *name;
        DplCastType type;
    } types[] = {
        {"int", DPL_CAST_INT}, {"float", DPL_CAST_FLOAT}, {"string", DPL_CAST_STRING}, {"bool", DPL_CAST_BOOL},
    };
    advance(p); /* as */
    skip_newlines(p);
    if (!check(p, DPL_TOK_IDENT)) {
        DplDiag *d = error_expected(p, "a type name after `as`");
        if (d)
            dpl_diag_help(d, "the types are int, float, string and bool");
        return error_from(p, lhs->span.start);
    }
    const DplToken *t = cur(p);
    advance(p);
    if (is_error(lhs))
        return error_from(p, lhs->span.start);
    DplExpr *e = new_expr(p, DPL_EXPR_CAST, lhs->span.start);
    e->u.cast.operand = lhs;
    e->u.cast.type_name = t->str;
    e->u.cast.type_span = t->span;
    e->u.cast.type = DPL_CAST_UNKNOWN;
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (strcmp(types[i].name, t->str) == 0)
            e->u.cast.type = types[i].type;
    return e;
}

/* ---- paths --------------------------------------------------------------------------------- */

typedef DPL_VEC(DplSegment) SegVec;

static bool field_segment(Parser *p, SegVec *segs)
{
    const DplToken *t = cur(p);
    if (t->kind != DPL_TOK_IDENT && t->kind != DPL_TOK_STRING) {
        DplDiag *d = error_expected(p, "a field name after `.`");
        if (d && dpl_tok_is_keyword(t->kind)) {
            dpl_diag_help(d, "`%s` is a keyword; quote it to use it as a field name: .\"%s\"",
                          dpl_tok_spelling(t->kind), dpl_tok_spelling(t->kind));
            fix_quote(d, t);
        }
        else if (d && t->kind == DPL_TOK_LBRACKET)
            dpl_diag_help(d, "an index follows the name directly, without a dot: items[0]");
        return false;
    }
    DplSegment s = {.kind = DPL_SEG_FIELD, .span = t->span, .name = t->str, .name_len = t->str_len};
    dpl_vec_push(p->arena, segs, s);
    advance(p);
    return true;
}

/* "[" ( INT | "-" INT | "*" ) "]" */
static bool index_segment(Parser *p, SegVec *segs)
{
    uint32_t start = cur(p)->span.start;
    advance(p); /* [ */
    DplSegment s = {.kind = DPL_SEG_INDEX};
    if (check(p, DPL_TOK_STAR)) {
        s.kind = DPL_SEG_STAR;
        advance(p);
    } else if (check(p, DPL_TOK_INT)) {
        s.index = cur(p)->num.i;
        advance(p);
    } else if (check(p, DPL_TOK_MINUS) && p->toks[p->pos + 1].kind == DPL_TOK_INT) {
        advance(p);
        s.index = -cur(p)->num.i;
        advance(p);
    } else {
        DplDiag *d = error_expected(p, "an index: `[0]`, `[-1]` or `[*]`");
        if (d)
            dpl_diag_help(d, "indexes are integer literals; computed indexes are not supported");
        return false;
    }
    if (!check(p, DPL_TOK_RBRACKET)) {
        error_expected(p, "`]`");
        return false;
    }
    advance(p);
    s.span = (DplSpan){start, prev(p)->span.end};
    dpl_vec_push(p->arena, segs, s);
    return true;
}

/* path    = ( segment | "'item" ) { "." segment | "[" ( INT | "-" INT | "*" ) "]" }
 * segment = IDENT | STRING
 * ('item starts a path only when a segment follows it: spec §12.6.) */
DplExpr *dpl_parse_path_expr(Parser *p)
{
    uint32_t start = cur(p)->span.start;
    SegVec segs = {0};
    DplPathRoot root = DPL_ROOT_RELATIVE;
    if (check(p, DPL_TOK_IDENT)) {
        if (strcmp(cur(p)->str, "data") == 0)
            root = DPL_ROOT_DATA;
        else if (strcmp(cur(p)->str, "metadata") == 0)
            root = DPL_ROOT_METADATA;
    }
    if (check(p, DPL_TOK_META)) {
        root = DPL_ROOT_ITEM;
        advance(p);
    } else if (!field_segment(p, &segs)) {
        return error_from(p, start);
    }
    for (;;) {
        bool ok = true;
        if (check(p, DPL_TOK_DOT)) {
            advance(p);
            ok = field_segment(p, &segs);
        } else if (check(p, DPL_TOK_LBRACKET)) {
            ok = index_segment(p, &segs);
        } else {
            break;
        }
        if (!ok)
            return error_from(p, start);
    }
    DplExpr *e = new_expr(p, DPL_EXPR_PATH, start);
    e->u.path.root = root;
    e->u.path.segs = segs.items;
    e->u.path.nsegs = segs.len;
    e->u.path.span = e->span;
    return e;
}
