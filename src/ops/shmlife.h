/* shmlife.h — the shared-memory lifecycle family's ops (ops/shmlife.c): a
 * process attaches a System V segment (shmat), maps a POSIX object
 * (shm_open + mmap) or a regular file (open + mmap) itself, looks at its
 * first bytes, passes numbered messages through it, asks the kernel what it
 * says about the object (shmctl IPC_STAT and /proc/sysvipc/shm, or the name
 * and /proc/self/maps), removes it while attached (IPC_RMID, shm_unlink,
 * unlink), locks it (SHM_LOCK) and detaches (shmdt, munmap). Their event
 * payloads. */
#ifndef IPCPLAY_OPS_SHMLIFE_H
#define IPCPLAY_OPS_SHMLIFE_H

#include <stdint.h>

// clang-format off
#define OPS_SHMLIFE(X)                                                                   \
    X(SHM_ATTACH) X(SHM_ZEROS) X(SHM_WRITE) X(SHM_READ) X(SHM_AWAIT) X(SHM_STAT)         \
        X(SHM_NAME) X(SHM_REMOVE) X(SHM_LOCK) X(SHM_DETACH)
// clang-format on

/* What the ops work on, as op->arg3 says: op->obj is a segment of the plan
 * (System V or POSIX) or a file of the plan (a regular file). */
enum shml_kind { SHML_SYSV = 0, SHML_POSIX = 1, SHML_FILE = 2 };

/* What SHM_AWAIT waits for (op->arg1), polling: the partner's ack of
 * message arg0 (in the memory itself), nattch down to arg0 (IPC_STAT), or
 * the writer (its pid is in the memory) no longer mapping it
 * (/proc/PID/maps). */
enum shml_await { SHML_ACK = 0, SHML_NATTCH = 1, SHML_UNMAPPED = 2 };

/* The memory's layout: a message number, the partner's ack, who wrote and
 * who acked (so a wait ends when the other side is gone; each is written
 * with the first message or ack, never before the writer looked at the
 * zero-filled bytes), the text. Everything else stays as the kernel gave
 * it. */
struct shml_msg {
    int32_t seq;
    int32_t ack;
    int32_t pid;
    int32_t reader;
    char text[48];
};

/* attach / detach: result 0 or -1. */
struct ev_shml_map {
    int32_t kind;     /* enum shml_kind */
    int32_t id;       /* System V: the shmid; else the fd it mapped (closed after) */
    int32_t nattch;   /* end, System V: IPC_STAT's shm_nattch after the call; -1 none:
                         the id names nothing any more (*stat_err) */
    int32_t stat_err; /* System V: that IPC_STAT's errno; a file: 1 when this
                         process sized it with ftruncate */
    int64_t addr;     /* the address in this process */
    int64_t size;
};

/* zeros: the bytes looked at, how many were not 0, the first 8. */
struct ev_shml_zeros {
    int32_t kind;
    int32_t pad;
    int64_t bytes;
    int64_t nonzero;
    int64_t first8;
};

/* write / read: message seq by pid, at addr in this process. */
struct ev_shml_msg {
    int32_t kind;
    int32_t seq;
    int32_t pid;    /* read: who wrote it */
    int32_t waited; /* read, await: ms it polled */
    int64_t addr;
    int64_t value; /* await: what it saw (the ack, or nattch) */
};

/* stat (System V): shmctl IPC_STAT (result 0 or -1 with errno) and the
 * segment's line in /proc/sysvipc/shm (proc_found 0: no line). */
struct ev_shml_stat {
    int32_t id;
    int32_t key;
    int32_t mode; /* shm_perm.mode, SHM_DEST and SHM_LOCKED included */
    int32_t nattch;
    int32_t proc_found;
    int32_t proc_key;
    int32_t proc_mode;
    int32_t proc_nattch;
};

/* name (POSIX, file): can the name still be opened (result 0, or -1 with
 * errno), and this process's /proc/self/maps line for its mapping. */
struct ev_shml_name {
    int32_t kind;
    int32_t mapped;  /* 1: a maps line covers addr */
    int32_t deleted; /* 1: it ends in " (deleted)" */
    int32_t pad;
    int64_t addr;
    int64_t ino; /* the maps line's inode */
};

/* remove: IPC_RMID, shm_unlink or unlink; nattch at that moment (System V,
 * IPC_STAT just before; -1 for the others). lock: SHM_LOCK (on 1) or
 * SHM_UNLOCK, with the caller's RLIMIT_MEMLOCK and euid for the story. */
struct ev_shml_ctl {
    int32_t kind;
    int32_t id;
    int32_t nattch;
    int32_t on;
    int64_t memlock; /* lock: RLIMIT_MEMLOCK's soft limit, -1 unlimited */
    int32_t euid;
    int32_t pad;
};

/* one X-macro list, laid out by hand */
// clang-format off
#define PAYLOADS_SHMLIFE                                                                 \
    struct ev_shml_map shml_map;                                                         \
    struct ev_shml_zeros shml_zeros;                                                     \
    struct ev_shml_msg shml_msg;                                                         \
    struct ev_shml_stat shml_stat;                                                       \
    struct ev_shml_name shml_name;                                                       \
    struct ev_shml_ctl shml_ctl;
// clang-format on

#endif
