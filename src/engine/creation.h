/* creation.h — the engine makes System V semaphore sets and segments, and
 * the key of every System V object (IPC_PRIVATE or ftok of a run file),
 * telling each call in the story (creation.c). */
#ifndef IPCPLAY_CREATION_H
#define IPCPLAY_CREATION_H

#include <stddef.h>
#include <sys/types.h>

#include "../plan/plan.h"

struct engine;

/* The key for k: IPC_PRIVATE, or ftok of its run file (told in the story). */
int creation_key(struct engine *e, const struct plan_key *k, key_t *out, char *err, size_t errlen);
/* "IPC_PRIVATE" or "0x5102abcd". */
void creation_key_text(key_t key, char *buf, size_t len);
/* The object's final mode bits (0600 unless the plan says). */
unsigned creation_mode(const struct plan_key *k);
/* The flags the engine creates with: IPC_CREAT|0600, plus IPC_EXCL with a key. */
int creation_flags(key_t key);
/* Register id (kind REG_SEM, REG_MSG, REG_SHM), a keyed one with its key and mode. */
int creation_register(int kind, int id, key_t key, unsigned mode);
/* The error line for a get call that failed with a key. */
void creation_refused(int err, const char *call, key_t key, char *buf, size_t len);
/* IPC_SET of the final mode when it is not 0600 (told). */
int creation_set_mode(struct engine *e, int kind, int id, const struct plan_key *k, char *err,
                      size_t errlen);

/* semget + SETALL (+ IPC_SET) of set i; shmget (+ IPC_SET) of System V segment i. */
int creation_semset(struct engine *e, int i, char *err, size_t errlen);
int creation_shmseg(struct engine *e, int i, char *err, size_t errlen);

#endif
