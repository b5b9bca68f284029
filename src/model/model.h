/* model.h — the one model every view reads: plain data filled by events (from
 * the op runners) and samples (from the kernel), or by a replayer. No I/O, no
 * syscalls: a view cannot tell a live run from a replay. */
#ifndef IPCPLAY_MODEL_H
#define IPCPLAY_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"

#define MODEL_MAX_PROCS 320
#define MODEL_MAX_SEMSETS 4
#define MODEL_MAX_SEMS 32
#define MODEL_MAX_SHMSEGS 4
#define MODEL_SHM_PEEK 256
#define MODEL_MAX_CHECKS 8
#define MODEL_STORY_CAP 4096
#define MODEL_MAX_ROLES 8

enum run_state { RUN_IDLE = 0, RUN_RUNNING, RUN_PAUSED, RUN_STEP, RUN_DONE };
enum check_status { CHECK_PENDING = 0, CHECK_OK, CHECK_FAILED };

/* What the kernel says a process is doing (from /proc/PID/syscall and, for
 * semtimedop, the struct sembuf it passed). */
struct model_kernel {
    long nr;              /* syscall number; -1 in user space; -2 running; -3 unknown */
    unsigned long args[6];
    int semid;            /* for semop/semtimedop: set id; else -1 */
    int nsops;
    int sem_num;          /* first sembuf: which semaphore */
    int sem_op;           /* and which operation */
    int sem_flg;
    char text[64];        /* "semtimedop(sem 0, -1)", "clock_nanosleep", ... */
};

struct model_proc {
    pid_t pid;
    pid_t ppid;
    int role;             /* plan role index; -1 for ipcplay itself */
    int instance;         /* 1-based */
    char name[32];        /* "worker-3" */
    char state;           /* R S D Z T t X I, or '?' before the first sample; 'x' gone */
    bool exited;          /* reaped by the engine */
    int wait_status;      /* when exited */
    /* op runner's view, from events */
    int op;               /* enum op_kind being executed, OP_NONE when between ops */
    char doing[48];       /* "P(sem 0)", "in critical", "thinking" */
    uint64_t doing_since; /* ns */
    uint64_t ops_done;
    /* kernel's view, from samples */
    struct model_kernel kernel;
    unsigned long minflt, majflt;
    unsigned long long utime, stime; /* clock ticks */
    long rss_pages;
};

struct model_semset {
    int index;            /* plan index */
    int semid;
    int nsems;
    unsigned mode;
    long long otime, ctime; /* seconds since the epoch */
    int val[MODEL_MAX_SEMS];
    int ncnt[MODEL_MAX_SEMS];
    int zcnt[MODEL_MAX_SEMS];
    pid_t lastpid[MODEL_MAX_SEMS];
    pid_t holder[MODEL_MAX_SEMS]; /* from events: passed P and not yet V; 0 none */
};

struct model_shmseg {
    int index;
    int shmid;
    size_t segsz;
    unsigned mode;
    long nattch;
    pid_t cpid, lpid;
    long long atime, dtime, ctime;
    unsigned char peek[MODEL_SHM_PEEK]; /* the first bytes, as the engine's
                                           read-only attach sees them */
    size_t peek_len;
    bool stats;           /* holds struct cs_stats */
};

/* Critical-section bookkeeping as last sampled from the stats segment. */
struct model_cs {
    bool present;
    int occupancy;
    int max_occupancy;
    long long entries;
    long long counter;
    long long expected;   /* entries the run should complete in total */
};

struct model_check {
    char name[32];
    int status;           /* enum check_status */
    char detail[112];
};

/* One line of the story: the event log in plain words. */
struct model_line {
    uint64_t t_ns;
    int proc;             /* index into procs, -1 for the engine */
    int kind;             /* 0 event, 1 command output, 2 error */
    char who[32];         /* "worker-2[4711]" */
    char what[40];        /* "P(sem 0)" */
    char detail[128];     /* "acquired, waited 0.301 s; semval 1 -> 0" */
};

struct model {
    char scenario[32];
    char params[192];     /* "workers=4 rounds=5 ..." */
    char role_names[MODEL_MAX_ROLES][24];
    int nroles;
    int state;            /* enum run_state */
    int step_tokens;      /* ops still allowed in step mode */
    double speed;         /* 0 means max (no delays) */
    uint64_t now_ns;      /* time of the latest event or sample */
    uint64_t samples;
    bool live;            /* false when replaying */

    struct model_proc procs[MODEL_MAX_PROCS];
    int nprocs;
    struct model_semset semsets[MODEL_MAX_SEMSETS];
    int nsemsets;
    struct model_shmseg shmsegs[MODEL_MAX_SHMSEGS];
    int nshmsegs;
    struct model_cs cs;
    struct model_check checks[MODEL_MAX_CHECKS];
    int nchecks;

    /* story ring: line i (0-based from the first ever) lives at i % CAP */
    struct model_line story[MODEL_STORY_CAP];
    uint64_t story_count;
    uint64_t events;
    uint64_t ops_begun;   /* ops that passed the gate (one begin event each):
                             `step N` advances this by exactly N */
    /* bumped whenever something views show changes, per area */
    uint64_t gen_procs, gen_objects, gen_story, gen_header;
};

void model_init(struct model *m);
/* A process appears (the engine forked it or adopted it). Returns its index. */
int model_add_proc(struct model *m, pid_t pid, pid_t ppid, int role, int instance,
                   const char *name);
int model_find_proc(const struct model *m, pid_t pid);
/* Apply one event: updates the proc's doing, holders, and adds a story line. */
void model_apply_event(struct model *m, const struct event *ev);
/* Append a free-form story line (command output, errors, engine notes). */
void model_say(struct model *m, int kind, const char *who, const char *what,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
const struct model_line *model_story_line(const struct model *m, uint64_t i);
uint64_t model_story_first(const struct model *m);
void model_set_check(struct model *m, const char *name, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
const char *model_state_name(int state);
/* "semtimedop(sem 0, -1)" for a kernel view; buffer must hold 64 bytes. */
void model_describe_kernel(const struct model *m, struct model_kernel *k);
/* Write one-line state summaries (used by headless). */
int model_format_state(const struct model *m, char *buf, size_t len);
const char *model_role_name(const struct model *m, int role);
/* "semtimedop", "msgrcv", ... or NULL when we have no name for it. */
const char *syscall_name(long nr);

#endif
