/* builtins.c — the one table of builtins: name, arity, argument and result
 * types, missing-handling and implementation.  The checker (E303/E304/E305)
 * and the evaluator both read this table. */
#include <string.h>

#include "stdlib/impl.h"

#define STR DPL_T_STRING
#define NUM DPL_T_NUMBER
#define ARR DPL_T_ARRAY
#define ANY DPL_T_ANY
#define SCALAR (DPL_T_STRING | DPL_T_NUMBER | DPL_T_BOOL | DPL_T_NULL)

/* Null arguments: for the functions that do not see missing, a JSON null
 * where a string, number or array is required yields missing, like a missing
 * argument (null means "no value" in records); other wrong types are a
 * type_error.  contains(arr, null) looks for a null element; concat, join
 * and coalesce skip nulls. */
const DplBuiltin dpl_std_builtins[] = {
    /* name, min, max, params, rest, result, sees_missing, arg_rule, fn, doc */
    {"len", 1, 1, {STR | ARR | DPL_T_OBJECT}, 0, DPL_T_INT, false, DPL_ARGS_ANY, dpl_std_len,
     "len(x): code points of a string, elements of an array, keys of an object"},
    {"sum", 1, 1, {ARR}, 0, NUM, false, DPL_ARGS_ANY, dpl_std_sum,
     "sum(arr): sum of the numbers (0 when empty; an integer when all are integers)"},
    {"min", 1, 1, {ARR}, 0, NUM, false, DPL_ARGS_ANY, dpl_std_min, "min(arr): smallest number, missing when empty"},
    {"max", 1, 1, {ARR}, 0, NUM, false, DPL_ARGS_ANY, dpl_std_max, "max(arr): largest number, missing when empty"},
    {"avg", 1, 1, {ARR}, 0, DPL_T_REAL, false, DPL_ARGS_ANY, dpl_std_avg, "avg(arr): mean of the numbers, missing when empty"},
    {"lower", 1, 1, {STR}, 0, STR, false, DPL_ARGS_ANY, dpl_std_lower, "lower(s): lower case (the simple mappings of all of Unicode)"},
    {"upper", 1, 1, {STR}, 0, STR, false, DPL_ARGS_ANY, dpl_std_upper, "upper(s): upper case (the simple mappings of all of Unicode)"},
    {"trim", 1, 1, {STR}, 0, STR, false, DPL_ARGS_ANY, dpl_std_trim, "trim(s): without leading and trailing white space"},
    {"digits", 1, 1, {STR}, 0, STR, false, DPL_ARGS_ANY, dpl_std_digits, "digits(s): only the ASCII digits of s"},
    {"replace", 3, 3, {STR, STR, STR}, 0, STR, false, DPL_ARGS_ANY, dpl_std_replace,
     "replace(s, old, new): every occurrence of old replaced by new"},
    {"split", 2, 2, {STR, STR}, 0, ARR, false, DPL_ARGS_ANY, dpl_std_split, "split(s, sep): array of the parts of s"},
    {"join", 2, 2, {ARR, STR}, 0, STR, false, DPL_ARGS_ANY, dpl_std_join, "join(arr, sep): the elements of arr joined by sep (numbers and booleans as text, nulls skipped)"},
    {"substr", 2, 3, {STR, DPL_T_INT, DPL_T_INT}, 0, STR, false, DPL_ARGS_ANY, dpl_std_substr,
     "substr(s, start[, len]): code points start .. start+len-1, or to the end (0-based; start < 0 counts from the end; clamped)"},
    {"contains", 2, 2, {STR | ARR, ANY}, 0, DPL_T_BOOL, false, DPL_ARGS_ANY, dpl_std_contains,
     "contains(s_or_arr, x): substring or element test"},
    {"starts_with", 2, 2, {STR, STR}, 0, DPL_T_BOOL, false, DPL_ARGS_ANY, dpl_std_starts_with, "starts_with(s, p): s begins with p"},
    {"ends_with", 2, 2, {STR, STR}, 0, DPL_T_BOOL, false, DPL_ARGS_ANY, dpl_std_ends_with, "ends_with(s, p): s ends with p"},
    {"matches", 2, 2, {STR, STR}, 0, DPL_T_BOOL, false, DPL_ARGS_LITERAL_REGEX, dpl_std_matches,
     "matches(s, \"regex\"): POSIX extended regex match (literal regex)"},
    {"round", 1, 2, {NUM, DPL_T_INT}, 0, NUM, false, DPL_ARGS_ANY, dpl_std_round,
     "round(x, places): x rounded half away from zero to places decimals (default 0; may be negative)"},
    {"abs", 1, 1, {NUM}, 0, NUM, false, DPL_ARGS_ANY, dpl_std_abs, "abs(x): absolute value"},
    {"concat", 1, -1, {SCALAR, SCALAR, SCALAR}, SCALAR, STR, true, DPL_ARGS_ANY, dpl_std_concat,
     "concat(a, b, ...): the arguments as strings, joined; missing and null skipped"},
    {"coalesce", 1, -1, {ANY, ANY, ANY}, ANY, ANY, true, DPL_ARGS_ANY, dpl_std_coalesce,
     "coalesce(a, b, ...): first argument that is neither missing nor null"},
    {"exists", 1, 1, {ANY}, 0, DPL_T_BOOL, true, DPL_ARGS_PATH, dpl_std_exists,
     "exists(path): true when the path is present, even if null"},
    {"sha256", 1, 1, {STR}, 0, STR, false, DPL_ARGS_ANY, dpl_std_sha256, "sha256(s): lowercase hex SHA-256 of s"},
    /* v1.1 (spec §12.2, §12.3); map, filter and cond are special forms that
     * the evaluator runs itself (fn NULL) */
    {"map", 2, 2, {ARR, ANY}, 0, ARR, false, DPL_ARGS_ELEMENT, NULL,
     "map(arr, expr): expr for each element ('item; relative paths start at the element), missing results dropped"},
    {"filter", 2, 2, {ARR, DPL_T_BOOL}, 0, ARR, false, DPL_ARGS_ELEMENT, NULL,
     "filter(arr, cond): the elements for which cond is true ('item; relative paths start at the element)"},
    {"cond", 3, 3, {ANY, ANY, ANY}, 0, ANY, true, DPL_ARGS_LAZY, NULL,
     "cond(c, a, b): a when c is true, otherwise b; only the chosen one is evaluated"},
    {"type", 1, 1, {ANY}, 0, STR, false, DPL_ARGS_ANY, dpl_std_type,
     "type(x): \"null\", \"bool\", \"int\", \"real\", \"string\", \"array\" or \"object\""},
    {"extract", 2, 3, {STR, STR, DPL_T_INT}, 0, STR, false, DPL_ARGS_EXTRACT, dpl_std_extract,
     "extract(s, \"regex\", n): capture group n (default 1; 0 the whole match) of the first match, missing if none"},
    {"parse_number", 1, 2, {STR | NUM, STR}, 0, NUM, false, DPL_ARGS_DECIMAL_SEP, dpl_std_parse_number,
     "parse_number(s, \",\"): the number in s with that decimal separator (default \".\"), the other one ignored"},
    {"parse_time", 1, 2, {STR, STR}, 0, NUM, false, DPL_ARGS_TIME_FORMAT, dpl_std_parse_time,
     "parse_time(s, \"fmt\"): epoch seconds of s (default RFC 3339 or YYYY-MM-DD; %Y %m %d %H %M %S %f %z %%)"},
    {"format_time", 1, 2, {NUM, STR}, 0, STR, false, DPL_ARGS_TIME_FORMAT, dpl_std_format_time,
     "format_time(t, \"fmt\"): epoch seconds t as UTC text (default RFC 3339 with Z)"},
    {"keys", 1, 1, {DPL_T_OBJECT}, 0, ARR, false, DPL_ARGS_ANY, dpl_std_keys, "keys(obj): the keys of obj, in input order"},
    {"unique", 1, 1, {ARR}, 0, ARR, false, DPL_ARGS_ANY, dpl_std_unique,
     "unique(arr): the elements without repeats, first occurrence kept"},
};

const size_t dpl_std_nbuiltins = sizeof dpl_std_builtins / sizeof dpl_std_builtins[0];

const DplBuiltin *dpl_std_lookup(const char *name)
{
    for (size_t i = 0; i < dpl_std_nbuiltins; i++)
        if (strcmp(dpl_std_builtins[i].name, name) == 0)
            return &dpl_std_builtins[i];
    return NULL;
}
