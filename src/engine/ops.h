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
};

/* Run ops; returns the exit code the child should exit with. */
int runner_run(struct runner *r, const struct op *ops, int nops);

#endif
