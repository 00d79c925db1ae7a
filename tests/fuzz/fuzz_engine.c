/* fuzz_engine.c — libFuzzer target: the engine (engine/) against the
 * reference evaluator (eval/) on random programs × records.
 *
 * Input: PROGRAM NUL RECORDS — the bytes before the first NUL are a DPL
 * program (used when it compiles without errors), the lines after it are
 * records.  Without a NUL, the whole input is records, run under a fixed
 * set of programs (the examples, tests/fuzz/all_builtins.dpl and a few
 * inline ones using `all`, `delete`, `append`, `from`, indexes and `[*]`).
 * Every record runs in envelope and --raw mode through both engines; the
 * outcome and the bytes `dpl run` would print (the entity line, or the
 * reject line) must be identical (fuzz_compare_lines).  One input in
 * eight (by its first byte) also runs its first lines in turn through one
 * state, long enough for the state to learn shapes, cuts and templates, in
 * envelope mode under the fipe example, the first inline program (`all`
 * and `[*]`) and the input's own program: each line's bytes must stay what
 * a new state prints for it (fuzz_compare_warm). */
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "engine/engine.h"
#include "json/json.h"
#include "tests/fuzz/fuzz_common.h"

static const char *const inline_programs[] = {
    "entity \"e\" { data.id }\n"
    "add { all\n delete secret\n nome -> name\n lower(nome) -> n2 if exists(nome)\n"
    " overwrite id as string -> id\n append tags -> tags\n append tag -> tags\n itens[*].sku -> skus\n"
    " sum(itens[*].qty) -> total\n itens[0] -> first\n itens[-1].sku -> last\n x.y -> a.b.c\n 'id -> myid\n}\n"
    "add from meta { all\n src -> origem\n}\n",
    "sources \"a\", \"b\" using metadata.kind\nentity \"k\" { concat(upper(trim(a)), \"-\", b as string) }\n"
    "mandatory { a }\nrequirement { len(a) > 1 or b == 3\n c > 0 }\n"
    "add { a ?? b -> v\n b * 2 + 1 -> w\n b / 3 -> x\n b % 2 -> y\n round(c, 1) -> z\n -b -> nb\n"
    " not (c > 1) -> nc\n [a, b, c] -> arr\n coalesce(d, c, b) -> co\n c as int -> ci\n a as float -> af\n"
    " abs(c) -> ab\n avg([b, c]) -> av\n digits(a) -> dg\n starts_with(a, \"x\") -> sw\n contains(a, \"y\") -> cy\n"
    " 'source -> s\n 'line -> l\n 'entity -> en\n}\n",
    "entity \"f\" { data }\nadd from itens[0] { all\n sku\n}\nadd { delete sku\n itens[*] -> all_items\n}\n",
};

static DplEngine *engines[16][2];
static FuzzProgram fixed[16];
static bool fixed_warm[16]; /* run by fuzz_compare_warm too */
static size_t nfixed;

static void init_fixed(void)
{
    static const char *const files[] = {"examples/fipe.dpl", "examples/orders.dpl", "examples/people.dpl",
                                        "tests/fuzz/all_builtins.dpl"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        fixed_warm[nfixed] = i == 0; /* fipe: plain paths */
        fuzz_load_file(&fixed[nfixed++], files[i]);
    }
    for (size_t i = 0; i < sizeof inline_programs / sizeof *inline_programs; i++) {
        fixed_warm[nfixed] = i == 0; /* `all`, `[*]`, indexes: containers of the slots */
        fuzz_load_text(&fixed[nfixed++], "inline.dpl", inline_programs[i]);
    }
    for (size_t i = 0; i < nfixed; i++)
        for (int raw = 0; raw < 2; raw++) {
            DplEngineOptions o = {.raw = raw};
            /* NULL when the program uses a construct the engine does not
             * compile (the run path gives it to the reference then) */
            engines[i][raw] = dpl_engine_new(fixed[i].prog, &o, NULL);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        dpl_util_init();
        init_fixed();
        ready = true;
    }
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    const bool warm = size > 0 && (data[0] & 7) == 0;
    if (!nul) {
        for (size_t i = 0; i < nfixed; i++)
            for (int raw = 0; raw < 2; raw++)
                if (engines[i][raw])
                    fuzz_compare_lines(&fixed[i], engines[i][raw], raw, text, size, data, size);
        for (size_t i = 0; warm && i < nfixed; i++)
            if (fixed_warm[i] && engines[i][0])
                fuzz_compare_warm(engines[i][0], text, size, data, size);
        return 0;
    }
    size_t plen = (size_t)(nul - text);
    DplSource *src = dpl_source_new("p.dpl", text, plen);
    DplDiagList d = {0};
    bool ok = false;
    DplProgram *prog = dpl_compile(src, &d, &ok);
    dpl_diag_list_free(&d);
    if (ok) {
        FuzzProgram fp = {src, prog, dpl_eval_new(prog)};
        for (int raw = 0; raw < 2; raw++) {
            DplEngineOptions o = {.raw = raw};
            DplEngine *e = dpl_engine_new(prog, &o, NULL);
            if (e)
                fuzz_compare_lines(&fp, e, raw, nul + 1, size - plen - 1, data, size);
            if (e && warm && !raw)
                fuzz_compare_warm(e, nul + 1, size - plen - 1, data, size);
            dpl_engine_free(e);
        }
        dpl_eval_free(fp.ev);
    }
    dpl_program_free(prog);
    dpl_source_free(src);
    return 0;
}
