/* test_lake.c — dir:// URLs and the data-lake batch writer: batches close on
 * size and age, only closed batches carry final names, tags become durable
 * only when their batch is renamed, gzip batches read back, an unclosed
 * batch leaves no final file behind, and stale temporary files of gone
 * processes are removed at start-up (and nothing else). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "lake/lake.h"
#include "util/util.h"

static void setup(void) { dpl_util_init(); }

TestSuite(lake, .init = setup);

/* ---- URLs ---------------------------------------------------------------- */

Test(lake, url_defaults_and_parameters)
{
    DplLakeUrl u;
    char *err = NULL;
    cr_assert(dpl_lake_url_parse("dir://out/lake", &u, &err));
    cr_assert_str_eq(u.dir, "out/lake");
    cr_assert_eq(u.max_bytes, DPL_LAKE_DEFAULT_MAX_BYTES);
    cr_assert_eq(u.max_seconds, DPL_LAKE_DEFAULT_MAX_SECONDS);
    cr_assert(!u.gzip);
    dpl_lake_url_free(&u);

    cr_assert(dpl_lake_url_parse("dir:///data/my%20lake?max_bytes=64k&max_seconds=0.5&gzip=1", &u, &err));
    cr_assert_str_eq(u.dir, "/data/my lake");
    cr_assert_eq(u.max_bytes, 65536);
    cr_assert_float_eq(u.max_seconds, 0.5, 1e-12);
    cr_assert(u.gzip);
    dpl_lake_url_free(&u);
}

static void expect_url_error(const char *spec, const char *fragment)
{
    DplLakeUrl u;
    char *err = NULL;
    cr_assert(!dpl_lake_url_parse(spec, &u, &err), "%s parsed", spec);
    cr_assert_not_null(err);
    cr_assert(strstr(err, fragment), "error for %s: %s (wanted %s)", spec, err, fragment);
    cr_assert_null(u.dir);
    dpl_free(err);
}

Test(lake, url_errors_say_what_is_wrong)
{
    expect_url_error("dir://", "names no directory");
    expect_url_error("dir://x?max_bytes=0", "max_bytes needs a positive size");
    expect_url_error("dir://x?max_bytes=12q", "not `12q`");
    expect_url_error("dir://x?max_seconds=-1", "max_seconds needs");
    expect_url_error("dir://x?gzip=yes", "gzip needs 0 or 1");
    expect_url_error("dir://x?maxbytes=1", "unknown parameter `maxbytes`");
    expect_url_error("dir://x?gzip", "has no value");
    expect_url_error("dir://a%2", "escape");
    expect_url_error("file://x", "not a dir:// URL");
    cr_assert(dpl_lake_is_url("dir://x"));
    cr_assert(!dpl_lake_is_url("x.ndjson"));
}

/* ---- the writer ------------------------------------------------------------ */

static char *temp_dir(void)
{
    char tmpl[] = "/tmp/dpl-lake-XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl));
    return dpl_strdup(tmpl);
}

/* Names in dir, sorted, one per line; hidden (temporary) files included. */
static char *listing(const char *dir, int *count)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    cr_assert(n >= 0);
    DplBuf b = {0};
    *count = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, "..")) {
            dpl_buf_printf(&b, "%s\n", ents[i]->d_name);
            (*count)++;
        }
        free(ents[i]);
    }
    free(ents);
    dpl_buf_putc(&b, '\0');
    return dpl_buf_take(&b);
}

static char *slurp(const char *path)
{
    gzFile f = gzopen(path, "rb"); /* reads plain files as they are */
    cr_assert_not_null(f, "cannot open %s", path);
    DplBuf b = {0};
    char chunk[4096];
    int n;
    while ((n = gzread(f, chunk, sizeof chunk)) > 0)
        dpl_buf_append(&b, chunk, (size_t)n);
    cr_assert(n == 0, "gzread failed on %s", path);
    gzclose(f);
    dpl_buf_putc(&b, '\0');
    return dpl_buf_take(&b);
}

static void remove_dir(char *dir)
{
    char *cmd = dpl_asprintf("rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    dpl_free(cmd);
    dpl_free(dir);
}

static DplLakeWriter *writer(const char *dir, uint64_t max_bytes, double max_seconds, bool gzip)
{
    DplLakeUrl u = {.dir = (char *)dir, .max_bytes = max_bytes, .max_seconds = max_seconds, .gzip = gzip};
    char *err = NULL;
    DplLakeWriter *w = dpl_lake_writer_new(&u, "entities", &err);
    cr_assert_not_null(w, "%s", err ? err : "");
    return w;
}

static void write_line(DplLakeWriter *w, int i)
{
    char line[64];
    int n = snprintf(line, sizeof line, "{\"n\":%04d}\n", i); /* 11 bytes */
    char *err = NULL;
    cr_assert(dpl_lake_write(w, line, (size_t)n, (uint64_t)i, &err), "%s", err ? err : "");
}

Test(lake, batches_close_on_size_and_only_closed_ones_are_durable)
{
    char *dir = temp_dir();
    DplLakeWriter *w = writer(dir, 33, 3600, false); /* three 11-byte lines per batch */
    for (int i = 1; i <= 7; i++)
        write_line(w, i);
    /* batches [1,2,3] [4,5,6] closed; 7 open under a temporary name */
    cr_assert_eq(dpl_lake_batches(w), 2);
    cr_assert_eq(dpl_lake_durable_tag(w), 6);
    cr_assert(dpl_lake_has_open_batch(w));
    int n;
    char *names = listing(dir, &n);
    cr_assert_eq(n, 3, "%s", names);
    char *first = names, *nl = strchr(first, '\n');
    *nl = '\0';
    cr_assert_eq(first[0], '.', "the open batch is a hidden temporary file: %s", first);
    cr_assert(strstr(first, ".tmp"));
    char *second = nl + 1;
    cr_assert(strncmp(second, "entities-", 9) == 0, "%s", second);
    cr_assert(strstr(second, "Z-000001.ndjson\n"), "%s", second);
    *strchr(second, '\n') = '\0';
    char *path = dpl_asprintf("%s/%s", dir, second);
    char *text = slurp(path);
    cr_assert_str_eq(text, "{\"n\":0001}\n{\"n\":0002}\n{\"n\":0003}\n");
    dpl_free(text);
    dpl_free(path);
    dpl_free(names);

    char *err = NULL;
    cr_assert(dpl_lake_close_batch(w, &err));
    cr_assert_eq(dpl_lake_durable_tag(w), 7);
    cr_assert(!dpl_lake_has_open_batch(w));
    cr_assert(dpl_lake_close_batch(w, &err), "closing with nothing open is a no-op");
    cr_assert_eq(dpl_lake_batches(w), 3);
    names = listing(dir, &n);
    cr_assert_eq(n, 3);
    cr_assert_null(strstr(names, ".tmp"), "%s", names);
    dpl_free(names);
    dpl_lake_writer_free(w);
    remove_dir(dir);
}

Test(lake, a_record_larger_than_max_bytes_is_a_batch_of_its_own)
{
    char *dir = temp_dir();
    DplLakeWriter *w = writer(dir, 15, 3600, false);
    write_line(w, 1);
    char big[40];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\n';
    char *err = NULL;
    cr_assert(dpl_lake_write(w, big, sizeof big, 2, &err));
    cr_assert_eq(dpl_lake_batches(w), 2, "the small batch is closed before, the big one right after");
    cr_assert_eq(dpl_lake_durable_tag(w), 2);
    dpl_lake_writer_free(w);
    remove_dir(dir);
}

Test(lake, batches_close_on_age)
{
    char *dir = temp_dir();
    DplLakeWriter *w = writer(dir, 1 << 20, 0.05, false);
    char *err = NULL;
    cr_assert(dpl_lake_tick(w, &err), "nothing open: nothing to do");
    write_line(w, 1);
    cr_assert(dpl_lake_tick(w, &err));
    cr_assert(dpl_lake_has_open_batch(w), "not due yet");
    cr_assert(dpl_lake_seconds_to_due(w) > 0);
    usleep(80 * 1000);
    cr_assert_eq(dpl_lake_seconds_to_due(w), 0);
    cr_assert(dpl_lake_tick(w, &err));
    cr_assert(!dpl_lake_has_open_batch(w));
    cr_assert_eq(dpl_lake_durable_tag(w), 1);
    dpl_lake_writer_free(w);
    remove_dir(dir);
}

Test(lake, gzip_batches_read_back_and_are_named_gz)
{
    char *dir = temp_dir();
    DplLakeWriter *w = writer(dir, 1 << 20, 3600, true);
    DplBuf want = {0};
    for (int i = 0; i < 20000; i++) { /* more than one internal flush */
        write_line(w, i);
        dpl_buf_printf(&want, "{\"n\":%04d}\n", i);
    }
    char *err = NULL;
    cr_assert(dpl_lake_close_batch(w, &err));
    int n;
    char *names = listing(dir, &n);
    cr_assert_eq(n, 1);
    *strchr(names, '\n') = '\0';
    cr_assert(strstr(names, ".ndjson.gz"), "%s", names);
    char *path = dpl_asprintf("%s/%s", dir, names);
    char *text = slurp(path);
    cr_assert_eq(strlen(text), want.len);
    cr_assert(memcmp(text, want.data, want.len) == 0);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_lt((size_t)st.st_size, want.len / 4, "compressed: %lld bytes", (long long)st.st_size);
    dpl_free(text);
    dpl_free(path);
    dpl_free(names);
    dpl_buf_free(&want);
    dpl_lake_writer_free(w);
    remove_dir(dir);
}

Test(lake, an_unclosed_batch_is_never_published)
{
    char *dir = temp_dir();
    DplLakeWriter *w = writer(dir, 1 << 20, 3600, false);
    write_line(w, 1);
    write_line(w, 2);
    cr_assert_eq(dpl_lake_durable_tag(w), 0);
    dpl_lake_writer_free(w); /* a crash or an error before the close */
    int n;
    char *names = listing(dir, &n);
    cr_assert_eq(n, 0, "left behind: %s", names);
    dpl_free(names);
    remove_dir(dir);
}

Test(lake, two_writers_in_one_directory_never_replace_each_other)
{
    char *dir = temp_dir();
    DplLakeWriter *a = writer(dir, 11, 3600, false);
    DplLakeWriter *b = writer(dir, 11, 3600, false);
    for (int i = 1; i <= 5; i++) {
        write_line(a, i);
        write_line(b, 100 + i);
    }
    int n;
    char *names = listing(dir, &n);
    cr_assert_eq(n, 10, "%s", names);
    dpl_free(names);
    dpl_lake_writer_free(a);
    dpl_lake_writer_free(b);
    remove_dir(dir);
}

static void touch(const char *dir, const char *name)
{
    char *path = dpl_asprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot create %s", path);
    fputs("{\"n\":1}\n", f);
    fclose(f);
    dpl_free(path);
}

/* A process id that no longer runs: a child that has exited and been
 * waited for. */
static long dead_pid(void)
{
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    return (long)pid;
}

Test(lake, stale_temporary_files_of_gone_processes_are_removed_at_start)
{
    /* this host's name as the writer writes it, read off a temporary name:
     * .entities-<time>-<host>-<pid>-1.tmp */
    char *probe = temp_dir();
    DplLakeWriter *p = writer(probe, 1 << 20, 3600, false);
    write_line(p, 1);
    int n;
    char *names = listing(probe, &n);
    cr_assert_eq(n, 1, "%s", names);
    char *own = dpl_asprintf("-%ld-1.tmp\n", (long)getpid());
    char *end = strstr(names, own);
    cr_assert_not_null(end, "the temporary name carries the pid: %s", names);
    *end = '\0';
    const char *host = strrchr(names, '-');
    cr_assert_not_null(host);
    host++;
    cr_assert(host[0], "the temporary name carries the host: %s", names);
    dpl_lake_writer_free(p);
    remove_dir(probe);

    char *dir = temp_dir();
    long dead = dead_pid();
    char *gone = dpl_asprintf(".entities-20261130T091502Z-%s-%ld-3.tmp", host, dead);
    char *gone_old = dpl_asprintf(".entities-20261130T091502Z-%ld-1.tmp", dead); /* before the host was named */
    char *live = dpl_asprintf(".entities-20261130T091502Z-%s-%ld-1.tmp", host, (long)getppid());
    char *other_host = dpl_asprintf(".entities-20261130T091502Z-elsewhere-%ld-1.tmp", dead);
    char *other_stream = dpl_asprintf(".rejects-20261130T091502Z-%s-%ld-1.tmp", host, dead);
    const char *closed = "entities-20261130T091502Z-000001.ndjson";
    const char *unrelated = ".entities-notes.tmp";
    const char *all[] = {gone, gone_old, live, other_host, other_stream, closed, unrelated};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        touch(dir, all[i]);
    DplLakeWriter *w = writer(dir, 1 << 20, 3600, false);
    cr_assert_eq(dpl_lake_stale_removed(w), 2);
    dpl_lake_writer_free(w);
    char *after = listing(dir, &n);
    cr_assert_eq(n, 5, "%s", after);
    cr_assert_null(strstr(after, gone), "%s", after);
    cr_assert_null(strstr(after, gone_old), "%s", after);
    for (size_t i = 2; i < sizeof all / sizeof *all; i++)
        cr_assert_not_null(strstr(after, all[i]), "%s was removed: %s", all[i], after);
    dpl_free(after);
    dpl_free(gone);
    dpl_free(gone_old);
    dpl_free(live);
    dpl_free(other_host);
    dpl_free(other_stream);
    dpl_free(own);
    dpl_free(names);
    remove_dir(dir);
}

Test(lake, a_path_that_is_a_file_is_an_error)
{
    char *dir = temp_dir();
    char *file = dpl_asprintf("%s/f", dir);
    FILE *f = fopen(file, "w");
    fclose(f);
    DplLakeUrl u = {.dir = file, .max_bytes = 10, .max_seconds = 1};
    char *err = NULL;
    cr_assert_null(dpl_lake_writer_new(&u, "rejects", &err));
    cr_assert(strstr(err, "cannot open directory"), "%s", err);
    dpl_free(err);
    dpl_free(file);
    remove_dir(dir);
}
