/* ops.c — the op table's behaviour, executed inside a child (see ops.h).
 * Each op: pass the gate, emit begin, do the real system call, emit end. */
#include "ops.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/sem.h>
#include <time.h>
#include <unistd.h>

#include "events.h"

#define A(p) ((_Atomic __typeof__(*(p)) *)(p))

struct event runner_event(const struct runner *r, const struct op *op, int phase)
{
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.t_ns = events_now_ns() - r->t0_ns;
    ev.pid = events_pid();
    ev.role = (int16_t)r->role;
    ev.instance = (int16_t)r->instance;
    ev.op = op->kind;
    ev.phase = (uint8_t)phase;
    ev.flags = op->flags;
    ev.obj = op->obj;
    ev.arg0 = op->arg0;
    ev.arg1 = op->arg1;
    return ev;
}

static void emit(struct runner *r, const struct op *op, int phase, const struct op_result *res)
{
    struct event ev = runner_event(r, op, phase);
    if (res) {
        ev.result = res->result;
        ev.err = res->err;
        ev.value = res->value;
        ev.value2 = res->value2;
    } else if (op->kind == OP_SLEEP || op->kind == OP_CS_UPDATE) {
        int ms = (op->flags & OPF_PER_INSTANCE) ? op->ms * r->instance : op->ms;
        ev.value = (int64_t)gate_scale_ns(r->gate, ms);
    }
    runner_send(r, &ev);
}

void runner_send(struct runner *r, const struct event *ev)
{
    if (ev->phase == PH_END && ev->result < 0)
        r->failure = *ev;
    events_emit(r->evfd, ev);
}

/* The op gives up (the role cannot go on): tell the engine which call failed
 * and why, before the process exits with status 3. An op that failed
 * without a failed call of its own (a plan it cannot use) names itself. */
static void report_failure(struct runner *r, const struct op *op)
{
    struct event ev = r->failure.op != OP_NONE ? r->failure : runner_event(r, op, PH_END);
    ev.t_ns = events_now_ns() - r->t0_ns;
    ev.value = ev.op;
    ev.value2 = 0;
    ev.op = OP_FAILED;
    ev.phase = PH_NOTE;
    ev.result = -1;
    events_emit(r->evfd, &ev);
}

void runner_emit(struct runner *r, const struct op *op, int phase, const struct op_result *res)
{
    emit(r, op, phase, res);
}

static void real_sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* P, V and wait-for-zero: one semop on one semaphore. With IPC_NOWAIT a P
 * that finds the semaphore taken reports EAGAIN, waits `ms`, and tries again. */
static int do_semop(struct runner *r, const struct op *orig)
{
    /* Resolve instance-relative and lock-ordered numbers once, so events
     * name the semaphore really used. */
    struct op resolved = *orig;
    int nsems = r->plan && orig->obj >= 0 && orig->obj < PLAN_MAX_SEMSETS
                    ? r->plan->semsets[orig->obj].nsems : 0;
    resolved.arg0 = ops_ipc_number(r, orig, nsems);
    resolved.flags &= (uint16_t)~(OPF_REL | OPF_LOW | OPF_HIGH);
    const struct op *op = &resolved;
    short delta = op->kind == OP_P ? (short)-(op->arg1 ? op->arg1 : 1)
                : op->kind == OP_V ? (short)(op->arg1 ? op->arg1 : 1)
                                   : 0;
    struct sembuf sb = {
        .sem_num = (unsigned short)op->arg0,
        .sem_op = delta,
        .sem_flg = (short)(((op->flags & OPF_UNDO) ? SEM_UNDO : 0) |
                           ((op->flags & OPF_NOWAIT) ? IPC_NOWAIT : 0)),
    };
    int semid = r->semids[op->obj];
    uint64_t first = 0;
    for (;;) {
        gate_pass(r->gate);
        uint64_t t = events_now_ns();
        if (!first)
            first = t;
        emit(r, op, PH_BEGIN, NULL);
        int rc;
        do
            rc = semop(semid, &sb, 1);
        while (rc < 0 && errno == EINTR);
        struct op_result res = {rc, rc < 0 ? errno : 0,
                                (int64_t)(events_now_ns() - first), 0};
        emit(r, op, PH_END, &res);
        if (rc == 0)
            return 0;
        if (res.err == EAGAIN && (op->flags & OPF_NOWAIT)) {
            uint64_t ns = gate_scale_ns(r->gate, op->ms ? op->ms : 100);
            if (ns)
                gate_delay(r->gate, op->ms ? op->ms : 100);
            else
                sched_yield();
            continue;
        }
        return -1;
    }
}

static int run_one(struct runner *r, const struct op *op)
{
    struct cs_stats *st = r->stats;
    struct op_result res = {0, 0, 0, 0};
    /* Critical-section ops work on one section (sem scenario's sems=N); their
     * events carry the resolved section number in arg0. */
    struct cs_section *sect = NULL;
    struct op cs_op = *op;
    if (st) {
        int s = ops_ipc_number(r, op, PLAN_MAX_SECTIONS);
        s = s >= 0 && s < PLAN_MAX_SECTIONS ? s : 0;
        sect = &st->sect[s];
        cs_op.arg0 = s;
    }
    switch (op->kind) {
    case OP_MSGSND:
    case OP_MSGRCV:
    case OP_MSGQ_RMID:
    case OP_RING_PUT:
    case OP_RING_GET:
        return ops_ipc_run(r, op);
    case OP_P:
    case OP_V:
    case OP_WAIT0:
        return do_semop(r, op);
    case OP_SLEEP:
        gate_pass(r->gate);
        emit(r, op, PH_BEGIN, NULL);
        gate_delay(r->gate, (op->flags & OPF_PER_INSTANCE) ? op->ms * r->instance : op->ms);
        emit(r, op, PH_END, &res);
        return 0;
    case OP_CS_ENTER: {
        gate_pass(r->gate);
        emit(r, &cs_op, PH_BEGIN, NULL);
        if (st) {
            atomic_fetch_add(A(&st->occupancy), 1);
            int occ = atomic_fetch_add(A(&sect->occupancy), 1) + 1;
            int max = atomic_load(A(&sect->max_occupancy));
            while (occ > max && !atomic_compare_exchange_weak(A(&sect->max_occupancy), &max, occ))
                ;
            max = atomic_load(A(&st->max_occupancy));
            while (occ > max && !atomic_compare_exchange_weak(A(&st->max_occupancy), &max, occ))
                ;
            res.value = occ;
        }
        emit(r, &cs_op, PH_END, &res);
        return 0;
    }
    case OP_CS_UPDATE: {
        gate_pass(r->gate);
        emit(r, &cs_op, PH_BEGIN, NULL);
        if (st) {
            /* The read-modify-write a lock must protect: read, take our
             * time (the hold), write back. Without the lock, two workers
             * read the same value and one update is lost. */
            volatile int64_t *counter = &sect->counter;
            int64_t v = *counter;
            if (gate_scale_ns(r->gate, op->ms))
                gate_delay(r->gate, op->ms);
            else
                sched_yield();
            *counter = v + 1;
            res.value = v + 1;
            res.value2 = v;
        }
        emit(r, &cs_op, PH_END, &res);
        return 0;
    }
    case OP_CS_LEAVE:
        gate_pass(r->gate);
        emit(r, &cs_op, PH_BEGIN, NULL);
        if (st) {
            atomic_fetch_add(A(&sect->entries), 1);
            res.value = atomic_fetch_add(A(&st->entries), 1) + 1;
            atomic_fetch_sub(A(&st->occupancy), 1);
            res.value2 = atomic_fetch_sub(A(&sect->occupancy), 1) - 1;
        }
        emit(r, &cs_op, PH_END, &res);
        return 0;
    case OP_LOCKVAR_ACQUIRE: {
        gate_pass(r->gate);
        emit(r, op, PH_BEGIN, NULL);
        if (st) {
            /* The seed chapter's warning: test, then set, in two steps. */
            volatile int32_t *lock = &st->lockvar;
            long spins = 0;
            while (*lock != 0) {
                real_sleep_us(1000);
                spins++;
            }
            real_sleep_us(500); /* the gap between test and set, made visible */
            *lock = 1;
            res.value = spins;
        }
        emit(r, op, PH_END, &res);
        return 0;
    }
    case OP_LOCKVAR_RELEASE:
        gate_pass(r->gate);
        emit(r, op, PH_BEGIN, NULL);
        if (st)
            *(volatile int32_t *)&st->lockvar = 0;
        emit(r, op, PH_END, &res);
        return 0;
    default:
        return ops_proc_run(r, op);
    }
}

static int run_list(struct runner *r, const struct op *ops, int nops, int *exit_code)
{
    for (int i = 0; i < nops; i++) {
        const struct op *op = &ops[i];
        if (op->kind == OP_REPEAT) {
            int body = op->body;
            if (body > nops - i - 1)
                body = nops - i - 1;
            int count = op->count;
            if ((op->flags & OPF_SPLIT) && r->instances > 0) {
                /* count shared out: the first (count % instances) get one more */
                count = op->count / r->instances +
                        (r->instance <= op->count % r->instances ? 1 : 0);
            }
            for (int k = 0; k < count; k++)
                if (run_list(r, op + 1, body, exit_code))
                    return 1;
            i += body;
            continue;
        }
        if (op->kind == OP_EXIT) {
            gate_pass(r->gate);
            struct op x = *op;
            if (op->flags & OPF_PER_INSTANCE)
                x.arg1 += r->instance;
            struct op_result res = {x.arg1, 0, x.arg1, 0};
            emit(r, &x, PH_BEGIN, &res);
            *exit_code = x.arg1;
            return 1;
        }
        r->failure.op = OP_NONE;
        int rc = run_one(r, op);
        if (rc < 0) {
            report_failure(r, op);
            *exit_code = 3;
            return 1;
        }
        if (rc == OPS_END_ROLE) {
            *exit_code = 0;
            return 1;
        }
    }
    return 0;
}

int runner_run(struct runner *r, const struct op *ops, int nops)
{
    int code = 0;
    struct op start = {.kind = OP_START};
    struct op_result res = {0, 0, getppid(), 0};
    emit(r, &start, PH_NOTE, &res);
    run_list(r, ops, nops, &code);
    return code;
}
