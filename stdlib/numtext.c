/* numtext.c — the value-independent core of parse_number (spec §12.3,
 * §12.6): a number written with a chosen decimal separator, the other of
 * `.` and `,` being a thousands separator that is ignored wherever it
 * stands ("1.234,56" with "," is 1234.56).  No jansson here: the builtin
 * (convert.c) wraps it and other engines may call it directly. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "stdlib/stdlib.h"

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

DplCoreStatus dpl_number_parse(const char *s, size_t n, char decimal, DplNumber *out)
{
    char thousands = decimal == ',' ? '.' : ',';
    while (n && blank(*s))
        s++, n--;
    while (n && blank(s[n - 1]))
        n--;
    /* the number without separators, as strtod/strtoll read it */
    char stack[128];
    char *buf = n + 2 <= sizeof stack ? stack : dpl_malloc(n + 2);
    size_t len = 0, digits = 0, frac_digits = 0;
    bool point = false, ok = n > 0;
    size_t i = 0;
    if (ok && (s[0] == '+' || s[0] == '-'))
        buf[len++] = s[i++];
    for (; ok && i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            buf[len++] = c;
            digits++;
            frac_digits += point;
        } else if (c == thousands) {
            continue;
        } else if (c == decimal && !point) {
            point = true;
            buf[len++] = '.';
        } else {
            ok = false;
        }
    }
    buf[len] = '\0';
    /* a decimal separator needs a digit after it ("12," is not a number) */
    ok = ok && digits > 0 && (!point || frac_digits > 0);
    DplCoreStatus st = DPL_CORE_BAD_TEXT;
    if (ok && !point) {
        errno = 0;
        char *end;
        long long v = strtoll(buf, &end, 10);
        if (errno != ERANGE && *end == '\0') {
            out->is_int = true;
            out->i = v;
            st = DPL_CORE_OK;
        }
    } else if (ok) {
        double d = strtod(buf, NULL);
        if (isfinite(d)) {
            out->is_int = false;
            out->r = d;
            st = DPL_CORE_OK;
        }
    }
    if (buf != stack)
        dpl_free(buf);
    return st;
}
