/* sampler.c — one sample of the kernel's view, as sample records (see
 * model/record.h; the model applies them in model/sample*.c): semctl for every
 * semaphore set, shmctl for every segment (contents through one read-only
 * attach), and for every child /proc/PID/stat and /proc/PID/syscall through
 * fds kept open for its lifetime (pread: ~3 us instead of ~8 us for
 * open/read/close). For a child blocked in semtimedop, its struct sembuf is
 * read with process_vm_readv, so the model knows which semaphore and which
 * op. The sampler only reads: it never writes the model. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../model/model.h"
#include "engine_internal.h"
#include "procfs.h"
#include "sysv.h"
#include "../model/i18n.h"

_Static_assert(sizeof(struct cs_stats) <= MODEL_SHM_PEEK,
               "the sampler's copy of a stats segment must hold struct cs_stats");
_Static_assert(PLAN_MAX_SECTIONS == MODEL_MAX_SECTIONS, "a sample holds every section");

void sampler_close_child(struct child *c)
{
    if (c->statfd >= 0)
        close(c->statfd);
    if (c->scfd >= 0)
        close(c->scfd);
    c->statfd = c->scfd = -1;
    sampler_fds_close(c);
}

void sampler_perm(struct model_ipc_perm *p, const struct ipc_perm *k)
{
    p->key = (uint32_t)k->__key;
    p->uid = k->uid;
    p->gid = k->gid;
    p->cuid = k->cuid;
    p->cgid = k->cgid;
    p->mode = k->mode & 0777;
    p->seq = k->__seq;
}

static void sample_semset(struct engine *e, int i)
{
    const struct model_semset *ms = &e->m->semsets[i];
    struct semid_ds ds;
    union semun arg = {.buf = &ds};
    if (i >= e->m->nsemsets || semctl(e->semids[i], 0, IPC_STAT, arg) < 0)
        return;
    struct record r;
    record_init(&r, REC_SAMPLE_SEMSET, engine_now(e));
    struct sample_semset *s = &r.u.sem;
    s->index = i;
    s->nsems = ds.sem_nsems > MODEL_MAX_SEMS ? MODEL_MAX_SEMS : (int)ds.sem_nsems;
    s->mode = ds.sem_perm.mode & 0777;
    s->otime = ds.sem_otime;
    s->ctime = ds.sem_ctime;
    sampler_perm(&s->perm, &ds.sem_perm);
    unsigned short vals[PLAN_MAX_SEMS];
    arg.array = vals;
    bool got = semctl(e->semids[i], 0, GETALL, arg) == 0;
    for (int k = 0; k < s->nsems; k++) {
        if (!got) { /* what the model had */
            s->val[k] = ms->val[k];
            s->ncnt[k] = ms->ncnt[k];
            s->zcnt[k] = ms->zcnt[k];
            s->lastpid[k] = ms->lastpid[k];
            continue;
        }
        s->val[k] = vals[k];
        s->ncnt[k] = semctl(e->semids[i], k, GETNCNT);
        s->zcnt[k] = semctl(e->semids[i], k, GETZCNT);
        s->lastpid[k] = semctl(e->semids[i], k, GETPID);
    }
    engine_emit(e, &r);
}

static void read_cs_stats(struct sample_shmseg *s)
{
    struct cs_stats st;
    memcpy(&st, s->peek, sizeof st);
    s->has_cs = 1;
    s->cs.occupancy = st.occupancy;
    s->cs.max_occupancy = st.max_occupancy;
    s->cs.entries = st.entries;
    for (int k = 0; k < PLAN_MAX_SECTIONS; k++) {
        s->cs.sect[k].occupancy = st.sect[k].occupancy;
        s->cs.sect[k].max_occupancy = st.sect[k].max_occupancy;
        s->cs.sect[k].counter = st.sect[k].counter;
        s->cs.sect[k].entries = st.sect[k].entries;
    }
}

/* A System V segment's first n bytes, read through the memory of a child
 * that has it attached (process_vm_readv at the address every child uses),
 * so ipcplay's looking counts in neither shm_nattch nor shm_atime. Once no
 * child of the run is alive, ipcplay attaches read-only itself for the last
 * looks, and says so. Returns the bytes, or NULL. */
static const void *read_sysv(struct engine *e, int i, size_t n)
{
    static unsigned char buf[MODEL_SHM_PEEK];
    for (int k = 0; k < e->nchildren; k++) {
        const struct child *c = &e->children[k];
        /* where this child attached it itself (ops/shmlife.c), else the
         * address the engine reserved for every child */
        void *at = c->shm_addr[i] ? c->shm_addr[i] : e->ipc.shm_at[i];
        if (c->reaped || !at)
            continue; /* one not attached yet fails: the reserved range is PROT_NONE */
        struct iovec local = {buf, n}, remote = {at, n};
        if (process_vm_readv(c->pid, &local, 1, &remote, 1, 0) == (ssize_t)n)
            return buf;
    }
    if (e->shm_ro[i] || e->nalive > 0)
        return e->shm_ro[i];
    void *p = shmat(e->shmids[i], NULL, SHM_RDONLY);
    if (p == (void *)-1)
        return NULL;
    madvise(p, e->plan.shmsegs[i].size, MADV_DONTFORK);
    e->shm_ro[i] = p;
    if (!e->ipc.shm_late_said[i]) {
        e->ipc.shm_late_said[i] = true;
        engine_say(e, LINE_NOTE, "ipcplay", "shmat",
                   _("no process of the run has shm %d attached any more: ipcplay attaches it "
                     "read-only to look (from now on nattch counts ipcplay, shm_atime is its)"),
                   e->shmids[i]);
    }
    return p;
}

static void sample_shmseg(struct engine *e, int i)
{
    const struct model_shmseg *g = &e->m->shmsegs[i];
    if (i >= e->m->nshmsegs)
        return;
    struct record r;
    record_init(&r, REC_SAMPLE_SHMSEG, engine_now(e));
    struct sample_shmseg *s = &r.u.shm;
    s->index = i;
    /* what the model had, for what this kind of segment cannot tell */
    s->segsz = g->segsz;
    s->mode = g->mode;
    s->nattch = g->nattch;
    s->cpid = g->cpid;
    s->lpid = g->lpid;
    s->atime = g->atime;
    s->dtime = g->dtime;
    s->ctime = g->ctime;
    s->perm = g->perm;
    s->ino = g->ino;
    s->stat_ok = g->stat_ok;
    struct shmid_ds ds;
    if (e->plan.shmsegs[i].kind != PLAN_SHM_SYSV) {
        sampler_ipc_shm_stat(e, i, s);
    } else {
        if (shmctl(e->shmids[i], IPC_STAT, &ds) < 0)
            return;
        s->stat_ok = 1;
        s->segsz = ds.shm_segsz;
        /* the permission bits, and SHM_DEST / SHM_LOCKED: ipcs's status column */
        s->mode = ds.shm_perm.mode & (0777 | SHM_DEST | SHM_LOCKED);
        s->nattch = (int64_t)ds.shm_nattch;
        s->cpid = ds.shm_cpid;
        s->lpid = ds.shm_lpid;
        s->atime = ds.shm_atime;
        s->dtime = ds.shm_dtime;
        s->ctime = ds.shm_ctime;
        sampler_perm(&s->perm, &ds.shm_perm);
    }
    size_t n = s->segsz < MODEL_SHM_PEEK ? s->segsz : MODEL_SHM_PEEK;
    const void *bytes = e->plan.shmsegs[i].kind == PLAN_SHM_SYSV
                            ? (s->stat_ok ? read_sysv(e, i, n) : NULL)
                            : e->shm_ro[i];
    if (bytes) {
        s->has_peek = 1;
        s->peek_len = (uint32_t)n;
        memcpy(s->peek, bytes, n);
        if (g->stats && n >= sizeof(struct cs_stats))
            read_cs_stats(s);
    }
    engine_emit(e, &r);
}

/* semop/semtimedop: which semaphore and which op, from its struct sembuf. */
static void decode_sembuf(struct engine *e, struct child *c, const struct proc_syscall *sc,
                          struct model_kernel *k)
{
    const struct model_proc *p = &e->m->procs[c->model_idx];
    k->semid = (int)sc->args[0];
    k->nsops = (int)sc->args[2];
    /* Same call as the last sample (same arguments, no new op event since):
     * its sembuf is the one we read then. Saves a process_vm_readv per
     * blocked child per sample. */
    const struct model_kernel *prev = &p->kernel;
    struct sembuf sb;
    struct iovec local = {&sb, sizeof sb};
    struct iovec remote = {(void *)sc->args[1], sizeof sb};
    if (prev->nr == sc->nr && prev->nsops > 0 &&
        memcmp(prev->args, sc->args, sizeof prev->args) == 0 && c->sembuf_since == p->doing_since &&
        c->sembuf_ops == p->ops_done) {
        k->sem_num = prev->sem_num;
        k->sem_op = prev->sem_op;
        k->sem_flg = prev->sem_flg;
    } else if (process_vm_readv(c->pid, &local, 1, &remote, 1, 0) == (ssize_t)sizeof sb) {
        c->sembuf_since = p->doing_since;
        c->sembuf_ops = p->ops_done;
        k->sem_num = sb.sem_num;
        k->sem_op = sb.sem_op;
        k->sem_flg = sb.sem_flg;
    } else {
        k->nsops = -1; /* could not read its memory: say so */
    }
}

/* /proc/PID/syscall, and the arguments that say what it waits for. */
static void read_syscall(struct engine *e, struct child *c, struct model_kernel *k)
{
    char buf[512];
    memset(k, 0, sizeof *k);
    k->nr = -3;
    k->semid = -1;
    if (c->scfd < 0) {
        k->nr = -4; /* no permission to look */
        return;
    }
    struct proc_syscall sc;
    if (procfs_pread(c->scfd, buf, sizeof buf) <= 0 ||
        procfs_parse_syscall(buf, strlen(buf), &sc) != 0)
        return;
    k->nr = sc.nr;
    memcpy(k->args, sc.args, sizeof k->args);
    bool semcall = sc.nr == SYS_semtimedop;
#ifdef SYS_semop
    semcall = semcall || sc.nr == SYS_semop;
#endif
    if (semcall)
        decode_sembuf(e, c, &sc, k);
    else
        sampler_ipc_decode(e, c, &sc, k);
}

static void sample_child(struct engine *e, struct child *c, bool full)
{
    if (c->model_idx < 0)
        return;
    if (!full && !c->dirty && c->settled &&
        (e->sample_seq + (uint64_t)(c - e->children)) % SAMPLER_REFRESH != 0)
        return;
    c->dirty = false;
    const struct model_proc *p = &e->m->procs[c->model_idx];
    struct record r;
    record_init(&r, REC_SAMPLE_PROC, engine_now(e));
    struct sample_proc *s = &r.u.proc;
    s->pid = c->pid;
    char statbuf[512];
    bool stat_ok = false;
    struct proc_stat st;
    if (c->statfd >= 0 && procfs_pread(c->statfd, statbuf, sizeof statbuf) > 0 &&
        procfs_parse_stat(statbuf, strlen(statbuf), &st) == 0) {
        stat_ok = true;
        s->flags |= SP_STAT;
        snprintf(s->comm, sizeof s->comm, "%.15s", st.comm);
        s->state = st.state;
        s->ppid = st.ppid;
        s->minflt = st.minflt;
        s->majflt = st.majflt;
        s->utime = st.utime;
        s->stime = st.stime;
        s->rss_pages = st.rss_pages;
    }
    read_syscall(e, c, &s->kernel);
    char state = stat_ok ? s->state : p->state;
    c->settled = s->kernel.nr >= 0 && (state == 'S' || state == 'D');
    if (sampler_fds_child(e, c, stat_ok ? statbuf : NULL, s))
        s->flags |= SP_OBSERVED;
    engine_emit(e, &r);
    if (s->flags & SP_OBSERVED)
        sampler_fds_seen(e, c);
}

void sampler_sample_one(struct engine *e, struct child *c)
{
    if (!c->reaped)
        sample_child(e, c, true);
}

static void sample_self(struct engine *e)
{
    const struct model *m = e->m;
    char buf[512];
    struct proc_stat st;
    if (m->nprocs <= 0 || m->procs[0].role != -1 || e->self_statfd < 0 ||
        procfs_pread(e->self_statfd, buf, sizeof buf) <= 0 ||
        procfs_parse_stat(buf, strlen(buf), &st) != 0)
        return;
    struct record r;
    record_init(&r, REC_SAMPLE_SELF, engine_now(e));
    r.u.self.pid = e->self;
    r.u.self.utime = st.utime;
    r.u.self.stime = st.stime;
    r.u.self.rss_pages = st.rss_pages;
    engine_emit(e, &r);
}

void sampler_sample(struct engine *e, bool full)
{
    e->sample_seq++;
    for (int i = 0; i < e->plan.nsemsets; i++)
        sample_semset(e, i);
    for (int i = 0; i < e->plan.nshmsegs; i++)
        sample_shmseg(e, i);
    sampler_ipc_sample(e);
    for (int i = 0; i < e->nchildren; i++)
        if (!e->children[i].reaped)
            sample_child(e, &e->children[i], full);
    /* ipcplay itself: CPU and memory only (it is running: it is the one looking). */
    sample_self(e);
    sampler_detail(e);
    sampler_fds_release(e);
    struct record r;
    record_init(&r, REC_SAMPLE_END, engine_now(e));
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    r.u.end.wall_s = now.tv_sec;
    engine_emit(e, &r);
}
