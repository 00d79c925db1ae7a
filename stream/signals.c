/* signals.c — SIGINT and SIGTERM for a run, and the standard descriptors.
 *
 * The first signal only asks the run to stop: the reader stops reading,
 * everything read so far is processed, flushed and accounted for (a file
 * run then exits 130/143; a Kafka run closes its batches, commits and exits
 * 0).  A second signal ends the process at once, with the default action.
 * The handler is installed without SA_RESTART and the reader waits for
 * input in short polls, so a blocked read notices the request promptly. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "stream/stream.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    if (stop_signal) {
        /* asked twice: stop now */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_signal = sig;
}

void dpl_stream_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocked read returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int dpl_stream_stop_requested(void)
{
    return stop_signal;
}

void dpl_stream_request_stop(int sig)
{
    stop_signal = sig ? sig : SIGTERM;
}

void dpl_stream_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        /* Opened the wrong way round (as gnulib's stdopen does): a closed
         * stdout stays unusable, so writing entities to it fails loudly
         * instead of landing in the next file opened (which would get fd 1). */
        int got = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
        if (got >= 0 && got != fd) {
            dup2(got, fd);
            close(got);
        }
    }
}
