/* sysv.h — the System V calls every part of the engine makes the same way:
 * semctl's union semun (which the caller must define, says semctl(2)), and
 * IPC_STAT of any kind of object into the fields all kinds share. */
#ifndef IPCPLAY_SYSV_H
#define IPCPLAY_SYSV_H

#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>
#include <time.h>

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
    struct seminfo *info;
};

/* What the kernel keeps of every System V object, whatever its kind. */
struct sysv_stat {
    key_t key;
    uid_t uid, cuid;
    gid_t gid, cgid;
    unsigned mode; /* permission bits */
    time_t ctime;  /* last change by *ctl (creation, IPC_SET, SETVAL...) */
    pid_t cpid;    /* shared memory only: its creator; else 0 */
};

/* IPC_STAT of object `id` of `kind` (REG_SEM, REG_MSG or REG_SHM). 0, or
 * -1 with errno set (EINVAL or EIDRM once it is gone). */
int sysv_stat(int kind, int id, struct sysv_stat *out);

#endif
