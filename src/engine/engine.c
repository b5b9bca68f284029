/* engine.c — one run's life: create the scenario's objects (registered first),
 * spawn its roles, and in the front end's poll() loop turn signals, events and
 * the sample timer into model updates. When every child is gone: final
 * sample, judge, remove every object. */
#include "engine.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "creation.h"
#include "engine_internal.h"
#include "hand.h"
#include "outside.h"
#include "../model/waitfor.h"
#include "procfs.h"
#include "sysv.h"
#include "registry.h"
#include "tree.h"
#include "watch.h"
#include "../model/i18n.h"

struct engine *engine_new(struct model *m)
{
    struct engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->m = m;
    e->self = getpid();
    e->sample_ms = 100;
    e->speed = 1.0;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGWINCH);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    e->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    e->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    e->drainfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    e->procfd = procfs_open_root(NULL);
    e->self_statfd = procfs_open(e->procfd, e->self, "stat");
    e->gate = gate_new();
    e->ev.rfd = e->ev.wfd = -1;
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (e->sigfd < 0 || e->timerfd < 0 || e->drainfd < 0 || e->procfd < 0 || !e->gate) {
        engine_free(e);
        return NULL;
    }
    model_init(m);
    return e;
}

void engine_free(struct engine *e)
{
    if (!e)
        return;
    if (e->active)
        engine_stop(e);
    if (e->sigfd >= 0)
        close(e->sigfd);
    if (e->timerfd >= 0)
        close(e->timerfd);
    if (e->drainfd >= 0)
        close(e->drainfd);
    if (e->self_statfd >= 0)
        close(e->self_statfd);
    if (e->procfd >= 0)
        close(e->procfd);
    events_close(&e->ev);
    engine_tree_free(e);
    engine_sys_free(e);
    gate_free(e->gate);
    free(e);
}

static void arm_timer(struct engine *e, int ms)
{
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    if (ms > 0) {
        its.it_interval.tv_sec = ms / 1000;
        its.it_interval.tv_nsec = (long)(ms % 1000) * 1000000L;
        its.it_value = its.it_interval;
    }
    timerfd_settime(e->timerfd, 0, &its, NULL);
}

static void release_objects(struct engine *e)
{
    objects_ipc_release(e);
    for (int i = 0; i < PLAN_MAX_SHMSEGS; i++)
        if (e->shm_ro[i]) {
            shmdt(e->shm_ro[i]);
            e->shm_ro[i] = NULL;
        }
    registry_remove_all();
}

static void add_semset(struct engine *e, int i, int id)
{
    const struct plan_semset *ps = &e->plan.semsets[i];
    struct record r;
    record_init(&r, REC_SEMSET_ADD, e->m->now_ns);
    struct rec_semset_add *a = &r.u.semset_add;
    a->index = i;
    a->semid = id;
    a->nsems = ps->nsems;
    for (int k = 0; k < ps->nsems && k < MODEL_MAX_SEMS; k++)
        a->init[k] = ps->init[k];
    a->lockmask = ps->lockmask;
    _Static_assert(sizeof a->name == sizeof ps->name, "semaphore names");
    memcpy(a->name, ps->name, sizeof a->name);
    engine_emit(e, &r);
}

static int create_objects(struct engine *e, char *err, size_t errlen)
{
    struct plan *p = &e->plan;
    if (rundir_create(e, err, errlen) < 0)
        return -1;
    for (int i = 0; i < p->nsemsets; i++) {
        if (creation_semset(e, i, err, errlen) < 0)
            return -1;
        add_semset(e, i, e->semids[i]);
    }
    for (int i = 0; i < p->nshmsegs; i++) {
        if (p->shmsegs[i].kind != PLAN_SHM_SYSV) {
            if (objects_ipc_create_shm(e, i, err, errlen) < 0)
                return -1;
            continue;
        }
        if (creation_shmseg(e, i, err, errlen) < 0)
            return -1;
        objects_ipc_add_seg(e, i, e->shmids[i]);
        objects_ipc_reserve_sysv(e, i);
    }
    return objects_ipc_create_msgqs(e, err, errlen);
}

/* System V segments are not attached here: the sampler reads them through
 * a child's memory (sampler.c). POSIX and anonymous memory has no nattch. */
static void attach_readonly(struct engine *e)
{
    objects_ipc_attach_readonly(e);
}

static void emit_run_start(struct engine *e, const struct scenario_def *s, const long *vals,
                           const struct plan *plan)
{
    struct record r;
    record_init(&r, REC_RUN_START, 0);
    struct rec_run_start *a = &r.u.run;
    snprintf(a->scenario, sizeof a->scenario, "%s", s->name);
    scenario_format_params(s, vals, a->params, sizeof a->params);
    a->nroles = plan->nroles;
    for (int i = 0; i < plan->nroles && i < MODEL_MAX_ROLES; i++)
        snprintf(a->role_names[i], sizeof a->role_names[i], "%s", plan->roles[i].name);
    if (plan->nroles < MODEL_MAX_ROLES) /* the console's hand, if it joins (hand.c) */
        snprintf(a->role_names[a->nroles++], sizeof a->role_names[0], "you");
    a->live = 1;
    engine_watch(e, NULL); /* what a view watched belongs to the last run */
    engine_emit(e, &r);
    record_init(&r, REC_PROC_ADD, 0);
    struct rec_proc_add *p = &r.u.proc_add;
    p->pid = e->self;
    p->ppid = getppid();
    p->role = -1;
    snprintf(p->name, sizeof p->name, "ipcplay");
    p->state = 'R';
    snprintf(p->doing, sizeof p->doing, "supervising");
    engine_emit(e, &r);
}

static void emit_run_state(struct engine *e, int state, int tokens, double speed)
{
    struct record r;
    record_init(&r, REC_RUN_STATE, e->m->now_ns);
    r.u.state.state = state;
    r.u.state.step_tokens = tokens;
    r.u.state.speed = speed;
    engine_emit(e, &r);
}

int engine_start(struct engine *e, const struct scenario_def *s, const long *vals, double speed,
                 char *err, size_t errlen)
{
    if (e->active)
        engine_stop(e);
    struct plan plan;
    memset(&plan, 0, sizeof plan);
    if (s->build(vals, &plan, err, errlen) < 0)
        return -1;

    emit_run_start(e, s, vals, &plan); /* the model starts afresh */

    e->scenario = s;
    if (s->nparams > 0) /* a scenario without parameters may pass no values */
        memcpy(e->vals, vals, sizeof(long) * (size_t)s->nparams);
    e->plan = plan;
    e->pgid = 0;
    e->nchildren = 0;
    memset(e->child_slot, 0, sizeof e->child_slot);
    e->nalive = 0;
    e->failure.op = OP_NONE;
    hand_reset(e);
    hand_run_reset();
    outside_reset();
    memset(e->semids, -1, sizeof e->semids);
    memset(e->shmids, -1, sizeof e->shmids);
    objects_ipc_reset(e);
    events_close(&e->ev);
    if (events_open(&e->ev) < 0) {
        snprintf(err, errlen, _("cannot create the event pipe: %s"), strerror(errno));
        return -1;
    }
    e->t0_ns = e->ev.t0_ns;
    e->speed = speed;
    gate_set_speed(e->gate, speed);
    gate_clock_reset(e->gate);
    /* Hold everyone at the gate until all are forked and we are watching. */
    gate_set_mode(e->gate, GATE_PAUSE);
    e->active = true;
    engine_predict_reset(e);

    if (create_objects(e, err, errlen) < 0 || supervisor_spawn_all(e, err, errlen) < 0) {
        supervisor_kill_all(e);
        release_objects(e);
        e->active = false;
        model_init(e->m);
        return -1;
    }
    attach_readonly(e);
    bool paused = e->start_paused;
    e->start_paused = false;
    emit_run_state(e, paused ? RUN_PAUSED : RUN_RUNNING, 0, speed);
    sampler_sample(e, true);
    char why[160];
    outside_check(e, why, sizeof why); /* the kernel's last pids as the run begins */
    engine_judge(e, 0);
    if (paused)
        engine_say(e, LINE_NOTE, "ipcplay", "paused",
                   _("paused before the first op: the objects as created (sem_otime 0, nothing "
                     "done yet); resume (F3), or step"));
    else
        gate_set_mode(e->gate, GATE_RUN);
    arm_timer(e, e->sample_ms);
    return 0;
}

bool engine_active(const struct engine *e)
{
    return e->active;
}

/* Batches of 256 one loop turn takes from the event pipe when it is only
 * readable: under load the turn stays short and keys are served; the pipe
 * stays readable, so the next turn takes the rest. */
#define DRAIN_TURN_BATCHES 4

/* max_batches 0: until the pipe is empty (before judging, reaping, ending). */
static void drain_events_n(struct engine *e, int *flags, int max_batches)
{
    struct event batch[256];
    int n, batches = 0;
    e->streaming = false;
    /* One record for the batch: a record is far larger than an event, and
     * clearing it per event cost more than applying the event. */
    static struct record r;
    record_init(&r, REC_EVENT, 0);
    while ((max_batches <= 0 || batches++ < max_batches) &&
           (n = events_read(&e->ev, batch, 256)) > 0) {
        for (int i = 0; i < n; i++) {
            family_on_event(e, &batch[i]);
            outside_on_event(e, &batch[i]);
            r.t_ns = batch[i].t_ns;
            r.u.ev = batch[i];
            engine_emit(e, &r);
            struct child *c = supervisor_find(e, batch[i].pid);
            if (c)
                c->dirty = true;
            if (batch[i].op == OP_FAILED && e->failure.op == OP_NONE)
                e->failure = batch[i];
        }
        *flags |= ENGINE_EVENT | ENGINE_CHANGED;
        e->streaming = true;
        if (n < 256)
            break;
    }
}

static void drain_events(struct engine *e, int *flags)
{
    drain_events_n(e, flags, 0);
}

/* final: 1 the run ended by itself, 2 it was cut short (stopped, a role
 * gave up): what was not reached is then pending, not failed. */
static void finish(struct engine *e, int final)
{
    sampler_sample(e, true); /* last look at the objects before they go */
    outside_final(e);
    engine_judge(e, final);
    engine_predict_end(e);
    hand_end(e); /* the hand goes with the run, forgotten before it is reaped */
    supervisor_release_group(e);
    release_objects(e);
    arm_timer(e, 0);
    e->active = false;
    emit_run_state(e, RUN_DONE, e->m->step_tokens, e->m->speed); /* ipcplay is done */
}

/* The wait-for graph has a cycle: nobody in it can ever go on. Report it,
 * end the run, and judge it as finished (the deadlock was the outcome). */
static void end_deadlocked(struct engine *e, int *flags)
{
    gate_set_mode(e->gate, GATE_RUN);
    engine_say(e, LINE_EVENT, "ipcplay", "deadlock",
               _("nobody in the cycle can ever go on: ipcplay ends the run (kills its processes, "
                 "removes its objects)"));
    supervisor_kill_all(e);
    drain_events(e, flags);
    finish(e, 1);
}

/* An object of the run was removed from outside: end the run as
 * interrupted. No check may say ok about work that did not happen: every
 * check not failed becomes pending, "not judged: interrupted". */
static void end_interrupted(struct engine *e, const char *why, int *flags)
{
    gate_set_mode(e->gate, GATE_RUN);
    struct record r;
    record_init(&r, REC_RUN_ERROR, e->m->now_ns);
    snprintf(r.u.error.hint, sizeof r.u.error.hint, "interrupted: %s", why);
    engine_emit(e, &r);
    supervisor_kill_all(e);
    drain_events(e, flags);
    finish(e, 2);
    for (int i = 0; i < e->m->nchecks; i++) {
        const struct model_check *c = &e->m->checks[i];
        if (c->status == CHECK_FAILED)
            continue;
        record_init(&r, REC_CHECK, e->m->now_ns);
        r.u.check = *c;
        r.u.check.status = CHECK_PENDING;
        snprintf(r.u.check.detail, sizeof r.u.check.detail, "not judged: interrupted (%s)", why);
        engine_emit(e, &r);
    }
}

/* A role gave up (a call failed that it cannot go on without): the others
 * would wait for it forever. End the run as a runtime error, its checks
 * judged as cut short. */
static void end_failed(struct engine *e, int *flags)
{
    char why[160];
    drain_events(e, flags);
    if (outside_check(e, why, sizeof why) > 0) {
        end_interrupted(e, why, flags); /* it failed because the object was taken away */
        return;
    }
    char hint[160];
    hints_failure(&e->failure, hint, sizeof hint);
    gate_set_mode(e->gate, GATE_RUN);
    struct record r;
    record_init(&r, REC_RUN_ERROR, e->m->now_ns);
    snprintf(r.u.error.hint, sizeof r.u.error.hint, "%s", hint);
    engine_emit(e, &r);
    supervisor_kill_all(e);
    drain_events(e, flags);
    finish(e, 2);
}

void engine_stop(struct engine *e)
{
    if (!e->active)
        return;
    int flags = 0;
    gate_set_mode(e->gate, GATE_RUN);
    drain_events(e, &flags); /* learn of every process roles forked */
    supervisor_kill_all(e);
    drain_events(e, &flags);
    engine_say(e, LINE_NOTE, "ipcplay", "stop",
               _("the run was stopped; its processes were killed"));
    finish(e, 2);
}

int engine_pollfds(struct engine *e, struct pollfd *pfds, int max)
{
    int n = 0;
    if (n < max)
        pfds[n++] = (struct pollfd){e->sigfd, POLLIN, 0};
    if (n < max)
        pfds[n++] = (struct pollfd){e->timerfd, POLLIN, 0};
    if (n < max && e->ev.rfd >= 0) {
        pfds[n++] = (struct pollfd){e->ev.rfd, POLLIN, 0};
        if (e->streaming && e->active && n < max) {
            /* Events are streaming in: look again in a millisecond rather
             * than be woken (a wake-up costs the writer a system call). */
            struct itimerspec its = {{0, 0}, {0, 1000 * 1000}};
            timerfd_settime(e->drainfd, 0, &its, NULL);
            pfds[n++] = (struct pollfd){e->drainfd, POLLIN, 0};
        } else {
            /* About to sleep: the next event must wake us. */
            events_arm(&e->ev);
        }
    }
    if (n < max && engine_sys_pollfd(e) >= 0)
        pfds[n++] = (struct pollfd){engine_sys_pollfd(e), POLLIN, 0};
    if (n < max && engine_tree_pollfd(e) >= 0)
        pfds[n++] = (struct pollfd){engine_tree_pollfd(e), POLLIN, 0};
    int hfd = n < max ? engine_tree_hookfd(e) : -1;
    if (hfd >= 0)
        pfds[n++] = (struct pollfd){hfd, POLLIN, 0};
    return n;
}

static void update_state(struct engine *e)
{
    const struct model *m = e->m;
    if (!e->active)
        return;
    int mode = gate_mode(e->gate);
    int tokens = gate_tokens(e->gate);
    int st = mode == GATE_RUN     ? RUN_RUNNING
             : mode == GATE_PAUSE ? RUN_PAUSED
             : tokens > 0         ? RUN_STEP
                                  : RUN_PAUSED;
    if (st != m->state || tokens != m->step_tokens)
        emit_run_state(e, st, tokens, m->speed);
}

int engine_dispatch(struct engine *e, const struct pollfd *pfds, int n)
{
    int flags = 0;
    for (int i = 0; i < n; i++) {
        if (!pfds[i].revents)
            continue;
        if (pfds[i].fd == e->sigfd) {
            struct signalfd_siginfo si;
            while (read(e->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
                switch (si.ssi_signo) {
                case SIGCHLD:
                    /* Events first: they say which processes roles forked
                     * and which their parents reaped already. */
                    if (e->active)
                        drain_events(e, &flags);
                    if (e->active && supervisor_reap(e) > 0)
                        flags |= ENGINE_CHANGED;
                    flags |= engine_tree_sigchld(e);
                    break;
                case SIGWINCH: flags |= ENGINE_RESIZE; break;
                default:
                    e->quit_signal = (int)si.ssi_signo;
                    flags |= ENGINE_QUIT;
                    break;
                }
            }
        } else if (pfds[i].fd == e->timerfd) {
            uint64_t ticks;
            if (read(e->timerfd, &ticks, sizeof ticks) > 0 && e->active) {
                drain_events_n(e, &flags, DRAIN_TURN_BATCHES);
                sampler_sample(e, false);
                struct waitfor_cycle cy;
                if (waitfor_find(e->m, &cy)) {
                    /* A cycle may be events lagging behind the sample (a
                     * worker seen asleep in its next P while its V is not
                     * applied yet). A real one emits nothing: apply every
                     * event, look at everyone again, and believe only what
                     * is still there. */
                    drain_events(e, &flags);
                    sampler_sample(e, true);
                }
                engine_judge(e, 0);
                flags |= ENGINE_SAMPLE | ENGINE_CHANGED;
                char why[160];
                /* an object gone: first every event, in case the run removed it itself */
                if (outside_check(e, why, sizeof why) > 0 &&
                    (drain_events(e, &flags), outside_check(e, why, sizeof why) > 0)) {
                    end_interrupted(e, why, &flags);
                    flags |= ENGINE_DONE;
                } else if (sampler_ipc_deadlock(e)) {
                    end_deadlocked(e, &flags);
                    flags |= ENGINE_DONE;
                }
            }
        } else if (pfds[i].fd == e->drainfd) {
            uint64_t ticks;
            if (read(e->drainfd, &ticks, sizeof ticks) > 0 && e->active)
                drain_events_n(e, &flags, DRAIN_TURN_BATCHES);
        } else if (pfds[i].fd == e->ev.rfd) {
            drain_events_n(e, &flags, DRAIN_TURN_BATCHES);
        } else if (pfds[i].fd == engine_sys_pollfd(e)) {
            flags |= engine_sys_tick(e);
        } else if (pfds[i].fd == engine_tree_pollfd(e)) {
            flags |= engine_tree_output(e);
        } else if (pfds[i].fd == engine_tree_wakefd(e)) {
            flags |= engine_tree_calls(e);
        }
    }
    if (e->active) {
        engine_breaks_check(e);
        update_state(e);
        if (hand_roles_alive(e) <= 0)
            drain_events(e, &flags);
        if (e->failure.op == OP_FAILED)
            end_failed(e, &flags);
        else if (hand_roles_alive(e) <= 0)
            finish(e, 1);
        if (!e->active)
            flags |= ENGINE_DONE | ENGINE_CHANGED;
    }
    if (e->active || (flags & ENGINE_DONE)) {
        struct record r;
        record_init(&r, REC_CLOCK, engine_now(e));
        engine_emit(e, &r);
    }
    return flags;
}

int engine_quit_signal(const struct engine *e)
{
    return e->quit_signal;
}

void engine_set_interactive(struct engine *e, bool on)
{
    e->interactive = on;
}

void engine_start_paused(struct engine *e)
{
    e->start_paused = true;
}

void engine_pause(struct engine *e)
{
    gate_set_mode(e->gate, GATE_PAUSE);
    update_state(e);
}

void engine_resume(struct engine *e)
{
    gate_set_mode(e->gate, GATE_RUN);
    update_state(e);
}

void engine_step(struct engine *e, int n)
{
    if (gate_mode(e->gate) != GATE_STEP)
        gate_set_mode(e->gate, GATE_STEP);
    gate_add_tokens(e->gate, n);
    update_state(e);
}

void engine_step_proc(struct engine *e, pid_t pid, int n)
{
    gate_add_tokens_for(e->gate, (int)pid, n);
    update_state(e);
}

void engine_set_speed(struct engine *e, double speed)
{
    e->speed = speed;
    gate_set_speed(e->gate, speed);
    emit_run_state(e, e->m->state, e->m->step_tokens, speed);
}

double engine_speed(const struct engine *e)
{
    return e->speed;
}

int engine_kill(struct engine *e, pid_t pid, int sig)
{
    struct child *c = supervisor_find(e, pid);
    if (!c || c->reaped || pid == e->self) {
        errno = ESRCH;
        return -1;
    }
    /* No event will say it changed (stopped, continued, woken): look at it
     * again at the next sample instead of trusting its last read. */
    c->dirty = true;
    /* Our own child is ours while we have not reaped it. A process a role
     * forked is reaped by its parent at any moment: only its pidfd (taken
     * while it was known to be that process) still names it for sure. */
    int rc;
    if (!c->forked) {
        rc = kill(pid, sig);
    } else if (c->pidfd < 0) {
        errno = ESRCH;
        return -1;
    } else {
        rc = (int)syscall(SYS_pidfd_send_signal, c->pidfd, sig, NULL, 0);
    }
    if (rc == 0 && sig != 0)
        c->sent_sig = sig; /* a deadlock it breaks is told as its kill */
    return rc;
}

void engine_set_sample_ms(struct engine *e, int ms)
{
    e->sample_ms = ms;
    if (e->active)
        arm_timer(e, ms);
}

void engine_sample_now(struct engine *e)
{
    if (e->active)
        sampler_sample(e, false);
}

void engine_sample_full(struct engine *e)
{
    if (e->active)
        sampler_sample(e, true);
}

const struct scenario_def *engine_scenario(const struct engine *e)
{
    return e->scenario;
}

const long *engine_values(const struct engine *e)
{
    return e->vals;
}
