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
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../model/model.h"
#include "../model/msgwire.h"
#include "../model/signames.h"
#include "../model/waitfor.h"
#include "engine_internal.h"
#include "procfs.h"
#include "../model/i18n.h"
#include "../model/width.h"

static int msgq_of(const struct model *m, int index)
{
    for (int i = 0; i < m->nmsgqs; i++)
        if (m->msgqs[i].index == index)
            return i;
    return -1;
}

static void peek_queue(struct engine *e, struct sample_msgq *q, int id)
{
    static struct {
        long mtype;
        unsigned char mtext[8192];
    } buf;
    long want = q->qnum < MODEL_MSG_PEEK ? (long)q->qnum : MODEL_MSG_PEEK;
    int n = 0;
    for (long idx = 0; e->ipc.msg_copy >= 0 && idx < want; idx++) {
        ssize_t r = msgrcv(id, &buf, sizeof buf.mtext, idx, MSG_COPY | IPC_NOWAIT);
        if (r < 0) {
            if (errno == ENOSYS)
                e->ipc.msg_copy = -1;
            else if (errno == EPERM || errno == EACCES)
                e->ipc.msg_copy = -2;
            break; /* ENOMSG: the queue shrank meanwhile; EINVAL/EIDRM: gone */
        }
        e->ipc.msg_copy = 1;
        struct model_msg_peek *pk = &q->peek[n++];
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
        q->peek_state = e->ipc.msg_copy == -1 ? PEEK_NO_MSG_COPY : PEEK_REFUSED;
        memset(q->peek, 0, sizeof q->peek);
        n = 0;
    }
    q->npeek = n;
}

static void sample_msgq(struct engine *e, int i)
{
    int qi = msgq_of(e->m, i);
    int id = e->ipc.msqids[i];
    if (qi < 0 || e->m->msgqs[qi].removed || id < 0)
        return;
    struct record r;
    record_init(&r, REC_SAMPLE_MSGQ, engine_now(e));
    struct sample_msgq *q = &r.u.msq;
    q->index = qi;
    struct msqid_ds ds;
    if (msgctl(id, IPC_STAT, &ds) < 0) {
        if (errno != EINVAL && errno != EIDRM)
            return;
        q->removed = 1;
        engine_emit(e, &r);
        return;
    }
    q->mode = ds.msg_perm.mode & 0777;
    q->qnum = (int64_t)ds.msg_qnum;
    q->cbytes = (int64_t)ds.msg_cbytes;
    q->qbytes = (int64_t)ds.msg_qbytes;
    q->lspid = ds.msg_lspid;
    q->lrpid = ds.msg_lrpid;
    q->stime = ds.msg_stime;
    q->rtime = ds.msg_rtime;
    q->ctime = ds.msg_ctime;
    sampler_perm(&q->perm, &ds.msg_perm);
    peek_queue(e, q, id);
    engine_emit(e, &r);
}

void sampler_ipc_sample(struct engine *e)
{
    for (int i = 0; i < e->plan.nmsgqs; i++)
        sample_msgq(e, i);
}

void sampler_ipc_shm_stat(struct engine *e, int i, struct sample_shmseg *s)
{
    s->nattch = -1; /* no shmid_ds: the kernel keeps no attach count */
    if (e->plan.shmsegs[i].kind == PLAN_SHM_POSIX && e->ipc.shm_fd[i] >= 0) {
        struct stat st;
        if (fstat(e->ipc.shm_fd[i], &st) == 0) {
            s->stat_ok = 1;
            s->segsz = (uint64_t)st.st_size;
            s->mode = st.st_mode & 0777;
            s->ctime = st.st_ctim.tv_sec;
            s->perm.uid = st.st_uid;
            s->perm.gid = st.st_gid;
            s->perm.mode = st.st_mode & 0777;
            s->ino = st.st_ino;
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

/* The cycle went away: name who left it and how (a kill: the kernel undid
 * its SEM_UNDO adjustments at exit, so the lock it held went back up). */
static void deadlock_broken(struct engine *e)
{
    const struct model *m = e->m;
    struct record r;
    record_init(&r, REC_SAMPLE_DEADLOCK, engine_now(e));
    r.u.dl.n = 0;
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        char word[40];
        snprintf(word, sizeof word, "%s ", p->name);
        if (p->role < 0 || !(p->exited || p->state == 'Z') || !strstr(m->deadlock.text, word))
            continue;
        int st = p->exited ? p->wait_status : p->zombie_status;
        char how[32];
        if (st >= 0 && WIFSIGNALED(st))
            snprintf(how, sizeof how, _("killed by %s"), signame(WTERMSIG(st)).s);
        else
            snprintf(how, sizeof how, "%s", _("gone"));
        snprintf(r.u.dl.text, sizeof r.u.dl.text,
                 _("%.23s was %.24s; at its exit the kernel undid its SEM_UNDO adjustments, so the "
                   "lock it held went back up and the next in the cycle could take it"),
                 p->name, how);
        text_cut_utf8(r.u.dl.text);
        break;
    }
    /* Killed by ipcplay (kill ROLE KILL) but not reaped yet: SIGKILL cannot
     * be caught, so it is dying, and its exit is what let the cycle go. */
    for (int i = 0; !r.u.dl.text[0] && i < e->nchildren; i++) {
        const struct child *c = &e->children[i];
        if (c->sent_sig != SIGKILL || c->model_idx < 0 || c->model_idx >= m->nprocs)
            continue;
        const struct model_proc *p = &m->procs[c->model_idx];
        char word[40];
        snprintf(word, sizeof word, "%s ", p->name);
        if (p->role < 0 || !strstr(m->deadlock.text, word))
            continue;
        char how[32];
        snprintf(how, sizeof how, _("killed by %s"), signame(SIGKILL).s);
        snprintf(r.u.dl.text, sizeof r.u.dl.text,
                 _("%.23s was %.24s; at its exit the kernel undid its SEM_UNDO adjustments, so the "
                   "lock it held went back up and the next in the cycle could take it"),
                 p->name, how);
        text_cut_utf8(r.u.dl.text);
    }
    if (!r.u.dl.text[0])
        snprintf(r.u.dl.text, sizeof r.u.dl.text,
                 _("someone in the cycle got its semaphore (a V from elsewhere)"));
    engine_emit(e, &r);
}

int sampler_ipc_deadlock(struct engine *e)
{
    const struct model *m = e->m;
    struct engine_ipc *x = &e->ipc;
    struct waitfor_cycle cy;
    if (!waitfor_find(m, &cy)) {
        if (m->deadlock.found && !m->deadlock.broken[0] && x->deadlock_seen >= 2)
            deadlock_broken(e);
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
        struct record r;
        record_init(&r, REC_SAMPLE_DEADLOCK, engine_now(e));
        r.u.dl.n = cy.n;
        snprintf(r.u.dl.text, sizeof r.u.dl.text, "%s", cy.text);
        engine_emit(e, &r);
        if (e->interactive) {
            gate_set_mode(e->gate, GATE_PAUSE);
            engine_say(e, LINE_NOTE, "ipcplay", "deadlock",
                       _("the run is paused and stays deadlocked: kill one of the cycle (kill "
                         "worker-1) and watch SEM_UNDO give its lock back, or stop"));
        }
    }
    if (e->interactive)
        return 0; /* the dashboard keeps it until someone acts */
    /* Paused or stepping: someone is looking at it; end nothing yet. */
    if (gate_mode(e->gate) != GATE_RUN)
        return 0;
    /* Leave the cycle on screen long enough to read it (12 s at 1x; none at
     * max): headless ends the run, the dashboard keeps it (above). */
    int linger = 0;
    if (e->speed > 0 && e->sample_ms > 0)
        linger = (int)(12000.0 / e->speed / e->sample_ms);
    return x->deadlock_seen >= 2 + linger;
}
