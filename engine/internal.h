/* internal.h — private to engine/: record-local values, the compiled
 * program, the per-thread state, and the functions the engine's files share.
 *
 * A value (EVal) is a small struct passed by value.  Its representation
 * says where its content lives: R_NAT (in the struct, or a string in the
 * line or the record's arena), R_RAW (a span of the input line, validated by
 * the scan; strings also carry their decoded content), R_LIST (an array of
 * values in the arena) or R_JSON (a jansson container the state keeps alive
 * until the record ends).  Nothing outlives a record. */
#ifndef DPL_ENGINE_INTERNAL_H
#define DPL_ENGINE_INTERNAL_H

#include <stdalign.h>
#include <stddef.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "engine/engine.h"
#include "json/json.h"
#include "scan/scan.h"

typedef enum { V_MISSING, V_NULL, V_FALSE, V_TRUE, V_INT, V_REAL, V_STR, V_ARR, V_OBJ } VType;
typedef enum { R_NAT, R_RAW, R_LIST, R_JSON } VRep;

typedef struct EVal EVal;
typedef struct RNode RNode;
struct EVal {
    uint8_t t;      /* VType */
    uint8_t rep;    /* VRep */
    uint8_t canon;  /* R_RAW: the raw bytes are what dpl_json_write prints; R_NAT V_STR: no byte to escape */
    uint8_t pad;    /* R_RAW V_REAL: 1 when u.r already holds the value */
    uint32_t n;     /* V_STR: content length; R_LIST: element count */
    const char *raw; /* R_RAW: the value's bytes in the line */
    size_t rawlen;
    union {
        int64_t i;          /* V_INT */
        double r;           /* V_REAL (R_NAT; R_RAW parses raw on demand) */
        const char *s;      /* V_STR content */
        const EVal *list;   /* R_LIST */
        json_t *j;          /* R_JSON (borrowed from the state) */
        const RNode *node;  /* R_RAW V_ARR/V_OBJ: its parse (node.c), or NULL until parsed */
    } u;
};

/* A raw container parsed (node.c): its elements, or its members in input
 * order (duplicates as they come) with their decoded keys. */
typedef struct {
    const char *s;
    uint32_t n;
    uint8_t plain; /* the key had no escapes: s is its own JSON text */
} RKey;

struct RNode {
    uint32_t n;
    uint8_t canon;     /* the container's bytes are what dpl_json_write prints */
    uint8_t plain;     /* object: every key plain and no key twice */
    uint64_t keybits;  /* object: ev_key_bit of every key (a key whose bit is clear is not there) */
    const EVal *vals;
    const RKey *keys;  /* objects; NULL for arrays */
};

_Static_assert(sizeof(EVal) == 32 && offsetof(EVal, n) == 4 && offsetof(EVal, raw) == 8 &&
                   offsetof(EVal, rawlen) == 16 && offsetof(EVal, u) == 24,
               "ev_pack writes the value as two 16-byte halves");

/* A value from its four words, stored as two 16-byte halves.  Built field
 * by field, a value is stored in pieces of 1 to 8 bytes; the compiler then
 * copies it (returned, assigned) 16 bytes at a time, and the CPU cannot
 * forward those loads from the narrower stores: a stall of a dozen cycles
 * that perf showed on every hot copy.  Loads of any width inside one
 * 16-byte store forward. */
static inline EVal ev_pack(uint8_t t, uint8_t rep, uint8_t canon, uint8_t pad, uint32_t n, const char *raw,
                           size_t rawlen, uint64_t u)
{
    uint64_t hdr = (uint64_t)t | (uint64_t)rep << 8 | (uint64_t)canon << 16 | (uint64_t)pad << 24 | (uint64_t)n << 32;
    EVal v;
#ifdef __SSE2__
    __m128i lo = _mm_set_epi64x((long long)(uintptr_t)raw, (long long)hdr);
    __m128i hi = _mm_set_epi64x((long long)u, (long long)rawlen);
    _mm_storeu_si128((__m128i *)(void *)&v, lo);
    _mm_storeu_si128((__m128i *)(void *)((char *)&v + 16), hi);
#else
    memcpy(&v, &hdr, 8);
    v.raw = raw;
    v.rawlen = rawlen;
    v.u.i = (int64_t)u;
#endif
    return v;
}

static inline uint64_t ev_bits(double r)
{
    uint64_t u;
    memcpy(&u, &r, sizeof u);
    return u;
}

#define MISSING (ev_pack(V_MISSING, 0, 0, 0, 0, NULL, 0, 0))

static inline EVal ev_str(const char *s, size_t n) { return ev_pack(V_STR, R_NAT, 0, 0, (uint32_t)n, NULL, 0, (uint64_t)(uintptr_t)s); }
/* A computed string whose content has no byte JSON escapes (a quote, a
 * backslash, a control byte): written with one copy.  `canon`, which on
 * R_RAW values means "the input bytes are the output", means this on an
 * R_NAT string. */
static inline EVal ev_str_plain(const char *s, size_t n) { return ev_pack(V_STR, R_NAT, 1, 0, (uint32_t)n, NULL, 0, (uint64_t)(uintptr_t)s); }
/* Whether a string's content needs no escaping: a computed string made
 * plain, or an input string without escapes whose bytes are canonical. */
static inline bool ev_str_is_plain(const EVal *v)
{
    return v->t == V_STR && v->canon && (v->rep == R_NAT || (v->rep == R_RAW && v->rawlen == (size_t)v->n + 2));
}
static inline EVal ev_int(int64_t i) { return ev_pack(V_INT, R_NAT, 0, 0, 0, NULL, 0, (uint64_t)i); }
static inline EVal ev_real(double r) { return ev_pack(V_REAL, R_NAT, 0, 0, 0, NULL, 0, ev_bits(r)); }
static inline EVal ev_bool(bool b) { return ev_pack(b ? V_TRUE : V_FALSE, R_NAT, 0, 0, 0, NULL, 0, 0); }

/* Copies a value as its two 16-byte halves, the widths every value is
 * stored with (ev_pack): a copy that reads wider or across pieces than the
 * stores it follows stalls the CPU (store forwarding), which perf showed on
 * every hot copy when values were built field by field. */
static inline void ev_copy(EVal *d, const EVal *s)
{
#ifdef __SSE2__
    __m128i lo = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i hi = _mm_loadu_si128((const __m128i *)(const void *)((const char *)s + 16));
    _mm_storeu_si128((__m128i *)(void *)d, lo);
    _mm_storeu_si128((__m128i *)(void *)((char *)d + 16), hi);
#else
    memcpy(d, s, sizeof *d);
#endif
}

/* ---- compiled program ---------------------------------------------------- */

typedef enum {
    N_CONST, N_PATH, N_META, N_ARRAY, N_UNARY, N_BINARY, N_AND, N_OR, N_COALESCE, N_CAST, N_CALL,
} NKind;

typedef enum { PB_SLOT, PB_FROM, PB_CONST, PB_ITEM } PathBase;

/* Builtins with a native form; F_GENERIC goes through the reference. */
typedef enum {
    F_GENERIC, F_LOWER, F_UPPER, F_TRIM, F_DIGITS, F_CONCAT, F_COALESCE, F_EXISTS, F_LEN, F_ROUND, F_ABS,
    F_SUM, F_AVG, F_MIN, F_MAX, F_STARTS, F_ENDS, F_CONTAINS, F_MAP, F_FILTER, F_COND,
} NFn;

/* Leaves a parent evaluates inline, without a call (compile.c sets it). */
typedef enum { LEAF_NONE, LEAF_CONST, LEAF_SLOT, LEAF_ITEM_FIELD } NLeaf;

typedef struct ENode ENode;
struct ENode {
    /* the evaluator of this kind of node (expr.c's eng_bind): called through
     * the node, each parent's call site predicts its own children's kinds,
     * where one switch on the kind mispredicted for all of them */
    EVal (*eval)(DplEngineState *st, const ENode *n);
    uint8_t kind;     /* NKind */
    uint8_t leaf;     /* NLeaf */
    uint8_t fn;       /* N_CALL: NFn */
    uint8_t base;     /* N_PATH: PathBase */
    const DplExpr *e; /* the source expression (spans, operator, builtin) */
    const DplPath *path; /* N_PATH: the path (NULL: metadata.source) */
    uint32_t slot;    /* PB_SLOT: plan slot the walk starts from */
    uint32_t rest;    /* N_PATH: first segment of e->u.path walked at run time */
    uint32_t cache;   /* N_PATH walked below its slot: 1 + its entry in the record's path cache, or 0 */
    uint32_t memo;    /* computed nodes whose text appears again: 1 + their entry in the record's memo, or 0 */
    EVal k;           /* N_CONST, PB_CONST */
    ENode **kids;
    uint32_t nkids;
};

typedef struct {
    const ENode *node;
    char *abs_path;   /* plain paths: "data.valor"; else NULL */
    char *text;       /* the expression's text (requirement, key messages) */
    long mand;        /* keys: index of the mandatory check of the same path, or -1 */
    const DplExpr *expr;
} ECheck;

typedef struct {
    const DplAddItem *it;
    uint32_t lnode;     /* static layout: the item's output node */
    const ENode *value; /* VALUE: the value; DELETE: NULL */
    const ENode *cond;
    char *target_text;  /* "a.b.c", for messages */
    uint32_t *hashes;   /* per target segment */
    uint32_t *lens;
} EItem;

/* A node of the static output layout: programs whose add items only write
 * fixed targets once (no all, delete, append or overwrite) get their data
 * object's shape at compile time; per record only which attributes exist,
 * and in which order they were first written, is decided. */
typedef struct {
    char *key_json;     /* "key": (root: NULL) */
    uint32_t key_len;
    uint32_t parent;
    uint32_t leaf;      /* 1 for an attribute holding a value, 0 for an object */
    uint32_t kid_off;   /* its children's slots in the state's order array */
    uint32_t nkids;
} LNode;

typedef struct {
    const ENode *from; /* NULL: relative paths start at data */
    EItem *items;
    size_t nitems;
} EAdd;

struct DplEngine {
    const DplProgram *prog;
    DplEngineOptions opt;
    char *raw_source;     /* --raw: the source name */
    json_t *raw_metadata; /* --raw: {"source": NAME} */
    DplScanPlan *plan;
    uint32_t data_slot;   /* the data value (raw mode: the root) */
    DplArena *arena;      /* nodes and tables */
    const char *name;
    size_t name_len;
    DplBuf head;          /* {"entity":"NAME","id":" */
    bool substitutive;
    const DplStmt *sources;
    DplStrMap source_names; /* the `sources` names, when there are many */
    const ENode *source;  /* where the source is read */
    const DplSpan *source_rule;
    char *source_where;
    ECheck *mandatory;
    size_t nmandatory;
    ECheck *requirements;
    size_t nrequirements;
    ECheck *wheres;       /* language 1.1: every expression of every `where` */
    size_t nwheres;
    ECheck *keys;
    size_t nkeys;
    EAdd *adds;
    size_t nadds;
    ENode **reads;        /* DplProgram.reads compiled (never_present) */
    size_t nreads;
    LNode *layout;        /* the static output layout, or NULL (build.c) */
    uint32_t nlayout;
    DplStrMap *path_ids;  /* compiling: walked paths already seen (compile.c) */
    uint32_t npaths;      /* entries of the per-record path cache */
    uint32_t nmemo;       /* entries of the per-record memo (compile.c's memo_note) */
    bool uses_line;       /* the program reads 'line (dpl_engine_uses_line) */
    bool deep;            /* the program walks into values or hands them to builtins: node.c
                             parses nested containers at once (else they are only copied) */
};

/* ---- per-record state --------------------------------------------------- */

typedef struct Chunk Chunk;

typedef struct {
    bool set;
    DplRtCode code;
    DplSpan span;
    char message[256];
    json_t *value;    /* the offending value (spec §12.4), kept by the state, or NULL */
    const char *path; /* its path when written as one, or NULL */
} EErr;

typedef struct OObj OObj;

#define NODE_CACHE 64

/* ---- cut.c: containers made from the scan's cuts ---------------------------- */

/* A place in the line by the cut after it: cuts.start[cut] - back (the
 * bytes between cuts are the same in every line of a shape). */
typedef struct {
    uint32_t cut, back;
} CPlace;

enum { TK_SCALAR, TK_OBJ, TK_ARR };

/* One value of a container's template, in preorder: a container is
 * followed by its n values (each with its subtree). */
typedef struct {
    uint8_t kind;      /* TK_* */
    uint8_t bare;      /* containers: no white space between tokens (keys are plain and unique) */
    uint32_t size;     /* entries of its subtree, itself included */
    uint32_t n;        /* containers: members or elements */
    uint32_t klen;     /* a member: its key's length */
    CPlace at;         /* where it starts (a scalar at a cut: back 0) */
    CPlace close;      /* containers: the closing bracket */
    CPlace key;        /* a member: its key's text, after the quote */
    uint64_t keybits;  /* objects: ev_key_bit of every key */
} TEnt;

/* A walk below a templated container (segs[i..n) from it), resolved once
 * per template: the scalar entries it reaches (cut.c, cut_walk). */
enum { TW_MISSING, TW_ONE, TW_LIST, TW_NO /* reaches a container: walked the usual way */ };
typedef struct {
    const DplSegment *segs;
    size_t i, n;
    uint8_t kind;      /* TW_* */
    uint32_t *ents;    /* owned: entry indices */
    uint32_t nents;
} TWalk;

/* The template of one container (its opening bracket at cut `open`) for
 * the lines of one shape, or `none` when it cannot have one. */
typedef struct {
    uint64_t shape;    /* 0: unused */
    uint32_t open;
    bool none;
    TEnt *e;           /* owned */
    uint32_t n, cap;
    TWalk *walks;      /* owned, with their entries */
    uint32_t nwalks, capwalks;
} Tmpl;

#define TMPL_CACHE 8
/* Records between decisions whether to have the scan cut lines, and the
 * uses of slot containers (parses, walks answered by templates) in that
 * many records that turn cuts on. */
#define CUT_PERIOD 256
#define CUT_MIN_PARSES 64

struct DplEngineState {
    const DplEngine *eng;
    DplScanValue *vals;
    DplScanMemo *memo;    /* the scans' memory of the lines before: keys, shapes (owned) */
    Chunk *first, *cur;   /* the arena */
    json_t **jrefs;       /* released when the record ends */
    size_t njrefs, jcap;
    EErr err;
    DplBuf tmp;
    char idhex[64];
    bool id_ready;
    /* the record */
    const char *line;
    size_t len;
    long lineno;
    EVal source;
    EVal from;            /* the current `add from` value */
    EVal item;            /* the element of the innermost map/filter ('item) */
    EVal *pcache;         /* values of walked paths, valid when pgen[i] == gen */
    uint32_t *pgen;
    EVal *mval;           /* values of repeated expressions, valid when mgen[i] == gen */
    uint32_t *mgen;
    uint32_t gen;
    uint32_t *lborn, *lnborn, *lorder; /* static layout: per node */
    EVal *lval;
    struct {
        uint32_t gen;
        const char *raw;
        const RNode *node;
    } ncache[NODE_CACHE]; /* raw containers of scan slots parsed in this record */
    DplScanCuts cuts;     /* the line's cuts (cuts.shape 0: none) */
    Tmpl tmpl[TMPL_CACHE]; /* cut.c's templates, owned */
    uint32_t tmpl_next;   /* the one replaced next */
    struct {              /* cut.c: the last container looked up, in this record */
        uint32_t gen;
        const char *raw;
        Tmpl *t;
        bool mark;
        uint32_t open;
    } tfind;
    bool learning;        /* cut_learn is reading a parse: no template within it */
    uint32_t cut_tick, cut_parses; /* records and container uses since the last decision */
    bool cuts_on;         /* the scan cuts lines for this state */
    EVal *svals;          /* node.c's scratch stack */
    RKey *skeys;
    size_t sn, scap;
    char *source_copy;    /* NUL-terminated, for DplResult.source */
    size_t source_cap;
};

/* Copies s[0..n) to d.  Output is made of many short pieces (keys, numbers,
 * short strings): up to 16 bytes are copied inline with overlapping word
 * moves, longer ones by memcpy. */
static inline void eng_copy(char *d, const char *s, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t x, y;
        memcpy(&x, s, 8);
        memcpy(&y, s + n - 8, 8);
        memcpy(d, &x, 8);
        memcpy(d + n - 8, &y, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t x, y;
        memcpy(&x, s, 4);
        memcpy(&y, s + n - 4, 4);
        memcpy(d, &x, 4);
        memcpy(d + n - 4, &y, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    } else {
        memcpy(d, s, n);
    }
}

/* Appends p[0..n) to b (without a NUL). */
static inline void eng_put(DplBuf *b, const void *p, size_t n)
{
    if (b->cap - b->len <= n)
        dpl_buf_reserve(b, n);
    eng_copy(b->data + b->len, p, n);
    b->len += n;
}

/* The record's arena (value.c): chunks kept from record to record. */
struct Chunk {
    Chunk *next;
    size_t cap, used;
    alignas(max_align_t) unsigned char data[];
};

void *eng_alloc_slow(DplEngineState *st, size_t n); /* n rounded; a new or next chunk */

/* n bytes (16-aligned) in the record's arena; inline: a parse makes one
 * allocation per container. */
static inline void *eng_alloc(DplEngineState *st, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    Chunk *c = st->cur;
    if (__builtin_expect(!c || c->cap - c->used < n, 0))
        return eng_alloc_slow(st, n);
    void *p = c->data + c->used;
    c->used += n;
    return p;
}
void eng_reset(DplEngineState *st);
json_t *eng_keep(DplEngineState *st, json_t *j); /* takes the reference; returns j */

/* Key equality for short keys, without the libc call (n bytes each). */
static inline bool ev_key_eq(const char *a, const char *b, size_t n)
{
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y)
            return false;
    }
    for (; n; n--)
        if (*a++ != *b++)
            return false;
    return true;
}

/* A key's bit in a 64-bit set of keys (its length and first byte): an
 * object's set tells most keys it does not hold without comparing any. */
static inline uint64_t ev_key_bit(const char *s, size_t n)
{
    return 1ull << ((n * 7u + (n ? (unsigned char)s[0] : 0u)) & 63u);
}

/* 10^k for 0 <= k <= 22, exact doubles. */
static inline double ev_pow10(size_t k)
{
    static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    return p10[k];
}

/* value.c: values */
size_t ev_decode_string(const char *p, size_t n, char *out);
double ev_realval_raw(const EVal *v);  /* a V_REAL R_RAW value not parsed yet */
/* V_REAL as a double (parsed from the line the first time only in parsed
 * containers; a slot's real is read at each use). */
static inline double ev_realval(const EVal *v) { return v->rep != R_RAW || v->pad ? v->u.r : ev_realval_raw(v); }
/* V_INT or V_REAL as a double. */
static inline double ev_num(const EVal *v) { return v->t == V_INT ? (double)v->u.i : ev_realval(v); }
json_t *ev_box(DplEngineState *st, const EVal *v); /* new reference; NULL for missing */
EVal ev_unbox(DplEngineState *st, json_t *j);     /* takes the reference */
const char *ev_article(DplEngineState *st, const EVal *v);
void ev_write(DplEngineState *st, DplBuf *out, const EVal *v);
void ev_put_string(DplBuf *out, const char *s, size_t n); /* a JSON string, as dpl_json_write_string */
/* Whether s[0..n) holds a byte that JSON must escape; reads only those bytes. */
bool ev_needs_escape(const char *s, size_t n);
void ev_write_canonical(DplEngineState *st, DplBuf *out, const EVal *v);
bool ev_equal(DplEngineState *st, const EVal *a, const EVal *b);
EVal ev_walk(DplEngineState *st, EVal v, const DplSegment *segs, size_t i, size_t n);
/* Members of an object value in order (duplicates as they come); fn returns
 * false to stop. */
typedef bool (*MemberFn)(DplEngineState *st, void *ctx, const char *key, size_t klen, bool key_plain, EVal v);
void ev_members(DplEngineState *st, const EVal *obj, MemberFn fn, void *ctx);
/* Whether segs[i..n) exist below v (even as null; [*]: in any element), as
 * eval/presence.c decides. */
bool ev_present(DplEngineState *st, EVal v, const DplSegment *segs, size_t i, size_t n);
/* Elements of an array value (R_RAW, R_LIST, R_JSON) into an arena list. */
const EVal *ev_elements(DplEngineState *st, const EVal *arr, size_t *n);

/* node.c: the parse of an R_RAW array or object, made once per record. */
const RNode *ev_node(DplEngineState *st, const EVal *v);
/* The node of a container of the line from its template t (cut.c) and the
 * line's cuts: the node the parse would make. */
const RNode *ev_node_of(DplEngineState *st, const TEnt *t);
/* The scalar of template entry t in the line, as the parse reads it. */
void ev_scalar_of(DplEngineState *st, const TEnt *t, EVal *out);

/* cut.c.  For the container v of a line read through a shape: its node made
 * from a template (true), or false; then *learn says whether to hand its
 * parse to cut_learn (v starts at the cut *open). */
bool cut_node(DplEngineState *st, const EVal *v, const RNode **node, bool *learn, uint32_t *open);
/* Makes the template of the container just parsed (parsed: its value, node
 * made) for the lines of this shape. */
void cut_learn(DplEngineState *st, uint32_t open, const EVal *parsed);
/* ev_walk's segs[i..n) from the container v, answered from its template
 * without making nodes: true with the value in *out, or false (no
 * template, or the walk reaches a container): walk it the usual way. */
bool cut_walk(DplEngineState *st, const EVal *v, const DplSegment *segs, size_t i, size_t n, EVal *out);
/* The elements of the array v by its template: true with their number. */
bool cut_count(DplEngineState *st, const EVal *v, size_t *n);
void cut_free(DplEngineState *st);

/* An input string with escapes, decoded into the arena (value.c; out of
 * line, so that ev_from_scan's callers keep few registers). */
EVal ev_escaped_string(DplEngineState *st, const char *raw, size_t len, uint8_t canon);

/* A value the scan recorded: a span of the line (built by ev_pack). */
static inline EVal ev_from_scan(DplEngineState *st, const DplScanValue *sv)
{
    static const uint8_t types[] = {V_MISSING, V_NULL, V_FALSE, V_TRUE, V_INT, V_REAL, V_STR, V_ARR, V_OBJ};
    const char *raw = st->line + sv->start;
    const size_t len = sv->len;
    const uint8_t canon = (sv->flags & DPL_SV_CANON) != 0;
    switch (sv->type) {
    case DPL_SV_MISSING: return MISSING;
    case DPL_SV_INT: return ev_pack(V_INT, R_RAW, canon, 0, 0, raw, len, (uint64_t)sv->i);
    case DPL_SV_REAL: /* a short decimal the scanner already read */
        return ev_pack(V_REAL, R_RAW, canon, (sv->flags & DPL_SV_PARSED) != 0, 0, raw, len, (uint64_t)sv->i);
    case DPL_SV_STRING:
        if (sv->flags & DPL_SV_ESCAPED)
            return ev_escaped_string(st, raw, len, canon);
        return ev_pack(V_STR, R_RAW, canon, 0, (uint32_t)(len - 2), raw, len, (uint64_t)(uintptr_t)(raw + 1));
    default: return ev_pack(types[sv->type], R_RAW, canon, 0, 0, raw, len, 0);
    }
}

/* expr.c */
EVal eng_eval(DplEngineState *st, const ENode *n);
/* Sets n->eval from n->kind (compile.c, for every node it makes). */
void eng_bind(ENode *n);
/* A faster n->eval for a binary node whose operands are known (compile.c,
 * once its kids are compiled). */
void eng_bind_binary(ENode *n);
/* The same for a call whose builtin is known. */
void eng_bind_call(ENode *n);
/* The same for a cast of a scan slot. */
void eng_bind_cast(ENode *n);

/* The field named by a one-segment path below the current 'item (a
 * LEAF_ITEM_FIELD node): map and filter bodies read these most. */
static inline EVal ev_item_field(DplEngineState *st, const ENode *n)
{
    const EVal *it = &st->item;
    if (it->t != V_OBJ)
        return MISSING;
    if (it->rep != R_RAW)
        return ev_walk(st, *it, n->path->segs, 0, 1);
    const RNode *node = ev_node(st, it);
    const DplSegment *s = &n->path->segs[0];
    for (uint32_t j = node->n; j-- > 0;) /* the last duplicate wins */
        if (node->keys[j].n == s->name_len && ev_key_eq(node->keys[j].s, s->name, s->name_len))
            return node->vals[j];
    return MISSING;
}

/* A node's value, leaves inline: the parent's call to eng_eval cost more
 * than most leaves themselves. */
static inline EVal ev_operand(DplEngineState *st, const ENode *n)
{
    switch ((NLeaf)n->leaf) {
    case LEAF_CONST: return n->k;
    case LEAF_SLOT: return ev_from_scan(st, &st->vals[n->slot]);
    case LEAF_ITEM_FIELD: return ev_item_field(st, n);
    default: return n->memo ? eng_eval(st, n) : n->eval(st, n);
    }
}

void eng_fail(DplEngineState *st, const DplExpr *e, DplRtCode code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Names the offending value of the error just recorded (as the reference's
 * dpl__eval_blame): operand (NULL allowed) gives the path when it is one. */
void eng_blame(DplEngineState *st, const DplExpr *operand, const EVal *v);
/* Moves the recorded error into res (fallback_path when it names none). */
void eng_collect(DplEngineState *st, DplResult *res, const char *fallback_path);

/* build.c: the add blocks into out's data object; false after adding the
 * errors to res. */
bool eng_build(DplEngineState *st, DplBuf *out, DplResult *res);

/* compile.c */
const char *eng_compile(DplEngine *e, const DplProgram *prog);
/* build.c: the static layout of e's add items, when they have one */
void eng_layout(DplEngine *e);

#endif
