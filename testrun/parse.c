/* parse.c — reads a `*.dpltest` file (docs/testing.md): `program`, `raw`,
 * `source`, then `test "name" { ... }` blocks of `base`, `input`, `line N`,
 * `emit`, `reject`, `skip` and `emitted`/`rejected`/`skipped` counts
 * (`input` inline, `input text "..."` or `input file "..."`).
 *
 * The format is line oriented: every item starts a line, a `#` outside JSON
 * starts a comment, and a JSON value may continue over several lines until
 * its brackets close.  Byte offsets of expectations are kept for --update. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "stream/stream.h"
#include "testrun/internal.h"

typedef struct {
    DplSource *src;
    const char *s;
    size_t len, pos;
    char *msg;           /* the first error */
    TestFile *f;
    Test *t;             /* the open test block */
    json_t *base;        /* the open test's `base` record, or NULL */
    long stream_line;    /* records so far in the open test */
    bool last_inline;    /* the last record was an inline input */
    long current;        /* the record a bare emit/reject/skip is about (0: none) */
    bool no_files;       /* `input file` is an error (dpl_test_parse_check) */
} P;

static bool fail(P *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(P *p, size_t at, const char *fmt, ...)
{
    if (p->msg)
        return false;
    DplPos pos = dpl_source_locate(p->src, (uint32_t)at);
    va_list ap;
    va_start(ap, fmt);
    char *m = dpl_vasprintf(fmt, ap);
    va_end(ap);
    p->msg = dpl_asprintf("%s:%u:%u: %s", p->src->name, pos.line, pos.column, m);
    dpl_free(m);
    return false;
}

static uint32_t line_of(P *p, size_t at) { return dpl_source_locate(p->src, (uint32_t)at).line; }

static void skip_blanks(P *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
        p->pos++;
}

/* True at the end of a line (optionally after a comment); consumes it. */
static bool at_eol(P *p)
{
    skip_blanks(p);
    if (p->pos < p->len && p->s[p->pos] == '#')
        while (p->pos < p->len && p->s[p->pos] != '\n')
            p->pos++;
    if (p->pos < p->len && p->s[p->pos] == '\r' && p->pos + 1 < p->len && p->s[p->pos + 1] == '\n')
        p->pos++;
    if (p->pos >= p->len)
        return true;
    if (p->s[p->pos] == '\n') {
        p->pos++;
        return true;
    }
    return false;
}

static bool end_item(P *p)
{
    size_t at = p->pos;
    if (at_eol(p))
        return true;
    return fail(p, at, "unexpected `%.*s` after the item; one item per line", (int)strcspn(p->s + at, " \t\r\n"),
                p->s + at);
}

static bool is_word_char(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

/* Reads a word (letters, digits, _); returns its length (0: none). */
static size_t word(P *p, const char **w)
{
    skip_blanks(p);
    *w = p->s + p->pos;
    size_t n = 0;
    while (p->pos + n < p->len && is_word_char(p->s[p->pos + n]))
        n++;
    p->pos += n;
    return n;
}

static bool word_is(const char *w, size_t n, const char *kw) { return strlen(kw) == n && memcmp(w, kw, n) == 0; }

/* The end of the JSON value starting at pos (brackets and strings balanced),
 * or 0 when it never closes. */
static size_t json_end(const char *s, size_t len, size_t pos)
{
    char c = s[pos];
    if (c == '{' || c == '[') {
        int depth = 0;
        bool in_str = false;
        for (size_t i = pos; i < len; i++) {
            char ch = s[i];
            if (in_str) {
                if (ch == '\\')
                    i++;
                else if (ch == '"')
                    in_str = false;
            } else if (ch == '"') {
                in_str = true;
            } else if (ch == '{' || ch == '[') {
                depth++;
            } else if (ch == '}' || ch == ']') {
                if (--depth == 0)
                    return i + 1;
            }
        }
        return 0;
    }
    if (c == '"') {
        for (size_t i = pos + 1; i < len && s[i] != '\n'; i++) {
            if (s[i] == '\\')
                i++;
            else if (s[i] == '"')
                return i + 1;
        }
        return 0;
    }
    size_t i = pos;
    while (i < len && !strchr(" \t\r\n#", s[i]))
        i++;
    return i;
}

/* Reads one JSON value, its bytes in [*start, *end). */
static json_t *json_value(P *p, size_t *start, size_t *end)
{
    skip_blanks(p);
    *start = p->pos;
    if (p->pos >= p->len || p->s[p->pos] == '\n' || p->s[p->pos] == '#') {
        fail(p, p->pos, "a JSON value is missing here");
        return NULL;
    }
    size_t e = json_end(p->s, p->len, p->pos);
    if (e == 0) {
        fail(p, p->pos, "this JSON value is never closed");
        return NULL;
    }
    json_t *v = NULL;
    DplJsonError jerr;
    if (dpl_json_parse(p->s + p->pos, e - p->pos, &v, &jerr) != DPL_JSON_OK) {
        fail(p, p->pos, "invalid JSON: %s", jerr.message);
        return NULL;
    }
    *end = e;
    p->pos = e;
    return v;
}

/* A JSON string; returns a NUL-terminated copy (caller frees) or NULL. */
static char *string_value(P *p, const char *what)
{
    skip_blanks(p);
    if (p->pos >= p->len || p->s[p->pos] != '"') {
        fail(p, p->pos, "%s must be a string in double quotes", what);
        return NULL;
    }
    size_t s, e;
    json_t *v = json_value(p, &s, &e);
    if (!v)
        return NULL;
    char *out = dpl_strndup(json_string_value(v), json_string_length(v));
    json_decref(v);
    return out;
}

static bool number(P *p, long *n, size_t *start, size_t *end)
{
    skip_blanks(p);
    *start = p->pos;
    char *e;
    errno = 0;
    long v = strtol(p->s + p->pos, &e, 10);
    if (e == p->s + p->pos || errno || v < 0 || p->s[p->pos] == '-' || p->s[p->pos] == '+')
        return fail(p, p->pos, "a number (0 or more) is expected here");
    p->pos = (size_t)(e - p->s);
    *end = p->pos;
    *n = v;
    return true;
}

/* RFC 7386 merge patch: `input` values on top of `base`. */
static json_t *merge_patch(const json_t *target, json_t *patch)
{
    if (!json_is_object(patch))
        return json_incref(patch);
    json_t *out = json_is_object(target) ? json_deep_copy(target) : json_object();
    const char *k;
    json_t *v;
    json_object_foreach(patch, k, v)
    {
        if (json_is_null(v)) {
            json_object_del(out, k);
        } else {
            json_t *m = merge_patch(json_object_get(out, k), v);
            json_object_set_new(out, k, m);
        }
    }
    return out;
}

static void add_record(Test *t, char *text, size_t len, const char *file, uint32_t where)
{
    t->records = dpl_realloc(t->records, (t->nrecords + 1) * sizeof *t->records);
    t->records[t->nrecords++] = (Record){.text = text, .len = len, .file = file, .where = where};
}

/* `input {...}`: one record written inline (its newlines become spaces). */
static bool inline_input(P *p, size_t kw)
{
    size_t s, e;
    json_t *v = json_value(p, &s, &e);
    if (!v)
        return false;
    char *text;
    size_t len;
    if (p->base) {
        json_t *m = merge_patch(p->base, v);
        DplBuf b = {0};
        dpl_json_write(&b, m);
        json_decref(m);
        len = b.len;
        text = dpl_buf_take(&b);
    } else {
        len = e - s;
        text = dpl_strndup(p->s + s, len);
        for (size_t i = 0; i < len; i++)
            if (text[i] == '\n' || text[i] == '\r')
                text[i] = ' ';
    }
    json_decref(v);
    add_record(p->t, text, len, NULL, line_of(p, kw));
    p->stream_line++;
    p->current = p->stream_line;
    p->last_inline = true;
    return true;
}

/* `input text "..."`: a line given as a string, exactly, for lines that
 * are not JSON (invalid_json) or must keep their own spelling. */
static bool text_input(P *p, size_t kw)
{
    skip_blanks(p);
    size_t at = p->pos;
    char *text = string_value(p, "the line of `input text`");
    if (!text)
        return false;
    if (strchr(text, '\n')) {
        dpl_free(text);
        return fail(p, at, "one input line cannot hold a newline");
    }
    add_record(p->t, text, strlen(text), NULL, line_of(p, kw));
    p->stream_line++;
    p->current = p->stream_line;
    p->last_inline = true;
    return true;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? dpl_strndup(path, (size_t)(slash - path)) : dpl_strdup(".");
}

static char *resolve(const char *base_file, const char *rel)
{
    if (rel[0] == '/')
        return dpl_strdup(rel);
    char *dir = dir_of(base_file);
    char *out = strcmp(dir, ".") == 0 ? dpl_strdup(rel) : dpl_asprintf("%s/%s", dir, rel);
    dpl_free(dir);
    return out;
}

/* A gzip-compressed input file, decompressed as `dpl run` reads it (the
 * stream module's file source: members one after another); NULL with *why
 * (a new string) when it is damaged or would pass DPL_SOURCE_MAX_BYTES. */
static DplSource *read_gzip(const char *path, char **why)
{
    int err = 0;
    DplStreamSource *s = dpl_stream_source_file(strcmp(path, "-") == 0 ? "./-" : path, &err);
    if (!s) {
        *why = dpl_strdup(strerror(err));
        return NULL;
    }
    DplBuf b = {0};
    char chunk[1 << 16];
    ssize_t n;
    while (!*why && (n = s->ops->read(s, chunk, sizeof chunk, &err)) != 0) {
        if (n < 0)
            *why = dpl_strdup(s->why ? s->why : strerror(err));
        else if (b.len + (size_t)n > DPL_SOURCE_MAX_BYTES)
            *why = dpl_strdup("larger than 64 MiB decompressed, the limit for a test's input file");
        else
            dpl_buf_append(&b, chunk, (size_t)n);
    }
    DplSource *src = *why ? NULL : dpl_source_new(path, b.data ? b.data : "", b.len);
    dpl_buf_free(&b);
    dpl_stream_source_close(s);
    return src;
}

/* `input file "x.ndjson"`: every line of the file, numbered on (a gzip
 * file is decompressed first, as `dpl run` does). */
static bool file_input(P *p, size_t at)
{
    if (p->no_files)
        return fail(p, at, "input files are not read here");
    char *name = string_value(p, "the input file");
    if (!name)
        return false;
    char *path = resolve(p->src->name, name);
    dpl_free(name);
    const char *err = NULL;
    DplSource *in = dpl_source_read_file(path, &err);
    if (!in) {
        fail(p, at, "cannot read input file %s: %s", path, err ? err : "unknown error");
        dpl_free(path);
        return false;
    }
    if (in->len >= 2 && (unsigned char)in->text[0] == 0x1f && (unsigned char)in->text[1] == 0x8b) {
        dpl_source_free(in);
        char *why = NULL;
        in = read_gzip(path, &why);
        if (!in) {
            fail(p, at, "cannot read input file %s: %s", path, why);
            dpl_free(why);
            dpl_free(path);
            return false;
        }
    }
    Test *t = p->t;
    t->input_files = dpl_realloc(t->input_files, (t->ninput_files + 1) * sizeof *t->input_files);
    t->input_files[t->ninput_files++] = path;
    size_t lines = in->nlines;
    if (lines && in->line_starts[lines - 1] >= in->len)
        lines--; /* the empty "line" after a final newline */
    for (size_t i = 0; i < lines; i++) {
        size_t n;
        const char *l = dpl_source_line(in, (uint32_t)(i + 1), &n);
        add_record(t, dpl_strndup(l, n), n, path, (uint32_t)(i + 1));
    }
    p->stream_line += (long)lines;
    p->last_inline = false;
    p->current = 0;
    dpl_source_free(in);
    return true;
}

static bool code_by_name(const char *w, size_t n, DplRtCode *out)
{
    for (int c = 0; c < DPL_RT_COUNT; c++)
        if (word_is(w, n, dpl_rt_code_name((DplRtCode)c))) {
            *out = (DplRtCode)c;
            return true;
        }
    return false;
}

static const char *nearest_code(const char *w, size_t n)
{
    char *tmp = dpl_strndup(w, n);
    const char *best = NULL;
    size_t best_d = 4;
    for (int c = 0; c < DPL_RT_COUNT; c++) {
        size_t d = dpl_edit_distance(tmp, dpl_rt_code_name((DplRtCode)c));
        if (d < best_d) {
            best_d = d;
            best = dpl_rt_code_name((DplRtCode)c);
        }
    }
    dpl_free(tmp);
    return best;
}

/* The path of a reject expectation: non-blank characters, quoted segments
 * (data."first name") kept whole. */
static char *reject_path(P *p)
{
    size_t i = p->pos;
    bool in_str = false;
    while (i < p->len && p->s[i] != '\n') {
        char c = p->s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '#') {
            break;
        }
        i++;
    }
    char *out = dpl_strndup(p->s + p->pos, i - p->pos);
    p->pos = i;
    return out;
}

/* emit / reject / skip, after `->`, `line N` or at the start of a line. */
static bool expectation(P *p, const char *w, size_t n, long record, size_t line_start, bool after_arrow,
                        bool line_prefix)
{
    Expect e = {.record = record,
                .line = line_of(p, (size_t)(w - p->s)),
                .start = (uint32_t)(w - p->s),
                .line_start = (uint32_t)line_start,
                .after_arrow = after_arrow,
                .line_prefix = line_prefix};
    if (word_is(w, n, "emit")) {
        e.kind = EXP_EMIT;
        size_t save = p->pos;
        const char *w2;
        size_t n2 = word(p, &w2);
        if (word_is(w2, n2, "partial"))
            e.partial = true;
        else
            p->pos = save;
        size_t s, end;
        e.value = json_value(p, &s, &end);
        if (!e.value)
            return false;
        if (!json_is_object(e.value)) {
            json_decref(e.value);
            return fail(p, s, "an emitted entity is a JSON object like {\"data\":{...}}");
        }
    } else if (word_is(w, n, "reject")) {
        e.kind = EXP_REJECT;
        const char *c;
        size_t cn = word(p, &c);
        if (!cn)
            return fail(p, p->pos, "`reject` needs a code, like `reject missing_mandatory data.valor`");
        if (!code_by_name(c, cn, &e.code)) {
            const char *near = nearest_code(c, cn);
            return fail(p, (size_t)(c - p->s), "unknown reject code `%.*s`%s%s%s", (int)cn, c,
                        near ? "; did you mean `" : "", near ? near : "", near ? "`?" : "");
        }
        skip_blanks(p);
        if (p->pos < p->len && p->s[p->pos] != '"' && p->s[p->pos] != '#' && p->s[p->pos] != '\n' &&
            p->s[p->pos] != '\r')
            e.path = reject_path(p);
        skip_blanks(p);
        if (p->pos < p->len && p->s[p->pos] == '"') {
            e.message = string_value(p, "the message");
            if (!e.message) {
                dpl_free(e.path);
                return false;
            }
        }
    } else if (word_is(w, n, "skip")) {
        e.kind = EXP_SKIP;
    } else {
        return fail(p, (size_t)(w - p->s), "expected `emit`, `reject` or `skip`, found `%.*s`", (int)(n ? n : 1), w);
    }
    skip_blanks(p);
    e.end = (uint32_t)p->pos;
    while (e.end > e.start && (p->s[e.end - 1] == ' ' || p->s[e.end - 1] == '\t'))
        e.end--;
    Test *t = p->t;
    /* one entity or one skip per record, and never both kinds */
    for (size_t i = 0; i < t->nexps; i++) {
        const Expect *o = &t->exps[i];
        if (o->record != record)
            continue;
        if (o->kind != e.kind || e.kind != EXP_REJECT) {
            json_decref(e.value);
            dpl_free(e.path);
            dpl_free(e.message);
            return fail(p, e.start, "record %ld already has an expectation (line %u); a record is emitted, "
                        "rejected or skipped, once", record, o->line);
        }
    }
    if (!at_eol(p)) {
        json_decref(e.value);
        dpl_free(e.path);
        dpl_free(e.message);
        return fail(p, p->pos, "unexpected text after the expectation");
    }
    e.line_end = (uint32_t)p->pos;
    t->exps = dpl_realloc(t->exps, (t->nexps + 1) * sizeof *t->exps);
    t->exps[t->nexps++] = e;
    return true;
}

static bool count_item(P *p, CountKind k, size_t at)
{
    Count *c = &p->t->counts[k];
    if (c->set)
        return fail(p, at, "this count was already given on line %u", c->line);
    c->set = true;
    c->line = line_of(p, at);
    size_t s = 0, e = 0;
    if (!number(p, &c->n, &s, &e))
        return false;
    c->start = (uint32_t)s;
    c->end = (uint32_t)e;
    return end_item(p);
}

static bool close_test(P *p, size_t at)
{
    Test *t = p->t;
    for (size_t i = 0; i < t->nexps; i++)
        if (t->exps[i].record > (long)t->nrecords)
            return fail(p, t->exps[i].start, "there is no record on line %ld: the test has %zu input lines",
                        t->exps[i].record, t->nrecords);
    for (size_t r = 0; r < t->nrecords; r++) {
        if (t->records[r].file || strspn(t->records[r].text, " \t\r") == t->records[r].len)
            continue; /* the lines of an input file need no expectation each; a blank line is no record */
        bool has = false;
        for (size_t e = 0; e < t->nexps && !has; e++)
            has = t->exps[e].record == (long)r + 1;
        if (!has)
            return fail(p, at,
                        "the input on line %u has no expectation: add `-> emit {...}`, `-> reject CODE` or `-> skip`",
                        t->records[r].where);
    }
    bool any = t->nexps > 0;
    for (int k = 0; k < COUNT_KINDS; k++)
        any = any || t->counts[k].set;
    if (!any)
        return fail(p, at, "test \"%s\" expects nothing: say what its records give (emit, reject, skip, or counts)",
                    t->name);
    if (!t->nrecords)
        return fail(p, at, "test \"%s\" has no input", t->name);
    p->t = NULL;
    json_decref(p->base);
    p->base = NULL;
    return true;
}

/* One item inside `test "..." { }`. */
static bool test_item(P *p)
{
    size_t line_start = p->pos;
    skip_blanks(p);
    size_t at = p->pos;
    if (p->pos < p->len && p->s[p->pos] == '}') {
        p->pos++;
        return close_test(p, at) && end_item(p);
    }
    /* `-> emit ...` on its own line continues a long `input` line */
    bool arrow = p->pos + 1 < p->len && p->s[p->pos] == '-' && p->s[p->pos + 1] == '>';
    if (arrow)
        p->pos += 2;
    const char *w;
    size_t n = word(p, &w);
    if (arrow && !(word_is(w, n, "emit") || word_is(w, n, "reject") || word_is(w, n, "skip")))
        return fail(p, (size_t)(w - p->s), "`->` is followed by `emit`, `reject` or `skip`");
    if (word_is(w, n, "input")) {
        size_t save = p->pos;
        const char *w2;
        size_t n2 = word(p, &w2);
        if (word_is(w2, n2, "file"))
            return file_input(p, at) && end_item(p);
        if (word_is(w2, n2, "text")) {
            if (!text_input(p, at))
                return false;
        } else {
            p->pos = save;
            if (!inline_input(p, at))
                return false;
        }
        skip_blanks(p);
        if (p->pos + 1 < p->len && p->s[p->pos] == '-' && p->s[p->pos + 1] == '>') {
            p->pos += 2;
            n = word(p, &w);
            return expectation(p, w, n, p->stream_line, line_start, true, false);
        }
        return end_item(p);
    }
    if (word_is(w, n, "base")) {
        size_t s, e;
        json_t *v = json_value(p, &s, &e);
        if (!v)
            return false;
        if (!json_is_object(v)) {
            json_decref(v);
            return fail(p, s, "`base` is a JSON object: the record each `input` of this test starts from");
        }
        json_decref(p->base);
        p->base = v;
        return end_item(p);
    }
    if (word_is(w, n, "line")) {
        long rec = 0;
        size_t s = 0, e = 0;
        if (!number(p, &rec, &s, &e))
            return false;
        if (rec < 1)
            return fail(p, s, "records are numbered from 1");
        p->current = rec;
        n = word(p, &w);
        return expectation(p, w, n, rec, line_start, false, true);
    }
    if (word_is(w, n, "emitted"))
        return count_item(p, COUNT_EMITTED, at);
    if (word_is(w, n, "rejected"))
        return count_item(p, COUNT_REJECTED, at);
    if (word_is(w, n, "skipped"))
        return count_item(p, COUNT_SKIPPED, at);
    if (word_is(w, n, "emit") || word_is(w, n, "reject") || word_is(w, n, "skip")) {
        if (!p->current)
            return fail(p, at, "which record? after `input file` write `line N %.*s ...`", (int)n, w);
        return expectation(p, w, n, p->current, line_start, false, false);
    }
    if (p->pos >= p->len)
        return fail(p, at, "test \"%s\" is never closed with `}`", p->t->name);
    return fail(p, at, "expected `input`, `base`, `emit`, `reject`, `skip`, `line N ...`, a count or `}`; found `%.*s`",
                (int)(n ? n : 1), w);
}

static bool top_item(P *p)
{
    skip_blanks(p);
    size_t at = p->pos;
    const char *w;
    size_t n = word(p, &w);
    TestFile *f = p->f;
    if (word_is(w, n, "program")) {
        if (f->program)
            return fail(p, at, "the program was already named on line %u", f->program_line);
        char *name = string_value(p, "the program");
        if (!name)
            return false;
        f->program = resolve(f->path, name);
        f->program_line = line_of(p, at);
        dpl_free(name);
        return end_item(p);
    }
    if (word_is(w, n, "raw")) {
        f->raw = true;
        return end_item(p);
    }
    if (word_is(w, n, "source")) {
        dpl_free(f->source);
        f->source = string_value(p, "the source name");
        return f->source && end_item(p);
    }
    if (word_is(w, n, "test")) {
        if (!f->program)
            return fail(p, at, "name the program first: `program \"my.dpl\"`");
        char *name = string_value(p, "the test's name");
        if (!name)
            return false;
        for (size_t i = 0; i < f->ntests; i++)
            if (strcmp(f->tests[i].name, name) == 0) {
                uint32_t l = f->tests[i].line;
                dpl_free(name);
                return fail(p, at, "another test has this name (line %u)", l);
            }
        skip_blanks(p);
        if (p->pos >= p->len || p->s[p->pos] != '{') {
            dpl_free(name);
            return fail(p, p->pos, "`{` is expected after the test's name");
        }
        p->pos++;
        f->tests = dpl_realloc(f->tests, (f->ntests + 1) * sizeof *f->tests);
        p->t = &f->tests[f->ntests++];
        memset(p->t, 0, sizeof *p->t);
        p->t->name = name;
        p->t->line = line_of(p, at);
        p->stream_line = 0;
        p->current = 0;
        p->last_inline = false;
        return end_item(p);
    }
    return fail(p, at, "expected `program`, `raw`, `source` or `test`; found `%.*s`", (int)(n ? n : 1), w);
}

static TestFile *parse(DplSource *src, char **msg, bool no_files)
{
    TestFile *f = dpl_calloc(1, sizeof *f);
    f->src = src;
    f->path = dpl_strdup(src->name);
    P p = {.src = src, .s = src->text, .len = src->len, .f = f, .no_files = no_files};
    while (p.pos < p.len && !p.msg) {
        size_t line_start = p.pos;
        if (at_eol(&p))
            continue;
        p.pos = line_start; /* items keep their line's start (indentation, for --update) */
        if (p.t)
            test_item(&p);
        else
            top_item(&p);
    }
    if (!p.msg && p.t)
        fail(&p, p.len, "test \"%s\" is never closed with `}`", p.t->name);
    if (!p.msg && !f->program)
        fail(&p, 0, "the file names no program: start it with `program \"my.dpl\"`");
    if (!p.msg && !f->ntests)
        fail(&p, p.len, "the file has no `test \"name\" { ... }`");
    json_decref(p.base);
    if (p.msg) {
        *msg = p.msg;
        tr_file_free(f);
        return NULL;
    }
    return f;
}

TestFile *tr_parse(DplSource *src, char **msg) { return parse(src, msg, false); }

void tr_file_free(TestFile *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->ntests; i++) {
        Test *t = &f->tests[i];
        for (size_t r = 0; r < t->nrecords; r++)
            dpl_free(t->records[r].text);
        for (size_t e = 0; e < t->nexps; e++) {
            json_decref(t->exps[e].value);
            dpl_free(t->exps[e].path);
            dpl_free(t->exps[e].message);
        }
        for (size_t k = 0; k < t->ninput_files; k++)
            dpl_free(t->input_files[k]);
        dpl_free(t->input_files);
        dpl_free(t->records);
        dpl_free(t->exps);
        dpl_free(t->name);
    }
    dpl_free(f->tests);
    dpl_free(f->program);
    dpl_free(f->source);
    dpl_free(f->path);
    dpl_source_free(f->src);
    dpl_free(f);
}

bool dpl_test_parse_check(const char *name, const char *text, size_t len, char **msg, size_t *ntests)
{
    DplSource *src = dpl_source_new(name, text, len);
    TestFile *f = parse(src, msg, true);
    if (!f)
        return false;
    if (ntests)
        *ntests = f->ntests;
    tr_file_free(f);
    return true;
}
