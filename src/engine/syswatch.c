/* syswatch.c — see syswatch.h. The process side of a watch sample: walk
 * /proc (getdents on one directory fd, pids in order), keep each process's
 * /proc/PID/syscall open and pread it once per sample (3 µs, not 8), decode
 * the sleepers on semop/msgsnd/msgrcv, and read /proc/PID/maps only when
 * segments have attachers that the last scan did not already explain.
 * Then the whole sample goes out as records. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "procfs.h"
#include "syswatch_internal.h"
#include "../model/i18n.h"

#define SW_DENIED_RETRY 20 /* samples before a refused process is asked again */

struct syswatch *syswatch_new(const char *proc_root, const char *devshm, const char *devmq)
{
    struct syswatch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->procfd = procfs_open_root(proc_root);
    w->semvals = calloc(65536, sizeof *w->semvals);
    if (w->procfd < 0 || !w->semvals) {
        int err = errno;
        syswatch_free(w);
        errno = err;
        return NULL;
    }
    snprintf(w->devshm, sizeof w->devshm, "%s", devshm ? devshm : "/dev/shm");
    snprintf(w->devmq, sizeof w->devmq, "%s", devmq ? devmq : "/dev/mqueue");
    /* One fd per process is kept: ask for the room a busy machine needs
     * (our own soft limit, up to the hard one; nothing host-wide). */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 16384 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max < 16384 ? rl.rlim_max : 16384;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    return w;
}

static void close_proc(struct sw_proc *p)
{
    if (p->sysfd >= 0)
        close(p->sysfd);
    if (p->statfd >= 0)
        close(p->statfd);
    p->sysfd = p->statfd = -1;
}

void syswatch_free(struct syswatch *w)
{
    if (!w)
        return;
    for (int i = 0; i < w->nprocs; i++)
        close_proc(&w->procs[i]);
    if (w->procfd >= 0)
        close(w->procfd);
    free(w->procs);
    free(w->objs);
    free(w->attach);
    free(w->semvals);
    free(w->buf);
    free(w);
}

void syswatch_set_ours(struct syswatch *w, int kind, const int *ids, int n)
{
    if (kind < 0 || kind > SYS_SHM)
        return;
    w->nours[kind] = n < SW_MAX_OURS ? n : SW_MAX_OURS;
    for (int i = 0; i < w->nours[kind]; i++)
        w->ours[kind][i] = ids[i];
}

static void open_proc(struct syswatch *w, struct sw_proc *p)
{
    p->sysfd = procfs_open(w->procfd, p->pid, "syscall");
    p->denied = p->sysfd < 0 && (errno == EACCES || errno == EPERM);
    p->denied_age = 0;
}

/* The new listing of /proc, merged with what we knew (both sorted): fds of
 * processes that are gone are closed, newcomers are opened. */
static void walk_procs(struct syswatch *w)
{
    int dfd = openat(w->procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return;
    }
    struct sw_proc *old = w->procs;
    int nold = w->nprocs, o = 0, n = 0, cap = w->procs_cap ? w->procs_cap : 256;
    struct sw_proc *cur = malloc((size_t)cap * sizeof *cur);
    struct dirent *de;
    while (cur && (de = readdir(d))) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        while (o < nold && old[o].pid < pid)
            close_proc(&old[o++]);
        if (n >= cap) {
            struct sw_proc *c2 = realloc(cur, (size_t)cap * 2 * sizeof *cur);
            if (!c2)
                break;
            cur = c2;
            cap *= 2;
        }
        if (o < nold && old[o].pid == pid) {
            cur[n] = old[o++];
        } else {
            cur[n] = (struct sw_proc){.pid = (pid_t)pid, .sysfd = -1, .statfd = -1};
            open_proc(w, &cur[n]);
        }
        n++;
    }
    closedir(d);
    for (; o < nold; o++)
        close_proc(&old[o]);
    free(old);
    w->procs = cur;
    w->nprocs = cur ? n : 0;
    w->procs_cap = cur ? cap : 0;
}

static struct sw_proc *find_proc(struct syswatch *w, pid_t pid)
{
    int lo = 0, hi = w->nprocs - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (w->procs[mid].pid == pid)
            return &w->procs[mid];
        if (w->procs[mid].pid < pid)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

static bool is_sysv_id(const struct syswatch *w, int kind, int id)
{
    for (int i = 0; i < w->nobjs; i++)
        if (w->objs[i].kind == kind && w->objs[i].id == id)
            return true;
    return false;
}

/* What a sleeper waits for, from its call's arguments and, where the
 * kernel lets us read its memory, its struct sembuf or message type. */
static bool decode_sleeper(struct syswatch *w, pid_t pid, const struct proc_syscall *sc,
                           struct sys_use *u)
{
    memset(u, 0, sizeof *u);
    u->pid = pid;
    u->id = (int)sc->args[0];
    bool semcall = sc->nr == SYS_semtimedop;
#ifdef SYS_semop
    semcall = semcall || sc->nr == SYS_semop;
#endif
    if (semcall) {
        u->kind = SYS_SEM;
        u->how = SYS_USE_SEMOP;
        u->nsops = (int)sc->args[2];
        struct sembuf sb;
        struct iovec local = {&sb, sizeof sb}, remote = {(void *)sc->args[1], sizeof sb};
        if (process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)sizeof sb) {
            u->sem_num = sb.sem_num;
            u->sem_op = sb.sem_op;
            u->sem_flg = sb.sem_flg;
        } else {
            u->nsops = -1;
        }
    } else if (sc->nr == SYS_msgsnd || sc->nr == SYS_msgrcv) {
        u->kind = SYS_MSG;
        u->how = sc->nr == SYS_msgsnd ? SYS_USE_MSGSND : SYS_USE_MSGRCV;
        u->msgsz = (int64_t)sc->args[2];
        if (sc->nr == SYS_msgrcv) {
            u->msgtyp = (int64_t)sc->args[3];
            u->msgtyp_ok = 1;
        } else {
            long type;
            struct iovec local = {&type, sizeof type}, remote = {(void *)sc->args[1], sizeof type};
            if (process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)sizeof type) {
                u->msgtyp = type;
                u->msgtyp_ok = 1;
            }
        }
    } else {
        return false;
    }
    return is_sysv_id(w, u->kind, u->id);
}

/* Every readable process's current call; sleepers on our objects become
 * uses. Counts processes whose call is not ours to read. */
static int find_sleepers(struct syswatch *w, struct sys_use *out, int max, int *nosys)
{
    int n = 0;
    char buf[256];
    *nosys = 0;
    for (int i = 0; i < w->nprocs; i++) {
        struct sw_proc *p = &w->procs[i];
        if (p->sysfd < 0) {
            if (p->denied && ++p->denied_age < SW_DENIED_RETRY) {
                (*nosys)++;
                continue;
            }
            open_proc(w, p);
            if (p->sysfd < 0) {
                *nosys += p->denied;
                continue;
            }
        }
        ssize_t len = procfs_pread(p->sysfd, buf, sizeof buf);
        if (len < 0 && errno == ESRCH) { /* it exited; the pid may be someone else's now */
            close_proc(p);
            open_proc(w, p);
            len = p->sysfd >= 0 ? procfs_pread(p->sysfd, buf, sizeof buf) : -1;
        }
        struct proc_syscall sc;
        if (len <= 0 || procfs_parse_syscall(buf, (size_t)len, &sc) != 0 || sc.nr < 0)
            continue;
        if (n < max && decode_sleeper(w, p->pid, &sc, &out[n]))
            n++;
    }
    return n;
}

int syswatch_parse_maps_line(const char *line, int *shmid, uint64_t *addr, uint64_t *size)
{
    unsigned long long lo, hi, off, ino;
    char perms[8];
    unsigned maj, min;
    int pos = 0;
    if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &lo, &hi, perms, &off, &maj, &min, &ino,
               &pos) != 7 ||
        strncmp(line + pos, "/SYSV", 5) != 0 || hi < lo || ino > 0x7fffffff)
        return -1;
    *shmid = (int)ino;
    *addr = lo;
    *size = hi - lo;
    return 0;
}

/* Attachments of System V segments in one process's maps: appended to
 * w->attach; returns how many, or -1 when its maps are not ours to read. */
static int scan_maps(struct syswatch *w, pid_t pid)
{
    char path[32];
    snprintf(path, sizeof path, "%d/maps", (int)pid);
    if (sw_read_file(w, w->procfd, path) < 0)
        return errno == EACCES || errno == EPERM ? -1 : 0;
    w->maps_read++;
    int found = 0;
    for (char *l = strstr(w->buf, "/SYSV"); l; l = strstr(l + 5, "/SYSV")) {
        char *start = l;
        while (start > w->buf && start[-1] != '\n')
            start--;
        struct sys_use u = {.pid = pid, .kind = SYS_SHM, .how = SYS_USE_ATTACH};
        if (syswatch_parse_maps_line(start, &u.id, &u.addr, &u.size) < 0)
            continue;
        if (w->nattach >= w->attach_cap) {
            int cap = w->attach_cap ? w->attach_cap * 2 : 64;
            struct sys_use *a = realloc(w->attach, (size_t)cap * sizeof *a);
            if (!a)
                break;
            w->attach = a;
            w->attach_cap = cap;
        }
        w->attach[w->nattach++] = u;
        found++;
    }
    return found;
}

/* What the segments' numbers say about attachments: while it is the same
 * and every attacher is still there, the last scan still holds. */
static uint64_t attach_signature(const struct syswatch *w, int64_t *total)
{
    uint64_t h = 1469598103934665603ull;
    *total = 0;
    for (int i = 0; i < w->nobjs; i++) {
        const struct sys_obj *o = &w->objs[i];
        if (o->kind != SYS_SHM || o->nattch <= 0)
            continue;
        *total += o->nattch;
        uint64_t v[5] = {(uint64_t)o->id, (uint64_t)o->nattch, (uint64_t)o->lpid,
                         (uint64_t)o->atime, (uint64_t)o->dtime};
        for (int k = 0; k < 5; k++)
            h = (h ^ v[k]) * 1099511628211ull;
    }
    return h;
}

static void find_attachers(struct syswatch *w)
{
    int64_t total;
    uint64_t sig = attach_signature(w, &total);
    bool still = sig == w->attach_sig;
    for (int i = 0; still && i < w->nattach; i++)
        still = find_proc(w, w->attach[i].pid) != NULL;
    w->maps_read = 0;
    if (still || total == 0) {
        if (total == 0) {
            w->nattach = 0;
            w->attach_missing = 0;
            w->nomaps = 0;
        }
        w->attach_sig = sig;
        return;
    }
    w->nattach = 0;
    w->nomaps = 0;
    int64_t found = 0;
    /* The last attacher of a segment is the likeliest one: look there first. */
    for (int i = 0; i < w->nobjs && found < total; i++) {
        const struct sys_obj *o = &w->objs[i];
        if (o->kind == SYS_SHM && o->nattch > 0 && o->lpid > 0 && find_proc(w, o->lpid)) {
            bool done = false;
            for (int j = 0; j < w->nattach && !done; j++)
                done = w->attach[j].pid == o->lpid;
            int k = done ? 0 : scan_maps(w, o->lpid);
            found += k > 0 ? k : 0;
        }
    }
    for (int i = 0; i < w->nprocs && found < total; i++) {
        bool done = false;
        for (int j = 0; j < w->nattach && !done; j++)
            done = w->attach[j].pid == w->procs[i].pid;
        if (done)
            continue;
        int k = scan_maps(w, w->procs[i].pid);
        if (k < 0)
            w->nomaps++;
        found += k > 0 ? k : 0;
    }
    w->attach_missing = (int)(total - found > 0 ? total - found : 0);
    w->attach_sig = sig;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A process the sample names: its comm from /proc/PID/comm (kept open
 * from then on: a pread, cheaper than stat, and ESRCH once it is gone, so
 * a pid reused by another process is never told under the old name). */
static void emit_proc(struct syswatch *w, pid_t pid, uint64_t t, syswatch_emit_fn *emit, void *ctx)
{
    struct record r;
    record_init(&r, REC_SYS_PROC, t);
    struct sys_proc *p = &r.u.sys_proc;
    p->pid = pid;
    p->uid = -1;
    p->gone = 1;
    struct sw_proc *sp = find_proc(w, pid);
    char buf[64];
    struct stat st;
    if (sp && sp->statfd < 0)
        sp->statfd = procfs_open(w->procfd, pid, "comm");
    if (sp && sp->statfd >= 0 && procfs_pread(sp->statfd, buf, sizeof buf) > 0 &&
        fstat(sp->statfd, &st) == 0) {
        p->gone = 0;
        p->uid = (int32_t)st.st_uid;
        p->nosys = sp->sysfd < 0;
        buf[strcspn(buf, "\n")] = '\0';
        snprintf(p->comm, sizeof p->comm, "%.15s", buf);
    }
    emit(ctx, &r);
}

static void add_pid(pid_t *set, int *n, int max, pid_t pid)
{
    if (pid <= 0)
        return;
    for (int i = 0; i < *n; i++)
        if (set[i] == pid)
            return;
    if (*n < max)
        set[(*n)++] = pid;
}

/* Every pid the sample's objects and uses name, each once. */
static int named_pids(const struct syswatch *w, const struct sys_use *uses, int nuses, pid_t *set,
                      int max)
{
    int n = 0;
    for (int i = 0; i < w->nobjs; i++) {
        const struct sys_obj *o = &w->objs[i];
        for (int k = 0; k < o->nvals; k++)
            add_pid(set, &n, max, o->sem[k].pid);
        add_pid(set, &n, max, o->lspid);
        add_pid(set, &n, max, o->lrpid);
        add_pid(set, &n, max, o->cpid);
        add_pid(set, &n, max, o->lpid);
    }
    for (int i = 0; i < nuses; i++)
        add_pid(set, &n, max, uses[i].pid);
    for (int i = 0; i < w->nattach; i++)
        add_pid(set, &n, max, w->attach[i].pid);
    return n;
}

void syswatch_sample(struct syswatch *w, uint64_t t, syswatch_emit_fn *emit, void *ctx)
{
    uint64_t t0 = mono_ns();
    struct record r;
    record_init(&r, REC_SYS_BEGIN, t);
    r.u.sys_begin.seq = ++w->seq;
    emit(ctx, &r);
    sw_read_objects(w);
    walk_procs(w);
    static struct sys_use sleepers[SYSIPC_MAX_USES];
    int nosys;
    int nsleep = find_sleepers(w, sleepers, SYSIPC_MAX_USES, &nosys);
    find_attachers(w);
    for (int i = 0; i < w->nobjs; i++) {
        record_init(&r, REC_SYS_OBJ, t);
        r.u.sys_obj = w->objs[i];
        emit(ctx, &r);
    }
    static pid_t named[SYSIPC_MAX_PROCS];
    int nnamed = named_pids(w, sleepers, nsleep, named, SYSIPC_MAX_PROCS);
    for (int i = 0; i < nnamed; i++)
        emit_proc(w, named[i], t, emit, ctx);
    for (int i = 0; i < nsleep + w->nattach; i++) {
        record_init(&r, REC_SYS_USE, t);
        r.u.sys_use = i < nsleep ? sleepers[i] : w->attach[i - nsleep];
        emit(ctx, &r);
    }
    record_init(&r, REC_SYS_END, t);
    struct sys_end *e = &r.u.sys_end;
    e->seq = w->seq;
    e->wall_s = (int64_t)time(NULL);
    e->nprocs = w->nprocs;
    e->nosys = nosys;
    e->nomaps = w->nomaps;
    e->maps_read = w->maps_read;
    e->dropped = w->dropped;
    e->attach_missing = w->attach_missing;
    e->cost_ns = mono_ns() - t0;
    emit(ctx, &r);
}
