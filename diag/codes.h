/* codes.h — every diagnostic code, defined once.
 * X(code, severity, title, explanation); see diag.h. */
#ifndef DPL_DIAG_CODES_H
#define DPL_DIAG_CODES_H

#define DPL_DIAG_CODES(X)                                                                 \
    X(E101, DPL_SEV_ERROR, "unexpected character", "")                                    \
    X(E102, DPL_SEV_ERROR, "unterminated string", "")                                     \
    X(E103, DPL_SEV_ERROR, "invalid escape sequence", "")                                 \
    X(E104, DPL_SEV_ERROR, "invalid number literal", "")                                  \
    X(E201, DPL_SEV_ERROR, "unexpected token", "")                                        \
    X(E202, DPL_SEV_ERROR, "unclosed block", "")                                          \
    X(E203, DPL_SEV_ERROR, "unknown statement", "")                                       \
    X(E204, DPL_SEV_ERROR, "computed add item without `-> target`", "")                   \
    X(E301, DPL_SEV_ERROR, "no `entity` statement", "")                                   \
    X(E302, DPL_SEV_ERROR, "duplicate `entity` or `sources` statement", "")               \
    X(E303, DPL_SEV_ERROR, "unknown function", "")                                        \
    X(E304, DPL_SEV_ERROR, "wrong number of arguments", "")                               \
    X(E305, DPL_SEV_ERROR, "type mismatch", "")                                           \
    X(E306, DPL_SEV_ERROR, "attribute written twice", "")                                 \
    X(E307, DPL_SEV_ERROR, "unknown cast type", "")                                       \
    X(E308, DPL_SEV_ERROR, "`'id` used before the id is known", "")                       \
    X(E309, DPL_SEV_ERROR, "entity without keys", "")                                     \
    X(E310, DPL_SEV_ERROR, "unknown meta attribute", "")                                  \
    X(E311, DPL_SEV_ERROR, "invalid regular expression", "")                              \
    X(W401, DPL_SEV_WARNING, "no `sources` statement", "")                                \
    X(W402, DPL_SEV_WARNING, "duplicate path in `mandatory`", "")                         \
    X(W403, DPL_SEV_WARNING, "`delete` of an attribute never written", "")                \
    X(W404, DPL_SEV_WARNING, "condition is constant", "")

#endif
