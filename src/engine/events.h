/* events.h — the child -> engine channel: a pipe carrying fixed-size 64-byte
 * records. Each write is one record (< PIPE_BUF), so writes from many children
 * never interleave; writers block when the pipe is full, so nothing is lost. */
#ifndef IPCPLAY_EVENTS_H
#define IPCPLAY_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "../model/event.h"

struct event_channel {
    int rfd, wfd;
    uint64_t t0_ns;       /* CLOCK_MONOTONIC at run start */
    unsigned char partial[sizeof(struct event)];
    size_t partial_len;
};

int events_open(struct event_channel *ch);
void events_close(struct event_channel *ch);
uint64_t events_now_ns(void);  /* CLOCK_MONOTONIC in ns */
/* In a child: emit one record (blocking, retried on EINTR). */
int events_emit(int wfd, const struct event *ev);
/* In the engine: read up to max whole records without blocking. */
int events_read(struct event_channel *ch, struct event *out, int max);

#endif
