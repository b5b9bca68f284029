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
#include "sysipc.h"
#include "tree.h"

#define MODEL_MAX_PROCS 320
#define MODEL_PID_SLOTS 1024 /* a power of two, over three times MODEL_MAX_PROCS */
#define MODEL_MAX_SEMSETS 4
#define MODEL_MAX_SEMS 32
#define MODEL_MAX_SHMSEGS 4
#define MODEL_SHM_PEEK 256
#define MODEL_MAX_CHECKS 8
#define MODEL_STORY_CAP 4096
#define MODEL_MAX_ROLES 8
#define MODEL_MAX_MSGQS 2
#define MODEL_MSG_PEEK 32    /* queued messages the sampler copies per sample */
#define MODEL_MSGLOG 4096    /* messages a run may send (and receive) */
#define MODEL_MSG_SENDERS 16 /* instances of a sending role the story orders */
#define MODEL_RING_PRODUCERS 8
#define MODEL_RING_ITEMS 4096 /* items per producer */
#define MODEL_MAX_SECTIONS 8
#define MODEL_MAX_FILES 4
#define MODEL_MAX_FDTABLES 16
#define MODEL_MAX_FDS 8
#define MODEL_MAX_STREAMS 4
#define MODEL_MAX_CHUNKS 64
#define MODEL_MAX_FACTS 40
#define MODEL_MAX_MAPPERS 16  /* processes an inspected segment is mapped by */
#define MODEL_DETAIL_FDS 32   /* fds an inspected process's detail lists */
#define MODEL_DETAIL_ATTACH 8 /* System V attachments it lists */

enum run_state { RUN_IDLE = 0, RUN_RUNNING, RUN_PAUSED, RUN_STEP, RUN_DONE };
/* CHECK_BROKEN: failed because a parameter breaks it on purpose (noerror=on);
 * told in its own words and colour, yet the run's exit status stays 1. */
enum check_status { CHECK_PENDING = 0, CHECK_OK, CHECK_FAILED, CHECK_BROKEN };
/* "ok", "FAILED", "pending", "broken on purpose": one word per status, everywhere. */
const char *model_check_word(int status);
/* Which kind of shared memory a segment is (the plan's PLAN_SHM_* alike). */
enum shm_kind { SHM_SYSV = 0, SHM_POSIX = 1, SHM_ANON = 2 };
/* What a story line is: an op or what ipcplay saw; the answer to a command;
 * an error. */
/* Whether a queue's messages could be copied out (msgrcv MSG_COPY). */
enum peek_state { PEEK_COPIED = 0, PEEK_NO_MSG_COPY = 1, PEEK_REFUSED = 2 };
enum line_kind { LINE_EVENT = 0, LINE_NOTE = 1, LINE_ERROR = 2 };

/* What the kernel says a process is doing (from /proc/PID/syscall and, for
 * semtimedop, the struct sembuf it passed). */
struct model_kernel {
    long nr; /* syscall number; -1 in user space; -2 running; -3 unknown */
    unsigned long args[6];
    int semid; /* for semop/semtimedop: set id; else -1 */
    int nsops;
    int sem_num; /* first sembuf: which semaphore */
    int sem_op;  /* and which operation */
    int sem_flg;
    char text[64]; /* "semtimedop(sem 0, -1)", "clock_nanosleep", ... */
    /* for msgsnd / msgrcv (from the syscall's arguments; msgsnd's type is
     * read from the caller's buffer) */
    int msgcall; /* 0 none, 1 msgsnd, 2 msgrcv */
    int msqid;
    long msgtyp; /* msgrcv: the selector; msgsnd: the type being sent */
    int msgflg;
    long msgsz;
};

/* What the sampler has seen of a process (kept per process; also shared
 * with the children through the engine's board so ops can wait for it). */
enum model_seen {
    SEEN_ZOMBIE = 1u << 0,  /* state Z */
    SEEN_READ = 1u << 1,    /* asleep in read/recvmsg/... */
    SEEN_WRITE = 1u << 2,   /* asleep in write/sendmsg/... */
    SEEN_OPEN = 1u << 3,    /* asleep in open (a FIFO without a partner) */
    SEEN_WAIT = 1u << 4,    /* asleep in wait4/waitid */
    SEEN_ACCEPT = 1u << 5,  /* asleep in accept */
    SEEN_SCM = 1u << 6,     /* one of its sockets has fds in flight (scm_fds) */
    SEEN_EXITED = 1u << 7,  /* zombie or gone */
    SEEN_ADOPTED = 1u << 8, /* its parent is now ipcplay (subreaper) */
    SEEN_EXEC = 1u << 9,    /* ipcplay looked at it after its exec */
};

struct model_proc {
    pid_t pid;
    pid_t ppid;
    int role;            /* plan role index; -1 for ipcplay itself */
    int instance;        /* 1-based */
    char name[32];       /* "worker-3" */
    int cs_inside;       /* 1 + the critical section it is inside, or 0 */
    bool holds_undo;     /* holds a lock it took with SEM_UNDO (its death gives it back) */
    uint64_t last_ev_ns; /* its own latest event: it was alive then */
    uint64_t last_line1; /* 1 + the story index of its latest event line (0: none) */
    bool lost_lock;      /* the kernel gave the lock it held to another: it died with
                            SEM_UNDO, and its death is not reported yet */
    char state;          /* R S D Z T t X I, or '?' before the first sample; 'x' gone */
    bool exited;         /* reaped by the engine */
    int wait_status;     /* when exited */
    /* op runner's view, from events */
    int op;          /* enum op_kind being executed, OP_NONE when between ops */
    char doing[48];  /* "P(sem 0)", "in critical", "thinking": read it through
                        model_proc_doing() (written when first read) */
    bool doing_lazy; /* doing is "" and doing_ev's op names it */
    struct event doing_ev;
    uint64_t doing_since; /* ns */
    uint64_t ops_done;
    /* kernel's view, from samples */
    struct model_kernel kernel;
    unsigned long minflt, majflt;
    unsigned long long utime, stime; /* clock ticks */
    long rss_pages;
    /* processes forked by a role, exec, fds (model_proc.c, sampler_fds.c) */
    bool forked;       /* forked by a role's fork op, not by ipcplay */
    pid_t parent0;     /* the parent that forked it */
    bool adopted;      /* reparented to ipcplay, the child subreaper */
    pid_t reaped_by;   /* who reaped it with wait(): its parent; 0 ipcplay */
    unsigned seen;     /* enum model_seen */
    uint64_t exit_ns;  /* when it called exit */
    int zombie_status; /* its exit status while a zombie (/proc/PID/stat) */
    char comm[16];     /* from /proc/PID/stat */
    char exe[96];      /* /proc/PID/exe (processes of observed scenarios) */
};

/* One open fd as /proc/PID/fd and /proc/PID/fdinfo show it. */
struct model_fd {
    int fd;
    char target[40]; /* "pipe:[1234]", "socket:[5678]", "data.txt" */
    unsigned long ino;
    long long pos;
    unsigned flags; /* open flags (octal in fdinfo) */
    int scm_fds;    /* UNIX socket: fds in flight in its queue, -1 n/a */
    /* Which open file description (kcmp KCMP_FILE): equal ids are one open
     * file, shared offset and all; 0 when kcmp could not tell. */
    unsigned ofd;
};

struct model_fdtable {
    pid_t pid;
    int nfds; /* shown (fds 0-3 are /dev/null and ipcplay's event pipe) */
    int more; /* beyond MODEL_MAX_FDS */
    struct model_fd fds[MODEL_MAX_FDS];
};

/* A byte stream through a pipe, FIFO or socket: what its writer put in and
 * its reader got out, with order-sensitive checksums (pattern.h). */
struct model_stream {
    bool used;
    long long written, read;
    long long wsum, rsum;
    bool eof;       /* the reader saw read() return 0 */
    int werr, rerr; /* last error (EPIPE, ETIMEDOUT waiting for EOF) */
    pid_t writer, reader;
};

/* One mechanism of the race scenario, as its sender's and receiver's notes
 * told it (a few a second, not one per message). */
struct model_race_lane {
    bool used, started, tx_done, done;
    int mode;           /* enum race_mode */
    int32_t size;       /* bytes per message */
    int64_t count;      /* messages to move */
    int64_t sent, rcvd; /* so far */
    int64_t bytes, bad; /* received */
    uint64_t t_begin;   /* the sender's start (setup done) */
    uint64_t t_last;    /* the receiver's latest count */
    int err;            /* the first failed call's errno */
    pid_t tx, rx;
};

struct model_race {
    bool present;
    struct model_race_lane lane[RACE__N];
};

/* Reads of a file with known content: who, where, how much, and whether the
 * bytes were the file's. Reads by one process that continue each other (same
 * outcome, no close in between) are one record, so reading a big file in
 * small chunks does not run out of records. */
struct model_chunk {
    pid_t pid;
    long long off;
    long long n; /* bytes, over all its reads */
    bool ok;
    int reads; /* read() calls it stands for */
};

/* A named number a judge reads ("fork.child_saw_0", "cow.unchanged"). */
struct model_fact {
    char key[28];
    long long v;
};

/* struct ipc_perm as the last IPC_STAT returned it (for `inspect`). */
struct model_ipc_perm {
    uint32_t key, uid, gid, cuid, cgid, mode, seq;
};

struct model_semset {
    int index; /* plan index */
    int semid;
    int nsems;
    unsigned mode;
    long long otime, ctime; /* seconds since the epoch */
    int val[MODEL_MAX_SEMS];
    int ncnt[MODEL_MAX_SEMS];
    int zcnt[MODEL_MAX_SEMS];
    pid_t lastpid[MODEL_MAX_SEMS];
    pid_t holder[MODEL_MAX_SEMS]; /* from events: passed P and not yet V; 0 none */
    uint32_t holder_undo; /* bit k: the holder's P used SEM_UNDO (its death gives it back) */
    uint32_t holder_dead; /* bit k: the holder died holding it without SEM_UNDO: the
                             semaphore stays taken and nobody will V it */
    uint32_t lockmask;    /* bit k: semaphore k is a lock (see plan.h) */
    char name[MODEL_MAX_SEMS][12]; /* what the scenario calls it ("empty"); may be "" */
    bool stat_ok;                  /* a sample's IPC_STAT worked: perm is valid */
    struct model_ipc_perm perm;
};

/* The kernel's SHM_DEST and SHM_LOCKED bits in a segment's mode (ipcs's
 * status column: "dest", "locked"). */
#define MODEL_SHM_DEST 01000
#define MODEL_SHM_LOCKED 02000

struct model_shmseg {
    int index;
    int shmid;
    size_t segsz;
    unsigned mode; /* System V: the permission bits and MODEL_SHM_DEST, MODEL_SHM_LOCKED */
    long nattch;
    pid_t cpid, lpid;
    long long atime, dtime, ctime;
    unsigned char peek[MODEL_SHM_PEEK]; /* the first bytes, as the engine's
                                           read-only attach sees them */
    size_t peek_len;
    bool stats;                 /* holds struct cs_stats */
    int kind;                   /* enum shm_kind */
    char name[64];              /* POSIX: "/ipcplay-..."; anonymous: "" */
    int ring_slots;             /* > 0: holds a ring (see model/ring.h) */
    bool stat_ok;               /* a sample's IPC_STAT (POSIX: fstat) worked: perm is valid */
    struct model_ipc_perm perm; /* POSIX: the file's uid, gid, mode */
    unsigned long ino;          /* POSIX: the file's inode */
    bool mappers_known;         /* an inspect detail listed who has it mapped: */
    int nmappers;
    pid_t mappers[MODEL_MAX_MAPPERS];
};

/* One message a sampler copied out of a queue with MSG_COPY (not consumed). */
struct model_msg_peek {
    long type;
    int32_t len;            /* mtext bytes */
    int16_t role, instance; /* the sender, from the payload; -1 when unknown */
    int32_t seq;            /* the sender's sequence number */
};

struct model_msgq {
    int index; /* plan index */
    int msqid;
    unsigned mode;
    long qnum, cbytes, qbytes;
    pid_t lspid, lrpid;
    long long stime, rtime, ctime;
    bool removed;   /* IPC_RMID during the run */
    int peek_state; /* enum peek_state */
    int npeek;
    struct model_msg_peek peek[MODEL_MSG_PEEK];
    bool stat_ok; /* a sample's IPC_STAT worked: perm is valid */
    struct model_ipc_perm perm;
};

/* Messages as the op runners reported them (events), for the checks. */
struct model_msg_sent {
    int16_t role, instance;
    int32_t seq, type, len;
};

struct model_msg_recv {
    int proc;               /* index into procs of the receiver */
    int16_t role, instance; /* the sender, from the payload */
    int32_t seq, type;
    int32_t selector;      /* msgtyp the receiver passed */
    uint16_t flags;        /* OPF_EXCEPT, OPF_NOERROR, ... */
    int32_t got, full_len; /* bytes received / bytes sent */
    bool sum_ok;           /* payload checksum held over what arrived */
};

struct model_msglog {
    struct model_msg_sent sent[MODEL_MSGLOG];
    int nsent;
    struct model_msg_recv recv[MODEL_MSGLOG];
    int nrecv;
    int overflow; /* records that did not fit */
    int e2big, enomsg, eagain;
    /* Per sender (role x instance), the last seq whose send the story has
     * told: a receiver's end event can reach the model before the sender's
     * (both wake at once), and the send is then told first. */
    int32_t told_seq[MODEL_MAX_ROLES][MODEL_MSG_SENDERS];
};

/* Producer/consumer ring bookkeeping from events (what each op says it put
 * and took); the ring's own counters come from the shared memory itself. */
struct model_ring {
    bool present;
    long long put, got;
    long long sum_put, sum_got;
    long long empty_reads; /* a consumer found 0 in a slot it was told was full */
    long long bad_reads;   /* a value no producer put */
    long long dups;        /* an item taken more than once */
    uint8_t put_count[MODEL_RING_PRODUCERS][MODEL_RING_ITEMS];
    uint8_t got_count[MODEL_RING_PRODUCERS][MODEL_RING_ITEMS];
};

/* A cycle in the wait-for graph, once the engine has confirmed it. */
struct model_deadlock {
    bool found;
    uint64_t t_ns;
    char text[192];   /* "worker-1 -> sem 1 -> worker-2 -> sem 0 -> worker-1" */
    char broken[192]; /* who broke it and how ("" while it holds) */
};

/* Critical-section bookkeeping as last sampled from the stats segment. */
struct model_cs {
    bool present;
    int occupancy;
    int max_occupancy;
    long long entries;
    long long counter;
    long long expected; /* entries the run should complete in total */
    int nsections;      /* > 1: one critical section per semaphore */
    int sect_occupancy[MODEL_MAX_SECTIONS];
    int sect_max[MODEL_MAX_SECTIONS];
    long long sect_counter[MODEL_MAX_SECTIONS];
    long long sect_entries[MODEL_MAX_SECTIONS];
    /* The same, counted from events: a process is inside from its cs_enter to
     * its cs_leave, or until it dies. The shared counters cannot forget a
     * process killed inside (with SEM_UNDO the kernel then lets the next one
     * in), so once that happened only these counts judge. */
    int ev_inside[MODEL_MAX_SECTIONS];
    int ev_max; /* most inside at once by events, dead or alive */
    int died_inside;
    int shm_max; /* max_occupancy as the shared counters say */
    /* Moments when events showed more than one inside. A death is reported
     * (SIGCHLD) after the next process may already have entered, so such a
     * moment does not count an insider that turned out to be dead -- unless
     * it was seen alive after that moment (an event of its own came later). */
    struct model_cs_crowd {
        int n;
        pid_t who[8];
        uint64_t t_ns; /* when the crowd formed */
    } crowds[32];
    int ncrowds;
    pid_t dead[16]; /* processes that died inside */
    int ndead;
};

struct model_check {
    char name[32];
    int status; /* enum check_status */
    /* Whole, never cut: a deadlock of 8 workers names a 176-character cycle,
     * and a wrong cycle is told next to the expected one. */
    char detail[384];
};

/* Arguments of a story line not put into words yet (model_line_say). */
#define MODEL_LINE_ARGS 8
union model_line_arg {
    long long i;
    unsigned long long u;
    double d;
    const void *p;
    uint32_t str; /* %s: offset of its copy in lazy.strs */
};

/* One line of the story: the event log in plain words. At --speed max a
 * run tells hundreds of thousands of lines a second and a view shows a few
 * of them, so a line is put into words only when it is read: its op's name
 * ("what") is kept as the event, its detail as the format and a copy of its
 * arguments. Read lines through model_story_line(), which writes them out
 * (once) and returns them whole. */
struct model_line {
    uint64_t t_ns;
    int proc;      /* index into procs, -1 for the engine */
    int kind;      /* enum line_kind */
    char who[32];  /* "worker-2[4711]" */
    char what[40]; /* "P(sem 0)" */
    union {
        char detail[128]; /* "acquired, waited 0.301 s; semval 1 -> 0" */
        struct {
            union model_line_arg arg[MODEL_LINE_ARGS];
            char strs[128 - MODEL_LINE_ARGS * sizeof(union model_line_arg)];
        } lazy; /* while fmt is set */
    };
    const char *fmt;      /* detail not written yet: its format (a literal) */
    bool what_lazy;       /* what not written yet: the op of ev names it */
    struct event what_ev; /* while what_lazy */
    /* Repeats: the same process told the same line again (a retry's EAGAIN):
     * the model counts it here instead of adding a line ("EAGAIN x12"). */
    uint32_t more;      /* times it was told again after the first */
    uint64_t t_last_ns; /* when it was told last (more > 0) */
    uint64_t closes1;   /* 1 + the index of this process's previous line when
                           that one had repeats: this line ends its series */
};

/* What `inspect PROCESS` shows beyond the regular sample, read while an
 * inspect view watches it (one process at a time). */
struct model_proc_detail {
    int32_t pid;        /* 0: none taken yet */
    char wchan[48];     /* "" when it runs (wchan 0) or cannot be read */
    char syscall[128];  /* /proc/PID/syscall, first line */
    int32_t status_err; /* errno reading /proc/PID/status; 0: status holds it */
    char status[1024];  /* chosen lines, "Key:\tvalue\n" each */
    int32_t fds_err;    /* errno listing /proc/PID/fd; 0: fds holds them */
    int32_t nfds, fds_more;
    struct model_detail_fd {
        int32_t fd;
        int32_t err;        /* errno of readlink; 0: target holds it */
        int32_t event_pipe; /* 1: ipcplay's event pipe */
        char target[76];
    } fds[MODEL_DETAIL_FDS];
    int32_t maps_err; /* errno reading /proc/PID/maps; 0: attach holds them */
    int32_t nattach;
    struct model_detail_attach {
        uint64_t addr, size, shmid;
        char perms[8];
    } attach[MODEL_DETAIL_ATTACH];
};

struct model {
    char scenario[32];
    char params[192]; /* "workers=4 rounds=5 ..." */
    char role_names[MODEL_MAX_ROLES][24];
    int nroles;
    int state;       /* enum run_state */
    int step_tokens; /* ops still allowed in step mode */
    double speed;    /* 0 means max (no delays) */
    uint64_t now_ns; /* time of the latest event or sample */
    uint64_t samples;
    bool live; /* false when replaying */

    struct model_proc procs[MODEL_MAX_PROCS];
    /* pid -> 1 + index into procs (open addressing, 0 empty): every event
     * looks its process up, and a run has up to 320 */
    int16_t pid_slot[MODEL_PID_SLOTS];
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
    struct model_line story_evicted; /* the line the newest one pushed out of the ring */
    uint64_t events;
    uint64_t ops_begun; /* ops that passed the gate (one begin event each):
                           `step N` advances this by exactly N */
    /* bumped whenever something views show changes, per area */
    uint64_t gen_procs, gen_objects, gen_story, gen_header;

    struct model_msgq msgqs[MODEL_MAX_MSGQS];
    int nmsgqs;
    struct model_msglog msglog;
    struct model_ring ring;
    struct model_deadlock deadlock;
    /* The first role that gave up (a call failed that it cannot go on
     * without) ends the run as a runtime error: one line naming the process,
     * the call, its errno and, where one helps, a hint. "" when none. */
    char error[256];
    bool interrupted; /* the run was interrupted (error says why): not a failure of it */

    /* processes, pipes, fd passing (model_proc.c) */
    char files[MODEL_MAX_FILES][24]; /* the run directory's names, by plan index */
    int nfiles;
    char rundir[108];
    struct model_fdtable fdtables[MODEL_MAX_FDTABLES];
    int nfdtables;
    struct model_stream streams[MODEL_MAX_STREAMS];
    struct model_race race; /* the race scenario (ops/race.c) */
    struct model_chunk chunks[MODEL_MAX_CHUNKS];
    int nchunks;
    int chunk_seal;        /* records before this index are never extended */
    long long chunks_lost; /* reads that found no free record */
    struct model_fact facts[MODEL_MAX_FACTS];
    int nfacts;

    struct model_chat chat; /* the chat room (ops/chat.h) */

    int64_t wall_s;                  /* CLOCK_REALTIME seconds at the latest sample */
    struct model_proc_detail detail; /* the inspected process, if any */
    struct sysipc sys;               /* the whole system's IPC (watch, ipcs; sysipc.h) */
    struct tree tree;                /* a watched program's tree (watch -- PROGRAM; tree.h) */
};

void model_init(struct model *m);
/* A process appears (the engine forked it or adopted it). Returns its index. */
int model_add_proc(struct model *m, pid_t pid, pid_t ppid, int role, int instance,
                   const char *name);
int model_find_proc(const struct model *m, pid_t pid);
/* Apply one event through its op's entry (src/ops/op.h): the process's
 * "doing", what the op changes, and its story line. */
void model_apply_event(struct model *m, const struct event *ev);
/* Append a free-form story line (command output, errors, engine notes). */
void model_say(struct model *m, int kind, const char *who, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
const struct model_line *model_story_line(const struct model *m, uint64_t i);
/* Line i's op ("P(sem 0)") alone, written out without its detail; NULL. */
const char *model_story_what(const struct model *m, uint64_t i);
uint64_t model_story_first(const struct model *m);
void model_set_check(struct model *m, const char *name, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The run ends because a role gave up (model.error is set by its FAILED
 * event): add the engine's hint ("" for none) to the error line, and tell
 * the story that the run ends. */
void model_end_in_error(struct model *m, const char *hint);
const char *model_state_name(int state);
/* Recompute cs.max_occupancy from the event count and the shared counters
 * (the latter only while no process has died inside). */
void model_cs_judge_max(struct model *m);
/* "semtimedop(sem 0, -1)" for a kernel view; buffer must hold 64 bytes. */
void model_describe_kernel(const struct model *m, struct model_kernel *k);
/* Write one-line state summaries (used by headless). */
int model_format_state(const struct model *m, char *buf, size_t len);
const char *model_role_name(const struct model *m, int role);
/* The one way a process is named: its role and instance, "worker-3". */
void role_instance_name(const char *role, int instance, char *buf, size_t len);
/* The comm /proc last showed is neither ipcplay's nor the role's own: the
 * process exec'd another program. */
bool model_proc_comm_foreign(const struct model_proc *p);
/* Who is asleep on semaphore k of set ss, in P (zero false) or waiting for
 * zero: model indexes into idx (room for nprocs), the count returned. One
 * moment: a process the last sample saw asleep there, unless its own events
 * since say that call ended. */
int model_sem_waiters(const struct model *m, const struct model_semset *ss, int k, bool zero,
                      int *idx);
/* later - earlier as the two's-complement machine does it: records come
 * from files too, and a damaged one's numbers must wrap, not overflow. */
static inline long long model_diff(long long later, long long earlier)
{
    return (long long)((unsigned long long)later - (unsigned long long)earlier);
}

/* The lowest message type above `after` among a queue's copied messages,
 * with how many there are of it; 0 when there is none. */
long model_msgq_next_type(const struct model_msgq *q, long after, int *count);
/* How the story names a process: "worker-3[4711]". */
void model_proc_label(const struct model_proc *p, char *buf, size_t len);
/* "semtimedop", "msgrcv", ... or NULL when we have no name for it. */
const char *syscall_name(long nr);
/* A new story line at time t for proc index (or -1); kind as model_line. */
struct model_line *model_new_line(struct model *m, uint64_t t, int proc, int kind);

/* Shared by the ops' apply and story functions (src/ops/). */
/* The semaphore set of plan index `index`, or NULL. */
struct model_semset *model_semset(struct model *m, int index);
/* A story line's detail, cut to fit. fmt must be a string literal: the
 * line keeps it and a copy of the arguments, and is written out when read. */
void model_line_say(struct model_line *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A race lane's figure: MB/s streamed, or microseconds per round trip
 * (ping-pong); 0 before it has one. */
double model_race_figure(const struct model_race_lane *l);
/* What a process is doing ("P(sem 0)"), written out on first read. */
const char *model_proc_doing(const struct model_proc *p);
/* Write out every story line and doing not written yet: two models that
 * applied the same records are then the same bytes. */
void model_write_out(struct model *m);
/* What ev's process is doing, as its op's entry says ("P(sem 0)"). */
void model_doing(const struct event *ev, char *buf, size_t len);
/* "type 2", "any", "type<=2", "not 2": a msgrcv selector in words. */
void model_msg_selector(long sel, bool except, char *buf, size_t len);

/* model_proc.c: processes, pipes and fd passing */
/* Append ppid, comm/exe and the fd table of p to a state line; returns the
 * number of characters written (always < len). */
size_t model_proc_format(const struct model *m, const struct model_proc *p, char *buf, size_t len);
void model_fact_set(struct model *m, const char *key, long long v);
void model_fact_add(struct model *m, const char *key, long long d);
long long model_fact(const struct model *m, const char *key, long long dflt);
bool model_has_fact(const struct model *m, const char *key);
struct model_fdtable *model_fdtable(struct model *m, pid_t pid, bool create);
const struct model_fdtable *model_fdtable_find(const struct model *m, pid_t pid);
const char *model_file_name(const struct model *m, int obj);

/* model_ipc.c: message queues, rings and deadlocks (called from model.c). */
/* "msgrcv(type 2)", "msgsnd(type 3, 48 B)" for a kernel view with msgcall set. */
void model_ipc_describe_kernel(const struct model *m, struct model_kernel *k);
/* Append queue, segment, ring and deadlock facts to a state line at off;
 * returns the new offset (may exceed len when truncated). */
size_t model_ipc_format_state(const struct model *m, char *buf, size_t len, size_t off);
/* "recv-any-1" style name of a role instance. */
void model_instance_name(const struct model *m, int role, int instance, char *buf, size_t len);

#endif
