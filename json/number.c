/* number.c — exact output of reals: the shortest decimal that reads back as
 * the same double, and still looks like a real (spec §7 "Numbers pass
 * through exactly"). */
#include <float.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"

/* Subnormals carry fewer than 53 bits, so the %.15g/%.16g/%.17g ladder below
 * may stop at 15 digits where far fewer suffice (5e-324 would come out as
 * 4.94065645841247e-324).  They are rare: search every precision. */
static int format_subnormal(double d, char *buf)
{
    int n = 0;
    for (int prec = 1; prec <= 17; prec++) {
        n = snprintf(buf, 32, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    return n;
}

int dpl_json_format_u64(uint64_t u, char *out)
{
    static const char pairs[201] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    char tmp[20];
    char *p = tmp + sizeof tmp;
    while (u >= 100) {
        p -= 2;
        memcpy(p, pairs + 2 * (u % 100), 2);
        u /= 100;
    }
    if (u >= 10) {
        p -= 2;
        memcpy(p, pairs + 2 * u, 2);
    } else {
        *--p = (char)('0' + u);
    }
    int n = (int)(tmp + sizeof tmp - p);
    memcpy(out, p, (size_t)n);
    return n;
}

int dpl_json_format_i64(int64_t v, char *out)
{
    int n = v < 0;
    out[0] = '-';
    return n + dpl_json_format_u64(v < 0 ? 0ull - (uint64_t)v : (uint64_t)v, out + n);
}

/* Writes the decimal digits[0..nd) * 10^-k (k >= 1 fractional digits) to
 * buf with its sign, the fraction's trailing zeros dropped; returns its
 * length, or 0 when the value is integral (not this caller's case) or has
 * more than `most` significant digits once the zeros are gone. */
static int put_decimal(bool neg, const char *digits, int nd, int k, int most, char *buf)
{
    while (k > 0 && nd > 0 && digits[nd - 1] == '0')
        nd--, k--;
    if (k == 0 || nd == 0 || (nd > k ? nd : k) > most)
        return 0;
    int n = 0;
    if (neg)
        buf[n++] = '-';
    if (nd <= k) {
        buf[n++] = '0';
        buf[n++] = '.';
        memset(buf + n, '0', (size_t)(k - nd));
        n += k - nd;
        memcpy(buf + n, digits, (size_t)nd);
        n += nd;
    } else {
        memcpy(buf + n, digits, (size_t)(nd - k));
        n += nd - k;
        buf[n++] = '.';
        memcpy(buf + n, digits + nd - k, (size_t)k);
        n += k;
    }
    buf[n] = '\0';
    return n;
}

static const double pow10_tab[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The common case without printf: a value in [1e-4, 1e15) with at most 15
 * significant digits, as %.15g prints it (fixed notation, trailing zeros
 * dropped).  For k = 1, 2, ... fractional digits, m = the integer nearest
 * |d| * 10^k is a candidate; m / 10^k is correctly rounded (m < 2^53 and
 * 10^k exact), so it equals d exactly when the decimal m * 10^-k reads back
 * as d, which is what strtod would decide.  The smallest such k gives the
 * shortest form, and a form of at most 15 digits that reads back as d is the
 * one %.15g prints (DBL_DIG).  Returns 0 when the case does not apply, -1
 * when it is certain that no decimal of 15 digits reads back as d. */
static int format_fast(double d, char *buf)
{
    double a = fabs(d);
    if (!(a >= 1e-4 && a < 1e15))
        return 0;
    int intdigits = 1;
    while (intdigits < 15 && a >= pow10_tab[intdigits])
        intdigits++;
    int maxk = 15 - (a >= 1 ? intdigits : 0);
    /* below 1, leading zeros after the point do not count as significant */
    if (a < 1)
        for (double t = a * 10; t < 1 && maxk < 19; t *= 10)
            maxk++;
    /* One candidate with every fractional digit allowed: the 15-digit grid
     * is coarser than the doubles', so at most one such decimal reads back
     * as d, and then it is the one %.15g rounds to; its trailing zeros go. */
    {
        int k = maxk < 22 ? maxk : 22;
        double scaled = a * pow10_tab[k];
        if (k < 1 || scaled >= 9007199254740992.0)
            return 0;
        unsigned long long u = (unsigned long long)(scaled + 0.5); /* a candidate; checked next */
        if ((double)u / pow10_tab[k] != a) {
            /* For a >= 1 the digit count above is exact, and a decimal of 15
             * digits that reads back as d lies within 0.11 of a * 10^k, the
             * rounded product within another 0.11: u would have been it.  So
             * there is none, and format_exact may start at 16 digits.  Below
             * 1 the count of leading zeros comes from rounded products. */
            return a >= 1 ? -1 : 0;
        }
        char digits[24];
        int nd = dpl_json_format_u64(u, digits);
        /* at most 15 significant digits before the point (and 17 in all) */
        int kept = nd, kk = k;
        while (kk > 0 && digits[kept - 1] == '0')
            kept--, kk--;
        if (kept - kk > 15)
            return 0;
        return put_decimal(d < 0, digits, nd, k, 17, buf);
    }
    return 0;
}

/* The %.15g / %.16g / %.17g ladder of dpl_json_format_real, computed
 * exactly in 128-bit integers for a value in [1e-4, 1e15) that is not
 * integral: d = M / 2^q; its N-digit decimal m / 10^k is M * 10^k / 2^q
 * rounded half to even, as printf rounds; that decimal reads back as d
 * exactly when it lies inside d's rounding interval ((2M-1)/2^(q+1),
 * (2M+1)/2^(q+1)), ends included when M is even (ties to even).  Tries
 * `from` digits first (15, or 16 when format_fast ruled 15 out).  Returns 0
 * when it cannot decide (the caller then runs printf). */
static int format_exact(double d, int from, char *buf)
{
    double a = fabs(d);
    if (!(a >= 1e-4 && a < 1e15))
        return 0;
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    int be = (int)((bits >> 52) & 0x7ff);
    uint64_t frac_bits = bits & ((1ull << 52) - 1);
    if (frac_bits == 0)
        return 0; /* a power of two: the interval below is narrower */
    uint64_t M = frac_bits | (1ull << 52);
    int q = 1075 - be; /* a = M * 2^-q */
    if (q <= 0 || q > 70)
        return 0;
    int X; /* decimal exponent: 10^X <= a < 10^(X+1) */
    if (a >= 1) {
        X = 0;
        while (X < 15 && a >= pow10_tab[X + 1])
            X++;
    } else {
        X = -1;
        while (X > -5 && a < 1 / pow10_tab[-X])
            X--;
    }
    for (int N = from; N <= 17; N++) {
        int k = N - 1 - X; /* fractional digits */
        if (k < 1 || k > 22)
            return 0;
        static const uint64_t p10_64[20] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
                                            10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
                                            100000000000ull, 1000000000000ull, 10000000000000ull,
                                            100000000000000ull, 1000000000000000ull, 10000000000000000ull,
                                            100000000000000000ull, 1000000000000000000ull,
                                            10000000000000000000ull};
        unsigned __int128 p10 = k < 20 ? p10_64[k] : (unsigned __int128)p10_64[19] * p10_64[k - 19];
        unsigned __int128 num = (unsigned __int128)M * p10;
        unsigned __int128 m = num >> q, rem = num - (m << q), half = (unsigned __int128)1 << (q - 1);
        if (rem > half || (rem == half && (m & 1)))
            m++;
        unsigned __int128 A = m << (q + 1), L = (unsigned __int128)(2 * M - 1) * p10,
                          H = (unsigned __int128)(2 * M + 1) * p10;
        bool inside = (L < A && A < H) || ((A == L || A == H) && !(M & 1));
        if (!inside)
            continue;
        char digits[24];
        int nd = dpl_json_format_u64((uint64_t)m, digits); /* m < 10^N + 1 <= 10^17 + 1 */
        if (nd > N)
            return 0; /* rounded up to a new power of ten: leave it to printf */
        return put_decimal(d < 0, digits, nd, k, 99, buf);
    }
    return 0;
}

int dpl_json_format_real(double d, char *buf)
{
    if (!isfinite(d))
        return (int)(memcpy(buf, "null", 5), 4);
    int n;
    if (fabs(d) < 1e15 && d == (double)(long long)d && !(d == 0 && signbit(d))) {
        /* Integral and below 10^15: %.15g would print every digit with no
         * exponent, which is the integer's own text; skip printf/strtod. */
        n = dpl_json_format_i64((int64_t)d, buf);
        memcpy(buf + n, ".0", 3); /* an integral real stays a real: 100.0 */
        return n + 2;
    } else if ((n = format_fast(d, buf)) > 0 || (n = format_exact(d, n < 0 ? 16 : 15, buf)) > 0) {
        return n; /* has a point and fractional digits */
    } else if (d != 0 && fabs(d) < DBL_MIN) {
        n = format_subnormal(d, buf);
    } else {
        /* Any double with a k <= 15 digit decimal form is printed as exactly
         * that form by %.15g (DBL_DIG == 15 makes 15-digit decimals round-trip
         * and %g drops trailing zeros); otherwise 16 or 17 digits are needed,
         * and 17 always suffice. */
        n = snprintf(buf, 32, "%.15g", d);
        if (strtod(buf, NULL) != d) {
            n = snprintf(buf, 32, "%.16g", d);
            if (strtod(buf, NULL) != d)
                n = snprintf(buf, 32, "%.17g", d);
        }
    }
    /* An integral real must stay a real when read back: 100.0, not 100. */
    if (!strpbrk(buf, ".eni")) {
        buf[n++] = '.';
        buf[n++] = '0';
        buf[n] = '\0';
    }
    return n;
}
