/* url.c — parsing `dir://PATH?max_bytes=N&max_seconds=S&gzip=1` (spec §15). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "lake/lake.h"
#include "util/util.h"

#define SCHEME "dir://"

bool dpl_lake_is_url(const char *spec) { return strncmp(spec, SCHEME, strlen(SCHEME)) == 0; }

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* s[0..n) with %XX decoded; NULL when an escape is malformed or decodes to
 * NUL. */
static char *decode(const char *s, size_t n)
{
    char *out = dpl_malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            out[o++] = s[i];
            continue;
        }
        int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
        int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            dpl_free(out);
            return NULL;
        }
        out[o++] = (char)(hi * 16 + lo);
        i += 2;
    }
    out[o] = '\0';
    return out;
}

static bool parse_seconds(const char *s, double *out)
{
    char *end;
    errno = 0;
    if ((*s < '0' || *s > '9') && *s != '.')
        return false;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v) || v <= 0 || v > 1e9)
        return false;
    *out = v;
    return true;
}

static bool fail(DplLakeUrl *out, char **err, char *msg)
{
    *err = msg;
    dpl_lake_url_free(out);
    return false;
}

bool dpl_lake_url_parse(const char *spec, DplLakeUrl *out, char **err)
{
    memset(out, 0, sizeof *out);
    out->max_bytes = DPL_LAKE_DEFAULT_MAX_BYTES;
    out->max_seconds = DPL_LAKE_DEFAULT_MAX_SECONDS;
    if (!dpl_lake_is_url(spec))
        return fail(out, err, dpl_asprintf("`%s` is not a dir:// URL", spec));
    const char *path = spec + strlen(SCHEME);
    const char *q = strchr(path, '?');
    size_t plen = q ? (size_t)(q - path) : strlen(path);
    if (plen == 0)
        return fail(out, err, dpl_asprintf("`%s` names no directory (dir://PATH)", spec));
    out->dir = decode(path, plen);
    if (!out->dir)
        return fail(out, err, dpl_asprintf("`%s`: a %% escape in the path is not %%XX", spec));
    const char *p = q ? q + 1 : NULL;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (!eq)
            return fail(out, err, dpl_asprintf("`%s`: parameter `%.*s` has no value (name=value)", spec, (int)n, p));
        size_t klen = (size_t)(eq - p);
        char *val = decode(eq + 1, n - klen - 1);
        if (!val)
            return fail(out, err, dpl_asprintf("`%s`: a %% escape in `%.*s` is not %%XX", spec, (int)n, p));
        bool ok = true;
        const char *want = NULL;
        if (klen == 9 && strncmp(p, "max_bytes", 9) == 0) {
            ok = dpl_parse_size(val, UINT64_MAX, &out->max_bytes);
            want = "a positive size like 1048576 or 64m";
        } else if (klen == 11 && strncmp(p, "max_seconds", 11) == 0) {
            ok = parse_seconds(val, &out->max_seconds);
            want = "a positive number of seconds like 60 or 0.5";
        } else if (klen == 4 && strncmp(p, "gzip", 4) == 0) {
            ok = strcmp(val, "0") == 0 || strcmp(val, "1") == 0 || strcmp(val, "true") == 0 ||
                 strcmp(val, "false") == 0;
            out->gzip = strcmp(val, "1") == 0 || strcmp(val, "true") == 0;
            want = "0 or 1";
        } else {
            dpl_free(val);
            return fail(out, err,
                        dpl_asprintf("`%s`: unknown parameter `%.*s` (dir:// takes max_bytes, max_seconds and gzip)",
                                     spec, (int)klen, p));
        }
        if (!ok) {
            char *m = dpl_asprintf("`%s`: %.*s needs %s, not `%s`", spec, (int)klen, p, want, val);
            dpl_free(val);
            return fail(out, err, m);
        }
        dpl_free(val);
        p = amp ? amp + 1 : NULL;
    }
    return true;
}

void dpl_lake_url_free(DplLakeUrl *u)
{
    dpl_free(u->dir);
    u->dir = NULL;
}
