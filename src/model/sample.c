/* sample.c — applying samples (what the kernel said at a moment) to the model:
 * objects' *_ds fields and contents, a process's state and the system call it
 * sleeps in, in the words of the lesson, with the story lines a change tells
 * ("blocks: ...", "state Z: ...", "adopted"). The sampler only reads; what a
 * reading means is decided here, so a replay tells the same story.
 * Pure: no I/O, no syscalls. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "apply.h"
#include "model.h"
#include "record.h"
#include "signames.h"
#include "i18n.h"
#include "width.h"

static bool asleep(char state)
{
    return state == 'S' || state == 'D';
}

/* A story line about process pi at t (or the model's clock, if later). */
static void say_proc(struct model *m, uint64_t t, int pi, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void say_proc(struct model *m, uint64_t t, int pi, const char *what, const char *fmt, ...)
{
    struct model_line *l = model_new_line(m, t > m->now_ns ? t : m->now_ns, pi, LINE_EVENT);
    model_proc_label(&m->procs[pi], l->who, sizeof l->who);
    snprintf(l->what, sizeof l->what, "%s", what);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->detail, sizeof l->detail, fmt, ap);
    va_end(ap);
    text_cut_utf8(l->detail);
}

/* What semncnt (semzcnt) was when this process went to sleep: itself and
 * those already told asleep on the same semaphore, the same way. A sample
 * that finds three sleepers at once must not tell each of them "3". */
static int sleepers_before(const struct model *m, int pi, const struct model_kernel *k)
{
    int n = 1;
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_kernel *o = &m->procs[i].kernel;
        if (i == pi || o->semid != k->semid || o->nr < 0 || o->nsops <= 0 ||
            !asleep(m->procs[i].state))
            continue;
        if (o->sem_num == k->sem_num && (o->sem_op == 0) == (k->sem_op == 0))
            n++;
    }
    return n;
}

/* A process has just started to sleep in semop: tell why. */
static void note_sem_block(struct model *m, int pi, const struct model_kernel *k)
{
    const struct model_proc *p = &m->procs[pi];
    int si = -1;
    for (int i = 0; i < m->nsemsets; i++)
        if (m->semsets[i].semid == k->semid)
            si = i;
    int sn = (int)((unsigned)k->sem_num % MODEL_MAX_SEMS);
    const char *verb = k->sem_op < 0 ? "P" : k->sem_op == 0 ? "wait0" : "V";
    char what[40], who[48];
    snprintf(what, sizeof what, "%s(sem %d)", verb, k->sem_num);
    model_proc_label(p, who, sizeof who);
    int val = si >= 0 ? m->semsets[si].val[sn] : 0;
    int sampled = si < 0 ? 0 : k->sem_op == 0 ? m->semsets[si].zcnt[sn] : m->semsets[si].ncnt[sn];
    int count = sleepers_before(m, pi, k);
    if (sampled > 0 && count > sampled)
        count = sampled;
    if (k->sem_op == 0)
        model_say(m, LINE_EVENT, who, what,
                  _("blocks: semval is %d, not 0; the kernel puts it to sleep (semzcnt now %d)"),
                  val, count);
    else
        model_say(m, LINE_EVENT, who, what,
                  _("blocks: semval is %d; the kernel puts it to sleep (semncnt now %d)"), val,
                  count);
    m->story[(m->story_count - 1) % MODEL_STORY_CAP].proc = pi;
}

/* A process has just started to sleep in msgsnd/msgrcv: tell why. */
static void note_msg_block(struct model *m, int pi, const struct model_kernel *before,
                           const struct model_kernel *now)
{
    const struct model_proc *p = &m->procs[pi];
    bool blocked = now->msgcall && now->nr >= 0 && asleep(p->state);
    bool was = before->msgcall && before->nr >= 0 && before->msgcall == now->msgcall;
    if (!blocked || was)
        return;
    const struct model_msgq *q = NULL;
    for (int i = 0; i < m->nmsgqs; i++)
        if (m->msgqs[i].msqid == now->msqid)
            q = &m->msgqs[i];
    if (now->msgcall == 2) {
        char sel[48];
        if (now->msgflg & MSG_EXCEPT)
            snprintf(sel, sizeof sel, _("any type but %ld"), now->msgtyp);
        else if (now->msgtyp == 0)
            snprintf(sel, sizeof sel, _("any type"));
        else if (now->msgtyp > 0)
            snprintf(sel, sizeof sel, _("type %ld"), now->msgtyp);
        else
            snprintf(sel, sizeof sel, _("a type <= %lld"), -(long long)now->msgtyp);
        model_say(m, LINE_EVENT, p->name, now->text,
                  _("blocks: no message of %s in the queue (qnum %ld); the kernel puts it to "
                    "sleep until one arrives"),
                  sel, q ? q->qnum : 0L);
    } else {
        model_say(m, LINE_EVENT, p->name, now->text,
                  _("blocks: the queue is full (cbytes %ld + %ld > qbytes %ld); the kernel puts "
                    "it to sleep until a receiver makes room"),
                  q ? q->cbytes : 0L, now->msgsz, q ? q->qbytes : 0L);
    }
    m->story[(m->story_count - 1) % MODEL_STORY_CAP].proc = pi;
}

static const struct model_fd *fd_of(const struct model *m, pid_t pid, int fd)
{
    const struct model_fdtable *t = model_fdtable_find(m, pid);
    for (int i = 0; t && i < t->nfds && i < MODEL_MAX_FDS; i++)
        if (t->fds[i].fd == fd)
            return &t->fds[i];
    return NULL;
}

static bool is(long nr, long a)
{
    return nr == a;
}

/* What a sleeping process waits for, in the terms of the lesson. */
static unsigned refine(struct model *m, struct model_proc *p, const struct sample_proc *s)
{
    long nr = p->kernel.nr;
    if (nr < 0)
        return 0;
    const char *name = syscall_name(nr);
    char *text = p->kernel.text;
    size_t len = sizeof p->kernel.text;
    unsigned seen = 0;
    bool rd = is(nr, SYS_read) || is(nr, SYS_readv) || is(nr, SYS_recvmsg) ||
              is(nr, SYS_recvfrom) || is(nr, SYS_pread64);
    bool wr = is(nr, SYS_write) || is(nr, SYS_writev) || is(nr, SYS_sendmsg) ||
              is(nr, SYS_sendto) || is(nr, SYS_pwrite64);
    bool acc = is(nr, SYS_accept) || is(nr, SYS_accept4);
    if (rd || wr || acc || is(nr, SYS_connect)) {
        int fd = (int)p->kernel.args[0];
        const struct model_fd *f = fd_of(m, p->pid, fd);
        snprintf(text, len, "%s(fd %d%s%.40s)", name, fd, f ? " " : "", f ? f->target : "");
        if (asleep(p->state))
            seen |= rd ? SEEN_READ : wr ? SEEN_WRITE : acc ? SEEN_ACCEPT : 0;
    } else if (is(nr, SYS_wait4) || is(nr, SYS_waitid)) {
        long w = (long)(int)p->kernel.args[is(nr, SYS_waitid) ? 1 : 0];
        int qi = w > 0 ? model_find_proc(m, (pid_t)w) : -1;
        if (is(nr, SYS_waitid) && (int)p->kernel.args[0] == P_ALL)
            w = -1;
        if (w > 0)
            snprintf(text, len, "%s(%s)", name, qi >= 0 ? m->procs[qi].name : "a child");
        else
            snprintf(text, len, "%s(any child)", name);
        if (asleep(p->state))
            seen |= SEEN_WAIT;
    } else if (p->op == OP_HOLD && strncmp(model_proc_doing(p), "busy", 4) == 0 &&
               (is(nr, SYS_clock_nanosleep) || is(nr, SYS_nanosleep))) {
        snprintf(text, len, "%s, not in wait()", name);
    } else if (is(nr, SYS_openat)) {
        if (s->flags & SP_PATH)
            snprintf(text, len, "openat(%.*s)", (int)sizeof s->path, s->path);
        if (asleep(p->state))
            seen |= SEEN_OPEN;
    }
    return seen;
}

static void status_words(int status, char *buf, size_t len)
{
    if (status < 0)
        snprintf(buf, len, "exited");
    else if (WIFSIGNALED(status))
        snprintf(buf, len, "killed by %s", signame(WTERMSIG(status)).s);
    else
        snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
}

static pid_t self_pid(const struct model *m)
{
    return m->nprocs > 0 && m->procs[0].role == -1 ? m->procs[0].pid : 0;
}

/* The exec'd program's first look: /proc's comm and exe changed. */
static unsigned look_after_exec(struct model *m, uint64_t t, int pi, const struct sample_proc *s)
{
    struct model_proc *p = &m->procs[pi];
    char before[sizeof s->exe_before + 1];
    APPLY_STR(before, s->exe_before);
    bool comm_changed = model_proc_comm_foreign(p);
    bool exe_changed = p->exe[0] && strcmp(p->exe, before) != 0;
    model_fact_set(m, "exec.comm_changed", comm_changed);
    model_fact_set(m, "exec.exe_changed", exe_changed);
    say_proc(m, t, pi, "exec", _("/proc says: comm %.15s -> %s, exe %s -> %s"), p->name, p->comm,
             before, p->exe[0] ? p->exe : "?");
    return SEEN_EXEC;
}

/* Processes of plans with `observe`: zombies, what a sleeper waits for,
 * adoption, exec, fds in flight. */
static void apply_observed(struct model *m, uint64_t t, int pi, const struct sample_proc *s)
{
    struct model_proc *p = &m->procs[pi];
    unsigned seen = 0;
    if (p->state == 'Z') {
        seen |= SEEN_ZOMBIE | SEEN_EXITED;
        p->zombie_status = s->zombie_status;
        char st[40];
        status_words(p->zombie_status, st, sizeof st);
        snprintf(p->kernel.text, sizeof p->kernel.text, "zombie, %s, not reaped", st);
        if (!(p->seen & SEEN_ZOMBIE)) {
            int qi = model_find_proc(m, p->ppid);
            say_proc(m, t, pi, "zombie",
                     _("state Z: it has %s, but its parent %s has not called wait() yet; the "
                       "kernel keeps its pid and status"),
                     st, qi >= 0 ? m->procs[qi].name : _("(someone)"));
        }
    } else {
        seen |= refine(m, p, s);
    }
    pid_t self = self_pid(m);
    if (p->forked && self && p->ppid == self && p->parent0 != self && !(p->seen & SEEN_ADOPTED)) {
        seen |= SEEN_ADOPTED;
        p->adopted = true;
        say_proc(m, t, pi, "adopted",
                 _("PPID %d -> %d: its parent is gone, ipcplay (the child subreaper) is its "
                   "parent now"),
                 (int)p->parent0, (int)self);
    }
    if (s->flags & SP_EXE)
        APPLY_STR(p->exe, s->exe);
    if ((s->flags & SP_EXEC_LOOK) && !(p->seen & SEEN_EXEC))
        seen |= look_after_exec(m, t, pi, s);
    const struct model_fdtable *ft = model_fdtable_find(m, p->pid);
    for (int i = 0; ft && p->state != 'Z' && i < ft->nfds && i < MODEL_MAX_FDS; i++)
        if (ft->fds[i].scm_fds > 0)
            seen |= SEEN_SCM;
    if ((seen & SEEN_SCM) && !(p->seen & SEEN_SCM))
        say_proc(m, t, pi, "in flight",
                 _("fdinfo shows scm_fds 1 on its socket: an fd sits in the socket's queue, "
                   "sent but not yet received"));
    if ((seen | p->seen) != p->seen)
        m->gen_procs++;
    p->seen |= seen;
}

void apply_sample_proc(struct model *m, uint64_t t, const struct sample_proc *s)
{
    int pi = model_find_proc(m, s->pid);
    if (pi < 0)
        return;
    struct model_proc *p = &m->procs[pi];
    char old_state = p->state;
    if (s->flags & SP_STAT) {
        APPLY_STR(p->comm, s->comm);
        p->state = s->state;
        p->ppid = s->ppid;
        p->minflt = s->minflt;
        p->majflt = s->majflt;
        p->utime = s->utime;
        p->stime = s->stime;
        p->rss_pages = s->rss_pages;
    }
    if (p->state != old_state)
        m->gen_procs++;
    struct model_kernel k = s->kernel;
    bool was_blocked = p->kernel.semid >= 0 && p->kernel.nr >= 0;
    model_describe_kernel(m, &k);
    if (strcmp(k.text, p->kernel.text) != 0)
        m->gen_procs++;
    note_msg_block(m, pi, &p->kernel, &k);
    p->kernel = k;
    bool blocked = k.semid >= 0 && asleep(p->state);
    if (blocked && !was_blocked && k.nsops > 0)
        note_sem_block(m, pi, &k);
    if (s->flags & SP_OBSERVED)
        apply_observed(m, t, pi, s);
}

void apply_sample_self(struct model *m, const struct sample_self *s)
{
    if (m->nprocs <= 0 || m->procs[0].role != -1 || m->procs[0].pid != s->pid)
        return;
    m->procs[0].utime = s->utime;
    m->procs[0].stime = s->stime;
    m->procs[0].rss_pages = s->rss_pages;
}

void apply_sample_fds(struct model *m, const struct model_fdtable *nt)
{
    struct model_fdtable *t = model_fdtable(m, nt->pid, true);
    if (!t || memcmp(t, nt, sizeof *nt) == 0)
        return;
    memcpy(t, nt, sizeof *t);
    if (t->nfds < 0 || t->nfds > MODEL_MAX_FDS)
        t->nfds = t->nfds < 0 ? 0 : MODEL_MAX_FDS;
    for (int i = 0; i < MODEL_MAX_FDS; i++)
        t->fds[i].target[sizeof t->fds[i].target - 1] = '\0';
    m->gen_procs++;
}
