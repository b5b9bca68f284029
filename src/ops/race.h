/* race.h — the race family's ops (ops/race.c): the chapter's IPC mechanisms
 * move the same messages between a sender and a receiver, one whole
 * transfer per op, counted as it goes and told a few times a second (never
 * one event per message); and the transfers themselves (ops/race_xfer.c),
 * plain code that bench/race also runs uninstrumented. Their event payload. */
#ifndef IPCPLAY_OPS_RACE_H
#define IPCPLAY_OPS_RACE_H

#include <stdint.h>

#define OPS_RACE(X) X(RACE_OPEN) X(RACE_SEND) X(RACE_RECV)

/* The mechanisms, in the order the race shows them. */
enum race_mech {
    RACE_PIPE,
    RACE_FIFO,
    RACE_SOCKETPAIR,
    RACE_MSGQ,
    RACE_SYSVSHM,  /* System V shared memory ring, System V semaphores */
    RACE_POSIXSHM, /* POSIX shared memory ring, futexes */
    RACE__N
};
enum race_mode { RACE_STREAM, RACE_PINGPONG };

#define RACE_MIN_SIZE 16
#define RACE_MAX_SIZE 8192 /* msgmax's default: a queue refuses larger messages */
#define RACE_SLOTS 16      /* a shared-memory ring's slots */
#define RACE_NOTE_MS 50    /* how often a transfer tells how far it is */

/* Its short name ("pipe", "sysvshm") and how the story names it. */
const char *race_mech_name(int mech);
const char *race_mech_words(int mech);

/* open, and each note and end of send and recv: how far this side is. */
struct ev_race {
    int32_t mech;  /* enum race_mech */
    int32_t size;  /* bytes per message */
    int64_t msgs;  /* messages so far (sent, or received) */
    int64_t bytes; /* their bytes */
    int32_t bad;   /* received: messages not intact or out of order */
    int32_t mode;  /* enum race_mode */
};

#define PAYLOADS_RACE struct ev_race race;

/* ---- the transfers: plain system calls, no engine ------------------------ */

/* One mechanism's channel as both sides see it after setup (fds
 * inherited across fork, ids, attached memory). */
struct race_chan {
    int mech, mode;
    int32_t size;  /* bytes per message, a multiple of 8 */
    int64_t count; /* messages */
    int fd[2];     /* data: read end, write end (a socketpair: one socket per side) */
    int back[2];   /* ping-pong replies: read end, write end */
    int msqid;     /* RACE_MSGQ */
    int semid;     /* RACE_SYSVSHM: sems full, free, reply */
    void *shm;     /* RACE_SYSVSHM, RACE_POSIXSHM: the ring */
};

/* Bytes the ring of a shared-memory mechanism needs for messages of size. */
unsigned long race_ring_bytes(int32_t size);
/* How far a side is. */
struct race_count {
    int64_t msgs, bytes, bad;
};
/* Called every 64 messages; a nonzero return ends the transfer. */
typedef int race_tick_fn(void *ctx, const struct race_count *n);
/* Send c->count messages (ping-pong: each waits for its echo); receive
 * them, checking each is intact and the next in order (ping-pong: echo
 * it). 0, or -1 with errno (a peer gone, a call refused). */
int race_send(const struct race_chan *c, struct race_count *n, race_tick_fn *tick, void *ctx);
int race_recv(const struct race_chan *c, struct race_count *n, race_tick_fn *tick, void *ctx);

#endif
