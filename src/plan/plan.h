/* plan.h — what a scenario hands the engine: the kernel objects to create and
 * the roles (each a list of ops) to run. Plain data; scenarios build it, the
 * supervisor creates objects and forks roles, the op runner executes ops. */
#ifndef IPCPLAY_PLAN_H
#define IPCPLAY_PLAN_H

#include <stddef.h>
#include <stdint.h>

#define PLAN_MAX_SEMSETS 4
#define PLAN_MAX_SEMS 32
#define PLAN_MAX_SHMSEGS 4
#define PLAN_MAX_ROLES 8
#define PLAN_MAX_OPS 48
#define PLAN_NAME_LEN 24
#define PLAN_MAX_MSGQS 2
#define PLAN_MAX_SECTIONS 8
#define PLAN_MAX_FILES 4
#define PLAN_PATH_LEN 108 /* fits sun_path */
/* A key moment (an fd in flight, a FIFO open blocking, the wait-for-zero
 * phase, a stopped child...) stays at least this long on screen at speed 1:
 * the process that ends it holds this long first (scaled by speed, held while
 * paused). */
#define PLAN_MOMENT_MS 2000

struct op {
    uint8_t kind;   /* enum op_kind */
    uint16_t flags; /* enum op_flag */
    int32_t obj;    /* object index (semset or segment) */
    int32_t arg0;   /* semaphore number */
    int32_t arg1;   /* sem_op value, exit code */
    int32_t ms;     /* a delay in ms at speed 1 (sleep, hold, retry) */
    int32_t count;  /* repeat: how many times */
    int32_t body;   /* repeat: how many following ops form the body */
    int32_t arg2;   /* op-specific (msgsnd: types to cycle; P/V: the other lock) */
    int32_t arg3;   /* op-specific (msgsnd: every Nth is long; OPF_REL: modulus) */
};

/* How the engine names a System V object: IPC_PRIVATE (file 0), or a key
 * from ftok(the run file file-1, proj), created IPC_CREAT|IPC_EXCL so an
 * object someone else made with that key is never taken for ours; mode 0
 * is 0600 (a mode that refuses its owner is set with IPC_SET after the
 * engine has initialised the object). */
struct plan_key {
    int file;      /* plan file index + 1 (a PLANF_FILE), 0: IPC_PRIVATE */
    int proj;      /* ftok's proj_id (its low 8 bits count) */
    unsigned mode; /* permission bits; 0: 0600 */
};

struct plan_semset {
    struct plan_key key;
    int nsems;
    int init[PLAN_MAX_SEMS];
    /* Bit k set: semaphore k is a lock (binary; the process that passes P
     * gives it back with V). Only locks have holders, so only they make
     * edges in the wait-for graph. */
    uint32_t lockmask;
    char name[PLAN_MAX_SEMS][12]; /* optional names shown beside the numbers */
};

enum plan_shm_kind {
    PLAN_SHM_SYSV = 0,  /* shmget + shmat */
    PLAN_SHM_POSIX = 1, /* shm_open("/ipcplay-...") + mmap, by name */
    PLAN_SHM_ANON = 2,  /* mmap(MAP_SHARED | MAP_ANONYMOUS), inherited across fork */
};

struct plan_shmseg {
    struct plan_key key; /* System V kind only */
    size_t size;
    int stats; /* 1: holds struct cs_stats (critical-section bookkeeping) */
    int kind;  /* enum plan_shm_kind */
    int ring;  /* > 0: holds a struct shm_ring with that many slots */
    /* POSIX: 1 when the engine keeps no fd and no mapping of it once it is
     * sized, so the object lives exactly as long as the processes' own
     * mappings and its name (its contents are then not sampled) */
    int hands_off;
};

struct plan_msgq {
    struct plan_key key;
    long qbytes; /* msg_qbytes set with IPC_SET after creation; 0: the kernel's msgmnb */
};

/* A path in the run's private directory: a file with known content, a FIFO
 * or socket path (created by an op), or the exec helper. The engine creates
 * the directory, registers every path before it can exist, and fills in
 * `path`. */
enum plan_file_kind {
    PLANF_FILE = 1, /* regular file, `size` bytes of pattern content, mode 0600 */
    PLANF_FIFO,     /* path only: an mkfifo op creates it */
    PLANF_SOCKET,   /* path only: a listen op binds it */
    PLANF_HELPER,   /* ipcplay itself under another name, for the exec op */
};

struct plan_file {
    int kind;
    char name[PLAN_NAME_LEN];
    int size;
    char path[PLAN_PATH_LEN]; /* filled by the engine */
};

struct plan_role {
    char name[PLAN_NAME_LEN]; /* "worker": instances are named worker-1.. */
    int count;                /* how many processes run this role */
    int no_shm;               /* 1: attaches none of the run's segments (a process
                                 that shares no memory with the others: a client) */
    struct op ops[PLAN_MAX_OPS];
    int nops;
};

struct plan {
    struct plan_semset semsets[PLAN_MAX_SEMSETS];
    int nsemsets;
    struct plan_shmseg shmsegs[PLAN_MAX_SHMSEGS];
    int nshmsegs;
    struct plan_role roles[PLAN_MAX_ROLES];
    int nroles;
    struct plan_msgq msgqs[PLAN_MAX_MSGQS];
    int nmsgqs;
    /* processes, pipes, fd passing. A role with count 0 is started only by a
     * fork op of another role. */
    struct plan_file files[PLAN_MAX_FILES];
    int nfiles;
    int observe; /* sample fd tables, comm/exe, zombies and what processes sleep
                    in, and share it on the board: hold ops need this */
};

/* Critical-section bookkeeping kept in a System V segment the scenario
 * declares with .stats = 1. Atomic fields are updated with atomics; `counter`
 * is deliberately updated with a plain read-modify-write (the thing a lock
 * must protect), and `lockvar` is the seed chapter's broken "plain variable"
 * lock. */
struct cs_stats {
    int32_t occupancy;     /* processes inside now (atomic) */
    int32_t max_occupancy; /* highest ever seen (atomic) */
    int64_t entries;       /* critical sections completed (atomic) */
    int64_t counter;       /* plain read-modify-write counter */
    int32_t lockvar;       /* the plain-variable "lock" */
    int32_t pad;
    /* One entry per critical section (sem scenario's sems=N: section k is
     * guarded by semaphore k). `counter` is the plain read-modify-write one;
     * max_occupancy above is the most ever inside one section. */
    struct cs_section {
        int32_t occupancy;
        int32_t max_occupancy;
        int64_t counter;
        int64_t entries;
    } sect[PLAN_MAX_SECTIONS];
};

/* Builders: append one op to a role; return the op's index or -1 when full. */
struct plan_role *plan_add_role(struct plan *p, const char *name, int count);
int plan_op(struct plan_role *r, struct op op);
int plan_add_semset(struct plan *p, int nsems, int init_value);
int plan_add_shmseg(struct plan *p, size_t size, int stats);
/* A System V message queue; qbytes 0 keeps the kernel's default. */
int plan_add_msgq(struct plan *p, long qbytes);
/* Close a repeat opened at index `at`: the body is everything after it. */
void plan_end_repeat(struct plan_role *r, int at);
/* Declare a path in the run directory; returns its index or -1. */
int plan_add_file(struct plan *p, int kind, const char *name, int size);

#endif
