/* batch.c — the data-lake batch writer (lake.h): temporary name, optional
 * gzip, close on size or age, fsync, rename without replacing, fsync of the
 * directory; only then are a batch's tags durable.  At start-up, the
 * stream's temporary files of processes of this host that no longer run
 * are removed. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "lake/lake.h"
#include "util/util.h"

#define FLUSH_AT (256u * 1024u)

struct DplLakeWriter {
    char *dir;
    char *stream;
    uint64_t max_bytes;
    double max_seconds;
    bool gzip;
    int dirfd;
    char host[64];        /* this host's name, as temporary names carry it */
    size_t stale_removed; /* temporary files of gone processes removed at start */
    /* the open batch */
    int fd;               /* -1: none */
    char *tmp_name;       /* relative to dirfd */
    char stamp[32];       /* UTC time the batch was opened */
    double opened;        /* CLOCK_MONOTONIC seconds */
    uint64_t bytes;       /* NDJSON bytes in the batch, before compression */
    uint64_t first_tag, last_tag;
    DplBuf pending;       /* NDJSON not yet written (or compressed) */
    DplBuf zout;          /* compressed bytes not yet written */
    z_stream z;
    bool z_open;
    /* closed batches */
    uint64_t durable_tag;
    uint64_t seq, batches;
    bool broken;
};

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool io_fail(DplLakeWriter *w, char **err, const char *what, const char *name)
{
    int e = errno;
    w->broken = true;
    *err = dpl_asprintf("cannot %s %s/%s: %s", what, w->dir, name ? name : "", strerror(e));
    return false;
}

/* This host's name for temporary names: letters, digits, '.' and '_'
 * kept, anything else (the '-' that separates the name's parts too) '_'. */
static void host_tag(char *out, size_t cap)
{
    char h[256] = "";
    if (gethostname(h, sizeof h - 1) != 0 || !h[0])
        strcpy(h, "localhost");
    size_t i = 0;
    for (; h[i] && i + 1 < cap; i++)
        out[i] = isalnum((unsigned char)h[i]) || h[i] == '.' || h[i] == '_' ? h[i] : '_';
    out[i] = 0;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* Whether name is a temporary batch of w's stream written by a process of
 * this host that no longer runs: `.<stream>-<time>-<host>-<pid>-<n>.tmp`
 * (or `.<stream>-<time>-<pid>-<n>.tmp`, as versions before the host was in
 * the name wrote it: then taken as this host's). */
static bool stale_temp(const DplLakeWriter *w, const char *name)
{
    size_t sl = strlen(w->stream), nl = strlen(name);
    if (nl < sl + 6 || name[0] != '.' || memcmp(name + 1, w->stream, sl) != 0 || name[1 + sl] != '-' ||
        strcmp(name + nl - 4, ".tmp") != 0)
        return false;
    char *rest = dpl_strndup(name + 2 + sl, nl - sl - 6); /* <time>-[<host>-]<pid>-<n> */
    char *part[5];
    int n = 0;
    for (char *p = rest; n < 5;) {
        part[n++] = p;
        p = strchr(p, '-');
        if (!p)
            break;
        *p++ = 0;
    }
    bool stale = false;
    if ((n == 3 || n == 4) && all_digits(part[n - 2]) && all_digits(part[n - 1]) &&
        (n == 3 || strcmp(part[1], w->host) == 0)) {
        long long pid = strtoll(part[n - 2], NULL, 10);
        /* ESRCH: no such process (EPERM: it runs, as another user) */
        stale = pid > 0 && pid <= INT_MAX && (pid_t)pid != getpid() && kill((pid_t)pid, 0) != 0 &&
                errno == ESRCH;
    }
    dpl_free(rest);
    return stale;
}

/* Removes w's stream's temporary files left by processes that no longer
 * run: their records were never durable, so never committed (they are read
 * again).  Final names and other streams' files are never touched. */
static void remove_stale(DplLakeWriter *w)
{
    int fd = dup(w->dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] == '.' && stale_temp(w, e->d_name) && unlinkat(w->dirfd, e->d_name, 0) == 0)
            w->stale_removed++;
    closedir(d);
}

DplLakeWriter *dpl_lake_writer_new(const DplLakeUrl *u, const char *stream, char **err)
{
    if (mkdir(u->dir, 0777) != 0 && errno != EEXIST) {
        *err = dpl_asprintf("cannot create directory %s: %s", u->dir, strerror(errno));
        return NULL;
    }
    int dfd = open(u->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        *err = dpl_asprintf("cannot open directory %s: %s", u->dir, strerror(errno));
        return NULL;
    }
    DplLakeWriter *w = dpl_calloc(1, sizeof *w);
    w->dir = dpl_strdup(u->dir);
    w->stream = dpl_strdup(stream);
    w->max_bytes = u->max_bytes;
    w->max_seconds = u->max_seconds;
    w->gzip = u->gzip;
    w->dirfd = dfd;
    w->fd = -1;
    host_tag(w->host, sizeof w->host);
    remove_stale(w);
    return w;
}

static bool write_all(DplLakeWriter *w, const char *p, size_t n, char **err)
{
    while (n) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return io_fail(w, err, "write", w->tmp_name);
        }
        p += k;
        n -= (size_t)k;
    }
    return true;
}

/* Writes (or compresses and writes) what is pending; with finish, ends the
 * gzip stream. */
static bool flush_pending(DplLakeWriter *w, bool finish, char **err)
{
    if (!w->gzip) {
        bool ok = write_all(w, w->pending.data, w->pending.len, err);
        dpl_buf_reset(&w->pending);
        return ok;
    }
    w->z.next_in = (Bytef *)w->pending.data;
    w->z.avail_in = (uInt)w->pending.len;
    int flush = finish ? Z_FINISH : Z_NO_FLUSH;
    for (;;) {
        dpl_buf_reserve(&w->zout, 64 * 1024);
        w->z.next_out = (Bytef *)w->zout.data + w->zout.len;
        w->z.avail_out = (uInt)(w->zout.cap - w->zout.len - 1);
        size_t before = w->z.avail_out;
        int rc = deflate(&w->z, flush);
        w->zout.len += before - w->z.avail_out;
        if (rc == Z_STREAM_ERROR) {
            errno = EIO;
            return io_fail(w, err, "compress", w->tmp_name);
        }
        if (!write_all(w, w->zout.data, w->zout.len, err))
            return false;
        dpl_buf_reset(&w->zout);
        if (finish ? rc == Z_STREAM_END : w->z.avail_in == 0 && w->z.avail_out != 0)
            break;
    }
    dpl_buf_reset(&w->pending);
    return true;
}

static bool open_batch(DplLakeWriter *w, char **err)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(w->stamp, sizeof w->stamp, "%Y%m%dT%H%M%SZ", &tm);
    dpl_free(w->tmp_name);
    w->tmp_name = dpl_asprintf(".%s-%s-%s-%ld-%llu.tmp", w->stream, w->stamp, w->host, (long)getpid(),
                               (unsigned long long)w->seq + 1);
    w->fd = openat(w->dirfd, w->tmp_name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0)
        return io_fail(w, err, "create", w->tmp_name);
    w->opened = now_mono();
    w->bytes = 0;
    if (w->gzip) {
        memset(&w->z, 0, sizeof w->z);
        w->z.zalloc = dpl_zalloc;
        w->z.zfree = dpl_zfree;
        if (deflateInit2(&w->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            errno = ENOMEM;
            return io_fail(w, err, "compress", w->tmp_name);
        }
        w->z_open = true;
    }
    return true;
}

/* Renames tmp to the batch's final name, never over an existing file (two
 * processes may share the directory): the sequence number goes up until a
 * name is free. */
static bool publish(DplLakeWriter *w, char **err)
{
    for (int tries = 0; tries < 100000; tries++) {
        w->seq++;
        char *name = dpl_asprintf("%s-%s-%06llu.ndjson%s", w->stream, w->stamp, (unsigned long long)w->seq,
                                  w->gzip ? ".gz" : "");
        int rc = renameat2(w->dirfd, w->tmp_name, w->dirfd, name, RENAME_NOREPLACE);
        if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
            /* a file system without RENAME_NOREPLACE: link fails on an
             * existing name just the same */
            rc = linkat(w->dirfd, w->tmp_name, w->dirfd, name, 0);
            if (rc == 0)
                unlinkat(w->dirfd, w->tmp_name, 0);
        }
        if (rc == 0) {
            dpl_free(name);
            return true;
        }
        if (errno != EEXIST) {
            bool r = io_fail(w, err, "rename a batch to", name);
            dpl_free(name);
            return r;
        }
        dpl_free(name);
    }
    errno = EEXIST;
    return io_fail(w, err, "find a free batch name in", "");
}

bool dpl_lake_close_batch(DplLakeWriter *w, char **err)
{
    if (w->broken) {
        *err = dpl_asprintf("batch writer for %s failed earlier", w->dir);
        return false;
    }
    if (w->fd < 0)
        return true;
    if (!flush_pending(w, true, err))
        return false;
    if (w->z_open) {
        deflateEnd(&w->z);
        w->z_open = false;
    }
    if (fsync(w->fd) != 0)
        return io_fail(w, err, "fsync", w->tmp_name);
    if (close(w->fd) != 0) {
        w->fd = -1;
        return io_fail(w, err, "close", w->tmp_name);
    }
    w->fd = -1;
    if (!publish(w, err))
        return false;
    if (fsync(w->dirfd) != 0)
        return io_fail(w, err, "fsync the directory", "");
    w->durable_tag = w->last_tag;
    w->batches++;
    return true;
}

bool dpl_lake_write(DplLakeWriter *w, const char *data, size_t len, uint64_t tag, char **err)
{
    if (w->broken) {
        *err = dpl_asprintf("batch writer for %s failed earlier", w->dir);
        return false;
    }
    if (w->fd >= 0 && w->bytes > 0 && w->bytes + len > w->max_bytes && !dpl_lake_close_batch(w, err))
        return false;
    if (w->fd < 0 && !open_batch(w, err))
        return false;
    if (w->bytes == 0)
        w->first_tag = tag;
    dpl_buf_append(&w->pending, data, len);
    w->bytes += len;
    if (tag > w->last_tag)
        w->last_tag = tag;
    if (w->pending.len >= FLUSH_AT && !flush_pending(w, false, err))
        return false;
    if (w->bytes >= w->max_bytes)
        return dpl_lake_close_batch(w, err);
    return true;
}

bool dpl_lake_tick(DplLakeWriter *w, char **err)
{
    if (w->fd >= 0 && now_mono() - w->opened >= w->max_seconds)
        return dpl_lake_close_batch(w, err);
    return true;
}

bool dpl_lake_has_open_batch(const DplLakeWriter *w) { return w->fd >= 0; }

double dpl_lake_seconds_to_due(const DplLakeWriter *w)
{
    if (w->fd < 0)
        return 1e9;
    double left = w->opened + w->max_seconds - now_mono();
    return left > 0 ? left : 0;
}

uint64_t dpl_lake_durable_tag(const DplLakeWriter *w) { return w->durable_tag; }

uint64_t dpl_lake_open_tag(const DplLakeWriter *w) { return w->fd >= 0 ? w->first_tag : 0; }

uint64_t dpl_lake_batches(const DplLakeWriter *w) { return w->batches; }

size_t dpl_lake_stale_removed(const DplLakeWriter *w) { return w->stale_removed; }

void dpl_lake_writer_free(DplLakeWriter *w)
{
    if (!w)
        return;
    if (w->fd >= 0) {
        close(w->fd);
        unlinkat(w->dirfd, w->tmp_name, 0);
    }
    if (w->z_open)
        deflateEnd(&w->z);
    close(w->dirfd);
    dpl_buf_free(&w->pending);
    dpl_buf_free(&w->zout);
    dpl_free(w->tmp_name);
    dpl_free(w->stream);
    dpl_free(w->dir);
    dpl_free(w);
}
