/* record.h — the contract: everything the model learns arrives as one of
 * these records, in one ordered stream (events from the op runners, samples
 * of the kernel's view, and a few front-end records). model_apply() applies
 * any of them; it is the only way the model changes from outside src/model
 * (besides model_init). Plain data, no pointers, fixed sizes: a record can be
 * written to a recording, read back and fuzzed. doc/records.md describes each
 * kind field by field. */
#ifndef IPCPLAY_RECORD_H
#define IPCPLAY_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "model.h"

enum record_kind {
    REC_NONE = 0,
    /* front end: the run and its objects */
    REC_RUN_START,  /* run: a run begins (scenario, params, roles) */
    REC_RUN_STATE,  /* state: running / paused / step / done, speed */
    REC_CLOCK,      /* (no payload): the model's clock reads t_ns */
    REC_PROC_ADD,   /* proc_add: a process appears (forked by ipcplay or by a role) */
    REC_SEMSET_ADD, /* semset_add: a semaphore set was created */
    REC_SHMSEG_ADD, /* shmseg_add: a segment (System V, POSIX, anonymous) was created */
    REC_MSGQ_ADD,   /* msgq_add: a message queue was created */
    REC_RUNDIR,     /* rundir: the run's private directory */
    REC_RUNFILE,    /* runfile: a file of it, by plan index */
    REC_SAY,        /* say: a story line from ipcplay itself, or command output */
    REC_CHECK,      /* check: a judge's verdict on one check */
    REC_CS_PLAN,    /* cs_plan: the critical sections a run has and should complete */
    REC_RUN_ERROR,  /* error: a role gave up; ipcplay ends the run as a runtime error */
    /* events */
    REC_EVENT, /* ev: an op began / ended (the 64-byte event) */
    /* samples: what the kernel said at t_ns */
    REC_SAMPLE_PROC,     /* proc: /proc/PID/stat and syscall, decoded arguments */
    REC_SAMPLE_SELF,     /* self: ipcplay's own CPU time and memory */
    REC_SAMPLE_FDS,      /* fds: a process's fd table (/proc/PID/fd, fdinfo) */
    REC_SAMPLE_SEMSET,   /* sem: semid_ds and every semaphore's value and counts */
    REC_SAMPLE_SHMSEG,   /* shm: shmid_ds (or fstat) and the first bytes */
    REC_SAMPLE_MSGQ,     /* msq: msqid_ds and the messages, copied with MSG_COPY */
    REC_SAMPLE_DEADLOCK, /* dl: a cycle in the wait-for graph, seen twice */
    REC_SAMPLE_END,      /* end: one whole sample was taken */
    REC_DETAIL_PROC,     /* detail: what `inspect PROCESS` shows beyond the sample */
    REC_DETAIL_SHM,      /* mapped: which processes have a segment mapped */
    /* the whole system (watch, ipcs, ipcrm, inspect of foreign objects): sysipc.h */
    REC_SYS_BEGIN,  /* sys_begin: a watch sample starts */
    REC_SYS_OBJ,    /* sys_obj: one object of the system */
    REC_SYS_USE,    /* sys_use: a process uses an object (attached, asleep on it) */
    REC_SYS_PROC,   /* sys_proc: a process the sample names */
    REC_SYS_END,    /* sys_end: the sample is whole; unnamed objects are gone */
    REC_SYS_LIMITS, /* sys_limits: the kernel's IPC limits */
    REC_SYS_FILTER, /* sys_filter: what the watch view lists, in which order */
    /* a watched program's tree (watch -- PROGRAM, watch --pid): tree.h */
    REC_TREE_START, /* tree_start: a watch of a tree begins */
    REC_TREE_BEGIN, /* tree_begin: a sample of the tree starts */
    REC_TREE_PROC,  /* tree_proc: one process of the tree */
    REC_TREE_LINK,  /* tree_link: a pipe, FIFO or socket its processes share */
    REC_TREE_EXIT,  /* tree_exit: a process of the tree was reaped */
    REC_TREE_END,   /* tree_end: the sample is whole */
    REC_TRACE_CALL, /* trace_call: one traced system call */
    REC__COUNT
};

struct rec_run_start {
    char scenario[32];
    char params[192];
    char role_names[MODEL_MAX_ROLES][24];
    int32_t nroles;
    int32_t live; /* 1: a live run (a replay applies it with 0) */
};

struct rec_run_state {
    int32_t state; /* enum run_state */
    int32_t step_tokens;
    double speed; /* 0: max */
};

struct rec_proc_add {
    int32_t pid, ppid;
    int32_t role; /* -1: ipcplay itself */
    int32_t instance;
    int32_t forked; /* 1: forked by a role's fork op (parent0 forked it) */
    int32_t parent0;
    char name[32];
    char state;     /* initial state; 0 leaves '?' */
    char doing[48]; /* initial "doing"; may be "" */
};

struct rec_semset_add {
    int32_t index, semid, nsems;
    uint32_t lockmask;
    int32_t init[MODEL_MAX_SEMS];
    char name[MODEL_MAX_SEMS][12];
};

struct rec_shmseg_add {
    int32_t index, shmid; /* shmid -1 unless System V */
    int32_t kind;         /* 0 System V, 1 POSIX, 2 anonymous */
    int32_t stats, ring_slots;
    uint32_t mode;
    uint64_t segsz;
    char name[64];
};

struct rec_msgq_add {
    int32_t index, msqid;
    uint32_t mode;
    int64_t qbytes;
};

struct rec_rundir {
    char path[108];
};

struct rec_runfile {
    int32_t index;
    char name[24];
};

/* What a judge (the sem scenario's) says of the critical sections. */
struct rec_cs_plan {
    int64_t expected;  /* entries the run should complete in total */
    int32_t nsections; /* > 1: one critical section per semaphore */
};

/* A role gave up (its FAILED event came first): the run ends in error. */
struct rec_run_error {
    char hint[160]; /* why the call failed, for the error line; may be "" */
};

struct rec_say {
    int32_t kind; /* as model_line.kind: 0 story, 1 command output, 2 error */
    int32_t pid;  /* the process it is about; 0: none */
    char who[32], what[40], detail[128];
};

/* Flags of struct sample_proc. */
enum sample_proc_flag {
    SP_STAT = 1u << 0,      /* /proc/PID/stat was read: state..rss_pages are valid */
    SP_OBSERVED = 1u << 1,  /* a process scenario: zombie, refine, adoption, exe, fds */
    SP_PATH = 1u << 2,      /* openat: path holds the file name it opens */
    SP_EXE = 1u << 3,       /* exe holds a fresh read of /proc/PID/exe */
    SP_EXEC_LOOK = 1u << 4, /* first look after its exec: exe_before is ipcplay's exe */
};

struct sample_proc {
    int32_t pid;
    uint32_t flags; /* enum sample_proc_flag */
    char state;
    char comm[16];
    int32_t ppid;
    int32_t zombie_status; /* state Z: the exit status waiting in the process table */
    uint64_t minflt, majflt, utime, stime;
    int64_t rss_pages;
    /* /proc/PID/syscall and what was decoded from it (sembuf, msgsnd type,
     * msgrcv selector); text is left empty: the model writes it. */
    struct model_kernel kernel;
    char path[48];
    char exe[96];
    char exe_before[96];
};

struct sample_self {
    int32_t pid;
    uint64_t utime, stime;
    int64_t rss_pages;
};

struct sample_semset {
    int32_t index; /* index into model.semsets */
    int32_t nsems;
    uint32_t mode;
    int64_t otime, ctime;
    struct model_ipc_perm perm;
    int32_t val[MODEL_MAX_SEMS], ncnt[MODEL_MAX_SEMS], zcnt[MODEL_MAX_SEMS];
    int32_t lastpid[MODEL_MAX_SEMS];
};

struct sample_shmseg {
    int32_t index;   /* index into model.shmsegs */
    int32_t stat_ok; /* 1: shmctl IPC_STAT (System V) or fstat (POSIX) worked */
    uint64_t segsz;
    uint32_t mode;
    int64_t nattch; /* -1: not System V (no attach count) */
    int32_t cpid, lpid;
    int64_t atime, dtime, ctime;
    struct model_ipc_perm perm; /* POSIX: uid, gid and mode of the file in /dev/shm */
    uint64_t ino;               /* POSIX: the file's inode */
    int32_t has_peek;
    uint32_t peek_len;
    uint8_t peek[MODEL_SHM_PEEK];
    /* A stats segment: its struct cs_stats (plan.h), as the sampler read it. */
    int32_t has_cs;
    struct sample_cs {
        int32_t occupancy, max_occupancy;
        int64_t entries;
        struct sample_cs_section {
            int32_t occupancy, max_occupancy;
            int64_t counter, entries;
        } sect[MODEL_MAX_SECTIONS];
    } cs;
};

struct sample_msgq {
    int32_t index;   /* index into model.msgqs */
    int32_t removed; /* IPC_STAT said EINVAL/EIDRM: the rest is unset */
    uint32_t mode;
    int64_t qnum, cbytes, qbytes;
    int32_t lspid, lrpid;
    int64_t stime, rtime, ctime;
    struct model_ipc_perm perm;
    int32_t peek_state; /* enum peek_state */
    int32_t npeek;
    struct model_msg_peek peek[MODEL_MSG_PEEK];
};

struct sample_deadlock {
    int32_t n; /* processes in the cycle; 0: the cycle found before is broken, text says how */
    char text[192];
};

struct sample_end {
    int64_t wall_s; /* CLOCK_REALTIME seconds when it was taken ("3s ago") */
};

struct detail_shm {
    int32_t index; /* index into model.shmsegs */
    int32_t n;
    int32_t pids[MODEL_MAX_MAPPERS];
};

struct record {
    enum record_kind kind;
    uint64_t t_ns; /* CLOCK_MONOTONIC ns since the run started */
    union {
        struct rec_run_start run;
        struct rec_run_state state;
        struct rec_proc_add proc_add;
        struct rec_semset_add semset_add;
        struct rec_shmseg_add shmseg_add;
        struct rec_msgq_add msgq_add;
        struct rec_rundir rundir;
        struct rec_runfile runfile;
        struct rec_say say;
        struct model_check check;
        struct rec_cs_plan cs_plan;
        struct rec_run_error error;
        struct event ev;
        struct sample_proc proc;
        struct sample_self self;
        struct model_fdtable fds;
        struct sample_semset sem;
        struct sample_shmseg shm;
        struct sample_msgq msq;
        struct sample_deadlock dl;
        struct sample_end end;
        struct model_proc_detail detail;
        struct detail_shm mapped;
        struct sys_begin sys_begin;
        struct sys_obj sys_obj;
        struct sys_use sys_use;
        struct sys_proc sys_proc;
        struct sys_end sys_end;
        struct sys_limits sys_limits;
        struct sysipc_filter sys_filter;
        struct tree_start tree_start;
        struct tree_begin tree_begin;
        struct tree_proc tree_proc;
        struct tree_link tree_link;
        struct tree_exit tree_exit;
        struct tree_end tree_end;
        struct trace_call trace_call;
    } u;
};

/* A zeroed record of this kind at time t (padding included, so two copies
 * of the same record compare equal byte for byte). */
void record_init(struct record *r, enum record_kind kind, uint64_t t_ns);
const char *record_kind_name(enum record_kind kind);
/* Bytes of a record of this kind that carry something (header and payload):
 * the rest of the union is zero. */
size_t record_size(enum record_kind kind);

/* Apply one record. Out-of-range indexes, unknown pids and unterminated
 * strings are ignored or cut, never trusted. */
void model_apply(struct model *m, const struct record *r);

/* A scenario's judge: reads the model, sets checks with model_set_check (and
 * cs.expected and cs.nsections, the sem scenario's); nothing else. */
typedef void model_judge_fn(struct model *m, const long *vals, int phase);
struct model_verdict {
    struct model_check checks[MODEL_MAX_CHECKS];
    int nchecks;
    long long cs_expected;
    int cs_nsections;
};
/* What the judge says now, without changing m: it runs on m, what it set is
 * copied to out, and m gets its own back. The caller applies the verdict as
 * REC_CHECK and REC_CS_PLAN records. */
void model_judge_dry(struct model *m, model_judge_fn *judge, const long *vals, int phase,
                     struct model_verdict *out);

#endif
