/* compare.c — an expectation against what a record actually gave, and the
 * two JSON documents a failure shows as a diff.
 *
 * Both sides are reduced to what the expectation speaks about (an omitted
 * `id`, the attributes of `emit partial`, the path and message of a reject
 * only when given) and the expected side takes the actual side's key order,
 * so the diff shows only real differences, key against key.  Numbers compare
 * with their type: 1 and 1.0 differ, as they do in `dpl run`'s output. */
#include "testrun/internal.h"

json_t *dpl_test_align(const json_t *expected, const json_t *actual)
{
    if (json_is_object(expected) && json_is_object(actual)) {
        json_t *out = json_object();
        const char *k;
        json_t *av;
        json_object_foreach((json_t *)actual, k, av)
        {
            json_t *ev = json_object_get(expected, k);
            if (ev)
                json_object_set_new(out, k, dpl_test_align(ev, av));
        }
        json_t *ev;
        json_object_foreach((json_t *)expected, k, ev)
        {
            if (!json_object_get(actual, k))
                json_object_set_new(out, k, json_deep_copy(ev));
        }
        return out;
    }
    if (json_is_array(expected) && json_is_array(actual)) {
        json_t *out = json_array();
        for (size_t i = 0; i < json_array_size(expected); i++) {
            const json_t *ev = json_array_get(expected, i);
            const json_t *av = json_array_get(actual, i);
            json_array_append_new(out, av ? dpl_test_align(ev, av) : json_deep_copy(ev));
        }
        return out;
    }
    return json_deep_copy(expected);
}

json_t *dpl_test_project(const json_t *expected, const json_t *actual)
{
    if (!actual)
        return NULL;
    if (json_is_object(expected) && json_is_object(actual)) {
        json_t *out = json_object();
        const char *k;
        json_t *av;
        json_object_foreach((json_t *)actual, k, av)
        {
            json_t *ev = json_object_get(expected, k);
            if (ev)
                json_object_set_new(out, k, dpl_test_project(ev, av));
        }
        return out;
    }
    if (json_is_array(expected) && json_is_array(actual)) {
        json_t *out = json_array();
        for (size_t i = 0; i < json_array_size(actual); i++) {
            const json_t *ev = json_array_get(expected, i);
            const json_t *av = json_array_get(actual, i);
            json_array_append_new(out, ev ? dpl_test_project(ev, av) : json_deep_copy(av));
        }
        return out;
    }
    return json_deep_copy(actual);
}

static json_t *wrap(const char *key, json_t *v)
{
    json_t *o = json_object();
    json_object_set_new(o, key, v);
    return o;
}

json_t *tr_outcome_doc(const Actual *act)
{
    if (act->blank)
        return wrap("blank", json_string("a blank line is not a record"));
    switch (act->outcome) {
    case DPL_EMIT: return wrap("emitted", json_deep_copy(act->entity));
    case DPL_REJECT: return wrap("rejected", json_deep_copy(act->errors));
    case DPL_SKIP: break;
    }
    return wrap("skipped", json_true());
}

/* The expectation as a reject error object: what it names, nothing more. */
static json_t *expected_error(const Expect *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(dpl_rt_code_name(e->code)));
    if (e->path)
        json_object_set_new(o, "path", json_string(e->path));
    if (e->message)
        json_object_set_new(o, "message", json_string(e->message));
    return o;
}

static bool error_matches(const Expect *e, const json_t *err)
{
    if (strcmp(json_string_value(json_object_get(err, "code")), dpl_rt_code_name(e->code)) != 0)
        return false;
    const char *path = json_string_value(json_object_get(err, "path"));
    if (e->path && (!path || strcmp(path, e->path) != 0))
        return false;
    const char *msg = json_string_value(json_object_get(err, "message"));
    return !e->message || (msg && strstr(msg, e->message));
}

static json_t *expected_doc(const Expect *exps, size_t n)
{
    switch (exps[0].kind) {
    case EXP_EMIT: return wrap("emitted", json_deep_copy(exps[0].value));
    case EXP_SKIP: return wrap("skipped", json_true());
    case EXP_REJECT: break;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, expected_error(&exps[i]));
    return wrap("rejected", arr);
}

static bool compare_emit(const Expect *e, const json_t *entity, json_t **expected, json_t **actual)
{
    json_t *av;
    if (e->partial) {
        av = dpl_test_project(e->value, entity);
    } else {
        av = json_deep_copy(entity);
        if (!json_object_get(e->value, "id"))
            json_object_del(av, "id");
    }
    json_t *ev = dpl_test_align(e->value, av);
    bool ok = json_equal(ev, av);
    *expected = wrap("emitted", ev);
    *actual = wrap("emitted", av);
    return ok;
}

/* Pairs expected errors with actual ones (exact matches first, then the
 * same code), so that the diff lines up error against error. */
static bool compare_reject(const Expect *exps, size_t n, const json_t *errors, json_t **expected, json_t **actual)
{
    size_t na = json_array_size(errors);
    long *pair_of_actual = dpl_malloc((na + 1) * sizeof *pair_of_actual); /* expectation index or -1 */
    bool *used = dpl_calloc(n + 1, sizeof *used);
    bool *exact = dpl_calloc(na + 1, sizeof *exact);
    for (size_t i = 0; i < na; i++)
        pair_of_actual[i] = -1;
    size_t matched = 0;
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < na; i++)
            if (pair_of_actual[i] < 0 && error_matches(&exps[j], json_array_get(errors, i))) {
                pair_of_actual[i] = (long)j;
                used[j] = exact[i] = true;
                matched++;
                break;
            }
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < na && !used[j]; i++)
            if (pair_of_actual[i] < 0 &&
                strcmp(json_string_value(json_object_get(json_array_get(errors, i), "code")),
                       dpl_rt_code_name(exps[j].code)) == 0) {
                pair_of_actual[i] = (long)j;
                used[j] = true;
            }
    json_t *ev = json_array(), *av = json_array();
    for (size_t i = 0; i < na; i++) {
        json_t *err = json_array_get(errors, i);
        json_array_append_new(av, json_deep_copy(err));
        long j = pair_of_actual[i];
        if (j < 0)
            continue;
        json_t *x;
        if (exact[i]) {
            x = json_deep_copy(err); /* it holds: show it as context */
        } else {
            x = expected_error(&exps[j]);
            /* what the expectation did not name is not a difference */
            if (!exps[j].path && json_object_get(err, "path"))
                json_object_set(x, "path", json_object_get(err, "path"));
            if (!exps[j].message)
                json_object_set(x, "message", json_object_get(err, "message"));
            json_t *aligned = dpl_test_align(x, err);
            json_decref(x);
            x = aligned;
        }
        json_array_append_new(ev, x);
    }
    for (size_t j = 0; j < n; j++)
        if (!used[j])
            json_array_append_new(ev, expected_error(&exps[j]));
    *expected = wrap("rejected", ev);
    *actual = wrap("rejected", av);
    dpl_free(pair_of_actual);
    dpl_free(used);
    dpl_free(exact);
    return matched == n && n == na;
}

bool tr_compare(const Expect *exps, size_t n, const Actual *act, json_t **expected, json_t **actual)
{
    ExpKind k = exps[0].kind;
    if (!act->blank) {
        if (k == EXP_EMIT && act->outcome == DPL_EMIT)
            return compare_emit(&exps[0], act->entity, expected, actual);
        if (k == EXP_REJECT && act->outcome == DPL_REJECT)
            return compare_reject(exps, n, act->errors, expected, actual);
        if (k == EXP_SKIP && act->outcome == DPL_SKIP) {
            *expected = *actual = NULL;
            return true;
        }
    }
    *expected = expected_doc(exps, n);
    *actual = tr_outcome_doc(act);
    return false;
}
