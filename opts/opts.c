/* opts.c — parsing a subcommand's arguments against its option table, and
 * the --help texts and "did you mean" messages made from the tables. */
#include <stdio.h>

#include "opts/opts.h"

const DplCmd *dpl_opts_find_cmd(const DplProgramInfo *p, const char *name)
{
    for (const DplCmd *c = p->cmds; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

void dpl_opts_begin(DplOptParser *p, const DplCmd *cmd, int argc, char **argv)
{
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    p->argc = argc;
    p->argv = argv;
    p->i = 1;
}

void dpl_opts_end(DplOptParser *p) { dpl_buf_free(&p->error); }

static void fail(DplOptParser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(DplOptParser *p, const char *fmt, ...)
{
    dpl_buf_reset(&p->error);
    dpl_buf_printf(&p->error, "%s %s: ", p->cmd->program, p->cmd->name);
    va_list ap;
    va_start(ap, fmt);
    dpl_buf_vprintf(&p->error, fmt, ap);
    va_end(ap);
}

/* Whether v is one of the '|'-separated words of choices. */
static bool is_choice(const char *choices, const char *v)
{
    size_t n = strlen(v);
    for (const char *w = choices; *w;) {
        size_t k = strcspn(w, "|");
        if (k == n && strncmp(w, v, n) == 0)
            return true;
        w += k + (w[k] == '|');
    }
    return false;
}

/* "human or json", "auto, always or never" */
static void choices_phrase(DplBuf *b, const char *choices)
{
    size_t nwords = 1;
    for (const char *c = choices; *c; c++)
        nwords += *c == '|';
    size_t i = 0;
    for (const char *w = choices; *w; i++) {
        size_t k = strcspn(w, "|");
        if (i)
            dpl_buf_puts(b, i + 1 == nwords ? " or " : ", ");
        dpl_buf_append(b, w, k);
        w += k + (w[k] == '|');
    }
}

static bool takes_choice(const DplOpt *o) { return o->value && strchr(o->value, '|'); }

/* Sets p->value for an option that takes one and checks a choice. */
static int with_value(DplOptParser *p, const DplOpt *o, const char *attached, const char *spelled)
{
    p->opt = o;
    p->value = NULL;
    snprintf(p->spelled, sizeof p->spelled, "%s", spelled);
    if (!o->value) {
        if (attached) {
            fail(p, "option `%s` takes no value", spelled);
            return DPL_OPTS_ERROR;
        }
        return (int)o->id;
    }
    if (attached)
        p->value = attached;
    else if (p->i < p->argc)
        p->value = p->argv[p->i++];
    else {
        fail(p, "option `%s` needs a value (%s)", spelled, o->value);
        return DPL_OPTS_ERROR;
    }
    if (takes_choice(o) && !is_choice(o->value, p->value)) {
        fail(p, "`%s` is ", spelled);
        choices_phrase(&p->error, o->value);
        dpl_buf_printf(&p->error, ", not `%s`", p->value);
        return DPL_OPTS_ERROR;
    }
    return (int)o->id;
}

static void unknown_option(DplOptParser *p, const char *arg, size_t len)
{
    char *name = dpl_strndup(arg, len);
    const char *cands[64];
    size_t n = 0;
    for (const DplOpt *o = p->cmd->opts; o->name && n < 64; o++)
        if (!o->hidden)
            cands[n++] = o->name;
    if (n < 64)
        cands[n++] = "--help";
    const char *near = dpl_nearest(name, cands, n);
    if (near)
        fail(p, "unknown option `%s`; did you mean `%s`?", name, near);
    else
        fail(p, "unknown option `%s` (`%s %s --help` lists the options)", name, p->cmd->program,
             p->cmd->name);
    dpl_free(name);
}

int dpl_opts_next(DplOptParser *p)
{
    static const DplOpt help = {DPL_OPT_HELP, "--help", 'h', NULL, DPL_COMPLETE_NONE, "this text", false};
    if (p->i >= p->argc)
        return DPL_OPTS_END;
    const char *a = p->argv[p->i++];
    p->opt = NULL;
    p->value = a;
    if (p->args_only || a[0] != '-' || a[1] == '\0')
        return DPL_OPTS_ARG;
    if (strcmp(a, "--") == 0) {
        p->args_only = true;
        return dpl_opts_next(p);
    }
    if (a[1] == '-') {
        const char *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a) : strlen(a);
        for (const DplOpt *o = p->cmd->opts; o->name; o++)
            if (strlen(o->name) == n && strncmp(o->name, a, n) == 0) {
                char *spelled = dpl_strndup(a, n);
                int r = with_value(p, o, eq ? eq + 1 : NULL, spelled);
                dpl_free(spelled);
                return r;
            }
        if (n == 6 && strncmp(a, "--help", 6) == 0)
            return with_value(p, &help, eq ? eq + 1 : NULL, "--help");
        unknown_option(p, a, n);
        return DPL_OPTS_ERROR;
    }
    /* -j N, -jN, -W error, -Werror, -W=error; single-letter flags alone */
    char spelled[3] = {'-', a[1], '\0'};
    const char *attached = a[2] ? a + 2 + (a[2] == '=') : NULL;
    for (const DplOpt *o = p->cmd->opts; o->name; o++)
        if (o->short_name && o->short_name == a[1])
            return with_value(p, o, attached, spelled);
    if (a[1] == 'h')
        return with_value(p, &help, attached, spelled);
    unknown_option(p, a, strlen(a));
    return DPL_OPTS_ERROR;
}

int dpl_opts_usage_error(const DplCmd *cmd, const char *fmt, ...)
{
    fprintf(stderr, "%s %s: ", cmd->program, cmd->name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(`%s %s --help` shows the usage)\n", cmd->program, cmd->name);
    return 2;
}

/* The left column of an option in --help: "-j, --jobs N". */
static void opt_spelling(DplBuf *b, const DplOpt *o)
{
    if (o->short_name && o->name[1] == '-')
        dpl_buf_printf(b, "-%c, ", o->short_name);
    dpl_buf_puts(b, o->name);
    if (o->value)
        dpl_buf_printf(b, " %s", o->value);
}

void dpl_opts_help(DplBuf *out, const DplCmd *cmd)
{
    dpl_buf_printf(out, "usage: %s %s%s%s [options]\n", cmd->program, cmd->name, *cmd->args ? " " : "",
                   cmd->args);
    dpl_buf_printf(out, "%s\n\noptions:\n", cmd->description);
    static const DplOpt help = {DPL_OPT_HELP, "--help", 'h', NULL, DPL_COMPLETE_NONE, "this text", false};
    bool done = false;
    for (const DplOpt *o = cmd->opts; !done; o++) {
        if (!o->name) {
            o = &help;
            done = true;
        }
        if (o->hidden)
            continue;
        DplBuf left = {0};
        dpl_buf_puts(&left, "  ");
        if (!o->short_name)
            dpl_buf_puts(&left, "    ");
        opt_spelling(&left, o);
        if (left.len < 28)
            dpl_buf_printf(out, "%-28s %s\n", left.data, o->help);
        else /* keep the help column aligned */
            dpl_buf_printf(out, "%s\n%-28s %s\n", left.data, "", o->help);
        dpl_buf_free(&left);
    }
    if (cmd->footer)
        dpl_buf_printf(out, "\n%s\n", cmd->footer);
}

void dpl_opts_program_help(DplBuf *out, const DplProgramInfo *p)
{
    dpl_buf_printf(out, "usage: %s COMMAND [ARGS...]\n%s\n\ncommands:\n", p->name, p->summary);
    for (const DplCmd *c = p->cmds; c->name; c++) {
        char left[64];
        snprintf(left, sizeof left, "  %s %s", c->name, c->args);
        dpl_buf_printf(out, "%-30s %s\n", left, c->summary);
    }
    dpl_buf_printf(out,
                   "\n  %s --help | --version\n"
                   "`%s COMMAND --help` shows a command's options; `man %s` the manual.\n",
                   p->name, p->name, p->name);
}

void dpl_opts_unknown_cmd(DplBuf *out, const DplProgramInfo *p, const char *name)
{
    const char *cands[32];
    size_t n = 0;
    for (const DplCmd *c = p->cmds; c->name && n < 32; c++)
        cands[n++] = c->name;
    const char *near = dpl_nearest(name, cands, n);
    if (near)
        dpl_buf_printf(out, "%s: unknown command `%s`; did you mean `%s`?\n", p->name, name, near);
    else
        dpl_buf_printf(out, "%s: unknown command `%s` (`%s --help` lists the commands)\n", p->name, name,
                       p->name);
}
