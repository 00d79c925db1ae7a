/* ast.h — the DPL syntax tree (spec §4–§6).
 *
 * Ownership: every node, array and string of a program lives in the
 * program's arena and is released by dpl_program_free().  The checker
 * annotates nodes in place (resolved builtin, compiled regex, cast type,
 * resolved target) and registers regex cleanup with dpl_arena_defer().
 *
 * Every node has a span into the program's DplSource, which the program
 * references but does not own.
 */
#ifndef DPL_AST_H
#define DPL_AST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diag/diag.h"
#include "util/util.h"

/* ---- paths (§5) ---------------------------------------------------------- */
typedef enum {
    DPL_SEG_FIELD, /* .name or ."quoted name" */
    DPL_SEG_INDEX, /* [N] or [-N] */
    DPL_SEG_STAR,  /* [*] */
} DplSegKind;

typedef struct {
    DplSegKind kind;
    DplSpan span;
    const char *name;   /* FIELD: the key (arena), may contain any bytes */
    size_t name_len;
    int64_t index;      /* INDEX: negative counts from the end */
} DplSegment;

typedef enum {
    DPL_ROOT_RELATIVE, /* relative to data, or to the enclosing `add from` path */
    DPL_ROOT_DATA,     /* first segment was `data`     (kept in segs[0]) */
    DPL_ROOT_METADATA, /* first segment was `metadata` (kept in segs[0]) */
    DPL_ROOT_ITEM,     /* 'item.x, 'item[0]: from the element of the innermost map/filter
                          (v1.1); segs are what follows 'item, never empty */
} DplPathRoot;

typedef struct {
    DplPathRoot root;
    DplSegment *segs;   /* all segments as written, including a leading data/metadata */
    size_t nsegs;
    DplSpan span;
    /* Set by the checker: the absolute spelling of the field read
     * ("data.customer.email", "data.items[*].qty" inside map/filter), or
     * NULL when it is not known statically (the element of a map over a
     * computed array).  Rejects and never_present use it (spec §12.4-12.6). */
    const char *abs;
} DplPath;

/* ---- expressions (§6) ------------------------------------------------------ */
typedef enum {
    DPL_EXPR_NULL,
    DPL_EXPR_BOOL,
    DPL_EXPR_INT,
    DPL_EXPR_REAL,
    DPL_EXPR_STRING,
    DPL_EXPR_PATH,
    DPL_EXPR_META,
    DPL_EXPR_ARRAY,
    DPL_EXPR_UNARY,
    DPL_EXPR_BINARY,
    DPL_EXPR_CALL,
    DPL_EXPR_CAST,
    DPL_EXPR_ERROR, /* placeholder the parser leaves after a syntax error */
} DplExprKind;

typedef enum {
    DPL_OP_COALESCE, /* ?? */
    DPL_OP_OR,       /* or || */
    DPL_OP_AND,      /* and && */
    DPL_OP_EQ, DPL_OP_NE,
    DPL_OP_LT, DPL_OP_LE, DPL_OP_GT, DPL_OP_GE,
    DPL_OP_ADD, DPL_OP_SUB,
    DPL_OP_MUL, DPL_OP_DIV, DPL_OP_MOD,
    DPL_OP_NEG,      /* prefix - */
    DPL_OP_NOT,      /* prefix not ! */
} DplOp;

const char *dpl_op_spelling(DplOp op); /* "??", "or", "==", "-", "not", ... */

typedef enum {
    DPL_META_ID,
    DPL_META_SOURCE,
    DPL_META_ENTITY,
    DPL_META_LINE,
    DPL_META_ITEM, /* the element of the innermost map/filter (v1.1) */
    DPL_META_UNKNOWN
} DplMeta;

typedef enum { DPL_CAST_INT, DPL_CAST_FLOAT, DPL_CAST_STRING, DPL_CAST_BOOL, DPL_CAST_UNKNOWN } DplCastType;

struct DplBuiltin; /* stdlib/stdlib.h */

typedef struct DplExpr DplExpr;
struct DplExpr {
    DplExprKind kind;
    DplSpan span;        /* the whole expression */
    union {
        bool b;
        int64_t i;
        double r;
        struct {
            const char *s;
            size_t len;
        } str;
        DplPath path;
        struct {
            DplMeta which;
            const char *name; /* as written, without the ' */
            /* 'item: set by the checker, the absolute spelling of the
             * element ("data.items[*]"), or NULL when the array is not a
             * path; rejects use it (spec §12.6) */
            const char *abs;
        } meta;
        struct {
            DplExpr **items;
            size_t n;
        } array;
        struct {
            DplOp op;
            DplExpr *operand;
            DplSpan op_span;
        } unary;
        struct {
            DplOp op;
            DplExpr *lhs, *rhs;
            DplSpan op_span;
        } binary;
        struct {
            const char *name;
            DplSpan name_span;
            DplExpr **args;
            size_t nargs;
            const struct DplBuiltin *fn; /* set by the checker; NULL if unknown */
            void *regex;                 /* matches()/extract(): regex_t* compiled by the checker */
            int group;                   /* extract(): the capture group (checked literal) */
            /* map()/filter(): absolute spelling of the array when it is a
             * path ("data.items"), else NULL; set by the checker */
            const char *elem_prefix;
        } call;
        struct {
            DplExpr *operand;
            const char *type_name;
            DplSpan type_span;
            DplCastType type;          /* set by the parser from type_name */
        } cast;
    } u;
};

/* ---- statements (§4) --------------------------------------------------------- */
typedef enum { DPL_ITEM_VALUE, DPL_ITEM_ALL, DPL_ITEM_DELETE } DplItemKind;
typedef enum { DPL_MOD_NONE, DPL_MOD_APPEND, DPL_MOD_OVERWRITE } DplModifier;

typedef struct {
    const char **segs;  /* target = IDENT { "." IDENT } */
    size_t nsegs;
    DplSpan span;
} DplTarget;

typedef struct {
    DplItemKind kind;
    DplSpan span;           /* the whole item */
    DplModifier modifier;   /* VALUE only */
    DplExpr *value;         /* VALUE: the expression; DELETE: a PATH expression */
    bool has_target;        /* `-> target` was written */
    DplTarget target;       /* written target, or (VALUE with a plain path and no
                               arrow) set by the checker to the path's last field */
    DplExpr *cond;          /* `if cond`, or NULL */
} DplAddItem;

typedef enum {
    DPL_STMT_ENTITY,
    DPL_STMT_SOURCES,
    DPL_STMT_MANDATORY,
    DPL_STMT_REQUIREMENT,
    DPL_STMT_ADD,
    DPL_STMT_WHERE, /* v1.1 */
} DplStmtKind;

typedef struct {
    DplStmtKind kind;
    DplSpan span;            /* from the first keyword to the closing brace / last token */
    DplSpan keyword_span;    /* the statement keyword (`entity`, `add`, ...) */
    union {
        struct {
            bool substitutive;
            const char *name;
            size_t name_len;
            DplSpan name_span;
            DplExpr **keys;
            size_t nkeys;
        } entity;
        struct {
            const char **names;
            size_t *name_lens;
            DplSpan *name_spans;
            size_t nnames;
            DplPath *using_path; /* NULL: metadata.source */
        } sources;
        struct {
            DplExpr **paths;     /* PATH expressions */
            size_t npaths;
        } mandatory;
        struct {
            DplExpr **exprs;
            size_t nexprs;
        } requirement;
        struct {
            DplExpr **exprs;
            size_t nexprs;
        } where;
        struct {
            DplPath *from;       /* NULL when there is no `from` */
            DplAddItem *items;
            size_t nitems;
        } add;
    } u;
} DplStmt;

/* A field the program reads (spec §12.5), collected by the checker: its
 * absolute spelling and the same as segments from the envelope root
 * (segs[0] is `data` or `metadata`; [*] where a map/filter iterates). */
typedef struct {
    const char *text;
    DplSegment *segs;
    size_t nsegs;
} DplReadPath;

/* One place a read path is written in the program (W405 points at each). */
typedef struct {
    size_t read;      /* index into DplProgram.reads */
    DplSpan span;
} DplReadSite;

typedef struct {
    DplArena *arena;
    const DplSource *src;    /* borrowed */
    DplStmt *stmts;          /* in source order */
    size_t nstmts;
    /* set by dpl_check: the distinct paths the program reads, in order of
     * first appearance (not `sources ... using`, not `delete`), and where */
    DplReadPath *reads;
    size_t nreads;
    DplReadSite *read_sites;
    size_t nread_sites;
} DplProgram;

/* An empty program with its own arena; src is borrowed. */
DplProgram *dpl_program_new(const DplSource *src);
/* Frees the arena and everything in it (NULL is allowed). */
void dpl_program_free(DplProgram *p);

/* Whether two paths name the same thing (for dpl_expr_equal). */
typedef bool (*DplPathEqualFn)(const DplPath *a, const DplPath *b);
/* Structural equality of two expressions ignoring spans; paths compare
 * with path_equal (NULL: root and every segment alike).  `dplc compat`
 * passes its own, for which `valor` and `data.valor` are one field. */
bool dpl_expr_equal(const DplExpr *a, const DplExpr *b, DplPathEqualFn path_equal);
/* Appends an indented S-expression-like dump (`dplc ast`). */
void dpl_ast_print(DplBuf *out, const DplProgram *p);
/* Appends s[0..n) as a DPL string literal: quotes, the escapes of spec §3
 * for quote, backslash and control bytes (DEL too), UTF-8 as written. */
void dpl_ast_quote(DplBuf *out, const char *s, size_t n);
/* Appends the path as DPL source text (data."first name"[0]). */
void dpl_path_print(DplBuf *out, const DplPath *path);
/* Structural equality ignoring spans (formatter round-trip tests). */
bool dpl_ast_equal(const DplProgram *a, const DplProgram *b);
/* The absolute spelling of what e reads when e is written as a path or as
 * 'item ("data.valor", "data.items[*].qty", "data.items[*]"), as the
 * checker set it; NULL for any other expression, or when not known. */
const char *dpl_expr_abs_path(const DplExpr *e);

#endif
