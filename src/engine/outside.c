/* outside.c — hands from outside the run: an operation on the run's own
 * objects by a process that is not the run's is told from the kernel's own
 * numbers (sempid, msg_lspid / msg_lrpid, shm_lpid naming a pid that is
 * neither ipcplay nor in the run's process group), with the process's name
 * from /proc/PID/comm when it is still there. An object of the run removed
 * by anyone but the run (IPC_RMID from a shell: the id gone, or a segment
 * marked SHM_DEST while the run still holds it) ends the run as
 * interrupted: what it was to show did not happen.
 *
 * The kernel keeps only the last pid, so an outside V that at once lets a
 * sleeping P through is overwritten by the sleeper's pid before any sample.
 * That one is told from the run's own events instead: a P the sampler saw
 * asleep passed, and no process of the run gave on that semaphore (V, V2,
 * SETVAL, a semop that adds, or an exit that may undo) from the P's begin
 * until a sample later (time enough for a dying holder's exit to be reaped
 * and told): someone outside gave, whose pid the kernel no longer keeps. */
#include "outside.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#include "engine_internal.h"
#include "../model/model.h"
#include "registry.h"
#include "sysv.h"

static struct {
    bool seen_sem[PLAN_MAX_SEMSETS];
    pid_t sempid[PLAN_MAX_SEMSETS][PLAN_MAX_SEMS];
    int semval[PLAN_MAX_SEMSETS][PLAN_MAX_SEMS];
    long long ctime[PLAN_MAX_SEMSETS];       /* sem_ctime: SETVAL, SETALL, IPC_SET */
    unsigned long setvals[PLAN_MAX_SEMSETS]; /* the run's SETVALs at that look */
    long long look_sec[PLAN_MAX_SEMSETS];    /* when that look was (seconds) */
    bool seen_msq[PLAN_MAX_MSGQS];
    pid_t lspid[PLAN_MAX_MSGQS], lrpid[PLAN_MAX_MSGQS];
    long qnum[PLAN_MAX_MSGQS];
    bool seen_shm[PLAN_MAX_SHMSEGS];
    pid_t lpid[PLAN_MAX_SHMSEGS];
    long nattch[PLAN_MAX_SHMSEGS];
} st;

/* What the run gave, for the P's that pass without a giver (see the top). */
#define OUTSIDE_MAX_P 64
static struct {
    unsigned long gives[PLAN_MAX_SEMSETS][PLAN_MAX_SEMS];
    unsigned long others;  /* exits (SEM_UNDO) and keyed semops: may give on any */
    unsigned long setvals; /* SETVALs the run made (they move sem_ctime) */
    struct p_begun {
        pid_t pid;
        int set, sem;
        unsigned long snap; /* gives on its semaphore + others, when seen asleep */
        bool asleep;        /* a look saw it asleep in this P */
    } begun[OUTSIDE_MAX_P];
    struct p_suspect {
        pid_t pid;
        int set, sem;
        unsigned long snap;
        int looks; /* outside_check calls since it passed */
        char who[32];
    } suspect[OUTSIDE_MAX_P];
    int nsuspect;
} gv;

void outside_reset(void)
{
    memset(&st, 0, sizeof st);
    memset(&gv, 0, sizeof gv);
}

static unsigned long given(int set, int sem)
{
    return gv.gives[set][sem] + gv.others;
}

static bool in_range(int set, int sem)
{
    return set >= 0 && set < PLAN_MAX_SEMSETS && sem >= 0 && sem < PLAN_MAX_SEMS;
}

static void give(int set, int sem)
{
    if (in_range(set, sem))
        gv.gives[set][sem]++;
}

static struct p_begun *begun_of(pid_t pid, bool make)
{
    struct p_begun *free_slot = NULL;
    for (int i = 0; i < OUTSIDE_MAX_P; i++) {
        if (gv.begun[i].pid == pid)
            return &gv.begun[i];
        if (!gv.begun[i].pid && !free_slot)
            free_slot = &gv.begun[i];
    }
    return make ? free_slot : NULL;
}

void outside_on_event(struct engine *e, const struct event *ev)
{
    bool ok_end = ev->phase == PH_END && ev->result >= 0;
    switch (ev->op) {
    case OP_EXITED:
        /* its own exit after it passed gave it nothing */
        for (int i = 0; i < gv.nsuspect; i++)
            if (gv.suspect[i].pid == ev->pid)
                gv.suspect[i].snap++;
        gv.others++;
        break;
    case OP_ALTER: gv.others++; break;
    case OP_V:
        if (ev->phase == PH_BEGIN)
            give(ev->obj, ev->sem.num);
        break;
    case OP_V2:
        if (ev->phase == PH_BEGIN) {
            give(ev->obj, ev->sem2.num[0]);
            give(ev->obj, ev->sem2.num[1]);
        }
        break;
    case OP_SETVAL:
        if (ok_end)
            give(ev->obj, ev->setval.num);
        gv.setvals++;
        break;
    case OP_SEMOPN:
        for (int i = 0; ok_end && i < ev->semopn.nsops && i < 4; i++)
            if (ev->semopn.op[i] > 0)
                give(ev->obj, ev->semopn.num[i]);
        break;
    case OP_P:
        if (!in_range(ev->obj, ev->sem.num))
            break;
        if (ev->phase == PH_BEGIN) {
            struct p_begun *b = begun_of(ev->pid, true);
            if (b)
                *b = (struct p_begun){ev->pid, ev->obj, ev->sem.num, 0, false};
        } else if (ok_end) {
            struct p_begun *b = begun_of(ev->pid, false);
            int pi = model_find_proc(e->m, ev->pid);
            /* only a P a look saw asleep: one that passed at once needed no giver */
            if (b && b->asleep && pi >= 0 && b->set == ev->obj && b->sem == ev->sem.num &&
                gv.nsuspect < OUTSIDE_MAX_P) {
                struct p_suspect *x = &gv.suspect[gv.nsuspect++];
                *x = (struct p_suspect){ev->pid, b->set, b->sem, b->snap, 0, ""};
                model_proc_label(&e->m->procs[pi], x->who, sizeof x->who);
            }
            if (b)
                b->pid = 0;
        }
        break;
    default: break;
    }
}

/* The P's that passed with nothing of the run's to let them: told once a
 * look later, when no give has turned up since. And the P's asleep now:
 * what the run has given so far, from this look on. */
static void check_suspects(struct engine *e, bool final)
{
    for (int i = 0; i < OUTSIDE_MAX_P; i++) {
        struct p_begun *b = &gv.begun[i];
        int pi = b->pid ? model_find_proc(e->m, b->pid) : -1;
        if (pi < 0 || b->asleep)
            continue;
        const struct model_proc *p = &e->m->procs[pi];
        if (p->state == 'S' && p->kernel.semid >= 0) {
            b->asleep = true;
            b->snap = given(b->set, b->sem);
        }
    }
    int kept = 0;
    for (int i = 0; i < gv.nsuspect; i++) {
        struct p_suspect *x = &gv.suspect[i];
        if (given(x->set, x->sem) != x->snap)
            continue; /* the run gave after all (its event came late): no outsider */
        if (x->looks++ < 1 && !final) {
            gv.suspect[kept++] = *x;
            continue;
        }
        engine_say(e, LINE_EVENT, "outside", "V(outside)",
                   "a process outside the run gave sem %d the unit that let %s through (no V of "
                   "the run's while it slept; sempid now names it)",
                   x->sem, x->who);
    }
    gv.nsuspect = kept;
}

/* The process group /proc/PID/stat shows, or -1 (gone, unreadable). */
static pid_t pgrp_of(pid_t pid)
{
    char path[48], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    int ppid, pgrp;
    char state;
    if (!p || sscanf(p + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
        return -1;
    return pgrp;
}

/* Ours: ipcplay, a process the run tracks, or one in the run's group. */
static bool ours(const struct engine *e, pid_t pid)
{
    if (pid <= 0 || pid == e->self || pid == e->anchor)
        return true;
    for (int i = 0; i < e->nchildren; i++)
        if (e->children[i].pid == pid)
            return true;
    return e->pgid > 0 && pgrp_of(pid) == e->pgid;
}

static void comm_of(pid_t pid, char *buf, size_t len)
{
    char path[48];
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    snprintf(buf, len, "gone");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    char c[32];
    ssize_t n = read(fd, c, sizeof c - 1);
    close(fd);
    if (n <= 0)
        return;
    c[n] = '\0';
    c[strcspn(c, "\n")] = '\0';
    snprintf(buf, len, "%s", c);
}

static void tell(struct engine *e, pid_t pid, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void tell(struct engine *e, pid_t pid, const char *what, const char *fmt, ...)
{
    char comm[32], who[32], detail[160];
    comm_of(pid, comm, sizeof comm);
    snprintf(who, sizeof who, "pid %d", (int)pid);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    engine_say(e, LINE_EVENT, who, what, "a process outside the run (pid %d, %s) %s", (int)pid,
               comm, detail);
}

static bool gone(int err)
{
    return err == EINVAL || err == EIDRM;
}

/* A process of the run is in the middle of an IPC_RMID (begun, not ended):
 * a removal the run makes, whose end event has not come yet. */
static bool removal_in_flight(const struct engine *e)
{
    for (int i = 0; i < e->m->nprocs; i++) {
        const struct model_proc *p = &e->m->procs[i];
        if (!p->exited && (p->op == OP_MSGQ_RMID || p->op == OP_RMID))
            return true;
    }
    return false;
}

/* Removed, and not by the run: still held, and no removal of the run's on
 * its way. */
static bool removed_outside(const struct engine *e, int kind, int id)
{
    return registry_has(kind, id) && !removal_in_flight(e);
}

static int check_sem(struct engine *e, int i, char *why, size_t len)
{
    int id = e->semids[i];
    struct semid_ds ds;
    if (semctl(id, 0, IPC_STAT, (union semun){.buf = &ds}) < 0) {
        if (gone(errno) && removed_outside(e, REG_SEM, id)) {
            snprintf(why, len, "semaphore set %d was removed by a process outside the run", id);
            return 1;
        }
        return 0;
    }
    int nsems = (int)ds.sem_nsems > PLAN_MAX_SEMS ? PLAN_MAX_SEMS : (int)ds.sem_nsems;
    /* SETVAL (and SETALL) set sempid too, but change sem_ctime, which a
     * semop leaves alone: a new ctime says the value was set, not given */
    bool set = st.seen_sem[i] && (long long)ds.sem_ctime != st.ctime[i];
    /* ...to the second: a SETVAL in the very second of the last change of
     * ctime, at or after the last look, would not move it. Then say less. */
    bool unsure = !set && st.ctime[i] >= st.look_sec[i];
    long long now = (long long)time(NULL);
    bool told_set = false;
    char changed[96] = "";
    size_t off = 0;
    for (int k = 0; k < nsems; k++) {
        pid_t pid = semctl(id, k, GETPID);
        int val = semctl(id, k, GETVAL);
        /* a new outside pid, or the same one with a new value: another call of its */
        bool news = pid != st.sempid[i][k] || (st.seen_sem[i] && val != st.semval[i][k]);
        if (pid > 0 && news && !ours(e, pid)) {
            const char *op = !st.seen_sem[i]         ? "a semop"
                             : set                   ? "SETVAL"
                             : unsure                ? "a semop or SETVAL"
                             : val > st.semval[i][k] ? "V"
                             : val < st.semval[i][k] ? "P"
                                                     : "a semop";
            char what[24];
            snprintf(what, sizeof what, "%s(sem %d)", op[0] == 'a' ? "semop" : op, k);
            if (st.seen_sem[i])
                tell(e, pid, what, "did %s on sem %d: semval %d -> %d", op, k, st.semval[i][k],
                     val);
            else
                tell(e, pid, what, "did %s on sem %d: semval %d now", op, k, val);
            told_set |= set;
        }
        if (st.seen_sem[i] && val != st.semval[i][k] && off < sizeof changed) {
            int n = snprintf(changed + off, sizeof changed - off, "%ssem %d %d -> %d",
                             off ? ", " : "", k, st.semval[i][k], val);
            off = n > 0 ? off + (size_t)n : off;
        }
        st.sempid[i][k] = pid;
        st.semval[i][k] = val;
    }
    /* sem_ctime moved and no process of the run set a value since the last
     * look: someone outside did, whose pid the sleepers it let through have
     * already overwritten */
    if (set && !told_set && gv.setvals == st.setvals[i])
        engine_say(e, LINE_EVENT, "outside", "SETVAL",
                   "a process outside the run set semaphore values (sem_ctime moved; the run "
                   "set none)%s%.60s",
                   changed[0] ? ": " : "", changed);
    st.setvals[i] = gv.setvals;
    st.ctime[i] = (long long)ds.sem_ctime;
    st.look_sec[i] = now;
    st.seen_sem[i] = true;
    return 0;
}

static int check_msq(struct engine *e, int i, char *why, size_t len)
{
    int id = e->ipc.msqids[i];
    if (id < 0)
        return 0;
    struct msqid_ds ds;
    if (msgctl(id, IPC_STAT, &ds) < 0) {
        if (gone(errno) && removed_outside(e, REG_MSG, id)) {
            snprintf(why, len, "message queue %d was removed by a process outside the run", id);
            return 1;
        }
        return 0;
    }
    long qnum = (long)ds.msg_qnum;
    if (st.seen_msq[i] && ds.msg_lspid != st.lspid[i] && !ours(e, ds.msg_lspid))
        tell(e, ds.msg_lspid, "msgsnd", "sent a message to queue %d (msgsnd): qnum %ld -> %ld", id,
             st.qnum[i], qnum);
    if (st.seen_msq[i] && ds.msg_lrpid != st.lrpid[i] && !ours(e, ds.msg_lrpid))
        tell(e, ds.msg_lrpid, "msgrcv", "took a message from queue %d (msgrcv): qnum %ld -> %ld",
             id, st.qnum[i], qnum);
    st.lspid[i] = ds.msg_lspid;
    st.lrpid[i] = ds.msg_lrpid;
    st.qnum[i] = qnum;
    st.seen_msq[i] = true;
    return 0;
}

static int check_shm(struct engine *e, int i, char *why, size_t len)
{
    int id = e->shmids[i];
    if (id < 0 || e->plan.shmsegs[i].kind != PLAN_SHM_SYSV)
        return 0;
    struct shmid_ds ds;
    int rc = shmctl(id, IPC_STAT, &ds);
    if ((rc < 0 && gone(errno)) || (rc == 0 && (ds.shm_perm.mode & SHM_DEST))) {
        if (removed_outside(e, REG_SHM, id)) {
            snprintf(why, len, "shm %d was removed by a process outside the run", id);
            return 1;
        }
        return 0;
    }
    if (rc < 0)
        return 0;
    long nattch = (long)ds.shm_nattch;
    if (st.seen_shm[i] && ds.shm_lpid != st.lpid[i] && !ours(e, ds.shm_lpid))
        tell(e, ds.shm_lpid, nattch > st.nattch[i] ? "shmat" : "shmdt",
             "%s shm %d: nattch %ld -> %ld", nattch > st.nattch[i] ? "attached" : "detached", id,
             st.nattch[i], nattch);
    st.lpid[i] = ds.shm_lpid;
    st.nattch[i] = nattch;
    st.seen_shm[i] = true;
    return 0;
}

int outside_check(struct engine *e, char *why, size_t len)
{
    if (!e->active)
        return 0;
    check_suspects(e, false);
    for (int i = 0; i < e->plan.nsemsets; i++)
        if (e->semids[i] >= 0 && check_sem(e, i, why, len))
            return 1;
    for (int i = 0; i < e->plan.nmsgqs; i++)
        if (check_msq(e, i, why, len))
            return 1;
    for (int i = 0; i < e->plan.nshmsegs; i++)
        if (check_shm(e, i, why, len))
            return 1;
    return 0;
}

void outside_final(struct engine *e)
{
    /* a last look at the objects before they go (what they say of a removal
     * is no news now) */
    char why[160];
    for (int i = 0; i < e->plan.nsemsets; i++)
        if (e->semids[i] >= 0)
            check_sem(e, i, why, sizeof why);
    for (int i = 0; i < e->plan.nmsgqs; i++)
        check_msq(e, i, why, sizeof why);
    for (int i = 0; i < e->plan.nshmsegs; i++)
        check_shm(e, i, why, sizeof why);
    /* every process is reaped and every event in: no give can come late */
    check_suspects(e, true);
}
