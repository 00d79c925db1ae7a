/* diag.h — source files, spans and diagnostics.
 *
 * The library never prints: the lexer, parser and checker append DplDiag
 * entries to a DplDiagList, and the CLI and REPL render them with
 * dpl_diag_render_human() / dpl_diag_render_json().
 *
 * Every diagnostic code is defined once, in DPL_DIAG_CODES below: code,
 * severity, a one-line title, and the explanation text that `dplc explain`
 * prints and docs/errors.md repeats.
 *
 * Ownership: a DplSource borrows nothing (it copies the text it is given);
 * a DplDiagList owns its diagnostics and their strings.
 */
#ifndef DPL_DIAG_H
#define DPL_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/* A half-open byte range [start, end) in a source text. */
typedef struct {
    uint32_t start, end;
} DplSpan;

/* 1-based line and 1-based column counted in code points. */
typedef struct {
    uint32_t line, column;
} DplPos;

typedef struct {
    char *name;            /* file name as given by the user, or "<repl>" */
    char *text;            /* NUL-terminated copy; may contain other NULs */
    size_t len;
    uint32_t *line_starts; /* byte offset of each line's first byte */
    size_t nlines;
} DplSource;

/* Copies name and text. */
DplSource *dpl_source_new(const char *name, const char *text, size_t len);
/* Largest program file dpl_source_read_file accepts (docs/limits.md). */
#define DPL_SOURCE_MAX_BYTES (64u * 1024u * 1024u)
/* Reads a file; returns NULL and sets *err (static string) on I/O failure
 * or when the file is larger than DPL_SOURCE_MAX_BYTES. */
DplSource *dpl_source_read_file(const char *path, const char **err);
/* Frees the source and its copies; NULL is allowed. */
void dpl_source_free(DplSource *src);
/* Line and column of a byte offset (an offset past the end is the end). */
DplPos dpl_source_locate(const DplSource *src, uint32_t offset);
/* Returns the text of the 1-based line (without its newline) and its length. */
const char *dpl_source_line(const DplSource *src, uint32_t line, size_t *len);

typedef enum { DPL_SEV_ERROR, DPL_SEV_WARNING } DplSeverity;

/* X(code, severity, title, explanation)
 * The explanation is a paragraph, a blank line, then an example. */
#include "diag/codes.h"

typedef enum {
#define X(code, sev, title, explain) DPL_##code,
    DPL_DIAG_CODES(X)
#undef X
    DPL_DIAG_CODE_COUNT
} DplCode;

/* The columns of DPL_DIAG_CODES for one code (static strings). */
const char *dpl_code_name(DplCode c);       /* "E303" */
DplSeverity dpl_code_severity(DplCode c);
const char *dpl_code_title(DplCode c);      /* one line */
const char *dpl_code_explain(DplCode c);    /* `dplc explain` text */
/* Parses "E303" (case-insensitive); returns false if unknown. */
bool dpl_code_parse(const char *s, DplCode *out);

/* The reject codes of `dpl run` (DPL_RT_CODES in codes.h). */
typedef enum {
#define X(id, name, title, explain) DPL_RT_##id,
    DPL_RT_CODES(X)
#undef X
    DPL_RT_COUNT
} DplRtCode;
const char *dpl_rt_code_name(DplRtCode c);    /* "missing_mandatory" */
const char *dpl_rt_code_title(DplRtCode c);   /* one line */
const char *dpl_rt_code_explain(DplRtCode c); /* `dplc explain` text */
/* Parses "cast_failed" (case-insensitive); returns false if unknown. */
bool dpl_rt_code_parse(const char *s, DplRtCode *out);

/* `dplc explain NAME` (and the REPL's :explain): the heading line, then the
 * paragraph and example, of a diagnostic code (E303, w401) or a reject code
 * (cast_failed).  Returns false, appending nothing, for an unknown name. */
bool dpl_explain(DplBuf *out, const char *name);
/* Every code's explanation: the text of docs/errors.md. */
void dpl_explain_all(DplBuf *out);
/* The message for an unknown code, with the nearest known one suggested. */
void dpl_explain_unknown(DplBuf *out, const char *name);
/* Every code's name, diagnostic codes first (for completion); static. */
const char *dpl_explain_code_name(size_t i); /* NULL past the last */

#define DPL_DIAG_MAX_NOTES 4
#define DPL_DIAG_MAX_FIXES 2

/* A machine-applicable fix: replace the bytes of span with replacement.
 * Only attached where the suggestion is certain (a did-you-mean name, a
 * string written in the wrong quotes, `=` in a condition, ...): `dplc check
 * --fix` applies them without asking. */
typedef struct {
    DplSpan span;
    char *replacement; /* owned */
} DplFix;

typedef struct {
    DplCode code;
    DplSeverity severity;
    DplSpan span;
    char *message;       /* owned */
    char *label;         /* owned, optional: text printed beside the carets */
    char *help;          /* owned, optional: "did you mean `len`?" */
    char *notes[DPL_DIAG_MAX_NOTES]; /* owned, optional */
    size_t nnotes;
    DplFix fixes[DPL_DIAG_MAX_FIXES]; /* optional; all of them make one fix */
    size_t nfixes;
} DplDiag;

typedef struct {
    DplDiag *items;
    size_t len, cap;
} DplDiagList;

/* Appends a diagnostic with the code's default severity; returns it so the
 * caller can set help/notes with the functions below. */
DplDiag *dpl_diag_add(DplDiagList *l, DplCode code, DplSpan span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sets the help line, replacing an earlier one. */
void dpl_diag_help(DplDiag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sets the text beside the carets, replacing an earlier one. */
void dpl_diag_label(DplDiag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a note; notes beyond DPL_DIAG_MAX_NOTES are dropped. */
void dpl_diag_note(DplDiag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a fix (a copy of replacement) to d; d may be NULL (a suppressed
 * diagnostic); fixes beyond DPL_DIAG_MAX_FIXES are dropped. */
void dpl_diag_fix(DplDiag *d, DplSpan span, const char *replacement);
/* The text of src with every fix of l applied (a new string the caller
 * frees; *len set), or NULL when l has no fix.  A diagnostic's fixes are
 * applied together or not at all; one that overlaps a fix already taken is
 * left for a later round.  *applied counts the diagnostics fixed. */
char *dpl_diag_apply_fixes(const DplSource *src, const DplDiagList *l, size_t *len, size_t *applied);
/* Number of diagnostics of one severity. */
size_t dpl_diag_count(const DplDiagList *l, DplSeverity sev);
/* Stable sort by span start (then code), the order users read them in. */
void dpl_diag_sort(DplDiagList *l);
/* Turns every warning into an error (`-W error`). */
void dpl_diag_warnings_as_errors(DplDiagList *l);
/* Frees every diagnostic; the list keeps its storage for reuse. */
void dpl_diag_list_clear(DplDiagList *l);
/* Frees the diagnostics and the storage; the list is empty and reusable. */
void dpl_diag_list_free(DplDiagList *l);

/* Human format of spec §9, appended to out:
 *   file:line:col: error[E303]: message
 *      |
 *   14 |     source line
 *      |     ^^^^ label-or-help
 *      = help: ...   (when both label and help are set)
 *      = note: ...
 * Colour escapes only when color is true. */
void dpl_diag_render_human(DplBuf *out, const DplSource *src, const DplDiag *d, bool color);
/* The JSON object of spec §9 for every diagnostic in l (one line + '\n');
 * a diagnostic with fixes gets "fixes":[{"span":{...},"replacement":"..."}]. */
void dpl_diag_render_json(DplBuf *out, const DplSource *src, const DplDiagList *l);

#endif
