/* util.h — allocation, arenas, growable buffers and UTF-8 helpers shared by
 * every DPL module.
 *
 * Ownership: dpl_malloc/dpl_realloc/dpl_strndup return memory the caller owns
 * and frees with dpl_free.  They never return NULL: on exhaustion they call
 * the out-of-memory handler, which prints one line and exits with status 1
 * (DPL treats allocation failure as fatal, like git's xmalloc; the fault
 * injection tests check that this path is clean).  jansson is routed through
 * the same allocator by dpl_util_init().
 *
 * An arena owns every block allocated from it and releases them all in
 * dpl_arena_free(); callbacks registered with dpl_arena_defer() run then too
 * (used for compiled regexes that live as long as a program).
 */
#ifndef DPL_UTIL_H
#define DPL_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Installs the allocator into jansson and sets malloc's thresholds (see
 * util.c).  Call once at program start. */
void dpl_util_init(void);

void *dpl_malloc(size_t n);
void *dpl_calloc(size_t count, size_t size);
void *dpl_realloc(void *p, size_t n);
void dpl_free(void *p);
char *dpl_strdup(const char *s);
char *dpl_strndup(const char *s, size_t n);
/* printf into a new string the caller frees. */
char *dpl_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *dpl_vasprintf(const char *fmt, va_list ap);
/* zlib's z_stream zalloc/zfree through the same allocator (their types
 * are zlib's alloc_func and free_func): zlib never sees NULL either. */
void *dpl_zalloc(void *opaque, unsigned items, unsigned size);
void dpl_zfree(void *opaque, void *p);

/* Fault injection for tests: the n-th allocation from now fails (n >= 1);
 * 0 disables.  Also read from the environment variable DPL_FAIL_ALLOC_AT by
 * dpl_util_init(). */
void dpl_alloc_fail_at(long n);

/* Writes all of p[0..n) to fd, through short writes, EINTR and (waiting in
 * poll) EAGAIN; 0, or the errno value of the write that failed.  Every
 * write of output goes through here: once a thread has run out of memory,
 * a thread calling it waits for the process to exit, and the out-of-memory
 * message waits for writes under way, so it is the last thing written,
 * once, whatever the other threads of `dpl run -j N` were doing. */
int dpl_write_all(int fd, const char *p, size_t n);

/* ---- arena ---------------------------------------------------------- */
typedef struct DplArena DplArena;

DplArena *dpl_arena_new(void);
/* Zeroed, aligned for any type. */
void *dpl_arena_alloc(DplArena *a, size_t n);
char *dpl_arena_strndup(DplArena *a, const char *s, size_t n);
char *dpl_arena_strdup(DplArena *a, const char *s);
/* Run fn(ptr) when the arena is freed (in reverse order of registration). */
void dpl_arena_defer(DplArena *a, void (*fn)(void *), void *ptr);
void dpl_arena_free(DplArena *a);

/* A growable array allocated from an arena: DPL_VEC(T) v = {0};
 * dpl_vec_push(arena, &v, item).  Old storage stays in the arena. */
#define DPL_VEC(T)        \
    struct {              \
        T *items;         \
        size_t len, cap;  \
    }
#define dpl_vec_push(arena, vec, item)                                          \
    do {                                                                        \
        if ((vec)->len == (vec)->cap) {                                         \
            size_t ncap_ = (vec)->cap ? (vec)->cap * 2 : 4;                     \
            void *nitems_ = dpl_arena_alloc((arena), ncap_ * sizeof *(vec)->items); \
            if ((vec)->len)                                                     \
                memcpy(nitems_, (vec)->items, (vec)->len * sizeof *(vec)->items); \
            (vec)->items = nitems_;                                             \
            (vec)->cap = ncap_;                                                 \
        }                                                                       \
        (vec)->items[(vec)->len++] = (item);                                    \
    } while (0)

/* ---- growable byte buffer (heap, owned by the DplBuf) ----------------- */
typedef struct {
    char *data; /* always NUL-terminated when len > 0 or after any append */
    size_t len, cap;
} DplBuf;

/* Room for extra more bytes and a NUL, so that appends up to that size do
 * not reallocate. */
void dpl_buf_reserve(DplBuf *b, size_t extra);
/* Appending bytes, a C string, one byte or printf output. */
void dpl_buf_append(DplBuf *b, const void *p, size_t n);
void dpl_buf_puts(DplBuf *b, const char *s);
void dpl_buf_putc(DplBuf *b, char c);
void dpl_buf_printf(DplBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dpl_buf_vprintf(DplBuf *b, const char *fmt, va_list ap);
void dpl_buf_reset(DplBuf *b); /* len = 0, keeps capacity */
void dpl_buf_free(DplBuf *b);
/* Transfers the bytes to the caller (free with dpl_free); buffer is emptied. */
char *dpl_buf_take(DplBuf *b);

/* ---- sizes -------------------------------------------------------------- */
/* A positive byte count: decimal digits with an optional k, m or g suffix
 * (KiB, MiB, GiB; either case) and nothing else, at most max.  Every size
 * a user writes (`dpl run --max-record-bytes`, dir://'s max_bytes) is read
 * by this one rule.  False for anything else. */
bool dpl_parse_size(const char *s, uint64_t max, uint64_t *out);

/* ---- UTF-8 ------------------------------------------------------------ */
/* Decodes one code point from s[0..n).  Returns its byte length (1..4) and
 * stores it in *cp, or returns -1 for an invalid/truncated/overlong sequence
 * or a surrogate. */
int dpl_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encodes cp into out (at least 4 bytes); returns the byte length. */
int dpl_utf8_encode(uint32_t cp, char *out);
/* Whether s[0..n) is all valid UTF-8 (as dpl_utf8_decode accepts it). */
bool dpl_utf8_valid(const char *s, size_t n);
/* Number of code points in a valid UTF-8 string. */
size_t dpl_utf8_count(const char *s, size_t n);

/* ---- hashing (sha256.c, OpenSSL libcrypto) ------------------------------- */
#define DPL_SHA256_HEX_LEN 64
/* Writes 2*n lowercase hex digits of in[0..n) to out (no NUL). */
void dpl_hex_lower(const unsigned char *in, size_t n, char *out);
/* Lowercase hex SHA-256 of data[0..len) into out (64 bytes, no NUL). */
void dpl_sha256_hex(const void *data, size_t len, char out[DPL_SHA256_HEX_LEN]);

/* ---- files (file.c) -------------------------------------------------------- */
/* Replaces the contents of path with text[0..len): written to a temporary
 * file in the same directory (PATH.dpl-tmp-XXXXXX), fsync'd, then renamed
 * over path, so readers see the old or the new file, never a mix.  The file
 * keeps its permission bits; a symlink is followed, not replaced; a path
 * that does not exist yet is created (mode 0666 less the umask).  SIGINT or
 * SIGTERM during the write removes the temporary file, then acts as before
 * (by default: ends the process).  False with *why (a static string) on
 * failure, the original file untouched.  Not thread-safe. */
bool dpl_write_file_atomic(const char *path, const char *text, size_t len, const char **why);

/* ---- unified diff (diff.c) ------------------------------------------------ */
/* Appends to out a unified diff (`--- a_name`, `+++ b_name`, hunks with
 * `context` lines around each change) turning text a into text b, as
 * `diff -u` and `patch` understand it.  Returns false, appending nothing,
 * when the texts are the same. */
bool dpl_diff_unified(DplBuf *out, const char *a_name, const char *a, size_t alen, const char *b_name,
                      const char *b, size_t blen, unsigned context);

/* ---- string map (strmap.c) ---------------------------------------------- */
/* Byte strings (any bytes, NUL included) to size_t values, O(1) per
 * operation.  DplStrMap m = {0} is an empty map; it owns copies of its keys;
 * dpl_strmap_free releases them. */
typedef struct {
    char *key; /* NULL: empty slot */
    size_t len;
    size_t value;
} DplStrMapEntry;
typedef struct {
    DplStrMapEntry *slots;
    size_t cap, count;
} DplStrMap;

/* Whether key[0..len) is in the map; stores its value in *value (if not NULL). */
bool dpl_strmap_get(const DplStrMap *m, const char *key, size_t len, size_t *value);
/* Adds key -> value and returns true; when key is there already, leaves the
 * map unchanged, stores the present value in *existing (if not NULL) and
 * returns false. */
bool dpl_strmap_put(DplStrMap *m, const char *key, size_t len, size_t value, size_t *existing);
void dpl_strmap_free(DplStrMap *m);

/* Appends the standard base64 (RFC 4648, padded) of data[0..len) to out. */
void dpl_base64_append(DplBuf *out, const void *data, size_t len);

/* Levenshtein distance, for "did you mean" suggestions. */
size_t dpl_edit_distance(const char *a, const char *b);
/* The candidate nearest to name by edit distance, or NULL when none is close
 * enough to be a plausible typo (at most 2 edits, and at most half the name):
 * the one "did you mean" rule of check, the options and the REPL. */
const char *dpl_nearest(const char *name, const char *const *cands, size_t n);

#endif
