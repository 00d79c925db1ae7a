/* coverage.c — which parts of a program the tests exercised (--coverage).
 *
 * The points of a program are its `sources` statement, `where` expressions,
 * entity keys, mandatory paths, requirements and add items.  A branch
 * (sources: a record of a listed source or not; where and requirement: held
 * or not; an item with `if`: condition true or not) has two outcomes to
 * cover, every other point one: being run.  The evaluator reports each point a record passes through the
 * hook of eval.h; the percentage is covered outcomes over all outcomes. */
#include <stdlib.h>

#include "testrun/internal.h"

typedef struct {
    const void *node;
    bool branch;
    uint32_t line;
    const char *what;        /* "requirement", "if", ... */
    unsigned long taken, not_taken;
} Point;

typedef struct {
    char *path;
    const DplProgram *prog;  /* borrowed: the runner keeps it until the end */
    Point *pts;              /* in program order */
    Point **index;           /* the same, by node address (the hook's look-up) */
    size_t npts;
} Prog;

struct Coverage {
    Prog *progs;
    size_t nprogs;
};

Coverage *tr_cov_new(void) { return dpl_calloc(1, sizeof(Coverage)); }

void tr_cov_free(Coverage *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nprogs; i++) {
        dpl_free(c->progs[i].path);
        dpl_free(c->progs[i].pts);
        dpl_free(c->progs[i].index);
    }
    dpl_free(c->progs);
    dpl_free(c);
}

static void add_point(Prog *p, const DplProgram *prog, const void *node, DplSpan span, bool branch, const char *what)
{
    p->pts = dpl_realloc(p->pts, (p->npts + 1) * sizeof *p->pts);
    p->pts[p->npts++] = (Point){.node = node,
                                .branch = branch,
                                .line = dpl_source_locate(prog->src, span.start).line,
                                .what = what};
}

/* A point for each expression of a statement's list. */
static void add_points(Prog *p, const DplProgram *prog, DplExpr *const *exprs, size_t n, bool branch,
                       const char *what)
{
    for (size_t k = 0; k < n; k++)
        add_point(p, prog, exprs[k], exprs[k]->span, branch, what);
}

static int by_node(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)(*(Point *const *)a)->node, y = (uintptr_t)(*(Point *const *)b)->node;
    return x < y ? -1 : x > y;
}

static int by_line(const void *a, const void *b)
{
    const Point *x = a, *y = b;
    return x->line != y->line ? (x->line < y->line ? -1 : 1) : 0;
}

static void collect(Prog *p, const DplProgram *prog)
{
    for (size_t s = 0; s < prog->nstmts; s++) {
        const DplStmt *st = &prog->stmts[s];
        switch (st->kind) {
        case DPL_STMT_SOURCES: add_point(p, prog, st, st->keyword_span, true, "sources"); break;
        case DPL_STMT_ENTITY: add_points(p, prog, st->u.entity.keys, st->u.entity.nkeys, false, "key"); break;
        case DPL_STMT_MANDATORY:
            add_points(p, prog, st->u.mandatory.paths, st->u.mandatory.npaths, false, "mandatory");
            break;
        case DPL_STMT_REQUIREMENT:
            add_points(p, prog, st->u.requirement.exprs, st->u.requirement.nexprs, true, "requirement");
            break;
        case DPL_STMT_WHERE: add_points(p, prog, st->u.where.exprs, st->u.where.nexprs, true, "where"); break;
        case DPL_STMT_ADD:
            for (size_t k = 0; k < st->u.add.nitems; k++) {
                const DplAddItem *it = &st->u.add.items[k];
                add_point(p, prog, it, it->span, it->cond != NULL, it->cond ? "if" : "item");
            }
            break;
        default: break; /* a statement kind without points of its own */
        }
    }
}

static void hit(void *ctx, const void *node, bool taken)
{
    Prog *p = ctx;
    Point key = {.node = node};
    Point *kp = &key;
    Point **found = bsearch(&kp, p->index, p->npts, sizeof *p->index, by_node);
    if (!found)
        return;
    Point *pt = *found;
    if (taken)
        pt->taken++;
    else
        pt->not_taken++;
}

void tr_cov_attach(Coverage *c, const char *program_path, const DplProgram *prog, DplCoverFn *fn, void **ctx)
{
    Prog *p = NULL;
    for (size_t i = 0; i < c->nprogs && !p; i++)
        if (c->progs[i].prog == prog)
            p = &c->progs[i];
    if (!p) {
        c->progs = dpl_realloc(c->progs, (c->nprogs + 1) * sizeof *c->progs);
        p = &c->progs[c->nprogs++];
        memset(p, 0, sizeof *p);
        p->path = dpl_strdup(program_path);
        p->prog = prog;
        collect(p, prog);
        p->index = dpl_malloc((p->npts + 1) * sizeof *p->index);
        for (size_t i = 0; i < p->npts; i++)
            p->index[i] = &p->pts[i];
        if (p->npts)
            qsort(p->index, p->npts, sizeof *p->index, by_node);
    }
    *fn = hit;
    *ctx = p;
}

static void point_counts(const Point *pt, size_t *covered, size_t *total)
{
    *total += pt->branch ? 2 : 1;
    *covered += (pt->taken > 0) + (pt->branch && pt->not_taken > 0);
}

static void describe(DplBuf *b, const Point *pt, bool color)
{
    bool missed = pt->taken == 0 || (pt->branch && pt->not_taken == 0);
    if (color && missed)
        dpl_buf_puts(b, TR_RED);
    if (!pt->branch) {
        if (pt->taken)
            dpl_buf_printf(b, "%s run %lu", pt->what, pt->taken);
        else
            dpl_buf_printf(b, "%s never run", pt->what);
    } else {
        bool src = strcmp(pt->what, "sources") == 0;
        bool held = strcmp(pt->what, "requirement") == 0 || strcmp(pt->what, "where") == 0;
        const char *yes = src ? "listed" : held ? "held" : "taken";
        const char *no = src ? "other" : held ? "failed" : "not taken";
        dpl_buf_printf(b, "%s %s %lu, %s %lu", pt->what, yes, pt->taken, no, pt->not_taken);
    }
    if (color && missed)
        dpl_buf_puts(b, TR_RESET);
}

double tr_cov_report(const Coverage *c, FILE *out, bool color, bool verbose)
{
    size_t all_cov = 0, all_tot = 0;
    DplBuf b = {0};
    for (size_t i = 0; i < c->nprogs; i++) {
        const Prog *p = &c->progs[i];
        Point *pts = dpl_malloc((p->npts + 1) * sizeof *pts);
        memcpy(pts, p->pts, p->npts * sizeof *pts);
        /* by line, keeping program order within a line (insertion sort is stable) */
        for (size_t x = 1; x < p->npts; x++)
            for (size_t y = x; y > 0 && by_line(&pts[y - 1], &pts[y]) > 0; y--) {
                Point t = pts[y];
                pts[y] = pts[y - 1];
                pts[y - 1] = t;
            }
        size_t cov = 0, tot = 0;
        for (size_t x = 0; x < p->npts; x++)
            point_counts(&pts[x], &cov, &tot);
        all_cov += cov;
        all_tot += tot;
        dpl_buf_printf(&b, "coverage of %s: %zu of %zu (%.1f%%)\n", p->path, cov, tot, tot ? 100.0 * cov / tot : 100.0);
        for (size_t x = 0; x < p->npts;) {
            size_t y = x;
            size_t lc = 0, lt = 0;
            while (y < p->npts && pts[y].line == pts[x].line)
                point_counts(&pts[y++], &lc, &lt);
            if (verbose || lc < lt) {
                size_t n;
                const char *text = dpl_source_line(p->prog->src, pts[x].line, &n);
                while (n && (*text == ' ' || *text == '\t'))
                    text++, n--;
                int w = n > 44 ? 44 : (int)n;
                dpl_buf_printf(&b, "  %s%5u | %-44.*s%s | ", lc < lt ? "!" : " ", pts[x].line, w, text,
                               n > 44 ? "…" : " ");
                for (size_t z = x; z < y; z++) {
                    if (z > x)
                        dpl_buf_puts(&b, "; ");
                    describe(&b, &pts[z], color);
                }
                dpl_buf_putc(&b, '\n');
            }
            x = y;
        }
        dpl_free(pts);
    }
    double pct = all_tot ? 100.0 * (double)all_cov / (double)all_tot : 100.0;
    dpl_buf_printf(&b, "coverage: %.1f%% (%zu of %zu outcomes in %zu program%s)\n", pct, all_cov, all_tot, c->nprogs,
                   c->nprogs == 1 ? "" : "s");
    fwrite(b.data, 1, b.len, out);
    dpl_buf_free(&b);
    return pct;
}
