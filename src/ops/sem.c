/* sem.c — the semaphore family: P, V and wait-for-zero (one semop each), the
 * critical section they guard (enter, update the shared counter, leave), the
 * seed chapter's broken plain-variable lock, and semctl(SETVAL). Each op's entry: what it
 * does in a child, its "doing" text, what it changes in the model and how
 * the story tells it. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/sem.h>
#include <time.h>

#include "../engine/events.h"
#include "../model/signames.h"
#include "../engine/ops.h"
#include "../engine/sysv.h"
#include "../model/model.h"
#include "op.h"
#include "../model/i18n.h"

#define A(p) ((_Atomic __typeof__(*(p)) *)(p))

/* ---- in the child ------------------------------------------------------ */

/* The semaphore (or section) number an op means, after OPF_REL, OPF_LOW and
 * OPF_HIGH; nsems is the size of the set it refers to. */
static int sem_number(const struct runner *r, const struct op *op, int nsems)
{
    int a = op->arg0, b = op->arg2;
    if (op->flags & OPF_REL) {
        int n = op->arg3 > 0 ? op->arg3 : nsems;
        if (n > 0) {
            a = (a + r->instance - 1) % n;
            b = (b + r->instance - 1) % n;
        }
    }
    if (op->flags & OPF_LOW)
        return a < b ? a : b;
    if (op->flags & OPF_HIGH)
        return a > b ? a : b;
    return a;
}

/* P, V and wait-for-zero: one semop on one semaphore. With IPC_NOWAIT a P
 * that finds the semaphore taken reports EAGAIN, waits `ms`, and tries again. */
static int run_semop(struct runner *r, const struct op *op)
{
    /* Resolve instance-relative and lock-ordered numbers once, so events
     * name the semaphore really used. */
    int nsems =
        r->plan && op->obj >= 0 && op->obj < PLAN_MAX_SEMSETS ? r->plan->semsets[op->obj].nsems : 0;
    int num = sem_number(r, op, nsems);
    uint16_t flags = op->flags & (uint16_t) ~(OPF_REL | OPF_LOW | OPF_HIGH);
    short delta = op->kind == OP_P   ? (short)-(op->arg1 ? op->arg1 : 1)
                  : op->kind == OP_V ? (short)(op->arg1 ? op->arg1 : 1)
                                     : 0;
    struct sembuf sb = {
        .sem_num = (unsigned short)num,
        .sem_op = delta,
        .sem_flg =
            (short)(((flags & OPF_UNDO) ? SEM_UNDO : 0) | ((flags & OPF_NOWAIT) ? IPC_NOWAIT : 0)),
    };
    int semid = r->semids[op->obj];
    uint64_t first = 0;
    int backoff = op->ms ? op->ms : 100; /* a try-P that failed waits longer each time */
    for (;;) {
        if (!first)
            first = events_now_ns();
        struct event ev = runner_event(r, op, PH_BEGIN);
        ev.flags = flags;
        ev.sem.num = num;
        ev.sem.amount = op->arg1;
        runner_begin(r, &ev);
        int rc = semop(semid, &sb, 1);
        int err = errno;
        ev.sem.waited_ns = (int64_t)(events_now_ns() - first);
        if (rc < 0 && err == EINTR) /* semop is never restarted: tell it, sleep again */
            ev.sem.ncnt = semctl(semid, num, delta ? GETNCNT : GETZCNT);
        if (runner_end(r, &ev, rc, err) == 0)
            return 0;
        if (err == EINTR)
            continue;
        if (err == EAGAIN && (flags & OPF_NOWAIT)) {
            /* back off (x2, at most 16x): a busy-retry floods the story and
             * the CPU; one that waits longer each time does neither */
            runner_hold(r, backoff);
            int cap = 16 * (op->ms ? op->ms : 100);
            backoff = backoff * 2 > cap ? cap : backoff * 2;
            continue;
        }
        return -1;
    }
}

/* Critical-section ops work on one section (sem scenario's sems=N); their
 * events carry the resolved section number. NULL without a stats segment. */
static struct cs_section *section(const struct runner *r, const struct op *op, int *s)
{
    *s = 0;
    if (!r->stats)
        return NULL;
    int k = sem_number(r, op, PLAN_MAX_SECTIONS);
    *s = k >= 0 && k < PLAN_MAX_SECTIONS ? k : 0;
    return &r->stats->sect[*s];
}

static int run_cs_enter(struct runner *r, const struct op *op)
{
    struct cs_stats *st = r->stats;
    int s;
    struct cs_section *sect = section(r, op, &s);
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.cs_enter.sect = s;
    runner_begin(r, &ev);
    if (st) {
        atomic_fetch_add(A(&st->occupancy), 1);
        int occ = atomic_fetch_add(A(&sect->occupancy), 1) + 1;
        int max = atomic_load(A(&sect->max_occupancy));
        while (occ > max && !atomic_compare_exchange_weak(A(&sect->max_occupancy), &max, occ))
            ;
        max = atomic_load(A(&st->max_occupancy));
        while (occ > max && !atomic_compare_exchange_weak(A(&st->max_occupancy), &max, occ))
            ;
        ev.cs_enter.inside = occ;
    }
    runner_end(r, &ev, 0, 0);
    return 0;
}

static int run_cs_update(struct runner *r, const struct op *op)
{
    int s;
    struct cs_section *sect = section(r, op, &s);
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.cs_update.sect = s;
    runner_begin(r, &ev);
    if (sect) {
        /* The read-modify-write a lock must protect: read, take our time
         * (the hold), write back. Without the lock, two workers read the
         * same value and one update is lost. */
        volatile int64_t *counter = &sect->counter;
        int64_t v = *counter;
        runner_hold(r, op->ms);
        *counter = v + 1;
        ev.cs_update.written = v + 1;
        ev.cs_update.read = v;
    }
    runner_end(r, &ev, 0, 0);
    return 0;
}

static int run_cs_leave(struct runner *r, const struct op *op)
{
    struct cs_stats *st = r->stats;
    int s;
    struct cs_section *sect = section(r, op, &s);
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.cs_leave.sect = s;
    runner_begin(r, &ev);
    if (st) {
        atomic_fetch_add(A(&sect->entries), 1);
        ev.cs_leave.entries = atomic_fetch_add(A(&st->entries), 1) + 1;
        atomic_fetch_sub(A(&st->occupancy), 1);
        ev.cs_leave.left = atomic_fetch_sub(A(&sect->occupancy), 1) - 1;
    }
    runner_end(r, &ev, 0, 0);
    return 0;
}

static int run_lockvar_acquire(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    runner_begin(r, &ev);
    if (r->stats) {
        /* The seed chapter's warning: test, then set, in two steps. */
        volatile int32_t *lock = &r->stats->lockvar;
        long spins = 0;
        while (*lock != 0) {
            runner_nap_ms(1);
            spins++;
        }
        runner_nap_us(500); /* the gap between test and set, made visible */
        *lock = 1;
        ev.lockvar.spins = spins;
    }
    runner_end(r, &ev, 0, 0);
    return 0;
}

static int run_lockvar_release(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    runner_begin(r, &ev);
    if (r->stats)
        *(volatile int32_t *)&r->stats->lockvar = 0;
    runner_end(r, &ev, 0, 0);
    return 0;
}

/* setval: semctl(SETVAL) on semaphore arg0 (OPF_REL and lock order as for
 * P), to arg1. The kernel wakes whoever the new value lets go, and clears
 * every process's SEM_UNDO adjustment for that semaphore. */
static int run_setval(struct runner *r, const struct op *op)
{
    int nsems =
        r->plan && op->obj >= 0 && op->obj < PLAN_MAX_SEMSETS ? r->plan->semsets[op->obj].nsems : 0;
    int semid = r->semids[op->obj];
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.flags = op->flags & (uint16_t) ~(OPF_REL | OPF_LOW | OPF_HIGH);
    ev.setval.num = sem_number(r, op, nsems);
    ev.setval.val = op->arg1;
    runner_begin(r, &ev);
    ev.setval.before = semctl(semid, ev.setval.num, GETVAL);
    ev.setval.ncnt = semctl(semid, ev.setval.num, GETNCNT);
    ev.setval.zcnt = semctl(semid, ev.setval.num, GETZCNT);
    int rc = semctl(semid, ev.setval.num, SETVAL, (union semun){.val = op->arg1});
    int err = errno;
    ev.setval.after = semctl(semid, ev.setval.num, GETVAL);
    return runner_end(r, &ev, rc, err);
}

/* P2 and V2: two semaphores (arg0 and arg2, instance-relative with OPF_REL)
 * in one semop with two sembufs, which the kernel applies all or nothing;
 * count 2 makes it two semop calls of one sembuf each, the unsafe way. With
 * IPC_NOWAIT it tries once and goes on whatever the answer. */
static int run_semop2(struct runner *r, const struct op *op)
{
    int nsems =
        r->plan && op->obj >= 0 && op->obj < PLAN_MAX_SEMSETS ? r->plan->semsets[op->obj].nsems : 0;
    struct op one = *op;
    one.flags &= (uint16_t) ~(OPF_LOW | OPF_HIGH);
    struct op other = one;
    other.arg0 = op->arg2;
    other.arg2 = op->arg0;
    int num[2] = {sem_number(r, &one, nsems), sem_number(r, &other, nsems)};
    int amount = op->arg1 > 0 ? op->arg1 : 1;
    short delta = (short)(op->kind == OP_P2 ? -amount : amount);
    short flg = (short)(((op->flags & OPF_UNDO) ? SEM_UNDO : 0) |
                        ((op->flags & OPF_NOWAIT) ? IPC_NOWAIT : 0));
    struct sembuf sb[2] = {{(unsigned short)num[0], delta, flg},
                           {(unsigned short)num[1], delta, flg}};
    int semid = r->semids[op->obj];
    for (;;) {
        struct event ev = runner_event(r, op, PH_BEGIN);
        ev.flags = op->flags & (uint16_t) ~(OPF_REL | OPF_LOW | OPF_HIGH);
        ev.sem2.num[0] = num[0];
        ev.sem2.num[1] = num[1];
        ev.sem2.amount = (int16_t)amount;
        ev.sem2.calls = (int16_t)(op->count == 2 ? 2 : 1);
        runner_begin(r, &ev);
        for (int k = 0; k < 2; k++)
            ev.sem2.before[k] = (int16_t)semctl(semid, num[k], GETVAL);
        int rc = ev.sem2.calls == 1 ? semop(semid, sb, 2) : semop(semid, &sb[0], 1);
        if (rc == 0 && ev.sem2.calls == 2)
            rc = semop(semid, &sb[1], 1);
        int err = errno;
        for (int k = 0; k < 2; k++)
            ev.sem2.after[k] = (int16_t)semctl(semid, num[k], GETVAL);
        if (rc < 0 && err == EINTR)
            ev.sem2.ncnt = semctl(semid, num[0], GETNCNT);
        if (runner_end(r, &ev, rc, err) == 0 || err == EAGAIN)
            return 0;
        if (err != EINTR)
            return -1;
    }
}

/* getval: semctl(GETVAL) of semaphore arg0: what the kernel says now. */
static int run_getval(struct runner *r, const struct op *op)
{
    struct event ev = runner_event(r, op, PH_BEGIN);
    ev.sem.num = op->arg0;
    runner_begin(r, &ev);
    int v = semctl(r->semids[op->obj], op->arg0, GETVAL);
    return runner_end(r, &ev, v, errno);
}

/* ---- in the model ------------------------------------------------------ */

/* "semadj.4711.0.2": process 4711's adjustment of set 0's semaphore 2, as
 * counted from its SEM_UNDO ops (the kernel keeps it but does not show it). */
static void semadj_key(pid_t pid, int set, int num, char *key, size_t len)
{
    snprintf(key, len, "semadj.%d.%d.%d", (int)pid % 10000000, set % 100, num % 100);
}

static int sem_index(int num)
{
    return num >= 0 && num < MODEL_MAX_SEMS ? num : 0;
}

static void doing_semop(const struct event *ev, char *buf, size_t len)
{
    const char *nm = ev->op == OP_P ? "P" : ev->op == OP_V ? "V" : "wait0";
    int amount = ev->sem.amount ? ev->sem.amount : 1;
    if (ev->op != OP_WAIT0 && amount != 1)
        snprintf(buf, len, "%s(sem %d, %d)", nm, ev->sem.num, amount);
    else
        snprintf(buf, len, "%s(sem %d)", nm, ev->sem.num);
}

static void doing_cs(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "in critical");
}

static void doing_lock(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, ev->op == OP_LOCKVAR_ACQUIRE ? "lock(var)" : "unlock(var)");
}

/* V gives the lock back as it starts; P that passed takes it. */
static void apply_semop(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_semset *ss = model_semset(m, ev->obj);
    int semn = sem_index(ev->sem.num);
    struct model_proc *p = cx->p;
    if (ev->phase == PH_END && ev->result == 0 && (ev->flags & OPF_UNDO) && ev->op != OP_WAIT0) {
        char key[40];
        semadj_key(ev->pid, ev->obj, ev->sem.num, key, sizeof key);
        int amount = ev->sem.amount ? ev->sem.amount : 1;
        model_fact_add(m, key, ev->op == OP_P ? amount : -amount); /* P -n: semadj +n */
    }
    if (ev->op == OP_V && ev->phase == PH_BEGIN && ss) {
        if (ss->holder[semn] == ev->pid) {
            ss->holder[semn] = 0;
            if (p)
                p->holds_undo = false;
        }
        ss->holder_dead &= ~(1u << semn);
        return;
    }
    if (ev->op != OP_P || ev->phase != PH_END || ev->result != 0)
        return;
    if (p) {
        snprintf(p->doing, sizeof p->doing, "holds sem %d", ev->sem.num);
        p->doing_since = ev->t_ns;
    }
    if (!ss || ev->sem.amount > 1)
        return;
    /* A lock passed P while another holds it: the kernel undid that one's P
     * as it died (SEM_UNDO), a death SIGCHLD reports only after this event. */
    pid_t prev = ss->holder[semn];
    int prev_i = prev && prev != ev->pid ? model_find_proc(m, prev) : -1;
    if (prev_i >= 0 && ((ss->lockmask >> semn) & 1) && ((ss->holder_undo >> semn) & 1) &&
        !m->procs[prev_i].exited)
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

/* V never sleeps: it is told as it starts, so the story never shows a woken
 * waiter's P before the V that woke it (their end events race). */
static struct model_line *story_semop(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_semset *ss = model_semset(m, ev->obj);
    int semn = sem_index(ev->sem.num);
    struct model_line *l;
    if (ev->op == OP_V && ev->phase == PH_BEGIN) {
        l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
        if (ss && ss->ncnt[semn] > 0)
            model_line_say(l, _("-> releases; the kernel wakes a waiter (semncnt %d)"),
                           ss->ncnt[semn]);
        else
            model_line_say(l, _("-> releases"));
        return l;
    }
    if (ev->phase != PH_END || (ev->op == OP_V && ev->result == 0))
        return NULL;
    l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (ev->result == 0 && ev->op == OP_P) {
        int amount = ev->sem.amount ? ev->sem.amount : 1;
        if (ss && ss->zcnt[semn] > 0 && ss->val[semn] == amount)
            model_line_say(l,
                           _("-> acquired; semval is 0 now: the kernel wakes all %d waiting "
                             "for zero (semzcnt)"),
                           ss->zcnt[semn]);
        else if (amount > 1)
            model_line_say(l,
                           _("-> took %d at once (sem_op -%d: the kernel lets it pass only when "
                             "semval >= %d), waited %.3f s"),
                           amount, amount, amount, (double)ev->sem.waited_ns / 1e9);
        else
            model_line_say(l, _("-> acquired, waited %.3f s"), (double)ev->sem.waited_ns / 1e9);
    } else if (ev->result == 0) {
        model_line_say(l, _("-> semval reached 0, waited %.3f s"), (double)ev->sem.waited_ns / 1e9);
    } else if (ev->err == EAGAIN && ev->op == OP_WAIT0) {
        model_line_say(l, _("-> EAGAIN: semval is not 0, and IPC_NOWAIT says do not wait for "
                            "zero; will retry"));
    } else if (ev->err == EAGAIN) {
        model_line_say(l, _("-> EAGAIN: taken, and IPC_NOWAIT says do not sleep; will retry"));
    } else if (ev->err == EINTR && cx->p && strcmp(cx->p->name, "you") == 0) {
        /* the console's hand: Ctrl-C interrupts its call, which it gives up */
        model_line_say(l,
                       _("-> EINTR: Ctrl-C sent you SIGINT; its handler ran, the sleep ended (%s "
                         "%d now) and you gives the call up"),
                       ev->op == OP_WAIT0 ? "semzcnt" : "semncnt", ev->sem.ncnt);
    } else if (ev->err == EINTR) {
        /* semncnt before: the last sample's, or what a poke saw as it sent
         * the signal (it may come before any sample saw the sleeper). */
        int before = ss ? (ev->op == OP_WAIT0 ? ss->zcnt[semn] : ss->ncnt[semn]) : -1;
        long long poked = model_fact(m, "poke.ncnt", -1);
        if (ev->op == OP_P && poked > before)
            before = (int)poked;
        if (before > ev->sem.ncnt)
            model_line_say(l,
                           _("-> EINTR: a signal's handler ran; it left the sleep, so %s drops "
                             "by one (%d -> %d); semop is never restarted: it tries again"),
                           ev->op == OP_WAIT0 ? "semzcnt" : "semncnt", before, ev->sem.ncnt);
        else
            model_line_say(l,
                           _("-> EINTR: a signal's handler ran; it left the sleep (%s %d now); "
                             "semop is never restarted: it tries again"),
                           ev->op == OP_WAIT0 ? "semzcnt" : "semncnt", ev->sem.ncnt);
        model_fact_add(m, "sem.eintr", 1);
    } else {
        model_line_say(l, _("-> failed: %s"), errname(ev->err));
    }
    return l;
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

/* Inside from cs_enter's end (and from cs_update's) until cs_leave. */
static void apply_cs(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_proc *p = cx->p;
    if (ev->phase != PH_END || !p)
        return;
    if (ev->op != OP_CS_LEAVE) {
        p->op = ev->op;
        snprintf(p->doing, sizeof p->doing, "in critical");
    }
    int semn = sem_index(ev->cs_enter.sect);
    if (ev->op == OP_CS_ENTER && !p->cs_inside && semn < MODEL_MAX_SECTIONS) {
        p->cs_inside = semn + 1;
        if (++m->cs.ev_inside[semn] > m->cs.ev_max)
            m->cs.ev_max = m->cs.ev_inside[semn];
        if (m->cs.ev_inside[semn] > 1)
            cs_note_crowd(m, semn, ev->t_ns);
        model_cs_judge_max(m);
    } else if (ev->op == OP_CS_LEAVE && p->cs_inside) {
        m->cs.ev_inside[p->cs_inside - 1]--;
        p->cs_inside = 0;
    }
}

static struct model_line *story_cs_enter(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    int semn = sem_index(ev->cs_enter.sect);
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    /* The shared count cannot forget a process that died inside: once one
     * did, the events' count of the living says who is really in there. */
    long long inside = ev->cs_enter.inside;
    int dying = 0;
    for (int i = 0; i < m->nprocs; i++)
        dying += m->procs[i].lost_lock && m->procs[i].cs_inside == semn + 1;
    if ((m->cs.died_inside > 0 || dying) && semn < MODEL_MAX_SECTIONS)
        inside = m->cs.ev_inside[semn] - dying;
    if (inside > 1)
        model_line_say(l,
                       _("-> enters the critical section: %lld inside at once! mutual exclusion "
                         "broken"),
                       inside);
    else if (ev->cs_enter.inside > inside)
        model_line_say(l,
                       _("-> enters the critical section (alone; the shared count %lld "
                         "includes the dead)"),
                       (long long)ev->cs_enter.inside);
    else
        model_line_say(l, _("-> enters the critical section (alone)"));
    return l;
}

static struct model_line *story_cs_update(struct model *m, const struct event *ev,
                                          struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    model_line_say(l, _("-> counter %lld -> %lld (read, hold, write)"),
                   (long long)ev->cs_update.read, (long long)ev->cs_update.written);
    return l;
}

static struct model_line *story_cs_leave(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    model_line_say(l, _("-> leaves the critical section"));
    return l;
}

static struct model_line *story_lock(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (ev->op == OP_LOCKVAR_ACQUIRE)
        model_line_say(l, _("-> saw lock == 0, then set it to 1: two steps, not atomic"));
    else
        model_line_say(l, _("-> lock = 0"));
    return l;
}

static void doing_setval(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "SETVAL(sem %d, %d)", ev->setval.num, ev->setval.val);
}

static struct model_line *story_setval(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    const struct ev_setval *s = &ev->setval;
    if (ev->result < 0)
        model_line_say(l, _("-> semctl(SETVAL, %d) failed: %s"), s->val, errname(ev->err));
    else if (s->val == 0 && s->zcnt > 0)
        model_line_say(l,
                       _("-> semctl(SETVAL, 0): semval %lld -> %lld; the kernel wakes all %d "
                         "waiting for zero (semzcnt), no P, no SEM_UNDO"),
                       (long long)s->before, (long long)s->after, s->zcnt);
    else if (s->val > 0 && s->ncnt > 0)
        model_line_say(l,
                       _("-> semctl(SETVAL, %d): semval %lld -> %lld; the kernel wakes waiters "
                         "in P (semncnt %d)"),
                       s->val, (long long)s->before, (long long)s->after, s->ncnt);
    else
        model_line_say(l, _("-> semctl(SETVAL, %d): semval %lld -> %lld (semncnt %d, semzcnt %d)"),
                       s->val, (long long)s->before, (long long)s->after, s->ncnt, s->zcnt);
    return l;
}

static void doing_semop2(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "%s(sem %d + sem %d)", ev->op == OP_P2 ? "P" : "V", ev->sem2.num[0],
             ev->sem2.num[1]);
}

/* Both locks change hands together: V2 gives both back as it starts, a P2
 * that passed holds both. */
static void apply_semop2(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    struct model_semset *ss = model_semset(m, ev->obj);
    bool give = ev->op == OP_V2 && ev->phase == PH_BEGIN;
    bool take = ev->op == OP_P2 && ev->phase == PH_END && ev->result == 0;
    if (ev->op == OP_P2 && ev->phase == PH_END && ev->result < 0 && ev->err == EAGAIN) {
        bool same =
            ev->sem2.before[0] == ev->sem2.after[0] && ev->sem2.before[1] == ev->sem2.after[1];
        model_fact_add(m, same ? "sem2.eagain_unchanged" : "sem2.eagain_changed", 1);
    }
    if (!ss || (!give && !take))
        return;
    for (int k = 0; k < 2; k++) {
        int semn = sem_index(ev->sem2.num[k]);
        if (give && ss->holder[semn] == ev->pid)
            ss->holder[semn] = 0;
        if (take && ((ss->lockmask >> semn) & 1)) {
            ss->holder[semn] = ev->pid;
            if (ev->flags & OPF_UNDO)
                ss->holder_undo |= 1u << semn;
        }
    }
    if (take && cx->p) {
        snprintf(cx->p->doing, sizeof cx->p->doing, "holds sem %d + sem %d", ev->sem2.num[0],
                 ev->sem2.num[1]);
        cx->p->doing_since = ev->t_ns;
    }
}

static struct model_line *story_semop2(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    const struct ev_sem2 *s = &ev->sem2;
    bool v = ev->op == OP_V2;
    if (v ? ev->phase != PH_BEGIN : ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (v) {
        model_line_say(l, _("-> gives back sem %d and sem %d in one semop"), s->num[0], s->num[1]);
    } else if (ev->result == 0) {
        model_line_say(l,
                       _("-> took sem %d and sem %d in one semop (two sembufs, all or nothing): "
                         "never one without the other"),
                       s->num[0], s->num[1]);
    } else if (ev->err == EAGAIN && s->calls == 2 && s->after[0] != s->before[0]) {
        model_line_say(l,
                       _("-> two semop calls: the first took sem %d (%d -> %d), the second got "
                         "EAGAIN on sem %d: one taken without the other, not atomic"),
                       s->num[0], s->before[0], s->after[0], s->num[1]);
    } else if (ev->err == EAGAIN) {
        model_line_say(l,
                       _("-> EAGAIN: sem %d is %d, so the kernel applied neither sembuf: sem %d "
                         "stays %d, sem %d stays %d (all or nothing)"),
                       s->before[1] < s->amount ? s->num[1] : s->num[0],
                       s->before[1] < s->amount ? s->before[1] : s->before[0], s->num[0],
                       s->after[0], s->num[1], s->after[1]);
    } else if (ev->err == EINTR) {
        model_line_say(l, _("-> EINTR: a signal's handler ran; semncnt of sem %d is %d now"),
                       s->num[0], s->ncnt);
    } else {
        model_line_say(l, _("-> failed: %s"), errname(ev->err));
    }
    return l;
}

static void doing_getval(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "GETVAL(sem %d)", ev->sem.num);
}

/* The value, and the adjustments of the exited that the kernel applied. */
static struct model_line *story_getval(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (ev->result < 0) {
        model_line_say(l, _("-> semctl(GETVAL) failed: %s"), errname(ev->err));
        return l;
    }
    long long adj = 0;
    for (int i = 0; i < m->nprocs; i++) {
        char key[40];
        semadj_key(m->procs[i].pid, ev->obj, ev->sem.num, key, sizeof key);
        if (m->procs[i].exited || m->procs[i].state == 'x')
            adj += model_fact(m, key, 0);
    }
    model_fact_set(m, "semadj.getval", ev->result);
    model_fact_set(m, "semadj.exited", adj);
    model_line_say(l,
                   _("-> semval %d; the exited held semadj %+lld on it (counted from their "
                     "SEM_UNDO ops: the kernel keeps semadj but does not publish it)"),
                   ev->result, adj);
    return l;
}

/* ---- the entries ------------------------------------------------------- */

/* Payload fields by name, for recordings (model/field.h); pads are left out. */
static const struct field payload_sem[] = {FLD(struct ev_sem, num), FLD(struct ev_sem, amount),
                                           FLD(struct ev_sem, ncnt), FLD(struct ev_sem, waited_ns),
                                           FLD_END};
static const struct field payload_sem2[] = {FLD_ARR(struct ev_sem2, num),
                                            FLD(struct ev_sem2, amount),
                                            FLD(struct ev_sem2, calls),
                                            FLD_ARR(struct ev_sem2, before),
                                            FLD_ARR(struct ev_sem2, after),
                                            FLD(struct ev_sem2, ncnt),
                                            FLD_END};
static const struct field payload_cs_enter[] = {FLD(struct ev_cs_enter, sect),
                                                FLD(struct ev_cs_enter, inside), FLD_END};
static const struct field payload_cs_update[] = {FLD(struct ev_cs_update, sect),
                                                 FLD(struct ev_cs_update, written),
                                                 FLD(struct ev_cs_update, read), FLD_END};
static const struct field payload_cs_leave[] = {FLD(struct ev_cs_leave, sect),
                                                FLD(struct ev_cs_leave, entries),
                                                FLD(struct ev_cs_leave, left), FLD_END};
static const struct field payload_lockvar[] = {FLD(struct ev_lockvar, spins), FLD_END};
static const struct field payload_setval[] = {FLD(struct ev_setval, num),
                                              FLD(struct ev_setval, val),
                                              FLD(struct ev_setval, ncnt),
                                              FLD(struct ev_setval, zcnt),
                                              FLD(struct ev_setval, before),
                                              FLD(struct ev_setval, after),
                                              FLD_END};

#define SEMOP .run = run_semop, .doing = doing_semop, .apply = apply_semop, .story = story_semop

const struct op_entry op_entry_P = {
    .payload = payload_sem, .name = "P", .verb = "P: take the semaphore", SEMOP};
const struct op_entry op_entry_V = {
    .payload = payload_sem, .name = "V", .verb = "V: give the semaphore back", SEMOP};
const struct op_entry op_entry_WAIT0 = {
    .payload = payload_sem, .name = "wait0", .verb = "waits for zero", SEMOP};

const struct op_entry op_entry_P2 = {.payload = payload_sem2,
                                     .name = "P2",
                                     .verb = "P on two semaphores in one semop",
                                     .run = run_semop2,
                                     .doing = doing_semop2,
                                     .apply = apply_semop2,
                                     .story = story_semop2};
const struct op_entry op_entry_V2 = {.payload = payload_sem2,
                                     .name = "V2",
                                     .verb = "V on two semaphores in one semop",
                                     .run = run_semop2,
                                     .doing = doing_semop2,
                                     .apply = apply_semop2,
                                     .story = story_semop2};
const struct op_entry op_entry_GETVAL = {.payload = payload_sem,
                                         .name = "getval",
                                         .verb = "reads a semaphore's value (semctl GETVAL)",
                                         .run = run_getval,
                                         .doing = doing_getval,
                                         .story = story_getval};
const struct op_entry op_entry_CS_ENTER = {.payload = payload_cs_enter,
                                           .name = "cs_enter",
                                           .verb = "enters the critical section",
                                           .run = run_cs_enter,
                                           .doing = doing_cs,
                                           .apply = apply_cs,
                                           .story = story_cs_enter};
const struct op_entry op_entry_CS_UPDATE = {.payload = payload_cs_update,
                                            .name = "cs_update",
                                            .verb = "updates the shared counter",
                                            .run = run_cs_update,
                                            .doing = doing_cs,
                                            .apply = apply_cs,
                                            .story = story_cs_update};
const struct op_entry op_entry_CS_LEAVE = {.payload = payload_cs_leave,
                                           .name = "cs_leave",
                                           .verb = "leaves the critical section",
                                           .run = run_cs_leave,
                                           .doing = doing_cs,
                                           .apply = apply_cs,
                                           .story = story_cs_leave};
const struct op_entry op_entry_LOCKVAR_ACQUIRE = {.payload = payload_lockvar,
                                                  .name = "lockvar_acquire",
                                                  .verb = "takes the plain-variable lock",
                                                  .run = run_lockvar_acquire,
                                                  .doing = doing_lock,
                                                  .story = story_lock};
const struct op_entry op_entry_LOCKVAR_RELEASE = {.payload = payload_lockvar,
                                                  .name = "lockvar_release",
                                                  .verb = "clears the plain-variable lock",
                                                  .run = run_lockvar_release,
                                                  .doing = doing_lock,
                                                  .story = story_lock};
const struct op_entry op_entry_SETVAL = {.payload = payload_setval,
                                         .name = "setval",
                                         .verb = "sets a semaphore's value (semctl SETVAL)",
                                         .run = run_setval,
                                         .doing = doing_setval,
                                         .story = story_setval};
