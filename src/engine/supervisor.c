/* supervisor.c — forks a run's children into their own process group with a
 * parent-death signal, reaps only the pids it owns (plus orphans adopted as
 * subreaper), and kills and reaps everything when a run ends.
 *
 * Signalling only what is ours: the group is led by an anchor, a process of
 * the run's own that does nothing. While the anchor is unreaped, the group's
 * number cannot be given to any other process or group, so kill(-pgid)
 * reaches only the run. The group is forgotten (registry and guardian)
 * before the anchor is reaped, and a child before it is reaped, so neither
 * the dashboard nor the guardian ever holds a number that could already be
 * someone else's. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../model/model.h"
#include "board.h"
#include "engine_internal.h"
#include "ops.h"
#include "procfs.h"
#include "registry.h"
#include "../model/i18n.h"

static unsigned child_hash(pid_t pid)
{
    _Static_assert(ENGINE_CHILD_SLOTS == 1024, "child_hash gives 10 bits");
    return ((unsigned)pid * 2654435761u) >> 22;
}

struct child *supervisor_find(struct engine *e, pid_t pid)
{
    for (unsigned h = child_hash(pid), n = 0; n < ENGINE_CHILD_SLOTS;
         h = (h + 1) % ENGINE_CHILD_SLOTS, n++) {
        int s = e->child_slot[h];
        if (s == 0)
            return NULL;
        if (e->children[s - 1].pid == pid)
            return &e->children[s - 1];
    }
    return NULL;
}

struct child *supervisor_add_child(struct engine *e, pid_t pid)
{
    if (e->nchildren >= ENGINE_MAX_CHILDREN)
        return NULL;
    int i = e->nchildren++;
    unsigned h = child_hash(pid);
    while (e->child_slot[h])
        h = (h + 1) % ENGINE_CHILD_SLOTS;
    e->child_slot[h] = (int16_t)(i + 1);
    struct child *c = &e->children[i];
    memset(c, 0, sizeof *c);
    c->pid = pid;
    return c;
}

/* In the child, before any op runs: a clean slate. */
static void child_reset(pid_t parent, int evfd)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(3);
    runner_reset_signals();
    (void)!nice(10); /* the dashboard (keys, drawing) wins the CPU over its workers */
    /* Children never touch the terminal; keep only the event pipe (as fd 3). */
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
    }
    if (evfd != 3) {
        dup2(evfd, 3);
    }
    fcntl(3, F_SETFD, 0);
    close_range(4, ~0u, 0);
}

static _Noreturn void child_main(struct engine *e, int role, int instance)
{
    pid_t parent = e->self;
    struct runner r;
    memset(&r, 0, sizeof r);
    r.gate = e->gate; /* shared mapping survives close_range: it is memory */
    r.role = role;
    r.instance = instance;
    r.t0_ns = e->t0_ns;
    r.plan = &e->plan;
    r.engine_pid = parent;
    child_reset(parent, e->ev.wfd);
    runner_set_comm(e->plan.roles[role].name, instance);
    r.evfd = 3;
    for (int i = 0; i < e->plan.nsemsets; i++)
        r.semids[i] = e->semids[i];
    for (int i = 0; i < e->plan.nmsgqs; i++)
        r.msqids[i] = e->ipc.msqids[i];
    r.plan = &e->plan;
    r.instances = e->plan.roles[role].count;
    for (int i = 0; i < e->plan.nshmsegs; i++) {
        r.shmids[i] = e->shmids[i];
        r.shm_names[i] = e->ipc.shm_name[i];
    }
    for (int i = 0; i < e->plan.nshmsegs && !e->plan.roles[role].no_shm; i++) {
        void *p = objects_ipc_child_attach(e, i);
        if (!p)
            _exit(3);
        r.shm[i] = p;
        if (e->plan.shmsegs[i].stats)
            r.stats = p;
    }
    const struct plan_role *pr = &e->plan.roles[role];
    int code = runner_run(&r, pr->ops, pr->nops);
    _exit(code);
}

/* The anchor: leads the run's process group and waits to be killed, every
 * signal but SIGKILL blocked, no fd open. */
static _Noreturn void anchor_main(pid_t parent)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(0);
    prctl(PR_SET_NAME, "ipcplay-group");
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    close_range(0, ~0u, 0);
    for (;;)
        pause();
}

static int spawn_anchor(struct engine *e, char *err, size_t errlen)
{
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, _("fork failed: %s"), strerror(errno));
        return -1;
    }
    if (pid == 0)
        anchor_main(e->self);
    setpgid(pid, pid);
    e->anchor = e->pgid = pid;
    if (registry_add(REG_PGID, pid, NULL) < 0) {
        supervisor_release_group(e);
        snprintf(err, errlen, _("too many objects"));
        return -1;
    }
    return 0;
}

void supervisor_release_group(struct engine *e)
{
    if (e->anchor <= 0)
        return;
    /* Whoever is still in the group goes (the anchor holds the number). */
    kill(-e->anchor, SIGKILL);
    registry_forget(REG_PGID, e->anchor, NULL);
    pid_t w;
    do
        w = waitpid(e->anchor, NULL, 0);
    while (w < 0 && errno == EINTR);
    e->anchor = 0;
    e->pgid = 0;
}

static void note_exit(struct engine *e, struct child *c, int status, bool stopping);

/* Reap a child of ours that has exited, forgetting it first. 1 reaped
 * (*status set), 0 still running, -1 not (or no longer) our child. */
static int reap_own(pid_t pid, int *status)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
        return -1;
    if (si.si_pid != pid)
        return 0;
    registry_forget(REG_PID, pid, NULL);
    pid_t w;
    do
        w = waitpid(pid, status, 0);
    while (w < 0 && errno == EINTR);
    return w == pid ? 1 : -1;
}

void supervisor_end_one(struct engine *e, struct child *c)
{
    if (c->reaped)
        return;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int rc;
    do
        rc = waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOWAIT);
    while (rc < 0 && errno == EINTR);
    int status = 0;
    int r = reap_own(c->pid, &status);
    if (r != 0)
        note_exit(e, c, r > 0 ? status : 0, true);
}

int supervisor_spawn_all(struct engine *e, char *err, size_t errlen)
{
    fflush(NULL);
    if (spawn_anchor(e, err, errlen) < 0)
        return -1;
    for (int ri = 0; ri < e->plan.nroles; ri++) {
        const struct plan_role *pr = &e->plan.roles[ri];
        for (int k = 1; k <= pr->count; k++) {
            if (e->nchildren >= ENGINE_MAX_CHILDREN) {
                snprintf(err, errlen, _("too many processes (at most %d)"), ENGINE_MAX_CHILDREN);
                return -1;
            }
            pid_t pid = fork();
            if (pid < 0) {
                snprintf(err, errlen, _("fork failed: %s"), strerror(errno));
                return -1;
            }
            if (pid == 0) {
                setpgid(0, e->pgid);
                child_main(e, ri, k);
            }
            setpgid(pid, e->pgid);
            if (registry_add(REG_PID, pid, NULL) < 0) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                snprintf(err, errlen, _("too many objects"));
                return -1;
            }
            struct child *c = supervisor_add_child(e, pid);
            family_init_child(c);
            c->pid = pid;
            c->role = ri;
            c->instance = k;
            c->statfd = procfs_open(e->procfd, pid, "stat");
            c->scfd = procfs_open(e->procfd, pid, "syscall");
            struct record r;
            record_init(&r, REC_PROC_ADD, e->m->now_ns);
            struct rec_proc_add *a = &r.u.proc_add;
            a->pid = pid;
            a->ppid = e->self;
            a->role = ri;
            a->instance = k;
            role_instance_name(pr->name, k, a->name, sizeof a->name);
            engine_emit(e, &r);
            c->model_idx = model_find_proc(e->m, pid);
            e->nalive++;
            record_init(&r, REC_EVENT, engine_now(e));
            r.u.ev = (struct event){.t_ns = r.t_ns,
                                    .pid = pid,
                                    .role = (int16_t)ri,
                                    .instance = (int16_t)k,
                                    .op = OP_SPAWNED,
                                    .phase = PH_NOTE};
            engine_emit(e, &r);
        }
    }
    return 0;
}

/* stopping: reaped by supervisor_kill_all, i.e. killed because the run is
 * being ended (stop, --for, a found deadlock): the model must not take that
 * for a death that let another process in. */
static void note_exit(struct engine *e, struct child *c, int status, bool stopping)
{
    c->reaped = true;
    c->status = status;
    e->nalive--;
    if (e->plan.observe)
        board_mark(board_get(), c->pid, c->role, c->instance, SEEN_EXITED);
    sampler_close_child(c);
    registry_forget(REG_PID, c->pid, NULL);
    struct record r;
    record_init(&r, REC_EVENT, engine_now(e));
    r.u.ev = (struct event){
        .t_ns = r.t_ns,
        .pid = c->pid,
        .role = (int16_t)c->role,
        .instance = (int16_t)c->instance,
        .op = OP_EXITED,
        .phase = PH_NOTE,
        .exited = {.adopted = c->adopted ? 1 : 0, .stopped = stopping ? 1 : 0, .status = status}};
    engine_emit(e, &r);
}

int supervisor_reap(struct engine *e)
{
    int n = 0;
    /* Several children can exit behind one SIGCHLD: ask about each. */
    for (int i = 0; i < e->nchildren; i++) {
        struct child *c = &e->children[i];
        if (c->reaped || c->forked)
            continue; /* a role's child: its parent reaps it, unless adopted */
        int status = 0;
        int r = reap_own(c->pid, &status);
        if (r != 0) {
            note_exit(e, c, r > 0 ? status : 0, false);
            n++;
        }
    }
    /* Orphans adopted as subreaper: peek, and reap only pids we do not own
     * yet (never a scenario's own children: those are not ours). */
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
            break;
        if (si.si_pid == e->anchor) {
            /* Someone killed the anchor: the group is no longer held. */
            supervisor_release_group(e);
            continue;
        }
        struct child *c = supervisor_find(e, si.si_pid);
        if (c && !c->forked)
            break; /* one of ours, handled above on the next pass */
        if (c && !c->reaped) {
            /* A role's child whose parent is gone: adopted by us. Look at
             * it once more (a zombie now) before it goes. */
            c->adopted = true;
            sampler_sample_one(e, c);
        }
        int status;
        if (waitpid(si.si_pid, &status, WNOHANG) == si.si_pid && c && !c->reaped)
            note_exit(e, c, status, false);
        n++;
    }
    return n;
}

void supervisor_kill_all(struct engine *e)
{
    /* Whoever died before we kill (its SIGCHLD not handled yet) died on its
     * own: reap it as such, not as one of ours ending the run. */
    supervisor_reap(e);
    /* The whole group at once first: killed one by one, a holder's SEM_UNDO
     * would let a waiter in before the waiter's own SIGKILL lands. */
    if (e->pgid > 0)
        kill(-e->pgid, SIGKILL);
    for (int i = 0; i < e->nchildren; i++)
        if (!e->children[i].reaped)
            kill(e->children[i].pid, SIGKILL);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (e->nalive > 0) {
        for (int i = 0; i < e->nchildren; i++) {
            struct child *c = &e->children[i];
            if (c->reaped)
                continue;
            int status = 0;
            int r = c->forked ? (int)waitpid(c->pid, &status, WNOHANG) : reap_own(c->pid, &status);
            if (c->forked ? r == c->pid : r != 0)
                note_exit(e, c, r > 0 ? status : 0, true);
            else if (r < 0 && c->forked && !family_exists(c))
                note_exit(e, c, 0, true); /* its parent reaped it */
        }
        if (e->nalive <= 0)
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 > 3000)
            break;
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    /* The group goes before anything is reaped blindly: the anchor must
     * not be reaped while the group is still registered. */
    supervisor_release_group(e);
    /* Adopted orphans: reap whatever exited. */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}
