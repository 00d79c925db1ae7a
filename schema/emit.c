/* emit.c — writes the JSON Schemas (draft 2020-12) of `dplc schema`: the
 * entity records from the attribute tree (model.c), the accepted input
 * records from the facts (facts.c).  Each property says, in its
 * description, which line of the program writes or proves it. */
#include <stdio.h>
#include <string.h>

#include "schema/internal.h"

#define DRAFT "https://json-schema.org/draft/2020-12/schema"

/* ---- small pieces -------------------------------------------------------------- */

static json_t *jstrn(const char *s, size_t n)
{
    if (dpl_utf8_valid(s, n))
        return json_stringn_nocheck(s, n);
    return json_string("\xEF\xBF\xBD"); /* the lexer only lets valid UTF-8 through */
}

static void set_key(json_t *obj, const char *name, size_t len, json_t *v)
{
    if (dpl_utf8_valid(name, len))
        json_object_setn_new_nocheck(obj, name, len, v);
    else
        json_decref(v); /* no JSON record can have such a key */
}

void dpl__put_types(json_t *o, DplTypes t)
{
    if ((t & DPL_T_ANY) == DPL_T_ANY)
        return;
    json_t *names = json_array();
    if (t & DPL_T_NULL)
        json_array_append_new(names, json_string("null"));
    if (t & DPL_T_BOOL)
        json_array_append_new(names, json_string("boolean"));
    if (t & DPL_T_REAL)
        json_array_append_new(names, json_string("number")); /* covers the integers too */
    else if (t & DPL_T_INT)
        json_array_append_new(names, json_string("integer"));
    if (t & DPL_T_STRING)
        json_array_append_new(names, json_string("string"));
    if (t & DPL_T_ARRAY)
        json_array_append_new(names, json_string("array"));
    if (t & DPL_T_OBJECT)
        json_array_append_new(names, json_string("object"));
    if (json_array_size(names) == 1)
        json_object_set(o, "type", json_array_get(names, 0));
    else
        json_object_set(o, "type", names);
    json_decref(names);
}

const char *dpl__types_text(DplTypes t, char *buf, size_t n)
{
    if ((t & DPL_T_ANY) == DPL_T_ANY || t == 0)
        return "any value";
    static const struct {
        DplTypes t;
        const char *name;
    } parts[] = {{DPL_T_NUMBER, "number"}, {DPL_T_INT, "integer"},  {DPL_T_REAL, "real"},
                 {DPL_T_STRING, "string"}, {DPL_T_BOOL, "boolean"}, {DPL_T_NULL, "null"},
                 {DPL_T_ARRAY, "array"},   {DPL_T_OBJECT, "object"}};
    const char *got[8];
    size_t k = 0;
    DplTypes left = t;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if ((left & parts[i].t) == parts[i].t) {
            left &= ~parts[i].t;
            got[k++] = parts[i].name;
        }
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < k; i++) {
        int w = snprintf(buf + used, n - used, "%s%s", i == 0 ? "" : i + 1 == k ? " or " : ", ", got[i]);
        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
    return buf;
}

const char *dpl__item_text(DplArena *arena, const DplSource *src, DplSpan span)
{
    DplBuf b = {0};
    bool space = false, in_string = false;
    uint32_t end = span.end < src->len ? span.end : (uint32_t)src->len;
    size_t cps = 0;
    for (uint32_t i = span.start; i < end; i++) {
        char ch = src->text[i];
        if (!in_string && ch == '#') { /* a comment inside a multi-line item */
            while (i + 1 < end && src->text[i + 1] != '\n')
                i++;
            space = true;
            continue;
        }
        if (!in_string && (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')) {
            space = true;
            continue;
        }
        if (space && b.len)
            dpl_buf_putc(&b, ' ');
        space = false;
        if (((unsigned char)ch & 0xC0) != 0x80 && ++cps > 80) {
            dpl_buf_puts(&b, "\xE2\x80\xA6"); /* … */
            break;
        }
        if (in_string && ch == '\\' && i + 1 < end) {
            dpl_buf_putc(&b, ch);
            ch = src->text[++i];
        } else if (ch == '"') {
            in_string = !in_string;
        }
        dpl_buf_putc(&b, ch);
    }
    const char *s = dpl_arena_strndup(arena, b.data ? b.data : "", b.len);
    dpl_buf_free(&b);
    return s;
}

static json_t *schema_header(const char *title, const char *what)
{
    json_t *o = json_object();
    json_object_set_new(o, "$schema", json_string(DRAFT));
    json_object_set_new(o, "title", jstrn(title, strlen(title)));
    json_object_set_new(o, "$comment", jstrn(what, strlen(what)));
    return o;
}

static void dump(DplBuf *out, json_t *root)
{
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    if (text) {
        dpl_buf_puts(out, text);
        dpl_free(text); /* json_dumps allocates through dpl_util_init's allocator */
    }
    dpl_buf_putc(out, '\n');
}

static const char *entity_name(const Model *m, size_t *len)
{
    *len = m->entity ? m->entity->u.entity.name_len : 0;
    return m->entity && m->entity->u.entity.name ? m->entity->u.entity.name : "";
}

/* ---- entity records ------------------------------------------------------------------ */

typedef struct {
    const Model *m;
    DplProgram *prog;
    DplArena *arena;
} Emit;

/* "line 19: `valor * 2 -> dobro`" */
static void where(DplBuf *b, const Emit *em, DplSpan span)
{
    DplPos at = dpl_source_locate(em->prog->src, span.start);
    dpl_buf_printf(b, "line %u: `%s`", at.line, dpl__item_text(em->arena, em->prog->src, span));
}

static void describe_attr(const Emit *em, json_t *o, const Attr *a)
{
    DplBuf b = {0};
    if (a->writers.len) {
        dpl_buf_puts(&b, "written by ");
        for (size_t i = 0; i < a->writers.len; i++) {
            if (i)
                dpl_buf_puts(&b, "; ");
            where(&b, em, a->writers.items[i]->span);
        }
    } else {
        dpl_buf_puts(&b, "an object holding the attributes below");
    }
    if (a->parent == em->m->root && em->m->all_item && !a->present) {
        DplPos at = dpl_source_locate(em->prog->src, em->m->all_item->span.start);
        dpl_buf_printf(&b, "; `all` (line %u) may copy any value here", at.line);
    }
    json_object_set_new(o, "description", jstrn(b.data ? b.data : "", b.len));
    dpl_buf_free(&b);
}

static json_t *attr_schema(const Emit *em, const Attr *a)
{
    json_t *o = json_object();
    if (a->parent)
        describe_attr(em, o, a);
    DplTypes t = dpl__attr_types(a);
    dpl__put_types(o, t);
    if (a->nonempty && (t & DPL_T_STRING))
        json_object_set_new(o, "not", json_pack("{s:s}", "const", ""));
    if ((t & DPL_T_ARRAY) && !a->items_any && (a->items & DPL_T_ANY) != DPL_T_ANY) {
        if (a->items == 0) {
            json_object_set_new(o, "items", json_false()); /* only empty arrays are written */
        } else {
            json_t *items = json_object();
            dpl__put_types(items, a->items);
            json_object_set_new(o, "items", items);
        }
    }
    json_t *props = json_object(), *req = json_array();
    size_t live = 0;
    for (size_t i = 0; i < a->kids.len; i++) {
        const Attr *k = a->kids.items[i];
        if (k->gone)
            continue;
        live++;
        set_key(props, k->name, k->len, attr_schema(em, k));
        if (k->present)
            json_array_append_new(req, jstrn(k->name, k->len));
    }
    if (live || !a->parent) {
        json_object_set_new(o, "properties", props);
        if (json_array_size(req))
            json_object_set_new(o, "required", req);
        else
            json_decref(req);
        if (!a->open)
            json_object_set_new(o, "additionalProperties", json_false());
    } else {
        json_decref(props);
        json_decref(req);
    }
    return o;
}

void dpl_schema_output(DplBuf *out, DplProgram *prog)
{
    DplArena *arena = dpl_arena_new();
    Model m;
    dpl__model_build(&m, arena, prog);
    Emit em = {&m, prog, arena};
    size_t nlen;
    const char *name = entity_name(&m, &nlen);

    char *title = dpl_asprintf("%.*s entity records", (int)nlen, name);
    char *what =
        dpl_asprintf("Derived by `dplc schema` from %s: every record `dpl run` emits validates against it.",
                     prog->src->name);
    json_t *root = schema_header(title, what);
    dpl_free(title);
    dpl_free(what);
    json_object_set_new(root, "type", json_string("object"));

    json_t *props = json_object();
    json_t *ent = json_object();
    json_object_set_new(ent, "const", jstrn(name, nlen));
    if (m.entity) {
        DplBuf b = {0};
        dpl_buf_puts(&b, "the entity name, ");
        where(&b, &em, m.entity->u.entity.name_span);
        json_object_set_new(ent, "description", jstrn(b.data, b.len));
        dpl_buf_free(&b);
    }
    json_object_set_new(props, "entity", ent);
    json_object_set_new(props, "id",
                        json_pack("{s:s, s:s, s:s}", "description",
                                  "lowercase hex SHA-256 of the entity name and the keys (spec §7 step 3)",
                                  "type", "string", "pattern", "^[0-9a-f]{64}$"));
    json_t *src = json_object();
    if (m.sources) {
        json_t *names = json_array();
        for (size_t i = 0; i < m.sources->u.sources.nnames; i++)
            json_array_append_new(names,
                                  jstrn(m.sources->u.sources.names[i], m.sources->u.sources.name_lens[i]));
        json_object_set_new(src, "enum", names);
        DplBuf b = {0};
        dpl_buf_puts(&b, "the record's source, one of ");
        where(&b, &em, m.sources->span);
        json_object_set_new(src, "description", jstrn(b.data, b.len));
        dpl_buf_free(&b);
    } else {
        json_object_set_new(src, "type", json_pack("[s, s]", "string", "null"));
        json_object_set_new(
            src, "description",
            json_string("the record's metadata.source; null when it is not a string (no `sources` "
                        "statement filters the records)"));
    }
    json_object_set_new(props, "source", src);
    bool subst = m.entity && m.entity->u.entity.substitutive;
    if (subst)
        json_object_set_new(
            props, "substitutive",
            json_pack("{s:b, s:s}", "const", 1, "description",
                      "a substitutive entity: consumers replace what this source said before"));
    json_t *data = attr_schema(&em, m.root);
    json_object_set_new(data, "description", json_string("the attributes the add blocks write"));
    json_object_set_new(props, "data", data);
    json_object_set_new(root, "properties", props);
    json_t *req = json_pack("[s, s, s]", "entity", "id", "source");
    if (subst)
        json_array_append_new(req, json_string("substitutive"));
    json_array_append_new(req, json_string("data"));
    json_object_set_new(root, "required", req);
    json_object_set_new(root, "additionalProperties", json_false());
    dump(out, root);
    json_decref(root);
    dpl_arena_free(arena);
}

/* ---- accepted input records ------------------------------------------------------------- */

static bool has_present_kid(const FactNode *n)
{
    for (size_t i = 0; i < n->kids.len; i++)
        if (n->kids.items[i]->present)
            return true;
    return false;
}

static json_t *fact_schema(const Emit *em, const FactNode *n)
{
    DplTypes t = n->types;
    if (n->nonnull)
        t &= ~DPL_T_NULL;
    if (has_present_kid(n))
        t &= DPL_T_OBJECT;
    if ((t & DPL_T_ANY) == 0)
        return json_false(); /* the rules contradict each other: nothing is accepted */
    json_t *o = json_object();
    if (n->has_why) {
        DplBuf b = {0};
        dpl_buf_printf(&b, "%s, ", n->why_what ? n->why_what : "used");
        where(&b, em, n->why);
        json_object_set_new(o, "description", jstrn(b.data, b.len));
        dpl_buf_free(&b);
    }
    dpl__put_types(o, t);
    if (n->nenum) {
        json_t *names = json_array();
        for (size_t i = 0; i < n->nenum; i++)
            json_array_append_new(names, jstrn(n->enum_names[i], n->enum_lens[i]));
        json_object_set_new(o, "enum", names);
    }
    if (n->nonempty && (t & DPL_T_STRING))
        json_object_set_new(o, "not", json_pack("{s:s}", "const", ""));
    if (n->kids.len) {
        json_t *props = json_object(), *req = json_array();
        for (size_t i = 0; i < n->kids.len; i++) {
            const FactNode *k = n->kids.items[i];
            set_key(props, k->name, k->len, fact_schema(em, k));
            if (k->present)
                json_array_append_new(req, jstrn(k->name, k->len));
        }
        json_object_set_new(o, "properties", props);
        if (json_array_size(req))
            json_object_set_new(o, "required", req);
        else
            json_decref(req);
    }
    return o;
}

static const FactNode *fact_kid(const FactNode *n, const char *name)
{
    for (size_t i = 0; n && i < n->kids.len; i++)
        if (n->kids.items[i]->len == strlen(name) && memcmp(n->kids.items[i]->name, name, strlen(name)) == 0)
            return n->kids.items[i];
    return NULL;
}

/* In --raw mode metadata is only {"source": NAME}: a rule that needs any
 * other metadata field can never be met. */
static bool raw_impossible(const FactNode *meta)
{
    for (size_t i = 0; meta && i < meta->kids.len; i++) {
        const FactNode *k = meta->kids.items[i];
        if (k->present && !(k->len == 6 && memcmp(k->name, "source", 6) == 0))
            return true;
    }
    return false;
}

void dpl_schema_input(DplBuf *out, DplProgram *prog, bool raw)
{
    DplArena *arena = dpl_arena_new();
    Model m;
    dpl__model_build(&m, arena, prog);
    Emit em = {&m, prog, arena};
    size_t nlen;
    const char *name = entity_name(&m, &nlen);
    const FactNode *root = m.facts.root;
    char *title = dpl_asprintf("records accepted by %s (%.*s)", prog->src->name, (int)nlen, name);
    char *what =
        dpl_asprintf(raw ? "Derived by `dplc schema --input --raw` from %s: every plain value `dpl run "
                           "--raw` accepts (emits an "
                           "entity for) validates against it; `--source` must name one of the sources."
                         : "Derived by `dplc schema --input` from %s: every envelope `dpl run` accepts "
                           "(emits an entity for) "
                           "validates against it.",
                     prog->src->name);
    json_t *schema;
    if (raw) {
        const FactNode *data = fact_kid(root, "data");
        if (raw_impossible(fact_kid(root, "metadata"))) {
            schema = json_false();
        } else {
            json_t *body = data ? fact_schema(&em, data) : json_object();
            if (json_is_false(body)) {
                schema = body;
            } else {
                schema = schema_header(title, what);
                json_object_update(schema, body);
                json_decref(body);
            }
        }
    } else {
        schema = schema_header(title, what);
        json_t *body = fact_schema(&em, root);
        if (json_is_false(body)) {
            json_decref(schema);
            schema = body;
        } else {
            json_object_update(schema, body);
            json_decref(body);
        }
    }
    dpl_free(title);
    dpl_free(what);
    dump(out, schema);
    json_decref(schema);
    dpl_arena_free(arena);
}
