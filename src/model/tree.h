/* tree.h — a watched program's process tree (`ipcplay watch -- PROGRAM`,
 * `watch --pid PID`) as the model knows it: its processes, the pipes, FIFOs
 * and sockets between them, the objects it uses, zombies and who should
 * reap them, the wait-for graph over semaphores and queues, a stall, and the
 * story of its traced system calls. Filled only by the REC_TREE_* and
 * REC_TRACE_CALL records whose payloads are defined here; plain data, no
 * I/O, so a replay shows what the live watch showed. */
#ifndef IPCPLAY_TREE_H
#define IPCPLAY_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TREE_MAX_PROCS 512 /* processes the model remembers (gone ones too) */
#define TREE_MAX_LINKS 64  /* pipes, FIFOs and sockets shown per sample */
#define TREE_MAX_OBJS 64   /* System V objects the tree used */
#define TREE_LINK_ENDS 4
#define TRACE_SOPS 4 /* sembufs a traced semop carries */

enum tree_mode { TREE_RUN = 1, TREE_PID = 2 };

/* REC_TREE_START: a watch of a tree begins. */
struct tree_start {
    int32_t mode;   /* enum tree_mode */
    int32_t root;   /* the program's pid (watch --pid: the pid given) */
    int32_t traced; /* 1: its calls are traced; 0: the story comes from samples only */
    char argv[160]; /* the command as given, words separated by blanks */
    char note[128]; /* why it is not traced; "" */
};

/* REC_TREE_BEGIN: a sample of the tree starts. */
struct tree_begin {
    uint64_t seq;
};

/* REC_TREE_PROC: one process of the tree, from /proc/PID/stat and syscall. */
struct tree_proc {
    int32_t pid, ppid;
    char state; /* R S D Z T ... */
    char comm[16];
    int32_t nr; /* syscall it sleeps in; -1 user space, -2 running, -4 no permission */
    int64_t args[6];
    int32_t zombie_status; /* state Z: its wait status */
    int32_t nfds;          /* open fds */
};

/* REC_TREE_LINK: a pipe, FIFO or socket the tree's processes share. */
enum tree_link_kind { TREE_PIPE = 1, TREE_FIFO, TREE_SOCKET };
struct tree_link {
    int32_t kind; /* enum tree_link_kind */
    uint64_t ino;
    char name[40]; /* FIFO: its file name */
    int32_t n;     /* ends in end[] */
    struct tree_link_end {
        int32_t pid, fd;
        int32_t mode; /* 0 read, 1 write, 2 both */
    } end[TREE_LINK_ENDS];
};

/* REC_TREE_EXIT: a process of the tree was reaped (by ipcplay: by 0). */
struct tree_exit {
    int32_t pid;
    int32_t status; /* wait status */
    int32_t by;     /* 0 ipcplay; else the reaping parent; -1 it left the view */
};

/* REC_TREE_END: the sample is whole; processes not named are gone. */
struct tree_end {
    uint64_t seq;
    int32_t nprocs;
    int32_t dropped; /* processes beyond TREE_MAX_PROCS */
};

/* REC_TRACE_CALL: one traced system call of a process of the tree. */
enum trace_phase {
    TRACE_BLOCKS = 0, /* at entry: it will sleep (semop/msgrcv/msgsnd/wait) */
    TRACE_DONE = 1,   /* it returned: ret / err */
    TRACE_HELD = 2,   /* held at entry by pause/step */
    TRACE_EVENT = 3,  /* fork/clone (ret: the child), exec, exit (ret: status) */
};
/* Calls told by the preload hook that are no system call of their own
 * (shm_open is an openat of /dev/shm/NAME): numbers beyond any syscall's. */
enum { TRACE_NR_SHM_OPEN = 100000, TRACE_NR_SHM_UNLINK = 100001 };
struct trace_call {
    int32_t pid;
    int32_t nr; /* syscall number (this architecture's SYS_*) */
    int32_t phase;
    int32_t err; /* errno when ret is -1 */
    int64_t args[6];
    int64_t ret;
    int32_t nsops; /* semop: sembufs passed (those read: min(nsops, TRACE_SOPS)) */
    struct trace_sop {
        int16_t num, op, flg;
    } sops[TRACE_SOPS];
    int32_t semval;  /* semop that blocks: the value of its first semaphore then; -1 */
    int64_t msgtyp;  /* msgsnd: the type sent (read from its buffer) */
    char path[48];   /* execve / mknodat / openat of a FIFO: the path */
    int32_t scm_fds; /* sendmsg: fds passed with SCM_RIGHTS; -1 none */
    int32_t fds[2];  /* pipe2 / socketpair: the two fds */
};

struct tree_procm {
    struct tree_proc p;
    uint64_t seen_seq;
    bool gone;
    bool reaped;
    int32_t exit_status;
    int32_t reaped_by;
    bool blocked_told; /* its current sleep was told by a trace record */
};

struct tree_obj {
    int32_t kind, id; /* enum sys_kind (System V kinds only) */
};

struct tree {
    bool on;
    struct tree_start start;
    uint64_t seq;
    struct tree_procm procs[TREE_MAX_PROCS];
    int nprocs;
    int dropped;
    struct tree_link links[TREE_MAX_LINKS];
    int nlinks;
    struct tree_obj objs[TREE_MAX_OBJS];
    int nobjs;
    int stall_seen;  /* samples in a row that showed every process asleep on IPC */
    char stall[256]; /* the stall named, "" none */
    char stall_sig[128];
    uint64_t calls;   /* traced calls applied */
    int32_t held_pid; /* a process held at its next traced call (pause/step); 0 */
    bool root_reaped;
    int32_t root_status;
    uint64_t gen;
};

struct model;
struct record;
/* Apply the records (called by model_apply). */
void tree_apply(struct model *m, const struct record *r);

/* Queries (pure). */
const struct tree_procm *tree_find(const struct tree *t, int pid);
/* Is this System V object one the tree created or used? */
bool tree_has_obj(const struct tree *t, int kind, int id);
/* The system's objects the dashboard lists, in the filter's order: with a
 * tree watched and the filter's scope not all, only the tree's objects
 * (created or used by it: its traced calls' ids and the users seen). */
int tree_select_objs(const struct model *m, int *idx, int max);
/* Processes of the tree still there (not gone, not reaped). */
int tree_alive(const struct tree *t);
/* What a process is doing, as the story says it ("semop(semid 3, [{0, -1,
 * SEM_UNDO}])", "wait4(-1)", "running"). */
void tree_kernel_text(const struct model *m, const struct tree_procm *p, char *buf, size_t len);
/* A traced call in plain words: "semop(semid 65575, [{0, -1, SEM_UNDO}]) ->
 * blocks: semval 0". */
void tree_call_text(const struct trace_call *c, char *buf, size_t len);
/* The tree as text lines (also the test's and headless view's): header,
 * processes, zombies, links, objects and their users, wait-for, stall. */
typedef void tree_line_fn(void *ctx, const char *line);
void tree_format(const struct model *m, tree_line_fn *line, void *ctx);

#endif
