/* repl_session.c — the REPL session: the program typed so far (checked and
 * recompiled after every statement) and what it does to the records and
 * expressions the user types. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "repl/internal.h"
#include "parser/parser.h"
#include "json/json.h"

#define SGR_RED "1;31"
#define SGR_YELLOW "1;33"
#define SGR_DIM "2"

void repl_error(Repl *r, const char *fmt, ...)
{
    r->had_error = true;
    fputs(r->color ? "\x1b[1;31merror\x1b[0m: " : "error: ", r->out);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->out, fmt, ap);
    va_end(ap);
    fputc('\n', r->out);
}

void repl_say(Repl *r, const char *sgr, const char *fmt, ...)
{
    if (r->color && sgr)
        fprintf(r->out, "\x1b[%sm", sgr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->out, fmt, ap);
    va_end(ap);
    if (r->color && sgr)
        fputs("\x1b[0m", r->out);
    fputc('\n', r->out);
}

/* ---- rendering diagnostics -------------------------------------------------- */

/* Renders d against src.  The span is clamped to the source first: an
 * "unexpected end of input" span may sit just past it. */
static void render(Repl *r, const DplSource *src, const DplDiag *d)
{
    DplDiag shown = *d;
    uint32_t hi = (uint32_t)src->len;
    shown.span.start = d->span.start > hi ? hi : d->span.start;
    shown.span.end = d->span.end > hi ? hi : d->span.end < shown.span.start ? shown.span.start : d->span.end;
    DplBuf b = {0};
    dpl_diag_render_human(&b, src, &shown, r->color);
    if (b.len)
        fwrite(b.data, 1, b.len, r->out);
    dpl_buf_free(&b);
}

/* Diagnostics the REPL never repeats on every line: a session is built one
 * statement at a time, so "no entity yet" and "no sources" are its normal
 * state (:check still shows them). */
static bool is_session_noise(const DplDiag *d)
{
    return d->code == DPL_E301 || d->code == DPL_W401;
}

static size_t count_errors(const DplDiagList *l, bool ignore_noise)
{
    size_t n = 0;
    for (size_t i = 0; i < l->len; i++)
        if (l->items[i].severity == DPL_SEV_ERROR && !(ignore_noise && is_session_noise(&l->items[i])))
            n++;
    return n;
}

/* ---- compiling the session ------------------------------------------------ */

typedef struct {
    DplSource *src;
    DplProgram *prog;
    DplDiagList diags;
    bool ok;
} Compiled;

static void compile(Compiled *c, const char *name, const char *text, size_t len)
{
    memset(c, 0, sizeof *c);
    c->src = dpl_source_new(name, text, len);
    c->prog = dpl_compile(c->src, &c->diags, &c->ok);
    dpl_diag_sort(&c->diags);
}

static void compiled_free(Compiled *c)
{
    if (c->prog)
        dpl_program_free(c->prog);
    dpl_source_free(c->src);
    dpl_diag_list_free(&c->diags);
    memset(c, 0, sizeof *c);
}

static void drop_program(Repl *r)
{
    if (r->xev)
        dpl_eval_free(r->xev);
    if (r->xprog)
        dpl_program_free(r->xprog);
    dpl_source_free(r->xsrc);
    if (r->ev)
        dpl_eval_free(r->ev);
    if (r->prog)
        dpl_program_free(r->prog);
    dpl_source_free(r->src);
    r->xev = NULL, r->xprog = NULL, r->xsrc = NULL;
    r->ev = NULL, r->prog = NULL, r->src = NULL;
}

/* Makes c the session's program (taking ownership of its source and program). */
static void install(Repl *r, Compiled *c)
{
    drop_program(r);
    r->src = c->src;
    r->prog = c->prog;
    if (c->ok)
        r->ev = dpl_eval_new(r->prog);
    c->src = NULL;
    c->prog = NULL;
    compiled_free(c);
}

/* The name of the session program while it is the file's text alone. */
static const char *session_name(const Repl *r)
{
    return r->file && r->text.len == r->file_len ? r->file : "<session>";
}

/* Where a rule at byte offset off comes from: the file's own lines keep the
 * file's name after statements are typed (they keep their numbers too, the
 * typed statements come after them). */
static const char *origin_name(const Repl *r, uint32_t off)
{
    return r->file && off < r->file_len ? r->file : "<session>";
}

bool repl_session_has_entity(const Repl *r)
{
    for (size_t i = 0; r->prog && i < r->prog->nstmts; i++)
        if (r->prog->stmts[i].kind == DPL_STMT_ENTITY)
            return true;
    return false;
}

void repl_session_init(Repl *r)
{
    Compiled c;
    compile(&c, "<session>", "", 0);
    install(r, &c);
}

void repl_session_free(Repl *r)
{
    drop_program(r);
    dpl_buf_free(&r->text);
    dpl_free(r->file);
    dpl_free(r->undo);
    r->file = NULL;
    r->undo = NULL;
    r->nundo = r->capundo = 0;
}

/* Replaces the session text (keeping a final newline so that the next typed
 * statement starts on a line of its own). */
static void set_text(Repl *r, const char *text, size_t len)
{
    DplBuf b = {0};
    dpl_buf_append(&b, text, len);
    if (len && text[len - 1] != '\n')
        dpl_buf_putc(&b, '\n');
    dpl_buf_free(&r->text);
    r->text = b;
}

bool repl_session_load(Repl *r, const char *name, const char *text, size_t len)
{
    Compiled c;
    compile(&c, name, text, len);
    bool ok = count_errors(&c.diags, true) == 0;
    for (size_t i = 0; i < c.diags.len; i++)
        if (!is_session_noise(&c.diags.items[i]))
            render(r, c.src, &c.diags.items[i]);
    if (!ok) {
        repl_error(r, "%s not loaded: it has errors%s", name,
                   r->text.len ? " (the session program is unchanged)" : "");
        compiled_free(&c);
        return false;
    }
    set_text(r, text, len);
    dpl_free(r->file);
    r->file = dpl_strdup(name);
    r->file_len = r->text.len;
    r->nundo = 0;
    install(r, &c);
    size_t n = r->prog->nstmts;
    repl_say(r, NULL, "loaded %s (%zu statement%s)%s", name, n, n == 1 ? "" : "s",
             repl_session_has_entity(r) ? "" : "; no entity statement yet");
    return true;
}

void repl_session_reset(Repl *r)
{
    dpl_buf_free(&r->text);
    dpl_free(r->file);
    r->file = NULL;
    r->nundo = 0;
    Compiled c;
    compile(&c, "<session>", "", 0);
    install(r, &c);
}

bool repl_session_undo(Repl *r)
{
    if (r->nundo == 0)
        return false;
    size_t keep = r->undo[--r->nundo];
    char *old = dpl_strndup(r->text.data ? r->text.data : "", keep);
    set_text(r, old, keep);
    dpl_free(old);
    Compiled c;
    compile(&c, "<session>", r->text.data ? r->text.data : "", r->text.len);
    install(r, &c);
    return true;
}

/* One line saying what a newly accepted statement is. */
static void describe(Repl *r, const DplStmt *s)
{
    DplBuf b = {0};
    switch (s->kind) {
    case DPL_STMT_ENTITY:
        dpl_buf_printf(&b, "added %sentity ", s->u.entity.substitutive ? "substitutive " : "");
        dpl_json_write_string(&b, s->u.entity.name, s->u.entity.name_len);
        dpl_buf_printf(&b, " (%zu key%s)", s->u.entity.nkeys, s->u.entity.nkeys == 1 ? "" : "s");
        break;
    case DPL_STMT_SOURCES:
        dpl_buf_puts(&b, "added sources ");
        for (size_t i = 0; i < s->u.sources.nnames; i++) {
            if (i)
                dpl_buf_puts(&b, ", ");
            dpl_json_write_string(&b, s->u.sources.names[i], s->u.sources.name_lens[i]);
        }
        if (s->u.sources.using_path) {
            dpl_buf_puts(&b, " using ");
            dpl_path_print(&b, s->u.sources.using_path);
        }
        break;
    case DPL_STMT_MANDATORY:
        dpl_buf_printf(&b, "added mandatory (%zu path%s)", s->u.mandatory.npaths,
                       s->u.mandatory.npaths == 1 ? "" : "s");
        break;
    case DPL_STMT_REQUIREMENT:
        dpl_buf_printf(&b, "added requirement (%zu expression%s)", s->u.requirement.nexprs,
                       s->u.requirement.nexprs == 1 ? "" : "s");
        break;
    case DPL_STMT_WHERE:
        dpl_buf_printf(&b, "added where (%zu expression%s)", s->u.where.nexprs, s->u.where.nexprs == 1 ? "" : "s");
        break;
    case DPL_STMT_ADD:
        dpl_buf_puts(&b, "added add");
        if (s->u.add.from) {
            dpl_buf_puts(&b, " from ");
            dpl_path_print(&b, s->u.add.from);
        }
        dpl_buf_printf(&b, " (%zu item%s)", s->u.add.nitems, s->u.add.nitems == 1 ? "" : "s");
        break;
    }
    repl_say(r, SGR_DIM, "%s", b.data ? b.data : "");
    dpl_buf_free(&b);
}

void repl_statement(Repl *r, const char *text, size_t len)
{
    size_t base = r->text.len;
    DplBuf cand = {0};
    dpl_buf_append(&cand, r->text.data ? r->text.data : "", r->text.len);
    dpl_buf_append(&cand, text, len);
    /* compiled without a final newline, so "expected `}`, found end of
     * file" points at the end of what was typed, not at an empty line */
    Compiled c;
    compile(&c, "<session>", cand.data, cand.len);
    dpl_buf_putc(&cand, '\n');

    /* Shown in session coordinates (the lines of :check and of reject
     * rules), so that notes such as "first written at line 3" are right;
     * the snippet and carets are still the text just typed.  Old warnings
     * are not repeated; errors in old statements can only be caused by the
     * new one (the session had none), so they are shown. */
    for (size_t i = 0; i < c.diags.len; i++) {
        const DplDiag *d = &c.diags.items[i];
        if (!is_session_noise(d) && (d->span.start >= base || d->severity == DPL_SEV_ERROR))
            render(r, c.src, d);
    }

    if (count_errors(&c.diags, true) > 0) {
        r->had_error = true;
        repl_say(r, SGR_DIM, "(not added)");
        compiled_free(&c);
        dpl_buf_free(&cand);
        return;
    }
    if (r->nundo == r->capundo) {
        r->capundo = r->capundo ? r->capundo * 2 : 16;
        r->undo = dpl_realloc(r->undo, r->capundo * sizeof *r->undo);
    }
    r->undo[r->nundo++] = base;
    dpl_buf_free(&r->text);
    r->text = cand;
    install(r, &c);
    for (size_t i = 0; i < r->prog->nstmts; i++)
        if (r->prog->stmts[i].span.start >= base)
            describe(r, &r->prog->stmts[i]);
}

void repl_session_check(Repl *r)
{
    if (r->text.len == 0) {
        repl_say(r, NULL, "the session program is empty: start with an entity, e.g. entity \"x\" { id }");
        return;
    }
    Compiled c;
    compile(&c, session_name(r), r->text.data ? r->text.data : "", r->text.len);
    for (size_t i = 0; i < c.diags.len; i++)
        render(r, c.src, &c.diags.items[i]);
    size_t ne = dpl_diag_count(&c.diags, DPL_SEV_ERROR), nw = dpl_diag_count(&c.diags, DPL_SEV_WARNING);
    if (ne + nw == 0)
        repl_say(r, NULL, "ok: %zu statement%s, no problems", c.prog->nstmts, c.prog->nstmts == 1 ? "" : "s");
    else
        repl_say(r, NULL, "%zu error%s, %zu warning%s", ne, ne == 1 ? "" : "s", nw, nw == 1 ? "" : "s");
    compiled_free(&c);
}

/* ---- records --------------------------------------------------------------- */

/* Prints the DPL source of span like a diagnostic's snippet:
 *     --> fipe.dpl:14:5
 *      |
 *   14 |     data.valor
 *      |     ^^^^^^^^^^
 * The caret line copies the tabs of the source line so carets stay aligned. */
static void render_rule(Repl *r, DplBuf *b, DplSpan span)
{
    const DplSource *src = r->src;
    DplPos pos = dpl_source_locate(src, span.start);
    size_t llen;
    const char *line = dpl_source_line(src, pos.line, &llen);
    char num[24];
    int w = snprintf(num, sizeof num, "%u", pos.line);
    dpl_buf_printf(b, "    %*s--> %s:%u:%u\n", w, "", origin_name(r, span.start), pos.line, pos.column);
    dpl_buf_printf(b, "    %*s |\n", w, "");
    dpl_buf_printf(b, "    %s | ", num);
    dpl_buf_append(b, line, llen);
    dpl_buf_printf(b, "\n    %*s | ", w, "");
    size_t lstart = (size_t)(line - src->text);
    size_t from = span.start - lstart, to = span.end > span.start ? span.end - lstart : from + 1;
    if (to > llen)
        to = llen > from ? llen : from + 1;
    for (size_t i = 0; i < from && i < llen;) {
        uint32_t cp;
        int n = dpl_utf8_decode(line + i, llen - i, &cp);
        dpl_buf_putc(b, line[i] == '\t' ? '\t' : ' ');
        i += n > 0 ? (size_t)n : 1;
    }
    size_t carets = from < llen ? dpl_utf8_count(line + from, to - from) : 1;
    if (r->color)
        dpl_buf_puts(b, "\x1b[1;31m");
    for (size_t i = 0; i < (carets ? carets : 1); i++)
        dpl_buf_putc(b, '^');
    if (r->color)
        dpl_buf_puts(b, "\x1b[0m");
    dpl_buf_putc(b, '\n');
}

static const DplStmt *find_stmt(const DplProgram *p, DplStmtKind kind)
{
    for (size_t i = 0; p && i < p->nstmts; i++)
        if (p->stmts[i].kind == kind)
            return &p->stmts[i];
    return NULL;
}

/* Skipped by `where`: names the first condition that is not true. */
static void print_skipped_where(Repl *r, json_t *rec, long line)
{
    for (size_t i = 0; i < r->prog->nstmts; i++) {
        const DplStmt *st = &r->prog->stmts[i];
        if (st->kind != DPL_STMT_WHERE)
            continue;
        for (size_t k = 0; k < st->u.where.nexprs; k++) {
            const DplExpr *e = st->u.where.exprs[k];
            DplRtError err = {0};
            json_t *v = dpl_eval_expr(r->ev, e, rec, line, &err);
            bool held = json_is_true(v), missing = !v;
            json_decref(v);
            if (held)
                continue;
            DplSpan sp = e->span;
            const DplSource *src = r->prog->src;
            repl_say(r, SGR_YELLOW, "skipped by `where`: `%.*s` is %s", (int)(sp.end - sp.start), src->text + sp.start,
                     missing ? "missing" : "not true");
            return;
        }
    }
    repl_say(r, SGR_YELLOW, "skipped by `where`");
}

static void print_skipped(Repl *r, const DplResult *res)
{
    DplBuf b = {0};
    dpl_buf_puts(&b, "skipped: source ");
    if (res->source)
        dpl_json_write_string(&b, res->source, strlen(res->source));
    else
        dpl_buf_puts(&b, "(none)");
    const DplStmt *s = find_stmt(r->prog, DPL_STMT_SOURCES);
    if (s) {
        dpl_buf_puts(&b, s->u.sources.nnames == 1 ? " is not " : " is not one of ");
        for (size_t i = 0; i < s->u.sources.nnames; i++) {
            if (i)
                dpl_buf_puts(&b, ", ");
            dpl_json_write_string(&b, s->u.sources.names[i], s->u.sources.name_lens[i]);
        }
    }
    repl_say(r, SGR_YELLOW, "%s", b.data);
    dpl_buf_free(&b);
}

/* "value: ..." — what an error saw (spec §12.4), on one line: cut after
 * 120 bytes, at a character boundary. */
static void value_line(DplBuf *b, const char *indent, json_t *value)
{
    enum { MAX_BYTES = 120 };
    DplBuf v = {0};
    dpl_json_write(&v, value);
    size_t keep = v.len;
    if (keep > MAX_BYTES) {
        keep = MAX_BYTES;
        while (keep && ((unsigned char)v.data[keep] & 0xC0) == 0x80)
            keep--;
    }
    dpl_buf_printf(b, "%svalue: %.*s%s\n", indent, (int)keep, v.data, keep < v.len ? "..." : "");
    dpl_buf_free(&v);
}

static void print_rejected(Repl *r, const DplResult *res)
{
    repl_say(r, SGR_RED, "rejected: %zu error%s", res->nerrors, res->nerrors == 1 ? "" : "s");
    DplBuf b = {0};
    for (size_t i = 0; i < res->nerrors; i++) {
        const DplRecError *e = &res->errors[i];
        dpl_buf_printf(&b, "  %s", dpl_rt_code_name(e->code));
        if (e->path)
            dpl_buf_printf(&b, " %s", e->path);
        dpl_buf_printf(&b, ": %s\n", e->message ? e->message : "");
        if (e->value)
            value_line(&b, "    ", e->value);
        if (e->has_rule)
            render_rule(r, &b, e->rule);
    }
    if (b.len)
        fwrite(b.data, 1, b.len, r->out);
    dpl_buf_free(&b);
}

static void run_record(Repl *r, json_t *rec, long line)
{
    if (!r->ev) {
        repl_say(r, SGR_YELLOW,
                 "no entity statement yet: add one, e.g. entity \"x\" { id }"
                 " (the record is kept for expressions)");
        return;
    }
    DplResult res;
    dpl_result_init(&res);
    dpl_eval_record(r->ev, rec, line, &res);
    switch (res.outcome) {
    case DPL_EMIT: {
        DplBuf b = {0};
        dpl_json_write_pretty(&b, res.entity);
        if (b.len)
            fwrite(b.data, 1, b.len, r->out);
        if (!b.len || b.data[b.len - 1] != '\n')
            fputc('\n', r->out);
        dpl_buf_free(&b);
        break;
    }
    case DPL_SKIP:
        if (res.skipped_by == DPL_SKIP_WHERE)
            print_skipped_where(r, rec, line);
        else
            print_skipped(r, &res);
        break;
    case DPL_REJECT:
        print_rejected(r, &res);
        break;
    }
    dpl_result_free(&res);
}

bool repl_record_rejected(Repl *r, const char *text, size_t len, long line)
{
    json_t *v = NULL;
    DplJsonError err;
    memset(&err, 0, sizeof err);
    if (dpl_json_parse(text, len, &v, &err) != DPL_JSON_OK || !json_is_object(v)) {
        if (v)
            json_decref(v);
        return true; /* dpl run rejects it too: invalid_json, not_an_object */
    }
    DplResult res;
    dpl_result_init(&res);
    dpl_eval_record(r->ev, v, line, &res);
    bool rejected = res.outcome == DPL_REJECT;
    dpl_result_free(&res);
    json_decref(v);
    return rejected;
}

void repl_record_text(Repl *r, const char *text, size_t len, long line, const char *where)
{
    json_t *v = NULL;
    DplJsonError err;
    memset(&err, 0, sizeof err);
    if (dpl_json_parse(text, len, &v, &err) != DPL_JSON_OK) {
        const char *what = err.status == DPL_JSON_TOO_DEEP   ? "record nested too deeply"
                           : err.status == DPL_JSON_NUL_KEY ? "record beyond a limit"
                                                            : "invalid JSON";
        if (where)
            repl_error(r, "%s at %s:%ld: %s", what, where, line, err.message);
        else if (err.column > 0)
            repl_error(r, "%s (column %d): %s", what, err.column, err.message);
        else
            repl_error(r, "%s: %s", what, err.message);
        if (v)
            json_decref(v);
        return;
    }
    if (!json_is_object(v)) {
        repl_error(r, "a record must be a JSON object {\"data\": ..., \"metadata\": ...}");
        json_decref(v);
        return;
    }
    if (r->record)
        json_decref(r->record);
    r->record = v;
    r->record_line = line;
    repl_fields_add(r, v);
    run_record(r, v, line);
}

/* ---- expressions ------------------------------------------------------------ */

/* The evaluator expressions use: the session's, or (no entity statement
 * yet) one for the session plus a stand-in entity that no record ever sees. */
static const DplEvaluator *expr_evaluator(Repl *r)
{
    if (r->ev)
        return r->ev;
    if (!r->xev) {
        DplBuf b = {0};
        dpl_buf_append(&b, r->text.data ? r->text.data : "", r->text.len);
        dpl_buf_puts(&b, "entity \"repl\" { true }\n");
        Compiled c;
        compile(&c, "<session>", b.data, b.len);
        dpl_buf_free(&b);
        if (!c.ok) {
            compiled_free(&c);
            return NULL;
        }
        r->xsrc = c.src;
        r->xprog = c.prog;
        r->xev = dpl_eval_new(r->xprog);
        c.src = NULL;
        c.prog = NULL;
        compiled_free(&c);
    }
    return r->xev;
}

/* The PATH nodes of e, in order (at most max), for missing_hint. */
static size_t paths_of(const DplExpr *e, const DplExpr **out, size_t n, size_t max)
{
    if (!e || n >= max)
        return n;
    switch (e->kind) {
    case DPL_EXPR_PATH: out[n++] = e; break;
    case DPL_EXPR_UNARY: n = paths_of(e->u.unary.operand, out, n, max); break;
    case DPL_EXPR_BINARY:
        n = paths_of(e->u.binary.lhs, out, n, max);
        n = paths_of(e->u.binary.rhs, out, n, max);
        break;
    case DPL_EXPR_CAST: n = paths_of(e->u.cast.operand, out, n, max); break;
    case DPL_EXPR_CALL: {
        /* the second argument of map/filter reads each element, not the record */
        bool per_element = strcmp(e->u.call.name, "map") == 0 || strcmp(e->u.call.name, "filter") == 0;
        for (size_t i = 0; i < e->u.call.nargs && !(per_element && i > 0); i++)
            n = paths_of(e->u.call.args[i], out, n, max);
        break;
    }
    case DPL_EXPR_ARRAY:
        for (size_t i = 0; i < e->u.array.n; i++)
            n = paths_of(e->u.array.items[i], out, n, max);
        break;
    default: break;
    }
    return n;
}

/* s without its double quotes: `data."preço"` compares as `data.preço`. */
static char *unquoted(const char *s)
{
    char *u = dpl_strdup(s), *w = u;
    for (; *s; s++)
        if (*s != '"')
            *w++ = *s;
    *w = '\0';
    return u;
}

/* An expression came out missing: says which of its paths the record does
 * not have, with the nearest path it does have (`data.preco` for
 * `data."preço"`, a common slip with accented field names). */
static void missing_hint(Repl *r, const DplEvaluator *ev, const DplExpr *e)
{
    const DplExpr *paths[4];
    size_t np = paths_of(e, paths, 0, 4);
    char **have = NULL;
    size_t nhave = 0;
    char **plain = NULL;
    for (size_t i = 0; i < np; i++) {
        DplRtError err;
        memset(&err, 0, sizeof err);
        json_t *v = dpl_eval_expr(ev, paths[i], r->record, r->record_line, &err);
        if (v || err.set) {
            if (v)
                json_decref(v);
            continue;
        }
        if (!have) { /* the paths this record has, written as a rule would */
            have = repl_record_paths(r->record, &nhave);
            plain = dpl_calloc(nhave + 1, sizeof *plain);
            for (size_t k = 0; k < nhave; k++)
                plain[k] = unquoted(have[k]);
        }
        DplBuf b = {0};
        dpl_path_print(&b, &paths[i]->u.path);
        char *want = unquoted(b.data ? b.data : "");
        const char *near = dpl_nearest(want, (const char *const *)plain, nhave);
        size_t k = 0;
        while (near && plain[k] != near)
            k++;
        /* a quoted first segment alone would be a string: write it from data */
        if (near)
            repl_say(r, SGR_DIM, "  `%s` is not in the record; did you mean `%s%s`?", b.data,
                     have[k][0] == '"' ? "data." : "", have[k]);
        else
            repl_say(r, SGR_DIM, "  `%s` is not in the record (:record shows it)", b.data);
        dpl_free(want);
        dpl_buf_free(&b);
    }
    for (size_t k = 0; k < nhave; k++)
        dpl_free(have[k]), dpl_free(plain[k]);
    dpl_free(have);
    dpl_free(plain);
}

void repl_expression(Repl *r, const char *text, size_t len)
{
    DplSource *src = dpl_source_new("<repl>", text, len);
    DplProgram *tmp = dpl_program_new(src);
    DplDiagList diags = {0};
    DplExpr *e = dpl_parse_expr(tmp, src, &diags);
    if (e && count_errors(&diags, false) == 0)
        dpl_check_expr(tmp, e, &diags);
    dpl_diag_sort(&diags);
    for (size_t i = 0; i < diags.len; i++)
        render(r, src, &diags.items[i]);
    const DplEvaluator *ev;
    if (!e || count_errors(&diags, false) > 0) {
        r->had_error = true;
    } else if (!r->record) {
        repl_error(r, "no record yet: paste a JSON record (a line starting with `{`) first");
    } else if (!(ev = expr_evaluator(r))) {
        repl_error(r, "the session program cannot be evaluated (see :check)");
    } else {
        DplResult res;
        dpl_result_init(&res);
        json_t *v = dpl_eval_expr_blamed(ev, e, r->record, r->record_line, &res);
        if (res.nerrors) {
            /* as a reject says it: the path and the value it saw */
            const DplRecError *er = &res.errors[0];
            repl_say(r, SGR_RED, "%s%s%s: %s", dpl_rt_code_name(er->code), er->path ? " " : "", er->path ? er->path : "",
                     er->message);
            if (er->value) {
                DplBuf vb = {0};
                value_line(&vb, "  ", er->value);
                fwrite(vb.data, 1, vb.len, r->out);
                dpl_buf_free(&vb);
            }
        } else if (!v) {
            repl_say(r, SGR_DIM, "missing");
            missing_hint(r, ev, e);
        } else {
            DplBuf b = {0};
            dpl_json_write(&b, v);
            repl_say(r, NULL, "%s", b.data ? b.data : "");
            dpl_buf_free(&b);
        }
        if (v)
            json_decref(v);
        dpl_result_free(&res);
    }
    dpl_diag_list_free(&diags);
    dpl_program_free(tmp);
    dpl_source_free(src);
}
