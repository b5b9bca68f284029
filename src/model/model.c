/* model.c — applying events to the model and telling the story in plain words.
 * Pure: no I/O, no syscalls. Live runs and replays go through the same code. */
#include "model.h"
#include "signames.h"
#include "strbuf.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static const char *const op_names[] = {
#define N(e, n, d) n,
    IPCPLAY_OPS(N)
#undef N
};
static const char *const op_verbs[] = {
#define N(e, n, d) d,
    IPCPLAY_OPS(N)
#undef N
};

const char *op_name(int op)
{
    return op >= 0 && op < OP__COUNT ? op_names[op] : "?";
}

const char *op_verb(int op)
{
    return op >= 0 && op < OP__COUNT ? op_verbs[op] : "?";
}

int op_from_name(const char *name)
{
    for (int i = 0; i < OP__COUNT; i++)
        if (strcmp(op_names[i], name) == 0)
            return i;
    return -1;
}

static bool cs_dead(const struct model_cs *cs, pid_t pid)
{
    for (int i = 0; i < cs->ndead; i++)
        if (cs->dead[i] == pid)
            return true;
    return false;
}

/* Was pid, an insider of a crowd that formed at t, really inside then? A
 * live one was; a dead one only if it did something after t (a holder that
 * died and let the next one in did nothing after its death). */
static bool cs_was_inside(const struct model *m, pid_t pid, uint64_t t)
{
    if (!cs_dead(&m->cs, pid))
        return true;
    int i = model_find_proc(m, pid);
    return i >= 0 && m->procs[i].last_ev_ns > t;
}

void model_cs_judge_max(struct model *m)
{
    struct model_cs *cs = &m->cs;
    int max = cs->ev_max > 0 ? 1 : 0;
    for (int i = 0; i < cs->ncrowds; i++) {
        int alive = 0;
        for (int k = 0; k < cs->crowds[i].n; k++)
            alive += cs_was_inside(m, cs->crowds[i].who[k], cs->crowds[i].t_ns);
        if (alive > max)
            max = alive;
    }
    if (cs->died_inside == 0 && cs->shm_max > max)
        max = cs->shm_max;
    cs->max_occupancy = max;
}

/* Remember who was inside section `sect` now that more than one is. */
static void cs_note_crowd(struct model *m, int sect, uint64_t t)
{
    struct model_cs *cs = &m->cs;
    struct model_cs_crowd c = {.n = 0, .t_ns = t};
    for (int i = 0; i < m->nprocs && c.n < 8; i++)
        if (m->procs[i].cs_inside == sect + 1)
            c.who[c.n++] = m->procs[i].pid;
    int slot = cs->ncrowds;
    if (slot >= 32) { /* full: replace the smallest crowd if this one is larger */
        slot = 0;
        for (int i = 1; i < 32; i++)
            if (cs->crowds[i].n < cs->crowds[slot].n)
                slot = i;
        if (cs->crowds[slot].n >= c.n)
            return;
    } else {
        cs->ncrowds++;
    }
    cs->crowds[slot] = c;
}

void model_init(struct model *m)
{
    memset(m, 0, sizeof *m);
    m->speed = 1.0;
}

int model_add_proc(struct model *m, pid_t pid, pid_t ppid, int role, int instance,
                   const char *name)
{
    int i = model_find_proc(m, pid);
    if (i >= 0)
        return i;
    if (m->nprocs >= MODEL_MAX_PROCS)
        return -1;
    i = m->nprocs++;
    struct model_proc *p = &m->procs[i];
    memset(p, 0, sizeof *p);
    p->pid = pid;
    p->ppid = ppid;
    p->role = role;
    p->instance = instance;
    p->state = '?';
    p->kernel.nr = -3;
    p->kernel.semid = -1;
    snprintf(p->name, sizeof p->name, "%s", name);
    m->gen_procs++;
    return i;
}

int model_find_proc(const struct model *m, pid_t pid)
{
    for (int i = 0; i < m->nprocs; i++)
        if (m->procs[i].pid == pid)
            return i;
    return -1;
}

const char *model_role_name(const struct model *m, int role)
{
    if (role < 0)
        return "ipcplay";
    if (role < m->nroles)
        return m->role_names[role];
    return "?";
}

const char *model_state_name(int state)
{
    switch (state) {
    case RUN_RUNNING: return "RUNNING";
    case RUN_PAUSED: return "PAUSED";
    case RUN_STEP: return "STEP";
    case RUN_DONE: return "DONE";
    default: return "IDLE";
    }
}

static struct model_line *new_line(struct model *m, uint64_t t, int proc, int kind)
{
    struct model_line *l = &m->story[m->story_count % MODEL_STORY_CAP];
    memset(l, 0, sizeof *l);
    l->t_ns = t;
    l->proc = proc;
    l->kind = kind;
    m->story_count++;
    m->gen_story++;
    return l;
}

void model_say(struct model *m, int kind, const char *who, const char *what, const char *fmt,
               ...)
{
    struct model_line *l = new_line(m, m->now_ns, -1, kind);
    snprintf(l->who, sizeof l->who, "%s", who ? who : "");
    snprintf(l->what, sizeof l->what, "%s", what ? what : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->detail, sizeof l->detail, fmt, ap);
    va_end(ap);
}

struct model_line *model_new_line(struct model *m, uint64_t t, int proc, int kind)
{
    return new_line(m, t, proc, kind);
}

const struct model_line *model_story_line(const struct model *m, uint64_t i)
{
    if (i >= m->story_count || i < model_story_first(m))
        return NULL;
    return &m->story[i % MODEL_STORY_CAP];
}

uint64_t model_story_first(const struct model *m)
{
    return m->story_count > MODEL_STORY_CAP ? m->story_count - MODEL_STORY_CAP : 0;
}

void model_set_check(struct model *m, const char *name, int status, const char *fmt, ...)
{
    struct model_check *c = NULL;
    for (int i = 0; i < m->nchecks; i++)
        if (strcmp(m->checks[i].name, name) == 0)
            c = &m->checks[i];
    if (!c) {
        if (m->nchecks >= MODEL_MAX_CHECKS)
            return;
        c = &m->checks[m->nchecks++];
        snprintf(c->name, sizeof c->name, "%s", name);
    }
    char detail[sizeof c->detail];
    memset(detail, 0, sizeof detail); /* no stale bytes after the text: checks compare whole */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (c->status != status || strcmp(c->detail, detail) != 0)
        m->gen_header++;
    c->status = status;
    memcpy(c->detail, detail, sizeof detail);
}

void model_end_in_error(struct model *m, const char *hint)
{
    size_t n = strlen(m->error);
    if (hint && hint[0] && n < sizeof m->error)
        snprintf(m->error + n, sizeof m->error - n, ": %s", hint);
    if (hint && hint[0])
        model_say(m, 2, "ipcplay", "error", "%s; ipcplay ends the run", hint);
    else
        model_say(m, 2, "ipcplay", "error",
                  "ipcplay ends the run: its processes are killed, its objects removed");
    m->gen_header++;
}

static struct model_semset *semset_by_index(struct model *m, int index)
{
    for (int i = 0; i < m->nsemsets; i++)
        if (m->semsets[i].index == index)
            return &m->semsets[i];
    return NULL;
}

static void describe_op(const struct event *ev, char *buf, size_t len)
{
    switch (ev->op) {
    case OP_P:
    case OP_V:
    case OP_WAIT0: {
        const char *nm = ev->op == OP_P ? "P" : ev->op == OP_V ? "V" : "wait0";
        int amount = ev->arg1 ? ev->arg1 : 1;
        if (ev->op != OP_WAIT0 && amount != 1)
            snprintf(buf, len, "%s(sem %d, %d)", nm, ev->arg0, amount);
        else
            snprintf(buf, len, "%s(sem %d)", nm, ev->arg0);
        break;
    }
    case OP_SLEEP: snprintf(buf, len, "thinking"); break;
    case OP_CS_ENTER:
    case OP_CS_UPDATE:
    case OP_CS_LEAVE: snprintf(buf, len, "in critical"); break;
    case OP_LOCKVAR_ACQUIRE: snprintf(buf, len, "lock(var)"); break;
    case OP_LOCKVAR_RELEASE: snprintf(buf, len, "unlock(var)"); break;
    default:
        if (!model_ipc_describe_op(ev, buf, len) && !model_proc_describe(ev, buf, len))
            snprintf(buf, len, "%s", op_name(ev->op));
        break;
    }
}

static void describe_status(int status, char *buf, size_t len)
{
    if (WIFEXITED(status))
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, len, "was killed by %s", signame(WTERMSIG(status)).s);
    else
        snprintf(buf, len, "ended (status 0x%x)", status);
}

/* A role gives up: its FAILED note names the call that failed (value: its
 * op) with that call's arguments and errno. The first one is the run's error. */
static struct model_line *tell_failure(struct model *m, const struct event *ev,
                                       struct model_proc *p, int pi)
{
    struct event call = *ev;
    call.op = (uint8_t)(ev->value > OP_NONE && ev->value < OP__COUNT ? ev->value : OP_NONE);
    call.phase = PH_END;
    char what[32];
    describe_op(&call, what, sizeof what);
    const char *name = ev->err ? strerrorname_np(ev->err) : NULL;
    char why[64];
    if (ev->err)
        snprintf(why, sizeof why, "%s (%s)", name ? name : "error", strerror(ev->err));
    else
        snprintf(why, sizeof why, "it cannot be done in this run");
    if (p)
        snprintf(p->doing, sizeof p->doing, "gave up: %s", op_name(call.op));
    if (!m->error[0])
        snprintf(m->error, sizeof m->error, "%s: %s failed: %s", p ? p->name : "a process", what,
                 why);
    struct model_line *l = new_line(m, ev->t_ns, pi, 2);
    snprintf(l->what, sizeof l->what, "gives up");
    snprintf(l->detail, sizeof l->detail, "%s failed: %s; it exits with status 3", what, why);
    return l;
}

void model_apply_event(struct model *m, const struct event *ev)
{
    m->events++;
    if (ev->phase == PH_BEGIN) {
        m->ops_begun++;
        m->gen_header++;
    }
    if (ev->t_ns > m->now_ns)
        m->now_ns = ev->t_ns;
    int pi = model_find_proc(m, ev->pid);
    if (pi < 0 && ev->op == OP_SPAWNED) {
        char name[32];
        model_instance_name(m, ev->role, ev->instance, name, sizeof name);
        pi = model_add_proc(m, ev->pid, 0, ev->role, ev->instance, name);
    }
    struct model_proc *p = pi >= 0 ? &m->procs[pi] : NULL;
    char who[32];
    if (p)
        model_proc_label(p, who, sizeof who);
    else
        snprintf(who, sizeof who, "pid %d", (int)ev->pid);
    char what[40];
    describe_op(ev, what, sizeof what);
    struct model_semset *ss = semset_by_index(m, ev->obj);
    int semn = ev->arg0 >= 0 && ev->arg0 < MODEL_MAX_SEMS ? ev->arg0 : 0;

    if (p) {
        m->gen_procs++;
        /* EXITED and SPAWNED come from the engine, not from the process. */
        if (ev->op != OP_EXITED && ev->op != OP_SPAWNED && ev->t_ns > p->last_ev_ns)
            p->last_ev_ns = ev->t_ns;
        if (ev->phase == PH_BEGIN) {
            p->op = ev->op;
            p->doing_since = ev->t_ns;
            snprintf(p->doing, sizeof p->doing, "%s", what);
        } else if (ev->phase == PH_END) {
            p->ops_done++;
            if (ev->op == OP_P && ev->result == 0) {
                p->op = OP_NONE;
                snprintf(p->doing, sizeof p->doing, "holds sem %d", ev->arg0);
                p->doing_since = ev->t_ns;
            } else if (ev->op == OP_CS_ENTER || ev->op == OP_CS_UPDATE) {
                snprintf(p->doing, sizeof p->doing, "in critical");
            } else {
                p->op = OP_NONE;
            }
        }
    }

    struct model_line *l = NULL;
    switch (ev->op) {
    case OP_SPAWNED:
        l = new_line(m, ev->t_ns, pi, 0);
        snprintf(l->what, sizeof l->what, "fork");
        snprintf(l->detail, sizeof l->detail, "ipcplay forks %s (pid %d)", p ? p->name : "?",
                 (int)ev->pid);
        break;
    case OP_START:
        break;
    case OP_P:
    case OP_V:
    case OP_WAIT0:
        /* V never sleeps: it is told as it starts, so the story never shows a
         * woken waiter's P before the V that woke it (their end events race). */
        if (ev->op == OP_V && ev->phase == PH_BEGIN) {
            l = new_line(m, ev->t_ns, pi, 0);
            if (ss && ss->holder[semn] == ev->pid) {
                ss->holder[semn] = 0;
                if (p)
                    p->holds_undo = false;
            }
            if (ss)
                ss->holder_dead &= ~(1u << semn);
            if (ss && ss->ncnt[semn] > 0)
                snprintf(l->detail, sizeof l->detail,
                         "-> releases; the kernel wakes a waiter (semncnt %d)", ss->ncnt[semn]);
            else
                snprintf(l->detail, sizeof l->detail, "-> releases");
            break;
        }
        if (ev->phase != PH_END || (ev->op == OP_V && ev->result == 0))
            break;
        l = new_line(m, ev->t_ns, pi, 0);
        if (ev->result == 0) {
            if (ev->op == OP_P) {
                if (ss && ev->arg1 <= 1) {
                    /* A lock passed P while another holds it: the kernel
                     * undid that one's P as it died (SEM_UNDO), a death
                     * SIGCHLD reports only after this event. */
                    pid_t prev = ss->holder[semn];
                    int prev_i = prev && prev != ev->pid ? model_find_proc(m, prev) : -1;
                    if (prev_i >= 0 && ((ss->lockmask >> semn) & 1) &&
                        ((ss->holder_undo >> semn) & 1) && !m->procs[prev_i].exited)
                        m->procs[prev_i].lost_lock = true;
                    ss->holder[semn] = ev->pid;
                    ss->holder_dead &= ~(1u << semn);
                    if (ev->flags & OPF_UNDO)
                        ss->holder_undo |= 1u << semn;
                    else
                        ss->holder_undo &= ~(1u << semn);
                    if (p && (ss->lockmask & (1u << semn)))
                        p->holds_undo = (ev->flags & OPF_UNDO) != 0;
                }
                int amount = ev->arg1 ? ev->arg1 : 1;
                if (ss && ss->zcnt[semn] > 0 && ss->val[semn] == amount)
                    snprintf(l->detail, sizeof l->detail,
                             "-> acquired; semval is 0 now: the kernel wakes all %d waiting "
                             "for zero (semzcnt)",
                             ss->zcnt[semn]);
                else
                    snprintf(l->detail, sizeof l->detail, "-> acquired, waited %.3f s",
                             (double)ev->value / 1e9);
            } else {
                snprintf(l->detail, sizeof l->detail, "-> semval reached 0, waited %.3f s",
                         (double)ev->value / 1e9);
            }
        } else if (ev->err == 11 /* EAGAIN */) {
            snprintf(l->detail, sizeof l->detail,
                     "-> EAGAIN: taken, and IPC_NOWAIT says do not sleep; will retry");
        } else {
            snprintf(l->detail, sizeof l->detail, "-> failed: %s", strerrorname_np(ev->err)
                     ? strerrorname_np(ev->err) : "error");
        }
        break;
    case OP_CS_ENTER:
        if (ev->phase != PH_END)
            break;
        if (p && !p->cs_inside && semn < MODEL_MAX_SECTIONS) {
            p->cs_inside = semn + 1;
            if (++m->cs.ev_inside[semn] > m->cs.ev_max)
                m->cs.ev_max = m->cs.ev_inside[semn];
            if (m->cs.ev_inside[semn] > 1)
                cs_note_crowd(m, semn, ev->t_ns);
            model_cs_judge_max(m);
        }
        l = new_line(m, ev->t_ns, pi, 0);
        {
            /* The shared count (value) cannot forget a process that died
             * inside: once one did, the events' count of the living says
             * who is really in there. */
            long long inside = ev->value;
            int dying = 0;
            for (int i = 0; i < m->nprocs; i++)
                dying += m->procs[i].lost_lock && m->procs[i].cs_inside == semn + 1;
            if ((m->cs.died_inside > 0 || dying) && semn < MODEL_MAX_SECTIONS)
                inside = m->cs.ev_inside[semn] - dying;
            if (inside > 1)
                snprintf(l->detail, sizeof l->detail,
                         "-> enters the critical section: %lld inside at once! mutual exclusion "
                         "broken",
                         inside);
            else if (ev->value > inside)
                snprintf(l->detail, sizeof l->detail,
                         "-> enters the critical section (alone; the shared count %lld "
                         "includes the dead)",
                         (long long)ev->value);
            else
                snprintf(l->detail, sizeof l->detail, "-> enters the critical section (alone)");
        }
        break;
    case OP_CS_UPDATE:
        if (ev->phase != PH_END)
            break;
        l = new_line(m, ev->t_ns, pi, 0);
        snprintf(l->detail, sizeof l->detail, "-> counter %lld -> %lld (read, hold, write)",
                 (long long)ev->value2, (long long)ev->value);
        break;
    case OP_CS_LEAVE:
        if (ev->phase != PH_END)
            break;
        if (p && p->cs_inside) {
            m->cs.ev_inside[p->cs_inside - 1]--;
            p->cs_inside = 0;
        }
        l = new_line(m, ev->t_ns, pi, 0);
        snprintf(l->detail, sizeof l->detail, "-> leaves the critical section");
        break;
    case OP_LOCKVAR_ACQUIRE:
        if (ev->phase != PH_END)
            break;
        l = new_line(m, ev->t_ns, pi, 0);
        snprintf(l->detail, sizeof l->detail,
                 "-> saw lock == 0, then set it to 1: two steps, not atomic");
        break;
    case OP_LOCKVAR_RELEASE:
        if (ev->phase != PH_END)
            break;
        l = new_line(m, ev->t_ns, pi, 0);
        snprintf(l->detail, sizeof l->detail, "-> lock = 0");
        break;
    case OP_FAILED: l = tell_failure(m, ev, p, pi); break;
    case OP_EXIT:
        if (p) {
            snprintf(p->doing, sizeof p->doing, "exit(%d)", ev->arg1);
            p->exit_ns = ev->t_ns;
        }
        break;
    case OP_EXITED: {
        if (p) {
            p->exited = true;
            p->wait_status = (int)ev->value;
            p->state = 'x';
            p->kernel.text[0] = '\0';
            p->kernel.semid = -1;
            p->kernel.msgcall = 0;
            snprintf(p->doing, sizeof p->doing, "gone");
        }
        /* A lock taken with SEM_UNDO is given back by the kernel as the
         * holder exits; one taken without stays taken by the dead. */
        int held_undo = p && p->lost_lock ? 1 : 0, held_dead = 0;
        for (int i = 0; i < m->nsemsets; i++)
            for (int k = 0; k < MODEL_MAX_SEMS; k++) {
                struct model_semset *hs = &m->semsets[i];
                if (hs->holder[k] != ev->pid)
                    continue;
                if (hs->holder_undo & (1u << k)) {
                    hs->holder[k] = 0;
                    held_undo++;
                } else {
                    hs->holder_dead |= 1u << k;
                    held_dead++;
                }
                m->gen_objects++;
            }
        if (p && p->cs_inside) {
            m->cs.ev_inside[p->cs_inside - 1]--;
            p->cs_inside = 0;
            struct model_line *d = new_line(m, ev->t_ns, pi, 0);
            snprintf(d->who, sizeof d->who, "%s", who);
            if (ev->arg1 == 1) {
                /* Killed because the run ended: nobody entered after it,
                 * so whoever was inside with it really was. */
                snprintf(d->what, sizeof d->what, "stopped inside");
                snprintf(d->detail, sizeof d->detail,
                         "it was in the critical section when the run was stopped");
            } else {
                m->cs.died_inside++;
                if (m->cs.ndead < 16)
                    m->cs.dead[m->cs.ndead++] = ev->pid;
                model_cs_judge_max(m);
                snprintf(d->what, sizeof d->what, "died inside");
                if (held_dead)
                    snprintf(d->detail, sizeof d->detail,
                             "it died in the critical section without SEM_UNDO: the semaphore "
                             "stays taken and nobody will V it; its waiters wait forever");
                else if (held_undo)
                    snprintf(d->detail, sizeof d->detail,
                             "it died in the critical section: its SEM_UNDO gives the semaphore "
                             "back, so the next one may enter");
                else
                    snprintf(d->detail, sizeof d->detail,
                             "it died in the critical section (it held no semaphore)");
            }
        }
        if (p)
            p->holds_undo = false;
        l = new_line(m, ev->t_ns, pi, 0);
        snprintf(l->what, sizeof l->what, "reaped");
        char st[48];
        describe_status((int)ev->value, st, sizeof st);
        if (ev->arg0 == 1 && p)
            p->adopted = true;
        snprintf(l->detail, sizeof l->detail, "%s; ipcplay reaped it (waitpid)%s", st,
                 ev->arg0 == 1 ? " as its new parent (child subreaper)" : "");
        break;
    }
    case OP_MSGSND:
    case OP_MSGRCV:
    case OP_MSGQ_RMID:
    case OP_RING_PUT:
    case OP_RING_GET:
        model_ipc_apply_event(m, ev, pi, who);
        break;
    default:
        l = model_proc_story(m, ev, pi); /* processes, pipes, fd passing */
        break;
    }
    if (l) {
        snprintf(l->who, sizeof l->who, "%s", who);
        if (!l->what[0])
            snprintf(l->what, sizeof l->what, "%s", what);
    }
}

void model_describe_kernel(const struct model *m, struct model_kernel *k)
{
    if (k->nr == -2) {
        snprintf(k->text, sizeof k->text, "running");
        return;
    }
    if (k->nr == -1) {
        snprintf(k->text, sizeof k->text, "user space");
        return;
    }
    if (k->nr == -4) {
        snprintf(k->text, sizeof k->text, "(no permission)");
        return;
    }
    if (k->nr < 0) {
        k->text[0] = '\0';
        return;
    }
    if (k->msgcall) {
        model_ipc_describe_kernel(m, k);
        return;
    }
    const char *name = syscall_name(k->nr);
    char nbuf[24];
    if (!name) {
        snprintf(nbuf, sizeof nbuf, "syscall %ld", k->nr);
        name = nbuf;
    }
    if (k->semid >= 0) {
        if (k->nsops < 0) {
            snprintf(k->text, sizeof k->text, "%s(semid %d, ?)", name, k->semid);
            return;
        }
        int idx = -1;
        for (int i = 0; i < m->nsemsets; i++)
            if (m->semsets[i].semid == k->semid)
                idx = i;
        char op[16];
        snprintf(op, sizeof op, k->sem_op > 0 ? "+%d" : "%d", k->sem_op);
        if (m->nsemsets <= 1 && idx >= 0)
            snprintf(k->text, sizeof k->text, "%s(sem %d, %s)", name, k->sem_num, op);
        else
            snprintf(k->text, sizeof k->text, "%s(set %d sem %d, %s)", name, k->semid,
                     k->sem_num, op);
        return;
    }
    snprintf(k->text, sizeof k->text, "%s", name);
}

int model_format_state(const struct model *m, char *buf, size_t len)
{
    size_t off = 0;
    if (len > 0)
        buf[0] = '\0'; /* nothing to say is an empty line, not stale bytes */
#define PUT(...) strbuf_put(buf, len, &off, __VA_ARGS__)
    for (int i = 0; i < m->nsemsets; i++) {
        const struct model_semset *s = &m->semsets[i];
        for (int k = 0; k < s->nsems; k++) {
            if (s->name[k][0])
                PUT("%ssem %d (%s): val %d ncnt %d zcnt %d pid %d", off ? " | " : "", k,
                    s->name[k], s->val[k], s->ncnt[k], s->zcnt[k], (int)s->lastpid[k]);
            else
                PUT("%ssem %d: val %d ncnt %d zcnt %d pid %d", off ? " | " : "", k, s->val[k],
                    s->ncnt[k], s->zcnt[k], (int)s->lastpid[k]);
        }
    }
    if (m->cs.present)
        PUT("%scs: inside %d max %d counter %lld", off ? " | " : "", m->cs.occupancy,
            m->cs.max_occupancy, m->cs.counter);
    off = model_ipc_format_state(m, buf, len, off);
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        if (p->role < 0 || p->exited)
            continue;
        PUT("%s%s[%d] %c %s", off ? " | " : "", p->name, (int)p->pid, p->state,
            p->kernel.text[0] ? p->kernel.text : "-");
        if (off < len)
            off += model_proc_format(m, p, buf + off, len - off);
    }
#undef PUT
    if (off >= len && len > 0)
        off = len - 1;
    return (int)off;
}
