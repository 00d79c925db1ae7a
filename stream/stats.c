/* stats.c — the counts of `dpl run --stats`: adding two sets of counts and
 * the JSON line.  A new count is a field in DplStreamStats and a line in each
 * function here. */
#include "stdlib/stdlib.h"
#include "stream/stream.h"

void dpl_stream_stats_add(DplStreamStats *to, const DplStreamStats *from)
{
    to->records += from->records;
    to->emitted += from->emitted;
    to->skipped += from->skipped;
    to->rejected += from->rejected;
    to->blank += from->blank;
    for (int c = 0; c < DPL_RT_COUNT; c++)
        to->by_code[c] += from->by_code[c];
}

void dpl_stream_stats_json(const DplStreamStats *s, DplBuf *out)
{
    dpl_buf_printf(
        out, "{\"records\":%llu,\"emitted\":%llu,\"skipped\":%llu,\"rejected\":%llu,\"rejects_by_code\":{",
        s->records, s->emitted, s->skipped, s->rejected);
    bool first = true;
    for (int c = 0; c < DPL_RT_COUNT; c++) {
        if (!s->by_code[c])
            continue;
        dpl_buf_printf(out, "%s\"%s\":%llu", first ? "" : ",", dpl_rt_code_name((DplRtCode)c), s->by_code[c]);
        first = false;
    }
    dpl_buf_printf(out, "},\"blank_lines\":%llu}\n", s->blank);
}
