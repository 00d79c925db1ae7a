/* numbers.c — the numeric builtins of spec §6: sum, min, max, avg over
 * arrays, round and abs.  Integers stay int64 and every operation on them is
 * checked (arithmetic_error, never wrap-around); reals are IEEE doubles.
 * A JSON null argument yields missing; null array elements are skipped (they
 * stand for "no value", like missing elements, which a JSON array cannot
 * hold). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "stdlib/impl.h"

/* The array argument of fn, or NULL (null: missing; else a type_error). */
static const json_t *array_arg(const char *fn, const json_t *v, DplRtError *err)
{
    if (json_is_array(v))
        return v;
    if (!json_is_null(v))
        dpl_rt_error(err, DPL_RT_TYPE_ERROR, "%s(): argument must be an array, got %s", fn, dpl_value_type_name(v));
    return NULL;
}

/* Checks every element is a number or null. */
static bool numbers_only(const char *fn, const json_t *arr, DplRtError *err)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *e = json_array_get(arr, i);
        if (!json_is_number(e) && !json_is_null(e)) {
            dpl_rt_error(err, DPL_RT_TYPE_ERROR, "%s(): element %zu must be a number, got %s", fn, i, dpl_value_type_name(e));
            return false;
        }
    }
    return true;
}

json_t *dpl_std_real(const char *fn, double r, DplRtError *err)
{
    if (!isfinite(r)) {
        dpl_rt_error(err, DPL_RT_ARITHMETIC_ERROR, "%s(): result is too large for a real", fn);
        return NULL;
    }
    return json_real(r);
}

/* Sum of the numbers: the integers exactly in 128 bits (no element count a
 * machine can hold overflows that), a separate double for the reals, so
 * [10, 2.5, 7] gives exactly 19.5, a big integer is not rounded before it
 * meets a real, and [INT64_MAX, 1, -1] is INT64_MAX: only the final sum has
 * to fit an int64, as with any exact sum. */
typedef struct {
    __int128 ints;
    double reals;
    size_t count, nreals;
} Total;

static Total total_of(const json_t *arr)
{
    Total t = {0};
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *e = json_array_get(arr, i);
        if (json_is_integer(e)) {
            t.ints += json_integer_value(e);
        } else if (json_is_real(e)) {
            t.reals += json_real_value(e);
            t.nreals++;
        } else {
            continue; /* null */
        }
        t.count++;
    }
    return t;
}

DPL_BUILTIN_FN(sum)
{
    (void)ctx, (void)nargs;
    const json_t *arr = array_arg("sum", args[0], err);
    if (!arr || !numbers_only("sum", arr, err))
        return NULL;
    Total t = total_of(arr);
    if (t.nreals == 0) {
        if (t.ints > INT64_MAX || t.ints < INT64_MIN) {
            dpl_rt_error(err, DPL_RT_ARITHMETIC_ERROR, "sum(): integer overflow");
            return NULL;
        }
        return json_integer((json_int_t)t.ints);
    }
    return dpl_std_real("sum", (double)t.ints + t.reals, err);
}

/* The mean of the numbers of arr (count of them, at least one).  The plain
 * sum can overflow although the mean cannot (avg of three times 1.7e308):
 * then the sum is taken again over every value scaled by 2^-64, which is
 * exact (a power of two; values small enough to lose bits there are below
 * any sum that overflows) and cannot overflow, and the mean is scaled back.
 * Rounding can still leave the computed mean a hair outside the range of
 * the values (past DBL_MAX, infinite); the mean of numbers lies between
 * their least and greatest, so it is clamped there. */
static double mean_of(const json_t *arr, const Total *t)
{
    double r = ((double)t->ints + t->reals) / (double)t->count;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *e = json_array_get(arr, i);
        if (json_is_number(e)) {
            double x = json_number_value(e);
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
    }
    if (!isfinite(r)) {
        double scaled = 0;
        for (size_t i = 0; i < json_array_size(arr); i++)
            if (json_is_number(json_array_get(arr, i)))
                scaled += json_number_value(json_array_get(arr, i)) * 0x1p-64;
        r = scaled / (double)t->count * 0x1p64;
    }
    return r < lo ? lo : r > hi ? hi : r;
}

DPL_BUILTIN_FN(avg)
{
    (void)ctx, (void)nargs;
    const json_t *arr = array_arg("avg", args[0], err);
    if (!arr || !numbers_only("avg", arr, err))
        return NULL;
    Total t = total_of(arr);
    if (t.count == 0)
        return NULL;
    /* Always a real (avg([1, 1]) is 1.0). */
    return dpl_std_real("avg", mean_of(arr, &t), err);
}

/* -1, 0, 1 as a < b, exactly, for any mix of int64 and double. */
static int compare_numbers(const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b)) {
        json_int_t x = json_integer_value(a), y = json_integer_value(b);
        return (x > y) - (x < y);
    }
    if (json_is_real(a) && json_is_real(b)) {
        double x = json_real_value(a), y = json_real_value(b);
        return (x > y) - (x < y);
    }
    bool flip = json_is_real(a);
    json_int_t i = json_integer_value(flip ? b : a);
    double d = json_real_value(flip ? a : b);
    int c; /* compares i with d */
    if (d >= 9223372036854775808.0)
        c = -1;
    else if (d < -9223372036854775808.0)
        c = 1;
    else {
        double whole = trunc(d);
        json_int_t w = (json_int_t)whole;
        if (i != w)
            c = i < w ? -1 : 1;
        else
            c = d > whole ? -1 : d < whole ? 1 : 0;
    }
    return flip ? -c : c;
}

/* min/max keep the chosen element as it is: min([10, 2.5]) is 2.5, max is
 * the integer 10.  Ties keep the first. */
static json_t *extreme(const char *fn, const json_t *arrv, int sign, DplRtError *err)
{
    const json_t *arr = array_arg(fn, arrv, err);
    if (!arr || !numbers_only(fn, arr, err))
        return NULL;
    json_t *best = NULL;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        if (json_is_null(e))
            continue;
        if (!best || compare_numbers(e, best) * sign > 0)
            best = e;
    }
    return best ? json_incref(best) : NULL;
}

DPL_BUILTIN_FN(min)
{
    (void)ctx, (void)nargs;
    return extreme("min", args[0], -1, err);
}

DPL_BUILTIN_FN(max)
{
    (void)ctx, (void)nargs;
    return extreme("max", args[0], 1, err);
}

/* ---- round ------------------------------------------------------------------- */

/* An integer rounded to 10^-places (places < 0), half away from zero:
 * round(1250, -2) is 1300.  Never wraps. */
bool dpl_std_round_int(int64_t x, int64_t places, int64_t *out)
{
    if (places >= 0) {
        *out = x;
        return true;
    }
    unsigned long long m = x < 0 ? 0ull - (unsigned long long)x : (unsigned long long)x;
    if (places < -19) { /* 10^20 > 2 * |INT64_MIN|: everything rounds to 0 */
        *out = 0;
        return true;
    }
    unsigned long long p = 1;
    for (json_int_t k = 0; k < -places; k++)
        p *= 10; /* at most 10^19 < 2^64 */
    unsigned long long q = m / p, r = m % p, res;
    if (r >= p - r)
        q++;
    bool ok = !__builtin_mul_overflow(q, p, &res) &&
              (x < 0 ? res <= 9223372036854775808ull : res <= 9223372036854775807ull);
    if (!ok)
        return false;
    *out = x < 0 ? (int64_t)(0ull - res) : (int64_t)res;
    return true;
}

static json_t *round_int(json_int_t x, json_int_t places, DplRtError *err)
{
    int64_t r;
    if (!dpl_std_round_int(x, places, &r)) {
        dpl_rt_error(err, DPL_RT_ARITHMETIC_ERROR, "round(): result does not fit a 64-bit integer");
        return NULL;
    }
    return json_integer(r);
}

/* A real rounded to `places` decimals, half away from zero, on its shortest
 * decimal form: the number as written.  round(2.675, 2) is 2.68 although the
 * double nearest 2.675 is a little below it; rounding the binary value
 * (printf's %.2f) would give 2.67, which is not what anyone reading the data
 * expects.  The result is the double nearest the rounded decimal. */
bool dpl_std_round_real(double x, int64_t places, double *result)
{
    char text[40];
    dpl_json_format_real(x, text);
    /* text = [-]D[.D][e[+-]N]: collect significant digits and the position
     * of the decimal point relative to them (value = 0.DIGITS x 10^point). */
    char digits[40];
    int k = 0;
    long point = 0;
    bool neg = text[0] == '-', seen_point = false;
    const char *p = text + neg;
    for (; *p && *p != 'e'; p++) {
        if (*p == '.') {
            seen_point = true;
            continue;
        }
        if (k == 0 && *p == '0') { /* leading zero */
            if (seen_point)
                point--;
            continue;
        }
        digits[k++] = *p;
        if (!seen_point)
            point++;
    }
    if (*p == 'e')
        point += strtol(p + 1, NULL, 10);
    if (k == 0)
        return *result = 0.0, true;
    /* Keep point + places digits. */
    long keep = point + (long)(places > 1000 ? 1000 : places < -1000 ? -1000 : places);
    if (keep >= k)
        return *result = x, true;
    if (keep < 0)
        return *result = 0.0, true;
    bool up = digits[keep] >= '5';
    k = (int)keep;
    if (up) {
        int i = k - 1;
        while (i >= 0 && digits[i] == '9')
            digits[i--] = '0';
        if (i >= 0) {
            digits[i]++;
        } else { /* 9.99 -> 10.0: a new leading digit */
            memmove(digits + 1, digits, (size_t)k);
            digits[0] = '1';
            k++;
            point++;
        }
    }
    if (k == 0)
        return *result = 0.0, true;
    char out[64];
    snprintf(out, sizeof out, "%s0.%.*se%ld", neg ? "-" : "", k, digits, point);
    double r = strtod(out, NULL);
    *result = r;
    return isfinite(r); /* round(1.7976931348623157e308, -308) is 2e308 */
}

static json_t *round_real(double x, json_int_t places, DplRtError *err)
{
    double r;
    if (!dpl_std_round_real(x, places, &r)) {
        return dpl_std_real("round", r, err); /* an arithmetic_error */
    }
    return json_real(r);
}

/* round(x, places): places defaults to 0 and may be negative (round(1250,
 * -2) is 1300).  An integer stays an integer, a real stays a real
 * (round(2.5) is 3.0). */
DPL_BUILTIN_FN(round)
{
    (void)ctx;
    const json_t *x = args[0];
    json_int_t places = 0;
    /* null means missing (either argument); then the first wrong type, left
     * to right, is the one the error names (spec §12.6) */
    if (json_is_null(x) || (nargs > 1 && json_is_null(args[1])))
        return NULL;
    if (!json_is_number(x)) {
        dpl_rt_error(err, DPL_RT_TYPE_ERROR, "round(): argument must be a number, got %s", dpl_value_type_name(x));
        err->arg = 1;
        return NULL;
    }
    if (nargs > 1) {
        if (!json_is_integer(args[1])) {
            dpl_rt_error(err, DPL_RT_TYPE_ERROR, "round(): places must be an integer, got %s", dpl_value_type_name(args[1]));
            err->arg = 2;
            return NULL;
        }
        places = json_integer_value(args[1]);
    }
    if (json_is_integer(x))
        return round_int(json_integer_value(x), places, err);
    return round_real(json_real_value(x), places, err);
}

DPL_BUILTIN_FN(abs)
{
    (void)ctx, (void)nargs;
    const json_t *x = args[0];
    if (json_is_integer(x)) {
        json_int_t v = json_integer_value(x);
        if (v == INT64_MIN) {
            dpl_rt_error(err, DPL_RT_ARITHMETIC_ERROR, "abs(): -9223372036854775808 has no 64-bit absolute value");
            return NULL;
        }
        return json_integer(v < 0 ? -v : v);
    }
    if (json_is_real(x))
        return dpl_std_real("abs", fabs(json_real_value(x)), err);
    if (!json_is_null(x))
        dpl_rt_error(err, DPL_RT_TYPE_ERROR, "abs(): argument must be a number, got %s", dpl_value_type_name(x));
    return NULL;
}
