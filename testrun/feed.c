/* feed.c — one input line of a test through the evaluator, with the
 * per-line rules of `dpl run` (spec §2, §8): a blank line is not a record,
 * a line that is not JSON is invalid_json (too deep: limit_exceeded), --raw
 * values are wrapped in an envelope, and the evaluator decides the rest.
 *
 * Tests run on the reference evaluator (eval/), the oracle that the fast
 * engines of `dpl run` are checked against byte for byte (tests/engines). */
#include "testrun/internal.h"

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* The errors of a reject as the test compares them. */
static json_t *errors_doc(const DplResult *r)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < r->nerrors; i++) {
        const DplRecError *e = &r->errors[i];
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(dpl_rt_code_name(e->code)));
        if (e->path)
            json_object_set_new(o, "path", json_string(e->path));
        json_object_set_new(o, "message", json_string(e->message ? e->message : ""));
        json_array_append_new(arr, o);
    }
    return arr;
}

void tr_feed_line(const DplEvaluator *ev, bool raw, const char *source, const char *text, size_t len, long line,
                  DplResult *res, Actual *out)
{
    memset(out, 0, sizeof *out);
    if (len && text[len - 1] == '\r')
        len--;
    if (is_blank(text, len)) {
        out->blank = true;
        return;
    }
    dpl_result_clear(res);
    json_t *v = NULL;
    DplJsonError jerr;
    DplJsonStatus st = dpl_json_parse(text, len, &v, &jerr);
    if (st != DPL_JSON_OK) {
        if (st == DPL_JSON_TOO_DEEP)
            dpl_result_add_error(res, DPL_RT_LIMIT_EXCEEDED, NULL, NULL, "%s at column %d", jerr.message, jerr.column);
        else
            dpl_result_add_error(res, DPL_RT_INVALID_JSON, NULL, NULL, "invalid JSON at column %d: %s", jerr.column,
                                 jerr.message);
        out->outcome = DPL_REJECT;
        out->errors = errors_doc(res);
        dpl_result_clear(res);
        return;
    }
    json_t *env = v;
    if (raw) {
        env = json_object();
        json_object_set_nocheck(env, "data", v);
        json_t *md = json_object();
        json_object_set_new_nocheck(md, "source", json_string(source ? source : dpl_eval_default_source(ev)));
        json_object_set_new_nocheck(env, "metadata", md);
    }
    dpl_eval_record(ev, env, line, res);
    out->outcome = res->outcome;
    if (res->outcome == DPL_EMIT)
        out->entity = json_incref(res->entity);
    else if (res->outcome == DPL_REJECT)
        out->errors = errors_doc(res);
    dpl_result_clear(res);
    if (env != v)
        json_decref(env);
    json_decref(v);
}

void tr_actual_clear(Actual *a)
{
    json_decref(a->entity);
    json_decref(a->errors);
    memset(a, 0, sizeof *a);
}
