/* syswatch.h — one look at the whole system's IPC, as REC_SYS_* records:
 * every System V object (/proc/sysvipc, then semctl/msgctl for what only
 * they tell), POSIX shared memory and queues, and the processes that use
 * them (asleep in semop/msgsnd/msgrcv from /proc/PID/syscall, attached from
 * /proc/PID/maps). Knows nothing of the engine: it hands each record to an
 * emit function, so the engine, a test or a benchmark can take samples.
 * What it may not read it counts and says; it never guesses. */
#ifndef IPCPLAY_SYSWATCH_H
#define IPCPLAY_SYSWATCH_H

#include <stdint.h>

#include "../model/record.h"

struct syswatch;
typedef void syswatch_emit_fn(void *ctx, const struct record *r);

/* Where to look; NULL for each: /proc, /dev/shm, /dev/mqueue. Returns NULL
 * (errno set) if the /proc root cannot be opened. */
struct syswatch *syswatch_new(const char *proc_root, const char *devshm, const char *devmq);
void syswatch_free(struct syswatch *w);
/* The run's own objects (marked `ours` in records): n System V ids of a kind. */
void syswatch_set_ours(struct syswatch *w, int kind, const int *ids, int n);
/* One whole sample at t_ns: SYS_BEGIN, SYS_OBJ..., SYS_PROC..., SYS_USE...,
 * SYS_END. */
void syswatch_sample(struct syswatch *w, uint64_t t_ns, syswatch_emit_fn *emit, void *ctx);
/* The kernel's limits as `ipcs -l` shows them. 0, or -1 when unreadable. */
int syswatch_limits(struct syswatch *w, struct sys_limits *out);

/* Pure parsers of one /proc/sysvipc line (after the header): 0 or -1. */
int syswatch_parse_sem(const char *line, struct sys_obj *o);
int syswatch_parse_msg(const char *line, struct sys_obj *o);
int syswatch_parse_shm(const char *line, struct sys_obj *o);
/* One /proc/PID/maps line naming a System V segment: its shmid, address and
 * size; -1 for any other line. */
int syswatch_parse_maps_line(const char *line, int *shmid, uint64_t *addr, uint64_t *size);

#endif
