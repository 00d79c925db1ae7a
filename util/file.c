/* file.c — writing a file so that a crash, a signal or a full disk never
 * leaves it half-written (`dplc fmt --write`, `dplc check --fix`, the REPL's
 * `:save`, `dpl test --update`). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

/* The temporary file being written, for the signal handler: SIGINT or
 * SIGTERM in the middle of a write must not leave it behind.  One write at
 * a time (the tools are single-threaded where they write files). */
static char pending[PATH_MAX + 32];
static volatile sig_atomic_t armed, interrupted;
static struct sigaction old_int, old_term;

static void on_signal(int sig)
{
    int saved = errno;
    if (armed) {
        unlink(pending); /* async-signal-safe */
        armed = 0;
        interrupted = 1;
    }
    /* Then the signal does what it did before: by default, end the process
     * with the signal's status (re-raised; delivered once this returns). */
    sigaction(sig, sig == SIGINT ? &old_int : &old_term, NULL);
    raise(sig);
    errno = saved;
}

/* Creates the temp file from template tmp (mkstemp) with SIGINT and SIGTERM
 * caught (unless ignored) from the moment it exists: the signals are blocked
 * while it is created and its name recorded, then a pending one is
 * delivered to on_signal. */
static int create_armed(char *tmp)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    sigset_t block, old_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old_mask);
    interrupted = 0;
    const int sigs[] = {SIGINT, SIGTERM};
    struct sigaction *olds[] = {&old_int, &old_term};
    for (int i = 0; i < 2; i++) {
        sigaction(sigs[i], NULL, olds[i]);
        if (olds[i]->sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
    }
    int fd = mkstemp(tmp);
    int saved = errno;
    if (fd >= 0) {
        snprintf(pending, sizeof pending, "%s", tmp);
        armed = 1;
    }
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    errno = saved;
    return fd;
}

static void disarm(void)
{
    armed = 0;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
}

/* The file to replace: path with symlinks resolved; a path that does not
 * exist yet (`:save new.dpl`) is created, with the mode a new file gets. */
static bool resolve(const char *path, char *target, mode_t *mode, const char **why)
{
    struct stat st;
    if (realpath(path, target) && stat(target, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            /* renaming over /dev/null or a FIFO would replace the node itself */
            *why = "not a regular file";
            return false;
        }
        *mode = st.st_mode & 07777;
        return true;
    }
    if (errno != ENOENT || lstat(path, &st) == 0) { /* a dangling symlink is not followed */
        *why = strerror(errno == ENOENT ? EEXIST : errno);
        return false;
    }
    if (strlen(path) >= PATH_MAX) {
        *why = strerror(ENAMETOOLONG);
        return false;
    }
    snprintf(target, PATH_MAX, "%s", path);
    mode_t mask = umask(0);
    umask(mask);
    *mode = 0666 & ~mask;
    return true;
}

bool dpl_write_file_atomic(const char *path, const char *text, size_t len, const char **why)
{
    char target[PATH_MAX];
    mode_t mode;
    if (!resolve(path, target, &mode, why))
        return false;
    char *tmp = dpl_asprintf("%s.dpl-tmp-XXXXXX", target);
    int fd = create_armed(tmp);
    if (fd < 0) {
        *why = strerror(errno);
        disarm();
        dpl_free(tmp);
        return false;
    }
    int saved = fchmod(fd, mode) == 0 ? dpl_write_all(fd, text, len) : errno;
    if (!saved && fsync(fd) != 0)
        saved = errno;
    if (close(fd) != 0 && !saved)
        saved = errno;
    bool ok = saved == 0;
    if (ok && rename(tmp, target) != 0) {
        saved = errno;
        ok = false;
    }
    armed = 0; /* renamed (or about to be unlinked below): nothing for a handler to remove */
    disarm();
    if (interrupted) { /* a handler that does not end the process ran */
        saved = EINTR;
        ok = false;
    }
    if (!ok) {
        *why = strerror(saved ? saved : EIO);
        unlink(tmp);
    }
    dpl_free(tmp);
    return ok;
}
