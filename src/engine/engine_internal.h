/* engine_internal.h — the engine's private state, shared by engine.c,
 * supervisor.c and sampler.c. Front ends see only engine.h. */
#ifndef IPCPLAY_ENGINE_INTERNAL_H
#define IPCPLAY_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine.h"
#include "events.h"
#include "gate.h"
#include "../model/predict.h"
#include "../plan/plan.h"

#define ENGINE_MAX_CHILDREN 300
#define ENGINE_CHILD_SLOTS 1024 /* a power of two, over three times the children */

struct child {
    pid_t pid;
    int role, instance;
    int model_idx;
    int statfd, scfd; /* /proc/PID/stat and /proc/PID/syscall, kept open */
    bool reaped;
    bool adopted; /* an orphan that came to us as subreaper */
    bool dirty;   /* an event came from it since its last /proc read */
    bool settled; /* last read: asleep in a system call */
    int status;
    int sent_sig; /* the last signal ipcplay sent it (kill ROLE SIG), 0 none */
    /* The op during which its struct sembuf was last read (from events):
     * while it is still blocked in that same call, the sembuf is unchanged. */
    uint64_t sembuf_since, sembuf_ops;
    /* processes a role forked, fds, exec (family.c, sampler_fds.c) */
    bool forked;                      /* a role forked it: its parent reaps it, we never do
                                         unless it is adopted */
    pid_t parent;                     /* who forked it */
    int fddirfd, fdinfofd;            /* /proc/PID/fd and fdinfo, kept open; -1 */
    int pidfd;                        /* to signal it safely (pid reuse); -1 */
    bool fds_dirty;                   /* an event says its fd table may have changed */
    bool started;                     /* its op runner started (its fds are the scenario's) */
    bool execd;                       /* it ran exec: the helper waits to be released */
    unsigned seen;                    /* enum model_seen */
    char comm[16];                    /* last comm seen */
    void *shm_addr[PLAN_MAX_SHMSEGS]; /* where it attached a segment itself (shmat op) */
};

/* Message queues, POSIX and anonymous shared memory, and the deadlock watch
 * (objects_ipc.c, sampler_ipc.c). */
struct engine_ipc {
    int msqids[PLAN_MAX_MSGQS];
    int shm_fd[PLAN_MAX_SHMSEGS];        /* POSIX: kept open (O_CLOEXEC) for fstat */
    char shm_name[PLAN_MAX_SHMSEGS][64]; /* POSIX: "/ipcplay-PID-RUN-I" */
    void *shm_map[PLAN_MAX_SHMSEGS];     /* anonymous: the shared mapping children inherit */
    /* System V: where every child attaches it (reserved PROT_NONE here
     * before fork), so the sampler reads it through a child's memory and
     * ipcplay never counts in shm_nattch or sets shm_atime */
    void *shm_at[PLAN_MAX_SHMSEGS];
    bool shm_late_said[PLAN_MAX_SHMSEGS]; /* told why ipcplay attached after all */
    int msg_copy;                         /* MSG_COPY: 0 untried, 1 works, -1 missing, -2 refused */
    unsigned run;                         /* runs started by this process (for names) */
    int deadlock_seen;                    /* samples in a row that showed the same cycle */
    char deadlock_text[192];
};

/* The target of engine_watch(): a process, or objects by plan index. */
struct engine_watch {
    pid_t pid;         /* 0: no process */
    unsigned shm;      /* bit i: segment i */
    uint64_t until_ns; /* events_now_ns() when it lapses; 0: none */
};

struct engine {
    struct model *m;
    int sigfd, timerfd, procfd;
    int drainfd;    /* a one-shot timer: drain again soon while events stream */
    bool streaming; /* the last drain found events: poll them, do not be woken */
    pid_t self;
    int self_statfd;
    struct gate *gate;
    struct event_channel ev;
    int quit_signal;
    int sample_ms;
    double speed;

    /* the current (or last) run */
    bool active;
    bool start_paused;      /* the next engine_start holds everyone before the first op */
    bool interactive;       /* a dashboard: a deadlock pauses the run instead of ending it */
    unsigned breaks;        /* break on ...: bit per enum engine_break */
    uint64_t break_seen;    /* story lines already looked at for breakpoints */
    int break_failed;       /* failed checks when last looked */
    struct predict predict; /* predict on: a question at each breakpoint (breaks.c) */
    const struct scenario_def *scenario;
    long vals[SCENARIO_MAX_PARAMS];
    struct plan plan;
    pid_t pgid;   /* the run's process group: the anchor's pid */
    pid_t anchor; /* its leader, kept unreaped while it is registered */
    struct child children[ENGINE_MAX_CHILDREN];
    int nchildren;
    /* pid -> 1 + index into children (open addressing, 0 empty): every
     * event finds its child (supervisor_find) */
    int16_t child_slot[ENGINE_CHILD_SLOTS];
    int nalive;
    int semids[PLAN_MAX_SEMSETS];
    int shmids[PLAN_MAX_SHMSEGS];
    void *shm_ro[PLAN_MAX_SHMSEGS]; /* the engine's read-only attachments */
    uint64_t t0_ns;
    uint64_t sample_seq;
    struct engine_ipc ipc; /* queues, POSIX/anonymous memory, deadlock watch */
    struct event failure;  /* the run's first FAILED note; op NONE: none yet */
    engine_tap_fn *tap;    /* sees every record after the model applied it */
    void *tap_ctx;
    struct engine_watch watch; /* what an inspect view looks at closer */
    struct engine_sys *sys;    /* whole-system samples (watch.c); NULL until asked */
    struct engine_tree *tree;  /* a watched program's tree (tree.c); NULL none */
};

/* breaks.c: pause at the first new story line (or failed check) that meets
 * a breakpoint */
void engine_breaks_check(struct engine *e);
/* predict (breaks.c): a new run drops an open question (the score goes on
 * until predict is turned on again); the run's end tells the score. */
void engine_predict_reset(struct engine *e);
void engine_predict_end(struct engine *e);

/* emit.c (engine_emit and engine_say are in engine.h) */
/* Nanoseconds since the run started. */
uint64_t engine_now(const struct engine *e);
/* Run the scenario's judge and emit a REC_CHECK for each verdict that changed. */
void engine_judge(struct engine *e, int phase);

/* supervisor.c */
int supervisor_spawn_all(struct engine *e, char *err, size_t errlen);
/* Reap every exited child we own; returns how many were reaped. */
int supervisor_reap(struct engine *e);
/* SIGKILL every live child and reap them all (bounded wait). */
void supervisor_kill_all(struct engine *e);
struct child *supervisor_find(struct engine *e, pid_t pid);
/* A new child entry for pid (cleared, findable), or NULL when full. */
struct child *supervisor_add_child(struct engine *e, pid_t pid);
/* The run is over: kill what is left in its group, forget the group, then
 * reap its anchor. Idempotent. */
void supervisor_release_group(struct engine *e);
/* One child of ours, just sent SIGKILL: wait for it, forget it, reap it. */
void supervisor_end_one(struct engine *e, struct child *c);

/* objects_ipc.c: create, attach and release queues and non-System V memory. */
void objects_ipc_reset(struct engine *e);
int objects_ipc_create_shm(struct engine *e, int i, char *err, size_t errlen);
int objects_ipc_create_msgqs(struct engine *e, char *err, size_t errlen);
/* Tell the model segment i exists (shmid -1 unless System V). */
void objects_ipc_add_seg(struct engine *e, int i, int shmid);
/* After the children are forked: the engine's own read-only views. */
void objects_ipc_attach_readonly(struct engine *e);
/* In a child: map segment i read-write (any kind). NULL on failure. */
void *objects_ipc_child_attach(struct engine *e, int i);
/* Unmap what objects_ipc_* mapped, close its fds (removal is the registry's). */
void objects_ipc_release(struct engine *e);
/* Reserve (PROT_NONE) the address every child attaches System V segment i at. */
void objects_ipc_reserve_sysv(struct engine *e, int i);

/* sampler_ipc.c */
void sampler_ipc_sample(struct engine *e);
/* Segment i of a kind other than System V: size from fstat, no shmid_ds. */
void sampler_ipc_shm_stat(struct engine *e, int i, struct sample_shmseg *s);
struct proc_syscall;
/* Fill k from a msgsnd/msgrcv the child sleeps in; false if it is not one. */
bool sampler_ipc_decode(struct engine *e, struct child *c, const struct proc_syscall *sc,
                        struct model_kernel *k);
/* Look for a cycle in the wait-for graph; returns 1 once the same cycle was
 * seen in two samples in a row (the run should then end). */
int sampler_ipc_deadlock(struct engine *e);

/* sampler.c */
/* full: re-read every child's /proc files; otherwise skip a child that was
 * asleep in a system call at its last read and has sent no event since
 * (nothing can have changed that a view shows), except for a staggered full
 * re-read of each child once every SAMPLER_REFRESH samples. */
#define SAMPLER_REFRESH 10
void sampler_sample(struct engine *e, bool full);
struct ipc_perm;
/* The fields of a struct ipc_perm a sample carries. */
void sampler_perm(struct model_ipc_perm *p, const struct ipc_perm *k);
void sampler_close_child(struct child *c);
/* Sample one process now (outside the timer). */
void sampler_sample_one(struct engine *e, struct child *c);

/* inspect.c: the detail an inspect view shows, for what engine_watch() set. */
void sampler_detail(struct engine *e);

/* family.c: processes forked by a role's fork op (not by us) */
void family_init_child(struct child *c);
/* Before an event is applied to the model: track forked processes, notice
 * reaps and execs, mark fd tables dirty. */
void family_on_event(struct engine *e, const struct event *ev);
/* Track a process a role forked (it may be gone already); NULL when full. */
struct child *family_track(struct engine *e, pid_t pid, pid_t ppid, int role, int instance);
/* Its parent reaped it (or it is gone): stop tracking, count it out. */
void family_gone(struct engine *e, struct child *c);
/* Still there (running or zombie)? */
bool family_exists(const struct child *c);

/* sampler_fds.c: what a process scenario needs of a child: zombie status,
 * the file an openat waits for, exe, fd tables (emitted as their own
 * record first), into s. `stat` is the /proc/PID/stat text just read, NULL
 * if it is gone; false: nothing to add (not observed, or gone). */
bool sampler_fds_child(struct engine *e, struct child *c, const char *stat, struct sample_proc *s);
/* After the child's sample was applied: share what was seen on the board. */
void sampler_fds_seen(struct engine *e, struct child *c);
void sampler_fds_close(struct child *c);
/* After a regular sample: let exec'd helpers that were shown go on. */
void sampler_fds_release(struct engine *e);

/* hints.c: why a call failed, for the one line a person reads. */
/* A role gave up (its FAILED note): a hint for the error line, or "". */
void hints_failure(const struct event *failed, char *buf, size_t len);
/* The message for a semget of nsems semaphores that failed with err. */
void hints_semget(int nsems, int err, char *buf, size_t len);

/* rundir.c: the run's private directory and its files (plan.files) */
int rundir_create(struct engine *e, char *err, size_t errlen);

#endif
