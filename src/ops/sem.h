/* sem.h — the semaphore family's ops (ops/sem.c): P, V, wait-for-zero, and
 * the critical section and plain-variable lock they guard, semctl(SETVAL). Their event
 * payloads. */
#ifndef IPCPLAY_OPS_SEM_H
#define IPCPLAY_OPS_SEM_H

#include <stdint.h>

/* one X-macro list, laid out by hand */
// clang-format off
#define OPS_SEM(X)                                                                       \
    X(P) X(V) X(WAIT0) X(CS_ENTER) X(CS_UPDATE) X(CS_LEAVE) X(LOCKVAR_ACQUIRE)           \
    X(LOCKVAR_RELEASE) X(SETVAL) X(P2) X(V2) X(GETVAL)
// clang-format on

/* P, V, wait0: one semop on semaphore num of set obj. */
struct ev_sem {
    int32_t num;    /* the semaphore, after instance-relative and lock-order rules */
    int32_t amount; /* how much P takes or V gives (0 means 1) */
    int32_t ncnt;   /* an EINTR end: semncnt just after the sleeper left */
    int32_t pad;
    int64_t waited_ns; /* end: since the first attempt */
    int64_t pad2;
};

/* The critical-section ops, on section sect (sem scenario's sems=N). */
struct ev_cs_enter {
    int32_t sect;
    int32_t pad[3];
    int64_t inside; /* end: inside now, as the shared count says (the dead included) */
    int64_t pad2;
};

struct ev_cs_update {
    int32_t sect;
    int32_t pad[3];
    int64_t written; /* end: the counter it wrote back */
    int64_t read;    /* the counter it read (a hold earlier) */
};

struct ev_cs_leave {
    int32_t sect;
    int32_t pad[3];
    int64_t entries; /* end: critical sections completed, all sections */
    int64_t left;    /* still inside this section */
};

struct ev_lockvar {
    int32_t pad[4];
    int64_t spins; /* acquire: 1 ms naps until the variable read 0 */
    int64_t pad2;
};

/* setval: semctl(SETVAL), with what GETVAL, GETNCNT and GETZCNT said. */
struct ev_setval {
    int32_t num;  /* the semaphore */
    int32_t val;  /* the value it sets */
    int32_t ncnt; /* end: semncnt, zcnt: semzcnt, just before */
    int32_t zcnt;
    int64_t before; /* end: semval before and after */
    int64_t after;
};

/* P2, V2: one semop with two sembufs, on semaphores num[0] and num[1] of set
 * obj, each by `amount` (0 means 1). With IPC_NOWAIT it tries once; the
 * values before and after say whether the call changed anything. */
struct ev_sem2 {
    int32_t num[2];
    int16_t amount;
    int16_t calls;     /* 1: one semop (atomic); 2: two, one sembuf each (the unsafe way) */
    int16_t before[2]; /* end: GETVAL of both, just before and just after */
    int16_t after[2];
    int32_t ncnt; /* EINTR end: semncnt of num[0] just after */
    int32_t pad[2];
};

/* one X-macro list, laid out by hand */
// clang-format off
#define PAYLOADS_SEM                                                                     \
    struct ev_sem sem;                                                                   \
    struct ev_cs_enter cs_enter;                                                         \
    struct ev_cs_update cs_update;                                                       \
    struct ev_cs_leave cs_leave;                                                         \
    struct ev_lockvar lockvar;                                                           \
    struct ev_setval setval;                                                             \
    struct ev_sem2 sem2;
// clang-format on

#endif
