/* junit.c — the JUnit XML report of `dpl test --junit FILE`: one
 * <testsuite> per test file, one <testcase> per test, <failure> with the
 * same text as the terminal report (without colour), <error> when the file
 * or its program could not be run. */
#include <errno.h>
#include <stdio.h>

#include "testrun/internal.h"

/* Text and attribute values: XML escapes; bytes XML 1.0 cannot hold
 * (controls other than tab and newlines, invalid UTF-8) become U+FFFD. */
static void xml_text(DplBuf *b, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        int k = dpl_utf8_decode(s + i, n - i, &cp);
        if (k < 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || cp == 0xFFFE || cp == 0xFFFF) {
            dpl_buf_puts(b, "\xef\xbf\xbd");
            i += k < 0 ? 1 : (size_t)k;
            continue;
        }
        switch (c) {
        case '&': dpl_buf_puts(b, "&amp;"); break;
        case '<': dpl_buf_puts(b, "&lt;"); break;
        case '>': dpl_buf_puts(b, "&gt;"); break;
        case '"': dpl_buf_puts(b, "&quot;"); break;
        case '\n': dpl_buf_puts(b, "&#10;"); break;
        case '\r': dpl_buf_puts(b, "&#13;"); break;
        default: dpl_buf_append(b, s + i, (size_t)k);
        }
        i += (size_t)k;
    }
}

/* The first line of a failure, for the message attribute. */
static void first_line(DplBuf *b, const char *s)
{
    const char *nl = strchr(s, '\n');
    char *l = dpl_strndup(s, nl ? (size_t)(nl - s) : strlen(s));
    xml_text(b, l);
    dpl_free(l);
}

/* The failures (not errors), errors and seconds of cases c[0..n). */
static void totals(const JunitCase *c, size_t n, size_t *failures, size_t *errors, double *secs)
{
    *failures = *errors = 0;
    *secs = 0;
    for (size_t i = 0; i < n; i++) {
        *failures += c[i].failed && !c[i].error;
        *errors += c[i].error;
        *secs += c[i].seconds;
    }
}

static void suite(DplBuf *b, const JunitCase *c, size_t n)
{
    size_t failures, errors;
    double secs;
    totals(c, n, &failures, &errors, &secs);
    dpl_buf_puts(b, "  <testsuite name=\"");
    xml_text(b, c[0].file);
    dpl_buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.6f\">\n", n, failures,
                   errors, secs);
    for (size_t i = 0; i < n; i++) {
        dpl_buf_puts(b, "    <testcase name=\"");
        xml_text(b, c[i].name);
        dpl_buf_puts(b, "\" classname=\"");
        xml_text(b, c[i].file);
        dpl_buf_puts(b, "\" file=\"");
        xml_text(b, c[i].file);
        dpl_buf_printf(b, "\" line=\"%u\" time=\"%.6f\"", c[i].line, c[i].seconds);
        if (!c[i].failed && !c[i].error) {
            dpl_buf_puts(b, "/>\n");
            continue;
        }
        const char *tag = c[i].error ? "error" : "failure";
        const char *detail = c[i].detail ? c[i].detail : "";
        dpl_buf_printf(b, ">\n      <%s message=\"", tag);
        first_line(b, detail);
        dpl_buf_puts(b, "\">");
        xml_text(b, detail);
        dpl_buf_printf(b, "</%s>\n    </testcase>\n", tag);
    }
    dpl_buf_puts(b, "  </testsuite>\n");
}

bool tr_junit_write(const char *path, const JunitCase *cases, size_t n)
{
    DplBuf b = {0};
    size_t failures, errors;
    double secs;
    totals(cases, n, &failures, &errors, &secs);
    dpl_buf_printf(&b,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<testsuites name=\"dpl test\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.6f\">\n",
                   n, failures, errors, secs);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && strcmp(cases[j].file, cases[i].file) == 0)
            j++;
        suite(&b, cases + i, j - i);
        i = j;
    }
    dpl_buf_puts(&b, "</testsuites>\n");
    FILE *f = fopen(path, "w");
    bool ok = f != NULL;
    if (ok) {
        ok = fwrite(b.data, 1, b.len, f) == b.len;
        int e = errno;
        ok = (fclose(f) == 0) && ok;
        if (!ok && !errno)
            errno = e ? e : EIO;
    }
    dpl_buf_free(&b);
    return ok;
}
