/* events.c — the event pipe: atomic fixed-size writes from children, batched
 * non-blocking reads in the engine. */
#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int events_open(struct event_channel *ch)
{
    int fds[2];
    memset(ch, 0, sizeof *ch);
    ch->rfd = ch->wfd = -1;
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    ch->rfd = fds[0];
    ch->wfd = fds[1];
    fcntl(ch->rfd, F_SETFL, O_NONBLOCK);
    /* A larger pipe lets bursts from many children pass without blocking
     * them; if the kernel refuses, the default 64 KiB still loses nothing. */
    fcntl(ch->wfd, F_SETPIPE_SZ, 1 << 20);
    ch->t0_ns = events_now_ns();
    return 0;
}

void events_close(struct event_channel *ch)
{
    if (ch->rfd >= 0)
        close(ch->rfd);
    if (ch->wfd >= 0)
        close(ch->wfd);
    ch->rfd = ch->wfd = -1;
}

uint64_t events_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int events_emit(int wfd, const struct event *ev)
{
    _Static_assert(sizeof *ev <= 512, "must stay below PIPE_BUF");
    for (;;) {
        ssize_t n = write(wfd, ev, sizeof *ev);
        if (n == (ssize_t)sizeof *ev)
            return 0;
        if (n < 0 && errno == EINTR)
            continue;
        return -1;
    }
}

int events_read(struct event_channel *ch, struct event *out, int max)
{
    if (max <= 0)
        return 0;
    /* Records arrive whole (atomic writes) but a read may still stop at the
     * buffer end; keep any tail for the next call. */
    size_t want = (size_t)max * sizeof *out - ch->partial_len;
    unsigned char *dst = (unsigned char *)out;
    memcpy(dst, ch->partial, ch->partial_len);
    ssize_t n;
    do
        n = read(ch->rfd, dst + ch->partial_len, want);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        return (n < 0 && errno != EAGAIN) ? -1 : 0;
    }
    size_t total = ch->partial_len + (size_t)n;
    int whole = (int)(total / sizeof *out);
    ch->partial_len = total % sizeof *out;
    memcpy(ch->partial, dst + (size_t)whole * sizeof *out, ch->partial_len);
    return whole;
}
