/* internal.h — private to eval/: the prepared program, the per-record
 * context and the helpers that the evaluator's files share.
 *
 * Values follow the stdlib convention: json_t* new references, the C NULL
 * pointer means *missing*.  A runtime error is recorded once in ctx->err
 * (first error wins) together with the span of the expression that raised
 * it; the functions that can fail then return NULL, and callers test
 * ctx->err.set to tell an error from a missing value. */
#ifndef DPL_EVAL_INTERNAL_H
#define DPL_EVAL_INTERNAL_H

#include "eval/eval.h"
#include "json/json.h"

/* A validation check prepared once: the expression and, for plain paths,
 * the absolute path text used in error messages ("data.valor"). */
typedef struct {
    const DplExpr *expr;
    char *abs_path; /* NULL when expr is not a plain path */
    size_t mandatory; /* keys: index of the same path in ev->mandatory, or SIZE_MAX */
} EvalCheck;

struct DplEvaluator {
    const DplProgram *prog;
    const DplStmt *entity;  /* the entity statement (the checker ensures one) */
    const DplStmt *sources; /* NULL: every record is accepted */
    DplStrMap source_names; /* the names of `sources`, looked up per record */
    char *source_where;     /* where the source is read, for messages: "metadata.source"
                               or the text of the `using` path */
    EvalCheck *mandatory;
    size_t nmandatory;
    EvalCheck *requirements;
    size_t nrequirements;
    EvalCheck *wheres;      /* v1.1: every expression of every `where` */
    size_t nwheres;
    EvalCheck *keys;
    size_t nkeys;
    const DplStmt **adds;   /* add statements in source order */
    size_t nadds;
    char *default_source;   /* NUL-terminated copy */
    json_t *entity_name;    /* string value of the entity name ('entity, output) */
    DplCoverFn cover;       /* coverage hook, or NULL (dpl_eval_set_cover) */
    void *cover_ctx;
};

/* Reports a coverage point when a hook is set. */
#define DPL__COVER(ev, node, taken)                                                                                    \
    do {                                                                                                               \
        if ((ev)->cover)                                                                                               \
            (ev)->cover((ev)->cover_ctx, (node), (taken));                                                             \
    } while (0)

typedef struct {
    const DplEvaluator *ev;
    json_t *record;   /* the envelope, borrowed */
    json_t *base;     /* relative paths start here: data, or the `add from` value */
    json_t *source;   /* the record's source (a string), borrowed, or NULL */
    json_t *id;       /* the id string once identity ran, else NULL (owned) */
    json_t *item;     /* the element of the innermost map/filter ('item), borrowed */
    long line;
    DplRtError err;
    DplSpan err_span; /* the expression that raised err */
    json_t *err_value;    /* the offending value of err (spec §12.4), owned, or NULL */
    const char *err_path; /* its absolute path when written as a path (AST), or NULL */
} EvalCtx;

/* Records a runtime error raised by expression e (first error wins);
 * returns whether this one was recorded. */
bool dpl__eval_fail(EvalCtx *c, const DplExpr *e, DplRtCode code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Names the offending value of the error just recorded: value (borrowed,
 * may be NULL for missing) and, when operand is a path, its path. */
void dpl__eval_blame(EvalCtx *c, const DplExpr *operand, json_t *value);
/* Moves c's error (with its value and path; fallback_path when it has
 * none) into out and clears it. */
void dpl__eval_collect(EvalCtx *c, DplResult *out, const char *fallback_path);

/* expr.c: evaluates e; new reference, NULL for missing or error. */
json_t *dpl__eval(EvalCtx *c, const DplExpr *e);
/* The value at path p (relative paths start at c->base). */
json_t *dpl__eval_path(EvalCtx *c, const DplPath *p);

/* ops.c: operators and casts of spec §6; operands borrowed (NULL = missing). */
json_t *dpl__eval_binary(EvalCtx *c, const DplExpr *e, DplOp op, json_t *a, json_t *b);
json_t *dpl__eval_unary(EvalCtx *c, const DplExpr *e, DplOp op, json_t *a);
json_t *dpl__eval_cast(EvalCtx *c, const DplExpr *e, DplCastType type, json_t *a);
/* Whether a type_error of op on (a, b) is about b: a has a type op takes
 * and b does not. */
bool dpl__eval_blames_right(DplOp op, json_t *a, json_t *b);

/* build.c: runs the add blocks; returns the data object (new reference), or
 * NULL after adding the build errors to out. */
json_t *dpl__eval_build(EvalCtx *c, DplResult *out);

/* Absolute text of a path, as users see it in rejects ("data.valor",
 * "data.itens[*].sku"); the caller frees it. */
char *dpl__path_text(const DplPath *p);

#endif
