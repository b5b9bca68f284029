/* sampler.c — one sample of the kernel's view: semctl for every semaphore
 * set, shmctl for every segment (contents through one read-only attach), and
 * for every child /proc/PID/stat and /proc/PID/syscall through fds kept open
 * for its lifetime (pread: ~3 us instead of ~8 us for open/read/close). For a
 * child blocked in semtimedop, its struct sembuf is read with
 * process_vm_readv, so the model knows which semaphore and which op. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../model/model.h"
#include "engine_internal.h"
#include "procfs.h"

_Static_assert(sizeof(struct cs_stats) <= MODEL_SHM_PEEK,
              "the sampler's copy of a stats segment must hold struct cs_stats");

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

void sampler_close_child(struct child *c)
{
    if (c->statfd >= 0)
        close(c->statfd);
    if (c->scfd >= 0)
        close(c->scfd);
    c->statfd = c->scfd = -1;
    sampler_fds_close(c);
}

static void sample_semset(struct engine *e, int i)
{
    struct model *m = e->m;
    struct model_semset *ms = &m->semsets[i];
    struct semid_ds ds;
    union semun arg = {.buf = &ds};
    if (semctl(e->semids[i], 0, IPC_STAT, arg) < 0)
        return;
    ms->nsems = (int)ds.sem_nsems;
    if (ms->nsems > MODEL_MAX_SEMS)
        ms->nsems = MODEL_MAX_SEMS;
    ms->mode = ds.sem_perm.mode & 0777;
    ms->otime = ds.sem_otime;
    ms->ctime = ds.sem_ctime;
    unsigned short vals[PLAN_MAX_SEMS];
    arg.array = vals;
    if (semctl(e->semids[i], 0, GETALL, arg) < 0)
        return;
    for (int k = 0; k < ms->nsems; k++) {
        int before_n = ms->ncnt[k], before_v = ms->val[k];
        ms->val[k] = vals[k];
        ms->ncnt[k] = semctl(e->semids[i], k, GETNCNT);
        ms->zcnt[k] = semctl(e->semids[i], k, GETZCNT);
        ms->lastpid[k] = semctl(e->semids[i], k, GETPID);
        if (before_n != ms->ncnt[k] || before_v != ms->val[k])
            m->gen_objects++;
    }
}

static void sample_shmseg(struct engine *e, int i)
{
    struct model *m = e->m;
    struct model_shmseg *s = &m->shmsegs[i];
    struct shmid_ds ds;
    if (e->plan.shmsegs[i].kind != PLAN_SHM_SYSV) {
        sampler_ipc_shm_stat(e, i);
    } else {
        if (shmctl(e->shmids[i], IPC_STAT, &ds) < 0)
            return;
        if (s->nattch != (long)ds.shm_nattch || s->lpid != ds.shm_lpid)
            m->gen_objects++;
        s->segsz = ds.shm_segsz;
        s->mode = ds.shm_perm.mode & 0777;
        s->nattch = (long)ds.shm_nattch;
        s->cpid = ds.shm_cpid;
        s->lpid = ds.shm_lpid;
        s->atime = ds.shm_atime;
        s->dtime = ds.shm_dtime;
        s->ctime = ds.shm_ctime;
    }
    if (e->shm_ro[i]) {
        size_t n = s->segsz < MODEL_SHM_PEEK ? s->segsz : MODEL_SHM_PEEK;
        if (memcmp(s->peek, e->shm_ro[i], n) != 0)
            m->gen_objects++;
        memcpy(s->peek, e->shm_ro[i], n);
        s->peek_len = n;
        if (s->stats && n >= sizeof(struct cs_stats)) {
            struct cs_stats st;
            memcpy(&st, s->peek, sizeof st);
            m->cs.present = true;
            m->cs.occupancy = st.occupancy;
            /* After a death inside, the shared count keeps the dead one:
             * only the event count judges then (see model_cs). */
            m->cs.shm_max = st.max_occupancy;
            model_cs_judge_max(m);
            m->cs.entries = st.entries;
            /* the plain read-modify-write counters live per section */
            long long counter = 0;
            for (int k = 0; k < PLAN_MAX_SECTIONS && k < MODEL_MAX_SECTIONS; k++) {
                m->cs.sect_occupancy[k] = st.sect[k].occupancy;
                if (m->cs.died_inside == 0 && st.sect[k].max_occupancy > m->cs.sect_max[k])
                    m->cs.sect_max[k] = st.sect[k].max_occupancy;
                m->cs.sect_counter[k] = st.sect[k].counter;
                m->cs.sect_entries[k] = st.sect[k].entries;
                counter += st.sect[k].counter;
            }
            m->cs.counter = counter;
        }
    }
}

static int semset_index(const struct engine *e, int semid)
{
    for (int i = 0; i < e->plan.nsemsets; i++)
        if (e->semids[i] == semid)
            return i;
    return -1;
}

static void sample_child(struct engine *e, struct child *c, bool full)
{
    struct model *m = e->m;
    if (c->model_idx < 0)
        return;
    if (!full && !c->dirty && c->settled &&
        (e->sample_seq + (uint64_t)(c - e->children)) % SAMPLER_REFRESH != 0)
        return;
    c->dirty = false;
    struct model_proc *p = &m->procs[c->model_idx];
    char buf[512], statbuf[512];
    char old_state = p->state;
    bool stat_ok = false;
    if (c->statfd >= 0 && procfs_pread(c->statfd, statbuf, sizeof statbuf) > 0) {
        struct proc_stat st;
        if (procfs_parse_stat(statbuf, strlen(statbuf), &st) == 0) {
            stat_ok = true;
            snprintf(p->comm, sizeof p->comm, "%.15s", st.comm);
            p->state = st.state;
            p->ppid = st.ppid;
            p->minflt = st.minflt;
            p->majflt = st.majflt;
            p->utime = st.utime;
            p->stime = st.stime;
            p->rss_pages = st.rss_pages;
        }
    }
    if (p->state != old_state)
        m->gen_procs++;
    struct model_kernel k;
    memset(&k, 0, sizeof k);
    k.nr = -3;
    k.semid = -1;
    if (c->scfd >= 0 && procfs_pread(c->scfd, buf, sizeof buf) > 0) {
        struct proc_syscall sc;
        if (procfs_parse_syscall(buf, strlen(buf), &sc) == 0) {
            k.nr = sc.nr;
            memcpy(k.args, sc.args, sizeof k.args);
            bool semcall = sc.nr == SYS_semtimedop;
#ifdef SYS_semop
            semcall = semcall || sc.nr == SYS_semop;
#endif
            if (semcall) {
                k.semid = (int)sc.args[0];
                k.nsops = (int)sc.args[2];
                /* Same call as the last sample (same arguments, no new op
                 * event since): its sembuf is the one we read then. Saves a
                 * process_vm_readv per blocked child per sample. */
                const struct model_kernel *prev = &p->kernel;
                struct sembuf sb;
                struct iovec local = {&sb, sizeof sb};
                struct iovec remote = {(void *)sc.args[1], sizeof sb};
                if (prev->nr == sc.nr && prev->nsops > 0 &&
                    memcmp(prev->args, sc.args, sizeof prev->args) == 0 &&
                    c->sembuf_since == p->doing_since && c->sembuf_ops == p->ops_done) {
                    k.sem_num = prev->sem_num;
                    k.sem_op = prev->sem_op;
                    k.sem_flg = prev->sem_flg;
                } else if (process_vm_readv(c->pid, &local, 1, &remote, 1, 0) ==
                           (ssize_t)sizeof sb) {
                    c->sembuf_since = p->doing_since;
                    c->sembuf_ops = p->ops_done;
                    k.sem_num = sb.sem_num;
                    k.sem_op = sb.sem_op;
                    k.sem_flg = sb.sem_flg;
                } else {
                    k.nsops = -1; /* could not read its memory: say so */
                }
            } else {
                sampler_ipc_decode(e, c, &sc, &k);
            }
        }
    } else if (c->scfd < 0) {
        k.nr = -4; /* no permission to look */
    }
    bool was_blocked = p->kernel.semid >= 0 && p->kernel.nr >= 0;
    model_describe_kernel(m, &k);
    if (strcmp(k.text, p->kernel.text) != 0)
        m->gen_procs++;
    sampler_ipc_note(e, c, &p->kernel, &k);
    p->kernel = k;
    c->settled = k.nr >= 0 && (p->state == 'S' || p->state == 'D');
    bool blocked = k.semid >= 0 && (p->state == 'S' || p->state == 'D');
    if (blocked && !was_blocked && k.nsops > 0) {
        int si = semset_index(e, k.semid);
        const char *verb = k.sem_op < 0 ? "P" : k.sem_op == 0 ? "wait0" : "V";
        char what[40];
        snprintf(what, sizeof what, "%s(sem %d)", verb, k.sem_num);
        int ncnt = si >= 0 ? m->semsets[si].ncnt[k.sem_num % MODEL_MAX_SEMS] : 0;
        int val = si >= 0 ? m->semsets[si].val[k.sem_num % MODEL_MAX_SEMS] : 0;
        char who[48];
        model_proc_label(p, who, sizeof who);
        if (k.sem_op == 0)
            model_say(m, 0, who, what,
                      "blocks: semval is %d, not 0; the kernel puts it to sleep (semzcnt %d)",
                      val, si >= 0 ? m->semsets[si].zcnt[k.sem_num % MODEL_MAX_SEMS] : 0);
        else
            model_say(m, 0, who, what,
                      "blocks: semval is %d; the kernel puts it to sleep (semncnt now %d)", val,
                      ncnt);
        m->story[(m->story_count - 1) % MODEL_STORY_CAP].proc = c->model_idx;
    }
    sampler_fds_child(e, c, stat_ok ? statbuf : NULL);
}

void sampler_sample_one(struct engine *e, struct child *c)
{
    if (!c->reaped)
        sample_child(e, c, true);
}

void sampler_sample(struct engine *e, bool full)
{
    e->sample_seq++;
    struct model *m = e->m;
    for (int i = 0; i < e->plan.nsemsets; i++)
        sample_semset(e, i);
    for (int i = 0; i < e->plan.nshmsegs; i++)
        sample_shmseg(e, i);
    sampler_ipc_sample(e);
    for (int i = 0; i < e->nchildren; i++)
        if (!e->children[i].reaped)
            sample_child(e, &e->children[i], full);
    /* ipcplay itself: state only (it is running: it is the one looking). */
    if (m->nprocs > 0 && m->procs[0].role == -1 && e->self_statfd >= 0) {
        char buf[512];
        struct proc_stat st;
        if (procfs_pread(e->self_statfd, buf, sizeof buf) > 0 &&
            procfs_parse_stat(buf, strlen(buf), &st) == 0) {
            m->procs[0].utime = st.utime;
            m->procs[0].stime = st.stime;
            m->procs[0].rss_pages = st.rss_pages;
        }
    }
    sampler_fds_release(e);
    m->samples++;
}
