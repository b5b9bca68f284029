/* msgq.c — the message-queue family: msgsnd (typed messages carrying who
 * sent them and a checksum, model/msgwire.h), msgrcv with its selector and
 * flags, and msgctl(IPC_RMID). Each op's entry: what it does in a child, how
 * the engine tracks it, its "doing" text, what it changes in the model (the
 * checks' evidence) and how the story tells it. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>

#include "../engine/engine_internal.h"
#include "../model/signames.h"
#include "../engine/ops.h"
#include "../engine/registry.h"
#include "../model/model.h"
#include "../model/msgwire.h"
#include "op.h"
#include "../model/i18n.h"

/* The largest message any scenario sends (msgmax is 8192 by default). */
#define MSG_MAX_TEXT 8192

struct msgbuf_max {
    long mtype;
    unsigned char mtext[MSG_MAX_TEXT];
};

/* ---- in the child ------------------------------------------------------ */

/* Wait before trying again, longer each time (*backoff doubles from the
 * op's ms up to 16 times it, as sem.c's try-P does): a retry loop neither
 * floods the story nor spins. At speed max scripted delays vanish, but the
 * loop still gets a short real pause. */
static void retry_pause(struct runner *r, const struct op *op, int *backoff)
{
    int base = op->ms ? op->ms : 100, ms = *backoff ? *backoff : base;
    if (gate_scale_ns(r->gate, ms) >= 5000000ull)
        gate_delay(r->gate, ms);
    else
        runner_nap_ms(5);
    *backoff = ms * 2 > 16 * base ? 16 * base : ms * 2;
}

/* arg0: the first type, arg2: types to cycle through, arg1: bytes, every
 * arg3-th message four times longer. */
static int run_msgsnd(struct runner *r, const struct op *op)
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

    int backoff = 0;
    for (;;) {
        struct event ev = runner_event(r, op, PH_BEGIN);
        ev.msgsnd.type = (int32_t)type;
        ev.msgsnd.len = len;
        ev.msgsnd.seq = seq;
        runner_begin(r, &ev);
        int rc;
        do
            rc = msgsnd(qid, &msg, (size_t)len, (op->flags & OPF_NOWAIT) ? IPC_NOWAIT : 0);
        while (rc < 0 && errno == EINTR);
        int err = errno;
        if (runner_end(r, &ev, rc, err) == 0)
            return 0;
        if (err == EAGAIN && (op->flags & OPF_NOWAIT)) {
            retry_pause(r, op, &backoff);
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

/* arg0: the selector (msgtyp), arg1: the buffer. */
static int run_msgrcv(struct runner *r, const struct op *op)
{
    static struct msgbuf_max msg;
    int qid = r->msqids[op->obj];
    long sel = op->arg0;
    int bufsz = op->arg1 > 0 && op->arg1 <= MSG_MAX_TEXT ? op->arg1 : MSG_MAX_TEXT;
    int flags = ((op->flags & OPF_NOERROR) ? MSG_NOERROR : 0) |
                ((op->flags & OPF_EXCEPT) ? MSG_EXCEPT : 0) |
                ((op->flags & OPF_NOWAIT) ? IPC_NOWAIT : 0);
    int backoff = 0;
    for (;;) {
        struct event ev = runner_event(r, op, PH_BEGIN);
        ev.msgrcv.sel = (int32_t)sel;
        ev.msgrcv.how = msgwire_how(0, 0, bufsz);
        runner_begin(r, &ev);
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
            ev.msgrcv.type = (int32_t)msg.mtype;
            ev.msgrcv.who =
                msgwire_who(known ? h.role : -1, known ? h.instance : 0, known ? h.seq : 0);
            ev.msgrcv.how = msgwire_how(full, sum_ok, bufsz);
            runner_end(r, &ev, (int32_t)n, 0);
            count_down(r, op);
            return 0;
        }
        int err = errno;
        runner_end(r, &ev, -1, err);
        if (err == E2BIG && bufsz < MSG_MAX_TEXT) {
            /* The message stays in the queue: ask again with room for it. */
            bufsz = MSG_MAX_TEXT;
            continue;
        }
        if (err == ENOMSG && (op->flags & OPF_NOWAIT)) {
            retry_pause(r, op, &backoff);
            continue;
        }
        if (err == EIDRM || err == EINVAL)
            return OPS_END_ROLE; /* the queue is gone: nothing more will come */
        return -1;
    }
}

static int run_rmid(struct runner *r, const struct op *op)
{
    int qid = r->msqids[op->obj];
    struct event ev = runner_event(r, op, PH_BEGIN);
    runner_begin(r, &ev);
    struct msqid_ds ds;
    ev.msgq_rmid.left = msgctl(qid, IPC_STAT, &ds) == 0 ? (long)ds.msg_qnum : 0;
    int rc = msgctl(qid, IPC_RMID, NULL);
    return runner_end(r, &ev, rc, errno);
}

/* ---- in the engine ----------------------------------------------------- */

/* A child removed a queue: it is no longer ours to remove. */
static void track_rmid(struct engine *e, const struct event *ev)
{
    if (ev->phase == PH_END && ev->result == 0 && ev->obj >= 0 && ev->obj < PLAN_MAX_MSGQS)
        registry_forget(REG_MSG, e->ipc.msqids[ev->obj], NULL);
}

/* ---- in the model ------------------------------------------------------ */

static void doing_msgsnd(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "msgsnd(type %d)", ev->msgsnd.type);
}

static void doing_msgrcv(const struct event *ev, char *buf, size_t len)
{
    char sel[32];
    model_msg_selector(ev->msgrcv.sel, (ev->flags & OPF_EXCEPT) != 0, sel, sizeof sel);
    snprintf(buf, len, "msgrcv(%s)", sel);
}

static void doing_rmid(const struct event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "msgctl(IPC_RMID)");
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
    model_line_say(l, _("-> queued #%lld: type %d, %d bytes"), seq, type, len);
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
    struct model_line *l = model_new_line(m, ev->t_ns, si, LINE_EVENT);
    if (si >= 0)
        model_proc_label(&m->procs[si], l->who, sizeof l->who);
    else
        model_instance_name(m, role, inst, l->who, sizeof l->who);
    snprintf(l->what, sizeof l->what, "msgsnd(type %d)", ev->msgrcv.type);
    tell_queued(l, seq, ev->msgrcv.type, len);
}

static void apply_msgsnd(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return;
    if (ev->result == 0) {
        struct model_msglog *g = &m->msglog;
        if (g->nsent < MODEL_MSGLOG) {
            struct model_msg_sent *s = &g->sent[g->nsent++];
            s->role = (int16_t)ev->role;
            s->instance = (int16_t)ev->instance;
            s->seq = (int32_t)ev->msgsnd.seq;
            s->type = ev->msgsnd.type;
            s->len = ev->msgsnd.len;
        } else {
            g->overflow++;
        }
    } else if (ev->err == EAGAIN) {
        m->msglog.eagain++;
    }
}

static struct model_line *story_msgsnd(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    int32_t *told = ev->result == 0 ? told_seq(m, ev->role, ev->instance) : NULL;
    if (told && *told >= ev->msgsnd.seq)
        return NULL; /* already told with its receive */
    if (told)
        *told = (int32_t)ev->msgsnd.seq;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (ev->result == 0)
        tell_queued(l, (long long)ev->msgsnd.seq, ev->msgsnd.type, ev->msgsnd.len);
    else if (ev->err == EAGAIN)
        model_line_say(l, _("-> EAGAIN: the queue is full (msg_qbytes) and IPC_NOWAIT says do "
                            "not sleep; will retry"));
    else
        model_line_say(l, _("-> failed: %s"), errname(ev->err));
    return l;
}

static void apply_msgrcv(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return;
    if (ev->result >= 0) {
        struct model_msglog *g = &m->msglog;
        if (g->nrecv < MODEL_MSGLOG) {
            struct model_msg_recv *r = &g->recv[g->nrecv++];
            r->proc = cx->pi;
            r->role = (int16_t)msgwire_who_role(ev->msgrcv.who);
            r->instance = (int16_t)msgwire_who_instance(ev->msgrcv.who);
            r->seq = msgwire_who_seq(ev->msgrcv.who);
            r->type = ev->msgrcv.type;
            r->selector = ev->msgrcv.sel;
            r->flags = ev->flags;
            r->got = ev->result;
            r->full_len = msgwire_how_len(ev->msgrcv.how);
            r->sum_ok = msgwire_how_sum_ok(ev->msgrcv.how);
        } else {
            g->overflow++;
        }
    } else if (ev->err == E2BIG) {
        m->msglog.e2big++;
    } else if (ev->err == ENOMSG) {
        m->msglog.enomsg++;
    }
}

static struct model_line *story_msgrcv(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    int64_t who = ev->msgrcv.who, how = ev->msgrcv.how;
    int role = msgwire_who_role(who), inst = msgwire_who_instance(who);
    int seq = msgwire_who_seq(who), full = msgwire_how_len(how);
    if (ev->result >= 0)
        tell_send_first(m, ev, role, inst, seq, full);
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (ev->result >= 0) {
        char from[32];
        if (role >= 0)
            model_instance_name(m, role, inst, from, sizeof from);
        else
            snprintf(from, sizeof from, "someone");
        if (role < 0 && ev->result >= full) {
            /* no header of the run's: not a message any process of the run sent */
            model_line_say(l,
                           "-> got type %d (%d bytes) that no process of the run sent: a process "
                           "outside the run put it in the queue",
                           ev->msgrcv.type, ev->result);
            return l;
        }
        if (ev->result < full)
            model_line_say(l,
                           _("-> got type %d from %s #%d: %d of %d bytes, MSG_NOERROR cut the "
                             "rest"),
                           ev->msgrcv.type, from, seq, ev->result, full);
        else
            model_line_say(l, _("-> got type %d from %s #%d (%d bytes)%s"), ev->msgrcv.type, from,
                           seq, ev->result, msgwire_how_sum_ok(how) ? "" : _(" CHECKSUM WRONG"));
    } else if (ev->err == E2BIG) {
        model_line_say(l,
                       _("-> E2BIG: the message it may take is longer than its %d-byte buffer; "
                         "it stays in the queue; retry with a bigger buffer"),
                       msgwire_how_bufsz(how));
    } else if (ev->err == ENOMSG) {
        char sel[32];
        model_msg_selector(ev->msgrcv.sel, (ev->flags & OPF_EXCEPT) != 0, sel, sizeof sel);
        model_line_say(l,
                       _("-> ENOMSG: nothing of %s queued and IPC_NOWAIT says do not sleep; will "
                         "retry"),
                       sel);
    } else if (ev->err == EIDRM || ev->err == EINVAL) {
        model_line_say(l, _("-> %s: the queue was removed; nothing more will come, it stops"),
                       errname(ev->err));
    } else {
        model_line_say(l, _("-> failed: %s"), errname(ev->err));
    }
    return l;
}

static void apply_rmid(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END || ev->result != 0)
        return;
    for (int i = 0; i < m->nmsgqs; i++)
        if (m->msgqs[i].index == ev->obj) {
            struct model_msgq *q = &m->msgqs[i];
            q->removed = true;
            /* No sample can follow IPC_RMID: what the remover counted just
             * before is the queue's last state. */
            q->qnum = (long)ev->msgq_rmid.left;
            if (q->qnum == 0) {
                q->cbytes = 0;
                q->npeek = 0;
            }
            m->gen_objects++;
        }
}

static struct model_line *story_rmid(struct model *m, const struct event *ev, struct op_ctx *cx)
{
    if (ev->phase != PH_END)
        return NULL;
    struct model_line *l = model_new_line(m, ev->t_ns, cx->pi, LINE_EVENT);
    if (ev->result == 0)
        model_line_say(l,
                       _("-> the queue is gone (%lld messages were still in it); receivers "
                         "asleep in msgrcv wake with EIDRM"),
                       (long long)ev->msgq_rmid.left);
    else
        model_line_say(l, _("-> failed: %s"), errname(ev->err));
    return l;
}

/* ---- the entries ------------------------------------------------------- */

/* Payload fields by name, for recordings (model/field.h); pads are left out. */
static const struct field payload_msgsnd[] = {
    FLD(struct ev_msgsnd, type), FLD(struct ev_msgsnd, len), FLD(struct ev_msgsnd, seq), FLD_END};
static const struct field payload_msgrcv[] = {
    FLD(struct ev_msgrcv, sel), FLD(struct ev_msgrcv, type), FLD(struct ev_msgrcv, who),
    FLD(struct ev_msgrcv, how), FLD_END};
static const struct field payload_msgq_rmid[] = {FLD(struct ev_msgq_rmid, left), FLD_END};

const struct op_entry op_entry_MSGSND = {.payload = payload_msgsnd,
                                         .name = "msgsnd",
                                         .verb = "sends a message",
                                         .run = run_msgsnd,
                                         .doing = doing_msgsnd,
                                         .apply = apply_msgsnd,
                                         .story = story_msgsnd};
const struct op_entry op_entry_MSGRCV = {.payload = payload_msgrcv,
                                         .name = "msgrcv",
                                         .verb = "receives a message",
                                         .run = run_msgrcv,
                                         .doing = doing_msgrcv,
                                         .apply = apply_msgrcv,
                                         .story = story_msgrcv};
const struct op_entry op_entry_MSGQ_RMID = {.payload = payload_msgq_rmid,
                                            .name = "msgq_rmid",
                                            .verb = "removes the message queue",
                                            .run = run_rmid,
                                            .track = track_rmid,
                                            .doing = doing_rmid,
                                            .apply = apply_rmid,
                                            .story = story_rmid};
