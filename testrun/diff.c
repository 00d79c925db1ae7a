/* diff.c — a unified diff of two short texts (pretty-printed JSON), from
 * the longest common subsequence of their lines. */
#include "testrun/internal.h"

typedef struct {
    const char **line;
    size_t *len;
    size_t n;
} Lines;

static void split(const char *s, Lines *l)
{
    size_t cap = 8;
    l->line = dpl_malloc(cap * sizeof *l->line);
    l->len = dpl_malloc(cap * sizeof *l->len);
    l->n = 0;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (l->n == cap) {
            cap *= 2;
            l->line = dpl_realloc(l->line, cap * sizeof *l->line);
            l->len = dpl_realloc(l->len, cap * sizeof *l->len);
        }
        l->line[l->n] = s;
        l->len[l->n++] = n;
        s += n + (nl ? 1 : 0);
    }
}

static bool same(const Lines *a, size_t i, const Lines *b, size_t j)
{
    return a->len[i] == b->len[j] && memcmp(a->line[i], b->line[j], a->len[i]) == 0;
}

typedef struct {
    char op; /* ' ', '-', '+' */
    size_t a, b; /* line index in a (for ' ' and '-') and in b (for ' ' and '+') */
} Op;

/* The edit script from a to b; *nops entries. */
static Op *script(const Lines *a, const Lines *b, size_t *nops)
{
    size_t n = a->n, m = b->n;
    Op *ops = dpl_malloc((n + m + 1) * sizeof *ops);
    size_t k = 0;
    /* Beyond this the texts are not what a test compares; show a replacement. */
    if ((n + 1) * (m + 1) > 16u * 1024u * 1024u) {
        for (size_t i = 0; i < n; i++)
            ops[k++] = (Op){'-', i, 0};
        for (size_t j = 0; j < m; j++)
            ops[k++] = (Op){'+', n, j};
        *nops = k;
        return ops;
    }
    /* lcs[i][j]: LCS length of a[i..] and b[j..] */
    unsigned *lcs = dpl_calloc((n + 1) * (m + 1), sizeof *lcs);
#define L(i, j) lcs[(i) * (m + 1) + (j)]
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            L(i, j) = same(a, i, b, j) ? L(i + 1, j + 1) + 1 : (L(i + 1, j) >= L(i, j + 1) ? L(i + 1, j) : L(i, j + 1));
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && same(a, i, b, j)) {
            ops[k++] = (Op){' ', i++, j++};
        } else if (j < m && (i == n || L(i, j + 1) > L(i + 1, j))) {
            ops[k++] = (Op){'+', i, j++};
        } else {
            ops[k++] = (Op){'-', i++, j};
        }
    }
#undef L
    dpl_free(lcs);
    *nops = k;
    return ops;
}

static void put_line(DplBuf *out, char op, const char *s, size_t n, bool color)
{
    const char *c = op == '-' ? TR_RED : op == '+' ? TR_GREEN : NULL;
    if (color && c)
        dpl_buf_puts(out, c);
    dpl_buf_putc(out, op);
    dpl_buf_append(out, s, n);
    if (color && c)
        dpl_buf_puts(out, TR_RESET);
    dpl_buf_putc(out, '\n');
}

void dpl_test_diff(DplBuf *out, const char *a_text, const char *b_text, const char *a_name, const char *b_name,
                   int context, bool color)
{
    if (strcmp(a_text, b_text) == 0)
        return;
    Lines a, b;
    split(a_text, &a);
    split(b_text, &b);
    size_t nops;
    Op *ops = script(&a, &b, &nops);
    const char *on = color ? TR_BOLD : "", *off = color ? TR_RESET : "";
    dpl_buf_printf(out, "%s--- %s%s\n%s+++ %s%s\n", on, a_name, off, on, b_name, off);
    size_t ctx = context < 0 ? 0 : (size_t)context;
    size_t k = 0;
    while (k < nops) {
        /* the next change, and the hunk around it */
        size_t first = k;
        while (first < nops && ops[first].op == ' ')
            first++;
        if (first == nops)
            break;
        size_t start = first > ctx ? first - ctx : 0;
        if (start < k)
            start = k;
        size_t end = first; /* one past the last op of the hunk */
        size_t last_change = first;
        for (size_t x = first; x < nops; x++) {
            if (ops[x].op != ' ')
                last_change = x;
            else if (x - last_change > 2 * ctx)
                break;
        }
        end = last_change + 1 + ctx < nops ? last_change + 1 + ctx : nops;
        size_t acount = 0, bcount = 0;
        for (size_t x = start; x < end; x++) {
            acount += ops[x].op != '+';
            bcount += ops[x].op != '-';
        }
        size_t astart = ops[start].a + (acount ? 1 : 0), bstart = ops[start].b + (bcount ? 1 : 0);
        if (color)
            dpl_buf_puts(out, TR_CYAN);
        dpl_buf_printf(out, "@@ -%zu,%zu +%zu,%zu @@", astart, acount, bstart, bcount);
        if (color)
            dpl_buf_puts(out, TR_RESET);
        dpl_buf_putc(out, '\n');
        for (size_t x = start; x < end; x++) {
            const Op *o = &ops[x];
            if (o->op == '+')
                put_line(out, '+', b.line[o->b], b.len[o->b], color);
            else
                put_line(out, o->op, a.line[o->a], a.len[o->a], color);
        }
        k = end;
    }
    dpl_free(ops);
    dpl_free(a.line);
    dpl_free(a.len);
    dpl_free(b.line);
    dpl_free(b.len);
}
