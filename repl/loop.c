/* loop.c — the read-eval-print loop of `dpl repl`.  Reads entries
 * (one line, or several until the braces balance), decides what each one
 * is — statement, JSON record, expression or :command — and hands it to the
 * session (repl_session.c) or the commands (repl_cmd.c). */
#include <stdio.h>
#include <string.h>

#include "lexer/lexer.h"
#include "repl/internal.h"

typedef enum {
    ENTRY_NONE,
    ENTRY_COMMAND,
    ENTRY_STATEMENT, /* sources "x", or one without a block yet */
    ENTRY_BLOCK,     /* entity/mandatory/requirement/add: complete only with its { } */
    ENTRY_RECORD,
    ENTRY_EXPR,
} EntryKind;

static bool ident_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
static bool ident_char(char c)
{
    return ident_start(c) || (c >= '0' && c <= '9');
}

/* What the first line of an entry starts. */
static EntryKind classify(const char *s)
{
    s += strspn(s, " \t\r");
    if (!*s || *s == '#')
        return ENTRY_NONE;
    if (*s == ':')
        return ENTRY_COMMAND;
    if (*s == '{')
        return ENTRY_RECORD;
    if (!ident_start(*s))
        return ENTRY_EXPR;
    size_t n = 1;
    while (ident_char(s[n]))
        n++;
    switch (dpl_tok_keyword(s, n)) {
    case DPL_TOK_KW_ENTITY:
    case DPL_TOK_KW_SUBSTITUTIVE:
    case DPL_TOK_KW_MANDATORY:
    case DPL_TOK_KW_REQUIREMENT:
    case DPL_TOK_KW_ADD:
        return ENTRY_BLOCK;
    case DPL_TOK_KW_SOURCES:
        return ENTRY_STATEMENT;
    default:
        break;
    }
    /* `mandatroy {` or `entiy "x"` is no expression: treat it as a statement
     * so the parser can say "unknown statement, did you mean ...". */
    const char *t = s + n;
    t += strspn(t, " \t");
    return *t == '{' || *t == '"' ? ENTRY_STATEMENT : ENTRY_EXPR;
}

/* True when every bracket opened in text is closed and (in DPL) the text
 * does not end in a comma, ignoring strings and comments.  Strings end at a
 * newline in both DPL and JSON, so an unterminated one cannot swallow the
 * rest of the session.  Neither DPL nor JSON puts a `{` block inside ( or [,
 * so the `}` that closes the outermost `{` completes the entry even when a
 * ( or [ inside it was left open: the parser reports that, and the rest of
 * the session is not swallowed.  *opened says whether any `{` was seen. */
static bool balanced(const char *text, size_t len, bool dpl, bool *opened)
{
    *opened = false;
    long depth = 0, braces = 0;
    bool block_closed = false;
    char last = 0; /* last character outside comments and blanks */
    bool in_str = false, in_comment = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '\n') {
            in_str = in_comment = false;
            continue;
        }
        if (in_comment)
            continue;
        if (c != ' ' && c != '\t' && c != '\r' && !(c == '#' && dpl && !in_str))
            last = c;
        if (in_str) {
            if (c == '\\' && i + 1 < len && text[i + 1] != '\n')
                i++;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"')
            in_str = true;
        else if (c == '#' && dpl)
            in_comment = true;
        else if (c == '{' || c == '[' || c == '(')
            depth++, *opened |= c == '{', braces += c == '{';
        else if (c == '}' || c == ']' || c == ')')
            depth--;
        if (c == '}' && --braces <= 0 && *opened)
            block_closed = true;
    }
    return (depth <= 0 || block_closed) && !(dpl && last == ',');
}

static void submit(Repl *r, EntryKind kind, DplBuf *entry)
{
    /* drop trailing blank lines, so "expected `{`" points after the text */
    const char *text = entry->data ? entry->data : "";
    size_t len = entry->len;
    while (len && strchr(" \t\r\n", text[len - 1]))
        len--;
    switch (kind) {
    case ENTRY_STATEMENT:
    case ENTRY_BLOCK:
        repl_statement(r, text, len);
        break;
    case ENTRY_RECORD:
        repl_record_text(r, text, len, ++r->npasted, NULL);
        break;
    case ENTRY_EXPR:
        repl_expression(r, text, len);
        break;
    default:
        break;
    }
    dpl_buf_reset(entry);
    fflush(r->out);
}

/* Returns true when input ended (Ctrl-D) with the cursor still after a
 * prompt, false after :quit or when what was printed last ended its line. */
static bool loop(Repl *r)
{
    DplBuf entry = {0};
    DplBuf typed = {0}; /* the lines of the entry as typed: one history item */
    EntryKind kind = ENTRY_NONE;
    bool go_on = true;
    for (;;) {
        bool interrupted;
        char *line = repl_read_line(r, kind != ENTRY_NONE, &interrupted);
        if (!line) {
            if (interrupted) {
                /* Ctrl-C: forget the entry being typed, stay in the session
                 * (its text stays in the history, so it can be fixed) */
                fputs("^C\n", r->out);
                repl_history_add(r, &typed);
                dpl_buf_reset(&entry);
                kind = ENTRY_NONE;
                continue;
            }
            break;
        }
        /* A line starting with `{` is a record of its own: a truncated record
         * must not swallow the ones after it (piped, every record is one
         * line; on a terminal a pasted record may span lines, but a new one
         * starts at column 0).  Likewise `:cmd` can never continue DPL text:
         * the entry was left unfinished (a `(` never closed).  Either way the
         * pending entry is submitted, so its error is reported. */
        if (kind == ENTRY_RECORD && line[0] == '{') {
            submit(r, kind, &entry);
            kind = ENTRY_NONE;
        }
        if (kind != ENTRY_NONE && classify(line) == ENTRY_COMMAND &&
            ident_start(line[strspn(line, " \t") + 1])) {
            submit(r, kind, &entry);
            kind = ENTRY_NONE;
        }
        if (kind == ENTRY_NONE)
            repl_history_add(r, &typed);
        if (typed.len)
            dpl_buf_putc(&typed, '\n');
        dpl_buf_puts(&typed, line);
        if (kind == ENTRY_NONE) {
            kind = classify(line);
            if (kind == ENTRY_COMMAND) {
                repl_history_add(r, &typed);
                go_on = repl_command(r, line);
                dpl_free(line);
                fflush(r->out);
                kind = ENTRY_NONE;
                if (!go_on)
                    break;
                continue;
            }
            if (kind == ENTRY_NONE) {
                dpl_free(line);
                continue;
            }
        }
        bool blank = line[strspn(line, " \t\r")] == '\0';
        dpl_buf_puts(&entry, line);
        dpl_buf_putc(&entry, '\n');
        dpl_free(line);
        bool opened;
        bool done = balanced(entry.data, entry.len, kind != ENTRY_RECORD, &opened);
        /* `add from data.x` may put its `{` on the next line; a blank line
         * gives up waiting, and the parser says what is missing. */
        if (kind == ENTRY_BLOCK && !opened && !blank)
            done = false;
        if (kind == ENTRY_RECORD && !r->tty)
            done = true;
        if (done) {
            repl_history_add(r, &typed);
            submit(r, kind, &entry);
            kind = ENTRY_NONE;
        }
    }
    /* End of input inside an unfinished entry: submit it, so the user hears
     * about the unclosed brace instead of losing the text silently.  On a
     * terminal the cursor is still after the `...>` prompt: the error goes
     * on a line of its own. */
    repl_history_add(r, &typed);
    bool at_prompt = go_on;
    if (go_on && kind != ENTRY_NONE) {
        if (r->tty)
            fputc('\n', r->out);
        submit(r, kind, &entry);
        at_prompt = false;
    }
    dpl_buf_free(&entry);
    dpl_buf_free(&typed);
    return at_prompt;
}

int dpl_repl_run(const DplReplOptions *opt)
{
    Repl r;
    memset(&r, 0, sizeof r);
    r.out = opt->out;
    r.in = opt->in ? opt->in : stdin;
    r.no_files = opt->no_files;
    r.tty = opt->tty;
    r.color = opt->tty && opt->color;
    repl_session_init(&r);

    if (r.tty)
        fprintf(r.out,
                "dpl %s repl: type statements, JSON records or expressions; :help for more, Ctrl-D to quit\n",
                DPL_VERSION);
    if (opt->program)
        repl_session_load(&r, opt->program, opt->text, opt->len);

    repl_edit_init(&r);
    if (loop(&r) && r.tty)
        fputc('\n', r.out); /* leave the shell prompt on a line of its own */
    repl_edit_done(&r);

    fflush(r.out);
    repl_file_close(&r.open);
    repl_fields_free(&r);
    if (r.record)
        json_decref(r.record);
    repl_session_free(&r);
    /* Piped sessions are scripts: any input that was an error fails them. */
    return !r.tty && r.had_error ? 1 : 0;
}
