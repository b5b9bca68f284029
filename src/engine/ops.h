/* ops.h — the op runner: executes a role's list of ops inside a child. Every
 * op passes the control gate and emits a begin and an end event. A new op is
 * added here once and every scenario can use it. */
#ifndef IPCPLAY_OPS_H
#define IPCPLAY_OPS_H

#include <stdint.h>

#include "../model/event.h"
#include "gate.h"
#include "../plan/plan.h"

struct runner {
    struct gate *gate;
    int evfd;                        /* write end of the event pipe */
    int role, instance;
    uint64_t t0_ns;                  /* run start, CLOCK_MONOTONIC */
    int semids[PLAN_MAX_SEMSETS];
    void *shm[PLAN_MAX_SHMSEGS];     /* this child's attachments */
    struct cs_stats *stats;          /* the stats segment, if any */
    const struct plan *plan;         /* the whole plan: sizes, rings, files, sub-roles */
    int instances;                   /* how many processes run this role */
    int msqids[PLAN_MAX_MSGQS];
    int32_t msg_seq;                 /* messages this process has sent */
    int32_t ring_seq;                /* items this process has put */
    int32_t engine_pid;              /* ipcplay's engine (the children's subreaper) */
    struct event failure;            /* the current op's last failed call (op 0: none) */
};

/* ops_ipc.c: message queue and ring ops. Returns 0, -1 on failure, or
 * OPS_END_ROLE when the role should end normally (its queue is gone). */
#define OPS_END_ROLE 1
int ops_ipc_run(struct runner *r, const struct op *op);
/* The semaphore (or section) number an op means, after OPF_REL, OPF_LOW and
 * OPF_HIGH; nsems is the size of the set it refers to. */
int ops_ipc_number(const struct runner *r, const struct op *op, int nsems);

struct op_result {
    int32_t result, err;
    int64_t value, value2;
};

/* Emit one event for `op` (pass a copy to change what is reported). */
void runner_emit(struct runner *r, const struct op *op, int phase, const struct op_result *res);
/* An event for op at phase, filled in from the runner and the op; the caller
 * adds results and emits it with events_emit(r->evfd, &ev). */
struct event runner_event(const struct runner *r, const struct op *op, int phase);
/* Ops for processes, pipes and fd passing (ops_proc.c): 0 ok, -1 failed. */
int ops_proc_run(struct runner *r, const struct op *op);

/* Send one event to the engine, remembering it when it reports a failed
 * call: if the op then gives up, the runner names that call and its errno. */
void runner_send(struct runner *r, const struct event *ev);

/* Run ops; returns the exit code the child should exit with. */
int runner_run(struct runner *r, const struct op *ops, int nops);

#endif
