/* sha256.c — SHA-256 as lowercase hex: entity ids (spec §7.3) and sha256().
 *
 * The low-level SHA256_* calls are deprecated in OpenSSL 3 in favour of
 * EVP, but measured on the fipe benchmark they cost 95 ns per id against
 * 157 ns for a pre-fetched EVP_MD and 625 ns for EVP_sha256() (bench/README.md). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/util.h"

void dpl_hex_lower(const unsigned char *in, size_t n, char *out)
{
    size_t i = 0;
#ifdef __SSE2__
    /* 16 bytes a step (every record's id goes through here): each nibble
     * becomes '0' + x, plus 39 above 9 to reach 'a' */
    const __m128i low = _mm_set1_epi8(0x0F), nine = _mm_set1_epi8(9), zero = _mm_set1_epi8('0'),
                  gap = _mm_set1_epi8('a' - '0' - 10);
    for (; i + 16 <= n; i += 16) {
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
        __m128i hi = _mm_and_si128(_mm_srli_epi16(b, 4), low), lo = _mm_and_si128(b, low);
        __m128i x0 = _mm_unpacklo_epi8(hi, lo), x1 = _mm_unpackhi_epi8(hi, lo);
        x0 = _mm_add_epi8(_mm_add_epi8(x0, zero), _mm_and_si128(_mm_cmpgt_epi8(x0, nine), gap));
        x1 = _mm_add_epi8(_mm_add_epi8(x1, zero), _mm_and_si128(_mm_cmpgt_epi8(x1, nine), gap));
        _mm_storeu_si128((__m128i *)(void *)(out + 2 * i), x0);
        _mm_storeu_si128((__m128i *)(void *)(out + 2 * i + 16), x1);
    }
#endif
    static const char digits[] = "0123456789abcdef";
    for (; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
}

void dpl_sha256_hex(const void *data, size_t len, char out[DPL_SHA256_HEX_LEN])
{
    /* not SHA256(): in OpenSSL 3 that fetches the algorithm from a provider
     * on every call (and loads the providers on the first, ~2 ms of every
     * `dpl run`'s start-up) */
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, data, len);
    SHA256_Final(md, &c);
    dpl_hex_lower(md, sizeof md, out);
}
