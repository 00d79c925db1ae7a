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
    to->skipped_source += from->skipped_source;
    to->skipped_where += from->skipped_where;
    for (int c = 0; c < DPL_RT_COUNT; c++)
        to->by_code[c] += from->by_code[c];
}

void dpl_stream_stats_json(const DplStreamStats *s, const DplPresence *presence, DplBuf *out)
{
    dpl_buf_printf(out,
                   "{\"records\":%llu,\"emitted\":%llu,\"skipped\":%llu,\"skipped_by\":{\"source\":%llu,\"where\":%llu},"
                   "\"rejected\":%llu,\"rejects_by_code\":{",
                   s->records, s->emitted, s->skipped, s->skipped_source, s->skipped_where, s->rejected);
    bool first = true;
    for (int c = 0; c < DPL_RT_COUNT; c++) {
        if (!s->by_code[c])
            continue;
        dpl_buf_printf(out, "%s\"%s\":%llu", first ? "" : ",", dpl_rt_code_name((DplRtCode)c), s->by_code[c]);
        first = false;
    }
    dpl_buf_putc(out, '}');
    if (presence)
        dpl_presence_write_stats(out, presence);
    dpl_buf_printf(out, ",\"blank_lines\":%llu}\n", s->blank);
}
