/* event.h — the one record that travels from a child's op runner (or the
 * supervisor) to the model: fixed size, so a write of one record to the event
 * pipe is atomic (PIPE_BUF), and plain data, so it can be recorded and replayed. */
#ifndef IPCPLAY_EVENT_H
#define IPCPLAY_EVENT_H

#include <stdint.h>

/* X(enum, short name, plain-language verb). One list drives the enum, the
 * names used in output and recordings, and the story text. */
#define IPCPLAY_OPS(X)                                                   \
    X(NONE, "none", "does nothing")                                      \
    X(START, "start", "starts")                                          \
    X(P, "P", "P: take the semaphore")                                   \
    X(V, "V", "V: give the semaphore back")                              \
    X(WAIT0, "wait0", "waits for zero")                                  \
    X(SLEEP, "sleep", "sleeps")                                          \
    X(REPEAT, "repeat", "repeats")                                       \
    X(CS_ENTER, "cs_enter", "enters the critical section")              \
    X(CS_UPDATE, "cs_update", "updates the shared counter")              \
    X(CS_LEAVE, "cs_leave", "leaves the critical section")              \
    X(LOCKVAR_ACQUIRE, "lockvar_acquire", "takes the plain-variable lock") \
    X(LOCKVAR_RELEASE, "lockvar_release", "clears the plain-variable lock") \
    X(EXIT, "exit", "exits")                                             \
    X(EXITED, "exited", "has exited")                                    \
    X(SPAWNED, "spawned", "was forked")                                  \
    X(RUN, "run", "run")                                                 \
    X(MSGSND, "msgsnd", "sends a message")                               \
    X(MSGRCV, "msgrcv", "receives a message")                            \
    X(MSGQ_RMID, "msgq_rmid", "removes the message queue")               \
    X(RING_PUT, "ring_put", "puts an item into the shared ring")         \
    X(RING_GET, "ring_get", "takes an item from the shared ring")        \
    /* processes, pipes and fd passing (ops_proc.c) */                   \
    X(FORK, "fork", "forks")                                             \
    X(EXEC, "exec", "replaces its program (execve)")                     \
    X(FDREPORT, "fdreport", "reports an open fd after exec")             \
    X(WAIT, "wait", "waits for a child")                                 \
    X(SIGCHLD_INSTALL, "sigchld_handler", "installs a SIGCHLD handler")  \
    X(SIGCHLD_AWAIT, "sigchld_await", "lets SIGCHLD in")                 \
    X(REAPED, "reaped", "reaped a child in its SIGCHLD handler")         \
    X(ORPHANED, "await_orphaned", "waits for its parent to exit")        \
    X(HOLD, "hold", "waits until ipcplay has seen it")                   \
    X(OPEN, "open", "opens a file")                                      \
    X(CLOSE, "close", "closes an fd")                                    \
    X(PIPE, "pipe", "creates a pipe")                                    \
    X(SOCKETPAIR, "socketpair", "creates a pair of connected sockets")   \
    X(MKFIFO, "mkfifo", "creates a FIFO")                                \
    X(READ, "read", "reads")                                             \
    X(WRITE, "write", "writes")                                          \
    X(SHUTDOWN, "shutdown", "shuts down its sending side")               \
    X(LISTEN, "listen", "listens on a UNIX socket path")                 \
    X(ACCEPT, "accept", "accepts a connection")                          \
    X(CONNECT, "connect", "connects to a UNIX socket path")              \
    X(SENDFD, "sendfd", "sends an fd (SCM_RIGHTS)")                      \
    X(RECVFD, "recvfd", "receives an fd (SCM_RIGHTS)")                   \
    X(COW_INIT, "cow_init", "maps a page and fills it")                  \
    X(COW_WRITE, "cow_write", "writes its page")                         \
    X(COW_CHECK, "cow_check", "checks its page")                         \
    X(RECORD, "record", "writes a record")                               \
    X(FILE_CHECK, "file_check", "reads the file back")                   \
    X(SIGIGN, "sigign", "ignores a signal")                             \
    /* the op runner gives up: a call failed that the role cannot go on \
     * without (note: err, and value = the op that failed) */            \
    X(FAILED, "failed", "gives up")

enum op_kind {
#define IPCPLAY_OP_ENUM(e, n, d) OP_##e,
    IPCPLAY_OPS(IPCPLAY_OP_ENUM)
#undef IPCPLAY_OP_ENUM
    OP__COUNT
};

enum ev_phase { PH_BEGIN = 0, PH_END = 1, PH_NOTE = 2 };

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
    OPF_PER_INSTANCE = 1u << 15, /* sleep: ms x instance; exit: code + instance */
};

struct event {
    uint64_t t_ns;     /* CLOCK_MONOTONIC ns since the run started */
    int32_t pid;       /* who did it */
    int16_t role;      /* role index in the plan, -1 for the engine */
    int16_t instance;  /* 1-based instance of that role */
    uint8_t op;        /* enum op_kind */
    uint8_t phase;     /* enum ev_phase */
    uint16_t flags;    /* enum op_flag */
    int32_t result;    /* the call's return value */
    int32_t err;       /* errno when result < 0, else 0 */
    int32_t obj;       /* object index in the plan (semset, segment) */
    int32_t arg0;      /* e.g. semaphore number */
    int32_t arg1;      /* e.g. sem_op value */
    int32_t pad;
    int64_t value;     /* op-specific: waited ns, counter, occupancy, status */
    int64_t value2;    /* op-specific: second value */
};

_Static_assert(sizeof(struct event) == 64, "event record must stay 64 bytes");

const char *op_name(int op);
const char *op_verb(int op);
int op_from_name(const char *name);

#endif
