/* fuzz_record.c — libFuzzer target: arbitrary bytes as one input line go
 * through the record reader (dpl_json_parse) and, when it accepts them, the
 * evaluator under examples/fipe.dpl and tests/fuzz/all_builtins.dpl, in
 * envelope and --raw mode, exactly as `dpl run` does.  Properties checked
 * beyond "no crash, no sanitizer finding":
 *   - every line we would print (entity or reject) is itself valid JSON;
 *   - writing a parsed value and parsing it again gives an equal value, and
 *     its canonical form (the identity input) parses too. */
#include <stdio.h>
#include <string.h>

#include "json/json.h"
#include "tests/fuzz/fuzz_common.h"

static FuzzProgram progs[2];

static void must_parse(const DplBuf *b, const uint8_t *data, size_t size, const char *what)
{
    json_t *v = NULL;
    DplJsonError err;
    size_t n = b->len && b->data[b->len - 1] == '\n' ? b->len - 1 : b->len;
    if (dpl_json_parse(b->data ? b->data : "", n, &v, &err) != DPL_JSON_OK)
        fuzz_fail(what, data, size, b->data);
    json_decref(v);
}

/* Like must_parse, but only asks for valid JSON: canonical (RFC 8785) text
 * writes a real such as 4.9e19 as the integer 49223372036854776000, which is
 * JSON although dpl_json_parse refuses integers outside int64 in records. */
static void must_be_json(const DplBuf *b, const uint8_t *data, size_t size, const char *what)
{
    json_error_t err;
    json_t *v = json_loadb(b->data ? b->data : "", b->len, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL,
                           &err);
    if (!v)
        fuzz_fail(what, data, size, b->data);
    json_decref(v);
}

/* Standard base64 to bytes (the input is what dpl_base64_append wrote). */
static size_t unbase64(const char *s, size_t n, uint8_t *out)
{
    size_t len = 0;
    unsigned acc = 0, bits = 0;
    for (size_t i = 0; i < n && s[i] != '='; i++) {
        const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *at = strchr(abc, s[i]);
        acc = (acc << 6) | (unsigned)(at - abc);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[len++] = (uint8_t)(acc >> bits);
        }
    }
    return len;
}

/* Nothing lost, the bytes included: a raw reject gives the line back,
 * through raw_base64 when present, else through raw (a final CR of a CRLF
 * line end aside). */
static void check_bytes_kept(const DplBuf *b, const uint8_t *data, size_t size)
{
    json_t *v = json_loadb(b->data, b->len, JSON_ALLOW_NUL, NULL);
    json_t *raw = json_object_get(v, "raw"), *b64 = json_object_get(v, "raw_base64");
    if (b64) {
        uint8_t *back = dpl_malloc(json_string_length(b64) + 1);
        size_t n = unbase64(json_string_value(b64), json_string_length(b64), back);
        if (n != size || (n && memcmp(back, data, n) != 0))
            fuzz_fail("raw_base64 is not the line's bytes", data, size, b->data);
        dpl_free(back);
    } else {
        size_t want = size && data[size - 1] == '\r' ? size - 1 : size;
        if (!raw || json_string_length(raw) != want || (want && memcmp(json_string_value(raw), data, want) != 0))
            fuzz_fail("a reject without raw_base64 whose raw is not the line", data, size, b->data);
    }
    json_decref(v);
}

static void run_one(const FuzzProgram *fp, json_t *v, bool raw, const uint8_t *data, size_t size)
{
    json_t *env = fuzz_envelope(fp, v, raw);
    DplResult r;
    dpl_result_init(&r);
    dpl_eval_record(fp->ev, env, 7, &r);
    DplBuf out = {0};
    if (r.outcome == DPL_EMIT) {
        dpl_json_write(&out, r.entity);
        must_parse(&out, data, size, "an entity line is not valid JSON");
    } else if (r.outcome == DPL_REJECT) {
        if (r.nerrors == 0)
            fuzz_fail("a reject without errors", data, size, NULL);
        dpl_write_reject_input(&out, fp->src, raw ? "in.ndjson" : NULL, 7, &r, v, NULL, 0);
        must_parse(&out, data, size, "a reject line is not valid JSON");
    }
    dpl_buf_free(&out);
    dpl_result_free(&r);
    if (env != v)
        json_decref(env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!progs[0].ev) {
        dpl_util_init();
        fuzz_load_file(&progs[0], "examples/fipe.dpl");
        fuzz_load_file(&progs[1], "tests/fuzz/all_builtins.dpl");
    }
    const char *text = (const char *)data;
    json_t *v = NULL;
    DplJsonError jerr;
    DplJsonStatus st = dpl_json_parse(text, size, &v, &jerr);
    if (st != DPL_JSON_OK) {
        if (v)
            fuzz_fail("dpl_json_parse failed but returned a value", data, size, NULL);
        /* the reject `dpl run` writes for it: raw text, U+FFFD for bad bytes */
        DplResult r;
        dpl_result_init(&r);
        dpl_result_add_error(&r, st != DPL_JSON_INVALID ? DPL_RT_LIMIT_EXCEEDED : DPL_RT_INVALID_JSON, NULL, NULL,
                             "at column %d: %s", jerr.column, jerr.message);
        DplBuf out = {0};
        dpl_write_reject_input(&out, progs[0].src, NULL, 1, &r, NULL, text, size);
        must_parse(&out, data, size, "an invalid_json reject line is not valid JSON");
        check_bytes_kept(&out, data, size);
        dpl_buf_free(&out);
        dpl_result_free(&r);
        return 0;
    }

    DplBuf w = {0}, c = {0};
    dpl_json_write(&w, v);
    json_t *back = NULL;
    if (dpl_json_parse(w.data, w.len, &back, &jerr) != DPL_JSON_OK || !dpl_json_equal(v, back))
        fuzz_fail("dpl_json_write output does not read back as the same value", data, size, w.data);
    json_decref(back);
    dpl_json_write_canonical(&c, v);
    must_be_json(&c, data, size, "canonical JSON is not valid JSON");
    dpl_buf_free(&w);
    dpl_buf_free(&c);

    for (size_t i = 0; i < 2; i++) {
        run_one(&progs[i], v, false, data, size);
        run_one(&progs[i], v, true, data, size);
    }
    json_decref(v);
    return 0;
}
