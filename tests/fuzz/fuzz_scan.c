/* fuzz_scan.c — libFuzzer target: differential test of the fast scanner
 * engine (scan/scan.h) against the reference path (dpl_json_parse + the
 * tree evaluator) on arbitrary input lines:
 *   - dpl_scan accepts exactly the lines dpl_json_parse accepts, and each
 *     value it locates is, byte for byte, a JSON text equal to what the tree
 *     finds at that path (same type);
 *   - the direct engine either defers (FALLBACK) or decides exactly as the
 *     tree does: SKIP only when the tree skips, EMIT only when the tree
 *     emits, with output bytes identical to dpl_json_write's plus '\n'. */
#include <stdio.h>

#include "json/json.h"
#include "scan/scan.h"
#include "tests/fuzz/fuzz_common.h"

/* A second plain-path program the direct engine takes: substitutive, a
 * `using` source path, several sources, quoted keys, nested targets. */
static const char plain_program[] = "substitutive entity \"p\" {\n    k\n    metadata.x\n}\n"
                                    "sources \"a\", \"b\" using metadata.s\n"
                                    "mandatory {\n    v\n    data.\"w x\"\n}\n"
                                    "add {\n    v\n    data.\"w x\" -> wx\n    o.p -> deep.q\n    k\n    metadata.x -> mx\n}\n";

typedef struct {
    FuzzProgram fp;
    DplDirect *direct;
    DplDirectState *st;
} Engine;

static Engine engines[2];

/* Paths the scanner is asked to locate, from the record's root. */
static const char *const plan_paths[][4] = {
    {"data", NULL},           {"data", "k", NULL},   {"data", "v", NULL},        {"data", "w x", NULL},
    {"data", "o", "p", NULL}, {"metadata", NULL},    {"metadata", "s", NULL},    {"metadata", "source", NULL},
    {"data", "", NULL},       {"data", "a", NULL},   {"data", "marca", NULL},    {"metadata", "input", "modelo", NULL},
};
enum { NPATHS = sizeof plan_paths / sizeof plan_paths[0] };
static DplScanPlan *plan;
static size_t slots[NPATHS];

static void init(void)
{
    dpl_util_init();
    fuzz_load_file(&engines[0].fp, "examples/fipe.dpl");
    fuzz_load_text(&engines[1].fp, "plain.dpl", plain_program);
    for (int i = 0; i < 2; i++) {
        const char *why = NULL;
        engines[i].direct = dpl_direct_new(engines[i].fp.prog, &why);
        if (!engines[i].direct) {
            fprintf(stderr, "fuzz_scan: program %d is not direct-eligible: %s\n", i, why);
            abort();
        }
        engines[i].st = dpl_direct_state_new(engines[i].direct);
    }
    plan = dpl_scan_plan_new();
    for (size_t i = 0; i < NPATHS; i++) {
        size_t n = 0, lens[4];
        while (plan_paths[i][n]) {
            lens[n] = strlen(plan_paths[i][n]);
            n++;
        }
        slots[i] = dpl_scan_plan_add(plan, plan_paths[i], lens, n);
    }
    dpl_scan_plan_freeze(plan);
}

static DplScanType type_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_NULL: return DPL_SV_NULL;
    case JSON_FALSE: return DPL_SV_FALSE;
    case JSON_TRUE: return DPL_SV_TRUE;
    case JSON_INTEGER: return DPL_SV_INT;
    case JSON_REAL: return DPL_SV_REAL;
    case JSON_STRING: return DPL_SV_STRING;
    case JSON_ARRAY: return DPL_SV_ARRAY;
    default: return DPL_SV_OBJECT;
    }
}

static void check_scanner(const uint8_t *data, size_t size, const json_t *ref)
{
    size_t nslots = dpl_scan_plan_slots(plan);
    DplScanValue vals[64];
    if (nslots > 64)
        abort();
    bool ok = dpl_scan(plan, (const char *)data, size, vals);
    if (ok != (ref != NULL))
        fuzz_fail(ok ? "dpl_scan accepts a line dpl_json_parse rejects" : "dpl_scan rejects a line dpl_json_parse accepts",
                  data, size, NULL);
    if (!ok)
        return;
    for (size_t i = 0; i < NPATHS; i++) {
        const json_t *v = ref;
        for (size_t k = 0; v && plan_paths[i][k]; k++)
            v = json_is_object(v) ? json_object_getn(v, plan_paths[i][k], strlen(plan_paths[i][k])) : NULL;
        const DplScanValue *sv = &vals[slots[i]];
        if (!v) {
            if (sv->type != DPL_SV_MISSING)
                fuzz_fail("dpl_scan finds a value the tree does not have", data, size, plan_paths[i][1]);
            continue;
        }
        if (sv->type != type_of(v))
            fuzz_fail("dpl_scan reports another type than the tree", data, size, plan_paths[i][1]);
        json_t *got = NULL;
        DplJsonError err;
        if (sv->start > size || sv->len > size - sv->start ||
            dpl_json_parse((const char *)data + sv->start, sv->len, &got, &err) != DPL_JSON_OK ||
            !dpl_json_equal(got, v))
            fuzz_fail("the bytes dpl_scan located are not the tree's value", data, size, plan_paths[i][1]);
        json_decref(got);
    }
}

static void check_direct(Engine *e, const uint8_t *data, size_t size, json_t *ref)
{
    DplBuf fast = {0};
    DplDirectOutcome o = dpl_direct_record(e->direct, e->st, (const char *)data, size, &fast);
    if (o == DPL_DIRECT_FALLBACK) {
        if (fast.len)
            fuzz_fail("direct engine wrote output and then deferred", data, size, fast.data);
        dpl_buf_free(&fast);
        return;
    }
    if (!ref)
        fuzz_fail("direct engine decided a line that is not valid JSON", data, size, fast.data);
    DplResult r;
    dpl_result_init(&r);
    dpl_eval_record(e->fp.ev, ref, 1, &r);
    if (o == DPL_DIRECT_SKIP && r.outcome != DPL_SKIP)
        fuzz_fail("direct engine skips a record the tree does not skip", data, size, NULL);
    if (o == DPL_DIRECT_EMIT) {
        if (r.outcome != DPL_EMIT)
            fuzz_fail("direct engine emits a record the tree does not emit", data, size, fast.data);
        DplBuf tree = {0};
        dpl_json_write(&tree, r.entity);
        dpl_buf_putc(&tree, '\n');
        if (tree.len != fast.len || memcmp(tree.data, fast.data, fast.len) != 0) {
            char *both = dpl_asprintf("direct: %.*stree:   %s", (int)fast.len, fast.data, tree.data);
            fuzz_fail("direct engine output differs from the tree's", data, size, both);
        }
        dpl_buf_free(&tree);
    }
    dpl_result_free(&r);
    dpl_buf_free(&fast);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!plan)
        init();
    json_t *ref = NULL;
    DplJsonError err;
    if (dpl_json_parse((const char *)data, size, &ref, &err) != DPL_JSON_OK)
        ref = NULL;
    check_scanner(data, size, ref);
    for (int i = 0; i < 2; i++)
        check_direct(&engines[i], data, size, ref);
    json_decref(ref);
    return 0;
}
