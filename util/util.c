/* util.c — the one allocator (and the write every output goes through),
 * arenas, byte buffers, UTF-8 and edit distance. */
#include "util/util.h"

#include <errno.h>
#include <jansson.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* ---- allocator ----------------------------------------------------------- */

/* Shared by every thread of `dpl run -j N`: exactly one allocation fails. */
static _Atomic long fail_countdown; /* 0: never fail */

void dpl_alloc_fail_at(long n) { atomic_store(&fail_countdown, n > 0 ? n : 0); }

/* With -j N another thread may be writing output when one runs out of
 * memory: the message must still come last on stderr, once.  The first
 * thread out of memory closes the output gate (output_enter), waits
 * for writes under way (at most a second or two), then speaks and exits;
 * any other thread that gets here, or to the gate, waits for the exit. */
static atomic_bool dying;
static atomic_int writing;

static _Noreturn void wait_for_exit(void)
{
    for (;;)
        pause();
}

static void output_enter(void)
{
    atomic_fetch_add(&writing, 1);
    if (atomic_load(&dying)) {
        atomic_fetch_sub(&writing, 1);
        wait_for_exit();
    }
}

static void output_leave(void) { atomic_fetch_sub(&writing, 1); }

int dpl_write_all(int fd, const char *p, size_t n)
{
    int err = 0;
    size_t off = 0;
    output_enter(); /* after an out-of-memory message, nothing */
    while (off < n) {
        ssize_t w = write(fd, p + off, n - off);
        if (w >= 0) {
            off += (size_t)w;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            struct pollfd pf = {.fd = fd, .events = POLLOUT};
            poll(&pf, 1, -1);
        } else {
            err = errno;
            break;
        }
    }
    output_leave();
    return err;
}

static _Noreturn void out_of_memory(void)
{
    if (atomic_exchange(&dying, true))
        wait_for_exit();
    /* a write to a reader that stopped reading may never end: wait for it
     * one to two seconds at most */
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (atomic_load(&writing) && clock_gettime(CLOCK_MONOTONIC, &t) == 0 && t.tv_sec - t0.tv_sec < 2)
        sched_yield();
    static const char msg[] = "dpl: out of memory\n";
    /* write(2): stdio may itself need memory. */
    ssize_t r = write(2, msg, sizeof msg - 1);
    (void)r;
    exit(1);
}

/* True when fault injection says this allocation must fail. */
static bool injected_failure(void)
{
    long n = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    while (n > 0)
        if (atomic_compare_exchange_weak_explicit(&fail_countdown, &n, n - 1, memory_order_relaxed,
                                                  memory_order_relaxed))
            return n == 1;
    return false;
}

void *dpl_malloc(size_t n)
{
    void *p = injected_failure() ? NULL : malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *dpl_calloc(size_t count, size_t size)
{
    void *p = injected_failure() ? NULL : calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *dpl_realloc(void *old, size_t n)
{
    void *p = injected_failure() ? NULL : realloc(old, n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void dpl_free(void *p) { free(p); }

void *dpl_zalloc(void *opaque, unsigned items, unsigned size)
{
    (void)opaque;
    return dpl_calloc(items, size);
}

void dpl_zfree(void *opaque, void *p)
{
    (void)opaque;
    dpl_free(p);
}

char *dpl_strndup(const char *s, size_t n)
{
    char *p = dpl_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *dpl_strdup(const char *s) { return dpl_strndup(s, strlen(s)); }

/* Formats into a stack buffer first: most messages fit, and measuring with
 * vsnprintf(NULL, 0, ...) trips GCC's -Wformat-truncation under UBSan. */
static int format_measure(char *small, size_t n, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(small, n, fmt, ap2);
    va_end(ap2);
    return len < 0 ? 0 : len;
}

char *dpl_vasprintf(const char *fmt, va_list ap)
{
    char small[256];
    int n = format_measure(small, sizeof small, fmt, ap);
    char *p = dpl_malloc((size_t)n + 1);
    if ((size_t)n < sizeof small)
        memcpy(p, small, (size_t)n + 1);
    else
        vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *dpl_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = dpl_vasprintf(fmt, ap);
    va_end(ap);
    return p;
}

/* Buffers of a few hundred KiB (a run's blocks and lanes) come from the
 * heap, not from mappings of their own: glibc maps anything over 128 KiB
 * at first, and a run's end then spent 0.7-1.4 ms in munmap(2) on the
 * benchmark's virtual machine, more than the process's exit takes to drop
 * the same pages (bench/README.md, thirteenth pass).  Anything larger (a
 * huge line's buffer) is still mapped, and given back when freed. */
#define MMAP_ABOVE (4u << 20)
#define TRIM_ABOVE (8u << 20)

void dpl_util_init(void)
{
    mallopt(M_MMAP_THRESHOLD, MMAP_ABOVE);
    mallopt(M_TRIM_THRESHOLD, TRIM_ABOVE);
    json_set_alloc_funcs(dpl_malloc, dpl_free);
#ifdef DPL_FAULT_INJECTION
    const char *at = getenv("DPL_FAIL_ALLOC_AT");
    if (at && *at)
        dpl_alloc_fail_at(strtol(at, NULL, 10));
#endif
}

/* ---- arena ----------------------------------------------------------------- */

typedef struct Block {
    struct Block *next;
    size_t used, size;
    max_align_t data[];
} Block;

typedef struct Deferred {
    struct Deferred *next;
    void (*fn)(void *);
    void *ptr;
} Deferred;

struct DplArena {
    Block *head;
    Deferred *deferred;
};

enum { ARENA_BLOCK = 16 * 1024 };

DplArena *dpl_arena_new(void) { return dpl_calloc(1, sizeof(DplArena)); }

void *dpl_arena_alloc(DplArena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    if (n == 0)
        n = align;
    Block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = dpl_malloc(sizeof(Block) + size);
        b->used = 0;
        b->size = size;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *dpl_arena_strndup(DplArena *a, const char *s, size_t n)
{
    char *p = dpl_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *dpl_arena_strdup(DplArena *a, const char *s) { return dpl_arena_strndup(a, s, strlen(s)); }

void dpl_arena_defer(DplArena *a, void (*fn)(void *), void *ptr)
{
    Deferred *d = dpl_malloc(sizeof *d);
    d->fn = fn;
    d->ptr = ptr;
    d->next = a->deferred;
    a->deferred = d;
}

void dpl_arena_free(DplArena *a)
{
    if (!a)
        return;
    for (Deferred *d = a->deferred, *next; d; d = next) {
        next = d->next;
        d->fn(d->ptr);
        dpl_free(d);
    }
    for (Block *b = a->head, *next; b; b = next) {
        next = b->next;
        dpl_free(b);
    }
    dpl_free(a);
}

/* ---- buffer ------------------------------------------------------------------ */

void dpl_buf_reserve(DplBuf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = dpl_realloc(b->data, cap);
    b->cap = cap;
}

void dpl_buf_append(DplBuf *b, const void *p, size_t n)
{
    dpl_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void dpl_buf_puts(DplBuf *b, const char *s) { dpl_buf_append(b, s, strlen(s)); }

void dpl_buf_putc(DplBuf *b, char c)
{
    dpl_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void dpl_buf_vprintf(DplBuf *b, const char *fmt, va_list ap)
{
    char small[256];
    int n = format_measure(small, sizeof small, fmt, ap);
    if (n <= 0)
        return;
    if ((size_t)n < sizeof small) {
        dpl_buf_append(b, small, (size_t)n);
        return;
    }
    dpl_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void dpl_buf_printf(DplBuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dpl_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void dpl_buf_reset(DplBuf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void dpl_buf_free(DplBuf *b)
{
    dpl_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *dpl_buf_take(DplBuf *b)
{
    char *p = b->data ? b->data : dpl_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

/* ---- UTF-8 --------------------------------------------------------------------- */

int dpl_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0)
        return -1;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int len;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return -1;
    }
    if ((size_t)len > n)
        return -1;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return -1;
    *cp = v;
    return len;
}

int dpl_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

bool dpl_utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        int k = dpl_utf8_decode(s + i, n - i, &cp);
        if (k < 0)
            return false;
        i += (size_t)k;
    }
    return true;
}

size_t dpl_utf8_count(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

/* ---- edit distance ------------------------------------------------------------------ */

size_t dpl_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row = dpl_malloc((lb + 1) * sizeof *row);
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[lb];
    dpl_free(row);
    return d;
}

const char *dpl_nearest(const char *name, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1, len = strlen(name);
    for (size_t i = 0; i < n; i++) {
        size_t d = dpl_edit_distance(name, cands[i]);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    /* a typo changes a few characters, not most of the word */
    if (!best || best_d == 0 || best_d > 2 || best_d * 2 > len)
        return NULL;
    return best;
}

bool dpl_parse_size(const char *s, uint64_t max, uint64_t *out)
{
    if (*s < '0' || *s > '9') /* strtoull would take white space, + and - */
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return false;
    uint64_t mult = 1;
    if (*end == 'k' || *end == 'K')
        mult = 1024, end++;
    else if (*end == 'm' || *end == 'M')
        mult = 1024 * 1024, end++;
    else if (*end == 'g' || *end == 'G')
        mult = 1024ull * 1024 * 1024, end++;
    if (*end || v == 0 || v > max / mult)
        return false;
    *out = v * mult;
    return true;
}
