/* inspect.c — the text behind the `inspect` command's detail view: for a
 * process of the run, its /proc status, what the kernel says it is blocked
 * in, its fd table and its shared-memory mappings; for an IPC object, the
 * whole struct semid_ds / shmid_ds / msqid_ds, the per-semaphore values, a
 * queue's messages, a segment's bytes. Reading /proc and
 * calling IPC_STAT live here (the engine), never in a view. When the run has
 * ended, the model's last view is all there is, and the text says so. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine_internal.h"
#include "procfs.h"
#include "../model/signames.h"

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

struct text {
    char *buf;
    size_t len, off;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
    if (t->len == 0 || t->off >= t->len - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->off, t->len - t->off, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    t->off += (size_t)n;
    if (t->off >= t->len)
        t->off = t->len - 1;
}

/* Read a whole /proc file (small ones: status, maps of a small child). */
static ssize_t inspect_read(int procfd, pid_t pid, const char *name, char *buf, size_t len)
{
    int fd = procfs_open(procfd, pid, name);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off + 1 < len) {
        ssize_t n = read(fd, buf + off, len - 1 - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    close(fd);
    buf[off] = '\0';
    return (ssize_t)off;
}

static const char *inspect_state_word(char st)
{
    switch (st) {
    case 'R': return "running";
    case 'S': return "sleeping (interruptible)";
    case 'D': return "uninterruptible sleep";
    case 'Z': return "zombie: exited, not yet reaped";
    case 'T': return "stopped";
    case 't': return "stopped by a tracer";
    case 'x': return "gone (reaped)";
    default: return "unknown";
    }
}

static const char *inspect_proc_name(const struct model *m, pid_t pid)
{
    int i = model_find_proc(m, pid);
    return i >= 0 ? m->procs[i].name : NULL;
}

static void inspect_time(long long t, char *buf, size_t len)
{
    if (t == 0) {
        snprintf(buf, len, "0 (never)");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    long long ago = (long long)time(NULL) - t;
    char hms[16];
    strftime(hms, sizeof hms, "%H:%M:%S", &tm);
    snprintf(buf, len, "%lld  (%s, %llds ago)", t, hms, ago);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void inspect_fds(struct engine *e, pid_t pid, struct text *t)
{
    char path[32];
    snprintf(path, sizeof path, "%d/fd", (int)pid);
    int dfd = openat(e->procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        put(t, "  (cannot list /proc/%d/fd: %s)\n", (int)pid, strerror(errno));
        return;
    }
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return;
    }
    int fds[256];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 256) {
        char *end;
        long v = strtol(de->d_name, &end, 10);
        if (*end == '\0' && end != de->d_name)
            fds[n++] = (int)v;
    }
    qsort(fds, (size_t)n, sizeof fds[0], cmp_int);
    struct stat evst;
    ino_t evino = 0;
    if (e->ev.rfd >= 0 && fstat(e->ev.rfd, &evst) == 0)
        evino = evst.st_ino;
    for (int i = 0; i < n; i++) {
        char name[16], target[256];
        snprintf(name, sizeof name, "%d", fds[i]);
        ssize_t len = readlinkat(dirfd(d), name, target, sizeof target - 1);
        if (len < 0) {
            put(t, "  %3d  (%s)\n", fds[i], strerror(errno));
            continue;
        }
        target[len] = '\0';
        const char *note = "";
        char pipe[48];
        snprintf(pipe, sizeof pipe, "pipe:[%lu]", (unsigned long)evino);
        if (evino && strcmp(target, pipe) == 0)
            note = pid == e->self ? "  the event pipe: events arrive here"
                                  : "  the event pipe to ipcplay (op runner events)";
        else if (strcmp(target, "/dev/null") == 0 && fds[i] <= 2)
            note = "  children never touch the terminal";
        else if (strstr(target, "signalfd"))
            note = "  SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGWINCH arrive here";
        else if (strstr(target, "timerfd"))
            note = "  the sample timer";
        put(t, "  %3d -> %s%s\n", fds[i], target, note);
    }
    if (n == 256)
        put(t, "  ... (more)\n");
    closedir(d);
}

static void inspect_attachments(struct engine *e, pid_t pid, struct text *t)
{
    static char maps[65536];
    if (inspect_read(e->procfd, pid, "maps", maps, sizeof maps) < 0) {
        put(t, "  (cannot read /proc/%d/maps: %s)\n", (int)pid, strerror(errno));
        return;
    }
    int found = 0;
    for (char *line = maps, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl)
            nl = line + strlen(line);
        char saved = *nl;
        *nl = '\0';
        if (strstr(line, "SYSV")) {
            unsigned long lo, hi, ino;
            char perms[8];
            if (sscanf(line, "%lx-%lx %7s %*s %*s %lu", &lo, &hi, perms, &ino) == 4) {
                put(t, "  shmid %lu at 0x%lx, %lu bytes, %s%s\n", ino, lo, hi - lo, perms,
                    perms[1] == 'w' ? "" : " (read-only)");
                found++;
            }
        }
        *nl = saved;
        if (!saved)
            break;
    }
    if (!found)
        put(t, "  (none)\n");
}

static void inspect_proc(struct engine *e, const struct model_proc *p, struct text *t)
{
    const struct model *m = e->m;
    put(t, "%s  pid %d  ppid %d  role %s\n", p->name, (int)p->pid, (int)p->ppid,
        model_role_name(m, p->role));
    if (p->exited) {
        int st = p->wait_status;
        if (WIFEXITED(st))
            put(t, "  exited with status %d; ipcplay reaped it with waitpid, so /proc/%d is gone\n",
                WEXITSTATUS(st), (int)p->pid);
        else if (WIFSIGNALED(st))
            put(t, "  killed by %s; ipcplay reaped it with waitpid, so /proc/%d is gone\n",
                signame(WTERMSIG(st)).s, (int)p->pid);
        put(t, "  ops done: %llu\n", (unsigned long long)p->ops_done);
        return;
    }
    bool live = e->active || p->pid == e->self;
    put(t, "  state %c: %s\n", p->state, inspect_state_word(p->state));
    if (p->role >= 0) {
        put(t, "  op runner: %s  (%llu ops done)\n", p->doing[0] ? p->doing : "-",
            (unsigned long long)p->ops_done);
        put(t, "  kernel says: %s\n", p->kernel.text[0] ? p->kernel.text : "-");
    }
    if (!live) {
        put(t, "  (the run has ended: nothing more to read)\n");
        return;
    }
    char buf[4096];
    if (inspect_read(e->procfd, p->pid, "wchan", buf, sizeof buf) > 0 && strcmp(buf, "0") != 0)
        put(t, "  wchan (kernel function it sleeps in): %s\n", buf);
    if (p->role >= 0 && inspect_read(e->procfd, p->pid, "syscall", buf, sizeof buf) > 0) {
        buf[strcspn(buf, "\n")] = '\0';
        put(t, "  /proc/%d/syscall: %s\n", (int)p->pid, buf);
    }
    put(t, "\n/proc/%d/status\n", (int)p->pid);
    if (inspect_read(e->procfd, p->pid, "status", buf, sizeof buf) < 0) {
        put(t, "  (cannot read: %s)\n", strerror(errno));
    } else {
        static const char *const keys[] = {"Name:",
                                           "State:",
                                           "Tgid:",
                                           "Pid:",
                                           "PPid:",
                                           "Uid:",
                                           "Gid:",
                                           "VmSize:",
                                           "VmRSS:",
                                           "Threads:",
                                           "SigQ:",
                                           "SigPnd:",
                                           "ShdPnd:",
                                           "SigBlk:",
                                           "SigIgn:",
                                           "SigCgt:",
                                           "voluntary_ctxt_switches:",
                                           "nonvoluntary_ctxt_switches:",
                                           NULL};
        for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
            nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            for (int k = 0; keys[k]; k++)
                if (strncmp(line, keys[k], strlen(keys[k])) == 0) {
                    char *v = line + strlen(keys[k]);
                    v += strspn(v, " \t");
                    for (char *c = v; *c; c++)
                        if (*c == '\t')
                            *c = ' ';
                    put(t, "  %-28s %s\n", keys[k], v);
                }
        }
    }
    put(t, "\nfile descriptors (/proc/%d/fd)\n", (int)p->pid);
    inspect_fds(e, p->pid, t);
    put(t, "\nSystem V shared memory attached (/proc/%d/maps)\n", (int)p->pid);
    inspect_attachments(e, p->pid, t);
}

static void inspect_perm(struct text *t, const struct ipc_perm *pp)
{
    put(t, "  %-16s 0x%08x%s\n", "perm.__key", (unsigned)pp->__key,
        pp->__key == IPC_PRIVATE ? " (IPC_PRIVATE)" : "");
    put(t, "  %-16s %u / %u\n", "perm.uid / gid", (unsigned)pp->uid, (unsigned)pp->gid);
    put(t, "  %-16s %u / %u\n", "perm.cuid / cgid", (unsigned)pp->cuid, (unsigned)pp->cgid);
    put(t, "  %-16s %04o\n", "perm.mode", (unsigned)pp->mode & 0777);
    put(t, "  %-16s %u\n", "perm.__seq", (unsigned)pp->__seq);
}

static void inspect_semset(struct engine *e, const struct model_semset *ms, bool live,
                           struct text *t)
{
    const struct model *m = e->m;
    put(t, "semaphore set  semid %d\n", ms->semid);
    struct semid_ds ds;
    union semun arg = {.buf = &ds};
    bool got = live && semctl(ms->semid, 0, IPC_STAT, arg) == 0;
    char tbuf[64];
    if (got) {
        put(t, "\nstruct semid_ds (semctl IPC_STAT)\n");
        inspect_perm(t, &ds.sem_perm);
        inspect_time((long long)ds.sem_otime, tbuf, sizeof tbuf);
        put(t, "  %-16s %s\n", "sem_otime", tbuf);
        inspect_time((long long)ds.sem_ctime, tbuf, sizeof tbuf);
        put(t, "  %-16s %s\n", "sem_ctime", tbuf);
        put(t, "  %-16s %lu\n", "sem_nsems", (unsigned long)ds.sem_nsems);
    } else {
        put(t, "  the set was removed when the run ended; the last sample said:\n");
        put(t, "  mode %04o  nsems %d\n", ms->mode, ms->nsems);
    }
    put(t, "\nper semaphore (GETVAL, GETNCNT, GETZCNT, GETPID)\n");
    put(t, "  %-4s %-7s %-8s %-8s %-20s %s\n", "#", "semval", "semncnt", "semzcnt", "sempid",
        "held by");
    for (int k = 0; k < ms->nsems && k < MODEL_MAX_SEMS; k++) {
        int val = ms->val[k], ncnt = ms->ncnt[k], zcnt = ms->zcnt[k];
        pid_t last = ms->lastpid[k];
        if (got) {
            val = semctl(ms->semid, k, GETVAL);
            ncnt = semctl(ms->semid, k, GETNCNT);
            zcnt = semctl(ms->semid, k, GETZCNT);
            last = semctl(ms->semid, k, GETPID);
        }
        char lp[48];
        const char *ln = inspect_proc_name(m, last);
        snprintf(lp, sizeof lp, "%d%s%s%s", (int)last, ln ? " (" : "", ln ? ln : "", ln ? ")" : "");
        const char *hn = ms->holder[k] ? inspect_proc_name(m, ms->holder[k]) : NULL;
        put(t, "  %-4d %-7d %-8d %-8d %-20s %s\n", k, val, ncnt, zcnt, lp, hn ? hn : "-");
    }
    put(t, "\nprocesses the kernel has asleep on this set\n");
    int n = 0;
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        if (p->exited || p->kernel.semid != ms->semid || p->kernel.nsops <= 0)
            continue;
        put(t, "  %-12s pid %-7d %s\n", p->name, (int)p->pid, p->kernel.text);
        n++;
    }
    if (!n)
        put(t, "  (none)\n");
}

static void inspect_shmseg(struct engine *e, int idx, bool live, struct text *t)
{
    const struct model *m = e->m;
    const struct model_shmseg *ms = &m->shmsegs[idx];
    if (ms->kind == 1)
        put(t, "POSIX shared memory  %s  (shm_open + mmap; a file in /dev/shm)\n", ms->name);
    else if (ms->kind == 2)
        put(t, "anonymous shared memory  (mmap MAP_SHARED|MAP_ANONYMOUS before fork: no name, "
               "no id; children share it by inheritance)\n");
    else
        put(t, "shared memory segment  shmid %d\n", ms->shmid);
    struct shmid_ds ds;
    bool got = live && ms->kind == 0 && shmctl(ms->shmid, IPC_STAT, &ds) == 0;
    if (ms->kind == 1 && live && idx < PLAN_MAX_SHMSEGS && e->ipc.shm_fd[idx] >= 0) {
        struct stat st;
        if (fstat(e->ipc.shm_fd[idx], &st) == 0) {
            put(t, "\nfstat of the shm_open fd\n");
            put(t, "  %-16s %lld\n", "st_size", (long long)st.st_size);
            put(t, "  %-16s %04o\n", "st_mode", (unsigned)st.st_mode & 0777);
            put(t, "  %-16s %u / %u\n", "st_uid / st_gid", (unsigned)st.st_uid,
                (unsigned)st.st_gid);
            put(t, "  %-16s %lu\n", "st_ino", (unsigned long)st.st_ino);
        }
    }
    char tbuf[64];
    if (got) {
        put(t, "\nstruct shmid_ds (shmctl IPC_STAT)\n");
        inspect_perm(t, &ds.shm_perm);
        put(t, "  %-16s %zu\n", "shm_segsz", (size_t)ds.shm_segsz);
        inspect_time((long long)ds.shm_atime, tbuf, sizeof tbuf);
        put(t, "  %-16s %s\n", "shm_atime", tbuf);
        inspect_time((long long)ds.shm_dtime, tbuf, sizeof tbuf);
        put(t, "  %-16s %s\n", "shm_dtime", tbuf);
        inspect_time((long long)ds.shm_ctime, tbuf, sizeof tbuf);
        put(t, "  %-16s %s\n", "shm_ctime", tbuf);
        const char *cn = inspect_proc_name(m, ds.shm_cpid);
        const char *ln = inspect_proc_name(m, ds.shm_lpid);
        put(t, "  %-16s %d%s%s%s\n", "shm_cpid", (int)ds.shm_cpid, cn ? " (" : "", cn ? cn : "",
            cn ? ")" : "");
        put(t, "  %-16s %d%s%s%s\n", "shm_lpid", (int)ds.shm_lpid, ln ? " (" : "", ln ? ln : "",
            ln ? ")" : "");
        put(t, "  %-16s %lu  (ipcplay's own read-only attach counts as one)\n", "shm_nattch",
            (unsigned long)ds.shm_nattch);
    } else if (ms->kind == 0 || !live) {
        put(t, "  %s; the last sample said:\n",
            live ? "IPC_STAT failed" : "it was removed when the run ended");
        put(t, "  segsz %zu  nattch %ld  cpid %d  lpid %d\n", ms->segsz, ms->nattch, (int)ms->cpid,
            (int)ms->lpid);
    }
    const unsigned char *b = ms->peek;
    size_t n = ms->peek_len < 64 ? ms->peek_len : 64;
    if (live && idx < PLAN_MAX_SHMSEGS && e->shm_ro[idx]) {
        b = e->shm_ro[idx];
        n = ms->segsz < 64 ? ms->segsz : 64;
    }
    put(t, "\ncontents, first %zu bytes%s\n", n, got ? "" : " (last sample)");
    for (size_t off = 0; off < n; off += 16) {
        put(t, "  %04zx ", off);
        for (size_t k = 0; k < 16; k++) {
            if (off + k < n)
                put(t, " %02x", b[off + k]);
            else
                put(t, "   ");
            if (k == 7)
                put(t, " ");
        }
        put(t, "  ");
        for (size_t k = 0; k < 16 && off + k < n; k++)
            put(t, "%c", b[off + k] >= 32 && b[off + k] < 127 ? b[off + k] : '.');
        put(t, "\n");
    }
    if (ms->stats)
        put(t, "  (struct cs_stats: occupancy, max_occupancy, entries, counter, lockvar)\n");
    put(t, "\nour processes that have it mapped\n");
    int found = 0;
    if (live) {
        for (int i = 0; i < e->nchildren; i++) {
            const struct child *c = &e->children[i];
            if (c->reaped || c->model_idx < 0)
                continue;
            static char maps[16384];
            if (inspect_read(e->procfd, c->pid, "maps", maps, sizeof maps) < 0)
                continue;
            if (ms->kind != 0) {
                const char *key = ms->kind == 1 ? ms->name : "/dev/zero";
                if (key[0] && strstr(maps, key)) {
                    put(t, "  %s (pid %d)\n", m->procs[c->model_idx].name, (int)c->pid);
                    found++;
                }
                continue;
            }
            for (char *line = maps; (line = strstr(line, "SYSV"));) {
                char *bol = line;
                while (bol > maps && bol[-1] != '\n')
                    bol--;
                unsigned long ino = 0;
                if (sscanf(bol, "%*s %*s %*s %*s %lu", &ino) == 1 &&
                    ino == (unsigned long)ms->shmid) {
                    put(t, "  %s (pid %d)\n", m->procs[c->model_idx].name, (int)c->pid);
                    found++;
                    break;
                }
                line += 4;
            }
        }
        if (ms->kind != 2) {
            put(t, "  ipcplay (pid %d), read-only, to draw this view\n", (int)e->self);
            found++;
        }
    }
    if (!found)
        put(t, "  (none)\n");
}

static void inspect_msgq(struct engine *e, const struct model_msgq *q, bool live, struct text *t)
{
    const struct model *m = e->m;
    put(t, "message queue  msqid %d\n", q->msqid);
    struct msqid_ds ds;
    bool got = live && !q->removed && msgctl(q->msqid, IPC_STAT, &ds) == 0;
    char tbuf[64];
    if (got) {
        put(t, "\nstruct msqid_ds (msgctl IPC_STAT)\n");
        inspect_perm(t, &ds.msg_perm);
        inspect_time((long long)ds.msg_stime, tbuf, sizeof tbuf);
        put(t, "  %-16s %s\n", "msg_stime", tbuf);
        inspect_time((long long)ds.msg_rtime, tbuf, sizeof tbuf);
        put(t, "  %-16s %s\n", "msg_rtime", tbuf);
        inspect_time((long long)ds.msg_ctime, tbuf, sizeof tbuf);
        put(t, "  %-16s %s\n", "msg_ctime", tbuf);
        put(t, "  %-16s %lu\n", "__msg_cbytes", (unsigned long)ds.__msg_cbytes);
        put(t, "  %-16s %lu\n", "msg_qnum", (unsigned long)ds.msg_qnum);
        put(t, "  %-16s %lu\n", "msg_qbytes", (unsigned long)ds.msg_qbytes);
        const char *sn = inspect_proc_name(m, ds.msg_lspid);
        const char *rn = inspect_proc_name(m, ds.msg_lrpid);
        put(t, "  %-16s %d%s%s%s\n", "msg_lspid", (int)ds.msg_lspid, sn ? " (" : "", sn ? sn : "",
            sn ? ")" : "");
        put(t, "  %-16s %d%s%s%s\n", "msg_lrpid", (int)ds.msg_lrpid, rn ? " (" : "", rn ? rn : "",
            rn ? ")" : "");
    } else {
        put(t, "  %s; the last sample said:\n",
            q->removed ? "it was removed with IPC_RMID" : "it was removed when the run ended");
        put(t, "  qnum %ld  cbytes %ld  qbytes %ld  lspid %d  lrpid %d\n", q->qnum, q->cbytes,
            q->qbytes, (int)q->lspid, (int)q->lrpid);
    }
    put(t, "\nmessages in it, oldest first (copied with MSG_COPY, not taken)\n");
    if (q->peek_state == 1)
        put(t, "  (this kernel lacks MSG_COPY)\n");
    else if (q->peek_state == 2)
        put(t, "  (MSG_COPY not permitted)\n");
    else if (q->npeek == 0)
        put(t, "  (none)\n");
    for (int i = 0; i < q->npeek; i++) {
        const struct model_msg_peek *p = &q->peek[i];
        char who[48] = "?";
        if (p->role >= 0)
            model_instance_name(m, p->role, p->instance, who, sizeof who);
        put(t, "  %2d. type %-3ld %5d bytes   from %-12s #%d\n", i + 1, p->type, p->len, who,
            p->seq);
    }
    if (q->qnum > q->npeek)
        put(t, "  ... %ld more\n", q->qnum - q->npeek);
    put(t, "\nprocesses the kernel has asleep on it\n");
    int n = 0;
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        if (p->exited || p->kernel.msgcall == 0 || p->kernel.msqid != q->msqid)
            continue;
        put(t, "  %-12s pid %-7d %s\n", p->name, (int)p->pid, p->kernel.text);
        n++;
    }
    if (!n)
        put(t, "  (none)\n");
}

int engine_inspect(struct engine *e, const char *what, char *title, size_t titlelen, char *out,
                   size_t outlen, char *err, size_t errlen)
{
    const struct model *m = e->m;
    struct text t = {out, outlen, 0};
    if (outlen)
        out[0] = '\0';
    char *end;
    long num = strtol(what, &end, 10);
    bool isnum = *what && *end == '\0';
    /* A process: by role name or pid. */
    for (int i = 0; i < m->nprocs; i++) {
        const struct model_proc *p = &m->procs[i];
        if (strcmp(p->name, what) == 0 || (isnum && p->pid == num)) {
            snprintf(title, titlelen, "inspect %s (pid %d)", p->name, (int)p->pid);
            inspect_proc(e, p, &t);
            return 0;
        }
    }
    /* An object: "sem" / "shm" for the first one, or an id. */
    int found = 0;
    for (int i = 0; i < m->nsemsets; i++) {
        const struct model_semset *ms = &m->semsets[i];
        if ((isnum && ms->semid == num) || (strcmp(what, "sem") == 0 && i == 0)) {
            if (found)
                put(&t, "\n");
            inspect_semset(e, ms, e->active, &t);
            snprintf(title, titlelen, "inspect semaphore set %d", ms->semid);
            found++;
        }
    }
    for (int i = 0; i < m->nshmsegs; i++) {
        const struct model_shmseg *ms = &m->shmsegs[i];
        if ((isnum && ms->kind == 0 && ms->shmid == num) || (strcmp(what, "shm") == 0 && i == 0)) {
            if (found)
                put(&t, "\n");
            inspect_shmseg(e, i, e->active, &t);
            if (found)
                snprintf(title, titlelen, "inspect id %d (a semaphore set and a segment)",
                         ms->shmid);
            else
                snprintf(title, titlelen, "inspect shared memory segment %d", ms->shmid);
            found++;
        }
    }
    for (int i = 0; i < m->nmsgqs; i++) {
        const struct model_msgq *q = &m->msgqs[i];
        if ((isnum && q->msqid == num) ||
            ((strcmp(what, "msq") == 0 || strcmp(what, "msgq") == 0) && i == 0)) {
            if (found)
                put(&t, "\n");
            inspect_msgq(e, q, e->active, &t);
            if (!found)
                snprintf(title, titlelen, "inspect message queue %d", q->msqid);
            found++;
        }
    }
    if (found)
        return 0;
    snprintf(err, errlen,
             "nothing called '%s' in this session (give a role like worker-2, a pid, a semid, "
             "shmid or msqid, or sem / shm / msq)",
             what);
    return -1;
}
