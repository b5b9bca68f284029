/* sampler_ipc.c — the sampler's view of message queues, non-System V shared
 * memory and deadlocks.
 *
 * Queues: msgctl(IPC_STAT) for qnum, cbytes/qbytes, lspid/lrpid and times,
 * then the contents, copied message by message with msgrcv(MSG_COPY |
 * IPC_NOWAIT): the kernel copies message number N without removing it and
 * without touching lrpid or rtime, so looking changes nothing a student sees.
 * (MSG_COPY needs CONFIG_CHECKPOINT_RESTORE; without it the contents are
 * shown as unknown, with the reason.) The copy is taken one message at a
 * time, so a queue that changes meanwhile can be seen half old, half new.
 *
 * Processes asleep in msgrcv/msgsnd: the selector and flags come from
 * /proc/PID/syscall's arguments; the type a sender is trying to send is read
 * from its buffer with process_vm_readv.
 *
 * Deadlocks: after each sample, the wait-for graph (model/waitfor.c) is
 * searched; a cycle seen in two samples in a row is reported by name and,
 * after a moment to look at it (and never while paused), ends the run. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../model/model.h"
#include "../model/msgwire.h"
#include "../model/waitfor.h"
#include "engine_internal.h"
#include "procfs.h"

static struct model_msgq *msgq_of(struct model *m, int index)
{
    for (int i = 0; i < m->nmsgqs; i++)
        if (m->msgqs[i].index == index)
            return &m->msgqs[i];
    return NULL;
}

static void peek_queue(struct engine *e, struct model_msgq *q, int id)
{
    static struct {
        long mtype;
        unsigned char mtext[8192];
    } buf;
    struct model *m = e->m;
    if (e->ipc.msg_copy < 0) {
        q->peek_state = e->ipc.msg_copy == -1 ? 1 : 2;
        q->npeek = 0;
        return;
    }
    long want = q->qnum < MODEL_MSG_PEEK ? q->qnum : MODEL_MSG_PEEK;
    int n = 0;
    struct model_msg_peek got[MODEL_MSG_PEEK];
    for (long idx = 0; idx < want; idx++) {
        ssize_t r = msgrcv(id, &buf, sizeof buf.mtext, idx, MSG_COPY | IPC_NOWAIT);
        if (r < 0) {
            if (errno == ENOSYS)
                e->ipc.msg_copy = -1;
            else if (errno == EPERM || errno == EACCES)
                e->ipc.msg_copy = -2;
            break; /* ENOMSG: the queue shrank meanwhile; EINVAL/EIDRM: gone */
        }
        e->ipc.msg_copy = 1;
        struct model_msg_peek *pk = &got[n++];
        memset(pk, 0, sizeof *pk);
        pk->type = buf.mtype;
        pk->len = (int32_t)r;
        pk->role = -1;
        struct msgwire_head h;
        if ((size_t)r >= sizeof h) {
            memcpy(&h, buf.mtext, sizeof h);
            if (h.magic == MSGWIRE_MAGIC) {
                pk->role = h.role;
                pk->instance = h.instance;
                pk->seq = h.seq;
            }
        }
    }
    if (e->ipc.msg_copy < 0) {
        q->peek_state = e->ipc.msg_copy == -1 ? 1 : 2;
        q->npeek = 0;
        m->gen_objects++;
        return;
    }
    q->peek_state = 0;
    if (n != q->npeek || memcmp(got, q->peek, sizeof got[0] * (size_t)n) != 0)
        m->gen_objects++;
    memcpy(q->peek, got, sizeof got[0] * (size_t)n);
    q->npeek = n;
}

static void sample_msgq(struct engine *e, int i)
{
    struct model *m = e->m;
    struct model_msgq *q = msgq_of(m, i);
    int id = e->ipc.msqids[i];
    if (!q || q->removed || id < 0)
        return;
    struct msqid_ds ds;
    if (msgctl(id, IPC_STAT, &ds) < 0) {
        if (errno == EINVAL || errno == EIDRM) {
            q->removed = true;
            q->npeek = 0;
            m->gen_objects++;
        }
        return;
    }
    if (q->qnum != (long)ds.msg_qnum || q->cbytes != (long)ds.msg_cbytes ||
        q->lspid != ds.msg_lspid || q->lrpid != ds.msg_lrpid)
        m->gen_objects++;
    q->mode = ds.msg_perm.mode & 0777;
    q->qnum = (long)ds.msg_qnum;
    q->cbytes = (long)ds.msg_cbytes;
    q->qbytes = (long)ds.msg_qbytes;
    q->lspid = ds.msg_lspid;
    q->lrpid = ds.msg_lrpid;
    q->stime = ds.msg_stime;
    q->rtime = ds.msg_rtime;
    q->ctime = ds.msg_ctime;
    peek_queue(e, q, id);
}

void sampler_ipc_sample(struct engine *e)
{
    for (int i = 0; i < e->plan.nmsgqs; i++)
        sample_msgq(e, i);
}

void sampler_ipc_shm_stat(struct engine *e, int i)
{
    struct model_shmseg *s = &e->m->shmsegs[i];
    s->nattch = -1; /* no shmid_ds: the kernel keeps no attach count */
    if (e->plan.shmsegs[i].kind == PLAN_SHM_POSIX && e->ipc.shm_fd[i] >= 0) {
        struct stat st;
        if (fstat(e->ipc.shm_fd[i], &st) == 0) {
            s->segsz = (size_t)st.st_size;
            s->mode = st.st_mode & 0777;
            s->ctime = st.st_ctim.tv_sec;
        }
    }
}

bool sampler_ipc_decode(struct engine *e, struct child *c, const struct proc_syscall *sc,
                        struct model_kernel *k)
{
    (void)e;
    if (sc->nr == SYS_msgrcv) {
        k->msgcall = 2;
        k->msqid = (int)sc->args[0];
        k->msgsz = (long)sc->args[2];
        k->msgtyp = (long)sc->args[3];
        k->msgflg = (int)sc->args[4];
        return true;
    }
    if (sc->nr == SYS_msgsnd) {
        k->msgcall = 1;
        k->msqid = (int)sc->args[0];
        k->msgsz = (long)sc->args[2];
        k->msgflg = (int)sc->args[3];
        long type = 0;
        struct iovec local = {&type, sizeof type};
        struct iovec remote = {(void *)sc->args[1], sizeof type};
        if (process_vm_readv(c->pid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof type)
            type = 0; /* could not read its memory: the type stays unknown */
        k->msgtyp = type;
        return true;
    }
    return false;
}

void sampler_ipc_note(struct engine *e, struct child *c, const struct model_kernel *before,
                      const struct model_kernel *now)
{
    struct model *m = e->m;
    struct model_proc *p = &m->procs[c->model_idx];
    bool blocked = now->msgcall && now->nr >= 0 && (p->state == 'S' || p->state == 'D');
    bool was = before->msgcall && before->nr >= 0 && before->msgcall == now->msgcall;
    if (!blocked || was)
        return;
    const struct model_msgq *q = NULL;
    for (int i = 0; i < m->nmsgqs; i++)
        if (m->msgqs[i].msqid == now->msqid)
            q = &m->msgqs[i];
    if (now->msgcall == 2) {
        char sel[32];
        if (now->msgflg & MSG_EXCEPT)
            snprintf(sel, sizeof sel, "any type but %ld", now->msgtyp);
        else if (now->msgtyp == 0)
            snprintf(sel, sizeof sel, "any type");
        else if (now->msgtyp > 0)
            snprintf(sel, sizeof sel, "type %ld", now->msgtyp);
        else
            snprintf(sel, sizeof sel, "a type <= %ld", -now->msgtyp);
        model_say(m, 0, p->name, now->text,
                  "blocks: no message of %s in the queue (qnum %ld); the kernel puts it to "
                  "sleep until one arrives",
                  sel, q ? q->qnum : 0L);
    } else {
        model_say(m, 0, p->name, now->text,
                  "blocks: the queue is full (cbytes %ld + %ld > qbytes %ld); the kernel puts "
                  "it to sleep until a receiver makes room",
                  q ? q->cbytes : 0L, now->msgsz, q ? q->qbytes : 0L);
    }
    m->story[(m->story_count - 1) % MODEL_STORY_CAP].proc = c->model_idx;
}

int sampler_ipc_deadlock(struct engine *e)
{
    struct model *m = e->m;
    struct engine_ipc *x = &e->ipc;
    struct waitfor_cycle cy;
    if (!waitfor_find(m, &cy)) {
        x->deadlock_seen = 0;
        x->deadlock_text[0] = '\0';
        return 0;
    }
    if (strcmp(cy.text, x->deadlock_text) != 0) {
        snprintf(x->deadlock_text, sizeof x->deadlock_text, "%s", cy.text);
        x->deadlock_seen = 1;
        return 0;
    }
    x->deadlock_seen++;
    if (x->deadlock_seen == 2 && !m->deadlock.found) {
        m->now_ns = events_now_ns() - e->t0_ns;
        m->deadlock.found = true;
        m->deadlock.t_ns = m->now_ns;
        snprintf(m->deadlock.text, sizeof m->deadlock.text, "%s", cy.text);
        m->gen_header++;
        m->gen_objects++;
        model_say(m, 0, "ipcplay", "deadlock", "deadlock: %s", cy.text);
        model_say(m, 0, "ipcplay", "deadlock",
                  "each of the %d waits in semtimedop for a semaphore (semval 0) that the next "
                  "one holds: no one can ever V",
                  cy.n);
    }
    /* Paused or stepping: someone is looking at it; end nothing yet. */
    if (gate_mode(e->gate) != GATE_RUN)
        return 0;
    /* Leave the cycle on screen for a moment (1.5 s at 1x; none at max). */
    int linger = 0;
    if (e->speed > 0 && e->sample_ms > 0)
        linger = (int)(1500.0 / e->speed / e->sample_ms);
    return x->deadlock_seen >= 2 + linger;
}
