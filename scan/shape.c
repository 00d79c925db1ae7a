/* shape.c — lines read through the shapes of the lines before them
 * (internal.h explains shapes): learning a shape while the scanner walks a
 * line, matching the next lines against it, and which shapes a memo keeps.
 * A line that matches no shape is scanned as before; nothing here decides
 * what is valid JSON that the scanner's own rules (token.h) do not. */
#include <string.h>

#include "scan/token.h"

void shape_rec_op(ShapeRec *r, const uchar *p, uint8_t kind, uint32_t slot, uint8_t type)
{
    DplShape *sh = r->shape;
    size_t n = (size_t)(p - r->lit);
    if (r->bad || sh->nops + 1 > DPL_SHAPE_OPS || sh->nlits + n > DPL_SHAPE_LITS) {
        r->bad = true;
        return;
    }
    memcpy(sh->lits + sh->nlits, r->lit, n);
    sh->ops[sh->nops++] =
        (DplShapeOp){.kind = kind, .type = type, .slot = slot, .off = sh->nlits, .len = (uint32_t)n};
    sh->nlits += (uint32_t)n;
    r->lit = p;
}

/* Whether p[0..n) (within end) is lit[0..n) (lit padded by 16 bytes):
 * literals are short (a key and its punctuation), one compare mostly. */
static inline bool lit_eq(const uchar *p, const uchar *end, const uchar *lit, uint32_t n)
{
#ifdef __SSE2__
    if (end - p >= 16 && n <= 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)lit);
        uint32_t need = (uint32_t)((1ull << n) - 1);
        return ((uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, b)) & need) == need;
    }
#endif
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* The line read through a shape: false when it does not match (vals are
 * then partly written), else every capture made as the scan would.  With
 * cs (cuts on), where each op starts in the line is recorded too (a
 * scalar's first byte, a mark's place); its end follows from the next
 * op's start and literal (dpl_scan_cut_end). */
static inline __attribute__((always_inline)) bool replay(const DplShape *sh, const uchar *base, const uchar *end,
                                                         DplScanValue *vals, uint32_t *cs)
{
    const uchar *p = base;
    for (const DplShapeOp *op = sh->ops;; op++) {
        if (!lit_eq(p, end, sh->lits + op->off, op->len))
            return false;
        p += op->len;
        if (cs)
            *cs++ = (uint32_t)(p - base);
        switch (op->kind) {
        case SHAPE_STR: {
            unsigned sf = 0;
            if (p >= end || *p != '"' || !(p = scan_str(p + 1, end, &sf)))
                return false;
            break;
        }
        case SHAPE_NUM:
            if (p >= end || !(is_digit(*p) || *p == '-') || !(p = scan_number(p, end, NULL)))
                return false;
            break;
        case SHAPE_VAL:
            if (p >= end || *p == '{' || *p == '[' || !(p = scan_scalar(base, p, end, &vals[op->slot])))
                return false;
            break;
        case SHAPE_OPEN:
            vals[op->slot].start = (size_t)(p - base);
            break;
        case SHAPE_CLOSE: {
            DplScanValue *v = &vals[op->slot];
            v->len = (size_t)(p - base) - v->start;
            v->type = op->type;
            v->flags = v->len == 2 ? DPL_SV_CANON : 0;
            break;
        }
        default: /* SHAPE_END */
            return skip_ws(p, end) == end;
        }
    }
}

/* replay without cuts, and with them: two copies, so that a program that
 * does not use cuts pays nothing for them */
static bool replay_plain(const DplShape *sh, const uchar *base, const uchar *end, DplScanValue *vals)
{
    return replay(sh, base, end, vals, NULL);
}

static bool replay_cuts(const DplShape *sh, const uchar *base, const uchar *end, DplScanValue *vals, uint32_t *cs)
{
    return replay(sh, base, end, vals, cs);
}

bool shape_read(DplScanMemo *m, const uchar *base, const uchar *end, DplScanValue *vals, size_t nvals,
                bool *learn)
{
    m->cut_shape = 0;
    /* A stream whose lines keep changing shape tries (and learns) shapes
     * on one line in 16 only, so it pays little for them. */
    bool try = m->misses < 8 || (m->tick++ & 15) == 0;
    *learn = try;
    if (!try) {
        m->misses++;
        return false;
    }
    for (uint32_t i = 0; i < DPL_SHAPES; i++) {
        uint32_t k = (m->mru + i) % DPL_SHAPES;
        if (!m->shapes[k].valid)
            continue;
        /* the plain copy laid out first: most programs never turn cuts on */
        bool ok = __builtin_expect(m->cuts_on, 0) ? replay_cuts(&m->shapes[k], base, end, vals, m->cut_start)
                                                  : replay_plain(&m->shapes[k], base, end, vals);
        if (ok) {
            m->mru = k;
            m->misses = 0;
            if (m->cuts_on) {
                m->cut_shape = m->shapes[k].id;
                m->cut_n = m->shapes[k].nops;
                m->cut_gap = m->shapes[k].gaps;
            }
            return true;
        }
        memset(vals, 0, nvals * sizeof *vals);
    }
    m->misses++;
    return false;
}

ShapeRec shape_learn_begin(DplScanMemo *m, const uchar *base)
{
    DplShape *sh = &m->shapes[DPL_SHAPES];
    if (!sh->ops) {
        sh->ops = dpl_malloc(DPL_SHAPE_OPS * sizeof *sh->ops);
        sh->lits = dpl_calloc(DPL_SHAPE_LITS + 16, 1); /* the padding is read, never compared */
    }
    sh->nops = sh->nlits = 0;
    return (ShapeRec){sh, base, false};
}

void shape_learn_end(DplScanMemo *m, const ShapeRec *r)
{
    if (r->bad)
        return;
    /* the new shape takes the place of the one matched less recently */
    uint32_t k = (m->mru + 1) % DPL_SHAPES;
    DplShape spare = m->shapes[k];
    m->shapes[k] = *r->shape;
    m->shapes[k].valid = true;
    m->shapes[k].id = ++m->next_id;
    /* the literal before each op, for the cuts' ends */
    DplShape *sh = &m->shapes[k];
    if (!sh->gaps)
        sh->gaps = dpl_malloc(DPL_SHAPE_OPS * sizeof *sh->gaps);
    for (uint32_t i = 0; i < sh->nops; i++)
        sh->gaps[i] = sh->ops[i].len;
    *r->shape = spare;
    r->shape->valid = false;
    m->mru = k;
}

void dpl_scan_memo_set_cuts(DplScanMemo *m, bool on)
{
    if (on && !m->cut_start)
        m->cut_start = dpl_malloc(DPL_SHAPE_OPS * sizeof *m->cut_start);
    m->cuts_on = on;
    m->cut_shape = 0;
}

bool dpl_scan_cuts(const DplScanMemo *m, DplScanCuts *c)
{
    if (!m->cut_shape)
        return false;
    c->shape = m->cut_shape;
    c->n = m->cut_n;
    c->start = m->cut_start;
    c->gap = m->cut_gap;
    return true;
}
