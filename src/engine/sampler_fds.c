/* sampler_fds.c — the part of a sample that the process scenarios need, for
 * processes of plans with `observe` set: zombies (state Z and the exit status
 * waiting in the process table), what a process sleeps in (read on which
 * pipe, wait4 for which child, open of which FIFO), PPID changes (adoption
 * by the subreaper), comm/exe (exec), and fd tables from /proc/PID/fd and
 * /proc/PID/fdinfo (pos, flags, inode, scm_fds). What is seen is also
 * written to the board, so ops can wait until a student could see it.
 *
 * Cost: /proc/PID/fd and fdinfo directories stay open per process; a fd
 * table (readlink + fdinfo per fd, ~4 us each) is re-read only when an event
 * says it may have changed (any fd op of the run: offsets are shared) or
 * every 10th sample; exe is read once, and again after an exec. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../model/model.h"
#include "../model/signames.h"
#include "board.h"
#include "engine_internal.h"
#include "procfs.h"
#include "procfs_fd.h"

static void read_exe(struct engine *e, pid_t pid, char *out, size_t len)
{
    char path[32];
    snprintf(path, sizeof path, "%d/exe", (int)pid);
    ssize_t n = readlinkat(e->procfd, path, out, len - 1);
    out[n > 0 ? n : 0] = '\0';
}

static const char *self_exe(struct engine *e)
{
    static char exe[96];
    if (!exe[0])
        read_exe(e, e->self, exe, sizeof exe);
    return exe;
}

static void read_fdtable(struct engine *e, struct child *c)
{
    struct model *m = e->m;
    if (c->fddirfd < 0)
        c->fddirfd = procfs_open(e->procfd, c->pid, "fd");
    if (c->fdinfofd < 0)
        c->fdinfofd = procfs_open(e->procfd, c->pid, "fdinfo");
    int fds[128];
    int n = procfs_list_fds(c->fddirfd, fds, 128);
    if (n < 0)
        return;
    struct model_fdtable nt;
    memset(&nt, 0, sizeof nt);
    nt.pid = c->pid;
    for (int i = 0; i < n; i++) {
        if (fds[i] <= 3)
            continue; /* /dev/null x3 and ipcplay's event pipe */
        if (nt.nfds >= MODEL_MAX_FDS) {
            nt.more++;
            continue;
        }
        char name[16], target[256], info[512];
        snprintf(name, sizeof name, "%d", fds[i]);
        ssize_t k = readlinkat(c->fddirfd, name, target, sizeof target - 1);
        if (k < 0)
            continue; /* closed meanwhile */
        target[k] = '\0';
        struct proc_fdinfo fi;
        int ifd = openat(c->fdinfofd, name, O_RDONLY | O_CLOEXEC);
        if (ifd < 0)
            continue;
        ssize_t got = procfs_pread(ifd, info, sizeof info);
        close(ifd);
        if (got <= 0 || procfs_parse_fdinfo(info, (size_t)got, &fi) < 0)
            continue;
        struct model_fd *f = &nt.fds[nt.nfds++];
        f->fd = fds[i];
        procfs_fd_target_short(target, m->rundir, f->target, sizeof f->target);
        f->ino = fi.ino;
        f->pos = fi.pos;
        f->flags = fi.flags;
        f->scm_fds = fi.scm_fds;
    }
    struct model_fdtable *t = model_fdtable(m, c->pid, true);
    if (t && memcmp(t, &nt, sizeof nt) != 0) {
        *t = nt;
        m->gen_procs++;
    }
    c->fds_dirty = false;
}

static const struct model_fd *fd_of(const struct model *m, pid_t pid, int fd)
{
    const struct model_fdtable *t = model_fdtable_find(m, pid);
    for (int i = 0; t && i < t->nfds; i++)
        if (t->fds[i].fd == fd)
            return &t->fds[i];
    return NULL;
}

static bool is(long nr, long a)
{
    return nr == a;
}

/* What a sleeping process waits for, in the terms of the lesson. */
static unsigned refine(struct engine *e, struct child *c, struct model_proc *p)
{
    struct model *m = e->m;
    long nr = p->kernel.nr;
    if (nr < 0)
        return 0;
    bool asleep = p->state == 'S' || p->state == 'D';
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
        const struct model_fd *f = fd_of(m, c->pid, fd);
        snprintf(text, len, "%s(fd %d%s%.40s)", name, fd, f ? " " : "", f ? f->target : "");
        if (asleep)
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
        if (asleep)
            seen |= SEEN_WAIT;
    } else if (p->op == OP_HOLD && strncmp(p->doing, "busy", 4) == 0 &&
               (is(nr, SYS_clock_nanosleep) || is(nr, SYS_nanosleep))) {
        snprintf(text, len, "%s, not in wait()", name);
    } else if (is(nr, SYS_openat)) {
        char path[128] = "";
        struct iovec local = {path, sizeof path - 1};
        struct iovec remote = {(void *)p->kernel.args[1], sizeof path - 1};
        if (process_vm_readv(c->pid, &local, 1, &remote, 1, 0) > 0) {
            path[sizeof path - 1] = '\0';
            const char *base = strrchr(path, '/');
            snprintf(text, len, "openat(%.40s)", base ? base + 1 : path);
        }
        if (asleep)
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

static void say_proc(struct engine *e, int idx, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void say_proc(struct engine *e, int idx, const char *what, const char *fmt, ...)
{
    struct model *m = e->m;
    uint64_t now = events_now_ns() - e->t0_ns;
    struct model_line *l = model_new_line(m, now > m->now_ns ? now : m->now_ns, idx, 0);
    model_proc_label(&m->procs[idx], l->who, sizeof l->who);
    snprintf(l->what, sizeof l->what, "%s", what);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->detail, sizeof l->detail, fmt, ap);
    va_end(ap);
}

void sampler_fds_child(struct engine *e, struct child *c, const char *stat)
{
    struct model *m = e->m;
    if (c->model_idx < 0)
        return;
    struct model_proc *p = &m->procs[c->model_idx];
    if (!stat) {
        /* Gone without an event telling us (its parent reaped it and was
         * killed before saying so): stop counting it. */
        if (c->forked && !family_exists(c))
            family_gone(e, c);
        return;
    }
    if (!e->plan.observe)
        return;
    unsigned seen = 0;
    if (c->started && p->state != 'Z' &&
        (c->fds_dirty || m->samples % 10 == 0 || (c->execd && !(c->seen & SEEN_EXEC))))
        read_fdtable(e, c);
    if (p->state == 'Z') {
        seen |= SEEN_ZOMBIE | SEEN_EXITED;
        p->zombie_status = procfs_stat_exit_code(stat, strlen(stat));
        char st[40];
        status_words(p->zombie_status, st, sizeof st);
        snprintf(p->kernel.text, sizeof p->kernel.text, "zombie, %s, not reaped", st);
        if (!(c->seen & SEEN_ZOMBIE)) {
            int qi = model_find_proc(m, p->ppid);
            say_proc(e, c->model_idx, "zombie",
                     "state Z: it has %s, but its parent %s has not called wait() yet; the "
                     "kernel keeps its pid and status",
                     st, qi >= 0 ? m->procs[qi].name : "(someone)");
        }
    } else {
        seen |= refine(e, c, p);
    }
    if (c->forked && p->ppid == e->self && c->parent != e->self && !(c->seen & SEEN_ADOPTED)) {
        seen |= SEEN_ADOPTED;
        p->adopted = true;
        say_proc(e, c->model_idx, "adopted",
                 "PPID %d -> %d: its parent is gone, ipcplay (the child subreaper) is its "
                 "parent now",
                 (int)c->parent, (int)e->self);
    }
    if (!p->exe[0])
        read_exe(e, c->pid, p->exe, sizeof p->exe);
    if (c->execd && !(c->seen & SEEN_EXEC)) {
        char before[sizeof p->exe];
        snprintf(before, sizeof before, "%s", self_exe(e));
        read_exe(e, c->pid, p->exe, sizeof p->exe);
        bool comm_changed = strcmp(p->comm, "ipcplay") != 0;
        bool exe_changed = p->exe[0] && strcmp(p->exe, before) != 0;
        model_fact_set(m, "exec.comm_changed", comm_changed);
        model_fact_set(m, "exec.exe_changed", exe_changed);
        say_proc(e, c->model_idx, "exec", "/proc says: comm ipcplay -> %s, exe %s -> %s", p->comm,
                 before, p->exe[0] ? p->exe : "?");
        seen |= SEEN_EXEC;
    }
    snprintf(c->comm, sizeof c->comm, "%s", p->comm);
    const struct model_fdtable *t = model_fdtable_find(m, c->pid);
    for (int i = 0; t && p->state != 'Z' && i < t->nfds; i++)
        if (t->fds[i].scm_fds > 0)
            seen |= SEEN_SCM;
    if ((seen & SEEN_SCM) && !(c->seen & SEEN_SCM))
        say_proc(e, c->model_idx, "in flight",
                 "fdinfo shows scm_fds 1 on its socket: an fd sits in the socket's queue, "
                 "sent but not yet received");
    if ((seen | c->seen) != c->seen)
        m->gen_procs++;
    c->seen |= seen;
    p->seen |= seen;
    board_mark(board_get(), c->pid, c->role, c->instance, seen);
}

void sampler_fds_release(struct engine *e)
{
    /* A helper that exec'd waits (SIGUSR1) until a regular sample has shown
     * it; this was that sample. pidfd: never signal a reused pid. */
    for (int i = 0; i < e->nchildren; i++) {
        struct child *c = &e->children[i];
        if (!c->execd || !(c->seen & SEEN_EXEC) || c->reaped)
            continue;
        c->execd = false;
#ifdef SYS_pidfd_send_signal
        if (c->pidfd >= 0) {
            syscall(SYS_pidfd_send_signal, c->pidfd, SIGUSR1, NULL, 0);
            continue;
        }
#endif
        if (!c->forked)
            kill(c->pid, SIGUSR1); /* our own unreaped child: its pid is still its */
    }
}

void sampler_fds_close(struct child *c)
{
    if (c->fddirfd >= 0)
        close(c->fddirfd);
    if (c->fdinfofd >= 0)
        close(c->fdinfofd);
    if (c->pidfd >= 0)
        close(c->pidfd);
    c->fddirfd = c->fdinfofd = c->pidfd = -1;
}
