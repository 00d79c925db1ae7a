/* presence.c — paths that are never there (spec §12.5): which of the paths
 * a program reads (collected by the checker, DplProgram.reads) occur in the
 * records, for `dpl run --stats` (never_present) and `dplc check --sample`
 * (W405 with "did you mean"). */
#include <stdio.h>
#include <stdlib.h>

#include "check/check.h"
#include "eval/internal.h"
#include "lexer/lexer.h"

struct DplPresence {
    const DplProgram *prog;
    bool *seen; /* per read path */
    size_t unseen;
    unsigned long long records;
};

/* Whether segs[i..n) exist below v: a field or element that is there (even
 * as null); [*] when any element has the rest. */
static bool present(const json_t *v, const DplSegment *segs, size_t i, size_t n)
{
    for (; i < n; i++) {
        const DplSegment *s = &segs[i];
        switch (s->kind) {
        case DPL_SEG_FIELD:
            v = json_is_object(v) ? json_object_getn(v, s->name, s->name_len) : NULL;
            break;
        case DPL_SEG_INDEX: {
            if (!json_is_array(v))
                return false;
            int64_t len = (int64_t)json_array_size(v), k = s->index < 0 ? len + s->index : s->index;
            v = k >= 0 && k < len ? json_array_get(v, (size_t)k) : NULL;
            break;
        }
        case DPL_SEG_STAR:
            if (!json_is_array(v))
                return false;
            for (size_t k = 0; k < json_array_size(v); k++)
                if (present(json_array_get(v, k), segs, i + 1, n))
                    return true;
            return false;
        }
        if (!v)
            return false;
    }
    return true;
}

DplPresence *dpl_presence_new(const DplProgram *prog)
{
    DplPresence *p = dpl_calloc(1, sizeof *p);
    p->prog = prog;
    p->seen = dpl_calloc(prog->nreads ? prog->nreads : 1, sizeof *p->seen);
    p->unseen = prog->nreads;
    return p;
}

void dpl_presence_free(DplPresence *p)
{
    if (!p)
        return;
    dpl_free(p->seen);
    dpl_free(p);
}

void dpl_presence_record(DplPresence *p, const json_t *record)
{
    p->records++;
    /* once every path has been seen, a record costs nothing */
    for (size_t i = 0; p->unseen && i < p->prog->nreads; i++) {
        const DplReadPath *r = &p->prog->reads[i];
        if (!p->seen[i] && present(record, r->segs, 0, r->nsegs)) {
            p->seen[i] = true;
            p->unseen--;
        }
    }
}

void dpl_presence_record_fn(DplPresence *p, bool (*present)(const void *ctx, size_t read), const void *ctx)
{
    p->records++;
    for (size_t i = 0; p->unseen && i < p->prog->nreads; i++)
        if (!p->seen[i] && present(ctx, i)) {
            p->seen[i] = true;
            p->unseen--;
        }
}

void dpl_presence_reset(DplPresence *p)
{
    p->records = 0;
    memset(p->seen, 0, p->prog->nreads * sizeof *p->seen);
    p->unseen = p->prog->nreads;
}

void dpl_presence_merge(DplPresence *into, const DplPresence *from)
{
    into->records += from->records;
    for (size_t i = 0; i < into->prog->nreads; i++)
        if (from->seen[i] && !into->seen[i]) {
            into->seen[i] = true;
            into->unseen--;
        }
}

unsigned long long dpl_presence_records(const DplPresence *p) { return p->records; }

static int by_bytes(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

const char **dpl_presence_never(const DplPresence *p, size_t *n)
{
    *n = 0;
    if (!p->records || !p->unseen)
        return NULL;
    const char **out = dpl_malloc(p->unseen * sizeof *out);
    for (size_t i = 0; i < p->prog->nreads; i++)
        if (!p->seen[i])
            out[(*n)++] = p->prog->reads[i].text;
    qsort(out, *n, sizeof *out, by_bytes);
    return out;
}

void dpl_presence_write_stats(DplBuf *out, const DplPresence *p)
{
    size_t n;
    const char **never = dpl_presence_never(p, &n);
    if (!never)
        return;
    dpl_buf_puts(out, ",\"never_present\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            dpl_buf_putc(out, ',');
        dpl_json_write_string(out, never[i], strlen(never[i]));
    }
    dpl_buf_putc(out, ']');
    dpl_free(never);
}

/* ---- dplc check --sample ------------------------------------------------------------ */

typedef DPL_VEC(const char *) Names;

/* Every path that occurs in v, spelled as the checker spells read paths
 * (arrays as [*]), into names (deduplicated later). */
static void sample_paths(DplArena *a, Names *names, DplBuf *prefix, const json_t *v)
{
    if (json_is_object(v)) {
        for (void *it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it)) {
            size_t keep = prefix->len;
            const char *k = json_object_iter_key(it);
            size_t kn = json_object_iter_key_len(it);
            if (prefix->len)
                dpl_buf_putc(prefix, '.');
            if (dpl_tok_is_name(k, kn))
                dpl_buf_append(prefix, k, kn);
            else
                dpl_ast_quote(prefix, k, kn);
            dpl_vec_push(a, names, dpl_arena_strndup(a, prefix->data, prefix->len));
            sample_paths(a, names, prefix, json_object_iter_value(it));
            prefix->len = keep;
        }
    } else if (json_is_array(v)) {
        size_t keep = prefix->len;
        dpl_buf_puts(prefix, "[*]");
        for (size_t i = 0; i < json_array_size(v); i++)
            sample_paths(a, names, prefix, json_array_get(v, i));
        prefix->len = keep;
    }
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Sorts names and drops repeats; returns the new length. */
static size_t sort_unique(Names *names)
{
    qsort(names->items, names->len, sizeof *names->items, cmp_names);
    size_t k = 0;
    for (size_t i = 0; i < names->len; i++)
        if (!k || strcmp(names->items[k - 1], names->items[i]) != 0)
            names->items[k++] = names->items[i];
    names->len = k;
    return k;
}

/* Whether name is path with one or more [*] steps put in (only put in:
 * `items[0].sku` is not `items[*].sku`). */
static bool adds_stars(const char *path, const char *name)
{
    bool added = false;
    while (*name) {
        if (*name == *path) {
            name++, path++;
        } else if (strncmp(name, "[*]", 3) == 0) {
            name += 3;
            added = true;
        } else {
            return false;
        }
    }
    return added && !*path;
}

/* The sample path that is path with [*] where path walks through an array
 * as if it were an object (`line_items.qty` for `line_items[*].qty`: the
 * second silent misspelling of issue 16); the shortest such, or NULL. */
static const char *through_array(const char *path, const char *const *names, size_t n)
{
    const char *best = NULL;
    for (size_t i = 0; i < n; i++)
        if ((!best || strlen(names[i]) < strlen(best)) && adds_stars(path, names[i]))
            best = names[i];
    return best;
}

struct DplSample {
    const DplProgram *prog;
    bool raw;
    DplPresence *presence;
    DplArena *arena;
    Names names;       /* every path the records have (repeats dropped now and then) */
    size_t unique_at;  /* sort_unique when names grows past this */
    DplBuf prefix;
    DplBuf partial;    /* a line not yet ended by '\n' */
    long line;
    size_t records;
    bool failed;
};

DplSample *dpl_sample_new(const DplProgram *prog, bool raw)
{
    DplSample *s = dpl_calloc(1, sizeof *s);
    s->prog = prog;
    s->raw = raw;
    s->presence = dpl_presence_new(prog);
    s->arena = dpl_arena_new();
    s->unique_at = 1024;
    return s;
}

void dpl_sample_free(DplSample *s)
{
    if (!s)
        return;
    dpl_buf_free(&s->prefix);
    dpl_buf_free(&s->partial);
    dpl_arena_free(s->arena);
    dpl_presence_free(s->presence);
    dpl_free(s);
}

/* One line (without its '\n'): a record, or nothing when blank. */
static bool sample_line(DplSample *s, const char *l, size_t n, char *why, size_t why_cap)
{
    s->line++;
    size_t t = n;
    while (t && (l[t - 1] == '\r' || l[t - 1] == ' ' || l[t - 1] == '\t'))
        t--;
    size_t b = 0;
    while (b < t && (l[b] == ' ' || l[b] == '\t'))
        b++;
    if (b == t)
        return true; /* blank lines are not records */
    json_t *v = NULL;
    DplJsonError jerr;
    if (dpl_json_parse(l, n, &v, &jerr) != DPL_JSON_OK) {
        snprintf(why, why_cap, "line %ld is not valid JSON (column %d: %s)", s->line, jerr.column, jerr.message);
        return false;
    }
    json_t *env = v;
    if (s->raw) {
        env = json_object();
        json_object_set_new_nocheck(env, "data", v);
    }
    s->records++;
    dpl_presence_record(s->presence, env);
    s->prefix.len = 0;
    sample_paths(s->arena, &s->names, &s->prefix, env);
    if (s->names.len > s->unique_at)
        s->unique_at = 2 * sort_unique(&s->names) + 1024;
    json_decref(env);
    return true;
}

bool dpl_sample_add(DplSample *s, const char *text, size_t len, char *why, size_t why_cap)
{
    for (size_t i = 0; i < len && !s->failed;) {
        const char *l = text + i, *nl = memchr(l, '\n', len - i);
        size_t n = nl ? (size_t)(nl - l) : len - i;
        i += n + (nl != NULL);
        if (!nl) {
            dpl_buf_append(&s->partial, l, n);
            break;
        }
        if (s->partial.len) {
            dpl_buf_append(&s->partial, l, n);
            s->failed = !sample_line(s, s->partial.data, s->partial.len, why, why_cap);
            s->partial.len = 0;
        } else {
            s->failed = !sample_line(s, l, n, why, why_cap);
        }
    }
    return !s->failed;
}

bool dpl_sample_finish(DplSample *s, DplDiagList *diags, char *why, size_t why_cap)
{
    if (!s->failed && s->partial.len)
        s->failed = !sample_line(s, s->partial.data, s->partial.len, why, why_cap);
    s->partial.len = 0;
    if (s->failed)
        return false;
    const DplProgram *prog = s->prog;
    DplPresence *p = s->presence;
    if (!p->unseen || !s->records)
        return true;
    size_t k = sort_unique(&s->names);
    for (size_t si = 0; si < prog->nread_sites; si++) {
        const DplReadSite *site = &prog->read_sites[si];
        if (p->seen[site->read])
            continue;
        const char *path = prog->reads[site->read].text;
        DplDiag *d = dpl_diag_add(diags, DPL_W405, site->span, "`%s` is never present in the %zu sample record%s", path,
                                  s->records, s->records == 1 ? "" : "s");
        dpl_diag_label(d, "never in the sample");
        const char *arr = through_array(path, s->names.items, k);
        const char *near = arr ? NULL : dpl_nearest(path, s->names.items, k);
        if (arr) {
            size_t at = 0; /* where the spellings part: the array's end */
            while (arr[at] && arr[at] == path[at])
                at++;
            dpl_diag_help(d, "did you mean `%s`? `%.*s` is an array in the sample: `[*]` reads a field of every element",
                          arr, (int)at, arr);
        } else if (near) {
            dpl_diag_help(d, "did you mean `%s`?", near);
        } else {
            dpl_diag_help(d, "check the spelling, or add a sample record that has it");
        }
    }
    return true;
}

bool dpl_check_sample(const DplProgram *prog, const char *text, size_t len, bool raw, DplDiagList *diags,
                      char *why, size_t why_cap)
{
    DplSample *s = dpl_sample_new(prog, raw);
    bool ok = dpl_sample_add(s, text, len, why, why_cap) && dpl_sample_finish(s, diags, why, why_cap);
    dpl_sample_free(s);
    return ok;
}
