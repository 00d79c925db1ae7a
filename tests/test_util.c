/* test_util.c — util/: the one rule for sizes that users write. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

Test(util, sizes_with_and_without_a_suffix)
{
    static const struct {
        const char *text;
        uint64_t want;
    } ok[] = {{"1", 1}, {"1048576", 1048576}, {"64k", 65536}, {"64K", 65536}, {"16m", 16u << 20},
              {"16M", 16u << 20}, {"2g", 2ull << 30}, {"2G", 2ull << 30}};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        uint64_t got = 0;
        cr_assert(dpl_parse_size(ok[i].text, UINT64_MAX, &got), "%s", ok[i].text);
        cr_assert_eq(got, ok[i].want, "%s", ok[i].text);
    }
}

Test(util, sizes_refused)
{
    /* zero, signs, white space, other suffixes, trailing bytes, overflow */
    static const char *const bad[] = {"", "0", "0k", "-1", "+1", " 1", "1 ", "1t", "1kb", "k", "1.5m",
                                      "18446744073709551616", "99999999999999999999k"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint64_t got = 7;
        cr_assert(!dpl_parse_size(bad[i], UINT64_MAX, &got), "`%s` accepted", bad[i]);
        cr_assert_eq(got, 7, "`%s` wrote a value", bad[i]);
    }
}

Test(util, sizes_up_to_the_caller_s_limit)
{
    uint64_t got = 0;
    cr_assert(dpl_parse_size("1024k", 1u << 20, &got));
    cr_assert_eq(got, 1u << 20);
    cr_assert(!dpl_parse_size("1025k", 1u << 20, &got));
    cr_assert(!dpl_parse_size("1048577", 1u << 20, &got));
    cr_assert(!dpl_parse_size("17179869184g", UINT64_MAX, &got)); /* 2^64 bytes */
}

/* Ids are printed by dpl_hex_lower: every byte value, at every length and
 * offset of the 16-byte steps, as printf prints it. */
Test(util, hex_lower_prints_every_byte_as_printf_does)
{
    unsigned char in[64];
    for (int round = 0; round < 256; round++) {
        for (size_t i = 0; i < sizeof in; i++)
            in[i] = (unsigned char)(round * 7 + i * 13 + (i >> 3));
        for (size_t n = 0; n <= sizeof in; n++) {
            char got[2 * sizeof in + 1], want[2 * sizeof in + 1];
            memset(got, 'x', sizeof got);
            dpl_hex_lower(in, n, got);
            for (size_t i = 0; i < n; i++)
                snprintf(want + 2 * i, 3, "%02x", in[i]);
            cr_assert(memcmp(got, want, 2 * n) == 0, "round %d, %zu bytes", round, n);
            cr_assert_eq(got[2 * n], 'x', "wrote past %zu bytes", n);
        }
    }
}
