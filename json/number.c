/* number.c — exact output of reals: the shortest decimal that reads back as
 * the same double, and still looks like a real (spec §7 "Numbers pass
 * through exactly"). */
#include <float.h>
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

int dpl_json_format_real(double d, char *buf)
{
    if (!isfinite(d))
        return (int)(memcpy(buf, "null", 5), 4);
    int n;
    if (fabs(d) < 1e15 && d == (double)(long long)d && !(d == 0 && signbit(d))) {
        /* Integral and below 10^15: %.15g would print every digit with no
         * exponent, which is the integer's own text; skip printf/strtod. */
        char tmp[24];
        char *p = tmp + sizeof tmp;
        long long v = (long long)d;
        unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
        do {
            *--p = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (v < 0)
            *--p = '-';
        n = (int)(tmp + sizeof tmp - p);
        memcpy(buf, p, (size_t)n);
        buf[n] = '\0';
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
