/* sampler_fds.c — the part of a sample that the process scenarios need, for
 * processes of plans with `observe` set: the exit status a zombie leaves in
 * the process table, the file an openat waits for, exe (after exec too), and
 * fd tables from /proc/PID/fd and /proc/PID/fdinfo (pos, flags, inode,
 * scm_fds) as REC_SAMPLE_FDS records. What it means (zombie, adopted, asleep
 * in read) the model decides (model/sample.c); what the model then says was
 * seen is written to the board, so ops can wait until a student could see it.
 *
 * Cost: /proc/PID/fd and fdinfo directories stay open per process; a fd
 * table (readlink + fdinfo per fd, ~4 us each) is re-read only when an event
 * says it may have changed (any fd op of the run: offsets are shared) or
 * every 10th sample; exe is read once, and again after an exec. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
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
#include "../model/i18n.h"

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

/* One fd per open file description seen so far this run, to compare new
 * fds with: kcmp(KCMP_FILE) says whether two fds are the same open file,
 * which an inode cannot (a file opened twice has one inode, two offsets). */
static struct ofd_rep {
    pid_t pid;
    int fd;
    unsigned long ino;
    unsigned id;
} ofds[256];
static int nofds;
static unsigned ofd_next;
static uint64_t ofd_run; /* the run these ids belong to (its t0) */

static unsigned ofd_id(struct engine *e, pid_t pid, int fd, unsigned long ino)
{
    if (ofd_run != e->t0_ns) {
        ofd_run = e->t0_ns;
        nofds = 0;
        ofd_next = 0;
    }
    for (int i = 0; i < nofds; i++) {
        if (ofds[i].ino != ino)
            continue;
        if (ofds[i].pid == pid && ofds[i].fd == fd)
            return ofds[i].id;
        long same = syscall(SYS_kcmp, pid, ofds[i].pid, KCMP_FILE, fd, ofds[i].fd);
        if (same == 0)
            return ofds[i].id;
        if (same < 0 && errno != EBADF && errno != ESRCH)
            return 0; /* kcmp refused (ENOSYS, EPERM): say we cannot tell */
    }
    if (nofds >= (int)(sizeof ofds / sizeof ofds[0]))
        nofds = 0; /* start over: ids stay unique, colours may move */
    ofds[nofds] = (struct ofd_rep){pid, fd, ino, ++ofd_next};
    return ofds[nofds++].id;
}

static void read_fdtable(struct engine *e, struct child *c)
{
    if (c->fddirfd < 0)
        c->fddirfd = procfs_open(e->procfd, c->pid, "fd");
    if (c->fdinfofd < 0)
        c->fdinfofd = procfs_open(e->procfd, c->pid, "fdinfo");
    int fds[128];
    int n = procfs_list_fds(c->fddirfd, fds, 128);
    if (n < 0)
        return;
    struct record r;
    record_init(&r, REC_SAMPLE_FDS, engine_now(e));
    struct model_fdtable *nt = &r.u.fds;
    nt->pid = c->pid;
    for (int i = 0; i < n; i++) {
        if (fds[i] <= 3)
            continue; /* /dev/null x3 and ipcplay's event pipe */
        if (nt->nfds >= MODEL_MAX_FDS) {
            nt->more++;
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
        struct model_fd *f = &nt->fds[nt->nfds++];
        f->fd = fds[i];
        procfs_fd_target_short(target, e->m->rundir, f->target, sizeof f->target);
        f->ino = fi.ino;
        f->pos = fi.pos;
        f->flags = fi.flags;
        f->scm_fds = fi.scm_fds;
        f->ofd = fi.ino ? ofd_id(e, c->pid, f->fd, fi.ino) : 0;
    }
    engine_emit(e, &r);
    c->fds_dirty = false;
}

/* The base name of the file an openat asks for (a FIFO without a partner). */
static void read_open_path(struct child *c, const struct model_kernel *k, struct sample_proc *s)
{
    if (k->nr != SYS_openat)
        return;
    char path[128] = "";
    struct iovec local = {path, sizeof path - 1};
    struct iovec remote = {(void *)k->args[1], sizeof path - 1};
    if (process_vm_readv(c->pid, &local, 1, &remote, 1, 0) <= 0)
        return;
    path[sizeof path - 1] = '\0';
    const char *base = strrchr(path, '/');
    snprintf(s->path, sizeof s->path, "%.40s", base ? base + 1 : path);
    s->flags |= SP_PATH;
}

bool sampler_fds_child(struct engine *e, struct child *c, const char *stat, struct sample_proc *s)
{
    const struct model *m = e->m;
    if (c->model_idx < 0)
        return false;
    const struct model_proc *p = &m->procs[c->model_idx];
    if (!stat) {
        /* Gone without an event telling us (its parent reaped it and was
         * killed before saying so): stop counting it. */
        if (c->forked && !family_exists(c))
            family_gone(e, c);
        return false;
    }
    if (!e->plan.observe)
        return false;
    bool exec_look = c->execd && !(c->seen & SEEN_EXEC);
    if (c->started && s->state != 'Z' && (c->fds_dirty || m->samples % 10 == 0 || exec_look))
        read_fdtable(e, c);
    if (s->state == 'Z')
        s->zombie_status = procfs_stat_exit_code(stat, strlen(stat));
    else if (s->kernel.nr >= 0)
        read_open_path(c, &s->kernel, s);
    if (!p->exe[0] || exec_look) {
        read_exe(e, c->pid, s->exe, sizeof s->exe);
        s->flags |= SP_EXE;
    }
    if (exec_look) {
        snprintf(s->exe_before, sizeof s->exe_before, "%s", self_exe(e));
        s->flags |= SP_EXEC_LOOK;
    }
    return true;
}

void sampler_fds_seen(struct engine *e, struct child *c)
{
    const struct model_proc *p = &e->m->procs[c->model_idx];
    snprintf(c->comm, sizeof c->comm, "%s", p->comm);
    c->seen |= p->seen;
    board_mark(board_get(), c->pid, c->role, c->instance, p->seen);
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
