/* inspect.c — the text behind the `inspect` command's detail view, from the
 * model only: for a process, its state and kernel view, and (from the detail
 * samples taken while a view watches it) its /proc status, fd table and
 * System V attachments; for an IPC object, the whole struct semid_ds /
 * shmid_ds / msqid_ds as the last sample's IPC_STAT returned it, the
 * per-semaphore values, a queue's messages, a segment's bytes and who has it
 * mapped. When the run has ended, the text says what the last sample said.
 * No I/O: times are shown against the wall clock of the latest sample. */
#include "inspect.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "signames.h"
#include "i18n.h"

static bool run_live(const struct model *m)
{
    return m->state == RUN_RUNNING || m->state == RUN_PAUSED || m->state == RUN_STEP;
}

static const char *state_word(char st)
{
    switch (st) {
    case 'R': return _("running");
    case 'S': return _("sleeping (interruptible)");
    case 'D': return _("uninterruptible sleep");
    case 'Z': return _("zombie: exited, not yet reaped");
    case 'T': return _("stopped");
    case 't': return _("stopped by a tracer");
    case 'x': return _("gone (reaped)");
    default: return _("unknown");
    }
}

static const char *proc_name(const struct model *m, pid_t pid)
{
    int i = model_find_proc(m, pid);
    return i >= 0 ? m->procs[i].name : NULL;
}

static void put_time(struct strbuf *t, const struct model *m, const char *key, long long v)
{
    if (v == 0) {
        strbuf_add(t, _("  %-16s 0 (never)\n"), key);
        return;
    }
    time_t tt = (time_t)v;
    struct tm tm;
    char hms[16] = "?";
    if (localtime_r(&tt, &tm))
        strftime(hms, sizeof hms, "%H:%M:%S", &tm);
    long long ago;
    if (__builtin_sub_overflow((long long)m->wall_s, v, &ago))
        ago = 0; /* a time no kernel keeps: from a damaged recording */
    strbuf_add(t, _("  %-16s %lld  (%s, %llds ago)\n"), key, v, hms, ago);
}

static void put_pid(struct strbuf *t, const struct model *m, const char *key, pid_t pid)
{
    const char *n = proc_name(m, pid);
    strbuf_add(t, "  %-16s %d%s%s%s\n", key, (int)pid, n ? " (" : "", n ? n : "", n ? ")" : "");
}

static void put_fds(struct strbuf *t, const struct model_proc *p, const struct model_proc_detail *d)
{
    if (d->fds_err) {
        strbuf_add(t, _("  (cannot list /proc/%d/fd: %s)\n"), (int)p->pid, strerror(d->fds_err));
        return;
    }
    for (int i = 0; i < d->nfds && i < MODEL_DETAIL_FDS; i++) {
        const struct model_detail_fd *f = &d->fds[i];
        if (f->err) {
            strbuf_add(t, "  %3d  (%s)\n", f->fd, strerror(f->err));
            continue;
        }
        const char *note = "";
        if (f->event_pipe)
            note = p->role < 0 ? "  the event pipe: events arrive here"
                               : "  the event pipe to ipcplay (op runner events)";
        else if (strcmp(f->target, "/dev/null") == 0 && f->fd <= 2)
            note = "  children never touch the terminal";
        else if (strstr(f->target, "signalfd"))
            note = "  SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGWINCH arrive here";
        else if (strstr(f->target, "timerfd"))
            note = "  the sample timer";
        strbuf_add(t, "  %3d -> %s%s\n", f->fd, f->target, note);
    }
    if (d->fds_more > 0)
        strbuf_add(t, _("  ... (%d more)\n"), d->fds_more);
}

static void put_detail(struct strbuf *t, const struct model_proc *p,
                       const struct model_proc_detail *d)
{
    if (d->wchan[0])
        strbuf_add(t, _("  wchan (kernel function it sleeps in): %s\n"), d->wchan);
    if (p->role >= 0 && d->syscall[0])
        strbuf_add(t, "  /proc/%d/syscall: %s\n", (int)p->pid, d->syscall);
    strbuf_add(t, "\n/proc/%d/status\n", (int)p->pid);
    if (d->status_err) {
        strbuf_add(t, _("  (cannot read: %s)\n"), strerror(d->status_err));
    } else {
        for (const char *line = d->status; *line;) {
            size_t n = strcspn(line, "\n");
            size_t k = strcspn(line, "\t");
            if (k > n)
                k = n;
            strbuf_add(t, "  %-28.*s %.*s\n", (int)k, line, (int)(k < n ? n - k - 1 : 0),
                       k < n ? line + k + 1 : "");
            line += n + (line[n] == '\n');
        }
    }
    strbuf_add(t, _("\nfile descriptors (/proc/%d/fd)\n"), (int)p->pid);
    put_fds(t, p, d);
    strbuf_add(t, _("\nSystem V shared memory attached (/proc/%d/maps)\n"), (int)p->pid);
    if (d->maps_err) {
        strbuf_add(t, _("  (cannot read /proc/%d/maps: %s)\n"), (int)p->pid, strerror(d->maps_err));
        return;
    }
    for (int i = 0; i < d->nattach && i < MODEL_DETAIL_ATTACH; i++) {
        const struct model_detail_attach *a = &d->attach[i];
        strbuf_add(t, _("  shmid %llu at 0x%llx, %llu bytes, %s%s\n"), (unsigned long long)a->shmid,
                   (unsigned long long)a->addr, (unsigned long long)a->size, a->perms,
                   a->perms[1] == 'w' ? "" : " (read-only)");
    }
    if (!d->nattach)
        strbuf_add(t, _("  (none)\n"));
}

static void inspect_proc(const struct model *m, const struct model_proc *p, struct strbuf *t)
{
    strbuf_add(t, _("%s  pid %d  ppid %d  role %s\n"), p->name, (int)p->pid, (int)p->ppid,
               model_role_name(m, p->role));
    if (p->exited) {
        char how[48];
        wait_status_text(p->wait_status, STATUS_STORY, how, sizeof how);
        strbuf_add(t, _("  %s; ipcplay reaped it with waitpid, so /proc/%d is gone\n"), how,
                   (int)p->pid);
        strbuf_add(t, _("  ops done: %llu\n"), (unsigned long long)p->ops_done);
        return;
    }
    bool live = run_live(m) || p->role < 0;
    strbuf_add(t, _("  state %c: %s\n"), p->state, state_word(p->state));
    if (p->role >= 0) {
        strbuf_add(t, _("  op runner: %s  (%llu ops done)\n"),
                   model_proc_doing(p)[0] ? model_proc_doing(p) : "-",
                   (unsigned long long)p->ops_done);
        strbuf_add(t, _("  kernel says: %s\n"), p->kernel.text[0] ? p->kernel.text : "-");
    }
    if (!live) {
        strbuf_add(t, _("  (the run has ended: nothing more to read)\n"));
        return;
    }
    if (m->detail.pid != p->pid) {
        strbuf_add(t, _("  (no closer look at it was taken)\n"));
        return;
    }
    put_detail(t, p, &m->detail);
}

static void put_perm(struct strbuf *t, const struct model_ipc_perm *pp)
{
    strbuf_add(t, "  %-16s 0x%08x%s\n", "perm.__key", (unsigned)pp->key,
               pp->key == 0 ? " (IPC_PRIVATE)" : "");
    strbuf_add(t, "  %-16s %u / %u\n", "perm.uid / gid", (unsigned)pp->uid, (unsigned)pp->gid);
    strbuf_add(t, "  %-16s %u / %u\n", "perm.cuid / cgid", (unsigned)pp->cuid, (unsigned)pp->cgid);
    strbuf_add(t, "  %-16s %04o\n", "perm.mode", (unsigned)pp->mode & 0777);
    strbuf_add(t, "  %-16s %u\n", "perm.__seq", (unsigned)pp->seq);
}

/* Processes the kernel has asleep on an object (semid or msqid). */
static void put_sleepers(struct strbuf *t, const struct model *m, int id, bool msq)
{
    int n = 0;
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        bool on = msq ? p->kernel.msgcall != 0 && p->kernel.msqid == id
                      : p->kernel.semid == id && p->kernel.nsops > 0;
        if (p->exited || !on)
            continue;
        strbuf_add(t, "  %-12s pid %-7d %s\n", p->name, (int)p->pid, p->kernel.text);
        n++;
    }
    if (!n)
        strbuf_add(t, _("  (none)\n"));
}

static void inspect_semset(const struct model *m, const struct model_semset *ms, struct strbuf *t)
{
    strbuf_add(t, _("semaphore set  semid %d\n"), ms->semid);
    bool got = run_live(m) && ms->stat_ok;
    if (got) {
        strbuf_add(t, _("\nstruct semid_ds (semctl IPC_STAT)\n"));
        put_perm(t, &ms->perm);
        put_time(t, m, "sem_otime", ms->otime);
        put_time(t, m, "sem_ctime", ms->ctime);
        strbuf_add(t, "  %-16s %lu\n", "sem_nsems", (unsigned long)ms->nsems);
    } else {
        strbuf_add(t, _("  the set was removed when the run ended; the last sample said:\n"));
        strbuf_add(t, "  mode %04o  nsems %d\n", ms->mode, ms->nsems);
    }
    strbuf_add(t, _("\nper semaphore (GETVAL, GETNCNT, GETZCNT, GETPID)\n"));
    strbuf_add(t, "  %-4s %-7s %-8s %-8s %-20s %s\n", "#", "semval", "semncnt", "semzcnt", "sempid",
               "held by");
    for (int k = 0; k < ms->nsems && k < MODEL_MAX_SEMS; k++) {
        char lp[48];
        const char *ln = proc_name(m, ms->lastpid[k]);
        snprintf(lp, sizeof lp, "%d%s%s%s", (int)ms->lastpid[k], ln ? " (" : "", ln ? ln : "",
                 ln ? ")" : "");
        const char *hn = ms->holder[k] ? proc_name(m, ms->holder[k]) : NULL;
        strbuf_add(t, "  %-4d %-7d %-8d %-8d %-20s %s\n", k, ms->val[k], ms->ncnt[k], ms->zcnt[k],
                   lp, hn ? hn : "-");
    }
    strbuf_add(t, _("\nprocesses the kernel has asleep on this set\n"));
    put_sleepers(t, m, ms->semid, false);
}

static void put_bytes(struct strbuf *t, const struct model_shmseg *ms, bool got)
{
    const unsigned char *b = ms->peek;
    size_t n = ms->peek_len < 64 ? ms->peek_len : 64;
    strbuf_add(t, _("\ncontents, first %zu bytes%s\n"), n, got ? "" : " (last sample)");
    for (size_t off = 0; off < n; off += 16) {
        strbuf_add(t, "  %04zx ", off);
        for (size_t k = 0; k < 16; k++) {
            if (off + k < n)
                strbuf_add(t, " %02x", b[off + k]);
            else
                strbuf_add(t, "   ");
            if (k == 7)
                strbuf_add(t, " ");
        }
        strbuf_add(t, "  ");
        for (size_t k = 0; k < 16 && off + k < n; k++)
            strbuf_add(t, "%c", b[off + k] >= 32 && b[off + k] < 127 ? b[off + k] : '.');
        strbuf_add(t, "\n");
    }
    if (ms->stats)
        strbuf_add(t,
                   _("  (struct cs_stats: occupancy, max_occupancy, entries, counter, lockvar)\n"));
}

static void put_shmid_ds(struct strbuf *t, const struct model *m, const struct model_shmseg *ms)
{
    strbuf_add(t, _("\nstruct shmid_ds (shmctl IPC_STAT)\n"));
    put_perm(t, &ms->perm);
    strbuf_add(t, "  %-16s %zu\n", "shm_segsz", ms->segsz);
    put_time(t, m, "shm_atime", ms->atime);
    put_time(t, m, "shm_dtime", ms->dtime);
    put_time(t, m, "shm_ctime", ms->ctime);
    put_pid(t, m, "shm_cpid", ms->cpid);
    put_pid(t, m, "shm_lpid", ms->lpid);
    strbuf_add(t, _("  %-16s %lu  (the program's own: ipcplay reads through a worker's memory)\n"),
               "shm_nattch", (unsigned long)ms->nattch);
    if (ms->mode & MODEL_SHM_DEST)
        strbuf_add(t,
                   "  %-16s dest  (SHM_DEST: removed with IPC_RMID, key now 0; the kernel "
                   "destroys it at the last detach)\n",
                   "status");
    if (ms->mode & MODEL_SHM_LOCKED)
        strbuf_add(t, "  %-16s locked  (SHM_LOCKED: its pages are not swapped out)\n", "status");
}

/* POSIX and anonymous memory have no shmid: name what they are. */
static void shmseg_title(const struct model_shmseg *ms, char *title, size_t titlelen)
{
    if (ms->kind == SHM_POSIX)
        snprintf(title, titlelen, _("inspect POSIX shared memory %s"), ms->name);
    else if (ms->kind == SHM_ANON)
        snprintf(title, titlelen, _("inspect anonymous shared memory (mmap MAP_SHARED)"));
    else
        snprintf(title, titlelen, _("inspect shared memory segment %d"), ms->shmid);
}

static void inspect_shmseg(const struct model *m, const struct model_shmseg *ms, struct strbuf *t)
{
    bool live = run_live(m);
    if (ms->kind == SHM_POSIX)
        strbuf_add(t, _("POSIX shared memory  %s  (shm_open + mmap; a file in /dev/shm)\n"),
                   ms->name);
    else if (ms->kind == SHM_ANON)
        strbuf_add(
            t, _("anonymous shared memory  (mmap MAP_SHARED|MAP_ANONYMOUS before fork: no name, "
                 "no id; children share it by inheritance)\n"));
    else
        strbuf_add(t, _("shared memory segment  shmid %d\n"), ms->shmid);
    bool got = live && ms->kind == SHM_SYSV && ms->stat_ok;
    if (ms->kind == SHM_POSIX && live && ms->stat_ok) {
        strbuf_add(t, _("\nfstat of the shm_open fd\n"));
        strbuf_add(t, "  %-16s %lld\n", "st_size", (long long)ms->segsz);
        strbuf_add(t, "  %-16s %04o\n", "st_mode", (unsigned)ms->perm.mode & 0777);
        strbuf_add(t, "  %-16s %u / %u\n", "st_uid / st_gid", (unsigned)ms->perm.uid,
                   (unsigned)ms->perm.gid);
        strbuf_add(t, "  %-16s %lu\n", "st_ino", ms->ino);
    }
    if (got) {
        put_shmid_ds(t, m, ms);
    } else if (ms->kind == SHM_SYSV || !live) {
        strbuf_add(t, _("  %s; the last sample said:\n"),
                   live ? "IPC_STAT failed" : "it was removed when the run ended");
        strbuf_add(t, "  segsz %zu  nattch %ld  cpid %d  lpid %d\n", ms->segsz, ms->nattch,
                   (int)ms->cpid, (int)ms->lpid);
    }
    put_bytes(t, ms, got);
    strbuf_add(t, _("\nour processes that have it mapped\n"));
    int found = 0;
    for (int i = 0; live && ms->mappers_known && i < ms->nmappers; i++) {
        const char *n = proc_name(m, ms->mappers[i]);
        strbuf_add(t, _("  %s (pid %d)\n"), n ? n : "?", (int)ms->mappers[i]);
        found++;
    }
    if (live && ms->kind == SHM_POSIX && m->nprocs > 0 && m->procs[0].role < 0) {
        strbuf_add(t, _("  ipcplay (pid %d), read-only, to draw this view\n"),
                   (int)m->procs[0].pid);
        found++;
    }
    if (!found)
        strbuf_add(t, _("  (none)\n"));
}

static void inspect_msgq(const struct model *m, const struct model_msgq *q, struct strbuf *t)
{
    strbuf_add(t, _("message queue  msqid %d\n"), q->msqid);
    if (run_live(m) && !q->removed && q->stat_ok) {
        strbuf_add(t, _("\nstruct msqid_ds (msgctl IPC_STAT)\n"));
        put_perm(t, &q->perm);
        put_time(t, m, "msg_stime", q->stime);
        put_time(t, m, "msg_rtime", q->rtime);
        put_time(t, m, "msg_ctime", q->ctime);
        strbuf_add(t, "  %-16s %lu\n", "__msg_cbytes", (unsigned long)q->cbytes);
        strbuf_add(t, "  %-16s %lu\n", "msg_qnum", (unsigned long)q->qnum);
        strbuf_add(t, "  %-16s %lu\n", "msg_qbytes", (unsigned long)q->qbytes);
        put_pid(t, m, "msg_lspid", q->lspid);
        put_pid(t, m, "msg_lrpid", q->lrpid);
    } else {
        strbuf_add(t, _("  %s; the last sample said:\n"),
                   q->removed ? "it was removed with IPC_RMID"
                              : "it was removed when the run ended");
        strbuf_add(t, "  qnum %ld  cbytes %ld  qbytes %ld  lspid %d  lrpid %d\n", q->qnum,
                   q->cbytes, q->qbytes, (int)q->lspid, (int)q->lrpid);
    }
    strbuf_add(t, _("\nmessages in it, oldest first (copied with MSG_COPY, not taken)\n"));
    if (q->peek_state == PEEK_NO_MSG_COPY)
        strbuf_add(t, _("  (this kernel lacks MSG_COPY)\n"));
    else if (q->peek_state == PEEK_REFUSED)
        strbuf_add(t, _("  (MSG_COPY not permitted)\n"));
    else if (q->npeek == 0)
        strbuf_add(t, _("  (none)\n"));
    for (int i = 0; i < q->npeek && i < MODEL_MSG_PEEK; i++) {
        const struct model_msg_peek *p = &q->peek[i];
        char who[48] = "?";
        if (p->role >= 0)
            model_instance_name(m, p->role, p->instance, who, sizeof who);
        strbuf_add(t, "  %2d. type %-3ld %5d bytes   from %-12s #%d\n", i + 1, p->type, p->len, who,
                   p->seq);
    }
    if (q->qnum > q->npeek)
        strbuf_add(t, _("  ... %ld more\n"), q->qnum - q->npeek);
    strbuf_add(t, _("\nprocesses the kernel has asleep on it\n"));
    put_sleepers(t, m, q->msqid, true);
}

/* The objects `what` names, in the order they are shown: bit i of *sem,
 * *shm, *msq for model index i. Returns how many. */
static int objects_named(const struct model *m, const char *what, unsigned *sem, unsigned *shm,
                         unsigned *msq)
{
    char *end;
    long num = strtol(what, &end, 10);
    bool isnum = *what && *end == '\0';
    int n = 0;
    *sem = *shm = *msq = 0;
    for (int i = 0; i < m->nsemsets; i++)
        if ((isnum && m->semsets[i].semid == num) || (strcmp(what, "sem") == 0 && i == 0))
            *sem |= 1u << i, n++;
    for (int i = 0; i < m->nshmsegs; i++)
        if ((isnum && m->shmsegs[i].kind == SHM_SYSV && m->shmsegs[i].shmid == num) ||
            (strcmp(what, "shm") == 0 && i == 0))
            *shm |= 1u << i, n++;
    for (int i = 0; i < m->nmsgqs; i++)
        if ((isnum && m->msgqs[i].msqid == num) ||
            ((strcmp(what, "msq") == 0 || strcmp(what, "msgq") == 0) && i == 0))
            *msq |= 1u << i, n++;
    return n;
}

static const struct model_proc *proc_named(const struct model *m, const char *what)
{
    char *end;
    long num = strtol(what, &end, 10);
    bool isnum = *what && *end == '\0';
    for (int i = 0; i < m->nprocs; i++)
        if (strcmp(m->procs[i].name, what) == 0 || (isnum && m->procs[i].pid == num))
            return &m->procs[i];
    return NULL;
}

int model_inspect_target(const struct model *m, const char *what, pid_t *pid, unsigned *shm)
{
    unsigned sem, msq;
    *pid = 0;
    *shm = 0;
    const struct model_proc *p = proc_named(m, what);
    if (p) {
        *pid = p->pid;
        return 1;
    }
    return objects_named(m, what, &sem, shm, &msq) > 0 ? 2 : 0;
}

int model_inspect(const struct model *m, const char *what, char *title, size_t titlelen, char *out,
                  size_t outlen, char *err, size_t errlen)
{
    struct strbuf t = {out, outlen, 0};
    if (outlen)
        out[0] = '\0';
    const struct model_proc *p = proc_named(m, what);
    if (p) {
        snprintf(title, titlelen, _("inspect %s (pid %d)"), p->name, (int)p->pid);
        inspect_proc(m, p, &t);
        return 0;
    }
    unsigned sem, shm, msq;
    int found = 0;
    objects_named(m, what, &sem, &shm, &msq);
    for (int i = 0; i < m->nsemsets; i++) {
        if (!(sem & (1u << i)))
            continue;
        if (found++)
            strbuf_add(&t, "\n");
        inspect_semset(m, &m->semsets[i], &t);
        snprintf(title, titlelen, _("inspect semaphore set %d"), m->semsets[i].semid);
    }
    for (int i = 0; i < m->nshmsegs; i++) {
        if (!(shm & (1u << i)))
            continue;
        if (found)
            strbuf_add(&t, "\n");
        inspect_shmseg(m, &m->shmsegs[i], &t);
        if (found)
            snprintf(title, titlelen, _("inspect id %d (a semaphore set and a segment)"),
                     m->shmsegs[i].shmid);
        else
            shmseg_title(&m->shmsegs[i], title, titlelen);
        found++;
    }
    for (int i = 0; i < m->nmsgqs; i++) {
        if (!(msq & (1u << i)))
            continue;
        if (found)
            strbuf_add(&t, "\n");
        inspect_msgq(m, &m->msgqs[i], &t);
        if (!found)
            snprintf(title, titlelen, _("inspect message queue %d"), m->msgqs[i].msqid);
        found++;
    }
    if (found)
        return 0;
    snprintf(err, errlen,
             _("nothing called '%s' in this session (give a role like worker-2, a pid, a semid, "
               "shmid or msqid, or sem / shm / msq)"),
             what);
    return -1;
}
