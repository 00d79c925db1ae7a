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

static const unsigned char lengths[DPL_TOK_COUNT] = {
#define X(name, spelling) [DPL_TOK_##name] = sizeof(spelling) - 1,
    DPL_TOKENS(X)
#undef X
};

DplTokKind dpl_tok_keyword(const char *s, size_t n)
{
    /* A linear scan of the 21 keywords; the length and first-letter tests
     * reject almost every identifier before any memcmp. */
    for (int k = DPL_TOK_FIRST_KEYWORD; k <= DPL_TOK_LAST_KEYWORD; k++) {
        const char *kw = spellings[k];
        if (lengths[k] == n && kw[0] == s[0] && memcmp(kw, s, n) == 0)
            return (DplTokKind)k;
    }
    return DPL_TOK_IDENT;
}

bool dpl_tok_is_name(const char *s, size_t n)
{
    /* the `ident` rule of lexer.re, for a name that is not in a source text */
    if (n == 0 || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

bool dpl_tok_is_keyword(DplTokKind k)
{
    return k >= DPL_TOK_FIRST_KEYWORD && k <= DPL_TOK_LAST_KEYWORD;
}
