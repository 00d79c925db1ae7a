/* direct.c — the "direct" engine: for programs made only of plain field
 * paths (the common shape: sources, mandatory, entity keys, renaming add
 * items), one scan of the line gives every value the program reads, and the
 * output line is assembled from the raw bytes of those values.  Whatever is
 * not the common case (invalid JSON, a missing source, a failed validation,
 * an unusual source value) is handed back as FALLBACK so that the tree
 * evaluator, which owns the exact reject text, decides it.
 *
 * Byte-identity with the tree evaluator rests on three facts: values whose
 * raw text is not what dpl_json_write prints are re-encoded through jansson
 * and dpl_json_write; the id hashes the same canonical bytes
 * (dpl_json_write_canonical for anything but plain strings, integers and
 * booleans); attributes come out in the order they were first written, as
 * jansson's insertion-ordered objects do. */
/* The id is hashed incrementally, key by key, with the low-level SHA256_*
 * calls; why not EVP is in util/sha256.c. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "scan/internal.h"

#define NONE UINT32_MAX

/* A node of the output object: an attribute holding a value (leaf), or a
 * nested object created by dotted targets. */
typedef struct {
    char *key_json;     /* "name": already encoded (root: NULL) */
    size_t key_len;
    uint32_t parent;
    uint32_t depth;     /* root 0 */
    uint32_t item;      /* leaf: index into items; NONE for objects */
    uint32_t kid_off;   /* slots for the children's birth order in the state */
    uint32_t nkids;
} OutNode;

typedef struct {
    uint32_t slot;      /* plan slot of the value */
    uint32_t leaf;      /* output node it writes */
} Item;

struct DplDirect {
    DplScanPlan *plan;
    char *name;         /* entity name, the first bytes hashed */
    size_t name_len;
    DplBuf head;        /* {"entity":"NAME","id":" */
    bool substitutive;
    uint32_t source_slot;
    bool has_sources;   /* a `sources` statement: only its names are kept */
    DplStrMap sources;  /* its names, looked up once per record */
    uint32_t *mandatory;
    size_t nmandatory;
    uint32_t *keys;
    size_t nkeys;
    Item *items;
    size_t nitems;
    uint32_t *read_slots; /* per DplProgram.reads: its slot (never_present) */
    size_t nreads;
    OutNode *out;       /* out[0]: the data object */
    size_t nout;
    uint32_t max_depth;
};

struct DplDirectState {
    DplScanValue *vals;
    uint32_t *born;     /* per output node: generation it was created in */
    uint32_t *nborn;    /* per output node: children created so far */
    uint32_t *order;    /* children in birth order, at kid_off of each node */
    uint32_t gen;
    DplBuf canon;       /* canonical JSON of one key */
    SHA256_CTX md;
};

/* ---- building ------------------------------------------------------------ */

static bool field_only(const DplPath *p)
{
    for (size_t i = 0; i < p->nsegs; i++)
        if (p->segs[i].kind != DPL_SEG_FIELD)
            return false;
    return true;
}

/* Adds an absolute path (relative ones live under data) to the plan. */
static uint32_t plan_path(DplScanPlan *plan, const DplPath *p)
{
    size_t n = p->nsegs + (p->root == DPL_ROOT_RELATIVE);
    const char **names = dpl_malloc((n + 1) * sizeof *names);
    size_t *lens = dpl_malloc((n + 1) * sizeof *lens);
    size_t k = 0;
    if (p->root == DPL_ROOT_RELATIVE) {
        names[k] = "data";
        lens[k++] = 4;
    }
    for (size_t i = 0; i < p->nsegs; i++) {
        names[k] = p->segs[i].name;
        lens[k++] = p->segs[i].name_len;
    }
    uint32_t slot = (uint32_t)dpl_scan_plan_add(plan, names, lens, k);
    dpl_free(names);
    dpl_free(lens);
    return slot;
}

static const DplPath *plain_path(const DplExpr *e)
{
    return e && e->kind == DPL_EXPR_PATH && field_only(&e->u.path) ? &e->u.path : NULL;
}

/* The output node for target segs[0..n), created as needed; NONE when a
 * target would write through (or over) another attribute.  Nodes are found
 * through index, keyed by the parent node and the segment's name, so a
 * program with 100,000 add items loads in linear time. */
static uint32_t out_node(DplDirect *d, size_t *cap, DplStrMap *index, const DplTarget *t)
{
    uint32_t cur = 0;
    DplBuf key = {0};
    uint32_t res = NONE;
    for (size_t i = 0; i < t->nsegs; i++) {
        bool last = i + 1 == t->nsegs;
        if (d->out[cur].item != NONE)
            goto done; /* writing below a value attribute */
        size_t seg_len = strlen(t->segs[i]);
        dpl_buf_reset(&key);
        dpl_buf_append(&key, &cur, sizeof cur);
        dpl_buf_append(&key, t->segs[i], seg_len);
        size_t found;
        if (dpl_strmap_get(index, key.data, key.len, &found)) {
            if (last)
                goto done; /* written twice, or over a nested object */
            cur = (uint32_t)found;
            continue;
        }
        dpl_strmap_put(index, key.data, key.len, d->nout, NULL);
        if (d->nout == *cap) {
            *cap *= 2;
            d->out = dpl_realloc(d->out, *cap * sizeof *d->out);
        }
        OutNode *o = &d->out[d->nout];
        memset(o, 0, sizeof *o);
        DplBuf json = {0};
        dpl_json_write_string(&json, t->segs[i], seg_len);
        dpl_buf_putc(&json, ':');
        o->key_len = json.len;
        o->key_json = dpl_buf_take(&json);
        o->parent = cur;
        o->depth = d->out[cur].depth + 1;
        o->item = NONE;
        if (o->depth > d->max_depth)
            d->max_depth = o->depth;
        d->out[cur].nkids++;
        cur = (uint32_t)d->nout++;
    }
    res = cur;
done:
    dpl_buf_free(&key);
    return res;
}

/* Checks the program's shape and fills d; returns NULL or the reason the
 * program needs the tree evaluator. */
static const char *build(DplDirect *d, const DplProgram *prog, DplStrMap *out_index)
{
    size_t out_cap = 8;
    d->out = dpl_calloc(out_cap, sizeof *d->out);
    d->out[0].item = NONE;
    d->nout = 1;
    const DplStmt *entity = NULL, *sources = NULL;
    size_t nitems = 0, nmand = 0;
    for (size_t s = 0; s < prog->nstmts; s++) {
        const DplStmt *st = &prog->stmts[s];
        switch (st->kind) {
        case DPL_STMT_ENTITY:
            if (entity)
                return "more than one entity";
            entity = st;
            break;
        case DPL_STMT_SOURCES:
            if (sources)
                return "more than one sources statement";
            sources = st;
            break;
        case DPL_STMT_REQUIREMENT: return "requirement";
        case DPL_STMT_WHERE: return "where";
        case DPL_STMT_MANDATORY: nmand += st->u.mandatory.npaths; break;
        case DPL_STMT_ADD:
            if (st->u.add.from)
                return "add from";
            nitems += st->u.add.nitems;
            break;
        }
    }
    if (!entity || entity->u.entity.nkeys == 0)
        return "no entity keys";

    d->name_len = entity->u.entity.name_len;
    d->name = dpl_malloc(d->name_len + 1);
    memcpy(d->name, entity->u.entity.name, d->name_len);
    d->name[d->name_len] = '\0';
    d->substitutive = entity->u.entity.substitutive;
    dpl_buf_puts(&d->head, "{\"entity\":");
    dpl_json_write_string(&d->head, d->name, d->name_len);
    dpl_buf_puts(&d->head, ",\"id\":\"");

    d->nkeys = entity->u.entity.nkeys;
    d->keys = dpl_calloc(d->nkeys, sizeof *d->keys);
    for (size_t k = 0; k < d->nkeys; k++) {
        const DplPath *p = plain_path(entity->u.entity.keys[k]);
        if (!p)
            return "entity key is not a plain path";
        d->keys[k] = plan_path(d->plan, p);
    }

    if (sources && sources->u.sources.using_path) {
        if (!field_only(sources->u.sources.using_path))
            return "using path with indexes";
        d->source_slot = plan_path(d->plan, sources->u.sources.using_path);
    } else {
        const char *names[] = {"metadata", "source"};
        const size_t lens[] = {8, 6};
        d->source_slot = (uint32_t)dpl_scan_plan_add(d->plan, names, lens, 2);
    }
    if (sources) {
        d->has_sources = true;
        for (size_t i = 0; i < sources->u.sources.nnames; i++)
            dpl_strmap_put(&d->sources, sources->u.sources.names[i], sources->u.sources.name_lens[i], i, NULL);
    }

    d->mandatory = dpl_calloc(nmand ? nmand : 1, sizeof *d->mandatory);
    d->items = dpl_calloc(nitems ? nitems : 1, sizeof *d->items);
    for (size_t s = 0; s < prog->nstmts; s++) {
        const DplStmt *st = &prog->stmts[s];
        if (st->kind == DPL_STMT_MANDATORY) {
            for (size_t i = 0; i < st->u.mandatory.npaths; i++) {
                const DplPath *p = plain_path(st->u.mandatory.paths[i]);
                if (!p)
                    return "mandatory path with indexes";
                d->mandatory[d->nmandatory++] = plan_path(d->plan, p);
            }
        } else if (st->kind == DPL_STMT_ADD) {
            for (size_t i = 0; i < st->u.add.nitems; i++) {
                const DplAddItem *it = &st->u.add.items[i];
                if (it->kind == DPL_ITEM_ALL)
                    return "add all";
                if (it->kind == DPL_ITEM_DELETE)
                    return "add delete";
                if (it->modifier != DPL_MOD_NONE)
                    return "append or overwrite";
                if (it->cond)
                    return "conditional add item";
                const DplPath *p = plain_path(it->value);
                if (!p)
                    return "computed add item";
                if (it->target.nsegs == 0)
                    return "add item without a target";
                uint32_t leaf = out_node(d, &out_cap, out_index, &it->target);
                if (leaf == NONE)
                    return "overlapping add targets";
                d->out[leaf].item = (uint32_t)d->nitems;
                d->items[d->nitems].slot = plan_path(d->plan, p);
                d->items[d->nitems].leaf = leaf;
                d->nitems++;
            }
        }
    }
    uint32_t off = 0;
    for (size_t i = 0; i < d->nout; i++) {
        d->out[i].kid_off = off;
        off += d->out[i].nkids;
    }
    if (d->max_depth > 60)
        return "add target nested too deeply";
    return NULL;
}

DplDirect *dpl_direct_new(const DplProgram *prog, const char **why)
{
    DplDirect *d = dpl_calloc(1, sizeof *d);
    d->plan = dpl_scan_plan_new();
    DplStrMap out_index = {0};
    const char *reason = build(d, prog, &out_index);
    dpl_strmap_free(&out_index);
    /* the paths the program reads, for never_present: the engine's programs
     * read only field paths, all of them in the plan already */
    d->nreads = prog->nreads;
    d->read_slots = dpl_calloc(prog->nreads + 1, sizeof *d->read_slots);
    for (size_t i = 0; !reason && i < prog->nreads; i++) {
        const DplReadPath *rp = &prog->reads[i];
        const char **names = dpl_malloc((rp->nsegs + 1) * sizeof *names);
        size_t *lens = dpl_malloc((rp->nsegs + 1) * sizeof *lens);
        for (size_t k = 0; k < rp->nsegs; k++) {
            if (rp->segs[k].kind != DPL_SEG_FIELD)
                reason = "a path with an index";
            names[k] = rp->segs[k].name;
            lens[k] = rp->segs[k].name_len;
        }
        if (!reason)
            d->read_slots[i] = (uint32_t)dpl_scan_plan_add(d->plan, names, lens, rp->nsegs);
        dpl_free(names);
        dpl_free(lens);
    }
    dpl_scan_plan_freeze(d->plan);
    if (why)
        *why = reason;
    if (reason) {
        dpl_direct_free(d);
        return NULL;
    }
    return d;
}

void dpl_direct_free(DplDirect *d)
{
    if (!d)
        return;
    dpl_scan_plan_free(d->plan);
    dpl_free(d->name);
    dpl_buf_free(&d->head);
    dpl_strmap_free(&d->sources);
    dpl_free(d->mandatory);
    dpl_free(d->keys);
    dpl_free(d->items);
    dpl_free(d->read_slots);
    for (size_t i = 0; i < d->nout; i++)
        dpl_free(d->out[i].key_json);
    dpl_free(d->out);
    dpl_free(d);
}

DplDirectState *dpl_direct_state_new(const DplDirect *d)
{
    DplDirectState *st = dpl_calloc(1, sizeof *st);
    st->vals = dpl_calloc(dpl_scan_plan_slots(d->plan), sizeof *st->vals);
    st->born = dpl_calloc(d->nout, sizeof *st->born);
    st->nborn = dpl_calloc(d->nout, sizeof *st->nborn);
    st->order = dpl_calloc(d->nout, sizeof *st->order);
    return st;
}

void dpl_direct_state_free(DplDirectState *st)
{
    if (!st)
        return;
    dpl_free(st->vals);
    dpl_free(st->born);
    dpl_free(st->nborn);
    dpl_free(st->order);
    dpl_buf_free(&st->canon);
    dpl_free(st);
}

/* ---- one record ---------------------------------------------------------- */

/* dpl_buf_append without the per-call NUL: the record's last write ends
 * with one (dpl_direct_record). */
static inline void put(DplBuf *b, const void *p, size_t n)
{
    if (b->cap - b->len <= n)
        dpl_buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static inline void putc1(DplBuf *b, char c)
{
    if (b->cap - b->len <= 1)
        dpl_buf_reserve(b, 1);
    b->data[b->len++] = c;
}

static json_t *parse_span(const char *line, const DplScanValue *v)
{
    /* The span was validated by the scan: this cannot fail. */
    return json_loadb(line + v->start, v->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
}

/* Appends the value as dpl_json_write prints it. */
static void write_value(DplBuf *out, const char *line, const DplScanValue *v)
{
    if (v->flags & DPL_SV_CANON) {
        put(out, line + v->start, v->len);
        return;
    }
    if (v->type == DPL_SV_REAL && v->len < 64) {
        char num[64], buf[40];
        memcpy(num, line + v->start, v->len);
        num[v->len] = '\0';
        dpl_buf_append(out, buf, (size_t)dpl_json_format_real(strtod(num, NULL), buf));
        return;
    }
    json_t *j = parse_span(line, v);
    dpl_json_write(out, j);
    json_decref(j);
}

/* Feeds the canonical JSON of a key value to the digest. */
static void hash_key(DplDirectState *st, const char *line, const DplScanValue *v)
{
    bool raw = (v->flags & DPL_SV_CANON) &&
               (v->type == DPL_SV_STRING || v->type == DPL_SV_INT || v->type == DPL_SV_TRUE || v->type == DPL_SV_FALSE);
    if (raw) {
        SHA256_Update(&st->md, line + v->start, v->len);
        return;
    }
    json_t *j = parse_span(line, v);
    dpl_buf_reset(&st->canon);
    dpl_json_write_canonical(&st->canon, j);
    json_decref(j);
    SHA256_Update(&st->md, st->canon.data, st->canon.len);
}

static void emit_node(const DplDirect *d, const DplDirectState *st, const char *line, uint32_t node, DplBuf *out)
{
    const OutNode *o = &d->out[node];
    if (o->item != NONE) {
        write_value(out, line, &st->vals[d->items[o->item].slot]);
        return;
    }
    putc1(out, '{');
    for (uint32_t i = 0; i < st->nborn[node]; i++) {
        uint32_t kid = st->order[o->kid_off + i];
        if (i)
            putc1(out, ',');
        put(out, d->out[kid].key_json, d->out[kid].key_len);
        emit_node(d, st, line, kid, out);
    }
    putc1(out, '}');
}

static bool absent_or_null(const DplScanValue *v) { return v->type == DPL_SV_MISSING || v->type == DPL_SV_NULL; }

DplDirectOutcome dpl_direct_record(const DplDirect *d, DplDirectState *st, const char *line, size_t len,
                                   DplBuf *out)
{
    DplScanValue *vals = st->vals;
    if (!dpl_scan(d->plan, line, len, vals) || vals[0].type != DPL_SV_OBJECT)
        return DPL_DIRECT_FALLBACK;

    /* 1. source filter: only plain strings are decided here */
    const DplScanValue *src = &vals[d->source_slot];
    if (src->type != DPL_SV_STRING || (src->flags & DPL_SV_ESCAPED))
        return DPL_DIRECT_FALLBACK;
    if (d->has_sources && !dpl_strmap_get(&d->sources, line + src->start + 1, src->len - 2, NULL))
        return DPL_DIRECT_SKIP;

    /* 2. validation: any failure is the tree evaluator's to report */
    for (size_t i = 0; i < d->nmandatory; i++) {
        const DplScanValue *v = &vals[d->mandatory[i]];
        if (absent_or_null(v) || (v->type == DPL_SV_STRING && v->len == 2))
            return DPL_DIRECT_FALLBACK;
    }
    for (size_t i = 0; i < d->nkeys; i++)
        if (absent_or_null(&vals[d->keys[i]]))
            return DPL_DIRECT_FALLBACK;

    /* 3. identity */
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256_Init(&st->md);
    SHA256_Update(&st->md, d->name, d->name_len);
    for (size_t i = 0; i < d->nkeys; i++) {
        SHA256_Update(&st->md, "\x1f", 1);
        hash_key(st, line, &vals[d->keys[i]]);
    }
    SHA256_Final(digest, &st->md);

    /* 4. build: which attributes exist, in the order first written */
    uint32_t gen = ++st->gen;
    st->born[0] = gen;
    st->nborn[0] = 0;
    for (size_t i = 0; i < d->nitems; i++) {
        if (vals[d->items[i].slot].type == DPL_SV_MISSING)
            continue;
        uint32_t path[64];
        uint32_t n = 0;
        for (uint32_t node = d->items[i].leaf; node != 0 && n < 64; node = d->out[node].parent)
            path[n++] = node;
        while (n--) {
            uint32_t node = path[n];
            if (st->born[node] == gen)
                continue;
            st->born[node] = gen;
            st->nborn[node] = 0;
            const OutNode *parent = &d->out[d->out[node].parent];
            st->order[parent->kid_off + st->nborn[d->out[node].parent]++] = node;
        }
    }

    /* 5. emit */
    char idhex[2 * SHA256_DIGEST_LENGTH];
    dpl_hex_lower(digest, sizeof digest, idhex);
    dpl_buf_reserve(out, d->head.len + sizeof idhex + src->len + len + 64);
    put(out, d->head.data, d->head.len);
    put(out, idhex, sizeof idhex);
    put(out, "\",\"source\":", 11);
    put(out, line + src->start, src->len);
    if (d->substitutive)
        put(out, ",\"substitutive\":true", 20);
    put(out, ",\"data\":", 8);
    emit_node(d, st, line, 0, out);
    put(out, "}\n", 2);
    out->data[out->len] = '\0';
    return DPL_DIRECT_EMIT;
}

bool dpl_direct_present(const DplDirect *d, const DplDirectState *st, size_t read)
{
    return read < d->nreads && st->vals[d->read_slots[read]].type != DPL_SV_MISSING;
}
