/* proc.c — the process family: the runner's start, exit, fork (the child
 * runs a sub-role), exec (the helper reports the fds that survived), wait and
 * waitpid, a SIGCHLD handler and letting SIGCHLD in, an orphan waiting to be
 * adopted, hold (wait until ipcplay has seen something), ignoring a signal;
 * and the notes about processes: the engine forked one (spawned), reaped one
 * (exited), a role gave up (failed). Each op's entry: what it does in a
 * child, how the engine tracks it, its "doing" text, what it changes in the
 * model and how the story tells it.
 *
 * State lives in this file's statics: each child is its own process, and a
 * fork op's child inherits a copy — exactly what fork does to fds, too. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../engine/board.h"
#include "../engine/engine_internal.h"
#include "../engine/events.h"
#include "../engine/ops.h"
#include "../model/model.h"
#include "../model/signames.h"
#include "op.h"
#include "../model/i18n.h"

#define MAX_KIDS 64
#define HOLD_LIMIT_MS 10000 /* never wait for the sampler longer than this */

int ops_not_a_step(struct runner *r, const struct op *op); /* demo.c */

/* ---- in the child ------------------------------------------------------ */

struct kid {
    pid_t pid;
    int role, instance;
    bool reaped;
};
static struct kid kids[MAX_KIDS];
static int nkids;
static int kid_count_by_role[16];
static pid_t orig_parent; /* the parent that forked us (fork op children) */

/* SIGCHLD handler state: written only inside the handler, which runs only
 * inside sigsuspend (SIGCHLD is blocked everywhere else). */
static volatile sig_atomic_t h_loop, h_calls, h_n;
static volatile pid_t h_pid[MAX_KIDS];
static volatile int h_status[MAX_KIDS], h_call[MAX_KIDS], h_batch[MAX_KIDS];

static uint64_t now_ms(void)
{
    return events_now_ns() / 1000000ull;
}

static struct kid *kid_find(pid_t pid)
{
    for (int i = 0; i < nkids; i++)
        if (kids[i].pid == pid)
            return &kids[i];
    return NULL;
}

static void kid_reaped(pid_t pid)
{
    struct kid *k = kid_find(pid);
    if (k)
        k->reaped = true;
}

static bool kid_exited(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

/* Wait (sleeping, not in wait()) until ipcplay's sampler has seen as a zombie
 * every child that has exited — `target` only, or all children with
 * target <= 0; `all` also waits for every child to exit. A parent doing
 * this is "busy elsewhere": its children stay zombies meanwhile. */
static bool hold_zombies(pid_t target, bool all)
{
    struct board *b = board_get();
    uint64_t limit = now_ms() + HOLD_LIMIT_MS;
    for (;;) {
        int exited = 0, unseen = 0, alive = 0;
        for (int i = 0; i < nkids; i++) {
            struct kid *k = &kids[i];
            if (k->reaped || (target > 0 && k->pid != target))
                continue;
            if (kid_exited(k->pid)) {
                exited++;
                if (!(board_seen_pid(b, k->pid) & SEEN_ZOMBIE))
                    unseen++;
            } else {
                alive++;
            }
        }
        if (exited > 0 && unseen == 0 && !(all && alive > 0))
            return true;
        if (exited == 0 && alive == 0)
            return false; /* nothing to wait for */
        if (now_ms() > limit)
            return false;
        runner_nap_ms(5);
    }
}

/* The same as a visible hold op: the model shows what the parent is doing. */
static void hold_zombies_shown(struct runner *r, pid_t target, bool all, int ms)
{
    struct op h = {.kind = OP_HOLD};
    struct event ev = runner_event(r, &h, PH_BEGIN);
    ev.obj = 0;
    ev.flags = 0;
    ev.hold.seen = SEEN_ZOMBIE;
    ev.hold.role = -1;
    runner_begin(r, &ev);
    bool seen = hold_zombies(target, all);
    gate_delay(r->gate, ms);
    if (seen)
        hold_zombies(target, all); /* one more exited meanwhile? show it too */
    ev.hold.late = seen ? 0 : 1;
    runner_end(r, &ev, 0, 0);
}

static void on_sigchld(int sig)
{
    (void)sig;
    int saved = errno;
    int call = ++h_calls, got = 0, first = h_n;
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, WNOHANG);
        if (p <= 0)
            break;
        if (h_n < MAX_KIDS) {
            h_pid[h_n] = p;
            h_status[h_n] = st;
            h_call[h_n] = call;
            h_n++;
        }
        got++;
        if (!h_loop)
            break;
    }
    for (int i = first; i < h_n; i++)
        h_batch[i] = got;
    errno = saved;
}

/* exit: status arg1 (OPF_PER_INSTANCE: plus the instance); the role ends. */
static int run_exit(struct runner *r, const struct op *op)
{
    gate_pass(r->gate);
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.exit.code = op->arg1 + ((op->flags & OPF_PER_INSTANCE) ? r->instance : 0);
    ev.result = ev.exit.code;
    runner_send(r, &ev);
    r->exit_code = ev.exit.code;
    return OPS_END_ROLE;
}

/* fork: count children (default 1) run sub-role arg0. The parent's end
 * event names the child; the child emits its own end event. arg2 1: the
 * child keeps the signal dispositions and mask fork gave it. */
static int run_fork(struct runner *r, const struct op *op)
{
    if (!r->plan || op->arg0 < 0 || op->arg0 >= r->plan->nroles)
        return -1;
    /* OPF_PER_INSTANCE: each instance forks a role of its own, arg0 + instance - 1 */
    int sub = op->arg0 + ((op->flags & OPF_PER_INSTANCE) ? r->instance - 1 : 0);
    if (sub >= r->plan->nroles)
        return -1;
    const struct plan_role *pr = &r->plan->roles[sub];
    int n = op->count > 0 ? op->count : 1;
    for (int k = 0; k < n; k++) {
        int inst = sub < 16 ? ++kid_count_by_role[sub] : k + 1;
        struct event ev = runner_event(r, op, PH_BEGIN);
        ev.fork.role = sub;
        runner_begin(r, &ev);
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid == 0) {
            if (!(op->flags & OPF_ORPHAN)) {
                /* Die with the parent (and so with the run), as every
                 * process the engine forks does. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent)
                    _exit(3);
            }
            if (op->arg2 != 1) /* 1: keep what fork leaves (the fork scenario's signals=on) */
                runner_reset_signals();
            if (r->plan && sub >= 0 && sub < r->plan->nroles)
                runner_set_comm(r->plan->roles[sub].name, inst);
            orig_parent = parent;
            nkids = 0;
            memset(kid_count_by_role, 0, sizeof kid_count_by_role);
            h_n = h_calls = 0;
            r->record_seq = 0;
            r->role = sub;
            r->instance = inst;
            ev.pid = getpid();
            ev.role = (int16_t)sub;
            ev.instance = (int16_t)inst;
            ev.fork.ppid = getppid();
            ev.fork.self_instance = inst;
            runner_end(r, &ev, 0, 0);
            _exit(runner_run(r, pr->ops, pr->nops));
        }
        int err = errno;
        if (pid > 0 && nkids < MAX_KIDS)
            kids[nkids++] = (struct kid){pid, sub, inst, false};
        ev.fork.instance = inst;
        if (runner_end(r, &ev, pid, err) < 0)
            return -1;
    }
    return 0;
}

static const char *file_path(const struct runner *r, int obj)
{
    if (!r->plan || obj < 0 || obj >= r->plan->nfiles)
        return NULL;
    return r->plan->files[obj].path;
}

/* exec: replace the program with the helper (obj: a PLANF_HELPER file). The
 * end event comes from the new program (see helper.c); here only a failure. */
static int run_exec(struct runner *r, const struct op *op)
{
    const char *path = file_path(r, op->obj);
    struct event ev = runner_event(r, op, PH_BEGIN);
    runner_begin(r, &ev);
    if (!path)
        return runner_end(r, &ev, -1, EINVAL);
    char role[16], inst[16], t0[32];
    snprintf(role, sizeof role, "%d", r->role);
    snprintf(inst, sizeof inst, "%d", r->instance);
    snprintf(t0, sizeof t0, "%llu", (unsigned long long)r->t0_ns);
    char *argv[] = {(char *)"fdreport", (char *)"__fdreport", role, inst, t0, NULL};
    execve(path, argv, environ);
    return runner_end(r, &ev, -1, errno);
}

/* wait: arg0 0 = wait(), 1 = waitpid(the child of instance arg1). With
 * OPF_HOLD the zombie is first left for ipcplay to see, then `ms` longer. */
static int run_wait(struct runner *r, const struct op *op)
{
    pid_t target = -1;
    if (op->arg0 == 1) {
        for (int i = nkids - 1; i >= 0; i--)
            if (!kids[i].reaped && kids[i].instance == op->arg1) {
                target = kids[i].pid;
                break;
            }
        if (target < 0)
            return -1;
    }
    if (op->flags & OPF_HOLD)
        hold_zombies_shown(r, target, false, op->ms);
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.wait.pid_given = op->arg0;
    ev.wait.instance = op->arg1;
    runner_begin(r, &ev);
    int st = 0;
    pid_t pid;
    do
        pid = target > 0 ? waitpid(target, &st, 0) : wait(&st);
    while (pid < 0 && errno == EINTR);
    int err = errno;
    if (pid > 0)
        kid_reaped(pid);
    ev.wait.status = st;
    ev.wait.target = target;
    return runner_end(r, &ev, pid, err);
}

static int run_sigchld_install(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    runner_begin(r, &ev);
    h_loop = (op->flags & OPF_LOOP) ? 1 : 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&sa.sa_mask);
    int rc = sigaction(SIGCHLD, &sa, NULL);
    /* Blocked until sigchld_await lets it in: exits meanwhile leave one
     * pending SIGCHLD, however many children exited. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    return runner_end(r, &ev, rc, errno);
}

/* sigchld_await: let SIGCHLD in (sigsuspend) until every child is reaped by
 * the handler, or until it is stuck: every remaining child is a zombie and
 * no SIGCHLD is pending, so none will come. A `reaped` note per child. */
static int run_sigchld_await(struct runner *r, const struct op *op)
{
    if (op->flags & OPF_HOLD)
        hold_zombies_shown(r, 0, true, op->ms);
    struct event ev = runner_event(r, op, PH_BEGIN);
    runner_begin(r, &ev);
    sigset_t empty;
    sigemptyset(&empty);
    int shown = 0, reaped = 0, left = 0;
    for (;;) {
        for (; shown < h_n; shown++) {
            kid_reaped(h_pid[shown]);
            reaped++;
            struct op n = {.kind = OP_REAPED};
            struct event note = runner_event(r, &n, PH_NOTE);
            note.result = h_pid[shown];
            note.reaped.call = h_call[shown];
            note.reaped.batch = h_batch[shown];
            note.reaped.status = h_status[shown];
            runner_send(r, &note);
        }
        int unreaped = 0, exited = 0;
        for (int i = 0; i < nkids; i++)
            if (!kids[i].reaped) {
                unreaped++;
                if (kid_exited(kids[i].pid))
                    exited++;
            }
        if (unreaped == 0)
            break;
        sigset_t pend;
        sigpending(&pend);
        if (exited == unreaped && !sigismember(&pend, SIGCHLD)) {
            left = unreaped; /* zombies nobody will reap: no signal will come */
            break;
        }
        sigsuspend(&empty);
    }
    ev.sigchld_await.left = left;
    ev.sigchld_await.calls = h_calls;
    return runner_end(r, &ev, reaped, 0);
}

/* await_orphaned: wait until our parent is gone and we have a new one. */
static int run_orphaned(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    runner_begin(r, &ev);
    pid_t old = orig_parent ? orig_parent : getppid();
    uint64_t limit = now_ms() + HOLD_LIMIT_MS;
    while (getppid() == old && now_ms() < limit)
        runner_nap_ms(5);
    pid_t now = getppid();
    ev.orphaned.old_parent = old;
    ev.orphaned.new_parent = now;
    if (now == old)
        return runner_end(r, &ev, -1, ETIMEDOUT);
    /* Adopted: from now on die with our new parent, which must be the engine
     * (the run's subreaper); anyone else means the run is gone. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != r->engine_pid)
        _exit(3);
    return runner_end(r, &ev, 0, 0);
}

/* hold: wait until the sampler has seen `count` (default 1) processes of
 * role arg1 (or this process, arg1 < 0) with any of the board flags arg0;
 * then `ms` more at the run's speed (a key moment left on screen, see
 * PLAN_MOMENT_MS). */
static int run_hold(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.hold.seen = op->arg0;
    ev.hold.role = op->arg1;
    runner_begin(r, &ev);
    struct board *b = board_get();
    int want = op->count > 0 ? op->count : 1;
    uint64_t limit = now_ms() + HOLD_LIMIT_MS;
    while (board_count(b, op->arg1, getpid(), (unsigned)op->arg0) < want) {
        if (now_ms() > limit) {
            ev.hold.late = 1;
            runner_end(r, &ev, 0, 0);
            return 0;
        }
        runner_nap_ms(5);
    }
    if (op->ms > 0)
        runner_hold(r, op->ms);
    return runner_end(r, &ev, 0, 0);
}

static int run_sigign(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.sigign.sig = op->arg0;
    runner_begin(r, &ev);
    int rc = signal(op->arg0, SIG_IGN) == SIG_ERR ? -1 : 0;
    return runner_end(r, &ev, rc, errno);
}

/* ---- in the engine ----------------------------------------------------- */

/* A forked child starts its sub-role: from now on it is one of the run's. */
static void track_start(struct engine *e, const struct event *ev)
{
    struct child *c = supervisor_find(e, ev->pid);
    if (!c)
        c = family_track(e, ev->pid, (pid_t)ev->start.parent, ev->role, ev->instance);
    if (c)
        c->started = true;
}

/* Either side of a fork may report first: whichever does, the child is
 * tracked. */
static void track_fork(struct engine *e, const struct event *ev)
{
    if (ev->phase != PH_END)
        return;
    if (ev->result > 0) {
        family_track(e, ev->result, ev->pid, ev->fork.role, (int)ev->fork.instance);
    } else if (ev->result == 0) {
        struct child *c = family_track(e, ev->pid, (pid_t)ev->fork.ppid, ev->role, ev->instance);
        if (c)
            c->started = true;
    }
}

/* Its parent reaped a child a role forked. */
static void track_reaped(struct engine *e, const struct event *ev)
{
    if ((ev->op == OP_REAPED || ev->phase == PH_END) && ev->result > 0) {
        struct child *c = supervisor_find(e, ev->result);
        if (c && c->forked)
            family_gone(e, c);
    }
}

/* The new program says hello: the next sample looks at it (comm, exe, fds)
 * and then lets it go (sampler_fds.c). */
static void track_exec(struct engine *e, const struct event *ev)
{
    struct child *c;
    if (ev->phase == PH_END && ev->result == 0 && (c = supervisor_find(e, ev->pid))) {
        c->execd = true;
        c->fds_dirty = true;
    }
}

/* ---- in the model ------------------------------------------------------ */

static const char *proc_name(const struct model *m, pid_t pid, char *buf, size_t len)
{
    int i = model_find_proc(m, pid);
    if (i >= 0)
        model_proc_label(&m->procs[i], buf, len);
    else
        snprintf(buf, len, "pid %d", (int)pid);
    return buf;
}

/* A child was reaped by a process's wait()/waitpid()/handler. */
static void note_reaped(struct model *m, const struct event *ev, pid_t pid, int status)
{
    int qi = model_find_proc(m, pid);
    if (qi < 0)
        return;
    struct model_proc *q = &m->procs[qi];
    q->exited = true;
    q->wait_status = status;
    q->state = 'x';
    q->reaped_by = ev->pid;
    q->kernel.text[0] = '\0';
    q->kernel.semid = -1;
    snprintf(q->doing, sizeof q->doing, "gone");
    m->gen_procs++;
}

static int appear_spawned(struct model *m, const struct event *ev)
{
    char name[32];
    model_instance_name(m, ev->role, ev->instance, name, sizeof name);
    return model_add_proc(m, ev->pid, 0, ev->role, ev->instance, name);
}

static struct model_line *story_spawned(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    snprintf(l->what, sizeof l->what, "fork");
    model_line_say(l, _("ipcplay forks %s (pid %d)"), cx->p ? cx->p->name : "?", (int)ev->pid);
    return l;
}

static void apply_exit(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (cx->p) {
        snprintf(cx->p->doing, sizeof cx->p->doing, "exit(%d)", ev->exit.code);
        cx->p->exit_ns = ev->t_ns;
    }
}

/* A lock taken with SEM_UNDO is given back by the kernel as the holder
 * exits; one taken without stays taken by the dead. */
static void apply_exited(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_proc *p = cx->p;
    if (p) {
        p->exited = true;
        p->wait_status = (int)ev->exited.status;
        p->state = 'x';
        p->kernel.text[0] = '\0';
        p->kernel.semid = -1;
        p->kernel.msgcall = 0;
        snprintf(p->doing, sizeof p->doing, "gone");
    }
    cx->found.exited.held_undo = p && p->lost_lock ? 1 : 0;
    cx->found.exited.held_dead = 0;
    for (int i = 0; i < m->nsemsets; i++)
        for (int k = 0; k < MODEL_MAX_SEMS; k++) {
            struct model_semset *hs = &m->semsets[i];
            if (hs->holder[k] != ev->pid)
                continue;
            if (hs->holder_undo & (1u << k)) {
                hs->holder[k] = 0;
                cx->found.exited.held_undo++;
            } else {
                hs->holder_dead |= 1u << k;
                cx->found.exited.held_dead++;
            }
            m->gen_objects++;
        }
    cx->found.exited.inside = p && p->cs_inside;
    if (p && p->cs_inside) {
        m->cs.ev_inside[p->cs_inside - 1]--;
        p->cs_inside = 0;
        /* Killed because the run ended: nobody entered after it, so
         * whoever was inside with it really was. */
        if (!ev->exited.stopped) {
            m->cs.died_inside++;
            if (m->cs.ndead < 16)
                m->cs.dead[m->cs.ndead++] = ev->pid;
            model_cs_judge_max(m);
        }
    }
    if (p) {
        p->holds_undo = false;
        if (ev->exited.adopted == 1)
            p->adopted = true;
    }
}

static struct model_line *story_exited(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (cx->found.exited.inside) {
        struct model_line *d = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
        snprintf(d->who, sizeof d->who, "%s", cx->who);
        if (ev->exited.stopped) {
            snprintf(d->what, sizeof d->what, "stopped inside");
            model_line_say(d, _("it was in the critical section when the run was stopped"));
        } else {
            snprintf(d->what, sizeof d->what, "died inside");
            if (cx->found.exited.held_dead)
                model_line_say(d, _("it died in the critical section without SEM_UNDO: the "
                                    "semaphore stays taken and nobody will V it; its waiters "
                                    "wait forever"));
            else if (cx->found.exited.held_undo)
                model_line_say(d, _("it died in the critical section: its SEM_UNDO gives the "
                                    "semaphore back, so the next one may enter"));
            else
                model_line_say(d, _("it died in the critical section (it held no semaphore)"));
        }
    }
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    snprintf(l->what, sizeof l->what, "reaped");
    char st[48];
    wait_status_text((int)(ev->exited.status), STATUS_STORY, st, sizeof st);
    model_line_say(l, _("%s; ipcplay reaped it (waitpid)%s"), st,
                   ev->exited.adopted == 1 ? _(" as its new parent (child subreaper)") : "");
    return l;
}

/* The call that failed, as the story names it: its own event again. */
static void failed_call(const struct event *ev, char *what, size_t len)
{
    struct event call = *ev;
    call.op = (uint8_t)(ev->failed.call > OP_NONE && ev->failed.call < OP__COUNT ? ev->failed.call
                                                                                 : OP_NONE);
    call.phase = PH_END;
    model_doing(&call, what, len);
}

static void failed_why(const struct event *ev, char *why, size_t len)
{
    if (ev->err)
        snprintf(why, len, "%s (%s)", errname(ev->err), strerror(ev->err));
    else
        snprintf(why, len, "it cannot be done in this run");
}

/* A role gives up; the first one is the run's error. */
static void apply_failed(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    char what[32], why[64];
    failed_call(ev, what, sizeof what);
    failed_why(ev, why, sizeof why);
    if (cx->p)
        snprintf(cx->p->doing, sizeof cx->p->doing, "gave up: %s",
                 op_name(ev->failed.call > OP_NONE && ev->failed.call < OP__COUNT
                             ? (int)ev->failed.call
                             : OP_NONE));
    if (!m->error[0])
        snprintf(m->error, sizeof m->error, "%s: %s failed: %s", cx->p ? cx->p->name : "a process",
                 what, why);
}

static struct model_line *story_failed(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    char what[32], why[64];
    failed_call(ev, what, sizeof what);
    failed_why(ev, why, sizeof why);
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_ERROR);
    snprintf(l->what, sizeof l->what, "gives up");
    model_line_say(l, _("%s failed: %s; it exits with status 3"), what, why);
    return l;
}

static void doing_fork(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "fork()");
}

/* The parent's side makes sure the child is in the model. */
static void apply_fork(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return;
    if (ev->result > 0) {
        char name[32];
        snprintf(name, sizeof name, "%s-%lld", model_role_name(m, ev->fork.role),
                 (long long)ev->fork.instance);
        int ci =
            model_add_proc(m, ev->result, ev->pid, ev->fork.role, (int)ev->fork.instance, name);
        if (ci >= 0) {
            m->procs[ci].forked = true;
            m->procs[ci].parent0 = ev->pid;
        }
        model_fact_add(m, "fork.parent_saw_pid", 1);
    } else if (ev->result == 0) {
        if (cx->p) {
            cx->p->forked = true;
            if (!cx->p->parent0)
                cx->p->parent0 = (pid_t)ev->fork.ppid;
        }
        model_fact_add(m, "fork.child_saw_0", 1);
        if (cx->p && (pid_t)ev->fork.ppid == cx->p->parent0)
            model_fact_add(m, "fork.ppid_ok", 1);
    }
}

static struct model_line *story_fork(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (ev->result > 0) {
        int ci = model_find_proc(m, ev->result);
        model_line_say(l, _("fork() returned %d in the parent: the pid of its new child %s"),
                       ev->result, ci >= 0 ? m->procs[ci].name : "?");
    } else if (ev->result == 0) {
        bool ok = cx->p && (pid_t)ev->fork.ppid == cx->p->parent0;
        model_line_say(l, _("fork() returned 0 in the child; getppid() = %lld %s"),
                       (long long)ev->fork.ppid,
                       ok ? _("(the parent)") : _("(not the parent that forked it!)"));
    } else {
        model_line_say(l, _("fork() failed: %s"), errname(ev->err));
    }
    return l;
}

static void doing_exec(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "execve(fdreport)");
}

static void apply_exec(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase == PH_END && ev->result == 0)
        model_fact_set(m, "exec.done", ev->pid);
}

static struct model_line *story_exec(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (ev->phase != PH_END)
        model_line_say(l,
                       _("execve(%s): the program is replaced, the pid stays; fds without "
                         "FD_CLOEXEC stay open"),
                       model_file_name(m, ev->obj));
    else if (ev->result == 0)
        model_line_say(l,
                       _("now runs fdreport in the same process (pid %d): the op runner is gone"),
                       (int)ev->pid);
    else
        model_line_say(l, _("execve failed: %s"), errname(ev->err));
    return l;
}

static void apply_fdreport(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    int fd = ev->fdreport.fd;
    if (fd >= 0 && fd < 62)
        model_fact_set(m, "exec.fdmask", model_fact(m, "exec.fdmask", 0) | (1ll << fd));
    else if (fd < 0)
        model_fact_set(m, "exec.reported", 1);
}

static struct model_line *story_fdreport(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (ev->fdreport.fd >= 0)
        model_line_say(l, _("fd %d is still open after exec (inode %lld, offset %lld)"),
                       ev->fdreport.fd, (long long)ev->fdreport.ino, (long long)ev->fdreport.pos);
    else
        model_line_say(l,
                       _("reports %lld fd(s) open besides 0-3 (stdio on /dev/null, ipcplay's "
                         "pipe)"),
                       (long long)ev->fdreport.ino);
    return l;
}

static void doing_wait(const struct event *ev, char *buf, size_t len)
{
    if (ev->wait.pid_given == 1)
        snprintf(buf, len, "waitpid(pid %lld)", (long long)ev->wait.target);
    else
        snprintf(buf, len, "wait()");
}

/* How long it was a zombie, -1 when not known (before apply marks it gone). */
static double zombie_seconds(const struct model *m, const struct event *ev)
{
    int qi = model_find_proc(m, ev->result);
    if (qi >= 0 && m->procs[qi].exit_ns && ev->t_ns > m->procs[qi].exit_ns)
        return (double)(ev->t_ns - m->procs[qi].exit_ns) / 1e9;
    return -1;
}

static void apply_wait(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END || ev->result <= 0)
        return;
    note_reaped(m, ev, ev->result, (int)ev->wait.status);
    model_fact_add(m, "wait.reaped", 1);
}

static struct model_line *story_wait(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (ev->result <= 0) {
        model_line_say(l, _("-> failed: %s"), errname(ev->err));
        return l;
    }
    char st[40], nm[48];
    wait_status_text((int)ev->wait.status, STATUS_WAIT, st, sizeof st);
    double z = zombie_seconds(m, ev);
    if (z >= 0)
        model_line_say(l, _("-> reaped %s, %s; it was a zombie for %.3f s"),
                       proc_name(m, ev->result, nm, sizeof nm), st, z);
    else
        model_line_say(l, _("-> reaped %s, %s"), proc_name(m, ev->result, nm, sizeof nm), st);
    return l;
}

static void doing_reaped(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "SIGCHLD handler");
}

static void apply_reaped(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    note_reaped(m, ev, ev->result, (int)ev->reaped.status);
    model_fact_add(m, "wait.reaped", 1);
    if (ev->reaped.batch > model_fact(m, "sigchld.max_batch", 0))
        model_fact_set(m, "sigchld.max_batch", ev->reaped.batch);
}

static struct model_line *story_reaped(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    char st[40], nm[48];
    wait_status_text((int)ev->reaped.status, STATUS_WAIT, st, sizeof st);
    model_line_say(l, _("handler call %d: waitpid(-1, WNOHANG) reaped %s, %s (%d in this call)"),
                   ev->reaped.call, proc_name(m, ev->result, nm, sizeof nm), st, ev->reaped.batch);
    return l;
}

static void doing_sigchld_install(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "sigaction(SIGCHLD)");
}

static struct model_line *story_sigchld_install(struct model *m, const struct event *ev,
                                                struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    model_line_say(l,
                   _("sigaction(SIGCHLD, handler): the handler calls waitpid(-1, WNOHANG) %s; "
                     "SIGCHLD blocked for now"),
                   (ev->flags & OPF_LOOP) ? _("in a loop") : _("ONCE"));
    return l;
}

static void doing_sigchld_await(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "sigsuspend");
}

static void apply_sigchld_await(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return;
    model_fact_set(m, "sigchld.left", ev->sigchld_await.left);
    model_fact_set(m, "sigchld.calls", ev->sigchld_await.calls);
}

static struct model_line *story_sigchld_await(struct model *m, const struct event *ev,
                                              struct op_ctx *cx)
{
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (ev->phase != PH_END)
        model_line_say(l, _("sigsuspend(): lets SIGCHLD in; signals do not queue, one may stand "
                            "for several exits"));
    else if (ev->sigchld_await.left > 0)
        model_line_say(l,
                       _("%lld child(ren) left as zombies: no SIGCHLD is pending, none will "
                         "come; the handler called waitpid only once per signal"),
                       (long long)ev->sigchld_await.left);
    else
        model_line_say(l, _("every child reaped by the handler (%lld handler call(s))"),
                       (long long)ev->sigchld_await.calls);
    return l;
}

static void doing_orphaned(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "getppid()");
}

static void apply_orphaned(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END || ev->result != 0)
        return;
    if (cx->p) {
        cx->p->adopted = true;
        cx->p->ppid = (pid_t)ev->orphaned.new_parent;
    }
    model_fact_add(m, "orphan.adopted", 1);
    if (m->nprocs > 0 && m->procs[0].role < 0 && ev->orphaned.new_parent == m->procs[0].pid)
        model_fact_add(m, "orphan.by_ipcplay", 1);
}

static struct model_line *story_orphaned(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    char nm[48];
    long long old = ev->orphaned.old_parent, now = ev->orphaned.new_parent;
    if (ev->result == 0)
        model_line_say(l,
                       _("its parent (pid %lld) exited: the kernel gave it a new parent, %s "
                         "(the child subreaper): getppid() %lld -> %lld"),
                       old, proc_name(m, (pid_t)now, nm, sizeof nm), old, now);
    else
        model_line_say(l, _("its parent did not exit in time"));
    return l;
}

static void doing_hold(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "%s", ev->hold.seen == SEEN_ZOMBIE ? "busy, not waiting" : "hold");
}

static struct model_line *story_hold(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END || ev->hold.late != 1)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    model_line_say(l, _("ipcplay did not see it within 10 s; carrying on"));
    return l;
}

static void doing_sigign(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "signal(SIG_IGN)");
}

static struct model_line *story_sigign(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    model_line_say(l,
                   _("signal(%s, SIG_IGN): a write with no reader now fails with EPIPE instead "
                     "of killing it"),
                   signame(ev->sigign.sig).s);
    return l;
}

/* ---- the entries ------------------------------------------------------- */

/* Payload fields by name, for recordings (model/field.h); pads are left out. */
static const struct field payload_start[] = {FLD(struct ev_start, parent), FLD_END};
static const struct field payload_exit[] = {FLD(struct ev_exit, code), FLD_END};
static const struct field payload_exited[] = {FLD(struct ev_exited, adopted),
                                              FLD(struct ev_exited, stopped),
                                              FLD(struct ev_exited, status), FLD_END};
static const struct field payload_failed[] = {FLD_ARR(struct ev_failed, call_args),
                                              FLD(struct ev_failed, call), FLD_END};
/* fork.instance: on the child's side, its ppid (ev_fork.ppid) */
static const struct field payload_fork[] = {FLD(struct ev_fork, role),
                                            FLD(struct ev_fork, instance),
                                            FLD(struct ev_fork, self_instance), FLD_END};
static const struct field payload_fdreport[] = {
    FLD(struct ev_fdreport, fd), FLD(struct ev_fdreport, flags), FLD(struct ev_fdreport, ino),
    FLD(struct ev_fdreport, pos), FLD_END};
static const struct field payload_wait[] = {
    FLD(struct ev_wait, pid_given), FLD(struct ev_wait, instance), FLD(struct ev_wait, status),
    FLD(struct ev_wait, target), FLD_END};
static const struct field payload_sigchld_await[] = {FLD(struct ev_sigchld_await, left),
                                                     FLD(struct ev_sigchld_await, calls), FLD_END};
static const struct field payload_reaped[] = {FLD(struct ev_reaped, call),
                                              FLD(struct ev_reaped, batch),
                                              FLD(struct ev_reaped, status), FLD_END};
static const struct field payload_orphaned[] = {FLD(struct ev_orphaned, old_parent),
                                                FLD(struct ev_orphaned, new_parent), FLD_END};
static const struct field payload_hold[] = {FLD(struct ev_hold, seen), FLD(struct ev_hold, role),
                                            FLD(struct ev_hold, late), FLD_END};
static const struct field payload_sigign[] = {FLD(struct ev_sigign, sig), FLD_END};

const struct op_entry op_entry_START = {.payload = payload_start,
                                        .name = "start",
                                        .verb = "starts",
                                        .run = ops_not_a_step,
                                        .track = track_start};
const struct op_entry op_entry_EXIT = {
    .payload = payload_exit, .name = "exit", .verb = "exits", .run = run_exit, .apply = apply_exit};
const struct op_entry op_entry_EXITED = {.payload = payload_exited,
                                         .name = "exited",
                                         .verb = "has exited",
                                         .run = ops_not_a_step,
                                         .from_engine = true,
                                         .apply = apply_exited,
                                         .story = story_exited};
const struct op_entry op_entry_SPAWNED = {.name = "spawned",
                                          .verb = "was forked",
                                          .run = ops_not_a_step,
                                          .from_engine = true,
                                          .appear = appear_spawned,
                                          .story = story_spawned};
const struct op_entry op_entry_FAILED = {.payload = payload_failed,
                                         .name = "failed",
                                         .verb = "gives up",
                                         .run = ops_not_a_step,
                                         .apply = apply_failed,
                                         .story = story_failed};
const struct op_entry op_entry_FORK = {.payload = payload_fork,
                                       .name = "fork",
                                       .verb = "forks",
                                       .run = run_fork,
                                       .track = track_fork,
                                       .touches_fds = true,
                                       .doing = doing_fork,
                                       .apply = apply_fork,
                                       .story = story_fork};
const struct op_entry op_entry_EXEC = {.payload = payload_fdreport,
                                       .name = "exec",
                                       .verb = "replaces its program (execve)",
                                       .run = run_exec,
                                       .track = track_exec,
                                       .touches_fds = true,
                                       .doing = doing_exec,
                                       .apply = apply_exec,
                                       .story = story_exec};
const struct op_entry op_entry_FDREPORT = {.payload = payload_fdreport,
                                           .name = "fdreport",
                                           .verb = "reports an open fd after exec",
                                           .run = ops_not_a_step,
                                           .apply = apply_fdreport,
                                           .story = story_fdreport};
const struct op_entry op_entry_WAIT = {.payload = payload_wait,
                                       .name = "wait",
                                       .verb = "waits for a child",
                                       .run = run_wait,
                                       .track = track_reaped,
                                       .doing = doing_wait,
                                       .apply = apply_wait,
                                       .story = story_wait};
const struct op_entry op_entry_SIGCHLD_INSTALL = {.name = "sigchld_handler",
                                                  .verb = "installs a SIGCHLD handler",
                                                  .run = run_sigchld_install,
                                                  .doing = doing_sigchld_install,
                                                  .story = story_sigchld_install};
const struct op_entry op_entry_SIGCHLD_AWAIT = {.payload = payload_sigchld_await,
                                                .name = "sigchld_await",
                                                .verb = "lets SIGCHLD in",
                                                .run = run_sigchld_await,
                                                .doing = doing_sigchld_await,
                                                .apply = apply_sigchld_await,
                                                .story = story_sigchld_await};
const struct op_entry op_entry_REAPED = {.payload = payload_reaped,
                                         .name = "reaped",
                                         .verb = "reaped a child in its SIGCHLD handler",
                                         .run = ops_not_a_step,
                                         .track = track_reaped,
                                         .doing = doing_reaped,
                                         .apply = apply_reaped,
                                         .story = story_reaped};
const struct op_entry op_entry_ORPHANED = {.payload = payload_orphaned,
                                           .name = "await_orphaned",
                                           .verb = "waits for its parent to exit",
                                           .run = run_orphaned,
                                           .doing = doing_orphaned,
                                           .apply = apply_orphaned,
                                           .story = story_orphaned};
const struct op_entry op_entry_HOLD = {.payload = payload_hold,
                                       .name = "hold",
                                       .verb = "waits until ipcplay has seen it",
                                       .run = run_hold,
                                       .doing = doing_hold,
                                       .story = story_hold};
const struct op_entry op_entry_SIGIGN = {.payload = payload_sigign,
                                         .name = "sigign",
                                         .verb = "ignores a signal",
                                         .run = run_sigign,
                                         .doing = doing_sigign,
                                         .story = story_sigign};
