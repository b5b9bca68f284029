/* model_ipc.c — the model's side of message queues, shared rings and
 * deadlocks (what their ops change and tell is in src/ops/msgq.c and shm.c):
 * naming processes, describing a process asleep in msgsnd or msgrcv, and the
 * state-line facts a student should see (qnum, cbytes/qbytes, lspid, lrpid, contents by type;
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
    const char *name = model_role_name(m, role);
    if (strcmp(name, "you") == 0) /* the console's hand is one process: "you" */
        snprintf(buf, len, "you");
    else
        role_instance_name(name, instance, buf, len);
}

void model_proc_label(const struct model_proc *p, char *buf, size_t len)
{
    /* Names fit 31 characters; the label keeps the pid whole. Said for
     * every event: "%.19s[%d]" written by hand, without printf. */
    char tmp[40], digits[12];
    size_t n = strnlen(p->name, 19), d = 0;
    memcpy(tmp, p->name, n);
    unsigned long long v = p->pid < 0 ? -(unsigned long long)p->pid : (unsigned long long)p->pid;
    do
        digits[d++] = (char)('0' + v % 10);
    while ((v /= 10) && d < sizeof digits);
    tmp[n++] = '[';
    if (p->pid < 0)
        tmp[n++] = '-';
    while (d)
        tmp[n++] = digits[--d];
    tmp[n++] = ']';
    tmp[n] = '\0';
    if (len) {
        size_t k = n < len - 1 ? n : len - 1;
        memcpy(buf, tmp, k);
        buf[k] = '\0';
    }
}

void role_instance_name(const char *role, int instance, char *buf, size_t len)
{
    /* A role name is at most 23 characters (PLAN_NAME_LEN): "worker-12". */
    snprintf(buf, len, "%.23s-%d", role, instance);
}

bool model_proc_comm_foreign(const struct model_proc *p)
{
    return p->comm[0] && strcmp(p->comm, "ipcplay") != 0 &&
           strncmp(p->comm, p->name, sizeof p->comm - 1) != 0;
}

void model_msg_selector(long sel, bool except, char *buf, size_t len)
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
    model_msg_selector(k->msgtyp, (k->msgflg & MSG_EXCEPT) != 0, sel, sizeof sel);
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
    if (q->peek_state == PEEK_NO_MSG_COPY) {
        PUT(" contents ? (kernel lacks MSG_COPY)");
        return off;
    }
    if (q->peek_state == PEEK_REFUSED) {
        PUT(" contents ? (MSG_COPY not permitted)");
        return off;
    }
    /* by type, in type order: "by type 1:2 3:1" */
    PUT(" by type");
    if (q->npeek == 0)
        PUT(" -");
    int count;
    for (long t = model_msgq_next_type(q, 0, &count); t; t = model_msgq_next_type(q, t, &count))
        PUT(" %ld:%d", t, count);
    if (q->qnum > q->npeek)
        PUT(" (first %d of %ld)", q->npeek, q->qnum);
    return off;
}

static size_t format_shm(const struct model_shmseg *s, char *buf, size_t len, size_t off)
{
    if (s->kind == SHM_POSIX)
        PUT("%sshm %s (POSIX): size %zu", off ? " | " : "", s->name, s->segsz);
    else if (s->kind == SHM_ANON)
        PUT("%sshm anonymous (MAP_SHARED, inherited): size %zu", off ? " | " : "", s->segsz);
    else
        PUT("%sshm %d: segsz %zu nattch %ld cpid %d lpid %d%s%s", off ? " | " : "", s->shmid,
            s->segsz, s->nattch, (int)s->cpid, (int)s->lpid,
            s->mode & MODEL_SHM_DEST ? " dest" : "", s->mode & MODEL_SHM_LOCKED ? " locked" : "");
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

long model_msgq_next_type(const struct model_msgq *q, long after, int *count)
{
    long next = 0;
    for (int i = 0; i < q->npeek; i++)
        if (q->peek[i].type > after && (next == 0 || q->peek[i].type < next))
            next = q->peek[i].type;
    *count = 0;
    for (int i = 0; next && i < q->npeek; i++)
        *count += q->peek[i].type == next;
    return next;
}
