/* fuzz_scan.c — libFuzzer target: differential test of the scanner
 * (scan/scan.h) and the engine that reads with it (engine/) against the
 * reference path (dpl_json_parse + the tree evaluator), the whole input
 * being one record line:
 *   - dpl_scan accepts exactly the lines dpl_json_parse accepts, and each
 *     value it locates is, byte for byte, a JSON text equal to what the tree
 *     finds at that path (same type);
 *   - the engine, on the FIPE example and a plain-path program, prints the
 *     reference evaluator's bytes: the same entity line, the same skip, the
 *     same reject line, the same refusal of invalid JSON
 *     (fuzz_compare_line).  fuzz_engine does the same on many programs and
 *     several lines per input; this target's corpus is single odd lines. */
#include <stdio.h>
#include <string.h>

#include "json/json.h"
#include "scan/scan.h"
#include "tests/fuzz/fuzz_common.h"

/* A second program of plain paths: substitutive, a `using` source path,
 * several sources, quoted keys, nested targets. */
static const char plain_program[] = "substitutive entity \"p\" {\n    k\n    metadata.x\n}\n"
                                    "sources \"a\", \"b\" using metadata.s\n"
                                    "mandatory {\n    v\n    data.\"w x\"\n}\n"
                                    "add {\n    v\n    data.\"w x\" -> wx\n    o.p -> deep.q\n    k\n    metadata.x -> mx\n}\n";

typedef struct {
    FuzzProgram fp;
    DplEngine *engine;
    DplEngineState *st;
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
static DplScanMemo *memo;      /* kept from input to input, as a run keeps it from line to line */
static DplScanMemo *pair_memo; /* a fresh one for each input's two lines */
static size_t slots[NPATHS];

static void init(void)
{
    dpl_util_init();
    fuzz_load_file(&engines[0].fp, "examples/fipe.dpl");
    fuzz_load_text(&engines[1].fp, "plain.dpl", plain_program);
    for (int i = 0; i < 2; i++) {
        const char *why = NULL;
        engines[i].engine = dpl_engine_new(engines[i].fp.prog, &(DplEngineOptions){0}, &why);
        if (!engines[i].engine) {
            fprintf(stderr, "fuzz_scan: the engine refuses program %d: %s\n", i, why);
            abort();
        }
        engines[i].st = dpl_engine_state_new(engines[i].engine);
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
    memo = dpl_scan_memo_new(plan);
}

static void check_scanner(const uint8_t *data, size_t size, const json_t *ref, DplScanMemo *m);

/* One line checked against the tree, through m. */
static void check_line(const uint8_t *data, size_t size, DplScanMemo *m)
{
    json_t *ref = NULL;
    DplJsonError err;
    if (dpl_json_parse((const char *)data, size, &ref, &err) != DPL_JSON_OK)
        ref = NULL;
    check_scanner(data, size, ref, m);
    json_decref(ref);
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

static void check_scanner(const uint8_t *data, size_t size, const json_t *ref, DplScanMemo *m)
{
    size_t nslots = dpl_scan_plan_slots(plan);
    DplScanValue vals[64];
    if (nslots > 64)
        abort();
    bool ok = dpl_scan(plan, m, (const char *)data, size, vals);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!plan)
        init();
    json_t *ref = NULL;
    DplJsonError err;
    if (dpl_json_parse((const char *)data, size, &ref, &err) != DPL_JSON_OK)
        ref = NULL;
    /* without a memo, with the keys of the inputs before, with this one's */
    check_scanner(data, size, ref, NULL);
    check_scanner(data, size, ref, memo);
    check_scanner(data, size, ref, memo);
    /* An input with a newline is also two lines: the second is read
     * through the shape learnt from the first, the neighbour the fuzzer
     * makes of it (internal.h, shapes). */
    const uint8_t *nl = memchr(data, '\n', size);
    if (nl) {
        dpl_scan_memo_free(pair_memo);
        pair_memo = dpl_scan_memo_new(plan);
        size_t first = (size_t)(nl - data);
        check_line(data, first, pair_memo);
        check_line(nl + 1, size - first - 1, pair_memo);
        check_line(data, first, pair_memo);
    }
    json_decref(ref);
    for (int i = 0; i < 2; i++)
        fuzz_compare_line(&engines[i].fp, engines[i].engine, engines[i].st, false, (const char *)data, size, data,
                          size);
    return 0;
}
