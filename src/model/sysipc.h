/* sysipc.h — the whole system's IPC as `ipcplay watch` (and the console's
 * ipcs, ipcrm, inspect) sees it: every System V semaphore set, queue and
 * segment, POSIX shared memory and message queues, the processes that use
 * them, and the kernel's limits. Filled only by records (REC_SYS_*), so a
 * watch session can be recorded and replayed like a scenario; the payload
 * structs of those records are defined here. Plain data, no I/O. Which
 * objects and processes are watched is data too (struct sysipc_filter), so
 * a watched program's tree can narrow it later. */
#ifndef IPCPLAY_SYSIPC_H
#define IPCPLAY_SYSIPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYSIPC_MAX_OBJS 1024 /* objects the model holds; more are counted */
#define SYSIPC_SEMS 32       /* semaphores of a set whose values a record carries */
#define SYSIPC_MAX_USES 1024 /* users (attachers, sleepers) per sample */
#define SYSIPC_MAX_PROCS 512 /* processes named in one sample */

enum sys_kind { SYS_SEM = 0, SYS_MSG, SYS_SHM, SYS_PSHM, SYS_PMQ, SYS__KINDS };

/* Why a part of an object could not be read (sys_obj.detail_err): 0 read. */
#define SYS_ERR_PERM 13 /* EACCES: "no permission" */
#define SYS_ERR_GONE 43 /* EIDRM: removed between two reads */

/* REC_SYS_OBJ: one object as the kernel showed it at t. System V objects
 * come from /proc/sysvipc (every object, whatever its mode), their details
 * from semctl / msgctl (which need read permission); POSIX ones from
 * /dev/shm and /dev/mqueue. */
struct sys_obj {
    int32_t kind;   /* enum sys_kind */
    int32_t id;     /* semid / msqid / shmid; -1 for POSIX objects */
    char name[48];  /* POSIX: the name without the leading '/' */
    char owner[24]; /* user name of uid, or the number */
    uint32_t key;
    uint32_t uid, gid, cuid, cgid, mode; /* mode: permission bits (and SHM_DEST/LOCKED) */
    int32_t detail_err; /* 0, SYS_ERR_PERM or SYS_ERR_GONE: the per-kind details below */
    int64_t ctime;      /* seconds since the epoch, 0 not set */
    /* semaphores */
    int32_t nsems;
    int64_t otime;
    int32_t nvals; /* semaphores carried in sem[] (<= SYSIPC_SEMS) */
    struct sys_sem {
        int32_t val, ncnt, zcnt, pid;
    } sem[SYSIPC_SEMS];
    /* queues (POSIX: qnum only, from /dev/mqueue's QSIZE as cbytes) */
    int64_t cbytes, qnum, qbytes; /* qbytes -1: unknown */
    int32_t lspid, lrpid;
    int64_t stime, rtime;
    /* segments (POSIX: segsz is the file size, atime/dtime unused) */
    uint64_t segsz;
    int64_t nattch;
    int32_t cpid, lpid;
    int64_t atime, dtime;
    int32_t ours; /* 1: created by this run of ipcplay */
};

/* How a process uses an object (sys_use.how). */
enum sys_how {
    SYS_USE_ATTACH = 1, /* a System V segment mapped (/proc/PID/maps) */
    SYS_USE_SEMOP,      /* asleep in semop/semtimedop on the set */
    SYS_USE_MSGSND,     /* asleep in msgsnd: the queue is full */
    SYS_USE_MSGRCV,     /* asleep in msgrcv: no message of its type */
};

/* REC_SYS_USE: one process using one object, seen in this sample. */
struct sys_use {
    int32_t pid;
    int32_t kind, id;                 /* the object */
    int32_t how;                      /* enum sys_how */
    int32_t nsops;                    /* semop: sembufs passed; -1 could not be read */
    int32_t sem_num, sem_op, sem_flg; /* its first struct sembuf */
    int64_t msgtyp; /* msgrcv: the selector; msgsnd: the type sent (read when permitted) */
    int32_t msgtyp_ok;
    int64_t msgsz;
    uint64_t addr, size; /* attach: where and how much */
};

/* REC_SYS_PROC: a process a sample names (a user, or a last pid). */
struct sys_proc {
    int32_t pid;
    int32_t uid;   /* -1 unknown */
    char comm[16]; /* "" when gone */
    char state;    /* from stat; 0 not read */
    int32_t gone;  /* 1: it exited (a last pid may name a process no more) */
    int32_t nosys; /* 1: /proc/PID/syscall is not ours to read */
};

/* REC_SYS_BEGIN: a watch sample starts (objects and users follow). */
struct sys_begin {
    uint64_t seq;
};

/* REC_SYS_END: the sample is whole: objects not named since its begin are
 * gone. What the walk could not read is counted, never guessed. */
struct sys_end {
    uint64_t seq;
    int64_t wall_s;         /* CLOCK_REALTIME seconds of the sample */
    int32_t nprocs;         /* processes looked at */
    int32_t nosys;          /* of them: syscall not readable (no permission) */
    int32_t nomaps;         /* maps not readable where an attacher was looked for */
    int32_t maps_read;      /* maps files read this sample */
    int32_t dropped;        /* objects beyond SYSIPC_MAX_OBJS */
    int32_t attach_missing; /* attaches nattch counts that no readable maps showed */
    uint64_t cost_ns;       /* what taking it cost */
};

/* REC_SYS_LIMITS: the kernel's limits, as `ipcs -l` prints them. */
struct sys_limits {
    uint64_t msgmni, msgmax, msgmnb;
    uint64_t shmmni, shmmax, shmall, shmmin, pagesize;
    uint64_t semmni, semmsl, semmns, semopm, semvmx;
};

/* How a view lists the objects. */
enum sys_sort { SYS_SORT_ID = 0, SYS_SORT_KEY, SYS_SORT_OWNER, SYS_SORT_ACTIVITY };

/* REC_SYS_FILTER: what the watch view shows (from --user, --key, --sort or
 * the console's `watch`), so a replay lists what the live view listed. */
struct sysipc_filter {
    char user[24]; /* owner name or uid; "" any */
    uint32_t key;
    int32_t has_key;
    int32_t sort; /* enum sys_sort */
    int32_t all;  /* watch -- PROGRAM: 1 the whole system, 0 the tree's objects only */
};

/* One object in the model: the last record about it, and when its numbers
 * last changed (the "activity" sort). */
struct sysipc_obj {
    struct sys_obj o;
    uint64_t seen_seq;
    uint64_t changed_ns; /* t of the sample that first showed its current numbers */
};

struct sysipc {
    bool watching; /* a watch sample was ever applied */
    uint64_t seq;  /* the sample being applied (BEGIN's) */
    uint64_t samples;
    struct sysipc_obj objs[SYSIPC_MAX_OBJS];
    int nobjs;
    struct sys_use uses[SYSIPC_MAX_USES];
    int nuses;
    int uses_dropped;
    struct sys_proc procs[SYSIPC_MAX_PROCS];
    int nprocs;
    struct sys_end last; /* the last whole sample's counts */
    bool have_limits;
    struct sys_limits limits;
    struct sysipc_filter filter;
    uint64_t gen; /* bumped whenever a view's text may change */
};

struct model;
/* Apply the records (called by model_apply). */
void sysipc_begin(struct sysipc *s, const struct sys_begin *b);
void sysipc_obj(struct sysipc *s, uint64_t t, const struct sys_obj *o);
void sysipc_use(struct sysipc *s, const struct sys_use *u);
void sysipc_proc(struct sysipc *s, const struct sys_proc *p);
void sysipc_end(struct sysipc *s, const struct sys_end *e);
void sysipc_set_limits(struct sysipc *s, const struct sys_limits *l);
void sysipc_set_filter(struct sysipc *s, const struct sysipc_filter *f);

/* Queries (pure). */
const char *sysipc_kind_name(int kind);  /* "sem", "msq", "shm", "pshm", "pmq" */
int sysipc_kind_parse(const char *word); /* the same words (and "msg"); -1 */
const struct sysipc_obj *sysipc_find(const struct sysipc *s, int kind, int id);
const struct sys_proc *sysipc_find_proc(const struct sysipc *s, int pid);
/* Indexes of the objects the filter lets through, in its order; returns n. */
int sysipc_select(const struct sysipc *s, const struct sysipc_filter *f, int *idx, int max);
bool sysipc_filter_match(const struct sysipc_filter *f, const struct sys_obj *o);
/* "0x0001e240" style key words, uids and sort names. */
int sysipc_parse_key(const char *word, uint32_t *key);
int sysipc_sort_parse(const char *word); /* "id", "key", "owner", "activity"; -1 */
const char *sysipc_sort_name(int sort);

/* Text (sysipc_text.c): each function calls line() once per output line. */
typedef void sysipc_line_fn(void *ctx, const char *line);
/* `ipcs` as util-linux prints it (kinds: bit per enum sys_kind; 0 all). */
void sysipc_format_ipcs(const struct sysipc *s, unsigned kinds, sysipc_line_fn *line, void *ctx);
/* `ipcs -l`. */
void sysipc_format_limits(const struct sysipc *s, sysipc_line_fn *line, void *ctx);
/* `ipcs -i ID` of one object, then its users and last pids by name. */
void sysipc_format_object(const struct sysipc *s, const struct sysipc_obj *o, sysipc_line_fn *line,
                          void *ctx);
/* One line for a list: "sem 65575 key 0x... owner root 600 nsems 3 ..." */
int sysipc_format_row(const struct sysipc *s, const struct sysipc_obj *o, char *buf, size_t len);
/* The users of an object, one line each ("  waits: 4711 (prog) semop(sem 0, -1)"). */
void sysipc_format_users(const struct sysipc *s, const struct sysipc_obj *o, const char *indent,
                         sysipc_line_fn *line, void *ctx);
/* `inspect WHAT` of what is not the run's: an id (every kind that has
 * it), /name of a POSIX object, or a pid the last sample named. Text lines
 * into out; 0, or -1 with a message in err. */
int sysipc_inspect(const struct sysipc *s, const char *what, char *title, size_t titlelen,
                   char *out, size_t outlen, char *err, size_t errlen);
/* "4711 (prog)", "4711 (gone)", "0 (none)". */
void sysipc_pid_label(const struct sysipc *s, int pid, char *buf, size_t len);

#endif
