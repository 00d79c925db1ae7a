/* ast.c — program lifetime, operator spellings and structural equality. */
#include <string.h>

#include "ast/ast.h"

DplProgram *dpl_program_new(const DplSource *src)
{
    DplArena *arena = dpl_arena_new();
    DplProgram *p = dpl_arena_alloc(arena, sizeof *p);
    p->arena = arena;
    p->src = src;
    return p;
}

void dpl_program_free(DplProgram *p)
{
    if (p)
        dpl_arena_free(p->arena); /* the program itself lives in its arena */
}

const char *dpl_op_spelling(DplOp op)
{
    static const char *const spellings[] = {
        [DPL_OP_COALESCE] = "??", [DPL_OP_OR] = "or", [DPL_OP_AND] = "and", [DPL_OP_EQ] = "==",
        [DPL_OP_NE] = "!=",       [DPL_OP_LT] = "<",  [DPL_OP_LE] = "<=",   [DPL_OP_GT] = ">",
        [DPL_OP_GE] = ">=",       [DPL_OP_ADD] = "+", [DPL_OP_SUB] = "-",   [DPL_OP_MUL] = "*",
        [DPL_OP_DIV] = "/",       [DPL_OP_MOD] = "%", [DPL_OP_NEG] = "-",   [DPL_OP_NOT] = "not",
    };
    if ((unsigned)op >= sizeof spellings / sizeof *spellings)
        return "?";
    return spellings[op];
}

/* ---- equality (ignores spans and checker annotations) ----------------------------- */

static bool bytes_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static bool str_equal(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static bool path_equal(const DplPath *a, const DplPath *b)
{
    if (a->root != b->root || a->nsegs != b->nsegs)
        return false;
    for (size_t i = 0; i < a->nsegs; i++) {
        const DplSegment *x = &a->segs[i], *y = &b->segs[i];
        if (x->kind != y->kind)
            return false;
        if (x->kind == DPL_SEG_FIELD && !bytes_equal(x->name, x->name_len, y->name, y->name_len))
            return false;
        if (x->kind == DPL_SEG_INDEX && x->index != y->index)
            return false;
    }
    return true;
}

static bool opt_path_equal(const DplPath *a, const DplPath *b)
{
    if (!a || !b)
        return a == b;
    return path_equal(a, b);
}

static bool exprs_equal_by(DplExpr *const *a, size_t na, DplExpr *const *b, size_t nb, DplPathEqualFn peq)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!dpl_expr_equal(a[i], b[i], peq))
            return false;
    return true;
}

static bool exprs_equal(DplExpr *const *a, size_t na, DplExpr *const *b, size_t nb)
{
    return exprs_equal_by(a, na, b, nb, path_equal);
}

static bool expr_equal(const DplExpr *a, const DplExpr *b)
{
    return dpl_expr_equal(a, b, path_equal);
}

bool dpl_expr_equal(const DplExpr *a, const DplExpr *b, DplPathEqualFn peq)
{
    if (!peq)
        peq = path_equal;
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case DPL_EXPR_NULL:
    case DPL_EXPR_ERROR: return true;
    case DPL_EXPR_BOOL: return a->u.b == b->u.b;
    case DPL_EXPR_INT: return a->u.i == b->u.i;
    /* compare bits so that the printed and re-read literal must be the same double */
    case DPL_EXPR_REAL: return memcmp(&a->u.r, &b->u.r, sizeof a->u.r) == 0;
    case DPL_EXPR_STRING: return bytes_equal(a->u.str.s, a->u.str.len, b->u.str.s, b->u.str.len);
    case DPL_EXPR_PATH: return peq(&a->u.path, &b->u.path);
    case DPL_EXPR_META: return a->u.meta.which == b->u.meta.which && str_equal(a->u.meta.name, b->u.meta.name);
    case DPL_EXPR_ARRAY:
        return exprs_equal_by(a->u.array.items, a->u.array.n, b->u.array.items, b->u.array.n, peq);
    case DPL_EXPR_UNARY:
        return a->u.unary.op == b->u.unary.op && dpl_expr_equal(a->u.unary.operand, b->u.unary.operand, peq);
    case DPL_EXPR_BINARY:
        return a->u.binary.op == b->u.binary.op && dpl_expr_equal(a->u.binary.lhs, b->u.binary.lhs, peq) &&
               dpl_expr_equal(a->u.binary.rhs, b->u.binary.rhs, peq);
    case DPL_EXPR_CALL:
        return str_equal(a->u.call.name, b->u.call.name) &&
               exprs_equal_by(a->u.call.args, a->u.call.nargs, b->u.call.args, b->u.call.nargs, peq);
    case DPL_EXPR_CAST:
        return a->u.cast.type == b->u.cast.type && str_equal(a->u.cast.type_name, b->u.cast.type_name) &&
               dpl_expr_equal(a->u.cast.operand, b->u.cast.operand, peq);
    }
    return false;
}

static bool target_equal(const DplTarget *a, const DplTarget *b)
{
    if (a->nsegs != b->nsegs)
        return false;
    for (size_t i = 0; i < a->nsegs; i++)
        if (!str_equal(a->segs[i], b->segs[i]))
            return false;
    return true;
}

static bool item_equal(const DplAddItem *a, const DplAddItem *b)
{
    if (a->kind != b->kind || a->modifier != b->modifier || a->has_target != b->has_target)
        return false;
    /* a checker-resolved target of a plain path is an annotation, not syntax */
    if (a->has_target && !target_equal(&a->target, &b->target))
        return false;
    return expr_equal(a->value, b->value) && expr_equal(a->cond, b->cond);
}

static bool stmt_equal(const DplStmt *a, const DplStmt *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case DPL_STMT_ENTITY:
        return a->u.entity.substitutive == b->u.entity.substitutive &&
               bytes_equal(a->u.entity.name, a->u.entity.name_len, b->u.entity.name, b->u.entity.name_len) &&
               exprs_equal(a->u.entity.keys, a->u.entity.nkeys, b->u.entity.keys, b->u.entity.nkeys);
    case DPL_STMT_SOURCES:
        if (a->u.sources.nnames != b->u.sources.nnames)
            return false;
        for (size_t i = 0; i < a->u.sources.nnames; i++)
            if (!bytes_equal(a->u.sources.names[i], a->u.sources.name_lens[i], b->u.sources.names[i],
                             b->u.sources.name_lens[i]))
                return false;
        return opt_path_equal(a->u.sources.using_path, b->u.sources.using_path);
    case DPL_STMT_MANDATORY:
        return exprs_equal(a->u.mandatory.paths, a->u.mandatory.npaths, b->u.mandatory.paths, b->u.mandatory.npaths);
    case DPL_STMT_REQUIREMENT:
        return exprs_equal(a->u.requirement.exprs, a->u.requirement.nexprs, b->u.requirement.exprs,
                           b->u.requirement.nexprs);
    case DPL_STMT_WHERE:
        return exprs_equal(a->u.where.exprs, a->u.where.nexprs, b->u.where.exprs, b->u.where.nexprs);
    case DPL_STMT_ADD:
        if (!opt_path_equal(a->u.add.from, b->u.add.from) || a->u.add.nitems != b->u.add.nitems)
            return false;
        for (size_t i = 0; i < a->u.add.nitems; i++)
            if (!item_equal(&a->u.add.items[i], &b->u.add.items[i]))
                return false;
        return true;
    }
    return false;
}

bool dpl_ast_equal(const DplProgram *a, const DplProgram *b)
{
    if (a->nstmts != b->nstmts)
        return false;
    for (size_t i = 0; i < a->nstmts; i++)
        if (!stmt_equal(&a->stmts[i], &b->stmts[i]))
            return false;
    return true;
}

const char *dpl_expr_abs_path(const DplExpr *e)
{
    if (!e)
        return NULL;
    if (e->kind == DPL_EXPR_PATH)
        return e->u.path.abs;
    if (e->kind == DPL_EXPR_META && e->u.meta.which == DPL_META_ITEM)
        return e->u.meta.abs;
    return NULL;
}
