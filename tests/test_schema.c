/* test_schema.c — the schema module (spec §13): what `dplc schema` claims
 * about emitted attributes (types from casts, literals and functions;
 * required only when guaranteed; nested objects; append arrays; `all`),
 * what `--input` requires, and the diagnostics of `dplc compat`. */
#include <criterion/criterion.h>
#include <jansson.h>

#include "check/check.h"
#include "schema/schema.h"

typedef struct {
    DplSource *src;
    DplProgram *prog;
} Prog;

static Prog compile(const char *name, const char *text)
{
    Prog p;
    p.src = dpl_source_new(name, text, strlen(text));
    DplDiagList diags = {0};
    bool ok;
    p.prog = dpl_compile(p.src, &diags, &ok);
    cr_assert(ok, "the test program has errors (%zu diagnostics)", diags.len);
    dpl_diag_list_free(&diags);
    return p;
}

static void release(Prog *p)
{
    dpl_program_free(p->prog);
    dpl_source_free(p->src);
}

static json_t *schema_of(const char *text, int mode) /* 0 output, 1 input, 2 input --raw */
{
    Prog p = compile("t.dpl", text);
    DplBuf b = {0};
    if (mode == 0)
        dpl_schema_output(&b, p.prog);
    else
        dpl_schema_input(&b, p.prog, mode == 2);
    json_error_t err;
    json_t *s = json_loadb(b.data, b.len, JSON_DECODE_ANY, &err);
    cr_assert_not_null(s, "not JSON (%s): %.*s", err.text, (int)b.len, b.data);
    dpl_buf_free(&b);
    release(&p);
    return s;
}

/* The schema of data.NAME (dots walk nested properties). */
static json_t *attr(json_t *s, const char *path)
{
    json_t *cur = json_object_get(json_object_get(s, "properties"), "data");
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *tok = strtok(buf, "."); tok; tok = strtok(NULL, "."))
        cur = json_object_get(json_object_get(cur, "properties"), tok);
    return cur;
}

static bool listed(json_t *arr, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i,
                       v) if (json_is_string(v) && strcmp(json_string_value(v), name) == 0) return true;
    return false;
}

static const char *type_of(json_t *s)
{
    json_t *t = json_object_get(s, "type");
    return json_is_string(t) ? json_string_value(t) : NULL;
}

#define HEAD "entity \"e\" { k }\nsources \"s\", \"t\"\n"

Test(schema, types_from_casts_literals_and_functions)
{
    json_t *s = schema_of(HEAD "add {\n  x as int -> i\n  x as float -> f\n  \"lit\" -> l\n  len(x) -> n\n"
                               "  x -> copied\n  x > 1 -> b\n}\n",
                          0);
    cr_assert_str_eq(type_of(attr(s, "i")), "integer");
    cr_assert_str_eq(type_of(attr(s, "f")), "number");
    cr_assert_str_eq(type_of(attr(s, "l")), "string");
    cr_assert_str_eq(type_of(attr(s, "n")), "integer");
    cr_assert_str_eq(type_of(attr(s, "b")), "boolean");
    cr_assert_null(json_object_get(attr(s, "copied"), "type"), "a copied path can hold any value");
    json_t *desc = json_object_get(attr(s, "i"), "description");
    cr_assert(json_is_string(desc) && strstr(json_string_value(desc), "line 4: `x as int -> i`"),
              "the description names the line that writes it: %s", json_string_value(desc));
    json_decref(s);
}

Test(schema, required_only_when_guaranteed)
{
    json_t *s =
        schema_of(HEAD "mandatory { m }\nadd {\n  m\n  \"lit\" -> l\n  k -> key\n  x -> maybe\n"
                       "  \"y\" -> cond if x == 1\n  upper(m) -> up\n  upper(x) -> up2\n  x ?? 0 -> dflt\n"
                       "  \"z\" -> gone\n  delete gone\n}\n",
                  0);
    json_t *data = json_object_get(json_object_get(s, "properties"), "data");
    json_t *req = json_object_get(data, "required");
    /* a literal, a mandatory path, a key's path, a total function of a
     * mandatory path, a default with ?? */
    cr_assert(listed(req, "m") && listed(req, "l") && listed(req, "key") && listed(req, "up") &&
              listed(req, "dflt"));
    cr_assert(!listed(req, "maybe") && !listed(req, "cond") && !listed(req, "up2") && !listed(req, "gone"));
    cr_assert_null(json_object_get(json_object_get(data, "properties"), "gone"),
                   "deleted attributes are not written");
    json_t *t = json_object_get(attr(s, "dflt"), "type");
    cr_assert(json_is_array(t) && !listed(t, "null"), "x ?? 0 is never null");
    cr_assert(json_is_false(json_object_get(data, "additionalProperties")));
    json_decref(s);
}

Test(schema, nested_targets_append_and_all)
{
    json_t *s = schema_of(HEAD "add {\n  \"a\" -> c.x\n  y -> c.y\n  append split(t, \",\") -> tags\n"
                               "  append [1, 2.5] -> nums\n  split(t, \";\") -> parts\n  t -> copy\n}\n",
                          0);
    json_t *c = attr(s, "c");
    cr_assert_str_eq(type_of(c), "object");
    cr_assert(listed(json_object_get(c, "required"), "x") && !listed(json_object_get(c, "required"), "y"));
    cr_assert(json_is_false(json_object_get(c, "additionalProperties")));
    cr_assert_str_eq(type_of(attr(s, "c.x")), "string");
    cr_assert_str_eq(type_of(attr(s, "tags")), "array");
    cr_assert_str_eq(type_of(json_object_get(attr(s, "tags"), "items")), "string");
    cr_assert_str_eq(type_of(json_object_get(attr(s, "nums"), "items")), "number");
    cr_assert_str_eq(type_of(json_object_get(attr(s, "parts"), "items")), "string", "split gives strings");
    cr_assert_null(json_object_get(attr(s, "copy"), "items"), "a copied array holds anything");
    json_decref(s);

    s = schema_of(HEAD "add {\n  all\n  x as int -> x\n  \"v\" -> v\n  w if w == 1\n}\n", 0);
    json_t *data = json_object_get(json_object_get(s, "properties"), "data");
    cr_assert_null(json_object_get(data, "additionalProperties"),
                   "`all` copies fields the program does not name");
    cr_assert_str_eq(type_of(attr(s, "x")), "integer", "x as int replaces the x that `all` copied");
    cr_assert_null(json_object_get(attr(s, "w"), "type"),
                   "a conditional write after `all` may leave the copy");
    cr_assert(listed(json_object_get(data, "required"), "v"));
    json_decref(s);
}

Test(schema, envelope_fields)
{
    json_t *s = schema_of("substitutive entity \"e\" { k }\nsources \"s\", \"t\"\nadd { k }\n", 0);
    json_t *props = json_object_get(s, "properties");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(props, "entity"), "const")), "e");
    json_t *en = json_object_get(json_object_get(props, "source"), "enum");
    cr_assert(json_array_size(en) == 2 && listed(en, "s") && listed(en, "t"));
    cr_assert(json_is_true(json_object_get(json_object_get(props, "substitutive"), "const")));
    cr_assert(listed(json_object_get(s, "required"), "substitutive"));
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(props, "id"), "pattern")),
                     "^[0-9a-f]{64}$");
    json_decref(s);
    s = schema_of("entity \"e\" { k }\nadd { k }\n", 0); /* no sources: any source, or null */
    json_t *t = json_object_get(json_object_get(json_object_get(s, "properties"), "source"), "type");
    cr_assert(listed(t, "string") && listed(t, "null"));
    json_decref(s);
}

Test(schema, input_requirements)
{
    json_t *s = schema_of(HEAD "mandatory { m\n metadata.lote }\nrequirement {\n  q > 0\n  tipo == \"a\"\n"
                               "  z > 1 or w\n}\nadd { x as int -> x }\n",
                          1);
    json_t *data = json_object_get(json_object_get(s, "properties"), "data");
    json_t *dp = json_object_get(data, "properties");
    json_t *req = json_object_get(data, "required");
    cr_assert(listed(req, "m") && listed(req, "k") && listed(req, "q") && listed(req, "tipo"));
    cr_assert(!listed(req, "z") && !listed(req, "w") && !listed(req, "x"),
              "`or` and add items prove no presence");
    cr_assert_str_eq(type_of(json_object_get(dp, "q")), "number");
    cr_assert_str_eq(type_of(json_object_get(dp, "tipo")), "string");
    json_t *xt = json_object_get(json_object_get(dp, "x"), "type");
    cr_assert(listed(xt, "string") && listed(xt, "number") && !listed(xt, "null") && !listed(xt, "object"),
              "an unconditional `x as int` rejects anything that is not a number or a string");
    json_decref(s);
    /* what both sides of `or` prove holds */
    s = schema_of(HEAD "requirement {\n  t == \"a\" or t == \"b\"\n  u == 1 or u == \"x\"\n}\nadd { k }\n",
                  1);
    /* (`u > 0 or u == "x"` would make u a number: the left side runs first, and "x" > 0 rejects) */
    data = json_object_get(json_object_get(s, "properties"), "data");
    req = json_object_get(data, "required");
    cr_assert(listed(req, "t") && listed(req, "u"));
    cr_assert_str_eq(type_of(json_object_get(json_object_get(data, "properties"), "t")), "string");
    json_t *ut = json_object_get(json_object_get(json_object_get(data, "properties"), "u"), "type");
    cr_assert(json_array_size(ut) == 2 && listed(ut, "number") && listed(ut, "string"));
    json_decref(s);
    s = schema_of(HEAD "mandatory { m\n metadata.lote }\nrequirement {\n  q > 0\n}\nadd { k }\n", 1);
    json_t *meta = json_object_get(json_object_get(s, "properties"), "metadata");
    cr_assert(listed(json_object_get(meta, "required"), "source") &&
              listed(json_object_get(meta, "required"), "lote"));
    json_t *src = json_object_get(json_object_get(meta, "properties"), "source");
    cr_assert_eq(json_array_size(json_object_get(src, "enum")), 2);
    json_decref(s);
    /* --raw: metadata is only {"source": NAME}, so requiring metadata.lote accepts nothing */
    s = schema_of(HEAD "mandatory { metadata.lote }\nadd { k }\n", 2);
    cr_assert(json_is_false(s));
    json_decref(s);
    s = schema_of(HEAD "mandatory { m }\nadd { k }\n", 2);
    cr_assert(listed(json_object_get(s, "required"), "m") && listed(json_object_get(s, "required"), "k"));
    json_decref(s);
}

/* ---- compat ---------------------------------------------------------------- */

static DplDiagList old_d, new_d;

static DplCompatSummary compat(const char *old_text, const char *new_text)
{
    Prog o = compile("old.dpl", old_text), n = compile("new.dpl", new_text);
    dpl_diag_list_free(&old_d);
    dpl_diag_list_free(&new_d);
    DplCompatSummary s = dpl_schema_compat(o.prog, n.prog, &old_d, &new_d);
    release(&o);
    release(&n);
    return s;
}

static bool has(const DplDiagList *l, DplCode code)
{
    for (size_t i = 0; i < l->len; i++)
        if (l->items[i].code == code)
            return true;
    return false;
}

#define BASE HEAD "mandatory { m }\nadd {\n  m\n  x as int -> x\n  \"lit\" -> l\n}\n"

Test(schema, compat_breaks)
{
    DplCompatSummary s = compat(BASE, HEAD "mandatory { m }\nadd {\n  m\n  \"lit\" -> l\n}\n");
    cr_assert(s.breaking == 1 && has(&old_d, DPL_E501) && new_d.len == 0, "a removal points into OLD");
    s = compat(BASE, HEAD "mandatory { m }\nadd {\n  m\n  x as string -> x\n  \"lit\" -> l\n}\n");
    cr_assert(s.breaking == 1 && has(&new_d, DPL_E503));
    s = compat(BASE, HEAD "add {\n  m\n  x as int -> x\n  \"lit\" -> l\n}\n");
    cr_assert(s.breaking == 1 && has(&new_d, DPL_E502), "m left mandatory: not every record has it");
    s = compat(BASE,
               "entity \"f\" { k }\nsources \"s\", \"t\"\nmandatory { m }\nadd {\n  m\n  x as int -> x\n"
               "  \"lit\" -> l\n}\n");
    cr_assert(s.breaking == 1 && has(&new_d, DPL_E504));
    s = compat(BASE,
               "entity \"e\" { data.k }\nsources \"s\", \"t\"\nmandatory { m }\nadd {\n  m\n  x as int -> x\n"
               "  \"lit\" -> l\n}\n");
    cr_assert(s.breaking == 0, "k and data.k are the same key");
    s = compat(BASE,
               "entity \"e\" { k, m }\nsources \"s\", \"t\"\nmandatory { m }\nadd {\n  m\n  x as int -> x\n"
               "  \"lit\" -> l\n}\n");
    cr_assert(s.breaking == 1 && has(&new_d, DPL_E505));
    s = compat(BASE, "entity \"e\" { k }\nsources \"s\"\nmandatory { m }\nadd {\n  m\n  x as int -> x\n"
                     "  \"lit\" -> l\n}\n");
    cr_assert(s.breaking == 1 && has(&old_d, DPL_E506));
}

Test(schema, compat_additions_are_fine)
{
    DplCompatSummary s =
        compat(BASE, "entity \"e\" { k }\nsources \"s\", \"t\", \"u\"\nmandatory { m }\nadd {\n  m\n"
                     "  x as int -> x\n  \"lit\" -> l\n  y -> novo.y\n}\n");
    cr_assert(s.breaking == 0 && old_d.len == 0 && new_d.len == 0);
    cr_assert_eq(s.added, 2, "novo and novo.y");
    cr_assert_eq(s.sources_added, 1);
    s = compat(BASE, HEAD "mandatory { m }\nadd {\n  m\n  x as int -> x\n  l ?? \"lit\" -> l\n}\n");
    cr_assert(s.breaking == 0 && s.widened == 1, "string widened to any non-null value");
    dpl_diag_list_free(&old_d);
    dpl_diag_list_free(&new_d);
}

/* ---- language 1.1 ------------------------------------------------------------- */

Test(schema, where_map_filter)
{
    const char *prog = HEAD
        "where {\n  tipo == \"pago\"\n  valor > 0\n}\n"
        "add {\n  tipo\n  map(itens, qtd as int) -> qtds\n  filter(split(t, \",\"), 'item != \"\") -> tags\n"
        "  map(itens, sku) -> skus\n  type(valor) -> tipoValor\n  cond(x > 1, \"a\", \"b\") -> ab\n"
        "  cond(x > 1, \"a\", y) -> ay\n}\n";
    json_t *s = schema_of(prog, 1);
    json_t *data = json_object_get(json_object_get(s, "properties"), "data");
    json_t *req = json_object_get(data, "required");
    cr_assert(listed(req, "tipo") && listed(req, "valor"),
              "a skipped record is not accepted: `where` must hold");
    json_t *dp = json_object_get(data, "properties");
    cr_assert_str_eq(type_of(json_object_get(dp, "tipo")), "string");
    cr_assert_str_eq(type_of(json_object_get(dp, "valor")), "number");
    json_t *it = json_object_get(json_object_get(dp, "itens"), "type");
    cr_assert(listed(it, "array") && listed(it, "null") && !listed(it, "string"),
              "map reads an array (or null)");
    json_decref(s);

    s = schema_of(prog, 0);
    cr_assert_str_eq(type_of(attr(s, "tipo")), "string");
    cr_assert_str_eq(type_of(attr(s, "qtds")), "array");
    cr_assert_str_eq(type_of(json_object_get(attr(s, "qtds"), "items")), "integer");
    cr_assert_str_eq(type_of(json_object_get(attr(s, "tags"), "items")), "string");
    cr_assert_null(json_object_get(attr(s, "skus"), "items"));
    cr_assert_str_eq(type_of(attr(s, "tipoValor")), "string");
    json_t *req2 = json_object_get(json_object_get(json_object_get(s, "properties"), "data"), "required");
    cr_assert(listed(req2, "tipoValor") && listed(req2, "tipo") && !listed(req2, "qtds"));
    cr_assert(listed(req2, "ab") && !listed(req2, "ay"), "cond is one of its branches");
    json_decref(s);
}

Test(schema, compat_where_is_not_a_break)
{
    DplCompatSummary s =
        compat(HEAD "add {\n  tipo\n  x\n}\n", HEAD "where { tipo == \"a\" }\nadd {\n  tipo\n  x\n}\n");
    cr_assert(s.breaking == 0 && new_d.len == 0 && old_d.len == 0,
              "the same items write the same values; fewer records is no schema break");
    s = compat(HEAD "add {\n  tipo\n}\n", HEAD "add {\n  tipo as string -> tipo\n}\n");
    cr_assert(s.breaking == 1 && has(&new_d, DPL_E503), "a changed item that narrows is a break");
    dpl_diag_list_free(&old_d);
    dpl_diag_list_free(&new_d);
}
