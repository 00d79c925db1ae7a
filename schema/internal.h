/* internal.h — private to schema/: what the program proves about its input
 * (facts.c), the attributes it writes (model.c), and the JSON Schema
 * writers (emit.c) and comparison (compat.c) built on them.
 *
 * Everything lives in one arena per analysis (SchemaCtx.arena). */
#ifndef DPL_SCHEMA_INTERNAL_H
#define DPL_SCHEMA_INTERNAL_H

#include <jansson.h>

#include "check/check.h"
#include "schema/schema.h"
#include "stdlib/stdlib.h"

/* ---- children by name (index.c) ---------------------------------------------- */

/* Maps (parent, name) to a child node, so that finding an attribute among
 * thousands stays constant time.  Storage lives in the arena. */
typedef struct {
    DplArena *arena;
    struct KidSlot *slots;
    size_t cap, len;
} KidIndex;

/* The child stored for (parent, name), or NULL. */
void *dpl__kid_get(const KidIndex *ix, const void *parent, const char *name, size_t len);
/* Stores (or replaces) the child for (parent, name); name must outlive ix. */
void dpl__kid_put(KidIndex *ix, const void *parent, const char *name, size_t len, void *child);

/* ---- input facts (facts.c) ------------------------------------------------ */

/* One field of the input envelope and what every accepted record has there. */
typedef struct FactNode FactNode;
struct FactNode {
    const char *name;
    size_t len;
    FactNode *parent;
    DPL_VEC(FactNode *) kids;
    bool present;                  /* present in every accepted record */
    bool nonnull;                  /* and not null */
    bool nonempty;                 /* and not "" (mandatory) */
    DplTypes types;                /* the types it may have when present */
    const char *const *enum_names; /* the source filter: one of these strings */
    const size_t *enum_lens;
    size_t nenum;
    DplSpan why;          /* the first rule that proved something here */
    const char *why_what; /* "mandatory", "entity key", ... */
    bool has_why;
};

typedef struct {
    DplArena *arena;
    DplProgram *prog;
    FactNode *root; /* the envelope; kids `data` and `metadata` */
    KidIndex index;
    bool has_sources; /* a `sources` statement filters the records */
} Facts;

/* An absolute input path: field segments from the envelope root, and
 * whether more (an index or [*]) followed them. */
typedef struct {
    const DplSegment *segs[64];
    const char *names[64];
    size_t lens[64];
    size_t n;
    bool indexed; /* an index or [*] followed the fields */
    bool star;    /* a [*] is among the segments (the value is an array) */
    bool known;   /* false: not an input path ('item, deeper than 64, ...) */
} AbsPath;

/* Analyses every rule of prog; the facts live in arena. */
void dpl__facts_build(Facts *f, DplArena *arena, DplProgram *prog);
/* p read inside `add from` (NULL: none) as an absolute path. */
AbsPath dpl__abs_path(const DplPath *from, const DplPath *p);
/* The node of an absolute field path, or NULL when nothing is known. */
const FactNode *dpl__facts_find(const Facts *f, const AbsPath *ap);
/* e (read inside `add from`) never evaluates to missing in an accepted record. */
bool dpl__never_missing(const Facts *f, const DplPath *from, const DplExpr *e);
/* The types e may have in an accepted record: the checker's set, narrowed
 * by the facts for paths. */
DplTypes dpl__value_types(const Facts *f, const DplPath *from, DplExpr *e);
/* The types of the elements of the arrays e may yield (DPL_T_ANY when
 * unknown). */
DplTypes dpl__elem_types(const Facts *f, const DplPath *from, DplExpr *e);
/* e is never "" (a mandatory path copied as it is). */
bool dpl__never_empty(const Facts *f, const DplPath *from, const DplExpr *e);

/* ---- written attributes (model.c) -------------------------------------------- */

typedef struct Attr Attr;
struct Attr {
    const char *name;
    size_t len;
    Attr *parent;
    DPL_VEC(Attr *) kids;                /* in order of first write; removed ones are skipped */
    bool gone;                           /* deleted (a later write makes a new node) */
    bool present;                        /* written in every emitted record */
    DplTypes types;                      /* types of the values written to it (ARRAY for append) */
    bool container;                      /* a dotted target wrote below it: an object */
    bool open;                           /* may hold keys the program does not name */
    bool appended;                       /* `append` wrote it */
    DplTypes items;                      /* element types of the arrays written or appended */
    bool items_any;                      /* elements the program does not know (copied arrays) */
    bool nonempty;                       /* never "" */
    bool copied;                         /* `all` may have copied a field of this name here */
    DPL_VEC(const DplAddItem *) writers; /* the items that may have written the value */
    DPL_VEC(const DplPath *) froms;      /* the `add from` path of each writer (NULL: none) */
};

typedef struct {
    Facts facts;
    Attr *root; /* the data object */
    KidIndex index;
    const DplStmt *entity, *sources;
    const DplAddItem *all_item; /* the first `all`, or NULL */
    AbsPath all_base;           /* what every `all` so far copied from (known false: differing) */
} Model;

/* Builds the facts and the attribute tree of a checked program in arena. */
void dpl__model_build(Model *m, DplArena *arena, DplProgram *prog);
/* The JSON types an attribute may have: its written types, and object when
 * a dotted target wrote below it. */
DplTypes dpl__attr_types(const Attr *a);
/* The item that best locates the attribute (its first writer, or the first
 * writer below it), or NULL. */
const DplAddItem *dpl__attr_item(const Attr *a);
/* "a.b.c" for messages (arena). */
const char *dpl__attr_path(DplArena *arena, const Attr *a);
/* The live children (not deleted) of a, by name, or NULL. */
Attr *dpl__attr_kid(const Attr *a, const char *name, size_t len);

/* ---- JSON Schema pieces (emit.c) ------------------------------------------------- */

/* Sets "type" on o for the type set t (nothing for DPL_T_ANY). */
void dpl__put_types(json_t *o, DplTypes t);
/* "integer", "string or null", "any value": a type set for messages. */
const char *dpl__types_text(DplTypes t, char *buf, size_t n);
/* The item's source text on one line, cut to about 80 characters (arena). */
const char *dpl__item_text(DplArena *arena, const DplSource *src, DplSpan span);

#endif
