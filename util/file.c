/* file.c — writing a file so that a crash, a signal or a full disk never
 * leaves it half-written (`dplc fmt --write`, `dplc check --fix`). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

/* Writes text to path through a temporary file in the same directory and a
 * rename, so a crash or a full disk never leaves a half-written program.
 * The file keeps its permission bits; a symlink is followed, not replaced. */
bool dpl_write_file_atomic(const char *path, const char *text, size_t len, const char **why)
{
    char target[PATH_MAX];
    if (!realpath(path, target)) {
        *why = strerror(errno);
        return false;
    }
    struct stat st;
    if (stat(target, &st) != 0) {
        *why = strerror(errno);
        return false;
    }
    char *tmp = dpl_asprintf("%s.dpl-tmp-XXXXXX", target);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        *why = strerror(errno);
        dpl_free(tmp);
        return false;
    }
    bool ok = fchmod(fd, st.st_mode & 07777) == 0;
    for (size_t off = 0; ok && off < len;) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        off += ok ? (size_t)n : 0;
    }
    ok = ok && fsync(fd) == 0;
    int saved = errno;
    ok = (close(fd) == 0) && ok;
    if (ok && rename(tmp, target) != 0) {
        saved = errno;
        ok = false;
    }
    if (!ok) {
        *why = strerror(saved ? saved : EIO);
        unlink(tmp);
    }
    dpl_free(tmp);
    return ok;
}
