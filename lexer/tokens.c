/* tokens.c — token spellings (from the DPL_TOKENS X-macro) and keyword lookup. */
#include <string.h>

#include "lexer/lexer.h"

static const char *const spellings[DPL_TOK_COUNT] = {
#define X(name, spelling) [DPL_TOK_##name] = spelling,
    DPL_TOKENS(X)
#undef X
};

const char *dpl_tok_spelling(DplTokKind k)
{
    if ((unsigned)k >= DPL_TOK_COUNT)
        return "?";
    return spellings[k];
}

DplTokKind dpl_tok_keyword(const char *s, size_t n)
{
    /* Keywords are the only spellings made of letters, so a linear scan of the
     * keyword range of the table is the whole lookup: 20 short compares. */
    for (int k = DPL_TOK_FIRST_KEYWORD; k <= DPL_TOK_LAST_KEYWORD; k++) {
        const char *kw = spellings[k];
        if (strlen(kw) == n && memcmp(kw, s, n) == 0)
            return (DplTokKind)k;
    }
    return DPL_TOK_IDENT;
}

bool dpl_tok_is_keyword(DplTokKind k)
{
    return k >= DPL_TOK_FIRST_KEYWORD && k <= DPL_TOK_LAST_KEYWORD;
}
