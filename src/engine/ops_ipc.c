/* ops_ipc.c — the op runner's message-queue and shared-ring ops, executed
 * inside a child (see ops.h): msgsnd, msgrcv (with its selector and flags),
 * msgctl(IPC_RMID), and put / take on the ring a producer/consumer scenario
 * keeps in shared memory. Like every op: pass the gate, emit begin, do the
 * real system call, emit end. Also the number resolution (instance-relative,
 * lock-ordered) that P, V and the critical-section ops share. */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <time.h>
#include <unistd.h>

#include "../model/event.h"
#include "../model/msgwire.h"
#include "../model/ring.h"
#include "events.h"
#include "ops.h"

#define A(p) ((_Atomic __typeof__(*(p)) *)(p))

/* The largest message any scenario sends (msgmax is 8192 by default). */
#define MSG_MAX_TEXT 8192

struct msgbuf_max {
    long mtype;
    unsigned char mtext[MSG_MAX_TEXT];
};

int ops_ipc_number(const struct runner *r, const struct op *op, int nsems)
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

struct ipc_result {
    int32_t result, err, arg1;
    int64_t value, value2;
};

static void emit(struct runner *r, const struct op *op, int phase, int32_t arg0,
                 const struct ipc_result *res)
{
    struct event ev = runner_event(r, op, phase);
    ev.arg0 = arg0;
    if (res) {
        ev.result = res->result;
        ev.err = res->err;
        ev.arg1 = res->arg1;
        ev.value = res->value;
        ev.value2 = res->value2;
    }
    runner_send(r, &ev);
}

static void real_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Wait before trying again. At speed max scripted delays vanish, but a
 * retry loop still gets a short real pause so it does not spin a core. */
static void retry_pause(struct runner *r, int ms)
{
    if (gate_scale_ns(r->gate, ms) >= 5000000ull)
        gate_delay(r->gate, ms);
    else
        real_sleep_ms(5);
}

static void hold(struct runner *r, int ms)
{
    if (gate_scale_ns(r->gate, ms))
        gate_delay(r->gate, ms);
    else
        sched_yield();
}

static int do_msgsnd(struct runner *r, const struct op *op)
{
    static struct msgbuf_max msg;
    int qid = r->msqids[op->obj];
    int32_t seq = ++r->msg_seq;
    int ntypes = op->arg2 > 0 ? op->arg2 : 1;
    long type = op->arg0 + ((seq - 1) + (r->instance - 1)) % ntypes;
    int len = op->arg1;
    if (op->arg3 > 0 && seq % op->arg3 == 0)
        len *= 4; /* a long one */
    if (len < (int)sizeof(struct msgwire_head))
        len = (int)sizeof(struct msgwire_head);
    if (len > MSG_MAX_TEXT)
        len = MSG_MAX_TEXT;
    struct msgwire_head h = {
        MSGWIRE_MAGIC, (int16_t)r->role, (int16_t)r->instance, seq, (int32_t)type, len, 0};
    for (size_t i = sizeof h; i < (size_t)len; i++)
        msg.mtext[i] = msgwire_fill(&h, i);
    h.sum = msgwire_sum(msg.mtext + sizeof h, (size_t)len - sizeof h);
    memcpy(msg.mtext, &h, sizeof h);
    msg.mtype = type;

    struct op shown = *op;
    shown.arg1 = len;
    for (;;) {
        gate_pass(r->gate);
        struct ipc_result begin = {0, 0, len, seq, 0};
        emit(r, &shown, PH_BEGIN, (int32_t)type, &begin);
        int rc;
        do
            rc = msgsnd(qid, &msg, (size_t)len, (op->flags & OPF_NOWAIT) ? IPC_NOWAIT : 0);
        while (rc < 0 && errno == EINTR);
        struct ipc_result res = {rc, rc < 0 ? errno : 0, len, seq, 0};
        emit(r, &shown, PH_END, (int32_t)type, &res);
        if (rc == 0)
            return 0;
        if (res.err == EAGAIN && (op->flags & OPF_NOWAIT)) {
            retry_pause(r, op->ms ? op->ms : 100);
            continue;
        }
        return -1;
    }
}

/* After a message is taken: count it down on the scenario's "unread"
 * semaphore, if it has one (arg2 = set index + 1, arg3 = semaphore). */
static void count_down(struct runner *r, const struct op *op)
{
    if (op->arg2 <= 0 || op->arg2 > PLAN_MAX_SEMSETS)
        return;
    struct sembuf sb = {(unsigned short)op->arg3, -1, IPC_NOWAIT};
    while (semop(r->semids[op->arg2 - 1], &sb, 1) < 0 && errno == EINTR)
        ;
}

static int do_msgrcv(struct runner *r, const struct op *op)
{
    static struct msgbuf_max msg;
    int qid = r->msqids[op->obj];
    long sel = op->arg0;
    int bufsz = op->arg1 > 0 && op->arg1 <= MSG_MAX_TEXT ? op->arg1 : MSG_MAX_TEXT;
    int flags = ((op->flags & OPF_NOERROR) ? MSG_NOERROR : 0) |
                ((op->flags & OPF_EXCEPT) ? MSG_EXCEPT : 0) |
                ((op->flags & OPF_NOWAIT) ? IPC_NOWAIT : 0);
    for (;;) {
        gate_pass(r->gate);
        struct ipc_result begin = {0, 0, 0, 0, msgwire_how(0, 0, bufsz)};
        emit(r, op, PH_BEGIN, (int32_t)sel, &begin);
        ssize_t n;
        do
            n = msgrcv(qid, &msg, (size_t)bufsz, sel, flags);
        while (n < 0 && errno == EINTR);
        if (n >= 0) {
            struct msgwire_head h;
            memset(&h, 0, sizeof h);
            if ((size_t)n >= sizeof h)
                memcpy(&h, msg.mtext, sizeof h);
            bool known = h.magic == MSGWIRE_MAGIC;
            int full = known ? h.len : (int)n;
            bool sum_ok = known && n == h.len &&
                          msgwire_sum(msg.mtext + sizeof h, (size_t)n - sizeof h) == h.sum;
            struct ipc_result res = {
                (int32_t)n, 0, (int32_t)msg.mtype,
                msgwire_who(known ? h.role : -1, known ? h.instance : 0, known ? h.seq : 0),
                msgwire_how(full, sum_ok, bufsz)};
            emit(r, op, PH_END, (int32_t)sel, &res);
            count_down(r, op);
            return 0;
        }
        int err = errno;
        struct ipc_result res = {-1, err, 0, 0, msgwire_how(0, 0, bufsz)};
        emit(r, op, PH_END, (int32_t)sel, &res);
        if (err == E2BIG && bufsz < MSG_MAX_TEXT) {
            /* The message stays in the queue: ask again with room for it. */
            bufsz = MSG_MAX_TEXT;
            continue;
        }
        if (err == ENOMSG && (op->flags & OPF_NOWAIT)) {
            retry_pause(r, op->ms ? op->ms : 100);
            continue;
        }
        if (err == EIDRM || err == EINVAL)
            return OPS_END_ROLE; /* the queue is gone: nothing more will come */
        return -1;
    }
}

static int do_rmid(struct runner *r, const struct op *op)
{
    int qid = r->msqids[op->obj];
    gate_pass(r->gate);
    emit(r, op, PH_BEGIN, op->arg0, NULL);
    struct msqid_ds ds;
    long left = msgctl(qid, IPC_STAT, &ds) == 0 ? (long)ds.msg_qnum : 0;
    int rc = msgctl(qid, IPC_RMID, NULL);
    struct ipc_result res = {rc, rc < 0 ? errno : 0, 0, left, 0};
    emit(r, op, PH_END, op->arg0, &res);
    return rc == 0 ? 0 : -1;
}

static int do_ring(struct runner *r, const struct op *op)
{
    if (!r->plan || op->obj < 0 || op->obj >= r->plan->nshmsegs || !r->shm[op->obj])
        return -1;
    int slots = r->plan->shmsegs[op->obj].ring;
    if (slots < 1 || slots > RING_MAX_SLOTS)
        return -1;
    struct shm_ring *ring = r->shm[op->obj];
    volatile struct shm_ring *vr = ring;
    gate_pass(r->gate);
    emit(r, op, PH_BEGIN, op->arg0, NULL);
    struct ipc_result res = {0, 0, 0, 0, 0};
    if (op->kind == OP_RING_PUT) {
        /* Read the index, fill the slot, take our time, publish the index:
         * without the mutex two producers read the same head. */
        int32_t head = vr->head;
        int64_t v = ring_item(r->instance, ++r->ring_seq);
        vr->slots = slots;
        vr->slot[head % slots] = v;
        hold(r, op->ms);
        vr->head = head + 1;
        atomic_fetch_add(A(&ring->produced), 1);
        atomic_fetch_add(A(&ring->sum_in), ring_mix(v));
        res.arg1 = head % slots;
        res.value = v;
        res.value2 = head;
    } else {
        int32_t tail = vr->tail;
        int64_t v = vr->slot[tail % slots];
        hold(r, op->ms);
        vr->slot[tail % slots] = 0;
        vr->tail = tail + 1;
        atomic_fetch_add(A(&ring->consumed), 1);
        atomic_fetch_add(A(&ring->sum_out), ring_mix(v));
        res.arg1 = tail % slots;
        res.value = v;
        res.value2 = tail;
    }
    emit(r, op, PH_END, op->arg0, &res);
    return 0;
}

int ops_ipc_run(struct runner *r, const struct op *op)
{
    switch (op->kind) {
    case OP_MSGSND: return do_msgsnd(r, op);
    case OP_MSGRCV: return do_msgrcv(r, op);
    case OP_MSGQ_RMID: return do_rmid(r, op);
    case OP_RING_PUT:
    case OP_RING_GET: return do_ring(r, op);
    default: return 0;
    }
}
