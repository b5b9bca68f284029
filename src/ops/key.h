/* key.h — the keys-and-creation family's ops (ops/key.c): ftok, the three
 * get calls with a key (semget, msgget, shmget: IPC_CREAT, IPC_CREAT|
 * IPC_EXCL, or 0 to open an existing object), running on as another uid, and
 * an alter operation the object's mode may refuse. Their event payloads. */
#ifndef IPCPLAY_OPS_KEY_H
#define IPCPLAY_OPS_KEY_H

#include <stdint.h>

#define OPS_KEY(X) X(FTOK) X(SEMGET) X(MSGGET) X(SHMGET) X(SETUID) X(ALTER)

/* The kinds of System V object, as ALTER's arg0 and the facts name them. */
enum key_kind { KEY_SEM = 0, KEY_MSG = 1, KEY_SHM = 2 };

/* ftok: obj the run file, result 0 or -1. */
struct ev_ftok {
    int32_t proj;
    int32_t pad[3];
    int64_t key; /* end: the key (-1 on failure) */
    int64_t ino; /* end: the file's inode */
};

/* semget, msgget, shmget: result = the id, or -1. */
struct ev_ipcget {
    int32_t flags; /* IPC_CREAT, IPC_EXCL and the mode bits, as passed */
    int32_t size;  /* nsems, or the segment's size; 0: open an existing one */
    int32_t uid;   /* the caller's effective uid */
    int32_t pad;
    int64_t key;
    int64_t pad2;
};

/* setuid: setresuid(uid, uid, uid); result 0, or 1 when not root (it stays). */
struct ev_setuid {
    int32_t uid; /* asked for */
    int32_t now; /* end: its effective uid */
    int32_t pad[2];
    int64_t pad2[2];
};

/* alter: semop(+1), msgsnd or shmat read-write on the id this process got. */
struct ev_alter {
    int32_t kind; /* enum key_kind */
    int32_t id;
    int32_t uid; /* the caller's effective uid */
    int32_t pad;
    int64_t pad2[2];
};

/* one X-macro list, laid out by hand */
// clang-format off
#define PAYLOADS_KEY                                                                     \
    struct ev_ftok ftok;                                                                 \
    struct ev_ipcget ipcget;                                                             \
    struct ev_setuid setuid;                                                             \
    struct ev_alter alter;
// clang-format on

#endif
