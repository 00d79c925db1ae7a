/* diff.c — a unified diff of two texts, line by line (`dplc fmt --check`,
 * `dplc check --fix --dry-run`-style previews).
 *
 * The common first and last lines are set aside, then a longest common
 * subsequence of the lines in between is found by dynamic programming.  When
 * that middle is too large for the table (more than DIFF_MAX_CELLS), the
 * whole middle is shown as removed and added: still a correct patch, only
 * not a minimal one. */
#include "util/util.h"

#define DIFF_MAX_CELLS (16u * 1024u * 1024u)

typedef struct {
    const char *p;
    size_t len; /* with its '\n', if it has one */
} Line;

static Line *split_lines(const char *s, size_t n, size_t *count)
{
    size_t cap = 16, k = 0;
    Line *v = dpl_malloc(cap * sizeof *v);
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t len = nl ? (size_t)(nl - (s + i)) + 1 : n - i;
        if (k == cap)
            v = dpl_realloc(v, (cap *= 2) * sizeof *v);
        v[k++] = (Line){s + i, len};
        i += len;
    }
    *count = k;
    return v;
}

static bool same(Line a, Line b) { return a.len == b.len && memcmp(a.p, b.p, a.len) == 0; }

/* One edit: ' ' keep, '-' remove a line of a, '+' add a line of b. */
typedef struct {
    char op;
    size_t ai, bi; /* the line of a (for ' ' and '-') or of b ('+') */
} Edit;

static void push(Edit **v, size_t *n, size_t *cap, Edit e)
{
    if (*n == *cap)
        *v = dpl_realloc(*v, (*cap = *cap ? *cap * 2 : 64) * sizeof **v);
    (*v)[(*n)++] = e;
}

static void put_line(DplBuf *out, char op, Line l)
{
    dpl_buf_putc(out, op);
    dpl_buf_append(out, l.p, l.len);
    if (!l.len || l.p[l.len - 1] != '\n')
        dpl_buf_puts(out, "\n\\ No newline at end of file\n");
}

/* "start,count" of a hunk side; an empty side names the line before it. */
static void range(DplBuf *out, size_t start, size_t count)
{
    if (count == 1)
        dpl_buf_printf(out, "%zu", start + 1);
    else
        dpl_buf_printf(out, "%zu,%zu", count ? start + 1 : start, count);
}

bool dpl_diff_unified(DplBuf *out, const char *a_name, const char *a, size_t alen, const char *b_name,
                      const char *b, size_t blen, unsigned context)
{
    size_t na, nb;
    Line *la = split_lines(a, alen, &na), *lb = split_lines(b, blen, &nb);
    size_t pre = 0, suf = 0;
    while (pre < na && pre < nb && same(la[pre], lb[pre]))
        pre++;
    while (suf < na - pre && suf < nb - pre && same(la[na - 1 - suf], lb[nb - 1 - suf]))
        suf++;
    size_t ma = na - pre - suf, mb = nb - pre - suf;
    Edit *ed = NULL;
    size_t ne = 0, cap = 0;
    for (size_t i = 0; i < pre; i++)
        push(&ed, &ne, &cap, (Edit){' ', i, i});
    if ((ma + 1) * (mb + 1) <= DIFF_MAX_CELLS) {
        /* lcs[i][j]: length of the LCS of a-middle[i..] and b-middle[j..] */
        uint32_t *lcs = dpl_calloc((ma + 1) * (mb + 1), sizeof *lcs);
#define L(i, j) lcs[(i) * (mb + 1) + (j)]
        for (size_t i = ma; i-- > 0;)
            for (size_t j = mb; j-- > 0;)
                L(i, j) = same(la[pre + i], lb[pre + j]) ? L(i + 1, j + 1) + 1
                          : L(i + 1, j) >= L(i, j + 1) ? L(i + 1, j)
                                                        : L(i, j + 1);
        size_t i = 0, j = 0;
        while (i < ma || j < mb) {
            if (i < ma && j < mb && same(la[pre + i], lb[pre + j]))
                push(&ed, &ne, &cap, (Edit){' ', pre + i++, pre + j++});
            else if (i < ma && (j == mb || L(i + 1, j) >= L(i, j + 1)))
                push(&ed, &ne, &cap, (Edit){'-', pre + i++, 0});
            else
                push(&ed, &ne, &cap, (Edit){'+', 0, pre + j++});
        }
#undef L
        dpl_free(lcs);
    } else {
        for (size_t i = 0; i < ma; i++)
            push(&ed, &ne, &cap, (Edit){'-', pre + i, 0});
        for (size_t j = 0; j < mb; j++)
            push(&ed, &ne, &cap, (Edit){'+', 0, pre + j});
    }
    for (size_t i = 0; i < suf; i++)
        push(&ed, &ne, &cap, (Edit){' ', na - suf + i, nb - suf + i});

    bool differ = false;
    for (size_t k = 0; k < ne && !differ; k++)
        differ = ed[k].op != ' ';
    if (differ)
        dpl_buf_printf(out, "--- %s\n+++ %s\n", a_name, b_name);
    /* hunks: runs of changes with up to `context` kept lines around them, two
     * runs closer than 2*context kept lines sharing one hunk */
    for (size_t k = 0; k < ne;) {
        if (ed[k].op == ' ') {
            k++;
            continue;
        }
        size_t start = k > context ? k - context : 0, end = k;
        for (;;) {
            while (end < ne && ed[end].op != ' ')
                end++;
            size_t keep = end;
            while (keep < ne && ed[keep].op == ' ' && keep - end < 2 * (size_t)context + 1)
                keep++;
            if (keep < ne && ed[keep].op != ' ')
                end = keep;
            else {
                end = end + context < ne ? end + context : ne;
                break;
            }
        }
        /* where the hunk starts in a and b, and how many lines of each */
        size_t a0 = 0, b0 = 0, ca = 0, cb = 0;
        bool seen_a = false, seen_b = false;
        size_t lines_a_before = 0, lines_b_before = 0;
        for (size_t q = 0; q < start; q++) {
            lines_a_before += ed[q].op != '+';
            lines_b_before += ed[q].op != '-';
        }
        for (size_t q = start; q < end; q++) {
            if (ed[q].op != '+') {
                if (!seen_a)
                    a0 = ed[q].ai, seen_a = true;
                ca++;
            }
            if (ed[q].op != '-') {
                if (!seen_b)
                    b0 = ed[q].bi, seen_b = true;
                cb++;
            }
        }
        if (!seen_a)
            a0 = lines_a_before;
        if (!seen_b)
            b0 = lines_b_before;
        dpl_buf_puts(out, "@@ -");
        range(out, a0, ca);
        dpl_buf_puts(out, " +");
        range(out, b0, cb);
        dpl_buf_puts(out, " @@\n");
        for (size_t q = start; q < end; q++)
            put_line(out, ed[q].op, ed[q].op == '+' ? lb[ed[q].bi] : la[ed[q].ai]);
        k = end;
    }
    dpl_free(ed);
    dpl_free(la);
    dpl_free(lb);
    return differ;
}
