/* inspect.h — the text of the `inspect` detail view, formatted from the model
 * alone (its samples, and the detail samples taken while a view watches), so
 * it reads the same live, from a recording, or after the run. */
#ifndef IPCPLAY_INSPECT_H
#define IPCPLAY_INSPECT_H

#include <stddef.h>
#include <sys/types.h>

#include "model.h"

/* What `what` names: a process of the run (role name like worker-3, or pid;
 * ipcplay too) in *pid, or the run's IPC objects (a semid, shmid or msqid;
 * "sem" / "shm" / "msq" for the first one): segments as bits of *shm (model
 * index), and how many objects in all. Returns 1 for a process, 2 for
 * objects, 0 for nothing. */
int model_inspect_target(const struct model *m, const char *what, pid_t *pid, unsigned *shm);
/* The view: a title and newline-separated lines (headings start in column
 * 0). Returns 0, or -1 with a one-line message in err. */
int model_inspect(const struct model *m, const char *what, char *title, size_t titlelen, char *out,
                  size_t outlen, char *err, size_t errlen);

#endif
