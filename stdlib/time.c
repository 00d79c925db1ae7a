/* time.c — the value-independent cores of parse_time and format_time (spec
 * §12.3, §12.6): text in, epoch seconds out, and back, with a status.
 * Nothing here knows jansson: the tree evaluator's builtins (convert.c) wrap
 * these functions, and any other engine can call them on its own values.
 *
 * Dates are proleptic Gregorian, years 0001-9999, UTC; days are counted
 * with the days-from-civil algorithm (era of 400 years), so no libc time
 * zone or locale is involved. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stdlib/stdlib.h"

/* ---- calendar --------------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* ---- formats ------------------------------------------------------------------- */

const char *dpl_time_format_problem(const char *fmt, size_t n, size_t *at)
{
    static const char directives[] = "YmdHMSfz";
    bool seen[sizeof directives] = {false};
    *at = 0;
    for (size_t i = 0; i < n; i++) {
        if (fmt[i] != '%')
            continue;
        *at = i;
        if (i + 1 == n)
            return "a `%` at the end of the format starts no directive (write `%%` for a percent sign)";
        char c = fmt[++i];
        if (c == '%')
            continue;
        const char *k = c ? strchr(directives, c) : NULL;
        if (!k)
            return "unknown directive";
        if (seen[k - directives])
            return "directive used twice";
        seen[k - directives] = true;
    }
    *at = n;
    if (!seen[0] || !seen[1] || !seen[2])
        return "a time format needs `%Y`, `%m` and `%d`";
    if (seen[6] && !seen[5])
        return "`%f` (fraction of a second) needs `%S`";
    return NULL;
}

/* ---- parsing ---------------------------------------------------------------------- */

typedef struct {
    int64_t year;
    int month, day, hour, min, sec;
    int32_t nsec;
    int32_t offset; /* seconds east of UTC */
} Fields;

/* Reads exactly/at most `max` and at least `min` digits; returns how many. */
static size_t digits_at(const char *s, size_t n, size_t min, size_t max, int64_t *v)
{
    size_t k = 0;
    int64_t x = 0;
    while (k < max && k < n && s[k] >= '0' && s[k] <= '9')
        x = x * 10 + (s[k++] - '0');
    if (k < min)
        return 0;
    *v = x;
    return k;
}

/* %z: Z, z, +hh:mm, +hhmm (or -); returns the bytes used, 0 for no match. */
static size_t zone_at(const char *s, size_t n, bool need_colon, int32_t *off)
{
    if (n >= 1 && (s[0] == 'Z' || s[0] == 'z')) {
        *off = 0;
        return 1;
    }
    if (n < 5 || (s[0] != '+' && s[0] != '-'))
        return 0;
    int64_t hh, mm;
    if (digits_at(s + 1, 2, 2, 2, &hh) != 2)
        return 0;
    size_t used;
    if (s[3] == ':') {
        if (n < 6 || digits_at(s + 4, 2, 2, 2, &mm) != 2)
            return 0;
        used = 6;
    } else {
        if (need_colon || digits_at(s + 3, 2, 2, 2, &mm) != 2)
            return 0;
        used = 5;
    }
    if (hh > 23 || mm > 59)
        return 0;
    *off = (int32_t)((hh * 60 + mm) * 60) * (s[0] == '-' ? -1 : 1);
    return used;
}

static int32_t nsec_of(int64_t digits, size_t ndigits)
{
    for (size_t k = ndigits; k < 9; k++)
        digits *= 10;
    return (int32_t)digits;
}

/* Matches text[ti..) against fmt[fi..) with backtracking over the one- or
 * two-digit fields and %f; the first split from the left that matches the
 * whole text wins (longest first at each field). */
static bool match(const char *fmt, size_t fn, size_t fi, const char *s, size_t n, size_t ti, Fields *f)
{
    while (fi < fn) {
        if (fmt[fi] != '%' || fi + 1 == fn) {
            if (ti >= n || s[ti] != fmt[fi])
                return false;
            fi++, ti++;
            continue;
        }
        char c = fmt[fi + 1];
        fi += 2;
        int64_t v = 0;
        switch (c) {
        case '%':
            if (ti >= n || s[ti] != '%')
                return false;
            ti++;
            continue;
        case 'Y':
            if (digits_at(s + ti, n - ti, 4, 4, &v) != 4)
                return false;
            f->year = v;
            ti += 4;
            continue;
        case 'z': {
            size_t k = zone_at(s + ti, n - ti, false, &f->offset);
            if (!k)
                return false;
            ti += k;
            continue;
        }
        case 'f':
        case 'm':
        case 'd':
        case 'H':
        case 'M':
        case 'S': {
            size_t max = c == 'f' ? 9 : 2;
            size_t avail = 0;
            while (avail < max && ti + avail < n && s[ti + avail] >= '0' && s[ti + avail] <= '9')
                avail++;
            for (size_t k = avail; k >= 1; k--) {
                digits_at(s + ti, k, k, k, &v);
                Fields save = *f;
                switch (c) {
                case 'f': f->nsec = nsec_of(v, k); break;
                case 'm': f->month = (int)v; break;
                case 'd': f->day = (int)v; break;
                case 'H': f->hour = (int)v; break;
                case 'M': f->min = (int)v; break;
                default: f->sec = (int)v; break;
                }
                if (match(fmt, fn, fi, s, n, ti + k, f))
                    return true;
                *f = save;
            }
            return false;
        }
        default: return false; /* the checker refuses unknown directives (E314) */
        }
    }
    return ti == n;
}

/* RFC 3339 (T, t or space between date and time; a zone is required, with
 * the colon) or a plain date YYYY-MM-DD at midnight UTC. */
static bool match_default(const char *s, size_t n, Fields *f)
{
    int64_t v;
    if (n < 10 || digits_at(s, 4, 4, 4, &v) != 4 || s[4] != '-')
        return false;
    f->year = v;
    if (digits_at(s + 5, 2, 2, 2, &v) != 2 || s[7] != '-')
        return false;
    f->month = (int)v;
    if (digits_at(s + 8, 2, 2, 2, &v) != 2)
        return false;
    f->day = (int)v;
    if (n == 10)
        return true;
    if (n < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
        return false;
    int64_t h, m, sec;
    if (digits_at(s + 11, 2, 2, 2, &h) != 2 || s[13] != ':' || digits_at(s + 14, 2, 2, 2, &m) != 2 ||
        s[16] != ':' || digits_at(s + 17, 2, 2, 2, &sec) != 2)
        return false;
    f->hour = (int)h, f->min = (int)m, f->sec = (int)sec;
    size_t i = 19;
    if (s[i] == '.') {
        size_t k = 0;
        int64_t fr = 0;
        while (i + 1 + k < n && s[i + 1 + k] >= '0' && s[i + 1 + k] <= '9' && k < 10)
            fr = fr * 10 + (s[i + 1 + k] - '0'), k++;
        if (k == 0 || k > 9)
            return false;
        f->nsec = nsec_of(fr, k);
        i += 1 + k;
    }
    size_t z = zone_at(s + i, n - i, true, &f->offset);
    return z && i + z == n;
}

DplCoreStatus dpl_time_parse(const char *s, size_t n, const char *fmt, size_t fmt_len, DplTime *out)
{
    Fields f = {.year = 0, .month = 1, .day = 1};
    bool ok = fmt ? match(fmt, fmt_len, 0, s, n, 0, &f) : match_default(s, n, &f);
    if (!ok)
        return DPL_CORE_BAD_TEXT;
    if (f.year < 1 || f.month < 1 || f.month > 12 || f.day < 1 || f.day > days_in_month(f.year, f.month) ||
        f.hour > 23 || f.min > 59 || f.sec > 59)
        return DPL_CORE_BAD_TEXT;
    out->sec = days_from_civil(f.year, f.month, f.day) * 86400 + f.hour * 3600 + f.min * 60 + f.sec - f.offset;
    out->nsec = f.nsec;
    return DPL_CORE_OK;
}

double dpl_time_to_double(DplTime t)
{
    /* the exact decimal, read back by strtod: correctly rounded */
    char buf[48];
    if (t.sec < 0 && t.nsec > 0)
        snprintf(buf, sizeof buf, "-%lld.%09d", (long long)-(t.sec + 1), (int)(1000000000 - t.nsec));
    else
        snprintf(buf, sizeof buf, "%lld.%09d", (long long)t.sec, (int)t.nsec);
    return strtod(buf, NULL);
}

/* ---- formatting ------------------------------------------------------------------- */

/* t * 10^places rounded half away from zero, from t's shortest decimal
 * spelling (the digits a JSON writer prints), exactly.  False when it does
 * not fit (far outside the years 0001-9999 anyway). */
static bool scaled_units(double t, int places, __int128 *units)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, t);
        if (strtod(buf, NULL) == t)
            break;
    }
    /* buf: [-]d.ddddde[+-]xx */
    const char *p = buf;
    bool neg = *p == '-';
    if (neg)
        p++;
    __int128 mant = 0;
    int ndigits = 0;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            mant = mant * 10 + (*p - '0'), ndigits++;
    int exp = atoi(p + 1) - (ndigits - 1) + places; /* value * 10^places = mant * 10^exp */
    if (exp >= 0) {
        if (exp > 20)
            return false;
        for (int i = 0; i < exp; i++)
            mant *= 10;
    } else if (-exp > 30) {
        mant = 0;
    } else {
        __int128 div = 1;
        for (int i = 0; i < -exp; i++)
            div *= 10;
        __int128 q = mant / div, r = mant % div;
        if (2 * r >= div)
            q++; /* half away from zero: the sign is applied below */
        mant = q;
    }
    *units = neg ? -mant : mant;
    return true;
}

static void put2(DplBuf *b, int v) { dpl_buf_printf(b, "%02d", v); }

static DplCoreStatus format_units(__int128 units, int places, const char *fmt, size_t fn, DplBuf *out)
{
    __int128 scale = places == 3 ? 1000 : 1000000;
    __int128 secs = units / scale, frac = units % scale;
    if (frac < 0)
        frac += scale, secs -= 1;
    /* years 0001-01-01 .. 9999-12-31 */
    if (secs < (__int128)-62135596800LL || secs > (__int128)253402300799LL)
        return DPL_CORE_RANGE;
    int64_t s = (int64_t)secs;
    int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
    int64_t rem = s - days * 86400;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int H = (int)(rem / 3600), M = (int)(rem / 60 % 60), S = (int)(rem % 60);
    if (!fmt) {
        dpl_buf_printf(out, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)y, m, d, H, M, S);
        if (frac)
            dpl_buf_printf(out, ".%03d", (int)frac);
        dpl_buf_putc(out, 'Z');
        return DPL_CORE_OK;
    }
    for (size_t i = 0; i < fn; i++) {
        if (fmt[i] != '%' || i + 1 == fn) {
            dpl_buf_putc(out, fmt[i]);
            continue;
        }
        switch (fmt[++i]) {
        case 'Y': dpl_buf_printf(out, "%04lld", (long long)y); break;
        case 'm': put2(out, m); break;
        case 'd': put2(out, d); break;
        case 'H': put2(out, H); break;
        case 'M': put2(out, M); break;
        case 'S': put2(out, S); break;
        case 'f': dpl_buf_printf(out, "%06d", (int)frac); break;
        case 'z': dpl_buf_puts(out, "+00:00"); break;
        case '%': dpl_buf_putc(out, '%'); break;
        default: /* refused by the checker (E314); written as is */
            dpl_buf_putc(out, '%');
            dpl_buf_putc(out, fmt[i]);
        }
    }
    return DPL_CORE_OK;
}

DplCoreStatus dpl_time_format_int(int64_t t, const char *fmt, size_t fmt_len, DplBuf *out)
{
    int places = fmt ? 6 : 3;
    __int128 units = (__int128)t * (places == 3 ? 1000 : 1000000);
    return format_units(units, places, fmt, fmt_len, out);
}

DplCoreStatus dpl_time_format_real(double t, const char *fmt, size_t fmt_len, DplBuf *out)
{
    int places = fmt ? 6 : 3;
    __int128 units;
    if (!isfinite(t) || !scaled_units(t, places, &units))
        return DPL_CORE_RANGE;
    return format_units(units, places, fmt, fmt_len, out);
}
