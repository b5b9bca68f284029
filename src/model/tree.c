/* tree.c — see tree.h: applying the REC_TREE_* and REC_TRACE_CALL records,
 * and what follows from them alone: which objects are the tree's, zombies
 * and who should reap them, who waits for what, and a stall (every process
 * of the tree asleep on IPC, none able to wake another, seen in two samples
 * in a row). */
#include "tree.h"

#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "model.h"
#include "record.h"
#include "strbuf.h"
#include "i18n.h"
#include "width.h"

#define CUT(dst, src)                                                                              \
    do {                                                                                           \
        memcpy((dst), (src), sizeof(dst));                                                         \
        (dst)[sizeof(dst) - 1] = '\0';                                                             \
    } while (0)

const struct tree_procm *tree_find(const struct tree *t, int pid)
{
    for (int i = 0; i < t->nprocs; i++)
        if (t->procs[i].p.pid == pid)
            return &t->procs[i];
    return NULL;
}

static struct tree_procm *find_rw(struct tree *t, int pid)
{
    return (struct tree_procm *)tree_find(t, pid);
}

bool tree_has_obj(const struct tree *t, int kind, int id)
{
    for (int i = 0; i < t->nobjs; i++)
        if (t->objs[i].kind == kind && t->objs[i].id == id)
            return true;
    return false;
}

static void add_obj(struct tree *t, int kind, int id)
{
    if (id < 0 || kind < SYS_SEM || kind > SYS_SHM || tree_has_obj(t, kind, id))
        return;
    if (t->nobjs < TREE_MAX_OBJS)
        t->objs[t->nobjs++] = (struct tree_obj){kind, id};
}

int tree_select_objs(const struct model *m, int *idx, int max)
{
    const struct sysipc *s = &m->sys;
    int n = sysipc_select(s, &s->filter, idx, max);
    if (!m->tree.on || s->filter.all)
        return n;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (tree_has_obj(&m->tree, s->objs[idx[i]].o.kind, s->objs[idx[i]].o.id))
            idx[k++] = idx[i];
    return k;
}

int tree_alive(const struct tree *t)
{
    int n = 0;
    for (int i = 0; i < t->nprocs; i++)
        n += !t->procs[i].gone && !t->procs[i].reaped;
    return n;
}

static bool is_tree_pid(const struct tree *t, int pid)
{
    return pid > 0 && tree_find(t, pid) != NULL;
}

static void who_of(const struct tree *t, int pid, char *buf, size_t len)
{
    const struct tree_procm *p = tree_find(t, pid);
    snprintf(buf, len, "%.15s[%d]", p && p->p.comm[0] ? p->p.comm : "?", pid);
}

static void apply_start(struct model *m, const struct tree_start *s)
{
    struct tree *t = &m->tree;
    memset(t, 0, sizeof *t);
    t->on = true;
    t->start = *s;
    CUT(t->start.argv, s->argv);
    CUT(t->start.note, s->note);
    if (s->root > 0 && t->nprocs < TREE_MAX_PROCS) {
        struct tree_procm *p = &t->procs[t->nprocs++];
        p->p.pid = s->root;
        p->p.state = '?';
        p->p.nr = -3;
    }
    t->gen++;
}

static void apply_proc(struct model *m, const struct tree_proc *in)
{
    struct tree *t = &m->tree;
    struct tree_procm *p = find_rw(t, in->pid);
    if (in->pid <= 0)
        return;
    if (!p) {
        if (t->nprocs >= TREE_MAX_PROCS) {
            t->dropped++;
            return;
        }
        p = &t->procs[t->nprocs++];
        memset(p, 0, sizeof *p);
        char who[32];
        p->p = *in;
        CUT(p->p.comm, in->comm);
        who_of(t, in->pid, who, sizeof who);
        model_say(m, 0, who, "appears", _("a process of the tree, child of %d"), in->ppid);
    }
    char old = p->p.state;
    int32_t oldnr = p->p.nr;
    p->p = *in;
    CUT(p->p.comm, in->comm);
    if (p->p.state == 'Z' && old != 'Z' && !p->reaped) {
        char who[32], parent[32];
        who_of(t, in->pid, who, sizeof who);
        who_of(t, in->ppid, parent, sizeof parent);
        model_say(m, 0, who, "zombie",
                  _("exited (status %d); its parent %s should reap it with wait"),
                  in->zombie_status, parent);
    }
    if (oldnr != p->p.nr)
        p->blocked_told = false;
    p->seen_seq = t->seq;
    p->gone = false;
}

static void apply_exit(struct model *m, const struct tree_exit *x)
{
    struct tree *t = &m->tree;
    struct tree_procm *p = find_rw(t, x->pid);
    if (!p || p->reaped)
        return;
    p->reaped = true;
    p->exit_status = x->status;
    p->reaped_by = x->by;
    char who[32], how[64];
    who_of(t, x->pid, who, sizeof who);
    int st = x->status;
    if ((st & 0x7f) == 0)
        snprintf(how, sizeof how, "exit status %d", (st >> 8) & 0xff);
    else
        snprintf(how, sizeof how, "killed by signal %d", st & 0x7f);
    model_say(m, 0, who, "reaped", _("%s, reaped by %s"), how,
              x->by == 0 ? _("ipcplay (subreaper)") : _("its parent"));
    if (x->pid == t->start.root) {
        t->root_reaped = true;
        t->root_status = x->status;
    }
}

static void apply_link(struct tree *t, const struct tree_link *l)
{
    if (t->nlinks >= TREE_MAX_LINKS)
        return;
    struct tree_link *d = &t->links[t->nlinks++];
    *d = *l;
    CUT(d->name, l->name);
    if (d->n < 0 || d->n > TREE_LINK_ENDS)
        d->n = d->n < 0 ? 0 : TREE_LINK_ENDS;
}

/* Objects the tree created or uses: any of its pids named by the object
 * (last pids, creator) or by a use (asleep on it, attached). */
static void collect_objs(struct model *m)
{
    struct tree *t = &m->tree;
    const struct sysipc *s = &m->sys;
    for (int i = 0; i < s->nuses; i++)
        if (is_tree_pid(t, s->uses[i].pid))
            add_obj(t, s->uses[i].kind, s->uses[i].id);
    for (int i = 0; i < s->nobjs; i++) {
        const struct sys_obj *o = &s->objs[i].o;
        bool mine = is_tree_pid(t, o->lspid) || is_tree_pid(t, o->lrpid) ||
                    is_tree_pid(t, o->cpid) || is_tree_pid(t, o->lpid);
        for (int k = 0; k < o->nvals && k < SYSIPC_SEMS && o->kind == SYS_SEM; k++)
            mine = mine || is_tree_pid(t, o->sem[k].pid);
        if (mine)
            add_obj(t, o->kind, o->id);
    }
}

static bool pipe_call(const struct tree *t, const struct tree_procm *p)
{
    if (p->p.nr != SYS_read && p->p.nr != SYS_write)
        return false;
    for (int i = 0; i < t->nlinks; i++)
        for (int k = 0; k < t->links[i].n; k++)
            if (t->links[i].end[k].pid == p->p.pid && t->links[i].end[k].fd == p->p.args[0])
                return true;
    return false;
}

/* Asleep in a call only another process of the tree can end: 2 for a
 * semaphore or queue, 1 for wait or a pipe of the tree, 0 otherwise. */
static int asleep_on_ipc(const struct tree *t, const struct tree_procm *p)
{
    if (p->p.state != 'S' && p->p.state != 'D')
        return 0;
    switch (p->p.nr) {
#ifdef SYS_semop
    case SYS_semop:
#endif
    case SYS_msgsnd:
    case SYS_msgrcv: return 2;
    case SYS_semtimedop: return p->p.args[3] == 0 ? 2 : 0; /* a timeout wakes it */
    case SYS_wait4:
    case SYS_waitid: return 1;
    default: return pipe_call(t, p) ? 1 : 0;
    }
}

static void detect_stall(struct model *m)
{
    struct tree *t = &m->tree;
    int alive = 0, ipc = 0;
    char sig[128] = "";
    size_t off = 0;
    for (int i = 0; i < t->nprocs; i++) {
        const struct tree_procm *p = &t->procs[i];
        if (p->gone || p->reaped || p->p.state == 'Z')
            continue;
        alive++;
        int a = asleep_on_ipc(t, p);
        if (!a) {
            t->stall_seen = 0;
            return;
        }
        ipc += a == 2;
        strbuf_put(sig, sizeof sig, &off, "%d:%d;", p->p.pid, p->p.nr);
    }
    if (!alive || !ipc) {
        t->stall_seen = 0;
        return;
    }
    t->stall_seen = strcmp(sig, t->stall_sig) == 0 ? t->stall_seen + 1 : 1;
    CUT(t->stall_sig, sig);
    if (t->stall_seen < 2 || t->stall[0])
        return;
    off = 0;
    strbuf_put(t->stall, sizeof t->stall, &off,
               "every process of the tree is asleep on IPC and none can wake another:");
    for (int i = 0; i < t->nprocs; i++) {
        const struct tree_procm *p = &t->procs[i];
        if (p->gone || p->reaped || p->p.state == 'Z')
            continue;
        char k[80];
        tree_kernel_text(m, p, k, sizeof k);
        strbuf_put(t->stall, sizeof t->stall, &off, " %.15s[%d] %s;", p->p.comm, p->p.pid, k);
    }
    model_say(m, 2, "ipcplay", "stall", "%s", t->stall);
}

static void apply_end(struct model *m, const struct tree_end *e)
{
    struct tree *t = &m->tree;
    for (int i = 0; i < t->nprocs; i++) {
        struct tree_procm *p = &t->procs[i];
        if (p->seen_seq != t->seq && !p->gone && !p->reaped && p->p.state != '?') {
            p->gone = true;
            char who[32];
            who_of(t, p->p.pid, who, sizeof who);
            model_say(m, 0, who, "gone", _("exited; reaped by its parent"));
        }
    }
    t->dropped = e->dropped;
    collect_objs(m);
    detect_stall(m);
    t->gen++;
    m->gen_procs++;
}

static void apply_call(struct model *m, uint64_t t_ns, const struct trace_call *in)
{
    struct tree *t = &m->tree;
    struct trace_call copy = *in; /* a string from a record is never trusted */
    const struct trace_call *c = &copy;
    CUT(copy.path, in->path);
    t->calls++;
    switch (c->nr) {
    case SYS_semget:
    case SYS_msgget:
    case SYS_shmget:
        if (c->phase == TRACE_DONE && c->ret >= 0)
            add_obj(t,
                    c->nr == SYS_semget   ? SYS_SEM
                    : c->nr == SYS_msgget ? SYS_MSG
                                          : SYS_SHM,
                    (int)c->ret);
        break;
#ifdef SYS_semop
    case SYS_semop:
#endif
    case SYS_semtimedop:
    case SYS_semctl: add_obj(t, SYS_SEM, (int)c->args[0]); break;
    case SYS_msgsnd:
    case SYS_msgrcv:
    case SYS_msgctl: add_obj(t, SYS_MSG, (int)c->args[0]); break;
    case SYS_shmat:
    case SYS_shmctl: add_obj(t, SYS_SHM, (int)c->args[0]); break;
    default: break;
    }
    struct tree_procm *parent = find_rw(t, c->pid);
    if (c->phase == TRACE_EVENT && c->ret > 0 && c->nr != SYS_execve && c->nr != SYS_exit_group &&
        !tree_find(t, (int)c->ret) && t->nprocs < TREE_MAX_PROCS) {
        struct tree_procm *k = &t->procs[t->nprocs++]; /* a fork copies the name */
        memset(k, 0, sizeof *k);
        k->p.pid = (int32_t)c->ret;
        k->p.ppid = c->pid;
        k->p.state = 'R';
        k->p.nr = -2;
        k->seen_seq = t->seq;
        if (parent)
            memcpy(k->p.comm, parent->p.comm, sizeof k->p.comm);
    }
    t->held_pid = c->phase == TRACE_HELD ? c->pid : t->held_pid == c->pid ? 0 : t->held_pid;
    struct tree_procm *p = find_rw(t, c->pid);
    if (p && c->phase == TRACE_BLOCKS)
        p->blocked_told = true;
    char who[32], text[128];
    who_of(t, c->pid, who, sizeof who);
    tree_call_text(c, text, sizeof text);
    struct model_line *l = model_new_line(m, t_ns, -1, 0);
    snprintf(l->who, sizeof l->who, "%s", who);
    snprintf(l->what, sizeof l->what, "%s", c->phase == TRACE_HELD ? "held" : "calls");
    snprintf(l->detail, sizeof l->detail, "%s", text);
    text_cut_utf8(l->detail);
    t->gen++;
}

void tree_apply(struct model *m, const struct record *r)
{
    struct tree *t = &m->tree;
    switch (r->kind) {
    case REC_TREE_START: apply_start(m, &r->u.tree_start); break;
    case REC_TREE_BEGIN:
        t->seq = r->u.tree_begin.seq;
        t->nlinks = 0;
        break;
    case REC_TREE_PROC: apply_proc(m, &r->u.tree_proc); break;
    case REC_TREE_LINK: apply_link(t, &r->u.tree_link); break;
    case REC_TREE_EXIT: apply_exit(m, &r->u.tree_exit); break;
    case REC_TREE_END: apply_end(m, &r->u.tree_end); break;
    case REC_TRACE_CALL: apply_call(m, r->t_ns, &r->u.trace_call); break;
    default: break;
    }
}
