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

static const uint64_t p10_64[20] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
                                    100000000ull, 1000000000ull, 10000000000ull, 100000000000ull,
                                    1000000000000ull, 10000000000000ull, 100000000000000ull,
                                    1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
                                    1000000000000000000ull, 10000000000000000000ull};

static const char pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                               "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                               "8081828384858687888990919293949596979899";

/* Writes the n lowest decimal digits of u (u < 10^n), leading zeros
 * included, to out.  Eight digits a step, as four pairs computed apart:
 * one long chain of divisions by 100 was most of a real's formatting. */
static inline void put_digits(uint64_t u, int n, char *out)
{
    char *p = out + n;
    for (; n >= 8; n -= 8, p -= 8) {
        uint32_t lo = (uint32_t)(u % 100000000u), hi4 = lo / 10000u, lo4 = lo % 10000u;
        u /= 100000000u;
        memcpy(p - 2, pairs + 2 * (lo4 % 100u), 2);
        memcpy(p - 4, pairs + 2 * (lo4 / 100u), 2);
        memcpy(p - 6, pairs + 2 * (hi4 % 100u), 2);
        memcpy(p - 8, pairs + 2 * (hi4 / 100u), 2);
    }
    for (; n >= 2; n -= 2, p -= 2, u /= 100u)
        memcpy(p - 2, pairs + 2 * (u % 100u), 2);
    if (n)
        p[-1] = (char)('0' + u);
}

/* The number of decimal digits of u (1 for 0). */
static inline int count_digits(uint64_t u)
{
    int t = ((64 - __builtin_clzll(u | 1)) * 1233) >> 12; /* floor(log10(2^bits)) */
    return u ? t - (u < p10_64[t]) + 1 : 1;
}

int dpl_json_format_u64(uint64_t u, char *out)
{
    int n = count_digits(u);
    put_digits(u, n, out);
    return n;
}

int dpl_json_format_i64(int64_t v, char *out)
{
    int n = v < 0;
    out[0] = '-';
    return n + dpl_json_format_u64(v < 0 ? 0ull - (uint64_t)v : (uint64_t)v, out + n);
}

/* Moves out[1..n] to out[0..n-1] (n <= 16), touching no other byte: two
 * overlapping words, both read before either is written (a loop here
 * became a call to memmove). */
static inline void move_down(char *out, int n)
{
    if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, out + 1, 8);
        memcpy(&b, out + n - 7, 8);
        memcpy(out, &a, 8);
        memcpy(out + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, out + 1, 4);
        memcpy(&b, out + n - 3, 4);
        memcpy(out, &a, 4);
        memcpy(out + n - 4, &b, 4);
    } else if (n >= 2) {
        uint16_t a, b;
        memcpy(&a, out + 1, 2);
        memcpy(&b, out + n - 1, 2);
        memcpy(out, &a, 2);
        memcpy(out + n - 2, &b, 2);
    } else if (n == 1) {
        out[0] = out[1];
    }
}

/* Writes m * 10^-k (m has nd digits, k >= 1) to buf in fixed notation with
 * its sign, the fraction's trailing zeros dropped; returns its length, or 0
 * when the value is integral (the caller's slower path prints it).  The
 * digits are written once, after room for the point, and the integer part
 * is moved down over that room. */
static int put_fixed(bool neg, uint64_t m, int nd, int k, char *buf)
{
    char *out = buf + neg;
    buf[0] = '-';
    if (nd <= k) {
        /* 0.000ddd */
        out[0] = '0';
        out[1] = '.';
        int z = k - nd;
        memset(out + 2, '0', (size_t)z);
        put_digits(m, nd, out + 2 + z);
        int n = 2 + k;
        while (out[n - 1] == '0')
            n--; /* m > 0: a digit stops it */
        out[n] = '\0';
        return neg + n;
    }
    int ni = nd - k;
    put_digits(m, nd, out + 1);
    int n = nd + 1;
    while (n > ni + 1 && out[n - 1] == '0')
        n--;
    if (n == ni + 1)
        return 0; /* integral */
    move_down(out, ni);
    out[ni] = '.';
    out[n] = '\0';
    return neg + n;
}

/* 10^k for k <= 38, as a 128-bit integer. */
static inline unsigned __int128 p10_128(int k)
{
    return k < 20 ? p10_64[k] : (unsigned __int128)p10_64[19] * p10_64[k - 19];
}

/* Whether the decimal m * D * 10^-k17 reads back as the double M * 2^-q,
 * given num = M * 10^k17: its distance to the double is below half an ulp
 * (2 * |m * D * 2^q - num| < 10^k17), or exactly half an ulp with M even
 * (strtod rounds ties to even). */
static inline bool reads_back(uint64_t mD, int q, unsigned __int128 num, unsigned __int128 p10k, uint64_t M)
{
    unsigned __int128 c = (unsigned __int128)mD << q;
    unsigned __int128 dist2 = 2 * (c > num ? c - num : num - c);
    return dist2 < p10k || (dist2 == p10k && !(M & 1));
}

/* The %.15g / %.16g / %.17g ladder of dpl_json_format_real, computed
 * exactly in integers for a value in [1e-4, 1e15) that is not integral nor
 * a power of two.  d = M / 2^q exactly; num = M * 10^k17 holds its first 17
 * significant digits and the rest: m17 = num >> q, remainder rem.  The
 * N-digit decimal printf prints (N = 15, 16, 17) is num / (10^(17-N) * 2^q)
 * rounded half to even, which m17's last digits and rem decide; it reads
 * back as d when reads_back says so, and the first N that does is the
 * ladder's.  Returns 0 when it cannot decide (the caller then runs printf):
 * a rounding that carries into a new power of ten, an integral result. */
static int format_ladder(double d, char *buf)
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
    int q = 1075 - be; /* a = M * 2^-q, 3 <= q <= 67 here; k17 below <= 21 */
    /* X = floor(log10 a) is floor(e2 * log10 2) (1233 / 4096 is just below
     * log10 2, never off by one for these e2) or one more, which m17
     * reaching 10^17 tells */
    int X = ((be - 1023) * 1233) >> 12;
    int k17 = 16 - X;
    unsigned __int128 p10k = p10_128(k17), num = (unsigned __int128)M * p10k;
    uint64_t m17 = (uint64_t)(num >> q);
    if (m17 >= p10_64[17]) {
        k17--;
        p10k = p10_128(k17);
        num = (unsigned __int128)M * p10k;
        m17 = (uint64_t)(num >> q);
    }
    unsigned __int128 rem = num - ((unsigned __int128)m17 << q);
    uint64_t m;
    int k;
    /* 15 digits */
    uint64_t low = m17 % 100;
    m = m17 / 100;
    m += low > 50 || (low == 50 && (rem != 0 || (m & 1)));
    k = k17 - 2;
    if (!reads_back(m * 100, q, num, p10k, M)) {
        /* 16 digits */
        low = m17 % 10;
        m = m17 / 10;
        m += low > 5 || (low == 5 && (rem != 0 || (m & 1)));
        k = k17 - 1;
        if (!reads_back(m * 10, q, num, p10k, M)) {
            /* 17 digits: always enough */
            unsigned __int128 half = (unsigned __int128)1 << (q - 1);
            m = m17 + (rem > half || (rem == half && (m17 & 1)));
            k = k17;
        }
    }
    int nd = 17 - (k17 - k); /* m < 10^nd, unless rounding carried */
    if (k < 1 || m >= p10_64[nd])
        return 0; /* integral, or rounded up to a new power of ten: printf decides */
    return put_fixed(d < 0, m, nd, k, buf);
}

/* A real with at most two decimals, the usual computed one (a sum of
 * prices, a rounded ratio): when the correctly rounded quotient n / 100.0
 * is d, the decimal n / 100 (at most 15 digits) reads back as d, and it is
 * what the ladder prints: %.15g prints the 15-digit decimal nearest to d,
 * and no other 15-digit decimal lies within half an ulp of d (15-digit
 * decimals are further apart than an ulp, DBL_DIG).  Returns 0 otherwise
 * (the ladder decides), or when the value is integral. */
static int format_cents(double d, char *buf)
{
    double a = fabs(d);
    if (!(a >= 0.01 && a < 1e13))
        return 0;
    uint64_t n = (uint64_t)(a * 100.0 + 0.5);
    if ((double)n / 100.0 != a)
        return 0;
    return put_fixed(d < 0, n, count_digits(n), 2, buf);
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
    } else if ((n = format_cents(d, buf)) > 0 || (n = format_ladder(d, buf)) > 0) {
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
