/* repl_edit.c — reading the REPL's input: libedit (prompt, line editing,
 * persistent history, tab completion) on a terminal, plain line reads from
 * a pipe (and, with a prompt, on a terminal where libedit cannot be
 * loaded). */
#include <ctype.h>
#include <dirent.h>
#include <sys/stat.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl/internal.h"
#include "repl/libedit.h"
#include "lexer/lexer.h"
#include "stdlib/stdlib.h"

#define HISTORY_MAX 1000
#define FIELDS_MAX 5000
#define FIELDS_MAX_DEPTH 8

/* libedit callbacks carry no user pointer, so completion finds the session
 * here.  There is one REPL per process. */
static Repl *active;
static char *history_path;
static bool line_editing; /* on a terminal, and libedit is loaded */
static volatile sig_atomic_t got_sigint;

static void on_sigint(int sig)
{
    (void)sig;
    got_sigint = 1;
}

/* ---- field paths seen in records ------------------------------------------ */

static bool is_ident(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return false;
    return true;
}

static void field_insert(Repl *r, const char *path, size_t len)
{
    size_t lo = 0, hi = r->nfields;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        /* path is not NUL-terminated: a longer stored string sorts after it */
        int c = strncmp(r->fields[mid], path, len);
        if (c == 0 && r->fields[mid][len] == '\0')
            return;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (r->nfields >= FIELDS_MAX)
        return;
    if (r->nfields == r->capfields) {
        r->capfields = r->capfields ? r->capfields * 2 : 64;
        r->fields = dpl_realloc(r->fields, r->capfields * sizeof *r->fields);
    }
    memmove(r->fields + lo + 1, r->fields + lo, (r->nfields - lo) * sizeof *r->fields);
    r->fields[lo] = dpl_strndup(path, len);
    r->nfields++;
}

/* Adds prefix.key for every key of obj, recursively.  Keys that are not
 * identifiers are written as DPL quoted segments (data."first name"). */
static void fields_walk(Repl *r, DplBuf *path, const json_t *obj, int depth)
{
    if (depth > FIELDS_MAX_DEPTH || !json_is_object(obj))
        return;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val)
    {
        size_t keep = path->len;
        if (path->len)
            dpl_buf_putc(path, '.');
        if (is_ident(key)) {
            dpl_buf_puts(path, key);
        } else {
            dpl_buf_putc(path, '"');
            for (const char *k = key; *k; k++) {
                if (*k == '"' || *k == '\\')
                    dpl_buf_putc(path, '\\');
                dpl_buf_putc(path, *k);
            }
            dpl_buf_putc(path, '"');
        }
        field_insert(r, path->data, path->len);
        fields_walk(r, path, val, depth + 1);
        path->len = keep;
        path->data[keep] = '\0';
    }
}

void repl_fields_add(Repl *r, const json_t *record)
{
    DplBuf path = {0};
    fields_walk(r, &path, record, 0);
    /* Paths relative to data are what rules mostly use (valor = data.valor). */
    dpl_buf_reset(&path);
    fields_walk(r, &path, json_object_get(record, "data"), 1);
    dpl_buf_free(&path);
}

char **repl_record_paths(const json_t *record, size_t *n)
{
    Repl scratch; /* the same walk as completion, into a list of its own */
    memset(&scratch, 0, sizeof scratch);
    repl_fields_add(&scratch, record);
    *n = scratch.nfields;
    return scratch.fields;
}

void repl_fields_free(Repl *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        dpl_free(r->fields[i]);
    dpl_free(r->fields);
    r->fields = NULL;
    r->nfields = r->capfields = 0;
}

/* ---- completion -------------------------------------------------------------- */

typedef enum { COMPLETE_COMMANDS, COMPLETE_WORDS, COMPLETE_FILES } CompleteMode;
static CompleteMode complete_mode;

/* File-name completion after :open, :load and :save.  libedit hands us only
 * the text after the last word-break character, and '/' is one (so `upper(`
 * and `data.x/2` complete well); the argument as a whole, directory part
 * included, is read from the line instead.  Each match is returned as the
 * replacement of that last piece: the whole path minus what precedes the
 * piece. */
static struct {
    char *dir;   /* the directory part, "" for the current directory */
    char *name;  /* the part of the file name typed so far */
    size_t skip; /* bytes of dir/name before libedit's text */
    DIR *d;
} fc;

static char *complete_file(void)
{
    struct dirent *de;
    while (fc.d && (de = readdir(fc.d))) {
        size_t n = strlen(fc.name);
        if (strncmp(de->d_name, fc.name, n) != 0 || strcmp(de->d_name, ".") == 0 ||
            strcmp(de->d_name, "..") == 0 || (de->d_name[0] == '.' && fc.name[0] != '.'))
            continue;
        char *full = dpl_asprintf("%s%s", fc.dir, de->d_name);
        struct stat st;
        bool dir = stat(*full ? full : ".", &st) == 0 && S_ISDIR(st.st_mode);
        char *m = dpl_asprintf("%s%s", full + fc.skip, dir ? "/" : "");
        dpl_free(full);
        return m;
    }
    return NULL;
}

/* Candidates in order: keywords, builtins, field paths (or the commands). */
static char *complete_next(const char *text, int state)
{
    static size_t kw, fn, fl, cmd;
    if (state == 0)
        kw = DPL_TOK_FIRST_KEYWORD, fn = fl = cmd = 0;
    size_t n = strlen(text);
    /* libedit frees the matches with free(); dpl_strdup is malloc-based. */
    if (complete_mode == COMPLETE_FILES)
        return complete_file();
    if (complete_mode == COMPLETE_COMMANDS) {
        while (repl_command_names[cmd]) {
            const char *c = repl_command_names[cmd++];
            if (strncmp(c, text, n) == 0)
                return dpl_strdup(c);
        }
        return NULL;
    }
    while (kw <= DPL_TOK_LAST_KEYWORD) {
        const char *k = dpl_tok_spelling((DplTokKind)kw++);
        if (strncmp(k, text, n) == 0)
            return dpl_strdup(k);
    }
    while (fn < dpl_std_nbuiltins) {
        const char *f = dpl_std_builtins[fn++].name;
        if (strncmp(f, text, n) == 0)
            return dpl_strdup(f);
    }
    while (active && fl < active->nfields) {
        const char *f = active->fields[fl++];
        if (strncmp(f, text, n) == 0)
            return dpl_strdup(f);
    }
    return NULL;
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    const char *line = rl_line_buffer ? rl_line_buffer : "";
    size_t lead = strspn(line, " \t");
    rl_attempted_completion_over = 1;
    rl_completion_append_character = '\0'; /* `upp<Tab>` should be ready for `(` */
    if (line[lead] == ':') {
        if ((size_t)start <= lead + 1 && !strpbrk(line + lead, " \t")) {
            complete_mode = COMPLETE_COMMANDS;
            rl_completion_append_character = ' '; /* ready for the argument */
            return rl_completion_matches(text, complete_next);
        }
        size_t cmd = strcspn(line + lead, " \t");
        static const char *const file_cmds[] = {":open", ":load", ":save"};
        bool files = false;
        for (size_t i = 0; i < 3; i++)
            files |= strlen(file_cmds[i]) == cmd && strncmp(line + lead, file_cmds[i], cmd) == 0;
        if (!files && cmd == 5 && strncmp(line + lead, ":help", 5) == 0) {
            /* :help NAME: the functions and statement keywords */
            complete_mode = COMPLETE_WORDS;
            return rl_completion_matches(text, complete_next);
        }
        if (!files)
            return NULL;
        /* the argument from its first character to the cursor */
        size_t arg = lead + cmd + strspn(line + lead + cmd, " \t");
        if ((size_t)end < arg || (size_t)start < arg)
            return NULL;
        char *typed = dpl_strndup(line + arg, (size_t)end - arg);
        char *slash = strrchr(typed, '/');
        size_t dlen = slash ? (size_t)(slash - typed) + 1 : 0;
        fc.dir = dpl_strndup(typed, dlen);
        fc.name = dpl_strdup(typed + dlen);
        fc.skip = (size_t)start - arg;
        fc.d = opendir(dlen ? fc.dir : ".");
        complete_mode = COMPLETE_FILES;
        char **m = rl_completion_matches(text, complete_next);
        if (fc.d)
            closedir(fc.d);
        dpl_free(fc.dir);
        dpl_free(fc.name);
        dpl_free(typed);
        memset(&fc, 0, sizeof fc);
        /* a single file is complete: a space after it; a directory goes on */
        if (m && m[0] && !m[1] && m[0][0] && m[0][strlen(m[0]) - 1] != '/')
            rl_completion_append_character = ' ';
        return m;
    }
    complete_mode = COMPLETE_WORDS;
    rl_attempted_completion_over = 1;
    return rl_completion_matches(text, complete_next);
}

/* ---- the terminal's character set ------------------------------------------- */

/* libedit decodes what is typed with mbrtowc() in the current LC_CTYPE; in
 * the "C" locale a program starts in, every non-ASCII byte is dropped
 * (`Citroën` became `Citron`).  DPL text is UTF-8, so while libedit reads
 * (and reads or writes the history file) LC_CTYPE is a UTF-8 locale: the
 * user's own when it is UTF-8, else C.UTF-8.  Outside those calls it goes
 * back to "C", so that regular expressions (`matches`) are compiled and run
 * exactly as `dpl run` does. */
static char *utf8_locale; /* NULL: no UTF-8 locale on this system */

static void find_utf8_locale(void)
{
    static const char *const tries[] = {"", "C.UTF-8", "C.utf8", "en_US.UTF-8"};
    for (size_t i = 0; i < sizeof tries / sizeof *tries && !utf8_locale; i++) {
        const char *name = setlocale(LC_CTYPE, tries[i]);
        if (name && strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
            utf8_locale = dpl_strdup(name);
    }
    setlocale(LC_CTYPE, "C");
}

static void editing(bool on)
{
    if (utf8_locale)
        setlocale(LC_CTYPE, on ? utf8_locale : "C");
}

/* ---- history --------------------------------------------------------------- */

/* $DPL_HISTORY, else ~/.dpl_history; an empty DPL_HISTORY keeps no file. */
static char *find_history_path(void)
{
    const char *h = getenv("DPL_HISTORY");
    if (h)
        return *h ? dpl_strdup(h) : NULL;
    const char *home = getenv("HOME");
    if (!home || !*home)
        return NULL;
    return dpl_asprintf("%s/.dpl_history", home);
}

static void remember(const char *line)
{
    HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
    if (last && last->line && strcmp(last->line, line) == 0)
        return;
    editing(true);
    add_history(line);
    /* Saved after every entry, so a crash or a closed terminal loses nothing. */
    if (history_path)
        write_history(history_path);
    editing(false);
}

void repl_history_add(Repl *r, DplBuf *typed)
{
    const char *line = typed->data ? typed->data : "";
    bool keep = r->tty && line_editing && strspn(line, " \t\n") != typed->len;
    if (keep)
        remember(line);
    dpl_buf_reset(typed);
}

void repl_edit_init(Repl *r)
{
    active = r;
    if (!r->tty)
        return;
    char *why = NULL;
    if (!repl_libedit_load(&why)) {
        fprintf(r->out, "%s\n", why);
        dpl_free(why);
        return;
    }
    line_editing = true;
    find_utf8_locale();
    editing(true);
    rl_readline_name = "dpl"; /* ~/.editrc lines may start with "dpl:" */
    /* Paths contain '.', commands ':', so neither splits a word. */
    static char breaks[] = " \t\n\"\\'`@$><=;|&{(,)}[]+-*/%!?";
    rl_basic_word_break_characters = breaks;
    rl_completer_word_break_characters = breaks;
    rl_attempted_completion_function = complete;
    using_history();
    stifle_history(HISTORY_MAX);
    history_path = find_history_path();
    if (history_path)
        read_history(history_path);
    /* Ctrl-C abandons the line being typed instead of ending the session:
     * no SA_RESTART, so libedit's read is interrupted and readline returns. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    editing(false);
}

void repl_edit_done(Repl *r)
{
    (void)r;
    active = NULL;
    line_editing = false;
    dpl_free(history_path);
    history_path = NULL;
    dpl_free(utf8_locale);
    utf8_locale = NULL;
}

/* getline() without its allocator: the line without '\n' (and a '\r' before
 * it), or NULL at end of input. */
static char *read_plain(FILE *in)
{
    DplBuf b = {0};
    int c;
    bool any = false;
    while ((c = getc(in)) != EOF) {
        any = true;
        if (c == '\n')
            break;
        dpl_buf_putc(&b, (char)c);
    }
    if (!any)
        return NULL;
    if (b.len && b.data[b.len - 1] == '\r')
        b.data[--b.len] = '\0';
    if (!b.data)
        return dpl_strdup("");
    return dpl_buf_take(&b);
}

char *repl_read_line(Repl *r, bool continuation, bool *interrupted)
{
    *interrupted = false;
    fflush(r->out);
    const char *prompt = continuation ? "...> " : "dpl> ";
    if (!line_editing) {
        if (r->tty) {
            fputs(prompt, r->out);
            fflush(r->out);
        }
        return read_plain(r->in);
    }
    got_sigint = 0;
    editing(true);
    char *line = readline(prompt);
    editing(false);
    if (!line) {
        /* readline returns NULL both at Ctrl-D and when SIGINT cut it short */
        *interrupted = got_sigint != 0;
        return NULL;
    }
    char *copy = dpl_strdup(line);
    free(line); /* libedit allocated it with malloc */
    return copy;
}
