/* hand.c — "you", the console's hand in the run (see hand.h): the engine's
 * side (fork it into the run's group, hand it commands, interrupt it, kill
 * and reap it with the run) and its own loop, which makes each call and
 * tells it through the op events every role uses (P, V, WAIT0, P2/V2,
 * SETVAL, MSGSND, MSGRCV, MSGQ_RMID, and the hand's SEMOPN and RMID). */
#include "hand.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../model/msgwire.h"
#include "engine_internal.h"
#include "ops.h"
#include "procfs.h"
#include "registry.h"
#include "sysv.h"
#include "../model/i18n.h"

/* What `you` and the engine share: commands finished so far. */
struct hand_shared {
    _Atomic uint32_t done;
};

/* One engine per process (engine.h), so one hand. */
static struct {
    pid_t pid;
    int cmdfd; /* write end of its command pipe */
    struct hand_shared *sh;
    uint32_t sent;
    int child;    /* its index in e->children, -1 */
    char did[64]; /* the first call of yours that changed the run's objects, "" */
} hand = {0, -1, NULL, 0, -1, ""};

/* ---- in `you` ----------------------------------------------------------- */

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1; /* only to make the call return EINTR (no SA_RESTART) */
}

static void hand_begin(struct runner *r, struct event *ev)
{
    /* No gate: the run's pause holds the roles, not the hand. */
    ev->t_ns = gate_clock_ns(r->gate, r->t0_ns);
    ev->phase = PH_BEGIN;
    runner_send(r, ev);
}

static int semid_of(const struct runner *r, int obj)
{
    return obj >= 0 && obj < PLAN_MAX_SEMSETS ? r->semids[obj] : -1;
}

static short sem_flags(uint16_t flags)
{
    return (short)(((flags & OPF_UNDO) ? SEM_UNDO : 0) | ((flags & OPF_NOWAIT) ? IPC_NOWAIT : 0));
}

/* One sembuf: P, V or wait-for-zero, told as the roles' ones are. */
static void do_semop1(struct runner *r, const struct hand_cmd *c)
{
    int op = c->sops[0].op, num = c->sops[0].num;
    struct op o = {.kind = (uint8_t)(op < 0   ? OP_P
                                     : op > 0 ? OP_V
                                              : OP_WAIT0),
                   .obj = c->obj,
                   .flags = c->flags};
    struct event ev = runner_event(r, &o, PH_BEGIN);
    ev.sem.num = num;
    ev.sem.amount = abs(op) > 1 ? abs(op) : 0;
    uint64_t first = events_now_ns();
    hand_begin(r, &ev);
    int semid = semid_of(r, c->obj);
    struct sembuf sb = {(unsigned short)num, (short)op, sem_flags(c->flags)};
    int rc = semop(semid, &sb, 1);
    int err = errno;
    ev.sem.waited_ns = (int64_t)(events_now_ns() - first);
    if (rc < 0 && err == EINTR)
        ev.sem.ncnt = semctl(semid, num, op ? GETNCNT : GETZCNT);
    runner_end(r, &ev, rc, err);
}

/* Two or more sembufs in one semop: all applied or none. Two of one sign
 * and size are P2/V2 (the roles' two-lock op); any other mix is SEMOPN. */
static void do_semopn(struct runner *r, const struct hand_cmd *c)
{
    int semid = semid_of(r, c->obj);
    struct sembuf sb[HAND_MAX_SOPS];
    int n = c->nsops > HAND_MAX_SOPS ? HAND_MAX_SOPS : c->nsops;
    for (int i = 0; i < n; i++)
        sb[i] = (struct sembuf){(unsigned short)c->sops[i].num, c->sops[i].op, sem_flags(c->flags)};
    bool pair = n == 2 && c->sops[0].op == c->sops[1].op && c->sops[0].op != 0 &&
                c->sops[0].num != c->sops[1].num;
    struct op o = {.kind = (uint8_t)(pair ? (c->sops[0].op < 0 ? OP_P2 : OP_V2) : OP_SEMOPN),
                   .obj = c->obj,
                   .flags = c->flags};
    struct event ev = runner_event(r, &o, PH_BEGIN);
    if (pair) {
        ev.sem2.num[0] = c->sops[0].num;
        ev.sem2.num[1] = c->sops[1].num;
        ev.sem2.amount = (int16_t)abs(c->sops[0].op);
        ev.sem2.calls = 1;
    } else {
        ev.semopn.nsops = (uint8_t)n;
        for (int i = 0; i < n; i++) {
            ev.semopn.num[i] = (uint8_t)c->sops[i].num;
            ev.semopn.op[i] = c->sops[i].op;
        }
    }
    hand_begin(r, &ev);
    for (int i = 0; i < n; i++) {
        int v = semctl(semid, sb[i].sem_num, GETVAL);
        if (pair)
            ev.sem2.before[i] = (int16_t)v;
        else
            ev.semopn.before[i] = (int16_t)v;
    }
    int rc = semop(semid, sb, (size_t)n);
    int err = errno;
    for (int i = 0; i < n; i++) {
        int v = semctl(semid, sb[i].sem_num, GETVAL);
        if (pair)
            ev.sem2.after[i] = (int16_t)v;
        else
            ev.semopn.after[i] = (int16_t)v;
    }
    if (rc < 0 && err == EINTR) {
        int ncnt = semctl(semid, sb[0].sem_num, GETNCNT);
        if (pair)
            ev.sem2.ncnt = ncnt;
        else
            ev.semopn.ncnt = (int16_t)ncnt;
    }
    runner_end(r, &ev, rc, err);
}

static void do_setval(struct runner *r, const struct hand_cmd *c)
{
    struct op o = {.kind = OP_SETVAL, .obj = c->obj};
    struct event ev = runner_event(r, &o, PH_BEGIN);
    int semid = semid_of(r, c->obj), num = c->sops[0].num;
    ev.setval.num = num;
    ev.setval.val = c->val;
    hand_begin(r, &ev);
    ev.setval.before = semctl(semid, num, GETVAL);
    ev.setval.ncnt = semctl(semid, num, GETNCNT);
    ev.setval.zcnt = semctl(semid, num, GETZCNT);
    int rc = semctl(semid, num, SETVAL, (union semun){.val = c->val});
    int err = errno;
    ev.setval.after = semctl(semid, num, GETVAL);
    runner_end(r, &ev, rc, err);
}

/* The text goes after a msgwire header naming `you` as the sender, with
 * the text's checksum: a receiver that checks messages finds it whole. */
static void do_msgsnd(struct runner *r, const struct hand_cmd *c)
{
    static struct {
        long mtype;
        unsigned char mtext[sizeof(struct msgwire_head) + HAND_MAX_TEXT];
    } msg;
    int tlen = c->len < 0 ? 0 : c->len > HAND_MAX_TEXT ? HAND_MAX_TEXT : c->len;
    int len = (int)sizeof(struct msgwire_head) + tlen;
    int32_t seq = ++r->msg_seq;
    struct msgwire_head h = {
        MSGWIRE_MAGIC, (int16_t)r->role, (int16_t)r->instance, seq, (int32_t)c->type, len, 0};
    memcpy(msg.mtext + sizeof h, c->text, (size_t)tlen);
    h.sum = msgwire_sum(msg.mtext + sizeof h, (size_t)tlen);
    memcpy(msg.mtext, &h, sizeof h);
    msg.mtype = c->type;
    struct op o = {.kind = OP_MSGSND, .obj = c->obj, .flags = c->flags};
    struct event ev = runner_event(r, &o, PH_BEGIN);
    ev.msgsnd.type = (int32_t)c->type;
    ev.msgsnd.len = len;
    ev.msgsnd.seq = seq;
    hand_begin(r, &ev);
    int rc = msgsnd(r->msqids[c->obj], &msg, (size_t)len, (c->flags & OPF_NOWAIT) ? IPC_NOWAIT : 0);
    runner_end(r, &ev, rc, errno);
}

static void do_msgrcv(struct runner *r, const struct hand_cmd *c)
{
    static struct {
        long mtype;
        unsigned char mtext[8192];
    } msg;
    int bufsz = (int)sizeof msg.mtext;
    int flags = ((c->flags & OPF_NOERROR) ? MSG_NOERROR : 0) |
                ((c->flags & OPF_EXCEPT) ? MSG_EXCEPT : 0) |
                ((c->flags & OPF_NOWAIT) ? IPC_NOWAIT : 0);
    struct op o = {.kind = OP_MSGRCV, .obj = c->obj, .flags = c->flags};
    struct event ev = runner_event(r, &o, PH_BEGIN);
    ev.msgrcv.sel = (int32_t)c->type;
    ev.msgrcv.how = msgwire_how(0, 0, bufsz);
    hand_begin(r, &ev);
    ssize_t n = msgrcv(r->msqids[c->obj], &msg, (size_t)bufsz, c->type, flags);
    int err = errno;
    if (n < 0) {
        runner_end(r, &ev, -1, err);
        return;
    }
    struct msgwire_head h;
    memset(&h, 0, sizeof h);
    if ((size_t)n >= sizeof h)
        memcpy(&h, msg.mtext, sizeof h);
    bool known = h.magic == MSGWIRE_MAGIC;
    bool sum_ok =
        known && n == h.len && msgwire_sum(msg.mtext + sizeof h, (size_t)n - sizeof h) == h.sum;
    ev.msgrcv.type = (int32_t)msg.mtype;
    ev.msgrcv.who = msgwire_who(known ? h.role : -1, known ? h.instance : 0, known ? h.seq : 0);
    ev.msgrcv.how = msgwire_how(known ? h.len : (int)n, sum_ok, bufsz);
    runner_end(r, &ev, (int32_t)n, 0);
}

static void do_rmid(struct runner *r, const struct hand_cmd *c, const int *shmids)
{
    if (c->what == HAND_OBJ_MSQ) {
        struct op o = {.kind = OP_MSGQ_RMID, .obj = c->obj};
        struct event ev = runner_event(r, &o, PH_BEGIN);
        hand_begin(r, &ev);
        struct msqid_ds ds;
        int qid = r->msqids[c->obj];
        ev.msgq_rmid.left = msgctl(qid, IPC_STAT, &ds) == 0 ? (long)ds.msg_qnum : 0;
        int rc = msgctl(qid, IPC_RMID, NULL);
        runner_end(r, &ev, rc, errno);
        return;
    }
    struct op o = {.kind = OP_RMID, .obj = c->obj};
    struct event ev = runner_event(r, &o, PH_BEGIN);
    ev.rmid.what = c->what;
    int rc;
    if (c->what == HAND_OBJ_SEM) {
        ev.rmid.id = semid_of(r, c->obj);
        hand_begin(r, &ev);
        int k = 0;
        struct semid_ds ds;
        if (semctl(ev.rmid.id, 0, IPC_STAT, (union semun){.buf = &ds}) == 0)
            for (unsigned i = 0; i < ds.sem_nsems; i++)
                k += semctl(ev.rmid.id, (int)i, GETNCNT) + semctl(ev.rmid.id, (int)i, GETZCNT);
        ev.rmid.left = k;
        rc = semctl(ev.rmid.id, 0, IPC_RMID);
    } else {
        ev.rmid.id = shmids[c->obj];
        hand_begin(r, &ev);
        struct shmid_ds ds;
        ev.rmid.left = shmctl(ev.rmid.id, IPC_STAT, &ds) == 0 ? (long)ds.shm_nattch : 0;
        rc = shmctl(ev.rmid.id, IPC_RMID, NULL);
    }
    runner_end(r, &ev, rc, errno);
}

static _Noreturn void you_main(struct engine *e, int cmdfd, int role)
{
    pid_t parent = e->self;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(3);
    runner_reset_signals();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL); /* no SA_RESTART: a sleeping call returns EINTR */
    (void)!nice(10);
    /* Out of the way of 3 and 4 first, then there. */
    int evfd = fcntl(e->ev.wfd, F_DUPFD, 10);
    int cfd = fcntl(cmdfd, F_DUPFD, 10);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
    }
    dup2(evfd, 3);
    dup2(cfd, 4);
    fcntl(3, F_SETFD, 0);
    fcntl(4, F_SETFD, 0);
    close_range(5, ~0u, 0);
    prctl(PR_SET_NAME, "you");
    struct runner r;
    memset(&r, 0, sizeof r);
    r.gate = e->gate;
    r.evfd = 3;
    r.role = role;
    r.instance = 1;
    r.instances = 1;
    r.t0_ns = e->t0_ns;
    r.plan = &e->plan;
    r.engine_pid = parent;
    for (int i = 0; i < PLAN_MAX_SEMSETS; i++)
        r.semids[i] = e->semids[i];
    for (int i = 0; i < PLAN_MAX_MSGQS; i++)
        r.msqids[i] = e->ipc.msqids[i];
    int shmids[PLAN_MAX_SHMSEGS];
    memcpy(shmids, e->shmids, sizeof shmids);
    struct hand_shared *sh = hand.sh;
    for (;;) {
        struct hand_cmd c;
        ssize_t n = read(4, &c, sizeof c);
        if (n == 0)
            _exit(0); /* the engine closed the pipe */
        if (n < 0 && errno == EINTR)
            continue; /* a Ctrl-C between calls interrupts nothing */
        if (n != (ssize_t)sizeof c)
            _exit(3);
        interrupted = 0;
        switch (c.kind) {
        case HAND_SEMOP:
            if (c.nsops == 1)
                do_semop1(&r, &c);
            else
                do_semopn(&r, &c);
            break;
        case HAND_SETVAL: do_setval(&r, &c); break;
        case HAND_MSGSND: do_msgsnd(&r, &c); break;
        case HAND_MSGRCV: do_msgrcv(&r, &c); break;
        case HAND_RMID: do_rmid(&r, &c, shmids); break;
        default: break;
        }
        atomic_fetch_add(&sh->done, 1);
    }
}

/* ---- in the engine ------------------------------------------------------ */

void hand_reset(struct engine *e)
{
    (void)e;
    if (hand.cmdfd >= 0)
        close(hand.cmdfd);
    if (hand.sh)
        munmap(hand.sh, sizeof *hand.sh);
    hand.pid = 0;
    hand.cmdfd = -1;
    hand.sh = NULL;
    hand.sent = 0;
    hand.child = -1;
}

void hand_run_reset(void)
{
    hand.did[0] = '\0';
}

/* What c changes, in words for a check it breaks; "" when it changes
 * nothing another process relies on (a P, a wait, a receive). */
static void describe(const struct hand_cmd *c, char *buf, size_t len)
{
    buf[0] = '\0';
    if (c->kind == HAND_SEMOP) {
        bool gives = false;
        for (int i = 0; i < c->nsops; i++)
            gives |= c->sops[i].op > 0;
        if (gives && c->nsops == 1)
            snprintf(buf, len, "V(sem %d, %d)", c->sops[0].num, c->sops[0].op);
        else if (gives)
            snprintf(buf, len, "a semop that gives");
    } else if (c->kind == HAND_SETVAL) {
        snprintf(buf, len, "SETVAL(sem %d, %d)", c->sops[0].num, c->val);
    } else if (c->kind == HAND_MSGSND) {
        snprintf(buf, len, "msgsnd(type %lld)", (long long)c->type);
    } else if (c->kind == HAND_MSGRCV) {
        snprintf(buf, len, "msgrcv (a message taken)");
    } else if (c->kind == HAND_RMID) {
        snprintf(buf, len, "IPC_RMID of the %s",
                 c->what == HAND_OBJ_SEM   ? "semaphore set"
                 : c->what == HAND_OBJ_MSQ ? "queue"
                                           : "segment");
    }
}

void hand_mark_checks(struct model_check *checks, int nchecks)
{
    if (!hand.did[0])
        return;
    for (int i = 0; i < nchecks; i++) {
        struct model_check *c = &checks[i];
        if (c->status != CHECK_FAILED)
            continue;
        char detail[sizeof c->detail];
        snprintf(detail, sizeof detail, "by your hand, you did %.60s: %.290s", hand.did, c->detail);
        memset(c->detail, 0, sizeof c->detail);
        memcpy(c->detail, detail, sizeof detail);
        c->status = CHECK_BROKEN;
    }
}

static struct child *hand_child(const struct engine *e)
{
    if (hand.child < 0 || hand.child >= e->nchildren)
        return NULL;
    struct child *c = (struct child *)&e->children[hand.child];
    return c->pid == hand.pid ? c : NULL;
}

pid_t engine_hand_pid(const struct engine *e)
{
    const struct child *c = hand_child(e);
    return c && !c->reaped ? c->pid : 0;
}

int hand_roles_alive(const struct engine *e)
{
    return e->nalive - (engine_hand_pid(e) > 0 ? 1 : 0);
}

bool engine_hand_busy(const struct engine *e)
{
    return engine_hand_pid(e) > 0 && hand.sh && atomic_load(&hand.sh->done) != hand.sent;
}

int engine_hand_interrupt(struct engine *e)
{
    if (!engine_hand_busy(e))
        return -1;
    /* Our own child, not reaped yet: its pid is still its own. */
    return engine_kill(e, hand.pid, SIGINT);
}

/* The model's role index for `you`: the one after the scenario's roles
 * (engine.c names it at the run's start). */
static int hand_role(const struct engine *e)
{
    return e->plan.nroles;
}

static int hand_spawn(struct engine *e, char *err, size_t errlen)
{
    if (e->pgid <= 0 || e->anchor <= 0) {
        snprintf(err, errlen, _("the run's process group is gone: no hand can join it"));
        return -1;
    }
    if (hand_role(e) >= MODEL_MAX_ROLES || e->nchildren >= ENGINE_MAX_CHILDREN) {
        snprintf(err, errlen, _("this run has no room for one more process (you)"));
        return -1;
    }
    struct hand_shared *sh =
        mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        snprintf(err, errlen, _("cannot start you: %s"), strerror(errno));
        return -1;
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        snprintf(err, errlen, _("cannot start you: %s"), strerror(errno));
        munmap(sh, sizeof *sh);
        return -1;
    }
    hand.sh = sh;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, _("fork failed: %s"), strerror(errno));
        close(p[0]);
        close(p[1]);
        hand_reset(e);
        return -1;
    }
    if (pid == 0) {
        setpgid(0, e->pgid);
        you_main(e, p[0], hand_role(e));
    }
    close(p[0]);
    setpgid(pid, e->pgid);
    if (registry_add(REG_PID, pid, NULL) < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(p[1]);
        hand_reset(e);
        snprintf(err, errlen, _("too many objects"));
        return -1;
    }
    hand.pid = pid;
    hand.cmdfd = p[1];
    hand.child = e->nchildren;
    struct child *c = supervisor_add_child(e, pid); /* found by pid like the roles */
    family_init_child(c);
    c->role = hand_role(e);
    c->instance = 1;
    c->started = true;
    c->statfd = procfs_open(e->procfd, pid, "stat");
    c->scfd = procfs_open(e->procfd, pid, "syscall");
    struct record r;
    record_init(&r, REC_PROC_ADD, e->m->now_ns);
    struct rec_proc_add *a = &r.u.proc_add;
    a->pid = pid;
    a->ppid = e->self;
    a->role = c->role;
    a->instance = 1;
    snprintf(a->name, sizeof a->name, "you");
    a->state = 'S';
    snprintf(a->doing, sizeof a->doing, "waiting for your command");
    engine_emit(e, &r);
    c->model_idx = model_find_proc(e->m, pid);
    e->nalive++;
    record_init(&r, REC_EVENT, engine_now(e));
    r.u.ev = (struct event){.t_ns = r.t_ns,
                            .pid = pid,
                            .role = (int16_t)c->role,
                            .instance = 1,
                            .op = OP_SPAWNED,
                            .phase = PH_NOTE};
    engine_emit(e, &r);
    engine_say(e, LINE_NOTE, "ipcplay", "you",
               _("you[%d] joins the run: a real process in its group that makes the calls you "
                 "type (its own SEM_UNDO; it dies with the run)"),
               (int)pid);
    return 0;
}

/* Is object obj of its kind one the run has (and has not removed)? */
static int check_object(const struct engine *e, const struct hand_cmd *c, char *err, size_t errlen)
{
    bool sem = c->kind == HAND_SEMOP || c->kind == HAND_SETVAL ||
               (c->kind == HAND_RMID && c->what == HAND_OBJ_SEM);
    bool msq = c->kind == HAND_MSGSND || c->kind == HAND_MSGRCV ||
               (c->kind == HAND_RMID && c->what == HAND_OBJ_MSQ);
    if (sem) {
        if (c->obj >= e->plan.nsemsets) {
            snprintf(err, errlen,
                     _("this run has no semaphore set (try a sem, deadlock or msgq run)"));
            return -1;
        }
        int nsems = e->plan.semsets[c->obj].nsems;
        for (int i = 0; c->kind != HAND_RMID && i < c->nsops; i++)
            if (c->sops[i].num >= nsems) {
                snprintf(err, errlen, _("no semaphore %d: this run's set has %d (0 to %d)"),
                         c->sops[i].num, nsems, nsems - 1);
                return -1;
            }
        return 0;
    }
    if (msq) {
        if (c->obj >= e->plan.nmsgqs || e->ipc.msqids[c->obj] < 0) {
            snprintf(err, errlen, _("this run has no message queue (try a msgq run)"));
            return -1;
        }
        return 0;
    }
    if (c->obj >= e->plan.nshmsegs || e->plan.shmsegs[c->obj].kind != PLAN_SHM_SYSV ||
        e->shmids[c->obj] < 0) {
        snprintf(err, errlen, _("this run has no System V shared memory segment"));
        return -1;
    }
    return 0;
}

int engine_hand(struct engine *e, const struct hand_cmd *c, char *err, size_t errlen)
{
    if (!e->active) {
        snprintf(err, errlen, _("no run: start one first (run sem)"));
        return -1;
    }
    if (check_object(e, c, err, errlen) < 0)
        return -1;
    struct child *ch = hand_child(e);
    if (ch && ch->reaped) {
        snprintf(err, errlen, _("you[%d] is gone (killed): the next run has a new you"),
                 (int)ch->pid);
        return -1;
    }
    if (engine_hand_busy(e)) {
        const struct model_proc *p = ch ? &e->m->procs[ch->model_idx] : NULL;
        snprintf(err, errlen, _("you is still in %s: Ctrl-C (on an empty line) interrupts it"),
                 p && model_proc_doing(p)[0] ? model_proc_doing(p) : "its last call");
        return -1;
    }
    if (!ch && hand_spawn(e, err, errlen) < 0)
        return -1;
    ssize_t n;
    do
        n = write(hand.cmdfd, c, sizeof *c);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof *c) {
        snprintf(err, errlen, _("cannot reach you: %s"), n < 0 ? strerror(errno) : "short write");
        return -1;
    }
    hand.sent++;
    if (!hand.did[0])
        describe(c, hand.did, sizeof hand.did);
    return 0;
}

void hand_end(struct engine *e)
{
    struct child *c = hand_child(e);
    if (c && !c->reaped) {
        /* Unreaped, so still ours: kill, forget, then reap (supervisor). */
        kill(c->pid, SIGKILL);
        supervisor_end_one(e, c);
    }
    hand_reset(e);
}
