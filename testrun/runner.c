/* runner.c — `dpl test`: finds the test files, compiles each program once,
 * runs every test's records, compares, and reports (one line per test, a
 * diff per failure, a summary; JUnit, coverage and --update on request). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "check/check.h"
#include "testrun/internal.h"

/* ---- finding test files ------------------------------------------------------ */

typedef struct {
    char **v;
    size_t n;
} Names;

static void names_add(Names *l, char *s)
{
    l->v = dpl_realloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = s;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool has_ext(const char *name)
{
    size_t n = strlen(name), e = strlen(DPL_TEST_EXT);
    return n > e && strcmp(name + n - e, DPL_TEST_EXT) == 0;
}

/* Adds the test files under dir (recursively, hidden entries left out). */
static void walk(const char *dir, Names *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    Names here = {0};
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            names_add(&here, strcmp(dir, ".") == 0 ? dpl_strdup(de->d_name)
                             : dpl_asprintf("%.*s/%s", (int)(strlen(dir) - (dir[strlen(dir) - 1] == '/')), dir,
                                            de->d_name));
    closedir(d);
    if (here.n)
        qsort(here.v, here.n, sizeof *here.v, by_name);
    for (size_t i = 0; i < here.n; i++) {
        struct stat st;
        if (stat(here.v[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            walk(here.v[i], out);
            dpl_free(here.v[i]);
        } else if (has_ext(here.v[i])) {
            names_add(out, here.v[i]);
        } else {
            dpl_free(here.v[i]);
        }
    }
    dpl_free(here.v);
}

/* ---- programs, compiled once per run -------------------------------------------- */

typedef struct {
    char *key;            /* realpath, or the path as written */
    char *path;           /* as the first test file named it */
    DplSource *src;
    DplProgram *prog;
    DplCoverFn cover;     /* coverage hook (--coverage), or NULL */
    void *cover_ctx;
    char *error;          /* why it cannot run (diagnostics), or NULL */
} Program;

typedef struct {
    const DplTestOptions *o;
    FILE *out, *err;
    Program *progs;
    size_t nprogs;
    Coverage *cov;
    JunitCase *cases;
    size_t ncases;
    size_t passed, failed, errors, deselected, updated;
} Run;

static Program *program(Run *r, const char *path)
{
    char *key = realpath(path, NULL);
    char *k = key ? dpl_strdup(key) : dpl_strdup(path);
    free(key);
    for (size_t i = 0; i < r->nprogs; i++)
        if (strcmp(r->progs[i].key, k) == 0) {
            dpl_free(k);
            return &r->progs[i];
        }
    r->progs = dpl_realloc(r->progs, (r->nprogs + 1) * sizeof *r->progs);
    Program *p = &r->progs[r->nprogs++];
    memset(p, 0, sizeof *p);
    p->key = k;
    p->path = dpl_strdup(path);
    const char *rerr = NULL;
    p->src = dpl_source_read_file(path, &rerr);
    if (!p->src) {
        p->error = dpl_asprintf("cannot read program %s: %s\n", path, rerr ? rerr : "unknown error");
        return p;
    }
    DplDiagList diags = {0};
    bool ok = false;
    p->prog = dpl_compile(p->src, &diags, &ok);
    dpl_diag_sort(&diags);
    if (!ok) {
        DplBuf b = {0};
        for (size_t i = 0; i < diags.len; i++)
            dpl_diag_render_human(&b, p->src, &diags.items[i], r->o->color);
        dpl_buf_printf(&b, "program %s has errors; its tests cannot run\n", path);
        p->error = dpl_buf_take(&b);
    } else if (r->cov) {
        tr_cov_attach(r->cov, p->path, p->prog, &p->cover, &p->cover_ctx);
    }
    dpl_diag_list_free(&diags);
    return p;
}

static void programs_free(Run *r)
{
    for (size_t i = 0; i < r->nprogs; i++) {
        Program *p = &r->progs[i];
        dpl_program_free(p->prog);
        dpl_source_free(p->src);
        dpl_free(p->key);
        dpl_free(p->path);
        dpl_free(p->error);
    }
    dpl_free(r->progs);
}

/* ---- one test ----------------------------------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void where_input(DplBuf *b, const TestFile *f, const Record *rec)
{
    if (rec->file)
        dpl_buf_printf(b, "%s:%u", rec->file, rec->where);
    else
        dpl_buf_printf(b, "%s:%u", f->path, rec->where);
}

static void pretty(DplBuf *b, const json_t *v)
{
    dpl_json_write_pretty(b, v);
    if (!b->len || b->data[b->len - 1] != '\n')
        dpl_buf_putc(b, '\n');
}

/* The report of one failed record: where, the input, the diff. */
static void record_failure(DplBuf *b, const TestFile *f, const Test *t, long rec, const Expect *first,
                           const json_t *expected, const json_t *actual, bool color)
{
    const Record *r = &t->records[rec - 1];
    dpl_buf_printf(b, "%s:%u: record %ld (input at ", f->path, first->line, rec);
    where_input(b, f, r);
    dpl_buf_puts(b, ")\n  input: ");
    size_t n = r->len > 400 ? 400 : r->len;
    dpl_buf_append(b, r->text, n);
    dpl_buf_puts(b, n < r->len ? "…\n" : "\n");
    DplBuf eb = {0}, ab = {0};
    pretty(&eb, expected);
    pretty(&ab, actual);
    dpl_test_diff(b, eb.data, ab.data, "expected", "actual", 3, color);
    dpl_buf_free(&eb);
    dpl_buf_free(&ab);
}

static const char *const count_names[COUNT_KINDS] = {"emitted", "rejected", "skipped"};

/* Runs test t of file f; returns whether it passed (after --update: whether
 * everything that failed was rewritten). */
static bool run_test(Run *r, const TestFile *f, const Test *t, const Program *p, Edit **edits, size_t *nedits,
                     size_t *nrewritten, JunitCase *jc)
{
    const DplTestOptions *o = r->o;
    Actual *acts = dpl_calloc(t->nrecords + 1, sizeof *acts);
    long counts[COUNT_KINDS] = {0};
    char *msg = NULL;
    DplBuf shown = {0}, plain = {0};
    bool ok = true, all_updated = true;
    if (!tr_feed_test(p->prog, p->src, f, t, p->cover, p->cover_ctx, acts, counts, &msg)) {
        /* cannot happen in memory; reported rather than trusted */
        ok = all_updated = false;
        dpl_buf_printf(&shown, "%s:%u: the run failed: %s\n", f->path, t->line, msg ? msg : "unknown error");
        dpl_buf_printf(&plain, "%s:%u: the run failed: %s\n", f->path, t->line, msg ? msg : "unknown error");
    }
    dpl_free(msg);
    bool *done = dpl_calloc(t->nexps + 1, sizeof *done);
    const Expect **group = dpl_malloc((t->nexps + 1) * sizeof *group);
    Expect *gcopy = dpl_malloc((t->nexps + 1) * sizeof *gcopy);
    for (size_t i = 0; i < t->nexps; i++) {
        if (done[i])
            continue;
        long rec = t->exps[i].record;
        size_t n = 0;
        for (size_t j = i; j < t->nexps; j++)
            if (t->exps[j].record == rec) {
                done[j] = true;
                gcopy[n] = t->exps[j];
                group[n++] = &t->exps[j];
            }
        json_t *ev = NULL, *av = NULL;
        if (tr_compare(gcopy, n, &acts[rec - 1], &ev, &av)) {
            json_decref(ev);
            json_decref(av);
            continue;
        }
        ok = false;
        record_failure(&shown, f, t, rec, group[0], ev, av, o->color);
        if (o->junit_path)
            record_failure(&plain, f, t, rec, group[0], ev, av, false);
        json_decref(ev);
        json_decref(av);
        if (o->update) {
            char *text = tr_update_text(f->src, gcopy, n, &acts[rec - 1]);
            if (!text) {
                all_updated = false;
                continue;
            }
            *edits = dpl_realloc(*edits, (*nedits + n) * sizeof **edits);
            (*nrewritten)++;
            (*edits)[(*nedits)++] = (Edit){group[0]->start, group[0]->end, text};
            for (size_t k = 1; k < n; k++) /* the other lines of a multi-error reject go */
                (*edits)[(*nedits)++] = (Edit){group[k]->line_start, group[k]->line_end, dpl_strdup("")};
        }
    }
    for (int k = 0; k < COUNT_KINDS; k++) {
        const Count *c = &t->counts[k];
        if (!c->set || c->n == counts[k])
            continue;
        ok = false;
        DplBuf *bs[2] = {&shown, &plain};
        for (int x = 0; x < (o->junit_path ? 2 : 1); x++) {
            bool col = x == 0 && o->color;
            dpl_buf_printf(bs[x], "%s:%u: expected %ld %s, ", f->path, c->line, c->n, count_names[k]);
            if (col)
                dpl_buf_puts(bs[x], TR_RED);
            dpl_buf_printf(bs[x], "got %ld", counts[k]);
            if (col)
                dpl_buf_puts(bs[x], TR_RESET);
            dpl_buf_printf(bs[x], " (emitted %ld, rejected %ld, skipped %ld)\n", counts[COUNT_EMITTED],
                           counts[COUNT_REJECTED], counts[COUNT_SKIPPED]);
        }
        if (o->update) {
            *edits = dpl_realloc(*edits, (*nedits + 1) * sizeof **edits);
            (*nrewritten)++;
            (*edits)[(*nedits)++] = (Edit){c->start, c->end, dpl_asprintf("%ld", counts[k])};
        }
    }
    bool updated = !ok && o->update && all_updated;
    if (o->color)
        fputs(ok ? TR_GREEN : updated ? TR_CYAN : TR_RED, r->out);
    fputs(ok ? "ok     " : updated ? "update " : "FAIL   ", r->out);
    if (o->color)
        fputs(TR_RESET, r->out);
    fprintf(r->out, "%s:%u  %s\n", f->path, t->line, t->name);
    if (!ok) {
        /* the failure, indented under its test line */
        for (size_t i = 0; i < shown.len;) {
            const char *nl = memchr(shown.data + i, '\n', shown.len - i);
            size_t n = nl ? (size_t)(nl - (shown.data + i)) + 1 : shown.len - i;
            fputs("    ", r->out);
            fwrite(shown.data + i, 1, n, r->out);
            i += n;
        }
    }
    jc->failed = !ok && !updated;
    jc->detail = plain.len ? dpl_buf_take(&plain) : NULL;
    for (size_t i = 0; i < t->nrecords; i++)
        tr_actual_clear(&acts[i]);
    dpl_free(acts);
    dpl_free(done);
    dpl_free(group);
    dpl_free(gcopy);
    dpl_buf_free(&shown);
    dpl_buf_free(&plain);
    if (updated)
        r->updated++;
    return ok || updated;
}

static JunitCase *new_case(Run *r, const char *file, const char *name, uint32_t line)
{
    r->cases = dpl_realloc(r->cases, (r->ncases + 1) * sizeof *r->cases);
    JunitCase *c = &r->cases[r->ncases++];
    memset(c, 0, sizeof *c);
    c->file = dpl_strdup(file);
    c->name = dpl_strdup(name);
    c->line = line;
    return c;
}

static bool selected(const Run *r, const Test *t) { return !r->o->pattern || strstr(t->name, r->o->pattern); }

/* Runs every selected test of one file; false when the file could not run. */
static bool run_file(Run *r, const char *path)
{
    fflush(r->out); /* problems go to err: keep them in order with the report */
    const char *rerr = NULL;
    DplSource *src = dpl_source_read_file(path, &rerr);
    if (!src) {
        fprintf(r->err, "dpl test: cannot read %s: %s\n", path, rerr ? rerr : "unknown error");
        JunitCase *c = new_case(r, path, "(file)", 0);
        c->error = true;
        c->detail = dpl_asprintf("cannot read %s: %s", path, rerr ? rerr : "unknown error");
        r->errors++;
        return false;
    }
    char *msg = NULL;
    TestFile *f = tr_parse(src, &msg);
    if (!f) {
        fprintf(r->err, "%s\n", msg);
        JunitCase *c = new_case(r, path, "(file)", 0);
        c->error = true;
        c->detail = msg;
        r->errors++;
        return false;
    }
    size_t nsel = 0;
    for (size_t i = 0; i < f->ntests; i++)
        nsel += selected(r, &f->tests[i]);
    r->deselected += f->ntests - nsel;
    if (!nsel) {
        tr_file_free(f);
        return true;
    }
    Program *p = program(r, f->program);
    if (p->error) {
        fprintf(r->err, "%s:%u: ", f->path, f->program_line);
        fputs(p->error, r->err);
        for (size_t i = 0; i < f->ntests; i++) {
            if (!selected(r, &f->tests[i]))
                continue;
            JunitCase *c = new_case(r, f->path, f->tests[i].name, f->tests[i].line);
            c->error = true;
            c->detail = dpl_strdup(p->error);
            r->errors++;
            if (r->o->color)
                fputs(TR_RED, r->out);
            fputs("ERROR  ", r->out);
            if (r->o->color)
                fputs(TR_RESET, r->out);
            fprintf(r->out, "%s:%u  %s\n", f->path, f->tests[i].line, f->tests[i].name);
        }
        tr_file_free(f);
        return false;
    }
    Edit *edits = NULL;
    size_t nedits = 0, nrewritten = 0;
    for (size_t i = 0; i < f->ntests; i++) {
        const Test *t = &f->tests[i];
        if (!selected(r, t))
            continue;
        JunitCase *c = new_case(r, f->path, t->name, t->line);
        double t0 = now();
        bool ok = run_test(r, f, t, p, &edits, &nedits, &nrewritten, &r->cases[r->ncases - 1]);
        c = &r->cases[r->ncases - 1];
        c->seconds = now() - t0;
        if (ok)
            r->passed++;
        else
            r->failed++;
    }
    bool ok = true;
    if (nedits) {
        const char *why = NULL;
        if (tr_apply_edits(f->path, f->src, edits, nedits, &why)) {
            fprintf(r->out, "updated %zu expectation%s in %s\n", nrewritten, nrewritten == 1 ? "" : "s", f->path);
        } else {
            fprintf(r->err, "dpl test: cannot update %s: %s\n", f->path, why);
            ok = false;
        }
        for (size_t i = 0; i < nedits; i++)
            dpl_free(edits[i].text);
    }
    dpl_free(edits);
    tr_file_free(f);
    return ok;
}

int dpl_test_main(const DplTestOptions *o, FILE *out, FILE *err)
{
    Run r = {.o = o, .out = out, .err = err};
    if (o->coverage)
        r.cov = tr_cov_new();
    int status = DPL_TEST_PASSED;
    Names files = {0};
    static const char *const here[] = {"."};
    const char *const *paths = o->npaths ? o->paths : here;
    size_t npaths = o->npaths ? o->npaths : 1;
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            fprintf(err, "dpl test: cannot read %s: %s\n", paths[i], strerror(errno));
            status = DPL_TEST_ERROR;
            continue;
        }
        size_t before = files.n;
        if (S_ISDIR(st.st_mode))
            walk(paths[i], &files);
        else
            names_add(&files, dpl_strdup(paths[i]));
        if (files.n == before) {
            fprintf(err, "dpl test: no test files (*%s) under %s\n", DPL_TEST_EXT, paths[i]);
            status = DPL_TEST_ERROR;
        }
    }
    for (size_t i = 0; i < files.n; i++)
        if (!run_file(&r, files.v[i]))
            status = DPL_TEST_ERROR;
    if (r.failed && status == DPL_TEST_PASSED)
        status = DPL_TEST_FAILED;

    if (o->color)
        fputs(TR_BOLD, out);
    fprintf(out, "%zu passed, %zu failed", r.passed, r.failed);
    if (r.errors)
        fprintf(out, ", %zu could not run", r.errors);
    if (r.deselected)
        fprintf(out, ", %zu deselected by -k", r.deselected);
    if (r.updated)
        fprintf(out, ", %zu updated", r.updated);
    fprintf(out, " (%zu file%s)", files.n, files.n == 1 ? "" : "s");
    if (o->color)
        fputs(TR_RESET, out);
    fputc('\n', out);

    if (r.cov) {
        double pct = tr_cov_report(r.cov, out, o->color, o->verbose);
        if (o->coverage_min >= 0 && pct + 1e-9 < o->coverage_min) {
            fprintf(out, "coverage %.1f%% is below --coverage-min %g\n", pct, o->coverage_min);
            if (status == DPL_TEST_PASSED)
                status = DPL_TEST_FAILED;
        }
    }
    if (o->junit_path && !tr_junit_write(o->junit_path, r.cases, r.ncases)) {
        fprintf(err, "dpl test: cannot write %s: %s\n", o->junit_path, strerror(errno));
        status = DPL_TEST_ERROR;
    }
    for (size_t i = 0; i < r.ncases; i++) {
        dpl_free((char *)r.cases[i].file);
        dpl_free((char *)r.cases[i].name);
        dpl_free(r.cases[i].detail);
    }
    dpl_free(r.cases);
    for (size_t i = 0; i < files.n; i++)
        dpl_free(files.v[i]);
    dpl_free(files.v);
    tr_cov_free(r.cov);
    programs_free(&r);
    return status;
}
