/* casemap.h — private to stdlib: the generated case-mapping runs
 * (casemap_table.c, from scripts/gen_casemap.py) and their shape. */
#ifndef DPL_STDLIB_CASEMAP_H
#define DPL_STDLIB_CASEMAP_H

#include <stddef.h>
#include <stdint.h>

/* Code points first, first+stride, ..., last map to cp + delta. */
typedef struct {
    uint32_t first, last;
    uint8_t stride;
    int32_t delta;
} DplCaseRange;

extern const DplCaseRange dpl_case_upper_ranges[];
extern const size_t dpl_case_upper_ranges_len;
extern const DplCaseRange dpl_case_lower_ranges[];
extern const size_t dpl_case_lower_ranges_len;

#endif
