/* proc.h — the process family's ops (ops/proc.c): start, fork, exec, wait,
 * SIGCHLD handling, orphans, exit, signals, the engine's notes about its
 * children (spawned, exited) and a role giving up. Their event payloads. */
#ifndef IPCPLAY_OPS_PROC_H
#define IPCPLAY_OPS_PROC_H

#include <stdint.h>

/* one X-macro list, laid out by hand */
// clang-format off
#define OPS_PROC(X)                                                                      \
    X(START) X(EXIT) X(EXITED) X(SPAWNED) X(FAILED) X(FORK) X(EXEC) X(FDREPORT) X(WAIT)  \
    X(SIGCHLD_INSTALL) X(SIGCHLD_AWAIT) X(REAPED) X(ORPHANED) X(HOLD) X(SIGIGN)
// clang-format on

struct ev_start {
    int32_t pad[4];
    int64_t parent; /* getppid() as the runner starts */
    int64_t pad2;
};

struct ev_exit {
    int32_t pad0;
    int32_t code; /* the exit status it exits with */
    int32_t pad[2];
    int64_t pad2[2];
};

/* Written by the engine as it reaps one of its children. */
struct ev_exited {
    int32_t adopted; /* 1: an orphan the engine reaped as its new parent */
    int32_t stopped; /* 1: killed because the run was being ended */
    int32_t pad[2];
    int64_t status; /* wait status */
    int64_t pad2;
};

/* A role gives up: the failed call's event, its first two words kept (what
 * names the call: "msgsnd(type 3)"), and which op it was. */
struct ev_failed {
    int32_t call_args[2];
    int32_t pad[2];
    int64_t call; /* enum op_kind of the call that failed */
    int64_t pad2;
};

/* Parent's end: result = the child's pid. The child's own end: result 0. */
struct ev_fork {
    int32_t role; /* the sub-role the child runs */
    int32_t pad[3];
    union {
        int64_t instance; /* parent's side: the child's instance */
        int64_t ppid;     /* child's side: getppid() */
    };
    int64_t self_instance; /* child's side: its own instance */
};

/* exec's end (from the new program) and fdreport notes (helper.c). */
struct ev_fdreport {
    int32_t fd;    /* an fd still open after exec; -1 for the closing count */
    int32_t flags; /* its open flags */
    int32_t pad[2];
    int64_t ino; /* its inode; the closing note: how many fds */
    int64_t pos; /* its offset */
};

struct ev_wait {
    int32_t pid_given; /* 0 wait(), 1 waitpid(target) */
    int32_t instance;  /* waitpid: the child instance it waits for */
    int32_t pad[2];
    int64_t status; /* end: wait status (result: the pid reaped) */
    int64_t target; /* waitpid: the pid */
};

struct ev_sigchld_await {
    int32_t pad[4];
    int64_t left;  /* end: zombies left that no SIGCHLD will come for */
    int64_t calls; /* handler calls */
};

/* One child reaped inside the SIGCHLD handler (result: its pid). */
struct ev_reaped {
    int32_t call;  /* the handler call that reaped it */
    int32_t batch; /* children that call reaped */
    int32_t pad[2];
    int64_t status;
    int64_t pad2;
};

struct ev_orphaned {
    int32_t pad[4];
    int64_t old_parent, new_parent;
};

/* hold: wait until the sampler has seen what it waits for (board flags). */
struct ev_hold {
    int32_t seen; /* enum model_seen flags */
    int32_t role; /* whose: a role, or -1 this process */
    int32_t pad[2];
    int64_t pad2;
    int64_t late; /* end: 1 when not seen within the time limit */
};

struct ev_sigign {
    int32_t sig;
    int32_t pad[3];
    int64_t pad2[2];
};

/* one X-macro list, laid out by hand */
// clang-format off
#define PAYLOADS_PROC                                                                    \
    struct ev_start start;                                                               \
    struct ev_exit exit;                                                                 \
    struct ev_exited exited;                                                             \
    struct ev_failed failed;                                                             \
    struct ev_fork fork;                                                                 \
    struct ev_fdreport fdreport;                                                         \
    struct ev_wait wait;                                                                 \
    struct ev_sigchld_await sigchld_await;                                               \
    struct ev_reaped reaped;                                                             \
    struct ev_orphaned orphaned;                                                         \
    struct ev_hold hold;                                                                 \
    struct ev_sigign sigign;
// clang-format on

#endif
