/* casemap.c — lookups in the generated case-mapping runs (casemap_table.c):
 * the simple Unicode case mappings that lower() and upper() apply. */
#include "stdlib/casemap.h"
#include "stdlib/stdlib.h"

static uint32_t lookup(const DplCaseRange *r, size_t n, uint32_t cp)
{
    /* the last run that starts at or before cp */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r[mid].first <= cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return cp;
    const DplCaseRange *x = &r[lo - 1];
    if (cp > x->last || (cp - x->first) % x->stride)
        return cp;
    return (uint32_t)((int32_t)cp + x->delta);
}

uint32_t dpl_case_upper(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'a' && cp <= 'z' ? cp - 32 : cp;
    return lookup(dpl_case_upper_ranges, dpl_case_upper_ranges_len, cp);
}

uint32_t dpl_case_lower(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    return lookup(dpl_case_lower_ranges, dpl_case_lower_ranges_len, cp);
}
