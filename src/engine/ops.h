/* ops.h — the op runner: executes a role's list of ops inside a child. Every
 * op passes the control gate and emits a begin and an end event. A new op is
 * added here once and every scenario can use it. */
#ifndef IPCPLAY_OPS_H
#define IPCPLAY_OPS_H

#include <stdint.h>

#include "gate.h"
#include "plan.h"

struct runner {
    struct gate *gate;
    int evfd;                        /* write end of the event pipe */
    int role, instance;
    uint64_t t0_ns;                  /* run start, CLOCK_MONOTONIC */
    int semids[PLAN_MAX_SEMSETS];
    void *shm[PLAN_MAX_SHMSEGS];     /* this child's attachments */
    struct cs_stats *stats;          /* the stats segment, if any */
    const struct plan *plan;         /* for ops that need files or sub-roles */
    int32_t engine_pid;              /* ipcplay's engine (the children's subreaper) */
};

struct op_result {
    int32_t result, err;
    int64_t value, value2;
};

/* Emit one event for `op` (pass a copy to change what is reported). */
void runner_emit(struct runner *r, const struct op *op, int phase, const struct op_result *res);
/* Ops for processes, pipes and fd passing (ops_proc.c): 0 ok, -1 failed. */
int ops_proc_run(struct runner *r, const struct op *op);

/* Run ops; returns the exit code the child should exit with. */
int runner_run(struct runner *r, const struct op *ops, int nops);

#endif
