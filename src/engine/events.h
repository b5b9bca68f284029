/* events.h — the child -> engine channel. Each process of a run writes its
 * 64-byte event records into a ring of its own in a shared mapping (single
 * producer, single consumer): no system call per event. The engine drains
 * the rings in time order (a merge over every ring's oldest record), so a V
 * told at its begin still comes before the P it wakes. The engine is woken
 * only when it is about to sleep and something waits: it raises a flag
 * before poll(), and the first producer to see the flag writes one wake
 * record to the pipe the engine polls. A full ring makes its producer wait
 * (nothing is lost) and is counted; a ring three quarters full wakes the
 * engine once (it may be looking only every millisecond). A process that exec'd (the fdreport
 * helper) has no mapping any more and writes whole records to the pipe, as
 * every process did before: one 64-byte write is atomic (PIPE_BUF). */
#ifndef IPCPLAY_EVENTS_H
#define IPCPLAY_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../model/event.h"

#define EV_RING_SLOTS 2048 /* records a ring holds (a power of two): 128 KiB, touched as used */
#define EV_MAX_RINGS 1024  /* processes of one run that get a ring */
#define EV_PIPE_PENDING 256

struct ev_shared;

struct event_channel {
    int rfd, wfd;         /* the pipe: wake records and exec'd helpers' events */
    uint64_t t0_ns;       /* CLOCK_MONOTONIC at run start */
    struct ev_shared *sh; /* the rings (MAP_SHARED, inherited across fork) */
    size_t sh_len;
    unsigned char partial[sizeof(struct event)];
    size_t partial_len;
    struct event pending[EV_PIPE_PENDING]; /* read from the pipe, not yet handed out */
    int npending;
};

int events_open(struct event_channel *ch);
void events_close(struct event_channel *ch);
uint64_t events_now_ns(void); /* CLOCK_MONOTONIC in ns */
/* This process's pid, asked of the kernel once per process (after fork too). */
pid_t events_pid(void);
/* In a child: emit one record into this process's ring (claimed on first
 * use, after every fork), or whole to the pipe wfd when it has no ring.
 * Waits while its ring is full. */
int events_emit(int wfd, const struct event *ev);
/* In the engine: up to max records without blocking, oldest first. */
int events_read(struct event_channel *ch, struct event *out, int max);
/* In the engine, right before it sleeps in poll(): ask the next producer to
 * wake it. Returns 1 when records wait already (then it has woken itself). */
int events_arm(struct event_channel *ch);
/* Tests only: called in events_read after each ring is looked at, to let
 * other processes run exactly there. NULL otherwise. */
extern void (*events_midpass_hook)(int ring);
/* Counters: times a producer found its ring full, and rings in use. */
uint64_t events_full_waits(const struct event_channel *ch);
/* Times a producer woke the engine early, its ring three quarters full. */
uint64_t events_nudges(const struct event_channel *ch);
int events_rings(const struct event_channel *ch);
/* Records ring k has taken so far (tests). */
uint64_t events_ring_tail(const struct event_channel *ch, int k);

#endif
