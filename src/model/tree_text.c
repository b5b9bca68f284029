/* tree_text.c — see tree.h: a watched tree in words. A traced call with its
 * real arguments and result, what a sampled process sleeps in, and the
 * tree's whole view (processes, zombies, links, objects, who waits for
 * whom, a stall) as lines for the headless view and the tests. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/syscall.h>

#include "model.h"
#include "signames.h"
#include "strbuf.h"
#include "sysipc.h"
#include "tree.h"
#include "i18n.h"

#ifdef SYS_semop
#define IF_SEMOP(x) x
#else
#define IF_SEMOP(x)
#endif

static void key_text(int64_t key, char *buf, size_t len)
{
    if (key == IPC_PRIVATE)
        snprintf(buf, len, "IPC_PRIVATE");
    else
        snprintf(buf, len, "key 0x%08x", (unsigned)key);
}

static const char *ctl_name(int64_t cmd)
{
    switch (cmd & 0xff) {
    case IPC_RMID: return "IPC_RMID";
    case IPC_SET: return "IPC_SET";
    case IPC_STAT: return "IPC_STAT";
    case GETPID: return "GETPID";
    case GETVAL: return "GETVAL";
    case GETALL: return "GETALL";
    case GETNCNT: return "GETNCNT";
    case GETZCNT: return "GETZCNT";
    case SETVAL: return "SETVAL";
    case SETALL: return "SETALL";
    default: return "cmd";
    }
}

static void sops_text(const struct trace_call *c, char *buf, size_t len)
{
    size_t off = 0;
    strbuf_put(buf, len, &off, "[");
    int n = c->nsops < TRACE_SOPS ? c->nsops : TRACE_SOPS;
    for (int i = 0; i < n; i++) {
        const struct trace_sop *s = &c->sops[i];
        strbuf_put(buf, len, &off, "%s{%d, %d, %s%s%s}", i ? ", " : "", s->num, s->op,
                   s->flg & SEM_UNDO ? "SEM_UNDO" : "",
                   (s->flg & SEM_UNDO) && (s->flg & IPC_NOWAIT) ? "|" : "",
                   s->flg & IPC_NOWAIT   ? "IPC_NOWAIT"
                   : (s->flg & SEM_UNDO) ? ""
                                         : "0");
    }
    if (c->nsops > n)
        strbuf_put(buf, len, &off, ", ...");
    if (c->nsops < 0)
        strbuf_put(buf, len, &off, "?");
    strbuf_put(buf, len, &off, "]");
}

/* The call and its arguments, without the result. */
static void call_args(const struct trace_call *c, char *buf, size_t len)
{
    char k[32], s[72];
    const int64_t *a = c->args;
    switch (c->nr) {
#ifdef SYS_semop
    case SYS_semop:
#endif
    case SYS_semtimedop:
        sops_text(c, s, sizeof s);
        snprintf(buf, len, "semop(semid %d, %s%s)", (int)a[0], s,
                 c->nr == SYS_semtimedop && a[3] ? ", timeout" : "");
        break;
    case SYS_semget:
        key_text(a[0], k, sizeof k);
        snprintf(buf, len, "semget(%s, nsems %d, %s%s0%o)", k, (int)a[1],
                 a[2] & IPC_CREAT ? "IPC_CREAT|" : "", a[2] & IPC_EXCL ? "IPC_EXCL|" : "",
                 (unsigned)(a[2] & 0777));
        break;
    case SYS_semctl:
        snprintf(buf, len, "semctl(semid %d, sem %d, %s%s)", (int)a[0], (int)a[1], ctl_name(a[2]),
                 (a[2] & 0xff) == SETVAL ? ", value" : "");
        if ((a[2] & 0xff) == SETVAL)
            snprintf(buf + strlen(buf) - 1, len - strlen(buf) + 1, " %d)", (int)a[3]);
        break;
    case SYS_msgget:
        key_text(a[0], k, sizeof k);
        snprintf(buf, len, "msgget(%s, %s0%o)", k, a[1] & IPC_CREAT ? "IPC_CREAT|" : "",
                 (unsigned)(a[1] & 0777));
        break;
    case SYS_msgsnd:
        snprintf(buf, len, "msgsnd(msqid %d, type %lld, %lld bytes%s)", (int)a[0],
                 (long long)c->msgtyp, (long long)a[2], a[3] & IPC_NOWAIT ? ", IPC_NOWAIT" : "");
        break;
    case SYS_msgrcv:
        snprintf(buf, len, "msgrcv(msqid %d, type %lld, up to %lld bytes%s)", (int)a[0],
                 (long long)a[3], (long long)a[2], a[4] & IPC_NOWAIT ? ", IPC_NOWAIT" : "");
        break;
    case SYS_msgctl: snprintf(buf, len, "msgctl(msqid %d, %s)", (int)a[0], ctl_name(a[1])); break;
    case SYS_shmget:
        key_text(a[0], k, sizeof k);
        snprintf(buf, len, "shmget(%s, %lld bytes, %s0%o)", k, (long long)a[1],
                 a[2] & IPC_CREAT ? "IPC_CREAT|" : "", (unsigned)(a[2] & 0777));
        break;
    case SYS_shmat: snprintf(buf, len, "shmat(shmid %d)", (int)a[0]); break;
    case SYS_shmdt: snprintf(buf, len, "shmdt(0x%llx)", (unsigned long long)a[0]); break;
    case SYS_shmctl: snprintf(buf, len, "shmctl(shmid %d, %s)", (int)a[0], ctl_name(a[1])); break;
    case SYS_wait4: snprintf(buf, len, "wait4(%d)", (int)a[0]); break;
    case SYS_waitid: snprintf(buf, len, "waitid(%d)", (int)a[1]); break;
    case SYS_exit_group: snprintf(buf, len, "exit_group(%d)", (int)a[0]); break;
    case SYS_execve: snprintf(buf, len, "execve(%s)", c->path); break;
#ifdef SYS_pipe
    case SYS_pipe:
#endif
    case SYS_pipe2: snprintf(buf, len, "pipe"); break;
    case SYS_socketpair: snprintf(buf, len, "socketpair"); break;
    case SYS_sendmsg: snprintf(buf, len, "sendmsg(fd %d)", (int)a[0]); break;
    case SYS_mknodat: snprintf(buf, len, "mkfifo(%s)", c->path); break;
    case SYS_openat: snprintf(buf, len, "open(FIFO %s)", c->path); break;
#ifdef SYS_fork
    case SYS_fork: snprintf(buf, len, "fork"); break;
#endif
#ifdef SYS_vfork
    case SYS_vfork: snprintf(buf, len, "vfork"); break;
#endif
    case SYS_clone: snprintf(buf, len, "clone"); break;
#ifdef SYS_clone3
    case SYS_clone3: snprintf(buf, len, "clone3"); break;
#endif
    case TRACE_NR_SHM_OPEN:
    case SYS_mq_open:
        snprintf(buf, len, "%s(/%s, %s%s%s, 0%o)", c->nr == SYS_mq_open ? "mq_open" : "shm_open",
                 c->path,
                 (a[1] & O_ACCMODE) == O_RDWR     ? "O_RDWR"
                 : (a[1] & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
                                                  : "O_RDONLY",
                 a[1] & O_CREAT ? "|O_CREAT" : "", a[1] & O_EXCL ? "|O_EXCL" : "",
                 (unsigned)(a[2] & 0777));
        break;
    case TRACE_NR_SHM_UNLINK: snprintf(buf, len, "shm_unlink(/%s)", c->path); break;
    case SYS_mq_unlink: snprintf(buf, len, "mq_unlink(/%s)", c->path); break;
    case SYS_mq_timedsend:
        snprintf(buf, len, "mq_send(mqd %d, %lld bytes, prio %lld)", (int)a[0], (long long)a[2],
                 (long long)a[3]);
        break;
    case SYS_mq_timedreceive:
        snprintf(buf, len, "mq_receive(mqd %d, up to %lld bytes)", (int)a[0], (long long)a[2]);
        break;
    default: snprintf(buf, len, "syscall %d", c->nr); break;
    }
}

static void result_text(const struct trace_call *c, char *buf, size_t len)
{
    if (c->phase == TRACE_BLOCKS) {
        if ((c->nr == SYS_semtimedop IF_SEMOP(|| c->nr == SYS_semop)) && c->semval >= 0)
            snprintf(buf, len, _("blocks: semval %d"), c->semval);
        else if (c->nr == SYS_msgrcv)
            snprintf(buf, len, _("blocks: no message of that type"));
        else if (c->nr == SYS_msgsnd)
            snprintf(buf, len, _("blocks: the queue is full"));
        else
            snprintf(buf, len, _("blocks"));
        return;
    }
    if (c->phase == TRACE_HELD) {
        snprintf(buf, len, _("held before the call (step lets it through)"));
        return;
    }
    if (c->ret < 0 && c->err) {
        snprintf(buf, len, "-1 %s", errname(c->err));
        return;
    }
    switch (c->nr) {
    case SYS_semget: snprintf(buf, len, "semid %lld", (long long)c->ret); return;
    case SYS_msgget: snprintf(buf, len, "msqid %lld", (long long)c->ret); return;
    case SYS_shmget: snprintf(buf, len, "shmid %lld", (long long)c->ret); return;
    case SYS_shmat: snprintf(buf, len, "0x%llx", (unsigned long long)c->ret); return;
    case SYS_msgrcv: snprintf(buf, len, _("%lld bytes"), (long long)c->ret); return;
#ifdef SYS_pipe
    case SYS_pipe:
#endif
    case SYS_pipe2:
    case SYS_socketpair: snprintf(buf, len, "fds %d, %d", c->fds[0], c->fds[1]); return;
    case SYS_sendmsg:
        snprintf(buf, len, _("%lld bytes%s"), (long long)c->ret,
                 c->scm_fds > 0 ? ", passing fds (SCM_RIGHTS)" : "");
        return;
    case SYS_openat:
    case TRACE_NR_SHM_OPEN: snprintf(buf, len, "fd %lld", (long long)c->ret); return;
    case SYS_mq_open: snprintf(buf, len, "mqd %lld", (long long)c->ret); return;
    case SYS_mq_timedreceive: snprintf(buf, len, "%lld bytes", (long long)c->ret); return;
    case SYS_wait4:
    case SYS_waitid: snprintf(buf, len, _("reaped %lld"), (long long)c->ret); return;
    default: break;
    }
    if (c->phase == TRACE_EVENT && c->nr != SYS_execve && c->nr != SYS_exit_group)
        snprintf(buf, len, _("child %lld"), (long long)c->ret);
    else if (c->phase == TRACE_EVENT)
        snprintf(buf, len, "%s", c->nr == SYS_execve ? "runs it" : "exits");
    else
        snprintf(buf, len, "%lld", (long long)c->ret);
}

void tree_call_text(const struct trace_call *c, char *buf, size_t len)
{
    char a[112], r[64];
    call_args(c, a, sizeof a);
    result_text(c, r, sizeof r);
    snprintf(buf, len, "%s -> %s", a, r);
}

static const struct sys_use *use_of(const struct model *m, int pid)
{
    for (int i = 0; i < m->sys.nuses; i++)
        if (m->sys.uses[i].pid == pid && m->sys.uses[i].how != SYS_USE_ATTACH)
            return &m->sys.uses[i];
    return NULL;
}

void tree_kernel_text(const struct model *m, const struct tree_procm *p, char *buf, size_t len)
{
    const int64_t *a = p->p.args;
    const struct sys_use *u = use_of(m, p->p.pid);
    if (p->reaped || p->gone) {
        snprintf(buf, len, "gone");
        return;
    }
    switch (p->p.nr) {
    case -1: snprintf(buf, len, _("in user space")); return;
    case -2: snprintf(buf, len, "running"); return;
    case -3: snprintf(buf, len, "?"); return;
    case -4: snprintf(buf, len, _("(no permission to read its call)")); return;
    case SYS_semtimedop:
#ifdef SYS_semop
    case SYS_semop:
#endif
        if (u && u->how == SYS_USE_SEMOP && u->nsops >= 0)
            snprintf(buf, len, "semop(semid %d, sem %d %+d)", (int)a[0], u->sem_num, u->sem_op);
        else
            snprintf(buf, len, "semop(semid %d)", (int)a[0]);
        return;
    case SYS_msgrcv:
        snprintf(buf, len, "msgrcv(msqid %d, type %lld)", (int)a[0], (long long)a[3]);
        return;
    case SYS_msgsnd: snprintf(buf, len, "msgsnd(msqid %d)", (int)a[0]); return;
    case SYS_wait4: snprintf(buf, len, "wait4(%d)", (int)a[0]); return;
    case SYS_read: snprintf(buf, len, "read(fd %d)", (int)a[0]); return;
    case SYS_write: snprintf(buf, len, "write(fd %d)", (int)a[0]); return;
    default: snprintf(buf, len, "%s", syscall_name(p->p.nr)); return;
    }
}

static void fmt_header(const struct model *m, tree_line_fn *line, void *ctx)
{
    const struct tree *t = &m->tree;
    char buf[512];
    int zombies = 0;
    for (int i = 0; i < t->nprocs; i++)
        zombies += !t->procs[i].gone && !t->procs[i].reaped && t->procs[i].p.state == 'Z';
    snprintf(buf, sizeof buf, _("tree: %s (root %d): %d processes, %d zombies; %s%s%s"),
             t->start.argv, t->start.root, tree_alive(t), zombies,
             t->start.traced ? "story from traced calls" : "story from samples only",
             t->start.note[0] ? ": " : "", t->start.note);
    line(ctx, buf);
    if (t->dropped) {
        snprintf(buf, sizeof buf, _("  (%d more processes than ipcplay keeps)"), t->dropped);
        line(ctx, buf);
    }
}

static void fmt_procs(const struct model *m, tree_line_fn *line, void *ctx)
{
    const struct tree *t = &m->tree;
    char buf[256], k[96];
    for (int i = 0; i < t->nprocs; i++) {
        const struct tree_procm *p = &t->procs[i];
        if (p->gone || p->reaped || p->p.state == '?')
            continue;
        if (p->p.state == 'Z') {
            const struct tree_procm *pp = tree_find(t, p->p.ppid);
            snprintf(buf, sizeof buf,
                     _("  %d %-15.15s Z zombie (status %d): its parent %d (%s) should reap it"),
                     p->p.pid, p->p.comm, p->p.zombie_status, p->p.ppid,
                     pp ? pp->p.comm : "not of the tree");
        } else {
            tree_kernel_text(m, p, k, sizeof k);
            snprintf(buf, sizeof buf, "  %d %-15.15s %c ppid %d  %s%s", p->p.pid, p->p.comm,
                     p->p.state, p->p.ppid, k, t->held_pid == p->p.pid ? "  [held]" : "");
        }
        line(ctx, buf);
    }
}

static void fmt_links(const struct model *m, tree_line_fn *line, void *ctx)
{
    const struct tree *t = &m->tree;
    static const char *const kind[] = {"?", "pipe", "fifo", "socket"};
    static const char *const mode[] = {"r", "w", "rw"};
    for (int i = 0; i < t->nlinks; i++) {
        const struct tree_link *l = &t->links[i];
        char buf[256];
        size_t off = 0;
        strbuf_put(buf, sizeof buf, &off, "  %s:[%llu]%s%s",
                   kind[l->kind >= 1 && l->kind <= 3 ? l->kind : 0], (unsigned long long)l->ino,
                   l->name[0] ? " " : "", l->name);
        for (int k = 0; k < l->n; k++)
            strbuf_put(buf, sizeof buf, &off, " %d fd %d (%s)", l->end[k].pid, l->end[k].fd,
                       mode[l->end[k].mode >= 0 && l->end[k].mode <= 2 ? l->end[k].mode : 2]);
        line(ctx, buf);
    }
}

/* Who waits on what, and who could wake it: a process of the tree that
 * used the object and is not asleep itself. */
static void fmt_waits(const struct model *m, tree_line_fn *line, void *ctx)
{
    const struct tree *t = &m->tree;
    for (int i = 0; i < m->sys.nuses; i++) {
        const struct sys_use *u = &m->sys.uses[i];
        const struct tree_procm *p = tree_find(t, u->pid);
        if (!p || p->gone || p->reaped || u->how == SYS_USE_ATTACH)
            continue;
        char buf[320], k[96];
        size_t off = 0;
        tree_kernel_text(m, p, k, sizeof k);
        const struct sysipc_obj *o = sysipc_find(&m->sys, u->kind, u->id);
        strbuf_put(buf, sizeof buf, &off, _("  waits: %d (%s) %s"), p->p.pid, p->p.comm, k);
        if (o && u->how == SYS_USE_SEMOP && u->nsops >= 0 && u->sem_num < o->o.nvals)
            strbuf_put(buf, sizeof buf, &off, ": semval %d", o->o.sem[u->sem_num].val);
        else if (o && u->kind == SYS_MSG)
            strbuf_put(buf, sizeof buf, &off, _(": %lld messages"), (long long)o->o.qnum);
        int wakers = 0;
        for (int j = 0; j < t->nprocs; j++) {
            const struct tree_procm *q = &t->procs[j];
            if (q == p || q->gone || q->reaped || q->p.state == 'Z' || q->p.state == 'S' ||
                q->p.state == 'D')
                continue;
            strbuf_put(buf, sizeof buf, &off, "%s%d (%s)", wakers++ ? ", " : "; may be woken by ",
                       q->p.pid, q->p.comm);
        }
        if (!wakers)
            strbuf_put(buf, sizeof buf, &off, _("; no process of the tree is awake to wake it"));
        line(ctx, buf);
    }
}

static void fmt_objs(const struct model *m, tree_line_fn *line, void *ctx)
{
    const struct tree *t = &m->tree;
    char buf[512];
    for (int i = 0; i < m->sys.nobjs; i++) {
        const struct sysipc_obj *o = &m->sys.objs[i];
        if (!tree_has_obj(t, o->o.kind, o->o.id))
            continue;
        sysipc_format_row(&m->sys, o, buf, sizeof buf);
        char row[520];
        snprintf(row, sizeof row, "  %s", buf);
        line(ctx, row);
    }
}

void tree_format(const struct model *m, tree_line_fn *line, void *ctx)
{
    const struct tree *t = &m->tree;
    if (!t->on)
        return;
    fmt_header(m, line, ctx);
    fmt_procs(m, line, ctx);
    fmt_links(m, line, ctx);
    fmt_objs(m, line, ctx);
    fmt_waits(m, line, ctx);
    if (t->stall[0]) {
        char buf[300];
        snprintf(buf, sizeof buf, _("STALL: %s"), t->stall);
        line(ctx, buf);
    }
}
