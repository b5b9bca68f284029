/* ops.h — the op runner: executes a role's list of ops inside a child,
 * each through its entry in the op table (src/ops/op.h). Every op passes the
 * control gate and emits a begin and an end event. */
#ifndef IPCPLAY_OPS_H
#define IPCPLAY_OPS_H

#include <stdint.h>

#include "../model/event.h"
#include "../ops/op.h"
#include "gate.h"
#include "../plan/plan.h"

struct runner {
    struct gate *gate;
    int evfd; /* write end of the event pipe */
    int role, instance;
    uint64_t t0_ns; /* run start, CLOCK_MONOTONIC */
    int semids[PLAN_MAX_SEMSETS];
    void *shm[PLAN_MAX_SHMSEGS]; /* this child's attachments */
    /* the segments' shmids and POSIX names, for roles that attach or map
     * them themselves (ops/shmlife.c) */
    int shmids[PLAN_MAX_SHMSEGS];
    const char *shm_names[PLAN_MAX_SHMSEGS];
    struct cs_stats *stats;  /* the stats segment, if any */
    const struct plan *plan; /* the whole plan: sizes, rings, files, sub-roles */
    int instances;           /* how many processes run this role */
    int msqids[PLAN_MAX_MSGQS];
    int32_t msg_seq;           /* messages this process has sent */
    int32_t ring_seq;          /* items this process has put */
    int32_t engine_pid;        /* ipcplay's engine (the children's subreaper) */
    struct event failure;      /* the current op's last failed call (op 0: none) */
    int exit_code;             /* when an op ends the role */
    const struct op *list_end; /* just past the ops being run (a body ends there) */
    int slot_fd1[16];          /* fd slots: fd + 1, 0 empty (ops/fd.c) */
    int record_seq;            /* records this process has written (ops/demo.c) */
};

/* Runner helpers for the op families (src/ops/). */
/* The event for op at phase, filled in from the runner (time, pid, role) and
 * the op (kind, flags, object); the op adds its payload and result. */
struct event runner_event(const struct runner *r, const struct op *op, enum ev_phase phase);
/* The one way an op's event leaves the child. It remembers a failed call: if
 * the op then gives up, the runner names that call and its errno. */
void runner_send(struct runner *r, const struct event *ev);
/* Pass the gate, then send ev as the op's begin (result 0). */
void runner_begin(struct runner *r, struct event *ev);
/* Send ev as the op's end with result (and errno when result < 0); returns
 * 0, or -1 when result < 0. */
int runner_end(struct runner *r, struct event *ev, int32_t result, int err);
/* The fd in slot s (the plan names slots, the kernel picks numbers); -1. */
int runner_slot(const struct runner *r, int s);
void runner_slot_set(struct runner *r, int s, int fd);
/* The scenario's delay of ms at the run's speed; at speed max a yield. */
void runner_hold(struct runner *r, int ms);
/* A nap that is not the scenario's delay: real time, EINTR retried. */
/* A clean slate for a new process: every signal to its default, none blocked. */
void runner_reset_signals(void);
/* Name this process by its role so ps, pstree and htop show "worker-2"
 * (PR_SET_NAME: its comm, at most 15 bytes), before its first op. */
void runner_set_comm(const char *role, int instance);
void runner_nap_us(long us);
void runner_nap_ms(long ms);

/* Run ops; returns the exit code the child should exit with. */
int runner_run(struct runner *r, const struct op *ops, int nops);
/* Run ops (a repeat's body); 0 to carry on, 1 when the role ends (exit code
 * in r->exit_code). */
int runner_run_list(struct runner *r, const struct op *ops, int nops);

#endif
