/* waitst.h — the wait-status family's ops (ops/waitst.c): a process that
 * raises a signal on itself, and a parent that polls waitpid(-1, WNOHANG
 * [|WUNTRACED]) and decodes each status word with the W* macros. Their event
 * payloads. */
#ifndef IPCPLAY_OPS_WAITST_H
#define IPCPLAY_OPS_WAITST_H

#include <stdint.h>

#define OPS_WAITST(X) X(RAISE) X(WAITPOLL)

struct ev_raise {
    int32_t sig;
    int32_t pad[3];
    int64_t pad2[2];
};

/* One waitpid answer: result the pid (0: nobody changed state, -1: errno). */
struct ev_waitpoll {
    int32_t options; /* WNOHANG, WUNTRACED as waitpid got them */
    int32_t zeros;   /* answers of 0 so far, this op */
    int32_t cont;    /* 1: it sent SIGCONT to the stopped child */
    int32_t pad;
    int64_t status; /* the status word */
    int64_t pad2;
};

/* one X-macro list, laid out by hand */
// clang-format off
#define PAYLOADS_WAITST                                                                            \
    struct ev_raise raise;                                                                         \
    struct ev_waitpoll waitpoll;
// clang-format on

#endif
