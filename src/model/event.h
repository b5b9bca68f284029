/* event.h — the one record that travels from a child's op runner (or the
 * supervisor) to the model: fixed size, so a write of one record to the event
 * pipe is atomic (PIPE_BUF), and plain data, so it can be recorded and replayed. */
#ifndef IPCPLAY_EVENT_H
#define IPCPLAY_EVENT_H

#include <stdint.h>

#include "../ops/op.h"

/* Op flags (a subset mirrors semop's, kept independent of sys/sem.h). */
enum op_flag {
    OPF_UNDO = 1u << 0,   /* SEM_UNDO */
    OPF_NOWAIT = 1u << 1, /* IPC_NOWAIT */
    /* Bits 2 to 7: message queues, rings, lock ordering (ops_ipc.c). Bits 8
     * and up are left to the process/pipe ops. */
    OPF_NOERROR = 1u << 2, /* msgrcv: MSG_NOERROR (truncate instead of E2BIG) */
    OPF_EXCEPT = 1u << 3,  /* msgrcv: MSG_EXCEPT (any type but arg0) */
    OPF_REL = 1u << 4,     /* semaphore/section number counted from the instance:
                              (arg0 + instance - 1) mod arg3 (arg3 0: the set's size) */
    OPF_LOW = 1u << 5,     /* take the lower of the numbers arg0 and arg2 (lock order) */
    OPF_HIGH = 1u << 6,    /* take the higher of the numbers arg0 and arg2 */
    OPF_SPLIT = 1u << 7,   /* repeat: the count is shared out among the role's instances */
    /* processes, pipes, fd passing (ops_proc.c): bits 8 and up, so other
     * op families can take the low bits */
    OPF_CLOEXEC = 1u << 8,       /* open: O_CLOEXEC */
    OPF_ORPHAN = 1u << 9,        /* fork: the child may outlive its parent */
    OPF_HOLD = 1u << 10,         /* wait: keep the zombie until ipcplay saw it */
    OPF_PATTERN = 1u << 11,      /* read: compare with the file's known content */
    OPF_EOF = 1u << 12,          /* read: until end of file */
    OPF_SHARED = 1u << 13,       /* cow_init: MAP_SHARED instead of MAP_PRIVATE */
    OPF_LOOP = 1u << 14,         /* sigchld handler: loop waitpid(-1, WNOHANG) */
    OPF_PER_INSTANCE = 1u << 15, /* sleep: ms x instance; exit: code + instance;
                                    fork: role arg0 + instance - 1 */
};

struct event {
    uint64_t t_ns;    /* CLOCK_MONOTONIC ns since the run started */
    int32_t pid;      /* who did it */
    int16_t role;     /* role index in the plan, -1 for the engine */
    int16_t instance; /* 1-based instance of that role */
    uint8_t op;       /* enum op_kind: read it with event_op() */
    uint8_t phase;    /* enum ev_phase: read it with event_phase() */
    uint16_t flags;   /* enum op_flag */
    int32_t result;   /* the call's return value */
    int32_t err;      /* errno when result < 0, else 0 */
    int32_t obj;      /* object index in the plan (semset, queue, segment, file) */
    /* what only this op reports: ev->sem.num, ev->msgsnd.type, ev->fork.ppid,
     * ... (the structs are in the op's family header, src/ops/) */
    union {
        IPCPLAY_PAYLOADS
        unsigned char payload[32];
    };
};

_Static_assert(sizeof(struct event) == 64, "event record must stay 64 bytes");

static inline enum op_kind event_op(const struct event *ev)
{
    return (enum op_kind)ev->op;
}

static inline enum ev_phase event_phase(const struct event *ev)
{
    return (enum ev_phase)ev->phase;
}

#endif
