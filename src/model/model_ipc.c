/* model_ipc.c — the model's side of message queues, shared rings and
 * deadlocks: applying msgsnd / msgrcv / ring events (the checks' evidence),
 * describing a process asleep in msgsnd or msgrcv, and the state-line facts a
 * student should see (qnum, cbytes/qbytes, lspid, lrpid, contents by type;
 * segsz, nattch, cpid/lpid and the ring; the deadlock cycle). Pure: no I/O. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>

#include "model.h"
#include "strbuf.h"
#include "msgwire.h"
#include "ring.h"

void model_instance_name(const struct model *m, int role, int instance, char *buf, size_t len)
{
    role_instance_name(model_role_name(m, role), instance, buf, len);
}

void model_proc_label(const struct model_proc *p, char *buf, size_t len)
{
    /* Names fit 31 characters; the label keeps the pid whole. */
    snprintf(buf, len, "%.19s[%d]", p->name, (int)p->pid);
}

void role_instance_name(const char *role, int instance, char *buf, size_t len)
{
    /* A role name is at most 23 characters (PLAN_NAME_LEN): "worker-12". */
    snprintf(buf, len, "%.23s-%d", role, instance);
}

static struct model_line *line(struct model *m, const struct event *ev, int pi, const char *who,
                               const char *what)
{
    model_say(m, 0, who, what, "%s", "");
    struct model_line *l = (struct model_line *)model_story_line(m, m->story_count - 1);
    l->t_ns = ev->t_ns;
    l->proc = pi;
    return l;
}

/* "msgrcv(type 2)", "msgrcv(any)", "msgrcv(type<=2)", "msgrcv(not 2)" */
static void selector_text(long sel, int except, char *buf, size_t len)
{
    if (except)
        snprintf(buf, len, "not %ld", sel);
    else if (sel == 0)
        snprintf(buf, len, "any");
    else if (sel > 0)
        snprintf(buf, len, "type %ld", sel);
    else
        snprintf(buf, len, "type<=%ld", -sel);
}

static const char *errname(int err)
{
    const char *n = strerrorname_np(err);
    return n ? n : "error";
}

/* The slot that remembers how far a sender's sends were told, or NULL. */
static int32_t *told_seq(struct model *m, int role, int instance)
{
    if (role < 0 || role >= MODEL_MAX_ROLES || instance < 1 || instance > MODEL_MSG_SENDERS)
        return NULL;
    return &m->msglog.told_seq[role][instance - 1];
}

static void tell_queued(struct model_line *l, long long seq, int type, int len)
{
    snprintf(l->detail, sizeof l->detail, "-> queued #%lld: type %d, %d bytes", seq, type, len);
}

/* A message was received whose send the story has not told yet (the two end
 * events raced): tell the send now, just before the receive. */
static void tell_send_first(struct model *m, const struct event *ev, int role, int inst, int seq,
                            int len)
{
    int32_t *told = told_seq(m, role, inst);
    if (!told || *told >= seq)
        return;
    *told = seq;
    int si = -1;
    for (int i = 0; i < m->nprocs; i++)
        if (m->procs[i].role == role && m->procs[i].instance == inst)
            si = i;
    char who[32], what[40];
    if (si >= 0)
        model_proc_label(&m->procs[si], who, sizeof who);
    else
        model_instance_name(m, role, inst, who, sizeof who);
    snprintf(what, sizeof what, "msgsnd(type %d)", ev->arg1);
    tell_queued(line(m, ev, si, who, what), seq, ev->arg1, len);
}

static void apply_msgsnd(struct model *m, const struct event *ev, int pi, const char *who)
{
    if (ev->phase != PH_END)
        return;
    int32_t *told = ev->result == 0 ? told_seq(m, ev->role, ev->instance) : NULL;
    bool early = told && *told >= ev->value; /* already told with its receive */
    if (told && !early)
        *told = (int32_t)ev->value;
    char what[40];
    snprintf(what, sizeof what, "msgsnd(type %d)", ev->arg0);
    struct model_line *l = early ? NULL : line(m, ev, pi, who, what);
    if (ev->result == 0) {
        struct model_msglog *g = &m->msglog;
        if (g->nsent < MODEL_MSGLOG) {
            struct model_msg_sent *s = &g->sent[g->nsent++];
            s->role = (int16_t)ev->role;
            s->instance = (int16_t)ev->instance;
            s->seq = (int32_t)ev->value;
            s->type = ev->arg0;
            s->len = ev->arg1;
        } else {
            g->overflow++;
        }
        if (l)
            tell_queued(l, (long long)ev->value, ev->arg0, ev->arg1);
    } else if (ev->err == EAGAIN) {
        m->msglog.eagain++;
        snprintf(l->detail, sizeof l->detail,
                 "-> EAGAIN: the queue is full (msg_qbytes) and IPC_NOWAIT says do not sleep; "
                 "will retry");
    } else {
        snprintf(l->detail, sizeof l->detail, "-> failed: %s", errname(ev->err));
    }
}

static void apply_msgrcv(struct model *m, const struct event *ev, int pi, const char *who)
{
    if (ev->phase != PH_END)
        return;
    char sel[32], what[48];
    selector_text(ev->arg0, (ev->flags & OPF_EXCEPT) != 0, sel, sizeof sel);
    snprintf(what, sizeof what, "msgrcv(%s)", sel);
    if (ev->result >= 0)
        tell_send_first(m, ev, msgwire_who_role(ev->value), msgwire_who_instance(ev->value),
                        msgwire_who_seq(ev->value), msgwire_how_len(ev->value2));
    struct model_line *l = line(m, ev, pi, who, what);
    int bufsz = msgwire_how_bufsz(ev->value2);
    if (ev->result >= 0) {
        int role = msgwire_who_role(ev->value), inst = msgwire_who_instance(ev->value);
        int seq = msgwire_who_seq(ev->value);
        int full = msgwire_how_len(ev->value2);
        bool sum_ok = msgwire_how_sum_ok(ev->value2);
        struct model_msglog *g = &m->msglog;
        if (g->nrecv < MODEL_MSGLOG) {
            struct model_msg_recv *r = &g->recv[g->nrecv++];
            r->proc = pi;
            r->role = (int16_t)role;
            r->instance = (int16_t)inst;
            r->seq = seq;
            r->type = ev->arg1;
            r->selector = ev->arg0;
            r->flags = ev->flags;
            r->got = ev->result;
            r->full_len = full;
            r->sum_ok = sum_ok;
        } else {
            g->overflow++;
        }
        char from[32];
        if (role >= 0)
            model_instance_name(m, role, inst, from, sizeof from);
        else
            snprintf(from, sizeof from, "someone");
        if (ev->result < full)
            snprintf(l->detail, sizeof l->detail,
                     "-> got type %d from %s #%d: %d of %d bytes, MSG_NOERROR cut the rest",
                     ev->arg1, from, seq, ev->result, full);
        else
            snprintf(l->detail, sizeof l->detail, "-> got type %d from %s #%d (%d bytes)%s",
                     ev->arg1, from, seq, ev->result, sum_ok ? "" : " CHECKSUM WRONG");
    } else if (ev->err == E2BIG) {
        m->msglog.e2big++;
        snprintf(l->detail, sizeof l->detail,
                 "-> E2BIG: the message it may take is longer than its %d-byte buffer; it stays "
                 "in the queue; retry with a bigger buffer",
                 bufsz);
    } else if (ev->err == ENOMSG) {
        m->msglog.enomsg++;
        snprintf(l->detail, sizeof l->detail,
                 "-> ENOMSG: nothing of %s queued and IPC_NOWAIT says do not sleep; will retry",
                 sel);
    } else if (ev->err == EIDRM || ev->err == EINVAL) {
        snprintf(l->detail, sizeof l->detail,
                 "-> %s: the queue was removed; nothing more will come, "
                 "it stops",
                 errname(ev->err));
    } else {
        snprintf(l->detail, sizeof l->detail, "-> failed: %s", errname(ev->err));
    }
}

static void apply_rmid(struct model *m, const struct event *ev, int pi, const char *who)
{
    if (ev->phase != PH_END)
        return;
    struct model_line *l = line(m, ev, pi, who, "msgctl(IPC_RMID)");
    if (ev->result == 0) {
        for (int i = 0; i < m->nmsgqs; i++)
            if (m->msgqs[i].index == ev->obj) {
                struct model_msgq *q = &m->msgqs[i];
                q->removed = true;
                /* No sample can follow IPC_RMID: what the remover counted
                 * just before is the queue's last state. */
                q->qnum = (long)ev->value;
                if (q->qnum == 0) {
                    q->cbytes = 0;
                    q->npeek = 0;
                }
                m->gen_objects++;
            }
        snprintf(l->detail, sizeof l->detail,
                 "-> the queue is gone (%lld messages were still in it); receivers asleep in "
                 "msgrcv wake with EIDRM",
                 (long long)ev->value);
    } else {
        snprintf(l->detail, sizeof l->detail, "-> failed: %s", errname(ev->err));
    }
}

static void ring_count(uint8_t *c)
{
    if (*c < 255)
        (*c)++;
}

static void apply_ring(struct model *m, const struct event *ev, int pi, const char *who)
{
    if (ev->phase != PH_END)
        return;
    struct model_ring *r = &m->ring;
    r->present = true;
    long long v = ev->value;
    int slot = (int)ev->arg1;
    int prod = (int)(v / 1000000), k = (int)(v % 1000000);
    bool valid = prod >= 1 && prod <= MODEL_RING_PRODUCERS && k >= 1 && k <= MODEL_RING_ITEMS;
    if (ev->op == OP_RING_PUT) {
        struct model_line *l = line(m, ev, pi, who, "put");
        r->put++;
        r->sum_put = (long long)((uint64_t)r->sum_put + (uint64_t)ring_mix(v));
        if (valid)
            ring_count(&r->put_count[prod - 1][k - 1]);
        snprintf(l->detail, sizeof l->detail, "-> wrote %lld into slot %d (head %lld -> %lld)", v,
                 slot, (long long)ev->value2, (long long)ev->value2 + 1);
        return;
    }
    struct model_line *l = line(m, ev, pi, who, "take");
    r->got++;
    r->sum_got = (long long)((uint64_t)r->sum_got + (uint64_t)ring_mix(v));
    if (v == 0) {
        r->empty_reads++;
        snprintf(l->detail, sizeof l->detail,
                 "-> slot %d was EMPTY (0) though `full` said an item was there: the ring is "
                 "corrupted (tail %lld -> %lld)",
                 slot, (long long)ev->value2, (long long)ev->value2 + 1);
        return;
    }
    if (!valid) {
        r->bad_reads++;
    } else {
        uint8_t *c = &r->got_count[prod - 1][k - 1];
        ring_count(c);
        if (*c == 2)
            r->dups++;
    }
    bool dup = valid && r->got_count[prod - 1][k - 1] > 1;
    snprintf(l->detail, sizeof l->detail, "-> read %lld from slot %d (tail %lld -> %lld)%s", v,
             slot, (long long)ev->value2, (long long)ev->value2 + 1,
             dup ? ": TAKEN TWICE (someone else took it too)" : "");
}

void model_ipc_apply_event(struct model *m, const struct event *ev, int pi, const char *who)
{
    switch (ev->op) {
    case OP_MSGSND: apply_msgsnd(m, ev, pi, who); break;
    case OP_MSGRCV: apply_msgrcv(m, ev, pi, who); break;
    case OP_MSGQ_RMID: apply_rmid(m, ev, pi, who); break;
    case OP_RING_PUT:
    case OP_RING_GET: apply_ring(m, ev, pi, who); break;
    default: break;
    }
}

int model_ipc_describe_op(const struct event *ev, char *buf, size_t len)
{
    char sel[32];
    switch (ev->op) {
    case OP_MSGSND: snprintf(buf, len, "msgsnd(type %d)", ev->arg0); return 1;
    case OP_MSGRCV:
        selector_text(ev->arg0, (ev->flags & OPF_EXCEPT) != 0, sel, sizeof sel);
        snprintf(buf, len, "msgrcv(%s)", sel);
        return 1;
    case OP_MSGQ_RMID: snprintf(buf, len, "msgctl(IPC_RMID)"); return 1;
    case OP_RING_PUT: snprintf(buf, len, "putting"); return 1;
    case OP_RING_GET: snprintf(buf, len, "taking"); return 1;
    default: return 0;
    }
}

void model_ipc_describe_kernel(const struct model *m, struct model_kernel *k)
{
    (void)m;
    const char *name = syscall_name(k->nr);
    if (!name)
        name = k->msgcall == 1 ? "msgsnd" : "msgrcv";
    if (k->msgcall == 1) {
        if (k->msgtyp > 0)
            snprintf(k->text, sizeof k->text, "%s(type %ld, %ld B)", name, k->msgtyp, k->msgsz);
        else
            snprintf(k->text, sizeof k->text, "%s(%ld B)", name, k->msgsz);
        return;
    }
    char sel[32];
    selector_text(k->msgtyp, (k->msgflg & MSG_EXCEPT) != 0, sel, sizeof sel);
    snprintf(k->text, sizeof k->text, "%s(%s)", name, sel);
}

#define PUT(...) strbuf_put(buf, len, &off, __VA_ARGS__)

static size_t format_msgq(const struct model_msgq *q, char *buf, size_t len, size_t off)
{
    PUT("%smsgq %d: ", off ? " | " : "", q->msqid);
    if (q->removed) {
        PUT("removed (IPC_RMID)");
        return off;
    }
    PUT("qnum %ld cbytes %ld/%ld lspid %d lrpid %d", q->qnum, q->cbytes, q->qbytes, (int)q->lspid,
        (int)q->lrpid);
    if (q->peek_state == 1) {
        PUT(" contents ? (kernel lacks MSG_COPY)");
        return off;
    }
    if (q->peek_state == 2) {
        PUT(" contents ? (MSG_COPY not permitted)");
        return off;
    }
    /* by type, in type order: "by type 1:2 3:1" */
    PUT(" by type");
    if (q->npeek == 0)
        PUT(" -");
    long last = 0;
    for (;;) {
        long next = 0;
        int count = 0;
        for (int i = 0; i < q->npeek; i++)
            if (q->peek[i].type > last && (next == 0 || q->peek[i].type < next))
                next = q->peek[i].type;
        if (next == 0)
            break;
        for (int i = 0; i < q->npeek; i++)
            if (q->peek[i].type == next)
                count++;
        PUT(" %ld:%d", next, count);
        last = next;
    }
    if (q->qnum > q->npeek)
        PUT(" (first %d of %ld)", q->npeek, q->qnum);
    return off;
}

static size_t format_shm(const struct model_shmseg *s, char *buf, size_t len, size_t off)
{
    if (s->kind == 1)
        PUT("%sshm %s (POSIX): size %zu", off ? " | " : "", s->name, s->segsz);
    else if (s->kind == 2)
        PUT("%sshm anonymous (MAP_SHARED, inherited): size %zu", off ? " | " : "", s->segsz);
    else
        PUT("%sshm %d: segsz %zu nattch %ld (1 is ipcplay's read-only view) cpid %d lpid %d",
            off ? " | " : "", s->shmid, s->segsz, s->nattch, (int)s->cpid, (int)s->lpid);
    if (s->ring_slots > 0) {
        struct ring_view v;
        if (ring_decode(s->peek, s->peek_len, s->ring_slots, &v) == 0) {
            char r[256];
            ring_format(&v, r, sizeof r);
            PUT(" ring %s", r);
        }
    }
    return off;
}

size_t model_ipc_format_state(const struct model *m, char *buf, size_t len, size_t off)
{
    for (int i = 0; i < m->nmsgqs; i++)
        off = format_msgq(&m->msgqs[i], buf, len, off);
    for (int i = 0; i < m->nshmsegs; i++)
        if (!m->shmsegs[i].stats)
            off = format_shm(&m->shmsegs[i], buf, len, off);
    if (m->deadlock.found)
        PUT("%sdeadlock: %s", off ? " | " : "", m->deadlock.text);
    return off;
}

int model_sem_waiters(const struct model *m, const struct model_semset *ss, int k, bool zero,
                      int *idx)
{
    int n = 0;
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        bool asleep = !p->exited && (p->state == 'S' || p->state == 'D');
        if (!asleep || p->kernel.semid != ss->semid || p->kernel.nsops <= 0 ||
            p->kernel.sem_num != k || (p->kernel.sem_op == 0) != zero)
            continue;
        bool evented = p->op != OP_NONE || p->ops_done > 0;
        if (evented && p->op != (zero ? OP_WAIT0 : OP_P))
            continue; /* its events are newer than the sample */
        idx[n++] = i;
    }
    return n;
}
