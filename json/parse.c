/* parse.c — one JSON value per record: jansson does the parsing; we add the
 * nesting limit (checked without recursion), reject raw NUL bytes and turn
 * jansson's errors into a message and a 1-based column (code points). */
#include <stdio.h>
#include <string.h>

#include "json/json.h"

static void set_error(DplJsonError *err, DplJsonStatus st, int column, const char *msg)
{
    if (!err)
        return;
    err->status = st;
    err->column = column;
    snprintf(err->message, sizeof err->message, "%s", msg);
}

/* 1-based column of text[pos] within its line, in code points like the
 * program diagnostics (an editor's column, not a byte offset). */
static int column_of(const char *text, size_t pos)
{
    size_t start = pos;
    while (start > 0 && text[start - 1] != '\n')
        start--;
    return (int)dpl_utf8_count(text + start, pos - start) + 1;
}

/* One linear pass before jansson sees the text: jansson recurses once per
 * nesting level, so a line of a million '[' must be refused here, before it
 * can exhaust the stack.  The same pass refuses raw NUL bytes, which jansson
 * silently treats as end of input after a complete value ("1\0x"). */
static DplJsonStatus prescan(const char *text, size_t len, DplJsonError *err)
{
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\0') {
            set_error(err, DPL_JSON_INVALID, column_of(text, i), "NUL byte in input");
            return DPL_JSON_INVALID;
        }
        if (in_string) {
            if (c == '\\' && i + 1 < len && text[i + 1] != '\0')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > DPL_JSON_MAX_DEPTH) {
                char msg[80];
                snprintf(msg, sizeof msg, "nesting deeper than %d levels", DPL_JSON_MAX_DEPTH);
                set_error(err, DPL_JSON_TOO_DEEP, column_of(text, i), msg);
                return DPL_JSON_TOO_DEEP;
            }
        } else if (c == ']' || c == '}') {
            /* Unbalanced closers are jansson's to report; never go below 0 so
             * "]]][[[" cannot hide real depth. */
            if (depth > 0)
                depth--;
        }
    }
    return DPL_JSON_OK;
}

DplJsonStatus dpl_json_parse(const char *text, size_t len, json_t **out, DplJsonError *err)
{
    *out = NULL;
    if (err) {
        err->status = DPL_JSON_OK;
        err->column = 0;
        err->message[0] = '\0';
    }
    DplJsonStatus st = prescan(text, len, err);
    if (st != DPL_JSON_OK)
        return st;

    json_error_t je;
    json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (v) {
        *out = v;
        return DPL_JSON_OK;
    }
    /* jansson's position is the byte count consumed, i.e. the 1-based byte
     * offset of the last byte of the offending token. */
    size_t pos = je.position > 0 ? (size_t)je.position - 1 : 0;
    int column = pos < len ? column_of(text, pos) : len ? column_of(text, len - 1) + 1 : 1;
    if (json_error_code(&je) == json_error_null_byte_in_key) {
        /* jansson cannot hold NUL in an object key (json_object_set takes a
         * C string), so this valid JSON is a limit, said plainly. */
        set_error(err, DPL_JSON_NUL_KEY, column,
                  "an object key holds \\u0000 (NUL), which DPL records cannot hold (valid JSON; a documented "
                  "limit, docs/limits.md)");
        return DPL_JSON_NUL_KEY;
    }
    st = json_error_code(&je) == json_error_stack_overflow ? DPL_JSON_TOO_DEEP : DPL_JSON_INVALID;
    set_error(err, st, column, je.text);
    return st;
}
