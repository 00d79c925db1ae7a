/* base64.c — standard base64 (RFC 4648, with padding), for bytes that must
 * travel inside JSON exactly: a reject's "raw_base64". */
#include "util/util.h"

void dpl_base64_append(DplBuf *out, const void *data, size_t len)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    dpl_buf_reserve(out, (len + 2) / 3 * 4);
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < len)
            v |= p[i + 2];
        char q[4] = {abc[v >> 18], abc[(v >> 12) & 63], i + 1 < len ? abc[(v >> 6) & 63] : '=',
                     i + 2 < len ? abc[v & 63] : '='};
        dpl_buf_append(out, q, 4);
    }
}
