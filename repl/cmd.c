/* repl_cmd.c — the REPL's `:commands`, including stepping through the
 * records of an NDJSON file with :open / :next / :prev. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl/internal.h"
#include "diag/diag.h"
#include "fmt/fmt.h"
#include "json/json.h"

const char *const repl_command_names[] = {
    ":load", ":save", ":show", ":reset",   ":undo", ":check", ":record",
    ":open", ":next", ":prev", ":goto", ":explain", ":help", ":quit",  NULL,
};

static const char help_text[] =
    "Type any of:\n"
    "  a statement      entity \"x\" { id }, sources, where, mandatory, requirement,\n"
    "                   add; checked, then added to the session program\n"
    "                   (multi-line until the braces balance)\n"
    "  a JSON record    {\"data\": {...}, \"metadata\": {\"source\": \"x\"}}: run through\n"
    "                   the program; prints the entity, the reject or why it was skipped\n"
    "  an expression    data.valor * 2, evaluated against the last record\n"
    "Commands:\n"
    "  :load FILE       replace the session program with FILE\n"
    "  :save FILE       write the session program (formatted) to FILE\n"
    "  :show            print the session program, formatted\n"
    "  :reset           forget the session program\n"
    "  :undo            remove the last statement typed\n"
    "  :check           every diagnostic of the session program, warnings too\n"
    "  :record          print the last record\n"
    "  :open FILE       open an NDJSON file; :next / :prev run its records in turn\n"
    "  :next reject     run the records after this one until one is rejected\n"
    "  :goto N          run record N of the open file\n"
    "  :explain CODE    what a diagnostic (E303, W401) or reject code (cast_failed) means\n"
    "  :help            this text\n"
    "  :help NAME       a function (parse_time, map, ...) or statement (where, add, ...)\n"
    "  :quit            leave (Ctrl-D too)\n"
    "Tab completes keywords, functions, field paths seen in records, and commands.\n"
    "Inside map(list, EXPR) and filter(list, COND), 'item is the element and\n"
    "relative paths start at it: map(items, qty * price), filter(tags, 'item != \"\").\n";

/* One line per statement for `:help NAME` (the functions' lines are the
 * stdlib table's docs). */
static const struct {
    const char *name, *doc;
} statement_help[] = {
    {"entity", "entity \"NAME\" { KEY... }: the entity and the paths that identify a record"},
    {"sources", "sources \"A\", \"B\" [using PATH]: records of other sources are skipped"},
    {"where", "where { COND... }: only records for which every condition is true go on; the others "
              "are skipped (counted as skipped_by where)"},
    {"mandatory", "mandatory { PATH... }: each must be present, not null and not \"\" (missing_mandatory)"},
    {"requirement", "requirement { COND... }: each must be true (requirement_failed)"},
    {"add", "add [from PATH] { ITEM... }: builds the entity's data: `path`, `expr -> name`, `all`, "
            "`delete path`, `append`/`overwrite`, `item if cond`"},
};

/* :help NAME: the function's or statement's one-line description. */
static void cmd_help_name(Repl *r, const char *name)
{
    const DplBuiltin *fn = dpl_std_lookup(name);
    if (fn) {
        repl_say(r, NULL, "%s", fn->doc);
        return;
    }
    for (size_t i = 0; i < sizeof statement_help / sizeof *statement_help; i++)
        if (strcmp(statement_help[i].name, name) == 0) {
            repl_say(r, NULL, "%s", statement_help[i].doc);
            return;
        }
    const char *names[128];
    size_t n = 0;
    for (size_t i = 0; i < dpl_std_nbuiltins && n < 120; i++)
        names[n++] = dpl_std_builtins[i].name;
    for (size_t i = 0; i < sizeof statement_help / sizeof *statement_help; i++)
        names[n++] = statement_help[i].name;
    const char *near = dpl_nearest(name, names, n);
    if (near)
        repl_error(r, "no function or statement `%s`: did you mean `%s`?", name, near);
    else
        repl_error(r, "no function or statement `%s` (:help lists what there is)", name);
}

/* ---- :open / :next / :prev -------------------------------------------------- */

void repl_file_close(ReplFile *f)
{
    if (f->f)
        fclose(f->f);
    dpl_free(f->name);
    dpl_free(f->offsets);
    dpl_free(f->lines);
    memset(f, 0, sizeof *f);
}

static void file_push(ReplFile *f, off_t off, long line)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 256;
        f->offsets = dpl_realloc(f->offsets, f->cap * sizeof *f->offsets);
        f->lines = dpl_realloc(f->lines, f->cap * sizeof *f->lines);
    }
    f->offsets[f->n] = off;
    f->lines[f->n] = line;
    f->n++;
}

/* Indexes the non-blank lines of the file in one pass over fixed-size chunks. */
static void cmd_open(Repl *r, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        repl_error(r, "cannot open %s: %s", path, strerror(errno));
        return;
    }
    repl_file_close(&r->open);
    ReplFile *f = &r->open;
    f->f = fp;
    f->name = dpl_strdup(path);
    char chunk[65536];
    size_t n;
    off_t off = 0, start = 0;
    long line = 1;
    bool content = false;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        for (size_t i = 0; i < n; i++, off++) {
            char c = chunk[i];
            if (c == '\n') {
                if (content)
                    file_push(f, start, line);
                line++;
                start = off + 1;
                content = false;
            } else if (c != ' ' && c != '\t' && c != '\r') {
                content = true;
            }
        }
    }
    if (content)
        file_push(f, start, line);
    if (ferror(fp)) {
        repl_error(r, "cannot read %s: %s", path, strerror(errno));
        repl_file_close(f);
        return;
    }
    repl_say(r, NULL, "opened %s: %zu record%s (:next runs the first)", path, f->n, f->n == 1 ? "" : "s");
}

/* Reads record idx of the open file into b; false (reported) when it cannot
 * be read or is too large. */
static bool read_file_record(Repl *r, size_t idx, DplBuf *b)
{
    ReplFile *f = &r->open;
    if (fseeko(f->f, f->offsets[idx], SEEK_SET) != 0) {
        repl_error(r, "cannot read %s: %s", f->name, strerror(errno));
        return false;
    }
    int c;
    while ((c = getc(f->f)) != EOF && c != '\n') {
        if (b->len >= DPL_DEFAULT_MAX_RECORD_BYTES) {
            repl_error(r, "%s:%ld: record larger than %u bytes", f->name, f->lines[idx],
                       DPL_DEFAULT_MAX_RECORD_BYTES);
            return false;
        }
        dpl_buf_putc(b, (char)c);
    }
    return true;
}

static void show_file_record(Repl *r, size_t idx)
{
    ReplFile *f = &r->open;
    DplBuf b = {0};
    f->pos = idx + 1;
    if (read_file_record(r, idx, &b)) {
        repl_say(r, "2", "record %zu/%zu (%s line %ld)", idx + 1, f->n, f->name, f->lines[idx]);
        repl_record_text(r, b.data ? b.data : "", b.len, f->lines[idx], f->name);
    }
    dpl_buf_free(&b);
}

static bool file_is_open(Repl *r)
{
    if (!r->open.f)
        repl_error(r, "no file is open: use :open FILE.ndjson");
    return r->open.f != NULL;
}

/* :next reject — the records after the current one are run quietly; the
 * first that is rejected is shown like :next shows a record. */
static void cmd_next_reject(Repl *r)
{
    ReplFile *f = &r->open;
    if (!file_is_open(r))
        return;
    if (!r->ev) {
        repl_error(r, "no entity statement yet: nothing can be rejected (add one, e.g. entity \"x\" { id })");
        return;
    }
    DplBuf b = {0};
    for (size_t i = f->pos; i < f->n; i++) {
        dpl_buf_reset(&b);
        if (!read_file_record(r, i, &b)) {
            f->pos = i + 1;
            dpl_buf_free(&b);
            return;
        }
        if (repl_record_rejected(r, b.data ? b.data : "", b.len, f->lines[i])) {
            dpl_buf_free(&b);
            if (i > f->pos)
                repl_say(r, "2", "(%zu record%s accepted or skipped before it)", i - f->pos,
                         i - f->pos == 1 ? "" : "s");
            show_file_record(r, i);
            return;
        }
    }
    dpl_buf_free(&b);
    repl_say(r, NULL, "no rejected record after record %zu of %s (%zu record%s)", f->pos, f->name, f->n,
             f->n == 1 ? "" : "s");
    f->pos = f->n;
}

/* :goto N — record N (1-based) of the open file. */
static void cmd_goto(Repl *r, const char *arg)
{
    ReplFile *f = &r->open;
    if (!file_is_open(r))
        return;
    char *end;
    unsigned long long n = strtoull(arg, &end, 10);
    if (*end || !*arg || *arg == '-' || n == 0 || n > f->n) {
        repl_error(r, "usage: :goto N, a record number from 1 to %zu", f->n);
        return;
    }
    show_file_record(r, (size_t)n - 1);
}

static void cmd_step(Repl *r, int dir)
{
    ReplFile *f = &r->open;
    if (!file_is_open(r))
        return;
    if (dir > 0) {
        if (f->pos >= f->n)
            repl_say(r, NULL, "end of %s (%zu record%s)", f->name, f->n, f->n == 1 ? "" : "s");
        else
            show_file_record(r, f->pos);
    } else {
        if (f->pos < 2)
            repl_say(r, NULL, "no record before this one");
        else
            show_file_record(r, f->pos - 2);
    }
}

/* ---- the rest ------------------------------------------------------------------ */

/* The session program, formatted; the raw text if it does not format. */
static char *session_text(Repl *r, bool *formatted)
{
    DplSource *src = dpl_source_new("<session>", r->text.data ? r->text.data : "", r->text.len);
    DplDiagList d = {0};
    char *out = dpl_fmt(src, &d);
    dpl_diag_list_free(&d);
    dpl_source_free(src);
    *formatted = out != NULL;
    return out ? out : dpl_strndup(r->text.data ? r->text.data : "", r->text.len);
}

static void cmd_show(Repl *r)
{
    if (r->text.len == 0 || r->prog->nstmts == 0) {
        repl_say(r, NULL, "(the session program is empty)");
        return;
    }
    bool formatted;
    char *t = session_text(r, &formatted);
    fputs(t, r->out);
    if (*t && t[strlen(t) - 1] != '\n')
        fputc('\n', r->out);
    dpl_free(t);
}

/* Through dpl_write_file_atomic: a full disk or a signal leaves the file as
 * it was, never truncated (fopen "wb" replaced the program in place). */
static void cmd_save(Repl *r, const char *path)
{
    bool formatted;
    char *t = session_text(r, &formatted);
    const char *why = NULL;
    bool ok = dpl_write_file_atomic(path, t, strlen(t), &why);
    dpl_free(t);
    if (!ok) {
        repl_error(r, "cannot write %s: %s (the file is unchanged)", path, why);
        return;
    }
    size_t n = r->prog->nstmts;
    repl_say(r, NULL, "saved %zu statement%s to %s", n, n == 1 ? "" : "s", path);
}

static void cmd_load(Repl *r, const char *path)
{
    const char *err = NULL;
    DplSource *src = dpl_source_read_file(path, &err);
    if (!src) {
        repl_error(r, "cannot read %s: %s", path, err ? err : "error");
        return;
    }
    repl_session_load(r, path, src->text, src->len);
    dpl_source_free(src);
}

static void cmd_record(Repl *r)
{
    if (!r->record) {
        repl_say(r, NULL, "no record yet: paste a JSON record (a line starting with `{`)");
        return;
    }
    DplBuf b = {0};
    dpl_json_write_pretty(&b, r->record);
    if (b.len)
        fwrite(b.data, 1, b.len, r->out);
    if (!b.len || b.data[b.len - 1] != '\n')
        fputc('\n', r->out);
    dpl_buf_free(&b);
}

static void cmd_explain(Repl *r, const char *arg)
{
    DplBuf b = {0};
    if (!dpl_explain(&b, arg)) {
        dpl_explain_unknown(&b, arg);
        repl_error(r, "%s", b.data);
        dpl_buf_free(&b);
        return;
    }
    /* the heading line in bold, the explanation as it is */
    size_t head = strcspn(b.data, "\n");
    repl_say(r, "1", "%.*s", (int)head, b.data);
    fputs(b.data + head + 1, r->out);
    if (b.data[b.len - 1] != '\n')
        fputc('\n', r->out);
    dpl_buf_free(&b);
}

static void unknown_command(Repl *r, const char *word)
{
    const char *best = NULL;
    size_t best_d = 3; /* suggest only close spellings */
    for (size_t i = 0; repl_command_names[i]; i++) {
        size_t d = dpl_edit_distance(word, repl_command_names[i]);
        if (d < best_d)
            best = repl_command_names[i], best_d = d;
    }
    if (best)
        repl_error(r, "unknown command `%s`: did you mean `%s`? (:help lists the commands)", word, best);
    else
        repl_error(r, "unknown command `%s` (:help lists the commands)", word);
}

bool repl_command(Repl *r, const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    size_t wlen = strcspn(line, " \t");
    char *word = dpl_strndup(line, wlen);
    const char *arg = line + wlen;
    while (*arg == ' ' || *arg == '\t')
        arg++;
    char *a = dpl_strdup(arg);
    for (size_t n = strlen(a); n && (a[n - 1] == ' ' || a[n - 1] == '\t'); n--)
        a[n - 1] = '\0';

    static const char *const with_arg[] = {":load", ":save", ":open", ":explain", ":goto", NULL};
    bool wants_arg = false, known = false;
    for (size_t i = 0; repl_command_names[i]; i++)
        known |= strcmp(word, repl_command_names[i]) == 0;
    for (size_t i = 0; with_arg[i]; i++)
        wants_arg |= strcmp(word, with_arg[i]) == 0;
    known |= strcmp(word, ":q") == 0 || strcmp(word, ":exit") == 0;

    bool go_on = true;
    if (!known)
        unknown_command(r, word);
    else if (wants_arg && !*a)
        repl_error(r, "usage: %s %s", word,
                   strcmp(word, ":explain") == 0 ? "CODE" : strcmp(word, ":goto") == 0 ? "N" : "FILE");
    else if (strcmp(word, ":next") == 0 && strcmp(a, "reject") == 0)
        cmd_next_reject(r);
    else if (strcmp(word, ":help") == 0 && *a)
        cmd_help_name(r, a);
    else if (!wants_arg && *a)
        repl_error(r, "%s takes no argument", word);
    else if (r->no_files && strcmp(word, ":explain") != 0 && strcmp(word, ":goto") != 0 && wants_arg)
        repl_error(r, "%s: this session may not use files", word);
    else if (strcmp(word, ":load") == 0)
        cmd_load(r, a);
    else if (strcmp(word, ":save") == 0)
        cmd_save(r, a);
    else if (strcmp(word, ":open") == 0)
        cmd_open(r, a);
    else if (strcmp(word, ":explain") == 0)
        cmd_explain(r, a);
    else if (strcmp(word, ":goto") == 0)
        cmd_goto(r, a);
    else if (strcmp(word, ":show") == 0)
        cmd_show(r);
    else if (strcmp(word, ":reset") == 0) {
        repl_session_reset(r);
        repl_say(r, NULL, "the session program is empty");
    } else if (strcmp(word, ":undo") == 0) {
        if (repl_session_undo(r))
            repl_say(r, NULL, "removed the last statement typed (%zu left)", r->prog->nstmts);
        else
            repl_say(r, NULL, "nothing to undo");
    } else if (strcmp(word, ":check") == 0)
        repl_session_check(r);
    else if (strcmp(word, ":record") == 0)
        cmd_record(r);
    else if (strcmp(word, ":next") == 0)
        cmd_step(r, 1);
    else if (strcmp(word, ":prev") == 0)
        cmd_step(r, -1);
    else if (strcmp(word, ":help") == 0)
        fputs(help_text, r->out);
    else
        go_on = false; /* :quit :q :exit */
    dpl_free(word);
    dpl_free(a);
    return go_on;
}
