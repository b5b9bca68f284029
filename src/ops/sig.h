/* sig.h — the signal family's ops (ops/sig.c): install a handler, and send a
 * signal to a process of the run while it sleeps in a semaphore op. Their
 * event payloads. */
#ifndef IPCPLAY_OPS_SIG_H
#define IPCPLAY_OPS_SIG_H

#include <stdint.h>

#define OPS_SIG(X) X(SIGHANDLER) X(POKE) X(SIGSETUP) X(SIGREPORT)

/* sighandler: sigaction(sig, a handler that only counts, no SA_RESTART). */
struct ev_sighandler {
    int32_t sig;
    int32_t pad[3];
    int64_t pad2[2];
};

/* poke: kill(the pid of role/instance, sig) once semncnt of semaphore num
 * counts `sleepers` and the target is not the last to have passed. */
struct ev_poke {
    int32_t sig;
    int16_t role, instance; /* the target */
    int32_t num;            /* the semaphore it sleeps on */
    int32_t ncnt;           /* end: semncnt as the signal was sent */
    int64_t target;         /* end: its pid (0: never seen) */
    int64_t late;           /* end: 1 when the target was not seen asleep in time */
};

/* sigreport: the kernel's view of this process's signals, from
 * /proc/self/status (bit n-1 for signal n). Also sent by the exec helper
 * (helper.c) from the new program, as a note. */
struct ev_sigreport {
    int64_t caught;  /* SigCgt: a handler is installed */
    int64_t ignored; /* SigIgn */
    int64_t blocked; /* SigBlk */
    int64_t pending; /* SigPnd | ShdPnd */
};

/* Fill r from /proc/self/status; -1 when it cannot be read. */
int sig_report_read(struct ev_sigreport *r);

/* one X-macro list, laid out by hand */
// clang-format off
#define PAYLOADS_SIG                                                                               \
    struct ev_sighandler sighandler;                                                               \
    struct ev_poke poke;                                                                           \
    struct ev_sigreport sigreport;
// clang-format on

#endif
