/* sysv.c — see sysv.h. */
#include "sysv.h"

#include <errno.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/shm.h>

#include "registry.h"

static void from_perm(const struct ipc_perm *p, struct sysv_stat *out)
{
    out->key = p->__key;
    out->uid = p->uid;
    out->cuid = p->cuid;
    out->gid = p->gid;
    out->cgid = p->cgid;
    out->mode = p->mode & 0777;
}

int sysv_stat(int kind, int id, struct sysv_stat *out)
{
    memset(out, 0, sizeof *out);
    switch (kind) {
    case REG_SEM: {
        struct semid_ds ds;
        union semun arg = {.buf = &ds};
        if (semctl(id, 0, IPC_STAT, arg) < 0)
            return -1;
        from_perm(&ds.sem_perm, out);
        out->ctime = ds.sem_ctime;
        return 0;
    }
    case REG_MSG: {
        struct msqid_ds ds;
        if (msgctl(id, IPC_STAT, &ds) < 0)
            return -1;
        from_perm(&ds.msg_perm, out);
        out->ctime = ds.msg_ctime;
        return 0;
    }
    case REG_SHM: {
        struct shmid_ds ds;
        if (shmctl(id, IPC_STAT, &ds) < 0)
            return -1;
        from_perm(&ds.shm_perm, out);
        out->ctime = ds.shm_ctime;
        out->cpid = ds.shm_cpid;
        return 0;
    }
    default: errno = EINVAL; return -1;
    }
}
