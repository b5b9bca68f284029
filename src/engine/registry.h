/* registry.h — every kernel object a run creates is recorded here the moment
 * it exists, and removed on every exit path. Each change is also told to the
 * guardian process (see guardian.h), which removes what is left if the
 * dashboard dies without cleaning up (kill -9). */
#ifndef IPCPLAY_REGISTRY_H
#define IPCPLAY_REGISTRY_H

#include <stdbool.h>

#include <sys/types.h>

/* Entries a dashboard can hold at once; the guardian's table is as large. */
#define REG_MAX 1024

enum reg_kind {
    REG_SEM = 's',       /* System V semaphore set id */
    REG_MSG = 'm',       /* System V message queue id */
    REG_SHM = 'h',       /* System V shared memory id */
    REG_POSIX_SHM = 'p', /* /dev/shm name, "/ipcplay-..." */
    REG_PATH = 'f',      /* a FIFO, socket file or temp file */
    REG_DIR = 'd',       /* a temp directory (removed after its files) */
    REG_PID = 'k',       /* a process we started */
    REG_PGID = 'g',      /* the process group of a run's children: registered only
                            while its leader is ours and unreaped (supervisor.c) */
    REG_JOURNAL = 'J',   /* the on-disk journal (journal.h); the guardian removes it */
};

/* fd: write end of the guardian's pipe, or -1 when there is no guardian. */
void registry_init(int guardian_fd);
/* Record an object that now exists. Returns 0, -1 if the table is full (the
 * caller must then remove the object itself). */
int registry_add(int kind, long id, const char *name);
/* Forget without removing (the object is gone already, e.g. a reaped pid). */
void registry_forget(int kind, long id, const char *name);
/* Remove every recorded object (processes are not killed here). Returns how
 * many removals failed. */
int registry_remove_all(void);
int registry_count(int kind);
/* Is this object (by kind and id) still held? */
bool registry_has(int kind, long id);
/* Tell the guardian the dashboard is exiting with nothing left behind. */
void registry_clean_exit(void);

/* Remove one object by kind and id/name: IPC_RMID, shm_unlink, or unlinkat
 * of a file or directory we own, reached without following a link
 * (safefs.h). Shared by the registry, the guardian and the journal sweep.
 * 0 on success or already gone. */
int registry_destroy(int kind, long id, const char *name);

#endif
