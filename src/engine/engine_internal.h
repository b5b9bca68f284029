/* engine_internal.h — the engine's private state, shared by engine.c,
 * supervisor.c and sampler.c. Front ends see only engine.h. */
#ifndef IPCPLAY_ENGINE_INTERNAL_H
#define IPCPLAY_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine.h"
#include "events.h"
#include "gate.h"
#include "plan.h"

#define ENGINE_MAX_CHILDREN 300

struct child {
    pid_t pid;
    int role, instance;
    int model_idx;
    int statfd, scfd;    /* /proc/PID/stat and /proc/PID/syscall, kept open */
    bool reaped;
    bool adopted;        /* an orphan that came to us as subreaper */
    int status;
    /* The op during which its struct sembuf was last read (from events):
     * while it is still blocked in that same call, the sembuf is unchanged. */
    uint64_t sembuf_since, sembuf_ops;
};

struct engine {
    struct model *m;
    int sigfd, timerfd, procfd;
    pid_t self;
    int self_statfd;
    struct gate *gate;
    struct event_channel ev;
    int quit_signal;
    int sample_ms;
    double speed;

    /* the current (or last) run */
    bool active;
    const struct scenario_def *scenario;
    long vals[SCENARIO_MAX_PARAMS];
    struct plan plan;
    pid_t pgid;
    struct child children[ENGINE_MAX_CHILDREN];
    int nchildren;
    int nalive;
    int semids[PLAN_MAX_SEMSETS];
    int shmids[PLAN_MAX_SHMSEGS];
    void *shm_ro[PLAN_MAX_SHMSEGS];  /* the engine's read-only attachments */
    uint64_t t0_ns;
};

/* supervisor.c */
int supervisor_spawn_all(struct engine *e, char *err, size_t errlen);
/* Reap every exited child we own; returns how many were reaped. */
int supervisor_reap(struct engine *e);
/* SIGKILL every live child and reap them all (bounded wait). */
void supervisor_kill_all(struct engine *e);
struct child *supervisor_find(struct engine *e, pid_t pid);

/* sampler.c */
void sampler_sample(struct engine *e);
void sampler_close_child(struct child *c);

#endif
